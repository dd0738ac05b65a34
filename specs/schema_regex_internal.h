/* Internal to the ECMA-262 regex engine: the program schema_regex.c compiles a pattern into and
 * schema_regex_match.c runs (a backtracking VM over code points with a step budget). */
#ifndef SPEC_SCHEMA_REGEX_INTERNAL_H
#define SPEC_SCHEMA_REGEX_INTERNAL_H

#include "schema_regex.h"

#define REGEX_MAX_PROGRAM 65536 /* instructions, counted repetitions expanded */
#define REGEX_MAX_GROUPS 255
#define REGEX_NONE ((size_t)-1)

typedef enum {
    R_CHAR,    /* x: code point */
    R_ANY,     /* `.`: anything but a line terminator */
    R_CLASS,   /* x: class index */
    R_SPLIT,   /* try x, then y */
    R_JMP,     /* x */
    R_SAVE,    /* capture slot x = position */
    R_MATCH,   /* end of the (sub)program */
    R_BOL,     /* ^ (no multiline flag in JSON Schema: start of input) */
    R_EOL,     /* $ */
    R_WORDB,   /* \b */
    R_NWORDB,  /* \B */
    R_LOOK,    /* flag 1: negative, 2: behind; sub-program at x, continue at y */
    R_BACKREF, /* x: group number */
    R_REP,     /* the one-character matcher at pc+1 repeated min..max times (flag: greedy) */
    R_MARK,    /* register x = position (start of a loop iteration) */
    R_CHECK,   /* fail when position == register x (an empty iteration, ECMA-262 RepeatMatcher) */
} spec__regex_op_t;

typedef struct {
    uint8_t op, flag;
    uint32_t x, y, min, max; /* max UINT32_MAX: unbounded */
} spec__regex_inst_t;

typedef struct {
    uint32_t (*ranges)[2]; /* sorted, disjoint */
    size_t count;
    int negated;
} spec__regex_class_t;

struct st_spec__regex_t {
    spec__regex_inst_t *prog;
    size_t len;
    spec__regex_class_t *classes;
    size_t nclasses;
    unsigned ngroups; /* capture groups, group 0 excluded */
    unsigned nregs;
    int anchored; /* starts with ^ outside any alternative: one start position */
};

/* Decodes the UTF-8 code point at s[i] (valid UTF-8 assumed; a stray byte reads as itself) and
 * stores its byte length in *n. */
uint32_t spec__regex_decode(const char *s, size_t len, size_t i, size_t *n);
/* Whether class `c` matches code point `cp`. */
int spec__regex_class_has(const spec__regex_class_t *c, uint32_t cp);

#endif
