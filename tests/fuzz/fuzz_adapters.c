/* Fuzz target: the adapter file parser and compiler (adapters/parse*.c, compile*.c), checked
 * against a fixed pair of specs (the `pets-chain` golden case's), as the gateway loads it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "adapters.h"

#ifndef FUZZ_CASE_DIR
#error FUZZ_CASE_DIR names adapters/tests/cases/pets-chain
#endif

static spec_t *load(const char *name)
{
    spec_t *spec;
    spec_error_t err;
    if (spec_load(&spec, name, NULL, &err) != 0)
        abort();
    return spec;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static adp_version_info_t versions[3];
    if (versions[0].name == NULL) {
        versions[0] = (adp_version_info_t){"v1", load(FUZZ_CASE_DIR "/v1.yaml"), 0};
        versions[1] = (adp_version_info_t){"v2", load(FUZZ_CASE_DIR "/v2.yaml"), 0};
        versions[2] = (adp_version_info_t){"v3", load(FUZZ_CASE_DIR "/v3.yaml"), 1};
    }
    adp_registry_t *reg = NULL;
    spec_error_t err;
    if (adp_registry_parse(&reg, "adapters.yaml", (const char *)data, size, versions, 3, NULL,
                           &err) == 0)
        adp_registry_destroy(reg);
    return 0;
}
