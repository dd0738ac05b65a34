/* Fuzz target: W3C Trace Context from hostile request fields (tracing/tr_context.c): a
 * traceparent and a tracestate value, separated by the first NUL byte. Properties: a traceparent
 * accepted has non-zero ids; formatting what was parsed gives a version-00 value that parses
 * back to the same ids and sampled flag, and equals the input when the input was already such a
 * value; a sanitised tracestate fits its buffer, has at most 32 members, no empty member, and
 * sanitising it again changes nothing. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tr_context.h"

static void check_traceparent(const char *s, size_t len)
{
    tr_context_t c;
    if (tr_traceparent_parse(s, len, &c) != 0)
        return;
    assert(!tr_id_is_zero(c.trace_id, 16) && !tr_id_is_zero(c.span_id, 8));
    char out[TR_TRACEPARENT_LEN];
    tr_traceparent_format(c.trace_id, c.span_id, c.flags, out);
    tr_context_t again;
    assert(tr_traceparent_parse(out, sizeof(out), &again) == 0);
    assert(memcmp(again.trace_id, c.trace_id, 16) == 0 && memcmp(again.span_id, c.span_id, 8) == 0);
    assert(again.flags == (c.flags & TR_FLAG_SAMPLED));
    if (len == TR_TRACEPARENT_LEN && memcmp(s, "00-", 3) == 0 && (c.flags & ~TR_FLAG_SAMPLED) == 0)
        assert(memcmp(out, s, len) == 0);
}

static void check_tracestate(const char *s, size_t len)
{
    char out[TR_TRACESTATE_MAX], again[TR_TRACESTATE_MAX];
    size_t n = tr_tracestate_sanitise(s, len, out, sizeof(out));
    assert(n <= sizeof(out));
    if (n == 0)
        return;
    size_t members = 1;
    for (size_t i = 0; i < n; i++)
        members += out[i] == ',';
    assert(members <= TR_TRACESTATE_MAX_MEMBERS);
    assert(out[0] != ',' && out[n - 1] != ',');
    for (size_t i = 1; i < n; i++)
        assert(!(out[i] == ',' && out[i - 1] == ','));
    size_t m = tr_tracestate_sanitise(out, n, again, sizeof(again));
    assert(m == n && memcmp(again, out, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t tplen = nul != NULL ? (size_t)(nul - text) : size;
    size_t tslen = nul != NULL ? size - tplen - 1 : 0;
    char *tp = malloc(tplen ? tplen : 1), *ts = malloc(tslen ? tslen : 1);
    memcpy(tp, text, tplen);
    if (tslen != 0)
        memcpy(ts, nul + 1, tslen);
    check_traceparent(tp, tplen);
    check_tracestate(ts, tslen);
    free(tp);
    free(ts);
    return 0;
}
