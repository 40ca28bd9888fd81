"""A small JSON Schema validator (the subset polybridge functions and requests use).

No PyPI is needed: the server checks call inputs, job items and request bodies with this.
Supported keywords: `type` (with JSON's integer-vs-number rule: `2.0` is an integer, `true`
is not a number), `enum`, `const`, `minimum`/`maximum`/`exclusiveMinimum`/`exclusiveMaximum`,
`multipleOf`, `minLength`/`maxLength`, `pattern`, `items`/`prefixItems`, `minItems`/`maxItems`,
`uniqueItems`, `properties`/`required`/`additionalProperties`, `allOf`/`anyOf`/`oneOf`/`not`,
boolean schemas, and OpenAPI's `discriminator` (to pick one `oneOf` branch and report its
errors only). Unknown keywords (`description`, `format`, …) are ignored, as JSON Schema allows.

Errors are `FieldError(path, message)` with JSON Pointer paths, messages worded like Ajv's so
that clients see the same text from every polybridge stack.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional

from .jsonio import compact_json, is_json_integer, is_json_number, json_equal

Schema = Any  # a dict or a bool


@dataclass(frozen=True)
class FieldError:
    """One invalid field: a JSON Pointer into the checked document and what is wrong."""

    path: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


def pointer_token(key: str | int) -> str:
    """Escapes one JSON Pointer reference token (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _has_type(value: Any, name: str) -> bool:
    if name == "integer":
        return is_json_integer(value)
    if name == "number":
        return is_json_number(value)
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    return False


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _fmt(number: Any) -> str:
    return compact_json(number)


def validate(value: Any, schema: Schema, path: str = "") -> list[FieldError]:
    """Returns every error of `value` against `schema`; an empty list means valid."""
    errors: list[FieldError] = []
    _check(value, schema, path, errors)
    return errors


def is_valid(value: Any, schema: Schema) -> bool:
    """Whether `value` satisfies `schema` (no error list is built)."""
    return not validate(value, schema)


def _check(value: Any, schema: Schema, path: str, out: list[FieldError]) -> None:
    if schema is True or schema == {}:
        return
    if schema is False:
        out.append(FieldError(path, "must not be present"))
        return
    if not isinstance(schema, dict):
        raise TypeError(f"schema at {path or '/'} must be an object or a boolean")

    expected = schema.get("type")
    if expected is not None:
        names = [expected] if isinstance(expected, str) else list(expected)
        if not any(_has_type(value, n) for n in names):
            out.append(FieldError(path, f"must be {','.join(names)}"))
            return  # further keywords would only repeat the type mismatch

    if "const" in schema and not json_equal(value, schema["const"]):
        out.append(FieldError(path, f"must be equal to constant {compact_json(schema['const'])}"))
    if "enum" in schema and not any(json_equal(value, option) for option in schema["enum"]):
        allowed = ", ".join(compact_json(o) for o in schema["enum"])
        out.append(FieldError(path, f"must be equal to one of the allowed values: {allowed}"))

    if is_json_number(value):
        _check_number(value, schema, path, out)
    elif isinstance(value, str):
        _check_string(value, schema, path, out)
    elif isinstance(value, list):
        _check_array(value, schema, path, out)
    elif isinstance(value, dict):
        _check_object(value, schema, path, out)

    _check_combinators(value, schema, path, out)


def _check_number(value: float, schema: Mapping[str, Any], path: str, out: list[FieldError]) -> None:
    if "minimum" in schema and value < schema["minimum"]:
        out.append(FieldError(path, f"must be >= {_fmt(schema['minimum'])}"))
    if "maximum" in schema and value > schema["maximum"]:
        out.append(FieldError(path, f"must be <= {_fmt(schema['maximum'])}"))
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        out.append(FieldError(path, f"must be > {_fmt(schema['exclusiveMinimum'])}"))
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        out.append(FieldError(path, f"must be < {_fmt(schema['exclusiveMaximum'])}"))
    step = schema.get("multipleOf")
    if step is not None and not is_json_integer(value / step):
        out.append(FieldError(path, f"must be multiple of {_fmt(step)}"))


def _check_string(value: str, schema: Mapping[str, Any], path: str, out: list[FieldError]) -> None:
    # JSON Schema counts code points, which is what len() of a Python str gives.
    if "minLength" in schema and len(value) < schema["minLength"]:
        out.append(FieldError(path, f"must NOT have fewer than {schema['minLength']} characters"))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        out.append(FieldError(path, f"must NOT have more than {schema['maxLength']} characters"))
    pattern = schema.get("pattern")
    if pattern is not None and not _compiled(pattern).search(value):
        out.append(FieldError(path, f'must match pattern "{pattern}"'))


def _check_array(value: list[Any], schema: Mapping[str, Any], path: str, out: list[FieldError]) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        out.append(FieldError(path, f"must NOT have fewer than {schema['minItems']} items"))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        out.append(FieldError(path, f"must NOT have more than {schema['maxItems']} items"))
    prefix = schema.get("prefixItems")
    start = 0
    if isinstance(prefix, list):
        for index, (item, item_schema) in enumerate(zip(value, prefix)):
            _check(item, item_schema, f"{path}/{index}", out)
        start = len(prefix)
    items = schema.get("items")
    if isinstance(items, list):  # draft-07 tuple form
        for index, (item, item_schema) in enumerate(zip(value, items)):
            _check(item, item_schema, f"{path}/{index}", out)
    elif items is not None:
        for index in range(start, len(value)):
            _check(value[index], items, f"{path}/{index}", out)
    if schema.get("uniqueItems"):
        for i in range(len(value)):
            if any(json_equal(value[i], value[j]) for j in range(i)):
                out.append(FieldError(path, f"must NOT have duplicate items (item {i} repeats an earlier one)"))
                break


def _check_object(value: dict[str, Any], schema: Mapping[str, Any], path: str, out: list[FieldError]) -> None:
    for name in schema.get("required", ()):
        if name not in value:
            out.append(FieldError(f"{path}/{pointer_token(name)}", f"must have required property '{name}'"))
    properties: Mapping[str, Any] = schema.get("properties", {})
    additional = schema.get("additionalProperties", True)
    for name, item in value.items():
        child = f"{path}/{pointer_token(name)}"
        if name in properties:
            _check(item, properties[name], child, out)
        elif additional is False:
            out.append(FieldError(child, "must NOT have additional properties"))
        elif additional is not True:
            _check(item, additional, child, out)


def _check_combinators(value: Any, schema: Mapping[str, Any], path: str, out: list[FieldError]) -> None:
    for sub in schema.get("allOf", ()):
        _check(value, sub, path, out)
    if "anyOf" in schema:
        branches = [validate(value, sub, path) for sub in schema["anyOf"]]
        if all(branches):
            out.extend(_closest(branches, path))
            out.append(FieldError(path, "must match a schema in anyOf"))
    if "oneOf" in schema:
        _check_one_of(value, schema, path, out)
    if "not" in schema and is_valid(value, schema["not"]):
        out.append(FieldError(path, "must NOT be valid"))


def _check_one_of(value: Any, schema: Mapping[str, Any], path: str, out: list[FieldError]) -> None:
    options: list[Any] = schema["oneOf"]
    chosen = _discriminated_branch(value, schema)
    if chosen is not None:
        _check(value, chosen, path, out)
        return
    branches = [validate(value, sub, path) for sub in options]
    passing = sum(1 for b in branches if not b)
    if passing == 1:
        return
    if passing == 0:
        out.extend(_closest(branches, path))
    out.append(FieldError(path, "must match exactly one schema in oneOf"))


def _discriminated_branch(value: Any, schema: Mapping[str, Any]) -> Schema | None:
    """With an OpenAPI `discriminator`, the branch whose `const` matches the tag (if any)."""
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, Mapping) or not isinstance(value, dict):
        return None
    tag = value.get(discriminator.get("propertyName"))
    for branch in schema["oneOf"]:
        prop = branch.get("properties", {}).get(discriminator["propertyName"], {}) if isinstance(branch, Mapping) else {}
        if isinstance(prop, Mapping) and "const" in prop and json_equal(prop["const"], tag):
            return branch
    return None


def _closest(branches: list[list[FieldError]], path: str) -> list[FieldError]:
    """Errors of the failing branch that got furthest: fewest errors at the branch's own level.

    Reporting every branch's errors (as Ajv does) buries the useful one; for `{items: "x"}`
    against `items | range`, the items branch's "/input/items must be array" is the answer.
    """
    def cost(errors: list[FieldError]) -> tuple[int, int]:
        shallow = sum(1 for e in errors if e.path == path or e.message.startswith(("must have required", "must NOT have additional")))
        return shallow, len(errors)

    return min(branches, key=cost)


_FAST_KEYWORDS = {"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "description", "title", "$comment"}
_FAST_TYPES: dict[str, Callable[[Any], bool]] = {
    "integer": lambda v: type(v) is int or (type(v) is float and math.isfinite(v) and v.is_integer()),
    "number": lambda v: type(v) is int or (type(v) is float and math.isfinite(v)),
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
    "array": lambda v: type(v) is list,
    "object": lambda v: type(v) is dict,
}


def fast_check(schema: Schema) -> Optional[Callable[[Any], bool]]:
    """An exact, quick `is_valid` for the common simple schemas (`{type, minimum, …}`), else `None`.

    Workers check every job item; `validate` builds paths and messages that are only needed
    when an item is invalid, so the hot path uses this predicate and falls back to `validate`
    to explain a failure.
    """
    if schema is True or schema == {}:
        return lambda value: True
    if not isinstance(schema, dict) or not set(schema) <= _FAST_KEYWORDS:
        return None
    kind = schema.get("type")
    if kind is not None and (not isinstance(kind, str) or kind not in _FAST_TYPES):
        return None
    has_type = _FAST_TYPES[kind] if kind is not None else (lambda value: True)
    low, high = schema.get("minimum"), schema.get("maximum")
    low_ex, high_ex = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if low is None and high is None and low_ex is None and high_ex is None:
        return has_type

    def check(value: Any) -> bool:
        if not has_type(value):
            return False
        if not is_json_number(value):
            return True
        return ((low is None or value >= low) and (high is None or value <= high)
                and (low_ex is None or value > low_ex) and (high_ex is None or value < high_ex))
    return check
