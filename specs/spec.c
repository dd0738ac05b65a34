/* Loading an OpenAPI spec: reads the root document, checks it is OpenAPI 3.0 or 3.1, then lets
 * ref.c resolve references and paths.c build the operation index; owns the result's lifetime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spec_internal.h"

/* Sized for the largest published multi-file specs (thousands of files, tens of MB); hostile
 * input is held by the byte, node, depth and chain limits. */
#define DEFAULT_MAX_FILES 20000
#define DEFAULT_MAX_TOTAL_BYTES ((uint64_t)1 << 30)
#define DEFAULT_MAX_REF_CHAIN 32

size_t spec__vproblem(spec_t *spec, spec_severity_t severity, const char *code,
                      const spec_node_t *n, const char *pointer, const char *fmt, va_list ap)
{
    if (spec->nproblems == spec->problems_cap) {
        spec->problems_cap = spec->problems_cap != 0 ? spec->problems_cap * 2 : 16;
        spec->problems =
            spec__xrealloc(spec->problems, spec->problems_cap * sizeof(*spec->problems));
    }
    spec_problem_t *p = &spec->problems[spec->nproblems];
    memset(p, 0, sizeof(*p));
    p->severity = severity;
    p->code = code;
    if (n != NULL) {
        snprintf(p->error.file, sizeof(p->error.file), "%s", n->pos.file);
        p->error.line = n->pos.line;
        p->error.col = n->pos.col;
    }
    snprintf(p->error.pointer, sizeof(p->error.pointer), "%s", pointer != NULL ? pointer : "");
    vsnprintf(p->error.message, sizeof(p->error.message), fmt, ap);
    if (severity == SPEC_SEVERITY_ERROR)
        ++spec->nerrors;
    return spec->nproblems++;
}

size_t spec__problem(spec_t *spec, spec_severity_t severity, const char *code, const spec_node_t *n,
                     const char *pointer, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t i = spec__vproblem(spec, severity, code, n, pointer, fmt, ap);
    va_end(ap);
    return i;
}

const char *spec__a_type(const spec_node_t *n)
{
    static const char *const names[][2] = {
        {"mapping", "a mapping"},  {"sequence", "a sequence"}, {"string", "a string"},
        {"integer", "an integer"}, {"number", "a number"},     {"boolean", "a boolean"},
        {"null", "null"},
    };
    const char *t = spec_node_type_name(n);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
        if (strcmp(names[i][0], t) == 0)
            return names[i][1];
    return t;
}

static int fail(spec_error_t *err, const spec_node_t *n, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(spec_error_t *err, const spec_node_t *n, const char *pointer, const char *fmt, ...)
{
    char msg[sizeof(err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    spec_error_at(err, n, "%s", msg);
    snprintf(err->pointer, sizeof(err->pointer), "%s", pointer);
    return -1;
}

/* "3.0.<patch>" or "3.1.<patch>", optionally followed by a pre-release suffix ("3.1.0-rc1"). */
static int parse_version(const char *s, spec_version_t *out)
{
    if (strncmp(s, "3.0.", 4) == 0)
        *out = SPEC_OAS_30;
    else if (strncmp(s, "3.1.", 4) == 0)
        *out = SPEC_OAS_31;
    else
        return -1;
    const char *p = s + 4;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9')
        ++p;
    return *p == '\0' || *p == '-' ? 0 : -1;
}

/* Establishes that the root is an OpenAPI 3.0/3.1 document; anything else is fatal. */
static int check_root(spec_t *spec, spec_error_t *err)
{
    const spec_node_t *root = spec->root;
    if (root->kind != SPEC_NODE_MAPPING)
        return fail(err, root, "", "an OpenAPI document must be a mapping, not %s",
                    spec__a_type(root));
    const spec_node_t *swagger = spec_node_get(root, "swagger");
    if (swagger != NULL)
        return fail(err, swagger, "/swagger",
                    "Swagger %s documents are not supported; convert the document to OpenAPI 3 "
                    "(for example with swagger2openapi)",
                    swagger->kind == SPEC_NODE_SCALAR ? swagger->u.scalar.str : "2.0");
    const spec_node_t *v = spec_node_get(root, "openapi");
    if (v == NULL)
        return fail(err, root, "",
                    "missing 'openapi' field: not an OpenAPI document (expected openapi: 3.0.x "
                    "or 3.1.x)");
    if (v->kind != SPEC_NODE_SCALAR || v->scalar_type != SPEC_SCALAR_STRING)
        return fail(err, v, "/openapi",
                    "'openapi' must be a version string such as \"3.1.0\", not %s%s",
                    spec__a_type(v), v->kind == SPEC_NODE_SCALAR ? " (quote the version)" : "");
    if (parse_version(v->u.scalar.str, &spec->version) != 0)
        return fail(err, v, "/openapi",
                    "unsupported OpenAPI version \"%s\" (Versa reads 3.0.x and 3.1.x)",
                    v->u.scalar.str);
    spec->version_string = v->u.scalar.str;
    return 0;
}

static void set_options(spec_load_options_t *dst, const spec_load_options_t *src)
{
    *dst = src != NULL ? *src : (spec_load_options_t){0};
    if (dst->max_files == 0)
        dst->max_files = DEFAULT_MAX_FILES;
    if (dst->max_total_bytes == 0)
        dst->max_total_bytes = DEFAULT_MAX_TOTAL_BYTES;
    if (dst->max_ref_chain == 0)
        dst->max_ref_chain = DEFAULT_MAX_REF_CHAIN;
}

/* The resolved directory $refs are confined to, with a trailing '/': the option's, or the root
 * document's directory. */
static const char *ref_root(spec__arena_t *a, const char *option, const char *file)
{
    char *dir;
    if (option != NULL) {
        dir = spec__xmalloc(strlen(option) + 1);
        strcpy(dir, option);
    } else {
        const char *slash = strrchr(file, '/');
        size_t n = slash == NULL ? 1 : slash == file ? 1 : (size_t)(slash - file);
        dir = spec__xmalloc(n + 1);
        memcpy(dir, slash == NULL ? "." : file, n);
        dir[n] = '\0';
    }
    char *real = realpath(dir, NULL);
    if (real == NULL) { /* a root that does not exist lets no file through */
        char *none = spec__arena_strndup(a, "\x01unresolvable-ref-root/", strlen("\x01unresolvable-ref-root/"));
        free(dir);
        return none;
    }
    free(dir);
    size_t n = strlen(real);
    char *out = spec__arena_strndup(a, real, n + 1);
    if (n == 0 || out[n - 1] != '/')
        out[n] = '/', out[n + 1] = '\0';
    free(real);
    return out;
}

/* Takes ownership of `doc` (even on failure). */
static int build_new(spec_t **out, spec_doc_t *doc, const spec_load_options_t *opts,
                     spec_error_t *err)
{
    spec_t *spec = spec__xcalloc(1, sizeof(*spec));
    spec__arena_init(&spec->arena);
    set_options(&spec->opts, opts);
    const char *file = spec_doc_file(doc);
    spec->ref_root = ref_root(&spec->arena, opts != NULL ? opts->ref_root : NULL, file);
    spec->total_bytes = spec_doc_size(doc);
    spec__add_document(spec, doc, spec__arena_strndup(&spec->arena, file, strlen(file)),
                       spec__real_path(&spec->arena, file));
    spec->root = spec_doc_root(doc);
    if (check_root(spec, err) != 0) {
        spec_destroy(spec);
        *out = NULL;
        return -1;
    }
    spec__resolve_refs(spec);
    spec__build_paths(spec);
    *out = spec;
    return 0;
}

int spec_load(spec_t **out, const char *path, const spec_load_options_t *opts, spec_error_t *err)
{
    spec_doc_t *doc;
    *out = NULL;
    if (spec_doc_load(&doc, path, opts != NULL ? &opts->limits : NULL, err) != 0)
        return -1;
    return build_new(out, doc, opts, err);
}

int spec_parse(spec_t **out, const char *file, const char *buf, size_t len,
               const spec_load_options_t *opts, spec_error_t *err)
{
    spec_doc_t *doc;
    *out = NULL;
    if (spec_doc_parse(&doc, file, buf, len, opts != NULL ? &opts->limits : NULL, err) != 0)
        return -1;
    return build_new(out, doc, opts, err);
}

void spec_destroy(spec_t *spec)
{
    if (spec == NULL)
        return;
    for (size_t i = 0; i < spec->ndocuments; ++i)
        spec_doc_destroy(spec->documents[i].doc);
    free(spec->documents);
    free(spec->doc_index);
    free(spec->loaded);
    free(spec->problems);
    free(spec->refs);
    spec__ptrmap_dispose(&spec->ref_index);
    free(spec->ops_by_id);
    spec__arena_dispose(&spec->arena);
    free(spec);
}

const spec_problem_t *spec_problems(const spec_t *spec, size_t *count)
{
    *count = spec->nproblems;
    return spec->problems;
}

int spec_incomplete(const spec_t *spec)
{
    return spec->limit_reported != 0;
}

size_t spec_error_count(const spec_t *spec)
{
    return spec->nerrors;
}

spec_version_t spec_version(const spec_t *spec)
{
    return spec->version;
}

const char *spec_version_string(const spec_t *spec)
{
    return spec->version_string;
}

const spec_node_t *spec_root(const spec_t *spec)
{
    return spec->root;
}

size_t spec_document_count(const spec_t *spec)
{
    return spec->nloaded;
}

const spec_doc_t *spec_document(const spec_t *spec, size_t i)
{
    return i < spec->nloaded ? spec->loaded[i] : NULL;
}

const spec_doc_t *spec_node_document(const spec_t *spec, const spec_node_t *n)
{
    if (n == NULL)
        return NULL;
    /* Nodes share their document's file string, so the address usually settles it. */
    for (size_t i = 0; i < spec->nloaded; ++i)
        if (spec_doc_file(spec->loaded[i]) == n->pos.file)
            return spec->loaded[i];
    for (size_t i = 0; i < spec->nloaded; ++i)
        if (strcmp(spec_doc_file(spec->loaded[i]), n->pos.file) == 0)
            return spec->loaded[i];
    return NULL;
}
