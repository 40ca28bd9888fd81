"""The contract served by `GET /v1/openapi.json` and `GET /v1/openapi.yaml` (polybridge/openapi.py)."""

import json
import unittest

from polybridge import openapi
from polybridge.auth import AuthConfig, Authenticator
from polybridge.routes import match


class OpenApiTests(unittest.TestCase):
    def test_json_is_the_generated_document_with_servers_naming_this_server(self) -> None:
        doc = json.loads(openapi.spec_json("http://example.test:9000"))
        self.assertTrue(doc["openapi"].startswith("3.1"))
        self.assertEqual(doc["servers"], [{"url": "http://example.test:9000", "description": "This server."}])
        self.assertEqual(doc["paths"]["/v1/jobs"]["post"]["operationId"], "submitJob")
        self.assertEqual(doc["paths"]["/v1/openapi.yaml"]["get"]["operationId"], "getOpenApiYaml")

    def test_yaml_is_the_text_as_written_with_only_the_servers_block_replaced(self) -> None:
        text = openapi.spec_yaml("http://127.0.0.1:8080")
        self.assertIn('servers:\n  - url: "http://127.0.0.1:8080"\n    description: This server.\n# Auth is optional', text)
        self.assertEqual(text.count("\nservers:"), 1)
        self.assertIn("operationId: submitJob", text)
        self.assertTrue(text.startswith("openapi: 3.1"))

    def test_own_url_takes_the_host_header_when_it_is_sane_else_the_listening_address(self) -> None:
        self.assertEqual(openapi.own_url("api.example:81", ("0.0.0.0", 8080)), "http://api.example:81")
        self.assertEqual(openapi.own_url("[::1]:8080", ("::1", 8080, 0, 0)), "http://[::1]:8080")
        self.assertEqual(openapi.own_url(None, ("127.0.0.1", 8080)), "http://127.0.0.1:8080")
        self.assertEqual(openapi.own_url("evil\"host/x", ("::1", 9, 0, 0)), "http://[::1]:9")

    def test_routes_and_always_open(self) -> None:
        auth = Authenticator(AuthConfig(("t1",), frozenset()))
        for path, endpoint in (("/v1/openapi.json", "openapi_json"), ("/v1/openapi.yaml", "openapi_yaml")):
            found = match(path)
            assert found is not None
            self.assertEqual(found[0].methods, {"GET": endpoint})
            self.assertTrue(auth.is_open("GET", endpoint))
        self.assertFalse(auth.is_open("GET", "list_jobs"))


if __name__ == "__main__":
    unittest.main()
