#!/usr/bin/env python3
"""Writes the golden cases of specs/tests/diff-cases/: for every check id of the spec diff, a
folder <id>/ where it fires and <id>--not/ with a near miss where it must not. Each holds
base.yaml and revision.yaml; expected.txt is written by the test itself:
    VERSA_UPDATE_GOLDEN=1 meson test -C build specs/diff_cases
and reviewed. Cases that need more than this generator offers can be added by hand (a folder
with the three files); the generator only rewrites the folders it names."""
import copy, os, sys, yaml

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'diff-cases')


def pets():
    idp = {'name': 'id', 'in': 'path', 'required': True, 'schema': {'type': 'string'}}
    pet = {'type': 'object', 'required': ['name'],
           'properties': {'name': {'type': 'string'}, 'tag': {'type': 'string'}}}
    return {
        'openapi': '3.0.3',
        'info': {'title': 'pets', 'version': '1'},
        'servers': [{'url': 'https://api.example.com/v1'}],
        'paths': {
            '/pets': {'get': {'operationId': 'listPets', 'parameters': [],
                              'responses': {'200': {'description': 'ok'}}}},
            '/pets/{id}': {
                'get': {'operationId': 'getPet', 'parameters': [idp],
                        'responses': {'200': {'description': 'ok', 'content': {
                            'application/json': {'schema': copy.deepcopy(pet)}}}}},
                'put': {'operationId': 'putPet', 'parameters': [idp],
                        'requestBody': {'content': {'application/json': {'schema': copy.deepcopy(pet)}}},
                        'responses': {'204': {'description': 'done'}}},
            },
        },
        'components': {'securitySchemes': {
            'key': {'type': 'apiKey', 'in': 'header', 'name': 'X-Key'},
            'oauth': {'type': 'oauth2', 'flows': {'clientCredentials': {
                'tokenUrl': 'https://example.com/token', 'scopes': {'read': 'r', 'write': 'w'}}}}}},
    }


def op(d, method, path):
    return d['paths'][path][method]


def req_schema(d):
    return op(d, 'put', '/pets/{id}')['requestBody']['content']['application/json']['schema']


def resp_schema(d):
    return op(d, 'get', '/pets/{id}')['responses']['200']['content']['application/json']['schema']


def case(mutate_base, mutate_rev):
    b, r = pets(), pets()
    mutate_base(b)
    mutate_rev(r)
    return b, r


def nothing(d):
    pass


CASES = {}


def add(name, mb, mr, nb, nr):
    CASES[name] = case(mb, mr)
    CASES[name + '--not'] = case(nb, nr)


def both(f):
    return f, f


# ---- operations ----
def drop_list(d):
    del d['paths']['/pets']


def depr(sunset):
    def f(d):
        o = op(d, 'get', '/pets')
        o['deprecated'] = True
        if sunset:
            o['x-sunset'] = sunset
        o2 = op(d, 'put', '/pets/{id}')
        o2['deprecated'] = True
        if sunset:
            o2['x-sunset'] = sunset
    return f


def drop_put(d):
    del d['paths']['/pets/{id}']['put']


def rename_var(d):
    d['paths']['/pets/{petId}'] = d['paths'].pop('/pets/{id}')
    for m in ('get', 'put'):
        d['paths']['/pets/{petId}'][m]['parameters'] = [
            {'name': 'petId', 'in': 'path', 'required': True, 'schema': {'type': 'string'}}]


add('api-path-removed-without-deprecation', nothing, drop_list, depr('2030-01-01'), drop_list)
add('api-path-removed-before-sunset', depr('2030-01-01'), drop_list, depr('2025-01-01'), drop_list)
add('api-path-removed-after-sunset', depr('2025-06-01'), drop_list, depr('2027-01-01'), drop_list)
add('api-removed-without-deprecation', nothing, drop_put, nothing, rename_var)
add('api-removed-before-sunset', depr(None), drop_put, depr('2025-01-01'), drop_put)
add('api-removed-after-sunset', depr('2025-06-01'), drop_put, depr('2026-06-01'), drop_put)


def add_delete(d):
    d['paths']['/pets/{id}']['delete'] = {'operationId': 'deletePet', 'parameters': [
        {'name': 'id', 'in': 'path', 'required': True, 'schema': {'type': 'string'}}],
        'responses': {'204': {'description': 'gone'}}}


add('endpoint-added', nothing, add_delete, nothing, nothing)


def deprecate_list(d):
    op(d, 'get', '/pets')['deprecated'] = True


add('endpoint-deprecated', nothing, deprecate_list, deprecate_list, deprecate_list)
add('endpoint-reactivated', deprecate_list, nothing, deprecate_list, deprecate_list)


def rename_id(d):
    op(d, 'get', '/pets/{id}')['operationId'] = 'fetchPet'


add('api-operation-id-removed', nothing, rename_id, nothing, rename_var)


# ---- parameters ----
def param(name, where='query', required=False, schema=None):
    def f(d):
        p = {'name': name, 'in': where, 'schema': schema or {'type': 'integer'}}
        if required:
            p['required'] = True
        op(d, 'get', '/pets')['parameters'].append(p)
    return f


def chain(*fs):
    def f(d):
        for g in fs:
            g(d)
    return f


add('request-parameter-became-required', param('limit'), param('limit', required=True),
    param('limit', required=True), param('limit', required=True))
add('request-parameter-became-optional', param('limit', required=True), param('limit'),
    param('limit', required=True), param('limit', required=True))
add('request-parameter-location-changed', param('trace'), param('trace', 'header'),
    param('trace'), param('trace'))


def path_level(d):
    d['paths']['/pets']['parameters'] = [{'name': 'sort', 'in': 'query', 'schema': {'type': 'string'}}]


add('request-parameter-removed', param('sort', schema={'type': 'string'}), nothing,
    param('sort', schema={'type': 'string'}), path_level)
add('new-required-request-parameter', nothing, param('owner', required=True), nothing, param('owner'))
add('new-optional-request-parameter', nothing, param('owner'), nothing, param('owner', required=True))


# ---- properties ----
def prop(where, name, schema=None, required=None):
    def f(d):
        s = req_schema(d) if where == 'req' else resp_schema(d)
        if schema is None:
            s['properties'].pop(name, None)
        else:
            s['properties'][name] = schema
        if required is not None:
            s['required'] = [n for n in s['required'] if n != name] + ([name] if required else [])
    return f


S = {'type': 'string'}
RO = {'type': 'string', 'readOnly': True}
WO = {'type': 'string', 'writeOnly': True}
add('request-property-removed', nothing, prop('req', 'tag'), prop('req', 'tag', RO), prop('req', 'tag'))
add('new-required-request-property', nothing, prop('req', 'owner', S, True), nothing,
    prop('req', 'owner', RO, True))
add('new-optional-request-property', nothing, prop('req', 'owner', S), nothing,
    prop('req', 'owner', S, True))
add('request-property-became-required', nothing, prop('req', 'tag', S, True), nothing,
    prop('req', 'tag', RO, True))
add('request-property-became-optional', nothing, prop('req', 'name', S, False), nothing, nothing)
add('request-property-became-read-only', nothing, prop('req', 'tag', RO), prop('req', 'tag', RO),
    prop('req', 'tag', RO))
add('response-required-property-removed', nothing, prop('resp', 'name', None, False), nothing,
    prop('resp', 'tag'))
add('response-optional-property-removed', nothing, prop('resp', 'tag'), prop('resp', 'tag', WO),
    prop('resp', 'tag'))
add('response-property-became-optional', nothing, prop('resp', 'name', S, False), nothing, nothing)
add('response-property-became-required', nothing, prop('resp', 'tag', S, True), nothing, nothing)
add('response-property-became-write-only', nothing, prop('resp', 'tag', WO), prop('resp', 'tag', WO),
    prop('resp', 'tag', WO))
add('response-required-property-added', nothing, prop('resp', 'owner', S, True), nothing,
    prop('resp', 'owner', WO, True))
add('response-optional-property-added', nothing, prop('resp', 'owner', S), nothing,
    prop('resp', 'owner', WO))


# ---- bodies and responses ----
def media(where, types):
    def f(d):
        if where == 'req':
            c = op(d, 'put', '/pets/{id}')['requestBody']['content']
        else:
            c = op(d, 'get', '/pets/{id}')['responses']['200']['content']
        js = c['application/json']
        c.clear()
        for t in types:
            c[t] = copy.deepcopy(js)
    return f


JX = ['application/json', 'application/xml']
add('request-body-media-type-removed', media('req', JX), nothing, media('req', JX),
    media('req', ['application/json', 'Application/XML']))
add('request-body-media-type-added', nothing, media('req', JX), nothing, nothing)
add('response-media-type-removed', media('resp', JX), nothing, media('resp', JX),
    media('resp', ['application/json', 'Application/XML']))
add('response-media-type-added', nothing, media('resp', JX), nothing, nothing)


def body(required=None, present=True):
    def f(d):
        o = op(d, 'put', '/pets/{id}')
        if not present:
            del o['requestBody']
        elif required is not None:
            o['requestBody']['required'] = required
    return f


add('request-body-added-required', body(present=False), body(True), body(present=False), body(False))
add('request-body-became-required', nothing, body(True), body(True), body(True))
add('request-body-removed', nothing, body(present=False), nothing, nothing)


def statuses(*codes):
    def f(d):
        rs = op(d, 'get', '/pets/{id}')['responses']
        ok = rs['200']
        rs.clear()
        for c in codes:
            rs[c] = copy.deepcopy(ok) if c[0] == '2' else {'description': 'err'}
    return f


add('response-success-status-removed', statuses('200', '404'), statuses('201', '404'),
    statuses('200', '404'), statuses('200'))
add('response-non-success-status-removed', statuses('200', '404'), statuses('200'),
    statuses('200', '404'), statuses('200', '404'))
add('response-success-status-added', nothing, statuses('200', '201'), nothing, statuses('200', '404'))
add('response-non-success-status-added', nothing, statuses('200', '404'), nothing,
    statuses('200', '201'))


def header(name, required=None, schema=None):
    def f(d):
        h = {'schema': schema or {'type': 'integer'}}
        if required is not None:
            h['required'] = required
        op(d, 'get', '/pets/{id}')['responses']['200']['headers'] = {name: h}
    return f


add('required-response-header-removed', header('X-Rate', True), nothing, header('X-Rate', True),
    header('x-rate', True))
add('optional-response-header-removed', header('X-Rate'), nothing, header('X-Rate'), header('X-Rate'))
add('response-header-became-optional', header('X-Rate', True), header('X-Rate', False),
    header('X-Rate', True), header('X-Rate', True))


# ---- security and servers ----
def security(*reqs):
    def f(d):
        op(d, 'get', '/pets')['security'] = list(reqs)
    return f


add('api-security-added', nothing, security({'key': []}), nothing, security({}, {'key': []}))
add('api-security-alternative-added', security({'key': []}),
    security({'key': []}, {'oauth': ['read']}), security({'key': []}), security({'key': []}))
add('api-security-removed', security({'key': []}, {'oauth': ['read']}), security({'key': []}),
    security({'key': []}, {'oauth': ['read']}), security())
add('api-security-scope-added', security({'oauth': ['read']}), security({'oauth': ['read', 'write']}),
    security({'oauth': ['read']}), security({'oauth': ['read']}))
add('api-security-scope-removed', security({'oauth': ['read', 'write']}), security({'oauth': ['read']}),
    security({'oauth': ['read']}), security({'oauth': ['read']}))


def servers(*urls):
    def f(d):
        d['servers'] = [{'url': u} for u in urls]
    return f


add('api-server-removed', nothing, servers('https://api.example.com/v2'), nothing, nothing)
add('api-server-added', nothing, servers('https://api.example.com/v1', 'https://eu.example.com/v1'),
    nothing, nothing)


# ---- schema checks, by where the schema is used ----
def slot(where, schema):
    """Places `schema` as the request parameter q, a request property p, the request body, a
    response property p, the response body, or a response header X-Rate."""
    def f(d):
        s = copy.deepcopy(schema)
        if where == 'request-parameter':
            op(d, 'get', '/pets')['parameters'].append({'name': 'q', 'in': 'query', 'schema': s})
        elif where == 'request-property':
            req_schema(d)['properties']['p'] = s
        elif where == 'request-body':
            op(d, 'put', '/pets/{id}')['requestBody']['content']['application/json']['schema'] = s
        elif where == 'response-property':
            resp_schema(d)['properties']['p'] = s
        elif where == 'response-body':
            op(d, 'get', '/pets/{id}')['responses']['200']['content']['application/json']['schema'] = s
        elif where == 'response-header':
            op(d, 'get', '/pets/{id}')['responses']['200']['headers'] = {'X-Rate': {'schema': s}}
        else:
            raise ValueError(where)
    return f


def T(t, **kw):
    d = {'type': t}
    d.update(kw)
    return d


ARR = lambda **kw: dict({'type': 'array', 'items': {'type': 'string'}}, **kw)
REQUEST_SCALAR = {
    'type-changed': (T('integer'), T('string'), T('integer'), T('number')),
    'became-not-nullable': (T('string', nullable=True), T('string'), T('string', nullable=True),
                            T('string', nullable=True)),
    'format-changed': (T('string', format='date'), T('string', format='date-time'),
                       T('string', format='date'), T('string')),
    'enum-value-removed': (T('string', enum=['a', 'b']), T('string', enum=['a']),
                           T('string', enum=['a', 'b']), T('string', enum=['b', 'a'])),
    'enum-value-added': (T('string', enum=['a']), T('string', enum=['a', 'b']),
                         T('string', enum=['a', 'b']), T('string', enum=['b', 'a'])),
    'max-decreased': (T('integer', maximum=10), T('integer', maximum=5), T('integer', maximum=10),
                      T('integer', maximum=20)),
    'max-set': (T('integer'), T('integer', maximum=5), T('integer', maximum=5), T('integer')),
    'min-increased': (T('integer', minimum=1), T('integer', minimum=5), T('integer', minimum=5),
                      T('integer', minimum=1)),
    'min-set': (T('integer'), T('integer', minimum=1), T('integer', minimum=1), T('integer')),
    'max-length-decreased': (T('string', maxLength=10), T('string', maxLength=5),
                             T('string', maxLength=10), T('string', maxLength=10)),
    'max-length-set': (T('string'), T('string', maxLength=5), T('string', maxLength=5), T('string')),
    'min-length-increased': (T('string', minLength=1), T('string', minLength=2),
                             T('string', minLength=2), T('string', minLength=1)),
    'min-length-set': (T('string'), T('string', minLength=1), T('string', minLength=1), T('string')),
    'max-items-decreased': (ARR(maxItems=10), ARR(maxItems=5), ARR(maxItems=5), ARR(maxItems=10)),
    'max-items-set': (ARR(), ARR(maxItems=5), ARR(maxItems=5), ARR()),
    'min-items-increased': (ARR(minItems=1), ARR(minItems=2), ARR(minItems=2), ARR(minItems=1)),
    'min-items-set': (ARR(), ARR(minItems=1), ARR(minItems=1), ARR()),
    'pattern-added': (T('string'), T('string', pattern='^a'), T('string', pattern='^a'), T('string')),
    'pattern-changed': (T('string', pattern='^a'), T('string', pattern='^b'),
                        T('string', pattern='^a'), T('string', pattern='^a')),
    'default-value-changed': (T('string', default='a'), T('string', default='b'),
                              T('string', default='a'), T('string', default='a')),
}
RESPONSE_SCALAR = {
    'type-changed': (T('number'), T('string'), T('number'), T('integer')),
    'became-nullable': (T('string'), T('string', nullable=True), T('string', nullable=True),
                        T('string')),
    'format-changed': (T('string', format='date'), T('string'), T('string'),
                       T('string', format='date')),
    'enum-value-added': (T('string', enum=['a']), T('string', enum=['a', 'b']),
                         T('string', enum=['a', 'b']), T('string', enum=['a'])),
    'enum-value-removed': (T('string', enum=['a', 'b']), T('string', enum=['a']),
                           T('string', enum=['a']), T('string', enum=['a', 'b'])),
}
O1 = {'type': 'object', 'properties': {'a': {'type': 'string'}}}
O2 = {'type': 'object', 'properties': {'b': {'type': 'integer'}}}
O3 = {'type': 'object', 'properties': {'c': {'type': 'boolean'}}}
S1, S2 = {'type': 'string'}, {'type': 'integer'}
A = {'type': 'object', 'properties': {'kind': {'type': 'string'}}}
DISC = lambda *keys: {'oneOf': [{'$ref': '#/components/schemas/A'}, {'$ref': '#/components/schemas/B'}],
                      'discriminator': {'propertyName': 'kind', 'mapping': {
                          k: '#/components/schemas/' + k.upper() for k in keys}}}
COMPOSITION = {
    'one-of-removed': ({'oneOf': [S1, S2]}, {'oneOf': [S1]}),
    'one-of-added': ({'oneOf': [S1]}, {'oneOf': [S1, S2]}),
    'any-of-removed': ({'anyOf': [S1, S2]}, {'anyOf': [S1]}),
    'any-of-added': ({'anyOf': [S1]}, {'anyOf': [S1, S2]}),
    'all-of-removed': ({'allOf': [O1, O2, O3]}, {'allOf': [O1, O2]}),
    'all-of-added': ({'allOf': [O1, O2]}, {'allOf': [O1, O2, O3]}),
    'discriminator-mapping-deleted': (DISC('a', 'b'), DISC('a')),
    'discriminator-mapping-added': (DISC('a'), DISC('a', 'b')),
}


def with_components(f):
    def g(d):
        d['components']['schemas'] = {'A': copy.deepcopy(A), 'B': copy.deepcopy(A)}
        f(d)
    return g


for where in ('request-parameter', 'request-property', 'request-body'):
    for check, (b, r, nb, nr) in REQUEST_SCALAR.items():
        add(where + '-' + check, slot(where, b), slot(where, r), slot(where, nb), slot(where, nr))
for where in ('response-property', 'response-body', 'response-header'):
    for check, (b, r, nb, nr) in RESPONSE_SCALAR.items():
        add(where + '-' + check, slot(where, b), slot(where, r), slot(where, nb), slot(where, nr))
for where in ('request-property', 'request-body', 'response-property', 'response-body'):
    for check, (b, r) in COMPOSITION.items():
        add(where + '-' + check, with_components(slot(where, b)), with_components(slot(where, r)),
            with_components(slot(where, r)), with_components(slot(where, r)))


def main():
    for name, (b, r) in sorted(CASES.items()):
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        for fname, doc in (('base.yaml', b), ('revision.yaml', r)):
            with open(os.path.join(d, fname), 'w') as f:
                yaml.safe_dump(doc, f, sort_keys=False, default_flow_style=False)
    print(len(CASES), 'cases in', OUT)


if __name__ == '__main__':
    sys.exit(main())
