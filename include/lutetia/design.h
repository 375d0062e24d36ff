/* Trial design for a two-arm time-to-event comparison: events and patients for a target power
 * (Schoenfeld, Freedman, Lachin-Foulkes), power for a given size, the protocol's "design"
 * member and what its numbers imply, and Monte Carlo simulation of whole trials.
 * Time is in months throughout; hazards are per month; arm 0 is control, arm 1 treatment. */
#ifndef LUTETIA_DESIGN_H
#define LUTETIA_DESIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "json.h"
#include "status.h"

/* ---------------------------------------------------------------------------------------- */
/* Sample size and power */

typedef enum lt_ss_method {
    LT_SS_SCHOENFELD = 0, /* Schoenfeld (1981): events from the log-rank under local alternatives */
    LT_SS_FREEDMAN,       /* Freedman (1982) */
    LT_SS_LACHIN_FOULKES, /* Lachin & Foulkes (1986): patients from null and alternative variances */
} lt_ss_method;

/* "schoenfeld", "freedman", "lachin-foulkes". */
LT_API const char *lt_ss_method_name(lt_ss_method m);
/* Parses one of the names above; false for anything else. */
LT_API bool lt_ss_method_parse(const char *s, lt_ss_method *out);

/* The assumptions of a fixed (single-analysis) design. */
typedef struct lt_design {
    double alpha;            /* type I error, in (0, 1) */
    int sides;               /* 1 or 2; a two-sided test spends alpha / 2 in each tail */
    double power;            /* 1 - beta, in (0, 1); ignored by the power functions */
    double allocation_ratio; /* patients on treatment per patient on control (> 0) */
    double hazard_ratio;     /* treatment / control, > 0 and != 1 */
    double control_hazard;   /* per month; 0 when unknown (then patients cannot be computed) */
    double accrual_months;   /* uniform accrual over [0, accrual_months], > 0 */
    double follow_up_months; /* from the end of accrual to the analysis, >= 0 */
    double dropout_hazard;   /* per month, the same in both arms, >= 0 */
    lt_ss_method method;
} lt_design;

/* Defaults: alpha 0.05 two-sided, power 0.8, ratio 1, Schoenfeld, no dropout; the effect,
 * accrual and follow-up must still be set. */
LT_API void lt_design_init(lt_design *d);

/* Effect sizes under proportional hazards with exponential survival:
 * from survival proportions s_control and s_treatment at time t,
 *   lambda = -ln(S(t)) / t and HR = ln(s_treatment) / ln(s_control);
 * from medians m, lambda = ln 2 / m and HR = m_control / m_treatment.
 * Each fills *hr and *control_hazard, or fails with LT_EINVAL naming the bad value. */
LT_API lt_status lt_design_effect_from_survival(double s_control, double s_treatment, double t,
                                                double *hr, double *control_hazard,
                                                lt_error *err);
LT_API lt_status lt_design_effect_from_medians(double m_control, double m_treatment, double *hr,
                                               double *control_hazard, lt_error *err);
/* The exponential dropout hazard that loses `rate` of patients by time t: -ln(1 - rate) / t. */
LT_API lt_status lt_design_dropout_hazard(double rate, double t, double *hazard, lt_error *err);

/* Checks every member of d for range; err->where names the member ("alpha"). */
LT_API lt_status lt_design_validate(const lt_design *d, lt_error *err);

/* Probability that a patient has an event by the analysis at accrual + follow-up, averaged
 * over uniform entry and over the arms by allocation, exponential event and dropout hazards
 * competing: for one arm, lambda / (lambda + phi) * (1 - (e^{-(lambda+phi) F} -
 * e^{-(lambda+phi)(A+F)}) / ((lambda+phi) A)). This is the `omega` of rpact's
 * getSampleSizeSurvival (accountForObservationTimes = TRUE). Needs control_hazard > 0. */
LT_API lt_status lt_design_event_probability(const lt_design *d, double *omega, lt_error *err);

typedef struct lt_design_size {
    double hazard_ratio;
    double events;            /* unrounded */
    double patients;          /* unrounded; NAN when control_hazard is 0 */
    long events_needed;       /* ceil(events) */
    long patients_needed;     /* ceil(patients), or -1 when unknown */
    double event_probability; /* omega above; NAN when unknown */
    double control_hazard, treatment_hazard; /* per month; NAN when unknown */
} lt_design_size;

/* Events and patients that reach d->power at d->alpha.
 *  Schoenfeld: D = (z_a + z_b)^2 (1 + r)^2 / (r ln^2 HR)                  (rpact "Schoenfeld")
 *  Freedman:   D = (z_a + z_b)^2 (1 + r HR)^2 / (r (1 - HR)^2)             (rpact "Freedman")
 *  both with N = D / omega (rpact's getSampleSizeSurvival);
 *  Lachin-Foulkes: N = ((z_a sqrt(V0) + z_b sqrt(V1)) / ln HR)^2, V = 1/(Qc Pc) + 1/(Qt Pt)
 *  with P the arms' event probabilities, under H0 at the pooled hazard (Qc + Qt HR) lambda_c,
 *  and D = N omega (gsDesign's nSurv method "LachinFoulkes").
 * z_a = z_{1 - alpha/sides}, z_b = z_{power}, r = allocation_ratio, Qt = r / (1 + r). */
LT_API lt_status lt_design_sample_size(const lt_design *d, lt_design_size *out, lt_error *err);

typedef struct lt_design_power_result {
    double power;
    double events;    /* the events the power is for (given, or patients x omega) */
    double patients;  /* given, or events / omega; NAN when unknown */
} lt_design_power_result;

/* Power of the design with `patients` (> 0, events then expected from omega) or `events`
 * (> 0); pass 0 for the one not given. When both are given, events decide (as rpact's
 * getPowerSurvival with maxNumberOfEvents). A two-sided power adds the far tail:
 * Phi(theta - z) + Phi(-theta - z), theta = sqrt(D) |ln HR| sqrt(r) / (1 + r) (Schoenfeld). */
LT_API lt_status lt_design_power(const lt_design *d, double patients, double events,
                                 lt_design_power_result *out, lt_error *err);

/* The smallest hazard ratio below 1 that `events` detect with d's alpha and power
 * (Schoenfeld): exp(-(z_a + z_b) (1 + r) / sqrt(r D)). */
LT_API double lt_design_detectable_hr(const lt_design *d, double events);

/* The one-sided alpha at which `patients` patients (events from omega) or `events` events
 * reach d->power (Schoenfeld/Freedman as d->method; Lachin-Foulkes uses patients). */
LT_API lt_status lt_design_implied_alpha(const lt_design *d, double patients, double events,
                                         double *alpha_one_sided, lt_error *err);

/* ---------------------------------------------------------------------------------------- */
/* The protocol's "design" member (docs/protocol-format.md, section "design") */

#define LT_DESIGN_MAX_PIECES 16

/* Piecewise-constant hazard: hazard[k] applies from start[k] (start[0] = 0, ascending). */
typedef struct lt_piecewise {
    size_t n;
    double start[LT_DESIGN_MAX_PIECES];
    double hazard[LT_DESIGN_MAX_PIECES];
} lt_piecewise;

typedef struct lt_protocol_design {
    bool comparative;          /* false: single-arm (no comparison to recompute) */
    char primary_endpoint[64];
    lt_design design;          /* alpha, sides, power, ratio, accrual, follow-up, dropout,
                                  method, and the hazards: from survival or medians when
                                  stated, else from hazard_ratio */
    bool has_stated_hr;
    double stated_hr;          /* "hazard_ratio" as the protocol states it */
    bool has_survival;
    double at_months, s_control, s_treatment;
    bool has_medians;
    double m_control, m_treatment;
    double dropout_rate, dropout_at_months;
    long events;               /* stated; 0 when absent */
    long patients;             /* stated; 0 when absent */
    bool has_piecewise;        /* "piecewise": per-arm hazards for simulation */
    lt_piecewise control, treatment;
    /* the design's choices marked "assumption": numbers the sources do not state, which the
     * file supplies (design check labels them) */
    size_t nassumptions;
    struct {
        char id[48], about[64];
    } assumptions[8];
} lt_protocol_design;

/* Reads and validates a "design" member. path_prefix names it in errors ("design"), so an
 * error reads `design.alpha: expected a number between 0 and 1, found 5`. */
LT_API lt_status lt_protocol_design_read(const lt_json *member, const char *path_prefix,
                                         lt_protocol_design *out, lt_error *err);

/* What the stated numbers imply, as findings. */
typedef struct lt_design_check {
    bool comparative;
    double stated_hr, implied_hr;  /* NAN when not stated / not derivable */
    bool hr_conflict;              /* stated and implied differ by more than 5% (relative) */
    lt_design_size required;       /* events and patients for the stated alpha and power at the
                                      hazard ratio the survival figures imply (or the stated one) */
    lt_design_size required_stated_hr; /* the same at the stated HR (when stated) */
    double power_stated_events;    /* power with the stated events; NAN when not stated */
    double power_stated_patients;  /* power with the stated patients; NAN when not stated */
    double expected_events;        /* stated patients x omega */
    double detectable_hr;          /* what the stated events detect at the stated alpha/power */
    double implied_alpha_one_sided;/* one-sided alpha at which the stated patients reach the
                                      stated power; NAN when patients not stated */
    /* The smallest of the conventional one-sided alphas 0.025, 0.05, 0.10 at which the stated
     * patients suffice for the stated power; 0 when none does. */
    double conventional_alpha_one_sided;
    int findings;                  /* number of problems found (conflicts, underpowered) */
} lt_design_check;

LT_API lt_status lt_design_check_run(const lt_protocol_design *pd, lt_design_check *out,
                                     lt_error *err);
/* Human-readable findings (one per line) and the same as a JSON object. */
LT_API void lt_design_check_text(const lt_protocol_design *pd, const lt_design_check *c,
                                 lt_buf *b);
LT_API void lt_design_check_json(const lt_protocol_design *pd, const lt_design_check *c,
                                 lt_buf *b);

/* ---------------------------------------------------------------------------------------- */
/* Monte Carlo simulation of whole trials */

typedef enum lt_accrual {
    LT_ACCRUAL_UNIFORM = 0, /* entry times i.i.d. uniform on [0, accrual] */
    LT_ACCRUAL_EVEN,        /* patient j (1-based) enters at j * accrual / N, as rpact's
                               getSimulationSurvival does */
} lt_accrual;

typedef struct lt_sim_spec {
    long patients;             /* N >= 2 */
    int ratio_treatment;       /* allocation in repeating blocks: ratio_treatment patients on */
    int ratio_control;         /* treatment then ratio_control on control (rpact's allocation1/2) */
    double accrual_months;     /* > 0 */
    lt_accrual accrual;
    lt_piecewise control, treatment; /* survival per arm */
    double dropout_hazard;     /* per month, both arms */
    long events;               /* analysis at the calendar time of this many events, or 0 */
    double analysis_months;    /* or analysis at this calendar time (from the first entry) */
    double alpha;
    int sides;
} lt_sim_spec;

/* A spec from a design: exponential arms, N patients, analysis at `events` (or, when events is
 * 0, at accrual + follow-up). */
LT_API lt_status lt_sim_spec_from_design(const lt_design *d, long patients, long events,
                                         lt_sim_spec *out, lt_error *err);
LT_API lt_status lt_sim_spec_validate(const lt_sim_spec *s, lt_error *err);

#define LT_SIM_NQUANTILES 7
/* The probabilities of the HR quantiles reported: 0.025 0.1 0.25 0.5 0.75 0.9 0.975. */
LT_API const double *lt_sim_quantile_probs(void);

typedef struct lt_sim_result {
    long iterations;
    double power;            /* log-rank rejections / iterations */
    double power_se;         /* binomial standard error sqrt(p (1 - p) / iterations) */
    double power_cox;        /* Cox Wald test rejections / iterations */
    double mean_events;
    double mean_duration;    /* mean calendar time of the analysis, months */
    double mean_patients;    /* mean patients entered by the analysis */
    double hr_quantiles[LT_SIM_NQUANTILES]; /* of the Cox estimate over finite estimates */
    double hr_geometric_mean;
    long hr_undefined;       /* iterations where an arm had no events (estimate 0 or infinite) */
    long short_of_events;    /* iterations that never reached the planned events */
} lt_sim_result;

/* Called from the calling thread about ten times a second: done of total iterations. */
typedef void (*lt_sim_progress)(void *ctx, long done, long total);

/* Runs `iterations` simulated trials on `threads` threads (0: the online CPUs). Iteration i
 * draws from its own ChaCha20 keystream keyed by (seed, i) (libsodium), and results are
 * reduced in a fixed order, so the output is the same whatever the thread count.
 * At most 20,000,000 iterations: every estimate is kept for the quantiles. */
LT_API lt_status lt_sim_run(const lt_sim_spec *s, long iterations, uint64_t seed, int threads,
                            lt_sim_progress progress, void *ctx, lt_sim_result *out,
                            lt_error *err);

/* One simulated trial, for tests: fills time/event/arm (arrays of s->patients) with what the
 * analysis sees (patients not yet entered get time -1) and the analysis time. */
LT_API lt_status lt_sim_one(const lt_sim_spec *s, uint64_t seed, long iteration, double *time,
                            int *event, int *arm, double *analysis_time, lt_error *err);

/* The two-arm log-rank Z ((O1 - E1) / sqrt(V), arm 1 treatment) and the Cox estimate of
 * log HR with its standard error (Efron ties) on n observations; the simulation's own fast
 * routine. LT_ENUMERIC when an arm has no subjects or there are no events; *beta is +-INFINITY
 * when an arm has no events. */
LT_API lt_status lt_sim_two_arm_tests(const double *time, const int *event, const int *arm,
                                      size_t n, double *z, double *beta, double *se,
                                      lt_error *err);

#endif
