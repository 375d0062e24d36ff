/* Conduct of a trial after randomisation, kept in the trial store: anchor and actual dates of
 * calendar entries, laboratory results graded by CTCAE, adverse events, dose decisions taken by
 * the label's rules from the stored history, administrations with decay correction, tumour
 * assessments and outcome events. Each write is one store transaction checked against the
 * acting user's role and site (docs/conduct.md), with one audit record per record it changes.
 * Reading back gives the outcomes records, calendars and endpoint datasets of the trial. */
#ifndef LUTETIA_CONDUCT_H
#define LUTETIA_CONDUCT_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "date.h"
#include "dosing.h"
#include "oral.h"
#include "outcomes.h"
#include "safety.h"
#include "schedule.h"
#include "stats.h"
#include "status.h"
#include "trial.h"

typedef struct lt_conduct lt_conduct;

/* Prepares recording for an open trial: the protocol's schedule, endpoints and dosing plan and
 * the data tables (nuclides, CTCAE, dose-modification rules; NULL paths: the data folder).
 * t is borrowed and must outlive *out (lt_conduct_free). */
typedef struct lt_conduct_tables {
    const char *nuclides, *ctcae, *dosemod; /* paths, or NULL for data/ */
} lt_conduct_tables;
LT_API lt_status lt_conduct_new(lt_trial *t, const lt_conduct_tables *tables, lt_conduct **out,
                                lt_error *err);
LT_API void lt_conduct_free(lt_conduct *c);
/* The CTCAE v5.0 entry the term (or a word mapped to one) is coded as, from the term list the
 * context reads once (data/ctcae-v5-terms.json); NULL when the list cannot be read or has no
 * such term. Borrowed from c. */
LT_API const lt_ctcae_term_entry *lt_conduct_coded_term(lt_conduct *c, const char *term);

/* Who may do what (the table in src/conduct/access.c). */
typedef enum lt_conduct_action {
    LT_CONDUCT_RECORD = 0, /* dates, labs, adverse events, assessments, events, profile */
    LT_CONDUCT_DECIDE,     /* take a dose decision */
    LT_CONDUCT_ADMINISTER, /* record an administration */
    LT_CONDUCT_READ,       /* calendars, outcomes, endpoints */
    LT_CONDUCT_PRESCRIBE,  /* an oral drug's start, dose, interruptions, stop and decisions */
    LT_CONDUCT_DISPENSE,   /* an oral drug's dispensing and returned tablets */
    LT_CONDUCT_ACTION_COUNT
} lt_conduct_action;
/* Whether role may take action (no site check). */
LT_API bool lt_conduct_allowed(lt_role role, lt_conduct_action action);

/* Every write below that replaces a stored value is a correction and needs a non-empty reason
 * (LT_EINVAL otherwise); the old value stays in the audit trail. Dates may not be in the
 * future, nor (except anchors) before the patient's consent. */

/* What the dose rules need about the patient: birth date, sex, weight at baseline (kg). */
LT_API lt_status lt_conduct_profile(lt_conduct *c, const char *patient, lt_date birth_date,
                                    lt_sex sex, double weight_kg, const char *reason,
                                    lt_error *err);
/* The birth date must be 1900-01-01 or later, not in the future, and the one the patient was
 * screened with (LT_ECONFLICT otherwise). A weight outside its plausible range
 * (data/plausible-ranges.json; 0.001 kg is a typing error) is refused with LT_EINVAL by
 * lt_conduct_profile; lt_conduct_profile_confirmed records it when a person has checked it,
 * and then needs a reason (kept in the audit trail). */
LT_API lt_status lt_conduct_profile_confirmed(lt_conduct *c, const char *patient,
                                              lt_date birth_date, lt_sex sex, double weight_kg,
                                              const char *reason, lt_error *err);

/* An anchor date of the schedule or an endpoint origin ("liver_resection"; "randomisation"
 * when the clinical date differs from the day the allocation was stored). */
LT_API lt_status lt_conduct_anchor(lt_conduct *c, const char *patient, const char *name,
                                   lt_date date, const char *reason, lt_error *err);

/* The actual date of calendar entry `entry` ("C1", "mri_year1.2"); late_reason (may be NULL)
 * says why it was late ("toxicity"). LT_EINVAL when the entry is not in the patient's calendar,
 * LT_ESTATE when a stop event cancelled it. */
LT_API lt_status lt_conduct_actual(lt_conduct *c, const char *patient, const char *entry,
                                   lt_date date, const char *late_reason, const char *reason,
                                   lt_error *err);

/* A laboratory result; value, lln and uln in unit (converted to the analyte's canonical unit;
 * NAN limits when not known). Graded with CTCAE v5.0 against the patient's baseline (the
 * first result of the analyte) when the table grades the analyte; *grade (may be NULL) gets
 * the grade. "weight" (kg) is accepted and not graded. */
typedef struct lt_conduct_lab {
    const char *patient;
    lt_date date;
    const char *analyte;
    double value;
    const char *unit;
    double lln, uln;
} lt_conduct_lab;
LT_API lt_status lt_conduct_lab_record(lt_conduct *c, const lt_conduct_lab *lab,
                                       const char *reason, lt_grade *grade, lt_error *err);
/* Values and limits must be finite (an infinite limit is refused, not taken as unknown). A
 * value or limit outside the analyte's plausible range (data/plausible-ranges.json), or an LLN
 * above the ULN, is refused with LT_EINVAL by lt_conduct_lab_record; it is a typing or unit
 * error (creatinine 71 "mg/dL") until a person checks it. lt_conduct_lab_record_confirmed
 * records it then, with a reason (required), and marks the stored result
 * "implausible_confirmed". */
LT_API lt_status lt_conduct_lab_record_confirmed(lt_conduct *c, const lt_conduct_lab *lab,
                                                 const char *reason, lt_grade *grade,
                                                 lt_error *err);

#define LT_CONDUCT_ID_MAX 256

/* An adverse event. ae_id NULL records a new one (its id, "AE001"..., goes to id_out if not
 * NULL); an existing id updates it (an end date, a grade) and needs a reason. */
LT_API lt_status lt_conduct_adverse_event(lt_conduct *c, const lt_adverse_event *e,
                                          const char *ae_id, const char *reason,
                                          char id_out[LT_CONDUCT_ID_MAX], lt_error *err);

/* A tumour assessment (the endpoints censor at the last one without event). */
LT_API lt_status lt_conduct_assessment(lt_conduct *c, const char *patient, lt_date date,
                                       const char *modality, bool new_lesions,
                                       const char *reason, lt_error *err);

/* A tumour assessment with its lesions (docs/outcomes-format.md: targets with their longest
 * diameter, nodes with their short axis, non-targets with a status). The patient's series,
 * this one included, must evaluate under RECIST 1.1 (the first assessment is the baseline);
 * *out (may be NULL) gets this assessment's response. A PD counts as progression for the
 * endpoints that name progression (lt_endpoint_derive reads it from the assessments). */
LT_API lt_status lt_conduct_tumour(lt_conduct *c, const char *patient,
                                   const lt_tumour_assessment *a, const char *reason,
                                   lt_recist_result *out, lt_error *err);

/* A questionnaire (EORTC QLQ-C30, the only instrument scored): items as lt_qlq_c30_score
 * takes them (0 unanswered). One per patient and date. */
LT_API lt_status lt_conduct_questionnaire(lt_conduct *c, const char *patient,
                                          const lt_questionnaire *q, const char *reason,
                                          lt_error *err);

/* An outcome event. Recurrence, death, withdrawal and loss to follow-up end the patient's
 * participation (trial state `ended` with that reason) unless it has ended already; the
 * calendar then stops what the protocol's schedule.stops says. One event of each type per
 * patient and date; the same type and date again is a correction and needs a reason. */
LT_API lt_status lt_conduct_event(lt_conduct *c, const char *patient, const lt_outcome_event *e,
                                  const char *reason, lt_error *err);

/* The dose decision for `cycle` on `date` (lt_dosemod_decide) from the stored history: the
 * labs of the 28 days before, the baseline labs, the profile, the adverse events, earlier
 * decisions and administrations (lt_dosemod_decide_history), so deciding again gives the same
 * answer until new data arrive. The decision is stored; *out (may be NULL) receives it.
 * LT_ESTATE when treatment has stopped (a stop event, a discontinue decision), the cycle was
 * given already or decided on a later date; LT_ECONFLICT (with the arithmetic) when giving
 * would pass the cumulative limit and the protocol allows no acknowledgement. */
LT_API lt_status lt_conduct_decide(lt_conduct *c, const char *patient, int cycle, lt_date date,
                                   lt_dosemod_decision *out, lt_error *err);

/* An administration (d1's record: a->patient, a->cycle). It must follow a decision to give
 * this cycle with the decided activity as the prescription; every warning of
 * lt_administration_evaluate must be acknowledged (LT_ESTATE listing them otherwise); an
 * administered activity above the decision's by more than the tolerance needs an
 * investigator's lt_conduct_dose_deviation (LT_ECONFLICT otherwise); the cumulative activity
 * (prior PRRT included where the plan says so) must stay within the plan's limit
 * (LT_ECONFLICT with the arithmetic). Stores the record with its result,
 * the cycle's actual date in the calendar, and moves the patient to on_treatment at the first
 * cycle. *out (may be NULL) gets the evaluation. */
LT_API lt_status lt_conduct_administer(lt_conduct *c, const lt_administration *a,
                                       const char *reason, lt_administration_result *out,
                                       lt_error *err);

/* An investigator's acknowledgement, with a reason, that cycle `cycle` of patient may be given
 * up to activity_mbq administered although that is above the cycle's latest decision by more
 * than the protocol's tolerance (and, with past_cumulative_limit, beyond the cumulative limit
 * where the protocol's dosing.cumulative_limit_acknowledgeable allows it). It holds for the
 * decision it follows: a later decision needs a new one. LT_EPERM for any role but
 * investigator; LT_ESTATE when the cycle's latest decision is not to give or it was given. */
LT_API lt_status lt_conduct_dose_deviation(lt_conduct *c, const char *patient, int cycle,
                                           double activity_mbq, bool past_cumulative_limit,
                                           const char *reason, lt_error *err);

/* ---- an oral drug taken continuously (an arm's "oral_drug": NET RETREAT arm 2) ---- */

/* One oral-drug record: type, date and the members of that type (dose_mg for start, dose and
 * resume; category/grade optionally for interrupt; tablets and strength_mg for dispense;
 * returned and lost for return); cause says why (required for dose, interrupt and stop). */
typedef struct lt_conduct_oral {
    lt_oral_event_type type;
    lt_date date;
    double dose_mg;       /* start: 0 takes the protocol's daily dose; resume: 0 takes the decided */
    const char *category; /* interrupt: the toxicity; NULL: what the table decides that day */
    int grade;
    long tablets, returned, lost;
    double strength_mg;
    const char *cause;
} lt_conduct_oral;

typedef struct lt_conduct_oral_result {
    lt_oral_state state;       /* after the record */
    lt_oral_decision decision; /* interrupt and resume: the table's decision on the day */
    char visit[LT_CONDUCT_ID_MAX]; /* dispense: the calendar's dispensing visit it satisfied */
} lt_conduct_oral_result;

/* Records one oral-drug event of patient (whose arm must have an oral drug: LT_EINVAL naming
 * the arm otherwise). Investigators start, change, interrupt, resume and stop; coordinators
 * and investigators record dispensing and returns (LT_EPERM otherwise). Records are kept in
 * date order and must follow one another (LT_ESTATE: a dose before the start, a resume without
 * an interruption, anything but a return after the stop, a resume the table does not allow
 * yet); a dose above the current one, or a resume above what the table allows, is
 * LT_ECONFLICT; more tablets returned and lost than dispensed is LT_EINVAL. The start also
 * records the arm's start entry in the calendar and moves the patient to on_treatment; a
 * dispensing records the dispensing visit whose window holds its date. */
LT_API lt_status lt_conduct_oral_record(lt_conduct *c, const char *patient,
                                        const lt_conduct_oral *in, const char *reason,
                                        lt_conduct_oral_result *out, lt_error *err);

/* The label's decision for patient's oral drug on date over the stored history (events,
 * adverse events, graded labs), stored as an oral_decision record (investigators only). The
 * same history gives the same answer. *out (may be NULL) receives it. */
LT_API lt_status lt_conduct_oral_decide(lt_conduct *c, const char *patient, lt_date date,
                                        lt_oral_decision *out, lt_error *err);

/* The patient's oral drug as of as_of (LT_DATE_NONE: today): state, every record, and
 * compliance per dispensing period, as one JSON document appended to out. */
LT_API lt_status lt_conduct_oral_show(lt_conduct *c, const char *patient, lt_date as_of,
                                      lt_buf *out, lt_error *err);

/* The outcomes records (docs/outcomes-format.md) of the randomised patients the user may read,
 * or of one patient. json (may be NULL) receives the document; *set (may be NULL) the parsed
 * records (lt_outcome_set_free). */
LT_API lt_status lt_conduct_outcomes(lt_conduct *c, const char *patient, lt_buf *json,
                                     lt_outcome_set **set, lt_error *err);

/* The patient's calendar from the stored dates and the work recorded (labs, tumour
 * assessments, questionnaires satisfy the entries whose window holds them:
 * lt_schedule_compute_records); entries whose window closed before as_of are overdue.
 * as_of LT_DATE_NONE is today. */
LT_API lt_status lt_conduct_calendar(lt_conduct *c, const char *patient, lt_date as_of,
                                     lt_calendar **out, lt_error *err);

/* The same from a record lt_conduct_outcomes gave (r borrowed): an export reads every
 * patient's record once, then each calendar without reading the record again. */
LT_API lt_status lt_conduct_calendar_of(lt_conduct *c, const lt_outcome_record *r,
                                        lt_date as_of, lt_calendar **out, lt_error *err);

/* The work an outcomes record holds (its tumour assessments and questionnaires) as the
 * calendar reads it (lt_schedule_compute_records), so that the file form of `schedule` and
 * `due` counts what the store form counts. *out borrows strings from r; free it with free(). */
LT_API lt_status lt_conduct_record_work(const lt_outcome_record *r, lt_sched_record **out,
                                        size_t *n, lt_error *err);

/* Everything of the user's patients (only of site when not NULL) due between from and to, and
 * every entry overdue as of from, grouped by site, as text or JSON. from LT_DATE_NONE is
 * today; to LT_DATE_NONE is from + LT_DUE_DEFAULT_DAYS - 1. *count (may be NULL) gets the
 * number of entries. */
#define LT_DUE_DEFAULT_DAYS 28
LT_API lt_status lt_conduct_due(lt_conduct *c, lt_date from, lt_date to, const char *site,
                                bool json, lt_buf *out, size_t *count, lt_error *err);

/* One patient's calendar for the due list, whatever its source. */
typedef struct lt_due_patient {
    const char *site; /* NULL when none is recorded */
    const char *patient;
    const lt_calendar *cal;
} lt_due_patient;
/* What is due: the one answer of the store form (lt_conduct_due) and the file form (`due
 * --protocol P --events F`), so that the period's defaults, what counts as due and the order and
 * layout are the same whatever the calendars come from. Every entry of pats[] (site by site,
 * patients without a site last, otherwise in the order given) whose window meets from..to, and
 * every entry overdue as of from; only site's when site is not NULL. from LT_DATE_NONE is
 * today, to LT_DATE_NONE is from + LT_DUE_DEFAULT_DAYS - 1 (lt_due_period). title heads the
 * text form. *count (may be NULL) gets the number of entries. */
LT_API lt_status lt_due_period(lt_date *from, lt_date *to, lt_error *err);
LT_API lt_status lt_due_write(const char *title, const lt_due_patient *pats, size_t n,
                              lt_date from, lt_date to, const char *site, bool json, lt_buf *out,
                              size_t *count, lt_error *err);

typedef enum lt_conduct_format {
    LT_CONDUCT_TEXT = 0,
    LT_CONDUCT_CSV,  /* patient,arm,<strata>,time,event,time_months,origin,end,reason, and
                        arm_<ID> (1/0) for each arm after the first, for a Cox model */
    LT_CONDUCT_JSON,
} lt_conduct_format;

/* The analysis dataset of an endpoint (an id of the protocol's endpoints, case-insensitive)
 * for the randomised patients the user may read, with follow-up cut at cutoff (LT_DATE_NONE:
 * none). The CSV is what `lutetia analyse` and lt_surv_data_parse_csv read. */
LT_API lt_status lt_conduct_endpoint(lt_conduct *c, const char *endpoint, lt_date cutoff,
                                     lt_conduct_format fmt, lt_buf *out, lt_error *err);
/* The same; *left_out (may be NULL) gets the number of patients left out because their origin
 * falls after the cutoff (lt_endpoint_dataset_of). */
LT_API lt_status lt_conduct_endpoint_counted(lt_conduct *c, const char *endpoint, lt_date cutoff,
                                             lt_conduct_format fmt, lt_buf *out,
                                             size_t *left_out, lt_error *err);

/* The analysis dataset of an endpoint from outcomes records, whatever their source: the store
 * form (lt_conduct_endpoint) and the file form (`endpoints --protocol P --events F`) call it, so
 * that a cutoff means the same. A patient whose origin falls after cutoff was not in the study
 * then: left out, counted in *left_out (may be NULL); a patient without an origin date is
 * LT_ESTATE naming it. e holds p's endpoints (or another version's); source names the records
 * in errors ("events.json", "trial store"). Strata columns: p's factors, then any other the
 * records name. */
LT_API lt_status lt_endpoint_dataset_of(const lt_protocol *p, const lt_endpoints *e,
                                        const lt_outcome_set *set, const char *endpoint,
                                        lt_date cutoff, lt_conduct_format fmt, const char *source,
                                        lt_buf *out, size_t *left_out, lt_error *err);

/* A proportion endpoint (an id of the protocol's endpoints whose type is "proportion") for the
 * allocated patients the user may read, with follow-up cut at cutoff (LT_DATE_NONE: none):
 * x of n with the exact (Clopper-Pearson) interval, per arm by name when there are several,
 * and each patient's row with why it counts or not; JSON or text. endpoint NULL: every
 * proportion endpoint (JSON: an array). LT_ENOTFOUND (listing the proportions) for an id that
 * is not one. (src/conduct/proportion.c) */
LT_API lt_status lt_conduct_proportion(lt_conduct *c, const char *endpoint, lt_date cutoff,
                                       bool json, lt_buf *out, lt_error *err);

/* ---- survival analyses of an endpoint (src/conduct/survival.c) ----
 * The endpoint's dataset (lt_conduct_endpoint, for the randomised patients the user may read,
 * cut at cutoff) as survival data. spec (may be NULL) names the columns; those left NULL get
 * the dataset's: time_months, event, and arm as the group (not for cox); a Cox model without
 * covariates gets the indicators arm_<ID> of the arms after the reference (LT_EINVAL for a
 * one-arm trial). arms (may be NULL) gets the protocol's arms as JSON, the reference first. */
LT_API lt_status lt_conduct_surv_data(lt_conduct *c, const char *endpoint, lt_date cutoff,
                                      lt_surv_analysis analysis, const lt_surv_spec *spec,
                                      lt_surv_data **out, lt_buf *arms, lt_error *err);
/* The analysis o of that data as lt_surv_json_with_arms writes it: what `lutetia analyse
 * km|logrank|cox|rmst --endpoint ID --json` prints. o->data NULL names the data by endpoint. */
LT_API lt_status lt_conduct_survival(lt_conduct *c, const char *endpoint, lt_date cutoff,
                                     const lt_surv_json_options *o, const lt_surv_spec *spec,
                                     lt_buf *out, lt_error *err);

/* The randomised patients the user may read, by id, for the tables that describe them: a
 * JSON array of {patient, site, arm, randomised_on, birth_date, sex, age}, appended to json.
 * birth_date and sex are the recorded profile's, else the facts stored at screening (a partial
 * birth date is none); sex "female", "male" or null; age in whole years on the day of
 * randomisation (lt_date_age_years), null when the birth date is unknown. Aggregates only:
 * the DSMB report counts them (src/conduct/demographics.c). */
LT_API lt_status lt_conduct_demographics(lt_conduct *c, lt_buf *json, lt_error *err);

/* ---- listings (src/conduct/listing.c) ----
 * What was recorded, one kind at a time, each row with who recorded it (the user, role and
 * time of the audit record of its current revision; `rev` > 1 marks a corrected record whose
 * history the audit log holds). Rows are in date order (the clinical date: a lab's, an adverse
 * event's start, an event's; the day it was written for a dose deviation). The order of the
 * enum is the order of the names. */
typedef enum lt_listing {
    LT_LIST_LABS = 0,
    LT_LIST_AES,
    LT_LIST_ADMINISTRATIONS,
    LT_LIST_DOSES,           /* dose decisions */
    LT_LIST_DISPENSING,      /* oral drug: no records in this store version (LT_EUNSUPPORTED) */
    LT_LIST_EVENTS,
    LT_LIST_ASSESSMENTS,
    LT_LIST_QUESTIONNAIRES,
    LT_LIST_CONSENTS,        /* every consent and correction, from the audit trail */
    LT_LIST_DEVIATIONS,      /* investigators' acknowledged dose deviations */
    LT_LIST_SIGNATURES,      /* attestations: eligibility confirmed, dose deviation acknowledged */
    LT_LIST_COUNT
} lt_listing;
LT_API bool lt_listing_parse(const char *name, lt_listing *out); /* "labs", "aes", ... */
LT_API const char *lt_listing_name(lt_listing l);
/* Whether role may read the listing (the table in src/conduct/listing.c). */
LT_API bool lt_listing_allowed(lt_role role, lt_listing l);

typedef struct lt_list_query {
    lt_listing listing;
    const char *patient; /* NULL: every patient the user may read */
    const char *site;    /* NULL: every site the user may read */
    lt_date from, to;    /* inclusive; LT_DATE_NONE: open */
} lt_list_query;

/* The listing for the acting user, as text, CSV or JSON appended to out; *count (may be NULL)
 * gets the number of rows. LT_EPERM when the role may not read it. The site rule is applied
 * by the store's query (only the user's sites are read). A patient or site the user may not
 * read gets LT_ENOTFOUND with the same message as one that does not exist. */
LT_API lt_status lt_conduct_list(lt_conduct *c, const lt_list_query *q, lt_conduct_format fmt,
                                 lt_buf *out, size_t *count, lt_error *err);

/* A patient's casebook: everything recorded that the user's role may read (every listing, the
 * profile, anchors and actual visit dates), in date order, with who recorded each entry; as a
 * JSON array or text appended to out. The same patient rule as lt_conduct_list. */
LT_API lt_status lt_conduct_casebook(lt_conduct *c, const char *patient, bool json,
                                     lt_buf *out, lt_error *err);
/* lt_trial_patient_show grown into the casebook: the patient (state, consent, allocation,
 * screenings) and then its casebook (JSON: the member "casebook"). */
LT_API lt_status lt_conduct_patient_show(lt_conduct *c, const char *patient, bool json,
                                         lt_buf *out, lt_error *err);

#endif
