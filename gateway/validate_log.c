/* The violation log (`validate.log`, docs/validation.md): one JSON line per exchange that broke
 * the contract, encoded on the event loop into the request's pool and handed to a ct_linelog_t,
 * whose writer thread appends and rotates the file; a full queue drops the line and counts it. */
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "adapt.h"
#include "ct_linelog.h"
#include "exchange.h"
#include "metrics.h"
#include "validate.h"

struct st_gw_validate_log_share_t {
    unsigned refs;
};

/* The writer `logs` (NULL: none) has for `file`, or -1. */
static ssize_t find_file(const gw_validate_logs_t *logs, const char *file)
{
    for (size_t i = 0; logs != NULL && i != logs->count; ++i)
        if (strcmp(ct_linelog_path(logs->logs[i]), file) == 0)
            return (ssize_t)i;
    return -1;
}

int gw_validate_logs_init(gw_validate_logs_t *logs, const gw_config_t *cfg,
                          const gw_validate_logs_t *prev, char *errbuf, size_t errlen)
{
    memset(logs, 0, sizeof(*logs));
    logs->logs = calloc(cfg->num_apis + 1, sizeof(*logs->logs));
    logs->shares = calloc(cfg->num_apis + 1, sizeof(*logs->shares));
    logs->by_api = calloc(cfg->num_apis + 1, sizeof(*logs->by_api));
    if (logs->logs == NULL || logs->shares == NULL || logs->by_api == NULL)
        abort();
    for (size_t a = 0; a != cfg->num_apis; ++a) {
        const gw_validate_conf_t *c = cfg->apis[a].validate;
        if (c == NULL || c->log.file == NULL)
            continue;
        ssize_t i = find_file(logs, c->log.file);
        if (i >= 0) {
            logs->by_api[a] = logs->logs[i]; /* APIs naming one file share its writer */
            continue;
        }
        if ((i = find_file(prev, c->log.file)) >= 0) {
            /* named by the generation being replaced too: its writer carries over */
            logs->shares[logs->count] = prev->shares[i];
            ++prev->shares[i]->refs;
            logs->by_api[a] = logs->logs[logs->count++] = prev->logs[i];
            continue;
        }
        ct_linelog_config_t lc = {c->log.file, c->log.max_bytes, c->log.keep, c->log.queue_bytes,
                                  0600}; /* lines quote request targets */
        ct_error_t err;
        ct_linelog_t *log = ct_linelog_create(&lc, &err);
        if (log == NULL) {
            snprintf(errbuf, errlen, "%s: validate.log: %s", c->log.where, err.message);
            gw_validate_logs_dispose(logs);
            return -1;
        }
        if ((logs->shares[logs->count] = calloc(1, sizeof(*logs->shares[logs->count]))) == NULL)
            abort();
        logs->shares[logs->count]->refs = 1;
        logs->logs[logs->count++] = log;
        logs->by_api[a] = log;
    }
    return 0;
}

void gw_validate_logs_dispose(gw_validate_logs_t *logs)
{
    if (logs == NULL)
        return;
    for (size_t i = 0; i != logs->count; ++i)
        if (--logs->shares[i]->refs == 0) {
            ct_linelog_destroy(logs->logs[i]);
            free(logs->shares[i]);
        }
    free(logs->logs);
    free(logs->shares);
    free(logs->by_api);
    memset(logs, 0, sizeof(*logs));
}

void gw_validate_logs_metrics(const gw_validate_logs_t *logs, gw_metrics_out_t *o)
{
    static const char *const names[] = {"queued", "dropped", "written", "lost"};
    static const char *const help[] = {"accepted for the writer thread",
                                       "dropped: the writer's queue was full",
                                       "written to the file", "lost to write errors"};
    if (logs == NULL || logs->count == 0)
        return;
    ct_linelog_stats_t *st = calloc(logs->count, sizeof(*st));
    if (st == NULL)
        abort();
    for (size_t i = 0; i != logs->count; ++i)
        ct_linelog_stats(logs->logs[i], &st[i]);
    for (size_t k = 0; k != 4; ++k) {
        gw_metrics_outf(o,
                        "# HELP versa_contract_log_%s_total Violation log lines %s.\n"
                        "# TYPE versa_contract_log_%s_total counter\n",
                        names[k], help[k], names[k]);
        for (size_t i = 0; i != logs->count; ++i) {
            uint64_t v = k == 0   ? st[i].queued
                         : k == 1 ? st[i].dropped
                         : k == 2 ? st[i].written
                                  : st[i].lost;
            char *file = gw_metrics_escape_label(ct_linelog_path(logs->logs[i]));
            gw_metrics_outf(o, "versa_contract_log_%s_total{file=\"%s\"} %llu\n", names[k],
                            file, (unsigned long long)v);
            free(file);
        }
    }
    free(st);
}

/* RFC 3339 in UTC with milliseconds, from the request's start. */
static void time_of(h2o_req_t *req, char *buf, size_t size)
{
    struct tm tm;
    time_t now = req->timestamps.request_begin_at.tv_sec;
    gmtime_r(&now, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03dZ", (int)(req->timestamps.request_begin_at.tv_usec / 1000));
}

/* At most `max` bytes of a request's text as a string, non-UTF-8 bytes replaced. */
static body_value_t *text_n(const body_mem_t *mem, h2o_mem_pool_t *pool, const char *s, size_t len,
                            size_t max)
{
    if (len > max)
        len = max;
    char *z = h2o_mem_alloc_pool(pool, len + 1);
    memcpy(z, s, len);
    z[len] = '\0';
    for (size_t i = 0; i != len; ++i)
        if (z[i] == '\0')
            z[i] = '?';
    return gw_validate__text(mem, z);
}

void gw_validate__log(gw_exchange_t *x, gw_validate_side_t side, const gw_violations_t *v,
                      int status, int enforced)
{
    /* the generation the request started on: x->api is an API of its config */
    const gw_validate_logs_t *logs = x->rt->validate_logs;
    if (logs == NULL || logs->by_api == NULL)
        return;
    ct_linelog_t *log = logs->by_api[(size_t)(x->api - x->rt->config->apis)];
    if (log == NULL)
        return;
    h2o_req_t *req = x->req;
    body_mem_t mem_ = gw_adapt_mem(x);
    const body_mem_t *mem = &mem_;
    char when[40], name[160];
    time_of(req, when, sizeof(when));
    body_value_t *o = body_object(mem);
    body_set(mem, o, "time", 4, body_string_copy(mem, when, strlen(when)));
    body_set(mem, o, "api", 3, gw_validate__text(mem, x->api->name));
    body_set(mem, o, "version", 7, gw_validate__text(mem, x->version->name));
    body_set(mem, o, "operation", 9,
             gw_validate__text(mem, gw_validate__op_label(x->operation, name, sizeof(name))));
    body_set(mem, o, "side", 4,
             gw_validate__text(mem, side == GW_VALIDATE_SIDE_REQUEST ? "request" : "response"));
    body_set(mem, o, "enforced", 8, body_bool(mem, enforced));
    body_set(mem, o, "status", 6, status != 0 ? body_integer(mem, status) : body_null(mem));
    body_set(mem, o, "request_id", 10,
             text_n(mem, &req->pool, x->request_id.base, x->request_id.len, 64));
    body_set(mem, o, "method", 6, text_n(mem, &req->pool, req->method.base, req->method.len, 32));
    body_set(mem, o, "target", 6, text_n(mem, &req->pool, req->path.base, req->path.len, 2048));
    body_set(mem, o, "errorCount", 10, body_integer(mem, (int64_t)v->total));
    body_set(mem, o, "incomplete", 10, body_bool(mem, v->incomplete));
    body_value_t *errors = body_array(mem);
    for (size_t i = 0; i < v->count; ++i) {
        const gw_violation_t *e = &v->items[i];
        body_value_t *eo = body_object(mem);
        body_set(mem, eo, "pointer", 7, gw_validate__text(mem, e->pointer));
        body_set(mem, eo, "keyword", 7, gw_validate__text(mem, e->keyword));
        body_set(mem, eo, "schema", 6,
                 e->location != NULL ? gw_validate__text(mem, e->location) : body_null(mem));
        body_set(mem, eo, "message", 7, gw_validate__text(mem, e->message));
        body_append(mem, errors, eo);
    }
    body_set(mem, o, "errors", 6, errors);
    size_t len;
    char *line = body_dump(mem, o, &len);
    char *nl = h2o_mem_alloc_pool(&req->pool, len + 1);
    memcpy(nl, line, len);
    nl[len] = '\n';
    ct_linelog_append(log, nl, len + 1); /* dropped and counted when the queue is full */
}
