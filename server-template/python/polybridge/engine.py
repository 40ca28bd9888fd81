"""The job engine: admission, scheduling chunks on the worker pool, progress, cancel, timeouts.

One dispatcher thread owns the scheduling loop. Pool futures report back by putting a message
in its inbox (never by running engine code on the executor's own thread), and the loop wakes
up at the nearest job deadline to enforce `timeoutMs`. HTTP threads read and change jobs under
`self.lock`; `self.changed` is notified on every change so `Prefer: wait` and SSE streams wake.
"""

from __future__ import annotations

import itertools
import queue
import secrets
import threading
import time
from collections import deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Optional

from .chunking import IntRange, chunk_bounds, chunk_count, chunk_items
from .events import Event
from .jobs import Job, utc_now
from .pool import WorkerPool
from .problems import ProblemError, problem, validation_failed
from .protocol import FUNCTION_KIND_FOR_JOB, JobRequest, effective_options
from .registry import FunctionSpec, Registry
from .results import NonFiniteMerge, ResultBuilder
from .store import DEFAULT_MAX_STORED, JobStore
from .validator import validate
from .worker import CallOutcome, ChunkCancelled, ChunkDone, ChunkTask, ItemFailed, run_call, run_chunk

MAX_CHUNK_ATTEMPTS = 3  # a chunk whose worker died is re-run at most this many times in all


@dataclass(frozen=True)
class EngineLimits:
    max_running_jobs: int = 16
    max_queued_jobs: int = 1000
    max_stored_jobs: int = DEFAULT_MAX_STORED


@dataclass(frozen=True)
class _ChunkFinished:
    job_id: str
    chunk: int
    generation: int
    future: "Future[Any]"


_WAKE = object()
_STOP = object()


def _kind_mismatch(path: str, message: str) -> ProblemError:
    """`400 function_kind_mismatch`, pointing at the member that names the wrong function."""
    return ProblemError("function_kind_mismatch", message, errors=[{"path": path, "message": message}])


class Engine:
    def __init__(self, registry: Registry, pool: WorkerPool, limits: EngineLimits = EngineLimits()) -> None:
        self.registry = registry
        self.pool = pool
        self.limits = limits
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.store = JobStore(limits.max_stored_jobs)
        self.draining = False
        self._queue: deque[Job] = deque()
        self._running: dict[str, Job] = {}
        self._inbox: "queue.Queue[Any]" = queue.Queue()
        self._seq = itertools.count(1)
        self._thread = threading.Thread(target=self._loop, name="polybridge-engine", daemon=True)

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Dismisses whatever still runs and stops the dispatcher (the pool is the caller's)."""
        with self.lock:
            for job in list(self._running.values()) + list(self._queue):
                self._dismiss(job)
        self._inbox.put(_STOP)
        self._thread.join(5.0)

    def drain(self, grace_s: float) -> bool:
        """Refuses new work, then waits up to `grace_s` for queued and running jobs to end.

        Returns whether everything finished in time; the rest is dismissed by `stop()`.
        """
        deadline = time.monotonic() + grace_s
        with self.changed:
            self.draining = True
            self.changed.notify_all()
            while self._running or self._queue:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.changed.wait(remaining)
        return True

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {"queued": len(self._queue), "running": len(self._running), "stored": len(self.store)}

    # --- functions -----------------------------------------------------------------------

    def function(self, name: str) -> FunctionSpec:
        spec = self.registry.get(name)
        if spec is None:
            raise ProblemError("function_not_found", f"No function '{name}'.")
        return spec

    def call(self, spec: FunctionSpec, value: Any, timeout_ms: int) -> CallOutcome:
        """Runs one call on a worker; raises `call_timeout` past `timeout_ms` (and cancels it)."""
        if self.draining:
            raise ProblemError("shutting_down", "The server is shutting down.", headers={"Retry-After": "1"}, retryAfterSeconds=1)
        for _attempt in range(2):
            token = self.pool.board.acquire()
            if token is None:
                raise ProblemError("queue_full", "Too much work in flight.", headers={"Retry-After": "1"}, retryAfterSeconds=1)
            generation = self.pool.generation
            try:
                future, generation = self.pool.submit(run_call, spec.name, value, token)
                outcome: CallOutcome = future.result(timeout=timeout_ms / 1000.0)
                return outcome
            except FutureTimeout:
                future.cancel()
                raise ProblemError("call_timeout", f"{spec.name} did not finish within {timeout_ms} ms") from None
            except BrokenProcessPool:
                self.pool.replace_broken(generation)
            finally:
                self.pool.board.release(token)
        raise ProblemError("internal_error", f"The worker running {spec.name} crashed.")

    # --- submission ----------------------------------------------------------------------

    def submit(self, request: JobRequest, idempotency_key: Optional[str] = None,
               fingerprint: Optional[str] = None, tenant: str = "") -> tuple[Job, bool]:
        """Admits a job for `tenant`; returns it and whether it replays an earlier submission.

        Idempotency keys are looked up within the tenant: the same key from two tokens names
        two independent jobs.
        """
        function, reducer = self._resolve(request)
        with self.changed:
            if idempotency_key is not None:
                earlier = self.store.by_key(idempotency_key, tenant)
                if earlier is not None:
                    if earlier[0] != fingerprint:
                        raise ProblemError("idempotency_key_conflict",
                                           f"Idempotency-Key '{idempotency_key}' was first used with a different body.")
                    return earlier[1], True
            if self.draining:
                raise ProblemError("shutting_down", "The server is shutting down; no new jobs.",
                                   headers={"Retry-After": "1"}, retryAfterSeconds=1)
            if len(self._queue) >= self.limits.max_queued_jobs:
                raise ProblemError("queue_full", f"{len(self._queue)} jobs are waiting.",
                                   headers={"Retry-After": "1"}, retryAfterSeconds=1)
            job = self._new_job(request, function, reducer, idempotency_key, tenant)
            self.store.add(job, fingerprint)
            job.events.append("status", job.to_json())
            self._queue.append(job)
            self._start_queued()
            self.changed.notify_all()
            return job, False

    def _resolve(self, request: JobRequest) -> tuple[FunctionSpec, Optional[FunctionSpec]]:
        function = self.function(request.function)
        needed = FUNCTION_KIND_FOR_JOB[request.kind]
        if function.kind != needed:
            raise _kind_mismatch("/function", f"A {request.kind} job needs a {needed} function; "
                                              f"'{function.name}' is a {function.kind}.")
        reducer: Optional[FunctionSpec] = None
        if request.kind == "mapreduce":
            reducer = self.function(request.reducer or "")
            if reducer.kind != "reducer":
                raise _kind_mismatch("/reducer", f"A mapreduce job needs a reducer; '{reducer.name}' is a {reducer.kind}.")
        if isinstance(request.items, IntRange) and len(request.items) > 0:
            errors = validate(request.items.start, function.input_schema, "/input/range/start")
            if errors:
                raise validation_failed(errors)
        return function, reducer

    def _new_job(self, request: JobRequest, function: FunctionSpec, reducer: Optional[FunctionSpec],
                 key: Optional[str], tenant: str) -> Job:
        total = request.total
        options = effective_options(request.options, total, self.pool.workers)
        folding = function if request.kind == "fold" else reducer
        return Job(
            id=f"job_{secrets.token_hex(8)}",
            seq=next(self._seq),
            kind=request.kind,
            function=request.function,
            reducer=request.reducer if request.kind == "mapreduce" else None,
            options=options,
            total_items=total,
            total_chunks=chunk_count(total, options["chunkSize"]),
            items=request.items,
            builder=ResultBuilder(request.kind, folding),
            idempotency_key=key,
            tenant=tenant,
        )

    # --- reads ---------------------------------------------------------------------------

    def get(self, job_id: str, tenant: str = "") -> Job:
        """The job, if it exists and belongs to `tenant`; another tenant's job is "not found"

        (not 403), so a caller cannot even learn that an id is in use.
        """
        job = self.store.get(job_id)
        if job is None or job.tenant != tenant:
            raise ProblemError("job_not_found", f"No job '{job_id}'.", jobId=job_id)
        return job

    def wait(self, job: Job, timeout_s: float) -> None:
        """Blocks until the job is terminal or `timeout_s` passed (for `Prefer: wait=N`)."""
        with self.changed:
            self.changed.wait_for(lambda: job.terminal, timeout_s)

    def events_after(self, job: Job, last_id: int, timeout_s: float) -> tuple[list[Event], bool]:
        """Logged events after `last_id`, waiting up to `timeout_s` for some; and whether the log is closed."""
        with self.changed:
            self.changed.wait_for(lambda: job.events.last_id > last_id or job.events.closed, timeout_s)
            return job.events.after(last_id), job.events.closed

    def cancel(self, job_id: str, tenant: str = "") -> Job:
        with self.changed:
            job = self.get(job_id, tenant)
            if job.status in ("successful", "failed"):
                raise ProblemError("job_already_finished", f"Job '{job_id}' already finished ({job.status}).", jobId=job_id)
            if job.status != "dismissed":
                self._dismiss(job)
        self._inbox.put(_WAKE)
        return job

    # --- scheduling (callers hold the lock) ----------------------------------------------

    def _start_queued(self) -> None:
        while self._queue and len(self._running) < self.limits.max_running_jobs:
            token = self.pool.board.acquire()
            if token is None:
                return  # every cancel slot is busy; retry when something finishes
            job = self._queue.popleft()
            job.cancel_token = token
            job.start_clock()
            self._running[job.id] = job
            self._inbox.put(_WAKE)  # the dispatcher must now also watch this job's deadline
            job.events.append("status", job.to_json())
            if job.total_chunks == 0:
                self._succeed(job)
            else:
                self._fill(job)
            self.changed.notify_all()

    def _in_flight_cap(self, job: Job) -> int:
        # `concurrency` bounds a job's chunks in flight; more than the workers (plus one
        # queued so no worker idles) would only lengthen the pool's queue for everyone.
        return max(1, min(job.options["concurrency"], self.pool.workers + 1))

    def _fill(self, job: Job) -> None:
        limit = self._failed_chunk(job)  # once an item failed, only earlier chunks still matter
        retry = [i for i, n in job.attempts.items()
                 if n > 0 and i not in job.in_flight and not job.builder.has(i) and (limit is None or i < limit)]
        while len(job.in_flight) < self._in_flight_cap(job):
            if retry:
                index = retry.pop()
            elif limit is None and job.next_chunk < job.total_chunks:
                index = job.next_chunk
                job.next_chunk += 1
            else:
                return
            self._submit_chunk(job, index)

    def _submit_chunk(self, job: Job, index: int) -> None:
        assert job.items is not None
        offset, count = chunk_bounds(index, job.total_items, job.options["chunkSize"])
        task = ChunkTask(job.kind, job.function, job.reducer, chunk_items(job.items, offset, count), offset, job.cancel_token)
        try:
            future, generation = self.pool.submit(run_chunk, task)
        except BrokenProcessPool:
            self.pool.replace_broken(self.pool.generation)
            future, generation = self.pool.submit(run_chunk, task)
        job.in_flight[index] = future
        future.add_done_callback(lambda f: self._inbox.put(_ChunkFinished(job.id, index, generation, f)))

    def _loop(self) -> None:
        while True:
            try:
                message = self._inbox.get(timeout=self._next_deadline_in())
            except queue.Empty:
                message = None
            if message is _STOP:
                return
            with self.changed:
                try:
                    if isinstance(message, _ChunkFinished):
                        self._on_chunk(message)
                    self._expire()
                    self._start_queued()
                except Exception as exc:  # keep the dispatcher alive; fail what we were handling
                    if isinstance(message, _ChunkFinished):
                        job = self._running.get(message.job_id)
                        if job is not None:
                            self._fail(job, problem("internal_error", f"{type(exc).__name__}: {exc}", jobId=job.id))
                self.changed.notify_all()

    def _next_deadline_in(self) -> float:
        with self.lock:
            deadlines = [j.deadline for j in self._running.values() if j.deadline is not None]
        if not deadlines:
            return 1.0
        return min(1.0, max(0.0, min(deadlines) - time.monotonic()))

    def _expire(self) -> None:
        now = time.monotonic()
        for job in list(self._running.values()):
            if job.deadline is not None and now >= job.deadline:
                self._fail(job, problem("job_timeout", f"The job did not finish within {job.options['timeoutMs']} ms.", jobId=job.id))

    def _on_chunk(self, message: _ChunkFinished) -> None:
        job = self._running.get(message.job_id)
        if job is None or job.in_flight.get(message.chunk) is not message.future:
            return  # the job ended, or this is a stale attempt
        del job.in_flight[message.chunk]
        future = message.future
        if future.cancelled():
            return
        error = future.exception()
        if isinstance(error, BrokenProcessPool):
            self.pool.replace_broken(message.generation)
            job.attempts[message.chunk] = job.attempts.get(message.chunk, 0) + 1
            if job.attempts[message.chunk] >= MAX_CHUNK_ATTEMPTS:
                self._fail(job, problem("worker_crashed", f"A worker died {MAX_CHUNK_ATTEMPTS} times running chunk {message.chunk}.", jobId=job.id))
            elif job.pending_failure is not None:
                self._settle_failure(job)
            else:
                self._fill(job)
            return
        if error is not None:
            self._fail(job, problem("worker_crashed", f"Chunk {message.chunk} failed: {type(error).__name__}: {error}", jobId=job.id))
            return
        outcome = future.result()
        if isinstance(outcome, ItemFailed):
            pending = job.pending_failure
            if pending is None or outcome.index < pending["itemIndex"]:
                job.pending_failure = problem("item_failed", outcome.message, itemIndex=outcome.index, jobId=job.id)
            self._settle_failure(job)
        elif isinstance(outcome, ChunkCancelled):
            self._fail(job, problem("worker_crashed", f"Chunk {message.chunk} stopped unexpectedly.", jobId=job.id))
        elif isinstance(outcome, ChunkDone):
            job.builder.add(message.chunk, outcome.value)
            job.attempts.pop(message.chunk, None)
            job.completed_chunks += 1
            job.completed_items += outcome.count
            job.events.append("progress", {"jobId": job.id, "progress": job.progress()})
            if job.pending_failure is not None:
                self._settle_failure(job)
            elif job.completed_chunks == job.total_chunks:
                self._succeed(job)
            else:
                self._fill(job)

    @staticmethod
    def _failed_chunk(job: Job) -> Optional[int]:
        if job.pending_failure is None:
            return None
        return int(job.pending_failure["itemIndex"]) // job.options["chunkSize"]

    def _settle_failure(self, job: Job) -> None:
        """Fails the job with its lowest failing item once no earlier chunk is still running.

        Chunks start in input order, so when every chunk before the failing one has finished
        (or is re-run after a crash and finishes), no lower index can fail any more: the
        reported `itemIndex` is the first failing item of the input, whatever the timing.
        """
        limit = self._failed_chunk(job)
        assert limit is not None
        for index, future in list(job.in_flight.items()):
            if index > limit and future.cancel():  # later chunks cannot change the answer
                del job.in_flight[index]
        self._fill(job)  # re-runs of earlier chunks whose worker died
        waiting = [i for i in job.in_flight if i < limit]
        waiting += [i for i, n in job.attempts.items() if n > 0 and i < limit and not job.builder.has(i)]
        if not waiting:
            self._fail(job, job.pending_failure)

    # --- endings ---------------------------------------------------------------------------

    def _succeed(self, job: Job) -> None:
        try:
            result = job.builder.build()
        except NonFiniteMerge as exc:
            first_item = exc.chunk * job.options["chunkSize"]
            self._fail(job, problem("item_failed", str(exc), itemIndex=first_item, jobId=job.id))
            return
        except Exception as exc:  # a user `combine` raised
            self._fail(job, problem("item_failed", f"Combining partial results failed: {exc}", jobId=job.id))
            return
        job.result = result
        self._end(job, "successful")
        job.events.append("result", result)
        self._close(job)

    def _fail(self, job: Job, error: dict[str, Any]) -> None:
        job.error = error
        self._end(job, "failed")
        job.events.append("error", error)
        self._close(job)

    def _dismiss(self, job: Job) -> None:
        if job in self._queue:
            self._queue.remove(job)
        self._end(job, "dismissed")
        job.events.append("error", problem("job_cancelled", f"Job '{job.id}' was cancelled.", jobId=job.id))
        self._close(job)

    def _end(self, job: Job, status: str) -> None:
        job.status = status
        job.finished_at = utc_now()
        for future in job.in_flight.values():
            future.cancel()
        job.in_flight.clear()
        if job.cancel_token is not None:
            self.pool.board.release(job.cancel_token)  # running chunks see this and stop
        self._running.pop(job.id, None)
        job.items = None
        job.deadline = None

    def _close(self, job: Job) -> None:
        job.events.append("status", job.to_json())
        job.events.close()
        self.changed.notify_all()

