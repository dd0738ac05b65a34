/* One streaming pass from start to end (stream.c walks the value): a schema automaton's, or one
 * operation-level step's, set up here for what the step is (a step at the end of its path or at a
 * member there, a step below a member the paths share, a move across objects). */
#include <stddef.h>
#include "stream.h"

static int run_pass(adp__stream_t *s, const char **body, size_t *len)
{
    if (*len == 0 || *len > UINT32_MAX)
        return -1;
    s->p = s->from = *body;
    s->end = *body + *len;
    s->first_cap = *len + *len / 4 + 256;
    adp__stream_ws(s);
    if (adp__stream_value(s, 0, 0) != 0)
        return -1;
    adp__stream_ws(s);
    if (s->p != s->end)
        return -1;
    if (s->out != NULL) {
        adp__stream_flush(s, s->end);
        s->run->changed = 1;
        *body = s->out;
        *len = (size_t)(s->o - s->out);
    }
    return 0;
}

/* A pass's state, zeroed but for the shapes' members (several KB, read only once recorded). */
static void stream_init(adp__stream_t *s, adp__run_t *run, int upgrade)
{
    memset(s, 0, offsetof(adp__stream_t, shapes));
    for (size_t i = 0; i < ADP__SHAPES; ++i)
        s->shapes[i].mode = NULL, s->shapes[i].busy = 0;
    s->run = run;
    s->upgrade = upgrade;
}

int adp__stream(adp__run_t *run, const adp__dfa_t *dfa, int upgrade, const char **body, size_t *len)
{
    if (dfa == NULL || dfa->n == 0)
        return -1;
    adp__stream_t s;
    stream_init(&s, run, upgrade);
    s.dfa = dfa;
    return run_pass(&s, body, len);
}

int adp__stream_step(adp__run_t *run, const adp__step_t *step, const adp__dfa_t *inner, int upgrade,
                     const char **body, size_t *len)
{
    adp__stream_t s;
    stream_init(&s, run, upgrade);
    s.step = step;
    if (inner != NULL) {
        if (step->base.n != 0 || step->src.n != 0 || inner->n == 0 ||
            step->prim != (upgrade ? ADP__P_CLOSE : ADP__P_OPEN))
            return -1;
        s.inner = inner;
    }
    adp__step_t tail; /* a step below a member: as it runs at that member's object */
    size_t head = adp__stream_step_tail(step, &tail);
    if (head != 0) {
        s.head = head;
        adp__stream_program_add(&s.target, &tail);
    } else if (step->src.n > 1 || step->dst.n > 1) {
        if (adp__stream_move_setup(&s, step) != 0)
            return -1;
    } else if (step->src.n == 1 || step->dst.n == 1) {
        if (!adp__stream_member_step(step))
            return -1;
        adp__stream_program_add(&s.target, step);
    }
    return run_pass(&s, body, len);
}
