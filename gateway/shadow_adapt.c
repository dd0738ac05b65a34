/* Cross-version shadowing (`candidate_version`): the candidate is a newer version's upstream, so
 * its copy of the request is upgraded and its response downgraded through the API's adapter
 * chain (adapters/adapters.h) before it is compared with the primary: adapters are verified on
 * live traffic. The adapter file is compiled once per such entry, with the versions from the
 * primary's up to the candidate's marked as served through the chain, so that the plans of the
 * primary's version lead exactly to the candidate's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "adapters.h"
#include "exchange.h"
#include "shadow_internal.h"

int gw__shadow_adapters_load(gw_shadow_entry_t *e, char *errbuf, size_t errlen)
{
    const gw_shadow_conf_t *conf = e->conf;
    const gw_api_t *api = e->api;
    if (conf->candidate_version == NULL || api->adapters_path == NULL)
        return 0;
    size_t from = (size_t)(conf->version - api->versions);
    size_t to = (size_t)(conf->candidate_version - api->versions);
    if (to < from)
        return 0; /* changes run from older to newer versions only: compared as sent */
    adp_version_info_t *versions = calloc(api->num_versions, sizeof(*versions));
    if (versions == NULL)
        h2o_fatal("no memory");
    for (size_t i = 0; i != api->num_versions; ++i)
        versions[i] = (adp_version_info_t){api->versions[i].name, api->versions[i].spec,
                                           i == to               ? 1
                                           : i >= from && i < to ? 0
                                                                 : api->versions[i].has_upstream};
    adp_load_options_t opts = {.api = api->name};
    spec_error_t err;
    int ret = adp_registry_load(&e->adapters, api->adapters_path, versions, api->num_versions,
                                &opts, &err);
    free(versions);
    if (ret != 0) {
        char msg[1400];
        snprintf(errbuf, errlen, "shadow of %s %s to %s: %s", api->name, conf->version->name,
                 conf->label, spec_error_format(&err, msg, sizeof(msg)));
        e->adapters = NULL;
        return -1;
    }
    e->adapters_version = from;
    return 0;
}

void gw__shadow_adapters_free(gw_shadow_entry_t *e)
{
    adp_registry_destroy(e->adapters);
    e->adapters = NULL;
}

void gw__shadow_adapted_dispose(gw_shadow_adapted_t *a)
{
    free(a->path);
    free(a->query);
    free(a->headers);
    free(a->hbuf);
    free(a->body);
    memset(a, 0, sizeof(*a));
}

static void fields_of(adp_fields_t *f, const ct_header_t *h, size_t n)
{
    for (size_t i = 0; i != n; ++i)
        adp_fields_push(f, h[i].name, h[i].name_len, h[i].value, h[i].value_len);
}

/* adp_field_t and ct_header_t are both (name, length, value, length) views; the array is
 * malloc'ed, the strings stay where they are. */
static ct_header_t *views_of(const adp_fields_t *f)
{
    ct_header_t *views = malloc((f->len ? f->len : 1) * sizeof(*views));
    if (views == NULL)
        h2o_fatal("no memory");
    for (size_t i = 0; i != f->len; ++i)
        views[i] = (ct_header_t){f->entries[i].name, f->entries[i].name_len, f->entries[i].value,
                                 f->entries[i].value_len};
    return views;
}

static char *dump(const json_t *body, size_t *len)
{
    return gw__shadow_json_dump(body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17),
                                len);
}

int gw__shadow_adapt_request(const gw_shadow_entry_t *e, const gw_exchange_t *x,
                             const gw_shadow_job_t *job, const char *path, size_t path_len,
                             h2o_iovec_t query, h2o_iovec_t body, gw_shadow_adapted_t *out)
{
    memset(out, 0, sizeof(*out));
    /* a primary served through its own chain was upgraded in place already (adapt.c): its
     * request is not the client's any more, so it is sent on as the primary's upstream got it */
    if (e->adapters == NULL || (x->plan != NULL && adp_plan_hops(x->plan) != 0))
        return 0;
    const adp_plan_t *plan =
        x->operation != NULL
            ? adp_plan_find(e->adapters, e->adapters_version, x->operation_id, job->method,
                            x->operation->path->template)
            : adp_plan_match(e->adapters, e->adapters_version, job->method, path, path_len);
    if (plan == NULL)
        return 0;
    adp_request_t r;
    adp_request_init(&r);
    r.path = path;
    r.path_len = path_len;
    if (query.len != 0) { /* without its '?' */
        r.query = query.base + 1;
        r.query_len = query.len - 1;
    }
    fields_of(&r.headers, job->req_headers, job->num_req_headers);
    int parsed = 0;
    if (adp_plan_request_needs_body(plan) && body.len != 0) {
        json_error_t jerr;
        json_t *doc = json_loadb(body.base, body.len, JSON_DECODE_ANY, &jerr);
        if (doc != NULL) {
            adp_request_set_body_new(&r, doc);
            parsed = 1;
        }
    }
    if (adp_request_upgrade(plan, &r) != ADP_OK) {
        adp_request_dispose(&r);
        return -1;
    }
    out->plan = plan;
    if (r.upstream_path != NULL && (out->path = strdup(r.upstream_path)) == NULL)
        h2o_fatal("no memory");
    if (r.upstream_query != NULL &&
        asprintf(&out->query, "%s%s", r.upstream_query[0] != '\0' ? "?" : "", r.upstream_query) < 0)
        h2o_fatal("no memory");
    ct_header_t *views = views_of(&r.headers);
    gw__shadow_views_copy(views, r.headers.len, &out->headers, &out->hbuf);
    out->num_headers = r.headers.len;
    free(views);
    if (parsed && r.body != NULL)
        out->body = dump(r.body, &out->body_len);
    adp_request_dispose(&r);
    return 0;
}

/* Runs `down` (may be NULL) over one captured response, then appends `deprecation`'s headers. */
static void adapt_capture(gw_shadow_capture_t *c, const adp_plan_t *down,
                          const adp_plan_t *deprecation)
{
    if (c->status == 0 || (down == NULL && deprecation == NULL))
        return;
    adp_response_t res;
    adp_response_init(&res);
    res.status = c->status;
    fields_of(&res.headers, c->headers, c->num_headers);
    int parsed = 0;
    if (down != NULL && adp_plan_response_needs_body(down, c->status) && c->body_len != 0) {
        json_error_t jerr;
        json_t *doc = json_loadb(c->body, c->body_len, JSON_DECODE_ANY, &jerr);
        if (doc != NULL) {
            adp_response_set_body_new(&res, doc);
            parsed = 1;
        }
        /* a body that does not parse is compared as it came: the diff shows invalid JSON */
    }
    if (down != NULL)
        adp_response_downgrade(down, &res);
    if (deprecation != NULL)
        adp_plan_deprecation_headers(deprecation, &res.headers);
    c->status = res.status;
    ct_header_t *views = views_of(&res.headers);
    gw__shadow_capture_set_headers(c, views, res.headers.len); /* copies, then frees the old */
    free(views);
    if (parsed) {
        free(c->body);
        c->body = NULL;
        c->body_len = c->body_cap = 0;
        if (res.body != NULL)
            c->body_cap = (c->body = dump(res.body, &c->body_len)) != NULL ? c->body_len : 0;
    }
    adp_response_dispose(&res);
}

int gw__shadow_adapt_response(const gw_shadow_entry_t *e, gw_shadow_job_t *job)
{
    const adp_plan_t *primary = job->primary_plan;
    adapt_capture(&job->side[GW_SHADOW_CANDIDATE], job->plan != NULL ? job->plan : primary,
                  primary);
    if (job->has_secondary)
        adapt_capture(&job->side[GW_SHADOW_SECONDARY], primary, primary);
    return 0;
}
