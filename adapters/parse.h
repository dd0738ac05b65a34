/* Internal to the adapter-file parser (parse.c, parse_read.c, parse_steps.c, parse_fields.c):
 * its state and the readers the files share. Each reader records the error at the node's position
 * in the context's spec_error_t and returns -1 (NULL), or returns 0; what it reads lives in the
 * context's arena (JSON values: kept alive by ctx->keep). */
#ifndef ADP_PARSE_H
#define ADP_PARSE_H

#include <stdint.h>
#include "file.h"

typedef struct st_adp__parser_t {
    adp__ctx_t *ctx;
    size_t budget; /* jansson values still allowed from defaults and maps (YAML aliases) */
} adp__parser_t;

/* Records "<message>" at `n` (NULL: no position); returns -1. */
int adp__parse_fail(adp__parser_t *p, const spec_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* `n` is of `kind`; `what` names it in the message. */
int adp__parse_expect(adp__parser_t *p, const spec_node_t *n, spec_node_kind_t kind,
                      const char *what);
/* Rejects keys of `map` outside `allowed` (NULL-terminated). */
int adp__parse_check_keys(adp__parser_t *p, const spec_node_t *map, const char *what,
                          const char *const *allowed);
/* A string without NUL, copied to the arena. */
int adp__parse_str(adp__parser_t *p, const spec_node_t *n, const char *what, const char **out);
/* A required string member. */
int adp__parse_member_str(adp__parser_t *p, const spec_node_t *map, const char *key,
                          const char *what, const char **out);
int adp__parse_bool(adp__parser_t *p, const spec_node_t *n, const char *what, int *out);
/* `n` as a JSON value (borrowed: ctx->keep owns it), within the parser's budget. */
json_t *adp__parse_json(adp__parser_t *p, const spec_node_t *n);
/* A JSON path (jpath.h), with its node for later messages. */
int adp__parse_path(adp__parser_t *p, const spec_node_t *n, const char *what, adp__wpath_t *out);
int adp__parse_member_path(adp__parser_t *p, const spec_node_t *map, const char *key,
                           const char *what, adp__wpath_t *out);

/* Adds the statuses from..to (inclusive). */
void adp__statuses_add_range(adp__statuses_t *s, int from, int to);
/* `on`: a status, "4xx", "errors", "any", or a list of them. */
int adp__parse_on(adp__parser_t *p, const spec_node_t *n, adp__statuses_t *s);
/* `in`: request, response or both, as ADP__IN_* bits. */
int adp__parse_scope(adp__parser_t *p, const spec_node_t *n, unsigned *scope);

/* Which list body steps come from: a schema's (either direction, `in` chooses) or an operation's
 * request or response steps. */
typedef enum adp__list_kind {
    ADP__LIST_SCHEMA,
    ADP__LIST_REQUEST,
    ADP__LIST_RESPONSE
} adp__list_kind_t;
/* A sequence of body steps (parse_steps.c); `errors`: steps apply to 4xx/5xx responses too. */
int adp__parse_oplist(adp__parser_t *p, const spec_node_t *n, const char *what,
                      adp__list_kind_t kind, int errors, adp__oplist_t *out);
/* A sequence of header (`headers` 1) or query steps (parse_fields.c). */
int adp__parse_foplist(adp__parser_t *p, const spec_node_t *n, int headers, int errors,
                       adp__foplist_t *out);

#endif
