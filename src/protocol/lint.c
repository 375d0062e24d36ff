/* Lint: inconsistencies in a valid protocol that a reviewer should see. Design figures that
 * disagree (a hazard ratio against the survival figures it should reflect), thresholds of one
 * analyte that differ after unit conversion, what differs between versions, totals that do not
 * add up, choices that point at nothing. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "lutetia/patient.h"

/* Hazard ratio implied by two survival probabilities at the same time under proportional
 * hazards: S_t(t) = S_c(t)^HR, so HR = ln S_t / ln S_c (DOMAIN.md: 44% vs 25% -> 0.592). */
static double implied_hr(double s_treat, double s_control)
{
    return log(s_treat) / log(s_control);
}

/* Schoenfeld (Biometrika 1981; 1983): events d = (z_{1-a/s} + z_{1-b})^2 (1+r)^2 / (r ln^2 HR),
 * r the allocation ratio, s the number of sides. */
static double schoenfeld_events(double alpha, int sides, double power, double r, double hr)
{
    double za = gsl_cdf_ugaussian_Pinv(1 - alpha / sides), zb = gsl_cdf_ugaussian_Pinv(power);
    double l = log(hr);
    return (za + zb) * (za + zb) * (1 + r) * (1 + r) / (r * l * l);
}

static void lint_design(const lt_protocol *p, lt__issues *iss)
{
    const lt_json *d = lt_json_get(p->doc, "design");
    if (!d) return;
    const lt_json *sv = lt_json_get(d, "survival");
    double hr, sc, st;
    if (!lt_json_num(lt_json_get(d, "hazard_ratio"), &hr) ||
        !lt_json_num(lt_json_get(sv, "control"), &sc) ||
        !lt_json_num(lt_json_get(sv, "treatment"), &st))
        return;
    if (!(sc > 0 && sc < 1 && st > 0 && st < 1 && hr > 0)) {
        lt__issue(iss, "DESIGN_RANGE", "design.survival",
                  "survival probabilities must lie strictly between 0 and 1 and the HR above 0");
        return;
    }
    double ih = implied_hr(st, sc);
    double at = lt_json_get_num(sv, "at_months", 0);
    if (fabs(ih - hr) > 0.02 * ih) {
        double alpha = lt_json_get_num(d, "alpha", 0.05), power = lt_json_get_num(d, "power", 0.8);
        int sides = (int)lt_json_get_num(d, "sides", 2);
        double r = lt_json_get_num(d, "allocation_ratio", 1);
        char extra[300] = "";
        if (alpha > 0 && alpha < 1 && power > 0 && power < 1 && (sides == 1 || sides == 2) &&
            r > 0) {
            double e1 = schoenfeld_events(alpha, sides, power, r, hr);
            double e2 = schoenfeld_events(alpha, sides, power, r, ih);
            snprintf(
                extra, sizeof extra,
                "; Schoenfeld events for alpha %g (%d-sided), power %g, ratio %g: %.0f at HR %g "
                "but %.0f at HR %.3f (stated: %g events, %g patients)",
                alpha, sides, power, r, ceil(e1), hr, ceil(e2), ih,
                lt_json_get_num(d, "events", NAN), lt_json_get_num(d, "patients", NAN));
        }
        lt__issue(iss, "HR_INCONSISTENT", "design.hazard_ratio",
                  "%g-month survival %g%% (treatment) vs %g%% (control) implies HR = ln %g / ln %g "
                  "= %.3f under proportional hazards, but the stated HR is %g%s",
                  at, 100 * st, 100 * sc, st, sc, ih, hr, extra);
    }
    /* the allocation ratio against the arms' ratios */
    double r;
    if (lt_json_num(lt_json_get(d, "allocation_ratio"), &r) && p->narms == 2) {
        const lt_json *arms = lt_json_get(p->doc, "arms");
        double exp = 0, ctl = 0;
        for (const lt_json *a = lt_json_first(arms); a; a = lt_json_next(a)) {
            const char *role = lt_json_get_str(a, "role", "");
            if (!strcmp(role, "experimental")) exp = lt_json_get_num(a, "ratio", 1);
            if (!strcmp(role, "control")) ctl = lt_json_get_num(a, "ratio", 1);
        }
        if (exp > 0 && ctl > 0 && fabs(exp / ctl - r) > 1e-9)
            lt__issue(iss, "ALLOCATION_RATIO", "design.allocation_ratio",
                      "the design assumes allocation ratio %g but the arms are %g:%g", r, exp, ctl);
    }
}

/* ---- thresholds of one analyte that are not the same after conversion ------------------ */

static void lint_thresholds(const lt_criterion *c, const lt_rule *r, lt__issues *iss)
{
    if (!r) return;
    if (r->type == LT_RULE_ALL || r->type == LT_RULE_ANY) {
        for (size_t i = 0; i < r->nkids; i++) {
            const lt_rule *a = r->kids[i];
            if (a->type != LT_RULE_MEASURE || a->mode != LT_MEASURE_VALUE) continue;
            for (size_t j = i + 1; j < r->nkids; j++) {
                const lt_rule *b = r->kids[j];
                if (b->type != LT_RULE_MEASURE || b->mode != LT_MEASURE_VALUE) continue;
                if (strcmp(a->codes[0], b->codes[0]) || a->op != b->op) continue;
                double x = a->value, y = b->value;
                if (fabs(x - y) <= 1e-9 * fabs(x)) continue;
                bool lower = a->op == LT_OP_LT || a->op == LT_OP_LE;
                bool any = r->type == LT_RULE_ANY;
                /* under any, "x < t" is decided by the larger t; under all, by the smaller */
                double bind = (lower == any) ? (x > y ? x : y) : (x < y ? x : y);
                const lt_rule *br = bind == x ? a : b;
                const char *unit = lt_units_canonical(a->codes[0]);
                lt__issue(iss, "THRESHOLD_MISMATCH", r->path,
                          "criterion %s: %s %s %g %s and %s %g %s are not the same threshold: "
                          "%g %s is %.4g %s, %g %s is %.4g %s (%.1f%% apart); under \"%s\" the "
                          "threshold %g %s (%.4g %s) binds",
                          c->id, a->codes[0], lt_rule_op_name(a->op), a->given_value,
                          a->given_unit ? a->given_unit : "", lt_rule_op_name(b->op),
                          b->given_value, b->given_unit ? b->given_unit : "", a->given_value,
                          a->given_unit ? a->given_unit : "", x, unit ? unit : "", b->given_value,
                          b->given_unit ? b->given_unit : "", y, unit ? unit : "",
                          100 * fabs(x - y) / (fabs(x) < fabs(y) ? fabs(x) : fabs(y)),
                          any ? "any" : "all", br->given_value,
                          br->given_unit ? br->given_unit : "", bind, unit ? unit : "");
            }
        }
    }
    for (size_t i = 0; i < r->nkids; i++)
        lint_thresholds(c, r->kids[i], iss);
    lint_thresholds(c, r->unless, iss);
}

/* ---- versions ---------------------------------------------------------------------------- */

static void diff_patch(const lt_json *latest, const lt_json *patch, const char *path,
                       const char *vname, const char *lname, size_t vi, lt__issues *iss)
{
    for (const lt_json *m = lt_json_first(patch); m; m = lt_json_next(m)) {
        char q[LT_ERROR_WHERE_MAX];
        lt__path_key(q, sizeof q, path, lt_json_key(m));
        const lt_json *cur = lt_json_get(latest, lt_json_key(m));
        if (lt_json_is_object(m) && lt_json_is_object(cur)) {
            diff_patch(cur, m, q, vname, lname, vi, iss);
            continue;
        }
        char *was = cur ? lt_json_print(cur) : NULL;
        char *now = lt_json_is_null(m) ? NULL : lt_json_print(m);
        char pp[64];
        snprintf(pp, sizeof pp, "versions[%zu].changes", vi);
        const char *saved = iss->patch_prefix;
        iss->patch_prefix = pp;
        lt__issue(iss, "VERSION_DIFF", q, "version %s has %s where version %s has %s", vname,
                  now ? now : "nothing (removed)", lname, was ? was : "nothing");
        iss->patch_prefix = saved;
        free(was);
        free(now);
    }
}

static void lint_versions(const lt_protocol *p, lt__issues *iss)
{
    const char *latest = lt_json_get_str(p->orig, "version", "?");
    size_t i = 0;
    for (const lt_json *v = lt_json_first(lt_json_get(p->orig, "versions")); v;
         v = lt_json_next(v), i++)
        diff_patch(p->orig, lt_json_get(v, "changes"), "", lt_json_get_str(v, "version", "?"),
                   latest, i, iss);
}

/* ---- totals and pointers ------------------------------------------------------------------ */

static double to_mbq(const lt_json *a)
{
    const char *u = lt_json_get_str(a, "unit", "MBq");
    double v = lt_json_get_num(a, "value", NAN);
    return !strcmp(u, "GBq") ? v * 1000 : !strcmp(u, "mCi") ? v * 37 : v;
}

static void lint_activity(const lt_protocol *p, lt__issues *iss)
{
    for (const lt_json *a = lt_json_first(lt_json_get(p->doc, "arms")); a; a = lt_json_next(a))
        for (const lt_json *iv = lt_json_first(lt_json_get(a, "interventions")); iv;
             iv = lt_json_next(iv)) {
            const lt_json *per = lt_json_get(iv, "activity_per_cycle"),
                          *tot = lt_json_get(iv, "total_activity");
            double cycles = lt_json_get_num(iv, "cycles", 0);
            if (!per || !tot || !(cycles > 0)) continue;
            double want = cycles * to_mbq(per), got = to_mbq(tot);
            if (fabs(want - got) > 1e-6 * want) {
                char q[LT_ERROR_WHERE_MAX], q2[LT_ERROR_WHERE_MAX];
                lt__path_key(q, sizeof q, "arms", lt_json_key(a));
                lt__path_key(q2, sizeof q2, q, "interventions");
                lt__path_key(q, sizeof q, q2, lt_json_key(iv));
                lt__path_key(q2, sizeof q2, q, "total_activity");
                lt__issue(iss, "TOTAL_ACTIVITY", q2,
                          "total activity %g MBq is not %g cycles x %g MBq = %g MBq", got, cycles,
                          to_mbq(per), want);
            }
        }
}

static void lint_choices(const lt_protocol *p, lt__issues *iss)
{
    size_t i = 0;
    for (const lt_json *c = lt_json_first(lt_json_get(p->doc, "choices")); c;
         c = lt_json_next(c), i++) {
        const char *about = lt_json_get_str(c, "about", NULL);
        int l, col;
        if (about && !lt__locate(p->text, p->len, about, &l, &col)) {
            char q[LT_ERROR_WHERE_MAX];
            lt__path_index(q, sizeof q, "choices", i);
            char q2[LT_ERROR_WHERE_MAX];
            lt__path_key(q2, sizeof q2, q, "about");
            lt__issue(iss, "CHOICE_PATH", q2, "\"%s\" names nothing in this file", about);
        }
    }
}

/* Declared windows and anchors that no rule uses are probably a typo elsewhere. */
static bool uses_window(const lt_rule *r, const lt_window *w)
{
    if (!r) return false;
    if (r->window == w) return true;
    for (size_t i = 0; i < r->nkids; i++)
        if (uses_window(r->kids[i], w)) return true;
    return uses_window(r->match, w) || uses_window(r->unless, w);
}

static bool refers_to(const lt_rule *r, size_t j)
{
    if (!r) return false;
    if (r->type == LT_RULE_CRITERION && r->ref == j) return true;
    for (size_t i = 0; i < r->nkids; i++)
        if (refers_to(r->kids[i], j)) return true;
    return refers_to(r->unless, j);
}

static void lint_unused(const lt_protocol *p, lt__issues *iss)
{
    /* a sub-item its parent's rule never asks for decides nothing */
    for (size_t j = 0; j < p->ncrit; j++) {
        if (!p->crit[j].part_of) continue;
        bool used = false;
        for (size_t c = 0; c < p->ncrit && !used; c++)
            if (!strcmp(p->crit[c].id, p->crit[j].part_of)) used = refers_to(p->crit[c].rule, j);
        if (!used) {
            char q[LT_ERROR_WHERE_MAX];
            lt__path_key(q, sizeof q, "criteria", p->crit[j].id);
            lt__issue(
                iss, "UNUSED_SUBITEM", q,
                "%s is part of %s, but %s's rule does not refer to it ({\"criterion\": \"%s\"})",
                p->crit[j].id, p->crit[j].part_of, p->crit[j].part_of, p->crit[j].id);
        }
    }
    for (size_t w = 0; w < p->nwindows; w++) {
        bool used = false;
        for (size_t c = 0; c < p->ncrit && !used; c++)
            used = uses_window(p->crit[c].rule, &p->windows[w]);
        if (!used) {
            char q[LT_ERROR_WHERE_MAX];
            lt__path_key(q, sizeof q, "windows", p->windows[w].name);
            lt__issue(iss, "UNUSED_WINDOW", q, "window \"%s\" is declared but no criterion uses it",
                      p->windows[w].name);
        }
    }
}

lt_status lt_protocol_lint(const lt_protocol *p, lt_protocol_issue **issues, size_t *nissues,
                           lt_error *err)
{
    if (!p || !issues || !nissues) LT_FAIL(err, LT_EINVAL, "", "lt_protocol_lint: bad arguments");
    lt__issues iss = {0};
    iss.text = p->text;
    iss.len = p->len;
    lint_design(p, &iss);
    for (size_t i = 0; i < p->ncrit; i++)
        lint_thresholds(&p->crit[i], p->crit[i].rule, &iss);
    lint_activity(p, &iss);
    lint_unused(p, &iss);
    lint_choices(p, &iss);
    lint_versions(p, &iss);
    if (iss.oom) {
        free(iss.v);
        LT_FAIL(err, LT_ENOMEM, p->source, "out of memory linting the protocol");
    }
    *issues = iss.v;
    *nissues = iss.n;
    return LT_OK;
}
