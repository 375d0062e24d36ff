/* `lutetia migrate --from FILE --to postgresql://...`: moves a trial from its embedded file into
 * PostgreSQL (or between any two stores) with its whole audit trail, as stored, so that both
 * verify with the same head (lt_store_copy). */
#include <getopt.h>
#include <string.h>
#include "cli.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia migrate --from DB --to DB [--json]\n\n"
            "Moves a whole trial from one store into a new one, typically from its SQLite file\n"
            "into PostgreSQL (--to postgresql://USER@HOST/DATABASE, a database that exists and\n"
            "holds no tables yet; created by its owner role, see docs/store.md). --from is read\n"
            "in one snapshot and must verify; the audit trail is copied record by record as\n"
            "stored (times and hashes unchanged), with every record, the sealed seed and the\n"
            "signed checkpoints, in one transaction. The copy is then verified on its own and\n"
            "must end at the same head, which is printed as SEQ:HASH. The seed stays sealed\n"
            "under the same key file: name it with --key-file or LUTETIA_KEY_FILE when using\n"
            "the new store. --from is left as it was; so is --to when the move fails (a new file\n"
            "is removed, a database on a server keeps an empty schema that a later migrate or\n"
            "trial init uses).\n");
}

/* Whether location names a database on a server rather than a file. */
static bool on_server(const char *location)
{
    return !strncmp(location, "postgres://", 11) || !strncmp(location, "postgresql://", 13);
}

int lt_cmd_migrate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, 0, 'f'}, {"to", required_argument, 0, 't'},
        {"json", no_argument, 0, 'j'},       {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *from = NULL, *to = NULL;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'j': json = true; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("migrate", "unknown option");
        }
    }
    if (optind < argc)
        return lt_cli_usage_error("migrate", "unexpected argument '%s'", argv[optind]);
    if (!from) return lt_cli_usage_error("migrate", "--from DB is required");
    if (!to) return lt_cli_usage_error("migrate", "--to DB is required");
    if (!strcmp(from, to)) return lt_cli_usage_error("migrate", "--from and --to are the same");
    lt_error err;
    lt_error_clear(&err);
    lt_store *src = NULL, *dst = NULL;
    if (lt_store_open(from, LT_STORE_READ, &src, &err) != LT_OK) {
        snprintf(err.where, sizeof err.where, "--from");
        return lt_cli_fail(&err);
    }
    /* a source that does not verify is refused before the target is touched (lt_store_copy
     * checks it again, in the snapshot it copies) */
    if (lt_store_audit_verify(src, NULL, NULL, &err) != LT_OK) {
        lt_store_close(src);
        return lt_cli_fail(&err);
    }
    /* a new file is created exclusively; a database on a server must hold no trail (one whose
     * schema a failed migration or init left empty is used again) */
    if (lt_store_open(to, LT_STORE_CREATE, &dst, &err) != LT_OK) {
        lt_store_close(src);
        return lt_cli_fail(&err);
    }
    lt_audit_verified v;
    lt_status s = lt_store_copy(src, dst, &v, &err);
    lt_store_close(dst);
    lt_store_close(src);
    /* nothing half-made stays behind: the file did not exist before */
    if (s != LT_OK && !on_server(to)) lt_store_remove_files(to);
    if (s != LT_OK) return lt_cli_fail(&err);
    /* the target is not echoed: a connection URI may hold a password */
    lt_buf out = LT_BUF_INIT;
    if (json) {
        lt_buf_puts(&out, "{\"from\":");
        lt_buf_json_str(&out, from);
        lt_buf_printf(&out, ",\"verified\":true,\"records\":%lld,\"head\":\"%lld:%s\"}\n",
                      (long long)v.records, (long long)v.records, v.head);
    } else {
        lt_buf_printf(&out,
                      "moved %s into the new store: verified, %lld audit records, head %lld:%s "
                      "(the same as the source's)\n",
                      from, (long long)v.records, (long long)v.records, v.head);
    }
    int rc = lt_cli_print_buf(&out);
    lt_buf_free(&out);
    return rc;
}
