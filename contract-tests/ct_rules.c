/* Builds the immutable comparison settings: options, and rules compiled from structs or lines. */
#include "ct_rules.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_match.h"

static int fail(ct_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(ct_error_t *err, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return -1;
}

void ct_options_init(ct_options_t *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->max_depth = 128;
    opts->max_diffs = 100;
    opts->max_json_bytes = 32 * 1024 * 1024;
    opts->excerpt_bytes = 120;
    opts->compare_headers = 1;
    opts->default_header_ignores = 1;
}

ct_rules_t *ct_rules_create(const ct_options_t *opts, ct_error_t *err)
{
    ct_options_t o;
    if (opts != NULL)
        o = *opts;
    else
        ct_options_init(&o);
    if (o.max_depth < 1 || o.max_depth > CT_MAX_DEPTH_LIMIT) {
        fail(err, "max_depth must be between 1 and %d", CT_MAX_DEPTH_LIMIT);
        return NULL;
    }
    if (o.max_diffs < 1 || o.max_diffs > CT_MAX_DIFFS_LIMIT) {
        fail(err, "max_diffs must be between 1 and %d", CT_MAX_DIFFS_LIMIT);
        return NULL;
    }
    if (o.excerpt_bytes < 16 || o.excerpt_bytes > CT_EXCERPT_LIMIT) {
        fail(err, "excerpt_bytes must be between 16 and %d", CT_EXCERPT_LIMIT);
        return NULL;
    }
    ct_rules_t *rules = ct__xcalloc(1, sizeof(*rules));
    rules->opts = o;
    return rules;
}

static void crule_dispose(ct_crule_t *r)
{
    free(r->operation);
    ct__pattern_free(r->segs, r->num_segs);
    if (r->match == CT_MATCH_REGEX)
        regfree(&r->regex);
}

void ct_rules_destroy(ct_rules_t *rules)
{
    if (rules == NULL)
        return;
    for (size_t i = 0; i < rules->num_rules; i++)
        crule_dispose(&rules->rules[i]);
    free(rules->rules);
    free(rules);
}

const ct_options_t *ct_rules_options(const ct_rules_t *rules)
{
    return &rules->opts;
}

size_t ct_rules_count(const ct_rules_t *rules)
{
    return rules->num_rules;
}

static int compile_regex(ct_crule_t *r, const char *regex, ct_error_t *err)
{
    /* anchored so that "matches" means the whole value, as users of field matchers expect */
    size_t len = strlen(regex);
    char *anchored = ct__xmalloc(len + 5);
    snprintf(anchored, len + 5, "^(%s)$", regex);
    int rc = regcomp(&r->regex, anchored, REG_EXTENDED | REG_NOSUB);
    free(anchored);
    if (rc != 0) {
        char msg[160];
        regerror(rc, &r->regex, msg, sizeof(msg));
        return fail(err, "regex \"%.60s\": %s", regex, msg);
    }
    return 0;
}

/* Header names are case-insensitive (RFC 9110 5.1) and results spell them in lower case, so
 * patterns do too. */
static void lowercase_header_segment(ct_crule_t *r)
{
    if (r->num_segs < 2 || r->segs[0].kind != CT_PSEG_KEY || r->segs[0].len != 7 ||
        memcmp(r->segs[0].str, "headers", 7) != 0)
        return;
    ct_pseg_t *s = &r->segs[1];
    if (s->kind == CT_PSEG_KEY || s->kind == CT_PSEG_GLOB)
        for (size_t i = 0; i < s->len; i++)
            s->str[i] = (char)tolower((unsigned char)s->str[i]);
}

int ct_rules_add(ct_rules_t *rules, const ct_rule_t *rule, ct_error_t *err)
{
    if (rules->num_rules >= CT_MAX_RULES)
        return fail(err, "too many rules (at most %d)", CT_MAX_RULES);
    if (rule->path == NULL)
        return fail(err, "rule without a path");
    ct_crule_t r;
    memset(&r, 0, sizeof(r));
    r.match = rule->match;
    switch (rule->match) {
    case CT_MATCH_IGNORE:
    case CT_MATCH_PRESENT:
        break;
    case CT_MATCH_TOLERANCE:
        if (!isfinite(rule->absolute) || !isfinite(rule->relative) || rule->absolute < 0 ||
            rule->relative < 0 || (rule->absolute == 0 && rule->relative == 0))
            return fail(err, "tolerance for \"%.80s\" needs finite abs and/or rel >= 0, one > 0",
                        rule->path);
        r.absolute = rule->absolute;
        r.relative = rule->relative;
        break;
    case CT_MATCH_REGEX:
        if (rule->regex == NULL || rule->regex[0] == '\0')
            return fail(err, "regex rule for \"%.80s\" without a regex", rule->path);
        break;
    default:
        return fail(err, "unknown match kind %d", (int)rule->match);
    }
    if (ct__pattern_parse(rule->path, &r.segs, &r.num_segs, err) != 0)
        return -1;
    if (rule->match == CT_MATCH_REGEX && compile_regex(&r, rule->regex, err) != 0) {
        ct__pattern_free(r.segs, r.num_segs);
        return -1;
    }
    lowercase_header_segment(&r);
    if (rule->operation != NULL && rule->operation[0] != '\0')
        r.operation = ct__xstrndup(rule->operation, strlen(rule->operation));
    ct__grow((void **)&rules->rules, &rules->cap, rules->num_rules + 1, sizeof(*rules->rules));
    rules->rules[rules->num_rules++] = r;
    return 0;
}

/* Line syntax. */

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Copies the next whitespace-delimited token into buf; returns the position after it. */
static const char *next_token(const char *s, char *buf, size_t size, int *too_long)
{
    s = skip_space(s);
    size_t n = 0;
    *too_long = 0;
    while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') {
        if (n + 1 < size)
            buf[n++] = *s;
        else
            *too_long = 1;
        s++;
    }
    buf[n] = '\0';
    return s;
}

static int parse_number(const char *text, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    return end != text && *end == '\0' && errno == 0 && isfinite(*out) ? 0 : -1;
}

static int at_end(const char *s)
{
    s = skip_space(s);
    while (*s == '\r' || *s == '\n')
        s++;
    return *s == '\0';
}

int ct_rules_add_line(ct_rules_t *rules, const char *line, ct_error_t *err)
{
    char op[256] = "", action[32], path[CT_MAX_PATTERN_BYTES + 1], arg[64];
    int too_long;
    const char *s = skip_space(line);
    if (at_end(s) || *s == '#')
        return 0;
    if (*s == '@') {
        if (s[1] == ' ' || s[1] == '\t')
            return fail(err, "rule \"%.80s\": bad @operation", line);
        s = next_token(s + 1, op, sizeof(op), &too_long);
        if (too_long || op[0] == '\0')
            return fail(err, "rule \"%.80s\": bad @operation", line);
    }
    s = next_token(s, action, sizeof(action), &too_long);
    s = next_token(s, path, sizeof(path), &too_long);
    if (too_long)
        return fail(err, "rule \"%.80s\": path too long", line);
    if (path[0] == '\0')
        return fail(err, "rule \"%.80s\": expected <action> <path>", line);
    ct_rule_t rule = {.operation = op, .path = path};
    if (strcmp(action, "ignore") == 0 || strcmp(action, "present") == 0) {
        rule.match = action[0] == 'i' ? CT_MATCH_IGNORE : CT_MATCH_PRESENT;
        if (!at_end(s))
            return fail(err, "rule \"%.80s\": unexpected text after the path", line);
    } else if (strcmp(action, "tolerance") == 0) {
        rule.match = CT_MATCH_TOLERANCE;
        while (!at_end(s)) {
            s = next_token(s, arg, sizeof(arg), &too_long);
            /* memcmp after a length check: gcc -O3 misjudges strncmp on a scanned buffer */
            int keyed = strlen(arg) >= 4;
            double *dst = keyed && memcmp(arg, "abs=", 4) == 0   ? &rule.absolute
                          : keyed && memcmp(arg, "rel=", 4) == 0 ? &rule.relative
                                                                 : NULL;
            if (too_long || dst == NULL || parse_number(arg + 4, dst) != 0)
                return fail(err, "rule \"%.80s\": expected abs=<number> or rel=<number>", line);
        }
    } else if (strcmp(action, "regex") == 0) {
        rule.match = CT_MATCH_REGEX;
        s = skip_space(s);
        size_t len = strlen(s);
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
                           s[len - 1] == '\n'))
            len--;
        char *regex = ct__xstrndup(s, len);
        rule.regex = regex;
        int rc = ct_rules_add(rules, &rule, err);
        free(regex);
        return rc;
    } else {
        return fail(err,
                    "rule \"%.80s\": unknown action \"%s\" (ignore, present, tolerance, regex)",
                    line, action);
    }
    return ct_rules_add(rules, &rule, err);
}
