/* The spec diff's driver: checks both specs can be compared, matches operations by method and
 * path template (equal up to the names of their variables), records findings and sorts them. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "diff_internal.h"

/* ---- findings ---- */

char *spec__diff_strdup(spec_diff_t *d, const char *s)
{
    return s != NULL ? spec__arena_strndup(&d->arena, s, strlen(s)) : NULL;
}

static spec_diff_finding_t *grow(spec_diff_t *d)
{
    if (d->n == d->cap) {
        d->cap = d->cap != 0 ? d->cap * 2 : 64;
        d->items = spec__xrealloc(d->items, d->cap * sizeof(*d->items));
    }
    spec_diff_finding_t *f = &d->items[d->n++];
    memset(f, 0, sizeof(*f));
    f->method = -1;
    return f;
}

spec_diff_finding_t *spec__diff_report(spec__dctx_t *c, const char *id, spec_diff_change_t change,
                                       const spec_node_t *at, const char *fmt, ...)
{
    spec_diff_level_t level;
    if (spec__diff_check_level(id, &level) != 0)
        abort(); /* every id is declared in diff_checks.c */
    spec_diff_t *d = c->diff;
    spec_diff_finding_t *f = grow(d);
    snprintf(f->id, sizeof(f->id), "%s", id);
    f->level = level;
    f->where = c->where;
    f->change = change;
    f->operation = c->operation;
    const spec_operation_t *op = c->bop != NULL ? c->bop : c->rop;
    if (op != NULL) {
        f->operation_id = spec__diff_strdup(d, op->operation_id);
        f->method = (int)op->method;
        f->tpl = spec__diff_strdup(d, op->path->template);
    }
    f->path = spec__arena_strndup(&d->arena, c->ptr, c->ptr_len);
    if (at != NULL) {
        f->file = spec__diff_strdup(d, at->pos.file);
        f->line = at->pos.line;
        f->col = at->pos.col;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    f->message = spec__diff_strdup(d, msg);
    if (c->field_len != 0 || c->where == SPEC_DIFF_AT_REQUEST || c->where == SPEC_DIFF_AT_RESPONSE)
        f->field = spec__arena_strndup(&d->arena, c->field, c->field_len);
    if (c->component != NULL) {
        f->component = spec__diff_strdup(d, c->component);
        size_t at0 = c->component_at;
        if (at0 < c->field_len && c->field[at0] == '.')
            ++at0;
        f->component_field = spec__arena_strndup(&d->arena, c->field + at0, c->field_len - at0);
    }
    f->status = spec__diff_strdup(d, c->status);
    f->param_in = c->param_in;
    return f;
}

void spec_diff_add(spec_diff_t *d, const char *id, spec_diff_level_t level, const spec_pos_t *pos,
                   const char *message)
{
    spec_diff_finding_t *f = grow(d);
    snprintf(f->id, sizeof(f->id), "%s", id);
    f->level = level;
    f->path = "";
    if (pos != NULL) {
        f->file = spec__diff_strdup(d, pos->file);
        f->line = pos->line;
        f->col = pos->col;
    }
    f->message = spec__diff_strdup(d, message);
}

void spec_diff_set_coverage(spec_diff_t *d, size_t i, const char *where)
{
    spec_diff_finding_t *f = &d->items[i];
    if (where != NULL) {
        f->covered_by = spec__diff_strdup(d, where);
        f->uncovered = 0;
        f->level = SPEC_DIFF_INFO; /* old clients keep working through the adapter */
    } else {
        f->uncovered = 1;
        f->level = SPEC_DIFF_ERROR; /* an uncovered breaking change breaks the old version */
    }
}

int spec_diff_breaking(const spec_diff_finding_t *f)
{
    spec_diff_level_t level;
    if (spec__diff_check_level(f->id, &level) != 0)
        return 0;
    return level != SPEC_DIFF_INFO;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int cmp_finding(const void *pa, const void *pb)
{
    const spec_diff_finding_t *a = pa, *b = pb;
    if (a->level != b->level)
        return a->level < b->level ? -1 : 1;
    int r;
    if ((r = cmp_str(a->operation, b->operation)) != 0 || (r = cmp_str(a->path, b->path)) != 0 ||
        (r = strcmp(a->id, b->id)) != 0 || (r = cmp_str(a->file, b->file)) != 0)
        return r;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return a->col < b->col ? -1 : a->col > b->col;
}

void spec_diff_sort(spec_diff_t *d)
{
    if (d->n > 1)
        qsort(d->items, d->n, sizeof(*d->items), cmp_finding);
}

const spec_diff_finding_t *spec_diff_findings(const spec_diff_t *d, size_t *count)
{
    *count = d->n;
    return d->items;
}

size_t spec_diff_count(const spec_diff_t *d, spec_diff_level_t at_least)
{
    size_t n = 0;
    for (size_t i = 0; i != d->n; ++i)
        n += d->items[i].level <= at_least;
    return n;
}

void spec_diff_set_names(spec_diff_t *d, const char *base, const char *revision)
{
    d->base_name = spec__diff_strdup(d, base);
    d->revision_name = spec__diff_strdup(d, revision);
}

void spec_diff_merge(spec_diff_t *into, const spec_diff_t *from)
{
    for (size_t i = 0; i != from->n; ++i) {
        spec_diff_finding_t *f = grow(into);
        const spec_diff_finding_t *s = &from->items[i];
        *f = *s;
        const char **strs[] = {&f->operation, &f->operation_id, &f->path,      &f->file,
                               &f->message,   &f->field,        &f->component, &f->component_field,
                               &f->status,    &f->tpl,          &f->covered_by};
        for (size_t k = 0; k != sizeof(strs) / sizeof(strs[0]); ++k)
            *strs[k] = spec__diff_strdup(into, *strs[k]);
    }
}

void spec_diff_destroy(spec_diff_t *d)
{
    if (d == NULL)
        return;
    spec__arena_dispose(&d->arena);
    free(d->items);
    free(d);
}

/* ---- pointer and field stacks ---- */

size_t spec__diff_push(spec__dctx_t *c, const char *token)
{
    size_t old = c->ptr_len;
    c->ptr[old] = '\0';
    if (spec_pointer_append(c->ptr, sizeof(c->ptr), token, strlen(token)) == 0)
        c->ptr_len = strlen(c->ptr);
    return old;
}

void spec__diff_pop(spec__dctx_t *c, size_t len)
{
    c->ptr_len = len;
    c->ptr[len] = '\0';
}

size_t spec__diff_field_push(spec__dctx_t *c, const char *seg)
{
    size_t old = c->field_len, n = strlen(seg);
    if (n == 0)
        return old;
    int dot = seg[0] != '[' && seg[0] != '.' && old != 0;
    if (old + n + dot + 1 < sizeof(c->field)) {
        if (dot)
            c->field[c->field_len++] = '.';
        memcpy(c->field + c->field_len, seg, n);
        c->field_len += n;
        c->field[c->field_len] = '\0';
    }
    return old;
}

void spec__diff_field_pop(spec__dctx_t *c, size_t len)
{
    c->field_len = len;
    c->field[len] = '\0';
}

/* ---- operations ---- */

/* "GET /pets/{}": the method and the template with variable names dropped. */
static char *op_key(const spec_operation_t *op)
{
    const char *m = spec_method_name(op->method), *t = op->path->template;
    char *k = spec__xmalloc(strlen(m) + strlen(t) + 2), *o = k;
    o += sprintf(o, "%s ", m);
    for (int in = 0; *t != '\0'; ++t) {
        if (*t == '{')
            in = 1, *o++ = '{';
        else if (*t == '}')
            in = 0, *o++ = '}';
        else if (!in)
            *o++ = *t;
    }
    *o = '\0';
    return k;
}

typedef struct {
    char *key;
    const spec_operation_t *op;
    int matched;
} keyed_t;

static int cmp_keyed(const void *a, const void *b)
{
    return strcmp(((const keyed_t *)a)->key, ((const keyed_t *)b)->key);
}

/* Sort order: by key, then by the template as written, so that operations sharing a key (a spec
 * with two templates of one shape, which lint reports) keep a stable order. */
static int cmp_keyed_template(const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c != 0 ? c : strcmp(x->op->path->template, y->op->path->template);
}

/* The revision operation `base` is compared with: one with the same key not yet matched, the
 * one with the same template as written first. So each operation is matched at most once and a
 * spec compared with itself pairs every operation with itself. */
static keyed_t *find_match(keyed_t *rk, size_t rn, const keyed_t *base)
{
    keyed_t *hit = bsearch(base, rk, rn, sizeof(*rk), cmp_keyed), *first = NULL;
    if (hit == NULL)
        return NULL;
    while (hit > rk && cmp_keyed(hit - 1, base) == 0)
        hit--;
    for (; hit != rk + rn && cmp_keyed(hit, base) == 0; hit++) {
        if (hit->matched)
            continue;
        if (strcmp(hit->op->path->template, base->op->path->template) == 0)
            return hit;
        if (first == NULL)
            first = hit;
    }
    return first;
}

static keyed_t *index_ops(const spec_t *s, size_t *n)
{
    *n = spec_operation_count(s);
    keyed_t *k = spec__xcalloc(*n + 1, sizeof(*k));
    for (size_t i = 0; i != *n; ++i) {
        k[i].op = spec_operation_at(s, i);
        k[i].key = op_key(k[i].op);
    }
    qsort(k, *n, sizeof(*k), cmp_keyed_template);
    return k;
}

static int is_deprecated(const spec_node_t *op)
{
    int b = 0;
    return spec_node_bool(spec_node_get(op, "deprecated"), &b) == 0 && b;
}

/* Days since 1970 of "YYYY-MM-DD..." or -1. */
static long parse_day(const char *s)
{
    int y, m, d;
    if (s == NULL || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1)
        return -1;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void op_removed(spec__dctx_t *c, const spec_operation_t *op, int path_gone)
{
    const spec_node_t *sunset = spec_node_get(op->node, "x-sunset");
    if (sunset == NULL && op->path->node != NULL)
        sunset = spec_node_get(op->path->node, "x-sunset");
    long day = parse_day(spec_node_scalar(sunset));
    time_t now = c->opts->now != 0 ? c->opts->now : time(NULL);
    const char *what = path_gone ? "api-path" : "api";
    char id[64];
    c->where = SPEC_DIFF_AT_OPERATION;
    if (!is_deprecated(op->node)) {
        snprintf(id, sizeof(id), "%s-removed-without-deprecation", what);
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_REMOVED, op->key,
                          "%s removed without deprecation: clients calling it break; deprecate "
                          "it first (deprecated: true, x-sunset: DATE) and keep it until the "
                          "sunset, or serve the old version through an adapter (gone: true)",
                          c->operation);
    } else if (day < 0 || (long)(now / 86400) < day) {
        snprintf(id, sizeof(id), "%s-removed-before-sunset", what);
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_REMOVED, op->key,
                          "%s removed %s%s: keep it until the sunset, or answer old clients "
                          "through an adapter (gone: true)",
                          c->operation,
                          day < 0 ? "while deprecated without a sunset date (x-sunset)"
                                  : "before its sunset date ",
                          day < 0 ? "" : spec_node_scalar(sunset));
    } else {
        snprintf(id, sizeof(id), "%s-removed-after-sunset", what);
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_REMOVED, op->key,
                          "%s removed after its sunset date %s", c->operation,
                          spec_node_scalar(sunset));
    }
}

static void compare_op(spec__dctx_t *c)
{
    const spec_operation_t *b = c->bop, *r = c->rop;
    c->where = SPEC_DIFF_AT_OPERATION;
    size_t p = spec__diff_push(c, "paths");
    spec__diff_push(c, r->path->template);
    char m[16];
    snprintf(m, sizeof(m), "%s", spec_method_name(r->method));
    for (char *q = m; *q; ++q)
        *q = (char)(*q - 'A' + 'a');
    spec__diff_push(c, m);
    if (b->operation_id != NULL &&
        (r->operation_id == NULL || strcmp(b->operation_id, r->operation_id)))
        spec__diff_report(c, "api-operation-id-removed", SPEC_DIFF_CHANGE_OTHER, r->key,
                          "%s: operationId %s %s%s: generated clients calling it by name break; "
                          "keep the operationId",
                          c->operation, b->operation_id,
                          r->operation_id != NULL ? "renamed " : "removed",
                          r->operation_id != NULL ? r->operation_id : "");
    if (!is_deprecated(b->node) && is_deprecated(r->node))
        spec__diff_report(c, "endpoint-deprecated", SPEC_DIFF_CHANGE_OTHER,
                          spec_node_get(r->node, "deprecated"), "%s deprecated", c->operation);
    else if (is_deprecated(b->node) && !is_deprecated(r->node))
        spec__diff_report(c, "endpoint-reactivated", SPEC_DIFF_CHANGE_OTHER, r->key,
                          "%s no longer deprecated", c->operation);
    spec__diff_params(c);
    spec__diff_request_body(c);
    spec__diff_responses(c);
    spec__diff_security(c);
    spec__diff_pop(c, p);
}

static void set_operation(spec__dctx_t *c, const spec_operation_t *op)
{
    char buf[2048];
    snprintf(buf, sizeof(buf), "%s %s", spec_method_name(op->method), op->path->template);
    c->operation = spec__diff_strdup(c->diff, buf);
}

static int path_exists(keyed_t *rk, size_t rn, const spec_operation_t *bop)
{
    /* a revision operation with the same template shape, any method */
    char *k = op_key(bop);
    const char *shape = strchr(k, ' ') + 1;
    int found = 0;
    for (size_t i = 0; i != rn && !found; ++i)
        found = strcmp(strchr(rk[i].key, ' ') + 1, shape) == 0;
    free(k);
    return found;
}

static void compare_ops(spec__dctx_t *c)
{
    size_t bn, rn;
    keyed_t *bk = index_ops(c->base, &bn), *rk = index_ops(c->rev, &rn);
    /* path shapes of the revision, sorted, for "whole path removed" */
    for (size_t i = 0; i != bn; ++i) {
        keyed_t *hit = find_match(rk, rn, &bk[i]);
        c->bop = bk[i].op;
        c->rop = hit != NULL ? hit->op : NULL;
        set_operation(c, bk[i].op);
        c->ptr_len = 0;
        c->ptr[0] = '\0';
        if (hit == NULL) {
            spec__diff_push(c, "paths");
            spec__diff_push(c, bk[i].op->path->template);
            op_removed(c, bk[i].op, !path_exists(rk, rn, bk[i].op));
            continue;
        }
        hit->matched = 1;
        compare_op(c);
    }
    for (size_t i = 0; i != rn; ++i) {
        if (rk[i].matched)
            continue;
        c->bop = NULL;
        c->rop = rk[i].op;
        set_operation(c, rk[i].op);
        c->ptr_len = 0;
        c->ptr[0] = '\0';
        spec__diff_push(c, "paths");
        spec__diff_push(c, rk[i].op->path->template);
        c->where = SPEC_DIFF_AT_OPERATION;
        spec__diff_report(c, "endpoint-added", SPEC_DIFF_CHANGE_ADDED, rk[i].op->key, "%s added",
                          c->operation);
    }
    for (size_t i = 0; i != bn; ++i)
        free(bk[i].key);
    for (size_t i = 0; i != rn; ++i)
        free(rk[i].key);
    free(bk);
    free(rk);
    c->bop = c->rop = NULL;
    c->operation = NULL;
}

/* The first error of a spec, as spec_load would have reported it. */
static int spec_errors(const spec_t *s, spec_error_t *err)
{
    size_t n;
    const spec_problem_t *p = spec_problems(s, &n);
    for (size_t i = 0; i != n; ++i) {
        if (p[i].severity != SPEC_SEVERITY_ERROR)
            continue;
        if (strcmp(p[i].code, SPEC_PROBLEM_PATH_AMBIGUOUS) == 0 ||
            strcmp(p[i].code, SPEC_PROBLEM_PATH_TEMPLATE) == 0 ||
            strcmp(p[i].code, SPEC_PROBLEM_STRUCTURE) == 0)
            continue; /* routing problems; the operations still compare */
        *err = p[i].error;
        return -1;
    }
    return 0;
}

int spec_diff_run(spec_diff_t **out, const spec_t *base, const spec_t *rev,
                  const spec_diff_options_t *opts, spec_error_t *err)
{
    *out = NULL;
    if (spec_errors(base, err) != 0 || spec_errors(rev, err) != 0)
        return -1;
    if (spec_version(base) != spec_version(rev)) {
        const spec_node_t *v = spec_node_get(spec_root(rev), "openapi");
        spec_error_at(err, v != NULL ? v : spec_root(rev),
                      "cannot compare OpenAPI %s with OpenAPI %s: convert the base to the same "
                      "minor version first (3.0 and 3.1 schemas differ: nullable, type arrays, "
                      "exclusive bounds)",
                      spec_version_string(base), spec_version_string(rev));
        return -1;
    }
    spec_diff_options_t defaults = {0};
    if (opts == NULL)
        opts = &defaults;
    spec_diff_t *d = spec__xcalloc(1, sizeof(*d));
    spec__arena_init(&d->arena);
    spec__dctx_t *c = spec__xcalloc(1, sizeof(*c));
    c->diff = d;
    c->base = base;
    c->rev = rev;
    c->opts = opts;
    compare_ops(c);
    c->ptr_len = 0;
    c->ptr[0] = '\0';
    c->where = SPEC_DIFF_AT_SPEC;
    spec__diff_servers(c);
    spec__pairset_dispose(&c->visited);
    free(c);
    spec_diff_sort(d);
    *out = d;
    return 0;
}

/* ---- visited pairs ---- */

static size_t hash_pair(const void *a, const void *b)
{
    uint64_t h = (uint64_t)(uintptr_t)a * 0x9e3779b97f4a7c15ull;
    h ^= (uint64_t)(uintptr_t)b + 0x7f4a7c159e3779b9ull + (h << 6) + (h >> 2);
    h ^= h >> 29;
    return (size_t)h;
}

int spec__pairset_add(spec__pairset_t *s, const void *a, const void *b)
{
    if ((s->len + 1) * 2 > s->cap) {
        spec__pairset_t bigger = {spec__xcalloc(s->cap ? s->cap * 4 : 128, sizeof(void *)),
                                  s->cap ? s->cap * 2 : 64, 0};
        for (size_t i = 0; i != s->cap; ++i)
            if (s->keys[2 * i] != NULL)
                spec__pairset_add(&bigger, s->keys[2 * i], s->keys[2 * i + 1]);
        free(s->keys);
        *s = bigger;
    }
    size_t mask = s->cap - 1, i = hash_pair(a, b) & mask;
    for (;; i = (i + 1) & mask) {
        if (s->keys[2 * i] == NULL) {
            s->keys[2 * i] = a;
            s->keys[2 * i + 1] = b;
            s->len++;
            return 1;
        }
        if (s->keys[2 * i] == a && s->keys[2 * i + 1] == b)
            return 0;
    }
}

void spec__pairset_clear(spec__pairset_t *s)
{
    if (s->len != 0)
        memset(s->keys, 0, s->cap * 2 * sizeof(void *));
    s->len = 0;
}

void spec__pairset_dispose(spec__pairset_t *s)
{
    free(s->keys);
    *s = (spec__pairset_t){0};
}
