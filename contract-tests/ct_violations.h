/* Contract violations of answers against a spec, aggregated for a report (`versa replay
 * --validate`, shadowing with `validate: true`): counted by (operation, side, keyword, schema
 * location), each with its first example, and rendered as the report member "violations"
 * (ct_report_render.h). The violations themselves come from the gateway's validator; this side
 * only counts and reports them. */
#ifndef CT_VIOLATIONS_H
#define CT_VIOLATIONS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* One violation, as a checker reports it. */
typedef struct st_ct_violation_t {
    char operation[160]; /* the operationId, else "METHOD /template" */
    const char *side;    /* static: "response" (or "request") */
    const char *keyword; /* static */
    char schema[512];    /* "#/components/schemas/Pet/..." or "" when none */
    char pointer[256];   /* into the answer: "/body/name", "/status", "/header/X-Rate" */
    char message[256];
} ct_violation_t;

typedef struct st_ct_violations_t ct_violations_t;

/* At most max_entries distinct (operation, side, keyword, schema) are listed; the violations
 * beyond are counted in "violations_unlisted". */
ct_violations_t *ct_violations_create(size_t max_entries);
/* Accepts NULL. */
void ct_violations_destroy(ct_violations_t *v);

/* Counts one violation; the first of its kind keeps `request_id` and `curl` (either may be NULL)
 * as its example. Strings are copied. Not thread-safe. */
void ct_violations_add(ct_violations_t *v, const ct_violation_t *one, const char *request_id,
                       const char *curl);
/* Violations counted, exchanges that had at least one (ct_violations_exchange after adding an
 * exchange's). */
uint64_t ct_violations_total(const ct_violations_t *v);
void ct_violations_exchange(ct_violations_t *v);
/* Violations not listed: the list was full. */
uint64_t ct_violations_unlisted(const ct_violations_t *v);
uint64_t ct_violations_exchanges(const ct_violations_t *v);

/* The "violations" array, most frequent first (ties by first appearance). New reference. */
json_t *ct_violations_to_json(const ct_violations_t *v);

/* Adds the entries of a "violations" array (a shard's report) into v: counts summed by key,
 * examples kept from v when it has one. Malformed entries are skipped. */
void ct_violations_merge_json(ct_violations_t *v, const json_t *list);

#endif
