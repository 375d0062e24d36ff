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
    const char *id;    /* "A", "B" */
    const char *name;  /* "Standard of care" */
    int ratio;         /* allocation ratio weight, >= 1 */
} lt_arm;

/* A stratification factor: its levels, and the patient fact or attestation it is read from. */
typedef struct lt_strat_factor {
    const char *id;           /* "primary_site" */
    const char *name;
    const char *const *levels;
    size_t nlevels;
} lt_strat_factor;

typedef enum lt_randomisation_method {
    LT_RANDOMISE_NONE,            /* single-arm: patients are registered, not randomised */
    LT_RANDOMISE_PERMUTED_BLOCKS, /* stratified permuted blocks of randomly chosen sizes */
    LT_RANDOMISE_MINIMISATION,    /* Pocock-Simon */
} lt_randomisation_method;

typedef struct lt_randomisation_spec {
    lt_randomisation_method method;
    const int *block_sizes;       /* multiples of the sum of the ratios; e.g. {2, 4} for 1:1 */
    size_t nblock_sizes;
    bool variance_imbalance;      /* minimisation: variance instead of range */
    double p_preferred;           /* minimisation: probability of the arm that minimises */
} lt_randomisation_spec;

/* Loads and validates path. version chooses an amendment ("1.0"); NULL means the latest.
 * On failure err holds the first error; lt_protocol_check lists them all. */
LT_API lt_status lt_protocol_load(const char *path, const char *version, lt_protocol **out,
                                  lt_error *err);
LT_API lt_status lt_protocol_parse(const char *text, size_t len, const char *source,
                                   const char *version, lt_protocol **out, lt_error *err);
LT_API void lt_protocol_free(lt_protocol *p);

LT_API const char *lt_protocol_id(const lt_protocol *p);       /* "nelmas" */
LT_API const char *lt_protocol_name(const lt_protocol *p);     /* "NELMAS" */
LT_API const char *lt_protocol_version(const lt_protocol *p);  /* the chosen version */
LT_API size_t lt_protocol_arm_count(const lt_protocol *p);
LT_API const lt_arm *lt_protocol_arm(const lt_protocol *p, size_t i);
LT_API size_t lt_protocol_strat_count(const lt_protocol *p);
LT_API const lt_strat_factor *lt_protocol_strat(const lt_protocol *p, size_t i);
LT_API const lt_randomisation_spec *lt_protocol_randomisation(const lt_protocol *p);

/* A top-level member of the chosen version, as JSON, for the module that owns its meaning:
 * "design" (stats), "schedule" (schedule), "dosing" (dosing and safety), "endpoints"
 * (outcomes). NULL when absent. Borrowed: valid while p lives. */
LT_API const lt_json *lt_protocol_section(const lt_protocol *p, const char *key);

#endif
