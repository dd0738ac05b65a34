/* Path templates for operation rewrites and for matching requests to versions without a spec:
 * "/pets/{petId}" parsed into literal and variable parts once, matched per request. */
#include <string.h>
#include "registry.h"

#define MAX_VARS 16

int adp__tpl_parse(adp__arena_t *a, const char *tpl, const adp__tpl_t *vars_from, adp__tpl_t *out,
                   const char **bad_var)
{
    adp__tpart_t parts[2 * MAX_VARS + 1];
    size_t n = 0, nvars = 0;
    *bad_var = NULL;
    for (const char *s = tpl; *s != '\0';) {
        if (n == sizeof(parts) / sizeof(parts[0]))
            return -1;
        if (*s == '{') {
            const char *end = strchr(s, '}');
            if (end == NULL || end == s + 1 || memchr(s + 1, '{', (size_t)(end - s - 1)) != NULL)
                return -1;
            if (n != 0 && parts[n - 1].lit == NULL)
                return -1; /* "{a}{b}": no way to tell where one ends */
            adp__tpart_t *p = &parts[n++];
            p->lit = NULL;
            p->name = adp__arena_strndup(a, s + 1, (size_t)(end - s - 1));
            p->len = 0;
            if (vars_from == NULL) {
                if (nvars == MAX_VARS)
                    return -1;
                p->var = nvars++;
            } else {
                size_t i;
                for (i = 0; i < vars_from->n; ++i)
                    if (vars_from->parts[i].lit == NULL &&
                        strcmp(vars_from->parts[i].name, p->name) == 0)
                        break;
                if (i == vars_from->n) {
                    *bad_var = p->name;
                    return -1;
                }
                p->var = vars_from->parts[i].var;
            }
            s = end + 1;
        } else {
            const char *end = s;
            while (*end != '\0' && *end != '{')
                ++end;
            if (memchr(s, '}', (size_t)(end - s)) != NULL)
                return -1;
            parts[n++] = (adp__tpart_t){adp__arena_strndup(a, s, (size_t)(end - s)),
                                        (size_t)(end - s), NULL, 0};
            s = end;
        }
    }
    out->parts = adp__arena_memdup(a, parts, n, sizeof(*parts));
    out->n = n;
    out->nvars = vars_from != NULL ? vars_from->nvars : nvars;
    return 0;
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* Matches literal `lit` at path[*at], decoding %XX in the path; advances *at. */
static int match_literal(const char *lit, size_t llen, const char *path, size_t len, size_t *at)
{
    size_t i = *at;
    for (size_t j = 0; j < llen; ++j) {
        if (i >= len)
            return -1;
        char c = path[i];
        if (c == '%' && i + 2 < len && hex(path[i + 1]) >= 0 && hex(path[i + 2]) >= 0 &&
            lit[j] != '%') {
            c = (char)(hex(path[i + 1]) * 16 + hex(path[i + 2]));
            if (c == '/')
                return -1; /* an encoded slash is data, never a separator */
            i += 3;
        } else {
            ++i;
        }
        if (c != lit[j])
            return -1;
    }
    *at = i;
    return 0;
}

int adp__tpl_match(const adp__tpl_t *t, const char *path, size_t len, size_t *caps)
{
    size_t at = 0;
    for (size_t i = 0; i < t->n; ++i) {
        const adp__tpart_t *p = &t->parts[i];
        if (p->lit != NULL) {
            if (match_literal(p->lit, p->len, path, len, &at) != 0)
                return -1;
            continue;
        }
        /* a variable spans one non-empty segment piece: up to '/', or up to where the next
         * literal (when it stays in the segment) first matches */
        size_t end = at;
        while (end < len && path[end] != '/')
            ++end;
        const adp__tpart_t *next = i + 1 < t->n ? &t->parts[i + 1] : NULL;
        if (next != NULL && next->lit != NULL && next->len != 0 && next->lit[0] != '/') {
            size_t stop = at + 1;
            for (; stop < end; ++stop) {
                size_t probe = stop;
                if (match_literal(next->lit, next->len, path, len, &probe) == 0)
                    break;
            }
            if (stop >= end)
                return -1;
            end = stop;
        }
        if (end == at)
            return -1;
        caps[2 * p->var] = at;
        caps[2 * p->var + 1] = end - at;
        at = end;
    }
    return at == len ? 0 : -1;
}

int adp__tpl_same_shape(const char *a, const char *b)
{
    while (*a != '\0' && *b != '\0') {
        if (*a == '{' && *b == '{') {
            a = strchr(a, '}');
            b = strchr(b, '}');
            if (a == NULL || b == NULL)
                return 0;
        } else if (*a != *b) {
            return 0;
        }
        ++a;
        ++b;
    }
    return *a == *b;
}
