/* Structural comparison of two HTTP responses (status, headers, body) into a bounded list of
 * differences, each with an aggregated path (`body.items[*].id`) and value excerpts. Shared by
 * shadow traffic in the gateway and by `versa replay`. */
#ifndef CT_DIFF_H
#define CT_DIFF_H

#include "up_http.h"
#include <jansson.h>
#include <stddef.h>

#include "body.h"

#include "ct_rules.h"

/* Every kind of difference, with its name in results and reports. */
#define CT_DIFF_KIND_LIST(X)                                                                       \
    X(MISSING, "missing")             /* present in primary, absent in candidate */                \
    X(EXTRA, "extra")                 /* absent in primary, present in candidate */                \
    X(TYPE_CHANGED, "type_changed")   /* JSON types differ (1 and 1.0 are both numbers) */         \
    X(VALUE_CHANGED, "value_changed") /* same type, different value (status, header too) */        \
    X(ARRAY_LENGTH_CHANGED, "array_length_changed")                                                \
    X(ORDER_CHANGED, "order_changed") /* same elements (as a multiset), different order */         \
    X(INVALID_JSON, "invalid_json")   /* declared JSON, only one side parses */                    \
    X(BYTES_CHANGED, "bytes_changed") /* non-JSON bodies differ */                                 \
    X(TOO_DEEP, "too_deep")           /* differs below the max_depth nesting limit */

typedef enum ct_kind {
#define CT_DIFF_KIND_ENUM(name, text) CT_DIFF_##name,
    CT_DIFF_KIND_LIST(CT_DIFF_KIND_ENUM)
#undef CT_DIFF_KIND_ENUM
        CT_DIFF_KIND_COUNT
} ct_kind_t;

/* One header as received; nothing needs NUL termination. The upstream client's type, so that
 * its responses compare without copies. */
typedef up_header_t ct_header_t;

/* A response to compare; everything is borrowed for the duration of the call. Bodies must already
 * be decoded: a Content-Encoding other than identity makes the body compare as bytes. */
typedef struct st_ct_response_t {
    int status;
    const ct_header_t *headers;
    size_t num_headers;
    const char *content_type; /* NULL: taken from the Content-Type header */
    size_t content_type_len;
    const char *body;
    size_t body_len;
    /* optional: `body` already parsed into the body model (body.h) by the caller, which then is
     * not parsed again (shadowing passes the tree the adapters produced). It must hold what the
     * bytes hold; NULL: the bytes are parsed when the body is compared as JSON. */
    const body_value_t *json;
} ct_response_t;

/* 1 when the response's media type (content_type, else its Content-Type header) is JSON:
 * application/json or any +json type (RFC 8259 §11, RFC 6839 §3.1), parameters ignored. */
int ct_response_is_json(const ct_response_t *r);

/* One difference. Strings are owned by the result, valid UTF-8, and live until the result is
 * cleared or disposed. */
typedef struct st_ct_diff_t {
    ct_kind_t kind;
    const char *path;      /* aggregated: array indices written [*] */
    const char *concrete;  /* the same place with its indices, for samples */
    const char *primary;   /* display excerpt of the primary side; NULL when absent */
    const char *candidate; /* display excerpt of the candidate side; NULL when absent */
    const char *detail;    /* NULL, or a short explanation (sizes, parse error, types) */
} ct_diff_t;

/* Differences of one comparison. Reuse one result per thread: its buffers are kept between
 * comparisons. Not thread-safe. */
typedef struct st_ct_result_t {
    ct_diff_t *diffs;
    size_t num_diffs;
    int truncated; /* more than max_diffs differences existed; the rest were not recorded */
    /* private */
    size_t capacity;
    struct st_ct_scratch_t *scratch;
} ct_result_t;

/* Makes an empty result; nothing is allocated until the first comparison. */
void ct_result_init(ct_result_t *result);
/* Frees everything the result owns; it may be initialized again afterwards. */
void ct_result_dispose(ct_result_t *result);
/* Forgets the differences but keeps the buffers for the next comparison. */
void ct_result_clear(ct_result_t *result);

/* Compares primary with candidate under rules (NULL: default options, no rules) for an operation
 * (selects the rules scoped to it; NULL: unscoped rules only) and replaces the contents of
 * result. Never fails: unparsable bodies, limits and odd input become differences. Returns 1
 * when a difference was found, else 0. Thread-safe for distinct results. */
int ct_compare(const ct_rules_t *rules, const char *operation, const ct_response_t *primary,
               const ct_response_t *candidate, ct_result_t *result);

/* Compares two already parsed bodies (body model, body.h) the same way; paths start at `body`.
 * NULL stands for an absent body. Returns 1 when a difference was found, else 0. The values are
 * only read. */
int ct_compare_json(const ct_rules_t *rules, const char *operation, const body_value_t *primary,
                    const body_value_t *candidate, ct_result_t *result);

/* "value_changed" etc.; "unknown" outside the enum. */
const char *ct_kind_name(ct_kind_t kind);
/* Parses a kind name; returns 0, or -1 when the name is unknown. */
int ct_kind_from_name(const char *name, ct_kind_t *kind);

/* Writes one line describing the difference, snprintf-style (returns the length it needed):
 *     <kind> <path>[ @ <concrete path>]: <primary> -> <candidate>[ (<detail>)]
 * where an absent side is written `(absent)` and the concrete path only when it differs. */
size_t ct_diff_format(const ct_diff_t *diff, char *buf, size_t size);

/* Renders the result as {"identical": bool, "truncated": bool, "differences": [{"kind", "path",
 * "concrete_path", "primary", "candidate", "detail"}]}; absent values are null. New reference. */
json_t *ct_result_to_json(const ct_result_t *result);

#endif
