/* `lutetia endpoints`: the analysis dataset of one endpoint, one row per patient (time in
 * days from the origin event, event 1/0, arm, strata), as CSV that `lutetia analyse` reads,
 * as JSON, or as a readable table; and the per-visit outcome datasets of the same file:
 * QLQ-C30 scale scores (--qol) and RECIST 1.1 responses (--response). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/conduct.h"
#include "lutetia/outcomes.h"

static const char *help =
    "usage: lutetia endpoints --protocol FILE [--version V] --events FILE --endpoint ID\n"
    "                         [--cutoff YYYY-MM-DD] [--csv | --json]\n"
    "\n"
    "Derives the endpoint (as the protocol's endpoints member defines it: DFS, OS, TTR, ...)\n"
    "for every patient of the outcomes file (docs/outcomes-format.md). Times are days from the\n"
    "origin event; a patient without event is censored at the last tumour assessment or the\n"
    "last contact, as the endpoint says; --cutoff ignores what happened after that date.\n"
    "--csv writes patient,arm,<strata>,time,event,time_months,origin,end,reason for\n"
    "'lutetia analyse km FILE --time time --event event --group arm'.\n"
    "\n"
    "       lutetia endpoints --events FILE --qol [--csv | --json]\n"
    "       lutetia endpoints --events FILE --response [--csv | --json]\n"
    "\n"
    "--qol scores every QLQ-C30 questionnaire (EORTC scoring manual, 3rd ed.: 15 scales,\n"
    "0-100, empty when fewer than half a scale's items were answered). --response gives the\n"
    "RECIST 1.1 response of every tumour assessment (sum of target diameters, nadir, target,\n"
    "non-target and overall response; the first assessment is the baseline).\n"
    "\n"
    "       lutetia endpoints --endpoint ID [--cutoff D] [--csv | --json] [--db FILE] [--user NAME]\n"
    "       lutetia endpoints --qol | --response [--csv | --json] [--db FILE] [--user NAME]\n"
    "\n"
    "Without --protocol and --events: the randomised patients of the trial store, from what\n"
    "'lutetia record' stored (docs/conduct.md); the CSV adds arm_<ID> 0/1 columns for Cox.\n";

int lt_cmd_endpoints(int argc, char **argv)
{
    /* without a protocol or outcomes file: the trial store's patients (cli/record.c); --qol
     * and --response on the store are read below, from the store's outcomes records */
    bool scores = false;
    for (int i = 1; i < argc; i++)
        scores = scores || !strcmp(argv[i], "--qol") || !strcmp(argv[i], "--response");
    if (!scores && lt_cli_is_trial_form(argc, argv)) return lt_cli_trial_endpoints(argc, argv);
    const char *protocol = NULL, *version = NULL, *events = NULL, *endpoint = NULL;
    const char *db = NULL, *user = NULL;
    bool csv = false, json = false, qol = false, response = false;
    lt_date cutoff = LT_DATE_NONE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help, stdout);
            return 0;
        }
        if (!strcmp(a, "--csv")) {
            csv = true;
            continue;
        }
        if (!strcmp(a, "--json")) {
            json = true;
            continue;
        }
        if (!strcmp(a, "--qol") || !strcmp(a, "--response")) {
            *(a[2] == 'q' ? &qol : &response) = true;
            continue;
        }
        if (a[0] != '-') return lt_cli_usage_error("endpoints", "unexpected argument \"%s\"", a);
        if (i + 1 >= argc) return lt_cli_usage_error("endpoints", "%s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--protocol"))
            protocol = v;
        else if (!strcmp(a, "--version"))
            version = v;
        else if (!strcmp(a, "--events"))
            events = v;
        else if (!strcmp(a, "--endpoint"))
            endpoint = v;
        else if (!strcmp(a, "--db"))
            db = v;
        else if (!strcmp(a, "--user"))
            user = v;
        else if (!strcmp(a, "--cutoff")) {
            if (!lt_date_parse(v, false, &cutoff))
                return lt_cli_usage_error("endpoints",
                                          "--cutoff expects YYYY-MM-DD, found "
                                          "\"%s\"",
                                          v);
        } else {
            return lt_cli_usage_error("endpoints", "unknown option %s", a);
        }
    }
    if (csv && json) return lt_cli_usage_error("endpoints", "choose --csv or --json");
    if (qol || response) {
        if (qol && response) return lt_cli_usage_error("endpoints", "choose --qol or --response");
        if (endpoint || cutoff != LT_DATE_NONE || protocol)
            return lt_cli_usage_error("endpoints", "--%s takes no --endpoint, --cutoff or --protocol",
                                      qol ? "qol" : "response");
        if (events && (db || user))
            return lt_cli_usage_error("endpoints", "--events FILE or the trial store (--db, "
                                                   "--user), not both");
        lt_error err;
        lt_error_clear(&err);
        lt_outcome_set *set = NULL;
        if (events) {
            if (lt_outcome_set_load(events, &set, &err)) return lt_cli_fail(&err);
        } else {
            /* the trial store: the outcomes records of the patients the user may read */
            lt_trial *t = NULL;
            lt_conduct *c = NULL;
            int orc = lt_cli_open_trial_read(lt_cli_db(db), lt_cli_user(user), &t);
            if (orc) return orc;
            if (lt_conduct_new(t, NULL, &c, &err) ||
                lt_conduct_outcomes(c, NULL, NULL, &set, &err))
                orc = lt_cli_fail(&err);
            lt_conduct_free(c);
            lt_trial_close(t);
            if (orc) return orc;
        }
        lt_buf b = LT_BUF_INIT;
        /* the library's writers (src/outcomes/scores.c), which the server's rows call too */
        lt_status st = qol ? lt_qol_dataset_write(set, csv, json, &b, &err)
                           : lt_response_dataset_write(set, events ? events : "trial store", csv,
                                                       json, &b, &err);
        int rc = st != LT_OK ? lt_cli_fail(&err) : lt_cli_print_buf(&b);
        lt_buf_free(&b);
        lt_outcome_set_free(set);
        return rc;
    }
    if (!protocol || !events || !endpoint)
        return lt_cli_usage_error("endpoints", "--protocol, --events and --endpoint are required");
    if (csv && json) return lt_cli_usage_error("endpoints", "choose --csv or --json");

    lt_error err;
    lt_error_clear(&err);
    lt_protocol *p = NULL;
    lt_endpoints *e = NULL;
    lt_outcome_set *set = NULL;
    lt_buf b = LT_BUF_INIT;
    size_t late = 0;
    int rc = 0;
    /* the same question as the store form's (lt_conduct_endpoint): one library function */
    if (lt_protocol_load(protocol, version, &p, &err) || lt_endpoints_from_protocol(p, &e, &err) ||
        lt_outcome_set_load(events, &set, &err)) {
        rc = lt_cli_fail(&err);
    } else {
        if (set->protocol && strcmp(set->protocol, lt_protocol_id(p)))
            fprintf(stderr, "lutetia: warning: %s is for protocol \"%s\", not \"%s\"\n", events,
                    set->protocol, lt_protocol_id(p));
        if (lt_endpoint_dataset_of(p, e, set, endpoint, cutoff,
                                   csv ? LT_CONDUCT_CSV : json ? LT_CONDUCT_JSON : LT_CONDUCT_TEXT,
                                   events, &b, &late, &err)) {
            rc = lt_cli_fail(&err);
        } else {
            lt_cli_endpoint_note(late, endpoint, e);
            rc = lt_cli_print_buf(&b);
        }
    }
    lt_buf_free(&b);
    lt_outcome_set_free(set);
    lt_endpoints_free(e);
    lt_protocol_free(p);
    return rc;
}

/* The note that patients whose origin or randomisation falls after the cutoff were left out
 * (both forms). */
void lt_cli_endpoint_note(size_t late, const char *endpoint, const lt_endpoints *e)
{
    long k = e && endpoint ? lt_endpoints_find(e, endpoint) : -1;
    if (late && k >= 0)
        fprintf(stderr,
                "lutetia: note: %zu patient%s whose %s or randomisation is after the cutoff left "
                "out\n",
                late, late == 1 ? "" : "s", lt_endpoints_origin(e, (size_t)k));
}
