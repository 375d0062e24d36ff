/* Toxicity: CTCAE v5.0 laboratory grading from a data table (data/ctcae-v5-lab.json),
 * adverse-event records, Cockcroft-Gault creatinine clearance, and the Lutathera label's
 * dose-modification table as rules (data/lutathera-dose-modification.json) deciding, from the
 * labs before a due cycle and the patient's history, whether to give 7.4 GBq, give 3.7 GBq,
 * withhold or discontinue, with the reason for each. */
#ifndef LUTETIA_SAFETY_H
#define LUTETIA_SAFETY_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "date.h"
#include "json.h"
#include "patient.h"
#include "status.h"

/* ---- CTCAE laboratory grading ------------------------------------------------------------ */

typedef struct lt_ctcae_table lt_ctcae_table;

/* Reads the grading table; path NULL reads data/ctcae-v5-lab.json from the data folder.
 * Every error names the file, line:column and the JSON path. *out owns the table. */
LT_API lt_status lt_ctcae_load(const char *path, lt_ctcae_table **out, lt_error *err);
LT_API lt_status lt_ctcae_parse(const char *text, size_t len, const char *source,
                                lt_ctcae_table **out, lt_error *err);
LT_API void lt_ctcae_free(lt_ctcae_table *t);
LT_API size_t lt_ctcae_count(const lt_ctcae_table *t);
LT_API const char *lt_ctcae_analyte(const lt_ctcae_table *t, size_t i); /* "platelets" */
/* The CTCAE term and the canonical unit the thresholds are in, or NULL for an analyte the
 * table does not grade. Borrowed from t. */
LT_API const char *lt_ctcae_term(const lt_ctcae_table *t, const char *analyte);
LT_API const char *lt_ctcae_unit(const lt_ctcae_table *t, const char *analyte);

/* What a grade may depend on besides the value; NAN (or false) when not known. All in the
 * analyte's canonical unit. */
typedef struct lt_grade_context {
    double lln;          /* lower limit of normal */
    double uln;          /* upper limit of normal */
    double baseline;     /* the patient's baseline value */
    bool anticoagulated; /* INR: grades relative to baseline */
} lt_grade_context;

LT_API void lt_grade_context_init(lt_grade_context *c); /* all unknown */

#define LT_GRADE_UNDETERMINED (-1)
#define LT_GRADE_TEXT_MAX 512

typedef struct lt_grade {
    int grade;     /* 0-4, or LT_GRADE_UNDETERMINED */
    int min_grade; /* what the known limits allow: grade lies in [min_grade, max_grade] */
    int max_grade;
    const char *term;      /* borrowed from the table */
    const char *criterion; /* CTCAE wording of the grade found, or NULL (grade 0/undetermined) */
    char reason[LT_GRADE_TEXT_MAX]; /* the comparison that decided, or what is missing */
    char note[LT_GRADE_TEXT_MAX];   /* an assumption made (baseline not given), or "" */
} lt_grade;

/* Grades value (in the canonical unit) of analyte. The grade is undetermined (not 0) when a
 * reference limit it needs is missing: min_grade/max_grade then say which grades remain.
 * LT_ENOTFOUND for an analyte the table does not grade, LT_EINVAL for a non-finite value. */
LT_API lt_status lt_ctcae_grade(const lt_ctcae_table *t, const char *analyte, double value,
                                const lt_grade_context *ctx, lt_grade *out, lt_error *err);
/* {"analyte", "term", "value", "unit", "grade" (number or "undetermined"), "min_grade",
 * "max_grade", "criterion", "reason", "note"} */
LT_API void lt_grade_to_json(const lt_grade *g, const char *analyte, double value, const char *unit,
                             lt_buf *out);

/* ---- Adverse events ---------------------------------------------------------------------- */

#define LT_AE_TEXT_MAX 128

typedef enum lt_relatedness {
    LT_RELATED_UNKNOWN = 0,
    LT_RELATED_NOT,
    LT_RELATED_UNLIKELY,
    LT_RELATED_POSSIBLE,
    LT_RELATED_PROBABLE,
    LT_RELATED_DEFINITE,
} lt_relatedness;

LT_API const char *lt_relatedness_name(lt_relatedness r); /* "not_related", "possible", ... */
LT_API bool lt_relatedness_parse(const char *s, lt_relatedness *out);

/* The CTCAE v5.0 term list (data/ctcae-v5-terms.json): 837 terms, each with its system organ
 * class and MedDRA code, and the words sites write for some of them ("stomatitis" is graded
 * as "Mucositis oral"). */
typedef struct lt_ctcae_terms lt_ctcae_terms;
typedef struct lt_ctcae_term_entry {
    const char *term;   /* "Nausea"; "Gastrointestinal disorders - Other, specify" */
    const char *soc;    /* "Gastrointestinal disorders" */
    const char *meddra; /* MedDRA lowest level term code, "10028813" */
} lt_ctcae_term_entry;
/* path NULL: the data file (LUTETIA_DATA_DIR, the source tree, or the installed copy). */
LT_API lt_status lt_ctcae_terms_load(const char *path, lt_ctcae_terms **out, lt_error *err);
LT_API void lt_ctcae_terms_free(lt_ctcae_terms *t);
LT_API size_t lt_ctcae_terms_count(const lt_ctcae_terms *t);
LT_API const lt_ctcae_term_entry *lt_ctcae_terms_at(const lt_ctcae_terms *t, size_t i);
/* The term text names, ignoring case, or that one of the synonyms maps to; NULL if none. */
LT_API const lt_ctcae_term_entry *lt_ctcae_terms_find(const lt_ctcae_terms *t, const char *text);
/* Whether the term is a system organ class's "Other, specify" (the event's own words needed). */
LT_API bool lt_ctcae_term_is_other(const lt_ctcae_term_entry *e);

/* One adverse event. A value type. */
typedef struct lt_adverse_event {
    char patient[LT_AE_TEXT_MAX];
    char term[LT_AE_TEXT_MAX]; /* CTCAE term: "Nausea", "Platelet count decreased" */
    char soc[LT_AE_TEXT_MAX];  /* its system organ class, and MedDRA code, once coded ("" before) */
    char meddra[16];
    char verbatim[LT_AE_TEXT_MAX]; /* the words as recorded, when they differ from the term, and
                                      what an "Other, specify" term specifies ("" otherwise) */
    int grade;                 /* 1-5 */
    bool serious;              /* meets a seriousness criterion (ICH E2A) */
    lt_relatedness related;    /* to the study treatment */
    lt_date start;
    lt_date end; /* LT_DATE_NONE while ongoing */
} lt_adverse_event;

/* LT_ESCHEMA naming the field for an empty term, a grade outside 1-5, a missing start or an
 * end before the start. */
LT_API lt_status lt_adverse_event_check(const lt_adverse_event *e, lt_error *err);
/* Whether the event is ongoing on day d (started on or before, not ended before). */
LT_API bool lt_adverse_event_ongoing(const lt_adverse_event *e, lt_date d);
/* {"patient", "term", "grade", "serious", "related", "start", "end"}, and "soc", "meddra",
 * "verbatim" when set */
LT_API void lt_adverse_event_to_json(const lt_adverse_event *e, lt_buf *out);
LT_API lt_status lt_adverse_event_from_json(const lt_json *v, const char *source,
                                            lt_adverse_event *out, lt_error *err);

/* ---- Kidney function --------------------------------------------------------------------- */

/* Cockcroft-Gault creatinine clearance in mL/min with actual body weight:
 * (140 - age) x weight x (0.85 if female) / (72 x creatinine mg/dL)
 * (Cockcroft & Gault, Nephron 1976;16:31). NAN when an input is missing or out of range or
 * the sex is neither female nor male. */
LT_API double lt_crcl_cockcroft_gault(double age_years, double weight_kg, lt_sex sex,
                                      double creatinine_mg_dl);

/* ---- Dose modification ------------------------------------------------------------------- */

typedef enum lt_dose_action {
    LT_DOSE_GIVE_FULL = 0, /* give the full activity (7.4 GBq) */
    LT_DOSE_GIVE_REDUCED,  /* give the reduced activity (3.7 GBq) */
    LT_DOSE_WITHHOLD,      /* withhold until the toxicity resolves */
    LT_DOSE_DISCONTINUE,   /* stop treatment permanently */
    LT_DOSE_UNDETERMINED,  /* a value the rules need is missing: nothing can be decided */
} lt_dose_action;

LT_API const char *lt_dose_action_name(lt_dose_action a); /* "give_full", "give_reduced", ... */
LT_API bool lt_dose_action_parse(const char *s, lt_dose_action *out);

typedef struct lt_dosemod_rules lt_dosemod_rules;

/* Reads the rules; path NULL reads data/lutathera-dose-modification.json from the data
 * folder. Errors name the file, line:column and JSON path. */
LT_API lt_status lt_dosemod_load(const char *path, lt_dosemod_rules **out, lt_error *err);
LT_API lt_status lt_dosemod_parse(const char *text, size_t len, const char *source,
                                  lt_dosemod_rules **out, lt_error *err);
LT_API void lt_dosemod_free(lt_dosemod_rules *r);
LT_API double lt_dosemod_full_mbq(const lt_dosemod_rules *r);
LT_API double lt_dosemod_reduced_mbq(const lt_dosemod_rules *r);

/* A laboratory value in the analyte's canonical unit with its reference range (NAN: not
 * known). */
typedef struct lt_lab {
    const char *analyte;
    double value;
    double lln, uln;
} lt_lab;

#define LT_DOSEMOD_MAX_IDS 8
#define LT_DOSEMOD_ID_MAX 48

/* What the decision for a due cycle is taken from. */
typedef struct lt_dosemod_input {
    lt_date decision_date; /* the day the decision is taken */
    lt_date first_due;     /* the day this cycle was first due (delay = decision - this) */
    const lt_lab *labs;    /* the labs before the due cycle */
    size_t nlabs;
    const lt_lab *baseline; /* the patient's baseline labs */
    size_t nbaseline;
    double age_years, weight_kg; /* for Cockcroft-Gault (actual weight) */
    double baseline_weight_kg;   /* NAN: the current weight */
    double baseline_age_years;   /* NAN: the current age */
    lt_sex sex;
    /* history of the patient's previous decisions */
    bool withheld;          /* this cycle was withheld by an earlier decision */
    bool last_dose_reduced; /* the last dose given was the reduced one */
    const char *reduced_for[LT_DOSEMOD_MAX_IDS]; /* toxicities that caused the reduction */
    size_t nreduced_for;
    /* a toxicity of reduced_for (any, when it is empty) that was present on an earlier day
     * after the reduced dose, though resolved now (NULL: none): the reduced dose "resulted
     * in" it, so the label's recurrence rule applies (lt_dosemod_decide_history finds it) */
    const char *recurred_for;
    lt_date recurred_on;
    const lt_adverse_event *events; /* the patient's adverse events (ongoing ones count) */
    size_t nevents;
} lt_dosemod_input;

LT_API void lt_dosemod_input_init(lt_dosemod_input *in);

/* Fills in, from a patient's facts, what lt_dosemod_decide reads (in->decision_date must be
 * set): for each lab analyte the latest usable result dated within lab_window_days before the
 * decision date (the EU label asks for labs in the 2-4 weeks before a dose: 28), and the latest
 * on or before baseline_date for the baseline; each result's reference range gives its
 * LLN/ULN. Two different values on the same latest day leave the value NAN (unknown: the
 * engine does not pick one). Age comes from the birth date, weight from the latest weight on
 * or before each date, sex from the patient. labs and baseline are caller arrays of max
 * entries; their analyte strings point into p. Facts with a problem are ignored. */
LT_API void lt_dosemod_input_from_patient(const lt_patient *p, int lab_window_days,
                                          lt_date baseline_date, lt_lab *labs,
                                          lt_lab *baseline, size_t max, lt_dosemod_input *in);

/* A decision request read from JSON (what `lutetia dose decide` reads), owning everything the
 * input points to:
 * {"decision_date": "2026-05-01", "first_due": "2026-04-24",
 *  "patient": {"age": 60, "sex": "male", "weight_kg": 80, "baseline_weight_kg": 82},
 *  "labs": [{"analyte": "platelets", "value": 74, "unit": "10^9/L", "lln": 150, "uln": 400}],
 *  "baseline": [{"analyte": "creatinine", "value": 88, "unit": "umol/L"}],
 *  "history": {"withheld": false, "last_dose_reduced": true,
 *              "reduced_for": ["thrombocytopenia"]},
 *  "adverse_events": [{"term": "Nausea", "grade": 3, ...}]}
 * Lab values and limits are converted to the analyte's canonical unit (an unknown unit is an
 * error naming the entry, never a guess). */
typedef struct lt_dosemod_request lt_dosemod_request;
LT_API lt_status lt_dosemod_request_from_json(const lt_json *v, const char *source,
                                              lt_dosemod_request **out, lt_error *err);
LT_API void lt_dosemod_request_free(lt_dosemod_request *r);
/* Borrowed: valid while r lives. */
LT_API const lt_dosemod_input *lt_dosemod_request_input(const lt_dosemod_request *r);

#define LT_DOSEMOD_MAX_REASONS 16

typedef struct lt_dosemod_reason {
    char rule[LT_DOSEMOD_ID_MAX]; /* "thrombocytopenia", "renal", "delay", "recurrence" */
    char text[LT_GRADE_TEXT_MAX]; /* the values and the limit, and the label sentence */
} lt_dosemod_reason;

typedef struct lt_dosemod_decision {
    lt_dose_action action;
    double activity_mbq;                               /* 0 unless given */
    int delay_days;                                    /* decision_date - first_due */
    char toxic[LT_DOSEMOD_MAX_IDS][LT_DOSEMOD_ID_MAX]; /* toxicities present now */
    size_t ntoxic;
    lt_dosemod_reason reasons[LT_DOSEMOD_MAX_REASONS];
    size_t nreasons;
} lt_dosemod_decision;

/* Applies the rules. Fails only on unusable input (LT_EINVAL: no decision date, first_due
 * after it); missing labs give LT_DOSE_UNDETERMINED with the reason. */
LT_API lt_status lt_dosemod_decide(const lt_dosemod_rules *rules, const lt_ctcae_table *ctcae,
                                   const lt_dosemod_input *in, lt_dosemod_decision *out,
                                   lt_error *err);
/* ---- Dose decisions over the patient's history ------------------------------------------- */

/* The label's table is a rule over the patient's history (DOMAIN.md): what a cycle may get
 * depends on every lab, every earlier decision and every administration with its activity.
 * These are the stored facts lt_dosemod_decide_history reads; strings are borrowed. */
typedef struct lt_dose_lab_at {
    lt_date date;
    lt_lab lab; /* canonical unit; analyte "weight" (kg) is the actual weight for crcl */
} lt_dose_lab_at;

typedef struct lt_dose_decided {
    int cycle;
    lt_date date, first_due; /* first_due LT_DATE_NONE: not stored */
    lt_dose_action action;
    double activity_mbq;
    char toxic[LT_DOSEMOD_MAX_IDS][LT_DOSEMOD_ID_MAX]; /* the toxicities present then */
    size_t ntoxic;
} lt_dose_decided;

typedef struct lt_dose_given {
    int cycle;
    lt_date date;
    lt_dose_action decided; /* the decision the administration followed */
    double administered_mbq;
} lt_dose_given;

typedef struct lt_dose_history {
    const lt_dose_lab_at *labs; /* any order; on the same date a later entry wins */
    size_t nlabs;
    const lt_dose_decided *decisions; /* in the order taken */
    size_t ndecisions;
    const lt_dose_given *given;
    size_t ngiven;
    const lt_adverse_event *events;
    size_t nevents;
    lt_date birth_date;
    lt_sex sex;
    double weight_kg;    /* at baseline (the profile); weight labs override it from their date */
    int lab_window_days; /* labs count for this many days before a decision (EU label: 28) */
} lt_dose_history;

/* The decision for `cycle` on `date` as a function of the whole history h, so that deciding
 * again on the same history gives the same answer:
 * - the cycle is withheld if ANY earlier decision of it withheld it (it then resumes at the
 *   reduced activity however many times the decision is taken again);
 * - the previous dose was reduced if its administration followed a give_reduced decision or
 *   its activity was nearer the reduced than the full activity;
 * - after a reduced dose, the toxicity that caused the reduction (any, when unknown) present
 *   at any lab date after that administration is a recurrence: discontinue;
 * - the cycle was first due on its first decision's first_due, else on target (the calendar's
 *   date; LT_DATE_NONE: the decision date), never after date.
 * The baseline is the labs on or before the first administration. *first_due (may be NULL)
 * gets the date used. LT_EINVAL for a cycle below 1 or no date. */
LT_API lt_status lt_dosemod_decide_history(const lt_dosemod_rules *rules,
                                           const lt_ctcae_table *ctcae, const lt_dose_history *h,
                                           int cycle, lt_date date, lt_date target,
                                           lt_dosemod_decision *out, lt_date *first_due,
                                           lt_error *err);

/* {"action", "activity_mbq", "delay_days", "toxic": [...], "reasons": [{"rule", "text"}]} */
LT_API void lt_dosemod_decision_to_json(const lt_dosemod_decision *d, lt_buf *out);
LT_API lt_status lt_dosemod_decision_from_json(const lt_json *v, const char *source,
                                               lt_dosemod_decision *out, lt_error *err);

#endif
