/* ECMA-262 regular expressions (JSON Schema `pattern`, OpenAPI `pattern`) translated to POSIX
 * extended regular expressions, or refused when ERE cannot express them with the same meaning. */
#include <string.h>
#include "schema.h"

typedef struct {
    char *buf;
    size_t size, len;
    int overflow;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->len + n >= o->size) {
        o->overflow = 1;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void putc_(out_t *o, char c)
{
    put(o, &c, 1);
}

/* Characters with a meaning of their own in an ERE outside brackets. */
static int ere_special(char c)
{
    return strchr(".[]{}()\\*+?^$|", c) != NULL;
}

static void put_literal(out_t *o, char c)
{
    if (ere_special(c))
        putc_(o, '\\');
    putc_(o, c);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes a character escape (after the backslash) that stands for one ASCII character: \t, \n,
 * \xHH, \uHHHH, or an escaped punctuation character. Returns the character, or -1 when the escape
 * is not such a literal. Advances *i past the escape. */
static int escape_literal(const char *p, size_t len, size_t *i)
{
    char c = p[*i];
    static const char controls[] = "tnrfv", values[] = "\t\n\r\f\v";
    const char *ctl = c != '\0' ? strchr(controls, c) : NULL;
    if (ctl != NULL) {
        ++*i;
        return values[ctl - controls];
    }
    if (c == 'x' || c == 'u') {
        size_t digits = c == 'x' ? 2 : 4;
        if (*i + digits >= len)
            return -1;
        int v = 0;
        for (size_t k = 1; k <= digits; ++k) {
            int h = hexval(p[*i + k]);
            if (h < 0)
                return -1;
            v = v * 16 + h;
        }
        if (v < 0x20 || v > 0x7e) /* only printable ASCII keeps byte == character */
            return -1;
        *i += digits + 1;
        return v;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        (unsigned char)c >= 0x80 || c == '\0')
        return -1; /* \b, \B, back-references, \p, \k, \c, \0 ... */
    ++*i;
    return c;
}

/* A bracket expression: members collected first, then emitted in the order POSIX needs
 * (`]` first, `-` last, `^` not first). */
typedef struct {
    int negated;
    unsigned char lit[128]; /* single characters */
    char ranges[64][2];
    size_t nranges;
    int space;
} class_t;

static int class_add_range(class_t *cl, int lo, int hi)
{
    if (lo > hi || cl->nranges == sizeof(cl->ranges) / sizeof(cl->ranges[0]))
        return -1;
    /* Range ends that are bracket syntax themselves are added as single characters when the
     * range is trivial, refused otherwise. */
    if (strchr("]-^[\\", lo) != NULL || strchr("]-^[\\", hi) != NULL) {
        if (lo != hi)
            return -1;
        cl->lit[lo] = 1;
        return 0;
    }
    cl->ranges[cl->nranges][0] = (char)lo;
    cl->ranges[cl->nranges][1] = (char)hi;
    ++cl->nranges;
    return 0;
}

static int class_escape(class_t *cl, const char *p, size_t len, size_t *i, int *single)
{
    *single = -1;
    switch (p[*i]) {
    case 'd':
        ++*i;
        return class_add_range(cl, '0', '9');
    case 'w':
        ++*i;
        if (class_add_range(cl, 'a', 'z') != 0 || class_add_range(cl, 'A', 'Z') != 0 ||
            class_add_range(cl, '0', '9') != 0)
            return -1;
        cl->lit['_'] = 1;
        return 0;
    case 's':
        ++*i;
        cl->space = 1;
        return 0;
    case 'b': /* backspace inside a class */
        return -1;
    default: {
        int c = escape_literal(p, len, i);
        if (c < 0)
            return -1;
        *single = c;
        return 0;
    }
    }
}

/* Parses the class starting after '[' at p[*i]; leaves *i after the closing ']'. */
static int parse_class(class_t *cl, const char *p, size_t len, size_t *i)
{
    memset(cl, 0, sizeof(*cl));
    if (*i < len && p[*i] == '^') {
        cl->negated = 1;
        ++*i;
    }
    if (*i < len && p[*i] == ']')
        return -1; /* [] and [^] have no ERE equivalent */
    while (*i < len && p[*i] != ']') {
        int c;
        if (p[*i] == '\\') {
            ++*i;
            if (*i >= len || class_escape(cl, p, len, i, &c) != 0)
                return -1;
            if (c < 0)
                continue; /* a class shorthand; cannot start a range */
        } else {
            if ((unsigned char)p[*i] >= 0x80)
                return -1;
            if (p[*i] == '[' && *i + 1 < len && strchr(":.=", p[*i + 1]) != NULL)
                return -1; /* POSIX would read a character class/collating element here */
            c = (unsigned char)p[(*i)++];
        }
        if (*i + 1 < len && p[*i] == '-' && p[*i + 1] != ']') {
            ++*i;
            int hi;
            if (p[*i] == '\\') {
                ++*i;
                if (*i >= len || class_escape(cl, p, len, i, &hi) != 0 || hi < 0)
                    return -1;
            } else {
                if ((unsigned char)p[*i] >= 0x80)
                    return -1;
                hi = (unsigned char)p[(*i)++];
            }
            if (class_add_range(cl, c, hi) != 0)
                return -1;
        } else {
            cl->lit[c] = 1;
        }
    }
    if (*i >= len)
        return -1;
    ++*i; /* ']' */
    return 0;
}

static void emit_class(out_t *o, const class_t *cl)
{
    putc_(o, '[');
    if (cl->negated)
        putc_(o, '^');
    if (cl->lit[']'])
        putc_(o, ']');
    for (size_t r = 0; r < cl->nranges; ++r) {
        putc_(o, cl->ranges[r][0]);
        putc_(o, '-');
        putc_(o, cl->ranges[r][1]);
    }
    if (cl->space)
        put(o, "[:space:]", 9);
    for (int c = 1; c < 128; ++c)
        if (cl->lit[c] && c != ']' && c != '-' && c != '^' && c != '[')
            putc_(o, (char)c);
    if (cl->lit['['])
        putc_(o, '[');
    if (cl->lit['^'])
        putc_(o, '^');
    if (cl->lit['-'])
        putc_(o, '-');
    putc_(o, ']');
}

/* JS reads `{` as a quantifier only in the forms {n}, {n,} and {n,m}; anything else is literal. */
static int quantifier_len(const char *p, size_t len, size_t i)
{
    size_t j = i + 1, digits = 0;
    while (j < len && p[j] >= '0' && p[j] <= '9')
        ++j, ++digits;
    if (digits == 0)
        return 0;
    if (j < len && p[j] == ',') {
        ++j;
        while (j < len && p[j] >= '0' && p[j] <= '9')
            ++j;
    }
    if (j < len && p[j] == '}')
        return (int)(j - i + 1);
    return 0;
}

int spec__pattern_to_ere(const char *p, size_t len, char *buf, size_t size)
{
    out_t o = {buf, size, 0, 0};
    int can_quantify = 0; /* the previous item was an atom a quantifier may follow */
    for (size_t i = 0; i < len;) {
        char c = p[i];
        if ((unsigned char)c >= 0x80 || c == '\0')
            return -1;
        switch (c) {
        case '\\': {
            ++i;
            if (i >= len)
                return -1;
            static const struct {
                char esc;
                const char *ere;
            } shorthands[] = {
                {'d', "[0-9]"},         {'D', "[^0-9]"},      {'w', "[A-Za-z0-9_]"},
                {'W', "[^A-Za-z0-9_]"}, {'s', "[[:space:]]"}, {'S', "[^[:space:]]"},
            };
            size_t k;
            for (k = 0; k < sizeof(shorthands) / sizeof(shorthands[0]); ++k)
                if (shorthands[k].esc == p[i])
                    break;
            if (k < sizeof(shorthands) / sizeof(shorthands[0])) {
                put(&o, shorthands[k].ere, strlen(shorthands[k].ere));
                ++i;
            } else {
                int lit = escape_literal(p, len, &i);
                if (lit < 0)
                    return -1;
                put_literal(&o, (char)lit);
            }
            can_quantify = 1;
            break;
        }
        case '[': {
            class_t cl;
            ++i;
            if (parse_class(&cl, p, len, &i) != 0)
                return -1;
            emit_class(&o, &cl);
            can_quantify = 1;
            break;
        }
        case '(':
            if (i + 1 < len && p[i + 1] == '?') {
                if (i + 2 < len && p[i + 2] == ':') {
                    i += 3; /* non-capturing group: captures do not matter without submatches */
                } else {
                    return -1; /* look-around, named groups */
                }
            } else {
                ++i;
            }
            if (i < len && (p[i] == ')' || p[i] == '|'))
                return -1; /* empty alternatives are undefined in POSIX */
            putc_(&o, '(');
            can_quantify = 0;
            break;
        case ')':
            putc_(&o, ')');
            ++i;
            can_quantify = 1;
            break;
        case '|':
            if (i + 1 >= len || p[i + 1] == '|' || p[i + 1] == ')' || i == 0)
                return -1;
            putc_(&o, '|');
            ++i;
            can_quantify = 0;
            break;
        case '.':
            /* JS `.` does not match line terminators. */
            put(&o, "[^\n\r]", 5);
            ++i;
            can_quantify = 1;
            break;
        case '*':
        case '+':
        case '?':
            if (!can_quantify)
                return -1;
            putc_(&o, c);
            ++i;
            if (i < len && p[i] == '?')
                ++i; /* lazy and greedy quantifiers accept the same strings */
            can_quantify = 0;
            break;
        case '{': {
            int q = quantifier_len(p, len, i);
            if (q == 0) {
                put(&o, "\\{", 2);
                ++i;
                can_quantify = 1;
                break;
            }
            if (!can_quantify)
                return -1;
            put(&o, p + i, (size_t)q);
            i += (size_t)q;
            if (i < len && p[i] == '?')
                ++i;
            can_quantify = 0;
            break;
        }
        case '}':
        case ']':
            put_literal(&o, c);
            ++i;
            can_quantify = 1;
            break;
        case '^':
        case '$':
            putc_(&o, c);
            ++i;
            can_quantify = 0;
            break;
        default:
            putc_(&o, c);
            ++i;
            can_quantify = 1;
            break;
        }
        if (o.overflow)
            return -1;
    }
    if (o.len >= size)
        return -1;
    buf[o.len] = '\0';
    return 0;
}
