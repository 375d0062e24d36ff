/* The eligibility engine: evaluates each criterion's rule tree against a patient's facts in
 * Kleene's three-valued logic (met / not met / unknown), with the reason and the evidence that
 * decided it (ARCHITECTURE.md "Decisions already taken"; docs/protocol-format.md "Rules"). */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "internal.h"
#include "lutetia/file.h"

typedef struct res {
    lt_tri v;
    const char *reason;
} res;

/* Facts sorted by (kind, code), each run in date order, so that a rule finds its facts by
 * binary search instead of scanning a FHIR patient's thousands of observations per rule. */
typedef struct ev {
    const lt_protocol *pr;
    const lt_patient *pt;
    lt_date as_of;
    const lt_screen_options *opt;
    const lt_fact **idx;
    size_t nidx;
    lt_date *anchor_dates; /* per declared anchor, LT_DATE_NONE when missing */
    lt_screening *s;
    lt__ev_list *cur; /* evidence of the criterion being evaluated */
    bool *done;       /* per criterion: evaluated already (sub-items run on demand) */
    bool oom;
} ev;

/* ---- small helpers -------------------------------------------------------------------- */

static res R(lt_tri v, const char *reason)
{
    res r = {v, reason};
    return r;
}

static lt_tri tri_of(lt_rule_value v)
{
    return v == LT_RV_MET ? LT_MET : v == LT_RV_NOT_MET ? LT_NOT_MET : LT_UNKNOWN;
}

static lt_tri tri_and(lt_tri a, lt_tri b)
{
    if (a == LT_NOT_MET || b == LT_NOT_MET) return LT_NOT_MET;
    if (a == LT_UNKNOWN || b == LT_UNKNOWN) return LT_UNKNOWN;
    return LT_MET;
}

static lt_tri tri_not(lt_tri a)
{
    return a == LT_MET ? LT_NOT_MET : a == LT_NOT_MET ? LT_MET : LT_UNKNOWN;
}

static const lt_fact_kind kind_values[] = {
    LT_FACT_LAB,     LT_FACT_VITAL,     LT_FACT_PERFORMANCE, LT_FACT_DIAGNOSIS,  LT_FACT_PROCEDURE,
    LT_FACT_IMAGING, LT_FACT_TREATMENT, LT_FACT_STATUS,      LT_FACT_ATTESTATION};
static const char *const kind_names[] = {"lab",       "vital",     "performance",
                                         "diagnosis", "procedure", "imaging",
                                         "treatment", "status",    "attestation"};

static lt_fact_kind kind_of(const char *name)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (name && !strcmp(name, kind_names[i])) return kind_values[i];
    return LT_FACT_KIND_COUNT;
}

static const char *kind_name(lt_fact_kind k)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (kind_values[i] == k) return kind_names[i];
    return "fact";
}

/* Equality with a relative tolerance, so that a threshold converted between units (80 g/L and
 * 8.0 g/dL) compares equal to the same value written the other way. An infinite operand is
 * near nothing: it is the open end of a bound's interval ("< 50" holds (-inf, 50)), and with
 * the tolerance scaled by it every number would be "near" it, so that "< 50" met ">= 80". */
static bool near(double a, double b)
{
    if (!isfinite(a) || !isfinite(b)) return false;
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return fabs(a - b) <= 1e-9 * (m > 1e-300 ? m : 1e-300);
}

static const char *problem_reason(lt_fact_problem p)
{
    switch (p) {
    case LT_FACT_UNIT_UNKNOWN:
        return "UNIT_UNKNOWN";
    case LT_FACT_NO_VALUE:
        return "NO_VALUE";
    case LT_FACT_NOT_FINAL:
        return "NOT_FINAL";
    case LT_FACT_BAD_DATE:
        return "BAD_DATE";
    case LT_FACT_IMPLAUSIBLE:
        return "IMPLAUSIBLE";
    default:
        return "MISSING";
    }
}

static const char *note(ev *e, const char *fmt, ...) LT_PRINTF(2, 3);
static const char *note(ev *e, const char *fmt, ...)
{
    lt_screening *s = e->s;
    if (s->nnotes == s->capnotes) {
        size_t cap = s->capnotes ? s->capnotes * 2 : 16;
        char **v = realloc(s->notes, cap * sizeof *v);
        if (!v) {
            e->oom = true;
            return NULL;
        }
        s->notes = v;
        s->capnotes = cap;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *d = strdup(buf);
    if (!d) {
        e->oom = true;
        return NULL;
    }
    s->notes[s->nnotes++] = d;
    return d;
}

static lt_evidence *ev_add(ev *e)
{
    lt__ev_list *l = e->cur;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        lt_evidence *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            e->oom = true;
            return NULL;
        }
        l->v = v;
        l->cap = cap;
    }
    lt_evidence *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    x->date = LT_DATE_NONE;
    return x;
}

/* Evidence of a fact, once per criterion (the source string identifies the fact). */
static lt_evidence *ev_fact(ev *e, const lt_fact *f, const char *why)
{
    for (size_t i = 0; i < e->cur->n; i++) {
        lt_evidence *x = &e->cur->v[i];
        if (x->source == f->source && x->concept == f->code && x->date == f->date) {
            if (why && !x->note) x->note = why;
            return x;
        }
    }
    lt_evidence *x = ev_add(e);
    if (!x) return NULL;
    x->concept = f->code;
    x->kind = kind_name(f->kind);
    x->has_value = f->has_value;
    x->value = f->value;
    x->unit = f->unit;
    x->has_given = f->given_unit != NULL || f->has_value;
    x->given_value = f->given_value;
    x->given_unit = f->given_unit;
    x->comparator = f->comparator;
    x->text = f->text;
    x->date = f->date;
    x->source = f->source;
    x->note = why;
    if (!why && f->date != LT_DATE_NONE && f->date_latest != LT_DATE_NONE &&
        f->date_latest > f->date) {
        char a[LT_DATE_STR_MAX], b[LT_DATE_STR_MAX];
        x->note = note(e, "a partial date: on a day from %s to %s", lt_date_format(f->date, a),
                       lt_date_format(f->date_latest, b));
    }
    return x;
}

/* ---- the fact index ------------------------------------------------------------------- */

static int cmp_fact(const void *a, const void *b)
{
    const lt_fact *x = *(const lt_fact *const *)a, *y = *(const lt_fact *const *)b;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    int c = strcmp(x->code ? x->code : "", y->code ? y->code : "");
    if (c) return c;
    /* the patient's order (by date) is kept: pointers into one array compare by position */
    return x < y ? -1 : x > y ? 1 : 0;
}

static bool index_build(ev *e)
{
    e->nidx = e->pt->nfacts;
    e->idx = malloc((e->nidx ? e->nidx : 1) * sizeof *e->idx);
    if (!e->idx) return false;
    for (size_t i = 0; i < e->nidx; i++)
        e->idx[i] = &e->pt->facts[i];
    qsort(e->idx, e->nidx, sizeof *e->idx, cmp_fact);
    return true;
}

/* The facts of kind and code, in date order (unknown dates first). */
static const lt_fact *const *facts_of(const ev *e, lt_fact_kind k, const char *code, size_t *n)
{
    size_t lo = 0, hi = e->nidx;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const lt_fact *f = e->idx[mid];
        int c = f->kind != k ? (f->kind < k ? -1 : 1) : strcmp(f->code ? f->code : "", code);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < e->nidx && e->idx[end]->kind == k &&
           !strcmp(e->idx[end]->code ? e->idx[end]->code : "", code))
        end++;
    *n = end - lo;
    return e->idx + lo;
}

static bool visible(const ev *e, const lt_fact *f)
{
    return f->date == LT_DATE_NONE || f->date <= e->as_of;
}

/* ---- anchors and windows ---------------------------------------------------------------- */

static lt_date add_duration(lt_date d, lt_duration du)
{
    switch (du.unit) {
    case 'w':
        return d + 7 * du.n;
    case 'm':
        return lt_date_add_months(d, du.n);
    case 'y':
        return lt_date_add_months(d, 12 * du.n);
    default:
        return d + du.n;
    }
}

static lt_date anchor_from_facts(const ev *e, const lt_anchor *a)
{
    lt_date best = LT_DATE_NONE;
    for (size_t c = 0; c < a->ncodes; c++) {
        size_t n;
        const lt_fact *const *fs = facts_of(e, kind_of(a->fact_kind), a->codes[c], &n);
        for (size_t i = 0; i < n; i++) {
            const lt_fact *f = fs[i];
            /* an anchor on the end date needs no start date (a course whose start the record
             * lost still ended on its end date); one not yet seen on the as-of date is not used */
            lt_date d = a->end_date && f->end_date != LT_DATE_NONE ? f->end_date : f->date;
            if (d == LT_DATE_NONE || (f->date != LT_DATE_NONE ? f->date : d) > e->as_of) continue;
            if (best == LT_DATE_NONE || (a->first ? d < best : d > best)) best = d;
        }
    }
    return best;
}

static lt_date anchor_date(const ev *e, const char *name)
{
    if (e->opt)
        for (size_t i = 0; i < e->opt->nanchors; i++)
            if (e->opt->anchor_names && !strcmp(e->opt->anchor_names[i], name))
                return e->opt->anchor_dates[i];
    if (!strcmp(name, "as_of") || !strcmp(name, "screening")) return e->as_of;
    /* while screening, randomisation is taken to happen on the as-of date (documented) */
    if (!strcmp(name, "randomisation")) return e->as_of;
    for (size_t i = 0; i < lt_protocol_anchor_count(e->pr); i++)
        if (!strcmp(lt_protocol_anchor(e->pr, i)->name, name)) return e->anchor_dates[i];
    return LT_DATE_NONE;
}

typedef struct span {
    lt_date lo, hi; /* LT_DATE_NONE: open */
    bool lo_in, hi_in;
} span;

/* false when the window's anchor is missing */
static bool window_span(const ev *e, const lt_window *w, span *out, lt_evidence **anchor_ev)
{
    span s = {LT_DATE_NONE, LT_DATE_NONE, true, true};
    if (!w) {
        *out = s;
        return true;
    }
    lt_date a = anchor_date(e, w->anchor);
    if (a == LT_DATE_NONE) return false;
    if (w->has_from) s.lo = add_duration(a, w->from);
    if (w->has_to) s.hi = add_duration(a, w->to);
    s.lo_in = w->from_inclusive;
    s.hi_in = w->to_inclusive;
    (void)anchor_ev;
    *out = s;
    return true;
}

/* Whether the window ended before the as-of date: nothing dated later can fall in it, so a
 * record with results only outside it shows that none was made inside it (a PET "within 12
 * weeks before the resection" once the resection has happened). A window still open on the
 * as-of date (screening labs) may yet receive its result. */
static bool window_closed(const ev *e, const span *s)
{
    return s->hi != LT_DATE_NONE && (s->hi < e->as_of || (s->hi == e->as_of && !s->hi_in));
}

/* "outside the window from 2026-06-18 to 2026-09-10 (exclusive), closed before the as-of date" */
static const char *window_note(ev *e, const span *s)
{
    char lo[LT_DATE_STR_MAX], hi[LT_DATE_STR_MAX];
    return note(e, "outside the window from %s%s to %s%s%s",
                s->lo != LT_DATE_NONE ? lt_date_format(s->lo, lo) : "the start",
                s->lo_in ? "" : " (exclusive)",
                s->hi != LT_DATE_NONE ? lt_date_format(s->hi, hi) : "the as-of date",
                s->hi_in ? "" : " (exclusive)",
                window_closed(e, s) ? ", which closed before the as-of date" : "");
}

static lt_tri in_span(const span *s, lt_date d)
{
    if (d == LT_DATE_NONE) return LT_UNKNOWN;
    if (s->lo != LT_DATE_NONE && (s->lo_in ? d < s->lo : d <= s->lo)) return LT_NOT_MET;
    if (s->hi != LT_DATE_NONE && (s->hi_in ? d > s->hi : d >= s->hi)) return LT_NOT_MET;
    return LT_MET;
}

/* A fact dated only to a month or a year ("2013-04"): it happened on one of its days. */
static bool date_partial(const lt_fact *f)
{
    return f->date != LT_DATE_NONE && f->date_latest != LT_DATE_NONE && f->date_latest > f->date;
}

/* Whether a fact falls in the window: a partial date is in it when all its days are, outside
 * when none is, and unknown when the window's edge cuts through it. */
static lt_tri fact_in_span(const span *s, const lt_fact *f)
{
    lt_tri first = in_span(s, f->date);
    if (!date_partial(f)) return first;
    lt_tri last = in_span(s, f->date_latest);
    if (first == LT_MET && last == LT_MET) return LT_MET;
    bool all_before =
        s->lo != LT_DATE_NONE && (s->lo_in ? f->date_latest < s->lo : f->date_latest <= s->lo);
    bool all_after = s->hi != LT_DATE_NONE && (s->hi_in ? f->date > s->hi : f->date >= s->hi);
    return all_before || all_after ? LT_NOT_MET : LT_UNKNOWN;
}

/* Why a fact the window cannot place is unknown. */
static const char *undated_reason(const lt_fact *f)
{
    return f->problem == LT_FACT_BAD_DATE ? "BAD_DATE"
           : date_partial(f)              ? "DATE_PARTIAL"
                                          : "DATE_UNKNOWN";
}

/* ---- comparisons on intervals -----------------------------------------------------------
 * A result may be a bound ("< 0.3"): it is the interval of values it allows, and a comparison
 * is met when every value in it passes, not met when none does, unknown otherwise. */

typedef struct ival {
    double lo, hi;
    bool lo_open, hi_open;
} ival;

static ival exact(double x)
{
    ival v = {x, x, false, false};
    return v;
}

static ival from_fact(const lt_fact *f)
{
    ival v = exact(f->value);
    switch (f->comparator) {
    case '<':
        v.lo = -INFINITY;
        v.hi_open = true;
        break;
    case 'l':
        v.lo = -INFINITY;
        break;
    case '>':
        v.hi = INFINITY;
        v.lo_open = true;
        break;
    case 'g':
        v.hi = INFINITY;
        break;
    default:
        break;
    }
    return v;
}

static bool lt_(double a, double b)
{
    return a < b && !near(a, b);
}
static bool le_(double a, double b)
{
    return a < b || near(a, b);
}

static lt_tri compare(ival x, lt_cmp_op op, double t)
{
    switch (op) {
    case LT_OP_LT:
        if (lt_(x.hi, t) || (near(x.hi, t) && x.hi_open)) return LT_MET;
        if (le_(t, x.lo)) return LT_NOT_MET;
        return LT_UNKNOWN;
    case LT_OP_LE:
        if (le_(x.hi, t)) return LT_MET;
        if (lt_(t, x.lo) || (near(x.lo, t) && x.lo_open)) return LT_NOT_MET;
        return LT_UNKNOWN;
    case LT_OP_GT:
        if (lt_(t, x.lo) || (near(x.lo, t) && x.lo_open)) return LT_MET;
        if (le_(x.hi, t)) return LT_NOT_MET;
        return LT_UNKNOWN;
    case LT_OP_GE:
        if (le_(t, x.lo)) return LT_MET;
        if (lt_(x.hi, t) || (near(x.hi, t) && x.hi_open)) return LT_NOT_MET;
        return LT_UNKNOWN;
    case LT_OP_EQ:
    case LT_OP_NE: {
        lt_tri eq;
        if (near(x.lo, x.hi) && !x.lo_open && !x.hi_open)
            eq = near(x.lo, t) ? LT_MET : LT_NOT_MET;
        else if (lt_(t, x.lo) || lt_(x.hi, t) || (near(t, x.lo) && x.lo_open) ||
                 (near(t, x.hi) && x.hi_open))
            eq = LT_NOT_MET;
        else
            eq = LT_UNKNOWN;
        return op == LT_OP_EQ ? eq : tri_not(eq);
    }
    }
    return LT_UNKNOWN;
}

/* ---- picking the latest result in a window ---------------------------------------------- */

typedef struct pick {
    const lt_fact *f; /* the deciding fact (first of its day) */
    res r;            /* unknown with a reason when no usable result */
} pick;

/* The latest result of kind/code in the window; two different results on that day, or an
 * unusable one, make it unknown. */
static pick pick_latest(ev *e, lt_fact_kind k, const char *code, const lt_window *w,
                        bool need_value)
{
    pick p = {NULL, {LT_UNKNOWN, "MISSING"}};
    span s;
    if (!window_span(e, w, &s, NULL)) {
        p.r.reason = "ANCHOR_MISSING";
        return p;
    }
    size_t n;
    const lt_fact *const *fs = facts_of(e, k, code, &n);
    bool undated = false, outside = false;
    const char *undated_why = NULL;
    const lt_fact *last = NULL;
    size_t last_i = 0;
    for (size_t i = 0; i < n; i++) {
        const lt_fact *f = fs[i];
        if (!visible(e, f)) continue;
        lt_tri in = fact_in_span(&s, f);
        if (in == LT_UNKNOWN) {
            if (!undated_why) undated_why = undated_reason(f);
            undated = true;
            continue;
        }
        if (in == LT_NOT_MET) {
            outside = true;
            continue;
        }
        last = f;
        last_i = i;
    }
    if (!last) {
        p.r.reason = undated ? undated_why : outside ? "OUT_OF_WINDOW" : "MISSING";
        if (outside) {
            /* a window that closed with only results outside it had none: not met */
            if (!undated && window_closed(e, &s)) p.r.v = LT_NOT_MET;
            /* show the most recent result outside the window */
            for (size_t i = n; i-- > 0;)
                if (visible(e, fs[i]) && fs[i]->date != LT_DATE_NONE) {
                    ev_fact(e, fs[i], window_note(e, &s));
                    break;
                }
        }
        return p;
    }
    /* the day's results, back from last */
    size_t first = last_i;
    while (first > 0 && fs[first - 1]->date == last->date)
        first--;
    const lt_fact *decider = NULL;
    for (size_t i = first; i <= last_i; i++) {
        const lt_fact *f = fs[i];
        ev_fact(e, f, NULL);
        if (f->problem != LT_FACT_OK) {
            p.r.reason = problem_reason(f->problem);
            return p;
        }
        if (need_value && !f->has_value) {
            p.r.reason = "NO_VALUE";
            return p;
        }
        if (!decider) {
            decider = f;
        } else if (need_value
                       ? (!near(f->value, decider->value) || f->comparator != decider->comparator)
                       : f->flag != decider->flag) {
            p.r.reason = "CONFLICTING";
            return p;
        }
    }
    p.f = decider;
    p.r = R(LT_MET, NULL);
    return p;
}

/* ---- leaves ------------------------------------------------------------------------------ */

static void fmt_num(char *buf, size_t cap, double x)
{
    snprintf(buf, cap, "%.4g", x);
}

static res eval_measure(ev *e, const lt_rule *r)
{
    lt_fact_kind k = kind_of(r->fact_kind);
    const char *code = r->codes[0];
    pick p = pick_latest(e, k, code, r->window, true);
    if (!p.f) return p.r;
    const lt_fact *f = p.f;
    /* The readers refuse numbers beyond a double, but a value or a limit can still overflow
     * in conversion (1e308 GBq in MBq): such a number says nothing about the patient. */
    if (!isfinite(f->value) || (f->has_low && !isfinite(f->low)) ||
        (f->has_high && !isfinite(f->high))) {
        ev_fact(e, f, "not a finite number");
        return R(LT_UNKNOWN, "NOT_FINITE");
    }
    ival x = from_fact(f);
    char t1[32], t2[32];
    const char *unit = f->unit ? f->unit : "";
    bool hl = false, hh = false;
    double lo = 0, hi = 0;
    const char *range_from = "the result";
    if (r->mode != LT_MEASURE_VALUE) {
        if (f->has_low || f->has_high) {
            hl = f->has_low;
            hh = f->has_high;
            lo = f->low;
            hi = f->high;
        } else if (lt_protocol_reference_limit(e->pr, code, &hl, &lo, &hh, &hi)) {
            range_from = "the protocol default";
        }
    }
    lt_tri t;
    const char *why = NULL;
    if (r->mode == LT_MEASURE_VALUE) {
        t = compare(x, r->op, r->value);
        fmt_num(t1, sizeof t1, r->value);
        if (r->given_unit && strcmp(r->given_unit, unit))
            why = note(e, "threshold %s %s %s (%g %s)", lt_rule_op_name(r->op), t1, unit,
                       r->given_value, r->given_unit);
        else
            why = note(e, "threshold %s %s%s%s", lt_rule_op_name(r->op), t1, unit[0] ? " " : "",
                       unit);
    } else if (r->mode == LT_MEASURE_ULN || r->mode == LT_MEASURE_LLN) {
        bool u = r->mode == LT_MEASURE_ULN;
        if (u ? !hh : !hl) {
            ev_fact(e, f, u ? "no upper limit of normal" : "no lower limit of normal");
            return R(LT_UNKNOWN, "NO_REFERENCE_LIMIT");
        }
        double lim = u ? hi : lo;
        if (!isfinite(r->multiple * lim)) {
            ev_fact(e, f, "the limit is not a finite number");
            return R(LT_UNKNOWN, "NOT_FINITE");
        }
        t = compare(x, r->op, r->multiple * lim);
        fmt_num(t1, sizeof t1, r->multiple * lim);
        fmt_num(t2, sizeof t2, lim);
        why =
            note(e, "threshold %s %g x %s = %s %s (%s %s %s from %s)", lt_rule_op_name(r->op),
                 r->multiple, u ? "ULN" : "LLN", t1, unit, u ? "ULN" : "LLN", t2, unit, range_from);
    } else {
        if (!hl && !hh) {
            ev_fact(e, f, "no reference range");
            return R(LT_UNKNOWN, "NO_REFERENCE_LIMIT");
        }
        lt_tri above_lo = hl ? compare(x, LT_OP_GE, lo) : LT_MET;
        lt_tri below_hi = hh ? compare(x, LT_OP_LE, hi) : LT_MET;
        t = tri_and(above_lo, below_hi);
        if (!r->in_range) t = tri_not(t);
        fmt_num(t1, sizeof t1, lo);
        fmt_num(t2, sizeof t2, hi);
        why = note(e, "%s range %s..%s %s (from %s)", r->in_range ? "within" : "outside",
                   hl ? t1 : "", hh ? t2 : "", unit, range_from);
    }
    ev_fact(e, f, why);
    return R(t, t == LT_UNKNOWN ? "BOUND_VALUE" : "THRESHOLD");
}

static res eval_age(ev *e, const lt_rule *r, double *age)
{
    if (e->pt->birth_date == LT_DATE_NONE) return R(LT_UNKNOWN, "NO_BIRTH_DATE");
    int years = lt_date_age_years(e->pt->birth_date, e->as_of);
    *age = years;
    if (e->pt->birth_date_latest != LT_DATE_NONE) {
        /* a birth year (or month) only: the age is an interval, which decides a threshold only
         * when it lies wholly on one side of it (18 on a birthday in 1974 is settled; 52 on
         * 2026-06-01 for someone born in 1974 is not) */
        int youngest = lt_date_age_years(e->pt->birth_date_latest, e->as_of);
        char b[LT_DATE_STR_MAX], l[LT_DATE_STR_MAX], a[LT_DATE_STR_MAX];
        lt_evidence *x = r ? ev_add(e) : NULL;
        if (x) {
            x->concept = "age_years";
            x->kind = "derived";
            x->source = e->pt->source;
            x->date = e->as_of;
            x->note = note(e, "born between %s and %s (a partial birth date): %d to %d years old "
                              "on %s",
                           lt_date_format(e->pt->birth_date, b),
                           lt_date_format(e->pt->birth_date_latest, l), youngest, years,
                           lt_date_format(e->as_of, a));
        }
        if (youngest != years) {
            if (!r) return R(LT_UNKNOWN, "BIRTH_DATE_PARTIAL");
            ival v = {youngest, years, false, false};
            lt_tri t = compare(v, r->op, r->value);
            return R(t, t == LT_UNKNOWN ? "BIRTH_DATE_PARTIAL" : "THRESHOLD");
        }
        if (x) {
            x->has_value = true;
            x->value = years;
            x->unit = "years";
        }
        if (!r) return R(LT_MET, NULL);
        return R(compare(exact(years), r->op, r->value), "THRESHOLD");
    }
    if (!r) return R(LT_MET, NULL);
    char b[LT_DATE_STR_MAX], a[LT_DATE_STR_MAX];
    lt_evidence *x = ev_add(e);
    if (x) {
        x->concept = "age_years";
        x->kind = "derived";
        x->has_value = true;
        x->value = years;
        x->unit = "years";
        x->date = e->as_of;
        x->source = e->pt->source;
        x->note = note(e, "born %s, %d years old on %s", lt_date_format(e->pt->birth_date, b),
                       years, lt_date_format(e->as_of, a));
    }
    return R(compare(exact(years), r->op, r->value), "THRESHOLD");
}

/* Measured 24-hour urine clearance when present; otherwise Cockcroft-Gault:
 * CrCl = (140 - age) x weight_kg x (0.85 if female) / (72 x Scr_mg_dL)
 * (Cockcroft & Gault, Nephron 1976;16:31; DOMAIN.md check: 1.09 mg/dL, 55 y, male, 90 kg -> 97). */
static res eval_crcl(ev *e, const lt_rule *r)
{
    pick m = pick_latest(e, LT_FACT_LAB, "creatinine_clearance", r->window, true);
    if (m.f && m.f->comparator == 0) {
        /* a clearance the laboratory computed (LOINC 35591-7 maps with method cockcroft_gault)
         * is not a measured one: say which it is */
        const lt_attr *meth = lt_fact_attr(m.f, "method");
        bool cg = meth && meth->text && !strcmp(meth->text, "cockcroft_gault");
        ev_fact(e, m.f,
                cg ? "Cockcroft-Gault clearance as reported (preferred over recomputing it)"
                   : "measured creatinine clearance (preferred)");
        return R(compare(from_fact(m.f), r->op, r->value), "THRESHOLD");
    }
    pick c = pick_latest(e, LT_FACT_LAB, "creatinine", r->window, true);
    if (!c.f) return c.r;
    if (c.f->comparator || !(c.f->value > 0)) return R(LT_UNKNOWN, "BOUND_VALUE");
    pick w = pick_latest(e, LT_FACT_VITAL, "weight", r->window, true);
    if (!w.f) return w.r;
    double age;
    res a = eval_age(e, NULL, &age);
    if (a.v == LT_UNKNOWN) return a;
    if (e->pt->sex != LT_SEX_FEMALE && e->pt->sex != LT_SEX_MALE)
        return R(LT_UNKNOWN, "SEX_UNKNOWN");
    bool female = e->pt->sex == LT_SEX_FEMALE;
    double crcl = (140.0 - age) * w.f->value * (female ? 0.85 : 1.0) / (72.0 * c.f->value);
    lt_evidence *x = ev_add(e);
    if (x) {
        x->concept = "creatinine_clearance";
        x->kind = "derived";
        x->has_value = true;
        x->value = crcl;
        x->unit = "mL/min";
        x->date = c.f->date;
        x->source = e->pt->source;
        x->note = note(e, "Cockcroft-Gault: (140 - %g) x %g kg%s / (72 x %g mg/dL) = %.1f mL/min",
                       age, w.f->value, female ? " x 0.85" : "", c.f->value, crcl);
    }
    return R(compare(exact(crcl), r->op, r->value), "THRESHOLD");
}

/* The largest total (or count) over any period of length sp starting at a fact's date, as an
 * interval: facts without a usable value or date widen the upper end. */
static ival sliding(const lt_fact *const *fs, size_t n, const bool *use, bool count, lt_duration sp)
{
    double best_lo = 0, best_hi = 0, loose = 0;
    for (size_t i = 0; i < n; i++)
        if (use[i] && (fs[i]->date == LT_DATE_NONE || (!count && !fs[i]->has_value)))
            loose += count ? 1 : INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!use[i] || fs[i]->date == LT_DATE_NONE) continue;
        lt_date end = add_duration(fs[i]->date, sp);
        double lo = 0, hi = 0;
        for (size_t j = i; j < n; j++) {
            if (!use[j] || fs[j]->date == LT_DATE_NONE) continue;
            if (fs[j]->date >= end) break;
            if (count || fs[j]->has_value) {
                lo += count ? 1 : fs[j]->value;
                hi += count ? 1 : fs[j]->value;
            }
        }
        if (lo > best_lo) best_lo = lo;
        if (hi > best_hi) best_hi = hi;
    }
    ival v = {best_lo, best_hi + loose, false, false};
    return v;
}

static res eval_prrt(ev *e, const lt_rule *r, bool count)
{
    size_t n;
    const lt_fact *const *fs = facts_of(e, LT_FACT_TREATMENT, "prrt", &n);
    span s;
    if (!window_span(e, r->window, &s, NULL)) return R(LT_UNKNOWN, "ANCHOR_MISSING");
    bool *use = calloc(n ? n : 1, sizeof *use);
    if (!use) {
        e->oom = true;
        return R(LT_UNKNOWN, "MISSING");
    }
    ival v = exact(0);
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (!visible(e, fs[i])) continue;
        lt_tri in = r->window ? fact_in_span(&s, fs[i]) : LT_MET;
        if (in == LT_NOT_MET) continue;
        use[i] = true;
        used++;
        ev_fact(e, fs[i], NULL);
        if (r->has_span) continue;
        if (in == LT_UNKNOWN || (!count && !fs[i]->has_value)) {
            v.hi = INFINITY;
            continue;
        }
        v.lo += count ? 1 : fs[i]->value;
        if (!isinf(v.hi)) v.hi += count ? 1 : fs[i]->value;
    }
    if (r->has_span) v = sliding(fs, n, use, count, r->span);
    free(use);
    lt_tri t = compare(v, r->op, r->value);
    lt_evidence *x = ev_add(e);
    if (x) {
        x->concept = count ? "prrt_cycles" : "prrt_activity";
        x->kind = "derived";
        x->has_value = v.lo == v.hi;
        x->value = v.lo;
        x->unit = count ? "cycles" : "MBq";
        x->date = e->as_of;
        x->source = e->pt->source;
        char sp[64] = "";
        if (r->has_span)
            snprintf(sp, sizeof sp, " within any %d %s", r->span.n,
                     r->span.unit == 'd'   ? "days"
                     : r->span.unit == 'w' ? "weeks"
                     : r->span.unit == 'm' ? "months"
                                           : "years");
        x->note = isinf(v.hi) || v.hi != v.lo
                      ? note(e, "%zu PRRT record(s); total%s at least %g%s", used, sp, v.lo,
                             count ? " cycles" : " MBq (some without a usable activity or date)")
                      : note(e, "%zu PRRT record(s); largest total%s %g %s", used, sp, v.lo,
                             count ? "cycles" : "MBq");
    }
    return R(t, t == LT_UNKNOWN ? (used ? "NO_VALUE" : "MISSING") : "THRESHOLD");
}

static res eval_derived(ev *e, const lt_rule *r)
{
    const char *name = r->codes[0];
    if (!strcmp(name, "age_years")) {
        double age;
        return eval_age(e, r, &age);
    }
    if (!strcmp(name, "creatinine_clearance")) return eval_crcl(e, r);
    return eval_prrt(e, r, !strcmp(name, "prrt_cycles"));
}

/* status and attestation: the latest yes/no in the window */
static res eval_flag(ev *e, const lt_rule *r, lt_fact_kind k)
{
    bool att = k == LT_FACT_ATTESTATION;
    pick p = pick_latest(e, k, r->codes[0], r->window, false);
    if (!p.f) {
        if (att && !strcmp(p.r.reason, "MISSING")) p.r.reason = "ATTESTATION_MISSING";
        return p.r;
    }
    if (p.f->flag != 0 && p.f->flag != 1)
        return R(LT_UNKNOWN, att ? "ATTESTATION_MISSING" : "MISSING");
    ev_fact(e, p.f, NULL);
    return R(p.f->flag ? LT_MET : LT_NOT_MET, att ? "ATTESTED" : "STATUS");
}

static res eval_sex(ev *e, const lt_rule *r)
{
    const char *s = e->pt->sex == LT_SEX_FEMALE  ? "female"
                    : e->pt->sex == LT_SEX_MALE  ? "male"
                    : e->pt->sex == LT_SEX_OTHER ? "other"
                                                 : NULL;
    lt_evidence *x = ev_add(e);
    if (x) {
        x->concept = "sex";
        x->kind = "demographic";
        x->text = s ? s : "unknown";
        x->source = e->pt->source;
    }
    if (!s) return R(LT_UNKNOWN, "SEX_UNKNOWN");
    for (size_t i = 0; i < r->ncodes; i++)
        if (!strcmp(r->codes[i], s)) return R(LT_MET, "SEX");
    return R(LT_NOT_MET, "SEX");
}

/* ---- per-fact tests (inside a fact rule's match) ----------------------------------------- */

static res eval_on_fact(ev *e, const lt_rule *r, const lt_fact *f);

static res combine(ev *e, const lt_rule *r, const lt_fact *f)
{
    if (r->type == LT_RULE_NOT) {
        res a = f ? eval_on_fact(e, r->kids[0], f) : R(LT_UNKNOWN, NULL);
        return R(tri_not(a.v), a.reason);
    }
    return R(LT_UNKNOWN, NULL);
}

/* An attribute of the fact, or its own text, value or duration ("$text", "$value",
 * "$duration_days": end date - start date, both needed). */
static void attr_value(const lt_fact *f, const char *key, const char **text, double *num,
                       bool *has_num)
{
    *text = NULL;
    *num = 0;
    *has_num = false;
    if (!strcmp(key, "$text")) {
        *text = f->text;
    } else if (!strcmp(key, "$value")) {
        *has_num = f->has_value && f->problem == LT_FACT_OK;
        *num = f->value;
    } else if (!strcmp(key, "$duration_days")) {
        *has_num = f->date != LT_DATE_NONE && f->end_date != LT_DATE_NONE;
        *num = *has_num ? (double)(f->end_date - f->date) : 0;
    } else {
        const lt_attr *a = lt_fact_attr(f, key);
        if (a) {
            *text = a->text;
            *has_num = a->has_num;
            *num = a->num;
        }
    }
    if (!*has_num && *text) *has_num = lt_parse_double(*text, num);
}

static res eval_attr(const lt_rule *r, const lt_fact *f)
{
    const char *text;
    double num;
    bool has_num;
    attr_value(f, r->attr, &text, &num, &has_num);
    if (r->has_cmp) {
        double ref = r->value;
        bool has_ref = true;
        if (r->attr_ref) {
            const char *t2;
            attr_value(f, r->attr_ref, &t2, &ref, &has_ref);
        }
        if (!has_num || !has_ref)
            return R(tri_of(r->if_missing),
                     r->if_missing == LT_RV_UNKNOWN ? "ATTRIBUTE_MISSING" : "ATTRIBUTE");
        lt_tri t = compare(exact(num), r->op, ref);
        return R(t, "ATTRIBUTE");
    }
    if (!text || !text[0])
        return R(tri_of(r->if_missing),
                 r->if_missing == LT_RV_UNKNOWN ? "ATTRIBUTE_MISSING" : "ATTRIBUTE");
    bool found = false;
    for (size_t i = 0; i < r->ncodes && !found; i++)
        found = !strcasecmp(text, r->codes[i]);
    return R(found != r->negate_in ? LT_MET : LT_NOT_MET, "ATTRIBUTE");
}

static res eval_on_fact(ev *e, const lt_rule *r, const lt_fact *f)
{
    res out;
    if (r->type == LT_RULE_ALL || r->type == LT_RULE_ANY) {
        bool all = r->type == LT_RULE_ALL;
        lt_tri acc = all ? LT_MET : LT_NOT_MET;
        const char *why_dec = NULL, *why_unk = NULL, *why_first = NULL;
        for (size_t i = 0; i < r->nkids; i++) {
            res k = eval_on_fact(e, r->kids[i], f);
            if (!why_first) why_first = k.reason;
            if (k.v == (all ? LT_NOT_MET : LT_MET)) {
                acc = k.v;
                if (!why_dec) why_dec = k.reason;
            } else if (k.v == LT_UNKNOWN) {
                if (acc != (all ? LT_NOT_MET : LT_MET)) acc = LT_UNKNOWN;
                if (!why_unk) why_unk = k.reason;
            }
        }
        out = R(acc, why_dec ? why_dec : acc == LT_UNKNOWN ? why_unk : why_first);
    } else if (r->type == LT_RULE_NOT) {
        out = combine(e, r, f);
    } else {
        out = eval_attr(r, f);
    }
    if (r->unless) {
        res u = eval_on_fact(e, r->unless, f);
        lt_tri t = tri_and(out.v, tri_not(u.v));
        out = R(t, t == out.v ? out.reason : u.reason);
    }
    return out;
}

/* ---- fact rules -------------------------------------------------------------------------- */

static bool ended(const ev *e, const lt_fact *f)
{
    if (f->end_date != LT_DATE_NONE && f->end_date < e->as_of) return true;
    const lt_attr *cs = lt_fact_attr(f, "clinical_status");
    return cs && cs->text &&
           (!strcmp(cs->text, "inactive") || !strcmp(cs->text, "resolved") ||
            !strcmp(cs->text, "remission"));
}

static int cmp_by_date(const void *a, const void *b)
{
    const lt_fact *x = *(const lt_fact *const *)a, *y = *(const lt_fact *const *)b;
    if (x->date != y->date) return x->date < y->date ? -1 : 1;
    return x < y ? -1 : x > y ? 1 : 0;
}

static bool unconfirmed(const lt_fact *f)
{
    const lt_attr *v = lt_fact_attr(f, "verification_status");
    return v && v->text &&
           (!strcmp(v->text, "provisional") || !strcmp(v->text, "differential") ||
            !strcmp(v->text, "unconfirmed"));
}

static res eval_fact(ev *e, const lt_rule *r)
{
    lt_fact_kind k = kind_of(r->fact_kind);
    span s;
    if (!window_span(e, r->window, &s, NULL)) return R(LT_UNKNOWN, "ANCHOR_MISSING");
    size_t total = 0;
    for (size_t c = 0; c < r->ncodes; c++) {
        size_t n;
        facts_of(e, k, r->codes[c], &n);
        total += n;
    }
    const lt_fact **fs = malloc((total ? total : 1) * sizeof *fs);
    lt_tri *win = malloc((total ? total : 1) * sizeof *win);
    res *mr = malloc((total ? total : 1) * sizeof *mr);
    if (!fs || !win || !mr) {
        free(fs);
        free(win);
        free(mr);
        e->oom = true;
        return R(LT_UNKNOWN, "MISSING");
    }
    size_t n = 0;
    bool any_visible = false;
    for (size_t c = 0; c < r->ncodes; c++) {
        size_t m;
        const lt_fact *const *cf = facts_of(e, k, r->codes[c], &m);
        for (size_t i = 0; i < m; i++) {
            if (!visible(e, cf[i])) continue;
            if (r->current && ended(e, cf[i])) continue;
            any_visible = true;
            fs[n++] = cf[i];
        }
    }
    if (r->ncodes > 1) qsort(fs, n, sizeof *fs, cmp_by_date);
    /* which facts fall in the window */
    size_t in_count = 0;
    for (size_t i = 0; i < n; i++) {
        const lt_fact *f = fs[i];
        lt_tri w = LT_MET;
        if (r->window) {
            if (!r->end_date || f->end_date != LT_DATE_NONE) {
                /* a treatment ending after the as-of date is still running on it */
                lt_date end = f->end_date > e->as_of ? e->as_of : f->end_date;
                w = r->end_date ? in_span(&s, end) : fact_in_span(&s, f);
            } else {
                /* no end date: ongoing or unknown. Inside if its start is inside; unknown if
                 * it started before the window and may still be running. */
                w = fact_in_span(&s, f);
                if (w == LT_NOT_MET && f->date != LT_DATE_NONE && s.lo != LT_DATE_NONE &&
                    f->date <= s.lo)
                    w = LT_UNKNOWN;
            }
        }
        if (f->problem == LT_FACT_BAD_DATE && r->window) w = LT_UNKNOWN;
        win[i] = w;
        if (w != LT_NOT_MET) in_count++;
    }
    res out;
    if (in_count == 0) {
        /* facts exist, none in a window that has closed: none was made in it, not met, with
         * the latest fact outside as the evidence */
        const lt_fact *outside = NULL;
        for (size_t i = n; i-- > 0 && !outside;)
            if (fs[i]->date != LT_DATE_NONE) outside = fs[i];
        if (outside && r->window) ev_fact(e, outside, window_note(e, &s));
        bool closed = outside && r->window && window_closed(e, &s);
        free(fs);
        free(win);
        free(mr);
        if (r->has_count)
            return R(compare(exact(0), r->op, r->value), any_visible ? "NO_MATCH" : "NO_RECORD");
        if (r->absent == LT_RV_NOT_MET) return R(LT_NOT_MET, "NO_RECORD");
        if (closed) return R(LT_NOT_MET, "OUT_OF_WINDOW");
        return R(LT_UNKNOWN, any_visible ? "OUT_OF_WINDOW" : "MISSING");
    }
    for (size_t i = 0; i < n; i++) {
        if (win[i] == LT_NOT_MET) continue;
        res m = r->match ? eval_on_fact(e, r->match, fs[i]) : R(LT_MET, "FACT_FOUND");
        lt_tri t = tri_and(win[i], m.v);
        const char *why = t == LT_UNKNOWN && m.v != LT_UNKNOWN
                              ? undated_reason(fs[i])
                              : m.reason;
        /* a diagnosis the record itself calls provisional, differential or unconfirmed (FHIR
         * verificationStatus) is no diagnosis to decide on: what it would meet stays unknown */
        if (t == LT_MET && unconfirmed(fs[i])) {
            t = LT_UNKNOWN;
            why = "UNCONFIRMED";
        }
        mr[i] = R(t, why);
    }
    if (r->latest_only) {
        /* the latest dated fact in the window decides; its day's other facts must agree */
        size_t last = n;
        for (size_t i = n; i-- > 0;)
            if (win[i] == LT_MET && fs[i]->date != LT_DATE_NONE) {
                last = i;
                break;
            }
        if (last == n) {
            for (size_t i = 0; i < n; i++)
                if (win[i] != LT_NOT_MET) ev_fact(e, fs[i], "date unknown");
            out = R(LT_UNKNOWN, "DATE_UNKNOWN");
        } else {
            out = mr[last];
            ev_fact(e, fs[last], "latest");
            for (size_t i = last; i-- > 0 && fs[i]->date == fs[last]->date;) {
                if (win[i] != LT_MET) continue;
                ev_fact(e, fs[i], "same day");
                if (mr[i].v != out.v) out = R(LT_UNKNOWN, "CONFLICTING");
            }
            if (out.v == LT_MET)
                out.reason = "FACT_FOUND";
            else if (out.v == LT_NOT_MET)
                out.reason = "NO_MATCH";
        }
    } else if (r->has_count) {
        bool *use = calloc(n ? n : 1, sizeof *use), *maybe = calloc(n ? n : 1, sizeof *maybe);
        ival v = exact(0);
        if (!use || !maybe) {
            e->oom = true;
            out = R(LT_UNKNOWN, "MISSING");
        } else {
            for (size_t i = 0; i < n; i++) {
                if (win[i] == LT_NOT_MET) continue;
                if (mr[i].v == LT_MET) {
                    use[i] = true;
                    ev_fact(e, fs[i], "counted");
                } else if (mr[i].v == LT_UNKNOWN) {
                    maybe[i] = true;
                    ev_fact(e, fs[i], "may count");
                }
            }
            if (r->has_span) {
                ival lo = sliding(fs, n, use, true, r->span);
                for (size_t i = 0; i < n; i++)
                    maybe[i] = maybe[i] || use[i];
                ival hi = sliding(fs, n, maybe, true, r->span);
                v.lo = lo.lo;
                v.hi = hi.hi;
            } else {
                for (size_t i = 0; i < n; i++) {
                    v.lo += use[i];
                    v.hi += use[i] || maybe[i];
                }
            }
            lt_tri t = compare(v, r->op, r->value);
            out = R(t, t == LT_UNKNOWN ? "DATE_UNKNOWN" : "THRESHOLD");
        }
        free(use);
        free(maybe);
    } else {
        size_t shown = 0;
        lt_tri acc = LT_NOT_MET;
        const char *why_unk = NULL;
        for (size_t i = 0; i < n; i++) {
            if (win[i] == LT_NOT_MET) continue;
            if (mr[i].v == LT_MET) {
                acc = LT_MET;
                if (shown++ < 5) ev_fact(e, fs[i], "matches");
            }
        }
        if (acc != LT_MET)
            for (size_t i = 0; i < n; i++) {
                if (win[i] == LT_NOT_MET) continue;
                if (mr[i].v == LT_UNKNOWN) {
                    acc = LT_UNKNOWN;
                    if (!why_unk) why_unk = mr[i].reason;
                    if (shown++ < 5) ev_fact(e, fs[i], "cannot tell");
                } else if (shown++ < 5) {
                    ev_fact(e, fs[i], "does not match");
                }
            }
        out = R(acc, acc == LT_MET ? "FACT_FOUND" : acc == LT_UNKNOWN ? why_unk : "NO_MATCH");
    }
    free(fs);
    free(win);
    free(mr);
    return out;
}

static res eval_criterion(ev *e, size_t i);

/* ---- the tree ---------------------------------------------------------------------------- */

static res eval_rule(ev *e, const lt_rule *r)
{
    res out;
    switch (r->type) {
    case LT_RULE_ALL:
    case LT_RULE_ANY: {
        bool all = r->type == LT_RULE_ALL;
        lt_tri decide = all ? LT_NOT_MET : LT_MET;
        lt_tri acc = all ? LT_MET : LT_NOT_MET;
        const char *why_dec = NULL, *why_unk = NULL, *why_first = NULL;
        for (size_t i = 0; i < r->nkids; i++) {
            res k = eval_rule(e, r->kids[i]); /* every part runs: its evidence is shown */
            /* all met: the last part's reason (the most specific: "pregnant" after "female");
             * any not met: the first part's */
            if (!why_first || all) why_first = k.reason;
            if (k.v == decide) {
                acc = decide;
                if (!why_dec) why_dec = k.reason;
            } else if (k.v == LT_UNKNOWN) {
                if (acc != decide) acc = LT_UNKNOWN;
                if (!why_unk) why_unk = k.reason;
            }
        }
        out = R(acc, acc == decide ? why_dec : acc == LT_UNKNOWN ? why_unk : why_first);
        break;
    }
    case LT_RULE_NOT: {
        res k = eval_rule(e, r->kids[0]);
        out = R(tri_not(k.v), k.reason);
        break;
    }
    case LT_RULE_MEASURE:
        out = eval_measure(e, r);
        break;
    case LT_RULE_DERIVED:
        out = eval_derived(e, r);
        break;
    case LT_RULE_FACT:
        out = eval_fact(e, r);
        break;
    case LT_RULE_STATUS:
        out = eval_flag(e, r, LT_FACT_STATUS);
        break;
    case LT_RULE_ATTESTATION:
        out = eval_flag(e, r, LT_FACT_ATTESTATION);
        break;
    case LT_RULE_SEX:
        out = eval_sex(e, r);
        break;
    case LT_RULE_CRITERION:
        out = eval_criterion(e, r->ref);
        break;
    default:
        out = R(LT_UNKNOWN, "MISSING");
        break;
    }
    if (r->unless) {
        res u = eval_rule(e, r->unless);
        lt_tri t = tri_and(out.v, tri_not(u.v));
        out = R(t, t == out.v ? out.reason : u.reason);
    }
    if (!out.reason) out.reason = "MISSING";
    return out;
}

/* A criterion's result, evaluated once: a parent's rule may ask for a sub-item first. The
 * loader only lets a criterion refer to its own sub-items, written after it, so there is no
 * cycle. */
static res eval_criterion(ev *e, size_t i)
{
    lt_criterion_result *cr = &e->s->results[i];
    if (e->done[i]) return R(cr->status, cr->reason);
    e->done[i] = true;
    const lt_criterion *c = lt_protocol_criterion(e->pr, i);
    lt__ev_list *saved = e->cur;
    e->cur = &e->s->evidence[i];
    res r = eval_rule(e, c->rule);
    e->cur = saved;
    cr->criterion = c;
    cr->id = c->id;
    cr->exclusion = c->exclusion;
    cr->status = r.v;
    cr->reason = r.reason;
    return r;
}

/* ---- the screening ------------------------------------------------------------------------ */

void lt_screening_free(lt_screening *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nresults; i++)
        free(s->evidence[i].v);
    free(s->evidence);
    free(s->results);
    for (size_t i = 0; i < s->nnotes; i++)
        free(s->notes[i]);
    free(s->notes);
    free(s);
}

lt_status lt_screen(const lt_protocol *protocol, const lt_patient *patient,
                    const lt_screen_options *opt, lt_screening **out, lt_error *err)
{
    if (!protocol || !patient || !out)
        LT_FAIL(err, LT_EINVAL, "", "lt_screen: no protocol, patient or output");
    lt_date as_of = opt && opt->as_of != LT_DATE_NONE ? opt->as_of : lt_date_today();
    /* a patient born after the screening date is a wrong date, not a patient aged -3: every
     * age criterion and Cockcroft-Gault would be computed on it */
    if (patient->birth_date != LT_DATE_NONE && patient->birth_date > as_of) {
        char b[LT_DATE_STR_MAX], a[LT_DATE_STR_MAX];
        char where[LT_ERROR_WHERE_MAX];
        snprintf(where, sizeof where, "%.200s: birth_date", patient->source ? patient->source : "");
        LT_FAIL(err, LT_ESCHEMA, where,
                "patient %s: expected a birth date on or before the as-of date %s, found %s",
                patient->id ? patient->id : "?", lt_date_format(as_of, a),
                lt_date_format(patient->birth_date, b));
    }
    lt_screening *s = calloc(1, sizeof *s);
    size_t nc = lt_protocol_criterion_count(protocol);
    ev e = {0};
    e.pr = protocol;
    e.pt = patient;
    e.opt = opt;
    e.as_of = as_of;
    e.s = s;
    size_t na = lt_protocol_anchor_count(protocol);
    if (s) {
        s->results = calloc(nc ? nc : 1, sizeof *s->results);
        s->evidence = calloc(nc ? nc : 1, sizeof *s->evidence);
        e.anchor_dates = malloc((na ? na : 1) * sizeof *e.anchor_dates);
    }
    if (!s || !s->results || !s->evidence || !e.anchor_dates || !index_build(&e)) {
        free(e.anchor_dates);
        free(e.idx);
        lt_screening_free(s);
        LT_FAIL(err, LT_ENOMEM, patient->source ? patient->source : "",
                "out of memory screening %s", patient->id ? patient->id : "a patient");
    }
    s->protocol = protocol;
    s->patient = patient;
    s->as_of = e.as_of;
    for (size_t i = 0; i < na; i++)
        e.anchor_dates[i] = anchor_from_facts(&e, lt_protocol_anchor(protocol, i));
    bool any_unknown = false, excluded = false;
    e.done = calloc(nc ? nc : 1, sizeof *e.done);
    if (!e.done) e.oom = true;
    s->nresults = nc;
    for (size_t i = 0; i < nc && e.done; i++) {
        res r = eval_criterion(&e, i);
        const lt_criterion *c = lt_protocol_criterion(protocol, i);
        if (c->part_of) continue; /* decides through its parent's rule */
        if (r.v == LT_UNKNOWN) any_unknown = true;
        if ((c->exclusion && r.v == LT_MET) || (!c->exclusion && r.v == LT_NOT_MET))
            excluded = true;
    }
    free(e.done);
    for (size_t i = 0; i < s->nresults; i++) {
        s->results[i].evidence = s->evidence[i].v;
        s->results[i].nevidence = s->evidence[i].n;
    }
    free(e.anchor_dates);
    free(e.idx);
    if (e.oom) {
        lt_screening_free(s);
        LT_FAIL(err, LT_ENOMEM, patient->source ? patient->source : "",
                "out of memory screening %s", patient->id ? patient->id : "a patient");
    }
    /* No criterion of a protocol admits a dead patient, whatever the rest of the record says.
     * A death recorded without a date (FHIR deceasedBoolean) counts whatever the as-of date; a
     * dated one only from that day, so that a screening replayed as of earlier still shows
     * what was known then. */
    s->deceased = patient->death_date != LT_DATE_NONE ? patient->death_date <= s->as_of
                                                      : patient->deceased;
    s->verdict = excluded || s->deceased ? LT_VERDICT_INELIGIBLE
                 : any_unknown           ? LT_VERDICT_NEEDS_REVIEW
                                         : LT_VERDICT_ELIGIBLE;
    *out = s;
    return LT_OK;
}

/* ---- stratification ------------------------------------------------------------------------ */

lt_status lt_strat_level(const lt_strat_factor *f, const lt_patient *p, lt_date as_of,
                         const char **level, lt_error *err)
{
    if (!f || !p || !level) LT_FAIL(err, LT_EINVAL, "", "lt_strat_level: bad arguments");
    if (as_of == LT_DATE_NONE) as_of = lt_date_today();
    lt_fact_kind k = kind_of(f->fact_kind);
    size_t n = lt_patient_facts(p, k, f->fact_code, NULL, 0);
    const lt_fact **fs = malloc((n ? n : 1) * sizeof *fs);
    if (!fs) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    lt_patient_facts(p, k, f->fact_code, fs, n);
    const lt_fact *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (fs[i]->date == LT_DATE_NONE || fs[i]->date <= as_of) best = fs[i]; /* date order */
    free(fs);
    if (!best)
        LT_FAIL(err, LT_ESTATE, p->id ? p->id : "",
                "stratification factor %s: no %s '%s' is recorded for patient %s", f->id,
                f->fact_kind, f->fact_code, p->id ? p->id : "?");
    char num[32];
    const char *val = NULL;
    if (!strcmp(f->attr, "$text")) {
        val = best->text;
    } else if (!strcmp(f->attr, "$value")) {
        if (best->has_value) {
            snprintf(num, sizeof num, "%g", best->value);
            val = num;
        }
    } else {
        const lt_attr *a = lt_fact_attr(best, f->attr);
        if (a && a->text) {
            val = a->text;
        } else if (a && a->has_num) {
            snprintf(num, sizeof num, "%g", a->num);
            val = num;
        }
    }
    if (!val)
        LT_FAIL(err, LT_ESTATE, best->source ? best->source : "",
                "stratification factor %s: the %s '%s' has no %s", f->id, f->fact_kind,
                f->fact_code, f->attr);
    for (size_t l = 0; l < f->nlevels; l++)
        for (size_t v = 0; v < f->nvalues[l]; v++)
            if (!strcasecmp(f->values[l][v], val)) {
                *level = f->levels[l];
                return LT_OK;
            }
    LT_FAIL(err, LT_ESTATE, best->source ? best->source : "",
            "stratification factor %s: value \"%s\" gives no level of this factor", f->id, val);
}
