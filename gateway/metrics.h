/* Request metrics: per-thread counters written without locks by their own event loop, summed
 * across threads when /metrics is scraped (Prometheus text exposition format 0.0.4). */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef enum gw_method_class {
    GW_METHOD_GET,
    GW_METHOD_HEAD,
    GW_METHOD_POST,
    GW_METHOD_PUT,
    GW_METHOD_PATCH,
    GW_METHOD_DELETE,
    GW_METHOD_OPTIONS,
    GW_METHOD_OTHER,
    GW_METHOD__COUNT
} gw_method_class_t;

typedef enum gw_upstream_error {
    GW_UPSTREAM_ERR_CONNECT,         /* refused, unreachable */
    GW_UPSTREAM_ERR_CONNECT_TIMEOUT,
    GW_UPSTREAM_ERR_TIMEOUT,         /* no response (or body stalled) within response_ms */
    GW_UPSTREAM_ERR_RESET,           /* closed or reset before a complete head */
    GW_UPSTREAM_ERR_BAD_RESPONSE,    /* unparsable head */
    GW_UPSTREAM_ERR_BODY,            /* died mid-body; the client's stream was aborted */
    GW_UPSTREAM_ERR_QUEUE,           /* no pooled connection free in time (or the queue full) */
    GW_UPSTREAM_ERR__COUNT
} gw_upstream_error_t;

#define GW_STATUS_CLASSES 5 /* 1xx..5xx */
#define GW_LATENCY_BUCKETS 14

extern const double gw_latency_bounds_s[GW_LATENCY_BUCKETS];

/* Row labels: one row per (api, version), plus a row for requests that matched no API (api="",
 * version=""). A serving process keeps one layout for its whole life (a registry,
 * gw_metrics_layout_create): a reload only adds the rows of labels it has not seen, so the
 * counters of unchanged series carry over and a row index stays valid for requests still running
 * on an older configuration. Tests may also fill one by hand (cap_rows 0: fixed). */
typedef struct st_gw_metrics_layout_t {
    size_t rows; /* rows in use; a registry publishes it with a release store */
    const char **api;     /* per row */
    const char **version; /* per row */
    /* Operation rows, for versions with a spec: one per spec operation, labelled with its
     * operationId (or "METHOD /template" when it has none). */
    size_t op_rows;
    const char **op_api, **op_version;
    char **op_name; /* owned */
    /* registry only: capacities (the per-thread counters are allocated this large, untouched
     * pages cost no memory) and an open-addressing index of the operation rows */
    size_t cap_rows, cap_op_rows;
    size_t *op_index; /* cap_op_rows * 2 slots, row + 1 or 0 */
} gw_metrics_layout_t;

#define GW_METRICS_MAX_ROWS 4096     /* (api, version) series over the process's life */
#define GW_METRICS_MAX_OP_ROWS 65536 /* (api, version, operation) series */

/* A registry with the no-API row (row 0). Labels are copied. Abort on allocation failure. */
gw_metrics_layout_t *gw_metrics_layout_create(void);
void gw_metrics_layout_destroy(gw_metrics_layout_t *l);
/* The row of a label set, added when new. Single writer (the thread loading configurations);
 * readers load `rows` / `op_rows` with acquire. Returns the row, or -1 when the registry is full. */
long gw_metrics_layout_row(gw_metrics_layout_t *l, const char *api, const char *version);
/* `name` is already escaped for the exposition. */
long gw_metrics_layout_op_row(gw_metrics_layout_t *l, const char *api, const char *version,
                              const char *name);

typedef struct st_gw_metrics_row_t {
    uint64_t requests[GW_METHOD__COUNT][GW_STATUS_CLASSES];
    uint64_t latency_buckets[GW_LATENCY_BUCKETS]; /* non-cumulative; +Inf is the count */
    uint64_t latency_count;
    uint64_t latency_sum_us;
    uint64_t upstream_latency_buckets[GW_LATENCY_BUCKETS];
    uint64_t upstream_latency_count;
    uint64_t upstream_latency_sum_us;
    uint64_t upstream_errors[GW_UPSTREAM_ERR__COUNT];
    uint64_t bytes_sent;
} gw_metrics_row_t;

typedef struct st_gw_metrics_t {
    gw_metrics_row_t *rows;
    uint64_t (*op_requests)[GW_STATUS_CLASSES]; /* per operation row */
    uint64_t connections_open; /* gauge: accepted minus closed */
    uint64_t connections_total;
    uint64_t requests_inflight;
    uint64_t access_log_dropped;
    uint64_t guard_h1_refused; /* request heads the connection guard answered and closed */
    uint64_t guard_h2_goaway;  /* HTTP/2 connections it ended with ENHANCE_YOUR_CALM */
} gw_metrics_t;

void gw_metrics_init(gw_metrics_t *m, const gw_metrics_layout_t *layout);
void gw_metrics_dispose(gw_metrics_t *m);

gw_method_class_t gw_method_class(const char *method, size_t len);

/* Writers: called only by the thread owning `m` (relaxed loads and stores of whole words, so
 * readers never tear; no locked instruction per request). */
void gw_metrics_count_request(gw_metrics_t *m, size_t row, gw_method_class_t method, int status,
                              uint64_t total_us, uint64_t upstream_us, int had_upstream,
                              uint64_t bytes);
void gw_metrics_count_operation(gw_metrics_t *m, size_t op_row, int status);
void gw_metrics_count_upstream_error(gw_metrics_t *m, size_t row, gw_upstream_error_t kind);
static inline void gw_metrics_add(uint64_t *counter, int64_t delta)
{
    __atomic_fetch_add(counter, (uint64_t)delta, __ATOMIC_RELAXED);
}

/* Building blocks for other renderers (shadow.c): a growing text buffer (abort on allocation
 * failure), and a latency histogram in the bounds above. */
typedef struct st_gw_metrics_out_t {
    char *buf; /* malloc'ed */
    size_t len, cap;
} gw_metrics_out_t;
void gw_metrics_outf(gw_metrics_out_t *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Counts one observation (relaxed atomics: any thread may observe into shared counters). */
void gw_metrics_observe(uint64_t *buckets, uint64_t *count, uint64_t *sum_us, uint64_t us);
/* A label value escaped for the text format (backslash, double quote and newline, exposition
 * format 0.0.4): a malloc'ed copy the caller frees; aborts on allocation failure. */
char *gw_metrics_escape_label(const char *value);
/* Writes name_bucket/_sum/_count lines; `buckets` are non-cumulative, `labels` is "a=\"b\"". */
void gw_metrics_render_histogram(gw_metrics_out_t *o, const char *name, const char *labels,
                                 const uint64_t *buckets, uint64_t count, uint64_t sum_us);

/* Renders the sum over `n` threads' metrics into a malloc'ed buffer (caller frees). */
char *gw_metrics_render(const gw_metrics_layout_t *layout, gw_metrics_t *const *threads, size_t n,
                        size_t *len);

#endif
