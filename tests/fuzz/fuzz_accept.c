/* Fuzz target: Accept-header version negotiation (gateway/version.c). Properties: a version
 * found points into the header; canonicalising it never overflows its buffer. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);
    memcpy(in, data, size);
    const char *value = NULL;
    size_t value_len = 0;
    gw_accept_result_t r =
        gw_accept_version(in, size, "application/vnd.acme+json", &value, &value_len);
    if (r == GW_ACCEPT_VERSION) {
        assert(value >= in && value + value_len <= in + size);
        char canon[64];
        (void)gw_version_canonical(value, value_len, canon, sizeof(canon));
    }
    free(in);
    return 0;
}
