"""A test case with a whole server running in-process for the class, and one-shot HTTP requests to it."""

import http.client
import json
import unittest
from typing import Any, Optional

from polybridge.app import PolybridgeServer, ServerConfig


class ServerTestCase(unittest.TestCase):
    """Starts `PolybridgeServer(config())` before the class's tests and stops it after them."""

    server: PolybridgeServer
    url: str

    @classmethod
    def config(cls) -> ServerConfig:
        return ServerConfig(port=0, workers=2)

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = PolybridgeServer(cls.config())
        cls.url = cls.server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown(0)

    def send(self, method: str, path: str, body: Optional[bytes] = None,
             headers: Optional[dict[str, str]] = None) -> tuple[int, dict[str, str], str]:
        """One request on a fresh connection: (status, headers, body text)."""
        conn = http.client.HTTPConnection(*self.server.address, timeout=60)
        try:
            sent = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=body, headers={**sent, **(headers or {})})
            response = conn.getresponse()
            return response.status, dict(response.headers), response.read().decode()
        finally:
            conn.close()

    def send_json(self, method: str, path: str, body: Any = None,
                  headers: Optional[dict[str, str]] = None) -> tuple[int, Any]:
        """`send` with a JSON body (when given) and a parsed JSON answer: (status, body)."""
        status, _, text = self.send(method, path, None if body is None else json.dumps(body).encode(), headers)
        return status, json.loads(text)
