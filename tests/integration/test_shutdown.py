#!/usr/bin/env python3
"""Graceful shutdown of `versa serve`: SIGTERM/SIGINT stop accepting, let requests in flight
finish within shutdown_timeout_ms, report not-ready while draining, and exit 0."""
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import SandboxCase, port_refuses, wait_until  # noqa: E402


class Shutdown(SandboxCase):

    def start(self, **overrides):
        # Held requests wait for the test, never for the upstream response timeout.
        overrides.setdefault("apis", [self.sb.pets_api(
            timeouts={"connect_ms": 1000, "response_ms": 120000})])
        self.gw = self.sb.versa(self.sb.config(**overrides)).start()
        return self.gw

    def start_held_request(self, proto, path="/pets/hold"):
        out = os.path.join(self.sb.tmp, "held-%s.body" % proto)
        flags = {"h1": ["--http1.1"], "h2c": ["--http2-prior-knowledge"]}[proto]
        p = subprocess.Popen(["curl", "-sS", "--noproxy", "*", *flags, "-o", out, "-w",
                              "%{http_code}", "--max-time", "120", self.sb.url(path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(p.kill)  # no-op once it has exited
        wait_until(lambda: self.sb.up["v2"].requests_matching(path), 30,
                   "the request to reach the upstream", procs=[p, self.gw.proc])
        return p

    def sigterm_with_request_in_flight(self, proto):
        gw = self.start()
        p = self.start_held_request(proto)
        try:
            gw.send_signal(signal.SIGTERM)
            # Stop accepting: new connections are refused while the request is in flight (a
            # listener that is merely not accepted from still completes TCP handshakes).
            wait_until(lambda: gw.proc.poll() is not None or port_refuses(self.sb.http_port),
                       15, "the listening socket to be closed after SIGTERM")
            self.assertIsNone(gw.proc.poll(), "versa exited with a request in flight")
        finally:
            self.sb.up["v2"].release("hold")
            out, err = p.communicate(timeout=120)
        self.assertEqual((p.returncode, out.decode()), (0, "200"), err.decode())
        self.assertEqual(gw.wait(60), 0, gw.diagnostics())
        self.assertTrue(port_refuses(self.sb.http_port))
        self.assertTrue(port_refuses(self.sb.admin_port))

    def test_sigterm_lets_in_flight_request_finish_h1(self):
        self.sigterm_with_request_in_flight("h1")

    def test_sigterm_lets_in_flight_request_finish_h2c(self):
        self.sigterm_with_request_in_flight("h2c")

    def test_sigint_exits_zero(self):
        gw = self.start()
        self.assertEqual(self.sb.request("/pets/1").status, 200)
        self.assertEqual(gw.stop(signal.SIGINT), 0, gw.diagnostics())

    def test_idle_keepalive_connections_do_not_delay_exit(self):
        gw = self.start()
        idle = socket.create_connection(("127.0.0.1", self.sb.http_port), timeout=10)
        try:
            idle.sendall(b"GET /pets/1 HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertIn(b" 200 ", idle.recv(65536))
            t0 = time.monotonic()
            self.assertEqual(gw.stop(), 0, gw.diagnostics())
            self.assertLess(time.monotonic() - t0, 20, "an idle connection held up the drain")
        finally:
            idle.close()

    def test_drain_is_bounded(self):
        gw = self.start(shutdown_timeout_ms=1000)
        p = self.start_held_request("h1", "/pets/hang")
        t0 = time.monotonic()
        gw.send_signal(signal.SIGTERM)
        rc = gw.wait(60)
        elapsed = time.monotonic() - t0
        out, _ = p.communicate(timeout=60)
        self.assertEqual(rc, 0, gw.diagnostics())
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 1 + 15, "shutdown_timeout_ms not honoured")
        self.assertNotEqual((p.returncode, out), (0, b"200"), "an unfinished request looked fine")

    def test_readyz_fails_while_draining(self):
        gw = self.start()
        p = self.start_held_request("h1")
        try:
            gw.send_signal(signal.SIGTERM)

            def not_ready():
                try:
                    status, _, _ = gw.admin("/readyz", timeout=5)
                except OSError:
                    return True  # admin listener closed: not ready either
                return status == 503
            wait_until(not_ready, 30, "/readyz to report not ready while draining",
                       procs=[p])
        finally:
            self.sb.up["v2"].release("hold")
            p.communicate(timeout=120)
        self.assertEqual(gw.wait(60), 0, gw.diagnostics())



if __name__ == "__main__":
    tap.main()
