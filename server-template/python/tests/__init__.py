"""Unit tests for pbcompute; run `python3 -m unittest` in the project folder."""
