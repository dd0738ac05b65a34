/* The `listen` and `admin` keys: listener addresses, no two alike, and TLS material read and
 * checked at load so that `--check` catches a bad certificate or key. */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "config_internal.h"

/* --- TLS material --- */

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    return -1; /* never prompt on the terminal */
}

static FILE *open_regular(const char *path, const char **why)
{
    FILE *fp = fopen(path, "r");
    struct stat st;
    if (fp == NULL) {
        *why = strerror(errno);
        return NULL;
    }
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        fclose(fp);
        return NULL;
    }
    return fp;
}

static int load_tls(gw__config_loader_t *l, const spec_node_t *tls, gw_listen_conf_t *lc)
{
    static const char *const keys[] = {"certificate", "key", NULL};
    const spec_node_t *cn, *kn;
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    FILE *fp;
    const char *why;
    int ret = -1;
    if (gw__config_check_keys(l, tls, keys) != 0 ||
        (cn = gw__config_require(l, tls, "certificate")) == NULL ||
        (kn = gw__config_require(l, tls, "key")) == NULL)
        return -1;
    gw__config_mark_t m = gw__config_enter_key(l, "certificate");
    if (gw__config_read_path(l, cn, &lc->tls_certificate) != 0)
        goto exit;
    if ((fp = open_regular(lc->tls_certificate, &why)) == NULL) {
        gw__config_fail(l, cn, "cannot read %s: %s", lc->tls_certificate, why);
        goto exit;
    }
    cert = PEM_read_X509(fp, NULL, no_passphrase, NULL);
    fclose(fp);
    if (cert == NULL) {
        gw__config_fail(l, cn, "%s holds no PEM certificate", lc->tls_certificate);
        goto exit;
    }
    gw__config_leave(l, m);
    m = gw__config_enter_key(l, "key");
    if (gw__config_read_path(l, kn, &lc->tls_key) != 0)
        goto exit;
    if ((fp = open_regular(lc->tls_key, &why)) == NULL) {
        gw__config_fail(l, kn, "cannot read %s: %s", lc->tls_key, why);
        goto exit;
    }
    key = PEM_read_PrivateKey(fp, NULL, no_passphrase, NULL);
    fclose(fp);
    if (key == NULL) {
        gw__config_fail(l, kn, "%s holds no unencrypted PEM private key", lc->tls_key);
        goto exit;
    }
    gw__config_leave(l, m);
    if (X509_check_private_key(cert, key) != 1) {
        gw__config_fail(l, tls, "the key does not match the certificate");
        goto exit;
    }
    ret = 0;
exit:
    gw__config_leave(l, m);
    X509_free(cert);
    EVP_PKEY_free(key);
    ERR_clear_error(); /* the error queue is per thread; leave it clean for the server */
    return ret;
}

/* --- listeners --- */

/* Returns the index of an earlier listener with the same host and port, or -1. */
static long find_listener(const gw_config_t *cfg, size_t count, const char *host, uint16_t port)
{
    for (size_t i = 0; i != count; ++i)
        if (cfg->listen[i].port == port && strcmp(cfg->listen[i].host, host) == 0)
            return (long)i;
    return -1;
}

int gw__config_load_listen(gw__config_loader_t *l, const spec_node_t *seq, gw_config_t *cfg)
{
    static const char *const keys[] = {"address", "tls", NULL};
    if (seq->kind != SPEC_NODE_SEQUENCE)
        return gw__config_fail(l, seq, "expected a sequence of listeners, got %s",
                               spec_node_type_name(seq));
    if (seq->u.seq.len == 0)
        return gw__config_fail(l, seq, "at least one listener is required");
    cfg->listen = xcalloc(seq->u.seq.len, sizeof(*cfg->listen));
    cfg->num_listen = seq->u.seq.len;
    for (size_t i = 0; i != seq->u.seq.len; ++i) {
        const spec_node_t *n = seq->u.seq.items[i], *addr, *tls;
        gw_listen_conf_t *lc = cfg->listen + i;
        gw__config_mark_t m = gw__config_enter_index(l, i);
        if (gw__config_check_keys(l, n, keys) != 0 ||
            (addr = gw__config_require(l, n, "address")) == NULL)
            return -1;
        gw__config_mark_t m2 = gw__config_enter_key(l, "address");
        if (gw__config_read_address(l, addr, &lc->address, &lc->host, &lc->port) != 0)
            return -1;
        lc->pos = (spec_pos_t){cfg->doc_file, addr->pos.line, addr->pos.col};
        long dup = find_listener(cfg, i, lc->host, lc->port);
        if (dup >= 0)
            return gw__config_fail(l, addr, "duplicate listen address %s (also listen[%ld])",
                                   lc->address, dup);
        gw__config_leave(l, m2);
        if ((tls = spec_node_get(n, "tls")) != NULL) {
            m2 = gw__config_enter_key(l, "tls");
            if (load_tls(l, tls, lc) != 0)
                return -1;
            gw__config_leave(l, m2);
        }
        gw__config_leave(l, m);
    }
    return 0;
}

int gw__config_load_admin(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg)
{
    static const char *const keys[] = {"address", NULL};
    const spec_node_t *addr;
    if (gw__config_check_keys(l, n, keys) != 0 ||
        (addr = gw__config_require(l, n, "address")) == NULL)
        return -1;
    gw__config_mark_t m = gw__config_enter_key(l, "address");
    if (gw__config_read_address(l, addr, &cfg->admin.address, &cfg->admin.host, &cfg->admin.port) !=
        0)
        return -1;
    cfg->admin.pos = (spec_pos_t){cfg->doc_file, addr->pos.line, addr->pos.col};
    long dup = find_listener(cfg, cfg->num_listen, cfg->admin.host, cfg->admin.port);
    if (dup >= 0)
        return gw__config_fail(l, addr, "%s is already listen[%ld]", cfg->admin.address, dup);
    gw__config_leave(l, m);
    return 0;
}
