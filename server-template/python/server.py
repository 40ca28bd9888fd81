"""pbcompute — a polybridge compute server. Start it with `python3 server.py [--host H] [--port N] [--workers N]`.

Settings come from flags, then the environment (`HOST`, `PORT`, `POLYBRIDGE_WORKERS`,
`POLYBRIDGE_HEARTBEAT_MS`, `POLYBRIDGE_SHUTDOWN_GRACE_MS`, `POLYBRIDGE_ACCESS_LOG=1`), then
defaults (127.0.0.1:8080, one worker process per CPU). Bearer-token auth is off unless
`POLYBRIDGE_AUTH_TOKENS` or `POLYBRIDGE_AUTH_TOKENS_FILE` name tokens (`POLYBRIDGE_AUTH_OPEN`
says what stays open; see polybridge/auth.py). Once it accepts connections it prints
`polybridge listening on http://HOST:PORT`; SIGTERM (or Ctrl-C) refuses new jobs, lets
running jobs finish within the grace period and exits 0.

Your functions live in `functions.py`; this file only wires the server up.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Optional, Sequence

from polybridge.app import PolybridgeServer, ServerConfig
from polybridge.auth import AuthConfig, load_auth_config

PROJECT = "pbcompute"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{PROJECT}: {name} must be an integer, got {raw!r}") from None


def _auth_config() -> AuthConfig:
    try:
        return load_auth_config(os.environ)
    except ValueError as exc:
        raise SystemExit(f"{PROJECT}: {exc}") from None
    except OSError as exc:  # refuse to start open when the tokens file cannot be read
        raise SystemExit(f"{PROJECT}: POLYBRIDGE_AUTH_TOKENS_FILE: {exc}") from None


def parse_config(argv: Optional[Sequence[str]] = None) -> ServerConfig:
    parser = argparse.ArgumentParser(prog="server.py", description=f"{PROJECT}: a polybridge compute server")
    parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1", help="interface to bind (env HOST)")
    parser.add_argument("--port", type=int, default=_env_int("PORT", 8080), help="port, 0 = any free port (env PORT)")
    parser.add_argument("--workers", type=int, default=_env_int("POLYBRIDGE_WORKERS", os.cpu_count() or 1),
                        help="worker processes (env POLYBRIDGE_WORKERS, default: CPU count)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be >= 1")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be 0..65535")
    return ServerConfig(
        host=args.host,
        port=args.port,
        workers=args.workers,
        heartbeat_ms=max(1, _env_int("POLYBRIDGE_HEARTBEAT_MS", 15_000)),
        shutdown_grace_ms=max(0, _env_int("POLYBRIDGE_SHUTDOWN_GRACE_MS", 10_000)),
        access_log=os.environ.get("POLYBRIDGE_ACCESS_LOG") == "1",
        auth=_auth_config(),
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    config = parse_config(argv)
    stop = threading.Event()
    # Handlers first: a SIGTERM during start-up still leads to a clean exit.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = PolybridgeServer(config)
    try:
        server.start()
    except OSError as exc:
        print(f"{PROJECT}: cannot listen on {config.host}:{config.port}: {exc}", file=sys.stderr)
        server.shutdown(0)
        return 1
    host, port = server.address
    if config.auth.enabled:
        opened = ", ".join(sorted(config.auth.open_groups)) or "nothing"
        print(f"{PROJECT}: bearer-token auth on ({len(config.auth.tokens)} tokens; open without one: {opened})",
              file=sys.stderr, flush=True)
    print(f"polybridge listening on http://{host}:{port}", flush=True)
    # Wait in short slices: the kernel may deliver SIGTERM to another thread, and Python runs
    # handlers only when the main thread executes bytecode, so an untimed wait could miss it.
    while not stop.wait(0.2):
        pass
    print(f"{PROJECT}: shutting down (grace {config.shutdown_grace_ms} ms)", file=sys.stderr, flush=True)
    finished = server.shutdown()
    if not finished:
        print(f"{PROJECT}: dismissed the jobs still running after the grace period", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
