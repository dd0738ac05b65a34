/* Escaping for the report formats lint and diff share: XML/HTML text and attribute values
 * (JUnit, SARIF's HTML, report pages) and GitHub workflow commands. */
#include "spec_internal.h"

void spec__xml_escape(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s != NULL ? s : ""); *p; ++p) {
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            /* XML 1.0 forbids most control characters, even escaped */
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                fputc('?', out);
            else
                fputc(*p, out);
        }
    }
}

void spec__github_escape(FILE *out, const char *s, int property)
{
    for (const char *p = s != NULL ? s : ""; *p; ++p) {
        if (*p == '%')
            fputs("%25", out);
        else if (*p == '\r')
            fputs("%0D", out);
        else if (*p == '\n')
            fputs("%0A", out);
        else if (property && *p == ':')
            fputs("%3A", out);
        else if (property && *p == ',')
            fputs("%2C", out);
        else
            fputc(*p, out);
    }
}
