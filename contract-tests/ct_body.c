/* Body comparison: JSON bodies (application/json, any +json type) structurally, anything else
 * (or anything encoded, or too large) byte for byte; unparsable JSON becomes a difference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct_body.h"
#include "ct_json.h"
#include "ct_excerpt.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && is_space(**s))
        (*s)++, (*len)--;
    while (*len > 0 && is_space((*s)[*len - 1]))
        (*len)--;
}

static const char *find_header(const ct_response_t *r, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->num_headers; i++) {
        const ct_header_t *h = &r->headers[i];
        if (h->name_len == n && strncasecmp(h->name, name, n) == 0) {
            *len = h->value_len;
            return h->value;
        }
    }
    return NULL;
}

/* RFC 8259 section 11 registers application/json; RFC 6839 section 3.1 the +json suffix. Media
 * type names are case-insensitive; parameters (charset) do not matter. */
int ct_response_is_json(const ct_response_t *r)
{
    const char *type = r->content_type;
    size_t len = r->content_type_len;
    if (type == NULL && (type = find_header(r, "content-type", &len)) == NULL)
        return 0;
    const char *semi = memchr(type, ';', len);
    if (semi != NULL)
        len = (size_t)(semi - type);
    trim(&type, &len);
    if (len == 16 && strncasecmp(type, "application/json", 16) == 0)
        return 1;
    return len > 5 && memchr(type, '/', len) != NULL &&
           strncasecmp(type + len - 5, "+json", 5) == 0;
}

/* A body still under a content coding cannot be parsed; it is compared as bytes. */
static int is_encoded(const ct_response_t *r)
{
    size_t len;
    const char *v = find_header(r, "content-encoding", &len);
    if (v == NULL)
        return 0;
    trim(&v, &len);
    return !(len == 0 || (len == 8 && strncasecmp(v, "identity", 8) == 0));
}

static size_t first_difference(const char *a, size_t na, const char *b, size_t nb)
{
    size_t n = na < nb ? na : nb, i = 0;
    while (i + 64 <= n && memcmp(a + i, b + i, 64) == 0)
        i += 64;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

static void emit_bytes(ct_ctx_t *ctx, ct_kind_t kind, const ct_response_t *p,
                       const ct_response_t *c, const char *why)
{
    size_t limit = ctx->opts->excerpt_bytes;
    size_t k = first_difference(p->body, p->body_len, c->body, c->body_len);
    if (k == p->body_len && k == c->body_len)
        return;
    /* show some context before the first difference */
    size_t offset = k > limit / 4 ? k - limit / 4 : 0;
    char pa[CT_EXCERPT_SIZE(CT_EXCERPT_LIMIT)], pb[CT_EXCERPT_SIZE(CT_EXCERPT_LIMIT)], detail[256];
    ct__excerpt_text(p->body, p->body_len, offset, limit, pa);
    ct__excerpt_text(c->body, c->body_len, offset, limit, pb);
    snprintf(detail, sizeof(detail), "%s%s%zu vs %zu bytes, first difference at byte %zu",
             why != NULL ? why : "", why != NULL ? "; " : "", p->body_len, c->body_len, k);
    ct__emit(ctx, kind, pa, pb, detail);
}

typedef struct st_parsed_t {
    const body_value_t *value;
    body_error_t error;
} parsed_t;

/* Into the comparison's arena. A number beyond a double's range is an error, as jansson had it:
 * such a body cannot be compared by value. */
static void parse(ct_ctx_t *ctx, const ct_response_t *r, parsed_t *out)
{
    if (r->json != NULL) { /* parsed by the caller: one parse per body */
        out->value = r->json;
        return;
    }
    body_mem_t mem = body_arena_mem(&ctx->scratch->arena);
    out->value = body_parse(&mem, r->body, r->body_len, BODY_PARSE_FINITE, &out->error);
}

static int too_deep(const parsed_t *p)
{
    return p->value == NULL && p->error.code == BODY_EDEPTH;
}

/* One side parsed, the other did not. */
static void emit_parse_failure(ct_ctx_t *ctx, const ct_response_t *p, const ct_response_t *c,
                               const parsed_t *pp, const parsed_t *pc)
{
    size_t limit = ctx->opts->excerpt_bytes;
    int primary_failed = pp->value == NULL;
    const parsed_t *bad = primary_failed ? pp : pc;
    const ct_response_t *raw = primary_failed ? p : c;
    char text[CT_EXCERPT_SIZE(CT_EXCERPT_LIMIT)], json[CT_EXCERPT_SIZE(CT_EXCERPT_LIMIT)];
    char detail[160];
    ct__excerpt_text(raw->body, raw->body_len, 0, limit, text);
    ct__excerpt_json(primary_failed ? pc->value : pp->value, limit, json);
    snprintf(detail, sizeof(detail), "%s: %s at line %u column %u",
             primary_failed ? "primary" : "candidate", bad->error.message, bad->error.line,
             bad->error.col);
    ct__emit(ctx, too_deep(bad) ? CT_DIFF_TOO_DEEP : CT_DIFF_INVALID_JSON,
             primary_failed ? text : json, primary_failed ? json : text, detail);
}

static void compare_json(ct_ctx_t *ctx, const ct_response_t *p, const ct_response_t *c,
                         size_t begin, size_t end, unsigned verdict)
{
    parsed_t pp, pc;
    parse(ctx, p, &pp);
    parse(ctx, c, &pc);
    if (pp.value != NULL && pc.value != NULL)
        ct__diff_json(ctx, pp.value, pc.value, 0, begin, end, verdict);
    else if (pp.value != NULL || pc.value != NULL)
        emit_parse_failure(ctx, p, c, &pp, &pc);
    else if (too_deep(&pp) && too_deep(&pc))
        emit_bytes(ctx, CT_DIFF_TOO_DEEP, p, c,
                   "both bodies nest deeper than the JSON parser allows");
    else
        emit_bytes(ctx, CT_DIFF_BYTES_CHANGED, p, c, "neither body is valid JSON");
    body_arena_reset(&ctx->scratch->arena);
}

void ct__compare_body(ct_ctx_t *ctx, const ct_response_t *p, const ct_response_t *c, size_t begin,
                      size_t end, unsigned verdict)
{
    int p_empty = p->body_len == 0, c_empty = c->body_len == 0;
    if (p_empty && c_empty)
        return;
    if (p_empty || c_empty) {
        /* an empty body is an absent one (204, HEAD, or a dropped payload) */
        const ct_response_t *r = p_empty ? c : p;
        char text[CT_EXCERPT_SIZE(CT_EXCERPT_LIMIT)];
        ct__excerpt_text(r->body, r->body_len, 0, ctx->opts->excerpt_bytes, text);
        ct__emit(ctx, p_empty ? CT_DIFF_EXTRA : CT_DIFF_MISSING, p_empty ? NULL : text,
                 p_empty ? text : NULL, NULL);
        return;
    }
    if (verdict & CT_VERDICT_PRESENT)
        return;
    if (p->body_len == c->body_len && memcmp(p->body, c->body, p->body_len) == 0)
        return; /* the common case in shadow traffic: nothing to parse */
    if (!ct_response_is_json(p) && !ct_response_is_json(c)) {
        emit_bytes(ctx, CT_DIFF_BYTES_CHANGED, p, c, NULL);
    } else if (is_encoded(p) || is_encoded(c)) {
        emit_bytes(ctx, CT_DIFF_BYTES_CHANGED, p, c, "content-encoded");
    } else if (p->body_len > ctx->opts->max_json_bytes || c->body_len > ctx->opts->max_json_bytes) {
        emit_bytes(ctx, CT_DIFF_BYTES_CHANGED, p, c, "larger than max_json_bytes");
    } else {
        compare_json(ctx, p, c, begin, end, verdict);
    }
}
