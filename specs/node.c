/* Positioned document tree: builds spec_node_t trees from libyaml's event stream into one arena
 * per document. Aliases point at their anchored node, so expansion bombs cost nothing. Scalars
 * are typed in node_scalar.c; lookups and errors at a node are in node_read.c. */
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#include "node_internal.h"

/* Chunks start small and double up to ARENA_CHUNK: a spec of thousands of small files must not
 * cost 64 KiB per file. */
#define ARENA_FIRST_CHUNK (2 * 1024)
#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    char bytes[];
};

struct st_spec_doc_t {
    struct arena_chunk *chunks;
    const spec_node_t *root;
    char *file;
    size_t bytes; /* of the source text */
};

/* Anchor table: open addressing, names hashed with FNV-1a. */
struct anchor {
    const char *name;
    const spec_node_t *node;
};

typedef struct {
    spec_doc_t *doc;
    yaml_parser_t parser;
    spec_limits_t limits;
    spec_error_t *err;
    size_t nodes, aliases;
    struct anchor *anchors;
    size_t anchors_cap, anchors_len;
} builder_t;

static void *xrealloc(void *p, size_t sz)
{
    void *r = realloc(p, sz);
    if (r == NULL && sz != 0)
        abort();
    return r;
}

static void *arena_alloc(spec_doc_t *doc, size_t sz)
{
    sz = (sz + 7) & ~(size_t)7;
    struct arena_chunk *c = doc->chunks;
    if (c == NULL || c->size - c->used < sz) {
        size_t regular = c == NULL ? ARENA_FIRST_CHUNK
                                   : c->size * 2 < ARENA_CHUNK ? c->size * 2 : ARENA_CHUNK;
        size_t size = sz > regular / 4 ? sz : regular;
        c = xrealloc(NULL, sizeof(*c) + size);
        c->used = 0;
        c->size = size;
        /* big one-off blocks go behind the current chunk so its free space stays usable */
        if (size != regular && doc->chunks != NULL) {
            c->next = doc->chunks->next;
            doc->chunks->next = c;
        } else {
            c->next = doc->chunks;
            doc->chunks = c;
        }
    }
    void *p = c->bytes + c->used;
    c->used += sz;
    return p;
}

static char *arena_strndup(spec_doc_t *doc, const char *s, size_t len)
{
    char *p = arena_alloc(doc, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static int fail_at(builder_t *b, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(builder_t *b, const yaml_mark_t *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    spec__error_vfill(b->err, b->doc->file, m != NULL ? (uint32_t)m->line + 1 : 0,
                      m != NULL ? (uint32_t)m->column + 1 : 0, fmt, ap);
    va_end(ap);
    return -1;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; ++s)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void anchor_put(builder_t *b, const char *name, const spec_node_t *node)
{
    if ((b->anchors_len + 1) * 2 > b->anchors_cap) {
        struct anchor *old = b->anchors;
        size_t oldcap = b->anchors_cap;
        b->anchors_cap = oldcap ? oldcap * 2 : 16;
        b->anchors = xrealloc(NULL, b->anchors_cap * sizeof(*b->anchors));
        memset(b->anchors, 0, b->anchors_cap * sizeof(*b->anchors));
        b->anchors_len = 0;
        for (size_t i = 0; i < oldcap; ++i)
            if (old[i].name != NULL)
                anchor_put(b, old[i].name, old[i].node);
        free(old);
    }
    size_t i = fnv1a(name) & (b->anchors_cap - 1);
    while (b->anchors[i].name != NULL && strcmp(b->anchors[i].name, name) != 0)
        i = (i + 1) & (b->anchors_cap - 1);
    if (b->anchors[i].name == NULL) {
        b->anchors[i].name = arena_strndup(b->doc, name, strlen(name));
        ++b->anchors_len;
    }
    b->anchors[i].node = node; /* YAML: a redefined anchor shadows the earlier one */
}

static const spec_node_t *anchor_get(builder_t *b, const char *name)
{
    if (b->anchors_cap == 0)
        return NULL;
    size_t i = fnv1a(name) & (b->anchors_cap - 1);
    while (b->anchors[i].name != NULL) {
        if (strcmp(b->anchors[i].name, name) == 0)
            return b->anchors[i].node;
        i = (i + 1) & (b->anchors_cap - 1);
    }
    return NULL;
}

static spec_node_t *new_node(builder_t *b, spec_node_kind_t kind, const yaml_mark_t *m)
{
    if (++b->nodes > b->limits.max_nodes) {
        fail_at(b, m, "document has more than %zu nodes", b->limits.max_nodes);
        return NULL;
    }
    spec_node_t *n = arena_alloc(b->doc, sizeof(*n));
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->pos.file = b->doc->file;
    n->pos.line = (uint32_t)m->line + 1;
    n->pos.col = (uint32_t)m->column + 1;
    return n;
}

static int next_event(builder_t *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev)) {
        const yaml_mark_t *m = &b->parser.problem_mark;
        return fail_at(b, m, "YAML syntax error: %s%s%s",
                       b->parser.problem != NULL ? b->parser.problem : "invalid input",
                       b->parser.context != NULL ? " " : "",
                       b->parser.context != NULL ? b->parser.context : "");
    }
    return 0;
}

static int parse_node(builder_t *b, yaml_event_t *ev, uint32_t depth, const spec_node_t **out);

static int cmp_pairs_by_key(const void *a, const void *b)
{
    const spec_pair_t *x = a, *y = b;
    size_t lx = x->key->u.scalar.len, ly = y->key->u.scalar.len;
    int c = memcmp(x->key->u.scalar.str, y->key->u.scalar.str, lx < ly ? lx : ly);
    return c != 0 ? c : (lx > ly) - (lx < ly);
}

/* Duplicate keys are an error (YAML 1.2 §3.2.1.1); sorting a copy keeps this O(n log n). */
static int check_duplicate_keys(builder_t *b, const spec_pair_t *items, size_t len)
{
    if (len < 2)
        return 0;
    spec_pair_t *copy = xrealloc(NULL, len * sizeof(*copy));
    memcpy(copy, items, len * sizeof(*copy));
    qsort(copy, len, sizeof(*copy), cmp_pairs_by_key);
    int ret = 0;
    for (size_t i = 1; i < len; ++i) {
        if (cmp_pairs_by_key(&copy[i - 1], &copy[i]) == 0) {
            const spec_node_t *k = copy[i - 1].key->pos.line > copy[i].key->pos.line ||
                                           (copy[i - 1].key->pos.line == copy[i].key->pos.line &&
                                            copy[i - 1].key->pos.col > copy[i].key->pos.col)
                                       ? copy[i - 1].key
                                       : copy[i].key;
            yaml_mark_t m = {0, k->pos.line - 1, k->pos.col - 1};
            ret = fail_at(b, &m, "duplicate key '%s'", k->u.scalar.str);
            break;
        }
    }
    free(copy);
    return ret;
}

static int parse_collection(builder_t *b, spec_node_t *n, yaml_event_type_t end, uint32_t depth)
{
    void *items = NULL;
    size_t len = 0, cap = 0,
           elem = n->kind == SPEC_NODE_MAPPING ? sizeof(spec_pair_t) : sizeof(spec_node_t *);
    int ret = -1;
    for (;;) {
        yaml_event_t ev;
        if (next_event(b, &ev) != 0)
            goto exit;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            break;
        }
        const spec_node_t *child;
        yaml_mark_t mark = ev.start_mark;
        if (parse_node(b, &ev, depth + 1, &child) != 0)
            goto exit;
        if (len == cap) {
            cap = cap ? cap * 2 : 8;
            items = xrealloc(items, cap * elem);
        }
        if (n->kind == SPEC_NODE_SEQUENCE) {
            ((const spec_node_t **)items)[len++] = child;
            continue;
        }
        if (child->kind != SPEC_NODE_SCALAR) {
            fail_at(b, &mark, "mapping keys must be scalars");
            goto exit;
        }
        yaml_event_t vev;
        if (next_event(b, &vev) != 0)
            goto exit;
        const spec_node_t *value;
        if (parse_node(b, &vev, depth + 1, &value) != 0)
            goto exit;
        ((spec_pair_t *)items)[len++] = (spec_pair_t){child, value};
    }
    void *stored = arena_alloc(b->doc, len * elem + 1);
    if (len != 0)
        memcpy(stored, items, len * elem);
    if (n->kind == SPEC_NODE_MAPPING) {
        n->u.map.items = stored;
        n->u.map.len = len;
        if (check_duplicate_keys(b, stored, len) != 0)
            goto exit;
    } else {
        n->u.seq.items = stored;
        n->u.seq.len = len;
    }
    ret = 0;
exit:
    free(items);
    return ret;
}

static int is_str_tag(const yaml_char_t *tag)
{
    return tag != NULL &&
           (!strcmp((const char *)tag, YAML_STR_TAG) || !strcmp((const char *)tag, "!"));
}

/* Consumes `ev` (always deleted) and the events of its subtree. */
static int parse_node(builder_t *b, yaml_event_t *ev, uint32_t depth, const spec_node_t **out)
{
    int ret = -1;
    const yaml_char_t *anchor = NULL;
    spec_node_t *n = NULL;
    if (depth > b->limits.max_depth) {
        fail_at(b, &ev->start_mark, "nesting deeper than %u levels", b->limits.max_depth);
        goto exit;
    }
    switch (ev->type) {
    case YAML_ALIAS_EVENT: {
        if (++b->aliases > b->limits.max_aliases) {
            fail_at(b, &ev->start_mark, "more than %zu aliases", b->limits.max_aliases);
            goto exit;
        }
        const spec_node_t *target = anchor_get(b, (const char *)ev->data.alias.anchor);
        if (target == NULL) {
            fail_at(b, &ev->start_mark, "unknown anchor '%s'", ev->data.alias.anchor);
            goto exit;
        }
        *out = target;
        ret = 0;
        goto exit;
    }
    case YAML_SCALAR_EVENT: {
        if ((n = new_node(b, SPEC_NODE_SCALAR, &ev->start_mark)) == NULL)
            goto exit;
        n->u.scalar.str =
            arena_strndup(b->doc, (const char *)ev->data.scalar.value, ev->data.scalar.length);
        n->u.scalar.len = ev->data.scalar.length;
        int plain =
            ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !is_str_tag(ev->data.scalar.tag);
        n->scalar_type = plain ? spec__node_resolve_plain(n->u.scalar.str) : SPEC_SCALAR_STRING;
        anchor = ev->data.scalar.anchor;
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        if ((n = new_node(b, is_map ? SPEC_NODE_MAPPING : SPEC_NODE_SEQUENCE, &ev->start_mark)) ==
            NULL)
            goto exit;
        /* The anchor is registered once the collection is complete, so an alias inside it
         * ("&a [*a]") is an unknown anchor: the tree stays acyclic for every consumer. */
        anchor = is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
        if (parse_collection(b, n, is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT,
                             depth) != 0)
            goto exit;
        break;
    }
    default:
        fail_at(b, &ev->start_mark, "unexpected YAML event");
        goto exit;
    }
    if (anchor != NULL)
        anchor_put(b, (const char *)anchor, n);
    *out = n;
    ret = 0;
exit:
    yaml_event_delete(ev);
    return ret;
}

static int expect_event(builder_t *b, yaml_event_type_t type, const char *what)
{
    yaml_event_t ev;
    if (next_event(b, &ev) != 0)
        return -1;
    int ok = ev.type == type;
    yaml_mark_t m = ev.start_mark;
    yaml_event_delete(&ev);
    return ok ? 0 : fail_at(b, &m, "%s", what);
}

static int build(builder_t *b)
{
    if (expect_event(b, YAML_STREAM_START_EVENT, "expected a YAML stream") != 0)
        return -1;
    yaml_event_t ev;
    if (next_event(b, &ev) != 0)
        return -1;
    if (ev.type != YAML_DOCUMENT_START_EVENT) {
        yaml_mark_t m = ev.start_mark;
        yaml_event_delete(&ev);
        return fail_at(b, &m, "document is empty");
    }
    yaml_event_delete(&ev);
    if (next_event(b, &ev) != 0 || parse_node(b, &ev, 1, &b->doc->root) != 0)
        return -1;
    if (expect_event(b, YAML_DOCUMENT_END_EVENT, "expected the end of the document") != 0)
        return -1;
    return expect_event(b, YAML_STREAM_END_EVENT,
                        "more than one YAML document in the file (only one is allowed)");
}

static void set_limits(spec_limits_t *dst, const spec_limits_t *src)
{
    *dst = src != NULL ? *src : (spec_limits_t){0};
    if (dst->max_file_bytes == 0)
        dst->max_file_bytes = 64 * 1024 * 1024;
    if (dst->max_depth == 0)
        dst->max_depth = 256;
    if (dst->max_aliases == 0)
        dst->max_aliases = 100000;
    if (dst->max_nodes == 0)
        dst->max_nodes = 8 * 1024 * 1024;
}

int spec_doc_parse(spec_doc_t **out, const char *file, const char *buf, size_t len,
                   const spec_limits_t *limits, spec_error_t *err)
{
    builder_t b = {.err = err};
    set_limits(&b.limits, limits);
    b.doc = xrealloc(NULL, sizeof(*b.doc));
    memset(b.doc, 0, sizeof(*b.doc));
    b.doc->file = arena_strndup(b.doc, file, strlen(file));
    b.doc->bytes = len;
    if (len > b.limits.max_file_bytes) {
        fail_at(&b, NULL, "file is larger than %zu bytes", b.limits.max_file_bytes);
        spec_doc_destroy(b.doc);
        return -1;
    }
    if (!yaml_parser_initialize(&b.parser))
        abort();
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)buf, len);
    int ret = build(&b);
    yaml_parser_delete(&b.parser);
    free(b.anchors);
    if (ret != 0) {
        spec_doc_destroy(b.doc);
        return -1;
    }
    *out = b.doc;
    return 0;
}

int spec_doc_load(spec_doc_t **out, const char *path, const spec_limits_t *limits,
                  spec_error_t *err)
{
    spec_limits_t lim;
    set_limits(&lim, limits);
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused once fstat says
     * what it is (and O_NONBLOCK does not change reads of a regular file) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    FILE *fp = NULL;
    struct stat st;
    const char *why = NULL;
    char *buf = NULL;
    int ret = -1;
    if (fd < 0 || fstat(fd, &st) != 0) {
        why = strerror(errno);
    } else if (!S_ISREG(st.st_mode)) {
        why = "not a regular file";
    } else if ((fp = fdopen(fd, "rb")) == NULL) {
        why = strerror(errno);
    } else if ((size_t)st.st_size > lim.max_file_bytes) {
        why = "file too large";
    } else {
        buf = xrealloc(NULL, (size_t)st.st_size + 1);
        if (fread(buf, 1, (size_t)st.st_size, fp) != (size_t)st.st_size)
            why = "read error";
    }
    if (why != NULL) {
        snprintf(err->file, sizeof(err->file), "%s", path);
        err->line = err->col = 0;
        err->pointer[0] = '\0';
        snprintf(err->message, sizeof(err->message), "cannot read file: %s", why);
    } else {
        ret = spec_doc_parse(out, path, buf, (size_t)st.st_size, &lim, err);
    }
    free(buf);
    if (fp != NULL)
        fclose(fp);
    else if (fd >= 0)
        close(fd);
    return ret;
}

void spec_doc_destroy(spec_doc_t *doc)
{
    if (doc == NULL)
        return;
    struct arena_chunk *c = doc->chunks;
    while (c != NULL) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(doc);
}

const spec_node_t *spec_doc_root(const spec_doc_t *doc)
{
    return doc->root;
}

size_t spec_doc_size(const spec_doc_t *doc)
{
    return doc->bytes;
}

const char *spec_doc_file(const spec_doc_t *doc)
{
    return doc->file;
}
