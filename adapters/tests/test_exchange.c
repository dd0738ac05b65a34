/* Tests of the per-request entry points (exchange.c) and lookups (registry.c): headers, query
 * parameters, path rewrites, status mapping, gone operations, sunsets, deprecation headers,
 * mismatch accounting, plan matching by path, and bodies as bytes (invalid JSON, untouched
 * bodies, the caller's memory). */
#include "adp_test_util.h"

static const adp_version_info_t three[] = {{"v1", NULL, 0}, {"v2", NULL, 0}, {"v3", NULL, 1}};

static const char *ADAPTER =
    "api: shop\n"
    "versions:\n"
    "  v1:\n"
    "    deprecated: 2026-06-30\n"
    "    sunset: 2027-01-31\n"
    "    link: https://example.com/v1\n"
    "    sunset_link: https://example.com/v1/sunset\n"
    "    operations:\n"
    "      GET /orders: {sunset: 2026-12-01, after_sunset: serve}\n"
    "  v2:\n"
    "    deprecated: 2026-09-01T12:00:00+02:00\n"
    "changes:\n"
    "  - to: v3\n"
    "    operations:\n"
    "      GET /orders/{id}:\n"
    "        path: {old: '/orders/{id}', new: '/purchases/{id}'}\n"
    "        response:\n"
    "          - status: {old: 200, new: 203}\n"
    "      DELETE /orders/{id}:\n"
    "        gone: orders can no longer be deleted; cancel them instead\n"
    "      GET /orders:\n"
    "        query:\n"
    "          - rename: {old: page size, new: limit}\n"
    "          - added: {name: sort, default: created desc}\n"
    "          - removed: {name: legacy}\n"
    "    headers:\n"
    "      - rename: {old: X-Total, new: X-Total-Count, on: any}\n"
    "      - added: {name: X-Region, default: eu}\n"
    "      - removed: {name: X-Debug, default: \"off\"}\n"
    "      - rename: {old: X-Req-Old, new: X-Req-New, in: request}\n"
    "  - to: v2\n"
    "    operations:\n"
    "      GET /orders/{id}/items/{item}:\n"
    "        path: {old: '/orders/{id}/items/{item}', new: '/orders/{id}/lines/{item}'}\n"
    "      GET /orders/{id}:\n"
    "        response:\n"
    "          - rename: {old: total, new: amount}\n";

static void field(const adp_fields_t *f, size_t i, const char *name, const char *value)
{
    assert_true(i < f->len);
    assert_int_equal(f->entries[i].name_len, strlen(name));
    assert_memory_equal(f->entries[i].name, name, strlen(name));
    assert_int_equal(f->entries[i].value_len, strlen(value));
    assert_memory_equal(f->entries[i].value, value, strlen(value));
}

static void test_fields(void **state)
{
    adp_fields_t f;
    adp_fields_init(&f);
    for (int i = 0; i < 20; ++i)
        adp_fields_push(&f, "a", 1, "b", 1);
    adp_fields_push(&f, "Content-Type", 12, "x", 1);
    assert_int_equal(f.len, 21);
    assert_non_null(adp_fields_get(&f, "content-type"));
    assert_null(adp_fields_get(&f, "content"));
    adp_fields_dispose(&f);
    adp_fields_dispose(&f);
}

static void test_headers(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, three, 3);
    const adp_plan_t *p = adp_plan_find(reg, 1, NULL, "GET", "/orders");
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/orders";
    req.path_len = 7;
    adp_fields_push(&req.headers, "x-total", 7, "3", 1);
    adp_fields_push(&req.headers, "X-Debug", 7, "1", 1);
    adp_fields_push(&req.headers, "x-req-old", 9, "r", 1);
    assert_int_equal(adp_request_upgrade(p, &req), ADP_OK);
    /* request: renamed (case-insensitively), default added, removed-in-newer dropped */
    assert_int_equal(req.headers.len, 3);
    field(&req.headers, 0, "X-Total-Count", "3");
    field(&req.headers, 1, "X-Req-New", "r");
    field(&req.headers, 2, "X-Region", "eu");
    adp_request_dispose(&req);

    adp_response_t res;
    adp_response_init(&res);
    res.status = 500;
    adp_fields_push(&res.headers, "x-total-count", 13, "9", 1);
    adp_fields_push(&res.headers, "X-Region", 8, "us", 2);
    adp_response_downgrade(p, &res);
    /* `on: any` renames on errors too; the other header steps keep to non-error statuses */
    assert_int_equal(res.headers.len, 2);
    field(&res.headers, 0, "X-Total", "9");
    field(&res.headers, 1, "X-Region", "us");
    res.status = 200;
    res.headers.len = 0;
    adp_fields_push(&res.headers, "X-Region", 8, "us", 2);
    adp_fields_push(&res.headers, "X-Req-New", 9, "r", 1);
    adp_response_downgrade(p, &res);
    /* X-Req-New is renamed in requests only */
    assert_int_equal(res.headers.len, 2);
    field(&res.headers, 0, "X-Req-New", "r");
    field(&res.headers, 1, "X-Debug", "off");
    adp_response_dispose(&res);
    adp_registry_destroy(reg);
}

static void upgrade_query(const adp_plan_t *p, const char *query, const char *want)
{
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/orders";
    req.path_len = 7;
    req.query = query;
    req.query_len = query != NULL ? strlen(query) : 0;
    assert_int_equal(adp_request_upgrade(p, &req), ADP_OK);
    if (want == NULL)
        assert_null(req.upstream_query);
    else
        assert_string_equal(req.upstream_query, want);
    adp_request_dispose(&req);
}

static void test_query(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, three, 3);
    const adp_plan_t *p = adp_plan_find(reg, 1, NULL, "GET", "/orders");
    /* names compare decoded ("page+size", "page%20size"); values stay as the client sent them */
    upgrade_query(p, "page+size=10&legacy=1&q=a%26b&flag&sort=name",
                  "limit=10&q=a%26b&flag&sort=name");
    upgrade_query(p, "page%20size=5", "limit=5&sort=created%20desc");
    upgrade_query(p, NULL, "sort=created%20desc");
    upgrade_query(p, "&&legacy=&", "sort=created%20desc");
    adp_registry_destroy(reg);
}

static void test_path_rewrite(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, three, 3);
    /* v1 -> v2 rewrites items to lines, v2 -> v3 has no change for it */
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "GET", "/orders/{id}/items/{item}");
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/orders/o%2F1/items/7";
    req.path_len = strlen(req.path);
    assert_int_equal(adp_request_upgrade(p, &req), ADP_OK);
    assert_string_equal(req.upstream_path, "/orders/o%2F1/lines/7");
    adp_request_dispose(&req);
    /* two rewrites along the chain: v1 /orders/{id} -> (v2 same) -> v3 /purchases/{id} */
    p = adp_plan_find(reg, 0, NULL, "GET", "/orders/{id}");
    adp_request_init(&req);
    req.path = "/orders/42";
    req.path_len = 10;
    assert_int_equal(adp_request_upgrade(p, &req), ADP_OK);
    assert_string_equal(req.upstream_path, "/purchases/42");
    adp_request_dispose(&req);
    /* a path the template does not describe cannot be rewritten */
    adp_request_init(&req);
    req.path = "/orders/42/x";
    req.path_len = 12;
    assert_int_equal(adp_request_upgrade(p, &req), ADP_BAD_PATH);
    adp_request_dispose(&req);
    adp_registry_destroy(reg);
}

static void test_status_chain(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, three, 3);
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "GET", "/orders/{id}");
    size_t m;
    /* v3 answers 203; v2 knew it as 200, whose body v1 knows with `total` */
    assert_true(adp_plan_response_needs_body(p, 203));
    assert_true(adp_plan_response_needs_body(p, 200));
    assert_false(adp_plan_response_needs_body(p, 404));
    adp_response_t res;
    adp_response_init(&res);
    res.status = 203;
    res.body = "{\"amount\":5}";
    res.body_len = strlen(res.body);
    adp_response_downgrade(p, &res);
    assert_int_equal(res.status, 200);
    assert_json(js_bytes(res.body, res.body_len), "{\"total\":5}");
    assert_null(res.doc); /* the streaming passes ran both hops: no tree */
    adp_response_dispose(&res);
    /* an escaped name makes the passes give up: the tree engine runs, and its tree is offered
     * with the bytes, holding the same */
    adp_response_init(&res);
    res.status = 203;
    res.body = "{\"\\u0061mount\":5}";
    res.body_len = strlen(res.body);
    adp_response_downgrade(p, &res);
    assert_int_equal(res.status, 200);
    assert_json(js_bytes(res.body, res.body_len), "{\"total\":5}");
    assert_non_null(res.doc);
    assert_int_equal(body_write_size(res.doc), res.body_len);
    char text[64];
    assert_int_equal(body_write(res.doc, text) - text, (long)res.body_len);
    assert_memory_equal(text, res.body, res.body_len);
    adp_response_dispose(&res);
    assert_json(downgrade_body(p, 404, "{\"amount\":5}", &m, NULL), "{\"amount\":5}");
    adp_registry_destroy(reg);
}

static void test_gone_and_sunset(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, three, 3);
    const char *detail;
    const adp_plan_t *d = adp_plan_find(reg, 1, NULL, "DELETE", "/orders/{id}");
    assert_true(adp_plan_gone(d, 0, &detail));
    assert_string_equal(detail, "orders can no longer be deleted; cancel them instead");
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/orders/1";
    req.path_len = 9;
    assert_int_equal(adp_request_upgrade(d, &req), ADP_GONE);
    adp_request_dispose(&req);
    /* v1 sunsets on 2027-01-31 (gone after it); its GET /orders on 2026-12-01 but is served */
    const adp_plan_t *v1 = adp_plan_find(reg, 0, NULL, "GET", "/orders/{id}");
    assert_false(adp_plan_gone(v1, 1801353599, &detail));
    assert_null(detail);
    assert_true(adp_plan_gone(v1, 1801353600, &detail));
    assert_string_equal(detail, "version v1 of shop was sunset on Sun, 31 Jan 2027 00:00:00 GMT");
    const adp_plan_t *list = adp_plan_find(reg, 0, NULL, "GET", "/orders");
    assert_false(adp_plan_gone(list, 1900000000, NULL));
    /* v2 has no sunset: never gone by date */
    assert_false(
        adp_plan_gone(adp_plan_find(reg, 1, NULL, "GET", "/orders/{id}"), INT32_MAX, NULL));
    adp_registry_destroy(reg);
}

static void test_deprecation_headers(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, three, 3);
    adp_fields_t h;
    adp_fields_init(&h);
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "GET", "/orders/{id}");
    adp_plan_deprecation_headers(p, &h);
    assert_int_equal(h.len, 4);
    field(&h, 0, "Deprecation", "@1782777600");
    field(&h, 1, "Sunset", "Sun, 31 Jan 2027 00:00:00 GMT");
    field(&h, 2, "Link", "<https://example.com/v1>; rel=\"deprecation\"; type=\"text/html\"");
    field(&h, 3, "Link", "<https://example.com/v1/sunset>; rel=\"sunset\"");
    /* the operation's own sunset overrides its version's, the rest is inherited */
    h.len = 0;
    const adp_plan_t *l = adp_plan_find(reg, 0, NULL, "GET", "/orders");
    adp_plan_deprecation_headers(l, &h);
    field(&h, 1, "Sunset", "Tue, 01 Dec 2026 00:00:00 GMT");
    const adp_deprecation_t *d = adp_plan_deprecation(l);
    assert_int_equal(d->gone_after_sunset, 0);
    assert_int_equal(d->deprecated_at, 1782777600);
    /* date-times with offsets */
    h.len = 0;
    adp_plan_deprecation_headers(adp_plan_find(reg, 1, NULL, "GET", "/orders"), &h);
    assert_int_equal(h.len, 1);
    field(&h, 0, "Deprecation", "@1788256800");
    /* v3 is not deprecated and has its own upstream: nothing to do at all */
    assert_null(adp_plan_find(reg, 2, NULL, "GET", "/orders"));
    adp_fields_dispose(&h);
    adp_registry_destroy(reg);
}

static void test_mismatch_accounting(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, three, 3);
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "GET", "/orders/{id}");
    adp_response_t res;
    adp_response_init(&res);
    res.status = 203;
    res.body = "{\"sum\":5}";
    res.body_len = strlen(res.body);
    adp_response_downgrade(p, &res);
    assert_int_equal(res.mismatches, 1);
    assert_string_equal(res.first_mismatch.step,
                        "v2 GET /orders/{id} response: rename total -> amount");
    assert_string_equal(res.first_mismatch.reason, "missing");
    assert_string_equal(res.first_mismatch.pointer, "/amount");
    adp_response_dispose(&res);
    assert_int_equal(adp_plan_mismatch_count(p, ADP_DOWNGRADE), 1);
    assert_int_equal(adp_plan_claim_log(p), 1);
    assert_int_equal(adp_plan_claim_log(p), 0);
    assert_int_equal(adp_plan_claim_log(adp_plan_find(reg, 0, NULL, "GET", "/orders")), 1);
    adp_registry_destroy(reg);
}

static void test_match_by_path(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, three, 3);
    /* versions without a spec know the templates the adapter file names */
    const adp_plan_t *a = adp_plan_match(reg, 0, "GET", "/orders/7", 9);
    assert_string_equal(adp_plan_operation(a), "GET /orders/{id}");
    const adp_plan_t *b = adp_plan_match(reg, 0, "GET", "/orders/7/items/x", 17);
    assert_string_equal(adp_plan_operation(b), "GET /orders/{id}/items/{item}");
    const adp_plan_t *c = adp_plan_match(reg, 0, "GET", "/orders", 7);
    assert_string_equal(adp_plan_operation(c), "GET /orders");
    /* no operation: the fallback plan */
    assert_string_equal(adp_plan_operation(adp_plan_match(reg, 0, "POST", "/orders", 7)), "*");
    assert_string_equal(adp_plan_operation(adp_plan_match(reg, 0, "GET", "/orders/", 8)), "*");
    assert_null(adp_plan_match(reg, 9, "GET", "/", 1));
    adp_registry_destroy(reg);
}

static void test_no_body(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, three, 3);
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "GET", "/orders/{id}");
    adp_response_t res;
    adp_response_init(&res);
    res.status = 203;
    adp_response_downgrade(p, &res); /* a non-JSON body: status and headers only */
    assert_int_equal(res.status, 200);
    assert_null(res.body);
    assert_int_equal(res.body_len, 0);
    assert_false(res.body_invalid);
    assert_int_equal(res.mismatches, 0);
    adp_response_dispose(&res);
    adp_registry_destroy(reg);
}

/* ---- bodies as bytes ---- */

static const adp_version_info_t two[] = {{"v1", NULL, 0}, {"v2", NULL, 1}};

static const char *BODY_ADAPTER = "api: shop\n"
                                  "changes:\n"
                                  "  - to: v2\n"
                                  "    operations:\n"
                                  "      POST /orders/{id}:\n"
                                  "        path: {old: '/orders/{id}', new: '/purchases/{id}'}\n"
                                  "        query:\n"
                                  "          - rename: {old: page, new: p}\n"
                                  "        request:\n"
                                  "          - rename: {old: total, new: amount}\n"
                                  "        response:\n"
                                  "          - rename: {old: total, new: amount}\n"
                                  "          - status: {old: 200, new: 201}\n"
                                  "      GET /orders/{id}:\n"
                                  "        response:\n"
                                  "          - status: {old: 200, new: 203}\n"
                                  "    headers:\n"
                                  "      - rename: {old: X-Old, new: X-New}\n";

static void bad_request_body(const adp_plan_t *p, const char *body, size_t offset, unsigned line,
                             unsigned col)
{
    test_mem_t mem;
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/orders/1";
    req.path_len = 9;
    req.query = "page=2";
    req.query_len = 6;
    req.mem = test_mem(&mem);
    adp_fields_push(&req.headers, "X-Old", 5, "h", 1);
    char *in = exact_copy(body, strlen(body));
    req.body = in;
    req.body_len = strlen(body);
    uint64_t before = adp_plan_mismatch_count(p, ADP_UPGRADE);
    assert_int_equal(adp_request_upgrade(p, &req), ADP_BAD_BODY);
    assert_non_null(req.body_error.message);
    assert_true(req.body_error.message[0] != '\0');
    assert_int_equal(req.body_error.offset, offset);
    assert_int_equal(req.body_error.line, line);
    assert_int_equal(req.body_error.col, col);
    /* nothing else was applied: no path, query or header change, nothing counted */
    assert_null(req.upstream_path);
    assert_null(req.upstream_query);
    assert_int_equal(req.headers.len, 1);
    field(&req.headers, 0, "X-Old", "h");
    assert_int_equal(req.mismatches, 0);
    assert_int_equal(adp_plan_mismatch_count(p, ADP_UPGRADE), before);
    adp_request_dispose(&req);
    test_mem_free(&mem);
    free(in);
}

static void test_bad_request_body(void **state)
{
    adp_registry_t *reg = load_reg(BODY_ADAPTER, two, 2);
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "POST", "/orders/{id}");
    assert_true(adp_plan_request_needs_body(p));
    bad_request_body(p, "{\"total\": 1,\n  oops}", 15, 2, 3);
    bad_request_body(p, "{\"total\":\"\xff\"}", 10, 1, 11); /* not UTF-8 */
    bad_request_body(p, "{\"total\": 1} x", 13, 1, 14);     /* trailing garbage */
    /* the same plan takes a valid body */
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/orders/1";
    req.path_len = 9;
    req.body = "{\"total\": 1}";
    req.body_len = strlen(req.body);
    assert_int_equal(adp_request_upgrade(p, &req), ADP_OK);
    assert_json(js_bytes(req.body, req.body_len), "{\"amount\":1}");
    assert_string_equal(req.upstream_path, "/purchases/1");
    adp_request_dispose(&req);
    adp_registry_destroy(reg);
}

static void test_invalid_response_body(void **state)
{
    adp_registry_t *reg = load_reg(BODY_ADAPTER, two, 2);
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "POST", "/orders/{id}");
    const char *body = "{\"amount\": 1, oops";
    char *in = exact_copy(body, strlen(body));
    test_mem_t mem;
    adp_response_t res;
    adp_response_init(&res);
    res.status = 201;
    res.mem = test_mem(&mem);
    adp_fields_push(&res.headers, "X-New", 5, "h", 1);
    res.body = in;
    res.body_len = strlen(body);
    adp_response_downgrade(p, &res);
    /* the bytes go out as the upstream sent them; status and headers are still adapted */
    assert_true(res.body_invalid);
    assert_ptr_equal(res.body, in);
    assert_int_equal(res.body_len, strlen(body));
    assert_int_equal(res.status, 200);
    field(&res.headers, 0, "X-Old", "h");
    assert_int_equal(res.mismatches, 0);
    adp_response_dispose(&res);
    test_mem_free(&mem);
    /* a valid body clears the flag */
    adp_response_init(&res);
    res.status = 201;
    res.mem = test_mem(&mem);
    res.body = "{\"amount\":1}";
    res.body_len = strlen(res.body);
    res.body_invalid = 1;
    adp_response_downgrade(p, &res);
    assert_false(res.body_invalid);
    assert_json(js_bytes(res.body, res.body_len), "{\"total\":1}");
    adp_response_dispose(&res);
    test_mem_free(&mem);
    free(in);
    adp_registry_destroy(reg);
}

/* A body no step changed goes out as it came: the very input bytes (whitespace, number text). */
static void test_untouched_body_is_the_input(void **state)
{
    adp_registry_t *reg = load_reg(BODY_ADAPTER, two, 2);
    const char *body = "{ \"sum\" : 12.50, \"big\": 123456789012345678901234567890 }";
    char *in = exact_copy(body, strlen(body));
    /* steps that find nothing to do: the body is parsed, left, and not written again */
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "POST", "/orders/{id}");
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/orders/1";
    req.path_len = 9;
    req.body = in;
    req.body_len = strlen(body);
    assert_int_equal(adp_request_upgrade(p, &req), ADP_OK);
    assert_int_equal(req.mismatches, 1); /* no total */
    assert_ptr_equal(req.body, in);
    assert_int_equal(req.body_len, strlen(body));
    adp_request_dispose(&req);
    adp_response_t res;
    adp_response_init(&res);
    res.status = 201;
    res.body = in;
    res.body_len = strlen(body);
    adp_response_downgrade(p, &res);
    assert_int_equal(res.mismatches, 1);
    assert_false(res.body_invalid);
    assert_ptr_equal(res.body, in);
    assert_int_equal(res.body_len, strlen(body));
    adp_response_dispose(&res);
    /* a plan without body steps does not even parse it: invalid bytes pass as well */
    const adp_plan_t *g = adp_plan_find(reg, 0, NULL, "GET", "/orders/{id}");
    assert_false(adp_plan_response_needs_body(g, 203));
    test_mem_t mem;
    adp_response_init(&res);
    res.status = 203;
    res.mem = test_mem(&mem);
    const char *text = "not json";
    res.body = text;
    res.body_len = 8;
    adp_response_downgrade(g, &res);
    assert_int_equal(res.status, 200);
    assert_ptr_equal(res.body, text);
    assert_int_equal(res.body_len, 8);
    assert_false(res.body_invalid);
    assert_int_equal(mem.calls, 0);
    adp_response_dispose(&res);
    free(in);
    adp_registry_destroy(reg);
}

/* The caller's memory is where the document and the adapted bytes come from; without one the
 * exchange's own arena serves, and dispose frees it (ASan's leak check watches). */
static void test_memory(void **state)
{
    adp_registry_t *reg = load_reg(BODY_ADAPTER, two, 2);
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "POST", "/orders/{id}");
    const char *body = "{\"amount\":1,\"items\":[{\"a\":\"x\\ny\"},2.5,null,true]}";
    const char *want = "{\"total\":1,\"items\":[{\"a\":\"x\\ny\"},2.5,null,true]}";
    test_mem_t mem;
    adp_response_t res;
    adp_response_init(&res);
    res.status = 201;
    res.mem = test_mem(&mem);
    res.body = body;
    res.body_len = strlen(body);
    adp_response_downgrade(p, &res);
    assert_true(mem.calls > 0);
    /* the adapted bytes are one of the caller's allocations */
    int found = 0;
    for (size_t i = 0; i < mem.len; ++i)
        found |= (const char *)mem.ptrs[i] == res.body;
    assert_true(found);
    assert_json(js_bytes(res.body, res.body_len), want);
    adp_response_dispose(&res);
    test_mem_free(&mem);

    /* zero mem, both directions */
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/orders/1";
    req.path_len = 9;
    req.body = "{\"total\":1,\"note\":\"\\u00e9\"}";
    req.body_len = strlen(req.body);
    assert_int_equal(adp_request_upgrade(p, &req), ADP_OK);
    assert_json(js_bytes(req.body, req.body_len), "{\"amount\":1,\"note\":\"\\u00e9\"}");
    adp_request_dispose(&req);
    adp_response_init(&res);
    res.status = 201;
    res.body = body;
    res.body_len = strlen(body);
    adp_response_downgrade(p, &res);
    assert_json(js_bytes(res.body, res.body_len), want);
    adp_response_dispose(&res);
    adp_registry_destroy(reg);
}

static void test_media_types(void **state)
{
    const char *yes[] = {"application/json", "Application/JSON; charset=utf-8",
                         " application/problem+json", "application/vnd.acme.v2+json;q=1"};
    const char *no[] = {"text/plain", "application/jsonl",  "json", "application/x-json-stream",
                        "+json",      "text/html; x=+json", ""};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); ++i)
        assert_true(adp_media_type_is_json(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); ++i)
        assert_false(adp_media_type_is_json(no[i], strlen(no[i])));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_path_rewrite),
        cmocka_unit_test(test_status_chain),
        cmocka_unit_test(test_gone_and_sunset),
        cmocka_unit_test(test_deprecation_headers),
        cmocka_unit_test(test_mismatch_accounting),
        cmocka_unit_test(test_match_by_path),
        cmocka_unit_test(test_no_body),
        cmocka_unit_test(test_bad_request_body),
        cmocka_unit_test(test_invalid_response_body),
        cmocka_unit_test(test_untouched_body_is_the_input),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_media_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
