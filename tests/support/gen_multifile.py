#!/usr/bin/env python3
"""Generates a large multi-file OpenAPI 3.0 spec, the shape of real published multi-file specs:
the root names every path by a whole-file $ref, and paths, parameters, schemas and examples each
live in their own file, three folder levels deep, reached by relative refs across folders
(`../../schemas/g3/pets/Pet12.yaml`). Deterministic for a given size.

  gen_multifile.py DIR [--groups G] [--per-group P] [--faults]

Files: 1 root + G*P paths + G*P parameters + 2*G*P schemas + G*P examples (G=60, P=10: 3,001).
With --faults, a few deep files carry known problems (see FAULTS) and nothing else does."""
import argparse
import os

# (file relative to DIR, rule id the fault must produce) for --faults
FAULTS = [
    ("schemas/g7/items/Item3.yaml", "oas3-valid-schema-example"),
    ("parameters/g12/Param4.yaml", "duplicated-entry-in-enum"),
    ("paths/g40/path9.yaml", "operation-operationId-unique"),
    ("paths/g20/path5.yaml", "oas3-server-trailing-slash"),
]


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def generate(root, groups, per_group, faults):
    paths = []
    for g in range(groups):
        for i in range(per_group):
            n = g * per_group + i
            item = "Item%d" % i
            write(root, "schemas/g%d/items/%s.yaml" % (g, item),
                  "type: object\nrequired: [id, name]\nproperties:\n"
                  "  id: {type: integer, format: int64}\n"
                  "  name: {type: string, maxLength: 64}\n"
                  "  owner: {$ref: '../owners/Owner%d.yaml'}\n"
                  "example: {id: %d, name: item%d}\n" % (i, n, n)
                  if not (faults and (g, i) == (7, 3)) else
                  "type: object\nrequired: [id, name]\nproperties:\n"
                  "  id: {type: integer, format: int64}\n"
                  "  name: {type: string, maxLength: 64}\n"
                  "  owner: {$ref: '../owners/Owner%d.yaml'}\n"
                  "example: {id: not-a-number, name: item%d}\n" % (i, n))
            write(root, "schemas/g%d/owners/Owner%d.yaml" % (g, i),
                  "type: object\nproperties:\n  login: {type: string}\n  id: {type: integer}\n")
            enum = "enum: [1, 1, 2], " if faults and (g, i) == (12, 4) else ""
            write(root, "parameters/g%d/Param%d.yaml" % (g, i),
                  "name: limit%d\nin: query\nrequired: false\ndescription: Page size.\n"
                  "schema: {type: integer, %sminimum: 1, maximum: 100}\n" % (i, enum))
            write(root, "examples/g%d/Example%d.yaml" % (g, i),
                  "summary: an item\nvalue: {id: %d, name: item%d}\n" % (n, n))
            op_id = "getItem0g40" if faults and (g, i) == (40, 9) else "getItem%dg%d" % (i, g)
            servers = ("servers: [{url: 'https://items.example.com/'}]\n"
                       if faults and (g, i) == (20, 5) else "")
            write(root, "paths/g%d/path%d.yaml" % (g, i), servers +
                  "get:\n"
                  "  operationId: %s\n"
                  "  summary: Get item %d of group %d.\n"
                  "  description: Returns the item.\n"
                  "  tags: [items]\n"
                  "  parameters:\n"
                  "    - $ref: '../../parameters/g%d/Param%d.yaml'\n"
                  "    - {name: id, in: path, required: true, description: The id., schema: {type: integer}}\n"
                  "  responses:\n"
                  "    '200':\n"
                  "      description: The item.\n"
                  "      content:\n"
                  "        application/json:\n"
                  "          schema: {$ref: '../../schemas/g%d/items/%s.yaml'}\n"
                  "          examples:\n"
                  "            one: {$ref: '../../examples/g%d/Example%d.yaml'}\n"
                  "    '404': {$ref: '../../openapi.yaml#/components/responses/NotFound'}\n"
                  % (op_id, i, g, g, i, g, item, g, i))
            paths.append(("/g%d/items%d/{id}" % (g, i), "paths/g%d/path%d.yaml" % (g, i)))
    root_doc = ["openapi: 3.0.3",
                "info:",
                "  title: Generated multi-file API",
                "  version: '1.0'",
                "  description: A generated spec of many files.",
                "  contact: {name: Versa, url: 'https://example.com'}",
                "  license: {name: MIT, url: 'https://opensource.org/licenses/MIT'}",
                "servers: [{url: 'https://api.example.com'}]",
                "tags: [{name: items, description: Items.}]",
                "paths:"]
    for template, rel in paths:
        root_doc.append("  '%s': {$ref: './%s'}" % (template, rel))
    root_doc += ["components:",
                 "  responses:",
                 "    NotFound:",
                 "      description: Not found.",
                 "      content:",
                 "        application/json:",
                 "          schema: {type: object, properties: {message: {type: string}}}"]
    write(root, "openapi.yaml", "\n".join(root_doc) + "\n")
    return os.path.join(root, "openapi.yaml")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--groups", type=int, default=60)
    ap.add_argument("--per-group", type=int, default=10)
    ap.add_argument("--faults", action="store_true")
    a = ap.parse_args()
    print(generate(a.dir, a.groups, a.per_group, a.faults))


if __name__ == "__main__":
    main()
