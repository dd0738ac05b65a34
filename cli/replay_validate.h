/* `versa replay --validate [--spec FILE]`: each answer of the candidate held to the candidate's
 * spec (a file, or with -c the spec of --candidate-version), through the gateway's answer checker
 * (gateway/validate_answer.c), plugged into the replay engine's hook (ct_replay_checker_t). */
#ifndef VERSA_REPLAY_VALIDATE_H
#define VERSA_REPLAY_VALIDATE_H

#include <stddef.h>
#include "ct_replay.h"
#include "spec.h"

typedef struct st_replay_validate_t replay_validate_t;

/* With `file`, loads that spec (its own refs followed); else checks against `spec` (borrowed,
 * e.g. the candidate version's in a loaded config), named `name` in the report. Returns 0 and
 * *out, or -1 with a message in err. Blocking. */
int replay_validate_create(const char *file, const spec_t *spec, const char *name,
                           replay_validate_t **out, char *err, size_t err_size);

/* The engine hook; valid while the checker lives. */
void replay_validate_hook(replay_validate_t *v, ct_replay_checker_t *hook);

/* Accepts NULL. */
void replay_validate_destroy(replay_validate_t *v);

#endif
