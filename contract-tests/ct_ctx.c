/* The recording primitives of a comparison (ct_ctx.h): the path being compared, its rule states,
 * and the differences recorded, rolled back or cut at max_diffs. */
#include "ct_ctx.h"

#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_excerpt.h"

void ct__drop_diffs(ct_result_t *result, size_t from)
{
    for (size_t i = from; i < result->num_diffs; i++)
        free((char *)result->diffs[i].path); /* one block holds all strings of the difference */
    result->num_diffs = from;
}

unsigned ct__enter(ct_ctx_t *ctx, ct_seg_t seg, size_t begin, size_t end, size_t *child_begin)
{
    ct_scratch_t *s = ctx->scratch;
    if (s->num_segs == s->segs_cap)
        ct__grow((void **)&s->segs, &s->segs_cap, s->num_segs + 1, sizeof(*s->segs));
    s->segs[s->num_segs++] = seg;
    *child_begin = s->states.len;
    return begin == end ? 0 : ct__match_step(ctx->rules, &s->states, begin, end, &seg);
}

void ct__leave(ct_ctx_t *ctx, size_t child_begin)
{
    ctx->scratch->num_segs--;
    ctx->scratch->states.len = child_begin;
}

int ct__stopped(const ct_ctx_t *ctx)
{
    return ctx->probe ? ctx->probe_hit : ctx->result->truncated;
}

ct_mark_t ct__mark(const ct_ctx_t *ctx)
{
    return (ct_mark_t){ctx->result->num_diffs, ctx->result->truncated};
}

void ct__rollback(ct_ctx_t *ctx, ct_mark_t mark)
{
    ct__drop_diffs(ctx->result, mark.num_diffs);
    ctx->result->truncated = mark.truncated;
}

static char *copy_into(char **cursor, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *dst = *cursor;
    memcpy(dst, s, n);
    *cursor += n;
    return dst;
}

void ct__emit(ct_ctx_t *ctx, ct_kind_t kind, const char *p, const char *c, const char *detail)
{
    if (ctx->probe) {
        ctx->probe_hit = 1;
        return;
    }
    ct_result_t *r = ctx->result;
    if (r->truncated)
        return;
    if (r->num_diffs >= ctx->opts->max_diffs) {
        r->truncated = 1;
        return;
    }
    char path[CT_PATH_MAX + 8], concrete[CT_PATH_MAX + 8];
    const ct_scratch_t *s = ctx->scratch;
    size_t size = ct__path_render(s->segs, s->num_segs, 1, path) + 1;
    size += ct__path_render(s->segs, s->num_segs, 0, concrete) + 1;
    size += (p != NULL ? strlen(p) + 1 : 0) + (c != NULL ? strlen(c) + 1 : 0);
    size += detail != NULL ? strlen(detail) + 1 : 0;
    char *block = ct__xmalloc(size), *cursor = block;
    ct__grow((void **)&r->diffs, &r->capacity, r->num_diffs + 1, sizeof(*r->diffs));
    ct_diff_t *d = &r->diffs[r->num_diffs++];
    d->kind = kind;
    d->path = copy_into(&cursor, path);
    d->concrete = copy_into(&cursor, concrete);
    d->primary = copy_into(&cursor, p);
    d->candidate = copy_into(&cursor, c);
    d->detail = copy_into(&cursor, detail);
}

void ct__emit_json(ct_ctx_t *ctx, ct_kind_t kind, const body_value_t *p, const body_value_t *c,
                   const char *detail)
{
    if (ctx->probe) {
        ctx->probe_hit = 1;
        return;
    }
    if (ctx->result->truncated || ctx->result->num_diffs >= ctx->opts->max_diffs) {
        ct__emit(ctx, kind, NULL, NULL, NULL); /* only marks the result truncated */
        return;
    }
    char pbuf[CT_EXCERPT_SIZE(CT_EXCERPT_LIMIT)], cbuf[CT_EXCERPT_SIZE(CT_EXCERPT_LIMIT)];
    if (p != NULL)
        ct__excerpt_json(p, ctx->opts->excerpt_bytes, pbuf);
    if (c != NULL)
        ct__excerpt_json(c, ctx->opts->excerpt_bytes, cbuf);
    ct__emit(ctx, kind, p != NULL ? pbuf : NULL, c != NULL ? cbuf : NULL, detail);
}
