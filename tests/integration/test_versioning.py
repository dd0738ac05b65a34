#!/usr/bin/env python3
"""Version selection: path segment, then the vendor media type's `version` parameter in Accept,
then the Api-Version header, then the default; disagreeing selectors, unknown versions and the
response headers (Api-Version, Vary) that say what was negotiated."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import MEDIA_TYPE, GatewayCase, problem_of  # noqa: E402

V = MEDIA_TYPE


class Versioning(GatewayCase):

    def served(self, path="/pets/7", headers=(), proto="h1"):
        """(upstream name, upstream target, Api-Version response header)."""
        r, e = self.echo(path, proto, headers=list(headers))
        return e["server"], e["target"], r.header("api-version")

    def test_path_segment(self):
        for proto in ("h1", "h2c", "h2"):
            with self.subTest(proto=proto):
                self.assertEqual(self.served("/v1/pets/7", proto=proto),
                                 ("v1", "/legacy/pets/7", "v1"))
                self.assertEqual(self.served("/v2/pets/7", proto=proto), ("v2", "/pets/7", "v2"))

    def test_default_version(self):
        self.assertEqual(self.served("/pets/7"), ("v2", "/pets/7", "v2"))
        self.assertEqual(self.served("/pets/7", ["Accept:"]), ("v2", "/pets/7", "v2"))

    def test_version_segment_only_counts_first(self):
        self.assertEqual(self.served("/pets/v1/7"), ("v2", "/pets/v1/7", "v2"))

    def test_accept_version_spellings(self):
        for value in ("1", "1.0", "v1", '"1"', "V1"):
            with self.subTest(value=value):
                self.assertEqual(self.served("/pets/7", ["Accept: %s; version=%s" % (V, value)]),
                                 ("v1", "/legacy/pets/7", "v1"))
        for value in ("2", "2.0", "v2"):
            with self.subTest(value=value):
                self.assertEqual(self.served("/pets/7", ["Accept: %s; version=%s" % (V, value)]),
                                 ("v2", "/pets/7", "v2"))

    def test_accept_case_and_whitespace(self):
        for accept in ("Application/VND.Acme+JSON;VERSION=1",
                       "application/vnd.acme+json ;version=1",
                       "application/vnd.acme+json;\tversion=1 ",
                       "  application/vnd.acme+json ; charset=utf-8 ; version=1"):
            with self.subTest(accept=accept):
                self.assertEqual(self.served("/pets/7", ["Accept: " + accept])[0], "v1")

    def test_accept_over_h2(self):
        for proto in ("h2c", "h2"):
            with self.subTest(proto=proto):
                self.assertEqual(
                    self.served("/pets/7", ["Accept: %s; version=1" % V], proto=proto)[0], "v1")

    def test_accept_q_values(self):
        cases = [
            ("%s; version=1; q=0.5, %s; version=2; q=0.9" % (V, V), "v2"),
            ("%s; version=2; q=0.2, %s; version=1" % (V, V), "v1"),
            ("%s; version=2; q=0, %s; version=1; q=0.1" % (V, V), "v1"),
            ("%s;version=1;q=1.0,%s;version=2;q=0.999" % (V, V), "v1"),
        ]
        for accept, want in cases:
            with self.subTest(accept=accept):
                self.assertEqual(self.served("/pets/7", ["Accept: " + accept])[0], want)

    def test_accept_lists_of_media_ranges(self):
        accept = "text/html, application/xml;q=0.9, %s; version=1;q=0.8, */*;q=0.1" % V
        self.assertEqual(self.served("/pets/7", ["Accept: " + accept])[0], "v1")

    def test_accept_prefers_an_available_version(self):
        # RFC 9110 §12.5.1: q-values rank what the client accepts; v3 does not exist, v1 does.
        accept = "%s; version=3; q=0.9, %s; version=1; q=0.5" % (V, V)
        self.assertEqual(self.served("/pets/7", ["Accept: " + accept])[0], "v1")

    def test_accept_without_preference(self):
        for accept in ("*/*", "application/json", "application/json, */*;q=0.5", V,
                       "text/plain", "application/*"):
            with self.subTest(accept=accept):
                self.assertEqual(self.served("/pets/7", ["Accept: " + accept]),
                                 ("v2", "/pets/7", "v2"))

    def test_header(self):
        for value, want in (("1", "v1"), ("v1", "v1"), ("1.0", "v1"), ("2", "v2")):
            with self.subTest(value=value):
                self.assertEqual(self.served("/pets/7", ["Api-Version: " + value])[0], want)
        self.assertEqual(self.served("/pets/7", ["api-version: 1"], proto="h2c")[0], "v1")

    def test_agreeing_selectors(self):
        self.assertEqual(
            self.served("/v1/pets/7", ["Accept: %s; version=1" % V, "Api-Version: 1"]),
            ("v1", "/legacy/pets/7", "v1"))
        self.assertEqual(self.served("/pets/7", ["Accept: %s; version=v2" % V, "Api-Version: 2"]),
                         ("v2", "/pets/7", "v2"))

    def test_disagreeing_selectors(self):
        cases = [
            ("/v1/pets/conflict-a", ["Accept: %s; version=2" % V]),
            ("/v1/pets/conflict-b", ["Api-Version: 2"]),
            ("/pets/conflict-c", ["Accept: %s; version=1" % V, "Api-Version: 2"]),
            ("/v2/pets/conflict-d", ["Api-Version: v1"]),
        ]
        for proto in ("h1", "h2c"):
            for path, headers in cases:
                with self.subTest(proto=proto, path=path):
                    problem_of(self, self.request(path, proto, headers=headers), 400)
        for up in self.up.values():
            self.assertEqual(up.requests_matching("conflict-"), [], "a conflicting request "
                             "reached upstream %s" % up.name)

    def test_unknown_version_in_path(self):
        for path in ("/v3/pets/7", "/v9/pets", "/v0/pets/7"):
            with self.subTest(path=path):
                problem_of(self, self.request(path), 404)

    def test_unknown_version_in_accept(self):
        for value in ("3", "v9", "2.1"):
            with self.subTest(value=value):
                r = self.request("/pets/7", headers=["Accept: %s; version=%s" % (V, value)])
                problem_of(self, r, 406)

    def test_unknown_version_in_header(self):
        for value in ("3", "v9"):
            with self.subTest(value=value):
                problem_of(self, self.request("/pets/7", headers=["Api-Version: " + value]), 400)

    def test_no_api_for_path(self):
        for path in ("/", "/nothing", "/petshop", "/pet", "/v1", "/v2/shops/1"):
            with self.subTest(path=path):
                problem_of(self, self.request(path), 404)

    def test_api_version_and_vary_on_responses(self):
        for proto in ("h1", "h2c", "h2"):
            for path, headers, served in (("/pets/1", [], "v2"), ("/v1/pets/1", [], "v1"),
                                          ("/pets/1", ["Api-Version: 1"], "v1")):
                with self.subTest(proto=proto, path=path, headers=headers):
                    r = self.request(path, proto, headers=headers)
                    self.assertEqual((r.rc, r.status), (0, 200), r)
                    self.assertEqual(r.header_all("api-version"), [served], r)
                    vary = r.tokens("vary")
                    self.assertIn("accept", vary, r)
                    self.assertIn("api-version", vary, r)

    def test_vary_merged_with_upstream_vary(self):
        r, _ = self.echo("/pets/vary")
        vary = r.tokens("vary")
        for token in ("origin", "accept", "api-version"):
            self.assertIn(token, vary, r)


if __name__ == "__main__":
    tap.main()
