#!/usr/bin/env python3
"""`versa replay --shard I/N` and `--merge` (issue 14: the Kubernetes replay Job shards a capture
across pods): against the real upstreams of test_replay.py (a regression, noise revealed by a
secondary, identical paths, unsafe methods skipped, bad lines), N shards replay every exchange of
two captures exactly once, and the merged report equals the unsharded one (timings aside), in
JSON, with the same exit status, and renders in every format. Bad --shard values and sets of
reports that are not the shards of one replay are refused (exit 2)."""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
from harness import versa_bin  # noqa: E402
from test_replay import Upstream, line  # noqa: E402

TIMING = ("elapsed_seconds", "rate")
# the upstreams answer a fresh requestId each time (the noise the secondary reveals), so the
# values quoted in samples differ from one replay to the next
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def without_timing(report):
    """The report without what differs between two runs of the same replay: timings and the
    random values quoted in samples."""
    report = json.loads(UUID.sub("<uuid>", json.dumps(report)))
    for key in TIMING:
        report["replay"].pop(key, None)
    return report


class Shards(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = versa_bin()
        cls.dir = tempfile.mkdtemp(prefix="versa-shard-test-")
        cls.v1, cls.v1b, cls.v2 = Upstream("v1"), Upstream("v1b"), Upstream("v2")
        # every replayable line has a distinct target (the n= query), so the candidate's request
        # log tells which exchanges were sent
        a = [line("GET", "/pets/%d" % i, "getPet", query="n=a%d" % i) for i in range(1, 14)]
        a.insert(4, "{not json")
        a.insert(9, line("POST", "/pets", "createPet", body='{"name":"Rex"}'))
        b = [line("GET", "/pets", "listPets", query="n=b%d" % i) for i in range(9)]
        b += [line("GET", "/status", "status", query="n=b-s%d" % i) for i in range(4)]
        b += [line("GET", "/price", "price", query="n=b-p%d" % i) for i in range(3)]
        b.insert(7, "[]")
        cls.captures = [cls.write("cap-a.jsonl", a), cls.write("cap-b.jsonl", b)]
        cls.total = len(a) + len(b)

    @classmethod
    def tearDownClass(cls):
        for up in (cls.v1, cls.v1b, cls.v2):
            up.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def write(cls, name, lines):
        path = os.path.join(cls.dir, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def versa(self, *args):
        p = subprocess.run([self.bin, "replay", *args], capture_output=True, timeout=120)
        self.last = p
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def replay(self, out, *extra):
        """One replay (concurrency 1: ids and samples in capture order, as --merge picks them);
        returns (exit status, report, the candidate's requests)."""
        before = len(self.v2.requests)
        rc, _, err = self.versa("--primary", self.v1.url, "--candidate", self.v2.url,
                                "--secondary", self.v1b.url, "--concurrency", "1",
                                "--no-progress", "-f", "json", "-o", out, *extra, *self.captures)
        self.assertIn(rc, (0, 1), err)
        with open(out) as f:
            report = json.load(f)
        return rc, report, [t for _, t in self.v2.requests[before:]]

    def diagnostics(self):
        p = getattr(self, "last", None)
        return "" if p is None else "last: %s\n%s" % (p.args, p.stderr.decode()[-3000:])

    def test_shards_cover_the_capture_once_and_merge_to_the_whole(self):
        rc_all, whole, sent_all = self.replay(os.path.join(self.dir, "whole.json"))
        self.assertEqual(rc_all, 1)  # the renamed field is a regression
        self.assertEqual(whole["replay"]["exchanges"]["read"], self.total)
        self.assertEqual(len(sent_all), len(set(sent_all)))
        self.assertGreater(whole["replay"]["bad_lines"]["count"], 0)
        self.assertGreater(whole["replay"]["skipped"]["unsafe_method"], 0)
        self.assertGreater(whole["regressions"], 0)
        for n in (1, 3, 4):
            with self.subTest(shards=n):
                paths, sent, reads = [], [], 0
                for i in range(n):
                    out = os.path.join(self.dir, "shard-%d-of-%d.json" % (i, n))
                    _, report, got = self.replay(out, "--shard", "%d/%d" % (i, n))
                    self.assertEqual(report["replay"]["shard"], {"index": i, "count": n})
                    # deterministic: the shard holds the exchanges at indexes i, i+n, i+2n...
                    reads += report["replay"]["exchanges"]["read"]
                    sent += got
                    paths.append(out)
                # exactly once: every exchange sent by one shard, none twice, none lost
                self.assertEqual(reads, self.total)
                self.assertEqual(collections.Counter(sent), collections.Counter(sent_all))
                merged_path = os.path.join(self.dir, "merged-%d.json" % n)
                rc, _, err = self.versa("--merge", "-f", "json", "-o", merged_path,
                                        *reversed(paths))
                self.assertEqual(rc, rc_all, err)
                with open(merged_path) as f:
                    merged = json.load(f)
                self.maxDiff = None
                self.assertEqual(without_timing(merged), without_timing(whole))

    def test_merged_report_renders_in_every_format(self):
        paths = []
        for i in range(2):
            out = os.path.join(self.dir, "fmt-%d.json" % i)
            self.replay(out, "--shard", "%d/2" % i, "--fail-on", "none")
            paths.append(out)
        for fmt in ("text", "json", "junit", "html"):
            with self.subTest(format=fmt):
                rc, out, err = self.versa("--merge", "-f", fmt, *paths)
                self.assertEqual(rc, 1, err)  # --fail-on regression by default
                self.assertTrue(out.strip())
        rc, _, err = self.versa("--merge", "--fail-on", "none", "-f", "text", *paths)
        self.assertEqual(rc, 0, err)

    def test_bad_shards_refused(self):
        for bad in ("3/3", "1/0", "a/2", "1/2x", "-1/2", "1", "/2"):
            with self.subTest(shard=bad):
                rc, _, err = self.versa("--shard", bad, "--primary", self.v1.url, "--candidate",
                                        self.v2.url, *self.captures)
                self.assertEqual(rc, 2)
                self.assertIn("--shard", err)

    def test_merge_refuses_what_is_not_one_replay(self):
        shards = []
        for i in range(3):
            out = os.path.join(self.dir, "set-%d.json" % i)
            self.replay(out, "--shard", "%d/3" % i, "--fail-on", "none")
            shards.append(out)
        whole = os.path.join(self.dir, "unsharded.json")
        self.replay(whole, "--fail-on", "none")
        garbage = os.path.join(self.dir, "garbage.json")
        with open(garbage, "w") as f:
            f.write("{\"no\": ")
        cases = [(shards[:2], "shard 2/3 is missing"),
                 (shards + shards[:1], "shard 0/3 is given twice"),
                 (shards[:2] + [whole], "not a shard"),
                 (shards + [garbage], "garbage.json"),
                 ([], "no reports given")]
        for reports, message in cases:
            with self.subTest(message=message):
                rc, _, err = self.versa("--merge", *reports)
                self.assertEqual(rc, 2)
                self.assertIn(message, err)
        rc, _, err = self.versa("--merge", "--candidate", self.v2.url, *shards)
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    tap.main()
