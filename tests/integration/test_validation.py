#!/usr/bin/env python3
"""Request validation against the spec (`validate: {request: enforce|report}`), with real
upstreams: path, query (form arrays exploded and comma-separated, deepObject), header and cookie
parameters typed by their schemas; Content-Type against the declared media types (415); a
required body missing; JSON bodies against the operation's schema (400 problem+json listing each
violation with its pointer, keyword, schema location and sentence; readOnly refused in requests);
x-www-form-urlencoded bodies; invalid JSON (line and column); a 100-level deep body; a 10 MB body
with one error at its end; report mode forwarding and counting
(versa_contract_violations_total); responses (status declared, headers, body) with enforce
turning a violating answer into a 502 and report counting it; and the config errors with
file:line:col."""
import json
import os
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import GatewayCase, problem_of, to_yaml, versa_bin  # noqa: E402

SPEC = """openapi: 3.0.3
info: {title: shop, version: '2'}
paths:
  /items/{itemId}:
    parameters:
      - {name: itemId, in: path, required: true, schema: {type: integer, minimum: 1}}
    get:
      operationId: getItem
      parameters:
        - {name: fields, in: query, explode: false,
           schema: {type: array, items: {type: string, enum: [id, name, price]}}}
        - {name: X-Rate, in: header, schema: {type: integer, maximum: 10}}
        - {name: session, in: cookie, schema: {type: string, minLength: 3}}
      responses: {'200': {description: ok}}
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: tag, in: query, schema: {type: array, items: {type: string, maxLength: 5}}}
        - {name: filter, in: query, style: deepObject,
           schema: {type: object, additionalProperties: false,
                    properties: {min: {type: number}, max: {type: number}}}}
      responses: {'200': {description: ok}}
    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Order'}}
          application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/Form'}}
      responses: {'200': {description: ok}}
  /deep:
    post:
      operationId: deep
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/Node'}}
      responses: {'200': {description: ok}}
  /bulk:
    post:
      operationId: bulk
      requestBody:
        content:
          application/json:
            schema: {type: array, items: {$ref: '#/components/schemas/Item'}}
      responses: {'200': {description: ok}}
  /answer/{n}:
    get:
      operationId: answerGood
      parameters: [{name: n, in: path, required: true, schema: {type: integer}}]
      responses:
        '200':
          description: the echo
          content:
            application/json:
              schema:
                type: object
                required: [server, method]
                properties: {method: {type: string, enum: [GET]}, id: {type: integer, writeOnly: true}}
  /wrong/{n}:
    get:
      operationId: answerWrong
      parameters: [{name: n, in: path, required: true, schema: {type: integer}}]
      responses:
        '200':
          description: not what the upstream sends
          headers:
            X-Trace: {required: true, schema: {type: string}}
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {server: {type: integer}}
  /status/{code}:
    get:
      operationId: answerStatus
      parameters: [{name: code, in: path, required: true, schema: {type: integer}}]
      responses:
        '200': {description: ok}
components:
  schemas:
    Order:
      type: object
      required: [items]
      additionalProperties: false
      properties:
        id: {type: integer, readOnly: true}
        items: {type: array, items: {$ref: '#/components/schemas/Item'}}
        note: {type: string, nullable: true}
    Item:
      type: object
      required: [sku, price]
      properties:
        sku: {type: string, pattern: '^[A-Z]{3}-[0-9]+$'}
        price: {type: number, minimum: 0}
    Form:
      type: object
      required: [qty]
      properties:
        qty: {type: integer, minimum: 1}
        name: {type: string}
    Node:
      type: object
      properties:
        v: {type: integer}
        child: {$ref: '#/components/schemas/Node'}
"""

GOOD_ORDER = {"items": [{"sku": "ABC-1", "price": 2.5}], "note": None}


class Validation(GatewayCase):

    @classmethod
    def prepare(cls):
        # an API with a prefix routes its spec's paths under it: one spec per prefix
        cls.specs = {}
        for name in ("shop", "watch"):
            cls.specs[name] = os.path.join(cls.tmp, name + ".yaml")
            with open(cls.specs[name], "w") as f:
                f.write(SPEC.replace("\n  /", "\n  /%s/" % name))

    @classmethod
    def apis(cls):
        def api(name, mode):
            return {"name": name, "prefix": "/" + name,
                    "versions": {"v2": {"upstream": cls.up["v2"].url, "spec": cls.specs[name]}},
                    "validate": {"request": mode, "response": mode}}
        return [api("shop", "enforce"), api("watch", "report")]

    @classmethod
    def config(cls):
        return cls.sandbox.config(cls.apis(), limits={"max_request_body": "16MiB"})

    def post(self, path, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = ["Content-Type: " + (ctype or "")]  # "Content-Type:" sends none
        return self.request(path, method="POST", data=data, headers=headers)

    def violations(self, resp, status=400):
        doc = problem_of(self, resp, status)
        self.assertIn("errors", doc, doc)
        return doc, {(e["pointer"], e["keyword"]): e for e in doc["errors"]}

    def test_valid_requests_reach_the_upstream(self):
        r, e = self.echo("/shop/items?limit=5&tag=a&tag=b&filter%5Bmin%5D=1&filter%5Bmax%5D=9.5")
        self.assertEqual(e["path"], "/shop/items")
        r, e = self.echo("/shop/items/7?fields=id,name",
                         headers=["X-Rate: 3", "Cookie: session=abcd; other=1"])
        r = self.post("/shop/items", GOOD_ORDER)
        self.assertEqual(r.status, 200, r)
        r = self.post("/shop/items", b"qty=2&name=x+y", "application/x-www-form-urlencoded")
        self.assertEqual(r.status, 200, r)

    def test_parameters(self):
        doc, errs = self.violations(self.request(
            "/shop/items?tag=toolong&filter%5Bmin%5D=x&filter%5Bz%5D=1"))
        self.assertEqual(doc["type"], "https://versa.dev/problems/contract-violation")
        self.assertIn(("/query/limit", "required"), errs)
        self.assertIn(("/query/tag/0", "maxLength"), errs)
        self.assertIn(("/query/filter/min", "type"), errs)
        self.assertIn(("/query/filter/z", "additionalProperties"), errs)
        doc, errs = self.violations(self.request("/shop/items?limit=500"))
        e = errs[("/query/limit", "maximum")]
        self.assertEqual(e["message"], "must be <= 100")
        self.assertEqual(e["schema"], "#/paths/~1shop~1items/get/parameters/0/schema/maximum")
        doc, errs = self.violations(self.request(
            "/shop/items/0?fields=id,cost", headers=["X-Rate: 11", "Cookie: session=ab"]))
        self.assertIn(("/path/itemId", "minimum"), errs)
        self.assertIn(("/query/fields/1", "enum"), errs)
        self.assertIn(("/header/X-Rate", "maximum"), errs)
        self.assertIn(("/cookie/session", "minLength"), errs)
        doc, errs = self.violations(self.request("/shop/items/abc"))
        self.assertEqual(errs[("/path/itemId", "type")]["message"], "must be integer")

    def test_body_violations_are_listed(self):
        order = {"id": 3, "items": [{"sku": "ABC-1", "price": 1}, {"sku": "bad", "price": -1},
                                    {"price": "x"}], "extra": 1}
        doc, errs = self.violations(self.post("/shop/items", order))
        self.assertIn(("/body/id", "readOnly"), errs)
        self.assertIn(("/body/items/1/sku", "pattern"), errs)
        self.assertIn(("/body/items/1/price", "minimum"), errs)
        self.assertIn(("/body/items/2", "required"), errs)
        self.assertIn(("/body/items/2/price", "type"), errs)
        self.assertIn(("/body/extra", "additionalProperties"), errs)
        e = errs[("/body/items/1/price", "minimum")]
        self.assertEqual(e["schema"], "#/components/schemas/Item/properties/price/minimum")
        self.assertEqual(e["message"], "must be >= 0")
        self.assertEqual(doc["errorCount"], len(doc["errors"]))
        self.assertIn("createOrder", doc["detail"])
        self.assertTrue(doc["instance"].startswith("urn:request:"))

    def test_errors_are_capped(self):
        items = [{"sku": "x", "price": -1} for _ in range(50)]
        doc, errs = self.violations(self.post("/shop/bulk", items))
        self.assertEqual(len(doc["errors"]), 20)
        self.assertGreater(doc["errorCount"], 20)

    def test_form_body(self):
        doc, errs = self.violations(self.post("/shop/items", b"qty=0&name=a",
                                              "application/x-www-form-urlencoded"))
        self.assertIn(("/body/qty", "minimum"), errs)
        doc, errs = self.violations(self.post("/shop/items", b"name=a",
                                              "application/x-www-form-urlencoded"))
        self.assertIn(("/body", "required"), errs)

    def test_content_type_and_missing_body(self):
        doc, errs = self.violations(self.post("/shop/items", b"<x/>", "application/xml"), 415)
        self.assertEqual(doc["type"], "https://versa.dev/problems/unsupported-media-type")
        self.assertIn("application/json", errs[("/header/content-type", "content-type")]["message"])
        doc, errs = self.violations(self.post("/shop/items", b"{}", None), 415)
        doc, errs = self.violations(self.request("/shop/items", method="POST"))
        self.assertEqual(errs[("/body", "required")]["message"], "the request body is required")
        # a JSON media type with parameters and a +json suffix is still JSON
        r = self.post("/shop/items", GOOD_ORDER, "application/json; charset=utf-8")
        self.assertEqual(r.status, 200, r)

    def test_invalid_json_has_line_and_column(self):
        doc, errs = self.violations(self.post("/shop/items", b'{"items": [\n  {"sku": }]}'))
        e = errs[("/body", "json")]
        self.assertIn("line 2, column 11", e["message"])

    def test_deep_body(self):
        node = {"v": 1}
        for _ in range(100):
            node = {"v": 1, "child": node}
        r = self.post("/shop/deep", node)
        self.assertEqual(r.status, 200, r)
        bad = {"v": "x"}
        for _ in range(100):
            bad = {"child": bad}
        doc, errs = self.violations(self.post("/shop/deep", bad))
        (pointer, kw), = errs.keys()
        self.assertEqual(kw, "type")
        self.assertEqual(pointer, "/body" + "/child" * 100 + "/v")

    def test_ten_megabytes_with_one_error_at_the_end(self):
        items = [{"sku": "ABC-%d" % i, "price": i} for i in range(260000)]
        items[-1]["price"] = -5
        data = json.dumps(items).encode()
        self.assertGreater(len(data), 10 * 1000 * 1000)
        doc, errs = self.violations(self.post("/shop/bulk", data))
        self.assertEqual(list(errs), [("/body/%d/price" % (len(items) - 1), "minimum")])

    def test_report_mode_forwards_and_counts(self):
        r, e = self.echo("/watch/items?limit=0")
        self.assertEqual(e["path"], "/watch/items")
        r = self.post("/watch/items", {"items": [{"sku": "bad", "price": 1}]})
        self.assertEqual(r.status, 200, r)
        status, _, body = self.gw.admin("/metrics")
        text = body.decode()
        self.assertIn('versa_contract_violations_total{api="watch",version="v2",'
                      'operation="listItems",side="request",keyword="minimum"} 1', text)
        self.assertIn('operation="createOrder",side="request",keyword="pattern"} 1', text)
        self.assertIn("versa/validate", self.gw.stderr())


    # ---- responses: the upstream's answers against the spec ----

    def test_conforming_answer_passes(self):
        r, e = self.echo("/shop/answer/1")
        self.assertEqual(e["path"], "/shop/answer/1")

    def test_enforce_turns_violations_into_502(self):
        doc, errs = self.violations(self.request("/shop/wrong/1"), 502)
        self.assertEqual(doc["type"], "https://versa.dev/problems/upstream-contract-violation")
        self.assertIn(("/body", "required"), errs)
        self.assertIn(("/body/server", "type"), errs)
        self.assertIn(("/header/X-Trace", "required"), errs)
        self.assertEqual(errs[("/body/server", "type")]["schema"],
                         "#/paths/~1shop~1wrong~1{n}/get/responses/200/content/"
                         "application~1json/schema/properties/server/type")
        doc, errs = self.violations(self.request("/shop/status/418"), 502)
        self.assertIn("status 418 is not declared", errs[("/status", "status")]["message"])
        # HEAD and HTTP/2 get the same treatment
        r = self.request("/shop/wrong/1", proto="h2c")
        self.assertEqual(r.status, 502, r)

    def test_report_forwards_and_counts_responses(self):
        r, e = self.echo("/watch/wrong/1")
        r = self.request("/watch/status/418")
        self.assertEqual(r.status, 418, r)
        status, _, body = self.gw.admin("/metrics")
        text = body.decode()
        self.assertIn('operation="answerWrong",side="response",keyword="required"} 2', text)
        self.assertIn('operation="answerStatus",side="response",keyword="status"} 1', text)
        status, headers, body = self.gw.admin("/contract/report")
        self.assertEqual(status, 200)
        ops = {(o["api"], o["operation"]): o for o in json.loads(body)["operations"]}
        wrong = ops[("watch", "answerWrong")]
        self.assertEqual(wrong["version"], "v2")
        self.assertIn({"side": "response", "keyword": "required", "count": 2},
                      wrong["violations"])


class ValidationConfig(GatewayCase):
    """Config errors point at the key (file:line:col)."""

    def test_bad_mode_and_no_spec(self):
        for validate, msg in [
            ({"request": "strict"}, "validate.request: unknown mode 'strict' (enforce, report or off)"),
            ({"response": "report", "sample": 2}, "validate.sample: expected a fraction"),
            ({"request": "enforce", "bogus": 1}, "bogus"),
            ({"request": "enforce"}, "validation needs a spec"),
        ]:
            cfg = self.sandbox.config([self.sandbox.pets_api(validate=validate)])
            path = os.path.join(self.tmp, "bad.yaml")
            with open(path, "w") as f:
                f.write(to_yaml(cfg))
            p = subprocess.run([versa_bin(), "serve", "-c", path, "--check"],
                               capture_output=True, timeout=60)
            self.assertNotEqual(p.returncode, 0)
            err = p.stderr.decode()
            self.assertIn(msg, err)
            self.assertRegex(err, r"bad\.yaml:\d+:\d+")


if __name__ == "__main__":
    tap.main()
