/* Tests for gateway/version.c: canonical version names and Accept negotiation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "version.h"

#define VENDOR "application/vnd.acme+json"

static void test_canonical_forms(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"v1", "1"},
        {"1", "1"},
        {"1.0", "1"},
        {"V1", "1"},
        {"V1.0.0", "1"},
        {"v1.00", "1"},
        {"v1.1", "1.1"},
        {"1.10", "1.10"},
        {"1.0.1", "1.0.1"},
        {"v2.0.10", "2.0.10"},
        {"10", "10"},
        {"0", "0"},
        {"0.0", "0"},
        {"v0", "0"},
        {"2024-06-01", "2024-06-01"},
        {"beta", "beta"},
        {"BETA_2", "beta_2"},
        {"v", "v"},
        {"va", "va"},
        {"version2", "version2"},
        {"V2a", "2a"},
        {"vv1", "vv1"},
        {"1.0.", "1.0."},
        {".0", ".0"},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char out[GW_VERSION_NAME_MAX];
        int n = gw_version_canonical(cases[i].in, strlen(cases[i].in), out, sizeof(out));
        if (n < 0)
            fail_msg("'%s' rejected", cases[i].in);
        assert_string_equal(out, cases[i].out);
        assert_int_equal(n, strlen(cases[i].out));
    }
}

static void test_canonical_rejects(void **state)
{
    static const char *bad[] = {"",    "1 0",         " 1",  "1\t",   "v1/",
                                "1;2", "caf\xc3\xa9", "1,2", "\"1\"", "1+2"};
    char out[GW_VERSION_NAME_MAX];
    for (size_t i = 0; i != sizeof(bad) / sizeof(bad[0]); ++i)
        if (gw_version_canonical(bad[i], strlen(bad[i]), out, sizeof(out)) != -1)
            fail_msg("'%s' accepted", bad[i]);
    /* NUL inside the given length is not a version character */
    assert_int_equal(gw_version_canonical("1\0", 2, out, sizeof(out)), -1);

    char longest[GW_VERSION_NAME_MAX];
    memset(longest, 'a', sizeof(longest));
    assert_int_equal(gw_version_canonical(longest, GW_VERSION_NAME_MAX - 1, out, sizeof(out)),
                     GW_VERSION_NAME_MAX - 1);
    assert_int_equal(gw_version_canonical(longest, GW_VERSION_NAME_MAX, out, sizeof(out)), -1);

    /* the output buffer bounds the result, including the NUL */
    assert_int_equal(gw_version_canonical("abc", 3, out, 3), -1);
    assert_int_equal(gw_version_canonical("abc", 3, out, 4), 3);
    assert_int_equal(gw_version_canonical("v12", 3, out, 3), 2); /* "12" */
    assert_int_equal(gw_version_canonical("1", 1, out, 0), -1);
    /* only `len` bytes are read */
    assert_int_equal(gw_version_canonical("v2 trailing", 2, out, sizeof(out)), 1);
    assert_string_equal(out, "2");
}

static gw_version_t versions[] = {
    {.name = "v1", .canonical = "1"},
    {.name = "v2", .canonical = "2"},
    {.name = "2024-06-01", .canonical = "2024-06-01"},
};
static const gw_api_t api = {.name = "pets", .versions = versions, .num_versions = 3};

static void test_find(void **state)
{
    static const struct {
        const char *in;
        int index; /* -1: not found */
    } cases[] = {
        {"v1", 0}, {"1", 0},    {"1.0", 0},        {"V1.0.0", 0},       {"v2", 1},
        {"2", 1},  {"2.0", 1},  {"2024-06-01", 2}, {"2024-06-01.0", 2}, {"v3", -1},
        {"", -1},  {"v1 ", -1}, {"1.1", -1},       {"11", -1},          {"v", -1},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        const gw_version_t *v = gw_version_find(&api, cases[i].in, strlen(cases[i].in));
        if (cases[i].index < 0 ? v != NULL : v != versions + cases[i].index)
            fail_msg("'%s' found %s", cases[i].in, v != NULL ? v->name : "nothing");
    }
}

static void test_list(void **state)
{
    char buf[64];
    assert_int_equal(gw_version_list(&api, buf, sizeof(buf)), strlen("v1, v2, 2024-06-01"));
    assert_string_equal(buf, "v1, v2, 2024-06-01");
    /* cut, but always terminated */
    size_t n = gw_version_list(&api, buf, 6);
    assert_int_equal(n, strlen(buf));
    assert_true(n < 6);
    assert_int_equal(gw_version_list(&api, buf, 0), 0);
    gw_api_t empty = {.name = "none"};
    assert_int_equal(gw_version_list(&empty, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
}

/* --- Accept --- */

/* Returns the selected version ("" for no preference, "!" for malformed). */
static const char *accept(const char *header)
{
    static char out[GW_VERSION_NAME_MAX + 1];
    const char *value = NULL;
    size_t len = 0;
    switch (gw_accept_version(header, header != NULL ? strlen(header) : 0, VENDOR, &value, &len)) {
    case GW_ACCEPT_NO_PREFERENCE:
        return "";
    case GW_ACCEPT_MALFORMED:
        return "!";
    case GW_ACCEPT_UNAVAILABLE: /* only gw_accept_negotiate knows what is available */
        break;
    case GW_ACCEPT_VERSION:
        assert_true(value >= header && value + len <= header + strlen(header));
        assert_true(len < sizeof(out));
        memcpy(out, value, len);
        out[len] = '\0';
        return out;
    }
    fail();
    return NULL;
}

static void check(const char *header, const char *expected)
{
    const char *got = accept(header);
    if (strcmp(got, expected) != 0)
        fail_msg("Accept: %s\n  expected '%s', got '%s'", header, expected, got);
}

static void test_accept_no_preference(void **state)
{
    check(NULL, "");
    check("", "");
    check("   ", "");
    check(",", "");
    check("*/*", "");
    check("application/json", "");
    check("application/*", "");
    check("application/json, */*;q=0.1", "");
    check(VENDOR, ""); /* the vendor type without a version */
    check(VENDOR "; charset=utf-8", "");
    check("application/json;version=5", ""); /* version of another type */
    check("application/vnd.acme+xml;version=1", "");
    check("application/vnd.acme+jsonx;version=1", "");
    check("application/vnd.acme;version=1", "");
    check("text/vnd.acme+json;version=1", "");
    const char *v;
    size_t len;
    assert_int_equal(
        gw_accept_version(VENDOR ";version=1", strlen(VENDOR ";version=1"), NULL, &v, &len),
        GW_ACCEPT_NO_PREFERENCE);
}

static void test_accept_parameters(void **state)
{
    check(VENDOR "; version=1", "1");
    check(VENDOR ";version=1", "1");
    check(VENDOR ";version=v1", "v1");
    check(VENDOR ";version=1.0", "1.0");
    check(VENDOR ";version=2024-06-01", "2024-06-01");
    check(VENDOR "; charset=utf-8; version=2", "2");
    check(VENDOR "; version=2; charset=utf-8", "2");
    check(VENDOR "; version=2; q=0.9; ext=1", "2");
    check(VENDOR ";q=0.9;version=2", "2");
    check(VENDOR ";;version=1;", "1"); /* empty parameters are allowed */
    check(VENDOR "; ; version=1 ;", "1");
    check(VENDOR ";other=\"x;y,z\";version=1", "1");
}

static void test_accept_quoted(void **state)
{
    check(VENDOR "; version=\"2\"", "2");
    check(VENDOR "; version=\"v2.0\"", "v2.0");
    check(VENDOR "; version=\"\"", "!");     /* empty version */
    check(VENDOR "; version=\"a b\"", "!");  /* not a version name */
    check(VENDOR "; version=\"1\\2\"", "!"); /* quoted-pair never forms a valid version */
    check(VENDOR "; version=\"1", "!");      /* unterminated */
    check(VENDOR "; version=\"1\"x", "!");   /* junk after the closing quote */
    check("text/plain; x=\"a,b\", " VENDOR "; version=3", "3"); /* comma inside quotes */
    check("text/plain; x=\"a\\\"b,c\", " VENDOR "; version=3", "3");
}

static void test_accept_case(void **state)
{
    check("APPLICATION/VND.ACME+JSON; VERSION=v2", "v2");
    check("Application/Vnd.Acme+Json; Version=V1.0", "V1.0");
    check(VENDOR "; Version=1; Q=0.5, " VENDOR "; vErSiOn=2; Q=0.6", "2");
}

static void test_accept_whitespace(void **state)
{
    check("  " VENDOR " \t ;\t version=1 \t , */*  ", "1");
    check("\t" VENDOR ";version=1\t", "1");
    check(VENDOR " ;version=1", "1");
    check(", ," VENDOR ";version=1,,", "1"); /* empty list elements (RFC 9110 §5.6.1.2) */
    check("*/*,\t" VENDOR ";version=2", "2");
    /* no whitespace around '=' (RFC 9110 §5.6.6) */
    check(VENDOR "; version =1", "!");
    check(VENDOR "; version= 1", "!");
    check(VENDOR "; q =0.5;version=1", "!");
}

static void test_accept_qvalues(void **state)
{
    check(VENDOR ";version=1;q=0.5, " VENDOR ";version=2", "2");
    check(VENDOR ";version=1, " VENDOR ";version=2;q=0.5", "1");
    check(VENDOR ";version=1;q=0.8, " VENDOR ";version=2;q=0.8", "1"); /* tie: the first */
    check(VENDOR ";version=1;q=0.8, " VENDOR ";version=2;q=0.801", "2");
    check(VENDOR ";version=1;q=0.001", "1");
    check(VENDOR ";version=1;q=1", "1");
    check(VENDOR ";version=1;q=1.", "1");
    check(VENDOR ";version=1;q=1.000", "1");
    check(VENDOR ";version=1;q=0.", ""); /* "0." is zero */
    check(VENDOR ";version=1;q=0", "");  /* q=0 refuses */
    check(VENDOR ";version=1;q=0.000, */*", "");
    check(VENDOR ";version=1;q=0, " VENDOR ";version=2;q=0.1", "2");
    /* the versionless vendor range expresses no version preference */
    check(VENDOR ";q=1, " VENDOR ";version=1;q=0.5", "1");
    /* non-vendor ranges with higher q do not matter */
    check("text/html, application/xhtml+xml, application/xml;q=0.9, " VENDOR
          ";version=3;q=0.95, */*;q=0.8",
          "3");
    static const char *bad_q[] = {"2",  "1.5",  "1.001", "0.1234",  ".5",     "",
                                  "-1", "0.5x", "x",     "\"0.5\"", "1.0000", "01"};
    for (size_t i = 0; i != sizeof(bad_q) / sizeof(bad_q[0]); ++i) {
        char header[128];
        snprintf(header, sizeof(header), VENDOR ";version=1;q=%s", bad_q[i]);
        check(header, "!");
        /* the same on another type is ignored */
        snprintf(header, sizeof(header), "text/plain;q=%s, " VENDOR ";version=2", bad_q[i]);
        check(header, "2");
    }
    check(VENDOR ";version=1;q=0.5;q=0.6", "!"); /* repeated q */
}

static void test_accept_malformed(void **state)
{
    check(VENDOR "; version=", "!");
    check(VENDOR "; version", "!");
    check(VENDOR "; =1", "!");
    check(VENDOR "; version=1; version=2", "!");
    check(VENDOR "; version=1; version=1", "!");
    check(VENDOR "; version=1 2", "!");
    check(VENDOR "; version=a@b", "!");
    check(VENDOR "; version=1/2", "!");
    check(VENDOR " version=1", "!");
    check(VENDOR "/extra;version=1", "!");
    check(VENDOR ";version=1 garbage", "!");
    check("*/*, " VENDOR ";version=1;x=\"open", "!");
    /* a malformed vendor range wins even when a valid one came first */
    check(VENDOR ";version=1, " VENDOR ";version=", "!");
    char long_value[200];
    snprintf(long_value, sizeof(long_value), VENDOR ";version=%070d", 1);
    check(long_value, "!");
}

static void test_accept_garbage_elsewhere(void **state)
{
    check("garbage, " VENDOR ";version=2", "2");
    check("text/html;;q=abc, " VENDOR ";version=2", "2");
    check("text/ html, " VENDOR ";version=2", "2");
    check("/json, " VENDOR ";version=2", "2");
    check("text/, " VENDOR ";version=2", "2");
    check("@@@;;;===, " VENDOR ";version=2", "2");
    check("text/plain; x=\"a\" y, " VENDOR ";version=2", "2");
    check("text/plain;version=, " VENDOR ";version=2", "2");
    check("\x01\x02, " VENDOR ";version=2", "2");
    /* an unterminated quote elsewhere swallows the rest of the header */
    check("text/plain; x=\"open, " VENDOR ";version=2", "");
    check("totally broken", "");
}

static void test_accept_many_ranges(void **state)
{
    size_t cap = 64 * 1024;
    char *h = malloc(cap);
    size_t len = 0;
    for (int i = 0; i != 2000; ++i)
        len += (size_t)snprintf(h + len, cap - len, "text/t%d;q=0.%d, ", i, i % 10);
    len += (size_t)snprintf(h + len, cap - len, VENDOR ";version=%d;q=0.5, ", 7);
    for (int i = 0; i != 500; ++i)
        len += (size_t)snprintf(h + len, cap - len, VENDOR ";version=%d;q=0.4, ", i);
    snprintf(h + len, cap - len, "*/*");
    check(h, "7");
    free(h);
}

static void test_accept_respects_length(void **state)
{
    const char *h = VENDOR ";version=12";
    const char *v;
    size_t len;
    /* only the first byte of "12" is inside the given length */
    assert_int_equal(gw_accept_version(h, strlen(h) - 1, VENDOR, &v, &len), GW_ACCEPT_VERSION);
    assert_int_equal(len, 1);
    assert_memory_equal(v, "1", 1);
    /* cut inside the media type: no longer the vendor type */
    assert_int_equal(gw_accept_version(h, 10, VENDOR, &v, &len), GW_ACCEPT_NO_PREFERENCE);
    /* cut inside an open quote */
    const char *q = VENDOR ";version=\"1\"";
    assert_int_equal(gw_accept_version(q, strlen(q) - 1, VENDOR, &v, &len), GW_ACCEPT_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_forms),
        cmocka_unit_test(test_canonical_rejects),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_accept_no_preference),
        cmocka_unit_test(test_accept_parameters),
        cmocka_unit_test(test_accept_quoted),
        cmocka_unit_test(test_accept_case),
        cmocka_unit_test(test_accept_whitespace),
        cmocka_unit_test(test_accept_qvalues),
        cmocka_unit_test(test_accept_malformed),
        cmocka_unit_test(test_accept_garbage_elsewhere),
        cmocka_unit_test(test_accept_many_ranges),
        cmocka_unit_test(test_accept_respects_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
