#!/usr/bin/env python3
"""`versa lint` on a large multi-file spec (issue 18): a generated 3,000-file spec (paths,
parameters, schemas and examples in their own files, three folders deep, tests/support/
gen_multifile.py) lints clean; planted faults in deep files are found exactly, in their own file
and position; a crossed loader limit is one error naming the limit and the flag, and exit 2."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from gen_multifile import FAULTS, generate  # noqa: E402
from harness import versa_bin  # noqa: E402


def lint(spec, *args):
    p = subprocess.run([versa_bin(), "lint", "-f", "json", spec, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    try:
        findings = json.loads(p.stdout.decode())["findings"]
    except (ValueError, KeyError):
        findings = None
    return p.returncode, findings, p.stderr.decode()


class MultiFile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="versa-multifile-")
        cls.clean = generate(os.path.join(cls.tmp.name, "clean"), 60, 10, False)
        cls.faulty = generate(os.path.join(cls.tmp.name, "faulty"), 60, 10, True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_fixture_has_3000_files(self):
        n = sum(len(f) for _, _, f in os.walk(os.path.dirname(self.clean)))
        self.assertGreaterEqual(n, 3000)

    def test_clean_spec_has_no_findings(self):
        rc, findings, err = lint(self.clean)
        self.assertEqual((rc, findings), (0, []), err)

    def test_planted_faults_found_in_their_files(self):
        rc, findings, err = lint(self.faulty)
        self.assertEqual(rc, 1, err)
        root = os.path.dirname(self.faulty)
        got = sorted((os.path.relpath(f["file"], root), f["rule"]) for f in findings)
        self.assertEqual(got, sorted(FAULTS), findings)
        for f in findings:  # positions in the file where the problem is
            self.assertGreater(f["line"], 0, f)

    def test_finding_reached_through_several_refs_is_reported_once(self):
        d = os.path.join(self.tmp.name, "shared")
        os.makedirs(os.path.join(d, "schemas"), exist_ok=True)
        with open(os.path.join(d, "schemas", "Pet.yaml"), "w") as f:
            f.write("type: object\nproperties:\n  id: {type: integer}\nexample: {id: oops}\n")
        ops = "".join(
            "  /p%d:\n    get:\n      operationId: op%d\n      description: d\n      tags: [t]\n"
            "      responses:\n        '200':\n          description: ok\n          content:\n"
            "            application/json: {schema: {$ref: './schemas/Pet.yaml'}}\n" % (i, i)
            for i in range(5))
        spec = os.path.join(d, "api.yaml")
        with open(spec, "w") as f:
            f.write("openapi: 3.0.3\ninfo: {title: t, version: '1', description: d, contact: {name: n}}"
                    "\nservers: [{url: 'https://a.example.com'}]\ntags: [{name: t, description: d}]"
                    "\npaths:\n" + ops)
        rc, findings, err = lint(spec)
        self.assertEqual(rc, 1, err)
        self.assertEqual([(os.path.basename(f["file"]), f["rule"], f["line"]) for f in findings],
                         [("Pet.yaml", "oas3-valid-schema-example", 4)], findings)

    def test_max_files_limit_is_one_error_and_exit_2(self):
        rc, findings, err = lint(self.clean, "--max-files", "100")
        self.assertEqual(rc, 2, err)
        self.assertEqual(len(findings), 1, findings)
        self.assertIn("max_files (100)", findings[0]["message"])
        self.assertIn("--max-files", findings[0]["message"])
        self.assertIn("incomplete", err)

    def test_bad_max_files_value(self):
        for v in ("0", "-3", "x", ""):
            with self.subTest(v=v):
                rc, _, err = lint(self.clean, "--max-files", v)
                self.assertEqual(rc, 2, err)
                self.assertIn("--max-files", err)

    def test_serve_check_names_spec_max_files(self):
        cfg = os.path.join(self.tmp.name, "versa.yaml")
        with open(cfg, "w") as f:
            f.write("listen: [{address: '127.0.0.1:1'}]\nspec_max_files: 50\napis:\n  - name: a\n"
                    "    versions:\n      v1: {upstream: 'http://127.0.0.1:1', spec: %s}\n"
                    % self.clean)
        p = subprocess.run([versa_bin(), "serve", "-c", cfg, "--check"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn(b"spec_max_files", p.stdout)


if __name__ == "__main__":
    tap.main()
