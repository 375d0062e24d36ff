/* Reads a randomisation design from a protocol: its arms with their ratios, its stratification
 * factors with their levels, and the method with its parameters. Kept apart from the
 * allocation code so that the latter can be used (and tested) without a protocol. */
#include <stdlib.h>
#include "lutetia/randomise.h"

lt_status lt_randomiser_from_protocol(const lt_protocol *p,
                                      const unsigned char seed[LT_RANDOMISE_SEED_BYTES],
                                      lt_randomiser **out, lt_error *err)
{
    size_t na = lt_protocol_arm_count(p), nf = lt_protocol_strat_count(p);
    if (na > LT_RANDOMISE_MAX_ARMS)
        LT_FAIL(err, LT_EUNSUPPORTED, "arms", "more than %d arms", LT_RANDOMISE_MAX_ARMS);
    const char *arm_ids[LT_RANDOMISE_MAX_ARMS];
    int ratios[LT_RANDOMISE_MAX_ARMS];
    for (size_t a = 0; a < na; a++) {
        const lt_arm *arm = lt_protocol_arm(p, a);
        arm_ids[a] = arm->id;
        ratios[a] = arm->ratio;
    }
    const char **factor_ids = calloc(nf ? nf : 1, sizeof *factor_ids);
    size_t *nlevels = calloc(nf ? nf : 1, sizeof *nlevels);
    const char *const **levels = calloc(nf ? nf : 1, sizeof *levels);
    if (!factor_ids || !nlevels || !levels) {
        free(factor_ids), free(nlevels), free(levels);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    for (size_t f = 0; f < nf; f++) {
        const lt_strat_factor *sf = lt_protocol_strat(p, f);
        factor_ids[f] = sf->id;
        nlevels[f] = sf->nlevels;
        levels[f] = sf->levels;
    }
    const lt_randomisation_spec *rs = lt_protocol_randomisation(p);
    lt_rand_design d = {
        .method = rs->method,
        .narms = na,
        .arm_ids = arm_ids,
        .ratios = ratios,
        .nfactors = nf,
        .factor_ids = factor_ids,
        .nlevels = nlevels,
        .levels = levels,
        .block_sizes = rs->block_sizes,
        .nblock_sizes = rs->nblock_sizes,
        .variance = rs->variance_imbalance,
        .p_preferred = rs->p_preferred,
    };
    lt_status rc = lt_randomiser_new(&d, seed, out, err);
    free(factor_ids), free(nlevels), free(levels);
    return rc;
}
