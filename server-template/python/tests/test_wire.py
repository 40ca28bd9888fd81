"""What goes over the socket, byte for byte: malformed requests, `Connection: close`, HEAD, empty ids.

http.client cannot send a broken request, so these tests write raw bytes and read until the
server closes, which also proves that it does close when it says `Connection: close`.
"""

import json
import socket
import unittest
from typing import Optional

from polybridge.app import ServerConfig
from tests.server_case import ServerTestCase

JSON_CALL = "POST /v1/functions/echo/call HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"


class RawAnswer:
    def __init__(self, data: bytes, closed: bool) -> None:
        self.raw = data
        self.closed = closed  # the server closed the socket (EOF) rather than letting it idle
        head, _, self.body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    @property
    def status(self) -> int:
        return int(self.status_line.split()[1])

    def json(self) -> dict:
        return json.loads(self.body)


def exchange(address: tuple[str, int], data: bytes, idle_s: float = 3.0) -> RawAnswer:
    """Sends `data`, then reads until EOF or until the server has been quiet for `idle_s`."""
    with socket.create_connection(address, timeout=idle_s) as conn:
        conn.sendall(data)
        received = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                return RawAnswer(received, closed=False)
            if not chunk:
                return RawAnswer(received, closed=True)
            received += chunk


class WireTests(ServerTestCase):
    @classmethod
    def config(cls) -> ServerConfig:
        return ServerConfig(port=0, workers=1, heartbeat_ms=200)

    def raw(self, data: bytes, idle_s: float = 3.0) -> RawAnswer:
        return exchange(self.server.address, data, idle_s)

    def assert_malformed(self, answer: RawAnswer, detail: Optional[str] = None) -> None:
        self.assertTrue(answer.status_line.startswith("HTTP/1.1 400 "), answer.raw)
        self.assertEqual(answer.headers["content-type"], "application/problem+json")
        self.assertEqual(answer.headers["connection"], "close")
        body = answer.json()
        self.assertEqual({k: body[k] for k in ("type", "title", "status", "code")}, {
            "type": "https://polybridge.dev/problems/malformed_request", "title": "Malformed HTTP request",
            "status": 400, "code": "malformed_request"})
        self.assertIsInstance(body["detail"], str)
        if detail is not None:
            self.assertIn(detail, body["detail"])
        self.assertEqual(int(answer.headers["content-length"]), len(answer.body))
        self.assertTrue(answer.closed, "the server must close the connection after a malformed request")

    def test_malformed_requests_get_an_http_400_problem_and_a_closed_connection(self) -> None:
        cases = {
            "garbage request line": b"GARBAGE\r\n\r\n",
            "junk words": b"hello there junk\r\n\r\n",
            "no HTTP version (HTTP/0.9)": b"GET /v1/health\r\n\r\n",
            "a POST without a version": b"POST /v1/jobs\r\n\r\n",
            "HTTP/2.0 on a text socket": b"GET /v1/health HTTP/2.0\r\nHost: t\r\n\r\n",
            "a blank request line": b"   \r\n\r\n",
            "a method that is not a token": b"G(E)T /v1/health HTTP/1.1\r\nHost: t\r\n\r\n",
            "Content-Length: abc": (JSON_CALL + "Content-Length: abc\r\n\r\n{}").encode(),
            "Content-Length: -1": (JSON_CALL + "Content-Length: -1\r\n\r\n").encode(),
            "two different Content-Lengths": (JSON_CALL + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}").encode(),
            "Transfer-Encoding and Content-Length": (
                JSON_CALL + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").encode(),
            "an unknown Transfer-Encoding": (JSON_CALL + "Transfer-Encoding: gzip\r\n\r\n").encode(),
            "a header line without a colon": b"GET /v1/health HTTP/1.1\r\nHost: t\r\nthis is not a header\r\n\r\n",
            "a header name with a space": b"GET /v1/health HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n",
            "an mbox From line": b"GET /v1/health HTTP/1.1\r\nFrom nobody\r\nHost: t\r\n\r\n",
            "an obsolete line folding": b"GET /v1/health HTTP/1.1\r\nHost: t\r\nX-A: one\r\n two\r\n\r\n",
            "a chunk size that is not hex": (
                JSON_CALL + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n").encode(),
            "a chunk longer than its size": (
                JSON_CALL + 'Transfer-Encoding: chunked\r\n\r\n4\r\n{"input":1}\r\n0\r\n\r\n').encode(),
            "a chunk size with a sign": (JSON_CALL + "Transfer-Encoding: chunked\r\n\r\n+2\r\n{}\r\n0\r\n\r\n").encode(),
            "a body cut short": (JSON_CALL + "Content-Length: 40\r\n\r\n" + '{"input":1}').encode(),
        }
        for name, request in cases.items():
            with self.subTest(name):
                if name == "a body cut short":  # the client half-closes: the 40 bytes never come
                    with socket.create_connection(self.server.address, timeout=5) as conn:
                        conn.sendall(request)
                        conn.shutdown(socket.SHUT_WR)
                        data = b""
                        while chunk := conn.recv(65536):
                            data += chunk
                    self.assert_malformed(RawAnswer(data, closed=True), "ended after 11 of 40 bytes")
                else:
                    self.assert_malformed(self.raw(request))
        # ...and the server keeps serving.
        self.assertEqual(self.raw(b"GET /v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").status, 200)

    def test_malformed_framing_is_refused_before_a_100_continue(self) -> None:
        answer = self.raw((JSON_CALL + "Content-Length: abc\r\nExpect: 100-continue\r\n\r\n").encode())
        self.assertNotIn(b"100 Continue", answer.raw)
        self.assert_malformed(answer, "Content-Length")

    def test_well_formed_chunked_bodies_and_leading_empty_lines_are_fine(self) -> None:
        body = '{"input": [1, 2]}'
        chunked = f"{len(body[:5]):x};ext=1\r\n{body[:5]}\r\n{len(body[5:]):X}\r\n{body[5:]}\r\n0\r\nX-Trailer: y\r\n\r\n"
        answer = self.raw(b"\r\n" + (JSON_CALL + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked).encode())
        self.assertEqual((answer.status, answer.json()["output"]), (200, [1, 2]), answer.raw)
        self.assertTrue(answer.closed)

    def test_connection_close_is_honoured_on_every_kind_of_answer(self) -> None:
        _, job = self.send_json("POST", "/v1/jobs", {"kind": "map", "function": "square", "input": {"items": [1, 2]}})
        requests = {
            "health": "GET /v1/health",
            "catalogue": "GET /v1/functions",
            "an error": "GET /v1/nothing",
            "a 405": "PUT /v1/health",
            "a job": f"GET /v1/jobs/{job['id']}",
            "its events (SSE)": f"GET /v1/jobs/{job['id']}/events",
            "HEAD": "HEAD /v1/health",
        }
        for name, line in requests.items():
            with self.subTest(name):
                answer = self.raw(f"{line} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
                self.assertLess(answer.status, 500)
                self.assertEqual(answer.headers.get("connection"), "close")
                self.assertTrue(answer.closed, f"{name}: the socket stayed open after Connection: close")
        events = self.raw(f"GET /v1/jobs/{job['id']}/events HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        self.assertIn(b"event: status", events.body)
        self.assertIn(b'"status":"successful"', events.body)  # the whole stream came, then the close

    def test_without_connection_close_the_connection_stays_open(self) -> None:
        answer = self.raw(b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n", idle_s=0.5)
        self.assertEqual((answer.status, answer.closed, answer.headers.get("connection")), (200, False, None))

    def test_head_answers_every_get_route_without_a_body(self) -> None:
        _, job = self.send_json("POST", "/v1/jobs", {"kind": "map", "function": "sleep", "input": {"items": [2000]}})
        # Bodies that do not change between the GET and the HEAD must have the same length.
        stable = {"/v1/functions", "/v1/functions/square", "/v1/openapi.json", "/v1/openapi.yaml",
                  "/v1/functions/nope", "/v1/jobs/job_nope", "/v1/jobs?limit=0"}
        for path in [*stable, "/v1/health", "/v1/jobs?limit=1", f"/v1/jobs/{job['id']}", f"/v1/jobs/{job['id']}/result"]:
            with self.subTest(path):
                get = self.raw(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
                head = self.raw(f"HEAD {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
                self.assertEqual((head.status, head.body), (get.status, b""))
                self.assertEqual(head.headers["content-type"], get.headers["content-type"])
                self.assertTrue(head.closed)
                if path in stable:
                    self.assertEqual(int(head.headers["content-length"]), len(get.body))
        # The event stream answers HEAD at once (the job still runs for 2 s) with the stream's
        # headers, and the connection serves the next request.
        both = self.raw(f"HEAD /v1/jobs/{job['id']}/events HTTP/1.1\r\nHost: t\r\n\r\n"
                         f"GET /v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode(), idle_s=1.5)
        head = RawAnswer(both.raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n", closed=False)
        self.assertEqual(head.status, 200, both.raw)
        self.assertTrue(head.headers["content-type"].startswith("text/event-stream"))
        self.assertNotIn("connection", head.headers)
        health = RawAnswer(both.raw.split(b"\r\n\r\n", 1)[1], closed=both.closed)
        self.assertEqual((health.status, health.json()["status"], health.closed), (200, "ok", True))
        closing = self.raw(f"HEAD /v1/jobs/{job['id']}/events HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        self.assertEqual((closing.status, closing.body, closing.headers["connection"], closing.closed), (200, b"", "close", True))
        # HEAD is not allowed where GET is not; where GET is, Allow says HEAD too.
        post_only = self.raw(b"HEAD /v1/functions/square/call HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        self.assertEqual((post_only.status, post_only.headers["allow"], post_only.body), (405, "POST", b""))
        put = self.raw(b"PUT /v1/health HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        self.assertEqual((put.status, put.headers["allow"]), (405, "GET, HEAD"))
        self.send_json("DELETE", f"/v1/jobs/{job['id']}")

    def test_an_empty_id_or_name_is_no_route(self) -> None:
        for method, path in (("GET", "/v1/jobs/"), ("GET", "/v1/jobs//events"), ("GET", "/v1/jobs//result"),
                             ("DELETE", "/v1/jobs/"), ("POST", "/v1/functions//call"), ("GET", "/v1/functions/")):
            with self.subTest(f"{method} {path}"):
                body = '{"input": 1}' if method == "POST" else ""
                answer = self.raw((f"{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}").encode())
                self.assertEqual((answer.status, answer.headers["content-type"], answer.json()["code"]),
                                 (404, "application/problem+json", "not_found"))

    def test_path_parameters_follow_the_spec(self) -> None:
        for line, pointer in ((f"GET /v1/jobs/{'a' * 101}", "/id"), (f"GET /v1/jobs/{'a' * 101}/events", "/id"),
                              ("GET /v1/functions/9lives", "/name"), ("GET /v1/functions/a%20b", "/name"),
                              (f"GET /v1/functions/{'f' * 65}", "/name")):
            with self.subTest(line):
                answer = self.raw(f"{line} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
                problem = answer.json()
                self.assertEqual((answer.status, problem["code"], [e["path"] for e in problem["errors"]]),
                                 (400, "validation_failed", [pointer]))
        # A name that matches the pattern but names nothing, and an id of 100 characters, are not found.
        self.assertEqual(self.send_json("GET", "/v1/functions/noSuchFunction")[1]["code"], "function_not_found")
        self.assertEqual(self.send_json("GET", f"/v1/jobs/{'a' * 100}")[1]["code"], "job_not_found")


if __name__ == "__main__":
    unittest.main()
