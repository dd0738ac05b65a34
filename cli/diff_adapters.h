/* Adapter coverage for `versa diff` (cli/diff_adapters.c): each breaking difference between two
 * consecutive versions is matched against the adapter file's change for that step. */
#ifndef VERSA_DIFF_ADAPTERS_H
#define VERSA_DIFF_ADAPTERS_H

#include <stdio.h>
#include "coverage.h"
#include "diff.h"

/* Marks the findings of `diff` (base -> version index `to`) covered or uncovered by the steps of
 * the change to `to`, and adds an `adapter-change-unused` warning for each step that matches no
 * difference. With `suggest`, writes adapter YAML for the uncovered ones to `suggest` (the
 * change's `to` is `to_name`). */
void cli_diff_cover(spec_diff_t *diff, adp_coverage_t *cov, size_t to, const char *to_name,
                    FILE *suggest);

#endif
