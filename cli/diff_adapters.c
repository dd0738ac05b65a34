/* `versa diff` adapter coverage: which step of an adapter file carries which breaking change
 * (docs/diff.md#adapter-coverage), and adapter YAML for the ones none carries. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "diff_adapters.h"

static int eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The step's operation entry names the finding's operation (or the step is change-wide). */
static int same_op(const adp_cover_step_t *s, const spec_diff_finding_t *f)
{
    if (s->op_id == NULL && s->method < 0)
        return 1;
    if (s->op_id != NULL)
        return eq(s->op_id, f->operation_id);
    return s->method == f->method && eq(s->tpl, f->tpl);
}

/* A body path of the finding against a step path. */
static int body_match(const adp_cover_step_t *s, const spec_diff_finding_t *f, const char *path)
{
    if (path == NULL)
        return 0;
    if (s->schema != NULL)
        return eq(s->schema, f->component) && eq(path, f->component_field);
    if (!same_op(s, f))
        return 0;
    if ((f->where == SPEC_DIFF_AT_REQUEST && !s->request) ||
        (f->where == SPEC_DIFF_AT_RESPONSE && !s->response))
        return 0;
    return eq(path, f->field);
}

static int covers_body(const adp_cover_step_t *s, const spec_diff_finding_t *f)
{
    int response = f->where == SPEC_DIFF_AT_RESPONSE;
    switch (f->change) {
    case SPEC_DIFF_CHANGE_REMOVED:
        if (s->kind == ADP_COVER_RENAME || s->kind == ADP_COVER_MOVE)
            return body_match(s, f, s->old_path);
        if (s->kind == ADP_COVER_REMOVED)
            return (!response || s->has_default) && body_match(s, f, s->old_path);
        return 0;
    case SPEC_DIFF_CHANGE_ADDED:
        if (s->kind == ADP_COVER_RENAME || s->kind == ADP_COVER_MOVE)
            return body_match(s, f, s->new_path);
        if (s->kind == ADP_COVER_ADDED)
            return (response || s->has_default || f->level == SPEC_DIFF_INFO) &&
                   body_match(s, f, s->new_path);
        return 0;
    case SPEC_DIFF_CHANGE_REQUIRED:
        if (s->kind == ADP_COVER_ADDED && !response)
            return s->has_default && body_match(s, f, s->new_path);
        if (s->kind == ADP_COVER_REMOVED && response)
            return s->has_default && body_match(s, f, s->old_path);
        return 0;
    case SPEC_DIFF_CHANGE_TYPE:
        if (s->kind == ADP_COVER_CONVERT || s->kind == ADP_COVER_COLLAPSE ||
            s->kind == ADP_COVER_EXPAND || s->kind == ADP_COVER_WRAP || s->kind == ADP_COVER_UNWRAP)
            return body_match(s, f, s->old_path);
        return 0;
    case SPEC_DIFF_CHANGE_ENUM:
        if (s->kind == ADP_COVER_MAP || s->kind == ADP_COVER_CONVERT)
            return body_match(s, f, s->old_path);
        return 0;
    default:
        return 0;
    }
}

static int name_eq(const char *a, const char *b, int headers)
{
    return a != NULL && b != NULL && (headers ? strcasecmp(a, b) : strcmp(a, b)) == 0;
}

static int covers_field(const adp_cover_step_t *s, const spec_diff_finding_t *f)
{
    int headers = s->list == ADP_COVER_HEADER;
    if (f->where == SPEC_DIFF_AT_PARAMETER) {
        if (!(headers ? f->param_in == SPEC_PARAM_HEADER
                      : s->list == ADP_COVER_QUERY && f->param_in == SPEC_PARAM_QUERY))
            return 0;
    } else if (f->where == SPEC_DIFF_AT_HEADER) {
        if (!headers || !s->response)
            return 0;
    } else {
        return 0;
    }
    if (!same_op(s, f))
        return 0;
    switch (f->change) {
    case SPEC_DIFF_CHANGE_REMOVED:
        return (s->kind == ADP_COVER_RENAME || s->kind == ADP_COVER_REMOVED) &&
               name_eq(s->old_path, f->field, headers);
    case SPEC_DIFF_CHANGE_ADDED:
    case SPEC_DIFF_CHANGE_REQUIRED:
        return ((s->kind == ADP_COVER_ADDED && (s->has_default || f->level == SPEC_DIFF_INFO)) ||
                s->kind == ADP_COVER_RENAME) &&
               name_eq(s->new_path, f->field, headers);
    default:
        return 0;
    }
}

static int covers(const adp_cover_step_t *s, const spec_diff_finding_t *f)
{
    switch (f->where) {
    case SPEC_DIFF_AT_OPERATION:
        if (f->change == SPEC_DIFF_CHANGE_REMOVED && strstr(f->id, "removed") != NULL &&
            strncmp(f->id, "api-", 4) == 0 && strstr(f->id, "security") == NULL)
            return (s->kind == ADP_COVER_GONE || s->kind == ADP_COVER_PATH) && same_op(s, f);
        if (strcmp(f->id, "endpoint-added") == 0)
            return s->kind == ADP_COVER_PATH && eq(s->new_path, f->tpl);
        return 0;
    case SPEC_DIFF_AT_STATUS:
        return s->kind == ADP_COVER_STATUS && f->status != NULL && same_op(s, f) &&
               s->status_old == atoi(f->status);
    case SPEC_DIFF_AT_REQUEST:
    case SPEC_DIFF_AT_RESPONSE:
        return s->list == ADP_COVER_BODY && covers_body(s, f);
    case SPEC_DIFF_AT_PARAMETER:
    case SPEC_DIFF_AT_HEADER:
        return covers_field(s, f);
    default:
        return 0;
    }
}

/* ---- suggestions ---- */

static void op_key(FILE *out, const spec_diff_finding_t *f)
{
    if (f->operation_id != NULL)
        fprintf(out, "%s", f->operation_id);
    else
        fprintf(out, "\"%s\"", f->operation);
}

static void suggest_one(FILE *out, const spec_diff_finding_t *f, const char *to)
{
    const char *field = f->field != NULL && f->field[0] ? f->field : "$";
    fprintf(out, "# %s: %s%s%s\n  - to: %s\n", f->id, f->operation ? f->operation : "",
            f->operation ? ": " : "", f->message, to);
    const char *step = NULL;
    char buf[1200];
    if (f->where == SPEC_DIFF_AT_OPERATION && f->change == SPEC_DIFF_CHANGE_REMOVED &&
        strncmp(f->id, "api-", 4) == 0 && strstr(f->id, "security") == NULL) {
        fputs("    operations:\n      ", out);
        op_key(out, f);
        fputs(":\n        gone: true\n", out);
        return;
    }
    if (f->where == SPEC_DIFF_AT_STATUS) {
        fputs("    operations:\n      ", out);
        op_key(out, f);
        fprintf(out, ":\n        response:\n          - status: {old: %s, new: NEW_STATUS}\n",
                f->status);
        return;
    }
    if (f->where == SPEC_DIFF_AT_PARAMETER || f->where == SPEC_DIFF_AT_HEADER) {
        const char *list = f->where == SPEC_DIFF_AT_HEADER || f->param_in == SPEC_PARAM_HEADER
                               ? "headers"
                           : f->param_in == SPEC_PARAM_QUERY ? "query"
                                                             : NULL;
        if (list == NULL)
            goto none;
        if (f->change == SPEC_DIFF_CHANGE_REMOVED)
            snprintf(buf, sizeof(buf), "removed: {name: %s%s}", f->field,
                     f->where == SPEC_DIFF_AT_HEADER ? ", default: VALUE, in: response" : "");
        else if (f->change == SPEC_DIFF_CHANGE_ADDED || f->change == SPEC_DIFF_CHANGE_REQUIRED)
            snprintf(buf, sizeof(buf), "added: {name: %s, default: VALUE}", f->field);
        else
            goto none;
        fputs("    operations:\n      ", out);
        op_key(out, f);
        fprintf(out, ":\n        %s:\n          - %s\n", list, buf);
        return;
    }
    if (f->where != SPEC_DIFF_AT_REQUEST && f->where != SPEC_DIFF_AT_RESPONSE)
        goto none;
    int response = f->where == SPEC_DIFF_AT_RESPONSE;
    const char *path = f->component != NULL ? f->component_field : field;
    switch (f->change) {
    case SPEC_DIFF_CHANGE_REMOVED:
        snprintf(buf, sizeof(buf),
                 response ? "removed: {field: %s, default: null}" : "removed: {field: %s}", path);
        step = buf;
        break;
    case SPEC_DIFF_CHANGE_ADDED:
    case SPEC_DIFF_CHANGE_REQUIRED:
        if (response)
            snprintf(buf, sizeof(buf), "removed: {field: %s, default: null}", path);
        else
            snprintf(buf, sizeof(buf), "added: {field: %s, default: null}", path);
        step = buf;
        break;
    case SPEC_DIFF_CHANGE_TYPE:
        snprintf(buf, sizeof(buf), "convert: {field: %s, old: OLD_TYPE, new: NEW_TYPE}", path);
        step = buf;
        break;
    case SPEC_DIFF_CHANGE_ENUM:
        snprintf(buf, sizeof(buf), "map: {field: %s, old_to_new: {OLD: NEW}}", path);
        step = buf;
        break;
    default:
        goto none;
    }
    if (f->component != NULL) {
        fprintf(out, "    schemas:\n      %s:\n        - %s\n", f->component, step);
    } else {
        fputs("    operations:\n      ", out);
        op_key(out, f);
        fprintf(out, ":\n        %s:\n          - %s\n", response ? "response" : "request", step);
    }
    return;
none:
    fputs("    # no adapter step can carry this change: keep the old behaviour in the revision\n",
          out);
}

void cli_diff_cover(spec_diff_t *diff, adp_coverage_t *cov, size_t to, const char *to_name,
                    FILE *suggest)
{
    size_t ns = 0, nf;
    adp_cover_step_t *steps = adp_coverage_steps(cov, to, &ns);
    const spec_diff_finding_t *f = spec_diff_findings(diff, &nf);
    for (size_t i = 0; i != nf; ++i) {
        const adp_cover_step_t *by = NULL;
        for (size_t k = 0; k != ns; ++k)
            if (covers(&steps[k], &f[i])) {
                steps[k].used = 1;
                if (by == NULL)
                    by = &steps[k];
            }
        if (!spec_diff_breaking(&f[i]))
            continue;
        char where[700];
        if (by != NULL)
            snprintf(where, sizeof(where), "%s:%u:%u", by->pos.file, by->pos.line, by->pos.col);
        spec_diff_set_coverage(diff, i, by != NULL ? where : NULL);
        f = spec_diff_findings(diff, &nf);
        if (by == NULL && suggest != NULL)
            suggest_one(suggest, &f[i], to_name);
    }
    for (size_t k = 0; k != ns; ++k) {
        if (steps[k].used)
            continue;
        char msg[600];
        snprintf(msg, sizeof(msg),
                 "adapter step %s%s%s (change to %s) matches no difference "
                 "between the two specs: it does nothing",
                 steps[k].keyword, steps[k].old_path || steps[k].new_path ? " " : "",
                 steps[k].old_path   ? steps[k].old_path
                 : steps[k].new_path ? steps[k].new_path
                                     : "",
                 to_name);
        spec_diff_add(diff, "adapter-change-unused", SPEC_DIFF_WARNING, &steps[k].pos, msg);
    }
    spec_diff_sort(diff);
}
