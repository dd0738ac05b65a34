/* oas3-operation-security-defined: every scheme a Security Requirement names is defined in
 * components.securitySchemes, and OAuth2 scopes are ones its flows declare. */
#include <string.h>
#include "../lint_internal.h"

/* Is `scope` declared by one of the flows of an oauth2 scheme? */
static int scope_defined(const spec_node_t *scheme, const spec_node_t *scope)
{
    const spec_node_t *flows = spec_node_get(scheme, "flows");
    if (flows == NULL || flows->kind != SPEC_NODE_MAPPING || scope->kind != SPEC_NODE_SCALAR)
        return 0;
    for (size_t i = 0; i < flows->u.map.len; ++i)
        if (spec_node_get(spec_node_get(flows->u.map.items[i].value, "scopes"),
                          scope->u.scalar.str))
            return 1;
    return 0;
}

static void check_requirements(spec_lint_ctx_t *ctx, const spec_node_t *list, lint__path_t *ptr,
                               const char *object)
{
    if (list == NULL || list->kind != SPEC_NODE_SEQUENCE)
        return;
    size_t saved = lint__path_push_str(ptr, "security");
    for (size_t i = 0; i < list->u.seq.len; ++i) {
        const spec_node_t *req = list->u.seq.items[i];
        if (req->kind != SPEC_NODE_MAPPING)
            continue;
        size_t s2 = lint__path_push_index(ptr, i);
        for (size_t k = 0; k < req->u.map.len; ++k) {
            const spec_pair_t *p = &req->u.map.items[k];
            size_t s3 = lint__path_push(ptr, p->key->u.scalar.str, p->key->u.scalar.len);
            const spec_node_t *scheme =
                spec_component(ctx->spec, "securitySchemes", p->key->u.scalar.str);
            if (scheme == NULL) {
                lint__report(ctx, LR_OAS3_OPERATION_SECURITY_DEFINED, p->key, ptr->buf,
                             "%s \"security\" values must match a scheme defined in the "
                             "\"components.securitySchemes\" object.",
                             object);
            } else if (p->value->kind == SPEC_NODE_SEQUENCE) {
                int oauth2 = spec_node_is(spec_node_get(scheme, "type"), "oauth2");
                int oidc = spec_node_is(spec_node_get(scheme, "type"), "openIdConnect");
                for (size_t s = 0; s < p->value->u.seq.len; ++s) {
                    const spec_node_t *scope = p->value->u.seq.items[s];
                    /* 3.0 §4.7.30: for schemes other than oauth2 and openIdConnect "the array
                     * MUST be empty"; 3.1 allows role names there, which nothing declares. */
                    if (oidc || (!oauth2 && ctx->v31) || (oauth2 && scope_defined(scheme, scope)))
                        continue;
                    size_t s4 = lint__path_push_index(ptr, s);
                    lint__report(ctx, LR_OAS3_OPERATION_SECURITY_DEFINED, scope, ptr->buf,
                                 "\"%s\" must be listed among scopes.",
                                 scope->kind == SPEC_NODE_SCALAR ? scope->u.scalar.str : "?");
                    lint__path_pop(ptr, s4);
                }
            }
            lint__path_pop(ptr, s3);
        }
        lint__path_pop(ptr, s2);
    }
    lint__path_pop(ptr, saved);
}

void lint__rules_security(spec_lint_ctx_t *ctx)
{
    if (!lint__on(ctx, LR_OAS3_OPERATION_SECURITY_DEFINED))
        return;
    lint__path_t ptr = {.len = 0};
    ptr.buf[0] = '\0';
    check_requirements(ctx, spec_node_get(spec_root(ctx->spec), "security"), &ptr, "API");
    size_t n = spec_operation_count(ctx->spec);
    for (size_t i = 0; i < n; ++i) {
        const spec_operation_t *op = spec_operation_at(ctx->spec, i);
        ptr.len = 0;
        ptr.buf[0] = '\0';
        lint__path_push_str(&ptr, "paths");
        lint__path_push_str(&ptr, op->path->template);
        lint__path_push(&ptr, op->key->u.scalar.str, op->key->u.scalar.len);
        check_requirements(ctx, spec_node_get(op->node, "security"), &ptr, "Operation");
    }
}
