/* Tracing on the request path: the W3C Trace Context of each request (kept from a valid
 * traceparent, else started), the sampling decision, the ids the upstream and shadow requests
 * carry, the access log's ids, and the tracer (exporter and metrics). The spans' contents are
 * trace_span.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace_internal.h"
#include "upstream.h"

/* --- the tracer --- */

int gw_tracer_create(gw_tracer_t **out, const gw_tracing_conf_t *conf, char *err, size_t errlen)
{
    *out = NULL;
    if (conf == NULL)
        return 0;
    gw_tracer_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        h2o_fatal("no memory");
    t->parent_based = conf->parent_based;
    /* TraceIdRatioBased: the low 64 bits of the trace id against sample * 2^64 */
    double p = conf->sample * 0x1p64;
    t->threshold = p >= 0x1p64 ? UINT64_MAX : (uint64_t)p;
    if (conf->otlp_endpoint != NULL) {
        tr_attr_t *res = calloc(conf->num_resource + 1, sizeof(*res));
        if (res == NULL)
            h2o_fatal("no memory");
        for (size_t i = 0; i != conf->num_resource; ++i)
            res[i] = tr_attr_str(conf->resource_keys[i], conf->resource_values[i],
                                 strlen(conf->resource_values[i]));
        tr_exporter_config_t ec = {.endpoint = conf->otlp_endpoint,
                                   .service_name = conf->service_name,
                                   .service_version = VERSA_VERSION,
                                   .resource = res,
                                   .num_resource = conf->num_resource,
                                   .queue_size = conf->queue_size,
                                   .batch_size = conf->batch_size,
                                   .flush_interval_ms = conf->flush_interval_ms,
                                   .timeout_ms = conf->timeout_ms};
        int ret = tr_exporter_create(&t->exporter, &ec, err, errlen);
        free(res);
        if (ret != 0) {
            free(t);
            return -1;
        }
    }
    *out = t;
    return 0;
}

void gw_tracer_destroy(gw_tracer_t *t)
{
    if (t == NULL)
        return;
    tr_exporter_destroy(t->exporter);
    free(t);
}

void gw_tracer_metrics_render(gw_tracer_t *t, gw_metrics_out_t *o)
{
    if (t == NULL || t->exporter == NULL)
        return;
    tr_exporter_stats_t st;
    tr_exporter_stats(t->exporter, &st);
    gw_metrics_outf(o,
                    "# HELP versa_trace_spans_exported_total Spans the collector accepted.\n"
                    "# TYPE versa_trace_spans_exported_total counter\n"
                    "versa_trace_spans_exported_total %llu\n",
                    (unsigned long long)st.exported);
    gw_metrics_outf(o,
                    "# HELP versa_trace_spans_failed_total Spans sent in export requests that "
                    "failed (no answer in time, refused, not 2xx).\n"
                    "# TYPE versa_trace_spans_failed_total counter\n"
                    "versa_trace_spans_failed_total %llu\n",
                    (unsigned long long)st.failed);
    gw_metrics_outf(o, "# HELP versa_trace_spans_dropped_total Spans never sent, by reason.\n"
                       "# TYPE versa_trace_spans_dropped_total counter\n");
    for (int i = 0; i != TR_DROP__COUNT; ++i)
        gw_metrics_outf(o, "versa_trace_spans_dropped_total{reason=\"%s\"} %llu\n",
                        tr_drop_names[i], (unsigned long long)st.dropped[i]);
    gw_metrics_outf(o,
                    "# HELP versa_trace_export_requests_total OTLP export requests, by result.\n"
                    "# TYPE versa_trace_export_requests_total counter\n"
                    "versa_trace_export_requests_total{result=\"ok\"} %llu\n"
                    "versa_trace_export_requests_total{result=\"failed\"} %llu\n",
                    (unsigned long long)st.requests_ok, (unsigned long long)st.requests_failed);
    gw_metrics_outf(o,
                    "# HELP versa_trace_queue_spans Spans waiting for export.\n"
                    "# TYPE versa_trace_queue_spans gauge\n"
                    "versa_trace_queue_spans %llu\n",
                    (unsigned long long)st.queued);
}

/* --- the request's context --- */

static void random_id(uint64_t *rng, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = gw_random_next(rng); /* never 0: xorshift64* of a non-zero state */
        memcpy(out + i, &v, 8);
    }
}

static uint64_t low64(const uint8_t id[16])
{
    uint64_t v = 0;
    for (int i = 8; i != 16; ++i)
        v = v << 8 | id[i];
    return v;
}

/* The index of the first field `name` (-1: none), with *count the number of such fields. */
static ssize_t find_all(h2o_req_t *req, const char *name, size_t len, size_t *count)
{
    ssize_t first = -1;
    *count = 0;
    for (ssize_t i = -1; (i = h2o_find_header_by_str(&req->headers, name, len, i)) != -1;) {
        if (first == -1)
            first = i;
        ++*count;
    }
    return first;
}

/* Sets `name` to `value` (first field kept in place, the others removed); an empty value removes
 * every field. */
static void replace(h2o_req_t *req, const char *name, size_t len, h2o_iovec_t value)
{
    ssize_t first = h2o_find_header_by_str(&req->headers, name, len, -1);
    if (first == -1) {
        if (value.len != 0)
            h2o_add_header_by_str(&req->pool, &req->headers, name, len, 0, NULL, value.base,
                                  value.len);
        return;
    }
    for (ssize_t i = first; (i = h2o_find_header_by_str(&req->headers, name, len, i)) != -1;)
        h2o_delete_header(&req->headers, i--); /* i > first: the search goes on from i */
    if (value.len != 0)
        req->headers.entries[first].value = value;
    else
        h2o_delete_header(&req->headers, first);
}

/* The tracestate fields joined (RFC 9110 §5.3) and sanitised, in the pool. */
static h2o_iovec_t read_tracestate(h2o_req_t *req)
{
    h2o_iovec_t joined = {NULL, 0};
    for (ssize_t i = -1;
         (i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("tracestate"), i)) != -1;) {
        h2o_iovec_t v = req->headers.entries[i].value;
        joined = joined.base == NULL
                     ? v
                     : h2o_concat(&req->pool, joined, h2o_iovec_init(H2O_STRLIT(",")), v);
        if (joined.len > 64 * 1024) /* far over what can be kept: not worth reading */
            return h2o_iovec_init(NULL, 0);
    }
    if (joined.base == NULL)
        return joined;
    char *out = h2o_mem_alloc_pool(&req->pool, TR_TRACESTATE_MAX);
    size_t n = tr_tracestate_sanitise(joined.base, joined.len, out, TR_TRACESTATE_MAX);
    return h2o_iovec_init(n != 0 ? out : NULL, n);
}

void gw_trace_start(gw_exchange_t *x)
{
    h2o_req_t *req = x->req;
    gw_tracer_t *tracer = x->rt->tracer; /* the request's generation */
    gw_trace_t *t = h2o_mem_alloc_pool(&req->pool, sizeof(*t));
    memset(t, 0, sizeof(*t));
    t->tracer = tracer;
    size_t count;
    ssize_t i = find_all(req, H2O_STRLIT("traceparent"), &count);
    tr_context_t in;
    /* §3.2: a repeated traceparent is as invalid as a malformed one; then the trace restarts
     * and the tracestate goes too (§3.3.1: it is read only with a valid traceparent) */
    if (count == 1 && tr_traceparent_parse(req->headers.entries[i].value.base,
                                           req->headers.entries[i].value.len, &in) == 0) {
        memcpy(t->trace_id, in.trace_id, 16);
        memcpy(t->parent_id, in.span_id, 8);
        t->has_parent = 1;
        t->tracestate = read_tracestate(req);
        if (tracer->parent_based)
            t->flags = in.flags & TR_FLAG_SAMPLED;
        else
            t->flags = low64(t->trace_id) < tracer->threshold || tracer->threshold == UINT64_MAX;
    } else {
        random_id(&x->thread->rng, t->trace_id, 16);
        t->flags = low64(t->trace_id) < tracer->threshold || tracer->threshold == UINT64_MAX;
    }
    random_id(&x->thread->rng, t->server_id, 8);
    random_id(&x->thread->rng, t->client_id, 8);
    char *tp = h2o_mem_alloc_pool(&req->pool, TR_TRACEPARENT_LEN);
    tr_traceparent_format(t->trace_id, t->client_id, t->flags, tp);
    replace(req, H2O_STRLIT("traceparent"), h2o_iovec_init(tp, TR_TRACEPARENT_LEN));
    replace(req, H2O_STRLIT("tracestate"), t->tracestate);
    x->trace = t;
}

void gw_trace_upstream_start(gw_exchange_t *x, const gw_upstream_t *up, const char *path,
                             size_t path_len)
{
    gw_trace_t *t = x->trace;
    t->upstream = up;
    t->path = path;
    t->path_len = path_len;
}

void gw_trace_upstream_done(gw_exchange_t *x, const up_request_t *up)
{
    gw_trace_t *t = x->trace;
    if (!(t->flags & TR_FLAG_SAMPLED))
        return;
    gettimeofday(&t->upstream_end, NULL);
    t->upstream_status = up->got_head ? up->res_status : 0;
    t->upstream_error = up->status != UP_OK ? up_status_name(up->status) : NULL;
}

void gw_trace_end(gw_exchange_t *x, int status, const struct timeval *end)
{
    gw_trace_t *t = x->trace;
    if ((t->flags & TR_FLAG_SAMPLED) && t->tracer->exporter != NULL)
        gw_trace__emit_request(x, t, status, end);
}

void gw_trace_log_fields(const gw_exchange_t *x, char *out, size_t cap, size_t *o)
{
    static const char a[] = "\",\"trace_id\":\"", b[] = "\",\"span_id\":\"";
    const gw_trace_t *t = x->trace;
    if (*o + sizeof(a) - 1 + 32 + sizeof(b) - 1 + 16 > cap)
        return;
    memcpy(out + *o, a, sizeof(a) - 1);
    *o += sizeof(a) - 1;
    tr_hex(t->trace_id, 16, out + *o);
    *o += 32;
    memcpy(out + *o, b, sizeof(b) - 1);
    *o += sizeof(b) - 1;
    tr_hex(t->server_id, 8, out + *o);
    *o += 16;
}

/* --- shadow requests --- */

gw_trace_leg_t *gw_trace_shadow_start(gw_exchange_t *x, const char *side,
                                      const gw_upstream_t *target, const char *version,
                                      const char *path, size_t path_len, char *traceparent)
{
    gw_trace_t *t = x->trace;
    if (t == NULL)
        return NULL;
    gw_trace_leg_t *leg = calloc(1, sizeof(*leg));
    if (leg == NULL)
        h2o_fatal("no memory");
    leg->tracer = t->tracer;
    memcpy(leg->trace_id, t->trace_id, 16);
    random_id(&x->thread->rng, leg->span_id, 8);
    memcpy(leg->parent_id, t->server_id, 8);
    memcpy(leg->link_id, t->client_id, 8);
    leg->flags = t->flags;
    struct timeval now;
    gettimeofday(&now, NULL);
    leg->start_ns = gw_trace__ns(&now);
    h2o_req_t *req = x->req;
    leg->method_len = req->method.len < sizeof(leg->method) ? req->method.len : sizeof(leg->method);
    memcpy(leg->method, req->method.base, leg->method_len);
    leg->side = side;
    leg->version = version;
    leg->api = x->api != NULL ? x->api->name : NULL;
    leg->operation = x->operation_id;
    leg->target = target;
    if (asprintf(&leg->url, "%s://%s%s%.*s", target->is_tls ? "https" : "http", target->authority,
                 target->base_path, (int)(path_len < 2048 ? path_len : 2048), path) < 0)
        h2o_fatal("no memory");
    tr_traceparent_format(leg->trace_id, leg->span_id, leg->flags, traceparent);
    return leg;
}

void gw_trace_shadow_end(gw_trace_leg_t *leg, int status, const char *error)
{
    if (leg == NULL)
        return;
    if ((leg->flags & TR_FLAG_SAMPLED) && leg->tracer->exporter != NULL)
        gw_trace__emit_leg(leg, status, error);
    free(leg->url);
    free(leg);
}

uint64_t gw_trace__ns(const struct timeval *tv)
{
    return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}
