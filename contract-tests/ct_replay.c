/* The replay engine: a pump reads captures and starts exchanges (bounded by concurrency and a
 * token bucket) until they are read or a stop is asked for; creating and destroying a replay. */
#include "ct_replay_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ct_alloc.h"

const char *const ct__replay_side_names[SIDES] = {"primary", "candidate", "secondary"};

double ct__replay_now(void)
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

static int https_refused(const char *url, ct_error_t *err)
{
    snprintf(err->message, sizeof(err->message),
             "%.120s: https upstreams are not supported by replay; use http://", url);
    return 1;
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
        cfg->connect_timeout_ms == 0 ||
        (cfg->shard_count != 0 && cfg->shard_index >= cfg->shard_count)) {
        snprintf(err->message, sizeof(err->message),
                 "concurrency must be 1 to %d, the rate >= 0, timeouts and the body cap > 0, "
                 "the shard index below the shard count",
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
        if (up_url_parse(urls[s], &r->url[s], err->message, sizeof(err->message)) != 0 ||
            (r->url[s].is_tls && https_refused(urls[s], err))) {
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
    up_target_config_t tc;
    up_target_config_init(&tc);
    tc.connect_timeout_ms = cfg->connect_timeout_ms;
    tc.io_timeout_ms = cfg->timeout_ms;
    tc.keepalive_ms = 60000;
    for (int s = 0; s < SIDES; s++) {
        struct sockaddr_storage addr;
        socklen_t addrlen;
        char why[200];
        if (!r->have[s])
            continue;
        if (up_resolve(r->url[s].host, r->url[s].port, &addr, &addrlen, why, sizeof(why)) != 0) {
            snprintf(err->message, sizeof(err->message), "%.120s: %.120s", r->url[s].url, why);
            ct_replay_destroy(r);
            return NULL;
        }
        r->target[s] =
            up_target_create(r->loop, &tc, (struct sockaddr *)&addr, addrlen, r->url[s].host);
    }
    r->slots = ct__xcalloc(cfg->concurrency, sizeof(*r->slots));
    r->free_slots = ct__xcalloc(cfg->concurrency, sizeof(*r->free_slots));
    for (size_t i = 0; i < cfg->concurrency; i++) {
        slot_t *s = &r->slots[cfg->concurrency - 1 - i];
        s->r = r;
        for (int k = 0; k < SIDES; k++)
            up_request_init(&s->req[k]);
        r->free_slots[r->num_free++] = cfg->concurrency - 1 - i;
    }
    ct_result_init(&r->cand);
    ct_result_init(&r->noise);
    ct__map_init(&r->retained);
    ct__map_init(&r->sample_counts);
    if (cfg->checker != NULL)
        r->violations = ct_violations_create(1024);
    body_arena_init(&r->scratch);
    r->bad_list = json_array();
    r->error_list = json_array();
    r->burst = cfg->rate > 0 ? fmax(1.0, cfg->rate / 50) : 0; /* 20 ms worth of requests */
    r->tokens = r->burst > 0 ? 1 : 0;
    return r;
}

/* Reading. */

static void list_bad(ct_replay_t *r, const ct_capture_bad_t *bad)
{
    r->bad_lines++;
    if (json_array_size(r->bad_list) < MAX_LISTED) {
        json_t *e = json_pack("{s:s, s:I, s:s}", "file", r->captures[r->cur], "line",
                              (json_int_t)bad->line, "message", bad->message);
        if (bad->col != 0)
            json_object_set_new(e, "column", json_integer(bad->col));
        json_array_append_new(r->bad_list, e);
    }
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
        ct__replay_fail_run(r, "%s", err.message);
        return -1;
    }
    const char *slash = strrchr(path, '/');
    r->cur_name = slash != NULL && slash[1] != '\0' ? slash + 1 : path;
    return 0;
}

/* Whether the exchange just read belongs to this shard (all of them without sharding). */
static int in_shard(ct_replay_t *r)
{
    uint64_t index = r->position++;
    return r->cfg.shard_count == 0 || index % r->cfg.shard_count == r->cfg.shard_index;
}

/* Whether another exchange may start now (token bucket). */
static int have_token(ct_replay_t *r)
{
    if (r->cfg.rate <= 0)
        return 1;
    double t = ct__replay_now();
    r->tokens = fmin(r->burst, r->tokens + (t - r->last_refill) * r->cfg.rate);
    r->last_refill = t;
    return r->tokens >= 1;
}

static void on_tick(h2o_timeout_entry_t *entry)
{
    ct_replay_t *r = H2O_STRUCT_FROM_MEMBER(ct_replay_t, tick, entry);
    ct__replay_pump(r);
}

void ct__replay_pump(ct_replay_t *r)
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
            ct__replay_fail_run(r, "%s: %s", r->captures[r->cur], err.message);
            break;
        case CT_CAPTURE_EOF:
            ct_capture_reader_close(r->reader);
            r->reader = NULL;
            r->cur++;
            break;
        case CT_CAPTURE_BAD:
            if (!in_shard(r))
                break;
            r->read++;
            list_bad(r, &bad);
            break;
        case CT_CAPTURE_RECORD: {
            if (!in_shard(r))
                break;
            r->read++;
            uint64_t line = ct_capture_reader_position(r->reader);
            if (ct__replay_wanted(r, &x)) {
                if (r->cfg.rate > 0)
                    r->tokens -= 1;
                ct__replay_start_exchange(r, &x, line);
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
    double elapsed = (r->t_end > 0 ? r->t_end : ct__replay_now()) - r->t0;
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
            up_request_cancel(&s->req[side]);
        r->cut_short = 1;
        ct__replay_release_slot(s);
    }
}

ct_replay_status_t ct_replay_run(ct_replay_t *r, const char *const *captures, size_t n,
                                 int *started, ct_error_t *err)
{
    *started = 0;
    for (int s = 0; s < SIDES; s++) {
        char why[128];
        if (r->have[s] && up_target_probe(r->target[s], why, sizeof(why)) != 0) {
            snprintf(err->message, sizeof(err->message),
                     "%s upstream unreachable: cannot connect to %.100s: %.80s",
                     ct__replay_side_names[s], r->url[s].url, why);
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
    if (r->cfg.shard_count != 0) /* this shard's part: indexes shard_index, + N, + 2N... */
        r->total = r->total > r->cfg.shard_index
                       ? (r->total - r->cfg.shard_index - 1) / r->cfg.shard_count + 1
                       : 0;
    r->captures = captures;
    r->num_captures = n;
    r->tick.cb = on_tick;
    *started = 1;
    r->t0 = r->last_refill = ct__replay_now();
    r->next_progress = r->t0;
    ct__replay_pump(r);
    for (;;) {
        if (r->fatal)
            break;
        if (r->reading_done && r->num_free == r->cfg.concurrency)
            break;
        double t = ct__replay_now();
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
    r->t_end = ct__replay_now();
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

void ct_replay_destroy(ct_replay_t *r)
{
    if (r == NULL)
        return;
    if (r->slots != NULL) {
        cancel_in_flight(r);
        for (size_t i = 0; i < r->cfg.concurrency; i++) {
            for (int k = 0; k < SIDES; k++) {
                up_request_dispose(&r->slots[i].req[k]);
                ct__buf_dispose(&r->slots[i].wire[k]);
            }
        }
    }
    for (int s = 0; s < SIDES; s++)
        up_target_destroy(r->target[s]);
    if (r->loop != NULL) {
        h2o_timeout_dispose(r->loop, &r->tick_timeout);
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
    ct_violations_destroy(r->violations);
    body_arena_dispose(&r->scratch);
    json_decref(r->bad_list);
    json_decref(r->error_list);
    for (size_t i = 0; r->filters != NULL && i < r->cfg.num_filters; i++)
        free((char *)r->filters[i].value);
    free(r->filters);
    free((char *)r->cfg.api);
    free(r->slots);
    free(r->free_slots);
    for (int s = 0; s < SIDES; s++)
        up_url_dispose(&r->url[s]);
    free(r);
}
