/* Internal to the patient module: the per-patient arena, fact building shared by the three
 * readers (native JSON, FHIR, CSV), the vocabulary and the units table lookups. */
#ifndef LT_PATIENT_INTERNAL_H
#define LT_PATIENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "lutetia/json.h"
#include "lutetia/patient.h"

/* Strings and attribute arrays live in arena blocks owned by the patient; blocks never move,
 * so facts may point into them while the facts array itself grows. Merging two patients
 * splices the block lists. */
typedef struct lt__block {
    struct lt__block *next;
    size_t used, cap;
    max_align_t data[];
} lt__block;

struct lt__patient_priv {
    lt__block *blocks;
    lt_fact *facts; /* the mutable view of lt_patient.facts */
    size_t cap;
};

void *lt__arena_alloc(lt_patient *p, size_t n);
const char *lt__arena_strdup(lt_patient *p, const char *s);

/* A fact with every field at its "unknown" value: dates LT_DATE_NONE, flag -1. */
lt_fact *lt__fact_add(lt_patient *p);
/* Copies n attributes (key and text strings copied too) into the arena and attaches them. */
bool lt__fact_set_attrs(lt_patient *p, lt_fact *f, const lt_attr *attrs, size_t n);

/* Finds or creates the patient with this id in cohort c. NULL on allocation failure. */
lt_patient *lt__cohort_patient(lt_cohort *c, const char *id, const char *source);
/* The cohort's concept map: the one given by lt_cohort_use_concepts, or its own copy loaded
 * on first use. */
/* Records a warning "where: message" on the cohort (a resource read past, a file skipped);
 * LT_ENOMEM (and err) only when it cannot be recorded. */
lt_status lt__cohort_warn(lt_cohort *c, lt_error *err, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A FHIR date of year or year-month precision ("1974", "1974-06"): *first and *last receive the
 * first and last days it allows; false for anything else (a whole date included). */
bool lt__partial_date(const char *s, lt_date *first, lt_date *last);

lt_status lt__cohort_concepts(lt_cohort *c, const lt_concepts **out, lt_error *err);

/* Readers: each adds to c (a fresh cohort that the caller merges or discards). */
lt_status lt__read_native(lt_cohort *c, const lt_json *root, const char *text, size_t len,
                          const char *source, lt_error *err);
lt_status lt__read_fhir(lt_cohort *c, const lt_json *root, const char *source, lt_error *err);
lt_status lt__read_csv(lt_cohort *c, char *data, size_t len, const char *source, lt_error *err);

/* The vocabulary (docs/patient-format.md): whether code is a concept of kind. Attestations
 * accept any snake_case id. */
bool lt__vocab_known(lt_fact_kind kind, const char *code);
bool lt__snake_case(const char *s);
/* The kind whose name is s ("lab", "diagnosis", ...), or LT_FACT_KIND_COUNT. */
lt_fact_kind lt__kind_from_name(const char *s);

/* Attribute checking for the native reader. */
typedef enum lt__attr_type { LT__ATTR_ENUM, LT__ATTR_YESNO, LT__ATTR_NUM } lt__attr_type;
typedef struct lt__attr_spec {
    lt_fact_kind kind;
    const char *concepts; /* "|net|nec|minen|", or NULL for every concept of the kind */
    const char *key;
    lt__attr_type type;
    const char *values; /* ENUM: "|G1|G2|G3|"; NUM: NULL */
    double min, max;    /* NUM: accepted range */
} lt__attr_spec;
const lt__attr_spec *lt__attr_find(lt_fact_kind kind, const char *code, const char *key);

/* The units table: the kind an analyte belongs to (LT_FACT_LAB, LT_FACT_VITAL,
 * LT_FACT_TREATMENT for PRRT activity), or LT_FACT_KIND_COUNT when code is no analyte. */
lt_fact_kind lt__units_kind(const char *analyte);

/* The i-th analyte of the units table, or NULL past the end; the table's own (static) copy of
 * an analyte's code, or NULL when it is none. */
const char *lt__units_analyte(size_t i);
const char *lt__units_code(const char *analyte);

/* Whether a fact's value and reference limits are plausible (always true for facts that are
 * not quantities or have no value). */
bool lt__fact_plausible(const lt_plausible *t, const lt_fact *f);

/* The cohort's plausible ranges: the table given by lt_cohort_use_plausible, or its own copy
 * loaded on first use. */
lt_status lt__cohort_plausible(lt_cohort *c, const lt_plausible **out, lt_error *err);

/* Fills value/unit/given_* of f from a value read in unit (NULL: none given), converting to
 * the canonical unit or marking LT_FACT_UNIT_UNKNOWN. The unit string is copied. */
bool lt__fact_set_quantity(lt_patient *p, lt_fact *f, double value, const char *unit);
/* Converts a reference limit read in unit; false leaves it unset. */
bool lt__convert_limit(const char *analyte, double v, const char *unit, double *out);

/* The fixed attributes a mapping adds (e.g. primary_site of a site-specific NET code). */
const lt_attr *lt__concepts_attrs(const lt_concepts *m, const char *system, const char *code,
                                  size_t *n);

/* The earliest date a reader accepts (1900-01-01): anything before is a typing error (1062 for
 * 1962) in a trial of living adults. */
lt_date lt__date_min(void);
/* Whether a patient id is usable: not empty, and no control characters (a NUL from "\u0000"
 * would cut the id short and merge two patients; a newline breaks every listing). */
bool lt__id_ok(const char *id);

int lt__comparator_parse(const char *s); /* '<', '>', 'l', 'g', 0 for "" / NULL, -1 bad */

#endif
