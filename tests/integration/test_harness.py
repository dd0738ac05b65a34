#!/usr/bin/env python3
"""The harness's port claims (tests/support/harness.py): a port one test process claimed is never
handed to another process of the same run; outside a run's folder, a claim whose process has
gone is taken over."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(HERE, "..", "support")
sys.path.insert(0, SUPPORT)
import tap  # noqa: E402

CLAIM = ("import sys; sys.path.insert(0, %r); import harness; "
         "print(harness._claim_port(int(sys.argv[1])))" % SUPPORT)


def claim_in_child(port, port_dir):
    """Claims `port` from a separate Python process; returns what _claim_port said."""
    env = dict(os.environ)
    env.pop("VERSA_PORT_DIR", None)
    if port_dir.startswith("strict:"):
        env["VERSA_PORT_DIR"] = port_dir[len("strict:"):]
    else:
        env["TMPDIR"] = port_dir
    out = subprocess.run([sys.executable, "-c", CLAIM, str(port)], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    return out == "True"


class PortClaims(unittest.TestCase):
    def test_a_run_never_hands_a_port_out_twice(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertTrue(claim_in_child(40001, "strict:" + d))
            # the first claimer has exited; within a run its port stays taken
            self.assertFalse(claim_in_child(40001, "strict:" + d))
            self.assertTrue(claim_in_child(40002, "strict:" + d))

    def test_outside_a_run_a_dead_claim_is_taken_over(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertTrue(claim_in_child(40003, d))
            self.assertTrue(claim_in_child(40003, d))

    def test_a_live_claim_is_respected_outside_a_run(self):
        with tempfile.TemporaryDirectory() as d:
            folder = os.path.join(d, "versa-test-ports-%d" % os.getuid())
            os.makedirs(folder)
            with open(os.path.join(folder, "40004"), "w") as f:
                f.write(str(os.getpid()))  # this test process is alive
            self.assertFalse(claim_in_child(40004, d))

    def test_free_port_claims_what_it_returns(self):
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, VERSA_PORT_DIR=d)
            code = ("import sys; sys.path.insert(0, %r); import harness; "
                    "print(' '.join(str(harness.free_port()) for _ in range(50)))" % SUPPORT)
            ports = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                   capture_output=True, text=True).stdout.split()
            self.assertEqual(len(set(ports)), 50)
            self.assertEqual(sorted(os.listdir(d)), sorted(ports))


if __name__ == "__main__":
    tap.main()
