/* Reads an adapter file's tree (specs/node.h) into adp__file_t: its changes (version, operations,
 * schemas, header and query steps) and deprecation metadata; the steps themselves are read by
 * parse_steps.c and parse_fields.c on the readers of parse_read.c. Checks against the specs
 * happen in check.c/compile.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"

#define MAX_VALUES_PER_FILE 100000 /* jansson values made from defaults and maps */

static size_t version_index(adp__parser_t *p, const char *name)
{
    for (size_t i = 0; i < p->ctx->nversions; ++i)
        if (strcmp(p->ctx->versions[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

static int known_versions(adp__parser_t *p, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < p->ctx->nversions && at < size; ++i)
        at +=
            (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "", p->ctx->versions[i].name);
    return 0;
}

/* ---- operations ---- */

int adp__parse_op_key(const char *s, int *method, const char **tpl)
{
    const char *sp = strchr(s, ' ');
    spec_method_t m;
    if (sp == NULL || spec_method_parse(s, (size_t)(sp - s), &m) != 0 || sp[1] != '/')
        return -1;
    *method = (int)m;
    *tpl = sp + 1;
    return 0;
}

static int parse_op_name(adp__parser_t *p, const spec_node_t *k, const char **id, int *method,
                         const char **tpl)
{
    const char *s = spec_node_scalar(k);
    *id = NULL;
    *method = -1;
    *tpl = NULL;
    if (adp__parse_op_key(s, method, tpl) == 0) {
        *tpl = adp__arena_strdup(p->ctx->arena, *tpl);
        return 0;
    }
    if (*s == '\0' || strpbrk(s, " \t/") != NULL)
        return adp__parse_fail(
            p, k, "operation '%s': expected an operationId or \"METHOD /template\"", s);
    *id = adp__arena_strdup(p->ctx->arena, s);
    return 0;
}

static int parse_opent(adp__parser_t *p, const spec_pair_t *pair, int change_errors,
                       adp__opent_t *e)
{
    static const char *const keys[] = {"request", "response", "headers", "query",
                                       "path",    "gone",     "errors",  NULL};
    const spec_node_t *n = pair->value;
    memset(e, 0, sizeof(*e));
    e->key = pair->key;
    e->errors = -1;
    if (parse_op_name(p, pair->key, &e->id, &e->method, &e->tpl) != 0 ||
        adp__parse_expect(p, n, SPEC_NODE_MAPPING, spec_node_scalar(pair->key)) != 0 ||
        adp__parse_check_keys(p, n, "operation", keys) != 0)
        return -1;
    const spec_node_t *v;
    if ((v = spec_node_get(n, "errors")) != NULL &&
        adp__parse_bool(p, v, "errors", &e->errors) != 0)
        return -1;
    int errors = e->errors >= 0 ? e->errors : change_errors;
    if ((v = spec_node_get(n, "request")) != NULL &&
        adp__parse_oplist(p, v, "request", ADP__LIST_REQUEST, errors, &e->request) != 0)
        return -1;
    if ((v = spec_node_get(n, "response")) != NULL &&
        adp__parse_oplist(p, v, "response", ADP__LIST_RESPONSE, errors, &e->response) != 0)
        return -1;
    if ((v = spec_node_get(n, "headers")) != NULL &&
        adp__parse_foplist(p, v, 1, errors, &e->headers) != 0)
        return -1;
    if ((v = spec_node_get(n, "query")) != NULL &&
        adp__parse_foplist(p, v, 0, errors, &e->query) != 0)
        return -1;
    if ((v = spec_node_get(n, "path")) != NULL) {
        static const char *const pk[] = {"old", "new", NULL};
        if (adp__parse_expect(p, v, SPEC_NODE_MAPPING, "path") != 0 ||
            adp__parse_check_keys(p, v, "path", pk) != 0 ||
            adp__parse_member_str(p, v, "old", "path.old", &e->path_old) != 0 ||
            adp__parse_member_str(p, v, "new", "path.new", &e->path_new) != 0)
            return -1;
        e->path_node = v;
        if (e->path_old[0] != '/' || e->path_new[0] != '/')
            return adp__parse_fail(p, v, "path: templates start with '/'");
    }
    if ((v = spec_node_get(n, "gone")) != NULL) {
        if (v->scalar_type == SPEC_SCALAR_STRING) {
            if (adp__parse_str(p, v, "gone", &e->gone_detail) != 0)
                return -1;
            e->gone = 1;
        } else if (adp__parse_bool(p, v, "gone", &e->gone) != 0) {
            return -1;
        }
        if (e->gone && n->u.map.len != 1)
            return adp__parse_fail(p, v, "gone: a gone operation has no other changes");
    }
    return 0;
}

static int parse_change(adp__parser_t *p, const spec_node_t *n, adp__change_t *c)
{
    static const char *const keys[] = {"to",      "description", "errors", "operations",
                                       "schemas", "headers",     "query",  NULL};
    if (adp__parse_expect(p, n, SPEC_NODE_MAPPING, "change") != 0 ||
        adp__parse_check_keys(p, n, "change", keys) != 0)
        return -1;
    c->node = n;
    const char *to = NULL;
    if (adp__parse_member_str(p, n, "to", "change", &to) != 0)
        return -1;
    c->to = version_index(p, to);
    if (c->to == SIZE_MAX) {
        char known[512];
        known_versions(p, known, sizeof(known));
        return adp__parse_fail(p, spec_node_get(n, "to"), "to: unknown version '%s' (versions: %s)",
                               to, known);
    }
    if (c->to == 0)
        return adp__parse_fail(p, spec_node_get(n, "to"),
                               "to: '%s' is the oldest version; a change leads to a newer one", to);
    const spec_node_t *v;
    if ((v = spec_node_get(n, "description")) != NULL &&
        adp__parse_str(p, v, "description", &c->description) != 0)
        return -1;
    if ((v = spec_node_get(n, "errors")) != NULL &&
        adp__parse_bool(p, v, "errors", &c->errors) != 0)
        return -1;
    if ((v = spec_node_get(n, "operations")) != NULL) {
        if (adp__parse_expect(p, v, SPEC_NODE_MAPPING, "operations") != 0)
            return -1;
        c->nops = v->u.map.len;
        c->ops = adp__arena_alloc(p->ctx->arena, (c->nops + 1) * sizeof(*c->ops));
        for (size_t i = 0; i < c->nops; ++i)
            if (parse_opent(p, &v->u.map.items[i], c->errors, &c->ops[i]) != 0)
                return -1;
    }
    if ((v = spec_node_get(n, "schemas")) != NULL) {
        if (adp__parse_expect(p, v, SPEC_NODE_MAPPING, "schemas") != 0)
            return -1;
        c->nschemas = v->u.map.len;
        c->schemas = adp__arena_alloc(p->ctx->arena, (c->nschemas + 1) * sizeof(*c->schemas));
        for (size_t i = 0; i < c->nschemas; ++i) {
            adp__schent_t *s = &c->schemas[i];
            s->key = v->u.map.items[i].key;
            s->name = adp__arena_strdup(p->ctx->arena, spec_node_scalar(s->key));
            if (adp__parse_oplist(p, v->u.map.items[i].value, s->name, ADP__LIST_SCHEMA, c->errors,
                                  &s->ops) != 0)
                return -1;
        }
    }
    if ((v = spec_node_get(n, "headers")) != NULL &&
        adp__parse_foplist(p, v, 1, c->errors, &c->headers) != 0)
        return -1;
    if ((v = spec_node_get(n, "query")) != NULL &&
        adp__parse_foplist(p, v, 0, c->errors, &c->query) != 0)
        return -1;
    return 0;
}

/* ---- deprecation ---- */

/* A URI for a Link header: no whitespace, controls, quotes or angle brackets (RFC 8288 §3). */
static int check_link(adp__parser_t *p, const spec_node_t *n, const char *s)
{
    const char *colon = strchr(s, ':');
    if (colon == NULL || colon == s)
        return adp__parse_fail(p, n, "link: expected an absolute URI");
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; ++c)
        if (*c <= 0x20 || *c >= 0x7f || *c == '<' || *c == '>' || *c == '"')
            return adp__parse_fail(p, n, "link: '%c' (0x%02x) is not allowed in a URI",
                                   *c >= 0x20 && *c < 0x7f ? *c : '?', *c);
    return 0;
}

static int parse_date_node(adp__parser_t *p, const spec_node_t *n, const char *what, int64_t *out)
{
    const char *s = spec_node_scalar(n);
    if (n->kind != SPEC_NODE_SCALAR || s == NULL || adp_parse_date(s, n->u.scalar.len, out) != 0)
        return adp__parse_fail(p, n, "%s: expected a date (2026-06-30) or an RFC 3339 date-time",
                               what);
    return 0;
}

static int parse_depr(adp__parser_t *p, const spec_node_t *n, int with_ops, adp__depr_t *d)
{
    static const char *const keys_v[] = {"deprecated",   "sunset",     "link", "sunset_link",
                                         "after_sunset", "operations", NULL};
    static const char *const keys_o[] = {"deprecated",  "sunset",       "link",
                                         "sunset_link", "after_sunset", NULL};
    if (adp__parse_expect(p, n, SPEC_NODE_MAPPING, "deprecation") != 0 ||
        adp__parse_check_keys(p, n, with_ops ? "version" : "operation",
                              with_ops ? keys_v : keys_o) != 0)
        return -1;
    d->node = n;
    const spec_node_t *v;
    if ((v = spec_node_get(n, "deprecated")) != NULL) {
        if (parse_date_node(p, v, "deprecated", &d->deprecated_at) != 0)
            return -1;
        d->has_deprecated = 1;
    }
    if ((v = spec_node_get(n, "sunset")) != NULL) {
        if (parse_date_node(p, v, "sunset", &d->sunset_at) != 0)
            return -1;
        d->has_sunset = 1;
    }
    if (d->has_deprecated && d->has_sunset && d->sunset_at < d->deprecated_at)
        return adp__parse_fail(p, v, "sunset: earlier than the deprecation date (RFC 9745 §3)");
    if ((v = spec_node_get(n, "link")) != NULL &&
        (adp__parse_str(p, v, "link", &d->link) != 0 || check_link(p, v, d->link) != 0))
        return -1;
    if ((v = spec_node_get(n, "sunset_link")) != NULL &&
        (adp__parse_str(p, v, "sunset_link", &d->sunset_link) != 0 ||
         check_link(p, v, d->sunset_link) != 0))
        return -1;
    d->gone_after_sunset = 1;
    if ((v = spec_node_get(n, "after_sunset")) != NULL) {
        if (spec_node_is(v, "gone"))
            d->gone_after_sunset = 1;
        else if (spec_node_is(v, "serve"))
            d->gone_after_sunset = 0;
        else
            return adp__parse_fail(p, v, "after_sunset: expected 'gone' or 'serve'");
        d->has_after_sunset = 1;
    }
    return 0;
}

/* ---- the file ---- */

static int parse_versions(adp__parser_t *p, const spec_node_t *n, adp__file_t *f)
{
    if (adp__parse_expect(p, n, SPEC_NODE_MAPPING, "versions") != 0)
        return -1;
    for (size_t i = 0; i < n->u.map.len; ++i) {
        const spec_node_t *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        size_t vi = version_index(p, spec_node_scalar(k));
        if (vi == SIZE_MAX) {
            char known[512];
            known_versions(p, known, sizeof(known));
            return adp__parse_fail(p, k, "versions: unknown version '%s' (versions: %s)",
                                   spec_node_scalar(k), known);
        }
        adp__vmeta_t *m = &f->meta[vi];
        if (parse_depr(p, v, 1, &m->depr) != 0)
            return -1;
        /* a version entry may only hold per-operation metadata */
        m->has_depr = m->depr.has_deprecated || m->depr.has_sunset || m->depr.link != NULL ||
                      m->depr.sunset_link != NULL;
        const spec_node_t *ops = spec_node_get(v, "operations");
        if (ops == NULL)
            continue;
        if (adp__parse_expect(p, ops, SPEC_NODE_MAPPING, "operations") != 0)
            return -1;
        m->nops = ops->u.map.len;
        m->ops = adp__arena_alloc(p->ctx->arena, (m->nops + 1) * sizeof(*m->ops));
        for (size_t j = 0; j < m->nops; ++j) {
            adp__opdepr_t *o = &m->ops[j];
            o->key = ops->u.map.items[j].key;
            if (parse_op_name(p, o->key, &o->id, &o->method, &o->tpl) != 0 ||
                parse_depr(p, ops->u.map.items[j].value, 0, &o->depr) != 0)
                return -1;
        }
    }
    return 0;
}

int adp__parse_file(adp__ctx_t *ctx, const spec_node_t *root, adp__file_t *out)
{
    adp__parser_t p = {ctx, MAX_VALUES_PER_FILE};
    memset(out, 0, sizeof(*out));
    out->root = root;
    out->by_version = adp__arena_alloc(ctx->arena, ctx->nversions * sizeof(*out->by_version));
    out->meta = adp__arena_alloc(ctx->arena, ctx->nversions * sizeof(*out->meta));
    static const char *const keys[] = {"api", "versions", "changes", NULL};
    if (root == NULL)
        return adp__parse_fail(&p, root, "empty adapter file");
    if (adp__parse_expect(&p, root, SPEC_NODE_MAPPING, "adapter file") != 0 ||
        adp__parse_check_keys(&p, root, "adapter file", keys) != 0 ||
        adp__parse_member_str(&p, root, "api", "adapter file", &out->api) != 0)
        return -1;
    const spec_node_t *v;
    if ((v = spec_node_get(root, "versions")) != NULL && parse_versions(&p, v, out) != 0)
        return -1;
    if ((v = spec_node_get(root, "changes")) == NULL)
        return 0;
    if (adp__parse_expect(&p, v, SPEC_NODE_SEQUENCE, "changes") != 0)
        return -1;
    size_t prev = SIZE_MAX;
    for (size_t i = 0; i < v->u.seq.len; ++i) {
        adp__change_t *c = adp__arena_alloc(ctx->arena, sizeof(*c));
        if (parse_change(&p, v->u.seq.items[i], c) != 0)
            return -1;
        const spec_node_t *to = spec_node_get(v->u.seq.items[i], "to");
        if (out->by_version[c->to] != NULL)
            return adp__parse_fail(&p, to, "to: a second change to '%s'",
                                   ctx->versions[c->to].name);
        if (c->to > prev)
            return adp__parse_fail(
                &p, to, "to: changes are listed newest first, and '%s' is newer than '%s'",
                ctx->versions[c->to].name, ctx->versions[prev].name);
        prev = c->to;
        out->by_version[c->to] = c;
    }
    return 0;
}
