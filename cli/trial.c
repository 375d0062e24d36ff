/* `lutetia trial init` creates a trial database from a protocol file; `lutetia trial show`
 * describes it. Also the pieces every trial verb shares: which database (--db, LUTETIA_DB,
 * ./lutetia.db), which key file (--key-file, LUTETIA_KEY_FILE, DB.key) and who is acting: peer
 * authentication, as PostgreSQL's `peer` method. The command line acts as a trial user bound to
 * the OS account that runs it (its effective uid); --user (or LUTETIA_USER) only chooses among
 * the trial users bound to that account, so typing another name gains nothing. */
#include <getopt.h>
#include <pwd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "lutetia/conduct.h"
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
    return env && *env ? env : NULL;
}

const char *lt_cli_key_file(const char *given)
{
    if (given && *given) return given;
    const char *env = getenv("LUTETIA_KEY_FILE");
    return env && *env ? env : NULL;
}

bool lt_cli_os_user(char *name, size_t n)
{
    /* the effective uid, not getlogin() or $USER: those say who logged in (or anything the
     * caller sets), the effective uid is whom the kernel lets open the files */
    struct passwd pw, *found = NULL;
    char buf[4096];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) != 0 || !found ||
        strlen(found->pw_name) >= n)
        return false;
    memcpy(name, found->pw_name, strlen(found->pw_name) + 1);
    return true;
}

static int open_trial(const char *db, const char *user, bool read_only, lt_trial **out)
{
    lt_error err;
    lt_error_clear(&err);
    char os[256];
    if (!lt_cli_os_user(os, sizeof os)) {
        fprintf(stderr, "lutetia: the effective uid %u has no account name: no trial user can "
                        "be bound to it\n",
                (unsigned)geteuid());
        return lt_cli_exit_code(LT_EPERM);
    }
    const char *key = lt_cli_key_file(NULL);
    if ((read_only ? lt_trial_open_peer_read : lt_trial_open_peer)(db, os, user, out, &err) !=
        LT_OK) {
        /* the library names the parameter; the command line names its option */
        if (!strcmp(err.where, "user")) snprintf(err.where, sizeof err.where, "--user");
        return lt_cli_fail(&err);
    }
    if (key && lt_trial_set_key_file(*out, key, &err) != LT_OK) {
        lt_trial_close(*out);
        *out = NULL;
        return lt_cli_fail(&err);
    }
    return 0;
}

int lt_cli_open_trial(const char *db, const char *user, lt_trial **out)
{
    return open_trial(db, user, false, out);
}

int lt_cli_open_trial_read(const char *db, const char *user, lt_trial **out)
{
    return open_trial(db, user, true, out);
}

int lt_cli_open_conduct_read(const char *db, const char *user, lt_trial **t, lt_conduct **c)
{
    int rc = lt_cli_open_trial_read(db, user, t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    if (lt_conduct_new(*t, NULL, c, &err)) {
        lt_trial_close(*t);
        *t = NULL;
        return lt_cli_fail(&err);
    }
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
            "                          [--key-file FILE] [--seed-hex HEX] [--json]\n"
            "       lutetia trial show [--json] [--db FILE] [--user NAME]\n"
            "       lutetia trial amend --protocol FILE --version V --effective DATE (see its --help)\n\n"
            "init creates a new trial database (default ./lutetia.db, or LUTETIA_DB) from a\n"
            "protocol file: the protocol text is stored in it, with a random randomisation seed\n"
            "sealed under a new key file (default DB.key beside the database, or --key-file, or\n"
            "LUTETIA_KEY_FILE), created 0600. Keep the key apart from the database: randomise and\n"
            "randomise --replay need it, and without it a copy of the database predicts nothing.\n"
            "The user named by --user (or LUTETIA_USER; default your OS account name) becomes the\n"
            "trial's first user, an admin bound to every site and to the OS account running init;\n"
            "the admin then adds sites ('lutetia site add') and users ('lutetia user add\n"
            "--os-user ACCOUNT').\n"
            "--seed-hex HEX (64 hex digits) stores that seed instead of a random one, so that the\n"
            "allocation sequence is known in advance (tests, demonstrations); the audit trail\n"
            "records it as \"seed supplied, not secret\". Never for a real trial.\n"
            "show prints the protocol, version, randomisation method, seed kind, sites and users.\n\n"
            "Acting user (every trial verb): the OS account running lutetia (its effective uid)\n"
            "acts as a trial user bound to it; --user or LUTETIA_USER chooses among several.\n");
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

static void amend_help(FILE *f)
{
    fprintf(f,
            "usage: lutetia trial amend --protocol FILE --version V --effective DATE\n"
            "                           [--consent-form F] [--reason TEXT] [--json] [--db FILE]\n"
            "                           [--user NAME]\n\n"
            "Amends the running trial (admin): protocol version V of FILE (the file's latest, or\n"
            "one of its older versions) takes effect on DATE, after any earlier amendment. Patients\n"
            "who consented on another form must re-consent on form F (default: V): 'lutetia\n"
            "consent --form F' records it. Each patient's calendar follows the version in force on\n"
            "each of its dates. 'lutetia protocol lint FILE' shows what the versions change.\n");
}

/* `lutetia trial amend`. */
static int amend(int argc, char **argv)
{
    static const struct option opts[] = {
        {"protocol", required_argument, 0, 'p'}, {"version", required_argument, 0, 'v'},
        {"effective", required_argument, 0, 'e'}, {"consent-form", required_argument, 0, 'f'},
        {"reason", required_argument, 0, 'r'},   {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'},     {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
    };
    lt_trial_amendment a = {.effective = LT_DATE_NONE};
    const char *db = NULL, *user = NULL;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p': a.protocol = optarg; break;
        case 'v': a.version = optarg; break;
        case 'e':
            if (!lt_cli_date_arg("trial amend", "--effective", optarg, &a.effective))
                return LT_EXIT_USAGE;
            break;
        case 'f': a.consent_form = optarg; break;
        case 'r': a.reason = optarg; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'j': json = true; break;
        case 'h': amend_help(stdout); return 0;
        default: return lt_cli_usage_error("trial amend", "unknown option");
        }
    }
    if (optind < argc)
        return lt_cli_usage_error("trial amend", "unexpected argument '%s'", argv[optind]);
    if (!a.protocol || !a.version || a.effective == LT_DATE_NONE)
        return lt_cli_usage_error("trial amend", "--protocol, --version and --effective are required");
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    int due = 0;
    char e[LT_DATE_STR_MAX];
    if (lt_trial_amend(t, &a, &due, &err) != LT_OK) {
        /* the library names the member (protocol, version, effective); here it is the option */
        if (!strcmp(err.where, "protocol") || !strcmp(err.where, "version") ||
            !strcmp(err.where, "effective")) {
            char w[16];
            snprintf(w, sizeof w, "--%.10s", err.where);
            snprintf(err.where, sizeof err.where, "%s", w);
        }
        rc = lt_cli_fail(&err);
    } else if (json) {
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"version\":");
        lt_buf_json_str(&b, a.version);
        lt_buf_printf(&b, ",\"effective\":\"%s\",\"consent_form\":",
                      lt_date_format(a.effective, e));
        lt_buf_json_str(&b, a.consent_form ? a.consent_form : a.version);
        lt_buf_printf(&b, ",\"reconsent_due\":%d}\n", due);
        rc = lt_cli_print_buf(&b);
        lt_buf_free(&b);
    } else {
        printf("%s amended: version %s in force from %s; %d patient%s must re-consent on form "
               "%s\n",
               lt_protocol_id(lt_trial_protocol(t)), a.version, lt_date_format(a.effective, e),
               due, due == 1 ? "" : "s", a.consent_form ? a.consent_form : a.version);
    }
    lt_trial_close(t);
    return rc;
}

int lt_cmd_trial(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        init_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "amend")) return amend(argc - 1, argv + 1);
    if (strcmp(sub, "init") != 0 && strcmp(sub, "show") != 0)
        return lt_cli_usage_error("trial", "unknown subcommand '%s' (expected init, show or amend)",
                                  sub);
    static const struct option opts[] = {
        {"protocol", required_argument, 0, 'p'}, {"version", required_argument, 0, 'v'},
        {"db", required_argument, 0, 'd'},       {"user", required_argument, 0, 'u'},
        {"json", no_argument, 0, 'j'},           {"help", no_argument, 0, 'h'},
        {"key-file", required_argument, 0, 'k'}, {"seed-hex", required_argument, 0, 's'},
        {0, 0, 0, 0},
    };
    const char *protocol = NULL, *version = NULL, *db = NULL, *user = NULL, *key = NULL;
    const char *seed_hex = NULL;
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
        case 'k': key = optarg; break;
        case 's': seed_hex = optarg; break;
        case 'h': init_help(stdout); return 0;
        default: return lt_cli_usage_error("trial", "unknown option");
        }
    }
    if (optind < argc - 1) return lt_cli_usage_error("trial", "unexpected argument '%s'", argv[optind + 1]);
    db = lt_cli_db(db);
    user = lt_cli_user(user);
    key = lt_cli_key_file(key);
    lt_error err;
    lt_error_clear(&err);
    if (strcmp(sub, "init") != 0 && seed_hex)
        return lt_cli_usage_error("trial", "--seed-hex goes with init");
    if (!strcmp(sub, "init")) {
        if (!protocol) return lt_cli_usage_error("trial init", "--protocol FILE is required");
        char os[256];
        if (!lt_cli_os_user(os, sizeof os)) {
            fprintf(stderr, "lutetia: the effective uid %u has no account name: no trial user "
                            "can be bound to it\n",
                    (unsigned)geteuid());
            return lt_cli_exit_code(LT_EPERM);
        }
        if (!user) user = os;
        unsigned char seed[32];
        size_t got = 0;
        if (seed_hex && (strlen(seed_hex) != 64 ||
                         sodium_hex2bin(seed, sizeof seed, seed_hex, 64, NULL, &got, NULL) != 0 ||
                         got != sizeof seed))
            return lt_cli_usage_error("trial init", "--seed-hex: expected 64 hex digits, found '%s'",
                                      seed_hex);
        int bad = refuse_bad_sections(protocol);
        if (bad) return bad;
        lt_trial_init init = {.protocol = protocol, .version = version, .admin = user,
                              .admin_os_user = os, .key_file = key,
                              .seed = seed_hex ? seed : NULL};
        lt_status made = lt_trial_create_with(db, &init, &err);
        sodium_memzero(seed, sizeof seed);
        if (made != LT_OK) {
            if (!strcmp(err.where, "key_file")) snprintf(err.where, sizeof err.where, "--key-file");
            return lt_cli_fail(&err);
        }
        lt_trial *t = NULL;
        int rc = lt_cli_open_trial(db, user, &t);
        if (rc) return rc;
        char *key_default = key ? NULL : lt_trial_key_file_default(db);
        const char *key_at = key ? key : key_default ? key_default : "";
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
            lt_buf_puts(&b, ",\"os_user\":");
            lt_buf_json_str(&b, os);
            lt_buf_puts(&b, ",\"key_file\":");
            lt_buf_json_str(&b, key_at);
            lt_buf_printf(&b, ",\"seed\":\"%s\"}\n", seed_hex ? "supplied" : "sealed");
            rc = lt_cli_print_buf(&b);
            lt_buf_free(&b);
        } else {
            printf("created trial %s (%s, protocol version %s) in %s; admin user '%s' (OS account "
                   "%s); the seed's key is in %s%s\n",
                   lt_protocol_id(p), lt_protocol_name(p), lt_protocol_version(p), db, user, os,
                   key_at, seed_hex ? " (seed supplied, not secret)" : "");
        }
        free(key_default);
        lt_trial_close(t);
        return rc;
    }
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial_read(db, user, &t);
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
