/* The `shadow` key of an API: each entry's targets, sampling, limits, request header edits and
 * diff rules, validated with positions through the config loader (config.h) and compiled once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <h2o/memory.h>
#include <h2o/string_.h>
#include "shadow_config.h"
#include "version.h"

#define MAX_TIMEOUT_MS (24 * 3600 * 1000)
#define DEFAULT_MAX_BODY ((size_t)1024 * 1024)
#define DEFAULT_LOG_BYTES ((size_t)64 * 1024 * 1024)
#define MIN_LOG_BYTES ((size_t)4096)
#define MAX_LOG_KEEP 100
#define MAX_LIST 256 /* methods, header names, rules per list */

/* the config loader's readers (config.h) under short names */
typedef gw__config_loader_t loader_t;
typedef gw__config_mark_t mark_t;
#define fail gw__config_fail
#define enter_key gw__config_enter_key
#define enter_index gw__config_enter_index
#define leave gw__config_leave

static char *xstrdup(const char *s)
{
    return h2o_strdup(NULL, s, strlen(s)).base;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL)
        h2o_fatal("no memory");
    return p;
}

static char *lowercase_dup(const char *s)
{
    char *out = xstrdup(s);
    h2o_strtolower(out, strlen(out));
    return out;
}

/* Headers a mirrored request must not carry from `set`: the gateway writes the framing and
 * routing ones itself, and hop-by-hop fields are not end-to-end (RFC 9110 §7.6.1). */
static int is_managed_header(const char *lower)
{
    static const char *const names[] = {"host",       "content-length", "transfer-encoding",
                                        "connection", "keep-alive",     "proxy-connection",
                                        "te",         "trailer",        "upgrade",
                                        "expect",     "http2-settings", NULL};
    for (const char *const *n = names; *n != NULL; ++n)
        if (strcmp(*n, lower) == 0)
            return 1;
    return 0;
}

static const gw_version_t *read_version(loader_t *l, const spec_node_t *n, const gw_api_t *api)
{
    const char *s = spec_node_scalar(n);
    if (s == NULL || n->scalar_type == SPEC_SCALAR_NULL || n->scalar_type == SPEC_SCALAR_BOOL) {
        fail(l, n, "expected a version name, got %s", spec_node_type_name(n));
        return NULL;
    }
    const gw_version_t *v = gw_version_find(api, s, n->u.scalar.len);
    if (v == NULL) {
        char known[200];
        gw_version_list(api, known, sizeof(known));
        fail(l, n, "unknown version '%s' (API '%s' has %s)", s, api->name, known);
    }
    return v;
}

static int read_number(loader_t *l, const spec_node_t *n, double min, double max, double *out)
{
    if (spec_node_number(n, out) != 0)
        return fail(l, n, "expected a number, got %s", spec_node_type_name(n));
    if (!isfinite(*out) || *out < min || *out > max) {
        if (isinf(max))
            return fail(l, n, "expected a finite number >= %g, got %s", min, n->u.scalar.str);
        return fail(l, n, "expected a number between %g and %g, got %s", min, max, n->u.scalar.str);
    }
    return 0;
}

static int expect_sequence(loader_t *l, const spec_node_t *n, const char *what)
{
    if (n->kind != SPEC_NODE_SEQUENCE)
        return fail(l, n, "expected a sequence of %s, got %s", what, spec_node_type_name(n));
    if (n->u.seq.len > MAX_LIST)
        return fail(l, n, "at most %d entries", MAX_LIST);
    return 0;
}

/* --- methods and request headers --- */

static int load_methods(loader_t *l, const spec_node_t *seq, gw_shadow_conf_t *c)
{
    if (expect_sequence(l, seq, "methods") != 0)
        return -1;
    if (seq->u.seq.len == 0)
        return fail(l, seq, "at least one method is required (remove the entry to disable it)");
    c->methods = xcalloc(seq->u.seq.len, sizeof(*c->methods));
    for (size_t i = 0; i != seq->u.seq.len; ++i) {
        const spec_node_t *n = seq->u.seq.items[i];
        const char *s;
        mark_t m = enter_index(l, i);
        if (gw__config_read_string(l, n, &s) != 0)
            return -1;
        if (!gw__config_is_token(s))
            return fail(l, n, "'%s' is not a method name", s);
        char *upper = xstrdup(s);
        h2o_strtoupper(upper, strlen(upper));
        int lower_case = strcmp(upper, s) != 0;
        if (lower_case) {
            fail(l, n, "'%s': methods are case-sensitive (RFC 9110 9.1); did you mean '%s'?", s,
                 upper);
            free(upper);
            return -1;
        }
        for (size_t j = 0; j != c->num_methods; ++j)
            if (strcmp(c->methods[j], upper) == 0) {
                free(upper);
                return fail(l, n, "duplicate method '%s'", s);
            }
        c->methods[c->num_methods++] = upper;
        leave(l, m);
    }
    return 0;
}

static int load_remove(loader_t *l, const spec_node_t *seq, gw_shadow_conf_t *c)
{
    if (expect_sequence(l, seq, "header names") != 0)
        return -1;
    c->remove = xcalloc(seq->u.seq.len, sizeof(*c->remove));
    for (size_t i = 0; i != seq->u.seq.len; ++i) {
        const spec_node_t *n = seq->u.seq.items[i];
        const char *s;
        mark_t m = enter_index(l, i);
        if (gw__config_read_string(l, n, &s) != 0)
            return -1;
        if (!gw__config_is_token(s))
            return fail(l, n, "'%s' is not a valid header name", s);
        c->remove[c->num_remove++] = lowercase_dup(s);
        leave(l, m);
    }
    return 0;
}

/* Field values (RFC 9110 §5.5): visible characters, spaces and tabs, no CR, LF or NUL. */
static int is_field_value(const char *s, size_t len)
{
    for (size_t i = 0; i != len; ++i) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return 0;
    }
    return 1;
}

static int load_set(loader_t *l, const spec_node_t *map, gw_shadow_conf_t *c)
{
    if (map->kind != SPEC_NODE_MAPPING)
        return fail(l, map, "expected a mapping of header names to values, got %s",
                    spec_node_type_name(map));
    if (map->u.map.len > MAX_LIST)
        return fail(l, map, "at most %d headers", MAX_LIST);
    c->set = xcalloc(map->u.map.len, sizeof(*c->set));
    for (size_t i = 0; i != map->u.map.len; ++i) {
        const spec_node_t *key = map->u.map.items[i].key, *value = map->u.map.items[i].value;
        mark_t m = enter_key(l, key->u.scalar.str);
        if (!gw__config_is_token(key->u.scalar.str))
            return fail(l, key, "'%s' is not a valid header name", key->u.scalar.str);
        char *name = lowercase_dup(key->u.scalar.str);
        if (is_managed_header(name)) {
            free(name);
            return fail(l, key, "'%s' cannot be set: the gateway writes it", key->u.scalar.str);
        }
        gw_shadow_header_t *h = &c->set[c->num_set++];
        h->name = name; /* owned by the entry from here, also on error */
        const char *v = spec_node_scalar(value);
        if (v == NULL || value->scalar_type == SPEC_SCALAR_NULL)
            return fail(l, value, "expected a header value, got %s", spec_node_type_name(value));
        if (strlen(v) != value->u.scalar.len || !is_field_value(v, value->u.scalar.len))
            return fail(l, value, "header values must not contain control characters");
        h->value = xstrdup(v);
        leave(l, m);
    }
    return 0;
}

static int load_headers(loader_t *l, const spec_node_t *n, gw_shadow_conf_t *c)
{
    static const char *const keys[] = {"remove", "set", NULL};
    const spec_node_t *v;
    if (gw__config_check_keys(l, n, keys) != 0)
        return -1;
    if ((v = spec_node_get(n, "remove")) != NULL) {
        mark_t m = enter_key(l, "remove");
        if (load_remove(l, v, c) != 0)
            return -1;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "set")) != NULL) {
        mark_t m = enter_key(l, "set");
        if (load_set(l, v, c) != 0)
            return -1;
        leave(l, m);
    }
    return 0;
}

/* --- diff rules: ignore and matchers --- */

static int add_rule(loader_t *l, const spec_node_t *at, gw_shadow_conf_t *c, const ct_rule_t *rule)
{
    ct_error_t err;
    if (ct_rules_add(c->rules, rule, &err) != 0)
        return fail(l, at, "%s", err.message);
    return 0;
}

/* A rule's `path` and optional `operation` (operationId, or "METHOD /template" / "METHOD
 * /prefix" when the operation has none: the group names of the report). */
static int read_scope(loader_t *l, const spec_node_t *n, ct_rule_t *rule,
                      const spec_node_t **path_node)
{
    const spec_node_t *v;
    if ((*path_node = gw__config_require(l, n, "path")) == NULL)
        return -1;
    mark_t m = enter_key(l, "path");
    if (gw__config_read_string(l, *path_node, &rule->path) != 0)
        return -1;
    leave(l, m);
    if ((v = spec_node_get(n, "operation")) != NULL) {
        m = enter_key(l, "operation");
        if (gw__config_read_string(l, v, &rule->operation) != 0)
            return -1;
        leave(l, m);
    }
    return 0;
}

static int load_ignore(loader_t *l, const spec_node_t *seq, gw_shadow_conf_t *c)
{
    static const char *const keys[] = {"path", "operation", NULL};
    if (expect_sequence(l, seq, "paths") != 0)
        return -1;
    for (size_t i = 0; i != seq->u.seq.len; ++i) {
        const spec_node_t *n = seq->u.seq.items[i], *at = n;
        ct_rule_t rule = {.match = CT_MATCH_IGNORE};
        mark_t m = enter_index(l, i);
        if (n->kind == SPEC_NODE_MAPPING) {
            if (gw__config_check_keys(l, n, keys) != 0 || read_scope(l, n, &rule, &at) != 0)
                return -1;
        } else if (spec_node_str(n) == NULL) {
            return fail(l, n, "expected a path or a mapping {path, operation}, got %s",
                        spec_node_type_name(n));
        } else if (gw__config_read_string(l, n, &rule.path) != 0) {
            return -1;
        }
        if (add_rule(l, at, c, &rule) != 0)
            return -1;
        leave(l, m);
    }
    return 0;
}

static int load_tolerance(loader_t *l, const spec_node_t *n, ct_rule_t *rule)
{
    static const char *const keys[] = {"absolute", "relative", NULL};
    const spec_node_t *v;
    if (n->kind == SPEC_NODE_SCALAR) /* a bare number is an absolute tolerance */
        return read_number(l, n, 0, HUGE_VAL, &rule->absolute);
    if (gw__config_check_keys(l, n, keys) != 0)
        return -1;
    if ((v = spec_node_get(n, "absolute")) != NULL) {
        mark_t m = enter_key(l, "absolute");
        if (read_number(l, v, 0, HUGE_VAL, &rule->absolute) != 0)
            return -1;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "relative")) != NULL) {
        mark_t m = enter_key(l, "relative");
        if (read_number(l, v, 0, HUGE_VAL, &rule->relative) != 0)
            return -1;
        leave(l, m);
    }
    if (rule->absolute == 0 && rule->relative == 0)
        return fail(l, n, "give an absolute and/or a relative tolerance greater than 0");
    return 0;
}

static int load_matcher(loader_t *l, const spec_node_t *n, gw_shadow_conf_t *c)
{
    static const char *const keys[] = {"path", "operation", "tolerance", "regex", "present", NULL};
    static const char *const kinds[] = {"tolerance", "regex", "present"};
    const spec_node_t *path_node, *v = NULL;
    const char *kind = NULL;
    ct_rule_t rule = {0};
    if (gw__config_check_keys(l, n, keys) != 0 || read_scope(l, n, &rule, &path_node) != 0)
        return -1;
    for (size_t k = 0; k != sizeof(kinds) / sizeof(kinds[0]); ++k) {
        const spec_node_t *found = spec_node_get(n, kinds[k]);
        if (found == NULL)
            continue;
        if (kind != NULL)
            return fail(l, found,
                        "a matcher has one of tolerance, regex or present (this one "
                        "also has %s)",
                        kind);
        kind = kinds[k];
        v = found;
    }
    if (kind == NULL)
        return fail(l, n, "a matcher needs one of tolerance, regex or present");
    mark_t m = enter_key(l, kind);
    if (strcmp(kind, "tolerance") == 0) {
        rule.match = CT_MATCH_TOLERANCE;
        if (load_tolerance(l, v, &rule) != 0)
            return -1;
    } else if (strcmp(kind, "regex") == 0) {
        rule.match = CT_MATCH_REGEX;
        if (gw__config_read_string(l, v, &rule.regex) != 0)
            return -1;
    } else {
        int b;
        rule.match = CT_MATCH_PRESENT;
        if (spec_node_bool(v, &b) != 0 || !b)
            return fail(l, v, "expected true (compare presence only)");
    }
    if (add_rule(l, v, c, &rule) != 0)
        return -1;
    leave(l, m);
    return 0;
}

static int load_matchers(loader_t *l, const spec_node_t *seq, gw_shadow_conf_t *c)
{
    if (expect_sequence(l, seq, "matchers") != 0)
        return -1;
    for (size_t i = 0; i != seq->u.seq.len; ++i) {
        mark_t m = enter_index(l, i);
        if (load_matcher(l, seq->u.seq.items[i], c) != 0)
            return -1;
        leave(l, m);
    }
    return 0;
}

static int load_thresholds(loader_t *l, const spec_node_t *n, gw_shadow_conf_t *c)
{
    static const char *const keys[] = {"relative", "absolute", NULL};
    const spec_node_t *v;
    if (gw__config_check_keys(l, n, keys) != 0)
        return -1;
    /* both are percentages of comparisons (contract-tests/README.md, "Noise and regressions") */
    if ((v = spec_node_get(n, "relative")) != NULL) {
        mark_t m = enter_key(l, "relative");
        if (read_number(l, v, 0, 100, &c->report.relative_threshold) != 0)
            return -1;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "absolute")) != NULL) {
        mark_t m = enter_key(l, "absolute");
        if (read_number(l, v, 0, 100, &c->report.absolute_threshold) != 0)
            return -1;
        leave(l, m);
    }
    return 0;
}

static int load_log(loader_t *l, const spec_node_t *n, gw_shadow_conf_t *c)
{
    static const char *const keys[] = {"file", "max_bytes", "keep", NULL};
    const spec_node_t *v;
    uint64_t u;
    c->log.max_bytes = DEFAULT_LOG_BYTES;
    c->log.keep = 3;
    if (n->kind == SPEC_NODE_SCALAR) /* `log: shadow.log` */
        return gw__config_read_path(l, n, &c->log.path);
    if (gw__config_check_keys(l, n, keys) != 0 || (v = gw__config_require(l, n, "file")) == NULL)
        return -1;
    mark_t m = enter_key(l, "file");
    if (gw__config_read_path(l, v, &c->log.path) != 0)
        return -1;
    leave(l, m);
    if ((v = spec_node_get(n, "max_bytes")) != NULL) {
        m = enter_key(l, "max_bytes");
        if (gw__config_read_size(l, v, &c->log.max_bytes) != 0)
            return -1;
        if (c->log.max_bytes < MIN_LOG_BYTES)
            return fail(l, v, "must be at least %zu bytes", MIN_LOG_BYTES);
        leave(l, m);
    }
    if ((v = spec_node_get(n, "keep")) != NULL) {
        m = enter_key(l, "keep");
        if (gw__config_read_uint(l, v, 0, MAX_LOG_KEEP, &u) != 0)
            return -1;
        c->log.keep = (unsigned)u;
        leave(l, m);
    }
    return 0;
}

/* --- one entry --- */

static int load_targets(loader_t *l, const spec_node_t *n, const gw_api_t *api, gw_shadow_conf_t *c)
{
    const spec_node_t *url = spec_node_get(n, "candidate");
    const spec_node_t *ver = spec_node_get(n, "candidate_version"), *v;
    if (url != NULL && ver != NULL)
        return fail(l, ver, "give either 'candidate' (a URL) or 'candidate_version', not both");
    if (url == NULL && ver == NULL)
        return fail(l, n, "missing 'candidate' (a URL) or 'candidate_version'");
    if (url != NULL) {
        mark_t m = enter_key(l, "candidate");
        if (gw__config_read_upstream(l, url, &c->candidate_url) != 0)
            return -1;
        c->candidate = &c->candidate_url;
        c->label = c->candidate_url.url;
        leave(l, m);
    } else {
        mark_t m = enter_key(l, "candidate_version");
        if ((c->candidate_version = read_version(l, ver, api)) == NULL)
            return -1;
        if (c->candidate_version == c->version)
            return fail(l, ver,
                        "the candidate version must differ from 'version' (%s); to "
                        "shadow a new build of it, give its URL as 'candidate'",
                        c->version->name);
        if (!c->candidate_version->has_upstream)
            return fail(l, ver, "version %s has no upstream to send the candidate requests to",
                        c->candidate_version->name);
        c->candidate = &c->candidate_version->upstream;
        c->label = c->candidate_version->name;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "secondary")) != NULL) {
        mark_t m = enter_key(l, "secondary");
        if (gw__config_read_upstream(l, v, &c->secondary) != 0)
            return -1;
        c->has_secondary = 1;
        leave(l, m);
    }
    return 0;
}

/* Scalar settings; each key is optional. */
static int load_limits(loader_t *l, const spec_node_t *n, gw_shadow_conf_t *c)
{
    const spec_node_t *v;
    if ((v = spec_node_get(n, "sample")) != NULL) {
        mark_t m = enter_key(l, "sample");
        if (read_number(l, v, 0, 1, &c->sample) != 0)
            return -1;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "max_inflight")) != NULL) {
        mark_t m = enter_key(l, "max_inflight");
        if (gw__config_read_uint(l, v, 1, 1000000, &c->max_inflight) != 0)
            return -1;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "timeout_ms")) != NULL) {
        mark_t m = enter_key(l, "timeout_ms");
        if (gw__config_read_uint(l, v, 1, MAX_TIMEOUT_MS, &c->timeout_ms) != 0)
            return -1;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "max_body")) != NULL) {
        mark_t m = enter_key(l, "max_body");
        if (gw__config_read_size(l, v, &c->max_body) != 0)
            return -1;
        if (c->max_body > GW_SHADOW_MAX_BODY_LIMIT)
            return fail(l, v, "at most 256MiB");
        leave(l, m);
    }
    return 0;
}

/* The sections of an entry that have their own loaders, in file order of the docs. */
static const struct {
    const char *key;
    int (*load)(loader_t *l, const spec_node_t *n, gw_shadow_conf_t *c);
} sections[] = {
    {"methods", load_methods},   {"headers", load_headers},       {"ignore", load_ignore},
    {"matchers", load_matchers}, {"thresholds", load_thresholds}, {"log", load_log},
};

static int load_entry(loader_t *l, const spec_node_t *n, const gw_api_t *api, gw_shadow_conf_t *c)
{
    static const char *const keys[] = {
        "version", "candidate",    "candidate_version", "secondary", "sample",
        "methods", "max_inflight", "timeout_ms",        "max_body",  "headers",
        "ignore",  "matchers",     "thresholds",        "log",       "validate", NULL};
    const spec_node_t *v;
    ct_error_t err;
    c->pos = n->pos;
    c->sample = 1;
    c->max_inflight = 64;
    c->timeout_ms = 2000;
    c->max_body = DEFAULT_MAX_BODY;
    ct_report_config_init(&c->report);
    if ((c->rules = ct_rules_create(NULL, &err)) == NULL)
        h2o_fatal("ct_rules_create failed with default options");
    if (gw__config_check_keys(l, n, keys) != 0 || (v = gw__config_require(l, n, "version")) == NULL)
        return -1;
    mark_t m = enter_key(l, "version");
    if ((c->version = read_version(l, v, api)) == NULL)
        return -1;
    leave(l, m);
    if (load_targets(l, n, api, c) != 0 || load_limits(l, n, c) != 0)
        return -1;
    for (size_t i = 0; i != sizeof(sections) / sizeof(sections[0]); ++i) {
        if ((v = spec_node_get(n, sections[i].key)) == NULL)
            continue;
        m = enter_key(l, sections[i].key);
        if (sections[i].load(l, v, c) != 0)
            return -1;
        leave(l, m);
    }
    if ((v = spec_node_get(n, "validate")) != NULL) {
        m = enter_key(l, "validate");
        const gw_version_t *sv = c->candidate_version != NULL ? c->candidate_version : c->version;
        if (spec_node_bool(v, &c->validate) != 0)
            return fail(l, v, "expected true or false");
        if (c->validate && sv->spec_path == NULL)
            return fail(l, v, "validation needs the candidate's spec: version %s names none",
                        sv->name);
        leave(l, m);
    }
    if (c->methods == NULL) {
        c->methods = xcalloc(2, sizeof(*c->methods));
        c->methods[c->num_methods++] = xstrdup("GET");
        c->methods[c->num_methods++] = xstrdup("HEAD");
    }
    return 0;
}

int gw_shadow__config_load(gw__config_loader_t *l, const spec_node_t *seq, gw_api_t *api)
{
    if (seq->kind != SPEC_NODE_SEQUENCE)
        return fail(l, seq, "expected a sequence of shadow entries, got %s",
                    spec_node_type_name(seq));
    if (seq->u.seq.len > GW_SHADOW_MAX_ENTRIES)
        return fail(l, seq, "at most %d shadow entries per API", GW_SHADOW_MAX_ENTRIES);
    api->shadows = xcalloc(seq->u.seq.len, sizeof(*api->shadows));
    for (size_t i = 0; i != seq->u.seq.len; ++i) {
        const spec_node_t *n = seq->u.seq.items[i];
        gw_shadow_conf_t *c = &api->shadows[i];
        api->num_shadows = i + 1; /* so that a half-loaded entry is freed too */
        mark_t m = enter_index(l, i);
        if (load_entry(l, n, api, c) != 0)
            return -1;
        /* metrics and the report are labelled (api, version, candidate): keep them distinct */
        for (size_t j = 0; j != i; ++j)
            if (api->shadows[j].version == c->version &&
                strcmp(api->shadows[j].label, c->label) == 0)
                return fail(l, n, "version %s is already shadowed to %s (line %u)",
                            c->version->name, c->label, api->shadows[j].pos.line);
        leave(l, m);
    }
    return 0;
}

void gw_shadow__config_free(gw_shadow_conf_t *shadows, size_t n)
{
    for (size_t i = 0; i != n; ++i) {
        gw_shadow_conf_t *c = &shadows[i];
        gw__config_free_upstream(&c->candidate_url);
        gw__config_free_upstream(&c->secondary);
        for (size_t j = 0; j != c->num_methods; ++j)
            free(c->methods[j]);
        free(c->methods);
        for (size_t j = 0; j != c->num_remove; ++j)
            free(c->remove[j]);
        free(c->remove);
        for (size_t j = 0; j != c->num_set; ++j) {
            free(c->set[j].name);
            free(c->set[j].value);
        }
        free(c->set);
        ct_rules_destroy(c->rules);
        free(c->log.path);
    }
    free(shadows);
}

int gw_shadow_conf_mirrors_method(const gw_shadow_conf_t *conf, const char *method, size_t len)
{
    for (size_t i = 0; i != conf->num_methods; ++i)
        if (strlen(conf->methods[i]) == len && memcmp(conf->methods[i], method, len) == 0)
            return 1;
    return 0;
}
