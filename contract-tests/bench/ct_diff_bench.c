/* Benchmark of the diff engine: generates a large JSON response pair (default ~10 MB each, a few
 * differences) and prints parse, structural diff and end-to-end (ct_compare) throughput.
 *
 * usage: ct_diff_bench [megabytes per body] [iterations]
 *
 * Throughput counts the bytes of both bodies, since both are parsed and walked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ct_diff.h"

typedef struct st_buf_t {
    char *data;
    size_t len, cap;
} buf_t;

static void append(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append(buf_t *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = 2 * b->cap + (size_t)n + 1;
        b->data = realloc(b->data, b->cap);
        if (b->data == NULL)
            abort();
    }
}

/* One item of a typical list response; `changed` alters a few fields the way a regression
 * would. */
static void item(buf_t *b, unsigned i, int changed)
{
    unsigned r = i * 2654435761u;
    append(b,
           "{\"id\":%u,\"sku\":\"SKU-%08x\",\"name\":\"Item number %u\",\"price\":%u.%02u,"
           "\"currency\":\"EUR\",\"active\":%s,\"stock\":{\"warehouse\":\"wh-%u\",\"count\":%u,"
           "\"reserved\":%u},\"tags\":[\"tag-%u\",\"tag-%u\",\"tag-%u\"],"
           "\"dimensions\":{\"w\":%u.5,\"h\":%u.25,\"d\":%u},\"rating\":%s,"
           "\"description\":\"Lorem ipsum dolor sit amet, consectetur adipiscing elit %u.\"}",
           i, r, i, r % 1000, changed ? 99u : r % 100, (r & 1) ? "true" : "false", r % 7, r % 500,
           changed ? 1u : 0u, r % 13, r % 17, r % 19, r % 50, r % 80, r % 30,
           (r & 2) ? "null" : "4.5", i);
}

static char *make_body(size_t target, int candidate, size_t *len, unsigned *items)
{
    buf_t b = {malloc(target + 4096), 0, target + 4096};
    append(&b, "{\"page\":{\"number\":1,\"size\":%u},\"items\":[", 0u);
    unsigned i = 0;
    while (b.len < target) {
        if (i != 0)
            append(&b, ",");
        item(&b, i, candidate && i % 9973 == 5);
        i++;
    }
    append(&b, "],\"generatedAt\":\"%s\"}", candidate ? "2024-01-02" : "2024-01-01");
    *len = b.len;
    *items = i;
    return b.data;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Into the body model (body/body.h), as ct_compare parses bodies. */
static body_value_t *parse(body_arena_t *arena, const char *s, size_t len)
{
    body_error_t err;
    body_mem_t mem = body_arena_mem(arena);
    body_value_t *v = body_parse(&mem, s, len, BODY_PARSE_FINITE, &err);
    if (v == NULL) {
        fprintf(stderr, "generated JSON does not parse: %s\n", err.message);
        exit(1);
    }
    return v;
}

int main(int argc, char **argv)
{
    double mb = argc > 1 ? atof(argv[1]) : 10;
    int iterations = argc > 2 ? atoi(argv[2]) : 5;
    if (mb <= 0 || iterations <= 0) {
        fprintf(stderr, "usage: %s [megabytes per body] [iterations]\n", argv[0]);
        return 2;
    }
    size_t target = (size_t)(mb * 1e6), plen, clen;
    unsigned items;
    char *p = make_body(target, 0, &plen, &items), *c = make_body(target, 1, &clen, &items);
    double total_mb = (double)(plen + clen) / 1e6;
    printf("bodies: %.2f MB + %.2f MB, %u items each, best of %d runs\n", plen / 1e6, clen / 1e6,
           items, iterations);

    ct_result_t res;
    ct_result_init(&res);
    double best_parse = 1e9, best_diff = 1e9, best_free = 1e9, best_total = 1e9, best_same = 1e9;
    ct_response_t rp = {.status = 200,
                        .content_type = "application/json",
                        .content_type_len = 16,
                        .body = p,
                        .body_len = plen};
    ct_response_t rc = rp;
    rc.body = c;
    rc.body_len = clen;
    body_arena_t arena;
    body_arena_init(&arena);
    for (int i = 0; i < iterations; i++) {
        double t0 = now();
        body_value_t *jp = parse(&arena, p, plen), *jc = parse(&arena, c, clen);
        double t1 = now();
        ct_compare_json(NULL, NULL, jp, jc, &res);
        double t2 = now();
        body_arena_reset(&arena);
        double t3 = now();
        ct_compare(NULL, NULL, &rp, &rc, &res);
        double t4 = now();
        ct_compare(NULL, NULL, &rp, &rp, &res);
        double t5 = now();
        best_parse = t1 - t0 < best_parse ? t1 - t0 : best_parse;
        best_diff = t2 - t1 < best_diff ? t2 - t1 : best_diff;
        best_free = t3 - t2 < best_free ? t3 - t2 : best_free;
        best_total = t4 - t3 < best_total ? t4 - t3 : best_total;
        best_same = t5 - t4 < best_same ? t5 - t4 : best_same;
    }
    ct_compare(NULL, NULL, &rp, &rc, &res);
    printf("differences found: %zu%s\n", res.num_diffs, res.truncated ? " (truncated)" : "");
    printf("parse (body model)     %8.1f ms  %8.1f MB/s\n", best_parse * 1e3,
           total_mb / best_parse);
    printf("structural diff        %8.1f ms  %8.1f MB/s\n", best_diff * 1e3, total_mb / best_diff);
    printf("free both trees        %8.1f ms  (arena reset)\n", best_free * 1e3);
    printf("ct_compare, end to end %8.1f ms  %8.1f MB/s  (parse + diff + free)\n", best_total * 1e3,
           total_mb / best_total);
    printf("ct_compare, same bytes %8.1f ms  %8.1f MB/s  (memcmp fast path)\n", best_same * 1e3,
           total_mb / best_same);
    ct_result_dispose(&res);
    body_arena_dispose(&arena);
    free(p);
    free(c);
    return 0;
}
