/* OTLP trace messages over the protobuf writer: Span (with KeyValue, AnyValue, Link, Status),
 * Resource, and the ExportTraceServiceRequest envelope of a batch. Field numbers are those of
 * opentelemetry-proto's trace.proto, common.proto, resource.proto and trace_service.proto. */
#include "tr_otlp.h"

#include <string.h>

/* common.proto */
enum { KV_KEY = 1, KV_VALUE = 2 };
enum { ANY_STRING = 1, ANY_BOOL = 2, ANY_INT = 3 };
enum { SCOPE_NAME = 1, SCOPE_VERSION = 2 };
/* resource.proto */
enum { RESOURCE_ATTRIBUTES = 1 };
/* trace.proto */
enum { RS_RESOURCE = 1, RS_SCOPE_SPANS = 2 };
enum { SS_SCOPE = 1, SS_SPANS = 2 };
enum {
    SPAN_TRACE_ID = 1,
    SPAN_SPAN_ID = 2,
    SPAN_TRACE_STATE = 3,
    SPAN_PARENT_SPAN_ID = 4,
    SPAN_NAME = 5,
    SPAN_KIND = 6,
    SPAN_START = 7,
    SPAN_END = 8,
    SPAN_ATTRIBUTES = 9,
    SPAN_LINKS = 13,
    SPAN_STATUS = 15,
    SPAN_FLAGS = 16,
};
enum { LINK_TRACE_ID = 1, LINK_SPAN_ID = 2, LINK_FLAGS = 6 };
enum { STATUS_MESSAGE = 2, STATUS_CODE = 3 };
/* trace_service.proto */
enum { REQ_RESOURCE_SPANS = 1 };
/* Span.flags, SpanFlags: the W3C flags in bits 0-7, whether the parent's remoteness is known and
 * whether it is remote in bits 8 and 9 */
#define HAS_IS_REMOTE 0x100u
#define IS_REMOTE 0x200u

static void write_attr(tr_pb_t *pb, uint32_t field, const tr_attr_t *a)
{
    size_t kv = tr_pb_begin(pb, field);
    tr_pb_string_field(pb, KV_KEY, a->key, strlen(a->key), TR_OTLP_MAX_STRING);
    size_t any = tr_pb_begin(pb, KV_VALUE);
    switch (a->type) {
    case TR_ATTR_STRING:
        tr_pb_string_field(pb, ANY_STRING, a->str != NULL ? a->str : "", a->len,
                           TR_OTLP_MAX_STRING);
        break;
    case TR_ATTR_BOOL:
        tr_pb_varint_field(pb, ANY_BOOL, a->i != 0);
        break;
    case TR_ATTR_INT:
        tr_pb_int64_field(pb, ANY_INT, a->i);
        break;
    }
    tr_pb_end(pb, any);
    tr_pb_end(pb, kv);
}

void tr_otlp_span(tr_pb_t *pb, const tr_span_t *s)
{
    tr_pb_bytes_field(pb, SPAN_TRACE_ID, s->trace_id, 16);
    tr_pb_bytes_field(pb, SPAN_SPAN_ID, s->span_id, 8);
    if (s->trace_state != NULL && s->trace_state_len != 0)
        tr_pb_string_field(pb, SPAN_TRACE_STATE, s->trace_state, s->trace_state_len,
                           TR_OTLP_MAX_STRING);
    if (s->has_parent)
        tr_pb_bytes_field(pb, SPAN_PARENT_SPAN_ID, s->parent_span_id, 8);
    tr_pb_string_field(pb, SPAN_NAME, s->name, s->name_len, TR_OTLP_MAX_STRING);
    tr_pb_varint_field(pb, SPAN_KIND, (uint64_t)s->kind);
    tr_pb_fixed64_field(pb, SPAN_START, s->start_ns);
    tr_pb_fixed64_field(pb, SPAN_END, s->end_ns);
    for (size_t i = 0; i != s->num_attrs; ++i)
        write_attr(pb, SPAN_ATTRIBUTES, &s->attrs[i]);
    for (size_t i = 0; i != s->num_links; ++i) {
        size_t link = tr_pb_begin(pb, SPAN_LINKS);
        tr_pb_bytes_field(pb, LINK_TRACE_ID, s->links[i].trace_id, 16);
        tr_pb_bytes_field(pb, LINK_SPAN_ID, s->links[i].span_id, 8);
        tr_pb_fixed32_field(pb, LINK_FLAGS, s->links[i].flags | HAS_IS_REMOTE);
        tr_pb_end(pb, link);
    }
    if (s->status != TR_STATUS_UNSET) {
        size_t st = tr_pb_begin(pb, SPAN_STATUS);
        if (s->status_message != NULL)
            tr_pb_string_field(pb, STATUS_MESSAGE, s->status_message, strlen(s->status_message),
                               TR_OTLP_MAX_STRING);
        tr_pb_varint_field(pb, STATUS_CODE, (uint64_t)s->status);
        tr_pb_end(pb, st);
    }
    uint32_t flags =
        s->trace_flags | HAS_IS_REMOTE | (s->has_parent && s->parent_is_remote ? IS_REMOTE : 0);
    tr_pb_fixed32_field(pb, SPAN_FLAGS, flags);
}

void tr_otlp_resource(tr_pb_t *pb, const char *service_name, const char *service_version,
                      const tr_attr_t *extra, size_t num_extra)
{
    tr_attr_t a = tr_attr_str("service.name", service_name, strlen(service_name));
    write_attr(pb, RESOURCE_ATTRIBUTES, &a);
    a = tr_attr_str("service.version", service_version, strlen(service_version));
    write_attr(pb, RESOURCE_ATTRIBUTES, &a);
    for (size_t i = 0; i != num_extra; ++i)
        write_attr(pb, RESOURCE_ATTRIBUTES, &extra[i]);
}

/* tag (1 byte for fields 1..15) + length varint + content */
static size_t nested(size_t content)
{
    return 1 + tr_pb_varint_size(content) + content;
}

size_t tr_otlp_request_bound(size_t resource_len, size_t scope_len, const size_t *span_lens,
                             size_t n)
{
    size_t spans = 0;
    for (size_t i = 0; i != n; ++i)
        spans += nested(span_lens[i]);
    return nested(nested(resource_len) + nested(nested(scope_len) + spans)) + 16;
}

size_t tr_otlp_request(uint8_t *out, size_t cap, const uint8_t *resource, size_t resource_len,
                       const char *scope_name, const char *scope_version,
                       const uint8_t *const *spans, const size_t *span_lens, size_t n)
{
    tr_pb_t pb;
    tr_pb_init(&pb, out, cap);
    size_t rs = tr_pb_begin(&pb, REQ_RESOURCE_SPANS);
    tr_pb_bytes_field(&pb, RS_RESOURCE, resource, resource_len);
    size_t ss = tr_pb_begin(&pb, RS_SCOPE_SPANS);
    size_t scope = tr_pb_begin(&pb, SS_SCOPE);
    tr_pb_string_field(&pb, SCOPE_NAME, scope_name, strlen(scope_name), TR_OTLP_MAX_STRING);
    tr_pb_string_field(&pb, SCOPE_VERSION, scope_version, strlen(scope_version),
                       TR_OTLP_MAX_STRING);
    tr_pb_end(&pb, scope);
    for (size_t i = 0; i != n; ++i)
        tr_pb_bytes_field(&pb, SS_SPANS, spans[i], span_lens[i]);
    tr_pb_end(&pb, ss);
    tr_pb_end(&pb, rs);
    return pb.overflow ? 0 : pb.len;
}
