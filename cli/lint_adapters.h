/* The adapter-file linter of `versa lint` (cli/lint_adapters.c). */
#ifndef VERSA_LINT_ADAPTERS_H
#define VERSA_LINT_ADAPTERS_H

#include "config.h"
#include "lint.h"

/* A linter compiling adapter files, against the specs of `cfg`'s API that names the file when
 * `cfg` is not NULL (borrowed for the linter's lifetime). */
spec_linter_t cli_adapter_linter(const gw_config_t *cfg);

#endif
