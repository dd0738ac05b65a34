"""Upstreams for the shadow traffic tests: three roles (primary, candidate, secondary) of the same
API that answer the same paths with controlled differences, chosen by the last path segment:

  same                   the same JSON from every role
  renamed                the candidate renames `name` to `full_name`
  random                 every role sends a fresh random `nonce` (the secondary reveals it as noise)
  slow?ms=N              the candidate answers after N milliseconds, the others at once
  invalid-json           the candidate's application/json body does not parse
  big?bytes=N            N bytes of JSON (the same from every role)
  text                   text/plain bodies that differ in the candidate
  close-mid              the candidate announces 1000 bytes, sends 100 and closes
  close-mid-chunked      the candidate sends one chunk and closes without the last chunk
  echo, pets             JSON describing the request as received (method, headers, body)
  pet, pet-bad           a pet as v1 has it ({"tag": ...}); the candidate, a v2 upstream, calls
                         the field "category" (pet-bad: with another value)
  (anything else)        404 JSON

Each server records what it received and, per X-Request-Id, the exact response it sent, so a
test can check that the client got the primary's bytes. Standard library only.
"""
import http.server
import json
import os
import socket
import threading
import time
import urllib.parse


def big_json(n):
    """A deterministic JSON document of exactly n bytes (n >= 12)."""
    head, tail = b'{"data":"', b'"}'
    return head + (b"x" * (n - len(head) - len(tail))) + tail


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "shadow-test-upstream/1"
    disable_nagle_algorithm = True  # head and body are two writes: no 40 ms delayed-ACK stall

    def log_message(self, fmt, *args):
        pass

    def _dispatch(self):
        up = self.server.upstream
        split = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(split.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        up._record(self, body)
        action = split.path.rstrip("/").rsplit("/", 1)[-1]
        handler = _ACTIONS.get(action)
        if handler is None:
            return self._send(404, b'{"error":"no such behaviour"}')
        return handler(self, up.role, query, body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def _send(self, status, body, ctype="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.server.upstream._sent(self, status, body)

    def _json(self, obj, status=200):
        self._send(status, json.dumps(obj, separators=(",", ":")).encode())

    def _same(self, role, query, body):
        self._json({"id": 1, "name": "Rex", "tags": ["good", "dog"], "price": 12.5})

    def _renamed(self, role, query, body):
        key = "full_name" if role == "candidate" else "name"
        self._json({"id": 2, key: "Rex", "tags": ["good"]})

    def _random(self, role, query, body):
        self._json({"id": 3, "nonce": os.urandom(8).hex()})

    def _slow(self, role, query, body):
        if role == "candidate":
            ms = int(query.get("ms", ["1000"])[0])
            if self.server.upstream._stopping.wait(ms / 1000.0):
                return
        self._json({"id": 4, "slow": True})

    def _invalid_json(self, role, query, body):
        if role == "candidate":
            return self._send(200, b'{"id": 5, "name": ')
        self._json({"id": 5, "name": "Rex"})

    def _big(self, role, query, body):
        self._send(200, big_json(int(query.get("bytes", ["1048576"])[0])))

    def _text(self, role, query, body):
        text = b"hello there\n" if role == "candidate" else b"hello world\n"
        self._send(200, text, ctype="text/plain; charset=utf-8")

    def _close_mid(self, role, query, body):
        if role != "candidate":
            return self._json({"id": 6})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b'{"id": 6, "pad": "' + b"p" * 82)
        self._abort()

    def _close_mid_chunked(self, role, query, body):
        if role != "candidate":
            return self._json({"id": 7})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"9\r\n{\"id\": 7,\r\n")
        self._abort()

    def _abort(self):
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()

    def _pet(self, role, query, body, bad=False):
        if role == "candidate":
            return self._json({"id": "p1", "name": "Rex", "category": "cat" if bad else "dog"})
        self._json({"id": "p1", "name": "Rex", "tag": "dog"})

    def _pet_bad(self, role, query, body):
        self._pet(role, query, body, bad=True)

    def _echo(self, role, query, body):
        self._json({"role": role, "method": self.command, "target": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": body.decode("utf-8", "replace")})


_ACTIONS = {
    "same": _Handler._same,
    "renamed": _Handler._renamed,
    "random": _Handler._random,
    "slow": _Handler._slow,
    "invalid-json": _Handler._invalid_json,
    "big": _Handler._big,
    "text": _Handler._text,
    "close-mid": _Handler._close_mid,
    "close-mid-chunked": _Handler._close_mid_chunked,
    "echo": _Handler._echo,
    "pets": _Handler._echo,
    "pet": _Handler._pet,
    "pet-bad": _Handler._pet_bad,
}


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass


class ShadowUpstream:
    """One role's server on 127.0.0.1. `received(fragment)` lists (method, target, headers dict
    with lower-case names, body) of the requests whose target contains fragment; `sent[id]` is
    (status, body) of the response to the request with X-Request-Id `id`."""

    def __init__(self, role):
        self.role = role
        self._lock = threading.Condition()
        self._received = []
        self.sent = {}
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.upstream = self
        self.port = self._server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self):
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def _record(self, handler, body):
        with self._lock:
            self._received.append((handler.command, handler.path,
                                   {k.lower(): v for k, v in handler.headers.items()}, body))
            self._lock.notify_all()

    def _sent(self, handler, status, body):
        rid = handler.headers.get("X-Request-Id")
        with self._lock:
            if rid:
                self.sent[rid] = (status, body)
            self._lock.notify_all()

    def received(self, fragment):
        with self._lock:
            return [r for r in self._received if fragment in r[1]]

    def wait_received(self, fragment, n=1, timeout=30.0):
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                got = [r for r in self._received if fragment in r[1]]
                if len(got) >= n:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("%s upstream: %d of %d requests for %r"
                                         % (self.role, len(got), n, fragment))
                self._lock.wait(left)
