/* Entry points of a comparison, the status pass, and the result: lifetime and rendering. The
 * recording primitives the passes share live in ct_ctx.c. */
#include "ct_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_body.h"
#include "ct_ctx.h"
#include "ct_headers.h"
#include "ct_json.h"

static const char *const kind_names[] = {
#define CT_DIFF_KIND_NAME(name, text) text,
    CT_DIFF_KIND_LIST(CT_DIFF_KIND_NAME)
#undef CT_DIFF_KIND_NAME
};

const char *ct_kind_name(ct_kind_t kind)
{
    return (unsigned)kind < CT_DIFF_KIND_COUNT ? kind_names[kind] : "unknown";
}

int ct_kind_from_name(const char *name, ct_kind_t *kind)
{
    for (unsigned i = 0; i < CT_DIFF_KIND_COUNT; i++) {
        if (strcmp(kind_names[i], name) == 0) {
            *kind = (ct_kind_t)i;
            return 0;
        }
    }
    return -1;
}

/* Results. */

void ct_result_init(ct_result_t *result)
{
    memset(result, 0, sizeof(*result));
}

void ct_result_clear(ct_result_t *result)
{
    ct__drop_diffs(result, 0);
    result->truncated = 0;
}

void ct_result_dispose(ct_result_t *result)
{
    ct_result_clear(result);
    free(result->diffs);
    if (result->scratch != NULL) {
        free(result->scratch->segs);
        free(result->scratch->states.items);
        free(result->scratch->pairs);
        body_arena_dispose(&result->scratch->arena);
        free(result->scratch);
    }
    memset(result, 0, sizeof(*result));
}

/* Comparisons. */

static void begin(ct_ctx_t *ctx, const ct_rules_t *rules, const char *operation,
                  ct_result_t *result)
{
    ct_result_clear(result);
    if (result->scratch == NULL) {
        result->scratch = ct__xcalloc(1, sizeof(*result->scratch));
        body_arena_init(&result->scratch->arena);
    }
    result->scratch->num_segs = 0;
    result->scratch->states.len = 0;
    memset(ctx, 0, sizeof(*ctx));
    ctx->rules = rules;
    ctx->opts = &rules->opts;
    ctx->result = result;
    ctx->scratch = result->scratch;
    ct__match_start(rules, operation, &ctx->scratch->states);
}

static ct_seg_t root(const char *name)
{
    return (ct_seg_t){name, strlen(name)};
}

static void compare_status(ct_ctx_t *ctx, int a, int b, size_t begin, size_t end, unsigned verdict)
{
    if (a == b)
        return;
    char pa[16], pb[16];
    snprintf(pa, sizeof(pa), "%d", a);
    snprintf(pb, sizeof(pb), "%d", b);
    if ((verdict & CT_VERDICT_MATCHERS) &&
        (ct__match_numbers(ctx->rules, &ctx->scratch->states, begin, end, a, b) ||
         ct__match_texts(ctx->rules, &ctx->scratch->states, begin, end, pa, strlen(pa), pb,
                         strlen(pb))))
        return;
    ct__emit(ctx, CT_DIFF_VALUE_CHANGED, pa, pb, NULL);
}

int ct_compare(const ct_rules_t *rules, const char *operation, const ct_response_t *primary,
               const ct_response_t *candidate, ct_result_t *result)
{
    ct_rules_t defaults = {0};
    if (rules == NULL) {
        ct_options_init(&defaults.opts);
        rules = &defaults;
    }
    ct_ctx_t ctx;
    begin(&ctx, rules, operation, result);
    size_t end = ctx.scratch->states.len, child;

    unsigned verdict = ct__enter(&ctx, root("status"), 0, end, &child);
    if (!(verdict & (CT_VERDICT_IGNORE | CT_VERDICT_PRESENT)))
        compare_status(&ctx, primary->status, candidate->status, child, ctx.scratch->states.len,
                       verdict);
    ct__leave(&ctx, child);

    if (rules->opts.compare_headers) {
        verdict = ct__enter(&ctx, root("headers"), 0, end, &child);
        if (!(verdict & (CT_VERDICT_IGNORE | CT_VERDICT_PRESENT)))
            ct__compare_headers(&ctx, primary, candidate, child, ctx.scratch->states.len);
        ct__leave(&ctx, child);
    }

    verdict = ct__enter(&ctx, root("body"), 0, end, &child);
    if (!(verdict & CT_VERDICT_IGNORE))
        ct__compare_body(&ctx, primary, candidate, child, ctx.scratch->states.len, verdict);
    ct__leave(&ctx, child);
    return result->num_diffs != 0 || result->truncated;
}

int ct_compare_json(const ct_rules_t *rules, const char *operation, const body_value_t *primary,
                    const body_value_t *candidate, ct_result_t *result)
{
    ct_rules_t defaults = {0};
    if (rules == NULL) {
        ct_options_init(&defaults.opts);
        rules = &defaults;
    }
    ct_ctx_t ctx;
    begin(&ctx, rules, operation, result);
    size_t child;
    unsigned verdict = ct__enter(&ctx, root("body"), 0, ctx.scratch->states.len, &child);
    if (!(verdict & CT_VERDICT_IGNORE)) {
        if (primary == NULL || candidate == NULL) {
            if (primary != candidate)
                ct__emit_json(&ctx, primary != NULL ? CT_DIFF_MISSING : CT_DIFF_EXTRA, primary,
                              candidate, NULL);
        } else if (!(verdict & CT_VERDICT_PRESENT)) {
            ct__diff_json(&ctx, primary, candidate, 0, child, ctx.scratch->states.len, verdict);
        }
    }
    ct__leave(&ctx, child);
    return result->num_diffs != 0 || result->truncated;
}

/* Rendering. */

size_t ct_diff_format(const ct_diff_t *d, char *buf, size_t size)
{
    int n;
    if (strcmp(d->path, d->concrete) == 0)
        n = snprintf(buf, size, "%s %s: %s -> %s", ct_kind_name(d->kind), d->path,
                     d->primary != NULL ? d->primary : "(absent)",
                     d->candidate != NULL ? d->candidate : "(absent)");
    else
        n = snprintf(buf, size, "%s %s @ %s: %s -> %s", ct_kind_name(d->kind), d->path, d->concrete,
                     d->primary != NULL ? d->primary : "(absent)",
                     d->candidate != NULL ? d->candidate : "(absent)");
    if (n < 0)
        return 0;
    size_t len = (size_t)n;
    if (d->detail != NULL) {
        int k = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, " (%s)",
                         d->detail);
        len += k > 0 ? (size_t)k : 0;
    }
    return len;
}

static json_t *string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

json_t *ct_result_to_json(const ct_result_t *result)
{
    json_t *diffs = json_array();
    for (size_t i = 0; i < result->num_diffs; i++) {
        const ct_diff_t *d = &result->diffs[i];
        json_array_append_new(
            diffs, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "kind", ct_kind_name(d->kind),
                             "path", d->path, "concrete_path", d->concrete, "primary",
                             string_or_null(d->primary), "candidate", string_or_null(d->candidate),
                             "detail", string_or_null(d->detail)));
    }
    return json_pack("{s:b, s:b, s:o}", "identical", result->num_diffs == 0 && !result->truncated,
                     "truncated", result->truncated, "differences", diffs);
}
