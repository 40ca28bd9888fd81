"""The protocol's endpoints as plain functions from a `Request` to a `Response`.

Keeping HTTP transport (sockets, keep-alive, body framing) out of here means each endpoint
reads as the rule it implements, and can be tested without a socket.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from . import __version__
from .engine import Engine
from .jobs import Job
from .jsonio import canonical_json, js_number
from .openapi import spec_json, spec_yaml
from .problems import ProblemError, validation_failed
from .protocol import parse_call_request, parse_heartbeat_ms, parse_job_request, parse_list_query, parse_prefer
from .registry import FunctionSpec
from .store import BadCursor
from .validator import FieldError, validate

RETRY_AFTER_SECONDS = 1


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # case-insensitive lookups (an email.message.Message in the server)
    read_json: Callable[[], Any]  # reads, limits and parses the body on demand
    tenant: str = ""  # the caller's token digest (auth.py); "" when auth is off
    server_url: str = "http://127.0.0.1"  # this server's URL as the client reached it (openapi.py)


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    raw: bool = False  # `body` is text sent as is (not JSON-encoded)


@dataclass(frozen=True)
class EventStream:
    """Tells the transport to stream a job's events (see `sse.py`) instead of sending a body."""

    job: Job
    last_event_id: int
    heartbeat_ms: Optional[int] = None  # the client's `?heartbeatMs=`; None: the server's default


class Endpoints:
    def __init__(self, engine: Engine, started_at: float) -> None:
        self.engine = engine
        self.started_at = started_at

    def _job_json(self, job: Job, include_result: bool = False) -> dict[str, Any]:
        with self.engine.lock:
            return job.to_json(include_result)

    def health(self, request: Request) -> Response:
        return Response(200, {
            "status": "draining" if self.engine.draining else "ok",
            "version": __version__,
            "uptimeSeconds": js_number(round(time.monotonic() - self.started_at, 3)),
            "workers": self.engine.pool.workers,
            "jobs": self.engine.counts(),
        })

    def openapi_json(self, request: Request) -> Response:
        return Response(200, spec_json(request.server_url), {}, "application/json; charset=utf-8", raw=True)

    def openapi_yaml(self, request: Request) -> Response:
        return Response(200, spec_yaml(request.server_url), {}, "application/yaml; charset=utf-8", raw=True)

    def list_functions(self, request: Request) -> Response:
        return Response(200, {"functions": [spec.to_json() for spec in self.engine.registry.sorted()]})

    def get_function(self, request: Request) -> Response:
        return Response(200, self.engine.function(request.params["name"]).to_json())

    def call_function(self, request: Request) -> Response:
        body = request.read_json()
        spec = self.engine.function(request.params["name"])
        call = parse_call_request(body)
        errors = _call_input_errors(spec, call.input)
        if errors:
            raise validation_failed(errors)
        started = time.perf_counter()
        outcome = self.engine.call(spec, call.input, call.timeout_ms)
        elapsed_ms = js_number(round((time.perf_counter() - started) * 1000.0, 3))
        if not outcome.ok:
            raise ProblemError("function_failed", outcome.message)
        return Response(200, {"function": spec.name, "output": outcome.output, "durationMs": elapsed_ms})

    def submit_job(self, request: Request) -> Response:
        body = request.read_json()
        job_request = parse_job_request(body)
        preference = parse_prefer(request.headers.get("Prefer"))
        key = request.headers.get("Idempotency-Key")
        if key is not None and not 1 <= len(key) <= 255:
            # A header has no JSON Pointer: `header:/<name>`, as the reference server writes it.
            raise validation_failed([FieldError("header:/idempotency-key", "must have 1 to 255 characters")])
        job, replayed = self.engine.submit(job_request, key, canonical_json(body) if key is not None else None,
                                           request.tenant)
        headers = {"Location": job.links["self"]}
        if preference.wait_seconds is not None:
            self.engine.wait(job, preference.wait_seconds)
            headers["Preference-Applied"] = f"wait={preference.wait_seconds}"
        elif preference.respond_async:
            headers["Preference-Applied"] = "respond-async"
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        with self.engine.lock:
            finished = preference.wait_seconds is not None and job.terminal
            payload = job.to_json(include_result=finished)
        if not finished:
            headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return Response(200 if finished else 202, payload, headers)

    def list_jobs(self, request: Request) -> Response:
        query = parse_list_query(request.query)
        with self.engine.lock:
            try:
                jobs, cursor = self.engine.store.page(query.status, query.limit, query.cursor, request.tenant)
            except BadCursor:
                raise validation_failed([FieldError("/cursor", "is not a cursor this server issued")]) from None
            return Response(200, {"jobs": [job.to_json() for job in jobs], "nextCursor": cursor})

    def get_job(self, request: Request) -> Response:
        job = self.engine.get(request.params["id"], request.tenant)
        payload = self._job_json(job)
        headers = {} if payload["status"] in ("successful", "failed", "dismissed") else {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return Response(200, payload, headers)

    def cancel_job(self, request: Request) -> Response:
        job = self.engine.cancel(request.params["id"], request.tenant)
        return Response(200, self._job_json(job))

    def get_result(self, request: Request) -> Response:
        job = self.engine.get(request.params["id"], request.tenant)
        with self.engine.lock:
            status, result, error = job.status, job.result, job.error
        if status == "successful":
            return Response(200, result)
        if status == "failed":
            detail = (error or {}).get("detail") or (error or {}).get("code", "failed")
            raise ProblemError("job_failed", detail, jobId=job.id)
        if status == "dismissed":
            raise ProblemError("job_dismissed", f"Job '{job.id}' was dismissed.", jobId=job.id)
        raise ProblemError("result_not_ready", f"Job '{job.id}' is {status}.", jobId=job.id,
                           retryAfterSeconds=RETRY_AFTER_SECONDS, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    def stream_events(self, request: Request) -> EventStream:
        job = self.engine.get(request.params["id"], request.tenant)
        return EventStream(job, _last_event_id(request.headers.get("Last-Event-ID")), parse_heartbeat_ms(request.query))


def _call_input_errors(spec: FunctionSpec, value: Any) -> list[FieldError]:
    if spec.kind != "reducer":
        return validate(value, spec.input_schema, "/input")
    if not isinstance(value, list) or len(value) != 2:
        return [FieldError("/input", "must be an array [accumulator, item]")]
    return validate(value[0], spec.output_schema, "/input/0") + validate(value[1], spec.input_schema, "/input/1")


_EVENT_ID = re.compile(r"[0-9]{1,15}")


def _last_event_id(header: Optional[str]) -> int:
    """`Last-Event-ID` as a number (0 when absent); the spec allows 1–15 digits, else 400."""
    if header is None:
        return 0
    text = header.strip()
    if not _EVENT_ID.fullmatch(text):
        raise validation_failed([FieldError("header:/last-event-id", "must match pattern \"^[0-9]{1,15}$\"")])
    return int(text)
