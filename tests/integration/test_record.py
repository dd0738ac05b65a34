#!/usr/bin/env python3
"""Recording in `versa serve` (`record:` on an API or a version), and the capture it writes used
by `versa replay`: record through the gateway, then replay against two real upstreams."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import GatewayCase, free_port, read_jsonl, to_yaml, versa_bin, wait_until  # noqa: E402


class Record(GatewayCase):

    @classmethod
    def apis(cls):
        cls.capture = os.path.join(cls.tmp, "pets.jsonl")
        cls.v1_capture = os.path.join(cls.tmp, "v1.jsonl")
        api = cls.sandbox.pets_api()
        api["record"] = {"file": cls.capture, "redact": ["Authorization", "X-Secret"],
                         "max_body": 64}
        api["versions"]["v1"]["record"] = {"file": cls.v1_capture, "sample": 0}
        return [api]

    def lines(self, path, n):
        def ready():
            lines = read_jsonl(path)  # complete lines: the recorder may be writing one
            return lines if len(lines) >= n else None
        return wait_until(ready, 30, "%d capture lines in %s" % (n, path))

    def test_record_then_replay(self):
        self.echo("/pets/rec-1?q=1", headers=["Authorization: Bearer secret",
                                              "X-Secret: s", "X-Request-Id: rec-1"])
        self.echo("/pets", method="POST", data=b'{"name": "Rex"}',
                  headers=["Content-Type: application/json", "X-Request-Id: rec-2"])
        self.echo("/v1/pets/rec-v1")  # v1 records with sample 0: never
        # the writer is asynchronous; SIGTERM flushes it, but polling the file avoids restarts
        recs = {r["request"]["headers"] and dict(r["request"]["headers"]).get("x-request-id"): r
                for r in self.lines(self.capture, 2)}
        r1 = recs["rec-1"]
        self.assertEqual((r1["api"], r1["version"]), ("pets", "v2"))
        req = r1["request"]
        self.assertEqual((req["method"], req["path"], req["query"]), ("GET", "/pets/rec-1", "q=1"))
        hdrs = dict(req["headers"])
        self.assertEqual(hdrs["authorization"], "[redacted]")
        self.assertEqual(hdrs["x-secret"], "[redacted]")
        self.assertEqual(r1["response"]["status"], 200)
        # bodies beyond max_body are cut and marked
        body = r1["response"]["body"]
        self.assertIn("truncated", json.dumps(r1["response"]), r1["response"])
        self.assertLessEqual(len(body), 64)
        self.assertEqual(recs["rec-2"]["request"]["body"], '{"name": "Rex"}')
        self.assertFalse(os.path.exists(self.v1_capture) and os.path.getsize(self.v1_capture))

        # metrics count what was recorded
        status, _, text = self.gw.admin("/metrics")
        self.assertIn("versa_record_written_total", text.decode())

        # replay the recording against the two upstreams: they answer differently (the echo names
        # its server), so with --fail-on any the run fails, and the JSON report says why
        out = os.path.join(self.tmp, "report.json")
        p = subprocess.run([versa_bin(), "replay", self.capture, "--primary", self.up["v2"].url,
                            "--candidate", self.up["v1"].url, "--format", "json", "--output",
                            out, "--fail-on", "any", "--allow-unsafe", "--no-progress"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 1, p)
        with open(out) as f:
            report = json.load(f)
        self.assertIn("server", json.dumps(report))
        # against the same upstream nothing but noise-free echo fields differ: exit 0 with the
        # per-request fields ignored
        p = subprocess.run([versa_bin(), "replay", self.capture, "--primary", self.up["v2"].url,
                            "--candidate", self.up["v2"].url, "--fail-on", "any",
                            "--allow-unsafe", "--no-progress", "--ignore", "body.connection",
                            "--ignore", "body.headers", "--ignore", "headers.**",
                            "--format", "json", "--output", out],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p)
        with open(out) as f:
            report = json.load(f)
        # both recorded exchanges were really sent and compared, not skipped
        self.assertEqual(report.get("compared"), 2, report)
        self.assertEqual(report.get("identical"), 2, report)


class RecordConfigErrors(GatewayCase):
    TLS = False

    def test_bad_record_blocks(self):
        cases = [({"file": "x.jsonl", "sample": 2}, "sample: expected a fraction between 0 and 1"),
                 ({"sample": 0.5}, "missing required key 'file'"),
                 ({"file": "x.jsonl", "colour": 1}, "colour"),
                 ({"file": "/nonexistent-dir/x.jsonl"}, "record")]
        for block, needle in cases:
            with self.subTest(block=block):
                api = self.sandbox.pets_api()
                api["record"] = block
                cfg = self.sandbox.config([api])
                cfg["listen"] = [{"address": "127.0.0.1:%d" % free_port()}]
                cfg.pop("admin")
                path = os.path.join(self.tmp, "record-bad.yaml")
                with open(path, "w") as f:
                    f.write(to_yaml(cfg))
                args = [] if block.get("file", "").startswith("/nonexistent") else ["--check"]
                p = subprocess.run([versa_bin(), "serve", "-c", path] + args,
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 1, p)
                self.assertIn(needle, p.stderr)
                self.assertRegex(p.stderr, r"record-bad\.yaml:\d+:\d+: ")


if __name__ == "__main__":
    tap.main()
