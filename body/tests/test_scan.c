/* Tests of body/scan.c: strings (escapes, UTF-8, positions) and every rejection with its position.
 */
#include "body_test_util.h"

/* ---- strings ---- */

static void test_escapes(void **state)
{
    tmem_t t;
    tmem_init(&t);
    body_value_t *v =
        parse(&t, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te\\u0041\\u00E9\\u20ac\\ud83d\\uDE00"
                  "\\u0000z\\u007f\\u001F\"");
    static const char want[] = "a\"b\\c/d\b\f\n\r\te"
                               "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                               "\0z\x7f\x1f";
    assert_int_equal(v->type, BODY_STRING);
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
    body_value_t *s = body_string(&t.mem, raw, sizeof(raw) - 1);
    assert_ptr_equal(s->u.str, raw);
    assert_int_equal(s->flags, 0);
    assert_string_equal(dump(&t, s), "\"\\u0001\\u001f\\\"\\\\\\n\\t\x7f \xc3\xa9/<\\u0000!\"");
    body_value_t *o = body_object(&t.mem);
    body_set(&t.mem, o, "q\"", 2, body_string(&t.mem, "", 0));
    body_set(&t.mem, o, "plain", 5, body_string(&t.mem, NULL, 0));
    assert_int_equal(o->u.members[0].flags, 0);
    assert_int_equal(o->u.members[1].flags, BODY_VERBATIM);
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
                body_value_t *v = parse_n(&t, text, n);
                size_t dlen = strlen(cases[c].decoded), wn = 0;
                memset(want, 'a', before);
                memcpy(want + before, cases[c].decoded, dlen);
                memset(want + before + dlen, 'b', after);
                wn = before + dlen + after;
                assert_int_equal(v->len, wn);
                assert_memory_equal(v->u.str, want, wn);
                assert_int_equal(v->flags, cases[c].piece[0] == '\\' ? 0 : BODY_VERBATIM);
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

static void test_utf8_and_escapes(void **state)
{
    assert_true(body_utf8_valid("", 0));
    assert_true(body_utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
    assert_true(body_utf8_valid("a\0b", 3));              /* NUL is a character */
    assert_false(body_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(body_utf8_valid("\xed\xa0\x80", 3));     /* a surrogate */
    assert_false(body_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    assert_false(body_utf8_valid("\xc3", 1));             /* cut short */
    assert_false(body_needs_escape("plain \xc3\xa9", 8));
    assert_true(body_needs_escape("a\"b", 3));
    assert_true(body_needs_escape("a\\b", 3));
    assert_true(body_needs_escape("a\nb", 3));
}

/* The inline scanners (body.h: body_scan_string_short, body_scan_number_short) answer exactly
 * as the full ones: every number text of up to 5 characters over digits, signs, '.', 'e' and
 * 'a', and 20,000 generated strings over the bytes that matter to a string scan. */
static void test_short_scanners(void **state)
{
    static const char num_alphabet[] = "019-+.eEa";
    char buf[64];
    for (size_t len = 1; len <= 5; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= sizeof(num_alphabet) - 1;
        for (size_t n = 0; n < total; n++) {
            size_t x = n;
            for (size_t i = 0; i < len; i++, x /= sizeof(num_alphabet) - 1)
                buf[i] = num_alphabet[x % (sizeof(num_alphabet) - 1)];
            unsigned f1 = 99, f2 = 99;
            const char *a = body_scan_number(buf, buf + len, &f1);
            const char *b = body_scan_number_short(buf, buf + len, &f2);
            if (a != b || (a != NULL && f1 != f2))
                fail_msg("number \"%.*s\": %p/%u against %p/%u", (int)len, buf, (void *)a, f1,
                         (void *)b, f2);
        }
    }
    static const char str_bytes[] = {'"', '\\', 'a', 'n', 'u', '0', 'D', '8', 0x01, (char)0xc3,
                                     (char)0xa9, (char)0xff, '/', ' '};
    uint32_t seed = 12345;
    for (int n = 0; n < 20000; n++) {
        size_t len = (size_t)(n % 40);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly plain letters, so that strings run past the 8 and 16 bytes of a word */
            buf[i] = (seed >> 16) % 4 != 0 ? 'a' : str_bytes[(seed >> 8) % sizeof(str_bytes)];
        }
        int e1 = 7, e2 = 7;
        const char *a = body_scan_string(buf, buf + len, &e1);
        const char *b = body_scan_string_short(buf, buf + len, &e2);
        if (a != b || (a != NULL && e1 != e2))
            fail_msg("string of %zu bytes (#%d): %p/%d against %p/%d", len, n, (void *)a, e1,
                     (void *)b, e2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_string_positions),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_utf8_and_escapes),
        cmocka_unit_test(test_short_scanners),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
