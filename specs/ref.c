/* $ref resolution: finds every Reference Object reachable from the root document, loads the
 * files they name (once each), links each reference to its target node without copying, and
 * reports broken, remote and cyclic references as problems with their positions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spec_internal.h"

/* Where a node sits decides which keys are keywords. Only object contexts have a `$ref`
 * keyword; data (examples, defaults, enums, extensions) is never walked, so a "$ref" inside an
 * example value stays data (OpenAPI 3.1 §4.8.24, Example Object `value`). */
typedef enum ctx {
    CTX_OBJECT,     /* an OpenAPI object or schema: keys are keywords */
    CTX_COMPONENTS, /* the Components Object: keys name maps of components */
    CTX_NAMES,      /* a map from names to objects (properties, components/schemas, content) */
    CTX_NAMES_EXT,  /* the same, with x- extensions (Paths, Responses) */
    CTX_EXAMPLES,   /* a map from names to Example Objects */
    CTX_EXAMPLE,    /* an Example Object: `value` is data */
    CTX_LINKS,      /* a map from names to Link Objects */
    CTX_LINK,       /* a Link Object: `parameters` and `requestBody` are data */
} ctx_t;

/* A step of the JSON pointer from the start of the current walk, kept on the C stack. */
typedef struct seg {
    const struct seg *up;
    const char *key; /* NULL for a sequence index */
    size_t len;      /* key length, or the index */
} seg_t;

typedef struct {
    const spec_node_t *node;
    size_t doc;
    ctx_t ctx;
    const char *base; /* JSON pointer of `node` in its document */
} pending_t;

/* The outcome of resolving one $ref string from one document, shared by all equal $refs. */
typedef struct memo {
    struct memo *next;
    size_t doc, len;
    const char *ref;
    const spec_node_t *target;
    size_t target_doc;
    const char *pointer;
    const char *code; /* NULL when resolved */
    const char *message;
} memo_t;

typedef struct {
    spec_t *spec;
    spec__ptrmap_t visited; /* node address -> bit set of contexts walked */
    pending_t *queue;
    size_t qhead, qlen, qcap;
    memo_t **memo;
    size_t memo_cap, memo_len;
} resolver_t;

static const char *const names_keywords[] = {
    "properties", "patternProperties", "$defs",    "definitions", "dependentSchemas",
    "callbacks",  "content",           "encoding", "headers",     "variables",
};
static const char *const component_maps[] = {
    "schemas", "responses",       "parameters", "requestBodies",
    "headers", "securitySchemes", "callbacks",  "pathItems",
};
/* Keywords whose values are data in any object context. */
static const char *const data_keywords[] = {
    "example", "default", "enum", "const", "security", "scopes", "mapping", "dependentRequired",
};

static int key_is(const spec_node_t *k, const char *s)
{
    size_t len = strlen(s);
    return k->u.scalar.len == len && memcmp(k->u.scalar.str, s, len) == 0;
}

static int key_in(const spec_node_t *k, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (key_is(k, list[i]))
            return 1;
    return 0;
}

static int is_extension(const spec_node_t *k)
{
    return k->u.scalar.len >= 2 && k->u.scalar.str[0] == 'x' && k->u.scalar.str[1] == '-';
}

#define IN_LIST(k, list) key_in((k), (list), sizeof(list) / sizeof((list)[0]))

/* ---- pointers ---- */

static void format_segs(char *buf, size_t size, const char *base, const seg_t *s)
{
    if (s == NULL) {
        snprintf(buf, size, "%s", base != NULL ? base : "");
        return;
    }
    format_segs(buf, size, base, s->up);
    if (s->key != NULL) {
        spec_pointer_append(buf, size, s->key, s->len);
    } else {
        char idx[24];
        int n = snprintf(idx, sizeof(idx), "%zu", s->len);
        spec_pointer_append(buf, size, idx, (size_t)n);
    }
}

/* ---- memo of resolved $ref strings ---- */

static size_t memo_hash(size_t doc, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull ^ doc;
    for (size_t i = 0; i < len; ++i)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return (size_t)h;
}

static memo_t *memo_find(resolver_t *r, size_t doc, const char *s, size_t len)
{
    if (r->memo_cap == 0)
        return NULL;
    for (memo_t *m = r->memo[memo_hash(doc, s, len) & (r->memo_cap - 1)]; m != NULL; m = m->next)
        if (m->doc == doc && m->len == len && memcmp(m->ref, s, len) == 0)
            return m;
    return NULL;
}

static void memo_add(resolver_t *r, memo_t *m)
{
    if ((r->memo_len + 1) * 2 > r->memo_cap) {
        size_t cap = r->memo_cap != 0 ? r->memo_cap * 2 : 256;
        memo_t **tab = spec__xcalloc(cap, sizeof(*tab));
        for (size_t i = 0; i < r->memo_cap; ++i) {
            for (memo_t *e = r->memo[i], *next; e != NULL; e = next) {
                next = e->next;
                size_t b = memo_hash(e->doc, e->ref, e->len) & (cap - 1);
                e->next = tab[b];
                tab[b] = e;
            }
        }
        free(r->memo);
        r->memo = tab;
        r->memo_cap = cap;
    }
    size_t b = memo_hash(m->doc, m->ref, m->len) & (r->memo_cap - 1);
    m->next = r->memo[b];
    r->memo[b] = m;
    ++r->memo_len;
}

static void memo_fail(resolver_t *r, memo_t *m, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void memo_fail(resolver_t *r, memo_t *m, const char *code, const char *fmt, ...)
{
    char buf[sizeof(((spec_error_t *)0)->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    m->code = code;
    m->message = spec__arena_strndup(&r->spec->arena, buf, strlen(buf));
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ':'. */
static size_t scheme_length(const char *s, size_t len)
{
    if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (size_t i = 1; i < len; ++i) {
        char c = s[i];
        if (c == ':')
            return i;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return 0;
    }
    return 0;
}

/* Explains a pointer that did not resolve: which token is missing, and whether the walk stopped
 * at a $ref (pointers address the document as written and do not pass through references). */
static void explain_missing(resolver_t *r, memo_t *m, const spec_node_t *root, const char *ptr,
                            size_t len, size_t ok)
{
    const spec_node_t *at = spec__pointer_walk(root, ptr, ok, NULL);
    const char *tok = ptr + ok + (ok < len ? 1 : 0);
    const char *end = memchr(tok, '/', len - (size_t)(tok - ptr));
    int toklen = (int)(end != NULL ? (size_t)(end - tok) : len - (size_t)(tok - ptr));
    const char *where = ok == 0 ? "the document root" : NULL;
    int wlen = (int)ok;
    if (at != NULL && at->kind == SPEC_NODE_MAPPING && spec_node_str(spec_node_get(at, "$ref")))
        memo_fail(r, m, SPEC_PROBLEM_REF_UNRESOLVED,
                  "$ref '%s' not found: '%.*s' is itself a $ref, which JSON pointers do not "
                  "follow; reference its target instead",
                  m->ref, wlen, ptr);
    else if (where != NULL)
        memo_fail(r, m, SPEC_PROBLEM_REF_UNRESOLVED, "$ref '%s' not found: no '%.*s' in %s", m->ref,
                  toklen, tok, where);
    else
        memo_fail(r, m, SPEC_PROBLEM_REF_UNRESOLVED, "$ref '%s' not found: no '%.*s' in '%.*s'",
                  m->ref, toklen, tok, wlen, ptr);
}

/* Resolves the $ref string `s` written in document `doc`, without following chains. */
static memo_t *resolve_string(resolver_t *r, size_t doc, const char *s, size_t len)
{
    memo_t *m = memo_find(r, doc, s, len);
    if (m != NULL)
        return m;
    spec_t *spec = r->spec;
    m = spec__arena_alloc(&spec->arena, sizeof(*m));
    m->doc = doc;
    m->len = len;
    m->ref = spec__arena_strndup(&spec->arena, s, len);
    m->target_doc = doc;
    memo_add(r, m);

    const char *hash = memchr(s, '#', len);
    size_t ulen = hash != NULL ? (size_t)(hash - s) : len;
    size_t scheme = scheme_length(s, ulen);
    if (scheme != 0 || (ulen >= 2 && s[0] == '/' && s[1] == '/')) {
        memo_fail(r, m, SPEC_PROBLEM_REF_UNSUPPORTED,
                  "$ref '%s' names a remote document; only local files are loaded", m->ref);
        return m;
    }
    char *uri = spec__xmalloc(len + 1);
    if (spec__percent_decode(s, ulen, uri) < 0) {
        memo_fail(r, m, SPEC_PROBLEM_REF_INVALID, "$ref '%s' has a malformed %%-escape", m->ref);
        free(uri);
        return m;
    }
    if (ulen != 0) {
        const char *why = NULL;
        char *name = spec__join_relative(&spec->arena, spec->documents[doc].name, uri);
        size_t d = spec__open_document(spec, name, &why);
        if (d == SIZE_MAX) {
            if (strcmp(why, "max_files") == 0)
                memo_fail(r, m, SPEC_PROBLEM_LIMIT,
                          "$ref '%s' not loaded: the spec has more files than max_files (%u); "
                          "raise it with --max-files, or spec_max_files in the config",
                          m->ref, spec->opts.max_files);
            else
                memo_fail(r, m, SPEC_PROBLEM_LIMIT,
                          "$ref '%s' not loaded: the spec's files hold more than max_total_bytes "
                          "(%llu bytes) in all",
                          m->ref, (unsigned long long)spec->opts.max_total_bytes);
            free(uri);
            return m;
        }
        if (spec->documents[d].doc == NULL) {
            if (spec->documents[d].real == NULL) {
                memo_fail(r, m, SPEC_PROBLEM_REF_UNRESOLVED, "$ref '%s': file '%s' not found",
                          m->ref, name);
            } else {
                const spec_error_t *e = &spec->problems[spec->documents[d].problem].error;
                memo_fail(r, m, SPEC_PROBLEM_REF_UNRESOLVED,
                          "$ref '%s': file '%s' failed to load (%s:%u:%u: %s)", m->ref, name,
                          e->file, e->line, e->col, e->message);
            }
            free(uri);
            return m;
        }
        m->target_doc = d;
    }
    const spec_node_t *root = spec_doc_root(spec->documents[m->target_doc].doc);
    size_t flen = hash != NULL ? len - ulen - 1 : 0;
    long plen = hash != NULL ? spec__percent_decode(hash + 1, flen, uri) : 0;
    if (plen < 0) {
        memo_fail(r, m, SPEC_PROBLEM_REF_INVALID, "$ref '%s' has a malformed %%-escape", m->ref);
    } else if (plen != 0 && uri[0] != '/') {
        memo_fail(r, m, SPEC_PROBLEM_REF_UNSUPPORTED,
                  "$ref '%s': only JSON pointer fragments ('#/...') are supported, not anchors",
                  m->ref);
    } else {
        size_t ok = 0;
        m->target = spec__pointer_walk(root, uri, (size_t)plen, &ok);
        if (m->target != NULL)
            m->pointer = spec__arena_strndup(&spec->arena, uri, (size_t)plen);
        else
            explain_missing(r, m, root, uri, (size_t)plen, ok);
    }
    free(uri);
    return m;
}

/* ---- walking ---- */

static void enqueue(resolver_t *r, const spec_node_t *n, size_t doc, ctx_t ctx, const char *base)
{
    if (r->qlen == r->qcap) {
        r->qcap = r->qcap != 0 ? r->qcap * 2 : 64;
        r->queue = spec__xrealloc(r->queue, r->qcap * sizeof(*r->queue));
    }
    r->queue[r->qlen++] = (pending_t){n, doc, ctx, base};
}

static void add_ref(resolver_t *r, const spec_node_t *node, const spec_node_t *value, size_t doc,
                    ctx_t ctx, const char *base, const seg_t *at)
{
    spec_t *spec = r->spec;
    if (value->kind != SPEC_NODE_SCALAR || value->scalar_type != SPEC_SCALAR_STRING) {
        char ptr[512];
        seg_t s = {at, "$ref", 4};
        format_segs(ptr, sizeof(ptr), base, &s);
        spec__problem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_REF_INVALID, value, ptr,
                      "$ref must be a string, not %s", spec__a_type(value));
        return;
    }
    if (spec->nrefs == spec->refs_cap) {
        spec->refs_cap = spec->refs_cap != 0 ? spec->refs_cap * 2 : 256;
        spec->refs = spec__xrealloc(spec->refs, spec->refs_cap * sizeof(*spec->refs));
    }
    size_t idx = spec->nrefs;
    if (!spec__ptrmap_put(&spec->ref_index, (uintptr_t)node, idx, NULL))
        return; /* the same node reached again through a YAML alias */
    memo_t *m = resolve_string(r, doc, value->u.scalar.str, value->u.scalar.len);
    spec_ref_t *ref = &spec->refs[spec->nrefs++];
    /* spec__problem may move spec->problems but never spec->refs */
    *ref = (spec_ref_t){
        .node = node, .value = value, .doc = spec->documents[doc].doc, .problem = SIZE_MAX};
    if (m->code != NULL) {
        /* a crossed loader limit is one problem, at the first $ref past it: the refs after it
         * are unresolved for the same reason, and the spec is marked incomplete */
        if (strcmp(m->code, SPEC_PROBLEM_LIMIT) == 0 && spec->limit_reported++ != 0)
            return;
        char ptr[512];
        seg_t s = {at, "$ref", 4};
        format_segs(ptr, sizeof(ptr), base, &s);
        /* A remote URL or an anchor is valid OpenAPI that Versa does not follow: a warning. */
        spec_severity_t sev = strcmp(m->code, SPEC_PROBLEM_REF_UNSUPPORTED) == 0
                                  ? SPEC_SEVERITY_WARNING
                                  : SPEC_SEVERITY_ERROR;
        ref->problem = spec__problem(spec, sev, m->code, value, ptr, "%s", m->message);
        return;
    }
    ref->target = m->target;
    ref->target_doc = spec->documents[m->target_doc].doc;
    ref->target_pointer = m->pointer;
    enqueue(r, m->target, m->target_doc, ctx, m->pointer);
}

static void walk(resolver_t *r, const spec_node_t *n, size_t doc, ctx_t ctx, const char *base,
                 const seg_t *at);

static void walk_child(resolver_t *r, const spec_node_t *key, const spec_node_t *v, size_t doc,
                       ctx_t ctx, const char *base, const seg_t *at)
{
    if (v->kind == SPEC_NODE_SCALAR)
        return;
    seg_t s = {at, key->u.scalar.str, key->u.scalar.len};
    walk(r, v, doc, ctx, base, &s);
}

/* The context of the value under keyword `k` of an object in context `ctx`, or -1 for data. */
static int child_context(ctx_t ctx, const spec_node_t *k, const spec_node_t *v)
{
    if (is_extension(k) || IN_LIST(k, data_keywords))
        return -1;
    if (ctx == CTX_EXAMPLE && key_is(k, "value"))
        return -1;
    if (ctx == CTX_LINK && (key_is(k, "parameters") || key_is(k, "requestBody")))
        return -1;
    if (key_is(k, "examples")) /* 3.1 schemas: an array of values; elsewhere Example Objects */
        return v->kind == SPEC_NODE_MAPPING ? CTX_EXAMPLES : -1;
    if (v->kind != SPEC_NODE_MAPPING)
        return CTX_OBJECT; /* sequences of objects (allOf, parameters) and scalars */
    if (ctx == CTX_COMPONENTS) {
        if (key_is(k, "links"))
            return CTX_LINKS;
        return IN_LIST(k, component_maps) ? CTX_NAMES : CTX_OBJECT;
    }
    if (key_is(k, "components"))
        return CTX_COMPONENTS;
    if (key_is(k, "paths") || key_is(k, "responses"))
        return CTX_NAMES_EXT;
    if (key_is(k, "links"))
        return CTX_LINKS;
    if (key_is(k, "webhooks") || IN_LIST(k, names_keywords))
        return CTX_NAMES;
    return CTX_OBJECT;
}

static void walk(resolver_t *r, const spec_node_t *n, size_t doc, ctx_t ctx, const char *base,
                 const seg_t *at)
{
    /* YAML aliases make the tree a DAG: visit each (node, context) once, so an alias bomb costs
     * one visit per distinct node. The map holds a bit per context already visited. */
    size_t *seen = spec__ptrmap_slot(&r->visited, (uintptr_t)n);
    if (*seen & (size_t)1 << ctx)
        return;
    *seen |= (size_t)1 << ctx;
    if (n->kind == SPEC_NODE_SEQUENCE) {
        for (size_t i = 0; i < n->u.seq.len; ++i) {
            const spec_node_t *v = n->u.seq.items[i];
            seg_t s = {at, NULL, i};
            if (v->kind != SPEC_NODE_SCALAR)
                walk(r, v, doc, ctx, base, &s);
        }
        return;
    }
    if (n->kind != SPEC_NODE_MAPPING)
        return;
    switch (ctx) {
    case CTX_NAMES:
    case CTX_NAMES_EXT:
    case CTX_EXAMPLES:
    case CTX_LINKS: {
        ctx_t vctx = ctx == CTX_EXAMPLES ? CTX_EXAMPLE : ctx == CTX_LINKS ? CTX_LINK : CTX_OBJECT;
        for (size_t i = 0; i < n->u.map.len; ++i) {
            const spec_pair_t *p = &n->u.map.items[i];
            if (ctx == CTX_NAMES_EXT && is_extension(p->key))
                continue;
            walk_child(r, p->key, p->value, doc, vctx, base, at);
        }
        return;
    }
    default:
        break;
    }
    for (size_t i = 0; i < n->u.map.len; ++i) {
        const spec_pair_t *p = &n->u.map.items[i];
        if (key_is(p->key, "$ref")) {
            /* Siblings of $ref are walked too: OpenAPI 3.1 schemas apply them alongside. */
            add_ref(r, n, p->value, doc, ctx, base, at);
            continue;
        }
        int c = child_context(ctx, p->key, p->value);
        if (c >= 0)
            walk_child(r, p->key, p->value, doc, (ctx_t)c, base, at);
    }
}

/* ---- chains and cycles ---- */

static void describe_cycle(spec_t *spec, const size_t *stack, size_t from, size_t to, char *buf,
                           size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = from; i <= to + 1 && o < size; ++i) {
        const spec_ref_t *ref = &spec->refs[stack[i <= to ? i : from]];
        int n = snprintf(buf + o, size - o, "%s%s:%u:%u", i != from ? " -> " : "",
                         ref->value->pos.file, ref->value->pos.line, ref->value->pos.col);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

/* Follows each chain to its end with memoisation (each reference is finished once), reporting a
 * chain that comes back to itself or is longer than max_ref_chain references. */
static void finish_chains(spec_t *spec)
{
    enum { TODO, ON_STACK, DONE };
    size_t max = spec->opts.max_ref_chain;
    unsigned char *state = spec__xcalloc(spec->nrefs, 1);
    size_t *hops = spec__xcalloc(spec->nrefs, sizeof(*hops)); /* refs to the chain's end */
    size_t *stack = spec__xmalloc((max + 1) * sizeof(*stack));
    for (size_t i = 0; i < spec->nrefs; ++i) {
        if (state[i] == DONE)
            continue;
        size_t depth = 0, cur = i, tail = 0, problem = SIZE_MAX;
        const spec_ref_t *end = NULL; /* supplies resolved, resolved_doc and resolved_pointer */
        spec_ref_t last_hop = {0};
        int too_long = 0;
        for (;;) {
            if (state[cur] == DONE) {
                if (spec->refs[cur].resolved == NULL)
                    problem = spec->refs[cur].problem;
                else if (depth + hops[cur] > max)
                    too_long = 1;
                else
                    end = &spec->refs[cur], tail = hops[cur];
                break;
            }
            if (state[cur] == ON_STACK) {
                size_t from = 0;
                while (stack[from] != cur)
                    ++from;
                char chain[400];
                describe_cycle(spec, stack, from, depth - 1, chain, sizeof(chain));
                const spec_ref_t *first = &spec->refs[cur];
                problem = spec__problem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_REF_CYCLE,
                                        first->value, NULL,
                                        "$ref '%s' is part of a reference cycle that never "
                                        "reaches a value: %s",
                                        first->value->u.scalar.str, chain);
                break;
            }
            if (depth == max) {
                too_long = 1;
                break;
            }
            state[cur] = ON_STACK;
            stack[depth++] = cur;
            const spec_ref_t *ref = &spec->refs[cur];
            size_t next;
            if (ref->target == NULL) {
                problem = ref->problem;
                break;
            }
            if (!spec__ptrmap_get(&spec->ref_index, (uintptr_t)ref->target, &next)) {
                last_hop.resolved = ref->target;
                last_hop.resolved_doc = ref->target_doc;
                last_hop.resolved_pointer = ref->target_pointer;
                end = &last_hop;
                break;
            }
            cur = next;
        }
        if (too_long) {
            spec_ref_t *head = &spec->refs[i];
            head->problem =
                spec__problem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_LIMIT, head->value, NULL,
                              "$ref '%s' starts a chain of more than %zu references",
                              head->value->u.scalar.str, max);
            /* only the head is settled: the rest are shorter chains, finished in their turn */
            for (size_t k = 1; k < depth; ++k)
                state[stack[k]] = TODO;
            state[i] = DONE;
            continue;
        }
        for (size_t k = depth; k-- > 0;) {
            spec_ref_t *ref = &spec->refs[stack[k]];
            state[stack[k]] = DONE;
            hops[stack[k]] = tail + (depth - k);
            if (end != NULL) {
                ref->resolved = end->resolved;
                ref->resolved_doc = end->resolved_doc;
                ref->resolved_pointer = end->resolved_pointer;
            } else {
                ref->problem = problem;
            }
        }
    }
    free(stack);
    free(hops);
    free(state);
}

/* The position of problems found while walking a referenced node is its place in its own file;
 * pointers there are relative to that file, which `base` carries. */
void spec__resolve_refs(spec_t *spec)
{
    resolver_t r = {.spec = spec};
    enqueue(&r, spec->root, 0, CTX_OBJECT, "");
    while (r.qhead < r.qlen) {
        pending_t p = r.queue[r.qhead++];
        if (p.node->kind != SPEC_NODE_SCALAR)
            walk(&r, p.node, p.doc, p.ctx, p.base, NULL);
    }
    finish_chains(spec);
    free(r.queue);
    free(r.memo);
    spec__ptrmap_dispose(&r.visited);
}

/* ---- public lookups ---- */

const spec_ref_t *spec_refs(const spec_t *spec, size_t *count)
{
    *count = spec->nrefs;
    return spec->refs;
}

const spec_ref_t *spec_ref_of(const spec_t *spec, const spec_node_t *n)
{
    size_t i;
    if (n == NULL || n->kind != SPEC_NODE_MAPPING ||
        !spec__ptrmap_get(&spec->ref_index, (uintptr_t)n, &i))
        return NULL;
    return &spec->refs[i];
}

const spec_node_t *spec_resolve(const spec_t *spec, const spec_node_t *n, const spec_doc_t **doc,
                                spec_error_t *err)
{
    const spec_ref_t *ref = spec_ref_of(spec, n);
    if (doc != NULL)
        *doc = ref != NULL ? ref->resolved_doc : NULL;
    if (ref == NULL)
        return n;
    if (ref->resolved == NULL && err != NULL) {
        if (ref->problem < spec->nproblems)
            *err = spec->problems[ref->problem].error;
        else
            spec_error_at(err, ref->value, "$ref '%s' cannot be resolved",
                          ref->value->u.scalar.str);
    }
    return ref->resolved;
}

const spec_node_t *spec_deref(const spec_t *spec, const spec_node_t *n)
{
    return spec_resolve(spec, n, NULL, NULL);
}
