/* Upstream response framing checks (RFC 9112 §6.3), see framing.h. */
#include <string.h>
#include "framing.h"

static int is_name(const h2o_header_t *h, const char *lit, size_t len)
{
    return h2o_lcstris(h->name->base, h->name->len, lit, len);
}

/* Decimal digits only (RFC 9110 §8.6); SIZE_MAX for anything else or an overflow. */
static size_t parse_length(h2o_iovec_t v)
{
    size_t start = 0, end = v.len;
    while (start < end && (v.base[start] == ' ' || v.base[start] == '\t'))
        ++start;
    while (end > start && (v.base[end - 1] == ' ' || v.base[end - 1] == '\t'))
        --end;
    if (start == end || end - start > 19)
        return SIZE_MAX;
    size_t n = 0;
    for (size_t i = start; i < end; ++i) {
        if (v.base[i] < '0' || v.base[i] > '9')
            return SIZE_MAX;
        n = n * 10 + (size_t)(v.base[i] - '0');
    }
    return n;
}

const char *gw_framing_check_response(int status, const h2o_header_t *headers, size_t num_headers,
                                      gw_response_framing_t *out)
{
    out->chunked = 0;
    out->content_length = SIZE_MAX;
    if (status < 200 || status > 599)
        return "it answered with a status code outside 200-599";
    int has_length = 0;
    for (size_t i = 0; i < num_headers; ++i) {
        const h2o_header_t *h = &headers[i];
        if (h->name->len == 0)
            return "it answered with an obsolete folded header line";
        if (is_name(h, H2O_STRLIT("transfer-encoding"))) {
            if (h2o_contains_token(h->value.base, h->value.len, H2O_STRLIT("chunked"), ','))
                out->chunked = 1;
        } else if (is_name(h, H2O_STRLIT("content-length"))) {
            /* a list ("5, 5") or repeated fields: every member must agree (§6.3 ¶5) */
            const char *p = h->value.base, *end = p + h->value.len;
            while (p <= end) {
                const char *comma = memchr(p, ',', (size_t)(end - p));
                const char *stop = comma != NULL ? comma : end;
                size_t n = parse_length(h2o_iovec_init(p, (size_t)(stop - p)));
                if (n == SIZE_MAX)
                    return "it answered with an invalid Content-Length";
                if (has_length && n != out->content_length)
                    return "it answered with conflicting Content-Length values";
                has_length = 1;
                out->content_length = n;
                p = stop + 1;
            }
        }
    }
    if (out->chunked && has_length)
        return "it answered with both Content-Length and Transfer-Encoding: chunked";
    if (out->chunked)
        out->content_length = SIZE_MAX;
    return NULL;
}
