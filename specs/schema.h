/* Validation of JSON values in the body model (body/body.h) against OpenAPI Schema Objects held
 * as spec nodes: the JSON Schema subset OpenAPI 3.0 and 3.1 use, with the spec's resolver for
 * $ref. Used by the lint (examples, converted from their nodes, against their schemas) and by the
 * adapters' tests (adapted bodies against spec schemas). */
#ifndef SPEC_SCHEMA_H
#define SPEC_SCHEMA_H

#include <jansson.h>
#include <stddef.h>
#include "body.h"
#include "spec.h"

/* Which side of an exchange an instance comes from: OpenAPI lets a `required` property that is
 * readOnly be absent from requests and one that is writeOnly be absent from responses. */
typedef enum spec_validate_direction {
    SPEC_VALIDATE_ANY,
    SPEC_VALIDATE_REQUEST,
    SPEC_VALIDATE_RESPONSE,
} spec_validate_direction_t;

typedef struct st_spec_validate_options_t {
    spec_validate_direction_t direction;
    size_t max_errors; /* errors recorded before stopping; 0 means 16 */
    size_t max_steps;  /* schema evaluations allowed in this call; 0 means 2,000,000 */
    /* With a direction: a readOnly property present in a request, or a writeOnly one in a
     * response, is an error (keyword "readOnly" / "writeOnly"); the gateway's view. Lint leaves
     * it 0: examples may show them. */
    int strict_direction;
} spec_validate_options_t;

/* One way the instance breaks the schema. `instance_path` is an RFC 6901 pointer into the
 * instance ("" for the whole value); `schema` is the keyword's value node (its position says
 * which rule of the spec failed), or NULL. */
typedef struct st_spec_schema_error_t {
    char instance_path[1024];
    const spec_node_t *schema;
    const char *keyword; /* static: "type", "required", ... */
    char message[256];
} spec_schema_error_t;

/* Outcome of one validation; init it with spec_validation_init and dispose it after use.
 * `incomplete` is set when a limit (depth, step budget) or a broken $ref cut evaluation short:
 * parts that were not checked are treated as valid, never as errors. */
typedef struct st_spec_validation_t {
    spec_schema_error_t *errors;
    size_t count, cap;
    size_t steps; /* schema evaluations spent, summed over the calls that used this result */
    int incomplete;
} spec_validation_t;

void spec_validation_init(spec_validation_t *v);
void spec_validation_dispose(spec_validation_t *v);

/* A validator bound to one spec (for $ref resolution and the 3.0/3.1 dialect). It caches compiled
 * `pattern` regexes, so it is not thread-safe: use one per thread. The spec must outlive it. */
typedef struct st_spec_validator_t spec_validator_t;

spec_validator_t *spec_validator_create(const spec_t *spec);

/* Which JSON Schema dialect a standalone schema speaks: OpenAPI 3.0's (nullable, boolean
 * exclusive bounds, $ref siblings ignored), OpenAPI 3.1's and JSON Schema 2020-12 (the same
 * keywords), or draft 4 (`id`, boolean exclusive bounds, $ref siblings ignored). */
typedef enum spec_dialect {
    SPEC_DIALECT_OAS30,
    SPEC_DIALECT_OAS31,
    SPEC_DIALECT_DRAFT4,
    SPEC_DIALECT_2020_12,
} spec_dialect_t;

/* Parses "oas30", "oas31", "draft4" or "2020-12". Returns 0, or -1 for other names. */
int spec_dialect_parse(const char *name, spec_dialect_t *out);

/* Loads the document an absolute URI names (a $ref to another file or a remote), or returns
 * NULL. The returned root must outlive the validator; the callback keeps ownership. */
typedef const spec_node_t *(*spec_schema_fetch_cb)(void *ctx, const char *uri);

/* A validator for a standalone schema document rooted at `root` and named `uri` (its retrieval
 * URI, e.g. "file:///path/schema.json"; a root `$id` overrides it). $refs resolve by RFC 3986
 * against `$id`s, to `$anchor`s and JSON pointers; a document not yet seen is asked of `fetch`
 * (may be NULL) when a $ref first needs it. `root` must outlive the validator. */
spec_validator_t *spec_validator_create_schema(const spec_node_t *root, const char *uri,
                                               spec_dialect_t dialect, spec_schema_fetch_cb fetch,
                                               void *fetch_ctx);
/* Accepts NULL. */
void spec_validator_destroy(spec_validator_t *v);

/* Whether `format` asserts (a string that is not a valid date-time, date, time, email, uuid, uri,
 * ipv4, ipv6 or hostname is an error, keyword "format") or only annotates (the default in every
 * dialect, as JSON Schema 2020-12 §7.2.1 says; a 2020-12 metaschema whose $vocabulary names
 * format-assertion asserts). Other format names are never checked. Call before the validator is
 * used or frozen. */
typedef enum spec_formats {
    SPEC_FORMATS_ANNOTATE,
    SPEC_FORMATS_ASSERT,
} spec_formats_t;
void spec_validator_set_formats(spec_validator_t *v, spec_formats_t formats);
/* Parses "annotate" or "assert". Returns 0, or -1 for other names. */
int spec_formats_parse(const char *name, spec_formats_t *out);

/* Compiles every `pattern` and `patternProperties` regex below `root` (a spec's root) and then
 * freezes the validator: it changes no more, so any number of threads may validate with it at
 * once (regexec is thread-safe). A pattern met later that was not compiled here is not checked.
 * The gateway calls this at start-up, so no request compiles anything. */
void spec_validator_freeze(spec_validator_t *v, const spec_node_t *root);

/* Validates `instance` against `schema` (a Schema Object node, possibly a $ref or, in 3.1, a
 * boolean). Appends errors to `out` (which is not cleared) and returns how many this call found.
 * `opts` may be NULL. `discriminator` is not a validation keyword (the oneOf/anyOf beside it
 * decide); `$dynamicRef` is followed in standalone schemas only (specs resolve through their
 * resolver, which knows no dynamic scope); a `pattern` that is not valid ECMA-262, or not
 * enforceable (schema_regex.h), is not checked and marks the result incomplete. */
size_t spec_validate(spec_validator_t *v, const spec_node_t *schema, const body_value_t *instance,
                     const spec_validate_options_t *opts, spec_validation_t *out);

/* Validates the JSON text json[0..len) against `schema` as it reads it, building no tree for
 * the objects and arrays whose schema keeps to type, properties, required,
 * additionalProperties, maxProperties, items and min/maxItems (other parts are parsed on their
 * own into `mem`, which the caller resets). Returns 1 exactly when body_parse accepts the text
 * and spec_validate would find it valid and complete; 0 when it cannot say so (invalid, not
 * JSON, or a case it leaves to the tree), after which the caller parses and validates as before
 * to get the errors. The common case, a valid document, costs one pass over the text. */
int spec_validate_text(spec_validator_t *v, const spec_node_t *schema, const char *json,
                       size_t len, const spec_validate_options_t *opts, const body_mem_t *mem);

/* Converts a node to a new JSON value (new reference), for load-time constants (adapter files):
 * scalars by their YAML type, mappings to objects, sequences to arrays. Shared alias nodes are
 * expanded, so the values created are bounded by *budget, which is decremented by the number
 * created (NULL: at most 1,000,000). Returns NULL with `err` filled (may be NULL) when the budget
 * runs out or text is not UTF-8. */
json_t *spec_node_to_json(const spec_node_t *n, size_t *budget, spec_error_t *err);

/* The same conversion into the body model, allocated from `mem`, for validation. Strings and
 * names point into the node, which must outlive the value. */
body_value_t *spec_node_to_body(const body_mem_t *mem, const spec_node_t *n, size_t *budget,
                                spec_error_t *err);

#endif
