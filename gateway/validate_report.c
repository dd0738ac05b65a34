/* What contract validation found so far, for people and scrapers: the counters by keyword
 * (versa_contract_violations_total), the table of violations by schema location (bounded,
 * filled on error paths only), /contract/report (JSON) and the /contract page (HTML, through
 * contract-tests' report renderer, the one /shadow and `versa replay --format html` use). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct_linelog.h"
#include "ct_report_render.h"
#include "metrics.h"
#include "validate.h"

typedef struct st_gw_validate_where_t {
    const spec_node_t *schema; /* NULL: a free slot (violations without a schema use `op_node`) */
    size_t row;
    unsigned side, keyword;
    uint64_t count;
    char *location;                                  /* "#/..." found once */
    char pointer[160], message[200], request_id[48]; /* the latest example */
} gw_validate_where_t;

struct st_gw_validate_wheres_t {
    pthread_mutex_t lock;
    gw_validate_where_t slots[2 * GW_VALIDATE_MAX_WHERE]; /* open addressing, half full at most */
    size_t used;
    uint64_t unlisted; /* violations not counted here: the table was full */
};

static const char *const side_names[GW_VALIDATE_SIDE__COUNT] = {"request", "response"};

/* Violations without a schema node (invalid JSON, an undeclared status) are keyed by this. */
static const spec_node_t no_schema;

gw_validate_wheres_t *gw_validate__wheres_create(void)
{
    gw_validate_wheres_t *w = calloc(1, sizeof(*w));
    if (w == NULL)
        abort();
    pthread_mutex_init(&w->lock, NULL);
    return w;
}

void gw_validate__wheres_destroy(gw_validate_wheres_t *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i != 2 * GW_VALIDATE_MAX_WHERE; ++i)
        free(w->slots[i].location);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

static size_t hash(const spec_node_t *n, size_t row, unsigned side, unsigned kw)
{
    uint64_t h = (uint64_t)(uintptr_t)n * 0x9E3779B97F4A7C15ull;
    h ^= (row * 31 + side) * 0xC2B2AE3D27D4EB4Full + kw;
    h ^= h >> 29;
    return (size_t)(h % (2 * GW_VALIDATE_MAX_WHERE));
}

/* A bounded copy that stays valid UTF-8 for the JSON report (a cut character or request bytes
 * that are not UTF-8 become '?'). */
static void copy(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
    if (!body_utf8_valid(dst, len))
        for (size_t i = 0; i != len; ++i)
            if ((unsigned char)dst[i] >= 0x80)
                dst[i] = '?';
}

void gw_validate__note(const gw_validate_conf_t *c, const spec_t *spec, size_t version,
                       size_t op_index, gw_validate_side_t side, gw_violation_t *e,
                       const char *request_id, size_t request_id_len)
{
    gw_validate_wheres_t *w = c->wheres;
    if (w == NULL)
        return;
    size_t row = c->op_base[version] + op_index;
    unsigned kw = (unsigned)gw_validate_keyword_index(e->keyword);
    const spec_node_t *key = e->schema != NULL ? e->schema : &no_schema;
    pthread_mutex_lock(&w->lock);
    size_t i = hash(key, row, side, kw);
    gw_validate_where_t *s;
    for (;; i = (i + 1) % (2 * GW_VALIDATE_MAX_WHERE)) {
        s = &w->slots[i];
        if (s->schema == NULL ||
            (s->schema == key && s->row == row && s->side == (unsigned)side && s->keyword == kw))
            break;
    }
    if (s->schema == NULL) {
        if (w->used == GW_VALIDATE_MAX_WHERE) {
            w->unlisted++;
            pthread_mutex_unlock(&w->lock);
            return;
        }
        w->used++;
        *s = (gw_validate_where_t){key, row, (unsigned)side, kw};
        if (e->schema != NULL) { /* once per node: a search of the spec */
            char buf[512];
            s->location = strdup(gw_validate__location(spec, e->schema, buf, sizeof(buf)));
            if (s->location == NULL)
                abort();
        }
    }
    s->count++;
    copy(s->pointer, sizeof(s->pointer), e->pointer, strlen(e->pointer));
    copy(s->message, sizeof(s->message), e->message, strlen(e->message));
    copy(s->request_id, sizeof(s->request_id), request_id, request_id_len);
    e->location = s->location; /* stable until the config is freed */
    pthread_mutex_unlock(&w->lock);
}

/* ---- /metrics ---- */

static uint64_t count_at(const gw_validate_conf_t *c, size_t row, size_t side, size_t k)
{
    size_t nk = gw_validate_keyword_count();
    return __atomic_load_n(&c->counts[(row * GW_VALIDATE_SIDE__COUNT + side) * nk + k],
                           __ATOMIC_RELAXED);
}

void gw_validate_metrics_render(const gw_config_t *cfg, gw_metrics_out_t *o)
{
    int header = 0;
    size_t nk = gw_validate_keyword_count();
    for (size_t a = 0; a != cfg->num_apis; ++a) {
        const gw_api_t *api = &cfg->apis[a];
        const gw_validate_conf_t *c = api->validate;
        if (c == NULL || c->counts == NULL)
            continue;
        if (!header) {
            gw_metrics_outf(o, "# HELP versa_contract_violations_total Violations of the spec "
                               "found by contract validation.\n"
                               "# TYPE versa_contract_violations_total counter\n");
            header = 1;
        }
        for (size_t vi = 0; vi != api->num_versions; ++vi) {
            const spec_t *spec = api->versions[vi].spec;
            if (spec == NULL || c->validators[vi] == NULL)
                continue;
            for (size_t op = 0; op != spec_operation_count(spec); ++op) {
                char name[160];
                char *label = gw_metrics_escape_label(
                    gw_validate__op_label(spec_operation_at(spec, op), name, sizeof(name)));
                size_t row = c->op_base[vi] + op;
                for (size_t s = 0; s != GW_VALIDATE_SIDE__COUNT; ++s)
                    for (size_t k = 0; k != nk; ++k) {
                        uint64_t n = count_at(c, row, s, k);
                        if (n != 0)
                            gw_metrics_outf(o,
                                            "versa_contract_violations_total{api=\"%s\",version="
                                            "\"%s\",operation=\"%s\",side=\"%s\",keyword=\"%s\"}"
                                            " %llu\n",
                                            api->name, api->versions[vi].name, label, side_names[s],
                                            gw_validate_keywords[k], (unsigned long long)n);
                    }
                free(label);
            }
        }
    }
}

/* ---- /contract/report ---- */

static int by_count(const void *a, const void *b)
{
    uint64_t x = json_integer_value(json_object_get(*(json_t *const *)a, "count"));
    uint64_t y = json_integer_value(json_object_get(*(json_t *const *)b, "count"));
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The table's entries of one operation row, most frequent first. */
static json_t *schemas_of(const gw_validate_conf_t *c, size_t row)
{
    json_t **list = NULL;
    size_t n = 0;
    gw_validate_wheres_t *w = c->wheres;
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i != 2 * GW_VALIDATE_MAX_WHERE; ++i) {
        const gw_validate_where_t *s = &w->slots[i];
        if (s->schema == NULL || s->row != row)
            continue;
        list = realloc(list, (n + 1) * sizeof(*list));
        if (list == NULL)
            abort();
        list[n++] =
            json_pack("{s:s, s:s, s:o, s:I, s:{s:s, s:s, s:s}}", "side", side_names[s->side],
                      "keyword", gw_validate_keywords[s->keyword], "schema",
                      s->location != NULL ? json_string(s->location) : json_null(), "count",
                      (json_int_t)s->count, "sample", "request_id", s->request_id, "pointer",
                      s->pointer, "message", s->message);
    }
    pthread_mutex_unlock(&w->lock);
    qsort(list, n, sizeof(*list), by_count);
    json_t *arr = json_array();
    for (size_t i = 0; i != n; ++i)
        if (list[i] != NULL) /* json_pack refuses text that is not UTF-8 */
            json_array_append_new(arr, list[i]);
    free(list);
    return arr;
}

static json_t *logs_json(const gw_validate_logs_t *logs)
{
    json_t *arr = json_array();
    for (size_t i = 0; logs != NULL && i != logs->count; ++i) {
        ct_linelog_stats_t st;
        ct_linelog_stats(logs->logs[i], &st);
        json_array_append_new(
            arr, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "file", ct_linelog_path(logs->logs[i]),
                           "queued", (json_int_t)st.queued, "dropped", (json_int_t)st.dropped,
                           "written", (json_int_t)st.written, "lost", (json_int_t)st.lost,
                           "rotations", (json_int_t)st.rotations));
    }
    return arr;
}

json_t *gw_validate_report(const gw_config_t *cfg, const gw_validate_logs_t *logs)
{
    size_t nk = gw_validate_keyword_count();
    json_t *ops = json_array();
    for (size_t a = 0; a != cfg->num_apis; ++a) {
        const gw_api_t *api = &cfg->apis[a];
        const gw_validate_conf_t *c = api->validate;
        if (c == NULL || c->counts == NULL)
            continue;
        for (size_t vi = 0; vi != api->num_versions; ++vi) {
            const spec_t *spec = api->versions[vi].spec;
            if (spec == NULL || c->validators[vi] == NULL)
                continue;
            for (size_t op = 0; op != spec_operation_count(spec); ++op) {
                size_t row = c->op_base[vi] + op;
                uint64_t total = 0;
                json_t *by_kw = json_array();
                for (size_t s = 0; s != GW_VALIDATE_SIDE__COUNT; ++s)
                    for (size_t k = 0; k != nk; ++k) {
                        uint64_t cnt = count_at(c, row, s, k);
                        if (cnt == 0)
                            continue;
                        total += cnt;
                        json_array_append_new(
                            by_kw, json_pack("{s:s, s:s, s:I}", "side", side_names[s], "keyword",
                                             gw_validate_keywords[k], "count", (json_int_t)cnt));
                    }
                if (total == 0) {
                    json_decref(by_kw);
                    continue;
                }
                char name[160];
                const char *label =
                    gw_validate__op_label(spec_operation_at(spec, op), name, sizeof(name));
                json_t *o = json_pack("{s:s, s:s, s:s?, s:I, s:o, s:o}", "api", api->name,
                                      "version", api->versions[vi].name, "operation", label,
                                      "total", (json_int_t)total, "violations", by_kw, "schemas",
                                      schemas_of(c, row));
                if (o != NULL)
                    json_array_append_new(ops, o);
            }
        }
    }
    uint64_t unlisted = 0;
    for (size_t a = 0; a != cfg->num_apis; ++a)
        if (cfg->apis[a].validate != NULL && cfg->apis[a].validate->wheres != NULL)
            unlisted += cfg->apis[a].validate->wheres->unlisted;
    return json_pack("{s:o, s:I, s:o}", "operations", ops, "unlisted", (json_int_t)unlisted, "logs",
                     logs_json(logs));
}

void gw_validate_report_json(const gw_config_t *cfg, const gw_validate_logs_t *logs,
                             gw_metrics_out_t *o)
{
    json_t *r = gw_validate_report(cfg, logs);
    char *s = json_dumps(r, JSON_COMPACT);
    gw_metrics_outf(o, "%s\n", s);
    free(s);
    json_decref(r);
}

/* ---- /contract ---- */

/* One renderer report per API version with validation on: its counters and its violations by
 * schema location (ct_report_render.h, member "violations"). */
char *gw_validate_report_html(const gw_config_t *cfg, const gw_validate_logs_t *logs, size_t *len)
{
    json_t *report = gw_validate_report(cfg, logs);
    json_t *pages = json_array();
    for (size_t a = 0; a != cfg->num_apis; ++a) {
        const gw_api_t *api = &cfg->apis[a];
        const gw_validate_conf_t *c = api->validate;
        if (c == NULL || c->counts == NULL)
            continue;
        static const char *const modes[] = {"off", "report", "enforce"};
        for (size_t vi = 0; vi != api->num_versions; ++vi) {
            if (c->validators[vi] == NULL)
                continue;
            json_t *list = json_array();
            uint64_t total = 0;
            size_t i;
            json_t *op;
            json_array_foreach(json_object_get(report, "operations"), i, op)
            {
                if (strcmp(json_string_value(json_object_get(op, "api")), api->name) != 0 ||
                    strcmp(json_string_value(json_object_get(op, "version")),
                           api->versions[vi].name) != 0)
                    continue;
                total += (uint64_t)json_integer_value(json_object_get(op, "total"));
                size_t k;
                json_t *s;
                json_array_foreach(json_object_get(op, "schemas"), k, s)
                {
                    json_t *row = json_deep_copy(s);
                    json_object_set(row, "operation", json_object_get(op, "operation"));
                    json_array_append_new(list, row);
                }
            }
            char heading[300], modes_text[80];
            snprintf(heading, sizeof(heading), "%s %s", api->name, api->versions[vi].name);
            snprintf(modes_text, sizeof(modes_text), "request %s, response %s (sample %g)",
                     modes[c->request], modes[c->response], c->sample);
            json_t *r =
                json_pack("{s:s, s:[[s,I]], s:[[s,s],[s,s]], s:o}", "heading", heading, "counters",
                          "violations", (json_int_t)total, "facts", "validation", modes_text, "log",
                          c->log.file != NULL ? c->log.file : "none", "violations", list);
            if (r != NULL)
                json_array_append_new(pages, r);
        }
    }
    json_decref(report);
    ct_render_options_t opts = {"Versa contract validation", CT_FAIL_ON_VIOLATIONS,
                                "No API has validation on."};
    char *page = ct_report_html_page(pages, &opts, len);
    json_decref(pages);
    return page;
}
