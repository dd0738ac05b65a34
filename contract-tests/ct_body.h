/* Internal: the body pass of a comparison (ct_body.c): JSON bodies parsed into the body model and
 * compared structurally, anything else byte for byte. */
#ifndef CT_BODY_H
#define CT_BODY_H

#include "ct_ctx.h"

/* Called with the node it compares already entered: [begin, end) are that node's rule states and
 * verdict its verdict (never IGNORE). */
void ct__compare_body(ct_ctx_t *ctx, const ct_response_t *p, const ct_response_t *c, size_t begin,
                      size_t end, unsigned verdict);

#endif
