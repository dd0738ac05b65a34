/* Applies compiled rules while a comparison walks its documents (see ct_match.h). */
#include "ct_match.h"

#include <math.h>
#include <string.h>

#include "ct_alloc.h"

static void push_unique(ct_states_t *st, size_t begin, uint32_t rule, uint32_t pos)
{
    for (size_t i = begin; i < st->len; i++)
        if (st->items[i].rule == rule && st->items[i].pos == pos)
            return;
    ct__grow((void **)&st->items, &st->cap, st->len + 1, sizeof(*st->items));
    st->items[st->len++] = (ct_state_t){rule, pos};
}

/* Adds a state and its epsilon closure: a '**' may also match zero segments. */
static void add_state(const ct_crule_t *r, ct_states_t *st, size_t begin, uint32_t rule,
                      uint32_t pos)
{
    for (;;) {
        push_unique(st, begin, rule, pos);
        if (pos >= r->num_segs || r->segs[pos].kind != CT_PSEG_ANY_DEPTH)
            return;
        pos++;
    }
}

void ct__match_start(const ct_rules_t *rules, const char *operation, ct_states_t *st)
{
    size_t begin = st->len;
    for (size_t i = 0; i < rules->num_rules; i++) {
        const ct_crule_t *r = &rules->rules[i];
        if (r->operation != NULL && (operation == NULL || strcmp(r->operation, operation) != 0))
            continue;
        add_state(r, st, begin, (uint32_t)i, 0);
    }
}

unsigned ct__match_step(const ct_rules_t *rules, ct_states_t *st, size_t begin, size_t end,
                        const ct_seg_t *seg)
{
    size_t out = st->len;
    for (size_t i = begin; i < end; i++) {
        ct_state_t s = st->items[i]; /* copy: pushing may move the array */
        const ct_crule_t *r = &rules->rules[s.rule];
        if (s.pos == r->num_segs)
            continue; /* a rule applies to the node it ends at, not to its children */
        const ct_pseg_t *p = &r->segs[s.pos];
        if (p->kind == CT_PSEG_ANY_DEPTH)
            add_state(r, st, out, s.rule, s.pos);
        else if (ct__pseg_match(p, seg))
            add_state(r, st, out, s.rule, s.pos + 1);
    }
    unsigned verdict = 0;
    for (size_t i = out; i < st->len; i++) {
        const ct_crule_t *r = &rules->rules[st->items[i].rule];
        if (st->items[i].pos != r->num_segs)
            continue;
        switch (r->match) {
        case CT_MATCH_IGNORE:
            verdict |= CT_VERDICT_IGNORE;
            break;
        case CT_MATCH_PRESENT:
            verdict |= CT_VERDICT_PRESENT;
            break;
        case CT_MATCH_TOLERANCE:
        case CT_MATCH_REGEX:
            verdict |= CT_VERDICT_MATCHERS;
            break;
        }
    }
    return verdict;
}

static int within(const ct_crule_t *r, double a, double b)
{
    double d = fabs(a - b);
    if (isnan(d))
        return 0;
    if (d <= r->absolute)
        return 1;
    return r->relative > 0 && d <= r->relative * fmax(fabs(a), fabs(b));
}

int ct__match_numbers(const ct_rules_t *rules, const ct_states_t *st, size_t begin, size_t end,
                      double a, double b)
{
    for (size_t i = begin; i < end; i++) {
        const ct_crule_t *r = &rules->rules[st->items[i].rule];
        if (st->items[i].pos == r->num_segs && r->match == CT_MATCH_TOLERANCE && within(r, a, b))
            return 1;
    }
    return 0;
}

static int regex_matches(const regex_t *re, const char *s, size_t len)
{
    /* REG_STARTEND bounds the subject by length, so values holding NULs are matched whole */
    regmatch_t m[1] = {{.rm_so = 0, .rm_eo = (regoff_t)len}};
    return regexec(re, s, 1, m, REG_STARTEND) == 0;
}

int ct__match_texts(const ct_rules_t *rules, const ct_states_t *st, size_t begin, size_t end,
                    const char *a, size_t alen, const char *b, size_t blen)
{
    for (size_t i = begin; i < end; i++) {
        const ct_crule_t *r = &rules->rules[st->items[i].rule];
        if (st->items[i].pos == r->num_segs && r->match == CT_MATCH_REGEX &&
            regex_matches(&r->regex, a, alen) && regex_matches(&r->regex, b, blen))
            return 1;
    }
    return 0;
}
