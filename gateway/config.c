/* Gateway configuration loader: YAML tree -> validated, immutable gw_config_t. This file reads
 * the top level and hands each section to its loader (config_listen.c, config_versioning.c,
 * config_limits.c, config_apis.c, all built on config_read.c); then it loads the specs and
 * adapters the config names, and owns the reference count and the release. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "adapters.h"
#include "config_internal.h"
#include "record.h"
#include "shadow_config.h"
#include "trace.h"
#include "validate.h"

#define MAX_CONFIG_BYTES (1024 * 1024)
#define MAX_THREADS 256

/* --- the top level --- */

static int load_access_log(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg)
{
    int b;
    cfg->access_log.pos = (spec_pos_t){cfg->doc_file, n->pos.line, n->pos.col};
    if (spec_node_bool(n, &b) == 0 && !b) {
        cfg->access_log.target = GW_LOG_OFF;
        return 0;
    }
    const char *s;
    if (spec_node_str(n) == NULL)
        return gw__config_fail(l, n, "expected stdout, stderr, off or a file path, got %s",
                               spec_node_type_name(n));
    if (gw__config_read_string(l, n, &s) != 0)
        return -1;
    if (strcmp(s, "stdout") == 0)
        cfg->access_log.target = GW_LOG_STDOUT;
    else if (strcmp(s, "stderr") == 0)
        cfg->access_log.target = GW_LOG_STDERR;
    else if (strcmp(s, "off") == 0)
        cfg->access_log.target = GW_LOG_OFF;
    else {
        cfg->access_log.target = GW_LOG_FILE;
        return gw__config_read_path(l, n, &cfg->access_log.path);
    }
    return 0;
}

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

/* underscores_in_headers, spec_max_files and spec_ref_root: what the gateway accepts from
 * clients and specs (docs/security.md). */
static int load_policies(gw__config_loader_t *l, const spec_node_t *root, gw_config_t *cfg)
{
    static const char *const names[] = {"drop", "reject", "forward"};
    const spec_node_t *n;
    gw__config_mark_t m;
    cfg->underscores_in_headers = GW_UNDERSCORES_DROP;
    if ((n = spec_node_get(root, "underscores_in_headers")) != NULL) {
        const char *v;
        m = gw__config_enter_key(l, "underscores_in_headers");
        if (gw__config_read_string(l, n, &v) != 0)
            return -1;
        size_t i = 0;
        while (i < 3 && strcmp(v, names[i]) != 0)
            ++i;
        if (i == 3)
            return gw__config_fail(l, n, "expected drop, reject or forward, got '%s'", v);
        cfg->underscores_in_headers = (gw_underscores_t)i;
        gw__config_leave(l, m);
    }
    if ((n = spec_node_get(root, "spec_max_files")) != NULL) {
        uint64_t v;
        m = gw__config_enter_key(l, "spec_max_files");
        if (gw__config_read_uint(l, n, 1, UINT32_MAX, &v) != 0)
            return -1;
        cfg->spec_max_files = (uint32_t)v;
        gw__config_leave(l, m);
    }
    if ((n = spec_node_get(root, "spec_ref_root")) != NULL) {
        m = gw__config_enter_key(l, "spec_ref_root");
        if (gw__config_read_path(l, n, &cfg->spec_ref_root) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    return 0;
}

static int load_root(gw__config_loader_t *l, const spec_node_t *root, gw_config_t *cfg)
{
    static const char *const keys[] = {"listen",     "admin", "threads", "access_log",
                                       "versioning", "apis",  "limits",  "shutdown_timeout_ms",
                                       "underscores_in_headers", "spec_ref_root", "spec_max_files",
                                       "tracing", NULL};
    const spec_node_t *n;
    if (root->kind != SPEC_NODE_MAPPING)
        return gw__config_fail(l, root, "the configuration must be a mapping, got %s",
                               spec_node_type_name(root));
    if (gw__config_check_keys(l, root, keys) != 0 ||
        (n = gw__config_require(l, root, "listen")) == NULL)
        return -1;
    if (spec_node_get(root, "apis") == NULL)
        return gw__config_fail(l, root, "missing required key 'apis'");

    gw__config_mark_t m = gw__config_enter_key(l, "listen");
    if (gw__config_load_listen(l, n, cfg) != 0)
        return -1;
    gw__config_leave(l, m);
    if ((n = spec_node_get(root, "admin")) != NULL) {
        m = gw__config_enter_key(l, "admin");
        if (gw__config_load_admin(l, n, cfg) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    cfg->threads = online_cpus();
    if ((n = spec_node_get(root, "threads")) != NULL) {
        uint64_t t;
        m = gw__config_enter_key(l, "threads");
        if (gw__config_read_uint(l, n, 1, MAX_THREADS, &t) != 0)
            return -1;
        cfg->threads = (unsigned)t;
        gw__config_leave(l, m);
    }
    cfg->access_log.target = GW_LOG_STDOUT;
    if ((n = spec_node_get(root, "access_log")) != NULL) {
        m = gw__config_enter_key(l, "access_log");
        if (load_access_log(l, n, cfg) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    if ((n = spec_node_get(root, "versioning")) != NULL) {
        m = gw__config_enter_key(l, "versioning");
        if (gw__config_load_versioning(l, n, cfg) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    gw__config_set_default_limits(cfg);
    if ((n = spec_node_get(root, "limits")) != NULL) {
        m = gw__config_enter_key(l, "limits");
        if (gw__config_load_limits(l, n, cfg) != 0 || gw__config_check_limits(l, n, cfg) != 0)
            return -1;
        gw__config_leave(l, m);
    } else if (gw__config_check_limits(l, root, cfg) != 0) {
        return -1;
    }
    if (load_policies(l, root, cfg) != 0)
        return -1;
    cfg->shutdown_timeout_ms = 10000;
    if ((n = spec_node_get(root, "shutdown_timeout_ms")) != NULL) {
        m = gw__config_enter_key(l, "shutdown_timeout_ms");
        if (gw__config_read_uint(l, n, 0, GW__CONFIG_MAX_TIMEOUT_MS, &cfg->shutdown_timeout_ms) !=
            0)
            return -1;
        gw__config_leave(l, m);
    }
    if ((n = spec_node_get(root, "tracing")) != NULL) {
        m = gw__config_enter_key(l, "tracing");
        if (gw__config_load_tracing(l, n, &cfg->tracing) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    m = gw__config_enter_key(l, "apis");
    if (gw__config_load_apis(l, spec_node_get(root, "apis"), cfg) != 0)
        return -1;
    gw__config_leave(l, m);
    return gw__config_resolve_defaults(l, root, cfg);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return xstrdup(".");
    return xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static char *absolute(const char *path)
{
    if (path[0] == '/')
        return xstrdup(path);
    char *cwd = getcwd(NULL, 0);
    if (cwd == NULL)
        return xstrdup(path);
    char *abs = xasprintf("%s/%s", cwd, path);
    free(cwd);
    return abs;
}

static int from_doc(const spec_doc_t *doc, char *file, const char *base_dir, gw_config_t **out,
                    spec_error_t *err)
{
    gw_config_t *cfg = xcalloc(1, sizeof(*cfg));
    cfg->refcnt = 1;
    cfg->file = file;
    cfg->doc_file = xstrdup(spec_doc_file(doc));
    char *dir = base_dir != NULL ? absolute(base_dir) : dir_of(file);
    gw__config_loader_t l = {.err = err, .base_dir = dir};
    const spec_node_t *root = spec_doc_root(doc);
    int ret = root == NULL ? spec_error_at(err, NULL, "the configuration is empty")
                           : load_root(&l, root, cfg);
    free(dir);
    if (ret != 0) {
        if (root == NULL)
            snprintf(err->file, sizeof(err->file), "%s", spec_doc_file(doc));
        gw_config_release(cfg);
        return -1;
    }
    *out = cfg;
    return 0;
}

int gw_config_from_doc(const spec_doc_t *doc, const char *base_dir, gw_config_t **out,
                       spec_error_t *err)
{
    return from_doc(doc, absolute(spec_doc_file(doc)), base_dir, out, err);
}

/* --- what the config names: specs and adapter files --- */

/* A file the config names could not be read at all (its error has no line): the error points
 * at the config value naming it, so that it still reads file:line:col. */
static void at_config_value(spec_error_t *err, const gw_config_t *cfg, spec_pos_t pos)
{
    if (err->line != 0 || pos.line == 0)
        return;
    char msg[sizeof(err->message)];
    snprintf(msg, sizeof(msg), "%.200s: %.300s", err->file, err->message);
    snprintf(err->file, sizeof(err->file), "%s", cfg->doc_file);
    err->line = pos.line;
    err->col = pos.col;
    memcpy(err->message, msg, sizeof(msg));
}

/* The spec an earlier version (of any API, up to `api`'s version `upto`) loaded from `path`;
 * every spec loads with the same options (the config's), so the parse would be the same. */
static spec_t *loaded_earlier(const gw_config_t *cfg, size_t api, size_t upto, const char *path)
{
    for (size_t a = 0; a <= api; ++a)
        for (size_t i = 0; i != (a == api ? upto : cfg->apis[a].num_versions); ++i) {
            const gw_version_t *v = &cfg->apis[a].versions[i];
            if (v->spec != NULL && strcmp(v->spec_path, path) == 0)
                return v->spec;
        }
    return NULL;
}

/* Specs load here, at start-up and for --check, never on the request path; a file named by
 * several versions is read and parsed once (docs/performance.md: cold start). A spec with errors
 * (unresolved $refs, structural problems) is refused: routing on a broken spec would be wrong. */
static int load_specs(gw_config_t *cfg, spec_error_t *err)
{
    for (size_t a = 0; a != cfg->num_apis; ++a) {
        for (size_t i = 0; i != cfg->apis[a].num_versions; ++i) {
            gw_version_t *v = &cfg->apis[a].versions[i];
            if (v->spec_path == NULL)
                continue;
            if ((v->spec = loaded_earlier(cfg, a, i, v->spec_path)) != NULL) {
                v->spec_borrowed = 1; /* checked when it loaded: sound */
                continue;
            }
            spec_load_options_t opts = {.ref_root = cfg->spec_ref_root,
                                        .max_files = cfg->spec_max_files};
            if (spec_load(&v->spec, v->spec_path, &opts, err) != 0) {
                if (err->line == 0) { /* the file itself (missing, unreadable): the config's key */
                    char msg[sizeof(err->message)];
                    snprintf(msg, sizeof(msg), "apis[%zu].versions.%.64s.spec: %.200s: %.200s",
                             a, v->name, err->file, err->message);
                    memcpy(err->message, msg, sizeof(msg));
                    snprintf(err->file, sizeof(err->file), "%s", cfg->doc_file);
                    err->line = v->pos.line;
                    err->col = v->pos.col;
                    err->pointer[0] = '\0';
                }
                return -1;
            }
            if (spec_error_count(v->spec) == 0)
                continue;
            size_t n;
            const spec_problem_t *p = spec_problems(v->spec, &n);
            for (size_t k = 0; k != n; ++k)
                if (p[k].severity == SPEC_SEVERITY_ERROR) {
                    *err = p[k].error;
                    break;
                }
            char msg[sizeof(err->message)];
            snprintf(msg, sizeof(msg), "in the spec of %.64s %.64s: %.360s", cfg->apis[a].name,
                     v->name, err->message);
            memcpy(err->message, msg, sizeof(msg));
            return -1;
        }
    }
    return 0;
}

/* An API with an adapter file, or with a version that has no upstream of its own, gets a
 * compiled adapter registry; the file is checked against the specs of every version here. */
static int load_adapters(gw_config_t *cfg, spec_error_t *err)
{
    for (size_t a = 0; a != cfg->num_apis; ++a) {
        gw_api_t *api = &cfg->apis[a];
        int needed = api->adapters_path != NULL;
        for (size_t i = 0; i != api->num_versions; ++i)
            needed |= !api->versions[i].has_upstream;
        if (!needed)
            continue;
        adp_version_info_t *infos = xcalloc(api->num_versions, sizeof(*infos));
        for (size_t i = 0; i != api->num_versions; ++i)
            infos[i] = (adp_version_info_t){api->versions[i].name, api->versions[i].spec,
                                            api->versions[i].has_upstream};
        adp_load_options_t opts = {.api = api->name};
        int ret;
        if (api->adapters_path != NULL) {
            ret = adp_registry_load(&api->adapters, api->adapters_path, infos, api->num_versions,
                                    &opts, err);
            if (ret != 0)
                at_config_value(err, cfg, api->adapters_pos);
        } else { /* no changes declared: versions without upstream are served as the next one */
            char doc[128];
            int len = snprintf(doc, sizeof(doc), "api: %s\n", api->name);
            ret = adp_registry_parse(&api->adapters, cfg->doc_file, doc, (size_t)len, infos,
                                     api->num_versions, &opts, err);
        }
        free(infos);
        if (ret != 0)
            return -1;
    }
    return 0;
}

/* Contract validation (validate.h) compiles its validators once the specs are loaded. */
static int compile_validation(gw_config_t *cfg, spec_error_t *err)
{
    for (size_t a = 0; a != cfg->num_apis; ++a)
        if (gw_validate__compile(&cfg->apis[a], err) != 0)
            return -1;
    return 0;
}

int gw_config_load(const char *path, gw_config_t **out, spec_error_t *err)
{
    spec_limits_t limits = {.max_file_bytes = MAX_CONFIG_BYTES};
    spec_doc_t *doc;
    if (spec_doc_load(&doc, path, &limits, err) != 0)
        return -1;
    char *file = realpath(path, NULL);
    if (file == NULL) /* raced with a rename or unlink: fall back to the name we read */
        file = absolute(path);
    int ret = from_doc(doc, file, NULL, out, err);
    spec_doc_destroy(doc);
    if (ret == 0 && ((ret = load_specs(*out, err)) != 0 || (ret = load_adapters(*out, err)) != 0 ||
                     (ret = compile_validation(*out, err)) != 0))
        gw_config_release(*out);
    return ret;
}

/* --- reference counting and release --- */

gw_config_t *gw_config_retain(gw_config_t *cfg)
{
    if (cfg != NULL)
        __atomic_add_fetch(&cfg->refcnt, 1, __ATOMIC_RELAXED);
    return cfg;
}

static void free_api(gw_api_t *api)
{
    free(api->name);
    free(api->prefix);
    for (size_t i = 0; i != api->num_versions; ++i) {
        free(api->versions[i].name);
        free(api->versions[i].canonical);
        free(api->versions[i].spec_path);
        if (!api->versions[i].spec_borrowed)
            spec_destroy(api->versions[i].spec);
        gw__record_config_free(api->versions[i].record);
        gw__config_free_upstream(&api->versions[i].upstream);
    }
    free(api->versions);
    free(api->adapters_path);
    adp_registry_destroy(api->adapters);
    gw__record_config_free(api->record);
    gw_shadow__config_free(api->shadows, api->num_shadows);
    gw_validate__config_free(api->validate, api->num_versions);
}

void gw_config_release(gw_config_t *cfg)
{
    if (cfg == NULL || __atomic_sub_fetch(&cfg->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    free(cfg->file);
    free(cfg->doc_file);
    for (size_t i = 0; i != cfg->num_listen; ++i) {
        free(cfg->listen[i].address);
        free(cfg->listen[i].host);
        free(cfg->listen[i].tls_certificate);
        free(cfg->listen[i].tls_key);
    }
    free(cfg->listen);
    free(cfg->admin.address);
    free(cfg->admin.host);
    free(cfg->access_log.path);
    gw__tracing_config_free(cfg->tracing);
    free(cfg->spec_ref_root);
    free(cfg->versioning.default_version);
    free(cfg->versioning.media_type);
    free(cfg->versioning.header);
    free(cfg->versioning.header_lower);
    for (size_t i = 0; i != cfg->num_apis; ++i)
        free_api(cfg->apis + i);
    free(cfg->apis);
    free(cfg);
}
