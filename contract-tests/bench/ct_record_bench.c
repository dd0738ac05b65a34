/* Recording benchmark (not a test): writes N exchanges shaped like gateway traffic through
 * ct_recorder into a capture file and prints the rate, for bench/replay.sh.
 *     ct_record_bench FILE [N] [HOST:PORT]
 * A record the queue refuses is counted, then retried after a flush, so that the file ends up with
 * exactly N exchanges (a gateway would drop it instead). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ct_recorder.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [N] [HOST:PORT]\n", argv[0]);
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 100000;
    const char *host = argc > 3 ? argv[3] : "gateway.example:8080";
    ct_recorder_config_t cfg;
    ct_recorder_config_init(&cfg);
    cfg.path = argv[1];
    cfg.max_bytes = 0;
    ct_error_t err;
    ct_recorder_t *rec = ct_recorder_create(&cfg, &err);
    if (rec == NULL) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    static const char body[] =
        "{\"items\":[{\"id\":1,\"name\":\"pet-1\",\"status\":\"available\"}]}";
    uint64_t refused = 0;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        char path[64], op[32], query[32];
        int plen = snprintf(path, sizeof(path), "/pets/%ld", i % 1000);
        int olen = snprintf(op, sizeof(op), i % 2 ? "getPet" : "getPetDetails");
        int qlen = snprintf(query, sizeof(query), "page=%ld", i % 7);
        ct_header_t req_headers[] = {
            {"host", 4, host, strlen(host)},
            {"accept", 6, "application/json", 16},
            {"user-agent", 10, "bench/1.0", 9},
            {"authorization", 13, "Bearer secret", 13},
        };
        ct_header_t res_headers[] = {
            {"content-type", 12, "application/json", 16},
            {"api-version", 11, "v1", 2},
        };
        ct_exchange_t x = {
            .api = {"pets", 4},
            .version = {"v1", 2},
            .operation = {op, (size_t)olen},
            .request = {.method = {"GET", 3},
                        .path = {path, (size_t)plen},
                        .query = {query, (size_t)qlen},
                        .upstream_path = {path, (size_t)plen},
                        .headers = req_headers,
                        .num_headers = 4},
            .response = {.status = 200,
                         .headers = res_headers,
                         .num_headers = 2,
                         .body = {.bytes = body, .len = sizeof(body) - 1}},
        };
        while (ct_recorder_record(rec, &x) != 0) {
            refused++;
            ct_recorder_flush(rec, NULL);
        }
    }
    if (ct_recorder_flush(rec, &err) != 0)
        fprintf(stderr, "%s\n", err.message);
    double dt = now_s() - t0;
    ct_recorder_stats_t st;
    ct_recorder_stats(rec, &st);
    ct_recorder_destroy(rec);
    printf("recorded %llu exchanges (%llu bytes) in %.3f s: %.0f exchanges/s; queue full %llu "
           "times\n",
           (unsigned long long)st.written, (unsigned long long)st.bytes_written, dt,
           (double)st.written / dt, (unsigned long long)refused);
    return st.written == (uint64_t)n ? 0 : 1;
}
