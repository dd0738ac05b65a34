/* Golden-file tests of the lint: every folder in specs/tests/lint-cases/ is a case holding
 * input.yaml (plus any files it references), an optional ruleset.yaml, and expected.txt with one
 * finding per line:
 *     <severity> <rule> <file>:<line>:<col> <json-pointer or -> <message>
 * File names are relative to the case folder. Adding a case needs no C. Run with
 * VERSA_UPDATE_GOLDEN=1 to (re)write expected.txt from the current output, then review it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lint.h"

#define CASES_DIR "specs/tests/lint-cases"

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

/* The findings as expected.txt lines, file names relative to `dir`. */
static char *render(const spec_lint_t *lint, const char *dir)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    size_t n;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    size_t dlen = strlen(dir);
    for (size_t i = 0; i < n; ++i) {
        const char *file = f[i].file;
        if (strncmp(file, dir, dlen) == 0 && file[dlen] == '/')
            file += dlen + 1;
        fprintf(mem, "%s %s %s:%u:%u %s %s\n", spec_lint_severity_name(f[i].severity), f[i].rule,
                file, f[i].line, f[i].col, f[i].path[0] ? f[i].path : "-", f[i].message);
    }
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

    snprintf(path, sizeof(path), "%s/expected.txt", dir);
    const char *update = getenv("VERSA_UPDATE_GOLDEN");
    if (update != NULL && *update != '\0') {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(actual, f);
        fclose(f);
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
    struct CMUnitTest *tests = calloc(n ? n : 1, sizeof(*tests));
    for (size_t i = 0; i < n; ++i) {
        tests[i].name = names[i];
        tests[i].test_func = run_case;
        tests[i].initial_state = names[i];
    }
    int failed = _cmocka_run_group_tests("lint-cases", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; ++i)
        free(names[i]);
    free(names);
    free(tests);
    return failed;
}
