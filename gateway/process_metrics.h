/* The process as Prometheus client libraries describe it (process_* metrics: CPU, resident
 * memory, open file descriptors, start time) and malloc's own view of the heap, so that a
 * growing RSS can be told apart: memory in use (a leak grows it) against memory malloc keeps
 * from the kernel without using it (fragmentation, per-thread arenas). */
#ifndef GW_PROCESS_METRICS_H
#define GW_PROCESS_METRICS_H

#include <stdint.h>
#include "metrics.h"

typedef struct st_gw_process_stats_t {
    double cpu_seconds;       /* user + system */
    uint64_t resident_bytes;  /* VmRSS */
    uint64_t virtual_bytes;
    uint64_t open_fds;
    uint64_t max_fds;         /* RLIMIT_NOFILE's soft limit */
    double start_time;        /* seconds since the epoch */
    uint64_t heap_in_use;     /* malloc'ed and not freed (mallinfo2 uordblks + hblkhd) */
    uint64_t heap_held;       /* obtained from the kernel by malloc (arena + hblkhd) */
} gw_process_stats_t;

/* Reads this process's figures from /proc/self and malloc. Returns 0, or -1 when /proc could
 * not be read (the fields it would give are then 0). */
int gw_process_stats(gw_process_stats_t *out);

/* Appends the process_* and versa_memory_* families in the text exposition format. */
void gw_process_metrics_render(gw_metrics_out_t *out);

#endif
