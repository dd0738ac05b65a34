#!/usr/bin/env python3
"""Spec-driven routing: each version's OpenAPI spec decides which paths (404) and methods (405 with
Allow) exist, and the operationId reaches the access log and the metrics. Also the start-up side:
a broken spec refuses to start with its file:line:col, and --check loads specs."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import (GatewayCase, free_port, problem_of, to_yaml, versa_bin,  # noqa: E402
                     wait_until)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def spec(name):
    return os.path.join(FIXTURES, name)


class SpecRouting(GatewayCase):

    @classmethod
    def apis(cls):
        # no prefix: the API owns the paths of its specs
        return [{
            "name": "pets",
            "versions": {
                "v1": {"upstream": cls.up["v1"].url + "/legacy", "spec": spec("pets-v1.yaml")},
                "v2": {"upstream": cls.up["v2"].url, "spec": spec("pets-v2.yaml")},
            },
        }]

    def test_known_operations_are_forwarded(self):
        r, e = self.echo("/pets/7")
        self.assertEqual(e["path"], "/pets/7")
        r, e = self.echo("/v1/pets/7")
        self.assertEqual(e["path"], "/legacy/pets/7")
        r, e = self.echo("/pets/mine")  # a literal segment beats {petId}
        self.assertEqual(e["path"], "/pets/mine")

    def test_unknown_path_is_404(self):
        # in no spec of the API: the API doesn't own it
        doc = problem_of(self, self.request("/pets/7/toys"), 404)
        self.assertTrue(doc["type"].endswith("/no-route"), doc)
        # in v2's spec only: the API owns the path, v1 has no such operation
        doc = problem_of(self, self.request("/v1/owners/3/pets"), 404)
        self.assertTrue(doc["type"].endswith("/not-found"), doc)
        self.assertIn("no operation of pets v1 matches the path /owners/3/pets", doc["detail"])
        r, e = self.echo("/owners/3/pets")
        self.assertEqual(e["path"], "/owners/3/pets")

    def test_path_outside_every_spec_has_no_api(self):
        doc = problem_of(self, self.request("/shops/1"), 404)
        self.assertTrue(doc["type"].endswith("/no-route"), doc)

    def test_wrong_method_is_405_with_allow(self):
        for proto in ("h1", "h2c", "h2"):
            with self.subTest(proto=proto):
                r = self.request("/pets/7", proto=proto, method="PUT", data=b"{}")
                problem_of(self, r, 405)
                self.assertEqual(r.tokens("allow"), ["get", "delete"], r)
        r = self.request("/v1/pets/7", method="DELETE")
        problem_of(self, r, 405)
        self.assertEqual(r.tokens("allow"), ["get"], r)

    def test_head_is_served_by_get(self):
        r = self.request("/pets/7", method="HEAD")
        self.assertEqual(r.status, 200, r)

    def test_operation_in_access_log_and_metrics(self):
        self.echo("/pets/42", headers=["X-Request-Id: spec-op-1"])

        def record():
            with open(self.access_log) as f:
                for line in f:
                    if "spec-op-1" in line and line.endswith("\n"):  # written whole
                        return json.loads(line)
            return None
        rec = wait_until(record, 30, "the access log line")
        self.assertEqual(rec.get("operation_id"), "getPet", rec)
        self.request("/pets/1", method="DELETE")  # no operationId: METHOD /template
        status, _, body = self.gw.admin("/metrics")
        text = body.decode()
        self.assertIn('versa_operation_requests_total{api="pets",version="v2",'
                      'operation="getPet",status="2xx"}', text)
        self.assertIn('operation="DELETE /pets/{petId}"', text)


class SpecStartup(GatewayCase):
    """Bad specs are start-up errors, reported like config errors."""

    def run_versa(self, config, *args):
        path = os.path.join(self.tmp, "startup.yaml")
        with open(path, "w") as f:
            f.write(to_yaml(config))
        return subprocess.run([versa_bin(), "serve", "-c", path] + list(args),
                              capture_output=True, text=True, timeout=60)

    def config_with(self, spec_file):
        cfg = self.sandbox.config([{
            "name": "broken",
            "versions": {"v2": {"upstream": self.up["v2"].url, "spec": spec_file}},
        }])
        # other ports than the class's running gateway
        cfg["listen"] = [{"address": "127.0.0.1:%d" % free_port()}]
        cfg.pop("admin")
        return cfg

    def test_broken_spec_refuses_to_start(self):
        for args in ((), ("--check",)):
            with self.subTest(args=args):
                p = self.run_versa(self.config_with(spec("broken.yaml")), *args)
                self.assertEqual(p.returncode, 1, p)
                self.assertIn("broken.yaml:7:23: in the spec of broken v2", p.stderr)
                self.assertIn("Missing", p.stderr)

    def test_missing_spec_file(self):
        p = self.run_versa(self.config_with(spec("nope.yaml")), "--check")
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("nope.yaml", p.stderr)

    def test_check_loads_good_specs(self):
        p = self.run_versa(self.config_with(spec("pets-v2.yaml")), "--check")
        self.assertEqual(p.returncode, 0, p)

    def test_prefix_required_without_specs(self):
        cfg = self.config_with(spec("pets-v2.yaml"))
        del cfg["apis"][0]["versions"]["v2"]["spec"]
        p = self.run_versa(cfg, "--check")
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("has no 'prefix', so every version must name a 'spec'", p.stderr)


if __name__ == "__main__":
    tap.main()
