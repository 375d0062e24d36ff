/* Names of status codes and the one routine that fills an lt_error. */
#include <stdio.h>
#include <string.h>
#include "lutetia/status.h"

static const char *const status_messages[LT_STATUS_COUNT] = {
#define LT__STATUS_MESSAGE(name, msg, code, meaning) [LT_##name] = msg,
    LT_STATUS_MAP(LT__STATUS_MESSAGE)
#undef LT__STATUS_MESSAGE
};

static const char *const status_names[LT_STATUS_COUNT] = {
#define LT__STATUS_NAME(name, msg, code, meaning) [LT_##name] = #name,
    LT_STATUS_MAP(LT__STATUS_NAME)
#undef LT__STATUS_NAME
};

const char *lt_strerror(lt_status st)
{
    if ((unsigned)st >= LT_STATUS_COUNT) return "unknown status";
    return status_messages[st];
}

const char *lt_status_name(lt_status st)
{
    if ((unsigned)st >= LT_STATUS_COUNT) return "EUNKNOWN";
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
