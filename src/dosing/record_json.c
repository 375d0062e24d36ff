/* Small pieces the dosing and safety records share when they are written to and read from
 * JSON: optional times and numbers, bounded strings, and error places inside data files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dosing_internal.h"

void lt__dose_where(char *where, const char *text, size_t len, const char *source, const char *path)
{
    int line, col;
    if (text && lt_json_locate(text, len, path, &line, &col))
        snprintf(where, LT_ERROR_WHERE_MAX, "%s:%d:%d (%s)", source ? source : "<input>", line, col,
                 path);
    else
        snprintf(where, LT_ERROR_WHERE_MAX, "%s: %s", source ? source : "<input>", path);
}

void lt__dose_put_time(lt_buf *b, const char *key, lt_time t)
{
    lt_buf_json_str(b, key);
    lt_buf_putc(b, ':');
    if (t == LT_DOSE_NO_TIME) {
        lt_buf_puts(b, "null");
    } else {
        char s[LT_TIME_STR_MAX];
        lt_buf_json_str(b, lt_time_format(t, s));
    }
}

void lt__dose_put_num(lt_buf *b, const char *key, double x)
{
    lt_buf_json_str(b, key);
    lt_buf_putc(b, ':');
    lt_buf_json_num(b, x); /* NAN writes null */
}

static void where_key(char *where, const char *source, const char *key)
{
    snprintf(where, LT_ERROR_WHERE_MAX, "%s: %s", source ? source : "<record>", key);
}

lt_status lt__dose_get_time(const lt_json *obj, const char *key, const char *source, lt_time *out,
                            lt_error *err)
{
    const lt_json *v = lt_json_get(obj, key);
    if (!v || lt_json_is_null(v)) {
        *out = LT_DOSE_NO_TIME;
        return LT_OK;
    }
    char where[LT_ERROR_WHERE_MAX];
    lt_time t;
    if (!lt_json_str(v) || !lt_time_parse(lt_json_str(v), &t)) {
        where_key(where, source, key);
        char hint[320];
        if (lt_json_str(v) && lt_time_zone_hint(lt_json_str(v), hint, sizeof hint))
            LT_FAIL(err, LT_ESCHEMA, where, "%s", hint);
        LT_FAIL(err, LT_ESCHEMA, where,
                "expected an RFC 3339 time such as \"2026-01-01T08:00:00Z\", found %s%s%s",
                lt_json_str(v) ? "\"" : "", lt_json_str(v) ? lt_json_str(v) : "another type",
                lt_json_str(v) ? "\"" : "");
    }
    *out = t;
    return LT_OK;
}

lt_status lt__dose_get_num(const lt_json *obj, const char *key, const char *source, double *out,
                           lt_error *err)
{
    const lt_json *v = lt_json_get(obj, key);
    if (!v || lt_json_is_null(v)) {
        *out = NAN;
        return LT_OK;
    }
    double x;
    if (!lt_json_num(v, &x)) {
        char where[LT_ERROR_WHERE_MAX];
        where_key(where, source, key);
        LT_FAIL(err, LT_ESCHEMA, where, "expected a number, found %s",
                lt_json_str(v) ? lt_json_str(v) : "another type");
    }
    *out = x;
    return LT_OK;
}

lt_status lt__dose_get_bool(const lt_json *obj, const char *key, const char *source, bool *out,
                            lt_error *err)
{
    const lt_json *v = lt_json_get(obj, key);
    if (!v || lt_json_is_null(v)) {
        *out = false;
        return LT_OK;
    }
    bool x;
    if (!lt_json_bool(v, &x)) {
        char where[LT_ERROR_WHERE_MAX];
        where_key(where, source, key);
        LT_FAIL(err, LT_ESCHEMA, where, "expected true or false");
    }
    *out = x;
    return LT_OK;
}

lt_status lt__dose_get_str(const lt_json *obj, const char *key, const char *source, char *dst,
                           size_t size, lt_error *err)
{
    const lt_json *v = lt_json_get(obj, key);
    char where[LT_ERROR_WHERE_MAX];
    if (!v || lt_json_is_null(v)) {
        dst[0] = '\0';
        return LT_OK;
    }
    const char *s = lt_json_str(v);
    if (!s) {
        where_key(where, source, key);
        LT_FAIL(err, LT_ESCHEMA, where, "expected a string");
    }
    if (strlen(s) >= size) {
        where_key(where, source, key);
        LT_FAIL(err, LT_ESCHEMA, where, "expected at most %zu characters, found %zu", size - 1,
                strlen(s));
    }
    memcpy(dst, s, strlen(s) + 1);
    return LT_OK;
}

