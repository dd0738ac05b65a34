/* The process-wide shadow state and its diff worker: candidate and secondary addresses resolved
 * at start-up, a bounded queue fed by the event loops, and one thread that compares (ct_compare),
 * aggregates (ct_report, under report_lock) and writes the diff logs, so no event loop ever
 * parses or diffs a body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime.h"
#include "shadow_internal.h"

const char *const gw_shadow__drop_names[GW_SHADOW_DROP__COUNT] = {
#define GW_SHADOW_DROP_NAME(name, text) text,
    GW_SHADOW_DROP_LIST(GW_SHADOW_DROP_NAME)
#undef GW_SHADOW_DROP_NAME
};
const char *const gw_shadow__error_names[GW_SHADOW_ERR__COUNT] = {
#define GW_SHADOW_ERROR_NAME(name, text) text,
    GW_SHADOW_ERROR_LIST(GW_SHADOW_ERROR_NAME)
#undef GW_SHADOW_ERROR_NAME
};
const char *const gw_shadow__side_names[GW_SHADOW_SIDES] = {"primary", "candidate", "secondary"};

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL)
        h2o_fatal("no memory");
    return p;
}

void gw_shadow__count_drop(gw_shadow_entry_t *e, gw_shadow_drop_t why)
{
    __atomic_fetch_add(&e->dropped[why], 1, __ATOMIC_RELAXED);
}

int gw_shadow__enqueue(gw_shadow_t *s, gw_shadow_job_t *job)
{
    size_t bytes = gw_shadow__job_bytes(job);
    int ret = -1;
    pthread_mutex_lock(&s->lock);
    if (!s->stopping && s->queue_jobs < GW_SHADOW_QUEUE_JOBS &&
        bytes <= GW_SHADOW_QUEUE_BYTES - s->queue_bytes) {
        job->next = NULL;
        *s->tail = job;
        s->tail = &job->next;
        ++s->queue_jobs;
        s->queue_bytes += bytes;
        /* before the loop forgets the exchange: "queued" and "inflight" never both read 0
         * while a comparison is pending */
        __atomic_fetch_add(&s->entries[job->entry].queued, 1, __ATOMIC_RELAXED);
        pthread_cond_signal(&s->cond);
        ret = 0;
    }
    pthread_mutex_unlock(&s->lock);
    return ret;
}

/* --- the worker --- */

/* `json`: the body's tree when the adapters already parsed it (NULL: the diff parses). */
static ct_response_t response_of(const gw_shadow_capture_t *c, const body_value_t *json)
{
    return (ct_response_t){.status = c->status,
                           .headers = c->headers,
                           .num_headers = c->num_headers,
                           .body = c->body != NULL ? c->body : "",
                           .body_len = c->body_len,
                           .json = json};
}

static void keep_sample(gw_shadow_entry_t *e, json_t *sample)
{
    json_decref(e->recent[e->recent_next]);
    e->recent[e->recent_next] = sample;
    e->recent_next = (e->recent_next + 1) % GW_SHADOW_RECENT;
}

static void process(gw_shadow_t *s, gw_shadow_job_t *job, ct_result_t *cand, ct_result_t *noise)
{
    gw_shadow_entry_t *e = &s->entries[job->entry];
    const gw_shadow_conf_t *conf = e->conf;
    /* the candidate's raw answer is first brought to the primary's version, then both are
     * seen as the client would have seen them */
    /* the candidate's answer as it came; its body's tree, when parsed, serves the diff too */
    const body_value_t *parsed = gw_shadow__validate_job(s, e, job);
    gw_shadow_downgraded_t *down = NULL;
    if (gw_shadow__adapt_response(e, job, &down) != 0) {
        gw_shadow__count_drop(e, GW_SHADOW_DROP_ADAPTER);
        __atomic_fetch_sub(&e->queued, 1, __ATOMIC_RELAXED);
        return;
    }
    gw_shadow__capture_normalise(&job->side[GW_SHADOW_PRIMARY], 1, NULL, 0);
    for (int side = GW_SHADOW_CANDIDATE; side != GW_SHADOW_SIDES; ++side)
        gw_shadow__capture_normalise(&job->side[side], 0, s->vary_tokens, s->num_vary_tokens);
    ct_response_t p = response_of(&job->side[GW_SHADOW_PRIMARY], NULL);
    const body_value_t *cand_tree = gw_shadow__downgraded_body(down, GW_SHADOW_CANDIDATE);
    if (cand_tree == NULL && job->plan == NULL && job->primary_plan == NULL)
        cand_tree = parsed; /* no adapter touched the candidate's body: the same bytes */
    ct_response_t c = response_of(&job->side[GW_SHADOW_CANDIDATE], cand_tree);
    int differs = ct_compare(conf->rules, job->group, &p, &c, cand);
    int noisy = 0;
    if (job->has_secondary) {
        ct_response_t sec = response_of(&job->side[GW_SHADOW_SECONDARY],
                                        gw_shadow__downgraded_body(down, GW_SHADOW_SECONDARY));
        noisy = ct_compare(conf->rules, job->group, &p, &sec, noise);
    }
    gw_shadow__downgraded_free(down); /* the trees are no longer read: results hold copies */
    json_t *sample = NULL;
    if (differs) {
        sample = gw_shadow__sample_json(e, job, cand, job->has_secondary ? noise : NULL);
        if (e->log != NULL) {
            size_t len;
            char *line = gw_shadow__json_dump(sample, JSON_COMPACT | JSON_REAL_PRECISION(10), &len);
            gw_shadow__log_write(e->log, line, len);
            free(line);
        }
    }
    pthread_mutex_lock(&s->report_lock);
    ct_report_add(e->report, job->group, job->request_id, cand, job->has_secondary ? noise : NULL);
    if (sample != NULL)
        keep_sample(e, sample);
    __atomic_fetch_add(&e->compared, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&e->differing, (uint64_t)differs, __ATOMIC_RELAXED);
    __atomic_fetch_add(&e->noise, (uint64_t)noisy, __ATOMIC_RELAXED);
    __atomic_fetch_sub(&e->queued, 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&s->report_lock);
}

static void *worker_main(void *arg)
{
    gw_shadow_t *s = arg;
    ct_result_t cand, noise;
    ct_result_init(&cand);
    ct_result_init(&noise);
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (s->head == NULL && !s->stopping)
            pthread_cond_wait(&s->cond, &s->lock);
        if (s->stopping)
            break;
        gw_shadow_job_t *job = s->head;
        if ((s->head = job->next) == NULL)
            s->tail = &s->head;
        --s->queue_jobs;
        s->queue_bytes -= gw_shadow__job_bytes(job);
        pthread_mutex_unlock(&s->lock);
        process(s, job, &cand, &noise);
        gw_shadow__job_free(job);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    ct_result_dispose(&cand);
    ct_result_dispose(&noise);
    return NULL;
}

/* --- set-up --- */

static int resolve_target(gw_shadow_t *s, gw_shadow_entry_t *e, size_t i,
                          const gw_upstream_t *up, char *errbuf, size_t errlen)
{
    if (up->is_tls && s->ssl_ctx == NULL) {
        snprintf(errbuf, errlen,
                 "shadow target %s: https needs the gateway's upstream TLS "
                 "context, which this build does not set up",
                 up->url);
        return -1;
    }
    return gw_runtime_resolve(up, &e->addr[i], &e->addrlen[i], errbuf, errlen);
}

/* Entries naming the same file share its log (the first entry's max_bytes and keep apply). */
static int open_log(gw_shadow_t *s, gw_shadow_entry_t *e, char *errbuf, size_t errlen)
{
    const char *path = e->conf->log.path;
    if (path == NULL)
        return 0;
    for (size_t i = 0; i != s->num_logs; ++i)
        if (strcmp(gw_shadow__log_path(s->logs[i]), path) == 0) {
            e->log = s->logs[i];
            return 0;
        }
    if ((e->log = gw_shadow__log_open(path, e->conf->log.max_bytes, e->conf->log.keep, errbuf,
                                      errlen)) == NULL)
        return -1;
    s->logs[s->num_logs++] = e->log;
    return 0;
}

static int init_entry(gw_shadow_t *s, gw_shadow_entry_t *e, char *errbuf, size_t errlen)
{
    const gw_shadow_conf_t *conf = e->conf;
    ct_error_t err;
    if ((e->report = ct_report_create(&conf->report, &err)) == NULL) {
        snprintf(errbuf, errlen, "shadow of %s %s: %s", e->api->name, conf->version->name,
                 err.message);
        return -1;
    }
    if (gw_shadow__adapters_load(e, errbuf, errlen) != 0 ||
        gw_shadow__validate_init(e, errbuf, errlen) != 0)
        return -1;
    const gw_upstream_t *targets[2] = {conf->candidate, &conf->secondary};
    for (size_t i = 0; i != (conf->has_secondary ? 2u : 1u); ++i) {
        if (resolve_target(s, e, i, targets[i], errbuf, errlen) != 0)
            return -1;
        e->num_targets = i + 1;
    }
    return open_log(s, e, errbuf, errlen);
}

int gw_shadow_create(gw_shadow_t **out, const gw_config_t *cfg, SSL_CTX *upstream_ssl_ctx,
                     char *errbuf, size_t errlen)
{
    size_t total = 0;
    *out = NULL;
    for (size_t a = 0; a != cfg->num_apis; ++a)
        total += cfg->apis[a].num_shadows;
    if (total == 0)
        return 0;
    gw_shadow_t *s = xcalloc(1, sizeof(*s));
    s->config = cfg;
    s->ssl_ctx = upstream_ssl_ctx;
    s->entries = xcalloc(total, sizeof(*s->entries));
    s->api_first = xcalloc(cfg->num_apis, sizeof(*s->api_first));
    s->logs = xcalloc(total, sizeof(*s->logs));
    s->tail = &s->head;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    pthread_mutex_init(&s->report_lock, NULL);
    body_arena_init(&s->scratch);
    /* what gw_exchange_add_version_headers adds to every routed answer's Vary */
    if (cfg->versioning.media_type != NULL)
        s->vary_tokens[s->num_vary_tokens++] = "Accept";
    if (cfg->versioning.header != NULL)
        s->vary_tokens[s->num_vary_tokens++] = cfg->versioning.header;
    for (size_t a = 0; a != cfg->num_apis; ++a) {
        s->api_first[a] = s->num_entries;
        for (size_t i = 0; i != cfg->apis[a].num_shadows; ++i) {
            gw_shadow_entry_t *e = &s->entries[s->num_entries++];
            e->conf = &cfg->apis[a].shadows[i];
            e->api = &cfg->apis[a];
            if (init_entry(s, e, errbuf, errlen) != 0) {
                gw_shadow_destroy(s);
                return -1;
            }
        }
    }
    if (pthread_create(&s->worker, NULL, worker_main, s) != 0)
        h2o_fatal("cannot start the shadow diff worker");
    s->worker_started = 1;
    *out = s;
    return 0;
}

void gw_shadow_destroy(gw_shadow_t *s)
{
    if (s == NULL)
        return;
    if (s->worker_started) {
        pthread_mutex_lock(&s->lock);
        s->stopping = 1;
        pthread_cond_signal(&s->cond);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->worker, NULL);
    }
    while (s->head != NULL) { /* not compared: the process is stopping */
        gw_shadow_job_t *job = s->head;
        s->head = job->next;
        gw_shadow__count_drop(&s->entries[job->entry], GW_SHADOW_DROP_SHUTDOWN);
        gw_shadow__job_free(job);
    }
    for (size_t i = 0; i != s->num_entries; ++i) {
        gw_shadow_entry_t *e = &s->entries[i];
        ct_report_destroy(e->report);
        gw_shadow__adapters_free(e);
        gw_shadow__validate_dispose(e);
        for (size_t k = 0; k != GW_SHADOW_RECENT; ++k)
            json_decref(e->recent[k]);
    }
    for (size_t i = 0; i != s->num_logs; ++i)
        gw_shadow__log_close(s->logs[i]);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->report_lock);
    body_arena_dispose(&s->scratch);
    free(s->logs);
    free(s->api_first);
    free(s->entries);
    free(s);
}
