/* `lutetia trial init` creates a trial database from a protocol file; `lutetia trial show`
 * describes it. Also the pieces every trial verb shares: which database (--db, LUTETIA_DB,
 * ./lutetia.db) and which acting user (--user, LUTETIA_USER, else the operating-system login:
 * the command line trusts the OS identity until the server brings passwords). */
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "lutetia/trial.h"

const char *lt_cli_db(const char *given)
{
    if (given && *given) return given;
    const char *env = getenv("LUTETIA_DB");
    return env && *env ? env : "lutetia.db";
}

const char *lt_cli_user(const char *given)
{
    if (given && *given) return given;
    const char *env = getenv("LUTETIA_USER");
    if (env && *env) return env;
    struct passwd *pw = getpwuid(geteuid());
    return pw ? pw->pw_name : NULL;
}

int lt_cli_open_trial(const char *db, const char *user, lt_trial **out)
{
    lt_error err;
    lt_error_clear(&err);
    if (!user) {
        fprintf(stderr, "lutetia: no acting user: give --user NAME or set LUTETIA_USER\n");
        return LT_EXIT_USAGE;
    }
    if (lt_trial_open(db, user, out, &err) != LT_OK) return lt_cli_fail(&err);
    return 0;
}

int lt_cli_print_patient(struct lt_trial *t, const char *id)
{
    lt_error err;
    lt_error_clear(&err);
    lt_buf b = LT_BUF_INIT;
    int rc = lt_trial_patient_show(t, id, true, &b, &err) != LT_OK ? lt_cli_fail(&err)
                                                                    : lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}

bool lt_cli_date_arg(const char *verb, const char *opt, const char *s, lt_date *out)
{
    if (lt_date_parse(s, false, out)) return true;
    lt_cli_usage_error(verb, "%s: expected a date YYYY-MM-DD, found '%s'", opt, s);
    return false;
}

static void init_help(FILE *f)
{
    fprintf(f,
            "usage: lutetia trial init --protocol FILE [--version V] [--db FILE] [--user NAME]\n"
            "       lutetia trial show [--json] [--db FILE] [--user NAME]\n\n"
            "init creates a new trial database (default ./lutetia.db, or LUTETIA_DB) from a\n"
            "protocol file: the protocol text is stored in it, with a secret randomisation seed\n"
            "that no command prints. The user named by --user (or LUTETIA_USER, or your login\n"
            "name) becomes the trial's first user, an admin bound to every site; the admin then\n"
            "adds sites ('lutetia site add') and users ('lutetia user add').\n"
            "show prints the protocol, version, randomisation method, sites and users.\n\n"
            "Acting user: the command line trusts the operating system's identity for now.\n");
}

/* A trial is not created from a protocol whose design, schedule, endpoints or dosing members
 * are invalid: those would only fail later, after patients were enrolled and randomised. */
static int refuse_bad_sections(const char *protocol)
{
    lt_error err;
    char *text;
    size_t len;
    if (lt_file_read(protocol, &text, &len, &err) != LT_OK) return lt_cli_fail(&err);
    lt_protocol_issue *v = NULL;
    size_t n = 0;
    lt_status st = lt_cli_check_sections(text, len, protocol, &v, &n, &err);
    free(text);
    if (st != LT_OK) return lt_cli_fail(&err);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "lutetia: %s:%d:%d: %s: %s\n", protocol, v[i].line, v[i].col, v[i].path,
                v[i].message);
    free(v);
    if (!n) return 0;
    fprintf(stderr, "lutetia: %s: %zu problem%s: no trial created (see 'lutetia protocol check')\n",
            protocol, n, n == 1 ? "" : "s");
    return lt_cli_exit_code(LT_ESCHEMA);
}

int lt_cmd_trial(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        init_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "init") != 0 && strcmp(sub, "show") != 0)
        return lt_cli_usage_error("trial", "unknown subcommand '%s' (expected init or show)", sub);
    static const struct option opts[] = {
        {"protocol", required_argument, 0, 'p'}, {"version", required_argument, 0, 'v'},
        {"db", required_argument, 0, 'd'},       {"user", required_argument, 0, 'u'},
        {"json", no_argument, 0, 'j'},           {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *protocol = NULL, *version = NULL, *db = NULL, *user = NULL;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p': protocol = optarg; break;
        case 'v': version = optarg; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'j': json = true; break;
        case 'h': init_help(stdout); return 0;
        default: return lt_cli_usage_error("trial", "unknown option");
        }
    }
    if (optind < argc - 1) return lt_cli_usage_error("trial", "unexpected argument '%s'", argv[optind + 1]);
    db = lt_cli_db(db);
    user = lt_cli_user(user);
    lt_error err;
    lt_error_clear(&err);
    if (!strcmp(sub, "init")) {
        if (!protocol) return lt_cli_usage_error("trial init", "--protocol FILE is required");
        if (!user) return lt_cli_usage_error("trial init", "no user: give --user NAME");
        int bad = refuse_bad_sections(protocol);
        if (bad) return bad;
        if (lt_trial_create(db, protocol, version, user, &err) != LT_OK) return lt_cli_fail(&err);
        lt_trial *t = NULL;
        int rc = lt_cli_open_trial(db, user, &t);
        if (rc) return rc;
        const lt_protocol *p = lt_trial_protocol(t);
        if (json) {
            lt_buf b = LT_BUF_INIT;
            lt_buf_puts(&b, "{\"db\":");
            lt_buf_json_str(&b, db);
            lt_buf_puts(&b, ",\"protocol\":");
            lt_buf_json_str(&b, lt_protocol_id(p));
            lt_buf_puts(&b, ",\"version\":");
            lt_buf_json_str(&b, lt_protocol_version(p));
            lt_buf_puts(&b, ",\"admin\":");
            lt_buf_json_str(&b, user);
            lt_buf_puts(&b, "}\n");
            rc = lt_cli_print_buf(&b);
            lt_buf_free(&b);
        } else {
            printf("created trial %s (%s, protocol version %s) in %s; admin user '%s'\n",
                   lt_protocol_id(p), lt_protocol_name(p), lt_protocol_version(p), db, user);
        }
        lt_trial_close(t);
        return rc;
    }
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(db, user, &t);
    if (rc) return rc;
    lt_buf b = LT_BUF_INIT;
    if (lt_trial_describe(t, json, &b, &err) != LT_OK)
        rc = lt_cli_fail(&err);
    else
        rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    lt_trial_close(t);
    return rc;
}
