/* Schema keywords the validator must be able to enforce: schema-pattern-ecma262 (a `pattern` or
 * `patternProperties` name that is not an ECMA-262 regular expression, JSON Schema 2020-12
 * §6.3.3) and schema-keyword-unenforced (a keyword Versa's schema engine does not enforce: a
 * valid pattern it cannot run exactly, $dynamicRef in a spec, keywords of older drafts that the
 * 2020-12 dialect of OpenAPI 3.1 does not have). */
#include <stdio.h>
#include <string.h>
#include "../lint_internal.h"
#include "../schema_regex.h"

static void check_pattern(lint__walk_t *w, const spec_node_t *pattern, const char *what)
{
    if (pattern->kind != SPEC_NODE_SCALAR)
        return; /* oas3-schema reports the type */
    spec__regex_error_t err;
    spec__regex_t *re = spec__regex_compile(pattern->u.scalar.str, pattern->u.scalar.len, &err);
    if (re != NULL) {
        spec__regex_destroy(re);
        return;
    }
    if (err.unsupported)
        lint__report(w->ctx, LR_SCHEMA_KEYWORD_UNENFORCED, pattern, w->path.buf,
                     "%s \"%.80s\" is not enforced by the validator: %s", what,
                     pattern->u.scalar.str, err.message);
    else
        lint__report(w->ctx, LR_SCHEMA_PATTERN_ECMA262, pattern, w->path.buf,
                     "%s \"%.80s\" is not a valid ECMA-262 regular expression: %s (at character "
                     "%zu)",
                     what, pattern->u.scalar.str, err.message, err.offset + 1);
}

/* Keywords of drafts before 2020-12, which the OpenAPI 3.1 dialect does not have: a schema
 * using them means something its author expects and nobody enforces. */
static const char *const older_drafts[] = {"dependencies", "additionalItems", "$recursiveRef",
                                           "$recursiveAnchor", NULL};

void lint__visit_schema_keywords(lint__walk_t *w, const spec_node_t *schema)
{
    if (schema->kind != SPEC_NODE_MAPPING)
        return;
    int patterns = lint__on(w->ctx, LR_SCHEMA_PATTERN_ECMA262) ||
                   lint__on(w->ctx, LR_SCHEMA_KEYWORD_UNENFORCED);
    const spec_node_t *p = spec_node_get(schema, "pattern");
    if (patterns && p != NULL) {
        size_t saved = lint__path_push_str(&w->path, "pattern");
        check_pattern(w, p, "pattern");
        lint__path_pop(&w->path, saved);
    }
    const spec_node_t *pp = w->ctx->v31 ? spec_node_get(schema, "patternProperties") : NULL;
    if (patterns && pp != NULL && pp->kind == SPEC_NODE_MAPPING) {
        size_t saved = lint__path_push_str(&w->path, "patternProperties");
        for (size_t i = 0; i < pp->u.map.len; ++i) {
            const spec_node_t *key = pp->u.map.items[i].key;
            size_t s2 = lint__path_push(&w->path, key->u.scalar.str, key->u.scalar.len);
            check_pattern(w, key, "patternProperties name");
            lint__path_pop(&w->path, s2);
        }
        lint__path_pop(&w->path, saved);
    }
    if (!w->ctx->v31 || !lint__on(w->ctx, LR_SCHEMA_KEYWORD_UNENFORCED))
        return;
    for (size_t i = 0; i < schema->u.map.len; ++i) {
        const spec_node_t *key = schema->u.map.items[i].key;
        const char *why = NULL;
        if (spec_node_is(key, "$dynamicRef"))
            why = "the validator follows $dynamicRef in standalone schemas only, not in specs";
        for (size_t k = 0; why == NULL && older_drafts[k] != NULL; ++k)
            if (spec_node_is(key, older_drafts[k]))
                why = "it is not a JSON Schema 2020-12 keyword (OpenAPI 3.1), so it is ignored";
        if (why == NULL)
            continue;
        size_t saved = lint__path_push(&w->path, key->u.scalar.str, key->u.scalar.len);
        lint__report(w->ctx, LR_SCHEMA_KEYWORD_UNENFORCED, key, w->path.buf,
                     "\"%s\" is not enforced by the validator: %s", key->u.scalar.str, why);
        lint__path_pop(&w->path, saved);
    }
}
