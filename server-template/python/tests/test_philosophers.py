"""diningPhilosophers: the Chandy/Misra ring keeps its invariants, stops every thread, and can be cancelled."""

import json
import os
import threading
import time
import unittest
from typing import Any

import functions  # noqa: F401  (registers diningPhilosophers)
from polybridge.cancel import Cancelled
from polybridge.philosophers import INPUT_SCHEMA, ring_forks, run_ring
from polybridge.registry import REGISTRY
from polybridge.validator import validate
from tests.server_case import ServerTestCase


def ring_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("philosopher")]


def violations(n: int, meals: int, out: Any) -> list[str]:
    """What breaks the protocol's invariants (docs/PROTOCOL.md, diningPhilosophers) in `out`."""
    wrong = []
    if out["philosophers"] != n:
        wrong.append(f"philosophers {out['philosophers']}")
    if out["meals"] != [meals] * n:
        wrong.append(f"meals {out['meals'][:10]}")
    if out["maxNeighboursEating"] != 0:
        wrong.append(f"maxNeighboursEating {out['maxNeighboursEating']}")
    pairs = 1 if n == 2 else n
    if not isinstance(out["messages"], int) or out["messages"] < 2 * pairs:
        wrong.append(f"messages {out['messages']} < {2 * pairs}")
    log = out["log"]
    if len(log) != n * meals:
        wrong.append(f"{len(log)} log entries")
    if [entry[1] for entry in log] != sorted(entry[1] for entry in log):
        wrong.append("log not ordered by start")
    ticks = [t for _, start, end in log for t in (start, end)]
    if len(set(ticks)) != len(ticks) or any(start >= end for _, start, end in log):
        wrong.append("ticks not distinct or a meal ends before it starts")
    marks = sorted([(start, True, i) for i, start, _ in log] + [(end, False, i) for i, _, end in log])
    eating: set[int] = set()
    for _, starts, i in marks:
        if not starts:
            eating.discard(i)
            continue
        if i in eating or ({(i - 1) % n, (i + 1) % n} - {i}) & eating:
            wrong.append(f"philosopher {i} starts eating next to a neighbour or itself")
        eating.add(i)
    return wrong


class RingTests(unittest.TestCase):
    def test_forks_one_per_adjacent_pair(self) -> None:
        self.assertEqual(ring_forks(2), [(0, 1)])
        self.assertEqual(ring_forks(3), [(0, 1), (1, 2), (0, 2)])

    def test_invariants_hold_for_every_ring_size(self) -> None:
        for n, meals in ((2, 3), (3, 3), (5, 3), (64, 3), (1000, 1), (7, 40)):
            with self.subTest(n=n, meals=meals):
                out = run_ring(n, meals, seed=n)
                self.assertEqual(violations(n, meals, out), [])
                self.assertEqual(ring_threads(), [], "the ring left threads behind")

    def test_the_checker_sees_broken_logs(self) -> None:
        good = run_ring(3, 1)
        self.assertEqual(violations(3, 1, good), [])
        together = dict(good, log=[[0, 1, 4], [1, 2, 3], [2, 5, 6]])
        self.assertTrue(any("neighbour" in w for w in violations(3, 1, together)))
        self.assertTrue(violations(3, 1, dict(good, meals=[1, 0, 1])))

    def test_seeds_change_the_interleaving(self) -> None:
        logs = {json.dumps(run_ring(8, 5, seed=seed)["log"]) for seed in range(6)}
        self.assertGreater(len(logs), 1)

    def test_cancellation_stops_the_ring_and_its_threads(self) -> None:
        asked = time.monotonic() + 0.3
        started = time.monotonic()
        with self.assertRaises(Cancelled):
            run_ring(1000, 100, is_cancelled=lambda: time.monotonic() > asked)
        self.assertLess(time.monotonic() - started, 5.0)
        self.assertEqual(ring_threads(), [])

    def test_input_schema(self) -> None:
        spec = REGISTRY.get("diningPhilosophers")
        self.assertEqual((spec.kind, spec.input_schema), ("unary", INPUT_SCHEMA))
        self.assertEqual(validate({"philosophers": 2, "meals": 1, "seed": 0}, INPUT_SCHEMA), [])
        for value, pointer in (({"philosophers": 1, "meals": 1}, "/input/philosophers"),
                               ({"philosophers": 1001, "meals": 1}, "/input/philosophers"),
                               ({"philosophers": 3, "meals": 0}, "/input/meals"),
                               ({"philosophers": 3, "meals": 101}, "/input/meals"),
                               ({"philosophers": 3, "meals": 1, "seed": -1}, "/input/seed"),
                               ({"philosophers": 3.5, "meals": 1}, "/input/philosophers"),
                               ({"meals": 1}, "/input/philosophers"),
                               ({"philosophers": 3, "meals": 1, "forks": 3}, "/input/forks")):
            with self.subTest(value=value):
                self.assertEqual([e.path for e in validate(value, INPUT_SCHEMA, "/input")], [pointer])


class RingOverHttpTests(ServerTestCase):
    def test_a_call_on_a_worker(self) -> None:
        status, body = self.send_json("POST", "/v1/functions/diningPhilosophers/call",
                                    {"input": {"philosophers": 64, "meals": 3, "seed": 4}})
        self.assertEqual(status, 200, body)
        self.assertEqual(violations(64, 3, body["output"]), [])
        status, problem = self.send_json("POST", "/v1/functions/diningPhilosophers/call",
                                       {"input": {"philosophers": 3, "meals": 1, "forks": 3}})
        self.assertEqual((status, [e["path"] for e in problem["errors"]]), (400, ["/input/forks"]))

    def test_a_map_job_over_several_rings(self) -> None:
        rings = [{"philosophers": n, "meals": 3, "seed": n} for n in (2, 3, 5, 64)]
        status, job = self.send_json("POST", "/v1/jobs", {"kind": "map", "function": "diningPhilosophers",
                                                        "input": {"items": rings}, "options": {"chunkSize": 1}},
                                   {"Prefer": "wait=30"})
        self.assertEqual((status, job["status"]), (200, "successful"), job)
        self.assertEqual(job["progress"], {"completedChunks": 4, "totalChunks": 4, "completedItems": 4, "totalItems": 4})
        for ring, out in zip(rings, job["result"]["items"]):
            self.assertEqual(violations(ring["philosophers"], 3, out), [])

    def test_a_cancelled_ring_frees_its_worker(self) -> None:
        status, job = self.send_json("POST", "/v1/jobs", {"kind": "map", "function": "diningPhilosophers",
                                                        "input": {"items": [{"philosophers": 1000, "meals": 100}] * 2}})
        self.assertEqual(status, 202)
        time.sleep(0.5)
        status, cancelled = self.send_json("DELETE", f"/v1/jobs/{job['id']}")
        self.assertEqual((status, cancelled["status"]), (200, "dismissed"))
        # Both workers were busy with a ring; once cancelled they take new work at once.
        started = time.monotonic()
        status, body = self.send_json("POST", "/v1/functions/square/call", {"input": 3, "timeoutMs": 5000})
        self.assertEqual((status, body.get("output")), (200, 9), body)
        self.assertLess(time.monotonic() - started, 5.0)  # uncancelled, the rings would run for a minute


class WorkerThreadTests(ServerTestCase):
    """On a server of its own, so no other test's ring is still stopping in a worker."""

    @unittest.skipUnless(os.path.isdir("/proc/self/task"), "counts threads through /proc (Linux)")
    def test_the_worker_processes_keep_no_ring_threads(self) -> None:
        def worker_threads() -> dict[int, int]:
            pids = list(getattr(self.server.pool._executor, "_processes", {}))
            return {pid: len(os.listdir(f"/proc/{pid}/task")) for pid in pids}

        before = worker_threads()
        self.assertEqual(len(before), 2)
        status, body = self.send_json("POST", "/v1/functions/diningPhilosophers/call",
                                      {"input": {"philosophers": 1000, "meals": 1, "seed": 3}})
        self.assertEqual(status, 200, body)
        self.assertEqual(violations(1000, 1, body["output"]), [])
        self.assertEqual(worker_threads(), before)  # 1,001 threads came and went


if __name__ == "__main__":
    unittest.main()
