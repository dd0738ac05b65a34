/* Tests of ct_capture.c: the JSON Lines encoding (text and base64 bodies, truncation with the
 * original size, redaction, absent fields), round trips through the reader, and deep copies. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ct_capture.h"
#include "ct_capture_test.h"

static const ct_header_t req_headers[] = {
    {"Host", 4, "gw.example", 10},
    {"Authorization", 13, "Bearer t0ken", 12},
    {"Cookie", 6, "a=1", 3},
    {"Accept", 6, "application/json", 16},
};
static const ct_header_t res_headers[] = {
    {"Content-Type", 12, "application/json", 16},
    {"Set-Cookie", 10, "s=2", 3},
};

static ct_exchange_t sample(void)
{
    return (ct_exchange_t){
        .time = {"2024-05-01T12:00:00.000Z", 24},
        .api = {"pets", 4},
        .version = {"v1", 2},
        .operation = {"getPet", 6},
        .request = {.method = {"GET", 3},
                    .path = {"/v1/pets/1", 10},
                    .query = {"x=1", 3},
                    .upstream_path = {"/pets/1", 7},
                    .headers = req_headers,
                    .num_headers = 4},
        .response = {.status = 200,
                     .headers = res_headers,
                     .num_headers = 2,
                     .body = {.bytes = "{\"id\":1,\"name\":\"Rex \xc3\xa9\"}", .len = 24}},
    };
}

static json_t *encode_json(const ct_exchange_t *x, const ct_redact_t *redact, size_t max_body)
{
    size_t len;
    char *line = ct_capture_encode(x, redact, max_body, &len);
    assert_true(len > 0);
    assert_int_equal(line[len - 1], '\n');
    assert_null(memchr(line, '\n', len - 1)); /* one line */
    json_error_t jerr;
    json_t *v = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
    if (v == NULL)
        fail_msg("not JSON (%s): %s", jerr.text, line);
    free(line);
    return v;
}

static void encodes_every_field(void **state)
{
    ct_exchange_t x = sample();
    json_t *v = encode_json(&x, NULL, 1 << 20);
    assert_string_equal(json_string_value(json_object_get(v, "time")), "2024-05-01T12:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(v, "api")), "pets");
    assert_string_equal(json_string_value(json_object_get(v, "version")), "v1");
    assert_string_equal(json_string_value(json_object_get(v, "operationId")), "getPet");
    json_t *rq = json_object_get(v, "request"), *rs = json_object_get(v, "response");
    assert_string_equal(json_string_value(json_object_get(rq, "method")), "GET");
    assert_string_equal(json_string_value(json_object_get(rq, "path")), "/v1/pets/1");
    assert_string_equal(json_string_value(json_object_get(rq, "query")), "x=1");
    assert_string_equal(json_string_value(json_object_get(rq, "upstream_path")), "/pets/1");
    assert_int_equal(json_array_size(json_object_get(rq, "headers")), 4);
    assert_null(json_object_get(rq, "body")); /* empty bodies are left out */
    assert_int_equal(json_integer_value(json_object_get(rs, "status")), 200);
    assert_string_equal(json_string_value(json_object_get(rs, "body")),
                        "{\"id\":1,\"name\":\"Rex \xc3\xa9\"}");
    assert_null(json_object_get(rs, "body_encoding"));
    assert_null(json_object_get(rs, "body_truncated"));
    /* without redaction values are kept */
    assert_string_equal(
        json_string_value(json_array_get(json_array_get(json_object_get(rq, "headers"), 1), 1)),
        "Bearer t0ken");
    json_decref(v);
}

static void absent_fields_and_default_time(void **state)
{
    ct_exchange_t x = {.request = {.method = {"HEAD", 4}, .path = {"/", 1}},
                       .response = {.status = 204}};
    json_t *v = encode_json(&x, NULL, 100);
    const char *t = json_string_value(json_object_get(v, "time"));
    assert_non_null(t); /* stamped now: 2024-05-01T12:00:00.123Z */
    assert_int_equal(strlen(t), 24);
    assert_int_equal(t[10], 'T');
    assert_int_equal(t[23], 'Z');
    assert_null(json_object_get(v, "api"));
    assert_null(json_object_get(v, "operationId"));
    assert_null(json_object_get(json_object_get(v, "request"), "query"));
    assert_null(json_object_get(json_object_get(v, "request"), "upstream_path"));
    json_decref(v);
}

static void redacts_default_headers(void **state)
{
    ct_redact_t redact;
    ct_error_t err;
    assert_int_equal(ct_redact_init(&redact, NULL, 0, &err), 0);
    ct_exchange_t x = sample();
    json_t *v = encode_json(&x, &redact, 1 << 20);
    json_t *rqh = json_object_get(json_object_get(v, "request"), "headers");
    json_t *rsh = json_object_get(json_object_get(v, "response"), "headers");
    assert_string_equal(json_string_value(json_array_get(json_array_get(rqh, 0), 1)), "gw.example");
    assert_string_equal(json_string_value(json_array_get(json_array_get(rqh, 1), 1)), "[redacted]");
    assert_string_equal(json_string_value(json_array_get(json_array_get(rqh, 2), 1)), "[redacted]");
    assert_string_equal(json_string_value(json_array_get(json_array_get(rsh, 1), 1)), "[redacted]");
    /* the names stay as they were */
    assert_string_equal(json_string_value(json_array_get(json_array_get(rqh, 1), 0)),
                        "Authorization");
    json_decref(v);
    ct_redact_dispose(&redact);

    const char *custom[] = {"ACCEPT"};
    assert_int_equal(ct_redact_init(&redact, custom, 1, &err), 0);
    v = encode_json(&x, &redact, 1 << 20);
    rqh = json_object_get(json_object_get(v, "request"), "headers");
    assert_string_equal(json_string_value(json_array_get(json_array_get(rqh, 1), 1)),
                        "Bearer t0ken");
    assert_string_equal(json_string_value(json_array_get(json_array_get(rqh, 3), 1)), "[redacted]");
    json_decref(v);
    ct_redact_dispose(&redact);

    const char *bad[] = {"no spaces"};
    assert_int_equal(ct_redact_init(&redact, bad, 1, &err), -1);
    assert_non_null(strstr(err.message, "not a header name"));
}

static void binary_bodies_in_base64(void **state)
{
    ct_exchange_t x = sample();
    x.response.body = (ct_capture_body_t){.bytes = "\x00\xff\x10 ok", .len = 6};
    json_t *v = encode_json(&x, NULL, 1 << 20);
    json_t *rs = json_object_get(v, "response");
    assert_string_equal(json_string_value(json_object_get(rs, "body_encoding")), "base64");
    assert_string_equal(json_string_value(json_object_get(rs, "body")), "AP8QIG9r");
    json_decref(v);

    /* NUL is valid UTF-8 (U+0000): such a body stays text, escaped */
    x.response.body = (ct_capture_body_t){.bytes = "a\0b", .len = 3};
    v = encode_json(&x, NULL, 1 << 20);
    rs = json_object_get(v, "response");
    assert_null(json_object_get(rs, "body_encoding"));
    assert_int_equal(json_string_length(json_object_get(rs, "body")), 3);
    json_decref(v);
}

static void truncation_keeps_the_size(void **state)
{
    ct_exchange_t x = sample();
    /* "Rex é": a cut at 21 bytes falls inside the two-byte é: the text drops its first byte */
    json_t *v = encode_json(&x, NULL, 21);
    json_t *rs = json_object_get(v, "response");
    assert_true(json_is_true(json_object_get(rs, "body_truncated")));
    assert_int_equal(json_integer_value(json_object_get(rs, "body_size")), 24);
    assert_null(json_object_get(rs, "body_encoding"));
    assert_string_equal(json_string_value(json_object_get(rs, "body")),
                        "{\"id\":1,\"name\":\"Rex ");
    json_decref(v);
    v = encode_json(&x, NULL, 22);
    rs = json_object_get(v, "response");
    assert_string_equal(json_string_value(json_object_get(rs, "body")),
                        "{\"id\":1,\"name\":\"Rex \xc3\xa9");
    json_decref(v);

    /* already cut by the caller: its size is kept */
    x.response.body = (ct_capture_body_t){.bytes = "abc", .len = 3, .truncated = 1, .size = 1000};
    v = encode_json(&x, NULL, 1 << 20);
    rs = json_object_get(v, "response");
    assert_true(json_is_true(json_object_get(rs, "body_truncated")));
    assert_int_equal(json_integer_value(json_object_get(rs, "body_size")), 1000);
    json_decref(v);

    /* binary and cut: base64 of the kept bytes */
    x.response.body = (ct_capture_body_t){.bytes = "\xff\xfe\xfd\xfc", .len = 4};
    v = encode_json(&x, NULL, 3);
    rs = json_object_get(v, "response");
    assert_string_equal(json_string_value(json_object_get(rs, "body_encoding")), "base64");
    assert_string_equal(json_string_value(json_object_get(rs, "body")), "//79");
    assert_int_equal(json_integer_value(json_object_get(rs, "body_size")), 4);
    json_decref(v);
}

static void invalid_utf8_in_strings_is_replaced(void **state)
{
    ct_exchange_t x = sample();
    ct_header_t h = {"X-Latin", 7, "caf\xe9", 4};
    x.request.headers = &h;
    x.request.num_headers = 1;
    json_t *v = encode_json(&x, NULL, 100);
    json_t *rqh = json_object_get(json_object_get(v, "request"), "headers");
    assert_string_equal(json_string_value(json_array_get(json_array_get(rqh, 0), 1)),
                        "caf\xef\xbf\xbd");
    json_decref(v);
}

static void round_trip_through_the_reader(void **state)
{
    char *dir = ct_test_tmpdir();
    ct_exchange_t x = sample();
    x.request.body = (ct_capture_body_t){.bytes = "\x01\x02\x03", .len = 3};
    x.request.method = (ct_str_t){"POST", 4};
    size_t len;
    char *line = ct_capture_encode(&x, NULL, 1 << 20, &len);
    char *path = ct_test_write(dir, "one.jsonl", line, len);
    free(line);
    ct_error_t err;
    ct_capture_reader_t *r = ct_capture_reader_open(path, NULL, &err);
    assert_non_null(r);
    ct_exchange_t got;
    ct_capture_bad_t bad;
    assert_int_equal(ct_capture_reader_next(r, &got, &bad, &err), CT_CAPTURE_RECORD);
    assert_true(ct_test_str_is(got.operation, "getPet"));
    assert_true(ct_test_str_is(got.request.method, "POST"));
    assert_true(ct_test_str_is(got.request.upstream_path, "/pets/1"));
    assert_int_equal(got.request.body.len, 3);
    assert_memory_equal(got.request.body.bytes, "\x01\x02\x03", 3);
    assert_int_equal(got.request.num_headers, 4);
    assert_int_equal(got.response.status, 200);
    assert_int_equal(got.response.body.len, 24);

    ct_exchange_t *copy = ct_exchange_dup(&got);
    assert_int_equal(ct_capture_reader_next(r, &got, &bad, &err), CT_CAPTURE_EOF);
    ct_capture_reader_close(r); /* the copy must not depend on the reader */
    assert_true(ct_test_str_is(copy->request.path, "/v1/pets/1"));
    assert_true(ct_test_str_is(copy->request.query, "x=1"));
    assert_int_equal(copy->request.headers[3].value_len, 16);
    assert_memory_equal(copy->request.headers[3].value, "application/json", 16);
    assert_memory_equal(copy->response.headers[1].name, "Set-Cookie", 10);
    assert_memory_equal(copy->response.body.bytes, "{\"id\":1", 7);
    assert_true(ct_test_str_is(copy->version, "v1"));
    free(copy);
    free(path);
    ct_test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encodes_every_field),
        cmocka_unit_test(absent_fields_and_default_time),
        cmocka_unit_test(redacts_default_headers),
        cmocka_unit_test(binary_bodies_in_base64),
        cmocka_unit_test(truncation_keeps_the_size),
        cmocka_unit_test(invalid_utf8_in_strings_is_replaced),
        cmocka_unit_test(round_trip_through_the_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
