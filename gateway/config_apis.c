/* The `apis` key: each API's name, prefix, versions (upstream, spec, record), timeouts, default
 * version and adapter file; its `record`, `shadow` and `validate` sub-keys are read by record.c,
 * shadow/shadow_config.c and validate_config.c through the same loader. */
#include <stdlib.h>
#include <string.h>
#include "config_internal.h"
#include "record.h"
#include "shadow_config.h"
#include "validate.h"
#include "version.h"

#define MAX_NAME_LEN 64

static int load_version(gw__config_loader_t *l, const spec_node_t *key, const spec_node_t *value,
                        gw_version_t *v, const char *canon, const char *doc_file)
{
    static const char *const keys[] = {"upstream", "spec", "record", NULL};
    const spec_node_t *n;
    v->name = xstrdup(key->u.scalar.str);
    v->canonical = xstrdup(canon);
    v->pos = (spec_pos_t){doc_file, key->pos.line, key->pos.col};
    if (value->kind == SPEC_NODE_SCALAR && value->scalar_type == SPEC_SCALAR_NULL)
        return 0; /* "v1:" alone: served through a newer version (checked by the caller) */
    if (gw__config_check_keys(l, value, keys) != 0)
        return -1;
    if ((n = spec_node_get(value, "upstream")) != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "upstream");
        if (gw__config_read_upstream(l, n, &v->upstream) != 0)
            return -1;
        v->has_upstream = 1;
        gw__config_leave(l, m);
    }
    if ((n = spec_node_get(value, "spec")) != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "spec");
        if (gw__config_read_path(l, n, &v->spec_path) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    if ((n = spec_node_get(value, "record")) != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "record");
        if (gw__record_config_load(l, n, &v->record) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    return 0;
}

static int load_versions(gw__config_loader_t *l, const spec_node_t *map, gw_api_t *api,
                         const char *doc_file)
{
    if (gw__config_expect_mapping(l, map) != 0)
        return -1;
    if (map->u.map.len == 0)
        return gw__config_fail(l, map, "at least one version is required");
    api->versions = xcalloc(map->u.map.len, sizeof(*api->versions));
    api->num_versions = map->u.map.len;
    for (size_t i = 0; i != map->u.map.len; ++i) {
        const spec_node_t *key = map->u.map.items[i].key;
        const char *name = NULL;
        char canon[GW_VERSION_NAME_MAX];
        gw__config_mark_t m = gw__config_enter_key(l, key->u.scalar.str);
        if (gw__config_read_version_name(l, key, &name, canon) != 0)
            return -1;
        for (size_t j = 0; j != i; ++j)
            if (strcmp(api->versions[j].canonical, canon) == 0)
                return gw__config_fail(l, key,
                                       "version '%s' is the same as version '%s' (both mean %s)",
                                       name, api->versions[j].name, canon);
        if (load_version(l, key, map->u.map.items[i].value, api->versions + i, canon, doc_file) !=
            0)
            return -1;
        gw__config_leave(l, m);
    }
    /* A version without its own upstream is served by adapting to a newer one (issue 4), so
     * some later version must have an upstream. */
    for (size_t i = api->num_versions; i-- != 0;) {
        if (api->versions[i].has_upstream)
            break;
        const spec_node_t *key = map->u.map.items[i].key;
        gw__config_mark_t m = gw__config_enter_key(l, key->u.scalar.str);
        gw__config_fail(l, key, "version '%s' has no upstream, and no newer version has one",
                        api->versions[i].name);
        gw__config_leave(l, m);
        return -1;
    }
    return 0;
}

static int load_timeouts(gw__config_loader_t *l, const spec_node_t *n, gw_api_t *api)
{
    static const char *const keys[] = {"connect_ms", "response_ms", NULL};
    if (gw__config_check_keys(l, n, keys) != 0 ||
        gw__config_opt_uint(l, n, "connect_ms", 1, GW__CONFIG_MAX_TIMEOUT_MS,
                            &api->connect_timeout_ms) != 0 ||
        gw__config_opt_uint(l, n, "response_ms", 1, GW__CONFIG_MAX_TIMEOUT_MS,
                            &api->response_timeout_ms) != 0)
        return -1;
    return 0;
}

static int is_name(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > MAX_NAME_LEN)
        return 0;
    for (; *s != '\0'; ++s)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static int load_api(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg, size_t index,
                    const spec_node_t **prefix_nodes, const spec_node_t **name_nodes)
{
    static const char *const keys[] = {"name",     "prefix", "versions", "timeouts", "default",
                                       "adapters", "shadow", "record",   "validate", NULL};
    gw_api_t *api = cfg->apis + index;
    const spec_node_t *name, *prefix, *versions, *v;
    const char *s, *why;
    api->connect_timeout_ms = 1000;
    api->response_timeout_ms = 15000;
    if (gw__config_check_keys(l, n, keys) != 0 ||
        (name = gw__config_require(l, n, "name")) == NULL ||
        (versions = gw__config_require(l, n, "versions")) == NULL)
        return -1;
    prefix = spec_node_get(n, "prefix");

    gw__config_mark_t m = gw__config_enter_key(l, "name");
    if (gw__config_read_string(l, name, &s) != 0)
        return -1;
    if (!is_name(s))
        return gw__config_fail(
            l, name, "invalid API name '%s' (letters, digits, '.', '_' and '-', at most %d)", s,
            MAX_NAME_LEN);
    for (size_t j = 0; j != index; ++j)
        if (strcmp(cfg->apis[j].name, s) == 0)
            return gw__config_fail(l, name, "duplicate API name '%s' (also apis[%zu], line %u)", s,
                                   j, name_nodes[j]->pos.line);
    api->name = xstrdup(s);
    name_nodes[index] = name;
    gw__config_leave(l, m);

    if (prefix != NULL) {
        m = gw__config_enter_key(l, "prefix");
        if (gw__config_read_string(l, prefix, &s) != 0)
            return -1;
        if ((why = gw__config_normalised_path(s, strlen(s), 0, &api->prefix)) != NULL)
            return gw__config_fail(l, prefix, "'%s' %s", s, why);
        api->prefix_len = strlen(api->prefix);
        for (size_t j = 0; j != index; ++j)
            if (!cfg->apis[j].spec_routed && strcmp(cfg->apis[j].prefix, api->prefix) == 0)
                return gw__config_fail(l, prefix,
                                       "prefix '%s' is already owned by API '%s' (line %u)", s,
                                       cfg->apis[j].name, prefix_nodes[j]->pos.line);
        prefix_nodes[index] = prefix;
        gw__config_leave(l, m);
    } else {
        api->prefix = xstrdup("");
        api->spec_routed = 1;
    }

    m = gw__config_enter_key(l, "versions");
    if (load_versions(l, versions, api, cfg->doc_file) != 0)
        return -1;
    gw__config_leave(l, m);
    if (api->spec_routed)
        for (size_t i = 0; i != api->num_versions; ++i)
            if (api->versions[i].spec_path == NULL)
                return gw__config_fail(
                    l, n,
                    "API '%s' has no 'prefix', so every version must name a 'spec' "
                    "(version %s has none)",
                    api->name, api->versions[i].name);

    if ((v = spec_node_get(n, "timeouts")) != NULL) {
        m = gw__config_enter_key(l, "timeouts");
        if (load_timeouts(l, v, api) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    if ((v = spec_node_get(n, "adapters")) != NULL) {
        m = gw__config_enter_key(l, "adapters");
        if (gw__config_read_path(l, v, &api->adapters_path) != 0)
            return -1;
        api->adapters_pos = v->pos;
        gw__config_leave(l, m);
    }
    if ((v = spec_node_get(n, "default")) != NULL) {
        char canon[GW_VERSION_NAME_MAX];
        m = gw__config_enter_key(l, "default");
        if (gw__config_read_version_name(l, v, &s, canon) != 0)
            return -1;
        if ((api->default_version = gw_version_find(api, s, strlen(s))) == NULL) {
            char known[200];
            gw_version_list(api, known, sizeof(known));
            return gw__config_fail(l, v, "unknown version '%s' (API '%s' has %s)", s, api->name,
                                   known);
        }
        gw__config_leave(l, m);
    }
    if ((v = spec_node_get(n, "record")) != NULL) {
        m = gw__config_enter_key(l, "record");
        if (gw__record_config_load(l, v, &api->record) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    if ((v = spec_node_get(n, "validate")) != NULL) {
        m = gw__config_enter_key(l, "validate");
        if (gw_validate__config_load(l, v, api) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    if ((v = spec_node_get(n, "shadow")) != NULL) {
        m = gw__config_enter_key(l, "shadow");
        if (gw_shadow__config_load(l, v, api) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    return 0;
}

/* Every API gets a default: its own `default`, else versioning.default (which it must then
 * have), else its newest version. */
int gw__config_resolve_defaults(gw__config_loader_t *l, const spec_node_t *root, gw_config_t *cfg)
{
    const char *name = cfg->versioning.default_version;
    for (size_t i = 0; i != cfg->num_apis; ++i) {
        gw_api_t *api = cfg->apis + i;
        if (api->default_version != NULL)
            continue;
        if (name == NULL) {
            api->default_version = api->versions + api->num_versions - 1;
            continue;
        }
        if ((api->default_version = gw_version_find(api, name, strlen(name))) == NULL) {
            char known[200];
            gw_version_list(api, known, sizeof(known));
            const spec_node_t *n = spec_node_get(spec_node_get(root, "versioning"), "default");
            gw__config_mark_t m = gw__config_enter_key(l, "versioning");
            gw__config_enter_key(l, "default");
            gw__config_fail(
                l, n, "unknown version '%s' for API '%s' (it has %s); set `default` on that API",
                name, api->name, known);
            gw__config_leave(l, m);
            return -1;
        }
    }
    return 0;
}

int gw__config_load_apis(gw__config_loader_t *l, const spec_node_t *seq, gw_config_t *cfg)
{
    if (seq->kind != SPEC_NODE_SEQUENCE)
        return gw__config_fail(l, seq, "expected a sequence of APIs, got %s",
                               spec_node_type_name(seq));
    if (seq->u.seq.len == 0)
        return gw__config_fail(l, seq, "at least one API is required");
    size_t count = seq->u.seq.len;
    cfg->apis = xcalloc(count, sizeof(*cfg->apis));
    cfg->num_apis = count;
    const spec_node_t **prefix_nodes = xcalloc(count, sizeof(*prefix_nodes));
    const spec_node_t **name_nodes = xcalloc(count, sizeof(*name_nodes));
    int ret = 0;
    for (size_t i = 0; i != count && ret == 0; ++i) {
        gw__config_mark_t m = gw__config_enter_index(l, i);
        if ((ret = load_api(l, seq->u.seq.items[i], cfg, i, prefix_nodes, name_nodes)) == 0)
            gw__config_leave(l, m);
    }
    free(prefix_nodes);
    free(name_nodes);
    return ret;
}
