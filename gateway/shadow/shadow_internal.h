/* Internal to the shadow files: the process-wide and per-thread state, a captured response, and
 * a finished shadow exchange ("job") as it travels from an event loop to the diff worker. */
#ifndef GW_SHADOW_INTERNAL_H
#define GW_SHADOW_INTERNAL_H

#include "upstream.h"
#include <pthread.h>
#include <stdint.h>
#include <sys/time.h>
#include <jansson.h>
#include "h2o.h"
#include "ct_diff.h"
#include "ct_report.h"
#include "metrics.h"
#include "shadow.h"
#include "shadow_config.h"

/* Bounds of the queue between the event loops and the diff worker: comparisons beyond them are
 * dropped ("queue_full"), so a slow worker never grows memory without limit. */
#define GW_SHADOW_QUEUE_JOBS 4096
#define GW_SHADOW_QUEUE_BYTES ((size_t)256 * 1024 * 1024)
/* Differing comparisons kept per entry for the report's side-by-side view. */
#define GW_SHADOW_RECENT 10
/* Bytes of each body shown in the diff log and the report's samples. */
#define GW_SHADOW_EXCERPT 2048

/* Why a comparison did not happen; the first two also mean nothing was mirrored. */
#define GW_SHADOW_DROP_LIST(X)                                                                     \
    X(INFLIGHT, "inflight_limit")                                                                  \
    X(REQUEST_BODY, "request_body_too_large")                                                      \
    X(RESPONSE_BODY, "response_too_large")                                                         \
    X(PRIMARY, "primary_incomplete")                                                               \
    X(QUEUE, "queue_full")                                                                         \
    X(ADAPTER, "adapter_failed")                                                                   \
    X(SHUTDOWN, "shutdown")

typedef enum gw_shadow_drop {
#define GW_SHADOW_DROP_ENUM(name, text) GW_SHADOW_DROP_##name,
    GW_SHADOW_DROP_LIST(GW_SHADOW_DROP_ENUM)
#undef GW_SHADOW_DROP_ENUM
        GW_SHADOW_DROP__COUNT
} gw_shadow_drop_t;

/* How a candidate or secondary exchange failed. */
#define GW_SHADOW_ERROR_LIST(X)                                                                    \
    X(CONNECT, "connect")           /* refused, unreachable, or no connection in time */           \
    X(TIMEOUT, "timeout")           /* not complete within timeout_ms */                           \
    X(RESET, "reset")               /* closed before a complete head */                            \
    X(BAD_RESPONSE, "bad_response") /* unparsable head or framing */                               \
    X(BODY, "body")                 /* closed in the middle of the body */

typedef enum gw_shadow_error {
#define GW_SHADOW_ERROR_ENUM(name, text) GW_SHADOW_ERR_##name,
    GW_SHADOW_ERROR_LIST(GW_SHADOW_ERROR_ENUM)
#undef GW_SHADOW_ERROR_ENUM
        GW_SHADOW_ERR__COUNT
} gw_shadow_error_t;

typedef enum gw_shadow_side {
    GW_SHADOW_PRIMARY,
    GW_SHADOW_CANDIDATE,
    GW_SHADOW_SECONDARY,
    GW_SHADOW_SIDES
} gw_shadow_side_t;

extern const char *const gw_shadow__drop_names[GW_SHADOW_DROP__COUNT];
extern const char *const gw_shadow__error_names[GW_SHADOW_ERR__COUNT];
extern const char *const gw_shadow__side_names[GW_SHADOW_SIDES];

/* One side's response, copied to the heap as it arrives, the body bounded by `limit`. */
typedef struct st_gw_shadow_capture_t {
    int status;           /* 0 until the head arrived */
    ct_header_t *headers; /* names lower case; strings in `hbuf` */
    size_t num_headers;
    char *hbuf;
    char *body;
    size_t body_len, body_cap;
    size_t limit;
    int complete;  /* the whole response arrived */
    int too_large; /* the body exceeded `limit`; nothing of it is kept */
    int error;     /* -1, or a gw_shadow_error_t */
    uint64_t duration_us;
} gw_shadow_capture_t;

void gw_shadow__capture_init(gw_shadow_capture_t *c, size_t limit);
void gw_shadow__capture_dispose(gw_shadow_capture_t *c);
/* Copies a response head. `content_length` SIZE_MAX when unknown; beyond `limit` the capture is
 * marked too large at once. */
void gw_shadow__capture_head(gw_shadow_capture_t *c, int status, const h2o_header_t *headers,
                             size_t num_headers, size_t content_length);
/* The same for header views (the upstream client's). */
void gw_shadow__capture_head_views(gw_shadow_capture_t *c, int status, const ct_header_t *headers,
                                   size_t num_headers, size_t content_length);
/* Appends body bytes. Returns 0, or -1 once the body is over the limit (then marked too large,
 * with nothing kept). */
int gw_shadow__capture_body(gw_shadow_capture_t *c, const char *bytes, size_t len);
/* Copies header views into one malloc'ed block of strings (*buf) and an array (*out). */
void gw_shadow__headers_copy(const h2o_header_t *headers, size_t num_headers, ct_header_t **out,
                             char **buf);
void gw_shadow__views_copy(const ct_header_t *headers, size_t num_headers, ct_header_t **out,
                           char **buf);
/* Replaces the capture's headers with copies of `headers` (which may point into the old ones). */
void gw_shadow__capture_set_headers(gw_shadow_capture_t *c, const ct_header_t *headers,
                                    size_t num_headers);
/* Heap bytes the capture holds. */
size_t gw_shadow__capture_bytes(const gw_shadow_capture_t *c);

/* What the client would have received from an upstream that sent `c`: the headers the proxy
 * drops (hop-by-hop and those named in Connection, Date, Server, Content-Length, Api-Version,
 * X-Request-Id) are removed, and `vary_tokens` are added to Vary as gw_exchange_add_version_headers
 * adds them. The primary's capture (already the client's view) only loses Api-Version and
 * X-Request-Id, which the gateway writes for every routed answer (`is_primary`). */
void gw_shadow__capture_normalise(gw_shadow_capture_t *c, int is_primary,
                                  const char *const *vary_tokens, size_t num_vary_tokens);

/* A finished shadow exchange, owned by whoever holds it (event loop, queue, worker). */
typedef struct st_gw_shadow_job_t {
    struct st_gw_shadow_job_t *next; /* in the queue */
    size_t entry;                    /* index in gw_shadow_t.entries */
    struct timeval time;             /* when the request arrived */
    char *group;                     /* the report group: the operation */
    char *request_id;
    char *method;
    char *target;             /* as the client sent it */
    ct_header_t *req_headers; /* as the client sent them; strings in req_hbuf */
    size_t num_req_headers;
    char *req_hbuf;
    gw_shadow_capture_t side[GW_SHADOW_SIDES];
    int has_secondary;
    const struct st_adp_plan_t *plan; /* cross-version: how the candidate's answer is adapted */
    /* The plan the primary's own exchange ran (adapt.h), when it ran one: the candidate and the
     * secondary stand in for the primary's upstream, so their answers take the same path to
     * the client (downgrade, deprecation headers) before they are compared. */
    const struct st_adp_plan_t *primary_plan;
    char *candidate_path; /* the routed path the candidate was sent (validate: its operation) */
} gw_shadow_job_t;

void gw_shadow__job_free(gw_shadow_job_t *job);
size_t gw_shadow__job_bytes(const gw_shadow_job_t *job);

typedef struct st_gw_shadow_histogram_t {
    uint64_t buckets[GW_LATENCY_BUCKETS]; /* non-cumulative, gw_latency_bounds_s */
    uint64_t count, sum_us;
} gw_shadow_histogram_t;

typedef struct st_gw_shadow_log_t gw_shadow_log_t;

/* Process-wide state of one `shadow` entry. Counters are relaxed atomics: the event loops write
 * the first group, the worker the second; anyone reads. */
typedef struct st_gw_shadow_entry_t {
    const gw_shadow_conf_t *conf;
    const gw_api_t *api;
    /* candidate, secondary (when configured): resolved at start-up; each loop pools its own
     * connections to them (gw_shadow_thread_entry_t.targets) */
    struct sockaddr_storage addr[2];
    socklen_t addrlen[2];
    size_t num_targets;
    gw_shadow_log_t *log;      /* shared by entries naming the same file; NULL: none */
    /* Cross-version shadowing: the API's adapter file compiled so that the primary's version
     * is served through the changes up to the candidate's (shadow_adapt.c); NULL: none. */
    struct st_adp_registry_t *adapters;
    size_t adapters_version; /* the primary's version in it */
    uint64_t inflight, mirrored;
    uint64_t dropped[GW_SHADOW_DROP__COUNT];
    uint64_t errors[2][GW_SHADOW_ERR__COUNT]; /* candidate, secondary */
    gw_shadow_histogram_t latency[GW_SHADOW_SIDES];
    uint64_t queued; /* handed to the worker and not yet accounted for */
    uint64_t compared, differing, noise;
    /* `validate: true` (shadow_validate.c): the worker's checker of the candidate's spec, the
     * answers checked and those that broke it */
    struct st_gw_answer_checker_t *checker;
    uint64_t validated, violating;
    /* under gw_shadow_t.report_lock */
    struct st_ct_violations_t *violations;
    ct_report_t *report;
    json_t *recent[GW_SHADOW_RECENT]; /* ring of sample comparisons, newest at recent_next - 1 */
    size_t recent_next;
} gw_shadow_entry_t;

struct st_gw_shadow_t {
    const gw_config_t *config;
    gw_shadow_entry_t *entries;
    size_t num_entries;
    size_t *api_first;          /* per API: index of its first entry */
    const char *vary_tokens[2]; /* what the gateway adds to Vary (exchange.c) */
    size_t num_vary_tokens;
    SSL_CTX *ssl_ctx;
    gw_shadow_log_t **logs;
    size_t num_logs;
    /* the queue to the diff worker */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    gw_shadow_job_t *head, **tail;
    size_t queue_jobs, queue_bytes;
    int stopping, worker_started;
    pthread_t worker;
    /* the reports and samples of every entry */
    pthread_mutex_t report_lock;
    /* the diff worker's: the candidate's body parsed for validation, reused by the diff */
    body_arena_t scratch;
};

/* Per-entry loop state: the deadline's timeout list (timeout_ms) and the loop's pools. */
typedef struct st_gw_shadow_thread_entry_t {
    h2o_timeout_t timeout;
    up_target_t *targets[2]; /* candidate, secondary */
} gw_shadow_thread_entry_t;

struct st_gw_shadow_thread_t {
    gw_shadow_t *shadow;
    h2o_context_t *ctx;
    gw_shadow_thread_entry_t *entries;
    h2o_linklist_t exchanges; /* in flight on this loop */
    uint64_t rng;
    int stopped; /* cancelled: nothing new is mirrored */
};

/* Hands a finished job to the worker. Returns 0, or -1 when the queue is full (the job stays the
 * caller's). Thread-safe. */
int gw_shadow__enqueue(gw_shadow_t *s, gw_shadow_job_t *job);
/* Counts a drop; thread-safe. */
void gw_shadow__count_drop(gw_shadow_entry_t *e, gw_shadow_drop_t why);

/* Builds the mirrored request head (RFC 9112 request line and fields) for `target`: the client's
 * end-to-end headers minus the entry's `remove` list, plus its `set` headers, the framing, and
 * X-Forwarded-For/-Proto/-Host as the proxy writes them. A non-empty `traceparent` (the shadow
 * request's own span, trace.h) replaces the request's. `path` is the routed path, `query`
 * starts with '?' or is empty. Returns a malloc'ed buffer. Pure. */
h2o_iovec_t gw_shadow__build_request(const gw_shadow_conf_t *conf, const gw_upstream_t *target,
                                     h2o_iovec_t method, h2o_iovec_t path, h2o_iovec_t query,
                                     const ct_header_t *headers, size_t num_headers,
                                     size_t body_len, int has_body, h2o_iovec_t peer,
                                     h2o_iovec_t scheme, h2o_iovec_t authority,
                                     h2o_iovec_t traceparent);
/* 1 when a request header's value is kept out of logs and reports (credentials, cookies, and
 * the entry's `remove` list). */
int gw_shadow__is_secret_header(const gw_shadow_conf_t *conf, const char *name, size_t len);

/* The JSON of one comparison for the diff log and the report's samples: time, operation,
 * request line and redacted headers, status, headers and body excerpt of each side, and the
 * differences (and noise, with a secondary) with their paths. New reference. */
json_t *gw_shadow__sample_json(const gw_shadow_entry_t *e, const gw_shadow_job_t *job,
                               const ct_result_t *candidate, const ct_result_t *noise);

/* Cross-version shadowing (shadow_adapt.c). */
/* At start-up: compiles the API's adapter file for an entry with candidate_version (newer than
 * its version), so that the primary's version chains up to the candidate's. Nothing to do
 * otherwise. Returns 0, or -1 with errbuf set (file:line:col of the adapter file). */
int gw_shadow__adapters_load(gw_shadow_entry_t *e, char *errbuf, size_t errlen);
void gw_shadow__adapters_free(gw_shadow_entry_t *e);

/* The candidate's copy of a request, upgraded to the candidate's version. Fields are NULL when
 * unchanged; all owned (gw_shadow__adapted_dispose). */
typedef struct st_gw_shadow_adapted_t {
    const struct st_adp_plan_t *plan; /* NULL: nothing to adapt */
    char *path;                       /* routed path */
    char *query;                      /* with its '?', or "" */
    ct_header_t *headers;
    size_t num_headers;
    char *hbuf;
    char *body; /* re-serialised JSON when the plan changed it */
    size_t body_len;
} gw_shadow_adapted_t;

/* On the event loop, before the candidate request is built: finds the plan of the request's
 * operation and upgrades path, query, headers and (when the plan needs it, bounded by max_body)
 * the JSON body. Returns 0, or -1 when the operation is gone or its path does not fit (the
 * request is not mirrored: "adapter_failed"). */
int gw_shadow__adapt_request(const gw_shadow_entry_t *e, const gw_exchange_t *x,
                             const gw_shadow_job_t *job, const char *path, size_t path_len,
                             h2o_iovec_t query, h2o_iovec_t body, gw_shadow_adapted_t *out);
void gw_shadow__adapted_dispose(gw_shadow_adapted_t *a);
/* The downgraded responses of one job, kept from the downgrade to the diff: the diff reads the
 * adapters' body trees instead of parsing the adapted bytes again (one parse per body). */
typedef struct st_gw_shadow_downgraded_t gw_shadow_downgraded_t;

/* On the diff worker: brings the candidate's and the secondary's responses to the client's view
 * of the primary's version: the candidate's through job->plan (cross-version) or else the
 * primary's plan, the secondary's through the primary's plan, both then with the primary's
 * deprecation headers. *out receives what the diff may reuse (NULL when nothing was adapted;
 * free it with gw_shadow__downgraded_free after the comparison). Returns 0, or -1 when it
 * cannot (dropped as "adapter_failed"). */
int gw_shadow__adapt_response(const gw_shadow_entry_t *e, gw_shadow_job_t *job,
                              gw_shadow_downgraded_t **out);
/* The body tree of `side` as the adapters left it (the same value its capture's bytes hold), or
 * NULL: parse the bytes. `d` may be NULL. */
const body_value_t *gw_shadow__downgraded_body(const gw_shadow_downgraded_t *d, int side);
/* Accepts NULL. */
void gw_shadow__downgraded_free(gw_shadow_downgraded_t *d);

/* Diff logs: JSON lines, rotated by size (path -> path.1 -> ... -> path.<keep>). Only the diff
 * worker writes. */
gw_shadow_log_t *gw_shadow__log_open(const char *path, size_t max_bytes, unsigned keep,
                                     char *errbuf, size_t errlen);
void gw_shadow__log_close(gw_shadow_log_t *log);
const char *gw_shadow__log_path(const gw_shadow_log_t *log);
/* Appends one line (a newline is added), rotating first when it would pass max_bytes. Returns
 * 0, or -1 on an I/O error (the line is lost; the log retries on the next line). */
int gw_shadow__log_write(gw_shadow_log_t *log, const char *line, size_t len);

/* Serialises `j` into a malloc'ed, NUL-terminated string of *len bytes: callers free() it, and
 * every serialised document of the shadow code comes from here. */
char *gw_shadow__json_dump(const json_t *j, size_t flags, size_t *len);

/* Contract validation of the candidate's answers (shadow_validate.c). */
/* At start-up: the entry's checker, when it has `validate: true`. Returns 0, or -1 with errbuf. */
int gw_shadow__validate_init(gw_shadow_entry_t *e, char *errbuf, size_t errlen);
void gw_shadow__validate_dispose(gw_shadow_entry_t *e);
/* On the diff worker, before any adapter: the candidate's complete answer against its spec;
 * violations counted in the entry (takes report_lock). Returns the candidate body's tree when it
 * parsed a JSON body (in s->scratch, until the next job), for the diff to reuse, else NULL. */
const body_value_t *gw_shadow__validate_job(gw_shadow_t *s, gw_shadow_entry_t *e,
                                            const gw_shadow_job_t *job);
/* Adds "validate" (counts) and "violations" to an entry's /shadow/report object, under
 * report_lock. */
void gw_shadow__validate_report(const gw_shadow_entry_t *e, json_t *entry);

/* The /shadow/report document (counters, ct_report, samples). New reference. Thread-safe. */
json_t *gw_shadow__report_json(gw_shadow_t *s);
/* The /shadow page for that document (shadow_admin.c): each entry's report, counters, drops,
 * errors, latencies and latest differing requests, drawn by the contract-tests renderer
 * (ct_report_html_page). Self-contained HTML, malloc'ed. */
char *gw_shadow__html_render(const json_t *report, size_t *len);

#endif
