/* Internal: the structural diff of two body-model values (ct_json.c). */
#ifndef CT_JSON_H
#define CT_JSON_H

#include "ct_ctx.h"

/* Called with the node it compares already entered: [begin, end) are that node's rule states and
 * verdict its verdict (never IGNORE). */
/* Compares two present values at nesting depth `depth` (the body is depth 0). */
void ct__diff_json(ct_ctx_t *ctx, const body_value_t *a, const body_value_t *b, unsigned depth,
                   size_t begin, size_t end, unsigned verdict);

#endif
