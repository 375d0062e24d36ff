/* `lutetia user add --name NAME --role ROLE --site S01[,S02] | --all-sites --os-user ACCOUNT`:
 * an admin adds a user with one role, bound to sites and to the OS accounts that may act as it
 * on the command line (peer authentication). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/trial.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia user add --name NAME --role ROLE (--site CODE[,CODE...] | --all-sites)\n"
            "                        --os-user ACCOUNT [--os-user ACCOUNT]... [--json] [--db FILE]\n"
            "                        [--user NAME] [--full-name \"FULL NAME\"]\n"
            "       lutetia user name --name NAME --full-name \"FULL NAME\" [--reason TEXT]\n"
            "       lutetia user bind --name NAME --os-user ACCOUNT [--os-user ACCOUNT]... [--json]\n"
            "       lutetia user set NAME [--role ROLE] [--sites CODE[,CODE...] | --all-sites]\n"
            "                        [--reason TEXT] [--json]\n"
            "       lutetia user password NAME [--password-stdin]\n"
            "       lutetia user totp NAME   (a second factor for the server's sign-in)\n"
            "       lutetia user deactivate|activate --name NAME [--reason TEXT]\n\n"
            "Adds a user (admin only). ROLE is one of: admin, coordinator, investigator,\n"
            "nuclear_medicine, statistician, unblinded_statistician, monitor, safety_committee.\n"
            "--os-user binds the user to an OS account (repeatable): lutetia run by that account\n"
            "(its effective uid) may act as the user, as PostgreSQL's peer authentication. One\n"
            "account may be bound to several users; it then chooses with --user NAME. A user\n"
            "bound to no account cannot act on the command line. bind adds accounts to an existing\n"
            "user (admin only); in a trial created before accounts were bound, the OS account that\n"
            "owns the database file acts as its admin until someone is bound. set changes a\n"
            "user's role, sites or both (admin only; audited user.set): its open sessions and\n"
            "tokens act with the new rights from their next request.\n"
            "A user reads and changes only patients of\n"
            "the sites it is bound to. A coordinator screens, records consent, randomises and\n"
            "records labs, adverse events, dates and outcomes; an investigator does the same and\n"
            "also confirms eligibility and decides doses; nuclear medicine decides doses and\n"
            "records administrations; coordinators, investigators and nuclear medicine start\n"
            "treatment; a monitor and an admin read the audit trail. Everyone but the admin and an\n"
            "unblinded statistician sees a patient's arm and allocation date only, never the\n"
            "block, the place in it or its size; those two may replay the allocation sequence\n"
            "(the table is in src/trial/roles.c).\n");
}

/* `lutetia user set NAME [--role R] [--sites A,B | --all-sites] [--reason TEXT] [--json]`. */
static int user_set(int argc, char **argv)
{
    static const struct option opts[] = {
        {"role", required_argument, 0, 'r'}, {"sites", required_argument, 0, 's'},
        {"site", required_argument, 0, 's'}, {"all-sites", no_argument, 0, 'a'},
        {"reason", required_argument, 0, 'w'}, {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},       {0, 0, 0, 0},
    };
    const char *role_s = NULL, *sites_s = NULL, *reason = NULL, *db = NULL, *user = NULL;
    bool all = false, json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': role_s = optarg; break;
        case 's': sites_s = optarg; break;
        case 'a': all = true; break;
        case 'w': reason = optarg; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'j': json = true; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("user set", "unknown option");
        }
    }
    if (optind != argc - 1) return lt_cli_usage_error("user set", "give the user NAME");
    const char *name = argv[optind];
    lt_role role;
    if (role_s && !lt_role_parse(role_s, &role))
        return lt_cli_usage_error("user set",
                                  "--role: expected admin, coordinator, investigator, "
                                  "nuclear_medicine, statistician, unblinded_statistician, "
                                  "monitor or safety_committee, found '%s'",
                                  role_s);
    if (all && sites_s) return lt_cli_usage_error("user set", "give either --sites or --all-sites");
    if (!role_s && !sites_s && !all)
        return lt_cli_usage_error("user set", "give --role, --sites (or --all-sites), or both");
    const char *sites[64];
    size_t n = 0;
    char *copy = NULL;
    if (all) sites[n++] = "*";
    if (sites_s) {
        if (!(copy = strdup(sites_s))) return lt_cli_exit_code(LT_ENOMEM);
        for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (n == 64) {
                free(copy);
                return lt_cli_usage_error("user set", "--sites: at most 64 sites");
            }
            sites[n++] = tok;
        }
    }
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc == 0) {
        lt_error err;
        lt_error_clear(&err);
        lt_buf b = LT_BUF_INIT;
        if (lt_trial_user_set_access(t, name, role_s ? &role : NULL, all || sites_s ? sites : NULL,
                                     n, reason, &err) != LT_OK ||
            lt_trial_user_json(t, name, &b, &err) != LT_OK) {
            /* the library names the member; here it is the option or the argument */
            if (!strcmp(err.where, "role")) snprintf(err.where, sizeof err.where, "--role");
            if (!strcmp(err.where, "sites")) snprintf(err.where, sizeof err.where, "--sites");
            if (!strcmp(err.where, "name")) snprintf(err.where, sizeof err.where, "NAME");
            rc = lt_cli_fail(&err);
        } else if (json) {
            lt_buf_putc(&b, '\n');
            rc = lt_cli_print_buf(&b);
        } else {
            /* the user as stored now, from the same document --json prints */
            lt_json *j = NULL;
            if (lt_json_parse(b.p, b.n, "user", &j, &err) != LT_OK) {
                rc = lt_cli_fail(&err);
            } else {
                const lt_json *sv = lt_json_get(j, "sites");
                printf("user %s is now %s at ", name, lt_json_get_str(j, "role", ""));
                for (size_t i = 0; i < lt_json_size(sv); i++) {
                    const char *s1 = lt_json_str(lt_json_at(sv, i));
                    printf("%s%s", i ? "," : "", s1 && !strcmp(s1, "*") ? "every site" : s1 ? s1 : "");
                }
                printf("\n");
            }
            lt_json_free(j);
        }
        lt_buf_free(&b);
        lt_trial_close(t);
    }
    free(copy);
    return rc;
}

int lt_cmd_user(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    /* cli/credential.c: what signing in to the server needs */
    if (!strcmp(argv[1], "password")) return lt_cli_user_password(argc - 1, argv + 1);
    if (!strcmp(argv[1], "totp")) return lt_cli_user_totp(argc - 1, argv + 1);
    if (!strcmp(argv[1], "deactivate") || !strcmp(argv[1], "activate"))
        return lt_cli_user_state(argc - 1, argv + 1);
    /* cli/sign.c: the full name a signature shows */
    if (!strcmp(argv[1], "name")) return lt_cli_user_full_name(argc - 1, argv + 1);
    if (!strcmp(argv[1], "set")) return user_set(argc - 1, argv + 1);
    bool bind = !strcmp(argv[1], "bind");
    if (strcmp(argv[1], "add") != 0 && !bind)
        return lt_cli_usage_error("user", "unknown subcommand '%s' (expected add, bind, set, name, "
                                          "password, totp, deactivate or activate)", argv[1]);
    static const struct option opts[] = {
        {"name", required_argument, 0, 'n'}, {"role", required_argument, 0, 'r'},
        {"site", required_argument, 0, 's'}, {"all-sites", no_argument, 0, 'a'},
        {"db", required_argument, 0, 'd'},   {"user", required_argument, 0, 'u'},
        {"json", no_argument, 0, 'j'},       {"help", no_argument, 0, 'h'},
        {"os-user", required_argument, 0, 'o'},
        {"full-name", required_argument, 0, 'f'},
        {0, 0, 0, 0},
    };
    const char *os_users[16];
    size_t nos = 0;
    const char *name = NULL, *role_s = NULL, *sites_s = NULL, *db = NULL, *user = NULL;
    const char *full_name = NULL;
    bool all = false, json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n': name = optarg; break;
        case 'r': role_s = optarg; break;
        case 's': sites_s = optarg; break;
        case 'a': all = true; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'j': json = true; break;
        case 'o':
            if (nos == sizeof os_users / sizeof os_users[0])
                return lt_cli_usage_error("user add", "--os-user: at most 16 accounts");
            os_users[nos++] = optarg;
            break;
        case 'f': full_name = optarg; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("user add", "unknown option");
        }
    }
    if (optind < argc - 1) return lt_cli_usage_error("user add", "unexpected argument '%s'", argv[optind + 1]);
    if (bind) {
        if (!name || !nos || role_s || sites_s || all)
            return lt_cli_usage_error("user bind", "give --name NAME and --os-user ACCOUNT (only)");
        lt_trial *t = NULL;
        int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
        if (rc) return rc;
        lt_error err;
        lt_error_clear(&err);
        lt_buf b = LT_BUF_INIT;
        if (lt_trial_user_bind(t, name, os_users, nos, &err) != LT_OK) {
            if (!strcmp(err.where, "os_user")) snprintf(err.where, sizeof err.where, "--os-user");
            rc = lt_cli_fail(&err);
        } else if (json) {
            /* the user as it now is: what the server's users.bind answers */
            rc = lt_trial_user_json(t, name, &b, &err) != LT_OK ? lt_cli_fail(&err) : 0;
            lt_buf_putc(&b, '\n');
            if (!rc) rc = lt_cli_print_buf(&b);
        } else {
            printf("bound user %s to", name);
            for (size_t i = 0; i < nos; i++) printf("%s OS account %s", i ? "," : "", os_users[i]);
            printf("\n");
        }
        lt_buf_free(&b);
        lt_trial_close(t);
        return rc;
    }
    if (!name || !role_s) return lt_cli_usage_error("user add", "--name and --role are required");
    lt_role role;
    if (!lt_role_parse(role_s, &role))
        return lt_cli_usage_error("user add",
                                  "--role: expected admin, coordinator, investigator, "
                                  "nuclear_medicine, statistician, unblinded_statistician, "
                                  "monitor or safety_committee, found '%s'",
                                  role_s);
    if (all == (sites_s != NULL))
        return lt_cli_usage_error("user add", "give either --site CODE[,CODE...] or --all-sites");
    const char *sites[64];
    size_t n = 0;
    char *copy = NULL;
    if (all) {
        sites[n++] = "*";
    } else {
        copy = strdup(sites_s);
        if (!copy) return lt_cli_exit_code(LT_ENOMEM);
        for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && n < 64;
             tok = strtok_r(NULL, ",", &save))
            sites[n++] = tok;
    }
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc == 0) {
        lt_error err;
        lt_error_clear(&err);
        if (lt_trial_user_add_bound(t, name, role, sites, n, os_users, nos, &err) != LT_OK) {
            if (!strcmp(err.where, "os_user")) snprintf(err.where, sizeof err.where, "--os-user");
            rc = lt_cli_fail(&err);
        }
        /* the name electronic signatures show (a second audited change: user.full_name) */
        else if (full_name && lt_trial_user_set_full_name(t, name, full_name, NULL, &err) != LT_OK) {
            if (!strcmp(err.where, "full_name")) snprintf(err.where, sizeof err.where, "--full-name");
            rc = lt_cli_fail(&err);
        }
        else if (json) {
            lt_buf b = LT_BUF_INIT;
            lt_buf_puts(&b, "{\"user\":");
            lt_buf_json_str(&b, name);
            lt_buf_printf(&b, ",\"role\":\"%s\",\"sites\":[", lt_role_name(role));
            for (size_t i = 0; i < n; i++) {
                lt_buf_puts(&b, i ? "," : "");
                lt_buf_json_str(&b, sites[i]);
            }
            lt_buf_puts(&b, "],\"os_users\":[");
            for (size_t i = 0; i < nos; i++) {
                lt_buf_puts(&b, i ? "," : "");
                lt_buf_json_str(&b, os_users[i]);
            }
            lt_buf_puts(&b, "]}\n");
            rc = lt_cli_print_buf(&b);
            lt_buf_free(&b);
        } else {
            printf("added user %s (%s) at %s", name, lt_role_name(role), all ? "every site" : sites_s);
            for (size_t i = 0; i < nos; i++) printf("%s%s", i ? ", " : ", OS account ", os_users[i]);
            printf("%s\n", nos ? "" : ", bound to no OS account: it cannot act on the command line");
        }
        lt_trial_close(t);
    }
    free(copy);
    return rc;
}
