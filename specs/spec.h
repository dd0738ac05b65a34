/* OpenAPI 3.0/3.1 model: a spec loaded from one or more YAML/JSON files, its $ref links resolved,
 * and its paths indexed for request matching. A spec_t is immutable once spec_load returns, so
 * any number of threads may read it concurrently without locking. */
#ifndef SPEC_SPEC_H
#define SPEC_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include "node.h"

typedef struct st_spec_t spec_t;
typedef struct st_spec_path_t spec_path_t;
typedef struct st_spec_operation_t spec_operation_t;

/* ---- Loading ------------------------------------------------------------------------------ */

typedef struct st_spec_load_options_t {
    spec_limits_t limits;   /* applied to every file; zero fields take node.h's defaults */
    uint32_t max_files;     /* documents per spec, root included; default 20000 */
    uint64_t max_total_bytes; /* all its files together; default 1 GiB */
    uint32_t max_ref_chain; /* $ref -> $ref hops before giving up; default 32 */
    /* The directory tree $refs may reach (symbolic links resolved); a file outside it is never
     * opened and each $ref to it is an error. NULL: the root document's directory. */
    const char *ref_root;
} spec_load_options_t;

typedef enum spec_version {
    SPEC_OAS_30 = 30, /* openapi: 3.0.x */
    SPEC_OAS_31 = 31, /* openapi: 3.1.x */
} spec_version_t;

typedef enum spec_severity {
    SPEC_SEVERITY_ERROR,
    SPEC_SEVERITY_WARNING,
} spec_severity_t;

/* Stable problem codes (spec_problem_t.code); lint maps them to findings. */
#define SPEC_PROBLEM_STRUCTURE "structure"             /* wrong node type, missing field */
#define SPEC_PROBLEM_REF_UNRESOLVED "ref-unresolved"   /* target file or pointer not found */
#define SPEC_PROBLEM_REF_INVALID "ref-invalid"         /* $ref not a string, bad pointer syntax */
#define SPEC_PROBLEM_REF_UNSUPPORTED "ref-unsupported" /* remote URL, anchor: a warning */
#define SPEC_PROBLEM_REF_CYCLE "ref-cycle"             /* $ref chain that never reaches a value */
#define SPEC_PROBLEM_REF_FILE "ref-file"               /* referenced file unreadable or malformed */
#define SPEC_PROBLEM_LIMIT "limit" /* max_files, max_total_bytes or max_ref_chain exceeded */
#define SPEC_PROBLEM_PATH_TEMPLATE "path-template"     /* malformed path template */
#define SPEC_PROBLEM_PATH_AMBIGUOUS "path-ambiguous"   /* same template shape as an earlier path */

/* Something wrong in the spec that did not stop loading. `error` holds file, line, column, the
 * JSON pointer of the node (within that file) and a message. */
typedef struct st_spec_problem_t {
    spec_severity_t severity;
    const char *code; /* one of SPEC_PROBLEM_*; static storage */
    spec_error_t error;
} spec_problem_t;

/* Loads the OpenAPI document at `path` and every file its $refs reach (relative to the referring
 * file; remote URLs and anchors are not followed, which is a warning). Returns 0 with a spec even
 * when it has problems (see spec_problems; a caller that needs a sound spec, like `versa serve`,
 * checks spec_error_count). Uses no global state: specs may load on several threads at once.
 * Returns -1 with `err` filled and *out NULL only when the root document cannot be used at all:
 * unreadable, malformed YAML/JSON, limits exceeded, not a mapping, Swagger 2.0, or a missing or
 * unsupported `openapi` version. `opts` may be NULL. */
int spec_load(spec_t **out, const char *path, const spec_load_options_t *opts, spec_error_t *err);
/* Like spec_load for a root document held in memory; `file` names it in positions and is the
 * base for relative $refs. The buffer is not retained. */
int spec_parse(spec_t **out, const char *file, const char *buf, size_t len,
               const spec_load_options_t *opts, spec_error_t *err);
/* Frees the spec, its documents and every node, string and index in them. Accepts NULL. */
void spec_destroy(spec_t *spec);

/* Problems in discovery order (references first, then paths); the array lives as long as the
 * spec. */
const spec_problem_t *spec_problems(const spec_t *spec, size_t *count);
/* Number of problems of severity SPEC_SEVERITY_ERROR. */
/* 1 when a loader limit (max_files, max_total_bytes) stopped files from loading: the model is
 * incomplete, and one SPEC_PROBLEM_LIMIT problem says which limit and how to raise it. */
int spec_incomplete(const spec_t *spec);
size_t spec_error_count(const spec_t *spec);

spec_version_t spec_version(const spec_t *spec);
/* The `openapi` field as written, e.g. "3.0.3". */
const char *spec_version_string(const spec_t *spec);
/* Root mapping of the root document. */
const spec_node_t *spec_root(const spec_t *spec);

/* Loaded documents: index 0 is the root, then referenced files in the order they were first
 * referenced. Each file is loaded once per spec. */
size_t spec_document_count(const spec_t *spec);
const spec_doc_t *spec_document(const spec_t *spec, size_t i);
/* The loaded document that holds node `n` (by its position's file), or NULL. */
const spec_doc_t *spec_node_document(const spec_t *spec, const spec_node_t *n);

/* ---- References --------------------------------------------------------------------------- */

/* A Reference Object found while loading. References are never copied: `target` is the node in
 * the (possibly other) document the $ref names. `$ref` keys inside data (example, examples values,
 * default, enum, const, x-* extensions) and property names called "$ref" are not references. */
typedef struct st_spec_ref_t {
    const spec_node_t *node;      /* the mapping holding $ref */
    const spec_node_t *value;     /* the $ref string (its position is the reference's) */
    const spec_doc_t *doc;        /* document holding `node` */
    const spec_node_t *target;    /* one hop; NULL when unresolved */
    const spec_doc_t *target_doc; /* document holding `target` */
    const char *target_pointer;   /* JSON pointer of `target` in target_doc ("" for its root) */
    const spec_node_t *resolved;  /* end of the chain (never a ref); NULL when broken */
    const spec_doc_t *resolved_doc;
    const char *resolved_pointer;
    size_t problem; /* index into spec_problems explaining a NULL `resolved`, or SIZE_MAX */
} spec_ref_t;

/* Every reference reachable from the root, in discovery order. */
const spec_ref_t *spec_refs(const spec_t *spec, size_t *count);
/* The spec_ref_t for a mapping holding $ref, or NULL when `n` is not a reference. O(1). */
const spec_ref_t *spec_ref_of(const spec_t *spec, const spec_node_t *n);
/* Follows `n` if it is a reference (through chains) and returns the value it stands for; returns
 * `n` itself when it is not a reference, NULL when `n` is NULL or the reference is broken. This is
 * the call to make before reading any node that OpenAPI allows to be a Reference Object. */
const spec_node_t *spec_deref(const spec_t *spec, const spec_node_t *n);
/* Like spec_deref, also giving the target's document (NULL for non-references) and, for a broken
 * reference, filling `err` (may be NULL) with the problem. */
const spec_node_t *spec_resolve(const spec_t *spec, const spec_node_t *n, const spec_doc_t **doc,
                                spec_error_t *err);

/* RFC 6901 JSON pointer lookup from `root` (no '#', no percent-decoding; "" is the root). Does not
 * follow references. NULL when absent or malformed. */
const spec_node_t *spec_pointer_get(const spec_node_t *root, const char *pointer, size_t len);
/* Appends "/" and the escaped token (~0, ~1) to the NUL-terminated pointer in buf. Returns 0, or
 * -1 when it does not fit (buf then holds a truncated, still terminated pointer). */
int spec_pointer_append(char *buf, size_t size, const char *token, size_t len);
/* The RFC 6901 pointer from `root` to the node `target` (a depth-first search: for error paths,
 * not per request) into buf. Returns 0, or -1 with buf "" when `target` is not below `root` or
 * the pointer does not fit. */
int spec_pointer_find(const spec_node_t *root, const spec_node_t *target, char *buf, size_t size);
/* Looks up a URI fragment such as "#/components/schemas/Pet" (percent-decoded, then RFC 6901) in
 * the root document and dereferences the result. NULL when absent. */
const spec_node_t *spec_lookup(const spec_t *spec, const char *fragment);
/* components/<kind>/<name> of the root document, dereferenced; kind is "schemas", "responses",
 * "parameters", "examples", "requestBodies", "headers", "securitySchemes", "links", "callbacks" or
 * "pathItems". NULL when absent. */
const spec_node_t *spec_component(const spec_t *spec, const char *kind, const char *name);

/* ---- Paths and operations ----------------------------------------------------------------- */

/* HTTP methods a Path Item can hold, in the order OpenAPI lists them. */
typedef enum spec_method {
    SPEC_METHOD_GET,
    SPEC_METHOD_PUT,
    SPEC_METHOD_POST,
    SPEC_METHOD_DELETE,
    SPEC_METHOD_OPTIONS,
    SPEC_METHOD_HEAD,
    SPEC_METHOD_PATCH,
    SPEC_METHOD_TRACE,
    SPEC_METHOD_COUNT
} spec_method_t;

/* "GET", "PUT", ...; NULL for out-of-range values. */
const char *spec_method_name(spec_method_t m);
/* Parses an HTTP method token (case-sensitive, "GET"). Returns 0, or -1 for methods OpenAPI
 * cannot describe. */
int spec_method_parse(const char *s, size_t len, spec_method_t *out);

typedef enum spec_param_in {
    SPEC_PARAM_PATH,
    SPEC_PARAM_QUERY,
    SPEC_PARAM_HEADER,
    SPEC_PARAM_COOKIE,
} spec_param_in_t;

/* A parameter after merging path-item and operation parameters (the operation's win on equal
 * name and location). Nodes are dereferenced; `written` is the node as it appears in the list
 * (perhaps a $ref), for positions. */
typedef struct st_spec_param_t {
    const char *name;
    spec_param_in_t in;
    int required;              /* `required: true`, or location path */
    const spec_node_t *node;   /* Parameter Object */
    const spec_node_t *schema; /* its schema (dereferenced), or NULL (content-based) */
    const spec_node_t *written;
} spec_param_t;

typedef struct st_spec_response_t {
    const char *status;      /* "200", "4XX" or "default", as written */
    const spec_node_t *key;  /* the status key, for positions */
    const spec_node_t *node; /* Response Object (dereferenced); NULL when broken */
} spec_response_t;

/* Read-only view of an operation; every pointer lives as long as the spec. */
struct st_spec_operation_t {
    spec_method_t method;
    const spec_path_t *path;
    const char *operation_id;   /* NULL when absent */
    const spec_node_t *key;     /* the method key ("get"), for positions */
    const spec_node_t *node;    /* Operation Object (dereferenced) */
    const spec_param_t *params; /* path-item parameters not overridden, then the operation's */
    size_t nparams;
    const spec_node_t *request_body;  /* Request Body Object (dereferenced), or NULL */
    const spec_response_t *responses; /* in document order */
    size_t nresponses;
    size_t index; /* position in spec_operation_at order */
};

/* Read-only view of a Paths entry. */
struct st_spec_path_t {
    const char *template;       /* "/pets/{petId}" */
    const spec_node_t *key;     /* the template key, for positions */
    const spec_node_t *node;    /* Path Item Object (dereferenced); NULL when broken */
    const spec_param_t *params; /* path-item level parameters */
    size_t nparams;
    const spec_operation_t *operations; /* in document order */
    size_t noperations;
    const spec_operation_t *by_method[SPEC_METHOD_COUNT]; /* NULL where the method is absent */
    const char *const *vars; /* template variable names, left to right */
    size_t nvars;
    size_t index; /* position in spec_path_at order */
    int indexed;  /* 0 when the template is malformed or ambiguous: spec_match never returns it */
};

/* Paths and operations in document order (for the lint). */
size_t spec_path_count(const spec_t *spec);
const spec_path_t *spec_path_at(const spec_t *spec, size_t i);
size_t spec_operation_count(const spec_t *spec);
const spec_operation_t *spec_operation_at(const spec_t *spec, size_t i);
/* Exact lookups; the first in document order wins if the spec repeats an operationId. */
const spec_operation_t *spec_find_operation_by_id(const spec_t *spec, const char *operation_id);
const spec_path_t *spec_find_path(const spec_t *spec, const char *template);

/* ---- Request matching --------------------------------------------------------------------- */

#define SPEC_MATCH_MAX_VARS 16 /* longer templates are reported and not indexed */

/* Template variables captured by spec_match. Values point into the caller's path and are still
 * percent-encoded. */
typedef struct st_spec_match_t {
    size_t count;
    struct {
        const char *name; /* NUL-terminated, owned by the spec */
        const char *value;
        size_t value_len;
    } vars[SPEC_MATCH_MAX_VARS];
} spec_match_t;

/* Finds the path whose template matches a request path ("/pets/42"; matching stops at '?').
 * Costs O(path length): a segment trie where literal segments beat templated ones (OpenAPI
 * "Path Templating Matching"), partial segments like "{name}.{ext}" beat whole-segment variables,
 * and a branch that dead-ends backtracks to the next candidate. Literal segments compare after
 * percent-decoding the request; a variable matches one non-empty segment ("/pets/" does not match
 * "/pets/{id}", nor "/pets"). Returns NULL when nothing matches. `captures` may be NULL. */
const spec_path_t *spec_match(const spec_t *spec, const char *path, size_t len,
                              spec_match_t *captures);

/* Bit (1u << method) set for each method the path item defines. */
unsigned spec_path_methods(const spec_path_t *path);
/* Writes the Allow header value for the path ("GET, POST", OpenAPI order) into buf; returns its
 * length, or the length it would have had when size is too small (snprintf-style). */
size_t spec_path_allow(const spec_path_t *path, char *buf, size_t size);

typedef enum spec_route_status {
    SPEC_ROUTE_FOUND,     /* *op set */
    SPEC_ROUTE_NO_PATH,   /* 404 */
    SPEC_ROUTE_NO_METHOD, /* 405: *path set; answer with spec_path_allow */
} spec_route_status_t;

/* spec_match plus the method lookup a gateway needs. `method` is the request's method token. */
spec_route_status_t spec_route(const spec_t *spec, const char *method, size_t method_len,
                               const char *path, size_t len, const spec_path_t **path_out,
                               const spec_operation_t **op, spec_match_t *captures);
/* spec_route's method lookup alone, for a path spec_match found already (never NULL): FOUND or
 * NO_METHOD. */
spec_route_status_t spec_route_path(const spec_path_t *path, const char *method,
                                    size_t method_len, const spec_operation_t **op);

/* ---- Responses, content and schemas --------------------------------------------------------- */

/* Response for a status code: the exact code, else its range ("4XX"), else "default"; NULL when
 * none applies. */
const spec_response_t *spec_operation_response(const spec_operation_t *op, int status);
/* Media Type Object for `media_type` (NULL means application/json) in a `content` map, both
 * dereferenced. Preference: the same type/subtype (case-insensitive, parameters ignored), else,
 * when both are JSON (application/json or a "+json" suffix), the first JSON entry, else the
 * wildcard of the same type, else the any-type wildcard. NULL when none applies. */
const spec_node_t *spec_content_media(const spec_t *spec, const spec_node_t *content,
                                      const char *media_type);
/* Dereferenced schema of a response (by status, see spec_operation_response) or of the request
 * body, for a media type chosen as spec_content_media does; NULL when there is none. */
const spec_node_t *spec_response_schema(const spec_t *spec, const spec_operation_t *op, int status,
                                        const char *media_type);
const spec_node_t *spec_request_schema(const spec_t *spec, const spec_operation_t *op,
                                       const char *media_type);

/* Walking schemas: schemas are never expanded, so recursive schemas are plain links. To walk one,
 * read keywords with spec_node_get and pass every subschema through spec_deref; bound your own
 * depth or remember visited nodes, since a schema may (legitimately) contain itself. The helpers
 * below do that for the common case, looking through $ref and allOf (to depth 64). */

/* Schema of property `name` of `schema` (its own `properties`, then its allOf members'),
 * dereferenced; NULL when not declared. */
const spec_node_t *spec_schema_property(const spec_t *spec, const spec_node_t *schema,
                                        const char *name);
/* Calls fn for each declared property: own `properties` in document order, then each allOf
 * member's (a name repeated in several members is reported each time). fn's `schema` is
 * dereferenced (NULL for a broken reference). Stops and returns fn's value when it is non-zero;
 * else returns 0. In 3.0 a $ref replaces its siblings; in 3.1 it applies after them. */
typedef int (*spec_schema_property_cb)(void *ctx, const char *name, const spec_node_t *key,
                                       const spec_node_t *schema);
int spec_schema_each_property(const spec_t *spec, const spec_node_t *schema,
                              spec_schema_property_cb fn, void *ctx);
/* Dereferenced `items` schema of an array schema (looking through allOf), or NULL. */
const spec_node_t *spec_schema_items(const spec_t *spec, const spec_node_t *schema);

#endif
