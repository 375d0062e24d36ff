/* `lutetia record WHAT ...`: what happens to a randomised patient, written to the trial store
 * (profile, anchor and actual dates, labs, adverse events, assessments, outcome events, dose
 * decisions, administrations); and `lutetia outcomes`: the stored outcomes records, the file
 * format that `schedule --events`, `due --events` and `endpoints --events` read. The
 * store-backed calendar, due list and endpoint dataset are here too (lt_cli_trial_*). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/conduct.h"
#include "lutetia/stats.h"
#include "lutetia/trial.h"

static const char *record_help =
    "usage: lutetia record WHAT --patient ID [options] [--reason TEXT] [--json]\n"
    "                      [--db FILE] [--user NAME]\n"
    "\n"
    "Records what happens to a randomised patient in the trial store, one audited change per\n"
    "command. Recording something again (same patient and date, entry, cycle...) corrects it\n"
    "and needs --reason. Dates are YYYY-MM-DD, times RFC 3339 (2026-03-01T09:30:00Z).\n"
    "\n"
    "  profile     --birth-date D --sex female|male --weight KG   (what the dose rules need)\n"
    "              [--confirm]  (a weight outside its plausible range, checked; needs --reason)\n"
    "  anchor      --anchor NAME --date D          (liver_resection; randomisation when the\n"
    "                                               clinical date differs from allocation day)\n"
    "  actual      --entry ID --date D [--late-reason TEXT]   (a calendar entry was done)\n"
    "  lab         --date D --analyte A --value V [--unit U] [--lln L] [--uln U] [--confirm]\n"
    "              (graded with CTCAE v5.0; 'weight' in kg is accepted, not graded; a value\n"
    "              outside its plausible range, data/plausible-ranges.json, is refused unless\n"
    "              --confirm and --reason say someone checked it)\n"
    "  ae          --term T --grade 1-5 --start D [--end D] [--serious]\n"
    "              [--related not_related|unlikely|possible|probable|definite] [--id AE001]\n"
    "              [--specify TEXT]  (a CTCAE v5.0 term, data/ctcae-v5-terms.json; a system\n"
    "              organ class's '... - Other, specify' term needs the event's words)\n"
    "  assessment  --date D --modality M [--new-lesions] [--target ID:ORGAN:MM ...]\n"
    "              [--node ID:MM ...] [--non-target ID:ORGAN:STATUS ...]\n"
    "              (RECIST 1.1: targets by longest diameter, target lymph nodes by short axis,\n"
    "              MM 'nm' when not measured; STATUS present, absent, unequivocal_progression\n"
    "              or not_evaluated; the first assessment is the baseline, and a PD is the\n"
    "              progression of the endpoints that count progression)\n"
    "  questionnaire --date D [--instrument qlq_c30] --items A1,A2,...,A30\n"
    "              (30 answers, empty when unanswered: 1-4 for items 1-28, 1-7 for 29-30)\n"
    "  event       --type recurrence|progression|death|next_therapy|lost_to_follow_up|\n"
    "              withdrawal --date D [--site liver|extrahepatic|liver_and_extrahepatic]\n"
    "              [--cause disease|treatment|other|unknown] [--therapy T] [--note T]\n"
    "  decide      --cycle N --date D   (the label's dose rules on the stored history)\n"
    "  decide      --date D   (an arm on an oral drug: continue, interrupt, resume at the same\n"
    "              or a lower dose, or discontinue, by the protocol's modification table)\n"
    "  administration --cycle N --prescribed A --before A --before-at T --residual A\n"
    "              --residual-at T --start T --end T [--unit MBq] [--nuclide Lu-177]\n"
    "              [--route intravenous] [--calibration A --calibration-at T]\n"
    "              [--amino-start T --amino-end T | --no-amino]\n"
    "              [--last-ssa-long T | --no-ssa-long] [--last-ssa-short T | --no-ssa-short]\n"
    "              [--ack CODE=REASON ...]   (above the decision beyond the protocol's\n"
    "              tolerance only after an investigator's deviation)\n"
    "  oral start  --date D [--dose MG]     (an arm's oral drug, e.g. everolimus; investigators)\n"
    "  oral dose   --date D --dose MG --cause TEXT            (a lower daily dose)\n"
    "  oral interrupt --date D --cause TEXT [--toxicity CATEGORY --grade G]\n"
    "              (without --toxicity: the one the table decides on that day, if any)\n"
    "  oral resume --date D [--dose MG]     (at most what the table allows that day)\n"
    "  oral stop   --date D --cause TEXT\n"
    "  oral dispense --date D --tablets N --strength MG      (coordinators, investigators)\n"
    "  oral return --date D --returned N [--lost N]   (of the earliest dispensing still out)\n"
    "  oral show   [--as-of D]   (state, records and compliance per dispensing period)\n"
    "  deviation   --cycle N --activity A [--unit MBq] [--past-cumulative-limit yes|no]\n"
    "              --reason TEXT   (investigators: accept an administered activity up to A\n"
    "              for this cycle's decision as a protocol deviation)\n"
    "\n"
    "Who may: coordinators and investigators record dates, labs, events and profiles;\n"
    "investigators and nuclear-medicine staff decide doses; nuclear-medicine staff record\n"
    "administrations; monitors and statisticians only read. A recurrence, death, withdrawal or\n"
    "loss to follow-up ends the patient's participation; treatment and the assessments the\n"
    "protocol names stop with it.\n";

#define MAXOPT 48

typedef struct kv {
    const char *key, *val;
} kv;

typedef struct args {
    kv o[MAXOPT];
    size_t n;
    const char *acks[LT_DOSE_MAX_ACKS];
    size_t nacks;
} args;

static const char *const flags[] = {"--json",        "--serious",      "--new-lesions",
                                    "--no-amino",    "--no-ssa-long",  "--no-ssa-short",
                                    "--csv",         "--confirm",      NULL};

static bool is_flag(const char *a)
{
    for (const char *const *f = flags; *f; f++)
        if (!strcmp(a, *f)) return true;
    return false;
}

/* Reads --key value pairs and flags; returns -1 after --help, an exit code on error, or 0. */
static int parse(const char *verb, int argc, char **argv, int start, args *a, const char *help)
{
    memset(a, 0, sizeof *a);
    for (int i = start; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "--help") || !strcmp(k, "-h")) {
            fputs(help, stdout);
            return -1;
        }
        if (k[0] != '-' || k[1] != '-')
            return lt_cli_usage_error(verb, "unexpected argument '%s'", k);
        if (a->n == MAXOPT) return lt_cli_usage_error(verb, "too many options");
        if (is_flag(k)) {
            a->o[a->n++] = (kv){k + 2, ""};
            continue;
        }
        if (i + 1 >= argc) return lt_cli_usage_error(verb, "%s needs a value", k);
        if (!strcmp(k, "--ack")) {
            if (a->nacks == LT_DOSE_MAX_ACKS) return lt_cli_usage_error(verb, "too many --ack");
            a->acks[a->nacks++] = argv[++i];
            continue;
        }
        a->o[a->n++] = (kv){k + 2, argv[++i]};
    }
    return 0;
}

static const char *get(const args *a, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->o[i].key, key)) v = a->o[i].val;
    return v;
}

static bool has(const args *a, const char *key) { return get(a, key) != NULL; }

/* Every option given must be one the subcommand knows. */
static int only(const char *verb, const args *a, const char *const *known)
{
    static const char *const common[] = {"patient", "reason", "json", "db", "user", NULL};
    for (size_t i = 0; i < a->n; i++) {
        bool ok = false;
        for (const char *const *k = common; *k && !ok; k++)
            ok = !strcmp(a->o[i].key, *k);
        for (const char *const *k = known; *k && !ok; k++)
            ok = !strcmp(a->o[i].key, *k);
        if (!ok) return lt_cli_usage_error(verb, "unknown option --%s", a->o[i].key);
    }
    return 0;
}

/* An option given twice (--value 231 --value 20) is refused, not read as the last one: the
 * command line's duplicate member. */
static int once(const char *verb, const args *a)
{
    for (size_t i = 0; i < a->n; i++)
        for (size_t k = 0; k < i; k++)
            if (!strcmp(a->o[i].key, a->o[k].key))
                return lt_cli_usage_error(verb, "--%s is given twice ('%s' and '%s')",
                                          a->o[i].key, a->o[k].val, a->o[i].val);
    return 0;
}

static int need(const char *verb, const args *a, const char *const *keys)
{
    for (const char *const *k = keys; *k; k++)
        if (!has(a, *k)) return lt_cli_usage_error(verb, "--%s is required", *k);
    return 0;
}

static bool date_opt(const char *verb, const args *a, const char *key, lt_date *out)
{
    const char *s = get(a, key);
    if (!s) {
        *out = LT_DATE_NONE;
        return true;
    }
    char opt[64];
    snprintf(opt, sizeof opt, "--%s", key);
    return lt_cli_date_arg(verb, opt, s, out);
}

static bool num_opt(const char *verb, const args *a, const char *key, double *out)
{
    const char *s = get(a, key);
    if (!s) {
        *out = NAN;
        return true;
    }
    if (lt_parse_double(s, out) && isfinite(*out)) return true;
    lt_cli_usage_error(verb, "--%s: expected a number, found '%s'", key, s);
    return false;
}

static bool time_opt(const char *verb, const args *a, const char *key, lt_time *out)
{
    const char *s = get(a, key);
    if (!s) return true; /* left as it was (LT_DOSE_NO_TIME) */
    if (lt_time_parse(s, out)) return true;
    char hint[320];
    if (lt_time_zone_hint(s, hint, sizeof hint)) {
        lt_cli_usage_error(verb, "--%s: %s", key, hint);
        return false;
    }
    lt_cli_usage_error(verb, "--%s: expected an RFC 3339 time such as 2026-03-01T09:30:00Z, found "
                             "'%s'",
                       key, s);
    return false;
}

static bool activity_opt(const char *verb, const args *a, const char *key, const char *unit,
                         double *out)
{
    double v;
    if (!num_opt(verb, a, key, &v)) return false;
    if (isnan(v)) return true;
    if (lt_activity_to_mbq(v, unit, out)) return true;
    lt_cli_usage_error(verb, "--unit: '%s' is not an activity unit (Bq, kBq, MBq, GBq, uCi, mCi, "
                             "Ci)",
                       unit);
    return false;
}

/* ---- subcommands ---- */

static int do_profile(lt_conduct *c, const args *a, const char *p, const char *reason,
                      lt_error *err)
{
    static const char *const known[] = {"birth-date", "sex", "weight", "confirm", NULL};
    static const char *const req[] = {"birth-date", "sex", "weight", NULL};
    int rc = only("record profile", a, known);
    if (!rc) rc = once("record profile", a);
    if (!rc) rc = need("record profile", a, req);
    if (rc) return rc;
    lt_date born;
    double w;
    if (!date_opt("record profile", a, "birth-date", &born) ||
        !num_opt("record profile", a, "weight", &w))
        return LT_EXIT_USAGE;
    const char *s = get(a, "sex");
    lt_sex sex = !strcmp(s, "female") ? LT_SEX_FEMALE : !strcmp(s, "male") ? LT_SEX_MALE
                                                                            : LT_SEX_UNKNOWN;
    if ((has(a, "confirm") ? lt_conduct_profile_confirmed : lt_conduct_profile)(c, p, born, sex, w,
                                                                             reason, err))
        return lt_cli_fail(err);
    printf("%s: profile recorded\n", p);
    return 0;
}

static int do_anchor(lt_conduct *c, const args *a, const char *p, const char *reason,
                     lt_error *err)
{
    static const char *const known[] = {"anchor", "date", NULL};
    int rc = only("record anchor", a, known);
    if (!rc) rc = need("record anchor", a, known);
    if (rc) return rc;
    lt_date d;
    if (!date_opt("record anchor", a, "date", &d)) return LT_EXIT_USAGE;
    if (lt_conduct_anchor(c, p, get(a, "anchor"), d, reason, err)) return lt_cli_fail(err);
    printf("%s: %s on %s\n", p, get(a, "anchor"), get(a, "date"));
    return 0;
}

static int do_actual(lt_conduct *c, const args *a, const char *p, const char *reason,
                     lt_error *err)
{
    static const char *const known[] = {"entry", "date", "late-reason", NULL};
    static const char *const req[] = {"entry", "date", NULL};
    int rc = only("record actual", a, known);
    if (!rc) rc = need("record actual", a, req);
    if (rc) return rc;
    lt_date d;
    if (!date_opt("record actual", a, "date", &d)) return LT_EXIT_USAGE;
    if (lt_conduct_actual(c, p, get(a, "entry"), d, get(a, "late-reason"), reason, err))
        return lt_cli_fail(err);
    printf("%s: %s done on %s\n", p, get(a, "entry"), get(a, "date"));
    return 0;
}

static int do_lab(lt_conduct *c, const args *a, const char *p, const char *reason, bool json,
                  lt_error *err)
{
    static const char *const known[] = {"date", "analyte", "value", "unit",
                                        "lln",  "uln",     "confirm", NULL};
    static const char *const req[] = {"date", "analyte", "value", NULL};
    int rc = only("record lab", a, known);
    if (!rc) rc = once("record lab", a);
    if (!rc) rc = need("record lab", a, req);
    if (rc) return rc;
    lt_conduct_lab lab = {.patient = p, .analyte = get(a, "analyte"), .unit = get(a, "unit")};
    if (!date_opt("record lab", a, "date", &lab.date) ||
        !num_opt("record lab", a, "value", &lab.value) ||
        !num_opt("record lab", a, "lln", &lab.lln) || !num_opt("record lab", a, "uln", &lab.uln))
        return LT_EXIT_USAGE;
    lt_grade g;
    if ((has(a, "confirm") ? lt_conduct_lab_record_confirmed : lt_conduct_lab_record)(c, &lab, reason,
                                                                                   &g, err))
        return lt_cli_fail(err);
    if (json) {
        lt_buf b = LT_BUF_INIT;
        if (g.term)
            lt_grade_to_json(&g, lab.analyte, lab.value, lab.unit ? lab.unit : "", &b);
        else
            lt_buf_puts(&b, "{\"grade\":null}");
        lt_buf_putc(&b, '\n');
        rc = lt_cli_print_buf(&b);
        lt_buf_free(&b);
        return rc;
    }
    if (!g.term)
        printf("%s: %s recorded (not graded)\n", p, lab.analyte);
    else if (g.grade == LT_GRADE_UNDETERMINED)
        printf("%s: %s recorded, CTCAE grade undetermined (%d to %d): %s\n", p, lab.analyte,
               g.min_grade, g.max_grade, g.reason);
    else
        printf("%s: %s recorded, %s grade %d%s%s\n", p, lab.analyte, g.term, g.grade,
               g.criterion ? ": " : "", g.criterion ? g.criterion : "");
    return 0;
}

/* Adds "did you mean ...?" to an unknown adverse-event term's error, from the CTCAE list. */
static void suggest_term(const char *typed, lt_error *err)
{
    lt_ctcae_terms *t = NULL;
    lt_error ignored;
    if (lt_ctcae_terms_load(NULL, &t, &ignored) != LT_OK) return;
    size_t n = lt_ctcae_terms_count(t);
    const char **names = calloc(n + 1, sizeof *names);
    for (size_t i = 0; names && i < n; i++) names[i] = lt_ctcae_terms_at(t, i)->term;
    const char *near = names ? lt_cli_nearest(typed, names) : NULL;
    size_t len = strlen(err->message);
    if (near)
        snprintf(err->message + len, sizeof err->message - len, "; did you mean '%s'?", near);
    free(names);
    lt_ctcae_terms_free(t);
}

static int do_ae(lt_conduct *c, const args *a, const char *p, const char *reason, lt_error *err)
{
    static const char *const known[] = {"term", "grade", "start", "end", "serious", "related",
                                        "id", "specify", NULL};
    static const char *const req[] = {"term", "grade", "start", NULL};
    int rc = only("record ae", a, known);
    if (!rc) rc = need("record ae", a, req);
    if (rc) return rc;
    lt_adverse_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.patient, sizeof e.patient, "%s", p);
    snprintf(e.term, sizeof e.term, "%s", get(a, "term"));
    double g;
    if (!num_opt("record ae", a, "grade", &g) || !date_opt("record ae", a, "start", &e.start) ||
        !date_opt("record ae", a, "end", &e.end))
        return LT_EXIT_USAGE;
    if (g != floor(g) || g < 1 || g > 5)
        return lt_cli_usage_error("record ae", "--grade: expected 1 to 5, found '%s'",
                                  get(a, "grade"));
    e.grade = (int)g;
    e.serious = has(a, "serious");
    if (has(a, "related") && !lt_relatedness_parse(get(a, "related"), &e.related))
        return lt_cli_usage_error("record ae", "--related: expected not_related, unlikely, "
                                               "possible, probable or definite, found '%s'",
                                  get(a, "related"));
    if (has(a, "specify")) snprintf(e.verbatim, sizeof e.verbatim, "%s", get(a, "specify"));
    char id[LT_CONDUCT_ID_MAX];
    if (lt_conduct_adverse_event(c, &e, get(a, "id"), reason, id, err)) {
        if (!strcmp(err->where, "--term")) suggest_term(e.term, err);
        return lt_cli_fail(err);
    }
    /* the term as it was coded (CTCAE's spelling, or the term a synonym maps to) */
    lt_ctcae_terms *t = NULL;
    lt_error ignored;
    const lt_ctcae_term_entry *coded =
        lt_ctcae_terms_load(NULL, &t, &ignored) == LT_OK ? lt_ctcae_terms_find(t, e.term) : NULL;
    printf("%s: adverse event %s recorded (%s, grade %d)\n", p, id, coded ? coded->term : e.term,
           e.grade);
    lt_ctcae_terms_free(t);
    return 0;
}

/* One lesion option: --target ID:ORGAN:MM (longest diameter), --node ID:MM (a target lymph node,
 * short axis) or --non-target ID:ORGAN:STATUS. MM "nm": not measured. buf holds the split
 * text that l points into. */
static int lesion_opt(const char *key, const char *val, char *buf, size_t n, lt_lesion *l)
{
    static const char *const usage[] = {"ID:ORGAN:MM (longest diameter in mm, or nm when not "
                                        "measured), e.g. L1:liver:42",
                                        "ID:MM (short axis in mm, or nm), e.g. N1:18",
                                        "ID:ORGAN:STATUS with STATUS present, absent, "
                                        "unequivocal_progression or not_evaluated, e.g. "
                                        "B1:bone:present"};
    int kind = !strcmp(key, "target") ? 0 : !strcmp(key, "node") ? 1 : 2;
    if (strlen(val) >= n)
        return lt_cli_usage_error("record assessment", "--%s: expected %s, found %zu characters",
                                  key, usage[kind], strlen(val));
    snprintf(buf, n, "%s", val);
    char *f[3] = {buf, NULL, NULL};
    int nf = 1;
    for (char *q = buf; *q; q++)
        if (*q == ':') {
            *q = '\0';
            if (nf == 3) {
                nf++;
                break;
            }
            f[nf++] = q + 1;
        }
    int want = kind == 1 ? 2 : 3;
    bool ok = nf == want;
    for (int i = 0; ok && i < want; i++)
        ok = *f[i] != '\0';
    if (!ok)
        return lt_cli_usage_error("record assessment", "--%s: expected %s, found '%s'", key,
                                  usage[kind], val);
    memset(l, 0, sizeof *l);
    l->id = f[0];
    l->mm = NAN;
    if (kind == 1) {
        l->organ = "lymph_node";
        l->nodal = l->target = true;
    } else {
        l->organ = f[1];
        l->nodal = !strcmp(f[1], "lymph_node");
        l->target = kind == 0;
    }
    if (kind == 0 && l->nodal)
        return lt_cli_usage_error("record assessment",
                                  "--target: lymph nodes are measured by their short axis: use "
                                  "--node ID:MM, found '%s'",
                                  val);
    if (kind < 2) {
        const char *mm = f[want - 1];
        if (strcmp(mm, "nm") && (!lt_parse_double(mm, &l->mm) || !(l->mm >= 0 && l->mm <= 2000)))
            return lt_cli_usage_error("record assessment", "--%s: expected %s; '%s' is not a "
                                      "diameter from 0 to 2000 mm",
                                      key, usage[kind], mm);
        return 0;
    }
    const char *st = f[2];
    if (!strcmp(st, "unequivocal_progression")) st = "progression";
    for (int i = 0; i < LT_LESION_STATUS_COUNT; i++)
        if (!strcmp(st, lt_lesion_status_name((lt_lesion_status)i))) {
            l->status = (lt_lesion_status)i;
            return 0;
        }
    return lt_cli_usage_error("record assessment", "--non-target: expected %s, found status '%s'",
                              usage[2], f[2]);
}

static int do_assessment(lt_conduct *c, const args *a, const char *p, const char *reason,
                         lt_error *err)
{
    static const char *const known[] = {"date", "modality", "new-lesions", "target", "node",
                                        "non-target", NULL};
    static const char *const req[] = {"date", "modality", NULL};
    int rc = only("record assessment", a, known);
    if (!rc) rc = need("record assessment", a, req);
    if (rc) return rc;
    lt_date d;
    if (!date_opt("record assessment", a, "date", &d)) return LT_EXIT_USAGE;
    lt_lesion les[MAXOPT];
    char text[MAXOPT][256];
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++) {
        const char *k = a->o[i].key;
        if (strcmp(k, "target") && strcmp(k, "node") && strcmp(k, "non-target")) continue;
        if ((rc = lesion_opt(k, a->o[i].val, text[n], sizeof text[n], &les[n]))) return rc;
        n++;
    }
    lt_tumour_assessment ta = {.date = d, .modality = get(a, "modality"), .lesions = les,
                               .nlesions = n, .new_lesions = has(a, "new-lesions")};
    lt_recist_result res;
    if (lt_conduct_tumour(c, p, &ta, reason, &res, err)) return lt_cli_fail(err);
    printf("%s: %s assessment on %s recorded", p, get(a, "modality"), get(a, "date"));
    if (n || ta.new_lesions) {
        /* the first scan is the reference the responses are measured from, not a response */
        printf(" (RECIST 1.1: %s", res.baseline ? "baseline" : lt_recist_response_name(res.overall));
        if (isfinite(res.sum)) printf(", sum of target diameters %g mm", res.sum);
        printf(")");
    }
    printf("\n");
    return 0;
}

/* --items: the 30 answers of a QLQ-C30, comma-separated, empty when unanswered. */
static int do_questionnaire(lt_conduct *c, const args *a, const char *p, const char *reason,
                            lt_error *err)
{
    static const char *const known[] = {"date", "instrument", "items", NULL};
    static const char *const req[] = {"date", "items", NULL};
    int rc = only("record questionnaire", a, known);
    if (!rc) rc = need("record questionnaire", a, req);
    if (rc) return rc;
    const char *ins = get(a, "instrument");
    if (ins && strcmp(ins, "qlq_c30"))
        return lt_cli_usage_error("record questionnaire",
                                  "--instrument: expected qlq_c30 (the only instrument scored), "
                                  "found '%s'",
                                  ins);
    lt_questionnaire q;
    memset(&q, 0, sizeof q);
    if (!date_opt("record questionnaire", a, "date", &q.date)) return LT_EXIT_USAGE;
    const char *s = get(a, "items");
    int i = 0;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (i == LT_QLQ_C30_ITEMS)
            return lt_cli_usage_error("record questionnaire",
                                      "--items: expected 30 comma-separated answers, found more");
        int max = i >= 28 ? 7 : 4;
        if (len) {
            char one[32];
            snprintf(one, sizeof one, "%.*s", (int)(len < 31 ? len : 31), s);
            double x;
            if (len > 30 || !lt_parse_double(one, &x) || x != floor(x) || x < 1 || x > max)
                return lt_cli_usage_error("record questionnaire",
                                          "--items: item %d: expected an answer from 1 to %d "
                                          "(or nothing when unanswered), found '%s'",
                                          i + 1, max, one);
            q.items[i] = (int)x;
        }
        i++;
        if (!e) break;
        s = e + 1;
    }
    if (i != LT_QLQ_C30_ITEMS)
        return lt_cli_usage_error("record questionnaire",
                                  "--items: expected 30 comma-separated answers (empty when "
                                  "unanswered), found %d",
                                  i);
    if (lt_conduct_questionnaire(c, p, &q, reason, err)) return lt_cli_fail(err);
    printf("%s: qlq_c30 questionnaire on %s recorded\n", p, get(a, "date"));
    return 0;
}

static int do_event(lt_conduct *c, const args *a, const char *p, const char *reason,
                    lt_error *err)
{
    static const char *const known[] = {"type", "date", "site", "cause", "therapy", "note", NULL};
    static const char *const req[] = {"type", "date", NULL};
    int rc = only("record event", a, known);
    if (!rc) rc = need("record event", a, req);
    if (rc) return rc;
    lt_outcome_event e = {.site = get(a, "site"), .cause = get(a, "cause"),
                          .therapy = get(a, "therapy"), .note = get(a, "note")};
    int t = 0;
    while (t < LT_EVENT_TYPE_COUNT && strcmp(lt_event_type_name((lt_event_type)t), get(a, "type")))
        t++;
    if (t == LT_EVENT_TYPE_COUNT)
        return lt_cli_usage_error("record event", "--type: expected recurrence, progression, "
                                                  "death, next_therapy, lost_to_follow_up or "
                                                  "withdrawal, found '%s'",
                                  get(a, "type"));
    e.type = (lt_event_type)t;
    if (!date_opt("record event", a, "date", &e.date)) return LT_EXIT_USAGE;
    if (lt_conduct_event(c, p, &e, reason, err)) return lt_cli_fail(err);
    printf("%s: %s on %s recorded\n", p, get(a, "type"), get(a, "date"));
    return 0;
}

/* An arm on an oral drug: the decision of the day, without a cycle. */
static int oral_decide(lt_conduct *c, const char *p, lt_date d, bool json, lt_error *err)
{
    lt_oral_decision dec;
    if (lt_conduct_oral_decide(c, p, d, &dec, err)) return lt_cli_fail(err);
    lt_buf b = LT_BUF_INIT;
    if (json) {
        lt_oral_decision_to_json(&dec, &b);
        lt_buf_putc(&b, '\n');
    } else {
        lt_buf_printf(&b, "%s: %s", p, lt_oral_action_name(dec.action));
        if (dec.dose_mg > 0) lt_buf_printf(&b, " %g mg daily", dec.dose_mg);
        lt_buf_printf(&b, "\n  %s\n", dec.reason);
    }
    int rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}

static int do_decide(lt_conduct *c, const args *a, const char *p, bool json, lt_error *err)
{
    static const char *const known[] = {"cycle", "date", NULL};
    static const char *const req[] = {"date", NULL};
    int rc = only("record decide", a, known);
    if (!rc) rc = need("record decide", a, req);
    if (rc) return rc;
    double cy;
    lt_date d;
    if (!num_opt("record decide", a, "cycle", &cy) || !date_opt("record decide", a, "date", &d))
        return LT_EXIT_USAGE;
    if (isnan(cy)) return oral_decide(c, p, d, json, err);
    if (cy != floor(cy) || cy < 1 || cy > LT_DOSE_MAX_CYCLES)
        return lt_cli_usage_error("record decide", "--cycle: expected 1 to %d, found '%s'",
                                  LT_DOSE_MAX_CYCLES, get(a, "cycle"));
    lt_dosemod_decision dec;
    if (lt_conduct_decide(c, p, (int)cy, d, &dec, err)) return lt_cli_fail(err);
    lt_buf b = LT_BUF_INIT;
    if (json) {
        lt_dosemod_decision_to_json(&dec, &b);
        lt_buf_putc(&b, '\n');
    } else {
        lt_buf_printf(&b, "%s cycle %d: %s", p, (int)cy, lt_dose_action_name(dec.action));
        if (dec.activity_mbq > 0) lt_buf_printf(&b, " %.0f MBq", dec.activity_mbq);
        if (dec.delay_days > 0) lt_buf_printf(&b, " (delay %d days)", dec.delay_days);
        lt_buf_putc(&b, '\n');
        for (size_t i = 0; i < dec.nreasons; i++)
            lt_buf_printf(&b, "  %s: %s\n", dec.reasons[i].rule, dec.reasons[i].text);
    }
    rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}

/* A count of tablets: a whole number from 0 to 10000 (the library checks the sense). */
static bool count_opt(const char *verb, const args *a, const char *key, long *out)
{
    double x;
    if (!num_opt(verb, a, key, &x)) return false;
    if (isnan(x)) {
        *out = 0;
        return true;
    }
    if (x == floor(x) && x >= 0 && x <= 10000) {
        *out = (long)x;
        return true;
    }
    lt_cli_usage_error(verb, "--%s: expected a whole number of tablets from 0 to 10000, found "
                             "'%s'",
                       key, get(a, key));
    return false;
}

static int oral_show(lt_conduct *c, const args *a, const char *p, bool json, lt_error *err)
{
    static const char *const known[] = {"as-of", NULL};
    int rc = only("record oral show", a, known);
    if (rc) return rc;
    lt_date as_of;
    if (!date_opt("record oral show", a, "as-of", &as_of)) return LT_EXIT_USAGE;
    lt_buf b = LT_BUF_INIT;
    if (lt_conduct_oral_show(c, p, as_of, &b, err)) {
        lt_buf_free(&b);
        return lt_cli_fail(err);
    }
    if (json) {
        lt_buf_putc(&b, '\n');
        rc = lt_cli_print_buf(&b);
        lt_buf_free(&b);
        return rc;
    }
    /* the text is a rendering of the same document */
    lt_json *j = NULL;
    if (lt_json_parse(b.p, b.n, "oral", &j, err)) {
        lt_buf_free(&b);
        return lt_cli_fail(err);
    }
    lt_buf t = LT_BUF_INIT;
    const lt_json *st = lt_json_get(j, "state");
    lt_buf_printf(&t, "%s: %s as of %s", p, lt_json_get_str(j, "drug", "?"),
                  lt_json_get_str(j, "as_of", "?"));
    if (lt_json_str(lt_json_get(st, "stopped")))
        lt_buf_printf(&t, ": stopped on %s", lt_json_get_str(st, "stopped", ""));
    else if (lt_json_str(lt_json_get(st, "interrupted_since")))
        lt_buf_printf(&t, ": interrupted since %s", lt_json_get_str(st, "interrupted_since", ""));
    else if (lt_json_str(lt_json_get(st, "started")))
        lt_buf_printf(&t, ": %g mg daily since the start on %s",
                      lt_json_get_num(st, "daily_dose_mg", 0), lt_json_get_str(st, "started", ""));
    else
        lt_buf_puts(&t, ": not started");
    lt_buf_puts(&t, "\n\nperiod (dispensed .. to)     days  interr  strength  dispensed  returned  "
                    "lost  taken  prescribed  compliance\n");
    for (const lt_json *q = lt_json_first(lt_json_get(j, "periods")); q; q = lt_json_next(q)) {
        double cpl = NAN;
        lt_json_num(lt_json_get(q, "compliance"), &cpl);
        char ret[16] = "-", lost[16] = "-", taken[16] = "-", pc[16] = "-";
        if (lt_json_is_number(lt_json_get(q, "returned"))) {
            snprintf(ret, sizeof ret, "%g", lt_json_get_num(q, "returned", 0));
            snprintf(lost, sizeof lost, "%g", lt_json_get_num(q, "lost", 0));
            snprintf(taken, sizeof taken, "%g", lt_json_get_num(q, "taken", 0));
        }
        if (isfinite(cpl)) snprintf(pc, sizeof pc, "%.1f%%", 100 * cpl);
        lt_buf_printf(&t, "%s .. %s  %4g  %6g  %5g mg  %9g  %8s  %4s  %5s  %10g  %10s\n",
                      lt_json_get_str(q, "dispensed_on", "?"), lt_json_get_str(q, "to", "?"),
                      lt_json_get_num(q, "days", 0), lt_json_get_num(q, "interruption_days", 0),
                      lt_json_get_num(q, "strength_mg", 0), lt_json_get_num(q, "dispensed", 0),
                      ret, lost, taken, lt_json_get_num(q, "prescribed", 0), pc);
    }
    lt_json_free(j);
    lt_buf_free(&b);
    rc = lt_cli_print_buf(&t);
    lt_buf_free(&t);
    return rc;
}

/* `record oral WHAT`: one oral-drug record (or `show`). */
static int do_oral(lt_conduct *c, const char *sub, const args *a, const char *p,
                   const char *reason, bool json, lt_error *err)
{
    if (!strcmp(sub, "show")) return oral_show(c, a, p, json, err);
    lt_conduct_oral in;
    memset(&in, 0, sizeof in);
    if (!lt_oral_event_parse(sub, &in.type))
        return lt_cli_usage_error("record oral", "expected start, dose, interrupt, resume, stop, "
                                                 "dispense, return or show, found '%s'",
                                  sub);
    static const char *const known[LT_ORAL_EVENT_COUNT][5] = {
        [LT_ORAL_EV_START] = {"date", "dose", NULL},
        [LT_ORAL_EV_DOSE] = {"date", "dose", "cause", NULL},
        [LT_ORAL_EV_INTERRUPT] = {"date", "cause", "toxicity", "grade", NULL},
        [LT_ORAL_EV_RESUME] = {"date", "dose", NULL},
        [LT_ORAL_EV_STOP] = {"date", "cause", NULL},
        [LT_ORAL_EV_DISPENSE] = {"date", "tablets", "strength", NULL},
        [LT_ORAL_EV_RETURN] = {"date", "returned", "lost", NULL},
    };
    static const char *const req[LT_ORAL_EVENT_COUNT][4] = {
        [LT_ORAL_EV_START] = {"date", NULL},
        [LT_ORAL_EV_DOSE] = {"date", "dose", "cause", NULL},
        [LT_ORAL_EV_INTERRUPT] = {"date", "cause", NULL},
        [LT_ORAL_EV_RESUME] = {"date", NULL},
        [LT_ORAL_EV_STOP] = {"date", "cause", NULL},
        [LT_ORAL_EV_DISPENSE] = {"date", "tablets", "strength", NULL},
        [LT_ORAL_EV_RETURN] = {"date", "returned", NULL},
    };
    char verb[48];
    snprintf(verb, sizeof verb, "record oral %s", sub);
    int rc = only(verb, a, known[in.type]);
    if (!rc) rc = once(verb, a);
    if (!rc) rc = need(verb, a, req[in.type]);
    if (rc) return rc;
    double g = NAN;
    if (!date_opt(verb, a, "date", &in.date) || !num_opt(verb, a, "dose", &in.dose_mg) ||
        !num_opt(verb, a, "strength", &in.strength_mg) || !num_opt(verb, a, "grade", &g) ||
        !count_opt(verb, a, "returned", &in.returned) || !count_opt(verb, a, "lost", &in.lost))
        return LT_EXIT_USAGE;
    if (has(a, "tablets")) {
        if (!count_opt(verb, a, "tablets", &in.tablets)) return LT_EXIT_USAGE;
        if (in.tablets < 1)
            return lt_cli_usage_error(verb, "--tablets: expected at least 1 tablet, found '%s'",
                                      get(a, "tablets"));
    }
    if (isnan(in.dose_mg)) in.dose_mg = 0;
    if (has(a, "toxicity") != has(a, "grade"))
        return lt_cli_usage_error(verb, "--toxicity and --grade go together");
    if (has(a, "grade") && (g != floor(g) || g < 1 || g > 4))
        return lt_cli_usage_error(verb, "--grade: expected 1 to 4, found '%s'", get(a, "grade"));
    in.grade = has(a, "grade") ? (int)g : 0;
    in.category = get(a, "toxicity");
    in.cause = get(a, "cause");
    lt_conduct_oral_result res;
    if (lt_conduct_oral_record(c, p, &in, reason, &res, err)) return lt_cli_fail(err);
    lt_buf b = LT_BUF_INIT;
    char ds[LT_DATE_STR_MAX];
    lt_date_format(in.date, ds);
    switch (in.type) {
    case LT_ORAL_EV_START:
    case LT_ORAL_EV_DOSE:
    case LT_ORAL_EV_RESUME:
        lt_buf_printf(&b, "%s: %s on %s, %g mg daily\n", p, sub, ds, res.state.dose_mg);
        break;
    case LT_ORAL_EV_INTERRUPT:
        lt_buf_printf(&b, "%s: interrupted on %s", p, ds);
        if (res.state.category[0])
            lt_buf_printf(&b, " for %s grade %d", res.state.category, res.state.grade);
        lt_buf_putc(&b, '\n');
        break;
    case LT_ORAL_EV_DISPENSE:
        lt_buf_printf(&b, "%s: %ld tablets of %g mg dispensed on %s%s%s\n", p, in.tablets,
                      in.strength_mg, ds, res.visit[0] ? ", visit " : "", res.visit);
        break;
    case LT_ORAL_EV_RETURN:
        lt_buf_printf(&b, "%s: %ld tablets returned and %ld lost on %s\n", p, in.returned,
                      in.lost, ds);
        break;
    default:
        lt_buf_printf(&b, "%s: %s on %s\n", p, sub, ds);
        break;
    }
    rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}

/* An investigator acknowledges an activity above the decision as a deviation (the library
 * refuses other roles). --past-cumulative-limit takes yes|no rather than being a flag. */
static int do_deviation(lt_conduct *c, const args *a, const char *p, const char *reason,
                        lt_error *err)
{
    static const char *const known[] = {"cycle", "activity", "unit", "past-cumulative-limit",
                                        NULL};
    static const char *const req[] = {"cycle", "activity", NULL};
    const char *v = "record deviation";
    int rc = only(v, a, known);
    if (!rc) rc = need(v, a, req);
    if (rc) return rc;
    double cy, mbq;
    if (!num_opt(v, a, "cycle", &cy) ||
        !activity_opt(v, a, "activity", has(a, "unit") ? get(a, "unit") : "MBq", &mbq))
        return LT_EXIT_USAGE;
    if (cy != floor(cy) || cy < 1 || cy > LT_DOSE_MAX_CYCLES)
        return lt_cli_usage_error(v, "--cycle: expected 1 to %d", LT_DOSE_MAX_CYCLES);
    const char *past = has(a, "past-cumulative-limit") ? get(a, "past-cumulative-limit") : "no";
    if (strcmp(past, "yes") && strcmp(past, "no"))
        return lt_cli_usage_error(v, "--past-cumulative-limit: expected yes or no, found '%s'",
                                  past);
    if (lt_conduct_dose_deviation(c, p, (int)cy, mbq, !strcmp(past, "yes"), reason, err))
        return lt_cli_fail(err);
    printf("%s cycle %d: deviation acknowledged up to %.0f MBq%s\n", p, (int)cy, mbq,
           !strcmp(past, "yes") ? ", past the cumulative limit" : "");
    return 0;
}

static int do_admin(lt_conduct *c, const args *a, const char *p, const char *reason, bool json,
                    lt_error *err)
{
    static const char *const known[] = {
        "cycle",    "prescribed",     "before",       "before-at",     "residual",
        "residual-at", "start",       "end",          "unit",          "nuclide",
        "route",    "calibration",    "calibration-at", "amino-start", "amino-end",
        "no-amino", "last-ssa-long",  "no-ssa-long",  "last-ssa-short", "no-ssa-short",
        NULL};
    static const char *const req[] = {"cycle", "prescribed", "before", "before-at", "residual",
                                      "residual-at", "start", "end", NULL};
    const char *v = "record administration";
    int rc = only(v, a, known);
    if (!rc) rc = need(v, a, req);
    if (rc) return rc;
    lt_administration ad;
    lt_administration_init(&ad);
    snprintf(ad.patient, sizeof ad.patient, "%s", p);
    snprintf(ad.nuclide, sizeof ad.nuclide, "%s", has(a, "nuclide") ? get(a, "nuclide") : "Lu-177");
    const char *unit = has(a, "unit") ? get(a, "unit") : "MBq";
    double cy;
    if (!num_opt(v, a, "cycle", &cy)) return LT_EXIT_USAGE;
    if (cy != floor(cy) || cy < 1 || cy > LT_DOSE_MAX_CYCLES)
        return lt_cli_usage_error(v, "--cycle: expected 1 to %d", LT_DOSE_MAX_CYCLES);
    ad.cycle = (int)cy;
    ad.route = LT_ROUTE_INTRAVENOUS;
    if (has(a, "route") && !lt_route_parse(get(a, "route"), &ad.route))
        return lt_cli_usage_error(v, "--route: expected intravenous or intra_arterial");
    if (!activity_opt(v, a, "prescribed", unit, &ad.prescribed_mbq) ||
        !activity_opt(v, a, "before", unit, &ad.before_mbq) ||
        !activity_opt(v, a, "residual", unit, &ad.residual_mbq) ||
        !activity_opt(v, a, "calibration", unit, &ad.calibration_mbq) ||
        !time_opt(v, a, "before-at", &ad.before_time) ||
        !time_opt(v, a, "residual-at", &ad.residual_time) ||
        !time_opt(v, a, "start", &ad.infusion_start) ||
        !time_opt(v, a, "end", &ad.infusion_end) ||
        !time_opt(v, a, "calibration-at", &ad.calibration_time) ||
        !time_opt(v, a, "amino-start", &ad.amino_start) ||
        !time_opt(v, a, "amino-end", &ad.amino_end) ||
        !time_opt(v, a, "last-ssa-long", &ad.last_ssa_long) ||
        !time_opt(v, a, "last-ssa-short", &ad.last_ssa_short))
        return LT_EXIT_USAGE;
    ad.amino_acids = !has(a, "no-amino");
    ad.no_ssa_long = has(a, "no-ssa-long");
    ad.no_ssa_short = has(a, "no-ssa-short");
    for (size_t i = 0; i < a->nacks; i++) {
        char code[LT_DOSE_CODE_MAX];
        const char *eq = strchr(a->acks[i], '=');
        if (!eq || eq == a->acks[i] || !eq[1] || (size_t)(eq - a->acks[i]) >= sizeof code)
            return lt_cli_usage_error(v, "--ack expects CODE=REASON, found '%s'", a->acks[i]);
        snprintf(code, sizeof code, "%.*s", (int)(eq - a->acks[i]), a->acks[i]);
        if (lt_administration_acknowledge(&ad, code, eq + 1, err)) return lt_cli_fail(err);
    }
    lt_administration_result res;
    if (lt_conduct_administer(c, &ad, reason, &res, err)) return lt_cli_fail(err);
    lt_buf b = LT_BUF_INIT;
    if (json) {
        lt_administration_result_to_json(&res, &b);
        lt_buf_putc(&b, '\n');
    } else {
        lt_buf_printf(&b,
                      "%s cycle %d: %.1f MBq administered (before %.1f, residual %.1f MBq at the "
                      "infusion start; %+.1f%% of the prescription)\n",
                      p, ad.cycle, res.administered_mbq, res.before_at_admin_mbq,
                      res.residual_at_admin_mbq, 100 * res.deviation);
        for (size_t i = 0; i < res.nwarnings; i++)
            lt_buf_printf(&b, "  acknowledged %s: %s (%s)\n", res.warnings[i].code,
                          res.warnings[i].message, res.warnings[i].reason);
    }
    rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}

int lt_cmd_record(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(record_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    const char *what = argv[1];
    static const char *const whats[] = {"profile", "anchor", "actual", "lab", "ae", "assessment",
                                        "questionnaire", "event", "decide", "administration",
                                        "deviation", "oral", NULL};
    bool known = false;
    for (const char *const *w = whats; *w; w++)
        known = known || !strcmp(what, *w);
    if (!known) {
        const char *near = lt_cli_nearest(what, whats);
        if (near)
            return lt_cli_usage_error("record", "unknown record kind '%s'; did you mean '%s'?",
                                      what, near);
        return lt_cli_usage_error("record", "unknown record kind '%s'", what);
    }
    /* `record oral WHAT`: the sub-verb comes before the options */
    bool oral = !strcmp(what, "oral");
    if (oral && (argc < 3 || argv[2][0] == '-'))
        return argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))
                   ? (fputs(record_help, stdout), 0)
                   : lt_cli_usage_error("record oral", "expected start, dose, interrupt, resume, "
                                                       "stop, dispense, return or show");
    args a;
    int rc = parse("record", argc, argv, oral ? 3 : 2, &a, record_help);
    if (rc) return rc < 0 ? 0 : rc;
    const char *p = get(&a, "patient");
    if (!p) return lt_cli_usage_error("record", "--patient ID is required");
    lt_trial *t = NULL;
    rc = lt_cli_open_trial(lt_cli_db(get(&a, "db")), lt_cli_user(get(&a, "user")), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_conduct *c = NULL;
    if (lt_conduct_new(t, NULL, &c, &err)) {
        lt_trial_close(t);
        return lt_cli_fail(&err);
    }
    const char *reason = get(&a, "reason");
    bool json = has(&a, "json");
    if (!strcmp(what, "profile"))
        rc = do_profile(c, &a, p, reason, &err);
    else if (!strcmp(what, "anchor"))
        rc = do_anchor(c, &a, p, reason, &err);
    else if (!strcmp(what, "actual"))
        rc = do_actual(c, &a, p, reason, &err);
    else if (!strcmp(what, "lab"))
        rc = do_lab(c, &a, p, reason, json, &err);
    else if (!strcmp(what, "ae"))
        rc = do_ae(c, &a, p, reason, &err);
    else if (!strcmp(what, "assessment"))
        rc = do_assessment(c, &a, p, reason, &err);
    else if (!strcmp(what, "questionnaire"))
        rc = do_questionnaire(c, &a, p, reason, &err);
    else if (!strcmp(what, "event"))
        rc = do_event(c, &a, p, reason, &err);
    else if (!strcmp(what, "decide"))
        rc = do_decide(c, &a, p, json, &err);
    else if (!strcmp(what, "deviation"))
        rc = do_deviation(c, &a, p, reason, &err);
    else if (oral)
        rc = do_oral(c, argv[2], &a, p, reason, json, &err);
    else
        rc = do_admin(c, &a, p, reason, json, &err);
    lt_conduct_free(c);
    lt_trial_close(t);
    return rc;
}

/* ---- reading back from the store ---- */

static const char *outcomes_help =
    "usage: lutetia outcomes [--patient ID] [--db FILE] [--user NAME]\n"
    "\n"
    "Prints the outcomes records of the randomised patients you may read (or of one patient)\n"
    "as the trial store holds them, in the format of docs/outcomes-format.md: what\n"
    "'lutetia schedule --events', 'due --events' and 'endpoints --events' read.\n";

/* Opens the trial and the conduct context for a reading verb. */
static int open_conduct(const args *a, lt_trial **t, lt_conduct **c)
{
    int rc = lt_cli_open_trial_read(lt_cli_db(get(a, "db")), lt_cli_user(get(a, "user")), t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    if (lt_conduct_new(*t, NULL, c, &err)) {
        lt_trial_close(*t);
        return lt_cli_fail(&err);
    }
    return 0;
}

int lt_cmd_outcomes(int argc, char **argv)
{
    args a;
    int rc = parse("outcomes", argc, argv, 1, &a, outcomes_help);
    if (rc) return rc < 0 ? 0 : rc;
    static const char *const known[] = {NULL};
    if ((rc = only("outcomes", &a, known))) return rc;
    lt_trial *t = NULL;
    lt_conduct *c = NULL;
    if ((rc = open_conduct(&a, &t, &c))) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_buf b = LT_BUF_INIT;
    if (lt_conduct_outcomes(c, get(&a, "patient"), &b, NULL, &err))
        rc = lt_cli_fail(&err);
    else
        rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    lt_conduct_free(c);
    lt_trial_close(t);
    return rc;
}

/* `lutetia schedule PATIENT --db FILE [--as-of D] [--json | --ics FILE]` from the store. */
int lt_cli_trial_schedule(int argc, char **argv)
{
    static const char *help =
        "usage: lutetia schedule PATIENT [--as-of D] [--json | --ics FILE] [--db FILE]\n"
        "                        [--user NAME]\n\n"
        "The patient's calendar from the trial store: every entry with its target date and\n"
        "window, recomputed from the actual dates recorded so far; a lab result, tumour\n"
        "assessment or questionnaire recorded inside an entry's window is that entry done.\n"
        "Entries whose window closed before --as-of (default: today) are overdue; deviations\n"
        "are listed.\n";
    const char *patient = NULL;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest) return lt_cli_usage_error("schedule", "out of memory");
    int nrest = 0;
    rest[nrest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-' && (i == 1 || argv[i - 1][0] != '-' || is_flag(argv[i - 1]))) {
            if (patient) {
                free(rest);
                return lt_cli_usage_error("schedule", "one patient at a time");
            }
            patient = argv[i];
        } else {
            rest[nrest++] = argv[i];
        }
    }
    args a;
    int rc = parse("schedule", nrest, rest, 1, &a, help);
    free(rest);
    if (rc) return rc < 0 ? 0 : rc;
    static const char *const known[] = {"as-of", "ics", NULL};
    if ((rc = only("schedule", &a, known))) return rc;
    if (!patient) patient = get(&a, "patient");
    if (!patient) return lt_cli_usage_error("schedule", "the PATIENT id is needed");
    if (has(&a, "json") && has(&a, "ics")) return lt_cli_usage_error("schedule", "choose --json or --ics");
    lt_date as_of;
    if (!date_opt("schedule", &a, "as-of", &as_of)) return LT_EXIT_USAGE;
    lt_trial *t = NULL;
    lt_conduct *c = NULL;
    if ((rc = open_conduct(&a, &t, &c))) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_calendar *cal = NULL;
    lt_buf b = LT_BUF_INIT;
    const lt_protocol *p = lt_trial_protocol(t);
    if (lt_conduct_calendar(c, patient, as_of, &cal, &err)) {
        rc = lt_cli_fail(&err);
    } else if (has(&a, "ics")) {
        lt_calendar_to_ics(cal, lt_protocol_id(p), patient, lt_time_now(), &b);
        if (lt_buf_failed(&b)) {
            lt_error_set(&err, LT_ENOMEM, "", "out of memory");
            rc = lt_cli_fail(&err);
        } else if (lt_file_write(get(&a, "ics"), b.p, b.n, &err)) {
            rc = lt_cli_fail(&err);
        } else {
            size_t n = 0;
            for (size_t i = 0; i < cal->n; i++)
                n += cal->visits[i].status != LT_VISIT_CANCELLED &&
                     cal->visits[i].target != LT_DATE_NONE;
            printf("wrote %zu events to %s\n", n, get(&a, "ics"));
        }
    } else if (has(&a, "json")) {
        lt_calendar_to_json(cal, &b);
        lt_buf_putc(&b, '\n');
        rc = lt_cli_print_buf(&b);
    } else {
        size_t ndev = 0;
        for (size_t i = 0; i < cal->n; i++)
            ndev += cal->visits[i].deviation;
        lt_buf_printf(&b, "%s, patient %s, arm %s: %zu entries, %zu deviation%s", lt_protocol_name(p),
                      patient, cal->arm ? cal->arm : "-", cal->n, ndev, ndev == 1 ? "" : "s");
        char s[LT_DATE_STR_MAX];
        if (cal->stopped_by)
            lt_buf_printf(&b, "; stopped by %s on %s", cal->stopped_by,
                          lt_date_format(cal->stopped, s));
        lt_buf_printf(&b, "\n\n%-16s %-13s %-10s  %-22s  %-10s  %-13s %s\n", "entry", "kind",
                      "target", "window", "actual", "status", "what");
        for (size_t i = 0; i < cal->n; i++) {
            const lt_visit *v = &cal->visits[i];
            char tg[LT_DATE_STR_MAX] = "-", e[LT_DATE_STR_MAX], l[LT_DATE_STR_MAX],
                 ac[LT_DATE_STR_MAX] = "-", w[32] = "-";
            if (v->target != LT_DATE_NONE) {
                lt_date_format(v->target, tg);
                snprintf(w, sizeof w, "%s..%s", lt_date_format(v->earliest, e),
                         lt_date_format(v->latest, l));
            }
            if (v->actual != LT_DATE_NONE) lt_date_format(v->actual, ac);
            lt_buf_printf(&b, "%-16s %-13s %-10s  %-22s  %-10s  %-13s %s%s%s\n", v->id,
                          lt_sched_kind_name(v->kind), tg, w, ac, lt_visit_status_name(v->status),
                          v->label, v->record ? "; by " : "", v->record ? v->record : "");
        }
        if (ndev) lt_buf_puts(&b, "\ndeviations:\n");
        for (size_t i = 0; i < cal->n; i++)
            if (cal->visits[i].deviation)
                lt_buf_printf(&b, "  %s %s: %s\n", cal->visits[i].id,
                              lt_visit_status_name(cal->visits[i].status),
                              cal->visits[i].note ? cal->visits[i].note : "");
        /* what is not a deviation but a coordinator should know: a window moved after
         * randomisation, an entry brought forward, a lab panel */
        bool notes = false;
        for (size_t i = 0; i < cal->n; i++) {
            const lt_visit *v = &cal->visits[i];
            if (v->deviation || !v->note) continue;
            if (!notes) lt_buf_puts(&b, "\nnotes:\n");
            notes = true;
            lt_buf_printf(&b, "  %s %s: %s\n", v->id, lt_visit_status_name(v->status), v->note);
        }
        rc = lt_cli_print_buf(&b);
    }
    lt_buf_free(&b);
    lt_calendar_free(cal);
    lt_conduct_free(c);
    lt_trial_close(t);
    return rc;
}

/* `lutetia due --from D --to D [--site S] [--json] --db FILE` from the store. */
int lt_cli_trial_due(int argc, char **argv)
{
    static const char *help =
        "usage: lutetia due [--from D] [--to D] [--site SITE] [--json] [--db FILE] [--user NAME]\n\n"
        "What each site must do between the two dates for the patients of the trial store you\n"
        "may read: every calendar entry whose window (with any permitted delay) meets the\n"
        "period, and every entry overdue as of --from. --from defaults to today, --to to four\n"
        "weeks from --from.\n";
    args a;
    int rc = parse("due", argc, argv, 1, &a, help);
    if (rc) return rc < 0 ? 0 : rc;
    static const char *const known[] = {"from", "to", "site", NULL};
    if ((rc = only("due", &a, known))) return rc;
    lt_date from, to;
    if (!date_opt("due", &a, "from", &from) || !date_opt("due", &a, "to", &to)) return LT_EXIT_USAGE;
    lt_trial *t = NULL;
    lt_conduct *c = NULL;
    if ((rc = open_conduct(&a, &t, &c))) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_buf b = LT_BUF_INIT;
    if (lt_conduct_due(c, from, to, get(&a, "site"), has(&a, "json"), &b, NULL, &err))
        rc = lt_cli_fail(&err);
    else
        rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    lt_conduct_free(c);
    lt_trial_close(t);
    return rc;
}

/* `lutetia endpoints --endpoint DFS [--cutoff D] [--csv | --json] --db FILE` from the store. */
int lt_cli_trial_endpoints(int argc, char **argv)
{
    static const char *help =
        "usage: lutetia endpoints --endpoint ID [--cutoff D] [--csv | --json] [--db FILE]\n"
        "                         [--user NAME]\n\n"
        "The analysis dataset of the endpoint (DFS, OS, ...) for the randomised patients of the\n"
        "trial store: one row per patient (time in days from the origin, event 1/0, arm,\n"
        "strata). --csv is what 'lutetia analyse km FILE --time time --event event --group arm'\n"
        "reads.\n";
    args a;
    int rc = parse("endpoints", argc, argv, 1, &a, help);
    if (rc) return rc < 0 ? 0 : rc;
    static const char *const known[] = {"endpoint", "cutoff", "csv", NULL};
    static const char *const req[] = {"endpoint", NULL};
    if ((rc = only("endpoints", &a, known)) || (rc = need("endpoints", &a, req))) return rc;
    if (has(&a, "csv") && has(&a, "json")) return lt_cli_usage_error("endpoints", "choose --csv or --json");
    lt_date cutoff;
    if (!date_opt("endpoints", &a, "cutoff", &cutoff)) return LT_EXIT_USAGE;
    lt_trial *t = NULL;
    lt_conduct *c = NULL;
    if ((rc = open_conduct(&a, &t, &c))) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_buf b = LT_BUF_INIT;
    lt_conduct_format f = has(&a, "csv") ? LT_CONDUCT_CSV : has(&a, "json") ? LT_CONDUCT_JSON
                                                                            : LT_CONDUCT_TEXT;
    size_t late = 0;
    if (lt_conduct_endpoint_counted(c, get(&a, "endpoint"), cutoff, f, &b, &late, &err)) {
        rc = lt_cli_fail(&err);
    } else {
        lt_endpoints *e = NULL;
        if (late && lt_endpoints_from_protocol(lt_trial_protocol(t), &e, &err) == LT_OK)
            lt_cli_endpoint_note(late, get(&a, "endpoint"), e);
        lt_endpoints_free(e);
        rc = lt_cli_print_buf(&b);
    }
    lt_buf_free(&b);
    lt_conduct_free(c);
    lt_trial_close(t);
    return rc;
}

/* Whether a schedule, due or endpoints command line is for the trial store: it names neither a
 * protocol file nor an outcomes file (the store holds both). */
bool lt_cli_is_trial_form(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--protocol") || !strcmp(argv[i], "--events") ||
            !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return false;
    return true;
}

/* The dataset of a trial endpoint as survival data (`lutetia analyse ... --endpoint ID`):
 * spec names the columns of the endpoint CSV (time or time_months, event, arm, strata,
 * arm_<ID>). Prints any error; returns 0 or an exit code. */
int lt_cli_trial_surv_data(const char *endpoint, const char *cutoff, const char *db,
                           const char *user, const lt_surv_spec *spec, lt_surv_data **out)
{
    lt_date cut = LT_DATE_NONE;
    if (cutoff && !lt_cli_date_arg("analyse", "--cutoff", cutoff, &cut)) return LT_EXIT_USAGE;
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial_read(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_conduct *c = NULL;
    lt_buf b = LT_BUF_INIT;
    char name[128];
    snprintf(name, sizeof name, "%s (trial store)", endpoint);
    if (lt_conduct_new(t, NULL, &c, &err) ||
        lt_conduct_endpoint(c, endpoint, cut, LT_CONDUCT_CSV, &b, &err) ||
        (lt_buf_failed(&b) && lt_error_set(&err, LT_ENOMEM, "", "out of memory")) ||
        lt_surv_data_parse_csv(b.p, b.n, name, spec, out, &err))
        rc = lt_cli_fail(&err);
    lt_buf_free(&b);
    lt_conduct_free(c);
    lt_trial_close(t);
    return rc;
}
