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

static void csv_num(lt_buf *b, double x)
{
    if (!isnan(x)) lt_buf_printf(b, "%.4f", x);
}

/* One row per questionnaire: the 15 QLQ-C30 scales. */
static int qol_dataset(const lt_outcome_set *set, bool csv, bool json, lt_buf *b, lt_error *err)
{
    if (csv) {
        lt_buf_puts(b, "patient,arm,date");
        for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++)
            lt_buf_printf(b, ",%s", lt_qlq_scale_name((lt_qlq_scale)k));
        lt_buf_putc(b, '\n');
    } else if (json) {
        lt_buf_puts(b, "{\"instrument\":\"qlq_c30\",\"rows\":[");
    } else {
        lt_buf_printf(b, "%-12s %-4s %-10s", "patient", "arm", "date");
        for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++)
            lt_buf_printf(b, " %5s", lt_qlq_scale_name((lt_qlq_scale)k));
        lt_buf_putc(b, '\n');
    }
    bool first = true;
    for (size_t i = 0; i < set->n; i++) {
        const lt_outcome_record *r = set->records[i];
        for (size_t q = 0; q < r->nquestionnaires; q++) {
            double sc[LT_QLQ_SCALE_COUNT];
            if (lt_qlq_c30_score(r->questionnaires[q].items, sc, err)) {
                char w[LT_ERROR_WHERE_MAX];
                snprintf(w, sizeof w, "patient %.100s: questionnaires[%zu]: %.100s", r->id, q,
                         err->where);
                snprintf(err->where, sizeof err->where, "%s", w);
                return 1;
            }
            char d[LT_DATE_STR_MAX];
            lt_date_format(r->questionnaires[q].date, d);
            if (csv) {
                lt_buf_csv_field(b, r->id);
                lt_buf_putc(b, ',');
                lt_buf_csv_field(b, r->arm);
                lt_buf_printf(b, ",%s", d);
                for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++) {
                    lt_buf_putc(b, ',');
                    csv_num(b, sc[k]);
                }
                lt_buf_putc(b, '\n');
            } else if (json) {
                lt_buf_puts(b, first ? "{\"patient\":" : ",{\"patient\":");
                first = false;
                lt_buf_json_str(b, r->id);
                lt_buf_puts(b, ",\"arm\":");
                lt_buf_json_str(b, r->arm);
                lt_buf_puts(b, ",\"date\":");
                lt_buf_json_str(b, d);
                for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++) {
                    lt_buf_printf(b, ",\"%s\":", lt_qlq_scale_name((lt_qlq_scale)k));
                    lt_buf_json_num(b, sc[k]); /* NAN writes null */
                }
                lt_buf_putc(b, '}');
            } else {
                lt_buf_printf(b, "%-12s %-4s %-10s", r->id, r->arm ? r->arm : "-", d);
                for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++) {
                    if (isnan(sc[k]))
                        lt_buf_printf(b, " %5s", "-");
                    else
                        lt_buf_printf(b, " %5.1f", sc[k]);
                }
                lt_buf_putc(b, '\n');
            }
        }
    }
    if (json) lt_buf_puts(b, "]}\n");
    return 0;
}

/* One row per tumour assessment of every patient who has any: its RECIST 1.1 response. */
static int response_dataset(const lt_outcome_set *set, const char *events, bool csv, bool json,
                            lt_buf *b, lt_error *err)
{
    if (csv)
        lt_buf_puts(b, "patient,arm,date,sum_mm,nadir_mm,target,nontarget,overall\n");
    else if (json)
        lt_buf_puts(b, "{\"criteria\":\"RECIST 1.1\",\"rows\":[");
    else
        lt_buf_printf(b, "%-12s %-4s %-10s %8s %8s %-13s %-13s %s\n", "patient", "arm", "date",
                      "sum", "nadir", "target", "non-target", "overall");
    bool first = true;
    for (size_t i = 0; i < set->n; i++) {
        const lt_outcome_record *r = set->records[i];
        if (!r->nassessments) continue;
        lt_recist_result *res = calloc(r->nassessments, sizeof *res);
        char where[LT_ERROR_WHERE_MAX];
        snprintf(where, sizeof where, "%.120s: patient %.100s", events, r->id);
        if (!res) {
            lt_error_set(err, LT_ENOMEM, "", "out of memory");
            return 1;
        }
        if (lt_recist_evaluate(r->assessments, r->nassessments, where, res, err)) {
            free(res);
            return 1;
        }
        for (size_t k = 0; k < r->nassessments; k++) {
            const lt_recist_result *x = &res[k];
            char d[LT_DATE_STR_MAX];
            lt_date_format(x->date, d);
            const char *t = lt_recist_response_name(x->target),
                       *nt = lt_recist_response_name(x->nontarget),
                       *o = k ? lt_recist_response_name(x->overall) : "baseline";
            if (csv) {
                lt_buf_csv_field(b, r->id);
                lt_buf_putc(b, ',');
                lt_buf_csv_field(b, r->arm);
                lt_buf_printf(b, ",%s,", d);
                csv_num(b, x->sum);
                lt_buf_putc(b, ',');
                csv_num(b, x->nadir);
                lt_buf_printf(b, ",%s,%s,%s\n", k ? t : "", k ? nt : "", o);
            } else if (json) {
                lt_buf_puts(b, first ? "{\"patient\":" : ",{\"patient\":");
                first = false;
                lt_buf_json_str(b, r->id);
                lt_buf_puts(b, ",\"arm\":");
                lt_buf_json_str(b, r->arm);
                lt_buf_puts(b, ",\"date\":");
                lt_buf_json_str(b, d);
                lt_buf_puts(b, ",\"sum_mm\":");
                lt_buf_json_num(b, x->sum);
                lt_buf_puts(b, ",\"nadir_mm\":");
                lt_buf_json_num(b, x->nadir);
                lt_buf_puts(b, ",\"target\":");
                lt_buf_json_str(b, k ? t : NULL);
                lt_buf_puts(b, ",\"nontarget\":");
                lt_buf_json_str(b, k ? nt : NULL);
                lt_buf_puts(b, ",\"overall\":");
                lt_buf_json_str(b, o);
                lt_buf_putc(b, '}');
            } else {
                char sum[16] = "-", nadir[16] = "-";
                if (!isnan(x->sum)) snprintf(sum, sizeof sum, "%.1f", x->sum);
                if (k && !isnan(x->nadir)) snprintf(nadir, sizeof nadir, "%.1f", x->nadir);
                lt_buf_printf(b, "%-12s %-4s %-10s %8s %8s %-13s %-13s %s\n", r->id,
                              r->arm ? r->arm : "-", d, sum, nadir, k ? t : "", k ? nt : "", o);
            }
        }
        free(res);
    }
    if (json) lt_buf_puts(b, "]}\n");
    return 0;
}

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
        int bad = qol ? qol_dataset(set, csv, json, &b, &err)
                      : response_dataset(set, events ? events : "trial store", csv, json, &b,
                                         &err);
        int rc = bad ? lt_cli_fail(&err) : lt_cli_print_buf(&b);
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
