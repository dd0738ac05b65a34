/* Fuzz target: the structural response diff (contract-tests/ct_diff.c and its passes) on
 * arbitrary pairs. The first byte picks where the input splits into the primary's and the
 * candidate's bodies, the second byte their content types. Properties: a body compared with
 * itself has no differences; no crash, leak or hang on any pair. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ct_diff.h"
#include "ct_rules.h"

static ct_rules_t *rules(void)
{
    static ct_rules_t *r;
    if (r == NULL) {
        ct_error_t err;
        r = ct_rules_create(NULL, &err);
        assert(r != NULL);
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const char *types[] = {"application/json", "text/plain", "application/problem+json"};
    const char *body = (const char *)data + 2;
    size_t len = size - 2, split = data[0] % (len + 1);
    const char *type = types[data[1] % 3];
    ct_response_t a = {.status = 200, .content_type = type, .content_type_len = strlen(type),
                       .body = body, .body_len = split};
    ct_response_t b = a;
    b.body = body + split;
    b.body_len = len - split;
    b.status = 200 + data[1] % 2;
    ct_result_t result;
    ct_result_init(&result);
    (void)ct_compare(rules(), "op", &a, &b, &result);
    ct_result_clear(&result);
    assert(ct_compare(rules(), "op", &a, &a, &result) == 0);
    ct_result_dispose(&result);
    return 0;
}
