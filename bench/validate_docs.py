#!/usr/bin/env python3
"""Writes the documents of bench/validate.sh part 2: real-shaped instances of one schema of an
OpenAPI spec (every property filled the way GitHub's API fills it: formats, enums, examples,
nullable values sometimes null, nested users, licenses and repositories), half of them valid and
half broken by one mutation each (a wrong type deep inside, a required property removed, a value
outside its enum). Deterministic: the same seed gives the same documents.
  validate_docs.py SPEC.yaml POINTER OUT.json [COUNT] [SEED]"""
import copy
import json
import random
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def resolve(spec, s):
    while isinstance(s, dict) and "$ref" in s:
        node = spec
        for part in s["$ref"].lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        s = node
    return s


def gen(spec, s, rng, depth=0, name=""):
    s = resolve(spec, s)
    if not isinstance(s, dict):
        return None
    if s.get("nullable") and (depth > 3 or rng.random() < 0.15):
        return None
    if "allOf" in s:
        out = {}
        for sub in s["allOf"]:
            v = gen(spec, sub, rng, depth, name)
            if isinstance(v, dict):
                out.update(v)
        return out
    for key in ("oneOf", "anyOf"):
        if key in s:
            return gen(spec, rng.choice(s[key]), rng, depth, name)
    if "enum" in s:
        return rng.choice([e for e in s["enum"] if e is not None] or [None])
    t = s.get("type", "object" if "properties" in s else "string")
    if t == "object":
        out = {}
        required = set(s.get("required", []))
        for prop, sub in s.get("properties", {}).items():
            if prop in required or (depth < 4 and rng.random() < 0.85):
                out[prop] = gen(spec, sub, rng, depth + 1, prop)
        return out
    if t == "array":
        return [gen(spec, s.get("items", {}), rng, depth + 1, name)
                for _ in range(rng.randint(0, 3 if depth < 3 else 1))]
    if t == "integer":
        ex = s.get("example")
        return ex if isinstance(ex, int) and not isinstance(ex, bool) else rng.randint(1, 10**7)
    if t == "number":
        return round(rng.uniform(0, 1000), 2)
    if t == "boolean":
        return rng.random() < 0.5
    fmt = s.get("format")
    n = rng.randint(1, 99999)
    if fmt == "date-time":
        return "20%02d-%02d-%02dT%02d:%02d:%02dZ" % (rng.randint(10, 22), rng.randint(1, 12),
                                                     rng.randint(1, 28), rng.randint(0, 23),
                                                     rng.randint(0, 59), rng.randint(0, 59))
    if fmt == "uri":
        return "https://api.github.com/repos/octo-org/repo-%d/%s" % (n, name or "x")
    if fmt == "email":
        return "user%d@example.com" % n
    ex = s.get("example")
    if isinstance(ex, str):
        return ex
    return "%s-%d" % (name or "value", n)


def paths(v, prefix=()):
    """Every (path, value) below v, containers included."""
    yield prefix, v
    if isinstance(v, dict):
        for k, x in v.items():
            yield from paths(x, prefix + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from paths(x, prefix + (i,))


def mutate(spec, schema, doc, rng):
    doc = copy.deepcopy(doc)
    kind = rng.random()
    required = resolve(spec, schema).get("required", [])
    if kind < 0.25 and required:
        doc.pop(rng.choice(required), None)
        return doc
    leaves = [(p, v) for p, v in paths(doc) if p and not isinstance(v, (dict, list))]
    p, v = rng.choice(leaves)
    parent = doc
    for k in p[:-1]:
        parent = parent[k]
    if isinstance(v, bool) or v is None:
        parent[p[-1]] = "yes"
    elif isinstance(v, (int, float)):
        parent[p[-1]] = str(v)
    else:
        parent[p[-1]] = {"unexpected": [v]}
    return doc


def main():
    spec_path, pointer, out = sys.argv[1:4]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 200
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 13
    with open(spec_path) as f:
        spec = yaml.load(f, Loader=Loader)
    schema = {"$ref": "#" + pointer}
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        doc = gen(spec, schema, rng)
        docs.append(doc if i % 2 == 0 else mutate(spec, schema, doc, rng))
    with open(out, "w") as f:
        json.dump(docs, f, separators=(",", ":"))
    sizes = sorted(len(json.dumps(d)) for d in docs)
    print("%s: %d documents, median %d bytes" % (pointer, len(docs), sizes[len(sizes) // 2]))


if __name__ == "__main__":
    main()
