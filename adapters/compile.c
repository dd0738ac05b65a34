/* Compiles a parsed adapter file against the versions' specs: validates every change (operations,
 * schema components, fields, types, enums, paths) and turns its steps into direction-specific
 * primitives (compile_change.c), then builds one plan per (operation, requested version) by
 * chaining the changes' hops (compile_plan.c, compile_hop.c). This file holds the compiler's
 * shared lookups and the driver. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compile.h"

int adp__compile_fail(adp__compiler_t *cc, const spec_node_t *n, const char *fmt, ...)
{
    char msg[sizeof(cc->ctx->err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return spec_error_at(cc->ctx->err, n, "%s", msg);
}

/* ---- operations in specs ---- */

const spec_operation_t *adp__compile_find_op(const spec_t *spec, const char *id, int method,
                                             const char *tpl)
{
    if (spec == NULL)
        return NULL;
    if (id != NULL) {
        const spec_operation_t *op = spec_find_operation_by_id(spec, id);
        if (op != NULL || method < 0)
            return op;
    }
    if (method < 0 || tpl == NULL)
        return NULL;
    const spec_path_t *p = spec_find_path(spec, tpl);
    if (p != NULL && p->by_method[method] != NULL)
        return p->by_method[method];
    for (size_t i = 0; i < spec_path_count(spec); ++i) {
        p = spec_path_at(spec, i);
        if (p->by_method[method] != NULL && adp__tpl_same_shape(p->template, tpl))
            return p->by_method[method];
    }
    return NULL;
}

const char *adp__compile_op_label(adp__compiler_t *cc, const char *id, int method, const char *tpl)
{
    if (id != NULL)
        return id;
    return adp__arena_printf(cc->arena, "%s %s", spec_method_name((spec_method_t)method), tpl);
}

const char *adp__compile_ident_key(adp__compiler_t *cc, const adp__ident_t *id)
{
    if (id->method < 0 || id->tpl == NULL)
        return NULL;
    return adp__arena_printf(cc->arena, "%s %s", spec_method_name((spec_method_t)id->method),
                             id->tpl);
}

/* ---- the driver ---- */

int adp__compile(adp__ctx_t *ctx, const adp__file_t *file, adp_registry_t *reg, uint32_t max_states,
                 size_t max_plans)
{
    size_t n = ctx->nversions;
    adp__compiler_t cc = {ctx, ctx->arena, file, reg, max_states, max_plans};
    cc.changes = adp__xcalloc(n, sizeof(*cc.changes));
    cc.idents = adp__xcalloc(n, sizeof(*cc.idents));
    int rc = -1;
    /* which upstream serves each version */
    for (size_t i = n; i-- > 0;) {
        adp__version_t *v = &reg->versions[i];
        if (ctx->versions[i].has_upstream)
            v->upstream = i;
        else if (i + 1 < n)
            v->upstream = reg->versions[i + 1].upstream;
        else
            v->upstream = SIZE_MAX;
    }
    for (size_t i = 0; i < n; ++i)
        if (reg->versions[i].upstream == SIZE_MAX) {
            spec_error_at(ctx->err, file->root,
                          "version %s has no upstream and no newer version has one",
                          adp__compile_vname(&cc, i));
            goto out;
        }
    for (size_t k = 1; k < n; ++k) {
        cc.changes[k].c = file->by_version[k];
        if (cc.changes[k].c != NULL && adp__compile_change(&cc, &cc.changes[k]) != 0)
            goto out;
    }
    for (size_t i = 0; i < n; ++i)
        if (adp__compile_check_opdeprs(&cc, i) != 0 || adp__compile_plan_version(&cc, i) != 0)
            goto out;
    rc = 0;
out:
    for (size_t i = 0; i < n; ++i)
        free(cc.idents[i].items);
    free(cc.idents);
    free(cc.changes);
    free(cc.dfas);
    free(cc.hops);
    return rc;
}
