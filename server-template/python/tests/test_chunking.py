"""Ranges and chunk plans: lengths, negative steps, chunk bounds, default sizes."""

import unittest

from polybridge.chunking import (
    MAX_DEFAULT_CHUNK_SIZE,
    IntRange,
    RangeSlice,
    chunk_bounds,
    chunk_count,
    chunk_items,
    default_chunk_size,
    range_length,
)


class RangeTests(unittest.TestCase):
    def test_lengths_match_python_range(self) -> None:
        for start, end, step in [(0, 10, 1), (0, 10, 3), (10, 0, -3), (5, 5, 1), (10, 0, 1), (0, 10, -1), (-7, 8, 4)]:
            with self.subTest(start=start, end=end, step=step):
                self.assertEqual(range_length(start, end, step), len(range(start, end, step)))
                self.assertEqual(list(IntRange(start, end, step)), list(range(start, end, step)))

    def test_huge_range_is_not_expanded(self) -> None:
        big = IntRange(0, 100_000_000)
        self.assertEqual(len(big), 100_000_000)
        self.assertEqual(chunk_items(big, 99_999_990, 10), RangeSlice(99_999_990, 1, 10))

    def test_zero_step_is_rejected(self) -> None:
        with self.assertRaises(ValueError):
            IntRange(0, 1, 0)


class ChunkTests(unittest.TestCase):
    def test_chunks_cover_every_item_once(self) -> None:
        total, size = 10, 3
        self.assertEqual(chunk_count(total, size), 4)
        bounds = [chunk_bounds(i, total, size) for i in range(chunk_count(total, size))]
        self.assertEqual(bounds, [(0, 3), (3, 3), (6, 3), (9, 1)])
        self.assertEqual(chunk_count(0, 5), 0)

    def test_chunk_items_of_a_list_and_of_a_negative_range(self) -> None:
        self.assertEqual(chunk_items([1, 2, 3, 4], 2, 2), [3, 4])
        self.assertEqual(list(chunk_items(IntRange(10, 0, -2), 1, 3)), [8, 6, 4])

    def test_default_chunk_size(self) -> None:
        self.assertEqual(default_chunk_size(0, 2), 1)
        self.assertEqual(default_chunk_size(3, 2), 1)
        self.assertEqual(default_chunk_size(100, 2), 13)
        self.assertEqual(default_chunk_size(10**8, 2), MAX_DEFAULT_CHUNK_SIZE)


if __name__ == "__main__":
    unittest.main()
