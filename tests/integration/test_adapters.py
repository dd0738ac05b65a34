#!/usr/bin/env python3
"""Version adapters end to end: pets v1 and v2 have no upstream, v3 has one; v1 and v2 clients
get their own shapes (validated against the v1 and v2 specs' schemas), requests are upgraded on
the way up, deprecation headers are sent, and bodies an adapter can't take whole fail cleanly."""
import base64
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from adapted_pets import (FIX, PETS, AdaptedPetsCase, LoopbackServer, QuietHandler,  # noqa: E402
                          adapted_pets_api)
from harness import (GatewayCase, RefusingPort, free_port, problem_of, to_yaml,  # noqa: E402
                     versa_bin, wait_until)

# A v3 pet as an upstream might write it: spacing, and number text json.dumps would not produce
# (12.50, an integer beyond 64 bits, an exponent) in fields no change touches.
EXACT_PET = (b'{"id": "p1", "name": "Rex", "category": "dog", "owner": null, "price": 1250, '
             b'"status": "available", "weight": 12.50, "chip": 123456789012345678901234567890, '
             b'"ratio": 1.0e-3}')
BROKEN_JSON = b'{"id": "p1", "name": "Rex", "price": 12'


class V3Upstream(LoopbackServer):
    """The newest pets service, speaking only v3; remembers the last request it received."""

    def __init__(self):
        outer = self

        class Handler(QuietHandler):
            def reply(self, status, body=None, ctype="application/json", headers=(), raw=None):
                data = raw if raw is not None else (
                    json.dumps(body).encode() if body is not None else b"")
                self.send_response(status)
                if data or status != 204:
                    self.send_header("Content-Type", ctype)
                for k, v in headers:
                    self.send_header(k, v)
                if status != 204:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    if self.command != "HEAD":
                        self.wfile.write(data)
                except ConnectionError:  # the gateway hung up on a body too large to adapt
                    pass

            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                outer.last = {"method": self.command, "path": self.path,
                              "headers": {k.lower(): v for k, v in self.headers.items()},
                              "body": json.loads(body) if body else None}
                path, _, query = self.path.partition("?")
                if path == "/pets" and self.command == "GET" and query == "exact=1":
                    self.reply(200, raw=b'{"data": [' + EXACT_PET + b'], "next": null}')
                elif path == "/pets" and self.command == "GET" and query.startswith("many="):
                    many = [dict(PETS[i % 2], id="p%d" % i) for i in range(int(query[5:]))]
                    self.reply(200, {"data": many, "next": None})
                elif path == "/pets" and self.command == "GET":
                    self.reply(200, {"data": PETS, "next": "cursor-2"},
                               headers=[("X-Total-Count", "2")])
                elif path == "/pets" and self.command == "POST":
                    pet = dict(outer.last["body"], id="p9")
                    self.reply(201, pet)
                elif path == "/pets/p1" and self.command == "GET":
                    self.reply(200, PETS[0])
                elif path == "/pets/p1" and self.command == "DELETE":
                    self.reply(204)
                elif path == "/pets/huge":
                    self.reply(200, dict(PETS[0], name="x" * 300000))
                elif path == "/pets/zipped":
                    self.reply(200, raw=gzip.compress(json.dumps(PETS[0]).encode()),
                               headers=[("Content-Encoding", "gzip")])
                elif path == "/pets/exact":
                    self.reply(200, raw=EXACT_PET)
                elif path == "/pets/ranged":  # a static file server's answer, ranges honoured
                    data = json.dumps(PETS[0]).encode()
                    validator = [("ETag", '"v3-p1"'), ("Accept-Ranges", "bytes"),
                                 ("Content-Digest", "sha-256=:%s:" % base64.b64encode(
                                     hashlib.sha256(data).digest()).decode()),
                                 ("Content-MD5", base64.b64encode(
                                     hashlib.md5(data).digest()).decode())]
                    m = re.match(r"bytes=(\d+)-(\d+)$", self.headers.get("Range") or "")
                    if m:
                        lo, hi = int(m.group(1)), int(m.group(2))
                        self.reply(206, raw=data[lo:hi + 1], headers=validator + [
                            ("Content-Range", "bytes %d-%d/%d" % (lo, hi, len(data)))])
                    else:
                        self.reply(200, raw=data, headers=validator)
                elif path == "/pets/partial":  # a part nobody asked for
                    self.reply(206, raw=b'{"id": "p1", "na',
                               headers=[("Content-Range", "bytes 0-15/60")])
                elif path == "/pets/broken":
                    self.reply(200, raw=BROKEN_JSON)
                elif path == "/pets/text":
                    self.reply(200, raw=b"plain words", ctype="text/plain")
                elif path == "/pets/p404":
                    self.reply(404, {"title": "no such pet", "status": 404},
                               ctype="application/problem+json")
                else:
                    self.reply(200, PETS[1])

            do_GET = do_HEAD = do_POST = do_DELETE = do_PUT = handle_any

        self.last = None
        super().__init__(Handler)


# --- a small validator for the JSON Schema subset the fixtures use ---------------------------

def load_spec(name):
    """The fixtures' specs are JSON (valid OpenAPI YAML too), so the test reads them without a
    YAML parser."""
    with open(os.path.join(FIX, name)) as f:
        return json.load(f)


def validate(spec, schema, value, where="$"):
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return validate(spec, spec["components"]["schemas"][name], value, where)
    if value is None:
        assert schema.get("nullable"), "%s: null not allowed" % where
        return
    t = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}
    if t:
        assert isinstance(value, types[t]) and not (t == "integer" and isinstance(value, bool)), \
            "%s: %r is not %s" % (where, value, t)
    if "enum" in schema:
        assert value in schema["enum"], "%s: %r not in %r" % (where, value, schema["enum"])
    if "pattern" in schema:
        assert re.search(schema["pattern"], value), "%s: %r !~ %s" % (where, value, schema["pattern"])
    if t == "object":
        for k in schema.get("required", []):
            assert k in value, "%s: missing %s" % (where, k)
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(props)
            assert not extra, "%s: unexpected %s" % (where, sorted(extra))
        for k, v in value.items():
            if k in props:
                validate(spec, props[k], v, "%s.%s" % (where, k))
    if t == "array":
        for i, v in enumerate(value):
            validate(spec, schema["items"], v, "%s[%d]" % (where, i))


def response_schema(spec, path, method, status):
    media = spec["paths"][path][method]["responses"][str(status)]["content"]
    return media["application/json"]["schema"]


class Adapters(AdaptedPetsCase):
    V3 = V3Upstream
    MAX_ADAPTED_BODY = "64KiB"

    @classmethod
    def prepare(cls):
        super().prepare()
        cls.specs = {v: load_spec("%s.json" % v) for v in ("v1", "v2", "v3")}

    def get(self, path, proto="h1", **kw):
        r = self.request(path, proto=proto, **kw)
        self.assertEqual(r.rc, 0, r)
        return r

    def test_v1_list_is_downgraded_twice(self):
        for proto in ("h1", "h2c", "h2"):
            with self.subTest(proto=proto):
                r = self.get("/v1/pets", proto)
                self.assertEqual(r.status, 200, r)
                body = r.json()
                self.assertEqual(body, [
                    {"id": "p1", "name": "Rex", "tag": "dog", "price": "12.50", "status": "active"},
                    {"id": "p2", "name": "Tom", "tag": "cat", "price": "0.05", "status": "inactive"},
                ])
                validate(self.specs["v1"], response_schema(self.specs["v1"], "/pets", "get", 200),
                         body)
                self.assertEqual(r.header("x-total"), "2", r)
                self.assertIsNone(r.header("x-total-count"), r)
                self.assertEqual(r.header("api-version"), "v1", r)
                self.assertEqual(int(r.header("content-length")), len(r.body), r)
                self.assertEqual(self.v3.last["path"], "/pets")

    def test_v2_list_is_unwrapped(self):
        r = self.get("/v2/pets")
        body = r.json()
        self.assertEqual(body, PETS)
        validate(self.specs["v2"], response_schema(self.specs["v2"], "/pets", "get", 200), body)
        self.assertEqual(r.header("x-total-count"), "2", r)

    def test_v3_is_untouched(self):
        r = self.get("/pets")
        self.assertEqual(r.json(), {"data": PETS, "next": "cursor-2"})

    def test_v1_request_is_upgraded(self):
        r = self.get("/v1/pets", method="POST",
                     headers=["Content-Type: application/json", "X-Total: 7"],
                     data=json.dumps({"name": "Rex", "tag": "dog", "price": "3.10",
                                      "status": "inactive"}).encode())
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.v3.last["body"], {"name": "Rex", "category": "dog", "owner": None,
                                                "price": 310, "status": "sold"})
        self.assertEqual(self.v3.last["headers"].get("x-total-count"), "7")
        self.assertEqual(self.v3.last["headers"].get("accept-encoding"), "identity")
        body = r.json()
        self.assertEqual(body, {"id": "p9", "name": "Rex", "tag": "dog", "price": "3.10",
                                "status": "inactive"})

    def test_invalid_json_request_is_400(self):
        self.v3.last = None
        r = self.get("/v1/pets", method="POST", headers=["Content-Type: application/json"],
                     data=b"{not json")
        doc = problem_of(self, r, 400)
        self.assertRegex(doc["detail"],
                         r"^the request body is not valid JSON: .+ \(line 1, column 2\)$", doc)
        r = self.get("/v1/pets", method="POST", headers=["Content-Type: application/json"],
                     data=b'{"name": "Rex",\n  "tag": dog}')
        doc = problem_of(self, r, 400)
        self.assertRegex(doc["detail"], r"\(line 2, column 10\)$", doc)
        self.assertIsNone(self.v3.last, "an invalid body reached the upstream")

    def test_untouched_numbers_keep_their_text(self):
        # through the v2 -> v1 schema steps: the fields they change are written anew, the
        # others keep the upstream's bytes
        r = self.get("/v1/pets/exact")
        self.assertEqual(r.status, 200, r)
        for text in (b'"weight":12.50', b'"chip":123456789012345678901234567890',
                     b'"ratio":1.0e-3', b'"price":"12.50"', b'"tag":"dog"'):
            self.assertIn(text, r.body, r)
        self.assertEqual(r.json(), {"id": "p1", "name": "Rex", "tag": "dog", "price": "12.50",
                                    "status": "active", "weight": 12.5,
                                    "chip": 123456789012345678901234567890, "ratio": 0.001})
        self.assertEqual(int(r.header("content-length")), len(r.body), r)
        # through the envelope only (v3 -> v2): the pet itself is copied byte for byte but for
        # the spacing the writer drops
        r = self.get("/v2/pets?exact=1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, b"[" + EXACT_PET.replace(b": ", b":").replace(b", ", b",") + b"]",
                         r)

    def test_large_list_is_downgraded(self):
        # ~45 KB: the document and the written body span several of the gateway's memory blocks
        r = self.get("/v1/pets?many=400")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(len(body), 400)
        self.assertEqual(body[399], {"id": "p399", "name": "Tom", "tag": "cat", "price": "0.05",
                                     "status": "inactive"})
        self.assertEqual(body[0]["price"], "12.50")
        self.assertEqual(int(r.header("content-length")), len(r.body), r)

    def test_invalid_json_response_passes_through(self):
        for path in ("/v1/pets/broken", "/v2/pets/broken"):
            with self.subTest(path=path):
                r = self.get(path)
                self.assertEqual((r.status, r.body), (200, BROKEN_JSON), r)
                self.assertEqual(int(r.header("content-length")), len(BROKEN_JSON), r)
        # the status and headers of an adapted route are still adapted
        self.assertEqual(self.get("/v1/pets/broken").header("deprecation"), "@1782777600")

    def test_status_mapping(self):
        r = self.get("/v1/pets/p1", method="DELETE")
        self.assertEqual(r.status, 200, r)
        r = self.get("/v3/pets/p1", method="DELETE")
        self.assertEqual(r.status, 204, r)

    def test_deprecation_headers(self):
        r = self.get("/v1/pets/p1")
        self.assertEqual(r.json(), {"id": "p1", "name": "Rex", "tag": "dog", "price": "12.50",
                                    "status": "active"})
        self.assertEqual(r.header("deprecation"), "@1782777600", r)
        self.assertEqual(r.header("sunset"), "Sat, 31 Jan 2099 00:00:00 GMT", r)
        self.assertIn('rel="deprecation"', r.header("link") or "", r)
        self.assertIsNone(self.get("/v2/pets/p1").header("deprecation"))

    def test_errors_not_adapted(self):
        r = self.get("/v1/pets/p404")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json(), {"title": "no such pet", "status": 404})

    def test_non_json_passes_through(self):
        r = self.get("/v1/pets/text")
        self.assertEqual((r.status, r.body), (200, b"plain words"), r)

    def test_too_large_to_adapt_is_502(self):
        r = self.get("/v1/pets/huge")
        doc = problem_of(self, r, 502)
        self.assertIn("larger than the 65536 bytes", doc["detail"])

    def test_range_gets_the_whole_adapted_body(self):
        # a range of the v3 bytes is no range of the v1 body: the upstream is asked for all of
        # it, the client gets all of it adapted, with a 200 (RFC 9110 §14.2)
        for proto in ("h1", "h2c"):
            with self.subTest(proto=proto):
                r = self.get("/v1/pets/ranged", proto, headers=["Range: bytes=0-9",
                                                                'If-Range: "v3-p1"'])
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json(), {"id": "p1", "name": "Rex", "tag": "dog",
                                            "price": "12.50", "status": "active"})
                self.assertIsNone(r.header("content-range"), r)
                self.assertIsNone(r.header("accept-ranges"), r)
                self.assertNotIn("range", self.v3.last["headers"])
                self.assertNotIn("if-range", self.v3.last["headers"])
        # the upstream's own version keeps its ranges
        r = self.get("/v3/pets/ranged", headers=["Range: bytes=0-9"])
        self.assertEqual((r.status, r.body), (206, json.dumps(PETS[0]).encode()[:10]), r)
        self.assertEqual(self.v3.last["headers"].get("range"), "bytes=0-9")

    def test_adapted_body_has_a_weak_etag(self):
        r = self.get("/v1/pets/ranged")
        self.assertEqual(r.header("etag"), 'W/"v3-p1"', r)
        r = self.get("/v1/pets/ranged", method="HEAD")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("etag"), 'W/"v3-p1"', r)
        self.assertIsNone(r.header("accept-ranges"), r)
        # the upstream's digests of its bytes would not match the adapted ones
        r = self.get("/v1/pets/ranged")
        self.assertIsNone(r.header("content-digest"), r)
        self.assertIsNone(r.header("content-md5"), r)
        r = self.get("/v3/pets/ranged")
        self.assertEqual(r.header("etag"), '"v3-p1"', r)
        self.assertEqual(r.header("accept-ranges"), "bytes", r)
        self.assertEqual(r.header("content-digest"), "sha-256=:%s:" % base64.b64encode(
            hashlib.sha256(r.body).digest()).decode(), r)
        self.assertIsNotNone(r.header("content-md5"), r)

    def test_unasked_partial_body_is_502(self):
        r = self.get("/v1/pets/partial")
        doc = problem_of(self, r, 502)
        self.assertIn("206 Partial Content", doc["detail"], doc)
        r = self.get("/v3/pets/partial")
        self.assertEqual(r.status, 206, r)

    def test_compressed_body_is_decoded_then_adapted(self):
        # (test_adapters_encoding.py covers codings, Accept-Encoding and bodies that don't decode)
        r = self.get("/v1/pets/zipped")
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("content-encoding"), r)
        self.assertEqual(r.json(), {"id": "p1", "name": "Rex", "tag": "dog", "price": "12.50",
                                    "status": "active"})


class AdapterLoadErrors(GatewayCase):
    """Adapter files are checked against the specs at start-up and by --check."""
    UPSTREAMS = ("v2",)
    TLS = False

    @classmethod
    def apis(cls):
        return [{"name": "plain", "prefix": "/plain", "versions": {"v2": {"upstream": cls.up["v2"].url}}}]

    def test_bad_adapter_file(self):
        cfg = self.sandbox.config([{
            "name": "pets",
            "adapters": os.path.join(FIX, "bad.yaml"),
            "versions": {
                "v1": {"spec": os.path.join(FIX, "v1.json")},
                "v2": {"upstream": self.up["v2"].url, "spec": os.path.join(FIX, "v2.json")},
            },
        }])
        cfg["listen"] = [{"address": "127.0.0.1:%d" % free_port()}]
        cfg.pop("admin")
        path = os.path.join(self.tmp, "bad-adapters.yaml")
        with open(path, "w") as f:
            f.write(to_yaml(cfg))
        for args in (["--check"], []):
            p = subprocess.run([versa_bin(), "serve", "-c", path] + args, capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(p.returncode, 1, p)
            self.assertRegex(p.stderr, r"bad\.yaml:6:\d+: .*nickname", p)
        # versa lint checks adapter files against the specs named by the config
        p = subprocess.run([versa_bin(), "lint", "-f", "json", "-c", path,
                            os.path.join(FIX, "bad.yaml")], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 1, p)
        findings = json.loads(p.stdout)
        findings = findings.get("findings", findings) if isinstance(findings, dict) else findings
        self.assertIn("adapter-file", json.dumps(findings))
        self.assertIn("nickname", json.dumps(findings))
        # the same file named two other ways: a `..` in the config, a symlink on the command line
        cfg["apis"][0]["adapters"] = os.path.join(FIX, "..", os.path.basename(FIX), "bad.yaml")
        path2 = os.path.join(self.tmp, "bad-adapters-dotdot.yaml")
        with open(path2, "w") as f:
            f.write(to_yaml(cfg))
        link = os.path.join(self.tmp, "linked-bad.yaml")
        os.symlink(os.path.join(FIX, "bad.yaml"), link)
        p = subprocess.run([versa_bin(), "lint", "-f", "json", "-c", path2, link],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p)
        self.assertNotIn("adapter-needs-config", p.stdout)
        self.assertIn("nickname", p.stdout)


class AdaptersValidated(AdaptedPetsCase):
    """Adapted answers with response validation enforced: each downgraded list is held to the
    spec of the version the client asked for, validated from the adapters' own tree of it (not
    parsed again), and conforms (no 502, no violation counted)."""
    V3 = V3Upstream
    MAX_ADAPTED_BODY = Adapters.MAX_ADAPTED_BODY

    @classmethod
    def apis(cls):
        return [adapted_pets_api(cls.v3.url, validate={"response": "enforce"})]

    def test_downgraded_answers_conform(self):
        for path in ("/v1/pets", "/v2/pets", "/pets"):
            r = self.request(path)
            self.assertEqual(r.status, 200, r)
        status, _, body = self.gw.admin("/contract/report")
        self.assertEqual(json.loads(body)["operations"], [])


class AdaptedUpstreamErrors(AdaptedPetsCase):
    """Issue 15: an adapter-served version (no upstream of its own) whose requests fail at the
    upstream they are adapted to: the error log names that upstream (it said `upstream (null)`)."""

    @classmethod
    def prepare(cls):
        cls.refusing = RefusingPort()
        cls._closers.append(cls.refusing)

    @classmethod
    def v3_url(cls):
        return "http://127.0.0.1:%d" % cls.refusing.port

    def test_error_log_names_the_upstream_adapted_to(self):
        want = "upstream http://127.0.0.1:%d: " % self.refusing.port
        for version in ("v1", "v3"):
            r = self.request("/%s/pets" % version)
            self.assertEqual(r.status, 502, r)
            wait_until(lambda: self.gw.stderr().count(want) >= (1 if version == "v1" else 2), 10,
                       "the error log line of /%s/pets" % version, procs=[self.gw.proc])
        self.assertNotIn("(null)", self.gw.stderr())


if __name__ == "__main__":
    tap.main()
