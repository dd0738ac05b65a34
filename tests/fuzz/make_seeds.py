#!/usr/bin/env python3
"""Writes the seed corpora of the targets whose inputs are built from the repository's own test
data (fuzz_schema, fuzz_spec_diff, fuzz_lint, fuzz_adapt_body, fuzz_regex, fuzz_traceparent). Run from the repository root;
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
    # the moves registry (bit 0x40, fuzz_adapt_body.c's MOVES): nest and unnest through one change
    # and through two, with what the streaming pass does and what it leaves to the tree engine
    moves = [
        (1, 0x80, {'address': {'line': 'A', 'zip': '1'}, 'tag': 't', 'a': {'x': 1}, 'b': {}}),
        (1, 0x80, {'address': {'line': 'A'}, 'line': 'B'}),
        (1, 0x80, {'tag': 't', 'meta': {'tag': 'u'}, 'a': {'x': [1, {'y': None}]}}),
        (0, 0, {'data': [{'meta': {'tag': 't'}, 'owner_name': 'Ann', 'id': 1},
                         {'owner_name': None, 'owner': {'id': 2}}, None]}),
        (0, 0, {'data': [{'meta': {'tag': 't'}, 'tag2': 'x'}]}),
        (1, 0, {'data': {'meta': {'x': 1}, 'y': 2}, 'line': 'L', 'address': None}),
        (1, 0, {'data': {'meta': {'x': 1}}, 'address': {'line': 'M'}, 'line': 'L'}),
        # two levels and more, through array indexes
        (1, 0x80, {'p': {'q': {'x': 1}}, 'r': {'s': {'k': 0}}, 'items': [{'x': 2, 'k': 1}, {}],
                   'y': 3}),
        (1, 0x80, {'p': {'q': {'x': 1, 'w': 0}}, 'items': [{'x': 2}], 'y': 3}),
        (1, 0, {'a': {'b': {'z': 1}}, 'list': [{'x': 0}], 'k': 5}),
        (1, 0, {'a': {'b': {'z': 1}, 'c': 0}, 'k': 5, 'data': {'x': 1, 'y': 2}}),
        (0, 0, {'data': [{'c': 1, 'tag2': 't'}, {'c': None}, {'a': {'b': {'c': 2}}}]}),
        # removed with from: copies of a sibling, below a shared head, from another object
        (0, 0, {'data': [{'name': 'n', 'tag': 't'}, {'name': {'a': [1]}, 'nick': 'k'}, {}]}),
        (1, 0, {'d': {'name': 'n'}, 'data': {'tag': 't'}, 'k': 1}),
        (1, 0, {'d': {'name': 'n', 'nick': 'k'}, 'tag2': 2, 'data': {'tag': 't'}}),
    ]
    for op, up, body in moves:
        for v in (0, 1):
            put('adapt_body', bytes([up | 0x40 | v << 2 | op]) + json.dumps(body).encode())


def patterns(node, out):
    """Every `pattern` and every `patternProperties` key in a JSON document."""
    if isinstance(node, dict):
        if isinstance(node.get('pattern'), str):
            out.append(node['pattern'])
        if isinstance(node.get('patternProperties'), dict):
            out.extend(node['patternProperties'])
        for v in node.values():
            patterns(v, out)
    elif isinstance(node, list):
        for v in node:
            patterns(v, out)


def regex_seeds():
    # the suite's patterns (its optional ECMA-262 tests hold most) with the strings they are
    # tested on, then the patterns of the public specs of ../shared/specs
    extra = [(r'^(?=.*\d)(?!.*(.)\1)[a-z\d]{3,8}$', 'ab1c'), (r'\p{Lu}\p{Ll}+', 'Été'),
             (r'^[\u0041-\u005A\-_.]+(?:\.[^\s@]+)*$', 'A-B.c'), (r'(a|ab)(c|bcd)(d*)', 'abcd'),
             (r'^\w+@\w+\.\w{2,}$', 'me@ex.org'), (r'(?<year>\d{4})-\k<year>', '2024-2024'),
             (r'[^\x00-\x1f\u{1F600}]{0,5}?x', '\U0001F600x'), (r'(a*)*b', 'a' * 30),
             (r'\bfoo\B|^$|[\b]', 'foot'), (r'(?<=\$)\d+(?<!0)', '$120')]
    for p, x in extra:
        put('regex', p.encode() + b'\0' + x.encode())
    for d in [SUITE]:
        for fn in sorted(os.listdir(d)):
            if not fn.endswith('.json'):
                continue
            for g in json.load(open(os.path.join(d, fn))):
                found = []
                patterns(g['schema'], found)
                strings = [t['data'] for t in g['tests'] if isinstance(t['data'], str)][:3]
                strings += [k for t in g['tests'] if isinstance(t['data'], dict)
                            for k in t['data']][:3]
                for p in found[:4]:
                    for x in strings or ['']:
                        put('regex', p.encode() + b'\0' + x.encode())
    specs = os.path.join(ROOT, '..', 'shared', 'specs')
    seen = set()
    for dirpath, _, files in sorted(os.walk(specs)):
        for fn in sorted(files):
            if not fn.endswith(('.yaml', '.yml')) or 'large' in dirpath:
                continue
            try:
                doc = yaml.safe_load(open(os.path.join(dirpath, fn)))
            except Exception:
                continue
            found = []
            patterns(doc, found)
            for p in found:
                if p not in seen and len(seen) < 200:
                    seen.add(p)
                    put('regex', p.encode() + b'\0')


def traceparent_seeds():
    tid, sid = '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'
    parents = ['00-%s-%s-01' % (tid, sid), '00-%s-%s-00' % (tid, sid),
               'cc-%s-%s-01-extra' % (tid, sid), 'ff-%s-%s-01' % (tid, sid),
               '00-%s-%s-01' % ('0' * 32, sid), '00-%s-%s-01' % (tid.upper(), sid), '']
    states = ['rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', 'a@b=1, c=2 ,,d=3', 'k=v',
              ','.join('k%02d=v' % i for i in range(33)),
              ','.join('k%02d=%s' % (i, 'x' * 60) for i in range(20)), 'Bad=1', 'a=1,a=2', '']
    for p in parents:
        for st in states:
            put('traceparent', p.encode() + b'\0' + st.encode())


if __name__ == '__main__':
    schema_seeds(); diff_seeds(); lint_seeds(); adapt_body_seeds(); regex_seeds()
    traceparent_seeds()
