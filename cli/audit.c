/* `lutetia audit log` prints the audit trail a user may read; `lutetia audit verify` checks the
 * whole chain and every record against it, naming the first thing changed behind the engine's
 * back. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/trial.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia audit log [--patient ID] [--since DATE] [--json] [--db FILE] [--user NAME]\n"
            "       lutetia audit verify [--json] [--db FILE] [--key-file FILE]\n\n"
            "log prints the audit trail (admin: all of it; monitor: its sites and trial-wide\n"
            "records): sequence number, UTC time, user, role, site, action, record and reason;\n"
            "--json adds the old and new values and the hashes.\n"
            "verify recomputes the SHA-256 chain and compares every stored record with the last\n"
            "value the trail wrote for it. It exits 0 when all holds, and 1 naming the first bad\n"
            "audit record or record when a row was edited, deleted or inserted in the database\n"
            "file behind the engine's back, or when the randomisation seed no longer matches the\n"
            "commitment made when the trial was created. It needs no user: it reads no patient\n"
            "data out. The seed is sealed: it is checked only with the trial's key file\n"
            "(--key-file, LUTETIA_KEY_FILE, default DB.key); without one the report says the seed\n"
            "was not checked.\n");
}

int lt_cmd_audit(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "log") != 0 && strcmp(sub, "verify") != 0)
        return lt_cli_usage_error("audit", "unknown subcommand '%s' (expected log or verify)", sub);
    static const struct option opts[] = {
        {"patient", required_argument, 0, 'p'}, {"since", required_argument, 0, 's'},
        {"json", no_argument, 0, 'j'},          {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'},    {"help", no_argument, 0, 'h'},
        {"key-file", required_argument, 0, 'k'}, {0, 0, 0, 0},
    };
    const char *patient = NULL, *db = NULL, *user = NULL, *key = NULL;
    lt_date since = LT_DATE_NONE;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p': patient = optarg; break;
        case 's':
            if (!lt_cli_date_arg("audit", "--since", optarg, &since)) return LT_EXIT_USAGE;
            break;
        case 'j': json = true; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'k': key = optarg; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("audit", "unknown option");
        }
    }
    if (optind < argc - 1) return lt_cli_usage_error("audit", "unexpected argument '%s'", argv[optind + 1]);
    lt_error err;
    lt_error_clear(&err);
    lt_buf out = LT_BUF_INIT;
    int rc;
    if (!strcmp(sub, "verify")) {
        if (patient || since != LT_DATE_NONE)
            return lt_cli_usage_error("audit verify", "verify checks the whole trail: no --patient or --since");
        lt_store *st = NULL;
        if (lt_store_open(lt_cli_db(db), LT_STORE_OPEN, &st, &err) != LT_OK) return lt_cli_fail(&err);
        int64_t n = 0;
        char head[LT_STORE_HASH_HEX];
        lt_status s = lt_store_audit_verify(st, &n, head, &err);
        char *key_default = lt_cli_key_file(key) ? NULL : lt_trial_key_file_default(lt_cli_db(db));
        const char *key_at = lt_cli_key_file(key) ? lt_cli_key_file(key) : key_default;
        bool seed_checked = false;
        if (s == LT_OK) s = lt_trial_verify_seed(st, key_at, &seed_checked, &err);
        lt_store_close(st);
        if (s == LT_ECORRUPT) {
            if (json) {
                lt_buf_puts(&out, "{\"verified\":false,\"where\":");
                lt_buf_json_str(&out, err.where);
                lt_buf_puts(&out, ",\"problem\":");
                lt_buf_json_str(&out, err.message);
                lt_buf_puts(&out, "}\n");
                lt_cli_print_buf(&out);
            }
            fprintf(stderr, "lutetia: audit verify FAILED: %s: %s\n", err.where, err.message);
            lt_buf_free(&out);
            free(key_default);
            return LT_EXIT_FINDINGS;
        }
        if (s != LT_OK) {
            free(key_default);
            return lt_cli_fail(&err);
        }
        if (json)
            lt_buf_printf(&out, "{\"verified\":true,\"records\":%lld,\"head\":\"%s\","
                                "\"seed_checked\":%s}\n",
                          (long long)n, head, seed_checked ? "true" : "false");
        else if (seed_checked)
            lt_buf_printf(&out, "audit trail verified: %lld records, chain intact, every record "
                                "matches its last audit value, the randomisation seed matches "
                                "its commitment; head %s\n",
                          (long long)n, head);
        else
            lt_buf_printf(&out, "audit trail verified: %lld records, chain intact, every record "
                                "matches its last audit value; the randomisation seed was NOT "
                                "checked (it is sealed and there is no key file at %s); head %s\n",
                          (long long)n, key_at ? key_at : "?", head);
        free(key_default);
        rc = lt_cli_print_buf(&out);
        lt_buf_free(&out);
        return rc;
    }
    lt_trial *t = NULL;
    rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    rc = lt_trial_audit_log(t, patient, since, json, &out, &err) != LT_OK ? lt_cli_fail(&err)
                                                                         : lt_cli_print_buf(&out);
    lt_buf_free(&out);
    lt_trial_close(t);
    return rc;
}
