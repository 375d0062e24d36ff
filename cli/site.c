/* `lutetia site add --code S01 --name NAME`: an admin adds a site patients are enrolled at. */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "lutetia/trial.h"

static void help(FILE *f)
{
    fprintf(f, "usage: lutetia site add --code CODE --name NAME [--json] [--db FILE] [--user NAME]\n\n"
               "Adds a site (admin only). CODE is short (letters, digits, '-', '_', '.').\n"
               "Sites and users are listed by 'lutetia trial show'.\n");
}

int lt_cmd_site(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "add") != 0)
        return lt_cli_usage_error("site", "unknown subcommand '%s' (expected add)", argv[1]);
    static const struct option opts[] = {
        {"code", required_argument, 0, 'c'}, {"name", required_argument, 0, 'n'},
        {"db", required_argument, 0, 'd'},   {"user", required_argument, 0, 'u'},
        {"json", no_argument, 0, 'j'},       {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *code = NULL, *name = NULL, *db = NULL, *user = NULL;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': code = optarg; break;
        case 'n': name = optarg; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'j': json = true; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("site add", "unknown option");
        }
    }
    if (optind < argc - 1) return lt_cli_usage_error("site add", "unexpected argument '%s'", argv[optind + 1]);
    if (!code || !name) return lt_cli_usage_error("site add", "--code and --name are required");
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    if (lt_trial_site_add(t, code, name, &err) != LT_OK)
        rc = lt_cli_fail(&err);
    else if (json) {
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"site\":");
        lt_buf_json_str(&b, code);
        lt_buf_puts(&b, ",\"name\":");
        lt_buf_json_str(&b, name);
        lt_buf_puts(&b, "}\n");
        rc = lt_cli_print_buf(&b);
        lt_buf_free(&b);
    } else {
        printf("added site %s (%s)\n", code, name);
    }
    lt_trial_close(t);
    return rc;
}
