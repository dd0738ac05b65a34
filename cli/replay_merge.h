/* `versa replay --merge REPORT...`: reads the JSON reports of replay shards and merges them
 * (contract-tests/ct_replay_merge.c). */
#ifndef CLI_REPLAY_MERGE_H
#define CLI_REPLAY_MERGE_H

#include <jansson.h>
#include <stddef.h>

#include "ct_report_render.h"

/* Returns the merged report (a new reference), or NULL after printing why to standard error
 * (an unreadable or invalid file, reports that are not the shards of one replay). */
json_t *replay_merge_files(char *const *paths, size_t n, ct_fail_on_t fail_on);

#endif
