/* Request metrics: lock-free per-thread counters and their Prometheus rendering. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"

const double gw_latency_bounds_s[GW_LATENCY_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

static const char *method_names[GW_METHOD__COUNT] = {"GET",   "HEAD",   "POST",    "PUT",
                                                     "PATCH", "DELETE", "OPTIONS", "OTHER"};
static const char *upstream_error_names[GW_UPSTREAM_ERR__COUNT] = {
    "connect", "connect_timeout", "timeout", "reset", "bad_response", "body", "queue"};

void gw_metrics_init(gw_metrics_t *m, const gw_metrics_layout_t *layout)
{
    memset(m, 0, sizeof(*m));
    /* a registry's rows may grow with reloads: room for all of them (untouched pages are free) */
    size_t rows = layout->cap_rows != 0 ? layout->cap_rows : layout->rows;
    size_t op_rows = layout->cap_op_rows != 0 ? layout->cap_op_rows : layout->op_rows;
    m->rows = calloc(rows ? rows : 1, sizeof(*m->rows));
    m->op_requests = calloc(op_rows ? op_rows : 1, sizeof(*m->op_requests));
    if (m->rows == NULL || m->op_requests == NULL)
        abort();
}

void gw_metrics_dispose(gw_metrics_t *m)
{
    free(m->rows);
    free(m->op_requests);
    m->rows = NULL;
    m->op_requests = NULL;
}

gw_method_class_t gw_method_class(const char *method, size_t len)
{
    for (int i = 0; i < GW_METHOD_OTHER; ++i)
        if (strlen(method_names[i]) == len && memcmp(method_names[i], method, len) == 0)
            return (gw_method_class_t)i;
    return GW_METHOD_OTHER;
}

static int status_class(int status)
{
    int cls = status / 100 - 1;
    return cls < 0 || cls >= GW_STATUS_CLASSES ? GW_STATUS_CLASSES - 1 : cls;
}

/* The owning thread's counters have one writer: a relaxed load and store (no locked add on
 * every request), which readers still never see torn. */
static void bump(uint64_t *counter, uint64_t delta)
{
    __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + delta,
                     __ATOMIC_RELAXED);
}

typedef void (*add_fn)(uint64_t *counter, uint64_t delta);

static void locked_add(uint64_t *counter, uint64_t delta)
{
    __atomic_fetch_add(counter, delta, __ATOMIC_RELAXED);
}

void gw_metrics_count_operation(gw_metrics_t *m, size_t op_row, int status)
{
    bump(&m->op_requests[op_row][status_class(status)], 1);
}

static void observe(add_fn add, uint64_t *buckets, uint64_t *count, uint64_t *sum_us, uint64_t us)
{
    double s = (double)us / 1e6;
    size_t i = 0;
    while (i < GW_LATENCY_BUCKETS && s > gw_latency_bounds_s[i])
        ++i;
    if (i < GW_LATENCY_BUCKETS)
        add(&buckets[i], 1);
    add(count, 1);
    add(sum_us, us);
}

void gw_metrics_count_request(gw_metrics_t *m, size_t row, gw_method_class_t method, int status,
                              uint64_t total_us, uint64_t upstream_us, int had_upstream,
                              uint64_t bytes)
{
    gw_metrics_row_t *r = &m->rows[row];
    bump(&r->requests[method][status_class(status)], 1);
    observe(bump, r->latency_buckets, &r->latency_count, &r->latency_sum_us, total_us);
    if (had_upstream)
        observe(bump, r->upstream_latency_buckets, &r->upstream_latency_count,
                &r->upstream_latency_sum_us, upstream_us);
    bump(&r->bytes_sent, bytes);
}

void gw_metrics_count_upstream_error(gw_metrics_t *m, size_t row, gw_upstream_error_t kind)
{
    bump(&m->rows[row].upstream_errors[kind], 1);
}

/* A growable output buffer; the exposition is small (kilobytes) and built off the hot path. */
typedef gw_metrics_out_t out_t;

static void voutf(out_t *o, const char *fmt, va_list args) __attribute__((format(printf, 2, 0)));
static void voutf(out_t *o, const char *fmt, va_list args)
{
    for (;;) {
        va_list ap;
        va_copy(ap, args);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        o->cap = o->cap * 2 + (size_t)n + 1;
        if ((o->buf = realloc(o->buf, o->cap)) == NULL)
            abort();
    }
}

static void outf(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(out_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    voutf(o, fmt, ap);
    va_end(ap);
}

static uint64_t load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Sums one row over all threads. */
static void sum_row(gw_metrics_t *const *threads, size_t n, size_t row, gw_metrics_row_t *out)
{
    memset(out, 0, sizeof(*out));
    uint64_t *dst = (uint64_t *)out;
    for (size_t t = 0; t < n; ++t) {
        const uint64_t *src = (const uint64_t *)&threads[t]->rows[row];
        for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); ++i)
            dst[i] += load(&src[i]);
    }
}

static void render_histogram(out_t *o, const char *name, const char *labels,
                             const uint64_t *buckets, uint64_t count, uint64_t sum_us)
{
    uint64_t cum = 0;
    for (size_t i = 0; i < GW_LATENCY_BUCKETS; ++i) {
        cum += buckets[i];
        outf(o, "%s_bucket{%s,le=\"%g\"} %llu\n", name, labels, gw_latency_bounds_s[i],
             (unsigned long long)cum);
    }
    outf(o, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels, (unsigned long long)count);
    outf(o, "%s_sum{%s} %.6f\n", name, labels, (double)sum_us / 1e6);
    outf(o, "%s_count{%s} %llu\n", name, labels, (unsigned long long)count);
}

static uint64_t sum_scalar(gw_metrics_t *const *threads, size_t n, size_t offset)
{
    uint64_t v = 0;
    for (size_t t = 0; t < n; ++t)
        v += load((const uint64_t *)((const char *)threads[t] + offset));
    return v;
}

char *gw_metrics_render(const gw_metrics_layout_t *layout, gw_metrics_t *const *threads, size_t n,
                        size_t *len)
{
    out_t o = {malloc(16384), 0, 16384};
    if (o.buf == NULL)
        abort();
    /* a registry may be growing (a reload on another thread): a consistent prefix */
    gw_metrics_layout_t snap = *layout;
    snap.rows = __atomic_load_n(&layout->rows, __ATOMIC_ACQUIRE);
    snap.op_rows = __atomic_load_n(&layout->op_rows, __ATOMIC_ACQUIRE);
    layout = &snap;
    gw_metrics_row_t *rows = calloc(layout->rows ? layout->rows : 1, sizeof(*rows));
    if (rows == NULL)
        abort();
    for (size_t r = 0; r < layout->rows; ++r)
        sum_row(threads, n, r, &rows[r]);

    outf(&o, "# HELP versa_requests_total Requests answered, by API, version, method and status "
             "class.\n# TYPE versa_requests_total counter\n");
    for (size_t r = 0; r < layout->rows; ++r)
        for (int m = 0; m < GW_METHOD__COUNT; ++m)
            for (int c = 0; c < GW_STATUS_CLASSES; ++c)
                if (rows[r].requests[m][c] != 0)
                    outf(&o,
                         "versa_requests_total{api=\"%s\",version=\"%s\",method=\"%s\","
                         "status=\"%dxx\"} %llu\n",
                         layout->api[r], layout->version[r], method_names[m], c + 1,
                         (unsigned long long)rows[r].requests[m][c]);

    if (layout->op_rows != 0)
        outf(&o, "# HELP versa_operation_requests_total Requests answered, by spec operation and "
                 "status class.\n# TYPE versa_operation_requests_total counter\n");
    for (size_t r = 0; r < layout->op_rows; ++r)
        for (int c = 0; c < GW_STATUS_CLASSES; ++c) {
            uint64_t v = 0;
            for (size_t t = 0; t < n; ++t)
                v += load(&threads[t]->op_requests[r][c]);
            if (v != 0)
                outf(&o,
                     "versa_operation_requests_total{api=\"%s\",version=\"%s\",operation=\"%s\","
                     "status=\"%dxx\"} %llu\n",
                     layout->op_api[r], layout->op_version[r], layout->op_name[r], c + 1,
                     (unsigned long long)v);
        }

    outf(&o, "# HELP versa_request_duration_seconds Time from request start to the last byte "
             "sent.\n# TYPE versa_request_duration_seconds histogram\n");
    for (size_t r = 0; r < layout->rows; ++r) {
        char labels[512];
        snprintf(labels, sizeof(labels), "api=\"%s\",version=\"%s\"", layout->api[r],
                 layout->version[r]);
        render_histogram(&o, "versa_request_duration_seconds", labels, rows[r].latency_buckets,
                         rows[r].latency_count, rows[r].latency_sum_us);
    }
    outf(&o, "# HELP versa_upstream_duration_seconds Time from sending the request upstream to "
             "its response head.\n# TYPE versa_upstream_duration_seconds histogram\n");
    for (size_t r = 0; r < layout->rows; ++r) {
        if (layout->version[r][0] == '\0')
            continue;
        char labels[512];
        snprintf(labels, sizeof(labels), "api=\"%s\",version=\"%s\"", layout->api[r],
                 layout->version[r]);
        render_histogram(&o, "versa_upstream_duration_seconds", labels,
                         rows[r].upstream_latency_buckets, rows[r].upstream_latency_count,
                         rows[r].upstream_latency_sum_us);
    }

    outf(&o, "# HELP versa_upstream_errors_total Upstream failures, by kind.\n"
             "# TYPE versa_upstream_errors_total counter\n");
    for (size_t r = 0; r < layout->rows; ++r) {
        if (layout->version[r][0] == '\0')
            continue;
        for (int k = 0; k < GW_UPSTREAM_ERR__COUNT; ++k)
            outf(&o, "versa_upstream_errors_total{api=\"%s\",version=\"%s\",kind=\"%s\"} %llu\n",
                 layout->api[r], layout->version[r], upstream_error_names[k],
                 (unsigned long long)rows[r].upstream_errors[k]);
    }
    outf(&o, "# HELP versa_response_bytes_total Response bytes sent to clients.\n"
             "# TYPE versa_response_bytes_total counter\n");
    for (size_t r = 0; r < layout->rows; ++r)
        outf(&o, "versa_response_bytes_total{api=\"%s\",version=\"%s\"} %llu\n", layout->api[r],
             layout->version[r], (unsigned long long)rows[r].bytes_sent);

    outf(&o, "# HELP versa_connections_open Client connections currently open.\n"
             "# TYPE versa_connections_open gauge\nversa_connections_open %llu\n",
         (unsigned long long)sum_scalar(threads, n, offsetof(gw_metrics_t, connections_open)));
    outf(&o, "# HELP versa_connections_total Client connections accepted.\n"
             "# TYPE versa_connections_total counter\nversa_connections_total %llu\n",
         (unsigned long long)sum_scalar(threads, n, offsetof(gw_metrics_t, connections_total)));
    outf(&o, "# HELP versa_guard_refusals_total Client connections the connection guard ended "
             "(docs/security.md).\n# TYPE versa_guard_refusals_total counter\n"
             "versa_guard_refusals_total{protocol=\"http1\"} %llu\n"
             "versa_guard_refusals_total{protocol=\"http2\"} %llu\n",
         (unsigned long long)sum_scalar(threads, n, offsetof(gw_metrics_t, guard_h1_refused)),
         (unsigned long long)sum_scalar(threads, n, offsetof(gw_metrics_t, guard_h2_goaway)));
    outf(&o, "# HELP versa_requests_inflight Requests being processed.\n"
             "# TYPE versa_requests_inflight gauge\nversa_requests_inflight %llu\n",
         (unsigned long long)sum_scalar(threads, n, offsetof(gw_metrics_t, requests_inflight)));
    free(rows);
    *len = o.len;
    return o.buf;
}

void gw_metrics_outf(gw_metrics_out_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    voutf(o, fmt, ap);
    va_end(ap);
}

void gw_metrics_observe(uint64_t *buckets, uint64_t *count, uint64_t *sum_us, uint64_t us)
{
    observe(locked_add, buckets, count, sum_us, us);
}

char *gw_metrics_escape_label(const char *s)
{
    char *out = malloc(strlen(s) * 2 + 1), *o = out;
    if (out == NULL)
        abort();
    for (; *s; ++s) {
        if (*s == '\\' || *s == '"' || *s == '\n')
            *o++ = '\\';
        *o++ = *s == '\n' ? 'n' : *s;
    }
    *o = '\0';
    return out;
}

void gw_metrics_render_histogram(gw_metrics_out_t *o, const char *name, const char *labels,
                                 const uint64_t *buckets, uint64_t count, uint64_t sum_us)
{
    render_histogram(o, name, labels, buckets, count, sum_us);
}
