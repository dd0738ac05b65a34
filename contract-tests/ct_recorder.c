/* The capture writer: exchanges encoded as capture lines on the calling thread, then queued to a
 * ct_linelog_t (its writer thread, bounded queue and size-based rotation). */
#include "ct_recorder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_linelog.h"

struct st_ct_recorder_t {
    size_t max_body_bytes;
    ct_redact_t redact;
    ct_linelog_t *log; /* the queue, the writer thread and rotation */
};

void ct_recorder_config_init(ct_recorder_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_bytes = 1ull << 30;
    cfg->keep = 5;
    cfg->queue_bytes = 8u << 20;
    cfg->max_body_bytes = 1u << 20;
}

ct_recorder_t *ct_recorder_create(const ct_recorder_config_t *cfg, ct_error_t *err)
{
    if (cfg->path == NULL || cfg->path[0] == '\0') {
        snprintf(err->message, sizeof(err->message), "record: no file given");
        return NULL;
    }
    if (cfg->keep > CT_LOGFILE_MAX_KEEP || cfg->queue_bytes == 0) {
        snprintf(err->message, sizeof(err->message),
                 "record: keep must be at most %d and the queue at least 1 byte",
                 CT_LOGFILE_MAX_KEEP);
        return NULL;
    }
    ct_recorder_t *rec = ct__xcalloc(1, sizeof(*rec));
    rec->max_body_bytes = cfg->max_body_bytes;
    if (ct_redact_init(&rec->redact, cfg->redact, cfg->num_redact, err) != 0) {
        free(rec);
        return NULL;
    }
    /* mode 0600: captures hold bodies */
    ct_linelog_config_t lc = {cfg->path, cfg->max_bytes, cfg->keep, cfg->queue_bytes, 0600};
    ct_error_t lerr;
    if ((rec->log = ct_linelog_create(&lc, &lerr)) == NULL) {
        snprintf(err->message, sizeof(err->message), "record: %.240s", lerr.message);
        ct_redact_dispose(&rec->redact);
        free(rec);
        return NULL;
    }
    return rec;
}

int ct_recorder_record(ct_recorder_t *rec, const ct_exchange_t *x)
{
    size_t len;
    char *line = ct_capture_encode(x, &rec->redact, rec->max_body_bytes, &len);
    int ret = ct_linelog_append(rec->log, line, len);
    free(line);
    return ret;
}

int ct_recorder_flush(ct_recorder_t *rec, ct_error_t *err)
{
    ct_error_t lerr;
    if (ct_linelog_flush(rec->log, &lerr) == 0)
        return 0;
    if (err != NULL)
        snprintf(err->message, sizeof(err->message), "record: %.240s", lerr.message);
    return -1;
}

void ct_recorder_stats(ct_recorder_t *rec, ct_recorder_stats_t *out)
{
    ct_linelog_stats_t st;
    ct_linelog_stats(rec->log, &st);
    *out = (ct_recorder_stats_t){st.queued,       st.dropped, st.dropped_bytes,
                                 st.written,      st.bytes_written, st.lost,
                                 st.write_errors, st.rotations};
}

void ct_recorder_destroy(ct_recorder_t *rec)
{
    if (rec == NULL)
        return;
    ct_linelog_destroy(rec->log);
    ct_redact_dispose(&rec->redact);
    free(rec);
}
