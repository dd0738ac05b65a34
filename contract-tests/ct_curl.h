/* A request as a ready-to-paste curl command for POSIX shells, so that a difference in a report
 * can be reproduced by hand. */
#ifndef CT_CURL_H
#define CT_CURL_H

#include <stddef.h>

#include "ct_diff.h"

/* Bodies larger than this are left out of commands (with a note at the end of the command). */
#define CT_CURL_MAX_BODY (64 * 1024)

/* Builds `curl -i [-X METHOD | --head] [--globoff] [--path-as-is] 'URL' -H 'name: value'...
 * [--data-binary 'body']`, every word single-quoted. A body that is not printable UTF-8 text on one
 * line is piped from `printf '%b'` with octal escapes instead. Returns a new string (free it). */
char *ct_curl_command(const char *method, size_t method_len, const char *url, size_t url_len,
                      const ct_header_t *headers, size_t num_headers, const char *body,
                      size_t body_len);

#endif
