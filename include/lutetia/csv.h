/* A reader for comma-separated values (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
 * It works in place on a buffer the caller owns and may modify: fields are NUL-terminated
 * inside that buffer, so reading ten million rows allocates nothing per row. */
#ifndef LUTETIA_CSV_H
#define LUTETIA_CSV_H

#include <stddef.h>
#include "status.h"

typedef struct lt_csv lt_csv;

/* Starts reading data[0..len) (data[len] must be writable and is overwritten). name is used
 * in error places ("labs.csv:12"). delim is ',' or ';' or '\t'. */
LT_API lt_status lt_csv_new(char *data, size_t len, const char *name, char delim, lt_csv **out,
                            lt_error *err);
LT_API void lt_csv_free(lt_csv *c);

/* Reads the next record. Returns 1 with *fields (valid until the next call) and *n set,
 * 0 at the end of the input, or -1 with err filled (an unterminated quote, a stray quote).
 * Blank lines are skipped. */
LT_API int lt_csv_next(lt_csv *c, const char ***fields, size_t *n, lt_error *err);

/* 1-based line number where the record last returned starts. */
LT_API size_t lt_csv_line(const lt_csv *c);
LT_API const char *lt_csv_name(const lt_csv *c);

#endif
