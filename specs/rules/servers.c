/* Server rules: oas3-api-servers (the API names its servers), oas3-server-trailing-slash (server
 * URLs at the root, path and operation levels), oas3-server-variables (every {variable} of a URL is defined, used, and has a
 * default from its enum, and substituting them gives valid URLs). */
#include <stdio.h>
#include <string.h>
#include "../lint_internal.h"

#define MAX_VARS 16
#define MAX_SUBSTITUTIONS 256
#define MAX_URL 2048

void lint__rules_servers(spec_lint_ctx_t *ctx)
{
    const spec_node_t *servers = spec_node_get(spec_root(ctx->spec), "servers");
    if (servers == NULL)
        lint__report(ctx, LR_OAS3_API_SERVERS, spec_root(ctx->spec), "",
                     "OpenAPI \"servers\" must be present and non-empty array.");
    else if (servers->kind == SPEC_NODE_SEQUENCE && servers->u.seq.len == 0)
        lint__report(ctx, LR_OAS3_API_SERVERS, servers, "/servers",
                     "OpenAPI \"servers\" must be present and non-empty array.");
}

typedef struct {
    const char *name;
    size_t len;
} var_t;

/* The {name} variables of a server URL in order, without repeats; returns their count. */
static size_t url_variables(const char *url, var_t *vars, size_t max)
{
    size_t n = 0;
    for (const char *p = strchr(url, '{'); p != NULL; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (end == NULL)
            break;
        var_t v = {p + 1, (size_t)(end - p - 1)};
        size_t i;
        for (i = 0; i < n; ++i)
            if (vars[i].len == v.len && memcmp(vars[i].name, v.name, v.len) == 0)
                break;
        if (i == n && n < max)
            vars[n++] = v;
    }
    return n;
}

static const spec_node_t *variable_named(const spec_node_t *variables, const var_t *v)
{
    if (variables == NULL || variables->kind != SPEC_NODE_MAPPING)
        return NULL;
    for (size_t i = 0; i < variables->u.map.len; ++i) {
        const spec_node_t *k = variables->u.map.items[i].key;
        if (k->u.scalar.len == v->len && memcmp(k->u.scalar.str, v->name, v->len) == 0)
            return variables->u.map.items[i].value;
    }
    return NULL;
}

/* Checks a substituted server URL the way WHATWG's URL parser would reject it: a scheme that is
 * not [A-Za-z][A-Za-z0-9+.-]*, or an authority with a bad host or port. Relative URLs (no scheme
 * before the first '/') are valid server URLs in OpenAPI and pass. */
static int valid_url(const char *s)
{
    const char *colon = strchr(s, ':'), *slash = strchr(s, '/');
    if (colon == NULL || (slash != NULL && slash < colon))
        return 1;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return 0;
    for (const char *p = s; p < colon; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '+' || *p == '-' || *p == '.'))
            return 0;
    const char *p = colon + 1;
    if (strncmp(p, "//", 2) != 0)
        return 1; /* not hierarchical (mailto:...): nothing more to check */
    p += 2;
    const char *host = p;
    while (*p != '\0' && *p != '/' && *p != ':' && *p != '?' && *p != '#') {
        if (strchr(" <>\"{}|\\^`", *p) != NULL)
            return 0;
        ++p;
    }
    if (p == host)
        return 0;
    if (*p == ':') {
        unsigned long port = 0;
        const char *digits = ++p;
        while (*p >= '0' && *p <= '9' && port <= 65535)
            port = port * 10 + (unsigned long)(*p++ - '0');
        if ((p != digits && port > 65535) || (*p != '\0' && *p != '/' && *p != '?' && *p != '#'))
            return 0;
    }
    for (; *p != '\0'; ++p)
        if (*p == ' ' || *p == '\t' || *p == '\n')
            return 0;
    return 1;
}

typedef struct {
    const char *url;
    const var_t *vars;
    const spec_node_t *const *values[MAX_VARS]; /* per variable: candidate value nodes */
    const spec_node_t *single[MAX_VARS];        /* storage for a lone default */
    size_t nvalues[MAX_VARS];
    size_t nvars, tried, invalid;
    char examples[512];
} subst_t;

static void substitute(subst_t *s, size_t pick[MAX_VARS])
{
    char out[MAX_URL];
    size_t o = 0;
    for (const char *p = s->url; *p != '\0' && o < sizeof(out) - 1;) {
        size_t i = s->nvars;
        if (*p == '{')
            for (i = 0; i < s->nvars; ++i)
                if (p + 1 == s->vars[i].name ||
                    (strncmp(p + 1, s->vars[i].name, s->vars[i].len) == 0 &&
                     p[1 + s->vars[i].len] == '}'))
                    break;
        if (i < s->nvars && s->nvalues[i] != 0) {
            const spec_node_t *v = s->values[i][pick[i]];
            size_t len =
                v->u.scalar.len < sizeof(out) - 1 - o ? v->u.scalar.len : sizeof(out) - 1 - o;
            memcpy(out + o, v->u.scalar.str, len);
            o += len;
            p += s->vars[i].len + 2;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    ++s->tried;
    if (!valid_url(out) && s->invalid++ < 5) {
        size_t used = strlen(s->examples), room = sizeof(s->examples) - used;
        if (room > 3)
            snprintf(s->examples + used, room, "%s%.*s", used ? ", " : "", (int)(room - 3), out);
    }
}

static void check_substitutions(lint__walk_t *w, const spec_node_t *server, const char *url,
                                const var_t *vars, size_t nvars, const spec_node_t *variables)
{
    subst_t s = {.url = url, .vars = vars, .nvars = nvars};
    size_t combos = 1;
    for (size_t i = 0; i < nvars; ++i) {
        const spec_node_t *def = variable_named(variables, &vars[i]);
        const spec_node_t *e = spec_node_get(def, "enum"), *d = spec_node_get(def, "default");
        if (e != NULL && e->kind == SPEC_NODE_SEQUENCE && e->u.seq.len != 0) {
            s.values[i] = e->u.seq.items;
            s.nvalues[i] = e->u.seq.len;
        } else if (d != NULL) {
            s.single[i] = d;
            s.values[i] = &s.single[i];
            s.nvalues[i] = 1;
        }
        for (size_t j = 0; j < s.nvalues[i]; ++j)
            if (s.values[i][j]->kind != SPEC_NODE_SCALAR)
                return; /* oas3-schema reports non-string values */
        if (s.nvalues[i] > 1)
            combos *= s.nvalues[i];
        if (combos > MAX_SUBSTITUTIONS)
            return;
    }
    size_t pick[MAX_VARS] = {0};
    for (size_t c = 0; c < combos; ++c) {
        size_t rest = c;
        for (size_t i = 0; i < nvars; ++i) {
            pick[i] = s.nvalues[i] > 1 ? rest % s.nvalues[i] : 0;
            rest = s.nvalues[i] > 1 ? rest / s.nvalues[i] : rest;
        }
        substitute(&s, pick);
    }
    if (s.invalid == 0)
        return;
    size_t saved = lint__path_push_str(&w->path, "variables");
    lint__report(w->ctx, LR_OAS3_SERVER_VARIABLES, variables != NULL ? variables : server,
                 w->path.buf, "%s substitutions of server variables resulted in invalid URLs: %s%s",
                 s.invalid >= 5 ? "At least 5" : "A few", s.examples,
                 s.invalid > 5 ? " and more" : "");
    lint__path_pop(&w->path, saved);
}

static void check_variables(lint__walk_t *w, const spec_node_t *server, const char *url)
{
    var_t vars[MAX_VARS];
    size_t nvars = url_variables(url, vars, MAX_VARS);
    const spec_node_t *variables = spec_node_get(server, "variables");
    if (variables != NULL && variables->kind != SPEC_NODE_MAPPING)
        return;
    size_t saved = lint__path_push_str(&w->path, "variables");
    for (size_t i = 0; variables != NULL && i < variables->u.map.len; ++i) {
        const spec_pair_t *p = &variables->u.map.items[i];
        var_t v = {p->key->u.scalar.str, p->key->u.scalar.len};
        size_t j;
        for (j = 0; j < nvars; ++j)
            if (vars[j].len == v.len && memcmp(vars[j].name, v.name, v.len) == 0)
                break;
        size_t s2 = lint__path_push(&w->path, v.name, v.len);
        if (j == nvars) {
            lint__report(w->ctx, LR_OAS3_SERVER_VARIABLES, p->key, w->path.buf,
                         "Server's \"variables\" object has unused defined \"%s\" url variable.",
                         v.name);
        } else if (p->value->kind == SPEC_NODE_MAPPING) {
            const spec_node_t *e = spec_node_get(p->value, "enum"),
                              *d = spec_node_get(p->value, "default");
            if (d == NULL) {
                lint__report(w->ctx, LR_OAS3_SERVER_VARIABLES, p->value, w->path.buf,
                             "Server Variable \"%s\" has a missing default.", v.name);
            } else if (e != NULL && e->kind == SPEC_NODE_SEQUENCE) {
                size_t k;
                for (k = 0; k < e->u.seq.len; ++k)
                    if (lint__node_equal(e->u.seq.items[k], d))
                        break;
                if (k == e->u.seq.len) {
                    size_t s3 = lint__path_push_str(&w->path, "default");
                    lint__report(w->ctx, LR_OAS3_SERVER_VARIABLES, d, w->path.buf,
                                 "Server Variable \"%s\" has a default not listed in the enum.",
                                 v.name);
                    lint__path_pop(&w->path, s3);
                }
            }
        }
        lint__path_pop(&w->path, s2);
    }
    char missed[512] = "";
    size_t len = 0;
    for (size_t j = 0; j < nvars; ++j) {
        if (variable_named(variables, &vars[j]) != NULL)
            continue;
        int n = snprintf(missed + len, sizeof(missed) - len, "%s%.*s", len ? ", " : "",
                         (int)vars[j].len, vars[j].name);
        if (n > 0 && (size_t)n < sizeof(missed) - len)
            len += (size_t)n;
    }
    if (len != 0)
        lint__report(w->ctx, LR_OAS3_SERVER_VARIABLES, variables != NULL ? variables : server,
                     w->path.buf,
                     "Not all server's variables are described with \"variables\" object. "
                     "Missed: %s.",
                     missed);
    lint__path_pop(&w->path, saved);
    if (len == 0 && nvars != 0)
        check_substitutions(w, server, url, vars, nvars, variables);
}

/* A member of a `servers` list: at the root, a path item or an operation ("/servers/<index>",
 * "/paths/~1a/servers/0", "/paths/~1a/get/servers/0"); not a Link's single `server`. Spectral
 * checks the root list only; a base URL with a trailing slash breaks path joining at every
 * level alike. */
static int is_listed_server(const char *path)
{
    const char *at = strstr(path, "/servers/");
    while (at != NULL) {
        const char *index = at + 9;
        if (*index != '\0' && strspn(index, "0123456789") == strlen(index))
            return at == path || strncmp(path, "/paths/", 7) == 0;
        at = strstr(at + 1, "/servers/");
    }
    return 0;
}

void lint__visit_server(lint__walk_t *w, const spec_node_t *server)
{
    const spec_node_t *url = spec_node_get(server, "url");
    if (url == NULL || url->kind != SPEC_NODE_SCALAR || url->scalar_type != SPEC_SCALAR_STRING)
        return;
    const char *u = url->u.scalar.str;
    size_t len = url->u.scalar.len;
    if (len >= 2 && u[len - 1] == '/' && is_listed_server(w->path.buf) &&
        lint__on(w->ctx, LR_OAS3_SERVER_TRAILING_SLASH)) {
        size_t saved = lint__path_push_str(&w->path, "url");
        lint__report(w->ctx, LR_OAS3_SERVER_TRAILING_SLASH, url, w->path.buf,
                     "Server URL must not have trailing slash.");
        lint__path_pop(&w->path, saved);
    }
    if (lint__on(w->ctx, LR_OAS3_SERVER_VARIABLES))
        check_variables(w, server, u);
}
