/* The streaming pass's `removed` with `from` (apply.c's DERIVE): when the member a step fills is
 * absent at an object's end, a copy of another member of that object, found by reading the
 * object again (it is whole in the input, so the member may come before or after). */
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

/* `removed` with `from`: a copy of a member of the object [open, s->p], set last (apply.c's
 * DERIVE: body_copy, then body_set). The copy is the member as the input has it, so nothing may
 * be edited in it: the tree engine walks the copy in the state of its new name (a downgrade, after
 * the object's steps), and in an upgrade it copies a member its walk has edited already. The
 * object is read again to find the member, at most about ten times the body's size in all (nested
 * copies), beyond which the pass gives up. */
int adp__stream_copy_member(adp__stream_t *s, const adp__pstep_t *ps, const char *open,
                            uint32_t state, size_t depth, size_t *emitted)
{
    const adp__seg_t *from = &ps->step->src.segs[0];
    const char *at, *end;
    s->reread += (size_t)(s->p - open);
    if (s->reread > 8 * s->first_cap) /* first_cap: the body's size and a quarter */
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
