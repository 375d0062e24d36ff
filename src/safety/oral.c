/* An oral drug over a patient's history: where the patient stands on a day (started, dose,
 * interrupted, stopped), the label's decision from the modification table (Afinitor US label,
 * section 2, "Dose modifications for adverse reactions"; Annals of Oncology 2014;25(4):808,
 * Table 1: interrupt until grade <= 1, resume at the same dose or about 50% lower, discontinue
 * on a recurrence at grade 3 or at grade 4), and compliance per dispensing period
 * (tablets taken / tablets the daily dose asked for on the days on drug). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lutetia/oral.h"

static const char *const event_names[LT_ORAL_EVENT_COUNT] = {
    [LT_ORAL_EV_START] = "start",         [LT_ORAL_EV_DOSE] = "dose",
    [LT_ORAL_EV_INTERRUPT] = "interrupt", [LT_ORAL_EV_RESUME] = "resume",
    [LT_ORAL_EV_STOP] = "stop",           [LT_ORAL_EV_DISPENSE] = "dispense",
    [LT_ORAL_EV_RETURN] = "return",
};

static const char *const action_names[LT_ORAL_ACTION_COUNT] = {
    [LT_ORAL_DO_CONTINUE] = "continue",
    [LT_ORAL_DO_INTERRUPT] = "interrupt",
    [LT_ORAL_DO_RESUME_SAME] = "resume_same",
    [LT_ORAL_DO_RESUME_REDUCED] = "resume_reduced",
    [LT_ORAL_DO_DISCONTINUE] = "discontinue",
};

const char *lt_oral_event_name(lt_oral_event_type t)
{
    return (unsigned)t < LT_ORAL_EVENT_COUNT ? event_names[t] : "unknown";
}

bool lt_oral_event_parse(const char *s, lt_oral_event_type *out)
{
    for (int i = 0; s && i < LT_ORAL_EVENT_COUNT; i++)
        if (!strcmp(s, event_names[i])) {
            *out = (lt_oral_event_type)i;
            return true;
        }
    return false;
}

const char *lt_oral_action_name(lt_oral_action a)
{
    return (unsigned)a < LT_ORAL_ACTION_COUNT ? action_names[a] : "unknown";
}

/* ---- replay ---- */

/* An interruption that ended (a resume followed it): what a recurrence is measured against. */
typedef struct episode {
    char category[LT_ORAL_NAME_MAX];
    int grade;
    lt_date from, to;
} episode;

typedef struct replay {
    lt_oral_state st;
    episode *closed;
    size_t nclosed;
} replay;

static lt_status replay_run(const lt_oral_event *ev, size_t n, lt_date day, replay *r,
                            lt_error *err)
{
    memset(r, 0, sizeof *r);
    r->closed = calloc(n + 1, sizeof *r->closed);
    if (!r->closed) LT_FAIL(err, LT_ENOMEM, "", "out of memory replaying the oral-drug history");
    lt_oral_state *s = &r->st;
    char d[LT_DATE_STR_MAX];
    for (size_t i = 0; i < n && ev[i].date <= day; i++) {
        const lt_oral_event *e = &ev[i];
        const char *what = lt_oral_event_name(e->type);
        lt_date_format(e->date, d);
        if (i && e->date < ev[i - 1].date) {
            free(r->closed);
            LT_FAIL(err, LT_EINVAL, "date", "the %s on %s comes before an earlier record", what,
                    d);
        }
        const char *why = NULL;
        if (e->type != LT_ORAL_EV_START && !s->started)
            why = "the drug has not been started";
        else if (e->type == LT_ORAL_EV_START && s->started)
            why = "the drug was started already";
        else if (s->stopped && e->type != LT_ORAL_EV_RETURN)
            why = "the drug was stopped";
        else if ((e->type == LT_ORAL_EV_INTERRUPT || e->type == LT_ORAL_EV_DOSE) && s->interrupted)
            why = "the drug is interrupted";
        else if (e->type == LT_ORAL_EV_RESUME && !s->interrupted)
            why = "the drug is not interrupted";
        if (why) {
            free(r->closed);
            LT_FAIL(err, LT_ESTATE, "date", "a %s on %s cannot be recorded: %s", what, d, why);
        }
        switch (e->type) {
        case LT_ORAL_EV_START:
            s->started = true;
            s->start = e->date;
            s->dose_mg = e->dose_mg;
            break;
        case LT_ORAL_EV_DOSE:
            s->dose_mg = e->dose_mg;
            break;
        case LT_ORAL_EV_INTERRUPT:
            s->interrupted = true;
            s->interrupted_from = e->date;
            snprintf(s->category, sizeof s->category, "%s", e->category);
            s->grade = e->grade;
            break;
        case LT_ORAL_EV_RESUME: {
            episode *ep = &r->closed[r->nclosed++];
            snprintf(ep->category, sizeof ep->category, "%s", s->category);
            ep->grade = s->grade;
            ep->from = s->interrupted_from;
            ep->to = e->date;
            s->interrupted = false;
            s->category[0] = '\0';
            s->grade = 0;
            s->dose_mg = e->dose_mg;
            break;
        }
        case LT_ORAL_EV_STOP:
            s->stopped = true;
            s->stop = e->date;
            break;
        default:
            break;
        }
    }
    return LT_OK;
}

lt_status lt_oral_replay(const lt_oral_event *ev, size_t n, lt_date day, lt_oral_state *out,
                         lt_error *err)
{
    replay r;
    lt_status rc = replay_run(ev, n, day, &r, err);
    if (rc) return rc;
    *out = r.st;
    free(r.closed);
    return LT_OK;
}

/* ---- the decision ---- */

double lt_oral_reduced_dose(const lt_oral_spec *s, double dose_mg)
{
    double unit = s->strengths_mg[0];
    /* the label: "approximately 50% lower than the daily dose previously administered";
     * rounded down to what the smallest tablet can make up, never above the reduction */
    double x = floor(s->reduction_factor * dose_mg / unit + 1e-9) * unit;
    return x + 1e-9 >= s->min_daily_dose_mg ? x : 0;
}

static bool term_in(const char (*list)[LT_ORAL_NAME_MAX], size_t n, const char *t)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(list[i], t)) return true;
    return false;
}

/* The category of a toxicity: the one naming its term (or analyte), else for an adverse event
 * the catch-all ("*"); -1 when none. */
static int category_of(const lt_oral_spec *s, const lt_oral_tox *t)
{
    int any = -1;
    for (size_t i = 0; i < s->ncategories; i++) {
        const lt_oral_category *c = &s->categories[i];
        if (t->lab ? term_in(c->analytes, c->nanalytes, t->term)
                   : term_in(c->terms, c->nterms, t->term))
            return (int)i;
        if (!t->lab && any < 0 && term_in(c->terms, c->nterms, "*")) any = (int)i;
    }
    return any;
}

static int category_index(const lt_oral_spec *s, const char *id)
{
    for (size_t i = 0; i < s->ncategories; i++)
        if (!strcmp(s->categories[i].id, id)) return (int)i;
    return -1;
}

/* The row for a category at a grade: the highest row grade at or below it. */
static const lt_oral_rule *rule_for(const lt_oral_spec *s, int cat, int grade)
{
    const lt_oral_rule *best = NULL;
    for (size_t i = 0; i < s->nrules; i++) {
        const lt_oral_rule *r = &s->rules[i];
        if ((int)r->category == cat && r->grade <= grade && (!best || r->grade > best->grade))
            best = r;
    }
    return best;
}

/* The worst grade of each category on day d. */
static void grades_on(const lt_oral_spec *s, const lt_oral_tox *tox, size_t n, lt_date d,
                      int *g)
{
    for (size_t i = 0; i < s->ncategories; i++)
        g[i] = 0;
    for (size_t i = 0; i < n; i++) {
        const lt_oral_tox *t = &tox[i];
        if (t->start > d || (t->end != LT_DATE_NONE && t->end < d)) continue;
        int c = category_of(s, t);
        if (c >= 0 && t->grade > g[c]) g[c] = t->grade;
    }
}

/* Whether an ended interruption of the category at this grade or above lies before d. */
static bool recurs(const replay *r, const char *cat, int grade, lt_date d)
{
    for (size_t i = 0; i < r->nclosed; i++)
        if (!strcmp(r->closed[i].category, cat) && r->closed[i].grade >= grade &&
            r->closed[i].to <= d)
            return true;
    return false;
}

/* The most severe step the toxicities of day d call for (ties: the first category). */
static lt_oral_step worst_step(const lt_oral_spec *s, const replay *r, const int *g, lt_date d,
                               int *cat, int *grade, bool *rec)
{
    lt_oral_step worst = LT_ORAL_STEP_CONTINUE;
    *cat = -1;
    for (size_t i = 0; i < s->ncategories; i++) {
        if (!g[i]) continue;
        const lt_oral_rule *row = rule_for(s, (int)i, g[i]);
        if (!row) continue;
        bool re = recurs(r, s->categories[i].id, row->grade, d);
        lt_oral_step st = re ? row->recurrence : row->first;
        if (st > worst) {
            worst = st;
            *cat = (int)i;
            *grade = g[i];
            *rec = re;
        }
    }
    if (worst == LT_ORAL_STEP_CONTINUE) *cat = -1;
    return worst;
}

static void decided(lt_oral_decision *o, lt_oral_action a, double dose, const char *cat,
                    int grade, bool rec, lt_oral_step st)
{
    o->action = a;
    o->dose_mg = dose;
    snprintf(o->category, sizeof o->category, "%s", cat ? cat : "");
    o->grade = grade;
    o->recurrence = rec;
    o->step = st;
}

lt_status lt_oral_decide(const lt_oral_spec *s, const lt_oral_event *ev, size_t nev,
                         const lt_oral_tox *tox, size_t ntox, lt_date d, lt_oral_decision *out,
                         lt_error *err)
{
    replay r;
    lt_status rc = replay_run(ev, nev, d, &r, err);
    if (rc) return rc;
    const lt_oral_state *st = &r.st;
    char ds[LT_DATE_STR_MAX];
    if (!st->started || st->stopped) {
        free(r.closed);
        LT_FAIL(err, LT_ESTATE, "date", "%s %s on %s: there is nothing to decide", s->name,
                st->started ? "was stopped" : "has not been started",
                lt_date_format(st->started ? st->stop : d, ds));
    }
    lt_oral_decision o;
    memset(&o, 0, sizeof o);
    int g[LT_ORAL_MAX_CATEGORIES];
    grades_on(s, tox, ntox, d, g);
    int cat = -1, grade = 0;
    bool rec = false;
    lt_oral_step worst = worst_step(s, &r, g, d, &cat, &grade, &rec);
    const char *cname = cat >= 0 ? s->categories[cat].id : NULL;
    if (worst == LT_ORAL_STEP_DISCONTINUE) {
        decided(&o, LT_ORAL_DO_DISCONTINUE, 0, cname, grade, rec, worst);
        snprintf(o.reason, sizeof o.reason, "%s grade %d%s: the table discontinues %s", cname,
                 grade, rec ? ", a recurrence after an interruption for it" : "", s->name);
    } else if (!st->interrupted) {
        if (worst == LT_ORAL_STEP_CONTINUE) {
            decided(&o, LT_ORAL_DO_CONTINUE, st->dose_mg, NULL, 0, false, worst);
            snprintf(o.reason, sizeof o.reason,
                     "no toxicity the table acts on: continue %g mg daily", st->dose_mg);
        } else {
            decided(&o, LT_ORAL_DO_INTERRUPT, 0, cname, grade, rec, worst);
            const lt_oral_rule *row = rule_for(s, cat, grade);
            snprintf(o.reason, sizeof o.reason,
                     "%s grade %d%s: interrupt until grade <= %d, then resume at %s", cname,
                     grade, rec ? " again (a recurrence)" : "", row->resume_grade,
                     worst == LT_ORAL_STEP_RESUME_SAME ? "the same dose" : "a lower dose");
        }
    } else {
        /* interrupted: the interruption's own row says when and at what dose to resume */
        int icat = st->category[0] ? category_index(s, st->category) : -1;
        const lt_oral_rule *row = icat >= 0 ? rule_for(s, icat, st->grade) : NULL;
        bool irec = row && recurs(&r, st->category, row->grade, st->interrupted_from);
        lt_oral_step ist = row ? (irec ? row->recurrence : row->first) : LT_ORAL_STEP_RESUME_SAME;
        int days = d - st->interrupted_from;
        if (row && row->max_interruption_days && days > row->max_interruption_days) {
            decided(&o, LT_ORAL_DO_DISCONTINUE, 0, st->category, st->grade, irec,
                    LT_ORAL_STEP_DISCONTINUE);
            snprintf(o.reason, sizeof o.reason,
                     "%s interrupted %d days for %s grade %d: the table discontinues after %d",
                     s->name, days, st->category, st->grade, row->max_interruption_days);
        } else if (row && g[icat] > row->resume_grade) {
            decided(&o, LT_ORAL_DO_INTERRUPT, 0, st->category, g[icat], irec, ist);
            snprintf(o.reason, sizeof o.reason,
                     "%s is grade %d on %s: stay interrupted until grade <= %d", st->category,
                     g[icat], lt_date_format(d, ds), row->resume_grade);
        } else if (worst != LT_ORAL_STEP_CONTINUE && cat != icat) {
            decided(&o, LT_ORAL_DO_INTERRUPT, 0, cname, grade, rec, worst);
            snprintf(o.reason, sizeof o.reason, "%s grade %d: stay interrupted", cname, grade);
        } else if (ist == LT_ORAL_STEP_RESUME_REDUCED) {
            double x = lt_oral_reduced_dose(s, st->dose_mg);
            if (x <= 0) {
                decided(&o, LT_ORAL_DO_DISCONTINUE, 0, st->category, st->grade, irec,
                        LT_ORAL_STEP_DISCONTINUE);
                snprintf(o.reason, sizeof o.reason,
                         "a reduction from %g mg would fall below %g mg daily: discontinue",
                         st->dose_mg, s->min_daily_dose_mg);
            } else {
                decided(&o, LT_ORAL_DO_RESUME_REDUCED, x, st->category, st->grade, irec, ist);
                snprintf(o.reason, sizeof o.reason,
                         "%s back to grade <= %d: resume about %g%% lower, %g mg daily (was %g)",
                         st->category, row ? row->resume_grade : 1,
                         100 * (1 - s->reduction_factor), x, st->dose_mg);
            }
        } else {
            decided(&o, LT_ORAL_DO_RESUME_SAME, st->dose_mg, st->category, st->grade, irec,
                    LT_ORAL_STEP_RESUME_SAME);
            snprintf(o.reason, sizeof o.reason, "%s%s: resume at the same dose, %g mg daily",
                     st->category[0] ? st->category : "interrupted for another reason",
                     st->category[0] ? " back to the grade the table allows" : "",
                     st->dose_mg);
        }
    }
    free(r.closed);
    *out = o;
    return LT_OK;
}

void lt_oral_decision_to_json(const lt_oral_decision *d, lt_buf *b)
{
    lt_buf_printf(b, "{\"action\":\"%s\",\"dose_mg\":", lt_oral_action_name(d->action));
    if (d->dose_mg > 0)
        lt_buf_json_num(b, d->dose_mg);
    else
        lt_buf_puts(b, "null");
    lt_buf_puts(b, ",\"category\":");
    if (d->category[0])
        lt_buf_json_str(b, d->category);
    else
        lt_buf_puts(b, "null");
    lt_buf_printf(b, ",\"grade\":%d,\"recurrence\":%s,\"step\":\"%s\",\"reason\":", d->grade,
                  d->recurrence ? "true" : "false", lt_oral_step_name(d->step));
    lt_buf_json_str(b, d->reason);
    lt_buf_putc(b, '}');
}

/* ---- compliance ---- */

/* The daily dose taken on day (0 when not on drug), from the events in date order. */
static double dose_on(const lt_oral_event *ev, size_t n, lt_date day)
{
    double dose = 0;
    bool on = false;
    for (size_t i = 0; i < n && ev[i].date <= day; i++) {
        switch (ev[i].type) {
        case LT_ORAL_EV_START:
        case LT_ORAL_EV_RESUME:
        case LT_ORAL_EV_DOSE:
            dose = ev[i].dose_mg;
            on = true;
            break;
        case LT_ORAL_EV_INTERRUPT:
        case LT_ORAL_EV_STOP:
            on = false;
            break;
        default:
            break;
        }
    }
    return on ? dose : 0;
}

lt_status lt_oral_compliance(const lt_oral_event *ev, size_t nev, lt_date as_of,
                             lt_oral_period **out, size_t *n, lt_error *err)
{
    size_t k = 0;
    for (size_t i = 0; i < nev; i++)
        k += ev[i].type == LT_ORAL_EV_DISPENSE;
    lt_oral_period *p = calloc(k + 1, sizeof *p);
    if (!p) LT_FAIL(err, LT_ENOMEM, "", "out of memory computing compliance");
    size_t np = 0;
    for (size_t i = 0; i < nev; i++) {
        const lt_oral_event *e = &ev[i];
        if (e->type == LT_ORAL_EV_DISPENSE) {
            lt_oral_period *q = &p[np++];
            q->dispensed_on = e->date;
            q->strength_mg = e->strength_mg;
            q->dispensed = e->tablets;
            q->compliance = NAN;
        } else if (e->type == LT_ORAL_EV_RETURN) {
            /* a return closes the earliest dispensing still out: the bottle of the period
             * before, also when the new one was recorded first on the same visit */
            lt_oral_period *q = NULL;
            for (size_t j = 0; j < np && !q; j++)
                if (!p[j].returned) q = &p[j];
            char d[LT_DATE_STR_MAX];
            if (!q) {
                free(p);
                LT_FAIL(err, LT_EINVAL, "date",
                        "the return on %s follows no dispensing still out",
                        lt_date_format(e->date, d));
            }
            q->returned = true;
            q->returned_tablets = e->returned;
            q->lost = e->lost;
            q->to = e->date;
        }
    }
    for (size_t j = 0; j < np; j++) {
        lt_oral_period *q = &p[j];
        if (!q->returned)
            q->to = j + 1 < np ? p[j + 1].dispensed_on : as_of + 1;
        if (q->to < q->dispensed_on) q->to = q->dispensed_on;
        q->days = q->to - q->dispensed_on;
        for (lt_date day = q->dispensed_on; day < q->to; day++) {
            double dose = dose_on(ev, nev, day);
            if (dose > 0) {
                q->prescribed += dose / q->strength_mg;
            } else {
                lt_oral_state s;
                if (lt_oral_replay(ev, nev, day, &s, NULL) == LT_OK && s.interrupted)
                    q->interruption_days++;
            }
        }
        if (q->returned) {
            q->taken = q->dispensed - q->returned_tablets - q->lost;
            if (q->prescribed > 0) q->compliance = (double)q->taken / q->prescribed;
        }
    }
    *out = p;
    *n = np;
    return LT_OK;
}

void lt_oral_periods_to_json(const lt_oral_period *p, size_t n, lt_buf *b)
{
    lt_buf_putc(b, '[');
    char d[LT_DATE_STR_MAX], t[LT_DATE_STR_MAX];
    for (size_t i = 0; i < n; i++) {
        const lt_oral_period *q = &p[i];
        lt_buf_printf(b, "%s{\"dispensed_on\":\"%s\",\"to\":\"%s\",\"days\":%d,", i ? "," : "",
                      lt_date_format(q->dispensed_on, d), lt_date_format(q->to, t), q->days);
        lt_buf_puts(b, "\"strength_mg\":");
        lt_buf_json_num(b, q->strength_mg);
        lt_buf_printf(b, ",\"dispensed\":%ld,\"returned\":", q->dispensed);
        if (q->returned)
            lt_buf_printf(b, "%ld,\"lost\":%ld,\"taken\":%ld", q->returned_tablets, q->lost,
                          q->taken);
        else
            lt_buf_puts(b, "null,\"lost\":null,\"taken\":null");
        lt_buf_printf(b, ",\"interruption_days\":%d,\"prescribed\":", q->interruption_days);
        lt_buf_json_num(b, q->prescribed);
        lt_buf_puts(b, ",\"compliance\":");
        if (isfinite(q->compliance))
            lt_buf_json_num(b, round(q->compliance * 10000) / 10000);
        else
            lt_buf_puts(b, "null");
        lt_buf_putc(b, '}');
    }
    lt_buf_putc(b, ']');
}
