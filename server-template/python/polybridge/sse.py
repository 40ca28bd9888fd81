"""Writing a job's Server-Sent Events: replay from `Last-Event-ID`, live events, heartbeats.

The stream ends after the job's terminal `status` event has been written. While nothing
happens, a `: heartbeat` comment goes out every `heartbeat_s` so proxies and clients can
tell a quiet job from a dead connection.
"""

from __future__ import annotations

import time
from typing import Callable

from .engine import Engine
from .jobs import Job

HEARTBEAT = b": heartbeat\n\n"


def stream_job_events(engine: Engine, job: Job, last_event_id: int, write: Callable[[bytes], None],
                      heartbeat_s: float) -> None:
    """Writes events until the log is closed and fully sent; `write` raising `OSError` stops it."""
    last = last_event_id
    last_write = time.monotonic()
    while True:
        wait_s = max(0.0, heartbeat_s - (time.monotonic() - last_write))
        events, closed = engine.events_after(job, last, wait_s)
        if events:
            write(b"".join(event.encode() for event in events))
            last = events[-1].id
            last_write = time.monotonic()
        if closed and not _has_more(engine, job, last):
            return
        if not events and time.monotonic() - last_write >= heartbeat_s:
            write(HEARTBEAT)
            last_write = time.monotonic()


def _has_more(engine: Engine, job: Job, last: int) -> bool:
    with engine.lock:
        return job.events.last_id > last
