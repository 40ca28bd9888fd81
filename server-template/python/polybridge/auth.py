"""Optional bearer-token authentication, and the tenant each token stands for.

With no tokens configured the server is open and every caller shares one tenant (`""`), as
before. With tokens, every request outside the open groups needs `Authorization: Bearer <token>`
matching one of them; jobs then belong to the token that submitted them (see `store.py`), so
one client cannot read, list, cancel or replay another's jobs.

Tokens are compared as SHA-256 digests with `hmac.compare_digest`, against every configured
token without stopping at the first match, so the time an answer takes says nothing about how
much of a guess was right, nor which token matched. The tenant is that digest: job records
never hold a token itself.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Mapping, Optional

from .problems import ProblemError

REALM = 'Bearer realm="polybridge"'

# Groups of endpoints (names as in routes.py) that POLYBRIDGE_AUTH_OPEN may open to anyone.
OPEN_GROUPS: dict[str, frozenset[str]] = {
    "health": frozenset({"health"}),
    "catalogue": frozenset({"list_functions", "get_function"}),
}
DEFAULT_OPEN = frozenset({"health"})
# Open whatever POLYBRIDGE_AUTH_OPEN says: the contract itself (GET /v1/openapi.json and .yaml).
ALWAYS_OPEN = frozenset({"openapi_json", "openapi_yaml"})
# Only reads are ever open: a HEAD is answered like the GET it mirrors.
OPEN_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class AuthConfig:
    """Accepted tokens (none = auth off) and the groups reachable without one."""

    tokens: tuple[str, ...] = ()
    open_groups: frozenset[str] = DEFAULT_OPEN

    @property
    def enabled(self) -> bool:
        return bool(self.tokens)


def _digest(token: bytes) -> bytes:
    return hashlib.sha256(token).digest()


def parse_token_list(text: str) -> list[str]:
    """`POLYBRIDGE_AUTH_TOKENS`: comma-separated, surrounding spaces and blank entries dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_token_file(text: str) -> list[str]:
    """A tokens file: one token per line; blank lines and lines starting with `#` are ignored."""
    tokens = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            tokens.append(stripped)
    return tokens


def parse_open_groups(text: Optional[str]) -> frozenset[str]:
    """`POLYBRIDGE_AUTH_OPEN`: groups among `health`, `catalogue`; `none` opens nothing.

    Unset or empty means the default (`health`). An unknown name is an error rather than
    silently ignored: a typo must not leave the catalogue closed (or open) by surprise.
    """
    if text is None or not text.strip():
        return DEFAULT_OPEN
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if names == ["none"]:
        return frozenset()
    unknown = [name for name in names if name not in OPEN_GROUPS]
    if unknown:
        allowed = ", ".join(sorted(OPEN_GROUPS))
        raise ValueError(f"POLYBRIDGE_AUTH_OPEN: unknown group {unknown[0]!r} (use {allowed}, or none alone)")
    return frozenset(names)


def load_auth_config(environ: Mapping[str, str]) -> AuthConfig:
    """Reads the auth settings from the environment (once, at start-up).

    Raises `ValueError` for a bad `POLYBRIDGE_AUTH_OPEN` and `OSError` when the tokens file
    cannot be read: a server asked to check tokens must not start open instead.
    """
    tokens = parse_token_list(environ.get("POLYBRIDGE_AUTH_TOKENS", ""))
    path = environ.get("POLYBRIDGE_AUTH_TOKENS_FILE", "").strip()
    if path:
        with open(path, encoding="utf-8") as file:
            tokens += parse_token_file(file.read())
    unique = tuple(dict.fromkeys(tokens))  # the union, in first-seen order
    return AuthConfig(unique, parse_open_groups(environ.get("POLYBRIDGE_AUTH_OPEN")))


class Authenticator:
    """Decides, per request, who the caller is (its tenant) or that it gets a `401`."""

    def __init__(self, config: AuthConfig) -> None:
        self.config = config
        self._digests = tuple(_digest(token.encode("utf-8")) for token in config.tokens)
        self._open_endpoints = ALWAYS_OPEN.union(*(OPEN_GROUPS[g] for g in config.open_groups))

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    def is_open(self, method: str, endpoint: Optional[str]) -> bool:
        """Whether `endpoint` (None for an unknown route) is reachable without a token."""
        return method in OPEN_METHODS and endpoint is not None and endpoint in self._open_endpoints

    def tenant(self, method: str, endpoint: Optional[str], authorization: Optional[str]) -> str:
        """The caller's tenant for this request; raises `401 unauthorized` when it has none.

        A request to an open endpoint that still carries a valid token gets that token's tenant
        (harmless today: the open endpoints do not read jobs).
        """
        if not self.enabled:
            return ""
        if authorization is None or not authorization.strip():
            if self.is_open(method, endpoint):
                return ""
            raise ProblemError("unauthorized", "Send Authorization: Bearer <token>.",
                               headers={"WWW-Authenticate": REALM})
        matched = self._match(authorization)
        if matched is not None:
            return matched
        if self.is_open(method, endpoint):
            return ""
        raise ProblemError("unauthorized", "The Authorization header does not carry a valid bearer token.",
                           headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})

    def _match(self, authorization: str) -> Optional[str]:
        """The tenant of a valid `Bearer <token>` header value, else None (constant time per token)."""
        scheme, _, credentials = authorization.strip().partition(" ")
        token = credentials.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        # http.server decodes header bytes as Latin-1; this gives back the bytes that were sent.
        presented = _digest(token.encode("latin-1", errors="replace"))
        matched: Optional[bytes] = None
        for expected in self._digests:  # no early exit: every token is compared
            if hmac.compare_digest(presented, expected):
                matched = expected
        return matched.hex() if matched is not None else None
