/* Tests of ct_match.c: incremental pattern matching along a path, verdicts, scalar matchers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ct_match.h"

#define KEY(s) ((ct_seg_t){s, sizeof(s) - 1})
#define IDX(i) ((ct_seg_t){NULL, i})

static ct_rules_t *rules_of(const char *const *lines, size_t n)
{
    ct_error_t err;
    ct_rules_t *r = ct_rules_create(NULL, &err);
    for (size_t i = 0; i < n; i++)
        if (ct_rules_add_line(r, lines[i], &err) != 0)
            fail_msg("%s: %s", lines[i], err.message);
    return r;
}

/* Walks a path from the root and returns the verdict of its last node; leaves the node's state
 * range in *begin and *end. */
static unsigned walk(const ct_rules_t *r, const char *op, ct_states_t *st, const ct_seg_t *path,
                     size_t n, size_t *begin, size_t *end)
{
    st->len = 0;
    ct__match_start(r, op, st);
    size_t b = 0, e = st->len;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        size_t child = st->len;
        v = ct__match_step(r, st, b, e, &path[i]);
        b = child;
        e = st->len;
    }
    *begin = b;
    *end = e;
    return v;
}

static unsigned verdict(const ct_rules_t *r, const char *op, const ct_seg_t *path, size_t n)
{
    ct_states_t st = {0};
    size_t b, e;
    unsigned v = walk(r, op, &st, path, n, &b, &e);
    free(st.items);
    return v;
}

#define VERDICT(r, op, ...)                                                                        \
    verdict(r, op, (ct_seg_t[]){__VA_ARGS__}, sizeof((ct_seg_t[]){__VA_ARGS__}) / sizeof(ct_seg_t))

static void test_any_depth(void **state)
{
    const char *lines[] = {"ignore body.**.ts"};
    ct_rules_t *r = rules_of(lines, 1);
    /* ** matches zero segments, keys and indices */
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("ts")), CT_VERDICT_IGNORE);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("a"), IDX(3), KEY("b"), KEY("ts")),
                     CT_VERDICT_IGNORE);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("ts"), KEY("ts")), CT_VERDICT_IGNORE);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("a")), 0);
    assert_int_equal(VERDICT(r, NULL, KEY("headers"), KEY("ts")), 0);
    /* the rule applies to the node it ends at, not to children of it */
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("ts"), KEY("x")), 0);
    ct_rules_destroy(r);

    const char *trailing[] = {"present body.meta.**", "ignore **"};
    r = rules_of(trailing, 1);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("meta")), CT_VERDICT_PRESENT);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("meta"), IDX(1), KEY("x")),
                     CT_VERDICT_PRESENT);
    ct_rules_destroy(r);
    r = rules_of(trailing + 1, 1);
    assert_int_equal(VERDICT(r, NULL, KEY("status")), CT_VERDICT_IGNORE);
    ct_rules_destroy(r);
}

static void test_keys_and_indices(void **state)
{
    const char *lines[] = {"ignore body.*.id", "ignore body.list[*]", "ignore body.pos[1].x"};
    ct_rules_t *r = rules_of(lines, 3);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("user"), KEY("id")), CT_VERDICT_IGNORE);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), IDX(0), KEY("id")), 0); /* * is a key */
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("list"), IDX(7)), CT_VERDICT_IGNORE);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("list"), KEY("x")), 0); /* [*] an index */
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("pos"), IDX(1), KEY("x")),
                     CT_VERDICT_IGNORE);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("pos"), IDX(0), KEY("x")), 0);
    ct_rules_destroy(r);
}

static void test_verdicts_combine(void **state)
{
    const char *lines[] = {"tolerance body.a abs=1", "present body.a", "regex body.b x",
                           "ignore body.**.b"};
    ct_rules_t *r = rules_of(lines, 4);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("a")),
                     CT_VERDICT_PRESENT | CT_VERDICT_MATCHERS);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("b")),
                     CT_VERDICT_IGNORE | CT_VERDICT_MATCHERS);
    ct_rules_destroy(r);
}

static void test_operation_scope(void **state)
{
    const char *lines[] = {"@getPet ignore body.a", "ignore body.b"};
    ct_rules_t *r = rules_of(lines, 2);
    assert_int_equal(VERDICT(r, "getPet", KEY("body"), KEY("a")), CT_VERDICT_IGNORE);
    assert_int_equal(VERDICT(r, "getPets", KEY("body"), KEY("a")), 0);
    assert_int_equal(VERDICT(r, NULL, KEY("body"), KEY("a")), 0);
    assert_int_equal(VERDICT(r, "getPets", KEY("body"), KEY("b")), CT_VERDICT_IGNORE);
    ct_rules_destroy(r);
}

static void test_state_sets_stay_small(void **state)
{
    /* repeated ** must not multiply states: every (rule, position) appears once per node */
    const char *lines[] = {"ignore **.**.**.x"};
    ct_rules_t *r = rules_of(lines, 1);
    ct_states_t st = {0};
    ct_seg_t path[50];
    for (int i = 0; i < 50; i++)
        path[i] = (ct_seg_t){"k", 1};
    size_t b, e;
    walk(r, NULL, &st, path, 50, &b, &e);
    assert_true(e - b <= 5);
    free(st.items);
    ct_rules_destroy(r);
}

static void test_scalar_matchers(void **state)
{
    const char *lines[] = {"tolerance body.n abs=0.5", "tolerance body.n rel=0.1",
                           "regex body.s [a-z]+", "regex body.s [0-9]+"};
    ct_rules_t *r = rules_of(lines, 4);
    ct_states_t st = {0};
    size_t b, e;
    ct_seg_t n[] = {KEY("body"), KEY("n")}, s[] = {KEY("body"), KEY("s")};
    walk(r, NULL, &st, n, 2, &b, &e);
    assert_true(ct__match_numbers(r, &st, b, e, 1.0, 1.5));
    assert_true(ct__match_numbers(r, &st, b, e, 100, 109));
    assert_false(ct__match_numbers(r, &st, b, e, 100, 112));
    assert_false(ct__match_numbers(r, &st, b, e, 1, NAN));
    assert_false(ct__match_texts(r, &st, b, e, "abc", 3, "def", 3)); /* regexes are on body.s */
    walk(r, NULL, &st, s, 2, &b, &e);
    assert_true(ct__match_texts(r, &st, b, e, "abc", 3, "def", 3));
    assert_true(ct__match_texts(r, &st, b, e, "12", 2, "345", 3));
    assert_false(ct__match_texts(r, &st, b, e, "abc", 3, "12", 2));  /* one regex for both */
    assert_false(ct__match_texts(r, &st, b, e, "ab1", 3, "abc", 3)); /* anchored */
    /* lengths bound the subject: a NUL inside does not end it */
    assert_false(ct__match_texts(r, &st, b, e, "ab\0c", 4, "abc", 3));
    assert_true(ct__match_texts(r, &st, b, e, "abcX", 3, "abc", 3));
    assert_false(ct__match_numbers(r, &st, b, e, 1, 1));
    free(st.items);
    ct_rules_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_depth),
        cmocka_unit_test(test_keys_and_indices),
        cmocka_unit_test(test_verdicts_combine),
        cmocka_unit_test(test_operation_scope),
        cmocka_unit_test(test_state_sets_stay_small),
        cmocka_unit_test(test_scalar_matchers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
