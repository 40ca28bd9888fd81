# The protocol part of every generated client: transport, retries, errors, jobs and their
# events. `polybridge generate functions --lang python` copies it verbatim under the do-not-edit
# header and appends the catalogue's types, `Functions`, `Jobs` and `Client`. Standard library
# only, Python 3.8+; checked with `mypy --strict` as part of the generated module.
from __future__ import annotations

import collections.abc
import http.client
import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import (
    Any,
    Callable,
    Dict,
    Generic,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypedDict,
    TypeVar,
    Union,
    cast,
    overload,
)

JsonValue = Union[None, bool, int, float, str, List["JsonValue"], Dict[str, "JsonValue"]]
"""A JSON value as the client hands it back (objects are dicts, arrays are lists)."""

JsonInput = Union[None, bool, int, float, str, Sequence["JsonInput"], Mapping[str, "JsonInput"]]
"""A JSON value the client sends (any sequence becomes an array, any mapping an object)."""

JobStatusName = Literal["accepted", "running", "successful", "failed", "dismissed"]
JobKind = Literal["map", "filter", "fold", "mapreduce"]


class FieldError(TypedDict):
    """One invalid field: a JSON Pointer into the request body and what is wrong there."""

    path: str
    message: str


class _ProblemRequired(TypedDict):
    type: str
    title: str
    status: int
    code: str


class Problem(_ProblemRequired, total=False):
    """An error body (RFC 9457 problem details with a stable ``code``)."""

    detail: str
    instance: str
    errors: List[FieldError]
    itemIndex: int
    retryAfterSeconds: int
    jobId: str


class Progress(TypedDict):
    """Finished chunks and the items in them; the totals are known at submit time."""

    completedChunks: int
    totalChunks: int
    completedItems: int
    totalItems: int


class JobResult(TypedDict, total=False):
    """A job's result as sent: ``items`` (map, filter), ``value`` (fold) or ``entries`` (mapreduce)."""

    kind: JobKind
    items: List[JsonValue]
    value: JsonValue
    entries: List[List[JsonValue]]


class _JobInfoRequired(TypedDict):
    id: str
    kind: JobKind
    function: str
    status: JobStatusName
    progress: Progress
    options: Dict[str, int]
    createdAt: str
    links: Dict[str, str]


class JobInfo(_JobInfoRequired, total=False):
    """A job as the server describes it (``GET /v1/jobs/{id}``)."""

    reducer: str
    startedAt: str
    finishedAt: str
    error: Problem
    result: JobResult
    requestId: str


class JobList(TypedDict):
    """A page of jobs, newest first; ``nextCursor`` is None on the last page."""

    jobs: List[JobInfo]
    nextCursor: Optional[str]


class _FunctionInfoRequired(TypedDict):
    name: str
    kind: Literal["unary", "reducer", "emitter"]
    inputSchema: JsonValue
    outputSchema: JsonValue


class FunctionInfo(_FunctionInfoRequired, total=False):
    """One catalogue entry (``GET /v1/functions``)."""

    description: str
    identity: JsonValue


class _HealthRequired(TypedDict):
    status: Literal["ok", "draining"]
    version: str
    uptimeSeconds: float
    workers: int
    jobs: Dict[str, int]


class Health(_HealthRequired, total=False):
    """``GET /v1/health``; ``redis`` only on a server that hands chunks to workers through Redis."""

    redis: Literal["up", "down"]


class ProgressEventData(TypedDict):
    jobId: str
    progress: Progress


class _EventId(TypedDict, total=False):
    id: str


class StatusEvent(_EventId):
    """The job as it is (first and last event of a stream)."""

    event: Literal["status"]
    data: JobInfo


class ProgressEvent(_EventId):
    event: Literal["progress"]
    data: ProgressEventData


class ResultEvent(_EventId):
    event: Literal["result"]
    data: JobResult


class ErrorEvent(_EventId):
    """The job failed (its error) or was dismissed (code ``job_cancelled``)."""

    event: Literal["error"]
    data: Problem


JobEvent = Union[StatusEvent, ProgressEvent, ResultEvent, ErrorEvent]
"""One event of a job; narrow on ``event["event"]``. ``id`` is absent when polling."""

ProgressCallback = Callable[[Progress], None]

_TERMINAL = ("successful", "failed", "dismissed")
_RETRYABLE_STATUSES = (429, 502, 503, 504)


class ProblemError(Exception):
    """Every failure the client reports.

    From the server: ``status`` (HTTP), ``code`` (stable, e.g. ``validation_failed``,
    ``function_failed``, ``item_failed``, ``job_cancelled``), ``title``, ``detail``, ``errors``
    (field errors) and the whole ``problem``. The client's own codes have ``status`` None:
    ``timeout`` (the call's time ran out), ``network`` (no answer), ``response_invalid`` (an
    answer that is not the protocol's) and ``unexpected_response``.

    Example::

        try:
            client.functions.fail("boom")
        except ProblemError as error:
            print(error.status, error.code, error.detail)  # 422 function_failed fail: "boom"
    """

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        status: Optional[int] = None,
        title: Optional[str] = None,
        errors: Optional[List[FieldError]] = None,
        problem: Optional[Problem] = None,
        job_id: Optional[str] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(f"{code}: {detail}" if status is None else f"{status} {code}: {detail}")
        self.code = code
        self.detail = detail
        self.status = status
        self.title = title if title is not None else code
        self.errors: List[FieldError] = errors if errors is not None else []
        self.problem = problem
        self.job_id = job_id
        self.item_index: Optional[int] = problem.get("itemIndex") if problem is not None else None
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """True for failures worth another attempt of a safe request."""
        return self.code == "network" or (self.status is not None and self.status in _RETRYABLE_STATUSES)

    @classmethod
    def from_problem(
        cls, problem: Problem, *, status: Optional[int] = None, job_id: Optional[str] = None, retry_after: Optional[float] = None
    ) -> ProblemError:
        """The error a problem body describes (an HTTP answer's, or a failed job's)."""
        return cls(
            problem["code"],
            problem.get("detail", problem["title"]),
            status=status if status is not None else problem["status"],
            title=problem["title"],
            errors=problem.get("errors"),
            problem=problem,
            job_id=job_id if job_id is not None else problem.get("jobId"),
            retry_after=retry_after,
        )


def _retry_after_seconds(value: Optional[str]) -> Optional[float]:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class _Answer:
    def __init__(self, status: int, headers: Message, data: JsonValue) -> None:
        self.status = status
        self.headers = headers
        self.data = data


_NO_BODY = object()


class _Core:
    """Sends requests: base URL, token, JSON bodies, deadlines and safe retries."""

    def __init__(
        self,
        base_url: str,
        token: Union[str, Callable[[], str], None],
        timeout: float,
        retries: int,
        headers: Optional[Mapping[str, str]],
        retry_base_delay: float = 0.1,
        retry_max_delay: float = 2.0,
        max_retry_after: float = 30.0,
    ) -> None:
        if not base_url.lower().startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.attempts = max(1, retries + 1)
        self.headers = dict(headers or {})
        self.retry_base_delay = retry_base_delay
        self.retry_max_delay = retry_max_delay
        self.max_retry_after = max_retry_after

    def url(self, path: str, query: Optional[Mapping[str, Union[str, int, None]]] = None) -> str:
        pairs = [(k, str(v)) for k, v in (query or {}).items() if v is not None]
        return self.base_url + path + ("?" + urllib.parse.urlencode(pairs) if pairs else "")

    def header_map(self, accept: str, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        headers = {"Accept": accept, "User-Agent": "polybridge-python-client/1", **self.headers, **(extra or {})}
        token = self.token() if callable(self.token) else self.token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def send(
        self,
        method: str,
        path: str,
        *,
        body: object = _NO_BODY,
        query: Optional[Mapping[str, Union[str, int, None]]] = None,
        headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        safe: Optional[bool] = None,
    ) -> _Answer:
        """One logical request. Retried only when safe: GET, HEAD and DELETE (idempotent), or
        what the caller marks safe (a submit carrying an ``Idempotency-Key``)."""
        if safe is None:
            safe = method in ("GET", "HEAD", "DELETE")
        data = None if body is _NO_BODY else json.dumps(body, allow_nan=False, separators=(",", ":")).encode("utf-8")
        extra = dict(headers or {})
        if data is not None:
            extra["Content-Type"] = "application/json"
        url = self.url(path, query)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self.once(method, url, data, self.header_map("application/json, application/problem+json", extra), deadline)
            except ProblemError as error:
                if not safe or not error.retryable or attempt >= self.attempts:
                    raise
                if error.retry_after is not None:
                    if error.retry_after > self.max_retry_after:
                        raise
                    delay = error.retry_after
                else:
                    # Exponential backoff with full jitter, so many clients do not retry in step.
                    delay = random.uniform(0, min(self.retry_max_delay, self.retry_base_delay * 2 ** (attempt - 1)))
                if time.monotonic() + delay >= deadline:
                    raise
                time.sleep(delay)

    def open(self, method: str, url: str, data: Optional[bytes], headers: Mapping[str, str], timeout: float) -> Any:
        """urlopen with the client's errors: an HTTP error answer becomes a ProblemError."""
        request = urllib.request.Request(url, data=data, headers=dict(headers), method=method)
        try:
            return urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            with error:
                raise _problem_from_answer(method, url, error.code, error.headers, error.read()) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (socket.timeout, TimeoutError)):
                raise ProblemError("timeout", f"{method} {url}: no answer within {timeout:.3g} s") from None
            raise ProblemError("network", f"{method} {url}: {error.reason}") from None
        except (socket.timeout, TimeoutError):
            raise ProblemError("timeout", f"{method} {url}: no answer within {timeout:.3g} s") from None
        except (OSError, http.client.HTTPException) as error:  # refused, reset, a broken status line
            raise ProblemError("network", f"{method} {url}: {error!r}") from None

    def once(self, method: str, url: str, data: Optional[bytes], headers: Mapping[str, str], deadline: float) -> _Answer:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProblemError("timeout", f"{method} {url}: out of time")
        with self.open(method, url, data, headers, remaining) as response:
            try:
                raw: bytes = response.read()
            except (socket.timeout, TimeoutError):
                raise ProblemError("timeout", f"{method} {url}: the answer did not arrive within {remaining:.3g} s") from None
            except (OSError, http.client.HTTPException) as error:  # cut mid-answer (IncompleteRead)
                raise ProblemError("network", f"{method} {url}: {error!r}") from None
            status: int = response.status
            answer_headers: Message = response.headers
        try:
            parsed: JsonValue = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            raise ProblemError("response_invalid", f"{method} {url}: the answer ({status}) is not JSON", status=status) from None
        return _Answer(status, answer_headers, parsed)


def _problem_from_answer(method: str, url: str, status: int, headers: Message, raw: bytes) -> ProblemError:
    retry_after = _retry_after_seconds(headers.get("Retry-After"))
    try:
        body: JsonValue = json.loads(raw.decode("utf-8"))
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("title"), str):
        body.setdefault("status", status)
        return ProblemError.from_problem(cast(Problem, body), status=status, retry_after=retry_after)
    # Not the protocol's error body (a proxy's page, say): keep the status, name it by class.
    code = "unexpected_response" if status < 500 else "upstream_error"
    return ProblemError(code, f"{method} {url} answered {status} without a problem body", status=status, retry_after=retry_after)


def _parse_event_stream(lines: Iterator[bytes]) -> Iterator[Tuple[str, str, Optional[str], Optional[int]]]:
    """Server-Sent Events: yields (event, data, id, retry ms) per dispatched event."""
    event = "message"
    data: List[str] = []
    event_id: Optional[str] = None
    retry: Optional[int] = None
    for raw in lines:
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data:
                yield event, "\n".join(data), event_id, retry
            event, data, event_id, retry = "message", [], None, None
            continue
        if line.startswith(":"):
            continue  # a comment: the server's heartbeat
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            event_id = value
        elif name == "retry" and value.isdigit():
            retry = int(value)


def _convert_result(result: JobResult) -> Any:
    """What ``run`` and ``Job.result`` hand back: the items, the value, or (key, value) pairs."""
    kind = result.get("kind")
    if kind == "fold":
        return result.get("value")
    if kind == "mapreduce":
        return [(entry[0], entry[1]) for entry in result.get("entries", [])]
    return result.get("items", [])


R = TypeVar("R")


class Job(Generic[R]):
    """A submitted job: follow its events, wait for its result (typed ``R``), or cancel it.

    Example::

        job = client.jobs.submit("map", "square", [1, 2, 3])
        for event in job.events():
            if event["event"] == "progress":
                print(event["data"]["progress"]["completedItems"])
        print(job.result())  # [1.0, 4.0, 9.0] as the server sent them: [1, 4, 9]
    """

    def __init__(self, core: _Core, info: JobInfo, replayed: bool = False) -> None:
        self._core = core
        self.id: str = info["id"]
        self.info: JobInfo = info
        """The job as last seen (the submit answer, then each status event or refresh)."""
        self.replayed = replayed
        """True when the server replayed an earlier submit with the same ``Idempotency-Key``."""

    def refresh(self, *, timeout: Optional[float] = None) -> JobInfo:
        """The job's current state (``GET /v1/jobs/{id}``)."""
        self.info = cast(JobInfo, self._core.send("GET", f"/v1/jobs/{_quote(self.id)}", timeout=timeout).data)
        return self.info

    def cancel(self, *, timeout: Optional[float] = None) -> JobInfo:
        """Dismisses the job (``DELETE /v1/jobs/{id}``); a finished job raises ``job_already_finished``."""
        self.info = cast(JobInfo, self._core.send("DELETE", f"/v1/jobs/{_quote(self.id)}", timeout=timeout).data)
        return self.info

    def events(
        self,
        *,
        last_event_id: Optional[str] = None,
        heartbeat_ms: int = 5000,
        max_reconnects: int = 3,
        poll_interval: float = 1.0,
        stream: bool = True,
        timeout: Optional[float] = None,
    ) -> Iterator[JobEvent]:
        """The job's events until its terminal ``status`` event.

        Reads ``GET /v1/jobs/{id}/events`` (Server-Sent Events), asking for a heartbeat every
        ``heartbeat_ms`` so a silent connection is noticed; a dropped stream is resumed with
        ``Last-Event-ID``. When streaming is not possible (an answer that is not an event stream,
        e.g. through a proxy, or ``max_reconnects`` failures in a row, or ``stream=False``) it
        polls ``GET /v1/jobs/{id}`` instead (honouring ``Retry-After``) and yields the same
        events without ids. ``timeout`` bounds the whole wait (code ``timeout``).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        if stream:
            for event in self._stream(last_event_id, heartbeat_ms, max_reconnects, deadline):
                if event is None:
                    break  # fall back to polling
                yield event
                if event["event"] == "status" and event["data"]["status"] in _TERMINAL:
                    return
            else:
                return
        yield from self._poll(poll_interval, deadline)

    def _stream(self, last_event_id: Optional[str], heartbeat_ms: int, max_reconnects: int, deadline: Optional[float]) -> Iterator[Optional[JobEvent]]:
        failures = 0
        reconnect_delay = 0.25
        url = self._core.url(f"/v1/jobs/{_quote(self.id)}/events", {"heartbeatMs": heartbeat_ms})
        while True:
            streamed = False
            extra = {} if last_event_id is None else {"Last-Event-ID": last_event_id}
            # A read waits at most three heartbeats: a stream that stays silent longer is dead.
            read_timeout = 3 * heartbeat_ms / 1000
            if deadline is not None:
                read_timeout = min(read_timeout, deadline - time.monotonic())
                if read_timeout <= 0:
                    raise ProblemError("timeout", f"job {self.id}: out of time while following it", job_id=self.id)
            try:
                with self._core.open("GET", url, None, self._core.header_map("text/event-stream", extra), read_timeout) as response:
                    if not (response.headers.get("Content-Type") or "").startswith("text/event-stream"):
                        yield None  # something in between does not speak SSE
                        return
                    for name, data, event_id, retry in _parse_event_stream(iter(response.readline, b"")):
                        if retry is not None:
                            reconnect_delay = retry / 1000
                        event = _job_event(name, data, event_id)
                        if event is None:
                            continue
                        streamed = True
                        if event_id is not None:
                            last_event_id = event_id
                        if event["event"] == "status":
                            self.info = event["data"]
                        yield event
                        if event["event"] == "status" and event["data"]["status"] in _TERMINAL:
                            return
                        if deadline is not None and time.monotonic() >= deadline:
                            raise ProblemError("timeout", f"job {self.id}: out of time while following it", job_id=self.id)
                # The server closes only after the terminal status; resuming past it replays
                # nothing and closes at once: the job has ended, the stream did not fail.
                if not streamed and last_event_id is not None:
                    return
            except ProblemError as error:
                if error.code == "timeout" and deadline is not None and time.monotonic() >= deadline:
                    raise
                if not error.retryable and error.code not in ("timeout", "response_invalid"):
                    raise
            except (OSError, ValueError, http.client.HTTPException):
                pass  # the stream broke mid-way (reset, silent past three heartbeats, cut chunk): reconnect
            failures = 1 if streamed else failures + 1
            if failures > max_reconnects:
                yield None
                return
            time.sleep(reconnect_delay)

    def _poll(self, poll_interval: float, deadline: Optional[float]) -> Iterator[JobEvent]:
        previous: Optional[JobInfo] = None
        path = f"/v1/jobs/{_quote(self.id)}"
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise ProblemError("timeout", f"job {self.id}: out of time while following it", job_id=self.id)
            answer = self._core.send("GET", path, timeout=remaining)
            job = cast(JobInfo, answer.data)
            self.info = job
            terminal = job["status"] in _TERMINAL
            if not terminal and (previous is None or job["status"] != previous["status"]):
                yield {"event": "status", "data": job}
            if previous is None or job["progress"] != previous["progress"]:
                yield {"event": "progress", "data": {"jobId": self.id, "progress": job["progress"]}}
            if terminal:
                if job["status"] == "successful":
                    result = job["result"] if "result" in job else cast(JobResult, self._core.send("GET", f"{path}/result", timeout=remaining).data)
                    yield {"event": "result", "data": result}
                elif "error" in job:
                    yield {"event": "error", "data": job["error"]}
                yield {"event": "status", "data": job}
                return
            previous = job
            retry_after = _retry_after_seconds(answer.headers.get("Retry-After"))
            delay = poll_interval if retry_after is None else retry_after
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - time.monotonic()))
            time.sleep(delay)

    def result(self, *, on_progress: Optional[ProgressCallback] = None, timeout: Optional[float] = None, stream: bool = True) -> R:
        """Follows the job to its end and returns its result: a map's outputs, a filter's kept
        items, a fold's value, or a mapreduce's (key, value) pairs. A failed job raises its error
        (e.g. ``item_failed`` with ``item_index``), a dismissed one ``job_cancelled``."""
        if self.info["status"] == "successful" and "result" in self.info:
            return cast(R, _convert_result(self.info["result"]))
        result: Optional[JobResult] = None
        final: Optional[JobInfo] = None
        error: Optional[Problem] = None
        for event in self.events(timeout=timeout, stream=stream):
            if event["event"] == "progress":
                if on_progress is not None:
                    on_progress(event["data"]["progress"])
            elif event["event"] == "result":
                result = event["data"]
            elif event["event"] == "error":
                error = event["data"]
            elif event["event"] == "status":
                final = event["data"]
        if final is None:
            raise ProblemError("unexpected_response", f"the events of job {self.id} ended without a final status", job_id=self.id)
        if final["status"] == "successful":
            if result is None:
                result = cast(JobResult, self._core.send("GET", f"/v1/jobs/{_quote(self.id)}/result", timeout=timeout).data)
            return cast(R, _convert_result(result))
        if "error" in final:
            raise ProblemError.from_problem(final["error"], job_id=self.id)
        if error is not None:  # a dismissed job's stream says why (code job_cancelled)
            raise ProblemError.from_problem(error, job_id=self.id)
        if final["status"] == "dismissed":
            raise ProblemError("job_cancelled", f"job {self.id} was cancelled", job_id=self.id)
        raise ProblemError("job_failed", f"job {self.id} ended {final['status']}", job_id=self.id)


def _job_event(name: str, data: str, event_id: Optional[str]) -> Optional[JobEvent]:
    if name not in ("status", "progress", "result", "error"):
        return None
    try:
        payload: JsonValue = json.loads(data)
    except ValueError:
        raise ProblemError("response_invalid", f"job event {name!r} carries invalid JSON") from None
    event: Dict[str, JsonValue] = {"event": name, "data": payload}
    if event_id is not None:
        event["id"] = event_id
    return cast(JobEvent, event)


def _quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


def _job_input(items: object) -> Dict[str, JsonInput]:
    """``{"items": [...]}``, or ``{"range": ...}`` for a Python ``range`` (run on the server)."""
    if isinstance(items, range):
        return {"range": {"start": items.start, "end": items.stop, "step": items.step}}
    if isinstance(items, (str, bytes)) or not isinstance(items, collections.abc.Sequence):
        raise TypeError(f"items must be a sequence (list, tuple) or a range, not {type(items).__name__}")
    return {"items": cast(Sequence[JsonInput], items)}


class _JobsBase:
    """Jobs without the catalogue's types: the generated ``Jobs`` adds typed ``run`` and ``submit``."""

    def __init__(self, core: _Core) -> None:
        self._core = core

    def _submit(
        self,
        kind: str,
        function: str,
        items: object,
        reducer: Optional[str],
        chunk_size: Optional[int],
        concurrency: Optional[int],
        timeout_ms: Optional[int],
        wait: Optional[float],
        idempotency_key: Optional[str],
        timeout: Optional[float],
    ) -> Job[Any]:
        request: Dict[str, JsonInput] = {"kind": kind, "function": function, "input": _job_input(items)}
        if reducer is not None:
            request["reducer"] = reducer
        options = {k: v for k, v in (("chunkSize", chunk_size), ("concurrency", concurrency), ("timeoutMs", timeout_ms)) if v is not None}
        if options:
            request["options"] = options
        # One key per logical submit, reused by its retries: a retried submit is replayed, never doubled.
        headers = {"Idempotency-Key": idempotency_key or uuid.uuid4().hex}
        if wait is not None:
            headers["Prefer"] = f"wait={max(0, min(60, round(wait)))}"
        answer = self._core.send("POST", "/v1/jobs", body=request, headers=headers, timeout=timeout, safe=True)
        return Job(self._core, cast(JobInfo, answer.data), answer.headers.get("Idempotent-Replayed") == "true")

    def _run(self, job: Job[Any], on_progress: Optional[ProgressCallback], timeout: Optional[float], stream: bool) -> Any:
        try:
            return job.result(on_progress=on_progress, timeout=timeout, stream=stream)
        except (KeyboardInterrupt, ProblemError) as error:
            # The caller gave up (Ctrl-C, or out of time): free the server's workers too.
            if isinstance(error, KeyboardInterrupt) or error.code == "timeout":
                try:
                    job.cancel(timeout=5)
                except ProblemError:
                    pass
            raise

    def get(self, job_id: str, *, timeout: Optional[float] = None) -> JobInfo:
        """A job's state (``GET /v1/jobs/{id}``)."""
        return cast(JobInfo, self._core.send("GET", f"/v1/jobs/{_quote(job_id)}", timeout=timeout).data)

    def attach(self, job_id: str, *, timeout: Optional[float] = None) -> Job[Any]:
        """A handle on a job submitted earlier (by id), to follow, await or cancel it."""
        return Job(self._core, self.get(job_id, timeout=timeout))

    def cancel(self, job_id: str, *, timeout: Optional[float] = None) -> JobInfo:
        """Dismisses a job (``DELETE /v1/jobs/{id}``)."""
        return cast(JobInfo, self._core.send("DELETE", f"/v1/jobs/{_quote(job_id)}", timeout=timeout).data)

    def list(
        self, *, status: Optional[JobStatusName] = None, limit: Optional[int] = None, cursor: Optional[str] = None, timeout: Optional[float] = None
    ) -> JobList:
        """A page of the caller's jobs, newest first (``GET /v1/jobs``)."""
        query: Dict[str, Union[str, int, None]] = {"status": status, "limit": limit, "cursor": cursor}
        return cast(JobList, self._core.send("GET", "/v1/jobs", query=query, timeout=timeout).data)


class _ClientBase:
    """What every generated ``Client`` has besides ``functions`` and ``jobs``."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8080",
        *,
        token: Union[str, Callable[[], str], None] = None,
        timeout: float = 30.0,
        retries: int = 2,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        self._core = _Core(base_url, token, timeout, retries, headers)

    def health(self, *, timeout: Optional[float] = None) -> Health:
        """``GET /v1/health``."""
        return cast(Health, self._core.send("GET", "/v1/health", timeout=timeout).data)

    def catalogue(self, *, timeout: Optional[float] = None) -> List[FunctionInfo]:
        """The server's functions as it lists them now (``GET /v1/functions``)."""
        data = self._core.send("GET", "/v1/functions", timeout=timeout).data
        return cast(List[FunctionInfo], data["functions"] if isinstance(data, dict) else data)

    def call(self, name: str, input: JsonInput, *, timeout: Optional[float] = None, timeout_ms: Optional[int] = None) -> JsonValue:
        """Calls any function by name, untyped (``POST /v1/functions/{name}/call``); never retried.
        ``timeout_ms`` asks the server to stop the call after that long (``504 call_timeout``)."""
        return self._call_function(name, input, timeout, timeout_ms)

    def _call_function(self, name: str, input: object, timeout: Optional[float], timeout_ms: Optional[int]) -> JsonValue:
        # `object`: the typed methods pass TypedDicts, which are not Mapping[str, JsonInput] to mypy.
        body: Dict[str, object] = {"input": input}
        if timeout_ms is not None:
            body["timeoutMs"] = timeout_ms
        data = self._core.send("POST", f"/v1/functions/{_quote(name)}/call", body=body, timeout=timeout, safe=False).data
        if not isinstance(data, dict) or "output" not in data:
            raise ProblemError("response_invalid", f"the call of {name} answered without an output")
        return data["output"]


def _pairs(value: JsonValue) -> Any:
    """An emitter's output as a list of (key, value) tuples."""
    return [(pair[0], pair[1]) for pair in cast(List[List[JsonValue]], value)]
