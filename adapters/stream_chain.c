/* A plan's body work as streaming passes, in the tree engine's order: a request is upgraded hop
 * by hop from the oldest change (each hop's schema automaton, then its operation steps), a
 * response downgraded from the newest (operation steps, then the automaton for the status at
 * that point of the chain). Each pass reads the previous one's output; if any gives up, the
 * caller runs the tree engine on the original body, so the chain's result is all or nothing. */
#include "stream.h"

/* The older version's status for the newer `status` through one hop. */
static int older_status(const adp__hop_t *hop, int status)
{
    for (size_t k = 0; k < hop->nstatus_map; ++k)
        if (hop->status_map[k].newer == status)
            return hop->status_map[k].older;
    return status;
}

/* One pass of a chain: an operation-level step's or a schema automaton's, with the response
 * status (the older version's at that point of the chain) its steps are chosen by. */
typedef struct {
    const adp__step_t *step;
    const adp__dfa_t *dfa;
    int status;
} pass_t;

#define PASSES_MAX 64 /* longer chains go to the tree engine */

typedef struct {
    pass_t p[PASSES_MAX];
    size_t n;
    int full;
} passes_t;

static void push(passes_t *ps, const adp__step_t *step, const adp__dfa_t *dfa, int status)
{
    if (ps->n == PASSES_MAX)
        ps->full = 1;
    else
        ps->p[ps->n++] = (pass_t){step, dfa, status};
}

static void push_steps(passes_t *ps, adp__run_t *run, const adp__step_t *steps, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (adp__step_applies(run, &steps[i]))
            push(ps, &steps[i], NULL, run->status);
}

static void push_dfa(passes_t *ps, const adp__dfa_t *dfa, int status)
{
    if (dfa != NULL && dfa->n != 0)
        push(ps, NULL, dfa, status);
}

/* A root envelope step whose inside the next pass's automaton works on: an unwrap before it
 * (downgrade), or a wrap after it (upgrade: the automaton comes first, see run_passes). */
static int root_envelope(const adp__step_t *step, int upgrade)
{
    return step != NULL && step->base.n == 0 && step->src.n == 0 &&
           step->prim == (upgrade ? ADP__P_CLOSE : ADP__P_OPEN);
}

/* Runs the passes, each reading the previous one's output; an envelope step and the automaton
 * inside it run as one pass, even across hops. Ends with the body final when every pass ran and
 * at least one did (a body no pass read was not validated: the tree engine decides what it
 * is). */
static int run_passes(const passes_t *ps, adp__run_t *run, int upgrade, const char **body,
                      size_t *len)
{
    const char *b = *body;
    size_t l = *len;
    if (ps->full || ps->n == 0)
        return -1;
    for (size_t i = 0; i < ps->n; ++i) {
        const pass_t *a = &ps->p[i], *next = i + 1 < ps->n ? &ps->p[i + 1] : NULL;
        int r;
        if (!upgrade && root_envelope(a->step, 0) && next != NULL && next->dfa != NULL) {
            run->status = next->status;
            r = adp__stream_step(run, a->step, next->dfa, 0, &b, &l);
            ++i;
        } else if (upgrade && a->dfa != NULL && next != NULL && root_envelope(next->step, 1)) {
            r = adp__stream_step(run, next->step, a->dfa, 1, &b, &l);
            ++i;
        } else if (a->dfa != NULL) {
            run->status = a->status;
            r = adp__stream(run, a->dfa, upgrade, &b, &l);
        } else {
            run->status = a->status;
            r = adp__stream_step(run, a->step, NULL, upgrade, &b, &l);
        }
        if (r != 0)
            return -1;
    }
    *body = b;
    *len = l;
    return 0;
}

int adp__stream_request(const adp_plan_t *plan, adp__run_t *run, const char **body, size_t *len)
{
    passes_t ps;
    ps.n = 0, ps.full = 0;
    for (size_t h = 0; h < plan->nhops; ++h) {
        const adp__hop_t *hop = plan->hops[h];
        push_dfa(&ps, hop->req_dfa, 0);
        push_steps(&ps, run, hop->req_steps, hop->nreq_steps);
    }
    return run_passes(&ps, run, 1, body, len);
}

int adp__stream_response(const adp_plan_t *plan, adp__run_t *run, int status, const char **body,
                         size_t *len)
{
    passes_t ps;
    ps.n = 0, ps.full = 0;
    for (size_t h = plan->nhops; h-- > 0;) {
        const adp__hop_t *hop = plan->hops[h];
        status = older_status(hop, status);
        run->status = status;
        push_steps(&ps, run, hop->res_steps, hop->nres_steps);
        for (size_t k = 0; k < hop->nres_dfas; ++k)
            if (adp__statuses_has(&hop->res_dfas[k].statuses, status)) {
                push_dfa(&ps, hop->res_dfas[k].dfa, status);
                break;
            }
    }
    return run_passes(&ps, run, 0, body, len);
}
