/* Field syntax of HTTP (RFC 9110 section 5): tokens, values, names and lists. */
#include "up_http.h"

#include <string.h>

/* RFC 9110 section 5.6.2: tchar. */
static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int up_http_is_token(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!is_tchar((unsigned char)s[i]))
            return 0;
    return 1;
}

int up_http_is_field_value(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\0' || s[i] == '\r' || s[i] == '\n')
            return 0;
    return 1;
}

int up_http_name_is(const char *name, size_t len, const char *lower)
{
    size_t n = strlen(lower);
    if (n != len)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (up_http_lower(name[i]) != lower[i])
            return 0;
    return 1;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

int up_http_list_has(const char *value, size_t len, const char *token)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (is_ows(value[i]) || value[i] == ','))
            i++;
        size_t start = i;
        while (i < len && value[i] != ',' && value[i] != ';' && !is_ows(value[i]))
            i++;
        if (up_http_name_is(value + start, i - start, token))
            return 1;
        while (i < len && value[i] != ',')
            i++;
    }
    return 0;
}

