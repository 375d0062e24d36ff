/* The lutetia command: finds the verb and hands it the rest of the arguments. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

int lt_cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("lutetia %s\n", LUTETIA_VERSION);
    return 0;
}

/* One row per verb; the verb's code is in cli/<verb>.c. Keep the rows in the order a trial
 * flows, as `lutetia help` prints them. */
static const lt_cli_command commands[] = {
    {"version", lt_cmd_version, "print the version"},
    {"protocol", lt_cmd_protocol, "check, show and lint a protocol file"},
    {"screen", lt_cmd_screen, "screen patients against protocols: eligible, ineligible, needs review"},
    {"trial", lt_cmd_trial, "create a trial database from a protocol (init), describe it (show)"},
    {"site", lt_cmd_site, "add a site (admin)"},
    {"user", lt_cmd_user, "add a user with a role, bound to sites (admin)"},
    {"enrol", lt_cmd_enrol, "screen patients and store the result in the trial"},
    {"consent", lt_cmd_consent, "record (or correct) a patient's informed consent"},
    {"confirm", lt_cmd_confirm, "an investigator confirms a patient's eligibility"},
    {"randomise", lt_cmd_randomise, "allocate a patient; simulate a design's balance; replay"},
    {"patient", lt_cmd_patient, "show a patient; start treatment or follow-up; end"},
    {"patients", lt_cmd_patients, "list patients with the screening (CONSORT) flow"},
    {"schedule", lt_cmd_schedule, "a patient's calendar: target dates, windows, deviations, .ics"},
    {"due", lt_cmd_due, "what each site must do between two dates"},
    {"record", lt_cmd_record, "record doses (and an oral drug's tablets), labs, adverse events, dates and outcomes"},
    {"list", lt_cmd_list, "listings of what was recorded (labs, aes, doses, ...), with who recorded it"},
    {"outcomes", lt_cmd_outcomes, "the stored outcomes records of the trial (outcomes file format)"},
    {"audit", lt_cmd_audit, "the hash-chained audit trail: log, verify, head, checkpoint"},
    {"backup", lt_cmd_backup, "a consistent, verified copy of the trial database"},
    {"export", lt_cmd_export, "the trial's data as CDISC ODM 1.3.2, with its audit records"},
    {"design", lt_cmd_design, "sample size, power, and checking a protocol's design"},
    {"simulate", lt_cmd_simulate, "Monte Carlo simulation of whole trials"},
    {"dose", lt_cmd_dose, "decay, volume to draw and administered activity calculators"},
    {"grade", lt_cmd_grade, "CTCAE v5.0 grade of a laboratory value"},
    {"endpoints", lt_cmd_endpoints, "the analysis dataset of an endpoint (DFS, OS, PFS, ...)"},
    {"analyse", lt_cmd_analyse, "survival analysis (Kaplan-Meier, log-rank, Cox, RMST); proportions with exact intervals"},
    {"demo", lt_cmd_demo, "run a whole NELMAS trial on a fresh database and report"},
};

static void print_help(FILE *f)
{
    fprintf(f, "usage: lutetia VERB [OPTIONS] [ARGS]\n\nverbs:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'lutetia VERB --help' describes a verb.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return LT_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        print_help(stdout);
        return lt_cli_finish_stdout(0);
    }
    /* A file size limit (ulimit -f) reached is a write error to report, not a kill signal:
     * the database then says "disk full or file size limit", and nothing is half-done. */
    signal(SIGXFSZ, SIG_IGN);
    if (!strcmp(argv[1], "--version")) return lt_cli_finish_stdout(lt_cmd_version(0, NULL));
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return lt_cli_finish_stdout(commands[i].run(argc - 1, argv + 1));
    fprintf(stderr, "lutetia: unknown verb '%s'\n", argv[1]);
    print_help(stderr);
    return LT_EXIT_USAGE;
}
