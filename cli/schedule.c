/* `lutetia schedule`: one patient's calendar (text, JSON or an iCalendar file), from dates on
 * the command line or from a patient of an outcomes file; and `lutetia due`: what each site
 * must do between two dates, for every patient of an outcomes file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/conduct.h"
#include "lutetia/outcomes.h"
#include "lutetia/schedule.h"

static const char *schedule_help =
    "usage: lutetia schedule --protocol FILE [--version V] --arm ARM\n"
    "                        --anchor NAME=YYYY-MM-DD... [--actual ID=YYYY-MM-DD[:REASON]...]\n"
    "                        [--event NAME=YYYY-MM-DD...] [--as-of YYYY-MM-DD]\n"
    "                        [--patient ID] [--json | --ics FILE]\n"
    "       lutetia schedule --protocol FILE [--version V] --events FILE PATIENT\n"
    "                        [--as-of YYYY-MM-DD] [--json | --ics FILE]\n"
    "\n"
    "Computes the patient's calendar from the protocol's schedule: each treatment cycle,\n"
    "visit, scan, questionnaire and sample with its target date and window, anchored to the\n"
    "named events (--anchor liver_resection=2026-01-10) or to the actual date of an earlier\n"
    "entry (--actual C1=2026-03-01). A delay with a reason: --actual C2=2026-06-01:toxicity.\n"
    "--event recurrence=DATE (or death, withdrawal, lost_to_follow_up, progression) stops\n"
    "what the protocol says it stops. --as-of marks entries whose window has closed as\n"
    "overdue (default: today). Deviations (out of window, overdue, delayed without reason)\n"
    "are listed. Tumour assessments and questionnaires of an --events file dated inside an\n"
    "entry's window are that entry done.\n"
    "--events reads the patient's dates from an outcomes file (docs/outcomes-format.md).\n"
    "--ics writes an iCalendar file (RFC 5545) a coordinator can import.\n"
    "\n"
    "       lutetia schedule PATIENT [--as-of D] [--json | --ics FILE] [--db FILE] [--user NAME]\n"
    "\n"
    "Without --protocol: the patient's calendar from the trial store, from the dates recorded\n"
    "with 'lutetia record' (docs/conduct.md).\n";

static const char *due_help =
    "usage: lutetia due --protocol FILE [--version V] --events FILE [--from YYYY-MM-DD]\n"
    "                   [--to YYYY-MM-DD] [--site SITE] [--json]\n"
    "\n"
    "Lists, site by site, every calendar entry of every patient in the outcomes file whose\n"
    "window (with any permitted delay) meets the period, and every entry overdue as of --from.\n"
    "--from defaults to today, --to to four weeks from --from. Tumour assessments and\n"
    "questionnaires of the file dated inside an entry's window are that entry done.\n"
    "\n"
    "       lutetia due [--from D] [--to D] [--site SITE] [--json] [--db FILE] [--user NAME]\n"
    "\n"
    "Without --protocol and --events: every patient of the trial store you may read.\n";

#define MAXN 64

typedef struct opts {
    const char *protocol, *version, *arm, *events, *patient, *ics, *site;
    lt_named_date anchors[MAXN], stops[MAXN];
    lt_sched_actual actuals[MAXN];
    size_t nanchors, nstops, nactuals;
    lt_date as_of, from, to;
    bool json;
} opts;

static bool parse_named(const char *verb, const char *opt, char *arg, lt_named_date *out)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        lt_cli_usage_error(verb, "%s expects NAME=YYYY-MM-DD, found \"%s\"", opt, arg);
        return false;
    }
    *eq = '\0';
    if (!lt_date_parse(eq + 1, false, &out->date)) {
        lt_cli_usage_error(verb, "%s %s: expected a date YYYY-MM-DD, found \"%s\"", opt, arg,
                           eq + 1);
        return false;
    }
    out->name = arg;
    return true;
}

static int parse_opts(const char *verb, int argc, char **argv, opts *o, const char *help)
{
    memset(o, 0, sizeof *o);
    o->as_of = o->from = o->to = LT_DATE_NONE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help, stdout);
            return -1;
        }
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        if (a[0] != '-' || a[1] != '-') {
            if (o->patient)
                return lt_cli_usage_error(verb, "one patient at a time; found \"%s\" and \"%s\"",
                                          o->patient, a);
            o->patient = a;
            continue;
        }
        if (i + 1 >= argc) return lt_cli_usage_error(verb, "%s needs a value", a);
        char *v = argv[++i];
        lt_date *d = NULL;
        if (!strcmp(a, "--protocol"))
            o->protocol = v;
        else if (!strcmp(a, "--version"))
            o->version = v;
        else if (!strcmp(a, "--arm"))
            o->arm = v;
        else if (!strcmp(a, "--events"))
            o->events = v;
        else if (!strcmp(a, "--patient"))
            o->patient = v;
        else if (!strcmp(a, "--ics"))
            o->ics = v;
        else if (!strcmp(a, "--site"))
            o->site = v;
        else if (!strcmp(a, "--as-of"))
            d = &o->as_of;
        else if (!strcmp(a, "--from"))
            d = &o->from;
        else if (!strcmp(a, "--to"))
            d = &o->to;
        else if (!strcmp(a, "--anchor") || !strcmp(a, "--event")) {
            bool anchor = !strcmp(a, "--anchor");
            size_t *n = anchor ? &o->nanchors : &o->nstops;
            if (*n >= MAXN) return lt_cli_usage_error(verb, "too many %s options", a);
            if (!parse_named(verb, a, v, anchor ? &o->anchors[*n] : &o->stops[*n]))
                return LT_EXIT_USAGE;
            (*n)++;
        } else if (!strcmp(a, "--actual")) {
            if (o->nactuals >= MAXN) return lt_cli_usage_error(verb, "too many --actual options");
            lt_named_date nd;
            char *colon = strchr(v, ':');
            if (colon) *colon = '\0';
            if (!parse_named(verb, a, v, &nd)) return LT_EXIT_USAGE;
            o->actuals[o->nactuals++] =
                (lt_sched_actual){nd.name, nd.date, colon && colon[1] ? colon + 1 : NULL};
        } else {
            return lt_cli_usage_error(verb, "unknown option %s", a);
        }
        if (d && !lt_date_parse(v, false, d))
            return lt_cli_usage_error(verb, "%s expects a date YYYY-MM-DD, found \"%s\"", a, v);
    }
    if (!o->protocol) return lt_cli_usage_error(verb, "--protocol FILE is required");
    return 0;
}

static void print_text(const lt_calendar *c, const char *title, lt_buf *b)
{
    size_t ndev = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->visits[i].deviation) ndev++;
    lt_buf_printf(b, "%s, arm %s: %zu entries, %zu deviation%s", title, c->arm ? c->arm : "-", c->n,
                  ndev, ndev == 1 ? "" : "s");
    if (c->stopped_by) {
        char d[LT_DATE_STR_MAX];
        lt_buf_printf(b, "; %s on %s", c->stopped_by, lt_date_format(c->stopped, d));
    }
    lt_buf_printf(b, "\n\n%-16s %-13s %-10s  %-22s  %-10s  %-13s %s\n", "entry", "kind", "target",
                  "window", "actual", "status", "what");
    for (size_t i = 0; i < c->n; i++) {
        const lt_visit *v = &c->visits[i];
        char t[LT_DATE_STR_MAX] = "-", e[LT_DATE_STR_MAX] = "", l[LT_DATE_STR_MAX] = "",
             a[LT_DATE_STR_MAX] = "-", w[32] = "-";
        if (v->target != LT_DATE_NONE) {
            lt_date_format(v->target, t);
            snprintf(w, sizeof w, "%s..%s", lt_date_format(v->earliest, e),
                     lt_date_format(v->latest, l));
        }
        if (v->actual != LT_DATE_NONE) lt_date_format(v->actual, a);
        lt_buf_printf(b, "%-16s %-13s %-10s  %-22s  %-10s  %-13s %s%s%s%s\n", v->id,
                      lt_sched_kind_name(v->kind), t, w, a, lt_visit_status_name(v->status),
                      v->label, v->anchor_actual || v->target == LT_DATE_NONE ? "" : " (projected)",
                      v->record ? "; by " : "", v->record ? v->record : "");
    }
    if (ndev) {
        lt_buf_puts(b, "\ndeviations:\n");
        for (size_t i = 0; i < c->n; i++)
            if (c->visits[i].deviation)
                lt_buf_printf(b, "  %s %s: %s\n", c->visits[i].id,
                              lt_visit_status_name(c->visits[i].status),
                              c->visits[i].note ? c->visits[i].note : "");
    }
    bool notes = false;
    for (size_t i = 0; i < c->n; i++) {
        const lt_visit *v = &c->visits[i];
        if (v->deviation || !v->note) continue;
        if (!notes) lt_buf_puts(b, "\nnotes:\n");
        notes = true;
        lt_buf_printf(b, "  %s %s: %s\n", v->id, lt_visit_status_name(v->status), v->note);
    }
}

static int load_all(const opts *o, lt_protocol **p, lt_schedule **s, lt_outcome_set **set)
{
    lt_error err;
    lt_error_clear(&err);
    if (lt_protocol_load(o->protocol, o->version, p, &err)) return lt_cli_fail(&err);
    if (lt_schedule_from_protocol(*p, s, &err)) {
        lt_protocol_free(*p);
        return lt_cli_fail(&err);
    }
    if (o->events && lt_outcome_set_load(o->events, set, &err)) {
        lt_schedule_free(*s);
        lt_protocol_free(*p);
        return lt_cli_fail(&err);
    }
    if (set && *set && (*set)->protocol && strcmp((*set)->protocol, lt_protocol_id(*p)))
        fprintf(stderr, "lutetia: warning: %s is for protocol \"%s\", not \"%s\"\n", o->events,
                (*set)->protocol, lt_protocol_id(*p));
    return 0;
}

int lt_cmd_schedule(int argc, char **argv)
{
    /* without a protocol or outcomes file: the trial store's calendar (cli/record.c) */
    if (lt_cli_is_trial_form(argc, argv)) return lt_cli_trial_schedule(argc, argv);
    opts o;
    int rc = parse_opts("schedule", argc, argv, &o, schedule_help);
    if (rc) return rc < 0 ? 0 : rc;
    if (o.json && o.ics) return lt_cli_usage_error("schedule", "choose --json or --ics");
    if (o.events && (o.nanchors || o.nactuals || o.nstops || o.arm))
        return lt_cli_usage_error("schedule", "--events gives the patient's dates; do not add "
                                              "--arm, --anchor, --actual or --event");
    if (o.events && !o.patient)
        return lt_cli_usage_error("schedule", "--events needs the PATIENT id");
    if (!o.events && !o.nanchors)
        return lt_cli_usage_error("schedule", "give the anchor dates (--anchor NAME=DATE) or "
                                              "--events FILE PATIENT");

    lt_protocol *p = NULL;
    lt_schedule *s = NULL;
    lt_outcome_set *set = NULL;
    if ((rc = load_all(&o, &p, &s, &set))) return rc;
    /* "as of" defaults to today: an entry whose window has closed is overdue now */
    lt_schedule_input in = {
        o.arm,      o.anchors, o.nanchors, o.actuals,
        o.nactuals, o.stops,   o.nstops,   o.as_of == LT_DATE_NONE ? lt_date_today() : o.as_of};
    lt_sched_record *work = NULL;
    size_t nwork = 0;
    lt_error err;
    lt_error_clear(&err);
    /* a misspelt --anchor would leave entries without dates: refuse it, naming the anchors */
    for (size_t i = 0; i < o.nanchors; i++) {
        bool known = false;
        char list[256] = "";
        for (size_t j = 0; j < lt_schedule_anchor_count(s); j++) {
            if (!strcmp(lt_schedule_anchor(s, j), o.anchors[i].name)) known = true;
            strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, lt_schedule_anchor(s, j), sizeof list - strlen(list) - 1);
        }
        if (!known) {
            lt_schedule_free(s);
            lt_protocol_free(p);
            return lt_cli_usage_error("schedule", "--anchor %s: the schedule's anchors are %s",
                                      o.anchors[i].name, list);
        }
    }
    if (set) {
        const lt_outcome_record *r = NULL;
        for (size_t i = 0; i < set->n; i++)
            if (!strcmp(set->records[i]->id, o.patient)) r = set->records[i];
        if (!r) {
            lt_error_set(&err, LT_ENOTFOUND, o.events,
                         "no patient \"%s\" in the file (%zu "
                         "patients)",
                         o.patient, set->n);
            goto fail;
        }
        lt_outcome_record_schedule_input(r, o.as_of, &in);
        if (lt_conduct_record_work(r, &work, &nwork, &err)) goto fail;
    }
    lt_calendar *c = NULL;
    if (lt_schedule_compute_records(s, &in, work, nwork, &c, &err)) goto fail;

    lt_buf b = LT_BUF_INIT;
    char title[256];
    snprintf(title, sizeof title, "%s (version %s)%s%s", lt_protocol_name(p),
             lt_protocol_version(p) ? lt_protocol_version(p) : "-", o.patient ? ", patient " : "",
             o.patient ? o.patient : "");
    if (o.ics) {
        lt_calendar_to_ics(c, lt_protocol_id(p), o.patient ? o.patient : "patient", lt_time_now(),
                           &b);
        if (lt_buf_failed(&b)) {
            lt_error_set(&err, LT_ENOMEM, "", "out of memory writing the calendar");
        } else if (lt_file_write(o.ics, b.p, b.n, &err) == LT_OK) {
            size_t n = 0;
            for (size_t i = 0; i < c->n; i++)
                if (c->visits[i].status != LT_VISIT_CANCELLED &&
                    c->visits[i].target != LT_DATE_NONE)
                    n++;
            printf("wrote %zu events to %s\n", n, o.ics);
        }
        lt_buf_free(&b);
        lt_calendar_free(c);
        if (err.status) goto fail;
        rc = 0;
    } else {
        if (o.json)
            lt_calendar_to_json(c, &b);
        else
            print_text(c, title, &b);
        rc = lt_cli_print_buf(&b);
        lt_buf_free(&b);
        lt_calendar_free(c);
    }
    free(work);
    lt_outcome_set_free(set);
    lt_schedule_free(s);
    lt_protocol_free(p);
    return rc;
fail:
    free(work);
    lt_outcome_set_free(set);
    lt_schedule_free(s);
    lt_protocol_free(p);
    return lt_cli_fail(&err);
}

int lt_cmd_due(int argc, char **argv)
{
    if (lt_cli_is_trial_form(argc, argv)) return lt_cli_trial_due(argc, argv);
    opts o;
    int rc = parse_opts("due", argc, argv, &o, due_help);
    if (rc) return rc < 0 ? 0 : rc;
    if (!o.events) return lt_cli_usage_error("due", "--events FILE is required");
    if (o.patient || o.nanchors || o.nactuals || o.nstops || o.arm)
        return lt_cli_usage_error("due", "due reads every patient's dates from --events");
    lt_error err;
    lt_error_clear(&err);
    /* the store form's period (lt_due_period): from today, for four weeks */
    if (lt_due_period(&o.from, &o.to, &err)) return lt_cli_usage_error("due", "--to is before --from");
    lt_protocol *p = NULL;
    lt_schedule *s = NULL;
    lt_outcome_set *set = NULL;
    if ((rc = load_all(&o, &p, &s, &set))) return rc;
    /* every calendar from the file's records; what is due among them is the library's one
     * answer (lt_due_write), as for the trial store */
    lt_buf b = LT_BUF_INIT;
    lt_due_patient *pats = calloc(set->n + 1, sizeof *pats);
    lt_calendar **cals = calloc(set->n + 1, sizeof *cals);
    if (!pats || !cals) lt_error_set(&err, LT_ENOMEM, "", "out of memory");
    for (size_t k = 0; pats && cals && k < set->n && !err.status; k++) {
        const lt_outcome_record *r = set->records[k];
        lt_schedule_input in;
        lt_outcome_record_schedule_input(r, o.from, &in);
        lt_sched_record *work = NULL;
        size_t nwork = 0;
        lt_status wrc = lt_conduct_record_work(r, &work, &nwork, &err);
        if (wrc == LT_OK) wrc = lt_schedule_compute_records(s, &in, work, nwork, &cals[k], &err);
        free(work);
        if (wrc != LT_OK) {
            char w[LT_ERROR_WHERE_MAX];
            snprintf(w, sizeof w, "%.100s: patient %.100s", o.events, r->id);
            snprintf(err.where, sizeof err.where, "%s", w);
            break;
        }
        pats[k] = (lt_due_patient){r->site, r->id, cals[k]};
    }
    if (!err.status &&
        lt_due_write(lt_protocol_name(p), pats, set->n, o.from, o.to, o.site, o.json, &b, NULL,
                     &err) == LT_OK)
        rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    for (size_t k = 0; cals && k < set->n; k++) lt_calendar_free(cals[k]);
    free(cals);
    free(pats);
    lt_outcome_set_free(set);
    lt_schedule_free(s);
    lt_protocol_free(p);
    return err.status ? lt_cli_fail(&err) : rc;
}
