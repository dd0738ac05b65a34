#!/usr/bin/env python3
"""`versa validate` as CI runs it: a JSON Schema file (2020-12 and draft 4, $ref through $defs
and to a sibling file), a schema inside an OpenAPI spec named by --pointer (3.0 nullable), JSON
and YAML documents, text and JSON output (pointer, keyword, schema location, sentence), and every
exit status: 0 all valid, 1 some invalid, 2 could not run (bad option, missing schema, nothing at
the pointer, a document that is not JSON, with its line and column)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "name": {"type": "string"},
        "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}},
        "owner": {"$ref": "owner.json"},
    },
    "$defs": {"tag": {"type": "string", "maxLength": 3}},
}
OWNER = {"type": "object", "properties": {"email": {"type": "string", "minLength": 3}}}

DRAFT4 = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "number", "maximum": 10, "exclusiveMaximum": True,
}

SPEC = """openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        age: {type: integer, nullable: true}
        tag: {$ref: '#/components/schemas/Tag'}
    Tag: {type: string, enum: [a, b]}
"""


def versa_bin():
    path = os.environ.get("VERSA_BIN") or os.path.join(REPO, "build", "cli", "versa")
    if not os.access(path, os.X_OK):
        raise unittest.SkipTest("versa binary not found at %s (set VERSA_BIN)" % path)
    return path


class ValidateCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = versa_bin()
        cls.dir = tempfile.mkdtemp(prefix="versa-validate-cli-")
        cls.schema = cls.write("schema.json", json.dumps(SCHEMA))
        cls.write("owner.json", json.dumps(OWNER))
        cls.draft4 = cls.write("draft4.json", json.dumps(DRAFT4))
        cls.spec = cls.write("spec.yaml", SPEC)
        cls.good = cls.write("good.json", '{"id": 1, "name": "x", "tags": ["ab"]}')
        cls.bad = cls.write("bad.json",
                            '{"id": 0, "tags": ["ab", "abcd"], "owner": {"email": "a"}}')
        cls.yaml = cls.write("good.yaml", "id: 2\nname: y\n")
        cls.broken = cls.write("broken.json", '{"id": 1,\n  "name": }')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def write(cls, name, text):
        path = os.path.join(cls.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run_validate(self, *args):
        p = subprocess.run([self.bin, "validate"] + list(args), capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")

    def test_all_valid_exits_0(self):
        rc, out, _ = self.run_validate("--schema", self.schema, self.good, self.yaml)
        self.assertEqual(rc, 0, out)
        self.assertIn(self.good + ": valid", out)
        self.assertIn(self.yaml + ": valid", out)

    def test_invalid_lists_errors_exits_1(self):
        rc, out, _ = self.run_validate("--schema", self.schema, self.good, self.bad)
        self.assertEqual(rc, 1, out)
        self.assertIn(self.bad + ": invalid", out)
        self.assertIn('(root): required: must have required property "name"', out)
        self.assertIn("/id: minimum: must be >= 1 (#/properties/id/minimum at ", out)
        self.assertIn("/tags/1: maxLength:", out)
        self.assertIn("#/$defs/tag/maxLength", out)
        self.assertIn("/owner/email: minLength:", out)  # through a $ref to a sibling file

    def test_json_format(self):
        rc, out, _ = self.run_validate("--schema", self.schema, "--format", "json", self.bad)
        self.assertEqual(rc, 1)
        doc = json.loads(out)
        self.assertEqual(doc[0]["document"], self.bad)
        self.assertFalse(doc[0]["valid"])
        errors = {(e["instancePath"], e["keyword"]): e for e in doc[0]["errors"]}
        self.assertEqual(errors[("/id", "minimum")]["schemaLocation"], "#/properties/id/minimum")
        self.assertEqual(errors[("/id", "minimum")]["message"], "must be >= 1")
        self.assertTrue(errors[("/id", "minimum")]["position"].startswith(self.schema + ":1:"))

    def test_draft4_boolean_exclusive_bound(self):
        ten = self.write("ten.json", "10")
        nine = self.write("nine.json", "9.5")
        rc, out, _ = self.run_validate("--schema", self.draft4, nine, ten)
        self.assertEqual(rc, 1, out)
        self.assertIn(nine + ": valid", out)
        self.assertIn("must be < 10", out)

    def test_spec_pointer(self):
        pet = self.write("pet.json", '{"name": "rex", "age": null, "tag": "a"}')
        bad = self.write("badpet.json", '{"age": "old", "tag": "c"}')
        rc, out, _ = self.run_validate("--schema", self.spec, "--pointer",
                                       "/components/schemas/Pet", pet, bad)
        self.assertEqual(rc, 1, out)
        self.assertIn(pet + ": valid", out)
        self.assertIn("/age: type: must be integer", out)
        self.assertIn("#/components/schemas/Tag/enum", out)
        self.assertIn('must have required property "name"', out)

    def test_formats_assert_or_annotate(self):
        schema = self.write("formats.json", json.dumps({
            "properties": {"at": {"format": "date-time"}, "mail": {"format": "email"},
                           "id": {"format": "uuid"}, "host": {"format": "hostname"}}}))
        bad = self.write("badformats.json", json.dumps(
            {"at": "2023-02-29T10:00:00Z", "mail": "a..b@example.org", "id": "1234",
             "host": "-x.example"}))
        good = self.write("goodformats.json", json.dumps(
            {"at": "2024-02-29T10:00:00Z", "mail": "ada@example.org",
             "id": "123e4567-e89b-12d3-a456-426614174000", "host": "example.org"}))
        rc, out, _ = self.run_validate("--schema", schema, bad)  # 2020-12: annotations
        self.assertEqual(rc, 0, out)
        rc, out, _ = self.run_validate("--schema", schema, "--formats", "assert", good, bad)
        self.assertEqual(rc, 1, out)
        self.assertIn(good + ": valid", out)
        for where, fmt in [("/at", "date-time"), ("/mail", "email"), ("/id", "uuid"),
                           ("/host", "hostname")]:
            self.assertIn('%s: format: must match format "%s"' % (where, fmt), out)
        rc, out, err = self.run_validate("--schema", schema, "--formats", "strict", good)
        self.assertEqual(rc, 2)
        self.assertIn("unknown --formats", err)

    def test_unevaluated_and_dynamic_ref(self):
        schema = self.write("unevaluated.json", json.dumps({
            "allOf": [{"properties": {"a": True}}],
            "anyOf": [{"properties": {"b": True}}, {"required": ["zzz"]}],
            "unevaluatedProperties": False,
            "properties": {"list": {"prefixItems": [{"type": "integer"}],
                                    "unevaluatedItems": {"type": "string"}}}}))
        good = self.write("ue-good.json", '{"a": 1, "b": 2, "list": [1, "x", "y"]}')
        bad = self.write("ue-bad.json", '{"a": 1, "c": 3, "list": [1, 2]}')
        rc, out, _ = self.run_validate("--schema", schema, good, bad)
        self.assertEqual(rc, 1, out)
        self.assertIn(good + ": valid", out)
        self.assertIn('/c: unevaluatedProperties: must NOT have unevaluated property "c"',
                      out)
        self.assertIn("/list/1: type: must be string", out)

    def test_ecma_patterns(self):
        schema = self.write("patterns.json", json.dumps({
            "properties": {"name": {"pattern": "^\\p{Lu}\\p{Ll}+$"},
                           "code": {"pattern": "^(?!000)\\d{3}$"},
                           "pair": {"pattern": "^(\\w)\\1$"}}}))
        good = self.write("p-good.json", '{"name": "\u00c9mile", "code": "123", "pair": "aa"}')
        bad = self.write("p-bad.json", '{"name": "emile", "code": "000", "pair": "ab"}')
        rc, out, _ = self.run_validate("--schema", schema, "--format", "json", good, bad)
        self.assertEqual(rc, 1, out)
        doc = json.loads(out)
        self.assertTrue(doc[0]["valid"], doc[0])
        self.assertFalse(doc[0]["incomplete"])
        self.assertEqual(sorted(e["instancePath"] for e in doc[1]["errors"]),
                         ["/code", "/name", "/pair"])
        # a backtracking pattern against a hostile string: bounded, reported incomplete
        redos = self.write("redos.json", json.dumps({"pattern": "^(a+)+$"}))
        hostile = self.write("hostile.json", json.dumps("a" * 5000 + "!"))
        rc, out, _ = self.run_validate("--schema", redos, "--format", "json", hostile)
        self.assertEqual(rc, 0, out)
        self.assertTrue(json.loads(out)[0]["incomplete"])

    def test_cannot_run_exits_2(self):
        rc, out, err = self.run_validate("--schema", self.schema, self.broken)
        self.assertEqual(rc, 2)
        self.assertIn(self.broken + ":2:11: invalid JSON", out)
        for args, msg in [
            ([self.good], "--schema FILE is required"),
            (["--schema", self.schema], "no document"),
            (["--schema", os.path.join(self.dir, "nope.json"), self.good], "nope.json"),
            (["--schema", self.spec, self.good], "--pointer"),
            (["--schema", self.spec, "--pointer", "/components/schemas/Nope", self.good],
             "nothing at pointer"),
            (["--schema", self.schema, "--dialect", "draft7", self.good], "unknown dialect"),
            (["--schema", self.schema, "--format", "xml", self.good], "unknown format"),
        ]:
            rc, out, err = self.run_validate(*args)
            self.assertEqual(rc, 2, (args, out, err))
            self.assertIn(msg, err, args)


if __name__ == "__main__":
    tap.main()
