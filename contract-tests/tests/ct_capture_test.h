/* Helpers shared by the capture, HAR and recorder tests (include after cmocka.h): temporary
 * files and reading a whole capture back. */
#ifndef CT_CAPTURE_TEST_H
#define CT_CAPTURE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_capture.h"

/* A new temporary directory; the caller removes it with ct_test_rmdir. */
static inline char *ct_test_tmpdir(void)
{
    char *dir = strdup("/tmp/ct-capture-test.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static inline void ct_test_rmdir(char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

/* Writes len bytes to dir/name and returns the path (caller frees). */
static inline char *ct_test_write(const char *dir, const char *name, const char *data, size_t len)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Reads a whole file into a NUL-terminated buffer (caller frees); NULL when it does not exist. */
static inline char *ct_test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

static inline int ct_test_str_is(ct_str_t s, const char *expected)
{
    return s.base != NULL && s.len == strlen(expected) && memcmp(s.base, expected, s.len) == 0;
}

#endif
