/* `lutetia confirm --patient ID`: an investigator confirms the stored eligibility verdict. */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "lutetia/trial.h"

static void help(FILE *f)
{
    fprintf(f, "usage: lutetia confirm --patient ID [--date DATE] [--json] [--db FILE] [--user NAME]\n\n"
               "An investigator confirms that consented patient ID is eligible, on DATE (default\n"
               "today). Only an 'eligible' verdict can be confirmed: a 'needs_review' verdict is\n"
               "resolved by recording the missing data and screening again ('lutetia enrol').\n");
}

int lt_cmd_confirm(int argc, char **argv)
{
    static const struct option opts[] = {
        {"patient", required_argument, 0, 'p'}, {"date", required_argument, 0, 't'},
        {"db", required_argument, 0, 'd'},      {"user", required_argument, 0, 'u'},
        {"json", no_argument, 0, 'j'},          {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *id = NULL, *db = NULL, *user = NULL;
    lt_date date = lt_date_today();
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p': id = optarg; break;
        case 't':
            if (!lt_cli_date_arg("confirm", "--date", optarg, &date)) return LT_EXIT_USAGE;
            break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'j': json = true; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("confirm", "unknown option");
        }
    }
    if (optind < argc) return lt_cli_usage_error("confirm", "unexpected argument '%s'", argv[optind]);
    if (!id) return lt_cli_usage_error("confirm", "--patient is required");
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    if (lt_trial_confirm(t, id, date, &err) != LT_OK)
        rc = lt_cli_fail(&err);
    else if (json)
        rc = lt_cli_print_patient(t, id);
    else
        printf("%s: eligibility confirmed by %s\n", id, lt_trial_user(t));
    lt_trial_close(t);
    return rc;
}
