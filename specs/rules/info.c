/* info-contact and info-description: the Info Object should say who runs the API and what it
 * is (Spectral's spectral:oas rules of the same names). */
#include "../lint_internal.h"

void lint__rules_info(spec_lint_ctx_t *ctx)
{
    const spec_node_t *info = spec_node_get(spec_root(ctx->spec), "info");
    if (info == NULL || info->kind != SPEC_NODE_MAPPING)
        return; /* oas3-schema reports a missing or malformed Info Object */
    if (spec_node_get(info, "contact") == NULL)
        lint__report(ctx, LR_INFO_CONTACT, info, "/info",
                     "Info object must have \"contact\" object.");
    const spec_node_t *d = spec_node_get(info, "description");
    if (!lint__truthy(d))
        lint__report(ctx, LR_INFO_DESCRIPTION, d != NULL ? d : info,
                     d != NULL ? "/info/description" : "/info",
                     "Info \"description\" must be present and non-empty string.");
}
