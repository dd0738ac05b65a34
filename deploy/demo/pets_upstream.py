#!/usr/bin/env python3
"""A small "pets" API for the demo, in one of two versions (Python standard library only).

  v1: python3 pets_upstream.py --version v1 --port 9001 --base /legacy
      {"id": 1, "name": "Rex", "tag": "dog", "price": "12.50", "status": "active"}
  v2: python3 pets_upstream.py --version v2 --port 9002
      {"id": 1, "name": "Rex", "category": "dog", "owner": "ada", "price": 1250,
       "status": "available"}

Routes (under --base): GET /pets, POST /pets, GET /pets/{id}, DELETE /pets/{id}. Errors are
application/problem+json. Data lives in memory and starts from the same three pets."""
import argparse
import http.server
import json
import re
import threading

SEED = [
    {"id": 1, "name": "Rex", "kind": "dog", "owner": "ada", "cents": 1250},
    {"id": 2, "name": "Tom", "kind": "cat", "owner": "grace", "cents": 900},
    {"id": 3, "name": "Nemo", "kind": "fish", "owner": "linus", "cents": 300},
]
MAX_BODY = 64 * 1024


def to_v1(pet):
    return {"id": pet["id"], "name": pet["name"], "tag": pet["kind"],
            "price": "%d.%02d" % divmod(pet["cents"], 100), "status": "active"}


def to_v2(pet):
    return {"id": pet["id"], "name": pet["name"], "category": pet["kind"],
            "owner": pet["owner"], "price": pet["cents"], "status": "available"}


def from_v1(doc):
    """Validates a v1 body ({name, tag, price: "12.50"}); returns the stored form or an error."""
    name, tag, price = doc.get("name"), doc.get("tag", "other"), doc.get("price", "0.00")
    if not isinstance(name, str) or not name:
        return None, "name must be a non-empty string"
    if not isinstance(tag, str):
        return None, "tag must be a string"
    if not isinstance(price, str) or not re.fullmatch(r"\d{1,9}\.\d\d", price):
        return None, 'price must be a decimal string such as "12.50"'
    units, cents = price.split(".")
    return {"name": name, "kind": tag, "owner": None, "cents": int(units) * 100 + int(cents)}, None


def from_v2(doc):
    """Validates a v2 body ({name, category, owner, price: cents}); returns stored form or error."""
    name, kind = doc.get("name"), doc.get("category", "other")
    owner, price = doc.get("owner"), doc.get("price", 0)
    if not isinstance(name, str) or not name:
        return None, "name must be a non-empty string"
    if not isinstance(kind, str):
        return None, "category must be a string"
    if owner is not None and not isinstance(owner, str):
        return None, "owner must be a string"
    if not isinstance(price, int) or isinstance(price, bool) or price < 0:
        return None, "price must be a non-negative integer number of cents"
    return {"name": name, "kind": kind, "owner": owner, "cents": price}, None


class Store:
    def __init__(self):
        self._lock = threading.Lock()
        self._pets = {p["id"]: dict(p) for p in SEED}
        self._next = max(self._pets) + 1

    def list(self):
        with self._lock:
            return [dict(p) for _, p in sorted(self._pets.items())]

    def get(self, pet_id):
        with self._lock:
            pet = self._pets.get(pet_id)
            return dict(pet) if pet else None

    def add(self, pet):
        with self._lock:
            pet = dict(pet, id=self._next)
            self._pets[pet["id"]] = pet
            self._next += 1
            return dict(pet)

    def delete(self, pet_id):
        with self._lock:
            return self._pets.pop(pet_id, None) is not None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pets-demo"

    def log_message(self, fmt, *args):
        pass  # the gateway's access log tells the story

    def send_json(self, status, doc, ctype="application/json"):
        data = json.dumps(doc, indent=2).encode() + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def problem(self, status, title, detail):
        self.send_json(status, {"type": "about:blank", "title": title, "status": status,
                                "detail": detail}, "application/problem+json")

    def route(self):
        """(collection?, pet id or None), or None when the path is not ours."""
        path = self.path.split("?", 1)[0]
        base = self.server.base
        if not path.startswith(base + "/pets"):
            return None
        rest = path[len(base) + len("/pets"):]
        if rest in ("", "/"):
            return True, None
        m = re.fullmatch(r"/(\d{1,9})/?", rest)
        return (False, int(m.group(1))) if m else None

    def do_GET(self):
        r = self.route()
        if r is None:
            return self.problem(404, "Not Found", "no such resource: %s" % self.path)
        view = self.server.view
        if r[0]:
            return self.send_json(200, {"items": [view(p) for p in self.server.store.list()],
                                        "api_version": self.server.version})
        pet = self.server.store.get(r[1])
        if pet is None:
            return self.problem(404, "Not Found", "no pet with id %d" % r[1])
        self.send_json(200, view(pet))

    do_HEAD = do_GET

    def do_POST(self):
        r = self.route()
        if r is None or not r[0]:
            return self.problem(405 if r else 404, "Method Not Allowed" if r else "Not Found",
                                "POST is only allowed on %s/pets" % self.server.base)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self.problem(413, "Content Too Large", "bodies are limited to 64 KiB")
        try:
            doc = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            return self.problem(400, "Bad Request", "the body is not JSON")
        if not isinstance(doc, dict):
            return self.problem(400, "Bad Request", "the body must be a JSON object")
        pet, err = (from_v1 if self.server.version == "v1" else from_v2)(doc)
        if err:
            return self.problem(422, "Unprocessable Content", err)
        self.send_json(201, self.server.view(self.server.store.add(pet)))

    def do_DELETE(self):
        r = self.route()
        if r is None or r[0]:
            return self.problem(405 if r else 404, "Method Not Allowed" if r else "Not Found",
                                "DELETE needs a pet id")
        if not self.server.store.delete(r[1]):
            return self.problem(404, "Not Found", "no pet with id %d" % r[1])
        self.send_response(204)
        self.end_headers()


def main():
    ap = argparse.ArgumentParser(description="Demo pets API (v1 or v2).")
    ap.add_argument("--version", choices=("v1", "v2"), required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--base", default="", help="path prefix, e.g. /legacy")
    args = ap.parse_args()
    server = http.server.ThreadingHTTPServer((args.address, args.port), Handler)
    server.daemon_threads = True
    server.version = args.version
    server.view = to_v1 if args.version == "v1" else to_v2
    server.base = args.base.rstrip("/")
    server.store = Store()
    print("pets %s listening on http://%s:%d%s" % (args.version, args.address, args.port,
                                                    server.base), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
