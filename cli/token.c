/* `lutetia token create|revoke|list`: API tokens for scripts talking to `lutetia serve`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "lutetia/auth.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia token create [--user NAME] [--for NAME] [--expires DAYS] [--db FILE]\n"
            "       lutetia token revoke --id ID [--user NAME] [--db FILE]\n"
            "       lutetia token list [--json] [--user NAME] [--db FILE]\n\n"
            "create makes an API token for the acting user (--user, as for every verb), or for\n"
            "another user with --for (admin only), valid DAYS days (default 90; 0: until\n"
            "revoked). The token is printed once, alone on the last line; the store keeps only\n"
            "its SHA-256. Send it as 'Authorization: Bearer TOKEN'. revoke ends the token ID\n"
            "(the part after ltk_ up to the next _), the owner's own or any for an admin.\n"
            "list shows your tokens (an admin: everyone's): id, user, created, expires, last day\n"
            "used and state (active, revoked, expired); never the secret.\n");
}

/* The list as a table, from the JSON document the library gives (the server's answer). */
static int print_tokens(const lt_buf *b)
{
    lt_json *j = NULL;
    lt_error err;
    if (lt_json_parse(b->p, b->n, "token list", &j, &err) != LT_OK) return lt_cli_fail(&err);
    const lt_json *v = lt_json_get(j, "tokens");
    printf("%-16s  %-16s  %-20s  %-20s  %-10s  %s\n", "id", "user", "created", "expires",
           "last used", "state");
    for (const lt_json *m = lt_json_first(v); m; m = lt_json_next(m))
        printf("%-16s  %-16s  %-20s  %-20s  %-10s  %s\n", lt_json_get_str(m, "id", ""),
               lt_json_get_str(m, "user", ""), lt_json_get_str(m, "created", "-"),
               lt_json_get_str(m, "expires", "never"), lt_json_get_str(m, "last_used", "-"),
               lt_json_get_str(m, "state", ""));
    printf("%zu token%s\n", lt_json_size(v), lt_json_size(v) == 1 ? "" : "s");
    lt_json_free(j);
    return 0;
}

int lt_cmd_token(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    bool create = !strcmp(argv[1], "create"), list = !strcmp(argv[1], "list");
    if (!create && !list && strcmp(argv[1], "revoke") != 0)
        return lt_cli_usage_error("token", "unknown subcommand '%s' (expected create, revoke or list)", argv[1]);
    static const struct option opts[] = {
        {"user", required_argument, 0, 'u'}, {"for", required_argument, 0, 'f'},
        {"expires", required_argument, 0, 'e'}, {"id", required_argument, 0, 'i'},
        {"db", required_argument, 0, 'd'},   {"help", no_argument, 0, 'h'},
        {"json", no_argument, 0, 'j'},       {0, 0, 0, 0},
    };
    bool json = false;
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
        case 'j': json = true; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("token", "unknown option");
        }
    }
    if (optind < argc - 1) return lt_cli_usage_error("token", "unexpected argument '%s'", argv[optind + 1]);
    if (list && (owner || id)) return lt_cli_usage_error("token list", "takes no --for or --id");
    if (json && !list) return lt_cli_usage_error("token", "--json is for token list");
    if (!create && !list && !id) return lt_cli_usage_error("token revoke", "--id ID is required");
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    if (list) {
        lt_buf b = LT_BUF_INIT;
        if (lt_auth_token_list(t, lt_time_now(), &b, &err) != LT_OK) {
            rc = lt_cli_fail(&err);
        } else if (json) {
            lt_buf_putc(&b, '\n');
            rc = lt_cli_print_buf(&b);
        } else {
            rc = print_tokens(&b);
        }
        lt_buf_free(&b);
    } else if (create) {
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
