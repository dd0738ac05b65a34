/* Tests for gateway/framing.c: upstream response heads that must become a 502. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "framing.h"

#define MAX 8

typedef struct {
    h2o_iovec_t names[MAX];
    h2o_header_t h[MAX];
    size_t n;
} head_t;

static void add(head_t *hd, const char *name, const char *value)
{
    hd->names[hd->n] = h2o_iovec_init(name, strlen(name));
    hd->h[hd->n].name = &hd->names[hd->n];
    hd->h[hd->n].value = h2o_iovec_init(value, strlen(value));
    ++hd->n;
}

static const char *check(int status, head_t *hd, gw_response_framing_t *f)
{
    return gw_framing_check_response(status, hd->h, hd->n, f);
}

static void test_plain_and_chunked_heads_pass(void **state)
{
    gw_response_framing_t f;
    head_t a = {0};
    add(&a, "content-length", "12");
    assert_null(check(200, &a, &f));
    assert_int_equal(f.content_length, 12);
    assert_false(f.chunked);
    head_t b = {0};
    add(&b, "Transfer-Encoding", "chunked");
    assert_null(check(599, &b, &f));
    assert_true(f.chunked);
    assert_int_equal(f.content_length, SIZE_MAX);
    head_t c = {0};
    assert_null(check(204, &c, &f));
    assert_int_equal(f.content_length, SIZE_MAX);
}

static void test_length_and_chunked_is_refused(void **state)
{
    gw_response_framing_t f;
    head_t a = {0};
    add(&a, "content-length", "2");
    add(&a, "transfer-encoding", "chunked");
    assert_non_null(check(200, &a, &f));
    head_t b = {0}; /* order does not matter */
    add(&b, "transfer-encoding", "chunked");
    add(&b, "Content-Length", "2");
    assert_non_null(check(200, &b, &f));
}

static void test_lengths_must_agree(void **state)
{
    gw_response_framing_t f;
    head_t same = {0};
    add(&same, "content-length", "5");
    add(&same, "content-length", " 5 ");
    assert_null(check(200, &same, &f));
    assert_int_equal(f.content_length, 5);
    head_t list = {0};
    add(&list, "content-length", "5, 5");
    assert_null(check(200, &list, &f));
    head_t differ = {0};
    add(&differ, "content-length", "5");
    add(&differ, "content-length", "6");
    assert_non_null(check(200, &differ, &f));
    head_t differ_list = {0};
    add(&differ_list, "content-length", "5,6");
    assert_non_null(check(200, &differ_list, &f));
    const char *bad[] = {"", "-1", "0x10", "1e3", "5,", "99999999999999999999", "+5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        head_t h = {0};
        add(&h, "content-length", bad[i]);
        assert_non_null(check(200, &h, &f));
    }
}

static void test_status_range(void **state)
{
    gw_response_framing_t f;
    head_t none = {0};
    const int bad[] = {0, 99, 100, 101, 199, 600, 999};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i)
        assert_non_null(check(bad[i], &none, &f));
    assert_null(check(200, &none, &f));
}

static void test_folded_line_is_refused(void **state)
{
    gw_response_framing_t f;
    head_t a = {0};
    add(&a, "x-a", "1");
    add(&a, "", "set-cookie: evil=1"); /* how h2o hands over an obs-fold continuation */
    assert_non_null(check(200, &a, &f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_chunked_heads_pass),
        cmocka_unit_test(test_length_and_chunked_is_refused),
        cmocka_unit_test(test_lengths_must_agree),
        cmocka_unit_test(test_status_range),
        cmocka_unit_test(test_folded_line_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
