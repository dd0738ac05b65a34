/* Tests for gateway/reload_watch.c: a change to a watched file (written in place, or renamed over
 * it) becomes due once quiet; other files in the same directory are ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <cmocka.h>
#include "reload_watch.h"

static char dir[] = "/tmp/versa-watch-XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Reads the events; then waits (poll, the debounce's own timeout) until the change is due. */
static int due_after_events(gw_reload_watch_t *w)
{
    struct pollfd p = {gw_reload_watch_fd(w), POLLIN, 0};
    if (poll(&p, 1, 5000) != 1)
        return -1;
    if (gw_reload_watch_due(w, 1))
        return 1; /* never: the quiet time has not passed */
    int timeout = gw_reload_watch_timeout(w);
    if (timeout < 0)
        return 0; /* nothing pending: the events were about other files */
    assert_true(timeout <= GW_RELOAD_WATCH_QUIET_MS + 1);
    for (int i = 0; i < 100; ++i) {
        p.revents = 0;
        poll(&p, 1, gw_reload_watch_timeout(w));
        if (gw_reload_watch_due(w, p.revents & POLLIN))
            return 2;
    }
    return -2;
}

static void test_changes(void **state)
{
    assert_non_null(mkdtemp(dir));
    char cfgpath[256];
    snprintf(cfgpath, sizeof(cfgpath), "%s/versa.yaml", dir);
    write_file("versa.yaml", "a\n");
    gw_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.file = cfgpath;
    gw_reload_watch_t *w = gw_reload_watch_create();
    gw_reload_watch_set(w, cfgpath, &cfg);
    assert_int_equal(gw_reload_watch_timeout(w), -1);

    write_file("other.yaml", "x\n"); /* not named by the configuration */
    assert_int_equal(due_after_events(w), 0);

    write_file("versa.yaml", "b\n"); /* written in place */
    assert_int_equal(due_after_events(w), 2);
    assert_int_equal(gw_reload_watch_timeout(w), -1); /* reported once */

    write_file("versa.yaml.new", "c\n"); /* a new file renamed over the old one */
    char tmp[300];
    snprintf(tmp, sizeof(tmp), "%s.new", cfgpath);
    /* the write of the .new file may be reported first: drain it */
    due_after_events(w);
    assert_int_equal(rename(tmp, cfgpath), 0);
    assert_int_equal(due_after_events(w), 2);

    gw_reload_watch_destroy(w);
    unlink(cfgpath);
    snprintf(tmp, sizeof(tmp), "%s/other.yaml", dir);
    unlink(tmp);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
