/* adp_bench: the adapters' rate on ~2 KB and ~200 KB JSON list responses downgraded through a
 * two-step chain (v3 -> v2: list envelope; v2 -> v1: Pet renamed, added, converted and mapped
 * fields located through the specs), single-threaded.
 *
 *   adp_bench [seconds-per-measurement [only]]     (default 1; only: "chain", "shop", or
 *                                                  "shop-adapted": no parse+write figures,
 *                                                  for profiles of the engine alone)
 *
 * A second table ("shop", when run from the repository's root) downgrades the bodies
 * bench/adapters.sh serves, {"items": [Pet...], "api_version": "v2"} with 20 and 2000 Pets,
 * through the demo shop API's change (deploy/demo/shop): the engine's share of that benchmark.
 * Beside it, the same change coded by hand for those exact bytes (a plain byte loop; no
 * validation, nothing general), and the engine's time over the hand-coded one's.
 *
 * For each size it reports MB/s of upstream JSON, in thread CPU time (so that other load on the
 * machine does not skew it), for:
 *   adapted      adp_response_downgrade on the upstream bytes: parse, transform and write, into
 *                a bump allocator reset per response (what the gateway does per response)
 *   parse+write  body_parse + body_dump alone: the JSON model's share of `adapted`
 *   jansson      json_loadb + json_dumpb (size, then write): the path before the JSON model
 * and the CPU time per adapted response. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "adapters.h"

static const char *SPEC_V1 =
    "openapi: 3.0.3\n"
    "info: {title: pets, version: '1'}\n"
    "paths:\n"
    "  /pets:\n"
    "    get:\n"
    "      operationId: listPets\n"
    "      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {type: array, items: "
    "{$ref: '#/components/schemas/Pet'}}}}}\n"
    "components:\n"
    "  schemas:\n"
    "    Pet:\n"
    "      type: object\n"
    "      properties:\n"
    "        id: {type: string}\n"
    "        name: {type: string}\n"
    "        tag: {type: string}\n"
    "        price: {type: string}\n"
    "        status: {type: string, enum: [active, inactive, pending]}\n"
    "        photos: {type: array, items: {type: string}}\n"
    "        created: {type: string}\n";

static const char *SPEC_V2 =
    "openapi: 3.0.3\n"
    "info: {title: pets, version: '2'}\n"
    "paths:\n"
    "  /pets:\n"
    "    get:\n"
    "      operationId: listPets\n"
    "      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {type: array, items: "
    "{$ref: '#/components/schemas/Pet'}}}}}\n"
    "components:\n"
    "  schemas:\n"
    "    Pet:\n"
    "      type: object\n"
    "      required: [owner, price, status, category]\n"
    "      properties:\n"
    "        id: {type: string}\n"
    "        name: {type: string}\n"
    "        category: {type: string}\n"
    "        owner: {type: object, nullable: true, properties: {id: {type: string}, name: {type: "
    "string}}}\n"
    "        price: {type: integer}\n"
    "        status: {type: string, enum: [available, sold, pending]}\n"
    "        photos: {type: array, items: {type: string}}\n"
    "        created: {type: string}\n";

static const char *ADAPTER =
    "api: pets\n"
    "changes:\n"
    "  - to: v3\n"
    "    operations:\n"
    "      listPets:\n"
    "        response:\n"
    "          - unwrap: data\n"
    "  - to: v2\n"
    "    schemas:\n"
    "      Pet:\n"
    "        - rename: {old: tag, new: category}\n"
    "        - added: {field: owner, default: null}\n"
    "        - convert: {field: price, old: decimal_string, new: integer_cents}\n"
    "        - map: {field: status, old_to_new: {active: available, inactive: sold}}\n";

/* v3 = v2's Pet inside {"data": [...], "next": ...} */
static char *spec_v3(void)
{
    const char *from = "schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}";
    const char *to = "schema: {type: object, properties: {data: {type: array, items: {$ref: "
                     "'#/components/schemas/Pet'}}, next: {type: string}}}";
    const char *at = strstr(SPEC_V2, from);
    if (at == NULL)
        abort();
    size_t size = strlen(SPEC_V2) + strlen(to) + 1;
    char *out = malloc(size);
    snprintf(out, size, "%.*s%s%s", (int)(at - SPEC_V2), SPEC_V2, to, at + strlen(from));
    return out;
}

static spec_t *parse_spec(const char *name, const char *text)
{
    spec_t *s;
    spec_error_t err;
    if (spec_parse(&s, name, text, strlen(text), NULL, &err) != 0 || spec_error_count(s) != 0) {
        fprintf(stderr, "%s: %s\n", name, err.message);
        exit(1);
    }
    return s;
}

/* An upstream (v3) list response of about `target` bytes. */
static char *make_body(size_t target, size_t *len)
{
    static const char *statuses[] = {"available", "sold", "pending"};
    json_t *data = json_array();
    json_t *root = json_pack("{s:o,s:s}", "data", data, "next", "cursor-abcdef");
    size_t n = 0;
    for (;;) {
        char id[32], name[32];
        snprintf(id, sizeof(id), "pet_%06zu", n);
        snprintf(name, sizeof(name), "Pet number %zu", n);
        json_t *pet = json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:I,s:s,s:[s,s],s:s}", "id", id, "name",
                                name, "category", n % 2 ? "dog" : "cat", "owner", "id", "usr_0042",
                                "name", "Ann Example", "price", (json_int_t)(1999 + n), "status",
                                statuses[n % 3], "photos", "https://img.example.com/a.jpg",
                                "https://img.example.com/b.jpg", "created", "2024-05-01T10:00:00Z");
        json_array_append_new(data, pet);
        ++n;
        char *s = json_dumps(root, JSON_COMPACT);
        size_t l = strlen(s);
        if (l >= target) {
            *len = l;
            json_decref(root);
            return s;
        }
        free(s);
    }
}

/* bench/adapters.sh's v2 list body with `n` Pets (its python writes the same bytes). */
static char *shop_body(size_t n, size_t *len)
{
    size_t cap = 64 + n * 128, at = 0;
    char *b = malloc(cap);
    if (b == NULL)
        abort();
    at += (size_t)snprintf(b + at, cap - at, "{\"items\":[");
    for (size_t i = 0; i < n; ++i)
        at += (size_t)snprintf(b + at, cap - at,
                               "%s{\"id\":%zu,\"name\":\"pet-%zu\",\"category\":\"dog\","
                               "\"owner\":\"ada\",\"price\":%zu,\"status\":\"available\"}",
                               i ? "," : "", i, i, 1250 + i);
    at += (size_t)snprintf(b + at, cap - at, "],\"api_version\":\"v2\"}");
    *len = at;
    return b;
}

/* Thread CPU time: the figures describe the work done, not how busy the machine is. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xmalloc(size_t size)
{
    void *p = malloc(size);
    if (p == NULL)
        abort();
    return p;
}

/* A bump allocator reset per response, as the gateway's request pool is released per request.
 * Blocks overflowing the first are merged into one on reset, so steady state is one block. */
typedef struct block {
    struct block *next;
    size_t size, used;
    max_align_t bytes[];
} block_t;

typedef struct {
    block_t *blocks; /* current first */
} bump_t;

static void *bump_alloc(void *ctx, size_t size)
{
    bump_t *b = ctx;
    size = (size + 7) & ~(size_t)7;
    block_t *cur = b->blocks;
    if (cur == NULL || cur->size - cur->used < size) {
        size_t n = cur != NULL ? cur->size * 2 : 1 << 20;
        while (n < size)
            n *= 2;
        block_t *nb = xmalloc(sizeof(*nb) + n);
        *nb = (block_t){cur, n, 0};
        b->blocks = cur = nb;
    }
    void *p = (char *)cur->bytes + cur->used;
    cur->used += size;
    return p;
}

static void bump_reset(bump_t *b)
{
    block_t *first = b->blocks;
    if (first == NULL)
        return;
    if (first->next == NULL) {
        first->used = 0;
        return;
    }
    size_t total = 0;
    for (block_t *k = first, *next; k != NULL; k = next) {
        next = k->next;
        total += k->size;
        free(k);
    }
    block_t *nb = xmalloc(sizeof(*nb) + total);
    *nb = (block_t){NULL, total, 0};
    b->blocks = nb;
}

static void bump_free(bump_t *b)
{
    for (block_t *k = b->blocks, *next; k != NULL; k = next) {
        next = k->next;
        free(k);
    }
    b->blocks = NULL;
}

typedef enum { ADAPTED, PARSE_WRITE, JANSSON } what_t;

/* Downgrades the upstream bytes `text` into `bump`; the caller disposes `res`. */
static void downgrade(const adp_plan_t *plan, const char *text, size_t len, bump_t *bump,
                      adp_response_t *res)
{
    adp_response_init(res);
    res->status = 200;
    res->mem = (body_mem_t){bump_alloc, bump};
    res->body = text;
    res->body_len = len;
    adp_response_downgrade(plan, res);
}

/* One response's worth of work; returns the output length (so that the work is not dead). */
static size_t run_once(what_t what, const adp_plan_t *plan, const char *text, size_t len,
                       bump_t *bump)
{
    body_mem_t mem = {bump_alloc, bump};
    size_t out_len = 0;
    switch (what) {
    case ADAPTED: {
        adp_response_t res;
        downgrade(plan, text, len, bump, &res);
        if (res.mismatches != 0 || res.body_invalid || res.body == NULL) {
            fprintf(stderr, "unexpected downgrade: %zu mismatch(es), first %s; body %s\n",
                    res.mismatches, res.mismatches ? res.first_mismatch.step : "-",
                    res.body_invalid   ? "invalid"
                    : res.body == NULL ? "removed"
                                       : "ok");
            exit(1);
        }
        out_len = res.body_len;
        adp_response_dispose(&res);
        break;
    }
    case PARSE_WRITE: {
        body_error_t err;
        body_value_t *doc = body_parse(&mem, text, len, 0, &err);
        if (doc == NULL) {
            fprintf(stderr, "parse error at %zu: %s\n", err.offset, err.message);
            exit(1);
        }
        body_dump(&mem, doc, &out_len);
        break;
    }
    case JANSSON: { /* as the gateway serialised before the JSON model: size, then write */
        json_error_t e;
        json_t *doc = json_loadb(text, len, 0, &e);
        out_len = json_dumpb(doc, NULL, 0, JSON_COMPACT);
        char *buf = xmalloc(out_len + 1);
        json_dumpb(doc, buf, out_len, JSON_COMPACT);
        free(buf);
        json_decref(doc);
        break;
    }
    }
    bump_reset(bump);
    return out_len;
}

/* Returns CPU seconds per response. */
static double measure(what_t what, const adp_plan_t *plan, const char *text, size_t len,
                      double seconds)
{
    bump_t bump = {NULL};
    size_t iters = 0, sink = 0;
    double t0 = cpu_now(), spent;
    do {
        for (int k = 0; k < 8; ++k, ++iters)
            sink += run_once(what, plan, text, len, &bump);
        spent = cpu_now() - t0;
    } while (spent < seconds);
    bump_free(&bump);
    if (sink == 0)
        abort();
    return spent / (double)iters;
}

/* The downgrade's output once, checked: the v1 list with every Pet; and the JSON model's
 * round trip of the (compact, ASCII) upstream body must give it back byte for byte. */
static void check(const adp_plan_t *plan, const char *text, size_t len, size_t items)
{
    bump_t bump = {NULL};
    body_mem_t mem = {bump_alloc, &bump};
    adp_response_t res;
    downgrade(plan, text, len, &bump, &res);
    json_t *out = res.body != NULL ? json_loadb(res.body, res.body_len, 0, NULL) : NULL;
    json_t *first = json_array_get(out, 0);
    if (json_array_size(out) != items || json_object_get(first, "tag") == NULL ||
        !json_is_string(json_object_get(first, "price")) ||
        json_object_get(first, "owner") != NULL) {
        fprintf(stderr, "the downgraded body is not the v1 list it should be\n");
        exit(1);
    }
    json_decref(out);
    adp_response_dispose(&res);
    body_error_t err;
    body_value_t *doc = body_parse(&mem, text, len, 0, &err);
    size_t n = 0;
    char *again = doc != NULL ? body_dump(&mem, doc, &n) : NULL;
    if (again == NULL || n != len || memcmp(again, text, len) != 0) {
        fprintf(stderr, "parse+write changed the body\n");
        exit(1);
    }
    bump_free(&bump);
}

/* ---- by hand: the demo shop change coded for bench/adapters.sh's bodies ----
 * A plain byte loop that finds each member name by its quotes and edits the four it knows
 * (category renamed tag, owner dropped, price in cents written as a decimal string, status
 * available -> active), with no validation, no schema and nothing general: the work any engine
 * must at least do for the same output, done the simplest way; the engine's figure over this
 * one says how much its generality and checks cost. */

static const char *next_quote(const char *p, const char *end)
{
    while (p < end && *p != '"')
        p++;
    return p;
}

static char *put(char *o, const char *b, size_t n)
{
    memcpy(o, b, n);
    return o + n;
}

static char *put_cents(char *o, const char *v, const char **after)
{
    long x = 0;
    while (*v >= '0' && *v <= '9')
        x = x * 10 + (*v++ - '0');
    *after = v;
    char t[24];
    int k = 0;
    long whole = x / 100;
    do
        t[k++] = (char)('0' + whole % 10), whole /= 10;
    while (whole != 0);
    *o++ = '"';
    while (k != 0)
        *o++ = t[--k];
    *o++ = '.';
    *o++ = (char)('0' + x / 10 % 10);
    *o++ = (char)('0' + x % 10);
    *o++ = '"';
    return o;
}

static size_t shop_by_hand(const char *in, size_t len, char *out)
{
    const char *p = in, *end = in + len, *from = in;
    char *o = out;
    for (;;) {
        const char *q = next_quote(p, end), *e;
        if (q == end || (e = next_quote(q + 1, end)) == end)
            break;
        size_t n = (size_t)(e - q - 1);
        p = e + 1;
        if (p == end || *p != ':')
            continue;
        if (n == 8 && memcmp(q + 1, "category", 8) == 0) {
            o = put(put(o, from, (size_t)(q - from)), "\"tag\"", 5);
            from = p;
        } else if (n == 5 && memcmp(q + 1, "owner", 5) == 0) {
            o = put(o, from, (size_t)(q - 1 - from)); /* with the comma before */
            p = next_quote(p + 2, end) + 1;
            from = p;
        } else if (n == 5 && memcmp(q + 1, "price", 5) == 0) {
            o = put_cents(put(o, from, (size_t)(p + 1 - from)), p + 1, &p);
            from = p;
        } else if (n == 6 && memcmp(q + 1, "status", 6) == 0) {
            const char *v = next_quote(p + 2, end);
            o = put(o, from, (size_t)(p + 1 - from));
            if (v - p - 2 == 9 && memcmp(p + 2, "available", 9) == 0)
                o = put(o, "\"active\"", 8);
            else
                o = put(o, p + 1, (size_t)(v - p));
            p = v + 1;
            from = p;
        }
    }
    return (size_t)(put(o, from, (size_t)(end - from)) - out);
}

/* CPU seconds per body for the hand-coded change; checks its output is the engine's. */
static double measure_by_hand(const adp_plan_t *plan, const char *text, size_t len, double seconds)
{
    char *out = malloc(len * 2);
    bump_t bump = {NULL};
    adp_response_t res;
    downgrade(plan, text, len, &bump, &res);
    size_t n = shop_by_hand(text, len, out);
    if (res.body == NULL || res.body_len != n || memcmp(res.body, out, n) != 0) {
        fprintf(stderr, "the hand-coded change's output is not the engine's\n");
        exit(1);
    }
    adp_response_dispose(&res);
    bump_free(&bump);
    size_t iters = 0, sink = 0;
    double t0 = cpu_now(), spent;
    do {
        for (int k = 0; k < 8; ++k, ++iters)
            sink += shop_by_hand(text, len, out);
        spent = cpu_now() - t0;
    } while (spent < seconds);
    free(out);
    if (sink == 0)
        abort();
    return spent / (double)iters;
}

static spec_t *load_spec(const char *path)
{
    spec_t *s;
    spec_error_t err;
    if (spec_load(&s, path, NULL, &err) != 0 || spec_error_count(s) != 0) {
        fprintf(stderr, "%s:%u:%u: %s\n", path, err.line, err.col, err.message);
        exit(1);
    }
    return s;
}

/* The demo shop API's change on bench/adapters.sh's bodies; skipped when the demo's files are
 * not at hand (not run from the repository's root). */
static void bench_shop(double seconds, int adapted_only)
{
    FILE *f = fopen("deploy/demo/shop/adapters.yaml", "r");
    if (f == NULL) {
        printf("(shop: run from the repository's root to measure the demo shop API's change)\n");
        return;
    }
    fclose(f);
    spec_t *s1 = load_spec("deploy/demo/shop/v1.yaml"), *s2 = load_spec("deploy/demo/shop/v2.yaml");
    adp_version_info_t versions[2] = {{"v1", s1, 0}, {"v2", s2, 1}};
    adp_registry_t *reg;
    spec_error_t err;
    if (adp_registry_load(&reg, "deploy/demo/shop/adapters.yaml", versions, 2, NULL, &err) != 0) {
        fprintf(stderr, "adapters.yaml:%u:%u: %s\n", err.line, err.col, err.message);
        exit(1);
    }
    const adp_plan_t *plan = adp_plan_find(reg, 0, "listPets", NULL, NULL);
    printf("shop: the demo's change (v2 -> v1), bench/adapters.sh's bodies\n");
    printf("%-10s %10s %8s %14s %17s %10s %14s %8s\n", "body", "bytes", "items", "adapted MB/s",
           "parse+write MB/s", "us/resp", "by hand us", "ratio");
    size_t counts[2] = {20, 2000};
    for (int t = 0; t < 2; ++t) {
        size_t len;
        char *text = shop_body(counts[t], &len);
        double adapted = measure(ADAPTED, plan, text, len, seconds);
        double parse_write = adapted_only ? 0 : measure(PARSE_WRITE, plan, text, len, seconds);
        double by_hand = adapted_only ? 0 : measure_by_hand(plan, text, len, seconds);
        double mb = (double)len / 1e6;
        printf("%-10s %10zu %8zu %14.1f %17.1f %10.2f %14.2f %7.2fx\n",
               t == 0 ? "~2 KB" : "~200 KB", len, counts[t], mb / adapted, mb / parse_write,
               adapted * 1e6, by_hand * 1e6, adapted_only ? 0 : adapted / by_hand);
        free(text);
    }
    adp_registry_destroy(reg);
    spec_destroy(s1);
    spec_destroy(s2);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    if (seconds <= 0)
        seconds = 1.0;
    const char *only = argc > 2 ? argv[2] : "";
    if (strncmp(only, "shop", 4) == 0) {
        bench_shop(seconds, strcmp(only, "shop-adapted") == 0);
        return 0;
    }
    char *v3text = spec_v3();
    spec_t *s1 = parse_spec("v1.yaml", SPEC_V1), *s2 = parse_spec("v2.yaml", SPEC_V2),
           *s3 = parse_spec("v3.yaml", v3text);
    adp_version_info_t versions[3] = {{"v1", s1, 0}, {"v2", s2, 0}, {"v3", s3, 1}};
    adp_registry_t *reg;
    spec_error_t err;
    if (adp_registry_parse(&reg, "bench.yaml", ADAPTER, strlen(ADAPTER), versions, 3, NULL, &err) !=
        0) {
        fprintf(stderr, "%u:%u: %s\n", err.line, err.col, err.message);
        return 1;
    }
    const adp_plan_t *plan = adp_plan_find(reg, 0, "listPets", NULL, NULL);
    printf("adapters, one thread, 2 changes (v3 -> v2 -> v1), %.1f CPU s per figure\n", seconds);
    printf("%-10s %10s %8s %14s %17s %14s %10s\n", "body", "bytes", "items", "adapted MB/s",
           "parse+write MB/s", "jansson MB/s", "us/resp");
    size_t targets[2] = {2 * 1024, 200 * 1024};
    for (int t = 0; t < 2; ++t) {
        size_t len;
        char *text = make_body(targets[t], &len);
        json_error_t e;
        json_t *parsed = json_loadb(text, len, 0, &e);
        size_t items = json_array_size(json_object_get(parsed, "data"));
        json_decref(parsed);
        check(plan, text, len, items);
        double adapted = measure(ADAPTED, plan, text, len, seconds);
        double parse_write = measure(PARSE_WRITE, plan, text, len, seconds);
        double jansson = measure(JANSSON, plan, text, len, seconds);
        double mb = (double)len / 1e6;
        printf("%-10s %10zu %8zu %14.1f %17.1f %14.1f %10.2f\n", t == 0 ? "~2 KB" : "~200 KB", len,
               items, mb / adapted, mb / parse_write, mb / jansson, adapted * 1e6);
        free(text);
    }
    adp_registry_destroy(reg);
    spec_destroy(s1);
    spec_destroy(s2);
    spec_destroy(s3);
    free(v3text);
    if (strcmp(only, "chain") != 0)
        bench_shop(seconds, 0);
    return 0;
}
