"""Bearer-token auth: settings, the 401 answers, what stays open, and one tenant per token."""

import hashlib
import http.client
import json
import os
import tempfile
import time
import unittest
from unittest import mock
from urllib.parse import urlsplit

import server
from polybridge import auth
from polybridge.app import PolybridgeServer, ServerConfig
from polybridge.auth import AuthConfig, Authenticator, load_auth_config, parse_open_groups
from polybridge.problems import ProblemError
from tests.test_http import Client, read_events

T1, T2 = "tok-one", "tok-two"
REALM = 'Bearer realm="polybridge"'
INVALID = 'Bearer realm="polybridge", error="invalid_token"'


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class SettingsTests(unittest.TestCase):
    def test_tokens_from_the_environment_and_a_file_are_joined(self) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
            file.write("# team tokens\n\nfile-a\r\n  file-b  \n#not-a-token\ntok-one\n")
        self.addCleanup(os.unlink, file.name)
        config = load_auth_config({"POLYBRIDGE_AUTH_TOKENS": " tok-one, ,tok-two,", "POLYBRIDGE_AUTH_TOKENS_FILE": file.name})
        self.assertEqual(config.tokens, ("tok-one", "tok-two", "file-a", "file-b"))
        self.assertTrue(config.enabled)

    def test_no_tokens_means_auth_off(self) -> None:
        for env in ({}, {"POLYBRIDGE_AUTH_TOKENS": " , "}, {"POLYBRIDGE_AUTH_TOKENS_FILE": ""}):
            with self.subTest(env=env):
                config = load_auth_config(env)
                self.assertFalse(config.enabled)
                self.assertEqual(Authenticator(config).tenant("GET", "list_jobs", None), "")

    def test_open_groups(self) -> None:
        self.assertEqual(parse_open_groups(None), {"health"})
        self.assertEqual(parse_open_groups(""), {"health"})
        self.assertEqual(parse_open_groups("none"), set())
        self.assertEqual(parse_open_groups(" Health , catalogue"), {"health", "catalogue"})
        for bad in ("catalog", "none,health", "jobs"):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                parse_open_groups(bad)

    def test_server_refuses_to_start_with_bad_auth_settings(self) -> None:
        for env in ({"POLYBRIDGE_AUTH_TOKENS": T1, "POLYBRIDGE_AUTH_OPEN": "everything"},
                    {"POLYBRIDGE_AUTH_TOKENS_FILE": "/nonexistent/tokens.txt"}):
            with self.subTest(env=env), mock.patch.dict(os.environ, env, clear=True), self.assertRaises(SystemExit):
                server.parse_config([])

    def test_server_reads_auth_settings(self) -> None:
        env = {"POLYBRIDGE_AUTH_TOKENS": f"{T1},{T2}", "POLYBRIDGE_AUTH_OPEN": "health,catalogue"}
        with mock.patch.dict(os.environ, env, clear=True):
            config = server.parse_config([])
        self.assertEqual(config.auth, AuthConfig((T1, T2), frozenset({"health", "catalogue"})))


class AuthenticatorTests(unittest.TestCase):
    def setUp(self) -> None:
        self.auth = Authenticator(AuthConfig((T1, T2)))

    def refusal(self, method: str, endpoint, header) -> ProblemError:
        with self.assertRaises(ProblemError) as caught:
            self.auth.tenant(method, endpoint, header)
        self.assertEqual((caught.exception.status, caught.exception.code), (401, "unauthorized"))
        self.assertEqual(caught.exception.body["title"], "Authentication required")
        return caught.exception

    def test_each_token_is_its_own_tenant(self) -> None:
        one = self.auth.tenant("GET", "list_jobs", f"Bearer {T1}")
        self.assertEqual(one, hashlib.sha256(T1.encode()).hexdigest())  # never the token itself
        self.assertNotEqual(one, self.auth.tenant("GET", "list_jobs", f"Bearer {T2}"))
        self.assertEqual(self.auth.tenant("GET", "list_jobs", f"bEaReR   {T1} "), one)  # scheme case-insensitive

    def test_missing_and_wrong_credentials(self) -> None:
        self.assertEqual(self.refusal("GET", "list_jobs", None).headers["WWW-Authenticate"], REALM)
        self.assertEqual(self.refusal("GET", "list_jobs", "  ").headers["WWW-Authenticate"], REALM)
        for header in ("Bearer nope", f"Basic {T1}", "Bearer", f"Bearer{T1}", f"Bearer {T1}x", f"Token {T1}"):
            with self.subTest(header=header):
                self.assertEqual(self.refusal("GET", "list_jobs", header).headers["WWW-Authenticate"], INVALID)

    def test_open_endpoints_and_unknown_routes(self) -> None:
        self.assertEqual(self.auth.tenant("GET", "health", None), "")
        self.assertEqual(self.auth.tenant("HEAD", "health", None), "")
        self.refusal("GET", "list_functions", None)  # the catalogue is closed by default
        self.refusal("GET", None, None)  # unknown routes need a token too (401 before 404)
        self.refusal("POST", "submit_job", None)
        opened = Authenticator(AuthConfig((T1,), frozenset({"catalogue"})))
        self.assertEqual(opened.tenant("GET", "get_function", None), "")
        with self.assertRaises(ProblemError):
            opened.tenant("GET", "health", None)

    def test_every_token_is_compared_in_constant_time(self) -> None:
        with mock.patch.object(auth.hmac, "compare_digest", wraps=auth.hmac.compare_digest) as compare:
            self.auth.tenant("GET", "list_jobs", f"Bearer {T1}")  # matches the first: still compares both
        self.assertEqual(compare.call_count, 2)
        self.assertTrue(all(len(a) == len(b) == 32 for (a, b), _ in compare.call_args_list))  # digests


class AuthHttpTests(unittest.TestCase):
    server: PolybridgeServer
    url: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = PolybridgeServer(ServerConfig(port=0, workers=1, heartbeat_ms=200, auth=AuthConfig((T1, T2))))
        cls.url = cls.server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown(0)

    def setUp(self) -> None:
        self.client = Client(self.url)

    def tearDown(self) -> None:
        self.client.close()

    def assert_unauthorized(self, status, headers, body, challenge: str = REALM) -> None:
        self.assertEqual((status, body["code"], body["status"], body["title"]), (401, "unauthorized", 401, "Authentication required"))
        self.assertEqual(body["type"], "https://polybridge.dev/problems/unauthorized")
        self.assertEqual(headers["Content-Type"], "application/problem+json")
        self.assertEqual(headers["WWW-Authenticate"], challenge)

    def test_requests_without_a_valid_token_get_401(self) -> None:
        self.assert_unauthorized(*self.client.request("GET", "/v1/jobs"))
        self.assert_unauthorized(*self.client.request("GET", "/v1/jobs", headers=bearer("wrong")), INVALID)
        self.assert_unauthorized(*self.client.request("GET", "/v1/jobs", headers={"Authorization": f"Basic {T1}"}), INVALID)
        self.assert_unauthorized(*self.client.request("GET", "/v1/functions"))
        self.assert_unauthorized(*self.client.request("GET", "/v1/nothing"))  # before 404
        self.assert_unauthorized(*self.client.request("PUT", "/v1/health", raw=b"{}", headers={"Content-Type": "application/json"}))
        status, _, body = self.client.request("GET", "/v1/jobs", headers={"Authorization": f"bearer {T1}"})
        self.assertEqual((status, body["nextCursor"]), (200, None))

    def test_health_is_open(self) -> None:
        status, _, body = self.client.request("GET", "/v1/health")
        self.assertEqual((status, body["status"]), (200, "ok"))
        status, _, _ = self.client.request("GET", "/v1/health", headers=bearer(T1))
        self.assertEqual(status, 200)

    def test_401_wins_over_body_errors_and_the_connection_stays_usable(self) -> None:
        job = json.dumps({"kind": "map", "function": "square", "input": {"items": [1]}}).encode()
        cases = [
            ("POST", "/v1/jobs", b"{", {"Content-Type": "application/json"}),  # else 400 invalid_json
            ("POST", "/v1/jobs", b"{}", {"Content-Type": "application/json"}),  # else 400 validation_failed
            ("POST", "/v1/jobs", job, {"Content-Type": "text/plain"}),  # else 415
            ("POST", "/v1/jobs", b"[" * 65 + b"]" * 65, {"Content-Type": "application/json"}),  # else nesting_too_deep
            ("POST", "/v1/functions/square/call", b'{"input": "\xff"}', {"Content-Type": "application/json"}),
        ]
        for method, path, raw, headers in cases:
            with self.subTest(raw=raw[:20]):
                self.assert_unauthorized(*self.client.request(method, path, raw=raw, headers=headers))
        status, _, _ = self.client.request("GET", "/v1/health")  # same connection, body drained
        self.assertEqual(status, 200)

    def test_401_wins_over_payload_too_large(self) -> None:
        for expect_continue in (False, True):
            with self.subTest(expect_continue=expect_continue):
                parts = urlsplit(self.url)
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                conn.putrequest("POST", "/v1/jobs")
                conn.putheader("Content-Type", "application/json")
                conn.putheader("Content-Length", str(17 * 1024 * 1024))
                if expect_continue:
                    conn.putheader("Expect", "100-continue")
                conn.endheaders()  # no body: the answer comes from the headers alone
                response = conn.getresponse()
                self.assert_unauthorized(response.status, response.headers, json.loads(response.read()))
                conn.close()

    def test_expect_continue_with_a_token_still_checks_the_size(self) -> None:
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.putrequest("POST", "/v1/jobs")
        for name, value in {"Content-Type": "application/json", "Content-Length": str(17 * 1024 * 1024),
                            "Expect": "100-continue", **bearer(T1)}.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        self.assertEqual((response.status, json.loads(response.read())["code"]), (413, "payload_too_large"))
        conn.close()

    def test_jobs_belong_to_their_token(self) -> None:
        status, _, job = self.client.request("POST", "/v1/jobs", {"kind": "map", "function": "square", "input": {"items": [3]}},
                                             dict(bearer(T1), Prefer="wait=10"))
        self.assertEqual((status, job["result"]["items"]), (200, [9]))
        job_path = f"/v1/jobs/{job['id']}"
        for method, path in (("GET", job_path), ("GET", f"{job_path}/result"), ("GET", f"{job_path}/events"), ("DELETE", job_path)):
            with self.subTest(method=method, path=path):
                status, _, body = self.client.request(method, path, headers=bearer(T2))
                self.assertEqual((status, body["code"]), (404, "job_not_found"))
        _, _, theirs = self.client.request("GET", "/v1/jobs?limit=100", headers=bearer(T2))
        self.assertNotIn(job["id"], [j["id"] for j in theirs["jobs"]])
        _, _, mine = self.client.request("GET", "/v1/jobs?limit=100", headers=bearer(T1))
        self.assertIn(job["id"], [j["id"] for j in mine["jobs"]])
        status, _, body = self.client.request("GET", f"{job_path}/result", headers=bearer(T1))
        self.assertEqual((status, body["items"]), (200, [9]))
        events = read_events(self.url, f"{job_path}/events", bearer(T1))
        self.assertEqual(events[-1]["data"]["status"], "successful")
        status, _, body = self.client.request("DELETE", job_path, headers=bearer(T1))
        self.assertEqual((status, body["code"]), (409, "job_already_finished"))

    def test_idempotency_keys_are_per_token(self) -> None:
        key = {"Idempotency-Key": f"shared-{time.monotonic_ns()}"}
        body = {"kind": "map", "function": "echo", "input": {"items": [1]}}
        _, _, first = self.client.request("POST", "/v1/jobs", body, dict(key, **bearer(T1)))
        status, headers, other = self.client.request("POST", "/v1/jobs", dict(body, input={"items": [2]}), dict(key, **bearer(T2)))
        self.assertEqual(status, 202)  # a new job, not 422 idempotency_key_conflict
        self.assertNotEqual(other["id"], first["id"])
        self.assertNotIn("Idempotent-Replayed", headers)
        status, headers, again = self.client.request("POST", "/v1/jobs", body, dict(key, **bearer(T1)))
        self.assertEqual((status, headers["Idempotent-Replayed"], again["id"]), (202, "true", first["id"]))
        status, _, conflict = self.client.request("POST", "/v1/jobs", body, dict(key, **bearer(T2)))
        self.assertEqual((status, conflict["code"]), (422, "idempotency_key_conflict"))


if __name__ == "__main__":
    unittest.main()
