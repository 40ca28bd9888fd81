"""JSON reading and writing with the rules the polybridge wire format needs.

The standard `json` module is lenient where the protocol must be strict (it accepts `NaN`
and `Infinity`, and turns `1e400` into an infinite float), and Python's `True == 1` makes
naive comparisons wrong for JSON. This module holds the few helpers that fix that, so the
rest of the server can treat parsed bodies as plain JSON values.
"""

from __future__ import annotations

import json
import math
from typing import Any, Optional, Union

JsonValue = Union[None, bool, int, float, str, list, dict]


class JsonSyntaxError(ValueError):
    """The text is not JSON (or uses numbers JSON cannot represent)."""


class JsonTooDeep(ValueError):
    """The value nests arrays/objects deeper than the allowed limit."""


def _reject_constant(name: str) -> Any:
    raise JsonSyntaxError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonSyntaxError(f"number {text} is out of range")
    return value


def parse_json(data: bytes | str, max_depth: int) -> JsonValue:
    """Parses a request body strictly, then checks its nesting depth.

    Depth counts containers: `1` and `[]` have depths 0 and 1, `[[1]]` has depth 2.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise JsonSyntaxError(f"body is not UTF-8: {exc}") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise JsonTooDeep(f"JSON nests deeper than {max_depth} levels") from None
    except JsonSyntaxError:
        raise
    except ValueError as exc:  # json.JSONDecodeError and int digit limits
        raise JsonSyntaxError(str(exc)) from None
    if nesting_depth(value, max_depth + 1) > max_depth:
        raise JsonTooDeep(f"JSON nests deeper than {max_depth} levels")
    return value


def nesting_depth(value: JsonValue, stop_at: int) -> int:
    """Returns the container depth of `value`, giving up early once it reaches `stop_at`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest >= stop_at:
            return deepest
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return deepest


def dumps(value: Any) -> str:
    """Compact JSON for responses; refuses NaN/Infinity instead of emitting invalid JSON.

    The text is always encodable as UTF-8: a string holding a lone surrogate (a client may send
    `"\\ud800"`, which parses to one) is written as a `\\ud800` escape, as JavaScript's
    `JSON.stringify` does, instead of failing when the response is encoded.
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return text


def _js_number(value: float) -> int | float:
    # JavaScript prints integral numbers without a fraction: 1.0 -> "1".
    if value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def normalize_numbers(value: Any) -> Any:
    """Rewrites integral floats as ints (recursively), as a JavaScript peer would see them."""
    if isinstance(value, float):
        return _js_number(value)
    if isinstance(value, list):
        return [normalize_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize_numbers(v) for k, v in value.items()}
    return value


def compact_json(value: Any) -> str:
    """Renders a value like JavaScript's `JSON.stringify` does (used in error messages)."""
    try:
        return dumps(normalize_numbers(value))
    except (TypeError, ValueError):
        return repr(value)


def canonical_json(value: Any) -> str:
    """A key-order-independent rendering, for comparing request bodies (idempotency)."""
    return json.dumps(normalize_numbers(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: `true` is not `1`, `1` equals `1.0`, object key order is irrelevant."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def is_json_number(value: Any) -> bool:
    """`True` for ints and finite floats; booleans are not numbers in JSON."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def is_json_integer(value: Any) -> bool:
    """JSON Schema's `integer`: any number with a zero fractional part (so `2.0` counts)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def non_finite_number(value: Any) -> Optional[float]:
    """The first NaN or ±Infinity inside `value` (at any depth), or None when there is none.

    JSON has no such numbers: `json.dumps` would write `NaN`/`Infinity` (invalid JSON) or, with
    `allow_nan=False`, fail late while answering. Functions' outputs are checked with this
    first, so the failure is reported as the function's, with the item that caused it.
    """
    if isinstance(value, float):
        return None if math.isfinite(value) else value
    if not isinstance(value, (list, tuple, dict)):
        return None
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, float):
                if not math.isfinite(child):
                    return child
            elif isinstance(child, (list, tuple, dict)):
                stack.append(child)
    return None


def js_number_name(value: float) -> str:
    """How JavaScript prints a non-finite number: `NaN`, `Infinity` or `-Infinity`."""
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def non_finite_message(function: str, value: float) -> str:
    """The error detail every polybridge stack uses for a non-finite result."""
    return f"{function} returned a non-finite number ({js_number_name(value)})"


def ensure_json(value: Any) -> None:
    """Raises `ValueError`/`TypeError` when a function's output cannot be sent as JSON."""
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"output {value} is not a finite number")
        return
    dumps(value)
