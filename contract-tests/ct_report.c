/* Noise-aware aggregation of comparison results, merging, and JSON rendering. */
#include "ct_report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_map.h"
#include "ct_utf8.h"

typedef struct st_sample_t {
    int set, from_noise;
    char *request_id; /* NULL when the comparison had none */
    char *concrete, *primary, *candidate, *detail;
} sample_t;

typedef struct st_entry_t {
    char *path; /* owned; the map key is kind byte + path */
    ct_kind_t kind;
    uint64_t count, noise_count;
    uint64_t last_seq, last_noise_seq; /* count each (path, kind) once per comparison */
    char **request_ids;
    uint32_t num_request_ids;
    sample_t sample;
} entry_t;

typedef struct st_group_t {
    char *name;
    uint64_t compared, identical, differing, truncated, noise_compared, noise_differing;
    uint64_t dropped_paths;
    ct_map_t entries;
} group_t;

struct st_ct_report_t {
    ct_report_config_t cfg;
    ct_map_t groups;
    uint64_t seq; /* comparisons added so far */
    uint64_t dropped_comparisons;
};

void ct_report_config_init(ct_report_config_t *cfg)
{
    cfg->relative_threshold = 20.0;
    cfg->absolute_threshold = 0.03;
    cfg->max_groups = 1024;
    cfg->max_paths = 256;
    cfg->max_samples = 5;
}

void ct_noise_evaluate(const ct_report_config_t *cfg, uint64_t count, uint64_t compared,
                       uint64_t noise_count, uint64_t noise_compared, ct_noise_t *out)
{
    out->rate = compared != 0 ? 100.0 * (double)count / (double)compared : 0;
    out->noise_rate =
        noise_compared != 0 ? 100.0 * (double)noise_count / (double)noise_compared : 0;
    out->absolute_difference = out->rate - out->noise_rate;
    double sum = out->rate + out->noise_rate;
    out->relative_difference = sum > 0 ? 100.0 * out->absolute_difference / sum : 0;
    if (count == 0)
        out->regression = 0;
    else if (noise_compared == 0)
        out->regression = 1; /* no secondary: nothing can be explained as noise */
    else
        out->regression = out->absolute_difference > 0 &&
                          out->relative_difference > cfg->relative_threshold &&
                          out->absolute_difference > cfg->absolute_threshold;
}

static int fail(ct_error_t *err, const char *msg)
{
    if (err != NULL)
        snprintf(err->message, sizeof(err->message), "%s", msg);
    return -1;
}

ct_report_t *ct_report_create(const ct_report_config_t *cfg, ct_error_t *err)
{
    ct_report_config_t c;
    if (cfg != NULL)
        c = *cfg;
    else
        ct_report_config_init(&c);
    if (!isfinite(c.relative_threshold) || !isfinite(c.absolute_threshold) ||
        c.relative_threshold < 0 || c.absolute_threshold < 0) {
        fail(err, "noise thresholds must be finite and >= 0");
        return NULL;
    }
    if (c.max_groups == 0 || c.max_paths == 0) {
        fail(err, "max_groups and max_paths must be at least 1");
        return NULL;
    }
    ct_report_t *r = ct__xcalloc(1, sizeof(*r));
    r->cfg = c;
    ct__map_init(&r->groups);
    return r;
}

static void sample_dispose(sample_t *s)
{
    free(s->request_id);
    free(s->concrete);
    free(s->primary);
    free(s->candidate);
    free(s->detail);
    memset(s, 0, sizeof(*s));
}

static void entry_destroy(entry_t *e)
{
    free(e->path);
    for (uint32_t i = 0; i < e->num_request_ids; i++)
        free(e->request_ids[i]);
    free(e->request_ids);
    sample_dispose(&e->sample);
    free(e);
}

static void group_destroy(group_t *g)
{
    for (size_t i = 0; i < g->entries.size; i++)
        entry_destroy(g->entries.entries[i].value);
    ct__map_dispose(&g->entries);
    free(g->name);
    free(g);
}

void ct_report_clear(ct_report_t *report)
{
    for (size_t i = 0; i < report->groups.size; i++)
        group_destroy(report->groups.entries[i].value);
    ct__map_dispose(&report->groups);
    ct__map_init(&report->groups);
    report->seq = 0;
    report->dropped_comparisons = 0;
}

void ct_report_destroy(ct_report_t *report)
{
    if (report == NULL)
        return;
    ct_report_clear(report);
    ct__map_dispose(&report->groups);
    free(report);
}

/* Finds or creates the group; NULL when the group limit is reached. `name` is already sanitized
 * when it comes from another report. */
static group_t *get_group(ct_report_t *r, const char *name, size_t len)
{
    group_t *g = ct__map_get(&r->groups, name, len);
    if (g != NULL || r->groups.size >= r->cfg.max_groups)
        return g;
    g = ct__xcalloc(1, sizeof(*g));
    g->name = ct__xstrndup(name, len);
    ct__map_init(&g->entries);
    ct__map_insert(&r->groups, name, len, g);
    return g;
}

static group_t *get_group_raw(ct_report_t *r, const char *name)
{
    char *clean = ct__utf8_dup(name, strlen(name), CT_GROUP_NAME_MAX);
    group_t *g = get_group(r, clean, strlen(clean));
    free(clean);
    return g;
}

/* Finds or creates the entry of (path, kind); NULL (and one more dropped path) at the limit. */
static entry_t *get_entry(const ct_report_t *r, group_t *g, const char *path, ct_kind_t kind)
{
    size_t len = strlen(path);
    char stack_key[256], *key = len + 1 <= sizeof(stack_key) ? stack_key : ct__xmalloc(len + 1);
    key[0] = (char)('A' + kind);
    memcpy(key + 1, path, len);
    entry_t *e = ct__map_get(&g->entries, key, len + 1);
    if (e == NULL) {
        if (g->entries.size >= r->cfg.max_paths) {
            g->dropped_paths++;
        } else {
            e = ct__xcalloc(1, sizeof(*e));
            e->path = ct__xstrndup(path, len);
            e->kind = kind;
            ct__map_insert(&g->entries, key, len + 1, e);
        }
    }
    if (key != stack_key)
        free(key);
    return e;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? ct__xstrndup(s, strlen(s)) : NULL;
}

static void add_request_id(const ct_report_t *r, entry_t *e, const char *id)
{
    if (id == NULL || e->num_request_ids >= r->cfg.max_samples)
        return;
    if (e->request_ids == NULL)
        e->request_ids = ct__xcalloc(r->cfg.max_samples, sizeof(*e->request_ids));
    e->request_ids[e->num_request_ids++] = dup_or_null(id);
}

/* Keeps the first candidate sample; a noise sample only until a candidate one arrives. */
static int wants_sample(const entry_t *e, int from_noise)
{
    return !e->sample.set || (e->sample.from_noise && !from_noise);
}

static void set_sample(entry_t *e, const char *request_id, const char *concrete,
                       const char *primary, const char *candidate, const char *detail,
                       int from_noise)
{
    sample_dispose(&e->sample);
    e->sample.set = 1;
    e->sample.from_noise = from_noise;
    e->sample.request_id = dup_or_null(request_id);
    e->sample.concrete = dup_or_null(concrete);
    e->sample.primary = dup_or_null(primary);
    e->sample.candidate = dup_or_null(candidate);
    e->sample.detail = dup_or_null(detail);
}

static void add_diffs(ct_report_t *r, group_t *g, const char *request_id, const ct_result_t *res,
                      int from_noise)
{
    for (size_t i = 0; i < res->num_diffs; i++) {
        const ct_diff_t *d = &res->diffs[i];
        entry_t *e = get_entry(r, g, d->path, d->kind);
        if (e == NULL)
            continue;
        uint64_t *last = from_noise ? &e->last_noise_seq : &e->last_seq;
        if (*last != r->seq) {
            *last = r->seq;
            if (from_noise) {
                e->noise_count++;
            } else {
                e->count++;
                add_request_id(r, e, request_id);
            }
        }
        if (wants_sample(e, from_noise))
            set_sample(e, request_id, d->concrete, d->primary, d->candidate, d->detail, from_noise);
    }
}

static int differs(const ct_result_t *res)
{
    return res->num_diffs != 0 || res->truncated;
}

void ct_report_add(ct_report_t *report, const char *group, const char *request_id,
                   const ct_result_t *candidate, const ct_result_t *noise)
{
    group_t *g = get_group_raw(report, group != NULL ? group : "");
    if (g == NULL) {
        report->dropped_comparisons++;
        return;
    }
    report->seq++;
    char *id =
        request_id != NULL ? ct__utf8_dup(request_id, strlen(request_id), CT_REQUEST_ID_MAX) : NULL;
    g->compared++;
    if (differs(candidate))
        g->differing++;
    else
        g->identical++;
    g->truncated += candidate->truncated != 0;
    add_diffs(report, g, id, candidate, 0);
    if (noise != NULL) {
        g->noise_compared++;
        g->noise_differing += differs(noise);
        add_diffs(report, g, id, noise, 1);
    }
    free(id);
}

static void merge_entry(ct_report_t *dst, group_t *g, const entry_t *src)
{
    entry_t *e = get_entry(dst, g, src->path, src->kind);
    if (e == NULL)
        return;
    e->count += src->count;
    e->noise_count += src->noise_count;
    for (uint32_t i = 0; i < src->num_request_ids; i++)
        add_request_id(dst, e, src->request_ids[i]);
    const sample_t *s = &src->sample;
    if (s->set && wants_sample(e, s->from_noise))
        set_sample(e, s->request_id, s->concrete, s->primary, s->candidate, s->detail,
                   s->from_noise);
}

void ct_report_merge(ct_report_t *dst, const ct_report_t *src)
{
    if (dst == src)
        return;
    dst->dropped_comparisons += src->dropped_comparisons;
    for (size_t i = 0; i < src->groups.size; i++) {
        const group_t *sg = src->groups.entries[i].value;
        group_t *g = get_group(dst, sg->name, strlen(sg->name));
        if (g == NULL) {
            dst->dropped_comparisons += sg->compared;
            continue;
        }
        g->compared += sg->compared;
        g->identical += sg->identical;
        g->differing += sg->differing;
        g->truncated += sg->truncated;
        g->noise_compared += sg->noise_compared;
        g->noise_differing += sg->noise_differing;
        g->dropped_paths += sg->dropped_paths;
        for (size_t k = 0; k < sg->entries.size; k++)
            merge_entry(dst, g, sg->entries.entries[k].value);
    }
}

/* Rendering. */

typedef struct st_ranked_t {
    const entry_t *e;
    ct_noise_t noise;
} ranked_t;

static int cmp_ranked(const void *x, const void *y)
{
    const ranked_t *a = x, *b = y;
    if (a->noise.regression != b->noise.regression)
        return b->noise.regression - a->noise.regression;
    if (a->e->count != b->e->count)
        return a->e->count > b->e->count ? -1 : 1;
    int c = strcmp(a->e->path, b->e->path);
    if (c != 0)
        return c;
    return (int)a->e->kind - (int)b->e->kind;
}

static int cmp_group(const void *x, const void *y)
{
    return strcmp((*(const group_t *const *)x)->name, (*(const group_t *const *)y)->name);
}

static json_t *string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *sample_json(const sample_t *s)
{
    if (!s->set)
        return json_null();
    return json_pack("{s:o, s:s, s:s, s:o, s:o, s:o}", "request_id", string_or_null(s->request_id),
                     "source", s->from_noise ? "noise" : "candidate", "concrete_path", s->concrete,
                     "primary", string_or_null(s->primary), "candidate",
                     string_or_null(s->candidate), "detail", string_or_null(s->detail));
}

static json_t *entry_json(const ranked_t *r)
{
    const entry_t *e = r->e;
    json_t *ids = json_array();
    for (uint32_t i = 0; i < e->num_request_ids; i++)
        json_array_append_new(ids, json_string(e->request_ids[i]));
    return json_pack("{s:s, s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:b, s:o, s:o}", "path", e->path,
                     "kind", ct_kind_name(e->kind), "count", (json_int_t)e->count, "noise_count",
                     (json_int_t)e->noise_count, "rate", r->noise.rate, "noise_rate",
                     r->noise.noise_rate, "absolute_difference", r->noise.absolute_difference,
                     "relative_difference", r->noise.relative_difference, "regression",
                     r->noise.regression, "request_ids", ids, "sample", sample_json(&e->sample));
}

/* Renders one group and adds its regressions to *regressions. */
static json_t *group_json(const ct_report_t *report, const group_t *g, uint64_t *regressions)
{
    size_t n = g->entries.size;
    ranked_t *ranked = ct__xmalloc(n * sizeof(*ranked));
    uint64_t group_regressions = 0;
    for (size_t i = 0; i < n; i++) {
        ranked[i].e = g->entries.entries[i].value;
        ct_noise_evaluate(&report->cfg, ranked[i].e->count, g->compared, ranked[i].e->noise_count,
                          g->noise_compared, &ranked[i].noise);
        group_regressions += ranked[i].noise.regression != 0;
    }
    qsort(ranked, n, sizeof(*ranked), cmp_ranked);
    json_t *paths = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(paths, entry_json(&ranked[i]));
    free(ranked);
    *regressions += group_regressions;
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "group", g->name,
                     "compared", (json_int_t)g->compared, "identical", (json_int_t)g->identical,
                     "differing", (json_int_t)g->differing, "truncated", (json_int_t)g->truncated,
                     "noise_compared", (json_int_t)g->noise_compared, "noise_differing",
                     (json_int_t)g->noise_differing, "regressions", (json_int_t)group_regressions,
                     "dropped_paths", (json_int_t)g->dropped_paths, "paths", paths);
}

static uint64_t group_regressions(const ct_report_t *report, const group_t *g)
{
    uint64_t n = 0;
    for (size_t i = 0; i < g->entries.size; i++) {
        const entry_t *e = g->entries.entries[i].value;
        ct_noise_t noise;
        ct_noise_evaluate(&report->cfg, e->count, g->compared, e->noise_count, g->noise_compared,
                          &noise);
        n += noise.regression != 0;
    }
    return n;
}

void ct_report_totals(const ct_report_t *report, ct_report_totals_t *out)
{
    memset(out, 0, sizeof(*out));
    out->groups = report->groups.size;
    out->dropped_comparisons = report->dropped_comparisons;
    for (size_t i = 0; i < report->groups.size; i++) {
        const group_t *g = report->groups.entries[i].value;
        out->compared += g->compared;
        out->identical += g->identical;
        out->differing += g->differing;
        out->noise_compared += g->noise_compared;
        out->regressions += group_regressions(report, g);
    }
}

json_t *ct_report_to_json(const ct_report_t *report)
{
    size_t n = report->groups.size;
    const group_t **sorted = ct__xmalloc(n * sizeof(*sorted));
    for (size_t i = 0; i < n; i++)
        sorted[i] = report->groups.entries[i].value;
    qsort(sorted, n, sizeof(*sorted), cmp_group);
    json_t *groups = json_array();
    uint64_t regressions = 0;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(groups, group_json(report, sorted[i], &regressions));
    free(sorted);
    ct_report_totals_t t;
    ct_report_totals(report, &t);
    return json_pack("{s:{s:f, s:f}, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "thresholds", "relative",
                     report->cfg.relative_threshold, "absolute", report->cfg.absolute_threshold,
                     "compared", (json_int_t)t.compared, "identical", (json_int_t)t.identical,
                     "differing", (json_int_t)t.differing, "noise_compared",
                     (json_int_t)t.noise_compared, "regressions", (json_int_t)regressions,
                     "dropped_comparisons", (json_int_t)t.dropped_comparisons, "groups", groups);
}
