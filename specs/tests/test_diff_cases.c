/* Golden-file tests of the spec diff: every folder in specs/tests/diff-cases/ is a case holding
 * base.yaml and revision.yaml (plus any files they reference) and expected.txt with one finding
 * per line:
 *     <level> <check-id> <file>:<line>:<col> <operation or -> <json-pointer or -> <message>
 * File names are relative to the case folder. A folder is named after the check it shows firing
 * ("request-parameter-became-required"); a folder named "<check>--not" shows a near miss where
 * that check must not fire, and the test also asserts it is absent. Adding a case needs no C.
 * VERSA_UPDATE_GOLDEN=1 (re)writes expected.txt from the current output, to review. The sunset
 * checks run at a fixed date, 2026-01-01. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "diff.h"

#define CASES_DIR "specs/tests/diff-cases"
#define CASE_NOW 1767225600 /* 2026-01-01T00:00:00Z */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static const char *rel(const char *file, const char *dir)
{
    size_t dlen = strlen(dir);
    if (file != NULL && strncmp(file, dir, dlen) == 0 && file[dlen] == '/')
        return file + dlen + 1;
    return file != NULL ? file : "-";
}

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
                rel(f[i].file, dir), f[i].line, f[i].col, f[i].operation ? f[i].operation : "-",
                f[i].path && f[i].path[0] ? f[i].path : "-", f[i].message);
    fclose(mem);
    return out;
}

/* expected.txt without comment and blank lines. */
static char *expected_lines(const char *text)
{
    char *out = malloc(strlen(text) + 1), *o = out;
    for (const char *line = text; *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        if (len != 0 && line[0] != '#') {
            memcpy(o, line, len);
            o += len;
            *o++ = '\n';
        }
        line += len + (end != NULL);
    }
    *o = '\0';
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
    char dir[512], path[600];
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

    snprintf(path, sizeof(path), "%s/expected.txt", dir);
    const char *update = getenv("VERSA_UPDATE_GOLDEN");
    if (update != NULL && *update != '\0') {
        FILE *out = fopen(path, "w");
        assert_non_null(out);
        fputs(actual, out);
        fclose(out);
    }
    char *text = read_file(path);
    if (text == NULL)
        fail_msg("%s missing (VERSA_UPDATE_GOLDEN=1 writes it)", path);
    char *expected = expected_lines(text);
    if (strcmp(expected, actual) != 0) {
        print_message("# case %s\n# expected:\n%s# actual:\n%s", name, expected, actual);
        free(text);
        free(expected);
        free(actual);
        fail_msg("findings of %s differ from expected.txt", name);
    }
    free(text);
    free(expected);
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

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    DIR *d = opendir(CASES_DIR);
    if (d == NULL) {
        fprintf(stderr, "cannot open %s (run from the source root)\n", CASES_DIR);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    struct CMUnitTest *tests = calloc(n + 1, sizeof(*tests));
    for (size_t i = 0; i < n; ++i) {
        tests[i].name = names[i];
        tests[i].test_func = run_case;
        tests[i].initial_state = names[i];
    }
    tests[n].name = "every-check-has-cases";
    tests[n].test_func = every_check_has_cases;
    int failed = _cmocka_run_group_tests("diff-cases", tests, n + 1, NULL, NULL);
    for (size_t i = 0; i < n; ++i)
        free(names[i]);
    free(names);
    free(tests);
    return failed;
}
