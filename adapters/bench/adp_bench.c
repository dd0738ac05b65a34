/* adp_bench: the adapter engine's transform rate on ~2 KB and ~200 KB JSON list responses
 * downgraded through a two-step chain (v3 -> v2: list envelope; v2 -> v1: Pet renamed, added,
 * converted and mapped fields located through the specs), single-threaded.
 *
 *   adp_bench [seconds-per-measurement]     (default 1)
 *
 * For each size it reports MB/s of upstream JSON, in thread CPU time (so that other load on the
 * machine does not skew it), for:
 *   engine    adp_response_downgrade alone on a parsed body
 *   exchange  parse + downgrade + serialise: what the gateway does per adapted response
 *   baseline  parse + serialise only: the cost of any JSON-aware proxying, for comparison */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* Thread CPU time: the figures describe the work done, not how busy the machine is. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void downgrade(const adp_plan_t *plan, json_t **body)
{
    adp_response_t res;
    adp_response_init(&res);
    res.status = 200;
    adp_response_set_body_new(&res, *body);
    adp_response_downgrade(plan, &res);
    if (res.mismatches != 0) {
        fprintf(stderr, "unexpected mismatch: %s\n", res.first_mismatch.step);
        exit(1);
    }
    *body = json_incref(res.body);
    adp_response_dispose(&res);
}

/* The engine alone: downgrades of deep copies made outside the timed region. Returns CPU
 * seconds per response. */
static double measure_engine(const adp_plan_t *plan, const json_t *parsed, double seconds)
{
    enum { BATCH = 32 };
    json_t *copies[BATCH];
    double spent = 0;
    size_t iters = 0;
    while (spent < seconds) {
        for (int i = 0; i < BATCH; ++i)
            copies[i] = json_deep_copy(parsed);
        double t0 = cpu_now();
        for (int i = 0; i < BATCH; ++i)
            downgrade(plan, &copies[i]);
        spent += cpu_now() - t0;
        iters += BATCH;
        for (int i = 0; i < BATCH; ++i)
            json_decref(copies[i]);
    }
    return spent / (double)iters;
}

/* Parse, optionally downgrade, serialise. Returns CPU seconds per response. */
static double measure_exchange(const adp_plan_t *plan, const char *text, size_t len, int adapt,
                               double seconds)
{
    size_t iters = 0;
    double t0 = cpu_now(), spent;
    do {
        for (int k = 0; k < 8; ++k, ++iters) {
            json_error_t e;
            json_t *body = json_loadb(text, len, 0, &e);
            if (adapt)
                downgrade(plan, &body);
            free(json_dumps(body, JSON_COMPACT));
            json_decref(body);
        }
        spent = cpu_now() - t0;
    } while (spent < seconds);
    return spent / (double)iters;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    if (seconds <= 0)
        seconds = 1.0;
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
    printf("adapter engine, one thread, 2 changes (v3 -> v2 -> v1), %.1f CPU s per figure\n",
           seconds);
    printf("%-10s %10s %8s %14s %14s %14s %10s\n", "body", "bytes", "items", "engine MB/s",
           "exchange MB/s", "baseline MB/s", "us/resp");
    size_t targets[2] = {2 * 1024, 200 * 1024};
    for (int t = 0; t < 2; ++t) {
        size_t len;
        char *text = make_body(targets[t], &len);
        json_error_t e;
        json_t *parsed = json_loadb(text, len, 0, &e);
        size_t items = json_array_size(json_object_get(parsed, "data"));
        double engine = measure_engine(plan, parsed, seconds);
        double exchange = measure_exchange(plan, text, len, 1, seconds);
        double baseline = measure_exchange(plan, text, len, 0, seconds);
        double mb = (double)len / 1e6;
        printf("%-10s %10zu %8zu %14.1f %14.1f %14.1f %10.2f\n", t == 0 ? "~2 KB" : "~200 KB", len,
               items, mb / engine, mb / exchange, mb / baseline, exchange * 1e6);
        json_decref(parsed);
        free(text);
    }
    adp_registry_destroy(reg);
    spec_destroy(s1);
    spec_destroy(s2);
    spec_destroy(s3);
    free(v3text);
    return 0;
}
