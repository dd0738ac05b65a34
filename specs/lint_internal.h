/* Internals of the lint shared by lint*.c and the rules directory: rule ids, the lint context, and
 * the typed walk over an OpenAPI document that oas3-schema validates and other rules visit. */
#ifndef SPEC_LINT_INTERNAL_H
#define SPEC_LINT_INTERNAL_H

#include "lint.h"
#include "schema.h"
#include "spec_internal.h"

/* Built-in rules; lint.c holds their ids, severities and descriptions in this order. */
typedef enum lint__rule {
    LR_PARSER,
    LR_UNRECOGNIZED_FORMAT,
    LR_UNSUPPORTED_VERSION,
    LR_OAS3_SCHEMA,
    LR_INVALID_REF,
    LR_UNCHECKED_REMOTE_REF,
    LR_NO_REF_SIBLINGS,
    LR_INFO_CONTACT,
    LR_INFO_DESCRIPTION,
    LR_OAS3_API_SERVERS,
    LR_OAS3_SERVER_TRAILING_SLASH,
    LR_OAS3_SERVER_VARIABLES,
    LR_PATH_PARAMS,
    LR_PATH_KEYS_NO_TRAILING_SLASH,
    LR_PATH_NOT_INCLUDE_QUERY,
    LR_PATH_DECLARATIONS_MUST_EXIST,
    LR_NO_AMBIGUOUS_PATHS,
    LR_OPERATION_OPERATIONID,
    LR_OPERATION_OPERATIONID_UNIQUE,
    LR_OPERATION_OPERATIONID_VALID_IN_URL,
    LR_OPERATION_PARAMETERS,
    LR_OPERATION_SUCCESS_RESPONSE,
    LR_OPERATION_DESCRIPTION,
    LR_OPERATION_TAGS,
    LR_OPERATION_TAG_DEFINED,
    LR_OAS3_OPERATION_SECURITY_DEFINED,
    LR_OAS3_UNUSED_COMPONENT,
    LR_DUPLICATED_ENTRY_IN_ENUM,
    LR_TYPED_ENUM,
    LR_ARRAY_ITEMS,
    LR_OAS3_VALID_MEDIA_EXAMPLE,
    LR_OAS3_VALID_SCHEMA_EXAMPLE,
    LR_SCHEMA_PATTERN_ECMA262,
    LR_SCHEMA_KEYWORD_UNENFORCED,
    LR_COUNT
} lint__rule_t;

struct st_spec_lint_ctx_t {
    spec_lint_t *lint;
    const spec_t *spec;                   /* NULL while an extra linter runs */
    const spec_doc_t *doc;                /* the root document */
    int v31;                              /* OpenAPI 3.1 rather than 3.0 */
    const spec_lint_severity_t *severity; /* effective severity of each lint__rule_t */
    spec_validator_t *validator;          /* created on first use */
    /* Work left for example validation in this file. YAML aliases let a small file name one
     * huge value from many examples; these budgets bound the total (see rules/examples.c). */
    size_t example_values, example_steps;
};

/* Records a finding of a built-in rule; a no-op when it is off. `at` gives the position. */
void lint__report(spec_lint_ctx_t *ctx, lint__rule_t rule, const spec_node_t *at, const char *path,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Same at an explicit position (problems the loader found). */
void lint__report_at(spec_lint_ctx_t *ctx, lint__rule_t rule, const char *file, uint32_t line,
                     uint32_t col, const char *path, const char *message);
/* 1 when a finding of `rule` would not be recorded and needs no place: the rule is off, or past
 * its cap with the first dropped finding's place known (it is then counted for the summary
 * finding). Lets a rule that fires millions of times skip building paths and messages. */
int lint__capped(spec_lint_ctx_t *ctx, lint__rule_t rule);
static inline int lint__on(const spec_lint_ctx_t *ctx, lint__rule_t rule)
{
    return ctx->severity[rule] != SPEC_LINT_OFF;
}
spec_validator_t *lint__validator(spec_lint_ctx_t *ctx);

/* A JSON pointer under construction (push/pop as a walk descends; lint_node.c). */
typedef struct st_lint__path_t {
    char buf[2048];
    size_t len;
} lint__path_t;

size_t lint__path_push(lint__path_t *p, const char *token, size_t len);
size_t lint__path_push_str(lint__path_t *p, const char *token);
size_t lint__path_push_index(lint__path_t *p, size_t i);
void lint__path_pop(lint__path_t *p, size_t saved);

/* ---- The typed walk (lint_walk.c) over the descriptors of rules/oas3_schema.c ---- */

typedef enum lint__type {
    LT_NONE,
    LT_OPENAPI,
    LT_INFO,
    LT_CONTACT,
    LT_LICENSE,
    LT_SERVER,
    LT_SERVER_VARIABLE,
    LT_COMPONENTS,
    LT_PATHS,
    LT_PATH_ITEM,
    LT_OPERATION,
    LT_EXTERNAL_DOCS,
    LT_PARAMETER,
    LT_REQUEST_BODY,
    LT_MEDIA_TYPE,
    LT_ENCODING,
    LT_RESPONSES,
    LT_RESPONSE,
    LT_CALLBACK,
    LT_EXAMPLE,
    LT_LINK,
    LT_HEADER,
    LT_TAG,
    LT_SCHEMA,
    LT_DISCRIMINATOR,
    LT_XML,
    LT_SECURITY_SCHEME,
    LT_OAUTH_FLOWS,
    LT_FLOW_IMPLICIT,
    LT_FLOW_PASSWORD,
    LT_FLOW_CLIENT_CREDENTIALS,
    LT_FLOW_AUTHORIZATION_CODE,
    LT_SECURITY_REQUIREMENT,
    LT_COUNT
} lint__type_t;

/* What a field's value must be. */
typedef enum lint__kind {
    LK_ANY,
    LK_STRING,
    LK_BOOL,
    LK_NUMBER,
    LK_COUNT,       /* non-negative integer */
    LK_OBJECT,      /* an object of `type` */
    LK_MAP,         /* mapping of names to objects of `type` */
    LK_ARRAY,       /* sequence of objects of `type` */
    LK_STRINGS,     /* sequence of strings */
    LK_STRING_MAP,  /* mapping of names to strings */
    LK_MAPPING,     /* any mapping (data) */
    LK_SEQUENCE,    /* any sequence (data) */
    LK_SCHEMA_TYPE, /* a type name; in 3.1 also a sequence of unique type names */
} lint__kind_t;

enum {
    LF_REQUIRED = 1 << 0,   /* in every version */
    LF_REQUIRED30 = 1 << 1, /* in 3.0 only */
    LF_V30 = 1 << 2,        /* the field exists in 3.0 only */
    LF_V31 = 1 << 3,        /* the field exists in 3.1 only */
    LF_REF = 1 << 4,        /* the value (or each value of a map or array) may be a Reference */
    LF_NONEMPTY = 1 << 5,   /* at least one element */
    LF_NAMES = 1 << 6,      /* map keys must match ^[a-zA-Z0-9._-]+$ (Components) */
    LF_BOOL = 1 << 7,       /* a schema that may also be a boolean (3.0 additionalProperties) */
};

typedef struct st_lint__field_t {
    const char *name;
    lint__kind_t kind;
    lint__type_t type;
    unsigned flags;
    const char *const *values; /* allowed string values, NULL-terminated; NULL for any */
} lint__field_t;

typedef struct st_lint__walk_t lint__walk_t;

enum {
    LO_EXTENSIONS = 1 << 0, /* x- fields allowed */
    LO_OPEN = 1 << 1,       /* unknown fields allowed */
    LO_OPEN31 = 1 << 2,     /* unknown fields allowed in 3.1 (JSON Schema keywords) */
    LO_OPEN30 = 1 << 3,     /* unknown fields allowed in 3.0 only */
};

/* An OpenAPI object: fixed fields sorted by name (duplicates for version variants adjacent),
 * and for map-like objects (Paths, Responses, Callback, Security Requirement) the type of the
 * values of other keys, which `key_ok` vets. */
typedef struct st_lint__object_t {
    const char *name; /* for messages: "Info Object" */
    const lint__field_t *fields;
    size_t nfields;
    unsigned flags;
    lint__kind_t values_kind; /* LK_ANY when there are no patterned fields */
    lint__type_t values_type;
    unsigned values_flags;
    /* Returns NULL when `key` may name a patterned field, else what it must look like. */
    const char *(*key_ok)(const char *key, size_t len);
    /* Constraints across fields. `node` is a mapping. */
    void (*check)(lint__walk_t *w, const spec_node_t *node);
} lint__object_t;

/* Descriptor of each type (rules/oas3_schema.c). */
const lint__object_t *lint__object(lint__type_t type);

/* Where the walk is, for visitors. */
enum {
    LW_REQUEST = 1 << 0,  /* under a request body */
    LW_RESPONSE = 1 << 1, /* under a response */
};

struct st_lint__walk_t {
    spec_lint_ctx_t *ctx;
    lint__path_t path;
    unsigned flags;
};

/* Reports an oas3-schema finding at `at` for the current path (plus `sub` when non-NULL). */
void lint__schema_error(lint__walk_t *w, const spec_node_t *at, const char *sub, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));
/* Name of the object or field at the end of the current path, for messages. */
const char *lint__path_last(const lint__walk_t *w, char *buf, size_t size);

/* Walks the whole document from the root: validates structure against the descriptors and calls
 * the visitors below for each object, following references into other files. */
void lint__walk(spec_lint_ctx_t *ctx);

/* ---- Visitors (files under rules/), called by the walk with the object's node ---- */

void lint__visit_schema_enums(lint__walk_t *w, const spec_node_t *schema);   /* enums.c */
void lint__visit_schema_example(lint__walk_t *w, const spec_node_t *schema); /* examples.c */
void lint__visit_schema_keywords(lint__walk_t *w, const spec_node_t *schema); /* patterns.c */
void lint__visit_server_variable(lint__walk_t *w, const spec_node_t *var);   /* enums.c */
void lint__visit_server(lint__walk_t *w, const spec_node_t *server);         /* servers.c */
/* A Media Type, Parameter or Header Object: its example(s) against its schema (examples.c). */
void lint__visit_media(lint__walk_t *w, lint__type_t type, const spec_node_t *node);
/* A mapping holding $ref where a Reference Object may stand (refs.c). */
void lint__visit_ref(lint__walk_t *w, const spec_node_t *ref);

/* ---- Document-level rule passes (files under rules/) ---- */

void lint__rules_info(spec_lint_ctx_t *ctx);       /* info.c */
void lint__rules_servers(spec_lint_ctx_t *ctx);    /* servers.c */
void lint__rules_paths(spec_lint_ctx_t *ctx);      /* paths.c */
void lint__rules_ambiguous_paths(spec_lint_ctx_t *ctx); /* paths_ambiguous.c */
void lint__rules_operations(spec_lint_ctx_t *ctx); /* operations.c */
void lint__rules_security(spec_lint_ctx_t *ctx);   /* security.c */
void lint__rules_components(spec_lint_ctx_t *ctx); /* components.c */

/* ---- Rulesets (lint_ruleset.c) ---- */

/* One `rules:` entry: a severity, or `use_default` for `true`. `key` is for error positions. */
typedef struct st_lint__override_t {
    const char *rule;
    spec_lint_severity_t severity;
    int use_default;
    const spec_node_t *key;
} lint__override_t;

const lint__override_t *lint__ruleset_overrides(const spec_ruleset_t *rs, size_t *count);

/* ---- The run (lint.c) and its findings (lint_findings.c) ---- */

/* The run: its rules and severities, then every finding, per linted file. Findings' strings live
 * in the arena; files, file_first and findings are malloc'ed. */
struct st_spec_lint_t {
    spec_lint_options_t opts;
    spec_lint_rule_t *rules; /* built-in then linters', with the severity in effect */
    size_t nrules;
    spec_lint_severity_t builtin[LR_COUNT];
    spec__arena_t arena; /* finding strings */
    spec_finding_t *findings;
    size_t nfindings, findings_cap;
    char **files;
    size_t *file_first; /* per file: index of its first finding */
    size_t nfiles;
    const char *last_file_in, *last_file_out; /* interning cache for finding file names */
    size_t batch;                             /* first finding of the file being linted */
    /* The per-rule cap (opts.max_findings_per_rule): per rule, findings of this batch recorded
     * and not recorded, and where the first one not recorded was. */
    size_t max_per_rule;
    size_t *rule_count, *rule_dropped;
    spec_finding_t *rule_first_dropped;
    int incomplete; /* a linted spec hit a loader limit: findings are missing (spec_incomplete) */
};

/* The index of rule `id` in lint->rules, or -1. */
ssize_t lint__find_rule(const spec_lint_t *lint, const char *id);
/* Starts the findings of a linted file named `name` (copied). */
void lint__add_file(spec_lint_t *lint, const char *name);
/* Sorts the findings of the current file (`root`, the linted file, first) and drops duplicates;
 * the next findings start a new batch. */
void lint__sort_batch(spec_lint_t *lint, const char *root);
/* A finding of this file's batch already at e's position (of `rule`, or of any rule when NULL). */
int lint__finding_at(const spec_lint_t *lint, const spec_error_t *e, const char *rule);
/* Findings of the i-th linted file (and the files it references): first index and count. */
size_t lint__file_findings(const spec_lint_t *lint, size_t file, size_t *first);

/* ---- Helpers for rules (lint_node.c) ---- */

/* Structural equality of two YAML values (numbers by value). */
int lint__node_equal(const spec_node_t *a, const spec_node_t *b);
/* Total order consistent with lint__node_equal, for sorting. */
int lint__node_cmp(const spec_node_t *a, const spec_node_t *b);
/* 1 when `n` is a non-empty string, 0 otherwise (Spectral's `truthy` for strings). */
int lint__truthy(const spec_node_t *n);

#endif
