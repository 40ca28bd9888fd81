"""Problem details (RFC 9457) with polybridge's closed list of error codes.

Every error the server sends, and every `Job.error`, is built here, so a code always comes
with the same HTTP status and title as in `spec/openapi.yaml` (`ErrorCode` and its `x-problems`
table; a project made from this template has no spec, so the table is written out here, and
`tests/test_problems.py` compares it with the spec when run inside the polybridge repository).
"""

from __future__ import annotations

from typing import Any, Iterable

from .validator import FieldError

PROBLEM_TYPE_BASE = "https://polybridge.dev/problems/"

# code -> (HTTP status, title), in the spec's order. Job-only codes (JOB_CODES) carry the status
# a client would map them to; they travel in `Job.error`, never as a response.
CODES: dict[str, tuple[int, str]] = {
    "invalid_json": (400, "Malformed JSON"),
    "malformed_request": (400, "Malformed HTTP request"),
    "unauthorized": (401, "Authentication required"),
    "request_timeout": (408, "Request timed out"),
    "rate_limited": (429, "Too many requests"),
    "headers_too_large": (431, "Request headers too large"),
    "validation_failed": (400, "Request validation failed"),
    "nesting_too_deep": (400, "JSON nested too deeply"),
    "function_kind_mismatch": (400, "Function has the wrong kind"),
    "not_found": (404, "Not found"),
    "function_not_found": (404, "Function not found"),
    "job_not_found": (404, "Job not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "result_not_ready": (409, "Result not ready"),
    "job_failed": (409, "Job failed"),
    "job_dismissed": (409, "Job dismissed"),
    "job_already_finished": (409, "Job already finished"),
    "payload_too_large": (413, "Payload too large"),
    "too_many_items": (413, "Too many items"),
    "unsupported_media_type": (415, "Unsupported media type"),
    "idempotency_key_conflict": (422, "Idempotency key reused with a different request"),
    "function_failed": (422, "Function failed"),
    "internal_error": (500, "Internal server error"),
    "not_implemented": (501, "Not implemented"),
    "queue_full": (503, "Job queue is full"),
    "shutting_down": (503, "Server is shutting down"),
    "call_timeout": (504, "Call timed out"),
    "item_failed": (422, "Item failed"),
    "job_timeout": (504, "Job timed out"),
    "job_cancelled": (409, "Job cancelled"),
    "worker_crashed": (500, "Worker crashed"),
    "result_too_large": (413, "Result too large"),
}
JOB_CODES = frozenset({"item_failed", "job_timeout", "job_cancelled", "worker_crashed", "result_too_large"})


def problem(code: str, detail: str | None = None, **extra: Any) -> dict[str, Any]:
    """Builds a problem object; `extra` adds members such as `errors`, `itemIndex`, `jobId`."""
    status, title = CODES[code]
    body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status, "code": code}
    if detail is not None:
        body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


class ProblemError(Exception):
    """Raised anywhere in request handling; the HTTP layer turns it into a problem response."""

    def __init__(self, code: str, detail: str | None = None, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail or code)
        self.code = code
        self.status = CODES[code][0]
        self.body = problem(code, detail, **extra)
        self.headers = headers or {}


def validation_failed(errors: Iterable[FieldError]) -> ProblemError:
    """A `400 validation_failed` listing the invalid fields."""
    listed = list(errors)
    noun = "field is" if len(listed) == 1 else "fields are"
    return ProblemError("validation_failed", f"{len(listed)} {noun} invalid", errors=[e.to_json() for e in listed])
