#!/usr/bin/env python3
"""`versa replay` against real upstream processes with known differences: a renamed field (a
regression), a random field the secondary reveals as noise, a numeric drift held by a tolerance
rule, a candidate that hangs (an upstream error). Asserts the JSON report (groups, paths, kinds,
noise, samples with curl commands that really reproduce), every exit status (0, 1, 2), JUnit that
parses, HAR 1.2 input, bad capture lines reported with their line numbers, unsafe methods,
filters, --against-recorded, the progress display, Ctrl-C writing a partial report, the HTML page
in headless Chromium, and (once `versa serve` records) recording through the gateway."""
import http.server
import json
import os
import pty
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import (RefusingPort, Versa, free_port, to_yaml, versa_bin,  # noqa: E402
                     wait_until)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers by role: "v1" (the primary), "v1b" (a second v1: the secondary) and "v2" (the
    candidate, with `tag` renamed `category`, a price off by 1e-9 and /hang never answering)."""
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # head and body leave in two writes: without this, Nagle and delayed ACKs stall each
        # response for 40 ms
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _dispatch(self):
        up = self.server.upstream
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(self.path).path
        up.record(self.command, self.path)
        role = up.role
        if path.startswith("/pets/"):
            pet = {"id": int(path.rsplit("/", 1)[1]), "name": "Rex",
                   "requestId": str(uuid.uuid4())}
            pet["category" if role == "v2" else "tag"] = "dog"
            return self._send(200, pet)
        if path == "/pets" and self.command == "POST":
            return self._send(201, {"created": json.loads(body or b"null")})
        if path == "/pets":
            return self._send(200, {"items": [{"id": 1}, {"id": 2}], "count": 2})
        if path == "/status":
            return self._send(200, b"ok\n", "text/plain")
        if path == "/price":
            return self._send(200, {"price": 10.000000001 if role == "v2" else 10.0})
        if path == "/hang" and role == "v2":
            up.stopping.wait()
            self.close_connection = True
            return None
        return self._send(200, {"path": path})

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _dispatch


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        pass


class Upstream:
    def __init__(self, role):
        self.role = role
        self.lock = threading.Condition()
        self.requests = []
        self.stopping = threading.Event()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.upstream = self
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def record(self, method, target):
        with self.lock:
            self.requests.append((method, target))
            self.lock.notify_all()

    def count(self):
        with self.lock:
            return len(self.requests)

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def line(method, path, op=None, query=None, body=None, status=200, response=None, headers=None):
    rec = {"time": "2024-05-01T12:00:00.000Z", "request": {"method": method, "path": path},
           "response": {"status": status}}
    if op:
        rec["operationId"] = op
    if query is not None:
        rec["request"]["query"] = query
    if body is not None:
        rec["request"]["body"] = body
    if headers is not None:
        rec["request"]["headers"] = headers
    if response is not None:
        rec["response"]["headers"] = [["content-type", "application/json"]]
        rec["response"]["body"] = json.dumps(response)
    return json.dumps(rec)


def group(report, name):
    for g in report["groups"]:
        if g["group"] == name:
            return g
    raise AssertionError("no group %r in %s" % (name, [g["group"] for g in report["groups"]]))


def path_of(g, path, kind):
    for p in g["paths"]:
        if p["path"] == path and p["kind"] == kind:
            return p
    raise AssertionError("no %s %s in %s" % (kind, path, [(p["kind"], p["path"]) for p in g["paths"]]))


class Replay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = versa_bin()
        cls.dir = tempfile.mkdtemp(prefix="versa-replay-test-")
        cls.v1 = Upstream("v1")
        cls.v1b = Upstream("v1b")
        cls.v2 = Upstream("v2")
        lines = []
        for i in range(1, 11):
            lines.append(line("GET", "/pets/%d" % i, "getPet",
                              headers=[["accept", "application/json"],
                                       ["authorization", "[redacted]"]]))
        for _ in range(5):
            lines.append(line("GET", "/pets", "listPets", query="limit=2"))
        lines.append(line("GET", "/status", "status"))
        lines.append(line("POST", "/pets", "createPet", body='{"name":"Rex"}'))
        cls.capture = cls.write("cap.jsonl", "\n".join(lines) + "\n")

    @classmethod
    def tearDownClass(cls):
        for up in (cls.v1, cls.v1b, cls.v2):
            up.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def write(cls, name, text):
        path = os.path.join(cls.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def replay(self, *args, fmt="json", timeout=120):
        out = os.path.join(self.dir, "report." + fmt)
        if os.path.exists(out):
            os.unlink(out)
        cmd = [self.bin, "replay", *args, "--format", fmt, "--output", out]
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
        self.last = (cmd, p)
        text = None
        if os.path.exists(out):
            with open(out, encoding="utf-8") as f:
                text = f.read()
        if fmt == "json" and text:
            return p.returncode, json.loads(text), p.stderr.decode()
        return p.returncode, text, p.stderr.decode()

    def diagnostics(self):
        last = getattr(self, "last", None)
        if last is None:
            return ""
        cmd, p = last
        return "command: %s\nexit %s\nstderr:\n%s" % (" ".join(cmd), p.returncode,
                                                      p.stderr.decode("utf-8", "replace"))

    def test_report_finds_the_regression_and_the_noise(self):
        rc, report, err = self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                      self.v2.url, "--secondary", self.v1b.url)
        self.assertEqual(rc, 1, err)
        x = report["replay"]
        self.assertEqual(x["exchanges"]["read"], 17)
        self.assertEqual(x["exchanges"]["replayed"], 16)
        self.assertEqual(x["skipped"]["unsafe_method"], 1)
        self.assertEqual(report["compared"], 16)
        self.assertEqual(report["noise_compared"], 16)
        g = group(report, "getPet")
        self.assertEqual((g["compared"], g["differing"]), (10, 10))
        tag = path_of(g, "body.tag", "missing")
        cat = path_of(g, "body.category", "extra")
        noise = path_of(g, "body.requestId", "value_changed")
        self.assertTrue(tag["regression"] and cat["regression"])
        self.assertEqual(tag["count"], 10)
        self.assertFalse(noise["regression"])
        self.assertEqual(noise["noise_count"], 10)
        # the first five comparisons to show it (exchanges complete in any order)
        self.assertEqual(len(tag["request_ids"]), 5)
        self.assertLessEqual(set(tag["request_ids"]), {"cap.jsonl:%d" % i for i in range(1, 11)})
        self.assertEqual(group(report, "listPets")["differing"], 0)
        self.assertEqual(group(report, "status")["identical"], 1)
        self.assertEqual(report["regressions"], 2)
        # the sample's curl command reproduces the candidate's answer; line N asked for pet N
        sample = tag["sample"]
        n = int(sample["request_id"].split(":")[1])
        self.assertTrue(sample["curl"].startswith("curl -i '%s/pets/%d'" % (self.v2.url, n)),
                        sample["curl"])
        self.assertIn("-H 'authorization: [redacted]'", sample["curl"])
        out = subprocess.run(["sh", "-c", sample["curl"]], capture_output=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(b'"category": "dog"', out.stdout)
        self.assertIn(b'"id": %d' % n, out.stdout)
        self.assertIn(b"HTTP/1.1 200", out.stdout)
        self.assertIn("%s/pets/%d'" % (self.v1.url, n), sample["curl_primary"])
        self.assertIn(sample["request_id"], x["requests"])

    def test_exit_statuses(self):
        # the same version twice, noise ignored: nothing differs
        rc, report, err = self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                      self.v1b.url, "--ignore", "body.requestId")
        self.assertEqual(rc, 0, err)
        self.assertEqual(report["differing"], 0)
        self.assertFalse(report["replay"]["failed"])
        # without the rule every request id differs: regressions (no secondary to explain them)
        rc, report, _ = self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                    self.v1b.url)
        self.assertEqual(rc, 1)
        # with a secondary they are noise: not a regression, but a difference under --fail-on any
        args = [self.capture, "--primary", self.v1.url, "--candidate", self.v1b.url,
                "--secondary", self.v1b.url]
        self.assertEqual(self.replay(*args)[0], 0)
        self.assertEqual(self.replay(*args, "--fail-on", "any")[0], 1)
        self.assertEqual(self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                     self.v2.url, "--fail-on", "none")[0], 0)

    def test_could_not_run(self):
        refusing = RefusingPort()
        try:
            rc, report, err = self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                          "http://127.0.0.1:%d" % refusing.port)
        finally:
            refusing.close()
        self.assertEqual(rc, 2)
        self.assertIsNone(report)
        self.assertIn("candidate upstream unreachable", err)
        self.assertIn("Connection refused", err)
        cases = [
            ([os.path.join(self.dir, "missing.jsonl"), "--primary", self.v1.url, "--candidate",
              self.v2.url], "No such file"),
            ([self.capture, "--primary", self.v1.url], "no candidate"),
            ([self.capture, "--candidate", self.v2.url], "no primary"),
            ([self.capture, "--primary", self.v1.url, "--candidate", self.v2.url, "--rate", "x"],
             "--rate"),
            ([self.capture, "--primary", self.v1.url, "--candidate", self.v2.url, "--filter",
              "size=3"], "bad filter"),
            ([self.capture, "--primary", self.v1.url, "--candidate", self.v2.url, "--ignore",
              "body.[["], "rule"),
            ([self.capture, "--primary", "https://127.0.0.1:1", "--candidate", self.v2.url],
             "https upstreams are not supported"),
            ([self.capture, "--against-recorded", "--primary", self.v1.url, "--candidate",
              self.v2.url], "--against-recorded takes no --primary"),
        ]
        for args, message in cases:
            with self.subTest(args=args[-2:]):
                rc, _, err = self.replay(*args)
                self.assertEqual(rc, 2, err)
                self.assertIn(message, err)
        p = subprocess.run([self.bin, "replay", self.capture, "--primary", self.v1.url,
                            "--candidate", self.v2.url, "--output",
                            os.path.join(self.dir, "no-such-dir", "r.json")],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"cannot write", p.stderr)
        empty = self.write("empty.jsonl", "\n")
        rc, _, err = self.replay(empty, "--primary", self.v1.url, "--candidate", self.v2.url)
        self.assertEqual(rc, 2)
        self.assertIn("the captures hold no exchanges", err)

    def test_small_listen_backlogs(self):
        """The upstreams listen with Python's backlog of 5; 128 exchanges in flight open their
        connections a few at a time instead of overflowing it."""
        cap = self.write("burst.jsonl", "".join(line("GET", "/pets", "listPets") + "\n"
                                                for _ in range(300)))
        rc, report, err = self.replay(cap, "--primary", self.v1.url, "--candidate", self.v1b.url,
                                      "--secondary", self.v2.url, "--concurrency", "128")
        self.assertEqual(rc, 0, err)
        self.assertEqual(report["compared"], 300)
        errors = report["replay"]["errors"]
        self.assertEqual(errors["primary"] + errors["candidate"] + errors["secondary"], 0)

    def test_junit_parses(self):
        rc, text, err = self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                    self.v2.url, "--secondary", self.v1b.url, fmt="junit")
        self.assertEqual(rc, 1, err)
        root = ET.fromstring(text)
        self.assertEqual(root.tag, "testsuites")
        self.assertEqual(int(root.get("failures")), 2)
        suites = {s.get("name"): s for s in root.findall("testsuite")}
        self.assertEqual(set(suites), {"getPet", "listPets", "status"})
        cases = {c.get("name"): c for c in suites["getPet"].findall("testcase")}
        self.assertIsNotNone(cases["missing body.tag"].find("failure"))
        self.assertIsNone(cases["value_changed body.requestId"].find("failure"))
        self.assertIn("curl -i", cases["missing body.tag"].find("failure").text)

    def test_text_report(self):
        rc, text, err = self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                    self.v2.url, fmt="text")
        self.assertEqual(rc, 1, err)
        self.assertIn("REGRESSION missing body.tag", text)
        self.assertIn("skipped unsafe_method: 1", text)
        self.assertIn("result: FAIL (--fail-on regression)", text)

    def test_tolerance_rules_and_rules_file(self):
        cap = self.write("price.jsonl", line("GET", "/price", "price") + "\n")
        args = [cap, "--primary", self.v1.url, "--candidate", self.v2.url]
        rc, report, _ = self.replay(*args)
        self.assertEqual(rc, 1)
        path_of(group(report, "price"), "body.price", "value_changed")
        rules = self.write("rules.txt", "# prices may drift a little\n"
                                        "@price tolerance body.price abs=0.001\n")
        rc, report, err = self.replay(*args, "--rules", rules)
        self.assertEqual(rc, 0, err)
        self.assertEqual(report["differing"], 0)
        bad = self.write("bad-rules.txt", "ignore body.ok\nfrobnicate body.x\n")
        rc, _, err = self.replay(*args, "--rules", bad)
        self.assertEqual(rc, 2)
        self.assertIn("bad-rules.txt:2:", err)

    def test_bad_lines_reported_with_line_numbers(self):
        text = "\n".join([
            line("GET", "/status", "status"),
            '{"request": {"method": "GET", "path": "/status"',
            "",
            line("GET", "/status", "status").replace('"method": "GET"', '"method": 5'),
            '{"response": {"status": 200}}',
            line("GET", "/status", "status"),
            '{"request": {"method": "GET", "path": "/status"}, "response": {"sta',
        ])
        cap = self.write("bad.jsonl", text)
        rc, report, err = self.replay(cap, "--primary", self.v1.url, "--candidate", self.v2.url)
        self.assertEqual(rc, 0, err)
        bad = report["replay"]["bad_lines"]
        self.assertEqual(bad["count"], 4)
        self.assertEqual([(b["file"], b["line"]) for b in bad["listed"]],
                         [(cap, 2), (cap, 4), (cap, 5), (cap, 7)])
        self.assertIn("invalid JSON", bad["listed"][0]["message"])
        self.assertIn("request.method: expected a string", bad["listed"][1]["message"])
        self.assertIn("missing field request", bad["listed"][2]["message"])
        self.assertIn("truncated", bad["listed"][3]["message"])
        self.assertEqual(report["compared"], 2)
        rc, text, _ = self.replay(cap, "--primary", self.v1.url, "--candidate", self.v2.url,
                                  fmt="text")
        self.assertIn("%s:4: field request.method" % cap, text)
        only_bad = self.write("only-bad.jsonl", "nope\n")
        rc, _, err = self.replay(only_bad, "--primary", self.v1.url, "--candidate", self.v2.url)
        self.assertEqual(rc, 2)
        self.assertIn("no valid exchange", err)

    def test_har_input(self):
        def entry(method, url, post=None):
            req = {"method": method, "url": url, "httpVersion": "HTTP/1.1", "cookies": [],
                   "headers": [{"name": ":authority", "value": "shop.example"},
                               {"name": "Accept", "value": "application/json"}],
                   "queryString": [], "headersSize": -1, "bodySize": -1}
            if post is not None:
                req["postData"] = {"mimeType": "application/json", "text": post}
            return {"startedDateTime": "2024-05-01T12:00:00.000Z", "time": 5, "request": req,
                    "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                                 "cookies": [], "headers": [],
                                 "content": {"size": 2, "mimeType": "application/json",
                                             "text": "{}"},
                                 "redirectURL": "", "headersSize": -1, "bodySize": -1},
                    "cache": {}, "timings": {"send": 0, "wait": 4, "receive": 1}}
        har = {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
                       "pages": [], "entries": [
                           entry("GET", "https://shop.example/pets/7?x=1#top"),
                           entry("GET", "https://shop.example/pets/8"),
                           entry("POST", "https://shop.example/pets", '{"name":"Rex"}'),
                           {"request": {"method": "GET"}, "response": {"status": 200}},
                       ]}}
        path = self.write("session.har", json.dumps(har, indent=2))
        before = self.v2.count()
        rc, report, err = self.replay(path, "--primary", self.v1.url, "--candidate", self.v2.url,
                                      "--allow-unsafe")
        self.assertEqual(rc, 1, err)
        g = group(report, "GET /pets/{id}")
        self.assertEqual(g["compared"], 2)
        self.assertEqual(sorted(path_of(g, "body.tag", "missing")["request_ids"]),
                         ["session.har#1", "session.har#2"])
        self.assertEqual(group(report, "POST /pets")["identical"], 1)
        bad = report["replay"]["bad_lines"]["listed"]
        self.assertEqual([(b["line"], b["message"]) for b in bad],
                         [(4, "log.entries[3]: missing field request.url")])
        targets = [t for _, t in self.v2.requests[before:]]
        self.assertIn("/pets/7?x=1", targets)

    def test_against_recorded(self):
        text = "\n".join([
            line("GET", "/pets", "listPets", response={"items": [{"id": 1}, {"id": 2}],
                                                        "count": 2}),
            line("GET", "/pets", "listPets", response={"items": [{"id": 1}], "count": 1}),
        ]) + "\n"
        cap = self.write("recorded.jsonl", text)
        before = (self.v1.count(), self.v2.count())
        rc, report, err = self.replay(cap, "--against-recorded", "--candidate", self.v2.url)
        self.assertEqual(rc, 1, err)
        g = group(report, "listPets")
        self.assertEqual((g["compared"], g["identical"], g["differing"]), (2, 1, 1))
        path_of(g, "body.count", "value_changed")
        path_of(g, "body.items", "array_length_changed")
        self.assertEqual(report["replay"]["targets"]["primary"], "(recorded responses)")
        self.assertEqual(self.v1.count(), before[0])  # no live primary
        self.assertEqual(self.v2.count(), before[1] + 2)

    def test_unsafe_methods_and_filters(self):
        before = [m for m, _ in self.v2.requests]
        rc, report, _ = self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                    self.v2.url, "--filter", "operation=createPet")
        self.assertEqual(report["compared"], 0)
        self.assertEqual(report["replay"]["skipped"]["unsafe_method"], 1)
        self.assertEqual(report["replay"]["skipped"]["filtered"], 16)
        self.assertEqual(rc, 0)
        rc, report, _ = self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                    self.v2.url, "--filter", "operation=createPet",
                                    "--allow-unsafe")
        self.assertEqual(rc, 0)
        self.assertEqual(group(report, "createPet")["identical"], 1)
        after = [m for m, _ in self.v2.requests]
        self.assertEqual(after.count("POST") - before.count("POST"), 1)
        rc, report, _ = self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                    self.v2.url, "--filter", "path=/pets/1",
                                    "--filter", "path=/status", "--filter", "method=GET")
        # /pets/1 and /pets/10 share the prefix, and /status
        self.assertEqual(report["compared"], 3)

    def test_candidate_errors_are_failures(self):
        cap = self.write("hang.jsonl", line("GET", "/hang", "hang") + "\n" +
                         line("GET", "/status", "status") + "\n")
        rc, report, err = self.replay(cap, "--primary", self.v1.url, "--candidate", self.v2.url,
                                      "--timeout", "300")
        self.assertEqual(rc, 1, err)
        errors = report["replay"]["errors"]
        self.assertEqual(errors["candidate"], 1)
        listed = errors["listed"][0]
        self.assertEqual((listed["side"], listed["request_id"]), ("candidate", "hang.jsonl:1"))
        self.assertIn("no response data for 300 ms", listed["message"])
        self.assertIn("curl -i '%s/hang'" % self.v2.url, listed["curl"])
        self.assertEqual(report["compared"], 1)

    def test_progress_only_on_request(self):
        p = subprocess.run([self.bin, "replay", self.capture, "--primary", self.v1.url,
                            "--candidate", self.v2.url, "--format", "json", "-o", os.devnull],
                           capture_output=True, timeout=60)
        self.assertEqual(p.stderr, b"")  # not a terminal: quiet
        p = subprocess.run([self.bin, "replay", self.capture, "--primary", self.v1.url,
                            "--candidate", self.v2.url, "--format", "json", "-o", os.devnull,
                            "--progress"], capture_output=True, timeout=60)
        self.assertIn(b"17/17 100%", p.stderr)
        self.assertIn(b"differing", p.stderr)
        self.assertIn(b"ETA", p.stderr)
        # standard error on a terminal: the bar is drawn without being asked for
        master, slave = pty.openpty()
        try:
            proc = subprocess.Popen([self.bin, "replay", self.capture, "--primary", self.v1.url,
                                     "--candidate", self.v2.url, "--format", "json", "-o",
                                     os.devnull], stdout=subprocess.DEVNULL, stderr=slave)
            os.close(slave)
            slave = None
            out = b""
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the last writer closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            self.assertEqual(proc.wait(60), 1)
        finally:
            os.close(master)
            if slave is not None:
                os.close(slave)
        self.assertIn(b"17/17 100%", out)
        self.assertIn(b"ETA", out)

    def test_interrupt_writes_a_partial_report(self):
        cap = self.write("many.jsonl", "".join(line("GET", "/pets/%d" % i, "getPet") + "\n"
                                               for i in range(2000)))
        out = os.path.join(self.dir, "partial.json")
        before = self.v2.count()
        proc = subprocess.Popen([self.bin, "replay", cap, "--primary", self.v1.url,
                                 "--candidate", self.v2.url, "--rate", "50", "--format", "json",
                                 "--output", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_until(lambda: self.v2.count() >= before + 5, 60, "replayed requests")
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 1, err)  # the renamed field fails the threshold
        self.assertIn(b"partial", err)
        with open(out, encoding="utf-8") as f:
            report = json.load(f)
        self.assertTrue(report["replay"]["partial"])
        self.assertIn("interrupted", report["replay"]["stop_reason"])
        self.assertGreaterEqual(report["compared"], 5)
        self.assertLess(report["compared"], 2000)

    def test_html_report_in_chromium(self):
        rc, html, err = self.replay(self.capture, "--primary", self.v1.url, "--candidate",
                                    self.v2.url, "--secondary", self.v1b.url, fmt="html")
        self.assertEqual(rc, 1, err)
        self.assertNotIn("<script", html)
        self.assertNotIn("src=", html)
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            raise unittest.SkipTest("chromium is not installed")
        profile = tempfile.mkdtemp(prefix="versa-chromium-")
        try:
            p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                "--disable-background-networking", "--disable-component-update",
                                "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                                "--dump-dom", "file://" + os.path.join(self.dir, "report.html")],
                               capture_output=True, timeout=120)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        dom = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace")[-2000:])
        for expected in ("body.tag", "body.category", "body.requestId", "getPet", "listPets",
                         "FAIL"):
            self.assertIn(expected, dom)

    def test_cross_version_through_the_adapters(self):
        """v1 traffic replayed against v2: the adapter chain renames `category` back to `tag`."""
        spec = ("openapi: 3.0.3\ninfo: {title: pets, version: %s}\npaths:\n"
                "  /pets/{petId}:\n    get:\n      operationId: getPet\n      parameters:\n"
                "        - {name: petId, in: path, required: true, schema: {type: integer}}\n"
                "      responses:\n        '200':\n          description: the pet\n"
                "          content:\n            application/json:\n"
                "              schema: {$ref: '#/components/schemas/Pet'}\n"
                "components:\n  schemas:\n    Pet:\n      type: object\n      properties:\n"
                "        id: {type: integer}\n        name: {type: string}\n"
                "        requestId: {type: string}\n        %s: {type: string}\n")
        self.write("v1.yaml", spec % ("v1", "tag"))
        self.write("v2.yaml", spec % ("v2", "category"))
        self.write("adapters.yaml", "api: pets\nchanges:\n  - to: v2\n    schemas:\n"
                                    "      Pet:\n        - rename: {old: tag, new: category}\n")
        config = self.write("versa.yaml", (
            "listen: [{address: \"127.0.0.1:%d\"}]\napis:\n  - name: pets\n"
            "    adapters: adapters.yaml\n    versions:\n"
            "      v1: {upstream: \"%s\", spec: v1.yaml}\n"
            "      v2: {upstream: \"%s\", spec: v2.yaml}\n") % (free_port(), self.v1.url,
                                                               self.v2.url))
        cap = self.write("v1-traffic.jsonl", "".join(
            line("GET", "/pets/%d" % i, "getPet") + "\n" for i in range(1, 6)))
        rc, report, err = self.replay(cap, "-c", config, "--primary-version", "v1",
                                      "--candidate-version", "v2", "--ignore", "body.requestId")
        self.assertEqual(rc, 0, err)
        self.assertEqual((report["compared"], report["differing"]), (5, 0))
        self.assertEqual(report["replay"]["targets"]["candidate"], self.v2.url)
        # the same replay without the adapters sees the rename
        rc, report, _ = self.replay(cap, "--primary", self.v1.url, "--candidate", self.v2.url,
                                    "--ignore", "body.requestId")
        self.assertEqual(rc, 1)
        path_of(group(report, "getPet"), "body.tag", "missing")
        rc, _, err = self.replay(cap, "-c", config, "--primary-version", "v2",
                                 "--candidate-version", "v1")
        self.assertEqual(rc, 2)
        self.assertIn("not older than", err)

    def test_record_through_the_gateway(self):
        """Once `versa serve` records (`record:` in the config), its capture replays."""
        capture = os.path.join(self.dir, "gw.capture.jsonl")
        port, admin = free_port(), free_port()
        config = {"listen": [{"address": "127.0.0.1:%d" % port}],
                  "admin": {"address": "127.0.0.1:%d" % admin},
                  "access_log": "off",
                  "apis": [{"name": "pets", "prefix": "/pets",
                            "versions": {"v1": {"upstream": self.v1.url}},
                            "record": {"file": capture, "sample": 1}}]}
        path = self.write("gw.yaml", to_yaml(config) + "\n")
        check = subprocess.run([self.bin, "serve", "-c", path, "--check"], capture_output=True,
                               timeout=60)
        if check.returncode != 0:
            raise unittest.SkipTest("versa serve does not record yet: %s"
                                    % check.stderr.decode().strip()[:200])
        gw = Versa(self.dir, config, name="gw").start()
        try:
            for i in range(1, 4):
                r = subprocess.run(["curl", "-sS", "-o", os.devnull, "-w", "%{http_code}",
                                    "http://127.0.0.1:%d/pets/%d" % (port, i)],
                                   capture_output=True, timeout=30)
                self.assertEqual(r.stdout, b"200")
        finally:
            gw.stop()
        rc, report, err = self.replay(capture, "--primary", self.v1.url, "--candidate",
                                      self.v2.url)
        self.assertEqual(rc, 1, err)
        self.assertEqual(report["compared"], 3)
        self.assertEqual(report["replay"]["bad_lines"]["count"], 0)


if __name__ == "__main__":
    tap.main()
