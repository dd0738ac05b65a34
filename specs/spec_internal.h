/* Internals shared by the files of the OpenAPI model (spec.c, arena.c, ref.c, pointer.c, paths.c,
 * match.c, lookup.c). Not part of the public API: other components include spec.h only. */
#ifndef SPEC_INTERNAL_H
#define SPEC_INTERNAL_H

#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "spec.h"

/* ---- Allocation: abort on failure (STYLE: one out-of-memory policy) ---- */

void *spec__xmalloc(size_t size);
void *spec__xcalloc(size_t n, size_t size);
void *spec__xrealloc(void *p, size_t size);

/* Bump allocator: everything a spec owns beyond its documents lives in one, freed at once. */
typedef struct st_spec__arena_t {
    struct spec__arena_chunk *chunks;
} spec__arena_t;

void spec__arena_init(spec__arena_t *a);
void spec__arena_dispose(spec__arena_t *a);
/* Zeroed, 8-byte aligned memory. */
void *spec__arena_alloc(spec__arena_t *a, size_t size);
char *spec__arena_strndup(spec__arena_t *a, const char *s, size_t len);

/* ---- Pointer-keyed hash map (open addressing, malloc'd, grows) ---- */

typedef struct st_spec__ptrmap_t {
    uintptr_t *keys; /* 0 = empty */
    size_t *values;
    size_t cap, len;
} spec__ptrmap_t;

void spec__ptrmap_dispose(spec__ptrmap_t *m);
/* Inserts key -> value unless present; returns 1 when inserted, 0 when the key existed (its
 * value is then left unchanged and stored in *existing when non-NULL). `key` must not be 0. */
int spec__ptrmap_put(spec__ptrmap_t *m, uintptr_t key, size_t value, size_t *existing);
/* The value slot of `key`, inserted as 0 when absent; valid until the next insertion. */
size_t *spec__ptrmap_slot(spec__ptrmap_t *m, uintptr_t key);
/* Returns 1 and the value when present. */
int spec__ptrmap_get(const spec__ptrmap_t *m, uintptr_t key, size_t *value);

/* ---- The spec object ---- */

typedef struct st_spec__document_t {
    spec_doc_t *doc; /* NULL when the file failed to load (then `problem` says why) */
    char *name;      /* lexically normalised path, as shown in positions */
    char *real;      /* realpath(name), or NULL when the file does not exist */
    size_t problem;  /* SIZE_MAX, or the problem explaining a failed load */
} spec__document_t;

typedef struct st_spec__trie_t spec__trie_t;

struct st_spec_t {
    spec__arena_t arena;
    spec_load_options_t opts;
    const char *ref_root; /* resolved, ending in '/'; one that matches no path when unresolvable */
    spec_version_t version;
    const char *version_string;
    const spec_node_t *root;

    spec__document_t *documents; /* malloc'd; includes failed loads, see spec_document_count */
    size_t *doc_index;           /* open addressing over names and real paths: index + 1, 0 empty */
    size_t doc_index_cap;        /* a power of two, at least 4 x documents (two keys each) */
    uint64_t total_bytes;        /* of the loaded files, against opts.max_total_bytes */
    int limit_reported;          /* the one problem for a crossed loader limit is recorded */
    size_t ndocuments;
    const spec_doc_t **loaded; /* the successfully loaded documents, in load order */
    size_t nloaded;

    spec_problem_t *problems;
    size_t nproblems, problems_cap, nerrors;

    spec_ref_t *refs;
    size_t nrefs, refs_cap;
    spec__ptrmap_t ref_index; /* node address -> index in refs */

    spec_path_t *paths;
    size_t npaths;
    spec_operation_t *operations;
    size_t noperations;
    const spec_operation_t **ops_by_id; /* sorted by operationId, then document order */
    size_t nops_by_id;
    spec__trie_t *trie;
};

/* "a mapping", "an integer", ...: a node's type with its article, for messages. */
const char *spec__a_type(const spec_node_t *n);

/* Appends a problem positioned at `n` (may be NULL) with JSON pointer `pointer` (may be NULL) and
 * returns its index. */
size_t spec__problem(spec_t *spec, spec_severity_t severity, const char *code, const spec_node_t *n,
                     const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
size_t spec__vproblem(spec_t *spec, spec_severity_t severity, const char *code,
                      const spec_node_t *n, const char *pointer, const char *fmt, va_list ap);

/* Appends a document slot (doc NULL for a file that failed to load) and returns its index. */
size_t spec__add_document(spec_t *spec, spec_doc_t *doc, char *name, char *real);
/* `rel` (a $ref's file part, percent-decoded) against the file `base_file` that holds it,
 * normalised, in the arena. */
char *spec__join_relative(spec__arena_t *a, const char *base_file, const char *rel);
/* Finds or loads the file `name` (normalised). Returns its index in spec->documents, or
 * SIZE_MAX when a loader limit forbids another file, with *why the limit's name. */
size_t spec__open_document(spec_t *spec, const char *name, const char **why);
/* realpath(name) copied into the arena, or NULL when the file does not exist. */
char *spec__real_path(spec__arena_t *a, const char *name);

/* Discovers every reference reachable from the root document, loading referenced files, and
 * resolves them (spec->refs, spec->ref_index); failures become problems. */
void spec__resolve_refs(spec_t *spec);
/* Builds spec->paths, spec->operations and the operationId index; malformed parts become
 * problems. Calls spec__trie_insert for each path template. */
void spec__build_paths(spec_t *spec);

/* Parses `template` into the trie; returns 0, or -1 after reporting a problem (the path is then
 * not indexed). Fills path->vars / nvars. */
int spec__trie_insert(spec_t *spec, spec_path_t *path, const char *pointer);
void spec__trie_finish(spec_t *spec);

/* Lexically normalises a '/'-separated file path: drops "." and empty segments and folds
 * "dir/.."; ".." above the start of a relative path stays. "" and "a/.." give ".". */
char *spec__path_normalize(spec__arena_t *a, const char *path);

/* Percent-decodes [s, s+len) into `out` (len + 1 bytes). Returns the length or -1 on a malformed
 * escape or an encoded NUL. */
long spec__percent_decode(const char *s, size_t len, char *out);
/* Walks an RFC 6901 pointer; on failure stores in *failed_at the length of the pointer prefix
 * that did resolve (for messages) and returns NULL. */
const spec_node_t *spec__pointer_walk(const spec_node_t *root, const char *pointer, size_t len,
                                      size_t *failed_at);

/* escape.c: XML/HTML text (control characters become '?', as XML 1.0 forbids them) and
 * GitHub workflow command data (`property`: also ':' and ','). NULL writes nothing. */
void spec__xml_escape(FILE *out, const char *s);
void spec__github_escape(FILE *out, const char *s, int property);

#endif
