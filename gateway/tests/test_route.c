/* Tests for gateway/route.c: API matching, version selection precedence and every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "route.h"

static const char main_yaml[] = "listen:\n"
                                "  - address: 127.0.0.1:8080\n"
                                "versioning:\n"
                                "  default: v2\n"
                                "  media_type: application/vnd.acme+json\n"
                                "  header: Api-Version\n"
                                "apis:\n"
                                "  - name: pets\n"
                                "    prefix: /pets\n"
                                "    versions:\n"
                                "      v1: {upstream: \"http://127.0.0.1:9001/legacy\"}\n"
                                "      v2: {upstream: \"http://127.0.0.1:9002\"}\n"
                                "  - name: toys\n"
                                "    prefix: /pets/toys\n"
                                "    versions:\n"
                                "      v2: {upstream: \"http://h:3\"}\n"
                                "      v3: {upstream: \"http://h:4\"}\n"
                                "  - name: shops\n"
                                "    prefix: /shops\n"
                                "    versions:\n"
                                "      v1: {upstream: \"http://h:5\"}\n"
                                "      v2: {upstream: \"http://h:6\"}\n"
                                "  - name: dated\n"
                                "    prefix: /dated\n"
                                "    default: 2024-06-01\n"
                                "    versions:\n"
                                "      2024-01-01: {upstream: \"http://h:7\"}\n"
                                "      2024-06-01: {upstream: \"http://h:8\"}\n"
                                "  - name: old\n"
                                "    prefix: /v1/old\n"
                                "    versions:\n"
                                "      v2: {upstream: \"http://h:9\"}\n";

/* A catch-all API next to a specific one. */
static const char catchall_yaml[] = "listen:\n"
                                    "  - address: 127.0.0.1:8080\n"
                                    "apis:\n"
                                    "  - name: root\n"
                                    "    prefix: /\n"
                                    "    versions:\n"
                                    "      v1: {upstream: \"http://h:1\"}\n"
                                    "      v2: {upstream: \"http://h:2\"}\n"
                                    "  - name: pets\n"
                                    "    prefix: /pets\n"
                                    "    versions:\n"
                                    "      v1: {upstream: \"http://h:3\"}\n"
                                    "      v3: {upstream: \"http://h:4\"}\n";

/* Negotiation off: no media type, no header. */
static const char plain_yaml[] = "listen:\n"
                                 "  - address: 127.0.0.1:8080\n"
                                 "apis:\n"
                                 "  - name: pets\n"
                                 "    prefix: /pets\n"
                                 "    versions:\n"
                                 "      v1: {upstream: \"http://h:1\"}\n"
                                 "      v2: {upstream: \"http://h:2\"}\n";

static gw_config_t *main_cfg, *catchall_cfg, *plain_cfg;

static gw_config_t *compile(const char *yaml)
{
    spec_doc_t *doc;
    spec_error_t err;
    gw_config_t *cfg = NULL;
    if (spec_doc_parse(&doc, "route.yaml", yaml, strlen(yaml), NULL, &err) != 0)
        return NULL;
    if (gw_config_from_doc(doc, "/", &cfg, &err) != 0)
        fprintf(stderr, "%u:%u: %s\n", err.line, err.col, err.message);
    spec_doc_destroy(doc);
    return cfg;
}

static int setup(void **state)
{
    main_cfg = compile(main_yaml);
    catchall_cfg = compile(catchall_yaml);
    plain_cfg = compile(plain_yaml);
    return main_cfg != NULL && catchall_cfg != NULL && plain_cfg != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    gw_config_release(main_cfg);
    gw_config_release(catchall_cfg);
    gw_config_release(plain_cfg);
    return 0;
}

typedef struct st_route_case_t {
    const char *path, *accept, *header;
    /* success: api, version, selected_by and the forwarded path */
    const char *api, *version;
    gw_selected_by_t by;
    const char *out_path;
    /* failure (api == NULL): problem kind and a detail substring */
    gw_problem_kind_t problem;
    const char *detail;
} route_case_t;

static const char *by_name(gw_selected_by_t by)
{
    static const char *names[] = {"default", "path", "accept", "header"};
    return names[by];
}

static void run(const gw_config_t *cfg, const route_case_t *cases, size_t n)
{
    for (size_t i = 0; i != n; ++i) {
        const route_case_t *c = cases + i;
        size_t len = strlen(c->path);
        char *scratch = malloc(len + 1); /* exactly what the contract asks for */
        gw_route_t r;
        int rc = gw_route(cfg, c->path, len, c->accept, c->accept ? strlen(c->accept) : 0,
                          c->header, c->header ? strlen(c->header) : 0, scratch, &r);
        if (c->api != NULL) {
            if (rc != 0)
                fail_msg("%s (Accept %s, header %s): unexpected %d '%s'", c->path,
                         c->accept ? c->accept : "-", c->header ? c->header : "-",
                         gw_problem_status(r.problem), r.detail);
            if (strcmp(r.api->name, c->api) != 0 || strcmp(r.version->name, c->version) != 0 ||
                r.selected_by != c->by || r.path_len != strlen(c->out_path) ||
                memcmp(r.path, c->out_path, r.path_len) != 0)
                fail_msg("%s (Accept %s, header %s):\n  expected %s %s by %s -> %s\n  got      %s "
                         "%s by %s -> %.*s",
                         c->path, c->accept ? c->accept : "-", c->header ? c->header : "-", c->api,
                         c->version, by_name(c->by), c->out_path, r.api->name, r.version->name,
                         by_name(r.selected_by), (int)r.path_len, r.path);
            /* the forwarded path lives in the caller's scratch buffer */
            assert_true(r.path >= scratch && r.path + r.path_len <= scratch + len + 1);
        } else {
            if (rc != -1)
                fail_msg("%s: expected problem %d, got %s %s", c->path,
                         gw_problem_status(c->problem), r.api->name, r.version->name);
            if (r.problem != c->problem || strstr(r.detail, c->detail) == NULL)
                fail_msg("%s (Accept %s, header %s):\n  expected %s '%s'\n  got      %s '%s'",
                         c->path, c->accept ? c->accept : "-", c->header ? c->header : "-",
                         gw_problem_type(c->problem), c->detail, gw_problem_type(r.problem),
                         r.detail);
        }
        free(scratch);
    }
}

#define RUN(cfg, cases) run(cfg, cases, sizeof(cases) / sizeof(cases[0]))
#define OK(p, a, h, api, v, by, out)                                                               \
    {                                                                                              \
        p, a, h, api, v, GW_SELECTED_BY_##by, out, 0, NULL                                         \
    }
#define ERR(p, a, h, kind, detail)                                                                 \
    {                                                                                              \
        p, a, h, NULL, NULL, 0, NULL, GW_PROBLEM_##kind, detail                                    \
    }

#define VND "application/vnd.acme+json"

static void test_prefix_matching(void **state)
{
    static const route_case_t cases[] = {
        OK("/pets", NULL, NULL, "pets", "v2", DEFAULT, "/pets"),
        OK("/pets/", NULL, NULL, "pets", "v2", DEFAULT, "/pets/"),
        OK("/pets/7", NULL, NULL, "pets", "v2", DEFAULT, "/pets/7"),
        OK("/pets/7?not-a-query", NULL, NULL, "pets", "v2", DEFAULT, "/pets/7?not-a-query"),
        /* the longest prefix on a segment boundary wins */
        OK("/pets/toys", NULL, NULL, "toys", "v2", DEFAULT, "/pets/toys"),
        OK("/pets/toys/9", NULL, NULL, "toys", "v2", DEFAULT, "/pets/toys/9"),
        OK("/pets/toyshop", NULL, NULL, "pets", "v2", DEFAULT, "/pets/toyshop"),
        OK("/shops/1", NULL, NULL, "shops", "v2", DEFAULT, "/shops/1"),
        ERR("/petshop", NULL, NULL, NO_ROUTE, "no API serves the path /petshop"),
        ERR("/pet", NULL, NULL, NO_ROUTE, "no API serves the path /pet"),
        ERR("/", NULL, NULL, NO_ROUTE, "no API serves the path /"),
        ERR("/PETS/7", NULL, NULL, NO_ROUTE, "/PETS/7"),
        /* the prefix compares decoded, the forwarded path stays as sent */
        OK("/%70ets/7", NULL, NULL, "pets", "v2", DEFAULT, "/%70ets/7"),
        OK("/pets/%252F", NULL, NULL, "pets", "v2", DEFAULT, "/pets/%252F"),
        ERR("/pets%2F7", NULL, NULL, NO_ROUTE, "/pets%2F7"),
        ERR("/pets%2ftoys", NULL, NULL, NO_ROUTE, "/pets%2ftoys"),
        /* a prefix that spells a version-like segment */
        OK("/v1/old/x", NULL, NULL, "old", "v2", DEFAULT, "/v1/old/x"),
        /* a plain number is not a version selector */
        ERR("/1/pets", NULL, NULL, NO_ROUTE, "/1/pets"),
    };
    RUN(main_cfg, cases);
}

static void test_normalised_before_matching(void **state)
{
    static const route_case_t cases[] = {
        /* dot segments can never reach another API through the pets route */
        OK("/pets/../shops", NULL, NULL, "shops", "v2", DEFAULT, "/shops"),
        OK("/pets/../shops/1", NULL, NULL, "shops", "v2", DEFAULT, "/shops/1"),
        OK("/pets/%2e%2e/shops", NULL, NULL, "shops", "v2", DEFAULT, "/shops"),
        OK("/pets/%2E%2e/shops/1", NULL, NULL, "shops", "v2", DEFAULT, "/shops/1"),
        OK("/pets/.%2e/shops", NULL, NULL, "shops", "v2", DEFAULT, "/shops"),
        OK("/pets/7/../../shops", NULL, NULL, "shops", "v2", DEFAULT, "/shops"),
        OK("/pets/../../../shops", NULL, NULL, "shops", "v2", DEFAULT, "/shops"),
        OK("/v1/pets/../shops/1", NULL, NULL, "shops", "v1", PATH, "/shops/1"),
        OK("/shops/../pets/toys", NULL, NULL, "toys", "v2", DEFAULT, "/pets/toys"),
        ERR("/pets/../etc/passwd", NULL, NULL, NO_ROUTE, "/etc/passwd"),
        /* an encoded slash is data: it stays inside the pets route */
        OK("/pets/..%2fshops", NULL, NULL, "pets", "v2", DEFAULT, "/pets/..%2fshops"),
        OK("/pets/%2e%2e%2Fshops", NULL, NULL, "pets", "v2", DEFAULT, "/pets/%2e%2e%2Fshops"),
        OK("//pets//7", NULL, NULL, "pets", "v2", DEFAULT, "/pets/7"),
        OK("/pets/./7/.", NULL, NULL, "pets", "v2", DEFAULT, "/pets/7/"),
        /* malformed paths */
        ERR("pets", NULL, NULL, BAD_REQUEST, "malformed request path"),
        ERR("", NULL, NULL, BAD_REQUEST, "malformed request path"),
        ERR("/pets/a%00", NULL, NULL, BAD_REQUEST, "malformed request path"),
        ERR("/pets/%zz", NULL, NULL, BAD_REQUEST, "malformed request path"),
        ERR("/pets/a%2", NULL, NULL, BAD_REQUEST, "malformed request path"),
        ERR("/pets/a b", NULL, NULL, BAD_REQUEST, "malformed request path"),
        ERR("/pets/a\r\nHost: evil", NULL, NULL, BAD_REQUEST, "malformed request path"),
    };
    RUN(main_cfg, cases);
}

static void test_path_version(void **state)
{
    static const route_case_t cases[] = {
        OK("/v1/pets/7", NULL, NULL, "pets", "v1", PATH, "/pets/7"),
        OK("/v1/pets", NULL, NULL, "pets", "v1", PATH, "/pets"),
        OK("/v1/pets/", NULL, NULL, "pets", "v1", PATH, "/pets/"),
        OK("/V1/pets/7", NULL, NULL, "pets", "v1", PATH, "/pets/7"),
        OK("/v1.0/pets/7", NULL, NULL, "pets", "v1", PATH, "/pets/7"),
        OK("/v2/pets/7", NULL, NULL, "pets", "v2", PATH, "/pets/7"),
        OK("/%761/pets", NULL, NULL, "pets", "v1", PATH, "/pets"),
        OK("/v1/%70ets", NULL, NULL, "pets", "v1", PATH, "/%70ets"),
        OK("//v1//pets//7", NULL, NULL, "pets", "v1", PATH, "/pets/7"),
        OK("/v3/pets/toys/1", NULL, NULL, "toys", "v3", PATH, "/pets/toys/1"),
        OK("/v2/pets/toys", NULL, NULL, "toys", "v2", PATH, "/pets/toys"),
        OK("/v1/shops", NULL, NULL, "shops", "v1", PATH, "/shops"),
        OK("/2024-01-01/dated/x", NULL, NULL, "dated", "2024-01-01", PATH, "/dated/x"),
        OK("/2024-06-01/dated", NULL, NULL, "dated", "2024-06-01", PATH, "/dated"),
        OK("/dated/x", NULL, NULL, "dated", "2024-06-01", DEFAULT, "/dated/x"),
        /* unknown versions of the API the rest of the path matches */
        ERR("/v9/pets/7", NULL, NULL, UNKNOWN_VERSION,
            "version v9 is not served by API pets; known: v1, v2"),
        ERR("/v3/pets/1", NULL, NULL, UNKNOWN_VERSION,
            "version v3 is not served by API pets; known: v1, v2"),
        ERR("/v1/pets/toys", NULL, NULL, UNKNOWN_VERSION,
            "version v1 is not served by API toys; known: v2, v3"),
        ERR("/v1.1/pets", NULL, NULL, UNKNOWN_VERSION, "version v1.1 is not served by API pets"),
        ERR("/V9/pets", NULL, NULL, UNKNOWN_VERSION, "version V9 is not served by API pets"),
        ERR("/v1/dated", NULL, NULL, UNKNOWN_VERSION,
            "version v1 is not served by API dated; known: 2024-01-01, 2024-06-01"),
        ERR("/2024-01-01/pets", NULL, NULL, UNKNOWN_VERSION,
            "version 2024-01-01 is not served by API pets"),
        /* version-like, but nothing matches the rest */
        ERR("/v1", NULL, NULL, NO_ROUTE, "no API serves the path /v1"),
        ERR("/v9/nothing", NULL, NULL, NO_ROUTE, "/v9/nothing"),
        /* not version-like: ordinary segments */
        ERR("/version1/pets", NULL, NULL, NO_ROUTE, "/version1/pets"),
        ERR("/v/pets", NULL, NULL, NO_ROUTE, "/v/pets"),
        ERR("/v1./pets", NULL, NULL, NO_ROUTE, "/v1./pets"),
        ERR("/va/pets", NULL, NULL, NO_ROUTE, "/va/pets"),
    };
    RUN(main_cfg, cases);
}

static void test_accept_selection(void **state)
{
    static const route_case_t cases[] = {
        OK("/pets/7", VND "; version=1", NULL, "pets", "v1", ACCEPT, "/pets/7"),
        OK("/pets/7", VND ";version=v1", NULL, "pets", "v1", ACCEPT, "/pets/7"),
        OK("/pets/7", VND ";version=1.0", NULL, "pets", "v1", ACCEPT, "/pets/7"),
        OK("/pets/7", VND ";version=\"2\"", NULL, "pets", "v2", ACCEPT, "/pets/7"),
        OK("/pets/7", "text/html, " VND ";version=1;q=0.9, */*;q=0.1", NULL, "pets", "v1", ACCEPT,
           "/pets/7"),
        OK("/pets/7", VND ";version=1;q=0.5, " VND ";version=2", NULL, "pets", "v2", ACCEPT,
           "/pets/7"),
        /* the best available version wins over a better-ranked unknown one (RFC 9110 §12.5.1) */
        OK("/pets/7", VND ";version=3;q=0.9, " VND ";version=1;q=0.5", NULL, "pets", "v1",
           ACCEPT, "/pets/7"),
        ERR("/pets/7", VND ";version=3;q=0.9, " VND ";version=4;q=0.5", NULL, NOT_ACCEPTABLE,
            "version 3 requested in Accept is not served by API pets; known: v1, v2"),
        /* no preference: the default */
        OK("/pets/7", "*/*", NULL, "pets", "v2", DEFAULT, "/pets/7"),
        OK("/pets/7", "application/json", NULL, "pets", "v2", DEFAULT, "/pets/7"),
        OK("/pets/7", VND, NULL, "pets", "v2", DEFAULT, "/pets/7"),
        OK("/pets/7", "", NULL, "pets", "v2", DEFAULT, "/pets/7"),
        OK("/pets/7", VND ";version=1;q=0", NULL, "pets", "v2", DEFAULT, "/pets/7"),
        OK("/dated", VND ";version=2024-01-01", NULL, "dated", "2024-01-01", ACCEPT, "/dated"),
        /* Accept agrees with the path */
        OK("/v1/pets/7", VND ";version=1", NULL, "pets", "v1", PATH, "/pets/7"),
        /* unknown or malformed */
        ERR("/pets/7", VND ";version=9", NULL, NOT_ACCEPTABLE,
            "version 9 requested in Accept is not served by API pets; known: v1, v2"),
        ERR("/pets/toys", VND ";version=v1", NULL, NOT_ACCEPTABLE,
            "version v1 requested in Accept is not served by API toys; known: v2, v3"),
        ERR("/pets/7", VND ";version=", NULL, BAD_REQUEST,
            "malformed Accept header for application/vnd.acme+json"),
        ERR("/pets/7", VND ";version=1;q=2", NULL, BAD_REQUEST, "malformed Accept header"),
        ERR("/v1/pets/7", VND ";version=9", NULL, NOT_ACCEPTABLE, "version 9 requested"),
        /* the path's unknown version is reported first */
        ERR("/v9/pets/7", VND ";version=2", NULL, UNKNOWN_VERSION, "version v9"),
        /* disagreement */
        ERR("/v1/pets/7", VND ";version=2", NULL, VERSION_CONFLICT,
            "the path selects v1 but Accept selects v2"),
    };
    RUN(main_cfg, cases);
}

static void test_header_selection(void **state)
{
    static const route_case_t cases[] = {
        OK("/pets/7", NULL, "1", "pets", "v1", HEADER, "/pets/7"),
        OK("/pets/7", NULL, "v1", "pets", "v1", HEADER, "/pets/7"),
        OK("/pets/7", NULL, " \tv1.0 ", "pets", "v1", HEADER, "/pets/7"),
        OK("/pets/7", NULL, "2", "pets", "v2", HEADER, "/pets/7"),
        OK("/v1/pets/7", NULL, "1", "pets", "v1", PATH, "/pets/7"),
        OK("/pets/7", VND ";version=1", "v1", "pets", "v1", ACCEPT, "/pets/7"),
        OK("/v1/pets/7", VND ";version=1", "1.0", "pets", "v1", PATH, "/pets/7"),
        OK("/pets/7", "*/*", "1", "pets", "v1", HEADER, "/pets/7"),
        ERR("/pets/7", NULL, "9", BAD_VERSION_HEADER,
            "version 9 in the Api-Version header is not served by API pets; known: v1, v2"),
        ERR("/pets/7", NULL, "", BAD_VERSION_HEADER, "the Api-Version header is empty"),
        ERR("/pets/7", NULL, "  ", BAD_VERSION_HEADER, "the Api-Version header is empty"),
        ERR("/pets/7", NULL, "a b", BAD_VERSION_HEADER, "version a b in the Api-Version header"),
        ERR("/pets/7", NULL, "1, 2", BAD_VERSION_HEADER, "version 1, 2 in the Api-Version"),
        /* Accept problems are reported before header problems */
        ERR("/pets/7", VND ";version=9", "9", NOT_ACCEPTABLE, "requested in Accept"),
        /* disagreements */
        ERR("/pets/7", VND ";version=1", "2", VERSION_CONFLICT,
            "Accept selects v1 but Api-Version selects v2"),
        ERR("/v2/pets/7", NULL, "1", VERSION_CONFLICT,
            "the path selects v2 but Api-Version selects v1"),
        ERR("/v1/pets/7", VND ";version=1", "2", VERSION_CONFLICT,
            "the path selects v1 but Api-Version selects v2"),
    };
    RUN(main_cfg, cases);
}

static void test_catch_all(void **state)
{
    static const route_case_t cases[] = {
        OK("/", NULL, NULL, "root", "v2", DEFAULT, "/"),
        OK("/anything/else", NULL, NULL, "root", "v2", DEFAULT, "/anything/else"),
        OK("/v1/anything", NULL, NULL, "root", "v1", PATH, "/anything"),
        OK("/v1", NULL, NULL, "root", "v1", PATH, "/"),
        OK("/v1/", NULL, NULL, "root", "v1", PATH, "/"),
        OK("/pets/7", NULL, NULL, "pets", "v3", DEFAULT, "/pets/7"),
        OK("/v3/pets/7", NULL, NULL, "pets", "v3", PATH, "/pets/7"),
        OK("/v1/pets/7", NULL, NULL, "pets", "v1", PATH, "/pets/7"),
        OK("/1/pets", NULL, NULL, "root", "v2", DEFAULT, "/1/pets"),
        /* the catch-all does not hide an unknown version of a more specific API */
        ERR("/v2/pets/7", NULL, NULL, UNKNOWN_VERSION,
            "version v2 is not served by API pets; known: v1, v3"),
        ERR("/v9/anything", NULL, NULL, UNKNOWN_VERSION, "version v9 is not served by API root"),
        /* negotiation is off in this config: Accept and the header are ignored */
        OK("/pets/7", VND ";version=1", "1", "pets", "v3", DEFAULT, "/pets/7"),
    };
    RUN(catchall_cfg, cases);
}

static void test_negotiation_off(void **state)
{
    static const route_case_t cases[] = {
        OK("/pets/7", VND ";version=1", NULL, "pets", "v2", DEFAULT, "/pets/7"),
        OK("/pets/7", VND ";version=", NULL, "pets", "v2", DEFAULT, "/pets/7"),
        OK("/pets/7", NULL, "nonsense", "pets", "v2", DEFAULT, "/pets/7"),
        OK("/v1/pets/7", NULL, NULL, "pets", "v1", PATH, "/pets/7"),
    };
    RUN(plain_cfg, cases);
}

static void test_details_are_bounded(void **state)
{
    /* client-controlled text is echoed only in part */
    char path[1024] = "/v";
    memset(path + 2, '1', 600);
    strcpy(path + 602, "/pets");
    gw_route_t r;
    char *scratch = malloc(strlen(path) + 1);
    assert_int_equal(gw_route(main_cfg, path, strlen(path), NULL, 0, NULL, 0, scratch, &r), -1);
    assert_true(strlen(r.detail) < sizeof(r.detail));
    free(scratch);

    char hdr[512];
    memset(hdr, '9', sizeof(hdr) - 1);
    hdr[sizeof(hdr) - 1] = '\0';
    scratch = malloc(8);
    assert_int_equal(gw_route(main_cfg, "/pets/7", 7, NULL, 0, hdr, strlen(hdr), scratch, &r), -1);
    assert_int_equal(r.problem, GW_PROBLEM_BAD_VERSION_HEADER);
    assert_non_null(strstr(r.detail, "known: v1, v2"));
    free(scratch);

    char longpath[2048] = "/nowhere/";
    memset(longpath + 9, 'x', 1500);
    longpath[1509] = '\0';
    scratch = malloc(strlen(longpath) + 1);
    assert_int_equal(gw_route(main_cfg, longpath, strlen(longpath), NULL, 0, NULL, 0, scratch, &r),
                     -1);
    assert_int_equal(r.problem, GW_PROBLEM_NO_ROUTE);
    assert_true(strlen(r.detail) < sizeof(r.detail));
    free(scratch);
}

static void test_lengths_are_respected(void **state)
{
    /* none of the inputs needs to be NUL-terminated */
    const char *path = "/v1/pets/7XXXX", *accept = VND ";version=2XXX", *hdr = "2XXX";
    char scratch[16];
    gw_route_t r;
    assert_int_equal(
        gw_route(main_cfg, path, 10, accept, strlen(VND ";version=2"), NULL, 0, scratch, &r), -1);
    assert_int_equal(r.problem, GW_PROBLEM_VERSION_CONFLICT);
    assert_int_equal(gw_route(main_cfg, path, 10, NULL, 0, hdr, 1, scratch, &r), -1);
    assert_int_equal(r.problem, GW_PROBLEM_VERSION_CONFLICT);
    assert_int_equal(gw_route(main_cfg, path, 10, NULL, 0, NULL, 0, scratch, &r), 0);
    assert_int_equal(r.path_len, 7);
    assert_memory_equal(r.path, "/pets/7", 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_matching),
        cmocka_unit_test(test_normalised_before_matching),
        cmocka_unit_test(test_path_version),
        cmocka_unit_test(test_accept_selection),
        cmocka_unit_test(test_header_selection),
        cmocka_unit_test(test_catch_all),
        cmocka_unit_test(test_negotiation_off),
        cmocka_unit_test(test_details_are_bounded),
        cmocka_unit_test(test_lengths_are_respected),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
