/* Fuzz target: the upstream client's response-head parser and framing decision (upstream/
 * up_head.c), which stand between an upstream's bytes and the client's stream. Properties: a
 * parsed head ends within the input with a status in 100..599; its framing decision never
 * keeps a connection whose length is unknown. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "up_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    up_header_t headers[64];
    up_http_head_t head;
    const char *err = NULL;
    ssize_t n = up_http_parse_head(buf, size, &head, headers, 64, &err);
    if (n > 0) {
        assert((size_t)n <= size);
        assert(head.status >= 100 && head.status <= 599);
        for (int method_is_head = 0; method_is_head < 2; ++method_is_head) {
            up_http_framing_t framing;
            uint64_t length;
            int keep_alive;
            if (up_http_framing(&head, method_is_head, &framing, &length, &keep_alive, &err) == 0)
                assert(!(framing == UP_HTTP_BODY_CLOSE && keep_alive));
        }
    } else if (n < 0) {
        assert(err != NULL);
    }
    free(buf);
    return 0;
}
