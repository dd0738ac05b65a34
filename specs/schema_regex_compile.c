/* Compiles the tree of an ECMA-262 pattern (schema_regex.c) into the program
 * schema_regex_match.c runs: alternatives and loops as SPLIT/JMP, one-character repetitions as a
 * single REP, counted repetitions expanded up to REGEX_MAX_PROGRAM instructions, and a MARK/CHECK
 * pair around each unbounded loop so that an empty iteration ends it (ECMA-262 RepeatMatcher). */
#include <stdlib.h>
#include "schema_regex_internal.h"
#include "spec_internal.h"

size_t spec__regex_emit(spec__regex_emit_t *e, int op, uint32_t x, uint32_t y)
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

void spec__regex_emit_node(spec__regex_emit_t *e, const spec__regex_node_t *n)
{
    if (e->overflow)
        return;
    switch (n->t) {
    case N_CHAR:
        spec__regex_emit(e, R_CHAR, n->cp, 0);
        break;
    case N_ANY:
        spec__regex_emit(e, R_ANY, 0, 0);
        break;
    case N_CLASS:
        spec__regex_emit(e, R_CLASS, (uint32_t)n->idx, 0);
        break;
    case N_CAT:
        for (const spec__regex_node_t *k = n->first; k != NULL; k = k->next)
            spec__regex_emit_node(e, k);
        break;
    case N_ALT: {
        size_t jumps[256], nj = 0;
        for (const spec__regex_node_t *k = n->first; k != NULL; k = k->next) {
            size_t split = k->next != NULL ? spec__regex_emit(e, R_SPLIT, 0, 0) : 0;
            if (k->next != NULL)
                e->prog[split].x = (uint32_t)e->len;
            spec__regex_emit_node(e, k);
            if (k->next != NULL) {
                size_t j = spec__regex_emit(e, R_JMP, 0, 0);
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
            spec__regex_emit(e, R_SAVE, (uint32_t)n->idx * 2, 0);
        spec__regex_emit_node(e, n->first);
        if (n->idx > 0)
            spec__regex_emit(e, R_SAVE, (uint32_t)n->idx * 2 + 1, 0);
        break;
    case N_BOL:
    case N_EOL:
    case N_WORDB:
    case N_NWORDB:
        spec__regex_emit(e,
                         n->t == N_BOL     ? R_BOL
                         : n->t == N_EOL   ? R_EOL
                         : n->t == N_WORDB ? R_WORDB
                                           : R_NWORDB,
                         0, 0);
        break;
    case N_LOOK: {
        size_t look = spec__regex_emit(e, R_LOOK, 0, 0);
        e->prog[look].flag = n->flag;
        e->prog[look].x = (uint32_t)e->len;
        spec__regex_emit_node(e, n->first);
        spec__regex_emit(e, R_MATCH, 0, 0);
        e->prog[look].y = (uint32_t)e->len;
        break;
    }
    case N_BACKREF:
        spec__regex_emit(e, R_BACKREF, (uint32_t)n->idx, 0);
        break;
    case N_REPEAT: {
        const spec__regex_node_t *k = n->first;
        if (k->t == N_CHAR || k->t == N_ANY || k->t == N_CLASS) {
            /* one character at a time: a counted loop without a backtrack entry per step */
            size_t rep = spec__regex_emit(e, R_REP, 0, 0);
            e->prog[rep].min = n->min;
            e->prog[rep].max = n->max;
            e->prog[rep].flag = n->greedy;
            spec__regex_emit_node(e, k);
            break;
        }
        for (uint32_t i = 0; i < n->min && !e->overflow; ++i)
            spec__regex_emit_node(e, k);
        if (n->max == UINT32_MAX) {
            size_t loop = spec__regex_emit(e, R_SPLIT, 0, 0);
            unsigned reg = e->nregs++;
            size_t body = spec__regex_emit(e, R_MARK, reg, 0);
            spec__regex_emit_node(e, k);
            spec__regex_emit(e, R_CHECK, reg, 0);
            spec__regex_emit(e, R_JMP, (uint32_t)loop, 0);
            size_t out = e->len;
            e->prog[loop].x = (uint32_t)(n->greedy ? body : out);
            e->prog[loop].y = (uint32_t)(n->greedy ? out : body);
            break;
        }
        size_t splits_start = e->len, nsplits = n->max - n->min;
        size_t *splits = nsplits ? spec__xmalloc(nsplits * sizeof(*splits)) : NULL;
        for (size_t i = 0; i < nsplits && !e->overflow; ++i) {
            splits[i] = spec__regex_emit(e, R_SPLIT, 0, 0);
            e->prog[splits[i]].x = (uint32_t)e->len; /* body, patched below for lazy */
            spec__regex_emit_node(e, k);
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
