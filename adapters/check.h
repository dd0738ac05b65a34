/* Load-time questions about schemas: does a JSON path exist in a schema, is a member required,
 * what type and enum does a field declare. Used to validate adapter files against the specs. */
#ifndef ADP_CHECK_H
#define ADP_CHECK_H

#include <jansson.h>
#include "adapters.h"
#include "convert.h"
#include "jpath.h"

typedef enum adp__found {
    ADP__FOUND,        /* the path is declared; *out is its schema */
    ADP__NOT_DECLARED, /* the schema lists its members (or items) and this is not one */
    ADP__UNKNOWN,      /* the schema is open (no properties, no type): cannot tell */
} adp__found_t;

/* Follows `path` through `schema` (properties, additionalProperties, items, allOf, oneOf and
 * anyOf). On ADP__NOT_DECLARED, *failed_at is the index of the segment that does not exist.
 * *optional (may be NULL) is set when a member segment at index >= from_seg is declared but
 * not required, i.e. a body may legitimately lack it. */
adp__found_t adp__schema_path(const spec_t *spec, const spec_node_t *schema,
                              const adp__jpath_t *path, size_t from_seg, const spec_node_t **out,
                              size_t *failed_at, int *optional);

/* 1 when the schema's `type` (own or through allOf) admits a value of convert type `t`, or
 * declares no type. */
int adp__schema_admits(const spec_t *spec, const spec_node_t *schema, adp__type_t t);
/* The schema's enum values (own or through allOf) as a new JSON array, or NULL when it has
 * none. */
json_t *adp__schema_enum(const spec_t *spec, const spec_node_t *schema);

#endif
