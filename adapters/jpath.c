/* JSON path parsing and formatting for adapter files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jpath.h"

/* Characters that end an unquoted name. */
static int is_name_char(char c)
{
    return c != '.' && c != '[' && c != ']' && c != '*' && c != '"' && c != '\'' && c != ' ' &&
           c != '\t' && c != '\n' && c != '\r' && c != '\0';
}

static int fail(size_t *err_off, const char **err, size_t off, const char *msg)
{
    *err_off = off;
    *err = msg;
    return -1;
}

/* Parses a quoted key at s[i] (a quote); returns the offset after the closing quote or -1. */
static long parse_quoted(adp__arena_t *a, const char *s, size_t len, size_t i, adp__seg_t *seg,
                         size_t *err_off, const char **err)
{
    char q = s[i];
    char *buf = adp__arena_alloc(a, len - i);
    size_t n = 0;
    for (size_t j = i + 1; j < len; ++j) {
        if (s[j] == q) {
            buf[n] = '\0';
            seg->kind = ADP__SEG_KEY;
            seg->key = buf;
            seg->len = n;
            return (long)j + 1;
        }
        if (s[j] == '\\') {
            if (j + 1 >= len || (s[j + 1] != q && s[j + 1] != '\\'))
                return fail(err_off, err, j, "only \\\\ and the quote can be escaped");
            ++j;
        }
        if (s[j] == '\0')
            return fail(err_off, err, j, "NUL in a key");
        buf[n++] = s[j];
    }
    return fail(err_off, err, i, "unterminated quoted key");
}

int adp__jpath_parse(adp__arena_t *a, const char *s, size_t len, adp__jpath_t *out, size_t *err_off,
                     const char **err)
{
    adp__seg_t segs[ADP__JPATH_MAX_SEGS];
    size_t n = 0, i = 0;
    if (len > 0 && s[0] == '$')
        i = 1;
    int first = 1;
    while (i < len) {
        if (n == ADP__JPATH_MAX_SEGS)
            return fail(err_off, err, i, "more than 64 segments");
        adp__seg_t *seg = &segs[n];
        memset(seg, 0, sizeof(*seg));
        if (s[i] == '[') {
            size_t j = i + 1;
            if (j < len && s[j] == '*') {
                seg->kind = ADP__SEG_ITEMS;
                ++j;
            } else if (j < len && (s[j] == '"' || s[j] == '\'')) {
                long e = parse_quoted(a, s, len, j, seg, err_off, err);
                if (e < 0)
                    return -1;
                j = (size_t)e;
            } else if (j < len && s[j] >= '0' && s[j] <= '9') {
                size_t v = 0;
                size_t start = j;
                while (j < len && s[j] >= '0' && s[j] <= '9') {
                    if (v > (SIZE_MAX - 9) / 10 || j - start > 9)
                        return fail(err_off, err, start, "index too large");
                    v = v * 10 + (size_t)(s[j++] - '0');
                }
                if (j - start > 1 && s[start] == '0')
                    return fail(err_off, err, start, "index with a leading zero");
                seg->kind = ADP__SEG_INDEX;
                seg->index = v;
            } else {
                return fail(err_off, err, j, "expected '*', an index or a quoted key after '['");
            }
            if (j >= len || s[j] != ']')
                return fail(err_off, err, j, "expected ']'");
            i = j + 1;
        } else {
            if (s[i] == '.') {
                ++i;
            } else if (!first) {
                return fail(err_off, err, i, "expected '.' or '['");
            }
            if (i < len && s[i] == '*') {
                seg->kind = ADP__SEG_VALUES;
                ++i;
                if (i < len && is_name_char(s[i]))
                    return fail(err_off, err, i, "'*' must be a whole segment");
            } else {
                size_t start = i;
                while (i < len && is_name_char(s[i]))
                    ++i;
                if (i == start)
                    return fail(err_off, err, i, "empty name");
                seg->kind = ADP__SEG_KEY;
                seg->key = adp__arena_strndup(a, s + start, i - start);
                seg->len = i - start;
            }
        }
        first = 0;
        ++n;
    }
    out->segs = adp__arena_memdup(a, segs, n, sizeof(*segs));
    out->n = n;
    return 0;
}

size_t adp__jpath_wild_prefix(const adp__jpath_t *p)
{
    size_t w = 0;
    for (size_t i = 0; i < p->n; ++i)
        if (p->segs[i].kind == ADP__SEG_ITEMS || p->segs[i].kind == ADP__SEG_VALUES)
            w = i + 1;
    return w;
}

static int seg_eq(const adp__seg_t *a, const adp__seg_t *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind == ADP__SEG_KEY)
        return a->len == b->len && memcmp(a->key, b->key, a->len) == 0;
    if (a->kind == ADP__SEG_INDEX)
        return a->index == b->index;
    return 1;
}

int adp__jpath_prefix_eq(const adp__jpath_t *a, const adp__jpath_t *b, size_t n)
{
    if (a->n < n || b->n < n)
        return 0;
    for (size_t i = 0; i < n; ++i)
        if (!seg_eq(&a->segs[i], &b->segs[i]))
            return 0;
    return 1;
}

int adp__jpath_is_prefix(const adp__jpath_t *a, const adp__jpath_t *b)
{
    return adp__jpath_prefix_eq(a, b, a->n);
}

adp__jpath_t adp__jpath_slice(const adp__jpath_t *p, size_t from, size_t to)
{
    /* an empty slice has no segments: p->segs may be NULL, and NULL + 0 is undefined in C */
    adp__jpath_t r = {NULL, to - from};
    if (r.n != 0)
        r.segs = p->segs + from;
    return r;
}

adp__jpath_t adp__jpath_concat(adp__arena_t *arena, const adp__jpath_t *a, const adp__jpath_t *b)
{
    adp__jpath_t r = {NULL, a->n + b->n};
    if (r.n == 0)
        return r;
    adp__seg_t *segs = adp__arena_alloc(arena, r.n * sizeof(*segs));
    if (a->n != 0)
        memcpy(segs, a->segs, a->n * sizeof(*segs));
    if (b->n != 0)
        memcpy(segs + a->n, b->segs, b->n * sizeof(*segs));
    r.segs = segs;
    return r;
}

static int plain_key(const adp__seg_t *s)
{
    if (s->len == 0)
        return 0;
    for (size_t i = 0; i < s->len; ++i)
        if (!is_name_char(s->key[i]) || s->key[i] == '$')
            return 0;
    return 1;
}

char *adp__jpath_format(adp__arena_t *a, const adp__jpath_t *p)
{
    if (p->n == 0)
        return adp__arena_strdup(a, "$");
    size_t cap = 1;
    for (size_t i = 0; i < p->n; ++i)
        cap += 24 + 2 * p->segs[i].len;
    char *buf = adp__arena_alloc(a, cap), *o = buf;
    for (size_t i = 0; i < p->n; ++i) {
        const adp__seg_t *s = &p->segs[i];
        switch (s->kind) {
        case ADP__SEG_KEY:
            if (plain_key(s)) {
                if (i != 0)
                    *o++ = '.';
                memcpy(o, s->key, s->len);
                o += s->len;
            } else {
                *o++ = '[';
                *o++ = '"';
                for (size_t j = 0; j < s->len; ++j) {
                    if (s->key[j] == '"' || s->key[j] == '\\')
                        *o++ = '\\';
                    *o++ = s->key[j];
                }
                *o++ = '"';
                *o++ = ']';
            }
            break;
        case ADP__SEG_INDEX:
            o += sprintf(o, "[%zu]", s->index);
            break;
        case ADP__SEG_ITEMS:
            memcpy(o, "[*]", 3);
            o += 3;
            break;
        case ADP__SEG_VALUES:
            if (i != 0)
                *o++ = '.';
            *o++ = '*';
            break;
        }
    }
    *o = '\0';
    return buf;
}
