/* `lutetia list KIND`: the listings of what was recorded (lt_conduct_list), each row with who
 * recorded it; the role and site rules are the library's. */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "lutetia/conduct.h"

static void help(FILE *f)
{
    fprintf(f, "usage: lutetia list KIND [--patient ID] [--site S] [--from D] [--to D]\n"
               "                         [--csv | --json] [--db FILE] [--user NAME]\n\n"
               "KIND is one of:");
    for (int i = 0; i < LT_LIST_COUNT; i++)
        fprintf(f, "%s %s", i ? "," : "", lt_listing_name((lt_listing)i));
    fprintf(f, ".\n\n"
               "Lists what was recorded of that kind for the patients of your sites (or one\n"
               "patient, one site), in date order, between --from and --to (inclusive), each row\n"
               "with who recorded it (user, role, time; rev > 1: corrected, see `audit log`).\n"
               "doses are the dose decisions; deviations the investigators' acknowledged dose\n"
               "deviations; signatures the attestations (eligibility confirmed, deviation\n"
               "acknowledged); dispensing (oral drugs) has no records in this store version.\n"
               "Who may read which listing: docs/conduct.md, \"Listings\".\n");
}

int lt_cmd_list(int argc, char **argv)
{
    static const struct option lo[] = {
        {"patient", required_argument, 0, 'p'}, {"site", required_argument, 0, 's'},
        {"from", required_argument, 0, 'f'},    {"to", required_argument, 0, 't'},
        {"csv", no_argument, 0, 'c'},           {"json", no_argument, 0, 'j'},
        {"db", required_argument, 0, 'd'},      {"user", required_argument, 0, 'u'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    lt_list_query q = {.from = LT_DATE_NONE, .to = LT_DATE_NONE};
    const char *db = NULL, *user = NULL;
    bool csv = false, json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'p': q.patient = optarg; break;
        case 's': q.site = optarg; break;
        case 'f':
            if (!lt_cli_date_arg("list", "--from", optarg, &q.from)) return LT_EXIT_USAGE;
            break;
        case 't':
            if (!lt_cli_date_arg("list", "--to", optarg, &q.to)) return LT_EXIT_USAGE;
            break;
        case 'c': csv = true; break;
        case 'j': json = true; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("list", "unknown option");
        }
    }
    if (optind >= argc) return lt_cli_usage_error("list", "which listing? (lutetia list --help)");
    if (optind + 1 < argc)
        return lt_cli_usage_error("list", "unexpected argument '%s'", argv[optind + 1]);
    if (!lt_listing_parse(argv[optind], &q.listing)) {
        help(stderr);
        return lt_cli_usage_error("list", "no listing '%s'", argv[optind]);
    }
    if (csv && json) return lt_cli_usage_error("list", "give --csv or --json, not both");
    if (q.from != LT_DATE_NONE && q.to != LT_DATE_NONE && q.from > q.to)
        return lt_cli_usage_error("list", "--from comes after --to");
    lt_trial *t = NULL;
    lt_conduct *cd = NULL;
    int rc = lt_cli_open_conduct_read(lt_cli_db(db), lt_cli_user(user), &t, &cd);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_buf b = LT_BUF_INIT;
    lt_conduct_format fmt = csv ? LT_CONDUCT_CSV : json ? LT_CONDUCT_JSON : LT_CONDUCT_TEXT;
    if (lt_conduct_list(cd, &q, fmt, &b, NULL, &err))
        rc = lt_cli_fail(&err);
    else
        rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    lt_conduct_free(cd);
    lt_trial_close(t);
    return rc;
}
