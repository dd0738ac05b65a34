/* Protocol buffers wire format, writing side: tags, varints, fixed-width and length-delimited
 * fields, nested messages with their lengths written after their content. */
#include "tr_pb.h"

#include <string.h>

enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

void tr_pb_init(tr_pb_t *pb, uint8_t *buf, size_t cap)
{
    *pb = (tr_pb_t){buf, 0, cap, 0};
}

static int room(tr_pb_t *pb, size_t n)
{
    if (pb->overflow || pb->cap - pb->len < n) {
        pb->overflow = 1;
        return 0;
    }
    return 1;
}

size_t tr_pb_varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80)
        v >>= 7, ++n;
    return n;
}

static void put_varint(tr_pb_t *pb, uint64_t v)
{
    if (!room(pb, tr_pb_varint_size(v)))
        return;
    while (v >= 0x80) {
        pb->buf[pb->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    pb->buf[pb->len++] = (uint8_t)v;
}

static void put_tag(tr_pb_t *pb, uint32_t field, int wire)
{
    put_varint(pb, (uint64_t)field << 3 | (uint64_t)wire);
}

static void put_le(tr_pb_t *pb, uint64_t v, size_t n) /* fixed-width fields are little-endian */
{
    if (!room(pb, n))
        return;
    for (size_t i = 0; i != n; ++i)
        pb->buf[pb->len++] = (uint8_t)(v >> (8 * i));
}

void tr_pb_varint_field(tr_pb_t *pb, uint32_t field, uint64_t v)
{
    put_tag(pb, field, WIRE_VARINT);
    put_varint(pb, v);
}

void tr_pb_int64_field(tr_pb_t *pb, uint32_t field, int64_t v)
{
    tr_pb_varint_field(pb, field, (uint64_t)v);
}

void tr_pb_fixed32_field(tr_pb_t *pb, uint32_t field, uint32_t v)
{
    put_tag(pb, field, WIRE_I32);
    put_le(pb, v, 4);
}

void tr_pb_fixed64_field(tr_pb_t *pb, uint32_t field, uint64_t v)
{
    put_tag(pb, field, WIRE_I64);
    put_le(pb, v, 8);
}

void tr_pb_double_field(tr_pb_t *pb, uint32_t field, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    tr_pb_fixed64_field(pb, field, bits);
}

void tr_pb_bytes_field(tr_pb_t *pb, uint32_t field, const void *p, size_t len)
{
    put_tag(pb, field, WIRE_LEN);
    put_varint(pb, len);
    if (len != 0 && room(pb, len)) {
        memcpy(pb->buf + pb->len, p, len);
        pb->len += len;
    }
}

/* Length of the valid UTF-8 sequence at s[0, n) (RFC 3629 §4: no overlongs, no surrogates, at
 * most U+10FFFF), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xc2 && c <= 0xdf   ? 2
                 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4
                                          : 0;
    if (len == 0 || n < len)
        return 0;
    for (size_t i = 1; i != len; ++i)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
        (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return len;
}

void tr_pb_string_field(tr_pb_t *pb, uint32_t field, const char *s, size_t len, size_t max)
{
    static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
    const unsigned char *u = (const unsigned char *)s;
    /* the common case: valid and short, copied as it is */
    size_t out = 0, i = 0;
    int clean = 1;
    while (i < len) {
        size_t k = utf8_seq(u + i, len - i);
        size_t w = k != 0 ? k : 3;
        if (out + w > max)
            break;
        clean &= k != 0;
        out += w;
        i += k != 0 ? k : 1;
    }
    if (clean) {
        tr_pb_bytes_field(pb, field, s, out);
        return;
    }
    put_tag(pb, field, WIRE_LEN);
    put_varint(pb, out);
    if (!room(pb, out))
        return;
    for (i = 0; out != 0;) {
        size_t k = utf8_seq(u + i, len - i);
        if (k != 0)
            memcpy(pb->buf + pb->len, s + i, k), pb->len += k, out -= k, i += k;
        else
            memcpy(pb->buf + pb->len, replacement, 3), pb->len += 3, out -= 3, i += 1;
    }
}

size_t tr_pb_begin(tr_pb_t *pb, uint32_t field)
{
    put_tag(pb, field, WIRE_LEN);
    size_t mark = pb->len;
    if (room(pb, 1))
        pb->buf[pb->len++] = 0; /* one byte reserved: most nested messages are short */
    return mark;
}

void tr_pb_end(tr_pb_t *pb, size_t mark)
{
    if (pb->overflow)
        return;
    size_t content = pb->len - mark - 1, n = tr_pb_varint_size(content);
    if (n > 1) {
        if (!room(pb, n - 1))
            return;
        memmove(pb->buf + mark + n, pb->buf + mark + 1, content);
        pb->len += n - 1;
    }
    uint64_t v = content;
    for (size_t i = 0; i != n; ++i, v >>= 7)
        pb->buf[mark + i] = (uint8_t)((v & 0x7f) | (i + 1 != n ? 0x80 : 0));
}
