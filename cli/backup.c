/* `lutetia backup --to FILE`: a consistent copy of the trial database, taken with SQLite's
 * online backup API from one read snapshot (commits still in the -wal file included) while
 * others keep working, verified before it is put in place. */
#include <getopt.h>
#include <string.h>
#include "cli.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia backup --to FILE [--json] [--db FILE]\n\n"
            "Copies the trial database (default ./lutetia.db, or LUTETIA_DB) into FILE as one\n"
            "consistent snapshot, while others may go on writing. The copy is written beside\n"
            "FILE, opened read-only and verified (the audit chain, every record, and its head\n"
            "equal to the database's head at the snapshot), and only then renamed to FILE; an\n"
            "existing FILE is replaced only by a verified copy. FILE must be a regular file or\n"
            "not exist (a symbolic link or device is refused). Prints the head of the copy,\n"
            "SEQ:HASH, to keep with it. Copying the database file with cp is not a backup: the\n"
            "latest commits may still be in its -wal file.\n");
}

int lt_cmd_backup(int argc, char **argv)
{
    static const struct option opts[] = {
        {"to", required_argument, 0, 't'}, {"db", required_argument, 0, 'd'},
        {"json", no_argument, 0, 'j'},     {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *to = NULL, *db = NULL;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': to = optarg; break;
        case 'd': db = optarg; break;
        case 'j': json = true; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("backup", "unknown option");
        }
    }
    if (optind < argc) return lt_cli_usage_error("backup", "unexpected argument '%s'", argv[optind]);
    if (!to) return lt_cli_usage_error("backup", "--to FILE is required");
    db = lt_cli_db(db);
    lt_error err;
    lt_error_clear(&err);
    if (lt_file_check_target(to, &err) != LT_OK) return lt_cli_fail(&err);
    lt_store *st = NULL;
    if (lt_store_open(db, LT_STORE_READ, &st, &err) != LT_OK) return lt_cli_fail(&err);
    lt_audit_verified v;
    lt_status s = lt_store_backup(st, to, &v, &err);
    lt_store_close(st);
    if (s != LT_OK) return lt_cli_fail(&err);
    lt_buf out = LT_BUF_INIT;
    if (json) {
        lt_buf_puts(&out, "{\"backup\":");
        lt_buf_json_str(&out, to);
        lt_buf_printf(&out, ",\"verified\":true,\"records\":%lld,\"head\":\"%lld:%s\"}\n",
                      (long long)v.records, (long long)v.records, v.head);
    } else {
        lt_buf_printf(&out, "backed up %s to %s: verified, %lld audit records, head %lld:%s\n",
                      db, to, (long long)v.records, (long long)v.records, v.head);
    }
    int rc = lt_cli_print_buf(&out);
    lt_buf_free(&out);
    return rc;
}
