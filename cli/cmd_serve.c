/* versa serve: load and validate the config, then run the gateway until SIGTERM/SIGINT
 * (SIGHUP, POST /reload and --watch reload it; docs/operations.md). */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "config.h"
#include "server.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: versa serve -c FILE [--check [--offline]] [--watch]\n\n"
                 "  -c, --config FILE   the gateway configuration (YAML; see README.md)\n"
                 "      --check         check everything start-up needs (the files the "
                 "configuration names,\n"
                 "                      upstream and listen hosts, log and capture files), "
                 "then exit\n"
                 "      --offline       with --check: the configuration and its files only, "
                 "for another machine\n"
                 "                      (no DNS, log and capture files not opened)\n"
                 "      --watch         reload when a file the configuration names changes "
                 "(also: SIGHUP,\n"
                 "                      POST /reload on the admin listener)\n"
                 "  -h, --help          show this help\n\n"
                 "Under Server::Starter (start_server), the listeners use the sockets named in\n"
                 "$SERVER_STARTER_PORT instead of binding, for upgrades without downtime\n"
                 "(docs/operations.md).\n\n"
                 "exit status: 0 clean shutdown or valid config, 1 invalid config or start-up "
                 "failure, 2 usage error or a malformed $SERVER_STARTER_PORT\n");
}

/* Adapted and validated bodies take buffers of a few hundred KB per request from h2o's pools.
 * With glibc's defaults, memory freed at the top of an arena above 128 KB (or twice the
 * largest block mmap'd so far) goes back to the kernel, so under load the next request's
 * buffers are faulted in page by page again: 8.8% of an adapted 200 KB route's profile.
 * Freed memory is kept for reuse instead, up to 32 MB at an arena's top, and blocks below 4 MB
 * come from the arenas (versa_memory_held_bytes shows what is kept). glibc's own variables
 * (MALLOC_TRIM_THRESHOLD_, MALLOC_MMAP_THRESHOLD_) still decide when set. */
static void keep_freed_memory(void)
{
    if (getenv("MALLOC_TRIM_THRESHOLD_") == NULL)
        mallopt(M_TRIM_THRESHOLD, 32 << 20);
    if (getenv("MALLOC_MMAP_THRESHOLD_") == NULL)
        mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

int cli_serve_main(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"check", no_argument, NULL, 'k'},
                                         {"watch", no_argument, NULL, 'w'},
                                         {"offline", no_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *file = NULL;
    int check = 0, watch = 0, offline = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            file = optarg;
            break;
        case 'k':
            check = 1;
            break;
        case 'w':
            watch = 1;
            break;
        case 'o':
            offline = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (file == NULL || optind != argc || (offline && !check)) {
        fprintf(stderr, "versa serve: %s\n\n",
                file == NULL       ? "missing -c FILE"
                : optind != argc ? "unexpected argument"
                                   : "--offline goes with --check");
        usage(stderr);
        return 2;
    }
    gw_config_t *cfg;
    spec_error_t err;
    char msg[2048];
    if (gw_config_load(file, &cfg, &err) != 0) {
        fprintf(stderr, "versa: %s\n", spec_error_format(&err, msg, sizeof(msg)));
        return 1;
    }
    if (check) {
        /* what start-up does short of binding: whatever passes here starts */
        if (!offline && gw_serve_check(cfg, msg, sizeof(msg)) != 0) {
            fprintf(stderr, "versa: %s\n", msg);
            gw_config_release(cfg);
            return 1;
        }
        printf("%s: configuration OK (%zu API(s), %zu listener(s))\n", file, cfg->num_apis,
               cfg->num_listen);
        gw_config_release(cfg);
        return 0;
    }
    keep_freed_memory();
    gw_serve_opts_t serve_opts = {.watch = watch, .config_path = file};
    int ret = gw_serve_opts(cfg, &serve_opts, msg, sizeof(msg));
    if (ret != 0)
        fprintf(stderr, "versa: %s\n", msg);
    gw_config_release(cfg);
    return ret;
}
