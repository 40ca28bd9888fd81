"""polybridge runtime for Python: serve functions from `functions.py` over the polybridge protocol.

Project code only needs `from polybridge import unary, reducer, emitter` (and, for long-running
functions, `check_cancelled` / `interruptible_sleep`); the rest is the server.
"""

from .cancel import Cancelled, cancelled, check_cancelled, interruptible_sleep
from .registry import REGISTRY, FunctionSpec, emitter, reducer, unary

__version__ = "1.0.0"

__all__ = [
    "REGISTRY",
    "Cancelled",
    "FunctionSpec",
    "cancelled",
    "check_cancelled",
    "emitter",
    "interruptible_sleep",
    "reducer",
    "unary",
]
