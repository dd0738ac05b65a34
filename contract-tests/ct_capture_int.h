/* Internal: what the capture reader shares with the HAR importer: per-record storage and the
 * conversions of one JSON value (a capture line, a HAR entry) into an exchange. */
#ifndef CT_CAPTURE_INT_H
#define CT_CAPTURE_INT_H

#include <jansson.h>

#include "ct_buf.h"
#include "ct_capture.h"

/* Memory the current record borrows besides its JSON value; reused from record to record. */
typedef struct st_ct_capture_store_t {
    ct_header_t *headers[2]; /* request, response */
    size_t headers_cap[2];
    ct_buf_t body[2]; /* decoded base64 bodies, built form bodies */
} ct_capture_store_t;

void ct__capture_store_dispose(ct_capture_store_t *st);

/* Room for n headers of side (0 request, 1 response). */
ct_header_t *ct__capture_headers(ct_capture_store_t *st, int side, size_t n);

/* Fills out from one capture line's JSON (strings borrowed from root and st). Returns 0, or -1
 * with a message naming the field ("missing field request.method"). */
int ct__capture_from_json(json_t *root, ct_capture_store_t *st, ct_exchange_t *out, char *msg,
                          size_t size);

/* Same for one HAR 1.2 entry (log.entries[i]). */
int ct__har_entry(json_t *entry, ct_capture_store_t *st, ct_exchange_t *out, char *msg,
                  size_t size);

/* Checks shared by both: a request path ("/..." or "*") and a query without spaces, control
 * characters or '#'. */
int ct__capture_valid_target_part(const char *s, size_t len, int is_path);

#endif
