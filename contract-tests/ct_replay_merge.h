/* `versa replay --merge`: the JSON reports of the shards of one replay (`--shard I/N`, each a
 * disjoint part of the captures) merged into the report one unsharded replay would have written:
 * counts summed, rates and regressions recomputed with the noise rule, request ids, samples and
 * listed errors and bad lines chosen by their position in the captures, as a replay with
 * --concurrency 1 chooses them. Pure JSON: no upstream is called. */
#ifndef CT_REPLAY_MERGE_H
#define CT_REPLAY_MERGE_H

#include <jansson.h>
#include <stddef.h>

#include "ct_diff.h"
#include "ct_report.h"
#include "ct_report_render.h"

/* Merges reports[0..n) (borrowed; n >= 1), which must be the shards 0..N-1 of one replay, each
 * exactly once ("replay"."shard"), with the same targets, captures and thresholds. cfg gives the
 * report limits the shards ran with (NULL: the defaults); fail_on sets "fail_on" and "failed".
 * The merged report has no "shard" member; "elapsed_seconds" is the longest shard's and "rate"
 * follows from it. Returns a new reference, or NULL with err saying which report is wrong. */
json_t *ct_replay_merge(json_t *const *reports, size_t n, const ct_report_config_t *cfg,
                        ct_fail_on_t fail_on, ct_error_t *err);

#endif
