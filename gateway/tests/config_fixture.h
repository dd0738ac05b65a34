/* Shared by the config loader's tests (test_config*.c): a scratch directory holding a TLS
 * certificate and keys, YAML snippets, and helpers that load a config or check its errors. */
#ifndef GW_TEST_CONFIG_FIXTURE_H
#define GW_TEST_CONFIG_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* The scratch directory (config_setup makes it, config_teardown removes it): certs/server.crt
 * and its key certs/server.key, certs/other.key (not its key), certs/encrypted.key,
 * certs/garbage.pem, and a directory certs/dir.pem. Files the tests write there are listed in
 * config_fixture.c so that teardown removes them. */
extern char tmpdir[64];
int config_setup(void **state);
int config_teardown(void **state);
/* `name` inside the scratch directory; valid until four more calls. */
char *tmp_path(const char *name);
void write_file(const char *name, const char *content);

/* Parses `yaml` as "gw.yaml" and compiles it with the scratch directory as base. */
int load(const char *yaml, gw_config_t **cfg, spec_error_t *err);
/* Same, failing the test on an error. */
gw_config_t *load_ok(const char *yaml);

#define LISTEN "listen:\n  - address: 127.0.0.1:8080\n"
#define APIS                                                                                       \
    "apis:\n"                                                                                      \
    "  - name: pets\n"                                                                             \
    "    prefix: /pets\n"                                                                          \
    "    versions:\n"                                                                              \
    "      v1: {upstream: \"http://127.0.0.1:9001\"}\n"
#define MINIMAL LISTEN APIS
#define API_HEAD LISTEN "apis:\n  - name: pets\n    prefix: /pets\n"

/* Errors: every one names the key and points at the offending node. */
typedef struct st_error_case_t {
    const char *yaml;
    uint32_t line, col;
    const char *message; /* substring */
    const char *pointer;
    const char *key; /* when set, the message must start with "<key>: " */
} error_case_t;

/* Fails the test unless each case is refused with its position, message, pointer and key. */
void check_errors(const error_case_t *cases, size_t n);
#define CHECK_ERRORS(cases) check_errors(cases, sizeof(cases) / sizeof(cases[0]))

#endif
