/* Path rendering (`body.items[3].id`) and rule pattern parsing (`body.**.items[*].id`). */
#include "ct_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_utf8.h"

static int is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '$' || c == '@';
}

typedef struct st_writer_t {
    char *buf;
    size_t len;
    int full;
} writer_t;

/* Appends prefix and s as one indivisible unit (a name with its dot, a character, an escape), or
 * marks the path cut with "..." when they do not fit. */
static void put2(writer_t *w, const char *prefix, size_t plen, const char *s, size_t n)
{
    if (w->full)
        return;
    if (w->len + plen + n > CT_PATH_MAX) {
        memcpy(w->buf + w->len, "...", 3);
        w->len += 3;
        w->full = 1;
        return;
    }
    memcpy(w->buf + w->len, prefix, plen);
    memcpy(w->buf + w->len + plen, s, n);
    w->len += plen + n;
}

static void put(writer_t *w, const char *s, size_t n)
{
    put2(w, "", 0, s, n);
}

static void put_quoted_key(writer_t *w, const char *key, size_t len)
{
    put(w, "[\"", 2);
    for (size_t i = 0; i < len && !w->full;) {
        unsigned char c = (unsigned char)key[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c;
            put(w, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            put(w, esc, 6);
            i++;
        } else {
            size_t n = ct__utf8_seq_len((const unsigned char *)key + i, len - i);
            if (n == 0) {
                put(w, "\\ufffd", 6); /* keeps reports valid UTF-8 */
                i++;
            } else {
                put(w, key + i, n);
                i += n;
            }
        }
    }
    put(w, "\"]", 2);
}

static int is_plain_name(const char *key, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!is_name_char((unsigned char)key[i]))
            return 0;
    return 1;
}

size_t ct__path_render(const ct_seg_t *segs, size_t n, int generic, char *buf)
{
    writer_t w = {buf, 0, 0};
    for (size_t i = 0; i < n && !w.full; i++) {
        const ct_seg_t *s = &segs[i];
        if (s->key == NULL) {
            char idx[32];
            int k = generic ? snprintf(idx, sizeof(idx), "[*]")
                            : snprintf(idx, sizeof(idx), "[%zu]", s->len);
            put(&w, idx, (size_t)k);
        } else if (is_plain_name(s->key, s->len)) {
            /* a whole plain name is one unit so that truncation never splits it */
            put2(&w, ".", i != 0, s->key, s->len);
        } else {
            put_quoted_key(&w, s->key, s->len);
        }
    }
    buf[w.len] = '\0';
    return w.len;
}

/* Pattern parsing. */

typedef struct st_parser_t {
    const char *text;
    size_t pos;
    ct_error_t *err;
} parser_t;

static int fail(parser_t *p, const char *what)
{
    if (p->err != NULL)
        snprintf(p->err->message, sizeof(p->err->message),
                 "path pattern \"%.80s\": %s at offset %zu", p->text, what, p->pos);
    return -1;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int read_hex4(parser_t *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(p->text[p->pos]);
        if (h < 0)
            return fail(p, "bad \\u escape");
        v = (v << 4) | (unsigned)h;
        p->pos++;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Reads a JSON-style quoted key after the opening quote; escapes follow RFC 8259 section 7. */
static int parse_quoted(parser_t *p, ct_pseg_t *seg)
{
    size_t cap = strlen(p->text + p->pos) + 1; /* decoding never grows the text */
    char *out = ct__xmalloc(cap);
    size_t n = 0;
    for (;;) {
        unsigned char c = (unsigned char)p->text[p->pos];
        if (c == '\0') {
            free(out);
            return fail(p, "unterminated quoted key");
        }
        p->pos++;
        if (c == '"')
            break;
        if (c != '\\') {
            out[n++] = (char)c;
            continue;
        }
        char e = p->text[p->pos++];
        unsigned cp;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            out[n++] = e;
            break;
        case 'b':
            out[n++] = '\b';
            break;
        case 'f':
            out[n++] = '\f';
            break;
        case 'n':
            out[n++] = '\n';
            break;
        case 'r':
            out[n++] = '\r';
            break;
        case 't':
            out[n++] = '\t';
            break;
        case 'u':
            if (read_hex4(p, &cp) != 0)
                goto error;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned lo;
                if (p->text[p->pos] != '\\' || p->text[p->pos + 1] != 'u') {
                    fail(p, "unpaired surrogate in \\u escape");
                    goto error;
                }
                p->pos += 2;
                if (read_hex4(p, &lo) != 0)
                    goto error;
                if (lo < 0xdc00 || lo > 0xdfff) {
                    fail(p, "unpaired surrogate in \\u escape");
                    goto error;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                fail(p, "unpaired surrogate in \\u escape");
                goto error;
            }
            n += put_utf8(out + n, cp);
            break;
        default:
            p->pos--;
            fail(p, "bad escape in quoted key");
            goto error;
        }
    }
    seg->kind = CT_PSEG_KEY;
    seg->str = out;
    seg->len = n;
    return 0;
error:
    free(out);
    return -1;
}

static int parse_bracket(parser_t *p, ct_pseg_t *seg)
{
    const char *t = p->text;
    if (t[p->pos] == '*') {
        p->pos++;
        seg->kind = CT_PSEG_ANY_INDEX;
    } else if (t[p->pos] == '"') {
        p->pos++;
        if (parse_quoted(p, seg) != 0)
            return -1;
    } else if (t[p->pos] >= '0' && t[p->pos] <= '9') {
        size_t v = 0, digits = 0;
        while (t[p->pos] >= '0' && t[p->pos] <= '9') {
            if (++digits > 15)
                return fail(p, "array index too large");
            v = v * 10 + (size_t)(t[p->pos++] - '0');
        }
        seg->kind = CT_PSEG_INDEX;
        seg->len = v;
    } else {
        return fail(p, "expected *, an index or a quoted key after '['");
    }
    if (t[p->pos] != ']') {
        if (seg->kind == CT_PSEG_KEY)
            free(seg->str);
        seg->str = NULL;
        return fail(p, "expected ']'");
    }
    p->pos++;
    return 0;
}

static int parse_name(parser_t *p, ct_pseg_t *seg)
{
    size_t start = p->pos, stars = 0;
    while (is_name_char((unsigned char)p->text[p->pos]) || p->text[p->pos] == '*') {
        stars += p->text[p->pos] == '*';
        p->pos++;
    }
    size_t len = p->pos - start;
    if (len == 0)
        return fail(p, "expected a key name");
    if (len == 1 && stars == 1) {
        seg->kind = CT_PSEG_ANY_KEY;
    } else if (len == 2 && stars == 2) {
        seg->kind = CT_PSEG_ANY_DEPTH;
    } else {
        seg->kind = stars != 0 ? CT_PSEG_GLOB : CT_PSEG_KEY;
        seg->str = ct__xstrndup(p->text + start, len);
        seg->len = len;
    }
    return 0;
}

int ct__pattern_parse(const char *text, ct_pseg_t **segs, size_t *num_segs, ct_error_t *err)
{
    parser_t p = {text, 0, err};
    ct_pseg_t *out = NULL;
    size_t n = 0, cap = 0;
    if (strlen(text) > CT_MAX_PATTERN_BYTES) {
        fail(&p, "pattern too long");
        goto error;
    }
    if (text[0] == '\0') {
        fail(&p, "empty pattern");
        goto error;
    }
    for (int first = 1; text[p.pos] != '\0'; first = 0) {
        if (n == CT_MAX_PATTERN_SEGMENTS) {
            fail(&p, "too many segments");
            goto error;
        }
        ct__grow((void **)&out, &cap, n + 1, sizeof(*out));
        ct_pseg_t *seg = &out[n];
        memset(seg, 0, sizeof(*seg));
        int rc;
        if (text[p.pos] == '[') {
            p.pos++;
            rc = parse_bracket(&p, seg);
        } else {
            if (!first) {
                if (text[p.pos] != '.') {
                    fail(&p, "expected '.' or '['");
                    goto error;
                }
                p.pos++;
            }
            rc = parse_name(&p, seg);
        }
        if (rc != 0)
            goto error;
        n++;
    }
    *segs = out;
    *num_segs = n;
    return 0;
error:
    ct__pattern_free(out, n);
    return -1;
}

void ct__pattern_free(ct_pseg_t *segs, size_t num_segs)
{
    if (segs == NULL)
        return;
    for (size_t i = 0; i < num_segs; i++)
        free(segs[i].str);
    free(segs);
}

/* '*' matches any run of bytes; nothing else is special. Classic two-pointer matching with one
 * backtrack point, linear in practice and never worse than O(n*m). */
static int glob_match(const char *pat, size_t plen, const char *s, size_t slen)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    while (si < slen) {
        if (pi < plen && pat[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < plen && pat[pi] == s[si]) {
            pi++, si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return 0;
        }
    }
    while (pi < plen && pat[pi] == '*')
        pi++;
    return pi == plen;
}

int ct__pseg_match(const ct_pseg_t *p, const ct_seg_t *s)
{
    switch (p->kind) {
    case CT_PSEG_KEY:
        return s->key != NULL && s->len == p->len && memcmp(s->key, p->str, p->len) == 0;
    case CT_PSEG_GLOB:
        return s->key != NULL && glob_match(p->str, p->len, s->key, s->len);
    case CT_PSEG_ANY_KEY:
        return s->key != NULL;
    case CT_PSEG_INDEX:
        return s->key == NULL && s->len == p->len;
    case CT_PSEG_ANY_INDEX:
        return s->key == NULL;
    case CT_PSEG_ANY_DEPTH:
        return 1;
    }
    return 0;
}
