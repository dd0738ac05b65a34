/* Cross-version shadowing (`candidate_version`): the candidate is a newer version's upstream, so
 * its copy of the request is upgraded and its response downgraded through the API's adapter
 * chain (adapters/adapters.h) before it is compared with the primary: adapters are verified on
 * live traffic. The adapter file is compiled once per such entry, with the versions from the
 * primary's up to the candidate's marked as served through the chain, so that the plans of the
 * primary's version lead exactly to the candidate's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "adapters.h"
#include "exchange.h"
#include "shadow_internal.h"

int gw_shadow__adapters_load(gw_shadow_entry_t *e, char *errbuf, size_t errlen)
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

void gw_shadow__adapters_free(gw_shadow_entry_t *e)
{
    adp_registry_destroy(e->adapters);
    e->adapters = NULL;
}

void gw_shadow__adapted_dispose(gw_shadow_adapted_t *a)
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

/* Only JSON bodies are handed to the adapters, as in the gateway (adapt.c). */
static int is_json(const ct_header_t *h, size_t n)
{
    for (size_t i = 0; i != n; ++i)
        if (h[i].name_len == 12 && strncasecmp(h[i].name, "content-type", 12) == 0)
            return adp_media_type_is_json(h[i].value, h[i].value_len);
    return 0;
}

/* A malloc'ed copy of adapted bytes, which die with their adp_* struct (never NULL). */
static char *copy_bytes(const char *bytes, size_t len)
{
    char *out = malloc(len != 0 ? len : 1);
    if (out == NULL)
        h2o_fatal("no memory");
    if (len != 0)
        memcpy(out, bytes, len);
    return out;
}

static void request_of(adp_request_t *r, const gw_shadow_job_t *job, const char *path,
                       size_t path_len, h2o_iovec_t query)
{
    adp_request_init(r);
    r->path = path;
    r->path_len = path_len;
    if (query.len != 0) { /* without its '?' */
        r->query = query.base + 1;
        r->query_len = query.len - 1;
    }
    fields_of(&r->headers, job->req_headers, job->num_req_headers);
}

int gw_shadow__adapt_request(const gw_shadow_entry_t *e, const gw_exchange_t *x,
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
    request_of(&r, job, path, path_len, query);
    int with_body = adp_plan_request_needs_body(plan) && body.len != 0 &&
                    is_json(job->req_headers, job->num_req_headers);
    if (with_body) {
        r.body = body.base;
        r.body_len = body.len;
    }
    adp_result_t rc = adp_request_upgrade(plan, &r);
    if (rc == ADP_BAD_BODY) {
        /* the primary's upstream got these bytes (its version is served without adapters), so
         * the candidate gets them too, with the rest of the request upgraded */
        adp_request_dispose(&r);
        request_of(&r, job, path, path_len, query);
        with_body = 0;
        rc = adp_request_upgrade(plan, &r);
    }
    if (rc != ADP_OK) {
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
    gw_shadow__views_copy(views, r.headers.len, &out->headers, &out->hbuf);
    out->num_headers = r.headers.len;
    free(views);
    if (with_body && r.body != body.base) { /* changed, or removed (an empty body) */
        out->body = copy_bytes(r.body, r.body_len);
        out->body_len = r.body_len;
    }
    adp_request_dispose(&r);
    return 0;
}

struct st_gw_shadow_downgraded_t {
    adp_response_t res[GW_SHADOW_SIDES]; /* alive while their trees (res.doc) are */
    char *input[GW_SHADOW_SIDES];        /* the bodies before the downgrade: the trees point
                                            into them */
    int used[GW_SHADOW_SIDES];
};

const body_value_t *gw_shadow__downgraded_body(const gw_shadow_downgraded_t *d, int side)
{
    return d != NULL && d->used[side] ? d->res[side].doc : NULL;
}

void gw_shadow__downgraded_free(gw_shadow_downgraded_t *d)
{
    if (d == NULL)
        return;
    for (int side = 0; side != GW_SHADOW_SIDES; ++side) {
        if (d->used[side])
            adp_response_dispose(&d->res[side]);
        free(d->input[side]);
    }
    free(d);
}

/* Runs `down` (may be NULL) over one captured response, then appends `deprecation`'s headers.
 * When the adapters parsed the body into a tree, the response (and the body it came from) stay
 * in `keep` for the diff; else they are released here. */
static void adapt_capture(gw_shadow_capture_t *c, const adp_plan_t *down,
                          const adp_plan_t *deprecation, gw_shadow_downgraded_t *keep, int side)
{
    if (c->status == 0 || (down == NULL && deprecation == NULL))
        return;
    adp_response_t res;
    adp_response_init(&res);
    res.status = c->status;
    fields_of(&res.headers, c->headers, c->num_headers);
    /* a body that does not parse is left as it came (res.body_invalid): the diff shows it */
    int with_body = down != NULL && adp_plan_response_needs_body(down, c->status) &&
                    c->body_len != 0 && is_json(c->headers, c->num_headers);
    if (with_body) {
        res.body = c->body;
        res.body_len = c->body_len;
    }
    if (down != NULL)
        adp_response_downgrade(down, &res);
    if (deprecation != NULL)
        adp_plan_deprecation_headers(deprecation, &res.headers);
    c->status = res.status;
    ct_header_t *views = views_of(&res.headers);
    gw_shadow__capture_set_headers(c, views, res.headers.len); /* copies, then frees the old */
    free(views);
    int keep_tree = with_body && res.doc != NULL;
    if (with_body && res.body != c->body) { /* changed or removed; res.body dies with res */
        char *body = res.body != NULL ? copy_bytes(res.body, res.body_len) : NULL;
        if (keep_tree)
            keep->input[side] = c->body; /* unchanged strings of the tree point into it */
        else
            free(c->body);
        c->body = body;
        c->body_len = c->body_cap = body != NULL ? res.body_len : 0;
    }
    if (keep_tree) {
        keep->res[side] = res; /* the arena moves with the struct: res is not used again */
        keep->used[side] = 1;
    } else {
        adp_response_dispose(&res);
    }
}

int gw_shadow__adapt_response(const gw_shadow_entry_t *e, gw_shadow_job_t *job,
                              gw_shadow_downgraded_t **out)
{
    const adp_plan_t *primary = job->primary_plan;
    gw_shadow_downgraded_t *keep = calloc(1, sizeof(*keep));
    if (keep == NULL)
        h2o_fatal("no memory");
    adapt_capture(&job->side[GW_SHADOW_CANDIDATE], job->plan != NULL ? job->plan : primary, primary,
                  keep, GW_SHADOW_CANDIDATE);
    if (job->has_secondary)
        adapt_capture(&job->side[GW_SHADOW_SECONDARY], primary, primary, keep, GW_SHADOW_SECONDARY);
    if (!keep->used[GW_SHADOW_CANDIDATE] && !keep->used[GW_SHADOW_SECONDARY]) {
        gw_shadow__downgraded_free(keep);
        keep = NULL;
    }
    *out = keep;
    return 0;
}
