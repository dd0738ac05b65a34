/* Tests for shadow/shadow_capture.c: bounded captures and the header normalisation that makes
 * an upstream's raw response comparable with what the client received. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "shadow_internal.h"

/* h2o headers from "name: value" pairs (names must be lower case, as h2o gives them). */
typedef struct {
    h2o_iovec_t names[16];
    h2o_header_t headers[16];
    size_t n;
} hlist_t;

static void add(hlist_t *l, const char *name, const char *value)
{
    l->names[l->n] = h2o_iovec_init(name, strlen(name));
    l->headers[l->n] =
        (h2o_header_t){.name = &l->names[l->n], .value = h2o_iovec_init(value, strlen(value))};
    ++l->n;
}

static const char *get(const gw_shadow_capture_t *c, const char *name)
{
    for (size_t i = 0; i != c->num_headers; ++i)
        if (c->headers[i].name_len == strlen(name) &&
            memcmp(c->headers[i].name, name, strlen(name)) == 0)
            return c->headers[i].value;
    return NULL;
}

static void test_body_within_limit(void **state)
{
    gw_shadow_capture_t c;
    gw_shadow__capture_init(&c, 10);
    hlist_t l = {0};
    add(&l, "content-type", "application/json");
    gw_shadow__capture_head(&c, 200, l.headers, l.n, SIZE_MAX);
    assert_int_equal(c.status, 200);
    assert_int_equal(c.num_headers, 1);
    assert_string_equal(get(&c, "content-type"), "application/json");
    assert_int_equal(gw_shadow__capture_body(&c, "01234", 5), 0);
    assert_int_equal(gw_shadow__capture_body(&c, "56789", 5), 0);
    assert_int_equal(c.body_len, 10);
    assert_memory_equal(c.body, "0123456789", 10);
    assert_false(c.too_large);
    /* one byte more and nothing is kept */
    assert_int_equal(gw_shadow__capture_body(&c, "x", 1), -1);
    assert_true(c.too_large);
    assert_null(c.body);
    assert_int_equal(c.body_len, 0);
    assert_int_equal(gw_shadow__capture_body(&c, "y", 1), -1);
    gw_shadow__capture_dispose(&c);
    assert_int_equal(c.limit, 10);
    assert_int_equal(c.error, -1);
}

static void test_content_length_over_limit(void **state)
{
    gw_shadow_capture_t c;
    gw_shadow__capture_init(&c, 1000);
    gw_shadow__capture_head(&c, 200, NULL, 0, 1001);
    assert_true(c.too_large);
    assert_null(c.body);
    gw_shadow__capture_dispose(&c);

    gw_shadow__capture_init(&c, 1000);
    gw_shadow__capture_head(&c, 200, NULL, 0, 1000); /* preallocated exactly */
    assert_false(c.too_large);
    assert_int_equal(c.body_cap, 1000);
    char buf[1000];
    memset(buf, 'a', sizeof(buf));
    assert_int_equal(gw_shadow__capture_body(&c, buf, sizeof(buf)), 0);
    assert_int_equal(c.body_cap, 1000);
    gw_shadow__capture_dispose(&c);
}

static void test_growth_is_bounded(void **state)
{
    gw_shadow_capture_t c;
    gw_shadow__capture_init(&c, 100000);
    gw_shadow__capture_head(&c, 200, NULL, 0, SIZE_MAX);
    char chunk[999];
    memset(chunk, 'z', sizeof(chunk));
    size_t total = 0;
    while (total + sizeof(chunk) <= 100000) {
        assert_int_equal(gw_shadow__capture_body(&c, chunk, sizeof(chunk)), 0);
        total += sizeof(chunk);
    }
    assert_int_equal(c.body_len, total);
    assert_true(c.body_cap <= 100000);
    assert_true(gw_shadow__capture_bytes(&c) >= c.body_cap);
    gw_shadow__capture_dispose(&c);
}

static void test_normalise_upstream(void **state)
{
    gw_shadow_capture_t c;
    gw_shadow__capture_init(&c, 100);
    hlist_t l = {0};
    add(&l, "date", "Tue, 01 Jan 2030 00:00:00 GMT");
    add(&l, "server", "candidate/2");
    add(&l, "connection", "keep-alive, x-hop");
    add(&l, "x-hop", "dropped: named in Connection");
    add(&l, "keep-alive", "timeout=5");
    add(&l, "transfer-encoding", "chunked");
    add(&l, "content-length", "12");
    add(&l, "api-version", "v9");
    add(&l, "x-request-id", "abc");
    add(&l, "content-type", "application/json");
    add(&l, "etag", "\"1\"");
    gw_shadow__capture_head(&c, 200, l.headers, l.n, SIZE_MAX);
    const char *tokens[] = {"Accept", "Api-Version"};
    gw_shadow__capture_normalise(&c, 0, tokens, 2);
    assert_int_equal(c.num_headers, 3);
    assert_string_equal(get(&c, "content-type"), "application/json");
    assert_string_equal(get(&c, "etag"), "\"1\"");
    assert_string_equal(get(&c, "vary"), "Accept, Api-Version");
    gw_shadow__capture_dispose(&c);
}

/* The candidate's Vary gets the gateway's tokens exactly as h2o_set_header_token gives them to
 * the primary (exchange.c): checked against h2o itself. h2o matches the token as written
 * (h2o_contains_token lowercases only the header value), so "Accept" is appended even to a line
 * that has it; the comparison only needs both sides to agree. */
static void vary_case(const char *const *lines, size_t n)
{
    const char *tokens[] = {"Accept", "Api-Version"};
    h2o_mem_pool_t pool;
    h2o_mem_init_pool(&pool);
    h2o_headers_t real = {NULL};
    hlist_t l = {0};
    for (size_t i = 0; i != n; ++i) {
        h2o_add_header(&pool, &real, H2O_TOKEN_VARY, NULL, lines[i], strlen(lines[i]));
        add(&l, "vary", lines[i]);
    }
    for (size_t t = 0; t != 2; ++t)
        h2o_set_header_token(&pool, &real, H2O_TOKEN_VARY, tokens[t], strlen(tokens[t]));
    gw_shadow_capture_t c;
    gw_shadow__capture_init(&c, 100);
    gw_shadow__capture_head(&c, 200, l.headers, l.n, SIZE_MAX);
    gw_shadow__capture_normalise(&c, 0, tokens, 2);
    assert_int_equal(c.num_headers, real.size);
    for (size_t i = 0; i != real.size; ++i) {
        assert_int_equal(c.headers[i].value_len, real.entries[i].value.len);
        assert_memory_equal(c.headers[i].value, real.entries[i].value.base,
                            real.entries[i].value.len);
    }
    gw_shadow__capture_dispose(&c);
    h2o_mem_clear_pool(&pool);
}

static void test_vary_merge(void **state)
{
    const char *none[] = {NULL};
    const char *one[] = {"Origin"};
    const char *two[] = {"accept", "Origin"};
    const char *has[] = {"Accept, Api-Version"};
    vary_case(none, 0);
    vary_case(one, 1);
    vary_case(two, 2);
    vary_case(has, 1);

    const char *tokens[] = {"Accept"};
    gw_shadow_capture_t c;
    gw_shadow__capture_init(&c, 100);
    gw_shadow__capture_head(&c, 200, NULL, 0, SIZE_MAX);
    gw_shadow__capture_normalise(&c, 0, tokens, 0); /* no versioning: nothing added */
    assert_int_equal(c.num_headers, 0);
    gw_shadow__capture_normalise(&c, 0, tokens, 1);
    assert_int_equal(c.num_headers, 1);
    assert_string_equal(get(&c, "vary"), "Accept");
    gw_shadow__capture_dispose(&c);
}

static void test_normalise_primary(void **state)
{
    gw_shadow_capture_t c;
    gw_shadow__capture_init(&c, 100);
    hlist_t l = {0};
    add(&l, "content-type", "application/json");
    add(&l, "api-version", "v1");
    add(&l, "vary", "Accept, Api-Version");
    add(&l, "x-request-id", "abc");
    gw_shadow__capture_head(&c, 200, l.headers, l.n, SIZE_MAX);
    const char *tokens[] = {"Accept"};
    gw_shadow__capture_normalise(&c, 1, tokens, 1);
    assert_int_equal(c.num_headers, 2);
    assert_string_equal(get(&c, "vary"), "Accept, Api-Version");
    assert_null(get(&c, "api-version"));
    assert_null(get(&c, "x-request-id"));
    gw_shadow__capture_dispose(&c);

    gw_shadow__capture_init(&c, 100); /* no head: nothing to do */
    gw_shadow__capture_normalise(&c, 0, tokens, 1);
    assert_int_equal(c.num_headers, 0);
}

static void test_headers_copy_and_job(void **state)
{
    hlist_t l = {0};
    add(&l, "accept", "*/*");
    add(&l, "x-request-id", "r1");
    gw_shadow_job_t *job = calloc(1, sizeof(*job));
    gw_shadow__headers_copy(l.headers, l.n, &job->req_headers, &job->req_hbuf);
    job->num_req_headers = l.n;
    assert_string_equal(job->req_headers[1].value, "r1");
    assert_int_equal(job->req_headers[1].value_len, 2);
    for (int s = 0; s != GW_SHADOW_SIDES; ++s)
        gw_shadow__capture_init(&job->side[s], 64);
    gw_shadow__capture_body(&job->side[0], "abc", 3);
    assert_true(gw_shadow__job_bytes(job) > sizeof(*job) + 3);
    gw_shadow__job_free(job);
    gw_shadow__job_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_within_limit),
        cmocka_unit_test(test_content_length_over_limit),
        cmocka_unit_test(test_growth_is_bounded),
        cmocka_unit_test(test_normalise_upstream),
        cmocka_unit_test(test_vary_merge),
        cmocka_unit_test(test_normalise_primary),
        cmocka_unit_test(test_headers_copy_and_job),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
