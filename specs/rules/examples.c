/* oas3-valid-schema-example and oas3-valid-media-example: `example`, `default` and Example
 * Object values must be valid against their schema. Findings point at the offending part of the
 * example, with the validator's message. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "../lint_internal.h"

#define MAX_ERRORS_PER_EXAMPLE 10
#define MAX_VALUES_PER_EXAMPLE 1000000 /* JSON values one example may expand to */

/* Validates `value`, written at w->path, against `schema`; `label` names it in messages when
 * the whole value is wrong. */
static void check_value(lint__walk_t *w, lint__rule_t rule, const spec_node_t *schema,
                        const spec_node_t *value, const char *label, spec_validate_direction_t dir)
{
    spec_lint_ctx_t *ctx = w->ctx;
    if (ctx->example_values == 0 || ctx->example_steps == 0)
        return; /* the work budget is spent (hostile aliasing): stop checking examples */
    size_t budget =
        ctx->example_values < MAX_VALUES_PER_EXAMPLE ? ctx->example_values : MAX_VALUES_PER_EXAMPLE;
    size_t before = budget;
    /* the example as a body-model value, the instance type of the validator; errors come back
     * as pointers into it, which name the same place in the example's node */
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    body_value_t *instance = spec_node_to_body(&mem, value, &budget, NULL);
    ctx->example_values -= before - budget;
    if (instance == NULL) {
        body_arena_dispose(&arena);
        return; /* too large or not representable: nothing sound to say */
    }
    spec_validation_t result;
    spec_validation_init(&result);
    spec_validate_options_t opts = {
        .direction = dir,
        .max_errors = MAX_ERRORS_PER_EXAMPLE,
        .max_steps = ctx->example_steps,
    };
    spec_validate(lint__validator(ctx), schema, instance, &opts, &result);
    ctx->example_steps -= result.steps < ctx->example_steps ? result.steps : ctx->example_steps;
    body_arena_dispose(&arena);
    for (size_t i = 0; i < result.count; ++i) {
        const spec_schema_error_t *e = &result.errors[i];
        const spec_node_t *at = spec_pointer_get(value, e->instance_path, strlen(e->instance_path));
        /* name the property like Spectral does: the last step into the example, or the label */
        char name[128];
        const char *slash = strrchr(e->instance_path, '/');
        size_t o = 0;
        for (const char *s = slash != NULL ? slash + 1 : label; *s != '\0' && o + 1 < sizeof(name);
             ++s) {
            if (slash != NULL && s[0] == '~' && (s[1] == '0' || s[1] == '1'))
                name[o++] = *++s == '0' ? '~' : '/';
            else
                name[o++] = *s;
        }
        name[o] = '\0';
        char path[sizeof(w->path.buf) + sizeof(e->instance_path)];
        snprintf(path, sizeof(path), "%s%s", w->path.buf, e->instance_path);
        lint__report(w->ctx, rule, at != NULL ? at : value, path, "\"%s\" property %s", name,
                     e->message);
    }
    spec_validation_dispose(&result);
}

void lint__visit_schema_example(lint__walk_t *w, const spec_node_t *schema)
{
    if (!lint__on(w->ctx, LR_OAS3_VALID_SCHEMA_EXAMPLE))
        return;
    static const char *const fields[] = {"example", "default"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); ++i) {
        const spec_node_t *v = spec_node_get(schema, fields[i]);
        if (v == NULL)
            continue;
        size_t saved = lint__path_push_str(&w->path, fields[i]);
        check_value(w, LR_OAS3_VALID_SCHEMA_EXAMPLE, schema, v, fields[i], SPEC_VALIDATE_ANY);
        lint__path_pop(&w->path, saved);
    }
    /* OpenAPI 3.1 schemas are JSON Schema 2020-12: `examples` is an array of instances */
    const spec_node_t *examples = spec_node_get(schema, "examples");
    if (spec_version(w->ctx->spec) != SPEC_OAS_31 || examples == NULL ||
        examples->kind != SPEC_NODE_SEQUENCE)
        return;
    for (size_t i = 0; i < examples->u.seq.len; ++i) {
        size_t saved = lint__path_push_str(&w->path, "examples");
        lint__path_push_index(&w->path, i);
        check_value(w, LR_OAS3_VALID_SCHEMA_EXAMPLE, schema, examples->u.seq.items[i], "examples",
                    SPEC_VALIDATE_ANY);
        lint__path_pop(&w->path, saved);
    }
}

/* Is the media type at the end of the walk's path JSON (application/json or a +json type)? */
static int json_media_type(const lint__walk_t *w)
{
    char name[128];
    const char *mt = lint__path_last(w, name, sizeof(name));
    const char *semi = strchr(mt, ';');
    size_t len = semi != NULL ? (size_t)(semi - mt) : strlen(mt);
    while (len > 0 && mt[len - 1] == ' ')
        --len;
    return (len >= 5 && strncasecmp(mt + len - 5, "/json", 5) == 0) ||
           (len >= 5 && strncasecmp(mt + len - 5, "+json", 5) == 0);
}

/* OpenAPI 3.1 §4.8.19.1 (Example Object): examples of media types JSON cannot represent are
 * given as strings holding the serialized form (say, a form-urlencoded body), which the schema
 * of the decoded value does not describe. */
static int serialized_example(const lint__walk_t *w, lint__type_t type, const spec_node_t *value)
{
    return type == LT_MEDIA_TYPE && value->kind == SPEC_NODE_SCALAR &&
           value->scalar_type == SPEC_SCALAR_STRING && !json_media_type(w);
}

void lint__visit_media(lint__walk_t *w, lint__type_t type, const spec_node_t *node)
{
    const spec_node_t *schema = spec_node_get(node, "schema");
    if (schema == NULL || !lint__on(w->ctx, LR_OAS3_VALID_MEDIA_EXAMPLE))
        return;
    /* readOnly/writeOnly (3.0 §4.7.24.1, 3.1 §4.8.24): request bodies may omit required readOnly
     * properties, responses required writeOnly ones. */
    spec_validate_direction_t dir = SPEC_VALIDATE_ANY;
    if (type == LT_MEDIA_TYPE && (w->flags & LW_REQUEST))
        dir = SPEC_VALIDATE_REQUEST;
    else if (type == LT_MEDIA_TYPE && (w->flags & LW_RESPONSE))
        dir = SPEC_VALIDATE_RESPONSE;
    const spec_node_t *example = spec_node_get(node, "example");
    if (example != NULL && !serialized_example(w, type, example)) {
        size_t saved = lint__path_push_str(&w->path, "example");
        check_value(w, LR_OAS3_VALID_MEDIA_EXAMPLE, schema, example, "example", dir);
        lint__path_pop(&w->path, saved);
    }
    const spec_node_t *examples = spec_node_get(node, "examples");
    if (examples == NULL || examples->kind != SPEC_NODE_MAPPING)
        return;
    for (size_t i = 0; i < examples->u.map.len; ++i) {
        const spec_pair_t *p = &examples->u.map.items[i];
        const spec_node_t *ex = spec_deref(w->ctx->spec, p->value);
        if (ex == NULL || ex->kind != SPEC_NODE_MAPPING || spec_node_get(ex, "externalValue"))
            continue;
        const spec_node_t *value = spec_node_get(ex, "value");
        if (value == NULL || serialized_example(w, type, value))
            continue;
        size_t saved = lint__path_push_str(&w->path, "examples");
        lint__path_push(&w->path, p->key->u.scalar.str, p->key->u.scalar.len);
        lint__path_push_str(&w->path, "value");
        check_value(w, LR_OAS3_VALID_MEDIA_EXAMPLE, schema, value, "value", dir);
        lint__path_pop(&w->path, saved);
    }
}
