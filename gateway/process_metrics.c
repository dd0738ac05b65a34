/* process_* metrics as the Prometheus client libraries define them
 * (https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics), read from
 * /proc/self at each scrape, and malloc's view of the heap (mallinfo2, glibc 2.33). */
#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "process_metrics.h"

/* /proc/self/stat fields 14 (utime), 15 (stime), 22 (starttime, clock ticks since boot) and 23
 * (vsize); field 2 is "(comm)", which may hold spaces, so the count starts after its ')'. */
static int read_stat(gw_process_stats_t *out, double *start_ticks)
{
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    unsigned long long utime, stime, start, vsize;
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d "
                      "%*d %llu %llu",
               &utime, &stime, &start, &vsize) != 4)
        return -1;
    double hz = (double)sysconf(_SC_CLK_TCK);
    out->cpu_seconds = (double)(utime + stime) / hz;
    out->virtual_bytes = vsize;
    *start_ticks = (double)start / hz;
    return 0;
}

static uint64_t read_rss(void)
{
    unsigned long long size, resident;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return 0;
    int ok = fscanf(f, "%llu %llu", &size, &resident) == 2;
    fclose(f);
    return ok ? resident * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

static uint64_t count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return 0;
    uint64_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - (n != 0); /* not the directory's own descriptor */
}

/* The boot time, from /proc/stat's btime, to turn starttime into seconds since the epoch. */
static double boot_time(void)
{
    char line[256];
    double btime = 0;
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "btime %lf", &btime) == 1)
            break;
    fclose(f);
    return btime;
}

int gw_process_stats(gw_process_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    double start_ticks = 0;
    int rc = read_stat(out, &start_ticks);
    out->start_time = rc == 0 ? boot_time() + start_ticks : 0;
    out->resident_bytes = read_rss();
    out->open_fds = count_fds();
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        out->max_fds = rl.rlim_cur == RLIM_INFINITY ? 0 : (uint64_t)rl.rlim_cur;
    struct mallinfo2 mi = mallinfo2(); /* every arena, each under its lock: one scrape's cost */
    out->heap_in_use = mi.uordblks + mi.hblkhd;
    out->heap_held = mi.arena + mi.hblkhd;
    return rc;
}

void gw_process_metrics_render(gw_metrics_out_t *o)
{
    gw_process_stats_t s;
    gw_process_stats(&s);
    gw_metrics_outf(o,
                    "# HELP process_cpu_seconds_total User and system CPU time spent, in seconds.\n"
                    "# TYPE process_cpu_seconds_total counter\n"
                    "process_cpu_seconds_total %.2f\n"
                    "# HELP process_resident_memory_bytes Resident memory size, in bytes.\n"
                    "# TYPE process_resident_memory_bytes gauge\n"
                    "process_resident_memory_bytes %llu\n"
                    "# HELP process_virtual_memory_bytes Virtual memory size, in bytes.\n"
                    "# TYPE process_virtual_memory_bytes gauge\n"
                    "process_virtual_memory_bytes %llu\n"
                    "# HELP process_open_fds Open file descriptors.\n"
                    "# TYPE process_open_fds gauge\n"
                    "process_open_fds %llu\n",
                    s.cpu_seconds, (unsigned long long)s.resident_bytes,
                    (unsigned long long)s.virtual_bytes, (unsigned long long)s.open_fds);
    if (s.max_fds != 0)
        gw_metrics_outf(o,
                        "# HELP process_max_fds The limit on open file descriptors.\n"
                        "# TYPE process_max_fds gauge\n"
                        "process_max_fds %llu\n",
                        (unsigned long long)s.max_fds);
    gw_metrics_outf(o,
                    "# HELP process_start_time_seconds Start time of the process since the epoch, "
                    "in seconds.\n"
                    "# TYPE process_start_time_seconds gauge\n"
                    "process_start_time_seconds %.2f\n"
                    "# HELP versa_memory_in_use_bytes Memory allocated by malloc and not freed.\n"
                    "# TYPE versa_memory_in_use_bytes gauge\n"
                    "versa_memory_in_use_bytes %llu\n"
                    "# HELP versa_memory_held_bytes Memory malloc has obtained from the kernel, "
                    "in use or free.\n"
                    "# TYPE versa_memory_held_bytes gauge\n"
                    "versa_memory_held_bytes %llu\n",
                    s.start_time, (unsigned long long)s.heap_in_use,
                    (unsigned long long)s.heap_held);
}
