/* `versa lint` for adapter files (adapters/README.md): a document with `api` and `changes` is
 * compiled by the adapter engine against the specs of the versions of the API that names it in
 * the `--config` file, exactly as `versa serve` does at start-up. */
#include <stdlib.h>
#include <string.h>
#include "adapters.h"
#include "config.h"
#include "lint_adapters.h"

static const spec_lint_rule_t rules[] = {
    {"adapter-file", SPEC_LINT_ERROR,
     "Adapter files must compile: valid steps, and fields, operations and schemas that exist in "
     "the specs of both versions of each change."},
    {"adapter-needs-config", SPEC_LINT_INFO,
     "Adapter files are checked against their API's specs: pass --config with the versa config "
     "that names them."},
};

static int accepts(const spec_node_t *root, void *data)
{
    return spec_node_get(root, "openapi") == NULL && spec_node_get(root, "changes") != NULL &&
           spec_node_get(root, "api") != NULL;
}

/* The API of `cfg` whose adapter file is `file`, or NULL. Both names are resolved (`..`,
 * symlinks), so the same file named two ways is found. */
static const gw_api_t *api_of(const gw_config_t *cfg, const char *file)
{
    char *real = realpath(file, NULL);
    const gw_api_t *found = NULL;
    for (size_t a = 0; cfg != NULL && real != NULL && a != cfg->num_apis && found == NULL; ++a) {
        if (cfg->apis[a].adapters_path == NULL)
            continue;
        char *named = realpath(cfg->apis[a].adapters_path, NULL);
        if (named != NULL && strcmp(named, real) == 0)
            found = &cfg->apis[a];
        free(named);
    }
    free(real);
    return found;
}

static void lint(spec_lint_ctx_t *ctx, const spec_doc_t *doc, void *data)
{
    const gw_config_t *cfg = data;
    const char *file = spec_doc_file(doc);
    const gw_api_t *api = api_of(cfg, file);
    if (api == NULL) {
        spec_lint_report(ctx, "adapter-needs-config", NULL, NULL,
                         "not checked: no --config names this adapter file, and its steps can "
                         "only be checked against the specs of its API's versions");
        return;
    }
    size_t n = api->num_versions;
    adp_version_info_t *infos = calloc(n, sizeof(*infos));
    spec_t **owned = calloc(n, sizeof(*owned));
    if (infos == NULL || owned == NULL)
        abort();
    for (size_t i = 0; i != n; ++i) {
        const gw_version_t *v = &api->versions[i];
        spec_error_t serr;
        if (v->spec_path != NULL && spec_load(&owned[i], v->spec_path, NULL, &serr) != 0)
            owned[i] = NULL; /* the spec's own problems are reported when it is linted */
        infos[i] = (adp_version_info_t){v->name, owned[i], v->has_upstream};
    }
    adp_registry_t *reg = NULL;
    spec_error_t err;
    adp_load_options_t opts = {.api = api->name};
    if (adp_registry_load(&reg, file, infos, n, &opts, &err) != 0) {
        /* point at the node the engine names */
        spec_node_t at = {.kind = SPEC_NODE_SCALAR, .pos = {file, err.line, err.col}};
        spec_lint_report(ctx, "adapter-file", err.line != 0 ? &at : NULL, err.pointer, "%s",
                         err.message);
    }
    adp_registry_destroy(reg);
    for (size_t i = 0; i != n; ++i)
        spec_destroy(owned[i]);
    free(owned);
    free(infos);
}

spec_linter_t cli_adapter_linter(const gw_config_t *cfg)
{
    return (spec_linter_t){"adapters", rules, sizeof(rules) / sizeof(rules[0]), accepts, lint,
                           (void *)cfg};
}
