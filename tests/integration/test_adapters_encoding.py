#!/usr/bin/env python3
"""Compressed upstream bodies on adapted routes (gateway/adapt_encoding.c): a real upstream that
compresses whatever it is asked sends gzip, deflate (zlib and raw), truncated gzip, garbage that
claims to be gzip, a zip bomb and codings Versa does not decode. Adapted routes decode within
limits.max_adapted_body, adapt, and answer identity or gzip as the client's Accept-Encoding
says; what cannot be decoded is a 502 problem; pass-through routes relay the bytes untouched."""
import gzip
import json
import os
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from adapted_pets import PETS, AdaptedPetsCase, LoopbackServer, QuietHandler  # noqa: E402
from harness import problem_of  # noqa: E402
V1_PETS = [
    {"id": "p1", "name": "Rex", "tag": "dog", "price": "12.50", "status": "active"},
    {"id": "p2", "name": "Tom", "tag": "cat", "price": "0.05", "status": "inactive"},
]
LIST = json.dumps({"data": PETS, "next": "cursor-2"}).encode()


def raw_deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


# 64 MiB of spaces in 64 KiB of gzip: far beyond the gateway's 256 KiB bound once decoded
BOMB = gzip.compress(b" " * (64 << 20), compresslevel=9)

BODIES = {  # ?enc= -> (Content-Encoding, body)
    "gzip": ("gzip", gzip.compress(LIST)),
    "x-gzip": ("x-gzip", gzip.compress(LIST)),
    "deflate": ("deflate", zlib.compress(LIST)),
    "rawdeflate": ("deflate", raw_deflate(LIST)),
    "identity": ("identity", LIST),
    "plain": (None, LIST),
    "truncated": ("gzip", gzip.compress(LIST)[:-9]),
    "garbage": ("gzip", b"this is not gzip at all, only words" * 4),
    "bomb": ("gzip", BOMB),
    "compress": ("compress", b"\x1f\x9d\x90" + LIST),
    "zstd": ("zstd", b"\x28\xb5\x2f\xfd" + LIST),
    "twice": ("gzip, gzip", gzip.compress(gzip.compress(LIST))),
    "emptygzip": ("gzip", gzip.compress(b"")),
}


class Upstream(LoopbackServer):
    """The v3 pets service, answering GET /pets with the body ?enc= names, whatever the request's
    Accept-Encoding; remembers the last request's Accept-Encoding."""

    def __init__(self):
        outer = self

        class Handler(QuietHandler):
            def do_GET(self):
                outer.accept_encoding = self.headers.get("Accept-Encoding")
                _, _, query = self.path.partition("?")
                coding, body = BODIES[query[4:] if query.startswith("enc=") else "plain"]
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if coding:
                    self.send_header("Content-Encoding", coding)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except ConnectionError:  # the gateway stopped reading a bomb
                    pass

        self.accept_encoding = None
        super().__init__(Handler)


class CompressedUpstream(AdaptedPetsCase):
    V3 = Upstream
    MAX_ADAPTED_BODY = "256KiB"

    def get(self, path, accept=None, proto="h1"):
        headers = ["Accept-Encoding: " + accept] if accept is not None else []
        r = self.request(path, proto=proto, headers=headers)
        self.assertEqual(r.rc, 0, r)
        return r

    def assert_v1_list(self, r, coded):
        self.assertEqual(r.status, 200, r)
        self.assertEqual(int(r.header("content-length")), len(r.body), r)
        body = r.body
        if coded:
            self.assertEqual(r.header("content-encoding"), "gzip", r)
            body = gzip.decompress(body)
        else:
            self.assertIsNone(r.header("content-encoding"), r)
        self.assertEqual(json.loads(body), V1_PETS, r)
        self.assertEqual(r.header("api-version"), "v1", r)

    def test_decoded_and_adapted(self):
        for enc in ("gzip", "x-gzip", "deflate", "rawdeflate", "identity", "plain"):
            for proto in ("h1", "h2c"):
                with self.subTest(enc=enc, proto=proto):
                    self.assert_v1_list(self.get("/v1/pets?enc=" + enc, proto=proto), False)
        # the gateway still asks for identity: compressing is the upstream's own idea
        self.assertEqual(self.v3.accept_encoding, "identity")

    def test_sent_as_the_client_accepts(self):
        cases = [  # (Accept-Encoding, upstream's coding, gzip to the client)
            ("gzip", "gzip", True),
            ("gzip, deflate, br", "deflate", True),
            ("gzip", "plain", False),  # a tie, and the upstream did not compress
            ("br", "gzip", False),
            ("deflate", "gzip", False),
            ("gzip;q=0", "gzip", False),
            ("gzip;q=0.5, identity;q=0.8", "gzip", False),
            ("identity;q=0, gzip;q=0.1", "plain", True),
            ("*;q=0, gzip", "plain", True),
            ("*", "gzip", True),
            ("*;q=0", "gzip", False),  # nothing acceptable: identity, RFC 9110 §12.5.3
        ]
        for accept, enc, coded in cases:
            with self.subTest(accept=accept, enc=enc):
                r = self.get("/v1/pets?enc=" + enc, accept)
                self.assert_v1_list(r, coded)
                self.assertIn("accept-encoding", (r.header("vary") or "").lower(), r)
        r = self.get("/v1/pets?enc=gzip", "gzip", proto="h2c")
        self.assert_v1_list(r, True)

    def test_empty_gzip_body(self):
        r = self.get("/v1/pets?enc=emptygzip")
        self.assertEqual((r.status, r.body), (200, b""), r)

    def test_undecodable_is_502(self):
        for enc, words in (("truncated", "truncated"), ("garbage", "corrupt"),
                           ("bomb", "decompresses to more than limits.max_adapted_body"),
                           ("compress", "not one Versa decodes"),
                           ("zstd", "not one Versa decodes"),
                           ("twice", "not one Versa decodes")):
            for accept in (None, "gzip"):
                with self.subTest(enc=enc, accept=accept):
                    doc = problem_of(self, self.get("/v1/pets?enc=" + enc, accept), 502)
                    self.assertIn(words, doc["detail"])
                    self.assertIn("upstream", doc["detail"])
        # and the gateway is still well
        self.assert_v1_list(self.get("/v1/pets?enc=gzip"), False)

    def test_pass_through_relays_the_bytes(self):
        for enc in ("gzip", "garbage", "zstd", "bomb"):
            with self.subTest(enc=enc):
                r = self.get("/v3/pets?enc=" + enc, "gzip")
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.header("content-encoding"), BODIES[enc][0], r)
                self.assertEqual(r.body, BODIES[enc][1])


if __name__ == "__main__":
    tap.main()
