/* Writing a replay's (or a merge's) report in the format asked for. */
#ifndef VERSA_REPLAY_OUTPUT_H
#define VERSA_REPLAY_OUTPUT_H

#include <jansson.h>
#include "ct_report_render.h"

typedef enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_JUNIT, FORMAT_HTML } replay_format_t;

/* Renders `report` and writes it to `output` (NULL: standard output). Returns 0, or -1 after
 * saying why on standard error. */
int replay_write_report(const json_t *report, replay_format_t format, ct_fail_on_t fail_on,
                        const char *output);

#endif
