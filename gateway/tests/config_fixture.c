/* The config tests' fixture (config_fixture.h): a scratch directory with TLS material, generated
 * per run so no key is ever committed, and the load and error-check helpers. */
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
#include "config_fixture.h"

char tmpdir[64];

char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
    return p;
}

void write_file(const char *name, const char *content)
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
    "certs/garbage.pem", "versa.yaml",       "broken.yaml",     "sub/conf.yaml",
    "sub/spec.yaml",     "sub/other.yaml"};
static const char *const tmp_dirs[] = {"certs/dir.pem", "certs", "sub"};

int config_setup(void **state)
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

int config_teardown(void **state)
{
    for (size_t i = 0; i != sizeof(tmp_files) / sizeof(tmp_files[0]); ++i)
        unlink(tmp_path(tmp_files[i]));
    for (size_t i = 0; i != sizeof(tmp_dirs) / sizeof(tmp_dirs[0]); ++i)
        rmdir(tmp_path(tmp_dirs[i]));
    return rmdir(tmpdir);
}

/* Parses `yaml` as "gw.yaml" and compiles it with the scratch directory as base. */
int load(const char *yaml, gw_config_t **cfg, spec_error_t *err)
{
    spec_doc_t *doc;
    *cfg = NULL;
    if (spec_doc_parse(&doc, "gw.yaml", yaml, strlen(yaml), NULL, err) != 0)
        fail_msg("YAML syntax error in test input: %u:%u %s", err->line, err->col, err->message);
    int ret = gw_config_from_doc(doc, tmpdir, cfg, err);
    spec_doc_destroy(doc);
    return ret;
}

gw_config_t *load_ok(const char *yaml)
{
    gw_config_t *cfg;
    spec_error_t err;
    if (load(yaml, &cfg, &err) != 0)
        fail_msg("unexpected error %u:%u: %s\n%s", err.line, err.col, err.message, yaml);
    return cfg;
}

void check_errors(const error_case_t *cases, size_t n)
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
