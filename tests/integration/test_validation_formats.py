#!/usr/bin/env python3
"""The schema engine's 2020-12 features in the gateway (`validate.formats`): an OpenAPI 3.1 API
whose request bodies use `format` (asserted for one API, annotated for the other),
`unevaluatedProperties` and ECMA-262 patterns (look-ahead, \\p{...}); and the key's config error
with file:line:col."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import GatewayCase, problem_of, to_yaml, versa_bin  # noqa: E402

SPEC = """openapi: 3.1.0
info: {title: events, version: '2'}
paths:
  /PREFIX/events:
    post:
      operationId: createEvent
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [at, contact]
              allOf: [{properties: {id: {type: string, format: uuid}}}]
              properties:
                at: {type: string, format: date-time}
                contact: {type: string, format: email}
                code: {type: string, pattern: '^(?!XX)\\p{Lu}{2}\\d+$'}
              unevaluatedProperties: false
      responses: {'200': {description: ok}}
"""

GOOD = {"id": "123e4567-e89b-12d3-a456-426614174000", "at": "2024-02-29T10:00:00Z",
        "contact": "ada@example.org", "code": "\u00c9B12"}
BAD_FORMATS = {"id": "nope", "at": "2023-02-29T10:00:00Z", "contact": "ada@", "code": "AB1"}


class ValidationFormats(GatewayCase):

    @classmethod
    def prepare(cls):
        cls.specs = {}
        for name in ("strict", "loose"):
            cls.specs[name] = os.path.join(cls.tmp, name + ".yaml")
            with open(cls.specs[name], "w") as f:
                f.write(SPEC.replace("PREFIX", name))

    @classmethod
    def apis(cls):
        def api(name, formats):
            return {"name": name, "prefix": "/" + name,
                    "versions": {"v2": {"upstream": cls.up["v2"].url, "spec": cls.specs[name]}},
                    "validate": {"request": "enforce", "formats": formats}}
        return [api("strict", "assert"), api("loose", "annotate")]

    def post(self, path, body):
        return self.request(path, method="POST", data=json.dumps(body).encode(),
                            headers=["Content-Type: application/json"])

    def test_valid_body_passes_both(self):
        for prefix in ("strict", "loose"):
            r = self.post("/%s/events" % prefix, GOOD)
            self.assertEqual(r.status, 200, r)

    def test_formats_asserted_or_annotated(self):
        doc = problem_of(self, self.post("/strict/events", BAD_FORMATS), 400)
        errs = {(e["pointer"], e["keyword"]) for e in doc["errors"]}
        self.assertEqual(errs, {("/body/id", "format"), ("/body/at", "format"),
                                ("/body/contact", "format")}, doc)
        r = self.post("/loose/events", BAD_FORMATS)
        self.assertEqual(r.status, 200, r)

    def test_unevaluated_properties_and_patterns(self):
        body = dict(GOOD, extra=1, code="XX12")
        doc = problem_of(self, self.post("/loose/events", body), 400)
        errs = {(e["pointer"], e["keyword"]) for e in doc["errors"]}
        self.assertEqual(errs, {("/body/extra", "unevaluatedProperties"),
                                ("/body/code", "pattern")}, doc)
        doc = problem_of(self, self.post("/loose/events", dict(GOOD, code="ab12")), 400)
        self.assertEqual(doc["errors"][0]["keyword"], "pattern")

    def test_bad_formats_value(self):
        cfg = self.sandbox.config([self.sandbox.pets_api(
            validate={"request": "enforce", "formats": "strict"})])
        path = os.path.join(self.tmp, "bad.yaml")
        with open(path, "w") as f:
            f.write(to_yaml(cfg))
        p = subprocess.run([versa_bin(), "serve", "-c", path, "--check"],
                           capture_output=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        err = p.stderr.decode()
        self.assertIn("validate.formats: unknown value 'strict' (assert or annotate)", err)
        self.assertRegex(err, r"bad\.yaml:\d+:\d+")


if __name__ == "__main__":
    tap.main()
