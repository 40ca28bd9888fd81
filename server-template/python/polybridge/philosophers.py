"""The Chandy/Misra dining philosophers ring, as threads that only talk through `queue.Queue` mailboxes.

This is the seed's Erlang program, in Python: every philosopher is an actor (a thread) that owns
its forks' state and learns everything from messages, never from shared memory:

- one fork per adjacent pair {i, i+1 mod N} (a ring of two has one pair, so one fork);
- a fork is clean or dirty; at the start every fork is dirty and held by the lower-numbered
  philosopher of its pair, and the other one holds the pair's request token;
- a hungry philosopher sends the token for each fork it lacks; a philosopher asked for a dirty
  fork while not eating cleans it and sends it (keeping the token to ask it back); a clean fork
  is kept until its holder has eaten; eating dirties both forks.

A monitor actor keeps one tick counter, bumped on every eat-start and eat-end it receives. A
philosopher reports eat-start once it holds its forks, then reports eat-end and waits for the
monitor's acknowledgement before it sends any fork, so the monitor's log is causally exact: two
neighbours seen eating at once would be a real violation, not a race in the bookkeeping.

`run_ring` is what the `diningPhilosophers` conformance function calls inside a worker process.
It honours cancellation (a dismissed job or a call past its timeout stops the ring within
~10 ms) and always stops and joins every thread it started.

    run_ring(5, meals=3, seed=1)["maxNeighboursEating"]   # 0
"""

from __future__ import annotations

import queue
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .cancel import Cancelled, cancelled

# Think and eat for "a few scheduler yields or sub-millisecond waits": long enough for real
# interleavings, short enough that 1,000 philosophers finish well within a call's timeout.
MAX_PAUSE_S = 0.0002
POLL_S = 0.01  # how often the coordinating thread looks for a cancel
JOIN_TIMEOUT_S = 10.0

INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["philosophers", "meals"],
    "additionalProperties": False,
    "properties": {
        "philosophers": {"type": "integer", "minimum": 2, "maximum": 1000},
        "meals": {"type": "integer", "minimum": 1, "maximum": 100},
        "seed": {"type": "integer", "minimum": 0},
    },
}

OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["philosophers", "meals", "messages", "log", "maxNeighboursEating"],
    "additionalProperties": False,
    "properties": {
        "philosophers": {"type": "integer"},
        "meals": {"type": "array", "items": {"type": "integer"}},
        "messages": {"type": "integer", "minimum": 0},
        "log": {"type": "array", "items": {"type": "array", "minItems": 3, "maxItems": 3,
                                           "prefixItems": [{"type": "integer"}] * 3}},  # [philosopher, start, end]
        "maxNeighboursEating": {"type": "integer", "minimum": 0},
    },
}

# Messages. Between neighbours: ("request", fork) and ("fork", fork). To the monitor:
# ("start", i) and ("end", i). From the monitor: ("ack",). From the coordinator: ("stop",).
_STOP = ("stop",)
_ACK = ("ack",)


class _Stopped(Exception):
    """A philosopher's mailbox said stop (the ring finished or was cancelled)."""


def ring_forks(n: int) -> list[tuple[int, int]]:
    """The forks as (lower, higher) philosopher pairs: fork k lies between k and k+1 mod n."""
    if n == 2:
        return [(0, 1)]
    return [(min(k, (k + 1) % n), max(k, (k + 1) % n)) for k in range(n)]


@dataclass
class _Fork:
    neighbour: int  # the other philosopher of the pair
    held: bool
    dirty: bool
    token: bool  # this philosopher holds the pair's request token


@dataclass
class _Philosopher:
    index: int
    meals: int
    inbox: "queue.Queue[tuple[Any, ...]]"
    mailboxes: list["queue.Queue[tuple[Any, ...]]"]
    monitor: "queue.Queue[tuple[Any, ...]]"
    forks: dict[int, _Fork]
    rng: random.Random
    go: threading.Event
    stopping: threading.Event
    eaten: int = 0
    sent: int = 0  # fork and request messages sent to neighbours
    hungry: bool = False
    error: Optional[BaseException] = None

    def run(self) -> None:
        # Wait for the whole ring: a thread that starts eating while the coordinator still
        # starts the others competes with it for the GIL, and a ring of 1,000 then takes
        # seconds to start.
        self.go.wait()
        try:
            for _ in range(self.meals):
                self._think()
                self._get_forks()
                self._eat()
            while True:  # fed, but the neighbours may still need our forks
                self._handle(self._receive())
        except _Stopped:
            return
        except BaseException as exc:  # reported by the coordinator, which stops the ring
            self.error = exc
            self.monitor.put(("failed", self.index))

    # --- messages ------------------------------------------------------------------------

    def _receive(self, timeout: Optional[float] = None) -> Optional[tuple[Any, ...]]:
        # The flag stops a busy philosopher at its next step, before the coordinator's stop
        # message reaches it: with a thousand threads taking turns at the GIL, that message
        # can take seconds to be posted to every mailbox.
        if self.stopping.is_set():
            raise _Stopped()
        try:
            message = self.inbox.get(timeout=timeout) if timeout is not None else self.inbox.get()
        except queue.Empty:
            return None
        if message[0] == "stop":
            raise _Stopped()
        return message

    def _send(self, fork_id: int, kind: str) -> None:
        fork = self.forks[fork_id]
        self.mailboxes[fork.neighbour].put((kind, fork_id))
        self.sent += 1

    def _handle(self, message: Optional[tuple[Any, ...]]) -> None:
        if message is None:
            return
        kind, fork_id = message[0], message[1]
        fork = self.forks[fork_id]
        if kind == "fork":
            fork.held, fork.dirty = True, False  # forks travel clean
        elif kind == "request":
            fork.token = True
            if fork.held and fork.dirty:  # never called while eating: a dirty fork is given up
                self._give(fork_id)
        else:
            raise RuntimeError(f"philosopher {self.index} got an unexpected message {message!r}")

    def _give(self, fork_id: int) -> None:
        fork = self.forks[fork_id]
        fork.held, fork.dirty = False, False
        self._send(fork_id, "fork")
        if self.hungry:  # we still need it: ask it back with the token we were just sent
            self._request(fork_id)

    def _request(self, fork_id: int) -> None:
        fork = self.forks[fork_id]
        fork.token = False
        self._send(fork_id, "request")

    # --- the life of a philosopher ---------------------------------------------------------

    def _pause_s(self) -> float:
        # Half of the pauses are a bare yield, the others a sub-millisecond wait.
        return 0.0 if self.rng.random() < 0.5 else self.rng.random() * MAX_PAUSE_S

    def _think(self) -> None:
        """Thinks for a while, answering requests meanwhile (every fork it holds is dirty then)."""
        deadline = time.monotonic() + self._pause_s()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._handle(self._receive(remaining))

    def _get_forks(self) -> None:
        self.hungry = True
        for fork_id, fork in self.forks.items():
            if not fork.held:  # given away on request, so we hold its token: send it
                self._request(fork_id)
        while not all(fork.held for fork in self.forks.values()):
            self._handle(self._receive())

    def _eat(self) -> None:
        self.monitor.put(("start", self.index))
        pause = self._pause_s()
        time.sleep(pause)  # time.sleep(0) is a yield; requests wait in the mailbox meanwhile
        self.monitor.put(("end", self.index))
        while True:  # no fork moves before the monitor has logged the end of the meal
            message = self._receive()
            if message == _ACK:
                break
            if message[0] != "request":  # we hold every fork of ours: only requests can come
                raise RuntimeError(f"philosopher {self.index} got {message!r} while eating")
            self.forks[message[1]].token = True
        self.eaten += 1
        self.hungry = False
        for fork_id, fork in self.forks.items():
            fork.dirty = True
            if fork.token:  # a neighbour asked while we ate: its turn now
                self._give(fork_id)


@dataclass
class _Monitor:
    n: int
    total_meals: int
    inbox: "queue.Queue[tuple[Any, ...]]"
    mailboxes: list["queue.Queue[tuple[Any, ...]]"]
    done: threading.Event
    tick: int = 0
    eating_pairs: int = 0
    max_eating_pairs: int = 0
    eating_since: dict[int, int] = field(default_factory=dict)
    log: list[list[int]] = field(default_factory=list)
    failed: bool = False

    def neighbours(self, i: int) -> set[int]:
        return {(i - 1) % self.n, (i + 1) % self.n} - {i}

    def run(self) -> None:
        try:
            self._watch()
        except BaseException:  # a bug here must not leave the coordinator waiting forever
            self.failed = True
        finally:
            self.done.set()

    def _watch(self) -> None:
        while len(self.log) < self.total_meals:
            message = self.inbox.get()
            kind = message[0]
            if kind == "stop":
                return
            if kind == "failed":
                self.failed = True
                break
            i = message[1]
            self.tick += 1
            together = sum(1 for j in self.neighbours(i) if j in self.eating_since)
            if kind == "start":
                self.eating_since[i] = self.tick
                self.eating_pairs += together
                self.max_eating_pairs = max(self.max_eating_pairs, self.eating_pairs)
            else:
                self.eating_pairs -= together
                self.log.append([i, self.eating_since.pop(i), self.tick])
                self.mailboxes[i].put(_ACK)


def run_ring(philosophers: int, meals: int, seed: int = 0,
             is_cancelled: Callable[[], bool] = cancelled) -> dict[str, Any]:
    """Runs a ring of `philosophers` until each has eaten `meals` times; returns what the monitor saw.

    Raises `Cancelled` when `is_cancelled()` turns true meanwhile; every thread is stopped and
    joined before it returns or raises.
    """
    if philosophers < 2 or meals < 1:
        raise ValueError("a ring needs at least 2 philosophers and 1 meal")
    n = philosophers
    mailboxes: list["queue.Queue[tuple[Any, ...]]"] = [queue.Queue() for _ in range(n)]
    monitor_box: "queue.Queue[tuple[Any, ...]]" = queue.Queue()
    done = threading.Event()
    go = threading.Event()
    stopping = threading.Event()
    monitor = _Monitor(n, n * meals, monitor_box, mailboxes, done)
    forks: list[dict[int, _Fork]] = [{} for _ in range(n)]
    for fork_id, (low, high) in enumerate(ring_forks(n)):
        forks[low][fork_id] = _Fork(neighbour=high, held=True, dirty=True, token=False)
        forks[high][fork_id] = _Fork(neighbour=low, held=False, dirty=False, token=True)
    actors = [_Philosopher(i, meals, mailboxes[i], mailboxes, monitor_box, forks[i],
                           random.Random(int(seed) * 1_000_003 + i), go, stopping)
              for i in range(n)]
    threads = [threading.Thread(target=monitor.run, name="philosophers-monitor", daemon=True)]
    threads += [threading.Thread(target=actor.run, name=f"philosopher-{actor.index}", daemon=True) for actor in actors]
    started: list[threading.Thread] = []
    try:
        for thread in threads:
            thread.start()
            started.append(thread)
        go.set()
        while not done.wait(POLL_S):
            if is_cancelled():
                raise Cancelled("cancelled")
    finally:
        stopping.set()
        go.set()  # so that threads started before a failure see their stop
        monitor_box.put(_STOP)
        for box in mailboxes:
            box.put(_STOP)
        deadline = time.monotonic() + JOIN_TIMEOUT_S
        for thread in started:
            thread.join(max(0.0, deadline - time.monotonic()))
    errors = [actor.error for actor in actors if actor.error is not None]
    if errors:
        raise RuntimeError(f"a philosopher failed: {errors[0]!r}") from errors[0]
    if monitor.failed:
        raise RuntimeError("the ring's monitor failed")
    if any(thread.is_alive() for thread in started):
        raise RuntimeError("the ring did not stop")
    return {
        "philosophers": n,
        "meals": [actor.eaten for actor in actors],
        "messages": sum(actor.sent for actor in actors),
        "log": sorted(monitor.log, key=lambda entry: entry[1]),
        "maxNeighboursEating": monitor.max_eating_pairs,
    }
