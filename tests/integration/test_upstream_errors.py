#!/usr/bin/env python3
"""Failures between the gateway and its upstreams, and misbehaving clients: refused, reset,
connect and response timeouts, upstreams that die mid-body, request bodies over the limit, and
clients that go away early. Each gateway-made error is application/problem+json."""
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import (BlackholePort, GatewayCase, RefusingPort, curl_many,  # noqa: E402
                     problem_of, wait_until)
from upstream import pattern  # noqa: E402

RESPONSE_MS = 300
CONNECT_MS = 300
BODY_LIMIT = 64 * 1024
SLACK_S = 10.0  # upper bound on top of a timeout: generous for the sanitizer build


class UpstreamErrors(GatewayCase):

    @classmethod
    def prepare(cls):
        cls.refusing = RefusingPort()
        cls.blackhole = BlackholePort()
        cls._closers += [cls.refusing, cls.blackhole]

    @classmethod
    def config(cls):
        cfg = super().config()
        cfg["limits"] = {"max_request_body": "64KiB"}
        return cfg

    @classmethod
    def apis(cls):
        return super().apis() + [
            {"name": "down", "prefix": "/down",
             "versions": {"v2": {"upstream": "http://127.0.0.1:%d" % cls.refusing.port}}},
            {"name": "slow", "prefix": "/slowapi",
             "versions": {"v2": {"upstream": cls.up["v2"].url}},
             "timeouts": {"connect_ms": 1000, "response_ms": RESPONSE_MS}},
            {"name": "blackhole", "prefix": "/blackhole",
             "versions": {"v2": {"upstream": "http://127.0.0.1:%d" % cls.blackhole.port}},
             "timeouts": {"connect_ms": CONNECT_MS, "response_ms": 15000}},
        ]

    def test_upstream_refused_is_502(self):
        for proto in ("h1", "h2c", "h2"):
            for method in ("GET", "POST"):
                with self.subTest(proto=proto, method=method):
                    r = self.request("/down/pets/1", proto, method=method,
                                     data=b"{}" if method == "POST" else None)
                    problem_of(self, r, 502)

    def test_upstream_reset_is_502(self):
        for proto in ("h1", "h2c", "h2"):
            with self.subTest(proto=proto):
                problem_of(self, self.request("/pets/reset", proto), 502)

    def test_upstream_hang_is_504_within_response_timeout(self):
        for proto in ("h1", "h2c"):
            with self.subTest(proto=proto):
                t0 = time.monotonic()
                r = self.request("/slowapi/hang", proto, timeout=60)
                elapsed = time.monotonic() - t0
                problem_of(self, r, 504)
                self.assertGreaterEqual(elapsed, RESPONSE_MS / 1000.0 * 0.9)
                self.assertLess(elapsed, RESPONSE_MS / 1000.0 + SLACK_S)

    def test_slow_upstream_within_timeout_is_fine(self):
        r, _ = self.echo("/pets/slow?ms=700")
        self.assertEqual(r.header("api-version"), "v2")

    def test_connect_timeout_is_504(self):
        t0 = time.monotonic()
        r = self.request("/blackhole/pets/1", timeout=60)
        elapsed = time.monotonic() - t0
        problem_of(self, r, 504)
        self.assertGreaterEqual(elapsed, CONNECT_MS / 1000.0 * 0.9)
        self.assertLess(elapsed, CONNECT_MS / 1000.0 + SLACK_S)

    def assert_aborted(self, r):
        """The client must see a broken transfer: never a clean exit, never its own timeout."""
        self.assertNotEqual(r.rc, 0, "an upstream that died mid-body looked complete: %r" % r)
        self.assertNotEqual(r.rc, 28, "the client had to time out: %r" % r)
        self.assertLess(len(r.body), 100000, r)

    def test_upstream_closes_mid_body_content_length(self):
        for proto in ("h1", "h2c", "h2", "tls-h1"):
            with self.subTest(proto=proto):
                r = self.request("/pets/close-mid-body", proto, timeout=60)
                self.assert_aborted(r)
                if proto in ("h1", "tls-h1"):
                    self.assertIn(r.rc, (18, 56), r)  # partial file / recv failure

    def test_upstream_closes_mid_body_chunked(self):
        for proto in ("h1", "h2c", "h2", "tls-h1"):
            with self.subTest(proto=proto):
                r = self.request("/pets/close-mid-body-chunked", proto, timeout=60)
                self.assert_aborted(r)

    def test_upstream_bad_chunk_framing(self):
        for proto in ("h1", "h2c"):
            with self.subTest(proto=proto):
                self.assert_aborted(self.request("/pets/bad-chunked", proto, timeout=60))

    def test_upstream_garbage_head_is_502(self):
        for proto in ("h1", "h2c"):
            with self.subTest(proto=proto):
                problem_of(self, self.request("/pets/garbage", proto), 502)

    def test_complete_chunked_response_is_clean(self):
        # the framing watcher must not mistake a complete chunked body for a cut one
        n = 1 << 20
        for proto in ("h1", "h2c", "h2"):
            with self.subTest(proto=proto):
                r = self.request("/pets/big?bytes=%d&chunked=1" % n, proto, timeout=60)
                self.assertEqual((r.rc, r.status), (0, 200), r)
                self.assertEqual(r.body, pattern(n))

    def test_gateway_still_serves_after_upstream_failures(self):
        rc, codes = curl_many([self.url("/pets/after-failures?i=%d" % i) for i in range(5)])
        self.assertEqual((rc, codes), (0, [200] * 5))

    def test_request_body_over_limit_is_413(self):
        body = b"x" * (BODY_LIMIT + 36 * 1024)
        before = len(self.up["v2"].requests_matching("too-big"))
        for proto in ("h1", "h2c", "h2"):
            with self.subTest(proto=proto):
                r = self.request("/pets/too-big", proto, method="POST", data=body)
                problem_of(self, r, 413)
        with self.subTest(proto="h1", transfer="chunked"):
            r = self.request("/pets/too-big", "h1", method="POST", data=body,
                             headers=["Transfer-Encoding: chunked"])
            problem_of(self, r, 413)
        self.assertEqual(len(self.up["v2"].requests_matching("too-big")), before,
                         "a request over the body limit reached the upstream")

    def test_request_body_at_limit_is_forwarded(self):
        body = b"y" * BODY_LIMIT
        for proto in ("h1", "h2c"):
            with self.subTest(proto=proto):
                _, e = self.echo("/pets/at-limit", proto, method="PUT", data=body)
                self.assertEqual(e["body_length"], BODY_LIMIT)

    def test_client_disconnects_during_download(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "body")
            p = subprocess.Popen(["curl", "-sS", "--noproxy", "*", "--limit-rate", "200k", "-o",
                                  out, self.url("/pets/big?bytes=50000000")],
                                 stderr=subprocess.DEVNULL)
            try:
                wait_until(lambda: os.path.exists(out) and os.path.getsize(out) > 100000, 30,
                           "the download to start", procs=[p, self.gw.proc])
            finally:
                p.send_signal(signal.SIGKILL)
                p.wait()
        self.assert_still_serving()

    def test_client_disconnects_while_upstream_thinks(self):
        for proto in ("h1", "h2c"):
            with self.subTest(proto=proto):
                path = "/pets/hang?client=%s" % proto
                p = subprocess.Popen(["curl", "-sS", "--noproxy", "*", "-o", "/dev/null",
                                      "--http2-prior-knowledge" if proto == "h2c" else "--http1.1",
                                      self.url(path)], stderr=subprocess.DEVNULL)
                try:
                    wait_until(lambda: self.up["v2"].requests_matching(path), 30,
                               "the request to reach the upstream", procs=[p, self.gw.proc])
                finally:
                    p.send_signal(signal.SIGKILL)
                    p.wait()
                self.assert_still_serving()

    def test_client_resets_h2_stream_mid_upload(self):
        # curl gives up after 1 s while still uploading slowly: its stream is cancelled.
        with tempfile.TemporaryDirectory() as d:
            body = os.path.join(d, "body")
            with open(body, "wb") as f:
                f.write(b"z" * 60000)
            p = subprocess.run(["curl", "-sS", "--noproxy", "*", "--http2-prior-knowledge",
                                "--limit-rate", "10k", "--max-time", "1", "--data-binary",
                                "@" + body, self.url("/pets/slow-upload")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
            self.assertEqual(p.returncode, 28, p.stderr)
        self.assert_still_serving()

    def assert_still_serving(self):
        for proto in ("h1", "h2c", "h2"):
            self.echo("/pets/still-serving", proto)
        status, _, _ = self.gw.admin("/healthz")
        self.assertEqual(status, 200)
        self.assertIsNone(self.gw.proc.poll(), "versa died")


if __name__ == "__main__":
    tap.main()
