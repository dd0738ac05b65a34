#!/usr/bin/env python3
"""Input files under the hostile-input discipline (issue 15): real fixture files (a YAML spec, a
JSON spec, a gateway config, an adapter file, a JSON Lines capture and a HAR file) are cut at
many offsets and have bytes flipped deterministically, and the command that reads each (`versa
lint`, `versa serve --check`, `versa replay`) runs on every variant. Each run must:

- end within RUN_LIMIT_S seconds and RSS_LIMIT_MB of peak memory, never on a signal, and print
  no sanitizer report (the ASan+UBSan build runs this test too);
- exit with one of the command's documented statuses: lint 0/1/2 (a file that does not parse is
  a `parser` finding with its line and column: exit 1), serve --check 0/1, replay 0/1/2;
- when it fails to run (lint 2, serve 1, replay 2), say where: `file:line:col` on stderr.

The number of variants and the slowest run are printed as TAP comments."""
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import free_port, versa_bin  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(HERE, "fixtures")
CAPTURES = os.path.join(REPO, "tests", "fuzz", "corpus", "fuzz_capture")

RUN_LIMIT_S = 20      # the slowest variant takes well under a second (ASan build)
RSS_LIMIT_MB = 400    # ASan's shadow memory included
CUTS = 24             # offsets per file, spread over its length (ASan: ~0.2 s a run)
FLIPS = 12            # single-byte changes per file
POSITION = re.compile(r"[^\s:]+:\d+:\d+")
SANITIZER = re.compile(r"(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:)")


def variants(data):
    """(label, bytes): the file cut at CUTS offsets (the empty file and one byte short among
    them), then FLIPS copies with one byte replaced, chosen by a fixed linear congruential
    sequence so that every run tests the same inputs."""
    n = len(data)
    offsets = sorted({0, 1, n - 1} | {n * k // CUTS for k in range(1, CUTS)})
    for off in offsets:
        yield "cut at %d" % off, data[:off]
    state = 12345
    for _ in range(FLIPS):
        state = (state * 1103515245 + 12345) % 2 ** 31
        pos = state % n
        value = (state >> 8) % 256
        if value == data[pos]:
            value ^= 0x20
        yield "byte %d = 0x%02x" % (pos, value), data[:pos] + bytes([value]) + data[pos + 1:]


class Candidate:
    """The service `versa replay` compares against: answers every request with 200 `{}`."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                if n:
                    self.rfile.read(n)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class TruncatedInputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="versa-truncated-")
        cls.candidate = Candidate()
        cls.slowest = (0.0, "")

    @classmethod
    def tearDownClass(cls):
        cls.candidate.close()
        shutil.rmtree(cls.dir, ignore_errors=True)
        print("# slowest run: %.2f s (%s)" % cls.slowest, flush=True)

    def run_one(self, argv, label):
        """Runs argv; returns (exit status, stderr text) after the checks every run must pass."""
        start = time.monotonic()
        with open(os.path.join(self.dir, "stderr"), "w+b") as err, \
                open(os.devnull, "wb") as out:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            deadline = start + RUN_LIMIT_S
            while True:
                pid, status, usage = os.wait4(p.pid, os.WNOHANG)
                if pid != 0:
                    break
                if time.monotonic() > deadline:
                    p.kill()
                    p.wait()
                    self.fail("%s: still running after %d s: %s" % (label, RUN_LIMIT_S, argv))
                time.sleep(0.005)
            p.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            text = err.read().decode("utf-8", "replace")
        took = time.monotonic() - start
        if took > type(self).slowest[0]:
            type(self).slowest = (took, "%s, %s" % (os.path.basename(argv[-1]), label))
        self.assertGreaterEqual(p.returncode, 0, "%s: killed by signal %d\n%s"
                                % (label, -p.returncode, text[-3000:]))
        self.assertIsNone(SANITIZER.search(text), "%s: sanitizer report\n%s" % (label, text[-3000:]))
        self.assertLess(usage.ru_maxrss / 1024, RSS_LIMIT_MB, label)
        return p.returncode, text

    def each_variant(self, source, name, check):
        with open(source, "rb") as f:
            data = f.read()
        path = os.path.join(self.dir, name)
        count = 0
        for label, content in variants(data):
            with open(path, "wb") as f:
                f.write(content)
            with self.subTest(file=name, variant=label):
                check(path, label)
            count += 1
        print("# %s: %d variants" % (name, count), flush=True)

    def expect(self, status, text, allowed, failing, label):
        self.assertIn(status, allowed, "%s: exit %d\n%s" % (label, status, text[-2000:]))
        if status == failing:
            self.assertRegex(text, POSITION, "%s: exit %d without file:line:col" % (label, status))

    # --- versa lint ---------------------------------------------------------------------------

    def lint(self, path, label):
        status, text = self.run_one([versa_bin(), "lint", "-f", "json", path], label)
        self.expect(status, text, (0, 1, 2), 2, label)

    def test_lint_yaml_spec(self):
        self.each_variant(os.path.join(FIX, "pets-v1.yaml"), "spec.yaml", self.lint)

    def test_lint_json_spec(self):
        self.each_variant(os.path.join(FIX, "adapters", "v1.json"), "spec.json", self.lint)

    # --- versa serve --check: the config, a spec and an adapter file it names -----------------

    def write_config(self):
        path = os.path.join(self.dir, "versa.yaml")
        with open(path, "w") as f:
            f.write(CONFIG % {"port": free_port(), "admin": free_port(),
                              "fix": os.path.join(FIX, "adapters"), "dir": self.dir})
        return path

    def serve_check(self, path, label):
        status, text = self.run_one(
            [versa_bin(), "serve", "--check", "-c", os.path.join(self.dir, "versa.yaml")], label)
        self.expect(status, text, (0, 1), 1, label)

    def test_serve_check_config(self):
        shutil.copy(os.path.join(FIX, "adapters", "pets.yaml"), os.path.join(self.dir, "pets.yaml"))
        shutil.copy(os.path.join(FIX, "adapters", "v2.json"), os.path.join(self.dir, "v2.json"))
        source = self.write_config()
        with open(source) as f:
            text = f.read()
        original = os.path.join(self.dir, "versa.original.yaml")
        with open(original, "w") as f:
            f.write(text)
        status, out = self.run_one([versa_bin(), "serve", "--check", "-c", source], "original")
        self.assertEqual(status, 0, out)
        self.each_variant(original, "versa.yaml", self.serve_check)

    def test_serve_check_adapter_file(self):
        shutil.copy(os.path.join(FIX, "adapters", "v2.json"), os.path.join(self.dir, "v2.json"))
        self.write_config()
        self.each_variant(os.path.join(FIX, "adapters", "pets.yaml"), "pets.yaml",
                          self.serve_check)

    def test_serve_check_spec(self):
        shutil.copy(os.path.join(FIX, "adapters", "pets.yaml"), os.path.join(self.dir, "pets.yaml"))
        self.write_config()
        self.each_variant(os.path.join(FIX, "adapters", "v2.json"), "v2.json", self.serve_check)

    # --- versa replay ---------------------------------------------------------------------------

    def replay(self, path, label):
        status, text = self.run_one(
            [versa_bin(), "replay", "--against-recorded", "--candidate", self.candidate.url,
             "--no-progress", "--allow-unsafe", "--timeout", "5000", path], label)
        self.expect(status, text, (0, 1, 2), 2, label)

    def test_replay_jsonl_capture(self):
        self.each_variant(os.path.join(CAPTURES, "jsonl"), "capture.jsonl", self.replay)

    def test_replay_har_capture(self):
        self.each_variant(os.path.join(CAPTURES, "har"), "capture.har", self.replay)


# The sample config: listeners, limits, an API with a spec-described, adapter-served version and
# a version with an upstream that is never contacted (--check does not connect).
CONFIG = """\
listen:
  - address: 127.0.0.1:%(port)d
admin:
  address: 127.0.0.1:%(admin)d
threads: 1
access_log: off
versioning:
  default: v3
  header: Api-Version
limits:
  max_request_body: 1MiB
  max_request_head: 16KiB
  client_request_timeout_ms: 5000
apis:
  - name: pets
    adapters: %(dir)s/pets.yaml
    versions:
      v1: {spec: %(fix)s/v1.json}
      v2: {spec: %(dir)s/v2.json}
      v3: {upstream: "http://127.0.0.1:9", spec: %(fix)s/v3.json}
    timeouts: {connect_ms: 500, response_ms: 2000}
"""


if __name__ == "__main__":
    tap.main()
