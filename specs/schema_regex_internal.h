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

/* The pattern as a tree (schema_regex.c parses it, schema_regex_compile.c emits it). */
enum {
    N_CHAR,
    N_ANY,
    N_CLASS,
    N_CAT,
    N_ALT,
    N_GROUP,
    N_BOL,
    N_EOL,
    N_WORDB,
    N_NWORDB,
    N_LOOK,
    N_BACKREF,
    N_REPEAT
};

typedef struct st_spec__regex_node_t {
    uint8_t t, flag, greedy;
    uint32_t cp, min, max;
    int idx; /* class index, group number, backref number */
    struct st_spec__regex_node_t *first,
        *next; /* children (CAT, ALT, GROUP, LOOK, REPEAT), siblings */
} spec__regex_node_t;

typedef struct {
    spec__regex_inst_t *prog;
    size_t len, cap;
    unsigned nregs;
    int overflow; /* the program outgrew REGEX_MAX_PROGRAM */
} spec__regex_emit_t;

/* Appends one instruction; returns its position. */
size_t spec__regex_emit(spec__regex_emit_t *e, int op, uint32_t x, uint32_t y);
/* Appends the program of `n`. */
void spec__regex_emit_node(spec__regex_emit_t *e, const spec__regex_node_t *n);

/* A set of code points as ranges (schema_regex_class.c); normalized: sorted and disjoint. */
typedef struct {
    uint32_t (*r)[2];
    size_t n, cap;
} spec__regex_set_t;
void spec__regex_set_add(spec__regex_set_t *s, uint32_t lo, uint32_t hi);
void spec__regex_set_normalize(spec__regex_set_t *s);
/* Adds the sorted, disjoint ranges `src`, or their complement in 0..0x10FFFF. */
void spec__regex_set_add_ranges(spec__regex_set_t *dst, const uint32_t (*src)[2], size_t n,
                                int negate);
/* \d, \w, \s (ECMA-262 WhiteSpace and LineTerminator) */
extern const uint32_t spec__regex_digit[1][2], spec__regex_word[4][2], spec__regex_space[10][2];
/* \p{name}: adds the General_Category (or Any, ASCII, Assigned) `name` denotes; -1 with a
 * message in `msg` for a property this engine does not support. */
int spec__regex_property(spec__regex_set_t *set, const char *name, size_t n, int negate, char *msg,
                         size_t size);

/* Decodes the UTF-8 code point at s[i] and stores its byte length in *n. Malformed UTF-8 (a
 * stray continuation byte, a lead byte without all its continuation bytes) reads one byte at a
 * time, each as itself, so that the matcher can step backwards exactly as it stepped forwards. */
uint32_t spec__regex_decode(const char *s, size_t len, size_t i, size_t *n);
/* Whether class `c` matches code point `cp`. */
int spec__regex_class_has(const spec__regex_class_t *c, uint32_t cp);

#endif
