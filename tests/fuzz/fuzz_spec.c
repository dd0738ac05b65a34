/* Fuzz target: the YAML tree and the OpenAPI loader with $ref resolution (specs/node.c, ref.c,
 * spec.c), then every lint rule over what loaded. Inputs are YAML or JSON text; $refs to files
 * stay inside the working directory's tree (none exist there but the seed corpus). Properties:
 * no crash, no leak, no hang (alias bombs and ref cycles are bounded). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lint.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spec_load_options_t opts = {.max_files = 4, .ref_root = "/nonexistent-fuzz-root"};
    spec_t *spec;
    spec_error_t err;
    if (spec_parse(&spec, "fuzz.yaml", (const char *)data, size, &opts, &err) != 0)
        return 0;
    spec_lint_t *lint;
    spec_lint_options_t lo = {.load = &opts};
    if (spec_lint_create(&lint, &lo, &err) == 0) {
        spec_lint_spec(lint, spec);
        spec_lint_destroy(lint);
    }
    spec_destroy(spec);
    return 0;
}
