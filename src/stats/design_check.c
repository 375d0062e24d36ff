/* The "design" member of a protocol file: reading it with exact JSON paths in errors, and
 * `design check`: recomputing what its stated numbers imply (the hazard ratio the survival
 * figures give under proportional hazards, events and patients needed, power of what is
 * stated, the alpha at which the stated size would suffice). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/design.h"

/* ---------------------------------------------------------------------------------------- */
/* Reading */

typedef struct reader {
    const char *prefix;
    lt_error *err;
} reader;

static void path_of(const reader *r, const char *sub, char *buf, size_t size)
{
    /* a path longer than the message's buffer is cut, which is all a message needs; using the
     * result tells gcc so (its format-truncation stopped the -Werror build at -O3) */
    if (snprintf(buf, size, "%s%s%s", r->prefix, r->prefix[0] ? "." : "", sub) >= (int)size &&
        size > 4)
        memcpy(buf + size - 4, "...", 4);
}

/* A short rendering of what was found, for messages. */
static void found_text(const lt_json *v, char *buf, size_t size)
{
    if (!v) {
        snprintf(buf, size, "nothing (the member is missing)");
        return;
    }
    char *s = lt_json_print(v);
    if (!s) {
        snprintf(buf, size, "a value");
        return;
    }
    if (strlen(s) > 60) strcpy(s + 57, "...");
    snprintf(buf, size, "%s", s);
    free(s);
}

/* A number member in [lo, hi] (open ends when lo_open / hi_open). Absent: *out untouched
 * and returns LT_OK unless required. */
static lt_status get_num(const reader *r, const lt_json *obj, const char *key, const char *sub,
                         bool required, double lo, bool lo_open, double hi, bool hi_open,
                         const char *expected, double *out)
{
    const lt_json *v = lt_json_get(obj, key);
    char path[LT_ERROR_WHERE_MAX], found[96];
    if (!v && !required) return LT_OK;
    double x;
    if (!v || !lt_json_num(v, &x) || !isfinite(x) || (lo_open ? x <= lo : x < lo) ||
        (hi_open ? x >= hi : x > hi)) {
        path_of(r, sub, path, sizeof path);
        found_text(v, found, sizeof found);
        LT_FAIL(r->err, LT_ESCHEMA, path, "expected %s, found %s", expected, found);
    }
    *out = x;
    return LT_OK;
}

static const char *const known_members[] = {
    "primary_endpoint", "comparative", "alpha", "sides", "power", "allocation_ratio",
    "hazard_ratio", "survival", "medians", "accrual_months", "follow_up_months", "dropout",
    "events", "patients", "method", "piecewise", "choices", "note", NULL};

static lt_status read_piecewise(const reader *r, const lt_json *arr, const char *sub,
                                lt_piecewise *pw)
{
    char path[LT_ERROR_WHERE_MAX], found[96];
    size_t n = lt_json_size(arr);
    if (!lt_json_is_array(arr) || n == 0 || n > LT_DESIGN_MAX_PIECES) {
        path_of(r, sub, path, sizeof path);
        found_text(arr, found, sizeof found);
        LT_FAIL(r->err, LT_ESCHEMA, path,
                "expected an array of 1 to %d pieces {\"from_months\": t, \"hazard\": h}, "
                "found %s", LT_DESIGN_MAX_PIECES, found);
    }
    pw->n = n;
    for (size_t k = 0; k < n; k++) {
        const lt_json *piece = lt_json_at(arr, k);
        char psub[160];
        snprintf(psub, sizeof psub, "%s[%zu].from_months", sub, k);
        double from = NAN, h = NAN;
        lt_status st = get_num(r, piece, "from_months", psub, true, 0, false, INFINITY, true,
                               "months >= 0", &from);
        if (st) return st;
        if ((k == 0 && from != 0) || (k > 0 && from <= pw->start[k - 1])) {
            path_of(r, psub, path, sizeof path);
            LT_FAIL(r->err, LT_ESCHEMA, path,
                    "expected %s, found %g",
                    k == 0 ? "0 for the first piece" : "a start after the previous piece's",
                    from);
        }
        snprintf(psub, sizeof psub, "%s[%zu].hazard", sub, k);
        st = get_num(r, piece, "hazard", psub, true, 0, false, INFINITY, true,
                     "a hazard per month >= 0", &h);
        if (st) return st;
        pw->start[k] = from;
        pw->hazard[k] = h;
    }
    return LT_OK;
}

lt_status lt_protocol_design_read(const lt_json *member, const char *path_prefix,
                                  lt_protocol_design *out, lt_error *err)
{
    reader r = {path_prefix ? path_prefix : "", err};
    char path[LT_ERROR_WHERE_MAX], found[96];
    lt_status st;
    if (!lt_json_is_object(member)) {
        snprintf(path, sizeof path, "%s", r.prefix);
        found_text(member, found, sizeof found);
        LT_FAIL(err, LT_ESCHEMA, path, "expected an object, found %s", found);
    }
    for (const lt_json *m = lt_json_first(member); m; m = lt_json_next(m)) {
        const char *k = lt_json_key(m);
        bool known = false;
        for (size_t i = 0; known_members[i]; i++) known |= !strcmp(k, known_members[i]);
        if (!known) {
            path_of(&r, k, path, sizeof path);
            LT_FAIL(err, LT_ESCHEMA, path,
                    "unknown member; expected one of primary_endpoint, comparative, alpha, "
                    "sides, power, allocation_ratio, hazard_ratio, survival, medians, "
                    "accrual_months, follow_up_months, dropout, events, patients, method, "
                    "piecewise, choices, note");
        }
    }
    lt_protocol_design pd;
    memset(&pd, 0, sizeof pd);
    lt_design_init(&pd.design);
    pd.comparative = true;
    pd.stated_hr = NAN;
    const lt_json *v = lt_json_get(member, "comparative");
    if (v && !lt_json_bool(v, &pd.comparative)) {
        path_of(&r, "comparative", path, sizeof path);
        found_text(v, found, sizeof found);
        LT_FAIL(err, LT_ESCHEMA, path, "expected true or false, found %s", found);
    }
    v = lt_json_get(member, "primary_endpoint");
    if (v) {
        const char *s = lt_json_str(v);
        if (!s || !s[0] || strlen(s) >= sizeof pd.primary_endpoint) {
            path_of(&r, "primary_endpoint", path, sizeof path);
            found_text(v, found, sizeof found);
            LT_FAIL(err, LT_ESCHEMA, path, "expected a short name such as \"DFS\", found %s",
                    found);
        }
        snprintf(pd.primary_endpoint, sizeof pd.primary_endpoint, "%s", s);
    }
    double x = NAN;
    st = get_num(&r, member, "patients", "patients", !pd.comparative, 1, false, 1e7, false,
                 "a whole number of patients >= 1", &x);
    if (st) return st;
    if (isfinite(x)) {
        if (x != floor(x)) {
            path_of(&r, "patients", path, sizeof path);
            LT_FAIL(err, LT_ESCHEMA, path, "expected a whole number of patients, found %g", x);
        }
        pd.patients = (long)x;
    }
    v = lt_json_get(member, "choices");
    if (v && !lt_json_is_array(v)) {
        path_of(&r, "choices", path, sizeof path);
        found_text(v, found, sizeof found);
        LT_FAIL(err, LT_ESCHEMA, path, "expected an array of recorded choices, found %s", found);
    }
    /* each choice as the protocol's top-level choices: id, about, sources, choice, why */
    size_t k = 0;
    for (const lt_json *ch = v ? lt_json_first(v) : NULL; ch; ch = lt_json_next(ch), k++) {
        static const char *const need[] = {"id", "about", "choice", "why"};
        for (size_t q = 0; q < 4; q++) {
            const lt_json *f = lt_json_get(ch, need[q]);
            if (!lt_json_str(f)) {
                char sub[64];
                snprintf(sub, sizeof sub, "choices[%zu].%s", k, need[q]);
                path_of(&r, sub, path, sizeof path);
                found_text(f, found, sizeof found);
                LT_FAIL(err, LT_ESCHEMA, path, "expected a string, found %s", found);
            }
        }
        if (!lt_json_is_array(lt_json_get(ch, "sources"))) {
            char sub[64];
            snprintf(sub, sizeof sub, "choices[%zu].sources", k);
            path_of(&r, sub, path, sizeof path);
            found_text(lt_json_get(ch, "sources"), found, sizeof found);
            LT_FAIL(err, LT_ESCHEMA, path, "expected an array of source ids, found %s", found);
        }
        const lt_json *as = lt_json_get(ch, "assumption");
        bool assumed = false;
        if (as && !lt_json_bool(as, &assumed)) {
            char sub[64];
            snprintf(sub, sizeof sub, "choices[%zu].assumption", k);
            path_of(&r, sub, path, sizeof path);
            found_text(as, found, sizeof found);
            LT_FAIL(err, LT_ESCHEMA, path, "expected true or false, found %s", found);
        }
        if (assumed && pd.nassumptions < sizeof pd.assumptions / sizeof pd.assumptions[0]) {
            snprintf(pd.assumptions[pd.nassumptions].id, sizeof pd.assumptions[0].id, "%s",
                     lt_json_get_str(ch, "id", ""));
            snprintf(pd.assumptions[pd.nassumptions].about, sizeof pd.assumptions[0].about, "%s",
                     lt_json_get_str(ch, "about", ""));
            pd.nassumptions++;
        }
    }
    if (!pd.comparative) {
        *out = pd;
        return LT_OK;
    }

    lt_design *d = &pd.design;
    double sides = NAN;
    if ((st = get_num(&r, member, "alpha", "alpha", true, 0, true, 1, true,
                      "a number between 0 and 1", &d->alpha)) ||
        (st = get_num(&r, member, "sides", "sides", true, 1, false, 2, false, "1 or 2", &sides)) ||
        (st = get_num(&r, member, "power", "power", true, 0, true, 1, true,
                      "a number between 0 and 1", &d->power)) ||
        (st = get_num(&r, member, "allocation_ratio", "allocation_ratio", false, 0, true,
                      INFINITY, true, "a number above 0 (treatment per control patient)",
                      &d->allocation_ratio)) ||
        (st = get_num(&r, member, "accrual_months", "accrual_months", true, 0, true, INFINITY,
                      true, "months above 0", &d->accrual_months)) ||
        (st = get_num(&r, member, "follow_up_months", "follow_up_months", true, 0, false,
                      INFINITY, true, "months >= 0", &d->follow_up_months)))
        return st;
    if (sides != 1 && sides != 2) {
        path_of(&r, "sides", path, sizeof path);
        LT_FAIL(err, LT_ESCHEMA, path, "expected 1 or 2, found %g", sides);
    }
    d->sides = (int)sides;
    v = lt_json_get(member, "method");
    if (v && !lt_ss_method_parse(lt_json_str(v), &d->method)) {
        path_of(&r, "method", path, sizeof path);
        found_text(v, found, sizeof found);
        LT_FAIL(err, LT_ESCHEMA, path,
                "expected \"schoenfeld\", \"freedman\" or \"lachin-foulkes\", found %s", found);
    }
    if (lt_json_get(member, "hazard_ratio")) {
        if ((st = get_num(&r, member, "hazard_ratio", "hazard_ratio", true, 0, true, INFINITY,
                          true, "a hazard ratio above 0", &pd.stated_hr)))
            return st;
        if (pd.stated_hr == 1) {
            path_of(&r, "hazard_ratio", path, sizeof path);
            LT_FAIL(err, LT_ESCHEMA, path, "expected a hazard ratio other than 1, found 1");
        }
        pd.has_stated_hr = true;
    }
    const lt_json *surv = lt_json_get(member, "survival");
    if (surv) {
        if (!lt_json_is_object(surv)) {
            path_of(&r, "survival", path, sizeof path);
            found_text(surv, found, sizeof found);
            LT_FAIL(err, LT_ESCHEMA, path,
                    "expected {\"at_months\": t, \"control\": s, \"treatment\": s}, found %s",
                    found);
        }
        if ((st = get_num(&r, surv, "at_months", "survival.at_months", true, 0, true, INFINITY,
                          true, "months above 0", &pd.at_months)) ||
            (st = get_num(&r, surv, "control", "survival.control", true, 0, true, 1, true,
                          "a proportion between 0 and 1", &pd.s_control)) ||
            (st = get_num(&r, surv, "treatment", "survival.treatment", true, 0, true, 1, true,
                          "a proportion between 0 and 1", &pd.s_treatment)))
            return st;
        lt_error e2;
        if (lt_design_effect_from_survival(pd.s_control, pd.s_treatment, pd.at_months,
                                           &d->hazard_ratio, &d->control_hazard, &e2)) {
            path_of(&r, "survival.treatment", path, sizeof path);
            LT_FAIL(err, LT_ESCHEMA, path, "%s", e2.message);
        }
        pd.has_survival = true;
    }
    const lt_json *med = lt_json_get(member, "medians");
    if (med) {
        if (!lt_json_is_object(med)) {
            path_of(&r, "medians", path, sizeof path);
            found_text(med, found, sizeof found);
            LT_FAIL(err, LT_ESCHEMA, path,
                    "expected {\"control\": months, \"treatment\": months}, found %s", found);
        }
        if ((st = get_num(&r, med, "control", "medians.control", true, 0, true, INFINITY, true,
                          "months above 0", &pd.m_control)) ||
            (st = get_num(&r, med, "treatment", "medians.treatment", true, 0, true, INFINITY,
                          true, "months above 0", &pd.m_treatment)))
            return st;
        if (pd.m_control == pd.m_treatment) {
            path_of(&r, "medians.treatment", path, sizeof path);
            LT_FAIL(err, LT_ESCHEMA, path,
                    "expected a median different from the control's (%g)", pd.m_control);
        }
        pd.has_medians = true;
        if (!pd.has_survival)
            lt_design_effect_from_medians(pd.m_control, pd.m_treatment, &d->hazard_ratio,
                                          &d->control_hazard, NULL);
    }
    if (!pd.has_survival && !pd.has_medians) {
        if (!pd.has_stated_hr) {
            path_of(&r, "hazard_ratio", path, sizeof path);
            LT_FAIL(err, LT_ESCHEMA, path,
                    "expected the effect: hazard_ratio, survival {at_months, control, "
                    "treatment} or medians {control, treatment}; found none of them");
        }
        d->hazard_ratio = pd.stated_hr;
    }
    const lt_json *drop = lt_json_get(member, "dropout");
    pd.dropout_at_months = 12;
    if (drop) {
        if (!lt_json_is_object(drop)) {
            path_of(&r, "dropout", path, sizeof path);
            found_text(drop, found, sizeof found);
            LT_FAIL(err, LT_ESCHEMA, path, "expected {\"rate\": p, \"at_months\": t}, found %s",
                    found);
        }
        if ((st = get_num(&r, drop, "rate", "dropout.rate", true, 0, false, 1, true,
                          "a proportion in [0, 1)", &pd.dropout_rate)) ||
            (st = get_num(&r, drop, "at_months", "dropout.at_months", true, 0, true, INFINITY,
                          true, "months above 0", &pd.dropout_at_months)))
            return st;
        lt_design_dropout_hazard(pd.dropout_rate, pd.dropout_at_months, &d->dropout_hazard, NULL);
    }
    x = NAN;
    st = get_num(&r, member, "events", "events", false, 1, false, 1e7, false,
                 "a whole number of events >= 1", &x);
    if (st) return st;
    if (isfinite(x)) {
        if (x != floor(x)) {
            path_of(&r, "events", path, sizeof path);
            LT_FAIL(err, LT_ESCHEMA, path, "expected a whole number of events, found %g", x);
        }
        pd.events = (long)x;
        if (pd.patients > 0 && pd.events > pd.patients) {
            path_of(&r, "events", path, sizeof path);
            LT_FAIL(err, LT_ESCHEMA, path,
                    "expected at most as many events as patients (%ld), found %ld", pd.patients,
                    pd.events);
        }
    }
    const lt_json *pw = lt_json_get(member, "piecewise");
    if (pw) {
        if (!lt_json_is_object(pw)) {
            path_of(&r, "piecewise", path, sizeof path);
            found_text(pw, found, sizeof found);
            LT_FAIL(err, LT_ESCHEMA, path,
                    "expected {\"control\": [pieces], \"treatment\": [pieces]}, found %s", found);
        }
        if ((st = read_piecewise(&r, lt_json_get(pw, "control"), "piecewise.control",
                                 &pd.control)) ||
            (st = read_piecewise(&r, lt_json_get(pw, "treatment"), "piecewise.treatment",
                                 &pd.treatment)))
            return st;
        pd.has_piecewise = true;
    }
    lt_error e3;
    if (lt_design_validate(d, &e3)) {
        path_of(&r, e3.where, path, sizeof path);
        LT_FAIL(err, LT_ESCHEMA, path, "%s", e3.message);
    }
    *out = pd;
    return LT_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Checking */

lt_status lt_design_check_run(const lt_protocol_design *pd, lt_design_check *out, lt_error *err)
{
    lt_design_check c;
    memset(&c, 0, sizeof c);
    c.comparative = pd->comparative;
    c.stated_hr = pd->has_stated_hr ? pd->stated_hr : NAN;
    c.implied_hr = NAN;
    c.power_stated_events = c.power_stated_patients = c.expected_events = NAN;
    c.detectable_hr = c.implied_alpha_one_sided = NAN;
    c.required.events = c.required.patients = NAN;
    c.required_stated_hr.events = c.required_stated_hr.patients = NAN;
    c.required_stated_hr.patients_needed = c.required.patients_needed = -1;
    if (!pd->comparative) {
        *out = c;
        return LT_OK;
    }
    const lt_design *d = &pd->design;
    lt_status st;
    if (pd->has_survival || pd->has_medians) {
        c.implied_hr = d->hazard_ratio;
        if (pd->has_stated_hr && fabs(c.stated_hr / c.implied_hr - 1) > 0.05) {
            c.hr_conflict = true;
            c.findings++;
        }
    }
    if ((st = lt_design_sample_size(d, &c.required, err))) return st;
    if (pd->has_stated_hr && (pd->has_survival || pd->has_medians)) {
        lt_design ds = *d;
        ds.hazard_ratio = pd->stated_hr;
        if ((st = lt_design_sample_size(&ds, &c.required_stated_hr, err))) return st;
    }
    lt_design_power_result pr;
    if (pd->events > 0) {
        if ((st = lt_design_power(d, 0, (double)pd->events, &pr, err))) return st;
        c.power_stated_events = pr.power;
        c.detectable_hr = lt_design_detectable_hr(d, (double)pd->events);
        if (pr.power < d->power - 1e-9) c.findings++;
    }
    if (pd->patients > 0 && d->control_hazard > 0) {
        if ((st = lt_design_power(d, (double)pd->patients, 0, &pr, err))) return st;
        c.power_stated_patients = pr.power;
        c.expected_events = pr.events;
        if (pr.power < d->power - 1e-9) c.findings++;
        if ((st = lt_design_implied_alpha(d, (double)pd->patients, 0,
                                          &c.implied_alpha_one_sided, err)))
            return st;
        static const double conventional[] = {0.025, 0.05, 0.10};
        for (int i = 0; i < 3; i++)
            if (c.implied_alpha_one_sided <= conventional[i] + 1e-12) {
                c.conventional_alpha_one_sided = conventional[i];
                break;
            }
    }
    *out = c;
    return LT_OK;
}

static void alpha_words(lt_buf *b, double alpha, int sides)
{
    lt_buf_printf(b, "%s alpha %g", sides == 2 ? "two-sided" : "one-sided", alpha);
}

void lt_design_check_text(const lt_protocol_design *pd, const lt_design_check *c, lt_buf *b)
{
    if (!pd->comparative) {
        lt_buf_printf(b, "single-arm design (%ld patients%s%s): no comparison to recompute\n",
                      pd->patients, pd->primary_endpoint[0] ? ", primary endpoint " : "",
                      pd->primary_endpoint);
        return;
    }
    const lt_design *d = &pd->design;
    lt_buf_printf(b, "primary endpoint: %s\n", pd->primary_endpoint[0] ? pd->primary_endpoint : "-");
    lt_buf_printf(b, "stated: ");
    alpha_words(b, d->alpha, d->sides);
    lt_buf_printf(b, ", power %g", d->power);
    if (pd->has_stated_hr) lt_buf_printf(b, ", hazard ratio %g", pd->stated_hr);
    if (pd->has_survival)
        lt_buf_printf(b, ", survival at %g months %g%% (control) vs %g%% (treatment)",
                      pd->at_months, 100 * pd->s_control, 100 * pd->s_treatment);
    if (pd->has_medians)
        lt_buf_printf(b, ", medians %g vs %g months", pd->m_control, pd->m_treatment);
    if (pd->events > 0) lt_buf_printf(b, ", %ld events", pd->events);
    if (pd->patients > 0) lt_buf_printf(b, ", %ld patients", pd->patients);
    lt_buf_printf(b, "; accrual %g months, follow-up %g months\n", d->accrual_months,
                  d->follow_up_months);
    if (isfinite(c->implied_hr)) {
        if (pd->has_survival)
            lt_buf_printf(b, "hazard ratio: %g%% vs %g%% at %g months is HR %.3f under "
                             "proportional hazards (ln %g / ln %g)",
                          100 * pd->s_treatment, 100 * pd->s_control, pd->at_months,
                          c->implied_hr, pd->s_treatment, pd->s_control);
        else
            lt_buf_printf(b, "hazard ratio: medians %g vs %g months are HR %.3f",
                          pd->m_control, pd->m_treatment, c->implied_hr);
        if (c->hr_conflict)
            lt_buf_printf(b, ", not the stated %g  [CONFLICT]\n", c->stated_hr);
        else
            lt_buf_printf(b, "%s\n", pd->has_stated_hr ? ", as stated" : "");
    }
    lt_buf_printf(b, "required at HR %.3f (%s, ", c->required.hazard_ratio,
                  lt_ss_method_name(d->method));
    alpha_words(b, d->alpha, d->sides);
    lt_buf_printf(b, ", power %g): %ld events", d->power, c->required.events_needed);
    if (c->required.patients_needed > 0)
        lt_buf_printf(b, ", %ld patients (event probability %.3f by the analysis)",
                      c->required.patients_needed, c->required.event_probability);
    lt_buf_printf(b, "\n");
    if (c->hr_conflict)
        lt_buf_printf(b, "at the stated HR %g the same test would need only %ld events\n",
                      c->stated_hr, c->required_stated_hr.events_needed);
    if (isfinite(c->power_stated_events))
        lt_buf_printf(b, "the stated %ld events give power %.3f at HR %.3f%s; they detect HR "
                         "%.3f with power %g\n",
                      pd->events, c->power_stated_events, c->required.hazard_ratio,
                      c->power_stated_events < d->power - 1e-9 ? "  [UNDERPOWERED]" : "",
                      c->detectable_hr, d->power);
    if (isfinite(c->power_stated_patients)) {
        lt_buf_printf(b, "the stated %ld patients expect %.1f events by month %g and give power "
                         "%.3f%s\n",
                      pd->patients, c->expected_events, d->accrual_months + d->follow_up_months,
                      c->power_stated_patients,
                      c->power_stated_patients < d->power - 1e-9 ? "  [UNDERPOWERED]" : "");
        lt_buf_printf(b, "with the stated %ld patients, power %g at HR %.3f needs one-sided "
                         "alpha >= %.3f",
                      pd->patients, d->power, c->required.hazard_ratio,
                      c->implied_alpha_one_sided);
        if (c->conventional_alpha_one_sided > 0)
            lt_buf_printf(b, " (the smallest of the conventional 0.025, 0.05, 0.10 that "
                             "suffices: %.3g)\n",
                          c->conventional_alpha_one_sided);
        else
            lt_buf_printf(b, " (none of the conventional one-sided 0.025, 0.05, 0.10 "
                             "suffices)\n");
    }
    for (size_t i = 0; i < pd->nassumptions; i++)
        lt_buf_printf(b, "assumption, not stated by the sources: %s (choice %s)\n",
                      pd->assumptions[i].about, pd->assumptions[i].id);
    lt_buf_printf(b, "%d finding%s\n", c->findings, c->findings == 1 ? "" : "s");
}

static void num_member(lt_buf *b, const char *key, double x, bool comma)
{
    lt_buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
    lt_buf_json_num(b, x);
}

void lt_design_check_json(const lt_protocol_design *pd, const lt_design_check *c, lt_buf *b)
{
    lt_buf_puts(b, "{\"comparative\":");
    lt_buf_puts(b, pd->comparative ? "true" : "false");
    lt_buf_puts(b, ",\"primary_endpoint\":");
    lt_buf_json_str(b, pd->primary_endpoint[0] ? pd->primary_endpoint : NULL);
    num_member(b, "stated_patients", pd->patients > 0 ? (double)pd->patients : NAN, true);
    if (!pd->comparative) {
        lt_buf_puts(b, ",\"findings\":0}\n");
        return;
    }
    const lt_design *d = &pd->design;
    lt_buf_puts(b, ",\"method\":");
    lt_buf_json_str(b, lt_ss_method_name(d->method));
    num_member(b, "alpha", d->alpha, true);
    num_member(b, "sides", d->sides, true);
    num_member(b, "power", d->power, true);
    num_member(b, "stated_hazard_ratio", c->stated_hr, true);
    num_member(b, "implied_hazard_ratio", c->implied_hr, true);
    lt_buf_printf(b, ",\"hazard_ratio_conflict\":%s", c->hr_conflict ? "true" : "false");
    num_member(b, "hazard_ratio", c->required.hazard_ratio, true);
    num_member(b, "events", (double)c->required.events_needed, true);
    num_member(b, "patients",
               c->required.patients_needed > 0 ? (double)c->required.patients_needed : NAN, true);
    num_member(b, "events_exact", c->required.events, true);
    num_member(b, "patients_exact", c->required.patients, true);
    num_member(b, "event_probability", c->required.event_probability, true);
    num_member(b, "events_at_stated_hazard_ratio",
               c->required_stated_hr.events_needed > 0 ? (double)c->required_stated_hr.events_needed
                                                       : NAN,
               true);
    num_member(b, "stated_events", pd->events > 0 ? (double)pd->events : NAN, true);
    num_member(b, "power_stated_events", c->power_stated_events, true);
    num_member(b, "detectable_hazard_ratio", c->detectable_hr, true);
    num_member(b, "expected_events_stated_patients", c->expected_events, true);
    num_member(b, "power_stated_patients", c->power_stated_patients, true);
    num_member(b, "implied_alpha_one_sided", c->implied_alpha_one_sided, true);
    lt_buf_puts(b, ",\"assumptions\":[");
    for (size_t i = 0; i < pd->nassumptions; i++) {
        lt_buf_puts(b, i ? ",{\"about\":" : "{\"about\":");
        lt_buf_json_str(b, pd->assumptions[i].about);
        lt_buf_puts(b, ",\"choice\":");
        lt_buf_json_str(b, pd->assumptions[i].id);
        lt_buf_putc(b, '}');
    }
    lt_buf_putc(b, ']');
    num_member(b, "conventional_alpha_one_sided",
               c->conventional_alpha_one_sided > 0 ? c->conventional_alpha_one_sided : NAN, true);
    lt_buf_printf(b, ",\"findings\":%d}\n", c->findings);
}
