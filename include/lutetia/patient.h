/* Patients as Lutetia sees them: demographics and dated facts in canonical units, each with
 * its source, read from native JSON, FHIR R4 Bundles or CSV lab exports.
 *
 * A fact is identified by its kind and a concept code from Lutetia's own vocabulary
 * ("hemoglobin", "liver_resection", "ga68_dotatate_pet", "prrt", ...); data/concepts.json maps
 * standard codes (LOINC, SNOMED CT, ATC) to those concepts, and src/patient/units.c holds the
 * canonical unit of each analyte with the accepted units and their factors.
 *
 * The structs are public and read-only for callers; all strings are owned by the patient. */
#ifndef LUTETIA_PATIENT_H
#define LUTETIA_PATIENT_H

#include <stdbool.h>
#include <stddef.h>
#include "date.h"
#include "status.h"

typedef enum lt_sex { LT_SEX_UNKNOWN = 0, LT_SEX_FEMALE, LT_SEX_MALE, LT_SEX_OTHER } lt_sex;

typedef enum lt_fact_kind {
    LT_FACT_LAB = 0,     /* a laboratory result: value in the analyte's canonical unit */
    LT_FACT_DIAGNOSIS,   /* a condition: histology, grade, Ki-67, primary site in attrs */
    LT_FACT_PROCEDURE,   /* surgery and the like: margin (R0/R1/R2) as text */
    LT_FACT_IMAGING,     /* PET, MRI, CT with findings in attrs */
    LT_FACT_TREATMENT,   /* prior therapy: PRRT (value = activity in MBq), drugs, radiotherapy */
    LT_FACT_PERFORMANCE, /* ECOG (value 0-5) or Karnofsky (value 0-100), by code */
    LT_FACT_STATUS,      /* pregnancy, breastfeeding, childbearing potential: flag */
    LT_FACT_ATTESTATION, /* a yes/no a coordinator records (consent, willingness, judgement) */
    LT_FACT_VITAL,       /* weight, height */
    LT_FACT_KIND_COUNT
} lt_fact_kind;

/* Why a fact's value could not be used, when it cannot. */
typedef enum lt_fact_problem {
    LT_FACT_OK = 0,
    LT_FACT_UNIT_UNKNOWN,   /* the unit is not in the analyte's table: value left unconverted */
    LT_FACT_NO_VALUE,       /* a dataAbsentReason, an empty cell */
    LT_FACT_NOT_FINAL,      /* a FHIR status other than final/amended/corrected */
    LT_FACT_BAD_DATE,       /* a date that does not parse */
    LT_FACT_IMPLAUSIBLE,    /* a value or reference range no body has (data/plausible-ranges.json) */
} lt_fact_problem;

typedef struct lt_attr {
    const char *key;   /* "grade", "ki67", "primary_site", "liver_metastases", ... */
    const char *text;  /* text value or NULL */
    double num;
    bool has_num;
} lt_attr;

typedef struct lt_fact {
    lt_fact_kind kind;
    const char *code;        /* Lutetia concept code */
    lt_date date;            /* effective or onset date; LT_DATE_NONE when unknown; the
                                earliest day a partial one ("2013-04") allows */
    lt_date date_latest;     /* a partial date: the latest day it allows; LT_DATE_NONE when
                                date is a whole day (or unknown) */
    lt_date end_date;        /* abatement or end; LT_DATE_NONE when ongoing or unknown; a
                                partial one is its latest day (a washout is never shortened) */
    bool has_value;          /* value holds a usable number (false for unit_unknown, no_value) */
    double value;            /* in the canonical unit (labs, vitals, PRRT MBq), the score, or
                                1/0 for status and attestations */
    const char *unit;        /* canonical unit, or the unit as given when problem says so */
    double given_value;      /* the value and unit exactly as the source gave them */
    const char *given_unit;
    char comparator;         /* 0, '<', '>', 'l' (<=), 'g' (>=) from a FHIR Quantity */
    bool has_low, has_high;  /* the result's own reference range, in the canonical unit */
    double low, high;
    const char *text;        /* margin "R0", grade "G2", a route, a free-text finding */
    int flag;                /* yes/no facts: 1 yes, 0 no, -1 not recorded */
    lt_fact_problem problem; /* not LT_FACT_OK: the fact must not decide (engine: unknown) */
    const char *source;      /* "examples/p01.json: labs[3]", "bundle.json: Observation/ab12",
                                "labs.csv:12" */
    const lt_attr *attrs;
    size_t nattrs;
} lt_fact;

typedef struct lt_patient {
    const char *id;
    lt_date birth_date;      /* LT_DATE_NONE when unknown; the earliest day a partial one allows */
    lt_date birth_date_latest; /* a partial birth date ("1974", "1974-06"): the latest day it
                                  allows; LT_DATE_NONE when birth_date is a whole date */
    lt_sex sex;
    lt_date death_date;      /* LT_DATE_NONE when alive or unknown */
    bool deceased;           /* known to have died, also when the date is not (deceasedBoolean) */
    const char *source;      /* file it came from */
    const lt_fact *facts;    /* sorted by date ascending (unknown dates first), then code */
    size_t nfacts;
    struct lt__patient_priv *priv;
} lt_patient;

/* A set of patients read from one or more inputs; patients with the same id are merged. */
typedef struct lt_cohort lt_cohort;

LT_API lt_status lt_cohort_new(lt_cohort **out, lt_error *err);
LT_API void lt_cohort_free(lt_cohort *c);
LT_API size_t lt_cohort_count(const lt_cohort *c);
LT_API const lt_patient *lt_cohort_patient(const lt_cohort *c, size_t i);
LT_API const lt_patient *lt_cohort_find(const lt_cohort *c, const char *id);

/* Reads a file into the cohort, detecting its format: a native patient JSON document (or an
 * array of them), a FHIR R4 Bundle, or a CSV lab export (one row per result). "-" reads
 * standard input. On failure nothing is added and err names the file and the place. */
LT_API lt_status lt_cohort_read_file(lt_cohort *c, const char *path, lt_error *err);
LT_API lt_status lt_cohort_read_mem(lt_cohort *c, const char *data, size_t len,
                                    const char *source, lt_error *err);

/* Reads n files into c on up to nthreads threads (0: one per processor, at most 8): each file
 * into its own cohort, merged in the order given, so the result is that of reading them one by
 * one. A file that cannot be read is skipped and named in a warning (lt_cohort_warning)
 * with its error, so one bad file of a folder does not hide the others; when every file
 * fails, err is the error of the first, and nothing is added. Out of memory always fails.
 * This is how `lutetia screen` reads a folder of bundles quickly. */
LT_API lt_status lt_cohort_read_files(lt_cohort *c, const char *const *paths, size_t n,
                                      int nthreads, lt_error *err);

/* What reading passed over without failing: a resource whose subject cannot be resolved, a
 * file of a folder that could not be read (lt_cohort_read_files). Each is "where: message";
 * borrowed from the cohort. */
LT_API size_t lt_cohort_warning_count(const lt_cohort *c);
LT_API const char *lt_cohort_warning(const lt_cohort *c, size_t i);

/* Copies pointers to up to max facts of this kind and code (code NULL: any code) into out, in
 * date order, and returns how many match in all (which may exceed max). */
LT_API size_t lt_patient_facts(const lt_patient *p, lt_fact_kind kind, const char *code,
                               const lt_fact **out, size_t max);
/* An attribute of a fact by key, or NULL. */
LT_API const lt_attr *lt_fact_attr(const lt_fact *f, const char *key);

/* Merges every patient of src into dst (same id: facts appended, demographics must agree) and
 * leaves src empty; src's memory moves to dst. On a conflict (two birth dates for one id) or
 * an allocation failure nothing moves and err says why. For reading files on several threads:
 * one cohort per thread (or per file), then merge them in a fixed order on one thread. */
LT_API lt_status lt_cohort_merge(lt_cohort *dst, lt_cohort *src, lt_error *err);

/* Appends p as one object of Lutetia's own patient format (docs/patient-format.md), which
 * the native reader reads back to the same facts: values in canonical units, each fact with its
 * source. A fact repeated (the same kind, code, date, value, text and attributes from another
 * source) is written once; a partial date keeps its span ("1974-06"). Facts that decide nothing
 * and that the format cannot mark (not final, implausible, unknown unit, a lab without its
 * value) are left out; *left (if not NULL) counts them. */
struct lt_buf;
LT_API lt_status lt_patient_to_json(const lt_patient *p, struct lt_buf *b, size_t *left,
                                    lt_error *err);

/* The mapping from standard codes (system AND code) to Lutetia concepts: data/concepts.json,
 * found in $LUTETIA_DATA_DIR, the source tree's data/ (builds run from the tree) or the
 * installed data folder, then extended by the file extra names (NULL: $LUTETIA_CONCEPTS when
 * set), whose entries override the shipped ones. Read-only once loaded: one lt_concepts may be
 * shared by cohorts on several threads. *out is owned by the caller. */
typedef struct lt_concepts lt_concepts;
LT_API lt_status lt_concepts_load(const char *extra, lt_concepts **out, lt_error *err);
/* Adds the mappings of one more file (same shape as data/concepts.json) to m. */
LT_API lt_status lt_concepts_add_file(lt_concepts *m, const char *path, lt_error *err);
LT_API void lt_concepts_free(lt_concepts *m);
LT_API size_t lt_concepts_count(const lt_concepts *m);
/* The concept a coding maps to, or NULL; *kind receives its fact kind. */
LT_API const char *lt_concepts_lookup(const lt_concepts *m, const char *system, const char *code,
                                      lt_fact_kind *kind);
/* Makes the cohort use m (borrowed: m must outlive the cohort) instead of loading its own copy
 * the first time a FHIR bundle or a LOINC-coded CSV is read. */
LT_API void lt_cohort_use_concepts(lt_cohort *c, const lt_concepts *m);

/* Plausible ranges per analyte and vital (data/plausible-ranges.json, found as concepts.json
 * is; path NULL: the shipped table): the values a living body can have, in canonical units.
 * Not reference ranges: a value outside is a typing or unit error (haemoglobin -3 g/dL,
 * creatinine 71 mg/dL, weight 0.001 kg) until a person confirms it. The readers mark such a
 * fact LT_FACT_IMPLAUSIBLE (screening then says unknown); recording refuses it unless confirmed
 * with a reason. Read-only once loaded: may be shared by cohorts on several threads. */
typedef struct lt_plausible lt_plausible;
LT_API lt_status lt_plausible_load(const char *path, lt_plausible **out, lt_error *err);
LT_API void lt_plausible_free(lt_plausible *t);
/* The range of analyte; false when the table has none (not an analyte). */
LT_API bool lt_plausible_range(const lt_plausible *t, const char *analyte, double *min,
                               double *max);
/* Whether value (canonical unit) is plausible: finite, and inside the analyte's range. When
 * not, why (may be NULL) receives "creatinine 71 mg/dL is outside the plausible range ...". */
LT_API bool lt_plausible_value(const lt_plausible *t, const char *analyte, double value,
                               char *why, size_t n);
/* Whether reference limits (canonical unit) are plausible: each inside the range, and the
 * LLN not above the ULN. */
LT_API bool lt_plausible_limits(const lt_plausible *t, const char *analyte, bool has_low,
                                double low, bool has_high, double high, char *why, size_t n);
/* Makes the cohort use t (borrowed: t must outlive the cohort) instead of loading its own. */
LT_API void lt_cohort_use_plausible(lt_cohort *c, const lt_plausible *t);

/* Stable names: "lab", "diagnosis", ... and "ok", "unit_unknown", "no_value", "not_final",
 * "bad_date", "implausible". */
LT_API const char *lt_fact_kind_name(lt_fact_kind k);
LT_API const char *lt_fact_problem_name(lt_fact_problem p);

/* Unit conversion per analyte: converts value in unit to the analyte's canonical unit.
 * Returns false (and leaves out untouched) when the analyte or the unit is not in the table:
 * such a value is unknown, never guessed. */
LT_API bool lt_units_convert(const char *analyte, double value, const char *unit, double *out);
LT_API const char *lt_units_canonical(const char *analyte); /* NULL if not an analyte */

#endif
