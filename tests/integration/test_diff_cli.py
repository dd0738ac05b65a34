#!/usr/bin/env python3
"""`versa diff` as CI runs it: exit statuses (0 nothing at or above --fail-on, 1 something is,
2 could not run), every output format, adapter coverage (covered by FILE:LINE:COL, uncovered,
unused steps, --suggest), the -c mode over a gateway config, and bad inputs that must give a
clear error and exit 2, never a crash. Also: every spec in ../shared/specs diffed against itself
has no findings."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(REPO), "shared", "specs")

BASE = """openapi: 3.0.3
info: {title: pets, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
    post:
      operationId: createPet
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '201': {description: created}
  /pets/{id}:
    delete:
      operationId: deletePet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '204': {description: gone}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        tag: {type: string}
"""

# tag renamed category, owner added as required, DELETE removed, limit required.
REVISION = """openapi: 3.0.3
info: {title: pets, version: '2'}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
    post:
      operationId: createPet
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '201': {description: created}
components:
  schemas:
    Pet:
      type: object
      required: [name, owner]
      properties:
        name: {type: string}
        category: {type: string}
        owner: {type: string}
"""

COVERING = """api: pets
changes:
  - to: v2
    schemas:
      Pet:
        - rename: {old: tag, new: category}
        - added: {field: owner, default: nobody}
    query:
      - added: {name: limit, default: "20"}
    operations:
      deletePet:
        gone: true
"""

PARTIAL = """api: pets
changes:
  - to: v2
    schemas:
      Pet:
        - rename: {old: tag, new: category}
        - convert: {field: name, old: string, new: integer}
"""

INFO_ONLY = BASE.replace("        tag: {type: string}\n",
                         "        tag: {type: string}\n        color: {type: string}\n")


def versa_bin():
    path = os.environ.get("VERSA_BIN") or os.path.join(REPO, "build", "cli", "versa")
    if not os.access(path, os.X_OK):
        raise unittest.SkipTest("versa binary not found at %s (set VERSA_BIN)" % path)
    return path


class DiffCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = versa_bin()
        cls.dir = tempfile.mkdtemp(prefix="versa-diff-cli-")
        cls.base = cls.write("base.yaml", BASE)
        cls.rev = cls.write("revision.yaml", REVISION)
        cls.info = cls.write("info.yaml", INFO_ONLY)
        cls.covering = cls.write("adapters.yaml", COVERING)
        cls.partial = cls.write("partial.yaml", PARTIAL)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def write(cls, name, text):
        path = os.path.join(cls.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run_diff(self, *args, timeout=60):
        p = subprocess.run([self.bin, "diff", *args], capture_output=True, text=True,
                           timeout=timeout, cwd=self.dir)
        self.assertGreaterEqual(p.returncode, 0, "crashed: %s" % p.stderr)
        return p

    def test_exit_statuses(self):
        p = self.run_diff(self.base, self.base)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("0 errors, 0 warnings, 0 infos", p.stdout)
        p = self.run_diff(self.base, self.rev)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(self.run_diff(self.base, self.rev, "--fail-on", "none").returncode, 0)
        self.assertEqual(self.run_diff(self.base, self.info).returncode, 0)
        self.assertEqual(self.run_diff(self.base, self.info, "--fail-on", "info").returncode, 1)
        self.assertEqual(self.run_diff(self.base, self.info, "--fail-on", "warning").returncode, 0)

    def test_text_report(self):
        out = self.run_diff(self.base, self.rev).stdout
        self.assertRegex(out, r"base\.yaml:\d+:\d+: error \[api-path-removed-without-deprecation\] "
                              r"DELETE /pets/\{id\} \(deletePet\)")
        self.assertRegex(out, r"revision\.yaml:\d+:\d+: error \[new-required-request-property\] "
                              r"POST /pets \(createPet\)")
        self.assertIn("[request-parameter-became-required]", out)
        self.assertIn("[response-optional-property-removed]", out)
        self.assertIn("deprecate", out)  # the remedy
        self.assertRegex(out, r"\d+ errors, \d+ warnings?, \d+ infos?: \S*base\.yaml -> \S*revision\.yaml")

    def test_json(self):
        doc = json.loads(self.run_diff(self.base, self.rev, "--format", "json").stdout)
        ids = {f["id"] for f in doc["findings"]}
        self.assertIn("api-path-removed-without-deprecation", ids)
        f = next(f for f in doc["findings"] if f["id"] == "new-required-request-property")
        self.assertEqual(f["level"], "error")
        self.assertEqual(f["operation"], "POST /pets")
        self.assertEqual(f["operationId"], "createPet")
        self.assertEqual(f["field"], "owner")
        self.assertEqual(f["component"], "Pet")
        self.assertTrue(f["path"].startswith("/paths/~1pets/post/requestBody/content/"))
        self.assertTrue(f["file"].endswith("revision.yaml") and f["line"] > 0)
        self.assertEqual(doc["summary"]["error"], sum(x["level"] == "error" for x in doc["findings"]))

    def test_sarif_junit_html_markdown_github(self):
        sarif = json.loads(self.run_diff(self.base, self.rev, "-f", "sarif").stdout)
        self.assertEqual(sarif["version"], "2.1.0")
        results = sarif["runs"][0]["results"]
        self.assertTrue(results and all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 0
                                        for r in results))
        rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
        self.assertTrue({r["ruleId"] for r in results} <= rules)
        junit = ET.fromstring(self.run_diff(self.base, self.rev, "-f", "junit").stdout)
        self.assertEqual(junit.tag, "testsuites")
        self.assertGreater(int(junit.get("failures")), 0)
        html = self.run_diff(self.base, self.rev, "-f", "html").stdout
        self.assertIn("<table>", html)
        self.assertIn("api-path-removed-without-deprecation", html)
        md = self.run_diff(self.base, self.rev, "-f", "markdown").stdout
        self.assertIn("| level | check |", md)
        gh = self.run_diff(self.base, self.rev, "-f", "github").stdout.splitlines()
        self.assertTrue(gh and all(re.match(r"::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,"
                                            r"title=[a-z-]+::", line) for line in gh), gh)

    def test_output_file(self):
        out = os.path.join(self.dir, "report.json")
        p = self.run_diff(self.base, self.rev, "-f", "json", "-o", out)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "")
        with open(out, encoding="utf-8") as f:
            self.assertTrue(json.load(f)["findings"])

    def test_adapters_cover_everything(self):
        p = self.run_diff(self.base, self.rev, "--adapters", self.covering, "-f", "json")
        doc = json.loads(p.stdout)
        breaking = [f for f in doc["findings"] if f.get("coverage")]
        self.assertTrue(breaking)
        for f in breaking:
            self.assertRegex(f["coverage"], r"adapters\.yaml:\d+:\d+$", f)
        by_id = {f["id"]: f for f in breaking}
        self.assertEqual(by_id["api-path-removed-without-deprecation"]["coverage"], "%s:11:7" % self.covering)
        self.assertEqual(by_id["response-optional-property-removed"]["coverage"],
                         "%s:6:11" % self.covering)
        self.assertEqual(p.returncode, 0, p.stdout)
        text = self.run_diff(self.base, self.rev, "--adapters", self.covering).stdout
        self.assertIn("covered by %s:7:11" % self.covering, text)

    def test_adapters_uncovered_and_unused(self):
        p = self.run_diff(self.base, self.rev, "--adapters", self.partial, "--suggest")
        self.assertEqual(p.returncode, 1)
        out = p.stdout
        self.assertIn("uncovered", out)
        self.assertIn("covered by %s:6:11" % self.partial, out)
        self.assertRegex(out, r"partial\.yaml:7:11: warning \[adapter-change-unused\]")
        # suggestions, ready to paste
        self.assertIn("- to: v2", out)
        self.assertIn("gone: true", out)
        self.assertIn("added: {field: owner, default: null}", out)
        self.assertIn("added: {name: limit, default: VALUE}", out)

    def test_config_mode(self):
        cfg = self.write("versa.yaml", """listen: [{address: 127.0.0.1:18099}]
apis:
  - name: pets
    prefix: /pets
    adapters: partial.yaml
    versions:
      v1: {spec: base.yaml}
      v2: {upstream: "http://127.0.0.1:9", spec: revision.yaml}
""")
        p = self.run_diff("-c", cfg)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("uncovered", p.stdout)
        self.assertIn("covered by", p.stdout)
        self.assertEqual(self.run_diff("-c", cfg, "--api", "pets", "--from", "v1", "--to", "v2",
                                       "--fail-on", "none").returncode, 0)
        p = self.run_diff("-c", cfg, "--api", "nope")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no API nope", p.stderr)

    def assert_cannot_run(self, args, pattern):
        p = self.run_diff(*args)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertRegex(p.stderr, pattern)

    def test_bad_inputs(self):
        bad_yaml = self.write("bad.yaml", "openapi: 3.0.3\ninfo: [\n")
        unresolved = self.write("unresolved.yaml", BASE.replace("'#/components/schemas/Pet'}}",
                                                                "'#/components/schemas/Nope'}}"))
        cycle = self.write("cycle.yaml", BASE.replace(
            "    Pet:\n", "    A: {$ref: '#/components/schemas/B'}\n"
                         "    B: {$ref: '#/components/schemas/A'}\n    Pet:\n"))
        v31 = self.write("v31.yaml", BASE.replace("openapi: 3.0.3", "openapi: 3.1.0"))
        self.assert_cannot_run([self.base, "missing.yaml"], r"missing\.yaml")
        self.assert_cannot_run([self.base, bad_yaml], r"bad\.yaml:\d+:\d+: ")
        self.assert_cannot_run([self.base, unresolved], r"unresolved\.yaml:\d+:\d+: .*Nope")
        self.assert_cannot_run([cycle, self.base], r"cycle\.yaml:\d+:\d+: ")
        self.assert_cannot_run([self.base, v31], r"v31\.yaml:1:\d+: cannot compare OpenAPI 3\.0\.3 "
                                                 r"with OpenAPI 3\.1\.0")
        self.assert_cannot_run([self.base], r"expected BASE and REVISION")
        self.assert_cannot_run([self.base, self.rev, "-f", "yaml"], r"unknown format")
        self.assert_cannot_run([self.base, self.rev, "--fail-on", "hint"], r"unknown level")
        self.assert_cannot_run([self.base, self.rev, "--adapters", bad_yaml], r"bad\.yaml:\d+:\d+")
        self.assert_cannot_run([self.base, self.rev, "-o", "/nonexistent/x"], r"cannot write")

    def test_max_files(self):
        d = os.path.join(self.dir, "multi")
        os.makedirs(os.path.join(d, "schemas"), exist_ok=True)
        with open(os.path.join(d, "schemas", "pet.yaml"), "w") as f:
            f.write("type: object\nproperties: {id: {type: integer}}\n")
        spec = os.path.join(d, "api.yaml")
        with open(spec, "w") as f:
            f.write(BASE.replace("'#/components/schemas/Pet'}}", "'./schemas/pet.yaml'}}"))
        self.assertEqual(self.run_diff(spec, spec).returncode, 0)
        # a spec cut short by the limit is never diffed: what it left out would look removed
        self.assert_cannot_run([spec, spec, "--max-files", "1"], r"max_files \(1\).*--max-files")
        self.assert_cannot_run([spec, spec, "--max-files", "0"], r"--max-files needs")

    def test_help_and_checks(self):
        p = self.run_diff("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--fail-on", p.stdout)
        p = self.run_diff("--list-checks")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"response-required-property-removed +error")

    def test_shared_specs_against_themselves(self):
        """No crash on any spec of ../shared/specs, and a spec diffed against itself (GitHub's
        2.8 MB one included) has no findings."""
        if not os.path.isdir(SHARED):
            self.skipTest("no ../shared/specs")
        seen = 0
        for root, _, files in os.walk(SHARED):
            for name in sorted(files):
                if not name.endswith((".yaml", ".yml", ".json")):
                    continue
                path = os.path.join(root, name)
                p = self.run_diff(path, path, timeout=120)
                self.assertIn(p.returncode, (0, 2), path + p.stdout + p.stderr)
                if p.returncode == 0:
                    self.assertIn("0 errors, 0 warnings, 0 infos", p.stdout, path)
                    seen += 1
                else:
                    self.assertRegex(p.stderr, r"^versa diff: ", path)
        self.assertGreater(seen, 10)

    def test_github_versions(self):
        large = os.path.join(SHARED, "large")
        a, b = (os.path.join(large, n) for n in ("github-2021-06-14.yaml", "github-2022-06-11.yaml"))
        if not os.path.exists(a):
            self.skipTest("no GitHub specs")
        p = self.run_diff(a, b, "-f", "json", timeout=120)
        self.assertEqual(p.returncode, 1, p.stderr)
        doc = json.loads(p.stdout)
        self.assertGreater(len(doc["findings"]), 100)
        self.assertTrue(any(f["id"] == "endpoint-added" for f in doc["findings"]))


if __name__ == "__main__":
    tap.main()
