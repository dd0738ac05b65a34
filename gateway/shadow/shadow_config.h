/* Shadow traffic settings (an API's `shadow` entries, docs/shadow.md): parsed and compiled at
 * config load (diff rules included), then immutable and shared by every thread. */
#ifndef GW_SHADOW_CONFIG_H
#define GW_SHADOW_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "ct_report.h"
#include "ct_rules.h"

#define GW_SHADOW_MAX_ENTRIES 64 /* per API */
#define GW_SHADOW_MAX_BODY_LIMIT ((size_t)256 * 1024 * 1024)

typedef struct st_gw_shadow_header_t {
    char *name; /* lower case */
    char *value;
} gw_shadow_header_t;

/* One `shadow` entry: traffic served by `version` is also sent to a candidate (and optionally a
 * secondary), and the answers are compared. Everything is owned by the config. */
typedef struct st_gw_shadow_conf_t {
    const gw_version_t *version;           /* the primary */
    const gw_version_t *candidate_version; /* cross-version shadowing, else NULL */
    /* Where mirrored requests go: &candidate_url, or candidate_version's upstream. */
    const gw_upstream_t *candidate;
    gw_upstream_t candidate_url;
    int has_secondary;
    gw_upstream_t secondary;
    const char *label; /* the candidate as written: its URL or its version name */
    double sample;     /* 0..1 */
    char **methods;    /* case-sensitive tokens (RFC 9110 §9.1); default GET, HEAD */
    size_t num_methods;
    uint64_t max_inflight; /* shadowed requests in flight, over all threads */
    uint64_t timeout_ms;   /* whole candidate / secondary exchange, connect to last byte */
    size_t max_body;       /* request bodies mirrored and response bodies captured, each */
    char **remove;         /* request headers not mirrored, lower case */
    size_t num_remove;
    gw_shadow_header_t *set; /* request headers set on mirrored requests */
    size_t num_set;
    ct_rules_t *rules;         /* ignore rules and matchers, scoped by operation */
    ct_report_config_t report; /* thresholds */
    struct {
        char *path; /* absolute; NULL: no diff log */
        size_t max_bytes;
        unsigned keep; /* rotated files kept: path.1 .. path.<keep> */
    } log;
    /* `validate: true`: the candidate's answers are held to the candidate's spec
     * (candidate_version's, else version's), shadow_validate.c */
    int validate;
    spec_pos_t pos; /* of the entry, for messages */
} gw_shadow_conf_t;

/* 1 when `method` is one the entry mirrors. */
int gw_shadow_conf_mirrors_method(const gw_shadow_conf_t *conf, const char *method, size_t len);

/* Internal (config_apis.c): parses the `shadow` sequence of `api`, whose versions are loaded.
 * Returns 0, or -1 with the error recorded through the loader; api->shadows is set either way
 * (freed with the config). */
int gw_shadow__config_load(gw__config_loader_t *l, const spec_node_t *seq, gw_api_t *api);
/* Frees the entries; accepts NULL. */
void gw_shadow__config_free(gw_shadow_conf_t *shadows, size_t n);

#endif
