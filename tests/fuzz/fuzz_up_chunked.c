/* Fuzz target: the upstream client's chunked decoder (upstream/up_chunked.c). The input is
 * decoded whole and again split at a point the first byte picks; both must agree on the data
 * and on success, and data is never handed out after an error. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "up_http.h"

typedef struct {
    char *out;
    size_t len;
} sink_t;

static void on_data(void *ctx, const char *p, size_t n)
{
    sink_t *s = ctx;
    memcpy(s->out + s->len, p, n);
    s->len += n;
}

/* Decodes in pieces; returns 0, or -1 on an error (after which nothing more is fed). */
static int decode(const char *in, size_t len, size_t split, sink_t *s)
{
    up_chunked_t c;
    up_chunked_init(&c);
    const char *err;
    size_t pieces[2] = {split < len ? split : len, len - (split < len ? split : len)};
    size_t at = 0;
    for (int i = 0; i < 2; ++i) {
        ssize_t used = up_chunked_decode(&c, in + at, pieces[i], on_data, s, &err);
        if (used < 0)
            return -1;
        assert((size_t)used <= pieces[i]);
        if ((size_t)used < pieces[i] || up_chunked_done(&c))
            return 0;
        at += pieces[i];
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t split = data[0] % (size + 1);
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    sink_t a = {malloc(len + 1), 0}, b = {malloc(len + 1), 0};
    int ra = decode(in, len, len, &a), rb = decode(in, len, split, &b);
    assert(ra == rb);
    assert(a.len <= len && b.len <= len);
    if (ra == 0)
        assert(a.len == b.len && memcmp(a.out, b.out, a.len) == 0);
    free(a.out);
    free(b.out);
    return 0;
}
