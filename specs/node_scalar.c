/* Scalars by the YAML 1.2 core schema (§10.3.2): the type a plain scalar resolves to, and the
 * values of typed scalars. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "node_internal.h"

static int all_digits(const char *s, const char *digits)
{
    if (*s == '\0')
        return 0;
    for (; *s; ++s)
        if (strchr(digits, *s) == NULL)
            return 0;
    return 1;
}

static int is_float(const char *s)
{
    if (*s == '-' || *s == '+')
        ++s;
    if (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF"))
        return 1;
    int digits = 0, dot = 0;
    for (; *s && *s != 'e' && *s != 'E'; ++s) {
        if (*s == '.') {
            if (dot++)
                return 0;
        } else if (*s >= '0' && *s <= '9') {
            ++digits;
        } else {
            return 0;
        }
    }
    if (digits == 0)
        return 0;
    if (*s == 'e' || *s == 'E') {
        ++s;
        if (*s == '-' || *s == '+')
            ++s;
        return all_digits(s, "0123456789");
    }
    return 1;
}

/* YAML 1.2 core schema resolution of a plain scalar. */
spec_scalar_type_t spec__node_resolve_plain(const char *s)
{
    static const char *nulls[] = {"", "~", "null", "Null", "NULL"};
    static const char *bools[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); ++i)
        if (!strcmp(s, nulls[i]))
            return SPEC_SCALAR_NULL;
    for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); ++i)
        if (!strcmp(s, bools[i]))
            return SPEC_SCALAR_BOOL;
    const char *d = (*s == '-' || *s == '+') ? s + 1 : s;
    if (all_digits(d, "0123456789"))
        return SPEC_SCALAR_INT;
    if ((!strncmp(s, "0x", 2) && all_digits(s + 2, "0123456789abcdefABCDEF")) ||
        (!strncmp(s, "0o", 2) && all_digits(s + 2, "01234567")))
        return SPEC_SCALAR_INT;
    if (is_float(s) || !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
        return SPEC_SCALAR_FLOAT;
    return SPEC_SCALAR_STRING;
}

int spec_node_bool(const spec_node_t *n, int *out)
{
    if (n == NULL || n->kind != SPEC_NODE_SCALAR || n->scalar_type != SPEC_SCALAR_BOOL)
        return -1;
    *out = n->u.scalar.str[0] == 't' || n->u.scalar.str[0] == 'T';
    return 0;
}

int spec_node_int(const spec_node_t *n, int64_t *out)
{
    if (n == NULL || n->kind != SPEC_NODE_SCALAR || n->scalar_type != SPEC_SCALAR_INT)
        return -1;
    const char *s = n->u.scalar.str;
    int base = 10;
    if (!strncmp(s, "0x", 2) || !strncmp(s, "0o", 2)) {
        base = s[1] == 'x' ? 16 : 8;
        s += 2;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, base);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int spec_node_number(const spec_node_t *n, double *out)
{
    if (n == NULL || n->kind != SPEC_NODE_SCALAR)
        return -1;
    if (n->scalar_type == SPEC_SCALAR_INT) {
        int64_t i;
        if (spec_node_int(n, &i) == 0) {
            *out = (double)i;
            return 0;
        }
        *out = strtod(n->u.scalar.str, NULL); /* beyond int64: approximate */
        return 0;
    }
    if (n->scalar_type != SPEC_SCALAR_FLOAT)
        return -1;
    const char *s = n->u.scalar.str;
    const char *body = (*s == '-' || *s == '+') ? s + 1 : s;
    if (body[0] == '.' && (body[1] == 'i' || body[1] == 'I'))
        *out = *s == '-' ? -__builtin_inf() : __builtin_inf();
    else if (body[0] == '.' && (body[1] == 'n' || body[1] == 'N'))
        *out = __builtin_nan("");
    else
        *out = strtod(s, NULL);
    return 0;
}

const char *spec_node_type_name(const spec_node_t *n)
{
    if (n == NULL)
        return "nothing";
    if (n->kind == SPEC_NODE_MAPPING)
        return "mapping";
    if (n->kind == SPEC_NODE_SEQUENCE)
        return "sequence";
    switch (n->scalar_type) {
    case SPEC_SCALAR_NULL:
        return "null";
    case SPEC_SCALAR_BOOL:
        return "boolean";
    case SPEC_SCALAR_INT:
        return "integer";
    case SPEC_SCALAR_FLOAT:
        return "number";
    default:
        return "string";
    }
}
