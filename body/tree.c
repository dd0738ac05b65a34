/* The tree of the body model: constructors, deep copies and the edits the adapters make (member
 * set, delete and rename in place, array put, append and remove). */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "body_internal.h"

/* ---- memory ---- */

void *body_alloc(const body_mem_t *mem, size_t size)
{
    return mem->alloc(mem->ctx, size);
}

static body_value_t *new_value(const body_mem_t *mem, body_type_t type, unsigned flags)
{
    body_value_t *v = body_alloc(mem, sizeof(*v));
    v->type = (uint8_t)type;
    v->flags = (uint8_t)flags;
    v->len = 0;
    v->cap = 0;
    v->u.str = NULL;
    return v;
}

/* ---- constructors ---- */

body_value_t *body_null(const body_mem_t *mem)
{
    return new_value(mem, BODY_NULL, 0);
}

body_value_t *body_bool(const body_mem_t *mem, int b)
{
    return new_value(mem, b ? BODY_TRUE : BODY_FALSE, 0);
}

body_value_t *body_string(const body_mem_t *mem, const char *s, size_t len)
{
    assert(len <= UINT32_MAX);
    body_value_t *v = new_value(mem, BODY_STRING, 0);
    v->u.str = s;
    v->len = (uint32_t)len;
    return v;
}

static const char *copy_bytes(const body_mem_t *mem, const char *s, size_t len)
{
    if (len == 0)
        return "";
    char *d = body_alloc(mem, len);
    memcpy(d, s, len);
    return d;
}

body_value_t *body_string_copy(const body_mem_t *mem, const char *s, size_t len)
{
    return body_string(mem, copy_bytes(mem, s, len), len);
}

/* Decimal text of i into buf (at least 20 bytes); returns the length. */
static size_t format_int(char *buf, int64_t i)
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233"
        "343536373839404142434445464748495051525354555657585960616263646566"
        "676869707172737475767778798081828384858687888990919293949596979899";
    char tmp[20], *q = tmp + sizeof(tmp);
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    for (; u >= 100; u /= 100) {
        q -= 2;
        memcpy(q, pairs + 2 * (u % 100), 2);
    }
    if (u >= 10) {
        q -= 2;
        memcpy(q, pairs + 2 * u, 2);
    } else {
        *--q = (char)('0' + u);
    }
    if (i < 0)
        *--q = '-';
    size_t len = (size_t)(tmp + sizeof(tmp) - q);
    memcpy(buf, q, len);
    return len;
}

static body_value_t *number_copy(const body_mem_t *mem, const char *text, size_t len,
                                 unsigned flags)
{
    body_value_t *v = new_value(mem, BODY_NUMBER, flags);
    v->u.str = copy_bytes(mem, text, len);
    v->len = (uint32_t)len;
    return v;
}

body_value_t *body_integer(const body_mem_t *mem, int64_t i)
{
    char buf[20];
    return number_copy(mem, buf, format_int(buf, i), BODY_INTEGER);
}

body_value_t *body_real(const body_mem_t *mem, double d)
{
    char buf[40];
    int n = 0;
    if (!isfinite(d))
        return NULL;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, sizeof(buf) - 2, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (strpbrk(buf, ".eE") == NULL) {
        memcpy(buf + n, ".0", 2);
        n += 2;
    }
    return number_copy(mem, buf, (size_t)n, 0);
}

body_value_t *body_number_text(const body_mem_t *mem, const char *text, size_t len)
{
    body_value_t *v = new_value(mem, BODY_NUMBER, BODY_INTEGER);
    for (size_t i = 0; i < len; i++)
        if (text[i] == '.' || text[i] == 'e' || text[i] == 'E')
            v->flags = 0;
    v->u.str = text;
    v->len = (uint32_t)len;
    return v;
}

body_value_t *body_object(const body_mem_t *mem)
{
    return new_value(mem, BODY_OBJECT, 0);
}

body_value_t *body_array(const body_mem_t *mem)
{
    return new_value(mem, BODY_ARRAY, 0);
}

/* Recursive, with the depth bound of body_write_size. */
body_value_t *body_copy(const body_mem_t *mem, const body_value_t *v)
{
    if (v->type != BODY_ARRAY && v->type != BODY_OBJECT)
        return (body_value_t *)v; /* scalars are never edited in place: one node serves all */
    body_value_t *c = body_alloc(mem, sizeof(*c));
    *c = *v;
    if (v->type == BODY_ARRAY || v->type == BODY_OBJECT) {
        c->cap = v->len;
        c->u.items = NULL;
    }
    if (v->type == BODY_ARRAY && v->len != 0) {
        c->u.items = body_alloc(mem, v->len * sizeof(*c->u.items));
        for (uint32_t i = 0; i < v->len; i++)
            c->u.items[i] = body_copy(mem, v->u.items[i]);
    } else if (v->type == BODY_OBJECT && v->len != 0) {
        c->u.members = body_alloc(mem, v->len * sizeof(*c->u.members));
        for (uint32_t i = 0; i < v->len; i++) {
            c->u.members[i] = v->u.members[i];
            c->u.members[i].value = body_copy(mem, v->u.members[i].value);
        }
    }
    return c;
}

/* ---- objects and arrays ---- */

/* Makes room for one more entry of `size` bytes in v's array `entries` and returns the array:
 * when full, doubles into new memory from `mem` and abandons the old one. */
static void *grow(const body_mem_t *mem, body_value_t *v, void *entries, size_t size)
{
    if (v->len < v->cap)
        return entries;
    size_t cap = v->cap < 2 ? 4 : 2 * (size_t)v->cap;
    assert(cap <= UINT32_MAX);
    void *fresh = body_alloc(mem, cap * size);
    if (v->len != 0)
        memcpy(fresh, entries, v->len * size);
    v->cap = (uint32_t)cap;
    return fresh;
}

static body_member_t *find_member(const body_value_t *obj, const char *key, size_t len)
{
    for (uint32_t i = 0; i < obj->len; i++) {
        body_member_t *m = obj->u.members + i;
        if (body__same_bytes(m->key, m->len, key, len))
            return m;
    }
    return NULL;
}

body_value_t *body_get(const body_value_t *obj, const char *key, size_t len)
{
    if (!body_is(obj, BODY_OBJECT))
        return NULL;
    body_member_t *m = find_member(obj, key, len);
    return m != NULL ? m->value : NULL;
}

void body_set(const body_mem_t *mem, body_value_t *obj, const char *key, size_t len,
              body_value_t *v)
{
    assert(obj->type == BODY_OBJECT && len <= UINT32_MAX);
    body_member_t *m = find_member(obj, key, len);
    if (m == NULL) {
        obj->u.members = grow(mem, obj, obj->u.members, sizeof(*m));
        m = obj->u.members + obj->len++;
        m->key = key;
        m->len = (uint32_t)len;
        m->flags = body_needs_escape(key, len) ? 0 : BODY_VERBATIM;
    }
    m->value = v;
}

int body_del(body_value_t *obj, const char *key, size_t len)
{
    assert(obj->type == BODY_OBJECT);
    body_member_t *m = find_member(obj, key, len);
    if (m == NULL)
        return -1;
    size_t after = obj->len - (size_t)(m - obj->u.members) - 1;
    memmove(m, m + 1, after * sizeof(*m));
    obj->len--;
    return 0;
}

int body_rename(body_value_t *obj, const char *key, size_t len, const char *to, size_t to_len)
{
    assert(obj->type == BODY_OBJECT && to_len <= UINT32_MAX);
    body_member_t *m = find_member(obj, key, len);
    if (m == NULL || find_member(obj, to, to_len) != NULL)
        return -1;
    m->key = to;
    m->len = (uint32_t)to_len;
    m->flags = body_needs_escape(to, to_len) ? 0 : BODY_VERBATIM;
    return 0;
}

void body_put(body_value_t *arr, size_t i, body_value_t *v)
{
    assert(arr->type == BODY_ARRAY && i < arr->len);
    arr->u.items[i] = v;
}

void body_append(const body_mem_t *mem, body_value_t *arr, body_value_t *v)
{
    assert(arr->type == BODY_ARRAY);
    arr->u.items = grow(mem, arr, arr->u.items, sizeof(*arr->u.items));
    arr->u.items[arr->len++] = v;
}

void body_remove(body_value_t *arr, size_t i)
{
    assert(arr->type == BODY_ARRAY && i < arr->len);
    memmove(arr->u.items + i, arr->u.items + i + 1, (arr->len - i - 1) * sizeof(*arr->u.items));
    arr->len--;
}
