"""Assembling a job's result from its chunks' outputs.

Chunks finish in any order; map and filter still return items in input order, fold combines
the chunk partials (in chunk order, which is one of the orders an associative reducer allows),
and mapreduce merges per-key accumulators across chunks and sorts the entries by key.
"""

from __future__ import annotations

from typing import Any

from .jsonio import NonFinite, as_doubles, non_finite_message
from .registry import FunctionSpec
from .worker import group_key


class NonFiniteMerge(ValueError):
    """Merging chunk partials made an accumulator NaN or ±Infinity (e.g. two sums near 1e308).

    `chunk` is the chunk whose partial tipped it over; the engine reports the job as failed at
    that chunk's first item, since every item on its own was fine.
    """

    def __init__(self, reducer: str, value: float, chunk: int) -> None:
        super().__init__(non_finite_message(reducer, value))
        self.chunk = chunk


def entry_sort_key(key: Any) -> tuple[int, Any]:
    """Numbers before strings, numbers ascending, strings by UTF-16 code unit (as JavaScript sorts)."""
    if isinstance(key, str):
        return (1, key.encode("utf-16-be", "surrogatepass"))
    return (0, key)


class ResultBuilder:
    """Collects chunk outputs for one job and builds its `JobResult`."""

    def __init__(self, kind: str, reducer: FunctionSpec | None) -> None:
        if kind in ("fold", "mapreduce") and reducer is None:
            raise ValueError(f"a {kind} job needs its reducer")
        self.kind = kind
        self.reducer = reducer
        self._chunks: dict[int, Any] = {}

    def add(self, chunk_index: int, value: Any) -> None:
        self._chunks[chunk_index] = value

    def has(self, chunk_index: int) -> bool:
        return chunk_index in self._chunks

    def build(self) -> dict[str, Any]:
        """The result object; raises if a user `combine` raises, `NonFiniteMerge` on overflow."""
        ordered = sorted(self._chunks.items())
        if self.kind in ("map", "filter"):
            items: list[Any] = []
            for _, part in ordered:
                items.extend(part)
            return {"kind": self.kind, "items": items}
        assert self.reducer is not None
        if self.kind == "fold":
            value = self.reducer.fresh_identity()
            for chunk, partial in ordered:
                value = self._merge(value, partial, chunk)
            return {"kind": "fold", "value": value}
        merged: dict[Any, list[Any]] = {}
        for chunk, pairs in ordered:
            for key, acc in pairs:
                slot = merged.get(group_key(key))
                if slot is None:
                    merged[group_key(key)] = [key, acc]
                else:
                    slot[1] = self._merge(slot[1], acc, chunk)
        entries = sorted(merged.values(), key=lambda pair: entry_sort_key(pair[0]))
        return {"kind": "mapreduce", "entries": entries}

    def _merge(self, a: Any, b: Any, chunk: int) -> Any:
        assert self.reducer is not None
        try:
            return as_doubles(self.reducer.merge(a, b))  # rounded as a double step would be
        except NonFinite as exc:
            raise NonFiniteMerge(self.reducer.name, exc.value, chunk) from None
