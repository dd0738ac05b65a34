#!/usr/bin/env python3
"""`versa replay --validate`: the candidate's answers held to the candidate's spec, against real
upstreams that answer off-contract (an enum broken on every pet, a text body where JSON is
declared, ids below a minimum), alongside the diffs: the report's "violations" by operation,
keyword and schema location with an example and its curl command, in json, text, junit and html;
--fail-on violations and the exit statuses; the spec from --spec or from -c with
--candidate-version; --shard/--merge summing them; bad usage."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
from harness import to_yaml, versa_bin  # noqa: E402
from test_replay import Upstream, line  # noqa: E402

SPEC = """openapi: 3.0.3
info: {title: pets, version: '2'}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        '200':
          description: a pet
          content:
            application/json: {schema: {$ref: '#/components/schemas/Pet'}}
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: pets
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: {type: object, properties: {id: {type: integer, minimum: 2}}}}
  /status:
    get:
      operationId: status
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: object}}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer}
        name: {type: string}
        category: {type: string, enum: [cat]}
"""


class ReplayValidate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = versa_bin()
        cls.dir = tempfile.mkdtemp(prefix="versa-replay-validate-")
        cls.v2 = Upstream("v2")
        cls.v2b = Upstream("v2")
        lines = [line("GET", "/pets/%d" % i, "getPet") for i in range(1, 7)]
        lines += [line("GET", "/pets", "listPets", query="limit=2"), line("GET", "/status", "status"),
                  line("GET", "/price", "price")]  # /price is not in the spec: not checked
        cls.capture = cls.write("cap.jsonl", "\n".join(lines) + "\n")
        cls.spec = cls.write("pets-v2.yaml", SPEC)

    @classmethod
    def tearDownClass(cls):
        for up in (cls.v2, cls.v2b):
            up.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def write(cls, name, text):
        path = os.path.join(cls.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def replay(self, *args, fmt="json"):
        out = os.path.join(self.dir, "report." + fmt)
        if os.path.exists(out):
            os.unlink(out)
        cmd = [self.bin, "replay", *args, "--format", fmt, "--output", out]
        p = subprocess.run(cmd, capture_output=True, timeout=120)
        text = None
        if os.path.exists(out):
            with open(out, encoding="utf-8") as f:
                text = f.read()
        if fmt == "json" and text:
            return p.returncode, json.loads(text), p.stderr.decode()
        return p.returncode, text, p.stderr.decode()

    def targets(self):  # two identical candidates: no differences, only violations
        return ["--primary", self.v2b.url, "--candidate", self.v2.url,
                "--ignore", "body.requestId"]

    def test_violations_alongside_the_diffs(self):
        rc, report, err = self.replay(self.capture, *self.targets(), "--spec", self.spec)
        self.assertEqual(rc, 0, err)  # --fail-on regression: violations alone do not fail
        self.assertEqual(report["differing"], 0)
        v = {(x["operation"], x["keyword"], x["schema"]): x for x in report["violations"]}
        pet = v[("getPet", "enum", "#/components/schemas/Pet/properties/category/enum")]
        self.assertEqual(pet["count"], 6)
        self.assertEqual(pet["side"], "response")
        self.assertEqual(pet["sample"]["pointer"], "/body/category")
        self.assertIn("curl", pet["sample"]["curl"])
        self.assertIn(self.v2.url, pet["sample"]["curl"])
        self.assertTrue(pet["sample"]["request_id"].startswith("cap.jsonl:"))
        self.assertIn(("status", "content-type",
                       "#/paths/~1status/get/responses/200/content"), v)
        low = v[("listPets", "minimum", "#/paths/~1pets/get/responses/200/content/application~1json"
                 "/schema/properties/items/items/properties/id/minimum")]
        self.assertEqual((low["count"], low["sample"]["pointer"]), (1, "/body/items/0/id"))
        self.assertEqual(report["violations"][0]["count"], 6)  # most frequent first
        val = report["replay"]["validate"]
        self.assertEqual(val["spec"], self.spec)
        self.assertEqual(val["checked"], 9)
        self.assertEqual(val["violating"], 8)
        self.assertEqual(val["violations"], 8)
        rc, report, err = self.replay(self.capture, *self.targets(), "--spec", self.spec,
                                      "--fail-on", "violations")
        self.assertEqual(rc, 1, err)
        self.assertTrue(report["replay"]["failed"])
        rc, report, err = self.replay(self.capture, *self.targets(), "--fail-on", "violations")
        self.assertEqual(rc, 0, err)  # without --validate nothing is held to a spec
        self.assertNotIn("violations", report)

    def test_text_junit_html(self):
        rc, text, err = self.replay(self.capture, *self.targets(), "--spec", self.spec,
                                    "--fail-on", "violations", fmt="text")
        self.assertEqual(rc, 1, err)
        self.assertIn("contract violations: 8  [fails]", text)
        self.assertIn("getPet response enum at #/components/schemas/Pet/properties/category/enum: 6",
                      text)
        self.assertIn("result: FAIL (--fail-on violations)", text)
        rc, xml, err = self.replay(self.capture, *self.targets(), "--spec", self.spec,
                                   "--fail-on", "violations", fmt="junit")
        root = ET.fromstring(xml)
        suite = [s for s in root if s.get("name") == "contract violations"][0]
        self.assertEqual(suite.get("tests"), "3")
        self.assertEqual(suite.get("failures"), "3")
        rc, html, err = self.replay(self.capture, *self.targets(), "--spec", self.spec, fmt="html")
        self.assertEqual(rc, 0, err)
        for text in ("Contract violations", "#/components/schemas/Pet/properties/category/enum",
                     "/body/category", "contract violations"):
            self.assertIn(text, html)

    def test_spec_from_the_config(self):
        cfg = {"listen": [{"address": "127.0.0.1:1"}],
               "apis": [{"name": "pets", "prefix": "/pets", "versions": {
                   "v1": {"upstream": self.v2b.url},
                   "v2": {"upstream": self.v2.url, "spec": self.spec}}}]}
        path = self.write("versa.yaml", to_yaml(cfg))
        rc, report, err = self.replay(self.capture, "-c", path, "--primary-version", "v1",
                                      "--candidate-version", "v2", "--validate",
                                      "--ignore", "body.requestId")
        self.assertEqual(rc, 0, err)
        self.assertEqual(report["replay"]["validate"]["violations"], 8)
        rc, report, err = self.replay(self.capture, "-c", path, "--primary-version", "v2",
                                      "--candidate-version", "v1", "--validate")
        self.assertEqual(rc, 2)
        self.assertIn("version v1 of pets has no spec", err)

    def test_shards_merge_their_violations(self):
        reports = []
        for i in range(3):
            out = os.path.join(self.dir, "shard-%d.json" % i)
            p = subprocess.run([self.bin, "replay", self.capture, *self.targets(), "--spec",
                                self.spec, "--shard", "%d/3" % i, "-f", "json", "-o", out,
                                "--fail-on", "none"], capture_output=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            reports.append(out)
        out = os.path.join(self.dir, "merged.json")
        p = subprocess.run([self.bin, "replay", "--merge", *reports, "-f", "json", "-o", out,
                            "--fail-on", "violations"], capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 1, p.stderr)
        with open(out) as f:
            merged = json.load(f)
        self.assertEqual(merged["replay"]["validate"]["violations"], 8)
        self.assertEqual(merged["replay"]["validate"]["checked"], 9)
        counts = {(x["operation"], x["keyword"]): x["count"] for x in merged["violations"]}
        self.assertEqual(counts[("getPet", "enum")], 6)

    def test_bad_usage(self):
        rc, _, err = self.replay(self.capture, *self.targets(), "--validate")
        self.assertEqual(rc, 2)
        self.assertIn("--validate needs the candidate's spec", err)
        rc, _, err = self.replay(self.capture, *self.targets(), "--spec",
                                 os.path.join(self.dir, "missing.yaml"))
        self.assertEqual(rc, 2)
        self.assertIn("--spec", err)
        bad = self.write("bad.yaml", "openapi: 3.0.3\npaths: [\n")
        rc, _, err = self.replay(self.capture, *self.targets(), "--spec", bad)
        self.assertEqual(rc, 2)
        self.assertRegex(err, r"bad\.yaml:\d+:\d+")


if __name__ == "__main__":
    tap.main()
