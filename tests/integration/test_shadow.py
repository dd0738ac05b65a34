#!/usr/bin/env python3
"""Shadow traffic (docs/shadow.md) against real upstream processes with controlled differences:
a renamed field, a random field the secondary reveals as noise, a slow candidate, a dead one,
invalid JSON, a 10 MB body, a non-JSON content type, connections closed mid-response. Each case
checks that the client got exactly the primary's response, not delayed by the candidate, and
that /shadow/report (and the diff log, /metrics, the /shadow page) says what it should. Reports
are awaited by polling their counters, never by sleeping."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import (GatewayCase, RefusingPort, Sandbox, to_yaml, versa_bin,  # noqa: E402
                     wait_until)
from shadow_upstreams import ShadowUpstream, big_json  # noqa: E402

SETTLE_S = 60.0   # waiting for comparisons: generous for the sanitizer build on a busy machine
CLIENT_BOUND_S = 0.75  # a client response never waits for the candidate (which takes >= 1.5 s)
TIMEOUT_MS = 3000
LOG_MAX = 8192

SPEC = """openapi: 3.0.3
info: {title: Shop, version: "1"}
paths:
%s"""
OPERATIONS = {"same": "sameItem", "renamed": "renamedItem", "random": "randomItem",
              "random-ignored": "ignoredItem", "slow": "slowItem", "invalid-json": "brokenItem",
              "big": "bigItem", "text": "textItem", "close-mid": "cutItem",
              "close-mid-chunked": "cutChunkedItem", "echo": "echoItem"}


ZOO_SPEC = """openapi: 3.0.3
info: {title: zoo, version: %(v)s}
paths:
  /pets:
    post:
      operationId: createPet
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /pets/{petId}:
    parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getPet
      responses:
        "200":
          description: the pet
          content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
components:
  schemas:
    Pet:
      type: object
      properties: {id: {type: string}, name: {type: string}, %(field)s: {type: string}}
"""
ZOO_ADAPTERS = """api: zoo
versions:
  v1: {deprecated: 2026-06-30, sunset: 2099-01-31}
changes:
  - to: v2
    description: Pet.tag renamed category
    schemas:
      Pet:
        - rename: {old: tag, new: category}
"""


def spec_text():
    paths = []
    for segment, op in OPERATIONS.items():
        paths.append("  /shop/%s:\n    get:\n      operationId: %s\n"
                     "      responses: {\"200\": {description: ok}}\n" % (segment, op))
        if segment == "echo":
            paths.append("    post:\n      operationId: echoPost\n"
                         "      responses: {\"200\": {description: ok}}\n")
    return SPEC % "".join(paths)


class ShadowCase(GatewayCase):
    """No harness upstreams (the roles come from shadow_upstreams), no TLS, and versioning
    without a global default (each API defaults to its newest version)."""
    UPSTREAMS = ()
    TLS = False

    @classmethod
    def config(cls):
        cfg = cls.sandbox.config(cls.apis())
        cfg["versioning"] = {"media_type": "application/vnd.acme+json", "header": "Api-Version"}
        return cfg


class Shadow(ShadowCase):

    @classmethod
    def prepare(cls):
        cls.primary = ShadowUpstream("primary")
        cls.candidate = ShadowUpstream("candidate")
        cls.secondary = ShadowUpstream("secondary")
        cls.refusing = RefusingPort()
        cls._closers += [cls.primary, cls.candidate, cls.secondary, cls.refusing]
        cls.spec_path = os.path.join(cls.tmp, "shop.yaml")
        with open(cls.spec_path, "w") as f:
            f.write(spec_text())
        cls.log_path = os.path.join(cls.tmp, "shadow-diff.log")
        cls.zoo = {}
        for name, text in (("v1", ZOO_SPEC % {"v": "v1", "field": "tag"}),
                           ("v2", ZOO_SPEC % {"v": "v2", "field": "category"}),
                           ("adapters", ZOO_ADAPTERS)):
            cls.zoo[name] = os.path.join(cls.tmp, "zoo-%s.yaml" % name)
            with open(cls.zoo[name], "w") as f:
                f.write(text)

    @classmethod
    def apis(cls):
        p, c, s = cls.primary.url, cls.candidate.url, cls.secondary.url
        return [
            {"name": "shop",  # spec-routed: groups are operationIds
             "versions": {"v1": {"upstream": p, "spec": cls.spec_path}},
             "shadow": [{
                 "version": "v1", "candidate": c, "secondary": s, "sample": 1,
                 "timeout_ms": TIMEOUT_MS, "max_body": "1MiB",
                 "headers": {"remove": ["Authorization"], "set": {"X-Shadow": "1"}},
                 "ignore": [{"path": "body.nonce", "operation": "ignoredItem"}],
                 "log": {"file": cls.log_path, "max_bytes": LOG_MAX, "keep": 2}}]},
            {"name": "plain", "prefix": "/plain",  # no spec: groups are "METHOD /prefix"
             "versions": {"v1": {"upstream": p}},
             "shadow": [{"version": "v1", "candidate": c, "methods": ["GET", "POST"],
                         "max_body": "1KiB"}]},
            {"name": "dead", "prefix": "/dead", "versions": {"v1": {"upstream": p}},
             "shadow": [{"version": "v1",
                         "candidate": "http://127.0.0.1:%d" % cls.refusing.port}]},
            {"name": "quiet", "prefix": "/quiet", "versions": {"v1": {"upstream": p}},
             "shadow": [{"version": "v1", "candidate": c, "sample": 0}]},
            {"name": "tight", "prefix": "/tight", "versions": {"v1": {"upstream": p}},
             "shadow": [{"version": "v1", "candidate": c, "max_inflight": 1,
                         "timeout_ms": 10000}]},
            {"name": "zoo",  # cross-version through the adapter chain: v2 answers become v1's
             "versions": {"v1": {"upstream": p, "spec": cls.zoo["v1"]},
                          "v2": {"upstream": c, "spec": cls.zoo["v2"]}},
             "default": "v1", "adapters": cls.zoo["adapters"],
             "shadow": [{"version": "v1", "candidate_version": "v2",
                         "methods": ["GET", "POST"]}]},
            {"name": "vv", "prefix": "/vv",  # cross-version: v1 traffic also goes to v2
             "versions": {"v1": {"upstream": p}, "v2": {"upstream": c}},
             "default": "v1",
             "shadow": [{"version": "v1", "candidate_version": "v2"}]},
        ]

    # --- helpers ---

    def report(self):
        status, _, body = self.gw.admin("/shadow/report")
        self.assertEqual(status, 200)
        return json.loads(body)

    def entry(self, api, report=None):
        for e in (report or self.report())["shadows"]:
            if e["api"] == api:
                return e
        self.fail("no shadow entry for API %s" % api)

    @staticmethod
    def group(entry, name):
        for g in entry["report"]["groups"]:
            if g["group"] == name:
                return g
        return None

    @staticmethod
    def paths(group):
        return {(p["path"], p["kind"]): p for p in group["paths"]}

    def settle(self, api, mirrored):
        """Waits until `mirrored` requests of the API were mirrored and each is accounted for."""
        def done():
            e = self.entry(api)
            return e if (e["mirrored"] >= mirrored and e["inflight"] == 0 and
                         e["queued"] == 0) else None
        return wait_until(done, SETTLE_S, "%s: %d mirrored requests settled" % (api, mirrored))

    def wait_group(self, api, name, compared):
        def done():
            g = self.group(self.entry(api), name)
            return g if g is not None and g["compared"] >= compared else None
        return wait_until(done, SETTLE_S, "%s: %d comparisons of %s" % (api, compared, name))

    def get(self, path, **kw):
        r = self.request(path, **kw)
        self.assertEqual(r.rc, 0, r)
        return r

    def assert_primary(self, r, expect_body=None):
        """The client got exactly what the primary upstream sent for this request."""
        rid = r.header("x-request-id")
        self.assertTrue(rid, r)
        status, body = wait_until(lambda: self.primary.sent.get(rid), 10, "primary's record")
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.body, body, "client body differs from the primary's")
        if expect_body is not None:
            self.assertEqual(r.body, expect_body)

    def warm_up(self):
        if not getattr(type(self), "_warm", False):
            self.get("/shop/same")  # first request of a sanitizer build is slow
            type(self)._warm = True

    # --- the cases of the issue ---

    def test_identical_responses(self):
        before = self.entry("shop")
        for _ in range(3):
            self.assert_primary(self.get("/shop/same"))
        g = self.wait_group("shop", "sameItem", 3)
        self.assertEqual(g["identical"], g["compared"], g)
        self.assertEqual(g["paths"], [])
        e = self.settle("shop", before["mirrored"] + 3)
        self.assertEqual(e["candidate_errors"], before["candidate_errors"])

    def test_renamed_field_is_a_regression(self):
        r = self.get("/shop/renamed", headers=["Authorization: Bearer s3cret-token"])
        self.assert_primary(r)
        g = self.wait_group("shop", "renamedItem", 1)
        paths = self.paths(g)
        self.assertIn(("body.name", "missing"), paths, g)
        self.assertIn(("body.full_name", "extra"), paths, g)
        self.assertTrue(paths[("body.full_name", "extra")]["regression"])
        self.assertGreaterEqual(g["regressions"], 2)
        # the diff log has the request, with its credentials redacted
        rid = r.header("x-request-id")
        line = wait_until(lambda: self.log_line(rid), SETTLE_S, "the diff log line")
        self.assertEqual(line["operation"], "renamedItem")
        self.assertEqual(line["request"]["method"], "GET")
        self.assertEqual(line["request"]["target"], "/shop/renamed")
        self.assertEqual(line["primary"]["status"], 200)
        self.assertIn('"name":"Rex"', line["primary"]["body"])
        self.assertIn('"full_name":"Rex"', line["candidate"]["body"])
        self.assertEqual({(d["path"], d["kind"]) for d in line["differences"]},
                         {("body.name", "missing"), ("body.full_name", "extra")})
        headers = dict((k.lower(), v) for k, v in line["request"]["headers"])
        self.assertEqual(headers["authorization"], "[redacted]")
        with open(self.log_path, "rb") as f:
            self.assertNotIn(b"s3cret-token", f.read())
        # and the candidate never saw the Authorization header (headers.remove), but X-Shadow
        got = self.candidate.wait_received("/shop/renamed")[-1]
        self.assertNotIn("authorization", got[2])
        self.assertEqual(got[2].get("x-shadow"), "1")
        self.assertEqual(got[2].get("x-request-id"), rid)

    def log_line(self, rid):
        for name in (self.log_path + ".2", self.log_path + ".1", self.log_path):
            try:
                with open(name) as f:
                    for text in f:
                        if not text.endswith("\n"):
                            break  # still being written: the next poll sees it whole
                        line = json.loads(text)
                        if line["request_id"] == rid:
                            return line
            except FileNotFoundError:
                pass
        return None

    def test_random_field_is_noise(self):
        for _ in range(4):
            self.assert_primary(self.get("/shop/random"))
        g = self.wait_group("shop", "randomItem", 4)
        p = self.paths(g)[("body.nonce", "value_changed")]
        self.assertEqual(p["count"], g["compared"])
        self.assertEqual(p["noise_count"], g["noise_compared"])
        self.assertFalse(p["regression"], p)
        self.assertEqual(g["regressions"], 0, g)
        self.assertGreaterEqual(self.entry("shop")["noise"], 4)

    def test_ignore_rule_scoped_to_an_operation(self):
        self.assert_primary(self.get("/shop/random-ignored"))
        g = self.wait_group("shop", "ignoredItem", 1)
        self.assertEqual(g["identical"], g["compared"], g)

    def test_slow_candidate_never_delays_the_client(self):
        self.warm_up()
        before = self.entry("shop")
        for ms in (1500, 5000):  # within timeout_ms, and beyond it
            r = self.get("/shop/slow?ms=%d" % ms)
            self.assert_primary(r)
            self.assertLess(r.time_total, CLIENT_BOUND_S, r)
        g = self.wait_group("shop", "slowItem", 1)
        self.assertEqual(g["identical"], 1, g)
        e = wait_until(lambda: (lambda e: e if e["candidate_errors"]["timeout"] >
                                before["candidate_errors"]["timeout"] else None)(
                                    self.entry("shop")), SETTLE_S, "the candidate timeout")
        e = self.settle("shop", before["mirrored"] + 2)
        self.assertEqual(e["candidate_errors"]["timeout"],
                         before["candidate_errors"]["timeout"] + 1)

    def test_dead_candidate(self):
        self.warm_up()
        before = self.entry("dead")
        r = self.get("/dead/same")
        self.assert_primary(r)
        self.assertLess(r.time_total, CLIENT_BOUND_S, r)
        e = self.settle("dead", before["mirrored"] + 1)
        self.assertEqual(e["candidate_errors"]["connect"],
                         before["candidate_errors"]["connect"] + 1)
        self.assertEqual(e["compared"], before["compared"])

    def test_invalid_json_from_the_candidate(self):
        self.assert_primary(self.get("/shop/invalid-json"))
        g = self.wait_group("shop", "brokenItem", 1)
        self.assertIn(("body", "invalid_json"), self.paths(g), g)

    def test_ten_megabyte_body(self):
        self.warm_up()
        before = self.entry("shop")
        size = 10 * 1024 * 1024
        r = self.get("/shop/big?bytes=%d" % size, timeout=120)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.body), size)
        self.assert_primary(r, big_json(size))
        e = self.settle("shop", before["mirrored"] + 1)
        self.assertEqual(e["dropped"]["response_too_large"],
                         before["dropped"]["response_too_large"] + 1)
        self.assertIsNone(self.group(e, "bigItem"))

    def test_non_json_content_type(self):
        self.assert_primary(self.get("/shop/text"), b"hello world\n")
        g = self.wait_group("shop", "textItem", 1)
        p = self.paths(g)
        self.assertIn(("body", "bytes_changed"), p, g)
        self.assertEqual(p[("body", "bytes_changed")]["sample"]["candidate"], "hello there\\n")

    def test_candidate_closes_mid_response(self):
        self.warm_up()
        before = self.entry("shop")
        for path in ("/shop/close-mid", "/shop/close-mid-chunked"):
            r = self.get(path)
            self.assert_primary(r)
            self.assertLess(r.time_total, CLIENT_BOUND_S, r)
        e = self.settle("shop", before["mirrored"] + 2)
        self.assertEqual(e["candidate_errors"]["body"], before["candidate_errors"]["body"] + 2)
        self.assertIsNone(self.group(e, "cutItem"))
        self.assertIsNone(self.group(e, "cutChunkedItem"))

    # --- what is mirrored ---

    def test_request_body_mirrored_with_listed_methods(self):
        before = self.entry("plain")
        body = b'{"order": 42, "note": "caf\xc3\xa9"}'
        r = self.get("/plain/echo", method="POST", data=body,
                     headers=["Content-Type: application/json", "Cookie: a=1"])
        self.assertEqual(r.status, 200, r)
        self.assert_primary(r)
        got = self.candidate.wait_received("/plain/echo")[-1]
        self.assertEqual(got[0], "POST")
        self.assertEqual(got[3], body)
        self.assertEqual(got[2].get("content-type"), "application/json")
        self.assertEqual(got[2].get("cookie"), "a=1")
        self.assertIn("127.0.0.1", got[2].get("x-forwarded-for", ""))
        e = self.settle("plain", before["mirrored"] + 1)
        self.assertIsNotNone(self.group(e, "POST /plain"), e["report"])

    def test_request_body_over_the_cap_is_not_mirrored(self):
        before = self.entry("plain")
        r = self.get("/plain/echo", method="POST", data=b"x" * 2048)
        self.assert_primary(r)
        e = self.entry("plain")  # decided before the response: no waiting needed
        self.assertEqual(e["mirrored"], before["mirrored"])
        self.assertEqual(e["dropped"]["request_body_too_large"],
                         before["dropped"]["request_body_too_large"] + 1)

    def test_unsafe_methods_only_when_listed(self):
        before = self.entry("shop")
        r = self.get("/shop/echo?unsafe=1", method="POST", data=b"{}")
        self.assert_primary(r)
        self.assertEqual(self.entry("shop")["mirrored"], before["mirrored"])
        self.assertEqual(self.candidate.received("/shop/echo?unsafe=1"), [])

    def test_head_is_mirrored(self):
        before = self.entry("shop")
        r = self.get("/shop/same", method="HEAD")
        self.assertEqual(r.status, 200, r)
        e = self.settle("shop", before["mirrored"] + 1)
        self.assertEqual(e["compared"], before["compared"] + 1)

    def test_sample_zero_mirrors_nothing(self):
        self.assert_primary(self.get("/quiet/same"))
        e = self.entry("quiet")
        self.assertEqual(e["mirrored"], 0)
        self.assertEqual(self.candidate.received("/quiet/"), [])

    def test_inflight_limit(self):
        self.warm_up()
        before = self.entry("tight")
        r1 = self.get("/tight/slow?ms=2000")
        self.assert_primary(r1)
        self.candidate.wait_received("/tight/slow", 1)  # the first is in flight now
        r2 = self.get("/tight/slow?ms=2000")
        self.assert_primary(r2)
        e = self.entry("tight")
        self.assertEqual(e["dropped"]["inflight_limit"], before["dropped"]["inflight_limit"] + 1)
        e = self.settle("tight", before["mirrored"] + 1)
        self.assertEqual(e["mirrored"], before["mirrored"] + 1)
        self.assertEqual(e["compared"], before["compared"] + 1)

    def test_cross_version_candidate(self):
        r = self.get("/v1/vv/renamed")
        self.assert_primary(r)
        got = self.candidate.wait_received("/vv/renamed")
        self.assertEqual(got[-1][1], "/vv/renamed")
        e = self.settle("vv", 1)
        self.assertEqual(e["candidate"], "v2")
        self.assertEqual(e["candidate_version"], "v2")
        g = self.group(e, "GET /vv")
        self.assertIsNotNone(g, e["report"])
        self.assertIn(("body.full_name", "extra"), self.paths(g))

    def test_cross_version_through_the_adapter_chain(self):
        # v2's answer {"category": "dog"} is downgraded to v1's {"tag": "dog"}: identical, with
        # the deprecation headers the gateway adds to v1's answers on both sides
        r = self.get("/pets/pet")
        self.assert_primary(r)
        self.assertEqual(r.header("deprecation"), "@1782777600", r)
        g = self.wait_group("zoo", "getPet", 1)
        self.assertEqual(g["identical"], g["compared"], g)
        # a wrong value survives the adaptation, under v1's name for the field
        self.assert_primary(self.get("/pets/pet-bad"))
        g = self.wait_group("zoo", "getPet", 2)
        p = self.paths(g)
        self.assertIn(("body.tag", "value_changed"), p, g)
        self.assertEqual(p[("body.tag", "value_changed")]["sample"]["candidate"], '"cat"')
        # the candidate's copy of a request is upgraded to v2
        r = self.get("/pets", method="POST", data=b'{"name": "Rex", "tag": "dog"}',
                     headers=["Content-Type: application/json", "X-Request-Id: zoo-post-1"])
        self.assert_primary(r)
        got = self.candidate.wait_received("/pets")
        got = [g for g in got if g[2].get("x-request-id") == "zoo-post-1"]
        self.assertEqual(len(got), 1)
        self.assertEqual(json.loads(got[0][3]), {"name": "Rex", "category": "dog"})
        self.assertEqual(self.primary.received("/pets")[-1][3], b'{"name": "Rex", "tag": "dog"}')

    # --- outputs ---

    def test_metrics(self):
        self.assert_primary(self.get("/shop/renamed"))
        self.wait_group("shop", "renamedItem", 1)
        status, _, body = self.gw.admin("/metrics")
        self.assertEqual(status, 200)
        text = body.decode()
        types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
        for name, typ in (("versa_shadow_mirrored_total", "counter"),
                          ("versa_shadow_compared_total", "counter"),
                          ("versa_shadow_differing_total", "counter"),
                          ("versa_shadow_noise_total", "counter"),
                          ("versa_shadow_dropped_total", "counter"),
                          ("versa_shadow_candidate_errors_total", "counter"),
                          ("versa_shadow_duration_seconds", "histogram")):
            self.assertEqual(types.get(name), typ, name)
        labels = 'api="shop",version="v1",candidate="%s"' % self.candidate.url
        m = re.search(r"^versa_shadow_differing_total\{%s\} (\d+)$" % re.escape(labels), text,
                      re.M)
        self.assertIsNotNone(m, text)
        self.assertGreaterEqual(int(m.group(1)), 1)
        for side in ("primary", "candidate", "secondary"):
            self.assertRegex(text, r'versa_shadow_duration_seconds_count\{%s,side="%s"\} [1-9]'
                             % (re.escape(labels), side))
        self.assertRegex(text, r'versa_shadow_dropped_total\{[^}]*reason="queue_full"\} 0')

    def test_html_page(self):
        self.assert_primary(self.get("/shop/renamed"))
        self.wait_group("shop", "renamedItem", 1)
        status, headers, body = self.gw.admin("/shadow")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/html"), headers)
        page = body.decode()
        for text in ("renamedItem", "body.full_name", "body.name", "regression"):
            self.assertIn(text, page)

    def test_html_page_in_chromium(self):
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser is None:
            self.skipTest("chromium is not installed")
        self.assert_primary(self.get("/shop/renamed"))
        self.wait_group("shop", "renamedItem", 1)
        profile = tempfile.mkdtemp(prefix="versa-chromium-")
        try:
            p = subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                 "--dump-dom", "http://127.0.0.1:%d/shadow" % self.admin_port],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        dom = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace")[-2000:])
        for text in ("Shadow traffic", "renamedItem", "body.full_name", "body.name"):
            self.assertIn(text, dom)

    def test_diff_log_is_json_lines_rotated_by_size(self):
        for _ in range(12):  # each differing line is ~1.5 KB: several rotations of 8 KiB
            self.get("/shop/renamed")
        self.wait_group("shop", "renamedItem", 12)
        self.settle("shop", 0)
        names = [self.log_path] + ["%s.%d" % (self.log_path, i) for i in (1, 2)]
        self.assertTrue(os.path.exists(self.log_path + ".1"))
        self.assertFalse(os.path.exists(self.log_path + ".3"))  # keep: 2
        for name in names:
            if not os.path.exists(name):
                continue
            self.assertLessEqual(os.path.getsize(name), LOG_MAX, name)
            with open(name) as f:
                for text in f:
                    line = json.loads(text)
                    for key in ("time", "operation", "request_id", "request", "primary",
                                "candidate", "differences"):
                        self.assertIn(key, line)


class ShadowShutdown(ShadowCase):
    """SIGTERM with shadow exchanges in flight: a clean exit, nothing of the shadow state left
    behind (under AddressSanitizer, no leak report mentions it)."""

    @classmethod
    def prepare(cls):
        cls.primary = ShadowUpstream("primary")
        cls.candidate = ShadowUpstream("candidate")
        cls._closers += [cls.primary, cls.candidate]

    @classmethod
    def apis(cls):
        return [{"name": "shop", "prefix": "/shop", "versions": {"v1": {"upstream": cls.primary.url}},
                 "shadow": [{"version": "v1", "candidate": cls.candidate.url,
                             "timeout_ms": 60000}]}]

    def test_sigterm_with_shadows_in_flight(self):
        gw = self.gw
        for i in range(3):
            r = self.request("/shop/slow?ms=30000&i=%d" % i)
            self.assertEqual(r.status, 200, r)
        self.candidate.wait_received("/shop/slow", 3)
        status, _, body = gw.admin("/shadow/report")
        self.assertEqual(json.loads(body)["shadows"][0]["inflight"], 3)
        started = time.monotonic()
        rc = gw.stop()
        # the class gets a fresh gateway for its own tear-down
        type(self).gw = self.sandbox.versa(self.config(), "versa-after").start()
        self.assertLess(time.monotonic() - started, 30, "the drain waited for the shadows")
        err = gw.stderr()
        leaks = err[err.find("LeakSanitizer"):] if "LeakSanitizer" in err else ""
        self.assertNotRegex(leaks, r"gateway/shadow/\w+\.c|gw_{1,2}shadow",
                            "shadow state leaked:\n" + leaks[-4000:])
        if not leaks:
            self.assertEqual(rc, 0, gw.diagnostics())


class ShadowConfigErrors(ShadowCase):
    """A bad `shadow` entry refuses to start, with the file:line:col of the offending key."""

    @classmethod
    def prepare(cls):
        cls.primary = ShadowUpstream("primary")
        cls._closers.append(cls.primary)

    @classmethod
    def apis(cls):
        return [{"name": "shop", "prefix": "/shop",
                 "versions": {"v1": {"upstream": cls.primary.url}}}]

    def test_check_reports_position(self):
        cfg = self.config()
        cfg["apis"][0]["shadow"] = [{"version": "v1", "candidate": self.primary.url,
                                     "sample": 1.5}]
        path = os.path.join(self.tmp, "bad.yaml")
        text = to_yaml(cfg) + "\n"
        with open(path, "w") as f:
            f.write(text)
        line = next(i for i, t in enumerate(text.split("\n"), 1) if "sample:" in t)
        col = text.split("\n")[line - 1].index("1.5") + 1
        p = subprocess.run([versa_bin(), "serve", "-c", path, "--check"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("bad.yaml:%d:%d: apis[0].shadow[0].sample: expected a number between 0 "
                      "and 1" % (line, col), p.stderr.decode())


if __name__ == "__main__":
    tap.main()
