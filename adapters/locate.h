/* Finding where instances of schema components occur in a body, through the spec: a
 * deterministic automaton over member names and array items whose states are sets of schemas
 * (allOf members together, oneOf/anyOf branches marked tentative). Recursive schemas become
 * cycles, so every depth of a tree is covered without unrolling. */
#ifndef ADP_LOCATE_H
#define ADP_LOCATE_H

#include "alloc.h"
#include "plan.h"
#include "spec.h"

typedef struct st_adp__target_t {
    const spec_node_t *schema; /* a component, dereferenced (spec_component) */
    const adp__unit_t *unit;   /* the steps to run on each instance */
} adp__target_t;

/* Builds the automaton for bodies described by `root` (a schema of `spec`). Returns 0 with *out
 * (NULL when no target can occur in such bodies), or -1 when it would need more than
 * `max_states` states. Keys are copied into the arena: the result does not refer to the spec. */
int adp__locate(adp__arena_t *arena, const spec_t *spec, const spec_node_t *root,
                const adp__target_t *targets, size_t ntargets, uint32_t max_states,
                const adp__dfa_t **out);

#endif
