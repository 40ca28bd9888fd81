"""A client written the way polybridge's seed wrote it: urllib, `application/jsonrequest`, `Python/Project/0.1`.

urllib sends `Connection: close` on every request, so this also checks that the server says
so back and ends each answer, the event stream included, with the socket's close.
"""

import json
import unittest
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from tests.server_case import ServerTestCase

SEED_HEADERS = {"Content-Type": "application/jsonrequest", "User-Agent": "Python/Project/0.1"}


def send_to_erlang(url: str, data: object, extra_headers: dict | None = None) -> tuple[int, dict, object]:
    """The seed's `send_to_erlang`, in Python 3: a JSON body POSTed with urllib."""
    request = Request(url, json.dumps(data).encode("utf-8"), {**SEED_HEADERS, **(extra_headers or {})})
    try:
        response = urlopen(request, timeout=30)
    except HTTPError as error:
        response = error
    with response:
        return response.status, dict(response.headers), json.loads(response.read() or b"null")


class SeedClientTests(ServerTestCase):
    def test_a_call_and_a_job(self) -> None:
        status, headers, body = send_to_erlang(self.url + "/v1/functions/square/call", {"input": 12})
        self.assertEqual((status, body["function"], body["output"]), (200, "square", 144))
        self.assertTrue(headers["Content-Type"].startswith("application/json"))
        self.assertEqual(headers["Connection"], "close")
        status, headers, job = send_to_erlang(self.url + "/v1/jobs", {"kind": "map", "function": "square",
                                                                     "input": {"items": [1, 2, 3]}}, {"Prefer": "wait=10"})
        self.assertEqual((status, headers["Preference-Applied"], job["status"], job["result"]),
                         (200, "wait=10", "successful", {"kind": "map", "items": [1, 4, 9]}))
        status, _, problem = send_to_erlang(self.url + "/v1/functions/square/call", {"input": "x"})
        self.assertEqual((status, problem["code"], problem["errors"][0]["path"]), (400, "validation_failed", "/input"))

    def test_the_event_stream_ends_with_the_job(self) -> None:
        _, _, job = send_to_erlang(self.url + "/v1/jobs", {"kind": "map", "function": "sleep", "input": {"items": [300]}})
        with urlopen(self.url + job["links"]["events"], timeout=30) as response:
            self.assertEqual(response.headers["Connection"], "close")
            text = response.read().decode()  # returns only because the server closes after the last event
        self.assertTrue(text.rstrip().endswith("}"), text)
        last = [line for line in text.splitlines() if line.startswith("data: ")][-1]
        self.assertEqual(json.loads(last[len("data: "):])["status"], "successful")

    def test_head_with_urllib(self) -> None:
        with urlopen(Request(self.url + "/v1/health", method="HEAD"), timeout=30) as response:
            self.assertEqual((response.status, response.read()), (200, b""))


if __name__ == "__main__":
    unittest.main()
