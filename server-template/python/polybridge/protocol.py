"""The polybridge request rules, in one place: limits, request schemas, header and query parsing.

These mirror `spec/openapi.yaml` (`CallRequest`, `JobRequest`, `JobOptions`, `Range`, the
`Prefer` header, `listJobs` and `streamJobEvents` parameters) and `docs/PROTOCOL.md` (limits, defaults). A project made
from this template has no `spec/` folder, so the rules are written out here; the conformance
suite is what catches drift from the contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from .chunking import IntRange, JobItems, default_chunk_size, range_length
from .problems import ProblemError, validation_failed
from .validator import FieldError, validate

# Limits every implementation enforces (docs/PROTOCOL.md, "Limits").
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_ITEMS = 1_000_000
MAX_RANGE_LENGTH = 100_000_000
MAX_JSON_DEPTH = 64
MAX_WAIT_SECONDS = 60

DEFAULT_JOB_TIMEOUT_MS = 300_000
DEFAULT_CALL_TIMEOUT_MS = 300_000
DEFAULT_LIST_LIMIT = 20
# `?heartbeatMs=` of `GET /v1/jobs/{id}/events`: the client's heartbeat interval, within these bounds.
MIN_HEARTBEAT_MS = 100
MAX_HEARTBEAT_MS = 60_000

JOB_KINDS = ("map", "filter", "fold", "mapreduce")
JOB_STATUSES = ("accepted", "running", "successful", "failed", "dismissed")
TERMINAL_STATUSES = ("successful", "failed", "dismissed")
# Which function kind each job kind needs (mapreduce also needs a reducer).
FUNCTION_KIND_FOR_JOB = {"map": "unary", "filter": "unary", "fold": "reducer", "mapreduce": "emitter"}

FUNCTION_NAME = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_.-]{0,63}$"}

CALL_REQUEST = {
    "type": "object",
    "required": ["input"],
    "additionalProperties": False,
    "properties": {
        "input": {},
        "timeoutMs": {"type": "integer", "minimum": 1, "maximum": 600_000},
    },
}

RANGE = {
    "type": "object",
    "required": ["start", "end"],
    "additionalProperties": False,
    # `step: {not: {const: 0}}` in the spec; checked in `_range_errors` for a readable message.
    "properties": {"start": {"type": "integer"}, "end": {"type": "integer"}, "step": {"type": "integer"}},
}

JOB_INPUT = {
    "oneOf": [
        {"type": "object", "required": ["items"], "additionalProperties": False,
         "properties": {"items": {"type": "array"}}},
        {"type": "object", "required": ["range"], "additionalProperties": False,
         "properties": {"range": RANGE}},
    ],
}

JOB_OPTIONS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "chunkSize": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "concurrency": {"type": "integer", "minimum": 1, "maximum": 1024},
        "timeoutMs": {"type": "integer", "minimum": 1, "maximum": 86_400_000},
    },
}


def _job_request_schema(kind: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "kind": {"type": "string", "const": kind},
        "function": FUNCTION_NAME,
        "input": JOB_INPUT,
        "options": JOB_OPTIONS,
    }
    required = ["kind", "function", "input"]
    if kind == "mapreduce":
        properties["reducer"] = FUNCTION_NAME
        required.insert(2, "reducer")
    return {"type": "object", "required": required, "additionalProperties": False, "properties": properties}


JOB_REQUESTS = {kind: _job_request_schema(kind) for kind in JOB_KINDS}
JOB_REQUEST = {"oneOf": list(JOB_REQUESTS.values()), "discriminator": {"propertyName": "kind"}}


@dataclass(frozen=True)
class CallRequest:
    input: Any
    timeout_ms: int


@dataclass(frozen=True)
class JobRequest:
    """A validated job submission; `items` is the list or the (unexpanded) range."""

    kind: str
    function: str
    reducer: Optional[str]
    items: JobItems
    options: Mapping[str, int]

    @property
    def total(self) -> int:
        return len(self.items)


def parse_call_request(body: Any) -> CallRequest:
    errors = validate(body, CALL_REQUEST)
    if errors:
        raise validation_failed(errors)
    return CallRequest(body["input"], int(body.get("timeoutMs", DEFAULT_CALL_TIMEOUT_MS)))


def parse_job_request(body: Any) -> JobRequest:
    """Checks a `POST /v1/jobs` body against `JobRequest` and the limits on its input size."""
    if not isinstance(body, dict):
        raise validation_failed([FieldError("", "must be object")])
    kind = body.get("kind")
    if "kind" not in body:
        raise validation_failed([FieldError("/kind", "must have required property 'kind'")])
    if kind not in JOB_KINDS:
        raise validation_failed([FieldError("/kind", "must be equal to one of the allowed values: " + ", ".join(JOB_KINDS))])
    errors = validate(body, JOB_REQUEST) + _range_errors(body)  # the discriminator picks the kind's schema
    if errors:
        raise validation_failed(errors)

    source = body["input"]
    items: JobItems
    if "range" in source:
        spec = source["range"]
        start, end, step = int(spec["start"]), int(spec["end"]), int(spec.get("step", 1))
        length = range_length(start, end, step)
        if length > MAX_RANGE_LENGTH:
            raise ProblemError("too_many_items", f"The range has {length} values; the limit is {MAX_RANGE_LENGTH}.")
        items = IntRange(start, end, step)
    else:
        items = source["items"]
        if len(items) > MAX_ITEMS:
            raise ProblemError("too_many_items", f"{len(items)} items; the limit is {MAX_ITEMS}.")
    return JobRequest(kind, body["function"], body.get("reducer"), items, body.get("options", {}))


def _range_errors(body: Mapping[str, Any]) -> list[FieldError]:
    source = body.get("input")
    spec = source.get("range") if isinstance(source, dict) else None
    if isinstance(spec, dict) and "step" in spec and spec["step"] == 0 and not isinstance(spec["step"], bool):
        return [FieldError("/input/range/step", "must not be 0")]
    return []


def effective_options(requested: Mapping[str, int], total: int, workers: int) -> dict[str, int]:
    """The malt the server applies: the client's values, defaults for the rest."""
    return {
        "chunkSize": int(requested.get("chunkSize", default_chunk_size(total, workers))),
        "concurrency": int(requested.get("concurrency", max(1, workers))),
        "timeoutMs": int(requested.get("timeoutMs", DEFAULT_JOB_TIMEOUT_MS)),
    }


@dataclass(frozen=True)
class Preference:
    """What the `Prefer` header asked for (RFC 7240): respond-async and/or wait=N (capped)."""

    respond_async: bool = False
    wait_seconds: Optional[int] = None


_WAIT = re.compile(r"^wait\s*=\s*\"?(\d+)\"?$", re.IGNORECASE)


def parse_prefer(header: str | None) -> Preference:
    """Unknown or malformed preferences are ignored, as RFC 7240 asks."""
    if not header:
        return Preference()
    respond_async = False
    wait: Optional[int] = None
    for part in header.split(","):
        token = part.split(";", 1)[0].strip()
        if token.lower() == "respond-async":
            respond_async = True
            continue
        match = _WAIT.match(token)
        if match:
            wait = min(int(match.group(1)), MAX_WAIT_SECONDS)
    return Preference(respond_async, wait)


@dataclass(frozen=True)
class ListQuery:
    status: Optional[str]
    limit: int
    cursor: Optional[str]


def parse_list_query(query: Mapping[str, list[str]]) -> ListQuery:
    """Validates `GET /v1/jobs` query parameters (`status`, `limit`, `cursor`)."""
    errors: list[FieldError] = []
    status = _single(query, "status")
    if status is not None and status not in JOB_STATUSES:
        errors.append(FieldError("/status", "must be equal to one of the allowed values: " + ", ".join(JOB_STATUSES)))
    limit = DEFAULT_LIST_LIMIT
    raw_limit = _single(query, "limit")
    if raw_limit is not None:
        if not re.fullmatch(r"[0-9]{1,6}", raw_limit):
            errors.append(FieldError("/limit", "must be integer"))
        elif not 1 <= int(raw_limit) <= 100:
            errors.append(FieldError("/limit", "must be >= 1 and <= 100"))
        else:
            limit = int(raw_limit)
    cursor = _single(query, "cursor")
    if cursor is not None and len(cursor) > 200:
        errors.append(FieldError("/cursor", "must NOT have more than 200 characters"))
    if errors:
        raise validation_failed(errors)
    return ListQuery(status, limit, cursor)


MAX_JOB_ID_LENGTH = 100
_FUNCTION_NAME = re.compile(FUNCTION_NAME["pattern"])


def check_path_params(params: Mapping[str, str]) -> None:
    """The spec's path parameters: `name` is a FunctionName, `id` a JobId (1 to 100 characters).

    Checked before the endpoint runs (and before any body is read), like the query parameters;
    an empty segment never gets here, as it matches no route (`404 not_found`).
    """
    errors: list[FieldError] = []
    name = params.get("name")
    if name is not None and not _FUNCTION_NAME.fullmatch(name):
        errors.append(FieldError("/name", f"must match pattern \"{FUNCTION_NAME['pattern']}\""))
    job_id = params.get("id")
    if job_id is not None and len(job_id) > MAX_JOB_ID_LENGTH:
        errors.append(FieldError("/id", f"must NOT have more than {MAX_JOB_ID_LENGTH} characters"))
    if errors:
        raise validation_failed(errors)


def parse_heartbeat_ms(query: Mapping[str, list[str]]) -> Optional[int]:
    """`?heartbeatMs=` of `GET /v1/jobs/{id}/events`: None when absent, else an integer in 100..60000."""
    raw = _single(query, "heartbeatMs")
    if raw is None:
        return None
    if not re.fullmatch(r"-?[0-9]{1,15}", raw):
        raise validation_failed([FieldError("/heartbeatMs", "must be integer")])
    value = int(raw)
    if value < MIN_HEARTBEAT_MS:
        raise validation_failed([FieldError("/heartbeatMs", f"must be >= {MIN_HEARTBEAT_MS}")])
    if value > MAX_HEARTBEAT_MS:
        raise validation_failed([FieldError("/heartbeatMs", f"must be <= {MAX_HEARTBEAT_MS}")])
    return value


def _single(query: Mapping[str, list[str]], name: str) -> Optional[str]:
    values = query.get(name)
    return values[-1] if values else None
