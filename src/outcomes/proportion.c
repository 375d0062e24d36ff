/* Proportion endpoints: what a patient counts for (a toxicity of grade >= N, N cycles given,
 * an objective response by RECIST 1.1) and whether the patient is in the endpoint's
 * population. The exact interval of the proportion is the statistics module's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "endpoints_int.h"

static const char *const counts_names[LT_COUNTS_COUNT] = {
    [LT_COUNTS_TOXICITY_GRADE] = "toxicity_grade",
    [LT_COUNTS_CYCLES_GIVEN] = "cycles_given",
    [LT_COUNTS_OBJECTIVE_RESPONSE] = "objective_response",
};

const char *lt_proportion_counts_name(lt_proportion_counts c)
{
    return (unsigned)c < LT_COUNTS_COUNT ? counts_names[c] : "unknown";
}

lt_status lt__proportion_parse(const lt_json *v, const char *where, const char *id,
                               lt_proportion_def *d, lt_error *err)
{
    char w[LT_ERROR_WHERE_MAX];
    static const char *const tte[] = {"origin", "events", "at_months", "censor", "censor_at", NULL};
    for (const char *const *k = tte; *k; k++)
        if (lt_json_get(v, *k)) {
            snprintf(w, sizeof w, "%s.%s.%s", where, id, *k);
            LT_FAIL(err, LT_ESCHEMA, w, "a proportion has no \"%s\" (it is not a time to an event)",
                    *k);
        }
    snprintf(w, sizeof w, "%s.%s.counts", where, id);
    const char *c = lt_json_get_str(v, "counts", NULL);
    d->counts = LT_COUNTS_COUNT;
    for (int i = 0; c && i < LT_COUNTS_COUNT; i++)
        if (!strcmp(c, counts_names[i])) d->counts = (lt_proportion_counts)i;
    if (d->counts == LT_COUNTS_COUNT)
        LT_FAIL(err, LT_ESCHEMA, w,
                "expected \"toxicity_grade\", \"cycles_given\" or \"objective_response\", found "
                "%s%s%s",
                c ? "\"" : "", c ? c : lt_json_kind(lt_json_get(v, "counts")), c ? "\"" : "");
    const lt_json *al = lt_json_get(v, "at_least");
    double x = 0;
    snprintf(w, sizeof w, "%s.%s.at_least", where, id);
    const lt_json *cd = lt_json_get(v, "confirm_days");
    d->confirm_days = 0;
    if (d->counts == LT_COUNTS_OBJECTIVE_RESPONSE) {
        if (al) LT_FAIL(err, LT_ESCHEMA, w, "an objective response has no \"at_least\"");
        d->at_least = 0;
        snprintf(w, sizeof w, "%s.%s.confirm_days", where, id);
        if (cd && (!lt_json_num(cd, &x) || x != floor(x) || x < 1 || x > 365))
            LT_FAIL(err, LT_ESCHEMA, w, "expected a whole number of days from 1 to 365, found %s",
                    lt_json_kind(cd));
        if (cd) d->confirm_days = (int)x;
    } else {
        if (cd) {
            snprintf(w, sizeof w, "%s.%s.confirm_days", where, id);
            LT_FAIL(err, LT_ESCHEMA, w, "only an objective response is confirmed");
        }
        int hi = d->counts == LT_COUNTS_TOXICITY_GRADE ? 5 : 100;
        if (!lt_json_num(al, &x) || x != floor(x) || x < 1 || x > hi)
            LT_FAIL(err, LT_ESCHEMA, w, "expected a whole number from 1 to %d, found %s", hi,
                    al ? lt_json_kind(al) : "nothing");
        d->at_least = (int)x;
    }
    snprintf(w, sizeof w, "%s.%s.population", where, id);
    const char *p = lt_json_get_str(v, "population", NULL);
    if (!p || !strcmp(p, "all"))
        d->population = LT_POPULATION_ALL;
    else if (!strcmp(p, "treated"))
        d->population = LT_POPULATION_TREATED;
    else
        LT_FAIL(err, LT_ESCHEMA, w, "expected \"all\" or \"treated\", found \"%s\"", p);
    if (lt_json_get(v, "population") && !lt_json_str(lt_json_get(v, "population")))
        LT_FAIL(err, LT_ESCHEMA, w, "expected \"all\" or \"treated\", found %s",
                lt_json_kind(lt_json_get(v, "population")));
    d->level = 0.95;
    const lt_json *lv = lt_json_get(v, "level");
    if (lv) {
        snprintf(w, sizeof w, "%s.%s.level", where, id);
        if (!lt_json_num(lv, &d->level) || !(d->level > 0.5 && d->level < 1))
            LT_FAIL(err, LT_ESCHEMA, w, "expected a confidence level above 0.5 and below 1");
    }
    return LT_OK;
}

/* Whether the response at assessment i is confirmed (RECIST 1.1 section 4.4.1): the first
 * evaluable assessment at least days later, with no progression on the way, shows a response
 * too. A CR confirmed by a CR stays a CR; a PR confirmed by a PR or a CR, and a CR followed by
 * a PR (the first CR is then taken for a PR, as RECIST's table 3 allows), give a PR. Sets
 * *as to what the confirmed response is; false when it is not confirmed (yet). */
static bool confirmed(const lt_recist_result *res, size_t na, size_t i, int days,
                      lt_recist_response *as)
{
    for (size_t j = i + 1; j < na; j++) {
        lt_recist_response o = res[j].overall;
        if (o == LT_RECIST_PD) return false;
        if (res[j].date - res[i].date < days || o == LT_RECIST_NE) continue;
        if (o != LT_RECIST_CR && o != LT_RECIST_PR) return false;
        *as = res[i].overall == LT_RECIST_CR && o == LT_RECIST_CR ? LT_RECIST_CR : LT_RECIST_PR;
        return true;
    }
    return false;
}

/* The best overall response after the baseline: CR, then PR, else the patient did not
 * respond; with confirm_days, only a confirmed one (then *when is the date of the response
 * confirmed, not of its confirmation). */
static lt_status best_response(const lt_outcome_record *r, size_t na, int confirm_days,
                               lt_recist_response *best, lt_date *when, lt_error *err)
{
    *best = LT_RECIST_RESPONSE_COUNT;
    *when = LT_DATE_NONE;
    if (na < 2) return LT_OK;
    lt_recist_result *res = calloc(na, sizeof *res);
    if (!res) LT_FAIL(err, LT_ENOMEM, r->id, "out of memory");
    char where[LT_ERROR_WHERE_MAX];
    snprintf(where, sizeof where, "patient %.200s", r->id);
    lt_status rc = lt_recist_evaluate(r->assessments, na, where, res, err);
    for (size_t i = 1; rc == LT_OK && i < na; i++) {
        lt_recist_response o = res[i].overall;
        if (o != LT_RECIST_CR && o != LT_RECIST_PR) continue;
        if (confirm_days > 0 && !confirmed(res, na, i, confirm_days, &o)) continue;
        if (*best == LT_RECIST_RESPONSE_COUNT || (o == LT_RECIST_CR && *best != o)) {
            *best = o;
            *when = res[i].date;
        }
    }
    free(res);
    return rc;
}

lt_status lt_proportion_derive(const lt_endpoints *e, size_t i, const lt_outcome_record *r,
                               const lt_patient_safety *s, lt_date cutoff, lt_proportion_row *row,
                               lt_error *err)
{
    const lt_proportion_def *d = lt_endpoints_proportion(e, i);
    if (!d || !r || !s || !row) LT_FAIL(err, LT_EINVAL, "", "not a proportion endpoint");
    memset(row, 0, sizeof *row);
    row->patient = r->id;
    row->arm = r->arm;
    row->in_population = d->population == LT_POPULATION_ALL || s->cycles_given > 0;
    char ds[LT_DATE_STR_MAX];
    switch (d->counts) {
    case LT_COUNTS_TOXICITY_GRADE:
        row->counted = s->worst_grade >= d->at_least;
        if (s->worst_grade < 0)
            snprintf(row->why, sizeof row->why, "no graded toxicity recorded");
        else
            snprintf(row->why, sizeof row->why, "worst: grade %d %.80s on %s", s->worst_grade,
                     s->worst_what ? s->worst_what : "", lt_date_format(s->worst_date, ds));
        break;
    case LT_COUNTS_CYCLES_GIVEN:
        row->counted = s->cycles_given >= d->at_least;
        snprintf(row->why, sizeof row->why, "%d cycle%s given", s->cycles_given,
                 s->cycles_given == 1 ? "" : "s");
        break;
    case LT_COUNTS_OBJECTIVE_RESPONSE: {
        lt_recist_response best;
        lt_date when;
        /* the assessments are in date order: those up to the cutoff */
        size_t na = 0;
        while (na < r->nassessments &&
               (cutoff == LT_DATE_NONE || r->assessments[na].date <= cutoff))
            na++;
        lt_status rc = best_response(r, na, d->confirm_days, &best, &when, err);
        if (rc != LT_OK) return rc;
        row->counted = best != LT_RECIST_RESPONSE_COUNT;
        if (row->counted)
            snprintf(row->why, sizeof row->why, "best response %s on %s%s",
                     lt_recist_response_name(best), lt_date_format(when, ds),
                     d->confirm_days ? ", confirmed" : "");
        else
            snprintf(row->why, sizeof row->why, "%s",
                     na < 2             ? "no follow-up assessment"
                     : d->confirm_days ? "no confirmed CR or PR"
                                       : "no CR or PR");
        break;
    }
    default: LT_FAIL(err, LT_EINVAL, "", "unknown proportion");
    }
    if (!row->in_population) snprintf(row->why, sizeof row->why, "not treated");
    return LT_OK;
}
