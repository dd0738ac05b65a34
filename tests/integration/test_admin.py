#!/usr/bin/env python3
"""The admin listener (/healthz, /readyz, /metrics in Prometheus text format) and the JSON access
log, checked against traffic the test generates."""
import json
import os
import re
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import GatewayCase, RefusingPort, curl_many, wait_until  # noqa: E402

# Prometheus text exposition format 0.0.4.
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE_RE = re.compile(r"^(%s)(?:\{((?:%s)(?:,%s)*)?,?\})? (\S+)(?: -?\d+)?$"
                       % (NAME, LABEL, LABEL))
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
VALUE_RE = re.compile(r"^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)|[+-]Inf|NaN)$")


def parse_metrics(text):
    """Returns ({family: type}, [(name, {label: value}, float)]); raises on malformed lines."""
    types, samples = {}, []
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] == "TYPE":
                if parts[2] in types:
                    raise ValueError("line %d: TYPE for %s given twice" % (n, parts[2]))
                types[parts[2]] = parts[3].strip()
            continue
        m = SAMPLE_RE.match(line)
        if not m or not VALUE_RE.match(m.group(3)):
            raise ValueError("line %d is not a valid sample: %r" % (n, line))
        labels = dict(LABEL_RE.findall(m.group(2) or ""))
        samples.append((m.group(1), labels, float(m.group(3))))
    return types, samples


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count", "_total", ""):
        if suffix and name.endswith(suffix) and name[:-len(suffix)] in types:
            return name[:-len(suffix)]
    return name


class Admin(GatewayCase):

    @classmethod
    def prepare(cls):
        cls.refusing = RefusingPort()
        cls._closers.append(cls.refusing)

    @classmethod
    def apis(cls):
        return super().apis() + [
            {"name": "down", "prefix": "/down",
             "versions": {"v2": {"upstream": "http://127.0.0.1:%d" % cls.refusing.port}}}]

    def metrics(self):
        status, headers, body = self.gw.admin("/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers.get("content-type", "").startswith("text/plain"), headers)
        text = body.decode()
        self.assertTrue(text.endswith("\n"), "exposition must end with a newline")
        return parse_metrics(text)

    def test_healthz_and_readyz(self):
        for path in ("/healthz", "/readyz"):
            with self.subTest(path=path):
                status, _, _ = self.gw.admin(path)
                self.assertEqual(status, 200)

    def test_admin_unknown_path_is_404(self):
        status, _, _ = self.gw.admin("/nope")
        self.assertEqual(status, 404)

    def test_admin_is_not_on_the_proxy_listener(self):
        r = self.request("/metrics")
        self.assertEqual(r.status, 404, r)

    def test_metrics_format(self):
        types, samples = self.metrics()
        self.assertTrue(samples)
        for name, _, _ in samples:
            self.assertIn(family_of(name, types), types, "%s has no # TYPE line" % name)
        for fam, typ in types.items():
            self.assertIn(typ, ("counter", "gauge", "histogram", "summary", "untyped"), fam)

    def test_request_counters(self):
        rc, codes = curl_many([self.url("/pets/mc?i=%d" % i) for i in range(3)])
        self.assertEqual(codes, [200] * 3)
        self.echo("/v1/pets", method="POST", data=b"{}")
        self.request("/no-such-api")
        self.request("/down/1")
        types, samples = self.metrics()

        def count(**want):
            cls = want.pop("cls")
            total = 0
            for name, labels, value in samples:
                if types.get(family_of(name, types)) != "counter":
                    continue
                if any(labels.get(k) != v for k, v in want.items()):
                    continue
                if cls in labels.values():
                    total += value
            return total

        self.assertGreaterEqual(count(api="pets", version="v2", method="GET", cls="2xx"), 3)
        self.assertGreaterEqual(count(api="pets", version="v1", method="POST", cls="2xx"), 1)
        self.assertGreaterEqual(count(api="down", version="v2", method="GET", cls="5xx"), 1)
        self.assertGreaterEqual(count(method="GET", cls="4xx"), 1)

    def test_latency_histogram(self):
        self.echo("/pets/hist")
        types, samples = self.metrics()
        hists = [f for f, t in types.items() if t == "histogram"]
        self.assertTrue(hists, "no histogram family")
        for fam in hists:
            series = {}
            for name, labels, value in samples:
                if family_of(name, types) != fam:
                    continue
                key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
                s = series.setdefault(key, {"buckets": [], "sum": None, "count": None})
                if name == fam + "_bucket":
                    le = labels["le"]
                    s["buckets"].append((float("inf") if le == "+Inf" else float(le), value))
                elif name == fam + "_sum":
                    s["sum"] = value
                elif name == fam + "_count":
                    s["count"] = value
            self.assertTrue(series, fam)
            for key, s in series.items():
                with self.subTest(family=fam, labels=key):
                    b = sorted(s["buckets"])
                    self.assertTrue(b and b[-1][0] == float("inf"), "%s lacks le=+Inf" % fam)
                    counts = [v for _, v in b]
                    self.assertEqual(counts, sorted(counts), "buckets must be cumulative")
                    self.assertEqual(b[-1][1], s["count"])
                    self.assertIsNotNone(s["sum"])
        served = [v for n, labels, v in samples if n.endswith("_count") and
                  types.get(family_of(n, types)) == "histogram" and labels.get("api") == "pets"]
        self.assertTrue(served and max(served) >= 1, "no latency observations for api=pets")

    def test_upstream_errors_by_kind(self):
        self.request("/down/kind")
        types, samples = self.metrics()
        errors = [(n, labels, v) for n, labels, v in samples
                  if "upstream" in n and "error" in n and labels.get("api") == "down"]
        self.assertTrue(errors, "no upstream error series for api=down")
        kinds = {tuple(sorted(set(labels) - {"api", "version"})) for _, labels, _ in errors}
        self.assertTrue(all(k for k in kinds), "upstream errors carry no kind label: %r" % errors)
        self.assertGreaterEqual(sum(v for _, _, v in errors), 1)

    def open_connections(self):
        types, samples = self.metrics()
        gauges = [(n, v) for n, labels, v in samples
                  if types.get(family_of(n, types)) == "gauge" and "connection" in n
                  and ("open" in n or "active" in n or "current" in n)]
        self.assertEqual(len({n for n, _ in gauges}), 1, "want one open-connections gauge: %r"
                         % gauges)
        return sum(v for _, v in gauges)

    def test_open_connections_gauge(self):
        base = self.open_connections()
        socks = []
        try:
            for _ in range(3):
                s = socket.create_connection(("127.0.0.1", self.http_port), timeout=10)
                s.sendall(b"GET /pets/partial HTTP/1.1\r\nHost: x\r\n")  # an unfinished head
                socks.append(s)
            wait_until(lambda: self.open_connections() >= base + 3, 30,
                       "the gauge to count 3 more open connections", procs=[self.gw.proc])
        finally:
            for s in socks:
                s.close()
        wait_until(lambda: self.open_connections() <= base, 30, "the gauge to drop back",
                   procs=[self.gw.proc])

    def access_log_lines(self):
        try:
            with open(self.access_log) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        # the part after the last newline is a line still being written
        return [line for line in text.split("\n")[:-1] if line]

    def access_record(self, request_id):
        def find():
            for line in self.access_log_lines():
                if request_id in line:
                    return json.loads(line)
            return None
        return wait_until(find, 30, "an access log line for request %s" % request_id,
                          procs=[self.gw.proc])

    def test_access_log_every_line_is_json(self):
        self.echo("/pets/json-lines", headers=["X-Request-Id: al-json-lines"])
        self.access_record("al-json-lines")
        for line in self.access_log_lines():
            rec = json.loads(line)
            self.assertIsInstance(rec, dict, line)

    def test_access_log_fields(self):
        self.echo("/pets/7?x=1", headers=["X-Request-Id: al-fields-1"])
        rec = self.access_record("al-fields-1")
        self.assertIn("al-fields-1", [v for k, v in rec.items() if "id" in k.lower()], rec)
        self.assertIsInstance(rec.get("time"), str, rec)
        self.assertRegex(rec["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", rec)
        self.assertEqual(rec.get("method"), "GET", rec)
        self.assertTrue(rec.get("path", "").startswith("/pets/7"), rec)
        self.assertEqual(rec.get("api"), "pets", rec)
        self.assertEqual(rec.get("version"), "v2", rec)
        self.assertEqual(rec.get("status"), 200, rec)
        self.assertIsInstance(rec.get("bytes"), int, rec)
        self.assertGreater(rec["bytes"], 0, rec)
        latencies = {k: v for k, v in rec.items() if isinstance(v, (int, float)) and
                     not isinstance(v, bool) and ("latency" in k or "duration" in k or
                                                  k.endswith("_ms") or k.endswith("_us"))}
        upstream = [k for k in latencies if "upstream" in k]
        total = [k for k in latencies if "upstream" not in k]
        self.assertTrue(upstream and total, "want upstream and total latency fields: %r" % rec)
        self.assertGreaterEqual(latencies[total[0]], latencies[upstream[0]], rec)

    def test_access_log_for_gateway_errors(self):
        self.request("/no-such-api", headers=["X-Request-Id: al-404"])
        rec = self.access_record("al-404")
        self.assertEqual(rec.get("status"), 404, rec)
        self.request("/down/x", headers=["X-Request-Id: al-502"])
        rec = self.access_record("al-502")
        self.assertEqual((rec.get("status"), rec.get("api")), (502, "down"), rec)

    def test_access_log_generates_request_id(self):
        r, e = self.echo("/pets/al-generated")
        rid = [v for k, v in e["headers"] if k.lower() == "x-request-id"][0]
        rec = self.access_record(rid)
        self.assertEqual(rec.get("path"), "/pets/al-generated", rec)


class AccessLogStdout(GatewayCase):
    """`access_log: stdout` writes the same JSON lines to the gateway's standard output."""
    TLS = False

    @classmethod
    def config(cls):
        return cls.sandbox.config(cls.apis(), access_log="stdout")

    def test_lines_on_stdout(self):
        self.echo("/pets/on-stdout", headers=["X-Request-Id: al-stdout-1"])

        def find():
            for line in self.gw.stdout().split("\n")[:-1]:  # the rest: still being written
                if "al-stdout-1" in line:
                    return json.loads(line)
            return None
        rec = wait_until(find, 30, "the access log line on stdout", procs=[self.gw.proc])
        self.assertEqual((rec.get("status"), rec.get("path")), (200, "/pets/on-stdout"), rec)
        self.assertFalse(os.path.exists(self.access_log), "a file was written as well")


if __name__ == "__main__":
    tap.main()
