"""pbcompute's functions — the one file you edit.

Each decorated function becomes callable over HTTP, by name, and nothing else does: clients
can never send code. Declare what a function takes and returns as JSON Schema; the server
checks every input against `input` before your code sees it, and lists both schemas in
`GET /v1/functions` so client code can be generated from them.

    @unary(input=..., output=...)               input -> output       call, map, filter (output: bool)
    @reducer(input=..., output=..., identity=…) (acc, item) -> acc    fold, and the reduce side of mapreduce
    @emitter(input=...)                         input -> [[key, value], ...]   the map side of mapreduce

Functions run in worker processes (one per CPU by default), so they may use the CPU freely;
they must be plain top-level functions of this module. A reducer must be associative, and
`identity` must leave any accumulator unchanged. For work that takes long inside one input,
call `check_cancelled()` now and then (or use `interruptible_sleep`) so that cancelled and
timed-out jobs stop promptly.

The first eight functions are the polybridge conformance set: every polybridge server serves
them with exactly this behaviour, so keep them (the conformance suite calls them).
"""

from __future__ import annotations

import re
from typing import Any

from polybridge import emitter, interruptible_sleep, reducer, unary
from polybridge.jsonio import compact_json, is_json_number
from polybridge.philosophers import INPUT_SCHEMA as RING_INPUT
from polybridge.philosophers import OUTPUT_SCHEMA as RING_OUTPUT
from polybridge.philosophers import run_ring

# --- conformance functions (keep) ----------------------------------------------------------


@unary(input={}, output={})
def echo(value: Any) -> Any:
    """Returns the input unchanged."""
    return value


@unary(input={"type": "number"}, output={"type": "number"})
def square(x: float) -> float:
    """Squares a number."""
    return x * x


@unary(input={"type": "integer"}, output={"type": "boolean"}, name="isEven")
def is_even(n: int) -> bool:
    """Whether an integer is even (true for 0 and negative evens)."""
    return n % 2 == 0


@reducer(input={"type": "number"}, output={"type": "number"}, identity=0, name="sum")
def add(acc: float, x: float) -> float:
    """Adds numbers."""
    return acc + x


# Runs of Unicode letters and digits: [^\W_] is \w without the underscore.
_WORD = re.compile(r"[^\W_]+")


@emitter(input={"type": "string"})
def tokenize(text: str) -> list[list[Any]]:
    """Lower-cases the text and emits [word, 1] for each run of letters or digits, in order."""
    return [[word, 1] for word in _WORD.findall(text.lower())]


@unary(input={}, output={"type": "number", "minimum": 0})
def fail(value: Any) -> Any:
    """Returns the input when it is a number >= 0; otherwise fails with 'fail: <input as JSON>'."""
    if is_json_number(value) and value >= 0:
        return value
    raise ValueError(f"fail: {compact_json(value)}")


@unary(input={"type": "integer", "minimum": 0, "maximum": 10000}, output={"type": "integer"})
def sleep(ms: int) -> int:
    """Waits that many milliseconds (cancellable), then returns the input."""
    interruptible_sleep(ms / 1000.0)
    return ms


@unary(input=RING_INPUT, output=RING_OUTPUT, name="diningPhilosophers")
def dining_philosophers(ring: dict[str, int]) -> dict[str, Any]:
    """Runs the Chandy/Misra dining philosophers ring (one thread per philosopher, queue
    mailboxes) and reports what its monitor saw: meals, messages, the eating log and the most
    neighbours ever eating together (0)."""
    return run_ring(ring["philosophers"], ring["meals"], ring.get("seed", 0))


# --- your functions ------------------------------------------------------------------------
# Add yours below, for example:
#
# @unary(input={"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
#        output={"type": "integer"}, name="wordCount")
# def word_count(doc: dict) -> int:
#     """Counts the words of a document."""
#     return len(doc["text"].split())
