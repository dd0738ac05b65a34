/* Tests for gateway/config.c: the sample config, defaults, the top-level keys, loading
 * from files (errors, relative paths) and reference counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "config_fixture.h"

/* --- the sample config from issue 2, loaded from a file as written --- */

static const char sample[] =
    "listen:\n"
    "  - address: 127.0.0.1:8080            # HTTP/1.1, and HTTP/2 with prior knowledge (h2c)\n"
    "  - address: 127.0.0.1:8443            # TLS, ALPN h2 and http/1.1\n"
    "    tls: {certificate: certs/server.crt, key: certs/server.key}\n"
    "admin:\n"
    "  address: 127.0.0.1:9901              # GET /healthz, /readyz, /metrics\n"
    "threads: 2                             # default: one per core\n"
    "access_log: stdout                     # stdout | stderr | a file path | off\n"
    "versioning:\n"
    "  default: v2\n"
    "  media_type: application/vnd.acme+json   # Accept: application/vnd.acme+json; version=1\n"
    "  header: Api-Version                      # Api-Version: 1\n"
    "apis:\n"
    "  - name: pets\n"
    "    prefix: /pets                          # the version-less path prefix this API owns\n"
    "    versions:\n"
    "      v1: {upstream: \"http://127.0.0.1:9001/legacy\"}   # the URL's path is prepended "
    "upstream\n"
    "      v2: {upstream: \"http://127.0.0.1:9002\"}\n"
    "    timeouts: {connect_ms: 1000, response_ms: 15000}\n";

static void test_sample_config(void **state)
{
    write_file("versa.yaml", sample);
    gw_config_t *cfg;
    spec_error_t err;
    if (gw_config_load(tmp_path("versa.yaml"), &cfg, &err) != 0)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.message);

    char *real = realpath(tmp_path("versa.yaml"), NULL);
    assert_string_equal(cfg->file, real);
    free(real);
    assert_string_equal(cfg->doc_file, tmp_path("versa.yaml"));
    assert_int_equal(cfg->refcnt, 1);

    assert_int_equal(cfg->num_listen, 2);
    assert_string_equal(cfg->listen[0].address, "127.0.0.1:8080");
    assert_string_equal(cfg->listen[0].host, "127.0.0.1");
    assert_int_equal(cfg->listen[0].port, 8080);
    assert_null(cfg->listen[0].tls_certificate);
    assert_null(cfg->listen[0].tls_key);
    assert_string_equal(cfg->listen[1].address, "127.0.0.1:8443");
    assert_int_equal(cfg->listen[1].port, 8443);
    assert_string_equal(cfg->listen[1].tls_certificate, tmp_path("certs/server.crt"));
    assert_string_equal(cfg->listen[1].tls_key, tmp_path("certs/server.key"));

    assert_string_equal(cfg->admin.address, "127.0.0.1:9901");
    assert_string_equal(cfg->admin.host, "127.0.0.1");
    assert_int_equal(cfg->admin.port, 9901);
    assert_int_equal(cfg->threads, 2);
    assert_int_equal(cfg->access_log.target, GW_LOG_STDOUT);
    assert_null(cfg->access_log.path);

    assert_string_equal(cfg->versioning.default_version, "v2");
    assert_string_equal(cfg->versioning.media_type, "application/vnd.acme+json");
    assert_string_equal(cfg->versioning.header, "Api-Version");
    assert_string_equal(cfg->versioning.header_lower, "api-version");

    assert_int_equal(cfg->num_apis, 1);
    const gw_api_t *api = cfg->apis;
    assert_string_equal(api->name, "pets");
    assert_string_equal(api->prefix, "/pets");
    assert_int_equal(api->prefix_len, 5);
    assert_int_equal(api->num_versions, 2);
    assert_int_equal(api->connect_timeout_ms, 1000);
    assert_int_equal(api->response_timeout_ms, 15000);
    assert_null(api->adapters_path);
    assert_ptr_equal(api->default_version, api->versions + 1);

    const gw_version_t *v1 = api->versions, *v2 = api->versions + 1;
    assert_string_equal(v1->name, "v1");
    assert_string_equal(v1->canonical, "1");
    assert_true(v1->has_upstream);
    assert_string_equal(v1->upstream.url, "http://127.0.0.1:9001/legacy");
    assert_string_equal(v1->upstream.host, "127.0.0.1");
    assert_string_equal(v1->upstream.authority, "127.0.0.1:9001");
    assert_int_equal(v1->upstream.port, 9001);
    assert_false(v1->upstream.is_tls);
    assert_string_equal(v1->upstream.base_path, "/legacy");
    assert_null(v1->spec_path);
    assert_string_equal(v1->pos.file, tmp_path("versa.yaml"));
    assert_ptr_equal(v1->pos.file, cfg->doc_file);
    assert_int_equal(v1->pos.line, 17);
    assert_int_equal(v1->pos.col, 7);
    assert_string_equal(v2->name, "v2");
    assert_string_equal(v2->canonical, "2");
    assert_string_equal(v2->upstream.base_path, "");
    assert_int_equal(v2->upstream.port, 9002);
    assert_int_equal(v2->pos.line, 18);

    assert_int_equal(cfg->limits.max_request_body, 16 * 1024 * 1024);
    assert_int_equal(cfg->limits.max_upstream_conns, 256);
    assert_int_equal(cfg->limits.upstream_keepalive_ms, 10000);
    assert_int_equal(cfg->shutdown_timeout_ms, 10000);
    gw_config_release(cfg);
}


static void test_defaults(void **state)
{
    gw_config_t *cfg = load_ok(MINIMAL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    assert_int_equal(cfg->threads, cpus < 1 ? 1 : cpus > 256 ? 256 : cpus);
    assert_null(cfg->admin.address);
    assert_int_equal(cfg->access_log.target, GW_LOG_STDOUT);
    assert_null(cfg->versioning.default_version);
    assert_null(cfg->versioning.media_type);
    assert_null(cfg->versioning.header);
    assert_null(cfg->versioning.header_lower);
    assert_int_equal(cfg->apis[0].connect_timeout_ms, 1000);
    assert_int_equal(cfg->apis[0].response_timeout_ms, 15000);
    assert_ptr_equal(cfg->apis[0].default_version, cfg->apis[0].versions);
    assert_int_equal(cfg->limits.max_request_body, 16 * 1024 * 1024);
    assert_int_equal(cfg->limits.max_upstream_conns, 256);
    assert_int_equal(cfg->limits.upstream_keepalive_ms, 10000);
    assert_int_equal(cfg->shutdown_timeout_ms, 10000);
    /* relative to the working directory when no base is given */
    assert_string_equal(cfg->doc_file, "gw.yaml");
    assert_true(cfg->file[0] == '/');
    gw_config_release(cfg);
}

static void test_extra_keys(void **state)
{
    gw_config_t *cfg = load_ok(MINIMAL "limits: {max_request_body: 1MiB, max_upstream_connections: "
                                       "8, upstream_keepalive_ms: 0}\n"
                                       "shutdown_timeout_ms: 2500\n"
                                       "threads: 256\n");
    assert_int_equal(cfg->limits.max_request_body, 1024 * 1024);
    assert_int_equal(cfg->limits.max_upstream_conns, 8);
    assert_int_equal(cfg->limits.upstream_keepalive_ms, 0);
    assert_int_equal(cfg->shutdown_timeout_ms, 2500);
    assert_int_equal(cfg->threads, 256);
    gw_config_release(cfg);

    cfg = load_ok(MINIMAL "limits: {max_request_body: 1000}\nshutdown_timeout_ms: 0\nthreads: 1\n");
    assert_int_equal(cfg->limits.max_request_body, 1000);
    assert_int_equal(cfg->limits.max_upstream_conns, 256);
    assert_int_equal(cfg->shutdown_timeout_ms, 0);
    assert_int_equal(cfg->threads, 1);
    gw_config_release(cfg);

    cfg = load_ok(MINIMAL "limits: {max_request_body: 0}\n");
    assert_int_equal(cfg->limits.max_request_body, 0);
    gw_config_release(cfg);
}

static void test_access_log_forms(void **state)
{
    static const struct {
        const char *value;
        gw_log_target_t target;
        const char *path; /* relative to tmpdir, or absolute */
    } cases[] = {
        {"stdout", GW_LOG_STDOUT, NULL},
        {"stderr", GW_LOG_STDERR, NULL},
        {"off", GW_LOG_OFF, NULL},
        {"false", GW_LOG_OFF, NULL},
        {"\"off\"", GW_LOG_OFF, NULL},
        {"logs/access.log", GW_LOG_FILE, "logs/access.log"},
        {"./access.log", GW_LOG_FILE, "access.log"},
        {"/var/log/versa/access.log", GW_LOG_FILE, "/var/log/versa/access.log"},
        {"\"stdout.log\"", GW_LOG_FILE, "stdout.log"},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml), MINIMAL "access_log: %s\n", cases[i].value);
        gw_config_t *cfg = load_ok(yaml);
        assert_int_equal(cfg->access_log.target, cases[i].target);
        if (cases[i].path == NULL)
            assert_null(cfg->access_log.path);
        else
            assert_string_equal(cfg->access_log.path,
                                cases[i].path[0] == '/' ? cases[i].path : tmp_path(cases[i].path));
        gw_config_release(cfg);
    }
}

static void test_errors_top_level(void **state)
{
    static const error_case_t cases[] = {
        {"[]\n", 1, 1, "the configuration must be a mapping, got sequence", ""},
        {"just a string\n", 1, 1, "must be a mapping, got string", ""},
        {APIS, 1, 1, "missing required key 'listen'", ""},
        {LISTEN, 1, 1, "missing required key 'apis'", ""},
        {MINIMAL "listn: []\n", 8, 1, "unknown key 'listn' (did you mean 'listen'?)", ""},
        {MINIMAL "threds: 2\n", 8, 1, "unknown key 'threds' (did you mean 'threads'?)", ""},
        {MINIMAL "acces_log: off\n", 8, 1, "did you mean 'access_log'?", ""},
        {MINIMAL "frobnicate: 1\n", 8, 1, "unknown key 'frobnicate'", ""},
        {MINIMAL "threads: 0\n", 8, 10, "threads: expected an integer between 1 and 256, got 0",
         "/threads"},
        {MINIMAL "threads: 257\n", 8, 10, "threads: expected an integer between 1 and 256",
         "/threads"},
        {MINIMAL "threads: -1\n", 8, 10, "threads: expected an integer between 1 and 256",
         "/threads"},
        {MINIMAL "threads: two\n", 8, 10, "threads: expected an integer, got string", "/threads"},
        {MINIMAL "threads: 2.5\n", 8, 10, "threads: expected an integer, got number", NULL},
        {MINIMAL "threads: \"2\"\n", 8, 10, "threads: expected an integer, got string", NULL},
        {MINIMAL "threads: 99999999999999999999\n", 8, 10, "threads: integer out of range", NULL},
        {MINIMAL "access_log: 5\n", 8, 13,
         "access_log: expected stdout, stderr, off or a file path, got integer", "/access_log"},
        {MINIMAL "access_log: true\n", 8, 13, "access_log: expected stdout", NULL},
        {MINIMAL "access_log: \"\"\n", 8, 13, "access_log: must not be empty", NULL},
        {MINIMAL "access_log: [stdout]\n", 8, 13, "got sequence", NULL},
        {MINIMAL "shutdown_timeout_ms: -5\n", 8, 22,
         "shutdown_timeout_ms: expected an integer "
         "between 0 and 86400000",
         "/shutdown_timeout_ms"},
        {MINIMAL "shutdown_timeout_ms: 10s\n", 8, 22,
         "shutdown_timeout_ms: expected an integer, got string", NULL},
    };
    CHECK_ERRORS(cases);
}

static void test_load_errors(void **state)
{
    gw_config_t *cfg = (gw_config_t *)1;
    spec_error_t err;
    /* unreadable file: the error names it */
    assert_int_equal(gw_config_load(tmp_path("nope.yaml"), &cfg, &err), -1);
    assert_string_equal(err.file, tmp_path("nope.yaml"));
    assert_non_null(strstr(err.message, "No such file or directory"));
    /* syntax errors keep their position */
    write_file("broken.yaml", "listen:\n  - address: [\n");
    assert_int_equal(gw_config_load(tmp_path("broken.yaml"), &cfg, &err), -1);
    assert_string_equal(err.file, tmp_path("broken.yaml"));
    assert_true(err.line >= 2);
    /* semantic errors are reported in the file as named by the caller */
    write_file("broken.yaml", MINIMAL "threads: 0\n");
    assert_int_equal(gw_config_load(tmp_path("broken.yaml"), &cfg, &err), -1);
    assert_string_equal(err.file, tmp_path("broken.yaml"));
    assert_int_equal(err.line, 8);
    char buf[1024];
    spec_error_format(&err, buf, sizeof(buf));
    char want[600];
    snprintf(want, sizeof(want), "%s:8:10: threads: expected an integer between 1 and 256, got 0",
             tmp_path("broken.yaml"));
    assert_string_equal(buf, want);
}

static void test_relative_paths_follow_the_file(void **state)
{
    /* paths are relative to the directory of the config file, not the working directory */
    write_file("sub/conf.yaml", "listen:\n  - address: 127.0.0.1:8443\n"
                                "    tls: {certificate: ../certs/server.crt, key: "
                                "../certs/server.key}\n"
                                "access_log: logs/a.log\n" APIS);
    gw_config_t *cfg;
    spec_error_t err;
    if (gw_config_load(tmp_path("sub/conf.yaml"), &cfg, &err) != 0)
        fail_msg("%u:%u %s", err.line, err.col, err.message);
    char *dir = realpath(tmp_path("sub"), NULL);
    char want[512];
    snprintf(want, sizeof(want), "%s/../certs/server.crt", dir);
    assert_string_equal(cfg->listen[0].tls_certificate, want);
    snprintf(want, sizeof(want), "%s/logs/a.log", dir);
    assert_string_equal(cfg->access_log.path, want);
    free(dir);
    gw_config_release(cfg);

    /* a relative config path */
    char *cwd = getcwd(NULL, 0);
    assert_int_equal(chdir(tmpdir), 0);
    int rc = gw_config_load("sub/conf.yaml", &cfg, &err);
    assert_int_equal(chdir(cwd), 0);
    free(cwd);
    assert_int_equal(rc, 0);
    assert_string_equal(cfg->doc_file, "sub/conf.yaml");
    assert_true(cfg->file[0] == '/');
    gw_config_release(cfg);
}

/* A spec file named by several versions is parsed once and shared (read-only); releasing the
 * config frees it once (ASan: no double free, no leak). */
static void test_specs_named_twice_load_once(void **state)
{
    static const char spec[] = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
                               "paths:\n  /a/{id}:\n    get:\n      operationId: getA\n"
                               "      responses: {'200': {description: ok}}\n";
    write_file("sub/spec.yaml", spec);
    write_file("sub/other.yaml", spec);
    write_file("versa.yaml", LISTEN "apis:\n"
                                    "  - name: a\n    prefix: /a\n    versions:\n"
                                    "      v1: {upstream: \"http://h:1\", spec: sub/spec.yaml}\n"
                                    "      v2: {upstream: \"http://h:1\", spec: sub/spec.yaml}\n"
                                    "  - name: b\n    prefix: /b\n    versions:\n"
                                    "      v1: {upstream: \"http://h:1\", spec: sub/spec.yaml}\n"
                                    "      v2: {upstream: \"http://h:1\", spec: sub/other.yaml}\n");
    gw_config_t *cfg;
    spec_error_t err;
    if (gw_config_load(tmp_path("versa.yaml"), &cfg, &err) != 0)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.message);
    const gw_version_t *a = cfg->apis[0].versions, *b = cfg->apis[1].versions;
    assert_non_null(a[0].spec);
    assert_false(a[0].spec_borrowed);
    assert_ptr_equal(a[1].spec, a[0].spec);
    assert_true(a[1].spec_borrowed);
    assert_ptr_equal(b[0].spec, a[0].spec);
    assert_true(b[0].spec_borrowed);
    assert_non_null(b[1].spec);
    assert_ptr_not_equal(b[1].spec, a[0].spec); /* another file: its own parse */
    assert_false(b[1].spec_borrowed);
    gw_config_release(cfg);
}

static void test_refcount(void **state)
{
    gw_config_t *cfg = load_ok(MINIMAL);
    assert_ptr_equal(gw_config_retain(cfg), cfg);
    assert_int_equal(cfg->refcnt, 2);
    gw_config_release(cfg);
    assert_int_equal(cfg->refcnt, 1);
    gw_config_release(cfg); /* freed: ASan reports any leak or double free */
    assert_null(gw_config_retain(NULL));
    gw_config_release(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_config),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_extra_keys),
        cmocka_unit_test(test_access_log_forms),
        cmocka_unit_test(test_errors_top_level),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_relative_paths_follow_the_file),
        cmocka_unit_test(test_specs_named_twice_load_once),
        cmocka_unit_test(test_refcount),
    };
    return cmocka_run_group_tests(tests, config_setup, config_teardown);
}
