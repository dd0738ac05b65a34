/* JSON Schema validation of body-model values (body/body.h) against OpenAPI Schema Objects (spec
 * nodes): the validator, errors and instance paths, keyword collection and the walk, with $ref
 * through the spec's resolver. The keyword checks live in schema_keywords.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema_internal.h"

void spec_validation_init(spec_validation_t *v)
{
    memset(v, 0, sizeof(*v));
}

void spec_validation_dispose(spec_validation_t *v)
{
    free(v->errors);
    memset(v, 0, sizeof(*v));
}

spec_validator_t *spec_validator_create(const spec_t *spec)
{
    spec_validator_t *v = spec__xcalloc(1, sizeof(*v));
    v->spec = spec;
    v->v31 = spec != NULL && spec_version(spec) == SPEC_OAS_31;
    v->dialect = v->v31 ? SPEC_DIALECT_OAS31 : SPEC_DIALECT_OAS30;
    spec__arena_init(&v->names);
    spec__arena_init(&v->keywords);
    return v;
}

void spec_validator_set_formats(spec_validator_t *v, spec_formats_t formats)
{
    v->formats_assert = formats == SPEC_FORMATS_ASSERT;
}

int spec_formats_parse(const char *name, spec_formats_t *out)
{
    if (strcmp(name, "annotate") != 0 && strcmp(name, "assert") != 0)
        return -1;
    *out = strcmp(name, "assert") == 0 ? SPEC_FORMATS_ASSERT : SPEC_FORMATS_ANNOTATE;
    return 0;
}

int spec_dialect_parse(const char *name, spec_dialect_t *out)
{
    static const char *const names[] = {"oas30", "oas31", "draft4", "2020-12"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i) {
        if (strcmp(name, names[i]) == 0) {
            *out = (spec_dialect_t)i;
            return 0;
        }
    }
    return -1;
}

spec_validator_t *spec_validator_create_schema(const spec_node_t *root, const char *uri,
                                               spec_dialect_t dialect, spec_schema_fetch_cb fetch,
                                               void *fetch_ctx)
{
    spec_validator_t *v = spec_validator_create(NULL);
    v->dialect = dialect;
    v->v31 = dialect == SPEC_DIALECT_OAS31 || dialect == SPEC_DIALECT_2020_12;
    v->fetch = fetch;
    v->fetch_ctx = fetch_ctx;
    spec__schema_index(v, root, uri != NULL ? uri : "");
    /* 2020-12 §8.1.2: a custom metaschema's $vocabulary may leave the validation vocabulary
     * out; its keywords (type, minimum, required...) then only annotate */
    const char *meta = spec_node_str(spec_node_get(root, "$schema"));
    if (v->v31 && meta != NULL && fetch != NULL && strstr(meta, "json-schema.org") == NULL) {
        const spec_node_t *m = fetch(fetch_ctx, meta);
        const spec_node_t *vocab = m != NULL ? spec_node_get(m, "$vocabulary") : NULL;
        if (vocab != NULL && vocab->kind == SPEC_NODE_MAPPING &&
            spec_node_get(vocab, "https://json-schema.org/draft/2020-12/vocab/validation") == NULL)
            v->no_validation = 1;
        if (vocab != NULL && vocab->kind == SPEC_NODE_MAPPING &&
            spec_node_get(vocab, "https://json-schema.org/draft/2020-12/vocab/format-assertion"))
            v->formats_assert = 1;
    }
    return v;
}

void spec_validator_destroy(spec_validator_t *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->npatterns; ++i)
        spec__regex_destroy(v->patterns[i].re);
    free(v->patterns);
    for (size_t i = 0; i < v->nprops_indexes; ++i)
        free(v->props_indexes[i]);
    free(v->props_indexes);
    spec__ptrmap_dispose(&v->props_index);
    spec__ptrmap_dispose(&v->pattern_index);
    spec__ptrmap_dispose(&v->keywords_index);
    spec__arena_dispose(&v->keywords);
    spec__ptrmap_dispose(&v->ref_base);
    spec__ptrmap_dispose(&v->ref_target);
    spec__ptrmap_dispose(&v->dyn_target);
    spec__ptrmap_dispose(&v->schema_base);
    free(v->named);
    spec__arena_dispose(&v->names);
    free(v);
}

/* Every mapping below `n` holding `pattern` or `patternProperties` gets its regexes compiled,
 * every large `properties` map its index and every mapping holding keywords its compiled
 * keywords (schema_compile.c).
 * Each container is visited once: YAML aliases make the tree a DAG (an alias bomb stays cheap). */
static void compile_patterns(spec_validator_t *v, const spec_node_t *n, unsigned depth,
                             spec__ptrmap_t *seen)
{
    if (depth > 512 || n->kind == SPEC_NODE_SCALAR ||
        !spec__ptrmap_put(seen, (uintptr_t)n, 0, NULL))
        return;
    if (n->kind == SPEC_NODE_SEQUENCE) {
        for (size_t i = 0; i < n->u.seq.len; ++i)
            compile_patterns(v, n->u.seq.items[i], depth + 1, seen);
        return;
    }
    if (n->kind != SPEC_NODE_MAPPING)
        return;
    spec__schema_keywords_precompile(v, n);
    const spec_node_t *p = spec_node_get(n, "pattern");
    if (p != NULL && p->kind == SPEC_NODE_SCALAR)
        spec__schema_pattern(v, p);
    const spec_node_t *props = spec_node_get(n, "properties");
    if (props != NULL)
        spec__schema_props_index(v, props);
    const spec_node_t *pp = spec_node_get(n, "patternProperties");
    if (pp != NULL && pp->kind == SPEC_NODE_MAPPING)
        for (size_t i = 0; i < pp->u.map.len; ++i)
            spec__schema_pattern(v, pp->u.map.items[i].key);
    for (size_t i = 0; i < n->u.map.len; ++i)
        compile_patterns(v, n->u.map.items[i].value, depth + 1, seen);
}

void spec_validator_freeze(spec_validator_t *v, const spec_node_t *root)
{
    spec__ptrmap_t seen = {0};
    if (v->spec != NULL) {
        /* every loaded document: $refs reach schemas in other files */
        for (size_t i = 0; i < spec_document_count(v->spec); ++i) {
            const spec_doc_t *d = spec_document(v->spec, i);
            if (d != NULL && spec_doc_root(d) != NULL)
                compile_patterns(v, spec_doc_root(d), 0, &seen);
        }
    }
    if (root != NULL)
        compile_patterns(v, root, 0, &seen);
    spec__ptrmap_dispose(&seen);
    spec__schema_keywords_link(v);
    v->frozen = 1;
}

/* ---- Errors and the instance path ---- */

int spec__schema_fail(spec__vctx_t *c, const char *keyword, const spec_node_t *at, const char *fmt,
                      ...)
{
    if (c->probe)
        return 1;
    ++c->found;
    spec_validation_t *o = c->out;
    if (o->count >= c->max_errors)
        return 1;
    if (o->count == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 8;
        o->errors = spec__xrealloc(o->errors, o->cap * sizeof(*o->errors));
    }
    spec_schema_error_t *e = &o->errors[o->count++];
    e->instance_path[0] = '\0';
    for (size_t i = 0; i < c->nsegs && i < sizeof(c->segs) / sizeof(c->segs[0]); ++i) {
        char num[24];
        const char *k = c->segs[i].key;
        size_t len = c->segs[i].len;
        if (k == NULL) {
            len = (size_t)snprintf(num, sizeof(num), "%zu", c->segs[i].len);
            k = num;
        }
        if (spec_pointer_append(e->instance_path, sizeof(e->instance_path), k, len) != 0)
            break; /* too long: the pointer stops at the last segment that fit */
    }
    e->schema = at;
    e->keyword = keyword;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return 1;
}

/* ---- Evaluation ---- */

int spec__schema_probe(spec__vctx_t *c, const spec_node_t *schema, const body_value_t *inst,
                       unsigned depth)
{
    ++c->probe;
    int r = spec__schema_eval(c, schema, inst, depth);
    --c->probe;
    return r;
}

/* ---- Annotations for unevaluatedProperties / unevaluatedItems ---- */

void spec__ann_init(spec__ann_t *a, const body_value_t *inst)
{
    size_t words = (inst->len + 63) / 64;
    a->inst = inst;
    a->bits = words <= sizeof(a->local) / sizeof(a->local[0]) ? a->local : spec__xcalloc(words, 8);
    memset(a->local, 0, sizeof(a->local));
}

void spec__ann_dispose(spec__ann_t *a)
{
    if (a->bits != a->local)
        free(a->bits);
}

void spec__ann_merge(spec__ann_t *into, const spec__ann_t *from)
{
    for (size_t i = 0; i < (into->inst->len + 63) / 64; ++i)
        into->bits[i] |= from->bits[i];
}

int spec__schema_probe_collect(spec__vctx_t *c, const spec_node_t *schema, const body_value_t *inst,
                               unsigned depth)
{
    spec__ann_t *outer = c->ann;
    if (outer == NULL || outer->inst != inst)
        return spec__schema_probe(c, schema, inst, depth);
    spec__ann_t mine;
    spec__ann_init(&mine, inst);
    c->ann = &mine;
    int r = spec__schema_probe(c, schema, inst, depth);
    c->ann = outer;
    if (r == 0)
        spec__ann_merge(outer, &mine);
    spec__ann_dispose(&mine);
    return r;
}

/* unevaluatedItems / unevaluatedProperties (2020-12 §11.2, §11.3): the items or members no
 * keyword of this schema (in-place applicators included) evaluated must match the schema. */
static int check_unevaluated(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst,
                             spec__ann_t *ann, unsigned depth)
{
    int bad = 0, b;
    c->ann = NULL;
    if (inst->type == BODY_ARRAY && k->unevaluated_items != NULL) {
        for (size_t i = 0; i < inst->len; ++i) {
            if (spec__ann_has(ann, i))
                continue;
            size_t saved = spec__schema_path_push_index(c, i);
            if (spec_node_bool(k->unevaluated_items, &b) == 0 && !b)
                bad |= spec__schema_fail(c, "unevaluatedItems", k->unevaluated_items,
                                         "must NOT have unevaluated item %zu", i);
            else
                bad |= spec__schema_eval(c, k->unevaluated_items, inst->u.items[i], depth + 1);
            spec__schema_path_pop(c, saved);
            ann->bits[i / 64] |= (uint64_t)1 << (i % 64);
            if (bad && c->probe)
                break;
        }
    } else if (inst->type == BODY_OBJECT && k->unevaluated_properties != NULL) {
        for (size_t i = 0; i < inst->len; ++i) {
            if (spec__ann_has(ann, i))
                continue;
            const char *key = inst->u.members[i].key;
            size_t klen = inst->u.members[i].len;
            size_t saved = spec__schema_path_push(c, key, klen);
            if (spec_node_bool(k->unevaluated_properties, &b) == 0 && !b)
                bad |= spec__schema_fail(c, "unevaluatedProperties", k->unevaluated_properties,
                                         "must NOT have unevaluated property \"%.*s\"",
                                         (int)(klen < 100 ? klen : 100), key);
            else
                bad |= spec__schema_eval(c, k->unevaluated_properties, inst->u.members[i].value,
                                         depth + 1);
            spec__schema_path_pop(c, saved);
            ann->bits[i / 64] |= (uint64_t)1 << (i % 64);
            if (bad && c->probe)
                break;
        }
    }
    return bad;
}

/* Everything but unevaluated*: $ref and $dynamicRef, then the keyword families. */
static int eval_keywords(spec__vctx_t *c, const spec_node_t *schema, const spec__keywords_t *k,
                         const body_value_t *inst, unsigned depth)
{
    int bad = 0;
    if (k->ref != NULL) {
        const spec_node_t *target = k->ref_known ? k->ref_target : spec__schema_deref(c->v, schema);
        if (target == NULL) {
            c->out->incomplete = 1; /* a broken $ref is reported by the loader, not here */
        } else if (target != schema) {
            bad |= spec__schema_eval_k(c, target, k->ref_k, inst, depth + 1);
            /* 3.0 §4.7.25: a Reference Object's siblings are ignored; 3.1 schemas apply them */
            if (!c->v->v31 || (bad && c->probe))
                return bad;
        }
    }
    if (k->dynamic_ref != NULL && c->v->spec == NULL) {
        const spec_node_t *target = spec__schema_dynamic_deref(c, schema);
        if (target == NULL)
            c->out->incomplete = 1;
        else
            bad |= spec__schema_eval(c, target, inst, depth + 1);
        if (bad && c->probe)
            return bad;
    }
    if (!c->v->no_validation) {
        if (k->type != NULL)
            bad |= spec__schema_check_type(c, k, inst);
        if (k->enum_ != NULL)
            bad |= spec__schema_check_enum(c, k, inst);
        if (k->const_ != NULL && !spec__schema_node_equals(k->const_, inst))
            bad |= spec__schema_fail(c, "const", k->const_, "must be equal to constant");
        if (bad && c->probe)
            return 1;
    }

    switch (inst->type) {
    case BODY_NUMBER:
        if (!c->v->no_validation && (k->families & SPEC__KW_NUMBER))
            bad |= spec__schema_check_number(c, k, inst);
        break;
    case BODY_STRING:
        if (!c->v->no_validation && (k->families & SPEC__KW_STRING))
            bad |= spec__schema_check_string(c, k, inst);
        break;
    case BODY_ARRAY:
        bad |= spec__schema_check_array(c, k, inst, depth);
        break;
    case BODY_OBJECT:
        bad |= spec__schema_check_object(c, k, inst, depth);
        break;
    default:
        break;
    }
    if (bad && c->probe)
        return 1;
    if (!(k->families & SPEC__KW_COMBINATORS))
        return bad;
    return bad | spec__schema_check_combinators(c, k, inst, depth);
}

int spec__schema_eval(spec__vctx_t *c, const spec_node_t *schema, const body_value_t *inst,
                      unsigned depth)
{
    return spec__schema_eval_k(c, schema, NULL, inst, depth);
}

int spec__schema_eval_k(spec__vctx_t *c, const spec_node_t *schema, const spec__keywords_t *k,
                        const body_value_t *inst, unsigned depth)
{
    if (schema == NULL)
        return 0;
    if (depth > MAX_DEPTH || ++c->steps > c->max_steps) {
        c->out->incomplete = 1;
        return 0;
    }
    if (schema->kind == SPEC_NODE_SCALAR && schema->scalar_type == SPEC_SCALAR_BOOL) {
        int b = 1;
        spec_node_bool(schema, &b); /* 3.1: `true` accepts everything, `false` nothing */
        return b ? 0 : spec__schema_fail(c, "false", schema, "boolean schema is false");
    }
    if (schema->kind != SPEC_NODE_MAPPING)
        return 0; /* not a schema: oas3-schema reports it */

    spec__keywords_t buf;
    if (k == NULL)
        k = spec__schema_keywords(c->v, schema, &buf);
    /* the dynamic scope: entering a schema of another resource pushes its base URI */
    size_t scope_saved = c->nscope;
    if (c->v->has_dynamic) {
        const char *base = spec__schema_base(c->v, schema);
        if (base != NULL && (c->nscope == 0 || c->scope[c->nscope - 1] != base) &&
            c->nscope < sizeof(c->scope) / sizeof(c->scope[0]))
            c->scope[c->nscope++] = base;
    }
    spec__ann_t *outer = c->ann;
    int bad;
    if ((k->unevaluated_items != NULL && inst->type == BODY_ARRAY) ||
        (k->unevaluated_properties != NULL && inst->type == BODY_OBJECT)) {
        spec__ann_t mine;
        spec__ann_init(&mine, inst);
        c->ann = &mine;
        bad = eval_keywords(c, schema, k, inst, depth);
        if (!(bad && c->probe))
            bad |= check_unevaluated(c, k, inst, &mine, depth);
        if (!bad && outer != NULL && outer->inst == inst)
            spec__ann_merge(outer, &mine);
        spec__ann_dispose(&mine);
    } else {
        if (outer != NULL && outer->inst != inst)
            c->ann = NULL; /* annotations are about one instance location */
        bad = eval_keywords(c, schema, k, inst, depth);
    }
    c->ann = outer;
    c->nscope = scope_saved;
    return bad;
}

size_t spec_validate(spec_validator_t *v, const spec_node_t *schema, const body_value_t *instance,
                     const spec_validate_options_t *opts, spec_validation_t *out)
{
    spec__vctx_t c;
    memset(&c, 0, sizeof(c));
    c.v = v;
    c.out = out;
    c.direction = opts != NULL ? opts->direction : SPEC_VALIDATE_ANY;
    c.strict_direction = opts != NULL && opts->strict_direction;
    c.max_errors = opts != NULL && opts->max_errors != 0 ? opts->max_errors : 16;
    c.max_steps = opts != NULL && opts->max_steps != 0 ? opts->max_steps : MAX_STEPS;
    spec__schema_eval(&c, schema, instance, 0);
    out->steps += c.steps < c.max_steps ? c.steps : c.max_steps;
    return c.found;
}
