/* lutetia protocol check|show|lint FILE: validating a protocol file (every error at once, with
 * its JSON path and line:column), a summary for a coordinator, and its inconsistencies. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/protocol.h"

static void usage(FILE *f)
{
    fprintf(
        f, "usage: lutetia protocol check FILE [--json]\n"
           "       lutetia protocol show FILE [--version V]\n"
           "       lutetia protocol lint FILE [--json]\n\n"
           "check  validates FILE and every version in it; lists every problem with its JSON\n"
           "       path and line:column (exit 1 when there are problems)\n"
           "show   a readable summary: versions, arms, randomisation, criteria with their rules,\n"
           "       attestations, endpoints, design and the choices made (--version: an older one)\n"
           "lint   inconsistencies: design figures that disagree, thresholds that differ after\n"
           "       unit conversion, what differs between versions (exit 1 when it finds any)\n");
}

static void print_issues(const char *file, const lt_protocol_issue *v, size_t n, bool json,
                         lt_buf *b)
{
    if (json) {
        lt_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i) lt_buf_putc(b, ',');
            lt_buf_puts(b, "{\"file\":");
            lt_buf_json_str(b, file);
            lt_buf_printf(b, ",\"line\":%d,\"column\":%d", v[i].line, v[i].col);
            lt_buf_puts(b, ",\"version\":");
            lt_buf_json_str(b, v[i].version);
            lt_buf_puts(b, ",\"path\":");
            lt_buf_json_str(b, v[i].path);
            if (v[i].code[0]) {
                lt_buf_puts(b, ",\"code\":");
                lt_buf_json_str(b, v[i].code);
            }
            lt_buf_puts(b, ",\"message\":");
            lt_buf_json_str(b, v[i].message);
            lt_buf_putc(b, '}');
        }
        lt_buf_puts(b, "]\n");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        lt_buf_printf(b, "%s:%d:%d: ", file, v[i].line, v[i].col);
        if (v[i].code[0]) lt_buf_printf(b, "%s: ", v[i].code);
        if (v[i].version[0]) lt_buf_printf(b, "version %s: ", v[i].version);
        lt_buf_printf(b, "%s%s%s\n", v[i].path, v[i].path[0] ? ": " : "", v[i].message);
    }
}

int lt_cmd_protocol(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc < 3) return lt_cli_usage_error("protocol", "expected check, show or lint and a FILE");
    const char *sub = argv[1], *file = NULL, *version = NULL;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--version")) {
            if (++i >= argc) return lt_cli_usage_error("protocol", "--version needs a version");
            version = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return lt_cli_usage_error("protocol", "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return lt_cli_usage_error("protocol", "one FILE at a time (found '%s' too)", argv[i]);
        }
    }
    if (!file) return lt_cli_usage_error("protocol", "expected a FILE");
    lt_error err;
    lt_buf b = LT_BUF_INIT;
    int rc = 0;
    if (!strcmp(sub, "check")) {
        if (version)
            return lt_cli_usage_error("protocol", "check validates every version: drop --version");
        char *text;
        size_t len;
        if (lt_file_read(file, &text, &len, &err) != LT_OK) return lt_cli_fail(&err);
        lt_protocol_issue *v = NULL;
        size_t n = 0;
        lt_status st = lt_protocol_check(text, len, file, &v, &n, &err);
        if (st == LT_OK) st = lt_cli_check_sections(text, len, file, &v, &n, &err);
        free(text);
        if (st != LT_OK) return lt_cli_fail(&err);
        print_issues(file, v, n, json, &b);
        if (!json && n == 0) lt_buf_printf(&b, "%s: valid\n", file);
        if (!json && n) lt_buf_printf(&b, "%zu problem%s\n", n, n == 1 ? "" : "s");
        free(v);
        rc = lt_cli_print_buf(&b);
        if (!rc && n) rc = LT_EXIT_FINDINGS;
    } else if (!strcmp(sub, "show") || !strcmp(sub, "lint")) {
        bool lint = !strcmp(sub, "lint");
        if (lint && version)
            return lt_cli_usage_error("protocol", "lint reads every version: drop --version");
        if (!lint && json) return lt_cli_usage_error("protocol", "show has no --json");
        lt_protocol *p;
        if (lt_protocol_load(file, version, &p, &err) != LT_OK) return lt_cli_fail(&err);
        size_t n = 0;
        if (lint) {
            lt_protocol_issue *v = NULL;
            if (lt_protocol_lint(p, &v, &n, &err) != LT_OK) {
                lt_protocol_free(p);
                return lt_cli_fail(&err);
            }
            print_issues(file, v, n, json, &b);
            if (!json) lt_buf_printf(&b, "%zu finding%s\n", n, n == 1 ? "" : "s");
            free(v);
        } else {
            lt_protocol_describe(p, &b);
        }
        lt_protocol_free(p);
        rc = lt_cli_print_buf(&b);
        if (!rc && n) rc = LT_EXIT_FINDINGS;
    } else {
        lt_buf_free(&b);
        return lt_cli_usage_error("protocol",
                                  "unknown subcommand '%s' (expected check, show or lint)", sub);
    }
    lt_buf_free(&b);
    return rc;
}
