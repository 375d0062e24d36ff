/* Screening a patient against a protocol's criteria. Each criterion is met, not met or unknown
 * (Kleene logic), with a reason code and the evidence used; the verdict is ineligible when an
 * inclusion is not met or an exclusion is met, otherwise needs_review when any is unknown,
 * otherwise eligible. Being ineligible is a result, not an error. */
#ifndef LUTETIA_ELIGIBILITY_H
#define LUTETIA_ELIGIBILITY_H

#include <stdbool.h>
#include "buf.h"
#include "date.h"
#include "patient.h"
#include "protocol.h"
#include "status.h"

typedef enum lt_tri { LT_NOT_MET = 0, LT_MET = 1, LT_UNKNOWN = 2 } lt_tri;

typedef enum lt_verdict {
    LT_VERDICT_ELIGIBLE = 0,
    LT_VERDICT_INELIGIBLE,
    LT_VERDICT_NEEDS_REVIEW,
} lt_verdict;

typedef struct lt_screen_options {
    lt_date as_of; /* the screening date; LT_DATE_NONE means today */
    /* named anchor events given by the caller (e.g. "randomisation"), overriding facts */
    const char *const *anchor_names;
    const lt_date *anchor_dates;
    size_t nanchors;
} lt_screen_options;

typedef struct lt_screening lt_screening;

/* Screens patient against protocol. *out owns the result (free with lt_screening_free). */
LT_API lt_status lt_screen(const lt_protocol *protocol, const lt_patient *patient,
                           const lt_screen_options *opt, lt_screening **out, lt_error *err);
LT_API void lt_screening_free(lt_screening *s);

LT_API lt_verdict lt_screening_verdict(const lt_screening *s);
LT_API const char *lt_verdict_name(lt_verdict v); /* "eligible", "ineligible", "needs_review" */
LT_API const char *lt_tri_name(lt_tri t);         /* "met", "not_met", "unknown" */

/* One piece of evidence a criterion used: a fact (value in the canonical unit and as given,
 * date, source) or a derived value with a note saying how it was derived. Strings are
 * borrowed from the patient or owned by the screening. */
typedef struct lt_evidence {
    const char *concept; /* "hemoglobin", "age_years", "liver_resection" */
    const char *kind;    /* "lab", "derived", "procedure", ... */
    bool has_value;
    double value; /* canonical unit */
    const char *unit;
    bool has_given;
    double given_value; /* as the source gave it */
    const char *given_unit;
    char comparator;    /* 0 or the result's bound: '<', '>', 'l' (<=), 'g' (>=) */
    const char *text;   /* the fact's text (margin, grade) or NULL */
    lt_date date;       /* LT_DATE_NONE when unknown */
    const char *source; /* "examples/p01.json: labs[3]" */
    const char *note;   /* "threshold 8.057 g/dL (5 mmol/L)", "Cockcroft-Gault: ..." */
} lt_evidence;

/* One criterion's result. */
typedef struct lt_criterion_result {
    const lt_criterion *criterion;
    const char *id;
    bool exclusion;
    lt_tri status;
    const char *reason; /* a reason code of docs/protocol-format.md ("THRESHOLD") */
    const lt_evidence *evidence;
    size_t nevidence;
} lt_criterion_result;

/* The screening borrows from the protocol and the patient: free it before them. */
LT_API const char *lt_screening_patient(const lt_screening *s);
LT_API const char *lt_screening_protocol(const lt_screening *s); /* the protocol's name */
LT_API const char *lt_screening_version(const lt_screening *s);
LT_API lt_date lt_screening_as_of(const lt_screening *s);
LT_API size_t lt_screening_count(const lt_screening *s);
LT_API const lt_criterion_result *lt_screening_result(const lt_screening *s, size_t i);

/* The level of a stratification factor for a patient, read from the latest fact the factor
 * names (dated on or before as_of; LT_DATE_NONE: today). *level is borrowed from the protocol.
 * LT_ESTATE (and err saying what is missing) when the fact is not recorded or its value gives
 * no level: randomisation must then refuse to run. */
LT_API lt_status lt_strat_level(const lt_strat_factor *f, const lt_patient *p, lt_date as_of,
                                const char **level, lt_error *err);

/* The screening as the JSON document `lutetia screen --json` prints (one object, no newline):
 * {"patient", "protocol", "version", "as_of", "verdict", "criteria": [{"id", "kind", "status",
 * "reason", "text", "evidence": [...]}]} */
LT_API void lt_screening_json(const lt_screening *s, lt_buf *out);
/* A readable report for a coordinator. */
LT_API void lt_screening_text(const lt_screening *s, lt_buf *out);

#endif
