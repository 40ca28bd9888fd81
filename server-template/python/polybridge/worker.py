"""What runs inside the worker processes: one chunk of a job, or one sync call.

Everything here is picklable and looks functions up by name in the worker's own registry
(filled by importing the project's `functions` module in `init_worker`), so only names and
JSON values cross the process boundary. Item errors are returned as values, not raised, so
the server learns the failing item's index.
"""

from __future__ import annotations

import importlib
import signal
from dataclasses import dataclass
from typing import Any, Optional, Union

from . import cancel
from .cancel import Cancelled, CancelToken
from .chunking import ChunkItems
from .jsonio import NonFinite, as_doubles, non_finite_message
from .registry import REGISTRY, FunctionSpec
from .validator import fast_check, validate


@dataclass(frozen=True)
class ChunkTask:
    """One chunk of a job. `offset` is the index of its first item in the job's input."""

    job_kind: str
    function: str
    reducer: Optional[str]
    items: ChunkItems
    offset: int
    cancel: Optional[CancelToken]


@dataclass(frozen=True)
class ChunkDone:
    """A finished chunk: map/filter → list, fold → accumulator, mapreduce → [[key, acc], …]."""

    value: Any
    count: int


@dataclass(frozen=True)
class ItemFailed:
    index: int
    message: str


@dataclass(frozen=True)
class ChunkCancelled:
    pass


ChunkOutcome = Union[ChunkDone, ItemFailed, ChunkCancelled]


@dataclass(frozen=True)
class CallOutcome:
    """A sync call's result: `output` when `ok`, else the function's error `message`."""

    ok: bool
    output: Any = None
    message: str = ""
    cancelled: bool = False


def init_worker(shared_cancel_array: Any, functions_module: str) -> None:
    """Process-pool initializer: map the cancel board and register the project's functions.

    Ctrl-C reaches the whole process group; workers ignore it so that the server alone
    decides how to shut down (drain, then stop the workers).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cancel.install(shared_cancel_array)
    importlib.import_module(functions_module)


def warm_up() -> int:
    """A no-op task used to start every worker process before the server says it is ready."""
    return len(REGISTRY.functions)


class _ItemError(Exception):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def _message(exc: BaseException) -> str:
    text = str(exc)
    return text if text else type(exc).__name__


def _lookup(name: Optional[str]) -> FunctionSpec:
    spec = REGISTRY.get(name or "")
    if spec is None:
        raise LookupError(f"function {name!r} is not registered in the worker")
    return spec


def _invalid(value: Any, schema: Any) -> Optional[str]:
    """`None` when `value` is valid, else the first error as text (for the item's error)."""
    errors = validate(value, schema)
    if not errors:
        return None
    first = errors[0]
    where = f"{first.path} " if first.path else ""
    return f"{where}{first.message}"


def run_chunk(task: ChunkTask) -> ChunkOutcome:
    """Runs one chunk, checking for cancellation between items."""
    spec = _lookup(task.function)
    try:
        with cancel.running(task.cancel):
            runner = _RUNNERS[task.job_kind]
            value, count = runner(task, spec)
            return ChunkDone(value, count)
    except Cancelled:
        return ChunkCancelled()
    except _ItemError as exc:
        return ItemFailed(exc.index, exc.message)


def _each(task: ChunkTask, spec: FunctionSpec) -> Any:
    """Yields `(index, item)` after validating the item; stops with `Cancelled` when asked."""
    quick = fast_check(spec.input_schema)
    for position, item in enumerate(task.items):
        cancel.check_cancelled()
        index = task.offset + position
        if quick is None or not quick(item):
            problem = _invalid(item, spec.input_schema)
            if problem is not None:
                raise _ItemError(index, f"item {index} is invalid: {problem}")
        yield index, item


def checked_output(spec: FunctionSpec, output: Any) -> Any:
    """`output` as JSON with its numbers as doubles (see jsonio); `ValueError` naming the function if it cannot be sent.

    NaN and ±Infinity (say `square(1e200)`) are the function's failure, never `null` or
    `Infinity` on the wire: the item fails (`item_failed`) or the call does (`function_failed`).
    An integer result beyond 2^53 becomes the nearest double here, after every application,
    so a fold rounds at each step as a double computation does.
    """
    try:
        return as_doubles(output)
    except NonFinite as exc:
        raise ValueError(non_finite_message(spec.name, exc.value)) from None


def _apply(spec: FunctionSpec, index: int, *args: Any) -> Any:
    try:
        return checked_output(spec, spec.fn(*args))
    except Cancelled:
        raise
    except Exception as exc:  # the function's own error is the item's error
        raise _ItemError(index, _message(exc)) from None


def _run_map(task: ChunkTask, spec: FunctionSpec) -> tuple[Any, int]:
    out = [_apply(spec, index, item) for index, item in _each(task, spec)]
    return out, len(out)


def _run_filter(task: ChunkTask, spec: FunctionSpec) -> tuple[Any, int]:
    kept: list[Any] = []
    count = 0
    for index, item in _each(task, spec):
        verdict = _apply(spec, index, item)
        if not isinstance(verdict, bool):
            raise _ItemError(index, f"filter function {spec.name} returned {type(verdict).__name__}, not a boolean")
        if verdict:
            kept.append(item)
        count += 1
    return kept, count


def _run_fold(task: ChunkTask, spec: FunctionSpec) -> tuple[Any, int]:
    acc = spec.fresh_identity()
    count = 0
    for index, item in _each(task, spec):
        acc = _apply(spec, index, acc, item)
        count += 1
    return acc, count


def _run_mapreduce(task: ChunkTask, spec: FunctionSpec) -> tuple[Any, int]:
    reducer = _lookup(task.reducer)
    value_ok = fast_check(reducer.input_schema)
    groups: dict[Any, list[Any]] = {}  # key -> [original key, accumulator]
    count = 0
    for index, item in _each(task, spec):
        pairs = _apply(spec, index, item)
        for key, value in _pairs(pairs, index):
            problem = None if value_ok is not None and value_ok(value) else _invalid(value, reducer.input_schema)
            if problem is not None:
                raise _ItemError(index, f"item {index} emitted an invalid value for {reducer.name}: {problem}")
            slot = groups.get(group_key(key))
            if slot is None:
                slot = groups[group_key(key)] = [key, reducer.fresh_identity()]
            slot[1] = _apply(reducer, index, slot[1], value)
        count += 1
    return list(groups.values()), count


def group_key(key: Any) -> tuple[int, Any]:
    """Keeps `1` and `"1"` apart (Python would already) and `1`/`1.0` together (as JSON does)."""
    return (0, key) if isinstance(key, str) else (1, key)


def _pairs(pairs: Any, index: int) -> list[tuple[Any, Any]]:
    if not isinstance(pairs, (list, tuple)):
        raise _ItemError(index, f"emitter returned {type(pairs).__name__}, not a list of [key, value] pairs")
    out = []
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise _ItemError(index, f"emitter returned {pair!r}, not a [key, value] pair")
        key = pair[0]
        if isinstance(key, bool) or not isinstance(key, (str, int, float)):
            raise _ItemError(index, f"emitter key {key!r} is not a string or a number")
        out.append((key, pair[1]))
    return out


_RUNNERS = {"map": _run_map, "filter": _run_filter, "fold": _run_fold, "mapreduce": _run_mapreduce}


def run_call(name: str, value: Any, token: Optional[CancelToken]) -> CallOutcome:
    """One synchronous call (input already validated by the server)."""
    spec = _lookup(name)
    try:
        with cancel.running(token):
            if spec.kind == "reducer":
                output = spec.step(value[0], value[1])
            elif spec.kind == "emitter":
                output = [[k, v] for k, v in _pairs(spec.fn(value), 0)]
            else:
                output = spec.fn(value)
            return CallOutcome(True, checked_output(spec, output))
    except Cancelled:
        return CallOutcome(False, message="cancelled", cancelled=True)
    except _ItemError as exc:
        return CallOutcome(False, message=exc.message)
    except Exception as exc:
        return CallOutcome(False, message=_message(exc))
