/* Tests of tr_context.c: traceparent parsing against a table of hostile values, writing, and
 * tracestate checks and truncation (W3C Trace Context). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "tr_context.h"

#define GOOD "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

static int parse(const char *s, tr_context_t *c)
{
    return tr_traceparent_parse(s, strlen(s), c);
}

static void valid_values(void **state)
{
    tr_context_t c;
    assert_int_equal(parse(GOOD, &c), 0);
    assert_int_equal(c.trace_id[0], 0x4b);
    assert_int_equal(c.trace_id[15], 0x36);
    assert_int_equal(c.span_id[0], 0x00);
    assert_int_equal(c.span_id[7], 0xb7);
    assert_int_equal(c.flags, 1);
    assert_int_equal(parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", &c), 0);
    assert_int_equal(c.flags, 0);
    /* unknown flags are read (and not propagated: see format) */
    assert_int_equal(parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09", &c), 0);
    assert_int_equal(c.flags, 9);
    /* §3.2.4: a later version is read as far as version 00 goes, with or without more fields */
    assert_int_equal(parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &c), 0);
    assert_int_equal(parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds", &c), 0);
    assert_int_equal(c.flags, 1);
}

static void invalid_values(void **state)
{
    static const char *const bad[] = {
        "",
        "00",
        "garbage",
        /* version ff, bad version characters */
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        /* all-zero ids */
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        /* uppercase hex (HEXDIGLC) */
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
        "A0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        /* lengths */
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b77-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        /* separators and other characters */
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-.1",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
        "00-4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7-01",
        /* a later version must still be 55 characters at least, with a '-' after them */
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00000000000000000-01",
    };
    tr_context_t c;
    for (size_t i = 0; i != sizeof(bad) / sizeof(bad[0]); ++i)
        if (parse(bad[i], &c) != -1)
            fail_msg("accepted '%s'", bad[i]);
    /* an embedded NUL is not the end of the value */
    char nul[] = GOOD;
    nul[40] = '\0';
    assert_int_equal(tr_traceparent_parse(nul, sizeof(nul) - 1, &c), -1);
    /* every single-byte change outside the flags and the hex digits' values is refused:
     * replace each position with each character that cannot stand there */
    char buf[] = GOOD;
    for (size_t pos = 0; pos != TR_TRACEPARENT_LEN; ++pos) {
        int is_dash = pos == 2 || pos == 35 || pos == 52;
        for (int ch = 0; ch != 256; ++ch) {
            int ok = is_dash ? ch == '-' : (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
            if (ok)
                continue;
            buf[pos] = (char)ch;
            if (tr_traceparent_parse(buf, TR_TRACEPARENT_LEN, &c) != -1)
                fail_msg("accepted byte 0x%02x at %zu", ch, pos);
            buf[pos] = GOOD[pos];
        }
    }
}

static void format_round_trip(void **state)
{
    tr_context_t c;
    assert_int_equal(parse(GOOD, &c), 0);
    char out[TR_TRACEPARENT_LEN + 1] = {0};
    tr_traceparent_format(c.trace_id, c.span_id, c.flags, out);
    assert_string_equal(out, GOOD);
    tr_traceparent_format(c.trace_id, c.span_id, 0xfe, out); /* only the sampled bit goes out */
    assert_string_equal(out, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    assert_true(tr_id_is_zero((const uint8_t *)"\0\0\0", 3));
    assert_false(tr_id_is_zero(c.span_id, 8));
}

static size_t state_of(const char *in, char *out)
{
    size_t n = tr_tracestate_sanitise(in, strlen(in), out, TR_TRACESTATE_MAX);
    out[n] = '\0';
    return n;
}

static void tracestate(void **state)
{
    char out[TR_TRACESTATE_MAX + 1];
    state_of("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", out);
    assert_string_equal(out, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    /* OWS and empty members (§3.3.1.2), multi-tenant keys, spaces inside values */
    state_of("  rojo=1 ,, \t,fw529a3039@dt=x y,t0@s=v  ", out);
    assert_string_equal(out, "rojo=1,fw529a3039@dt=x y,t0@s=v");
    assert_int_equal(state_of("", out), 0);
    assert_int_equal(state_of(" , ", out), 0);
    static const char *const bad[] = {
        "Rojo=1",         /* uppercase key */
        "1rojo=1",        /* a simple key starts with a letter */
        "rojo",           /* no '=' */
        "rojo=",          /* empty value */
        "rojo=a=b",       /* '=' in the value */
        "rojo=1 ",        /* value ending in a space: trimmed as OWS, so this one is valid */
        "rojo=\x01",      /* control character */
        "rojo=1,rojo=2",  /* repeated key */
        "ro jo=1",        /* space in the key */
        "@s=1",           /* empty tenant */
        "t@=1",           /* empty system */
        "t@S=1",          /* system starts with lcalpha */
        "t@systemtoolong01=1", /* system-id over 14 characters */
        "rojo=\x80",      /* not ASCII */
    };
    for (size_t i = 0; i != sizeof(bad) / sizeof(bad[0]); ++i) {
        size_t n = state_of(bad[i], out);
        if (i == 5) {
            assert_string_equal(out, "rojo=1");
            continue;
        }
        if (n != 0)
            fail_msg("kept '%s' as '%s'", bad[i], out);
    }
    /* 32 members are fine, 33 drop the whole value */
    char many[33 * 8 + 1] = "";
    for (int i = 0; i != 32; ++i)
        sprintf(many + strlen(many), "%sk%02d=v", i ? "," : "", i);
    assert_int_not_equal(state_of(many, out), 0);
    strcat(many, ",k32=v");
    assert_int_equal(state_of(many, out), 0);
    /* a key of 256 characters is valid, 257 is not */
    char key[300];
    memset(key, 'k', 256);
    strcpy(key + 256, "=v");
    assert_int_not_equal(tr_tracestate_sanitise(key, strlen(key), out, sizeof(out) - 1), 0);
    memset(key, 'k', 257);
    strcpy(key + 257, "=v");
    assert_int_equal(tr_tracestate_sanitise(key, strlen(key), out, sizeof(out) - 1), 0);
}

static void tracestate_truncation(void **state)
{
    char out[TR_TRACESTATE_MAX + 1], in[2048], big[200];
    /* members over 128 characters go first, whatever their place */
    memset(big, 'x', 150);
    big[150] = '\0';
    snprintf(in, sizeof(in), "a=1,big=%s,b=2", big);
    size_t n = tr_tracestate_sanitise(in, strlen(in), out, 20);
    out[n] = '\0';
    assert_string_equal(out, "a=1,b=2");
    /* then members from the end */
    in[0] = '\0';
    for (int i = 0; i != 30; ++i)
        sprintf(in + strlen(in), "%sk%02d=%s", i ? "," : "", i, "0123456789012345678901234567890");
    n = tr_tracestate_sanitise(in, strlen(in), out, TR_TRACESTATE_MAX);
    out[n] = '\0';
    assert_true(n <= TR_TRACESTATE_MAX);
    assert_int_equal(strncmp(out, "k00=", 4), 0);
    assert_non_null(strstr(out, "k13="));
    assert_null(strstr(out, "k14="));
    /* a cap over the bound is the bound */
    assert_true(tr_tracestate_sanitise(in, strlen(in), out, 100000) <= TR_TRACESTATE_MAX);
    /* one member larger than the cap: nothing is left */
    assert_int_equal(tr_tracestate_sanitise(in, 35, out, 10), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_values),      cmocka_unit_test(invalid_values),
        cmocka_unit_test(format_round_trip), cmocka_unit_test(tracestate),
        cmocka_unit_test(tracestate_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
