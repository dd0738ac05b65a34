/* The files of a spec: lexical path normalisation, joining a $ref's path to the file that holds
 * it, the index of loaded documents by name and by real path (each file read and parsed once), and
 * opening a document within the spec's limits and directory tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spec_internal.h"

char *spec__path_normalize(spec__arena_t *a, const char *path)
{
    size_t len = strlen(path), o = 0, nkept = 0;
    char *out = spec__arena_alloc(a, len + 2);
    size_t *kept = spec__xmalloc((len / 2 + 1) * sizeof(*kept)); /* where kept segments start */
    int absolute = path[0] == '/';
    if (absolute)
        out[o++] = '/';
    for (const char *p = path; *p != '\0';) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (nkept > 0) {
                o = kept[--nkept];
            } else if (!absolute) { /* above the start of a relative path: kept as written */
                memcpy(out + o, "../", 3);
                o += 3;
            }
        } else if (n != 0 && !(n == 1 && p[0] == '.')) {
            kept[nkept++] = o;
            memcpy(out + o, p, n);
            o += n;
            out[o++] = '/';
        }
        p += n;
        p += *p == '/';
    }
    free(kept);
    if (o > (size_t)absolute)
        --o; /* the trailing separator */
    if (o == 0)
        out[o++] = '.';
    out[o] = '\0';
    return out;
}

char *spec__join_relative(spec__arena_t *a, const char *base_file, const char *rel)
{
    if (rel[0] == '/')
        return spec__path_normalize(a, rel);
    const char *slash = strrchr(base_file, '/');
    size_t dirlen = slash != NULL ? (size_t)(slash - base_file) + 1 : 0;
    size_t rlen = strlen(rel);
    char *joined = spec__xmalloc(dirlen + rlen + 1);
    memcpy(joined, base_file, dirlen);
    memcpy(joined + dirlen, rel, rlen + 1);
    char *out = spec__path_normalize(a, joined);
    free(joined);
    return out;
}

/* ---- documents by name and by real path ---- */

static size_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s != '\0'; ++s)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

static void index_put(spec_t *spec, const char *key, size_t idx)
{
    size_t mask = spec->doc_index_cap - 1;
    for (size_t i = str_hash(key) & mask;; i = (i + 1) & mask)
        if (spec->doc_index[i] == 0) {
            spec->doc_index[i] = idx + 1;
            return;
        }
}

/* The document whose name (or, with `real`, real path) is `key`, or SIZE_MAX. */
static size_t index_get(const spec_t *spec, const char *key, int real)
{
    if (spec->doc_index_cap == 0)
        return SIZE_MAX;
    size_t mask = spec->doc_index_cap - 1;
    for (size_t i = str_hash(key) & mask; spec->doc_index[i] != 0; i = (i + 1) & mask) {
        const spec__document_t *d = &spec->documents[spec->doc_index[i] - 1];
        const char *k = real ? d->real : d->name;
        if (k != NULL && strcmp(k, key) == 0)
            return spec->doc_index[i] - 1;
    }
    return SIZE_MAX;
}

static void index_grow(spec_t *spec)
{
    size_t cap = spec->doc_index_cap != 0 ? spec->doc_index_cap * 2 : 64;
    free(spec->doc_index);
    spec->doc_index = spec__xcalloc(cap, sizeof(*spec->doc_index));
    spec->doc_index_cap = cap;
    for (size_t i = 0; i < spec->ndocuments; ++i) {
        index_put(spec, spec->documents[i].name, i);
        if (spec->documents[i].real != NULL)
            index_put(spec, spec->documents[i].real, i);
    }
}

size_t spec__add_document(spec_t *spec, spec_doc_t *doc, char *name, char *real)
{
    spec->documents =
        spec__xrealloc(spec->documents, (spec->ndocuments + 1) * sizeof(*spec->documents));
    spec->documents[spec->ndocuments] =
        (spec__document_t){.doc = doc, .name = name, .real = real, .problem = SIZE_MAX};
    if (doc != NULL) {
        spec->loaded = spec__xrealloc(spec->loaded, (spec->nloaded + 1) * sizeof(*spec->loaded));
        spec->loaded[spec->nloaded++] = doc;
    }
    size_t idx = spec->ndocuments++;
    if (spec->ndocuments * 4 > spec->doc_index_cap) {
        index_grow(spec); /* indexes the new one too */
    } else {
        index_put(spec, name, idx);
        if (real != NULL)
            index_put(spec, real, idx);
    }
    return idx;
}

char *spec__real_path(spec__arena_t *a, const char *name)
{
    char *r = realpath(name, NULL);
    if (r == NULL)
        return NULL;
    char *out = spec__arena_strndup(a, r, strlen(r));
    free(r);
    return out;
}

size_t spec__open_document(spec_t *spec, const char *name, const char **why)
{
    size_t i = index_get(spec, name, 0);
    if (i != SIZE_MAX)
        return i;
    char *real = spec__real_path(&spec->arena, name);
    if (real != NULL && (i = index_get(spec, real, 1)) != SIZE_MAX)
        return i;
    if (spec->ndocuments >= spec->opts.max_files) {
        *why = "max_files";
        return SIZE_MAX;
    }
    if (spec->total_bytes > spec->opts.max_total_bytes) {
        *why = "max_total_bytes";
        return SIZE_MAX;
    }
    char *stored = spec__arena_strndup(&spec->arena, name, strlen(name));
    spec_doc_t *doc = NULL;
    spec_error_t err;
    size_t problem = SIZE_MAX;
    if (real == NULL) {
        /* not found: each reference to it reports that itself */
    } else if (strncmp(real, spec->ref_root, strlen(spec->ref_root)) != 0) {
        /* never opened: a spec must not make the loader read /etc/passwd or a device */
        problem = spec__problem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_REF_FILE, NULL, NULL,
                                "%s is outside the spec's directory tree %s (versa lint "
                                "--ref-root, or spec_ref_root in the config, allows more)",
                                real, spec->ref_root);
    } else if (spec_doc_load(&doc, stored, &spec->opts.limits, &err) != 0) {
        doc = NULL;
        problem = spec__problem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_REF_FILE, NULL, NULL, "%s",
                                err.message);
        spec_problem_t *p = &spec->problems[problem];
        snprintf(p->error.file, sizeof(p->error.file), "%s", err.file);
        p->error.line = err.line;
        p->error.col = err.col;
    } else {
        spec->total_bytes += spec_doc_size(doc);
    }
    size_t idx = spec__add_document(spec, doc, stored, real);
    spec->documents[idx].problem = problem;
    return idx;
}

