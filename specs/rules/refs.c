/* no-$ref-siblings (OpenAPI 3.0): everything next to a Reference Object's $ref is ignored
 * (3.0 §4.7.23), so writing it there is a mistake. 3.1 allows summary and description. */
#include <string.h>
#include "../lint_internal.h"

void lint__visit_ref(lint__walk_t *w, const spec_node_t *ref)
{
    if (w->ctx->v31 || ref->u.map.len < 2 || !lint__on(w->ctx, LR_NO_REF_SIBLINGS))
        return;
    for (size_t i = 0; i < ref->u.map.len; ++i) {
        const spec_node_t *k = ref->u.map.items[i].key;
        if (strcmp(k->u.scalar.str, "$ref") == 0)
            continue;
        size_t saved = lint__path_push(&w->path, k->u.scalar.str, k->u.scalar.len);
        lint__report(w->ctx, LR_NO_REF_SIBLINGS, k, w->path.buf,
                     "$ref cannot be placed next to any other properties");
        lint__path_pop(&w->path, saved);
    }
}
