#!/usr/bin/env python3
"""Zero-downtime binary upgrade under Server::Starter (docs/operations.md): `start_server` binds
the ports and runs `versa serve`, which listens on the inherited sockets ($SERVER_STARTER_PORT);
SIGHUP to start_server starts a new generation from a replaced binary and configuration, then
SIGTERMs the old one, which stops accepting and drains. Under continuous keep-alive load
(cleartext and TLS, plus a new connection per request), with a request held in flight by the
upstream across the upgrade: no request fails, the held one completes, the new binary serves and
the old process exits. Also: a malformed $SERVER_STARTER_PORT exits 2, a listener start_server
did not pass fails start-up, an inherited socket no listener uses is logged and ignored."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import (READY_TIMEOUT, Sandbox, free_port, nghttp_many, to_yaml,  # noqa: E402
                     versa_bin, wait_until)

START_SERVER = shutil.which("start_server")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by start_server) is gone for our purposes
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Starter:
    """`start_server --port=... -- BIN serve -c CONFIG` where BIN is a copy of the versa binary
    that install() replaces (a new file renamed over the path, as a package upgrade does), with
    start_server's status file (one "generation:pid" line per live generation) and log."""

    def __init__(self, sb, ports):
        self.sb = sb
        self.ports = ports
        self.bin = os.path.join(sb.tmp, "bin", "versa")
        self.config_path = os.path.join(sb.tmp, "versa.yaml")
        self.status = os.path.join(sb.tmp, "start_server.status")
        self.pid_file = os.path.join(sb.tmp, "start_server.pid")
        self.log_path = os.path.join(sb.tmp, "start_server.log")
        self.proc = None
        os.makedirs(os.path.dirname(self.bin), exist_ok=True)

    def install(self, config):
        """Puts a fresh copy of the binary and `config` in place, each by an atomic rename;
        returns the binary's inode (to tell which copy a process runs)."""
        tmp = self.bin + ".new"
        shutil.copy2(versa_bin(), tmp)
        os.rename(tmp, self.bin)
        with open(self.config_path + ".new", "w") as f:
            f.write(to_yaml(config) + "\n")
        os.rename(self.config_path + ".new", self.config_path)
        return os.stat(self.bin).st_ino

    def start(self):
        args = [START_SERVER] + ["--port=%s" % p for p in self.ports] + [
            "--interval=1", "--status-file=" + self.status, "--pid-file=" + self.pid_file, "--",
            self.bin, "serve", "-c", self.config_path]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         cwd=self.sb.tmp)
        return self

    def generations(self):
        """{generation: pid} of the live generations, from the status file."""
        try:
            with open(self.status) as f:
                lines = f.read().split()
        except OSError:
            return {}
        return {int(g): int(p) for g, p in (line.split(":") for line in lines)}

    def wait_generations(self, want, timeout=READY_TIMEOUT):
        return wait_until(lambda: sorted(self.generations()) == want and self.generations(),
                          timeout, "start_server generations %s" % want, procs=[self.proc])

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM to start_server (it forwards it and waits for its workers); returns its
        exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        workers = list(self.generations().values())
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            for pid in workers:
                if pid_alive(pid):
                    os.kill(pid, signal.SIGKILL)
            raise AssertionError("start_server did not exit on SIGTERM\n" + self.log())


class Client(threading.Thread):
    """GET `path` in a loop, on one keep-alive connection (reopened only when the server says
    Connection: close), or on a new connection per request (`fresh`); every outcome is kept as
    (start, end, status, upstream name or error text). No retries: a failure is a failure."""

    def __init__(self, name, port, path, tls_ctx=None, fresh=False):
        super().__init__(name=name, daemon=True)
        self.port, self.path, self.tls_ctx, self.fresh = port, path, tls_ctx, fresh
        self.results = []
        self.stopping = threading.Event()
        self.conn = None
        self.last_connection_header = None

    def connect(self):
        if self.tls_ctx is not None:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=60,
                                               context=self.tls_ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def one(self):
        if self.conn is None:
            self.conn = self.connect()
        t0 = time.monotonic()
        try:
            self.conn.request("GET", self.path,
                              headers={"Connection": "close"} if self.fresh else {})
            resp = self.conn.getresponse()
            body = resp.read()
            self.last_connection_header = resp.getheader("Connection")
            if resp.will_close:
                self.conn.close()
                self.conn = None
            try:
                server = json.loads(body)["server"]
            except (ValueError, KeyError, TypeError):
                server = "unexpected body %r" % body[:200]
            self.results.append((t0, time.monotonic(), resp.status, server))
        except (OSError, http.client.HTTPException) as e:
            self.results.append((t0, time.monotonic(), 0, "%s: %s" % (type(e).__name__, e)))
            self.conn.close()
            self.conn = None

    def run(self):
        while not self.stopping.is_set():
            self.one()
        if self.conn is not None:
            self.conn.close()


class Tool(threading.Thread):
    """A load tool run again and again until stopped, each run's outcome kept as (start, end,
    requests, failures, output when something failed)."""

    def __init__(self, name, once):
        super().__init__(name=name, daemon=True)
        self.once = once
        self.runs = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            t0 = time.monotonic()
            n, failed, out = self.once()
            self.runs.append((t0, time.monotonic(), n, failed, out if failed else ""))

    @property
    def requests(self):
        return sum(r[2] for r in self.runs)

    @property
    def failures(self):
        return [r for r in self.runs if r[3]]


def h2load_h1(url):
    """h2load over HTTP/1.1, 2 connections, no pipelining (a server may close after any
    response: pipelined requests behind it would be lost by any server, RFC 9112 §9.3.2)."""
    def once():
        p = subprocess.run(["h2load", "--h1", "-n", "100", "-c", "2", "-m", "1", url],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=120)
        m = re.search(r"requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded", p.stdout)
        c = re.search(r"status codes: (\d+) 2xx", p.stdout)
        if p.returncode != 0 or m is None or c is None:
            return 0, 1, p.stdout
        total, ok2xx = int(m.group(1)), int(c.group(1))
        return total, total - ok2xx, p.stdout
    return once


def nghttp_h2c(urls):
    """nghttp: one h2c connection per run, all `urls` as concurrent streams."""
    def once():
        rc, codes = nghttp_many(urls, timeout=60)
        failed = len(urls) - codes.count(200) + (rc != 0)
        return len(urls), failed, "nghttp exit %d, statuses %s" % (rc, codes)
    return once


class Upgrade(unittest.TestCase):
    def setUp(self):
        if START_SERVER is None:
            self.fail("start_server not found (Debian libserver-starter-perl; "
                      "deploy/install-deps.sh --test installs it)")
        self.sb = Sandbox(upstreams=("old", "new"), tls=True)
        self.starter = None
        self.clients = []
        self.tools = []

    def tearDown(self):
        for c in self.clients + self.tools:
            c.stopping.set()
        for up in self.sb.up.values():
            up.release("hold")
        try:
            if self.starter is not None:
                self.starter.stop()
        finally:
            self.sb.close()

    def diagnostics(self):
        return "--- start_server log ---\n" + (self.starter.log() if self.starter else "")

    def config(self, upstream, **extra):
        cfg = self.sb.config(apis=[{
            "name": "pets", "prefix": "/pets",
            "versions": {"v2": {"upstream": self.sb.up[upstream].url}},
            "timeouts": {"connect_ms": 1000, "response_ms": 120000}}])
        cfg.update(extra)
        return cfg

    def ports(self):
        return ["127.0.0.1:%d" % p for p in (self.sb.http_port, self.sb.tls_port,
                                             self.sb.admin_port)]

    def admin_ready(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.sb.admin_port, timeout=5)
            conn.request("GET", "/readyz")
            return conn.getresponse().status == 200
        except OSError:
            return False

    def answered_by(self, name, since):
        return [r for c in self.clients for r in c.results if r[3] == name and r[0] >= since]

    def test_new_binary_takes_over_under_load_without_a_failed_request(self):
        st = self.starter = Starter(self.sb, self.ports())
        old_ino = st.install(self.config("old"))
        st.start()
        old_pid = st.wait_generations([1])[1]
        wait_until(self.admin_ready, READY_TIMEOUT, "the first generation to be ready",
                   procs=[st.proc])

        tls = ssl.create_default_context(cafile=self.sb.cert)
        self.clients = [Client("h1-a", self.sb.http_port, "/pets/a"),
                        Client("h1-b", self.sb.http_port, "/pets/b"),
                        Client("tls", self.sb.tls_port, "/pets/t", tls_ctx=tls),
                        Client("fresh", self.sb.http_port, "/pets/f", fresh=True)]
        base = "http://127.0.0.1:%d" % self.sb.http_port
        self.tools = [Tool("h2load-h1", h2load_h1(base + "/pets/h2load")),
                      Tool("nghttp-h2c", nghttp_h2c([base + "/pets/h2c/%d" % i
                                                     for i in range(8)]))]
        for c in self.clients + self.tools:
            c.start()
        t_load = time.monotonic()
        wait_until(lambda: all(len(c.results) >= 20 for c in self.clients) and
                   all(t.runs for t in self.tools), 60, "load on every client",
                   procs=[st.proc])

        # slow requests, HTTP/1.1 and an HTTP/2 stream: the old upstream holds them until the
        # new generation serves
        held = Client("held", self.sb.http_port, "/pets/hold/h1")
        held_thread = threading.Thread(target=held.one, daemon=True)
        held_thread.start()
        held_h2 = subprocess.Popen(["curl", "-sS", "--noproxy", "*", "--http2-prior-knowledge",
                                    "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                                    "--max-time", "120", base + "/pets/hold/h2"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(held_h2.kill)
        wait_until(lambda: len(self.sb.up["old"].requests_matching("/hold/")) == 2, 30,
                   "the slow requests to reach the upstream", procs=[st.proc, held_h2])

        new_ino = st.install(self.config("new"))  # the "new binary" and its configuration
        self.assertNotEqual(old_ino, new_ino)
        t_hup = time.monotonic()
        st.proc.send_signal(signal.SIGHUP)
        new_pid = wait_until(lambda: self.st_gen(st, 2), READY_TIMEOUT,
                             "start_server to start generation 2", procs=[st.proc])
        self.assertEqual(os.stat("/proc/%d/exe" % new_pid).st_ino, new_ino,
                         "generation 2 does not run the new binary")
        wait_until(lambda: self.answered_by("new", t_hup), READY_TIMEOUT,
                   "a response from the new generation", procs=[st.proc])
        t_new = min(r[1] for r in self.answered_by("new", t_hup))
        # the old generation got SIGTERM and drains, the held request keeping it alive
        wait_until(lambda: "draining" in st.log(), 60, "the old generation to drain",
                   procs=[st.proc])
        t_drain = time.monotonic()
        self.assertTrue(pid_alive(old_pid), "the old generation exited with a request in flight")
        self.sb.up["old"].release("hold")
        held_thread.join(60)
        held_h2_out, held_h2_err = held_h2.communicate(timeout=60)
        wait_until(lambda: not pid_alive(old_pid), 60, "the old generation to exit",
                   procs=[st.proc])
        t_old_gone = time.monotonic()
        wait_until(lambda: len(self.answered_by("new", t_old_gone)) >= 100, 60,
                   "load served by the new generation alone", procs=[st.proc])
        for c in self.clients + self.tools:
            c.stopping.set()
        for c in self.clients + self.tools:
            c.join(150)

        results = [r for c in self.clients for r in c.results]
        failed = [r for r in results if r[2] != 200]
        self.assertEqual(failed[:10], [], "%d of %d requests failed" % (len(failed), len(results)))
        self.assertEqual(len(held.results), 1)
        self.assertEqual(held.results[0][2:], (200, "old"), "the held request")
        # answered during the drain: its keep-alive connection closes with it (gateway/drain.c)
        # instead of idling in the old process until the client's idle timeout
        self.assertEqual(held.last_connection_header, "close")
        self.assertEqual((held_h2.returncode, held_h2_out), (0, "200 2"), held_h2_err)
        for t in self.tools:
            self.assertEqual(t.failures[:3], [], t.name)
            self.assertTrue([r for r in t.runs if r[0] < t_hup < r[1]],
                            "no %s run spanned the upgrade" % t.name)
        # every request that started after the old generation exited was the new one's
        late = [r for r in results if r[0] >= t_old_gone]
        self.assertTrue(late)
        self.assertEqual({r[3] for r in late}, {"new"})
        self.assertIn("old", {r[3] for r in results if r[0] < t_hup})
        self.assertEqual(st.generations(), {2: new_pid})
        self.assertIn("old worker %d died, status:0" % old_pid, st.log())

        window = [r for r in results if t_hup <= r[0] <= t_old_gone]
        before = [r[1] - r[0] for r in results if r[1] < t_hup]
        during = [r[1] - r[0] for r in window]
        print("# load: %d requests in %.1f s on %d Python clients, %d failed; %s"
              % (len(results), time.monotonic() - t_load, len(self.clients), len(failed),
                 ", ".join("%s %d requests in %d runs, %d failed"
                           % (t.name, t.requests, len(t.runs), len(t.failures))
                           for t in self.tools)))
        print("# upgrade: SIGHUP -> first response from the new binary %.2f s, -> old generation"
              " draining %.2f s, -> old generation exited %.2f s (the held request released at"
              " %.2f s)" % (t_new - t_hup, t_drain - t_hup, t_old_gone - t_hup, t_drain - t_hup))
        print("# during the upgrade: %d requests (%d by the old, %d by the new generation), "
              "max latency %.0f ms (before: %.0f ms); held request %.2f s, 200"
              % (len(window), sum(1 for r in window if r[3] == "old"),
                 sum(1 for r in window if r[3] == "new"), 1000 * max(during or [0]),
                 1000 * max(before or [0]), held.results[0][1] - held.results[0][0]))

        self.assertEqual(st.stop(), 0, st.log())
        self.assertFalse(pid_alive(new_pid))
        self.assertIn("worker %d died, status:0" % new_pid, st.log())

    @staticmethod
    def st_gen(st, gen):
        return st.generations().get(gen)

    def test_restart_command_returns_once_the_old_generation_is_gone(self):
        # versa-starter.service's ExecReload: `start_server --restart` sends the SIGHUP and
        # returns when only the new generation is left
        st = self.starter = Starter(self.sb, self.ports())
        st.install(self.config("old"))
        st.start()
        old_pid = st.wait_generations([1])[1]
        wait_until(self.admin_ready, READY_TIMEOUT, "the gateway to be ready", procs=[st.proc])
        new_ino = st.install(self.config("new"))
        t0 = time.monotonic()
        r = subprocess.run([START_SERVER, "--restart", "--pid-file=" + st.pid_file,
                            "--status-file=" + st.status], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertFalse(pid_alive(old_pid))
        gens = st.generations()
        self.assertEqual(list(gens), [2])
        self.assertEqual(os.stat("/proc/%d/exe" % gens[2]).st_ino, new_ino)
        conn = http.client.HTTPConnection("127.0.0.1", self.sb.http_port, timeout=30)
        conn.request("GET", "/pets/1")
        self.assertEqual(json.loads(conn.getresponse().read())["server"], "new")
        conn.close()
        print("# start_server --restart returned after %.2f s" % (time.monotonic() - t0))
        self.assertEqual(st.stop(), 0, st.log())

    def test_unused_inherited_socket_is_logged_and_ignored(self):
        spare = free_port()
        st = self.starter = Starter(self.sb, self.ports() + ["127.0.0.1:%d" % spare])
        st.install(self.config("old"))
        st.start()
        st.wait_generations([1])
        wait_until(self.admin_ready, READY_TIMEOUT, "the gateway to be ready", procs=[st.proc])
        self.assertIn("versa: ignoring the socket start_server passed for 127.0.0.1:%d" % spare,
                      st.log())
        conn = http.client.HTTPConnection("127.0.0.1", self.sb.http_port, timeout=30)
        conn.request("GET", "/pets/1")
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        self.assertEqual(st.stop(), 0, st.log())

    def test_ipv6_listener_and_host_name(self):
        # start_server --port=[::1]:P serves `listen: [::1]:P`; --port=127.0.0.1:A serves
        # `admin: localhost:A` (matched by bound address, not by spelling)
        cfg = self.config("old", listen=[{"address": "[::1]:%d" % self.sb.http_port}],
                          admin={"address": "localhost:%d" % self.sb.admin_port})
        st = self.starter = Starter(self.sb, ["[::1]:%d" % self.sb.http_port,
                                              "127.0.0.1:%d" % self.sb.admin_port])
        st.install(cfg)
        st.start()
        st.wait_generations([1])
        wait_until(self.admin_ready, READY_TIMEOUT, "the gateway to be ready", procs=[st.proc])
        conn = http.client.HTTPConnection("::1", self.sb.http_port, timeout=30)
        conn.request("GET", "/pets/1")
        self.assertEqual(json.loads(conn.getresponse().read())["server"], "old")
        conn.close()
        self.assertNotIn("ignoring", st.log())
        self.assertEqual(st.stop(), 0, st.log())

    def test_listener_without_inherited_socket_fails_start(self):
        # start_server passes the cleartext and admin ports but not the TLS one
        env_ports = []
        socks = []
        for port in (self.sb.http_port, self.sb.admin_port):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            s.listen(16)
            socks.append(s)
            env_ports.append("127.0.0.1:%d=%d" % (port, s.fileno()))
        path = os.path.join(self.sb.tmp, "versa.yaml")
        with open(path, "w") as f:
            f.write(to_yaml(self.config("old")) + "\n")
        try:
            r = subprocess.run([versa_bin(), "serve", "-c", path], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, timeout=READY_TIMEOUT,
                               env=dict(os.environ, SERVER_STARTER_PORT=";".join(env_ports)),
                               pass_fds=[s.fileno() for s in socks])
        finally:
            for s in socks:
                s.close()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("no socket inherited from start_server is bound to 127.0.0.1:%d (give "
                      "start_server --port=127.0.0.1:%d)" % (self.sb.tls_port, self.sb.tls_port),
                      r.stderr)

    def test_malformed_server_starter_port_exits_2(self):
        path = os.path.join(self.sb.tmp, "versa.yaml")
        with open(path, "w") as f:
            f.write(to_yaml(self.config("old")) + "\n")
        cases = [("", "$SERVER_STARTER_PORT is set but empty"),
                 ("127.0.0.1:8080", "expected ADDRESS=FD entries separated by ';'"),
                 ("127.0.0.1:8080=eight", "\"eight\" is not a file descriptor number"),
                 ("127.0.0.1:8080=987654", "descriptor 987654 is not open"),
                 ("127.0.0.1:8080=0", "descriptor 0 is not a socket")]
        for value, message in cases:
            with self.subTest(value=value):
                r = subprocess.run([versa_bin(), "serve", "-c", path], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   timeout=READY_TIMEOUT,
                                   env=dict(os.environ, SERVER_STARTER_PORT=value))
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(message, r.stderr)
                self.assertTrue(r.stderr.startswith("versa: "), r.stderr)


if __name__ == "__main__":
    tap.main()
