/* Tests of tr_otlp.c: a Span and an ExportTraceServiceRequest are walked field by field with a
 * minimal reader here (field numbers, wire types, nesting). That the bytes decode with the
 * official .proto files is tests/integration/test_tracing.py's job (protobufjs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tr_otlp.h"

typedef struct {
    const uint8_t *p, *end;
} reader_t;

static uint64_t varint(reader_t *r)
{
    uint64_t v = 0;
    for (int shift = 0; r->p < r->end; shift += 7) {
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    fail_msg("truncated varint");
    return 0;
}

/* Finds the n-th occurrence of `field` in the message [p, end); returns its wire type, with
 * its value (varint/fixed) or its bytes (length-delimited). -1 when absent. */
static int find(const uint8_t *p, const uint8_t *end, uint32_t field, int n, uint64_t *value,
                reader_t *bytes)
{
    reader_t r = {p, end};
    while (r.p < r.end) {
        uint64_t key = varint(&r);
        int wire = (int)(key & 7);
        uint64_t v = 0;
        reader_t b = {NULL, NULL};
        switch (wire) {
        case 0:
            v = varint(&r);
            break;
        case 1:
            assert_true(r.end - r.p >= 8);
            for (int i = 0; i != 8; ++i)
                v |= (uint64_t)r.p[i] << (8 * i);
            r.p += 8;
            break;
        case 5:
            assert_true(r.end - r.p >= 4);
            for (int i = 0; i != 4; ++i)
                v |= (uint64_t)r.p[i] << (8 * i);
            r.p += 4;
            break;
        case 2:
            v = varint(&r);
            assert_true((uint64_t)(r.end - r.p) >= v);
            b = (reader_t){r.p, r.p + v};
            r.p += v;
            break;
        default:
            fail_msg("wire type %d", wire);
        }
        if ((key >> 3) == field && n-- == 0) {
            *value = v;
            *bytes = b;
            return wire;
        }
    }
    assert_true(r.p == r.end);
    return -1;
}

static int has_string(reader_t m, uint32_t field, const char *want)
{
    uint64_t v;
    reader_t b;
    for (int i = 0; find(m.p, m.end, field, i, &v, &b) == 2; ++i)
        if ((size_t)(b.end - b.p) == strlen(want) && memcmp(b.p, want, strlen(want)) == 0)
            return 1;
    return 0;
}

static void span(void **state)
{
    tr_attr_t attrs[] = {tr_attr_str("http.request.method", "GET", 3),
                         tr_attr_int("http.response.status_code", 503),
                         tr_attr_bool("versa.adapted", 1)};
    tr_link_t link = {.flags = 1};
    memset(link.trace_id, 0xaa, 16);
    memset(link.span_id, 0xbb, 8);
    tr_span_t s = {.has_parent = 1, .parent_is_remote = 1, .trace_flags = 1,
                   .trace_state = "rojo=1", .trace_state_len = 6, .name = "GET /pets/{id}",
                   .name_len = 14, .kind = TR_SPAN_SERVER, .start_ns = 1000, .end_ns = 2000,
                   .attrs = attrs, .num_attrs = 3, .links = &link, .num_links = 1,
                   .status = TR_STATUS_ERROR, .status_message = "boom"};
    memset(s.trace_id, 1, 16);
    memset(s.span_id, 2, 8);
    memset(s.parent_span_id, 3, 8);
    uint8_t buf[1024];
    tr_pb_t pb;
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_otlp_span(&pb, &s);
    assert_false(pb.overflow);
    const uint8_t *end = buf + pb.len;
    uint64_t v;
    reader_t b;
    assert_int_equal(find(buf, end, 1, 0, &v, &b), 2);
    assert_int_equal(b.end - b.p, 16);
    assert_int_equal(find(buf, end, 2, 0, &v, &b), 2);
    assert_int_equal(b.end - b.p, 8);
    assert_int_equal(find(buf, end, 4, 0, &v, &b), 2);
    assert_int_equal(b.p[0], 3);
    assert_true(has_string((reader_t){buf, end}, 3, "rojo=1"));
    assert_true(has_string((reader_t){buf, end}, 5, "GET /pets/{id}"));
    assert_int_equal(find(buf, end, 6, 0, &v, &b), 0);
    assert_int_equal(v, 2);
    assert_int_equal(find(buf, end, 7, 0, &v, &b), 1);
    assert_int_equal(v, 1000);
    assert_int_equal(find(buf, end, 8, 0, &v, &b), 1);
    assert_int_equal(v, 2000);
    assert_int_equal(find(buf, end, 16, 0, &v, &b), 5);
    assert_int_equal(v, 0x301); /* sampled, remoteness known, remote */
    /* attributes: KeyValue{key, AnyValue{string | int | bool}} */
    reader_t kv, any;
    assert_int_equal(find(buf, end, 9, 1, &v, &kv), 2);
    assert_true(has_string(kv, 1, "http.response.status_code"));
    assert_int_equal(find(kv.p, kv.end, 2, 0, &v, &any), 2);
    assert_int_equal(find(any.p, any.end, 3, 0, &v, &b), 0);
    assert_int_equal(v, 503);
    assert_int_equal(find(buf, end, 9, 2, &v, &kv), 2);
    assert_int_equal(find(kv.p, kv.end, 2, 0, &v, &any), 2);
    assert_int_equal(find(any.p, any.end, 2, 0, &v, &b), 0);
    assert_int_equal(v, 1);
    assert_int_equal(find(buf, end, 9, 3, &v, &kv), -1);
    /* the link and the status */
    reader_t l;
    assert_int_equal(find(buf, end, 13, 0, &v, &l), 2);
    assert_int_equal(find(l.p, l.end, 2, 0, &v, &b), 2);
    assert_int_equal(b.p[0], 0xbb);
    reader_t st;
    assert_int_equal(find(buf, end, 15, 0, &v, &st), 2);
    assert_true(has_string(st, 2, "boom"));
    assert_int_equal(find(st.p, st.end, 3, 0, &v, &b), 0);
    assert_int_equal(v, 2);
    /* no parent, no status: the fields are left out */
    s.has_parent = 0;
    s.status = TR_STATUS_UNSET;
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_otlp_span(&pb, &s);
    assert_int_equal(find(buf, buf + pb.len, 4, 0, &v, &b), -1);
    assert_int_equal(find(buf, buf + pb.len, 15, 0, &v, &b), -1);
    assert_int_equal(find(buf, buf + pb.len, 16, 0, &v, &b), 5);
    assert_int_equal(v, 0x101);
}

static void request(void **state)
{
    uint8_t res[256], s1[300], s2[8] = {0x0a, 0x01, 0x7f};
    tr_pb_t pb;
    tr_pb_init(&pb, res, sizeof(res));
    tr_attr_t extra = tr_attr_str("deployment.environment.name", "test", 4);
    tr_otlp_resource(&pb, "versa", "0.1.0", &extra, 1);
    size_t res_len = pb.len;
    memset(s1, 0x55, sizeof(s1)); /* opaque to the envelope: only its length matters */
    const uint8_t *spans[] = {s1, s2};
    size_t lens[] = {sizeof(s1), 3};
    size_t cap = tr_otlp_request_bound(res_len, 32, lens, 2);
    uint8_t out[1024];
    assert_true(cap <= sizeof(out));
    size_t n = tr_otlp_request(out, cap, res, res_len, "versa", "0.1.0", spans, lens, 2);
    assert_int_not_equal(n, 0);
    uint64_t v;
    reader_t rs, r, ss, sp, scope;
    assert_int_equal(find(out, out + n, 1, 0, &v, &rs), 2);
    assert_int_equal(find(out, out + n, 1, 1, &v, &r), -1);
    assert_int_equal(find(rs.p, rs.end, 1, 0, &v, &r), 2);
    assert_int_equal(r.end - r.p, (ptrdiff_t)res_len);
    assert_int_equal(find(rs.p, rs.end, 2, 0, &v, &ss), 2);
    assert_int_equal(find(ss.p, ss.end, 1, 0, &v, &scope), 2);
    assert_true(has_string(scope, 1, "versa"));
    assert_true(has_string(scope, 2, "0.1.0"));
    assert_int_equal(find(ss.p, ss.end, 2, 0, &v, &sp), 2);
    assert_int_equal(sp.end - sp.p, 300);
    assert_int_equal(find(ss.p, ss.end, 2, 1, &v, &sp), 2);
    assert_int_equal(sp.end - sp.p, 3);
    /* too small a buffer: 0, never a cut message */
    assert_int_equal(tr_otlp_request(out, 100, res, res_len, "versa", "0.1.0", spans, lens, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(span),
        cmocka_unit_test(request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
