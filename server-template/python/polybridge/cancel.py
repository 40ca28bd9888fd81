"""Cancellation that reaches into worker processes.

A dismissed or timed-out job must really stop its running chunks, not just forget them.
The server owns a shared array of int64 "slots" that every worker process maps at start-up.
Each running job (or sync call) holds a slot with a unique token; workers compare the slot
with their token between items (a memory read, no IPC) and inside `interruptible_sleep`.
Cancelling writes 0 to the slot. Freed slots get new tokens, so a chunk of an old job that
starts late still sees that it was cancelled.

Functions that run long inside one item can call `check_cancelled()` or use
`interruptible_sleep()` to stop promptly too.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

DEFAULT_SLOTS = 4096
POLL_SECONDS = 0.01


class Cancelled(Exception):
    """Raised inside a worker when its job or call was cancelled."""


@dataclass(frozen=True)
class CancelToken:
    """Names one slot and the token that must still be in it for the work to go on."""

    slot: int
    token: int


class CancelBoard:
    """The server side: hands out slots and flips them to cancel."""

    def __init__(self, shared_array: Any) -> None:
        self.array = shared_array
        self._lock = threading.Lock()
        self._free = list(range(len(shared_array) - 1, -1, -1))
        self._next_token = 1

    @classmethod
    def create(cls, mp_context: Any, slots: int = DEFAULT_SLOTS) -> "CancelBoard":
        return cls(mp_context.RawArray("q", slots))

    def acquire(self) -> CancelToken | None:
        """A live token, or `None` when every slot is taken (the caller reports overload)."""
        with self._lock:
            if not self._free:
                return None
            slot = self._free.pop()
            token = self._next_token
            self._next_token += 1
            self.array[slot] = token
            return CancelToken(slot, token)

    def cancel(self, token: CancelToken) -> None:
        """Tells workers to stop; safe to call more than once."""
        with self._lock:
            if self.array[token.slot] == token.token:
                self.array[token.slot] = 0

    def release(self, token: CancelToken) -> None:
        """Cancels (stragglers stop) and returns the slot for reuse."""
        with self._lock:
            if self.array[token.slot] == token.token:
                self.array[token.slot] = 0
                self._free.append(token.slot)


# --- worker side -------------------------------------------------------------------------

_shared: Any = None
_current: CancelToken | None = None


def install(shared_array: Any) -> None:
    """Worker initializer: remember the shared array."""
    global _shared
    _shared = shared_array


@contextmanager
def running(token: CancelToken | None) -> Iterator[None]:
    """Marks the work the current worker is doing, so `cancelled()` can answer."""
    global _current
    previous, _current = _current, token
    try:
        yield
    finally:
        _current = previous


def cancelled() -> bool:
    """Whether the job or call this worker is running was cancelled (never, outside a worker)."""
    token = _current
    return token is not None and _shared is not None and _shared[token.slot] != token.token


def check_cancelled() -> None:
    """Raises `Cancelled` if the current work was cancelled; call it in long loops."""
    if cancelled():
        raise Cancelled("cancelled")


def interruptible_sleep(seconds: float) -> None:
    """`time.sleep` that wakes up within ~10 ms of a cancel and raises `Cancelled`."""
    deadline = time.monotonic() + max(0.0, seconds)
    while True:
        check_cancelled()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        time.sleep(min(remaining, POLL_SECONDS))
