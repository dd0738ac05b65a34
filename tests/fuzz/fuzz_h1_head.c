/* Fuzz target: the connection guard's strict HTTP/1.1 head reader (gateway/h1_head.c), the
 * first code to read a client's bytes. Properties: never reads past the input; an accepted head
 * ends within it; every prefix of an accepted head is incomplete, never refused (a head that
 * arrives in pieces is judged as if it came whole). */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "h1_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const gw_h1_limits_t limits = {8192, 32};
    char *buf = malloc(size ? size : 1); /* exact size: ASan catches any read past it */
    memcpy(buf, data, size);
    gw_h1_head_t h;
    gw_h1_result_t r = gw_h1_head_parse(buf, size, &limits, &h);
    if (r == GW_H1_OK) {
        assert(h.head_len <= size);
        assert(h.method_len > 0 && h.target_len > 0);
        assert(h.method >= buf && h.target + h.target_len <= buf + size);
        for (size_t cut = 0; cut < h.head_len; cut += 1 + cut / 8) {
            gw_h1_head_t p;
            assert(gw_h1_head_parse(buf, cut, &limits, &p) == GW_H1_INCOMPLETE);
        }
    } else if (r == GW_H1_BAD) {
        assert(h.detail != NULL);
    }
    free(buf);
    return 0;
}
