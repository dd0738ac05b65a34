/* `versa validate`: validates JSON or YAML documents against a JSON Schema file, or against a
 * schema inside an OpenAPI spec named by JSON pointer, with the gateway's schema engine.
 * Exit status: 0 every document valid, 1 some invalid, 2 could not run. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "body.h"
#include "cli.h"
#include "schema.h"
#include "spec.h"

#define EXIT_INVALID 1
#define EXIT_CANNOT_RUN 2
#define MAX_FETCHED 64

static void usage(FILE *out)
{
    fputs("usage: versa validate --schema FILE [options] DOC...\n"
          "\n"
          "Validates JSON or YAML documents against a JSON Schema, or against a schema inside\n"
          "an OpenAPI 3.0/3.1 spec named by --pointer.\n"
          "\n"
          "options:\n"
          "  -s, --schema FILE      the schema (JSON Schema file, or OpenAPI spec with --pointer)\n"
          "  -p, --pointer P        JSON pointer of the schema in FILE (/components/schemas/Pet)\n"
          "  -d, --dialect D        oas30, oas31, draft4 or 2020-12 (default: the spec's\n"
          "                         version, the schema's $schema, else 2020-12)\n"
          "  -f, --format F         text (default) or json\n"
          "      --formats M        assert: `format` is checked (date-time, date, time, email,\n"
          "                         uuid, uri, ipv4, ipv6, hostname); annotate (default): not\n"
          "  -h, --help             show this help\n"
          "\n"
          "exit status: 0 all valid, 1 some invalid, 2 could not run\n",
          out);
}

typedef struct {
    const char *schema, *pointer, *format;
    int has_dialect;
    spec_dialect_t dialect;
    int has_formats; /* else the dialect's default, or the metaschema's vocabulary */
    spec_formats_t formats;
} options_t;

/* Documents other schema files name through $ref, loaded relative to the schema's directory
 * (file:// URIs only: the CLI fetches nothing from the network). */
typedef struct {
    spec_doc_t *docs[MAX_FETCHED];
    size_t n;
} fetched_t;

static const spec_node_t *fetch(void *ctx, const char *uri)
{
    fetched_t *f = ctx;
    if (strncmp(uri, "file://", 7) != 0 || f->n == MAX_FETCHED)
        return NULL;
    spec_error_t err;
    if (spec_doc_load(&f->docs[f->n], uri + 7, NULL, &err) != 0)
        return NULL;
    return spec_doc_root(f->docs[f->n++]);
}

/* The dialect a standalone schema declares with $schema, or 2020-12. */
static spec_dialect_t declared_dialect(const spec_node_t *root)
{
    const char *s = spec_node_str(spec_node_get(root, "$schema"));
    if (s != NULL && strstr(s, "draft-04") != NULL)
        return SPEC_DIALECT_DRAFT4;
    return SPEC_DIALECT_2020_12;
}

/* Reads a document to validate: JSON through the body parser (errors with line and column),
 * YAML (by extension) through the node reader. NULL with a message in `msg` on failure. */
static body_value_t *read_document(const body_mem_t *mem, const char *path, char **buf,
                                   spec_doc_t **ydoc, char *msg, size_t size)
{
    size_t len = strlen(path);
    if ((len > 5 && !strcmp(path + len - 5, ".yaml")) || (len > 4 && !strcmp(path + len - 4, ".yml"))) {
        spec_error_t err;
        if (spec_doc_load(ydoc, path, NULL, &err) != 0) {
            spec_error_format(&err, msg, size);
            return NULL;
        }
        body_value_t *v = spec_node_to_body(mem, spec_doc_root(*ydoc), NULL, &err);
        if (v == NULL)
            spec_error_format(&err, msg, size);
        return v;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(msg, size, "%s: cannot open", path);
        return NULL;
    }
    size_t cap = 65536, n = 0, r;
    *buf = malloc(cap);
    while ((r = fread(*buf + n, 1, cap - n, f)) > 0)
        if ((n += r) == cap)
            *buf = realloc(*buf, cap *= 2);
    fclose(f);
    body_error_t err;
    body_value_t *v = body_parse(mem, *buf, n, 0, &err);
    if (v == NULL)
        snprintf(msg, size, "%s:%u:%u: invalid JSON: %s", path, err.line, err.col, err.message);
    return v;
}

/* "file:line:col" of the schema keyword that failed, and its JSON pointer when found. */
static void schema_location(const spec_schema_error_t *e, const spec_node_t *root, char *where,
                            size_t wsize, char *ptr, size_t psize)
{
    where[0] = ptr[0] = '\0';
    if (e->schema == NULL)
        return;
    snprintf(where, wsize, "%s:%u:%u", e->schema->pos.file, e->schema->pos.line,
             e->schema->pos.col);
    if (spec_pointer_find(root, e->schema, ptr + 1, psize - 1) == 0)
        ptr[0] = '#';
}

static int parse_options(int argc, char **argv, options_t *o, int *status)
{
    static const struct option longopts[] = {
        {"schema", required_argument, NULL, 's'}, {"pointer", required_argument, NULL, 'p'},
        {"dialect", required_argument, NULL, 'd'}, {"format", required_argument, NULL, 'f'},
        {"formats", required_argument, NULL, 'F'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (options_t){.format = "text"};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "s:p:d:f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->schema = optarg;
            break;
        case 'p':
            o->pointer = optarg;
            break;
        case 'd':
            if (spec_dialect_parse(optarg, &o->dialect) != 0) {
                fprintf(stderr, "versa validate: unknown dialect \"%s\" (oas30, oas31, draft4, "
                                "2020-12)\n", optarg);
                return *status = EXIT_CANNOT_RUN, -1;
            }
            o->has_dialect = 1;
            break;
        case 'f':
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                fprintf(stderr, "versa validate: unknown format \"%s\" (text, json)\n", optarg);
                return *status = EXIT_CANNOT_RUN, -1;
            }
            o->format = optarg;
            break;
        case 'F':
            o->has_formats = 1;
            if (spec_formats_parse(optarg, &o->formats) != 0) {
                fprintf(stderr, "versa validate: unknown --formats \"%s\" (assert, annotate)\n",
                        optarg);
                return *status = EXIT_CANNOT_RUN, -1;
            }
            break;
        case 'h':
            usage(stdout);
            return *status = 0, -1;
        default:
            fprintf(stderr, "versa validate: unknown or incomplete option \"%s\"\n",
                    argv[optind - 1]);
            usage(stderr);
            return *status = EXIT_CANNOT_RUN, -1;
        }
    }
    if (o->schema == NULL || optind >= argc) {
        fprintf(stderr, "versa validate: %s\n",
                o->schema == NULL ? "--schema FILE is required" : "no document to validate");
        usage(stderr);
        return *status = EXIT_CANNOT_RUN, -1;
    }
    return 0;
}

typedef struct {
    spec_doc_t *doc;       /* standalone schema file */
    spec_t *spec;          /* or an OpenAPI spec */
    const spec_node_t *root, *schema;
    spec_validator_t *v;
    fetched_t fetched;
} schema_t;

static int load_schema(const options_t *o, schema_t *s)
{
    spec_error_t err;
    if (spec_doc_load(&s->doc, o->schema, NULL, &err) != 0) {
        char buf[1200];
        fprintf(stderr, "versa validate: %s\n", spec_error_format(&err, buf, sizeof(buf)));
        return -1;
    }
    s->root = spec_doc_root(s->doc);
    const char *pointer = o->pointer != NULL ? o->pointer : "";
    if (spec_node_get(s->root, "openapi") != NULL) {
        /* a spec: load it whole so $refs across its files resolve */
        spec_doc_destroy(s->doc);
        s->doc = NULL;
        if (spec_load(&s->spec, o->schema, NULL, &err) != 0) {
            char buf[1200];
            fprintf(stderr, "versa validate: %s\n", spec_error_format(&err, buf, sizeof(buf)));
            return -1;
        }
        if (o->pointer == NULL) {
            fprintf(stderr, "versa validate: %s is an OpenAPI spec: name the schema with "
                            "--pointer (e.g. /components/schemas/Pet)\n", o->schema);
            return -1;
        }
        s->root = spec_root(s->spec);
        s->v = spec_validator_create(s->spec);
    } else {
        char real[PATH_MAX], uri[PATH_MAX + 8];
        if (realpath(o->schema, real) == NULL)
            snprintf(real, sizeof(real), "%s", o->schema);
        snprintf(uri, sizeof(uri), "file://%s", real);
        spec_dialect_t d = o->has_dialect ? o->dialect : declared_dialect(s->root);
        s->v = spec_validator_create_schema(s->root, uri, d, fetch, &s->fetched);
    }
    if (o->has_formats)
        spec_validator_set_formats(s->v, o->formats);
    s->schema = spec_pointer_get(s->root, pointer, strlen(pointer));
    if (s->schema == NULL) {
        fprintf(stderr, "versa validate: %s has nothing at pointer \"%s\"\n", o->schema, pointer);
        return -1;
    }
    if (o->has_dialect && s->spec != NULL &&
        (o->dialect == SPEC_DIALECT_OAS31) != (spec_version(s->spec) == SPEC_OAS_31))
        fprintf(stderr, "versa validate: warning: --dialect ignored, the spec's version "
                        "decides\n");
    return 0;
}

static void dispose_schema(schema_t *s)
{
    spec_validator_destroy(s->v);
    for (size_t i = 0; i < s->fetched.n; ++i)
        spec_doc_destroy(s->fetched.docs[i]);
    spec_doc_destroy(s->doc);
    spec_destroy(s->spec);
}

int cli_validate_main(int argc, char **argv)
{
    options_t o;
    int status = 0;
    if (parse_options(argc, argv, &o, &status) != 0)
        return status;
    schema_t s = {0};
    if (load_schema(&o, &s) != 0) {
        dispose_schema(&s);
        return EXIT_CANNOT_RUN;
    }
    int json = !strcmp(o.format, "json"), any_invalid = 0, any_error = 0;
    json_t *report = json ? json_array() : NULL;
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    for (int i = optind; i < argc; ++i) {
        const char *path = argv[i];
        char *buf = NULL, msg[1200];
        spec_doc_t *ydoc = NULL;
        body_value_t *inst = read_document(&mem, path, &buf, &ydoc, msg, sizeof(msg));
        if (inst == NULL) {
            any_error = 1;
            if (json)
                json_array_append_new(report, json_pack("{s:s, s:s}", "document", path,
                                                        "error", msg));
            else
                printf("%s: error: %s\n", path, msg);
        } else {
            spec_validation_t res;
            spec_validation_init(&res);
            spec_validate_options_t vo = {.max_errors = 100};
            size_t found = spec_validate(s.v, s.schema, inst, &vo, &res);
            any_invalid |= found != 0;
            json_t *errors = json ? json_array() : NULL;
            if (!json)
                printf("%s: %s%s\n", path, found ? "invalid" : "valid",
                       res.incomplete ? " (some parts not checked: unsupported pattern, limit "
                                        "or broken $ref)"
                                      : "");
            for (size_t e = 0; e < res.count; ++e) {
                const spec_schema_error_t *err = &res.errors[e];
                char where[600], ptr[512];
                schema_location(err, s.root, where, sizeof(where), ptr, sizeof(ptr));
                if (json)
                    json_array_append_new(
                        errors, json_pack("{s:s, s:s, s:s, s:s, s:s}", "instancePath",
                                          err->instance_path, "keyword", err->keyword,
                                          "schemaLocation", ptr, "position", where, "message",
                                          err->message));
                else
                    printf("  %s: %s: %s (%s%s%s)\n",
                           err->instance_path[0] ? err->instance_path : "(root)", err->keyword,
                           err->message, ptr[0] ? ptr : "", ptr[0] ? " at " : "", where);
            }
            if (!json && found > res.count)
                printf("  ... and %zu more\n", found - res.count);
            if (json)
                json_array_append_new(report,
                                      json_pack("{s:s, s:b, s:b, s:I, s:o}", "document", path,
                                                "valid", found == 0, "incomplete",
                                                res.incomplete, "errorCount", (json_int_t)found,
                                                "errors", errors));
            spec_validation_dispose(&res);
        }
        spec_doc_destroy(ydoc);
        free(buf);
        body_arena_reset(&arena);
    }
    if (json) {
        json_dumpf(report, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(report);
    }
    body_arena_dispose(&arena);
    dispose_schema(&s);
    return any_error ? EXIT_CANNOT_RUN : any_invalid ? EXIT_INVALID : 0;
}
