/* Gateway configuration loader: YAML tree -> validated, immutable gw_config_t. Every error names
 * the offending key and points at its node (file:line:col and a JSON pointer). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <h2o/memory.h>
#include <h2o/string_.h>
#include "adapters.h"
#include "path.h"
#include "record.h"
#include "shadow_config.h"
#include "version.h"

#define MAX_CONFIG_BYTES (1024 * 1024)
#define MAX_THREADS 256
#define MAX_TIMEOUT_MS (24 * 3600 * 1000) /* longer is surely a typo */
#define MAX_NAME_LEN 64

/* --- allocation (abort on failure, as h2o does) --- */

static char *xstrndup(const char *s, size_t len)
{
    return h2o_strdup(NULL, s, len).base;
}

static char *xstrdup(const char *s)
{
    return s == NULL ? NULL : xstrndup(s, strlen(s));
}

static void *xcalloc(size_t n, size_t size)
{
    if (n != 0 && size > SIZE_MAX / n)
        h2o_fatal("allocation size overflow");
    void *p = h2o_mem_alloc(n * size + 1);
    memset(p, 0, n * size + 1);
    return p;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        h2o_fatal("no memory");
    va_end(ap);
    return s;
}

static void lowercase(char *s)
{
    for (; *s != '\0'; ++s)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* --- error context: where in the document we are, for messages and JSON pointers --- */

typedef struct st_gw__config_loader_t {
    spec_error_t *err;
    const char *base_dir;
    char where[256];   /* "apis[0].versions.v1", prefixed to messages */
    char pointer[512]; /* "/apis/0/versions/v1" */
} loader_t;

typedef gw__config_mark_t mark_t;

static void append(char *buf, size_t size, const char *s)
{
    size_t len = strlen(buf);
    if (len < size - 1)
        snprintf(buf + len, size - len, "%s", s);
}

static mark_t enter_key(loader_t *l, const char *key)
{
    mark_t m = {strlen(l->where), strlen(l->pointer)};
    if (l->where[0] != '\0')
        append(l->where, sizeof(l->where), ".");
    append(l->where, sizeof(l->where), key);
    append(l->pointer, sizeof(l->pointer), "/");
    for (const char *p = key; *p != '\0'; ++p) { /* RFC 6901 §3 */
        char c[2] = {*p, '\0'};
        append(l->pointer, sizeof(l->pointer), *p == '~' ? "~0" : *p == '/' ? "~1" : c);
    }
    return m;
}

static mark_t enter_index(loader_t *l, size_t i)
{
    mark_t m = {strlen(l->where), strlen(l->pointer)};
    char buf[32];
    snprintf(buf, sizeof(buf), "[%zu]", i);
    append(l->where, sizeof(l->where), buf);
    snprintf(buf, sizeof(buf), "/%zu", i);
    append(l->pointer, sizeof(l->pointer), buf);
    return m;
}

static void leave(loader_t *l, mark_t m)
{
    l->where[m.where] = '\0';
    l->pointer[m.pointer] = '\0';
}

static int fail(loader_t *l, const spec_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int vfail(loader_t *l, const spec_node_t *n, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int vfail(loader_t *l, const spec_node_t *n, const char *fmt, va_list ap)
{
    char msg[sizeof(l->err->message)];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (l->where[0] != '\0')
        spec_error_at(l->err, n, "%s: %s", l->where, msg);
    else
        spec_error_at(l->err, n, "%s", msg);
    snprintf(l->err->pointer, sizeof(l->err->pointer), "%s", l->pointer);
    return -1;
}

static int fail(loader_t *l, const spec_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(l, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* --- "did you mean" --- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return SIZE_MAX;
    size_t row[33];
    for (size_t j = 0; j <= lb; ++j)
        row[j] = j;
    for (size_t i = 1; i <= la; ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; ++j) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *suggest(const char *key, const char *const *allowed)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX, limit = strlen(key) <= 4 ? 1 : 2;
    size_t key_len = strlen(key);
    for (const char *const *a = allowed; *a != NULL; ++a) {
        size_t d = edit_distance(key, *a);
        if (d > limit && key_len >= 3 && strncmp(*a, key, key_len) == 0)
            d = limit; /* an abbreviation: "addr", "cert" */
        if (d <= limit && d < best_d)
            best = *a, best_d = d;
    }
    return best;
}

/* --- typed readers --- */

static int expect_mapping(loader_t *l, const spec_node_t *n)
{
    if (n->kind != SPEC_NODE_MAPPING)
        return fail(l, n, "expected a mapping, got %s", spec_node_type_name(n));
    return 0;
}

/* Checks that `n` is a mapping whose keys are all in `allowed` (NULL-terminated). */
static int check_keys(loader_t *l, const spec_node_t *n, const char *const *allowed)
{
    if (expect_mapping(l, n) != 0)
        return -1;
    for (size_t i = 0; i != n->u.map.len; ++i) {
        const spec_node_t *key = n->u.map.items[i].key;
        const char *const *a;
        for (a = allowed; *a != NULL; ++a)
            if (spec_node_is(key, *a))
                break;
        if (*a != NULL)
            continue;
        const char *hint = suggest(key->u.scalar.str, allowed);
        if (hint != NULL)
            return fail(l, key, "unknown key '%s' (did you mean '%s'?)", key->u.scalar.str, hint);
        return fail(l, key, "unknown key '%s'", key->u.scalar.str);
    }
    return 0;
}

static const spec_node_t *require(loader_t *l, const spec_node_t *map, const char *key)
{
    const spec_node_t *n = spec_node_get(map, key);
    if (n == NULL)
        fail(l, map, "missing required key '%s'", key);
    return n;
}

static int read_string(loader_t *l, const spec_node_t *n, const char **out)
{
    if ((*out = spec_node_str(n)) == NULL)
        return fail(l, n, "expected a string, got %s", spec_node_type_name(n));
    if (**out == '\0')
        return fail(l, n, "must not be empty");
    if (strlen(*out) != n->u.scalar.len)
        return fail(l, n, "must not contain NUL characters");
    return 0;
}

static int read_uint(loader_t *l, const spec_node_t *n, uint64_t min, uint64_t max, uint64_t *out)
{
    int64_t v;
    if (spec_node_int(n, &v) != 0) {
        if (n->kind == SPEC_NODE_SCALAR && n->scalar_type == SPEC_SCALAR_INT)
            return fail(l, n, "integer out of range");
        return fail(l, n, "expected an integer, got %s", spec_node_type_name(n));
    }
    if (v < 0 || (uint64_t)v < min || (uint64_t)v > max)
        return fail(l, n, "expected an integer between %llu and %llu, got %lld",
                    (unsigned long long)min, (unsigned long long)max, (long long)v);
    *out = (uint64_t)v;
    return 0;
}

/* A path from the config, made absolute against the config file's directory. */
static int read_path(loader_t *l, const spec_node_t *n, char **out)
{
    const char *s;
    if (read_string(l, n, &s) != 0)
        return -1;
    if (s[0] == '/')
        *out = xstrdup(s);
    else
        *out = xasprintf("%s/%s", l->base_dir, s[0] == '.' && s[1] == '/' ? s + 2 : s);
    return 0;
}

/* --- addresses --- */

static int parse_port(const char *s, size_t len, uint16_t *out)
{
    if (len == 0 || len > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i != len; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
static int is_hostname(const char *s, size_t len)
{
    if (len == 0 || len > 253)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i != len; ++i) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return 0;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   (c == '-' && label != 0)) {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    return label != 0 && s[len - 1] != '-';
}

static int all_digits_and_dots(const char *s, size_t len)
{
    for (size_t i = 0; i != len; ++i)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
            return 0;
    return 1;
}

/* Splits "host:port", "[v6]:port" (port optional when default_port != 0). The host is returned
 * without brackets, IP literals in their canonical spelling so that "[0::1]" equals "[::1]".
 * Returns NULL, or a message saying what is wrong. */
static const char *parse_hostport(const char *s, size_t len, uint16_t default_port, char **host,
                                  uint16_t *port)
{
    const char *h, *after;
    size_t hlen;
    char buf[INET6_ADDRSTRLEN + 1];
    unsigned char addr[sizeof(struct in6_addr)];
    if (len != 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return "unterminated '[' in IPv6 address";
        h = s + 1;
        hlen = (size_t)(close - h);
        if (hlen == 0 || hlen >= sizeof(buf))
            return "invalid IPv6 address";
        memcpy(buf, h, hlen);
        buf[hlen] = '\0';
        if (inet_pton(AF_INET6, buf, addr) != 1)
            return "invalid IPv6 address";
        inet_ntop(AF_INET6, addr, buf, sizeof(buf));
        after = close + 1;
    } else {
        const char *colon = memchr(s, ':', len);
        h = s;
        hlen = colon != NULL ? (size_t)(colon - s) : len;
        if (colon != NULL && memchr(colon + 1, ':', len - hlen - 1) != NULL)
            return "IPv6 addresses must be written in brackets, e.g. [::1]:8080";
        if (hlen == 0)
            return "missing host (use 0.0.0.0 or [::] for every interface)";
        if (all_digits_and_dots(h, hlen)) {
            if (hlen >= sizeof(buf))
                return "invalid IPv4 address";
            memcpy(buf, h, hlen);
            buf[hlen] = '\0';
            if (inet_pton(AF_INET, buf, addr) != 1)
                return "invalid IPv4 address";
        } else if (!is_hostname(h, hlen)) {
            return "invalid host name";
        } else {
            buf[0] = '\0'; /* a name: kept as written */
        }
        after = h + hlen;
    }
    size_t rest = (size_t)(s + len - after);
    if (rest == 0) {
        if (default_port == 0)
            return "missing port (expected host:port)";
        *port = default_port;
    } else if (after[0] != ':' || parse_port(after + 1, rest - 1, port) != 0) {
        return "invalid port (expected 1-65535)";
    }
    *host = buf[0] != '\0' ? xstrdup(buf) : xstrndup(h, hlen);
    return NULL;
}

static int read_address(loader_t *l, const spec_node_t *n, char **address, char **host,
                        uint16_t *port)
{
    const char *s, *why;
    if (read_string(l, n, &s) != 0)
        return -1;
    if (strstr(s, "://") != NULL)
        return fail(l, n, "expected host:port, not a URL: '%s'", s);
    if ((why = parse_hostport(s, strlen(s), 0, host, port)) != NULL)
        return fail(l, n, "%s: '%s'", why, s);
    lowercase(*host);
    *address = xstrdup(s);
    return 0;
}

/* --- TLS material, checked at load so `--check` catches it --- */

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

static int load_tls(loader_t *l, const spec_node_t *tls, gw_listen_conf_t *lc)
{
    static const char *const keys[] = {"certificate", "key", NULL};
    const spec_node_t *cn, *kn;
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    FILE *fp;
    const char *why;
    int ret = -1;
    if (check_keys(l, tls, keys) != 0 || (cn = require(l, tls, "certificate")) == NULL ||
        (kn = require(l, tls, "key")) == NULL)
        return -1;
    mark_t m = enter_key(l, "certificate");
    if (read_path(l, cn, &lc->tls_certificate) != 0)
        goto exit;
    if ((fp = open_regular(lc->tls_certificate, &why)) == NULL) {
        fail(l, cn, "cannot read %s: %s", lc->tls_certificate, why);
        goto exit;
    }
    cert = PEM_read_X509(fp, NULL, no_passphrase, NULL);
    fclose(fp);
    if (cert == NULL) {
        fail(l, cn, "%s holds no PEM certificate", lc->tls_certificate);
        goto exit;
    }
    leave(l, m);
    m = enter_key(l, "key");
    if (read_path(l, kn, &lc->tls_key) != 0)
        goto exit;
    if ((fp = open_regular(lc->tls_key, &why)) == NULL) {
        fail(l, kn, "cannot read %s: %s", lc->tls_key, why);
        goto exit;
    }
    key = PEM_read_PrivateKey(fp, NULL, no_passphrase, NULL);
    fclose(fp);
    if (key == NULL) {
        fail(l, kn, "%s holds no unencrypted PEM private key", lc->tls_key);
        goto exit;
    }
    leave(l, m);
    if (X509_check_private_key(cert, key) != 1) {
        fail(l, tls, "the key does not match the certificate");
        goto exit;
    }
    ret = 0;
exit:
    leave(l, m);
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

static int load_listen(loader_t *l, const spec_node_t *seq, gw_config_t *cfg)
{
    static const char *const keys[] = {"address", "tls", NULL};
    if (seq->kind != SPEC_NODE_SEQUENCE)
        return fail(l, seq, "expected a sequence of listeners, got %s", spec_node_type_name(seq));
    if (seq->u.seq.len == 0)
        return fail(l, seq, "at least one listener is required");
    cfg->listen = xcalloc(seq->u.seq.len, sizeof(*cfg->listen));
    cfg->num_listen = seq->u.seq.len;
    for (size_t i = 0; i != seq->u.seq.len; ++i) {
        const spec_node_t *n = seq->u.seq.items[i], *addr, *tls;
        gw_listen_conf_t *lc = cfg->listen + i;
        mark_t m = enter_index(l, i);
        if (check_keys(l, n, keys) != 0 || (addr = require(l, n, "address")) == NULL)
            return -1;
        mark_t m2 = enter_key(l, "address");
        if (read_address(l, addr, &lc->address, &lc->host, &lc->port) != 0)
            return -1;
        long dup = find_listener(cfg, i, lc->host, lc->port);
        if (dup >= 0)
            return fail(l, addr, "duplicate listen address %s (also listen[%ld])", lc->address,
                        dup);
        leave(l, m2);
        if ((tls = spec_node_get(n, "tls")) != NULL) {
            m2 = enter_key(l, "tls");
            if (load_tls(l, tls, lc) != 0)
                return -1;
            leave(l, m2);
        }
        leave(l, m);
    }
    return 0;
}

static int load_admin(loader_t *l, const spec_node_t *n, gw_config_t *cfg)
{
    static const char *const keys[] = {"address", NULL};
    const spec_node_t *addr;
    if (check_keys(l, n, keys) != 0 || (addr = require(l, n, "address")) == NULL)
        return -1;
    mark_t m = enter_key(l, "address");
    if (read_address(l, addr, &cfg->admin.address, &cfg->admin.host, &cfg->admin.port) != 0)
        return -1;
    long dup = find_listener(cfg, cfg->num_listen, cfg->admin.host, cfg->admin.port);
    if (dup >= 0)
        return fail(l, addr, "%s is already listen[%ld]", cfg->admin.address, dup);
    leave(l, m);
    return 0;
}

/* --- top-level scalars --- */

static int load_access_log(loader_t *l, const spec_node_t *n, gw_config_t *cfg)
{
    int b;
    if (spec_node_bool(n, &b) == 0 && !b) {
        cfg->access_log.target = GW_LOG_OFF;
        return 0;
    }
    const char *s;
    if (spec_node_str(n) == NULL)
        return fail(l, n, "expected stdout, stderr, off or a file path, got %s",
                    spec_node_type_name(n));
    if (read_string(l, n, &s) != 0)
        return -1;
    if (strcmp(s, "stdout") == 0)
        cfg->access_log.target = GW_LOG_STDOUT;
    else if (strcmp(s, "stderr") == 0)
        cfg->access_log.target = GW_LOG_STDERR;
    else if (strcmp(s, "off") == 0)
        cfg->access_log.target = GW_LOG_OFF;
    else {
        cfg->access_log.target = GW_LOG_FILE;
        return read_path(l, n, &cfg->access_log.path);
    }
    return 0;
}

static int is_token(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; ++s)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              strchr("!#$%&'*+-.^_`|~", *s) != NULL))
            return 0;
    return 1;
}

/* A version name as written: any non-boolean, non-null scalar ("v1", 2, 1.0, 2024-06-01). */
static int read_version_name(loader_t *l, const spec_node_t *n, const char **name, char *canon)
{
    if (n->kind != SPEC_NODE_SCALAR || n->scalar_type == SPEC_SCALAR_NULL ||
        n->scalar_type == SPEC_SCALAR_BOOL)
        return fail(l, n, "expected a version name, got %s", spec_node_type_name(n));
    *name = n->u.scalar.str;
    if (gw_version_canonical(*name, n->u.scalar.len, canon, GW_VERSION_NAME_MAX) < 0)
        return fail(l, n,
                    "invalid version name '%s' (letters, digits, '.', '_' and '-', at most %d)",
                    *name, GW_VERSION_NAME_MAX - 1);
    return 0;
}

static int load_versioning(loader_t *l, const spec_node_t *n, gw_config_t *cfg)
{
    static const char *const keys[] = {"default", "media_type", "header", NULL};
    const spec_node_t *v;
    const char *s = NULL; /* set by every reader on success; gcc -O3 can't tell */
    char canon[GW_VERSION_NAME_MAX];
    if (check_keys(l, n, keys) != 0)
        return -1;
    if ((v = spec_node_get(n, "default")) != NULL) {
        mark_t m = enter_key(l, "default");
        if (read_version_name(l, v, &s, canon) != 0)
            return -1;
        cfg->versioning.default_version = xstrdup(s);
        leave(l, m);
    }
    if ((v = spec_node_get(n, "media_type")) != NULL) {
        mark_t m = enter_key(l, "media_type");
        if (read_string(l, v, &s) != 0)
            return -1;
        const char *slash = strchr(s, '/');
        char *type = xstrdup(s);
        if (slash != NULL)
            type[slash - s] = '\0';
        int ok = slash != NULL && is_token(type) && is_token(slash + 1);
        free(type);
        if (!ok)
            return fail(l, v, "'%s' is not a media type (type/subtype, without parameters)", s);
        cfg->versioning.media_type = xstrdup(s);
        lowercase(cfg->versioning.media_type);
        leave(l, m);
    }
    if ((v = spec_node_get(n, "header")) != NULL) {
        mark_t m = enter_key(l, "header");
        if (read_string(l, v, &s) != 0)
            return -1;
        if (!is_token(s))
            return fail(l, v, "'%s' is not a valid header name", s);
        cfg->versioning.header = xstrdup(s);
        cfg->versioning.header_lower = xstrdup(s);
        lowercase(cfg->versioning.header_lower);
        leave(l, m);
    }
    return 0;
}

/* A size: an integer, or a string such as "16MiB" (gw_parse_size). */
static int read_size(loader_t *l, const spec_node_t *v, size_t *out)
{
    int64_t i;
    if (spec_node_int(v, &i) == 0) {
        if (i < 0)
            return fail(l, v, "must not be negative");
        *out = (size_t)i;
    } else if (spec_node_str(v) == NULL) {
        return fail(l, v, "expected a size such as 16MiB, got %s", spec_node_type_name(v));
    } else if (gw_parse_size(spec_node_str(v), out) != 0) {
        return fail(l, v, "invalid size '%s' (examples: 1048576, 512KiB, 16MiB, 1GiB)",
                    spec_node_str(v));
    }
    return 0;
}

/* An optional key read in place: the enter/read/leave every optional field needs. */
static int opt_uint(loader_t *l, const spec_node_t *map, const char *key, uint64_t min,
                    uint64_t max, uint64_t *out)
{
    const spec_node_t *v = spec_node_get(map, key);
    if (v == NULL)
        return 0;
    mark_t m = enter_key(l, key);
    if (read_uint(l, v, min, max, out) != 0)
        return -1;
    leave(l, m);
    return 0;
}

static int opt_size(loader_t *l, const spec_node_t *map, const char *key, size_t *out)
{
    const spec_node_t *v = spec_node_get(map, key);
    if (v == NULL)
        return 0;
    mark_t m = enter_key(l, key);
    if (read_size(l, v, out) != 0)
        return -1;
    leave(l, m);
    return 0;
}

static int load_limits(loader_t *l, const spec_node_t *n, gw_config_t *cfg)
{
    static const char *const keys[] = {"max_request_body", "max_upstream_connections",
                                       "upstream_keepalive_ms", "max_adapted_body", NULL};
    uint64_t conns = cfg->limits.max_upstream_conns;
    if (check_keys(l, n, keys) != 0 ||
        opt_size(l, n, "max_request_body", &cfg->limits.max_request_body) != 0 ||
        opt_uint(l, n, "max_upstream_connections", 1, 65535, &conns) != 0 ||
        opt_uint(l, n, "upstream_keepalive_ms", 0, MAX_TIMEOUT_MS,
                 &cfg->limits.upstream_keepalive_ms) != 0 ||
        opt_size(l, n, "max_adapted_body", &cfg->limits.max_adapted_body) != 0)
        return -1;
    cfg->limits.max_upstream_conns = (size_t)conns;
    return 0;
}

/* --- APIs --- */

/* A normalised absolute path (a prefix, or an upstream base path) with the trailing '/' dropped:
 * "/pets/" -> "/pets", "/" -> "". Returns NULL, or what is wrong. */
static const char *normalised_path(const char *s, size_t len, int allow_escapes, char **out)
{
    if (len == 0 || s[0] != '/')
        return "must start with '/'";
    for (size_t i = 0; i != len; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '?' || c == '#')
            return "must not contain '?' or '#'";
        if (c == '%' && !allow_escapes)
            return "must not contain percent-escapes (write the characters themselves)";
        if (c <= 0x20 || c == 0x7f || strchr("\"<>\\^`{|}", c) != NULL)
            return "contains a character that is not allowed in a URL path";
    }
    char *norm = h2o_mem_alloc(len + 1);
    long n = gw_path_normalize(s, len, norm);
    if (n < 0 || (size_t)n != len || memcmp(norm, s, len) != 0) {
        free(norm);
        return n < 0 ? "is not a valid path (bad percent-escape?)"
                     : "must be normalised (no empty, '.' or '..' segments)";
    }
    if (norm[len - 1] == '/') /* the only empty segment normalisation keeps */
        norm[len - 1] = '\0';
    *out = norm;
    return NULL;
}

static int load_upstream(loader_t *l, const spec_node_t *n, gw_upstream_t *up)
{
    const char *s, *why;
    if (read_string(l, n, &s) != 0)
        return -1;
    size_t len = strlen(s), scheme_len;
    if (strncasecmp(s, "http://", 7) == 0)
        scheme_len = 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        scheme_len = 8, up->is_tls = 1;
    else if (strstr(s, "://") != NULL)
        return fail(l, n, "unsupported scheme in '%s' (expected http:// or https://)", s);
    else
        return fail(l, n, "'%s' is not an absolute http:// or https:// URL", s);
    const char *auth = s + scheme_len, *end = s + len;
    const char *auth_end = auth;
    while (auth_end != end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
        ++auth_end;
    if (memchr(auth, '@', (size_t)(auth_end - auth)) != NULL)
        return fail(l, n, "user information is not allowed in upstream URLs");
    if (auth_end == auth)
        return fail(l, n, "missing host in '%s'", s);
    if ((why = parse_hostport(auth, (size_t)(auth_end - auth), up->is_tls ? 443 : 80, &up->host,
                              &up->port)) != NULL)
        return fail(l, n, "%s in '%s'", why, s);
    lowercase(up->host);
    up->url = xstrdup(s);
    up->authority = xstrndup(auth, (size_t)(auth_end - auth));
    if (auth_end == end) {
        up->base_path = xstrdup("");
    } else if (*auth_end != '/') {
        return fail(l, n, "upstream URLs must not have a query or fragment");
    } else if ((why = normalised_path(auth_end, (size_t)(end - auth_end), 1, &up->base_path)) !=
               NULL) {
        return fail(l, n, "the path of '%s' %s", s, why);
    }
    return 0;
}

static int load_version(loader_t *l, const spec_node_t *key, const spec_node_t *value,
                        gw_version_t *v, const char *canon, const char *doc_file)
{
    static const char *const keys[] = {"upstream", "spec", "record", NULL};
    const spec_node_t *n;
    v->name = xstrdup(key->u.scalar.str);
    v->canonical = xstrdup(canon);
    v->pos = (spec_pos_t){doc_file, key->pos.line, key->pos.col};
    if (value->kind == SPEC_NODE_SCALAR && value->scalar_type == SPEC_SCALAR_NULL)
        return 0; /* "v1:" alone: served through a newer version (checked by the caller) */
    if (check_keys(l, value, keys) != 0)
        return -1;
    if ((n = spec_node_get(value, "upstream")) != NULL) {
        mark_t m = enter_key(l, "upstream");
        if (load_upstream(l, n, &v->upstream) != 0)
            return -1;
        v->has_upstream = 1;
        leave(l, m);
    }
    if ((n = spec_node_get(value, "spec")) != NULL) {
        mark_t m = enter_key(l, "spec");
        if (read_path(l, n, &v->spec_path) != 0)
            return -1;
        leave(l, m);
    }
    if ((n = spec_node_get(value, "record")) != NULL) {
        mark_t m = enter_key(l, "record");
        if (gw__record_config_load(l, n, &v->record) != 0)
            return -1;
        leave(l, m);
    }
    return 0;
}

static int load_versions(loader_t *l, const spec_node_t *map, gw_api_t *api, const char *doc_file)
{
    if (expect_mapping(l, map) != 0)
        return -1;
    if (map->u.map.len == 0)
        return fail(l, map, "at least one version is required");
    api->versions = xcalloc(map->u.map.len, sizeof(*api->versions));
    api->num_versions = map->u.map.len;
    for (size_t i = 0; i != map->u.map.len; ++i) {
        const spec_node_t *key = map->u.map.items[i].key;
        const char *name = NULL;
        char canon[GW_VERSION_NAME_MAX];
        mark_t m = enter_key(l, key->u.scalar.str);
        if (read_version_name(l, key, &name, canon) != 0)
            return -1;
        for (size_t j = 0; j != i; ++j)
            if (strcmp(api->versions[j].canonical, canon) == 0)
                return fail(l, key, "version '%s' is the same as version '%s' (both mean %s)", name,
                            api->versions[j].name, canon);
        if (load_version(l, key, map->u.map.items[i].value, api->versions + i, canon, doc_file) !=
            0)
            return -1;
        leave(l, m);
    }
    /* A version without its own upstream is served by adapting to a newer one (issue 4), so
     * some later version must have an upstream. */
    for (size_t i = api->num_versions; i-- != 0;) {
        if (api->versions[i].has_upstream)
            break;
        const spec_node_t *key = map->u.map.items[i].key;
        mark_t m = enter_key(l, key->u.scalar.str);
        fail(l, key, "version '%s' has no upstream, and no newer version has one",
             api->versions[i].name);
        leave(l, m);
        return -1;
    }
    return 0;
}

static int load_timeouts(loader_t *l, const spec_node_t *n, gw_api_t *api)
{
    static const char *const keys[] = {"connect_ms", "response_ms", NULL};
    if (check_keys(l, n, keys) != 0 ||
        opt_uint(l, n, "connect_ms", 1, MAX_TIMEOUT_MS, &api->connect_timeout_ms) != 0 ||
        opt_uint(l, n, "response_ms", 1, MAX_TIMEOUT_MS, &api->response_timeout_ms) != 0)
        return -1;
    return 0;
}

static int is_name(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > MAX_NAME_LEN)
        return 0;
    for (; *s != '\0'; ++s)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static int load_api(loader_t *l, const spec_node_t *n, gw_config_t *cfg, size_t index,
                    const spec_node_t **prefix_nodes, const spec_node_t **name_nodes)
{
    static const char *const keys[] = {"name",    "prefix",   "versions", "timeouts",
                                       "default", "adapters", "shadow",   "record", NULL};
    gw_api_t *api = cfg->apis + index;
    const spec_node_t *name, *prefix, *versions, *v;
    const char *s, *why;
    api->connect_timeout_ms = 1000;
    api->response_timeout_ms = 15000;
    if (check_keys(l, n, keys) != 0 || (name = require(l, n, "name")) == NULL ||
        (versions = require(l, n, "versions")) == NULL)
        return -1;
    prefix = spec_node_get(n, "prefix");

    mark_t m = enter_key(l, "name");
    if (read_string(l, name, &s) != 0)
        return -1;
    if (!is_name(s))
        return fail(l, name,
                    "invalid API name '%s' (letters, digits, '.', '_' and '-', at most %d)", s,
                    MAX_NAME_LEN);
    for (size_t j = 0; j != index; ++j)
        if (strcmp(cfg->apis[j].name, s) == 0)
            return fail(l, name, "duplicate API name '%s' (also apis[%zu], line %u)", s, j,
                        name_nodes[j]->pos.line);
    api->name = xstrdup(s);
    name_nodes[index] = name;
    leave(l, m);

    if (prefix != NULL) {
        m = enter_key(l, "prefix");
        if (read_string(l, prefix, &s) != 0)
            return -1;
        if ((why = normalised_path(s, strlen(s), 0, &api->prefix)) != NULL)
            return fail(l, prefix, "'%s' %s", s, why);
        api->prefix_len = strlen(api->prefix);
        for (size_t j = 0; j != index; ++j)
            if (!cfg->apis[j].spec_routed && strcmp(cfg->apis[j].prefix, api->prefix) == 0)
                return fail(l, prefix, "prefix '%s' is already owned by API '%s' (line %u)", s,
                            cfg->apis[j].name, prefix_nodes[j]->pos.line);
        prefix_nodes[index] = prefix;
        leave(l, m);
    } else {
        api->prefix = xstrdup("");
        api->spec_routed = 1;
    }

    m = enter_key(l, "versions");
    if (load_versions(l, versions, api, cfg->doc_file) != 0)
        return -1;
    leave(l, m);
    if (api->spec_routed)
        for (size_t i = 0; i != api->num_versions; ++i)
            if (api->versions[i].spec_path == NULL)
                return fail(l, n,
                            "API '%s' has no 'prefix', so every version must name a 'spec' "
                            "(version %s has none)",
                            api->name, api->versions[i].name);

    if ((v = spec_node_get(n, "timeouts")) != NULL) {
        m = enter_key(l, "timeouts");
        if (load_timeouts(l, v, api) != 0)
            return -1;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "adapters")) != NULL) {
        m = enter_key(l, "adapters");
        if (read_path(l, v, &api->adapters_path) != 0)
            return -1;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "default")) != NULL) {
        char canon[GW_VERSION_NAME_MAX];
        m = enter_key(l, "default");
        if (read_version_name(l, v, &s, canon) != 0)
            return -1;
        if ((api->default_version = gw_version_find(api, s, strlen(s))) == NULL) {
            char known[200];
            gw_version_list(api, known, sizeof(known));
            return fail(l, v, "unknown version '%s' (API '%s' has %s)", s, api->name, known);
        }
        leave(l, m);
    }
    if ((v = spec_node_get(n, "record")) != NULL) {
        m = enter_key(l, "record");
        if (gw__record_config_load(l, v, &api->record) != 0)
            return -1;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "shadow")) != NULL) {
        m = enter_key(l, "shadow");
        if (gw_shadow__config_load(l, v, api) != 0)
            return -1;
        leave(l, m);
    }
    return 0;
}

/* Every API gets a default: its own `default`, else versioning.default (which it must then
 * have), else its newest version. */
static int resolve_defaults(loader_t *l, const spec_node_t *root, gw_config_t *cfg)
{
    const char *name = cfg->versioning.default_version;
    for (size_t i = 0; i != cfg->num_apis; ++i) {
        gw_api_t *api = cfg->apis + i;
        if (api->default_version != NULL)
            continue;
        if (name == NULL) {
            api->default_version = api->versions + api->num_versions - 1;
            continue;
        }
        if ((api->default_version = gw_version_find(api, name, strlen(name))) == NULL) {
            char known[200];
            gw_version_list(api, known, sizeof(known));
            const spec_node_t *n = spec_node_get(spec_node_get(root, "versioning"), "default");
            mark_t m = enter_key(l, "versioning");
            enter_key(l, "default");
            fail(l, n, "unknown version '%s' for API '%s' (it has %s); set `default` on that API",
                 name, api->name, known);
            leave(l, m);
            return -1;
        }
    }
    return 0;
}

static int load_apis(loader_t *l, const spec_node_t *seq, gw_config_t *cfg)
{
    if (seq->kind != SPEC_NODE_SEQUENCE)
        return fail(l, seq, "expected a sequence of APIs, got %s", spec_node_type_name(seq));
    if (seq->u.seq.len == 0)
        return fail(l, seq, "at least one API is required");
    size_t count = seq->u.seq.len;
    cfg->apis = xcalloc(count, sizeof(*cfg->apis));
    cfg->num_apis = count;
    const spec_node_t **prefix_nodes = xcalloc(count, sizeof(*prefix_nodes));
    const spec_node_t **name_nodes = xcalloc(count, sizeof(*name_nodes));
    int ret = 0;
    for (size_t i = 0; i != count && ret == 0; ++i) {
        mark_t m = enter_index(l, i);
        if ((ret = load_api(l, seq->u.seq.items[i], cfg, i, prefix_nodes, name_nodes)) == 0)
            leave(l, m);
    }
    free(prefix_nodes);
    free(name_nodes);
    return ret;
}

/* --- the whole file --- */

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

static int load_root(loader_t *l, const spec_node_t *root, gw_config_t *cfg)
{
    static const char *const keys[] = {"listen",     "admin", "threads", "access_log",
                                       "versioning", "apis",  "limits",  "shutdown_timeout_ms",
                                       NULL};
    const spec_node_t *n;
    if (root->kind != SPEC_NODE_MAPPING)
        return fail(l, root, "the configuration must be a mapping, got %s",
                    spec_node_type_name(root));
    if (check_keys(l, root, keys) != 0 || (n = require(l, root, "listen")) == NULL)
        return -1;
    if (spec_node_get(root, "apis") == NULL)
        return fail(l, root, "missing required key 'apis'");

    mark_t m = enter_key(l, "listen");
    if (load_listen(l, n, cfg) != 0)
        return -1;
    leave(l, m);
    if ((n = spec_node_get(root, "admin")) != NULL) {
        m = enter_key(l, "admin");
        if (load_admin(l, n, cfg) != 0)
            return -1;
        leave(l, m);
    }
    cfg->threads = online_cpus();
    if ((n = spec_node_get(root, "threads")) != NULL) {
        uint64_t t;
        m = enter_key(l, "threads");
        if (read_uint(l, n, 1, MAX_THREADS, &t) != 0)
            return -1;
        cfg->threads = (unsigned)t;
        leave(l, m);
    }
    cfg->access_log.target = GW_LOG_STDOUT;
    if ((n = spec_node_get(root, "access_log")) != NULL) {
        m = enter_key(l, "access_log");
        if (load_access_log(l, n, cfg) != 0)
            return -1;
        leave(l, m);
    }
    if ((n = spec_node_get(root, "versioning")) != NULL) {
        m = enter_key(l, "versioning");
        if (load_versioning(l, n, cfg) != 0)
            return -1;
        leave(l, m);
    }
    cfg->limits.max_request_body = 16 * 1024 * 1024;
    cfg->limits.max_adapted_body = 8 * 1024 * 1024;
    cfg->limits.max_upstream_conns = 256;
    cfg->limits.upstream_keepalive_ms = 10000;
    if ((n = spec_node_get(root, "limits")) != NULL) {
        m = enter_key(l, "limits");
        if (load_limits(l, n, cfg) != 0)
            return -1;
        leave(l, m);
    }
    cfg->shutdown_timeout_ms = 10000;
    if ((n = spec_node_get(root, "shutdown_timeout_ms")) != NULL) {
        m = enter_key(l, "shutdown_timeout_ms");
        if (read_uint(l, n, 0, MAX_TIMEOUT_MS, &cfg->shutdown_timeout_ms) != 0)
            return -1;
        leave(l, m);
    }
    m = enter_key(l, "apis");
    if (load_apis(l, spec_node_get(root, "apis"), cfg) != 0)
        return -1;
    leave(l, m);
    return resolve_defaults(l, root, cfg);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return xstrdup(".");
    return xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static char *absolute(const char *path)
{
    if (path[0] == '/')
        return xstrdup(path);
    char *cwd = getcwd(NULL, 0);
    if (cwd == NULL)
        return xstrdup(path);
    char *abs = xasprintf("%s/%s", cwd, path);
    free(cwd);
    return abs;
}

static int from_doc(const spec_doc_t *doc, char *file, const char *base_dir, gw_config_t **out,
                    spec_error_t *err)
{
    gw_config_t *cfg = xcalloc(1, sizeof(*cfg));
    cfg->refcnt = 1;
    cfg->file = file;
    cfg->doc_file = xstrdup(spec_doc_file(doc));
    char *dir = base_dir != NULL ? absolute(base_dir) : dir_of(file);
    loader_t l = {.err = err, .base_dir = dir};
    const spec_node_t *root = spec_doc_root(doc);
    int ret = root == NULL ? spec_error_at(err, NULL, "the configuration is empty")
                           : load_root(&l, root, cfg);
    free(dir);
    if (ret != 0) {
        if (root == NULL)
            snprintf(err->file, sizeof(err->file), "%s", spec_doc_file(doc));
        gw_config_release(cfg);
        return -1;
    }
    *out = cfg;
    return 0;
}

int gw_config_from_doc(const spec_doc_t *doc, const char *base_dir, gw_config_t **out,
                       spec_error_t *err)
{
    return from_doc(doc, absolute(spec_doc_file(doc)), base_dir, out, err);
}

/* Specs load here, at start-up and for --check, never on the request path. A spec with errors
 * (unresolved $refs, structural problems) is refused: routing on a broken spec would be wrong. */
static int load_specs(gw_config_t *cfg, spec_error_t *err)
{
    for (size_t a = 0; a != cfg->num_apis; ++a) {
        for (size_t i = 0; i != cfg->apis[a].num_versions; ++i) {
            gw_version_t *v = &cfg->apis[a].versions[i];
            if (v->spec_path == NULL)
                continue;
            if (spec_load(&v->spec, v->spec_path, NULL, err) != 0)
                return -1;
            if (spec_error_count(v->spec) == 0)
                continue;
            size_t n;
            const spec_problem_t *p = spec_problems(v->spec, &n);
            for (size_t k = 0; k != n; ++k)
                if (p[k].severity == SPEC_SEVERITY_ERROR) {
                    *err = p[k].error;
                    break;
                }
            char msg[sizeof(err->message)];
            snprintf(msg, sizeof(msg), "in the spec of %.64s %.64s: %.360s", cfg->apis[a].name,
                     v->name, err->message);
            memcpy(err->message, msg, sizeof(msg));
            return -1;
        }
    }
    return 0;
}

/* An API with an adapter file, or with a version that has no upstream of its own, gets a
 * compiled adapter registry; the file is checked against the specs of every version here. */
static int load_adapters(gw_config_t *cfg, spec_error_t *err)
{
    for (size_t a = 0; a != cfg->num_apis; ++a) {
        gw_api_t *api = &cfg->apis[a];
        int needed = api->adapters_path != NULL;
        for (size_t i = 0; i != api->num_versions; ++i)
            needed |= !api->versions[i].has_upstream;
        if (!needed)
            continue;
        adp_version_info_t *infos = xcalloc(api->num_versions, sizeof(*infos));
        for (size_t i = 0; i != api->num_versions; ++i)
            infos[i] = (adp_version_info_t){api->versions[i].name, api->versions[i].spec,
                                             api->versions[i].has_upstream};
        adp_load_options_t opts = {.api = api->name};
        int ret;
        if (api->adapters_path != NULL) {
            ret = adp_registry_load(&api->adapters, api->adapters_path, infos, api->num_versions,
                                    &opts, err);
        } else { /* no changes declared: versions without upstream are served as the next one */
            char doc[128];
            int len = snprintf(doc, sizeof(doc), "api: %s\n", api->name);
            ret = adp_registry_parse(&api->adapters, cfg->doc_file, doc, (size_t)len, infos,
                                     api->num_versions, &opts, err);
        }
        free(infos);
        if (ret != 0)
            return -1;
    }
    return 0;
}

int gw_config_load(const char *path, gw_config_t **out, spec_error_t *err)
{
    spec_limits_t limits = {.max_file_bytes = MAX_CONFIG_BYTES};
    spec_doc_t *doc;
    if (spec_doc_load(&doc, path, &limits, err) != 0)
        return -1;
    char *file = realpath(path, NULL);
    if (file == NULL) /* raced with a rename or unlink: fall back to the name we read */
        file = absolute(path);
    int ret = from_doc(doc, file, NULL, out, err);
    spec_doc_destroy(doc);
    if (ret == 0 && ((ret = load_specs(*out, err)) != 0 || (ret = load_adapters(*out, err)) != 0))
        gw_config_release(*out);
    return ret;
}

gw_config_t *gw_config_retain(gw_config_t *cfg)
{
    if (cfg != NULL)
        __atomic_add_fetch(&cfg->refcnt, 1, __ATOMIC_RELAXED);
    return cfg;
}

static void free_upstream(gw_upstream_t *up)
{
    free(up->url);
    free(up->host);
    free(up->authority);
    free(up->base_path);
}

static void free_api(gw_api_t *api)
{
    free(api->name);
    free(api->prefix);
    for (size_t i = 0; i != api->num_versions; ++i) {
        free(api->versions[i].name);
        free(api->versions[i].canonical);
        free(api->versions[i].spec_path);
        spec_destroy(api->versions[i].spec);
        gw__record_config_free(api->versions[i].record);
        free_upstream(&api->versions[i].upstream);
    }
    free(api->versions);
    free(api->adapters_path);
    adp_registry_destroy(api->adapters);
    gw__record_config_free(api->record);
    gw_shadow__config_free(api->shadows, api->num_shadows);
}

void gw_config_release(gw_config_t *cfg)
{
    if (cfg == NULL || __atomic_sub_fetch(&cfg->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    free(cfg->file);
    free(cfg->doc_file);
    for (size_t i = 0; i != cfg->num_listen; ++i) {
        free(cfg->listen[i].address);
        free(cfg->listen[i].host);
        free(cfg->listen[i].tls_certificate);
        free(cfg->listen[i].tls_key);
    }
    free(cfg->listen);
    free(cfg->admin.address);
    free(cfg->admin.host);
    free(cfg->access_log.path);
    free(cfg->versioning.default_version);
    free(cfg->versioning.media_type);
    free(cfg->versioning.header);
    free(cfg->versioning.header_lower);
    for (size_t i = 0; i != cfg->num_apis; ++i)
        free_api(cfg->apis + i);
    free(cfg->apis);
    free(cfg);
}

int gw_parse_size(const char *s, size_t *out)
{
    static const struct {
        const char *unit;
        uint64_t mult;
    } units[] = {
        {"", 1},
        {"b", 1},
        {"kb", 1000},
        {"mb", 1000 * 1000},
        {"gb", 1000 * 1000 * 1000},
        {"tb", 1000ull * 1000 * 1000 * 1000},
        {"kib", 1024},
        {"mib", 1024 * 1024},
        {"gib", 1024 * 1024 * 1024},
        {"tib", 1024ull * 1024 * 1024 * 1024},
    };
    const char *p = s;
    uint64_t v = 0;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; ++p) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (*p == ' ' && p[1] != '\0')
        ++p;
    for (size_t i = 0; i != sizeof(units) / sizeof(units[0]); ++i) {
        if (strcasecmp(p, units[i].unit) != 0)
            continue;
        if (v > UINT64_MAX / units[i].mult || v * units[i].mult > SIZE_MAX)
            return -1;
        *out = (size_t)(v * units[i].mult);
        return 0;
    }
    return -1;
}

/* --- the loader, for sub-key loaders in other files (config.h, "internal") --- */

gw__config_mark_t gw__config_enter_key(gw__config_loader_t *l, const char *key)
{
    return enter_key(l, key);
}

gw__config_mark_t gw__config_enter_index(gw__config_loader_t *l, size_t i)
{
    return enter_index(l, i);
}

void gw__config_leave(gw__config_loader_t *l, gw__config_mark_t m)
{
    leave(l, m);
}

int gw__config_fail(gw__config_loader_t *l, const spec_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(l, n, fmt, ap);
    va_end(ap);
    return -1;
}

int gw__config_check_keys(gw__config_loader_t *l, const spec_node_t *n,
                          const char *const *allowed)
{
    return check_keys(l, n, allowed);
}

const spec_node_t *gw__config_require(gw__config_loader_t *l, const spec_node_t *map,
                                      const char *key)
{
    return require(l, map, key);
}

int gw__config_read_string(gw__config_loader_t *l, const spec_node_t *n, const char **out)
{
    return read_string(l, n, out);
}

int gw__config_read_uint(gw__config_loader_t *l, const spec_node_t *n, uint64_t min,
                         uint64_t max, uint64_t *out)
{
    return read_uint(l, n, min, max, out);
}

int gw__config_read_size(gw__config_loader_t *l, const spec_node_t *n, size_t *out)
{
    return read_size(l, n, out);
}

int gw__config_opt_uint(gw__config_loader_t *l, const spec_node_t *map, const char *key,
                        uint64_t min, uint64_t max, uint64_t *out)
{
    return opt_uint(l, map, key, min, max, out);
}

int gw__config_opt_size(gw__config_loader_t *l, const spec_node_t *map, const char *key,
                        size_t *out)
{
    return opt_size(l, map, key, out);
}

int gw__config_read_path(gw__config_loader_t *l, const spec_node_t *n, char **out)
{
    return read_path(l, n, out);
}

int gw__config_read_upstream(gw__config_loader_t *l, const spec_node_t *n, gw_upstream_t *up)
{
    return load_upstream(l, n, up);
}

void gw__config_free_upstream(gw_upstream_t *up)
{
    free_upstream(up);
}
