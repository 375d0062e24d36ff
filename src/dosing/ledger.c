/* The cumulative-activity ledger of one patient: prior PRRT from the patient's history plus
 * the trial's own cycles, so that a total limit (NELMAS: 2 x 7.4 = 14.8 GBq; NET RETREAT
 * counts a history of 22.2 or 29.6 GBq) can be checked before the next dose. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dosing_internal.h"

struct lt_ledger {
    char patient[LT_DOSE_ID_MAX];
    lt_ledger_entry *items;
    size_t n, cap;
};

lt_status lt_ledger_new(const char *patient, lt_ledger **out, lt_error *err)
{
    if (patient && strlen(patient) >= LT_DOSE_ID_MAX)
        LT_FAIL(err, LT_EINVAL, "patient", "the patient id is longer than %d characters",
                LT_DOSE_ID_MAX - 1);
    lt_ledger *l = calloc(1, sizeof *l);
    if (!l) LT_FAIL(err, LT_ENOMEM, "", "out of memory creating a ledger");
    snprintf(l->patient, sizeof l->patient, "%s", patient ? patient : "");
    *out = l;
    return LT_OK;
}

void lt_ledger_free(lt_ledger *l)
{
    if (!l) return;
    free(l->items);
    free(l);
}

static lt_status reserve(lt_ledger *l, size_t extra, lt_error *err)
{
    if (l->n + extra <= l->cap) return LT_OK;
    size_t cap = l->cap ? l->cap : 8;
    while (cap < l->n + extra)
        cap *= 2;
    lt_ledger_entry *p = realloc(l->items, cap * sizeof *p);
    if (!p) LT_FAIL(err, LT_ENOMEM, "", "out of memory growing the ledger");
    l->items = p;
    l->cap = cap;
    return LT_OK;
}

lt_status lt_ledger_add(lt_ledger *l, const lt_ledger_entry *e, lt_error *err)
{
    if (!(e->activity_mbq >= 0) || !isfinite(e->activity_mbq))
        LT_FAIL(err, LT_EINVAL, e->source, "expected an activity of 0 or more MBq, found %g",
                e->activity_mbq);
    lt_status st = reserve(l, 1, err);
    if (st != LT_OK) return st;
    /* keep entries in date order (unknown dates first), stable for equal dates */
    size_t i = l->n;
    while (i > 0 && l->items[i - 1].date > e->date)
        i--;
    memmove(&l->items[i + 1], &l->items[i], (l->n - i) * sizeof *l->items);
    l->items[i] = *e;
    l->items[i].source[sizeof l->items[i].source - 1] = '\0';
    l->n++;
    return LT_OK;
}

lt_status lt_ledger_add_patient_history(lt_ledger *l, const lt_patient *p, lt_error *err)
{
    size_t count = 0;
    for (size_t i = 0; i < p->nfacts; i++) {
        const lt_fact *f = &p->facts[i];
        if (f->kind != LT_FACT_TREATMENT || strcmp(f->code, "prrt")) continue;
        /* a cycle whose activity is unknown would make the total silently too small */
        if (!f->has_value || f->problem != LT_FACT_OK || !(f->value >= 0))
            LT_FAIL(err, LT_ESCHEMA, f->source ? f->source : p->id,
                    "prior PRRT without a usable activity (expected a value in MBq, GBq or mCi): "
                    "the cumulative activity cannot be computed");
        count++;
    }
    lt_status st = reserve(l, count, err);
    if (st != LT_OK) return st;
    for (size_t i = 0; i < p->nfacts; i++) {
        const lt_fact *f = &p->facts[i];
        if (f->kind != LT_FACT_TREATMENT || strcmp(f->code, "prrt")) continue;
        lt_ledger_entry e;
        memset(&e, 0, sizeof e);
        e.date = f->date;
        e.activity_mbq = f->value;
        e.prior = true;
        snprintf(e.source, sizeof e.source, "%s", f->source ? f->source : "patient history");
        st = lt_ledger_add(l, &e, err); /* cannot fail: space reserved, value checked */
        if (st != LT_OK) return st;
    }
    return LT_OK;
}

size_t lt_ledger_count(const lt_ledger *l)
{
    return l ? l->n : 0;
}

const lt_ledger_entry *lt_ledger_at(const lt_ledger *l, size_t i)
{
    return l && i < l->n ? &l->items[i] : NULL;
}

const char *lt_ledger_patient(const lt_ledger *l)
{
    return l ? l->patient : NULL;
}

static double sum(const lt_ledger *l, bool prior_only)
{
    double s = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!prior_only || l->items[i].prior) s += l->items[i].activity_mbq;
    return s;
}

double lt_ledger_total(const lt_ledger *l)
{
    return l ? sum(l, false) : 0;
}
double lt_ledger_total_prior(const lt_ledger *l)
{
    return l ? sum(l, true) : 0;
}

double lt_ledger_total_between(const lt_ledger *l, lt_date from, lt_date to, bool prior_only,
                               size_t *undated)
{
    double s = 0;
    size_t nd = 0;
    for (size_t i = 0; l && i < l->n; i++) {
        const lt_ledger_entry *e = &l->items[i];
        if (prior_only && !e->prior) continue;
        if (e->date == LT_DATE_NONE)
            nd++;
        else if (e->date >= from && e->date <= to)
            s += e->activity_mbq;
    }
    if (undated) *undated = nd;
    return s;
}

bool lt_ledger_allows(const lt_ledger *l, double planned_mbq, double limit_mbq, double *remaining)
{
    double total = lt_ledger_total(l);
    if (remaining) *remaining = limit_mbq - total;
    /* a relative slack of 1e-9 keeps 2 x 7400 within a 14800 limit despite rounding */
    return total + planned_mbq <= limit_mbq * (1 + 1e-9);
}

void lt_ledger_to_json(const lt_ledger *l, lt_buf *b)
{
    lt_buf_puts(b, "{\"patient\":");
    lt_buf_json_str(b, l->patient);
    lt_buf_putc(b, ',');
    lt__dose_put_num(b, "total_mbq", lt_ledger_total(l));
    lt_buf_putc(b, ',');
    lt__dose_put_num(b, "prior_mbq", lt_ledger_total_prior(l));
    lt_buf_puts(b, ",\"entries\":[");
    for (size_t i = 0; i < l->n; i++) {
        const lt_ledger_entry *e = &l->items[i];
        char d[LT_DATE_STR_MAX];
        lt_buf_puts(b, i ? ",{\"date\":" : "{\"date\":");
        lt_buf_json_str(b, e->date == LT_DATE_NONE ? NULL : lt_date_format(e->date, d));
        lt_buf_putc(b, ',');
        lt__dose_put_num(b, "activity_mbq", e->activity_mbq);
        lt_buf_printf(b, ",\"prior\":%s,\"cycle\":%d,\"source\":", e->prior ? "true" : "false",
                      e->cycle);
        lt_buf_json_str(b, e->source);
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "]}");
}

lt_status lt_ledger_from_json(const lt_json *v, const char *source, lt_ledger **out, lt_error *err)
{
    char where[LT_ERROR_WHERE_MAX];
    const char *src = source ? source : "<record>";
    if (!lt_json_is_object(v)) LT_FAIL(err, LT_ESCHEMA, src, "expected a ledger object");
    char patient[LT_DOSE_ID_MAX];
    lt_status st = lt__dose_get_str(v, "patient", src, patient, sizeof patient, err);
    if (st != LT_OK) return st;
    const lt_json *entries = lt_json_get(v, "entries");
    if (!lt_json_is_array(entries)) {
        snprintf(where, sizeof where, "%s: entries", src);
        LT_FAIL(err, LT_ESCHEMA, where, "expected an array of ledger entries");
    }
    lt_ledger *l;
    if ((st = lt_ledger_new(patient, &l, err)) != LT_OK) return st;
    size_t i = 0;
    for (const lt_json *e = lt_json_first(entries); e; e = lt_json_next(e), i++) {
        char esrc[LT_ERROR_WHERE_MAX];
        snprintf(esrc, sizeof esrc, "%s: entries[%zu]", src, i);
        lt_ledger_entry en;
        memset(&en, 0, sizeof en);
        const char *ds = lt_json_get_str(e, "date", NULL);
        double cycle = NAN;
        en.date = LT_DATE_NONE;
        if ((ds && !lt_date_parse(ds, false, &en.date)) ||
            (!ds && lt_json_get(e, "date") && !lt_json_is_null(lt_json_get(e, "date")))) {
            lt_ledger_free(l);
            LT_FAIL(err, LT_ESCHEMA, esrc, "expected \"date\" as YYYY-MM-DD or null");
        }
        if ((st = lt__dose_get_num(e, "activity_mbq", esrc, &en.activity_mbq, err)) ||
            (st = lt__dose_get_bool(e, "prior", esrc, &en.prior, err)) ||
            (st = lt__dose_get_num(e, "cycle", esrc, &cycle, err)) ||
            (st = lt__dose_get_str(e, "source", esrc, en.source, sizeof en.source, err))) {
            lt_ledger_free(l);
            return st;
        }
        en.cycle = isfinite(cycle) && cycle >= 0 && cycle <= 1000 ? (int)cycle : 0;
        if ((st = lt_ledger_add(l, &en, err)) != LT_OK) {
            if (st != LT_ENOMEM)
                st = lt_error_set(err, LT_ESCHEMA, esrc,
                                  "expected \"activity_mbq\": a number of 0 or more");
            lt_ledger_free(l);
            return st;
        }
    }
    *out = l;
    return LT_OK;
}
