/* Cox proportional hazards by partial likelihood (Cox 1972), Efron (1977) or Breslow (1974)
 * ties, stratified, fitted by Newton-Raphson from beta = 0 with R coxph's convergence rule and
 * step-halving, with the Lin & Wei (1989) robust sandwich variance clustered on an id.
 * Risk-set sums are cumulative over one sort, so an iteration costs O(n p^2). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "surv_internal.h"

/* Fully unroll the small fixed-size loops of walk_small (-O2 does not by itself). */
#define UNROLL _Pragma("GCC unroll 16")

void lt_cox_options_default(lt_cox_options *o)
{
    o->ties = LT_TIES_EFRON;
    o->iter_max = 20;
    o->eps = 1e-9;
    o->conf_level = 0.95;
    o->robust = false;
    o->threads = 0;
}

void lt_cox_free(lt_cox *c)
{
    if (!c) return;
    if (c->names)
        for (size_t j = 0; j < c->p; j++)
            free(c->names[j]);
    free(c->names);
    free(c->coef); /* one block holds every per-coefficient array */
    free(c->infinite);
    free(c);
}

/* The data in the order the risk-set walk reads it: sorted by stratum then time ascending,
 * covariates centred on their means (for exp() to stay in range; results do not change). */
typedef struct cox_data {
    size_t n, p;
    double *x;      /* [n * p] sorted, centred */
    double *time;   /* [n] sorted */
    int *event;     /* [n] sorted */
    int *cluster;   /* [n] sorted cluster index, or NULL */
    size_t *sstart; /* [nstrata + 1] stratum boundaries in the sorted order */
    size_t nstrata;
    double *r; /* [n] work: exp(eta) */
    lt_ties ties;
    int threads; /* 1 or 2: who walks the pieces (the split never changes) */
} cox_data;

/* One contiguous piece of the reverse (descending time) walk of one stratum. Splitting a long
 * stratum at tie boundaries into two halves lets two threads work: each first needs the totals
 * of the rows after it (later times), which a cheap pass gives. */
typedef struct cox_part {
    const cox_data *cd;
    const double *beta;
    size_t lo, hi;             /* rows [lo, hi) walked from hi - 1 down to lo */
    double s0;                 /* risk-set sums carried in from later rows */
    double *s1, *s2;           /* [p], [p * p] carried in */
    double ll, *u, *imat;      /* out: contributions */
    struct cox_part *carry_to; /* the lower half whose walk starts from this part's totals */
} cox_part;

/* First phase of an evaluation: r = exp(x' beta) over the part's rows (1 at beta = 0, the
 * first evaluation, with no exp) and, for the upper half of a split stratum, the sums of r,
 * r x and r x x' (lower triangle) the lower half's walk starts from. */
static inline __attribute__((always_inline)) void prepare_rows(cox_part *pt, const size_t p)
{
    const cox_data *cd = pt->cd;
    const double *beta = pt->beta;
    bool zero = true;
    for (size_t a = 0; a < p; a++)
        if (beta[a] != 0) zero = false;
    cox_part *to = pt->carry_to;
    /* the totals are summed in locals (registers when p is a small constant: through the
     * pointers the compiler must assume the r stores alias them), in the same order as in
     * memory, so the sums are the same */
    double t0 = 0, S1[4] = {0}, S2[16] = {0};
    double *s1 = p <= 4 ? S1 : NULL, *s2 = p <= 4 ? S2 : NULL;
    if (to && p > 4) {
        s1 = to->s1;
        s2 = to->s2;
        memset(s1, 0, p * sizeof *s1);
        memset(s2, 0, p * p * sizeof *s2);
    }
    double *rr = cd->r;
    /* one pass: the totals are summed right after each r is made, instead of in a second read
     * of r and x (same sums in the same row order) */
    for (size_t i = pt->lo; i < pt->hi; i++) {
        double v = 0;
        const double *xi = cd->x + i * p;
        UNROLL
        for (size_t a = 0; a < p; a++)
            v += xi[a] * beta[a];
        double r = zero ? 1.0 : exp(v);
        rr[i] = r;
        if (!to) continue;
        t0 += r;
        UNROLL
        for (size_t a = 0; a < p; a++) {
            double rx = r * xi[a];
            s1[a] += rx;
            UNROLL
            for (size_t b = 0; b <= a; b++)
                s2[a * p + b] += rx * xi[b];
        }
    }
    if (!to) return;
    to->s0 = t0;
    if (p <= 4) {
        memcpy(to->s1, S1, p * sizeof *S1);
        memcpy(to->s2, S2, p * p * sizeof *S2);
    }
}

static void *part_prepare(void *arg)
{
    cox_part *pt = arg;
    switch (pt->cd->p) {
    case 1:
        prepare_rows(pt, 1);
        break;
    case 2:
        prepare_rows(pt, 2);
        break;
    case 3:
        prepare_rows(pt, 3);
        break;
    case 4:
        prepare_rows(pt, 4);
        break;
    default:
        prepare_rows(pt, pt->cd->p);
        break;
    }
    return NULL;
}

/* The walk: risk sets grow as time decreases. At each tied block with nd deaths,
 * Breslow: ll -= nd log S0, U -= nd S1/S0, I += nd (S2/S0 - S1 S1'/S0^2);
 * Efron: for k = 0..nd-1 with f = k/nd the death block's share D is partly removed:
 * den = S0 - f D0, and likewise for S1, S2 (Efron 1977, eq. 3.5).
 * walk_small is the same with p <= 4 a constant and every sum in a local (registers). */
static void walk_generic(cox_part *pt, const size_t p)
{
    const cox_data *cd = pt->cd;
    double s0 = pt->s0;
    double *s1 = pt->s1, *s2 = pt->s2;
    double *u = pt->u, *imat = pt->imat;
    double *d1 = s2 + p * p, *d2 = d1 + p, *a1 = d2 + p * p; /* scratch after s2 */
    double ll = 0, logprod = 1;
    const double *time = cd->time, *r = cd->r, *x = cd->x, *beta = pt->beta;
    const int *event = cd->event;
    memset(u, 0, p * sizeof *u);
    memset(imat, 0, p * p * sizeof *imat);
    size_t i = pt->hi;
    while (i > pt->lo) {
        double t = time[i - 1];
        double d0 = 0;
        size_t nd = 0;
        for (size_t a = 0; a < p; a++)
            d1[a] = 0;
        for (size_t a = 0; a < p * p; a++)
            d2[a] = 0;
        while (i > pt->lo && time[i - 1] == t) {
            i--;
            double ri = r[i];
            const double *xi = x + i * p;
            s0 += ri;
            for (size_t a = 0; a < p; a++) {
                double rx = ri * xi[a];
                s1[a] += rx;
                for (size_t b = 0; b <= a; b++)
                    s2[a * p + b] += rx * xi[b];
            }
            if (event[i]) {
                nd++;
                double e = 0; /* the death's own eta */
                for (size_t a = 0; a < p; a++)
                    e += xi[a] * beta[a];
                ll += e;
                d0 += ri;
                for (size_t a = 0; a < p; a++) {
                    double rx = ri * xi[a];
                    u[a] += xi[a];
                    d1[a] += rx;
                    for (size_t b = 0; b <= a; b++)
                        d2[a * p + b] += rx * xi[b];
                }
            }
        }
        if (!nd) continue;
        /* the log of a product of denominators is taken once per 1e150 of product: log() is
         * the walk's dearest call and the sums agree to rounding */
        if (cd->ties == LT_TIES_BRESLOW || nd == 1) {
            double w = (double)nd;
            ll -= w * log(s0);
            for (size_t a = 0; a < p; a++) {
                double ma = s1[a] / s0;
                u[a] -= w * ma;
                for (size_t b = 0; b <= a; b++)
                    imat[a * p + b] += w * (s2[a * p + b] / s0 - ma * s1[b] / s0);
            }
        } else {
            for (size_t k = 0; k < nd; k++) {
                double f = (double)k / (double)nd;
                double den = s0 - f * d0;
                logprod *= den;
                if (logprod > 1e150 || logprod < 1e-150) {
                    ll -= log(logprod);
                    logprod = 1;
                }
                double inv = 1 / den;
                for (size_t a = 0; a < p; a++)
                    a1[a] = (s1[a] - f * d1[a]) * inv;
                for (size_t a = 0; a < p; a++) {
                    u[a] -= a1[a];
                    for (size_t b = 0; b <= a; b++)
                        imat[a * p + b] +=
                            (s2[a * p + b] - f * d2[a * p + b]) * inv - a1[a] * a1[b];
                }
            }
        }
    }
    pt->ll = ll - log(logprod);
}

static inline __attribute__((always_inline)) void walk_small(cox_part *pt, const size_t p)
{
    const cox_data *cd = pt->cd;
    double s0 = pt->s0, S1[4], S2[16], U[4] = {0}, I[16] = {0}, D1[4], D2[16];
    UNROLL
    for (size_t a = 0; a < p; a++)
        S1[a] = pt->s1[a];
    UNROLL
    for (size_t a = 0; a < p * p; a++)
        S2[a] = pt->s2[a];
    double ll = 0, logprod = 1;
    const double *time = cd->time, *r = cd->r, *x = cd->x, *beta = pt->beta;
    const int *event = cd->event;
    const bool efron = cd->ties == LT_TIES_EFRON;
    size_t i = pt->hi;
    while (i > pt->lo) {
        double t = time[i - 1];
        double d0 = 0;
        size_t nd = 0;
        UNROLL
        for (size_t a = 0; a < p; a++)
            D1[a] = 0;
        UNROLL
        for (size_t a = 0; a < p * p; a++)
            D2[a] = 0;
        while (i > pt->lo && time[i - 1] == t) {
            i--;
            double ri = r[i];
            const double *xi = x + i * p;
            double rx[4];
            s0 += ri;
            UNROLL
            for (size_t a = 0; a < p; a++) {
                rx[a] = ri * xi[a];
                S1[a] += rx[a];
                UNROLL
                for (size_t b = 0; b <= a; b++)
                    S2[a * p + b] += rx[a] * xi[b];
            }
            if (event[i]) {
                nd++;
                double e = 0; /* the death's own eta */
                UNROLL
                for (size_t a = 0; a < p; a++)
                    e += xi[a] * beta[a];
                ll += e;
                d0 += ri;
                UNROLL
                for (size_t a = 0; a < p; a++) {
                    U[a] += xi[a];
                    D1[a] += rx[a];
                    UNROLL
                    for (size_t b = 0; b <= a; b++)
                        D2[a * p + b] += rx[a] * xi[b];
                }
            }
        }
        if (!nd) continue;
        if (!efron || nd == 1) {
            double w = (double)nd, inv = 1 / s0;
            ll -= w * log(s0);
            UNROLL
            for (size_t a = 0; a < p; a++) {
                double ma = S1[a] * inv;
                U[a] -= w * ma;
                UNROLL
                for (size_t b = 0; b <= a; b++)
                    I[a * p + b] += w * (S2[a * p + b] * inv - ma * S1[b] * inv);
            }
        } else {
            /* Efron's sum over k of (S1 - f_k D1) w_k and of (S2 - f_k D2) w_k - A_k A_k' with
             * A_k = (S1 - f_k D1) w_k, w_k = 1 / (S0 - f_k D0), expanded in the scalar sums of
             * w, f w, w^2, f w^2 and f^2 w^2, so each death costs O(1) and the block O(p^2) */
            double W0 = 0, W1 = 0, Q0 = 0, Q1 = 0, Q2 = 0;
            for (size_t k = 0; k < nd; k++) {
                double f = (double)k / (double)nd;
                double den = s0 - f * d0;
                logprod *= den;
                if (logprod > 1e150 || logprod < 1e-150) {
                    ll -= log(logprod);
                    logprod = 1;
                }
                double w = 1 / den, w2 = w * w;
                W0 += w;
                W1 += f * w;
                Q0 += w2;
                Q1 += f * w2;
                Q2 += f * f * w2;
            }
            UNROLL
            for (size_t a = 0; a < p; a++) {
                U[a] -= W0 * S1[a] - W1 * D1[a];
                UNROLL
                for (size_t b = 0; b <= a; b++)
                    I[a * p + b] += W0 * S2[a * p + b] - W1 * D2[a * p + b] -
                                    (Q0 * S1[a] * S1[b] - Q1 * (S1[a] * D1[b] + D1[a] * S1[b]) +
                                     Q2 * D1[a] * D1[b]);
            }
        }
    }
    UNROLL
    for (size_t a = 0; a < p; a++)
        pt->u[a] = U[a];
    UNROLL
    for (size_t a = 0; a < p * p; a++)
        pt->imat[a] = I[a];
    pt->ll = ll - log(logprod);
}

static void *part_walk(void *arg)
{
    cox_part *pt = arg;
    switch (pt->cd->p) {
    case 1:
        walk_small(pt, 1);
        break;
    case 2:
        walk_small(pt, 2);
        break;
    case 3:
        walk_small(pt, 3);
        break;
    case 4:
        walk_small(pt, 4);
        break;
    default:
        walk_generic(pt, pt->cd->p);
        break;
    }
    return NULL;
}

/* A batch of parts one thread runs through fn in order. */
typedef struct part_batch {
    void *(*fn)(void *);
    cox_part *parts;
    size_t n;
} part_batch;

static void *run_batch(void *arg)
{
    part_batch *bt = arg;
    for (size_t k = 0; k < bt->n; k++)
        bt->fn(&bt->parts[k]);
    return NULL;
}

/* Runs fn over parts [0, split) on a second thread and [split, np) on this one (or all here).
 * Which thread runs a part never changes what the part computes. */
static void run_parts(void *(*fn)(void *), cox_part *parts, size_t np, size_t split, int threads)
{
    part_batch first = {fn, parts, split}, rest = {fn, parts + split, np - split};
    pthread_t th;
    bool threaded =
        threads > 1 && split > 0 && split < np && pthread_create(&th, NULL, run_batch, &first) == 0;
    if (!threaded) run_batch(&first);
    run_batch(&rest);
    if (threaded) pthread_join(th, NULL);
}

/* The log partial likelihood at beta with its score u and information imat (full p x p).
 * The rows are cut into parts: each stratum, and each long stratum in two halves at a tie
 * boundary. Phase one computes r = exp(eta) and the upper halves' totals; phase two walks. The
 * parts and their sum order depend only on the data, so results do not depend on threads. */
static bool loglik(const cox_data *cd, const double *beta, double *ll, double *u, double *imat)
{
    size_t n = cd->n, p = cd->p;
    size_t maxparts = 2 * cd->nstrata;
    size_t scratch = 3 * p * p + 3 * p + 1;
    cox_part *parts = calloc(maxparts, sizeof *parts);
    double *mem = calloc(maxparts * (scratch + p + p * p), sizeof *mem);
    if (!parts || !mem) {
        free(parts);
        free(mem);
        return false;
    }
    size_t np = 0;
    for (size_t s = 0; s < cd->nstrata; s++) {
        size_t lo = cd->sstart[s], hi = cd->sstart[s + 1];
        if (lo == hi) continue;
        size_t mid = lo;
        if (hi - lo > 200000) {
            mid = lo + (hi - lo) / 2;
            while (mid > lo && cd->time[mid - 1] == cd->time[mid])
                mid--;
        }
        size_t bounds[3] = {lo, mid, hi};
        for (int h = 0; h < 2; h++) {
            if (bounds[h] == bounds[h + 1]) continue;
            cox_part *pt = &parts[np];
            double *m = mem + np * (scratch + p + p * p);
            pt->cd = cd;
            pt->beta = beta;
            pt->lo = bounds[h];
            pt->hi = bounds[h + 1];
            pt->s1 = m;
            pt->s2 = m + p;
            pt->u = m + scratch;
            pt->imat = m + scratch + p;
            np++;
        }
        /* the lower half starts from the totals of the upper half (later times) */
        if (mid > lo) parts[np - 1].carry_to = &parts[np - 2];
    }
    /* the first thread takes the parts holding the first half of the rows */
    size_t split = 0, rows = 0;
    while (split < np && rows < n / 2)
        rows += parts[split].hi - parts[split].lo, split++;
    if (split == np && np > 1) split = np - 1;
    run_parts(part_prepare, parts, np, split, cd->threads);
    run_parts(part_walk, parts, np, split, cd->threads);
    double tl = 0;
    memset(u, 0, p * sizeof *u);
    memset(imat, 0, p * p * sizeof *imat);
    for (size_t k = 0; k < np; k++) {
        tl += parts[k].ll;
        for (size_t a = 0; a < p; a++) {
            u[a] += parts[k].u[a];
            for (size_t b = 0; b <= a; b++)
                imat[a * p + b] += parts[k].imat[a * p + b];
        }
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < a; b++)
            imat[b * p + a] = imat[a * p + b];
    *ll = tl;
    free(parts);
    free(mem);
    return true;
}

/* Score residuals at beta (the per-subject terms of U, Therneau & Grambsch 2000, ch. 4 for
 * Efron's weights) summed per cluster into lc [nclusters * p]. For a subject with covariates x,
 * event flag delta and time in tied block b: L = delta (x - xbar_b) - r (x H - G), where H and G
 * cumulate the hazard increments dH_b and dH_b xbar_b over blocks up to b. Under Efron a death
 * at b is at risk in portion k with weight 1 - k/nd, which changes its own block's increments
 * and its xbar_b to the mean of the portions' means. */
static bool score_residuals(const cox_data *cd, const double *beta, double *lc, size_t nclus)
{
    size_t n = cd->n, p = cd->p;
    double dummy_ll;
    double *u = malloc((p + p * p) * sizeof *u);
    if (!u || !loglik(cd, beta, &dummy_ll, u, u + p)) { /* refreshes r at beta */
        free(u);
        return false;
    }
    free(u);
    /* per row: block increments (dH, dH' for deaths, dG[p], dG'[p], xm[p]) are written at the
     * block's first row; cumulative sums are formed in a forward pass */
    size_t w = 2 + 3 * p;
    double *blk = calloc(n * w, sizeof *blk);
    double *s1 = calloc(2 * p + 1, sizeof *s1);
    if (!blk || !s1) {
        free(blk);
        free(s1);
        return false;
    }
    double *d1 = s1 + p;
    for (size_t s = 0; s < cd->nstrata; s++) {
        size_t lo = cd->sstart[s], hi = cd->sstart[s + 1];
        double s0 = 0;
        memset(s1, 0, p * sizeof *s1);
        size_t i = hi;
        while (i > lo) {
            double t = cd->time[i - 1];
            double d0 = 0;
            size_t nd = 0;
            memset(d1, 0, p * sizeof *d1);
            while (i > lo && cd->time[i - 1] == t) {
                i--;
                double r = cd->r[i];
                s0 += r;
                for (size_t a = 0; a < p; a++)
                    s1[a] += r * cd->x[i * p + a];
                if (cd->event[i]) {
                    nd++;
                    d0 += r;
                    for (size_t a = 0; a < p; a++)
                        d1[a] += r * cd->x[i * p + a];
                }
            }
            double *b = blk + i * w; /* the block's first row (ascending order) */
            if (!nd) continue;
            double *dg = b + 2, *dgd = b + 2 + p, *xm = b + 2 + 2 * p;
            if (cd->ties == LT_TIES_BRESLOW || nd == 1) {
                double h = (double)nd / s0;
                b[0] = b[1] = h;
                for (size_t a = 0; a < p; a++) {
                    xm[a] = s1[a] / s0;
                    dg[a] = dgd[a] = h * xm[a];
                }
            } else {
                for (size_t k = 0; k < nd; k++) {
                    double f = (double)k / (double)nd, den = s0 - f * d0;
                    b[0] += 1 / den;
                    b[1] += (1 - f) / den;
                    for (size_t a = 0; a < p; a++) {
                        double xk = (s1[a] - f * d1[a]) / den;
                        dg[a] += xk / den;
                        dgd[a] += (1 - f) * xk / den;
                        xm[a] += xk / (double)nd;
                    }
                }
            }
        }
    }
    /* forward pass: cumulative H and G per stratum, residuals summed per cluster */
    double *G = calloc(p ? p : 1, sizeof *G);
    if (!G) {
        free(blk);
        free(s1);
        return false;
    }
    memset(lc, 0, nclus * p * sizeof *lc);
    for (size_t s = 0; s < cd->nstrata; s++) {
        size_t lo = cd->sstart[s], hi = cd->sstart[s + 1];
        double Hc = 0;
        memset(G, 0, p * sizeof *G);
        size_t i = lo;
        while (i < hi) {
            size_t j = i;
            while (j < hi && cd->time[j] == cd->time[i])
                j++;
            const double *b = blk + i * w;
            const double *dg = b + 2, *dgd = b + 2 + p, *xm = b + 2 + 2 * p;
            for (size_t m = i; m < j; m++) {
                const double *xm_row = cd->x + m * p;
                double r = cd->r[m];
                bool dead = cd->event[m] != 0;
                double h = Hc + (dead ? b[1] : b[0]);
                double *out = lc + (cd->cluster ? (size_t)cd->cluster[m] : m) * p;
                for (size_t a = 0; a < p; a++) {
                    double g = G[a] + (dead ? dgd[a] : dg[a]);
                    double res = -r * (xm_row[a] * h - g);
                    if (dead) res += xm_row[a] - xm[a];
                    out[a] += res;
                }
            }
            Hc += b[0];
            for (size_t a = 0; a < p; a++)
                G[a] += dg[a];
            i = j;
        }
    }
    free(G);
    free(blk);
    free(s1);
    return true;
}

/* The row checks, the event count and the covariate means: one sequential read of the input
 * that does not depend on the sort, so it runs on a second thread while this one sorts (at a
 * million rows it took 10-12 ms before the sort, which takes about 20 ms). The means are summed in row order as
 * before, so the centring, and every result, is the same with one thread or two. */
typedef struct row_scan {
    const lt_surv_data *d;
    double *mean; /* [p] out */
    size_t nevent;
    lt_status st;
    lt_error err;
} row_scan;

static void *scan_rows(void *arg)
{
    row_scan *rs = arg;
    const lt_surv_data *d = rs->d;
    size_t n = d->n, p = d->p;
    rs->st = lt__surv_check(d, &rs->err);
    if (rs->st) return NULL;
    size_t nevent = 0;
    for (size_t i = 0; i < n; i++)
        nevent += d->event[i] != 0;
    rs->nevent = nevent;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < p; a++)
            rs->mean[a] += d->x[i * p + a];
    for (size_t a = 0; a < p; a++)
        rs->mean[a] /= (double)n;
    return NULL;
}

/* Sorted rows [lo, hi) gathered into cd: event flag and centred covariates. The gather is a
 * random read of x (the cost of this phase), so the rows are cut in two halves for two
 * threads; each sorted row is written by one thread only, whatever the split. */
typedef struct gather_part {
    cox_data *cd;
    const lt_surv_data *d;
    const lt__surv_sorted *srt;
    const double *mean;
    size_t lo, hi;
} gather_part;

static void *gather_rows(void *arg)
{
    gather_part *g = arg;
    size_t p = g->cd->p, n = g->cd->n;
    const uint32_t *idx = g->srt->idx, *tag = g->srt->tag;
    const double *x = g->d->x, *mean = g->mean;
    double *cx = g->cd->x;
    int *event = g->cd->event;
    for (size_t k = g->lo; k < g->hi; k++) {
        /* ask for a row a few iterations ahead: the loads, not the arithmetic, cost */
        if (k + 16 < n) __builtin_prefetch(x + (size_t)idx[k + 16] * p);
        size_t i = idx[k];
        event[k] = (int)(tag[k] & 1);
        for (size_t a = 0; a < p; a++)
            cx[k * p + a] = x[i * p + a] - mean[a];
    }
    return NULL;
}

/* Checks the data, counts events and builds cd: sorted by stratum then time, covariates
 * centred. With threads > 1 the check and means (scan_rows) run beside the sort and the
 * gather runs in two halves; the outcome, errors included, is that of the serial order
 * (check, events, sort), which threads == 1 follows literally. */
static lt_status prepare(const lt_surv_data *d, lt_ties ties, int threads, size_t *nevent,
                         cox_data *cd, lt_error *err)
{
    size_t n = d->n, p = d->p;
    memset(cd, 0, sizeof *cd);
    double *mean = calloc(p ? p : 1, sizeof *mean);
    if (!mean) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    row_scan rs = {.d = d, .mean = mean};
    /* the sort may only start on arrays that exist and strata that fit the tag; otherwise
     * the check runs first and reports what is wrong */
    bool sortable = d->time && d->event && d->stratum && d->nstrata < (1u << 31);
    pthread_t th;
    bool threaded = threads > 1 && sortable && pthread_create(&th, NULL, scan_rows, &rs) == 0;
    if (!threaded) {
        scan_rows(&rs);
        if (rs.st) goto scan_failed;
        if (rs.nevent == 0) goto no_events;
        if (d->nstrata >= (1u << 31)) {
            free(mean);
            LT_FAIL(err, LT_EINVAL, "", "too many strata (%zu)", d->nstrata);
        }
    }
    /* sort by stratum then time, carrying the event flag in the tag */
    lt_status st = LT_OK;
    lt__surv_sorted srt = {0};
    uint32_t *tag = lt__big_alloc(n * sizeof *tag);
    if (!tag)
        st = lt_error_set(err, LT_ENOMEM, "", "out of memory for %zu rows", n);
    else {
        for (size_t i = 0; i < n; i++)
            tag[i] = ((uint32_t)d->stratum[i] << 1) | (d->event[i] != 0);
        st = lt__surv_sort(d->time, tag, n, 1, &srt, err);
        free(tag);
    }
    if (threaded) {
        pthread_join(th, NULL);
        /* the check's verdict comes first, as when it ran before the sort */
        if (rs.st || rs.nevent == 0) lt__surv_sorted_free(&srt);
        if (rs.st) goto scan_failed;
        if (rs.nevent == 0) goto no_events;
    }
    if (st) {
        free(mean);
        return st;
    }
    cd->n = n;
    cd->p = p;
    cd->ties = ties;
    cd->nstrata = d->nstrata;
    cd->time = srt.time; /* owned by cd from here */
    srt.time = NULL;
    cd->x = lt__big_alloc(n * p * sizeof *cd->x);
    cd->event = lt__big_alloc(n * sizeof *cd->event);
    cd->r = lt__big_alloc(n * sizeof *cd->r);
    cd->sstart = calloc(d->nstrata + 1, sizeof *cd->sstart);
    if (d->cluster) cd->cluster = malloc(n * sizeof *cd->cluster);
    if (!cd->x || !cd->event || !cd->r || !cd->sstart || (d->cluster && !cd->cluster)) {
        lt__surv_sorted_free(&srt);
        free(mean);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory for %zu rows", n);
    }
    gather_part g[2] = {{cd, d, &srt, mean, 0, n / 2}, {cd, d, &srt, mean, n / 2, n}};
    bool gthreaded = threads > 1 && pthread_create(&th, NULL, gather_rows, &g[0]) == 0;
    if (!gthreaded) gather_rows(&g[0]);
    gather_rows(&g[1]);
    /* meanwhile (a sequential read) the stratum sizes and the cluster column */
    const uint32_t *idx = srt.idx;
    for (size_t k = 0; k < n; k++)
        cd->sstart[(srt.tag[k] >> 1) + 1]++;
    if (cd->cluster)
        for (size_t k = 0; k < n; k++)
            cd->cluster[k] = d->cluster[idx[k]];
    for (size_t s = 0; s < d->nstrata; s++)
        cd->sstart[s + 1] += cd->sstart[s];
    if (gthreaded) pthread_join(th, NULL);
    lt__surv_sorted_free(&srt);
    free(mean);
    *nevent = rs.nevent;
    return LT_OK;
scan_failed:
    free(mean);
    if (err) *err = rs.err;
    return rs.st;
no_events:
    free(mean);
    LT_FAIL(err, LT_ENUMERIC, "", "no events: the Cox model cannot be fitted");
}

static void cox_data_free(cox_data *cd)
{
    free(cd->x);
    free(cd->time);
    free(cd->event);
    free(cd->r);
    free(cd->sstart);
    free(cd->cluster);
}

/* b' A^-1 b for symmetric positive definite A; NAN when singular. */
static double quadform_inv(const double *a, size_t p, const double *b)
{
    double *x = malloc((p ? p : 1) * sizeof *x);
    if (!x) return NAN;
    double q = NAN;
    if (lt__spd_solve(a, p, b, x, NULL)) {
        q = 0;
        for (size_t j = 0; j < p; j++)
            q += b[j] * x[j];
    }
    free(x);
    return q;
}

lt_status lt_cox_fit(const lt_surv_data *d, const lt_cox_options *opts, lt_cox **out, lt_error *err)
{
    lt_cox_options o;
    lt_cox_options_default(&o);
    if (opts) o = *opts;
    if (!d || d->n == 0) LT_FAIL(err, LT_EINVAL, "", "no rows to fit a Cox model to");
    if (d->p == 0)
        LT_FAIL(err, LT_EINVAL, "--covariates", "a Cox model needs at least one covariate");
    if (o.iter_max < 1 || !(o.eps > 0) || !(o.conf_level > 0 && o.conf_level < 1))
        LT_FAIL(err, LT_EINVAL, "", "invalid Cox options (iter_max %d, eps %g, conf_level %g)",
                o.iter_max, o.eps, o.conf_level);
    size_t p = d->p, nevent = 0;
    cox_data cd = {0};
    int threads = o.threads == 1 ? 1 : 2;
    lt_status st = prepare(d, o.ties, threads, &nevent, &cd, err);
    if (st) {
        cox_data_free(&cd);
        return st;
    }
    cd.threads = threads;
    /* work: beta, newbeta, u, imat, step, u0, imat0 */
    double *w = calloc(5 * p + 3 * p * p, sizeof *w);
    lt_cox *c = calloc(1, sizeof *c);
    if (!w || !c) {
        free(w);
        free(c);
        cox_data_free(&cd);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    double *beta = w, *newbeta = w + p, *u = w + 2 * p, *step = w + 3 * p, *u0 = w + 4 * p;
    double *imat = w + 5 * p, *imat0 = imat + p * p, *vinv = imat0 + p * p;
    double ll0, ll, newll;
    if (!loglik(&cd, beta, &ll0, u, imat)) goto nomem;
    memcpy(u0, u, p * sizeof *u);
    memcpy(imat0, imat, p * p * sizeof *imat);
    if (!lt__spd_solve(imat, p, u, step, NULL)) {
        st = lt_error_set(err, LT_ENUMERIC, "--covariates",
                          "the information matrix at beta = 0 is singular: a covariate is "
                          "constant or the covariates are collinear");
        goto fail;
    }
    /* Newton-Raphson as coxph.fit: the step from the last accepted beta; if the log-likelihood
     * gets worse the step is halved; done when |1 - ll_old / ll_new| <= eps (not while
     * halving) */
    ll = ll0;
    for (size_t j = 0; j < p; j++)
        newbeta[j] = beta[j] + step[j];
    int halving = 0, iter;
    bool converged = false;
    for (iter = 1; iter <= o.iter_max; iter++) {
        if (!loglik(&cd, newbeta, &newll, u, imat)) goto nomem;
        if (isfinite(newll) && fabs(1 - ll / newll) <= o.eps && !halving) {
            converged = true;
            ll = newll;
            break;
        }
        if (iter == o.iter_max) {
            /* not converged: report the last iterate that was not worse */
            if (!(newll >= ll)) {
                memcpy(newbeta, beta, p * sizeof *beta);
                if (!loglik(&cd, newbeta, &newll, u, imat)) goto nomem;
            }
            ll = newll;
            break;
        }
        if (!isfinite(newll) || newll < ll) {
            halving++;
            for (size_t j = 0; j < p; j++)
                newbeta[j] = (newbeta[j] + beta[j]) / 2;
            continue;
        }
        halving = 0;
        ll = newll;
        memcpy(beta, newbeta, p * sizeof *beta);
        if (!lt__spd_solve(imat, p, u, step, NULL)) {
            st = lt_error_set(err, LT_ENUMERIC, "--covariates",
                              "the information matrix became singular at iteration %d: the "
                              "model may be unidentifiable (monotone likelihood)",
                              iter);
            goto fail;
        }
        for (size_t j = 0; j < p; j++)
            newbeta[j] = beta[j] + step[j];
    }
    if (iter > o.iter_max) iter = o.iter_max;
    memcpy(beta, newbeta, p * sizeof *beta);
    /* allocate the result */
    c->p = p;
    c->names = calloc(p, sizeof *c->names);
    c->coef = calloc(9 * p + p * p, sizeof *c->coef);
    c->infinite = calloc(p, sizeof *c->infinite);
    if (!c->names || !c->coef || !c->infinite) goto nomem;
    for (size_t j = 0; j < p; j++) {
        char buf[64];
        const char *nm = d->covariate_names ? d->covariate_names[j] : NULL;
        if (!nm) {
            snprintf(buf, sizeof buf, "x%zu", j + 1);
            nm = buf;
        }
        if (!(c->names[j] = strdup(nm))) goto nomem;
    }
    c->se = c->coef + p;
    c->z = c->coef + 2 * p;
    c->pvalue = c->coef + 3 * p;
    c->lower = c->coef + 4 * p;
    c->upper = c->coef + 5 * p;
    double *rse = c->coef + 6 * p;
    c->var = c->coef + 9 * p;
    if (!lt__spd_solve(imat, p, NULL, NULL, vinv)) {
        st = lt_error_set(err, LT_ENUMERIC, "--covariates",
                          "the information matrix at the estimate is singular: the "
                          "covariates are collinear or the likelihood is monotone");
        goto fail;
    }
    memcpy(c->var, vinv, p * p * sizeof *vinv);
    /* the Newton step that would still be taken from the estimate, as coxph checks it: a
     * coefficient that would still move although the log-likelihood no longer does is heading
     * for infinity */
    for (size_t j = 0; j < p; j++) {
        double stepj = 0;
        for (size_t k = 0; k < p; k++)
            stepj += vinv[j * p + k] * u[k];
        c->infinite[j] = fabs(stepj) > sqrt(o.eps) * (1 + fabs(beta[j]));
    }
    if (d->cluster || o.robust) {
        size_t nclus = d->cluster ? d->nclusters : d->n;
        double *lc = malloc(nclus * p * sizeof *lc);
        double *meat = calloc(p * p, sizeof *meat), *tmp = calloc(p * p, sizeof *tmp);
        if (!lc || !meat || !tmp || !score_residuals(&cd, beta, lc, nclus)) {
            free(lc);
            free(meat);
            free(tmp);
            goto nomem;
        }
        /* sandwich V (sum_c L_c L_c') V, L_c the cluster's summed score residuals */
        for (size_t k = 0; k < nclus; k++)
            for (size_t a = 0; a < p; a++)
                for (size_t b = 0; b < p; b++)
                    meat[a * p + b] += lc[k * p + a] * lc[k * p + b];
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++) {
                double s = 0;
                for (size_t m = 0; m < p; m++)
                    s += vinv[a * p + m] * meat[m * p + b];
                tmp[a * p + b] = s;
            }
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++) {
                double s = 0;
                for (size_t m = 0; m < p; m++)
                    s += tmp[a * p + m] * vinv[m * p + b];
                c->var[a * p + b] = s;
            }
        free(lc);
        free(meat);
        free(tmp);
        c->robust_se = rse;
    }
    double zq = lt__norm_quantile(1 - (1 - o.conf_level) / 2);
    for (size_t j = 0; j < p; j++) {
        c->coef[j] = beta[j];
        c->se[j] = sqrt(vinv[j * p + j]);
        double se = sqrt(c->var[j * p + j]);
        if (c->robust_se) c->robust_se[j] = se;
        c->z[j] = beta[j] / se;
        c->pvalue[j] = lt__norm_2sided_p(c->z[j]);
        c->lower[j] = exp(beta[j] - zq * se);
        c->upper[j] = exp(beta[j] + zq * se);
    }
    c->loglik[0] = ll0;
    c->loglik[1] = ll;
    c->df = (int)p;
    c->lr_test = 2 * (ll - ll0);
    c->wald_test = quadform_inv(c->var, p, beta);
    c->score_test = quadform_inv(imat0, p, u0);
    c->lr_p = lt__chisq_q(c->lr_test, (double)p);
    c->wald_p = lt__chisq_q(c->wald_test, (double)p);
    c->score_p = lt__chisq_q(c->score_test, (double)p);
    c->iterations = iter;
    c->converged = converged;
    c->n = d->n;
    c->nevent = nevent;
    c->ties = o.ties;
    c->conf_level = o.conf_level;
    free(w);
    cox_data_free(&cd);
    *out = c;
    return LT_OK;
nomem:
    st = lt_error_set(err, LT_ENOMEM, "", "out of memory fitting the Cox model");
fail:
    free(w);
    cox_data_free(&cd);
    lt_cox_free(c);
    return st;
}
