"""The whole server in-process over real HTTP: main flows, errors, keep-alive, SSE, shutdown."""

import http.client
import json
import threading
import time
import unittest
from unittest import mock
from typing import Any, Optional
from urllib.parse import urlsplit

from polybridge.app import PolybridgeServer, ServerConfig
from polybridge.http_handler import PolybridgeHandler

JSON = {"Content-Type": "application/json"}


class Client:
    """One keep-alive connection; `request` returns (status, headers, parsed body)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)

    def request(self, method: str, path: str, body: Any = None, headers: Optional[dict] = None,
                raw: Optional[bytes] = None) -> tuple[int, http.client.HTTPMessage, Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        sent = dict(JSON if body is not None else {}, **(headers or {}))
        self.conn.request(method, path, body=data, headers=sent)
        response = self.conn.getresponse()
        payload = response.read()
        parsed = json.loads(payload) if payload else None
        return response.status, response.headers, parsed

    def close(self) -> None:
        self.conn.close()


def read_events(url: str, path: str, headers: Optional[dict] = None, timeout: float = 15) -> list[dict[str, Any]]:
    """Reads an SSE stream to its end; comments come back as {"comment": text}."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    assert response.status == 200, response.status
    assert response.headers["Content-Type"].startswith("text/event-stream")
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for raw_line in response:
        line = raw_line.decode().rstrip("\n")
        if line == "":
            if current:
                events.append(current)
            current = {}
        elif line.startswith(":"):
            events.append({"comment": line[1:].strip()})
        else:
            field, _, value = line.partition(": ")
            current[field] = json.loads(value) if field == "data" else value
    conn.close()
    return events


class HttpTests(unittest.TestCase):
    server: PolybridgeServer
    url: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = PolybridgeServer(ServerConfig(port=0, workers=2, heartbeat_ms=200, shutdown_grace_ms=1000))
        cls.url = cls.server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown(0)

    def setUp(self) -> None:
        self.client = Client(self.url)

    def tearDown(self) -> None:
        self.client.close()

    def test_health_and_catalogue(self) -> None:
        status, _, body = self.client.request("GET", "/v1/health")
        self.assertEqual((status, body["status"], body["workers"]), (200, "ok", 2))
        self.assertEqual(set(body["jobs"]), {"queued", "running", "stored"})
        status, _, body = self.client.request("GET", "/v1/functions")
        names = [f["name"] for f in body["functions"]]
        self.assertEqual(names, sorted(names))
        self.assertTrue({"echo", "square", "isEven", "sum", "tokenize", "fail", "sleep"} <= set(names))
        status, _, body = self.client.request("GET", "/v1/functions/sum")
        self.assertEqual((status, body["kind"], body["identity"]), (200, "reducer", 0))
        status, headers, body = self.client.request("GET", "/v1/functions/nope")
        self.assertEqual((status, body["code"]), (404, "function_not_found"))
        self.assertEqual(headers["Content-Type"], "application/problem+json")

    def test_calls(self) -> None:
        status, _, body = self.client.request("POST", "/v1/functions/square/call", {"input": 12})
        self.assertEqual((status, body["function"], body["output"]), (200, "square", 144))
        self.assertGreaterEqual(body["durationMs"], 0)
        status, _, body = self.client.request("POST", "/v1/functions/sum/call", {"input": [40, 2]})
        self.assertEqual(body["output"], 42)
        status, _, body = self.client.request("POST", "/v1/functions/fail/call", {"input": "boom"})
        self.assertEqual((status, body["code"], body["detail"]), (422, "function_failed", 'fail: "boom"'))
        status, _, body = self.client.request("POST", "/v1/functions/isEven/call", {"input": 2.5})
        self.assertEqual((status, body["errors"][0]["path"]), (400, "/input"))
        status, _, body = self.client.request("POST", "/v1/functions/sleep/call", {"input": 3000, "timeoutMs": 100})
        self.assertEqual((status, body["code"]), (504, "call_timeout"))

    def test_word_count_with_a_final_sigma(self) -> None:
        status, _, body = self.client.request(
            "POST", "/v1/jobs", {"kind": "mapreduce", "function": "tokenize", "reducer": "sum",
                                 "input": {"items": ["ΟΔΟΣ οδος Οδος"]}}, {"Prefer": "wait=10"})
        self.assertEqual((status, body["result"]), (200, {"kind": "mapreduce", "entries": [["οδος", 3]]}))

    def test_error_paths_are_json_pointers(self) -> None:
        cases = [
            ("POST", "/v1/functions/square/call", {}, 400, "validation_failed", ["/input"]),
            ("POST", "/v1/functions/square/call", {"input": 1, "extra": 2}, 400, "validation_failed", ["/extra"]),
            ("POST", "/v1/jobs", {"kind": "zap", "function": "square", "input": {"items": [1]}}, 400,
             "validation_failed", ["/kind"]),
            ("POST", "/v1/jobs", {"kind": "map", "function": "square"}, 400, "validation_failed", ["/input"]),
            ("POST", "/v1/jobs", {"kind": "map", "function": "square", "input": {"items": [1]},
                                  "options": {"chunkSize": 0}}, 400, "validation_failed", ["/options/chunkSize"]),
            ("POST", "/v1/jobs", {"kind": "fold", "function": "square", "input": {"items": [1]}}, 400,
             "function_kind_mismatch", ["/function"]),
            ("POST", "/v1/jobs", {"kind": "mapreduce", "function": "tokenize", "reducer": "echo",
                                  "input": {"items": ["a"]}}, 400, "function_kind_mismatch", ["/reducer"]),
            ("GET", "/v1/jobs?limit=0", None, 400, "validation_failed", ["/limit"]),
            ("GET", "/v1/jobs?status=nope", None, 400, "validation_failed", ["/status"]),
            ("GET", "/v1/jobs?cursor=bogus", None, 400, "validation_failed", ["/cursor"]),
        ]
        for method, path, body, status, code, pointers in cases:
            with self.subTest(path=path, body=body):
                got_status, _, problem = self.client.request(method, path, body)
                self.assertEqual((got_status, problem["code"]), (status, code))
                self.assertEqual([e["path"] for e in problem["errors"]], pointers)
                self.assertTrue(all(isinstance(e["message"], str) and e["message"] for e in problem["errors"]))
        _, _, problem = self.client.request("POST", "/v1/jobs", {"kind": "zap", "function": "square", "input": {"items": [1]}})
        self.assertTrue(all(kind in problem["errors"][0]["message"] for kind in ("map", "filter", "fold", "mapreduce")))

    def test_job_wait_returns_the_result(self) -> None:
        status, headers, body = self.client.request(
            "POST", "/v1/jobs", {"kind": "fold", "function": "sum", "input": {"range": {"start": 1, "end": 101}}},
            {"Prefer": "wait=10"})
        self.assertEqual((status, body["status"], body["result"]), (200, "successful", {"kind": "fold", "value": 5050}))
        self.assertEqual(headers["Preference-Applied"], "wait=10")
        self.assertEqual(headers["Location"], f"/v1/jobs/{body['id']}")
        status, _, result = self.client.request("GET", f"/v1/jobs/{body['id']}/result")
        self.assertEqual((status, result), (200, {"kind": "fold", "value": 5050}))

    def test_async_job_lifecycle_and_cancel(self) -> None:
        status, headers, job = self.client.request(
            "POST", "/v1/jobs", {"kind": "map", "function": "sleep", "input": {"items": [3000, 3000]}},
            {"Prefer": "respond-async"})
        self.assertEqual((status, headers["Preference-Applied"], headers["Retry-After"]), (202, "respond-async", "1"))
        status, headers, read = self.client.request("GET", headers["Location"])
        self.assertEqual((status, headers["Retry-After"]), (200, "1"))
        status, headers, body = self.client.request("GET", f"/v1/jobs/{job['id']}/result")
        self.assertEqual((status, body["code"], headers["Retry-After"]), (409, "result_not_ready", "1"))
        status, _, body = self.client.request("DELETE", f"/v1/jobs/{job['id']}")
        self.assertEqual((status, body["status"]), (200, "dismissed"))
        status, _, body = self.client.request("GET", f"/v1/jobs/{job['id']}/result")
        self.assertEqual((status, body["code"]), (409, "job_dismissed"))

    def test_failed_job_result_and_finished_cancel(self) -> None:
        _, _, job = self.client.request("POST", "/v1/jobs", {"kind": "map", "function": "fail", "input": {"items": [1, -1]}},
                                        {"Prefer": "wait=10"})
        self.assertEqual((job["status"], job["error"]["itemIndex"]), ("failed", 1))
        status, _, body = self.client.request("GET", f"/v1/jobs/{job['id']}/result")
        self.assertEqual((status, body["code"], body["detail"]), (409, "job_failed", "fail: -1"))
        status, _, body = self.client.request("DELETE", f"/v1/jobs/{job['id']}")
        self.assertEqual((status, body["code"]), (409, "job_already_finished"))

    def test_idempotency_key(self) -> None:
        key = {"Idempotency-Key": f"k-{time.monotonic_ns()}"}
        job = {"kind": "map", "function": "square", "input": {"items": [1, 2]}}
        _, _, first = self.client.request("POST", "/v1/jobs", job, key)
        status, headers, again = self.client.request("POST", "/v1/jobs", dict(reversed(list(job.items()))), key)
        self.assertEqual((status, headers["Idempotent-Replayed"], again["id"]), (202, "true", first["id"]))
        status, _, body = self.client.request("POST", "/v1/jobs", dict(job, input={"items": [3]}), key)
        self.assertEqual((status, body["code"]), (422, "idempotency_key_conflict"))
        status, _, body = self.client.request("POST", "/v1/jobs", job, {"Idempotency-Key": "k" * 256})
        self.assertEqual((status, body["errors"][0]["path"]), (400, "header:/idempotency-key"))

    def test_list_paging(self) -> None:
        ids = []
        for n in range(3):
            _, _, job = self.client.request("POST", "/v1/jobs", {"kind": "map", "function": "echo", "input": {"items": [n]}},
                                            {"Prefer": "wait=5"})
            ids.append(job["id"])
        _, _, page = self.client.request("GET", "/v1/jobs?limit=2&status=successful")
        self.assertEqual([j["id"] for j in page["jobs"]], ids[::-1][:2])
        _, _, rest = self.client.request("GET", f"/v1/jobs?limit=2&status=successful&cursor={page['nextCursor']}")
        self.assertEqual(rest["jobs"][0]["id"], ids[0])
        status, _, body = self.client.request("GET", "/v1/jobs?cursor=bogus")
        self.assertEqual((status, body["code"]), (400, "validation_failed"))

    def test_request_errors_keep_the_connection_usable(self) -> None:
        cases = [
            ("POST", "/v1/jobs", b"{", JSON, 400, "invalid_json"),
            ("POST", "/v1/jobs", b"{}", {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
            ("POST", "/v1/functions/echo/call", b'{"input":"\xff\xfe"}', JSON, 400, "invalid_json"),
            ("POST", "/v1/jobs", b'{"kind":"map","function":"echo","input":{"items":["\xed\xa0\x80"]}}', JSON, 400,
             "invalid_json"),
            ("POST", "/v1/jobs", b"[" * 65 + b"]" * 65, JSON, 400, "nesting_too_deep"),
            ("PUT", "/v1/jobs", b"{}", JSON, 405, "method_not_allowed"),
            ("GET", "/v1/nothing", None, {}, 404, "not_found"),
            ("GET", "/v1/jobs/job_missing", None, {}, 404, "job_not_found"),
            ("POST", "/v1/jobs", json.dumps({"kind": "map", "function": "square", "input": {"items": []},
                                             "options": {"chunkSize": 0}}).encode(), JSON, 400, "validation_failed"),
        ]
        for method, path, raw, headers, status, code in cases:
            with self.subTest(code=code):
                got_status, got_headers, body = self.client.request(method, path, raw=raw, headers=headers)
                self.assertEqual((got_status, body["code"], body["status"]), (status, code, status))
                self.assertEqual(body["type"], f"https://polybridge.dev/problems/{code}")
        status, _, _ = self.client.request("GET", "/v1/health")  # same connection, still in sync
        self.assertEqual(status, 200)

    def test_json_media_types(self) -> None:
        # application/json, the seed's application/jsonrequest and any application/*+json are JSON.
        for media in ("application/jsonrequest", "application/vnd.example+json",
                      "application/vnd.api+json; charset=utf-8", "Application/JSONRequest"):
            with self.subTest(media=media):
                status, _, body = self.client.request("POST", "/v1/functions/square/call", raw=b'{"input": 7}',
                                                      headers={"Content-Type": media})
                self.assertEqual((status, body["output"]), (200, 49))
        for media in ("text/json", "application/jsonx", "application/json+xml", "application/+json", "text/plain"):
            with self.subTest(media=media):
                status, _, body = self.client.request("POST", "/v1/functions/square/call", raw=b'{"input": 7}',
                                                      headers={"Content-Type": media})
                self.assertEqual((status, body["code"]), (415, "unsupported_media_type"))

    def test_payload_too_large_is_refused_before_reading(self) -> None:
        for expect_continue in (False, True):
            with self.subTest(expect_continue=expect_continue):
                conn = http.client.HTTPConnection(urlsplit(self.url).hostname, urlsplit(self.url).port, timeout=10)
                conn.putrequest("POST", "/v1/jobs")
                conn.putheader("Content-Type", "application/json")
                conn.putheader("Content-Length", str(17 * 1024 * 1024))
                if expect_continue:
                    conn.putheader("Expect", "100-continue")
                conn.endheaders()  # no body is sent: the answer must come from the headers alone
                response = conn.getresponse()
                body = json.loads(response.read())
                self.assertEqual((response.status, body["code"]), (413, "payload_too_large"))
                self.assertEqual(response.headers["Connection"], "close")
                conn.close()

    def test_too_many_headers_is_headers_too_large(self) -> None:
        conn = http.client.HTTPConnection(urlsplit(self.url).hostname, urlsplit(self.url).port, timeout=10)
        conn.putrequest("GET", "/v1/health")
        for n in range(120):  # http.server allows 100
            conn.putheader(f"X-Filler-{n}", "x")
        conn.endheaders()
        response = conn.getresponse()
        body = json.loads(response.read())
        self.assertEqual((response.status, body["code"], response.headers["Content-Type"]),
                         (431, "headers_too_large", "application/problem+json"))
        conn.close()

    def test_events_stream_replays_and_resumes(self) -> None:
        _, _, job = self.client.request("POST", "/v1/jobs", {"kind": "map", "function": "sleep", "input": {"items": [400, 0]},
                                                             "options": {"chunkSize": 1, "concurrency": 1}})
        events = read_events(self.url, f"/v1/jobs/{job['id']}/events")
        named = [e for e in events if "event" in e]
        self.assertEqual([e["event"] for e in named], ["status", "status", "progress", "progress", "result", "status"])
        self.assertEqual([int(e["id"]) for e in named], list(range(1, 7)))
        self.assertEqual(named[-1]["data"]["status"], "successful")
        self.assertIn({"comment": "heartbeat"}, events)  # 400 ms of quiet, 200 ms heartbeats
        resumed = read_events(self.url, f"/v1/jobs/{job['id']}/events", {"Last-Event-ID": "4"})
        self.assertEqual([e["event"] for e in resumed if "event" in e], ["result", "status"])
        status, _, body = self.client.request("GET", f"/v1/jobs/{job['id']}/events", headers={"Last-Event-ID": "abc"})
        self.assertEqual((status, body["code"], body["errors"][0]["path"]), (400, "validation_failed", "header:/last-event-id"))


class HeartbeatTests(unittest.TestCase):
    """`?heartbeatMs=` against a server left at its default (15 s): only the client's choice can beat."""

    server: PolybridgeServer
    url: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = PolybridgeServer(ServerConfig(port=0, workers=2, shutdown_grace_ms=1000))
        cls.url = cls.server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown(0)

    def setUp(self) -> None:
        self.client = Client(self.url)
        _, _, job = self.client.request("POST", "/v1/jobs", {"kind": "map", "function": "sleep", "input": {"items": [700]}})
        self.path = f"/v1/jobs/{job['id']}/events"

    def tearDown(self) -> None:
        self.client.close()

    def test_the_client_chooses_the_interval(self) -> None:
        self.assertEqual(self.server.config.heartbeat_ms, 15_000)
        events = read_events(self.url, self.path + "?heartbeatMs=100")
        self.assertGreaterEqual(events.count({"comment": "heartbeat"}), 3)  # 700 ms of quiet
        self.assertEqual([e["event"] for e in events if "event" in e][-1], "status")

    def test_the_default_without_the_parameter(self) -> None:
        self.assertNotIn({"comment": "heartbeat"}, read_events(self.url, self.path))

    def test_out_of_range_is_validation_failed(self) -> None:
        for bad in ("99", "60001", "abc", "2.5"):
            with self.subTest(bad=bad):
                status, headers, body = self.client.request("GET", f"{self.path}?heartbeatMs={bad}")
                self.assertEqual((status, headers["Content-Type"], body["code"]), (400, "application/problem+json", "validation_failed"))
                self.assertEqual(body["errors"][0]["path"], "/heartbeatMs")


class SlowBodyTests(unittest.TestCase):
    def test_a_stalled_body_is_request_timeout(self) -> None:
        with mock.patch.object(PolybridgeHandler, "timeout", 0.5):
            server = PolybridgeServer(ServerConfig(port=0, workers=1))
            url = server.start()
            try:
                conn = http.client.HTTPConnection(urlsplit(url).hostname, urlsplit(url).port, timeout=10)
                conn.putrequest("POST", "/v1/functions/echo/call")
                conn.putheader("Content-Type", "application/json")
                conn.putheader("Content-Length", "100")
                conn.endheaders(b'{"input":')  # and then nothing
                response = conn.getresponse()
                body = json.loads(response.read())
                self.assertEqual((response.status, body["code"], response.headers["Connection"]), (408, "request_timeout", "close"))
                conn.close()
            finally:
                server.shutdown(0)


class ShutdownTests(unittest.TestCase):
    def test_draining_refuses_new_jobs_and_lets_running_ones_finish(self) -> None:
        server = PolybridgeServer(ServerConfig(port=0, workers=1, shutdown_grace_ms=5000))
        url = server.start()
        client = Client(url)
        try:
            _, _, job = client.request("POST", "/v1/jobs", {"kind": "map", "function": "sleep", "input": {"items": [500]}})
            stopper = threading.Thread(target=server.shutdown)
            stopper.start()
            time.sleep(0.1)
            status, headers, body = client.request("POST", "/v1/jobs", {"kind": "map", "function": "echo", "input": {"items": [1]}})
            self.assertEqual((status, body["code"]), (503, "shutting_down"))
            self.assertIn("Retry-After", headers)
            _, _, health = client.request("GET", "/v1/health")
            self.assertEqual(health["status"], "draining")
            stopper.join(10)
            self.assertFalse(stopper.is_alive())
            self.assertEqual(server.engine.get(job["id"]).status, "successful")
        finally:
            client.close()
            server.shutdown(0)


if __name__ == "__main__":
    unittest.main()
