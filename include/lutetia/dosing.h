/* Doses of a radionuclide: the nuclide table (data/nuclides.json), activity units and decay
 * correction, the record of one administration with its derived administered activity and the
 * checks staff must acknowledge, and the per-patient ledger of cumulative activity.
 * Records serialise to and from JSON (lt_*_to_json / lt_*_from_json) for the trial store. */
#ifndef LUTETIA_DOSING_H
#define LUTETIA_DOSING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "date.h"
#include "json.h"
#include "patient.h"
#include "status.h"

/* ---- Nuclides ---------------------------------------------------------------------------- */

typedef struct lt_nuclide {
    const char *id;        /* "Lu-177" */
    const char *name;      /* "Lutetium-177" */
    double half_life_days; /* 6.647 for Lu-177 */
    const char *source;    /* where the half-life comes from */
} lt_nuclide;

typedef struct lt_nuclide_table lt_nuclide_table;

/* Reads a nuclide table ({"nuclides": [{"id", "name", "aliases", "half_life", "half_life_unit",
 * "source"}]}). path NULL reads data/nuclides.json from the data folder. *out owns the table. */
LT_API lt_status lt_nuclide_table_load(const char *path, lt_nuclide_table **out, lt_error *err);
LT_API lt_status lt_nuclide_table_parse(const char *text, size_t len, const char *source,
                                        lt_nuclide_table **out, lt_error *err);
LT_API void lt_nuclide_table_free(lt_nuclide_table *t);
LT_API size_t lt_nuclide_count(const lt_nuclide_table *t);
LT_API const lt_nuclide *lt_nuclide_at(const lt_nuclide_table *t, size_t i);
/* Finds a nuclide by id or alias, ignoring case ("Lu-177", "177Lu", "lu177"); NULL if absent.
 * Borrowed: valid while t lives. */
LT_API const lt_nuclide *lt_nuclide_find(const lt_nuclide_table *t, const char *id);

/* Fraction of activity left after dt_seconds (negative dt: back in time, a factor > 1):
 * exp(-ln 2 * t / T1/2). */
LT_API double lt_decay_factor(double half_life_days, double dt_seconds);
/* Activity at `to` of a source holding `activity` at `from` (any activity unit, same out). */
LT_API double lt_decay(const lt_nuclide *n, double activity, lt_time from, lt_time to);

/* Activity units: Bq, kBq, MBq, GBq, uCi (or µCi), mCi, Ci. Converts value in unit to MBq.
 * Returns false (out untouched) for any other unit. */
LT_API bool lt_activity_to_mbq(double value, const char *unit, double *out);
LT_API bool lt_activity_from_mbq(double mbq, const char *unit, double *out);

/* Volume to draw so that the syringe holds `wanted` at time `at`, from a vial that held
 * `vial_activity` in `vial_volume_ml` at `calibrated` (activities in one unit):
 * wanted / (vial_activity / vial_volume_ml * decay factor from calibrated to at).
 * Fails with LT_EINVAL on non-positive inputs and with LT_ESTATE when the vial no longer
 * holds `wanted` at `at` (the volume would exceed the vial). */
LT_API lt_status lt_dose_volume(const lt_nuclide *n, double vial_activity, double vial_volume_ml,
                                lt_time calibrated, double wanted, lt_time at, double *volume_ml,
                                lt_error *err);

/* ---- Administration ---------------------------------------------------------------------- */

#define LT_DOSE_NO_TIME INT64_MIN /* a time not recorded */
#define LT_DOSE_ID_MAX 128
#define LT_DOSE_CODE_MAX 48
#define LT_DOSE_TEXT_MAX 512
#define LT_DOSE_MAX_ACKS 8
#define LT_DOSE_MAX_WARNINGS 12

typedef enum lt_route {
    LT_ROUTE_UNKNOWN = 0,
    LT_ROUTE_INTRAVENOUS,    /* "intravenous" */
    LT_ROUTE_INTRA_ARTERIAL, /* "intra_arterial" (hepatic artery, NCT04544098 cycles 1-2) */
} lt_route;

LT_API const char *lt_route_name(lt_route r);
LT_API bool lt_route_parse(const char *s, lt_route *out);

/* The user's acknowledgement of a warning: its code and why the dose went ahead. */
typedef struct lt_dose_ack {
    char code[LT_DOSE_CODE_MAX];
    char reason[LT_DOSE_TEXT_MAX];
} lt_dose_ack;

/* One administration as recorded by nuclear-medicine staff. Activities in MBq; times are UTC
 * instants (LT_DOSE_NO_TIME when not recorded). A value type: no allocation. */
typedef struct lt_administration {
    char patient[LT_DOSE_ID_MAX];
    int cycle;                      /* 1-based */
    char nuclide[LT_DOSE_CODE_MAX]; /* "Lu-177" */
    lt_route route;
    double prescribed_mbq;
    double calibration_mbq; /* activity stated on the vial; NAN when not recorded */
    lt_time calibration_time;
    double before_mbq; /* syringe or vial, measured before the infusion */
    lt_time before_time;
    double residual_mbq; /* what remained after (0 is a valid measurement) */
    lt_time residual_time;
    lt_time infusion_start; /* the administration time activities refer to */
    lt_time infusion_end;
    bool amino_acids;               /* amino-acid co-infusion given */
    lt_time amino_start, amino_end; /* optional */
    lt_time last_ssa_long;          /* last long-acting somatostatin analogue injection */
    lt_time last_ssa_short;         /* last short-acting somatostatin analogue dose */
    bool no_ssa_long, no_ssa_short; /* the patient is confirmed not to take them */
    lt_dose_ack acks[LT_DOSE_MAX_ACKS];
    size_t nacks;
} lt_administration;

/* Sets every time to LT_DOSE_NO_TIME, every activity to NAN (not recorded) and the rest to
 * zero. */
LT_API void lt_administration_init(lt_administration *a);

/* The limits the checks apply. Defaults (lt_dose_rules_default) come from the Lutathera
 * labels as DOMAIN.md states them; a protocol's "dosing" section may override them. */
typedef struct lt_dose_rules {
    double tolerance;          /* |administered - prescribed| / prescribed above which the
                                  deviation is flagged; 0.10 by default (a project choice) */
    double ssa_long_days;      /* long-acting SSA stopped >= 28 days (4 weeks) before */
    double ssa_short_hours;    /* short-acting SSA stopped >= 24 h before */
    double amino_lead_minutes; /* amino acids start >= 30 min before the infusion */
    double amino_tail_hours;   /* and run >= 3 h after it ends (US label) */
} lt_dose_rules;

LT_API void lt_dose_rules_default(lt_dose_rules *r);
/* Overrides r from a protocol's "dosing" section: optional numbers "activity_tolerance",
 * "ssa_long_stop_days", "ssa_short_stop_hours", "amino_acid_lead_minutes",
 * "amino_acid_tail_hours". A member of the wrong type or out of range fails with
 * LT_ESCHEMA naming it (source names the file); r is untouched on failure. */
LT_API lt_status lt_dose_rules_from_json(const lt_json *dosing, const char *source,
                                         lt_dose_rules *r, lt_error *err);

/* A warning the user must acknowledge with a reason before the dose counts as compliant. */
typedef struct lt_dose_warning {
    char code[LT_DOSE_CODE_MAX];    /* "ssa_long_too_close", "deviation", ... */
    char message[LT_DOSE_TEXT_MAX]; /* names the values and the limit */
    const char *reason;             /* the acknowledgement's reason, or NULL */
} lt_dose_warning;

/* What an administration record implies. */
typedef struct lt_administration_result {
    double before_at_admin_mbq; /* before, decay-corrected to infusion_start */
    double residual_at_admin_mbq;
    double administered_mbq;         /* the difference of the two */
    double calibration_at_admin_mbq; /* NAN when no calibration was recorded */
    double deviation;                /* (administered - prescribed) / prescribed */
    bool deviation_flagged;          /* |deviation| > tolerance */
    lt_dose_warning warnings[LT_DOSE_MAX_WARNINGS];
    size_t nwarnings;
    size_t unacknowledged; /* warnings without a reason */
} lt_administration_result;

/* Checks a record and derives the administered activity. Impossible records (a missing
 * activity or time, residual measured before the infusion ended, residual above the activity
 * before, an unknown nuclide) fail with LT_ESCHEMA naming the field; questionable ones give
 * warnings. The result borrows ack reasons from a: keep a alive while using it. */
LT_API lt_status lt_administration_evaluate(const lt_administration *a,
                                            const lt_nuclide_table *nuclides,
                                            const lt_dose_rules *rules,
                                            lt_administration_result *out, lt_error *err);

/* Records an acknowledgement (replacing one with the same code). LT_EINVAL for an empty
 * reason, LT_ECONFLICT when the record already holds LT_DOSE_MAX_ACKS others. */
LT_API lt_status lt_administration_acknowledge(lt_administration *a, const char *code,
                                               const char *reason, lt_error *err);

/* Fills the SSA timing fields from a patient's LT_FACT_TREATMENT facts
 * somatostatin_analogue_long / _short dated on or before the administration: the latest end
 * date (or start when no end), as 00:00 UTC of that day for long-acting ones and 23:59:59 UTC
 * (the latest the dose may have been) for short-acting ones. */
LT_API void lt_administration_ssa_from_patient(lt_administration *a, const lt_patient *p);

/* JSON: {"patient", "cycle", "nuclide", "route", "prescribed_mbq", "calibration_mbq",
 * "calibration_time", "before_mbq", "before_time", "residual_mbq", "residual_time",
 * "infusion_start", "infusion_end", "amino_acids", "amino_start", "amino_end",
 * "last_ssa_long", "last_ssa_short", "no_ssa_long", "no_ssa_short",
 * "acknowledgements": [{"code", "reason"}]}; times RFC 3339, absent ones null. */
LT_API void lt_administration_to_json(const lt_administration *a, lt_buf *out);
/* Reads that object (source names it in errors); *out untouched on failure. */
LT_API lt_status lt_administration_from_json(const lt_json *v, const char *source,
                                             lt_administration *out, lt_error *err);
/* The result as JSON: {"before_at_admin_mbq", ..., "warnings": [{"code", "message",
 * "acknowledged", "reason"}]}. */
LT_API void lt_administration_result_to_json(const lt_administration_result *r, lt_buf *out);

/* ---- A protocol's dosing plan ------------------------------------------------------------ */

#define LT_DOSE_MAX_CYCLES 16

/* What a protocol's "dosing" section (docs/dosing-and-toxicity.md) says about the doses:
 * {"nuclide": "Lu-177", "activity_mbq": 7400, "reduced_activity_mbq": 3700, "cycles": 2,
 *  "cumulative_limit_mbq": 14800, "routes": ["intra_arterial", "intra_arterial",
 *  "intravenous"], "includes_prior_prrt": false, "cumulative_limit_acknowledgeable": false,
 *  "activity_tolerance": 0.10, ...the lt_dose_rules keys}.
 * Every member is optional; the defaults are the Lutathera label's regimen: Lu-177, 7,400 MBq,
 * 3,700 MBq reduced, 4 cycles, intravenous, no cumulative limit beyond cycles x activity. */
typedef struct lt_dosing_plan {
    char nuclide[LT_DOSE_CODE_MAX];
    double activity_mbq;         /* per cycle */
    double reduced_activity_mbq;
    int cycles;
    double cumulative_limit_mbq; /* NAN: none stated */
    bool includes_prior_prrt;    /* the limit counts the PRRT the patient had before the trial
                                    (NET RETREAT); false: the trial's cycles only (NELMAS) */
    bool cumulative_acknowledgeable; /* an investigator may acknowledge passing the limit as a
                                        deviation with a reason; false: refused */
    lt_route routes[LT_DOSE_MAX_CYCLES]; /* per cycle; the last one repeats */
    size_t nroutes;
    lt_dose_rules rules;
} lt_dosing_plan;

LT_API void lt_dosing_plan_default(lt_dosing_plan *p);
/* dosing may be NULL (no section: the defaults). LT_ESCHEMA naming source: dosing.MEMBER for a
 * member of the wrong type or out of range; *out untouched on failure. */
LT_API lt_status lt_dosing_plan_from_json(const lt_json *dosing, const char *source,
                                          lt_dosing_plan *out, lt_error *err);
/* The route of a 1-based cycle. */
LT_API lt_route lt_dosing_plan_route(const lt_dosing_plan *p, int cycle);

/* ---- Cumulative activity ----------------------------------------------------------------- */

typedef struct lt_ledger_entry {
    lt_date date;
    double activity_mbq;
    bool prior;                    /* PRRT before the trial (history), not a trial cycle */
    int cycle;                     /* trial cycle, 0 for prior */
    char source[LT_DOSE_TEXT_MAX]; /* "examples/p01.json: treatments[2]", "cycle 1" */
} lt_ledger_entry;

typedef struct lt_ledger lt_ledger;

LT_API lt_status lt_ledger_new(const char *patient, lt_ledger **out, lt_error *err);
LT_API void lt_ledger_free(lt_ledger *l);
/* Adds an entry (copied). LT_EINVAL for a negative or non-finite activity. */
LT_API lt_status lt_ledger_add(lt_ledger *l, const lt_ledger_entry *e, lt_error *err);
/* Adds every prior PRRT fact of the patient (LT_FACT_TREATMENT "prrt", value in MBq) as a
 * prior entry. A PRRT fact without a usable activity fails with LT_ESCHEMA naming its source
 * (a cumulative total must not silently leave a cycle out); nothing is added then. */
LT_API lt_status lt_ledger_add_patient_history(lt_ledger *l, const lt_patient *p, lt_error *err);
LT_API size_t lt_ledger_count(const lt_ledger *l);
LT_API const lt_ledger_entry *lt_ledger_at(const lt_ledger *l, size_t i);
LT_API const char *lt_ledger_patient(const lt_ledger *l);
LT_API double lt_ledger_total(const lt_ledger *l);       /* all entries, MBq */
LT_API double lt_ledger_total_prior(const lt_ledger *l); /* prior PRRT only */
/* Total of the entries dated from `from` to `to` inclusive (prior_only: prior PRRT only), e.g.
 * NET RETREAT's "cumulative exposure of 22,200 MBq ... within a 52-week period". Entries without
 * a date are not counted; *undated (may be NULL) says how many such entries could count. */
LT_API double lt_ledger_total_between(const lt_ledger *l, lt_date from, lt_date to,
                                      bool prior_only, size_t *undated);
/* Whether adding planned_mbq keeps the total within limit_mbq; *remaining (may be NULL) gets
 * limit - total (before the planned dose). */
LT_API bool lt_ledger_allows(const lt_ledger *l, double planned_mbq, double limit_mbq,
                             double *remaining);
/* {"patient", "total_mbq", "prior_mbq", "entries": [{"date", "activity_mbq", "prior",
 * "cycle", "source"}]} */
LT_API void lt_ledger_to_json(const lt_ledger *l, lt_buf *out);
LT_API lt_status lt_ledger_from_json(const lt_json *v, const char *source, lt_ledger **out,
                                     lt_error *err);

#endif
