/* `validate: true` on a shadow entry (docs/shadow.md): the diff worker holds each complete answer
 * of the candidate, as it came and before any adapter, to the candidate's spec
 * (candidate_version's, else the primary version's) with the gateway's answer checks
 * (validate_answer.c), and counts the violations by operation, keyword and schema location for
 * /shadow/report, the /shadow page and the metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct_violations.h"
#include "shadow_internal.h"
#include "validate.h"

#define MAX_PER_ANSWER 20

int gw_shadow__validate_init(gw_shadow_entry_t *e, char *errbuf, size_t errlen)
{
    const gw_shadow_conf_t *conf = e->conf;
    if (!conf->validate)
        return 0;
    const gw_version_t *v =
        conf->candidate_version != NULL ? conf->candidate_version : conf->version;
    if (v->spec == NULL) { /* the config loader refuses this; kept for safety */
        snprintf(errbuf, errlen, "shadow of %s %s: validate needs a spec on version %s",
                 e->api->name, conf->version->name, v->name);
        return -1;
    }
    e->checker = gw_answer_checker_create(v->spec, MAX_PER_ANSWER);
    e->violations = ct_violations_create(1024);
    return 0;
}

void gw_shadow__validate_dispose(gw_shadow_entry_t *e)
{
    gw_answer_checker_destroy(e->checker);
    e->checker = NULL;
    ct_violations_destroy(e->violations);
    e->violations = NULL;
}

const body_value_t *gw_shadow__validate_job(gw_shadow_t *s, gw_shadow_entry_t *e,
                                            const gw_shadow_job_t *job)
{
    const gw_shadow_capture_t *c = &job->side[GW_SHADOW_CANDIDATE];
    if (e->checker == NULL || job->candidate_path == NULL || c->status == 0 || !c->complete ||
        c->too_large || c->error >= 0)
        return NULL;
    /* a primary served through its adapter chain has the candidate stand in for the serving
     * version's upstream, whose spec is not the one configured here */
    if (job->primary_plan != NULL && e->conf->candidate_version == NULL)
        return NULL;
    /* parsed once, here, for the checker and then the diff */
    const body_value_t *doc = NULL;
    body_arena_reset(&s->scratch);
    ct_response_t as_response = {.headers = c->headers, .num_headers = c->num_headers};
    if (c->body_len != 0 && ct_response_is_json(&as_response)) {
        body_mem_t mem = body_arena_mem(&s->scratch);
        /* as the diff parses (finite numbers): the tree serves both; on failure the checker parses
         * again and says why */
        doc = body_parse(&mem, c->body, c->body_len, BODY_PARSE_FINITE, NULL);
    }
    ct_violation_t *found = malloc(MAX_PER_ANSWER * sizeof(*found));
    if (found == NULL)
        h2o_fatal("no memory");
    size_t total;
    size_t n = gw_answer_checker_run_views(e->checker, job->method, strlen(job->method),
                                           job->candidate_path, strlen(job->candidate_path),
                                           c->status, c->headers, c->num_headers, c->body,
                                           c->body_len, doc, found, MAX_PER_ANSWER, &total);
    __atomic_fetch_add(&e->validated, 1, __ATOMIC_RELAXED);
    if (n != 0) {
        __atomic_fetch_add(&e->violating, 1, __ATOMIC_RELAXED);
        pthread_mutex_lock(&s->report_lock);
        for (size_t i = 0; i != n; ++i)
            ct_violations_add(e->violations, &found[i], job->request_id, NULL);
        ct_violations_exchange(e->violations);
        pthread_mutex_unlock(&s->report_lock);
    }
    free(found);
    return doc;
}

void gw_shadow__validate_report(const gw_shadow_entry_t *e, json_t *entry)
{
    if (e->violations == NULL)
        return;
    const gw_version_t *v =
        e->conf->candidate_version != NULL ? e->conf->candidate_version : e->conf->version;
    json_object_set_new(entry, "validate",
                        json_pack("{s:s?, s:I, s:I, s:I, s:I}", "spec", v->spec_path, "checked",
                                  (json_int_t)__atomic_load_n(&e->validated, __ATOMIC_RELAXED),
                                  "violating",
                                  (json_int_t)__atomic_load_n(&e->violating, __ATOMIC_RELAXED),
                                  "violations", (json_int_t)ct_violations_total(e->violations),
                                  "unlisted", (json_int_t)ct_violations_unlisted(e->violations)));
    json_object_set_new(entry, "violations", ct_violations_to_json(e->violations));
}
