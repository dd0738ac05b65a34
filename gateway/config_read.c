/* The config loader's error context and typed readers: every error names the offending key
 * ("apis[0].prefix: ..."), points at its node (file:line:col) and carries a JSON pointer. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config_internal.h"

/* --- error context: where in the document we are, for messages and JSON pointers --- */

static void append(char *buf, size_t size, const char *s)
{
    size_t len = strlen(buf);
    if (len < size - 1)
        snprintf(buf + len, size - len, "%s", s);
}

gw__config_mark_t gw__config_enter_key(gw__config_loader_t *l, const char *key)
{
    gw__config_mark_t m = {strlen(l->where), strlen(l->pointer)};
    if (l->where[0] != '\0')
        append(l->where, sizeof(l->where), ".");
    append(l->where, sizeof(l->where), key);
    append(l->pointer, sizeof(l->pointer), "/");
    for (const char *p = key; *p != '\0'; ++p) { /* RFC 6901 §3 */
        char c[2] = {*p, '\0'};
        append(l->pointer, sizeof(l->pointer), *p == '~' ? "~0" : *p == '/' ? "~1" : c);
    }
    return m;
}

gw__config_mark_t gw__config_enter_index(gw__config_loader_t *l, size_t i)
{
    gw__config_mark_t m = {strlen(l->where), strlen(l->pointer)};
    char buf[32];
    snprintf(buf, sizeof(buf), "[%zu]", i);
    append(l->where, sizeof(l->where), buf);
    snprintf(buf, sizeof(buf), "/%zu", i);
    append(l->pointer, sizeof(l->pointer), buf);
    return m;
}

void gw__config_leave(gw__config_loader_t *l, gw__config_mark_t m)
{
    l->where[m.where] = '\0';
    l->pointer[m.pointer] = '\0';
}

static int vfail(gw__config_loader_t *l, const spec_node_t *n, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int vfail(gw__config_loader_t *l, const spec_node_t *n, const char *fmt, va_list ap)
{
    char msg[sizeof(l->err->message)];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (l->where[0] != '\0')
        spec_error_at(l->err, n, "%s: %s", l->where, msg);
    else
        spec_error_at(l->err, n, "%s", msg);
    snprintf(l->err->pointer, sizeof(l->err->pointer), "%s", l->pointer);
    return -1;
}

int gw__config_fail(gw__config_loader_t *l, const spec_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(l, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* --- "did you mean" --- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return SIZE_MAX;
    size_t row[33];
    for (size_t j = 0; j <= lb; ++j)
        row[j] = j;
    for (size_t i = 1; i <= la; ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; ++j) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *suggest(const char *key, const char *const *allowed)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX, limit = strlen(key) <= 4 ? 1 : 2;
    size_t key_len = strlen(key);
    for (const char *const *a = allowed; *a != NULL; ++a) {
        size_t d = edit_distance(key, *a);
        if (d > limit && key_len >= 3 && strncmp(*a, key, key_len) == 0)
            d = limit; /* an abbreviation: "addr", "cert" */
        if (d <= limit && d < best_d)
            best = *a, best_d = d;
    }
    return best;
}

/* --- typed readers --- */

int gw__config_expect_mapping(gw__config_loader_t *l, const spec_node_t *n)
{
    if (n->kind != SPEC_NODE_MAPPING)
        return gw__config_fail(l, n, "expected a mapping, got %s", spec_node_type_name(n));
    return 0;
}

/* Checks that `n` is a mapping whose keys are all in `allowed` (NULL-terminated). */
int gw__config_check_keys(gw__config_loader_t *l, const spec_node_t *n, const char *const *allowed)
{
    if (gw__config_expect_mapping(l, n) != 0)
        return -1;
    for (size_t i = 0; i != n->u.map.len; ++i) {
        const spec_node_t *key = n->u.map.items[i].key;
        const char *const *a;
        for (a = allowed; *a != NULL; ++a)
            if (spec_node_is(key, *a))
                break;
        if (*a != NULL)
            continue;
        const char *hint = suggest(key->u.scalar.str, allowed);
        if (hint != NULL)
            return gw__config_fail(l, key, "unknown key '%s' (did you mean '%s'?)",
                                   key->u.scalar.str, hint);
        return gw__config_fail(l, key, "unknown key '%s'", key->u.scalar.str);
    }
    return 0;
}

const spec_node_t *gw__config_require(gw__config_loader_t *l, const spec_node_t *map,
                                      const char *key)
{
    const spec_node_t *n = spec_node_get(map, key);
    if (n == NULL)
        gw__config_fail(l, map, "missing required key '%s'", key);
    return n;
}

int gw__config_read_string(gw__config_loader_t *l, const spec_node_t *n, const char **out)
{
    if ((*out = spec_node_str(n)) == NULL)
        return gw__config_fail(l, n, "expected a string, got %s", spec_node_type_name(n));
    if (**out == '\0')
        return gw__config_fail(l, n, "must not be empty");
    if (strlen(*out) != n->u.scalar.len)
        return gw__config_fail(l, n, "must not contain NUL characters");
    return 0;
}

int gw__config_read_uint(gw__config_loader_t *l, const spec_node_t *n, uint64_t min, uint64_t max,
                         uint64_t *out)
{
    int64_t v;
    if (spec_node_int(n, &v) != 0) {
        if (n->kind == SPEC_NODE_SCALAR && n->scalar_type == SPEC_SCALAR_INT)
            return gw__config_fail(l, n, "integer out of range");
        return gw__config_fail(l, n, "expected an integer, got %s", spec_node_type_name(n));
    }
    if (v < 0 || (uint64_t)v < min || (uint64_t)v > max)
        return gw__config_fail(l, n, "expected an integer between %llu and %llu, got %lld",
                               (unsigned long long)min, (unsigned long long)max, (long long)v);
    *out = (uint64_t)v;
    return 0;
}

/* A size: an integer, or a string such as "16MiB" (gw_parse_size). */
int gw__config_read_size(gw__config_loader_t *l, const spec_node_t *v, size_t *out)
{
    int64_t i;
    if (spec_node_int(v, &i) == 0) {
        if (i < 0)
            return gw__config_fail(l, v, "must not be negative");
        *out = (size_t)i;
    } else if (spec_node_str(v) == NULL) {
        return gw__config_fail(l, v, "expected a size such as 16MiB, got %s",
                               spec_node_type_name(v));
    } else if (gw_parse_size(spec_node_str(v), out) != 0) {
        return gw__config_fail(l, v, "invalid size '%s' (examples: 1048576, 512KiB, 16MiB, 1GiB)",
                               spec_node_str(v));
    }
    return 0;
}

/* An optional key read in place: the enter/read/leave every optional field needs. */
int gw__config_opt_uint(gw__config_loader_t *l, const spec_node_t *map, const char *key,
                        uint64_t min, uint64_t max, uint64_t *out)
{
    const spec_node_t *v = spec_node_get(map, key);
    if (v == NULL)
        return 0;
    gw__config_mark_t m = gw__config_enter_key(l, key);
    if (gw__config_read_uint(l, v, min, max, out) != 0)
        return -1;
    gw__config_leave(l, m);
    return 0;
}

int gw__config_opt_size(gw__config_loader_t *l, const spec_node_t *map, const char *key,
                        size_t *out)
{
    const spec_node_t *v = spec_node_get(map, key);
    if (v == NULL)
        return 0;
    gw__config_mark_t m = gw__config_enter_key(l, key);
    if (gw__config_read_size(l, v, out) != 0)
        return -1;
    gw__config_leave(l, m);
    return 0;
}

/* A path from the config, made absolute against the config file's directory. */
int gw__config_read_path(gw__config_loader_t *l, const spec_node_t *n, char **out)
{
    const char *s;
    if (gw__config_read_string(l, n, &s) != 0)
        return -1;
    if (s[0] == '/')
        *out = xstrdup(s);
    else
        *out = xasprintf("%s/%s", l->base_dir, s[0] == '.' && s[1] == '/' ? s + 2 : s);
    return 0;
}

/* RFC 9110 §5.6.2 token. */
int gw__config_is_token(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; ++s)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              strchr("!#$%&'*+-.^_`|~", *s) != NULL))
            return 0;
    return 1;
}

/* --- sizes --- */

int gw_parse_size(const char *s, size_t *out)
{
    static const struct {
        const char *unit;
        uint64_t mult;
    } units[] = {
        {"", 1},
        {"b", 1},
        {"kb", 1000},
        {"mb", 1000 * 1000},
        {"gb", 1000 * 1000 * 1000},
        {"tb", 1000ull * 1000 * 1000 * 1000},
        {"kib", 1024},
        {"mib", 1024 * 1024},
        {"gib", 1024 * 1024 * 1024},
        {"tib", 1024ull * 1024 * 1024 * 1024},
    };
    const char *p = s;
    uint64_t v = 0;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; ++p) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (*p == ' ' && p[1] != '\0')
        ++p;
    for (size_t i = 0; i != sizeof(units) / sizeof(units[0]); ++i) {
        if (strcasecmp(p, units[i].unit) != 0)
            continue;
        if (v > UINT64_MAX / units[i].mult || v * units[i].mult > SIZE_MAX)
            return -1;
        *out = (size_t)(v * units[i].mult);
        return 0;
    }
    return -1;
}
