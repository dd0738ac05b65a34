/* Tests of ct_har.c: a HAR 1.2 archive written to the specification (creator, pages, entries with
 * every required member, timings) is read entry by entry: URLs split into path and query,
 * pseudo-headers dropped, postData as text or rebuilt from params, base64 content decoded,
 * absent content marked, and bad entries reported with their entry number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ct_capture.h"
#include "ct_capture_test.h"
#include "up_http.h"

/* Members every entry needs by the specification; %s are the request and response. */
#define ENTRY(req, res)                                                                            \
    "{\"pageref\":\"page_1\",\"startedDateTime\":\"2024-05-01T12:00:00.000+02:00\",\"time\":12.5," \
    "\"request\":" req ",\"response\":" res ",\"cache\":{},"                                       \
    "\"timings\":{\"blocked\":-1,\"dns\":-1,\"connect\":-1,\"send\":0.5,\"wait\":10,"              \
    "\"receive\":2,\"ssl\":-1}}"

#define REQ(method, url, headers, extra)                                                           \
    "{\"method\":\"" method "\",\"url\":\"" url "\",\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],"  \
    "\"headers\":" headers ",\"queryString\":[],\"headersSize\":-1,\"bodySize\":-1" extra "}"

#define RES(status, headers, content)                                                              \
    "{\"status\":" status ",\"statusText\":\"OK\",\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],"    \
    "\"headers\":" headers ",\"content\":" content ",\"redirectURL\":\"\",\"headersSize\":-1,"     \
    "\"bodySize\":-1}"

static const char har[] =
    "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"test\",\"version\":\"1.0\"},"
    "\"browser\":{\"name\":\"Chromium\",\"version\":\"120\"},"
    "\"pages\":[{\"startedDateTime\":\"2024-05-01T12:00:00.000+02:00\",\"id\":\"page_1\","
    "\"title\":\"pets\",\"pageTimings\":{\"onContentLoad\":1,\"onLoad\":2}}],"
    "\"entries\":["
    /* 1: query and fragment, h2 pseudo-headers, a decoded gzip body */
    ENTRY(REQ("GET", "https://api.example.com:8443/v1/pets?limit=2&tag=a%20b#frag",
              "[{\"name\":\":authority\",\"value\":\"api.example.com\"},"
              "{\"name\":\"accept\",\"value\":\"application/json\"}]",
              ""),
          RES("200",
              "[{\"name\":\"content-type\",\"value\":\"application/json\"},"
              "{\"name\":\"content-encoding\",\"value\":\"gzip\"},"
              "{\"name\":\"content-length\",\"value\":\"31\"}]",
              "{\"size\":13,\"compression\":18,\"mimeType\":\"application/json\","
              "\"text\":\"[{\\\"id\\\":1}]\"}")) ","
    /* 2: JSON postData */
    ENTRY(REQ("POST", "http://localhost/pets",
              "[{\"name\":\"Content-Type\",\"value\":\"application/json\"}]",
              ",\"postData\":{\"mimeType\":\"application/"
              "json\",\"text\":\"{\\\"name\\\":\\\"Rex\\\"}\"}"),
          RES("201", "[]", "{\"size\":0,\"mimeType\":\"application/json\",\"text\":\"\"}")) ","
    /* 3: a URL-encoded form given as params */
    ENTRY(REQ("POST", "http://localhost/login", "[]",
              ",\"postData\":{\"mimeType\":\"application/x-www-form-urlencoded\",\"params\":["
              "{\"name\":\"user\",\"value\":\"a b\"},{\"name\":\"pw\",\"value\":\"x&y=\"}]}"),
          RES("302", "[]", "{\"size\":0,\"mimeType\":\"\"}")) ","
    /* 4: binary content in base64 */
    ENTRY(REQ("GET", "http://localhost/logo.png", "[]", ""),
          RES("200", "[{\"name\":\"Content-Type\",\"value\":\"image/png\"}]",
              "{\"size\":4,\"mimeType\":\"image/png\",\"text\":\"iVBORw==\","
              "\"encoding\":\"base64\"}")) ","
    /* 5: the browser got no response */
    ENTRY(REQ("GET", "http://localhost/blocked", "[]", ""),
          RES("0", "[]",
              "{\"size\":0,\"mimeType\":\"x-unknown\"}")) ","
                                                          /* 6: no url */
                                                          "{\"startedDateTime\":\"2024-05-01T12:00:"
                                                          "00Z\",\"request\":{\"method\":\"GET\"},"
                                                          "\"response\":{\"status\":200}},"
    /* 7: unknown content encoding */
    ENTRY(REQ("GET", "http://localhost/x", "[]", ""),
          RES("200", "[]",
              "{\"size\":1,\"mimeType\":\"text/plain\",\"text\":\"x\","
              "\"encoding\":\"gzip\"}")) ","
    /* 8: multipart without text cannot be rebuilt */
    ENTRY(REQ("POST", "http://localhost/upload", "[]",
              ",\"postData\":{\"mimeType\":\"multipart/form-data; boundary=x\",\"params\":["
              "{\"name\":\"f\",\"fileName\":\"a.txt\"}]}"),
          RES("200", "[]", "{\"size\":0,\"mimeType\":\"\"}")) ","
    /* 9: a relative URL is not HAR */
    ENTRY(REQ("GET", "pets", "[]", ""), RES("200", "[]", "{\"size\":0,\"mimeType\":\"\"}")) ","
    /* 10: an origin root without a path */
    ENTRY(REQ("DELETE", "http://localhost?x", "[]", ""),
          RES("204", "[]", "{\"size\":0,\"mimeType\":\"\"}")) "]}}";

static const ct_header_t *find(const ct_header_t *h, size_t n, const char *lower)
{
    for (size_t i = 0; i < n; i++)
        if (up_http_name_is(h[i].name, h[i].name_len, lower))
            return &h[i];
    return NULL;
}

static void reads_a_har_archive(void **state)
{
    char *dir = ct_test_tmpdir();
    char *path = ct_test_write(dir, "session.har", har, sizeof(har) - 1);
    ct_error_t err;
    ct_capture_reader_t *r = ct_capture_reader_open(path, NULL, &err);
    if (r == NULL)
        fail_msg("%s", err.message);
    assert_int_equal(ct_capture_reader_format(r), CT_CAPTURE_HAR);
    ct_exchange_t x;
    ct_capture_bad_t bad;

    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_RECORD);
    assert_int_equal(ct_capture_reader_position(r), 1);
    assert_true(ct_test_str_is(x.time, "2024-05-01T12:00:00.000+02:00"));
    assert_null(x.operation.base);
    assert_true(ct_test_str_is(x.request.method, "GET"));
    assert_true(ct_test_str_is(x.request.path, "/v1/pets"));
    assert_true(ct_test_str_is(x.request.query, "limit=2&tag=a%20b"));
    assert_null(x.request.upstream_path.base);
    assert_int_equal(x.request.num_headers, 1); /* :authority dropped */
    assert_non_null(find(x.request.headers, 1, "accept"));
    assert_int_equal(x.response.status, 200);
    assert_int_equal(x.response.num_headers, 1); /* the body is decoded: no encoding, length */
    assert_non_null(find(x.response.headers, 1, "content-type"));
    assert_int_equal(x.response.body.len, 10);
    assert_memory_equal(x.response.body.bytes, "[{\"id\":1}]", 10);
    assert_false(x.response.body.missing);

    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_RECORD);
    assert_true(ct_test_str_is(x.request.method, "POST"));
    assert_true(ct_test_str_is(x.request.path, "/pets"));
    assert_null(x.request.query.base);
    assert_int_equal(x.request.body.len, 14);
    assert_memory_equal(x.request.body.bytes, "{\"name\":\"Rex\"}", 14);
    assert_int_equal(x.response.status, 201);
    assert_int_equal(x.response.body.len, 0);
    assert_false(x.response.body.missing);

    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_RECORD);
    assert_int_equal(x.request.body.len, strlen("user=a+b&pw=x%26y%3D"));
    assert_memory_equal(x.request.body.bytes, "user=a+b&pw=x%26y%3D", x.request.body.len);
    assert_true(x.response.body.missing);

    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_RECORD);
    assert_int_equal(x.response.body.len, 4);
    assert_memory_equal(x.response.body.bytes, "\x89PNG", 4);

    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_RECORD);
    assert_int_equal(x.response.status, 0);

    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_BAD);
    assert_int_equal(bad.line, 6);
    assert_string_equal(bad.message, "log.entries[5]: missing field request.url");
    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_BAD);
    assert_int_equal(bad.line, 7);
    assert_string_equal(bad.message,
                        "log.entries[6]: response.content.encoding: only \"base64\" is known");
    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_BAD);
    assert_int_equal(bad.line, 8);
    assert_non_null(strstr(bad.message, "request.postData: no text"));
    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_BAD);
    assert_int_equal(bad.line, 9);
    assert_non_null(strstr(bad.message, "request.url: not an absolute URL"));

    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_RECORD);
    assert_true(ct_test_str_is(x.request.method, "DELETE"));
    assert_true(ct_test_str_is(x.request.path, "/"));
    assert_true(ct_test_str_is(x.request.query, "x"));

    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_EOF);
    assert_int_equal(ct_capture_reader_records(r), 6);
    assert_int_equal(ct_capture_reader_bad(r), 4);
    ct_capture_reader_close(r);

    /* the size bound applies to the whole archive */
    ct_capture_reader_config_t cfg;
    ct_capture_reader_config_init(&cfg);
    cfg.max_har_bytes = 1000;
    assert_null(ct_capture_reader_open(path, &cfg, &err));
    assert_non_null(strstr(err.message, "HAR file larger than 1000 bytes"));
    free(path);
    ct_test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_a_har_archive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
