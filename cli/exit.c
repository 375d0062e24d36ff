/* The single table from library status to process exit code (generated from LT_STATUS_MAP),
 * its printed form (`lutetia help exit-codes`), and error printing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const int exit_codes[LT_STATUS_COUNT] = {
#define LT__STATUS_EXIT(name, msg, code, meaning) [LT_##name] = code,
    LT_STATUS_MAP(LT__STATUS_EXIT)
#undef LT__STATUS_EXIT
};

int lt_cli_exit_code(lt_status st)
{
    if ((unsigned)st >= LT_STATUS_COUNT) return LT_EXIT_UNKNOWN;
    return exit_codes[st];
}

/* The table as README.md shows it: one row per code, in code order, the statuses that share
 * a code on one row (EPARSE and ESCHEMA are both "the input is wrong"). */
int lt_cli_print_exit_codes(FILE *f)
{
    static const struct {
        const char *name, *meaning;
        lt_status st;
    } rows[] = {
#define LT__STATUS_ROW(name, msg, code, meaning) {#name, meaning, LT_##name},
        LT_STATUS_MAP(LT__STATUS_ROW)
#undef LT__STATUS_ROW
    };
    const size_t n = sizeof rows / sizeof rows[0];
    fprintf(f, "exit codes of lutetia (the same code for the same situation in every verb):\n");
    fprintf(f, "  %4s  %-24s %s\n", "code", "status", "meaning");
    for (int code = 0; code <= LT_EXIT_UNKNOWN; code++) {
        char names[96] = "";
        const char *meaning = NULL;
        for (size_t i = 0; i < n; i++) {
            if (lt_cli_exit_code(rows[i].st) != code) continue;
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", rows[i].name);
            if (!meaning) meaning = rows[i].meaning;
        }
        if (code == LT_EXIT_FINDINGS) {
            snprintf(names, sizeof names, "-");
            meaning = "a check ran and found problems (protocol lint, design check, screen "
                      "warnings, audit verify)";
        } else if (code == LT_EXIT_UNKNOWN) {
            snprintf(names, sizeof names, "-");
            meaning = "internal error: a status this table does not know";
        }
        if (meaning) fprintf(f, "  %4d  %-24s %s\n", code, names, meaning);
    }
    return 0;
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
