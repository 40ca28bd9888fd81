"""JSON reading and writing with the rules the polybridge wire format needs.

The standard `json` module is lenient where the protocol must be strict (it accepts `NaN`
and `Infinity`, and turns `1e400` into an infinite float), and Python's `True == 1` makes
naive comparisons wrong for JSON. This module holds the few helpers that fix that, so the
rest of the server can treat parsed bodies as plain JSON values.

Numbers are IEEE-754 doubles, as on every polybridge stack (I-JSON, RFC 7493). Inside the
server a number is held in one canonical form: an `int` when the double is integral with a
magnitude below 1e21 (so it is written without a fraction or an exponent, as JavaScript's
`JSON.stringify` writes it), else a `float`. An integer beyond ±(2^53 − 1) is rounded to
the nearest double on the way in, and after every function application (`as_doubles`), so
`square(134217729)` is 18014398777917440 here as everywhere, never Python's exact
18014398777917441. Exact integer arithmetic followed by one rounding is what IEEE-754 gives
for +, − and ×, so rounding each result reproduces a double computation step by step.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Optional, Union

JsonValue = Union[None, bool, int, float, str, list, dict]


class JsonSyntaxError(ValueError):
    """The text is not JSON (or uses numbers JSON cannot represent)."""


class JsonTooDeep(ValueError):
    """The value nests arrays/objects deeper than the allowed limit."""


def _reject_constant(name: str) -> Any:
    raise JsonSyntaxError(f"{name} is not valid JSON")


MAX_SAFE_INTEGER = 2 ** 53 - 1


def _finite_float(text: str) -> int | float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonSyntaxError(f"number {text} is out of range")
    return int(value) if value.is_integer() and abs(value) < 1e21 else value


def _double_int(text: str) -> int | float:
    value = int(text)
    if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return value
    try:
        return _round_int(value)
    except OverflowError:
        raise JsonSyntaxError(f"number {text[:20]}… is out of range") from None


def _round_int(value: int) -> int | float:
    """The double nearest to an integer, in canonical form; `OverflowError` beyond ±1.8e308."""
    rounded = float(value)
    return int(rounded) if abs(rounded) < 1e21 else rounded


def js_number(value: int | float) -> int | float:
    """A number in canonical form (see the module's docstring); non-finite floats pass through."""
    if type(value) is int:
        return value if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else _round_int(value)
    if type(value) is float and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


class NonFinite(ValueError):
    """A function's output holds a number JSON cannot carry (NaN, ±Infinity, or an int past 1.8e308)."""

    def __init__(self, value: float) -> None:
        super().__init__(js_number_name(value))
        self.value = value


def as_doubles(value: Any) -> Any:
    """A function's output as a JSON value with canonical numbers (tuples become lists).

    Raises `NonFinite` for NaN/±Infinity (or an integer too large for a double) and
    `TypeError` for values JSON cannot represent, so the failure is the function's.
    """
    kind = type(value)
    if kind is int:
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return value
        try:
            return _round_int(value)
        except OverflowError:
            raise NonFinite(math.inf if value > 0 else -math.inf) from None
    if kind is float:
        if not math.isfinite(value):
            raise NonFinite(value)
        return int(value) if value.is_integer() and abs(value) < 1e21 else value
    if kind is str or value is None or kind is bool:
        return value
    if isinstance(value, (list, tuple)):
        return [as_doubles(item) for item in value]
    if isinstance(value, dict):
        return {_json_key(key): as_doubles(item) for key, item in value.items()}
    for plain in (int, float, str):  # subclasses such as IntEnum or StrEnum
        if isinstance(value, plain):
            return as_doubles(plain(value))
    raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key if not isinstance(key, float) else js_number(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


# An integer literal of 16 or more digits may lie beyond 2^53; shorter ones never do.
_LONG_INTEGER = re.compile(r"[0-9]{16}")


def parse_json(data: bytes | str, max_depth: int) -> JsonValue:
    """Parses a request body strictly, then checks its nesting depth.

    Depth counts containers: `1` and `[]` have depths 0 and 1, `[[1]]` has depth 2.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise JsonSyntaxError(f"body is not UTF-8: {exc}") from None
    try:
        # Hooking every integer would slow big bodies down; only long ones can need rounding.
        parse_int = _double_int if _LONG_INTEGER.search(text) else None
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=parse_int)
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


def normalize_numbers(value: Any) -> Any:
    """Rewrites numbers in canonical form (recursively), as a JavaScript peer would see them."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return js_number(value) if not isinstance(value, float) or math.isfinite(value) else value
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


def js_number_name(value: float) -> str:
    """How JavaScript prints a non-finite number: `NaN`, `Infinity` or `-Infinity`."""
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def non_finite_message(function: str, value: float) -> str:
    """The error detail every polybridge stack uses for a non-finite result."""
    return f"{function} returned a non-finite number ({js_number_name(value)})"
