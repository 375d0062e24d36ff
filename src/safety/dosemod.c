/* The dose-modification rules (data/lutathera-dose-modification.json: the Lutathera label's
 * Table 1 as data) and the decision they give for a due cycle: give the full activity, give
 * the reduced one, withhold, or discontinue, each with the rule and the values behind it.
 * Conditions are three-valued (met, not met, unknown): a missing lab is never read as normal. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../dosing/dosing_internal.h"
#include "lutetia/file.h"
#include "lutetia/safety.h"

typedef enum tri { NO = 0, YES = 1, UNKNOWN = 2 } tri;
typedef enum ckind { C_ALL, C_ANY, C_GRADE, C_LAB, C_CHANGE, C_EVENT } ckind;
typedef enum cop { OP_LT, OP_LE, OP_GT, OP_GE } cop;
typedef enum action { ACT_WITHHOLD, ACT_DISCONTINUE, ACT_NONE } action;

typedef struct cnode {
    ckind kind;
    struct cnode *kids;
    size_t nkids;
    const char *analyte; /* grade, lab, change: a lab concept or "crcl" */
    int min_grade;       /* grade; event */
    cop op;
    double x; /* lab: value or multiple of the ULN; change: percent */
    bool times_uln;
    const char **terms; /* event: terms that count, or (except) that do not */
    size_t nterms;
    bool except, ongoing, related_only;
} cnode;

typedef struct toxicity {
    const char *id, *label;
    action action;
    bool return_to_full;
    cnode when;
} toxicity;

struct lt_dosemod_rules {
    lt_json *root;
    double full_mbq, reduced_mbq;
    int max_delay_days;
    const char *max_delay_label, *recurrence_label;
    toxicity *t;
    size_t n;
};

static void free_node(cnode *c)
{
    for (size_t i = 0; i < c->nkids; i++)
        free_node(&c->kids[i]);
    free(c->kids);
    free(c->terms);
}

void lt_dosemod_free(lt_dosemod_rules *r)
{
    if (!r) return;
    for (size_t i = 0; r->t && i < r->n; i++)
        free_node(&r->t[i].when);
    free(r->t);
    lt_json_free(r->root);
    free(r);
}

static const char *const op_names[] = {"<", "<=", ">", ">="};

static bool parse_op(const char *s, cop *out)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, op_names[i])) {
            *out = (cop)i;
            return true;
        }
    return false;
}

typedef struct parse_ctx {
    const char *text, *source;
    size_t len;
    lt_error *err;
} parse_ctx;

static lt_status bad(parse_ctx *p, const char *path, const char *msg)
{
    char where[LT_ERROR_WHERE_MAX];
    lt__dose_where(where, p->text, p->len, p->source, path);
    lt_error_set(p->err, LT_ESCHEMA, where, "%s", msg);
    return LT_ESCHEMA; /* the constant, so callers (and the analyser) see it is never LT_OK */
}

static lt_status parse_terms(parse_ctx *p, const lt_json *arr, const char *path, cnode *c)
{
    if (!lt_json_is_array(arr)) return bad(p, path, "expected an array of CTCAE terms");
    c->terms = calloc(lt_json_size(arr) + 1, sizeof *c->terms);
    if (!c->terms) return lt_error_set(p->err, LT_ENOMEM, p->source, "out of memory");
    for (const lt_json *s = lt_json_first(arr); s; s = lt_json_next(s)) {
        if (!lt_json_str(s)) return bad(p, path, "expected strings (CTCAE terms)");
        c->terms[c->nterms++] = lt_json_str(s);
    }
    return LT_OK;
}

static lt_status parse_node(parse_ctx *p, const lt_json *v, const char *path, cnode *c)
{
    char sub[LT_ERROR_WHERE_MAX];
    if (!lt_json_is_object(v)) return bad(p, path, "expected a condition object");
    const lt_json *list;
    if ((list = lt_json_get(v, "all")) || (list = lt_json_get(v, "any"))) {
        c->kind = lt_json_get(v, "all") ? C_ALL : C_ANY;
        if (!lt_json_is_array(list) || lt_json_size(list) == 0)
            return bad(p, path, "expected a non-empty array of conditions in all/any");
        c->kids = calloc(lt_json_size(list), sizeof *c->kids);
        if (!c->kids) return lt_error_set(p->err, LT_ENOMEM, p->source, "out of memory");
        size_t i = 0;
        for (const lt_json *k = lt_json_first(list); k; k = lt_json_next(k), i++) {
            snprintf(sub, sizeof sub, "%s.%s[%zu]", path, c->kind == C_ALL ? "all" : "any", i);
            c->nkids = i + 1;
            lt_status st = parse_node(p, k, sub, &c->kids[i]);
            if (st != LT_OK) return st;
        }
        return LT_OK;
    }
    double x;
    if (lt_json_get(v, "grade")) {
        c->kind = C_GRADE;
        c->analyte = lt_json_get_str(v, "grade", NULL);
        if (!c->analyte || !lt_json_num(lt_json_get(v, "min"), &x) || x < 1 || x > 4 ||
            x != floor(x))
            return bad(p, path, "expected {\"grade\": analyte, \"min\": 1 to 4}");
        c->min_grade = (int)x;
        return LT_OK;
    }
    if (lt_json_get(v, "lab")) {
        c->kind = C_LAB;
        c->analyte = lt_json_get_str(v, "lab", NULL);
        const lt_json *val = lt_json_get(v, "value"), *tu = lt_json_get(v, "times_uln");
        if (!c->analyte || !parse_op(lt_json_get_str(v, "op", NULL), &c->op) ||
            (val != NULL) == (tu != NULL) || !lt_json_num(val ? val : tu, &c->x))
            return bad(p, path,
                       "expected {\"lab\": analyte, \"op\": \"<\"|\"<=\"|\">\"|\">=\", and "
                       "\"value\" or \"times_uln\": number}");
        c->times_uln = tu != NULL;
        return LT_OK;
    }
    if (lt_json_get(v, "change")) {
        c->kind = C_CHANGE;
        c->analyte = lt_json_get_str(v, "change", NULL);
        if (!c->analyte || !parse_op(lt_json_get_str(v, "op", NULL), &c->op) ||
            !lt_json_num(lt_json_get(v, "percent"), &c->x))
            return bad(p, path,
                       "expected {\"change\": analyte, \"op\": ..., \"percent\": number} (the "
                       "change from baseline in %)");
        return LT_OK;
    }
    const lt_json *ev = lt_json_get(v, "event");
    if (ev) {
        c->kind = C_EVENT;
        snprintf(sub, sizeof sub, "%s.event", path);
        if (!lt_json_is_object(ev) || !lt_json_num(lt_json_get(ev, "min_grade"), &x) || x < 1 ||
            x > 5)
            return bad(p, sub, "expected {\"min_grade\": 1 to 5, \"terms\" or \"except_terms\"}");
        c->min_grade = (int)x;
        bool b;
        c->ongoing = lt_json_bool(lt_json_get(ev, "ongoing"), &b) ? b : true;
        c->related_only = lt_json_bool(lt_json_get(ev, "related_only"), &b) ? b : false;
        const lt_json *terms = lt_json_get(ev, "terms"), *except = lt_json_get(ev, "except_terms");
        if (terms && except) return bad(p, sub, "give \"terms\" or \"except_terms\", not both");
        c->except = except != NULL;
        snprintf(sub, sizeof sub, "%s.event.%s", path, except ? "except_terms" : "terms");
        if (terms || except) return parse_terms(p, terms ? terms : except, sub, c);
        c->except = true; /* no list: every term counts */
        return LT_OK;
    }
    return bad(p, path, "expected a condition: all, any, grade, lab, change or event");
}

lt_status lt_dosemod_parse(const char *text, size_t len, const char *source, lt_dosemod_rules **out,
                           lt_error *err)
{
    lt_json *root;
    lt_status st = lt_json_parse(text, len, source, &root, err);
    if (st != LT_OK) return st;
    parse_ctx p = {text, source, len, err};
    lt_dosemod_rules *r = calloc(1, sizeof *r);
    if (!r) {
        lt_json_free(root);
        LT_FAIL(err, LT_ENOMEM, source, "out of memory reading the dose-modification rules");
    }
    r->root = root;
    double delay = 0;
    const lt_json *list = lt_json_get(root, "toxicities");
    if (!lt_json_num(lt_json_get(root, "full_activity_mbq"), &r->full_mbq) || !(r->full_mbq > 0))
        st = bad(&p, "full_activity_mbq", "expected a positive activity in MBq");
    else if (!lt_json_num(lt_json_get(root, "reduced_activity_mbq"), &r->reduced_mbq) ||
             !(r->reduced_mbq > 0) || r->reduced_mbq >= r->full_mbq)
        st = bad(&p, "reduced_activity_mbq",
                 "expected a positive activity in MBq below full_activity_mbq");
    else if (!lt_json_num(lt_json_get(root, "max_delay_days"), &delay) || delay < 1 ||
             delay > 3650 || delay != floor(delay))
        st = bad(&p, "max_delay_days", "expected a whole number of days (16 weeks = 112)");
    else if (!lt_json_is_array(list) || lt_json_size(list) == 0)
        st = bad(&p, "toxicities", "expected a non-empty array of toxicities");
    if (st != LT_OK) {
        lt_dosemod_free(r);
        return st;
    }
    r->max_delay_days = (int)delay;
    r->max_delay_label = lt_json_get_str(root, "max_delay_label", "");
    r->recurrence_label = lt_json_get_str(root, "recurrence_label", "");
    r->t = calloc(lt_json_size(list), sizeof *r->t);
    if (!r->t) {
        lt_dosemod_free(r);
        LT_FAIL(err, LT_ENOMEM, source, "out of memory");
    }
    size_t i = 0;
    for (const lt_json *e = lt_json_first(list); e; e = lt_json_next(e), i++) {
        char path[64];
        toxicity *t = &r->t[i];
        r->n = i + 1;
        snprintf(path, sizeof path, "toxicities[%zu]", i);
        t->id = lt_json_get_str(e, "id", NULL);
        t->label = lt_json_get_str(e, "label", "");
        const char *act = lt_json_get_str(e, "action", "");
        bool b;
        t->return_to_full = lt_json_bool(lt_json_get(e, "return_to_full"), &b) ? b : false;
        if (!t->id || !t->id[0] || strlen(t->id) >= LT_DOSEMOD_ID_MAX)
            st = bad(&p, path, "expected a short non-empty \"id\"");
        else if (!strcmp(act, "withhold"))
            t->action = ACT_WITHHOLD;
        else if (!strcmp(act, "discontinue"))
            t->action = ACT_DISCONTINUE;
        else if (!strcmp(act, "none"))
            t->action = ACT_NONE;
        else
            st = bad(&p, path, "expected \"action\": \"withhold\", \"discontinue\" or \"none\"");
        for (size_t k = 0; st == LT_OK && k < i; k++)
            if (!strcmp(r->t[k].id, t->id)) st = bad(&p, path, "this id is listed twice");
        if (st == LT_OK) {
            snprintf(path, sizeof path, "toxicities[%zu].when", i);
            st = parse_node(&p, lt_json_get(e, "when"), path, &t->when);
        }
        if (st != LT_OK) {
            lt_dosemod_free(r);
            return st;
        }
    }
    *out = r;
    return LT_OK;
}

lt_status lt_dosemod_load(const char *path, lt_dosemod_rules **out, lt_error *err)
{
    char used[4096], *text;
    size_t len;
    lt_status st = lt_data_read(path, "lutathera-dose-modification.json", &text, &len, used, sizeof used, err);
    if (st != LT_OK) return st;
    st = lt_dosemod_parse(text, len, used, out, err);
    free(text);
    return st;
}

double lt_dosemod_full_mbq(const lt_dosemod_rules *r)
{
    return r->full_mbq;
}
double lt_dosemod_reduced_mbq(const lt_dosemod_rules *r)
{
    return r->reduced_mbq;
}

static const char *const action_names[] = {"give_full", "give_reduced", "withhold", "discontinue",
                                           "undetermined"};

const char *lt_dose_action_name(lt_dose_action a)
{
    return (unsigned)a <= LT_DOSE_UNDETERMINED ? action_names[a] : "undetermined";
}

bool lt_dose_action_parse(const char *s, lt_dose_action *out)
{
    for (int i = 0; s && i <= LT_DOSE_UNDETERMINED; i++)
        if (!strcmp(s, action_names[i])) {
            *out = (lt_dose_action)i;
            return true;
        }
    return false;
}

void lt_dosemod_input_init(lt_dosemod_input *in)
{
    memset(in, 0, sizeof *in);
    in->decision_date = in->first_due = in->recurred_on = LT_DATE_NONE;
    in->age_years = in->weight_kg = in->baseline_weight_kg = in->baseline_age_years = NAN;
}

/* ---- evaluation -------------------------------------------------------------------------- */

typedef struct eval_ctx {
    const lt_ctcae_table *ctcae;
    const lt_dosemod_input *in;
} eval_ctx;

static const lt_lab *find_lab(const lt_lab *labs, size_t n, const char *analyte)
{
    const lt_lab *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (labs[i].analyte && !strcmp(labs[i].analyte, analyte)) found = &labs[i];
    return found;
}

/* The value of analyte now (baseline false) or at baseline; "crcl" is Cockcroft-Gault from
 * that time's creatinine with the actual weight. Returns NAN and says what is missing. */
static double value_of(const eval_ctx *c, const char *analyte, bool baseline, char *missing,
                       size_t size)
{
    const lt_dosemod_input *in = c->in;
    const lt_lab *labs = baseline ? in->baseline : in->labs;
    size_t n = baseline ? in->nbaseline : in->nlabs;
    const char *when = baseline ? "baseline" : "current";
    if (!strcmp(analyte, "crcl")) {
        const lt_lab *cr = find_lab(labs, n, "creatinine");
        double age =
            baseline && !isnan(in->baseline_age_years) ? in->baseline_age_years : in->age_years;
        double wt =
            baseline && !isnan(in->baseline_weight_kg) ? in->baseline_weight_kg : in->weight_kg;
        double v = lt_crcl_cockcroft_gault(age, wt, in->sex, cr ? cr->value : NAN);
        if (isnan(v))
            snprintf(missing, size,
                     "%s Cockcroft-Gault creatinine clearance needs creatinine%s, age%s, "
                     "weight%s and sex (female or male)%s",
                     when, cr && !isnan(cr->value) ? "" : " (missing)",
                     isnan(age) ? " (missing)" : "", isnan(wt) ? " (missing)" : "",
                     in->sex == LT_SEX_FEMALE || in->sex == LT_SEX_MALE ? "" : " (missing)");
        return v;
    }
    const lt_lab *l = find_lab(labs, n, analyte);
    if (!l || isnan(l->value)) {
        snprintf(missing, size, "no %s %s result", when, analyte);
        return NAN;
    }
    return l->value;
}

/* Both sides rounded to 15 significant digits, as in CTCAE grading (ctcae.c), so that
 * 3 x 1.2 is 3.6 and a fall from 138.88... to 83.33... is exactly -40%. */
static double signif15(double x)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", x);
    return strtod(buf, NULL);
}

static bool compare(double v, cop op, double lim)
{
    v = signif15(v);
    lim = signif15(lim);
    switch (op) {
    case OP_LT:
        return v < lim;
    case OP_LE:
        return v <= lim;
    case OP_GT:
        return v > lim;
    default:
        return v >= lim;
    }
}

static const char *unit_of(const eval_ctx *c, const char *analyte)
{
    if (!strcmp(analyte, "crcl")) return "mL/min";
    const char *u = lt_ctcae_unit(c->ctcae, analyte);
    if (!u) u = lt_units_canonical(analyte);
    return u ? u : "";
}

static tri eval(const eval_ctx *c, const cnode *n, char *ev, size_t size)
{
    const lt_dosemod_input *in = c->in;
    switch (n->kind) {
    case C_ALL:
    case C_ANY: {
        /* every condition that cannot be decided is named, not the first only: the site then
         * sends every missing lab at once instead of one per round */
        bool any_unknown = false;
        char unknowns[LT_GRADE_TEXT_MAX] = "";
        size_t used = 0, uused = 0;
        ev[0] = '\0';
        for (size_t i = 0; i < n->nkids; i++) {
            char sub[LT_GRADE_TEXT_MAX];
            tri t = eval(c, &n->kids[i], sub, sizeof sub);
            if (t == UNKNOWN) {
                if (uused < sizeof unknowns && !strstr(unknowns, sub))
                    uused += (size_t)snprintf(unknowns + uused, sizeof unknowns - uused, "%s%s",
                                              uused ? "; " : "", sub);
                any_unknown = true;
            } else if (n->kind == C_ANY && t == YES) {
                snprintf(ev, size, "%s", sub);
                return YES;
            } else if (n->kind == C_ALL && t == NO) {
                snprintf(ev, size, "%s", sub);
                return NO;
            } else if (n->kind == C_ALL && used < size) {
                used += (size_t)snprintf(ev + used, size - used, "%s%s", used ? " and " : "", sub);
            }
        }
        if (any_unknown) {
            snprintf(ev, size, "%s", unknowns);
            return UNKNOWN;
        }
        if (n->kind == C_ANY) snprintf(ev, size, "none of the conditions holds");
        return n->kind == C_ALL ? YES : NO;
    }
    case C_GRADE: {
        const lt_lab *l = find_lab(in->labs, in->nlabs, n->analyte);
        if (!l || isnan(l->value)) {
            snprintf(ev, size, "no current %s result", n->analyte);
            return UNKNOWN;
        }
        const lt_lab *b = find_lab(in->baseline, in->nbaseline, n->analyte);
        lt_grade_context gc;
        lt_grade_context_init(&gc);
        gc.lln = l->lln;
        gc.uln = l->uln;
        gc.baseline = b ? b->value : NAN;
        lt_grade g;
        if (lt_ctcae_grade(c->ctcae, n->analyte, l->value, &gc, &g, NULL) != LT_OK) {
            snprintf(ev, size, "%s cannot be graded: not in the CTCAE table", n->analyte);
            return UNKNOWN;
        }
        if (g.min_grade >= n->min_grade) {
            snprintf(ev, size, "%s %g %s: CTCAE grade %d (%s; the rule needs grade %d or more)", n->analyte,
                     l->value, unit_of(c, n->analyte), g.min_grade, g.term, n->min_grade);
            return YES;
        }
        if (g.max_grade < n->min_grade) {
            snprintf(ev, size, "%s %g %s: CTCAE grade %s%d, below grade %d", n->analyte, l->value,
                     unit_of(c, n->analyte), g.grade < 0 ? "at most " : "",
                     g.grade < 0 ? g.max_grade : g.grade, n->min_grade);
            return NO;
        }
        snprintf(ev, size, "%s %g %s: %.400s", n->analyte, l->value, unit_of(c, n->analyte),
                 g.reason);
        return UNKNOWN;
    }
    case C_LAB: {
        double v = value_of(c, n->analyte, false, ev, size);
        if (isnan(v)) return UNKNOWN;
        double lim = n->x;
        if (n->times_uln) {
            const lt_lab *l = find_lab(in->labs, in->nlabs, n->analyte);
            if (!l || isnan(l->uln)) {
                snprintf(ev, size, "%s %g %s: its ULN is not given (needed for %s %g x ULN)",
                         n->analyte, v, unit_of(c, n->analyte), op_names[n->op], n->x);
                return UNKNOWN;
            }
            lim = n->x * l->uln;
        }
        bool yes = compare(v, n->op, lim);
        if (n->times_uln)
            snprintf(ev, size, "%s %.4g %s %s%s %g x ULN (%.4g %s)", n->analyte, v,
                     unit_of(c, n->analyte), yes ? "" : "is not ", op_names[n->op], n->x, lim,
                     unit_of(c, n->analyte));
        else
            snprintf(ev, size, "%s %.4g %s %s %g %s", n->analyte, v, yes ? "" : "is not ",
                     op_names[n->op], lim, unit_of(c, n->analyte));
        return yes ? YES : NO;
    }
    case C_CHANGE: {
        double now = value_of(c, n->analyte, false, ev, size);
        if (isnan(now)) return UNKNOWN;
        double base = value_of(c, n->analyte, true, ev, size);
        if (isnan(base)) return UNKNOWN;
        if (!(base > 0)) {
            snprintf(ev, size, "baseline %s is not positive: no change can be computed",
                     n->analyte);
            return UNKNOWN;
        }
        double pct = (now - base) / base * 100.0;
        bool yes = compare(pct, n->op, n->x);
        snprintf(ev, size, "%s %.4g vs baseline %.4g %s: change %+.1f%% %s %+g%%", n->analyte, now,
                 base, unit_of(c, n->analyte), pct, yes ? op_names[n->op] : "is not", n->x);
        return yes ? YES : NO;
    }
    case C_EVENT: {
        for (size_t i = 0; i < in->nevents; i++) {
            const lt_adverse_event *e = &in->events[i];
            bool listed = false;
            for (size_t k = 0; k < n->nterms; k++)
                if (!strcasecmp(n->terms[k], e->term)) listed = true;
            if (listed == n->except) continue;
            if (e->grade < n->min_grade) continue;
            if (n->related_only &&
                (e->related == LT_RELATED_NOT || e->related == LT_RELATED_UNLIKELY))
                continue;
            bool on = n->ongoing ? lt_adverse_event_ongoing(e, in->decision_date)
                                 : e->start != LT_DATE_NONE && e->start <= in->decision_date;
            if (!on) continue;
            char d[LT_DATE_STR_MAX];
            snprintf(ev, size, "adverse event \"%s\" grade %d (%s) from %s", e->term, e->grade,
                     lt_relatedness_name(e->related), lt_date_format(e->start, d));
            return YES;
        }
        snprintf(ev, size, "no adverse event of grade %d or more%s", n->min_grade,
                 n->ongoing ? " ongoing" : "");
        return NO;
    }
    }
    return UNKNOWN;
}

static void add_reason(lt_dosemod_decision *d, const char *rule, const char *fmt, ...)
    LT_PRINTF(3, 4);

static void add_reason(lt_dosemod_decision *d, const char *rule, const char *fmt, ...)
{
    if (d->nreasons >= LT_DOSEMOD_MAX_REASONS) return;
    lt_dosemod_reason *r = &d->reasons[d->nreasons++];
    snprintf(r->rule, sizeof r->rule, "%s", rule);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
}

static bool reduced_for(const lt_dosemod_input *in, const char *id)
{
    for (size_t i = 0; i < in->nreduced_for; i++)
        if (in->reduced_for[i] && !strcmp(in->reduced_for[i], id)) return true;
    return false;
}

lt_status lt_dosemod_decide(const lt_dosemod_rules *rules, const lt_ctcae_table *ctcae,
                            const lt_dosemod_input *in, lt_dosemod_decision *out, lt_error *err)
{
    if (!rules || !ctcae || !in)
        LT_FAIL(err, LT_EINVAL, "", "the dose decision needs its rules, the CTCAE table and input");
    if (in->decision_date == LT_DATE_NONE)
        LT_FAIL(err, LT_EINVAL, "decision_date", "expected the date of the decision");
    lt_date first_due = in->first_due == LT_DATE_NONE ? in->decision_date : in->first_due;
    if (first_due > in->decision_date) {
        char a[LT_DATE_STR_MAX], b[LT_DATE_STR_MAX];
        LT_FAIL(err, LT_EINVAL, "first_due",
                "the cycle was first due %s, after the decision date %s: expected a date on or "
                "before it",
                lt_date_format(first_due, a), lt_date_format(in->decision_date, b));
    }
    lt_dosemod_decision d;
    memset(&d, 0, sizeof d);
    d.delay_days = in->decision_date - first_due;
    eval_ctx c = {ctcae, in};

    const toxicity *discontinue = NULL, *recurrent = NULL;
    bool any_withhold = false;
    const toxicity *unknown[16];
    char unknown_ev[16][LT_GRADE_TEXT_MAX];
    size_t nunknown = 0;
    for (size_t i = 0; i < rules->n; i++) {
        const toxicity *t = &rules->t[i];
        char ev[LT_GRADE_TEXT_MAX];
        tri v = eval(&c, &t->when, ev, sizeof ev);
        if (v == UNKNOWN) {
            if (t->action != ACT_NONE && nunknown < 16) {
                unknown[nunknown] = t;
                snprintf(unknown_ev[nunknown++], LT_GRADE_TEXT_MAX, "%s", ev);
            }
            continue;
        }
        if (v == NO) continue;
        if (t->action == ACT_NONE) {
            add_reason(&d, t->id, "%s: no modification. %s", ev, t->label);
            continue;
        }
        if (d.ntoxic < LT_DOSEMOD_MAX_IDS)
            snprintf(d.toxic[d.ntoxic++], LT_DOSEMOD_ID_MAX, "%s", t->id);
        add_reason(&d, t->id, "%s. %s", ev, t->label);
        if (t->action == ACT_DISCONTINUE) {
            if (!discontinue) discontinue = t;
        } else {
            any_withhold = true;
            /* "recurrence at the reduced dose": the toxicity that led to the reduction (any,
             * when the history does not say which) is back while on the reduced dose */
            if (in->last_dose_reduced && !recurrent &&
                (in->nreduced_for == 0 || reduced_for(in, t->id)))
                recurrent = t;
        }
    }

    if (discontinue) {
        d.action = LT_DOSE_DISCONTINUE;
    } else if (recurrent) {
        d.action = LT_DOSE_DISCONTINUE;
        add_reason(&d, "recurrence", "%s recurred after the last dose was reduced. %s",
                   recurrent->id, rules->recurrence_label);
    } else if (in->last_dose_reduced && in->recurred_for) {
        /* resolved by now, but the reduced dose did result in it: the label's "if the
         * reduced dose does not result in ..." is not met, so no return to full */
        char on[LT_DATE_STR_MAX];
        d.action = LT_DOSE_DISCONTINUE;
        add_reason(&d, "recurrence", "%s was present on %s, after the reduced dose. %s",
                   in->recurred_for,
                   in->recurred_on != LT_DATE_NONE ? lt_date_format(in->recurred_on, on) : "?",
                   rules->recurrence_label);
    } else if ((any_withhold || in->withheld) && d.delay_days >= rules->max_delay_days) {
        d.action = LT_DOSE_DISCONTINUE;
        add_reason(&d, "delay",
                   "the cycle has been delayed %d days (%.1f weeks), reaching the %d-day limit "
                   "%s. %s",
                   d.delay_days, d.delay_days / 7.0, rules->max_delay_days,
                   any_withhold ? "with the toxicity still present" : "while withheld",
                   rules->max_delay_label);
    } else if (any_withhold) {
        d.action = LT_DOSE_WITHHOLD;
    } else if (nunknown > 0) {
        d.action = LT_DOSE_UNDETERMINED;
        for (size_t i = 0; i < nunknown; i++)
            add_reason(&d, unknown[i]->id, "cannot be assessed: %s", unknown_ev[i]);
    } else if (in->withheld) {
        d.action = LT_DOSE_GIVE_REDUCED;
        add_reason(&d, "resume",
                   "the toxicity that withheld this cycle has resolved after %d days: resume at "
                   "the reduced activity (%.0f MBq), as every row of the label's table says",
                   d.delay_days, rules->reduced_mbq);
    } else if (in->last_dose_reduced) {
        bool back = true;
        const char *keep = NULL;
        for (size_t i = 0; i < rules->n; i++) {
            const toxicity *t = &rules->t[i];
            if (t->action == ACT_WITHHOLD && (in->nreduced_for == 0 || reduced_for(in, t->id)) &&
                !t->return_to_full) {
                back = false;
                keep = t->id;
            }
        }
        d.action = back ? LT_DOSE_GIVE_FULL : LT_DOSE_GIVE_REDUCED;
        if (back)
            add_reason(&d, "return_to_full",
                       "the reduced dose did not result in the toxicity again: next dose at the "
                       "full activity (%.0f MBq)",
                       rules->full_mbq);
        else
            add_reason(&d, keep,
                       "the reduced dose continues: the rules for %s do not return to "
                       "the full activity",
                       keep);
    } else {
        d.action = LT_DOSE_GIVE_FULL;
        add_reason(&d, "no_toxicity",
                   "no toxicity of the dose-modification table is present: full activity "
                   "(%.0f MBq)",
                   rules->full_mbq);
    }
    d.activity_mbq = d.action == LT_DOSE_GIVE_FULL      ? rules->full_mbq
                     : d.action == LT_DOSE_GIVE_REDUCED ? rules->reduced_mbq
                                                        : 0.0;
    *out = d;
    return LT_OK;
}

void lt_dosemod_decision_to_json(const lt_dosemod_decision *d, lt_buf *b)
{
    lt_buf_puts(b, "{\"action\":");
    lt_buf_json_str(b, lt_dose_action_name(d->action));
    lt_buf_puts(b, ",\"activity_mbq\":");
    lt_buf_json_num(b, d->activity_mbq);
    lt_buf_printf(b, ",\"delay_days\":%d,\"toxic\":[", d->delay_days);
    for (size_t i = 0; i < d->ntoxic; i++) {
        if (i) lt_buf_putc(b, ',');
        lt_buf_json_str(b, d->toxic[i]);
    }
    lt_buf_puts(b, "],\"reasons\":[");
    for (size_t i = 0; i < d->nreasons; i++) {
        lt_buf_puts(b, i ? ",{\"rule\":" : "{\"rule\":");
        lt_buf_json_str(b, d->reasons[i].rule);
        lt_buf_puts(b, ",\"text\":");
        lt_buf_json_str(b, d->reasons[i].text);
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "]}");
}

lt_status lt_dosemod_decision_from_json(const lt_json *v, const char *source,
                                        lt_dosemod_decision *out, lt_error *err)
{
    const char *src = source ? source : "<record>";
    char where[LT_ERROR_WHERE_MAX];
    if (!lt_json_is_object(v)) LT_FAIL(err, LT_ESCHEMA, src, "expected a decision object");
    lt_dosemod_decision d;
    memset(&d, 0, sizeof d);
    const char *act = lt_json_get_str(v, "action", NULL);
    if (!lt_dose_action_parse(act, &d.action)) {
        snprintf(where, sizeof where, "%s: action", src);
        LT_FAIL(err, LT_ESCHEMA, where,
                "expected give_full, give_reduced, withhold, discontinue or undetermined");
    }
    double delay = 0;
    lt_status st;
    if ((st = lt__dose_get_num(v, "activity_mbq", src, &d.activity_mbq, err)) ||
        (st = lt__dose_get_num(v, "delay_days", src, &delay, err)))
        return st;
    if (isnan(d.activity_mbq) || d.activity_mbq < 0 || !(delay >= 0) || delay > 36500) {
        snprintf(where, sizeof where, "%s: activity_mbq", src);
        LT_FAIL(err, LT_ESCHEMA, where, "expected activity_mbq >= 0 and delay_days >= 0");
    }
    d.delay_days = (int)delay;
    const lt_json *tox = lt_json_get(v, "toxic"), *reasons = lt_json_get(v, "reasons");
    if ((tox && (!lt_json_is_array(tox) || lt_json_size(tox) > LT_DOSEMOD_MAX_IDS)) ||
        (reasons &&
         (!lt_json_is_array(reasons) || lt_json_size(reasons) > LT_DOSEMOD_MAX_REASONS))) {
        snprintf(where, sizeof where, "%s: toxic", src);
        LT_FAIL(err, LT_ESCHEMA, where,
                "expected arrays \"toxic\" (at most %d) and \"reasons\" "
                "(at most %d)",
                LT_DOSEMOD_MAX_IDS, LT_DOSEMOD_MAX_REASONS);
    }
    for (const lt_json *t = lt_json_first(tox); t; t = lt_json_next(t)) {
        const char *s = lt_json_str(t);
        if (!s || strlen(s) >= LT_DOSEMOD_ID_MAX) {
            snprintf(where, sizeof where, "%s: toxic[%zu]", src, d.ntoxic);
            LT_FAIL(err, LT_ESCHEMA, where, "expected a toxicity id");
        }
        snprintf(d.toxic[d.ntoxic++], LT_DOSEMOD_ID_MAX, "%s", s);
    }
    for (const lt_json *r = lt_json_first(reasons); r; r = lt_json_next(r)) {
        char rsrc[LT_ERROR_WHERE_MAX];
        snprintf(rsrc, sizeof rsrc, "%s: reasons[%zu]", src, d.nreasons);
        lt_dosemod_reason *x = &d.reasons[d.nreasons];
        if ((st = lt__dose_get_str(r, "rule", rsrc, x->rule, sizeof x->rule, err)) ||
            (st = lt__dose_get_str(r, "text", rsrc, x->text, sizeof x->text, err)))
            return st;
        d.nreasons++;
    }
    *out = d;
    return LT_OK;
}
