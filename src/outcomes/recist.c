/* RECIST 1.1 response per assessment from lesion measurements (Eisenhauer EA et al., New
 * response evaluation criteria in solid tumours: revised RECIST guideline (version 1.1),
 * Eur J Cancer 2009;45:228-247): baseline target-lesion rules (section 3), target and
 * non-target responses (4.3.1, 4.3.2) and the overall response (tables 1 and 2). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lutetia/outcomes.h"

static const char *const response_names[LT_RECIST_RESPONSE_COUNT] = {
    "CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "NED",
};

const char *lt_recist_response_name(lt_recist_response r)
{
    if ((unsigned)r >= LT_RECIST_RESPONSE_COUNT) return NULL;
    return response_names[r];
}

static const char *const lesion_status_names[LT_LESION_STATUS_COUNT] = {
    "present",
    "absent",
    "progression",
    "not_evaluated",
};

const char *lt_lesion_status_name(lt_lesion_status s)
{
    if ((unsigned)s >= LT_LESION_STATUS_COUNT) return NULL;
    return lesion_status_names[s];
}

static lt_status fail_at(lt_error *err, const char *where, size_t ai, long li, const char *fmt, ...)
    LT_PRINTF(5, 6);
static lt_status fail_at(lt_error *err, const char *where, size_t ai, long li, const char *fmt, ...)
{
    char w[LT_ERROR_WHERE_MAX];
    if (li >= 0)
        snprintf(w, sizeof w, "%.200s.assessments[%zu].lesions[%ld]", where ? where : "", ai, li);
    else
        snprintf(w, sizeof w, "%.200s.assessments[%zu]", where ? where : "", ai);
    va_list ap;
    va_start(ap, fmt);
    lt_status st = lt_error_vset(err, LT_ESCHEMA, w, fmt, ap);
    va_end(ap);
    return st;
}

static const lt_lesion *find_lesion(const lt_tumour_assessment *a, const char *id)
{
    for (size_t i = 0; i < a->nlesions; i++)
        if (a->lesions[i].id && !strcmp(a->lesions[i].id, id)) return &a->lesions[i];
    return NULL;
}

/* RECIST 1.1 section 3.2-3.3: what may be a target lesion at baseline. */
static lt_status check_baseline(const lt_tumour_assessment *b, const char *where, lt_error *err)
{
    size_t ntarget = 0;
    for (size_t i = 0; i < b->nlesions; i++) {
        const lt_lesion *l = &b->lesions[i];
        if (!l->id || !*l->id) return fail_at(err, where, 0, (long)i, "a lesion needs an id");
        for (size_t j = 0; j < i; j++)
            if (b->lesions[j].id && !strcmp(b->lesions[j].id, l->id))
                return fail_at(err, where, 0, (long)i, "lesion id \"%s\" appears twice", l->id);
        if (!l->target) continue;
        ntarget++;
        if (isnan(l->mm))
            return fail_at(err, where, 0, (long)i, "target lesion %s has no baseline measurement",
                           l->id);
        if (l->nodal && l->mm < 15)
            return fail_at(err, where, 0, (long)i,
                           "target node %s has a %.1f mm short axis; RECIST 1.1 needs >= 15 mm "
                           "(10-15 mm nodes are non-target)",
                           l->id, l->mm);
        if (!l->nodal && l->mm < 10)
            return fail_at(err, where, 0, (long)i,
                           "target lesion %s measures %.1f mm; RECIST 1.1 needs >= 10 mm", l->id,
                           l->mm);
        size_t same_organ = 0;
        for (size_t j = 0; j <= i; j++)
            if (b->lesions[j].target && b->lesions[j].organ && l->organ &&
                !strcmp(b->lesions[j].organ, l->organ))
                same_organ++;
        if (same_organ > 2)
            return fail_at(err, where, 0, (long)i,
                           "a third target lesion in %s; RECIST 1.1 allows at most 2 per organ",
                           l->organ);
    }
    if (ntarget > 5)
        return fail_at(err, where, 0, -1, "%zu target lesions; RECIST 1.1 allows at most 5",
                       ntarget);
    return LT_OK;
}

/* Sum of target diameters at assessment a, taking the baseline's list of targets; *missing
 * counts targets not measured (their part left out of the sum). */
static double target_sum(const lt_tumour_assessment *base, const lt_tumour_assessment *a,
                         size_t *missing, bool *all_gone)
{
    double sum = 0;
    *missing = 0;
    *all_gone = true;
    for (size_t i = 0; i < base->nlesions; i++) {
        const lt_lesion *b = &base->lesions[i];
        if (!b->target) continue;
        const lt_lesion *l = a == base ? b : find_lesion(a, b->id);
        if (!l || isnan(l->mm)) {
            (*missing)++;
            *all_gone = false;
            continue;
        }
        sum += l->mm;
        /* CR: non-nodal targets gone, target nodes back under 10 mm short axis (4.3.1) */
        if (b->nodal ? l->mm >= 10 : l->mm > 0) *all_gone = false;
    }
    return sum;
}

/* 4.3.2: non-target response from the statuses of the baseline's non-target lesions. */
static lt_recist_response nontarget_response(const lt_tumour_assessment *base,
                                             const lt_tumour_assessment *a, size_t *n_nt)
{
    bool any_present = false, any_ne = false, any_pd = false;
    *n_nt = 0;
    for (size_t i = 0; i < base->nlesions; i++) {
        const lt_lesion *b = &base->lesions[i];
        if (b->target) continue;
        (*n_nt)++;
        const lt_lesion *l = find_lesion(a, b->id);
        lt_lesion_status st = l ? l->status : LT_LESION_NOT_EVALUATED;
        if (st == LT_LESION_PROGRESSION)
            any_pd = true;
        else if (st == LT_LESION_NOT_EVALUATED)
            any_ne = true;
        else if (st == LT_LESION_PRESENT)
            any_present = true;
    }
    if (any_pd) return LT_RECIST_PD;
    if (any_ne) return LT_RECIST_NE;
    if (any_present) return LT_RECIST_NON_CR_NON_PD;
    return LT_RECIST_CR;
}

lt_status lt_recist_evaluate(const lt_tumour_assessment *a, size_t n, const char *where,
                             lt_recist_result *out, lt_error *err)
{
    if (n == 0 || !a || !out) LT_FAIL(err, LT_EINVAL, where ? where : "", "no baseline assessment");
    lt_status rc = check_baseline(&a[0], where, err);
    if (rc) return rc;
    /* follow-ups: dates after the baseline, lesions known from baseline */
    for (size_t k = 1; k < n; k++) {
        if (a[k].date != LT_DATE_NONE && a[0].date != LT_DATE_NONE && a[k].date <= a[k - 1].date)
            return fail_at(err, where, k, -1,
                           "expected assessments in date order after the "
                           "baseline, found one on or before the previous");
        for (size_t i = 0; i < a[k].nlesions; i++) {
            const lt_lesion *l = &a[k].lesions[i];
            const lt_lesion *b = l->id ? find_lesion(&a[0], l->id) : NULL;
            if (!b)
                return fail_at(err, where, k, (long)i,
                               "lesion \"%s\" is not in the baseline; a new lesion is recorded "
                               "as new_lesions, not measured as a target",
                               l->id ? l->id : "(no id)");
            if (b->target && l->mm < 0)
                return fail_at(err, where, k, (long)i, "a negative diameter for %s", l->id);
        }
    }
    size_t ntarget = 0, n_nt = 0;
    for (size_t i = 0; i < a[0].nlesions; i++)
        if (a[0].lesions[i].target) ntarget++;

    size_t miss;
    bool gone;
    double base_sum = target_sum(&a[0], &a[0], &miss, &gone);
    double nadir = base_sum;
    nontarget_response(&a[0], &a[0], &n_nt);
    out[0] = (lt_recist_result){a[0].date,
                                ntarget ? base_sum : 0,
                                base_sum,
                                ntarget ? LT_RECIST_NE : LT_RECIST_NED,
                                n_nt ? LT_RECIST_NE : LT_RECIST_NED,
                                (ntarget || n_nt) ? LT_RECIST_NE : LT_RECIST_NED,
                                true};
    for (size_t k = 1; k < n; k++) {
        lt_recist_result r = {a[k].date, NAN,          nadir,       LT_RECIST_NE,
                              LT_RECIST_NE, LT_RECIST_NE, false};
        double sum = target_sum(&a[0], &a[k], &miss, &gone);
        /* 4.3.1: PD is a 20% increase over the nadir (baseline included) that is also at least
         * 5 mm absolute; with a target unmeasured, PD stands if the measured part shows it
         * already, otherwise the target response is not evaluable. */
        bool pd = sum >= 1.2 * nadir && sum - nadir >= 5.0;
        if (ntarget == 0)
            r.target = LT_RECIST_NED;
        else if (pd)
            r.target = LT_RECIST_PD;
        else if (miss)
            r.target = LT_RECIST_NE;
        else if (gone)
            r.target = LT_RECIST_CR;
        else if (sum <= 0.7 * base_sum)
            r.target = LT_RECIST_PR; /* -30% from baseline */
        else
            r.target = LT_RECIST_SD;
        if (!miss) r.sum = sum;
        r.nontarget = n_nt ? nontarget_response(&a[0], &a[k], &n_nt) : LT_RECIST_NED;

        /* overall: table 1 (targets, with or without non-targets), table 2 (non-targets only) */
        lt_recist_response t = r.target, nt = r.nontarget, o;
        if (a[k].new_lesions || t == LT_RECIST_PD || nt == LT_RECIST_PD)
            o = LT_RECIST_PD;
        else if (t == LT_RECIST_NED && nt == LT_RECIST_NED)
            o = LT_RECIST_NED;
        else if (t == LT_RECIST_NED)
            o = nt; /* CR, NON-CR/NON-PD or NE */
        else if (t == LT_RECIST_NE)
            o = LT_RECIST_NE;
        else if (t == LT_RECIST_CR)
            o = (nt == LT_RECIST_CR || nt == LT_RECIST_NED) ? LT_RECIST_CR : LT_RECIST_PR;
        else
            o = t; /* PR or SD, whatever the non-PD non-target status */
        r.overall = o;
        out[k] = r;
        if (!miss && sum < nadir) nadir = sum;
    }
    return LT_OK;
}
