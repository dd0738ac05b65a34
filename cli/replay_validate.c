/* The candidate's answers against its spec during a replay (--validate). */
#include "replay_validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "validate.h"

struct st_replay_validate_t {
    spec_t *owned; /* loaded from --spec; NULL when borrowed from the config */
    gw_answer_checker_t *checker;
    char *name;
};

int replay_validate_create(const char *file, const spec_t *spec, const char *name,
                           replay_validate_t **out, char *err, size_t err_size)
{
    replay_validate_t *v = calloc(1, sizeof(*v));
    if (v == NULL)
        abort();
    if (file != NULL) {
        spec_error_t e;
        if (spec_load(&v->owned, file, NULL, &e) != 0) {
            char msg[1024];
            snprintf(err, err_size, "--spec: %s", spec_error_format(&e, msg, sizeof(msg)));
            free(v);
            return -1;
        }
        spec = v->owned;
        name = file;
    }
    v->name = strdup(name != NULL ? name : "(spec)");
    if (v->name == NULL)
        abort();
    v->checker = gw_answer_checker_create(spec, 20);
    *out = v;
    return 0;
}

static size_t check(void *ctx, const ct_capture_request_t *sent, const ct_response_t *answer,
                    ct_violation_t *out, size_t max, size_t *total)
{
    replay_validate_t *v = ctx;
    const ct_str_t path = sent->upstream_path.base != NULL ? sent->upstream_path : sent->path;
    return gw_answer_checker_run_views(v->checker, sent->method.base, sent->method.len, path.base,
                                       path.len, answer->status, answer->headers,
                                       answer->num_headers, answer->body, answer->body_len,
                                       answer->json, out, max, total);
}

void replay_validate_hook(replay_validate_t *v, ct_replay_checker_t *hook)
{
    *hook = (ct_replay_checker_t){v, check, v->name};
}

void replay_validate_destroy(replay_validate_t *v)
{
    if (v == NULL)
        return;
    gw_answer_checker_destroy(v->checker);
    spec_destroy(v->owned);
    free(v->name);
    free(v);
}
