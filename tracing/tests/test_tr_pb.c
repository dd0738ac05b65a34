/* Tests of tr_pb.c: the protobuf wire format against byte strings from the encoding guide
 * (https://protobuf.dev/programming-guides/encoding/), nested lengths, overflow and UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tr_pb.h"

#define EXPECT(pb, lit) expect_bytes((pb), (const uint8_t *)(lit), sizeof(lit) - 1)

static void expect_bytes(const tr_pb_t *pb, const uint8_t *want, size_t n)
{
    assert_false(pb->overflow);
    assert_int_equal(pb->len, n);
    assert_memory_equal(pb->buf, want, n);
}

static void scalars(void **state)
{
    uint8_t buf[64];
    tr_pb_t pb;
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_varint_field(&pb, 1, 150); /* the guide's first example: 08 96 01 */
    EXPECT(&pb, "\x08\x96\x01");
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_int64_field(&pb, 3, -2); /* negative int64: ten bytes */
    EXPECT(&pb, "\x18\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01");
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_fixed32_field(&pb, 16, 0x301); /* field 16 needs a two-byte tag */
    EXPECT(&pb, "\x85\x01\x01\x03\x00\x00");
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_fixed64_field(&pb, 7, 0x0102030405060708ull);
    EXPECT(&pb, "\x39\x08\x07\x06\x05\x04\x03\x02\x01");
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_double_field(&pb, 4, 1.0);
    EXPECT(&pb, "\x21\x00\x00\x00\x00\x00\x00\xf0\x3f");
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_string_field(&pb, 2, "testing", 7, 100); /* the guide: 12 07 74 65 73 74 69 6e 67 */
    EXPECT(&pb, "\x12\x07testing");
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_bytes_field(&pb, 1, NULL, 0);
    EXPECT(&pb, "\x0a\x00");
    assert_int_equal(tr_pb_varint_size(0), 1);
    assert_int_equal(tr_pb_varint_size(127), 1);
    assert_int_equal(tr_pb_varint_size(128), 2);
    assert_int_equal(tr_pb_varint_size(UINT64_MAX), 10);
}

static void nested(void **state)
{
    uint8_t buf[512];
    tr_pb_t pb;
    tr_pb_init(&pb, buf, sizeof(buf));
    size_t m = tr_pb_begin(&pb, 3); /* the guide's embedded message: 1a 03 08 96 01 */
    tr_pb_varint_field(&pb, 1, 150);
    tr_pb_end(&pb, m);
    EXPECT(&pb, "\x1a\x03\x08\x96\x01");
    /* a content of 200 bytes needs a two-byte length: the content moves by one */
    tr_pb_init(&pb, buf, sizeof(buf));
    size_t outer = tr_pb_begin(&pb, 1);
    uint8_t payload[197];
    for (size_t i = 0; i != sizeof(payload); ++i)
        payload[i] = (uint8_t)i;
    tr_pb_bytes_field(&pb, 2, payload, sizeof(payload)); /* 1 + 2 + 197 = 200 */
    size_t inner = tr_pb_begin(&pb, 4);
    tr_pb_end(&pb, inner); /* an empty message: 22 00 */
    tr_pb_end(&pb, outer);
    assert_false(pb.overflow);
    assert_int_equal(pb.len, 1 + 2 + 202);
    assert_memory_equal(buf, "\x0a\xca\x01\x12\xc5\x01", 6); /* 202 = ca 01, 197 = c5 01 */
    assert_memory_equal(buf + 6, payload, sizeof(payload));
    assert_memory_equal(buf + 6 + sizeof(payload), "\x22\x00", 2);
}

static void overflow(void **state)
{
    uint8_t buf[8];
    tr_pb_t pb;
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_string_field(&pb, 1, "0123456789", 10, 100);
    assert_true(pb.overflow);
    tr_pb_varint_field(&pb, 1, 1); /* nothing more is written */
    assert_true(pb.overflow);
    /* a nested length that grows past the capacity */
    uint8_t small[130];
    tr_pb_init(&pb, small, sizeof(small));
    size_t m = tr_pb_begin(&pb, 1);
    uint8_t payload[126] = {0};
    tr_pb_bytes_field(&pb, 2, payload, 125); /* 1 + 1 + 125 = 127: fits one byte */
    tr_pb_end(&pb, m);
    assert_false(pb.overflow);
    tr_pb_init(&pb, small, sizeof(small));
    m = tr_pb_begin(&pb, 1);
    tr_pb_bytes_field(&pb, 2, payload, 126); /* 1 + 1 + 126 = 128 > 127: a 2-byte length */
    tr_pb_end(&pb, m);
    assert_true(pb.overflow);
}

static void utf8(void **state)
{
    uint8_t buf[64];
    tr_pb_t pb;
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_string_field(&pb, 1, "h\xc3\xa9", 3, 100); /* valid: as is */
    EXPECT(&pb, "\x0a\x03h\xc3\xa9");
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_string_field(&pb, 1, "a\xff" "b", 3, 100); /* invalid byte: U+FFFD */
    EXPECT(&pb, "\x0a\x05" "a\xef\xbf\xbd" "b");
    tr_pb_init(&pb, buf, sizeof(buf));
    /* overlong, surrogate, truncated sequence, over U+10FFFF */
    tr_pb_string_field(&pb, 1, "\xc0\xaf\xed\xa0\x80\xe2\x82", 7, 100);
    assert_false(pb.overflow);
    assert_int_equal(buf[1], 7 * 3);
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_string_field(&pb, 1, "\xf4\x90\x80\x80", 4, 100);
    assert_int_equal(buf[1], 4 * 3);
    /* cut at max, never inside a character */
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_string_field(&pb, 1, "ab\xc3\xa9", 4, 3);
    EXPECT(&pb, "\x0a\x02" "ab");
    tr_pb_init(&pb, buf, sizeof(buf));
    tr_pb_string_field(&pb, 1, "abcdef", 6, 4);
    EXPECT(&pb, "\x0a\x04" "abcd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars),
        cmocka_unit_test(nested),
        cmocka_unit_test(overflow),
        cmocka_unit_test(utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
