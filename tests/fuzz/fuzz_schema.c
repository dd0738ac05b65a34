/* Fuzz target: the schema validator on its own (specs/schema_*.c), as `versa validate` drives it:
 * a schema document (YAML or JSON) and an instance (JSON), separated by the first NUL byte; the
 * first byte picks the dialect. Properties: validating twice gives the same verdict (the
 * validator keeps no state between calls that changes answers); the errors recorded never
 * exceed max_errors and are there exactly when some were found; every error has a keyword and
 * an instance pointer that starts with '/' or is empty; the `true` schema ({}) accepts every
 * instance; the check over the text (spec_validate_text) accepts only what the engine found
 * valid and complete, and never text the parser refuses. */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#include "body.h"
#include "schema.h"

static const spec_dialect_t dialects[] = {SPEC_DIALECT_2020_12, SPEC_DIALECT_OAS31,
                                          SPEC_DIALECT_OAS30, SPEC_DIALECT_DRAFT4};

static size_t run(spec_validator_t *v, const spec_node_t *schema, const body_value_t *doc,
                  spec_validate_direction_t dir)
{
    spec_validate_options_t opts = {.direction = dir, .max_errors = 8, .max_steps = 200000};
    spec_validation_t out;
    spec_validation_init(&out);
    size_t n = spec_validate(v, schema, doc, &opts, &out);
    /* n counts every error found; only the first max_errors are recorded */
    assert(out.count <= 8 && out.count <= n && (n == 0) == (out.count == 0));
    for (size_t i = 0; i < out.count; i++) {
        const spec_schema_error_t *e = &out.errors[i];
        assert(e->keyword != NULL && e->keyword[0] != '\0');
        assert(e->instance_path[0] == '\0' || e->instance_path[0] == '/');
    }
    /* a verdict cut short by the step budget may differ in what it found, not in validity */
    size_t verdict = out.incomplete ? (size_t)-1 : n;
    spec_validation_dispose(&out);
    return verdict;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    spec_dialect_t dialect = dialects[data[0] & 3];
    spec_validate_direction_t dir = (spec_validate_direction_t)((data[0] >> 2) % 3);
    const char *text = (const char *)data + 1, *end = (const char *)data + size;
    const char *nul = memchr(text, '\0', (size_t)(end - text));
    if (nul == NULL)
        return 0;
    spec_doc_t *sdoc;
    spec_error_t err;
    spec_limits_t limits = {.max_file_bytes = 1 << 20, .max_depth = 64, .max_nodes = 100000};
    if (spec_doc_parse(&sdoc, "schema.json", text, (size_t)(nul - text), &limits, &err) != 0)
        return 0;
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    body_value_t *doc = body_parse(&mem, nul + 1, (size_t)(end - nul - 1), 0, NULL);
    if (doc == NULL && (data[0] & 0x30) == 0) {
        /* nor text the parser refuses, whatever the schema (on a quarter of the inputs, picked
         * by the first byte: most inputs are not JSON, and a validator for each would cost the
         * other properties most of their executions) */
        const spec_node_t *root = spec_doc_root(sdoc);
        spec_validator_t *v =
            spec_validator_create_schema(root, "file:///fuzz/schema.json", dialect, NULL, NULL);
        if (v != NULL) { /* not frozen: only what the walk meets is compiled */
            assert(!spec_validate_text(v, root, nul + 1, (size_t)(end - nul - 1), NULL, &mem));
            spec_validator_destroy(v);
        }
    } else if (doc != NULL) {
        const spec_node_t *root = spec_doc_root(sdoc);
        spec_validator_t *v =
            spec_validator_create_schema(root, "file:///fuzz/schema.json", dialect, NULL, NULL);
        if (v != NULL) {
            spec_validator_freeze(v, root);
            size_t first = run(v, root, doc, dir);
            /* the check over the text accepts only what the engine found valid and complete */
            spec_validate_options_t opts = {.direction = dir, .max_steps = 200000};
            if (spec_validate_text(v, root, nul + 1, (size_t)(end - nul - 1), &opts, &mem))
                assert(first == 0);
            size_t again = run(v, root, doc, dir);
            assert(first == again || first == (size_t)-1 || again == (size_t)-1);
            spec_validator_destroy(v);
        }
        spec_doc_t *any;
        if (spec_doc_parse(&any, "true.json", "{}", 2, NULL, &err) == 0) {
            spec_validator_t *t =
                spec_validator_create_schema(spec_doc_root(any), "file:///t", dialect, NULL, NULL);
            assert(run(t, spec_doc_root(any), doc, dir) == 0);
            spec_validator_destroy(t);
            spec_doc_destroy(any);
        }
    }
    body_arena_dispose(&arena);
    spec_doc_destroy(sdoc);
    return 0;
}
