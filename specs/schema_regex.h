/* ECMA-262 regular expressions for JSON Schema `pattern` and `patternProperties` (JSON Schema
 * 2020-12 §6.3.3 and §4.3: "regular expressions ... SHOULD be valid according to ECMA-262"),
 * with the `u` flag's meaning: patterns run on code points, \p{...} is a General_Category. Internal
 * to specs/ (the schema engine and the lint). */
#ifndef SPEC_SCHEMA_REGEX_H
#define SPEC_SCHEMA_REGEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct st_spec__regex_t spec__regex_t;

/* Why a pattern was refused: `message` says what, `offset` is the byte of the pattern where. */
typedef struct st_spec__regex_error_t {
    char message[160];
    size_t offset;
    int unsupported; /* 1: valid ECMA-262 that this engine cannot enforce exactly (the lint says
                        so), 0: not a valid ECMA-262 regular expression */
} spec__regex_error_t;

/* Compiles `pattern` (UTF-8, `len` bytes). Returns a new regex to destroy, or NULL with `err`
 * filled (may be NULL). Patterns are limited in size (MAX program of 65,536 instructions, counted
 * repetitions included), so compiling is bounded too. */
spec__regex_t *spec__regex_compile(const char *pattern, size_t len, spec__regex_error_t *err);
/* Accepts NULL. */
void spec__regex_destroy(spec__regex_t *re);

/* Whether `re` matches anywhere in `s` (UTF-8, `len` bytes; JSON Schema patterns are not
 * anchored). Returns 1 match, 0 no match, -1 when `max_steps` backtracking steps ran out (a
 * hostile string against a pattern that backtracks: the caller treats it as "not checked").
 * Thread-safe: `re` is read-only; allocates only when the backtracking stack outgrows 256
 * entries. */
int spec__regex_search(const spec__regex_t *re, const char *s, size_t len, size_t max_steps);

/* The step budget the schema engine gives one search of a `len`-byte string. */
size_t spec__regex_budget(size_t len);

/* Unicode General_Category tables (schema_unicode.c, generated). */
typedef struct st_spec__unicode_category_t {
    const char *name; /* two letters: "Lu" */
    const uint32_t (*ranges)[2];
    size_t count;
} spec__unicode_category_t;
extern const spec__unicode_category_t spec__unicode_categories[];

#endif
