/* The `versioning` key: the default version and the media type and header that select one; and
 * version names, as they appear here and under `apis`. */
#include <stdlib.h>
#include <string.h>
#include "config_internal.h"
#include "version.h"

/* A version name as written: any non-boolean, non-null scalar ("v1", 2, 1.0, 2024-06-01). */
int gw__config_read_version_name(gw__config_loader_t *l, const spec_node_t *n, const char **name,
                                 char *canon)
{
    if (n->kind != SPEC_NODE_SCALAR || n->scalar_type == SPEC_SCALAR_NULL ||
        n->scalar_type == SPEC_SCALAR_BOOL)
        return gw__config_fail(l, n, "expected a version name, got %s", spec_node_type_name(n));
    *name = n->u.scalar.str;
    if (gw_version_canonical(*name, n->u.scalar.len, canon, GW_VERSION_NAME_MAX) < 0)
        return gw__config_fail(
            l, n, "invalid version name '%s' (letters, digits, '.', '_' and '-', at most %d)",
            *name, GW_VERSION_NAME_MAX - 1);
    return 0;
}

int gw__config_load_versioning(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg)
{
    static const char *const keys[] = {"default", "media_type", "header", NULL};
    const spec_node_t *v;
    const char *s = NULL; /* set by every reader on success; gcc -O3 can't tell */
    char canon[GW_VERSION_NAME_MAX];
    if (gw__config_check_keys(l, n, keys) != 0)
        return -1;
    if ((v = spec_node_get(n, "default")) != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "default");
        if (gw__config_read_version_name(l, v, &s, canon) != 0)
            return -1;
        cfg->versioning.default_version = xstrdup(s);
        gw__config_leave(l, m);
    }
    if ((v = spec_node_get(n, "media_type")) != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "media_type");
        if (gw__config_read_string(l, v, &s) != 0)
            return -1;
        const char *slash = strchr(s, '/');
        char *type = xstrdup(s);
        if (slash != NULL)
            type[slash - s] = '\0';
        int ok = slash != NULL && gw__config_is_token(type) && gw__config_is_token(slash + 1);
        free(type);
        if (!ok)
            return gw__config_fail(
                l, v, "'%s' is not a media type (type/subtype, without parameters)", s);
        cfg->versioning.media_type = xstrdup(s);
        lowercase(cfg->versioning.media_type);
        gw__config_leave(l, m);
    }
    if ((v = spec_node_get(n, "header")) != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "header");
        if (gw__config_read_string(l, v, &s) != 0)
            return -1;
        if (!gw__config_is_token(s))
            return gw__config_fail(l, v, "'%s' is not a valid header name", s);
        cfg->versioning.header = xstrdup(s);
        cfg->versioning.header_lower = xstrdup(s);
        lowercase(cfg->versioning.header_lower);
        gw__config_leave(l, m);
    }
    return 0;
}
