/* What balance a randomisation design gives: allocates n simulated patients, arriving in random
 * strata, exactly as the trial would (same code, state kept in memory instead of the store), and
 * reports counts per arm overall, per stratum and per factor level. */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/randomise.h"

#define MAX_STRATA 100000

typedef struct sim {
    size_t narms, nfactors, nstrata;
    int64_t *by_arm;        /* [arm] */
    int64_t *by_stratum;    /* [stratum * narms + arm] */
    int64_t **by_level;     /* [factor][level * narms + arm] */
    lt_allocation *last;    /* [stratum], permuted blocks */
    bool *started;          /* [stratum] */
} sim;

static void sim_free(sim *s)
{
    free(s->by_arm);
    free(s->by_stratum);
    for (size_t f = 0; s->by_level && f < s->nfactors; f++) free(s->by_level[f]);
    free(s->by_level);
    free(s->last);
    free(s->started);
}

/* Largest |count - share of total| over the arms, the share following the ratio. */
static double deviation(const int64_t *counts, size_t na, const int *ratios, int ratio_sum)
{
    int64_t total = 0;
    double worst = 0;
    for (size_t a = 0; a < na; a++) total += counts[a];
    for (size_t a = 0; a < na; a++) {
        double d = fabs((double)counts[a] - (double)total * ratios[a] / ratio_sum);
        if (d > worst) worst = d;
    }
    return worst;
}

static void stratum_name(const lt_randomiser *r, size_t s, lt_buf *out)
{
    int lv[64];
    size_t nf = lt_randomiser_factor_count(r);
    for (size_t f = nf; f-- > 0;) {
        size_t nl = lt_randomiser_level_count(r, f);
        lv[f] = (int)(s % nl);
        s /= nl;
    }
    lt_randomiser_stratum(r, lv, out);
}

static void put_counts(lt_buf *b, const lt_randomiser *r, const int64_t *c, bool json)
{
    for (size_t a = 0; a < lt_randomiser_arm_count(r); a++) {
        if (json) {
            lt_buf_printf(b, "%s", a ? "," : "");
            lt_buf_json_str(b, lt_randomiser_arm_id(r, a));
            lt_buf_printf(b, ":%lld", (long long)c[a]);
        } else {
            lt_buf_printf(b, " %8lld", (long long)c[a]);
        }
    }
}

lt_status lt_randomise_simulate(const lt_randomiser *r, size_t n,
                                const unsigned char sim_seed[LT_RANDOMISE_SEED_BYTES], bool json,
                                lt_buf *out, lt_error *err)
{
    size_t na = lt_randomiser_arm_count(r), nf = lt_randomiser_factor_count(r);
    if (n < 1 || n > 10000000)
        LT_FAIL(err, LT_EINVAL, "--simulate", "expected 1 to 10000000 patients, found %zu", n);
    if (nf > 64) LT_FAIL(err, LT_EUNSUPPORTED, "", "more than 64 stratification factors");
    size_t nstrata = 1;
    for (size_t f = 0; f < nf; f++) {
        nstrata *= lt_randomiser_level_count(r, f);
        if (nstrata > MAX_STRATA)
            LT_FAIL(err, LT_EUNSUPPORTED, "", "more than %d strata to simulate", MAX_STRATA);
    }
    int ratios[LT_RANDOMISE_MAX_ARMS], ratio_sum = 0;
    sim s = {.narms = na, .nfactors = nf, .nstrata = nstrata};
    s.by_arm = calloc(na, sizeof *s.by_arm);
    s.by_stratum = calloc(nstrata * na, sizeof *s.by_stratum);
    s.by_level = calloc(nf ? nf : 1, sizeof *s.by_level);
    s.last = calloc(nstrata, sizeof *s.last);
    s.started = calloc(nstrata, sizeof *s.started);
    bool ok = s.by_arm && s.by_stratum && s.by_level && s.last && s.started;
    for (size_t f = 0; ok && f < nf; f++)
        ok = (s.by_level[f] = calloc(lt_randomiser_level_count(r, f) * na, sizeof(int64_t))) != 0;
    int64_t *counts = calloc((nf ? nf : 1) * na, sizeof *counts);
    if (!ok || !counts) {
        free(counts);
        sim_free(&s);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory simulating");
    }
    for (size_t a = 0; a < na; a++) {
        ratios[a] = lt_randomiser_arm_ratio(r, a);
        ratio_sum += ratios[a];
    }
    unsigned char key[crypto_stream_chacha20_ietf_KEYBYTES];
    memcpy(key, sim_seed, sizeof key);
    size_t nbytes = n * (nf ? nf : 1) * 4;
    uint32_t *draws = malloc(nbytes);
    if (!draws) {
        free(counts);
        sim_free(&s);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory simulating");
    }
    randombytes_buf_deterministic(draws, nbytes, key);
    lt_buf stratum = LT_BUF_INIT;
    lt_status rc = LT_OK;
    int lv[64];
    for (size_t i = 0; i < n && rc == LT_OK; i++) {
        size_t st = 0;
        for (size_t f = 0; f < nf; f++) {
            size_t nl = lt_randomiser_level_count(r, f);
            /* the tiny modulo bias of a 32-bit draw over a handful of levels is irrelevant
             * to a balance summary */
            lv[f] = (int)(draws[i * nf + f] % nl);
            st = st * nl + (size_t)lv[f];
        }
        lt_allocation a;
        switch (lt_randomiser_method(r)) {
        case LT_RANDOMISE_PERMUTED_BLOCKS:
            lt_buf_reset(&stratum);
            lt_randomiser_stratum(r, lv, &stratum);
            rc = lt_randomise_next_in_block(r, lt_buf_str(&stratum),
                                            s.started[st] ? &s.last[st] : NULL, &a, err);
            s.last[st] = a;
            s.started[st] = true;
            break;
        case LT_RANDOMISE_MINIMISATION:
            for (size_t f = 0; f < nf; f++)
                for (size_t b = 0; b < na; b++)
                    counts[f * na + b] = s.by_level[f][(size_t)lv[f] * na + b];
            rc = lt_randomise_minimise(r, i + 1, counts, &a, err);
            break;
        default:
            memset(&a, 0, sizeof a);
            break;
        }
        if (rc != LT_OK) break;
        s.by_arm[a.arm]++;
        s.by_stratum[st * na + (size_t)a.arm]++;
        for (size_t f = 0; f < nf; f++) s.by_level[f][(size_t)lv[f] * na + (size_t)a.arm]++;
    }
    free(draws);
    free(counts);
    if (rc != LT_OK) {
        lt_buf_free(&stratum);
        sim_free(&s);
        return rc;
    }
    double worst_stratum = 0, worst_level = 0;
    for (size_t st = 0; st < nstrata; st++) {
        double d = deviation(&s.by_stratum[st * na], na, ratios, ratio_sum);
        if (d > worst_stratum) worst_stratum = d;
    }
    for (size_t f = 0; f < nf; f++)
        for (size_t l = 0; l < lt_randomiser_level_count(r, f); l++) {
            double d = deviation(&s.by_level[f][l * na], na, ratios, ratio_sum);
            if (d > worst_level) worst_level = d;
        }
    const char *method = lt_randomiser_method(r) == LT_RANDOMISE_PERMUTED_BLOCKS ? "permuted_blocks"
                         : lt_randomiser_method(r) == LT_RANDOMISE_MINIMISATION ? "minimisation"
                                                                                : "none";
    if (json) {
        lt_buf_printf(out, "{\"method\":\"%s\",\"patients\":%zu,\"arms\":{", method, n);
        put_counts(out, r, s.by_arm, true);
        lt_buf_puts(out, "},\"overall_imbalance\":");
        lt_buf_json_num(out, deviation(s.by_arm, na, ratios, ratio_sum));
        lt_buf_puts(out, ",\"max_stratum_imbalance\":");
        lt_buf_json_num(out, worst_stratum);
        lt_buf_puts(out, ",\"max_level_imbalance\":");
        lt_buf_json_num(out, worst_level);
        lt_buf_puts(out, ",\"strata\":[");
        bool first = true;
        for (size_t st = 0; st < nstrata; st++) {
            lt_buf_puts(out, first ? "" : ",");
            first = false;
            lt_buf_reset(&stratum);
            stratum_name(r, st, &stratum);
            lt_buf_puts(out, "{\"stratum\":");
            lt_buf_json_str(out, lt_buf_str(&stratum));
            lt_buf_puts(out, ",\"arms\":{");
            put_counts(out, r, &s.by_stratum[st * na], true);
            lt_buf_puts(out, "},\"imbalance\":");
            lt_buf_json_num(out, deviation(&s.by_stratum[st * na], na, ratios, ratio_sum));
            lt_buf_putc(out, '}');
        }
        lt_buf_puts(out, "],\"factors\":[");
        for (size_t f = 0; f < nf; f++) {
            lt_buf_puts(out, f ? ",{\"factor\":" : "{\"factor\":");
            lt_buf_json_str(out, lt_randomiser_factor_id(r, f));
            lt_buf_puts(out, ",\"levels\":[");
            for (size_t l = 0; l < lt_randomiser_level_count(r, f); l++) {
                lt_buf_puts(out, l ? ",{\"level\":" : "{\"level\":");
                lt_buf_json_str(out, lt_randomiser_level(r, f, l));
                lt_buf_puts(out, ",\"arms\":{");
                put_counts(out, r, &s.by_level[f][l * na], true);
                lt_buf_puts(out, "},\"imbalance\":");
                lt_buf_json_num(out, deviation(&s.by_level[f][l * na], na, ratios, ratio_sum));
                lt_buf_putc(out, '}');
            }
            lt_buf_puts(out, "]}");
        }
        lt_buf_puts(out, "]}\n");
    } else {
        lt_buf_printf(out, "%zu simulated patients, %s\n\n%-48s", n, method, "");
        for (size_t a = 0; a < na; a++) lt_buf_printf(out, " %8s", lt_randomiser_arm_id(r, a));
        lt_buf_printf(out, " %10s\n%-48s", "imbalance", "all patients");
        put_counts(out, r, s.by_arm, false);
        lt_buf_printf(out, " %10.1f\n", deviation(s.by_arm, na, ratios, ratio_sum));
        for (size_t st = 0; nf && st < nstrata; st++) {
            lt_buf_reset(&stratum);
            stratum_name(r, st, &stratum);
            lt_buf_printf(out, "%-48.48s", lt_buf_str(&stratum));
            put_counts(out, r, &s.by_stratum[st * na], false);
            lt_buf_printf(out, " %10.1f\n",
                          deviation(&s.by_stratum[st * na], na, ratios, ratio_sum));
        }
        for (size_t f = 0; f < nf; f++)
            for (size_t l = 0; l < lt_randomiser_level_count(r, f); l++) {
                lt_buf_reset(&stratum);
                lt_buf_printf(&stratum, "%s=%s (margin)", lt_randomiser_factor_id(r, f),
                              lt_randomiser_level(r, f, l));
                lt_buf_printf(out, "%-48.48s", lt_buf_str(&stratum));
                put_counts(out, r, &s.by_level[f][l * na], false);
                lt_buf_printf(out, " %10.1f\n",
                              deviation(&s.by_level[f][l * na], na, ratios, ratio_sum));
            }
        lt_buf_printf(out,
                      "\nimbalance: largest |arm count - its share by ratio|; worst stratum "
                      "%.1f, worst factor level %.1f\n",
                      worst_stratum, worst_level);
    }
    lt_buf_free(&stratum);
    sim_free(&s);
    return LT_OK;
}
