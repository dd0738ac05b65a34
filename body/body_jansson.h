/* body: the bridge from jansson, for values that were loaded as a general DOM at load time
 * (adapter plan constants) and are used on bodies in flight. */
#ifndef BODY_JANSSON_H
#define BODY_JANSSON_H

#include <jansson.h>
#include "body.h"

/* A copy of a jansson value in `mem` (strings and names copied; integers as integer text, reals
 * as their shortest round-trip text). Recursive: jansson's parser bounds the nesting. */
body_value_t *body_from_jansson(const body_mem_t *mem, const json_t *v);

#endif
