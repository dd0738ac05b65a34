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

typedef struct node {
    uint8_t t, flag, greedy;
    uint32_t cp, min, max;
    int idx;                   /* class index, group number, backref number */
    struct node *first, *next; /* children (CAT, ALT, GROUP, LOOK, REPEAT), siblings */
} node_t;

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
    node_t **nodes; /* every node, freed at the end */
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

static node_t *mk(parser_t *ps, int t)
{
    if (ps->nnodes == ps->nodes_cap) {
        ps->nodes_cap = ps->nodes_cap ? ps->nodes_cap * 2 : 32;
        ps->nodes = spec__xrealloc(ps->nodes, ps->nodes_cap * sizeof(*ps->nodes));
    }
    node_t *n = spec__xcalloc(1, sizeof(*n));
    n->t = (uint8_t)t;
    return ps->nodes[ps->nnodes++] = n;
}

uint32_t spec__regex_decode(const char *s, size_t len, size_t i, size_t *n)
{
    unsigned char c = (unsigned char)s[i];
    size_t need = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + need > len)
        need = 1;
    *n = need;
    if (need == 1)
        return c;
    uint32_t cp = c & (0x3F >> (need - 1));
    for (size_t k = 1; k < need; ++k)
        cp = cp << 6 | ((unsigned char)s[i + k] & 0x3F);
    return cp;
}

/* ---- Character classes ---- */

typedef struct {
    uint32_t (*r)[2];
    size_t n, cap;
} set_t;

static void set_add(set_t *s, uint32_t lo, uint32_t hi)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->r = spec__xrealloc(s->r, s->cap * sizeof(*s->r));
    }
    s->r[s->n][0] = lo;
    s->r[s->n++][1] = hi;
}

static int by_lo(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static void set_normalize(set_t *s)
{
    if (s->n == 0)
        return;
    qsort(s->r, s->n, sizeof(*s->r), by_lo);
    size_t o = 0;
    for (size_t i = 1; i < s->n; ++i) {
        if (s->r[i][0] <= s->r[o][1] + 1) {
            if (s->r[i][1] > s->r[o][1])
                s->r[o][1] = s->r[i][1];
        } else {
            s->r[++o][0] = s->r[i][0];
            s->r[o][1] = s->r[i][1];
        }
    }
    s->n = o + 1;
}

/* Adds `src` (sorted, disjoint) to `dst`, or its complement in 0..0x10FFFF. */
static void set_add_ranges(set_t *dst, const uint32_t (*src)[2], size_t n, int negate)
{
    if (!negate) {
        for (size_t i = 0; i < n; ++i)
            set_add(dst, src[i][0], src[i][1]);
        return;
    }
    uint32_t from = 0;
    for (size_t i = 0; i < n; ++i) {
        if (src[i][0] > from)
            set_add(dst, from, src[i][0] - 1);
        from = src[i][1] + 1;
    }
    if (from <= 0x10FFFF)
        set_add(dst, from, 0x10FFFF);
}

static const uint32_t digit_r[][2] = {{'0', '9'}};
static const uint32_t word_r[][2] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
/* WhiteSpace and LineTerminator (ECMA-262 §12.2, §12.3): Zs, TAB, VT, FF, ZWNBSP, LF, CR, LS, PS */
static const uint32_t space_r[][2] = {
    {0x9, 0xD},       {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680}, {0x2000, 0x200A},
    {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};

/* General_Category values by short and long name (Unicode's PropertyValueAliases.txt). */
static const struct {
    const char *shrt, *lng, *alias;
} gc_names[] = {
    {"L", "Letter", NULL},
    {"LC", "Cased_Letter", NULL},
    {"Lu", "Uppercase_Letter", NULL},
    {"Ll", "Lowercase_Letter", NULL},
    {"Lt", "Titlecase_Letter", NULL},
    {"Lm", "Modifier_Letter", NULL},
    {"Lo", "Other_Letter", NULL},
    {"M", "Mark", "Combining_Mark"},
    {"Mn", "Nonspacing_Mark", NULL},
    {"Mc", "Spacing_Mark", NULL},
    {"Me", "Enclosing_Mark", NULL},
    {"N", "Number", NULL},
    {"Nd", "Decimal_Number", "digit"},
    {"Nl", "Letter_Number", NULL},
    {"No", "Other_Number", NULL},
    {"P", "Punctuation", "punct"},
    {"Pc", "Connector_Punctuation", NULL},
    {"Pd", "Dash_Punctuation", NULL},
    {"Ps", "Open_Punctuation", NULL},
    {"Pe", "Close_Punctuation", NULL},
    {"Pi", "Initial_Punctuation", NULL},
    {"Pf", "Final_Punctuation", NULL},
    {"Po", "Other_Punctuation", NULL},
    {"S", "Symbol", NULL},
    {"Sm", "Math_Symbol", NULL},
    {"Sc", "Currency_Symbol", NULL},
    {"Sk", "Modifier_Symbol", NULL},
    {"So", "Other_Symbol", NULL},
    {"Z", "Separator", NULL},
    {"Zs", "Space_Separator", NULL},
    {"Zl", "Line_Separator", NULL},
    {"Zp", "Paragraph_Separator", NULL},
    {"C", "Other", NULL},
    {"Cc", "Control", "cntrl"},
    {"Cf", "Format", NULL},
    {"Cs", "Surrogate", NULL},
    {"Co", "Private_Use", NULL},
    {"Cn", "Unassigned", NULL},
};

static int name_is(const char *s, size_t n, const char *name)
{
    return name != NULL && strlen(name) == n && memcmp(s, name, n) == 0;
}

/* \p{...}: adds the General_Category (or Any, ASCII, Assigned) the name denotes. */
static int add_property(parser_t *ps, set_t *set, const char *s, size_t n, int negate, size_t at)
{
    const char *eq = memchr(s, '=', n);
    if (eq != NULL) {
        size_t kl = (size_t)(eq - s);
        if (!name_is(s, kl, "General_Category") && !name_is(s, kl, "gc"))
            return fail_at(ps, at, 1, "Unicode property \\p{%.*s} (scripts) is not supported",
                           (int)n, s),
                   -1;
        n -= kl + 1;
        s = eq + 1;
    }
    static const uint32_t any_r[][2] = {{0, 0x10FFFF}}, ascii_r[][2] = {{0, 0x7F}};
    if (eq == NULL && (name_is(s, n, "Any") || name_is(s, n, "ASCII"))) {
        set_add_ranges(set, name_is(s, n, "Any") ? any_r : ascii_r, 1, negate);
        return 0;
    }
    const char *cat = NULL;
    int assigned = eq == NULL && name_is(s, n, "Assigned");
    for (size_t i = 0; i < sizeof(gc_names) / sizeof(gc_names[0]) && cat == NULL; ++i)
        if (name_is(s, n, gc_names[i].shrt) || name_is(s, n, gc_names[i].lng) ||
            name_is(s, n, gc_names[i].alias))
            cat = gc_names[i].shrt;
    if (cat == NULL && !assigned)
        return fail_at(ps, at, 1,
                       "Unicode property \\p{%.*s} is not supported (General_Category "
                       "values only)",
                       (int)n, s),
               -1;
    set_t tmp = {0};
    for (const spec__unicode_category_t *c = spec__unicode_categories; c->name != NULL; ++c) {
        int in = assigned ? strcmp(c->name, "Cn") != 0
                 : strcmp(cat, "LC") == 0
                     ? (!strcmp(c->name, "Lu") || !strcmp(c->name, "Ll") || !strcmp(c->name, "Lt"))
                     : strncmp(c->name, cat, strlen(cat)) == 0;
        if (in)
            set_add_ranges(&tmp, c->ranges, c->count, 0);
    }
    set_normalize(&tmp);
    set_add_ranges(set, (const uint32_t(*)[2])tmp.r, tmp.n, negate);
    free(tmp.r);
    return 0;
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
static int parse_char_escape(parser_t *ps, set_t *set, esc_t *e, int in_class)
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
        const uint32_t(*r)[2] = c == 'd' || c == 'D'   ? digit_r
                                : c == 'w' || c == 'W' ? word_r
                                                       : space_r;
        size_t n = c == 'd' || c == 'D' ? 1 : c == 'w' || c == 'W' ? 4 : 10;
        set_add_ranges(set, r, n, c == 'D' || c == 'W' || c == 'S');
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
        return add_property(ps, set, name, (size_t)(close - name), c == 'P', at);
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

static int new_class(parser_t *ps, set_t *set, int negated)
{
    set_normalize(set);
    if (ps->nclasses == ps->classes_cap) {
        ps->classes_cap = ps->classes_cap ? ps->classes_cap * 2 : 8;
        ps->classes = spec__xrealloc(ps->classes, ps->classes_cap * sizeof(*ps->classes));
    }
    ps->classes[ps->nclasses] = (spec__regex_class_t){set->r, set->n, negated};
    return (int)ps->nclasses++;
}

/* One class atom: a character (returned in *cp, 1) or a set added to `set` (0); -1 on error. */
static int class_atom(parser_t *ps, set_t *set, uint32_t *cp)
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

static node_t *parse_class(parser_t *ps)
{
    size_t at = ps->i++;
    int negated = ps->i < ps->len && ps->p[ps->i] == '^';
    ps->i += negated;
    set_t set = {0};
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
                set_add(&set, '-', '-');
                if (r == 1)
                    set_add(&set, lo, lo);
                if (r2 == 1)
                    set_add(&set, hi, hi);
                continue;
            }
            if (lo > hi) {
                fail_at(ps, atom_at, 0, "range out of order in character class");
                goto fail;
            }
            set_add(&set, lo, hi);
        } else if (r == 1) {
            set_add(&set, lo, lo);
        }
    }
    if (ps->i >= ps->len) {
        fail_at(ps, at, 0, "unterminated character class");
        goto fail;
    }
    ++ps->i;
    node_t *n = mk(ps, N_CLASS);
    n->idx = new_class(ps, &set, negated);
    return n;
fail:
    free(set.r);
    return NULL;
}

/* ---- The tree ---- */

static node_t *parse_alt(parser_t *ps);

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

static node_t *parse_group(parser_t *ps)
{
    size_t at = ps->i++;
    node_t *n;
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

static node_t *parse_atom(parser_t *ps, int *quantifiable)
{
    char c = ps->p[ps->i];
    size_t at = ps->i;
    node_t *n;
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
        set_t set = {0};
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
static node_t *parse_cat(parser_t *ps)
{
    node_t *cat = mk(ps, N_CAT), **tail = &cat->first;
    while (ps->i < ps->len && ps->p[ps->i] != '|' && ps->p[ps->i] != ')') {
        int quantifiable;
        node_t *atom = parse_atom(ps, &quantifiable);
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
                node_t *rep = mk(ps, N_REPEAT);
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

static node_t *parse_alt(parser_t *ps)
{
    node_t *first = parse_cat(ps);
    if (first == NULL || ps->i >= ps->len || ps->p[ps->i] != '|')
        return first;
    node_t *alt = mk(ps, N_ALT), *last = first;
    alt->first = first;
    while (ps->i < ps->len && ps->p[ps->i] == '|') {
        ++ps->i;
        node_t *next = parse_cat(ps);
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

/* ---- Compilation ---- */

typedef struct {
    spec__regex_inst_t *prog;
    size_t len, cap;
    unsigned nregs;
    int overflow;
} emit_t;

static size_t emit(emit_t *e, int op, uint32_t x, uint32_t y)
{
    if (e->len == REGEX_MAX_PROGRAM) {
        e->overflow = 1;
        return e->len - 1;
    }
    if (e->len == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 64;
        e->prog = spec__xrealloc(e->prog, e->cap * sizeof(*e->prog));
    }
    e->prog[e->len] = (spec__regex_inst_t){(uint8_t)op, 0, x, y, 0, 0};
    return e->len++;
}

static void compile_node(emit_t *e, const node_t *n)
{
    if (e->overflow)
        return;
    switch (n->t) {
    case N_CHAR:
        emit(e, R_CHAR, n->cp, 0);
        break;
    case N_ANY:
        emit(e, R_ANY, 0, 0);
        break;
    case N_CLASS:
        emit(e, R_CLASS, (uint32_t)n->idx, 0);
        break;
    case N_CAT:
        for (const node_t *k = n->first; k != NULL; k = k->next)
            compile_node(e, k);
        break;
    case N_ALT: {
        size_t jumps[256], nj = 0;
        for (const node_t *k = n->first; k != NULL; k = k->next) {
            size_t split = k->next != NULL ? emit(e, R_SPLIT, 0, 0) : 0;
            if (k->next != NULL)
                e->prog[split].x = (uint32_t)e->len;
            compile_node(e, k);
            if (k->next != NULL) {
                size_t j = emit(e, R_JMP, 0, 0);
                if (nj < sizeof(jumps) / sizeof(jumps[0]))
                    jumps[nj++] = j;
                else
                    e->overflow = 1;
                e->prog[split].y = (uint32_t)e->len;
            }
            if (e->overflow)
                return;
        }
        for (size_t i = 0; i < nj; ++i)
            e->prog[jumps[i]].x = (uint32_t)e->len;
        break;
    }
    case N_GROUP:
        if (n->idx > 0)
            emit(e, R_SAVE, (uint32_t)n->idx * 2, 0);
        compile_node(e, n->first);
        if (n->idx > 0)
            emit(e, R_SAVE, (uint32_t)n->idx * 2 + 1, 0);
        break;
    case N_BOL:
    case N_EOL:
    case N_WORDB:
    case N_NWORDB:
        emit(e,
             n->t == N_BOL     ? R_BOL
             : n->t == N_EOL   ? R_EOL
             : n->t == N_WORDB ? R_WORDB
                               : R_NWORDB,
             0, 0);
        break;
    case N_LOOK: {
        size_t look = emit(e, R_LOOK, 0, 0);
        e->prog[look].flag = n->flag;
        e->prog[look].x = (uint32_t)e->len;
        compile_node(e, n->first);
        emit(e, R_MATCH, 0, 0);
        e->prog[look].y = (uint32_t)e->len;
        break;
    }
    case N_BACKREF:
        emit(e, R_BACKREF, (uint32_t)n->idx, 0);
        break;
    case N_REPEAT: {
        const node_t *k = n->first;
        if (k->t == N_CHAR || k->t == N_ANY || k->t == N_CLASS) {
            /* one character at a time: a counted loop without a backtrack entry per step */
            size_t rep = emit(e, R_REP, 0, 0);
            e->prog[rep].min = n->min;
            e->prog[rep].max = n->max;
            e->prog[rep].flag = n->greedy;
            compile_node(e, k);
            break;
        }
        for (uint32_t i = 0; i < n->min && !e->overflow; ++i)
            compile_node(e, k);
        if (n->max == UINT32_MAX) {
            size_t loop = emit(e, R_SPLIT, 0, 0);
            unsigned reg = e->nregs++;
            size_t body = emit(e, R_MARK, reg, 0);
            compile_node(e, k);
            emit(e, R_CHECK, reg, 0);
            emit(e, R_JMP, (uint32_t)loop, 0);
            size_t out = e->len;
            e->prog[loop].x = (uint32_t)(n->greedy ? body : out);
            e->prog[loop].y = (uint32_t)(n->greedy ? out : body);
            break;
        }
        size_t splits_start = e->len, nsplits = n->max - n->min;
        size_t *splits = nsplits ? spec__xmalloc(nsplits * sizeof(*splits)) : NULL;
        for (size_t i = 0; i < nsplits && !e->overflow; ++i) {
            splits[i] = emit(e, R_SPLIT, 0, 0);
            e->prog[splits[i]].x = (uint32_t)e->len; /* body, patched below for lazy */
            compile_node(e, k);
        }
        (void)splits_start;
        for (size_t i = 0; i < nsplits && !e->overflow; ++i) {
            uint32_t body = e->prog[splits[i]].x, out = (uint32_t)e->len;
            e->prog[splits[i]].x = n->greedy ? body : out;
            e->prog[splits[i]].y = n->greedy ? out : body;
        }
        free(splits);
        break;
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
    node_t *root = parse_alt(&ps);
    if (root != NULL && ps.i < ps.len)
        fail_at(&ps, ps.i, 0, "unmatched ')'");
    spec__regex_t *re = NULL;
    if (!ps.failed) {
        emit_t e = {0};
        emit(&e, R_SAVE, 0, 0);
        compile_node(&e, root);
        emit(&e, R_SAVE, 1, 0);
        emit(&e, R_MATCH, 0, 0);
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
            const node_t *first = root->t == N_CAT ? root->first : NULL;
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
