/* Lint: inconsistencies in a valid protocol that a reviewer should see. Design figures that
 * disagree (a hazard ratio against the survival figures it should reflect), thresholds of one
 * analyte that differ after unit conversion, what differs between versions, totals that do not
 * add up, choices that point at nothing, cycle timing the arms and the schedule state
 * differently, other names the sources give an arm. */
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

/* ---- cycle timing held twice ------------------------------------------------------------- */
/* An intervention's first_cycle / interval / max_interval / cycles and the schedule's
 * treatment items (kind "treatment") say the same thing twice; the schedule is what visits
 * are planned from and the arm is what the protocol summary shows, so a difference between the
 * two is a mistake in one of them. The schedule member is validated by the schedule module;
 * here a malformed duration is simply not compared. */

static bool cyc_dur(const lt_json *v, lt_duration *d)
{
    static const char *const units[] = {"days", "weeks", "months", "years"};
    if (!lt_json_is_object(v) || lt_json_size(v) != 1) return false;
    const lt_json *m = lt_json_first(v);
    double x;
    if (!lt_json_num(m, &x) || x != floor(x) || fabs(x) > 1e6) return false;
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(lt_json_key(m), units[i])) {
            d->n = (int)x;
            d->unit = "dwmy"[i];
            return true;
        }
    return false;
}

/* Days and weeks compare by length; months and years are calendar units and compare only with
 * each other (2 months is not 8 weeks). An absent duration reads as zero. */
static bool cyc_dur_eq(lt_duration a, lt_duration b)
{
    bool ca = a.unit == 'm' || a.unit == 'y', cb = b.unit == 'm' || b.unit == 'y';
    if (a.n == 0 && b.n == 0) return true;
    if (ca != cb) return false;
    if (ca) return a.n * (a.unit == 'y' ? 12 : 1) == b.n * (b.unit == 'y' ? 12 : 1);
    return a.n * (a.unit == 'w' ? 7 : 1) == b.n * (b.unit == 'w' ? 7 : 1);
}

static const char *cyc_dur_str(char *buf, size_t cap, const lt_json *v)
{
    lt_duration d;
    if (!v) return "none";
    if (!cyc_dur(v, &d)) return "(unreadable)";
    const char *u = d.unit == 'd' ? "day" : d.unit == 'w' ? "week" : d.unit == 'm' ? "month" : "year";
    snprintf(buf, cap, "%d %s%s", d.n, u, d.n == 1 ? "" : "s");
    return buf;
}

/* Compares two durations (either may be absent = 0); false when they differ. A duration that
 * cannot be read is not compared. */
static bool cyc_same(const lt_json *a, const lt_json *b)
{
    lt_duration x = {0, 'd'}, y = {0, 'd'};
    if ((a && !cyc_dur(a, &x)) || (b && !cyc_dur(b, &y))) return true;
    return cyc_dur_eq(x, y);
}

static bool cyc_item_in_arm(const lt_json *item, const char *arm)
{
    const char *kind = lt_json_get_str(item, "kind", "");
    if (strcmp(kind, "treatment")) return false;
    const lt_json *arms = lt_json_get(item, "arms");
    if (!arms) return true; /* no arms: every arm */
    for (size_t i = 0; i < lt_json_size(arms); i++) {
        const char *a = lt_json_str(lt_json_at(arms, i));
        if (a && !strcmp(a, arm)) return true;
    }
    return false;
}

/* The schedule's window {"before": d, "after": d} against the intervention's symmetric ±d. */
static void cyc_window(const lt_json *want, const char *wpath, const lt_json *item,
                       const char *ipath, lt__issues *iss)
{
    const lt_json *w = lt_json_get(item, "window");
    const lt_json *before = lt_json_get(w, "before"), *after = lt_json_get(w, "after");
    if (cyc_same(want, before) && cyc_same(want, after)) return;
    char q[LT_ERROR_WHERE_MAX], b1[48], b2[48], b3[48];
    lt__path_key(q, sizeof q, ipath, "window");
    lt__issue(iss, "SCHEDULE_MISMATCH", w ? q : ipath,
              "%s allows ±%s, but schedule item %s allows %s before and %s after", wpath,
              cyc_dur_str(b1, sizeof b1, want), lt_json_key(item),
              cyc_dur_str(b2, sizeof b2, before), cyc_dur_str(b3, sizeof b3, after));
}

static void cyc_offset(const lt_json *want, const char *wpath, const lt_json *item,
                       const char *ipath, const char *from, lt__issues *iss)
{
    const lt_json *o = lt_json_get(item, "offset");
    if (cyc_same(want, o)) return;
    char q[LT_ERROR_WHERE_MAX], b1[48], b2[48];
    lt__path_key(q, sizeof q, ipath, "offset");
    lt__issue(iss, "SCHEDULE_MISMATCH", o ? q : ipath,
              "%s is %s, but schedule item %s is %s after %s", wpath,
              cyc_dur_str(b1, sizeof b1, want), lt_json_key(item), cyc_dur_str(b2, sizeof b2, o),
              from);
}

static void lint_cycle_timing(const lt_protocol *p, lt__issues *iss)
{
    const lt_json *items = lt_json_get(lt_json_get(p->doc, "schedule"), "items");
    if (!lt_json_is_object(items)) return;
    for (const lt_json *a = lt_json_first(lt_json_get(p->doc, "arms")); a; a = lt_json_next(a))
        for (const lt_json *iv = lt_json_first(lt_json_get(a, "interventions")); iv;
             iv = lt_json_next(iv)) {
            const lt_json *fc = lt_json_get(iv, "first_cycle");
            if (!fc) continue;
            const char *arm = lt_json_key(a);
            char ip[LT_ERROR_WHERE_MAX], t[LT_ERROR_WHERE_MAX], wp[LT_ERROR_WHERE_MAX];
            lt__path_key(t, sizeof t, "arms", arm);
            lt__path_key(wp, sizeof wp, t, "interventions");
            lt__path_key(ip, sizeof ip, wp, lt_json_key(iv));
            const char *anchor = lt_json_get_str(fc, "anchor", "");
            /* the first cycle: a treatment item of this arm not anchored on another one;
             * with several, the one on the intervention's anchor */
            const lt_json *root = NULL;
            size_t nroots = 0;
            for (const lt_json *it = lt_json_first(items); it; it = lt_json_next(it)) {
                if (!cyc_item_in_arm(it, arm)) continue;
                const lt_json *on = lt_json_get(items, lt_json_get_str(it, "anchor", ""));
                if (on && cyc_item_in_arm(on, arm)) continue;
                nroots++;
                if (!root || !strcmp(lt_json_get_str(it, "anchor", ""), anchor)) root = it;
            }
            lt__path_key(t, sizeof t, ip, "first_cycle");
            if (!root) {
                lt__issue(iss, "SCHEDULE_MISMATCH", t,
                          "arm %s gives %s cycles but the schedule has no treatment item for it",
                          arm, lt_json_key(iv));
                continue;
            }
            char rp[LT_ERROR_WHERE_MAX];
            lt__path_key(rp, sizeof rp, "schedule.items", lt_json_key(root));
            const char *ranchor = lt_json_get_str(root, "anchor", "");
            if (strcmp(ranchor, anchor)) {
                char q[LT_ERROR_WHERE_MAX];
                lt__path_key(q, sizeof q, rp, "anchor");
                lt__issue(iss, "SCHEDULE_MISMATCH", q,
                          "%s.anchor is \"%s\", but schedule item %s (the first cycle%s) is "
                          "anchored on \"%s\"",
                          t, anchor, lt_json_key(root), nroots > 1 ? ", of several" : "",
                          ranchor);
            }
            char f[LT_ERROR_WHERE_MAX];
            lt__path_key(f, sizeof f, t, "offset");
            cyc_offset(lt_json_get(fc, "offset"), f, root, rp, ranchor, iss);
            lt__path_key(f, sizeof f, t, "window");
            cyc_window(lt_json_get(fc, "window"), f, root, rp, iss);

            /* the later cycles: each anchored on the one before */
            const lt_json *in = lt_json_get(iv, "interval"), *mx = lt_json_get(iv, "max_interval");
            char ino[LT_ERROR_WHERE_MAX], inw[LT_ERROR_WHERE_MAX], mxp[LT_ERROR_WHERE_MAX];
            lt__path_key(t, sizeof t, ip, "interval");
            lt__path_key(ino, sizeof ino, t, "offset");
            lt__path_key(inw, sizeof inw, t, "window");
            lt__path_key(mxp, sizeof mxp, ip, "max_interval");
            size_t count = 1, limit = lt_json_size(items);
            bool repeats = lt_json_get(root, "repeat") != NULL;
            const lt_json *prev = root;
            while (count <= limit) {
                const lt_json *next = NULL;
                for (const lt_json *it = lt_json_first(items); it && !next; it = lt_json_next(it))
                    if (cyc_item_in_arm(it, arm) &&
                        !strcmp(lt_json_get_str(it, "anchor", ""), lt_json_key(prev)))
                        next = it;
                if (!next) break;
                count++;
                repeats = repeats || lt_json_get(next, "repeat") != NULL;
                char np[LT_ERROR_WHERE_MAX];
                lt__path_key(np, sizeof np, "schedule.items", lt_json_key(next));
                if (in) {
                    cyc_offset(lt_json_get(in, "offset"), ino, next, np, lt_json_key(prev), iss);
                    cyc_window(lt_json_get(in, "window"), inw, next, np, iss);
                }
                const lt_json *dm = lt_json_get(lt_json_get(next, "delay"), "max");
                if (!cyc_same(mx, dm)) {
                    char q[LT_ERROR_WHERE_MAX], b1[48], b2[48];
                    lt__path_key(q, sizeof q, np, "delay");
                    lt__issue(iss, "SCHEDULE_MISMATCH", dm ? q : np,
                              "%s is %s, but schedule item %s may be delayed to %s", mxp,
                              cyc_dur_str(b1, sizeof b1, mx), lt_json_key(next),
                              cyc_dur_str(b2, sizeof b2, dm));
                }
                prev = next;
            }
            double cycles;
            if (!repeats && lt_json_num(lt_json_get(iv, "cycles"), &cycles) &&
                cycles != (double)count) {
                lt__path_key(t, sizeof t, ip, "cycles");
                lt__issue(iss, "SCHEDULE_MISMATCH", t,
                          "%s gives %g cycles, but the schedule chains %zu treatment item%s for "
                          "arm %s (from %s)",
                          t, cycles, count, count == 1 ? "" : "s", arm, lt_json_key(root));
            }
        }
}

/* Other names the sources give an arm (arms.X.also_called): the file records one name and the
 * conflict, and lint shows it so that a reader of another document can match the arm. */
static void lint_arm_names(const lt_protocol *p, lt__issues *iss)
{
    for (const lt_json *a = lt_json_first(lt_json_get(p->doc, "arms")); a; a = lt_json_next(a)) {
        const lt_json *aka = lt_json_get(a, "also_called");
        for (size_t k = 0; k < lt_json_size(aka); k++) {
            const lt_json *e = lt_json_at(aka, k);
            const char *name = lt_json_get_str(e, "name", NULL);
            if (!name) continue;
            char q[LT_ERROR_WHERE_MAX], q2[LT_ERROR_WHERE_MAX];
            lt__path_key(q, sizeof q, "arms", lt_json_key(a));
            lt__path_key(q2, sizeof q2, q, "also_called");
            lt__path_index(q, sizeof q, q2, k);
            lt__issue(iss, "ARM_NAMES", q,
                      "arm %s is called \"%s\" in this file but \"%s\" in source %s",
                      lt_json_key(a), lt_json_get_str(a, "name", "?"), name,
                      lt_json_get_str(e, "source", "?"));
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
    lint_cycle_timing(p, &iss);
    lint_arm_names(p, &iss);
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
