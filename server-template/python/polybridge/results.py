"""Assembling a job's result from its chunks' outputs.

Chunks finish in any order; map and filter still return items in input order, fold combines
the chunk partials (in chunk order, which is one of the orders an associative reducer allows),
and mapreduce merges per-key accumulators across chunks and sorts the entries by key.
"""

from __future__ import annotations

from typing import Any

from .registry import FunctionSpec
from .worker import group_key


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
        """The result object; raises if a user `combine` raises."""
        ordered = [self._chunks[i] for i in sorted(self._chunks)]
        if self.kind in ("map", "filter"):
            items: list[Any] = []
            for part in ordered:
                items.extend(part)
            return {"kind": self.kind, "items": items}
        assert self.reducer is not None
        if self.kind == "fold":
            value = self.reducer.fresh_identity()
            for partial in ordered:
                value = self.reducer.merge(value, partial)
            return {"kind": "fold", "value": value}
        merged: dict[Any, list[Any]] = {}
        for pairs in ordered:
            for key, acc in pairs:
                slot = merged.get(group_key(key))
                if slot is None:
                    merged[group_key(key)] = [key, acc]
                else:
                    slot[1] = self.reducer.merge(slot[1], acc)
        entries = sorted(merged.values(), key=lambda pair: entry_sort_key(pair[0]))
        return {"kind": "mapreduce", "entries": entries}
