/* Fuzz target: the ECMA-262 regular expression engine of `pattern` and `patternProperties`
 * (specs/schema_regex*.c): a pattern and a subject, separated by the first NUL byte.
 * Properties: compiling either succeeds or says where it failed (an offset within the pattern);
 * a search ends within its step budget and gives the same answer twice; and, when the subject is
 * valid UTF-8, the pattern that spells the subject out literally (every syntax character
 * escaped, anchored with ^ and $) compiles and never answers "no match" on it. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "schema_regex.h"

/* 1 when s[0, len) is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF) */
static int valid_utf8(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > len)
            return 0;
        uint32_t cp = n == 1 ? c : c & (0x7f >> n);
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n;
    }
    return 1;
}

static void check_search(const spec__regex_t *re, const char *s, size_t len)
{
    size_t budget = spec__regex_budget(len);
    int a = spec__regex_search(re, s, len, budget);
    assert(a == 1 || a == 0 || a == -1);
    assert(spec__regex_search(re, s, len, budget) == a);
}

/* ^ + the subject with every ECMA-262 SyntaxCharacter and '/' escaped + $ */
static void check_literal(const char *s, size_t len)
{
    char *p = malloc(2 * len + 2);
    size_t o = 0;
    p[o++] = '^';
    for (size_t i = 0; i < len; i++) {
        if (strchr("^$\\.*+?()[]{}|/", s[i]) != NULL && s[i] != '\0')
            p[o++] = '\\';
        p[o++] = s[i];
    }
    p[o++] = '$';
    spec__regex_error_t err;
    spec__regex_t *re = spec__regex_compile(p, o, &err);
    /* a literal refused only for its size (the program limit) */
    if (re != NULL) {
        int m = spec__regex_search(re, s, len, spec__regex_budget(len));
        assert(m != 0);
        spec__regex_destroy(re);
    } else {
        assert(err.offset <= o);
    }
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *end = text + size;
    const char *nul = memchr(text, '\0', size);
    size_t plen = nul != NULL ? (size_t)(nul - text) : size;
    const char *subject = nul != NULL ? nul + 1 : end;
    size_t slen = (size_t)(end - subject);
    /* copies, so that ASan sees any read past either end */
    char *pattern = malloc(plen ? plen : 1), *subj = malloc(slen ? slen : 1);
    memcpy(pattern, text, plen);
    memcpy(subj, subject, slen);
    spec__regex_error_t err;
    memset(&err, 0, sizeof(err));
    spec__regex_t *re = spec__regex_compile(pattern, plen, &err);
    if (re == NULL) {
        assert(err.offset <= plen);
        assert(memchr(err.message, '\0', sizeof(err.message)) != NULL && err.message[0] != '\0');
    } else {
        check_search(re, subj, slen);
        spec__regex_destroy(re);
    }
    if (slen <= 256 && valid_utf8((const unsigned char *)subj, slen))
        check_literal(subj, slen);
    free(pattern);
    free(subj);
    return 0;
}
