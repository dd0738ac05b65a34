/* Tests of ct_replay.c that need no upstream: filters, configuration checks, and runs that must
 * fail before sending anything (unreachable upstream, unreadable capture). The engine's replays
 * are covered end to end by tests/integration/test_replay.py. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ct_replay.h"

static void filters(void **state)
{
    ct_replay_filter_t f;
    ct_error_t err;
    assert_int_equal(ct_replay_filter_parse("operation=listPets", &f, &err), 0);
    assert_int_equal(f.kind, CT_REPLAY_FILTER_OPERATION);
    assert_string_equal(f.value, "listPets");
    assert_int_equal(ct_replay_filter_parse("method=get", &f, &err), 0);
    assert_int_equal(f.kind, CT_REPLAY_FILTER_METHOD);
    assert_int_equal(ct_replay_filter_parse("path=/pets", &f, &err), 0);
    assert_int_equal(f.kind, CT_REPLAY_FILTER_PATH);
    static const char *bad[] = {"operation=", "path=pets", "size=3", "listPets", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ct_replay_filter_parse(bad[i], &f, &err) != -1)
            fail_msg("accepted filter \"%s\"", bad[i]);
        assert_non_null(strstr(err.message, "bad filter"));
    }
}

static void bad_configurations(void **state)
{
    ct_replay_config_t cfg;
    ct_error_t err;
    ct_replay_config_init(&cfg);
    assert_null(ct_replay_create(&cfg, &err)); /* nothing to call */
    cfg.candidate_url = "http://127.0.0.1:1";
    assert_null(ct_replay_create(&cfg, &err)); /* no primary */
    assert_non_null(strstr(err.message, "primary"));
    cfg.against_recorded = 1;
    cfg.secondary_url = "http://127.0.0.1:2";
    assert_null(ct_replay_create(&cfg, &err));
    cfg.secondary_url = NULL;
    cfg.concurrency = 0;
    assert_null(ct_replay_create(&cfg, &err));
    cfg.concurrency = 1025;
    assert_null(ct_replay_create(&cfg, &err));
    cfg.concurrency = 8;
    cfg.rate = -1;
    assert_null(ct_replay_create(&cfg, &err));
    cfg.rate = 0;
    cfg.candidate_url = "https://127.0.0.1:1";
    assert_null(ct_replay_create(&cfg, &err));
    assert_non_null(strstr(err.message, "https"));
    cfg.candidate_url = "http://no-such-host.invalid:1";
    assert_null(ct_replay_create(&cfg, &err));
    assert_non_null(strstr(err.message, "cannot resolve"));
    cfg.candidate_url = "http://127.0.0.1:1";
    cfg.report.max_groups = 0;
    assert_null(ct_replay_create(&cfg, &err));
    cfg.report.max_groups = 10;
    ct_replay_filter_t f = {CT_REPLAY_FILTER_METHOD, "GET"};
    cfg.filters = &f;
    cfg.num_filters = 1;
    cfg.api = "pets";
    ct_replay_t *r = ct_replay_create(&cfg, &err);
    assert_non_null(r);
    ct_replay_destroy(r); /* never run */
    ct_replay_destroy(NULL);
}

static void fails_before_sending(void **state)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0); /* bound, not listening: refuses */
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&sin, sizeof(sin));
    socklen_t len = sizeof(sin);
    getsockname(fd, (struct sockaddr *)&sin, &len);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", ntohs(sin.sin_port));
    ct_replay_config_t cfg;
    ct_replay_config_init(&cfg);
    cfg.primary_url = url;
    cfg.candidate_url = url;
    ct_error_t err;
    ct_replay_t *r = ct_replay_create(&cfg, &err);
    assert_non_null(r);
    const char *captures[] = {"/nonexistent.jsonl"};
    int started = 1;
    assert_int_equal(ct_replay_run(r, captures, 1, &started, &err), CT_REPLAY_FAILED);
    assert_false(started);
    assert_non_null(strstr(err.message, "primary upstream unreachable"));
    assert_non_null(strstr(err.message, "Connection refused"));
    ct_replay_destroy(r);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filters),
        cmocka_unit_test(bad_configurations),
        cmocka_unit_test(fails_before_sending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
