/* Internal: the state of one comparison and the recording primitives its passes share (ct_ctx.c):
 * entering and leaving path segments, emitting differences, rolling them back. The passes
 * (ct_headers.h, ct_body.h, ct_json.h) include this header and are called by ct_diff.c; none of
 * them includes ct_diff.c's or another pass's internals, so the includes form no cycle. */
#ifndef CT_CTX_H
#define CT_CTX_H

#include <stddef.h>

#include "body.h"

#include "ct_diff.h"
#include "ct_match.h"
#include "ct_path.h"

/* Buffers a result keeps between comparisons so that a steady stream of comparisons does not
 * allocate for its bookkeeping. */
typedef struct st_ct_scratch_t {
    ct_seg_t *segs; /* the path of the node being compared */
    size_t num_segs, segs_cap;
    ct_states_t states;         /* rule states, see ct_match.h */
    const body_value_t **pairs; /* work list of the deep equality in ct_json.c */
    size_t pairs_cap;
    body_arena_t arena; /* the parsed bodies of the comparison in progress */
} ct_scratch_t;

typedef struct st_ct_ctx_t {
    const ct_rules_t *rules;
    const ct_options_t *opts;
    ct_result_t *result;
    ct_scratch_t *scratch;
    /* Probe mode answers "would there be a difference?" without recording one: the first would-be
     * difference sets probe_hit and unwinds. Used to test array permutations and alignments. */
    int probe, probe_hit;
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
void ct__emit_json(ct_ctx_t *ctx, ct_kind_t kind, const body_value_t *p, const body_value_t *c,
                   const char *detail);

ct_mark_t ct__mark(const ct_ctx_t *ctx);
void ct__rollback(ct_ctx_t *ctx, ct_mark_t mark);

/* Frees the differences of `result` from index `from` on. */
void ct__drop_diffs(ct_result_t *result, size_t from);

#endif
