/* Internal: the header pass of a comparison (ct_headers.c). */
#ifndef CT_HEADERS_H
#define CT_HEADERS_H

#include "ct_ctx.h"

/* Called with the node it compares already entered: [begin, end) are that node's rule states and
 * verdict its verdict (never IGNORE). */
void ct__compare_headers(ct_ctx_t *ctx, const ct_response_t *p, const ct_response_t *c,
                         size_t begin, size_t end);

#endif
