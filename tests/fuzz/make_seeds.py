#!/usr/bin/env python3
"""Writes the seed corpora of the targets whose inputs are built from the repository's own test
data (fuzz_schema, fuzz_spec_diff, fuzz_lint, fuzz_adapt_body). Run from the repository root;
the output is committed, so CI replays the same seeds. Deterministic: same data, same files."""
import hashlib, json, os, sys
import yaml  # PyYAML ships with Debian's python3-yaml; only this generator needs it

ROOT = os.getcwd()
SUITE = os.path.join(ROOT, '..', 'shared', 'json-schema-test-suite', 'tests', 'draft2020-12')
OUT = os.path.join(ROOT, 'tests', 'fuzz', 'corpus')


def put(target, data):
    d = os.path.join(OUT, 'fuzz_' + target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def schema_seeds():
    for fn in sorted(os.listdir(SUITE)):
        if not fn.endswith('.json') or fn.startswith('refRemote'):
            continue
        groups = json.load(open(os.path.join(SUITE, fn)))
        for g in groups[:3]:
            for t in g['tests'][:2]:
                put('schema', b'\x00' + json.dumps(g['schema']).encode() + b'\0' +
                    json.dumps(t['data']).encode())
    # OpenAPI 3.0's dialect: nullable, boolean exclusive bounds, direction-dependent readOnly
    oas30 = {'type': 'object', 'required': ['id', 'n'], 'properties': {
        'id': {'type': 'string', 'readOnly': True}, 'n': {'type': 'integer', 'nullable': True,
        'minimum': 0, 'exclusiveMinimum': True}}}
    for sel, doc in ((2, {'n': None}), (6, {'id': 'x', 'n': 0}), (10, {'n': 1})):
        put('schema', bytes([sel]) + json.dumps(oas30).encode() + b'\0' + json.dumps(doc).encode())


def diff_seeds():
    cases = os.path.join(ROOT, 'specs', 'tests', 'diff-cases')
    for i, name in enumerate(sorted(os.listdir(cases))):
        if i % 4:
            continue
        base = open(os.path.join(cases, name, 'base.yaml'), 'rb').read()
        rev = open(os.path.join(cases, name, 'revision.yaml'), 'rb').read()
        put('spec_diff', base + b'\0' + rev)


def lint_seeds():
    cases = os.path.join(ROOT, 'specs', 'tests', 'lint-cases')
    ruleset = open(os.path.join(cases, 'ruleset', 'ruleset.yaml'), 'rb').read()
    for name in sorted(os.listdir(cases)):
        spec = open(os.path.join(cases, name, 'input.yaml'), 'rb').read()
        put('lint', spec)
        put('lint', ruleset + b'\0' + spec)


def adapt_body_seeds():
    case = yaml.safe_load(open(os.path.join(ROOT, 'adapters', 'tests', 'cases', 'pets-chain',
                                            'case.yaml')))
    ops = ['listPets', 'createPet', 'getPet', 'deletePet']
    statuses = [200, 201, 204, 404]
    for ex in case['exchanges']:
        op = ops.index(ex['operation']) if ex.get('operation') in ops else 0
        version = 1 if ex.get('version') == 'v2' else 0
        req = ex.get('request', {})
        if 'body' in req:
            put('adapt_body', bytes([0x80 | version << 2 | op]) + json.dumps(req['body']).encode())
        res = ex.get('response', {})
        if 'body' in res:
            st = statuses.index(res['status']) if res.get('status') in statuses else 0
            body = json.dumps(res['body']).encode()
            for v in (0, 1):  # the same body through one change and through two
                put('adapt_body', bytes([st << 3 | v << 2 | op]) + body)


if __name__ == '__main__':
    schema_seeds(); diff_seeds(); lint_seeds(); adapt_body_seeds()
