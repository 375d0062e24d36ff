/* Helpers shared by the dosing and safety modules' files: error places in data files, finding
 * the shipped data files, and reading and writing optional times and numbers in JSON records. */
#ifndef LUTETIA_DOSING_INTERNAL_H
#define LUTETIA_DOSING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "lutetia/buf.h"
#include "lutetia/date.h"
#include "lutetia/dosing.h"
#include "lutetia/json.h"
#include "lutetia/status.h"

/* Writes "source:line:col (path)" into where (LT_ERROR_WHERE_MAX bytes) when text is given and
 * the path is found in it, else "source: path". */
void lt__dose_where(char *where, const char *text, size_t len, const char *source,
                    const char *path);

/* Write "key":<RFC 3339 time or null> and "key":<number or null> (no separator). */
void lt__dose_put_time(lt_buf *b, const char *key, lt_time t);
void lt__dose_put_num(lt_buf *b, const char *key, double x);

/* Reads an optional RFC 3339 time member: absent or null gives LT_DOSE_NO_TIME; anything but
 * a string that lt_time_parse accepts fails with LT_ESCHEMA naming source: key. */
lt_status lt__dose_get_time(const lt_json *obj, const char *key, const char *source, lt_time *out,
                            lt_error *err);
/* Reads an optional number member: absent or null gives NAN; another type fails. */
lt_status lt__dose_get_num(const lt_json *obj, const char *key, const char *source, double *out,
                           lt_error *err);
/* Reads an optional boolean member (absent: false). */
lt_status lt__dose_get_bool(const lt_json *obj, const char *key, const char *source, bool *out,
                            lt_error *err);
/* Copies an optional string member into dst (absent: ""); too long or not a string fails. */
lt_status lt__dose_get_str(const lt_json *obj, const char *key, const char *source, char *dst,
                           size_t size, lt_error *err);

#endif
