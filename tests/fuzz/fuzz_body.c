/* Fuzz target: the JSON body model (body/): parse, then the byte-exact writer. Properties:
 * writing what was parsed and parsing that again gives an equal tree whose output is identical
 * (a fixpoint), and whatever jansson accepts the body model accepts too (but for depth). */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    body_error_t err;
    body_value_t *v = body_parse(&mem, buf, size, 0, &err);
    if (v != NULL) {
        size_t n1;
        char *out1 = body_dump(&mem, v, &n1);
        body_value_t *w = body_parse(&mem, out1, n1, 0, &err);
        assert(w != NULL);
        assert(body_equal(v, w));
        size_t n2;
        char *out2 = body_dump(&mem, w, &n2);
        assert(n1 == n2 && memcmp(out1, out2, n1) == 0);
    }
    /* jansson rejects NUL in strings and numbers its doubles cannot hold; compare the rest */
    if (memchr(data, 0, size) == NULL && memchr(data, '\\', size) == NULL) {
        json_error_t jerr;
        json_t *j = json_loadb(buf, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (j != NULL && v == NULL && err.code != BODY_EDEPTH)
            abort(); /* jansson accepted what the body model refused */
        json_decref(j);
    }
    free(buf);
    body_arena_dispose(&arena);
    return 0;
}
