/* Tests for gateway/config.c: the sample config, defaults, every validation error with
 * its position, sizes, and reference counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "config.h"

/* A scratch directory with TLS material, generated per run so no key is ever committed. */
static char tmpdir[64];

static char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
    return p;
}

static void write_file(const char *name, const char *content)
{
    FILE *fp = fopen(tmp_path(name), "w");
    assert_non_null(fp);
    fputs(content, fp);
    fclose(fp);
}

static EVP_PKEY *write_key(const char *name, int encrypted)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    FILE *fp = fopen(tmp_path(name), "w");
    assert_non_null(fp);
    assert_int_equal(PEM_write_PrivateKey(fp, key, encrypted ? EVP_aes_128_cbc() : NULL,
                                          encrypted ? (unsigned char *)"secret" : NULL,
                                          encrypted ? 6 : 0, NULL, NULL),
                     1);
    fclose(fp);
    return key;
}

static void write_cert(const char *name, EVP_PKEY *key)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME *subject = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
                               -1, 0);
    X509_set_issuer_name(x, subject);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    FILE *fp = fopen(tmp_path(name), "w");
    assert_non_null(fp);
    PEM_write_X509(fp, x);
    fclose(fp);
    X509_free(x);
}

static const char *const tmp_files[] = {
    "certs/server.crt",  "certs/server.key", "certs/other.key", "certs/encrypted.key",
    "certs/garbage.pem", "versa.yaml",       "broken.yaml",     "sub/conf.yaml"};
static const char *const tmp_dirs[] = {"certs/dir.pem", "certs", "sub"};

static int setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/versa-test-config-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    mkdir(tmp_path("certs"), 0700);
    mkdir(tmp_path("certs/dir.pem"), 0700);
    mkdir(tmp_path("sub"), 0700);
    EVP_PKEY *key = write_key("certs/server.key", 0);
    write_cert("certs/server.crt", key);
    EVP_PKEY_free(key);
    EVP_PKEY_free(write_key("certs/other.key", 0));
    EVP_PKEY_free(write_key("certs/encrypted.key", 1));
    write_file("certs/garbage.pem", "this is not PEM\n");
    return 0;
}

static int teardown(void **state)
{
    for (size_t i = 0; i != sizeof(tmp_files) / sizeof(tmp_files[0]); ++i)
        unlink(tmp_path(tmp_files[i]));
    for (size_t i = 0; i != sizeof(tmp_dirs) / sizeof(tmp_dirs[0]); ++i)
        rmdir(tmp_path(tmp_dirs[i]));
    return rmdir(tmpdir);
}

/* Parses `yaml` as "gw.yaml" and compiles it with the scratch directory as base. */
static int load(const char *yaml, gw_config_t **cfg, spec_error_t *err)
{
    spec_doc_t *doc;
    *cfg = NULL;
    if (spec_doc_parse(&doc, "gw.yaml", yaml, strlen(yaml), NULL, err) != 0)
        fail_msg("YAML syntax error in test input: %u:%u %s", err->line, err->col, err->message);
    int ret = gw_config_from_doc(doc, tmpdir, cfg, err);
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

#define LISTEN "listen:\n  - address: 127.0.0.1:8080\n"
#define APIS                                                                                       \
    "apis:\n"                                                                                      \
    "  - name: pets\n"                                                                             \
    "    prefix: /pets\n"                                                                          \
    "    versions:\n"                                                                              \
    "      v1: {upstream: \"http://127.0.0.1:9001\"}\n"
#define MINIMAL LISTEN APIS

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

/* --- defaults and accepted forms --- */

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

static void test_addresses(void **state)
{
    static const struct {
        const char *address, *host;
        uint16_t port;
    } cases[] = {
        {"127.0.0.1:8080", "127.0.0.1", 8080},
        {"[::1]:8080", "::1", 8080},
        {"[::]:65535", "::", 65535},
        {"[2001:DB8::1]:443", "2001:db8::1", 443},
        {"localhost:80", "localhost", 80},
        {"LocalHost:80", "localhost", 80},
        {"0.0.0.0:1", "0.0.0.0", 1},
        {"api-1.example.com:8080", "api-1.example.com", 8080},
        {"127.0.0.1:08080", "127.0.0.1", 8080},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml), "listen:\n  - address: \"%s\"\n" APIS, cases[i].address);
        gw_config_t *cfg = load_ok(yaml);
        assert_string_equal(cfg->listen[0].address, cases[i].address);
        assert_string_equal(cfg->listen[0].host, cases[i].host);
        assert_int_equal(cfg->listen[0].port, cases[i].port);
        gw_config_release(cfg);
    }
}

static void test_upstreams(void **state)
{
    static const struct {
        const char *url, *host, *authority, *base_path;
        uint16_t port;
        int tls;
    } cases[] = {
        {"http://127.0.0.1:9001/legacy", "127.0.0.1", "127.0.0.1:9001", "/legacy", 9001, 0},
        {"http://127.0.0.1:9001/legacy/", "127.0.0.1", "127.0.0.1:9001", "/legacy", 9001, 0},
        {"http://127.0.0.1:9001/", "127.0.0.1", "127.0.0.1:9001", "", 9001, 0},
        {"http://127.0.0.1:9001", "127.0.0.1", "127.0.0.1:9001", "", 9001, 0},
        {"http://backend", "backend", "backend", "", 80, 0},
        {"https://API.example.com", "api.example.com", "API.example.com", "", 443, 1},
        {"HTTPS://api.example.com:8443/v2/base", "api.example.com", "api.example.com:8443",
         "/v2/base", 8443, 1},
        {"http://[::1]:9000/a/b/", "::1", "[::1]:9000", "/a/b", 9000, 0},
        {"http://[::1]", "::1", "[::1]", "", 80, 0},
        {"http://h/a%20b", "h", "h", "/a%20b", 80, 0},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml),
                 LISTEN "apis:\n  - name: a\n    prefix: /a\n    versions:\n      v1: {upstream: "
                        "\"%s\"}\n",
                 cases[i].url);
        gw_config_t *cfg = load_ok(yaml);
        const gw_upstream_t *up = &cfg->apis[0].versions[0].upstream;
        assert_string_equal(up->url, cases[i].url);
        assert_string_equal(up->host, cases[i].host);
        assert_string_equal(up->authority, cases[i].authority);
        assert_string_equal(up->base_path, cases[i].base_path);
        assert_int_equal(up->port, cases[i].port);
        assert_int_equal(up->is_tls, cases[i].tls);
        gw_config_release(cfg);
    }
}

static void test_apis_and_versions(void **state)
{
    gw_config_t *cfg =
        load_ok(LISTEN "versioning: {default: 2}\n"
                       "apis:\n"
                       "  - name: pets\n"
                       "    prefix: /pets/\n"
                       "    versions:\n"
                       "      1:\n"
                       "      2.0: {spec: specs/pets-v2.yaml, upstream: \"http://h:1\"}\n"
                       "      2024-06-01: {upstream: \"http://h:2\"}\n"
                       "    timeouts: {connect_ms: 5}\n"
                       "    adapters: adapters/pets.yaml\n"
                       "  - name: root\n"
                       "    prefix: /\n"
                       "    versions: {v1: {upstream: \"http://h:3\"}, v2: "
                       "{upstream: \"http://h:4\", spec: /abs/spec.yaml}}\n"
                       "    default: v1\n"
                       "  - name: shop.v2_x-y\n"
                       "    prefix: /api/shops\n"
                       "    versions: {v2: {upstream: \"http://h:5\"}}\n");
    assert_int_equal(cfg->num_apis, 3);
    const gw_api_t *pets = cfg->apis, *root = cfg->apis + 1, *shops = cfg->apis + 2;
    assert_string_equal(pets->prefix, "/pets");
    assert_int_equal(pets->num_versions, 3);
    assert_string_equal(pets->versions[0].name, "1");
    assert_string_equal(pets->versions[0].canonical, "1");
    assert_false(pets->versions[0].has_upstream);
    assert_null(pets->versions[0].upstream.url);
    assert_string_equal(pets->versions[1].name, "2.0");
    assert_string_equal(pets->versions[1].canonical, "2");
    assert_string_equal(pets->versions[1].spec_path, tmp_path("specs/pets-v2.yaml"));
    assert_string_equal(pets->versions[2].name, "2024-06-01");
    assert_string_equal(pets->versions[2].canonical, "2024-06-01");
    assert_int_equal(pets->connect_timeout_ms, 5);
    assert_int_equal(pets->response_timeout_ms, 15000);
    assert_string_equal(pets->adapters_path, tmp_path("adapters/pets.yaml"));
    assert_ptr_equal(pets->default_version, pets->versions + 1); /* versioning.default: 2 */

    assert_string_equal(root->prefix, "");
    assert_int_equal(root->prefix_len, 0);
    assert_ptr_equal(root->default_version, root->versions); /* its own default wins */
    assert_string_equal(root->versions[1].spec_path, "/abs/spec.yaml");

    assert_string_equal(shops->name, "shop.v2_x-y");
    assert_string_equal(shops->prefix, "/api/shops");
    assert_ptr_equal(shops->default_version, shops->versions); /* "2" names v2 */
    gw_config_release(cfg);

    /* no default anywhere: the newest version */
    cfg = load_ok(LISTEN "apis:\n  - name: a\n    prefix: /a\n    versions:\n"
                         "      v1: {upstream: \"http://h:1\"}\n"
                         "      v3: {upstream: \"http://h:3\"}\n"
                         "      v2: {upstream: \"http://h:2\"}\n");
    assert_string_equal(cfg->apis[0].default_version->name, "v2");
    gw_config_release(cfg);
}

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

/* --- errors: every one names the key and points at the offending node --- */

typedef struct st_error_case_t {
    const char *yaml;
    uint32_t line, col;
    const char *message; /* substring */
    const char *pointer;
    const char *key; /* when set, the message must start with "<key>: " */
} error_case_t;

static void check_errors(const error_case_t *cases, size_t n)
{
    for (size_t i = 0; i != n; ++i) {
        gw_config_t *cfg;
        spec_error_t err;
        memset(&err, 0, sizeof(err));
        if (load(cases[i].yaml, &cfg, &err) == 0) {
            gw_config_release(cfg);
            fail_msg("case %zu accepted:\n%s", i, cases[i].yaml);
        }
        assert_null(cfg);
        if (err.line != cases[i].line || err.col != cases[i].col ||
            strstr(err.message, cases[i].message) == NULL ||
            (cases[i].pointer != NULL && strcmp(err.pointer, cases[i].pointer) != 0) ||
            (cases[i].key != NULL &&
             (strncmp(err.message, cases[i].key, strlen(cases[i].key)) != 0 ||
              strncmp(err.message + strlen(cases[i].key), ": ", 2) != 0)))
            fail_msg("case %zu: expected %u:%u '%s' (%s)\n          got %u:%u '%s' (%s)\n%s", i,
                     cases[i].line, cases[i].col, cases[i].message,
                     cases[i].pointer ? cases[i].pointer : "-", err.line, err.col, err.message,
                     err.pointer, cases[i].yaml);
        assert_string_equal(err.file, "gw.yaml");
    }
}

#define CHECK_ERRORS(cases) check_errors(cases, sizeof(cases) / sizeof(cases[0]))

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

static void test_errors_addresses(void **state)
{
    static const struct {
        const char *address, *message;
    } cases[] = {
        {"127.0.0.1", "missing port (expected host:port)"},
        {"localhost", "missing port"},
        {"127.0.0.1:", "invalid port (expected 1-65535)"},
        {"127.0.0.1:0", "invalid port"},
        {"127.0.0.1:65536", "invalid port"},
        {"127.0.0.1:100000", "invalid port"},
        {"127.0.0.1:http", "invalid port"},
        {"127.0.0.1:+80", "invalid port"},
        {"127.0.0.1:-1", "invalid port"},
        {"127.0.0.1: 80", "invalid port"},
        {"::1:8080", "IPv6 addresses must be written in brackets"},
        {"127.0.0.1:80:80", "IPv6 addresses must be written in brackets"},
        {"[::1:8080", "unterminated '['"},
        {"[::1]8080", "invalid port"},
        {"[::1]", "missing port"},
        {"[]:80", "invalid IPv6 address"},
        {"[zz]:80", "invalid IPv6 address"},
        {"[127.0.0.1]:80", "invalid IPv6 address"},
        {"300.1.1.1:80", "invalid IPv4 address"},
        {"1.2.3:80", "invalid IPv4 address"},
        {":8080", "missing host"},
        {"local_host:80", "invalid host name"},
        {"-bad.example:80", "invalid host name"},
        {"bad-.example:80", "invalid host name"},
        {"a..b:80", "invalid host name"},
        {"host name:80", "invalid host name"},
        {"http://127.0.0.1:80", "expected host:port, not a URL"},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml), "listen:\n  - address: \"%s\"\n" APIS, cases[i].address);
        error_case_t c = {yaml, 2, 14, cases[i].message, "/listen/0/address", "listen[0].address"};
        check_errors(&c, 1);
        /* the same rules apply to the admin listener */
        snprintf(yaml, sizeof(yaml), MINIMAL "admin: {address: \"%s\"}\n", cases[i].address);
        error_case_t a = {yaml, 8, 18, cases[i].message, "/admin/address", "admin.address"};
        check_errors(&a, 1);
    }
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

static void test_errors_versioning(void **state)
{
    static const error_case_t cases[] = {
        {MINIMAL "versioning: v1\n", 8, 13, "versioning: expected a mapping, got string",
         "/versioning"},
        {MINIMAL "versioning: {defualt: v1}\n", 8, 14,
         "versioning: unknown key 'defualt' (did you mean 'default'?)", "/versioning"},
        {MINIMAL "versioning: {mediatype: x}\n", 8, 14, "did you mean 'media_type'?", NULL},
        {MINIMAL "versioning: {default: v9}\n", 8, 23,
         "versioning.default: unknown version 'v9' for API 'pets' (it has v1); set `default` on "
         "that API",
         "/versioning/default"},
        {MINIMAL "versioning: {default: true}\n", 8, 23,
         "versioning.default: expected a version name, got boolean", NULL},
        {MINIMAL "versioning: {default: ~}\n", 8, 23, "expected a version name, got null", NULL},
        {MINIMAL "versioning: {default: \"v 1\"}\n", 8, 23,
         "versioning.default: invalid version name 'v 1'", NULL},
        {MINIMAL "versioning: {media_type: json}\n", 8, 26,
         "versioning.media_type: 'json' is not a media type", "/versioning/media_type"},
        {MINIMAL "versioning: {media_type: \"application/vnd.acme+json; version=1\"}\n", 8, 26,
         "is not a media type (type/subtype, without parameters)", NULL},
        {MINIMAL "versioning: {media_type: \"application/\"}\n", 8, 26, "is not a media type",
         NULL},
        {MINIMAL "versioning: {media_type: \"/json\"}\n", 8, 26, "is not a media type", NULL},
        {MINIMAL "versioning: {media_type: 5}\n", 8, 26,
         "versioning.media_type: expected a string, got integer", NULL},
        {MINIMAL "versioning: {header: \"Api Version\"}\n", 8, 22,
         "versioning.header: 'Api Version' is not a valid header name", "/versioning/header"},
        {MINIMAL "versioning: {header: \"Api-Version:\"}\n", 8, 22, "is not a valid header name",
         NULL},
        {MINIMAL "versioning: {header: [a]}\n", 8, 22, "expected a string, got sequence", NULL},
    };
    CHECK_ERRORS(cases);

    gw_config_t *cfg = load_ok(MINIMAL "versioning: {media_type: Application/VND.Acme+JSON, "
                                       "header: X-API-Version}\n");
    assert_string_equal(cfg->versioning.media_type, "application/vnd.acme+json");
    assert_string_equal(cfg->versioning.header, "X-API-Version");
    assert_string_equal(cfg->versioning.header_lower, "x-api-version");
    gw_config_release(cfg);
}

#define API_HEAD LISTEN "apis:\n  - name: pets\n    prefix: /pets\n"

static void test_errors_apis(void **state)
{
    static const error_case_t cases[] = {
        {LISTEN "apis: {}\n", 3, 7, "apis: expected a sequence of APIs, got mapping", "/apis"},
        {LISTEN "apis: []\n", 3, 7, "apis: at least one API is required", "/apis"},
        {LISTEN "apis:\n  - pets\n", 4, 5, "apis[0]: expected a mapping, got string", "/apis/0"},
        {LISTEN "apis:\n  - prefix: /pets\n    versions: {v1: {upstream: \"http://h\"}}\n", 4, 5,
         "apis[0]: missing required key 'name'", "/apis/0"},
        {LISTEN "apis:\n  - name: pets\n    versions: {v1: {upstream: \"http://h\"}}\n", 4, 5,
         "apis[0]: API 'pets' has no 'prefix', so every version must name a 'spec' (version v1 "
         "has none)",
         NULL},
        {API_HEAD, 4, 5, "apis[0]: missing required key 'versions'", NULL},
        {API_HEAD "    prefx: /x\n    versions: {v1: {upstream: \"http://h\"}}\n", 6, 5,
         "apis[0]: unknown key 'prefx' (did you mean 'prefix'?)", "/apis/0"},
        {API_HEAD "    version: {v1: {upstream: \"http://h\"}}\n", 6, 5,
         "apis[0]: unknown key 'version' (did you mean 'versions'?)", NULL},
        {LISTEN
         "apis:\n  - name: 7\n    prefix: /a\n    versions: {v1: {upstream: \"http://h\"}}\n",
         4, 11, "apis[0].name: expected a string, got integer", "/apis/0/name"},
        {LISTEN "apis:\n  - name: pets api\n    prefix: /a\n    versions: {v1: {upstream: "
                "\"http://h\"}}\n",
         4, 11, "apis[0].name: invalid API name 'pets api'", NULL},
        {LISTEN "apis:\n"
                "  - name: pets\n    prefix: /a\n    versions: {v1: {upstream: \"http://h\"}}\n"
                "  - name: pets\n    prefix: /b\n    versions: {v1: {upstream: \"http://h\"}}\n",
         7, 11, "apis[1].name: duplicate API name 'pets' (also apis[0], line 4)", "/apis/1/name"},
        {LISTEN "apis:\n"
                "  - name: a\n    prefix: /pets\n    versions: {v1: {upstream: \"http://h\"}}\n"
                "  - name: b\n    prefix: /pets\n    versions: {v1: {upstream: \"http://h\"}}\n",
         8, 13, "apis[1].prefix: prefix '/pets' is already owned by API 'a' (line 5)",
         "/apis/1/prefix"},
        {LISTEN "apis:\n"
                "  - name: a\n    prefix: /pets\n    versions: {v1: {upstream: \"http://h\"}}\n"
                "  - name: b\n    prefix: /pets/\n    versions: {v1: {upstream: \"http://h\"}}\n",
         8, 13, "prefix '/pets/' is already owned by API 'a'", NULL},
        {LISTEN "apis:\n"
                "  - name: a\n    prefix: /\n    versions: {v1: {upstream: \"http://h\"}}\n"
                "  - name: b\n    prefix: \"/\"\n    versions: {v1: {upstream: \"http://h\"}}\n",
         8, 13, "prefix '/' is already owned by API 'a'", NULL},
    };
    CHECK_ERRORS(cases);
}

static void test_errors_prefix(void **state)
{
    static const struct {
        const char *prefix, *message;
    } cases[] = {
        {"pets", "must start with '/'"},
        {"", "must not be empty"},
        {"/pets?x=1", "must not contain '?' or '#'"},
        {"/pets#x", "must not contain '?' or '#'"},
        {"/pe%74s", "must not contain percent-escapes"},
        {"/pets/../shops", "must be normalised"},
        {"/pets/./x", "must be normalised"},
        {"/a//b", "must be normalised"},
        {"//a", "must be normalised"},
        {"/pets//", "must be normalised"},
        {"/a b", "contains a character that is not allowed"},
        {"/a\\\\b", "contains a character that is not allowed"},
        {"/a\\tb", "contains a character that is not allowed"},
        {"/a{b}", "contains a character that is not allowed"},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml),
                 LISTEN "apis:\n  - name: a\n    prefix: \"%s\"\n    versions: {v1: {upstream: "
                        "\"http://h\"}}\n",
                 cases[i].prefix);
        error_case_t c = {yaml, 5, 13, cases[i].message, "/apis/0/prefix", "apis[0].prefix"};
        check_errors(&c, 1);
    }
}

static void test_errors_versions(void **state)
{
    static const error_case_t cases[] = {
        {API_HEAD "    versions: [v1]\n", 6, 15,
         "apis[0].versions: expected a mapping, got sequence", "/apis/0/versions"},
        {API_HEAD "    versions: {}\n", 6, 15, "apis[0].versions: at least one version is required",
         NULL},
        {API_HEAD "    versions:\n      true: {upstream: \"http://h\"}\n", 7, 7,
         "apis[0].versions.true: expected a version name, got boolean", "/apis/0/versions/true"},
        {API_HEAD "    versions:\n      ~: {upstream: \"http://h\"}\n", 7, 7,
         "expected a version name, got null", NULL},
        {API_HEAD "    versions:\n      \"v 1\": {upstream: \"http://h\"}\n", 7, 7,
         "apis[0].versions.v 1: invalid version name 'v 1'", "/apis/0/versions/v 1"},
        {API_HEAD "    versions:\n      v1/x: {upstream: \"http://h\"}\n", 7, 7,
         "invalid version name 'v1/x'", "/apis/0/versions/v1~1x"},
        {API_HEAD "    versions:\n      v1: {upstream: \"http://h\"}\n"
                  "      1.0: {upstream: \"http://h\"}\n",
         8, 7, "apis[0].versions.1.0: version '1.0' is the same as version 'v1' (both mean 1)",
         "/apis/0/versions/1.0"},
        {API_HEAD "    versions:\n      V2: {upstream: \"http://h\"}\n"
                  "      v2: {upstream: \"http://h\"}\n",
         8, 7, "version 'v2' is the same as version 'V2'", NULL},
        {API_HEAD "    versions:\n      v1: http://h\n", 7, 11,
         "apis[0].versions.v1: expected a mapping, got string", "/apis/0/versions/v1"},
        {API_HEAD "    versions:\n      v1: {upstrem: \"http://h\"}\n", 7, 12,
         "apis[0].versions.v1: unknown key 'upstrem' (did you mean 'upstream'?)", NULL},
        {API_HEAD "    versions:\n      v1: {upstream: 9001}\n", 7, 22,
         "apis[0].versions.v1.upstream: expected a string, got integer",
         "/apis/0/versions/v1/upstream"},
        {API_HEAD "    versions:\n      v1: {upstream: \"http://h\", spec: 5}\n", 7, 40,
         "apis[0].versions.v1.spec: expected a string, got integer", "/apis/0/versions/v1/spec"},
        /* a version without upstream needs a newer one that has one */
        {API_HEAD "    versions:\n      v1: {upstream: \"http://h\"}\n      v2:\n", 8, 7,
         "apis[0].versions.v2: version 'v2' has no upstream, and no newer version has one",
         "/apis/0/versions/v2"},
        {API_HEAD "    versions:\n      v1: {spec: a.yaml}\n", 7, 7, "version 'v1' has no upstream",
         NULL},
        {API_HEAD "    versions:\n      v1:\n      v2: {}\n      v3:\n", 9, 7,
         "version 'v3' has no upstream", NULL},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    default: v2\n", 7, 14,
         "apis[0].default: unknown version 'v2' (API 'pets' has v1)", "/apis/0/default"},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    default: [v1]\n", 7, 14,
         "apis[0].default: expected a version name, got sequence", NULL},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    adapters: 5\n", 7, 15,
         "apis[0].adapters: expected a string, got integer", "/apis/0/adapters"},
        /* versioning.default must exist in every API that has no default of its own */
        {LISTEN "versioning: {default: v2}\n"
                "apis:\n"
                "  - name: a\n    prefix: /a\n    versions: {v2: {upstream: \"http://h\"}}\n"
                "  - name: b\n    prefix: /b\n    versions: {v1: {upstream: \"http://h\"}}\n",
         3, 23, "versioning.default: unknown version 'v2' for API 'b' (it has v1)",
         "/versioning/default"},
    };
    CHECK_ERRORS(cases);
}

static void test_errors_upstream(void **state)
{
    static const struct {
        const char *url, *message;
    } cases[] = {
        {"ftp://h/x", "unsupported scheme in 'ftp://h/x' (expected http:// or https://)"},
        {"ws://h", "unsupported scheme"},
        {"127.0.0.1:9001", "is not an absolute http:// or https:// URL"},
        {"/legacy", "is not an absolute http:// or https:// URL"},
        {"http:/h", "is not an absolute"},
        {"http://", "missing host in 'http://'"},
        {"http:///x", "missing host"},
        {"http://user:pw@h", "user information is not allowed in upstream URLs"},
        {"http://h:0", "invalid port (expected 1-65535) in 'http://h:0'"},
        {"http://h:99999", "invalid port"},
        {"http://h:", "invalid port"},
        {"http://h:x/", "invalid port"},
        {"http://::1/", "IPv6 addresses must be written in brackets"},
        {"http://[::1/", "unterminated '['"},
        {"http://[::g]/", "invalid IPv6 address"},
        {"http://999.0.0.1/", "invalid IPv4 address"},
        {"http://h_x/", "invalid host name"},
        {"http://h?x=1", "upstream URLs must not have a query or fragment"},
        {"http://h/a?x=1", "the path of 'http://h/a?x=1' must not contain '?' or '#'"},
        {"http://h#f", "must not have a query or fragment"},
        {"http://h/a/../b", "must be normalised"},
        {"http://h//a", "must be normalised"},
        {"http://h/a b", "contains a character that is not allowed"},
        {"http://h/a%zz", "is not a valid path"},
        {"http://h/a%00", "is not a valid path"},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml), API_HEAD "    versions:\n      v1: {upstream: \"%s\"}\n",
                 cases[i].url);
        error_case_t c = {yaml,
                          7,
                          22,
                          cases[i].message,
                          "/apis/0/versions/v1/upstream",
                          "apis[0].versions.v1.upstream"};
        check_errors(&c, 1);
    }
}

static void test_errors_timeouts_and_limits(void **state)
{
    static const error_case_t cases[] = {
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    timeouts: 5\n", 7, 15,
         "apis[0].timeouts: expected a mapping, got integer", "/apis/0/timeouts"},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    timeouts: {conect_ms: 5}\n", 7,
         16, "apis[0].timeouts: unknown key 'conect_ms' (did you mean 'connect_ms'?)", NULL},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    timeouts: {connect_ms: 0}\n",
         7, 28, "apis[0].timeouts.connect_ms: expected an integer between 1 and 86400000, got 0",
         "/apis/0/timeouts/connect_ms"},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n"
                  "    timeouts: {response_ms: 1s}\n",
         7, 29, "apis[0].timeouts.response_ms: expected an integer, got string",
         "/apis/0/timeouts/response_ms"},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n"
                  "    timeouts: {response_ms: 86400001}\n",
         7, 29, "between 1 and 86400000", NULL},
        {MINIMAL "limits: 5\n", 8, 9, "limits: expected a mapping, got integer", "/limits"},
        {MINIMAL "limits: {max_body: 5}\n", 8, 10, "limits: unknown key 'max_body'", NULL},
        {MINIMAL "limits: {max_request_body: lots}\n", 8, 28,
         "limits.max_request_body: invalid size 'lots' (examples: 1048576, 512KiB, 16MiB, 1GiB)",
         "/limits/max_request_body"},
        {MINIMAL "limits: {max_request_body: 16XB}\n", 8, 28, "invalid size '16XB'", NULL},
        {MINIMAL "limits: {max_request_body: -1}\n", 8, 28,
         "limits.max_request_body: must not be negative", NULL},
        {MINIMAL "limits: {max_request_body: true}\n", 8, 28,
         "limits.max_request_body: expected a size such as 16MiB, got boolean", NULL},
        {MINIMAL "limits: {max_request_body: 99999999999999999999999MiB}\n", 8, 28, "invalid size",
         NULL},
        {MINIMAL "limits: {max_upstream_connections: 0}\n", 8, 36,
         "limits.max_upstream_connections: expected an integer between 1 and 65535, got 0",
         "/limits/max_upstream_connections"},
        {MINIMAL "limits: {max_upstream_connections: 65536}\n", 8, 36, "between 1 and 65535", NULL},
        {MINIMAL "limits: {upstream_keepalive_ms: x}\n", 8, 33,
         "limits.upstream_keepalive_ms: expected an integer, got string",
         "/limits/upstream_keepalive_ms"},
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

static void test_parse_size(void **state)
{
    static const struct {
        const char *in;
        size_t out;
    } ok[] = {
        {"0", 0},
        {"1048576", 1048576},
        {"16MiB", 16 * 1024 * 1024},
        {"512KiB", 512 * 1024},
        {"1GiB", 1024 * 1024 * 1024},
        {"2TiB", 2ull * 1024 * 1024 * 1024 * 1024},
        {"1KB", 1000},
        {"3MB", 3000000},
        {"1GB", 1000000000},
        {"1TB", 1000000000000ull},
        {"100B", 100},
        {"16mib", 16 * 1024 * 1024},
        {"16 MiB", 16 * 1024 * 1024},
    };
    for (size_t i = 0; i != sizeof(ok) / sizeof(ok[0]); ++i) {
        size_t v = 1234;
        if (gw_parse_size(ok[i].in, &v) != 0 || v != ok[i].out)
            fail_msg("'%s': got %zu", ok[i].in, v);
    }
    static const char *bad[] = {"",
                                "MiB",
                                "-1",
                                "1.5MiB",
                                "16 ",
                                "16  MiB",
                                " 16",
                                "16Mi",
                                "16MiBs",
                                "0x10",
                                "16M",
                                "16 k",
                                "18446744073709551616",
                                "17179869184GiB",
                                "99999999999999999999"};
    for (size_t i = 0; i != sizeof(bad) / sizeof(bad[0]); ++i) {
        size_t v;
        if (gw_parse_size(bad[i], &v) != -1)
            fail_msg("'%s' accepted", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_config),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_extra_keys),
        cmocka_unit_test(test_access_log_forms),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_upstreams),
        cmocka_unit_test(test_apis_and_versions),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_errors_top_level),
        cmocka_unit_test(test_errors_listen),
        cmocka_unit_test(test_errors_addresses),
        cmocka_unit_test(test_errors_tls),
        cmocka_unit_test(test_errors_admin),
        cmocka_unit_test(test_errors_versioning),
        cmocka_unit_test(test_errors_apis),
        cmocka_unit_test(test_errors_prefix),
        cmocka_unit_test(test_errors_versions),
        cmocka_unit_test(test_errors_upstream),
        cmocka_unit_test(test_errors_timeouts_and_limits),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_relative_paths_follow_the_file),
        cmocka_unit_test(test_refcount),
        cmocka_unit_test(test_parse_size),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
