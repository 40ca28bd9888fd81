"""The job engine on a real worker pool: every job kind, ranges, failures, cancel, timeouts."""

import tempfile
import time
import unittest
from pathlib import Path

import functions  # noqa: F401 — registers the conformance functions
from polybridge.engine import Engine, EngineLimits
from polybridge.jobs import Job
from polybridge.pool import WorkerPool
from polybridge.problems import ProblemError
from polybridge.protocol import parse_job_request
from polybridge.registry import REGISTRY
from polybridge.results import ResultBuilder, entry_sort_key


def job_body(kind, function, input, reducer=None, **options):
    body = {"kind": kind, "function": function, "input": input}
    if reducer:
        body["reducer"] = reducer
    if options:
        body["options"] = options
    return body


class EngineTests(unittest.TestCase):
    pool: WorkerPool
    engine: Engine

    @classmethod
    def setUpClass(cls) -> None:
        cls.pool = WorkerPool(2)
        cls.pool.start()
        cls.engine = Engine(REGISTRY, cls.pool, EngineLimits(max_running_jobs=4, max_queued_jobs=2))
        cls.engine.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.engine.stop()
        cls.pool.shutdown()

    def run_job(self, body, timeout_s: float = 20.0) -> Job:
        job, replayed = self.engine.submit(parse_job_request(body))
        self.assertFalse(replayed)
        self.engine.wait(job, timeout_s)
        self.assertTrue(job.terminal, f"job still {job.status}")
        return job

    def test_map_keeps_input_order(self) -> None:
        job = self.run_job(job_body("map", "square", {"items": list(range(50))}, chunkSize=3))
        self.assertEqual(job.status, "successful")
        self.assertEqual(job.result, {"kind": "map", "items": [x * x for x in range(50)]})
        self.assertEqual(job.progress(), {"completedChunks": 17, "totalChunks": 17, "completedItems": 50, "totalItems": 50})

    def test_filter_over_a_negative_range(self) -> None:
        job = self.run_job(job_body("filter", "isEven", {"range": {"start": 10, "end": -1, "step": -1}}, chunkSize=4))
        self.assertEqual(job.result, {"kind": "filter", "items": [10, 8, 6, 4, 2, 0]})

    def test_filter_needs_a_boolean_output(self) -> None:
        job = self.run_job(job_body("filter", "square", {"items": [1, 2]}))
        self.assertEqual((job.status, job.error["code"], job.error["itemIndex"]), ("failed", "item_failed", 0))
        self.assertIn("not a boolean", job.error["detail"])

    def test_fold_range_and_empty_fold(self) -> None:
        job = self.run_job(job_body("fold", "sum", {"range": {"start": 1, "end": 101}}, chunkSize=7))
        self.assertEqual(job.result, {"kind": "fold", "value": 5050})
        empty = self.run_job(job_body("fold", "sum", {"items": []}))
        self.assertEqual((empty.status, empty.result), ("successful", {"kind": "fold", "value": 0}))
        self.assertEqual(empty.total_chunks, 0)

    def test_mapreduce_merges_keys_across_chunks_sorted(self) -> None:
        job = self.run_job(job_body("mapreduce", "tokenize", {"items": ["b a", "A c", "b", "Zeta 2", "10 2"]},
                                    reducer="sum", chunkSize=2))
        self.assertEqual(job.result["entries"], [["10", 1], ["2", 2], ["a", 2], ["b", 2], ["c", 1], ["zeta", 1]])

    def test_first_item_error_fails_the_job_with_its_index(self) -> None:
        job = self.run_job(job_body("map", "fail", {"items": [1, 2, 3, "x", 5]}, chunkSize=2))
        self.assertEqual(job.status, "failed")
        self.assertEqual((job.error["code"], job.error["itemIndex"], job.error["detail"]), ("item_failed", 3, 'fail: "x"'))

    def test_the_lowest_failing_index_wins_whatever_the_timing(self) -> None:
        for _ in range(3):  # items 1, 2 and 3 fail in parallel chunks
            job = self.run_job(job_body("map", "fail", {"items": [0, -1, -2, -3, 4]}, chunkSize=1, concurrency=4))
            self.assertEqual((job.error["itemIndex"], job.error["detail"]), (1, "fail: -1"))
        # Chunk 0 sleeps 300 ms before its item 1 fails; chunk 1 fails at item 2 at once.
        job = self.run_job(job_body("map", "sleep", {"items": [300, -1, -2, -3]}, chunkSize=2, concurrency=2))
        self.assertEqual(job.error["itemIndex"], 1)

    def test_invalid_item_fails_the_job(self) -> None:
        job = self.run_job(job_body("map", "isEven", {"items": [2, 4, 1.5]}))
        self.assertEqual((job.error["code"], job.error["itemIndex"]), ("item_failed", 2))

    def test_kind_mismatch_unknown_function_and_range_start(self) -> None:
        for body, code, path in [
            (job_body("fold", "square", {"items": [1]}), "function_kind_mismatch", "/function"),
            (job_body("map", "sum", {"items": [1]}), "function_kind_mismatch", "/function"),
            (job_body("mapreduce", "square", {"items": []}, reducer="sum"), "function_kind_mismatch", "/function"),
            (job_body("mapreduce", "tokenize", {"items": []}, reducer="square"), "function_kind_mismatch", "/reducer"),
            (job_body("map", "nope", {"items": [1]}), "function_not_found", None),
            (job_body("mapreduce", "tokenize", {"items": []}, reducer="nope"), "function_not_found", None),
            (job_body("map", "sleep", {"range": {"start": -5, "end": 5}}), "validation_failed", "/input/range/start"),
        ]:
            with self.subTest(code=code, body=body), self.assertRaises(ProblemError) as raised:
                self.engine.submit(parse_job_request(body))
            self.assertEqual(raised.exception.code, code)
            # The member that names the wrong function, as a JSON Pointer (the same on every stack).
            self.assertEqual([e["path"] for e in raised.exception.body.get("errors", [])], [path] if path else [])
            if path == "/function" or path == "/reducer":
                self.assertIsInstance(raised.exception.body["errors"][0]["message"], str)

    def test_cancel_stops_running_chunks(self) -> None:
        job, _ = self.engine.submit(parse_job_request(job_body("map", "sleep", {"items": [5000] * 4}, chunkSize=1)))
        time.sleep(0.3)
        started = time.monotonic()
        self.engine.cancel(job.id)
        self.assertEqual(job.status, "dismissed")
        self.assertEqual(self.engine.cancel(job.id).status, "dismissed")  # again: harmless
        # Both workers must be free again long before the 5 s sleeps would have ended.
        probe = self.run_job(job_body("map", "square", {"items": [1, 2]}, chunkSize=1))
        self.assertEqual(probe.status, "successful")
        self.assertLess(time.monotonic() - started, 2.0)
        with self.assertRaises(ProblemError) as raised:
            self.engine.cancel(probe.id)
        self.assertEqual(raised.exception.code, "job_already_finished")

    def test_timeout_fails_the_job_promptly(self) -> None:
        started = time.monotonic()
        job = self.run_job(job_body("map", "sleep", {"items": [5000, 5000]}, timeoutMs=200))
        self.assertEqual(job.error["code"], "job_timeout")
        self.assertLess(time.monotonic() - started, 2.0)

    def test_event_log_order(self) -> None:
        job = self.run_job(job_body("map", "square", {"items": [1, 2, 3]}, chunkSize=1))
        names = [e.name for e in job.events.after(0)]
        self.assertEqual(names, ["status", "status", "progress", "progress", "progress", "result", "status"])
        self.assertEqual([e.id for e in job.events.after(5)], [6, 7])
        self.assertTrue(job.events.closed)

    def test_idempotency_replay_and_conflict(self) -> None:
        body = job_body("map", "square", {"items": [3]})
        first, _ = self.engine.submit(parse_job_request(body), "key-1", "fp-a")
        again, replayed = self.engine.submit(parse_job_request(body), "key-1", "fp-a")
        self.assertTrue(replayed)
        self.assertIs(again, first)
        with self.assertRaises(ProblemError) as raised:
            self.engine.submit(parse_job_request(body), "key-1", "fp-b")
        self.assertEqual(raised.exception.code, "idempotency_key_conflict")

    def test_sync_call_and_call_timeout(self) -> None:
        self.assertEqual(self.engine.call(REGISTRY.get("square"), 12, 5000).output, 144)
        outcome = self.engine.call(REGISTRY.get("fail"), -1, 5000)
        self.assertEqual((outcome.ok, outcome.message), (False, "fail: -1"))
        with self.assertRaises(ProblemError) as raised:
            self.engine.call(REGISTRY.get("sleep"), 3000, 100)
        self.assertEqual(raised.exception.code, "call_timeout")

    def test_queue_full_when_every_running_and_queued_slot_is_taken(self) -> None:
        body = job_body("map", "sleep", {"items": [3000]})
        held = [self.engine.submit(parse_job_request(body))[0] for _ in range(6)]  # 4 running + 2 queued
        try:
            self.assertEqual(self.engine.counts()["queued"], 2)
            with self.assertRaises(ProblemError) as raised:
                self.engine.submit(parse_job_request(body))
            self.assertEqual((raised.exception.code, raised.exception.headers["Retry-After"]), ("queue_full", "1"))
        finally:
            for job in held:
                self.engine.cancel(job.id)
        self.assertEqual(self.engine.counts()["queued"], 0)


class WorkerCrashTests(unittest.TestCase):
    def setUp(self) -> None:
        import tests.crashing_functions  # noqa: F401 — registers crashOnce/crashAlways here too
        self.pool = WorkerPool(1, functions_module="tests.crashing_functions")
        self.pool.start()
        self.engine = Engine(REGISTRY, self.pool)
        self.engine.start()

    def tearDown(self) -> None:
        self.engine.stop()
        self.pool.shutdown()

    def run_job(self, body) -> Job:
        job, _ = self.engine.submit(parse_job_request(body))
        self.engine.wait(job, 20)
        return job

    def test_a_chunk_whose_worker_died_is_run_again(self) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            marker = str(Path(scratch) / "crashed")
            job = self.run_job(job_body("map", "crashOnce", {"items": [{"marker": marker}]}))
            self.assertEqual((job.status, job.result), ("successful", {"kind": "map", "items": [True]}))
            self.assertGreaterEqual(self.pool.generation, 1)

    def test_a_chunk_that_always_kills_its_worker_fails_the_job(self) -> None:
        job = self.run_job(job_body("map", "crashAlways", {"items": [1]}))
        self.assertEqual((job.status, job.error["code"]), ("failed", "worker_crashed"))
        self.assertEqual(self.engine.call(REGISTRY.get("echo"), "still alive", 5000).output, "still alive")


class ResultTests(unittest.TestCase):
    def test_entries_sort_numbers_first_then_strings_by_utf16(self) -> None:
        keys = ["b", "\U0001F600", "\uFF21", 10, "B", 2.5, -1, "a"]
        ordered = sorted(keys, key=entry_sort_key)
        # U+1F600 is a surrogate pair (0xD83D…) and sorts before U+FF21 in UTF-16, unlike in code points.
        self.assertEqual(ordered, [-1, 2.5, 10, "B", "a", "b", "\U0001F600", "\uFF21"])

    def test_chunks_are_assembled_in_chunk_order(self) -> None:
        builder = ResultBuilder("map", None)
        builder.add(1, [3, 4])
        builder.add(0, [1, 2])
        self.assertEqual(builder.build(), {"kind": "map", "items": [1, 2, 3, 4]})
        summing = ResultBuilder("mapreduce", REGISTRY.get("sum"))
        summing.add(1, [["a", 2], [1.0, 1]])
        summing.add(0, [[1, 5], ["a", 1]])
        self.assertEqual(summing.build(), {"kind": "mapreduce", "entries": [[1, 6], ["a", 3]]})


if __name__ == "__main__":
    unittest.main()
