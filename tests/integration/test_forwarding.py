#!/usr/bin/env python3
"""Forwarding through `versa serve`: path, query, method, body and headers reach the upstream
intact over HTTP/1.1, h2c (prior knowledge) and TLS (ALPN h2 and http/1.1); hop-by-hop headers
are dropped, X-Forwarded-*, X-Request-Id and traceparent handled; responses stream back."""
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import (GatewayCase, curl_many, echo_header, echo_header_all,  # noqa: E402
                     nghttp_many, wait_until)
from upstream import pattern  # noqa: E402

PROTOS = ("h1", "h2c", "h2", "tls-h1")
EXPECTED_VERSION = {"h1": "1.1", "h2c": "2", "h2": "2", "tls-h1": "1.1"}


def sha(data):
    return hashlib.sha256(data).hexdigest()


class Forwarding(GatewayCase):

    def test_protocols_negotiated(self):
        for proto in PROTOS:
            with self.subTest(proto=proto):
                r, _ = self.echo("/pets/1", proto)
                self.assertEqual(r.version, EXPECTED_VERSION[proto], r)

    def test_versioned_path_and_query(self):
        for proto in PROTOS:
            with self.subTest(proto=proto):
                r, e = self.echo("/v1/pets/7?x=1", proto)
                self.assertEqual(e["server"], "v1")
                self.assertEqual(e["target"], "/legacy/pets/7?x=1")
                self.assertEqual(r.header("api-version"), "v1", r)

    def test_default_version_path(self):
        for proto in PROTOS:
            with self.subTest(proto=proto):
                r, e = self.echo("/pets/7", proto)
                self.assertEqual(e["server"], "v2")
                self.assertEqual(e["target"], "/pets/7")
                self.assertEqual(r.header("api-version"), "v2", r)

    def test_prefix_itself_and_trailing_slash(self):
        _, e = self.echo("/pets")
        self.assertEqual((e["server"], e["target"]), ("v2", "/pets"))
        _, e = self.echo("/v1/pets/")
        self.assertEqual((e["server"], e["target"]), ("v1", "/legacy/pets/"))

    def test_query_forwarded_byte_for_byte(self):
        query = "a=1&b=two%20words&c=%2F%3F%26&d=&e=%E2%9C%93&a=2"
        for proto in ("h1", "h2c"):
            with self.subTest(proto=proto):
                _, e = self.echo("/pets/search?" + query, proto)
                self.assertEqual(e["target"], "/pets/search?" + query)

    def test_methods(self):
        for proto in PROTOS:
            for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
                with self.subTest(proto=proto, method=method):
                    _, e = self.echo("/pets/m-%s-%s" % (proto, method), proto, method=method)
                    self.assertEqual(e["method"], method)

    def test_head(self):
        for proto in PROTOS:
            with self.subTest(proto=proto):
                path = "/pets/head-%s-end" % proto
                r = self.request(path, proto, method="HEAD")
                self.assertEqual((r.rc, r.status), (0, 200), r)
                self.assertEqual(r.body, b"")
                self.assertEqual(r.header("api-version"), "v2", r)
                got = self.up["v2"].requests_matching(path)
                self.assertEqual([g[0] for g in got], ["HEAD"], got)

    def test_request_bodies(self):
        body = os.urandom(300 * 1024)
        for proto in PROTOS:
            for method in ("POST", "PUT", "PATCH", "DELETE"):
                with self.subTest(proto=proto, method=method):
                    _, e = self.echo("/pets/body", proto, method=method, data=body,
                                     headers=["Content-Type: application/octet-stream"])
                    self.assertEqual(e["method"], method)
                    self.assertEqual((e["body_length"], e["body_sha256"]),
                                     (len(body), sha(body)))

    def test_chunked_request_body(self):
        body = os.urandom(200 * 1024 + 17)
        _, e = self.echo("/pets/chunked", "h1", method="POST", data=body,
                         headers=["Transfer-Encoding: chunked"])
        self.assertEqual((e["body_length"], e["body_sha256"]), (len(body), sha(body)))

    def test_empty_post(self):
        _, e = self.echo("/pets", "h1", method="POST", data=b"")
        self.assertEqual((e["method"], e["body_length"]), ("POST", 0))

    def test_end_to_end_request_headers(self):
        for proto in PROTOS:
            with self.subTest(proto=proto):
                _, e = self.echo("/pets/h", proto, headers=[
                    "X-Custom: some value", "Authorization: Bearer abc.def",
                    "Cookie: a=1; b=2", "User-Agent: versa-it/1", "X-Multi: one",
                    "X-Multi: two", "Content-Type: application/json"])
                self.assertEqual(echo_header(e, "x-custom"), "some value")
                self.assertEqual(echo_header(e, "authorization"), "Bearer abc.def")
                self.assertEqual(echo_header(e, "user-agent"), "versa-it/1")
                self.assertEqual(echo_header(e, "content-type"), "application/json")
                cookies = "; ".join(echo_header_all(e, "cookie"))
                self.assertEqual(sorted(c.strip() for c in cookies.split(";")), ["a=1", "b=2"])
                multi = ",".join(echo_header_all(e, "x-multi"))
                self.assertEqual([m.strip() for m in multi.split(",")], ["one", "two"])

    def test_hop_by_hop_request_headers_removed(self):
        # RFC 9110 §7.6.1: Connection and the fields it names are for one hop only.
        _, e = self.echo("/pets/hop", "h1", headers=[
            "Connection: keep-alive, X-Hop-A, x-hop-b", "X-Hop-A: 1", "X-Hop-B: 2",
            "Keep-Alive: timeout=5", "Proxy-Connection: keep-alive", "TE: trailers",
            "Upgrade: example/1", "X-End2End: kept"])
        names = {k.lower() for k, _ in e["headers"]}
        for gone in ("x-hop-a", "x-hop-b", "keep-alive", "proxy-connection", "te", "upgrade"):
            self.assertNotIn(gone, names, e["headers"])
        for conn in echo_header_all(e, "connection"):
            self.assertNotIn("x-hop", conn.lower(), e["headers"])
        self.assertEqual(echo_header(e, "x-end2end"), "kept")

    def test_hop_by_hop_response_headers_removed(self):
        for proto in PROTOS:
            with self.subTest(proto=proto):
                r, _ = self.echo("/pets/hop-response", proto)
                self.assertIsNone(r.header("x-upstream-hop"), r)
                self.assertIsNone(r.header("keep-alive"), r)
                self.assertIsNone(r.header("proxy-connection"), r)
                for conn in r.header_all("connection"):
                    self.assertNotIn("x-upstream-hop", conn.lower(), r)
                self.assertEqual(r.header("x-upstream-end2end"), "kept", r)

    def test_x_forwarded_headers(self):
        cases = [("h1", "http", "127.0.0.1:%d" % self.http_port),
                 ("h2c", "http", "127.0.0.1:%d" % self.http_port),
                 ("h2", "https", "127.0.0.1:%d" % self.tls_port),
                 ("tls-h1", "https", "127.0.0.1:%d" % self.tls_port)]
        for proto, scheme, host in cases:
            with self.subTest(proto=proto):
                _, e = self.echo("/pets/xf", proto)
                xff = ",".join(echo_header_all(e, "x-forwarded-for"))
                self.assertEqual(xff.split(",")[-1].strip(), "127.0.0.1", e["headers"])
                self.assertEqual(echo_header_all(e, "x-forwarded-proto"), [scheme])
                self.assertEqual(echo_header_all(e, "x-forwarded-host"), [host])

    def test_x_forwarded_host_is_the_requested_host(self):
        _, e = self.echo("/pets/xf", "h1", headers=["Host: api.example.test"])
        self.assertEqual(echo_header_all(e, "x-forwarded-host"), ["api.example.test"])

    def test_client_cannot_spoof_forwarded_proto_or_host(self):
        _, e = self.echo("/pets/xf", "h1", headers=[
            "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example",
            "X-Forwarded-For: 203.0.113.7"])
        self.assertEqual(echo_header_all(e, "x-forwarded-proto"), ["http"])
        self.assertEqual(echo_header_all(e, "x-forwarded-host"), ["127.0.0.1:%d" % self.http_port])
        xff = ",".join(echo_header_all(e, "x-forwarded-for"))
        self.assertEqual(xff.split(",")[-1].strip(), "127.0.0.1", xff)

    def test_request_id_generated_when_absent(self):
        ids = []
        for proto in ("h1", "h2c", "h2"):
            _, e = self.echo("/pets/rid", proto)
            rid = echo_header_all(e, "x-request-id")
            self.assertEqual(len(rid), 1, e["headers"])
            self.assertRegex(rid[0], r"^[\x21-\x7e]{8,200}$")
            ids.append(rid[0])
        self.assertEqual(len(set(ids)), len(ids), ids)

    def test_request_id_forwarded_when_present(self):
        for proto in ("h1", "h2c", "h2"):
            with self.subTest(proto=proto):
                _, e = self.echo("/pets/rid", proto, headers=["X-Request-Id: it-req-42"])
                self.assertEqual(echo_header_all(e, "x-request-id"), ["it-req-42"])

    def test_traceparent_passed_through(self):
        tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        for proto in ("h1", "h2c", "h2"):
            with self.subTest(proto=proto):
                _, e = self.echo("/pets/trace", proto,
                                 headers=["traceparent: " + tp, "tracestate: acme=1"])
                self.assertEqual(echo_header_all(e, "traceparent"), [tp])
                self.assertEqual(echo_header_all(e, "tracestate"), ["acme=1"])

    def test_upstream_status_and_body_passed_through(self):
        # The upstream's own errors are its answer, not the gateway's: never rewritten.
        for proto in ("h1", "h2c", "h2"):
            for code in (201, 404, 418, 500, 502, 503):
                with self.subTest(proto=proto, code=code):
                    r = self.request("/pets/status/%d" % code, proto)
                    self.assertEqual((r.rc, r.status), (0, code), r)
                    self.assertEqual(r.header("content-type"), "application/json", r)
                    self.assertEqual(r.json(), {"status": code})
            with self.subTest(proto=proto, code=204):
                r = self.request("/pets/status/204", proto)
                self.assertEqual((r.rc, r.status, r.body), (0, 204, b""), r)

    def test_one_megabyte_response(self):
        n = 1024 * 1024
        want = sha(pattern(n))
        for proto in PROTOS:
            for chunked in ("0", "1"):
                with self.subTest(proto=proto, chunked=chunked):
                    r = self.request("/pets/big?bytes=%d&chunked=%s" % (n, chunked), proto)
                    self.assertEqual((r.rc, r.status), (0, 200), r.stderr)
                    self.assertEqual((len(r.body), sha(r.body)), (n, want))

    def test_response_streams_before_upstream_finishes(self):
        # The upstream sends half the body and waits; the client must already have that half.
        n = 256 * 1024
        up = self.up["v2"]
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "body")
            p = subprocess.Popen(["curl", "-sS", "--noproxy", "*", "-N", "--http1.1", "-o", out,
                                  "--max-time", "120", self.url("/pets/stream-hold?bytes=%d" % n)],
                                 stderr=subprocess.PIPE)
            try:
                wait_until(lambda: os.path.exists(out) and os.path.getsize(out) >= n, 30,
                           "the first half of the body to reach the client",
                           procs=[p, self.gw.proc])
            finally:
                up.release("stream-hold")
                _, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), pattern(2 * n))

    def test_concurrent_requests(self):
        for proto in ("h1", "h2"):
            with self.subTest(proto=proto):
                urls = [self.url("/pets/c%d?i=%d" % (i % 3, i), proto) for i in range(40)]
                rc, codes = curl_many(urls, proto=proto, parallel=True, cacert=self.cert)
                self.assertEqual((rc, codes), (0, [200] * 40))

    def test_concurrent_h2c_streams(self):
        # nghttp sends all 40 requests as concurrent streams on one connection.
        urls = [self.url("/v%d/pets/s%d" % (1 + i % 2, i)) for i in range(40)]
        rc, codes = nghttp_many(urls)
        self.assertEqual((rc, codes), (0, [200] * 40))

    def test_upstream_connections_kept_alive(self):
        up = self.up["v2"]
        before = up.connections
        rc, codes = curl_many([self.url("/pets/ka?i=%d" % i) for i in range(30)])
        self.assertEqual((rc, codes), (0, [200] * 30))
        for i in range(10):  # separate client connections still share upstream connections
            self.echo("/pets/ka2?i=%d" % i)
        opened = up.connections - before
        self.assertLessEqual(opened, 2 * self.THREADS,
                             "40 sequential requests opened %d upstream connections" % opened)


if __name__ == "__main__":
    tap.main()
