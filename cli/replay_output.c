/* The replay report in its --format (json, text, junit, html), to standard output or --output. */
#include "replay_output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *render(const json_t *report, replay_format_t format, ct_fail_on_t fail_on, size_t *len)
{
    ct_render_options_t ro = {"versa replay", fail_on};
    switch (format) {
    case FORMAT_JSON: {
        char *s = json_dumps(report, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        if (s == NULL)
            abort();
        size_t n = strlen(s);
        char *out = realloc(s, n + 2);
        if (out == NULL)
            abort();
        out[n] = '\n';
        out[n + 1] = '\0';
        *len = n + 1;
        return out;
    }
    case FORMAT_JUNIT:
        return ct_report_junit(report, &ro, len);
    case FORMAT_HTML:
        return ct_report_html(report, &ro, len);
    case FORMAT_TEXT:
        break;
    }
    return ct_report_text(report, &ro, len);
}

int replay_write_report(const json_t *report, replay_format_t format, ct_fail_on_t fail_on,
                        const char *output)
{
    size_t len;
    char *text = render(report, format, fail_on, &len);
    FILE *out = stdout;
    if (output != NULL && (out = fopen(output, "w")) == NULL) {
        fprintf(stderr, "versa replay: cannot write %s: %s\n", output, strerror(errno));
        free(text);
        return -1;
    }
    int ok = fwrite(text, 1, len, out) == len;
    ok = (out == stdout ? fflush(out) : fclose(out)) == 0 && ok;
    free(text);
    if (!ok) {
        fprintf(stderr, "versa replay: cannot write the report: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}
