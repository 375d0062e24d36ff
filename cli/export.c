/* `lutetia export odm [--out FILE]`: the trial's data as CDISC ODM 1.3.2 (src/export/odm.c),
 * written to FILE (created or replaced whole, never half-written) or standard output.
 * `lutetia export sdtm|adam --out DIR`: SDTM or ADaM datasets as CSV and XPT (src/export/sdtm.c). */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "lutetia/export.h"
#include "lutetia/file.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia export odm [--out FILE] [--db FILE] [--user NAME]\n"
            "       lutetia export sdtm|adam --out DIR [--cutoff DATE] [--db FILE] [--user NAME]\n\n"
            "Writes the trial as a CDISC ODM 1.3.2 Snapshot: the study's metadata (a study event\n"
            "per calendar entry, a form per kind of record, its items the members the records\n"
            "hold), the sites and users, and each patient's data with the audit record of its\n"
            "current revision (user, site, UTC time, reason). Only the user's sites; never the\n"
            "allocation sequence. For admins, monitors and statisticians. Validate with\n"
            "  xmllint --noout --schema ODM1-3-2.xsd FILE\n\n"
            "sdtm writes the trial design (TA, TE, TV, TI, TS) and DM, DS, EX, AE, LB, VS, TU, TR,\n"
            "RS, QS and SV; adam writes ADSL, ADTTE (one parameter per time-to-event endpoint of\n"
            "the protocol, cut at --cutoff), ADAE and ADLB; each as NAME.csv and NAME.xpt (SAS\n"
            "transport version 5) in the existing folder DIR, and define.xml (Define-XML 2.0)\n"
            "describing them; use a folder per standard. docs/exports.md lists the variables.\n"
            "A patient whose endpoint origin is not recorded is left out of ADTTE with a note\n"
            "naming the date to record; the datasets are written and the exit status is 6, as\n"
            "'lutetia endpoints' fails for that patient.\n");
}

int lt_cmd_export(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    const char *format = argv[1];
    if (strcmp(format, "odm") && strcmp(format, "sdtm") && strcmp(format, "adam"))
        return lt_cli_usage_error("export", "unknown format '%s' (expected odm, sdtm or adam)",
                                  format);
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'}, {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'}, {"help", no_argument, 0, 'h'},
        {"cutoff", required_argument, 0, 'c'}, {0, 0, 0, 0},
    };
    const char *out = NULL, *db = NULL, *user = NULL;
    lt_date cutoff = LT_DATE_NONE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'c':
            if (!lt_cli_date_arg("export", "--cutoff", optarg, &cutoff)) return LT_EXIT_USAGE;
            break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("export", "unknown option");
        }
    }
    if (optind < argc - 1)
        return lt_cli_usage_error("export", "unexpected argument '%s'", argv[optind + 1]);
    bool odm = !strcmp(format, "odm");
    if (!odm && !out) return lt_cli_usage_error("export", "%s needs --out DIR", format);
    if (odm && cutoff != LT_DATE_NONE)
        return lt_cli_usage_error("export", "--cutoff goes with adam");
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial_read(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_cli_note_lock(t); /* cli/sign.c */
    lt_error err;
    lt_error_clear(&err);
    lt_buf b = LT_BUF_INIT;
    if (!odm) {
        lt_buf notes = LT_BUF_INIT;
        size_t left_out = 0;
        lt_export_tab_options o = {.dir = out, .sdtm = !strcmp(format, "sdtm"),
                                   .adam = !strcmp(format, "adam"), .cutoff = cutoff,
                                   .notes = &notes, .left_out = &left_out};
        if (lt_export_tabulations(t, &o, &b, &err) != LT_OK) {
            rc = lt_cli_fail(&err);
        } else {
            rc = lt_cli_print_buf(&b);
            /* the datasets are written without them; the exit status is the one `lutetia
             * endpoints` gives for the same patients, so that a script notices */
            for (const char *p = lt_buf_str(&notes); *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                fprintf(stderr, "lutetia: note: %.*s\n", (int)len, p);
                p += len + (nl != NULL);
            }
            if (left_out && !rc) rc = lt_cli_exit_code(LT_ESTATE);
        }
        lt_buf_free(&notes);
        lt_buf_free(&b);
        lt_trial_close(t);
        return rc;
    }
    if (lt_export_odm(t, NULL, &b, &err) != LT_OK ||
        (lt_buf_failed(&b) && lt_error_set(&err, LT_ENOMEM, "", "out of memory") != LT_OK))
        rc = lt_cli_fail(&err);
    else if (out && lt_file_write(out, lt_buf_str(&b), strlen(lt_buf_str(&b)), &err) != LT_OK)
        rc = lt_cli_fail(&err);
    else if (!out)
        rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    lt_trial_close(t);
    return rc;
}
