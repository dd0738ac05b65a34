/* Merging the JSON reports of replay shards (ct_replay_merge.h). Positions: a request id is
 * "<capture basename>:<line>" (JSON Lines) or "<capture basename>#<entry>" (HAR), so the capture's
 * index in "captures" and the number order exchanges as the captures hold them. */
#include "ct_replay_merge.h"
#include "ct_violations.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTED 100 /* as ct_replay_int.h: bad lines and errors listed in a report */

typedef struct {
    size_t capture;
    unsigned long long number;
} position_t;

static int fail(ct_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ct_error_t *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return -1;
}

static json_int_t int_at(const json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

/* Adds src[key] to dst[key] for each integer key. */
static void add_ints(json_t *dst, const json_t *src, const char *const *keys)
{
    for (; *keys != NULL; keys++)
        json_object_set_new(dst, *keys, json_integer(int_at(dst, *keys) + int_at(src, *keys)));
}

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* The position of a request id, or of a (file, line) pair; unknown ones sort last. */
static position_t id_position(const json_t *captures, const char *id)
{
    position_t p = {(size_t)-1, 0};
    const char *sep = id != NULL ? strrchr(id, ':') : NULL;
    const char *hash = id != NULL ? strrchr(id, '#') : NULL;
    if (hash != NULL && (sep == NULL || hash > sep))
        sep = hash;
    if (sep == NULL)
        return p;
    p.number = strtoull(sep + 1, NULL, 10);
    size_t i;
    json_t *c;
    json_array_foreach(captures, i, c)
    {
        const char *name = basename_of(json_string_value(c));
        if (strlen(name) == (size_t)(sep - id) && strncmp(name, id, (size_t)(sep - id)) == 0) {
            p.capture = i;
            break;
        }
    }
    return p;
}

static int position_cmp(position_t a, position_t b)
{
    if (a.capture != b.capture)
        return a.capture < b.capture ? -1 : 1;
    return a.number < b.number ? -1 : a.number > b.number;
}

/* The position of a request id, an error (its request id) or a bad line (file and line). */
static position_t value_position(const json_t *captures, const json_t *v)
{
    if (json_is_string(v))
        return id_position(captures, json_string_value(v));
    const char *id = json_string_value(json_object_get(v, "request_id"));
    if (id != NULL)
        return id_position(captures, id);
    position_t p = {(size_t)-1, (unsigned long long)int_at(v, "line")};
    const char *file = json_string_value(json_object_get(v, "file"));
    size_t i;
    json_t *c;
    json_array_foreach(captures, i, c)
    {
        if (file != NULL && strcmp(json_string_value(c), file) == 0) {
            p.capture = i;
            break;
        }
    }
    return p;
}

/* qsort_r comparator; ctx is the "captures" array. */
static int cmp_values(const void *x, const void *y, void *ctx)
{
    return position_cmp(value_position(ctx, *(json_t *const *)x),
                        value_position(ctx, *(json_t *const *)y));
}

/* A new array of the first `max` elements of `all` (stolen) in capture order. */
static json_t *first_in_order(json_t *all, const json_t *captures, size_t max)
{
    size_t n = json_array_size(all);
    json_t **v = malloc((n ? n : 1) * sizeof(*v));
    if (v == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(all, i);
    qsort_r(v, n, sizeof(*v), cmp_values, (void *)captures);
    json_t *out = json_array();
    for (size_t i = 0; i < n && i < max; i++)
        json_array_append(out, v[i]);
    free(v);
    json_decref(all);
    return out;
}

/* The sample an unsharded replay keeps: the first candidate one, else the first noise one. */
static int better_sample(const json_t *a, const json_t *b, const json_t *captures)
{
    if (json_is_null(b) || b == NULL)
        return 0;
    if (json_is_null(a) || a == NULL)
        return 1;
    int a_cand = strcmp(json_string_value(json_object_get(a, "source")), "candidate") == 0;
    int b_cand = strcmp(json_string_value(json_object_get(b, "source")), "candidate") == 0;
    if (a_cand != b_cand)
        return b_cand;
    return position_cmp(
               id_position(captures, json_string_value(json_object_get(b, "request_id"))),
               id_position(captures, json_string_value(json_object_get(a, "request_id")))) < 0;
}

/* Per-path and per-group merging. */

static json_t *find_by(json_t *array, const char *key, const char *value, const char *key2,
                       const char *value2)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, key)), value) == 0 &&
            (key2 == NULL || strcmp(json_string_value(json_object_get(v, key2)), value2) == 0))
            return v;
    }
    return NULL;
}

static const char *const group_ints[] = {
    "compared",       "identical",       "differing",     "truncated",
    "noise_compared", "noise_differing", "dropped_paths", NULL};

static void merge_group(json_t *dst, const json_t *src, const json_t *captures,
                        const ct_report_config_t *cfg)
{
    add_ints(dst, src, group_ints);
    json_t *paths = json_object_get(dst, "paths");
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(src, "paths"), i, p)
    {
        const char *path = json_string_value(json_object_get(p, "path"));
        const char *kind = json_string_value(json_object_get(p, "kind"));
        json_t *d = find_by(paths, "path", path, "kind", kind);
        if (d == NULL) {
            json_array_append_new(paths, json_deep_copy(p));
            continue;
        }
        static const char *const path_ints[] = {"count", "noise_count", NULL};
        add_ints(d, p, path_ints);
        json_t *ids = json_copy(json_object_get(d, "request_ids"));
        json_array_extend(ids, json_object_get(p, "request_ids"));
        json_object_set_new(d, "request_ids", first_in_order(ids, captures, cfg->max_samples));
        if (better_sample(json_object_get(d, "sample"), json_object_get(p, "sample"), captures))
            json_object_set_new(d, "sample", json_deep_copy(json_object_get(p, "sample")));
    }
}

/* Rates and verdicts from the summed counts; paths ranked as ct_report.c ranks them. */
static json_int_t finish_group(json_t *g, const ct_report_config_t *cfg)
{
    json_t *paths = json_object_get(g, "paths");
    json_int_t regressions = 0;
    size_t i;
    json_t *p;
    json_array_foreach(paths, i, p)
    {
        ct_noise_t noise;
        ct_noise_evaluate(cfg, (uint64_t)int_at(p, "count"), (uint64_t)int_at(g, "compared"),
                          (uint64_t)int_at(p, "noise_count"), (uint64_t)int_at(g, "noise_compared"),
                          &noise);
        json_object_set_new(p, "rate", json_real(noise.rate));
        json_object_set_new(p, "noise_rate", json_real(noise.noise_rate));
        json_object_set_new(p, "absolute_difference", json_real(noise.absolute_difference));
        json_object_set_new(p, "relative_difference", json_real(noise.relative_difference));
        json_object_set_new(p, "regression", json_boolean(noise.regression));
        regressions += noise.regression != 0;
    }
    json_object_set_new(g, "regressions", json_integer(regressions));
    return regressions;
}

static int cmp_paths(const void *x, const void *y)
{
    const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    int ra = json_is_true(json_object_get(a, "regression"));
    int rb = json_is_true(json_object_get(b, "regression"));
    if (ra != rb)
        return rb - ra;
    if (int_at(a, "count") != int_at(b, "count"))
        return int_at(a, "count") > int_at(b, "count") ? -1 : 1;
    int c = strcmp(json_string_value(json_object_get(a, "path")),
                   json_string_value(json_object_get(b, "path")));
    if (c != 0)
        return c;
    ct_kind_t ka = 0, kb = 0;
    ct_kind_from_name(json_string_value(json_object_get(a, "kind")), &ka);
    ct_kind_from_name(json_string_value(json_object_get(b, "kind")), &kb);
    return (int)ka - (int)kb;
}

static int cmp_groups(const void *x, const void *y)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)x, "group")),
                  json_string_value(json_object_get(*(json_t *const *)y, "group")));
}

/* Sorts a JSON array in place with cmp. */
static void sort_array(json_t *array, int (*cmp)(const void *, const void *))
{
    size_t n = json_array_size(array);
    json_t **v = malloc((n ? n : 1) * sizeof(*v));
    if (v == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(array, i));
    qsort(v, n, sizeof(*v), cmp);
    json_array_clear(array);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(array, v[i]);
    free(v);
}

/* Checking that the reports are the shards of one replay. */

static int check_shards(json_t *const *reports, size_t n, ct_error_t *err)
{
    json_int_t count = -1;
    unsigned char *seen = NULL;
    const json_t *r0 = json_object_get(reports[0], "replay");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const json_t *replay = json_object_get(reports[i], "replay");
        const json_t *shard = json_object_get(replay, "shard");
        if (!json_is_object(replay) || !json_is_array(json_object_get(reports[i], "groups")))
            rc = fail(err, "report %zu is not a JSON report of versa replay", i + 1);
        else if (!json_is_object(shard))
            rc = fail(err, "report %zu is not a shard (written without --shard I/N)", i + 1);
        else if (count == -1 && (count = int_at(shard, "count")) < 1)
            rc = fail(err, "report %zu: bad shard count", i + 1);
        else if (int_at(shard, "count") != count)
            rc = fail(err, "report %zu is a shard of %lld, report 1 of %lld", i + 1,
                      (long long)int_at(shard, "count"), (long long)count);
        else if (!json_equal(json_object_get(replay, "targets"), json_object_get(r0, "targets")) ||
                 !json_equal(json_object_get(replay, "captures"), json_object_get(r0, "captures")))
            rc = fail(err, "report %zu replayed other targets or captures than report 1", i + 1);
        else if (!json_equal(json_object_get(reports[i], "thresholds"),
                             json_object_get(reports[0], "thresholds")))
            rc = fail(err, "report %zu used other noise thresholds than report 1", i + 1);
        if (rc != 0)
            break;
        if (seen == NULL && (seen = calloc((size_t)count, 1)) == NULL)
            abort();
        json_int_t index = int_at(shard, "index");
        if (index < 0 || index >= count)
            rc = fail(err, "report %zu: shard index %lld out of range", i + 1, (long long)index);
        else if (seen[index]++)
            rc = fail(err, "shard %lld/%lld is given twice", (long long)index, (long long)count);
    }
    for (json_int_t k = 0; rc == 0 && k < count; k++)
        if (!seen[k])
            rc = fail(err, "shard %lld/%lld is missing", (long long)k, (long long)count);
    free(seen);
    return rc;
}

/* The "replay" member. */

static void merge_replay(json_t *dst, const json_t *src)
{
    static const char *const exchange_ints[] = {
        "read", "replayed", "completed", "skipped", "bodies_not_compared", NULL};
    static const char *const skipped_ints[] = {
        "filtered", "unsafe_method", "request_body_truncated", "no_recorded_response", NULL};
    static const char *const error_ints[] = {"primary", "candidate", "secondary", NULL};
    static const char *const count_int[] = {"count", NULL};
    add_ints(json_object_get(dst, "exchanges"), json_object_get(src, "exchanges"), exchange_ints);
    add_ints(json_object_get(dst, "skipped"), json_object_get(src, "skipped"), skipped_ints);
    add_ints(json_object_get(dst, "errors"), json_object_get(src, "errors"), error_ints);
    add_ints(json_object_get(dst, "bad_lines"), json_object_get(src, "bad_lines"), count_int);
    json_array_extend(json_object_get(json_object_get(dst, "bad_lines"), "listed"),
                      json_object_get(json_object_get(src, "bad_lines"), "listed"));
    json_array_extend(json_object_get(json_object_get(dst, "errors"), "listed"),
                      json_object_get(json_object_get(src, "errors"), "listed"));
    if (json_is_true(json_object_get(src, "partial"))) {
        json_object_set_new(dst, "partial", json_true());
        if (json_is_null(json_object_get(dst, "stop_reason")))
            json_object_set(dst, "stop_reason", json_object_get(src, "stop_reason"));
    }
    if (json_real_value(json_object_get(src, "elapsed_seconds")) >
        json_real_value(json_object_get(dst, "elapsed_seconds")))
        json_object_set(dst, "elapsed_seconds", json_object_get(src, "elapsed_seconds"));
    json_object_update(json_object_get(dst, "requests"), json_object_get(src, "requests"));
}

/* Keeps the first MAX_LISTED of a listed array in capture order. */
static void trim_listed(json_t *obj, const json_t *captures)
{
    json_t *listed = json_incref(json_object_get(obj, "listed"));
    json_object_set_new(obj, "listed", first_in_order(listed, captures, MAX_LISTED));
}

/* "requests": the curl commands of the request ids the merged report still names. */
static void trim_requests(json_t *replay, const json_t *report)
{
    json_t *all = json_object_get(replay, "requests"), *kept = json_object();
    size_t i, k, m;
    json_t *g, *p, *id;
    json_array_foreach(json_object_get(report, "groups"), i, g)
    {
        json_array_foreach(json_object_get(g, "paths"), k, p)
        {
            json_array_foreach(json_object_get(p, "request_ids"), m, id)
            {
                json_t *curl = json_object_get(all, json_string_value(id));
                if (curl != NULL)
                    json_object_set(kept, json_string_value(id), curl);
            }
        }
    }
    json_object_set_new(replay, "requests", kept);
}

/* --validate: violations counted by kind over the shards; the example of a kind is the one of
 * the lowest shard that has it. */
static void merge_violations(json_t *out, json_t *const *reports, size_t n)
{
    json_t *validate = json_object_get(json_object_get(out, "replay"), "validate");
    if (json_object_get(out, "violations") == NULL || !json_is_object(validate))
        return;
    ct_violations_t *v = ct_violations_create(1024);
    for (size_t r = 0; r < n; r++) {
        ct_violations_merge_json(v, json_object_get(reports[r], "violations"));
        if (r != 0) {
            static const char *const ints[] = {"checked", "violating", "violations", "unlisted",
                                               NULL};
            add_ints(validate, json_object_get(json_object_get(reports[r], "replay"), "validate"),
                     ints);
        }
    }
    json_object_set_new(out, "violations", ct_violations_to_json(v));
    ct_violations_destroy(v);
}

json_t *ct_replay_merge(json_t *const *reports, size_t n, const ct_report_config_t *cfg_in,
                        ct_fail_on_t fail_on, ct_error_t *err)
{
    if (n == 0 || check_shards(reports, n, err) != 0) {
        if (n == 0)
            fail(err, "no reports to merge");
        return NULL;
    }
    ct_report_config_t cfg;
    if (cfg_in != NULL)
        cfg = *cfg_in;
    else
        ct_report_config_init(&cfg);
    const json_t *thresholds = json_object_get(reports[0], "thresholds");
    cfg.relative_threshold = json_number_value(json_object_get(thresholds, "relative"));
    cfg.absolute_threshold = json_number_value(json_object_get(thresholds, "absolute"));

    json_t *out = json_deep_copy(reports[0]);
    json_t *replay = json_object_get(out, "replay");
    const json_t *captures = json_object_get(replay, "captures");
    json_object_del(replay, "shard");
    json_t *groups = json_object_get(out, "groups");
    for (size_t r = 1; r < n; r++) {
        static const char *const top_ints[] = {"compared",       "identical",           "differing",
                                               "noise_compared", "dropped_comparisons", NULL};
        add_ints(out, reports[r], top_ints);
        size_t i;
        json_t *g;
        json_array_foreach(json_object_get(reports[r], "groups"), i, g)
        {
            const char *name = json_string_value(json_object_get(g, "group"));
            json_t *d = find_by(groups, "group", name, NULL, NULL);
            if (d == NULL)
                json_array_append_new(groups, json_deep_copy(g));
            else
                merge_group(d, g, captures, &cfg);
        }
        merge_replay(replay, json_object_get(reports[r], "replay"));
    }
    merge_violations(out, reports, n);
    json_int_t regressions = 0;
    size_t i;
    json_t *g;
    sort_array(groups, cmp_groups);
    json_array_foreach(groups, i, g)
    {
        regressions += finish_group(g, &cfg);
        sort_array(json_object_get(g, "paths"), cmp_paths);
    }
    json_object_set_new(out, "regressions", json_integer(regressions));
    trim_listed(json_object_get(replay, "bad_lines"), captures);
    trim_listed(json_object_get(replay, "errors"), captures);
    trim_requests(replay, out);
    double elapsed = json_real_value(json_object_get(replay, "elapsed_seconds"));
    json_int_t completed = int_at(json_object_get(replay, "exchanges"), "completed");
    json_object_set_new(replay, "rate", json_real(elapsed > 0 ? (double)completed / elapsed : 0));
    json_object_set_new(replay, "fail_on", json_string(ct_fail_on_name(fail_on)));
    json_object_set_new(replay, "failed", json_boolean(ct_report_fails(out, fail_on)));
    return out;
}
