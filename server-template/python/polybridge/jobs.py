"""The job record: its public state (what `Job` looks like on the wire) and its run state.

The engine mutates jobs under its lock; `to_json` snapshots the public part.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional

from .cancel import CancelToken
from .chunking import JobItems
from .events import EventLog
from .protocol import TERMINAL_STATUSES
from .results import ResultBuilder


def utc_now() -> str:
    """An RFC 3339 timestamp with milliseconds, like JavaScript's `toISOString()`."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass(eq=False)  # jobs are compared by identity
class Job:
    id: str
    seq: int
    kind: str
    function: str
    reducer: Optional[str]
    options: dict[str, int]
    total_items: int
    total_chunks: int
    items: Optional[JobItems]  # dropped once the job is terminal
    builder: ResultBuilder
    created_at: str = field(default_factory=utc_now)
    status: str = "accepted"
    started_at: Optional[str] = None
    finished_at: Optional[str] = None
    error: Optional[dict[str, Any]] = None
    result: Optional[dict[str, Any]] = None
    completed_chunks: int = 0
    completed_items: int = 0
    events: EventLog = field(default_factory=EventLog)
    idempotency_key: Optional[str] = None
    tenant: str = ""  # who owns the job: a token's digest (auth.py), "" when auth is off
    # run state
    next_chunk: int = 0
    in_flight: dict[int, "Future[Any]"] = field(default_factory=dict)
    attempts: dict[int, int] = field(default_factory=dict)
    # The lowest failing item seen so far, held until no earlier chunk can fail at a lower index.
    pending_failure: Optional[dict[str, Any]] = None
    cancel_token: Optional[CancelToken] = None
    deadline: Optional[float] = None  # time.monotonic() bound from options.timeoutMs

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def links(self) -> dict[str, str]:
        base = f"/v1/jobs/{self.id}"
        return {"self": base, "result": f"{base}/result", "events": f"{base}/events"}

    def progress(self) -> dict[str, int]:
        return {
            "completedChunks": self.completed_chunks,
            "totalChunks": self.total_chunks,
            "completedItems": self.completed_items,
            "totalItems": self.total_items,
        }

    def to_json(self, include_result: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "kind": self.kind, "function": self.function}
        if self.reducer is not None:
            body["reducer"] = self.reducer
        body.update(status=self.status, progress=self.progress(), options=dict(self.options), createdAt=self.created_at)
        if self.started_at is not None:
            body["startedAt"] = self.started_at
        if self.finished_at is not None:
            body["finishedAt"] = self.finished_at
        if self.error is not None:
            body["error"] = self.error
        body["links"] = self.links
        if include_result and self.result is not None:
            body["result"] = self.result
        return body

    def start_clock(self) -> None:
        self.status = "running"
        self.started_at = utc_now()
        self.deadline = time.monotonic() + self.options["timeoutMs"] / 1000.0
