"""The problems table: the codes the auth contract added, and no drift from the spec's x-problems.

A project made from this template has no `spec/` folder, so the table in `problems.py` is a
hand-kept copy. Inside the polybridge repository this test reads `spec/openapi.yaml` and
compares every code, status, title and job flag; elsewhere that comparison is skipped.
"""

import re
import unittest
from pathlib import Path

from polybridge.problems import CODES, JOB_CODES, ProblemError, problem

SPEC = Path(__file__).resolve().parents[3] / "spec" / "openapi.yaml"
ROW = re.compile(r"^\s+([a-z_]+): \{ status: (\d{3}), title: (.+?)(, job: true)? \}\s*$")


def spec_problems(text: str) -> dict[str, tuple[int, str, bool]]:
    """The `x-problems` rows of `ErrorCode` (flow mappings, one per line)."""
    rows: dict[str, tuple[int, str, bool]] = {}
    inside = False
    for line in text.splitlines():
        if line.strip() == "x-problems:":
            inside = True
            continue
        if inside:
            found = ROW.match(line)
            if not found:
                break
            rows[found.group(1)] = (int(found.group(2)), found.group(3), bool(found.group(4)))
    return rows


class ProblemTableTests(unittest.TestCase):
    def test_auth_and_hardening_codes(self) -> None:
        self.assertEqual(CODES["unauthorized"], (401, "Authentication required"))
        self.assertEqual(CODES["request_timeout"], (408, "Request timed out"))
        self.assertEqual(CODES["rate_limited"], (429, "Too many requests"))
        self.assertEqual(CODES["headers_too_large"], (431, "Request headers too large"))
        self.assertEqual(CODES["result_too_large"], (413, "Result too large"))
        self.assertIn("result_too_large", JOB_CODES)
        error = ProblemError("unauthorized", "no token", headers={"WWW-Authenticate": 'Bearer realm="polybridge"'})
        self.assertEqual((error.status, error.body["type"]), (401, "https://polybridge.dev/problems/unauthorized"))
        self.assertEqual(problem("rate_limited")["status"], 429)

    @unittest.skipUnless(SPEC.is_file(), "no spec/openapi.yaml here (a generated project)")
    def test_same_table_as_the_spec(self) -> None:
        rows = spec_problems(SPEC.read_text(encoding="utf-8"))
        self.assertGreater(len(rows), 20, "could not read x-problems from the spec")
        self.assertEqual({code: (status, title) for code, (status, title, _) in rows.items()}, CODES)
        self.assertEqual({code for code, (_, _, job) in rows.items() if job}, JOB_CODES)


if __name__ == "__main__":
    unittest.main()
