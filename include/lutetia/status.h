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

/* The one list of statuses (libuv's UV_ERRNO_MAP): X(NAME, message, exit code, meaning).
 * It generates the enum, lt_strerror's message, lt_status_name's stable name ("EPERM") and
 * the command line's exit code, so that one situation has one code in every verb. The exit
 * codes are the documented table (`lutetia help exit-codes`, README); 0 is success, 1 is kept
 * for "a check found problems" (lint, audit verify), 70 for a status outside this list. */
#define LT_STATUS_MAP(X)                                                                       \
    X(OK, "ok", 0, "success")                                                                  \
    X(ENOMEM, "out of memory", 14, "an allocation failed")                                     \
    X(EINVAL, "invalid argument", 2,                                                           \
      "usage: an argument is missing, unknown or out of range (a correction without a reason)") \
    X(EIO, "input/output error", 3, "a file or stream could not be opened, read or written")  \
    X(EPARSE, "malformed input", 4, "input is malformed (JSON, CSV, a date) or breaks its format") \
    X(ESCHEMA, "invalid content", 4, "input is well-formed but breaks its documented format") \
    X(ENOTFOUND, "not found", 5,                                                               \
      "the named thing (patient, column, criterion, file) does not exist")                     \
    X(ESTATE, "step out of order", 6,                                                          \
      "refused by state: something the step needs is not recorded yet, or the patient is past it") \
    X(EPERM, "permission denied", 7, "refused by role or site: the user may not do this")      \
    X(ECONFLICT, "conflict", 8,                                                                \
      "the change conflicts with what is stored (duplicate, a limit, a concurrent edit)")     \
    X(ESTORE, "database error", 9, "storage: the database reported an error")                 \
    X(ECORRUPT, "verification failed", 10,                                                     \
      "stored data fails verification (audit chain, checksum)")                                \
    X(EVERSION, "unsupported version", 11,                                                     \
      "a file or database was written by a newer, unknown version")                           \
    X(ENUMERIC, "numerical failure", 12,                                                       \
      "a computation did not converge or is undefined for this data")                          \
    X(EUNSUPPORTED, "not supported", 13, "valid request that this build does not support")

typedef enum lt_status {
#define LT__STATUS_ENUM(name, msg, code, meaning) LT_##name,
    LT_STATUS_MAP(LT__STATUS_ENUM)
#undef LT__STATUS_ENUM
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

/* A short stable message for the status ("out of memory", "malformed input", ...). */
LT_API const char *lt_strerror(lt_status st);

/* The status's stable name for JSON errors ("OK", "EPERM", ...; "EUNKNOWN" outside the list). */
LT_API const char *lt_status_name(lt_status st);

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
