/* Tests for gateway/listen_inherit.c: $SERVER_STARTER_PORT parsed as start_server writes it,
 * sockets matched to listeners by bound address (IPv4, IPv6, a host name), and every malformed
 * value refused with a message that names what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>
#include "listen_inherit.h"

/* A listening TCP socket on an ephemeral port of `ip` (v4 or v6 literal); returns the fd. */
static int listen_tcp(const char *ip, uint16_t *port)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    int family = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;
    if (family == AF_INET) {
        struct sockaddr_in *sin = (void *)&ss;
        sin->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
        len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (void *)&ss;
        sin6->sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
        len = sizeof(*sin6);
    }
    int fd = socket(family, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
    assert_int_equal(listen(fd, 8), 0);
    len = sizeof(ss);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

static int is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

static void test_unset_inherits_nothing(void **state)
{
    gw_inherit_t inh;
    char err[256];
    assert_int_equal(gw_inherit_init(&inh, NULL, err, sizeof(err)), 0);
    assert_false(inh.active);
    assert_int_equal(inh.num, 0);
    gw_inherit_dispose(&inh);
}

static void test_matches_by_bound_address(void **state)
{
    uint16_t p4, p6, pother;
    int fd4 = listen_tcp("127.0.0.1", &p4), fd6 = listen_tcp("::1", &p6),
        other = listen_tcp("127.0.0.1", &pother);
    char env[256], err[512];
    /* the names are informational: matching is by the address each socket is bound to */
    snprintf(env, sizeof(env), "127.0.0.1:%u=%d;[::1]:%u=%d;spare=%d", p4, fd4, p6, fd6, other);
    gw_inherit_t inh;
    assert_int_equal(gw_inherit_init(&inh, env, err, sizeof(err)), 0);
    assert_true(inh.active);
    assert_int_equal(inh.num, 3);
    assert_string_equal(inh.socks[2].name, "spare");
    assert_true(fcntl(fd4, F_GETFD) & FD_CLOEXEC);

    assert_int_equal(gw_inherit_take(&inh, "::1", p6, err, sizeof(err)), fd6);
    assert_int_equal(gw_inherit_take(&inh, "127.0.0.1", p4, err, sizeof(err)), fd4);
    /* taken once: a second listener on the same address gets nothing */
    assert_int_equal(gw_inherit_take(&inh, "127.0.0.1", p4, err, sizeof(err)), -1);
    /* a port nobody passed: the message says what to give start_server and what it gave */
    assert_int_equal(gw_inherit_take(&inh, "127.0.0.1", 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--port=127.0.0.1:1)"));
    assert_non_null(strstr(err, "spare"));
    assert_int_equal(gw_inherit_take(&inh, "::1", 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--port=[::1]:1)"));
    /* the taken descriptors are the caller's; the rest close with the table */
    gw_inherit_dispose(&inh);
    assert_true(is_open(fd4));
    assert_true(is_open(fd6));
    assert_false(is_open(other));
    close(fd4);
    close(fd6);
}

static void test_host_name_matches_its_address(void **state)
{
    uint16_t port;
    int fd = listen_tcp("127.0.0.1", &port);
    char env[64], err[512];
    snprintf(env, sizeof(env), "localhost:%u=%d", port, fd);
    gw_inherit_t inh;
    assert_int_equal(gw_inherit_init(&inh, env, err, sizeof(err)), 0);
    assert_int_equal(gw_inherit_take(&inh, "localhost", port, err, sizeof(err)), fd);
    gw_inherit_dispose(&inh);
    close(fd);
}

static void test_wildcard_is_not_a_specific_address(void **state)
{
    uint16_t port;
    int fd = listen_tcp("0.0.0.0", &port);
    char env[64], err[512];
    snprintf(env, sizeof(env), "%u=%d", port, fd); /* start_server --port=PORT */
    gw_inherit_t inh;
    assert_int_equal(gw_inherit_init(&inh, env, err, sizeof(err)), 0);
    assert_int_equal(gw_inherit_take(&inh, "127.0.0.1", port, err, sizeof(err)), -1);
    assert_int_equal(gw_inherit_take(&inh, "0.0.0.0", port, err, sizeof(err)), fd);
    gw_inherit_dispose(&inh);
    close(fd);
}

static void expect_refused(const char *env, const char *message)
{
    gw_inherit_t inh;
    char err[512];
    err[0] = '\0';
    assert_int_equal(gw_inherit_init(&inh, env, err, sizeof(err)), -1);
    if (strstr(err, message) == NULL)
        fail_msg("for \"%s\": expected \"%s\" in \"%s\"", env, message, err);
    assert_int_equal(inh.num, 0);
    gw_inherit_dispose(&inh); /* a zeroed table */
}

static void test_malformed_values(void **state)
{
    uint16_t port;
    int fd = listen_tcp("127.0.0.1", &port);
    char env[128];
    expect_refused("", "set but empty");
    expect_refused("8080", "expected ADDRESS=FD entries");
    expect_refused("=3", "expected ADDRESS=FD entries");
    expect_refused("8080=", "\"\" is not a file descriptor number");
    expect_refused("8080=x", "\"x\" is not a file descriptor number");
    expect_refused("8080=-1", "\"-1\" is not a file descriptor number");
    expect_refused("8080=99999999999", "is not a file descriptor number");
    expect_refused("8080=1000000", "descriptor 1000000 is not open");
    snprintf(env, sizeof(env), "a=%d;b=%d", fd, fd);
    expect_refused(env, "appears twice");
    /* a malformed entry after a good one: nothing is taken, the good socket stays open */
    snprintf(env, sizeof(env), "127.0.0.1:%u=%d;junk", port, fd);
    expect_refused(env, "got \"junk\"");
    assert_true(is_open(fd));
    close(fd);
}

static void test_descriptors_that_are_not_listeners(void **state)
{
    char env[64];
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    snprintf(env, sizeof(env), "8080=%d", fds[0]);
    expect_refused(env, "is not a socket");
    close(fds[0]);
    close(fds[1]);

    int tcp = socket(AF_INET, SOCK_STREAM, 0); /* bound nowhere, not listening */
    snprintf(env, sizeof(env), "8080=%d", tcp);
    expect_refused(env, "is not a listening stream socket");
    close(tcp);

    int udp = socket(AF_INET, SOCK_DGRAM, 0); /* start_server --port=u8080 */
    snprintf(env, sizeof(env), "u8080=%d", udp);
    expect_refused(env, "is not a listening stream socket");
    close(udp);
}

static void test_unix_socket_is_accepted_but_matches_no_tcp_listener(void **state)
{
    char dir[] = "/tmp/versa-inherit-XXXXXX", env[160], err[512];
    assert_non_null(mkdtemp(dir));
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    assert_int_equal(listen(fd, 8), 0);
    snprintf(env, sizeof(env), "%s=%d", sun.sun_path, fd); /* start_server --path=... */
    gw_inherit_t inh;
    assert_int_equal(gw_inherit_init(&inh, env, err, sizeof(err)), 0);
    assert_int_equal(gw_inherit_take(&inh, "127.0.0.1", 8080, err, sizeof(err)), -1);
    gw_inherit_dispose(&inh); /* closes it */
    assert_false(is_open(fd));
    unlink(sun.sun_path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unset_inherits_nothing),
        cmocka_unit_test(test_matches_by_bound_address),
        cmocka_unit_test(test_host_name_matches_its_address),
        cmocka_unit_test(test_wildcard_is_not_a_specific_address),
        cmocka_unit_test(test_malformed_values),
        cmocka_unit_test(test_descriptors_that_are_not_listeners),
        cmocka_unit_test(test_unix_socket_is_accepted_but_matches_no_tcp_listener),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
