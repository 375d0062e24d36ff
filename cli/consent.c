/* `lutetia consent --patient ID --form VERSION [--date DATE]`: records informed consent;
 * recording it again corrects it and needs --reason. */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "lutetia/trial.h"

static void help(FILE *f)
{
    fprintf(f, "usage: lutetia consent --patient ID --form VERSION [--date DATE] [--reason TEXT]\n"
               "                       [--json] [--db FILE] [--user NAME]\n\n"
               "Records that the screened patient ID gave informed consent on DATE (default today)\n"
               "on consent-form version VERSION. Recording consent again corrects the earlier\n"
               "record and needs --reason; both stay in the audit trail.\n");
}

int lt_cmd_consent(int argc, char **argv)
{
    static const struct option opts[] = {
        {"patient", required_argument, 0, 'p'}, {"form", required_argument, 0, 'f'},
        {"date", required_argument, 0, 't'},    {"reason", required_argument, 0, 'r'},
        {"db", required_argument, 0, 'd'},      {"user", required_argument, 0, 'u'},
        {"json", no_argument, 0, 'j'},          {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *id = NULL, *form = NULL, *reason = NULL, *db = NULL, *user = NULL;
    lt_date date = lt_date_today();
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p': id = optarg; break;
        case 'f': form = optarg; break;
        case 't':
            if (!lt_cli_date_arg("consent", "--date", optarg, &date)) return LT_EXIT_USAGE;
            break;
        case 'r': reason = optarg; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'j': json = true; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("consent", "unknown option");
        }
    }
    if (optind < argc) return lt_cli_usage_error("consent", "unexpected argument '%s'", argv[optind]);
    if (!id || !form) return lt_cli_usage_error("consent", "--patient and --form are required");
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    char s[LT_DATE_STR_MAX];
    if (lt_trial_consent(t, id, date, form, reason, &err) != LT_OK)
        rc = lt_cli_fail(&err);
    else if (json)
        rc = lt_cli_print_patient(t, id);
    else
        printf("%s: consent recorded (%s, form %s)\n", id, lt_date_format(date, s), form);
    lt_trial_close(t);
    return rc;
}
