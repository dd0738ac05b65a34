/* An adapter file parsed (parse.c) and its changes flattened into steps for `versa diff`'s
 * coverage report; see coverage.h. */
#include <stdlib.h>
#include <string.h>
#include "coverage.h"
#include "file.h"

typedef struct {
    adp_cover_step_t *items;
    size_t n, cap;
} steps_t;

struct st_adp_coverage_t {
    adp__arena_t arena;
    json_t *keep;
    steps_t *by_version;
    size_t nversions;
};

static adp_cover_step_t *push(steps_t *s)
{
    if (s->n == s->cap)
        s->items = realloc(s->items, (s->cap = s->cap ? s->cap * 2 : 16) * sizeof(*s->items));
    if (s->items == NULL)
        abort();
    adp_cover_step_t *st = &s->items[s->n++];
    memset(st, 0, sizeof(*st));
    st->method = -1;
    return st;
}

static const char *fmt_path(adp__arena_t *a, const adp__wpath_t *p)
{
    return p->node != NULL ? adp__jpath_format(a, &p->path) : NULL;
}

static void body_steps(adp_coverage_t *c, steps_t *s, const adp__oplist_t *ops, const char *schema,
                       const adp__opent_t *e, int request, int response)
{
    static const adp_cover_kind_t kinds[] = {
        [ADP__OP_RENAME] = ADP_COVER_RENAME,     [ADP__OP_MOVE] = ADP_COVER_MOVE,
        [ADP__OP_ADDED] = ADP_COVER_ADDED,       [ADP__OP_REMOVED] = ADP_COVER_REMOVED,
        [ADP__OP_CONVERT] = ADP_COVER_CONVERT,   [ADP__OP_MAP] = ADP_COVER_MAP,
        [ADP__OP_COLLAPSE] = ADP_COVER_COLLAPSE, [ADP__OP_EXPAND] = ADP_COVER_EXPAND,
        [ADP__OP_WRAP] = ADP_COVER_WRAP,         [ADP__OP_UNWRAP] = ADP_COVER_UNWRAP,
        [ADP__OP_STATUS] = ADP_COVER_STATUS,
    };
    for (size_t i = 0; i != ops->n; ++i) {
        const adp__op_t *op = &ops->items[i];
        adp_cover_step_t *st = push(s);
        st->kind = kinds[op->kind];
        st->list = ADP_COVER_BODY;
        st->keyword = op->name;
        st->pos = op->node->pos;
        st->schema = schema;
        if (e != NULL) {
            st->op_id = e->id;
            st->method = e->method;
            st->tpl = e->tpl;
        }
        st->request = request;
        st->response = response;
        st->old_path = fmt_path(&c->arena, &op->old);
        st->new_path = fmt_path(&c->arena, &op->new);
        if (op->kind == ADP__OP_ADDED)
            st->old_path = NULL;
        if (op->kind == ADP__OP_REMOVED)
            st->new_path = NULL;
        st->has_default = op->has_default || op->has_from;
        st->status_old = op->status_old;
        st->status_new = op->status_new;
    }
}

static void field_steps(steps_t *s, const adp__foplist_t *ops, adp_cover_list_t list,
                        const adp__opent_t *e)
{
    static const adp_cover_kind_t kinds[] = {[ADP__FOP_RENAME] = ADP_COVER_RENAME,
                                             [ADP__FOP_ADDED] = ADP_COVER_ADDED,
                                             [ADP__FOP_REMOVED] = ADP_COVER_REMOVED};
    static const char *names[] = {"rename", "added", "removed"};
    for (size_t i = 0; i != ops->n; ++i) {
        const adp__fop_t *op = &ops->items[i];
        adp_cover_step_t *st = push(s);
        st->kind = kinds[op->kind];
        st->list = list;
        st->keyword = names[op->kind];
        st->pos = op->node->pos;
        if (e != NULL) {
            st->op_id = e->id;
            st->method = e->method;
            st->tpl = e->tpl;
        }
        st->request = list == ADP_COVER_QUERY || op->scope == 0 || (op->scope & ADP__IN_REQUEST);
        st->response =
            list == ADP_COVER_HEADER && (op->scope == 0 || (op->scope & ADP__IN_RESPONSE));
        st->old_path = op->old_name;
        st->new_path = op->new_name;
        st->has_default = op->value != NULL;
    }
}

static void op_entry(adp_coverage_t *c, steps_t *s, const adp__opent_t *e)
{
    if (e->gone || e->path_old != NULL) {
        adp_cover_step_t *st = push(s);
        st->kind = e->gone ? ADP_COVER_GONE : ADP_COVER_PATH;
        st->list = ADP_COVER_OPERATION;
        st->keyword = e->gone ? "gone" : "path";
        st->pos = (e->gone || e->path_node == NULL ? e->key : e->path_node)->pos;
        st->op_id = e->id;
        st->method = e->method;
        st->tpl = e->tpl;
        st->old_path = e->path_old;
        st->new_path = e->path_new;
    }
    body_steps(c, s, &e->request, NULL, e, 1, 0);
    body_steps(c, s, &e->response, NULL, e, 0, 1);
    field_steps(s, &e->headers, ADP_COVER_HEADER, e);
    field_steps(s, &e->query, ADP_COVER_QUERY, e);
}

int adp_coverage_load(adp_coverage_t **out, const char *path, const char *const *names, size_t n,
                      spec_error_t *err)
{
    *out = NULL;
    spec_doc_t *doc;
    if (spec_doc_load(&doc, path, NULL, err) != 0)
        return -1;
    adp_coverage_t *c = adp__xcalloc(1, sizeof(*c));
    adp__arena_init(&c->arena);
    c->keep = json_array();
    c->nversions = n;
    c->by_version = adp__xcalloc(n + 1, sizeof(*c->by_version));
    adp_version_info_t *infos = adp__xcalloc(n + 1, sizeof(*infos));
    for (size_t i = 0; i != n; ++i)
        infos[i] = (adp_version_info_t){names[i], NULL, 1};
    adp__ctx_t ctx = {&c->arena, c->keep, infos, n, err};
    adp__file_t file;
    int rc = adp__parse_file(&ctx, spec_doc_root(doc), &file);
    /* positions point into the document: copy the file name before it goes */
    const char *fname = adp__arena_strdup(&c->arena, spec_doc_file(doc));
    for (size_t v = 0; rc == 0 && v != n; ++v) {
        const adp__change_t *ch = file.by_version[v];
        if (ch == NULL)
            continue;
        steps_t *s = &c->by_version[v];
        for (size_t i = 0; i != ch->nschemas; ++i)
            body_steps(c, s, &ch->schemas[i].ops, ch->schemas[i].name, NULL, 1, 1);
        for (size_t i = 0; i != ch->nops; ++i)
            op_entry(c, s, &ch->ops[i]);
        field_steps(s, &ch->headers, ADP_COVER_HEADER, NULL);
        field_steps(s, &ch->query, ADP_COVER_QUERY, NULL);
        for (size_t i = 0; i != s->n; ++i) {
            s->items[i].pos.file = fname;
            /* strings that point into the document's nodes */
            s->items[i].keyword = adp__arena_strdup(&c->arena, s->items[i].keyword);
            s->items[i].schema =
                s->items[i].schema ? adp__arena_strdup(&c->arena, s->items[i].schema) : NULL;
            s->items[i].op_id =
                s->items[i].op_id ? adp__arena_strdup(&c->arena, s->items[i].op_id) : NULL;
            s->items[i].tpl =
                s->items[i].tpl ? adp__arena_strdup(&c->arena, s->items[i].tpl) : NULL;
            s->items[i].old_path =
                s->items[i].old_path ? adp__arena_strdup(&c->arena, s->items[i].old_path) : NULL;
            s->items[i].new_path =
                s->items[i].new_path ? adp__arena_strdup(&c->arena, s->items[i].new_path) : NULL;
        }
    }
    free(infos);
    spec_doc_destroy(doc);
    if (rc != 0) {
        adp_coverage_destroy(c);
        return -1;
    }
    *out = c;
    return 0;
}

size_t adp_coverage_guess_versions(const spec_doc_t *doc, const char **names, size_t max)
{
    const spec_node_t *root = spec_doc_root(doc);
    const spec_node_t *changes = spec_node_get(root, "changes");
    const spec_node_t *versions = spec_node_get(root, "versions");
    size_t n = 0, nto = 0;
    const char *tos[256];
    for (size_t i = 0; changes != NULL && changes->kind == SPEC_NODE_SEQUENCE &&
                       i != changes->u.seq.len && nto < 256;
         ++i) {
        const char *to = spec_node_str(spec_node_get(changes->u.seq.items[i], "to"));
        if (to != NULL)
            tos[nto++] = to;
    }
    for (size_t i = 0; versions != NULL && versions->kind == SPEC_NODE_MAPPING &&
                       i != versions->u.map.len && n < max;
         ++i) {
        const char *name = versions->u.map.items[i].key->u.scalar.str;
        int is_to = 0;
        for (size_t k = 0; k != nto; ++k)
            is_to |= strcmp(tos[k], name) == 0;
        if (!is_to)
            names[n++] = name;
    }
    if (n == 0 && n < max)
        names[n++] = "base";
    for (size_t k = nto; k-- > 0 && n < max;) /* changes are newest first */
        names[n++] = tos[k];
    return n;
}

adp_cover_step_t *adp_coverage_steps(adp_coverage_t *c, size_t to, size_t *n)
{
    if (to >= c->nversions) {
        *n = 0;
        return NULL;
    }
    *n = c->by_version[to].n;
    return c->by_version[to].items;
}

void adp_coverage_destroy(adp_coverage_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i != c->nversions; ++i)
        free(c->by_version[i].items);
    free(c->by_version);
    json_decref(c->keep);
    adp__arena_dispose(&c->arena);
    free(c);
}
