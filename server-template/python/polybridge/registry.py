"""The function catalogue and the decorators that fill it (`@unary`, `@reducer`, `@emitter`).

Clients can only run functions registered here, so declaring a function is the whole
integration: its JSON Schemas become the catalogue entry, validate inputs before the
function runs, and drive codegen on the client side.

    @unary(input={"type": "number"}, output={"type": "number"})
    def square(x):
        "Squares a number."
        return x * x
"""

from __future__ import annotations

import copy
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .validator import Schema

NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
KINDS = ("unary", "reducer", "emitter")


@dataclass(frozen=True)
class FunctionSpec:
    """One registered function: what the catalogue shows and what the workers call."""

    name: str
    kind: str
    description: str
    input_schema: Schema
    output_schema: Schema
    fn: Callable[..., Any]
    identity: Any = None
    combine: Optional[Callable[[Any, Any], Any]] = None

    def step(self, acc: Any, item: Any) -> Any:
        """A reducer folding one item into an accumulator."""
        return self.fn(acc, item)

    def merge(self, a: Any, b: Any) -> Any:
        """A reducer merging two accumulators (the `step` itself unless `combine` was given)."""
        return (self.combine or self.fn)(a, b)

    def fresh_identity(self) -> Any:
        """A copy of the identity, so reducers that mutate their accumulator stay safe."""
        return copy.deepcopy(self.identity)

    def to_json(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "inputSchema": _as_object_schema(self.input_schema),
            "outputSchema": _as_object_schema(self.output_schema),
        }
        if self.kind == "reducer":
            info["identity"] = self.identity
        return info


def _as_object_schema(schema: Schema) -> dict[str, Any]:
    # The catalogue promises objects; boolean schemas have object equivalents.
    if schema is True:
        return {}
    if schema is False:
        return {"not": {}}
    return schema


@dataclass
class Registry:
    """Functions by name. One process-wide instance (`REGISTRY`) is filled by the decorators."""

    functions: dict[str, FunctionSpec] = field(default_factory=dict)

    def add(self, spec: FunctionSpec) -> FunctionSpec:
        if not NAME_PATTERN.match(spec.name):
            raise ValueError(f"function name {spec.name!r} must match {NAME_PATTERN.pattern}")
        if spec.kind not in KINDS:
            raise ValueError(f"function kind {spec.kind!r} must be one of {', '.join(KINDS)}")
        if spec.name in self.functions:
            raise ValueError(f"function {spec.name!r} is registered twice")
        for label, schema in (("input", spec.input_schema), ("output", spec.output_schema)):
            if not isinstance(schema, (dict, bool)):
                raise TypeError(f"{spec.name}: {label} schema must be a dict (JSON Schema) or a bool")
        self.functions[spec.name] = spec
        return spec

    def get(self, name: str) -> FunctionSpec | None:
        return self.functions.get(name)

    def sorted(self) -> list[FunctionSpec]:
        return [self.functions[n] for n in sorted(self.functions)]


REGISTRY = Registry()


def _describe(fn: Callable[..., Any], description: str | None) -> str:
    if description is not None:
        return description
    doc = inspect.getdoc(fn) or ""
    return doc.split("\n\n", 1)[0].replace("\n", " ").strip()


def unary(*, input: Schema, output: Schema, name: str | None = None, description: str | None = None,
          registry: Registry = REGISTRY) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Registers `fn(input) -> output` (used by call, map and filter)."""
    def register(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        registry.add(FunctionSpec(name or fn.__name__, "unary", _describe(fn, description), input, output, fn))
        return fn
    return register


def reducer(*, input: Schema, output: Schema, identity: Any, combine: Callable[[Any, Any], Any] | None = None,
            name: str | None = None, description: str | None = None,
            registry: Registry = REGISTRY) -> Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]]:
    """Registers an associative `fn(acc, item) -> acc` with its `identity` (fold, mapreduce).

    `input` is the schema of one item, `output` the schema of the accumulator. Pass `combine`
    when merging two accumulators differs from folding in one item.
    """
    def register(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        registry.add(FunctionSpec(name or fn.__name__, "reducer", _describe(fn, description), input, output, fn,
                                  identity=identity, combine=combine))
        return fn
    return register


def emitter(*, input: Schema, output: Schema | None = None, name: str | None = None, description: str | None = None,
            registry: Registry = REGISTRY) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Registers `fn(input) -> [[key, value], …]` (the map side of mapreduce); keys are strings or numbers."""
    pairs = output if output is not None else {
        "type": "array",
        "items": {"type": "array", "prefixItems": [{"type": ["string", "number"]}, {}], "minItems": 2, "maxItems": 2},
    }

    def register(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        registry.add(FunctionSpec(name or fn.__name__, "emitter", _describe(fn, description), input, pairs, fn))
        return fn
    return register
