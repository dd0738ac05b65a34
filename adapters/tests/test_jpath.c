/* Tests of JSON path parsing and formatting (jpath.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include "jpath.h"

static adp__jpath_t parse_ok(adp__arena_t *a, const char *s)
{
    adp__jpath_t p;
    size_t off;
    const char *err;
    if (adp__jpath_parse(a, s, strlen(s), &p, &off, &err) != 0)
        fail_msg("'%s' at %zu: %s", s, off, err);
    return p;
}

static void expect_bad(const char *s, size_t want_off, const char *want)
{
    adp__arena_t a;
    adp__arena_init(&a);
    adp__jpath_t p;
    size_t off;
    const char *err;
    assert_int_equal(adp__jpath_parse(&a, s, strlen(s), &p, &off, &err), -1);
    assert_string_equal(err, want);
    assert_int_equal(off, want_off);
    adp__arena_dispose(&a);
}

static void test_segments(void **state)
{
    adp__arena_t a;
    adp__arena_init(&a);
    adp__jpath_t p = parse_ok(&a, "data[*].owner.name");
    assert_int_equal(p.n, 4);
    assert_int_equal(p.segs[0].kind, ADP__SEG_KEY);
    assert_string_equal(p.segs[0].key, "data");
    assert_int_equal(p.segs[1].kind, ADP__SEG_ITEMS);
    assert_string_equal(p.segs[3].key, "name");
    assert_int_equal(adp__jpath_wild_prefix(&p), 2);

    p = parse_ok(&a, "$.items[12][\"a.b\"].*['x\\'y']");
    assert_int_equal(p.n, 5);
    assert_int_equal(p.segs[1].kind, ADP__SEG_INDEX);
    assert_int_equal(p.segs[1].index, 12);
    assert_string_equal(p.segs[2].key, "a.b");
    assert_int_equal(p.segs[3].kind, ADP__SEG_VALUES);
    assert_string_equal(p.segs[4].key, "x'y");
    assert_int_equal(adp__jpath_wild_prefix(&p), 4);

    assert_int_equal(parse_ok(&a, "").n, 0);
    assert_int_equal(parse_ok(&a, "$").n, 0);
    p = parse_ok(&a, "[*].tag");
    assert_int_equal(p.n, 2);
    assert_int_equal(p.segs[0].kind, ADP__SEG_ITEMS);
    p = parse_ok(&a, "x-rate-limit");
    assert_string_equal(p.segs[0].key, "x-rate-limit");
    adp__arena_dispose(&a);
}

static void test_errors(void **state)
{
    expect_bad("a..b", 2, "empty name");
    expect_bad("a.", 2, "empty name");
    expect_bad("a[", 2, "expected '*', an index or a quoted key after '['");
    expect_bad("a[*", 3, "expected ']'");
    expect_bad("a[01]", 2, "index with a leading zero");
    expect_bad("a[\"b]", 2, "unterminated quoted key");
    expect_bad("a[\"b\\n\"]", 4, "only \\\\ and the quote can be escaped");
    expect_bad("a*", 1, "expected '.' or '['");
    expect_bad("a.*b", 3, "'*' must be a whole segment");
    expect_bad("a b", 1, "expected '.' or '['");
    expect_bad("a[99999999999]", 2, "index too large");
}

static void test_format(void **state)
{
    adp__arena_t a;
    adp__arena_init(&a);
    const char *in[] = {"data[*].owner.name", "[*].tag",         "$",
                        "items[3].*",         "meta[\"a.b\"].c", "[\"$weird\"]"};
    const char *out[] = {"data[*].owner.name", "[*].tag",         "$",
                         "items[3].*",         "meta[\"a.b\"].c", "[\"$weird\"]"};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); ++i) {
        adp__jpath_t p = parse_ok(&a, in[i]);
        assert_string_equal(adp__jpath_format(&a, &p), out[i]);
    }
    adp__arena_dispose(&a);
}

static void test_prefixes(void **state)
{
    adp__arena_t a;
    adp__arena_init(&a);
    adp__jpath_t x = parse_ok(&a, "data[*]"), y = parse_ok(&a, "data[*].tag"),
                 z = parse_ok(&a, "data[0].tag");
    assert_true(adp__jpath_is_prefix(&x, &y));
    assert_false(adp__jpath_is_prefix(&y, &x));
    assert_false(adp__jpath_is_prefix(&x, &z));
    adp__jpath_t c = adp__jpath_concat(&a, &x, &y);
    assert_string_equal(adp__jpath_format(&a, &c), "data[*].data[*].tag");
    adp__jpath_t s = adp__jpath_slice(&y, 2, 3);
    assert_string_equal(adp__jpath_format(&a, &s), "tag");
    adp__arena_dispose(&a);
}

/* Found by fuzz_adapt_body: slicing the empty path (no segment array) computed NULL + 0, which
 * is undefined; an empty slice of any path has no segments. */
static void test_empty_slices(void **state)
{
    adp__arena_t a;
    adp__arena_init(&a);
    adp__jpath_t root = {NULL, 0}, y = parse_ok(&a, "data[*].tag");
    adp__jpath_t s = adp__jpath_slice(&root, 0, 0), t = adp__jpath_slice(&y, 3, 3);
    assert_null(s.segs);
    assert_int_equal(s.n, 0);
    assert_null(t.segs);
    assert_int_equal(t.n, 0);
    adp__arena_dispose(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_empty_slices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
