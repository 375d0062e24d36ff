/* Tests of allocation: design checks, permuted blocks (composition, both sizes used, every
 * ordering equally likely by a chi-square test against GSL's quantile, determinism from the
 * seed, independence across strata and seeds), the documented stream reproduced with libsodium
 * alone (what an auditor does), Pocock-Simon minimisation on hand-worked counts and its
 * preferred-arm probability, and the balance simulation. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/randomise.h"

static const char *arms2[] = {"A", "B"};
static const char *factors[] = {"site", "margin"};
static const char *lv_site[] = {"pancreas", "other"};
static const char *lv_margin[] = {"R0", "R1"};
static const char *const *levels[] = {lv_site, lv_margin};
static const size_t nlevels[] = {2, 2};

static unsigned char seed1[32], seed2[32];

static lt_randomiser *make(lt_randomisation_method m, const int *ratios, const int *sizes,
                           size_t nsizes, const unsigned char *seed, double p, bool variance)
{
    lt_rand_design d = {.method = m, .narms = 2, .arm_ids = arms2, .ratios = ratios,
                        .nfactors = 2, .factor_ids = factors, .nlevels = nlevels,
                        .levels = levels, .block_sizes = sizes, .nblock_sizes = nsizes,
                        .p_preferred = p, .variance = variance};
    lt_randomiser *r = NULL;
    lt_error err;
    if (lt_randomiser_new(&d, seed, &r, &err) != LT_OK) printf("design: %s\n", err.message);
    return r;
}

static void test_design_checks(void)
{
    int r11[] = {1, 1}, bad_sizes[] = {3}, r0[] = {0, 1};
    lt_rand_design d = {.method = LT_RANDOMISE_PERMUTED_BLOCKS, .narms = 2, .arm_ids = arms2,
                        .ratios = r11, .block_sizes = bad_sizes, .nblock_sizes = 1};
    lt_randomiser *r = NULL;
    lt_error err;
    CHECK(lt_randomiser_new(&d, seed1, &r, &err) == LT_ESCHEMA);
    CHECK(strstr(err.message, "multiples of the ratio sum 2") != NULL);
    d.block_sizes = NULL;
    d.nblock_sizes = 0;
    d.ratios = r0;
    CHECK(lt_randomiser_new(&d, seed1, &r, &err) == LT_ESCHEMA);
    d.ratios = r11;
    d.narms = 1;
    CHECK(lt_randomiser_new(&d, seed1, &r, &err) == LT_ESCHEMA);
    d.narms = 2;
    d.method = LT_RANDOMISE_MINIMISATION;
    d.p_preferred = 1.5;
    CHECK(lt_randomiser_new(&d, seed1, &r, &err) == LT_ESCHEMA);
    CHECK(strstr(err.message, "p_preferred") != NULL || strstr(err.where, "p_preferred") != NULL);
    d.p_preferred = 0.8;
    CHECK(lt_randomiser_new(&d, seed1, &r, &err) == LT_OK);
    lt_randomiser_free(r);
    lt_randomiser_free(NULL);
}

static int perm_index(const int *a) /* the 6 orderings of AABB as a number 0..5 */
{
    static const char *perms[] = {"0011", "0101", "0110", "1001", "1010", "1100"};
    char s[5];
    for (int i = 0; i < 4; i++) s[i] = (char)('0' + a[i]);
    s[4] = '\0';
    for (int i = 0; i < 6; i++)
        if (!strcmp(s, perms[i])) return i;
    return -1;
}

static void test_blocks(void)
{
    int r11[] = {1, 1};
    lt_randomiser *r = make(LT_RANDOMISE_PERMUTED_BLOCKS, r11, NULL, 0, seed1, 0, false);
    if (!r) return;
    int arms[LT_RANDOMISE_MAX_BLOCK], size;
    lt_error err;
    long sizes_seen[5] = {0}, perm_seen[6] = {0};
    bool composition_ok = true;
    const int nblocks = 12000;
    for (int b = 0; b < nblocks; b++) {
        composition_ok = composition_ok &&
                         lt_randomise_block(r, "site=pancreas;margin=R0", b, arms, &size, &err) == LT_OK;
        int na = 0;
        for (int i = 0; i < size; i++) na += arms[i] == 0;
        composition_ok = composition_ok && (size == 2 || size == 4) && na * 2 == size;
        sizes_seen[size]++;
        if (size == 4) {
            int k = perm_index(arms);
            if (k >= 0) perm_seen[k]++;
        }
    }
    CHECK(composition_ok);
    /* the default sizes 2 and 4 each chosen half the time: |z| < 4 under the binomial */
    double z = (sizes_seen[2] - nblocks / 2.0) / sqrt(nblocks * 0.25);
    CHECK_MSG(fabs(z) < 4, "block sizes 2: %ld, 4: %ld (z = %.2f)", sizes_seen[2], sizes_seen[4], z);
    /* all 6 orderings of a block of 4 equally likely: Pearson's chi-square with 5 degrees of
     * freedom below its 0.999 quantile from GSL (20.52) */
    double expect = sizes_seen[4] / 6.0, chi2 = 0;
    for (int i = 0; i < 6; i++) chi2 += (perm_seen[i] - expect) * (perm_seen[i] - expect) / expect;
    CHECK_MSG(chi2 < gsl_cdf_chisq_Qinv(0.001, 5), "chi-square %.2f over %ld blocks", chi2,
              sizes_seen[4]);
    CHECK_REL(gsl_cdf_chisq_Qinv(0.001, 5), 20.515, 1e-3);

    /* deterministic: the same seed gives the same block; another stratum or seed differs */
    int again[LT_RANDOMISE_MAX_BLOCK], s2;
    int same = 0, diff_stratum = 0, diff_seed = 0;
    lt_randomiser *r2 = make(LT_RANDOMISE_PERMUTED_BLOCKS, r11, NULL, 0, seed2, 0, false);
    for (int b = 0; b < 200 && r2; b++) {
        lt_randomise_block(r, "site=other;margin=R1", b, arms, &size, &err);
        lt_randomise_block(r, "site=other;margin=R1", b, again, &s2, &err);
        same += size == s2 && !memcmp(arms, again, (size_t)size * sizeof *arms);
        lt_randomise_block(r, "site=other;margin=R0", b, again, &s2, &err);
        diff_stratum += size != s2 || memcmp(arms, again, (size_t)size * sizeof *arms) != 0;
        lt_randomise_block(r2, "site=other;margin=R1", b, again, &s2, &err);
        diff_seed += size != s2 || memcmp(arms, again, (size_t)size * sizeof *arms) != 0;
    }
    CHECK_INT(same, 200);
    /* two independent blocks agree with probability 1/2*1/2 + 1/2*1/6 = 1/3 */
    CHECK_MSG(diff_stratum > 100 && diff_seed > 100, "strata differ %d, seeds differ %d of 200",
              diff_stratum, diff_seed);

    /* walking a stratum: positions run through each block, then the next block starts */
    lt_allocation prev, a;
    int na = 0, n = 0;
    bool walk_ok = true;
    for (int i = 0; i < 1000; i++) {
        walk_ok = walk_ok && lt_randomise_next_in_block(r, "site=pancreas;margin=R1",
                                                         i ? &prev : NULL, &a, &err) == LT_OK;
        if (i && prev.position + 1 < prev.block_size)
            walk_ok = walk_ok && a.block == prev.block && a.position == prev.position + 1;
        else if (i)
            walk_ok = walk_ok && a.block == prev.block + 1 && a.position == 0;
        na += a.arm == 0;
        n++;
        /* within a stratum the arms never drift apart by more than half the largest block */
        walk_ok = walk_ok && abs(2 * na - n) <= 2;
        prev = a;
    }
    CHECK(walk_ok);
    /* a stored block size that the seed does not give is reported, not trusted */
    prev.block_size = prev.block_size == 2 ? 4 : 2;
    prev.position = 0;
    CHECK(lt_randomise_next_in_block(r, "site=pancreas;margin=R1", &prev, &a, &err) == LT_ECORRUPT);
    lt_randomiser_free(r);
    lt_randomiser_free(r2);

    /* 2:1 with blocks of 3 and 6 */
    int r21[] = {2, 1}, s36[] = {3, 6};
    r = make(LT_RANDOMISE_PERMUTED_BLOCKS, r21, s36, 2, seed1, 0, false);
    bool ok21 = r != NULL;
    for (int b = 0; r && b < 500; b++) {
        lt_randomise_block(r, "all", b, arms, &size, &err);
        int nA = 0;
        for (int i = 0; i < size; i++) nA += arms[i] == 0;
        ok21 = ok21 && (size == 3 || size == 6) && nA * 3 == size * 2;
    }
    CHECK(ok21);
    lt_randomiser_free(r);
}

/* What docs/store.md tells an auditor: block b of stratum S uses the bytes of
 * randombytes_buf_deterministic(SHA-256(seed || "lutetia/permuted-block/v1\0" || S "\0" || b)),
 * read as little-endian 32-bit words, rejection-sampled; first the size, then Fisher-Yates. */
static void test_auditor_reproduction(void)
{
    int r11[] = {1, 1};
    lt_randomiser *r = make(LT_RANDOMISE_PERMUTED_BLOCKS, r11, NULL, 0, seed2, 0, false);
    if (!r) return;
    const char *stratum = "site=other;margin=R0";
    bool all_same = true;
    for (int b = 0; b < 50; b++) {
        unsigned char key[32], bytes[256];
        char num[16];
        snprintf(num, sizeof num, "%d", b);
        crypto_hash_sha256_state h;
        crypto_hash_sha256_init(&h);
        crypto_hash_sha256_update(&h, seed2, 32);
        crypto_hash_sha256_update(&h, (const unsigned char *)"lutetia/permuted-block/v1", 26);
        crypto_hash_sha256_update(&h, (const unsigned char *)stratum, strlen(stratum) + 1);
        crypto_hash_sha256_update(&h, (const unsigned char *)num, strlen(num));
        crypto_hash_sha256_final(&h, key);
        randombytes_buf_deterministic(bytes, sizeof bytes, key);
        size_t pos = 0;
#define NEXT32() (pos += 4, (uint32_t)bytes[pos - 4] | (uint32_t)bytes[pos - 3] << 8 | \
                  (uint32_t)bytes[pos - 2] << 16 | (uint32_t)bytes[pos - 1] << 24)
        uint32_t v;
        /* 2^32 is a multiple of 2 and 4: no rejection for these ranges except n = 3 */
        v = NEXT32();
        int size = v % 2 ? 4 : 2;
        int want[4] = {0, 0, 1, 1};
        if (size == 2) want[1] = 1;
        for (int i = size - 1; i > 0; i--) {
            uint32_t n = (uint32_t)i + 1, limit = UINT32_MAX - (UINT32_MAX % n + 1) % n;
            do v = NEXT32();
            while (v > limit);
            int j = (int)(v % n), t = want[i];
            want[i] = want[j];
            want[j] = t;
        }
        int got[LT_RANDOMISE_MAX_BLOCK], gsize;
        lt_randomise_block(r, stratum, b, got, &gsize, NULL);
        all_same = all_same && gsize == size && !memcmp(got, want, (size_t)size * sizeof(int));
    }
    CHECK(all_same);
    lt_randomiser_free(r);
}

static void test_minimisation(void)
{
    int r11[] = {1, 1};
    lt_randomiser *r = make(LT_RANDOMISE_MINIMISATION, r11, NULL, 0, seed1, 1.0, false);
    if (!r) return;
    lt_allocation a;
    lt_error err;
    /* factor 1: A 3, B 1; factor 2: A 2, B 2. Range: A gives |4-1| + |3-2| = 4, B gives
     * |3-2| + |2-3| = 2 (Pocock & Simon 1975, section 3): B is preferred */
    int64_t counts[] = {3, 1, 2, 2};
    CHECK(lt_randomise_minimise(r, 1, counts, &a, &err) == LT_OK);
    CHECK_REL(a.imbalance[0], 4, 1e-12);
    CHECK_REL(a.imbalance[1], 2, 1e-12);
    CHECK_INT(a.arm, 1);
    CHECK(a.preferred);
    lt_randomiser_free(r);
    /* variance: A gives var(4,1) + var(3,2) = 2.25 + 0.25, B gives 0.25 + 0.25 */
    r = make(LT_RANDOMISE_MINIMISATION, r11, NULL, 0, seed1, 1.0, true);
    if (!r) return;
    CHECK(lt_randomise_minimise(r, 1, counts, &a, &err) == LT_OK);
    CHECK_REL(a.imbalance[0], 2.5, 1e-12);
    CHECK_REL(a.imbalance[1], 0.5, 1e-12);
    CHECK_INT(a.arm, 1);
    lt_randomiser_free(r);
    /* 2:1: counts are divided by the ratios; A 4, B 2 is balanced, so one more to A gives
     * range |5/2 - 2/1| = 0.5 and one more to B |4/2 - 3/1| = 1 */
    int r21[] = {2, 1};
    r = make(LT_RANDOMISE_MINIMISATION, r21, NULL, 0, seed1, 1.0, false);
    if (!r) return;
    int64_t c21[] = {4, 2, 4, 2};
    CHECK(lt_randomise_minimise(r, 1, c21, &a, &err) == LT_OK);
    CHECK_REL(a.imbalance[0], 1.0, 1e-12);
    CHECK_REL(a.imbalance[1], 2.0, 1e-12);
    CHECK_INT(a.arm, 0);
    lt_randomiser_free(r);
    /* p_preferred = 0.8: the preferred arm wins 80% of the time (binomial, |z| < 4) */
    r = make(LT_RANDOMISE_MINIMISATION, r11, NULL, 0, seed1, 0.8, false);
    if (!r) return;
    int wins = 0, n = 5000;
    for (int k = 1; k <= n; k++) {
        lt_randomise_minimise(r, (uint64_t)k, counts, &a, &err);
        wins += a.arm == 1;
    }
    double z = (wins - 0.8 * n) / sqrt(n * 0.8 * 0.2);
    CHECK_MSG(fabs(z) < 4, "preferred arm won %d of %d (z = %.2f)", wins, n, z);
    /* the draw for patient k depends only on (seed, k): the same k gives the same arm */
    lt_allocation b;
    lt_randomise_minimise(r, 77, counts, &a, &err);
    lt_randomise_minimise(r, 77, counts, &b, &err);
    CHECK_INT(a.arm, b.arm);
    /* all arms tie: allocation at random, about half each */
    int64_t even[] = {2, 2, 5, 5};
    int na = 0;
    for (int k = 1; k <= n; k++) {
        lt_randomise_minimise(r, (uint64_t)k, even, &a, &err);
        na += a.arm == 0;
    }
    z = (na - 0.5 * n) / sqrt(n * 0.25);
    CHECK_MSG(fabs(z) < 4, "ties: arm A %d of %d (z = %.2f)", na, n, z);
    CHECK(lt_randomise_minimise(r, 0, even, &a, &err) == LT_EINVAL);
    lt_randomiser_free(r);
}

static void test_simulation(void)
{
    int r11[] = {1, 1};
    lt_error err;
    lt_buf out = LT_BUF_INIT;
    lt_json *j = NULL;
    lt_randomiser *r = make(LT_RANDOMISE_PERMUTED_BLOCKS, r11, NULL, 0, seed1, 0, false);
    if (!r) return;
    CHECK(lt_randomise_simulate(r, 1000, seed2, true, &out, &err) == LT_OK);
    CHECK(lt_json_parse(out.p, out.n, "simulation", &j, &err) == LT_OK);
    double a = lt_json_get_num(lt_json_get(j, "arms"), "A", -1);
    double b = lt_json_get_num(lt_json_get(j, "arms"), "B", -1);
    CHECK_INT(a + b, 1000);
    /* blocks of at most 4 keep every stratum within 1 of an even split */
    CHECK(lt_json_get_num(j, "max_stratum_imbalance", 99) <= 1.0);
    CHECK(lt_json_get_num(j, "overall_imbalance", 99) <= 4.0);
    CHECK_INT(lt_json_size(lt_json_get(j, "strata")), 4);
    lt_json_free(j);
    j = NULL;
    lt_buf_reset(&out);
    /* the same seeds give the same report */
    lt_buf again = LT_BUF_INIT;
    lt_randomise_simulate(r, 1000, seed2, true, &out, &err);
    lt_randomise_simulate(r, 1000, seed2, true, &again, &err);
    CHECK_STR(lt_buf_str(&out), lt_buf_str(&again));
    lt_buf_free(&again);
    lt_randomiser_free(r);
    /* minimisation with p = 1 keeps each factor level within 1 of an even split */
    lt_buf_reset(&out);
    r = make(LT_RANDOMISE_MINIMISATION, r11, NULL, 0, seed1, 1.0, false);
    if (!r) return;
    CHECK(lt_randomise_simulate(r, 2000, seed2, true, &out, &err) == LT_OK);
    CHECK(lt_json_parse(out.p, out.n, "simulation", &j, &err) == LT_OK);
    CHECK_MSG(lt_json_get_num(j, "max_level_imbalance", 99) <= 2.0, "level imbalance %g",
              lt_json_get_num(j, "max_level_imbalance", 99));
    lt_json_free(j);
    lt_buf_reset(&out);
    CHECK(lt_randomise_simulate(r, 0, seed2, true, &out, &err) == LT_EINVAL);
    CHECK(lt_randomise_simulate(r, 50, seed2, false, &out, &err) == LT_OK);
    CHECK(strstr(lt_buf_str(&out), "50 simulated patients, minimisation") != NULL);
    lt_buf_free(&out);
    lt_randomiser_free(r);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    for (int i = 0; i < 32; i++) {
        seed1[i] = (unsigned char)i;
        seed2[i] = (unsigned char)(255 - i);
    }
    test_design_checks();
    test_blocks();
    test_auditor_reproduction();
    test_minimisation();
    test_simulation();
    return lt_test_done();
}
