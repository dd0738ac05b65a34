/* API version negotiation: canonical version names and the vendor media type's Accept parameter. */
#include "version.h"

#include <stdio.h>
#include <string.h>

static int is_version_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '_' || c == '-';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Length of a trailing ".0" (or ".00"...) component of s[0..len), or 0 when there is none. */
static size_t trailing_zero_component(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && s[i - 1] == '0')
        --i;
    if (i == len || i < 2 || s[i - 1] != '.')
        return 0;
    return len - (i - 1);
}

int gw_version_canonical(const char *s, size_t len, char *out, size_t size)
{
    if (len == 0 || len >= GW_VERSION_NAME_MAX || size == 0)
        return -1;
    size_t skip = 0;
    if (len >= 2 && lower((unsigned char)s[0]) == 'v' && is_digit((unsigned char)s[1]))
        skip = 1;
    if (len - skip >= size)
        return -1;
    size_t n = 0;
    for (size_t i = skip; i < len; ++i) {
        if (!is_version_char((unsigned char)s[i]))
            return -1;
        out[n++] = (char)lower((unsigned char)s[i]);
    }
    /* "1.0.0" and "1" name the same version; a trailing ".0" is never significant. */
    size_t drop;
    while ((drop = trailing_zero_component(out, n)) != 0)
        n -= drop;
    out[n] = '\0';
    return (int)n;
}

const gw_version_t *gw_version_find(const gw_api_t *api, const char *s, size_t len)
{
    char canon[GW_VERSION_NAME_MAX];
    if (gw_version_canonical(s, len, canon, sizeof(canon)) < 0)
        return NULL;
    for (size_t i = 0; i != api->num_versions; ++i)
        if (strcmp(api->versions[i].canonical, canon) == 0)
            return api->versions + i;
    return NULL;
}

size_t gw_version_list(const gw_api_t *api, char *buf, size_t size)
{
    size_t len = 0;
    if (size == 0)
        return 0;
    buf[0] = '\0';
    for (size_t i = 0; i != api->num_versions; ++i) {
        int n = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", api->versions[i].name);
        if (n < 0 || (size_t)n >= size - len)
            return strlen(buf);
        len += (size_t)n;
    }
    return len;
}

/* --- Accept (RFC 9110 §12.5.1, §5.6) --- */

/* tchar, RFC 9110 §5.6.2 */
static int is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

typedef struct st_cursor_t {
    const char *p, *end;
} cursor_t;

static void skip_ows(cursor_t *c)
{
    while (c->p != c->end && is_ows(*c->p))
        ++c->p;
}

static size_t token(cursor_t *c)
{
    const char *start = c->p;
    while (c->p != c->end && is_tchar((unsigned char)*c->p))
        ++c->p;
    return (size_t)(c->p - start);
}

static int ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i != alen; ++i)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* quoted-string, RFC 9110 §5.6.4; the cursor sits on the opening quote. On success the value
 * excludes the quotes and *has_escape tells whether a quoted-pair occurred. */
static int quoted_string(cursor_t *c, const char **value, size_t *len, int *has_escape)
{
    ++c->p;
    *value = c->p;
    *has_escape = 0;
    while (c->p != c->end) {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '"') {
            *len = (size_t)(c->p - *value);
            ++c->p;
            return 0;
        }
        if (ch == '\\') {
            if (++c->p == c->end)
                return -1;
            ch = (unsigned char)*c->p;
            if (!(ch == '\t' || (ch >= 0x20 && ch != 0x7f)))
                return -1;
            *has_escape = 1;
        } else if (!(ch == '\t' || (ch >= 0x20 && ch != 0x7f))) {
            return -1;
        }
        ++c->p;
    }
    return -1;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), as thousandths. */
static int qvalue(const char *s, size_t len, unsigned *out)
{
    if (len == 0 || len > 5 || (s[0] != '0' && s[0] != '1'))
        return -1;
    unsigned q = (unsigned)(s[0] - '0') * 1000, scale = 100;
    if (len > 1) {
        if (s[1] != '.')
            return -1;
        for (size_t i = 2; i < len; ++i, scale /= 10) {
            if (!is_digit((unsigned char)s[i]))
                return -1;
            q += (unsigned)(s[i] - '0') * scale;
        }
    }
    if (q > 1000)
        return -1;
    *out = q;
    return 0;
}

typedef struct st_range_t {
    int names_vendor;
    unsigned q;
    const char *version;
    size_t version_len;
} range_t;

/* Parses one media range with its parameters up to the next ',' or the end. Returns 0 on
 * success, -1 when the range is malformed (the cursor is then left anywhere inside it). */
static int parse_range(cursor_t *c, const char *media_type, range_t *r)
{
    const char *start = c->p;
    token(c);
    if (c->p == c->end || *c->p != '/')
        goto type_done;
    ++c->p;
    token(c);
type_done:
    r->names_vendor = ieq(start, (size_t)(c->p - start), media_type);
    r->q = 1000;
    r->version = NULL;
    r->version_len = 0;
    {
        const char *slash = memchr(start, '/', (size_t)(c->p - start));
        if (slash == NULL || slash == start || slash + 1 == c->p)
            return -1;
    }
    int seen_q = 0;
    for (;;) {
        skip_ows(c);
        if (c->p == c->end || *c->p == ',')
            return 0;
        if (*c->p != ';')
            return -1;
        ++c->p;
        skip_ows(c);
        if (c->p == c->end || *c->p == ',' || *c->p == ';')
            continue; /* parameters = *( OWS ";" OWS [ parameter ] ) */
        const char *name = c->p;
        size_t name_len = token(c);
        if (name_len == 0 || c->p == c->end || *c->p != '=')
            return -1; /* no whitespace around '=' (RFC 9110 §5.6.6) */
        ++c->p;
        const char *value;
        size_t value_len;
        int has_escape = 0, quoted = c->p != c->end && *c->p == '"';
        if (quoted) {
            if (quoted_string(c, &value, &value_len, &has_escape) != 0)
                return -1;
        } else {
            value = c->p;
            if ((value_len = token(c)) == 0)
                return -1;
        }
        if (ieq(name, name_len, "q")) {
            if (seen_q++ || quoted || qvalue(value, value_len, &r->q) != 0)
                return -1;
        } else if (r->names_vendor && ieq(name, name_len, "version")) {
            char canon[GW_VERSION_NAME_MAX];
            if (r->version != NULL || has_escape ||
                gw_version_canonical(value, value_len, canon, sizeof(canon)) < 0)
                return -1;
            r->version = value;
            r->version_len = value_len;
        }
    }
}

/* Moves past the current element: to just after the next ',' that is outside a quoted-string. */
static void skip_element(cursor_t *c)
{
    int quoted = 0;
    for (; c->p != c->end; ++c->p) {
        if (quoted) {
            if (*c->p == '\\' && c->p + 1 != c->end)
                ++c->p;
            else if (*c->p == '"')
                quoted = 0;
        } else if (*c->p == '"') {
            quoted = 1;
        } else if (*c->p == ',') {
            break;
        }
    }
}

static gw_accept_result_t accept_scan(const char *accept, size_t len, const char *media_type,
                                      const gw_api_t *api, const char **value, size_t *value_len)
{
    if (accept == NULL || media_type == NULL)
        return GW_ACCEPT_NO_PREFERENCE;
    cursor_t c = {accept, accept + len};
    const char *best = NULL, *wanted = NULL;
    size_t best_len = 0, wanted_len = 0;
    unsigned best_q = 0, wanted_q = 0;
    while (c.p != c.end) {
        skip_ows(&c);
        if (c.p == c.end)
            break;
        if (*c.p == ',') { /* empty list elements are allowed (RFC 9110 §5.6.1.2) */
            ++c.p;
            continue;
        }
        range_t r;
        if (parse_range(&c, media_type, &r) != 0) {
            if (r.names_vendor)
                return GW_ACCEPT_MALFORMED;
            skip_element(&c);
            continue;
        }
        if (!r.names_vendor || r.version == NULL || r.q == 0)
            continue;
        if (r.q > wanted_q) { /* the client's first choice, available or not */
            wanted = r.version;
            wanted_len = r.version_len;
            wanted_q = r.q;
        }
        if (r.q > best_q && (api == NULL || gw_version_find(api, r.version, r.version_len))) {
            best = r.version;
            best_len = r.version_len;
            best_q = r.q;
        }
    }
    if (best != NULL) {
        *value = best;
        *value_len = best_len;
        return GW_ACCEPT_VERSION;
    }
    if (wanted != NULL) {
        *value = wanted;
        *value_len = wanted_len;
        return GW_ACCEPT_UNAVAILABLE;
    }
    return GW_ACCEPT_NO_PREFERENCE;
}

gw_accept_result_t gw_accept_version(const char *accept, size_t len, const char *media_type,
                                     const char **value, size_t *value_len)
{
    return accept_scan(accept, len, media_type, NULL, value, value_len);
}

gw_accept_result_t gw_accept_negotiate(const char *accept, size_t len, const char *media_type,
                                       const gw_api_t *api, const char **value,
                                       size_t *value_len)
{
    return accept_scan(accept, len, media_type, api, value, value_len);
}
