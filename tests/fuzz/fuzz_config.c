/* Fuzz target: the gateway's config loader (gateway/config*.c) on arbitrary YAML: every section
 * reader and its file:line:col errors. File paths the config names are relative to a directory
 * that does not exist, so nothing is read from disk but the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spec_doc_t *doc;
    spec_error_t err;
    if (spec_doc_parse(&doc, "fuzz.yaml", (const char *)data, size, NULL, &err) != 0)
        return 0;
    gw_config_t *cfg = NULL;
    if (gw_config_from_doc(doc, "/nonexistent-fuzz-dir", &cfg, &err) == 0)
        gw_config_release(cfg);
    spec_doc_destroy(doc);
    return 0;
}
