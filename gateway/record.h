/* Recording live traffic to capture files (`record:` on an API or a version; docs/replay.md):
 * sampled exchanges are copied, bounded, by a tap and handed to a ct_recorder_t, whose writer
 * thread does the file I/O, so the event loop never blocks on it. */
#ifndef GW_RECORD_H
#define GW_RECORD_H

#include <stdint.h>
#include "config.h"
#include "ct_recorder.h"

/* One `record` block: where and how much to record. Owned by the config. */
typedef struct st_gw_record_conf_t {
    char *file; /* absolute */
    double sample;          /* 0..1, default 1 */
    uint64_t max_bytes;     /* rotation size, default 1 GiB */
    unsigned keep;          /* rotated files kept, default 5 */
    size_t max_body;        /* bytes of each body kept, default 1 MiB */
    size_t queue_bytes;     /* writer queue bound, default 8 MiB */
    char **redact;          /* header names; NULL with redact_set 0: the defaults */
    size_t num_redact;
    int redact_set;
    char *where; /* "file:line:col" of the block, for start-up errors */
} gw_record_conf_t;

/* Internal (config_apis.c): parses a `record` mapping into *out (freed with the config). */
int gw__record_config_load(gw__config_loader_t *l, const spec_node_t *n, gw_record_conf_t **out);
void gw__record_config_free(gw_record_conf_t *conf);

/* The recorders of a running gateway: one per `record` block, opened at start-up. A reload shares
 * the writer of a capture file both configurations name (the file is never opened twice). */
typedef struct st_gw_recorders_t {
    const gw_record_conf_t **confs;
    ct_recorder_t **recorders;
    struct st_gw_record_share_t **shares; /* per recorder: its reference count */
    size_t count;
    const gw_record_conf_t **by_version; /* per version index: its block (version's, else API's) */
} gw_recorders_t;

/* Opens every capture file of `cfg`; a file that `prev` (NULL: none) records to keeps prev's
 * writer, with prev's writer settings. Returns 0, or -1 with errbuf filled. Not thread-safe: one
 * thread creates and disposes every generation's recorders. */
int gw_recorders_init(gw_recorders_t *r, const gw_config_t *cfg, const gw_recorders_t *prev,
                      char *errbuf, size_t errlen);
/* Flushes and closes the files no other generation shares (blocking). */
void gw_recorders_dispose(gw_recorders_t *r);
/* The recorder for a version index, or NULL. */
ct_recorder_t *gw_recorders_for(const gw_recorders_t *r, size_t version_index,
                                const gw_record_conf_t **conf);
/* Appends the recorders' counters to a Prometheus exposition (malloc'ed buffer). */
void gw_recorders_render_metrics(const gw_recorders_t *r, char **buf, size_t *len);

struct st_gw_exchange_t;
/* Decides by sampling and, when chosen, attaches the recording tap to the exchange.
 * `upstream_path` is the routed path (version segment stripped) relative to the upstream's base
 * path, which replay sends by default. */
void gw_record_start(struct st_gw_exchange_t *x, const gw_recorders_t *r, size_t version_index,
                     const char *upstream_path, size_t upstream_path_len);

#endif
