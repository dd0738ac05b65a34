/* Version adapters: an API's adapter file (version changes, newest first, plus deprecation
 * metadata) compiled against the specs of its versions into plans that upgrade requests and
 * downgrade responses between an old version a client speaks and the newer version an upstream
 * serves. Loading does all parsing, validation and schema location; per request only a plan runs
 * over headers, query, path and the JSON body (parsed into the caller's bump memory by the body
 * model, body/body.h). No HTTP library dependency. */
#ifndef ADP_ADAPTERS_H
#define ADP_ADAPTERS_H

#include <stddef.h>
#include "body.h"
#include <stdint.h>
#include <time.h>
#include "node.h"
#include "spec.h"

/* ---- Loading ------------------------------------------------------------------------------ */

/* One version of the API, as the gateway config lists them (oldest first). */
typedef struct st_adp_version_info_t {
    const char *name;   /* "v1"; copied */
    const spec_t *spec; /* NULL when the version has no spec; only read during the load */
    int has_upstream;   /* 0: served through the changes up to the nearest newer upstream */
} adp_version_info_t;

typedef struct st_adp_load_options_t {
    const char *api;      /* the API's name: the file's `api` must equal it; NULL skips the check */
    spec_limits_t limits; /* for the adapter file; zero fields take node.h's defaults */
    uint32_t max_states;  /* schema automaton states per body; default 4096 */
    size_t max_plans;     /* plans per registry; default 100000 */
} adp_load_options_t;

/* Every plan of one API's adapter file. Immutable once loaded except for the plans' mismatch
 * counters (atomics), so any number of threads may use it at once. Holds no pointer into the
 * specs or the adapter document: both may be freed after the load. */
typedef struct st_adp_registry_t adp_registry_t;

/* Reads the adapter file at `path` and compiles it against `versions` (oldest first, at least
 * one). Returns 0 and a registry, or -1 with `err` holding file:line:col and a message for the
 * first problem: YAML errors, unknown keys, wrong types, unknown versions, operations, schema
 * components or fields (checked against the specs of both versions of each change), bad dates,
 * a version with no newer upstream. `opts` may be NULL. Blocking file I/O; never prints. */
int adp_registry_load(adp_registry_t **out, const char *path, const adp_version_info_t *versions,
                      size_t nversions, const adp_load_options_t *opts, spec_error_t *err);
/* Same from an adapter file held in memory; `file` names it in positions. */
int adp_registry_parse(adp_registry_t **out, const char *file, const char *buf, size_t len,
                       const adp_version_info_t *versions, size_t nversions,
                       const adp_load_options_t *opts, spec_error_t *err);
/* Frees the registry and every plan in it. Accepts NULL. */
void adp_registry_destroy(adp_registry_t *reg);

/* Index of the version called `name` (as passed at load), or SIZE_MAX. */
size_t adp_registry_version(const adp_registry_t *reg, const char *name);
/* Number of versions, and the name of version `i`. */
size_t adp_registry_version_count(const adp_registry_t *reg);
const char *adp_registry_version_name(const adp_registry_t *reg, size_t i);
/* Index of the version whose upstream serves version `i` (i itself when it has an upstream). */
size_t adp_registry_upstream_of(const adp_registry_t *reg, size_t i);

/* ---- Plans -------------------------------------------------------------------------------- */

/* Everything one (operation, requested version) pair needs: the chain of changes up to the
 * version whose upstream serves it, deprecation metadata and whether the operation is gone.
 * Owned by the registry. */
typedef struct st_adp_plan_t adp_plan_t;

/* The plan for a request to version `version` (an index as given at load). The operation is
 * named by `operation_id` when the requested version's spec gave one, else by `method` ("GET",
 * NUL-terminated: spec_method_name(op->method)) and the spec's `path_template`
 * ("/pets/{petId}"); either may be NULL. Falls back to the version's plan for operations
 * without specific changes, so a version without an upstream always gets a plan. Returns NULL
 * when there is nothing to do: the version has its own upstream and no deprecation metadata
 * (pass the exchange through untouched). O(log n); no allocation. */
const adp_plan_t *adp_plan_find(const adp_registry_t *reg, size_t version, const char *operation_id,
                                const char *method, const char *path_template);
/* For a version without a spec (the gateway then knows no template): matches the request path
 * ("/pets/42", no query, relative to the API prefix) against the templates the registry knows
 * for `version` (from newer specs and the adapter file), literal segments first. `method` is
 * NUL-terminated ("GET"; spec_method_parse + spec_method_name turn a method token into one).
 * Falls back to the version's plan like adp_plan_find. */
const adp_plan_t *adp_plan_match(const adp_registry_t *reg, size_t version, const char *method,
                                 const char *path, size_t path_len);

/* The requested version's name, and the operation the plan is for: its operationId, else
 * "METHOD /template", or "*" for a version's fallback plan. Plan-owned. */
const char *adp_plan_version_name(const adp_plan_t *plan);
const char *adp_plan_operation(const adp_plan_t *plan);
/* Number of version changes the plan runs (0 when the version has its own upstream). */
size_t adp_plan_hops(const adp_plan_t *plan);
/* 1 when the request body must be parsed as JSON and handed to adp_request_upgrade. */
int adp_plan_request_needs_body(const adp_plan_t *plan);
/* 1 when a response with this upstream status needs its JSON body buffered and parsed for
 * adp_response_downgrade; headers and status are adapted either way. */
int adp_plan_response_needs_body(const adp_plan_t *plan, int status);

/* Deprecation metadata of a plan (the operation's entries override its version's), as
 * precomputed header values. Every string is plan-owned; NULL when not set. */
typedef struct st_adp_deprecation_t {
    int has_deprecated, has_sunset;
    int64_t deprecated_at;   /* unix seconds */
    int64_t sunset_at;       /* unix seconds */
    int gone_after_sunset;   /* after_sunset: gone (the default) */
    const char *deprecation; /* RFC 9745 Deprecation value: "@1782777600" */
    const char *sunset;      /* RFC 8594 Sunset value, an IMF-fixdate */
    const char *link;        /* Link value: <url>; rel="deprecation"; type="text/html" */
    const char *sunset_link; /* Link value: <url>; rel="sunset" */
} adp_deprecation_t;

/* NULL when neither the version nor the operation is deprecated. */
const adp_deprecation_t *adp_plan_deprecation(const adp_plan_t *plan);

/* 1 when a request at time `now` must be answered 410 Gone: the operation was removed by a
 * change on the way to the upstream version, or the sunset has passed and after_sunset is
 * `gone`. `detail` (may be NULL) receives a plan-owned sentence for the problem+json detail. */
int adp_plan_gone(const adp_plan_t *plan, time_t now, const char **detail);

/* ---- Exchanges ---------------------------------------------------------------------------- */

/* A header or query parameter. The adapter never frees or copies strings: entries the caller
 * adds are borrowed (they must outlive the list), entries the adapter adds or renames point at
 * plan-owned strings (they live as long as the registry). */
typedef struct st_adp_field_t {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} adp_field_t;

/* An ordered list of fields (headers keep their order; repeated names are separate entries). */
typedef struct st_adp_fields_t {
    adp_field_t *entries;
    size_t len, cap;
} adp_fields_t;

/* An empty list in caller storage; dispose frees the entry array only (never the strings). */
void adp_fields_init(adp_fields_t *f);
void adp_fields_dispose(adp_fields_t *f);
/* Appends an entry (borrowing both strings). */
void adp_fields_push(adp_fields_t *f, const char *name, size_t name_len, const char *value,
                     size_t value_len);
/* First entry named `name` (ASCII case-insensitive), or NULL. */
const adp_field_t *adp_fields_get(const adp_fields_t *f, const char *name);

/* Where a transform was left undone because the body did not have the shape a change expects. */
typedef struct st_adp_mismatch_t {
    const char *step;   /* plan-owned: "v2 schema Pet: rename tag -> category" */
    const char *reason; /* static: "missing" or "wrong type" */
    char pointer[256];  /* RFC 6901 pointer into the body being transformed */
} adp_mismatch_t;

/* An exchange's body document and adapted bytes are allocated through a body_mem_t (body.h): a
 * bump allocator released all at once, after the adapted bytes have been sent (the gateway
 * passes its request's memory pool). */

/* Why a request body could not be read as JSON (ADP_BAD_BODY). */
typedef struct st_adp_body_error_t {
    const char *message; /* static */
    size_t offset;       /* bytes into the body */
    unsigned line, col;  /* 1-based */
} adp_body_error_t;

/* A request on its way from an old-version client to a newer upstream. Init it, fill the inputs,
 * run adp_request_upgrade, read the outputs, dispose it. */
typedef struct st_adp_request_t {
    /* inputs */
    const char *path; /* the concrete path relative to the API prefix, no query: "/pets/42" */
    size_t path_len;
    const char *query; /* raw query string without '?', or NULL */
    size_t query_len;
    adp_fields_t headers; /* in/out: request headers */
    body_mem_t mem;       /* optional: zero means an arena of the request's own, freed by dispose */
    /* in/out: a JSON body to upgrade (NULL: none, or not JSON: the caller checks the media type
     * with adp_media_type_is_json). Borrowed; it must outlive the request. On return, the bytes
     * to send: the input itself when no step changed the body, else new bytes from `mem`;
     * NULL with length 0 when the chain removed the body. */
    const char *body;
    size_t body_len;
    /* outputs; owned by the request, freed by dispose */
    char *upstream_path;  /* the rewritten path, or NULL when unchanged */
    char *upstream_query; /* the rebuilt query (no '?', "" for none), or NULL when unchanged */
    size_t mismatches;    /* transforms left undone in this call */
    adp_mismatch_t first_mismatch;
    adp_body_error_t body_error; /* set with ADP_BAD_BODY */
    void *own_arena;             /* private */
} adp_request_t;

/* A response on its way back from the upstream to an old-version client; used like
 * adp_request_t with adp_response_downgrade. A body that is not valid JSON is left as it is
 * (body_invalid is set): the client gets what the upstream sent. */
typedef struct st_adp_response_t {
    int status;           /* in/out: the upstream status, then the client's */
    adp_fields_t headers; /* in/out */
    body_mem_t mem;       /* optional, as for requests */
    const char *body;     /* in/out, as for requests */
    size_t body_len;
    int body_invalid; /* out: the body was not JSON and was left untouched */
    /* out: the downgraded body as a body-model tree, when the tree engine parsed it (NULL when
     * the streaming pass ran or the body was not parsed): the same value `body` holds, for
     * callers that read it again (shadowing's diff). It lives in `mem` (or the response's own
     * arena, until dispose) and may point into the input body, which must outlive it. */
    const body_value_t *doc;
    size_t mismatches;
    adp_mismatch_t first_mismatch;
    void *own_arena; /* private */
} adp_response_t;

/* init zeroes the struct (empty headers, no body); dispose frees the outputs, the header array
 * and the exchange's own arena (so adapted bytes from it die with it). Both structs live in
 * caller storage, one per exchange. */
void adp_request_init(adp_request_t *req);
void adp_request_dispose(adp_request_t *req);
void adp_response_init(adp_response_t *res);
void adp_response_dispose(adp_response_t *res);

/* What adp_request_upgrade decided. */
typedef enum adp_result {
    ADP_OK = 0,
    ADP_GONE = 1,     /* the operation is gone on the way to the upstream: answer 410 */
    ADP_BAD_PATH = 2, /* the request path does not fit the operation's template (cannot rewrite) */
    ADP_BAD_BODY = 3, /* the request body is not valid JSON (see body_error): answer 400 */
} adp_result_t;

/* 1 when a Content-Type value names JSON: application/json or any type with a "+json" suffix
 * (RFC 6839), parameters ignored, case-insensitive. Only such bodies are handed to the adapter;
 * others pass through untouched. */
int adp_media_type_is_json(const char *value, size_t len);

/* Upgrades the request through every change from the requested version to the upstream's,
 * oldest first: body, headers, query, path. The body is parsed only when the plan has body
 * steps (adp_plan_request_needs_body), and written back only when a step changed it. Fields the
 * body lacks or holds with another type are left alone and counted (req->mismatches and the
 * plan's counters). Thread-safe (plans are shared, exchanges are not). */
adp_result_t adp_request_upgrade(const adp_plan_t *plan, adp_request_t *req);
/* Downgrades the response through the same changes, newest first: status, headers, body (for
 * the statuses the changes cover; see `on` in adapters/README.md; the body is parsed only when
 * adp_plan_response_needs_body says so). Never fails; mismatches are counted as for requests.
 * The gateway recomputes Content-Length from body_len. */
void adp_response_downgrade(const adp_plan_t *plan, adp_response_t *res);

/* Appends the plan's Deprecation, Sunset and Link headers (plan-owned strings) to `out`. */
void adp_plan_deprecation_headers(const adp_plan_t *plan, adp_fields_t *out);

/* ---- Mismatch accounting ------------------------------------------------------------------ */

typedef enum adp_direction {
    ADP_UPGRADE,   /* requests */
    ADP_DOWNGRADE, /* responses */
} adp_direction_t;

/* Total mismatches the plan has met since load (relaxed atomic reads). */
uint64_t adp_plan_mismatch_count(const adp_plan_t *plan, adp_direction_t dir);
/* Returns 1 the first time it is called for a plan, 0 afterwards: lets the gateway log the
 * first mismatch of each operation once. Thread-safe. */
int adp_plan_claim_log(const adp_plan_t *plan);
/* Every plan of the registry (for metrics), in a stable order. */
size_t adp_registry_plan_count(const adp_registry_t *reg);
const adp_plan_t *adp_registry_plan_at(const adp_registry_t *reg, size_t i);

/* ---- Date helpers (exposed for tests and the CLI) ----------------------------------------- */

/* Parses "2026-06-30" (midnight UTC) or an RFC 3339 date-time ("2026-06-30T12:00:00Z",
 * "...+02:00", fractions ignored). Returns 0, or -1 on bad syntax or an impossible date. */
int adp_parse_date(const char *s, size_t len, int64_t *out);
/* Writes an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 §5.6.7) into buf (>= 30
 * bytes). Returns buf. */
char *adp_format_http_date(int64_t t, char *buf, size_t size);

#endif
