/* Span export: a bounded queue of encoded spans filled by any thread, drained in batches by one
 * exporter thread that POSTs ExportTraceServiceRequests (OTLP/HTTP, protobuf) to the collector.
 * A failed request is not retried: its spans are counted as failed and the next batch goes on,
 * so a collector that is down costs one timeout per batch at most, on this thread only. */
#include "tr_exporter.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tr_http.h"
#include "up_url.h"

/* Bound of one encoded span; spans beyond it are dropped (TR_DROP_TOO_LARGE). Attribute strings
 * are capped at TR_OTLP_MAX_STRING, so only pathological spans get near it. */
#define MAX_SPAN_BYTES (32 * 1024)
#define SCOPE_NAME "versa"

const char *const tr_drop_names[TR_DROP__COUNT] = {"queue_full", "too_large", "shutdown"};

typedef struct st_item_t {
    struct st_item_t *next;
    size_t len;
    uint8_t bytes[];
} item_t;

struct st_tr_exporter_t {
    tr_exporter_config_t cfg;
    char *service_version;
    uint8_t *resource; /* the Resource message's content */
    size_t resource_len;
    tr_http_t http;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    item_t *head, **tail;
    size_t count;
    int stopping;
    pthread_t thread;
    tr_exporter_stats_t stats; /* relaxed atomics */
};

static void add(uint64_t *counter, uint64_t n)
{
    __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static uint64_t load(const uint64_t *counter)
{
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* Sends one batch; frees its items. */
static void export_batch(tr_exporter_t *e, item_t *batch, size_t n)
{
    const uint8_t **spans = malloc(n * sizeof(*spans));
    size_t *lens = malloc(n * sizeof(*lens));
    if (spans == NULL || lens == NULL)
        abort();
    size_t i = 0;
    for (item_t *it = batch; it != NULL; it = it->next, ++i)
        spans[i] = it->bytes, lens[i] = it->len;
    size_t scope_len = strlen(SCOPE_NAME) + strlen(e->service_version) + 8;
    size_t cap = tr_otlp_request_bound(e->resource_len, scope_len, lens, n);
    uint8_t *body = malloc(cap);
    if (body == NULL)
        abort();
    size_t len = tr_otlp_request(body, cap, e->resource, e->resource_len, SCOPE_NAME,
                                 e->service_version, spans, lens, n);
    char err[256];
    int status = len == 0 ? -1
                          : tr_http_post(&e->http, "application/x-protobuf", body, len,
                                         e->cfg.timeout_ms, err, sizeof(err));
    /* OTLP/HTTP §"Success": 2xx. Partial success bodies are not read: the spans were taken. */
    if (status >= 200 && status < 300) {
        add(&e->stats.exported, n);
        add(&e->stats.requests_ok, 1);
    } else {
        add(&e->stats.failed, n);
        add(&e->stats.requests_failed, 1);
    }
    free(body);
    free(spans);
    free(lens);
    while (batch != NULL) {
        item_t *next = batch->next;
        free(batch);
        batch = next;
    }
}

/* Takes up to batch_size items off the queue; called with the lock held. */
static item_t *take(tr_exporter_t *e, size_t *n)
{
    item_t *first = e->head, **end = &e->head;
    size_t k = 0;
    while (*end != NULL && k != e->cfg.batch_size)
        end = &(*end)->next, ++k;
    e->head = *end;
    *end = NULL;
    if (e->head == NULL)
        e->tail = &e->head;
    e->count -= k;
    __atomic_store_n(&e->stats.queued, e->count, __ATOMIC_RELAXED);
    *n = k;
    return k != 0 ? first : NULL;
}

static struct timespec deadline_in(uint64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000)
        ts.tv_sec += 1, ts.tv_nsec -= 1000000000;
    return ts;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *exporter_main(void *arg)
{
    tr_exporter_t *e = arg;
    pthread_mutex_lock(&e->lock);
    while (!e->stopping) {
        /* a batch goes when it is full, or when its oldest span waited flush_interval_ms */
        struct timespec until = deadline_in(e->cfg.flush_interval_ms);
        while (e->count < e->cfg.batch_size && !e->stopping)
            if (pthread_cond_timedwait(&e->cond, &e->lock, &until) == ETIMEDOUT)
                break;
        if (e->stopping)
            break;
        size_t n;
        item_t *batch = take(e, &n);
        if (batch == NULL)
            continue;
        pthread_mutex_unlock(&e->lock);
        export_batch(e, batch, n);
        pthread_mutex_lock(&e->lock);
    }
    /* the last flush: what is queued now, within one timeout */
    uint64_t end = now_ms() + e->cfg.timeout_ms;
    size_t n;
    item_t *batch;
    while ((batch = take(e, &n)) != NULL) {
        pthread_mutex_unlock(&e->lock);
        if (now_ms() < end) {
            uint64_t saved = e->cfg.timeout_ms;
            e->cfg.timeout_ms = end - now_ms();
            export_batch(e, batch, n);
            e->cfg.timeout_ms = saved;
        } else {
            add(&e->stats.dropped[TR_DROP_SHUTDOWN], n);
            while (batch != NULL) {
                item_t *next = batch->next;
                free(batch);
                batch = next;
            }
        }
        pthread_mutex_lock(&e->lock);
    }
    pthread_mutex_unlock(&e->lock);
    return NULL;
}

int tr_exporter_create(tr_exporter_t **out, const tr_exporter_config_t *cfg, char *err,
                       size_t err_size)
{
    up_url_t url;
    if (up_url_parse(cfg->endpoint, &url, err, err_size) != 0)
        return -1;
    if (url.is_tls) {
        up_url_dispose(&url);
        snprintf(err, err_size, "%.120s: https endpoints are not supported; use http://",
                 cfg->endpoint);
        return -1;
    }
    tr_exporter_t *e = calloc(1, sizeof(*e));
    if (e == NULL)
        abort();
    e->cfg = *cfg;
    if (e->cfg.batch_size == 0 || e->cfg.batch_size > e->cfg.queue_size)
        e->cfg.batch_size = e->cfg.queue_size;
    e->cfg.endpoint = NULL; /* borrowed strings are not kept */
    e->cfg.service_name = NULL;
    e->cfg.resource = NULL;
    e->service_version = strdup(cfg->service_version);
    uint8_t *buf = malloc(MAX_SPAN_BYTES);
    if (e->service_version == NULL || buf == NULL)
        abort();
    tr_pb_t pb;
    tr_pb_init(&pb, buf, MAX_SPAN_BYTES);
    tr_otlp_resource(&pb, cfg->service_name, cfg->service_version, cfg->resource,
                     cfg->num_resource);
    if (pb.overflow) {
        free(buf);
        free(e->service_version);
        free(e);
        up_url_dispose(&url);
        snprintf(err, err_size, "the resource attributes are larger than %d bytes", MAX_SPAN_BYTES);
        return -1;
    }
    e->resource = buf;
    e->resource_len = pb.len;
    tr_http_init(&e->http, &url);
    up_url_dispose(&url);
    e->tail = &e->head;
    pthread_mutex_init(&e->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&e->thread, NULL, exporter_main, e) != 0)
        abort();
    *out = e;
    return 0;
}

void tr_exporter_destroy(tr_exporter_t *e)
{
    if (e == NULL)
        return;
    pthread_mutex_lock(&e->lock);
    e->stopping = 1;
    pthread_cond_signal(&e->cond);
    pthread_mutex_unlock(&e->lock);
    pthread_join(e->thread, NULL);
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->cond);
    tr_http_dispose(&e->http);
    free(e->resource);
    free(e->service_version);
    free(e);
}

int tr_exporter_submit(tr_exporter_t *e, const tr_span_t *span)
{
    uint8_t buf[MAX_SPAN_BYTES];
    tr_pb_t pb;
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_otlp_span(&pb, span);
    if (pb.overflow) {
        add(&e->stats.dropped[TR_DROP_TOO_LARGE], 1);
        return -1;
    }
    /* cheap pre-check without the lock: a full queue costs no allocation */
    if (__atomic_load_n(&e->stats.queued, __ATOMIC_RELAXED) >= e->cfg.queue_size) {
        add(&e->stats.dropped[TR_DROP_QUEUE_FULL], 1);
        return -1;
    }
    item_t *it = malloc(sizeof(*it) + pb.len);
    if (it == NULL)
        abort();
    it->next = NULL;
    it->len = pb.len;
    memcpy(it->bytes, buf, pb.len);
    pthread_mutex_lock(&e->lock);
    if (e->count >= e->cfg.queue_size || e->stopping) {
        pthread_mutex_unlock(&e->lock);
        free(it);
        add(&e->stats.dropped[e->stopping ? TR_DROP_SHUTDOWN : TR_DROP_QUEUE_FULL], 1);
        return -1;
    }
    *e->tail = it;
    e->tail = &it->next;
    if (++e->count == e->cfg.batch_size)
        pthread_cond_signal(&e->cond);
    __atomic_store_n(&e->stats.queued, e->count, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&e->lock);
    return 0;
}

void tr_exporter_stats(tr_exporter_t *e, tr_exporter_stats_t *out)
{
    out->exported = load(&e->stats.exported);
    out->failed = load(&e->stats.failed);
    for (int i = 0; i != TR_DROP__COUNT; ++i)
        out->dropped[i] = load(&e->stats.dropped[i]);
    out->requests_ok = load(&e->stats.requests_ok);
    out->requests_failed = load(&e->stats.requests_failed);
    out->queued = load(&e->stats.queued);
}
