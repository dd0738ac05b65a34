/* `versa replay --merge`: loading the shards' JSON reports and merging them. */
#include "replay_merge.h"

#include <stdio.h>
#include <stdlib.h>

#include "ct_replay_merge.h"

json_t *replay_merge_files(char *const *paths, size_t n, ct_fail_on_t fail_on)
{
    json_t **reports = calloc(n ? n : 1, sizeof(*reports));
    json_t *merged = NULL;
    size_t loaded = 0;
    if (reports == NULL)
        abort();
    for (; loaded < n; loaded++) {
        json_error_t jerr;
        reports[loaded] = json_load_file(paths[loaded], JSON_REJECT_DUPLICATES, &jerr);
        if (reports[loaded] == NULL) {
            fprintf(stderr, "versa replay: %s:%d:%d: %s\n", paths[loaded], jerr.line, jerr.column,
                    jerr.text);
            goto done;
        }
    }
    ct_error_t err;
    merged = ct_replay_merge(reports, n, NULL, fail_on, &err);
    if (merged == NULL)
        fprintf(stderr, "versa replay: --merge: %s\n", err.message);
done:
    for (size_t i = 0; i < loaded; i++)
        json_decref(reports[i]);
    free(reports);
    return merged;
}
