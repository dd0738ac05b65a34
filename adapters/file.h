/* An adapter file as written, with positions: what parse.c reads and compile.c turns into plans.
 * Everything lives in the registry's arena; jansson values are kept alive by the registry. */
#ifndef ADP_FILE_H
#define ADP_FILE_H

#include <jansson.h>
#include "adapters.h"
#include "alloc.h"
#include "convert.h"
#include "jpath.h"
#include "plan.h"

typedef enum adp__op_kind {
    ADP__OP_RENAME,
    ADP__OP_MOVE,
    ADP__OP_ADDED,
    ADP__OP_REMOVED,
    ADP__OP_CONVERT,
    ADP__OP_MAP,
    ADP__OP_COLLAPSE,
    ADP__OP_EXPAND,
    ADP__OP_WRAP,
    ADP__OP_UNWRAP,
    ADP__OP_STATUS,
} adp__op_kind_t;

/* A path as written, with its node for error positions. */
typedef struct st_adp__wpath_t {
    adp__jpath_t path;
    const spec_node_t *node;
} adp__wpath_t;

/* One body step as written. Which paths are set depends on the kind:
 *   rename, move, collapse, expand: old, new
 *   added: new (the field);  removed: old (the field), from (optional, newer shape)
 *   convert, map: old = new (the field);  wrap, unwrap: old = new (`at`), key (the member)
 *   status: status_old, status_new */
typedef struct st_adp__op_t {
    adp__op_kind_t kind;
    const spec_node_t *node; /* the step's mapping entry, for positions */
    const char *name;        /* the keyword: "rename", ... */
    adp__wpath_t old, new, from;
    int has_from;
    int has_default;
    json_t *value; /* default; wrap/unwrap `defaults` object; NULL when absent */
    adp__type_t old_type, new_type;
    int scale;
    adp__map_t up, down; /* map, convert boolean<->enum: older->newer and newer->older */
    const char *key;     /* collapse/expand `key`, wrap/unwrap member */
    int status_old, status_new;
    int has_on;
    adp__statuses_t on;
    unsigned scope; /* ADP__IN_* */
    const char *what;
} adp__op_t;

typedef enum adp__fop_kind {
    ADP__FOP_RENAME,
    ADP__FOP_ADDED,
    ADP__FOP_REMOVED,
} adp__fop_kind_t;

/* A header or query-parameter step as written. */
typedef struct st_adp__fop_t {
    adp__fop_kind_t kind;
    const spec_node_t *node;
    const char *old_name, *new_name; /* rename; added: new_name; removed: old_name */
    const char *value;               /* default, or NULL */
    unsigned scope;                  /* headers: ADP__IN_* */
    int has_on;
    adp__statuses_t on;
} adp__fop_t;

typedef struct st_adp__oplist_t {
    adp__op_t *items;
    size_t n;
} adp__oplist_t;

typedef struct st_adp__foplist_t {
    adp__fop_t *items;
    size_t n;
} adp__foplist_t;

/* An entry under a change's `operations`: named by operationId or "METHOD /template" as the
 * older version knows it. */
typedef struct st_adp__opent_t {
    const spec_node_t *key;
    const char *id;  /* operationId form, else NULL */
    int method;      /* spec_method_t for the "METHOD /template" form, else -1 */
    const char *tpl; /* template for that form */
    adp__oplist_t request, response;
    adp__foplist_t headers, query;
    const char *path_old, *path_new; /* rewrite, or NULL */
    const spec_node_t *path_node;
    int gone;
    const char *gone_detail;
    int errors; /* -1 unset, else the default `on` covers error statuses */
    int used;   /* matched an operation while compiling */
} adp__opent_t;

typedef struct st_adp__schent_t {
    const spec_node_t *key;
    const char *name;
    adp__oplist_t ops;
} adp__schent_t;

typedef struct st_adp__change_t {
    const spec_node_t *node;
    size_t to; /* index of the newer version */
    const char *description;
    int errors;
    adp__schent_t *schemas;
    size_t nschemas;
    adp__opent_t *ops;
    size_t nops;
    adp__foplist_t headers, query;
} adp__change_t;

/* Deprecation metadata as written, per version and per operation. */
typedef struct st_adp__depr_t {
    const spec_node_t *node;
    int has_deprecated, has_sunset, has_after_sunset;
    int64_t deprecated_at, sunset_at;
    int gone_after_sunset;
    const char *link, *sunset_link;
} adp__depr_t;

typedef struct st_adp__opdepr_t {
    const spec_node_t *key;
    const char *id;
    int method;
    const char *tpl;
    adp__depr_t depr;
    int used;
} adp__opdepr_t;

typedef struct st_adp__vmeta_t {
    int has_depr;
    adp__depr_t depr;
    adp__opdepr_t *ops;
    size_t nops;
} adp__vmeta_t;

typedef struct st_adp__file_t {
    const spec_node_t *root;
    const char *api;
    adp__change_t **by_version; /* [i]: the change to version i, or NULL */
    adp__vmeta_t *meta;         /* per version */
} adp__file_t;

/* What parse.c needs from the registry. */
typedef struct st_adp__ctx_t {
    adp__arena_t *arena;
    json_t *keep; /* an array holding every jansson value the registry owns */
    const adp_version_info_t *versions;
    size_t nversions;
    spec_error_t *err;
} adp__ctx_t;

/* Parses the document's root into `out`; checks structure, keywords, types, paths, dates,
 * version names. Returns 0 or -1 with ctx->err filled. */
int adp__parse_file(adp__ctx_t *ctx, const spec_node_t *root, adp__file_t *out);

/* Parses "GET /pets/{id}" (method, one space, template) or returns -1 for an operationId. */
int adp__parse_op_key(const char *s, int *method, const char **tpl);

#endif
