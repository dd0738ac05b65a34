#!/usr/bin/env python3
"""Hot reload (docs/operations.md): SIGHUP, POST /reload and --watch re-read the configuration;
only a valid one is put in force, requests in flight finish on the configuration they started
with, listeners and upstream pools carry over, nothing grows per reload; and `serve --check`
checks what start-up needs.

The load test: keep-alive HTTP/1.1 clients (Python, every response recorded) and h2load over
h2c run while 50 reloads alternate the route's upstream between two servers that answer with
their own name, with invalid configurations in between. Every response must come from the
configuration in force when its request was sent (or from either side when the request overlapped
the reload), none may fail, and open fds and RSS stay within a bound."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import (Sandbox, free_port, make_cert, port_refuses, to_yaml, versa_bin,  # noqa: E402
                     wait_until)

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
SANITIZED = "ASAN_OPTIONS" in os.environ  # tests/run-all.sh's sanitizer build
RELOADS = 50
# Growth allowed between the 10th and the 50th reload, measured at the same quiet point (no
# client connected, no upstream connection left: pools close idle ones after KEEPALIVE_MS).
# fds: none per reload; a couple for sockets still closing. RSS: allocator noise, pages of the access log's 4 MiB queue touched for the first
# time; the sanitizer build keeps freed memory in its quarantine.
FD_BOUND = 2
KEEPALIVE_MS = 500
RSS_BOUND_KIB = (64 if SANITIZED else 8) * 1024


def post(port, path, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path)
        resp = conn.getresponse()
        return resp.status, resp.getheader("content-type"), resp.read()
    finally:
        conn.close()


def get(port, path, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def server_of(body):
    return json.loads(body)["server"]


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def metric(gw, name):
    status, _, body = gw.admin("/metrics")
    m = re.search(r"^%s (\d+)$" % re.escape(name), body.decode(), re.M)
    return int(m.group(1)) if m else None


class Client(threading.Thread):
    """A keep-alive HTTP/1.1 client sending requests back to back; every request is recorded as
    (sent, answered, status or error, upstream name)."""

    def __init__(self, port, n, stop):
        super().__init__(daemon=True)
        self.port, self.n, self.stop = port, n, stop
        self.records = []

    def run(self):
        conn = None
        i = 0
        while not self.stop.is_set():
            i += 1
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            sent = time.monotonic()
            try:
                conn.request("GET", "/pets/c%d/%d" % (self.n, i))
                resp = conn.getresponse()
                body = resp.read()
                server = server_of(body) if resp.status == 200 else None
                self.records.append((sent, time.monotonic(), resp.status, server))
            except Exception as e:  # a reset or failed request: the test fails on it
                self.records.append((sent, time.monotonic(), repr(e), None))
                conn.close()
                conn = None
        if conn is not None:
            conn.close()


class H2Load(threading.Thread):
    """h2load over h2c (prior knowledge) in rounds until stopped; sums the failures."""

    def __init__(self, url, stop):
        super().__init__(daemon=True)
        self.url, self.stop = url, stop
        self.done = self.failed = self.errored = self.rounds = 0
        self.outputs = []

    def run(self):
        while not self.stop.is_set():
            p = subprocess.run(["h2load", "-n", "400", "-c", "2", "-m", "4", self.url],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=120)
            m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                          r"(\d+) failed, (\d+) errored", p.stdout)
            if m is None:
                self.failed += 1
                self.outputs.append(p.stdout)
                continue
            self.rounds += 1
            self.done += int(m.group(3))
            self.failed += int(m.group(5))
            self.errored += int(m.group(6))
            if int(m.group(5)) or int(m.group(6)):
                self.outputs.append(p.stdout)


class ReloadCase(unittest.TestCase):

    def setUp(self):
        self.sb = Sandbox(upstreams=("a", "b"), tls=False, threads=2)
        self.addCleanup(self.sb.close)
        self.path = os.path.join(self.sb.tmp, "versa.yaml")
        self.gw = None

    def diagnostics(self):
        return self.sb.diagnostics()

    def config(self, upstream="a", listen=None, apis=None, **top):
        cfg = {
            "listen": [{"address": "127.0.0.1:%d" % p}
                       for p in (listen or [self.sb.http_port])],
            "admin": {"address": "127.0.0.1:%d" % self.sb.admin_port},
            "threads": self.sb.threads,
            "access_log": self.sb.access_log,
            "shutdown_timeout_ms": 30000,
            "apis": apis or [{
                "name": "pets", "prefix": "/pets",
                "versions": {"v1": {"upstream": self.sb.up[upstream].url}},
                "timeouts": {"connect_ms": 1000, "response_ms": 120000}}],
        }
        cfg.update(top)
        return cfg

    def write(self, cfg):
        """Replaces the config file at once (rename), as deployment tools do."""
        text = cfg if isinstance(cfg, str) else to_yaml(cfg) + "\n"
        tmp = self.path + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.path)

    def start(self, cfg, args=()):
        self.gw = self.sb.versa(cfg, config_path=self.path).start(args)
        return self.gw

    def reload(self):
        """POST /reload: (status, content type, JSON body)."""
        status, ctype, body = post(self.sb.admin_port, "/reload")
        return status, ctype, json.loads(body)

    def reload_ok(self, cfg):
        self.write(cfg)
        status, ctype, doc = self.reload()
        self.assertEqual(status, 200, doc)
        self.assertEqual(ctype, "application/json")
        return doc

    def served_by(self, path="/pets/x", port=None):
        status, body = get(port or self.sb.http_port, path)
        self.assertEqual(status, 200, body)
        return server_of(body)

    def established_to(self, pid, port):
        p = subprocess.run(["ss", "-tnpH", "state", "established", "dst",
                            "127.0.0.1:%d" % port], stdout=subprocess.PIPE, text=True)
        return "pid=%d," % pid in p.stdout

    def stop_gateway(self):
        self.assertEqual(self.gw.stop(), 0, self.gw.diagnostics())


class ReloadUnderLoad(ReloadCase):

    def run_load(self, reloads, invalid):
        """Clients and h2load run while `reloads` reloads alternate the upstream (a <-> b), with
        an invalid configuration before the reloads listed in `invalid`. Returns the windows of
        the valid reloads: (sent, answered, upstream now in force)."""
        stop = threading.Event()
        clients = [Client(self.sb.http_port, n, stop) for n in range(4)]
        h2 = H2Load("http://127.0.0.1:%d/pets/h2" % self.sb.http_port, stop)
        for c in clients + [h2]:
            c.start()
        wait_until(lambda: all(len(c.records) > 20 for c in clients) and h2.rounds >= 1, 60,
                   "the load to run", procs=[self.gw.proc])
        windows = []
        bad = [
            ("invalid YAML", "listen: [\n  - {address: \"127.0.0.1:1\"\n", r"versa\.yaml:\d+:\d+"),
            ("missing spec", self.config(apis=[{
                "name": "pets", "prefix": "/pets",
                "versions": {"v1": {"upstream": self.sb.up["a"].url,
                                    "spec": os.path.join(self.sb.tmp, "nope.yaml")}}}]),
             r"versa\.yaml:\d+:\d+"),
            ("bad adapter", self.config(apis=[{
                "name": "pets", "prefix": "/pets",
                "adapters": os.path.join(FIX, "adapters", "bad.yaml"),
                "versions": {
                    "v1": {"spec": os.path.join(FIX, "adapters", "v1.json")},
                    "v2": {"upstream": self.sb.up["b"].url,
                           "spec": os.path.join(FIX, "adapters", "v2.json")}}}]),
             r"bad\.yaml:6:\d+"),
        ]
        try:
            for i in range(reloads):
                if i in invalid:
                    name, cfg, where = bad[invalid.index(i) % len(bad)]
                    before = metric(self.gw, "versa_config_generation")
                    self.write(cfg)
                    status, ctype, doc = self.reload()
                    self.assertEqual((status, ctype), (422, "application/problem+json"),
                                     (name, doc))
                    self.assertRegex(doc["detail"], where, name)
                    self.assertEqual(doc["generation"], before, name)
                self.up_now = "b" if self.up_now == "a" else "a"
                self.write(self.config(self.up_now, limits=self.limits))
                sent = time.monotonic()
                status, ctype, doc = self.reload()
                windows.append((sent, time.monotonic(), self.up_now))
                self.assertEqual(status, 200, doc)
                self.reload_ms.append(doc["duration_ms"])
                # a few requests of each client on the new configuration before the next one
                marks = [len(c.records) for c in clients]
                wait_until(lambda: all(len(c.records) >= m + 10 for c, m in zip(clients, marks)),
                           60, "the clients to continue", procs=[self.gw.proc])
        finally:
            stop.set()
            for c in clients + [h2]:
                c.join(180)
        self.check(clients, h2, windows)
        return windows

    def check(self, clients, h2, windows):
        records = [r for c in clients for r in c.records]
        failed = [r for r in records if r[2] != 200]
        self.assertEqual(failed, [], "failed or reset requests")
        self.assertEqual((h2.failed, h2.errored), (0, 0), "\n".join(h2.outputs[-2:]))
        self.assertGreater(h2.done, 0)
        initial = self.initial
        wrong = []
        for sent, answered, status, server in records:
            in_force = initial
            allowed = set()
            for w_sent, w_answered, up in windows:
                if w_answered < sent:
                    in_force = up  # switched before the request was sent
                elif w_sent <= answered:
                    allowed.add(up)  # the reload overlapped the request: either side
            allowed.add(in_force)
            if server not in allowed:
                wrong.append((sent, answered, server, allowed))
        self.assertEqual(wrong[:5], [], "%d responses from a configuration not in force"
                         % len(wrong))
        self.total_requests += len(records) + h2.done

    def quiet_snapshot(self, pid, base=None):
        """fds and RSS with no client connected and no upstream connection left (retired
        generations go once their last request is done, unused pools after their keep-alive)."""
        wait_until(lambda: metric(self.gw, "versa_requests_inflight") == 0
                   and metric(self.gw, "versa_connections_open") == 0
                   and not self.established_to(pid, self.sb.up["a"].port)
                   and not self.established_to(pid, self.sb.up["b"].port), 60,
                   "connections to close", procs=[self.gw.proc])
        if base is not None:
            wait_until(lambda: fd_count(pid) <= base[0] + FD_BOUND, 30,
                       "fds to come back within %d of %d (now %d)"
                       % (FD_BOUND, base[0], fd_count(pid)), procs=[self.gw.proc])
        return fd_count(pid), rss_kib(pid)

    def test_50_reloads_under_load(self):
        self.up_now = self.initial = "a"
        self.reload_ms = []
        self.total_requests = 0
        self.limits = {"upstream_keepalive_ms": KEEPALIVE_MS}
        self.write(self.config("a", limits=self.limits))
        gw = self.start(self.config("a", limits=self.limits))
        start_fds, start_rss = fd_count(gw.pid), rss_kib(gw.pid)
        self.run_load(10, invalid=[3, 7])
        base = self.quiet_snapshot(gw.pid)
        self.initial = self.up_now
        self.run_load(RELOADS - 10, invalid=[5, 15, 25, 35])
        end = self.quiet_snapshot(gw.pid, base)
        self.assertLessEqual(end[1] - base[1], RSS_BOUND_KIB, "RSS grew by %d KiB"
                             % (end[1] - base[1]))
        self.assertEqual(metric(gw, "versa_config_generation"), RELOADS + 1)
        status, _, body = gw.admin("/metrics")
        self.assertIn('versa_config_reloads_total{result="ok"} %d' % RELOADS, body.decode())
        self.assertIn('versa_config_reloads_total{result="error"} 6', body.decode())
        self.assertEqual(gw.admin("/readyz")[0], 200)
        ms = sorted(self.reload_ms)
        print("# %d reloads, %d requests without a failure; reload latency ms: median %.1f, "
              "max %.1f; fds start %d, after 10 reloads %d, after %d %d; RSS KiB start %d, "
              "after 10 reloads %d, after %d %d"
              % (RELOADS, self.total_requests, ms[len(ms) // 2], ms[-1], start_fds, base[0],
                 RELOADS, end[0], start_rss, base[1], RELOADS, end[1]))
        self.stop_gateway()


class ReloadBehaviour(ReloadCase):

    def test_request_in_flight_finishes_on_its_configuration(self):
        limits = {"upstream_keepalive_ms": 300}  # how long an unused pool lingers
        self.write(self.config("a", limits=limits))
        gw = self.start(self.config("a", limits=limits))
        held = {}

        def hold():
            conn = http.client.HTTPConnection("127.0.0.1", self.sb.http_port, timeout=120)
            conn.request("GET", "/pets/hold")
            resp = conn.getresponse()
            held["status"], held["body"] = resp.status, resp.read()
        t = threading.Thread(target=hold, daemon=True)
        t.start()
        self.addCleanup(self.sb.up["a"].release, "hold")
        self.sb.up["a"].wait_requests("/hold")
        doc = self.reload_ok(self.config("b", limits=limits))
        self.assertEqual(doc["generation"], 2)
        self.assertEqual(doc["previous_generation"], 1)
        self.assertEqual(self.served_by(), "b")
        self.sb.up["a"].release("hold")
        t.join(60)
        self.assertEqual(held.get("status"), 200, held)
        self.assertEqual(server_of(held["body"]), "a")  # the old upstream, the old config
        # the old generation goes once its request is done, and the pool to `a` after its
        # keep-alive time
        wait_until(lambda: not self.established_to(gw.pid, self.sb.up["a"].port), 30,
                   "the removed upstream's pool to drain", procs=[gw.proc])
        self.stop_gateway()

    def test_sighup_reloads(self):
        self.write(self.config("a"))
        gw = self.start(self.config("a"))
        self.write(self.config("b"))
        gw.send_signal(signal.SIGHUP)
        wait_until(lambda: metric(gw, "versa_config_generation") == 2, 30,
                   "the SIGHUP reload", procs=[gw.proc])
        self.assertEqual(self.served_by(), "b")
        self.write("apis: [\n")
        gw.send_signal(signal.SIGHUP)
        wait_until(lambda: (metric(gw, 'versa_config_reloads_total{result="error"}')) == 1, 30,
                   "the failed SIGHUP reload", procs=[gw.proc])
        self.assertEqual(metric(gw, "versa_config_generation"), 2)
        self.assertEqual(self.served_by(), "b")
        self.assertRegex(gw.stderr(), r"reload \(SIGHUP\) failed, generation 2 stays in force: "
                                      r".*versa\.yaml:\d+:\d+")
        self.stop_gateway()

    def test_bad_configurations_change_nothing(self):
        self.write(self.config("a"))
        gw = self.start(self.config("a"))
        cases = [
            ("invalid YAML", "listen: [\n  - {address: \"127.0.0.1:1\"\n",
             r"versa\.yaml:\d+:\d+: YAML syntax error", "versa.yaml"),
            ("unknown key", self.config("b", colour="blue"), r"versa\.yaml:\d+:\d+: .*colour",
             "versa.yaml"),
            ("missing spec file", self.config(apis=[{
                "name": "pets", "prefix": "/pets",
                "versions": {"v1": {"upstream": self.sb.up["b"].url,
                                    "spec": os.path.join(self.sb.tmp, "nope.yaml")}}}]),
             r"versa\.yaml:\d+:\d+: .*nope\.yaml", "versa.yaml"),
            ("bad adapter", self.config(apis=[{
                "name": "pets", "prefix": "/pets",
                "adapters": os.path.join(FIX, "adapters", "bad.yaml"),
                "versions": {
                    "v1": {"spec": os.path.join(FIX, "adapters", "v1.json")},
                    "v2": {"upstream": self.sb.up["b"].url,
                           "spec": os.path.join(FIX, "adapters", "v2.json")}}}]),
             r"bad\.yaml:6:\d+: .*nickname", "bad.yaml"),
            ("upstream host does not resolve", self.config(apis=[{
                "name": "pets", "prefix": "/pets",
                "versions": {"v1": {"upstream": "http://no-such-host.invalid:80"}}}]),
             r"versa\.yaml:\d+:\d+: .*cannot resolve upstream", None),
            ("access log directory missing", self.config(
                "b", access_log=os.path.join(self.sb.tmp, "no", "dir", "access.log")),
             r"versa\.yaml:\d+:\d+: access_log: ", None),
            ("listen address taken", self.config("b", listen=[self.sb.http_port,
                                                              self.sb.up["a"].port]),
             r"versa\.yaml:\d+:\d+: listen\[1\]\.address: cannot listen", None),
        ]
        for n, (name, cfg, where, file) in enumerate(cases, 1):
            with self.subTest(name):
                self.write(cfg)
                status, ctype, doc = self.reload()
                self.assertEqual((status, ctype), (422, "application/problem+json"), doc)
                self.assertEqual(doc["status"], 422)
                self.assertTrue(doc["type"].endswith("/invalid-config"), doc)
                self.assertRegex(doc["detail"], where)
                self.assertEqual(doc["generation"], 1)
                if file is not None:  # config errors also carry their position as members
                    self.assertTrue(doc["file"].endswith(file), doc)
                    self.assertGreater(doc["line"], 0)
                    self.assertGreater(doc["column"], 0)
                self.assertEqual(self.served_by(), "a")
                self.assertEqual(gw.admin("/readyz")[0], 200)
                self.assertEqual(metric(gw, 'versa_config_reloads_total{result="error"}'), n)
                self.assertEqual(metric(gw, "versa_config_generation"), 1)
        self.assertIn("reload (POST /reload) failed, generation 1 stays in force", gw.stderr())
        self.assertTrue(port_refuses(self.sb.up["a"].port) is False)
        # the admin endpoint takes only POST
        status, _, _ = gw.admin("/reload")
        self.assertEqual(status, 405)
        self.stop_gateway()

    def test_listeners_added_removed_and_kept(self):
        extra = free_port()
        self.write(self.config("a"))
        gw = self.start(self.config("a"))
        kept = http.client.HTTPConnection("127.0.0.1", self.sb.http_port, timeout=30)
        kept.request("GET", "/pets/k1")
        self.assertEqual(server_of(kept.getresponse().read()), "a")
        self.assertTrue(port_refuses(extra))
        self.reload_ok(self.config("b", listen=[self.sb.http_port, extra]))
        # the connection opened before the reload goes on, on the new configuration
        kept.request("GET", "/pets/k2")
        self.assertEqual(server_of(kept.getresponse().read()), "b")
        self.assertEqual(self.served_by(port=extra), "b")
        on_extra = http.client.HTTPConnection("127.0.0.1", extra, timeout=30)
        on_extra.request("GET", "/pets/e1")
        self.assertEqual(server_of(on_extra.getresponse().read()), "b")
        self.reload_ok(self.config("a", listen=[self.sb.http_port]))
        wait_until(lambda: port_refuses(extra), 10, "the dropped listener to close")
        # a connection accepted on a dropped listener is not cut
        on_extra.request("GET", "/pets/e2")
        self.assertEqual(server_of(on_extra.getresponse().read()), "a")
        kept.request("GET", "/pets/k3")
        self.assertEqual(server_of(kept.getresponse().read()), "a")
        kept.close()
        on_extra.close()
        self.stop_gateway()

    def test_unchanged_upstream_keeps_its_pool(self):
        self.sb.threads = 1  # one pool: connection counts are exact
        self.write(self.config("a"))
        self.start(self.config("a"))
        for _ in range(3):
            self.assertEqual(self.served_by(), "a")
        before = self.sb.up["a"].connections
        self.assertEqual(before, 1)
        # another API added; pets and its upstream unchanged
        apis = self.config("a")["apis"] + [{
            "name": "more", "prefix": "/more",
            "versions": {"v1": {"upstream": self.sb.up["b"].url}}}]
        self.reload_ok(self.config("a", apis=apis))
        for _ in range(3):
            self.assertEqual(self.served_by(), "a")
        self.assertEqual(self.served_by("/more/x"), "b")
        self.assertEqual(self.sb.up["a"].connections, before)  # no new connection to `a`
        self.stop_gateway()

    def test_counters_carry_over(self):
        self.write(self.config("a"))
        gw = self.start(self.config("a"))
        for _ in range(3):
            self.served_by()
        self.reload_ok(self.config("b"))
        self.served_by()
        line = 'versa_requests_total{api="pets",version="v1",method="GET",status="2xx"}'
        self.assertEqual(metric(gw, line), 4)
        self.stop_gateway()

    def test_watch_reloads_on_change(self):
        self.write(self.config("a"))
        gw = self.start(self.config("a"), args=["--watch"])
        self.write(self.config("b"))
        wait_until(lambda: metric(gw, "versa_config_generation") == 2, 30,
                   "the watched change to be reloaded", procs=[gw.proc])
        self.assertEqual(self.served_by(), "b")
        self.assertIn("reload (watch): generation 2 in force", gw.stderr())
        self.stop_gateway()

    def test_recorders_access_log_and_shadow_carry_over(self):
        cap, cap2 = (os.path.join(self.sb.tmp, n) for n in ("cap.jsonl", "cap2.jsonl"))

        def cfg(primary, candidate, capture):
            return self.config(apis=[{
                "name": "pets", "prefix": "/pets",
                "record": {"file": capture},
                "shadow": [{"version": "v1", "candidate": self.sb.up[candidate].url,
                            "sample": 1}],
                "versions": {"v1": {"upstream": self.sb.up[primary].url}}}])
        self.write(cfg("a", "b", cap))
        gw = self.start(cfg("a", "b", cap))
        for i in range(3):
            self.assertEqual(self.served_by("/pets/r%d" % i), "a")
        self.sb.up["b"].wait_requests("/pets/r2")  # the shadow copies
        self.reload_ok(cfg("b", "a", cap))  # the same capture file: its writer is kept
        for i in range(3, 6):
            self.assertEqual(self.served_by("/pets/r%d" % i), "b")
        self.sb.up["a"].wait_requests("/pets/r5")
        self.reload_ok(cfg("b", "a", cap2))  # another file: the first one is closed
        for i in range(6, 8):
            self.served_by("/pets/r%d" % i)
        status, _, body = gw.admin("/shadow/report")
        self.assertEqual(status, 200)
        json.loads(body)
        self.stop_gateway()
        for path, n in ((cap, 6), (cap2, 2)):
            with open(path) as f:
                lines = [json.loads(line) for line in f]  # every line whole
            self.assertEqual(len(lines), n, path)
        with open(self.sb.access_log) as f:
            paths = [json.loads(line)["path"] for line in f]
        self.assertEqual(sorted(p for p in paths if p.startswith("/pets/r")),
                         ["/pets/r%d" % i for i in range(8)])

    def test_violation_log_carries_over(self):
        """validate.log is a part of a generation: a file both configurations name keeps its
        writer (opened once, its counters go on), another file is opened by the reload and the
        dropped one is flushed and closed after its last request."""
        spec = os.path.join(self.sb.tmp, "pets.yaml")
        with open(spec, "w") as f:
            f.write("openapi: 3.0.3\ninfo: {title: pets, version: '1'}\npaths:\n"
                    "  /pets/{id}:\n    get:\n      operationId: getPet\n      parameters:\n"
                    "        - {name: id, in: path, required: true, schema: {type: string}}\n"
                    "        - {name: limit, in: query, schema: {type: integer, minimum: 1}}\n"
                    "      responses: {'200': {description: ok}}\n")
        log1, log2 = (os.path.join(self.sb.tmp, n) for n in ("v1.log", "v2.log"))

        def cfg(upstream, log):
            return self.config(apis=[{
                "name": "pets", "prefix": "/pets",
                "validate": {"request": "report", "log": {"file": log}},
                "versions": {"v1": {"upstream": self.sb.up[upstream].url, "spec": spec}}}])

        def written(log):
            _, _, body = gw.admin("/contract/report")
            return sum(l["written"] for l in json.loads(body)["logs"] if l["file"] == log)

        def open_fds(path):
            fds = "/proc/%d/fd" % gw.pid
            n = 0
            for fd in os.listdir(fds):
                try:
                    n += os.readlink(os.path.join(fds, fd)) == path
                except OSError:
                    pass  # closed meanwhile
            return n

        def violate(i, server):
            self.assertEqual(self.served_by("/pets/r%d?limit=0" % i), server)

        self.write(cfg("a", log1))
        gw = self.start(cfg("a", log1))
        for i in range(2):
            violate(i, "a")
        wait_until(lambda: written(log1) == 2, 30, "2 lines in v1.log", procs=[gw.proc])
        self.assertEqual(self.reload_ok(cfg("b", log1))["generation"], 2)  # the same file
        for i in range(2, 4):
            violate(i, "b")
        # the writer carried over: its counters go on, and the file is open once
        wait_until(lambda: written(log1) == 4, 30, "4 lines in v1.log", procs=[gw.proc])
        self.assertEqual(open_fds(log1), 1)
        self.reload_ok(cfg("a", log2))  # another file: v1.log is closed
        for i in range(4, 6):
            violate(i, "a")
        wait_until(lambda: written(log2) == 2, 30, "2 lines in v2.log", procs=[gw.proc])
        wait_until(lambda: open_fds(log1) == 0, 30, "v1.log closed", procs=[gw.proc])
        self.assertEqual(open_fds(log2), 1)
        self.stop_gateway()
        for path, first in ((log1, 0), (log2, 4)):
            with open(path) as f:
                lines = [json.loads(line) for line in f]  # every line whole
            self.assertEqual([l["target"] for l in lines],
                             ["/pets/r%d?limit=0" % i for i in range(first, first + len(lines))])
            self.assertEqual(len(lines), 4 if path == log1 else 2, path)
            self.assertTrue(all(l["errors"][0]["pointer"] == "/query/limit" for l in lines))

    def test_restart_only_keys_are_reported(self):
        self.write(self.config("a"))
        self.start(self.config("a"))
        doc = self.reload_ok(self.config("b", threads=self.sb.threads + 1))
        self.assertEqual(doc["restart_required"], ["threads"])
        self.assertEqual(self.served_by(), "b")
        self.stop_gateway()


class Check(unittest.TestCase):
    """`serve --check` checks what start-up needs: whatever passes it starts."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="versa-check-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.port = free_port()

    def run_versa(self, cfg, *args):
        path = os.path.join(self.tmp, "versa.yaml")
        with open(path, "w") as f:
            f.write(to_yaml(cfg) + "\n")
        return subprocess.run([versa_bin(), "serve", "-c", path, *args], capture_output=True,
                              text=True, timeout=60)

    def config(self, **top):
        cfg = {"listen": [{"address": "127.0.0.1:%d" % self.port}], "threads": 1,
               "access_log": "off", "shutdown_timeout_ms": 1000,
               "apis": [{"name": "pets", "prefix": "/pets",
                         "versions": {"v1": {"upstream": "http://127.0.0.1:9"}}}]}
        cfg.update(top)
        return cfg

    def assert_refused(self, cfg, pattern):
        for args in (["--check"], []):  # what --check refuses, serve refuses the same way
            p = self.run_versa(cfg, *args)
            self.assertEqual(p.returncode, 1, p)
            self.assertRegex(p.stderr, pattern, p)
            self.assertNotIn("configuration OK", p.stdout)

    def test_access_log_directory_missing(self):
        self.assert_refused(self.config(access_log=os.path.join(self.tmp, "no", "a.log")),
                            r"versa\.yaml:\d+:\d+: access_log: ")

    def test_upstream_host_does_not_resolve(self):
        cfg = self.config(apis=[{"name": "pets", "prefix": "/pets",
                                 "versions": {"v1": {"upstream": "http://no-such.invalid"}}}])
        self.assert_refused(cfg, r"versa\.yaml:\d+:\d+: apis\[0\]\.versions\.v1\.upstream: "
                                 r"cannot resolve upstream")
        # --offline checks the configuration alone (for another machine's network)
        p = self.run_versa(cfg, "--check", "--offline")
        self.assertEqual(p.returncode, 0, p)

    def test_record_directory_missing(self):
        cfg = self.config(apis=[{"name": "pets", "prefix": "/pets",
                                 "record": {"file": os.path.join(self.tmp, "no", "c.jsonl")},
                                 "versions": {"v1": {"upstream": "http://127.0.0.1:9"}}}])
        self.assert_refused(cfg, r"versa\.yaml:\d+:\d+: record: ")

    def test_listen_host_does_not_resolve(self):
        self.assert_refused(self.config(listen=[{"address": "no-such.invalid:8080"}]),
                            r"versa\.yaml:\d+:\d+: cannot resolve listen address")

    def test_tls_key_not_matching(self):
        a, b = os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b")
        os.mkdir(a)
        os.mkdir(b)
        crt, _ = make_cert(a)
        _, key = make_cert(b)
        cfg = self.config(listen=[{"address": "127.0.0.1:%d" % self.port,
                                   "tls": {"certificate": crt, "key": key}}])
        self.assert_refused(cfg, r"versa\.yaml:\d+:\d+: ")

    def test_passing_check_starts(self):
        cfg = self.config(access_log=os.path.join(self.tmp, "access.log"))
        p = self.run_versa(cfg, "--check")
        self.assertEqual(p.returncode, 0, p)
        self.assertIn("configuration OK", p.stdout)
        path = os.path.join(self.tmp, "versa.yaml")
        proc = subprocess.Popen([versa_bin(), "serve", "-c", path], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            wait_until(lambda: not port_refuses(self.port), 60, "the listener", procs=[proc])
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)


if __name__ == "__main__":
    tap.main()
