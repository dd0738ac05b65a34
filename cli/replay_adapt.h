/* Cross-version replay for `versa replay -c versa.yaml --primary-version v1 --candidate-version
 * v2`: the API's adapter chain, loaded so that the primary's version is served by the candidate's
 * upstream, plugged into the replay engine's hook (ct_replay_adapter_t). */
#ifndef VERSA_REPLAY_ADAPT_H
#define VERSA_REPLAY_ADAPT_H

#include <stddef.h>
#include "config.h"
#include "ct_replay.h"

typedef struct st_replay_adapt_t replay_adapt_t;

/* Loads api's adapter file with every version from `primary` up to (not including) `candidate`
 * seen as having no upstream, so that the adapters upgrade primary requests to the candidate's
 * version and downgrade its answers back. Returns 0 and *out, or -1 with a message in err: no
 * adapter file, the candidate is not newer, or the file does not load. */
int replay_adapt_create(const gw_api_t *api, const char *primary, const char *candidate,
                        replay_adapt_t **out, char *err, size_t err_size);

/* The engine hook; valid while the adapter lives. */
void replay_adapt_hook(replay_adapt_t *a, ct_replay_adapter_t *hook);

/* Accepts NULL. */
void replay_adapt_destroy(replay_adapt_t *a);

#endif
