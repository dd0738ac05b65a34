/* curl commands for samples: POSIX shell quoting ('...' with '\'' for quotes), curl's URL globbing
 * and path squashing turned off when the URL would trigger them. */
#include "ct_curl.h"

#include <string.h>

#include "ct_buf.h"
#include "up_http.h"
#include "ct_utf8.h"

/* One single-quoted shell word: everything is literal inside '...' except the quote itself. */
static void put_quoted(ct_buf_t *b, const char *s, size_t len)
{
    ct__buf_putc(b, '\'');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\'')
            ct__buf_puts(b, "'\\''");
        else
            ct__buf_putc(b, s[i]);
    }
    ct__buf_putc(b, '\'');
}

/* Printable UTF-8 without control characters: safe and readable inside one quoted word. */
static int is_plain_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
        size_t k = c < 0x80 ? 1 : ct__utf8_seq_len((const unsigned char *)s + i, len - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* The body as the argument of printf '%b' (POSIX: \\ is a backslash, \0ddd an octal byte). */
static void put_printf_arg(ct_buf_t *b, const char *s, size_t len)
{
    ct_buf_t arg = CT_BUF_INIT;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c >= 0x20 && c != 0x7f
                       ? (c < 0x80 ? 1 : ct__utf8_seq_len((const unsigned char *)s + i, len - i))
                       : 0;
        if (c == '\\') {
            ct__buf_puts(&arg, "\\\\");
            i++;
        } else if (k != 0) {
            ct__buf_append(&arg, s + i, k);
            i += k;
        } else {
            char esc[6] = {'\\',
                           '0',
                           (char)('0' + (c >> 6)),
                           (char)('0' + ((c >> 3) & 7)),
                           (char)('0' + (c & 7)),
                           0};
            ct__buf_append(&arg, esc, 5);
            i++;
        }
    }
    put_quoted(b, arg.base != NULL ? arg.base : "", arg.len);
    ct__buf_dispose(&arg);
}

static int has_header(const ct_header_t *h, size_t n, const char *lower)
{
    for (size_t i = 0; i < n; i++)
        if (up_http_name_is(h[i].name, h[i].name_len, lower))
            return 1;
    return 0;
}

static int needs_path_as_is(const char *url, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (url[i] != '/' || url[i + 1] != '.')
            continue;
        size_t j = i + 2;
        if (j < len && url[j] == '.')
            j++;
        if (j == len || url[j] == '/' || url[j] == '?')
            return 1;
    }
    return 0;
}

char *ct_curl_command(const char *method, size_t method_len, const char *url, size_t url_len,
                      const ct_header_t *headers, size_t num_headers, const char *body,
                      size_t body_len)
{
    ct_buf_t b = CT_BUF_INIT;
    int binary = body_len != 0 && body_len <= CT_CURL_MAX_BODY && !is_plain_text(body, body_len);
    if (binary) {
        ct__buf_puts(&b, "printf '%b' ");
        put_printf_arg(&b, body, body_len);
        ct__buf_puts(&b, " | ");
    }
    ct__buf_puts(&b, "curl -i");
    if (method_len == 4 && memcmp(method, "HEAD", 4) == 0) {
        ct__buf_puts(&b, " --head");
    } else if (!(method_len == 3 && memcmp(method, "GET", 3) == 0 && body_len == 0) &&
               !(method_len == 4 && memcmp(method, "POST", 4) == 0 && body_len != 0)) {
        ct__buf_puts(&b, " -X ");
        put_quoted(&b, method, method_len);
    }
    for (size_t i = 0; i < url_len; i++) {
        if (strchr("[]{}", url[i]) != NULL && url[i] != '\0') {
            ct__buf_puts(&b, " --globoff"); /* curl would expand these as URL globs */
            break;
        }
    }
    if (needs_path_as_is(url, url_len))
        ct__buf_puts(&b, " --path-as-is");
    ct__buf_putc(&b, ' ');
    put_quoted(&b, url, url_len);
    for (size_t i = 0; i < num_headers; i++) {
        const ct_header_t *h = &headers[i];
        ct__buf_puts(&b, " -H ");
        ct_buf_t word = CT_BUF_INIT;
        ct__buf_append(&word, h->name, h->name_len);
        if (h->value_len == 0) {
            ct__buf_putc(&word, ';'); /* curl's syntax for a header with an empty value */
        } else {
            ct__buf_puts(&word, ": ");
            ct__buf_append(&word, h->value, h->value_len);
        }
        put_quoted(&b, word.base, word.len);
        ct__buf_dispose(&word);
    }
    /* curl adds these when absent; the replayed request had none ("name:" removes them) */
    if (!has_header(headers, num_headers, "accept"))
        ct__buf_puts(&b, " -H 'Accept:'");
    if (!has_header(headers, num_headers, "user-agent"))
        ct__buf_puts(&b, " -H 'User-Agent:'");
    if (body_len != 0 && !has_header(headers, num_headers, "content-type"))
        ct__buf_puts(&b, " -H 'Content-Type:'");
    if (binary) {
        ct__buf_puts(&b, " --data-binary @-");
    } else if (body_len > CT_CURL_MAX_BODY) {
        ct__buf_printf(&b, " --data-binary @body  # the %zu-byte request body is not included",
                       body_len);
    } else if (body_len != 0) {
        ct__buf_puts(&b, " --data-binary ");
        put_quoted(&b, body, body_len);
    }
    return ct__buf_steal(&b, NULL);
}
