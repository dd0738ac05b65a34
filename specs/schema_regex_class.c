/* Character sets of ECMA-262 patterns (schema_regex.c): ranges of code points, their
 * complements, the class escapes (\d \w \s) and \p{...} General_Category values from the
 * generated Unicode tables (schema_unicode.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema_regex_internal.h"
#include "spec_internal.h"

void spec__regex_set_add(spec__regex_set_t *s, uint32_t lo, uint32_t hi)
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

void spec__regex_set_normalize(spec__regex_set_t *s)
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
void spec__regex_set_add_ranges(spec__regex_set_t *dst, const uint32_t (*src)[2], size_t n,
                                int negate)
{
    if (!negate) {
        for (size_t i = 0; i < n; ++i)
            spec__regex_set_add(dst, src[i][0], src[i][1]);
        return;
    }
    uint32_t from = 0;
    for (size_t i = 0; i < n; ++i) {
        if (src[i][0] > from)
            spec__regex_set_add(dst, from, src[i][0] - 1);
        from = src[i][1] + 1;
    }
    if (from <= 0x10FFFF)
        spec__regex_set_add(dst, from, 0x10FFFF);
}

const uint32_t spec__regex_digit[1][2] = {{'0', '9'}};
const uint32_t spec__regex_word[4][2] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
/* WhiteSpace and LineTerminator (ECMA-262 §12.2, §12.3): Zs, TAB, VT, FF, ZWNBSP, LF, CR, LS, PS */
const uint32_t spec__regex_space[10][2] = {
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
int spec__regex_property(spec__regex_set_t *set, const char *s, size_t n, int negate, char *msg,
                         size_t size)
{
    const char *eq = memchr(s, '=', n);
    if (eq != NULL) {
        size_t kl = (size_t)(eq - s);
        if (!name_is(s, kl, "General_Category") && !name_is(s, kl, "gc"))
            return snprintf(msg, size, "Unicode property \\p{%.*s} (scripts) is not supported",
                            (int)n, s),
                   -1;
        n -= kl + 1;
        s = eq + 1;
    }
    static const uint32_t any_r[][2] = {{0, 0x10FFFF}}, ascii_r[][2] = {{0, 0x7F}};
    if (eq == NULL && (name_is(s, n, "Any") || name_is(s, n, "ASCII"))) {
        spec__regex_set_add_ranges(set, name_is(s, n, "Any") ? any_r : ascii_r, 1, negate);
        return 0;
    }
    const char *cat = NULL;
    int assigned = eq == NULL && name_is(s, n, "Assigned");
    for (size_t i = 0; i < sizeof(gc_names) / sizeof(gc_names[0]) && cat == NULL; ++i)
        if (name_is(s, n, gc_names[i].shrt) || name_is(s, n, gc_names[i].lng) ||
            name_is(s, n, gc_names[i].alias))
            cat = gc_names[i].shrt;
    if (cat == NULL && !assigned)
        return snprintf(msg, size,
                        "Unicode property \\p{%.*s} is not supported (General_Category "
                        "values only)",
                        (int)n, s),
               -1;
    spec__regex_set_t tmp = {0};
    for (const spec__unicode_category_t *c = spec__unicode_categories; c->name != NULL; ++c) {
        int in = assigned ? strcmp(c->name, "Cn") != 0
                 : strcmp(cat, "LC") == 0
                     ? (!strcmp(c->name, "Lu") || !strcmp(c->name, "Ll") || !strcmp(c->name, "Lt"))
                     : strncmp(c->name, cat, strlen(cat)) == 0;
        if (in)
            spec__regex_set_add_ranges(&tmp, c->ranges, c->count, 0);
    }
    spec__regex_set_normalize(&tmp);
    spec__regex_set_add_ranges(set, (const uint32_t(*)[2])tmp.r, tmp.n, negate);
    free(tmp.r);
    return 0;
}
