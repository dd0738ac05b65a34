#!/usr/bin/env python3
"""The soak run of bench/soak.sh (see bench/README.md): versa serves mixed traffic for MINUTES
minutes while a fault is injected every FAULT_EVERY seconds; RSS and open fds of versa are
sampled every second. Prints the curves, the accounting of every request and a verdict.

Traffic: wrk (HTTP/1.1) and h2load (HTTP/2) over a plain API (/plain, shadowed to a candidate),
spec-routed and adapted versions (/v1/pets and /v2/pets adapted from /v3/pets, recorded).
Faults, in turn: the upstream killed (SIGKILL) and restarted 2 s later; a hanging upstream (20
requests that get 504 after response_ms); a slowloris client (40 connections sending their head
a byte every half second, cut by client_request_timeout_ms); an upstream answering garbage (20
requests that get 502). Every fault request is accounted for too.

Arguments: versa binary, scratch dir, nginx binary. Environment: MINUTES (default 10), SOAK_SECONDS
(overrides MINUTES), FAULT_EVERY (5), WARMUP (60 s, or a tenth of a short run), FLAT_PCT (10),
WRK_CONNECTIONS (16), H2_CLIENTS (4), H2_STREAMS (4)."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

VERSA, TMP, NGINX = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FIX = os.path.join(REPO, "tests", "integration", "fixtures", "adapters")
DURATION = int(os.environ.get("SOAK_SECONDS", "0")) or int(float(os.environ.get("MINUTES", "10")) * 60)
FAULT_EVERY = float(os.environ.get("FAULT_EVERY", "5"))
WARMUP = int(os.environ.get("WARMUP", str(min(60, max(5, DURATION // 10)))))
FLAT_PCT = float(os.environ.get("FLAT_PCT", "10"))
WRK_C = int(os.environ.get("WRK_CONNECTIONS", "16"))
H2_C = int(os.environ.get("H2_CLIENTS", "4"))
H2_M = int(os.environ.get("H2_STREAMS", "4"))


def ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    out = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return out


UP, CAND, HANG, GARBAGE, VPORT, ADMIN = ports(6)
PET = {"id": "p1", "name": "Rex", "category": "dog", "owner": None, "price": 1250,
       "status": "available"}
V3_LIST = json.dumps({"data": [PET, dict(PET, id="p2", name="Tom")], "next": None})
PLAIN = json.dumps({"items": [{"id": i, "name": "item-%d" % i} for i in range(20)]})


def nginx_conf(port, name):
    path = os.path.join(TMP, name + ".conf")
    with open(path, "w") as f:
        f.write("""worker_processes 1;
daemon off;
pid %(tmp)s/%(name)s.pid;
error_log %(tmp)s/%(name)s.error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path %(tmp)s/%(name)s.body;
    proxy_temp_path %(tmp)s/%(name)s.proxy;
    fastcgi_temp_path %(tmp)s/%(name)s.fcgi;
    uwsgi_temp_path %(tmp)s/%(name)s.uwsgi;
    scgi_temp_path %(tmp)s/%(name)s.scgi;
    default_type application/json;
    server {
        listen 127.0.0.1:%(port)d;
        location = /pets { return 200 '%(v3)s'; }
        location /pets/ { return 200 '%(pet)s'; }
        location / { return 200 '%(plain)s'; }
    }
}
""" % {"tmp": TMP, "name": name, "port": port, "v3": V3_LIST, "pet": json.dumps(PET),
            "plain": PLAIN})
    return path


STARTED = []  # every process group started, stopped on any exit


def start_nginx(port, name):
    conf = nginx_conf(port, name)
    p = subprocess.Popen([NGINX, "-e", os.path.join(TMP, name + ".early.log"), "-p", TMP,
                          "-c", conf], start_new_session=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    STARTED.append(p)
    wait_port(port)
    return p


def stop_all():
    for p in STARTED:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


def wait_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("port %d never accepted" % port)


def serve_forever(port, on_conn):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(512)

    def loop():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=on_conn, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return srv


def hang(c):
    """Reads and never answers; the gateway gives up after response_ms."""
    try:
        while c.recv(65536):
            pass
    except OSError:
        pass
    c.close()


def garbage(c):
    try:
        c.recv(65536)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"zz\r\nnot a chunk\r\n\x00\xff" * 3)
    except OSError:
        pass
    c.close()


CONFIG = """\
listen:
  - address: 127.0.0.1:%(vport)d
admin:
  address: 127.0.0.1:%(admin)d
threads: 2
access_log: off
limits:
  client_request_timeout_ms: 3000
  client_idle_timeout_ms: 10000
apis:
  - name: plain
    prefix: /plain
    versions:
      v1: {upstream: "http://127.0.0.1:%(up)d"}
    shadow:
      - version: v1
        candidate: "http://127.0.0.1:%(cand)d"
        sample: 0.2
        log: {file: %(tmp)s/shadow.log, max_bytes: 8MiB, keep: 1}
  - name: hang
    prefix: /hang
    versions:
      v1: {upstream: "http://127.0.0.1:%(hang)d"}
    timeouts: {connect_ms: 500, response_ms: 1000}
  - name: garbage
    prefix: /garbage
    versions:
      v1: {upstream: "http://127.0.0.1:%(garbage)d"}
  - name: pets
    default: v3
    adapters: %(fix)s/pets.yaml
    record: {file: %(tmp)s/pets.capture.jsonl, sample: 0.05, max_bytes: 16MiB, keep: 2}
    versions:
      v1: {spec: %(fix)s/v1.json}
      v2: {spec: %(fix)s/v2.json}
      v3: {upstream: "http://127.0.0.1:%(up)d", spec: %(fix)s/v3.json}
"""

WRK_LUA = """
local paths = {"/plain/items", "/v1/pets", "/v3/pets", "/v2/pets", "/v3/pets/p1", "/plain/x"}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; sent = 0; c2 = 0; c3 = 0; c4 = 0; c5 = 0; other = 0 end
function request()
  n = n + 1; sent = sent + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
function response(status, headers, body)
  if status < 300 then c2 = c2 + 1 elseif status < 400 then c3 = c3 + 1
  elseif status < 500 then c4 = c4 + 1 elseif status < 600 then c5 = c5 + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local t = {sent = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, other = 0}
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + th:get(k) end
  end
  local e = summary.errors
  io.write(string.format("WRK sent=%%d 2xx=%%d 3xx=%%d 4xx=%%d 5xx=%%d other=%%d connect=%%d read=%%d write=%%d timeout=%%d\\n",
    t.sent, t.c2, t.c3, t.c4, t.c5, t.other, e.connect, e.read, e.write, e.timeout))
end
"""


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = {}

    def add(self, key, n=1):
        with self.lock:
            self.c[key] = self.c.get(key, 0) + n


def raw_request(path, counts, name, timeout):
    """One request on its own connection: counted by status class, or as closed / timeout."""
    counts.add(name + ".sent")
    try:
        s = socket.create_connection(("127.0.0.1", VPORT), 5)
        s.settimeout(timeout)
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        m = re.match(rb"HTTP/1\.1 (\d)\d\d ", data)
        counts.add(name + (".%sxx" % m.group(1).decode() if m else ".closed"))
    except socket.timeout:
        counts.add(name + ".timeout")
    except OSError:
        counts.add(name + ".error")


def slowloris(counts, stop_at):
    """40 connections sending a head a byte every half second: the gateway must cut them by
    client_request_timeout_ms (3 s), with a 408 or a close."""
    head = b"GET /plain/slow HTTP/1.1\r\nHost: soak\r\nX-Pad: " + b"a" * 64 + b"\r\n\r\n"
    conns = []
    for _ in range(40):
        try:
            s = socket.create_connection(("127.0.0.1", VPORT), 5)
            s.setblocking(False)
            conns.append([s, 0, b""])
            counts.add("slowloris.sent")
        except OSError:
            counts.add("slowloris.error")
    while conns and time.monotonic() < stop_at:
        for c in list(conns):
            s = c[0]
            try:
                if c[1] < len(head):
                    s.send(head[c[1]:c[1] + 1])
                    c[1] += 1
            except OSError:
                pass
            try:
                data = s.recv(4096)
                c[2] += data
                if not data or b"\r\n" in c[2]:
                    m = re.match(rb"HTTP/1\.1 (\d)\d\d ", c[2])
                    counts.add("slowloris." + ("%sxx" % m.group(1).decode() if m else "closed"))
                    s.close()
                    conns.remove(c)
            except BlockingIOError:
                pass
            except OSError:
                counts.add("slowloris.closed")
                s.close()
                conns.remove(c)
        time.sleep(0.5)
    for c in conns:  # still open past the window: the gateway failed to cut them
        counts.add("slowloris.not_cut")
        c[0].close()


def main():
    os.makedirs(TMP, exist_ok=True)
    up = start_nginx(UP, "upstream")
    cand = start_nginx(CAND, "candidate")
    servers = [serve_forever(HANG, hang), serve_forever(GARBAGE, garbage)]
    cfg = os.path.join(TMP, "versa.yaml")
    with open(cfg, "w") as f:
        f.write(CONFIG % {"vport": VPORT, "admin": ADMIN, "up": UP, "cand": CAND, "hang": HANG,
                          "garbage": GARBAGE, "fix": FIX, "tmp": TMP})
    versa = subprocess.Popen([VERSA, "serve", "-c", cfg], stdout=subprocess.DEVNULL,
                             stderr=open(os.path.join(TMP, "versa.stderr"), "wb"),
                             start_new_session=True)
    STARTED.append(versa)
    try:
        wait_port(VPORT)
    except SystemExit:
        with open(os.path.join(TMP, "versa.stderr")) as f:
            sys.stderr.write(f.read())
        raise
    samples = []  # (t, rss KiB, fds, heap in use KiB)
    stop = threading.Event()
    t0 = time.monotonic()

    def sample():
        while True:
            try:
                with open("/proc/%d/status" % versa.pid) as f:
                    rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
                fds = len(os.listdir("/proc/%d/fd" % versa.pid))
            except (OSError, AttributeError):
                return
            samples.append((time.monotonic() - t0, rss, fds, heap_in_use_kib()))
            if stop.wait(1.0):
                return
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    lua = os.path.join(TMP, "soak.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA % ())
    base = "http://127.0.0.1:%d" % VPORT
    wrk = subprocess.Popen(["wrk", "-t1", "-c%d" % WRK_C, "-d%ds" % DURATION, "--timeout", "10s",
                            "-s", lua, base + "/"], stdout=subprocess.PIPE, text=True,
                           start_new_session=True)
    STARTED.append(wrk)
    h2 = subprocess.Popen(["h2load", "-D", str(DURATION), "-c%d" % H2_C, "-m%d" % H2_M,
                           "-T", "10", base + "/plain/h2", base + "/v1/pets", base + "/v3/pets"],
                          stdout=subprocess.PIPE, text=True, start_new_session=True)
    STARTED.append(h2)
    counts = Counts()
    faults = ["kill upstream", "hanging upstream", "slowloris", "garbage upstream"]
    k = 0
    end = t0 + DURATION
    fault_threads = []
    while time.monotonic() + FAULT_EVERY < end:
        time.sleep(FAULT_EVERY)
        if versa.poll() is not None:
            break
        fault = faults[k % len(faults)]
        k += 1
        counts.add("fault." + fault)
        if fault == "kill upstream":
            os.killpg(up.pid, signal.SIGKILL)
            up.wait()
            time.sleep(2)
            up = start_nginx(UP, "upstream")
        elif fault in ("hanging upstream", "garbage upstream"):
            name, path, timeout = (("hang", "/hang/x", 5) if fault == "hanging upstream"
                                   else ("garbage", "/garbage/x", 5))
            for _ in range(20):
                t = threading.Thread(target=raw_request, args=(path, counts, name, timeout))
                t.start()
                fault_threads.append(t)
        else:
            t = threading.Thread(target=slowloris, args=(counts, time.monotonic() + 8))
            t.start()
            fault_threads.append(t)
    wrk_out, _ = wrk.communicate()
    h2_out, _ = h2.communicate()
    for t in fault_threads:
        t.join()
    time.sleep(12)  # idle past upstream_keepalive_ms (10 s): pooled connections close
    stop.set()
    sampler.join()
    alive = versa.poll() is None
    versa.send_signal(signal.SIGTERM)
    try:
        rc = versa.wait(30)
    except subprocess.TimeoutExpired:
        versa.kill()
        rc = "hung on SIGTERM"
    for p in (up, cand):
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        p.wait()
    for s in servers:
        s.close()
    report(samples, wrk_out, h2_out, counts.c, alive, rc)


def heap_in_use_kib():
    """versa_memory_in_use_bytes from the admin /metrics (malloc's bytes in use: a leak grows it,
    fragmentation does not), in KiB; the previous sample's value when the scrape fails."""
    try:
        with socket.create_connection(("127.0.0.1", ADMIN), 2) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        m = re.search(rb"\nversa_memory_in_use_bytes (\d+)", data)
        return int(m.group(1)) // 1024 if m else 0
    except OSError:
        return 0


def curve(samples, idx, unit, scale):
    warm = next((s for s in samples if s[0] >= WARMUP), samples[-1])
    peak = max(samples, key=lambda s: s[idx])
    first, last = samples[0], samples[-1]
    print("  %s: start %.1f%s (t=0), after warm-up %.1f%s (t=%ds), peak %.1f%s (t=%ds), "
          "end %.1f%s (t=%ds)" % (unit[0], first[idx] / scale, unit[1], warm[idx] / scale, unit[1],
                                   warm[0], peak[idx] / scale, unit[1], peak[0], last[idx] / scale,
                                   unit[1], last[0]))
    return warm[idx], last[idx]


def report(samples, wrk_out, h2_out, c, alive, rc):
    ok = True
    print("\n== soak: %d s, a fault every %.0f s (%s) ==" % (
        DURATION, FAULT_EVERY, ", ".join("%s x%d" % (k[6:], v) for k, v in sorted(c.items())
                                         if k.startswith("fault."))))
    if not samples:
        print("no samples: versa did not run")
        sys.exit(1)
    step = max(1, len(samples) // 20)
    print("  t(s)   RSS(MB)  fds  heap in use(MB)")
    for s in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
        print("  %5d  %7.1f  %4d  %7.1f" % (s[0], s[1] / 1024, s[2], s[3] / 1024))
    print("curves (sampled every second, %d samples):" % len(samples))
    rss_warm, rss_end = curve(samples, 1, ("RSS", " MB"), 1024)
    fd_warm, fd_end = curve(samples, 2, ("fds", ""), 1)
    heap_warm, heap_end = curve(samples, 3, ("heap in use", " MB"), 1024)
    rss_flat = rss_end <= rss_warm * (1 + FLAT_PCT / 100)
    fd_flat = fd_end <= fd_warm * (1 + FLAT_PCT / 100) + 2
    heap_flat = heap_end <= heap_warm * (1 + FLAT_PCT / 100)
    print("  RSS %s: end within %.0f%% of the value after warm-up (%+.1f%%)" % (
        "flat" if rss_flat else "GROWING", FLAT_PCT, 100.0 * (rss_end - rss_warm) / rss_warm))
    print("  fds %s: end %d, after warm-up %d" % ("flat" if fd_flat else "GROWING", fd_end, fd_warm))
    print("  heap in use %s: end within %.0f%% of the value after warm-up (%+.1f%%)" % (
        "flat" if heap_flat else "GROWING", FLAT_PCT,
        100.0 * (heap_end - heap_warm) / max(heap_warm, 1)))
    ok &= rss_flat and fd_flat and heap_flat

    print("accounting:")
    m = re.search(r"WRK sent=(\d+) 2xx=(\d+) 3xx=(\d+) 4xx=(\d+) 5xx=(\d+) other=(\d+) "
                  r"connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+)", wrk_out or "")
    if m:
        sent, c2, c3, c4, c5, other, econn, eread, ewrite, etime = map(int, m.groups())
        answered = c2 + c3 + c4 + c5 + other
        errors = econn + eread + ewrite + etime
        gap = sent - answered - errors
        print("  HTTP/1.1 (wrk): %d sent = %d answered (2xx %d, 3xx %d, 4xx %d, 5xx %d) + %d "
              "errors (connect %d, read %d, write %d, timeout %d) %+d in flight at the end "
              "(at most %d)" % (sent, answered, c2, c3, c4, c5, errors, econn, eread, ewrite,
                                etime, gap, WRK_C))
        ok &= 0 <= gap <= WRK_C and other == 0
    else:
        print("  HTTP/1.1 (wrk): no summary\n%s" % wrk_out)
        ok = False
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored, (\d+) timeout", h2_out or "")
    s = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", h2_out or "")
    if m and s:
        total, started, done, succ, failed, errored, tout = map(int, m.groups())
        c2, c3, c4, c5 = map(int, s.groups())
        answered = c2 + c3 + c4 + c5
        gap = started - answered - errored - tout
        print("  HTTP/2 (h2load): %d started = %d answered (2xx %d, 3xx %d, 4xx %d, 5xx %d) + %d "
              "errored + %d timeouts %+d in flight at the end (at most %d)" % (
                  started, answered, c2, c3, c4, c5, errored, tout, gap, H2_C * H2_M))
        ok &= 0 <= gap <= H2_C * H2_M
    else:
        print("  HTTP/2 (h2load): no summary\n%s" % h2_out)
        ok = False
    for name, want in (("hang", "5xx"), ("garbage", "5xx"), ("slowloris", None)):
        sent = c.get(name + ".sent", 0)
        got = {k.split(".", 1)[1]: v for k, v in c.items()
               if k.startswith(name + ".") and k != name + ".sent"}
        bad = sum(v for k, v in got.items() if k not in (want, "closed", "4xx")) \
            if want else got.get("not_cut", 0) + got.get("2xx", 0)
        print("  %s: %d sent = %s%s" % (name, sent, ", ".join(
            "%d %s" % (v, k) for k, v in sorted(got.items())) or "0",
            "" if bad == 0 else "  <- WRONG"))
        ok &= sum(got.values()) == sent and bad == 0

    print("captures:")
    lines = badl = 0
    for name in sorted(os.listdir(TMP)):
        if not name.startswith("pets.capture.jsonl"):
            continue
        with open(os.path.join(TMP, name), "rb") as f:
            data = f.read()
        for line in data.split(b"\n")[:-1]:
            lines += 1
            try:
                json.loads(line)
            except ValueError:
                badl += 1
        if data and not data.endswith(b"\n"):
            badl += 1
        print("  %s: %d bytes" % (name, len(data)))
    print("  %d recorded exchanges, %d lines that do not parse" % (lines, badl))
    ok &= lines > 0 and badl == 0
    print("versa: %s during the run, exit %s on SIGTERM" % ("alive" if alive else "DIED", rc))
    ok &= alive and rc == 0
    print("verdict: %s" % ("PASS" if ok else "FAIL"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    try:
        main()
    finally:
        stop_all()
