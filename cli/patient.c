/* `lutetia patient show ID`, `lutetia patients` (the list with the screening flow), and the
 * steps after randomisation: `lutetia patient treat|follow-up|end`. */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "lutetia/conduct.h"
#include "lutetia/trial.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia patient show ID [--json] [--db FILE] [--user NAME]\n"
            "       lutetia patient treat ID [--date DATE]\n"
            "       lutetia patient follow-up ID [--date DATE]\n"
            "       lutetia patient end ID --why REASON [--date DATE] [--reason TEXT]\n"
            "       lutetia patients [--json] [--db FILE] [--user NAME]\n\n"
            "show prints a patient's state, verdict, consent, confirmation, strata, allocation\n"
            "(once made), every screening, and the casebook: everything recorded for the patient\n"
            "that your role may read, in date order, with who recorded it. patients lists the patients of your sites with the\n"
            "screening flow (CONSORT counts: screened, verdicts, failed criteria, consented,\n"
            "allocated per arm). treat starts treatment (after randomisation), follow-up starts\n"
            "follow-up, end ends participation; REASON is completed (from follow-up only),\n"
            "recurrence, death, withdrawal, lost_to_follow_up or trial_terminated.\n"
            "DATE defaults to today.\n");
}

typedef struct opts {
    const char *db, *user, *why, *reason;
    lt_date date;
    bool json;
} opts;

static int parse(int argc, char **argv, const char *verb, opts *o, int *first_arg)
{
    static const struct option lo[] = {
        {"json", no_argument, 0, 'j'},        {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'},  {"date", required_argument, 0, 't'},
        {"why", required_argument, 0, 'w'},   {"reason", required_argument, 0, 'r'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->date = lt_date_today();
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'j': o->json = true; break;
        case 'd': o->db = optarg; break;
        case 'u': o->user = optarg; break;
        case 't':
            if (!lt_cli_date_arg(verb, "--date", optarg, &o->date)) return LT_EXIT_USAGE;
            break;
        case 'w': o->why = optarg; break;
        case 'r': o->reason = optarg; break;
        case 'h': help(stdout); return -1;
        default: return lt_cli_usage_error(verb, "unknown option");
        }
    }
    *first_arg = optind;
    return 0;
}

int lt_cmd_patients(int argc, char **argv)
{
    opts o;
    int first, rc = parse(argc, argv, "patients", &o, &first);
    if (rc) return rc < 0 ? 0 : rc;
    if (first < argc) return lt_cli_usage_error("patients", "unexpected argument '%s'", argv[first]);
    lt_trial *t = NULL;
    rc = lt_cli_open_trial_read(lt_cli_db(o.db), lt_cli_user(o.user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_buf out = LT_BUF_INIT;
    rc = lt_trial_patients(t, o.json, &out, &err) != LT_OK ? lt_cli_fail(&err) : lt_cli_print_buf(&out);
    lt_buf_free(&out);
    lt_trial_close(t);
    return rc;
}

int lt_cmd_patient(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "show") && strcmp(sub, "treat") && strcmp(sub, "follow-up") && strcmp(sub, "end"))
        return lt_cli_usage_error("patient",
                                  "unknown subcommand '%s' (expected show, treat, follow-up, end)", sub);
    opts o;
    int first = 0, rc = parse(argc - 1, argv + 1, "patient", &o, &first);
    if (rc) return rc < 0 ? 0 : rc;
    first++; /* index in argv */
    if (first != argc - 1)
        return lt_cli_usage_error("patient", "%s needs exactly one patient ID", sub);
    const char *id = argv[first];
    lt_end_reason why = LT_END_COMPLETED;
    if (!strcmp(sub, "end")) {
        if (!o.why) return lt_cli_usage_error("patient", "end needs --why REASON");
        if (!lt_end_reason_parse(o.why, &why))
            return lt_cli_usage_error("patient",
                                      "--why: expected completed, recurrence, death, withdrawal, "
                                      "lost_to_follow_up or trial_terminated, found '%s'",
                                      o.why);
    }
    lt_trial *t = NULL;
    rc = lt_cli_open_trial(lt_cli_db(o.db), lt_cli_user(o.user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_buf out = LT_BUF_INIT;
    lt_status st;
    if (!strcmp(sub, "show")) {
        /* the patient and its casebook: everything recorded, with who recorded it */
        lt_conduct *cd = NULL;
        st = lt_conduct_new(t, NULL, &cd, &err);
        if (st == LT_OK) st = lt_conduct_patient_show(cd, id, o.json, &out, &err);
        lt_conduct_free(cd);
    } else {
        if (!strcmp(sub, "treat"))
            st = lt_trial_start_treatment(t, id, o.date, &err);
        else if (!strcmp(sub, "follow-up"))
            st = lt_trial_start_follow_up(t, id, o.date, &err);
        else
            st = lt_trial_end(t, id, why, o.date, o.reason, &err);
        char d[LT_DATE_STR_MAX];
        if (st == LT_OK && o.json)
            st = lt_trial_patient_show(t, id, true, &out, &err);
        else if (st == LT_OK)
            lt_buf_printf(&out, "%s: %s on %s\n", id,
                          !strcmp(sub, "treat")       ? "treatment started"
                          : !strcmp(sub, "follow-up") ? "follow-up started"
                                                      : lt_end_reason_name(why),
                          lt_date_format(o.date, d));
    }
    rc = st != LT_OK ? lt_cli_fail(&err) : lt_cli_print_buf(&out);
    lt_buf_free(&out);
    lt_trial_close(t);
    return rc;
}
