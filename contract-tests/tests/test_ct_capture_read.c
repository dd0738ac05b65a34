/* Tests of ct_capture_read.c: every kind of bad line is reported with its line number, skipped
 * and counted; blank lines, CRLF, a byte order mark and a last line without newline; lines that
 * span reads; the line length bound; format detection; counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ct_buf.h"
#include "ct_capture.h"
#include "ct_capture_test.h"

#define GOOD "{\"request\":{\"method\":\"GET\",\"path\":\"/ok\"},\"response\":{\"status\":200}}"

typedef struct {
    uint64_t line;
    const char *message; /* expected prefix */
} expect_bad_t;

static char *dir;

static int setup(void **state)
{
    dir = ct_test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    ct_test_rmdir(dir);
    return 0;
}

/* Reads the whole capture, checking the bad lines in order; returns the number of records. */
static size_t read_all(const char *text, size_t len, const ct_capture_reader_config_t *cfg,
                       const expect_bad_t *bad, size_t nbad)
{
    char *path = ct_test_write(dir, "c.jsonl", text, len);
    ct_error_t err;
    ct_capture_reader_t *r = ct_capture_reader_open(path, cfg, &err);
    assert_non_null(r);
    assert_int_equal(ct_capture_reader_format(r), CT_CAPTURE_JSONL);
    size_t records = 0, seen_bad = 0;
    for (;;) {
        ct_exchange_t x;
        ct_capture_bad_t b;
        ct_capture_status_t st = ct_capture_reader_next(r, &x, &b, &err);
        if (st == CT_CAPTURE_EOF)
            break;
        assert_int_not_equal(st, CT_CAPTURE_ERROR);
        if (st == CT_CAPTURE_RECORD) {
            records++;
            continue;
        }
        if (seen_bad >= nbad)
            fail_msg("unexpected bad line %llu: %s", (unsigned long long)b.line, b.message);
        if (b.line != bad[seen_bad].line ||
            strncmp(b.message, bad[seen_bad].message, strlen(bad[seen_bad].message)) != 0)
            fail_msg("bad line %zu: got %llu \"%s\", expected %llu \"%s...\"", seen_bad,
                     (unsigned long long)b.line, b.message, (unsigned long long)bad[seen_bad].line,
                     bad[seen_bad].message);
        assert_int_equal(ct_capture_reader_position(r), b.line);
        seen_bad++;
    }
    assert_int_equal(seen_bad, nbad);
    assert_int_equal(ct_capture_reader_bad(r), nbad);
    assert_int_equal(ct_capture_reader_records(r), records);
    ct_capture_reader_close(r);
    free(path);
    return records;
}

static void every_bad_line_kind(void **state)
{
    const char *text =
        GOOD "\n"                                                             /* 1 */
             "{\"request\": {\"method\": \"GET\"\n"                           /* 2 */
             "[1, 2]\n"                                                       /* 3 */
             "{\"response\":{\"status\":200}}\n"                              /* 4 */
             "{\"request\":{\"path\":\"/\"},\"response\":{\"status\":200}}\n" /* 5 */
             "{\"request\":{\"method\":7,\"path\":\"/"
             "\"},\"response\":{\"status\":200}}\n"                                /* 6 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/\"},\"response\":{}}\n" /* 7
                                                                                    */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/"
             "\"},\"response\":{\"status\":99}}\n" /* 8 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/\",\"headers\":[[\"a\"]]},"
             "\"response\":{\"status\":200}}\n" /* 9 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/\",\"headers\":[[\"a "
             "b\",\"c\"]]},"
             "\"response\":{\"status\":200}}\n" /* 10 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/"
             "\"},\"response\":{\"status\":200,"
             "\"body\":\"@@@\",\"body_encoding\":\"base64\"}}\n" /* 11 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/"
             "\"},\"response\":{\"status\":200,"
             "\"body\":\"x\",\"body_encoding\":\"gzip\"}}\n" /* 12 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"relative\"},\"response\":{"
             "\"status\":200}}\n" /* 13 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/\",\"query\":\"a "
             "b\"},\"response\":{\"status\":200}}\n" /* 14 */
             "{\"request\":{\"method\":\"G "
             "T\",\"path\":\"/\"},\"response\":{\"status\":200}}\n" /* 15 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/"
             "\"},\"request\":{},\"response\":{\"status\":200}}\n" /* 16 */
             "{\"request\":[],\"response\":{\"status\":200}}\n"    /* 17 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/"
             "\"},\"response\":{\"status\":200,"
             "\"body_truncated\":\"yes\"}}\n" /* 18 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/"
             "\"},\"response\":{\"status\":200,"
             "\"body\":\"abc\",\"body_size\":2}}\n" /* 19 */
             "{\"api\":5,\"request\":{\"method\":\"GET\",\"path\":\"/"
             "\"},\"response\":{\"status\":200}}\n"           /* 20 */
        GOOD "\n"                                             /* 21 */
             "{\"request\":{\"method\":\"GET\",\"path\":\"/"; /* 22, cut */
    const expect_bad_t bad[] = {
        {2, "invalid JSON at column"},
        {3, "not a JSON object"},
        {4, "missing field request"},
        {5, "missing field request.method"},
        {6, "field request.method: expected a string"},
        {7, "missing field response.status"},
        {8, "field response.status: expected an integer from 100 to 599"},
        {9, "field request.headers[0]: expected [name, value] strings"},
        {10, "field request.headers[0]: invalid header name"},
        {11, "field response.body: invalid base64"},
        {12, "field response.body_encoding: expected \"base64\" or \"utf8\""},
        {13, "field request.path: must start with '/'"},
        {14, "field request.query: holds spaces"},
        {15, "field request.method: not an HTTP method"},
        {16, "invalid JSON at column"}, /* duplicate key */
        {17, "field request: expected an object"},
        {18, "field response.body_truncated: expected true or false"},
        {19, "field response.body_size: smaller than the body"},
        {20, "field api: expected a string"},
        {22, "truncated: the file ends inside this line"},
    };
    assert_int_equal(read_all(text, strlen(text), NULL, bad, sizeof(bad) / sizeof(bad[0])), 2);
}

static void blank_lines_crlf_bom_and_last_line(void **state)
{
    const char *text = "\xef\xbb\xbf" GOOD "\r\n"
                       "\n"
                       "   \r\n"
                       "oops\r\n" GOOD; /* the last line has no newline but is complete */
    const expect_bad_t bad[] = {{4, "invalid JSON"}};
    assert_int_equal(read_all(text, strlen(text), NULL, bad, 1), 2);
    assert_int_equal(read_all("", 0, NULL, NULL, 0), 0);
    assert_int_equal(read_all("\n\n\n", 3, NULL, NULL, 0), 0);
}

/* A record whose line is longer than one read of the reader (256 KiB). */
static void lines_spanning_reads(void **state)
{
    ct_buf_t b = CT_BUF_INIT;
    ct__buf_puts(&b, GOOD "\n{\"request\":{\"method\":\"POST\",\"path\":\"/big\",\"body\":\"");
    for (int i = 0; i < 700 * 1024; i++)
        ct__buf_putc(&b, (char)('a' + i % 26));
    ct__buf_puts(&b, "\"},\"response\":{\"status\":200}}\n" GOOD "\n");
    char *path = ct_test_write(dir, "big.jsonl", b.base, b.len);
    ct_error_t err;
    ct_capture_reader_t *r = ct_capture_reader_open(path, NULL, &err);
    ct_exchange_t x;
    ct_capture_bad_t bad;
    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_RECORD);
    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_RECORD);
    assert_int_equal(x.request.body.len, 700 * 1024);
    assert_int_equal(x.request.body.bytes[700 * 1024 - 1], 'a' + (700 * 1024 - 1) % 26);
    assert_int_equal(ct_capture_reader_position(r), 2);
    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_RECORD);
    assert_int_equal(ct_capture_reader_next(r, &x, &bad, &err), CT_CAPTURE_EOF);
    ct_capture_reader_close(r);
    free(path);

    /* the same file with a 100 KiB bound: the big line is skipped unread, the next one is fine */
    ct_capture_reader_config_t cfg;
    ct_capture_reader_config_init(&cfg);
    cfg.max_line_bytes = 100 * 1024;
    const expect_bad_t too_long[] = {{2, "line too long: 716"}};
    assert_int_equal(read_all(b.base, b.len, &cfg, too_long, 1), 2);
    /* and when the too-long line is the last one, without a newline */
    b.len -= strlen(GOOD "\n") + 1;
    const expect_bad_t last[] = {{2, "line too long"}};
    assert_int_equal(read_all(b.base, b.len, &cfg, last, 1), 1);
    ct__buf_dispose(&b);
}

static void detects_formats_and_counts(void **state)
{
    const char *jsonl = GOOD "\n\n" GOOD "\r\nbad\n" GOOD;
    char *path = ct_test_write(dir, "n.jsonl", jsonl, strlen(jsonl));
    uint64_t n = 0;
    ct_error_t err;
    assert_int_equal(ct_capture_count(path, NULL, &n, &err), 0);
    assert_int_equal(n, 4); /* non-blank lines, bad ones included */
    free(path);

    const char *har = " \n{\n  \"log\": {\"version\": \"1.2\", \"entries\": [{}, {}]}}";
    path = ct_test_write(dir, "h.har", har, strlen(har));
    assert_int_equal(ct_capture_count(path, NULL, &n, &err), 0);
    assert_int_equal(n, 2);
    ct_capture_reader_t *r = ct_capture_reader_open(path, NULL, &err);
    assert_non_null(r);
    assert_int_equal(ct_capture_reader_format(r), CT_CAPTURE_HAR);
    ct_capture_reader_close(r);
    free(path);

    /* an object whose first member is "log" but is no HAR archive */
    const char *broken = "{\"log\": {\"entries\": 3}}";
    path = ct_test_write(dir, "broken.har", broken, strlen(broken));
    assert_null(ct_capture_reader_open(path, NULL, &err));
    assert_non_null(strstr(err.message, "log.entries must be an array"));
    free(path);

    const char *cut = "{\"log\": {\"entries\": [";
    path = ct_test_write(dir, "cut.har", cut, strlen(cut));
    assert_null(ct_capture_reader_open(path, NULL, &err));
    assert_non_null(strstr(err.message, "invalid HAR file"));
    free(path);

    assert_null(ct_capture_reader_open("/nonexistent/capture.jsonl", NULL, &err));
    assert_non_null(strstr(err.message, "No such file"));
    assert_null(ct_capture_reader_open(dir, NULL, &err));
    assert_non_null(strstr(err.message, "is a directory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_bad_line_kind),
        cmocka_unit_test(blank_lines_crlf_bom_and_last_line),
        cmocka_unit_test(lines_spanning_reads),
        cmocka_unit_test(detects_formats_and_counts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
