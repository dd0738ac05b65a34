"""The adapted pets API the adapter tests share (tests/integration/fixtures/adapters): v1 and v2
have no upstream of their own and are served by the adapters in pets.yaml from v3's upstream,
which the test runs on loopback; v3 is the default version."""
import http.server
import os
import threading

from harness import GatewayCase

FIX = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration",
                                    "fixtures", "adapters"))

# v3 pets as the upstream sends them
PETS = [
    {"id": "p1", "name": "Rex", "category": "dog", "owner": {"id": "u1", "name": "Ann"},
     "price": 1250, "status": "available"},
    {"id": "p2", "name": "Tom", "category": "cat", "owner": None, "price": 5, "status": "sold"},
]


def adapted_pets_api(v3_upstream, **extra):
    """The API, named pets as the adapters file expects, with v3 at the URL `v3_upstream`;
    keyword arguments add or replace its keys."""
    api = {
        "name": "pets",
        "adapters": os.path.join(FIX, "pets.yaml"),
        "versions": {
            "v1": {"spec": os.path.join(FIX, "v1.json")},
            "v2": {"spec": os.path.join(FIX, "v2.json")},
            "v3": {"upstream": v3_upstream, "spec": os.path.join(FIX, "v3.json")},
        },
    }
    api.update(extra)
    return api


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 (keep-alive), without a log line per request: tests print their own."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass


class LoopbackServer:
    """A threaded server on 127.0.0.1 for a QuietHandler subclass: `url` is where it listens,
    close() stops it."""

    def __init__(self, handler):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class AdaptedPetsCase(GatewayCase):
    """A gateway in front of the adapted pets API alone: v3 at v3_url(), by default the URL of
    `cls.v3`, the LoopbackServer of class V3 that prepare() starts; limits.max_adapted_body
    MAX_ADAPTED_BODY (None: the default)."""
    UPSTREAMS = ()
    V3 = None
    MAX_ADAPTED_BODY = None

    @classmethod
    def prepare(cls):
        if cls.V3 is not None:
            cls.v3 = cls.V3()
            cls._closers.append(cls.v3)

    @classmethod
    def v3_url(cls):
        return cls.v3.url

    @classmethod
    def apis(cls):
        return [adapted_pets_api(cls.v3_url())]

    @classmethod
    def config(cls):
        cfg = cls.sandbox.config(cls.apis())
        cfg["versioning"]["default"] = "v3"
        if cls.MAX_ADAPTED_BODY is not None:
            cfg["limits"]["max_adapted_body"] = cls.MAX_ADAPTED_BODY
        return cfg
