/* Golden-file tests of the lint: every folder in specs/tests/lint-cases/ is a case holding
 * input.yaml (plus any files it references), an optional ruleset.yaml, and expected.txt with one
 * finding per line:
 *     <severity> <rule> <file>:<line>:<col> <json-pointer or -> <message>
 * File names are relative to the case folder. Adding a case needs no C; VERSA_UPDATE_GOLDEN=1
 * (re)writes expected.txt (golden.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "golden.h"
#include "lint.h"

#define CASES_DIR "specs/tests/lint-cases"

/* The findings as expected.txt lines, file names relative to `dir`. */
static char *render(const spec_lint_t *lint, const char *dir)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    size_t n;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    for (size_t i = 0; i < n; ++i) {
        const char *file = golden_rel(f[i].file, dir);
        fprintf(mem, "%s %s %s:%u:%u %s %s\n", spec_lint_severity_name(f[i].severity), f[i].rule,
                file, f[i].line, f[i].col, f[i].path[0] ? f[i].path : "-", f[i].message);
    }
    fclose(mem);
    return out;
}

static void run_case(void **state)
{
    const char *name = *state;
    char dir[512], path[600];
    snprintf(dir, sizeof(dir), "%s/%s", CASES_DIR, name);

    spec_ruleset_t *rs = NULL;
    spec_error_t err;
    snprintf(path, sizeof(path), "%s/ruleset.yaml", dir);
    struct stat st;
    if (stat(path, &st) == 0 && spec_ruleset_load(&rs, path, &err) != 0)
        fail_msg("%s: %s", path, err.message);
    spec_lint_options_t opts = {.ruleset = rs};
    spec_lint_t *lint;
    if (spec_lint_create(&lint, &opts, &err) != 0)
        fail_msg("%s: %s", path, err.message);
    snprintf(path, sizeof(path), "%s/input.yaml", dir);
    if (spec_lint_file(lint, path, &err) != 0)
        fail_msg("%s: %s", path, err.message);

    char *actual = render(lint, dir);
    spec_lint_destroy(lint);
    spec_ruleset_destroy(rs);
    golden_check(name, dir, actual);
    free(actual);
}

int main(void)
{
    return golden_run("lint-cases", CASES_DIR, run_case, NULL, NULL);
}
