/* Status codes and the error record every fallible Lutetia function fills.
 * A function returns an lt_status; when it fails and the caller passed an lt_error, the error
 * holds a message and the place (file:line:column or a JSON path) without allocating. */
#ifndef LUTETIA_STATUS_H
#define LUTETIA_STATUS_H

#include <stdarg.h>

#if defined(LT_BUILDING) && defined(__GNUC__)
#define LT_API __attribute__((visibility("default")))
#else
#define LT_API
#endif

#if defined(__GNUC__)
#define LT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LT_PRINTF(a, b)
#endif

typedef enum lt_status {
    LT_OK = 0,     /* success */
    LT_ENOMEM,     /* an allocation failed */
    LT_EINVAL,     /* the caller passed an argument that cannot be used */
    LT_EIO,        /* a file or stream could not be opened, read or written */
    LT_EPARSE,     /* input is not well-formed (JSON, CSV, a date, a number) */
    LT_ESCHEMA,    /* input is well-formed but breaks its documented format */
    LT_ENOTFOUND,  /* the named thing (patient, column, criterion, file) does not exist */
    LT_ESTATE,     /* the step is out of order: something it needs is not recorded yet */
    LT_EPERM,      /* the user's role or site does not allow this */
    LT_ECONFLICT,  /* the change conflicts with what is stored (duplicate, concurrent edit) */
    LT_ESTORE,     /* the database reported an error */
    LT_ECORRUPT,   /* stored data fails verification (audit chain, checksum) */
    LT_EVERSION,   /* a file or database was written by a newer, unknown version */
    LT_ENUMERIC,   /* a computation did not converge or is undefined for this data */
    LT_EUNSUPPORTED, /* valid request that this build does not support */
    LT_STATUS_COUNT
} lt_status;

#define LT_ERROR_WHERE_MAX 256
#define LT_ERROR_MESSAGE_MAX 768

/* Filled on failure. Fixed-size so that out-of-memory can be reported without allocating. */
typedef struct lt_error {
    lt_status status;
    char where[LT_ERROR_WHERE_MAX];     /* "file:line:col", "file: field", a JSON path, or "" */
    char message[LT_ERROR_MESSAGE_MAX]; /* what was expected and what was found */
} lt_error;

/* A short stable name for the status ("out of memory", "malformed input", ...). */
LT_API const char *lt_strerror(lt_status st);

/* Records st, where and the formatted message in err (if err is not NULL) and returns st. */
LT_API lt_status lt_error_set(lt_error *err, lt_status st, const char *where, const char *fmt, ...)
    LT_PRINTF(4, 5);
LT_API lt_status lt_error_vset(lt_error *err, lt_status st, const char *where, const char *fmt,
                               va_list ap);

/* Clears err to LT_OK with empty strings. */
LT_API void lt_error_clear(lt_error *err);

/* Fill err and return st from the current function. It returns st itself rather than lt_error_set's result, so that a reader of the caller (and
 * clang's analyser, which cannot see into lt_error_set) knows a failure never returns LT_OK. */
#define LT_FAIL(err, st, where, ...)                                                           \
    do {                                                                                       \
        lt_status lt__fail_st = (st);                                                          \
        lt_error_set((err), lt__fail_st, (where), __VA_ARGS__);                                \
        return lt__fail_st;                                                                    \
    } while (0)

#endif
