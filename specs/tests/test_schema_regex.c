/* Tests specs/schema_regex.c and specs/schema_regex_match.c: ECMA-262 syntax and its meaning
 * (each case a pattern, a string and whether it matches), refusals with their reasons, and the
 * step budget against patterns that backtrack exponentially. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "schema_regex.h"

static int search(const char *pattern, const char *s)
{
    spec__regex_error_t err;
    spec__regex_t *re = spec__regex_compile(pattern, strlen(pattern), &err);
    if (re == NULL)
        fail_msg("%s refused: %s at %zu", pattern, err.message, err.offset);
    int r = spec__regex_search(re, s, strlen(s), spec__regex_budget(strlen(s)));
    spec__regex_destroy(re);
    return r;
}

static void test_matches(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *s;
        int match;
    } cases[] = {
        {"^[a-z]+$", "abc", 1},
        {"^[a-z]+$", "abC", 0},
        {"^\\d{3}-\\d{4}$", "555-1234", 1},
        {"^\\d{3}-\\d{4}$", "555-123", 0},
        {"\\w+@\\w+\\.com", "x ada@foo.com", 1},
        {"^\\S+\\s\\S+$", "a b", 1},
        {"^\\S+\\s\\S+$",
         "a\xc2\xa0"
         "b",
         1}, /* U+00A0 is \s in ECMA-262 */
        {"a.b", "a\nb", 0},
        {"a.b",
         "a\xc3\xa9"
         "b",
         1}, /* . is one code point */
        {"^(?:ab)+$", "abab", 1},
        {"^x*?y+?$", "xxyy", 1},
        {"^[\\w.-]+$", "a.b-c_d", 1},
        {"^[\\]a]$", "]", 1},
        {"^[^-a]$", "-", 0},
        {"\\/v1\\/", "/v1/", 1},
        {"a{,2}", "a{,2}", 1},
        {"\\x41\\u0042", "AB", 1},
        {"^(?=a)", "ab", 1},
        {"^(?=a)", "ba", 0},
        {"^(?!a)\\w", "ba", 1},
        {"^(?!a)\\w", "ab", 0},
        {"(?<=\\$)\\d+", "cost $42", 1},
        {"(?<!\\$)\\b\\d+", "$42", 0},
        {"^(?<n>a)\\k<n>$", "aa", 1},
        {"\\bword\\b", "a word!", 1},
        {"\\bword\\b", "swordfish", 0},
        {"^(a|b)\\1$", "bb", 1},
        {"^(a|b)\\1$", "ab", 0},
        {"^\\p{L}+$",
         "\xcf\x80"
         "abc",
         1},
        {"^\\p{Letter}+$", "123", 0},
        {"^\\P{L}+$", "123", 1},
        {"^\\p{Lu}", "Abc", 1},
        {"^\\p{gc=Nd}+$",
         "\xd9\xa3"
         "1",
         1},
        {"^[^]$", "\n", 1},
        {"^[]$", "a", 0},
        {"^caf\xc3\xa9$", "caf\xc3\xa9", 1},
        {"^\xc3\xa1", "\xc3\xa1rm", 1},
        {"^\xc3\xa1", "\xc3\xa9lm", 0},
        {"^\\u{1F600}$", "\xf0\x9f\x98\x80", 1},
        {"^\\uD83D\\uDE00$", "\xf0\x9f\x98\x80", 1},
        {"^.$", "\xf0\x9f\x98\x80", 1},
        {"^(a*)*$", "aaaa", 1},
        {"^(a?)+?b", "aab", 1},
        {"^a{2,3}$", "aaaa", 0},
        {"^a{2,3}$", "aaa", 1},
        {"^(ab){2}$", "abab", 1},
        {"^(ab){1,2}c$", "ababc", 1},
        {"colou?r", "my color", 1},
        {"^$", "", 1},
        {"", "anything", 1},
        {"^[a-c-e]+$", "a-e", 1},
        {"^\\cJ$", "\n", 1},
        {"^\\0$", "", 0},
        {"^[\\d-x]+$", "1-x", 1},
        {"^\\.$", ".", 1},
        {"x$", "x\n", 0},
        {"^a|b$", "xb", 1},
        {"^(?:a|ab)c$", "abc", 1},
        {"^[\\s\\S]*$", "any\nthing", 1},
        {"\\D\\W", "a!", 1},
        {"^\\w+$", "\xc3\xa9", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i)
        if (search(cases[i].pattern, cases[i].s) != cases[i].match)
            fail_msg("/%s/ on \"%s\": expected %s", cases[i].pattern, cases[i].s,
                     cases[i].match ? "a match" : "no match");
}

/* Subjects of malformed UTF-8 (only the fuzzer makes them: JSON strings are valid UTF-8). A
 * greedy repetition giving back characters used to step back over stray continuation bytes it
 * had read one at a time, and below the start of the subject (found by fuzz_regex). */
static void test_malformed_utf8(void **state)
{
    (void)state;
    static const char crash[] = "f\xff\x8b\x8b\x8b\x8b\x8b\x8b\x8b\x8b\x8b\x8b\x8b\x8b\x8b\x8b"
                                "\x8b\x8b\x8b\x8b\x8b\x8b\x8b\x8b\x8b\xff\xff\xbf.bb";
    assert_int_equal(search("f.*o", crash), 0);
    assert_int_equal(search("f.*b$", crash), 1);
    assert_int_equal(search("^f.{27}\\.", crash), 1); /* each malformed byte is one character */
    assert_int_equal(search("^.{2}$", "\xe0\x80"), 1);   /* a lead byte cut short: two */
    assert_int_equal(search("^.$", "\xe2\x82\xac"), 1); /* U+20AC: one */
    assert_int_equal(search("^.{2}\\u20ac$", "\x80\x80\xe2\x82\xac"), 1); /* stray bytes: one each */
    assert_int_equal(search("(?<=\\u20ac)x", "\xe2\x82\xacx"), 1);
    assert_int_equal(search("(?<=^.{3})x", "\x82\x82\x82x"), 1);
}

static void test_refused(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *message;
        int unsupported;
    } cases[] = {
        {"(", "unterminated group", 0},
        {"a)", "unmatched ')'", 0},
        {"*a", "nothing to repeat", 0},
        {"a**", "nothing to repeat", 0},
        {"[b-a]", "range out of order", 0},
        {"[a", "unterminated character class", 0},
        {"a{3,1}", "out of order", 0},
        {"(?i)a", "no inline flags", 0},
        {"\\1(a)(b)\\3", "does not exist", 0},
        {"\\k<x>(?<y>a)", "names no group", 0},
        {"\\a", "invalid escape", 0},
        {"\\", "at end of pattern", 0},
        {"[\\d-z]", NULL, 0}, /* valid: '-' after a class escape is literal */
        {"\\p{Script=Greek}", "scripts", 1},
        {"\\p{Alphabetic}", "not supported", 1},
        {"(ab){40000}", "too large", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        spec__regex_error_t err = {0};
        spec__regex_t *re = spec__regex_compile(cases[i].pattern, strlen(cases[i].pattern), &err);
        if (cases[i].message == NULL) {
            if (re == NULL)
                fail_msg("%s refused: %s", cases[i].pattern, err.message);
            spec__regex_destroy(re);
            continue;
        }
        if (re != NULL)
            fail_msg("%s should be refused", cases[i].pattern);
        if (strstr(err.message, cases[i].message) == NULL)
            fail_msg("%s: message \"%s\", expected \"%s\"", cases[i].pattern, err.message,
                     cases[i].message);
        assert_int_equal(err.unsupported, cases[i].unsupported);
    }
}

static void test_budget(void **state)
{
    (void)state;
    /* (a+)+b on 40 a's takes 2^40 steps by plain backtracking: the budget ends it */
    char s[64];
    memset(s, 'a', 40);
    s[40] = '\0';
    spec__regex_t *re = spec__regex_compile("^(a+)+b$", 8, NULL);
    assert_non_null(re);
    assert_int_equal(spec__regex_search(re, s, 40, spec__regex_budget(40)), -1);
    spec__regex_destroy(re);
    /* a linear pattern on a long string stays within its budget */
    static char big[200001];
    memset(big, 'x', sizeof(big) - 1);
    re = spec__regex_compile("^[a-z]+$", 8, NULL);
    assert_int_equal(spec__regex_search(re, big, sizeof(big) - 1, spec__regex_budget(200000)), 1);
    spec__regex_destroy(re);
    re = spec__regex_compile("^(?:x|y)*$", 10, NULL);
    assert_int_equal(spec__regex_search(re, big, sizeof(big) - 1, spec__regex_budget(200000)), 1);
    spec__regex_destroy(re);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches),
        cmocka_unit_test(test_malformed_utf8),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
