/* Golden-file tests of the spec diff: every folder in specs/tests/diff-cases/ is a case holding
 * base.yaml and revision.yaml (plus any files they reference) and expected.txt with one finding
 * per line:
 *     <level> <check-id> <file>:<line>:<col> <operation or -> <json-pointer or -> <message>
 * File names are relative to the case folder. A folder is named after the check it shows firing
 * ("request-parameter-became-required"); a folder named "<check>--not" shows a near miss where
 * that check must not fire, and the test also asserts it is absent. Adding a case needs no C;
 * VERSA_UPDATE_GOLDEN=1 (re)writes expected.txt (golden.h). The sunset
 * checks run at a fixed date, 2026-01-01. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "diff.h"
#include "golden.h"

#define CASES_DIR "specs/tests/diff-cases"
#define CASE_NOW 1767225600 /* 2026-01-01T00:00:00Z */

/* The findings as expected.txt lines, file names relative to `dir`. */
static char *render(const spec_diff_t *d, const char *dir)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    size_t n;
    const spec_diff_finding_t *f = spec_diff_findings(d, &n);
    for (size_t i = 0; i < n; ++i)
        fprintf(mem, "%s %s %s:%u:%u %s %s %s\n", spec_diff_level_name(f[i].level), f[i].id,
                golden_rel(f[i].file, dir), f[i].line, f[i].col, f[i].operation ? f[i].operation : "-",
                f[i].path && f[i].path[0] ? f[i].path : "-", f[i].message);
    fclose(mem);
    return out;
}

static spec_t *load(const char *dir, const char *name)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    spec_t *s;
    spec_error_t err;
    if (spec_load(&s, path, NULL, &err) != 0)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.message);
    return s;
}

static void run_case(void **state)
{
    const char *name = *state;
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/%s", CASES_DIR, name);
    spec_t *base = load(dir, "base.yaml"), *rev = load(dir, "revision.yaml");
    spec_diff_options_t opts = {.now = CASE_NOW};
    spec_diff_t *d;
    spec_error_t err;
    if (spec_diff_run(&d, base, rev, &opts, &err) != 0)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.message);
    spec_destroy(base);
    spec_destroy(rev);
    char *actual = render(d, dir);

    /* the folder's check fires, or (for "--not" folders) does not */
    char check[256];
    snprintf(check, sizeof(check), "%s", name);
    /* (the check id is the folder's name, up to "--not") */
    char *suffix = strstr(check, "--not");
    if (suffix != NULL)
        *suffix = '\0';
    int fired = 0;
    size_t n;
    const spec_diff_finding_t *f = spec_diff_findings(d, &n);
    for (size_t i = 0; i < n; ++i)
        fired |= strcmp(f[i].id, check) == 0;
    spec_diff_destroy(d);
    if (suffix == NULL && !fired)
        fail_msg("case %s: check %s did not fire", name, check);
    if (suffix != NULL && fired)
        fail_msg("case %s: check %s fired", name, check);

    golden_check(name, dir, actual);
    free(actual);
}

/* Every check of the table has a case that fires and one that must not (adapter coverage's own
 * check is tested with the CLI, tests/integration/test_diff_cli.py). */
static void every_check_has_cases(void **state)
{
    (void)state;
    size_t n;
    const spec_diff_check_t *c = spec_diff_checks(&n);
    for (size_t i = 0; i < n; ++i) {
        if (strcmp(c[i].id, "adapter-change-unused") == 0)
            continue;
        char path[600];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s/base.yaml", CASES_DIR, c[i].id);
        if (stat(path, &st) != 0)
            fail_msg("no case where %s fires (%s)", c[i].id, path);
        snprintf(path, sizeof(path), "%s/%s--not/base.yaml", CASES_DIR, c[i].id);
        if (stat(path, &st) != 0)
            fail_msg("no case where %s must not fire (%s)", c[i].id, path);
    }
}

int main(void)
{
    return golden_run("diff-cases", CASES_DIR, run_case, "every-check-has-cases",
                      every_check_has_cases);
}
