/* Loading an adapter file into a registry, and the per-request lookups and accessors. */
#include <stdlib.h>
#include <string.h>
#include "registry.h"

static adp_registry_t *registry_new(const adp_version_info_t *versions, size_t n)
{
    adp_registry_t *reg = adp__xcalloc(1, sizeof(*reg));
    adp__arena_init(&reg->arena);
    reg->keep = json_array();
    reg->nversions = n;
    reg->versions = adp__arena_alloc(&reg->arena, (n + 1) * sizeof(*reg->versions));
    for (size_t i = 0; i < n; ++i)
        reg->versions[i].name = adp__arena_strdup(&reg->arena, versions[i].name);
    return reg;
}

void adp_registry_destroy(adp_registry_t *reg)
{
    if (reg == NULL)
        return;
    json_decref(reg->keep);
    free(reg->plans);
    adp__arena_dispose(&reg->arena);
    free(reg);
}

static int check_versions(const adp_version_info_t *versions, size_t n, const char *file,
                          spec_error_t *err)
{
    memset(err, 0, sizeof(*err));
    snprintf(err->file, sizeof(err->file), "%s", file);
    if (n == 0) {
        snprintf(err->message, sizeof(err->message), "an API needs at least one version");
        return -1;
    }
    for (size_t i = 0; i < n; ++i) {
        if (versions[i].name == NULL || versions[i].name[0] == '\0') {
            snprintf(err->message, sizeof(err->message), "version %zu has no name", i);
            return -1;
        }
        for (size_t j = 0; j < i; ++j)
            if (strcmp(versions[i].name, versions[j].name) == 0) {
                snprintf(err->message, sizeof(err->message), "version %s is listed twice",
                         versions[i].name);
                return -1;
            }
    }
    return 0;
}

static int build(adp_registry_t **out, spec_doc_t *doc, const adp_version_info_t *versions,
                 size_t n, const adp_load_options_t *opts, spec_error_t *err)
{
    adp_registry_t *reg = registry_new(versions, n);
    adp__ctx_t ctx = {&reg->arena, reg->keep, versions, n, err};
    adp__file_t file;
    const spec_node_t *root = spec_doc_root(doc);
    int rc = adp__parse_file(&ctx, root, &file);
    if (rc == 0 && opts != NULL && opts->api != NULL && strcmp(opts->api, file.api) != 0)
        rc = spec_error_at(err, spec_node_get(root, "api"),
                           "api: the file adapts '%s', but it is configured for API '%s'", file.api,
                           opts->api);
    if (rc == 0) {
        uint32_t max_states = opts != NULL && opts->max_states != 0 ? opts->max_states : 4096;
        size_t max_plans = opts != NULL && opts->max_plans != 0 ? opts->max_plans : 100000;
        rc = adp__compile(&ctx, &file, reg, max_states, max_plans);
    }
    spec_doc_destroy(doc);
    if (rc != 0) {
        adp_registry_destroy(reg);
        *out = NULL;
        return -1;
    }
    *out = reg;
    return 0;
}

int adp_registry_parse(adp_registry_t **out, const char *file, const char *buf, size_t len,
                       const adp_version_info_t *versions, size_t nversions,
                       const adp_load_options_t *opts, spec_error_t *err)
{
    spec_doc_t *doc;
    *out = NULL;
    if (check_versions(versions, nversions, file, err) != 0 ||
        spec_doc_parse(&doc, file, buf, len, opts != NULL ? &opts->limits : NULL, err) != 0)
        return -1;
    return build(out, doc, versions, nversions, opts, err);
}

int adp_registry_load(adp_registry_t **out, const char *path, const adp_version_info_t *versions,
                      size_t nversions, const adp_load_options_t *opts, spec_error_t *err)
{
    spec_doc_t *doc;
    *out = NULL;
    if (check_versions(versions, nversions, path, err) != 0 ||
        spec_doc_load(&doc, path, opts != NULL ? &opts->limits : NULL, err) != 0)
        return -1;
    return build(out, doc, versions, nversions, opts, err);
}

/* ---- versions ---- */

size_t adp_registry_version(const adp_registry_t *reg, const char *name)
{
    for (size_t i = 0; i < reg->nversions; ++i)
        if (strcmp(reg->versions[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

size_t adp_registry_version_count(const adp_registry_t *reg)
{
    return reg->nversions;
}

const char *adp_registry_version_name(const adp_registry_t *reg, size_t i)
{
    return i < reg->nversions ? reg->versions[i].name : NULL;
}

size_t adp_registry_upstream_of(const adp_registry_t *reg, size_t i)
{
    return i < reg->nversions ? reg->versions[i].upstream : SIZE_MAX;
}

/* ---- plan lookup ---- */

static const adp_plan_t *by_name(const adp__named_plan_t *items, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(items[mid].name, name);
        if (c == 0)
            return items[mid].plan;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* strcmp of `key` against "method template", without building the latter. */
static int cmp_key(const char *key, const char *method, const char *tpl)
{
    size_t ml = strlen(method);
    int c = strncmp(key, method, ml);
    if (c != 0)
        return c;
    if (key[ml] != ' ')
        return (unsigned char)key[ml] < ' ' ? -1 : 1;
    return strcmp(key + ml + 1, tpl);
}

static const adp_plan_t *by_key(const adp__named_plan_t *items, size_t n, const char *method,
                                const char *tpl)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cmp_key(items[mid].name, method, tpl);
        if (c == 0)
            return items[mid].plan;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const adp_plan_t *adp_plan_find(const adp_registry_t *reg, size_t version, const char *operation_id,
                                const char *method, const char *path_template)
{
    if (version >= reg->nversions)
        return NULL;
    const adp__version_t *v = &reg->versions[version];
    const adp_plan_t *p = NULL;
    if (operation_id != NULL)
        p = by_name(v->by_id, v->nby_id, operation_id);
    if (p == NULL && method != NULL && path_template != NULL)
        p = by_key(v->by_key, v->nby_key, method, path_template);
    return p != NULL ? p : v->fallback;
}

const adp_plan_t *adp_plan_match(const adp_registry_t *reg, size_t version, const char *method,
                                 const char *path, size_t path_len)
{
    if (version >= reg->nversions)
        return NULL;
    const adp__version_t *v = &reg->versions[version];
    size_t ml = strlen(method);
    size_t caps[32];
    for (size_t i = 0; i < v->nmatchable; ++i) {
        const adp_plan_t *p = v->matchable[i];
        if (strncmp(p->key, method, ml) != 0 || p->key[ml] != ' ' || p->match_tpl->nvars > 16)
            continue;
        if (adp__tpl_match(p->match_tpl, path, path_len, caps) == 0)
            return p;
    }
    return v->fallback;
}

/* ---- plan accessors ---- */

const char *adp_plan_version_name(const adp_plan_t *plan)
{
    return plan->version_name;
}

const char *adp_plan_operation(const adp_plan_t *plan)
{
    return plan->operation;
}

size_t adp_plan_hops(const adp_plan_t *plan)
{
    return plan->nhops;
}

int adp_plan_request_needs_body(const adp_plan_t *plan)
{
    return plan->request_body;
}

int adp_plan_response_needs_body(const adp_plan_t *plan, int status)
{
    return adp__statuses_has(&plan->response_body, status);
}

const adp_deprecation_t *adp_plan_deprecation(const adp_plan_t *plan)
{
    return plan->deprecation;
}

int adp_plan_gone(const adp_plan_t *plan, time_t now, const char **detail)
{
    const char *d = NULL;
    if (plan->gone_detail != NULL)
        d = plan->gone_detail;
    else if (plan->deprecation != NULL && plan->deprecation->has_sunset &&
             plan->deprecation->gone_after_sunset && (int64_t)now >= plan->deprecation->sunset_at)
        d = plan->sunset_detail;
    if (detail != NULL)
        *detail = d;
    return d != NULL;
}

void adp_plan_deprecation_headers(const adp_plan_t *plan, adp_fields_t *out)
{
    const adp_deprecation_t *d = plan->deprecation;
    if (d == NULL)
        return;
    if (d->deprecation != NULL)
        adp_fields_push(out, "Deprecation", 11, d->deprecation, strlen(d->deprecation));
    if (d->sunset != NULL)
        adp_fields_push(out, "Sunset", 6, d->sunset, strlen(d->sunset));
    if (d->link != NULL)
        adp_fields_push(out, "Link", 4, d->link, strlen(d->link));
    if (d->sunset_link != NULL)
        adp_fields_push(out, "Link", 4, d->sunset_link, strlen(d->sunset_link));
}

uint64_t adp_plan_mismatch_count(const adp_plan_t *plan, adp_direction_t dir)
{
    return atomic_load_explicit(&((adp_plan_t *)plan)->mismatches[dir], memory_order_relaxed);
}

int adp_plan_claim_log(const adp_plan_t *plan)
{
    return atomic_exchange(&((adp_plan_t *)plan)->logged, 1) == 0;
}

size_t adp_registry_plan_count(const adp_registry_t *reg)
{
    return reg->nplans;
}

const adp_plan_t *adp_registry_plan_at(const adp_registry_t *reg, size_t i)
{
    return i < reg->nplans ? reg->plans[i] : NULL;
}
