"""A controllable HTTP/1.1 upstream for the integration tests: behaviour is chosen per request path.

Any path is echoed back unless one of its segments names a behaviour (the gateway prepends API
prefixes and base paths, so `/pets/big` and `/legacy/pets/big` both pick `big`):

  (default)               200, JSON describing the request as received (see `_echo`)
  big?bytes=N[&chunked=1] N bytes of `pattern()`, with Content-Length or chunked
  stream-hold?bytes=N     N bytes, then waits for `release("stream-hold")`, then N more bytes
  hang                    reads the request and never answers (until the server stops)
  hold                    answers 200 once the test calls `release("hold")`
  slow?ms=N               answers 200 after N milliseconds
  status/N                answers status N with a small JSON body
  close-mid-body          Content-Length 100000, sends 1000 bytes, closes
  close-mid-body-chunked  chunked, sends one 1000-byte chunk, closes without the last chunk
  reset                   resets the connection (RST) without answering
  garbage                 answers bytes that are not an HTTP response, then closes
  bad-chunked             chunked, one good chunk, then a chunk size that is not hex
  hop-response            answers with hop-by-hop headers the gateway must remove
  vary                    answers with `Vary: Origin`

Each server counts the TCP connections it accepted and numbers them, so tests can check that the
gateway keeps upstream connections alive. Run as a script for manual use:
  python3 upstream.py --port 9001 --name v1
"""
import argparse
import hashlib
import http.server
import json
import socket
import struct
import threading
import time
import urllib.parse

MAX_BODY = 64 * 1024 * 1024  # the echo reads bodies whole; larger is a test bug


def pattern(n):
    """The deterministic payload `big` sends: bytes 0..250 repeated (251 is prime, so block
    boundaries never line up with the pattern and a dropped or repeated block changes the hash)."""
    block = bytes(range(251)) * 64
    reps, rest = divmod(n, len(block))
    return block * reps + block[:rest]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "versa-test-upstream/1"

    def setup(self):
        super().setup()
        self.conn_id = self.server.upstream._connection_accepted()

    def log_message(self, fmt, *args):  # quiet: tests print their own diagnostics
        pass

    # BaseHTTPRequestHandler dispatches on do_<METHOD>; every method gets the same treatment.
    def _dispatch(self):
        up = self.server.upstream
        split = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(split.query)
        segments = split.path.split("/")
        try:
            body = self._read_body()
        except ValueError as e:
            self._send_json(400, {"error": str(e)})
            return
        up._record(self, body)
        for i, seg in enumerate(segments):
            action = _ACTIONS.get(seg)
            if action is not None:
                arg = segments[i + 1] if i + 1 < len(segments) else ""
                return action(self, query, arg, body)
        return self._echo(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _dispatch

    def _read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise ValueError("connection closed inside chunked body")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(16)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length", "0") or "0")
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _send_json(self, status, obj, extra_headers=()):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _echo(self, body, status=200, extra_headers=()):
        split = urllib.parse.urlsplit(self.path)
        self._send_json(status, {
            "server": self.server.upstream.name,
            "connection": self.conn_id,
            "method": self.command,
            "target": self.path,
            "path": split.path,
            "query": split.query,
            "version": self.request_version,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body_length": len(body),
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }, extra_headers)

    def _big(self, query, arg, body):
        n = int(query.get("bytes", ["1048576"])[0])
        chunked = query.get("chunked", ["0"])[0] == "1"
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(n))
        self.end_headers()
        if self.command == "HEAD":
            return
        data = pattern(n)
        step = 64 * 1024
        for off in range(0, n, step):
            piece = data[off:off + step]
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _stream_hold(self, query, arg, body):
        n = int(query.get("bytes", ["65536"])[0])
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(2 * n))
        self.end_headers()
        data = pattern(2 * n)
        self.wfile.write(data[:n])
        self.wfile.flush()
        if self.server.upstream._wait_release("stream-hold"):
            self.wfile.write(data[n:])
        else:
            self.close_connection = True

    def _hang(self, query, arg, body):
        self.server.upstream._stopping.wait()
        self.close_connection = True

    def _hold(self, query, arg, body):
        if self.server.upstream._wait_release("hold"):
            self._echo(body)
        else:
            self.close_connection = True

    def _slow(self, query, arg, body):
        ms = int(query.get("ms", ["1000"])[0])
        if not self.server.upstream._stopping.wait(ms / 1000.0):
            self._echo(body)

    def _status(self, query, arg, body):
        code = int(arg or "200")
        if not 200 <= code <= 599:
            code = 400
        self.send_response(code)
        if code in (204, 304):  # no body allowed (RFC 9110 §15.3.5, §15.4.5)
            self.end_headers()
            return
        data = json.dumps({"status": code}).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _close_mid_body(self, query, arg, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(pattern(1000))
        self._abort(reset=False)

    def _close_mid_body_chunked(self, query, arg, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"3e8\r\n" + pattern(1000) + b"\r\n")
        self._abort(reset=False)

    def _reset(self, query, arg, body):
        self._abort(reset=True)

    def _garbage(self, query, arg, body):
        self.wfile.write(b"this is not HTTP\r\n\r\n")
        self._abort(reset=False)

    def _bad_chunked(self, query, arg, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"3e8\r\n" + pattern(1000) + b"\r\nzz\r\n" + pattern(100))
        self._abort(reset=False)

    def _abort(self, reset):
        self.wfile.flush()
        self.close_connection = True
        sock = self.connection
        if reset:  # SO_LINGER with a zero timeout turns close() into an RST
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def _hop_response(self, query, arg, body):
        self._echo(body, extra_headers=[
            ("Connection", "X-Upstream-Hop"), ("X-Upstream-Hop", "secret"),
            ("Keep-Alive", "timeout=30"), ("Proxy-Connection", "keep-alive"),
            ("X-Upstream-End2End", "kept")])

    def _vary(self, query, arg, body):
        self._echo(body, extra_headers=[("Vary", "Origin")])


_ACTIONS = {
    "big": _Handler._big,
    "stream-hold": _Handler._stream_hold,
    "hang": _Handler._hang,
    "hold": _Handler._hold,
    "slow": _Handler._slow,
    "status": _Handler._status,
    "close-mid-body": _Handler._close_mid_body,
    "close-mid-body-chunked": _Handler._close_mid_body_chunked,
    "reset": _Handler._reset,
    "garbage": _Handler._garbage,
    "bad-chunked": _Handler._bad_chunked,
    "hop-response": _Handler._hop_response,
    "vary": _Handler._vary,
}


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # the gateway hanging up on us (early client disconnects) is expected


class Upstream:
    """One upstream server on 127.0.0.1, serving from background threads.

    Thread-safe counters: `connections` (TCP connections accepted), `requests` (a list of
    (method, target, headers, body_length) in arrival order). `release(key)` lets the held
    requests (`hold`, `stream-hold`) finish; `wait_requests(n)` waits for n arrivals."""

    def __init__(self, name, port=0):
        self.name = name
        self._lock = threading.Condition()
        self._connections = 0
        self._requests = []
        self._released = {}
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.upstream = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        with self._lock:
            self._lock.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def connections(self):
        with self._lock:
            return self._connections

    @property
    def requests(self):
        with self._lock:
            return list(self._requests)

    def requests_matching(self, fragment):
        return [r for r in self.requests if fragment in r[1]]

    def wait_requests(self, fragment, n=1, timeout=30.0):
        """Waits until n requests whose target contains `fragment` arrived; returns them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                got = [r for r in self._requests if fragment in r[1]]
                if len(got) >= n:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("upstream %s: %d of %d requests for %r after %.0fs"
                                         % (self.name, len(got), n, fragment, timeout))
                self._lock.wait(left)

    def release(self, key):
        with self._lock:
            self._released[key] = True
            self._lock.notify_all()

    def _wait_release(self, key, timeout=120.0):
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._released.get(key) and not self._stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
            return bool(self._released.get(key))

    def _connection_accepted(self):
        with self._lock:
            self._connections += 1
            return self._connections

    def _record(self, handler, body):
        with self._lock:
            self._requests.append((handler.command, handler.path,
                                   [(k, v) for k, v in handler.headers.items()], len(body)))
            self._lock.notify_all()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--name", default="upstream")
    args = ap.parse_args()
    up = Upstream(args.name, args.port).start()
    print("listening on %s" % up.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        up.stop()


if __name__ == "__main__":
    main()
