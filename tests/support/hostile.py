"""Shared pieces of the hostile-peer tests (issue 11): canned upstream answers picked by path,
raw request builders, and a gateway class in front of a raw-socket upstream."""
import json

from harness import GatewayCase
from raw import RawUpstream

# Canned upstream answers, picked by the last path segment the gateway forwards.
CANNED = {
    # RFC 9112 §6.3: the length must never go out with a chunked body (response splitting)
    "cl-and-te": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"2d\r\n{}HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\ninjected\r\n0\r\n\r\n",
    "two-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 10\r\n\r\n{}12345678",
    "same-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
    "status-600": b"HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\n{}",
    "status-099": b"HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\n{}",
    "status-101": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n",
    "folded": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\n Set-Cookie: evil=1\r\n\r\n{}",
    "chunk-zz": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nEVIL-FRAMING\r\n",
    "chunk-neg": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n-5\r\nEVIL-FRAMING\r\n",
    "chunk-huge": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                  b"1000000000000000000\r\nEVIL-FRAMING\r\n",
    "chunk-nocrlf": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloEVIL-FRAMING\r\n",
    "good-chunks": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
}


def canned(head, body):
    path = head.split(b" ")[1].decode()
    name = path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    if name in CANNED:
        return CANNED[name], True
    echo = json.dumps({"path": path, "head": head.decode("latin-1")}).encode()
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
        len(echo), echo)


def get(path, host="a.test", extra=b""):
    return b"GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (path.encode(), host.encode(), extra)


class Base(GatewayCase):
    TLS = False

    @classmethod
    def prepare(cls):
        cls.raw = RawUpstream(canned)
        cls._closers.append(cls.raw)

    @classmethod
    def apis(cls):
        return [{"name": "raw", "prefix": "/raw", "versions": {"v2": {"upstream": cls.raw.url}}},
                cls.sandbox.pets_api()]

    def assert_problem(self, resp, status):
        self.assertIsNotNone(resp, "no response")
        self.assertEqual(resp.status, status, resp)
        self.assertEqual((resp.header("content-type") or "").split(";")[0],
                         "application/problem+json", resp)
        doc = json.loads(resp.body)
        self.assertEqual(doc["status"], status, doc)
        return doc


