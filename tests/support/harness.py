"""Shared fixtures for the integration tests: ports, certificates, configs, a running `versa serve`,
and curl as the client.

Everything binds to 127.0.0.1 on ephemeral ports; readiness is awaited by polling (the admin
`/readyz`, or a port), never by sleeping a fixed time; temp dirs and processes are removed even
when a test fails. The gateway binary comes from $VERSA_BIN (meson sets it), else build/cli/versa.
"""
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from upstream import Upstream  # noqa: E402  (re-exported for the tests)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
READY_TIMEOUT = 60.0  # the ASan+UBSan build starts slowly on a busy machine
STOP_TIMEOUT = 60.0
MEDIA_TYPE = "application/vnd.acme+json"

__all__ = ["Upstream", "REPO", "MEDIA_TYPE", "TLS_PROTOS", "versa_bin", "wait_until", "free_port",
           "port_refuses", "RefusingPort", "BlackholePort", "make_cert", "to_yaml", "Versa",
           "Response", "curl", "curl_many", "nghttp_many", "problem_of", "Sandbox",
           "SandboxCase", "GatewayCase", "echo_header", "echo_header_all"]


def versa_bin():
    path = os.environ.get("VERSA_BIN") or os.path.join(REPO, "build", "cli", "versa")
    if not os.access(path, os.X_OK):  # a failure, not a skip: a missing binary is never green
        raise AssertionError("versa binary not found at %s (set VERSA_BIN)" % path)
    return path


def read_jsonl(path):
    """The complete lines of a JSON-lines file another process is appending to, parsed: a last
    line without its newline is still being written (a reader can see half of a write) and is
    left for the next poll. [] while the file does not exist."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    end = data.rfind(b"\n") + 1
    return [json.loads(l) for l in data[:end].decode("utf-8").split("\n") if l.strip()]


def wait_until(predicate, timeout, what, interval=0.02, procs=()):
    """Polls `predicate` until it returns a true value (returned) or `timeout` seconds pass.
    Fails at once when one of `procs` (Popen objects the wait depends on) has exited."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        for p in procs:
            if p.poll() is not None:
                raise AssertionError("%s exited with %s while waiting for %s"
                                     % (p.args[0] if isinstance(p.args, list) else p.args,
                                        p.returncode, what))
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))
        time.sleep(interval)


_HANDED_OUT = set()

# Ports are claimed across processes too: meson runs several test scripts at once, and each
# binds port 0 on its own, so two of them could be given the same just-closed port. A claim is a
# file named after the port, created with O_EXCL, holding the claiming process's pid. Under
# $VERSA_PORT_DIR (tests/run-all.sh makes a fresh one per run) a claim is never released, so no
# port is handed out twice in a run; in the shared default folder a claim whose process is gone
# is taken over, so ad-hoc runs do not use the range up.
_PORT_DIR_STRICT = "VERSA_PORT_DIR" in os.environ
_PORT_DIR = os.environ.get("VERSA_PORT_DIR") or os.path.join(
    tempfile.gettempdir(), "versa-test-ports-%d" % os.getuid())


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claim_port(port):
    """True when this process now owns `port` for the run."""
    os.makedirs(_PORT_DIR, exist_ok=True)
    path = os.path.join(_PORT_DIR, str(port))
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if _PORT_DIR_STRICT:
                return False
            try:
                with open(path) as f:
                    owner = int(f.read().strip() or "0")
            except (OSError, ValueError):
                return False  # being written by its claimer right now
            if owner == 0 or _pid_alive(owner):
                return False
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # a finished process's claim; O_EXCL decides between takers
            continue
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return True
    return False


def free_port():
    """A port that was free a moment ago (bind to 0, read it, close), and never one handed out
    before in this run, by this process or by another test running beside it: the kernel may
    give a just-closed port again, and two listeners of one scenario on the same port would fail
    (or worse, pass by talking to the wrong one)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _HANDED_OUT and _claim_port(port):
            _HANDED_OUT.add(port)
            return port


def port_refuses(port):
    """True when a TCP connect to 127.0.0.1:port is refused."""
    with socket.socket() as s:
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port))
        except ConnectionRefusedError:
            return True
        except OSError:
            return False
        return False


class RefusingPort:
    """A port nobody listens on: bound (so nobody else takes it) but not listening, so connects
    get an RST. Close it when done."""

    def __init__(self):
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]

    def close(self):
        self._sock.close()


class BlackholePort:
    """A port whose SYNs go unanswered: a listener with backlog 0 whose accept queue we fill and
    never drain, so a further connect() hangs until the connecting side times out (Linux drops
    SYNs while the accept queue is full)."""

    def __init__(self):
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        self._fill = []
        for _ in range(3):
            s = socket.socket()
            s.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                s.connect(("127.0.0.1", self.port))
            self._fill.append(s)
        wait_until(self._full, 10, "the blackhole accept queue to fill")

    def _full(self):
        with socket.socket() as s:
            s.settimeout(0.2)
            try:
                s.connect(("127.0.0.1", self.port))
            except (socket.timeout, BlockingIOError):
                return True
            except OSError:
                return False
            return False

    def close(self):
        for s in self._fill:
            s.close()
        self._listener.close()


def make_cert(directory):
    """A self-signed certificate for 127.0.0.1/localhost; returns (cert_path, key_path)."""
    crt = os.path.join(directory, "server.crt")
    key = os.path.join(directory, "server.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", crt],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return crt, key


def _yaml_scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(str(v))  # a JSON string is a valid YAML double-quoted scalar


def to_yaml(obj, indent=0):
    """Block-style YAML for nested dicts/lists of scalars (dict order is kept)."""
    pad = "  " * indent
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                out.append("%s%s:" % (pad, k))
                out.append(to_yaml(v, indent + 1))
            elif isinstance(v, (dict, list)):
                out.append("%s%s: %s" % (pad, k, "{}" if isinstance(v, dict) else "[]"))
            else:
                out.append("%s%s: %s" % (pad, k, _yaml_scalar(v)))
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, (dict, list)) and item:
                sub = to_yaml(item, indent + 1)
                out.append("%s- %s" % (pad, sub[len(pad) + 2:]))
            else:
                out.append("%s- %s" % (pad, _yaml_scalar(item)))
    else:
        out.append(pad + _yaml_scalar(obj))
    return "\n".join(out)


def _tail(path, lines=80):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return "(no %s)" % os.path.basename(path)
    text = data.decode("utf-8", "replace").rstrip("\n").split("\n")
    return "\n".join(text[-lines:])


class Versa:
    """One `versa serve -c` process with its config file and logs in `directory`."""

    def __init__(self, directory, config, name="versa", config_path=None, cwd=None):
        self.dir = directory
        self.cwd = cwd or directory
        self.name = name
        self.config_path = config_path or os.path.join(directory, name + ".yaml")
        text = config if isinstance(config, str) else to_yaml(config) + "\n"
        with open(self.config_path, "w") as f:
            f.write(text)
        self.config = config
        self.stdout_path = os.path.join(directory, name + ".stdout")
        self.stderr_path = os.path.join(directory, name + ".stderr")
        self.proc = None
        self.admin_port = None
        if isinstance(config, dict) and config.get("admin"):
            self.admin_port = int(config["admin"]["address"].rsplit(":", 1)[1])

    def start(self, args=(), wait_ready=True):
        with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen([versa_bin(), "serve", "-c", self.config_path, *args],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         cwd=self.cwd)
        if wait_ready:
            try:
                wait_until(self._ready, READY_TIMEOUT, "GET /readyz on the admin listener")
            except BaseException:
                self.kill()
                raise
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("versa exited with %s before it was ready\n%s"
                                 % (self.proc.returncode, self.diagnostics()))
        try:
            status, _, _ = self.admin("/readyz", timeout=2)
        except OSError:
            return False
        return status == 200

    def admin(self, path, timeout=10):
        """GET on the admin listener: (status, headers dict with lower-case names, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=timeout)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
        finally:
            conn.close()

    @property
    def pid(self):
        return self.proc.pid

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT):
        """Waits for exit; returns the exit code (negative for a signal), or raises on timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("versa did not exit within %.0fs\n%s"
                                 % (timeout, self.diagnostics()))

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Sends `sig` and waits; returns the exit code. Idempotent."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stdout(self):
        with open(self.stdout_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def diagnostics(self):
        """Exit status, config (the first time only: it does not change) and log tails."""
        rc = None if self.proc is None else self.proc.poll()
        if getattr(self, "_config_shown", False):
            config = "(shown above)"
        else:
            config = "\n" + _read(self.config_path)
            self._config_shown = True
        return "%s (pid %s, exit %s) config %s: %s\n--- stderr (tail) ---\n%s\n" \
               "--- stdout (tail) ---\n%s" % (
                   self.name, self.proc.pid if self.proc else "-", rc, self.config_path,
                   config, _tail(self.stderr_path), _tail(self.stdout_path, 20))


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


class Response:
    """What curl saw: exit code, status, HTTP version, headers (lower-case names, in order),
    body bytes, curl's stderr and total time in seconds."""

    def __init__(self, rc, info, headers, body, stderr):
        self.rc = rc
        self.info = info
        self.status = int(info.get("http_code") or 0) if info else 0
        self.version = info.get("http_version") if info else None
        self.time_total = float(info.get("time_total") or 0) if info else 0.0
        self.headers = headers
        self.body = body
        self.stderr = stderr

    def header(self, name):
        for k, v in self.headers:
            if k == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k == name.lower()]

    def tokens(self, name):
        """Comma-separated tokens of all `name` fields, lower-cased."""
        out = []
        for v in self.header_all(name):
            out += [t.strip().lower() for t in v.split(",") if t.strip()]
        return out

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<curl rc=%s HTTP/%s %s headers=%r body=%r stderr=%r>" % (
            self.rc, self.version, self.status, self.headers, self.body[:600], self.stderr)


def _parse_header_dump(data):
    text = data.decode("iso-8859-1")
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.startswith("HTTP/")]
    if not blocks:
        return []
    headers = []
    for line in blocks[-1].split("\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers.append((k.strip().lower(), v.strip()))
    return headers


PROTO_FLAGS = {
    "h1": ["--http1.1"],
    "h2c": ["--http2-prior-knowledge"],
    "h2": ["--http2"],        # TLS, ALPN h2
    "tls-h1": ["--http1.1"],  # TLS, ALPN http/1.1
}
TLS_PROTOS = ("h2", "tls-h1")


def curl(url, method=None, headers=(), data=None, proto="h1", cacert=None, timeout=60,
         extra=(), workdir=None):
    """Runs one curl transfer and returns a Response. `data` (bytes) is sent as the body from a
    file; `headers` is a list of "Name: value" strings."""
    own_dir = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="versa-curl-")
    try:
        hdr_path = os.path.join(workdir, "headers")
        body_path = os.path.join(workdir, "body")
        cmd = ["curl", "-sS", "--noproxy", "*", "--path-as-is", "-D", hdr_path, "-o", body_path,
               "-w", "%{json}", "--max-time", str(timeout)] + PROTO_FLAGS[proto]
        if cacert:
            cmd += ["--cacert", cacert]
        if method == "HEAD":
            cmd.append("--head")
        elif method:
            cmd += ["-X", method]
        for h in headers:
            cmd += ["-H", h]
        if data is not None:
            data_path = os.path.join(workdir, "request-body")
            with open(data_path, "wb") as f:
                f.write(data)
            cmd += ["--data-binary", "@" + data_path]
        cmd += list(extra) + [url]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout + 30)
        try:
            info = json.loads(p.stdout.decode() or "{}")
        except ValueError:
            info = {}
        hdrs = _parse_header_dump(_read_bytes(hdr_path))
        body = b"" if method == "HEAD" else _read_bytes(body_path)  # --head writes headers there
        return Response(p.returncode, info, hdrs, body,
                        p.stderr.decode("utf-8", "replace"))
    finally:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)


def curl_many(urls, proto="h1", parallel=False, cacert=None, headers=(), timeout=120):
    """Fetches `urls` with ONE curl process (one connection reused, or multiplexed with h2 when
    `parallel`); returns (curl exit code, list of status codes in completion order)."""
    with tempfile.TemporaryDirectory(prefix="versa-curl-") as d:
        cfg = os.path.join(d, "urls")
        with open(cfg, "w") as f:
            for u in urls:
                f.write('url = "%s"\noutput = "/dev/null"\n' % u)
        cmd = ["curl", "-sS", "--noproxy", "*", "-K", cfg, "-w", "%{http_code}\\n",
               "--max-time", str(timeout)] + PROTO_FLAGS[proto]
        if parallel:
            cmd += ["--parallel", "--parallel-max", "32"]
        if cacert:
            cmd += ["--cacert", cacert]
        for h in headers:
            cmd += ["-H", h]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout + 30)
        codes = [int(x) for x in p.stdout.decode().split()]
        return p.returncode, codes


def nghttp_many(urls, timeout=120):
    """Fetches `urls` (same origin, cleartext) as concurrent streams of ONE h2c connection (prior
    knowledge) with nghttp; returns (exit code, status codes). curl 7.88 cannot do this: its
    --parallel with --http2-prior-knowledge fails every transfer but the first with error 16."""
    p = subprocess.run(["nghttp", "-n", "-s", "-t", str(timeout), *urls],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout + 30)
    codes = [int(m) for m in re.findall(r"^\s*\d+\s+\S+\s+\S+\s+\S+\s+(\d{3})\s",
                                        p.stdout.decode(), re.M)]
    return p.returncode, codes


def _read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def problem_of(testcase, resp, status):
    """Asserts `resp` is an RFC 9457 problem with `status` and returns its JSON object."""
    testcase.assertEqual(resp.rc, 0, resp)
    testcase.assertEqual(resp.status, status, resp)
    ctype = (resp.header("content-type") or "").split(";")[0].strip().lower()
    testcase.assertEqual(ctype, "application/problem+json", resp)
    try:
        doc = json.loads(resp.body)
    except ValueError:
        testcase.fail("problem body is not JSON: %r" % resp)
    testcase.assertIsInstance(doc, dict, resp)
    for key in ("type", "title", "detail"):
        testcase.assertIsInstance(doc.get(key), str, "problem member %r: %r" % (key, doc))
        testcase.assertTrue(doc[key], "problem member %r is empty: %r" % (key, doc))
    testcase.assertEqual(doc.get("status"), status, doc)
    return doc


class Sandbox:
    """Everything one gateway scenario needs: a temp dir, the named upstreams (`up[name]`), free
    ports for a cleartext listener, a TLS listener (with a fresh self-signed certificate) and the
    admin listener, and the gateways started in it. `close()` removes all of it."""

    def __init__(self, upstreams=("v1", "v2"), tls=True, threads=2):
        self.tmp = tempfile.mkdtemp(prefix="versa-it-")
        self.up = {}
        self.gateways = []
        self.closers = []
        self.threads = threads
        try:
            for name in upstreams:
                self.up[name] = Upstream(name).start()
            self.cert, self.key = make_cert(self.tmp) if tls else (None, None)
            self.http_port, self.tls_port, self.admin_port = free_port(), free_port(), free_port()
            self.access_log = os.path.join(self.tmp, "access.log")
        except BaseException:
            self.close()
            raise

    def pets_api(self, **extra):
        """The issue's sample API: pets v1 -> upstream "v1" under /legacy, v2 -> upstream "v2"."""
        api = {
            "name": "pets",
            "prefix": "/pets",
            "versions": {
                "v1": {"upstream": self.up["v1"].url + "/legacy"},
                "v2": {"upstream": self.up["v2"].url},
            },
            "timeouts": {"connect_ms": 1000, "response_ms": 15000},
        }
        api.update(extra)
        return api

    def config(self, apis=None, **overrides):
        """The issue's sample config on this sandbox's ports (plus a file access log, a body limit
        and a long shutdown bound); keyword arguments replace top-level keys."""
        listen = [{"address": "127.0.0.1:%d" % self.http_port}]
        if self.cert:
            listen.append({"address": "127.0.0.1:%d" % self.tls_port,
                           "tls": {"certificate": self.cert, "key": self.key}})
        cfg = {
            "listen": listen,
            "admin": {"address": "127.0.0.1:%d" % self.admin_port},
            "threads": self.threads,
            "access_log": self.access_log,
            "shutdown_timeout_ms": 30000,
            "limits": {"max_request_body": "1MiB"},
            "versioning": {"default": "v2", "media_type": MEDIA_TYPE, "header": "Api-Version"},
            "apis": apis if apis is not None else [self.pets_api()],
        }
        cfg.update(overrides)
        return cfg

    def versa(self, config, name="versa", config_path=None, cwd=None):
        """A gateway (not started) writing its config (to `config_path` if given) and logs into
        the sandbox, running in `cwd` (default: the sandbox)."""
        gw = Versa(self.tmp, config, name, config_path, cwd)
        self.gateways.append(gw)
        return gw

    def url(self, path, proto="h1"):
        if proto in TLS_PROTOS:
            return "https://127.0.0.1:%d%s" % (self.tls_port, path)
        return "http://127.0.0.1:%d%s" % (self.http_port, path)

    def request(self, path, proto="h1", **kw):
        if proto in TLS_PROTOS:
            kw.setdefault("cacert", self.cert)
        return curl(self.url(path, proto), proto=proto, **kw)

    def diagnostics(self):
        return "\n".join(gw.diagnostics() for gw in self.gateways)

    def close(self):
        for gw in self.gateways:
            gw.kill()
        for up in self.up.values():
            up.stop()
        for c in self.closers:
            c.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class SandboxCase(unittest.TestCase):
    """A test class whose every test gets a fresh Sandbox (`self.sb`), closed after the test."""

    def setUp(self):
        self.sb = Sandbox()

    def tearDown(self):
        self.sb.close()

    def diagnostics(self):
        return self.sb.diagnostics()


class GatewayCase(unittest.TestCase):
    """A test class sharing one gateway and its upstreams (started once per class).

    The class gets a Sandbox with the upstreams named in UPSTREAMS (`cls.up[name]`) and its ports
    as attributes. The config is the sandbox's default (the issue's sample); override `apis()`
    or `config()` to change it, and `prepare()` to set up more before the config is made. The
    gateway must exit 0 on SIGTERM at the end of the class."""

    UPSTREAMS = ("v1", "v2")
    TLS = True
    THREADS = 2

    @classmethod
    def apis(cls):
        return [cls.sandbox.pets_api()]

    @classmethod
    def config(cls):
        return cls.sandbox.config(cls.apis())

    @classmethod
    def prepare(cls):
        """Hook: runs after upstreams and ports exist, before the config is made."""

    @classmethod
    def setUpClass(cls):
        cls.gw = None
        cls.sandbox = sb = Sandbox(cls.UPSTREAMS, cls.TLS, cls.THREADS)
        try:
            cls.up, cls.tmp, cls.cert, cls.key = sb.up, sb.tmp, sb.cert, sb.key
            cls.http_port, cls.tls_port, cls.admin_port = sb.http_port, sb.tls_port, sb.admin_port
            cls.access_log = sb.access_log
            cls._closers = sb.closers
            cls.prepare()
            cls.gw = sb.versa(cls.config()).start()
        except BaseException:
            sb.close()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            rc = cls.gw.stop()
            if rc != 0:
                raise AssertionError("versa exited with %s on SIGTERM (expected 0)\n%s"
                                     % (rc, cls.gw.diagnostics()))
        finally:
            cls.sandbox.close()

    def setUp(self):
        # A gateway that died in an earlier test (which failed for it) is replaced, so that one
        # crash does not hide the results of every later test.
        cls = type(self)
        if cls.gw.proc.poll() is not None:
            name = "versa-restart%d" % len(cls.sandbox.gateways)
            cls.gw = cls.sandbox.versa(cls.config(), name).start()

    def tearDown(self):
        rc = self.gw.proc.poll()
        if rc is not None:
            self.fail("versa died during this test (exit %s)" % rc)

    def diagnostics(self):
        return self.gw.diagnostics() if self.gw else ""

    def url(self, path, proto="h1"):
        return self.sandbox.url(path, proto)

    def request(self, path, proto="h1", **kw):
        return self.sandbox.request(path, proto, **kw)

    def echo(self, path, proto="h1", **kw):
        """A request that must reach an echo upstream: asserts 200 and returns (response, echo)."""
        r = self.request(path, proto=proto, **kw)
        self.assertEqual((r.rc, r.status), (0, 200), r)
        return r, r.json()


def echo_header(echo, name):
    """First value of header `name` as the upstream received it, or None."""
    for k, v in echo["headers"]:
        if k.lower() == name.lower():
            return v
    return None


def echo_header_all(echo, name):
    return [v for k, v in echo["headers"] if k.lower() == name.lower()]
