"""Request rules: call and job bodies, limits, Prefer, list and event-stream queries, cursors, JSON reading."""

import unittest

from polybridge.chunking import IntRange
from polybridge.jsonio import JsonSyntaxError, JsonTooDeep, canonical_json, parse_json
from polybridge.problems import ProblemError
from polybridge.protocol import (
    MAX_ITEMS,
    effective_options,
    parse_call_request,
    parse_heartbeat_ms,
    parse_job_request,
    parse_list_query,
    parse_prefer,
)
from polybridge.store import BadCursor, decode_cursor, encode_cursor


def problem_of(fn, *args):
    try:
        fn(*args)
    except ProblemError as error:
        return error
    raise AssertionError("no problem raised")


class JobRequestTests(unittest.TestCase):
    def test_valid_items_and_range_requests(self) -> None:
        request = parse_job_request({"kind": "map", "function": "square", "input": {"items": [1, 2]}})
        self.assertEqual((request.kind, request.total), ("map", 2))
        ranged = parse_job_request({"kind": "mapreduce", "function": "tokenize", "reducer": "sum",
                                    "input": {"range": {"start": 10, "end": 0, "step": -2}}, "options": {"chunkSize": 2}})
        self.assertEqual(ranged.items, IntRange(10, 0, -2))
        self.assertEqual(ranged.total, 5)

    def test_option_bounds_point_at_the_field(self) -> None:
        error = problem_of(parse_job_request, {"kind": "map", "function": "square", "input": {"items": []},
                                               "options": {"chunkSize": 0, "concurrency": 2000, "timeoutMs": 1.5}})
        self.assertEqual(error.code, "validation_failed")
        paths = [e["path"] for e in error.body["errors"]]
        self.assertEqual(paths, ["/options/chunkSize", "/options/concurrency", "/options/timeoutMs"])
        self.assertEqual(error.body["errors"][0]["message"], "must be >= 1")

    def test_structural_errors(self) -> None:
        cases = {
            "unknown kind": ({"kind": "sort", "function": "f", "input": {"items": []}}, "/kind"),
            "no reducer": ({"kind": "mapreduce", "function": "tokenize", "input": {"items": []}}, "/reducer"),
            "extra field": ({"kind": "map", "function": "f", "input": {"items": []}, "x": 1}, "/x"),
            "both inputs": ({"kind": "map", "function": "f", "input": {"items": [], "range": {"start": 0, "end": 1}}}, "/input"),
            "zero step": ({"kind": "map", "function": "f", "input": {"range": {"start": 0, "end": 1, "step": 0}}}, "/input/range/step"),
            "float start": ({"kind": "map", "function": "f", "input": {"range": {"start": 0.5, "end": 1}}}, "/input/range/start"),
            "bad name": ({"kind": "map", "function": "1x", "input": {"items": []}}, "/function"),
            "not object": ([], ""),
        }
        for label, (body, path) in cases.items():
            with self.subTest(label):
                error = problem_of(parse_job_request, body)
                self.assertEqual(error.status, 400)
                self.assertIn(path, [e["path"] for e in error.body["errors"]])

    def test_size_limits(self) -> None:
        error = problem_of(parse_job_request, {"kind": "map", "function": "f", "input": {"items": [0] * (MAX_ITEMS + 1)}})
        self.assertEqual((error.code, error.status), ("too_many_items", 413))
        error = problem_of(parse_job_request, {"kind": "map", "function": "f", "input": {"range": {"start": 0, "end": 100_000_001}}})
        self.assertEqual(error.code, "too_many_items")
        parse_job_request({"kind": "map", "function": "f", "input": {"range": {"start": 0, "end": 100_000_000}}})

    def test_effective_options_fill_defaults(self) -> None:
        self.assertEqual(effective_options({}, 0, 2), {"chunkSize": 1, "concurrency": 2, "timeoutMs": 300000})
        self.assertEqual(effective_options({"chunkSize": 7, "concurrency": 1, "timeoutMs": 5}, 100, 2),
                         {"chunkSize": 7, "concurrency": 1, "timeoutMs": 5})


class CallRequestTests(unittest.TestCase):
    def test_rules(self) -> None:
        self.assertEqual(parse_call_request({"input": None}).input, None)
        self.assertEqual(problem_of(parse_call_request, {}).code, "validation_failed")
        self.assertEqual(problem_of(parse_call_request, {"input": 1, "bogus": True}).code, "validation_failed")
        error = problem_of(parse_call_request, {"input": 1, "timeoutMs": 0})
        self.assertEqual(error.body["errors"][0]["path"], "/timeoutMs")


class HeaderAndQueryTests(unittest.TestCase):
    def test_prefer(self) -> None:
        self.assertEqual(parse_prefer(None).wait_seconds, None)
        self.assertTrue(parse_prefer("respond-async").respond_async)
        self.assertEqual(parse_prefer("wait=5").wait_seconds, 5)
        self.assertEqual(parse_prefer("respond-async, wait=600").wait_seconds, 60)
        self.assertEqual(parse_prefer("wait=soon").wait_seconds, None)

    def test_list_query(self) -> None:
        query = parse_list_query({"status": ["running"], "limit": ["5"]})
        self.assertEqual((query.status, query.limit, query.cursor), ("running", 5, None))
        for bad in ({"status": ["done"]}, {"limit": ["0"]}, {"limit": ["101"]}, {"limit": ["x"]}):
            with self.subTest(bad=bad):
                self.assertEqual(problem_of(parse_list_query, bad).code, "validation_failed")

    def test_heartbeat_ms(self) -> None:
        self.assertIsNone(parse_heartbeat_ms({}))
        self.assertEqual(parse_heartbeat_ms({"heartbeatMs": ["100"]}), 100)
        self.assertEqual(parse_heartbeat_ms({"heartbeatMs": ["60000"]}), 60000)
        self.assertEqual(parse_heartbeat_ms({"heartbeatMs": ["9000", "500"]}), 500)  # the last one, as for list queries
        for bad, message in (("99", "must be >= 100"), ("0", "must be >= 100"), ("-5", "must be >= 100"),
                             ("60001", "must be <= 60000"), ("1" * 15, "must be <= 60000"), ("1.5", "must be integer"),
                             ("", "must be integer"), ("fast", "must be integer"), ("1e3", "must be integer")):
            with self.subTest(bad=bad):
                problem = problem_of(parse_heartbeat_ms, {"heartbeatMs": [bad]})
                self.assertEqual((problem.status, problem.code), (400, "validation_failed"))
                self.assertEqual(problem.body["errors"], [{"path": "/heartbeatMs", "message": message}])

    def test_cursors_round_trip_and_reject_garbage(self) -> None:
        self.assertEqual(decode_cursor(encode_cursor(42)), 42)
        for bad in ("zzz", "!!", encode_cursor(1)[:-2] + "$$"):
            with self.subTest(bad=bad), self.assertRaises(BadCursor):
                decode_cursor(bad)


class JsonTests(unittest.TestCase):
    def test_strict_parsing(self) -> None:
        self.assertEqual(parse_json(b'{"a":[1,2.5]}', 64), {"a": [1, 2.5]})
        for bad in (b"NaN", b"[Infinity]", b"1e400", b"{", b"", b"\xff"):
            with self.subTest(bad=bad), self.assertRaises(JsonSyntaxError):
                parse_json(bad, 64)

    def test_bodies_must_be_utf8(self) -> None:
        # Decoded strictly, never with replacement characters: bad bytes are invalid JSON.
        self.assertEqual(parse_json('{"w":"grüße €"}'.encode(), 64), {"w": "grüße €"})
        bad_utf8 = [
            b'{"input":"\xff"}',  # never valid in UTF-8
            b'{"input":"\xc3"}',  # truncated two-byte sequence
            b'{"input":"\xc0\xaf"}',  # overlong encoding of "/"
            b'{"input":"\xed\xa0\x80"}',  # an encoded surrogate (CESU-8)
            b'{"input":"\xe2\x82"}',  # truncated three-byte sequence
            '{"input":"é"}'.encode("latin-1"),
            '{"input":1}'.encode("utf-16"),
        ]
        for bad in bad_utf8:
            with self.subTest(bad=bad), self.assertRaises(JsonSyntaxError):
                parse_json(bad, 64)

    def test_depth_limit(self) -> None:
        deepest_allowed = parse_json(b"[" * 64 + b"]" * 64, 64)
        self.assertIsInstance(deepest_allowed, list)
        with self.assertRaises(JsonTooDeep):
            parse_json(b"[" * 65 + b"]" * 65, 64)
        with self.assertRaises(JsonTooDeep):
            parse_json(b"[" * 100_000 + b"]" * 100_000, 64)

    def test_canonical_json_ignores_key_order_and_integral_floats(self) -> None:
        self.assertEqual(canonical_json({"b": 1, "a": [2.0]}), canonical_json({"a": [2], "b": 1}))
        self.assertNotEqual(canonical_json({"a": True}), canonical_json({"a": 1}))


if __name__ == "__main__":
    unittest.main()
