/* Fuzz target: adapter plans applied to arbitrary bodies (adapters/apply.c, stream.c, steps.c),
 * with the `pets-chain` golden case's registry (v1 <- v2 <- v3: renames, defaults, conversions,
 * maps, an unwrap, a status change). The first byte picks the version, the operation, the status
 * and the direction; the rest is the body. Properties: a request body is refused (ADP_BAD_BODY)
 * exactly when the body parser refuses it; a response body is marked invalid only when the
 * parser refuses it; whatever the engines write is valid JSON. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "adapters.h"

#ifndef FUZZ_CASE_DIR
#error FUZZ_CASE_DIR names adapters/tests/cases/pets-chain
#endif

static const char *const operations[] = {"listPets", "createPet", "getPet", "deletePet"};
static const char *const paths[] = {"/pets", "/pets", "/pets/p1", "/pets/p1"};
static const int statuses[] = {200, 201, 204, 404};

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

static int parses(const char *buf, size_t len)
{
    body_arena_t a;
    body_arena_init(&a);
    body_mem_t mem = body_arena_mem(&a);
    int ok = body_parse(&mem, buf, len, 0, NULL) != NULL;
    body_arena_dispose(&a);
    return ok;
}

static void upgrade(const adp_plan_t *plan, size_t op, const char *body, size_t len)
{
    adp_request_t req;
    adp_request_init(&req);
    req.path = paths[op];
    req.path_len = strlen(paths[op]);
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
    adp_registry_t *reg = registry();
    unsigned sel = data[0];
    size_t op = sel & 3;
    const adp_plan_t *plan = adp_plan_find(reg, (sel >> 2) & 1, operations[op], NULL, NULL);
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    if (plan == NULL)
        return 0;
    if (sel & 0x80)
        upgrade(plan, op, body, len);
    else
        downgrade(plan, statuses[(sel >> 3) & 3], body, len);
    return 0;
}
