"""Raw-socket peers for the framing and smuggling tests: a client that sends exact bytes and
reads what comes back, a scripted upstream that answers exact bytes, a parser that splits an
HTTP/1.1 byte stream into responses (so a test sees a second, injected response), and the few
HTTP/2 frames the hostile-client tests need (with literal, unindexed HPACK).

Everything binds to 127.0.0.1; nothing waits on a fixed sleep: reads end at EOF, at a parsed
response boundary, or at the socket timeout, which is a failure bound, not a synchronisation."""
import socket
import struct
import threading

__all__ = ["exchange", "RawConn", "parse_responses", "RawUpstream", "H2", "h2_frame",
           "hpack_literal", "h2_preface"]


def exchange(port, data, timeout=10.0, shut_write=False):
    """Connects, sends `data`, reads until the gateway closes (or `timeout`); returns
    (bytes received, closed_by_peer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if shut_write:
            s.shutdown(socket.SHUT_WR)
        out = bytearray()
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return bytes(out), True
                out += chunk
        except socket.timeout:
            return bytes(out), False
        except ConnectionResetError:
            return bytes(out), True


class RawConn:
    """A client connection kept open across sends, with response-at-a-time reads."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = bytearray()
        self.closed = False

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.buf += chunk
        return True

    def response(self, head_only=False):
        """Reads one HTTP/1.1 response; returns a Resp, or None if the peer closed first."""
        while True:
            resps, used = parse_responses(bytes(self.buf), limit=1, head_only=head_only)
            if resps:
                del self.buf[:used]
                return resps[0]
            if not self._fill():
                return None

    def wait_closed(self):
        """Reads until EOF; returns the bytes that came before it (the socket timeout fails)."""
        while self._fill():
            pass
        return bytes(self.buf)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # [(lower-case name, value)]
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k == name]

    def __repr__(self):
        return "<Resp %s %r %r>" % (self.status, self.headers, self.body[:300])


def parse_responses(data, limit=None, head_only=False):
    """Splits bytes into complete HTTP/1.1 responses, framed as RFC 9112 §6.3 says a client
    must. Returns ([Resp], bytes used). A response with neither length nor chunking runs to the
    end of `data` (and is complete only if the caller knows the peer closed)."""
    out, pos = [], 0
    while pos < len(data) and (limit is None or len(out) < limit):
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            break
        lines = data[pos:end].decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.append((k.strip().lower(), v.strip()))
        body_at = end + 4
        names = [k for k, _ in headers]
        if head_only or status in (204, 304) or 100 <= status < 200:
            out.append(Resp(status, headers, b""))
            pos = body_at
            continue
        if "transfer-encoding" in names:
            body, used = _dechunk(data, body_at)
            if body is None:
                break
            out.append(Resp(status, headers, body))
            pos = used
        elif "content-length" in names:
            n = int(dict(headers)["content-length"])
            if len(data) - body_at < n:
                break
            out.append(Resp(status, headers, data[body_at:body_at + n]))
            pos = body_at + n
        else:
            out.append(Resp(status, headers, data[body_at:]))
            pos = len(data)
    return out, pos


def _dechunk(data, pos):
    body = bytearray()
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            return None, pos
        try:
            size = int(data[pos:eol].split(b";")[0], 16)
        except ValueError:  # broken framing: the stream was cut, never a complete response
            return None, pos
        pos = eol + 2
        if size == 0:
            end = data.find(b"\r\n", pos)  # no trailers in these tests
            return (None, pos) if end < 0 else (bytes(body), end + 2)
        if len(data) < pos + size + 2:
            return None, pos
        body += data[pos:pos + size]
        pos += size + 2


class RawUpstream:
    """An HTTP/1.1 upstream that answers every request with the bytes `respond(head, body)`
    returns (bytes, or (bytes, close_after)). Requests are framed by Content-Length only; each is
    recorded raw in `requests` (head bytes, body bytes)."""

    def __init__(self, respond):
        self.respond = respond
        self.requests = []
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._stop = False
        self._conns = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop:
            try:
                c, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = c.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, _, buf = buf.partition(b"\r\n\r\n")
                n = 0
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        n = int(v.strip())
                while len(buf) < n:
                    chunk = c.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                body, buf = buf[:n], buf[n:]
                with self._lock:
                    self.requests.append((head + b"\r\n\r\n", body))
                out = self.respond(head, body)
                close = False
                if isinstance(out, tuple):
                    out, close = out
                c.sendall(out)
                if close:
                    return
        except OSError:
            return
        finally:
            c.close()

    def paths(self):
        with self._lock:
            return [h.split(b" ")[1].decode("latin-1") for h, _ in self.requests]

    def stop(self):
        self._stop = True
        self._listener.close()
        with self._lock:
            for c in self._conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()

    close = stop


# --- HTTP/2 (RFC 9113) -------------------------------------------------------------------------

class H2:
    DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 6, 7, 8
    END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
    ENHANCE_YOUR_CALM = 0xb


def h2_preface():
    return b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(H2.SETTINGS, 0, 0, b"")


def h2_frame(ftype, flags, stream_id, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream_id & 0x7fffffff) + payload


def _hpack_int(value, prefix_bits, first):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7f) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_literal(headers):
    """HPACK 'literal header field without indexing, new name' for each (name, value)."""
    out = bytearray()
    for name, value in headers:
        n, v = name.encode(), value.encode()
        out += b"\x00" + _hpack_int(len(n), 7, 0) + n + _hpack_int(len(v), 7, 0) + v
    return bytes(out)


def read_h2_frames(sock, until, timeout=10.0):
    """Reads frames until `until(ftype, flags, sid, payload)` is true or EOF; returns the list."""
    sock.settimeout(timeout)
    buf, frames = b"", []
    while True:
        while len(buf) >= 9:
            n = int.from_bytes(buf[:3], "big")
            if len(buf) < 9 + n:
                break
            f = (buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7fffffff, buf[9:9 + n])
            buf = buf[9 + n:]
            frames.append(f)
            if until(*f):
                return frames
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            chunk = b""
        if not chunk:
            return frames
        buf += chunk
