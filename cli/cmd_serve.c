/* versa serve: load and validate the config, then run the gateway until SIGTERM/SIGINT. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "config.h"
#include "server.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: versa serve -c FILE [--check]\n\n"
                 "  -c, --config FILE   the gateway configuration (YAML; see README.md)\n"
                 "      --check         validate the configuration (and the files it names), "
                 "then exit\n"
                 "  -h, --help          show this help\n\n"
                 "Under Server::Starter (start_server), the listeners use the sockets named in\n"
                 "$SERVER_STARTER_PORT instead of binding, for upgrades without downtime\n"
                 "(docs/operations.md).\n\n"
                 "exit status: 0 clean shutdown or valid config, 1 invalid config or start-up "
                 "failure, 2 usage error or a malformed $SERVER_STARTER_PORT\n");
}

int cli_serve_main(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"check", no_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *file = NULL;
    int check = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            file = optarg;
            break;
        case 'k':
            check = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (file == NULL || optind != argc) {
        fprintf(stderr, "versa serve: %s\n\n",
                file == NULL ? "missing -c FILE" : "unexpected argument");
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
        printf("%s: configuration OK (%zu API(s), %zu listener(s))\n", file, cfg->num_apis,
               cfg->num_listen);
        gw_config_release(cfg);
        return 0;
    }
    int ret = gw_serve(cfg, msg, sizeof(msg));
    if (ret != 0)
        fprintf(stderr, "versa: %s\n", msg);
    gw_config_release(cfg);
    return ret;
}
