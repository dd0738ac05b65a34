/* The lint run: the built-in rule table, severities in effect (rulesets applied), and the order
 * in which rule passes run over one spec or file; findings are kept by lint_findings.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lint_internal.h"
#include "spec_internal.h"

/* Per file: JSON values converted from examples and schema evaluations spent validating them.
 * GitHub's 2.8 MB description needs about 32,000 of each; an alias bomb stops here. */
#define EXAMPLE_VALUES_BUDGET 4000000

#define EXAMPLE_STEPS_BUDGET 20000000

/* Ids and default severities follow Spectral's spectral:oas ruleset where a rule exists there. */
static const spec_lint_rule_t builtin_rules[LR_COUNT] = {
    [LR_PARSER] = {"parser", SPEC_LINT_ERROR, "The document must be well-formed YAML or JSON."},
    [LR_UNRECOGNIZED_FORMAT] = {"unrecognized-format", SPEC_LINT_WARN,
                                "The document is not an OpenAPI description."},
    [LR_UNSUPPORTED_VERSION] = {"unsupported-version", SPEC_LINT_ERROR,
                                "The OpenAPI version must be 3.0.x or 3.1.x."},
    [LR_OAS3_SCHEMA] = {"oas3-schema", SPEC_LINT_ERROR,
                        "Validate structure of OpenAPI v3 specification."},
    [LR_INVALID_REF] = {"invalid-ref", SPEC_LINT_ERROR, "$ref must resolve."},
    [LR_UNCHECKED_REMOTE_REF] = {"unchecked-remote-ref", SPEC_LINT_INFO,
                                 "Remote $ref targets are not fetched, so not checked."},
    [LR_NO_REF_SIBLINGS] = {"no-$ref-siblings", SPEC_LINT_ERROR,
                            "Property must not be placed among $ref (OpenAPI 3.0)."},
    [LR_INFO_CONTACT] = {"info-contact", SPEC_LINT_WARN,
                         "Info object must have \"contact\" object."},
    [LR_INFO_DESCRIPTION] = {"info-description", SPEC_LINT_WARN,
                             "Info \"description\" must be present and non-empty string."},
    [LR_OAS3_API_SERVERS] = {"oas3-api-servers", SPEC_LINT_WARN,
                             "OpenAPI \"servers\" must be present and non-empty array."},
    [LR_OAS3_SERVER_TRAILING_SLASH] = {"oas3-server-trailing-slash", SPEC_LINT_WARN,
                                       "Server URL must not have trailing slash."},
    [LR_OAS3_SERVER_VARIABLES] = {"oas3-server-variables", SPEC_LINT_ERROR,
                                  "Server variables must be defined and valid and there must be "
                                  "no unused variables."},
    [LR_PATH_PARAMS] = {"path-params", SPEC_LINT_ERROR,
                        "Path parameters must be defined and valid."},
    [LR_PATH_KEYS_NO_TRAILING_SLASH] = {"path-keys-no-trailing-slash", SPEC_LINT_WARN,
                                        "Path must not end with slash."},
    [LR_PATH_NOT_INCLUDE_QUERY] = {"path-not-include-query", SPEC_LINT_WARN,
                                   "Path must not include query string."},
    [LR_PATH_DECLARATIONS_MUST_EXIST] = {"path-declarations-must-exist", SPEC_LINT_WARN,
                                         "Path parameter declarations must not be empty, ex. "
                                         "\"/given/{}\" is invalid."},
    [LR_NO_AMBIGUOUS_PATHS] = {"no-ambiguous-paths", SPEC_LINT_WARN,
                               "Paths must not be ambiguous: no request path may match two "
                               "templates where neither is more specific."},
    [LR_OPERATION_OPERATIONID] = {"operation-operationId", SPEC_LINT_WARN,
                                  "Operation must have \"operationId\"."},
    [LR_OPERATION_OPERATIONID_UNIQUE] = {"operation-operationId-unique", SPEC_LINT_ERROR,
                                         "Every operation must have unique \"operationId\"."},
    [LR_OPERATION_OPERATIONID_VALID_IN_URL] = {"operation-operationId-valid-in-url", SPEC_LINT_WARN,
                                               "operationId must not contain characters that are "
                                               "invalid when used in URL."},
    [LR_OPERATION_PARAMETERS] = {"operation-parameters", SPEC_LINT_WARN,
                                 "Operation parameters are unique and non-repeating."},
    [LR_OPERATION_SUCCESS_RESPONSE] = {"operation-success-response", SPEC_LINT_WARN,
                                       "Operation must have at least one \"2xx\" or \"3xx\" "
                                       "response."},
    [LR_OPERATION_DESCRIPTION] = {"operation-description", SPEC_LINT_WARN,
                                  "Operation \"description\" must be present and non-empty "
                                  "string."},
    [LR_OPERATION_TAGS] = {"operation-tags", SPEC_LINT_WARN,
                           "Operation must have non-empty \"tags\" array."},
    [LR_OPERATION_TAG_DEFINED] = {"operation-tag-defined", SPEC_LINT_WARN,
                                  "Operation tags must be defined in global tags."},
    [LR_OAS3_OPERATION_SECURITY_DEFINED] = {"oas3-operation-security-defined", SPEC_LINT_WARN,
                                            "Operation \"security\" values must match a scheme "
                                            "defined in the \"components.securitySchemes\" "
                                            "object."},
    [LR_OAS3_UNUSED_COMPONENT] = {"oas3-unused-component", SPEC_LINT_WARN,
                                  "Potentially unused component has been detected."},
    [LR_DUPLICATED_ENTRY_IN_ENUM] = {"duplicated-entry-in-enum", SPEC_LINT_WARN,
                                     "Enum values must not have duplicate entry."},
    [LR_TYPED_ENUM] = {"typed-enum", SPEC_LINT_WARN,
                       "Enum values must respect the specified type."},
    [LR_ARRAY_ITEMS] = {"array-items", SPEC_LINT_ERROR,
                        "Schemas with \"type: array\", require a sibling \"items\" field "
                        "(OpenAPI 3.0)."},
    [LR_OAS3_VALID_MEDIA_EXAMPLE] = {"oas3-valid-media-example", SPEC_LINT_ERROR,
                                     "Examples must be valid against their defined schema."},
    [LR_OAS3_VALID_SCHEMA_EXAMPLE] = {"oas3-valid-schema-example", SPEC_LINT_ERROR,
                                      "Examples must be valid against their defined schema."},
    [LR_SCHEMA_PATTERN_ECMA262] = {"schema-pattern-ecma262", SPEC_LINT_ERROR,
                                   "Schema \"pattern\" must be a valid ECMA-262 regular "
                                   "expression."},
    [LR_SCHEMA_KEYWORD_UNENFORCED] = {"schema-keyword-unenforced", SPEC_LINT_WARN,
                                      "Schema keyword is not enforced by the validator."},
};

static const char *const severity_names[] = {"error", "warn", "info", "hint", "off"};

const char *spec_lint_severity_name(spec_lint_severity_t s)
{
    return (unsigned)s <= SPEC_LINT_OFF ? severity_names[s] : "?";
}

int spec_lint_severity_parse(const char *s, spec_lint_severity_t *out)
{
    for (int i = 0; i <= SPEC_LINT_OFF; ++i) {
        if (strcmp(s, severity_names[i]) == 0) {
            *out = (spec_lint_severity_t)i;
            return 0;
        }
    }
    return -1;
}

const spec_lint_rule_t *spec_lint_rules(size_t *count)
{
    *count = LR_COUNT;
    return builtin_rules;
}

ssize_t lint__find_rule(const spec_lint_t *lint, const char *id)
{
    for (size_t i = 0; i < lint->nrules; ++i)
        if (strcmp(lint->rules[i].id, id) == 0)
            return (ssize_t)i;
    return -1;
}

int spec_lint_create(spec_lint_t **out, const spec_lint_options_t *opts, spec_error_t *err)
{
    spec_lint_t *lint = spec__xcalloc(1, sizeof(*lint));
    if (opts != NULL)
        lint->opts = *opts;
    spec__arena_init(&lint->arena);
    size_t n = LR_COUNT;
    for (size_t i = 0; i < lint->opts.nlinters; ++i)
        n += lint->opts.linters[i].nrules;
    lint->rules = spec__xmalloc(n * sizeof(*lint->rules));
    memcpy(lint->rules, builtin_rules, sizeof(builtin_rules));
    lint->nrules = LR_COUNT;
    for (size_t i = 0; i < lint->opts.nlinters; ++i)
        for (size_t j = 0; j < lint->opts.linters[i].nrules; ++j)
            lint->rules[lint->nrules++] = lint->opts.linters[i].rules[j];

    size_t noverrides = 0;
    const lint__override_t *ov = lint->opts.ruleset != NULL
                                     ? lint__ruleset_overrides(lint->opts.ruleset, &noverrides)
                                     : NULL;
    for (size_t i = 0; i < noverrides; ++i) {
        ssize_t r = lint__find_rule(lint, ov[i].rule);
        if (r < 0) {
            spec_error_at(err, ov[i].key, "unknown rule \"%s\" (see `versa lint --list-rules`)",
                          ov[i].rule);
            spec_lint_destroy(lint);
            *out = NULL;
            return -1;
        }
        lint->rules[r].severity =
            ov[i].use_default ? (r < LR_COUNT ? builtin_rules[r].severity : lint->rules[r].severity)
                              : ov[i].severity;
    }
    for (size_t i = 0; i < LR_COUNT; ++i)
        lint->builtin[i] = lint->rules[i].severity;
    lint->max_per_rule = lint->opts.max_findings_per_rule != 0 ? lint->opts.max_findings_per_rule
                                                               : SPEC_LINT_MAX_PER_RULE;
    lint->rule_count = spec__xcalloc(lint->nrules, sizeof(*lint->rule_count));
    lint->rule_dropped = spec__xcalloc(lint->nrules, sizeof(*lint->rule_dropped));
    lint->rule_first_dropped = spec__xcalloc(lint->nrules, sizeof(*lint->rule_first_dropped));
    *out = lint;
    return 0;
}

void spec_lint_destroy(spec_lint_t *lint)
{
    if (lint == NULL)
        return;
    for (size_t i = 0; i < lint->nfiles; ++i)
        free(lint->files[i]);
    free(lint->files);
    free(lint->file_first);
    free(lint->findings);
    free(lint->rules);
    free(lint->rule_count);
    free(lint->rule_dropped);
    free(lint->rule_first_dropped);
    spec__arena_dispose(&lint->arena);
    free(lint);
}

spec_validator_t *lint__validator(spec_lint_ctx_t *ctx)
{
    if (ctx->validator == NULL)
        ctx->validator = spec_validator_create(ctx->spec);
    return ctx->validator;
}

/* The loader's problems as findings, after the rules ran: broken references; structure it needed
 * to build the model and path templates it cannot route, unless a rule already reported that
 * node (the walk and the path rules say it with Spectral's wording and severity). */
static void report_problems(spec_lint_ctx_t *ctx)
{
    size_t n;
    const spec_problem_t *p = spec_problems(ctx->spec, &n);
    for (size_t i = 0; i < n; ++i) {
        const char *code = p[i].code;
        const spec_error_t *e = &p[i].error;
        lint__rule_t rule;
        if (strcmp(code, SPEC_PROBLEM_REF_UNSUPPORTED) == 0)
            rule = LR_UNCHECKED_REMOTE_REF;
        else if (strncmp(code, "ref-", 4) == 0 || strcmp(code, SPEC_PROBLEM_LIMIT) == 0)
            rule = LR_INVALID_REF;
        else if (strcmp(code, SPEC_PROBLEM_PATH_AMBIGUOUS) == 0)
            continue; /* path-params reports equivalent paths */
        else if (strcmp(code, SPEC_PROBLEM_PATH_TEMPLATE) == 0)
            rule = lint__finding_at(ctx->lint, e, NULL) ? LR_COUNT : LR_PATH_PARAMS;
        else
            rule = lint__finding_at(ctx->lint, e, builtin_rules[LR_OAS3_SCHEMA].id)
                       ? LR_COUNT
                       : LR_OAS3_SCHEMA;
        if (rule != LR_COUNT)
            lint__report_at(ctx, rule, e->file[0] ? e->file : spec_doc_file(ctx->doc), e->line,
                            e->col, e->pointer, e->message);
    }
}

static void lint_spec(spec_lint_t *lint, const spec_t *spec)
{
    spec_lint_ctx_t ctx = {
        .lint = lint,
        .spec = spec,
        .doc = spec_document(spec, 0),
        .v31 = spec_version(spec) == SPEC_OAS_31,
        .severity = lint->builtin,
        .example_values = EXAMPLE_VALUES_BUDGET,
        .example_steps = EXAMPLE_STEPS_BUDGET,
    };
    lint__walk(&ctx);
    lint__rules_info(&ctx);
    lint__rules_servers(&ctx);
    lint__rules_paths(&ctx);
    lint__rules_operations(&ctx);
    lint__rules_security(&ctx);
    lint__rules_components(&ctx);
    report_problems(&ctx);
    spec_validator_destroy(ctx.validator);
}

void spec_lint_spec(spec_lint_t *lint, const spec_t *spec)
{
    const char *root = spec_doc_file(spec_document(spec, 0));
    lint__add_file(lint, root);
    lint->incomplete |= spec_incomplete(spec);
    lint_spec(lint, spec);
    lint__sort_batch(lint, root);
}

/* Why spec_load refused the root document, as a finding. Only runs on that failure path, so
 * parsing the document a second time costs nothing in the common case. */
static void report_unusable(spec_lint_t *lint, const char *path, const spec_error_t *load_err)
{
    spec_doc_t *doc = NULL;
    spec_error_t e;
    const spec_limits_t *limits = lint->opts.load != NULL ? &lint->opts.load->limits : NULL;
    spec_lint_ctx_t ctx = {.lint = lint, .severity = lint->builtin};
    if (spec_doc_load(&doc, path, limits, &e) != 0) {
        lint__report_at(&ctx, LR_PARSER, e.file[0] ? e.file : path, e.line, e.col, e.pointer,
                        e.message);
        return;
    }
    ctx.doc = doc;
    const spec_node_t *root = spec_doc_root(doc);
    int is_openapi =
        spec_node_get(root, "openapi") != NULL || spec_node_get(root, "swagger") != NULL;
    for (size_t i = 0; !is_openapi && i < lint->opts.nlinters; ++i) {
        const spec_linter_t *l = &lint->opts.linters[i];
        if (l->accepts(root, l->data)) {
            l->lint(&ctx, doc, l->data);
            spec_doc_destroy(doc);
            return;
        }
    }
    lint__rule_t rule;
    if (root->kind != SPEC_NODE_MAPPING || !is_openapi)
        rule = LR_UNRECOGNIZED_FORMAT;
    else if (spec_node_get(root, "swagger") != NULL)
        rule = LR_UNSUPPORTED_VERSION;
    else if (spec_node_get(root, "openapi")->kind != SPEC_NODE_SCALAR ||
             spec_node_get(root, "openapi")->scalar_type != SPEC_SCALAR_STRING)
        rule = LR_OAS3_SCHEMA;
    else
        rule = LR_UNSUPPORTED_VERSION;
    lint__report_at(&ctx, rule, load_err->file[0] ? load_err->file : path, load_err->line,
                    load_err->col, load_err->pointer, load_err->message);
    spec_doc_destroy(doc);
}

/* The file must be something we can open and read; anything else stops the run (exit 2). */
static int check_readable(const char *path, spec_error_t *err)
{
    memset(err, 0, sizeof(*err));
    snprintf(err->file, sizeof(err->file), "%s", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err->message, sizeof(err->message), "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    int r = fstat(fd, &st);
    int saved = errno;
    close(fd);
    if (r != 0) {
        snprintf(err->message, sizeof(err->message), "cannot stat: %s", strerror(saved));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err->message, sizeof(err->message), "is a directory, not a file");
        return -1;
    }
    return 0;
}

int spec_lint_file(spec_lint_t *lint, const char *path, spec_error_t *err)
{
    if (check_readable(path, err) != 0)
        return -1;
    lint__add_file(lint, path);
    spec_t *spec = NULL;
    spec_error_t load_err;
    if (spec_load(&spec, path, lint->opts.load, &load_err) == 0) {
        lint->incomplete |= spec_incomplete(spec);
        lint_spec(lint, spec);
        lint__sort_batch(lint, spec_doc_file(spec_document(spec, 0)));
        spec_destroy(spec);
    } else {
        report_unusable(lint, path, &load_err);
        lint__sort_batch(lint, path);
    }
    return 0;
}

int spec_lint_incomplete(const spec_lint_t *lint)
{
    return lint->incomplete;
}

const spec_lint_rule_t *spec_lint_run_rules(const spec_lint_t *lint, size_t *count)
{
    *count = lint->nrules;
    return lint->rules;
}
