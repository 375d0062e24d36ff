/* Trial protocols as data: loading a protocol file (JSON, docs/protocol-format.md), choosing a
 * version (amendment), and the parts other modules read. Validation reports every error at once
 * with its JSON path and line:column.
 *
 * The functions below are the contract other modules build on; the protocol module may add
 * more but keeps these. */
#ifndef LUTETIA_PROTOCOL_H
#define LUTETIA_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "json.h"
#include "status.h"

typedef struct lt_protocol lt_protocol;

/* One arm of the trial. */
typedef struct lt_arm {
    const char *id;   /* "A", "B" */
    const char *name; /* "Standard of care" */
    int ratio;        /* allocation ratio weight, >= 1 */
    const char *role; /* "experimental", "control" or "single" */
} lt_arm;

/* A stratification factor: its levels, and the patient fact or attestation it is read from. */
typedef struct lt_strat_factor {
    const char *id; /* "primary_site" */
    const char *name;
    const char *const *levels;
    size_t nlevels;
    /* where the level is read: the latest fact of this kind ("diagnosis") and code ("net"),
     * its attribute attr ("primary_site"; "$text" / "$value" for the fact's own text/value);
     * level i is chosen when the value is one of values[i][0..nvalues[i]) (eligibility.h:
     * lt_strat_level reads it from a patient) */
    const char *fact_kind;
    const char *fact_code;
    const char *attr;
    const char *const *const *values;
    const size_t *nvalues;
} lt_strat_factor;

typedef enum lt_randomisation_method {
    LT_RANDOMISE_NONE,            /* single-arm: patients are registered, not randomised */
    LT_RANDOMISE_PERMUTED_BLOCKS, /* stratified permuted blocks of randomly chosen sizes */
    LT_RANDOMISE_MINIMISATION,    /* Pocock-Simon */
} lt_randomisation_method;

typedef struct lt_randomisation_spec {
    lt_randomisation_method method;
    const int *block_sizes; /* multiples of the sum of the ratios; e.g. {2, 4} for 1:1 */
    size_t nblock_sizes;
    bool variance_imbalance; /* minimisation: variance instead of range */
    double p_preferred;      /* minimisation: probability of the arm that minimises */
} lt_randomisation_spec;

/* Loads and validates path. version chooses an amendment ("1.0"); NULL means the latest.
 * On failure err holds the first error; lt_protocol_check lists them all. */
LT_API lt_status lt_protocol_load(const char *path, const char *version, lt_protocol **out,
                                  lt_error *err);
LT_API lt_status lt_protocol_parse(const char *text, size_t len, const char *source,
                                   const char *version, lt_protocol **out, lt_error *err);
LT_API void lt_protocol_free(lt_protocol *p);

LT_API const char *lt_protocol_id(const lt_protocol *p);      /* "nelmas" */
LT_API const char *lt_protocol_name(const lt_protocol *p);    /* "NELMAS" */
LT_API const char *lt_protocol_version(const lt_protocol *p); /* the chosen version */
LT_API size_t lt_protocol_arm_count(const lt_protocol *p);
LT_API const lt_arm *lt_protocol_arm(const lt_protocol *p, size_t i);
/* The index of the reference arm of every comparison: the control arm (role "control"), else
 * the first, so that a hazard ratio reads as the protocol states it (experimental against
 * control). */
LT_API size_t lt_protocol_reference_arm(const lt_protocol *p);
/* The arms' ids (and names, when names is not NULL), the reference first, then the others in
 * the file's order, into ids[0..max); returns how many (an endpoint dataset's arm_<ID> columns
 * are the arms after the first). */
LT_API size_t lt_protocol_arm_ids_reference_first(const lt_protocol *p, const char **ids,
                                                  const char **names, size_t max);
/* The arms by name, reference first: [{"id", "name", "role", "reference"}], appended to out;
 * what an analysis prints beside arm ids and arm_<ID> columns. */
LT_API void lt_protocol_arms_to_json(const lt_protocol *p, lt_buf *out);
LT_API size_t lt_protocol_strat_count(const lt_protocol *p);
LT_API const lt_strat_factor *lt_protocol_strat(const lt_protocol *p, size_t i);
LT_API const lt_randomisation_spec *lt_protocol_randomisation(const lt_protocol *p);

/* ---- criteria: the compiled rule tree (docs/protocol-format.md, "Criteria") ------------ */

typedef enum lt_rule_type {
    LT_RULE_ALL = 0,     /* Kleene and of kids */
    LT_RULE_ANY,         /* Kleene or of kids */
    LT_RULE_NOT,         /* kids[0] negated */
    LT_RULE_MEASURE,     /* lab, vital or performance: the latest result in the window */
    LT_RULE_DERIVED,     /* age_years, creatinine_clearance, prrt_activity, prrt_cycles */
    LT_RULE_FACT,        /* facts present or absent, with a per-fact match */
    LT_RULE_ATTR,        /* an attribute test inside a fact rule's match */
    LT_RULE_STATUS,      /* pregnant, breastfeeding, childbearing_potential: latest flag */
    LT_RULE_ATTESTATION, /* a yes/no a coordinator records */
    LT_RULE_SEX,         /* the patient's sex is one of codes */
    LT_RULE_CRITERION,   /* the status of a sub-item (criterion ref, part_of this one) */
} lt_rule_type;

typedef enum lt_cmp_op { LT_OP_LT = 0, LT_OP_LE, LT_OP_GT, LT_OP_GE, LT_OP_EQ, LT_OP_NE } lt_cmp_op;

/* How a measurement is compared: with a value, a multiple of the upper or lower limit of
 * normal, or with its reference range. */
typedef enum lt_measure_mode {
    LT_MEASURE_VALUE = 0,
    LT_MEASURE_ULN,
    LT_MEASURE_LLN,
    LT_MEASURE_IN_RANGE
} lt_measure_mode;

typedef enum lt_rule_value { LT_RV_NOT_MET = 0, LT_RV_MET = 1, LT_RV_UNKNOWN = 2 } lt_rule_value;

/* A signed calendar duration: n days, weeks, months (calendar) or years. */
typedef struct lt_duration {
    int n;
    char unit; /* 'd', 'w', 'm', 'y' */
} lt_duration;

typedef struct lt_window {
    const char *name;   /* declared name, or NULL for an inline window */
    const char *anchor; /* "as_of", "randomisation" or a declared anchor */
    bool has_from, has_to;
    lt_duration from, to;
    bool from_inclusive, to_inclusive;
} lt_window;

typedef struct lt_rule lt_rule;
struct lt_rule {
    lt_rule_type type;
    const char *path;           /* its JSON path in the file ("criteria.E8.rule.any[0]") */
    const lt_rule *const *kids; /* all, any, not */
    size_t nkids;
    const lt_rule *unless;    /* any rule: met only if unless is not met */
    const char *fact_kind;    /* measure, fact: "lab", "vital", "performance", ... */
    const char *const *codes; /* concept codes (measure, derived, status, attestation:
                                 one; fact: one or more; sex: the accepted sexes; attr:
                                 the accepted texts) */
    size_t ncodes;
    const char *attr;     /* attr: the attribute key, "$text", "$value" or
                             "$duration_days" (end date - start date) */
    const char *attr_ref; /* attr: compare with this attribute of the same fact
                             instead of value (suv_max > suv_liver_mean) */
    bool negate_in;       /* attr: not_in instead of in */
    bool has_cmp;         /* a comparison: op and value (canonical unit) */
    lt_cmp_op op;
    double value;
    const char *given_unit; /* the threshold as written, for messages */
    double given_value;
    lt_measure_mode mode;
    double multiple; /* ULN / LLN multiple */
    bool in_range;   /* LT_MEASURE_IN_RANGE: true = inside the range */
    const lt_window *window;
    const lt_rule *match;     /* fact: per-fact rule */
    bool latest_only;         /* fact: which = latest */
    bool end_date;            /* fact: the window tests the end date */
    bool current;             /* fact: only facts not ended before the as-of date */
    lt_rule_value absent;     /* fact: the value when no fact exists */
    lt_rule_value if_missing; /* attr: the value when the attribute is missing */
    bool has_count;           /* fact: compare the number of matching facts */
    bool has_span;            /* fact count, derived totals: sliding period */
    lt_duration span;
    size_t ref; /* criterion: index of the sub-item in the protocol's criteria */
};

typedef struct lt_criterion {
    const char *id;     /* "E8" */
    bool exclusion;     /* kind: exclusion (else inclusion) */
    const char *text;   /* the quoted source sentence */
    const char *source; /* "002" */
    const char *note;   /* how it was read, or NULL */
    const lt_rule *rule;
    /* a sub-item ("I6.1" of "I6"): evaluated and shown with its evidence, but it decides the
     * verdict only through its parent's rule ({"criterion": "I6.1"}); NULL for the others */
    const char *part_of;
} lt_criterion;

/* An anchor declared in the protocol, read from the latest (or first) fact of a kind/code. */
typedef struct lt_anchor {
    const char *name;
    const char *fact_kind;
    const char *fact_code;    /* the first of codes */
    const char *const *codes; /* one or more concepts: the latest (first) of any of them */
    size_t ncodes;
    bool first;    /* which = first (else latest) */
    bool end_date; /* date = end */
} lt_anchor;

LT_API size_t lt_protocol_criterion_count(const lt_protocol *p);
LT_API const lt_criterion *lt_protocol_criterion(const lt_protocol *p, size_t i);
LT_API const lt_criterion *lt_protocol_criterion_find(const lt_protocol *p, const char *id);
LT_API size_t lt_protocol_anchor_count(const lt_protocol *p);
LT_API const lt_anchor *lt_protocol_anchor(const lt_protocol *p, size_t i);
/* The protocol's default reference range for an analyte, in its canonical unit; false when
 * it declares none. */
LT_API bool lt_protocol_reference_limit(const lt_protocol *p, const char *analyte, bool *has_low,
                                        double *low, bool *has_high, double *high);
LT_API const char *lt_rule_op_name(lt_cmp_op op); /* "<", "<=", ... */

/* The file the protocol was read from, and the versions it holds (latest first). */
LT_API const char *lt_protocol_source(const lt_protocol *p);
LT_API size_t lt_protocol_version_count(const lt_protocol *p);
LT_API const char *lt_protocol_version_name(const lt_protocol *p, size_t i);

/* ---- checking, linting, showing -------------------------------------------------------- */

/* One problem found in a protocol file: its JSON path, line and column (0 when not located)
 * and a message saying what was expected and what was found. */
typedef struct lt_protocol_issue {
    char code[32];    /* lint: a stable code ("HR_INCONSISTENT"); check: "" */
    char version[32]; /* the older version it was found in; "": the latest */
    char path[LT_ERROR_WHERE_MAX];
    int line, col;
    char message[LT_ERROR_MESSAGE_MAX];
} lt_protocol_issue;

/* Validates text (every version) and returns every problem at once in *issues (the caller
 * frees it with free(); NULL when there are none). Returns LT_OK when the check ran, whatever
 * it found; an error only when the text is not JSON (err gives line:column) or memory ran out. */
LT_API lt_status lt_protocol_check(const char *text, size_t len, const char *source,
                                   lt_protocol_issue **issues, size_t *nissues, lt_error *err);

/* Points out inconsistencies in a valid protocol (p loaded at its latest version): design
 * figures that disagree (hazard ratio against the survival figures), thresholds of one analyte
 * that are not the same after unit conversion, what differs between versions, totals that do
 * not add up. *issues as for lt_protocol_check. */
LT_API lt_status lt_protocol_lint(const lt_protocol *p, lt_protocol_issue **issues, size_t *nissues,
                                  lt_error *err);

/* A readable summary for a coordinator: identity, versions, arms and interventions,
 * randomisation, criteria with their rules, attestations a coordinator records, endpoints and
 * the choices made where the sources disagree. */
LT_API void lt_protocol_describe(const lt_protocol *p, lt_buf *out);
/* One rule as a short readable formula ("hemoglobin < 8.06 g/dL (5.0 mmol/L) in screening_labs").
 */
LT_API void lt_rule_describe(const lt_rule *r, lt_buf *out);

/* A top-level member of the chosen version, as JSON, for the module that owns its meaning:
 * "design" (stats), "schedule" (schedule), "dosing" (dosing and safety), "endpoints"
 * (outcomes). NULL when absent. Borrowed: valid while p lives. */
LT_API const lt_json *lt_protocol_section(const lt_protocol *p, const char *key);

#endif
