/* `lutetia enrol --site S01 FILE...`: screens the patients in the files against the trial's
 * protocol and stores each screening (eligible or not: failures count in the CONSORT flow). */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "lutetia/trial.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia enrol --site CODE [--patient ID] [--as-of DATE] [--reason TEXT]\n"
            "                     [--json] [--db FILE] [--user NAME] FILE...\n\n"
            "Reads patients from FILEs (native JSON, FHIR R4 Bundle or CSV; '-' is standard\n"
            "input), screens each (or only --patient ID) against the trial's protocol as of DATE\n"
            "(default today) and stores the result at site CODE: the patient is then 'screened'.\n"
            "A patient not yet confirmed can be screened again with new data; every screening\n"
            "is kept. Stratification levels found in the data are stored with the patient.\n"
            "Coordinators and investigators of the site only. Exit 0 when every screening was\n"
            "stored, whatever the verdicts.\n");
}

int lt_cmd_enrol(int argc, char **argv)
{
    static const struct option opts[] = {
        {"site", required_argument, 0, 's'},   {"patient", required_argument, 0, 'p'},
        {"as-of", required_argument, 0, 'a'},  {"reason", required_argument, 0, 'r'},
        {"json", no_argument, 0, 'j'},         {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'},   {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *site = NULL, *only = NULL, *reason = NULL, *db = NULL, *user = NULL;
    lt_date as_of = LT_DATE_NONE;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': site = optarg; break;
        case 'p': only = optarg; break;
        case 'a':
            if (!lt_cli_date_arg("enrol", "--as-of", optarg, &as_of)) return LT_EXIT_USAGE;
            break;
        case 'r': reason = optarg; break;
        case 'j': json = true; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("enrol", "unknown option");
        }
    }
    if (!site) return lt_cli_usage_error("enrol", "--site CODE is required");
    if (optind >= argc) return lt_cli_usage_error("enrol", "no patient file given");
    lt_error err;
    lt_error_clear(&err);
    lt_cohort *cohort = NULL;
    if (lt_cohort_new(&cohort, &err) != LT_OK) return lt_cli_fail(&err);
    for (int i = optind; i < argc; i++)
        if (lt_cohort_read_file(cohort, argv[i], &err) != LT_OK) {
            lt_cohort_free(cohort);
            return lt_cli_fail(&err);
        }
    if (only && !lt_cohort_find(cohort, only)) {
        lt_cohort_free(cohort);
        fprintf(stderr, "lutetia: --patient: no patient '%s' in the files given\n", only);
        return lt_cli_exit_code(LT_ENOTFOUND);
    }
    if (!lt_cohort_count(cohort)) {
        lt_cohort_free(cohort);
        fprintf(stderr, "lutetia: the files given hold no patient\n");
        return lt_cli_exit_code(LT_ENOTFOUND);
    }
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) {
        lt_cohort_free(cohort);
        return rc;
    }
    lt_buf out = LT_BUF_INIT;
    if (json) lt_buf_putc(&out, '[');
    int n = 0;
    for (size_t i = 0; i < lt_cohort_count(cohort); i++) {
        const lt_patient *p = lt_cohort_patient(cohort, i);
        if (only && strcmp(p->id, only) != 0) continue;
        lt_verdict v;
        lt_buf result = LT_BUF_INIT;
        if (lt_trial_enrol(t, p, site, as_of, reason, &v, &result, &err) != LT_OK) {
            lt_buf_free(&result);
            /* what was stored before stays stored: say so, then fail */
            lt_cli_print_buf(&out);
            if (json && n) printf("]\n");
            rc = lt_cli_fail(&err);
            break;
        }
        if (json) {
            lt_buf_puts(&out, n ? "," : "");
            lt_buf_puts(&out, "{\"patient\":");
            lt_buf_json_str(&out, p->id);
            lt_buf_printf(&out, ",\"site\":");
            lt_buf_json_str(&out, site);
            lt_buf_printf(&out, ",\"verdict\":\"%s\",\"screening\":%s}", lt_verdict_name(v),
                          lt_buf_str(&result));
        } else {
            lt_buf_printf(&out, "%s screened at %s: %s\n", p->id, site, lt_verdict_name(v));
        }
        n++;
        lt_buf_free(&result);
    }
    if (!rc) {
        if (json) lt_buf_puts(&out, "]\n");
        rc = lt_cli_print_buf(&out);
    }
    lt_buf_free(&out);
    lt_trial_close(t);
    lt_cohort_free(cohort);
    return rc;
}
