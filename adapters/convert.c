/* Value conversions of `convert` steps and date parsing/formatting (RFC 3339, IMF-fixdate). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "adapters.h"
#include "convert.h"

static const char *const type_names[ADP__T_COUNT] = {
    "number",  "integer", "string",       "decimal_string", "integer_cents",
    "boolean", "enum",    "unix_seconds", "unix_millis",    "date_time",
};

const char *adp__type_name(adp__type_t t)
{
    return (unsigned)t < ADP__T_COUNT ? type_names[t] : NULL;
}

int adp__type_parse(const char *s, adp__type_t *out)
{
    for (int i = 0; i < ADP__T_COUNT; ++i)
        if (strcmp(s, type_names[i]) == 0) {
            *out = (adp__type_t)i;
            return 0;
        }
    return -1;
}

int adp__conv_for(adp__type_t from, adp__type_t to, int cents_scale, adp__conv_t *conv, int *scale)
{
    *scale = cents_scale;
#define PAIR(a, b) ((int)(a)*ADP__T_COUNT + (int)(b))
    switch (PAIR(from, to)) {
    case PAIR(ADP__T_NUMBER, ADP__T_STRING):
        *conv = ADP__C_NUM_TO_STR;
        return 0;
    case PAIR(ADP__T_INTEGER, ADP__T_STRING):
        *conv = ADP__C_INT_TO_STR;
        return 0;
    case PAIR(ADP__T_STRING, ADP__T_NUMBER):
        *conv = ADP__C_STR_TO_NUM;
        return 0;
    case PAIR(ADP__T_STRING, ADP__T_INTEGER):
        *conv = ADP__C_STR_TO_INT;
        return 0;
    case PAIR(ADP__T_DECIMAL_STRING, ADP__T_INTEGER_CENTS):
        *conv = ADP__C_DEC_TO_MINOR;
        return 0;
    case PAIR(ADP__T_INTEGER_CENTS, ADP__T_DECIMAL_STRING):
        *conv = ADP__C_MINOR_TO_DEC;
        return 0;
    case PAIR(ADP__T_NUMBER, ADP__T_INTEGER_CENTS):
        *conv = ADP__C_NUM_TO_MINOR;
        return 0;
    case PAIR(ADP__T_INTEGER_CENTS, ADP__T_NUMBER):
        *conv = ADP__C_MINOR_TO_NUM;
        return 0;
    case PAIR(ADP__T_NUMBER, ADP__T_DECIMAL_STRING):
        *conv = ADP__C_NUM_TO_DEC;
        return 0;
    case PAIR(ADP__T_DECIMAL_STRING, ADP__T_NUMBER):
        *conv = ADP__C_DEC_TO_NUM;
        return 0;
    case PAIR(ADP__T_UNIX_SECONDS, ADP__T_DATE_TIME):
    case PAIR(ADP__T_UNIX_MILLIS, ADP__T_DATE_TIME):
        *conv = ADP__C_UNIX_TO_DT;
        *scale = from == ADP__T_UNIX_MILLIS ? 3 : 0;
        return 0;
    case PAIR(ADP__T_DATE_TIME, ADP__T_UNIX_SECONDS):
    case PAIR(ADP__T_DATE_TIME, ADP__T_UNIX_MILLIS):
        *conv = ADP__C_DT_TO_UNIX;
        *scale = to == ADP__T_UNIX_MILLIS ? 3 : 0;
        return 0;
    case PAIR(ADP__T_BOOLEAN, ADP__T_ENUM):
    case PAIR(ADP__T_ENUM, ADP__T_BOOLEAN):
        *conv = ADP__C_ENUM;
        return 0;
    }
#undef PAIR
    return -1;
}

int adp__type_fits(adp__type_t t, const char *st)
{
    switch (t) {
    case ADP__T_NUMBER:
        return strcmp(st, "number") == 0 || strcmp(st, "integer") == 0;
    case ADP__T_INTEGER:
    case ADP__T_INTEGER_CENTS:
    case ADP__T_UNIX_SECONDS:
    case ADP__T_UNIX_MILLIS:
        return strcmp(st, "integer") == 0 || strcmp(st, "number") == 0;
    case ADP__T_STRING:
    case ADP__T_DECIMAL_STRING:
    case ADP__T_DATE_TIME:
    case ADP__T_ENUM:
        return strcmp(st, "string") == 0;
    case ADP__T_BOOLEAN:
        return strcmp(st, "boolean") == 0;
    default:
        return 0;
    }
}

/* ---- numbers ---- */

static const int64_t pow10_table[] = {1,      10,      100,      1000,      10000,
                                      100000, 1000000, 10000000, 100000000, 1000000000};

/* Shortest "%.Ng" that reads back as the same double. */
static body_value_t *real_to_string(const body_mem_t *mem, double d)
{
    char buf[40];
    for (int prec = 15; prec <= 17; ++prec) {
        snprintf(buf, sizeof(buf), "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    return body_string_copy(mem, buf, strlen(buf));
}

/* Decimal text of v / 10^scale with exactly `scale` decimals (1230, 2 -> "12.30"; scale 0: an
 * integer). No printf: this runs for each converted field of each adapted body. */
char *adp__minor_to_decimal_text(int64_t v, int scale, char buf[ADP__DECIMAL_MAX],
                                 size_t *len)
{
    char *q = buf + ADP__DECIMAL_MAX;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = 0;
    do {
        if (n == scale && scale != 0)
            *--q = '.';
        *--q = (char)('0' + mag % 10);
        mag /= 10;
        ++n;
    } while (mag != 0 || n <= scale);
    if (v < 0)
        *--q = '-';
    *len = (size_t)(buf + ADP__DECIMAL_MAX - q);
    return q;
}

static body_value_t *minor_to_decimal(const body_mem_t *mem, int64_t v, int scale)
{
    char buf[ADP__DECIMAL_MAX];
    size_t len;
    const char *q = adp__minor_to_decimal_text(v, scale, buf, &len);
    body_value_t *s = body_string_copy(mem, q, len);
    s->flags |= BODY_VERBATIM; /* digits, '-' and '.' need no escaping */
    return s;
}

static body_value_t *int_to_string(const body_mem_t *mem, int64_t i)
{
    return minor_to_decimal(mem, i, 0);
}

/* A string value as a NUL-terminated copy in `buf` (for strtoll/strtod); -1 when longer. */
static int string_cstr(const body_value_t *v, char *buf, size_t size)
{
    if (v->type != BODY_STRING || v->len >= size)
        return -1;
    memcpy(buf, v->u.str, v->len);
    buf[v->len] = '\0';
    return 0;
}

/* Checks JSON number syntax (RFC 8259 §6) over the whole string; *integral is set when there
 * is no fraction or exponent. */
static int json_number_syntax(const char *s, size_t len, int *integral)
{
    size_t i = 0;
    *integral = 1;
    if (i < len && s[i] == '-')
        ++i;
    if (i >= len || s[i] < '0' || s[i] > '9')
        return 0;
    if (s[i] == '0')
        ++i;
    else
        while (i < len && s[i] >= '0' && s[i] <= '9')
            ++i;
    if (i < len && s[i] == '.') {
        *integral = 0;
        if (++i >= len || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            ++i;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        *integral = 0;
        ++i;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (i >= len || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            ++i;
    }
    return i == len;
}

static int parse_int64(const char *s, int64_t *out)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static body_value_t *string_to_number(const body_mem_t *mem, const body_value_t *v,
                                      int integer_only)
{
    char s[65];
    int integral;
    if (string_cstr(v, s, sizeof(s)) != 0 || !json_number_syntax(s, v->len, &integral) ||
        (integer_only && !integral))
        return NULL;
    int64_t i;
    if (integral && parse_int64(s, &i) == 0)
        return body_integer(mem, i);
    if (integer_only)
        return NULL;
    return body_real(mem, strtod(s, NULL)); /* NULL when not finite */
}

/* A decimal string ("-12.30", no exponent, no '+') as an integer count of 10^-scale units. */
static int decimal_to_minor(const char *s, size_t len, int scale, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && s[i] == '-') {
        neg = 1;
        ++i;
    }
    if (i >= len || s[i] < '0' || s[i] > '9')
        return -1;
    if (s[i] == '0' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9')
        return -1; /* leading zeros */
    int64_t v = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; ++i) {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    int frac = 0;
    if (i < len && s[i] == '.') {
        ++i;
        if (i >= len)
            return -1;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; ++i) {
            if (frac < scale) {
                if (v > (INT64_MAX - 9) / 10)
                    return -1;
                v = v * 10 + (s[i] - '0');
                ++frac;
            } else if (s[i] != '0') {
                return -1; /* more precision than the minor unit holds */
            }
        }
    }
    if (i != len)
        return -1;
    for (; frac < scale; ++frac) {
        if (v > INT64_MAX / 10)
            return -1;
        v *= 10;
    }
    *out = neg ? -v : v;
    return 0;
}

static int number_to_minor(const body_value_t *v, int scale, int64_t *out)
{
    int64_t i;
    double d;
    if (body_is_integer(v)) {
        if (body_int_value(v, &i) != 0 || i > INT64_MAX / pow10_table[scale] ||
            i < INT64_MIN / pow10_table[scale])
            return -1;
        *out = i * pow10_table[scale];
        return 0;
    }
    if (body_real_value(v, &d) != 0)
        return -1;
    double x = d * (double)pow10_table[scale];
    double r = nearbyint(x);
    if (!isfinite(r) || fabs(r) > 9007199254740992.0 || fabs(x - r) > 1e-9 * (fabs(r) + 1))
        return -1;
    *out = (int64_t)r;
    return 0;
}

/* ---- dates ---- */

int64_t adp__days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, size_t len, size_t at, size_t n, unsigned *out)
{
    if (at + n > len)
        return -1;
    unsigned v = 0;
    for (size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* RFC 3339 §5.6: full-date "T" partial-time time-offset ('t', 'z' and ' ' accepted too). */
int adp__parse_datetime(const char *s, size_t len, int date_ok, int64_t *secs, int *millis)
{
    unsigned y, mo, d, h = 0, mi = 0, sec = 0;
    int ms = 0;
    if (digits(s, len, 0, 4, &y) || len < 10 || s[4] != '-' || digits(s, len, 5, 2, &mo) ||
        s[7] != '-' || digits(s, len, 8, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    int64_t offset = 0;
    if (len == 10) {
        if (!date_ok)
            return -1;
    } else {
        if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s, len, 11, 2, &h) ||
            len < 19 || s[13] != ':' || digits(s, len, 14, 2, &mi) || s[16] != ':' ||
            digits(s, len, 17, 2, &sec))
            return -1;
        if (h > 23 || mi > 59 || sec > 60)
            return -1;
        if (sec == 60) /* leap second: fold into the next (unix time has none) */
            sec = 59;
        size_t i = 19;
        if (i < len && s[i] == '.') {
            size_t start = ++i;
            int scale = 100;
            while (i < len && s[i] >= '0' && s[i] <= '9') {
                ms += (s[i] - '0') * scale;
                scale /= 10;
                ++i;
            }
            if (i == start)
                return -1;
        }
        if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
            ++i;
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
            unsigned oh, om;
            if (digits(s, len, i + 1, 2, &oh) || i + 3 >= len || s[i + 3] != ':' ||
                digits(s, len, i + 4, 2, &om) || oh > 23 || om > 59)
                return -1;
            offset = (int64_t)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
            i += 6;
        } else {
            return -1;
        }
        if (i != len)
            return -1;
    }
    *secs = adp__days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    if (millis != NULL)
        *millis = ms;
    return 0;
}

int adp_parse_date(const char *s, size_t len, int64_t *out)
{
    return adp__parse_datetime(s, len, 1, out, NULL);
}

char *adp_format_http_date(int64_t t, char *buf, size_t size)
{
    static const char *const wday[7] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t rem = t - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int w = (int)(((days % 7) + 7) % 7); /* 1970-01-01 was a Thursday */
    snprintf(buf, size, "%s, %02u %s %04" PRId64 " %02d:%02d:%02d GMT", wday[w], d, mon[m - 1], y,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    return buf;
}

static body_value_t *unix_to_datetime(const body_mem_t *mem, const body_value_t *v, int scale)
{
    int64_t t, ms = 0;
    if (body_int_value(v, &t) != 0)
        return NULL;
    if (scale == 3) {
        ms = ((t % 1000) + 1000) % 1000;
        t = (t - ms) / 1000;
    }
    /* years 0000..9999 only: RFC 3339 has four-digit years */
    if (t < -62167219200LL || t > 253402300799LL)
        return NULL;
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t rem = t - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char buf[40];
    int n = snprintf(buf, sizeof(buf), "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d", y, m, d,
                     (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    if (ms != 0)
        snprintf(buf + n, sizeof(buf) - (size_t)n, ".%03d", (int)ms);
    strcat(buf, "Z");
    return body_string_copy(mem, buf, strlen(buf));
}

static body_value_t *datetime_to_unix(const body_mem_t *mem, const body_value_t *v, int scale)
{
    int64_t secs;
    int ms;
    if (v->type != BODY_STRING || adp__parse_datetime(v->u.str, v->len, 0, &secs, &ms) != 0)
        return NULL;
    return body_integer(mem, scale == 3 ? secs * 1000 + ms : secs);
}

/* A number (integer or not) as the shortest text that reads back as its value. Integers
 * beyond int64 keep their digits. */
static body_value_t *number_to_string(const body_mem_t *mem, const body_value_t *v)
{
    int64_t i;
    double d;
    if (body_is_integer(v))
        return body_int_value(v, &i) == 0 ? int_to_string(mem, i)
                                          : body_string(mem, v->u.str, v->len);
    return body_real_value(v, &d) == 0 ? real_to_string(mem, d) : NULL;
}

/* "12.30" -> 12.3; no exponent */
static body_value_t *decimal_to_number(const body_mem_t *mem, const body_value_t *v)
{
    char s[65];
    int integral;
    if (string_cstr(v, s, sizeof(s)) != 0 || !json_number_syntax(s, v->len, &integral) ||
        strpbrk(s, "eE") != NULL)
        return NULL;
    return body_real(mem, strtod(s, NULL));
}

body_value_t *adp__convert(const body_mem_t *mem, adp__conv_t conv, int scale,
                           const body_value_t *v)
{
    int64_t minor, i;
    switch (conv) {
    case ADP__C_NUM_TO_STR:
        return v->type == BODY_NUMBER ? number_to_string(mem, v) : NULL;
    case ADP__C_INT_TO_STR:
        return body_is_integer(v) ? number_to_string(mem, v) : NULL;
    case ADP__C_STR_TO_NUM:
    case ADP__C_STR_TO_INT:
        return string_to_number(mem, v, conv == ADP__C_STR_TO_INT);
    case ADP__C_DEC_TO_MINOR:
        if (v->type != BODY_STRING || decimal_to_minor(v->u.str, v->len, scale, &minor) != 0)
            return NULL;
        return body_integer(mem, minor);
    case ADP__C_MINOR_TO_DEC:
        return body_int_value(v, &i) == 0 ? minor_to_decimal(mem, i, scale) : NULL;
    case ADP__C_NUM_TO_MINOR:
        return number_to_minor(v, scale, &minor) == 0 ? body_integer(mem, minor) : NULL;
    case ADP__C_MINOR_TO_NUM:
        return body_int_value(v, &i) == 0 ? body_real(mem, (double)i / (double)pow10_table[scale])
                                          : NULL;
    case ADP__C_NUM_TO_DEC:
        return number_to_minor(v, scale, &minor) == 0 ? minor_to_decimal(mem, minor, scale) : NULL;
    case ADP__C_DEC_TO_NUM:
        return decimal_to_number(mem, v);
    case ADP__C_UNIX_TO_DT:
        return unix_to_datetime(mem, v, scale);
    case ADP__C_DT_TO_UNIX:
        return datetime_to_unix(mem, v, scale);
    case ADP__C_ENUM:
        return NULL;
    }
    return NULL;
}
