"""Results JSON cannot carry (NaN, ±Infinity) fail the item or the call; they never reach the wire.

`square(1e200)` is `inf` in Python; `json.dumps` would write `Infinity` (not JSON) and
JavaScript would write `null`. polybridge makes it the function's error instead.
"""

import json
import unittest

from polybridge.app import PolybridgeServer, ServerConfig
from polybridge.jsonio import NonFinite, as_doubles, js_number_name
from tests.test_http import Client, read_events

WAIT = {"Prefer": "wait=20"}


class NonFiniteNumberTests(unittest.TestCase):
    def test_finds_nan_and_infinities_at_any_depth(self) -> None:
        def found(value: object) -> float:
            with self.assertRaises(NonFinite) as caught:
                as_doubles(value)
            return caught.exception.value

        self.assertEqual(as_doubles([1, 2.5, {"a": [True, None, "inf"]}]), [1, 2.5, {"a": [True, None, "inf"]}])
        self.assertEqual(found(float("inf")), float("inf"))
        self.assertEqual(found({"a": [[1, (2, float("-inf"))]]}), float("-inf"))
        self.assertEqual(js_number_name(found([float("nan")])), "NaN")
        # An integer past the largest double is Infinity as a double, as in JavaScript.
        self.assertEqual((found(10 ** 400), found([-(10 ** 400)])), (float("inf"), float("-inf")))
        self.assertEqual([js_number_name(x) for x in (float("inf"), float("-inf"))], ["Infinity", "-Infinity"])


class NonFiniteHttpTests(unittest.TestCase):
    server: PolybridgeServer
    url: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = PolybridgeServer(ServerConfig(port=0, workers=2, functions_module="tests.nonfinite_functions"))
        cls.url = cls.server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown(0)

    def setUp(self) -> None:
        self.client = Client(self.url)

    def tearDown(self) -> None:
        self.client.close()

    def failed_job(self, body: dict, index: int, detail: str) -> dict:
        status, _, job = self.client.request("POST", "/v1/jobs", body, WAIT)
        self.assertEqual((status, job["status"]), (200, "failed"), job)
        self.assertEqual((job["error"]["code"], job["error"]["itemIndex"], job["error"]["detail"]),
                         ("item_failed", index, detail))
        self.assertNotIn("result", job)
        status, _, result = self.client.request("GET", f"/v1/jobs/{job['id']}/result")
        self.assertEqual((status, result["code"], result["detail"]), (409, "job_failed", detail))
        events = read_events(self.url, f"/v1/jobs/{job['id']}/events")  # every data line parses as JSON
        self.assertEqual([e["event"] for e in events if "event" in e][-2:], ["error", "status"])
        return job

    def test_calls_fail_with_function_failed(self) -> None:
        cases = [
            ("square", 1e200, "square returned a non-finite number (Infinity)"),
            ("square", -1e200, "square returned a non-finite number (Infinity)"),
            ("sum", [1e308, 1e308], "sum returned a non-finite number (Infinity)"),
            ("sum", [-1e308, -1e308], "sum returned a non-finite number (-Infinity)"),
            ("nanOf", 1, "nanOf returned a non-finite number (NaN)"),
            ("nestedInfinity", 1, "nestedInfinity returned a non-finite number (-Infinity)"),
        ]
        for name, value, detail in cases:
            with self.subTest(name=name, value=value):
                status, headers, body = self.client.request("POST", f"/v1/functions/{name}/call", {"input": value})
                self.assertEqual((status, body["code"], body["detail"]), (422, "function_failed", detail))
                self.assertEqual(headers["Content-Type"], "application/problem+json")

    def test_map_fails_at_the_item(self) -> None:
        self.failed_job({"kind": "map", "function": "square", "input": {"items": [1, 2, 1e200, 3]}, "options": {"chunkSize": 2}},
                        2, "square returned a non-finite number (Infinity)")
        self.failed_job({"kind": "map", "function": "nestedInfinity", "input": {"items": [0, 1]}},
                        0, "nestedInfinity returned a non-finite number (-Infinity)")

    def test_filter_with_nan_fails_at_the_item(self) -> None:
        self.failed_job({"kind": "filter", "function": "nanOf", "input": {"items": ["a"]}},
                        0, "nanOf returned a non-finite number (NaN)")

    def test_fold_accumulator_overflow_within_a_chunk(self) -> None:
        self.failed_job({"kind": "fold", "function": "sum", "input": {"items": [1, 1e308, 1e308, 1]}, "options": {"chunkSize": 4}},
                        2, "sum returned a non-finite number (Infinity)")

    def test_fold_accumulator_overflow_across_chunks(self) -> None:
        # Each chunk's partial is finite; merging the partials of chunks 0..1 is not.
        self.failed_job({"kind": "fold", "function": "sum", "input": {"items": [1e308, 1e308, 1]}, "options": {"chunkSize": 1}},
                        1, "sum returned a non-finite number (Infinity)")

    def test_mapreduce_accumulator_overflow(self) -> None:
        self.failed_job({"kind": "mapreduce", "function": "pairOf", "reducer": "sum",
                         "input": {"items": [5, 1e308, 1e308]}, "options": {"chunkSize": 3}},
                        2, "sum returned a non-finite number (Infinity)")
        self.failed_job({"kind": "mapreduce", "function": "pairOf", "reducer": "sum",
                         "input": {"items": [5, 1e308, 1e308, 7]}, "options": {"chunkSize": 2}},
                        2, "sum returned a non-finite number (Infinity)")

    def test_finite_results_are_unchanged(self) -> None:
        status, _, job = self.client.request("POST", "/v1/jobs", {"kind": "fold", "function": "sum",
                                                                 "input": {"items": [1e308, -1e308, 2.5]}}, WAIT)
        self.assertEqual((status, job["result"]), (200, {"kind": "fold", "value": 2.5}))


class JsonOutputTests(unittest.TestCase):
    def test_output_is_always_strict_utf8_json(self) -> None:
        server = PolybridgeServer(ServerConfig(port=0, workers=1))
        url = server.start()
        client = Client(url)
        try:
            # A lone surrogate escape is valid JSON; echoing it must give valid UTF-8 back.
            status, _, body = client.request("POST", "/v1/functions/echo/call", raw=b'{"input": "a\\ud800b"}',
                                             headers={"Content-Type": "application/json"})
            self.assertEqual((status, body["output"]), (200, "a\ud800b"))
        finally:
            client.close()
            server.shutdown(0)


if __name__ == "__main__":
    unittest.main()
