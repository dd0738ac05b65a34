#!/usr/bin/env python3
"""Shadowing with `validate: true`: the diff worker holds the candidate's answers to the
candidate's spec, against real upstreams that answer off-contract (a required field renamed
away, a number above its maximum, text where JSON is declared, JSON that does not parse),
alongside the diffs: /shadow/report's "validate" counts and "violations" by operation, keyword
and schema location, the /shadow page, the metrics, and the config error with file:line:col."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
from harness import to_yaml, versa_bin, wait_until  # noqa: E402
from shadow_upstreams import ShadowUpstream  # noqa: E402
from test_shadow import SETTLE_S, ShadowCase  # noqa: E402

SPEC = """openapi: 3.0.3
info: {title: Shop, version: "1"}
paths:
  /shop/renamed:
    get:
      operationId: renamedItem
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Item"}
  /shop/same:
    get:
      operationId: sameItem
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties: {price: {type: number, maximum: 10}}
  /shop/text:
    get:
      operationId: textItem
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
  /shop/invalid-json:
    get:
      operationId: brokenItem
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
components:
  schemas:
    Item:
      type: object
      required: [id, name]
"""


class ShadowValidate(ShadowCase):

    @classmethod
    def prepare(cls):
        cls.primary = ShadowUpstream("primary")
        cls.candidate = ShadowUpstream("candidate")
        cls._closers += [cls.primary, cls.candidate]
        cls.spec_path = os.path.join(cls.tmp, "shop.yaml")
        with open(cls.spec_path, "w") as f:
            f.write(SPEC)

    @classmethod
    def apis(cls):
        return [{"name": "shop", "versions": {"v1": {"upstream": cls.primary.url,
                                                     "spec": cls.spec_path}},
                 "shadow": [{"version": "v1", "candidate": cls.candidate.url,
                             "validate": True}]}]

    def entry(self):
        status, _, body = self.gw.admin("/shadow/report")
        self.assertEqual(status, 200)
        return json.loads(body)["shadows"][0]

    def settle(self, checked):
        def done():
            e = self.entry()
            return e if (e["validate"]["checked"] >= checked and e["inflight"] == 0 and
                         e["queued"] == 0) else None
        return wait_until(done, SETTLE_S, "%d candidate answers checked" % checked)

    def test_violations_alongside_the_diffs(self):
        for path in ("/shop/renamed", "/shop/renamed", "/shop/same", "/shop/text",
                     "/shop/invalid-json"):
            r = self.request(path)
            self.assertEqual(r.status, 200, r)  # the client gets the primary's answer
        e = self.settle(5)
        v = {(x["operation"], x["keyword"]): x for x in e["violations"]}
        req = v[("renamedItem", "required")]
        self.assertEqual(req["count"], 2)
        self.assertEqual(req["schema"], "#/components/schemas/Item/required/1")  # "name"
        self.assertEqual(req["sample"]["pointer"], "/body")
        self.assertRegex(req["sample"]["request_id"], r"^[0-9a-f]+$")
        self.assertEqual(v[("sameItem", "maximum")]["sample"]["pointer"], "/body/price")
        self.assertIn(("textItem", "content-type"), v)
        self.assertIsNone(v[("brokenItem", "json")]["schema"])
        self.assertEqual(e["violations"][0]["count"], 2)  # most frequent first
        val = e["validate"]
        self.assertEqual(val["spec"], self.spec_path)
        self.assertGreaterEqual(val["violating"], 5)
        # the diffs are reported as before
        groups = {g["group"]: g for g in e["report"]["groups"]}
        self.assertGreaterEqual(groups["renamedItem"]["differing"], 2)
        status, _, body = self.gw.admin("/metrics")
        text = body.decode()
        self.assertRegex(text, r'versa_shadow_validated_total\{api="shop",version="v1",'
                               r'candidate="[^"]+"\} [1-9]')
        self.assertRegex(text, r'versa_shadow_violating_total\{api="shop"[^}]*\} [1-9]')
        status, headers, page = self.gw.admin("/shadow")
        page = page.decode()
        for text in ("Contract violations", "#/components/schemas/Item/required",
                     "answers violating the spec"):
            self.assertIn(text, page)


class ShadowValidateConfig(ShadowCase):
    """validate: true needs the candidate's spec; the error points at the key."""

    @classmethod
    def prepare(cls):
        cls.primary = ShadowUpstream("primary")
        cls._closers += [cls.primary]

    @classmethod
    def apis(cls):
        return [{"name": "shop", "prefix": "/shop",
                 "versions": {"v1": {"upstream": cls.primary.url}}}]

    def test_validate_needs_a_spec(self):
        for value, msg in [(True, "validation needs the candidate's spec: version v1 names none"),
                           ("yes please", "expected true or false")]:
            cfg = self.config()
            cfg["apis"][0]["shadow"] = [{"version": "v1", "candidate": self.primary.url,
                                         "validate": value}]
            path = os.path.join(self.tmp, "bad.yaml")
            with open(path, "w") as f:
                f.write(to_yaml(cfg))
            p = subprocess.run([versa_bin(), "serve", "-c", path, "--check"],
                               capture_output=True, timeout=60)
            self.assertNotEqual(p.returncode, 0)
            err = p.stderr.decode()
            self.assertIn(msg, err)
            self.assertRegex(err, r"bad\.yaml:\d+:\d+: apis\[0\]\.shadow\[0\]\.validate")


if __name__ == "__main__":
    tap.main()
