/* Internal: the state of one comparison, shared by its passes (status and headers in ct_diff.c
 * and ct_headers.c, bodies in ct_body.c, JSON values in ct_json.c). */
#ifndef CT_CTX_H
#define CT_CTX_H

#include <jansson.h>
#include <stddef.h>

#include "ct_diff.h"
#include "ct_match.h"
#include "ct_path.h"

/* Buffers a result keeps between comparisons so that a steady stream of comparisons does not
 * allocate for its bookkeeping. */
typedef struct st_ct_scratch_t {
    ct_seg_t *segs; /* the path of the node being compared */
    size_t num_segs, segs_cap;
    ct_states_t states;   /* rule states, see ct_match.h */
    const json_t **pairs; /* work list of ct__json_equal */
    size_t pairs_cap;
} ct_scratch_t;

typedef struct st_ct_ctx_t {
    const ct_rules_t *rules;
    const ct_options_t *opts;
    ct_result_t *result;
    ct_scratch_t *scratch;
    /* Probe mode answers "would there be a difference?" without recording one: the first would-be
     * difference sets probe_hit and unwinds. Used to test array permutations and alignments. */
    int probe, probe_hit;
    /* A body held an integer beyond int64 and was parsed with integers as doubles: mixed
     * integer/real comparisons then happen in double precision on both sides. */
    int lossy_numbers;
} ct_ctx_t;

/* A point to roll the recorded differences back to. */
typedef struct st_ct_mark_t {
    size_t num_diffs;
    int truncated;
} ct_mark_t;

/* Enters the child `seg` of the node whose rule states are [begin, end): pushes the segment and
 * the child's states (from *child_begin to states.len) and returns the child's verdict. */
unsigned ct__enter(ct_ctx_t *ctx, ct_seg_t seg, size_t begin, size_t end, size_t *child_begin);
/* Leaves the child entered last; child_begin is the value ct__enter stored. */
void ct__leave(ct_ctx_t *ctx, size_t child_begin);

/* Whether the comparison must unwind: the probe found a difference, or the cap was reached. */
int ct__stopped(const ct_ctx_t *ctx);

/* Records a difference at the current path. p and c are display texts already bounded by the
 * excerpt functions of ct_excerpt.h (NULL: absent side); detail may be NULL. */
void ct__emit(ct_ctx_t *ctx, ct_kind_t kind, const char *p, const char *c, const char *detail);
/* Same with JSON values rendered as excerpts (NULL: absent side). */
void ct__emit_json(ct_ctx_t *ctx, ct_kind_t kind, const json_t *p, const json_t *c,
                   const char *detail);

ct_mark_t ct__mark(const ct_ctx_t *ctx);
void ct__rollback(ct_ctx_t *ctx, ct_mark_t mark);

/* The passes. Each is called with the node it compares already entered: [begin, end) are that
 * node's rule states and verdict its verdict (never IGNORE). */
void ct__compare_headers(ct_ctx_t *ctx, const ct_response_t *p, const ct_response_t *c,
                         size_t begin, size_t end);
void ct__compare_body(ct_ctx_t *ctx, const ct_response_t *p, const ct_response_t *c, size_t begin,
                      size_t end, unsigned verdict);
/* Compares two present JSON values at nesting depth `depth` (the body is depth 0). */
void ct__diff_json(ct_ctx_t *ctx, const json_t *a, const json_t *b, unsigned depth, size_t begin,
                   size_t end, unsigned verdict);

#endif
