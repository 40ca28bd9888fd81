"""The worker processes: a `ProcessPoolExecutor` that can be warmed, replaced and stopped.

Workers start through `forkserver` (or `spawn`) rather than `fork`: the server is threaded,
and forking a threaded process can copy a held lock into the child. When a worker dies the
executor is "broken" for good, so the pool replaces it (once per breakage, tracked by a
generation number) and the engine re-runs the lost chunks.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable

from .cancel import DEFAULT_SLOTS, CancelBoard
from .worker import init_worker, warm_up


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class WorkerPool:
    def __init__(self, workers: int, functions_module: str = "functions", cancel_slots: int = DEFAULT_SLOTS) -> None:
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.workers = workers
        self.functions_module = functions_module
        self._context = _context()
        if self._context.get_start_method() == "forkserver":
            self._context.set_forkserver_preload(["__main__", "polybridge.worker", functions_module])
        self.board = CancelBoard.create(self._context, cancel_slots)
        self._lock = threading.Lock()
        self.generation = 0
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=init_worker,
            initargs=(self.board.array, self.functions_module),
        )

    def start(self, timeout_s: float = 60.0) -> None:
        """Starts every worker process (and imports the functions there) before serving."""
        futures = [self._executor.submit(warm_up) for _ in range(self.workers)]
        for future in futures:
            future.result(timeout=timeout_s)

    def submit(self, fn: Callable[..., Any], *args: Any) -> tuple["Future[Any]", int]:
        """Queues `fn(*args)` on a worker; returns the future and the pool generation it ran in."""
        with self._lock:
            return self._executor.submit(fn, *args), self.generation

    def replace_broken(self, generation: int) -> None:
        """Replaces the executor after a worker died, unless that was already done."""
        with self._lock:
            if generation != self.generation:
                return
            old = self._executor
            self._executor = self._new_executor()
            self.generation += 1
        old.shutdown(wait=False, cancel_futures=True)

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Stops the workers; any that do not exit within `timeout_s` are terminated."""
        with self._lock:
            executor = self._executor
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + timeout_s
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(1.0)
