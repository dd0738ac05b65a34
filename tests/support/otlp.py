"""The test OTLP/HTTP collector (tests/otlp/collector.js) as a Python fixture: it decodes what the
gateway exports with protobufjs and the official opentelemetry-proto files (../shared/otlp-proto)
and writes one JSON object per span, which `spans()` reads back. Readiness is its "ready" line,
never a sleep."""
import os
import shutil
import subprocess
import tempfile
import time

from harness import REPO, free_port, read_jsonl

PROTO_DIR = os.path.join(os.path.dirname(REPO), "shared", "otlp-proto")
COLLECTOR = os.path.join(REPO, "tests", "otlp", "collector.js")


class Collector:
    def __init__(self, hang=False):
        if not os.path.isdir(os.path.join(REPO, "tests", "otlp", "node_modules", "protobufjs")):
            raise AssertionError("tests/otlp/node_modules/protobufjs is missing: run "
                                 "deploy/install-deps.sh --test")
        self.dir = tempfile.mkdtemp(prefix="versa-otlp-")
        self.out = os.path.join(self.dir, "spans.jsonl")
        self.port = free_port()
        self.endpoint = "http://127.0.0.1:%d/v1/traces" % self.port
        args = ["node", COLLECTOR, "--port", str(self.port), "--proto", PROTO_DIR,
                "--out", self.out] + (["--hang"] if hang else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if line.strip() != b"ready":
            err = self.proc.stderr.read().decode("utf-8", "replace")
            self.close()
            raise AssertionError("the OTLP collector did not start: %r %s" % (line, err))

    def lines(self):
        return read_jsonl(self.out)  # complete lines: the collector may be appending

    def spans(self):
        """Every span received so far; a line the collector could not decode fails the test."""
        out = []
        for l in self.lines():
            if "error" in l:
                raise AssertionError("the collector refused an export: %s" % l["error"])
            out.append(l)
        return out

    def wait_spans(self, predicate, n=1, timeout=60.0):
        """Waits until n spans satisfy `predicate`; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            got = [s for s in self.spans() if predicate(s)]
            if len(got) >= n:
                return got
            if time.monotonic() > deadline:
                raise AssertionError("%d of %d spans after %.0fs; all: %s"
                                     % (len(got), n, timeout, self.spans()[-10:]))
            time.sleep(0.02)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
