/* `versa replay --progress`: the progress line on standard error, redrawn in place. */
#ifndef CLI_REPLAY_PROGRESS_H
#define CLI_REPLAY_PROGRESS_H

#include "ct_replay.h"

typedef struct {
    int drawn; /* something was drawn: end the line before printing anything else */
} replay_progress_t;

/* A ct_replay_config_t.progress callback (ctx: a replay_progress_t): a bar when the total is
 * known, counts otherwise. */
void replay_progress_draw(void *ctx, const ct_replay_progress_t *p);

#endif
