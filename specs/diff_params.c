/* Parameters of a matched operation pair: path variables by position (templates match up to
 * their names), query, header (case-insensitive) and cookie parameters by name. */
#include <strings.h>
#include <string.h>
#include "diff_internal.h"

static const char *in_name(spec_param_in_t in)
{
    static const char *names[] = {"path", "query", "header", "cookie"};
    return names[in];
}

static size_t var_index(const spec_path_t *p, const char *name)
{
    for (size_t i = 0; i != p->nvars; ++i)
        if (strcmp(p->vars[i], name) == 0)
            return i;
    return SIZE_MAX;
}

static int same_name(spec_param_in_t in, const char *a, const char *b)
{
    return in == SPEC_PARAM_HEADER ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* Which occurrence of its location and name `p` is among `op`'s parameters, 0 for the first: a
 * spec may list a parameter twice (lint reports it), and the k-th then pairs with the k-th. */
static size_t occurrence(const spec_operation_t *op, const spec_param_t *p)
{
    size_t n = 0;
    for (const spec_param_t *q = op->params; q != p; ++q)
        n += q->in == p->in && same_name(p->in, q->name, p->name);
    return n;
}

/* The `nth` parameter of `op` in `in` named `name`, else the first, or NULL. */
static const spec_param_t *nth_named(const spec_operation_t *op, spec_param_in_t in,
                                     const char *name, size_t nth)
{
    const spec_param_t *first = NULL;
    for (size_t k = 0, seen = 0; k != op->nparams; ++k) {
        if (op->params[k].in != in || !same_name(in, op->params[k].name, name))
            continue;
        if (seen++ == nth)
            return &op->params[k];
        if (first == NULL)
            first = &op->params[k];
    }
    return first;
}

/* The revision parameter standing for base parameter `bp`, or NULL. */
static const spec_param_t *find(const spec__dctx_t *c, const spec_param_t *bp)
{
    const spec_operation_t *b = c->bop, *r = c->rop;
    if (bp->in == SPEC_PARAM_PATH) {
        size_t i = var_index(b->path, bp->name);
        for (size_t k = 0; i != SIZE_MAX && k != r->nparams; ++k)
            if (r->params[k].in == SPEC_PARAM_PATH && var_index(r->path, r->params[k].name) == i)
                return &r->params[k];
    }
    return nth_named(r, bp->in, bp->name, occurrence(b, bp));
}

static const spec_param_t *find_in_base(const spec__dctx_t *c, const spec_param_t *rp)
{
    const spec_operation_t *b = c->bop, *r = c->rop;
    if (rp->in == SPEC_PARAM_PATH) {
        size_t i = var_index(r->path, rp->name);
        for (size_t k = 0; i != SIZE_MAX && k != b->nparams; ++k)
            if (b->params[k].in == SPEC_PARAM_PATH && var_index(b->path, b->params[k].name) == i)
                return &b->params[k];
    }
    return nth_named(b, rp->in, rp->name, occurrence(r, rp));
}

/* A revision parameter of the same name in another location. */
static const spec_param_t *moved(const spec__dctx_t *c, const spec_param_t *bp)
{
    const spec_operation_t *r = c->rop;
    for (size_t k = 0; k != r->nparams; ++k)
        if (r->params[k].in != bp->in && strcasecmp(r->params[k].name, bp->name) == 0 &&
            find_in_base(c, &r->params[k]) == NULL)
            return &r->params[k];
    return NULL;
}

static int was_moved(const spec__dctx_t *c, const spec_param_t *rp)
{
    const spec_operation_t *b = c->bop;
    for (size_t k = 0; k != b->nparams; ++k)
        if (b->params[k].in != rp->in && strcasecmp(b->params[k].name, rp->name) == 0 &&
            find(c, &b->params[k]) == NULL)
            return 1;
    return 0;
}

static size_t push_param(spec__dctx_t *c, const spec_param_t *p)
{
    size_t old = spec__diff_push(c, "parameters");
    char tok[512];
    snprintf(tok, sizeof(tok), "%s.%s", in_name(p->in), p->name);
    spec__diff_push(c, tok);
    c->field_len = 0;
    spec__diff_field_push(c, p->name);
    c->param_in = p->in;
    return old;
}

static void compare(spec__dctx_t *c, const spec_param_t *bp, const spec_param_t *rp)
{
    size_t old = push_param(c, rp);
    if (!bp->required && rp->required)
        spec__diff_report(c, "request-parameter-became-required", SPEC_DIFF_CHANGE_REQUIRED,
                          rp->written,
                          "%s parameter %s became required: clients that omit it "
                          "break; keep it optional with a default, or add it for old clients "
                          "through an adapter (added with a default)",
                          in_name(rp->in), rp->name);
    else if (bp->required && !rp->required)
        spec__diff_report(c, "request-parameter-became-optional", SPEC_DIFF_CHANGE_REQUIRED,
                          rp->written, "%s parameter %s became optional", in_name(rp->in),
                          rp->name);
    if (bp->schema != NULL && rp->schema != NULL) {
        spec__schema_side_t side = {"request-parameter", NULL, 0, 1};
        spec__diff_schema_reset(c);
        spec__diff_schema(c, &side, bp->schema, rp->schema);
    }
    spec__diff_pop(c, old);
    c->field_len = 0;
}

void spec__diff_params(spec__dctx_t *c)
{
    const spec_operation_t *b = c->bop, *r = c->rop;
    c->where = SPEC_DIFF_AT_PARAMETER;
    for (size_t i = 0; i != b->nparams; ++i) {
        const spec_param_t *bp = &b->params[i], *rp = find(c, bp);
        c->where = SPEC_DIFF_AT_PARAMETER;
        if (rp != NULL) {
            c->field[0] = '\0';
            compare(c, bp, rp);
            continue;
        }
        const spec_param_t *mv = moved(c, bp);
        size_t old = push_param(c, bp);
        spec_diff_finding_t *f;
        if (mv != NULL)
            f = spec__diff_report(c, "request-parameter-location-changed", SPEC_DIFF_CHANGE_REMOVED,
                                  mv->written,
                                  "parameter %s moved from %s to %s: clients still "
                                  "send it in the %s; accept both for a while, or move it for old "
                                  "clients through an adapter",
                                  bp->name, in_name(bp->in), in_name(mv->in), in_name(bp->in));
        else
            f = spec__diff_report(c, "request-parameter-removed", SPEC_DIFF_CHANGE_REMOVED,
                                  bp->written,
                                  "%s parameter %s removed: clients still send it; "
                                  "ignore it for a deprecation period, or drop it for old "
                                  "clients through an adapter (removed)",
                                  in_name(bp->in), bp->name);
        (void)f;
        spec__diff_pop(c, old);
        c->field_len = 0;
    }
    for (size_t i = 0; i != r->nparams; ++i) {
        const spec_param_t *rp = &r->params[i];
        if (find_in_base(c, rp) != NULL || was_moved(c, rp))
            continue;
        c->where = SPEC_DIFF_AT_PARAMETER;
        size_t old = push_param(c, rp);
        spec_diff_finding_t *f;
        if (rp->required)
            f = spec__diff_report(c, "new-required-request-parameter", SPEC_DIFF_CHANGE_ADDED,
                                  rp->written,
                                  "new required %s parameter %s: existing clients "
                                  "do not send it; make it optional with a default, or add it "
                                  "for old clients through an adapter (added with a default)",
                                  in_name(rp->in), rp->name);
        else
            f = spec__diff_report(c, "new-optional-request-parameter", SPEC_DIFF_CHANGE_ADDED,
                                  rp->written, "new optional %s parameter %s", in_name(rp->in),
                                  rp->name);
        (void)f;
        spec__diff_pop(c, old);
        c->field_len = 0;
    }
}
