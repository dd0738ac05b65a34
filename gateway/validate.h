/* Contract enforcement (docs/validation.md): requests checked against the operation of the
 * version's spec they were routed to (parameters, content type, body), in enforce mode (400/415
 * problem+json), report mode (logged and counted, forwarded anyway) or off. The settings and one
 * frozen validator per version are compiled at config load; per request only the request's own
 * values are walked, in its pool. */
#ifndef GW_VALIDATE_H
#define GW_VALIDATE_H

#include <stddef.h>
#include <stdint.h>
#include "body.h"
#include "config.h"
#include "schema.h"
#include "ct_violations.h"
#include "up_http.h"
#include <jansson.h>

typedef enum gw_validate_mode {
    GW_VALIDATE_OFF,
    GW_VALIDATE_REPORT,
    GW_VALIDATE_ENFORCE,
} gw_validate_mode_t;

typedef enum gw_validate_side {
    GW_VALIDATE_SIDE_REQUEST,
    GW_VALIDATE_SIDE_RESPONSE,
    GW_VALIDATE_SIDE__COUNT
} gw_validate_side_t;

/* The keywords violations are counted by (versa_contract_violations_total{keyword}); engine
 * keywords not listed count as "other". */
extern const char *const gw_validate_keywords[];
size_t gw_validate_keyword_count(void);
size_t gw_validate_keyword_index(const char *keyword);

/* An API's `validate` key, compiled. Owned by the API (gw_api_t.validate), immutable after load
 * except the counters (relaxed atomics, any thread). */
/* Violations counted by where the spec was broken (/contract/report, /contract): per operation
 * row, side, keyword and schema node, with the node's location found once and the latest
 * example. Bounded (GW_VALIDATE_MAX_WHERE entries; more are counted in `unlisted`); guarded by a
 * mutex, taken only when violations are found. validate_report.c. */
typedef struct st_gw_validate_wheres_t gw_validate_wheres_t;
#define GW_VALIDATE_MAX_WHERE 4096

/* `validate.log`: the JSON-lines violation log (validate_log.c). */
typedef struct st_gw_validate_log_conf_t {
    char *file; /* absolute; NULL: no log */
    uint64_t max_bytes; /* rotation size, default 64 MiB */
    unsigned keep;      /* rotated files kept, default 3 */
    size_t queue_bytes; /* writer queue bound, default 4 MiB */
    char *where;        /* "file:line:col" of the key, for start-up errors */
} gw_validate_log_conf_t;

typedef struct st_gw_validate_conf_t {
    gw_validate_mode_t request;
    gw_validate_mode_t response;
    double sample; /* fraction of responses checked in report mode (enforce checks all) */
    size_t max_errors; /* errors listed in a 400; default 20 */
    spec_formats_t formats; /* `format` asserts or annotates (default) */
    /* Per version (gw_api_t.versions order): a frozen validator for its spec (NULL without a
     * spec), and the first row of its operations in `counts`. */
    spec_validator_t **validators;
    size_t *op_base;
    size_t num_ops;
    uint64_t *counts; /* [op row][side][keyword] violations */
    gw_validate_wheres_t *wheres;
    gw_validate_log_conf_t log;
    spec_pos_t pos;
} gw_validate_conf_t;

/* Internal (config_apis.c): parses `validate` of `api`. Returns 0, or -1 with the error recorded
 * through the loader; api->validate is set either way (freed with the config). */
int gw_validate__config_load(gw__config_loader_t *l, const spec_node_t *n, gw_api_t *api);
/* Internal (config.c, after the specs load): one frozen validator per version with a spec, and
 * the counters. Returns 0, or -1 with `err` set. */
int gw_validate__compile(gw_api_t *api, spec_error_t *err);
/* Accepts NULL. */
void gw_validate__config_free(gw_validate_conf_t *conf, size_t num_versions);

/* Counts one violation (relaxed atomic; any thread). */
void gw_validate_count(const gw_validate_conf_t *conf, size_t version, size_t op_index,
                       gw_validate_side_t side, const char *keyword);

/* ---- Parameters (validate_params.c): pure, no h2o ---- */

/* One problem found in a request or response: where (a JSON pointer into the exchange:
 * "/query/limit", "/body/items/3/price", "/header/x-rate"), the keyword, the schema node (for
 * its location; may be NULL) and a sentence. */
typedef struct st_gw_violation_t {
    char pointer[1100];
    const char *keyword;
    const spec_node_t *schema;
    char message[256];
    const char *location; /* the schema's "#/..." location once reported; owned by the conf */
} gw_violation_t;

typedef struct st_gw_violations_t {
    const body_mem_t *mem; /* where `items` is allocated, on the first violation */
    gw_violation_t *items;
    size_t count, cap;     /* at most `cap` kept */
    size_t total;          /* all found, kept or not */
    int incomplete;
} gw_violations_t;

/* Appends a violation (counted in `total` even when the list is full). */
gw_violation_t *gw_violations_add(gw_violations_t *v, const char *pointer, const char *keyword,
                                  const spec_node_t *schema, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Whether the JSON text json[0..len) is valid against `schema` and completely checked,
 * decided over the text (spec_validate_text) with gw_violations_validate's options. 0 means
 * "parse it and validate the tree" (which then finds the errors), not "invalid". */
int gw_violations_text_valid(spec_validator_t *validator, const spec_node_t *schema,
                             const char *json, size_t len, spec_validate_direction_t direction,
                             const body_mem_t *mem);
/* Runs `validator` on `inst` and appends its errors with `prefix` ("/body") before each
 * instance path. */
void gw_violations_validate(gw_violations_t *out, spec_validator_t *validator,
                            const spec_node_t *schema, const body_value_t *inst,
                            spec_validate_direction_t direction, const char *prefix);

/* The raw request parts parameters come from. */
typedef struct st_gw_param_input_t {
    const char *query; /* after '?', or NULL */
    size_t query_len;
    spec_match_t captures; /* path template variables */
    /* header lookup by lower-case name: all lines joined by ", "; {NULL,0} when absent */
    const char *(*header)(void *ctx, const char *name, size_t *len);
    void *header_ctx;
    const char *cookie; /* the Cookie header, or NULL */
    size_t cookie_len;
} gw_param_input_t;

/* Checks every parameter of `op` (OpenAPI 3.x §4.8.12: path, query, header, cookie; styles form,
 * simple, deepObject, spaceDelimited, pipeDelimited; exploded or comma-separated arrays),
 * turning text into typed values by the schema before validating them. */
void gw_validate_params(gw_violations_t *out, const spec_t *spec, spec_validator_t *validator,
                        const spec_operation_t *op, const gw_param_input_t *in,
                        const body_mem_t *mem);

/* A header value (style simple, not exploded) typed by `schema`: arrays split at commas. */
body_value_t *gw_validate_simple_value(const spec_t *spec, const spec_node_t *schema,
                                       const char *s, size_t len, const body_mem_t *mem);

/* application/x-www-form-urlencoded into a flat object, values typed by `schema`'s properties. */
body_value_t *gw_validate_form_body(const spec_t *spec, const spec_node_t *schema,
                                    const char *s, size_t len, const body_mem_t *mem);

/* ---- Answers (validate_answer.c): pure, no h2o ---- */

/* An upstream's answer: its status and a header lookup by lower-case name ({NULL,0} when
 * absent). */
typedef struct st_gw_answer_t {
    int status;
    const char *(*header)(void *ctx, const char *name, size_t *len);
    void *header_ctx;
} gw_answer_t;

/* Checks the status (declared, by range or `default`), the declared headers and Content-Type
 * of an answer to `op`. Returns the schema its body is to be held to (a JSON media type with a
 * schema), or NULL. Memory from v->mem. */
const spec_node_t *gw_validate_answer_head(gw_violations_t *v, const spec_t *spec,
                                           spec_validator_t *validator,
                                           const spec_operation_t *op, const gw_answer_t *a);
/* Validates the body against `schema` in the response direction: `doc` when the caller parsed it
 * already (an adapter's tree of the same bytes), else the bytes, parsed into `parse_mem` (NULL:
 * v->mem; invalid JSON is a `json` violation). Violations always go to v->mem, so `parse_mem`
 * may be released as soon as this returns. Nothing when schema is NULL or there is no body. */
void gw_validate_answer_body(gw_violations_t *v, spec_validator_t *validator,
                             const spec_node_t *schema, const char *body, size_t len,
                             const body_value_t *doc, const body_mem_t *parse_mem);

/* Answers checked off the event loop (shadowing's worker, `versa replay --validate`): a frozen
 * validator for one spec and a cache of schema locations. One per thread (the cache is not
 * locked). The spec must outlive it. */
typedef struct st_gw_answer_checker_t gw_answer_checker_t;
struct st_ct_violation_t;
/* max_errors: violations listed per answer (0: 20). */
gw_answer_checker_t *gw_answer_checker_create(const spec_t *spec, size_t max_errors);
/* Accepts NULL. */
void gw_answer_checker_destroy(gw_answer_checker_t *c);
/* Routes METHOD path (a query is ignored) to its operation in the spec and checks the answer and
 * its body (`doc`: its tree when the caller parsed it, else NULL). Writes up to `max` violations into out (operation, side "response", keyword, schema
 * location, pointer, sentence) and returns how many; *total counts all found. An answer to a
 * request that is no operation of the spec is not checked (0). */
size_t gw_answer_checker_run(gw_answer_checker_t *c, const char *method, size_t method_len,
                             const char *path, size_t path_len, const gw_answer_t *a,
                             const char *body, size_t body_len, const body_value_t *doc,
                             struct st_ct_violation_t *out, size_t max, size_t *total);

/* The same with the answer's headers as views (the upstream client's, a capture's). */
size_t gw_answer_checker_run_views(gw_answer_checker_t *c, const char *method, size_t method_len,
                                   const char *path, size_t path_len, int status,
                                   const up_header_t *headers, size_t num_headers,
                                   const char *body, size_t body_len, const body_value_t *doc,
                                   struct st_ct_violation_t *out, size_t max, size_t *total);

/* ---- On the event loop (validate.c) ---- */

struct st_gw_exchange_t;
struct st_gw_route_t;
struct st_gw_metrics_out_t;

/* Validates a routed request (x->operation set) when its API's `validate.request` is on.
 * Returns 0 to go on (valid, off, or report mode: logged and counted), -1 when it answered
 * (enforce: 400 problem+json listing the violations, 415 for an undeclared media type). */
int gw_validate_request(struct st_gw_exchange_t *x, const struct st_gw_route_t *r);
/* Response validation (validate_response.c), called by the proxy like the adapters' hooks.
 * At the head (req->res.status and headers set, nothing sent yet): decides whether this response is checked (mode,
 * sample), checks its status and headers, and returns 1 when the body must be buffered (bounded
 * by limits.max_adapted_body) and passed to gw_validate_response_body, else 0 (violations, if
 * any, were reported). */
int gw_validate_response_head(struct st_gw_exchange_t *x, int status);
/* With the whole body (after any adapter; `doc`: the adapter's tree of it, or NULL): returns 0 to
 * send it, -1 when enforce refuses it: the caller ends its taps and calls
 * gw_validate_refuse_response, which answers 502. */
int gw_validate_response_body(struct st_gw_exchange_t *x, const char *body, size_t len,
                              const body_value_t *doc);
void gw_validate_refuse_response(struct st_gw_exchange_t *x);

/* Internal (validate.c): the problem+json answer listing violations; the schema locations are
 * found in `spec`. */
void gw_validate__send(struct st_gw_exchange_t *x, const spec_t *spec, const gw_violations_t *v,
                       int problem_kind, const char *detail);
/* A copy of `s` as a string value, bytes that are not UTF-8 replaced by '?'. */
body_value_t *gw_validate__text(const body_mem_t *mem, const char *s);
/* operationId, else "METHOD /template", for messages and metric labels. */
const char *gw_validate__op_label(const spec_operation_t *op, char *buf, size_t size);
/* Everything a found violation list goes to: the counters (by keyword and by schema location,
 * which fills each listed violation's `location`), the violation log when the API has one, and
 * the summary sentence written into `detail`. `status`: the answer's (request: 400/415 when
 * enforced, 0 when forwarded; response: the upstream's). */
void gw_validate__report(struct st_gw_exchange_t *x, const gw_validate_conf_t *c, size_t version,
                         gw_validate_side_t side, gw_violations_t *v, int status, char *detail,
                         size_t size);
/* The "#/components/..." location of a schema node in `spec` (file:line:col when the node is
 * not in a document of the spec), written into buf. A search of the spec: error paths only. */
const char *gw_validate__location(const spec_t *spec, const spec_node_t *n, char *buf,
                                  size_t size);

/* ---- Reports (validate_report.c) ---- */

/* Internal (validate_config.c): the table of gw_validate_wheres_t, and its destruction. */
gw_validate_wheres_t *gw_validate__wheres_create(void);
void gw_validate__wheres_destroy(gw_validate_wheres_t *w);
/* Counts one violation by where it broke the spec and sets e->location (cached per node).
 * Any thread. */
void gw_validate__note(const gw_validate_conf_t *c, const spec_t *spec, size_t version,
                       size_t op_index, gw_validate_side_t side, gw_violation_t *e,
                       const char *request_id, size_t request_id_len);

struct st_gw_validate_logs_t;
/* The admin report (/contract/report): violations counted so far, grouped by API, version and
 * operation, then by side and keyword (`violations`) and by schema location (`schemas`, with
 * the latest example), plus the violation logs' counters. New reference. */
json_t *gw_validate_report(const gw_config_t *cfg, const struct st_gw_validate_logs_t *logs);
void gw_validate_report_json(const gw_config_t *cfg, const struct st_gw_validate_logs_t *logs,
                             struct st_gw_metrics_out_t *o);
/* The /contract page: the same, as HTML through contract-tests' renderer (the /shadow page's).
 * Returns a malloc'ed page. */
char *gw_validate_report_html(const gw_config_t *cfg, const struct st_gw_validate_logs_t *logs,
                              size_t *len);

/* Appends versa_contract_violations_total{api,version,operation,side,keyword} (non-zero rows). */
void gw_validate_metrics_render(const gw_config_t *cfg, struct st_gw_metrics_out_t *o);

/* ---- The violation log (validate_log.c) ---- */

/* The open `validate.log` files of one generation (runtime.h): one writer per distinct file,
 * shared by the APIs naming it. A reload shares the writer of a file both configurations name
 * (never opened twice); the last generation naming a file flushes and closes it. */
typedef struct st_gw_validate_logs_t {
    struct st_ct_linelog_t **logs;
    struct st_gw_validate_log_share_t **shares; /* per writer: its reference count */
    size_t count;
    struct st_ct_linelog_t **by_api; /* per API index, or NULL */
} gw_validate_logs_t;

/* Opens the files of `cfg` (blocking: off the event loops); a file `prev` (NULL: none) writes
 * keeps prev's writer, with prev's writer settings. Returns 0, or -1 with errbuf
 * ("file:line:col: ..."). Not thread-safe: one thread creates and disposes every generation's
 * logs. */
int gw_validate_logs_init(gw_validate_logs_t *logs, const gw_config_t *cfg,
                          const gw_validate_logs_t *prev, char *errbuf, size_t errlen);
/* Writes what is queued and closes the files no other generation shares (blocking). */
void gw_validate_logs_dispose(gw_validate_logs_t *logs);
/* Appends versa_contract_log_{queued,dropped,written,lost}_total{file}. */
void gw_validate_logs_metrics(const gw_validate_logs_t *logs, struct st_gw_metrics_out_t *o);
/* Encodes the exchange's violations as one JSON line (in the request's pool) and queues it for
 * the API's log, if it has one; a full queue drops the line (counted). Event loop. */
void gw_validate__log(struct st_gw_exchange_t *x, gw_validate_side_t side, const gw_violations_t *v,
                      int status, int enforced);

#endif
