/* Tests of body/parse.c: depth and size limits, duplicate names, and a differential test against
 * jansson on random and mutated texts. */
#include "body_test_util.h"
#include <jansson.h>
#include "body_jansson.h"

static void test_depth_and_size(void **state)
{
    enum { N = BODY_MAX_DEPTH };
    char *text = malloc(2 * N + 2);
    assert_non_null(text);
    memset(text, '[', N + 1);
    memset(text + N + 1, ']', N + 1);
    /* N levels: accepted and written back */
    tmem_t t;
    tmem_init(&t);
    body_value_t *v = parse_n(&t, text + 1, 2 * N);
    assert_int_equal(body_write_size(v), 2 * N);
    assert_memory_equal(dump(&t, v), text + 1, 2 * N);
    assert_true(body_equal(v, body_copy(&t.mem, v)));
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
    assert_int_equal(body_write_size(v), n - 6);
    tmem_dispose(&t);
    expect_bad_n(obj, n, "nesting too deep", 5 * N, 1, 5 * N + 1);
    free(obj);
    free(text);

    /* 4 GiB or more: refused before any byte is read */
    body_error_t err;
    tmem_init(&t);
    assert_null(body_parse(&t.mem, "[]", (size_t)UINT32_MAX + 1, 0, &err));
    assert_string_equal(err.message, "input too large");
    assert_int_equal(err.offset, 0);
    assert_null(body_parse(&t.mem, NULL, 0, 0, &err));
    assert_string_equal(err.message, "empty input");
    assert_null(body_parse(&t.mem, "x", 1, 0, NULL)); /* err is optional */
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
    body_value_t *v = parse(&t, text);
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
        assert_int_equal(body_int_value(v->u.members[i].value, &got), 0);
        assert_int_equal(got, HUGE + i);
        assert_int_equal(v->u.members[i].len, (size_t)sprintf(key, "%d", i));
        assert_memory_equal(v->u.members[i].key, key, v->u.members[i].len);
    }
    tmem_dispose(&t);
    free(text);
    free(want);
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
static int has_beyond_jansson(const body_value_t *v, const char *why)
{
    int64_t i;
    double d;
    switch (v->type) {
    case BODY_NUMBER:
        if (strncmp(why, "too big", 7) == 0)
            return body_int_value(v, &i) != 0 && body_is_integer(v);
        if (strncmp(why, "real number overflow", 20) == 0)
            return body_real_value(v, &d) != 0 && !body_is_integer(v);
        return 0;
    case BODY_ARRAY:
        for (uint32_t k = 0; k < v->len; k++)
            if (has_beyond_jansson(v->u.items[k], why))
                return 1;
        return 0;
    case BODY_OBJECT:
        for (uint32_t k = 0; k < v->len; k++) {
            const body_member_t *m = v->u.members + k;
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
static void check_same_document(tmem_t *t, const body_value_t *ours, const json_t *want,
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
    body_error_t err;
    json_t *j = jansson_load(text, len, &jerr);
    body_value_t *v = body_parse(&t.mem, exact(&t, text, len), len, 0, &err);
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
        body_value_t *v = parse_n(&t, text, len);
        check_same_document(&t, v, doc, text, len);
        body_value_t *mine = body_from_jansson(&t.mem, doc);
        assert_true(body_equal(v, mine));
        assert_true(body_equal(mine, body_copy(&t.mem, v)));
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

/* BODY_PARSE_FINITE: a number beyond a double's range is an error, anything a double holds is
 * not; without the flag the text passes through untouched. */
static void test_finite_numbers(void **state)
{
    tmem_t t;
    tmem_init(&t);
    body_error_t err;
    const char *ok[] = {"1e308", "-1.7976931348623157e308", "[1e-999]", "123456789012345678901234"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        assert_non_null(body_parse(&t.mem, ok[i], strlen(ok[i]), BODY_PARSE_FINITE, &err));
    const char *text = "{\"a\": [1, 1e999]}";
    assert_non_null(body_parse(&t.mem, text, strlen(text), 0, &err));
    assert_null(body_parse(&t.mem, text, strlen(text), BODY_PARSE_FINITE, &err));
    assert_int_equal(err.code, BODY_ERANGE);
    assert_string_equal(err.message, "number out of range");
    assert_int_equal(err.offset, 10);
    assert_int_equal(err.col, 11);
    /* 400 digits without an exponent */
    char big[402];
    memset(big, '9', 400);
    big[400] = '\0';
    assert_null(body_parse(&t.mem, big, 400, BODY_PARSE_FINITE, &err));
    assert_int_equal(err.code, BODY_ERANGE);
    tmem_dispose(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_depth_and_size),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_finite_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
