/* Fuzz target: adapter plans applied to arbitrary bodies (adapters/apply.c, stream*.c, steps.c),
 * with the `pets-chain` golden case's registry (v1 <- v2 <- v3: renames, defaults, conversions,
 * maps, an unwrap, a status change) or, when bit 0x40 of the first byte is set, a spec-less
 * v1 <- v2 <- v3 registry of moves across objects (nest, unnest, between siblings, below a
 * shared head and below wildcards, two levels and more, through array indexes) and of `removed`
 * with `from` (a copy of a sibling member, below a shared head, and from another object). The first byte picks the registry, the version, the
 * operation, the status and the direction; the rest is the body. Properties: a request body is
 * refused (ADP_BAD_BODY) exactly when the body parser refuses it; a response body is marked
 * invalid only when the parser refuses it; whatever the engines write is valid JSON; and when
 * the streaming passes do a plan's body work, the tree engine (run on its own) counts no mismatch
 * and writes the same JSON, members in the same order. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "adapters.h"
#include "plan.h"

#ifndef FUZZ_CASE_DIR
#error FUZZ_CASE_DIR names adapters/tests/cases/pets-chain
#endif

static const char *const operations[] = {"listPets", "createPet", "getPet", "deletePet"};
static const char *const paths[] = {"/pets", "/pets", "/pets/p1", "/pets/p1"};
static const int statuses[] = {200, 201, 204, 404};

/* The moves registry: spec-less, so operations are "METHOD /path" and absent members count. */
static const char MOVES[] = "api: moves\n"
                            "changes:\n"
                            "  - to: v3\n"
                            "    operations:\n"
                            "      GET /pets:\n"
                            "        response:\n"
                            "          - move: {old: 'data[*].tag', new: 'data[*].meta.tag'}\n"
                            "          - move: {old: 'data[*].owner.name', new: 'data[*].owner_name'}\n"
                            "          - removed: {field: 'data[*].nick', from: 'data[*].name'}\n"
                            "      POST /pets:\n"
                            "        request:\n"
                            "          - move: {old: tag, new: meta.tag}\n"
                            "          - move: {old: a.x, new: b.x}\n"
                            "          - move: {old: p.q.x, new: r.s.x}\n"
                            "          - move: {old: 'items[0].x', new: 'items[0].meta.x'}\n"
                            "          - move: {old: y, new: 'items[1].y'}\n"
                            "        response:\n"
                            "          - move: {old: data.x, new: data.meta.x}\n"
                            "          - move: {old: z, new: a.b.z}\n"
                            "          - move: {old: 'list[0].a.b.k', new: k}\n"
                            "          - removed: {field: d.nick, from: d.name}\n"
                            "          - removed: {field: tag2, from: data.tag}\n"
                            "  - to: v2\n"
                            "    operations:\n"
                            "      POST /pets:\n"
                            "        request:\n"
                            "          - move: {old: address.line, new: line}\n"
                            "        response:\n"
                            "          - move: {old: line, new: address.line}\n"
                            "      GET /pets:\n"
                            "        response:\n"
                            "          - move: {old: 'data[*].meta.tag', new: 'data[*].tag2'}\n"
                            "          - move: {old: 'data[*].a.b.c', new: 'data[*].c'}\n";
static const char *const move_methods[] = {"GET", "POST", "GET", "POST"};
static const char *const move_paths[] = {"/pets", "/pets", "/pets", "/pets"};

static spec_t *load(const char *name)
{
    spec_t *spec;
    spec_error_t err;
    if (spec_load(&spec, name, NULL, &err) != 0)
        abort();
    return spec;
}

static adp_registry_t *registry(void)
{
    static adp_registry_t *reg;
    if (reg != NULL)
        return reg;
    adp_version_info_t v[3] = {{"v1", load(FUZZ_CASE_DIR "/v1.yaml"), 0},
                               {"v2", load(FUZZ_CASE_DIR "/v2.yaml"), 0},
                               {"v3", load(FUZZ_CASE_DIR "/v3.yaml"), 1}};
    spec_error_t err;
    if (adp_registry_load(&reg, FUZZ_CASE_DIR "/adapter.yaml", v, 3, NULL, &err) != 0)
        abort();
    for (int i = 0; i < 3; i++)
        spec_destroy((spec_t *)v[i].spec);
    return reg;
}

static adp_registry_t *moves_registry(void)
{
    static adp_registry_t *reg;
    if (reg != NULL)
        return reg;
    adp_version_info_t v[3] = {{"v1", NULL, 0}, {"v2", NULL, 0}, {"v3", NULL, 1}};
    spec_error_t err;
    if (adp_registry_parse(&reg, "moves.yaml", MOVES, sizeof(MOVES) - 1, v, 3, NULL, &err) != 0)
        abort();
    return reg;
}

static int parses(const char *buf, size_t len)
{
    body_arena_t a;
    body_arena_init(&a);
    body_mem_t mem = body_arena_mem(&a);
    int ok = body_parse(&mem, buf, len, 0, NULL) != NULL;
    body_arena_dispose(&a);
    return ok;
}

/* JSON text in the body model's own form (parsed and written twice: a fixpoint, fuzz_body),
 * members in order; NULL when it does not parse. */
static char *canonical(const body_mem_t *mem, const char *text, size_t len, size_t *out_len)
{
    for (int i = 0; i < 2; ++i) {
        body_value_t *v = body_parse(mem, text, len, 0, NULL);
        if (v == NULL)
            return NULL;
        text = body_dump(mem, v, &len);
    }
    *out_len = len;
    return (char *)text;
}

/* The streaming passes against the tree engine on one plan's body work (as exchange.c runs
 * them, without the rest of the exchange). */
static void engines_agree(const adp_plan_t *plan, int upgrade, int status, const char *body,
                          size_t len)
{
    body_arena_t a1, a2;
    body_arena_init(&a1);
    body_arena_init(&a2);
    body_mem_t m1 = body_arena_mem(&a1), m2 = body_arena_mem(&a2);
    unsigned scope = upgrade ? ADP__IN_REQUEST : ADP__IN_RESPONSE;
    adp__run_t rs = {.mem = &m1, .scope = scope, .status = status};
    adp__run_t rt = {.mem = &m2, .scope = scope, .status = status};
    const char *out = body;
    size_t out_len = len;
    int streamed = upgrade ? adp__stream_request(plan, &rs, &out, &out_len) == 0
                           : adp__stream_response(plan, &rs, status, &out, &out_len) == 0;
    body_value_t *doc = body_parse(&m2, body, len, 0, NULL);
    if (streamed) {
        assert(rs.mismatches == 0);
        assert(doc != NULL);
        if (upgrade) {
            for (size_t h = 0; h < plan->nhops; ++h) {
                adp__run_dfa(&rt, doc, plan->hops[h]->req_dfa, 1);
                adp__run_steps(&rt, &doc, plan->hops[h]->req_steps, plan->hops[h]->nreq_steps);
            }
        } else {
            for (size_t h = plan->nhops; h-- > 0 && doc != NULL;) {
                const adp__hop_t *hop = plan->hops[h];
                for (size_t k = 0; k < hop->nstatus_map; ++k)
                    if (hop->status_map[k].newer == rt.status) {
                        rt.status = hop->status_map[k].older;
                        break;
                    }
                adp__run_steps(&rt, &doc, hop->res_steps, hop->nres_steps);
                for (size_t k = 0; k < hop->nres_dfas && doc != NULL; ++k)
                    if (adp__statuses_has(&hop->res_dfas[k].statuses, rt.status)) {
                        adp__run_dfa(&rt, doc, hop->res_dfas[k].dfa, 0);
                        break;
                    }
            }
        }
        assert(rt.mismatches == 0);
        size_t tl, sl, cl;
        const char *tree = doc != NULL ? body_dump(&m2, doc, &tl) : "null";
        if (doc == NULL)
            tl = 4;
        char *want = canonical(&m2, tree, tl, &cl), *got = canonical(&m1, out, out_len, &sl);
        assert(want != NULL && got != NULL);
        assert(sl == cl && memcmp(got, want, sl) == 0);
    }
    body_arena_dispose(&a1);
    body_arena_dispose(&a2);
}

static void upgrade(const adp_plan_t *plan, const char *path, const char *body, size_t len)
{
    adp_request_t req;
    adp_request_init(&req);
    req.path = path;
    req.path_len = strlen(path);
    adp_fields_push(&req.headers, "Content-Type", 12, "application/json", 16);
    req.body = body;
    req.body_len = len;
    adp_result_t r = adp_request_upgrade(plan, &req);
    if (adp_plan_request_needs_body(plan))
        assert((r == ADP_BAD_BODY) == !parses(body, len));
    if (r == ADP_OK && req.body != NULL && req.body != body)
        assert(parses(req.body, req.body_len));
    adp_request_dispose(&req);
}

static void downgrade(const adp_plan_t *plan, int status, const char *body, size_t len)
{
    adp_response_t res;
    adp_response_init(&res);
    res.status = status;
    adp_fields_push(&res.headers, "Content-Type", 12, "application/json", 16);
    res.body = body;
    res.body_len = len;
    adp_response_downgrade(plan, &res);
    if (res.body_invalid)
        assert(!parses(body, len));
    else if (res.body != NULL && res.body != body)
        assert(parses(res.body, res.body_len));
    adp_response_dispose(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    size_t op = sel & 3;
    const adp_plan_t *plan;
    if (sel & 0x40) {
        plan = adp_plan_match(moves_registry(), (sel >> 2) & 1, move_methods[op], move_paths[op],
                              strlen(move_paths[op]));
    } else {
        plan = adp_plan_find(registry(), (sel >> 2) & 1, operations[op], NULL, NULL);
    }
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    if (plan == NULL)
        return 0;
    if (sel & 0x80)
        upgrade(plan, sel & 0x40 ? move_paths[op] : paths[op], body, len);
    else
        downgrade(plan, statuses[(sel >> 3) & 3], body, len);
    if (len != 0)
        engines_agree(plan, (sel & 0x80) != 0, statuses[(sel >> 3) & 3], body, len);
    return 0;
}
