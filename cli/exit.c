/* The single table from library status to process exit code, and error printing. */
#include <stdarg.h>
#include <stdio.h>
#include "cli.h"

static const int exit_codes[LT_STATUS_COUNT] = {
    [LT_OK] = 0,          [LT_EINVAL] = 2,     [LT_EIO] = 3,
    [LT_EPARSE] = 4,      [LT_ESCHEMA] = 4,    [LT_ENOTFOUND] = 5,
    [LT_ESTATE] = 6,      [LT_EPERM] = 7,      [LT_ECONFLICT] = 8,
    [LT_ESTORE] = 9,      [LT_ECORRUPT] = 10,  [LT_EVERSION] = 11,
    [LT_ENUMERIC] = 12,   [LT_EUNSUPPORTED] = 13, [LT_ENOMEM] = 14,
};

int lt_cli_exit_code(lt_status st)
{
    if ((unsigned)st >= LT_STATUS_COUNT) return 70;
    return exit_codes[st];
}

int lt_cli_fail(const lt_error *err)
{
    if (err->where[0])
        fprintf(stderr, "lutetia: %s: %s\n", err->where, err->message);
    else
        fprintf(stderr, "lutetia: %s\n", err->message[0] ? err->message : lt_strerror(err->status));
    return lt_cli_exit_code(err->status);
}

int lt_cli_usage_error(const char *verb, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "lutetia %s: ", verb);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'lutetia %s --help')\n", verb);
    return LT_EXIT_USAGE;
}
