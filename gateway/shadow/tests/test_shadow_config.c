/* Tests for shadow/shadow_config.c: the issue's sample `shadow` entries, defaults, rules, and
 * every validation error with its file:line:col and key path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "config.h"
#include "shadow_config.h"

#define HEAD                                                                                       \
    "listen:\n"                                                                                    \
    "  - address: 127.0.0.1:8080\n"                                                                \
    "apis:\n"                                                                                      \
    "  - name: pets\n"                                                                             \
    "    prefix: /pets\n"                                                                          \
    "    versions:\n"                                                                              \
    "      v0:\n"                                                                                  \
    "      v1: {upstream: \"http://127.0.0.1:9001\"}\n"                                            \
    "      v2: {upstream: \"http://127.0.0.1:9002\"}\n"                                            \
    "    shadow:\n"
/* HEAD is 10 lines: the first shadow line is line 11 */

static int load(const char *yaml, gw_config_t **cfg, spec_error_t *err)
{
    spec_doc_t *doc;
    *cfg = NULL;
    if (spec_doc_parse(&doc, "gw.yaml", yaml, strlen(yaml), NULL, err) != 0)
        fail_msg("YAML syntax error in test input: %u:%u %s", err->line, err->col, err->message);
    int ret = gw_config_from_doc(doc, "/etc/versa", cfg, err);
    spec_doc_destroy(doc);
    return ret;
}

static gw_config_t *load_ok(const char *yaml)
{
    gw_config_t *cfg;
    spec_error_t err;
    if (load(yaml, &cfg, &err) != 0)
        fail_msg("unexpected error %u:%u: %s\n%s", err.line, err.col, err.message, yaml);
    return cfg;
}

/* Loads `yaml`, which must fail at line:col with a message containing `msg`. */
static void expect_error(const char *yaml, unsigned line, unsigned col, const char *msg)
{
    gw_config_t *cfg;
    spec_error_t err;
    if (load(yaml, &cfg, &err) == 0) {
        gw_config_release(cfg);
        fail_msg("expected an error containing '%s'\n%s", msg, yaml);
    }
    if (strstr(err.message, msg) == NULL || err.line != line || err.col != col)
        fail_msg("expected %u:%u '%s', got %u:%u '%s'", line, col, msg, err.line, err.col,
                 err.message);
    assert_string_equal(err.file, "gw.yaml");
}

static void test_issue_sample(void **state)
{
    gw_config_t *cfg = load_ok(
        HEAD "      - version: v1                          # traffic served by v1 ...\n"
             "        candidate: \"http://127.0.0.1:9011\"   # ... is also sent to a new build\n"
             "        secondary: \"http://127.0.0.1:9012\"   # a second copy of the primary\n"
             "        sample: 0.25\n"
             "        methods: [GET, HEAD]\n"
             "        max_inflight: 64\n"
             "        timeout_ms: 2000\n"
             "        headers: {remove: [Authorization, Cookie], set: {X-Shadow: \"1\"}}\n"
             "        ignore: [\"body.meta.generated_at\", \"headers.etag\"]\n"
             "      - version: v1\n"
             "        candidate_version: v2\n");
    const gw_api_t *api = &cfg->apis[0];
    assert_int_equal(api->num_shadows, 2);
    const gw_shadow_conf_t *a = &api->shadows[0], *b = &api->shadows[1];
    assert_ptr_equal(a->version, &api->versions[1]);
    assert_null(a->candidate_version);
    assert_ptr_equal(a->candidate, &a->candidate_url);
    assert_string_equal(a->candidate->host, "127.0.0.1");
    assert_int_equal(a->candidate->port, 9011);
    assert_string_equal(a->label, "http://127.0.0.1:9011");
    assert_true(a->has_secondary);
    assert_int_equal(a->secondary.port, 9012);
    assert_true(a->sample == 0.25);
    assert_int_equal(a->num_methods, 2);
    assert_true(gw_shadow_conf_mirrors_method(a, "GET", 3));
    assert_true(gw_shadow_conf_mirrors_method(a, "HEAD", 4));
    assert_false(gw_shadow_conf_mirrors_method(a, "POST", 4));
    assert_false(gw_shadow_conf_mirrors_method(a, "GE", 2));
    assert_int_equal(a->max_inflight, 64);
    assert_int_equal(a->timeout_ms, 2000);
    assert_int_equal(a->num_remove, 2);
    assert_string_equal(a->remove[0], "authorization");
    assert_string_equal(a->remove[1], "cookie");
    assert_int_equal(a->num_set, 1);
    assert_string_equal(a->set[0].name, "x-shadow");
    assert_string_equal(a->set[0].value, "1");
    assert_int_equal(ct_rules_count(a->rules), 2);
    assert_int_equal(a->pos.line, 11);
    assert_int_equal(a->pos.col, 9);

    assert_ptr_equal(b->candidate_version, &api->versions[2]);
    assert_ptr_equal(b->candidate, &api->versions[2].upstream);
    assert_string_equal(b->label, "v2");
    assert_false(b->has_secondary);
    gw_config_release(cfg);
}

static void test_defaults(void **state)
{
    gw_config_t *cfg =
        load_ok(HEAD "      - {version: v2, candidate: \"http://localhost:9011/base/\"}\n");
    const gw_shadow_conf_t *c = &cfg->apis[0].shadows[0];
    assert_ptr_equal(c->version, &cfg->apis[0].versions[2]);
    assert_string_equal(c->candidate->base_path, "/base");
    assert_true(c->sample == 1.0);
    assert_int_equal(c->num_methods, 2);
    assert_string_equal(c->methods[0], "GET");
    assert_string_equal(c->methods[1], "HEAD");
    assert_int_equal(c->max_inflight, 64);
    assert_int_equal(c->timeout_ms, 2000);
    assert_int_equal(c->max_body, 1024 * 1024);
    assert_int_equal(c->num_remove, 0);
    assert_int_equal(c->num_set, 0);
    assert_int_equal(ct_rules_count(c->rules), 0);
    assert_true(c->report.relative_threshold == 20.0);
    assert_true(c->report.absolute_threshold == 0.03);
    assert_null(c->log.path);
    gw_config_release(cfg);
}

static void test_everything(void **state)
{
    gw_config_t *cfg = load_ok(
        HEAD "      - version: 1\n" /* version names as scalars, canonical match */
             "        candidate: \"https://candidate.internal:8443\"\n"
             "        sample: 1\n"
             "        methods: [GET, POST, PURGE]\n"
             "        max_inflight: 1\n"
             "        timeout_ms: 50\n"
             "        max_body: 16KiB\n"
             "        ignore:\n"
             "          - headers.x-cache-*\n"
             "          - {path: body.session, operation: getPet}\n"
             "        matchers:\n"
             "          - {path: body.price, tolerance: {absolute: 0.01, relative: 0.001}}\n"
             "          - {path: body.weight, tolerance: 0.5}\n"
             "          - {path: body.id, regex: \"[0-9a-f]{8}\", operation: listPets}\n"
             "          - {path: body.token, present: true}\n"
             "        thresholds: {relative: 10, absolute: 1}\n"
             "        log: {file: logs/shadow.log, max_bytes: 1MiB, keep: 0}\n"
             "      - version: v1\n"
             "        candidate: \"http://127.0.0.1:9011\"\n"
             "        log: /var/log/versa/shadow.log\n");
    const gw_shadow_conf_t *c = &cfg->apis[0].shadows[0];
    assert_true(c->candidate->is_tls);
    assert_int_equal(c->candidate->port, 8443);
    assert_int_equal(c->num_methods, 3);
    assert_true(gw_shadow_conf_mirrors_method(c, "PURGE", 5));
    assert_int_equal(c->max_inflight, 1);
    assert_int_equal(c->timeout_ms, 50);
    assert_int_equal(c->max_body, 16 * 1024);
    assert_int_equal(ct_rules_count(c->rules), 6);
    assert_true(c->report.relative_threshold == 10.0);
    assert_true(c->report.absolute_threshold == 1.0);
    assert_string_equal(c->log.path, "/etc/versa/logs/shadow.log");
    assert_int_equal(c->log.max_bytes, 1024 * 1024);
    assert_int_equal(c->log.keep, 0);
    const gw_shadow_conf_t *d = &cfg->apis[0].shadows[1];
    assert_string_equal(d->log.path, "/var/log/versa/shadow.log");
    assert_int_equal(d->log.max_bytes, 64 * 1024 * 1024);
    assert_int_equal(d->log.keep, 3);
    gw_config_release(cfg);
}

#define C "        candidate: \"http://127.0.0.1:9011\"\n"

static void test_errors(void **state)
{
    expect_error(HEAD "      version: v1\n", 11, 7,
                 "apis[0].shadow: expected a sequence of shadow entries, got mapping");
    expect_error(HEAD "      - candidate: \"http://127.0.0.1:9011\"\n", 11, 9,
                 "apis[0].shadow[0]: missing required key 'version'");
    expect_error(HEAD "      - version: v9\n" C, 11, 18,
                 "apis[0].shadow[0].version: unknown version 'v9' (API 'pets' has v0, v1, v2)");
    expect_error(HEAD "      - version: true\n" C, 11, 18, "expected a version name, got boolean");
    expect_error(HEAD "      - version: v1\n", 11, 9,
                 "apis[0].shadow[0]: missing 'candidate' (a URL) or 'candidate_version'");
    expect_error(HEAD "      - version: v1\n" C "        candidate_version: v2\n", 13, 28,
                 "give either 'candidate' (a URL) or 'candidate_version', not both");
    expect_error(HEAD "      - {version: v1, candidat: x}\n", 11, 23,
                 "apis[0].shadow[0]: unknown key 'candidat' (did you mean 'candidate'?)");
    expect_error(HEAD "      - version: v1\n        candidate: \"ftp://x\"\n", 12, 20,
                 "apis[0].shadow[0].candidate: unsupported scheme in 'ftp://x'");
    expect_error(HEAD "      - version: v1\n        candidate: \"http://\"\n", 12, 20,
                 "missing host in 'http://'");
    expect_error(HEAD "      - version: v1\n        candidate_version: v1\n", 12, 28,
                 "the candidate version must differ from 'version' (v1)");
    expect_error(HEAD "      - version: v1\n        candidate_version: v0\n", 12, 28,
                 "version v0 has no upstream to send the candidate requests to");
    expect_error(HEAD "      - version: v1\n        candidate_version: v7\n", 12, 28,
                 "unknown version 'v7'");
    expect_error(HEAD "      - version: v1\n" C "        secondary: 12\n", 13, 20,
                 "apis[0].shadow[0].secondary: expected a string, got integer");
    expect_error(HEAD "      - version: v1\n" C "        sample: 1.5\n", 13, 17,
                 "apis[0].shadow[0].sample: expected a number between 0 and 1, got 1.5");
    expect_error(HEAD "      - version: v1\n" C "        sample: half\n", 13, 17,
                 "expected a number, got string");
    expect_error(HEAD "      - version: v1\n" C "        sample: -0.1\n", 13, 17,
                 "expected a number between 0 and 1, got -0.1");
    expect_error(HEAD "      - version: v1\n" C "        max_inflight: 0\n", 13, 23,
                 "apis[0].shadow[0].max_inflight: expected an integer between 1 and 1000000");
    expect_error(HEAD "      - version: v1\n" C "        timeout_ms: 0\n", 13, 21,
                 "expected an integer between 1 and");
    expect_error(HEAD "      - version: v1\n" C "        max_body: lots\n", 13, 19,
                 "apis[0].shadow[0].max_body: invalid size 'lots'");
    expect_error(HEAD "      - version: v1\n" C "        max_body: 1GiB\n", 13, 19,
                 "at most 256MiB");
    expect_error(HEAD "      - version: v1\n" C "        methods: []\n", 13, 18,
                 "at least one method is required");
    expect_error(HEAD "      - version: v1\n" C "        methods: [GET, get]\n", 13, 24,
                 "apis[0].shadow[0].methods[1]: 'get': methods are case-sensitive (RFC 9110 9.1); "
                 "did you mean 'GET'?");
    expect_error(HEAD "      - version: v1\n" C "        methods: [GET, GET]\n", 13, 24,
                 "duplicate method 'GET'");
    expect_error(HEAD "      - version: v1\n" C "        methods: [\"GE T\"]\n", 13, 19,
                 "'GE T' is not a method name");
    expect_error(HEAD "      - version: v1\n" C "        methods: GET\n", 13, 18,
                 "expected a sequence of methods, got string");
    expect_error(HEAD "      - version: v1\n" C "        headers: {remove: Authorization}\n", 13,
                 27, "apis[0].shadow[0].headers.remove: expected a sequence of header names");
    expect_error(HEAD "      - version: v1\n" C "        headers: {remove: [\"bad header\"]}\n", 13,
                 28, "'bad header' is not a valid header name");
    expect_error(HEAD "      - version: v1\n" C "        headers: {set: {Host: x}}\n", 13, 25,
                 "apis[0].shadow[0].headers.set.Host: 'Host' cannot be set: the gateway writes it");
    expect_error(HEAD "      - version: v1\n" C "        headers: {set: {X-A: [1]}}\n", 13, 30,
                 "expected a header value, got sequence");
    expect_error(HEAD "      - version: v1\n" C "        headers: {set: {X-A: \"a\\nb\"}}\n", 13,
                 30, "header values must not contain control characters");
    expect_error(HEAD "      - version: v1\n" C "        headers: {add: {}}\n", 13, 19,
                 "apis[0].shadow[0].headers: unknown key 'add'");
    expect_error(HEAD "      - version: v1\n" C "        ignore: [\"body.[\"]\n", 13, 18,
                 "apis[0].shadow[0].ignore[0]:");
    expect_error(HEAD "      - version: v1\n" C "        ignore: [{operation: x}]\n", 13, 18,
                 "apis[0].shadow[0].ignore[0]: missing required key 'path'");
    expect_error(HEAD "      - version: v1\n" C "        ignore: [12]\n", 13, 18,
                 "expected a path or a mapping {path, operation}, got integer");
    expect_error(HEAD "      - version: v1\n" C "        matchers: [{path: body.a}]\n", 13, 20,
                 "apis[0].shadow[0].matchers[0]: a matcher needs one of tolerance, regex or "
                 "present");
    expect_error(HEAD "      - version: v1\n" C
                      "        matchers: [{path: body.a, regex: x, present: true}]\n",
                 13, 54,
                 "a matcher has one of tolerance, regex or present (this one also has "
                 "regex)");
    expect_error(HEAD "      - version: v1\n" C
                      "        matchers: [{path: body.a, regex: \"(\"}]\n",
                 13, 42, "apis[0].shadow[0].matchers[0].regex: regex \"(\"");
    expect_error(HEAD "      - version: v1\n" C
                      "        matchers: [{path: body.a, tolerance: {absolute: 0}}]\n",
                 13, 46, "give an absolute and/or a relative tolerance greater than 0");
    expect_error(HEAD "      - version: v1\n" C
                      "        matchers: [{path: body.a, tolerance: -1}]\n",
                 13, 46, "matchers[0].tolerance: expected a finite number >= 0, got -1");
    expect_error(HEAD "      - version: v1\n" C
                      "        matchers: [{path: body.a, present: false}]\n",
                 13, 44, "matchers[0].present: expected true (compare presence only)");
    expect_error(HEAD "      - version: v1\n" C "        thresholds: {relative: 101}\n", 13, 32,
                 "apis[0].shadow[0].thresholds.relative: expected a number between 0 and 100");
    expect_error(HEAD "      - version: v1\n" C "        thresholds: {noise: 1}\n", 13, 22,
                 "unknown key 'noise'");
    expect_error(HEAD "      - version: v1\n" C "        log: {max_bytes: 1MiB}\n", 13, 14,
                 "apis[0].shadow[0].log: missing required key 'file'");
    expect_error(HEAD "      - version: v1\n" C "        log: {file: x.log, max_bytes: 100}\n", 13,
                 39, "apis[0].shadow[0].log.max_bytes: must be at least 4096 bytes");
    expect_error(HEAD "      - version: v1\n" C "        log: {file: x.log, keep: 101}\n", 13, 34,
                 "apis[0].shadow[0].log.keep: expected an integer between 0 and 100");
    expect_error(HEAD "      - version: v1\n" C "      - version: v1\n" C, 13, 9,
                 "apis[0].shadow[1]: version v1 is already shadowed to http://127.0.0.1:9011 "
                 "(line 11)");
}

static void test_json_pointer(void **state)
{
    gw_config_t *cfg;
    spec_error_t err;
    assert_int_equal(
        load(HEAD "      - version: v1\n" C "        headers: {set: {\"a/b\": 1}}\n", &cfg, &err),
        -1);
    assert_string_equal(err.pointer, "/apis/0/shadow/0/headers/set/a~1b");
}

static void test_too_many_entries(void **state)
{
    char *yaml = malloc(64 * 1024), *p = yaml;
    p += sprintf(p, "%s", HEAD);
    for (int i = 0; i <= GW_SHADOW_MAX_ENTRIES; ++i)
        p += sprintf(p, "      - {version: v1, candidate: \"http://127.0.0.1:%d\"}\n", 10000 + i);
    expect_error(yaml, 11, 7, "at most 64 shadow entries per API");
    free(yaml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_sample), cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_everything),   cmocka_unit_test(test_errors),
        cmocka_unit_test(test_json_pointer), cmocka_unit_test(test_too_many_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
