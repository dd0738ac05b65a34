/* Golden-folder test support (golden.h), shared by test_lint_cases.c and test_diff_cases.c. */
#include "golden.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
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

void golden_check(const char *name, const char *dir, const char *actual)
{
    char path[600];
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
    int same = strcmp(expected, actual) == 0;
    if (!same)
        print_message("# case %s\n# expected:\n%s# actual:\n%s", name, expected, actual);
    free(text);
    free(expected);
    if (!same)
        fail_msg("output of %s differs from expected.txt", name);
}

const char *golden_rel(const char *file, const char *dir)
{
    size_t dlen = strlen(dir);
    if (file != NULL && strncmp(file, dir, dlen) == 0 && file[dlen] == '/')
        return file + dlen + 1;
    return file != NULL ? file : "-";
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int golden_run(const char *group, const char *cases_dir, CMUnitTestFunction run_case,
               const char *extra_name, CMUnitTestFunction extra)
{
    DIR *d = opendir(cases_dir);
    if (d == NULL) {
        fprintf(stderr, "cannot open %s (run from the source root)\n", cases_dir);
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
    for (size_t i = 0; i < n; ++i)
        tests[i] =
            (struct CMUnitTest){.name = names[i], .test_func = run_case, .initial_state = names[i]};
    size_t count = n;
    if (extra != NULL)
        tests[count++] = (struct CMUnitTest){.name = extra_name, .test_func = extra};
    int failed = _cmocka_run_group_tests(group, tests, count, NULL, NULL);
    for (size_t i = 0; i < n; ++i)
        free(names[i]);
    free(names);
    free(tests);
    return failed;
}
