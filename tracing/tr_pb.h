/* A protocol buffers writer (https://protobuf.dev/programming-guides/encoding/) for the few
 * OTLP messages the gateway sends: varints, fixed-width numbers, length-delimited fields and
 * nested messages, into a caller-owned buffer of fixed capacity. No allocation. */
#ifndef TR_PB_H
#define TR_PB_H

#include <stddef.h>
#include <stdint.h>

typedef struct st_tr_pb_t {
    uint8_t *buf;
    size_t len, cap;
    int overflow; /* set once a write did not fit; everything after it is skipped */
} tr_pb_t;

void tr_pb_init(tr_pb_t *pb, uint8_t *buf, size_t cap);

/* Fields; `field` is the field number. Zero values are written too: proto3 omits defaults, so
 * callers leave out what is zero when they want the shortest encoding. */
void tr_pb_varint_field(tr_pb_t *pb, uint32_t field, uint64_t v); /* uint32/64, enum, bool */
void tr_pb_int64_field(tr_pb_t *pb, uint32_t field,
                       int64_t v); /* two's complement, 10 bytes if < 0 */
void tr_pb_fixed32_field(tr_pb_t *pb, uint32_t field, uint32_t v);
void tr_pb_fixed64_field(tr_pb_t *pb, uint32_t field, uint64_t v);
void tr_pb_double_field(tr_pb_t *pb, uint32_t field, double v);
void tr_pb_bytes_field(tr_pb_t *pb, uint32_t field, const void *p, size_t len);
/* A string field: proto3 strings must be valid UTF-8 (collectors reject a request holding one
 * that is not), so invalid sequences become U+FFFD, and the text is cut at a character boundary
 * to at most `max` bytes. */
void tr_pb_string_field(tr_pb_t *pb, uint32_t field, const char *s, size_t len, size_t max);

/* Nested message: begin writes the tag and reserves the length; end writes it (moving the
 * content when the length needs more than one byte). Returns/takes the reservation's offset. */
size_t tr_pb_begin(tr_pb_t *pb, uint32_t field);
void tr_pb_end(tr_pb_t *pb, size_t mark);

/* The encoded size of a varint. */
size_t tr_pb_varint_size(uint64_t v);

#endif
