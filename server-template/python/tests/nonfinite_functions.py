"""Functions whose results JSON cannot carry (NaN, ±Infinity), to test how they fail."""

import functions  # noqa: F401 — the conformance set, so these workers can serve it too
from polybridge import emitter, unary


@unary(input={}, output={}, name="nanOf")
def nan_of(value: object) -> float:
    """Returns NaN whatever the input."""
    return float("nan")


@unary(input={}, output={}, name="nestedInfinity")
def nested_infinity(value: object) -> object:
    """Returns a structure with -Infinity deep inside."""
    return {"ok": [1, 2.5], "bad": [{"x": float("-inf")}]}


@emitter(input={"type": "number"}, name="pairOf")
def pair_of(x: float) -> list:
    """Emits ["k", x]: every item adds to one key."""
    return [["k", x]]
