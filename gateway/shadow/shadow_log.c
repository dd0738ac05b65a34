/* The shadow diff log: JSON lines appended by the diff worker (blocking I/O, never on an event
 * loop), rotated by size by contract-tests' ct_logfile (path -> path.1 -> ... -> path.<keep>). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct_logfile.h"
#include "shadow_internal.h"

struct st_gw_shadow_log_t {
    ct_logfile_t file;
};

gw_shadow_log_t *gw_shadow__log_open(const char *path, size_t max_bytes, unsigned keep,
                                     char *errbuf, size_t errlen)
{
    gw_shadow_log_t *log = calloc(1, sizeof(*log));
    if (log == NULL)
        h2o_fatal("no memory");
    ct_error_t err;
    if (ct_logfile_init(&log->file, path, max_bytes, keep, 0644, &err) != 0) {
        snprintf(errbuf, errlen, "cannot open the shadow log %s: %s", path, strerror(errno));
        free(log);
        return NULL;
    }
    return log;
}

void gw_shadow__log_close(gw_shadow_log_t *log)
{
    if (log == NULL)
        return;
    ct_logfile_dispose(&log->file);
    free(log);
}

const char *gw_shadow__log_path(const gw_shadow_log_t *log)
{
    return log->file.path;
}

int gw_shadow__log_write(gw_shadow_log_t *log, const char *line, size_t len)
{
    char *copy = malloc(len + 1); /* the line and its newline, written as one */
    if (copy == NULL)
        h2o_fatal("no memory");
    memcpy(copy, line, len);
    copy[len] = '\n';
    int ret = ct_logfile_write(&log->file, copy, len + 1);
    free(copy);
    return ret;
}
