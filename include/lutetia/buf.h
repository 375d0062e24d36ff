/* A growable byte buffer for building text: reports, JSON documents, SQL parameters.
 * Appends never fail loudly: after an allocation failure the buffer is marked and later appends
 * do nothing, so a caller checks lt_buf_failed() once at the end instead of after every call. */
#ifndef LUTETIA_BUF_H
#define LUTETIA_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include "status.h"

typedef struct lt_buf {
    char *p;      /* NUL-terminated contents, or NULL while empty */
    size_t n;     /* length without the NUL */
    size_t cap;
    bool failed;  /* an allocation failed; contents are incomplete */
} lt_buf;

#define LT_BUF_INIT {NULL, 0, 0, false}

LT_API void lt_buf_free(lt_buf *b);
LT_API void lt_buf_reset(lt_buf *b);       /* empties, keeps the allocation */
LT_API void lt_buf_put(lt_buf *b, const void *data, size_t n);
LT_API void lt_buf_puts(lt_buf *b, const char *s);
LT_API void lt_buf_putc(lt_buf *b, char c);
LT_API void lt_buf_printf(lt_buf *b, const char *fmt, ...) LT_PRINTF(2, 3);
LT_API const char *lt_buf_str(const lt_buf *b); /* "" while empty */
LT_API bool lt_buf_failed(const lt_buf *b);

/* JSON writing helpers: a quoted, escaped string (NULL writes null), and a number written so
 * that it reads back to the same double (non-finite numbers write null). */
LT_API void lt_buf_json_str(lt_buf *b, const char *s);
LT_API void lt_buf_json_num(lt_buf *b, double x);

/* A CSV field (RFC 4180): as it is, or quoted with doubled quotes when it holds a comma, a
 * quote or a line break. NULL writes an empty field. */
LT_API void lt_buf_csv_field(lt_buf *b, const char *s);

/* Writes x with the fewest significant digits (up to 17) that read back to the same double. */
LT_API void lt_buf_num(lt_buf *b, double x);

#endif
