#!/usr/bin/env python3
"""Report mode's outputs, with real upstreams that answer off-contract: the JSON-lines violation
log (`validate.log`: one line per violating exchange, written by a thread, rotated by size with
`keep` files, drops counted), /contract/report grouped by operation and schema location with the
latest example, the /contract HTML page (also rendered by headless Chromium), the log's metrics,
and the `log` key's config errors with file:line:col."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
from harness import GatewayCase, free_port, to_yaml, versa_bin, wait_until  # noqa: E402
from test_validation import SPEC  # noqa: E402

LOG_MAX = 8192


class ContractReport(GatewayCase):

    @classmethod
    def prepare(cls):
        cls.specs = {}
        for name in ("shop", "watch"):
            cls.specs[name] = os.path.join(cls.tmp, name + ".yaml")
            with open(cls.specs[name], "w") as f:
                f.write(SPEC.replace("\n  /", "\n  /%s/" % name))
        cls.log_path = os.path.join(cls.tmp, "contract.log")

    @classmethod
    def apis(cls):
        def api(name, mode):
            return {"name": name, "prefix": "/" + name,
                    "versions": {"v2": {"upstream": cls.up["v2"].url, "spec": cls.specs[name]}},
                    "validate": {"request": mode, "response": mode,
                                 "log": {"file": cls.log_path, "max_bytes": LOG_MAX,
                                         "keep": 2}}}
        return [api("shop", "enforce"), api("watch", "report")]

    def report(self):
        status, _, body = self.gw.admin("/contract/report")
        self.assertEqual(status, 200)
        return json.loads(body)

    def written(self):
        return sum(l["written"] + l["dropped"] for l in self.report()["logs"])

    def wait_written(self, n):
        wait_until(lambda: self.written() >= n, 10, "%d violation log lines" % n)

    def lines(self):
        out = []
        for name in (self.log_path + ".2", self.log_path + ".1", self.log_path):
            if os.path.exists(name):
                with open(name) as f:
                    out += [json.loads(t) for t in f]
        return out

    def test_log_line_per_violating_exchange(self):
        before = self.written()
        r = self.request("/watch/items?limit=0&tag=x")  # one request violation, forwarded
        self.assertEqual(r.status, 200, r)
        r = self.request("/shop/wrong/7")  # the upstream answers off-contract: 502
        self.assertEqual(r.status, 502, r)
        r = self.request("/shop/items/7")  # valid: no line
        self.assertEqual(r.status, 200, r)
        self.wait_written(before + 2)
        lines = self.lines()
        req = [l for l in lines if l["target"] == "/watch/items?limit=0&tag=x"][-1]
        self.assertEqual((req["api"], req["version"], req["operation"], req["side"]),
                         ("watch", "v2", "listItems", "request"))
        self.assertIsNone(req["status"])
        self.assertFalse(req["enforced"])
        self.assertEqual(req["method"], "GET")
        self.assertEqual(req["errorCount"], 1)
        self.assertEqual(req["errors"][0], {
            "pointer": "/query/limit", "keyword": "minimum",
            "schema": "#/paths/~1watch~1items/get/parameters/0/schema/minimum",
            "message": "must be >= 1"})
        self.assertRegex(req["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertRegex(req["request_id"], r"^[0-9a-f]{16,}$")
        res = [l for l in lines if l["target"] == "/shop/wrong/7"][-1]
        self.assertEqual((res["side"], res["status"], res["enforced"]), ("response", 200, True))
        kinds = {(e["pointer"], e["keyword"]) for e in res["errors"]}
        self.assertIn(("/body/server", "type"), kinds)
        self.assertIn(("/header/X-Trace", "required"), kinds)

    def test_log_rotates_with_keep_files(self):
        before = self.written()
        for i in range(40):  # lines of ~600 bytes: several rotations of 8 KiB
            self.request("/watch/wrong/%d" % i)
        self.wait_written(before + 40)
        self.assertTrue(os.path.exists(self.log_path + ".1"))
        self.assertFalse(os.path.exists(self.log_path + ".3"))  # keep: 2
        for name in (self.log_path, self.log_path + ".1", self.log_path + ".2"):
            if os.path.exists(name):
                self.assertLessEqual(os.path.getsize(name), LOG_MAX, name)
        status, _, body = self.gw.admin("/metrics")
        self.assertRegex(body.decode(), r'versa_contract_log_written_total\{file="%s"\} \d+'
                         % self.log_path)
        self.assertIn("versa_contract_log_dropped_total", body.decode())

    def test_report_groups_by_schema_location(self):
        for _ in range(3):
            self.request("/watch/items?limit=500")
        ops = {(o["api"], o["operation"]): o for o in self.report()["operations"]}
        schemas = ops[("watch", "listItems")]["schemas"]
        by = {(s["side"], s["keyword"], s["schema"]): s for s in schemas}
        s = by[("request", "maximum", "#/paths/~1watch~1items/get/parameters/0/schema/maximum")]
        self.assertGreaterEqual(s["count"], 3)
        self.assertEqual(s["sample"]["pointer"], "/query/limit")
        self.assertEqual(s["sample"]["message"], "must be <= 100")
        counts = [x["count"] for x in schemas]
        self.assertEqual(counts, sorted(counts, reverse=True))
        # violations without a schema node (an undeclared status) are listed with schema null
        self.request("/watch/status/418")
        ops = {(o["api"], o["operation"]): o for o in self.report()["operations"]}
        st = [x for x in ops[("watch", "answerStatus")]["schemas"] if x["keyword"] == "status"]
        self.assertEqual(len(st), 1)

    def test_html_page(self):
        self.request("/watch/items?limit=500")
        status, headers, body = self.gw.admin("/contract")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/html"), headers)
        page = body.decode()
        for text in ("Versa contract validation", "watch v2", "listItems", "maximum",
                     "#/paths/~1watch~1items/get/parameters/0/schema/maximum", "/query/limit",
                     "request report, response report"):
            self.assertIn(text, page)
        self.assertNotIn("<script", page)

    def test_html_page_in_chromium(self):
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser is None:
            self.skipTest("chromium is not installed")
        self.request("/watch/items?limit=500")
        profile = tempfile.mkdtemp(prefix="versa-chromium-")
        try:
            p = subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                 "--dump-dom", "http://127.0.0.1:%d/contract" % self.admin_port],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        dom = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace")[-2000:])
        for text in ("Versa contract validation", "Contract violations", "listItems",
                     "/query/limit"):
            self.assertIn(text, dom)


class ContractLogConfig(GatewayCase):
    """The `log` key's errors point at it (file:line:col); a log that cannot be opened stops
    start-up."""

    def check(self, validate):
        api = self.sandbox.pets_api(validate=validate)
        api["versions"]["v1"]["spec"] = self.spec
        cfg = self.sandbox.config([api])
        path = os.path.join(self.tmp, "bad.yaml")
        with open(path, "w") as f:
            f.write(to_yaml(cfg))
        return subprocess.run([versa_bin(), "serve", "-c", path, "--check"],
                              capture_output=True, timeout=60)

    @classmethod
    def prepare(cls):
        cls.spec = os.path.join(cls.tmp, "s.yaml")
        with open(cls.spec, "w") as f:
            f.write(SPEC)

    def test_bad_log_keys(self):
        for log, msg in [
            ({"max_bytes": "1MiB"}, "validate.log: missing"),
            ({"file": "x.log", "keep": 5000}, "validate.log.keep"),
            ({"file": "x.log", "max_bytes": 100}, "must be at least 4KiB"),
            ({"file": "x.log", "bogus": 1}, "bogus"),
            ([1, 2], "expected a file name or a mapping"),
        ]:
            p = self.check({"request": "report", "log": log})
            self.assertNotEqual(p.returncode, 0, log)
            err = p.stderr.decode()
            self.assertIn(msg, err)
            self.assertRegex(err, r"bad\.yaml:\d+:\d+")

    def test_unwritable_log_stops_start_up(self):
        api = self.sandbox.pets_api(validate={"request": "report",
                                              "log": "/nonexistent-dir/c.log"})
        api["versions"]["v1"]["spec"] = self.spec
        cfg = self.sandbox.config([api])
        cfg["listen"] = [{"address": "127.0.0.1:%d" % free_port()}]  # not the class gateway's
        cfg["admin"] = {"address": "127.0.0.1:%d" % free_port()}
        path = os.path.join(self.tmp, "unwritable.yaml")
        with open(path, "w") as f:
            f.write(to_yaml(cfg))
        p = subprocess.run([versa_bin(), "serve", "-c", path], capture_output=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("validate.log: cannot open /nonexistent-dir/c.log", p.stderr.decode())


if __name__ == "__main__":
    tap.main()
