/* Tests of ct_path.c: path rendering, pattern parsing, segment matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ct_path.h"

#define KEY(s) ((ct_seg_t){s, sizeof(s) - 1})
#define IDX(i) ((ct_seg_t){NULL, i})

static void test_render(void **state)
{
    char buf[CT_PATH_MAX + 8];
    ct_seg_t segs[] = {KEY("body"), KEY("items"), IDX(12), KEY("id")};
    assert_int_equal(ct__path_render(segs, 4, 0, buf), strlen("body.items[12].id"));
    assert_string_equal(buf, "body.items[12].id");
    ct__path_render(segs, 4, 1, buf);
    assert_string_equal(buf, "body.items[*].id");
    ct__path_render(segs, 0, 0, buf);
    assert_string_equal(buf, "");
    ct_seg_t top[] = {KEY("body"), IDX(0), IDX(1)};
    ct__path_render(top, 3, 0, buf);
    assert_string_equal(buf, "body[0][1]");
}

static void test_render_quoting(void **state)
{
    char buf[CT_PATH_MAX + 8];
    ct_seg_t segs[] = {KEY("body"),        KEY("a.b"),     KEY(""),
                       KEY("*"),           KEY("q\"\\"),   KEY("t\x01\n"),
                       KEY("caf\xc3\xa9"), KEY("bad\xff"), KEY("x-y_z$@9")};
    ct__path_render(segs, 9, 0, buf);
    assert_string_equal(buf, "body[\"a.b\"][\"\"][\"*\"][\"q\\\"\\\\\"][\"t\\u0001\\u000a\"]"
                             "[\"caf\xc3\xa9\"][\"bad\\ufffd\"].x-y_z$@9");
    /* a root needing quotes is quoted too */
    ct_seg_t root[] = {KEY("a b")};
    ct__path_render(root, 1, 0, buf);
    assert_string_equal(buf, "[\"a b\"]");
}

static void test_render_truncates(void **state)
{
    char buf[CT_PATH_MAX + 8];
    char *key = malloc(3000);
    memset(key, 'k', 3000);
    ct_seg_t segs[] = {{"body", 4}, {key, 3000}};
    size_t n = ct__path_render(segs, 2, 0, buf);
    assert_string_equal(buf, "body...");
    assert_int_equal(n, 7);
    ct_seg_t many[400];
    many[0] = (ct_seg_t){"body", 4};
    for (int i = 1; i < 400; i++)
        many[i] = (ct_seg_t){NULL, 123456};
    n = ct__path_render(many, 400, 0, buf);
    assert_true(n <= CT_PATH_MAX + 3);
    assert_string_equal(buf + n - 3, "...");
    /* a quoted key is cut between characters, never inside one */
    memset(key, 0, 3000);
    for (int i = 0; i + 2 <= 3000; i += 2)
        memcpy(key + i, "\xc3\xa9", 2);
    ct_seg_t quoted[] = {{"body", 4}, {key, 3000}};
    n = ct__path_render(quoted, 2, 0, buf);
    assert_true(n <= CT_PATH_MAX + 3);
    assert_memory_equal(buf + n - 5, "\xc3\xa9...", 5);
    free(key);
}

static void parse_ok(const char *text, ct_pseg_t **segs, size_t *n)
{
    ct_error_t err;
    if (ct__pattern_parse(text, segs, n, &err) != 0)
        fail_msg("%s: %s", text, err.message);
}

static void test_parse(void **state)
{
    ct_pseg_t *s;
    size_t n;
    parse_ok("body.items[*].id", &s, &n);
    assert_int_equal(n, 4);
    assert_int_equal(s[0].kind, CT_PSEG_KEY);
    assert_string_equal(s[0].str, "body");
    assert_int_equal(s[2].kind, CT_PSEG_ANY_INDEX);
    assert_int_equal(s[3].kind, CT_PSEG_KEY);
    ct__pattern_free(s, n);

    parse_ok("**.a*b.*[3][\"x.y\\\"\\u00e9\\ud83d\\ude00\\n\"]", &s, &n);
    assert_int_equal(n, 5);
    assert_int_equal(s[0].kind, CT_PSEG_ANY_DEPTH);
    assert_int_equal(s[1].kind, CT_PSEG_GLOB);
    assert_string_equal(s[1].str, "a*b");
    assert_int_equal(s[2].kind, CT_PSEG_ANY_KEY);
    assert_int_equal(s[3].kind, CT_PSEG_INDEX);
    assert_int_equal(s[3].len, 3);
    assert_int_equal(s[4].kind, CT_PSEG_KEY);
    assert_int_equal(s[4].len, strlen("x.y\"\xc3\xa9\xf0\x9f\x98\x80\n"));
    assert_memory_equal(s[4].str, "x.y\"\xc3\xa9\xf0\x9f\x98\x80\n", s[4].len);
    ct__pattern_free(s, n);

    /* a quoted "*" is a literal key; \u0000 is allowed */
    parse_ok("[\"*\"][\"a\\u0000b\"]", &s, &n);
    assert_int_equal(s[0].kind, CT_PSEG_KEY);
    assert_int_equal(s[1].len, 3);
    ct__pattern_free(s, n);
}

static void test_parse_errors(void **state)
{
    const char *bad[] = {"",
                         "body.",
                         "body..a",
                         ".body",
                         "body[",
                         "body[x]",
                         "body[1",
                         "body[\"a]",
                         "body[\"a\"",
                         "body a",
                         "body[-1]",
                         "body[\"\\q\"]",
                         "body[\"\\ud800\"]",
                         "body[\"\\u12\"]",
                         "body[1234567890123456]",
                         "body[\"\\udc00\"]",
                         "body[\"\\ud800\\u0041\"]",
                         "body/x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ct_pseg_t *s = NULL;
        size_t n = 0;
        ct_error_t err = {""};
        if (ct__pattern_parse(bad[i], &s, &n, &err) == 0)
            fail_msg("accepted bad pattern %s", bad[i]);
        assert_non_null(strstr(err.message, "path pattern"));
    }
    char long_pattern[CT_MAX_PATTERN_BYTES + 2];
    memset(long_pattern, 'a', sizeof(long_pattern) - 1);
    long_pattern[sizeof(long_pattern) - 1] = '\0';
    ct_pseg_t *s;
    size_t n;
    ct_error_t err;
    assert_int_equal(ct__pattern_parse(long_pattern, &s, &n, &err), -1);
    char many[CT_MAX_PATTERN_SEGMENTS * 2 + 8] = "a";
    for (int i = 0; i < CT_MAX_PATTERN_SEGMENTS; i++)
        strcat(many, ".a");
    assert_int_equal(ct__pattern_parse(many, &s, &n, &err), -1);
    assert_non_null(strstr(err.message, "too many segments"));
    /* errors can be ignored with a NULL error */
    assert_int_equal(ct__pattern_parse("", &s, &n, NULL), -1);
}

static void test_segment_match(void **state)
{
    ct_pseg_t *s;
    size_t n;
    parse_ok("a.x-*.*.**[*][2].*id*.a**", &s, &n);
    ct_seg_t a = KEY("a"), idx2 = IDX(2), idx3 = IDX(3);
    assert_true(ct__pseg_match(&s[0], &a));
    assert_false(ct__pseg_match(&s[0], &idx2));
    ct_seg_t xfor = KEY("x-forwarded-for"), x = KEY("x-"), y = KEY("y-x-");
    assert_true(ct__pseg_match(&s[1], &xfor));
    assert_true(ct__pseg_match(&s[1], &x));
    assert_false(ct__pseg_match(&s[1], &y));
    assert_true(ct__pseg_match(&s[2], &a)); /* * is any key */
    assert_false(ct__pseg_match(&s[2], &idx2));
    assert_true(ct__pseg_match(&s[3], &idx2)); /* ** is anything */
    assert_true(ct__pseg_match(&s[4], &idx3));
    assert_false(ct__pseg_match(&s[4], &a));
    assert_true(ct__pseg_match(&s[5], &idx2));
    assert_false(ct__pseg_match(&s[5], &idx3));
    ct_seg_t userid = KEY("user_identifier"), idk = KEY("id"), nope = KEY("name");
    assert_true(ct__pseg_match(&s[6], &userid));
    assert_true(ct__pseg_match(&s[6], &idk));
    assert_false(ct__pseg_match(&s[6], &nope));
    ct_seg_t ab = KEY("ab"), ba = KEY("ba");
    assert_true(ct__pseg_match(&s[7], &a)); /* a** is a glob: a followed by anything */
    assert_true(ct__pseg_match(&s[7], &ab));
    assert_false(ct__pseg_match(&s[7], &ba));
    ct__pattern_free(s, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),           cmocka_unit_test(test_render_quoting),
        cmocka_unit_test(test_render_truncates), cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_errors),     cmocka_unit_test(test_segment_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
