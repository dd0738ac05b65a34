/* Lint rulesets: YAML files that turn rules off or change their severity, in the subset of
 * Spectral's ruleset format that applies to built-in rules (`extends: spectral:oas`, `rules`). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lint_internal.h"
#include "spec_internal.h"

struct st_spec_ruleset_t {
    spec_doc_t *doc;
    lint__override_t *overrides;
    size_t noverrides;
};

static int fail(spec_error_t *err, const spec_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(spec_error_t *err, const spec_node_t *n, const char *fmt, ...)
{
    char msg[sizeof(err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return spec_error_at(err, n, "%s", msg);
}

/* `spectral:oas`, or Spectral's [name, "recommended"|"all"] form, are the rules we implement. */
/* Spectral's [name, "recommended"|"all"] form of one extended ruleset. */
static int is_tuple(const spec_node_t *n)
{
    return n->kind == SPEC_NODE_SEQUENCE && n->u.seq.len == 2 &&
           (spec_node_is(n->u.seq.items[1], "recommended") ||
            spec_node_is(n->u.seq.items[1], "all"));
}

/* `spectral:oas` is the one ruleset whose rules Versa implements. */
static int check_extends_one(const spec_node_t *n, spec_error_t *err)
{
    if (is_tuple(n))
        n = n->u.seq.items[0];
    if (spec_node_is(n, "spectral:oas"))
        return 0;
    return fail(err, n,
                "only \"spectral:oas\" can be extended (Versa implements its rules); remove "
                "other rulesets");
}

static int check_extends(const spec_node_t *n, spec_error_t *err)
{
    if (n->kind != SPEC_NODE_SEQUENCE || is_tuple(n))
        return check_extends_one(n, err);
    for (size_t i = 0; i < n->u.seq.len; ++i)
        if (check_extends_one(n->u.seq.items[i], err) != 0)
            return -1;
    return 0;
}

static int read_rule(spec_ruleset_t *rs, const spec_pair_t *p, spec_error_t *err)
{
    lint__override_t *o = &rs->overrides[rs->noverrides];
    memset(o, 0, sizeof(*o));
    o->rule = p->key->u.scalar.str;
    o->key = p->key;
    const spec_node_t *v = p->value;
    int b;
    if (v->kind == SPEC_NODE_SCALAR && v->scalar_type == SPEC_SCALAR_BOOL &&
        spec_node_bool(v, &b) == 0) {
        o->use_default = b;
        o->severity = SPEC_LINT_OFF;
    } else if (v->kind == SPEC_NODE_SCALAR && v->scalar_type == SPEC_SCALAR_STRING) {
        if (spec_lint_severity_parse(v->u.scalar.str, &o->severity) != 0)
            return fail(err, v,
                        "rule \"%s\": severity must be off, error, warn, info or hint, not \"%s\"",
                        o->rule, v->u.scalar.str);
    } else if (v->kind == SPEC_NODE_MAPPING) {
        return fail(err, v,
                    "rule \"%s\": custom rule definitions are not supported; give a severity "
                    "(off, error, warn, info or hint)",
                    o->rule);
    } else {
        return fail(err, v, "rule \"%s\": severity must be off, error, warn, info or hint, not %s",
                    o->rule, spec_node_type_name(v));
    }
    ++rs->noverrides;
    return 0;
}

static int build(spec_ruleset_t *rs, spec_error_t *err)
{
    const spec_node_t *root = spec_doc_root(rs->doc);
    if (root->kind != SPEC_NODE_MAPPING)
        return fail(err, root, "a ruleset must be a mapping with a \"rules\" key, not %s",
                    spec_node_type_name(root));
    for (size_t i = 0; i < root->u.map.len; ++i) {
        const spec_pair_t *p = &root->u.map.items[i];
        const char *k = p->key->u.scalar.str;
        if (strcmp(k, "extends") == 0) {
            if (check_extends(p->value, err) != 0)
                return -1;
        } else if (strcmp(k, "rules") == 0) {
            if (p->value->kind == SPEC_NODE_SCALAR && p->value->scalar_type == SPEC_SCALAR_NULL)
                continue;
            if (p->value->kind != SPEC_NODE_MAPPING)
                return fail(err, p->value, "\"rules\" must be a mapping of rule ids to severities");
            rs->overrides = spec__xrealloc(rs->overrides, (rs->noverrides + p->value->u.map.len) *
                                                              sizeof(*rs->overrides));
            for (size_t j = 0; j < p->value->u.map.len; ++j)
                if (read_rule(rs, &p->value->u.map.items[j], err) != 0)
                    return -1;
        } else if (strcmp(k, "description") == 0 || strcmp(k, "documentationUrl") == 0 ||
                   strcmp(k, "formats") == 0) {
            /* informational in Spectral too */
        } else {
            return fail(err, p->key,
                        "unsupported ruleset key \"%s\" (Versa reads \"extends\" and \"rules\")",
                        k);
        }
    }
    return 0;
}

static int finish(spec_ruleset_t **out, spec_doc_t *doc, spec_error_t *err)
{
    spec_ruleset_t *rs = spec__xcalloc(1, sizeof(*rs));
    rs->doc = doc;
    if (build(rs, err) != 0) {
        spec_ruleset_destroy(rs);
        *out = NULL;
        return -1;
    }
    *out = rs;
    return 0;
}

int spec_ruleset_load(spec_ruleset_t **out, const char *path, spec_error_t *err)
{
    spec_doc_t *doc;
    *out = NULL;
    if (spec_doc_load(&doc, path, NULL, err) != 0)
        return -1;
    return finish(out, doc, err);
}

int spec_ruleset_parse(spec_ruleset_t **out, const char *file, const char *buf, size_t len,
                       spec_error_t *err)
{
    spec_doc_t *doc;
    *out = NULL;
    if (spec_doc_parse(&doc, file, buf, len, NULL, err) != 0)
        return -1;
    return finish(out, doc, err);
}

void spec_ruleset_destroy(spec_ruleset_t *rs)
{
    if (rs == NULL)
        return;
    spec_doc_destroy(rs->doc);
    free(rs->overrides);
    free(rs);
}

const lint__override_t *lint__ruleset_overrides(const spec_ruleset_t *rs, size_t *count)
{
    *count = rs->noverrides;
    return rs->overrides;
}
