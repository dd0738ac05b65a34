/* Tests of ct_curl.c: commands are checked by running them through /bin/sh with `curl` replaced
 * by a function that prints its arguments (and its standard input), so quoting is proven by the
 * shell itself, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_buf.h"
#include "ct_curl.h"

/* Runs cmd with a fake curl; returns its output: each argument followed by NUL, then "STDIN:" and
 * the bytes it read when it was given --data-binary @-. */
static char *run_shell(const char *cmd, size_t *len)
{
    ct_buf_t script = CT_BUF_INIT;
    ct__buf_puts(&script, "curl() { for a in \"$@\"; do printf '%s\\0' \"$a\"; done; "
                          "case \" $* \" in *' @- '*) printf 'STDIN:'; cat;; esac; }\n");
    ct__buf_puts(&script, cmd);
    char tmpl[] = "/tmp/ct-curl-test.XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fwrite(script.base, 1, script.len, f);
    fclose(f);
    ct__buf_dispose(&script);
    char run[128];
    snprintf(run, sizeof(run), "/bin/sh %s", tmpl);
    FILE *p = popen(run, "r");
    assert_non_null(p);
    ct_buf_t out = CT_BUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        ct__buf_append(&out, buf, n);
    assert_int_equal(pclose(p), 0);
    unlink(tmpl);
    return ct__buf_steal(&out, len);
}

static void expect_args(const char *cmd, const char *const *args, size_t nargs, const char *stdin_,
                        size_t stdin_len)
{
    size_t len;
    char *out = run_shell(cmd, &len);
    size_t pos = 0;
    for (size_t i = 0; i < nargs; i++) {
        size_t alen = strlen(args[i]);
        if (pos + alen >= len || memcmp(out + pos, args[i], alen) != 0 || out[pos + alen] != '\0')
            fail_msg("argument %zu: expected \"%s\" in the output of: %s", i, args[i], cmd);
        pos += alen + 1;
    }
    if (stdin_ != NULL) {
        if (len - pos != 6 + stdin_len || memcmp(out + pos, "STDIN:", 6) != 0 ||
            memcmp(out + pos + 6, stdin_, stdin_len) != 0)
            fail_msg("standard input differs for: %s", cmd);
    } else if (pos != len) {
        fail_msg("extra output for: %s", cmd);
    }
    free(out);
}

static void simple_get(void **state)
{
    const char *url = "http://127.0.0.1:8080/pets/1?a=1&b=it's";
    ct_header_t h[] = {{"Accept", 6, "application/json", 16},
                       {"X-Quote", 7, "a'b\"c $HOME `x`", 15}};
    char *cmd = ct_curl_command("GET", 3, url, strlen(url), h, 2, NULL, 0);
    const char *args[] = {
        "-i", url,          "-H", "Accept: application/json", "-H", "X-Quote: a'b\"c $HOME `x`",
        "-H", "User-Agent:"};
    expect_args(cmd, args, 8, NULL, 0);
    assert_null(strchr(cmd, '\n'));
    free(cmd);
}

static void methods_empty_values_and_url_flags(void **state)
{
    const char *url = "http://h/a/../b/[x]?q={y}";
    ct_header_t h[] = {{"X-Empty", 7, "", 0}};
    char *cmd = ct_curl_command("DELETE", 6, url, strlen(url), h, 1, NULL, 0);
    const char *args[] = {"-i", "-X",       "DELETE", "--globoff", "--path-as-is", url,
                          "-H", "X-Empty;", "-H",     "Accept:",   "-H",           "User-Agent:"};
    expect_args(cmd, args, 12, NULL, 0);
    free(cmd);
    cmd = ct_curl_command("HEAD", 4, "http://h/", 9, NULL, 0, NULL, 0);
    const char *head[] = {"-i", "--head", "http://h/", "-H", "Accept:", "-H", "User-Agent:"};
    expect_args(cmd, head, 7, NULL, 0);
    free(cmd);
}

static void text_body(void **state)
{
    const char *body = "{\"name\":\"O'Brien é\"}";
    ct_header_t h[] = {{"Content-Type", 12, "application/json", 16}};
    char *cmd = ct_curl_command("POST", 4, "http://h/p", 10, h, 1, body, strlen(body));
    const char *args[] = {"-i",
                          "http://h/p",
                          "-H",
                          "Content-Type: application/json",
                          "-H",
                          "Accept:",
                          "-H",
                          "User-Agent:",
                          "--data-binary",
                          body};
    expect_args(cmd, args, 10, NULL, 0);
    free(cmd);
}

static void binary_body_through_printf(void **state)
{
    static const char body[] = "line1\nline2\t\\n '\x00\x01\xff end";
    size_t blen = sizeof(body) - 1;
    char *cmd = ct_curl_command("PUT", 3, "http://h/b", 10, NULL, 0, body, blen);
    assert_null(strchr(cmd, '\n')); /* one line */
    const char *args[] = {
        "-i",          "-X", "PUT",           "http://h/b",    "-H", "Accept:", "-H",
        "User-Agent:", "-H", "Content-Type:", "--data-binary", "@-"};
    expect_args(cmd, args, 12, body, blen);
    free(cmd);
}

static void large_body_left_out(void **state)
{
    size_t n = CT_CURL_MAX_BODY + 1;
    char *body = malloc(n);
    memset(body, 'a', n);
    char *cmd = ct_curl_command("POST", 4, "http://h/", 9, NULL, 0, body, n);
    assert_non_null(strstr(cmd, "is not included"));
    assert_true(strlen(cmd) < 1000);
    free(cmd);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simple_get),          cmocka_unit_test(methods_empty_values_and_url_flags),
        cmocka_unit_test(text_body),           cmocka_unit_test(binary_body_through_printf),
        cmocka_unit_test(large_body_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
