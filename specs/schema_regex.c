/* ECMA-262 pattern syntax (§22.2.1, with the `u` flag's escapes; identity escapes of any ASCII
 * punctuation are accepted as Annex B does) parsed into a tree, then compiled into the program
 * schema_regex_match.c runs. Refused with a message: syntax errors, and what the engine cannot
 * enforce exactly (\p{Script=...} and binary Unicode properties). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema_regex_internal.h"
#include "spec_internal.h"

typedef struct {
    const char *p;
    size_t len, i;
    spec__regex_error_t *err;
    int failed;
    unsigned groups, total_groups, depth;
    struct {
        const char *name;
        size_t len;
    } names[REGEX_MAX_GROUPS + 1]; /* group number -> name */
    spec__regex_class_t *classes;
    size_t nclasses, classes_cap;
    spec__regex_node_t **nodes; /* every node, freed at the end */
    size_t nnodes, nodes_cap;
} parser_t;

static void *fail_at(parser_t *ps, size_t at, int unsupported, const char *fmt, ...)
{
    if (ps->failed++)
        return NULL;
    if (ps->err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err->message, sizeof(ps->err->message), fmt, ap);
        va_end(ap);
        ps->err->offset = at;
        ps->err->unsupported = unsupported;
    }
    return NULL;
}

static spec__regex_node_t *mk(parser_t *ps, int t)
{
    if (ps->nnodes == ps->nodes_cap) {
        ps->nodes_cap = ps->nodes_cap ? ps->nodes_cap * 2 : 32;
        ps->nodes = spec__xrealloc(ps->nodes, ps->nodes_cap * sizeof(*ps->nodes));
    }
    spec__regex_node_t *n = spec__xcalloc(1, sizeof(*n));
    n->t = (uint8_t)t;
    return ps->nodes[ps->nnodes++] = n;
}

uint32_t spec__regex_decode(const char *s, size_t len, size_t i, size_t *n)
{
    unsigned char c = (unsigned char)s[i];
    size_t need = c < 0xC2 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 1;
    if (i + need > len)
        need = 1;
    for (size_t k = 1; k < need; ++k)
        if (((unsigned char)s[i + k] & 0xC0) != 0x80)
            need = 1; /* a lead byte without its continuation bytes stands alone */
    *n = need;
    if (need == 1)
        return c;
    uint32_t cp = c & (0x3F >> (need - 1));
    for (size_t k = 1; k < need; ++k)
        cp = cp << 6 | ((unsigned char)s[i + k] & 0x3F);
    return cp;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int read_hex(parser_t *ps, size_t digits, uint32_t *out)
{
    uint32_t v = 0;
    if (ps->i + digits > ps->len)
        return -1;
    for (size_t k = 0; k < digits; ++k) {
        int h = hexval(ps->p[ps->i + k]);
        if (h < 0)
            return -1;
        v = v << 4 | (uint32_t)h;
    }
    ps->i += digits;
    *out = v;
    return 0;
}

/* What an escape stands for: one code point, or a set (\d \w \s \p and their negations). */
typedef struct {
    int is_set;
    uint32_t cp;
} esc_t;

/* Parses the escape after a backslash (ps->i is past it) that means a character or a class;
 * `in_class`: inside [...] (\b is backspace, \- is '-'). Returns 0, -1 on error. */
static int parse_char_escape(parser_t *ps, spec__regex_set_t *set, esc_t *e, int in_class)
{
    size_t at = ps->i - 1;
    if (ps->i >= ps->len)
        return fail_at(ps, at, 0, "\\ at end of pattern"), -1;
    char c = ps->p[ps->i++];
    e->is_set = 0;
    switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 's':
    case 'S': {
        const uint32_t(*r)[2] = c == 'd' || c == 'D'   ? spec__regex_digit
                                : c == 'w' || c == 'W' ? spec__regex_word
                                                       : spec__regex_space;
        size_t n = c == 'd' || c == 'D' ? 1 : c == 'w' || c == 'W' ? 4 : 10;
        spec__regex_set_add_ranges(set, r, n, c == 'D' || c == 'W' || c == 'S');
        e->is_set = 1;
        return 0;
    }
    case 'p':
    case 'P': {
        const char *close = ps->i < ps->len && ps->p[ps->i] == '{'
                                ? memchr(ps->p + ps->i, '}', ps->len - ps->i)
                                : NULL;
        if (close == NULL)
            return fail_at(ps, at, 0, "\\%c needs a property name in braces", c), -1;
        const char *name = ps->p + ps->i + 1;
        ps->i = (size_t)(close - ps->p) + 1;
        e->is_set = 1;
        char msg[120];
        if (spec__regex_property(set, name, (size_t)(close - name), c == 'P', msg, sizeof(msg)))
            return fail_at(ps, at, 1, "%s", msg), -1;
        return 0;
    }
    case 't':
        e->cp = '\t';
        return 0;
    case 'n':
        e->cp = '\n';
        return 0;
    case 'r':
        e->cp = '\r';
        return 0;
    case 'f':
        e->cp = '\f';
        return 0;
    case 'v':
        e->cp = '\v';
        return 0;
    case 'b':
        if (!in_class)
            break;
        e->cp = '\b';
        return 0;
    case '0':
        if (ps->i < ps->len && ps->p[ps->i] >= '0' && ps->p[ps->i] <= '9')
            return fail_at(ps, at, 0, "octal escapes are not allowed"), -1;
        e->cp = 0;
        return 0;
    case 'c':
        if (ps->i < ps->len && ((ps->p[ps->i] | 0x20) >= 'a' && (ps->p[ps->i] | 0x20) <= 'z')) {
            e->cp = (uint32_t)(ps->p[ps->i++] % 32);
            return 0;
        }
        return fail_at(ps, at, 0, "\\c needs a letter"), -1;
    case 'x':
        if (read_hex(ps, 2, &e->cp) != 0)
            return fail_at(ps, at, 0, "\\x needs two hex digits"), -1;
        return 0;
    case 'u': {
        if (ps->i < ps->len && ps->p[ps->i] == '{') {
            const char *close = memchr(ps->p + ps->i, '}', ps->len - ps->i);
            size_t digits = close != NULL ? (size_t)(close - ps->p) - ps->i - 1 : 0;
            ++ps->i;
            if (digits == 0 || digits > 6 || read_hex(ps, digits, &e->cp) != 0 || e->cp > 0x10FFFF)
                return fail_at(ps, at, 0, "\\u{...} needs a code point up to 10FFFF"), -1;
            ++ps->i;
            return 0;
        }
        if (read_hex(ps, 4, &e->cp) != 0)
            return fail_at(ps, at, 0, "\\u needs four hex digits"), -1;
        uint32_t lo;
        size_t save = ps->i;
        /* a surrogate pair written as two escapes is one code point */
        if (e->cp >= 0xD800 && e->cp < 0xDC00 && ps->i + 1 < ps->len && ps->p[ps->i] == '\\' &&
            ps->p[ps->i + 1] == 'u') {
            ps->i += 2;
            if (read_hex(ps, 4, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000)
                e->cp = 0x10000 + ((e->cp - 0xD800) << 10) + (lo - 0xDC00);
            else
                ps->i = save;
        }
        return 0;
    }
    case '-':
        e->cp = '-';
        return 0;
    default:
        break;
    }
    if ((unsigned char)c < 0x80 &&
        !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
        e->cp = (uint32_t)c; /* identity escape of a syntax or punctuation character */
        return 0;
    }
    return fail_at(ps, at, 0, "invalid escape \\%c", c), -1;
}

static int new_class(parser_t *ps, spec__regex_set_t *set, int negated)
{
    spec__regex_set_normalize(set);
    if (ps->nclasses == ps->classes_cap) {
        ps->classes_cap = ps->classes_cap ? ps->classes_cap * 2 : 8;
        ps->classes = spec__xrealloc(ps->classes, ps->classes_cap * sizeof(*ps->classes));
    }
    ps->classes[ps->nclasses] = (spec__regex_class_t){set->r, set->n, negated};
    return (int)ps->nclasses++;
}

/* One class atom: a character (returned in *cp, 1) or a set added to `set` (0); -1 on error. */
static int class_atom(parser_t *ps, spec__regex_set_t *set, uint32_t *cp)
{
    if (ps->p[ps->i] == '\\') {
        ++ps->i;
        esc_t e;
        if (parse_char_escape(ps, set, &e, 1) != 0)
            return -1;
        *cp = e.cp;
        return !e.is_set;
    }
    size_t n;
    *cp = spec__regex_decode(ps->p, ps->len, ps->i, &n);
    ps->i += n;
    return 1;
}

static spec__regex_node_t *parse_class(parser_t *ps)
{
    size_t at = ps->i++;
    int negated = ps->i < ps->len && ps->p[ps->i] == '^';
    ps->i += negated;
    spec__regex_set_t set = {0};
    while (ps->i < ps->len && ps->p[ps->i] != ']') {
        uint32_t lo, hi;
        size_t atom_at = ps->i;
        int r = class_atom(ps, &set, &lo);
        if (r < 0)
            goto fail;
        if (ps->i + 1 < ps->len && ps->p[ps->i] == '-' && ps->p[ps->i + 1] != ']') {
            ++ps->i;
            int r2 = class_atom(ps, &set, &hi);
            if (r2 < 0)
                goto fail;
            if (r == 0 || r2 == 0) {
                /* Annex B: a class escape next to '-' makes the '-' a literal ([\d-z]) */
                spec__regex_set_add(&set, '-', '-');
                if (r == 1)
                    spec__regex_set_add(&set, lo, lo);
                if (r2 == 1)
                    spec__regex_set_add(&set, hi, hi);
                continue;
            }
            if (lo > hi) {
                fail_at(ps, atom_at, 0, "range out of order in character class");
                goto fail;
            }
            spec__regex_set_add(&set, lo, hi);
        } else if (r == 1) {
            spec__regex_set_add(&set, lo, lo);
        }
    }
    if (ps->i >= ps->len) {
        fail_at(ps, at, 0, "unterminated character class");
        goto fail;
    }
    ++ps->i;
    spec__regex_node_t *n = mk(ps, N_CLASS);
    n->idx = new_class(ps, &set, negated);
    return n;
fail:
    free(set.r);
    return NULL;
}

/* ---- The tree ---- */

static spec__regex_node_t *parse_alt(parser_t *ps);

static int parse_quantifier(parser_t *ps, uint32_t *min, uint32_t *max)
{
    char c = ps->p[ps->i];
    if (c == '*' || c == '+' || c == '?') {
        ++ps->i;
        *min = c == '+';
        *max = c == '?' ? 1 : UINT32_MAX;
        return 1;
    }
    if (c != '{')
        return 0;
    size_t j = ps->i + 1;
    uint64_t a = 0, b;
    int digits = 0;
    for (; j < ps->len && ps->p[j] >= '0' && ps->p[j] <= '9'; ++j, ++digits)
        a = a < 100000000 ? a * 10 + (uint64_t)(ps->p[j] - '0') : a;
    if (digits == 0)
        return 0; /* a literal '{' (Annex B) */
    b = a;
    if (j < ps->len && ps->p[j] == ',') {
        b = UINT32_MAX;
        int d2 = 0;
        uint64_t v = 0;
        for (++j; j < ps->len && ps->p[j] >= '0' && ps->p[j] <= '9'; ++j, ++d2)
            v = v < 100000000 ? v * 10 + (uint64_t)(ps->p[j] - '0') : v;
        if (d2 != 0)
            b = v;
    }
    if (j >= ps->len || ps->p[j] != '}')
        return 0;
    if (a > b)
        return fail_at(ps, ps->i, 0, "numbers out of order in {} quantifier"), -1;
    if (a > 100000 || (b != UINT32_MAX && b > 100000))
        return fail_at(ps, ps->i, 1, "repetition count above 100000"), -1;
    ps->i = j + 1;
    *min = (uint32_t)a;
    *max = (uint32_t)b;
    return 1;
}

static spec__regex_node_t *parse_group(parser_t *ps)
{
    size_t at = ps->i++;
    spec__regex_node_t *n;
    if (ps->i < ps->len && ps->p[ps->i] == '?') {
        const char *q = ps->p + ps->i + 1;
        size_t left = ps->len - ps->i - 1;
        if (left >= 1 && q[0] == ':') {
            ps->i += 2;
            n = mk(ps, N_GROUP);
            n->idx = -1;
        } else if (left >= 1 && (q[0] == '=' || q[0] == '!')) {
            ps->i += 2;
            n = mk(ps, N_LOOK);
            n->flag = q[0] == '!';
        } else if (left >= 2 && q[0] == '<' && (q[1] == '=' || q[1] == '!')) {
            ps->i += 3;
            n = mk(ps, N_LOOK);
            n->flag = (uint8_t)((q[1] == '!') | 2);
        } else if (left >= 1 && q[0] == '<') {
            const char *close = memchr(q, '>', left);
            if (close == NULL || close == q + 1)
                return fail_at(ps, at, 0, "invalid group name");
            ps->i = (size_t)(close - ps->p) + 1;
            n = mk(ps, N_GROUP);
            n->idx = (int)++ps->groups;
        } else {
            return fail_at(ps, at, 0, "invalid group: (?%c is not ECMA-262 (no inline flags)",
                           left ? q[0] : ' ');
        }
    } else {
        n = mk(ps, N_GROUP);
        n->idx = (int)++ps->groups;
    }
    if (ps->groups > REGEX_MAX_GROUPS)
        return fail_at(ps, at, 1, "more than %d capture groups", REGEX_MAX_GROUPS);
    if (++ps->depth > 64)
        return fail_at(ps, at, 1, "groups nested more than 64 deep");
    n->first = parse_alt(ps);
    --ps->depth;
    if (ps->failed)
        return NULL;
    if (ps->i >= ps->len || ps->p[ps->i] != ')')
        return fail_at(ps, at, 0, "unterminated group");
    ++ps->i;
    return n;
}

static spec__regex_node_t *parse_atom(parser_t *ps, int *quantifiable)
{
    char c = ps->p[ps->i];
    size_t at = ps->i;
    spec__regex_node_t *n;
    *quantifiable = 1;
    switch (c) {
    case '^':
    case '$':
        ++ps->i;
        *quantifiable = 0;
        return mk(ps, c == '^' ? N_BOL : N_EOL);
    case '.':
        ++ps->i;
        return mk(ps, N_ANY);
    case '[':
        return parse_class(ps);
    case '(':
        n = parse_group(ps);
        if (n != NULL && n->t == N_LOOK)
            *quantifiable = !(n->flag & 2); /* Annex B: lookaheads only */
        return n;
    case ')':
        return fail_at(ps, at, 0, "unmatched ')'");
    case '*':
    case '+':
    case '?':
        return fail_at(ps, at, 0, "nothing to repeat before '%c'", c);
    case '\\': {
        ++ps->i;
        if (ps->i < ps->len && (ps->p[ps->i] == 'b' || ps->p[ps->i] == 'B')) {
            *quantifiable = 0;
            return mk(ps, ps->p[ps->i++] == 'b' ? N_WORDB : N_NWORDB);
        }
        if (ps->i < ps->len && ps->p[ps->i] >= '1' && ps->p[ps->i] <= '9') {
            unsigned g = 0;
            while (ps->i < ps->len && ps->p[ps->i] >= '0' && ps->p[ps->i] <= '9' && g < 10000)
                g = g * 10 + (unsigned)(ps->p[ps->i++] - '0');
            if (g > ps->total_groups)
                return fail_at(ps, at, 0, "back-reference \\%u to a group that does not exist", g);
            n = mk(ps, N_BACKREF);
            n->idx = (int)g;
            return n;
        }
        if (ps->i < ps->len && ps->p[ps->i] == 'k') {
            const char *open = ps->p + ps->i + 1, *close;
            if (ps->i + 1 >= ps->len || *open != '<' ||
                (close = memchr(open, '>', ps->len - ps->i - 1)) == NULL)
                return fail_at(ps, at, 0, "\\k needs a group name in <>");
            for (unsigned g = 1; g <= ps->total_groups; ++g) {
                if (ps->names[g].name != NULL && ps->names[g].len == (size_t)(close - open - 1) &&
                    memcmp(ps->names[g].name, open + 1, ps->names[g].len) == 0) {
                    ps->i = (size_t)(close - ps->p) + 1;
                    n = mk(ps, N_BACKREF);
                    n->idx = (int)g;
                    return n;
                }
            }
            return fail_at(ps, at, 0, "\\k<%.*s> names no group", (int)(close - open - 1),
                           open + 1);
        }
        spec__regex_set_t set = {0};
        esc_t e;
        if (parse_char_escape(ps, &set, &e, 0) != 0) {
            free(set.r);
            return NULL;
        }
        if (e.is_set) {
            n = mk(ps, N_CLASS);
            n->idx = new_class(ps, &set, 0);
        } else {
            n = mk(ps, N_CHAR);
            n->cp = e.cp;
        }
        return n;
    }
    default: {
        size_t len;
        n = mk(ps, N_CHAR);
        n->cp = spec__regex_decode(ps->p, ps->len, ps->i, &len);
        ps->i += len;
        return n;
    }
    }
}

/* alternative := term*; returns a N_CAT */
static spec__regex_node_t *parse_cat(parser_t *ps)
{
    spec__regex_node_t *cat = mk(ps, N_CAT), **tail = &cat->first;
    while (ps->i < ps->len && ps->p[ps->i] != '|' && ps->p[ps->i] != ')') {
        int quantifiable;
        spec__regex_node_t *atom = parse_atom(ps, &quantifiable);
        if (atom == NULL)
            return NULL;
        if (ps->i < ps->len) {
            uint32_t min, max;
            int q = parse_quantifier(ps, &min, &max);
            if (q < 0)
                return NULL;
            if (q > 0) {
                if (!quantifiable)
                    return fail_at(ps, ps->i - 1, 0, "nothing to repeat");
                spec__regex_node_t *rep = mk(ps, N_REPEAT);
                rep->min = min;
                rep->max = max;
                rep->greedy = 1;
                if (ps->i < ps->len && ps->p[ps->i] == '?') {
                    rep->greedy = 0;
                    ++ps->i;
                }
                rep->first = atom;
                atom = rep;
                if (ps->i < ps->len && strchr("*+?", ps->p[ps->i]) != NULL)
                    return fail_at(ps, ps->i, 0, "nothing to repeat");
            }
        }
        *tail = atom;
        tail = &atom->next;
    }
    return cat;
}

static spec__regex_node_t *parse_alt(parser_t *ps)
{
    spec__regex_node_t *first = parse_cat(ps);
    if (first == NULL || ps->i >= ps->len || ps->p[ps->i] != '|')
        return first;
    spec__regex_node_t *alt = mk(ps, N_ALT), *last = first;
    alt->first = first;
    while (ps->i < ps->len && ps->p[ps->i] == '|') {
        ++ps->i;
        spec__regex_node_t *next = parse_cat(ps);
        if (next == NULL)
            return NULL;
        last = last->next = next;
    }
    return alt;
}

/* Counts capture groups and their names first: back-references may point forward. */
static void prescan(parser_t *ps)
{
    int in_class = 0;
    for (size_t i = 0; i < ps->len; ++i) {
        char c = ps->p[i];
        if (c == '\\') {
            ++i;
        } else if (in_class) {
            in_class = c != ']';
        } else if (c == '[') {
            in_class = 1;
        } else if (c == '(' && ps->total_groups < REGEX_MAX_GROUPS) {
            if (i + 1 < ps->len && ps->p[i + 1] == '?') {
                if (i + 3 < ps->len && ps->p[i + 2] == '<' && ps->p[i + 3] != '=' &&
                    ps->p[i + 3] != '!') {
                    const char *close = memchr(ps->p + i + 3, '>', ps->len - i - 3);
                    ++ps->total_groups;
                    if (close != NULL) {
                        ps->names[ps->total_groups].name = ps->p + i + 3;
                        ps->names[ps->total_groups].len = (size_t)(close - ps->p) - i - 3;
                    }
                }
            } else {
                ++ps->total_groups;
            }
        }
    }
}

spec__regex_t *spec__regex_compile(const char *pattern, size_t len, spec__regex_error_t *err)
{
    parser_t ps;
    memset(&ps, 0, sizeof(ps));
    ps.p = pattern;
    ps.len = len;
    ps.err = err;
    prescan(&ps);
    spec__regex_node_t *root = parse_alt(&ps);
    if (root != NULL && ps.i < ps.len)
        fail_at(&ps, ps.i, 0, "unmatched ')'");
    spec__regex_t *re = NULL;
    if (!ps.failed) {
        spec__regex_emit_t e = {0};
        spec__regex_emit(&e, R_SAVE, 0, 0);
        spec__regex_emit_node(&e, root);
        spec__regex_emit(&e, R_SAVE, 1, 0);
        spec__regex_emit(&e, R_MATCH, 0, 0);
        if (e.overflow) {
            fail_at(&ps, 0, 1,
                    "pattern too large once its repetitions are expanded "
                    "(over %d instructions)",
                    REGEX_MAX_PROGRAM);
            free(e.prog);
        } else {
            re = spec__xcalloc(1, sizeof(*re));
            re->prog = e.prog;
            re->len = e.len;
            re->nregs = e.nregs;
            re->ngroups = ps.groups;
            re->classes = ps.classes;
            re->nclasses = ps.nclasses;
            ps.classes = NULL;
            const spec__regex_node_t *first = root->t == N_CAT ? root->first : NULL;
            re->anchored = first != NULL && first->t == N_BOL;
        }
    }
    for (size_t i = 0; i < ps.nnodes; ++i)
        free(ps.nodes[i]);
    free(ps.nodes);
    if (ps.classes != NULL) {
        for (size_t i = 0; i < ps.nclasses; ++i)
            free(ps.classes[i].ranges);
        free(ps.classes);
    }
    return re;
}

void spec__regex_destroy(spec__regex_t *re)
{
    if (re == NULL)
        return;
    for (size_t i = 0; i < re->nclasses; ++i)
        free(re->classes[i].ranges);
    free(re->classes);
    free(re->prog);
    free(re);
}
