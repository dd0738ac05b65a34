/* The compiled gateway configuration: loaded once from YAML, validated, then immutable and shared
 * by every thread through a reference count (a reload swaps the pointer; in-flight requests keep
 * the config they started with). */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "node.h"
#include "spec.h"

/* An upstream base URL: "http://127.0.0.1:9001/legacy" -> host, port, base_path "/legacy".
 * base_path never ends with '/' ("" for the root) so the request path is appended as is. */
typedef struct st_gw_upstream_t {
    char *url;       /* as written */
    char *host;      /* lowercased, IPv6 without brackets: "::1" */
    char *authority; /* host[:port] as written in the URL, brackets kept: for the Host header */
    uint16_t port;   /* 80 / 443 when the URL has none */
    int is_tls;      /* https:// */
    char *base_path;
} gw_upstream_t;

typedef struct st_gw_version_t {
    char *name;      /* as configured: "v1" */
    char *canonical; /* for matching selectors: "1" (see gw_version_canonical) */
    int has_upstream;
    gw_upstream_t upstream;
    char *spec_path; /* absolute, or NULL */
    spec_t *spec;    /* loaded by gw_config_load (not by gw_config_from_doc); owned */
    /* the spec is an earlier version's (same file): read it, never destroy it. A spec_t is
     * immutable once loaded, so one parsed copy serves every version that names the file */
    int spec_borrowed;
    struct st_gw_record_conf_t *record; /* `record` of this version (record.h), or NULL */
    spec_pos_t pos;  /* of the version's key; pos.file points at gw_config_t.doc_file */
} gw_version_t;

typedef struct st_gw_api_t {
    char *name;
    char *prefix; /* normalised: starts with '/', no trailing '/', "" when it owns "/" */
    size_t prefix_len;
    /* No `prefix` configured: every version names a spec, and the API owns the paths its specs
     * define (prefix is then ""). */
    int spec_routed;
    gw_version_t *versions; /* in config order, oldest first */
    size_t num_versions;
    /* Never NULL: per-API `default`, else versioning.default (which every API without its own
     * default must then have), else the newest (last) version. */
    const gw_version_t *default_version;
    uint64_t connect_timeout_ms;  /* default 1000 */
    uint64_t response_timeout_ms; /* default 15000: first byte and between reads */
    char *adapters_path;          /* absolute, or NULL */
    spec_pos_t adapters_pos;      /* of the `adapters` value (file: gw_config_t.doc_file) */
    /* Compiled adapter chains (adapters.h), loaded by gw_config_load when the API has an adapter
     * file or a version without upstream; NULL otherwise. Owned. */
    struct st_adp_registry_t *adapters;
    struct st_gw_record_conf_t *record; /* `record` of the API (record.h), or NULL */
    struct st_gw_shadow_conf_t *shadows; /* `shadow` entries in config order (shadow_config.h) */
    size_t num_shadows;
    struct st_gw_validate_conf_t *validate; /* `validate` (validate.h), or NULL: off */
} gw_api_t;

typedef struct st_gw_listen_conf_t {
    char *address; /* as written, "127.0.0.1:8080" */
    char *host;    /* lowercased, IPv6 without brackets; never resolved at load */
    uint16_t port;
    char *tls_certificate; /* absolute paths, NULL for cleartext (HTTP/1.1 + h2c) */
    char *tls_key;
    spec_pos_t pos; /* of the address; pos.file points at gw_config_t.doc_file */
} gw_listen_conf_t;

typedef enum gw_log_target {
    GW_LOG_OFF,
    GW_LOG_STDOUT,
    GW_LOG_STDERR,
    GW_LOG_FILE,
} gw_log_target_t;

/* Request header names with '_' (nginx's underscores_in_headers): WSGI and CGI upstreams read
 * X_Forwarded_For as X-Forwarded-For, so a client could forge a gateway-set field. */
typedef enum gw_underscores {
    GW_UNDERSCORES_DROP,
    GW_UNDERSCORES_REJECT,
    GW_UNDERSCORES_FORWARD,
} gw_underscores_t;

typedef struct st_gw_config_t {
    unsigned refcnt; /* atomic; see retain/release */
    char *file;      /* the config file, absolute */
    char *doc_file;  /* the file name as positions (and error messages) spell it */
    gw_listen_conf_t *listen;
    size_t num_listen;
    struct {
        char *address; /* NULL: no admin listener */
        char *host;
        uint16_t port;
        spec_pos_t pos;
    } admin;
    unsigned threads; /* 1..256; absent in the file: online CPUs (capped at 256) */
    struct {
        gw_log_target_t target; /* GW_LOG_STDOUT when absent */
        char *path;             /* GW_LOG_FILE only, absolute */
        spec_pos_t pos;         /* of the value; line 0 when absent */
    } access_log;
    struct {
        char *default_version; /* name; each API resolves it to its own gw_version_t */
        char *media_type;      /* lowercased, e.g. "application/vnd.acme+json", or NULL */
        char *header;          /* e.g. "Api-Version", or NULL */
        char *header_lower;    /* "api-version": h2o lowercases request header names */
    } versioning;
    gw_api_t *apis;
    size_t num_apis;
    struct {
        size_t max_request_body;        /* default 16 MiB; 413 beyond */
        size_t max_adapted_body;        /* default 8 MiB: adapted responses beyond get 502 */
        size_t max_upstream_conns;      /* per upstream per thread, default 256 */
        uint64_t upstream_keepalive_ms; /* idle pooled connections closed after, default 10000 */
        /* the connection guard (docs/security.md) */
        size_t max_request_head;      /* HTTP/1.1 head bytes, default 64 KiB; 431 beyond */
        size_t max_request_headers;   /* header fields, default 100 (h2o's own maximum) */
        size_t max_body_memory_per_connection; /* default 2 x max_request_body (+ 1 MiB) */
        size_t max_body_memory;       /* all connections, default 256 MiB */
        uint64_t http2_max_concurrent_requests; /* per connection, default 100 */
        uint64_t http2_max_resets_per_second;   /* per connection, default 100 */
        uint64_t client_request_timeout_ms;     /* HTTP/1.1 head and body, default 10000 */
        uint64_t client_idle_timeout_ms;        /* HTTP/2 idle connection, default 10000 */
        uint64_t tls_handshake_timeout_ms;      /* default 10000 */
        /* issue 11: new upstream connections are paced and requests queue for a pooled one */
        size_t upstream_max_connecting;      /* opening at once per upstream, default 16 */
        size_t upstream_queue;               /* requests waiting per upstream, default 4096 */
        uint64_t upstream_queue_timeout_ms;  /* longest wait for a connection, default 5000 */
    } limits;
    gw_underscores_t underscores_in_headers; /* default GW_UNDERSCORES_DROP */
    char *spec_ref_root; /* absolute; NULL: each spec's $refs stay in its own directory */
    uint32_t spec_max_files; /* files per spec; 0: the loader's default (20000) */
    uint64_t shutdown_timeout_ms; /* SIGTERM drain bound, default 10000 */
    struct st_gw_tracing_conf_t *tracing; /* `tracing` (trace.h), or NULL: off */
} gw_config_t;

/* Loads and validates `path`, then the OpenAPI spec each version names (a spec with errors
 * fails the load with the first error's position). Relative file paths inside the config are resolved against the
 * config file's directory. Returns 0 and a config with refcnt 1, or -1 with `err` holding
 * file:line:col, the JSON pointer and a message that starts with the offending key ("apis[0].
 * prefix: ..."): unknown keys, wrong types, bad addresses, duplicate listeners, API names or
 * prefixes, unknown default version, bad upstream URLs, TLS files that are unreadable, not PEM or
 * do not match (read at load so `--check` catches them). Never prints; blocking file I/O. */
int gw_config_load(const char *path, gw_config_t **out, spec_error_t *err);
/* Same from a parsed document (used by tests). `base_dir` NULL means the directory of the
 * document's file name; relative names are taken against the working directory. */
int gw_config_from_doc(const spec_doc_t *doc, const char *base_dir, gw_config_t **out,
                       spec_error_t *err);
/* Reference counting, thread-safe. release frees at zero; both accept NULL. */
gw_config_t *gw_config_retain(gw_config_t *cfg);
void gw_config_release(gw_config_t *cfg);

/* ---- Internal: loaders of sub-keys kept in other files (record.c, shadow/shadow_config.c)
 * share the loader's error context, so their errors carry the same file:line:col, key path
 * ("apis[0].shadow[1].sample: ...") and JSON pointer. Valid only during gw_config_load/from_doc.
 * What only the loader's own files (config*.c) share is in config_internal.h. */
typedef struct st_gw__config_loader_t gw__config_loader_t;
typedef struct st_gw__config_mark_t {
    size_t where, pointer;
} gw__config_mark_t;
/* Descend into a key or index for messages and pointers; leave() restores the mark. */
gw__config_mark_t gw__config_enter_key(gw__config_loader_t *l, const char *key);
gw__config_mark_t gw__config_enter_index(gw__config_loader_t *l, size_t i);
void gw__config_leave(gw__config_loader_t *l, gw__config_mark_t m);
/* Records an error at `n` (prefixed with the current key path); returns -1. */
int gw__config_fail(gw__config_loader_t *l, const spec_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The readers below record an error and return -1 (NULL) on bad input, as in config_read.c. */
int gw__config_check_keys(gw__config_loader_t *l, const spec_node_t *n,
                          const char *const *allowed);
const spec_node_t *gw__config_require(gw__config_loader_t *l, const spec_node_t *map,
                                      const char *key);
int gw__config_read_string(gw__config_loader_t *l, const spec_node_t *n, const char **out);
int gw__config_read_uint(gw__config_loader_t *l, const spec_node_t *n, uint64_t min,
                         uint64_t max, uint64_t *out);
int gw__config_read_size(gw__config_loader_t *l, const spec_node_t *n, size_t *out);
/* Optional keys of a mapping: absent leaves *out alone and returns 0; present is read as above
 * (positions and messages name the key). */
int gw__config_opt_uint(gw__config_loader_t *l, const spec_node_t *map, const char *key,
                        uint64_t min, uint64_t max, uint64_t *out);
int gw__config_opt_size(gw__config_loader_t *l, const spec_node_t *map, const char *key,
                        size_t *out);
/* Made absolute against the config file's directory; *out is malloc'ed. */
int gw__config_read_path(gw__config_loader_t *l, const spec_node_t *n, char **out);
/* An http(s) URL as `upstream` takes it; free with gw__config_free_upstream (also on error). */
int gw__config_read_upstream(gw__config_loader_t *l, const spec_node_t *n, gw_upstream_t *up);
void gw__config_free_upstream(gw_upstream_t *up);
/* 1 when `s` is a non-empty token (RFC 9110 §5.6.2): header names, methods, media type parts. */
int gw__config_is_token(const char *s);

/* Parses sizes such as "16MiB", "512KiB", "1GiB", "1048576" (also KB/MB/GB/TB as powers of
 * 1000, B, TiB; units case-insensitive, one optional space before the unit). Returns 0, or -1 on
 * bad syntax or overflow. */
int gw_parse_size(const char *s, size_t *out);

#endif
