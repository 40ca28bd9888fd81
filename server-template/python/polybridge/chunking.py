"""Splitting a job's input into chunks, without ever expanding a range in the server.

A range input is "a small message for a big computation": `{start: 0, end: 100000000}` must
not become a list of 10^8 ints in the HTTP process. Chunks are computed arithmetically
(chunk `i` covers items `i*size … i*size+size-1`) and a range chunk travels to the worker as
`(first value, step, count)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence, Union

from .jsonio import MAX_SAFE_INTEGER, js_number

# The default chunk size aims at a few chunks per worker (progress, balance) but stays bounded
# so one chunk's output never gets huge.
CHUNKS_PER_WORKER = 4
MAX_DEFAULT_CHUNK_SIZE = 10_000


@dataclass(frozen=True)
class IntRange:
    """The integers `start, start+step, …` up to but excluding `end` (step may be negative)."""

    start: int
    end: int
    step: int = 1

    def __post_init__(self) -> None:
        if self.step == 0:
            raise ValueError("range step must not be 0")

    def __len__(self) -> int:
        return range_length(self.start, self.end, self.step)

    def value(self, index: int) -> int:
        return self.start + index * self.step

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.start, self.end, self.step))


def range_length(start: int, end: int, step: int) -> int:
    """How many values a range has (0 when `step` points away from `end`)."""
    if step > 0:
        return max(0, (end - start + step - 1) // step)
    return max(0, (start - end - step - 1) // -step)


@dataclass(frozen=True)
class RangeSlice:
    """A chunk of a range as it is sent to a worker."""

    first: int
    step: int
    count: int

    def __iter__(self) -> Iterator[int]:
        last = self.first + max(0, self.count - 1) * self.step
        if max(abs(self.first), abs(last)) > MAX_SAFE_INTEGER:
            # Past 2^53 a range's values are doubles, start + i*step rounded, as on every stack.
            return (js_number(self.first + i * self.step) for i in range(self.count))
        return (self.first + i * self.step for i in range(self.count))


JobItems = Union[Sequence[Any], IntRange]
ChunkItems = Union[list, RangeSlice]


def chunk_count(total: int, chunk_size: int) -> int:
    return (total + chunk_size - 1) // chunk_size


def chunk_bounds(index: int, total: int, chunk_size: int) -> tuple[int, int]:
    """`(offset, count)` of chunk `index`: its first item's index in the input and its length."""
    offset = index * chunk_size
    return offset, max(0, min(chunk_size, total - offset))


def chunk_items(items: JobItems, offset: int, count: int) -> ChunkItems:
    """The payload for one chunk: a list slice, or a `RangeSlice` for range input."""
    if isinstance(items, IntRange):
        return RangeSlice(items.value(offset), items.step, count)
    return list(items[offset:offset + count])


def default_chunk_size(total: int, workers: int) -> int:
    """A few chunks per worker, at least 1 and at most `MAX_DEFAULT_CHUNK_SIZE` items each."""
    wanted = -(-total // max(1, workers * CHUNKS_PER_WORKER))
    return max(1, min(MAX_DEFAULT_CHUNK_SIZE, wanted))
