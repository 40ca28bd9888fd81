"""server.py settings: flags win over environment variables, which win over defaults."""

import os
import unittest
from unittest import mock

import server
from polybridge.app import ServerConfig


class ParseConfigTests(unittest.TestCase):
    def test_defaults(self) -> None:
        with mock.patch.dict(os.environ, {}, clear=True):
            config = server.parse_config([])
        # The default port is the one ServerConfig declares (`polybridge new --port` rewrites both).
        self.assertEqual((config.host, config.port, config.heartbeat_ms), ("127.0.0.1", ServerConfig().port, 15000))
        self.assertEqual(config.workers, os.cpu_count() or 1)

    def test_environment(self) -> None:
        env = {"HOST": "0.0.0.0", "PORT": "0", "POLYBRIDGE_HEARTBEAT_MS": "500", "POLYBRIDGE_WORKERS": "3",
               "POLYBRIDGE_SHUTDOWN_GRACE_MS": "250"}
        with mock.patch.dict(os.environ, env, clear=True):
            config = server.parse_config([])
        self.assertEqual((config.host, config.port, config.heartbeat_ms, config.workers, config.shutdown_grace_ms),
                         ("0.0.0.0", 0, 500, 3, 250))

    def test_flags_win(self) -> None:
        with mock.patch.dict(os.environ, {"HOST": "0.0.0.0", "PORT": "9000"}, clear=True):
            config = server.parse_config(["--host", "127.0.0.2", "--port", "0", "--workers", "1"])
        self.assertEqual((config.host, config.port, config.workers), ("127.0.0.2", 0, 1))

    def test_bad_values_stop_with_a_message(self) -> None:
        with mock.patch.dict(os.environ, {"PORT": "eighty"}, clear=True), self.assertRaises(SystemExit):
            server.parse_config([])
        with mock.patch.dict(os.environ, {}, clear=True), mock.patch("sys.stderr"), self.assertRaises(SystemExit):
            server.parse_config(["--workers", "0"])


if __name__ == "__main__":
    unittest.main()
