/* Recording: the `record` config block, the recorders opened at start-up, and the tap that
 * copies a sampled exchange (bounded) and queues it when the response is complete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "exchange.h"
#include "metrics.h"
#include "record.h"

/* --- config ------------------------------------------------------------------------------- */

static char *dupstr(const char *s)
{
    char *p = strdup(s);
    if (p == NULL)
        abort();
    return p;
}

void gw__record_config_free(gw_record_conf_t *conf)
{
    if (conf == NULL)
        return;
    free(conf->file);
    free(conf->where);
    for (size_t i = 0; i < conf->num_redact; ++i)
        free(conf->redact[i]);
    free(conf->redact);
    free(conf);
}

static int load_redact(gw__config_loader_t *l, const spec_node_t *n, gw_record_conf_t *c)
{
    if (n->kind != SPEC_NODE_SEQUENCE)
        return gw__config_fail(l, n, "expected a list of header names, got %s",
                               spec_node_type_name(n));
    c->redact_set = 1;
    c->redact = calloc(n->u.seq.len + 1, sizeof(*c->redact));
    if (c->redact == NULL)
        abort();
    for (size_t i = 0; i < n->u.seq.len; ++i) {
        gw__config_mark_t m = gw__config_enter_index(l, i);
        const char *s;
        if (gw__config_read_string(l, n->u.seq.items[i], &s) != 0)
            return -1;
        c->redact[c->num_redact++] = dupstr(s);
        gw__config_leave(l, m);
    }
    return 0;
}

int gw__record_config_load(gw__config_loader_t *l, const spec_node_t *n, gw_record_conf_t **out)
{
    static const char *const keys[] = {"file",     "sample", "max_bytes",   "keep",
                                       "max_body", "redact", "queue_bytes", NULL};
    gw_record_conf_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        abort();
    *out = c; /* freed by the caller's config, also on error */
    c->sample = 1;
    c->max_bytes = 1024ull * 1024 * 1024;
    c->keep = 5;
    c->max_body = 1024 * 1024;
    c->queue_bytes = 8 * 1024 * 1024;
    if (asprintf(&c->where, "%s:%u:%u", n->pos.file, n->pos.line, n->pos.col) < 0)
        abort();
    const spec_node_t *v;
    gw__config_mark_t m;
    uint64_t u;
    if (gw__config_check_keys(l, n, keys) != 0 || (v = gw__config_require(l, n, "file")) == NULL)
        return -1;
    m = gw__config_enter_key(l, "file");
    if (gw__config_read_path(l, v, &c->file) != 0)
        return -1;
    gw__config_leave(l, m);
    if ((v = spec_node_get(n, "sample")) != NULL) {
        m = gw__config_enter_key(l, "sample");
        if (spec_node_number(v, &c->sample) != 0 || !(c->sample >= 0 && c->sample <= 1))
            return gw__config_fail(l, v, "expected a fraction between 0 and 1");
        gw__config_leave(l, m);
    }
    size_t max_bytes = (size_t)c->max_bytes;
    u = c->keep;
    if (gw__config_opt_size(l, n, "max_bytes", &max_bytes) != 0 ||
        gw__config_opt_uint(l, n, "keep", 0, 1000, &u) != 0 ||
        gw__config_opt_size(l, n, "max_body", &c->max_body) != 0)
        return -1;
    c->max_bytes = max_bytes;
    c->keep = (unsigned)u;
    if ((v = spec_node_get(n, "queue_bytes")) != NULL) {
        m = gw__config_enter_key(l, "queue_bytes");
        if (gw__config_read_size(l, v, &c->queue_bytes) != 0)
            return -1;
        if (c->queue_bytes < 4096)
            return gw__config_fail(l, v, "must be at least 4KiB");
        gw__config_leave(l, m);
    }
    if ((v = spec_node_get(n, "redact")) != NULL) {
        m = gw__config_enter_key(l, "redact");
        if (load_redact(l, v, c) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    return 0;
}

/* --- recorders ---------------------------------------------------------------------------- */

static ssize_t find_conf(const gw_recorders_t *r, const gw_record_conf_t *c)
{
    for (size_t i = 0; i < r->count; ++i)
        if (r->confs[i] == c)
            return (ssize_t)i;
    return -1;
}

struct st_gw_record_share_t {
    unsigned refs;
};

/* The writer `prev` has for `file`, or -1. */
static ssize_t find_file(const gw_recorders_t *prev, const char *file)
{
    for (size_t i = 0; prev != NULL && i < prev->count; ++i)
        if (strcmp(prev->confs[i]->file, file) == 0)
            return (ssize_t)i;
    return -1;
}

int gw_recorders_init(gw_recorders_t *r, const gw_config_t *cfg, const gw_recorders_t *prev,
                      char *errbuf, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    size_t nversions = 0;
    for (size_t a = 0; a < cfg->num_apis; ++a)
        nversions += cfg->apis[a].num_versions;
    r->by_version = calloc(nversions + 1, sizeof(*r->by_version));
    r->confs = calloc(nversions + 1, sizeof(*r->confs));
    r->recorders = calloc(nversions + 1, sizeof(*r->recorders));
    r->shares = calloc(nversions + 1, sizeof(*r->shares));
    if (r->by_version == NULL || r->confs == NULL || r->recorders == NULL || r->shares == NULL)
        abort();
    size_t idx = 0;
    for (size_t a = 0; a < cfg->num_apis; ++a) {
        for (size_t v = 0; v < cfg->apis[a].num_versions; ++v, ++idx) {
            const gw_record_conf_t *c = cfg->apis[a].versions[v].record != NULL
                                            ? cfg->apis[a].versions[v].record
                                            : cfg->apis[a].record;
            r->by_version[idx] = c;
            if (c == NULL || find_conf(r, c) >= 0)
                continue;
            /* one writer per file: a block naming a file already open (in this configuration,
             * or in the one being replaced) shares its writer */
            const gw_recorders_t *owner = r;
            ssize_t kept = find_file(r, c->file);
            if (kept < 0 && (kept = find_file(prev, c->file)) >= 0)
                owner = prev;
            if (kept >= 0) {
                r->confs[r->count] = c;
                r->shares[r->count] = owner->shares[kept];
                ++owner->shares[kept]->refs;
                r->recorders[r->count++] = owner->recorders[kept];
                continue;
            }
            ct_recorder_config_t rc;
            ct_recorder_config_init(&rc);
            rc.path = c->file;
            rc.max_bytes = c->max_bytes;
            rc.keep = c->keep;
            rc.max_body_bytes = c->max_body;
            rc.queue_bytes = c->queue_bytes;
            if (c->redact_set) {
                rc.redact = (const char *const *)c->redact;
                rc.num_redact = c->num_redact;
            }
            ct_error_t err;
            ct_recorder_t *rec = ct_recorder_create(&rc, &err);
            if (rec == NULL) {
                snprintf(errbuf, errlen, "%s: record: %s", c->where, err.message);
                gw_recorders_dispose(r);
                return -1;
            }
            r->confs[r->count] = c;
            if ((r->shares[r->count] = calloc(1, sizeof(*r->shares[r->count]))) == NULL)
                abort();
            r->shares[r->count]->refs = 1;
            r->recorders[r->count++] = rec;
        }
    }
    return 0;
}

void gw_recorders_dispose(gw_recorders_t *r)
{
    for (size_t i = 0; i < r->count; ++i)
        if (--r->shares[i]->refs == 0) {
            ct_recorder_destroy(r->recorders[i]);
            free(r->shares[i]);
        }
    free(r->recorders);
    free(r->shares);
    free(r->confs);
    free(r->by_version);
    memset(r, 0, sizeof(*r));
}

ct_recorder_t *gw_recorders_for(const gw_recorders_t *r, size_t version_index,
                                const gw_record_conf_t **conf)
{
    if (r->by_version == NULL || (*conf = r->by_version[version_index]) == NULL)
        return NULL;
    return r->recorders[find_conf(r, *conf)];
}

void gw_recorders_render_metrics(const gw_recorders_t *r, char **buf, size_t *len)
{
    if (r->count == 0)
        return;
    static const char *names[] = {"queued", "dropped", "written", "lost"};
    static const char *helps[] = {"queued for writing", "dropped because the writer queue was full",
                                  "written to capture files", "lost to write errors"};
    /* appended to the caller's text: as many files as the config names, file paths escaped */
    gw_metrics_out_t o = {*buf, *len, *len};
    for (int k = 0; k < 4; ++k) {
        gw_metrics_outf(&o, "# HELP versa_record_%s_total Recorded exchanges %s.\n"
                            "# TYPE versa_record_%s_total counter\n",
                        names[k], helps[k], names[k]);
        for (size_t i = 0; i < r->count; ++i) {
            ct_recorder_stats_t st;
            ct_recorder_stats(r->recorders[i], &st);
            uint64_t v = k == 0 ? st.queued : k == 1 ? st.dropped : k == 2 ? st.written : st.lost;
            char *file = gw_metrics_escape_label(r->confs[i]->file);
            gw_metrics_outf(&o, "versa_record_%s_total{file=\"%s\"} %llu\n", names[k], file,
                            (unsigned long long)v);
            free(file);
        }
    }
    *buf = o.buf;
    *len = o.len;
}

/* --- the tap ------------------------------------------------------------------------------ */

/* A growable byte copy that stops growing at `cap` and remembers the size it would have had. */
typedef struct {
    char *bytes;
    size_t len, cap, size;
} capture_t;

static void capture_add(capture_t *c, const char *p, size_t n)
{
    c->size += n;
    size_t room = c->cap - c->len;
    if (n > room)
        n = room;
    if (n == 0)
        return;
    char *b = realloc(c->bytes, c->len + n);
    if (b == NULL)
        abort();
    c->bytes = b;
    memcpy(c->bytes + c->len, p, n);
    c->len += n;
}

typedef struct st_record_tap_t {
    gw_tap_t super;
    ct_recorder_t *recorder;
    ct_exchange_t ex;
    char *strings; /* method, path, query, api, version, operation, time: one block */
    ct_header_t *req_headers, *res_headers;
    capture_t req_body, res_body;
} record_tap_t;

static ct_header_t *copy_headers(const h2o_headers_t *h, size_t *n)
{
    ct_header_t *out = calloc(h->size + 1, sizeof(*out));
    if (out == NULL)
        abort();
    for (size_t i = 0; i < h->size; ++i) {
        char *name = malloc(h->entries[i].name->len + h->entries[i].value.len + 1);
        if (name == NULL)
            abort();
        memcpy(name, h->entries[i].name->base, h->entries[i].name->len);
        memcpy(name + h->entries[i].name->len, h->entries[i].value.base, h->entries[i].value.len);
        out[i] = (ct_header_t){name, h->entries[i].name->len, name + h->entries[i].name->len,
                               h->entries[i].value.len};
    }
    *n = h->size;
    return out;
}

static void free_headers(ct_header_t *h, size_t n)
{
    for (size_t i = 0; h != NULL && i < n; ++i)
        free((char *)h[i].name);
    free(h);
}

static void tap_destroy(record_tap_t *t)
{
    free_headers(t->req_headers, t->ex.request.num_headers);
    free_headers(t->res_headers, t->ex.response.num_headers);
    free(t->req_body.bytes);
    free(t->res_body.bytes);
    free(t->strings);
    free(t);
}

static void on_head(gw_tap_t *_t, h2o_req_t *req)
{
    record_tap_t *t = (void *)_t;
    t->ex.response.status = req->res.status;
    t->res_headers = copy_headers(&req->res.headers, &t->ex.response.num_headers);
    t->ex.response.headers = t->res_headers;
}

static void on_body(gw_tap_t *_t, const char *bytes, size_t len)
{
    record_tap_t *t = (void *)_t;
    capture_add(&t->res_body, bytes, len);
}

static void set_body(ct_capture_body_t *b, const capture_t *c)
{
    *b = (ct_capture_body_t){c->bytes != NULL ? c->bytes : "", c->len, c->len < c->size, c->size, 0};
}

/* Only complete exchanges are recorded: a replay of a cut-short response would compare noise. */
static void on_end(gw_tap_t *_t, h2o_req_t *req, gw_tap_end_t how)
{
    record_tap_t *t = (void *)_t;
    if (how == GW_TAP_COMPLETE && t->res_headers != NULL) {
        set_body(&t->ex.request.body, &t->req_body);
        set_body(&t->ex.response.body, &t->res_body);
        ct_recorder_record(t->recorder, &t->ex); /* a full queue is counted by the recorder */
    }
    tap_destroy(t);
}

static ct_str_t put(char **w, const char *s, size_t n)
{
    ct_str_t out = {*w, n};
    memcpy(*w, s, n);
    (*w)[n] = '\0';
    *w += n + 1;
    return out;
}

void gw_record_start(gw_exchange_t *x, const gw_recorders_t *r, size_t version_index,
                     const char *upstream_path, size_t upstream_path_len)
{
    const gw_record_conf_t *conf;
    ct_recorder_t *rec = gw_recorders_for(r, version_index, &conf);
    if (rec == NULL || conf->sample <= 0 ||
        (conf->sample < 1 && gw_random_fraction(&x->thread->rng) >= conf->sample))
        return;
    h2o_req_t *req = x->req;
    record_tap_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        abort();
    t->recorder = rec;
    t->super.on_head = on_head;
    t->super.on_body = on_body;
    t->super.on_end = on_end;
    t->req_body.cap = t->res_body.cap = conf->max_body;

    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    size_t query_len = req->query_at != SIZE_MAX ? req->path.len - req->query_at - 1 : 0;
    const char *op = x->operation_id != NULL ? x->operation_id : "";
    char when[40];
    struct tm tm;
    time_t now = req->timestamps.request_begin_at.tv_sec;
    gmtime_r(&now, &tm);
    size_t wlen = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    wlen += (size_t)snprintf(when + wlen, sizeof(when) - wlen, ".%03dZ",
                             (int)(req->timestamps.request_begin_at.tv_usec / 1000));
    size_t total = req->method.len + path_len + query_len + strlen(x->api->name) +
                   strlen(x->version->name) + strlen(op) + wlen + upstream_path_len + 8;
    char *w = t->strings = malloc(total);
    if (w == NULL)
        abort();
    t->ex.time = put(&w, when, wlen);
    t->ex.api = put(&w, x->api->name, strlen(x->api->name));
    t->ex.version = put(&w, x->version->name, strlen(x->version->name));
    t->ex.operation = x->operation_id != NULL ? put(&w, op, strlen(op)) : (ct_str_t){NULL, 0};
    t->ex.request.method = put(&w, req->method.base, req->method.len);
    t->ex.request.path = put(&w, req->path.base, path_len);
    t->ex.request.upstream_path = put(&w, upstream_path, upstream_path_len);
    if (req->query_at != SIZE_MAX)
        t->ex.request.query = put(&w, req->path.base + req->query_at + 1, query_len);
    t->req_headers = copy_headers(&req->headers, &t->ex.request.num_headers);
    t->ex.request.headers = t->req_headers;
    if (req->entity.base != NULL)
        capture_add(&t->req_body, req->entity.base, req->entity.len);
    gw_exchange_add_tap(x, &t->super);
}
