"""The conformance functions in functions.py behave exactly as docs/PROTOCOL.md says."""

import threading
import time
import unittest

import functions
from polybridge import cancel
from polybridge.cancel import CancelBoard, Cancelled
from polybridge.registry import REGISTRY, Registry, reducer, unary
from polybridge.validator import is_valid

CONFORMANCE = {"echo": "unary", "square": "unary", "isEven": "unary", "sum": "reducer",
               "tokenize": "emitter", "fail": "unary", "sleep": "unary"}


class CatalogueTests(unittest.TestCase):
    def test_conformance_set_is_registered_with_its_kinds(self) -> None:
        for name, kind in CONFORMANCE.items():
            with self.subTest(name=name):
                spec = REGISTRY.get(name)
                self.assertIsNotNone(spec)
                self.assertEqual(spec.kind, kind)
                self.assertTrue(spec.description)

    def test_catalogue_entries(self) -> None:
        self.assertEqual(REGISTRY.get("sum").to_json()["identity"], 0)
        self.assertNotIn("identity", REGISTRY.get("square").to_json())
        self.assertEqual(REGISTRY.get("sleep").to_json()["inputSchema"], {"type": "integer", "minimum": 0, "maximum": 10000})
        names = [spec.name for spec in REGISTRY.sorted()]
        self.assertEqual(names, sorted(names))

    def test_registry_rejects_bad_declarations(self) -> None:
        registry = Registry()
        unary(input={}, output={}, name="ok", registry=registry)(lambda x: x)
        with self.assertRaises(ValueError):
            unary(input={}, output={}, name="ok", registry=registry)(lambda x: x)
        with self.assertRaises(ValueError):
            unary(input={}, output={}, name="9bad", registry=registry)(lambda x: x)
        with self.assertRaises(TypeError):
            reducer(input=[], output={}, identity=0, name="r", registry=registry)(lambda a, b: a)


class BehaviourTests(unittest.TestCase):
    def test_echo_square_is_even_sum(self) -> None:
        self.assertEqual(functions.echo({"a": [1, None]}), {"a": [1, None]})
        self.assertEqual(functions.square(-1.5), 2.25)
        self.assertEqual([functions.is_even(n) for n in (0, -4, 7, -3)], [True, True, False, False])
        self.assertEqual(REGISTRY.get("sum").step(40, 2), 42)

    def test_tokenize(self) -> None:
        self.assertEqual(functions.tokenize("A b, a"), [["a", 1], ["b", 1], ["a", 1]])
        self.assertEqual(functions.tokenize("Héllo, WÖRLD!! 42x--Ωmega"),
                         [["héllo", 1], ["wörld", 1], ["42x", 1], ["ωmega", 1]])
        self.assertEqual(functions.tokenize("snake_case"), [["snake", 1], ["case", 1]])
        self.assertEqual(functions.tokenize(" ,.;! "), [])

    def test_tokenize_lower_cases_a_final_sigma(self) -> None:
        # Unicode's full default lower-casing, Final_Sigma included (as JavaScript's toLowerCase):
        # a capital sigma ending a word becomes ς, elsewhere σ.
        self.assertEqual(functions.tokenize("ΟΔΟΣ οδος Οδος"), [["οδος", 1], ["οδος", 1], ["οδος", 1]])
        # "." is case-ignorable: the Σ before ".Σ" is followed by a cased letter, so it is σ.
        self.assertEqual(functions.tokenize("ΣΑΣ ΑΣ.Σ Σ"), [["σας", 1], ["ασ", 1], ["ς", 1], ["σ", 1]])
        # Full mappings: İ → "i" + U+0307 (a combining mark, so not part of the word), ẞ → ß.
        self.assertEqual(functions.tokenize("İ ẞ"), [["i", 1], ["ß", 1]])

    def test_fail_messages_are_compact_json(self) -> None:
        self.assertEqual(functions.fail(7.5), 7.5)
        cases = {"boom": 'fail: "boom"', -1: "fail: -1", True: "fail: true", None: "fail: null",
                 -1.0: "fail: -1"}
        for value, message in cases.items():
            with self.subTest(value=value), self.assertRaises(ValueError) as raised:
                functions.fail(value)
            self.assertEqual(str(raised.exception), message)
        with self.assertRaises(ValueError) as raised:
            functions.fail({"a": [1, 2]})
        self.assertEqual(str(raised.exception), 'fail: {"a":[1,2]}')

    def test_sleep_schema_and_duration(self) -> None:
        schema = REGISTRY.get("sleep").input_schema
        self.assertFalse(is_valid(10001, schema))
        self.assertFalse(is_valid(-1, schema))
        started = time.monotonic()
        self.assertEqual(functions.sleep(50), 50)
        self.assertGreaterEqual(time.monotonic() - started, 0.045)


class CancellationTests(unittest.TestCase):
    def test_sleep_stops_soon_after_its_token_is_cancelled(self) -> None:
        import multiprocessing

        board = CancelBoard.create(multiprocessing.get_context("spawn"), slots=4)
        token = board.acquire()
        cancel.install(board.array)
        try:
            threading.Timer(0.1, board.cancel, args=(token,)).start()
            started = time.monotonic()
            with cancel.running(token), self.assertRaises(Cancelled):
                functions.sleep(5000)
            self.assertLess(time.monotonic() - started, 1.0)
        finally:
            cancel.install(None)

    def test_freed_slots_get_new_tokens(self) -> None:
        import multiprocessing

        board = CancelBoard.create(multiprocessing.get_context("spawn"), slots=1)
        first = board.acquire()
        self.assertIsNone(board.acquire())
        board.release(first)
        second = board.acquire()
        self.assertEqual(second.slot, first.slot)
        self.assertNotEqual(second.token, first.token)
        cancel.install(board.array)
        try:
            with cancel.running(first):
                self.assertTrue(cancel.cancelled())  # a stale chunk of the old job stops
            with cancel.running(second):
                self.assertFalse(cancel.cancelled())
        finally:
            cancel.install(None)


if __name__ == "__main__":
    unittest.main()
