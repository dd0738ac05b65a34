/* Fuzz target: request-path normalisation (gateway/path.c), which decides which API a path
 * reaches. Properties: the output is never longer than the input, starts with '/', holds no
 * dot segment, and normalising it again changes nothing (idempotence). */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1), *out = malloc(size + 1), *again = malloc(size + 1);
    memcpy(in, data, size);
    long n = gw_path_normalize(in, size, out);
    if (n >= 0) {
        assert((size_t)n <= size && n >= 1 && out[0] == '/');
        long m = gw_path_normalize(out, (size_t)n, again);
        assert(m == n && memcmp(out, again, (size_t)n) == 0);
    }
    free(in);
    free(out);
    free(again);
    return 0;
}
