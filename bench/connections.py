#!/usr/bin/env python3
"""Memory per connection: versa's resident memory at rest, then with N open keep-alive client
connections (each has made one request through to an upstream), reported as MB per 10k
connections (docs/deploying.md#sizing).

    bench/connections.py                       # N=10000, build-release/cli/versa (built if missing)
    N=20000 VERSA_BIN=build/cli/versa bench/connections.py
"""
import os
import resource
import selectors
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))
from harness import free_port, to_yaml, wait_until  # noqa: E402
from upstream import Upstream  # noqa: E402

N = int(os.environ.get("N", "10000"))
THREADS = int(os.environ.get("WORKERS", "2"))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    binary = os.environ.get("VERSA_BIN")
    if not binary:
        build = os.path.join(REPO, "build-release")
        if not os.path.exists(os.path.join(build, "build.ninja")):
            subprocess.run(["meson", "setup", build, "-Dbuildtype=release"], check=True,
                           stdout=subprocess.DEVNULL)
        subprocess.run(["ninja", "-C", build, "cli/versa"], check=True, stdout=subprocess.DEVNULL)
        binary = os.path.join(build, "cli", "versa")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < N + 100:
        sys.exit("connections.py: the open-files limit (%d) is below N=%d" % (hard, N))
    up = Upstream("v1").start()
    tmp = tempfile.mkdtemp(prefix="versa-conn-bench-")
    port, admin = free_port(), free_port()
    cfg = {"listen": [{"address": "127.0.0.1:%d" % port}],
           "admin": {"address": "127.0.0.1:%d" % admin}, "threads": THREADS,
           "access_log": "off",
           "limits": {"client_idle_timeout_ms": 600000, "client_request_timeout_ms": 600000},
           "apis": [{"name": "pets", "prefix": "/pets",
                     "versions": {"v1": {"upstream": up.url}}}]}
    path = os.path.join(tmp, "versa.yaml")
    with open(path, "w") as f:
        f.write(to_yaml(cfg) + "\n")
    proc = subprocess.Popen([binary, "serve", "-c", path], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    socks = []
    try:
        def ready():
            try:
                socket.create_connection(("127.0.0.1", admin), 1).close()
                return True
            except OSError:
                return False
        wait_until(ready, 30, "versa to listen", procs=[proc])
        time.sleep(0.5)
        rest = rss_kib(proc.pid)
        req = b"GET /pets/1 HTTP/1.1\r\nHost: x\r\n\r\n"
        batch = 500
        for start in range(0, N, batch):
            sel = selectors.DefaultSelector()
            for _ in range(min(batch, N - start)):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(req)
                socks.append(s)
                sel.register(s, selectors.EVENT_READ)
            pending = len(sel.get_map())
            while pending:
                for key, _ in sel.select(30):
                    data = key.fileobj.recv(65536)
                    if b"\r\n\r\n" in data or not data:  # the echo is small: one read
                        sel.unregister(key.fileobj)
                        pending -= 1
            sel.close()
        time.sleep(1)
        loaded = rss_kib(proc.pid)
        per10k = (loaded - rest) / 1024 / N * 10000
        print("versa %s, %d threads: RSS at rest %.1f MB; with %d open connections %.1f MB; "
              "%.1f MB per 10k connections" % (binary, THREADS, rest / 1024, N, loaded / 1024,
                                               per10k))
    finally:
        for s in socks:
            s.close()
        proc.terminate()
        proc.wait(30)
        up.stop()


if __name__ == "__main__":
    main()
