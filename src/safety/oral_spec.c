/* Reading an arm's "oral_drug" member: the drug, its daily dose and tablet strengths, the
 * dispensing interval, and the label's dose modifications as a table keyed by adverse-event
 * category and grade (docs/protocol-format.md, "Oral drugs"). Every error names the member's
 * path, what was expected and what was found. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "lutetia/oral.h"

static const char *const step_names[LT_ORAL_STEP_COUNT] = {
    [LT_ORAL_STEP_CONTINUE] = "continue",
    [LT_ORAL_STEP_RESUME_SAME] = "resume_same",
    [LT_ORAL_STEP_RESUME_REDUCED] = "resume_reduced",
    [LT_ORAL_STEP_DISCONTINUE] = "discontinue",
};

const char *lt_oral_step_name(lt_oral_step s)
{
    return (unsigned)s < LT_ORAL_STEP_COUNT ? step_names[s] : "unknown";
}

/* path + "." + key, cut to fit (an error place is a hint, never a buffer overrun). */
static void join(char *out, size_t n, const char *path, const char *key)
{
    size_t a = strlen(path), b = key ? strlen(key) : 0;
    if (a > n - 1) a = n - 1;
    memcpy(out, path, a);
    if (key && a + 1 < n) {
        out[a++] = '.';
        if (b > n - 1 - a) b = n - 1 - a;
        memcpy(out + a, key, b);
        a += b;
    }
    out[a] = '\0';
}

static lt_status bad(lt_error *err, const char *path, const char *key, const char *expected,
                     const lt_json *found)
{
    char where[LT_ERROR_WHERE_MAX], what[96];
    join(where, sizeof where, path, key);
    double x;
    if (!found)
        snprintf(what, sizeof what, "nothing");
    else if (lt_json_num(found, &x))
        snprintf(what, sizeof what, "%g", x);
    else if (lt_json_str(found))
        snprintf(what, sizeof what, "\"%.60s\"", lt_json_str(found));
    else
        snprintf(what, sizeof what, "%s", lt_json_kind(found));
    return lt_error_set(err, LT_ESCHEMA, where, "expected %s, found %s", expected, what);
}

static lt_status number(const lt_json *o, const char *key, const char *path, bool required,
                        double lo, double hi, double *out, lt_error *err)
{
    const lt_json *v = lt_json_get(o, key);
    if (!v && !required) return LT_OK;
    double x;
    if (!v || !lt_json_num(v, &x) || !(x >= lo && x <= hi)) {
        char e[80];
        snprintf(e, sizeof e, "a number from %g to %g", lo, hi);
        return bad(err, path, key, e, v);
    }
    *out = x;
    return LT_OK;
}

static lt_status text(const lt_json *o, const char *key, const char *path, bool required,
                      char *out, size_t n, lt_error *err)
{
    const lt_json *v = lt_json_get(o, key);
    if (!v && !required) return LT_OK;
    const char *s = lt_json_str(v);
    if (!s || !*s || strlen(s) >= n) {
        char e[80];
        snprintf(e, sizeof e, "a non-empty string of at most %zu characters", n - 1);
        return bad(err, path, key, e, v);
    }
    snprintf(out, n, "%s", s);
    return LT_OK;
}

/* Members this reader knows (plus comment*, source, note: text for reviewers). */
static lt_status members(const lt_json *o, const char *path, const char *const *known,
                         lt_error *err)
{
    for (const lt_json *m = lt_json_first(o); m; m = lt_json_next(m)) {
        const char *k = lt_json_key(m);
        bool ok = !strncmp(k, "comment", 7) || !strcmp(k, "source") || !strcmp(k, "note") ||
                  !strcmp(k, "assumption");
        for (const char *const *q = known; *q && !ok; q++)
            ok = !strcmp(k, *q);
        if (!ok) {
            char where[LT_ERROR_WHERE_MAX];
            join(where, sizeof where, path, k);
            return lt_error_set(err, LT_ESCHEMA, where, "unknown member \"%s\"", k);
        }
    }
    return LT_OK;
}

static lt_status names(const lt_json *o, const char *key, const char *path,
                       char (*out)[LT_ORAL_NAME_MAX], size_t *n, lt_error *err)
{
    const lt_json *v = lt_json_get(o, key);
    *n = 0;
    if (!v) return LT_OK;
    if (!lt_json_is_array(v) || lt_json_size(v) > LT_ORAL_MAX_TERMS)
        return bad(err, path, key, "an array of at most 16 names", v);
    for (size_t i = 0; i < lt_json_size(v); i++) {
        const char *s = lt_json_str(lt_json_at(v, i));
        if (!s || !*s || strlen(s) >= LT_ORAL_NAME_MAX)
            return bad(err, path, key, "an array of non-empty names", lt_json_at(v, i));
        snprintf(out[(*n)++], LT_ORAL_NAME_MAX, "%s", s);
    }
    return LT_OK;
}

static bool step_parse(const char *s, lt_oral_step *out)
{
    for (int i = 0; s && i < LT_ORAL_STEP_COUNT; i++)
        if (!strcmp(s, step_names[i])) {
            *out = (lt_oral_step)i;
            return true;
        }
    return false;
}

static lt_status step(const lt_json *o, const char *key, const char *path, lt_oral_step *out,
                      lt_error *err)
{
    const lt_json *v = lt_json_get(o, key);
    if (!v) return LT_OK;
    if (!step_parse(lt_json_str(v), out))
        return bad(err, path, key, "continue, resume_same, resume_reduced or discontinue", v);
    return LT_OK;
}

static lt_status categories(const lt_json *v, const char *path, lt_oral_spec *s, lt_error *err)
{
    if (!lt_json_is_object(v) || lt_json_size(v) == 0 ||
        lt_json_size(v) > LT_ORAL_MAX_CATEGORIES)
        return bad(err, path, NULL, "an object of 1 to 16 categories", v);
    static const char *const known[] = {"terms", "analytes", NULL};
    for (const lt_json *m = lt_json_first(v); m; m = lt_json_next(m)) {
        char cp[LT_ERROR_WHERE_MAX];
        join(cp, sizeof cp, path, lt_json_key(m));
        if (!lt_json_is_object(m)) return bad(err, cp, NULL, "a category object", m);
        lt_oral_category *c = &s->categories[s->ncategories++];
        if (strlen(lt_json_key(m)) >= sizeof c->id)
            return bad(err, cp, NULL, "a shorter category name", NULL);
        snprintf(c->id, sizeof c->id, "%s", lt_json_key(m));
        lt_status rc = members(m, cp, known, err);
        if (!rc) rc = names(m, "terms", cp, c->terms, &c->nterms, err);
        if (!rc) rc = names(m, "analytes", cp, c->analytes, &c->nanalytes, err);
        if (rc) return rc;
        if (!c->nterms && !c->nanalytes)
            return bad(err, cp, "terms", "adverse-event terms or analytes for the category",
                       NULL);
    }
    return LT_OK;
}

static lt_status modifications(const lt_json *v, const char *path, lt_oral_spec *s,
                               lt_error *err)
{
    if (!lt_json_is_object(v)) return bad(err, path, NULL, "an object keyed by category", v);
    static const char *const known[] = {"first", "recurrence", "resume_grade",
                                        "max_interruption_days", NULL};
    for (const lt_json *m = lt_json_first(v); m; m = lt_json_next(m)) {
        char cp[LT_ERROR_WHERE_MAX];
        join(cp, sizeof cp, path, lt_json_key(m));
        size_t ci = 0;
        while (ci < s->ncategories && strcmp(s->categories[ci].id, lt_json_key(m)))
            ci++;
        if (ci == s->ncategories)
            return lt_error_set(err, LT_ESCHEMA, cp,
                                "expected a category of \"categories\", found \"%s\"",
                                lt_json_key(m));
        if (!lt_json_is_object(m)) return bad(err, cp, NULL, "an object keyed by grade", m);
        for (const lt_json *g = lt_json_first(m); g; g = lt_json_next(g)) {
            char gp[LT_ERROR_WHERE_MAX];
            join(gp, sizeof gp, cp, lt_json_key(g));
            const char *k = lt_json_key(g);
            if (strlen(k) != 1 || k[0] < '1' || k[0] > '4')
                return lt_error_set(err, LT_ESCHEMA, gp,
                                    "expected a CTCAE grade from \"1\" to \"4\", found \"%s\"", k);
            if (!lt_json_is_object(g)) return bad(err, gp, NULL, "a modification object", g);
            if (s->nrules == LT_ORAL_MAX_RULES)
                return bad(err, gp, NULL, "at most 48 modification rows", NULL);
            lt_oral_rule *r = &s->rules[s->nrules];
            memset(r, 0, sizeof *r);
            r->category = ci;
            r->grade = k[0] - '0';
            r->resume_grade = 1;
            double rg = 1, md = 0;
            lt_status rc = members(g, gp, known, err);
            if (!rc && !lt_json_get(g, "first"))
                rc = bad(err, gp, "first", "what the label prescribes at this grade", NULL);
            if (!rc) rc = step(g, "first", gp, &r->first, err);
            r->recurrence = r->first;
            if (!rc) rc = step(g, "recurrence", gp, &r->recurrence, err);
            if (!rc) rc = number(g, "resume_grade", gp, false, 0, 3, &rg, err);
            if (!rc) rc = number(g, "max_interruption_days", gp, false, 1, 365, &md, err);
            if (rc) return rc;
            if (rg != floor(rg) || md != floor(md))
                return bad(err, gp, "resume_grade", "whole numbers", NULL);
            /* a recurrence is never treated more leniently than the first time */
            if (r->recurrence < r->first)
                return lt_error_set(err, LT_ESCHEMA, gp,
                                    "expected a recurrence step at least as strict as the first "
                                    "(%s), found %s",
                                    step_names[r->first], step_names[r->recurrence]);
            r->resume_grade = (int)rg;
            r->max_interruption_days = (int)md;
            s->nrules++;
        }
    }
    return LT_OK;
}

lt_status lt_oral_spec_from_json(const lt_json *v, const char *arm, const char *path,
                                 lt_oral_spec *out, lt_error *err)
{
    lt_oral_spec s;
    memset(&s, 0, sizeof s);
    if (!lt_json_is_object(v)) return bad(err, path, NULL, "an oral-drug object", v);
    snprintf(s.arm, sizeof s.arm, "%s", arm ? arm : "");
    static const char *const known[] = {"name", "daily_dose_mg", "tablet_strengths_mg",
                                        "dispensing_interval_days", "reduction_factor",
                                        "min_daily_dose_mg", "start_entry", "dispensing_entry",
                                        "categories", "modifications", NULL};
    double interval = 28;
    s.reduction_factor = 0.5;
    lt_status rc = members(v, path, known, err);
    if (!rc) rc = text(v, "name", path, true, s.name, sizeof s.name, err);
    if (!rc) rc = number(v, "daily_dose_mg", path, true, 0.001, 1000, &s.daily_dose_mg, err);
    if (!rc)
        rc = number(v, "dispensing_interval_days", path, false, 1, 365, &interval, err);
    if (!rc) rc = number(v, "reduction_factor", path, false, 0.05, 0.95, &s.reduction_factor, err);
    if (!rc) rc = text(v, "start_entry", path, false, s.start_entry, sizeof s.start_entry, err);
    if (!rc)
        rc = text(v, "dispensing_entry", path, false, s.dispensing_entry,
                  sizeof s.dispensing_entry, err);
    if (rc) return rc;
    if (interval != floor(interval))
        return bad(err, path, "dispensing_interval_days", "a whole number of days",
                   lt_json_get(v, "dispensing_interval_days"));
    s.dispensing_interval_days = (int)interval;
    const lt_json *st = lt_json_get(v, "tablet_strengths_mg");
    if (!lt_json_is_array(st) || lt_json_size(st) == 0 ||
        lt_json_size(st) > LT_ORAL_MAX_STRENGTHS)
        return bad(err, path, "tablet_strengths_mg", "an array of 1 to 8 strengths in mg", st);
    for (size_t i = 0; i < lt_json_size(st); i++) {
        double x;
        if (!lt_json_num(lt_json_at(st, i), &x) || !(x > 0 && x <= s.daily_dose_mg) ||
            (i && !(x > s.strengths_mg[i - 1])))
            return bad(err, path, "tablet_strengths_mg",
                       "ascending strengths above 0 and at most the daily dose",
                       lt_json_at(st, i));
        s.strengths_mg[s.nstrengths++] = x;
    }
    s.min_daily_dose_mg = s.strengths_mg[0];
    rc = number(v, "min_daily_dose_mg", path, false, s.strengths_mg[0], s.daily_dose_mg,
                &s.min_daily_dose_mg, err);
    if (rc) return rc;
    char q[LT_ERROR_WHERE_MAX];
    join(q, sizeof q, path, "categories");
    rc = categories(lt_json_get(v, "categories"), q, &s, err);
    join(q, sizeof q, path, "modifications");
    if (!rc) rc = modifications(lt_json_get(v, "modifications"), q, &s, err);
    if (rc) return rc;
    *out = s;
    return LT_OK;
}

lt_status lt_oral_specs_from_arms(const lt_json *arms, lt_oral_spec *out, size_t max,
                                  size_t *n, lt_error *err)
{
    *n = 0;
    for (const lt_json *a = lt_json_first(arms); a; a = lt_json_next(a)) {
        const lt_json *o = lt_json_get(a, "oral_drug");
        if (!o) continue;
        char arm[LT_ERROR_WHERE_MAX], path[LT_ERROR_WHERE_MAX];
        join(arm, sizeof arm, "arms", lt_json_key(a));
        join(path, sizeof path, arm, "oral_drug");
        if (*n == max) return lt_error_set(err, LT_ESCHEMA, path, "too many oral drugs");
        lt_status rc = lt_oral_spec_from_json(o, lt_json_key(a), path, &out[*n], err);
        if (rc) return rc;
        (*n)++;
    }
    return LT_OK;
}
