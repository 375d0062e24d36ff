/* Outcomes: what happened to each patient after treatment, and the endpoints derived from it.
 * - RECIST 1.1 responses from lesion measurements (Eisenhauer et al., Eur J Cancer 2009;45:228).
 * - EORTC QLQ-C30 scale scores (scoring manual, 3rd edition).
 * - Outcome events (recurrence, progression, death with cause, next anticancer therapy, lost to
 *   follow-up, withdrawal) and per-patient outcome records (docs/outcomes-format.md).
 * - Endpoint derivation from the protocol's `endpoints` member: one row per patient with time
 *   from the origin event in days, event or censoring, arm and strata.
 * Records serialise with lt_outcome_record_to_json / lt_outcome_record_from_json. */
#ifndef LUTETIA_OUTCOMES_H
#define LUTETIA_OUTCOMES_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "date.h"
#include "json.h"
#include "protocol.h"
#include "schedule.h"
#include "status.h"

/* ---- RECIST 1.1 ---------------------------------------------------------------------- */

typedef enum lt_recist_response {
    LT_RECIST_CR = 0,        /* complete response */
    LT_RECIST_PR,            /* partial response */
    LT_RECIST_SD,            /* stable disease */
    LT_RECIST_NON_CR_NON_PD, /* non-target disease only, neither CR nor PD (RECIST table 2) */
    LT_RECIST_PD,            /* progressive disease */
    LT_RECIST_NE,            /* not evaluable */
    LT_RECIST_NED,           /* no disease at baseline and none since (adjuvant setting) */
    LT_RECIST_RESPONSE_COUNT
} lt_recist_response;

LT_API const char *lt_recist_response_name(lt_recist_response r); /* "CR", "PR", ... */

/* Status of a non-target lesion at one assessment. */
typedef enum lt_lesion_status {
    LT_LESION_PRESENT = 0, /* still there (nodes: still >= 10 mm short axis) */
    LT_LESION_ABSENT,      /* gone (nodes: normal, < 10 mm) */
    LT_LESION_PROGRESSION, /* unequivocal progression */
    LT_LESION_NOT_EVALUATED,
    LT_LESION_STATUS_COUNT
} lt_lesion_status;

LT_API const char *lt_lesion_status_name(lt_lesion_status s); /* "present", ... */

typedef struct lt_lesion {
    const char *id;    /* the same id at every assessment ("L1") */
    const char *organ; /* "liver", "lymph_node", "lung" */
    bool nodal;        /* a lymph node: measured by its short axis */
    bool target;
    double mm;               /* target lesions: longest diameter, nodes the short axis; 0 when
                                gone; NAN when not measured */
    lt_lesion_status status; /* non-target lesions */
} lt_lesion;

typedef struct lt_tumour_assessment {
    lt_date date;
    const char *modality; /* "ct", "mri_liver", "ga68_dotatate_pet" */
    const lt_lesion *lesions;
    size_t nlesions;
    bool new_lesions; /* an unequivocal new lesion was found */
} lt_tumour_assessment;

typedef struct lt_recist_result {
    lt_date date;
    double sum;   /* sum of target diameters (mm); NAN when a target was not measured */
    double nadir; /* smallest evaluable sum before this assessment, baseline included */
    lt_recist_response target, nontarget, overall;
    bool baseline; /* the series' first assessment: the reference, not a response (NE/NED) */
} lt_recist_result;

/* Evaluates a series: a[0] is the baseline, a[1..n) follow-up assessments in date order.
 * Checks the baseline against RECIST 1.1's rules for target lesions (non-nodal >= 10 mm, nodes
 * >= 15 mm short axis, at most 5 in all and 2 per organ) and that follow-ups measure the
 * baseline's lesions; errors name where + ".assessments[i].lesions[j]". out[0] describes the
 * baseline (overall NE, or NED without disease); out has n elements. */
LT_API lt_status lt_recist_evaluate(const lt_tumour_assessment *a, size_t n, const char *where,
                                    lt_recist_result *out, lt_error *err);

/* ---- EORTC QLQ-C30 -------------------------------------------------------------------- */

typedef enum lt_qlq_scale {
    LT_QLQ_QL = 0, /* global health status / QoL (items 29, 30) */
    LT_QLQ_PF,     /* physical functioning (1-5) */
    LT_QLQ_RF,     /* role functioning (6, 7) */
    LT_QLQ_EF,     /* emotional functioning (21-24) */
    LT_QLQ_CF,     /* cognitive functioning (20, 25) */
    LT_QLQ_SF,     /* social functioning (26, 27) */
    LT_QLQ_FA,     /* fatigue (10, 12, 18) */
    LT_QLQ_NV,     /* nausea and vomiting (14, 15) */
    LT_QLQ_PA,     /* pain (9, 19) */
    LT_QLQ_DY,     /* dyspnoea (8) */
    LT_QLQ_SL,     /* insomnia (11) */
    LT_QLQ_AP,     /* appetite loss (13) */
    LT_QLQ_CO,     /* constipation (16) */
    LT_QLQ_DI,     /* diarrhoea (17) */
    LT_QLQ_FI,     /* financial difficulties (28) */
    LT_QLQ_SCALE_COUNT
} lt_qlq_scale;

LT_API const char *lt_qlq_scale_name(lt_qlq_scale s); /* "QL", "PF", ... */

#define LT_QLQ_C30_ITEMS 30

/* Scores one questionnaire. items[i] is the answer to question i+1: 1-4 for questions 1-28,
 * 1-7 for 29-30, 0 when unanswered. scores[s] is 0-100, or NAN when fewer than half the scale's
 * items were answered. LT_EINVAL (err names the question) for an answer out of range. */
LT_API lt_status lt_qlq_c30_score(const int items[LT_QLQ_C30_ITEMS],
                                  double scores[LT_QLQ_SCALE_COUNT], lt_error *err);

/* ---- Events and outcome records ------------------------------------------------------- */

typedef enum lt_event_type {
    LT_EVENT_RECURRENCE = 0, /* disease back after complete resection; site says where */
    LT_EVENT_PROGRESSION,    /* progression recorded by the investigator (RECIST PD or clinical) */
    LT_EVENT_DEATH,          /* cause: disease, treatment, other, unknown */
    LT_EVENT_NEXT_THERAPY,   /* start of the next anticancer therapy */
    LT_EVENT_LOST_TO_FOLLOW_UP,
    LT_EVENT_WITHDRAWAL, /* consent withdrawn */
    LT_EVENT_TYPE_COUNT
} lt_event_type;

/* "recurrence", "progression", "death", "next_therapy", "lost_to_follow_up", "withdrawal" */
LT_API const char *lt_event_type_name(lt_event_type t);

typedef struct lt_outcome_event {
    lt_event_type type;
    lt_date date;
    const char *site;    /* recurrence: "liver", "extrahepatic" or "liver_and_extrahepatic" */
    const char *cause;   /* death: "disease", "treatment", "other", "unknown" */
    const char *therapy; /* next therapy: what it is ("everolimus") */
    const char *note;
} lt_outcome_event;

typedef struct lt_questionnaire {
    lt_date date;
    int items[LT_QLQ_C30_ITEMS]; /* 0 when unanswered */
} lt_questionnaire;

typedef struct lt_strat_value {
    const char *factor;
    const char *level;
} lt_strat_value;

/* One patient's follow-up: what the schedule and the endpoints read. All strings and arrays
 * are owned by the record. */
typedef struct lt_outcome_record {
    const char *id;
    const char *site; /* the trial site, or NULL */
    const char *arm;  /* NULL before randomisation */
    const lt_strat_value *strata;
    size_t nstrata;
    const lt_named_date *anchors; /* "liver_resection", "randomisation", ... */
    size_t nanchors;
    const lt_sched_actual *visits; /* actual dates of calendar entries */
    size_t nvisits;
    const lt_tumour_assessment *assessments; /* by date */
    size_t nassessments;
    const lt_outcome_event *events; /* by date */
    size_t nevents;
    const lt_questionnaire *questionnaires;
    size_t nquestionnaires;
    lt_date last_contact; /* LT_DATE_NONE when not recorded */
    struct lt__outcome_priv *priv;
} lt_outcome_record;

/* Reads one record (an element of "patients" in docs/outcomes-format.md). where names it in
 * errors ("events.json: patients[3]"). *out is the caller's (lt_outcome_record_free). */
LT_API lt_status lt_outcome_record_from_json(const lt_json *v, const char *where,
                                             lt_outcome_record **out, lt_error *err);
LT_API void lt_outcome_record_to_json(const lt_outcome_record *r, lt_buf *b);
LT_API void lt_outcome_record_free(lt_outcome_record *r);

/* The date of an anchor of the record, or LT_DATE_NONE. */
LT_API lt_date lt_outcome_record_anchor(const lt_outcome_record *r, const char *name);
/* Whether the patient was in the study by cutoff for an endpoint from origin: neither the
 * origin nor the randomisation (the study's entry, whatever the endpoint's origin: NELMAS's DFS
 * runs from the liver resection, before it) falls after the cutoff. A date not recorded does
 * not leave the patient out (the derivation then says what is missing). LT_DATE_NONE: no cut. */
LT_API bool lt_outcome_record_entered_by(const lt_outcome_record *r, const char *origin,
                                         lt_date cutoff);

/* Fills in the schedule input for this record (arm, anchors, actual dates, and its events as
 * stop events). in borrows from r. */
LT_API void lt_outcome_record_schedule_input(const lt_outcome_record *r, lt_date as_of,
                                             lt_schedule_input *in);

/* A file of records: {"format": "lutetia-outcomes", "format_version": 1, "protocol": ID,
 * "patients": [...]}. source names it in errors. */
typedef struct lt_outcome_set {
    const char *protocol;
    lt_outcome_record **records;
    size_t n;
} lt_outcome_set;

LT_API lt_status lt_outcome_set_parse(const char *text, size_t len, const char *source,
                                      lt_outcome_set **out, lt_error *err);
LT_API lt_status lt_outcome_set_load(const char *path, lt_outcome_set **out, lt_error *err);
LT_API void lt_outcome_set_free(lt_outcome_set *s);

/* ---- Endpoints ------------------------------------------------------------------------ */

typedef enum lt_censor_rule {
    LT_CENSOR_LAST_ASSESSMENT = 0, /* the last tumour assessment without event */
    LT_CENSOR_LAST_CONTACT,        /* the last date the patient was known alive */
} lt_censor_rule;

typedef struct lt_endpoints lt_endpoints;

/* Reads the protocol's `endpoints` member (docs/protocol-format.md, "Endpoints"). where names
 * it in errors. *out is the caller's (lt_endpoints_free). */
LT_API lt_status lt_endpoints_parse(const lt_json *section, const char *where, lt_endpoints **out,
                                    lt_error *err);
LT_API lt_status lt_endpoints_from_protocol(const lt_protocol *p, lt_endpoints **out,
                                            lt_error *err);
LT_API void lt_endpoints_free(lt_endpoints *e);
LT_API size_t lt_endpoints_count(const lt_endpoints *e);
LT_API const char *lt_endpoints_id(const lt_endpoints *e, size_t i);
/* Index of the endpoint with this id (case-insensitive), or -1. */
LT_API long lt_endpoints_find(const lt_endpoints *e, const char *id);
LT_API const char *lt_endpoints_origin(const lt_endpoints *e, size_t i);
LT_API lt_censor_rule lt_endpoints_censor(const lt_endpoints *e, size_t i);

/* ---- Proportions (src/outcomes/proportion.c) ----
 * An endpoint with "type": "proportion" counts patients (docs/protocol-format.md,
 * "Endpoints"): those with a toxicity of CTCAE grade >= at_least, those given at least
 * at_least cycles, or those whose best overall response by RECIST 1.1 is CR or PR; among every
 * patient allocated ("all") or those given at least one cycle ("treated"). */
typedef enum lt_proportion_counts {
    LT_COUNTS_TOXICITY_GRADE = 0, /* an adverse event or graded laboratory result >= at_least */
    LT_COUNTS_CYCLES_GIVEN,       /* at least at_least administrations */
    LT_COUNTS_OBJECTIVE_RESPONSE, /* best overall response CR or PR (RECIST 1.1) */
    LT_COUNTS_COUNT
} lt_proportion_counts;

typedef enum lt_population {
    LT_POPULATION_ALL = 0, /* every patient allocated (intention to treat) */
    LT_POPULATION_TREATED, /* patients given at least one cycle (the safety population) */
} lt_population;

typedef struct lt_proportion_def {
    lt_proportion_counts counts;
    int at_least;        /* the grade or the number of cycles */
    lt_population population;
    double level;        /* of the exact interval; 0.95 unless the file says */
    int confirm_days;    /* objective response: a CR or PR counts only when confirmed by the
                            next evaluable assessment at least this many days later (RECIST 1.1
                            section 4.4.1: 28 in non-randomised trials); 0: unconfirmed */
} lt_proportion_def;

/* "toxicity_grade", "cycles_given", "objective_response" (the protocol's spelling). */
LT_API const char *lt_proportion_counts_name(lt_proportion_counts c);

/* The definition of endpoint i when it is a proportion, else NULL. */
LT_API const lt_proportion_def *lt_endpoints_proportion(const lt_endpoints *e, size_t i);
LT_API const char *lt_endpoints_name(const lt_endpoints *e, size_t i);

/* What a proportion reads about a patient beyond the outcomes record: the store's adverse
 * events, graded laboratory results and administrations. */
typedef struct lt_patient_safety {
    int cycles_given;
    int worst_grade;        /* the highest CTCAE grade recorded from the first cycle on; -1:
                               none recorded */
    const char *worst_what; /* its term ("Platelet count decreased"), borrowed */
    lt_date worst_date;
} lt_patient_safety;

typedef struct lt_proportion_row {
    const char *patient, *arm;
    bool in_population;
    int counted;        /* 1 when the patient has what the endpoint counts */
    char why[160];      /* "grade 3 Platelet count decreased on 2026-01-05", "2 cycles given",
                           "best response PR", "not treated" */
} lt_proportion_row;

/* Derives a proportion endpoint for one patient. Objective response evaluates the record's
 * assessments up to cutoff (LT_DATE_NONE: all) with RECIST 1.1 (the first is the baseline); a
 * patient with no follow-up assessment counts as not responding (it stays in the
 * denominator). s is read as the caller cut it. */
LT_API lt_status lt_proportion_derive(const lt_endpoints *e, size_t i,
                                      const lt_outcome_record *r, const lt_patient_safety *s,
                                      lt_date cutoff, lt_proportion_row *row, lt_error *err);

/* One patient's row of an analysis dataset. Strings borrow from the record and endpoints. */
typedef struct lt_endpoint_row {
    const char *patient;
    const char *arm;
    lt_date origin;     /* the origin event's date */
    lt_date end;        /* the event's date, or the censoring date */
    double time;        /* end - origin, in days */
    int event;          /* 1 event, 0 censored */
    const char *reason; /* the event ("recurrence", "death") or the censoring reason
                           ("last_assessment", "last_contact", "no_assessment", "cutoff") */
} lt_endpoint_row;

/* Derives endpoint i for one record. Events after cutoff (LT_DATE_NONE: none) are ignored and
 * follow-up is censored at it. LT_ESTATE when the record lacks the origin date; LT_ESCHEMA when
 * an event precedes the origin. */
LT_API lt_status lt_endpoint_derive(const lt_endpoints *e, size_t i, const lt_outcome_record *r,
                                    lt_date cutoff, lt_endpoint_row *row, lt_error *err);

/* An analysis dataset ready to write: one row per patient (rows[i] derived from recs[i]),
 * the strata columns to show, and the arms (after the first, the reference) that get a 0/1
 * column for a Cox model. Everything is borrowed. */
typedef struct lt_endpoint_dataset {
    const char *protocol_id, *protocol_name, *protocol_version;
    const char *endpoint, *origin;
    lt_date cutoff;                        /* LT_DATE_NONE: none */
    const char *const *factors;            /* strata columns, in order */
    size_t nfactors;
    const char *const *arms;               /* arm ids, the reference first; NULL: no columns */
    const char *const *arm_names;          /* [narms] their names, or NULL */
    size_t narms;
    const lt_endpoint_row *rows;
    const lt_outcome_record *const *recs;
    size_t n;
} lt_endpoint_dataset;

typedef enum lt_dataset_format {
    LT_DATASET_TEXT = 0, /* a table for people */
    LT_DATASET_CSV,      /* patient,arm,<strata>,time,event,time_months,origin,end,reason,arm_<X> */
    LT_DATASET_JSON,     /* {"protocol", ..., "n", "events", "rows": [...]} */
} lt_dataset_format;

/* Writes the dataset in one of the formats `lutetia endpoints` offers and `lutetia analyse`
 * reads (time in days; time_months = days / 30.4375). */
LT_API void lt_endpoint_dataset_write(const lt_endpoint_dataset *d, lt_dataset_format fmt,
                                      lt_buf *out);

/* The per-visit datasets of set (src/outcomes/scores.c), appended to out: with json, one
 * document ending in a newline ({"instrument":"qlq_c30","rows":[{"patient","arm","date", one
 * member per scale, null when unscored}]}; {"criteria":"RECIST 1.1","rows":[{"patient","arm",
 * "date","sum_mm","nadir_mm","target","nontarget","overall"}]}); with csv a header and one line
 * per row; otherwise a readable table. events names the source in errors ("trial store"). */
LT_API lt_status lt_qol_dataset_write(const lt_outcome_set *set, bool csv, bool json, lt_buf *out,
                                      lt_error *err);
LT_API lt_status lt_response_dataset_write(const lt_outcome_set *set, const char *events, bool csv,
                                           bool json, lt_buf *out, lt_error *err);

#endif
