#!/usr/bin/env python3
"""`versa lint` as CI runs it: every output format parses and has the shape its consumer expects
(JSON, SARIF 2.1.0, JUnit XML, GitHub workflow annotations, stylish text with a summary line),
and every exit status: 0 clean, 1 findings at or above --fail-severity, 2 could not run (an
unreadable file, a bad option, a bad ruleset, an unwritable report)."""
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
CASES = os.path.join(REPO, "specs", "tests", "lint-cases")

CLEAN = open(os.path.join(CASES, "clean-30", "input.yaml"), encoding="utf-8").read()

# Errors (operationId repeated, an unknown field) and warnings (no description, no tags).
BROKEN = """openapi: 3.0.3
info: {title: t, version: '1', description: d, contact: {name: c}}
servers: [{url: https://example.com}]
paths:
  /a:
    get:
      operationId: same
      responses: {'200': {description: ok}}
    post:
      operationId: same
      description: d
      responses: {'201': {description: ok}}
    bogus: 1
"""

# Warnings only.
WARNINGS = """openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
"""


def versa_bin():
    path = os.environ.get("VERSA_BIN") or os.path.join(REPO, "build", "cli", "versa")
    if not os.access(path, os.X_OK):
        raise unittest.SkipTest("versa binary not found at %s (set VERSA_BIN)" % path)
    return path


class LintCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = versa_bin()
        cls.dir = tempfile.mkdtemp(prefix="versa-lint-cli-")
        cls.clean = cls.write("clean.yaml", CLEAN)
        cls.broken = cls.write("broken.yaml", BROKEN)
        cls.warnings = cls.write("warnings.yaml", WARNINGS)
        cls.refs = os.path.join(CASES, "refs", "input.yaml")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def write(cls, name, text):
        path = os.path.join(cls.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def lint(self, *args):
        p = subprocess.run([self.bin, "lint"] + list(args), capture_output=True, timeout=60)
        self.last = p
        return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")

    def diagnostics(self):
        p = getattr(self, "last", None)
        if p is None:
            return ""
        return "last run: %r\nexit %d\nstdout:\n%s\nstderr:\n%s" % (
            p.args, p.returncode, p.stdout.decode("utf-8", "replace")[-3000:],
            p.stderr.decode("utf-8", "replace")[-3000:])

    # ---- formats ----

    def test_stylish(self):
        code, out, err = self.lint(self.broken, self.warnings)
        self.assertEqual(code, 1)
        self.assertEqual(err, "")
        self.assertIn(self.broken + "\n", out)
        self.assertRegex(out, r"\n +10:20  error  operation-operationId-unique +Every operation "
                              r"must have unique \"operationId\"\.  paths\./a\.post\.operationId\n")
        self.assertRegex(out, r"\n +13:5  error  oas3-schema +Property \"bogus\" is not expected")
        self.assertRegex(out, r"  warn   operation-description ")
        m = re.search(r"✖ (\d+) problems \((\d+) errors, (\d+) warnings, (\d+) infos?, "
                      r"(\d+) hints?\) in 2 files\n$", out)
        self.assertIsNotNone(m, out)
        total, errors, warnings, infos, hints = map(int, m.groups())
        self.assertEqual(total, errors + warnings + infos + hints)
        self.assertEqual(errors, 2)
        lines = [l for l in out.splitlines() if re.match(r"^ +\d+:\d+  ", l)]
        self.assertEqual(len(lines), total)

    def test_stylish_clean(self):
        code, out, err = self.lint(self.clean)
        self.assertEqual((code, out, err), (0, "✔ No problems found in 1 file\n", ""))

    def test_json(self):
        code, out, _ = self.lint("--format", "json", self.broken, self.clean, self.refs)
        self.assertEqual(code, 1)
        doc = json.loads(out)
        self.assertEqual(doc["files"], [self.broken, self.clean, self.refs])
        findings = doc["findings"]
        self.assertTrue(findings)
        for f in findings:
            self.assertEqual(set(f), {"rule", "severity", "message", "file", "line", "column",
                                      "path"})
            self.assertIn(f["severity"], ("error", "warn", "info", "hint"))
            self.assertGreaterEqual(f["line"], 1)
            self.assertGreaterEqual(f["column"], 1)
            self.assertTrue(f["path"] == "" or f["path"].startswith("/"), f)
        s = doc["summary"]
        self.assertEqual(s["files"], 3)
        self.assertEqual(s["errors"] + s["warnings"] + s["infos"] + s["hints"], len(findings))
        # a finding inside the file the spec references names that file
        other = [f for f in findings if f["file"].endswith("refs/paths.yaml")]
        self.assertTrue(any(f["rule"] == "invalid-ref" for f in other), other)

    def test_sarif(self):
        code, out, _ = self.lint("--format=sarif", self.broken, self.refs)
        self.assertEqual(code, 1)
        doc = json.loads(out)
        self.assertEqual(doc["version"], "2.1.0")
        self.assertIn("sarif-2.1.0", doc["$schema"])
        self.assertEqual(len(doc["runs"]), 1)
        run = doc["runs"][0]
        driver = run["tool"]["driver"]
        self.assertEqual(driver["name"], "versa")
        ids = [r["id"] for r in driver["rules"]]
        self.assertIn("oas3-schema", ids)
        self.assertEqual(len(ids), len(set(ids)))
        for r in driver["rules"]:
            self.assertIn(r["defaultConfiguration"]["level"], ("error", "warning", "note"))
            self.assertTrue(r["shortDescription"]["text"])
        self.assertTrue(run["results"])
        for res in run["results"]:
            self.assertEqual(ids[res["ruleIndex"]], res["ruleId"])
            self.assertIn(res["level"], ("error", "warning", "note"))
            self.assertTrue(res["message"]["text"])
            loc = res["locations"][0]["physicalLocation"]
            self.assertTrue(loc["artifactLocation"]["uri"])
            self.assertGreaterEqual(loc["region"]["startLine"], 1)
            self.assertGreaterEqual(loc["region"]["startColumn"], 1)
        levels = {r["level"] for r in run["results"]}
        self.assertTrue({"error", "warning", "note"} <= levels, levels)

    def test_junit(self):
        code, out, _ = self.lint("--format", "junit", self.broken, self.clean)
        self.assertEqual(code, 1)
        root = ET.fromstring(out.encode("utf-8"))
        self.assertEqual(root.tag, "testsuites")
        suites = root.findall("testsuite")
        self.assertEqual([s.get("name") for s in suites], [self.broken, self.clean])
        failures = root.findall(".//failure")
        self.assertEqual(int(root.get("failures")), len(failures))
        self.assertEqual(int(root.get("tests")), len(root.findall(".//testcase")))
        self.assertEqual(int(suites[1].get("failures")), 0)
        self.assertEqual(len(suites[1].findall("testcase")), 1)
        self.assertTrue(all(f.get("type") in ("error", "warn", "info", "hint") for f in failures))
        self.assertTrue(any("operation-operationId-unique" in (f.text or "") for f in failures))

    def test_github(self):
        code, out, _ = self.lint("--format", "github", self.broken, self.warnings)
        self.assertEqual(code, 1)
        lines = out.splitlines()
        self.assertTrue(lines)
        pattern = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),"
                             r"title=([^:,]+)::(.+)$")
        for line in lines:
            self.assertRegex(line, pattern)
        self.assertIn("::error file=%s,line=10,col=20,title=operation-operationId-unique::"
                      "Every operation must have unique \"operationId\". "
                      "(/paths/~1a/post/operationId)" % self.broken, lines)
        self.assertTrue(any(l.startswith("::warning file=%s," % self.warnings) for l in lines))

    # ---- options ----

    def test_options_after_files(self):
        code, out, _ = self.lint(self.broken, "--format", "json", self.warnings, "-F", "warn")
        self.assertEqual(code, 1)
        self.assertEqual(json.loads(out)["files"], [self.broken, self.warnings])

    def test_output_file(self):
        path = os.path.join(self.dir, "report.json")
        code, out, err = self.lint("-f", "json", "-o", path, self.broken)
        self.assertEqual((code, out, err), (1, "", ""))
        with open(path, encoding="utf-8") as f:
            self.assertTrue(json.load(f)["findings"])

    def test_quiet(self):
        code, out, _ = self.lint("--quiet", self.broken, self.warnings)
        self.assertEqual(code, 1)
        self.assertNotIn("  warn  ", out)
        self.assertIn("(2 errors, 0 warnings, 0 infos, 0 hints) in 2 files", out)
        code, out, _ = self.lint("-q", self.warnings)
        self.assertEqual((code, out), (0, ""))

    def test_fail_severity(self):
        self.assertEqual(self.lint(self.warnings)[0], 0)
        for level, want in (("error", 0), ("warn", 1), ("info", 1), ("hint", 1)):
            with self.subTest(level=level):
                self.assertEqual(self.lint("--fail-severity", level, self.warnings)[0], want)
        self.assertEqual(self.lint("--fail-severity", "warn", self.clean)[0], 0)

    def test_ruleset(self):
        rules = self.write("rules.yaml", "extends: [spectral:oas]\nrules:\n"
                                         "  operation-operationId-unique: warn\n"
                                         "  oas3-schema: off\n"
                                         "  info-contact: error\n")
        code, out, _ = self.lint("--ruleset", rules, "-f", "json", self.broken)
        self.assertEqual(code, 0)
        rules_seen = {f["rule"]: f["severity"] for f in json.loads(out)["findings"]}
        self.assertEqual(rules_seen["operation-operationId-unique"], "warn")
        self.assertNotIn("oas3-schema", rules_seen)
        code, _, _ = self.lint("--ruleset", rules, self.warnings)
        self.assertEqual(code, 1)  # info-contact is now an error

    def test_many_files(self):
        code, out, _ = self.lint(self.clean, self.broken, self.warnings, self.refs)
        self.assertEqual(code, 1)
        self.assertRegex(out, r"in 4 files\n$")
        self.assertLess(out.index(self.broken), out.index(self.warnings))

    def test_list_rules_and_help(self):
        code, out, _ = self.lint("--list-rules")
        self.assertEqual(code, 0)
        self.assertRegex(out, r"(?m)^oas3-schema +error +")
        self.assertRegex(out, r"(?m)^operation-tags +warn +")
        code, out, _ = self.lint("--help")
        self.assertEqual(code, 0)
        self.assertIn("usage: versa lint", out)

    # ---- could not run: exit 2 ----

    def assert_cannot_run(self, args, stderr_pattern):
        code, out, err = self.lint(*args)
        self.assertEqual(code, 2, (args, out, err))
        self.assertRegex(err, stderr_pattern)

    def test_unreadable_files(self):
        missing = os.path.join(self.dir, "missing.yaml")
        self.assert_cannot_run([missing], r"missing\.yaml: cannot open: No such file")
        self.assert_cannot_run([self.dir], r"is a directory")
        # the readable files are still reported
        code, out, err = self.lint(self.broken, missing)
        self.assertEqual(code, 2)
        self.assertIn("operation-operationId-unique", out)
        if os.geteuid() != 0:  # root reads anything
            locked = self.write("locked.yaml", CLEAN)
            os.chmod(locked, 0)
            self.assert_cannot_run([locked], r"Permission denied")

    def test_bad_options(self):
        self.assert_cannot_run(["--bogus", self.clean], r"unknown or incomplete option")
        self.assert_cannot_run(["-x", self.clean], r"unknown option -x")
        self.assert_cannot_run(["--format", "xml", self.clean], r"unknown format \"xml\"")
        self.assert_cannot_run(["--fail-severity", "fatal", self.clean], r"unknown severity")
        self.assert_cannot_run(["--fail-severity", "off", self.clean], r"unknown severity")
        self.assert_cannot_run(["--format"], r"needs a value|incomplete option")
        self.assert_cannot_run([], r"no files to lint")

    def test_bad_rulesets(self):
        unknown = self.write("unknown-rule.yaml", "rules:\n  info-contact: off\n"
                                                  "  no-such-rule: warn\n")
        self.assert_cannot_run(["--ruleset", unknown, self.clean],
                               re.escape(unknown) + r":3:3: unknown rule \"no-such-rule\"")
        bad_severity = self.write("bad-severity.yaml", "rules:\n  info-contact: loud\n")
        self.assert_cannot_run(["--ruleset", bad_severity, self.clean],
                               re.escape(bad_severity) + r":2:17: .*severity must be")
        syntax = self.write("syntax.yaml", "rules: [\n")
        self.assert_cannot_run(["--ruleset", syntax, self.clean], re.escape(syntax) + r":\d+:\d+")
        self.assert_cannot_run(["--ruleset", os.path.join(self.dir, "nope.yaml"), self.clean],
                               r"bad ruleset")

    def test_unwritable_output(self):
        self.assert_cannot_run(["-o", os.path.join(self.dir, "no", "such", "dir.txt"), self.clean],
                               r"cannot write")


if __name__ == "__main__":
    tap.main()
