#!/usr/bin/env python3
"""Path normalisation before routing: dot segments (plain or percent-encoded) can never carry a
request through one API's route to another upstream, and percent-decoding happens exactly once
(upstream), so `%252F` arrives as the literal text `%2F`."""
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import GatewayCase, problem_of  # noqa: E402


def decoded_segments(target):
    path = urllib.parse.urlsplit(target).path
    return [urllib.parse.unquote(s) for s in path.split("/")]


class Paths(GatewayCase):
    UPSTREAMS = ("v1", "v2", "shops")

    @classmethod
    def apis(cls):
        return super().apis() + [{
            "name": "shops",
            "prefix": "/shops",
            "versions": {"v2": {"upstream": cls.up["shops"].url}},
        }]

    def setUp(self):
        super().setUp()
        self.seen = {name: len(up.requests) for name, up in self.up.items()}

    def new_requests(self, name):
        return self.up[name].requests[self.seen[name]:]

    def assert_no_dot_segments_upstream(self):
        for name, up in self.up.items():
            for method, target, _, _ in self.new_requests(name):
                segs = decoded_segments(target)
                self.assertNotIn("..", segs, "%s received %r" % (name, target))
                self.assertNotIn(".", segs, "%s received %r" % (name, target))

    def route(self, path, proto="h1"):
        """Sends `path` as is; returns (response, [(upstream, target)] it caused)."""
        r = self.request(path, proto)
        hits = [(n, t) for n in self.up for _, t, _, _ in self.new_requests(n)]
        return r, hits

    def test_dot_segments_resolved_within_api(self):
        for path, want in (("/pets/7/../8", "/pets/8"), ("/pets/./7", "/pets/7"),
                           ("/pets/a/b/../../9", "/pets/9"),
                           ("/v1/pets/./7/../8", "/legacy/pets/8")):
            with self.subTest(path=path):
                self.setUp()
                r, hits = self.route(path)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(len(hits), 1, hits)
                self.assertEqual(hits[0][1], want, hits)

    def test_dot_dot_cannot_escape_into_another_api(self):
        for path in ("/pets/../shops/1", "/pets/%2e%2e/shops/1", "/pets/%2E%2E/shops/1",
                     "/pets/.%2e/shops/1", "/pets/%2e./shops/1", "/v1/pets/../../shops/1"):
            for proto in ("h1", "h2c"):
                with self.subTest(path=path, proto=proto):
                    self.setUp()
                    r, hits = self.route(path, proto)
                    self.assertEqual(self.new_requests("v1") + self.new_requests("v2"), [],
                                     "%s went through the pets route" % path)
                    # Normalised to /shops/1 it is a shops request, or refused outright.
                    if hits:
                        self.assertEqual(hits, [("shops", "/shops/1")])
                        self.assertEqual(r.status, 200, r)
                    else:
                        self.assertIn(r.status, (400, 404), r)
                    self.assert_no_dot_segments_upstream()

    def test_dot_dot_never_climbs_above_root(self):
        for path in ("/../pets/7", "/pets/../../../pets/7", "/%2e%2e/%2e%2e/pets/7"):
            with self.subTest(path=path):
                self.setUp()
                r, hits = self.route(path)
                if hits:
                    self.assertEqual(hits, [("v2", "/pets/7")])
                else:
                    self.assertIn(r.status, (400, 404), r)
                self.assert_no_dot_segments_upstream()

    def test_escape_to_unrouted_path_is_404(self):
        self.setUp()
        r, hits = self.route("/pets/../etc/passwd")
        problem_of(self, r, 404)
        self.assertEqual(hits, [])

    def test_percent_decoding_happens_once(self):
        cases = [
            ("/pets/a%252Fb", "/pets/a%2Fb"),      # %25 decodes once, to a literal "%2F"
            ("/pets/a%2Fb", "/pets/a/b"),
            ("/pets/%7Ename", "/pets/~name"),
            ("/pets/caf%C3%A9", "/pets/caf\u00e9"),
            ("/pets/sp%20ace", "/pets/sp ace"),
            ("/pets/%25", "/pets/%"),
        ]
        for proto in ("h1", "h2c"):
            for path, decoded in cases:
                with self.subTest(path=path, proto=proto):
                    self.setUp()
                    r, hits = self.route(path, proto)
                    self.assertEqual(r.status, 200, r)
                    self.assertEqual(len(hits), 1, hits)
                    name, target = hits[0]
                    self.assertEqual(name, "v2")
                    self.assertEqual(urllib.parse.unquote(urllib.parse.urlsplit(target).path),
                                     decoded, target)

    def test_encoded_prefix_matches_its_api(self):
        # /%70ets is /pets once decoded: it must route like /pets (and never to another API).
        self.setUp()
        r, hits = self.route("/%70ets/7")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(hits), 1, hits)
        self.assertEqual(hits[0][0], "v2")
        self.assertEqual(urllib.parse.unquote(hits[0][1]), "/pets/7")

    def test_duplicate_slashes(self):
        self.setUp()
        r, hits = self.route("//pets//7")
        if r.status == 200:
            self.assertEqual(len(hits), 1, hits)
            self.assertEqual(hits[0][0], "v2")
            self.assertNotIn("//", hits[0][1])
        else:
            problem_of(self, r, r.status)
            self.assertIn(r.status, (400, 404))

    def test_bad_escapes_rejected(self):
        for path in ("/pets/%zz", "/pets/%2", "/pets/a%00b"):
            with self.subTest(path=path):
                self.setUp()
                r, hits = self.route(path)
                problem_of(self, r, 400)
                self.assertEqual(hits, [])

    def test_query_is_not_normalised(self):
        self.setUp()
        r, hits = self.route("/pets/7?p=../../shops&q=%2e%2e")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(hits, [("v2", "/pets/7?p=../../shops&q=%2e%2e")])


if __name__ == "__main__":
    tap.main()
