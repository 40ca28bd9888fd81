"""Calls the catalogue rules out: each line must be a mypy error of the code in its ignore comment.
mypy --strict reports an ignore that is not needed (warn_unused_ignores), so a line that type-checks
fails the check. Type-checked against the reference server's catalogue; never run."""
from __future__ import annotations

from typing import List

from compute_client import Client

client = Client("http://127.0.0.1:8080")
client.functions.square("3")  # type: ignore[arg-type]
client.functions.sqaure(3)  # type: ignore[attr-defined]
client.functions.sum(1)  # type: ignore[call-arg]
client.functions.sha256({"iterations": 2})  # type: ignore[typeddict-item]
client.jobs.run("map", "sqaure", [1])  # type: ignore[call-overload]
client.jobs.run("map", "square", ["x", "y"])  # type: ignore[call-overload]
client.jobs.run("fold", "square", [1, 2])  # type: ignore[call-overload]
client.jobs.run("filter", "square", [1, 2])  # type: ignore[call-overload]
client.jobs.run("mapreduce", "tokenize", ["a"])  # type: ignore[call-overload]
client.jobs.run("mapreduce", "tokenize", ["a"], reducer="wordFrequency")  # type: ignore[call-overload]
client.jobs.run("map", "sha256", range(0, 10))  # type: ignore[call-overload]
client.jobs.submit("map", "square", [1], reducer="sum")  # type: ignore[call-overload]
words: List[str] = client.jobs.run("map", "square", [1])  # type: ignore[assignment]
count: int = client.jobs.run("fold", "sum", [1.5])  # type: ignore[assignment]
