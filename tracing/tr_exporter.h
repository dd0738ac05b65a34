/* The span exporter: finished spans are encoded (OTLP protobuf) on the thread that ends them and
 * handed to a bounded queue; a thread of its own sends them in batches with OTLP/HTTP
 * (application/x-protobuf) to the collector. A slow or dead collector only ever fills the queue:
 * spans beyond it are dropped and counted, never waited for. */
#ifndef TR_EXPORTER_H
#define TR_EXPORTER_H

#include <stddef.h>
#include <stdint.h>
#include "tr_otlp.h"

typedef struct st_tr_exporter_config_t {
    const char *endpoint;        /* http://host[:port]/path, e.g. http://collector:4318/v1/traces */
    const char *service_name;    /* resource service.name */
    const char *service_version; /* resource service.version */
    const tr_attr_t *resource;   /* further resource attributes (copied) */
    size_t num_resource;
    size_t queue_size;          /* spans waiting; beyond: dropped */
    size_t batch_size;          /* spans per export request (at most queue_size) */
    uint64_t flush_interval_ms; /* longest a span waits for a batch to fill */
    uint64_t timeout_ms;        /* per export request: connect, send, response */
} tr_exporter_config_t;

typedef struct st_tr_exporter_t tr_exporter_t;

/* Why a span did not reach the collector without being sent. */
typedef enum tr_drop {
    TR_DROP_QUEUE_FULL,
    TR_DROP_TOO_LARGE, /* its encoding over the per-span bound */
    TR_DROP_SHUTDOWN,  /* still queued when the final flush ran out of time */
    TR_DROP__COUNT
} tr_drop_t;

extern const char *const tr_drop_names[TR_DROP__COUNT];

/* Counters since creation; read with relaxed atomics, any thread. */
typedef struct st_tr_exporter_stats_t {
    uint64_t exported;                /* spans in requests the collector accepted (2xx) */
    uint64_t failed;                  /* spans in requests that failed or were refused */
    uint64_t dropped[TR_DROP__COUNT]; /* spans never sent */
    uint64_t requests_ok, requests_failed;
    uint64_t queued; /* spans waiting now */
} tr_exporter_stats_t;

/* Parses the endpoint and starts the thread. Returns 0, or -1 with a message in err (a bad
 * endpoint: not http://, or with a query). The collector is not contacted here: one that is
 * down at start-up only costs the spans of the batches that fail. */
int tr_exporter_create(tr_exporter_t **out, const tr_exporter_config_t *cfg, char *err,
                       size_t err_size);
/* Stops the thread after a last flush of what is queued (bounded by one timeout_ms; spans left
 * are counted as dropped: shutdown) and frees everything. Accepts NULL. */
void tr_exporter_destroy(tr_exporter_t *e);

/* Encodes `span` and queues it. Thread-safe, never blocks on I/O: a mutex held for a list
 * append. Returns 0, or -1 when the span was dropped (counted). */
int tr_exporter_submit(tr_exporter_t *e, const tr_span_t *span);

void tr_exporter_stats(tr_exporter_t *e, tr_exporter_stats_t *out);

#endif
