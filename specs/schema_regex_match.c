/* Runs a compiled ECMA-262 pattern (schema_regex.c) over a UTF-8 string: a backtracking VM with
 * an explicit stack (no recursion but for look-around) and a step budget, so a hostile string
 * against a pattern that backtracks exponentially ((a+)+b) costs a bounded amount of work. */
#include <stdlib.h>
#include <string.h>
#include "schema_regex_internal.h"
#include "spec_internal.h"

#define MAX_BACKTRACK 1000000 /* stack entries; past it the search gives up like a spent budget */

enum { BT_THREAD, BT_SLOT, BT_REG, BT_REP };

typedef struct {
    uint8_t kind;
    uint32_t pc;
    size_t sp, a;
} bt_t;

typedef struct {
    const spec__regex_t *re;
    const char *s;
    size_t len, steps;
    size_t *caps, *regs;
    bt_t *stack, local[256];
    size_t top, cap;
} vm_t;

int spec__regex_class_has(const spec__regex_class_t *c, uint32_t cp)
{
    size_t lo = 0, hi = c->count;
    int in = 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < c->ranges[mid][0])
            hi = mid;
        else if (cp > c->ranges[mid][1])
            lo = mid + 1;
        else {
            in = 1;
            break;
        }
    }
    return in != c->negated;
}

size_t spec__regex_budget(size_t len)
{
    return 100000 + 64 * len;
}

static int push(vm_t *m, int kind, uint32_t pc, size_t sp, size_t a)
{
    if (m->top == m->cap) {
        if (m->cap >= MAX_BACKTRACK)
            return -1;
        size_t cap = m->cap * 2;
        if (m->stack == m->local) {
            m->stack = spec__xmalloc(cap * sizeof(*m->stack));
            memcpy(m->stack, m->local, sizeof(m->local));
        } else {
            m->stack = spec__xrealloc(m->stack, cap * sizeof(*m->stack));
        }
        m->cap = cap;
    }
    m->stack[m->top++] = (bt_t){(uint8_t)kind, pc, sp, a};
    return 0;
}

static int is_line_terminator(uint32_t c)
{
    return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
}

static int is_word(const vm_t *m, size_t at)
{
    if (at >= m->len)
        return 0;
    char c = m->s[at];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Whether the one-character instruction `in` matches at sp; its byte length in *n. */
static int match_one(const vm_t *m, const spec__regex_inst_t *in, size_t sp, size_t *n)
{
    if (sp >= m->len)
        return 0;
    uint32_t c = spec__regex_decode(m->s, m->len, sp, n);
    switch (in->op) {
    case R_CHAR:
        return c == in->x;
    case R_ANY:
        return !is_line_terminator(c);
    default:
        return spec__regex_class_has(&m->re->classes[in->x], c);
    }
}

/* The start of the character that ends at sp (> 0) as spec__regex_decode reads forwards: a lead
 * byte whose sequence ends exactly at sp, else the byte before sp alone (bytes of malformed
 * UTF-8 are characters of their own). Never below 0. */
static size_t prev_boundary(const vm_t *m, size_t sp)
{
    if (sp == 0)
        return 0;
    for (size_t k = 1; k <= 4 && k <= sp; ++k) {
        if (((unsigned char)m->s[sp - k] & 0xC0) != 0x80) {
            size_t n;
            (void)spec__regex_decode(m->s, m->len, sp - k, &n);
            return n == k ? sp - k : sp - 1;
        }
    }
    return sp - 1;
}

/* Runs from pc at sp until R_MATCH (at `must_end` when that is not REGEX_NONE). Returns 1, 0, or
 * -1 when the budget ran out. Leaves the stack as it found it on 0; on 1 the caller drops what
 * the run pushed (look-around is atomic) or keeps it (the top level returns at once). */
static int run(vm_t *m, uint32_t pc, size_t sp, size_t must_end)
{
    const spec__regex_inst_t *prog = m->re->prog;
    size_t base = m->top, n;
    for (;;) {
        if (m->steps == 0)
            return -1;
        --m->steps;
        const spec__regex_inst_t *in = &prog[pc];
        switch (in->op) {
        case R_CHAR:
        case R_ANY:
        case R_CLASS:
            if (!match_one(m, in, sp, &n))
                goto fail;
            sp += n;
            ++pc;
            continue;
        case R_SPLIT:
            if (push(m, BT_THREAD, in->y, sp, 0) != 0)
                return -1;
            pc = in->x;
            continue;
        case R_JMP:
            pc = in->x;
            continue;
        case R_SAVE:
            if (push(m, BT_SLOT, in->x, m->caps[in->x], 0) != 0)
                return -1;
            m->caps[in->x] = sp;
            ++pc;
            continue;
        case R_MATCH:
            if (must_end != REGEX_NONE && sp != must_end)
                goto fail;
            return 1;
        case R_BOL:
            if (sp != 0)
                goto fail;
            ++pc;
            continue;
        case R_EOL:
            if (sp != m->len)
                goto fail;
            ++pc;
            continue;
        case R_WORDB:
        case R_NWORDB: {
            int b = (sp > 0 && is_word(m, sp - 1)) != is_word(m, sp);
            if (b != (in->op == R_WORDB))
                goto fail;
            ++pc;
            continue;
        }
        case R_LOOK: {
            size_t mark = m->top;
            int r = 0;
            if (in->flag & 2) {
                /* look-behind: some start j <= sp from which the body ends exactly at sp */
                for (size_t j = sp;; j = prev_boundary(m, j)) {
                    r = run(m, in->x, j, sp);
                    if (r != 0 || j == 0)
                        break;
                }
            } else {
                r = run(m, in->x, sp, REGEX_NONE);
            }
            m->top = mark;
            if (r < 0)
                return -1;
            if ((r == 1) == ((in->flag & 1) != 0))
                goto fail;
            pc = in->y;
            continue;
        }
        case R_BACKREF: {
            size_t from = m->caps[in->x * 2], to = m->caps[in->x * 2 + 1];
            if (from != REGEX_NONE && to != REGEX_NONE && to > from) {
                if (to - from > m->len - sp || memcmp(m->s + from, m->s + sp, to - from) != 0)
                    goto fail;
                sp += to - from;
            }
            ++pc;
            continue;
        }
        case R_REP: {
            const spec__regex_inst_t *one = &prog[pc + 1];
            size_t count = 0;
            if (in->flag) { /* greedy: as many as possible, then give back one at a time */
                while (count < in->max && match_one(m, one, sp, &n)) {
                    sp += n;
                    ++count;
                    if (m->steps == 0)
                        return -1;
                    --m->steps;
                }
                if (count < in->min)
                    goto fail;
            } else {
                for (; count < in->min; ++count) {
                    if (!match_one(m, one, sp, &n))
                        goto fail;
                    sp += n;
                }
            }
            if ((in->flag ? count > in->min : count < in->max) &&
                push(m, BT_REP, pc, sp, count) != 0)
                return -1;
            pc += 2;
            continue;
        }
        case R_MARK:
            if (push(m, BT_REG, in->x, m->regs[in->x], 0) != 0)
                return -1;
            m->regs[in->x] = sp;
            ++pc;
            continue;
        case R_CHECK:
            if (m->regs[in->x] == sp)
                goto fail;
            ++pc;
            continue;
        }
    fail:
        for (;;) {
            if (m->top == base)
                return 0;
            bt_t *e = &m->stack[--m->top];
            if (e->kind == BT_SLOT) {
                m->caps[e->pc] = e->sp;
            } else if (e->kind == BT_REG) {
                m->regs[e->pc] = e->sp;
            } else if (e->kind == BT_THREAD) {
                pc = e->pc;
                sp = e->sp;
                break;
            } else { /* BT_REP: one fewer (greedy) or one more (lazy) repetition */
                const spec__regex_inst_t *rep = &prog[e->pc];
                size_t count = e->a;
                uint32_t rpc = e->pc;
                sp = e->sp;
                if (rep->flag) {
                    sp = prev_boundary(m, sp);
                    --count;
                } else {
                    if (!match_one(m, &prog[rpc + 1], sp, &n))
                        continue;
                    sp += n;
                    ++count;
                }
                if ((rep->flag ? count > rep->min : count < rep->max) &&
                    push(m, BT_REP, rpc, sp, count) != 0)
                    return -1;
                pc = rpc + 2;
                break;
            }
        }
    }
}

int spec__regex_search(const spec__regex_t *re, const char *s, size_t len, size_t max_steps)
{
    vm_t m;
    size_t local[64];
    size_t slots = (re->ngroups + 1) * 2 + re->nregs;
    m.re = re;
    m.s = s;
    m.len = len;
    m.steps = max_steps;
    m.caps = slots <= 64 ? local : spec__xmalloc(slots * sizeof(size_t));
    m.regs = m.caps + (re->ngroups + 1) * 2;
    m.stack = m.local;
    m.cap = sizeof(m.local) / sizeof(m.local[0]);
    int r = 0;
    for (size_t start = 0; start <= len;) {
        for (size_t i = 0; i < slots; ++i)
            m.caps[i] = REGEX_NONE;
        m.top = 0;
        r = run(&m, 0, start, REGEX_NONE);
        if (r != 0 || re->anchored || start == len)
            break;
        /* the next start: a literal first character is looked for with memchr */
        const spec__regex_inst_t *first = &re->prog[1];
        ++start;
        while (start < len && ((unsigned char)s[start] & 0xC0) == 0x80)
            ++start;
        if (first->op == R_CHAR && first->x < 0x80) {
            const char *hit = memchr(s + start, (int)first->x, len - start);
            if (hit == NULL)
                break;
            start = (size_t)(hit - s);
        }
    }
    if (m.stack != m.local)
        free(m.stack);
    if (m.caps != local)
        free(m.caps);
    return r;
}
