/* Tests of the adapters' JSON model (jvalue.c): round trips, escapes, every rejection, duplicate
 * names, the edit API, and a differential test against jansson on random and mutated texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jvalue.h"

/* Test memory used like a bump arena (released all at once), but every allocation is a malloc
 * of its own, exactly sized, so that ASan catches the parser or writer going past one. */
typedef struct st_tmem_t {
    adp_mem_t mem;
    void **blocks;
    size_t n, cap;
} tmem_t;

static void *tmem_alloc(void *ctx, size_t size)
{
    tmem_t *t = ctx;
    if (t->n == t->cap) {
        t->cap = t->cap == 0 ? 64 : t->cap * 2;
        t->blocks = realloc(t->blocks, t->cap * sizeof(*t->blocks));
        assert_non_null(t->blocks);
    }
    void *p = malloc(size != 0 ? size : 1);
    assert_non_null(p);
    assert_true(((uintptr_t)p & 7) == 0);
    return t->blocks[t->n++] = p;
}

static void tmem_init(tmem_t *t)
{
    *t = (tmem_t){.mem = {tmem_alloc, t}};
}

static void tmem_dispose(tmem_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->blocks[i]);
    free(t->blocks);
}

/* A copy of text[0..len) in memory of exactly that size (no NUL after it). */
static const char *exact(tmem_t *t, const char *text, size_t len)
{
    char *p = tmem_alloc(t, len);
    if (len != 0)
        memcpy(p, text, len);
    return p;
}

static adp__jv_t *parse_n(tmem_t *t, const char *text, size_t len)
{
    adp__jerror_t err;
    adp__jv_t *v = adp__json_parse(&t->mem, exact(t, text, len), len, &err);
    if (v == NULL)
        fail_msg("'%.*s': %u:%u: %s", (int)len, text, err.line, err.col, err.message);
    return v;
}

static adp__jv_t *parse(tmem_t *t, const char *text)
{
    return parse_n(t, text, strlen(text));
}

/* The compact text of v, NUL-terminated (the writer never emits a raw NUL). */
static const char *dump(tmem_t *t, const adp__jv_t *v)
{
    size_t len;
    const char *s = adp__json_dump(&t->mem, v, &len);
    assert_int_equal(len, adp__json_size(v));
    assert_null(memchr(s, '\0', len));
    char *z = tmem_alloc(t, len + 1);
    memcpy(z, s, len);
    z[len] = '\0';
    return z;
}

static void expect_dump(const char *in, const char *want)
{
    tmem_t t;
    tmem_init(&t);
    assert_string_equal(dump(&t, parse(&t, in)), want);
    tmem_dispose(&t);
}

static void expect_bad_n(const char *text, size_t len, const char *message, size_t offset,
                         unsigned line, unsigned col)
{
    tmem_t t;
    tmem_init(&t);
    adp__jerror_t err = {0};
    adp__jv_t *v = adp__json_parse(&t.mem, exact(&t, text, len), len, &err);
    if (v != NULL)
        fail_msg("'%.*s' accepted (expected %s)", (int)len, text, message);
    if (strcmp(err.message, message) != 0 || err.offset != offset || err.line != line ||
        err.col != col)
        fail_msg("'%.*s': got %s at %zu (%u:%u), expected %s at %zu (%u:%u)", (int)len, text,
                 err.message, err.offset, err.line, err.col, message, offset, line, col);
    tmem_dispose(&t);
}

static void expect_bad(const char *text, const char *message, size_t offset)
{
    expect_bad_n(text, strlen(text), message, offset, 1, (unsigned)offset + 1);
}

/* ---- round trips ---- */

static void test_round_trips(void **state)
{
    expect_dump(
        " { \"a\" : [ 1 , 2.5 , -0 , 1E+2 , 1.10 , 12345678901234567890 ] ,\n\t\"b\" : { } , "
        "\"c\" : [ ] , \"d\" : [ [ ] , { } ] }\r\n",
        "{\"a\":[1,2.5,-0,1E+2,1.10,12345678901234567890],\"b\":{},\"c\":[],\"d\":[[],{}]}");
    expect_dump("0", "0");
    expect_dump("-0.0e-00", "-0.0e-00");
    expect_dump("1e999", "1e999");
    expect_dump(" true ", "true");
    expect_dump("false", "false");
    expect_dump("null", "null");
    expect_dump("\"\"", "\"\"");
    expect_dump("[null,true,false,\"x\",{\"\":\"\"}]", "[null,true,false,\"x\",{\"\":\"\"}]");
    expect_dump("\"h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf\"",
                "\"h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf\"");
    expect_dump("\"\x7f\"", "\"\x7f\"");
    expect_dump("{\"k\":{\"k\":{\"k\":[1,[2,[3]]]}}}", "{\"k\":{\"k\":{\"k\":[1,[2,[3]]]}}}");

    /* verbatim strings and numbers point into the input; types and flags */
    tmem_t t;
    tmem_init(&t);
    const char *text = "{\"name\":\"caf\xc3\xa9 au lait, long enough\",\"n\":-12,\"x\":1.5}";
    const char *in = exact(&t, text, strlen(text));
    adp__jerror_t err;
    adp__jv_t *v = adp__json_parse(&t.mem, in, strlen(text), &err);
    assert_non_null(v);
    assert_int_equal(v->type, ADP__J_OBJECT);
    assert_int_equal(v->len, 3);
    assert_int_equal(v->cap, 3);
    assert_ptr_equal(v->u.members[0].key, in + 2);
    assert_int_equal(v->u.members[0].flags, ADP__JF_VERBATIM);
    adp__jv_t *s = adp__json_get(v, "name", 4);
    assert_int_equal(s->type, ADP__J_STRING);
    assert_int_equal(s->flags, ADP__JF_VERBATIM);
    assert_ptr_equal(s->u.str, in + 9);
    assert_int_equal(s->len, strlen("caf\xc3\xa9 au lait, long enough"));
    adp__jv_t *n = adp__json_get(v, "n", 1);
    assert_true(adp__json_is_integer(n));
    assert_int_equal(n->len, 3);
    assert_memory_equal(n->u.str, "-12", 3);
    assert_false(adp__json_is_integer(adp__json_get(v, "x", 1)));
    assert_true(adp__json_is(adp__json_get(v, "x", 1), ADP__J_NUMBER));
    assert_null(adp__json_get(v, "nam", 3));
    assert_null(adp__json_get(s, "name", 4));

    adp__jv_t *a = parse(&t, "[]");
    assert_int_equal(a->type, ADP__J_ARRAY);
    assert_int_equal(a->len, 0);
    assert_int_equal(a->cap, 0);
    tmem_dispose(&t);
}

/* ---- strings ---- */

static void test_escapes(void **state)
{
    tmem_t t;
    tmem_init(&t);
    adp__jv_t *v = parse(&t, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te\\u0041\\u00E9\\u20ac\\ud83d\\uDE00"
                             "\\u0000z\\u007f\\u001F\"");
    static const char want[] = "a\"b\\c/d\b\f\n\r\te"
                               "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                               "\0z\x7f\x1f";
    assert_int_equal(v->type, ADP__J_STRING);
    assert_int_equal(v->flags, 0);
    assert_int_equal(v->len, sizeof(want) - 1);
    assert_memory_equal(v->u.str, want, sizeof(want) - 1);
    assert_string_equal(dump(&t, v), "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\te"
                                     "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                                     "\\u0000z\x7f\\u001f\"");

    /* a key with escapes is decoded and written escaped */
    v = parse(&t, "{\"a\\tb\\u0022\":1}");
    assert_int_equal(v->u.members[0].len, 4);
    assert_memory_equal(v->u.members[0].key, "a\tb\"", 4);
    assert_int_equal(v->u.members[0].flags, 0);
    assert_string_equal(dump(&t, v), "{\"a\\tb\\\"\":1}");

    /* created strings are escaped by the writer, everything else is written as it is */
    static const char raw[] = "\x01\x1f\"\\\n\t\x7f \xc3\xa9/<\0!";
    adp__jv_t *s = adp__json_string(&t.mem, raw, sizeof(raw) - 1);
    assert_ptr_equal(s->u.str, raw);
    assert_int_equal(s->flags, 0);
    assert_string_equal(dump(&t, s), "\"\\u0001\\u001f\\\"\\\\\\n\\t\x7f \xc3\xa9/<\\u0000!\"");
    adp__jv_t *o = adp__json_object(&t.mem);
    adp__json_set(&t.mem, o, "q\"", 2, adp__json_string(&t.mem, "", 0));
    adp__json_set(&t.mem, o, "plain", 5, adp__json_string(&t.mem, NULL, 0));
    assert_int_equal(o->u.members[0].flags, 0);
    assert_int_equal(o->u.members[1].flags, ADP__JF_VERBATIM);
    assert_string_equal(dump(&t, o), "{\"q\\\"\":\"\",\"plain\":\"\"}");
    tmem_dispose(&t);
}

/* Every special byte at every offset around the 8-byte scan blocks and near the input's end. */
static void test_string_positions(void **state)
{
    static const struct {
        const char *piece, *decoded, *error;
    } cases[] = {
        {"\\n", "\n", NULL},
        {"\\u00e9", "\xc3\xa9", NULL},
        {"\\ud834\\udd1e", "\xf0\x9d\x84\x9e", NULL},
        {"\xc3\xa9", "\xc3\xa9", NULL},
        {"\xf0\x9d\x84\x9e", "\xf0\x9d\x84\x9e", NULL},
        {"\x1f", NULL, "control character in a string"},
        {"\\a", NULL, "invalid escape"},
        {"\xed\xbf\xbf", NULL, "invalid UTF-8"},
        {"\xbf", NULL, "invalid UTF-8"},
    };
    char text[64], want[64];
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        for (size_t before = 0; before < 20; before++) {
            for (size_t after = 0; after < 10; after++) {
                size_t plen = strlen(cases[c].piece), n = 0;
                text[n++] = '"';
                memset(text + n, 'a', before);
                n += before;
                memcpy(text + n, cases[c].piece, plen);
                n += plen;
                memset(text + n, 'b', after);
                n += after;
                text[n++] = '"';
                if (cases[c].error != NULL) {
                    expect_bad_n(text, n, cases[c].error, 1 + before, 1, (unsigned)before + 2);
                    continue;
                }
                tmem_t t;
                tmem_init(&t);
                adp__jv_t *v = parse_n(&t, text, n);
                size_t dlen = strlen(cases[c].decoded), wn = 0;
                memset(want, 'a', before);
                memcpy(want + before, cases[c].decoded, dlen);
                memset(want + before + dlen, 'b', after);
                wn = before + dlen + after;
                assert_int_equal(v->len, wn);
                assert_memory_equal(v->u.str, want, wn);
                assert_int_equal(v->flags, cases[c].piece[0] == '\\' ? 0 : ADP__JF_VERBATIM);
                tmem_dispose(&t);
            }
        }
    }
}

/* ---- rejections ---- */

static void test_errors(void **state)
{
    expect_bad_n("", 0, "empty input", 0, 1, 1);
    expect_bad_n(" \t\r\n  ", 6, "empty input", 6, 2, 3);
    expect_bad("tru", "invalid literal", 0);
    expect_bad("[nul]", "invalid literal", 1);
    expect_bad("[falsy]", "invalid literal", 1);
    expect_bad("[falsey]", "expected ',' or ']'", 6);
    expect_bad("[True]", "expected a value", 1);
    expect_bad("01", "leading zero in a number", 0);
    expect_bad("[-00]", "leading zero in a number", 2);
    expect_bad("-", "expected a digit", 1);
    expect_bad("[-a]", "expected a digit", 2);
    expect_bad("1.", "expected a digit after '.'", 2);
    expect_bad("1.e5", "expected a digit after '.'", 2);
    expect_bad(".5", "expected a value", 0);
    expect_bad("+1", "expected a value", 0);
    expect_bad("1e", "expected a digit in the exponent", 2);
    expect_bad("1E+", "expected a digit in the exponent", 3);
    expect_bad("[1e-x]", "expected a digit in the exponent", 4);
    expect_bad("NaN", "expected a value", 0);
    expect_bad("-Infinity", "expected a digit", 1);
    expect_bad("0x10", "unexpected data after the value", 1);
    expect_bad("\"abc", "unterminated string", 4);
    expect_bad("\"abc\\", "unterminated string", 5);
    expect_bad("[\"abcdefghijklmnop", "unterminated string", 18);
    expect_bad("\"a\tb\"", "control character in a string", 2);
    expect_bad_n("\"\0\"", 3, "control character in a string", 1, 1, 2);
    expect_bad("\"\\x\"", "invalid escape", 1);
    expect_bad("\"\\U0041\"", "invalid escape", 1);
    expect_bad("\"\\u12g4\"", "invalid \\u escape", 1);
    expect_bad("\"\\u12\"", "invalid \\u escape", 1);
    expect_bad("\"\\u12", "invalid \\u escape", 1);
    expect_bad("\"ab\\ud800\"", "lone surrogate in \\u escape", 3);
    expect_bad("\"\\ud800\\u0041\"", "lone surrogate in \\u escape", 1);
    expect_bad("\"\\ud800\\ud800\"", "lone surrogate in \\u escape", 1);
    expect_bad("\"\\ud800\\n\\udc00\"", "lone surrogate in \\u escape", 1);
    expect_bad("\"\\udc00\"", "lone surrogate in \\u escape", 1);
    expect_bad("\"\\udfff\\ud800\"", "lone surrogate in \\u escape", 1);
    expect_bad("\"\xc0\x80\"", "invalid UTF-8", 1);         /* overlong NUL */
    expect_bad("\"\xc1\xbf\"", "invalid UTF-8", 1);         /* overlong */
    expect_bad("\"\xe0\x80\x80\"", "invalid UTF-8", 1);     /* overlong */
    expect_bad("\"\xe0\x9f\xbf\"", "invalid UTF-8", 1);     /* overlong */
    expect_bad("\"\xf0\x8f\xbf\xbf\"", "invalid UTF-8", 1); /* overlong */
    expect_bad("\"\xed\xa0\x80\"", "invalid UTF-8", 1);     /* surrogate D800 */
    expect_bad("\"x\xed\xbf\xbf\"", "invalid UTF-8", 2);    /* surrogate DFFF */
    expect_bad("\"\xf4\x90\x80\x80\"", "invalid UTF-8", 1); /* U+110000 */
    expect_bad("\"\xf5\x80\x80\x80\"", "invalid UTF-8", 1); /* beyond any code point */
    expect_bad("\"\xff\"", "invalid UTF-8", 1);
    expect_bad("\"\xe2\x82\"", "invalid UTF-8", 1);      /* truncated */
    expect_bad("\"\xf0\x9f\x98\"", "invalid UTF-8", 1);  /* truncated */
    expect_bad("\"\xe2\x82", "invalid UTF-8", 1);        /* truncated by the end */
    expect_bad("\"abc\x80\"", "invalid UTF-8", 4);       /* stray continuation */
    expect_bad("\"\xc3\xa9\xa9\"", "invalid UTF-8", 3);  /* one continuation too many */
    expect_bad("\xef\xbb\xbf{}", "expected a value", 0); /* no BOM (RFC 8259 section 8.1) */
    expect_bad("[1,]", "expected a value", 3);
    expect_bad("[,1]", "expected a value", 1);
    expect_bad("{\"a\":1,}", "expected a member name", 7);
    expect_bad("{,}", "expected a member name", 1);
    expect_bad("{1:2}", "expected a member name", 1);
    expect_bad("{\"a\" 1}", "expected ':'", 5);
    expect_bad("{\"a\"}", "expected ':'", 4);
    expect_bad("{\"a\":1 \"b\":2}", "expected ',' or '}'", 7);
    expect_bad("{\"a\":1]", "expected ',' or '}'", 6);
    expect_bad("[1 2]", "expected ',' or ']'", 3);
    expect_bad("[1}", "expected ',' or ']'", 2);
    expect_bad("[", "expected a value", 1);
    expect_bad("[1", "expected ',' or ']'", 2);
    expect_bad("{", "expected a member name", 1);
    expect_bad("{\"a\"", "expected ':'", 4);
    expect_bad("{\"a\":", "expected a value", 5);
    expect_bad("[1] x", "unexpected data after the value", 4);
    expect_bad("1 2", "unexpected data after the value", 2);
    expect_bad("{}{}", "unexpected data after the value", 2);
    expect_bad("\"a\"\"b\"", "unexpected data after the value", 3);
    expect_bad_n("[1,\0]", 5, "expected a value", 3, 1, 4);
    expect_bad_n("1\0", 2, "unexpected data after the value", 1, 1, 2);
    expect_bad("\f1", "expected a value", 0);
    const char *lines = "{\"a\":\n  [1,\n   x]}";
    expect_bad_n(lines, strlen(lines), "expected a value", 15, 3, 4);
    expect_bad_n("[\"a\",\r\n\"b\\q\"]", 13, "invalid escape", 9, 2, 3);
}

static void test_depth_and_size(void **state)
{
    enum { N = ADP__JSON_MAX_DEPTH };
    char *text = malloc(2 * N + 2);
    assert_non_null(text);
    memset(text, '[', N + 1);
    memset(text + N + 1, ']', N + 1);
    /* N levels: accepted and written back */
    tmem_t t;
    tmem_init(&t);
    adp__jv_t *v = parse_n(&t, text + 1, 2 * N);
    assert_int_equal(adp__json_size(v), 2 * N);
    assert_memory_equal(dump(&t, v), text + 1, 2 * N);
    assert_true(adp__json_equal(v, adp__json_copy(&t.mem, v)));
    tmem_dispose(&t);
    /* N + 1: refused at the opening bracket too many */
    expect_bad_n(text, 2 * N + 2, "nesting too deep", N, 1, N + 1);

    /* objects count the same */
    size_t n = 0;
    char *obj = malloc(5 * (N + 1) + 2 * (N + 1));
    assert_non_null(obj);
    for (int i = 0; i <= N; i++) {
        memcpy(obj + n, "{\"a\":", 5);
        n += 5;
    }
    obj[n++] = '1';
    memset(obj + n, '}', N + 1);
    n += N + 1;
    tmem_init(&t);
    v = parse_n(&t, obj + 5, n - 6);
    assert_int_equal(adp__json_size(v), n - 6);
    tmem_dispose(&t);
    expect_bad_n(obj, n, "nesting too deep", 5 * N, 1, 5 * N + 1);
    free(obj);
    free(text);

    /* 4 GiB or more: refused before any byte is read */
    adp__jerror_t err;
    tmem_init(&t);
    assert_null(adp__json_parse(&t.mem, "[]", (size_t)UINT32_MAX + 1, &err));
    assert_string_equal(err.message, "input too large");
    assert_int_equal(err.offset, 0);
    assert_null(adp__json_parse(&t.mem, NULL, 0, &err));
    assert_string_equal(err.message, "empty input");
    assert_null(adp__json_parse(&t.mem, "x", 1, NULL)); /* err is optional */
    tmem_dispose(&t);
}

/* ---- duplicate names ---- */

static void test_duplicates(void **state)
{
    expect_dump("{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}");
    expect_dump("{\"a\":1,\"a\":2,\"a\":3}", "{\"a\":3}");
    expect_dump("{\"a\":1,\"b\":2,\"b\":[3],\"c\":4,\"a\":{\"a\":5,\"a\":6}}",
                "{\"a\":{\"a\":6},\"b\":[3],\"c\":4}");
    expect_dump("{\"a\":1,\"\\u0061\":2,\"ab\":3,\"a\\u0062\":4}", "{\"a\":2,\"ab\":4}");
    expect_dump("{\"\":1,\"\":2}", "{\"\":2}");
    expect_dump("{\"ab\":1,\"ba\":2,\"a\":3,\"b\":4}", "{\"ab\":1,\"ba\":2,\"a\":3,\"b\":4}");

    /* 16 members (pairwise) and 17 (hash table), a duplicate at the end of each */
    for (int members = 16; members <= 17; members++) {
        char text[512], want[512];
        size_t n = 0, w = 0;
        text[n++] = want[w++] = '{';
        for (int i = 0; i < members - 1; i++) {
            n += (size_t)sprintf(text + n, "\"k%d\":%d,", i, i);
            w += (size_t)sprintf(want + w, "%s\"k%d\":%d", i ? "," : "", i, i == 3 ? 99 : i);
        }
        n += (size_t)sprintf(text + n, "\"k3\":99}");
        w += (size_t)sprintf(want + w, "}");
        expect_dump(text, want);
    }

    /* 1000 names given twice, the second half in reverse: 1000 members, first order, last values */
    size_t cap = 40000, n = 0, w = 0;
    char *text = malloc(cap), *want = malloc(cap);
    assert_non_null(text);
    assert_non_null(want);
    text[n++] = want[w++] = '{';
    for (int i = 0; i < 2000; i++) {
        int k = i < 1000 ? i : 1999 - i;
        n += (size_t)sprintf(text + n, "%s\"key%d\":%d", i ? "," : "", k, i);
        if (i < 1000)
            w += (size_t)sprintf(want + w, "%s\"key%d\":%d", i ? "," : "", k, 1999 - i);
    }
    text[n++] = want[w++] = '}';
    text[n] = want[w] = '\0';
    tmem_t t;
    tmem_init(&t);
    adp__jv_t *v = parse(&t, text);
    assert_int_equal(v->len, 1000);
    assert_int_equal(v->cap, 1000);
    assert_string_equal(dump(&t, v), want);
    tmem_dispose(&t);

    /* 20000 copies of one name, and a nested large object with duplicates inside arrays */
    n = 0;
    text = realloc(text, 20000 * 8 + 16);
    assert_non_null(text);
    text[n++] = '{';
    for (int i = 0; i < 20000; i++)
        n += (size_t)sprintf(text + n, "%s\"x\":%d", i ? "," : "", i % 10);
    text[n++] = '}';
    text[n] = '\0';
    expect_dump(text, "{\"x\":9}");

    /* 200000 names, each given twice: merging them pairwise would take minutes (a timeout) */
    enum { HUGE = 200000 };
    n = 0;
    text = realloc(text, 2 * HUGE * 16 + 2);
    assert_non_null(text);
    text[n++] = '{';
    for (int i = 0; i < 2 * HUGE; i++)
        n += (size_t)sprintf(text + n, "%s\"%d\":%d", i ? "," : "", i % HUGE, i);
    text[n++] = '}';
    tmem_init(&t);
    v = parse_n(&t, text, n);
    assert_int_equal(v->len, HUGE);
    for (int i = 0; i < HUGE; i += 997) {
        char key[16];
        int64_t got;
        assert_int_equal(adp__json_int_value(v->u.members[i].value, &got), 0);
        assert_int_equal(got, HUGE + i);
        assert_int_equal(v->u.members[i].len, (size_t)sprintf(key, "%d", i));
        assert_memory_equal(v->u.members[i].key, key, v->u.members[i].len);
    }
    tmem_dispose(&t);
    free(text);
    free(want);
}

/* ---- constructors and accessors ---- */

static void expect_real(double d, const char *want)
{
    tmem_t t;
    tmem_init(&t);
    adp__jv_t *v = adp__json_real(&t.mem, d);
    assert_non_null(v);
    assert_false(adp__json_is_integer(v));
    assert_string_equal(dump(&t, v), want);
    double back;
    assert_int_equal(adp__json_real_value(v, &back), 0);
    assert_true(back == d && signbit(back) == signbit(d));
    tmem_dispose(&t);
}

static void expect_int(int64_t i, const char *want)
{
    tmem_t t;
    tmem_init(&t);
    adp__jv_t *v = adp__json_integer(&t.mem, i);
    assert_true(adp__json_is_integer(v));
    assert_string_equal(dump(&t, v), want);
    int64_t back;
    assert_int_equal(adp__json_int_value(v, &back), 0);
    assert_true(back == i);
    tmem_dispose(&t);
}

static void test_constructors(void **state)
{
    expect_int(0, "0");
    expect_int(7, "7");
    expect_int(10, "10");
    expect_int(-99, "-99");
    expect_int(100, "100");
    expect_int(1234567, "1234567");
    expect_int(INT64_MAX, "9223372036854775807");
    expect_int(INT64_MIN, "-9223372036854775808");
    expect_real(0.1, "0.1");
    expect_real(1.0, "1.0");
    expect_real(-0.0, "-0.0");
    expect_real(100, "100.0");
    expect_real(1e300, "1e+300");
    expect_real(1.0 / 3, "0.3333333333333333");
    expect_real(0.1 + 0.2, "0.30000000000000004");
    expect_real(123456789012345680000.0, "1.2345678901234568e+20");
    expect_real(5e-324, "4.94065645841247e-324");
    expect_real(1.7976931348623157e308, "1.7976931348623157e+308");
    expect_real(-1.5e-7, "-1.5e-07");

    tmem_t t;
    tmem_init(&t);
    assert_null(adp__json_real(&t.mem, NAN));
    assert_null(adp__json_real(&t.mem, INFINITY));
    assert_null(adp__json_real(&t.mem, -INFINITY));

    const char *num = "2.50";
    adp__jv_t *v = adp__json_number_text(&t.mem, num, 4);
    assert_ptr_equal(v->u.str, num);
    assert_false(adp__json_is_integer(v));
    assert_true(adp__json_is_integer(adp__json_number_text(&t.mem, "-42", 3)));
    assert_false(adp__json_is_integer(adp__json_number_text(&t.mem, "1E3", 3)));

    char src[] = "copied";
    v = adp__json_string_copy(&t.mem, src, 6);
    src[0] = 'X';
    assert_int_equal(v->type, ADP__J_STRING);
    assert_memory_equal(v->u.str, "copied", 6);
    assert_int_equal(adp__json_string_copy(&t.mem, NULL, 0)->len, 0);

    assert_string_equal(dump(&t, adp__json_null(&t.mem)), "null");
    assert_string_equal(dump(&t, adp__json_bool(&t.mem, 2)), "true");
    assert_string_equal(dump(&t, adp__json_bool(&t.mem, 0)), "false");
    assert_string_equal(dump(&t, adp__json_object(&t.mem)), "{}");
    assert_string_equal(dump(&t, adp__json_array(&t.mem)), "[]");

    /* from jansson: iteration order, NUL in strings and names, reals as shortest text */
    json_t *j = json_object();
    json_object_set_new(j, "z", json_integer(-5));
    json_object_set_new(j, "a", json_real(2.0));
    json_object_setn_new(j, "n\0l", 3, json_stringn("x\0y\"", 4));
    json_object_set_new(j, "arr", json_pack("[n,b,b,f,{},[]]", 1, 0, 0.1));
    json_object_set_new(j, "s", json_string("caf\xc3\xa9"));
    v = adp__json_from_jansson(&t.mem, j);
    assert_string_equal(dump(&t, v), "{\"z\":-5,\"a\":2.0,\"n\\u0000l\":\"x\\u0000y\\\"\","
                                     "\"arr\":[null,true,false,0.1,{},[]],\"s\":\"caf\xc3\xa9\"}");
    assert_int_equal(v->u.members[0].flags, ADP__JF_VERBATIM);
    assert_int_equal(v->u.members[2].flags, 0);
    assert_int_equal(adp__json_get(v, "s", 1)->flags, ADP__JF_VERBATIM);
    assert_int_equal(adp__json_get(v, "n\0l", 3)->flags, 0);
    json_decref(j);
    tmem_dispose(&t);
}

static void expect_int_value(const char *text, int ok, int64_t want)
{
    tmem_t t;
    tmem_init(&t);
    int64_t got = 12345;
    assert_int_equal(adp__json_int_value(parse(&t, text), &got), ok ? 0 : -1);
    if (ok)
        assert_true(got == want);
    else
        assert_true(got == 12345);
    tmem_dispose(&t);
}

static void expect_real_value(const char *text, int ok, double want)
{
    tmem_t t;
    tmem_init(&t);
    double got = 0;
    assert_int_equal(adp__json_real_value(parse(&t, text), &got), ok ? 0 : -1);
    if (ok)
        assert_true(got == want);
    tmem_dispose(&t);
}

static void test_accessors(void **state)
{
    expect_int_value("0", 1, 0);
    expect_int_value("-0", 1, 0);
    expect_int_value("42", 1, 42);
    expect_int_value("9223372036854775807", 1, INT64_MAX);
    expect_int_value("-9223372036854775808", 1, INT64_MIN);
    expect_int_value("9223372036854775808", 0, 0);
    expect_int_value("-9223372036854775809", 0, 0);
    expect_int_value("10000000000000000000", 0, 0);
    expect_int_value("99999999999999999999999", 0, 0);
    expect_int_value("1.0", 0, 0);
    expect_int_value("1e2", 0, 0);
    expect_int_value("\"1\"", 0, 0);
    expect_int_value("true", 0, 0);

    expect_real_value("1.5", 1, 1.5);
    expect_real_value("-2", 1, -2);
    expect_real_value("1E+2", 1, 100);
    expect_real_value("12345678901234567890", 1, 12345678901234567890.0);
    expect_real_value("1e-999", 1, 0);
    expect_real_value("1e999", 0, 0);
    expect_real_value("-1e309", 0, 0);
    expect_real_value("null", 0, 0);
    expect_real_value("\"1\"", 0, 0);

    /* longer than any stack buffer: still read */
    char text[2100];
    memcpy(text, "0.", 2);
    memset(text + 2, '0', 2000);
    memcpy(text + 2002, "25", 3);
    expect_real_value(text, 1, 0); /* underflows */
    text[0] = '1';
    expect_real_value(text, 1, 1);
    memset(text, '9', 300);
    text[300] = '\0';
    expect_real_value(text, 1, strtod(text, NULL));
    memset(text, '9', 400);
    text[400] = '\0';
    expect_real_value(text, 0, 0);
    expect_int_value(text, 0, 0);

    tmem_t t;
    tmem_init(&t);
    int64_t i;
    double d;
    assert_int_equal(adp__json_int_value(NULL, &i), -1);
    assert_int_equal(adp__json_real_value(NULL, &d), -1);
    assert_int_equal(adp__json_real_value(adp__json_number_text(&t.mem, "3", 1), &d), 0);
    assert_true(d == 3);
    tmem_dispose(&t);
}

static void expect_equal(const char *a, const char *b, int want)
{
    tmem_t t;
    tmem_init(&t);
    adp__jv_t *x = parse(&t, a), *y = parse(&t, b);
    if (adp__json_equal(x, y) != want || adp__json_equal(y, x) != want)
        fail_msg("%s == %s should be %d", a, b, want);
    tmem_dispose(&t);
}

static void test_equal(void **state)
{
    expect_equal("1", "1", 1);
    expect_equal("-0", "0", 1);
    expect_equal("1", "1.0", 0);
    expect_equal("1.0", "1.00", 1);
    expect_equal("1e2", "100.0", 1);
    expect_equal("1E2", "1e+2", 1);
    expect_equal("1", "2", 0);
    expect_equal("12345678901234567890", "12345678901234567890", 1);
    expect_equal("12345678901234567890", "12345678901234567891", 0);
    expect_equal("12345678901234567890", "1", 0);
    expect_equal("1e999", "1e999", 1);
    expect_equal("1e999", "2e999", 0);
    expect_equal("\"a\\u0000b\"", "\"a\\u0000b\"", 1);
    expect_equal("\"a\\u0000b\"", "\"a\\u0000c\"", 0);
    expect_equal("\"\\u00e9\"", "\"\xc3\xa9\"", 1);
    expect_equal("\"ab\"", "\"abc\"", 0);
    expect_equal("null", "false", 0);
    expect_equal("true", "true", 1);
    expect_equal("[1,[2,{}]]", "[1,[2,{}]]", 1);
    expect_equal("[1,2]", "[2,1]", 0);
    expect_equal("[1,2]", "[1,2,3]", 0);
    expect_equal("{\"a\":1,\"b\":[true]}", "{\"b\":[true],\"a\":1}", 1);
    expect_equal("{\"a\":1,\"b\":2}", "{\"a\":1,\"c\":2}", 0);
    expect_equal("{\"a\":1,\"b\":2}", "{\"a\":1}", 0);
    expect_equal("{\"a\":1}", "{\"a\":1.0}", 0);
    expect_equal("{\"a\":1,\"a\":2}", "{\"a\":2}", 1);
    expect_equal("{}", "[]", 0);
    assert_true(adp__json_equal(NULL, NULL));
}

/* ---- edits ---- */

static void test_edits(void **state)
{
    tmem_t t;
    tmem_init(&t);
    adp_mem_t *m = &t.mem;
    adp__jv_t *o = parse(&t, "{\"a\":1,\"b\":{\"c\":[1,2]},\"d\":\"x\"}");

    adp__json_set(m, o, "b", 1, adp__json_integer(m, 2)); /* replaced in place */
    assert_string_equal(dump(&t, o), "{\"a\":1,\"b\":2,\"d\":\"x\"}");
    assert_int_equal(o->cap, 3);
    adp__json_set(m, o, "e", 1, adp__json_null(m)); /* appended: grows to 6 */
    assert_int_equal(o->len, 4);
    assert_int_equal(o->cap, 6);
    for (int i = 0; i < 3; i++)
        adp__json_set(m, o, &"fgh"[i], 1, adp__json_bool(m, i & 1));
    assert_int_equal(o->cap, 12);
    assert_string_equal(dump(&t, o),
                        "{\"a\":1,\"b\":2,\"d\":\"x\",\"e\":null,\"f\":false,\"g\":true,"
                        "\"h\":false}");
    assert_int_equal(adp__json_del(o, "a", 1), 0);
    assert_int_equal(adp__json_del(o, "g", 1), 0);
    assert_int_equal(adp__json_del(o, "h", 1), 0);
    assert_int_equal(adp__json_del(o, "zz", 2), -1);
    assert_string_equal(dump(&t, o), "{\"b\":2,\"d\":\"x\",\"e\":null,\"f\":false}");
    while (o->len != 0)
        assert_int_equal(adp__json_del(o, o->u.members[0].key, o->u.members[0].len), 0);
    assert_string_equal(dump(&t, o), "{}");

    adp__jv_t *e = adp__json_object(m); /* from empty: capacity 4, then 8 */
    adp__json_set(m, e, "", 0, adp__json_integer(m, 0));
    assert_int_equal(e->cap, 4);
    for (int i = 0; i < 4; i++)
        adp__json_set(m, e, &"vwxy"[i], 1, adp__json_integer(m, i + 1));
    assert_int_equal(e->cap, 8);
    assert_string_equal(dump(&t, e), "{\"\":0,\"v\":1,\"w\":2,\"x\":3,\"y\":4}");

    adp__jv_t *a = adp__json_array(m);
    for (int i = 0; i < 5; i++)
        adp__json_append(m, a, adp__json_integer(m, i));
    assert_int_equal(a->len, 5);
    assert_int_equal(a->cap, 8);
    adp__json_put(a, 0, adp__json_string(m, "z", 1));
    adp__json_remove(a, 2);
    adp__json_remove(a, 3);
    assert_string_equal(dump(&t, a), "[\"z\",1,3]");
    assert_null(adp__json_at(a, 3));
    assert_int_equal(adp__json_at(a, 1)->type, ADP__J_NUMBER);
    adp__json_remove(a, 0);
    adp__json_remove(a, 0);
    adp__json_remove(a, 0);
    assert_string_equal(dump(&t, a), "[]");

    adp__jv_t *p = parse(&t, "[5]"); /* parsed with exact capacity: grows on append */
    assert_int_equal(p->cap, 1);
    adp__json_append(m, p, adp__json_integer(m, 6));
    assert_int_equal(p->cap, 4);
    assert_string_equal(dump(&t, p), "[5,6]");
    tmem_dispose(&t);
}

static void test_copy(void **state)
{
    tmem_t t;
    tmem_init(&t);
    adp_mem_t *m = &t.mem;
    const char *text = "{\"a\":[1,{\"b\":\"c\\n\"}],\"d\":{},\"e\":[],\"f\":1.5,\"g\":null}";
    adp__jv_t *o = parse(&t, text);
    adp__jv_t *c = adp__json_copy(m, o);
    assert_true(adp__json_equal(o, c));
    assert_ptr_not_equal(c, o);
    assert_ptr_not_equal(c->u.members, o->u.members);

    adp__jv_t *ca = adp__json_get(c, "a", 1);
    assert_ptr_not_equal(ca, adp__json_get(o, "a", 1));
    adp__json_set(m, adp__json_at(ca, 1), "b", 1, adp__json_integer(m, 7));
    adp__json_append(m, ca, adp__json_null(m));
    adp__json_set(m, adp__json_get(c, "d", 1), "x", 1, adp__json_null(m));
    adp__json_del(c, "g", 1);
    assert_string_equal(dump(&t, o),
                        "{\"a\":[1,{\"b\":\"c\\n\"}],\"d\":{},\"e\":[],\"f\":1.5,\"g\":null}");
    assert_string_equal(dump(&t, c),
                        "{\"a\":[1,{\"b\":7},null],\"d\":{\"x\":null},\"e\":[],\"f\":1.5}");
    assert_false(adp__json_equal(o, c));
    tmem_dispose(&t);
}

/* ---- differential test against jansson ---- */

typedef struct st_rng_t {
    uint64_t s;
} rng_t;

static uint64_t next(rng_t *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static size_t below(rng_t *r, size_t n)
{
    return (size_t)(next(r) % n);
}

/* Names leave out NUL: jansson writes them but refuses to read them back. */
static json_t *random_string(rng_t *r, size_t max_pieces, int nul)
{
    /* clang-format off */
    static const char *pieces[] = {
        "a", "b", "z", "K", "0", " ", "-", "_", ".", "\"", "\\", "/", "\n", "\t", "\r", "\b",
        "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf",
        "\xf4\x8f\xbf\xbf", "\xe0\xa0\x80", "\xc2\x80", "\xed\x9f\xbf", "\xee\x80\x80",
        "https://api.example.com/v1/", "abcdefgh", "\0" /* last */
    };
    /* clang-format on */
    char buf[2048];
    size_t n = 0, count = below(r, max_pieces + 1);
    for (size_t i = 0; i < count; i++) {
        size_t k = below(r, sizeof(pieces) / sizeof(pieces[0]) - !nul);
        size_t len = pieces[k][0] == '\0' ? 1 : strlen(pieces[k]);
        memcpy(buf + n, pieces[k], len);
        n += len;
    }
    return json_stringn(buf, n);
}

static json_t *random_number(rng_t *r)
{
    static const int64_t ints[] = {0, 1, -1, 9, 10, 99, INT64_MAX, INT64_MIN, INT64_MAX - 1};
    static const double reals[] = {0.0,
                                   -0.0,
                                   0.1,
                                   1e300,
                                   -1e-300,
                                   5e-324,
                                   1.7976931348623157e308,
                                   2.5,
                                   100.0,
                                   0.30000000000000004};
    switch (below(r, 6)) {
    case 0:
        return json_integer(ints[below(r, sizeof(ints) / sizeof(ints[0]))]);
    case 1:
        return json_integer((int64_t)below(r, 2000) - 1000);
    case 2:
        return json_integer((int64_t)next(r));
    case 3:
        return json_real(reals[below(r, sizeof(reals) / sizeof(reals[0]))]);
    case 4:
        return json_real(((double)below(r, 2000000) - 1000000) / 1000);
    default: {
        uint64_t bits = next(r);
        double d;
        memcpy(&d, &bits, sizeof(d));
        return json_real(isfinite(d) ? d : 1.5);
    }
    }
}

static json_t *random_json(rng_t *r, int depth)
{
    switch (below(r, depth >= 6 ? 6 : 9)) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(below(r, 2));
    case 2:
    case 3:
        return random_number(r);
    case 4:
    case 5:
        return random_string(r, below(r, 8) == 0 ? 60 : 6, 1);
    case 6:
    case 7: {
        json_t *o = json_object();
        for (size_t i = 0, n = below(r, below(r, 10) == 0 ? 30 : 6); i < n; i++) {
            json_t *k = random_string(r, 4, 0);
            json_object_setn_new(o, json_string_value(k), json_string_length(k),
                                 random_json(r, depth + 1));
            json_decref(k);
        }
        return o;
    }
    default: {
        json_t *a = json_array();
        for (size_t i = 0, n = below(r, 6); i < n; i++)
            json_array_append_new(a, random_json(r, depth + 1));
        return a;
    }
    }
}

static json_t *jansson_load(const char *text, size_t len, json_error_t *err)
{
    return json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, err);
}

/* Whether v holds something jansson refuses to read: a number beyond int64 or double, or a
 * member name with a NUL. */
static int has_beyond_jansson(const adp__jv_t *v, const char *why)
{
    int64_t i;
    double d;
    switch (v->type) {
    case ADP__J_NUMBER:
        if (strncmp(why, "too big", 7) == 0)
            return adp__json_int_value(v, &i) != 0 && adp__json_is_integer(v);
        if (strncmp(why, "real number overflow", 20) == 0)
            return adp__json_real_value(v, &d) != 0 && !adp__json_is_integer(v);
        return 0;
    case ADP__J_ARRAY:
        for (uint32_t k = 0; k < v->len; k++)
            if (has_beyond_jansson(v->u.items[k], why))
                return 1;
        return 0;
    case ADP__J_OBJECT:
        for (uint32_t k = 0; k < v->len; k++) {
            const adp__jmember_t *m = v->u.members + k;
            if ((strncmp(why, "NUL byte in object key", 22) == 0 &&
                 memchr(m->key, '\0', m->len) != NULL) ||
                has_beyond_jansson(m->value, why))
                return 1;
        }
        return 0;
    default:
        return 0;
    }
}

/* Our parse + dump of `text`, read back by jansson, must equal `want` (jansson's reading). */
static void check_same_document(tmem_t *t, const adp__jv_t *ours, const json_t *want,
                                const char *text, size_t len)
{
    json_error_t jerr;
    const char *out = dump(t, ours);
    json_t *back = jansson_load(out, strlen(out), &jerr);
    if (back == NULL || !json_equal(back, want))
        fail_msg("%s: '%.*s' written as '%s'", back ? "differs" : jerr.text, (int)len, text, out);
    json_decref(back);
}

/* Accept/reject must agree with jansson, but for documented differences: numbers beyond int64
 * or double, which we keep as text and jansson refuses ("too big integer", "real number
 * overflow"); member names with \u0000, which jansson refuses even with JSON_ALLOW_NUL; and
 * jansson's lexer taking a raw NUL byte for the end of the input ("1\0"). */
static void check_verdict(const char *text, size_t len)
{
    tmem_t t;
    tmem_init(&t);
    json_error_t jerr;
    adp__jerror_t err;
    json_t *j = jansson_load(text, len, &jerr);
    adp__jv_t *v = adp__json_parse(&t.mem, exact(&t, text, len), len, &err);
    if (v != NULL && j != NULL) {
        check_same_document(&t, v, j, text, len);
    } else if (v != NULL) {
        if (!has_beyond_jansson(v, jerr.text))
            fail_msg("jansson: %s (%d), we accept '%.*s'", jerr.text, jerr.position, (int)len,
                     text);
    } else if (j != NULL) {
        if (err.offset >= len || text[err.offset] != '\0')
            fail_msg("%s at %zu, jansson accepts '%.*s'", err.message, err.offset, (int)len, text);
    }
    json_decref(j);
    tmem_dispose(&t);
}

static void mutate_and_check(rng_t *r, const char *text, size_t len)
{
    static const char bytes[] = "\"\\,:[]{}0123-.eE+ \nu\0\x01\x80\xbf\xc0\xc3\xe0\xed\xf0\xf4\xff"
                                "tfnalx";
    char *m = malloc(len + 1);
    assert_non_null(m);
    for (int i = 0; i < 8; i++) {
        size_t pos = below(r, len + 1), n = len;
        char c = below(r, 2) ? bytes[below(r, sizeof(bytes) - 1)] : (char)below(r, 256);
        memcpy(m, text, len);
        switch (below(r, 3)) {
        case 0: /* replace, or flip a bit */
            if (pos == len)
                continue;
            m[pos] = below(r, 2) ? c : (char)(m[pos] ^ (1 << below(r, 8)));
            break;
        case 1: /* insert */
            memmove(m + pos + 1, m + pos, len - pos);
            m[pos] = c;
            n++;
            break;
        default: /* delete */
            if (pos == len)
                continue;
            memmove(m + pos, m + pos + 1, len - pos - 1);
            n--;
            break;
        }
        check_verdict(m, n);
    }
    free(m);
}

/* jansson writes \u001F where we write \u001f. */
static const char *lower_u_escapes(char *s)
{
    for (char *p = s; *p != '\0'; p++) {
        if (*p != '\\')
            continue;
        if (*++p == 'u')
            for (int i = 1; i <= 4; i++)
                p[i] = (char)tolower((unsigned char)p[i]);
    }
    return s;
}

static void test_differential(void **state)
{
    static const size_t flags[] = {JSON_COMPACT, JSON_INDENT(2), JSON_COMPACT | JSON_ENSURE_ASCII,
                                   JSON_INDENT(1) | JSON_ENSURE_ASCII, 0};
    rng_t r = {0x9e3779b97f4a7c15u};
    for (int i = 0; i < 3000; i++) {
        json_t *doc = random_json(&r, 0);
        size_t f = flags[below(&r, sizeof(flags) / sizeof(flags[0]))];
        char *text = json_dumps(doc, f | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
        assert_non_null(text);
        size_t len = strlen(text);

        tmem_t t;
        tmem_init(&t);
        adp__jv_t *v = parse_n(&t, text, len);
        check_same_document(&t, v, doc, text, len);
        adp__jv_t *mine = adp__json_from_jansson(&t.mem, doc);
        assert_true(adp__json_equal(v, mine));
        assert_true(adp__json_equal(mine, adp__json_copy(&t.mem, v)));
        check_same_document(&t, mine, doc, text, len);
        /* compact input is written back byte for byte, but for the case of \u escapes */
        if (f == JSON_COMPACT)
            assert_string_equal(dump(&t, v), lower_u_escapes(text));
        tmem_dispose(&t);

        mutate_and_check(&r, text, len);
        free(text);
        json_decref(doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_string_positions),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_depth_and_size),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_constructors),
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_edits),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_differential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
