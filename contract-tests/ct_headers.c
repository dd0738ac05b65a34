/* Header comparison: names case-insensitive, repeated fields compared as ordered value lists,
 * volatile and hop-by-hop fields skipped by default. */
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_headers.h"
#include "ct_excerpt.h"

/* Fields that differ between two healthy deployments on every request (dates, tracing ids,
 * framing, proxies) and the hop-by-hop fields of RFC 9110 section 7.6.1. Lower case; a trailing
 * '*' matches any suffix. */
static const char *const default_ignores[] = {
    "date",
    "server",
    "x-request-id",
    "content-length",
    "age",
    "expires",
    "via",
    "forwarded",
    "x-forwarded-*",
    "traceparent",
    "tracestate",
    "b3",
    "x-b3-*",
    "x-amzn-trace-id",
    "x-envoy-*",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
};

typedef struct st_field_t {
    const char *name; /* lower case, in the comparison's name buffer */
    size_t name_len;
    const char *value;
    size_t value_len;
    size_t order; /* position in the response, to keep repeated fields in order */
} field_t;

static int cmp_field(const void *x, const void *y)
{
    const field_t *a = x, *b = y;
    size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    int c = memcmp(a->name, b->name, n);
    if (c != 0)
        return c;
    if (a->name_len != b->name_len)
        return a->name_len < b->name_len ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int name_is(const field_t *f, const char *pattern)
{
    size_t n = strlen(pattern);
    if (n > 0 && pattern[n - 1] == '*')
        return f->name_len >= n - 1 && memcmp(f->name, pattern, n - 1) == 0;
    return f->name_len == n && memcmp(f->name, pattern, n) == 0;
}

static int is_default_ignored(const field_t *f)
{
    for (size_t i = 0; i < sizeof(default_ignores) / sizeof(default_ignores[0]); i++)
        if (name_is(f, default_ignores[i]))
            return 1;
    return 0;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether the field is listed in a Connection field of either response: such fields are
 * hop-by-hop too (RFC 9110 section 7.6.1). */
static int listed_in_connection(const field_t *f, const field_t *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!name_is(&fields[i], "connection"))
            continue;
        const char *v = fields[i].value, *end = v + fields[i].value_len;
        while (v < end) {
            while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
                v++;
            const char *tok = v;
            while (v < end && *v != ',' && *v != ' ' && *v != '\t')
                v++;
            size_t len = (size_t)(v - tok), k = 0;
            if (len != f->name_len)
                continue;
            while (k < len && lower(tok[k]) == f->name[k])
                k++;
            if (k == len)
                return 1;
        }
    }
    return 0;
}

/* Copies both header lists with lower-cased names (into one buffer, *names) and sorts each by
 * name; fields the options skip are dropped. */
static void collect(const ct_response_t *p, const ct_response_t *c, int skip_defaults,
                    field_t **fields, size_t *np, size_t *nc, char **names)
{
    size_t total = 0, count = p->num_headers + c->num_headers;
    for (size_t i = 0; i < p->num_headers; i++)
        total += p->headers[i].name_len;
    for (size_t i = 0; i < c->num_headers; i++)
        total += c->headers[i].name_len;
    field_t *f = ct__xmalloc(count * sizeof(*f));
    char *buf = ct__xmalloc(total), *cursor = buf;
    for (size_t i = 0; i < count; i++) {
        const ct_header_t *h =
            i < p->num_headers ? &p->headers[i] : &c->headers[i - p->num_headers];
        for (size_t k = 0; k < h->name_len; k++)
            cursor[k] = lower(h->name[k]);
        f[i] = (field_t){cursor, h->name_len, h->value, h->value_len, i};
        cursor += h->name_len;
    }
    size_t out = 0, out_p = 0;
    for (size_t i = 0; i < count; i++) {
        if (skip_defaults && (is_default_ignored(&f[i]) || listed_in_connection(&f[i], f, count)))
            continue;
        f[out++] = f[i];
        if (i < p->num_headers)
            out_p = out;
    }
    qsort(f, out_p, sizeof(*f), cmp_field);
    qsort(f + out_p, out - out_p, sizeof(*f), cmp_field);
    *fields = f;
    *np = out_p;
    *nc = out - out_p;
    *names = buf;
}

static size_t run_end(const field_t *f, size_t i, size_t n)
{
    size_t j = i + 1;
    while (j < n && f[j].name_len == f[i].name_len &&
           memcmp(f[j].name, f[i].name, f[i].name_len) == 0)
        j++;
    return j;
}

/* Display text of a repeated field: values joined by ", " as in RFC 9110 section 5.3. */
static void join_values(const field_t *f, size_t n, size_t limit, char *out)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += f[i].value_len + 2;
    char *joined = ct__xmalloc(total + 1), *cursor = joined;
    for (size_t i = 0; i < n; i++) {
        if (i != 0) {
            memcpy(cursor, ", ", 2);
            cursor += 2;
        }
        memcpy(cursor, f[i].value, f[i].value_len);
        cursor += f[i].value_len;
    }
    ct__excerpt_text(joined, (size_t)(cursor - joined), 0, limit, out);
    free(joined);
}

static int values_equal(ct_ctx_t *ctx, const field_t *a, const field_t *b, size_t begin, size_t end,
                        unsigned verdict)
{
    if (a->value_len == b->value_len && memcmp(a->value, b->value, a->value_len) == 0)
        return 1;
    return (verdict & CT_VERDICT_MATCHERS) &&
           ct__match_texts(ctx->rules, &ctx->scratch->states, begin, end, a->value, a->value_len,
                           b->value, b->value_len);
}

static void compare_field(ct_ctx_t *ctx, const field_t *a, size_t na, const field_t *b, size_t nb,
                          size_t begin, size_t end)
{
    const field_t *named = na != 0 ? a : b;
    size_t child;
    unsigned verdict = ct__enter(ctx, (ct_seg_t){named->name, named->name_len}, begin, end, &child);
    size_t cend = ctx->scratch->states.len;
    int differ = 0;
    if (verdict & CT_VERDICT_IGNORE)
        goto done;
    if (na == 0 || nb == 0) {
        differ = 1;
    } else if (!(verdict & CT_VERDICT_PRESENT)) {
        differ = na != nb;
        for (size_t i = 0; i < na && !differ; i++)
            differ = !values_equal(ctx, &a[i], &b[i], child, cend, verdict);
    }
    if (differ) {
        size_t limit = ctx->opts->excerpt_bytes;
        char pa[CT_EXCERPT_SIZE(CT_EXCERPT_LIMIT)], pb[CT_EXCERPT_SIZE(CT_EXCERPT_LIMIT)];
        if (na != 0)
            join_values(a, na, limit, pa);
        if (nb != 0)
            join_values(b, nb, limit, pb);
        ct_kind_t kind = na == 0   ? CT_DIFF_EXTRA
                         : nb == 0 ? CT_DIFF_MISSING
                                   : CT_DIFF_VALUE_CHANGED;
        ct__emit(ctx, kind, na != 0 ? pa : NULL, nb != 0 ? pb : NULL, NULL);
    }
done:
    ct__leave(ctx, child);
}

void ct__compare_headers(ct_ctx_t *ctx, const ct_response_t *p, const ct_response_t *c,
                         size_t begin, size_t end)
{
    field_t *f;
    size_t np, nc;
    char *names;
    collect(p, c, ctx->opts->default_header_ignores, &f, &np, &nc, &names);
    const field_t *fa = f, *fb = f + np;
    size_t i = 0, j = 0;
    while ((i < np || j < nc) && !ct__stopped(ctx)) {
        int order = i == np   ? 1
                    : j == nc ? -1
                              : cmp_field(&(field_t){fa[i].name, fa[i].name_len},
                                          &(field_t){fb[j].name, fb[j].name_len});
        size_t ie = order <= 0 ? run_end(fa, i, np) : i;
        size_t je = order >= 0 ? run_end(fb, j, nc) : j;
        compare_field(ctx, fa + i, ie - i, fb + j, je - j, begin, end);
        i = ie;
        j = je;
    }
    free(f);
    free(names);
}
