/* The bridge from jansson: load-time values (adapter plan constants) into the body model. */
#include "body_internal.h"
#include "body_jansson.h"

static const char *copy_bytes(const body_mem_t *mem, const char *s, size_t len)
{
    if (len == 0)
        return "";
    char *d = body_alloc(mem, len);
    memcpy(d, s, len);
    return d;
}

static body_value_t *string_from_jansson(const body_mem_t *mem, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    body_value_t *r = body_string_copy(mem, s, len);
    r->flags = body_needs_escape(s, len) ? 0 : BODY_VERBATIM;
    return r;
}

/* Recursive: jansson values come from plan files, whose nesting jansson's parser bounds. */
body_value_t *body_from_jansson(const body_mem_t *mem, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
        return body_null(mem);
    case JSON_TRUE:
        return body_bool(mem, 1);
    case JSON_FALSE:
        return body_bool(mem, 0);
    case JSON_INTEGER:
        return body_integer(mem, json_integer_value(v));
    case JSON_REAL:
        return body_real(mem, json_real_value(v));
    case JSON_STRING:
        return string_from_jansson(mem, v);
    case JSON_ARRAY: {
        body_value_t *a = body_array(mem);
        size_t n = json_array_size(v);
        if (n != 0)
            a->u.items = body_alloc(mem, n * sizeof(*a->u.items));
        for (size_t i = 0; i < n; i++)
            a->u.items[i] = body_from_jansson(mem, json_array_get(v, i));
        a->len = a->cap = (uint32_t)n;
        return a;
    }
    default: {
        body_value_t *o = body_object(mem);
        size_t n = json_object_size(v), i = 0, key_len;
        const char *key;
        json_t *val;
        if (n != 0)
            o->u.members = body_alloc(mem, n * sizeof(*o->u.members));
        json_object_keylen_foreach((json_t *)v, key, key_len, val)
        {
            body_member_t *m = o->u.members + i++;
            m->key = copy_bytes(mem, key, key_len);
            m->len = (uint32_t)key_len;
            m->flags = body_needs_escape(key, key_len) ? 0 : BODY_VERBATIM;
            m->value = body_from_jansson(mem, val);
        }
        o->len = o->cap = (uint32_t)n;
        return o;
    }
    }
}
