/* Shared pieces of the lutetia command line: the verb table's entry type, the one
 * status-to-exit-code table, and error printing. Each verb lives in cli/<verb>.c. */
#ifndef LUTETIA_CLI_H
#define LUTETIA_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "lutetia.h"

/* Exit codes: 0 success, 1 a check that found problems (lint, audit verify), 2 usage,
 * and one code per library status (LT_STATUS_MAP in lutetia/status.h; exit.c). */
#define LT_EXIT_OK 0
#define LT_EXIT_FINDINGS 1
#define LT_EXIT_USAGE 2 /* the code of LT_EINVAL */
#define LT_EXIT_UNKNOWN 70 /* a status outside the list (sysexits' EX_SOFTWARE) */

typedef struct lt_cli_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the verb itself */
    const char *summary;
} lt_cli_command;

/* The exit code for a library status (the one table, in exit.c). */
int lt_cli_exit_code(lt_status st);

/* Typos (cli/suggest.c): the case-insensitive edit distance of two words (capped at 9), whether
 * a distance is near enough to typed to suggest, and the nearest of the NULL-ended names
 * (NULL when none is near enough). */
size_t lt_cli_distance(const char *a, const char *b);
bool lt_cli_near_enough(const char *typed, size_t d);
const char *lt_cli_nearest(const char *typed, const char *const *names);

/* Prints the documented table of exit codes (`lutetia help exit-codes`); returns 0. */
int lt_cli_print_exit_codes(FILE *f);

/* Prints "lutetia: WHERE: MESSAGE" to stderr and returns lt_cli_exit_code(err->status). */
int lt_cli_fail(const lt_error *err);

/* Prints "lutetia VERB: MESSAGE" and a hint to run --help, returns LT_EXIT_USAGE. */
int lt_cli_usage_error(const char *verb, const char *fmt, ...) LT_PRINTF(2, 3);

/* Checked output (cli/output.c). print_buf writes the buffer to stdout and reports an
 * allocation failure while it was built, or a failed write (a full disk, a closed pipe).
 * finish_stdout flushes what printf left and turns a write error into an exit code (main
 * calls it after every verb). Files (--ics, --plot, --to) are written with lt_file_write. */
int lt_cli_print_buf(const lt_buf *b);
int lt_cli_finish_stdout(int rc);

/* Validates the members of a protocol file that modules above the protocol module own (design,
 * schedule, endpoints, dosing) in every version, appending an issue for each problem to
 * *issues (realloc'd; the caller frees it). LT_OK whatever it finds. In protocol_sections.c. */
lt_status lt_cli_check_sections(const char *text, size_t len, const char *file,
                                lt_protocol_issue **issues, size_t *nissues, lt_error *err);

/* The verbs. */
int lt_cmd_version(int argc, char **argv);
int lt_cmd_protocol(int argc, char **argv); /* cli/protocol.c */
int lt_cmd_screen(int argc, char **argv);   /* cli/screen.c */
int lt_cmd_trial(int argc, char **argv);     /* cli/trial.c */
int lt_cmd_site(int argc, char **argv);      /* cli/site.c */
int lt_cmd_user(int argc, char **argv);      /* cli/user.c */
int lt_cmd_enrol(int argc, char **argv);     /* cli/enrol.c */
int lt_cmd_consent(int argc, char **argv);   /* cli/consent.c */
int lt_cmd_confirm(int argc, char **argv);   /* cli/confirm.c */
int lt_cmd_randomise(int argc, char **argv); /* cli/randomise.c */
int lt_cmd_patient(int argc, char **argv);   /* cli/patient.c */
int lt_cmd_patients(int argc, char **argv);  /* cli/patient.c */
int lt_cmd_audit(int argc, char **argv);     /* cli/audit.c */
int lt_cmd_backup(int argc, char **argv);    /* cli/backup.c */
int lt_cmd_migrate(int argc, char **argv);   /* cli/migrate.c */

/* Shared by the trial verbs (cli/trial.c): the database (given, else LUTETIA_DB, else
 * ./lutetia.db), the trial user chosen (given, else LUTETIA_USER, else NULL: the only one bound
 * to the OS account), the key file (given, else LUTETIA_KEY_FILE, else NULL: DB.key), the name
 * of the OS account running this (effective uid; false when it has none), opening the trial as
 * a user bound to that account (peer authentication; prints the error; returns 0 or an exit
 * code), and a date option. */
struct lt_trial;
const char *lt_cli_db(const char *given);
const char *lt_cli_user(const char *given);
const char *lt_cli_key_file(const char *given);
bool lt_cli_os_user(char *name, size_t n);
int lt_cli_open_trial(const char *db, const char *user, struct lt_trial **out);
/* The same for a verb that only reads: the file is opened read-only (no schema upgrade). */
int lt_cli_open_trial_read(const char *db, const char *user, struct lt_trial **out);
/* lt_cli_open_trial_read and the conduct context over it (listings, proportions); on failure
 * nothing stays open. */
struct lt_conduct;
int lt_cli_open_conduct_read(const char *db, const char *user, struct lt_trial **t,
                             struct lt_conduct **c);
bool lt_cli_date_arg(const char *verb, const char *opt, const char *s, lt_date *out);
/* Prints the patient as `lutetia patient show ID --json` does (after a change, for --json). */
int lt_cli_print_patient(struct lt_trial *t, const char *id);
int lt_cmd_design(int argc, char **argv);   /* cli/design.c */
int lt_cmd_simulate(int argc, char **argv); /* cli/simulate.c */
int lt_cmd_analyse(int argc, char **argv);  /* cli/analyse.c */
int lt_cmd_dose(int argc, char **argv);     /* cli/dose.c */
int lt_cmd_grade(int argc, char **argv);    /* cli/grade.c */
int lt_cmd_schedule(int argc, char **argv);  /* cli/schedule.c */
int lt_cmd_due(int argc, char **argv);       /* cli/schedule.c */
int lt_cmd_endpoints(int argc, char **argv); /* cli/endpoints.c */
int lt_cmd_record(int argc, char **argv);    /* cli/record.c */
int lt_cmd_outcomes(int argc, char **argv);  /* cli/record.c */
int lt_cmd_list(int argc, char **argv);      /* cli/list.c */
int lt_cmd_demo(int argc, char **argv);      /* cli/demo.c */
int lt_cmd_export(int argc, char **argv);    /* cli/export.c */
int lt_cmd_serve(int argc, char **argv);     /* cli/serve.c */
int lt_cmd_token(int argc, char **argv);     /* cli/token.c */
int lt_cmd_report(int argc, char **argv);    /* cli/report.c */
/* `user password` and `user deactivate|activate` (cli/credential.c); argv[0] is the subcommand */
int lt_cli_user_password(int argc, char **argv);
int lt_cli_user_state(int argc, char **argv);
int lt_cli_user_totp(int argc, char **argv);
/* Store-backed forms of schedule, due and endpoints (cli/record.c), for a trial database. */
int lt_cli_trial_schedule(int argc, char **argv);
int lt_cli_trial_due(int argc, char **argv);
int lt_cli_trial_endpoints(int argc, char **argv);
/* True when a schedule/due/endpoints command line names neither --protocol nor --events. */
bool lt_cli_is_trial_form(int argc, char **argv);
/* `analyse ... --endpoint ID`: the trial endpoint's dataset as survival data (prints errors;
 * returns 0 or an exit code). */
struct lt_surv_spec;
struct lt_surv_data;
int lt_cli_trial_surv_data(const char *endpoint, const char *cutoff, const char *db,
                           const char *user, const struct lt_surv_spec *spec,
                           struct lt_surv_data **out);

/* Electronic signatures (cli/sign.c): `sign`, `signatures`, and `user name` (argv[0] is the
 * subcommand); reading a line of input and a password from the terminal without echo
 * (cli/credential.c). */
int lt_cmd_sign(int argc, char **argv);
int lt_cmd_signatures(int argc, char **argv);
int lt_cli_user_full_name(int argc, char **argv);
bool lt_cli_read_line(FILE *f, char *buf, size_t n);
bool lt_cli_read_hidden(const char *prompt, char *buf, size_t n);
/* After the data lock, analyses and exports say on stderr that they read locked data. */
void lt_cli_note_lock(struct lt_trial *t);

#endif
