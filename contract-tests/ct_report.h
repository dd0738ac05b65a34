/* Aggregation of many comparisons into a report: per group (compared, identical, differing) and
 * per (group, path, kind) counts of candidate and noise differences, with Diffy's rule deciding
 * which paths are regressions and which are noise. Rendered as JSON for /shadow/report and
 * `versa replay --format json`.
 *
 * Noise (as in Twitter's Diffy): the candidate is compared with the primary, and when a secondary
 * (a second instance of the primary's version) is available, the primary is also compared with
 * the secondary. Differences between two instances of the same code are noise (timestamps, random
 * ids, live data). For one path of one group, in percent of that group's comparisons:
 *     rate       = 100 * count / compared
 *     noise_rate = 100 * noise_count / noise_compared
 *     absolute   = rate - noise_rate                               (percentage points)
 *     relative   = 100 * (rate - noise_rate) / (rate + noise_rate)  (percent)
 * The path is a regression when rate > noise_rate, relative > relative_threshold and
 * absolute > absolute_threshold. When the group had no secondary comparison at all
 * (noise_compared == 0) every difference counts: any count > 0 is a regression. With one
 * secondary per request both rates share a denominator and this is exactly Diffy's formula. */
#ifndef CT_REPORT_H
#define CT_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "ct_diff.h"
#include "ct_rules.h"

/* Bytes kept of caller-provided names; longer ones are cut at a character boundary. */
#define CT_GROUP_NAME_MAX 256
#define CT_REQUEST_ID_MAX 128

/* Fill with ct_report_config_init(), then change what you need. */
typedef struct st_ct_report_config_t {
    double relative_threshold; /* percent, default 20 (Diffy's default) */
    double absolute_threshold; /* percentage points, default 0.03 (Diffy's default) */
    uint32_t max_groups;       /* distinct groups; comparisons of further groups are only counted in
                                  dropped_comparisons. Default 1024. */
    uint32_t max_paths;   /* distinct (path, kind) per group; further ones are only counted in the
                             group's dropped_paths. Default 256. */
    uint32_t max_samples; /* request ids kept per path. Default 5. */
} ct_report_config_t;

/* The verdict on one (group, path, kind), see the formula above. */
typedef struct st_ct_noise_t {
    double rate, noise_rate; /* percent of comparisons */
    double
        absolute_difference; /* rate - noise_rate, percentage points (negative: less than noise) */
    double relative_difference; /* percent; 0 when both rates are 0 */
    int regression;
} ct_noise_t;

/* Totals over all groups. */
typedef struct st_ct_report_totals_t {
    uint64_t groups, compared, identical, differing, noise_compared, regressions;
    uint64_t dropped_comparisons;
} ct_report_totals_t;

/* Not thread-safe: keep one report per thread (the gateway keeps one per event loop) and merge
 * them into a fresh report to render; nothing may modify a report while it is read or merged. */
typedef struct st_ct_report_t ct_report_t;

void ct_report_config_init(ct_report_config_t *cfg);

/* Evaluates the noise rule for one path. */
void ct_noise_evaluate(const ct_report_config_t *cfg, uint64_t count, uint64_t compared,
                       uint64_t noise_count, uint64_t noise_compared, ct_noise_t *out);

/* Creates an empty report with a copy of cfg (NULL: defaults). Returns NULL and fills err when a
 * setting is out of range (negative or non-finite thresholds, zero limits). */
ct_report_t *ct_report_create(const ct_report_config_t *cfg, ct_error_t *err);
/* Accepts NULL. */
void ct_report_destroy(ct_report_t *report);
/* Forgets every comparison, keeping the configuration. */
void ct_report_clear(ct_report_t *report);

/* Adds one comparison of group: `candidate` holds primary-vs-candidate differences, `noise` the
 * primary-vs-secondary ones (NULL when there was no secondary). Each (path, kind) counts once per
 * comparison however many array elements differed there. group and request_id may be NULL (an
 * unnamed group, no sample id). Nothing is borrowed after the call. */
void ct_report_add(ct_report_t *report, const char *group, const char *request_id,
                   const ct_result_t *candidate, const ct_result_t *noise);

/* Adds every count and sample of src into dst (dst's configuration and limits apply). src is
 * only read; merging a report into itself does nothing. */
void ct_report_merge(ct_report_t *dst, const ct_report_t *src);

void ct_report_totals(const ct_report_t *report, ct_report_totals_t *out);

/* Renders the report (shape in contract-tests/README.md): groups sorted by name, paths by
 * regression first, then count, then path. Returns a new reference. Rates are doubles: dump with
 * JSON_REAL_PRECISION(10) or so to print them short. */
json_t *ct_report_to_json(const ct_report_t *report);

#endif
