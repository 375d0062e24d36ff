/* Allocation of patients to arms: stratified permuted blocks of randomly chosen sizes, and
 * Pocock-Simon minimisation. Every random draw comes from the trial's secret seed and the
 * allocation's place (stratum and block number, or the patient's allocation number), so an
 * auditor holding the seed can replay the whole sequence, and nobody without it can read the
 * next allocation. The module keeps no state: the caller (the trial, or the simulation) hands
 * in what was allocated before. */
#ifndef LUTETIA_RANDOMISE_H
#define LUTETIA_RANDOMISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "protocol.h"
#include "status.h"

#define LT_RANDOMISE_SEED_BYTES 32
#define LT_RANDOMISE_MAX_ARMS 16
#define LT_RANDOMISE_MAX_BLOCK 256

/* The design, as plain data (lt_randomiser_from_protocol reads it from a protocol). */
typedef struct lt_rand_design {
    lt_randomisation_method method;
    size_t narms;
    const char *const *arm_ids;
    const int *ratios;              /* >= 1 each */
    size_t nfactors;
    const char *const *factor_ids;
    const size_t *nlevels;          /* per factor */
    const char *const *const *levels; /* per factor, nlevels[f] names */
    const int *block_sizes;         /* permuted blocks: multiples of the sum of the ratios */
    size_t nblock_sizes;
    bool variance;                  /* minimisation: variance instead of range */
    double p_preferred;             /* minimisation: in (0.5, 1] for two arms */
} lt_rand_design;

typedef struct lt_randomiser lt_randomiser;

/* Checks the design and copies it with the seed. *out is the caller's (lt_randomiser_free).
 * An empty block_sizes list means the default: one and two times the sum of the ratios
 * (2 and 4 for 1:1). */
LT_API lt_status lt_randomiser_new(const lt_rand_design *d,
                                   const unsigned char seed[LT_RANDOMISE_SEED_BYTES],
                                   lt_randomiser **out, lt_error *err);
/* The same from a protocol's arms, stratification factors and randomisation section. */
LT_API lt_status lt_randomiser_from_protocol(const lt_protocol *p,
                                             const unsigned char seed[LT_RANDOMISE_SEED_BYTES],
                                             lt_randomiser **out, lt_error *err);
LT_API void lt_randomiser_free(lt_randomiser *r);

LT_API lt_randomisation_method lt_randomiser_method(const lt_randomiser *r);
LT_API size_t lt_randomiser_arm_count(const lt_randomiser *r);
LT_API const char *lt_randomiser_arm_id(const lt_randomiser *r, size_t i);
LT_API int lt_randomiser_arm_ratio(const lt_randomiser *r, size_t i);
LT_API size_t lt_randomiser_factor_count(const lt_randomiser *r);
LT_API const char *lt_randomiser_factor_id(const lt_randomiser *r, size_t f);
LT_API size_t lt_randomiser_level_count(const lt_randomiser *r, size_t f);
LT_API const char *lt_randomiser_level(const lt_randomiser *r, size_t f, size_t l);
/* Index of an arm or of a level by name, or -1. */
LT_API int lt_randomiser_arm_index(const lt_randomiser *r, const char *id);
LT_API int lt_randomiser_level_index(const lt_randomiser *r, size_t f, const char *level);

/* The stratum key of a patient with these level indexes (one per factor, in factor order):
 * "primary_site=pancreas;resection_margin=R0", or "all" without factors. */
LT_API void lt_randomiser_stratum(const lt_randomiser *r, const int *levels, lt_buf *out);

/* One allocation. */
typedef struct lt_allocation {
    int arm;            /* index of the arm */
    /* permuted blocks: which block of the stratum (0, 1, ...), the place in it, its size */
    int64_t block;
    int position;
    int block_size;
    /* minimisation: the imbalance each arm would give, and whether the preferred arm won */
    double imbalance[LT_RANDOMISE_MAX_ARMS];
    bool preferred;
} lt_allocation;

/* The arms of block number `block` of a stratum, in allocation order: arms[0..*size). */
LT_API lt_status lt_randomise_block(const lt_randomiser *r, const char *stratum, int64_t block,
                                    int arms[LT_RANDOMISE_MAX_BLOCK], int *size, lt_error *err);

/* Permuted blocks: the allocation after prev in the stratum (prev NULL for its first). */
LT_API lt_status lt_randomise_next_in_block(const lt_randomiser *r, const char *stratum,
                                            const lt_allocation *prev, lt_allocation *out,
                                            lt_error *err);

/* Pocock-Simon minimisation (Pocock & Simon, Biometrics 1975;31:103-115) for allocation number
 * k (1, 2, ... across the trial). counts[f * narms + a] is how many patients already allocated
 * to arm a share this patient's level of factor f. Counts are divided by the arms' ratios
 * before the imbalance (range or variance) is measured; the arm with the smallest total
 * imbalance is chosen with probability p_preferred (ties broken at random), any other arm
 * otherwise. */
LT_API lt_status lt_randomise_minimise(const lt_randomiser *r, uint64_t k,
                                       const int64_t *counts, lt_allocation *out,
                                       lt_error *err);

/* Balance a design gives over n simulated patients, each factor's level drawn uniformly at
 * random from sim_seed (patients arrive in random strata, as in a real trial). Writes the
 * report as JSON (json true) or text. */
LT_API lt_status lt_randomise_simulate(const lt_randomiser *r, size_t n,
                                       const unsigned char sim_seed[LT_RANDOMISE_SEED_BYTES],
                                       bool json, lt_buf *out, lt_error *err);

#endif
