/* Conformance of the schema validator (specs/schema_*.c) with the official JSON Schema Test
 * Suite, draft 2020-12 (../shared/json-schema-test-suite/tests/draft2020-12/, every file): every case
 * runs; those named in schema-suite-skip.txt are reported as skipped with that file's reason. A
 * skip entry that matches no case, or whose cases all pass, fails the run: the list stays honest.
 * Remote references (http://localhost:1234/...) are served from the suite's remotes/. Then
 * `format` as an assertion: the suite's optional/format tests of the nine formats the engine
 * checks (when present) and our own cases in the same format (schema-format/). TAP. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema.h"

#ifndef VERSA_SHARED_DIR
#define VERSA_SHARED_DIR "../shared"
#endif
#define SUITE VERSA_SHARED_DIR "/json-schema-test-suite"
#define SKIPS "specs/tests/schema-suite-skip.txt"
#define FORMAT_CASES "specs/tests/schema-format"
#define REMOTE "http://localhost:1234/"

typedef struct {
    char file[128], group[256], test[256], reason[256];
    size_t matched, passed;
} skip_t;

static skip_t skips[256];
static size_t nskips;
static int tap_n, failures;
/* the check over the text (spec_validate_text) on every case: where it accepted, and how often
 * it decided a valid case by itself */
static size_t text_valid, text_decided, text_wrong;

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
        s[--n] = '\0';
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t')
        ++i;
    memmove(s, s + i, strlen(s + i) + 1);
}

/* Lines "file | group description | test description or * | reason"; '#' starts a comment. */
static void load_skips(void)
{
    FILE *f = fopen(SKIPS, "r");
    char line[1024];
    if (f == NULL) {
        printf("Bail out! cannot open %s\n", SKIPS);
        exit(1);
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *parts[4], *p = line;
        int n = 0;
        for (; n < 4 && p != NULL; ++n) {
            parts[n] = p;
            char *bar = n < 3 ? strstr(p, " | ") : NULL;
            if (bar != NULL)
                *bar = '\0', p = bar + 3;
            else
                p = NULL;
        }
        if (n != 4 || nskips == sizeof(skips) / sizeof(skips[0])) {
            printf("Bail out! malformed skip line: %s\n", line);
            exit(1);
        }
        skip_t *s = &skips[nskips++];
        snprintf(s->file, sizeof(s->file), "%s", parts[0]);
        snprintf(s->group, sizeof(s->group), "%s", parts[1]);
        snprintf(s->test, sizeof(s->test), "%s", parts[2]);
        snprintf(s->reason, sizeof(s->reason), "%s", parts[3]);
        trim(s->file), trim(s->group), trim(s->test), trim(s->reason);
    }
    fclose(f);
}

static skip_t *find_skip(const char *file, const char *group, const char *test)
{
    for (size_t i = 0; i < nskips; ++i)
        if (!strcmp(skips[i].file, file) && !strcmp(skips[i].group, group) &&
            (!strcmp(skips[i].test, "*") || !strcmp(skips[i].test, test)))
            return &skips[i];
    return NULL;
}

/* Remote documents fetched for one group, freed with it. */
typedef struct {
    spec_doc_t *docs[16];
    size_t n;
} remotes_t;

static const spec_node_t *fetch(void *ctx, const char *uri)
{
    remotes_t *r = ctx;
    if (strncmp(uri, REMOTE, strlen(REMOTE)) != 0 || r->n == 16 || strstr(uri, ".."))
        return NULL;
    char path[1024];
    snprintf(path, sizeof(path), SUITE "/remotes/%s", uri + strlen(REMOTE));
    spec_error_t err;
    if (spec_doc_load(&r->docs[r->n], path, NULL, &err) != 0)
        return NULL;
    return spec_doc_root(r->docs[r->n++]);
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* libyaml refuses JSON's surrogate-pair escapes ("\uD83D\uDCA9"); the harness writes such
 * pairs as the UTF-8 bytes they stand for, which is the same JSON string. In place. */
static size_t unescape_pairs(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        int hi, lo;
        if (i + 12 <= len && s[i] == '\\' && s[i + 1] == 'u' && (hi = hex4(s + i + 2)) >= 0xD800 &&
            hi < 0xDC00 && s[i + 6] == '\\' && s[i + 7] == 'u' && (lo = hex4(s + i + 8)) >= 0xDC00 &&
            lo < 0xE000 && (i == 0 || s[i - 1] != '\\')) {
            unsigned cp = 0x10000 + (((unsigned)hi - 0xD800) << 10) + ((unsigned)lo - 0xDC00);
            s[o++] = (char)(0xF0 | cp >> 18);
            s[o++] = (char)(0x80 | (cp >> 12 & 0x3F));
            s[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
            s[o++] = (char)(0x80 | (cp & 0x3F));
            i += 12;
        } else {
            s[o++] = s[i++];
        }
    }
    return o;
}

static int load_json(spec_doc_t **doc, const char *path, spec_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return snprintf(err->message, sizeof(err->message), "cannot open"), -1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    size_t len = fread(buf, 1, (size_t)size, f);
    fclose(f);
    len = unescape_pairs(buf, len);
    int r = spec_doc_parse(doc, path, buf, len, NULL, err);
    free(buf);
    return r;
}

/* The case's instance written out and checked over the text: it may accept only what the
 * engine accepts on the same text, parsed, and completely. */
static void check_text(spec_validator_t *v, const spec_node_t *schema, const body_value_t *data,
                       const char *name, const char *gdesc, const char *tdesc,
                       const body_mem_t *mem)
{
    size_t n = body_write_size(data);
    char *text = body_alloc(mem, n + 1);
    body_write(data, text);
    body_value_t *parsed = body_parse(mem, text, n, 0, NULL);
    spec_validation_t full;
    spec_validation_init(&full);
    int valid = parsed != NULL && spec_validate(v, schema, parsed, NULL, &full) == 0 &&
                !full.incomplete;
    int accepted = spec_validate_text(v, schema, text, n, NULL, mem);
    text_valid += valid;
    text_decided += accepted;
    if (accepted && !valid) {
        printf("# the check over the text accepted what the engine refuses: %s: %s: %s\n",
               name, gdesc, tdesc);
        ++text_wrong;
    }
    spec_validation_dispose(&full);
}

/* Runs the cases of `path`, named `name` in the output and the skip list; `formats` says whether
 * `format` asserts (the suite's optional/format tests, and ours in schema-format/). */
static void run_file(const char *path, const char *name, spec_formats_t formats)
{
    spec_doc_t *doc;
    spec_error_t err;
    if (load_json(&doc, path, &err) != 0) {
        printf("not ok %d - %s: cannot load: %s\n", ++tap_n, name, err.message);
        ++failures;
        return;
    }
    const spec_node_t *groups = spec_doc_root(doc);
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    for (size_t g = 0; g < groups->u.seq.len; ++g) {
        const spec_node_t *group = groups->u.seq.items[g];
        const char *gdesc = spec_node_scalar(spec_node_get(group, "description"));
        const spec_node_t *schema = spec_node_get(group, "schema"),
                          *tests = spec_node_get(group, "tests");
        remotes_t remotes = {.n = 0};
        spec_validator_t *v =
            spec_validator_create_schema(schema, "", SPEC_DIALECT_2020_12, fetch, &remotes);
        spec_validator_set_formats(v, formats);
        for (size_t t = 0; t < tests->u.seq.len; ++t) {
            const spec_node_t *test = tests->u.seq.items[t];
            const char *tdesc = spec_node_scalar(spec_node_get(test, "description"));
            int expect = 0;
            spec_node_bool(spec_node_get(test, "valid"), &expect);
            body_value_t *data = spec_node_to_body(&mem, spec_node_get(test, "data"), NULL, NULL);
            spec_validation_t result;
            spec_validation_init(&result);
            int valid = data != NULL && spec_validate(v, schema, data, NULL, &result) == 0;
            skip_t *skip = find_skip(name, gdesc, tdesc);
            if (skip != NULL) {
                skip->matched++;
                skip->passed += valid == expect;
                printf("ok %d - %s: %s: %s # SKIP %s\n", ++tap_n, name, gdesc, tdesc,
                       skip->reason);
            } else if (valid == expect) {
                printf("ok %d - %s: %s: %s\n", ++tap_n, name, gdesc, tdesc);
            } else {
                printf("not ok %d - %s: %s: %s (expected %s)\n", ++tap_n, name, gdesc, tdesc,
                       expect ? "valid" : "invalid");
                for (size_t e = 0; e < result.count; ++e)
                    printf("#   %s: %s: %s\n", result.errors[e].instance_path,
                           result.errors[e].keyword, result.errors[e].message);
                ++failures;
            }
            if (data != NULL)
                check_text(v, schema, data, name, gdesc, tdesc, &mem);
            spec_validation_dispose(&result);
            body_arena_reset(&arena);
        }
        spec_validator_destroy(v);
        for (size_t i = 0; i < remotes.n; ++i)
            spec_doc_destroy(remotes.docs[i]);
    }
    body_arena_dispose(&arena);
    spec_doc_destroy(doc);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every .json file of `dir` in name order, named `prefix` + file name; 0, or -1 when the
 * folder is missing. */
static int run_dir(const char *dir, const char *prefix, spec_formats_t formats)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256)
        if (strstr(e->d_name, ".json") != NULL)
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; ++i) {
        char path[1024], name[300];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        snprintf(name, sizeof(name), "%s%s", prefix, names[i]);
        run_file(path, name, formats);
        free(names[i]);
    }
    return 0;
}

int main(void)
{
    load_skips();
    if (run_dir(SUITE "/tests/draft2020-12", "", SPEC_FORMATS_ANNOTATE) != 0) {
        printf("1..0 # SKIP the JSON Schema Test Suite is not at %s\n", SUITE);
        return 0;
    }
    /* format assertions: the suite's optional tests of the formats the engine checks, when the
     * copy of the suite has them, and our own cases in the suite's format */
    static const char *const formats[] = {"date-time", "date", "time",  "email",   "uuid",
                                          "uri",       "ipv4", "ipv6", "hostname"};
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); ++i) {
        char path[1024], name[300];
        snprintf(path, sizeof(path), SUITE "/tests/draft2020-12/optional/format/%s.json",
                 formats[i]);
        snprintf(name, sizeof(name), "optional/format/%s.json", formats[i]);
        FILE *f = fopen(path, "r");
        if (f == NULL) {
            printf("ok %d - %s # SKIP not in this copy of the suite\n", ++tap_n, name);
            continue;
        }
        fclose(f);
        run_file(path, name, SPEC_FORMATS_ASSERT);
    }
    run_dir(FORMAT_CASES, "schema-format/", SPEC_FORMATS_ASSERT);
    /* the check over the text never accepts what the engine refuses, and decides most valid
     * cases by itself (the rest need trees: combinators, unevaluated*, ...) */
    printf("%s %d - the check over the text agrees with the engine on every case (%zu wrong; "
           "%zu of %zu valid cases decided in the text)\n",
           text_wrong == 0 && text_decided * 2 > text_valid ? "ok" : "not ok", ++tap_n,
           text_wrong, text_decided, text_valid);
    failures += text_wrong != 0 || text_decided * 2 <= text_valid;
    for (size_t i = 0; i < nskips; ++i) {
        skip_t *s = &skips[i];
        if (s->matched == 0) {
            printf("not ok %d - skip entry matches no case: %s | %s | %s\n", ++tap_n, s->file,
                   s->group, s->test);
            ++failures;
        } else if (s->passed == s->matched) {
            printf("not ok %d - skipped cases all pass now, remove the entry: %s | %s | %s\n",
                   ++tap_n, s->file, s->group, s->test);
            ++failures;
        }
    }
    printf("1..%d\n", tap_n);
    return failures != 0;
}
