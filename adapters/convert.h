/* Value conversions of `convert` steps (number <-> string, decimal string <-> integer minor
 * units, unix time <-> RFC 3339) and the date arithmetic they and deprecation dates share. */
#ifndef ADP_CONVERT_H
#define ADP_CONVERT_H

#include <stdint.h>
#include "body.h"

/* The types a `convert` step names. */
typedef enum adp__type {
    ADP__T_NUMBER,
    ADP__T_INTEGER,
    ADP__T_STRING,
    ADP__T_DECIMAL_STRING,
    ADP__T_INTEGER_CENTS,
    ADP__T_BOOLEAN,
    ADP__T_ENUM,
    ADP__T_UNIX_SECONDS,
    ADP__T_UNIX_MILLIS,
    ADP__T_DATE_TIME,
    ADP__T_COUNT
} adp__type_t;

typedef enum adp__conv {
    ADP__C_NUM_TO_STR,   /* number (integer or real) -> shortest round-trip decimal text */
    ADP__C_INT_TO_STR,   /* integer -> text */
    ADP__C_STR_TO_NUM,   /* JSON number syntax -> integer when integral and in range, else real */
    ADP__C_STR_TO_INT,   /* JSON integer syntax in int64 range */
    ADP__C_DEC_TO_MINOR, /* "12.30" -> 1230 (scale 2); more decimals than scale must be zeros */
    ADP__C_MINOR_TO_DEC, /* 1230 -> "12.30" */
    ADP__C_NUM_TO_MINOR, /* 12.3 -> 1230 when exact to 1e-9 of a minor unit */
    ADP__C_MINOR_TO_NUM, /* 1230 -> 12.3 (a real) */
    ADP__C_NUM_TO_DEC,   /* 12.3 -> "12.30" */
    ADP__C_DEC_TO_NUM,   /* "12.30" -> 12.3 */
    ADP__C_UNIX_TO_DT,   /* 1700000000 -> "2023-11-14T22:13:20Z" (scale 3: milliseconds) */
    ADP__C_DT_TO_UNIX,   /* RFC 3339 -> unix seconds (scale 3: milliseconds), sub-units floored */
    ADP__C_ENUM,         /* boolean <-> enum: a table lookup (see the step's map) */
} adp__conv_t;

/* "number", "decimal_string", ... for messages; NULL out of range. */
const char *adp__type_name(adp__type_t t);
int adp__type_parse(const char *s, adp__type_t *out);
/* The conversion from `from` to `to`, and its scale (decimal places of the minor unit, or 0/3
 * for unix seconds/milliseconds; `cents_scale` is the step's `scale`). -1 when unsupported. */
int adp__conv_for(adp__type_t from, adp__type_t to, int cents_scale, adp__conv_t *conv, int *scale);
/* JSON Schema `type` values a field holding `t` may declare ("integer" also satisfies
 * "number"). Returns 1 when `schema_type` fits. */
int adp__type_fits(adp__type_t t, const char *schema_type);

/* Converts `v` (not null) into a new value allocated from `mem`. Returns NULL when `v` has the
 * wrong type or cannot be converted exactly. */
body_value_t *adp__convert(const body_mem_t *mem, adp__conv_t conv, int scale,
                           const body_value_t *v);

/* The text of minor units `v` as a decimal with `scale` places (1250, 2 -> "12.50"), written at
 * the end of `buf`: returns its start and length. For the streaming pass, which writes it into
 * its output without making a value. */
#define ADP__DECIMAL_MAX 48
char *adp__minor_to_decimal_text(int64_t v, int scale, char buf[ADP__DECIMAL_MAX],
                                 size_t *len);

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
int64_t adp__days_from_civil(int64_t y, unsigned m, unsigned d);
/* Parses an RFC 3339 date-time (or a full-date when `date_ok`). Returns 0 with seconds since the
 * epoch and milliseconds (0..999), or -1. */
int adp__parse_datetime(const char *s, size_t len, int date_ok, int64_t *secs, int *millis);

#endif
