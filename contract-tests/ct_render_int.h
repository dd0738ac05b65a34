/* Internal: tolerant accessors over report JSON shared by the renderers (a member that is absent
 * or of another type reads as 0, false or NULL). */
#ifndef CT_RENDER_INT_H
#define CT_RENDER_INT_H

#include <jansson.h>
#include <stdint.h>

#include "ct_report_render.h"

static inline uint64_t ct__jint(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

static inline double ct__jnum(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

static inline int ct__jbool(const json_t *obj, const char *key)
{
    return json_is_true(json_object_get(obj, key));
}

/* The string member, or NULL. */
static inline const char *ct__jstr(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static inline size_t ct__jstrlen(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_length(v) : 0;
}

/* The member if it is an array (else NULL; jansson's array functions accept NULL). */
static inline json_t *ct__jarr(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_array(v) ? v : NULL;
}

static inline json_t *ct__jobj(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_object(v) ? v : NULL;
}

/* Upstream errors of a replay by side. */
static inline uint64_t ct__replay_errors(const json_t *report, const char *side)
{
    return ct__jint(ct__jobj(ct__jobj(report, "replay"), "errors"), side);
}

/* The sum of the counts of "violations" (contract violations). */
static inline uint64_t ct__violations(const json_t *report)
{
    uint64_t n = 0;
    size_t i;
    json_t *v;
    json_array_foreach(ct__jarr(report, "violations"), i, v) n += ct__jint(v, "count");
    return n;
}

/* One entry of "violations": an operation, side, keyword and schema location, how often it was
 * seen and its latest example (`sample`, NULL when absent); an absent string is NULL. */
typedef struct st_ct__violation_t {
    const char *operation, *side, *keyword, *schema;
    unsigned long long count;
    const json_t *sample;
    const char *request_id, *pointer, *message, *curl; /* the sample's */
} ct__violation_t;

/* Calls fn for each entry of the report's "violations", in order, read as above: the walk the
 * text, JUnit and HTML renderings share. Returns how many entries there were. */
static inline size_t ct__report_foreach_violation(const json_t *report,
                                                  void (*fn)(void *ctx, const ct__violation_t *v),
                                                  void *ctx)
{
    json_t *list = ct__jarr(report, "violations");
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const json_t *s = ct__jobj(e, "sample");
        ct__violation_t v = {.operation = ct__jstr(e, "operation"),
                             .side = ct__jstr(e, "side"),
                             .keyword = ct__jstr(e, "keyword"),
                             .schema = ct__jstr(e, "schema"),
                             .count = ct__jint(e, "count"),
                             .sample = s,
                             .request_id = ct__jstr(s, "request_id"),
                             .pointer = ct__jstr(s, "pointer"),
                             .message = ct__jstr(s, "message"),
                             .curl = ct__jstr(s, "curl")};
        fn(ctx, &v);
    }
    return json_array_size(list);
}

#endif
