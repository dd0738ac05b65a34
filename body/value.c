/* Reading values of the body model: numbers as int64 or double, and equality (structural, and
 * of numbers by value). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "body_internal.h"

int body_int_value(const body_value_t *v, int64_t *out)
{
    if (!body_is_integer(v))
        return -1;
    const char *s = v->u.str, *end = s + v->len;
    int neg = s != end && *s == '-';
    uint64_t u = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    s += neg;
    if (s == end)
        return -1;
    for (; s != end; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (d > 9 || u > (limit - d) / 10)
            return -1;
        u = u * 10 + d;
    }
    *out = !neg ? (int64_t)u : u == limit ? INT64_MIN : -(int64_t)u;
    return 0;
}

int body_real_value(const body_value_t *v, double *out)
{
    if (!body_is(v, BODY_NUMBER) || v->len == 0)
        return -1;
    /* strtod needs a NUL; valid numbers this long are absurd but must not overflow the stack */
    char stack[512],
        *buf = v->len < sizeof(stack) ? stack : body__xrealloc(NULL, (size_t)v->len + 1);
    char *end;
    memcpy(buf, v->u.str, v->len);
    buf[v->len] = '\0';
    double d = strtod(buf, &end);
    int ok = end == buf + v->len && isfinite(d);
    if (buf != stack)
        free(buf);
    if (!ok)
        return -1;
    *out = d;
    return 0;
}

static int numbers_equal(const body_value_t *a, const body_value_t *b)
{
    if ((a->flags & BODY_INTEGER) != (b->flags & BODY_INTEGER))
        return 0;
    if (a->flags & BODY_INTEGER) {
        int64_t x, y;
        int ra = body_int_value(a, &x), rb = body_int_value(b, &y);
        if (ra == 0 && rb == 0)
            return x == y;
        if (ra != rb)
            return 0;
    } else {
        double x, y;
        if (body_real_value(a, &x) == 0 && body_real_value(b, &y) == 0)
            return x == y;
    }
    /* beyond int64 or double: integer text is canonical (no leading zeros) */
    return body__same_bytes(a->u.str, a->len, b->u.str, b->len);
}

/* The shared walk of body_equal (numbers by their text, canonically) and body_equal_by_value
 * (numbers by their value: 1 equals 1.0). Recursive, with the depth bound of body_write_size. */
static int equal(const body_value_t *a, const body_value_t *b, int by_value)
{
    if (a == b)
        return 1;
    if (a == NULL || b == NULL)
        return 0;
    if (by_value && a->type == BODY_NUMBER && b->type == BODY_NUMBER)
        return body_number_equal(a, b);
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case BODY_NUMBER:
        return numbers_equal(a, b);
    case BODY_STRING:
        return body__same_bytes(a->u.str, a->len, b->u.str, b->len);
    case BODY_ARRAY:
        if (a->len != b->len)
            return 0;
        for (uint32_t i = 0; i < a->len; i++)
            if (!equal(a->u.items[i], b->u.items[i], by_value))
                return 0;
        return 1;
    case BODY_OBJECT:
        if (a->len != b->len)
            return 0;
        for (uint32_t i = 0; i < a->len; i++) {
            const body_member_t *m = a->u.members + i, *same = b->u.members + i;
            /* names are unique, so equal counts and a match for each name suffice */
            const body_value_t *bv = body__same_bytes(m->key, m->len, same->key, same->len)
                                         ? same->value
                                         : body_get(b, m->key, m->len);
            if (bv == NULL || !equal(m->value, bv, by_value))
                return 0;
        }
        return 1;
    default:
        return 1;
    }
}

int body_equal(const body_value_t *a, const body_value_t *b)
{
    return equal(a, b, 0);
}

double body_number_value(const body_value_t *v)
{
    double d;
    return body_real_value(v, &d) == 0 ? d : NAN;
}

int body_number_equal(const body_value_t *a, const body_value_t *b)
{
    if (body__same_bytes(a->u.str, a->len, b->u.str, b->len))
        return 1;
    int64_t i, j;
    int ia = body_int_value(a, &i) == 0, ib = body_int_value(b, &j) == 0;
    if (ia && ib)
        return i == j;
    double d, e;
    if (!ia && !ib)
        return body_real_value(a, &d) == 0 && body_real_value(b, &e) == 0 && d == e;
    if (body_real_value(ia ? b : a, &d) != 0)
        return 0;
    /* 2^63 is exactly representable; the range check keeps the conversion defined */
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != floor(d))
        return 0;
    return (int64_t)d == (ia ? i : j);
}

int body_equal_by_value(const body_value_t *a, const body_value_t *b)
{
    return equal(a, b, 1);
}
