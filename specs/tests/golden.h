/* Golden-folder tests (lint-cases/, diff-cases/): every folder of a cases directory is one case,
 * run as its own cmocka test, whose rendered output is compared with the folder's expected.txt
 * (blank and '#' lines ignored). VERSA_UPDATE_GOLDEN=1 (re)writes expected.txt from the current
 * output, to review. Adding a case needs no C. */
#ifndef SPEC_TESTS_GOLDEN_H
#define SPEC_TESTS_GOLDEN_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* Compares `actual` (the case's rendered output) with `<dir>/expected.txt`; fails the test with
 * both texts printed when they differ. Frees nothing: `actual` stays the caller's. */
void golden_check(const char *name, const char *dir, const char *actual);

/* `file` relative to the case folder `dir` when it lies inside it; "-" for NULL. */
const char *golden_rel(const char *file, const char *dir);

/* Runs `run_case` once per folder of `cases_dir` in name order (its state is the folder name),
 * then `extra` (may be NULL) as a test named `extra_name`. Returns the number of failures, or 1
 * when the directory cannot be read (the tests run from the source root). */
int golden_run(const char *group, const char *cases_dir, CMUnitTestFunction run_case,
               const char *extra_name, CMUnitTestFunction extra);

#endif
