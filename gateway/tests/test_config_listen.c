/* Tests for gateway/config_listen.c: `listen` and `admin`, and TLS material checked at load. */
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

static void test_tls(void **state)
{
    gw_config_t *cfg = load_ok("listen:\n"
                               "  - address: 127.0.0.1:8443\n"
                               "    tls:\n"
                               "      certificate: certs/server.crt\n"
                               "      key: ./certs/server.key\n" APIS);
    assert_string_equal(cfg->listen[0].tls_certificate, tmp_path("certs/server.crt"));
    assert_string_equal(cfg->listen[0].tls_key, tmp_path("certs/server.key"));
    gw_config_release(cfg);

    char yaml[1024];
    snprintf(yaml, sizeof(yaml),
             "listen:\n  - address: 127.0.0.1:8443\n    tls: {certificate: %s, key: %s}\n" APIS,
             tmp_path("certs/server.crt"), tmp_path("certs/server.key"));
    cfg = load_ok(yaml);
    assert_string_equal(cfg->listen[0].tls_certificate, tmp_path("certs/server.crt"));
    gw_config_release(cfg);
}

static void test_errors_listen(void **state)
{
    static const error_case_t cases[] = {
        {"listen: 127.0.0.1:8080\n" APIS, 1, 9,
         "listen: expected a sequence of listeners, got string", "/listen"},
        {"listen: []\n" APIS, 1, 9, "listen: at least one listener is required", "/listen"},
        {"listen:\n  - 127.0.0.1:8080\n" APIS, 2, 5, "listen[0]: expected a mapping, got string",
         "/listen/0"},
        {"listen:\n  - {}\n" APIS, 2, 5, "listen[0]: missing required key 'address'", "/listen/0"},
        {"listen:\n  - adress: 127.0.0.1:80\n" APIS, 2, 5,
         "listen[0]: unknown key 'adress' (did you mean 'address'?)", "/listen/0"},
        {"listen:\n  - address: 8080\n" APIS, 2, 14,
         "listen[0].address: expected a string, got integer", "/listen/0/address"},
        {"listen:\n  - address: 127.0.0.1:8080\n  - address: 127.0.0.1:8080\n" APIS, 3, 14,
         "listen[1].address: duplicate listen address 127.0.0.1:8080 (also listen[0])",
         "/listen/1/address"},
        {"listen:\n  - address: 127.0.0.1:0\n" APIS, 2, 14,
         "listen[0].address: invalid port (expected 1-65535): '127.0.0.1:0'", NULL},
        {"listen:\n  - address: localhost:80\n  - address: LOCALHOST:80\n" APIS, 3, 14,
         "duplicate listen address", NULL},
        {"listen:\n  - address: \"[::1]:80\"\n  - address: \"[0:0::1]:81\"\n"
         "  - address: \"[0:0:0::1]:80\"\n" APIS,
         4, 14, "listen[2].address: duplicate listen address [0:0:0::1]:80 (also listen[0])", NULL},
    };
    CHECK_ERRORS(cases);
}

static void test_errors_tls(void **state)
{
    static const error_case_t cases[] = {
        {"listen:\n  - address: 127.0.0.1:8443\n    tls: on\n" APIS, 3, 10,
         "listen[0].tls: expected a mapping, got string", "/listen/0/tls"},
        {"listen:\n  - address: 127.0.0.1:8443\n    tls: {certificate: certs/server.crt}\n" APIS, 3,
         10, "listen[0].tls: missing required key 'key'", "/listen/0/tls"},
        {"listen:\n  - address: 127.0.0.1:8443\n    tls: {key: certs/server.key}\n" APIS, 3, 10,
         "listen[0].tls: missing required key 'certificate'", NULL},
        {"listen:\n  - address: 127.0.0.1:8443\n    tls: {cert: a, key: b}\n" APIS, 3, 11,
         "listen[0].tls: unknown key 'cert'", NULL},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: certs/missing.crt, key: certs/server.key}\n" APIS,
         3, 24, "listen[0].tls.certificate: cannot read ", "/listen/0/tls/certificate"},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: certs/server.crt, key: certs/missing.key}\n" APIS,
         3, 47, "listen[0].tls.key: cannot read ", "/listen/0/tls/key"},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: certs/dir.pem, key: certs/server.key}\n" APIS,
         3, 24, "not a regular file", NULL},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: certs/garbage.pem, key: certs/server.key}\n" APIS,
         3, 24, "listen[0].tls.certificate: ", NULL},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: certs/server.key, key: certs/server.key}\n" APIS,
         3, 24, "holds no PEM certificate", NULL},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: certs/server.crt, key: certs/server.crt}\n" APIS,
         3, 47, "listen[0].tls.key: ", NULL},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: certs/server.crt, key: certs/garbage.pem}\n" APIS,
         3, 47, "holds no unencrypted PEM private key", NULL},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: certs/server.crt, key: certs/encrypted.key}\n" APIS,
         3, 47, "listen[0].tls.key: ", NULL},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: certs/server.crt, key: certs/other.key}\n" APIS,
         3, 10, "listen[0].tls: the key does not match the certificate", "/listen/0/tls"},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: 5, key: certs/server.key}\n" APIS,
         3, 24, "listen[0].tls.certificate: expected a string, got integer", NULL},
        {"listen:\n  - address: 127.0.0.1:8443\n"
         "    tls: {certificate: \"\", key: certs/server.key}\n" APIS,
         3, 24, "listen[0].tls.certificate: must not be empty", NULL},
    };
    CHECK_ERRORS(cases);

    /* the message says which file could not be read */
    gw_config_t *cfg;
    spec_error_t err;
    assert_int_equal(load("listen:\n  - address: 127.0.0.1:8443\n"
                          "    tls: {certificate: certs/missing.crt, key: certs/server.key}\n" APIS,
                          &cfg, &err),
                     -1);
    assert_non_null(strstr(err.message, tmp_path("certs/missing.crt")));
    assert_non_null(strstr(err.message, "No such file or directory"));
}

static void test_errors_admin(void **state)
{
    static const error_case_t cases[] = {
        {MINIMAL "admin: 127.0.0.1:9901\n", 8, 8, "admin: expected a mapping, got string",
         "/admin"},
        {MINIMAL "admin: {}\n", 8, 8, "admin: missing required key 'address'", "/admin"},
        {MINIMAL "admin: {addr: x}\n", 8, 9,
         "admin: unknown key 'addr' (did you mean "
         "'address'?)",
         "/admin"},
        {MINIMAL "admin: {address: 127.0.0.1:8080}\n", 8, 18,
         "admin.address: 127.0.0.1:8080 is already listen[0]", "/admin/address"},
    };
    CHECK_ERRORS(cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_errors_listen),
        cmocka_unit_test(test_errors_tls),
        cmocka_unit_test(test_errors_admin),
    };
    return cmocka_run_group_tests(tests, config_setup, config_teardown);
}
