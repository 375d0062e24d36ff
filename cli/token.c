/* `lutetia token create|revoke`: API tokens for scripts talking to `lutetia serve`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "lutetia/auth.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia token create [--user NAME] [--for NAME] [--expires DAYS] [--db FILE]\n"
            "       lutetia token revoke --id ID [--user NAME] [--db FILE]\n\n"
            "create makes an API token for the acting user (--user, as for every verb), or for\n"
            "another user with --for (admin only), valid DAYS days (default 90; 0: until\n"
            "revoked). The token is printed once, alone on the last line; the store keeps only\n"
            "its SHA-256. Send it as 'Authorization: Bearer TOKEN'. revoke ends the token ID\n"
            "(the part after ltk_ up to the next _), the owner's own or any for an admin.\n");
}

int lt_cmd_token(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    bool create = !strcmp(argv[1], "create");
    if (!create && strcmp(argv[1], "revoke") != 0)
        return lt_cli_usage_error("token", "unknown subcommand '%s' (expected create or revoke)", argv[1]);
    static const struct option opts[] = {
        {"user", required_argument, 0, 'u'}, {"for", required_argument, 0, 'f'},
        {"expires", required_argument, 0, 'e'}, {"id", required_argument, 0, 'i'},
        {"db", required_argument, 0, 'd'},   {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *user = NULL, *owner = NULL, *id = NULL, *db = NULL;
    long days = 90;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'u': user = optarg; break;
        case 'f': owner = optarg; break;
        case 'e':
            if (!lt_parse_long(optarg, 0, 3650, &days))
                return lt_cli_usage_error("token create", "--expires: expected 0 to 3650 days, found '%s'", optarg);
            break;
        case 'i': id = optarg; break;
        case 'd': db = optarg; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("token", "unknown option");
        }
    }
    if (optind < argc - 1) return lt_cli_usage_error("token", "unexpected argument '%s'", argv[optind + 1]);
    if (!create && !id) return lt_cli_usage_error("token revoke", "--id ID is required");
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    if (create) {
        char token[LT_AUTH_TOKEN_MAX], tid[LT_AUTH_TOKEN_ID_HEX];
        const char *for_user = owner ? owner : lt_trial_user(t);
        if (lt_auth_token_create(t, for_user, days, lt_time_now(), token, tid, &err) != LT_OK) {
            if (!strcmp(err.where, "user") && owner) snprintf(err.where, sizeof err.where, "--for");
            if (!strcmp(err.where, "expires")) snprintf(err.where, sizeof err.where, "--expires");
            rc = lt_cli_fail(&err);
        } else {
            if (days)
                printf("token %s for %s, valid %ld days; shown once, keep it secret:\n", tid,
                       for_user, days);
            else
                printf("token %s for %s, valid until revoked; shown once, keep it secret:\n",
                       tid, for_user);
            printf("%s\n", token);
        }
    } else if (lt_auth_token_revoke(t, id, &err) != LT_OK) {
        if (!strcmp(err.where, "id")) snprintf(err.where, sizeof err.where, "--id");
        rc = lt_cli_fail(&err);
    } else {
        printf("revoked token %s\n", id);
    }
    lt_trial_close(t);
    return rc;
}
