/* Comparison settings of the diff engine: limits, and path rules (ignore, numeric tolerance,
 * regex, presence-only) compiled once and applied to every comparison without re-parsing. */
#ifndef CT_RULES_H
#define CT_RULES_H

#include <stddef.h>
#include <stdint.h>

/* Hard ceilings on settings; ct_rules_create() rejects anything above them. */
#define CT_MAX_DEPTH_LIMIT 1024
#define CT_MAX_DIFFS_LIMIT 100000
#define CT_EXCERPT_LIMIT 4096
/* Limits on one rule; ct_rules_add() rejects larger ones. */
#define CT_MAX_RULES 4096
#define CT_MAX_PATTERN_BYTES 4096
#define CT_MAX_PATTERN_SEGMENTS 64

/* Limits of one comparison. Fill with ct_options_init(), then change what you need. */
typedef struct st_ct_options_t {
    /* JSON container nesting compared structurally; deeper subtrees are compared as whole values
     * and reported as one `too_deep` difference when they differ. Default 128. */
    uint32_t max_depth;
    /* Differences recorded per comparison; more set ct_result_t.truncated. Default 100. */
    uint32_t max_diffs;
    /* Bodies larger than this are compared as bytes even when declared JSON. Default 32 MiB. */
    size_t max_json_bytes;
    /* Bytes of each value excerpt kept for display (UTF-8, whole characters). Default 120. */
    uint32_t excerpt_bytes;
    /* Compare headers at all (default 1), and skip the default ignore list (default 1): Date,
     * Server, X-Request-Id, Content-Length, Age, Expires, Via, Forwarded, X-Forwarded-*,
     * Traceparent, Tracestate, B3/X-B3-*, X-Amzn-Trace-Id, X-Envoy-*, and the hop-by-hop headers
     * of RFC 9110 7.6.1 (Connection and the fields it lists, Keep-Alive, Proxy-Connection, TE,
     * Trailer, Transfer-Encoding, Upgrade). */
    int compare_headers;
    int default_header_ignores;
} ct_options_t;

/* What a rule does at the paths its pattern matches. */
typedef enum ct_match {
    CT_MATCH_IGNORE,    /* the node and everything below it is not compared */
    CT_MATCH_TOLERANCE, /* numbers within an absolute and/or relative tolerance are equal */
    CT_MATCH_REGEX,     /* values that both match the (anchored) regex are equal */
    CT_MATCH_PRESENT,   /* only presence is compared, never the value */
} ct_match_t;

/* One rule as written by a user; strings are copied by ct_rules_add(). */
typedef struct st_ct_rule_t {
    const char *operation; /* NULL or "": applies to every operation */
    const char *path;      /* pattern: `body.items[*].id`, `headers.x-*`, `body.**.updatedAt` */
    ct_match_t match;
    /* CT_MATCH_TOLERANCE: equal when |p - c| <= absolute or |p - c| <= relative * max(|p|, |c|);
     * both >= 0 and at least one > 0. */
    double absolute;
    double relative;
    /* CT_MATCH_REGEX: POSIX extended regex that must match the whole value text. */
    const char *regex;
} ct_rule_t;

/* An error message for the caller to place (the gateway adds the config file position). */
typedef struct st_ct_error_t {
    char message[256];
} ct_error_t;

/* Compiled options and rules. Built single-threaded; after the last ct_rules_add*() it is never
 * modified, so one instance may be shared by any number of threads comparing concurrently. */
typedef struct st_ct_rules_t ct_rules_t;

/* Fills opts with the defaults documented above. */
void ct_options_init(ct_options_t *opts);

/* Creates an empty rule set with a copy of opts (NULL: defaults). Returns NULL and fills err when
 * an option is out of range. */
ct_rules_t *ct_rules_create(const ct_options_t *opts, ct_error_t *err);

/* Frees the rules; accepts NULL. No comparison may be using them any more. */
void ct_rules_destroy(ct_rules_t *rules);

/* Compiles and appends one rule. Returns 0, or -1 with err filled (the rule set is unchanged):
 * bad pattern syntax, bad regex, invalid tolerance, or more than CT_MAX_RULES rules. */
int ct_rules_add(ct_rules_t *rules, const ct_rule_t *rule, ct_error_t *err);

/* Parses one rule written on a line (CLI flags, rule files) and adds it:
 *     [@operation] ignore <path>
 *     [@operation] present <path>
 *     [@operation] tolerance <path> [abs=<number>] [rel=<number>]
 *     [@operation] regex <path> <regex to the end of the line>
 * Blank lines and lines starting with '#' are accepted and add nothing. Returns 0 or -1 + err. */
int ct_rules_add_line(ct_rules_t *rules, const char *line, ct_error_t *err);

/* The options the rules were created with (borrowed, lives as long as the rules). */
const ct_options_t *ct_rules_options(const ct_rules_t *rules);

/* Number of rules added so far. */
size_t ct_rules_count(const ct_rules_t *rules);

#endif
