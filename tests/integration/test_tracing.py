#!/usr/bin/env python3
"""Distributed tracing (docs/operations.md#tracing) end to end: W3C Trace Context on the way to
the upstream and to shadow candidates, trace ids in the access log, and the spans as a real
OTLP decoder sees them (tests/otlp/collector.js: protobufjs with the official .proto files):
parent/child relations, semantic-convention attributes, error statuses, adapted routes, shadow
spans linked to the primary's, sampling, and collectors that are dead or hang. Spans and log lines
are awaited by polling, never by sleeping."""
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from adapted_pets import adapted_pets_api  # noqa: E402
from harness import (GatewayCase, RefusingPort, Sandbox, Upstream, echo_header,  # noqa: E402
                     echo_header_all, read_jsonl, to_yaml, versa_bin, wait_until)
from otlp import Collector  # noqa: E402

TP = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$")
IN_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
IN_PARENT = "00f067aa0ba902b7"


def traceparent(echo):
    values = echo_header_all(echo, "traceparent")
    assert len(values) == 1, values
    m = TP.match(values[0])
    assert m, values[0]
    return m.group(1), m.group(2), m.group(3)


def log_lines(path):
    return read_jsonl(path)  # complete lines: the gateway may be writing one


def wait_log(path, request_id):
    return wait_until(lambda: [l for l in log_lines(path) if l["request_id"] == request_id],
                      60, "the access-log line of %s" % request_id)[0]


def metric(gw, name):
    status, _, body = gw.admin("/metrics")
    total = 0.0
    for line in body.decode().split("\n"):
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


class TracingBase(GatewayCase):
    """A gateway exporting every request (sample 1) to the test collector: pets v1/v2 (v1
    shadowed to a candidate), and an adapted API (spec-routed, v1 served by v3's upstream)."""

    UPSTREAMS = ("v1", "v2", "cand", "v3")
    TRACING = {"sample": 1, "flush_interval_ms": 50}
    HANG = False

    @classmethod
    def prepare(cls):
        cls.collector = Collector(hang=cls.HANG)
        cls._closers.append(cls.collector)

    @classmethod
    def apis(cls):
        pets = cls.sandbox.pets_api(name="animals", prefix="/animals",
                                    shadow=[{"version": "v1", "candidate": cls.up["cand"].url,
                                             "sample": 1}])
        return [pets, adapted_pets_api(cls.up["v3"].url, default="v3")]

    @classmethod
    def config(cls):
        cfg = cls.sandbox.config(cls.apis())
        cfg["tracing"] = dict(cls.TRACING, otlp_endpoint=cls.collector.endpoint)
        return cfg


class Propagation(TracingBase):
    def test_generated_when_absent(self):
        for proto in ("h1", "h2c", "h2"):
            with self.subTest(proto=proto):
                r, echo = self.echo("/v2/animals/1", proto=proto)
                trace, parent, flags = traceparent(echo)
                self.assertNotEqual(trace, "0" * 32)
                self.assertEqual(flags, "01")  # sample: 1
                self.assertIsNone(echo_header(echo, "tracestate"))
                line = wait_log(self.access_log, r.header("x-request-id"))
                self.assertEqual(line["trace_id"], trace)
                self.assertRegex(line["span_id"], "^[0-9a-f]{16}$")
                # the upstream's parent is the gateway's client span, whose parent is the
                # server span of the access log
                client = self.collector.wait_spans(lambda s: s["span_id"] == parent)[0]
                server = self.collector.wait_spans(lambda s: s["span_id"] == line["span_id"])[0]
                self.assertEqual(client["kind"], "SPAN_KIND_CLIENT")
                self.assertEqual(server["kind"], "SPAN_KIND_SERVER")
                self.assertEqual(client["trace_id"], trace)
                self.assertEqual(client["parent_span_id"], server["span_id"])
                self.assertEqual(server["parent_span_id"], "")

    def test_kept_when_valid(self):
        r, echo = self.echo("/v2/animals/2", headers=[
            "traceparent: 00-%s-%s-01" % (IN_TRACE, IN_PARENT),
            "tracestate: rojo=00f067aa0ba902b7", "tracestate: congo=t61rcWkgMzE"])
        trace, parent, flags = traceparent(echo)
        self.assertEqual((trace, flags), (IN_TRACE, "01"))
        self.assertNotEqual(parent, IN_PARENT)  # the gateway's own span
        self.assertEqual(echo_header_all(echo, "tracestate"),
                         ["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"])
        line = wait_log(self.access_log, r.header("x-request-id"))
        self.assertEqual(line["trace_id"], IN_TRACE)
        server = self.collector.wait_spans(lambda s: s["span_id"] == line["span_id"])[0]
        self.assertEqual(server["parent_span_id"], IN_PARENT)
        self.assertEqual(server["trace_state"], "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        self.assertEqual(server["flags"], 0x301)  # sampled; its parent known to be remote
        client = self.collector.wait_spans(lambda s: s["span_id"] == parent)[0]
        self.assertEqual(client["parent_span_id"], server["span_id"])

    def test_unsampled_parent_is_honoured(self):
        r, echo = self.echo("/v2/animals/3", headers=[
            "traceparent: 00-%s-%s-00" % ("a" * 32, IN_PARENT)])
        trace, _, flags = traceparent(echo)
        self.assertEqual((trace, flags), ("a" * 32, "00"))
        # its spans would have been queued before its log line: then a marker request's spans
        # arriving means none of the first request's ever will
        wait_log(self.access_log, r.header("x-request-id"))
        r2, echo2 = self.echo("/v2/animals/marker")
        marker = traceparent(echo2)[0]
        self.collector.wait_spans(lambda s: s["trace_id"] == marker, 2)
        self.assertEqual([s for s in self.collector.spans() if s["trace_id"] == "a" * 32], [])

    def test_invalid_is_replaced(self):
        bad = {
            "version ff": "ff-%s-%s-01" % (IN_TRACE, IN_PARENT),
            "zero trace id": "00-%s-%s-01" % ("0" * 32, IN_PARENT),
            "zero parent id": "00-%s-%s-01" % (IN_TRACE, "0" * 16),
            "short": "00-%s-%s-01" % (IN_TRACE[:-1], IN_PARENT),
            "long": "00-%s-%s-01-" % (IN_TRACE, IN_PARENT),
            "uppercase": "00-%s-%s-01" % (IN_TRACE.upper(), IN_PARENT),
            "not hex": "00-%s-%s-0x" % (IN_TRACE, IN_PARENT),
            "garbage": "hello",
        }
        for what, value in bad.items():
            with self.subTest(what=what):
                _, echo = self.echo("/v2/animals/4", headers=["traceparent: " + value,
                                                           "tracestate: rojo=1"])
                trace, parent, flags = traceparent(echo)
                self.assertNotIn(trace, (IN_TRACE, IN_TRACE.upper(), "0" * 32))
                self.assertEqual(flags, "01")
                self.assertIsNone(echo_header(echo, "tracestate"))  # dropped with its parent
        with self.subTest(what="repeated"):
            _, echo = self.echo("/v2/animals/4", headers=[
                "traceparent: 00-%s-%s-01" % (IN_TRACE, IN_PARENT),
                "traceparent: 00-%s-%s-01" % ("b" * 32, IN_PARENT)])
            self.assertNotIn(traceparent(echo)[0], (IN_TRACE, "b" * 32))

    def test_tracestate_bounds(self):
        tp = "traceparent: 00-%s-%s-01" % (IN_TRACE, IN_PARENT)
        many = ",".join("k%02d=v" % i for i in range(33))
        _, echo = self.echo("/v2/animals/5", headers=[tp, "tracestate: " + many])
        self.assertIsNone(echo_header(echo, "tracestate"))  # over 32 members: dropped
        long = ",".join("k%02d=%s" % (i, "x" * 60) for i in range(20))  # 1279 characters
        _, echo = self.echo("/v2/animals/5", headers=[tp, "tracestate: " + long])
        kept = echo_header(echo, "tracestate")
        self.assertLessEqual(len(kept), 512)
        self.assertTrue(long.startswith(kept + ","), kept)  # members from the end went first
        _, echo = self.echo("/v2/animals/5", headers=[tp, "tracestate: Bad=1"])
        self.assertIsNone(echo_header(echo, "tracestate"))


class Spans(TracingBase):
    def server_and_client(self, r, echo):
        line = wait_log(self.access_log, r.header("x-request-id"))
        server = self.collector.wait_spans(lambda s: s["span_id"] == line["span_id"])[0]
        client = None
        if echo is not None:
            parent = traceparent(echo)[1]
            client = self.collector.wait_spans(lambda s: s["span_id"] == parent)[0]
        return server, client

    def test_attributes(self):
        r, echo = self.echo("/v1/animals/7?secret=1", headers=["User-Agent: tracer/1"])
        server, client = self.server_and_client(r, echo)
        a = server["attributes"]
        self.assertEqual(server["name"], "GET")
        self.assertEqual(a["http.request.method"], "GET")
        self.assertEqual(a["url.path"], "/v1/animals/7")  # no query: it may hold secrets
        self.assertEqual(a["url.scheme"], "http")
        self.assertEqual(a["http.response.status_code"], 200)
        self.assertEqual(a["server.address"], "127.0.0.1")
        self.assertEqual(a["server.port"], self.http_port)
        self.assertEqual(a["network.protocol.version"], "1.1")
        self.assertEqual(a["client.address"], "127.0.0.1")
        self.assertEqual(a["user_agent.original"], "tracer/1")
        self.assertEqual(a["versa.api"], "animals")
        self.assertEqual(a["versa.version"], "v1")
        self.assertIs(a["versa.adapted"], False)
        self.assertEqual(a["versa.request_id"], r.header("x-request-id"))
        self.assertEqual(server["status"]["code"], "STATUS_CODE_UNSET")
        self.assertEqual(server["resource"], {"service.name": "versa", "service.version": "0.1.0"})
        self.assertEqual(server["scope"]["name"], "versa")
        self.assertLessEqual(int(server["start"]), int(client["start"]))
        self.assertLessEqual(int(client["end"]), int(server["end"]))
        c = client["attributes"]
        self.assertEqual(client["name"], "GET")
        self.assertEqual(c["server.address"], "127.0.0.1")
        self.assertEqual(c["server.port"], self.up["v1"].port)
        self.assertEqual(c["url.full"], self.up["v1"].url + "/legacy/animals/7")
        self.assertEqual(c["http.response.status_code"], 200)
        self.assertEqual(c["versa.version"], "v1")
        self.assertNotIn("error.type", c)

    def test_errors(self):
        r = self.request("/v2/animals/status/503")
        self.assertEqual(r.status, 503, r)
        server, _ = self.server_and_client(r, None)
        self.assertEqual(server["status"]["code"], "STATUS_CODE_ERROR")
        self.assertEqual(server["attributes"]["error.type"], "503")
        client = self.collector.wait_spans(
            lambda s: s["parent_span_id"] == server["span_id"] and s["kind"] == "SPAN_KIND_CLIENT")[0]
        self.assertEqual(client["status"]["code"], "STATUS_CODE_ERROR")
        self.assertEqual(client["attributes"]["http.response.status_code"], 503)
        # a 404 is the client's error, not the server's (semantic conventions)
        r = self.request("/v2/animals/status/404")
        server, _ = self.server_and_client(r, None)
        self.assertEqual(server["status"]["code"], "STATUS_CODE_UNSET")
        self.assertNotIn("error.type", server["attributes"])
        # answered by the gateway itself: a server span alone
        r = self.request("/nowhere")
        self.assertEqual(r.status, 404, r)
        server, _ = self.server_and_client(r, None)
        self.assertNotIn("versa.api", server["attributes"])
        self.assertEqual([s for s in self.collector.spans()
                          if s["parent_span_id"] == server["span_id"]], [])

    def test_adapted_route(self):
        r, echo = self.echo("/v1/pets/p1")
        self.assertEqual(echo["path"], "/pets/p1")
        server, client = self.server_and_client(r, echo)
        a = server["attributes"]
        self.assertEqual(server["name"], "GET /pets/{petId}")
        self.assertEqual(a["http.route"], "/pets/{petId}")
        self.assertEqual(a["versa.api"], "pets")
        self.assertEqual(a["versa.version"], "v1")  # asked for
        self.assertEqual(a["versa.operation"], "getPet")
        self.assertIs(a["versa.adapted"], True)
        c = client["attributes"]
        self.assertEqual(c["versa.version"], "v3")  # served by
        self.assertIs(c["versa.adapted"], True)
        self.assertEqual(c["versa.operation"], "getPet")

    def test_shadow_span_is_linked(self):
        r, echo = self.echo("/v1/animals/shadowed")
        trace, primary_parent, _ = traceparent(echo)
        cand = self.up["cand"].wait_requests("/shadowed")[0]
        values = [v for k, v in cand[2] if k.lower() == "traceparent"]
        self.assertEqual(len(values), 1, cand)
        m = TP.match(values[0])
        self.assertEqual(m.group(1), trace)
        self.assertNotEqual(m.group(2), primary_parent)
        server, client = self.server_and_client(r, echo)
        shadow = self.collector.wait_spans(lambda s: s["span_id"] == m.group(2))[0]
        self.assertEqual(shadow["kind"], "SPAN_KIND_CLIENT")
        self.assertEqual(shadow["parent_span_id"], server["span_id"])
        self.assertEqual(shadow["links"], [{"trace_id": trace, "span_id": client["span_id"],
                                            "flags": 0x101}])
        self.assertEqual(shadow["attributes"]["versa.shadow"], "candidate")
        self.assertEqual(shadow["attributes"]["server.port"], self.up["cand"].port)
        self.assertEqual(shadow["attributes"]["http.response.status_code"], 200)

    def test_every_request_exported_and_counted(self):
        ids = []
        for i in range(20):
            r, _ = self.echo("/v2/animals/all-%d" % i)
            ids.append(r.header("x-request-id"))
        servers = self.collector.wait_spans(
            lambda s: s["attributes"].get("versa.request_id") in ids, 20)
        self.assertEqual(sorted(s["attributes"]["versa.request_id"] for s in servers), sorted(ids))
        for s in servers:
            self.collector.wait_spans(lambda c, s=s: c["parent_span_id"] == s["span_id"])
        wait_until(lambda: metric(self.gw, "versa_trace_spans_exported_total") >= 40, 60,
                   "the exported counter")
        self.assertEqual(metric(self.gw, "versa_trace_spans_dropped_total"), 0)
        self.assertEqual(metric(self.gw, "versa_trace_spans_failed_total"), 0)


class SampleZero(TracingBase):
    """sample: 0 exports nothing of the requests that start a trace; a batch that could never
    fill (flush_interval_ms long) keeps anything submitted in the queue, where the gauge sees it."""

    TRACING = {"sample": 0, "flush_interval_ms": 600000, "batch_size": 1000, "queue_size": 1000}

    def test_nothing_exported(self):
        ids = []
        for i in range(10):
            r, echo = self.echo("/v2/animals/zero-%d" % i)
            self.assertEqual(traceparent(echo)[2], "00")
            ids.append(r.header("x-request-id"))
        for rid in ids:
            line = wait_log(self.access_log, rid)
            self.assertRegex(line["trace_id"], "^[0-9a-f]{32}$")  # still logged
        self.assertEqual(metric(self.gw, "versa_trace_queue_spans"), 0)
        self.assertEqual(self.collector.spans(), [])
        # parent-based: a caller's sampled flag is followed (server and client span)
        r, echo = self.echo("/v2/animals/parent", headers=[
            "traceparent: 00-%s-%s-01" % (IN_TRACE, IN_PARENT)])
        self.assertEqual(traceparent(echo)[2], "01")
        wait_log(self.access_log, r.header("x-request-id"))
        self.assertEqual(metric(self.gw, "versa_trace_queue_spans"), 2)


def median_latency(port, path, n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    times = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            times.append(time.perf_counter() - t0)
            assert resp.status == 200, resp.status
    finally:
        conn.close()
    return statistics.median(times)


class BadCollectors(GatewayCase):
    """A collector that refuses connections and one that accepts and never answers: requests are
    not slowed (median latency against a gateway without tracing, interleaved, with a generous
    bound), and what could not be exported is counted."""

    UPSTREAMS = ("v1", "v2")
    TLS = False

    @classmethod
    def prepare(cls):
        cls.refusing = RefusingPort()
        cls._closers.append(cls.refusing)
        cls.hanging = Collector(hang=True)
        cls._closers.append(cls.hanging)

    @classmethod
    def config(cls):
        return cls.sandbox.config(cls.apis())  # the untraced reference

    def traced(self, name, endpoint, **tracing):
        cfg = self.sandbox.config(self.apis())
        cfg["listen"] = [{"address": "127.0.0.1:%d" % self.port_of(name)}]
        cfg["admin"] = {"address": "127.0.0.1:%d" % self.port_of(name + "-admin")}
        cfg["access_log"] = "off"
        cfg["tracing"] = dict({"otlp_endpoint": endpoint, "sample": 1, "timeout_ms": 2000,
                               "flush_interval_ms": 20, "queue_size": 16, "batch_size": 8},
                              **tracing)
        return self.sandbox.versa(cfg, name).start()

    def port_of(self, name):
        from harness import free_port
        if not hasattr(self, "_ports"):
            self._ports = {}
        return self._ports.setdefault(name, free_port())

    def compare(self, gw, rounds=5, n=40):
        plain, traced = [], []
        for _ in range(rounds):  # interleaved: both see the same machine load
            plain.append(median_latency(self.http_port, "/v2/pets/1", n))
            traced.append(median_latency(self.port_of(gw.name), "/v2/pets/1", n))
        p, t = statistics.median(plain), statistics.median(traced)
        sys.stdout.write("# %s: median latency %.3f ms traced vs %.3f ms untraced\n"
                         % (gw.name, t * 1000, p * 1000))
        # generous: the exporter's timeout (2 s) would show as seconds, not a ratio
        self.assertLess(t, p * 3 + 0.05, (t, p))

    def test_dead_collector(self):
        gw = self.traced("dead", "http://127.0.0.1:%d/v1/traces" % self.refusing.port)
        self.compare(gw)
        wait_until(lambda: metric(gw, "versa_trace_spans_failed_total") > 0, 60, "failed spans")
        self.assertEqual(metric(gw, "versa_trace_spans_exported_total"), 0)
        self.assertGreater(metric(gw, 'versa_trace_export_requests_total{result="failed"}'), 0)
        self.assertEqual(gw.stop(), 0)

    def test_hanging_collector(self):
        gw = self.traced("hang", self.hanging.endpoint)
        self.compare(gw)
        # the exporter waits on one batch for timeout_ms while requests keep coming: the queue
        # (16 spans) overflows and the rest is dropped, counted
        wait_until(lambda: metric(gw, 'versa_trace_spans_dropped_total{reason="queue_full"}') > 0,
                   60, "dropped spans")
        self.assertEqual(metric(gw, "versa_trace_spans_exported_total"), 0)
        t0 = time.monotonic()
        self.assertEqual(gw.stop(), 0)  # the last flush is bounded by timeout_ms
        self.assertLess(time.monotonic() - t0, 30)


class Config(GatewayCase):
    """Bad `tracing` values are refused with file:line:col by --check."""

    UPSTREAMS = ("v1", "v2")
    TLS = False

    def check(self, tracing, needle, message, at=None):
        """Runs --check on `tracing`; the error must point at `at` (default `needle`) on the
        first line holding `needle`."""
        cfg = self.config()
        cfg["tracing"] = tracing
        path = os.path.join(self.tmp, "bad-tracing.yaml")
        text = to_yaml(cfg) + "\n"
        with open(path, "w") as f:
            f.write(text)
        lines = text.split("\n")
        line = next(i for i, t in enumerate(lines, 1) if needle in t)
        col = lines[line - 1].index(at or needle) + 1
        p = subprocess.run([versa_bin(), "serve", "-c", path, "--check"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("bad-tracing.yaml:%d:%d: %s" % (line, col, message), p.stderr.decode())

    def test_bad_values(self):
        ok = "http://127.0.0.1:4318/v1/traces"
        self.check({"otlp_endpoint": ok, "sample": 1.5}, "sample",
                   "tracing.sample: expected a number between 0 and 1", at="1.5")
        self.check({"otlp_endpoint": ok, "sample": "all"}, '"all"',
                   "tracing.sample: expected a number between 0 and 1, got string")
        self.check({"otlp_endpoint": "https://collector:4318/v1/traces"}, '"https:',
                   "tracing.otlp_endpoint: https endpoints are not supported")
        self.check({"otlp_endpoint": "collector:4318"}, '"collector',
                   "tracing.otlp_endpoint: collector:4318: expected an http:// or https:// URL")
        self.check({"otlp_endpoint": ok, "queue_size": 0}, "queue_size",
                   "tracing.queue_size: expected an integer between 1 and 1000000, got 0", at="0")
        self.check({"otlp_endpoint": ok, "queue_size": 10, "batch_size": 20}, "batch_size",
                   "tracing.batch_size: larger than queue_size (10)", at="20")
        self.check({"otlp_endpoint": ok, "timeout_ms": -1}, "timeout_ms: -1",
                   "tracing.timeout_ms: expected an integer between 1", at="-1")
        self.check({"otlp_endpoint": ok, "sampel": 1}, "sampel",
                   "tracing: unknown key 'sampel' (did you mean 'sample'?)")
        self.check({"otlp_endpoint": ok, "parent_based": "yes please"}, '"yes please"',
                   "tracing.parent_based: expected true or false")
        self.check({"otlp_endpoint": ok, "resource": {"service.name": "x"}}, "service.name",
                   "tracing.resource.service.name: set by the gateway")

    def test_check_passes(self):
        cfg = self.config()
        cfg["tracing"] = {"otlp_endpoint": "http://collector.invalid:4318/v1/traces",
                          "sample": 0.1, "service_name": "edge",
                          "resource": {"deployment.environment.name": "test"}}
        path = os.path.join(self.tmp, "good-tracing.yaml")
        with open(path, "w") as f:
            f.write(to_yaml(cfg) + "\n")
        p = subprocess.run([versa_bin(), "serve", "-c", path, "--check"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, 0, p)


if __name__ == "__main__":
    tap.main()
