/* Allocation from the secret seed: a deterministic random stream per (stratum, block) or per
 * allocation number, permuted blocks of randomly chosen sizes, and Pocock-Simon minimisation.
 *
 * The stream for a context is randombytes_buf_deterministic(SHA-256(seed || context)): ChaCha20
 * keyed by a hash of the seed and the context, so knowing past allocations tells nothing about
 * other blocks, while an auditor with the seed regenerates every one. */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/randomise.h"

struct lt_randomiser {
    lt_randomisation_method method;
    size_t narms, nfactors, nsizes;
    char **arm_ids;
    int ratios[LT_RANDOMISE_MAX_ARMS];
    int ratio_sum;
    char **factor_ids;
    size_t *nlevels;
    char ***levels;
    int *sizes;
    bool variance;
    double p_preferred;
    unsigned char seed[LT_RANDOMISE_SEED_BYTES];
};

/* A stream of random bytes for one context. */
typedef struct stream {
    unsigned char key[crypto_stream_chacha20_ietf_KEYBYTES];
    unsigned char block[64];
    uint32_t counter; /* next 64-byte block of the keystream */
    size_t pos;
} stream;

/* The nonce randombytes_buf_deterministic uses, so that the bytes are exactly that function's
 * output for the derived key (an auditor can reproduce them with libsodium alone). */
static const unsigned char drg_nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = "LibsodiumDRG";

static void stream_init(stream *s, const unsigned char seed[LT_RANDOMISE_SEED_BYTES],
                        const char *domain, const char *context, int64_t number)
{
    crypto_hash_sha256_state h;
    char num[32];
    int len = snprintf(num, sizeof num, "%lld", (long long)number);
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, seed, LT_RANDOMISE_SEED_BYTES);
    /* NUL separators keep ("ab","c") and ("a","bc") apart */
    crypto_hash_sha256_update(&h, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_hash_sha256_update(&h, (const unsigned char *)context, strlen(context) + 1);
    crypto_hash_sha256_update(&h, (const unsigned char *)num, (unsigned long long)len);
    crypto_hash_sha256_final(&h, s->key);
    s->counter = 0;
    s->pos = sizeof s->block;
}

static uint32_t stream_u32(stream *s)
{
    if (s->pos + 4 > sizeof s->block) {
        memset(s->block, 0, sizeof s->block);
        crypto_stream_chacha20_ietf_xor_ic(s->block, s->block, sizeof s->block, drg_nonce,
                                           s->counter++, s->key);
        s->pos = 0;
    }
    uint32_t v = (uint32_t)s->block[s->pos] | (uint32_t)s->block[s->pos + 1] << 8 |
                 (uint32_t)s->block[s->pos + 2] << 16 | (uint32_t)s->block[s->pos + 3] << 24;
    s->pos += 4;
    return v;
}

/* Uniform on [0, n) without modulo bias: draws falling in the incomplete last run are
 * rejected. */
static uint32_t stream_below(stream *s, uint32_t n)
{
    uint32_t limit = UINT32_MAX - (UINT32_MAX % n + 1) % n;
    for (;;) {
        uint32_t v = stream_u32(s);
        if (v <= limit) return v % n;
    }
}

/* Uniform on [0, 1) with 53 random bits. */
static double stream_unit(stream *s)
{
    uint64_t hi = stream_u32(s) >> 5, lo = stream_u32(s) >> 6; /* 27 + 26 bits */
    return (double)(hi * 67108864u + lo) / 9007199254740992.0;
}

void lt_randomiser_free(lt_randomiser *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->narms; i++) free(r->arm_ids ? r->arm_ids[i] : NULL);
    free(r->arm_ids);
    for (size_t f = 0; f < r->nfactors; f++) {
        if (r->levels && r->levels[f])
            for (size_t l = 0; l < r->nlevels[f]; l++) free(r->levels[f][l]);
        if (r->levels) free(r->levels[f]);
        if (r->factor_ids) free(r->factor_ids[f]);
    }
    free(r->levels);
    free(r->factor_ids);
    free(r->nlevels);
    free(r->sizes);
    sodium_memzero(r->seed, sizeof r->seed);
    free(r);
}

static bool name_ok(const char *s) { return s && *s && !strchr(s, '=') && !strchr(s, ';'); }

lt_status lt_randomiser_new(const lt_rand_design *d,
                            const unsigned char seed[LT_RANDOMISE_SEED_BYTES],
                            lt_randomiser **out, lt_error *err)
{
    if (sodium_init() < 0) LT_FAIL(err, LT_EINVAL, "", "libsodium failed to initialise");
    if (d->narms < 1 || d->narms > LT_RANDOMISE_MAX_ARMS)
        LT_FAIL(err, LT_ESCHEMA, "arms", "expected 1 to %d arms, found %zu",
                LT_RANDOMISE_MAX_ARMS, d->narms);
    if (d->method != LT_RANDOMISE_NONE && d->narms < 2)
        LT_FAIL(err, LT_ESCHEMA, "randomisation.method",
                "randomisation needs at least two arms (method 'none' registers a single arm)");
    int sum = 0;
    for (size_t a = 0; a < d->narms; a++) {
        if (!name_ok(d->arm_ids[a]))
            LT_FAIL(err, LT_ESCHEMA, "arms", "arm %zu has no usable id", a + 1);
        if (d->ratios[a] < 1 || d->ratios[a] > 100)
            LT_FAIL(err, LT_ESCHEMA, "arms", "arm '%s': expected a ratio from 1 to 100, found %d",
                    d->arm_ids[a], d->ratios[a]);
        sum += d->ratios[a];
    }
    for (size_t f = 0; f < d->nfactors; f++) {
        if (!name_ok(d->factor_ids[f]))
            LT_FAIL(err, LT_ESCHEMA, "randomisation.stratification",
                    "factor %zu has no usable id (no '=' or ';')", f + 1);
        if (d->nlevels[f] < 1)
            LT_FAIL(err, LT_ESCHEMA, "randomisation.stratification",
                    "factor '%s' has no levels", d->factor_ids[f]);
        for (size_t l = 0; l < d->nlevels[f]; l++)
            if (!name_ok(d->levels[f][l]))
                LT_FAIL(err, LT_ESCHEMA, "randomisation.stratification",
                        "factor '%s': level %zu has no usable name", d->factor_ids[f], l + 1);
    }
    int defaults[2] = {sum, 2 * sum};
    const int *sizes = d->nblock_sizes ? d->block_sizes : defaults;
    size_t nsizes = d->nblock_sizes ? d->nblock_sizes : 2;
    if (d->method == LT_RANDOMISE_PERMUTED_BLOCKS)
        for (size_t i = 0; i < nsizes; i++)
            if (sizes[i] < sum || sizes[i] % sum || sizes[i] > LT_RANDOMISE_MAX_BLOCK)
                LT_FAIL(err, LT_ESCHEMA, "randomisation.block_sizes",
                        "expected multiples of the ratio sum %d up to %d, found %d", sum,
                        LT_RANDOMISE_MAX_BLOCK, sizes[i]);
    if (d->method == LT_RANDOMISE_MINIMISATION &&
        !(d->p_preferred >= 1.0 / (double)d->narms && d->p_preferred <= 1.0))
        LT_FAIL(err, LT_ESCHEMA, "randomisation.p_preferred",
                "expected a probability from 1/%zu to 1, found %g", d->narms, d->p_preferred);

    lt_randomiser *r = calloc(1, sizeof *r);
    if (!r) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    r->method = d->method;
    r->variance = d->variance;
    r->p_preferred = d->p_preferred;
    r->ratio_sum = sum;
    memcpy(r->seed, seed, LT_RANDOMISE_SEED_BYTES);
    r->arm_ids = calloc(d->narms, sizeof *r->arm_ids);
    r->sizes = malloc(nsizes * sizeof *r->sizes);
    bool ok = r->arm_ids && r->sizes;
    if (ok) {
        r->narms = d->narms;
        r->nsizes = nsizes;
        memcpy(r->sizes, sizes, nsizes * sizeof *sizes);
        for (size_t a = 0; a < d->narms && ok; a++) {
            r->ratios[a] = d->ratios[a];
            ok = (r->arm_ids[a] = strdup(d->arm_ids[a])) != NULL;
        }
    }
    if (ok && d->nfactors) {
        r->factor_ids = calloc(d->nfactors, sizeof *r->factor_ids);
        r->nlevels = calloc(d->nfactors, sizeof *r->nlevels);
        r->levels = calloc(d->nfactors, sizeof *r->levels);
        ok = r->factor_ids && r->nlevels && r->levels;
        if (ok) r->nfactors = d->nfactors;
        for (size_t f = 0; f < d->nfactors && ok; f++) {
            r->factor_ids[f] = strdup(d->factor_ids[f]);
            r->levels[f] = calloc(d->nlevels[f], sizeof **r->levels);
            ok = r->factor_ids[f] && r->levels[f];
            if (ok) r->nlevels[f] = d->nlevels[f];
            for (size_t l = 0; l < d->nlevels[f] && ok; l++)
                ok = (r->levels[f][l] = strdup(d->levels[f][l])) != NULL;
        }
    }
    if (!ok) {
        lt_randomiser_free(r);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    *out = r;
    return LT_OK;
}

lt_randomisation_method lt_randomiser_method(const lt_randomiser *r) { return r->method; }
size_t lt_randomiser_arm_count(const lt_randomiser *r) { return r->narms; }
const char *lt_randomiser_arm_id(const lt_randomiser *r, size_t i)
{
    return i < r->narms ? r->arm_ids[i] : NULL;
}
int lt_randomiser_arm_ratio(const lt_randomiser *r, size_t i)
{
    return i < r->narms ? r->ratios[i] : 0;
}
size_t lt_randomiser_factor_count(const lt_randomiser *r) { return r->nfactors; }
const char *lt_randomiser_factor_id(const lt_randomiser *r, size_t f)
{
    return f < r->nfactors ? r->factor_ids[f] : NULL;
}
size_t lt_randomiser_level_count(const lt_randomiser *r, size_t f)
{
    return f < r->nfactors ? r->nlevels[f] : 0;
}
const char *lt_randomiser_level(const lt_randomiser *r, size_t f, size_t l)
{
    return f < r->nfactors && l < r->nlevels[f] ? r->levels[f][l] : NULL;
}

int lt_randomiser_arm_index(const lt_randomiser *r, const char *id)
{
    for (size_t a = 0; id && a < r->narms; a++)
        if (!strcmp(r->arm_ids[a], id)) return (int)a;
    return -1;
}

int lt_randomiser_level_index(const lt_randomiser *r, size_t f, const char *level)
{
    for (size_t l = 0; level && f < r->nfactors && l < r->nlevels[f]; l++)
        if (!strcmp(r->levels[f][l], level)) return (int)l;
    return -1;
}

void lt_randomiser_stratum(const lt_randomiser *r, const int *levels, lt_buf *out)
{
    if (!r->nfactors) {
        lt_buf_puts(out, "all");
        return;
    }
    for (size_t f = 0; f < r->nfactors; f++)
        lt_buf_printf(out, "%s%s=%s", f ? ";" : "", r->factor_ids[f],
                      lt_randomiser_level(r, f, (size_t)levels[f]));
}

lt_status lt_randomise_block(const lt_randomiser *r, const char *stratum, int64_t block,
                             int arms[LT_RANDOMISE_MAX_BLOCK], int *size, lt_error *err)
{
    if (r->method != LT_RANDOMISE_PERMUTED_BLOCKS)
        LT_FAIL(err, LT_EINVAL, "", "the design does not use permuted blocks");
    if (block < 0) LT_FAIL(err, LT_EINVAL, "", "block numbers start at 0");
    stream s;
    stream_init(&s, r->seed, "lutetia/permuted-block/v1", stratum, block);
    /* the block's size first, then a Fisher-Yates shuffle (Knuth, TAOCP vol. 2, 3.4.2,
     * algorithm P) of the arms in their ratio */
    int n = r->sizes[stream_below(&s, (uint32_t)r->nsizes)];
    int k = 0, reps = n / r->ratio_sum;
    for (size_t a = 0; a < r->narms; a++)
        for (int i = 0; i < reps * r->ratios[a]; i++) arms[k++] = (int)a;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)stream_below(&s, (uint32_t)i + 1);
        int t = arms[i];
        arms[i] = arms[j];
        arms[j] = t;
    }
    *size = n;
    return LT_OK;
}

lt_status lt_randomise_next_in_block(const lt_randomiser *r, const char *stratum,
                                     const lt_allocation *prev, lt_allocation *out,
                                     lt_error *err)
{
    int arms[LT_RANDOMISE_MAX_BLOCK], size;
    lt_allocation a;
    memset(&a, 0, sizeof a);
    if (prev && prev->position + 1 < prev->block_size) {
        a.block = prev->block;
        a.position = prev->position + 1;
    } else {
        a.block = prev ? prev->block + 1 : 0;
        a.position = 0;
    }
    lt_status rc = lt_randomise_block(r, stratum, a.block, arms, &size, err);
    if (rc != LT_OK) return rc;
    if (prev && prev->block == a.block && prev->block_size != size)
        LT_FAIL(err, LT_ECORRUPT, stratum,
                "block %lld of stratum '%s' was stored with size %d but the seed gives %d: the "
                "seed or the allocations were changed",
                (long long)a.block, stratum, prev->block_size, size);
    a.block_size = size;
    a.arm = arms[a.position];
    *out = a;
    return LT_OK;
}

/* Imbalance of the ratio-adjusted counts x[0..n): range (max - min) or variance (population
 * variance), the two measures of Pocock & Simon 1975, section 3. */
static double imbalance(const double *x, size_t n, bool variance)
{
    if (variance) {
        double mean = 0, ss = 0;
        for (size_t i = 0; i < n; i++) mean += x[i];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
        return ss / (double)n;
    }
    double lo = x[0], hi = x[0];
    for (size_t i = 1; i < n; i++) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    return hi - lo;
}

lt_status lt_randomise_minimise(const lt_randomiser *r, uint64_t k, const int64_t *counts,
                                lt_allocation *out, lt_error *err)
{
    if (r->method != LT_RANDOMISE_MINIMISATION)
        LT_FAIL(err, LT_EINVAL, "", "the design does not use minimisation");
    if (k < 1) LT_FAIL(err, LT_EINVAL, "", "allocation numbers start at 1");
    lt_allocation a;
    memset(&a, 0, sizeof a);
    a.block = -1;
    /* zeroed although the loop below sets g[0..narms): gcc's maybe-uninitialized cannot see
     * that narms >= 1, and with -O1 and above under the sanitizers it stopped the -Werror build */
    double g[LT_RANDOMISE_MAX_ARMS] = {0}, x[LT_RANDOMISE_MAX_ARMS];
    for (size_t cand = 0; cand < r->narms; cand++) {
        g[cand] = 0;
        for (size_t f = 0; f < r->nfactors; f++) {
            for (size_t j = 0; j < r->narms; j++) {
                int64_t c = counts[f * r->narms + j];
                if (c < 0) LT_FAIL(err, LT_EINVAL, "", "negative allocation count");
                x[j] = ((double)c + (j == cand)) / r->ratios[j];
            }
            g[cand] += imbalance(x, r->narms, r->variance);
        }
        a.imbalance[cand] = g[cand];
    }
    /* narms >= 2 here: lt_randomiser_new refuses minimisation with fewer arms */
    double best = g[0];
    for (size_t i = 1; i < r->narms; i++)
        if (g[i] < best) best = g[i];
    int tied[LT_RANDOMISE_MAX_ARMS], ntied = 0;
    /* a relative tolerance: variances of ratio-adjusted counts are not exact in binary */
    for (size_t i = 0; i < r->narms; i++)
        if (g[i] - best <= 1e-9 * (1 + fabs(best))) tied[ntied++] = (int)i;
    stream s;
    stream_init(&s, r->seed, "lutetia/minimisation/v1", "", (int64_t)k);
    if ((size_t)ntied == r->narms) {
        /* every arm balances equally: allocate at random in the arms' ratio */
        int t = (int)stream_below(&s, (uint32_t)r->ratio_sum);
        size_t arm = 0;
        while (t >= r->ratios[arm]) t -= r->ratios[arm++];
        a.arm = (int)arm;
        a.preferred = true;
    } else {
        int pref = tied[ntied > 1 ? stream_below(&s, (uint32_t)ntied) : 0];
        if (stream_unit(&s) < r->p_preferred) {
            a.arm = pref;
            a.preferred = true;
        } else {
            int other = (int)stream_below(&s, (uint32_t)r->narms - 1);
            a.arm = other >= pref ? other + 1 : other;
            a.preferred = false;
        }
    }
    *out = a;
    return LT_OK;
}
