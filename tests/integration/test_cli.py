#!/usr/bin/env python3
"""The CLI around the proxy: `--version`, `help`, and config validation (`serve --check`,
file:line:col errors before anything listens, start-up failures, the issue's sample config)."""
import os
import re
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import SandboxCase, make_cert, port_refuses, to_yaml, versa_bin  # noqa: E402

# The config from the issue, verbatim: it must pass `--check` as written.
ISSUE_SAMPLE = """\
listen:
  - address: 127.0.0.1:8080            # HTTP/1.1, and HTTP/2 with prior knowledge (h2c)
  - address: 127.0.0.1:8443            # TLS, ALPN h2 and http/1.1
    tls: {certificate: certs/server.crt, key: certs/server.key}
admin:
  address: 127.0.0.1:9901              # GET /healthz, /readyz, /metrics
threads: 2                             # default: one per core
access_log: stdout                     # stdout | stderr | a file path | off
versioning:
  default: v2
  media_type: application/vnd.acme+json   # Accept: application/vnd.acme+json; version=1
  header: Api-Version                      # Api-Version: 1
apis:
  - name: pets
    prefix: /pets                          # the version-less path prefix this API owns
    versions:
      v1: {upstream: "http://127.0.0.1:9001/legacy"}   # the URL's path is prepended upstream
      v2: {upstream: "http://127.0.0.1:9002"}
    timeouts: {connect_ms: 1000, response_ms: 15000}
"""


def run_versa(args, cwd=None, timeout=60):
    return subprocess.run([versa_bin(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL)


def line_of(text, needle):
    """1-based line number of the first line containing `needle`."""
    for n, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return n
    raise AssertionError("%r not in config" % needle)


class Cli(SandboxCase):

    def test_version(self):
        p = run_versa(["--version"])
        self.assertEqual(p.returncode, 0, p)
        self.assertRegex(p.stdout.decode(), r"\bversa\b.*\d+\.\d+\.\d+")

    def test_help(self):
        for args in (["help"], ["--help"]):
            with self.subTest(args=args):
                p = run_versa(args)
                self.assertEqual(p.returncode, 0, p)
                self.assertIn("serve", p.stdout.decode())

    def test_unknown_command(self):
        p = run_versa(["no-such-command"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no-such-command", p.stderr.decode())

    def test_serve_without_config(self):
        p = run_versa(["serve"])
        self.assertNotEqual(p.returncode, 0)
        self.assertTrue(p.stderr.strip(), "no message on stderr")


class ConfigErrors(SandboxCase):
    """Each broken config must fail with file:line:col pointing at the offending line, exit
    non-zero, and never start listening; `--check` says the same without serving."""

    def good_yaml(self):
        return to_yaml(self.sb.config()) + "\n"

    def check_error(self, text, needle, line_fixed=None):
        """Writes `text`, runs `serve --check` and `serve`; both must fail citing the line holding
        `needle` (or `line_fixed`)."""
        path = os.path.join(self.sb.tmp, "broken.yaml")
        with open(path, "w") as f:
            f.write(text)
        line = line_fixed or line_of(text, needle)
        for args in (["serve", "--check", "-c", path], ["serve", "-c", path]):
            with self.subTest(args=args[:2]):
                p = run_versa(args, cwd=self.sb.tmp)
                err = p.stderr.decode()
                self.assertNotEqual(p.returncode, 0, err)
                self.assertLess(p.returncode, 128, "crashed: %s" % err)
                m = re.search(re.escape(path) + r":(\d+):(\d+)", err)
                self.assertIsNotNone(m, "no %s:line:col in stderr: %r" % (path, err))
                self.assertEqual(int(m.group(1)), line, err)
                self.assertGreaterEqual(int(m.group(2)), 1, err)
                for port in (self.sb.http_port, self.sb.tls_port, self.sb.admin_port):
                    self.assertTrue(port_refuses(port), "port %d is listening" % port)

    def replace(self, old, new):
        text = self.good_yaml()
        self.assertIn(old, text)
        return text.replace(old, new, 1)

    def test_good_config_checks(self):
        path = os.path.join(self.sb.tmp, "good.yaml")
        with open(path, "w") as f:
            f.write(self.good_yaml())
        p = run_versa(["serve", "--check", "-c", path])
        self.assertEqual(p.returncode, 0, p.stderr.decode())

    def test_check_does_not_listen(self):
        # --check only validates: it passes even while the configured ports are taken.
        path = os.path.join(self.sb.tmp, "good.yaml")
        with open(path, "w") as f:
            f.write(self.good_yaml())
        holders = []
        try:
            for port in (self.sb.http_port, self.sb.admin_port):
                s = socket.socket()
                s.bind(("127.0.0.1", port))
                s.listen(1)
                holders.append(s)
            p = run_versa(["serve", "--check", "-c", path])
            self.assertEqual(p.returncode, 0, p.stderr.decode())
        finally:
            for s in holders:
                s.close()

    def test_issue_sample_config_checks_as_written(self):
        d = os.path.join(self.sb.tmp, "sample")
        os.makedirs(os.path.join(d, "certs"))
        make_cert(os.path.join(d, "certs"))
        path = os.path.join(d, "versa.yaml")
        with open(path, "w") as f:
            f.write(ISSUE_SAMPLE)
        p = run_versa(["serve", "--check", "-c", path], cwd=d)
        self.assertEqual(p.returncode, 0, p.stderr.decode())

    def test_yaml_syntax_error(self):
        text = self.good_yaml() + "extra: [unclosed\n"
        path = os.path.join(self.sb.tmp, "broken.yaml")
        with open(path, "w") as f:
            f.write(text)
        p = run_versa(["serve", "-c", path])
        self.assertNotEqual(p.returncode, 0)
        self.assertLess(p.returncode, 128)
        self.assertRegex(p.stderr.decode(), re.escape(path) + r":\d+:\d+")

    def test_unknown_key(self):
        self.check_error(self.replace("threads:", "threadz:"), "threadz:")

    def test_wrong_type(self):
        self.check_error(self.replace("threads: 2", "threads: many"), "threads: many")

    def test_bad_listen_address(self):
        text = self.replace('"127.0.0.1:%d"' % self.sb.http_port, '"127.0.0.1:99999"')
        self.check_error(text, "127.0.0.1:99999")

    def test_bad_upstream_url(self):
        text = self.replace(self.sb.up["v2"].url, "ftp://127.0.0.1:9002")
        self.check_error(text, "ftp://")

    def test_unknown_default_version(self):
        self.check_error(self.replace('default: "v2"', 'default: "v9"'), 'default: "v9"')

    def test_missing_tls_key(self):
        self.check_error(self.replace(self.sb.key, "/nonexistent/server.key"), "/nonexistent/")

    def test_bad_size(self):
        self.check_error(self.replace('max_request_body: "1MiB"', 'max_request_body: "12XB"'),
                         "12XB")

    def test_api_without_versions(self):
        cfg = self.sb.config()
        cfg["apis"][0]["versions"] = {}
        self.check_error(to_yaml(cfg) + "\n", "versions: {}")

    def test_missing_file(self):
        path = os.path.join(self.sb.tmp, "does-not-exist.yaml")
        p = run_versa(["serve", "-c", path])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(path, p.stderr.decode())

    def test_port_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", self.sb.http_port))
            s.listen(1)
            gw = self.sb.versa(self.sb.config())
            gw.start(wait_ready=False)
            rc = gw.wait(60)
            self.assertNotEqual(rc, 0)
            self.assertGreater(rc, 0, "crashed")
            self.assertIn(str(self.sb.http_port), gw.stderr())

    def test_relative_tls_paths_resolve_against_config_dir(self):
        conf_dir = os.path.join(self.sb.tmp, "conf")
        os.makedirs(os.path.join(conf_dir, "certs"))
        crt, _ = make_cert(os.path.join(conf_dir, "certs"))
        cfg = self.sb.config(access_log="off")
        cfg["listen"][1]["tls"] = {"certificate": "certs/server.crt", "key": "certs/server.key"}
        # The working directory must not matter, only the config file's own directory.
        gw = self.sb.versa(cfg, config_path=os.path.join(conf_dir, "versa.yaml"), cwd="/")
        gw.start()
        r = self.sb.request("/pets/1", "h2", cacert=crt)
        self.assertEqual((r.rc, r.status), (0, 200), r)
        self.assertEqual(gw.stop(), 0, gw.diagnostics())


if __name__ == "__main__":
    tap.main()
