"""Functions that kill their worker process, to test how the engine survives a dead worker."""

import os
from pathlib import Path

import functions  # noqa: F401 — the conformance set, so these workers can serve it too
from polybridge import unary

MARKER = {"type": "object", "required": ["marker"], "properties": {"marker": {"type": "string"}}}


@unary(input=MARKER, output={"type": "boolean"}, name="crashOnce")
def crash_once(value: dict) -> bool:
    """Kills its worker the first time (creating the marker file), succeeds afterwards."""
    marker = Path(value["marker"])
    if not marker.exists():
        marker.touch()
        os._exit(1)
    return True


@unary(input={}, output={}, name="crashAlways")
def crash_always(value: object) -> object:
    """Kills its worker every time."""
    os._exit(1)
