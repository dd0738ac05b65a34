#!/usr/bin/env python3
"""`versa lint` on specs built to make it slow (issue 15's hostile-input findings):

- YAML aliases forming a DAG of schemas (29 levels of `aN: {properties: {p1: *aN-1, p2: *aN-1}}`,
  a 2 KB file): the walk went through every path, 2^29 of them, and never finished. Each node is
  now walked once per context, and a finding under a shared node is reported once.
- 4,096 templates `/x{i}/{a}` and 4,096 `/{p}/y{i}`: every pair is ambiguous, 16.8 million
  findings (minutes and gigabytes). Findings are capped per rule (--max-findings-per-rule, a
  summary finding says how many were left out, in every format) and the check walks a trie.
- 20,000 plain templates: loading them scanned every sibling (quadratic).

Each run has a time limit far below what the bug took and far above what the fix takes, even in
the sanitizer build; the numbers measured are printed as TAP comments."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import versa_bin  # noqa: E402

HEAD = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
LIMIT_S = 60  # the fixed lint takes well under 5 s for each of these, even with ASan


def alias_dag(levels, broken_leaf=False):
    leaf = "{type: strin}" if broken_leaf else "{type: string}"
    lines = [HEAD + "paths: {}\ncomponents:\n  schemas:", "    a0: &a0 " + leaf]
    for i in range(1, levels + 1):
        lines.append("    a%d: &a%d {properties: {p1: *a%d, p2: *a%d}}" % (i, i, i - 1, i - 1))
    return "\n".join(lines) + "\n"


def ambiguous(n):
    lines = [HEAD + "paths:"]
    for i in range(n):
        lines.append("  /x%d/{a}: {}" % i)
        lines.append("  /{p}/y%d: {}" % i)
    return "\n".join(lines) + "\n"


class LintHostile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="versa-lint-hostile-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def lint(self, *args):
        start = time.monotonic()
        try:
            p = subprocess.run([versa_bin(), "lint"] + list(args), capture_output=True,
                               timeout=LIMIT_S)
        except subprocess.TimeoutExpired:
            self.fail("versa lint %s took more than %d s" % (" ".join(args), LIMIT_S))
        took = time.monotonic() - start
        print("# versa lint %s: %.2f s, exit %d" % (" ".join(args[-2:]), took, p.returncode),
              flush=True)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return p.stdout.decode("utf-8")

    def findings(self, *args):
        return json.loads(self.lint("-f", "json", *args))["findings"]

    def test_alias_dag_finishes(self):
        path = self.write("dag.yaml", alias_dag(29))
        found = self.findings(path)
        self.assertFalse([f for f in found if f["severity"] == "error"], found)

    def test_alias_dag_finding_reported_once_at_its_first_path(self):
        path = self.write("dag-broken.yaml", alias_dag(29, broken_leaf=True))
        found = [f for f in self.findings(path) if f["rule"] == "oas3-schema"]
        self.assertEqual(len(found), 1, found)
        self.assertEqual(found[0]["line"], 6)
        self.assertEqual(found[0]["path"], "/components/schemas/a0/type")

    def test_ambiguous_paths_are_capped_with_a_summary(self):
        path = self.write("ambiguous.yaml", ambiguous(4096))
        found = [f for f in self.findings(path) if f["rule"] == "no-ambiguous-paths"]
        self.assertEqual(len(found), 1001)  # the cap, and the summary
        summary = [f for f in found if "more no-ambiguous-paths findings" in f["message"]]
        self.assertEqual(len(summary), 1, found[:3])
        self.assertIn("%d more" % (4096 * 4096 - 1000), summary[0]["message"])
        self.assertIn("--max-findings-per-rule", summary[0]["message"])

    def test_summary_in_every_format(self):
        path = self.write("ambiguous-small.yaml", ambiguous(40))
        want = "%d more no-ambiguous-paths findings" % (40 * 40 - 10)
        for fmt in ("stylish", "json", "sarif", "github", "junit"):
            with self.subTest(fmt=fmt):
                out = self.lint("-f", fmt, "--max-findings-per-rule", "10", path)
                self.assertIn(want, out)
                if fmt in ("json", "sarif"):
                    json.loads(out)
                elif fmt == "junit":
                    ET.fromstring(out)

    def test_no_cap_reports_every_pair(self):
        path = self.write("ambiguous-all.yaml", ambiguous(40))
        found = [f for f in self.findings("--max-findings-per-rule", "0", path)
                 if f["rule"] == "no-ambiguous-paths"]
        self.assertEqual(len(found), 40 * 40)
        self.assertFalse([f for f in found if "more" in f["message"]])

    def test_bad_cap_is_exit_2(self):
        for bad in ("-1", "x", "", "1e3"):
            p = subprocess.run([versa_bin(), "lint", "--max-findings-per-rule", bad,
                                self.write("ok.yaml", HEAD + "paths: {}\n")],
                               capture_output=True, timeout=LIMIT_S)
            self.assertEqual(p.returncode, 2, (bad, p))
            self.assertIn(b"--max-findings-per-rule", p.stderr)

    def test_many_plain_templates(self):
        lines = [HEAD + "paths:"] + ["  /r%d/{id}/s%d: {}" % (i, i) for i in range(20000)]
        path = self.write("plain.yaml", "\n".join(lines) + "\n")
        found = self.findings(path)
        self.assertFalse([f for f in found if f["rule"] in ("no-ambiguous-paths", "path-params")])


if __name__ == "__main__":
    tap.main()
