/* Tests for gateway/notify.c: datagrams reach a path and an abstract socket, no socket is a
 * no-op, bad addresses are errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>
#include "notify.h"

/* A datagram socket bound to path ("@name": abstract); returns the fd. */
static int bind_dgram(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    memcpy(addr.sun_path, path, len);
    if (path[0] == '@')
        addr.sun_path[0] = '\0';
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
                                 (path[0] == '@' ? 0 : 1));
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, alen), 0);
    return fd;
}

static void expect_datagram(int fd, const char *want)
{
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    assert_true(n >= 0);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

static void test_path_socket(void **state)
{
    char dir[] = "/tmp/versa-notify-XXXXXX", path[128], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/notify", dir);
    int fd = bind_dgram(path);
    assert_int_equal(gw_notify_send(path, "READY=1", err, sizeof(err)), 0);
    expect_datagram(fd, "READY=1");
    setenv("NOTIFY_SOCKET", path, 1);
    assert_int_equal(gw_notify("STOPPING=1", err, sizeof(err)), 0);
    expect_datagram(fd, "STOPPING=1");
    unsetenv("NOTIFY_SOCKET");
    close(fd);
    unlink(path);
    rmdir(dir);
}

static void test_abstract_socket(void **state)
{
    char name[64], err[256];
    snprintf(name, sizeof(name), "@versa-notify-test-%ld", (long)getpid());
    int fd = bind_dgram(name);
    assert_int_equal(gw_notify_send(name, "READY=1\nSTATUS=serving", err, sizeof(err)), 0);
    expect_datagram(fd, "READY=1\nSTATUS=serving");
    close(fd);
}

static void test_no_socket_is_a_noop(void **state)
{
    char err[256];
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(gw_notify("READY=1", err, sizeof(err)), 0);
    assert_int_equal(gw_notify_send("", "READY=1", err, sizeof(err)), 0);
}

static void test_errors(void **state)
{
    char err[256], longpath[200];
    assert_int_equal(gw_notify_send("relative/path", "READY=1", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a socket path"));
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[0] = '/';
    longpath[sizeof(longpath) - 1] = '\0';
    assert_int_equal(gw_notify_send(longpath, "READY=1", err, sizeof(err)), -1);
    /* nobody listens there: the send fails and says where */
    assert_int_equal(gw_notify_send("/nonexistent/versa-notify", "READY=1", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/versa-notify"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_socket),
        cmocka_unit_test(test_abstract_socket),
        cmocka_unit_test(test_no_socket_is_a_noop),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
