/* The replay engine: a pump reads captures and starts exchanges (bounded by concurrency and a
 * token bucket), each exchange sends its request to every side at once, and the last answer to
 * arrive triggers the comparisons and the report update. */
#include "ct_replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ct_alloc.h"
#include "ct_buf.h"
#include "ct_client.h"
#include "ct_curl.h"
#include "ct_http.h"
#include "ct_map.h"

#define SIDES 3
#define MAX_CONCURRENCY 1024
#define MAX_LISTED 100       /* bad lines and errors listed in the report */
#define MAX_RETAINED 10000   /* requests kept as curl commands for samples */
#define MAX_GROUP_SEGMENTS 8 /* path segments in a group name without an operationId */
/* Connection attempts to one upstream failing in a row (each request tries twice) that end the
 * run: a slow accept queue loses a few, an upstream that went away loses them all. */
#define UNREACHABLE_AFTER 6

enum { PRIMARY, CANDIDATE, SECONDARY };
static const char *const side_names[SIDES] = {"primary", "candidate", "secondary"};

typedef struct st_slot_t {
    ct_replay_t *r;
    ct_exchange_t *x; /* our copy of the record */
    char id[CT_REQUEST_ID_MAX];
    char group[CT_GROUP_NAME_MAX];
    ct_capture_request_t adapted; /* the candidate's request when an adapter upgraded it */
    int have_adapted;
    void *request_state;
    ct_buf_t wire[SIDES];
    ct_request_t req[SIDES];
    int active[SIDES];
    int pending;
} slot_t;

/* curl commands of a request that is (or may become) a sample. */
typedef struct st_retained_t {
    char *curl, *curl_primary;
} retained_t;

/* How many samples the report may keep for one (group, kind, path); mirrors ct_report.c's rule
 * (the first max_samples candidate comparisons, and a noise one until a candidate one exists). */
typedef struct st_sample_count_t {
    uint32_t candidate;
    int noise;
    uint64_t last_seq;
} sample_count_t;

struct st_ct_replay_t {
    ct_replay_config_t cfg;
    ct_url_t url[SIDES];
    int have[SIDES];
    ct_replay_filter_t *filters;
    h2o_loop_t *loop;
    ct_client_t *client;
    ct_target_t *target[SIDES];
    h2o_timeout_t tick_timeout;
    h2o_timeout_entry_t tick;
    slot_t *slots;
    size_t *free_slots, num_free;
    /* reading */
    const char *const *captures;
    size_t num_captures, cur;
    ct_capture_reader_t *reader;
    const char *cur_name; /* basename of the capture being read, for request ids */
    int reading_done, pumping;
    /* rate */
    double tokens, burst, last_refill;
    /* state */
    int stopping, fatal, cut_short;
    char stop_reason[300];
    double t0, t_end, stop_deadline, next_progress;
    /* results */
    ct_report_t *report;
    ct_result_t cand, noise;
    uint64_t seq, total, read, replayed, completed, bad_lines, errors[SIDES];
    uint64_t skipped_filtered, skipped_unsafe, skipped_truncated, skipped_no_response;
    uint64_t bodies_not_compared;
    json_t *bad_list, *error_list;
    ct_map_t retained, sample_counts;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Configuration. */

void ct_replay_config_init(ct_replay_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->concurrency = 64;
    cfg->connect_timeout_ms = 2000;
    cfg->timeout_ms = 30000;
    cfg->max_body_bytes = 8u << 20;
    cfg->drain_ms = 2000;
    cfg->progress_ms = 200;
    cfg->fail_on = CT_FAIL_ON_REGRESSION;
    ct_report_config_init(&cfg->report);
    ct_capture_reader_config_init(&cfg->reader);
}

int ct_replay_filter_parse(const char *text, ct_replay_filter_t *out, ct_error_t *err)
{
    static const struct {
        const char *prefix;
        ct_replay_filter_kind_t kind;
    } kinds[] = {{"operation=", CT_REPLAY_FILTER_OPERATION},
                 {"method=", CT_REPLAY_FILTER_METHOD},
                 {"path=", CT_REPLAY_FILTER_PATH}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(text, kinds[i].prefix, n) == 0 && text[n] != '\0') {
            out->kind = kinds[i].kind;
            out->value = text + n;
            if (out->kind == CT_REPLAY_FILTER_PATH && out->value[0] != '/')
                break;
            return 0;
        }
    }
    snprintf(err->message, sizeof(err->message),
             "bad filter \"%.100s\": expected operation=ID, method=NAME or path=/prefix", text);
    return -1;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? ct__xstrndup(s, strlen(s)) : NULL;
}

ct_replay_t *ct_replay_create(const ct_replay_config_t *cfg, ct_error_t *err)
{
    const char *urls[SIDES] = {cfg->primary_url, cfg->candidate_url, cfg->secondary_url};
    if (cfg->candidate_url == NULL || (!cfg->against_recorded && cfg->primary_url == NULL)) {
        snprintf(err->message, sizeof(err->message), "%s",
                 cfg->against_recorded ? "a candidate URL is needed"
                                       : "a primary and a candidate URL are needed");
        return NULL;
    }
    if (cfg->against_recorded && (cfg->primary_url != NULL || cfg->secondary_url != NULL)) {
        snprintf(err->message, sizeof(err->message),
                 "against the recorded responses there is no primary or secondary to call");
        return NULL;
    }
    if (cfg->concurrency == 0 || cfg->concurrency > MAX_CONCURRENCY || cfg->rate < 0 ||
        !isfinite(cfg->rate) || cfg->max_body_bytes == 0 || cfg->timeout_ms == 0 ||
        cfg->connect_timeout_ms == 0) {
        snprintf(err->message, sizeof(err->message),
                 "concurrency must be 1 to %d, the rate >= 0, timeouts and the body cap > 0",
                 MAX_CONCURRENCY);
        return NULL;
    }
    ct_replay_t *r = ct__xcalloc(1, sizeof(*r));
    r->cfg = *cfg;
    r->cfg.primary_url = r->cfg.candidate_url = r->cfg.secondary_url = NULL;
    r->cfg.api = dup_or_null(cfg->api);
    r->filters = ct__xcalloc(cfg->num_filters, sizeof(*r->filters));
    for (size_t i = 0; i < cfg->num_filters; i++) {
        r->filters[i].kind = cfg->filters[i].kind;
        r->filters[i].value = dup_or_null(cfg->filters[i].value);
    }
    r->cfg.filters = r->filters;
    for (int s = 0; s < SIDES; s++) {
        if (urls[s] == NULL)
            continue;
        if (ct__url_parse(urls[s], &r->url[s], err) != 0) {
            ct_replay_destroy(r);
            return NULL;
        }
        r->have[s] = 1;
    }
    if ((r->report = ct_report_create(&cfg->report, err)) == NULL) {
        ct_replay_destroy(r);
        return NULL;
    }
    r->loop = h2o_evloop_create();
    h2o_timeout_init(r->loop, &r->tick_timeout, 1);
    ct_client_config_t cc = {cfg->connect_timeout_ms, cfg->timeout_ms, cfg->max_body_bytes};
    r->client = ct__client_create(r->loop, &cc);
    for (int s = 0; s < SIDES; s++) {
        if (r->have[s] && (r->target[s] = ct__target_create(r->client, &r->url[s], err)) == NULL) {
            ct_replay_destroy(r);
            return NULL;
        }
    }
    r->slots = ct__xcalloc(cfg->concurrency, sizeof(*r->slots));
    r->free_slots = ct__xcalloc(cfg->concurrency, sizeof(*r->free_slots));
    for (size_t i = 0; i < cfg->concurrency; i++) {
        slot_t *s = &r->slots[cfg->concurrency - 1 - i];
        s->r = r;
        for (int k = 0; k < SIDES; k++)
            ct__request_init(&s->req[k]);
        r->free_slots[r->num_free++] = cfg->concurrency - 1 - i;
    }
    ct_result_init(&r->cand);
    ct_result_init(&r->noise);
    ct__map_init(&r->retained);
    ct__map_init(&r->sample_counts);
    r->bad_list = json_array();
    r->error_list = json_array();
    r->burst = cfg->rate > 0 ? fmax(1.0, cfg->rate / 50) : 0; /* 20 ms worth of requests */
    r->tokens = r->burst > 0 ? 1 : 0;
    return r;
}

/* Requests as sent. */

static int is_method(ct_str_t m, const char *name)
{
    return m.len == strlen(name) && memcmp(m.base, name, m.len) == 0;
}

/* RFC 9110 section 9.2.1: GET, HEAD, OPTIONS and TRACE are safe; everything else needs
 * --allow-unsafe. */
static int is_safe(ct_str_t m)
{
    return is_method(m, "GET") || is_method(m, "HEAD") || is_method(m, "OPTIONS") ||
           is_method(m, "TRACE");
}

static int is_idempotent(ct_str_t m)
{
    return is_safe(m) || is_method(m, "PUT") || is_method(m, "DELETE");
}

static ct_str_t path_sent(const ct_replay_t *r, const ct_capture_request_t *q)
{
    return q->upstream_path.base != NULL && !r->cfg.client_paths ? q->upstream_path : q->path;
}

static int listed_in_connection(const ct_capture_request_t *q, const ct_header_t *h)
{
    char name[128];
    if (h->name_len >= sizeof(name))
        return 0;
    for (size_t i = 0; i < h->name_len; i++)
        name[i] = ct__http_lower(h->name[i]);
    name[h->name_len] = '\0';
    for (size_t i = 0; i < q->num_headers; i++)
        if (ct__http_name_is(q->headers[i].name, q->headers[i].name_len, "connection") &&
            ct__http_list_has(q->headers[i].value, q->headers[i].value_len, name))
            return 1;
    return 0;
}

/* Whether a recorded header is sent: not hop-by-hop (RFC 9110 section 7.6.1), not one we set
 * (Host, Content-Length), and no Accept-Encoding, so that bodies arrive as they compare best. */
static int header_sent(const ct_capture_request_t *q, const ct_header_t *h)
{
    static const char *const dropped[] = {"host",
                                          "content-length",
                                          "transfer-encoding",
                                          "connection",
                                          "keep-alive",
                                          "te",
                                          "trailer",
                                          "upgrade",
                                          "expect",
                                          "proxy-connection",
                                          "http2-settings",
                                          "accept-encoding"};
    for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
        if (ct__http_name_is(h->name, h->name_len, dropped[i]))
            return 0;
    return !listed_in_connection(q, h);
}

static int needs_length(const ct_capture_request_t *q)
{
    return q->body.len != 0 || is_method(q->method, "POST") || is_method(q->method, "PUT") ||
           is_method(q->method, "PATCH");
}

static void build_wire(const ct_replay_t *r, int side, const ct_capture_request_t *q, ct_buf_t *b)
{
    const ct_url_t *u = &r->url[side];
    ct_str_t path = path_sent(r, q);
    b->len = 0;
    ct__buf_append(b, q->method.base, q->method.len);
    ct__buf_putc(b, ' ');
    ct__buf_puts(b, u->base_path);
    ct__buf_append(b, path.base, path.len);
    if (q->query.base != NULL) {
        ct__buf_putc(b, '?');
        ct__buf_append(b, q->query.base, q->query.len);
    }
    ct__buf_puts(b, " HTTP/1.1\r\nhost: ");
    ct__buf_puts(b, u->authority);
    ct__buf_puts(b, "\r\n");
    if (needs_length(q))
        ct__buf_printf(b, "content-length: %zu\r\n", q->body.len);
    for (size_t i = 0; i < q->num_headers; i++) {
        const ct_header_t *h = &q->headers[i];
        if (!header_sent(q, h))
            continue;
        ct__buf_append(b, h->name, h->name_len);
        ct__buf_puts(b, ": ");
        ct__buf_append(b, h->value, h->value_len);
        ct__buf_puts(b, "\r\n");
    }
    ct__buf_puts(b, "\r\n");
}

static char *curl_for(const ct_replay_t *r, int side, const ct_capture_request_t *q)
{
    const ct_url_t *u = &r->url[side];
    ct_str_t path = path_sent(r, q);
    ct_buf_t url = CT_BUF_INIT;
    ct__buf_puts(&url, u->origin);
    ct__buf_puts(&url, u->base_path);
    ct__buf_append(&url, path.base, path.len);
    if (q->query.base != NULL) {
        ct__buf_putc(&url, '?');
        ct__buf_append(&url, q->query.base, q->query.len);
    }
    ct_header_t *hs = ct__xcalloc(q->num_headers, sizeof(*hs));
    size_t n = 0;
    for (size_t i = 0; i < q->num_headers; i++)
        if (header_sent(q, &q->headers[i]))
            hs[n++] = q->headers[i];
    char *cmd = ct_curl_command(q->method.base, q->method.len, url.base, url.len, hs, n,
                                q->body.bytes, q->body.len);
    free(hs);
    ct__buf_dispose(&url);
    return cmd;
}

static const ct_capture_request_t *request_of(const slot_t *s, int side)
{
    return side == CANDIDATE && s->have_adapted ? &s->adapted : &s->x->request;
}

/* Grouping: the operationId, else the method and the path with identifiers generalized. */

static int looks_like_id(const char *s, size_t n)
{
    size_t digits = 0, hex = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        digits += c >= '0' && c <= '9';
        hex +=
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
    }
    return n != 0 && (digits == n || (hex == n && n >= 16 && digits != 0));
}

static void group_of(const ct_replay_t *r, const ct_exchange_t *x, char *out, size_t size)
{
    if (x->operation.base != NULL && x->operation.len != 0) {
        snprintf(out, size, "%.*s", (int)x->operation.len, x->operation.base);
        return;
    }
    ct_str_t path = path_sent(r, &x->request);
    ct_buf_t b = CT_BUF_INIT;
    ct__buf_append(&b, x->request.method.base, x->request.method.len);
    ct__buf_putc(&b, ' ');
    size_t i = 0, segments = 0;
    while (i < path.len) {
        size_t start = ++i; /* after the '/' */
        while (i < path.len && path.base[i] != '/')
            i++;
        if (++segments > MAX_GROUP_SEGMENTS) {
            ct__buf_puts(&b, "/...");
            break;
        }
        ct__buf_putc(&b, '/');
        if (looks_like_id(path.base + start, i - start))
            ct__buf_puts(&b, "{id}");
        else
            ct__buf_append(&b, path.base + start, i - start);
    }
    if (path.len == 0 || (path.len == 1 && path.base[0] == '/'))
        ct__buf_putc(&b, '/');
    snprintf(out, size, "%s", b.base);
    ct__buf_dispose(&b);
}

/* Samples and errors. */

static void retain(ct_replay_t *r, const slot_t *s)
{
    if (ct__map_get(&r->retained, s->id, strlen(s->id)) != NULL || r->retained.size >= MAX_RETAINED)
        return;
    retained_t *k = ct__xcalloc(1, sizeof(*k));
    k->curl = curl_for(r, CANDIDATE, request_of(s, CANDIDATE));
    if (r->have[PRIMARY])
        k->curl_primary = curl_for(r, PRIMARY, request_of(s, PRIMARY));
    ct__map_insert(&r->retained, s->id, strlen(s->id), k);
}

/* Keeps the request when one of its differences may become a sample in the report. */
static void consider_samples(ct_replay_t *r, const slot_t *s, const ct_result_t *res, int noise)
{
    uint64_t max_keys = (uint64_t)r->cfg.report.max_groups * r->cfg.report.max_paths;
    for (size_t i = 0; i < res->num_diffs; i++) {
        const ct_diff_t *d = &res->diffs[i];
        ct_buf_t key = CT_BUF_INIT;
        ct__buf_puts(&key, s->group);
        ct__buf_putc(&key, '\0');
        ct__buf_putc(&key, (char)('A' + d->kind));
        ct__buf_puts(&key, d->path);
        sample_count_t *c = ct__map_get(&r->sample_counts, key.base, key.len);
        if (c == NULL && r->sample_counts.size < max_keys) {
            c = ct__xcalloc(1, sizeof(*c));
            ct__map_insert(&r->sample_counts, key.base, key.len, c);
        }
        ct__buf_dispose(&key);
        if (c == NULL)
            continue;
        if (noise) {
            if (c->candidate == 0 && !c->noise) {
                c->noise = 1;
                retain(r, s);
            }
        } else if (c->last_seq != r->seq) {
            c->last_seq = r->seq;
            if (c->candidate++ < r->cfg.report.max_samples)
                retain(r, s);
        }
    }
}

static void record_error(ct_replay_t *r, const slot_t *s, int side, const char *message)
{
    r->errors[side]++;
    if (json_array_size(r->error_list) >= MAX_LISTED)
        return;
    char *curl = curl_for(r, side, request_of(s, side));
    json_array_append_new(r->error_list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "request_id", s->id,
                                                   "side", side_names[side], "group", s->group,
                                                   "message", message, "curl", curl));
    free(curl);
}

static void fail_run(ct_replay_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_run(ct_replay_t *r, const char *fmt, ...)
{
    if (r->fatal)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->stop_reason, sizeof(r->stop_reason), fmt, ap);
    va_end(ap);
    r->fatal = 1;
}

/* Exchanges. */

static void pump(ct_replay_t *r);

static void release_slot(slot_t *s)
{
    ct_replay_t *r = s->r;
    if (s->have_adapted && r->cfg.adapter->release != NULL)
        r->cfg.adapter->release(r->cfg.adapter->ctx, s->request_state);
    s->have_adapted = 0;
    s->request_state = NULL;
    free(s->x);
    s->x = NULL;
    memset(s->active, 0, sizeof(s->active));
    r->free_slots[r->num_free++] = (size_t)(s - r->slots);
}

static ct_response_t response_of(const ct_request_t *req)
{
    return (ct_response_t){.status = req->res_status,
                           .headers = req->headers,
                           .num_headers = req->num_headers,
                           .body = req->body.base,
                           .body_len = req->body.len};
}

static void compare(ct_replay_t *r, slot_t *s)
{
    const ct_exchange_t *x = s->x;
    ct_response_t p, c = response_of(&s->req[CANDIDATE]);
    if (r->cfg.against_recorded) {
        p = (ct_response_t){.status = x->response.status,
                            .headers = x->response.headers,
                            .num_headers = x->response.num_headers,
                            .body = x->response.body.bytes,
                            .body_len = x->response.body.len};
    } else {
        p = response_of(&s->req[PRIMARY]);
    }
    void *state = NULL;
    const ct_replay_adapter_t *a = r->cfg.adapter;
    if (a != NULL && a->response != NULL) {
        ct_response_t adapted;
        char err[200] = "";
        if (a->response(a->ctx, x, &c, &adapted, &state, err, sizeof(err)) != 0) {
            char msg[256];
            snprintf(msg, sizeof(msg), "adapter: %s", err);
            record_error(r, s, CANDIDATE, msg);
            if (a->release != NULL)
                a->release(a->ctx, state);
            return;
        }
        c = adapted;
    }
    if (r->cfg.against_recorded && (x->response.body.missing || x->response.body.truncated)) {
        /* the recorded body is not all there: compare status and headers only */
        p.body = c.body = NULL;
        p.body_len = c.body_len = 0;
        r->bodies_not_compared++;
    }
    r->seq++;
    ct_compare(r->cfg.rules, s->group, &p, &c, &r->cand);
    const ct_result_t *noise = NULL;
    if (s->active[SECONDARY] && s->req[SECONDARY].status == CT_CLIENT_OK) {
        ct_response_t sec = response_of(&s->req[SECONDARY]);
        ct_compare(r->cfg.rules, s->group, &p, &sec, &r->noise);
        noise = &r->noise;
    }
    ct_report_add(r->report, s->group, s->id, &r->cand, noise);
    consider_samples(r, s, &r->cand, 0);
    if (noise != NULL)
        consider_samples(r, s, noise, 1);
    if (a != NULL && a->release != NULL && state != NULL)
        a->release(a->ctx, state);
}

static void finish_exchange(slot_t *s)
{
    ct_replay_t *r = s->r;
    r->completed++;
    int ok = 1;
    for (int side = 0; side < SIDES; side++) {
        ct_request_t *q = &s->req[side];
        if (!s->active[side] || q->status == CT_CLIENT_OK)
            continue;
        record_error(r, s, side, q->error);
        if (q->status == CT_CLIENT_ERR_CONNECT &&
            ct__target_connect_failures(r->target[side]) >= UNREACHABLE_AFTER)
            fail_run(r, "the %s upstream %s became unreachable: %s", side_names[side],
                     r->url[side].url, q->error);
        if (side != SECONDARY)
            ok = 0;
    }
    if (ok)
        compare(r, s);
    release_slot(s);
    pump(r);
}

static void on_response(ct_request_t *req)
{
    slot_t *s = req->data;
    if (--s->pending == 0)
        finish_exchange(s);
}

static int passes_filters(const ct_replay_t *r, const ct_exchange_t *x)
{
    if (r->cfg.api != NULL && x->api.base != NULL &&
        (x->api.len != strlen(r->cfg.api) || memcmp(x->api.base, r->cfg.api, x->api.len) != 0))
        return 0;
    for (int kind = CT_REPLAY_FILTER_OPERATION; kind <= CT_REPLAY_FILTER_PATH; kind++) {
        int seen = 0, match = 0;
        for (size_t i = 0; i < r->cfg.num_filters; i++) {
            const ct_replay_filter_t *f = &r->filters[i];
            if ((int)f->kind != kind)
                continue;
            seen = 1;
            size_t n = strlen(f->value);
            switch (f->kind) {
            case CT_REPLAY_FILTER_OPERATION:
                match |= x->operation.base != NULL && x->operation.len == n &&
                         memcmp(x->operation.base, f->value, n) == 0;
                break;
            case CT_REPLAY_FILTER_METHOD:
                match |= x->request.method.len == n &&
                         strncasecmp(x->request.method.base, f->value, n) == 0;
                break;
            case CT_REPLAY_FILTER_PATH: {
                ct_str_t p = path_sent(r, &x->request);
                match |= p.len >= n && memcmp(p.base, f->value, n) == 0;
                break;
            }
            }
        }
        if (seen && !match)
            return 0;
    }
    return 1;
}

/* Returns 1 when the exchange is to be replayed, after counting why not otherwise. */
static int wanted(ct_replay_t *r, const ct_exchange_t *x)
{
    if (!passes_filters(r, x)) {
        r->skipped_filtered++;
        return 0;
    }
    if (!r->cfg.allow_unsafe && !is_safe(x->request.method)) {
        r->skipped_unsafe++;
        return 0;
    }
    if (x->request.body.truncated) {
        r->skipped_truncated++; /* sending part of a body would test something else */
        return 0;
    }
    if (r->cfg.against_recorded && x->response.status == 0) {
        r->skipped_no_response++;
        return 0;
    }
    return 1;
}

static void start_exchange(ct_replay_t *r, const ct_exchange_t *x, uint64_t line)
{
    slot_t *s = &r->slots[r->free_slots[--r->num_free]];
    s->x = ct_exchange_dup(x);
    snprintf(s->id, sizeof(s->id),
             ct_capture_reader_format(r->reader) == CT_CAPTURE_HAR ? "%s#%llu" : "%s:%llu",
             r->cur_name, (unsigned long long)line);
    group_of(r, s->x, s->group, sizeof(s->group));
    r->replayed++;
    const ct_replay_adapter_t *a = r->cfg.adapter;
    if (a != NULL && a->request != NULL) {
        char err[200] = "";
        if (a->request(a->ctx, s->x, &s->adapted, &s->request_state, err, sizeof(err)) != 0) {
            char msg[256];
            snprintf(msg, sizeof(msg), "adapter: %s", err);
            r->completed++;
            record_error(r, s, CANDIDATE, msg);
            if (a->release != NULL)
                a->release(a->ctx, s->request_state);
            s->request_state = NULL;
            release_slot(s);
            return;
        }
        s->have_adapted = 1;
    }
    s->pending = 0;
    for (int side = 0; side < SIDES; side++) {
        if (!r->have[side])
            continue;
        const ct_capture_request_t *q = request_of(s, side);
        ct_request_t *req = &s->req[side];
        build_wire(r, side, q, &s->wire[side]);
        req->bufs[0] = h2o_iovec_init(s->wire[side].base, s->wire[side].len);
        req->bufs[1] = h2o_iovec_init(q->body.bytes, q->body.len);
        req->method_is_head = is_method(q->method, "HEAD");
        req->idempotent = is_idempotent(q->method);
        req->cb = on_response;
        req->data = s;
        s->active[side] = 1;
        s->pending++;
    }
    for (int side = 0; side < SIDES; side++)
        if (s->active[side])
            ct__client_send(r->target[side], &s->req[side]);
}

/* Reading. */

static void list_bad(ct_replay_t *r, const ct_capture_bad_t *bad)
{
    r->bad_lines++;
    if (json_array_size(r->bad_list) < MAX_LISTED)
        json_array_append_new(r->bad_list,
                              json_pack("{s:s, s:I, s:s}", "file", r->captures[r->cur], "line",
                                        (json_int_t)bad->line, "message", bad->message));
}

/* Opens the next capture; returns 0, or -1 when there is none left or after failing the run. */
static int open_next(ct_replay_t *r)
{
    ct_capture_reader_close(r->reader);
    r->reader = NULL;
    if (r->cur >= r->num_captures)
        return -1;
    ct_error_t err;
    const char *path = r->captures[r->cur];
    if ((r->reader = ct_capture_reader_open(path, &r->cfg.reader, &err)) == NULL) {
        fail_run(r, "%s", err.message);
        return -1;
    }
    const char *slash = strrchr(path, '/');
    r->cur_name = slash != NULL && slash[1] != '\0' ? slash + 1 : path;
    return 0;
}

/* Whether another exchange may start now (token bucket). */
static int have_token(ct_replay_t *r)
{
    if (r->cfg.rate <= 0)
        return 1;
    double t = now_s();
    r->tokens = fmin(r->burst, r->tokens + (t - r->last_refill) * r->cfg.rate);
    r->last_refill = t;
    return r->tokens >= 1;
}

static void on_tick(h2o_timeout_entry_t *entry)
{
    ct_replay_t *r = H2O_STRUCT_FROM_MEMBER(ct_replay_t, tick, entry);
    pump(r);
}

static void pump(ct_replay_t *r)
{
    if (r->pumping)
        return;
    r->pumping = 1;
    while (!r->reading_done && !r->stopping && !r->fatal && r->num_free > 0 &&
           !(r->cfg.stop != NULL && *r->cfg.stop)) {
        if (!have_token(r)) {
            if (!h2o_timeout_is_linked(&r->tick))
                h2o_timeout_link(r->loop, &r->tick_timeout, &r->tick);
            break;
        }
        if (r->reader == NULL) {
            if (open_next(r) != 0) {
                r->reading_done = 1;
                break;
            }
        }
        ct_exchange_t x;
        ct_capture_bad_t bad;
        ct_error_t err;
        switch (ct_capture_reader_next(r->reader, &x, &bad, &err)) {
        case CT_CAPTURE_ERROR:
            fail_run(r, "%s: %s", r->captures[r->cur], err.message);
            break;
        case CT_CAPTURE_EOF:
            ct_capture_reader_close(r->reader);
            r->reader = NULL;
            r->cur++;
            break;
        case CT_CAPTURE_BAD:
            r->read++;
            list_bad(r, &bad);
            break;
        case CT_CAPTURE_RECORD: {
            r->read++;
            uint64_t line = ct_capture_reader_position(r->reader);
            if (wanted(r, &x)) {
                if (r->cfg.rate > 0)
                    r->tokens -= 1;
                start_exchange(r, &x, line);
            }
            break;
        }
        }
    }
    r->pumping = 0;
}

/* Running. */

static void report_progress(ct_replay_t *r)
{
    if (r->cfg.progress == NULL)
        return;
    ct_report_totals_t t;
    ct_report_totals(r->report, &t);
    double elapsed = (r->t_end > 0 ? r->t_end : now_s()) - r->t0;
    ct_replay_progress_t p = {
        .total = r->total,
        .done = r->read,
        .compared = t.compared,
        .differing = t.differing,
        .errors = r->errors[PRIMARY] + r->errors[CANDIDATE] + r->errors[SECONDARY],
        .elapsed = elapsed,
        .rate = elapsed > 0 ? (double)r->completed / elapsed : 0,
    };
    r->cfg.progress(r->cfg.progress_ctx, &p);
}

/* Abandons what is still in flight after a stop or a failure. */
static void cancel_in_flight(ct_replay_t *r)
{
    for (size_t i = 0; i < r->cfg.concurrency; i++) {
        slot_t *s = &r->slots[i];
        if (s->x == NULL)
            continue;
        for (int side = 0; side < SIDES; side++)
            ct__request_cancel(&s->req[side]);
        r->cut_short = 1;
        release_slot(s);
    }
}

ct_replay_status_t ct_replay_run(ct_replay_t *r, const char *const *captures, size_t n,
                                 int *started, ct_error_t *err)
{
    *started = 0;
    for (int s = 0; s < SIDES; s++) {
        if (r->have[s] && ct__target_probe(r->target[s], err) != 0) {
            char msg[sizeof(err->message)];
            snprintf(msg, sizeof(msg), "%s upstream unreachable: %.200s", side_names[s],
                     err->message);
            memcpy(err->message, msg, sizeof(msg));
            return CT_REPLAY_FAILED;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(captures[i], "-") != 0 && access(captures[i], R_OK) != 0) {
            snprintf(err->message, sizeof(err->message), "%.200s: %s", captures[i],
                     strerror(errno));
            return CT_REPLAY_FAILED;
        }
        uint64_t count = 0;
        if (r->cfg.count_total && strcmp(captures[i], "-") != 0) {
            if (ct_capture_count(captures[i], &r->cfg.reader, &count, err) != 0)
                return CT_REPLAY_FAILED;
            r->total += count;
        }
    }
    r->captures = captures;
    r->num_captures = n;
    r->tick.cb = on_tick;
    *started = 1;
    r->t0 = r->last_refill = now_s();
    r->next_progress = r->t0;
    pump(r);
    for (;;) {
        if (r->fatal)
            break;
        if (r->reading_done && r->num_free == r->cfg.concurrency)
            break;
        double t = now_s();
        if (!r->stopping && r->cfg.stop != NULL && *r->cfg.stop) {
            r->stopping = 1;
            r->stop_deadline = t + (double)r->cfg.drain_ms / 1000;
            if (!r->reading_done)
                r->cut_short = 1;
        }
        if (r->stopping && (r->num_free == r->cfg.concurrency || t >= r->stop_deadline))
            break;
        if (t >= r->next_progress) {
            report_progress(r);
            r->next_progress = t + (double)r->cfg.progress_ms / 1000;
        }
        h2o_evloop_run(r->loop, 100);
    }
    cancel_in_flight(r);
    r->t_end = now_s();
    if (h2o_timeout_is_linked(&r->tick))
        h2o_timeout_unlink(&r->tick);
    ct_capture_reader_close(r->reader);
    r->reader = NULL;
    report_progress(r);
    if (r->fatal) {
        snprintf(err->message, sizeof(err->message), "%.250s", r->stop_reason);
        return CT_REPLAY_FAILED;
    }
    if (r->stopping && r->cut_short) {
        snprintf(r->stop_reason, sizeof(r->stop_reason),
                 "interrupted after %llu exchanges; the rest of the captures was not replayed",
                 (unsigned long long)r->completed);
        return CT_REPLAY_STOPPED;
    }
    return CT_REPLAY_DONE;
}

/* The report. */

static json_t *string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static void add_curls(const ct_replay_t *r, json_t *report)
{
    size_t i, k;
    json_t *g, *p;
    json_array_foreach(json_object_get(report, "groups"), i, g)
    {
        json_array_foreach(json_object_get(g, "paths"), k, p)
        {
            json_t *sample = json_object_get(p, "sample");
            const char *id = json_string_value(json_object_get(sample, "request_id"));
            const retained_t *kept = id != NULL ? ct__map_get(&r->retained, id, strlen(id)) : NULL;
            if (kept == NULL)
                continue;
            json_object_set_new(sample, "curl", json_string(kept->curl));
            if (kept->curl_primary != NULL)
                json_object_set_new(sample, "curl_primary", json_string(kept->curl_primary));
        }
    }
}

static json_t *requests_json(const ct_replay_t *r, const json_t *report)
{
    json_t *out = json_object();
    size_t i, k, m;
    json_t *g, *p, *id;
    json_array_foreach(json_object_get(report, "groups"), i, g)
    {
        json_array_foreach(json_object_get(g, "paths"), k, p)
        {
            json_array_foreach(json_object_get(p, "request_ids"), m, id)
            {
                const char *s = json_string_value(id);
                const retained_t *kept = s != NULL ? ct__map_get(&r->retained, s, strlen(s)) : NULL;
                if (kept != NULL && json_object_get(out, s) == NULL)
                    json_object_set_new(out, s,
                                        json_pack("{s:s, s:o}", "curl", kept->curl, "curl_primary",
                                                  string_or_null(kept->curl_primary)));
            }
        }
    }
    return out;
}

json_t *ct_replay_report(const ct_replay_t *r)
{
    json_t *report = ct_report_to_json(r->report);
    add_curls(r, report);
    json_t *captures = json_array();
    for (size_t i = 0; i < r->num_captures; i++)
        json_array_append_new(captures, json_string(r->captures[i]));
    double elapsed = r->t_end > r->t0 ? r->t_end - r->t0 : 0;
    uint64_t skipped =
        r->skipped_filtered + r->skipped_unsafe + r->skipped_truncated + r->skipped_no_response;
    int partial = r->fatal || (r->stopping && r->cut_short);
    json_t *replay = json_pack(
        "{s:b, s:o, s:s, s:{s:s, s:s, s:o}, s:o,"
        " s:{s:I, s:I, s:I, s:I, s:I},"
        " s:{s:I, s:I, s:I, s:I},"
        " s:{s:I, s:O}, s:{s:I, s:I, s:I, s:O}, s:f, s:f}",
        "partial", partial, "stop_reason", partial ? json_string(r->stop_reason) : json_null(),
        "fail_on", ct_fail_on_name(r->cfg.fail_on), "targets", "primary",
        r->have[PRIMARY] ? r->url[PRIMARY].url : "(recorded responses)", "candidate",
        r->url[CANDIDATE].url, "secondary",
        r->have[SECONDARY] ? json_string(r->url[SECONDARY].url) : json_null(), "captures", captures,
        "exchanges", "read", (json_int_t)r->read, "replayed", (json_int_t)r->replayed, "completed",
        (json_int_t)r->completed, "skipped", (json_int_t)skipped, "bodies_not_compared",
        (json_int_t)r->bodies_not_compared, "skipped", "filtered", (json_int_t)r->skipped_filtered,
        "unsafe_method", (json_int_t)r->skipped_unsafe, "request_body_truncated",
        (json_int_t)r->skipped_truncated, "no_recorded_response",
        (json_int_t)r->skipped_no_response, "bad_lines", "count", (json_int_t)r->bad_lines,
        "listed", r->bad_list, "errors", "primary", (json_int_t)r->errors[PRIMARY], "candidate",
        (json_int_t)r->errors[CANDIDATE], "secondary", (json_int_t)r->errors[SECONDARY], "listed",
        r->error_list, "elapsed_seconds", elapsed, "rate",
        elapsed > 0 ? (double)r->completed / elapsed : 0.0);
    json_object_set_new(replay, "requests", requests_json(r, report));
    json_object_set_new(report, "replay", replay);
    json_object_set_new(replay, "failed", json_boolean(ct_report_fails(report, r->cfg.fail_on)));
    return report;
}

void ct_replay_destroy(ct_replay_t *r)
{
    if (r == NULL)
        return;
    if (r->slots != NULL) {
        cancel_in_flight(r);
        for (size_t i = 0; i < r->cfg.concurrency; i++) {
            for (int k = 0; k < SIDES; k++) {
                ct__request_dispose(&r->slots[i].req[k]);
                ct__buf_dispose(&r->slots[i].wire[k]);
            }
        }
    }
    for (int s = 0; s < SIDES; s++)
        ct__target_destroy(r->target[s]);
    if (r->loop != NULL) {
        h2o_timeout_dispose(r->loop, &r->tick_timeout);
        ct__client_destroy(r->client);
        /* closed sockets are freed by the loop: let it run once more */
        h2o_evloop_run(r->loop, 0);
        h2o_evloop_destroy(r->loop);
    }
    ct_capture_reader_close(r->reader);
    for (size_t i = 0; i < r->retained.size; i++) {
        retained_t *k = r->retained.entries[i].value;
        free(k->curl);
        free(k->curl_primary);
        free(k);
    }
    ct__map_dispose(&r->retained);
    for (size_t i = 0; i < r->sample_counts.size; i++)
        free(r->sample_counts.entries[i].value);
    ct__map_dispose(&r->sample_counts);
    ct_result_dispose(&r->cand);
    ct_result_dispose(&r->noise);
    ct_report_destroy(r->report);
    json_decref(r->bad_list);
    json_decref(r->error_list);
    for (size_t i = 0; r->filters != NULL && i < r->cfg.num_filters; i++)
        free((char *)r->filters[i].value);
    free(r->filters);
    free((char *)r->cfg.api);
    free(r->slots);
    free(r->free_slots);
    for (int s = 0; s < SIDES; s++)
        ct__url_dispose(&r->url[s]);
    free(r);
}
