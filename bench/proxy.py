#!/usr/bin/env python3
"""The proxy benchmark's engine (run through bench/proxy.sh, which builds versa and installs the
tools): versa against nginx doing the same work in front of the same nginx upstream, in
interleaved rounds (versa, nginx, versa, nginx, ...), each figure the median of its rounds, and
the CPU time each proxy spent per request (utime + stime from /proc/PID/stat over the measured
run, divided by the requests completed), which load from elsewhere on the machine disturbs far
less than requests/s.

Modes: h1 (goal 1), h2 (goal 2: h2c and TLS against nginx's http2 proxy), spec (goal 3: a
version routed by GitHub's spec against prefix routing), cold (goal 6: time to /readyz and RSS
with 50 APIs and GitHub's spec on 3 versions), all. Knobs: see bench/README.md.
"""
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
GITHUB_SPEC = os.environ.get("GITHUB_SPEC",
                             os.path.join(SHARED, "specs", "large", "github-2022-06-11.yaml"))

THREADS = int(os.environ.get("THREADS", "2"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "64"))
DURATION = os.environ.get("DURATION", "5s")
WARMUP = os.environ.get("WARMUP", "2s")
ROUNDS = int(os.environ.get("ROUNDS", "3"))
WORKERS = int(os.environ.get("WORKERS", "2"))
STREAMS = int(os.environ.get("STREAMS", "10"))
H2_CONNECTIONS = int(os.environ.get("H2_CONNECTIONS", "16"))
COLD_ROUNDS = int(os.environ.get("COLD_ROUNDS", "5"))
VERSA = os.environ["VERSA_BIN"]
# Another versa binary (an older build) run as a third target in the same rounds: before/after
# figures under the same load (h1 and cold modes).
BASELINE = os.environ.get("BASELINE_BIN")
NGINX = os.environ.get("NGINX_BIN", "/usr/sbin/nginx")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def body_1k():
    items, i = [], 1
    while len(json.dumps({"items": items}, separators=(",", ":"))) < 1024:
        items.append({"id": i, "name": "pet-%d" % i, "category": "dog", "price": 1250 + i,
                      "status": "available"})
        i += 1
    return json.dumps({"items": items}, separators=(",", ":"))


class Bench:
    """The scratch directory, the processes started in it (stopped at exit) and the upstream."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="versa-bench.")
        os.chmod(self.tmp, 0o755)  # nginx workers run as another user
        self.procs = []

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(["rm", "-rf", self.tmp])

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def nginx(self, name, servers):
        t = self.tmp
        conf = """worker_processes %d;
daemon off;
pid %s/%s.pid;
error_log %s/%s.error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path %s/%s.body;
    proxy_temp_path %s/%s.proxy;
    fastcgi_temp_path %s/%s.fastcgi;
    uwsgi_temp_path %s/%s.uwsgi;
    scgi_temp_path %s/%s.scgi;
%s
}
""" % ((WORKERS, t, name, t, name) + (t, name) * 5 + (servers,))
        p = subprocess.Popen([NGINX, "-e", self.path(name + ".early.log"), "-p", t, "-c",
                              self.write(name + ".conf", conf)])
        self.procs.append(p)
        return p

    def versa(self, name, config, binary=None):
        log = open(self.path(name + ".log"), "w")
        p = subprocess.Popen([binary or VERSA, "serve", "-c", self.write(name + ".yaml", config)],
                             stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def upstream(self):
        self.up_port, = free_ports(1)
        self.nginx("upstream", """    server {
        listen 127.0.0.1:%d;
        location / {
            default_type application/json;
            return 200 '%s';
        }
    }""" % (self.up_port, body_1k()))
        wait_http("127.0.0.1", self.up_port, "/pets/1")

    def certificate(self):
        crt, key = self.path("cert.pem"), self.path("key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                        "/CN=localhost", "-keyout", key, "-out", crt], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.chmod(key, 0o644)
        return crt, key


def http_status(host, port, path, timeout=1.0):
    """One HTTP/1.1 GET over a fresh connection; the status, or None when nothing answered."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode())
            head = s.recv(64)
        m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
        return int(m.group(1)) if m else None
    except OSError:
        return None


def wait_http(host, port, path, proc=None, what=None):
    for _ in range(3000):
        if http_status(host, port, path) == 200:
            return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.01)
    sys.exit("bench: %s did not come up on %s:%d%s" % (what or "a server", host, port, path))


def wait_port(port, proc):
    for _ in range(3000):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.01)
    sys.exit("bench: nothing listens on 127.0.0.1:%d" % port)


def cpu_ticks(proc):
    """utime + stime of the process and, for an nginx master, of its workers."""
    pids = [proc.pid]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == proc.pid:
                pids.append(int(d))
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


def hwm_mb(pid, key="VmHWM"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return 0.0


UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def run_wrk(url, proc, script=None):
    """Warm-up, then the measured run: requests/s, p50, p99, max (ms), errors, CPU µs/request."""
    extra = ["-s", script] if script else []
    subprocess.run(["wrk", "-t%d" % THREADS, "-c%d" % CONNECTIONS, "-d" + WARMUP] + extra + [url],
                   stdout=subprocess.DEVNULL, check=True)
    before = cpu_ticks(proc)
    out = subprocess.run(["wrk", "-t%d" % THREADS, "-c%d" % CONNECTIONS, "-d" + DURATION,
                          "--latency"] + extra + [url],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    ticks = cpu_ticks(proc) - before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    pct = {p: float(v) * UNIT[u]
           for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    lat = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)", out)
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": pct["50"], "p99": pct["99"],
            "max": float(lat.group(1)) * UNIT[lat.group(2)],
            "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
            "cpu_us": ticks * 1e6 / CLK_TCK / max(total, 1)}


def run_h2load(url, proc):
    """An unmeasured h2load run of WARMUP, then one of DURATION: requests/s, mean and max request
    time (ms), requests that failed or were not 2xx, CPU µs/request."""
    def h2load(duration):
        return subprocess.run(["h2load", "-t%d" % THREADS, "-c%d" % H2_CONNECTIONS,
                               "-m%d" % STREAMS, "-D", duration.rstrip("s"), url],
                              stdout=subprocess.PIPE, text=True, check=True).stdout
    h2load(WARMUP)
    before = cpu_ticks(proc)
    out = h2load(DURATION)
    ticks = cpu_ticks(proc) - before
    done = int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", out).group(1))
    ok = int(re.search(r"status codes: (\d+) 2xx", out).group(1))
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1))
    t = re.search(r"time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+"
                  r"([\d.]+)(us|ms|s)", out)
    return {"rps": rps, "mean": float(t.group(5)) * UNIT[t.group(6)],
            "max": float(t.group(3)) * UNIT[t.group(4)], "errors": done - ok,
            "cpu_us": ticks * 1e6 / CLK_TCK / max(done, 1)}


def rounds(targets, runner):
    """targets: [(name, url, proc, extra)]; runs them in interleaved rounds."""
    res = {t[0]: [] for t in targets}
    for r in range(ROUNDS):
        line = []
        for name, url, proc, extra in targets:
            x = runner(url, proc, *extra)
            res[name].append(x)
            line.append("%s %.0f req/s, %s %.2f ms, max %.1f ms, %.1f µs CPU/req%s" % (
                name, x["rps"], "p99" if "p99" in x else "mean", x.get("p99", x.get("mean")),
                x["max"], x["cpu_us"], ", %d errors" % x["errors"] if x["errors"] else ""))
        print("round %d: %s" % (r + 1, " | ".join(line)), flush=True)
    return res


def med(res, key):
    return statistics.median(x[key] for x in res)


def goal(label, value, op, bound, unit="x nginx", bound_unit="x"):
    ok = value >= bound if op == ">=" else value <= bound
    print("%s: %.2f%s (goal %s %g%s): %s" % (label, value, unit, op, bound, bound_unit,
                                             "PASS" if ok else "FAIL"))
    return ok


def machine_load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def h1_configs(b):
    versa_port, admin_port, ngx_port = free_ports(3)
    b.nginx("proxy", """    upstream backend {
        server 127.0.0.1:%d;
        keepalive 256;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:%d;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-Id $request_id;
            add_header Api-Version v2;
            add_header Vary "Accept, Api-Version";
        }
    }""" % (b.up_port, ngx_port))
    versa = b.versa("versa", versa_yaml(b, versa_port, admin_port, ""))
    return versa, versa_port, admin_port, ngx_port


def versa_yaml(b, port, admin, tls):
    return """listen:
  - address: 127.0.0.1:%d
%sadmin:
  address: 127.0.0.1:%d
threads: %d
access_log: off
versioning:
  default: v2
  media_type: application/vnd.acme+json
  header: Api-Version
apis:
  - name: pets
    prefix: /pets
    versions:
      v2: {upstream: "http://127.0.0.1:%d"}
""" % (port, tls, admin, WORKERS, b.up_port)


def mode_h1(b):
    versa, versa_port, admin_port, ngx_port = h1_configs(b)
    nginx = b.procs[-2]
    wait_http("127.0.0.1", admin_port, "/readyz", versa, "versa")
    wait_http("127.0.0.1", versa_port, "/pets/1", versa, "versa's route")
    wait_http("127.0.0.1", ngx_port, "/pets/1", nginx, "the nginx proxy")
    print("h1: wrk -t%d -c%d -d%s --latency after a %s warm-up, %d interleaved rounds; versa "
          "threads = nginx worker_processes = %d; 1 KB JSON upstream (nginx); load average %s"
          % (THREADS, CONNECTIONS, DURATION, WARMUP, ROUNDS, WORKERS, machine_load()))
    targets = [("versa", "http://127.0.0.1:%d/pets/1" % versa_port, versa, ()),
               ("nginx", "http://127.0.0.1:%d/pets/1" % ngx_port, nginx, ())]
    if BASELINE:
        base_port, base_admin = free_ports(2)
        base = b.versa("baseline", versa_yaml(b, base_port, base_admin, ""), BASELINE)
        wait_http("127.0.0.1", base_admin, "/readyz", base, "the baseline versa")
        targets.append(("baseline", "http://127.0.0.1:%d/pets/1" % base_port, base, ()))
    res = rounds(targets, run_wrk)
    v, n = res["versa"], res["nginx"]
    if BASELINE:
        x = res["baseline"]
        print("baseline (%s): median %.0f req/s p99 %.2f ms, %.1f µs CPU/req; versa/baseline: "
              "throughput %.2fx, CPU per request %.2fx" % (
                  BASELINE, med(x, "rps"), med(x, "p99"), med(x, "cpu_us"),
                  med(v, "rps") / med(x, "rps"), med(v, "cpu_us") / med(x, "cpu_us")))
    print("median: versa %.0f req/s p99 %.2f ms, %.1f µs CPU/req | nginx %.0f req/s p99 %.2f ms, "
          "%.1f µs CPU/req" % (med(v, "rps"), med(v, "p99"), med(v, "cpu_us"), med(n, "rps"),
                               med(n, "p99"), med(n, "cpu_us")))
    print("peak RSS (VmHWM): versa %.1f MB" % hwm_mb(versa.pid))
    goal("goal 1 h1 throughput", med(v, "rps") / med(n, "rps"), ">=", 1.1)
    goal("goal 1 h1 p99", med(v, "p99") / med(n, "p99"), "<=", 1.0)
    goal("goal 1 h1 tail (worst round's p99)",
         max(a["p99"] / c["p99"] for a, c in zip(v, n)), "<=", 3.0)
    print("goal 1 h1 CPU per request: %.2fx nginx (%.1f µs vs %.1f µs; not a goal, the "
          "noise-robust figure)" % (med(v, "cpu_us") / med(n, "cpu_us"), med(v, "cpu_us"),
                                     med(n, "cpu_us")))
    errors = sum(x["errors"] for x in v + n)
    if errors:
        print("errors: %d (the ratios mean nothing then)" % errors)


def mode_h2(b):
    crt, key = b.certificate()
    versa_port, tls_port, admin_port, ngx_port, ngx_tls = free_ports(5)
    nginx = b.nginx("proxy2", """    upstream backend {
        server 127.0.0.1:%d;
        keepalive 256;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:%d http2;
        listen 127.0.0.1:%d ssl http2;
        ssl_certificate %s;
        ssl_certificate_key %s;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-Id $request_id;
            add_header Api-Version v2;
            add_header Vary "Accept, Api-Version";
        }
    }""" % (b.up_port, ngx_port, ngx_tls, crt, key))
    tls = "  - address: 127.0.0.1:%d\n    tls: {certificate: %s, key: %s}\n" % (tls_port, crt, key)
    versa = b.versa("versa2", versa_yaml(b, versa_port, admin_port, tls))
    wait_http("127.0.0.1", admin_port, "/readyz", versa, "versa")
    wait_http("127.0.0.1", versa_port, "/pets/1", versa, "versa's route")
    for p in (ngx_port, ngx_tls):  # nginx's http2 listeners speak no HTTP/1.1: a connect will do
        wait_port(p, nginx)
    print("h2: h2load -t%d -c%d -m%d -D %s after a %s warm-up run, %d interleaved rounds; versa "
          "threads = nginx worker_processes = %d; load average %s"
          % (THREADS, H2_CONNECTIONS, STREAMS, DURATION, WARMUP, ROUNDS, WORKERS, machine_load()))
    res = rounds([("versa-h2c", "http://127.0.0.1:%d/pets/1" % versa_port, versa, ()),
                  ("nginx-h2c", "http://127.0.0.1:%d/pets/1" % ngx_port, nginx, ()),
                  ("versa-tls", "https://127.0.0.1:%d/pets/1" % tls_port, versa, ()),
                  ("nginx-tls", "https://127.0.0.1:%d/pets/1" % ngx_tls, nginx, ())], run_h2load)
    for name, r in res.items():
        print("median %s: %.0f req/s, mean %.2f ms, %.1f µs CPU/req" % (
            name, med(r, "rps"), med(r, "mean"), med(r, "cpu_us")))
    for kind in ("h2c", "tls"):
        goal("goal 2 h2 %s throughput" % kind,
             med(res["versa-" + kind], "rps") / med(res["nginx-" + kind], "rps"), ">=", 1.1)
    for who in ("versa", "nginx"):
        print("TLS termination cost, %s: %.1f µs CPU per request (TLS %.1f − h2c %.1f)" % (
            who, med(res[who + "-tls"], "cpu_us") - med(res[who + "-h2c"], "cpu_us"),
            med(res[who + "-tls"], "cpu_us"), med(res[who + "-h2c"], "cpu_us")))
    errors = sum(x["errors"] for r in res.values() for x in r)
    if errors:
        print("errors: %d (the ratios mean nothing then)" % errors)


# Paths of GitHub's REST API, of different depths, for the spec mode (wrk rotates them).
SPEC_PATHS = ["/repos/octocat/hello-world/pulls/42", "/users/octocat",
              "/repos/octocat/hello-world/issues/7/comments", "/orgs/acme/teams/core/members",
              "/repos/octocat/hello-world/branches/main/protection", "/gists/abc123",
              "/repos/octocat/hello-world/actions/runs/99/jobs", "/search/code"]


def rotate_script(b, name, prefix):
    paths = ", ".join('"%s%s"' % (prefix, p) for p in SPEC_PATHS)
    return b.write(name, """local paths = {%s}
local i = 0
request = function()
    i = i %% #paths + 1
    return wrk.format("GET", paths[i])
end
""" % paths)


def mode_spec(b):
    port, admin = free_ports(2)
    versa = b.versa("versa-spec", """listen:
  - address: 127.0.0.1:%d
admin:
  address: 127.0.0.1:%d
threads: %d
access_log: off
apis:
  - name: plain
    prefix: /plain
    versions:
      v3: {upstream: "http://127.0.0.1:%d"}
  - name: github
    versions:
      v3: {upstream: "http://127.0.0.1:%d", spec: "%s"}
""" % (port, admin, WORKERS, b.up_port, b.up_port, GITHUB_SPEC))
    wait_http("127.0.0.1", admin, "/readyz", versa, "versa")
    for p in SPEC_PATHS:
        for prefix in ("", "/plain"):
            if http_status("127.0.0.1", port, prefix + p) != 200:
                sys.exit("bench: %s%s is not routed" % (prefix, p))
    print("spec: wrk -t%d -c%d -d%s --latency after a %s warm-up, %d interleaved rounds, %d "
          "paths in turn; one versa (threads %d) with a prefix-routed API and one routed by %s; "
          "load average %s" % (THREADS, CONNECTIONS, DURATION, WARMUP, ROUNDS, len(SPEC_PATHS),
                               WORKERS, os.path.basename(GITHUB_SPEC), machine_load()))
    url = "http://127.0.0.1:%d" % port
    res = rounds([("prefix", url, versa, (rotate_script(b, "prefix.lua", "/plain"),)),
                  ("spec", url, versa, (rotate_script(b, "spec.lua", ""),))], run_wrk)
    s, p = res["spec"], res["prefix"]
    print("median: spec %.0f req/s, %.1f µs CPU/req | prefix %.0f req/s, %.1f µs CPU/req" % (
        med(s, "rps"), med(s, "cpu_us"), med(p, "rps"), med(p, "cpu_us")))
    goal("goal 3 spec-routed throughput", med(s, "rps") / med(p, "rps"), ">=", 0.95,
         unit="x prefix routing")
    print("goal 3 spec-routed CPU per request: %.2fx prefix routing (%.1f µs vs %.1f µs)" % (
        med(s, "cpu_us") / med(p, "cpu_us"), med(s, "cpu_us"), med(p, "cpu_us")))


def cold_config(b, port, admin):
    lines = ["listen:", "  - address: 127.0.0.1:%d" % port, "admin:",
             "  address: 127.0.0.1:%d" % admin, "threads: %d" % WORKERS, "access_log: off",
             "apis:", "  - name: github", "    versions:"]
    for v in ("v1", "v2", "v3"):
        lines.append('      %s: {upstream: "http://127.0.0.1:%d", spec: "%s"}'
                     % (v, b.up_port, GITHUB_SPEC))
    for i in range(49):
        lines += ["  - name: api%02d" % i, "    prefix: /api%02d" % i, "    versions:",
                  '      v1: {upstream: "http://127.0.0.1:%d"}' % b.up_port,
                  '      v2: {upstream: "http://127.0.0.1:%d"}' % b.up_port]
    return "\n".join(lines) + "\n"


def cold_starts(b, binary):
    times, rss, cpu = [], [], []
    for r in range(COLD_ROUNDS):
        port, admin = free_ports(2)
        path = b.write("cold.yaml", cold_config(b, port, admin))
        t0 = time.monotonic()
        p = subprocess.Popen([binary, "serve", "-c", path], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        b.procs.append(p)  # stopped on exit, also when a check below ends the run
        while http_status("127.0.0.1", admin, "/readyz", timeout=0.5) != 200:
            if p.poll() is not None:
                sys.exit("bench: versa exited during the cold start (%s)" % path)
            time.sleep(0.002)
        times.append(time.monotonic() - t0)
        cpu.append(cpu_ticks(p) / CLK_TCK)
        if http_status("127.0.0.1", port, "/v2/repos/o/r/pulls/1") != 200:
            sys.exit("bench: the spec-routed version does not answer after the cold start")
        rss.append(hwm_mb(p.pid))
        p.terminate()
        p.wait()
    return times, cpu, rss


def mode_cold(b):
    print("cold: %d starts of versa serve with 50 APIs (49 prefix-routed with two versions, no "
          "spec; github routed by %s on v1, v2 and v3), time from exec to /readyz answering 200 "
          "(polled every 2 ms); load average %s" % (COLD_ROUNDS, os.path.basename(GITHUB_SPEC),
                                                     machine_load()))
    times, cpu, rss = cold_starts(b, VERSA)
    print("starts (ready, CPU until ready, peak RSS): " + ", ".join(
        "%.3f s / %.2f s / %.1f MB" % x for x in zip(times, cpu, rss)))
    print("median CPU time until ready: %.2f s (user + system, all threads; the noise-robust "
          "figure)" % statistics.median(cpu))
    if BASELINE:
        bt, bc, br = cold_starts(b, BASELINE)
        print("baseline (%s): median ready %.3f s, CPU %.2f s, peak RSS %.1f MB" % (
            BASELINE, statistics.median(bt), statistics.median(bc), max(br)))
    goal("goal 6 cold start, time to ready (median)", statistics.median(times), "<=", 0.5,
         unit=" s", bound_unit=" s")
    goal("goal 6 cold start, peak RSS (max)", max(rss), "<=", 64, unit=" MB", bound_unit=" MB")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "h1"
    modes = {"h1": mode_h1, "h2": mode_h2, "spec": mode_spec, "cold": mode_cold}
    if mode != "all" and mode not in modes:
        sys.exit("usage: bench/proxy.sh [h1|h2|spec|cold|all]")
    b = Bench()
    try:
        b.upstream()
        for name in (modes if mode == "all" else [mode]):
            modes[name](b)
            print()
    finally:
        b.close()


if __name__ == "__main__":
    main()
