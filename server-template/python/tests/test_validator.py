"""The JSON Schema subset: each keyword, JSON's number rules and the error paths."""

import unittest

from polybridge.validator import FieldError, fast_check, is_valid, validate


class TypeTests(unittest.TestCase):
    def test_integer_accepts_integral_floats_but_not_booleans(self) -> None:
        self.assertTrue(is_valid(3, {"type": "integer"}))
        self.assertTrue(is_valid(3.0, {"type": "integer"}))
        self.assertFalse(is_valid(3.5, {"type": "integer"}))
        self.assertFalse(is_valid(True, {"type": "integer"}))

    def test_number_excludes_booleans_and_strings(self) -> None:
        self.assertTrue(is_valid(2.5, {"type": "number"}))
        self.assertFalse(is_valid(False, {"type": "number"}))
        self.assertFalse(is_valid("1", {"type": "number"}))

    def test_type_lists_and_null(self) -> None:
        schema = {"type": ["string", "null"]}
        self.assertTrue(is_valid(None, schema))
        self.assertTrue(is_valid("x", schema))
        self.assertEqual(validate(1, schema, "/input"), [FieldError("/input", "must be string,null")])

    def test_boolean_schemas(self) -> None:
        self.assertTrue(is_valid({"any": 1}, True))
        self.assertTrue(is_valid([1], {}))
        self.assertEqual(validate(1, False, "/x"), [FieldError("/x", "must not be present")])


class KeywordTests(unittest.TestCase):
    def test_enum_and_const_use_json_equality(self) -> None:
        self.assertFalse(is_valid(True, {"enum": [1, 2]}))
        self.assertTrue(is_valid(1.0, {"const": 1}))
        self.assertFalse(is_valid(1, {"const": True}))
        self.assertTrue(is_valid({"b": 1, "a": [2]}, {"const": {"a": [2], "b": 1}}))

    def test_number_bounds(self) -> None:
        schema = {"type": "integer", "minimum": 0, "maximum": 10000}
        self.assertEqual(validate(-1, schema, "/input"), [FieldError("/input", "must be >= 0")])
        self.assertEqual(validate(10001, schema, "/input"), [FieldError("/input", "must be <= 10000")])
        self.assertFalse(is_valid(0, {"exclusiveMinimum": 0}))
        self.assertFalse(is_valid(5, {"exclusiveMaximum": 5}))
        self.assertTrue(is_valid(0.75, {"multipleOf": 0.25}))
        self.assertFalse(is_valid(7, {"multipleOf": 2}))

    def test_string_length_counts_code_points_and_pattern_searches(self) -> None:
        self.assertTrue(is_valid("😀😀", {"maxLength": 2}))
        self.assertFalse(is_valid("", {"minLength": 1}))
        self.assertTrue(is_valid("job_1", {"pattern": "^job_[0-9]+$"}))
        self.assertEqual(validate("x", {"pattern": "^[0-9]+$"}), [FieldError("", 'must match pattern "^[0-9]+$"')])

    def test_items_and_prefix_items_paths(self) -> None:
        schema = {"type": "array", "items": {"type": "integer"}, "minItems": 1}
        self.assertEqual(validate([1, "a", 3, None], schema, "/input"),
                         [FieldError("/input/1", "must be integer"), FieldError("/input/3", "must be integer")])
        pair = {"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}], "items": False}
        self.assertTrue(is_valid(["a", 1], pair))
        self.assertEqual(validate(["a", 1, 2], pair), [FieldError("/2", "must not be present")])
        self.assertFalse(is_valid([1, 1.0], {"uniqueItems": True}))

    def test_object_keywords_report_field_pointers(self) -> None:
        schema = {
            "type": "object",
            "required": ["a/b", "n"],
            "additionalProperties": False,
            "properties": {"n": {"type": "integer"}, "a/b": {}},
        }
        self.assertEqual(validate({"n": "x", "extra": 1}, schema, "/input"), [
            FieldError("/input/a~1b", "must have required property 'a/b'"),
            FieldError("/input/n", "must be integer"),
            FieldError("/input/extra", "must NOT have additional properties"),
        ])
        self.assertFalse(is_valid({"x": "s"}, {"additionalProperties": {"type": "number"}}))

    def test_any_of_one_of_all_of_not(self) -> None:
        self.assertTrue(is_valid(1, {"anyOf": [{"type": "string"}, {"type": "integer"}]}))
        self.assertFalse(is_valid(1.5, {"anyOf": [{"type": "string"}, {"type": "integer"}]}))
        both = {"oneOf": [{"type": "number"}, {"type": "integer"}]}
        self.assertFalse(is_valid(1, both))  # matches two branches
        self.assertTrue(is_valid(1.5, both))
        self.assertFalse(is_valid(3, {"allOf": [{"minimum": 0}, {"maximum": 2}]}))
        self.assertFalse(is_valid(0, {"not": {"const": 0}}))

    def test_one_of_reports_the_closest_branch(self) -> None:
        schema = {"oneOf": [
            {"type": "object", "required": ["items"], "additionalProperties": False, "properties": {"items": {"type": "array"}}},
            {"type": "object", "required": ["range"], "additionalProperties": False, "properties": {"range": {"type": "object"}}},
        ]}
        errors = validate({"items": "x"}, schema, "/input")
        self.assertEqual(errors[0], FieldError("/input/items", "must be array"))

    def test_discriminator_selects_the_branch(self) -> None:
        schema = {
            "oneOf": [
                {"type": "object", "properties": {"kind": {"const": "a"}, "n": {"type": "integer"}}},
                {"type": "object", "properties": {"kind": {"const": "b"}, "s": {"type": "string"}}},
            ],
            "discriminator": {"propertyName": "kind"},
        }
        self.assertEqual(validate({"kind": "b", "s": 1}, schema), [FieldError("/s", "must be string")])


class FastCheckTests(unittest.TestCase):
    def test_agrees_with_validate_on_simple_schemas(self) -> None:
        schemas = [{}, True, {"type": "number"}, {"type": "integer", "minimum": 0, "maximum": 10000},
                   {"type": "string"}, {"exclusiveMinimum": 1}, {"type": "boolean"}, {"type": "null"},
                   {"type": "array"}, {"type": "object", "description": "any object"}]
        values = [0, -1, 1, 2.0, 2.5, 10000, 10001, True, False, None, "s", [], {}, 1e308]
        for schema in schemas:
            check = fast_check(schema)
            self.assertIsNotNone(check)
            for value in values:
                with self.subTest(schema=schema, value=value):
                    self.assertEqual(check(value), is_valid(value, schema))

    def test_declines_schemas_it_cannot_decide(self) -> None:
        self.assertIsNone(fast_check({"type": "string", "pattern": "x"}))
        self.assertIsNone(fast_check({"type": ["string", "null"]}))
        self.assertIsNone(fast_check({"anyOf": [{}]}))


if __name__ == "__main__":
    unittest.main()
