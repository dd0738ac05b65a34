/* The OTLP trace messages the gateway sends (opentelemetry/proto/trace/v1/trace.proto and
 * collector/trace/v1/trace_service.proto in ../shared/otlp-proto): one Span at a time as the
 * request path finishes it, and the ExportTraceServiceRequest around a batch of them. */
#ifndef TR_OTLP_H
#define TR_OTLP_H

#include <stddef.h>
#include <stdint.h>
#include "tr_pb.h"

/* Strings longer than this are cut (at a UTF-8 boundary) when encoded. */
#define TR_OTLP_MAX_STRING 2048

typedef enum tr_span_kind {
    TR_SPAN_SERVER = 2, /* Span.SpanKind */
    TR_SPAN_CLIENT = 3,
} tr_span_kind_t;

typedef enum tr_attr_type {
    TR_ATTR_STRING,
    TR_ATTR_INT,
    TR_ATTR_BOOL,
} tr_attr_type_t;

/* A KeyValue with a scalar AnyValue; strings are borrowed and need not be NUL-terminated. */
typedef struct st_tr_attr_t {
    const char *key;
    tr_attr_type_t type;
    const char *str;
    size_t len;
    int64_t i; /* TR_ATTR_INT, and TR_ATTR_BOOL (0 or 1) */
} tr_attr_t;

static inline tr_attr_t tr_attr_str(const char *key, const char *s, size_t len)
{
    return (tr_attr_t){key, TR_ATTR_STRING, s, len, 0};
}
static inline tr_attr_t tr_attr_int(const char *key, int64_t v)
{
    return (tr_attr_t){key, TR_ATTR_INT, NULL, 0, v};
}
static inline tr_attr_t tr_attr_bool(const char *key, int v)
{
    return (tr_attr_t){key, TR_ATTR_BOOL, NULL, 0, v != 0};
}

typedef struct st_tr_link_t {
    uint8_t trace_id[16], span_id[8];
    uint8_t flags; /* W3C trace flags */
} tr_link_t;

typedef enum tr_status {
    TR_STATUS_UNSET = 0, /* Status.StatusCode */
    TR_STATUS_OK = 1,
    TR_STATUS_ERROR = 2,
} tr_status_t;

/* One finished span; everything is borrowed for the duration of the encoding. */
typedef struct st_tr_span_t {
    uint8_t trace_id[16], span_id[8], parent_span_id[8];
    int has_parent;
    int parent_is_remote; /* the parent came in a traceparent (Span.flags bits 8 and 9) */
    uint8_t trace_flags;
    const char *trace_state; /* the sanitised tracestate, or NULL */
    size_t trace_state_len;
    const char *name;
    size_t name_len;
    tr_span_kind_t kind;
    uint64_t start_ns, end_ns; /* UNIX epoch nanoseconds */
    const tr_attr_t *attrs;
    size_t num_attrs;
    const tr_link_t *links;
    size_t num_links;
    tr_status_t status;
    const char *status_message; /* NUL-terminated, or NULL */
} tr_span_t;

/* Writes the fields of a Span message (its content, without tag and length) to pb; pb->overflow
 * tells when it did not fit. */
void tr_otlp_span(tr_pb_t *pb, const tr_span_t *span);

/* Writes the content of a Resource (service.name, service.version and `extra`, in that order). */
void tr_otlp_resource(tr_pb_t *pb, const char *service_name, const char *service_version,
                      const tr_attr_t *extra, size_t num_extra);

/* The ExportTraceServiceRequest of one batch: one ResourceSpans with `resource` (the content of
 * a Resource message as tr_otlp_resource wrote it), one ScopeSpans of scope `scope_name`
 * `scope_version`, and `spans[i]` (each the content of a Span as tr_otlp_span wrote it). Returns
 * the size; write it into a buffer of at least tr_otlp_request_bound bytes. */
size_t tr_otlp_request_bound(size_t resource_len, size_t scope_len, const size_t *span_lens,
                             size_t n);
size_t tr_otlp_request(uint8_t *out, size_t cap, const uint8_t *resource, size_t resource_len,
                       const char *scope_name, const char *scope_version,
                       const uint8_t *const *spans, const size_t *span_lens, size_t n);

#endif
