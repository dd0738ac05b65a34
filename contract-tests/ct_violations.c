/* Aggregation of contract violations for reports: a bounded list keyed by (operation, side,
 * keyword, schema location), found through a map of the joined key. */
#include "ct_violations.h"

#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_map.h"
#include "ct_utf8.h"

typedef struct st_entry_t {
    char *operation, *side, *keyword, *schema; /* schema NULL: none */
    char *request_id, *pointer, *message, *curl;
    uint64_t count;
} entry_t;

struct st_ct_violations_t {
    entry_t *items;
    size_t count, max;
    ct_map_t index; /* joined key -> position + 1 */
    uint64_t total, unlisted, exchanges;
};

ct_violations_t *ct_violations_create(size_t max_entries)
{
    ct_violations_t *v = ct__xcalloc(1, sizeof(*v));
    v->max = max_entries;
    ct__map_init(&v->index);
    return v;
}

static void entry_free(entry_t *e)
{
    free(e->operation);
    free(e->side);
    free(e->keyword);
    free(e->schema);
    free(e->request_id);
    free(e->pointer);
    free(e->message);
    free(e->curl);
}

void ct_violations_destroy(ct_violations_t *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i != v->count; ++i)
        entry_free(&v->items[i]);
    free(v->items);
    ct__map_dispose(&v->index);
    free(v);
}

/* Report text is valid UTF-8 whatever a checker wrote (a character cut by a bound, say). */
static char *dup_or_null(const char *s)
{
    size_t len = s != NULL ? strlen(s) : 0;
    return s != NULL ? ct__utf8_dup(s, len, 3 * len) : NULL; /* each bad byte: 3-byte U+FFFD */
}

/* The entry for a key, created when new and there is room; NULL when the list is full. */
static entry_t *entry_for(ct_violations_t *v, const char *op, const char *side, const char *kw,
                          const char *schema)
{
    size_t len = strlen(op) + strlen(side) + strlen(kw) + (schema ? strlen(schema) : 0) + 4;
    char *key = ct__xmalloc(len);
    size_t n = 0;
    const char *parts[] = {op, side, kw, schema != NULL ? schema : ""};
    for (int i = 0; i != 4; ++i) { /* NUL-separated: no part can run into the next */
        size_t l = strlen(parts[i]);
        memcpy(key + n, parts[i], l);
        n += l;
        key[n++] = i == 3 ? '\0' : '\x01';
    }
    uintptr_t slot = (uintptr_t)ct__map_get(&v->index, key, n - 1);
    entry_t *e = NULL;
    if (slot != 0) {
        e = &v->items[slot - 1];
    } else if (v->count < v->max) {
        v->items = ct__xrealloc(v->items, (v->count + 1) * sizeof(*v->items));
        e = &v->items[v->count++];
        memset(e, 0, sizeof(*e));
        e->operation = dup_or_null(op);
        e->side = dup_or_null(side);
        e->keyword = dup_or_null(kw);
        e->schema = schema != NULL && schema[0] != '\0' ? dup_or_null(schema) : NULL;
        ct__map_insert(&v->index, key, n - 1, (void *)(uintptr_t)v->count);
    }
    free(key);
    return e;
}

void ct_violations_add(ct_violations_t *v, const ct_violation_t *one, const char *request_id,
                       const char *curl)
{
    v->total++;
    entry_t *e = entry_for(v, one->operation, one->side != NULL ? one->side : "response",
                           one->keyword != NULL ? one->keyword : "other", one->schema);
    if (e == NULL) {
        v->unlisted++;
        return;
    }
    if (e->count++ == 0) {
        e->request_id = dup_or_null(request_id);
        e->pointer = dup_or_null(one->pointer);
        e->message = dup_or_null(one->message);
        e->curl = dup_or_null(curl);
    }
}

uint64_t ct_violations_total(const ct_violations_t *v)
{
    return v->total;
}

void ct_violations_exchange(ct_violations_t *v)
{
    v->exchanges++;
}

uint64_t ct_violations_exchanges(const ct_violations_t *v)
{
    return v->exchanges;
}

/* Most frequent first; ties in order of appearance (entries are one array). */
static int by_count(const void *a, const void *b)
{
    const entry_t *x = *(const entry_t *const *)a, *y = *(const entry_t *const *)b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return x < y ? -1 : x > y;
}

json_t *ct_violations_to_json(const ct_violations_t *v)
{
    const entry_t **order = ct__xmalloc((v->count + 1) * sizeof(*order));
    for (size_t i = 0; i != v->count; ++i)
        order[i] = &v->items[i];
    qsort(order, v->count, sizeof(*order), by_count);
    json_t *arr = json_array();
    for (size_t k = 0; k != v->count; ++k) {
        const entry_t *e = order[k];
        json_t *sample = json_object();
        if (e->request_id != NULL)
            json_object_set_new(sample, "request_id", json_string(e->request_id));
        json_object_set_new(sample, "pointer", json_string(e->pointer ? e->pointer : ""));
        json_object_set_new(sample, "message", json_string(e->message ? e->message : ""));
        if (e->curl != NULL)
            json_object_set_new(sample, "curl", json_string(e->curl));
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s, s:o, s:I, s:o}", "operation", e->operation,
                                        "side", e->side, "keyword", e->keyword, "schema",
                                        e->schema != NULL ? json_string(e->schema) : json_null(),
                                        "count", (json_int_t)e->count, "sample", sample));
    }
    free(order);
    return arr;
}

uint64_t ct_violations_unlisted(const ct_violations_t *v)
{
    return v->unlisted;
}

void ct_violations_merge_json(ct_violations_t *v, const json_t *list)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        const char *op = json_string_value(json_object_get(item, "operation"));
        const char *side = json_string_value(json_object_get(item, "side"));
        const char *kw = json_string_value(json_object_get(item, "keyword"));
        const char *schema = json_string_value(json_object_get(item, "schema"));
        json_t *count = json_object_get(item, "count");
        if (op == NULL || side == NULL || kw == NULL || !json_is_integer(count) ||
            json_integer_value(count) < 0)
            continue;
        uint64_t n = (uint64_t)json_integer_value(count);
        v->total += n;
        entry_t *e = entry_for(v, op, side, kw, schema);
        if (e == NULL) {
            v->unlisted += n;
            continue;
        }
        if (e->count == 0) {
            json_t *s = json_object_get(item, "sample");
            e->request_id = dup_or_null(json_string_value(json_object_get(s, "request_id")));
            e->pointer = dup_or_null(json_string_value(json_object_get(s, "pointer")));
            e->message = dup_or_null(json_string_value(json_object_get(s, "message")));
            e->curl = dup_or_null(json_string_value(json_object_get(s, "curl")));
        }
        e->count += n;
    }
}
