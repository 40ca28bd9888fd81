"""Assembles a running server: worker pool, job engine, endpoints and the threaded HTTP server.

`PolybridgeServer` is what `server.py` runs and what the tests start in-process: `start()`
returns once the workers are up and the socket accepts connections; `shutdown()` drains jobs
within a grace period and stops everything it started.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Optional

from .auth import AuthConfig, Authenticator
from .endpoints import Endpoints
from .engine import Engine, EngineLimits
from .http_handler import PolybridgeHandler
from .pool import WorkerPool
from .registry import REGISTRY, Registry


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    heartbeat_ms: int = 15_000
    shutdown_grace_ms: int = 10_000
    functions_module: str = "functions"
    access_log: bool = False
    limits: EngineLimits = field(default_factory=EngineLimits)
    auth: AuthConfig = field(default_factory=AuthConfig)  # no tokens: auth off


class PolybridgeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], endpoints: Endpoints, heartbeat_s: float, access_log: bool,
                 auth: Authenticator) -> None:
        self.endpoints = endpoints
        self.heartbeat_s = heartbeat_s
        self.access_log = access_log
        self.auth = auth
        super().__init__(address, PolybridgeHandler)


class PolybridgeServer:
    def __init__(self, config: ServerConfig, registry: Registry = REGISTRY) -> None:
        self.config = config
        self.registry = registry
        self.pool: Optional[WorkerPool] = None
        self.engine: Optional[Engine] = None
        self.httpd: Optional[PolybridgeHTTPServer] = None
        self._serving: Optional[threading.Thread] = None
        self._stopped = False

    @property
    def address(self) -> tuple[str, int]:
        assert self.httpd is not None, "start() first"
        host, port = self.httpd.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    def start(self) -> str:
        """Starts workers, engine and HTTP server; returns the URL (with the real port)."""
        importlib.import_module(self.config.functions_module)  # registers the project's functions
        self.pool = WorkerPool(self.config.workers, self.config.functions_module)
        self.pool.start()
        self.engine = Engine(self.registry, self.pool, self.config.limits)
        self.engine.start()
        endpoints = Endpoints(self.engine, time.monotonic())
        self.httpd = PolybridgeHTTPServer((self.config.host, self.config.port), endpoints,
                                          self.config.heartbeat_ms / 1000.0, self.config.access_log,
                                          Authenticator(self.config.auth))
        self._serving = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                         name="polybridge-http", daemon=True)
        self._serving.start()
        return self.url

    def shutdown(self, grace_ms: Optional[int] = None) -> bool:
        """Refuses new jobs, lets running ones finish within the grace period, then stops.

        Returns whether every job finished within the grace period.
        """
        if self._stopped:
            return True
        self._stopped = True
        grace = self.config.shutdown_grace_ms if grace_ms is None else grace_ms
        finished = True
        if self.engine is not None:
            finished = self.engine.drain(grace / 1000.0)
            self.engine.stop()
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        if self._serving is not None:
            self._serving.join(5.0)
        if self.pool is not None:
            self.pool.shutdown()
        return finished
