/* Internal to the replay engine (ct_replay*.c): its state, one slot per exchange in flight, and
 * the functions its files share. ct_replay.c runs the loop and reads the captures,
 * ct_replay_request.c builds what is sent, ct_replay_exchange.c sends and compares,
 * ct_replay_report.c adds the replay's part to the report. */
#ifndef CT_REPLAY_INT_H
#define CT_REPLAY_INT_H

#include <stdint.h>

#include "ct_buf.h"
#include "ct_map.h"
#include "ct_replay.h"
#include "upstream.h"

#define SIDES 3
#define MAX_CONCURRENCY 1024
#define MAX_LISTED 100       /* bad lines and errors listed in the report */
#define MAX_RETAINED 10000   /* requests kept as curl commands for samples */
#define MAX_GROUP_SEGMENTS 8 /* path segments in a group name without an operationId */
/* Connection attempts to one upstream failing in a row (each request tries twice) that end the
 * run: a slow accept queue loses a few, an upstream that went away loses them all. */
#define UNREACHABLE_AFTER 6

enum { PRIMARY, CANDIDATE, SECONDARY };
extern const char *const ct__replay_side_names[SIDES];

typedef struct st_slot_t {
    ct_replay_t *r;
    ct_exchange_t *x; /* our copy of the record */
    char id[CT_REQUEST_ID_MAX];
    char group[CT_GROUP_NAME_MAX];
    ct_capture_request_t adapted; /* the candidate's request when an adapter upgraded it */
    int have_adapted;
    void *request_state;
    ct_buf_t wire[SIDES];
    up_request_t req[SIDES];
    int active[SIDES];
    int pending;
} slot_t;

/* curl commands of a request that is (or may become) a sample. */
typedef struct st_retained_t {
    char *curl, *curl_primary;
} retained_t;

/* How many samples the report may keep for one (group, kind, path); mirrors ct_report.c's rule
 * (the first max_samples candidate comparisons, and a noise one until a candidate one exists). */
typedef struct st_sample_count_t {
    uint32_t candidate;
    int noise;
    uint64_t last_seq;
} sample_count_t;

struct st_ct_replay_t {
    ct_replay_config_t cfg;
    up_url_t url[SIDES];
    int have[SIDES];
    ct_replay_filter_t *filters;
    h2o_loop_t *loop;
    up_target_t *target[SIDES];
    h2o_timeout_t tick_timeout;
    h2o_timeout_entry_t tick;
    slot_t *slots;
    size_t *free_slots, num_free;
    /* reading */
    const char *const *captures;
    size_t num_captures, cur;
    ct_capture_reader_t *reader;
    const char *cur_name; /* basename of the capture being read, for request ids */
    uint64_t position;    /* records and bad lines seen, for sharding */
    int reading_done, pumping;
    /* rate */
    double tokens, burst, last_refill;
    /* state */
    int stopping, fatal, cut_short;
    char stop_reason[300];
    double t0, t_end, stop_deadline, next_progress;
    /* results */
    ct_report_t *report;
    ct_result_t cand, noise;
    uint64_t seq, total, read, replayed, completed, bad_lines, errors[SIDES];
    uint64_t skipped_filtered, skipped_unsafe, skipped_truncated, skipped_no_response;
    uint64_t bodies_not_compared;
    json_t *bad_list, *error_list;
    ct_violations_t *violations; /* with cfg.checker */
    uint64_t checked;            /* answers held to the spec */
    body_arena_t scratch;        /* the candidate's body parsed once for both */
    ct_map_t retained, sample_counts;
};

/* ct_replay.c */
double ct__replay_now(void);
/* Starts exchanges while slots, tokens and captures allow. */
void ct__replay_pump(ct_replay_t *r);

/* ct_replay_request.c: what is sent */
int ct__replay_is_method(ct_str_t m, const char *name);
int ct__replay_is_idempotent(ct_str_t m);
/* Returns 1 when the exchange is to be replayed, after counting why not otherwise. */
int ct__replay_wanted(ct_replay_t *r, const ct_exchange_t *x);
const ct_capture_request_t *ct__replay_request_of(const slot_t *s, int side);
void ct__replay_build_wire(const ct_replay_t *r, int side, const ct_capture_request_t *q,
                           ct_buf_t *b);
/* A curl command for the request as sent to side; malloc'ed. */
char *ct__replay_curl_for(const ct_replay_t *r, int side, const ct_capture_request_t *q);
void ct__replay_group_of(const ct_replay_t *r, const ct_exchange_t *x, char *out, size_t size);

/* ct_replay_exchange.c: sending and comparing */
void ct__replay_start_exchange(ct_replay_t *r, const ct_exchange_t *x, uint64_t line);
void ct__replay_release_slot(slot_t *s);
/* Ends the run with a message (the first one wins). */
void ct__replay_fail_run(ct_replay_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
