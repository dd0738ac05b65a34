/* oas3-unused-component: a reusable component no $ref points at (schemas, responses,
 * parameters, examples, requestBodies, headers, links and callbacks, as in Spectral). */
#include <stdlib.h>
#include <string.h>
#include "../lint_internal.h"
#include "../spec_internal.h"

static const char *const kinds[] = {"schemas",       "responses", "parameters", "examples",
                                    "requestBodies", "headers",   "links",      "callbacks"};

/* For a reference into the root document under /components/<kind>/<name>/..., the component
 * node it lies in; NULL otherwise. */
static const spec_node_t *enclosing_component(const spec_t *spec, const spec_ref_t *ref)
{
    const char *hash = strchr(ref->value->u.scalar.str, '#');
    if (hash == NULL || strncmp(hash, "#/components/", 13) != 0)
        return NULL;
    /* the pointer up to the component name: "/components/<kind>/<name>" */
    const char *p = hash + 1;
    size_t slashes = 0, len = 0;
    while (p[len] != '\0' && !(p[len] == '/' && ++slashes == 4))
        ++len;
    char *decoded = malloc(len + 1);
    if (decoded == NULL)
        abort();
    long n = spec__percent_decode(p, len, decoded);
    const spec_node_t *c = n >= 0 ? spec_pointer_get(spec_root(spec), decoded, (size_t)n) : NULL;
    free(decoded);
    return c;
}

void lint__rules_components(spec_lint_ctx_t *ctx)
{
    const spec_node_t *components = spec_node_get(spec_root(ctx->spec), "components");
    if (components == NULL || components->kind != SPEC_NODE_MAPPING ||
        !lint__on(ctx, LR_OAS3_UNUSED_COMPONENT))
        return;
    spec__ptrmap_t used = {0};
    size_t nrefs;
    const spec_ref_t *refs = spec_refs(ctx->spec, &nrefs);
    for (size_t i = 0; i < nrefs; ++i) {
        if (refs[i].target == NULL || refs[i].target_doc != ctx->doc)
            continue;
        spec__ptrmap_put(&used, (uintptr_t)refs[i].target, 0, NULL);
        const spec_node_t *c = enclosing_component(ctx->spec, &refs[i]);
        if (c != NULL)
            spec__ptrmap_put(&used, (uintptr_t)c, 0, NULL);
    }
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); ++k) {
        const spec_node_t *map = spec_node_get(components, kinds[k]);
        if (map == NULL || map->kind != SPEC_NODE_MAPPING)
            continue;
        for (size_t i = 0; i < map->u.map.len; ++i) {
            const spec_pair_t *p = &map->u.map.items[i];
            if (spec__ptrmap_get(&used, (uintptr_t)p->value, NULL))
                continue;
            lint__path_t ptr = {.len = 0};
            ptr.buf[0] = '\0';
            lint__path_push_str(&ptr, "components");
            lint__path_push_str(&ptr, kinds[k]);
            lint__path_push(&ptr, p->key->u.scalar.str, p->key->u.scalar.len);
            lint__report(ctx, LR_OAS3_UNUSED_COMPONENT, p->key, ptr.buf,
                         "Potentially unused component has been detected.");
        }
    }
    spec__ptrmap_dispose(&used);
}
