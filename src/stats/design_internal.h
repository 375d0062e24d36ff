/* Internal hooks of the design code for its tests (not part of the public API). */
#ifndef LT_DESIGN_INTERNAL_H
#define LT_DESIGN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* n unit exponential variates from the simulation's generator (ChaCha20 stream of (seed, 0),
 * ziggurat method), for testing the distribution. */
void lt__sim_exponentials(uint64_t seed, size_t n, double *out);

/* Puts the order statistics at the ascending, distinct positions pos[0..npos) of a[0..n) in
 * place, as the simulation does for the quantiles of its estimates. */
void lt__multiselect(double *a, size_t n, const size_t *pos, size_t npos);

#endif
