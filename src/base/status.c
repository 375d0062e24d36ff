/* Names of status codes and the one routine that fills an lt_error. */
#include <stdio.h>
#include <string.h>
#include "lutetia/status.h"

static const char *const status_names[LT_STATUS_COUNT] = {
    [LT_OK] = "ok",
    [LT_ENOMEM] = "out of memory",
    [LT_EINVAL] = "invalid argument",
    [LT_EIO] = "input/output error",
    [LT_EPARSE] = "malformed input",
    [LT_ESCHEMA] = "invalid content",
    [LT_ENOTFOUND] = "not found",
    [LT_ESTATE] = "step out of order",
    [LT_EPERM] = "permission denied",
    [LT_ECONFLICT] = "conflict",
    [LT_ESTORE] = "database error",
    [LT_ECORRUPT] = "verification failed",
    [LT_EVERSION] = "unsupported version",
    [LT_ENUMERIC] = "numerical failure",
    [LT_EUNSUPPORTED] = "not supported",
};

const char *lt_strerror(lt_status st)
{
    if ((unsigned)st >= LT_STATUS_COUNT) return "unknown status";
    return status_names[st];
}

lt_status lt_error_vset(lt_error *err, lt_status st, const char *where, const char *fmt,
                        va_list ap)
{
    if (!err) return st;
    err->status = st;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return st;
}

lt_status lt_error_set(lt_error *err, lt_status st, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lt_error_vset(err, st, where, fmt, ap);
    va_end(ap);
    return st;
}

void lt_error_clear(lt_error *err)
{
    if (!err) return;
    err->status = LT_OK;
    err->where[0] = '\0';
    err->message[0] = '\0';
}
