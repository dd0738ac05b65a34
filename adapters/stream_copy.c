/* The streaming pass's `removed` with `from` (apply.c's DERIVE): when the member a step fills is
 * absent at an object's end, a copy of another member of that object, found by reading the
 * object again (it is whole in the input, so the member may come before or after). */
#include <stddef.h>
#include "stream.h"

/* The end of the value at p, in text the walk found valid. */
static const char *value_end(const char *p)
{
    size_t nest = 0;
    for (;; ++p) {
        switch (*p) {
        case '"':
            for (++p; *p != '"'; ++p)
                p += *p == '\\';
            if (nest == 0)
                return p + 1;
            break;
        case '{':
        case '[':
            ++nest;
            break;
        case '}':
        case ']':
            if (nest == 0)
                return p; /* the end of the object: a scalar was its last value */
            if (--nest == 0)
                return p + 1;
            break;
        case ',':
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            if (nest == 0)
                return p;
            break;
        default:
            break;
        }
    }
}

/* Where the value of member key[0..len) of the object [open, close] is (the walk found the object
 * valid, its names unescaped and unique): *at NULL when it has none. */
static void find_member(const char *open, const char *close, const char *key, size_t len,
                        const char **at, const char **end)
{
    *at = NULL;
    for (const char *p = open + 1; p < close;) {
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')
            ++p;
        if (*p != '"')
            return;
        const char *name = p + 1, *q = name;
        while (*q != '"')
            ++q;
        for (p = q + 1; *p != ':'; ++p)
            ;
        for (++p; *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'; ++p)
            ;
        const char *e = value_end(p);
        if ((size_t)(q - name) == len && body_bytes_eq(name, key, len)) {
            *at = p;
            *end = e;
            return;
        }
        p = e;
    }
}

/* The '{' of the object whose '}' is at `close`, read backwards through text the walk found
 * valid (so that the walk need not keep it): a quote preceded by an odd number of backslashes is
 * inside a string, and no backslash comes before a string's opening quote. */
static const char *object_open(const char *close)
{
    size_t nest = 0;
    for (const char *p = close - 1;; --p) {
        if (*p == '"') {
            for (--p;; --p) {
                if (*p != '"')
                    continue;
                size_t k = 0;
                while (p[-1 - (ptrdiff_t)k] == '\\')
                    ++k;
                if (k % 2 == 0)
                    break;
            }
        } else if (*p == '}' || *p == ']') {
            ++nest;
        } else if (*p == '{' || *p == '[') {
            if (nest == 0)
                return p;
            --nest;
        }
    }
}

/* `removed` with `from`: a copy of a member of the object that ends at s->p, set last (apply.c's
 * DERIVE: body_copy, then body_set). The copy is the member as the input has it, so nothing may
 * be edited in it: the tree engine walks the copy in the state of its new name (a downgrade, after
 * the object's steps), and in an upgrade it copies a member its walk has edited already. The
 * object is read again to find the member, at most about ten times the body's size in all (nested
 * copies), beyond which the pass gives up. */
int adp__stream_copy_member(adp__stream_t *s, const adp__pstep_t *ps, uint32_t state, size_t depth,
                            size_t *emitted)
{
    const adp__seg_t *from = &ps->step->src.segs[0];
    const char *at, *end, *open = object_open(s->p);
    s->reread += (uint32_t)((size_t)(s->p - open) / 64 + 1);
    if (s->reread > s->first_cap / 8) /* 8 times first_cap, the body's size and a quarter */
        return -1;
    find_member(open, s->p, from->key, from->len, &at, &end);
    if (at == NULL)
        return ps->step->count_missing ? -1 : 0;
    if (adp__stream_busy(s, state, ps->key, ps->len, depth) ||
        (s->upgrade && adp__stream_busy(s, state, from->key, from->len, depth)))
        return -1;
    adp__stream_flush(s, s->p);
    if ((*emitted)++ != 0)
        adp__stream_emit(s, ",", 1);
    adp__stream_emit_name(s, ps->key, ps->len);
    adp__stream_emit_compact(s, at, end);
    return 0;
}
