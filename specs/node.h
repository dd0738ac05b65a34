/* Positioned document tree: YAML (and JSON, its subset) parsed with libyaml into immutable nodes
 * that remember file, line and column. Every YAML input of Versa (OpenAPI specs, the gateway
 * config, adapter files, lint rulesets) is read through this one API. */
#ifndef SPEC_NODE_H
#define SPEC_NODE_H

#include <stddef.h>
#include <stdint.h>

typedef enum spec_node_kind {
    SPEC_NODE_SCALAR,
    SPEC_NODE_MAPPING,
    SPEC_NODE_SEQUENCE,
} spec_node_kind_t;

/* Type of a scalar under YAML 1.2's core schema: plain `null`/`~`/empty, `true`/`false`, integers
 * and floats are typed; quoted, block and explicitly tagged `!!str` scalars are strings. */
typedef enum spec_scalar_type {
    SPEC_SCALAR_NULL,
    SPEC_SCALAR_BOOL,
    SPEC_SCALAR_INT,
    SPEC_SCALAR_FLOAT,
    SPEC_SCALAR_STRING,
} spec_scalar_type_t;

/* A position in an input file; line and col are 1-based. `file` is owned by the document. */
typedef struct st_spec_pos_t {
    const char *file;
    uint32_t line;
    uint32_t col;
} spec_pos_t;

typedef struct st_spec_node_t spec_node_t;

typedef struct st_spec_pair_t {
    const spec_node_t *key; /* always a scalar */
    const spec_node_t *value;
} spec_pair_t;

/* Nodes are read-only once parsed. YAML aliases share the anchored node (the tree is a DAG), so
 * an alias bomb costs one pointer per alias, never a copy. */
struct st_spec_node_t {
    spec_node_kind_t kind;
    spec_scalar_type_t scalar_type; /* SPEC_NODE_SCALAR only */
    spec_pos_t pos;
    union {
        struct {
            const char *str; /* NUL-terminated; may also hold NULs, so use len */
            size_t len;
        } scalar;
        struct {
            const spec_pair_t *items; /* in document order */
            size_t len;
        } map;
        struct {
            const spec_node_t *const *items;
            size_t len;
        } seq;
    } u;
};

/* Limits on hostile input; zero fields take the defaults below. */
typedef struct st_spec_limits_t {
    size_t max_file_bytes; /* default 64 MiB */
    uint32_t max_depth;    /* nesting of mappings/sequences; default 256 */
    size_t max_aliases;    /* alias references per document; default 100000 */
    size_t max_nodes;      /* nodes per document; default 8 million */
} spec_limits_t;

/* An error with its position. `pointer` is a JSON pointer to the offending node when known
 * (empty otherwise). Functions that fail fill it and return non-zero; they never print. */
typedef struct st_spec_error_t {
    char file[512];
    uint32_t line, col;
    char pointer[512];
    char message[512];
} spec_error_t;

/* A parsed file: owns every node, string and position of the tree. */
typedef struct st_spec_doc_t spec_doc_t;

/* Parses `len` bytes of YAML or JSON named `file` (used in positions). Returns 0 and a document,
 * or -1 with `err` filled (syntax errors with line:col, limits exceeded, multiple documents). */
int spec_doc_parse(spec_doc_t **out, const char *file, const char *buf, size_t len,
                   const spec_limits_t *limits, spec_error_t *err);
/* Reads and parses a file; the size limit is checked before reading it whole. */
int spec_doc_load(spec_doc_t **out, const char *path, const spec_limits_t *limits,
                  spec_error_t *err);
/* Frees the document and every node in it. Accepts NULL. */
void spec_doc_destroy(spec_doc_t *doc);
const spec_node_t *spec_doc_root(const spec_doc_t *doc);
const char *spec_doc_file(const spec_doc_t *doc);
/* Bytes of the source text the document was parsed from. */
size_t spec_doc_size(const spec_doc_t *doc);

/* Mapping lookup by key; NULL when `map` is NULL, not a mapping, or lacks the key. O(n). */
const spec_node_t *spec_node_get(const spec_node_t *map, const char *key);
/* Sequence element or NULL. */
const spec_node_t *spec_node_at(const spec_node_t *seq, size_t i);
/* Scalar text when `n` is a scalar of type string (or any scalar when `any_scalar`), else NULL. */
const char *spec_node_str(const spec_node_t *n);
const char *spec_node_scalar(const spec_node_t *n);
/* 1 when `n` is a scalar equal to `s`. */
int spec_node_is(const spec_node_t *n, const char *s);
/* Typed scalar readers: return 0 and store the value, or -1 when the node is not of that type. */
int spec_node_bool(const spec_node_t *n, int *out);
int spec_node_int(const spec_node_t *n, int64_t *out);
int spec_node_number(const spec_node_t *n, double *out);
/* "mapping", "sequence", "string", "integer", "number", "boolean" or "null": for messages. */
const char *spec_node_type_name(const spec_node_t *n);

/* Fills `err` with the node's position and a printf-style message; returns -1 for tail calls. */
int spec_error_at(spec_error_t *err, const spec_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Formats "file:line:col: message" into buf. */
const char *spec_error_format(const spec_error_t *err, char *buf, size_t size);

#endif
