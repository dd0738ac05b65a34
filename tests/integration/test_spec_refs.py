#!/usr/bin/env python3
"""$ref in specs (issue 11): confined to the spec's directory tree, and never a FIFO or a device."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import GatewayCase, echo_header, echo_header_all, versa_bin  # noqa: E402,F401
from hostile import Base, get  # noqa: E402
from raw import (H2, RawConn, exchange, h2_frame, h2_preface, hpack_literal,  # noqa: E402
                 parse_responses, read_h2_frames)

class SpecRefs(unittest.TestCase):
    """$ref in specs: confined to the spec's directory tree, and never a FIFO or a device."""

    def lint(self, text, extra=(), files=None):
        with tempfile.TemporaryDirectory(prefix="versa-refs-") as d:
            spec = os.path.join(d, "api.yaml")
            with open(spec, "w") as f:
                f.write(text)
            for name, make in (files or {}).items():
                make(os.path.join(d, name))
            p = subprocess.run([versa_bin(), "lint", spec, *extra], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=20)
            return p.returncode, p.stdout.decode() + p.stderr.decode()

    SPEC = ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
            "      responses:\n        '200':\n          description: ok\n          content:\n"
            "            application/json:\n              schema: {$ref: '%s'}\n")

    def test_absolute_ref_outside_the_tree_is_refused_unopened(self):
        rc, out = self.lint(self.SPEC % "/etc/passwd")
        self.assertNotEqual(rc, 0, out)
        self.assertIn("outside", out)
        self.assertNotIn("root:", out)

    def test_relative_escape_is_refused(self):
        rc, out = self.lint(self.SPEC % "../../../../etc/hostname")
        self.assertNotEqual(rc, 0, out)
        self.assertIn("outside", out)

    def test_ref_root_allows_a_shared_folder(self):
        with tempfile.TemporaryDirectory(prefix="versa-refs-") as d:
            os.makedirs(os.path.join(d, "api", "v1"))
            os.makedirs(os.path.join(d, "shared"))
            with open(os.path.join(d, "shared", "pet.yaml"), "w") as f:
                f.write("type: object\n")
            spec = os.path.join(d, "api", "v1", "api.yaml")
            with open(spec, "w") as f:
                f.write(self.SPEC % "../../shared/pet.yaml")
            run = lambda *extra: subprocess.run([versa_bin(), "lint", spec, *extra],  # noqa: E731
                                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                                timeout=20)
            refused = run()
            self.assertIn(b"outside", refused.stdout)
            allowed = run("--ref-root", d)
            self.assertNotIn(b"outside", allowed.stdout)
            self.assertNotIn(b"invalid-ref", allowed.stdout)

    def test_serve_check_refuses_a_spec_reaching_outside(self):
        with tempfile.TemporaryDirectory(prefix="versa-refs-") as d:
            with open(os.path.join(d, "api.yaml"), "w") as f:
                f.write(self.SPEC % "/etc/passwd")
            cfg = os.path.join(d, "versa.yaml")
            with open(cfg, "w") as f:
                f.write("listen: [{address: '127.0.0.1:1'}]\napis:\n  - name: a\n    versions:\n"
                        "      v1: {upstream: 'http://127.0.0.1:1', spec: api.yaml}\n")
            p = subprocess.run([versa_bin(), "serve", "-c", cfg, "--check"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
            self.assertEqual(p.returncode, 1, p.stdout)
            self.assertIn(b"outside", p.stdout)

    def test_fifo_ref_is_refused_not_hung(self):
        rc, out = self.lint(self.SPEC % "./pipe.yaml", files={"pipe.yaml": os.mkfifo})
        self.assertNotEqual(rc, 0, out)
        self.assertIn("not a regular file", out)


if __name__ == "__main__":
    tap.main()
