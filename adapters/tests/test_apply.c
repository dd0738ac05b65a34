/* Tests of the body engine (apply.c) through compiled plans: every operation in both directions,
 * with missing and ill-typed fields left alone and counted. The versions have no specs, so only
 * the steps themselves are exercised (validation is test_compile.c's job). */
#include "adp_test_util.h"

static const adp_version_info_t two[] = {{"v1", NULL, 0}, {"v2", NULL, 1}};

typedef struct {
    adp_registry_t *reg;
    const adp_plan_t *up, *down;
} fx_t;

/* The same steps as POST /things request steps and GET /things response steps. */
static fx_t fx(const char *steps)
{
    char yaml[4096];
    snprintf(yaml, sizeof(yaml),
             "api: t\n"
             "changes:\n"
             "  - to: v2\n"
             "    operations:\n"
             "      POST /things:\n"
             "        request:\n%s"
             "      GET /things:\n"
             "        response:\n%s",
             steps, steps);
    fx_t f;
    f.reg = load_reg(yaml, two, 2);
    f.up = adp_plan_find(f.reg, 0, NULL, "POST", "/things");
    f.down = adp_plan_find(f.reg, 0, NULL, "GET", "/things");
    assert_non_null(f.up);
    assert_non_null(f.down);
    assert_string_equal(adp_plan_operation(f.up), "POST /things");
    return f;
}

#define UP(f, in, out, nm)                                                                         \
    do {                                                                                           \
        size_t m_;                                                                                 \
        assert_json(upgrade_body((f).up, in, &m_, NULL), out);                                     \
        assert_int_equal(m_, nm);                                                                  \
    } while (0)

#define DOWN(f, in, out, nm)                                                                       \
    do {                                                                                           \
        size_t m_;                                                                                 \
        assert_json(downgrade_body((f).down, 200, in, &m_, NULL), out);                            \
        assert_int_equal(m_, nm);                                                                  \
    } while (0)

static void test_rename(void **state)
{
    fx_t f = fx("          - rename: {old: tag, new: category}\n");
    UP(f, "{\"tag\":\"dog\",\"a\":1}", "{\"category\":\"dog\",\"a\":1}", 0);
    DOWN(f, "{\"category\":\"dog\"}", "{\"tag\":\"dog\"}", 0);
    /* missing: left alone and counted */
    UP(f, "{\"a\":1}", "{\"a\":1}", 1);
    DOWN(f, "{\"tag\":\"x\"}", "{\"tag\":\"x\"}", 1);
    /* a body that is not an object at all */
    DOWN(f, "[1,2]", "[1,2]", 1);
    DOWN(f, "\"s\"", "\"s\"", 1);
    adp_registry_destroy(f.reg);
}

/* Downgrades `in` and compares the bytes written (member order and number text included). */
static void down_exact(const fx_t *f, const char *in, const char *want)
{
    adp_response_t res;
    adp_response_init(&res);
    res.status = 200;
    res.body = in;
    res.body_len = strlen(in);
    adp_response_downgrade(f->down, &res);
    assert_int_equal(res.body_len, strlen(want));
    assert_memory_equal(res.body, want, res.body_len);
    adp_response_dispose(&res);
}

static void test_rename_keeps_order(void **state)
{
    fx_t f = fx("          - rename: {old: tag, new: category}\n");
    /* renamed where it stands; the rest byte for byte */
    down_exact(&f, "{\"id\":1.50,\"category\":\"dog\",\"z\":[1e2]}",
               "{\"id\":1.50,\"tag\":\"dog\",\"z\":[1e2]}");
    /* the old name taken already: the moved value replaces it in its place */
    down_exact(&f, "{\"tag\":0,\"category\":\"dog\",\"a\":1}", "{\"tag\":\"dog\",\"a\":1}");
    adp_registry_destroy(f.reg);
}

static void test_rename_wildcards(void **state)
{
    fx_t f = fx("          - rename: {old: \"data[*].owner.name\", new: fullName}\n");
    DOWN(f,
         "{\"data\":[{\"owner\":{\"fullName\":\"Ann\"}},{\"owner\":null},{\"owner\":{\"x\":1}}]}",
         "{\"data\":[{\"owner\":{\"name\":\"Ann\"}},{\"owner\":null},{\"owner\":{\"x\":1}}]}", 1);
    UP(f, "{\"data\":[{\"owner\":{\"name\":\"Ann\"}}]}",
       "{\"data\":[{\"owner\":{\"fullName\":\"Ann\"}}]}", 0);
    /* data of the wrong type: nothing to walk, counted */
    UP(f, "{\"data\":{\"owner\":1}}", "{\"data\":{\"owner\":1}}", 1);
    /* an owner of the wrong type inside the list */
    size_t m;
    char ptr[256];
    assert_json(
        upgrade_body(f.up, "{\"data\":[{\"owner\":{\"name\":\"A\"}},{\"owner\":7}]}", &m, ptr),
        "{\"data\":[{\"owner\":{\"fullName\":\"A\"}},{\"owner\":7}]}");
    assert_int_equal(m, 1);
    assert_string_equal(ptr, "/data/1/owner/name");
    /* absent optional parents are not mismatches */
    UP(f, "{}", "{}", 0);
    adp_registry_destroy(f.reg);
}

static void test_values_wildcard(void **state)
{
    fx_t f = fx("          - rename: {old: \"labels.*.text\", new: value}\n");
    UP(f, "{\"labels\":{\"a\":{\"text\":1},\"b\":{\"text\":2}}}",
       "{\"labels\":{\"a\":{\"value\":1},\"b\":{\"value\":2}}}", 0);
    DOWN(f, "{\"labels\":{\"a\":{\"value\":1}}}", "{\"labels\":{\"a\":{\"text\":1}}}", 0);
    adp_registry_destroy(f.reg);
}

static void test_move_nest_unnest(void **state)
{
    fx_t f = fx("          - move: {old: address_line, new: address.line1}\n"
                "          - move: {old: address_city, new: address.city}\n");
    UP(f, "{\"address_line\":\"1 Main St\",\"address_city\":\"Oslo\"}",
       "{\"address\":{\"line1\":\"1 Main St\",\"city\":\"Oslo\"}}", 0);
    /* downgrading unnests and drops the emptied object */
    DOWN(f, "{\"address\":{\"line1\":\"1 Main St\",\"city\":\"Oslo\"}}",
         "{\"address_line\":\"1 Main St\",\"address_city\":\"Oslo\"}", 0);
    /* members the older version does not know keep the object alive */
    DOWN(f, "{\"address\":{\"line1\":\"x\",\"city\":\"y\",\"zip\":\"z\"}}",
         "{\"address_line\":\"x\",\"address_city\":\"y\",\"address\":{\"zip\":\"z\"}}", 0);
    /* destination blocked by a value of another type: the body stays as it was */
    UP(f, "{\"address_line\":\"x\",\"address\":\"flat\"}",
       "{\"address_line\":\"x\",\"address\":\"flat\"}", 2);
    /* a null parent is created */
    UP(f, "{\"address_line\":\"x\",\"address\":null}", "{\"address\":{\"line1\":\"x\"}}", 1);
    adp_registry_destroy(f.reg);
}

static void test_added(void **state)
{
    fx_t f = fx("          - added: {field: owner, default: {kind: none}}\n"
                "          - added: {field: note}\n");
    UP(f, "{}", "{\"owner\":{\"kind\":\"none\"}}", 0);
    UP(f, "{\"owner\":5}", "{\"owner\":5}", 0); /* present: never overwritten */
    DOWN(f, "{\"owner\":{\"id\":1},\"note\":\"n\",\"x\":1}", "{\"x\":1}", 0);
    DOWN(f, "{\"x\":1}", "{\"x\":1}", 2); /* both absent upstream */
    adp_registry_destroy(f.reg);
}

static void test_added_default_is_a_copy(void **state)
{
    /* a later step edits inside the filled default: were the default the plan's own constant
     * (edited in place), the second exchange would find it renamed already */
    fx_t f = fx("          - added: {field: owner, default: {name: x, tags: [a]}}\n"
                "          - rename: {old: owner.name, new: full_name}\n"
                "          - map: {field: owner.full_name, old_to_new: {x: y}}\n");
    for (int i = 0; i < 3; ++i) {
        UP(f, "{}", "{\"owner\":{\"full_name\":\"y\",\"tags\":[\"a\"]}}", 0);
        UP(f, "{\"id\":1}", "{\"id\":1,\"owner\":{\"full_name\":\"y\",\"tags\":[\"a\"]}}", 0);
    }
    adp_registry_destroy(f.reg);
}

static void test_removed(void **state)
{
    fx_t f = fx("          - removed: {field: legacy, default: 0}\n"
                "          - removed: {field: tag, from: category}\n"
                "          - removed: {field: gone}\n");
    UP(f, "{\"legacy\":3,\"tag\":\"t\",\"gone\":1,\"category\":\"c\"}", "{\"category\":\"c\"}", 0);
    UP(f, "{\"category\":\"c\"}", "{\"category\":\"c\"}", 3);
    DOWN(f, "{\"category\":\"c\"}", "{\"category\":\"c\",\"tag\":\"c\",\"legacy\":0}", 0);
    /* derived from a field the upstream lacks */
    DOWN(f, "{}", "{\"legacy\":0}", 1);
    /* already there: left */
    DOWN(f, "{\"category\":\"c\",\"tag\":\"own\",\"legacy\":9}",
         "{\"category\":\"c\",\"tag\":\"own\",\"legacy\":9}", 0);
    adp_registry_destroy(f.reg);
}

static void test_convert_cents(void **state)
{
    fx_t f = fx("          - convert: {field: \"items[*].price\", old: decimal_string, new: "
                "integer_cents}\n");
    UP(f,
       "{\"items\":[{\"price\":\"12.30\"},{\"price\":\"-0.05\"},{\"price\":\"7\"},{\"price\":null}]"
       "}",
       "{\"items\":[{\"price\":1230},{\"price\":-5},{\"price\":700},{\"price\":null}]}", 0);
    DOWN(f, "{\"items\":[{\"price\":1230},{\"price\":-5},{\"price\":0}]}",
         "{\"items\":[{\"price\":\"12.30\"},{\"price\":\"-0.05\"},{\"price\":\"0.00\"}]}", 0);
    /* not exact, not a number, wrong type: left and counted */
    UP(f, "{\"items\":[{\"price\":\"1.234\"},{\"price\":\"abc\"},{\"price\":12}]}",
       "{\"items\":[{\"price\":\"1.234\"},{\"price\":\"abc\"},{\"price\":12}]}", 3);
    DOWN(f, "{\"items\":[{\"price\":\"12.30\"},{\"price\":1.5},{}]}",
         "{\"items\":[{\"price\":\"12.30\"},{\"price\":1.5},{}]}", 3);
    adp_registry_destroy(f.reg);
}

static void test_convert_number_string(void **state)
{
    fx_t f = fx("          - convert: {field: n, old: number, new: string}\n"
                "          - convert: {field: i, old: string, new: integer}\n");
    UP(f, "{\"n\":1.5,\"i\":\"42\"}", "{\"n\":\"1.5\",\"i\":42}", 0);
    UP(f, "{\"n\":10,\"i\":\"4.2\"}", "{\"n\":\"10\",\"i\":\"4.2\"}", 1);
    DOWN(f, "{\"n\":\"0.1\",\"i\":7}", "{\"n\":0.1,\"i\":\"7\"}", 0);
    DOWN(f, "{\"n\":\"1e3\",\"i\":\"7\"}", "{\"n\":1000.0,\"i\":\"7\"}", 1);
    DOWN(f, "{\"n\":\" 1\",\"i\":true}", "{\"n\":\" 1\",\"i\":true}", 2);
    adp_registry_destroy(f.reg);
}

static void test_convert_boolean_enum(void **state)
{
    fx_t f = fx("          - convert: {field: active, old: boolean, new: enum, mapping: {true: on, "
                "false: off}}\n");
    UP(f, "{\"active\":true}", "{\"active\":\"on\"}", 0);
    UP(f, "{\"active\":false}", "{\"active\":\"off\"}", 0);
    UP(f, "{\"active\":\"yes\"}", "{\"active\":\"yes\"}", 1);
    DOWN(f, "{\"active\":\"off\"}", "{\"active\":false}", 0);
    /* a value outside the mapping cannot become a boolean */
    DOWN(f, "{\"active\":\"paused\"}", "{\"active\":\"paused\"}", 1);
    adp_registry_destroy(f.reg);
}

static void test_convert_timestamps(void **state)
{
    fx_t f = fx("          - convert: {field: at, old: unix_seconds, new: date_time}\n"
                "          - convert: {field: ms, old: unix_millis, new: date_time}\n");
    UP(f, "{\"at\":1700000000,\"ms\":1700000000123}",
       "{\"at\":\"2023-11-14T22:13:20Z\",\"ms\":\"2023-11-14T22:13:20.123Z\"}", 0);
    DOWN(f, "{\"at\":\"2023-11-14T23:13:20+01:00\",\"ms\":\"2023-11-14T22:13:20.5Z\"}",
         "{\"at\":1700000000,\"ms\":1700000000500}", 0);
    DOWN(f, "{\"at\":\"yesterday\",\"ms\":1}", "{\"at\":\"yesterday\",\"ms\":1}", 2);
    adp_registry_destroy(f.reg);
}

static void test_map(void **state)
{
    fx_t f = fx("          - map: {field: \"[*].status\", old_to_new: {active: available, "
                "inactive: sold}}\n");
    UP(f, "[{\"status\":\"active\"},{\"status\":\"inactive\"},{\"status\":\"pending\"}]",
       "[{\"status\":\"available\"},{\"status\":\"sold\"},{\"status\":\"pending\"}]", 0);
    DOWN(f, "[{\"status\":\"sold\"},{\"status\":\"new\"}]",
         "[{\"status\":\"inactive\"},{\"status\":\"new\"}]", 0);
    DOWN(f, "[{\"status\":3},{}]", "[{\"status\":3},{}]", 2);
    adp_registry_destroy(f.reg);
}

static void test_map_explicit_reverse(void **state)
{
    fx_t f = fx("          - map: {field: s, old_to_new: {a: x, b: x}, new_to_old: {x: a}}\n");
    UP(f, "{\"s\":\"b\"}", "{\"s\":\"x\"}", 0);
    DOWN(f, "{\"s\":\"x\"}", "{\"s\":\"a\"}", 0);
    adp_registry_destroy(f.reg);
}

static void test_collapse(void **state)
{
    /* v1 carries owner as an id, v2 the expanded object */
    fx_t f = fx("          - collapse: {field: owner}\n");
    UP(f, "{\"owner\":\"u1\"}", "{\"owner\":{\"id\":\"u1\"}}", 0);
    UP(f, "{\"owner\":7}", "{\"owner\":{\"id\":7}}", 0);
    UP(f, "{\"owner\":{\"id\":\"u1\"}}", "{\"owner\":{\"id\":\"u1\"}}", 0);
    DOWN(f, "{\"owner\":{\"id\":\"u1\",\"name\":\"Ann\"}}", "{\"owner\":\"u1\"}", 0);
    DOWN(f, "{\"owner\":null}", "{\"owner\":null}", 0);
    DOWN(f, "{\"owner\":{\"name\":\"Ann\"}}", "{\"owner\":{\"name\":\"Ann\"}}", 1);
    DOWN(f, "{\"owner\":[1]}", "{\"owner\":[1]}", 1);
    adp_registry_destroy(f.reg);
}

static void test_collapse_renamed(void **state)
{
    fx_t f = fx("          - collapse: {old: owner_id, new: owner, key: uid}\n");
    UP(f, "{\"owner_id\":\"u1\"}", "{\"owner\":{\"uid\":\"u1\"}}", 0);
    DOWN(f, "{\"owner\":{\"uid\":\"u1\",\"name\":\"Ann\"}}", "{\"owner_id\":\"u1\"}", 0);
    adp_registry_destroy(f.reg);
}

static void test_expand(void **state)
{
    /* the inverse: v1 had the object, v2 only the id */
    fx_t f = fx("          - expand: {field: \"data[*].owner\"}\n");
    UP(f, "{\"data\":[{\"owner\":{\"id\":\"u1\",\"name\":\"Ann\"}}]}",
       "{\"data\":[{\"owner\":\"u1\"}]}", 0);
    DOWN(f, "{\"data\":[{\"owner\":\"u1\"},{\"owner\":true}]}",
         "{\"data\":[{\"owner\":{\"id\":\"u1\"}},{\"owner\":true}]}", 1);
    adp_registry_destroy(f.reg);
}

static void test_unwrap_root(void **state)
{
    fx_t f = fx("          - unwrap: {field: data, defaults: {has_more: false}}\n");
    DOWN(f, "{\"data\":[1,2],\"next\":\"c\"}", "[1,2]", 0);
    UP(f, "[1,2]", "{\"data\":[1,2],\"has_more\":false}", 0);
    /* not an envelope: left and counted */
    DOWN(f, "[1,2]", "[1,2]", 1);
    DOWN(f, "{\"items\":[]}", "{\"items\":[]}", 1);
    adp_registry_destroy(f.reg);
}

static void test_wrap_at_path(void **state)
{
    /* v1 had {"pets": {"items": [...]}}, v2 has {"pets": [...]} */
    fx_t f = fx("          - wrap: {field: items, at: pets}\n");
    UP(f, "{\"pets\":{\"items\":[1]}}", "{\"pets\":[1]}", 0);
    DOWN(f, "{\"pets\":[1]}", "{\"pets\":{\"items\":[1]}}", 0);
    DOWN(f, "{}", "{}", 1);
    adp_registry_destroy(f.reg);
}

static void test_order_of_steps(void **state)
{
    /* upgrades run the list in order; downgrades undo it from the end */
    fx_t f = fx("          - rename: {old: a, new: b}\n"
                "          - move: {old: b, new: c.d}\n");
    UP(f, "{\"a\":1}", "{\"c\":{\"d\":1}}", 0);
    DOWN(f, "{\"c\":{\"d\":1}}", "{\"a\":1}", 0);
    adp_registry_destroy(f.reg);
}

static void test_quoted_keys(void **state)
{
    fx_t f = fx("          - rename: {old: \"meta[\\\"a.b\\\"]\", new: \"meta.ab\"}\n");
    UP(f, "{\"meta\":{\"a.b\":1}}", "{\"meta\":{\"ab\":1}}", 0);
    DOWN(f, "{\"meta\":{\"ab\":1}}", "{\"meta\":{\"a.b\":1}}", 0);
    adp_registry_destroy(f.reg);
}

static void test_status_filters(void **state)
{
    char yaml[] = "api: t\n"
                  "changes:\n"
                  "  - to: v2\n"
                  "    operations:\n"
                  "      GET /things:\n"
                  "        response:\n"
                  "          - rename: {old: a, new: b}\n"
                  "          - rename: {old: code, new: error_code, on: [4xx, 503]}\n";
    adp_registry_t *reg = load_reg(yaml, two, 2);
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "GET", "/things");
    size_t m;
    assert_json(downgrade_body(p, 200, "{\"b\":1,\"error_code\":2}", &m, NULL),
                "{\"a\":1,\"error_code\":2}");
    assert_json(downgrade_body(p, 404, "{\"b\":1,\"error_code\":2}", &m, NULL),
                "{\"b\":1,\"code\":2}");
    assert_json(downgrade_body(p, 503, "{\"error_code\":2}", &m, NULL), "{\"code\":2}");
    assert_json(downgrade_body(p, 500, "{\"error_code\":2}", &m, NULL), "{\"error_code\":2}");
    assert_true(adp_plan_response_needs_body(p, 200));
    assert_true(adp_plan_response_needs_body(p, 302));
    assert_true(adp_plan_response_needs_body(p, 404));
    assert_false(adp_plan_response_needs_body(p, 500));
    assert_false(adp_plan_request_needs_body(p));
    adp_registry_destroy(reg);
}

static void test_errors_flag(void **state)
{
    char yaml[] = "api: t\n"
                  "changes:\n"
                  "  - to: v2\n"
                  "    errors: true\n"
                  "    operations:\n"
                  "      GET /things:\n"
                  "        response:\n"
                  "          - rename: {old: a, new: b}\n";
    adp_registry_t *reg = load_reg(yaml, two, 2);
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "GET", "/things");
    assert_json(downgrade_body(p, 500, "{\"b\":1}", NULL, NULL), "{\"a\":1}");
    assert_true(adp_plan_response_needs_body(p, 599));
    adp_registry_destroy(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rename),
        cmocka_unit_test(test_rename_keeps_order),
        cmocka_unit_test(test_rename_wildcards),
        cmocka_unit_test(test_values_wildcard),
        cmocka_unit_test(test_move_nest_unnest),
        cmocka_unit_test(test_added),
        cmocka_unit_test(test_added_default_is_a_copy),
        cmocka_unit_test(test_removed),
        cmocka_unit_test(test_convert_cents),
        cmocka_unit_test(test_convert_number_string),
        cmocka_unit_test(test_convert_boolean_enum),
        cmocka_unit_test(test_convert_timestamps),
        cmocka_unit_test(test_map),
        cmocka_unit_test(test_map_explicit_reverse),
        cmocka_unit_test(test_collapse),
        cmocka_unit_test(test_collapse_renamed),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_unwrap_root),
        cmocka_unit_test(test_wrap_at_path),
        cmocka_unit_test(test_order_of_steps),
        cmocka_unit_test(test_quoted_keys),
        cmocka_unit_test(test_status_filters),
        cmocka_unit_test(test_errors_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
