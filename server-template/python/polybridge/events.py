"""A job's replayable Server-Sent Events log.

Every job keeps its events (status, progress, result/error, final status) with ids 1, 2, 3, …
so a client can reconnect with `Last-Event-ID` and miss nothing that is still logged. A job
with millions of tiny chunks would log millions of progress events, so old progress events
are dropped once the log grows past `max_events`; status/result/error events are always kept.
Callers hold the engine's lock while using a log.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from .jsonio import dumps

DEFAULT_MAX_EVENTS = 2000


@dataclass(frozen=True)
class Event:
    id: int
    name: str
    data: str  # JSON text, one line

    def encode(self) -> bytes:
        return f"id: {self.id}\nevent: {self.name}\ndata: {self.data}\n\n".encode("utf-8")


class EventLog:
    def __init__(self, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        self.max_events = max_events
        self._events: list[Event] = []
        self._ids: list[int] = []
        self._last_id = 0
        self.closed = False  # the terminal status event was logged

    @property
    def last_id(self) -> int:
        return self._last_id

    def append(self, name: str, data: Any) -> Event:
        if self.closed:
            raise RuntimeError("the event log is closed")
        self._last_id += 1
        event = Event(self._last_id, name, dumps(data))
        self._events.append(event)
        self._ids.append(event.id)
        if len(self._events) > self.max_events:
            self._trim()
        return event

    def close(self) -> None:
        self.closed = True

    def after(self, last_id: int) -> list[Event]:
        """The logged events with an id greater than `last_id`, oldest first."""
        start = bisect.bisect_right(self._ids, last_id)
        return self._events[start:]

    def _trim(self) -> None:
        # Drop the oldest half of the progress events; keep everything else.
        progress = [e for e in self._events if e.name == "progress"]
        drop = {e.id for e in progress[: len(progress) // 2 or 1]} if progress else set()
        if not drop:
            return
        self._events = [e for e in self._events if e.id not in drop]
        self._ids = [e.id for e in self._events]
