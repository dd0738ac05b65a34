/* Internal: compiled rules and their incremental matching along the path of a comparison. Each
 * node carries a set of (rule, position-in-pattern) states computed from its parent's, so a node
 * costs nothing when no rule can apply below it and patterns are never re-parsed. */
#ifndef CT_MATCH_H
#define CT_MATCH_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "ct_path.h"
#include "ct_rules.h"

typedef struct st_ct_crule_t {
    char *operation; /* NULL: every operation */
    ct_pseg_t *segs;
    size_t num_segs;
    ct_match_t match;
    double absolute, relative;
    regex_t regex; /* CT_MATCH_REGEX only */
} ct_crule_t;

struct st_ct_rules_t {
    ct_options_t opts;
    ct_crule_t *rules;
    size_t num_rules, cap;
};

typedef struct st_ct_state_t {
    uint32_t rule; /* index into rules->rules */
    uint32_t pos;  /* segments matched so far; == num_segs means the rule applies here */
} ct_state_t;

/* A stack of state sets: each node's set is a range [begin, end) of items, children's ranges are
 * pushed above their parent's and popped when the child is done. */
typedef struct st_ct_states_t {
    ct_state_t *items;
    size_t len, cap;
} ct_states_t;

/* What the rules say about one node (bit set). */
enum {
    CT_VERDICT_IGNORE = 1,   /* skip the node and its subtree */
    CT_VERDICT_PRESENT = 2,  /* compare presence only */
    CT_VERDICT_MATCHERS = 4, /* tolerance or regex rules apply to this node's value */
};

/* Pushes the start states of the rules that apply to `operation` (NULL: unscoped rules only). */
void ct__match_start(const ct_rules_t *rules, const char *operation, ct_states_t *st);

/* Pushes the states of the child reached by `seg` from the node whose states are [begin, end),
 * and returns the child's verdict. The child's range is [old st->len, new st->len). */
unsigned ct__match_step(const ct_rules_t *rules, ct_states_t *st, size_t begin, size_t end,
                        const ct_seg_t *seg);

/* Whether a tolerance rule accepting at the node [begin, end) declares numbers a and b equal. */
int ct__match_numbers(const ct_rules_t *rules, const ct_states_t *st, size_t begin, size_t end,
                      double a, double b);

/* Whether a regex rule accepting at the node [begin, end) matches both texts. */
int ct__match_texts(const ct_rules_t *rules, const ct_states_t *st, size_t begin, size_t end,
                    const char *a, size_t alen, const char *b, size_t blen);

#endif
