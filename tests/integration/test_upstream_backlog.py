#!/usr/bin/env python3
"""Issue 11: new upstream connections are paced. An upstream with a listen backlog of one that
accepts slowly (as a small threaded server does) must not see its accept queue overflow under 50
concurrent clients: the gateway opens a few connections at a time and queues requests for pooled
ones, so no request ends as a 504 connect timeout (before, 146 of 19,361 did). The queue is
bounded in time: a request that finds no pooled connection in time gets a 503 problem."""
import http.client
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import GatewayCase, problem_of  # noqa: E402

CLIENTS = 50
REQUESTS = 20  # per client
ACCEPT_EVERY_S = 0.05


class SlowAcceptUpstream:
    """HTTP/1.1 keep-alive upstream: listen(1), one accept every ACCEPT_EVERY_S, a thread per
    connection answering 200 with a small JSON body."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.accepted = 0
        self.stopping = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while not self.stopping:
            time.sleep(ACCEPT_EVERY_S)
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _serve(conn):
        buf = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    try:
                        data = conn.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    buf += data
                _, buf = buf.split(b"\r\n\r\n", 1)  # GETs: no body
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: 11\r\n\r\n{\"ok\":true}")
                except OSError:
                    return

    def close(self):
        self.stopping = True
        self.sock.close()


class UpstreamBacklog(GatewayCase):
    UPSTREAMS = ()
    TLS = False

    @classmethod
    def prepare(cls):
        cls.slow = SlowAcceptUpstream()
        cls._closers.append(cls.slow)

    @classmethod
    def apis(cls):
        return [{"name": "slow", "prefix": "/slow", "timeouts": {"connect_ms": 1000},
                 "versions": {"v1": {"upstream": cls.slow.url}}}]

    @classmethod
    def config(cls):
        cfg = super().config()
        cfg["versioning"] = {"default": "v1", "header": "Api-Version"}
        # one connection opening per thread (two threads): within the backlog of one (Linux
        # queues backlog + 1)
        cfg["limits"] = {"max_upstream_connections": 16, "upstream_max_connecting": 2,
                         "upstream_queue_timeout_ms": 30000}
        return cfg

    def test_no_connect_timeouts_under_50_clients(self):
        statuses, errors = {}, []
        lock = threading.Lock()

        def client():
            conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=60)
            try:
                for i in range(REQUESTS):
                    conn.request("GET", "/slow/items/%d" % i)
                    r = conn.getresponse()
                    body = r.read()
                    with lock:
                        statuses[r.status] = statuses.get(r.status, 0) + 1
                        if r.status != 200:
                            errors.append((r.status, body[:200]))
            except Exception as e:  # noqa: BLE001 -- reported below
                with lock:
                    errors.append(("exception", repr(e)))
            finally:
                conn.close()

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [], "statuses %r" % statuses)
        self.assertEqual(statuses, {200: CLIENTS * REQUESTS})
        # the pool stayed within its bound: at most 16 connections were ever needed
        self.assertLessEqual(self.slow.accepted, 16)


class UpstreamQueueBound(GatewayCase):
    """The wait for a pooled connection is bounded: with one connection per upstream and a slow
    answer on it, the next request gets a 503 problem naming the wait, not an endless queue."""
    THREADS = 1
    TLS = False

    @classmethod
    def config(cls):
        cfg = super().config()
        cfg["limits"] = {"max_upstream_connections": 1, "upstream_queue_timeout_ms": 300}
        return cfg

    def test_wait_for_a_connection_is_bounded(self):
        results = {}

        def held():
            results["held"] = self.request("/pets/hold")

        t = threading.Thread(target=held)
        t.start()
        # the held request has the one connection once the upstream has it (not after a fixed
        # sleep: under the sanitizer build on a busy machine 0.3 s was sometimes not enough),
        # and keeps it until released, so the next request can only get the queue's 503
        self.up["v2"].wait_requests("/hold")
        t0 = time.monotonic()
        r = self.request("/pets/items/1")
        waited = time.monotonic() - t0
        self.up["v2"].release("hold")
        t.join()
        doc = problem_of(self, r, 503)
        self.assertTrue(doc["type"].endswith("/upstream-busy"), doc)
        self.assertIn("no upstream connection free within 300 ms", doc["detail"])
        self.assertLess(waited, 5.0)  # bounded by the queue timeout, not by the held request
        self.assertEqual(results["held"].status, 200, results["held"])
        # the connection went back to the pool: the next request is served
        self.assertEqual(self.request("/pets/items/2").status, 200)


if __name__ == "__main__":
    tap.main()
