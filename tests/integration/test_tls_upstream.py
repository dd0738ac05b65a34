#!/usr/bin/env python3
"""https:// upstreams: the upstream's certificate is verified (SNI and name from the URL) against
the trust store, which OpenSSL's SSL_CERT_FILE points at a test CA here; an untrusted upstream
is a 502 problem, never an unverified exchange."""
import http.server
import json
import os
import ssl
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import GatewayCase, problem_of  # noqa: E402


class TlsUpstream:
    def __init__(self, directory, name):
        self.crt = os.path.join(directory, name + ".crt")
        key = os.path.join(directory, name + ".key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                        "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", key, "-out", self.crt], check=True, capture_output=True)

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                body = json.dumps({"path": self.path, "sni": name}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.crt, key)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.url = "https://localhost:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class HttpsUpstreams(GatewayCase):
    UPSTREAMS = ()
    TLS = False

    @classmethod
    def prepare(cls):
        cls.trusted = TlsUpstream(cls.tmp, "trusted")
        cls.untrusted = TlsUpstream(cls.tmp, "untrusted")
        cls._closers += [cls.trusted, cls.untrusted]
        os.environ["SSL_CERT_FILE"] = cls.trusted.crt  # inherited by the gateway

    @classmethod
    def apis(cls):
        return [{"name": "good", "prefix": "/good", "versions": {"v2": {"upstream": cls.trusted.url}}},
                {"name": "bad", "prefix": "/bad", "versions": {"v2": {"upstream": cls.untrusted.url}}}]

    @classmethod
    def tearDownClass(cls):
        os.environ.pop("SSL_CERT_FILE", None)
        super().tearDownClass()

    def test_verified_upstream(self):
        for i in range(3):  # the pooled TLS connection is reused
            r, e = self.echo("/good/pets/%d" % i)
            self.assertEqual(e["path"], "/good/pets/%d" % i)

    def test_untrusted_upstream_is_502(self):
        problem_of(self, self.request("/bad/pets/1"), 502)


if __name__ == "__main__":
    tap.main()
