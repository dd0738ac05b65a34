/* Replay: each exchange sends its request to every side at once through the upstream client,
 * and the last answer to arrive triggers the comparisons, the report update and the samples. */
#include "ct_replay_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"

/* Samples and errors. */

static void retain(ct_replay_t *r, const slot_t *s)
{
    if (ct__map_get(&r->retained, s->id, strlen(s->id)) != NULL || r->retained.size >= MAX_RETAINED)
        return;
    retained_t *k = ct__xcalloc(1, sizeof(*k));
    k->curl = ct__replay_curl_for(r, CANDIDATE, ct__replay_request_of(s, CANDIDATE));
    if (r->have[PRIMARY])
        k->curl_primary = ct__replay_curl_for(r, PRIMARY, ct__replay_request_of(s, PRIMARY));
    ct__map_insert(&r->retained, s->id, strlen(s->id), k);
}

/* Keeps the request when one of its differences may become a sample in the report. */
static void consider_samples(ct_replay_t *r, const slot_t *s, const ct_result_t *res, int noise)
{
    uint64_t max_keys = (uint64_t)r->cfg.report.max_groups * r->cfg.report.max_paths;
    for (size_t i = 0; i < res->num_diffs; i++) {
        const ct_diff_t *d = &res->diffs[i];
        ct_buf_t key = CT_BUF_INIT;
        ct__buf_puts(&key, s->group);
        ct__buf_putc(&key, '\0');
        ct__buf_putc(&key, (char)('A' + d->kind));
        ct__buf_puts(&key, d->path);
        sample_count_t *c = ct__map_get(&r->sample_counts, key.base, key.len);
        if (c == NULL && r->sample_counts.size < max_keys) {
            c = ct__xcalloc(1, sizeof(*c));
            ct__map_insert(&r->sample_counts, key.base, key.len, c);
        }
        ct__buf_dispose(&key);
        if (c == NULL)
            continue;
        if (noise) {
            if (c->candidate == 0 && !c->noise) {
                c->noise = 1;
                retain(r, s);
            }
        } else if (c->last_seq != r->seq) {
            c->last_seq = r->seq;
            if (c->candidate++ < r->cfg.report.max_samples)
                retain(r, s);
        }
    }
}

static void record_error(ct_replay_t *r, const slot_t *s, int side, const char *message)
{
    r->errors[side]++;
    if (json_array_size(r->error_list) >= MAX_LISTED)
        return;
    char *curl = ct__replay_curl_for(r, side, ct__replay_request_of(s, side));
    json_array_append_new(r->error_list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "request_id", s->id,
                                                   "side", ct__replay_side_names[side], "group",
                                                   s->group, "message", message, "curl", curl));
    free(curl);
}

void ct__replay_fail_run(ct_replay_t *r, const char *fmt, ...)
{
    if (r->fatal)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->stop_reason, sizeof(r->stop_reason), fmt, ap);
    va_end(ap);
    r->fatal = 1;
}

void ct__replay_release_slot(slot_t *s)
{
    ct_replay_t *r = s->r;
    if (s->have_adapted && r->cfg.adapter->release != NULL)
        r->cfg.adapter->release(r->cfg.adapter->ctx, s->request_state);
    s->have_adapted = 0;
    s->request_state = NULL;
    free(s->x);
    s->x = NULL;
    memset(s->active, 0, sizeof(s->active));
    r->free_slots[r->num_free++] = (size_t)(s - r->slots);
}

static ct_response_t response_of(const up_request_t *req)
{
    return (ct_response_t){.status = req->res_status,
                           .headers = req->headers,
                           .num_headers = req->num_headers,
                           .body = req->body->bytes,
                           .body_len = req->body->size};
}

#define MAX_VIOLATIONS 20 /* violations of one answer counted by kind */

/* The candidate's answer, as it came, against the candidate's spec (--validate). A JSON body is
 * parsed once, here, as the diff parses it (finite numbers), and *answer's tree is then what the
 * checker and the comparison read. */
static void check_contract(ct_replay_t *r, slot_t *s, ct_response_t *answer)
{
    body_arena_reset(&r->scratch);
    if (answer->json == NULL && answer->body_len != 0 && ct_response_is_json(answer)) {
        body_mem_t mem = body_arena_mem(&r->scratch);
        answer->json = body_parse(&mem, answer->body, answer->body_len, BODY_PARSE_FINITE, NULL);
    }
    ct_violation_t found[MAX_VIOLATIONS];
    size_t total;
    const ct_replay_checker_t *k = r->cfg.checker;
    size_t n = k->check(k->ctx, ct__replay_request_of(s, CANDIDATE), answer, found, MAX_VIOLATIONS,
                        &total);
    r->checked++;
    if (n == 0)
        return;
    char *curl = ct__replay_curl_for(r, CANDIDATE, ct__replay_request_of(s, CANDIDATE));
    for (size_t i = 0; i != n; ++i)
        ct_violations_add(r->violations, &found[i], s->id, curl);
    ct_violations_exchange(r->violations);
    free(curl);
}

static void compare(ct_replay_t *r, slot_t *s)
{
    const ct_exchange_t *x = s->x;
    ct_response_t p, c = response_of(&s->req[CANDIDATE]);
    if (r->cfg.against_recorded) {
        p = (ct_response_t){.status = x->response.status,
                            .headers = x->response.headers,
                            .num_headers = x->response.num_headers,
                            .body = x->response.body.bytes,
                            .body_len = x->response.body.len};
    } else {
        p = response_of(&s->req[PRIMARY]);
    }
    if (r->cfg.checker != NULL)
        check_contract(r, s, &c); /* may parse c's body for the comparison too */
    void *state = NULL;
    const ct_replay_adapter_t *a = r->cfg.adapter;
    if (a != NULL && a->response != NULL) {
        ct_response_t adapted;
        char err[200] = "";
        if (a->response(a->ctx, x, &c, &adapted, &state, err, sizeof(err)) != 0) {
            char msg[256];
            snprintf(msg, sizeof(msg), "adapter: %s", err);
            record_error(r, s, CANDIDATE, msg);
            if (a->release != NULL)
                a->release(a->ctx, state);
            return;
        }
        c = adapted;
    }
    if (r->cfg.against_recorded && (x->response.body.missing || x->response.body.truncated)) {
        /* the recorded body is not all there: compare status and headers only */
        p.body = c.body = NULL;
        p.body_len = c.body_len = 0;
        r->bodies_not_compared++;
    }
    r->seq++;
    ct_compare(r->cfg.rules, s->group, &p, &c, &r->cand);
    const ct_result_t *noise = NULL;
    if (s->active[SECONDARY] && s->req[SECONDARY].status == UP_OK) {
        ct_response_t sec = response_of(&s->req[SECONDARY]);
        ct_compare(r->cfg.rules, s->group, &p, &sec, &r->noise);
        noise = &r->noise;
    }
    ct_report_add(r->report, s->group, s->id, &r->cand, noise);
    consider_samples(r, s, &r->cand, 0);
    if (noise != NULL)
        consider_samples(r, s, noise, 1);
    if (a != NULL && a->release != NULL && state != NULL)
        a->release(a->ctx, state);
}

static void finish_exchange(slot_t *s)
{
    ct_replay_t *r = s->r;
    r->completed++;
    int ok = 1;
    for (int side = 0; side < SIDES; side++) {
        up_request_t *q = &s->req[side];
        if (!s->active[side] || q->status == UP_OK)
            continue;
        record_error(r, s, side, q->error);
        if ((q->status == UP_ERR_CONNECT || q->status == UP_ERR_CONNECT_TIMEOUT) &&
            up_target_connect_failures(r->target[side]) >= UNREACHABLE_AFTER)
            ct__replay_fail_run(r, "the %s upstream %s became unreachable: %s",
                                ct__replay_side_names[side], r->url[side].url, q->error);
        if (side != SECONDARY)
            ok = 0;
    }
    if (ok)
        compare(r, s);
    ct__replay_release_slot(s);
    ct__replay_pump(r);
}

static void on_response(up_request_t *req)
{
    slot_t *s = req->data;
    if (--s->pending == 0)
        finish_exchange(s);
}

void ct__replay_start_exchange(ct_replay_t *r, const ct_exchange_t *x, uint64_t line)
{
    slot_t *s = &r->slots[r->free_slots[--r->num_free]];
    s->x = ct_exchange_dup(x);
    snprintf(s->id, sizeof(s->id),
             ct_capture_reader_format(r->reader) == CT_CAPTURE_HAR ? "%s#%llu" : "%s:%llu",
             r->cur_name, (unsigned long long)line);
    ct__replay_group_of(r, s->x, s->group, sizeof(s->group));
    r->replayed++;
    const ct_replay_adapter_t *a = r->cfg.adapter;
    if (a != NULL && a->request != NULL) {
        char err[200] = "";
        if (a->request(a->ctx, s->x, &s->adapted, &s->request_state, err, sizeof(err)) != 0) {
            char msg[256];
            snprintf(msg, sizeof(msg), "adapter: %s", err);
            r->completed++;
            record_error(r, s, CANDIDATE, msg);
            if (a->release != NULL)
                a->release(a->ctx, s->request_state);
            s->request_state = NULL;
            ct__replay_release_slot(s);
            return;
        }
        s->have_adapted = 1;
    }
    s->pending = 0;
    for (int side = 0; side < SIDES; side++) {
        if (!r->have[side])
            continue;
        const ct_capture_request_t *q = ct__replay_request_of(s, side);
        up_request_t *req = &s->req[side];
        ct__replay_build_wire(r, side, q, &s->wire[side]);
        req->bufs[0] = h2o_iovec_init(s->wire[side].base, s->wire[side].len);
        req->bufs[1] = h2o_iovec_init(q->body.bytes, q->body.len);
        req->method_is_head = ct__replay_is_method(q->method, "HEAD");
        req->idempotent = ct__replay_is_idempotent(q->method);
        req->on_done = on_response;
        req->max_body = r->cfg.max_body_bytes;
        req->data = s;
        s->active[side] = 1;
        s->pending++;
    }
    for (int side = 0; side < SIDES; side++)
        if (s->active[side])
            up_send(r->target[side], &s->req[side]);
}
