"""The contract this server speaks, served by `GET /v1/openapi.json` and `GET /v1/openapi.yaml`.

`gen/openapi.yaml` and `gen/openapi.json` are copies of the protocol's `spec/openapi.yaml`
written by the polybridge code generator (do not edit them). Both are served as loaded, with
`servers` set to this server's own URL.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

_GEN = Path(__file__).resolve().parent / "gen"
# A Host header worth echoing: a name or IPv4 address, or a bracketed IPv6 one, and a port.
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$")
# The top-level `servers:` block: its line and the indented, list or blank lines after it.
_SERVERS = re.compile(r"^servers:[ \t]*(?:#.*)?\n(?:(?:[ \t-].*)?\n)*?(?=[^ \t\n-])", re.MULTILINE)


def own_url(host_header: Optional[str], address: tuple[Any, ...]) -> str:
    """The server's URL as the client reached it (`Host`), else the listening address."""
    if host_header and _HOST.match(host_header):
        return f"http://{host_header}"
    host, port = str(address[0]), address[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _servers(url: str) -> list[dict[str, str]]:
    return [{"url": url, "description": "This server."}]


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    with open(_GEN / "openapi.json", encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=1)
def _yaml_text() -> str:
    with open(_GEN / "openapi.yaml", encoding="utf-8") as f:
        return f.read()


@lru_cache(maxsize=16)
def spec_json(url: str) -> str:
    """The document as compact JSON with `servers` naming `url`."""
    return json.dumps({**_document(), "servers": _servers(url)}, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=16)
def spec_yaml(url: str) -> str:
    """The YAML text as written (comments kept) with its `servers:` block naming `url`."""
    block = f"servers:\n  - url: {json.dumps(url)}\n    description: This server.\n"
    text = _yaml_text()
    replaced, count = _SERVERS.subn(lambda _: block, text, count=1)
    if count == 1:
        return replaced
    at = text.find("\npaths:")
    return text[: at + 1] + block + text[at + 1 :] if at >= 0 else text + block
