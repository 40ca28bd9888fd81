"""Numbers are IEEE-754 doubles, as on every polybridge stack, and integral ones are written as integers.

`square(134217729)` is exactly 18014398777917441 in Python but 18014398777917440 as a double
(JavaScript, Erlang floats): the server must answer the double, written without an exponent
or a ".0", so a client sees the same text from every stack.
"""

import json
import unittest

from polybridge.chunking import RangeSlice
from polybridge.jsonio import as_doubles, dumps, js_number, parse_json
from tests.server_case import ServerTestCase

SAFE = 2 ** 53 - 1


class CanonicalNumberTests(unittest.TestCase):
    def test_integers_past_2_53_become_the_nearest_double(self) -> None:
        self.assertEqual(as_doubles(134217729 * 134217729), 18014398777917440)
        self.assertEqual(as_doubles(SAFE), SAFE)
        self.assertEqual(as_doubles(SAFE + 2), SAFE + 1)  # 2^53 + 1 is no double: it rounds to 2^53
        self.assertEqual(as_doubles(-(2 ** 60) - 1), -(2 ** 60))
        self.assertEqual(as_doubles([10 ** 22 + 1]), [1e22])  # past 1e21 a double is written with an exponent

    def test_integral_doubles_below_1e21_are_integers(self) -> None:
        self.assertEqual([type(js_number(x)) for x in (2.0, -0.0, 1e20, 1e21, 2.5)], [int, int, int, float, float])
        self.assertEqual(dumps(as_doubles({"a": [2.0, 1.5e20, 1e21, 0.5, -0.0]})),
                         '{"a":[2,150000000000000000000,1e+21,0.5,0]}')

    def test_parsing_rounds_like_json_parse(self) -> None:
        self.assertEqual(parse_json(b"[9007199254740993, 18014398777917441, 2.0, 1e2]", 64),
                         [9007199254740992, 18014398777917440, 2, 100])
        self.assertEqual(dumps(parse_json(b"123456789012345678901234", 64)), "1.2345678901234569e+23")  # as JSON.stringify writes it

    def test_a_range_past_2_53_holds_doubles(self) -> None:
        self.assertEqual(list(RangeSlice(2 ** 53, 1, 3)), [2 ** 53, 2 ** 53, 2 ** 53 + 2])
        self.assertEqual(list(RangeSlice(5, -2, 3)), [5, 3, 1])


class NumbersOverHttpTests(ServerTestCase):
    def post(self, path: str, body: bytes, headers: dict | None = None) -> tuple[int, str]:
        status, _, text = self.send("POST", path, body, headers)
        return status, text

    def test_square_of_2_27_plus_1_is_the_double_written_as_an_integer(self) -> None:
        status, text = self.post("/v1/functions/square/call", b'{"input": 134217729}')
        self.assertEqual(status, 200)
        self.assertIn('"output":18014398777917440', text)

    def test_integral_floats_come_back_as_integers(self) -> None:
        for body, output in ((b'{"input": 2.0}', '"output":2,'), (b'{"input": 1e10}', '"output":10000000000,'),
                             (b'{"input": [1.5, 1e21]}', '"output":[1.5,1e+21]')):
            with self.subTest(body=body):
                status, text = self.post("/v1/functions/echo/call", body)
                self.assertEqual(status, 200)
                self.assertIn(output, text)
        status, text = self.post("/v1/functions/square/call", b'{"input": 1.5e10}')
        self.assertIn('"output":225000000000000000000,', text)

    def test_a_fold_rounds_at_every_step_like_a_double_sum(self) -> None:
        # 2^53 + 1 + 1 + ...: each + 1 is lost to rounding, as it is in JavaScript.
        items = [2 ** 53] + [1] * 10
        status, text = self.post("/v1/jobs", json.dumps({"kind": "fold", "function": "sum", "input": {"items": items},
                                                         "options": {"chunkSize": 11}}).encode(), {"Prefer": "wait=20"})
        self.assertEqual(status, 200, text)
        self.assertIn('"value":9007199254740992}', text)
        status, text = self.post("/v1/jobs", json.dumps({"kind": "map", "function": "square",
                                                         "input": {"items": [134217729, 3]}}).encode(), {"Prefer": "wait=20"})
        self.assertIn('"items":[18014398777917440,9]', text)

    def test_is_even_sees_the_double_a_big_integer_parses_to(self) -> None:
        # 9007199254740993 parses to 2^53 (even) in every JSON parser that uses doubles.
        status, text = self.post("/v1/functions/isEven/call", b'{"input": 9007199254740993}')
        self.assertEqual((status, json.loads(text)["output"]), (200, True))


if __name__ == "__main__":
    unittest.main()
