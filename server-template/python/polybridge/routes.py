"""The URL table of the protocol: which paths exist and which methods each one allows.

Knowing the methods per path lets the server tell "no such route" (`404 not_found`) from
"wrong method" (`405 method_not_allowed` with an `Allow` header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import unquote


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    methods: dict[str, str]  # HTTP method -> endpoint name


ROUTES = (
    Route(re.compile(r"^/v1/health$"), {"GET": "health"}),
    Route(re.compile(r"^/v1/openapi\.json$"), {"GET": "openapi_json"}),
    Route(re.compile(r"^/v1/openapi\.yaml$"), {"GET": "openapi_yaml"}),
    Route(re.compile(r"^/v1/functions$"), {"GET": "list_functions"}),
    Route(re.compile(r"^/v1/functions/(?P<name>[^/]+)$"), {"GET": "get_function"}),
    Route(re.compile(r"^/v1/functions/(?P<name>[^/]+)/call$"), {"POST": "call_function"}),
    Route(re.compile(r"^/v1/jobs$"), {"GET": "list_jobs", "POST": "submit_job"}),
    Route(re.compile(r"^/v1/jobs/(?P<id>[^/]+)$"), {"GET": "get_job", "DELETE": "cancel_job"}),
    Route(re.compile(r"^/v1/jobs/(?P<id>[^/]+)/result$"), {"GET": "get_result"}),
    Route(re.compile(r"^/v1/jobs/(?P<id>[^/]+)/events$"), {"GET": "stream_events"}),
)


def match(path: str) -> Optional[tuple[Route, dict[str, str]]]:
    """The route for a (still percent-encoded) path and its decoded parameters."""
    for route in ROUTES:
        found = route.pattern.match(path)
        if found:
            return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None
