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

typedef struct {
    const char *body;
    size_t len;
    size_t passes;
} chain_t;

static int dfa_pass(adp__run_t *run, chain_t *c, const adp__dfa_t *dfa, int upgrade)
{
    if (dfa == NULL || dfa->n == 0)
        return 0;
    c->passes++;
    return adp__stream(run, dfa, upgrade, &c->body, &c->len);
}

static int step_passes(adp__run_t *run, chain_t *c, const adp__step_t *steps, size_t n, int upgrade)
{
    for (size_t i = 0; i < n; ++i) {
        if (!adp__step_applies(run, &steps[i]))
            continue;
        c->passes++;
        if (adp__stream_step(run, &steps[i], NULL, upgrade, &c->body, &c->len) != 0)
            return -1;
    }
    return 0;
}

/* The one step of `steps` that applies, when it is a root envelope the hop's automaton works
 * inside of (upgrade: a wrap after the automaton; downgrade: an unwrap before it): then the two
 * run as one pass. NULL otherwise. */
static const adp__step_t *root_envelope(const adp__run_t *run, const adp__step_t *steps, size_t n,
                                        const adp__dfa_t *dfa, int upgrade)
{
    const adp__step_t *one = NULL;
    if (dfa == NULL || dfa->n == 0)
        return NULL;
    for (size_t i = 0; i < n; ++i)
        if (adp__step_applies(run, &steps[i])) {
            if (one != NULL)
                return NULL;
            one = &steps[i];
        }
    if (one == NULL || one->base.n != 0 || one->src.n != 0 ||
        one->prim != (upgrade ? ADP__P_CLOSE : ADP__P_OPEN))
        return NULL;
    return one;
}

static int envelope_pass(adp__run_t *run, chain_t *c, const adp__step_t *step,
                         const adp__dfa_t *dfa, int upgrade)
{
    c->passes++;
    return adp__stream_step(run, step, dfa, upgrade, &c->body, &c->len);
}

/* Ends a chain: the body is final when every pass ran and at least one did (a body no pass read
 * was not validated: the tree engine decides what it is). */
static int chain_end(const chain_t *c, const char **body, size_t *len)
{
    if (c->passes == 0)
        return -1;
    *body = c->body;
    *len = c->len;
    return 0;
}

int adp__stream_request(const adp_plan_t *plan, adp__run_t *run, const char **body, size_t *len)
{
    chain_t c = {*body, *len, 0};
    for (size_t h = 0; h < plan->nhops; ++h) {
        const adp__hop_t *hop = plan->hops[h];
        const adp__step_t *env =
            root_envelope(run, hop->req_steps, hop->nreq_steps, hop->req_dfa, 1);
        if (env != NULL ? envelope_pass(run, &c, env, hop->req_dfa, 1) != 0
                        : dfa_pass(run, &c, hop->req_dfa, 1) != 0 ||
                              step_passes(run, &c, hop->req_steps, hop->nreq_steps, 1) != 0)
            return -1;
    }
    return chain_end(&c, body, len);
}

int adp__stream_response(const adp_plan_t *plan, adp__run_t *run, int status, const char **body,
                         size_t *len)
{
    chain_t c = {*body, *len, 0};
    for (size_t h = plan->nhops; h-- > 0;) {
        const adp__hop_t *hop = plan->hops[h];
        status = older_status(hop, status);
        run->status = status;
        const adp__dfa_t *dfa = NULL;
        for (size_t k = 0; k < hop->nres_dfas && dfa == NULL; ++k)
            if (adp__statuses_has(&hop->res_dfas[k].statuses, status))
                dfa = hop->res_dfas[k].dfa;
        const adp__step_t *env = root_envelope(run, hop->res_steps, hop->nres_steps, dfa, 0);
        if (env != NULL ? envelope_pass(run, &c, env, dfa, 0) != 0
                        : step_passes(run, &c, hop->res_steps, hop->nres_steps, 0) != 0 ||
                              dfa_pass(run, &c, dfa, 0) != 0)
            return -1;
    }
    return chain_end(&c, body, len);
}
