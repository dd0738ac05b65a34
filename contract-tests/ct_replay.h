/* The replay engine behind `versa replay`: reads captures (JSON Lines or HAR), sends each
 * exchange's request to a primary, a candidate and optionally a secondary upstream at once (or
 * compares the candidate with the recorded response), compares the answers with the diff engine
 * and aggregates a report with Diffy's noise rule, samples and curl commands. One event loop; the
 * caller's thread runs it. */
#ifndef CT_REPLAY_H
#define CT_REPLAY_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "ct_capture.h"
#include "ct_diff.h"
#include "ct_report.h"
#include "ct_report_render.h"
#include "ct_rules.h"
#include "ct_violations.h"

/* Which exchanges to replay: filters of one kind are alternatives, kinds combine. */
typedef enum ct_replay_filter_kind {
    CT_REPLAY_FILTER_OPERATION, /* operation=listPets: the recorded operationId */
    CT_REPLAY_FILTER_METHOD,    /* method=GET (case-insensitive) */
    CT_REPLAY_FILTER_PATH,      /* path=/pets: the path sent starts with this prefix */
} ct_replay_filter_kind_t;

typedef struct st_ct_replay_filter_t {
    ct_replay_filter_kind_t kind;
    const char *value; /* borrowed */
} ct_replay_filter_t;

/* Parses "operation=ID", "method=NAME" or "path=/prefix"; value points into text. Returns 0, or
 * -1 with err. */
int ct_replay_filter_parse(const char *text, ct_replay_filter_t *out, ct_error_t *err);

/* Cross-version replay (`-c versa.yaml --primary-version v1 --candidate-version v2`): the
 * adapter chain upgrades each recorded request before it goes to the candidate and downgrades the
 * candidate's response before it is compared, as shadowing does. Called on the replay thread.
 * What a hook puts in *out stays valid until release(ctx, state) is called with the state it set;
 * a hook that fails makes the exchange a candidate error with its message. */
typedef struct st_ct_replay_adapter_t {
    void *ctx;
    int (*request)(void *ctx, const ct_exchange_t *recorded, ct_capture_request_t *out,
                   void **state, char *err, size_t err_size);
    int (*response)(void *ctx, const ct_exchange_t *recorded, const ct_response_t *candidate,
                    ct_response_t *out, void **state, char *err, size_t err_size);
    void (*release)(void *ctx, void *state); /* may be NULL */
} ct_replay_adapter_t;

/* `versa replay --validate`: holds each answer of the candidate (as received, before any
 * adapter) to the candidate's spec. `check` writes up to `max` violations into out and returns
 * how many, *total counting all it found; called on the replay thread. */
typedef struct st_ct_replay_checker_t {
    void *ctx;
    size_t (*check)(void *ctx, const ct_capture_request_t *sent, const ct_response_t *answer,
                    ct_violation_t *out, size_t max, size_t *total);
    const char *spec; /* named in the report ("replay"."validate"."spec") */
} ct_replay_checker_t;

/* Passed to the progress callback. */
typedef struct st_ct_replay_progress_t {
    uint64_t total;    /* exchanges in the captures (0: unknown) */
    uint64_t done;     /* read: replayed, skipped or bad */
    uint64_t compared; /* comparisons added to the report */
    uint64_t differing;
    uint64_t errors; /* upstream errors, all sides */
    double elapsed;  /* seconds since sending started */
    double rate;     /* exchanges completed per second */
} ct_replay_progress_t;

typedef struct st_ct_replay_config_t {
    const char *primary_url; /* http://host:port[/base]; NULL with against_recorded */
    const char *candidate_url;
    const char *secondary_url; /* NULL: no noise learning */
    int against_recorded;      /* compare the candidate with the recorded responses */
    double rate;               /* exchanges started per second; 0: no limit */
    unsigned concurrency;      /* exchanges in flight; default 64 */
    int allow_unsafe;          /* replay methods other than GET, HEAD, OPTIONS, TRACE */
    int client_paths;          /* send request.path even where upstream_path was recorded */
    const char *api;           /* skip records of other APIs (records naming none pass) */
    const ct_replay_filter_t *filters;
    size_t num_filters;
    /* Sharding (`--shard I/N`): with shard_count N > 0, only the exchanges whose index in the
     * captures (every record and bad line, counted from 0 across all captures) is shard_index
     * modulo N are read; the others are passed over uncounted. The report says which shard it
     * is ("replay"."shard"), for ct_replay_merge(). */
    unsigned shard_index, shard_count;
    uint64_t connect_timeout_ms; /* default 2000 */
    uint64_t timeout_ms;         /* no response data for this long: an error; default 30000 */
    size_t max_body_bytes;       /* response bytes compared; the rest is counted; default 8 MiB */
    uint64_t drain_ms; /* after a stop request, in-flight exchanges get this long; default 2000 */
    const ct_rules_t *rules; /* borrowed; NULL: default options, no rules */
    ct_report_config_t report;
    ct_fail_on_t fail_on;
    ct_capture_reader_config_t reader;
    const ct_replay_adapter_t *adapter; /* NULL: the candidate's answers are compared as is */
    const ct_replay_checker_t *checker; /* NULL: answers are not held to a spec */
    /* Progress, on the replay thread, every progress_ms (default 200) and once at the end. With
     * count_total the captures are counted first (not possible for "-"). */
    void (*progress)(void *ctx, const ct_replay_progress_t *p);
    void *progress_ctx;
    unsigned progress_ms;
    int count_total;
    /* Set it (from a signal handler, say) to stop sending; checked at least every 100 ms. */
    volatile sig_atomic_t *stop;
} ct_replay_config_t;

typedef struct st_ct_replay_t ct_replay_t;

/* Fills cfg with the defaults above. */
void ct_replay_config_init(ct_replay_config_t *cfg);

/* Checks the configuration, parses the URLs and resolves their hosts (blocking). Returns NULL with
 * err on bad settings. Strings in cfg are copied except rules, adapter and checker, which must
 * outlive the replay. */
ct_replay_t *ct_replay_create(const ct_replay_config_t *cfg, ct_error_t *err);

/* Outcome of ct_replay_run(). */
typedef enum ct_replay_status {
    CT_REPLAY_FAILED = -1, /* could not run or continue: err says why (unreachable upstream,
                              unreadable capture); started tells whether a partial report exists */
    CT_REPLAY_DONE = 0,    /* every capture was read to the end */
    CT_REPLAY_STOPPED = 1, /* *cfg.stop was set; the report is partial */
} ct_replay_status_t;

/* Probes every upstream (an unreachable one fails the run before anything is sent), then replays
 * the captures in order. Blocking; callable once. *started is set when sending began. */
ct_replay_status_t ct_replay_run(ct_replay_t *r, const char *const *captures, size_t n,
                                 int *started, ct_error_t *err);

/* The report: ct_report_to_json() plus "replay" (targets, counts, skipped, bad lines, errors,
 * partial, "failed" under cfg.fail_on, "validate" with a checker) and a curl command in each
 * path's sample, and with a checker "violations" (ct_report_render.h) (docs/replay.md). New
 * reference. */
json_t *ct_replay_report(const ct_replay_t *r);

/* Accepts NULL. */
void ct_replay_destroy(ct_replay_t *r);

#endif
