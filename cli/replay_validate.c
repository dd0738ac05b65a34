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

/* The answer's headers by lower-case name, all lines joined by ", " into `joined`. */
typedef struct {
    const ct_response_t *answer;
    char joined[4096];
} headers_t;

static const char *header_of(void *ctx, const char *name, size_t *len)
{
    headers_t *h = ctx;
    size_t n = 0, nlen = strlen(name);
    const char *first = NULL;
    for (size_t i = 0; i != h->answer->num_headers; ++i) {
        const ct_header_t *x = &h->answer->headers[i];
        if (x->name_len != nlen || strncasecmp(x->name, name, nlen) != 0)
            continue;
        if (first == NULL) {
            first = x->value;
            *len = x->value_len;
            continue;
        }
        if (n == 0) { /* a second line: join them (RFC 9110 §5.3) */
            n = *len < sizeof(h->joined) ? *len : sizeof(h->joined) - 1;
            memcpy(h->joined, first, n);
        }
        size_t add = x->value_len + 2 < sizeof(h->joined) - n ? x->value_len : 0;
        if (add != 0 || x->value_len == 0) {
            memcpy(h->joined + n, ", ", 2);
            memcpy(h->joined + n + 2, x->value, add);
            n += add + 2;
        }
        first = h->joined;
        *len = n;
    }
    return first;
}

static size_t check(void *ctx, const ct_capture_request_t *sent, const ct_response_t *answer,
                    ct_violation_t *out, size_t max, size_t *total)
{
    replay_validate_t *v = ctx;
    headers_t h = {answer};
    gw_answer_t a = {answer->status, header_of, &h};
    const ct_str_t path = sent->upstream_path.base != NULL ? sent->upstream_path : sent->path;
    return gw_answer_checker_run(v->checker, sent->method.base, sent->method.len, path.base,
                                 path.len, &a, answer->body, answer->body_len, out, max, total);
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
