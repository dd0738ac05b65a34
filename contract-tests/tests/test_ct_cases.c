/* Golden-file cases for the diff engine: every folder in tests/cases/ holds primary.json and
 * candidate.json (compared as application/json bodies), an optional rules.txt (one rule per line,
 * ct_rules_add_line syntax) and expected.txt (one ct_diff_format line per difference, then
 * "truncated" if the result was). Adding a case needs no C. Run with CT_GOLDEN_UPDATE=1 to
 * rewrite expected.txt from the current output (then review the diff). */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ct_diff.h"
#include "ct_rules.h"

#ifndef CT_CASES_DIR
#define CT_CASES_DIR "contract-tests/tests/cases"
#endif

#define MAX_CASES 512
#define MAX_FILE (1 << 20)

/* Reads a whole file; returns NULL when it does not exist. */
static char *read_file(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (errno != ENOENT)
            fail_msg("%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_FILE + 1);
    size_t n = fread(buf, 1, MAX_FILE + 1, f);
    fclose(f);
    if (n > MAX_FILE)
        fail_msg("%s: larger than %d bytes", path, MAX_FILE);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static ct_rules_t *load_rules(const char *dir)
{
    ct_error_t err;
    ct_rules_t *rules = ct_rules_create(NULL, &err);
    size_t len;
    char *text = read_file(dir, "rules.txt", &len);
    if (text == NULL)
        return rules;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"))
        if (ct_rules_add_line(rules, line, &err) != 0)
            fail_msg("%s/rules.txt: %s", dir, err.message);
    free(text);
    return rules;
}

/* Formats a result the way expected.txt spells it. */
static char *render(const ct_result_t *res)
{
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    for (size_t i = 0; i <= res->num_diffs; i++) {
        char line[8192];
        if (i < res->num_diffs)
            ct_diff_format(&res->diffs[i], line, sizeof(line));
        else if (res->truncated)
            strcpy(line, "truncated");
        else
            break;
        size_t n = strlen(line);
        if (len + n + 2 > cap) {
            cap = 2 * (len + n + 2);
            out = realloc(out, cap);
        }
        memcpy(out + len, line, n);
        len += n;
        out[len++] = '\n';
        out[len] = '\0';
    }
    return out;
}

static void run_case(void **state)
{
    const char *dir = *state;
    size_t plen, clen, elen;
    char *primary = read_file(dir, "primary.json", &plen);
    char *candidate = read_file(dir, "candidate.json", &clen);
    if (primary == NULL || candidate == NULL)
        fail_msg("%s: primary.json and candidate.json are required", dir);
    ct_rules_t *rules = load_rules(dir);
    ct_response_t p = {.status = 200,
                       .content_type = "application/json",
                       .content_type_len = 16,
                       .body = primary,
                       .body_len = plen};
    ct_response_t c = p;
    c.body = candidate;
    c.body_len = clen;
    ct_result_t res;
    ct_result_init(&res);
    ct_compare(rules, NULL, &p, &c, &res);
    char *actual = render(&res);
    char *expected = read_file(dir, "expected.txt", &elen);
    if (getenv("CT_GOLDEN_UPDATE") != NULL) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/expected.txt", dir);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs(actual, f);
        fclose(f);
    } else if (expected == NULL || strcmp(expected, actual) != 0) {
        print_message("--- expected (%s/expected.txt)\n%s--- actual\n%s", dir,
                      expected != NULL ? expected : "(missing)\n", actual);
        fail_msg("%s: output differs from expected.txt", dir);
    }
    free(expected);
    free(actual);
    ct_result_dispose(&res);
    ct_rules_destroy(rules);
    free(primary);
    free(candidate);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    DIR *d = opendir(CT_CASES_DIR);
    if (d == NULL) {
        fprintf(stderr, "%s: %s\n", CT_CASES_DIR, strerror(errno));
        return 1;
    }
    static char *names[MAX_CASES], *dirs[MAX_CASES];
    static struct CMUnitTest tests[MAX_CASES];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == MAX_CASES) {
            fprintf(stderr, "more than %d cases\n", MAX_CASES);
            return 1;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), by_name);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(CT_CASES_DIR) + strlen(names[i]) + 2;
        dirs[i] = malloc(len);
        snprintf(dirs[i], len, "%s/%s", CT_CASES_DIR, names[i]);
        tests[i] =
            (struct CMUnitTest){.name = names[i], .test_func = run_case, .initial_state = dirs[i]};
    }
    /* the one group run of this binary; the case list is only known at run time */
    int rc = _cmocka_run_group_tests("golden cases", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
        free(dirs[i]);
    }
    return rc;
}
