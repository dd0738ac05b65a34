#!/usr/bin/env python3
"""/metrics as Prometheus itself sees it (issue 19): `promtool check metrics` passes on the admin
listener's /metrics with every family present (requests, operations from a spec, contract
violations, recording, shadowing) and label values that need escaping (an operationId and a
capture path with a quote and a backslash); a real Prometheus server (Debian `prometheus`) on a
loopback port scrapes the admin listener, reports the target up, and its query API returns
counter values equal to the traffic the test sent, before and after more traffic."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import REPO, GatewayCase, curl_many, free_port, wait_until  # noqa: E402

PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
STARTUP_TIMEOUT = 60.0

SPEC = open(os.path.join(REPO, "tests", "integration", "fixtures", "pets-v2.yaml")).read()
# an operationId that must be escaped in a label value, and a typed query parameter to violate
SPEC = SPEC.replace("operationId: getPet", "operationId: 'get\"Pet\\odd'").replace(
    "      operationId: listPets\n",
    "      operationId: listPets\n      parameters:\n"
    "        - {name: limit, in: query, schema: {type: integer}}\n")


def http_json(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


class Prometheus:
    """A Prometheus server on 127.0.0.1:port scraping `target` every second, with its storage
    and config in `directory`."""

    def __init__(self, directory, target):
        self.dir = directory
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.config = os.path.join(directory, "prometheus.yml")
        with open(self.config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: versa\n    static_configs:\n"
                    "      - targets: [\"%s\"]\n" % target)
        self.log_path = os.path.join(directory, "prometheus.log")
        self.proc = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [PROMETHEUS, "--config.file=" + self.config,
                 "--storage.tsdb.path=" + os.path.join(self.dir, "tsdb"),
                 "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.dir)
        wait_until(self._ready, STARTUP_TIMEOUT, "Prometheus /-/ready", procs=[self.proc])
        return self

    def _ready(self):
        try:
            with urllib.request.urlopen(self.url + "/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def targets(self):
        return http_json(self.url + "/api/v1/targets")["data"]["activeTargets"]

    def query(self, expr):
        """The instant query's vector as {frozenset(labels): value string}."""
        doc = http_json(self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        if doc.get("status") != "success":
            raise AssertionError("query %s: %r" % (expr, doc))
        return {frozenset(s["metric"].items()): s["value"][1] for s in doc["data"]["result"]}

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None


class Scrape(GatewayCase):
    TLS = False

    @classmethod
    def prepare(cls):
        cls.spec = os.path.join(cls.tmp, "pets.yaml")
        with open(cls.spec, "w") as f:
            f.write(SPEC)
        cls.capture = os.path.join(cls.tmp, 'cap"ture\\1.jsonl')

    @classmethod
    def apis(cls):
        api = cls.sandbox.pets_api()
        api["versions"]["v2"]["spec"] = cls.spec
        api["validate"] = {"request": "report"}
        api["record"] = {"file": cls.capture}
        api["shadow"] = [{"version": "v2", "candidate": cls.up["v1"].url}]
        return [api]

    @classmethod
    def config(cls):
        cfg = super().config()
        # the tracing families too (docs/operations.md#tracing): exports to a port nobody
        # listens on fail and are counted
        cfg["tracing"] = {"otlp_endpoint": "http://127.0.0.1:%d/v1/traces" % free_port(),
                          "flush_interval_ms": 100}
        return cfg

    def setUp(self):
        super().setUp()
        for tool, name in ((PROMETHEUS, "prometheus"), (PROMTOOL, "promtool")):
            if tool is None:
                self.fail("%s not found (Debian prometheus; deploy/install-deps.sh --test)" % name)
        self.prom = None

    def tearDown(self):
        if self.prom is not None:
            self.prom.stop()
        super().tearDown()

    def diagnostics(self):
        text = super().diagnostics()
        if getattr(self, "prom", None) is not None:
            text += "\n--- prometheus log (tail) ---\n" + self.prom.log()
        return text

    def send(self, path, n):
        rc, codes = curl_many([self.url(path)] * n)
        self.assertEqual(rc, 0)
        return codes

    def metrics(self):
        status, headers, body = self.gw.admin("/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain; version=0.0.4"))
        return body

    def test_1_promtool_check_metrics(self):
        self.send("/pets/1", 3)
        self.assertEqual(self.send("/pets?limit=many", 2), [200, 200])  # a violation, reported
        self.assertEqual(self.send("/nowhere", 1), [404])
        body = self.metrics()
        text = body.decode()
        # the families that need the features configured above are all there
        for family in ("versa_requests_total", "versa_operation_requests_total",
                       "versa_contract_violations_total", "versa_record_written_total",
                       "versa_shadow_mirrored_total", "versa_request_duration_seconds",
                       "versa_trace_spans_dropped_total", "versa_trace_spans_exported_total",
                       "process_cpu_seconds_total", "process_resident_memory_bytes",
                       "process_open_fds", "process_start_time_seconds",
                       "versa_memory_in_use_bytes", "versa_memory_held_bytes"):
            self.assertIn("# TYPE %s " % family, text)
        # the process figures are the gateway's own, as /proc shows them
        value = {l.split(" ")[0]: float(l.split(" ")[1]) for l in text.split("\n")
                 if l.startswith("process_")}
        with open("/proc/%d/status" % self.gw.pid) as f:
            rss = int([l for l in f if l.startswith("VmRSS:")][0].split()[1]) * 1024
        self.assertLess(abs(value["process_resident_memory_bytes"] - rss), 0.25 * rss)
        fds = len(os.listdir("/proc/%d/fd" % self.gw.pid))
        self.assertLessEqual(abs(value["process_open_fds"] - fds), 2)  # the scrape's own
        started = value["process_start_time_seconds"]  # this class started it: minutes ago
        self.assertTrue(time.time() - 600 < started <= time.time() + 1, started)
        self.assertIn('operation="get\\"Pet\\\\odd"', text)
        self.assertIn('versa_contract_violations_total{api="pets",version="v2",'
                      'operation="listPets",side="request"', text)
        self.assertIn('file="%s"' % self.capture.replace("\\", "\\\\").replace('"', '\\"'),
                      text)
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=body, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        self.assertEqual((r.returncode, r.stdout.decode()), (0, ""), text)

    def test_2_prometheus_scrapes_the_admin_listener(self):
        def requests_2xx():
            got = self.prom.query('sum(versa_requests_total{api="pets",version="v2",'
                                  'method="GET",status="2xx"})')
            return int(next(iter(got.values()))) if got else None

        # what versa says now is what Prometheus must read (test_1 may have sent traffic)
        before = self.metrics().decode()
        base = 0
        for line in before.splitlines():
            if line.startswith('versa_requests_total{api="pets",version="v2",method="GET",'
                               'status="2xx"}'):
                base = int(line.rsplit(" ", 1)[1])
        self.send("/pets/2", 17)
        self.prom = Prometheus(self.tmp, "127.0.0.1:%d" % self.admin_port).start()

        def target_up():
            t = self.prom.targets()
            return t and t[0]["health"] == "up" and t[0]
        target = wait_until(target_up, STARTUP_TIMEOUT, "the versa target to be up in Prometheus",
                            interval=0.2, procs=[self.prom.proc])
        self.assertEqual(target["labels"]["job"], "versa")
        self.assertEqual(target["scrapeUrl"], "http://127.0.0.1:%d/metrics" % self.admin_port)
        self.assertEqual(target["lastError"], "")
        self.assertEqual(self.prom.query('up{job="versa"}'),
                         {frozenset({"__name__": "up", "job": "versa",
                                     "instance": "127.0.0.1:%d" % self.admin_port}.items()): "1"})
        wait_until(lambda: requests_2xx() == base + 17, STARTUP_TIMEOUT,
                   "Prometheus to read %d requests" % (base + 17), interval=0.2,
                   procs=[self.prom.proc])
        # more traffic: a later scrape sees it, in the counter and the histogram's count
        self.send("/pets/3", 25)
        wait_until(lambda: requests_2xx() == base + 42, STARTUP_TIMEOUT,
                   "Prometheus to read %d requests" % (base + 42), interval=0.2,
                   procs=[self.prom.proc])
        count = self.prom.query('versa_request_duration_seconds_count{api="pets",version="v2"}')
        self.assertEqual(list(count.values()), [str(base + 42)])
        ops = self.prom.query('versa_operation_requests_total{operation="get\\"Pet\\\\odd"}')
        self.assertEqual(len(ops), 1, ops)
        self.assertGreaterEqual(int(list(ops.values())[0]), 42)
        print("# Prometheus %s scraped %s: versa_requests_total = %d after %d requests"
              % (subprocess.run([PROMETHEUS, "--version"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True).stdout.split()[2],
                 target["scrapeUrl"], requests_2xx(), base + 42))
        self.assertEqual(self.prom.stop(), 0, self.prom.log())


if __name__ == "__main__":
    tap.main()
