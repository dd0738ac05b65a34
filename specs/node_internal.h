/* Internal to the document tree (node.c, node_scalar.c, node_read.c): what the builder needs from
 * the other two. */
#ifndef SPEC_NODE_INTERNAL_H
#define SPEC_NODE_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include "node.h"

/* The type a plain (unquoted, untagged) scalar resolves to. */
spec_scalar_type_t spec__node_resolve_plain(const char *s);
/* Sets every field of *err: file ("" for NULL), line and col (0: unknown), no pointer, and the
 * message formatted from fmt and ap. */
void spec__error_vfill(spec_error_t *err, const char *file, uint32_t line, uint32_t col,
                       const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

#endif
