/* The schema engine alone, for bench/validate.sh part 2 (not a test): validates a set of JSON
 * documents against one schema of an OpenAPI spec, in-process and without I/O, for a fixed time,
 * and prints documents per second and each document's verdict (to compare with ajv's).
 *
 *   schema_bench SPEC POINTER DOCS.json [SECONDS] [assert|annotate]
 *
 * DOCS.json is a JSON array of documents. Validation runs as the gateway's does: a frozen
 * validator bound to the spec, direction-free, at most one error recorded per document. Two
 * figures: documents already parsed (`docs/s`, as ajv validates JavaScript objects), and
 * documents from their JSON text (`text-docs/s`), as the gateway gets a body: the check over the
 * text first, the parse and the tree's walk when it cannot decide (an invalid document). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "body.h"
#include "schema.h"
#include "spec.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: schema_bench SPEC POINTER DOCS.json [SECONDS] [assert|annotate]\n");
        return 2;
    }
    double seconds = argc > 4 ? atof(argv[4]) : 2.0;
    spec_formats_t formats = SPEC_FORMATS_ANNOTATE;
    if (argc > 5 && spec_formats_parse(argv[5], &formats) != 0) {
        fprintf(stderr, "schema_bench: formats: assert or annotate\n");
        return 2;
    }
    spec_t *spec;
    spec_error_t err;
    if (spec_load(&spec, argv[1], NULL, &err) != 0) {
        char buf[1200];
        fprintf(stderr, "schema_bench: %s\n", spec_error_format(&err, buf, sizeof(buf)));
        return 2;
    }
    const spec_node_t *schema = spec_pointer_get(spec_root(spec), argv[2], strlen(argv[2]));
    if (schema == NULL) {
        fprintf(stderr, "schema_bench: nothing at %s\n", argv[2]);
        return 2;
    }
    spec_validator_t *v = spec_validator_create(spec);
    spec_validator_set_formats(v, formats);
    spec_validator_freeze(v, NULL);

    size_t len;
    char *text = slurp(argv[3], &len);
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    body_error_t berr;
    body_value_t *docs = text != NULL ? body_parse(&mem, text, len, 0, &berr) : NULL;
    if (docs == NULL || docs->type != BODY_ARRAY || docs->len == 0) {
        fprintf(stderr, "schema_bench: %s: not a JSON array of documents\n", argv[3]);
        return 2;
    }

    spec_validate_options_t opts = {.max_errors = 1};
    char *verdicts = calloc(docs->len + 1, 1);
    size_t valid = 0;
    for (size_t i = 0; i < docs->len; ++i) { /* warm-up, and the verdicts */
        spec_validation_t res;
        spec_validation_init(&res);
        int ok = spec_validate(v, schema, docs->u.items[i], &opts, &res) == 0;
        verdicts[i] = ok ? '1' : '0';
        valid += ok;
        spec_validation_dispose(&res);
    }
    size_t done = 0;
    double start = now(), elapsed;
    do {
        for (size_t i = 0; i < docs->len; ++i) {
            spec_validation_t res;
            spec_validation_init(&res);
            spec_validate(v, schema, docs->u.items[i], &opts, &res);
            spec_validation_dispose(&res);
        }
        done += docs->len;
        elapsed = now() - start;
    } while (elapsed < seconds);
    double tree_rate = (double)done / elapsed;

    /* from the text: each document written out once, then checked as the gateway checks one */
    char **texts = calloc(docs->len, sizeof(*texts));
    size_t *lens = calloc(docs->len, sizeof(*lens));
    for (size_t i = 0; i < docs->len; ++i) {
        lens[i] = body_write_size(docs->u.items[i]);
        texts[i] = malloc(lens[i] + 1);
        body_write(docs->u.items[i], texts[i]);
    }
    body_arena_t scratch;
    body_arena_init(&scratch);
    body_mem_t smem = body_arena_mem(&scratch);
    size_t decided = 0; /* valid documents the check over the text accepts by itself */
    for (size_t i = 0; i < docs->len; ++i) {
        decided += spec_validate_text(v, schema, texts[i], lens[i], &opts, &smem);
        body_arena_reset(&scratch);
    }
    done = 0;
    start = now();
    do {
        for (size_t i = 0; i < docs->len; ++i) {
            if (!spec_validate_text(v, schema, texts[i], lens[i], &opts, &smem)) {
                body_value_t *d = body_parse(&smem, texts[i], lens[i], 0, NULL);
                spec_validation_t res;
                spec_validation_init(&res);
                if (d != NULL)
                    spec_validate(v, schema, d, &opts, &res);
                spec_validation_dispose(&res);
            }
            body_arena_reset(&scratch);
        }
        done += docs->len;
        elapsed = now() - start;
    } while (elapsed < seconds);
    for (size_t i = 0; i < docs->len; ++i)
        free(texts[i]);
    free(texts);
    free(lens);
    body_arena_dispose(&scratch);
    printf("docs/s %.0f\ntext-docs/s %.0f\nvalid %zu of %u\ntext-decided %zu\nverdicts %s\n",
           tree_rate, (double)done / elapsed, valid, docs->len, decided, verdicts);
    free(verdicts);
    body_arena_dispose(&arena);
    free(text);
    spec_validator_destroy(v);
    spec_destroy(spec);
    return 0;
}
