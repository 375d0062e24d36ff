/* Sample size and power for a two-arm time-to-event comparison under proportional hazards:
 * Schoenfeld (1981) and Freedman (1982) events with rpact's patients-from-events rule, and
 * Lachin & Foulkes (1986) patients as gsDesign's nSurv computes them. Exponential survival,
 * uniform accrual, exponential dropout; time in months. */
#include <math.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "lutetia/design.h"

static const char *method_names[] = {"schoenfeld", "freedman", "lachin-foulkes"};

const char *lt_ss_method_name(lt_ss_method m)
{
    return (unsigned)m < 3 ? method_names[m] : "?";
}

bool lt_ss_method_parse(const char *s, lt_ss_method *out)
{
    for (int i = 0; i < 3; i++)
        if (s && !strcmp(s, method_names[i])) {
            *out = (lt_ss_method)i;
            return true;
        }
    return false;
}

void lt_design_init(lt_design *d)
{
    d->alpha = 0.05;
    d->sides = 2;
    d->power = 0.8;
    d->allocation_ratio = 1;
    d->hazard_ratio = NAN;
    d->control_hazard = 0;
    d->accrual_months = NAN;
    d->follow_up_months = NAN;
    d->dropout_hazard = 0;
    d->method = LT_SS_SCHOENFELD;
}

static bool in_open_unit(double x) { return isfinite(x) && x > 0 && x < 1; }

lt_status lt_design_effect_from_survival(double s_control, double s_treatment, double t,
                                         double *hr, double *control_hazard, lt_error *err)
{
    if (!in_open_unit(s_control))
        LT_FAIL(err, LT_EINVAL, "control survival",
                "expected a proportion between 0 and 1 (exclusive), found %g", s_control);
    if (!in_open_unit(s_treatment))
        LT_FAIL(err, LT_EINVAL, "treatment survival",
                "expected a proportion between 0 and 1 (exclusive), found %g", s_treatment);
    if (!(isfinite(t) && t > 0))
        LT_FAIL(err, LT_EINVAL, "at", "expected a time in months above 0, found %g", t);
    if (s_control == s_treatment)
        LT_FAIL(err, LT_EINVAL, "treatment survival",
                "expected a survival different from the control's (%g): no effect to detect",
                s_control);
    /* exponential: S(t) = exp(-lambda t), so lambda = -ln S(t) / t and the hazard ratio is the
     * ratio of the log survivals */
    *hr = log(s_treatment) / log(s_control);
    *control_hazard = -log(s_control) / t;
    return LT_OK;
}

lt_status lt_design_effect_from_medians(double m_control, double m_treatment, double *hr,
                                        double *control_hazard, lt_error *err)
{
    if (!(isfinite(m_control) && m_control > 0))
        LT_FAIL(err, LT_EINVAL, "control median", "expected months above 0, found %g",
                m_control);
    if (!(isfinite(m_treatment) && m_treatment > 0))
        LT_FAIL(err, LT_EINVAL, "treatment median", "expected months above 0, found %g",
                m_treatment);
    if (m_control == m_treatment)
        LT_FAIL(err, LT_EINVAL, "treatment median",
                "expected a median different from the control's (%g): no effect to detect",
                m_control);
    *hr = m_control / m_treatment; /* lambda = ln 2 / median */
    *control_hazard = M_LN2 / m_control;
    return LT_OK;
}

lt_status lt_design_dropout_hazard(double rate, double t, double *hazard, lt_error *err)
{
    if (!(isfinite(rate) && rate >= 0 && rate < 1))
        LT_FAIL(err, LT_EINVAL, "dropout rate", "expected a proportion in [0, 1), found %g",
                rate);
    if (!(isfinite(t) && t > 0))
        LT_FAIL(err, LT_EINVAL, "dropout time", "expected months above 0, found %g", t);
    *hazard = -log1p(-rate) / t;
    return LT_OK;
}

lt_status lt_design_validate(const lt_design *d, lt_error *err)
{
    if (!in_open_unit(d->alpha))
        LT_FAIL(err, LT_EINVAL, "alpha", "expected a number between 0 and 1, found %g", d->alpha);
    if (d->sides != 1 && d->sides != 2)
        LT_FAIL(err, LT_EINVAL, "sides", "expected 1 or 2, found %d", d->sides);
    if (!in_open_unit(d->power))
        LT_FAIL(err, LT_EINVAL, "power", "expected a number between 0 and 1, found %g", d->power);
    if (!(isfinite(d->allocation_ratio) && d->allocation_ratio > 0))
        LT_FAIL(err, LT_EINVAL, "allocation_ratio", "expected a number above 0, found %g",
                d->allocation_ratio);
    if (!(isfinite(d->hazard_ratio) && d->hazard_ratio > 0) || d->hazard_ratio == 1)
        LT_FAIL(err, LT_EINVAL, "hazard_ratio", "expected a number above 0 other than 1, found %g",
                d->hazard_ratio);
    if (!(isfinite(d->control_hazard) && d->control_hazard >= 0))
        LT_FAIL(err, LT_EINVAL, "control_hazard", "expected a hazard per month >= 0, found %g",
                d->control_hazard);
    if (!(isfinite(d->accrual_months) && d->accrual_months > 0))
        LT_FAIL(err, LT_EINVAL, "accrual_months", "expected months above 0, found %g",
                d->accrual_months);
    if (!(isfinite(d->follow_up_months) && d->follow_up_months >= 0))
        LT_FAIL(err, LT_EINVAL, "follow_up_months", "expected months >= 0, found %g",
                d->follow_up_months);
    if (!(isfinite(d->dropout_hazard) && d->dropout_hazard >= 0))
        LT_FAIL(err, LT_EINVAL, "dropout", "expected a hazard per month >= 0, found %g",
                d->dropout_hazard);
    if ((unsigned)d->method > LT_SS_LACHIN_FOULKES)
        LT_FAIL(err, LT_EINVAL, "method", "expected schoenfeld, freedman or lachin-foulkes");
    return LT_OK;
}

/* One arm's probability of an observed event by the analysis: entry uniform on [0, A],
 * analysis at A + F, event hazard l and dropout hazard phi competing (Lachin & Foulkes 1986,
 * eq. 2.3 with phi; rpact's .getEventProbabilities for one piece). */
static double arm_event_probability(double l, double phi, double a, double f)
{
    double h = l + phi;
    if (h <= 0) return 0;
    double avg_unobserved = (exp(-h * f) - exp(-h * (a + f))) / (h * a);
    return l / h * (1 - avg_unobserved);
}

static double z_upper(double p) { return gsl_cdf_ugaussian_Qinv(p); } /* z with P(Z > z) = p */

lt_status lt_design_event_probability(const lt_design *d, double *omega, lt_error *err)
{
    lt_status st = lt_design_validate(d, err);
    if (st) return st;
    if (!(d->control_hazard > 0))
        LT_FAIL(err, LT_EINVAL, "control_hazard",
                "patients need the control arm's hazard: give its survival at a time or its "
                "median");
    double r = d->allocation_ratio, qt = r / (1 + r), qc = 1 - qt;
    double pc = arm_event_probability(d->control_hazard, d->dropout_hazard, d->accrual_months,
                                      d->follow_up_months);
    double pt = arm_event_probability(d->control_hazard * d->hazard_ratio, d->dropout_hazard,
                                      d->accrual_months, d->follow_up_months);
    *omega = qc * pc + qt * pt;
    return LT_OK;
}

/* Lachin-Foulkes variances of the log hazard ratio per patient, under H0 (the pooled hazard
 * (Qc + Qt HR) lambda_c in both arms, as gsDesign's LFPWE) and under H1. */
static void lf_variances(const lt_design *d, double *v0, double *v1)
{
    double r = d->allocation_ratio, qt = r / (1 + r), qc = 1 - qt;
    double lc = d->control_hazard, lt_ = lc * d->hazard_ratio, l0 = (qc + qt * d->hazard_ratio) * lc;
    double a = d->accrual_months, f = d->follow_up_months, phi = d->dropout_hazard;
    double p0 = arm_event_probability(l0, phi, a, f);
    double pc = arm_event_probability(lc, phi, a, f), pt = arm_event_probability(lt_, phi, a, f);
    *v0 = 1 / (qc * p0) + 1 / (qt * p0);
    *v1 = 1 / (qc * pc) + 1 / (qt * pt);
}

/* The standardised effect per sqrt(event) of the event-driven methods: power is
 * Phi(sqrt(D) * k - z_a). */
static double effect_per_event(const lt_design *d)
{
    double r = d->allocation_ratio, hr = d->hazard_ratio;
    if (d->method == LT_SS_FREEDMAN) return sqrt(r) * fabs(1 - hr) / (1 + r * hr);
    return fabs(log(hr)) * sqrt(r) / (1 + r);
}

/* Rounds a count up, with a little slack so that 106.0000000001 from rounding error stays
 * 106; -1 when the count is not finite or too large to be a count. */
static long whole_count(double x)
{
    if (!(isfinite(x) && x >= 0 && x < 1e15)) return -1;
    return (long)ceil(x - 1e-9);
}

lt_status lt_design_sample_size(const lt_design *d, lt_design_size *out, lt_error *err)
{
    lt_status st = lt_design_validate(d, err);
    if (st) return st;
    lt_design_size s;
    double za = z_upper(d->alpha / d->sides), zb = z_upper(1 - d->power);
    s.hazard_ratio = d->hazard_ratio;
    s.control_hazard = d->control_hazard > 0 ? d->control_hazard : NAN;
    s.treatment_hazard = d->control_hazard > 0 ? d->control_hazard * d->hazard_ratio : NAN;
    s.event_probability = NAN;
    s.patients = NAN;
    if (d->control_hazard > 0) {
        st = lt_design_event_probability(d, &s.event_probability, err);
        if (st) return st;
    }
    if (d->method == LT_SS_LACHIN_FOULKES) {
        if (!(d->control_hazard > 0))
            LT_FAIL(err, LT_EINVAL, "control_hazard",
                    "the Lachin-Foulkes method needs the control arm's hazard: give its "
                    "survival at a time or its median");
        double v0, v1;
        lf_variances(d, &v0, &v1);
        double n = (za * sqrt(v0) + zb * sqrt(v1)) / log(d->hazard_ratio);
        s.patients = n * n;
        s.events = s.patients * s.event_probability;
    } else {
        double k = effect_per_event(d);
        s.events = (za + zb) * (za + zb) / (k * k);
        if (d->control_hazard > 0) s.patients = s.events / s.event_probability;
    }
    s.events_needed = whole_count(s.events);
    s.patients_needed = whole_count(s.patients);
    *out = s;
    return LT_OK;
}

static double tail_power(double theta, double za, int sides)
{
    double p = gsl_cdf_ugaussian_P(theta - za);
    if (sides == 2) p += gsl_cdf_ugaussian_P(-theta - za);
    return p;
}

lt_status lt_design_power(const lt_design *d, double patients, double events,
                          lt_design_power_result *out, lt_error *err)
{
    lt_design dd = *d;
    dd.power = 0.5; /* not used here; keeps validation from tripping on it */
    lt_status st = lt_design_validate(&dd, err);
    if (st) return st;
    if (!(isfinite(patients) && patients >= 0) || !(isfinite(events) && events >= 0) ||
        (patients == 0 && events == 0))
        LT_FAIL(err, LT_EINVAL, "patients",
                "expected a number of patients or of events above 0, found patients %g, "
                "events %g", patients, events);
    double omega = NAN;
    if (d->control_hazard > 0) {
        st = lt_design_event_probability(&dd, &omega, err);
        if (st) return st;
    } else if (events == 0 || d->method == LT_SS_LACHIN_FOULKES) {
        LT_FAIL(err, LT_EINVAL, "control_hazard",
                "power from patients needs the control arm's hazard: give its survival at a "
                "time or its median");
    }
    lt_design_power_result r;
    r.events = events > 0 ? events : patients * omega;
    r.patients = patients > 0 ? patients : events / omega;
    double za = z_upper(d->alpha / d->sides);
    double theta;
    if (d->method == LT_SS_LACHIN_FOULKES) {
        double v0, v1;
        lf_variances(&dd, &v0, &v1);
        /* z_b = (sqrt(N) |ln HR| - z_a sqrt(V0)) / sqrt(V1) */
        double zb = (sqrt(r.patients) * fabs(log(d->hazard_ratio)) - za * sqrt(v0)) / sqrt(v1);
        r.power = gsl_cdf_ugaussian_P(zb);
        if (d->sides == 2) {
            double zb2 = (-sqrt(r.patients) * fabs(log(d->hazard_ratio)) - za * sqrt(v0)) / sqrt(v1);
            r.power += gsl_cdf_ugaussian_P(zb2);
        }
    } else {
        theta = sqrt(r.events) * effect_per_event(d);
        r.power = tail_power(theta, za, d->sides);
    }
    *out = r;
    return LT_OK;
}

double lt_design_detectable_hr(const lt_design *d, double events)
{
    double za = z_upper(d->alpha / d->sides), zb = z_upper(1 - d->power);
    double r = d->allocation_ratio;
    return exp(-(za + zb) * (1 + r) / sqrt(r * events));
}

lt_status lt_design_implied_alpha(const lt_design *d, double patients, double events,
                                  double *alpha_one_sided, lt_error *err)
{
    lt_status st = lt_design_validate(d, err);
    if (st) return st;
    double zb = z_upper(1 - d->power), za;
    if (d->method == LT_SS_LACHIN_FOULKES) {
        double omega;
        st = lt_design_event_probability(d, &omega, err);
        if (st) return st;
        double n = patients > 0 ? patients : events / omega;
        double v0, v1;
        lf_variances(d, &v0, &v1);
        za = (sqrt(n) * fabs(log(d->hazard_ratio)) - zb * sqrt(v1)) / sqrt(v0);
    } else {
        if (!(events > 0)) {
            double omega;
            st = lt_design_event_probability(d, &omega, err);
            if (st) return st;
            events = patients * omega;
        }
        za = sqrt(events) * effect_per_event(d) - zb;
    }
    *alpha_one_sided = gsl_cdf_ugaussian_Q(za);
    return LT_OK;
}
