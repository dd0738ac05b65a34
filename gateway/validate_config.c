/* An API's `validate` key (docs/validation.md): modes read with the loader's file:line:col
 * errors, then, once the specs are loaded, one frozen validator per version and the violation
 * counters. */
#include <stdlib.h>
#include <string.h>
#include "config_internal.h"
#include "validate.h"

const char *const gw_validate_keywords[] = {"other",
                                            "type",
                                            "enum",
                                            "const",
                                            "required",
                                            "additionalProperties",
                                            "properties",
                                            "minimum",
                                            "maximum",
                                            "exclusiveMinimum",
                                            "exclusiveMaximum",
                                            "multipleOf",
                                            "minLength",
                                            "maxLength",
                                            "pattern",
                                            "minItems",
                                            "maxItems",
                                            "uniqueItems",
                                            "contains",
                                            "maxContains",
                                            "minProperties",
                                            "maxProperties",
                                            "propertyNames",
                                            "dependentRequired",
                                            "anyOf",
                                            "oneOf",
                                            "not",
                                            "false",
                                            "readOnly",
                                            "writeOnly",
                                            "content-type",
                                            "json",
                                            "status",
                                            "format",
                                            "unevaluatedProperties",
                                            "unevaluatedItems",
                                            NULL};

size_t gw_validate_keyword_count(void)
{
    return sizeof(gw_validate_keywords) / sizeof(gw_validate_keywords[0]) - 1;
}

size_t gw_validate_keyword_index(const char *keyword)
{
    for (size_t i = 1; gw_validate_keywords[i] != NULL; ++i)
        if (strcmp(gw_validate_keywords[i], keyword) == 0)
            return i;
    return 0;
}

static int read_mode(gw__config_loader_t *l, const spec_node_t *map, const char *key,
                     gw_validate_mode_t *out)
{
    const spec_node_t *n = spec_node_get(map, key);
    const char *s;
    if (n == NULL)
        return 0;
    gw__config_mark_t m = gw__config_enter_key(l, key);
    if (gw__config_read_string(l, n, &s) != 0)
        return -1;
    if (!strcmp(s, "off"))
        *out = GW_VALIDATE_OFF;
    else if (!strcmp(s, "report"))
        *out = GW_VALIDATE_REPORT;
    else if (!strcmp(s, "enforce"))
        *out = GW_VALIDATE_ENFORCE;
    else
        return gw__config_fail(l, n, "unknown mode '%s' (enforce, report or off)", s);
    gw__config_leave(l, m);
    return 0;
}

/* `log`: a file name, or {file, max_bytes, keep, queue_bytes}. */
static int read_log(gw__config_loader_t *l, const spec_node_t *n, gw_validate_log_conf_t *log)
{
    static const char *const keys[] = {"file", "max_bytes", "keep", "queue_bytes", NULL};
    log->max_bytes = 64ull << 20;
    log->keep = 3;
    log->queue_bytes = 4u << 20;
    log->where = xasprintf("%s:%u:%u", n->pos.file, n->pos.line, n->pos.col);
    if (n->kind == SPEC_NODE_SCALAR)
        return gw__config_read_path(l, n, &log->file);
    if (n->kind != SPEC_NODE_MAPPING)
        return gw__config_fail(l, n, "expected a file name or a mapping, got %s",
                               spec_node_type_name(n));
    const spec_node_t *v;
    if (gw__config_check_keys(l, n, keys) != 0 || (v = gw__config_require(l, n, "file")) == NULL)
        return -1;
    gw__config_mark_t m = gw__config_enter_key(l, "file");
    if (gw__config_read_path(l, v, &log->file) != 0)
        return -1;
    gw__config_leave(l, m);
    size_t max_bytes = (size_t)log->max_bytes;
    uint64_t keep = log->keep;
    if (gw__config_opt_size(l, n, "max_bytes", &max_bytes) != 0 ||
        gw__config_opt_uint(l, n, "keep", 0, 1000, &keep) != 0)
        return -1;
    log->max_bytes = max_bytes;
    log->keep = (unsigned)keep;
    if ((v = spec_node_get(n, "queue_bytes")) != NULL) {
        m = gw__config_enter_key(l, "queue_bytes");
        if (gw__config_read_size(l, v, &log->queue_bytes) != 0)
            return -1;
        if (log->queue_bytes < 4096)
            return gw__config_fail(l, v, "must be at least 4KiB");
        gw__config_leave(l, m);
    }
    if (log->max_bytes < 4096) {
        m = gw__config_enter_key(l, "max_bytes");
        return gw__config_fail(l, spec_node_get(n, "max_bytes"), "must be at least 4KiB");
    }
    return 0;
}

int gw_validate__config_load(gw__config_loader_t *l, const spec_node_t *n, gw_api_t *api)
{
    static const char *const keys[] = {"request", "response", "sample", "max_errors",
                                       "log",     "formats",  NULL};
    gw_validate_conf_t *c = xcalloc(1, sizeof(*c));
    api->validate = c;
    c->max_errors = 20;
    c->sample = 1;
    c->pos = n->pos;
    uint64_t max_errors = c->max_errors;
    if (gw__config_check_keys(l, n, keys) != 0 || read_mode(l, n, "request", &c->request) != 0 ||
        read_mode(l, n, "response", &c->response) != 0 ||
        gw__config_opt_uint(l, n, "max_errors", 1, 1000, &max_errors) != 0)
        return -1;
    c->max_errors = (size_t)max_errors;
    const spec_node_t *f = spec_node_get(n, "formats");
    if (f != NULL) {
        const char *name;
        gw__config_mark_t m = gw__config_enter_key(l, "formats");
        if (gw__config_read_string(l, f, &name) != 0)
            return -1;
        if (spec_formats_parse(name, &c->formats) != 0)
            return gw__config_fail(l, f, "unknown value '%s' (assert or annotate)", name);
        gw__config_leave(l, m);
    }
    const spec_node_t *s = spec_node_get(n, "sample");
    if (s != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "sample");
        if (spec_node_number(s, &c->sample) != 0 || !(c->sample >= 0 && c->sample <= 1))
            return gw__config_fail(l, s, "expected a fraction from 0 to 1, got '%s'",
                                   s->kind == SPEC_NODE_SCALAR ? s->u.scalar.str
                                                               : spec_node_type_name(s));
        gw__config_leave(l, m);
    }
    const spec_node_t *lg = spec_node_get(n, "log");
    if (lg != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "log");
        if (read_log(l, lg, &c->log) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    if (c->request != GW_VALIDATE_OFF || c->response != GW_VALIDATE_OFF) {
        for (size_t i = 0; i != api->num_versions; ++i)
            if (api->versions[i].spec_path != NULL)
                return 0;
        return gw__config_fail(l, n, "validation needs a spec: no version of API '%s' names one",
                               api->name);
    }
    return 0;
}

int gw_validate__compile(gw_api_t *api, spec_error_t *err)
{
    gw_validate_conf_t *c = api->validate;
    (void)err;
    if (c == NULL || (c->request == GW_VALIDATE_OFF && c->response == GW_VALIDATE_OFF))
        return 0;
    c->validators = xcalloc(api->num_versions, sizeof(*c->validators));
    c->op_base = xcalloc(api->num_versions, sizeof(*c->op_base));
    for (size_t i = 0; i != api->num_versions; ++i) {
        const spec_t *spec = api->versions[i].spec;
        c->op_base[i] = c->num_ops;
        if (spec == NULL)
            continue;
        c->validators[i] = spec_validator_create(spec);
        spec_validator_set_formats(c->validators[i], c->formats);
        spec_validator_freeze(c->validators[i], NULL); /* compiles every pattern, now */
        c->num_ops += spec_operation_count(spec);
    }
    c->counts = xcalloc(c->num_ops * GW_VALIDATE_SIDE__COUNT * gw_validate_keyword_count(),
                        sizeof(*c->counts));
    c->wheres = gw_validate__wheres_create();
    return 0;
}

void gw_validate__config_free(gw_validate_conf_t *c, size_t num_versions)
{
    if (c == NULL)
        return;
    if (c->validators != NULL)
        for (size_t i = 0; i != num_versions; ++i)
            spec_validator_destroy(c->validators[i]);
    free(c->validators);
    free(c->op_base);
    free(c->counts);
    gw_validate__wheres_destroy(c->wheres);
    free(c->log.file);
    free(c->log.where);
    free(c);
}

void gw_validate_count(const gw_validate_conf_t *c, size_t version, size_t op_index,
                       gw_validate_side_t side, const char *keyword)
{
    size_t row = c->op_base[version] + op_index;
    if (row >= c->num_ops)
        return;
    size_t nk = gw_validate_keyword_count();
    __atomic_fetch_add(&c->counts[(row * GW_VALIDATE_SIDE__COUNT + side) * nk +
                                  gw_validate_keyword_index(keyword)],
                       1, __ATOMIC_RELAXED);
}
