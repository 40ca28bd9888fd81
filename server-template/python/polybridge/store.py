"""In-memory job storage: lookup by id, idempotency keys, newest-first paging, bounded size.

Idempotency keys and listings are per tenant (the token that submitted the job, `auth.py`);
lookup by id is not, and the engine checks the owner. Memory is bounded: beyond `max_stored` jobs the oldest finished ones (and their idempotency
keys, which "live as long as their job") are forgotten. Callers hold the engine's lock.
"""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

from .jobs import Job

DEFAULT_MAX_STORED = 10_000


class BadCursor(ValueError):
    """A `cursor` query parameter that this server did not hand out."""


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"before:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(cursor) from None
    prefix, _, number = text.partition(":")
    if prefix != "before" or not number.isdigit():
        raise BadCursor(cursor)
    return int(number)


@dataclass(frozen=True)
class KeyEntry:
    fingerprint: str
    job_id: str


class JobStore:
    def __init__(self, max_stored: int = DEFAULT_MAX_STORED) -> None:
        self.max_stored = max_stored
        self._jobs: "OrderedDict[str, Job]" = OrderedDict()  # oldest first
        self._keys: dict[tuple[str, str], KeyEntry] = {}  # (tenant, key) -> entry

    def __len__(self) -> int:
        return len(self._jobs)

    def add(self, job: Job, fingerprint: Optional[str] = None) -> None:
        self._jobs[job.id] = job
        if job.idempotency_key is not None and fingerprint is not None:
            self._keys[(job.tenant, job.idempotency_key)] = KeyEntry(fingerprint, job.id)
        self._evict()

    def get(self, job_id: str) -> Optional[Job]:
        return self._jobs.get(job_id)

    def by_key(self, key: str, tenant: str = "") -> Optional[tuple[str, Job]]:
        """The fingerprint of the body `tenant` first sent with `key`, and its job (if still stored)."""
        entry = self._keys.get((tenant, key))
        if entry is None:
            return None
        job = self._jobs.get(entry.job_id)
        if job is None:
            del self._keys[(tenant, key)]
            return None
        return entry.fingerprint, job

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def page(self, status: Optional[str], limit: int, cursor: Optional[str],
             tenant: str = "") -> tuple[list[Job], Optional[str]]:
        """`tenant`'s jobs, newest first; `nextCursor` is `None` on the last page. Raises `BadCursor`."""
        before = decode_cursor(cursor) if cursor is not None else None
        selected: list[Job] = []
        for job in reversed(self._jobs.values()):
            if job.tenant != tenant:
                continue
            if before is not None and job.seq >= before:
                continue
            if status is not None and job.status != status:
                continue
            selected.append(job)
            if len(selected) > limit:
                break
        if len(selected) > limit:
            page = selected[:limit]
            return page, encode_cursor(page[-1].seq)
        return selected, None

    def _evict(self) -> None:
        excess = len(self._jobs) - self.max_stored
        if excess <= 0:
            return
        for job_id in [j.id for j in self._jobs.values() if j.terminal][:excess]:
            job = self._jobs.pop(job_id)
            if job.idempotency_key is not None:
                slot = (job.tenant, job.idempotency_key)
                entry = self._keys.get(slot)
                if entry is not None and entry.job_id == job_id:
                    del self._keys[slot]
