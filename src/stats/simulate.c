/* Monte Carlo simulation of whole two-arm trials: accrual, piecewise-exponential survival per
 * arm, exponential dropout, an analysis at a planned number of events or at a calendar time,
 * then the log-rank test and a Cox model. Each iteration has its own random stream keyed by
 * (seed, iteration), and sums are reduced in a fixed block order, so results do not depend on
 * the number of threads. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gsl/gsl_cdf.h>
#include <sodium.h>
#include "lutetia/design.h"
#include "design_internal.h"

#define BLOCK 256               /* iterations per unit of work; fixed so sums are reproducible */
#define MAX_ITERATIONS 20000000 /* every iteration's HR is kept for the quantiles (8 bytes each) */

static const double quantile_probs[LT_SIM_NQUANTILES] = {0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975};

const double *lt_sim_quantile_probs(void) { return quantile_probs; }

static lt_status validate_piecewise(const lt_piecewise *p, const char *arm, lt_error *err)
{
    if (p->n < 1 || p->n > LT_DESIGN_MAX_PIECES)
        LT_FAIL(err, LT_EINVAL, arm, "expected 1 to %d hazard pieces, found %zu",
                LT_DESIGN_MAX_PIECES, p->n);
    for (size_t k = 0; k < p->n; k++) {
        if (!(isfinite(p->hazard[k]) && p->hazard[k] >= 0))
            LT_FAIL(err, LT_EINVAL, arm, "piece %zu: expected a hazard per month >= 0, found %g",
                    k + 1, p->hazard[k]);
        if (k == 0 ? p->start[0] != 0 : !(isfinite(p->start[k]) && p->start[k] > p->start[k - 1]))
            LT_FAIL(err, LT_EINVAL, arm,
                    "piece %zu: expected %s, found start %g", k + 1,
                    k == 0 ? "the first piece to start at 0" : "starts in ascending order",
                    p->start[k]);
    }
    return LT_OK;
}

lt_status lt_sim_spec_validate(const lt_sim_spec *s, lt_error *err)
{
    if (s->patients < 2 || s->patients > 10000000)
        LT_FAIL(err, LT_EINVAL, "patients", "expected 2 to 10000000 patients, found %ld",
                s->patients);
    if (s->ratio_treatment < 1 || s->ratio_control < 1 || s->ratio_treatment > 100 ||
        s->ratio_control > 100)
        LT_FAIL(err, LT_EINVAL, "allocation_ratio",
                "expected whole allocation weights 1 to 100, found %d:%d", s->ratio_treatment,
                s->ratio_control);
    if (!(isfinite(s->accrual_months) && s->accrual_months > 0))
        LT_FAIL(err, LT_EINVAL, "accrual_months", "expected months above 0, found %g",
                s->accrual_months);
    if (s->accrual != LT_ACCRUAL_UNIFORM && s->accrual != LT_ACCRUAL_EVEN)
        LT_FAIL(err, LT_EINVAL, "accrual", "expected uniform or even accrual");
    lt_status st;
    if ((st = validate_piecewise(&s->control, "control hazards", err)) ||
        (st = validate_piecewise(&s->treatment, "treatment hazards", err)))
        return st;
    if (!(isfinite(s->dropout_hazard) && s->dropout_hazard >= 0))
        LT_FAIL(err, LT_EINVAL, "dropout", "expected a hazard per month >= 0, found %g",
                s->dropout_hazard);
    if (s->events > 0) {
        if (s->events > s->patients)
            LT_FAIL(err, LT_EINVAL, "events",
                    "expected at most as many events as patients (%ld), found %ld", s->patients,
                    s->events);
    } else if (!(isfinite(s->analysis_months) && s->analysis_months > 0)) {
        LT_FAIL(err, LT_EINVAL, "events",
                "expected a planned number of events, or an analysis time above 0 months");
    }
    if (!(isfinite(s->alpha) && s->alpha > 0 && s->alpha < 1))
        LT_FAIL(err, LT_EINVAL, "alpha", "expected a number between 0 and 1, found %g", s->alpha);
    if (s->sides != 1 && s->sides != 2)
        LT_FAIL(err, LT_EINVAL, "sides", "expected 1 or 2, found %d", s->sides);
    return LT_OK;
}

/* Allocation weights from a ratio such as 1, 2 or 1.5 (3:2): the smallest whole pair. */
static bool ratio_pair(double r, int *t, int *c)
{
    for (int den = 1; den <= 100; den++) {
        double num = r * den;
        if (fabs(num - round(num)) < 1e-9 && round(num) >= 1 && round(num) <= 100) {
            *t = (int)round(num);
            *c = den;
            return true;
        }
    }
    return false;
}

lt_status lt_sim_spec_from_design(const lt_design *d, long patients, long events,
                                  lt_sim_spec *out, lt_error *err)
{
    lt_design dd = *d;
    dd.power = 0.5;
    lt_status st = lt_design_validate(&dd, err);
    if (st) return st;
    if (!(d->control_hazard > 0))
        LT_FAIL(err, LT_EINVAL, "control_hazard",
                "simulation needs the control arm's hazard: give its survival at a time or its "
                "median");
    lt_sim_spec s;
    memset(&s, 0, sizeof s);
    s.patients = patients;
    if (!ratio_pair(d->allocation_ratio, &s.ratio_treatment, &s.ratio_control))
        LT_FAIL(err, LT_EINVAL, "allocation_ratio",
                "expected a ratio of whole numbers up to 100 (such as 1, 2 or 1.5), found %g",
                d->allocation_ratio);
    s.accrual_months = d->accrual_months;
    s.accrual = LT_ACCRUAL_UNIFORM;
    s.control.n = s.treatment.n = 1;
    s.control.hazard[0] = d->control_hazard;
    s.treatment.hazard[0] = d->control_hazard * d->hazard_ratio;
    s.dropout_hazard = d->dropout_hazard;
    s.events = events;
    s.analysis_months = events > 0 ? NAN : d->accrual_months + d->follow_up_months;
    s.alpha = d->alpha;
    s.sides = d->sides;
    if ((st = lt_sim_spec_validate(&s, err))) return st;
    *out = s;
    return LT_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Random numbers: one ChaCha20 stream per iteration */

/* The ChaCha20 keystream (RFC 8439, libsodium's crypto_stream_chacha20_ietf) keyed by the seed
 * and the iteration: a counter-based generator, so iteration i draws the same numbers whichever
 * thread runs it, and streams of different iterations are unrelated. */
#define RNG_WORDS 64 /* 512 bytes: 8 ChaCha20 blocks per refill */

typedef struct rng {
    unsigned char key[32];
    unsigned char nonce[12];
    uint32_t block;          /* the next ChaCha20 block counter */
    size_t pos;
    uint64_t buf[RNG_WORDS];
} rng;

static void rng_refill(rng *g)
{
    static const uint64_t zeros[RNG_WORDS];
    crypto_stream_chacha20_ietf_xor_ic((unsigned char *)g->buf, (const unsigned char *)zeros,
                                       sizeof g->buf, g->nonce, g->block, g->key);
    g->block += sizeof g->buf / 64;
    g->pos = 0;
}

static void rng_init(rng *g, uint64_t seed, uint64_t iteration)
{
    /* key: seed and iteration, little-endian, then a fixed tag */
    static const char tag[16] = "lutetia-sim-v1\0";
    for (int i = 0; i < 8; i++) {
        g->key[i] = (unsigned char)(seed >> (8 * i));
        g->key[8 + i] = (unsigned char)(iteration >> (8 * i));
    }
    memcpy(g->key + 16, tag, 16);
    memset(g->nonce, 0, sizeof g->nonce);
    g->block = 0;
    rng_refill(g);
}

static inline uint64_t rng_next(rng *g)
{
    if (g->pos == RNG_WORDS) rng_refill(g);
    return g->buf[g->pos++];
}

/* (0, 1) from the top 53 bits, never 0 so that log(u) is finite */
static inline double unit_open(uint64_t x) { return ((double)(x >> 11) + 0.5) * 0x1.0p-53; }

/* Unit exponential variates by the ziggurat method (Marsaglia & Tsang 2000, J Stat Softw 5(8),
 * 256 layers, r = 7.69711747013104972, layer area v = 3.949659822581572e-3), with the layer
 * index from the low 8 bits and the position from the top 53 bits of the same 64-bit word.
 * Why not GSL's gsl_ran_exponential: it takes a log per draw, and the logs were a fifth of a
 * simulated trial's time; here 98.9% of draws cost one multiply and one compare, and the rest
 * are exact rejection steps, so the distribution is the same. */
typedef struct zig_exp {
    uint64_t k[256];
    double w[256], f[256];
} zig_exp;

static void zig_exp_init(zig_exp *z)
{
    const double m = 0x1.0p53, v = 3.949659822581572e-3;
    double de = 7.69711747013104972, te = de;
    double q = v / exp(-de);
    z->k[0] = (uint64_t)(de / q * m);
    z->k[1] = 0;
    z->w[0] = q / m;
    z->w[255] = de / m;
    z->f[0] = 1;
    z->f[255] = exp(-de);
    for (int i = 254; i >= 1; i--) {
        de = -log(v / de + exp(-de));
        z->k[i + 1] = (uint64_t)(de / te * m);
        te = de;
        z->f[i] = exp(-de);
        z->w[i] = de / m;
    }
}

static inline double zig_exp_draw(const zig_exp *z, rng *g)
{
    for (;;) {
        uint64_t r = rng_next(g);
        unsigned i = (unsigned)(r & 255);
        uint64_t j = r >> 11;
        if (j < z->k[i]) return (double)j * z->w[i];
        if (i == 0) return 7.69711747013104972 - log(unit_open(rng_next(g))); /* the tail */
        double x = (double)j * z->w[i];
        if (z->f[i] + unit_open(rng_next(g)) * (z->f[i - 1] - z->f[i]) < exp(-x)) return x;
    }
}

void lt__sim_exponentials(uint64_t seed, size_t n, double *out)
{
    zig_exp z;
    zig_exp_init(&z);
    rng g;
    if (sodium_init() < 0) return;
    rng_init(&g, seed, 0);
    for (size_t i = 0; i < n; i++) out[i] = zig_exp_draw(&z, &g);
}

/* Inverse of the piecewise cumulative hazard at e (a unit exponential): the event time. */
static inline double piecewise_time(const lt_piecewise *p, double e)
{
    if (p->n == 1) return p->hazard[0] > 0 ? e / p->hazard[0] : INFINITY;
    for (size_t k = 0; k < p->n; k++) {
        double end = k + 1 < p->n ? p->start[k + 1] : INFINITY;
        double h = p->hazard[k];
        double span = end - p->start[k];
        if (h > 0 && e <= h * span) return p->start[k] + e / h;
        if (h > 0) e -= h * span;
    }
    return INFINITY;
}

/* ---------------------------------------------------------------------------------------- */
/* The two-arm tests on observed data
 *
 * Why not the survival module's lt_logrank_z and lt_cox_fit (include/lutetia/stats.h): they
 * take an lt_surv_data (allocated per call, any number of covariates, strata, R's timefix) and
 * cost 64 us for a 106-patient NELMAS trial, against 6 us for lt_sim_two_arm_tests below (2 us
 * inside the simulation, which reuses its buffers): with one binary covariate both tests need
 * only the numbers at risk and the events per arm at each event time. tests/design checks that
 * the two agree to 1e-10 (Z, log HR) on simulated trials, with and without tied times. */

/* An observation packed in 64 bits: the bit pattern of a non-negative double orders like the
 * double itself, so the time's two lowest mantissa bits (a relative 4e-16) are replaced by the
 * event flag and the arm, and sorting integers sorts by time. Times equal once those bits are
 * masked are tied. */
typedef uint64_t obs;

static inline obs obs_pack(double t, int arm, int event)
{
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    return (bits & ~(uint64_t)3) | ((uint64_t)(event != 0) << 1) | (uint64_t)(arm != 0);
}

static inline double obs_time(obs o)
{
    double t;
    o &= ~(uint64_t)3;
    memcpy(&t, &o, sizeof t);
    return t;
}

/* Sorts n keys ascending. Simulated times are continuous, so a bucket pass (2n buckets over
 * [0, max]) leaves the keys almost sorted and a final insertion sort has little to do: about
 * linear time, where a quicksort's mispredicted branches made sorting the largest cost of a
 * simulated trial. Any input is still sorted correctly (skewed times only cost more). */
static const obs *obs_sort(obs *v, size_t n, obs *tmp, uint32_t *count /* 2n + 1 */,
                           double tmax /* an upper bound of the times, or 0: find it */)
{
    obs *out = v;
    if (n < 2) return out;
    if (!(tmax > 0))
        for (size_t i = 0; i < n; i++) {
            double t = obs_time(v[i]);
            if (t > tmax) tmax = t;
        }
    if (tmax > 0 && isfinite(tmax)) {
        /* 2n buckets: survival times crowd the low end, where n buckets would hold several */
        size_t nb = 2 * n;
        double scale = (double)(nb - 1) / tmax;
        memset(count, 0, (nb + 1) * sizeof *count);
        for (size_t i = 0; i < n; i++) count[(size_t)(obs_time(v[i]) * scale) + 1]++;
        for (size_t b = 1; b <= nb; b++) count[b] += count[b - 1];
        for (size_t i = 0; i < n; i++) tmp[count[(size_t)(obs_time(v[i]) * scale)]++] = v[i];
        out = tmp;
    }
    for (size_t i = 1; i < n; i++) {
        obs x = out[i];
        size_t j = i;
        while (j > 0 && x < out[j - 1]) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = x;
    }
    return out;
}

/* One distinct event time: subjects at risk and events per arm. */
typedef struct risk_row {
    double n0, n1, d0, d1;
} risk_row;

/* Collapses sorted observations to distinct event times; at a tied time the censored are
 * still at risk, as in R's survival. Returns the number of rows. Untied rows (all but a few in
 * simulated data) take a branch-free path: a row is always written and kept only for an event,
 * because whether a row is an event cannot be predicted and mispredicted branches (and counts
 * kept in an indexed array) were most of this function's time. */
static size_t risk_table(const obs *v, size_t n, risk_row *rows, double *events0,
                         double *events1, size_t *arm1)
{
    double n1 = 0, e0 = 0, e1 = 0;
    for (size_t i = 0; i < n; i++) n1 += (double)(v[i] & 1);
    *arm1 = (size_t)n1;
    double n0 = (double)n - n1;
    size_t nr = 0;
    for (size_t i = 0; i < n;) {
        uint64_t t = v[i] >> 2;
        if (i + 1 == n || v[i + 1] >> 2 != t) {
            double arm = (double)(v[i] & 1), ev = (double)((v[i] >> 1) & 1);
            rows[nr] = (risk_row){n0, n1, ev * (1 - arm), ev * arm};
            nr += (size_t)((v[i] >> 1) & 1);
            e0 += ev * (1 - arm);
            e1 += ev * arm;
            n0 -= 1 - arm;
            n1 -= arm;
            i++;
            continue;
        }
        double cc0 = 0, cc1 = 0, d0 = 0, d1 = 0; /* a run of tied times */
        size_t j = i;
        for (; j < n && v[j] >> 2 == t; j++) {
            unsigned f = (unsigned)(v[j] & 3);
            cc0 += f == 0;
            cc1 += f == 1;
            d0 += f == 2;
            d1 += f == 3;
        }
        if (d0 + d1 > 0) rows[nr++] = (risk_row){n0, n1, d0, d1};
        e0 += d0;
        e1 += d1;
        n0 -= cc0 + d0;
        n1 -= cc1 + d1;
        i = j;
    }
    *events0 = e0;
    *events1 = e1;
    return nr;
}

/* Log-rank Z (Mantel 1966): (O1 - E1) / sqrt(V) with the hypergeometric variance
 * V = sum d (n0 n1 / n^2) (n - d) / (n - 1). */
static double logrank_z(const risk_row *r, size_t nr)
{
    double o_e = 0, v = 0;
    for (size_t k = 0; k < nr; k++) {
        double n = r[k].n0 + r[k].n1, d = r[k].d0 + r[k].d1;
        o_e += r[k].d1 - d * r[k].n1 / n;
        if (n > 1) v += d * r[k].n0 * r[k].n1 * (n - d) / (n * n * (n - 1));
    }
    return v > 0 ? o_e / sqrt(v) : 0;
}

/* Score and information of the Cox partial likelihood for one binary covariate (the arm) with
 * Efron (1977) ties, from the risk-set counts only: S0 = n0 + n1 e^b, so a Newton step costs
 * one exp and not one per subject. */
static void cox_score(const risk_row *r, size_t nr, double b, double *u, double *info)
{
    double eb = exp(b), U = 0, I = 0;
    for (size_t k = 0; k < nr; k++) {
        double d = r[k].d0 + r[k].d1;
        double s0 = r[k].n0 + r[k].n1 * eb, s1 = r[k].n1 * eb;
        U += r[k].d1;
        if (d == 1) { /* no tie: the common case */
            double m = s1 / s0;
            U -= m;
            I += m - m * m;
            continue;
        }
        double t0 = r[k].d0 + r[k].d1 * eb, t1 = r[k].d1 * eb;
        for (double j = 0; j < d; j++) {
            double f = j / d;
            double m = (s1 - f * t1) / (s0 - f * t0); /* x is 0/1: second moment = first */
            U -= m;
            I += m - m * m;
        }
    }
    *u = U;
    *info = I;
}

/* Newton-Raphson to full convergence: Newton converges quadratically here, so after a
 * full step below 1e-7 the error left is of order 1e-14. The log partial likelihood is concave
 * in b, so a step that makes the score larger in size overshot and is halved. */
static void cox_fit(const risk_row *r, size_t nr, double e0, double e1, double *beta, double *se)
{
    if (e1 == 0 || e0 == 0) { /* the estimate runs off to -inf (or +inf) */
        *beta = e1 == 0 ? -INFINITY : INFINITY;
        *se = INFINITY;
        return;
    }
    /* start from the log-rank one-step estimate (O1 - E1) / V, which is within O(b^3) of the
     * estimate, so Newton needs two or three steps instead of five or six from 0 */
    double o_e = 0, v = 0;
    for (size_t k = 0; k < nr; k++) {
        double n = r[k].n0 + r[k].n1, d = r[k].d0 + r[k].d1;
        o_e += r[k].d1 - d * r[k].n1 / n;
        v += d * r[k].n0 * r[k].n1 / (n * n);
    }
    double b = v > 0 && isfinite(o_e / v) ? o_e / v : 0, u, info;
    cox_score(r, nr, b, &u, &info);
    for (int it = 0; it < 100 && info > 0; it++) {
        double step = u / info, nb = b + step, nu, ninfo;
        cox_score(r, nr, nb, &nu, &ninfo);
        for (int h = 0; h < 40 && !(fabs(nu) <= fabs(u)); h++) {
            step /= 2;
            nb = b + step;
            cox_score(r, nr, nb, &nu, &ninfo);
        }
        bool full = step == u / info;
        b = nb;
        u = nu;
        info = ninfo;
        if (full && fabs(step) < 1e-7) break;
    }
    *beta = b;
    *se = info > 0 ? 1 / sqrt(info) : INFINITY;
}

/* Sorts v (n keys, all <= tmax when tmax > 0; tmp and count are scratch of n and 2n + 1) and
 * runs both tests. */
static lt_status two_arm(obs *v, size_t n, double tmax, obs *tmp, uint32_t *count,
                         risk_row *rows, double *z, double *beta, double *se, lt_error *err)
{
    v = (obs *)obs_sort(v, n, tmp, count, tmax);
    double e0, e1;
    size_t n1;
    size_t nr = risk_table(v, n, rows, &e0, &e1, &n1);
    if (n1 == 0 || n1 == n)
        LT_FAIL(err, LT_ENUMERIC, "arm", "expected subjects in both arms, found %zu of %zu in "
                "arm 1", n1, n);
    if (nr == 0) LT_FAIL(err, LT_ENUMERIC, "event", "expected at least one event, found none");
    *z = logrank_z(rows, nr);
    cox_fit(rows, nr, e0, e1, beta, se);
    return LT_OK;
}

lt_status lt_sim_two_arm_tests(const double *time, const int *event, const int *arm, size_t n,
                               double *z, double *beta, double *se, lt_error *err)
{
    if (n == 0) LT_FAIL(err, LT_EINVAL, "n", "expected at least one subject");
    for (size_t i = 0; i < n; i++)
        if (!(isfinite(time[i]) && time[i] >= 0))
            LT_FAIL(err, LT_EINVAL, "time", "row %zu: expected a time >= 0, found %g", i + 1,
                    time[i]);
    obs *v = malloc(2 * n * sizeof *v);
    uint32_t *count = malloc((2 * n + 1) * sizeof *count);
    risk_row *rows = malloc(n * sizeof *rows);
    if (!v || !rows || !count) {
        free(v);
        free(rows);
        free(count);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory for %zu subjects", n);
    }
    for (size_t i = 0; i < n; i++) v[i] = obs_pack(time[i], arm[i], event[i]);
    double zz, bb, ss;
    lt_status st = two_arm(v, n, 0, v + n, count, rows, &zz, &bb, &ss, err);
    free(v);
    free(rows);
    free(count);
    if (st) return st;
    *z = zz;
    *beta = bb;
    *se = ss;
    return LT_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* One trial */

typedef struct scratch {
    double *entry, *event_cal, *stop_cal, *sel;
    int *arm;
    obs *v, *tmp;
    uint32_t *count;
    risk_row *rows;
} scratch;

static void scratch_free(scratch *w)
{
    free(w->entry);
    free(w->event_cal);
    free(w->stop_cal);
    free(w->sel);
    free(w->arm);
    free(w->v);
    free(w->tmp);
    free(w->count);
    free(w->rows);
}

static bool scratch_alloc(scratch *w, size_t n)
{
    memset(w, 0, sizeof *w);
    w->entry = malloc(n * sizeof *w->entry);
    w->event_cal = malloc(n * sizeof *w->event_cal);
    w->stop_cal = malloc(n * sizeof *w->stop_cal);
    w->sel = malloc(n * sizeof *w->sel);
    w->arm = malloc(n * sizeof *w->arm);
    w->v = malloc(n * sizeof *w->v);
    w->tmp = malloc(n * sizeof *w->tmp);
    w->count = malloc((2 * n + 1) * sizeof *w->count);
    w->rows = malloc(n * sizeof *w->rows);
    if (w->entry && w->event_cal && w->stop_cal && w->sel && w->arm && w->v && w->tmp &&
        w->count && w->rows)
        return true;
    scratch_free(w);
    return false;
}

/* The k-th smallest (0-based) of a[0..n), all in [0, amax]: a histogram over n buckets finds
 * the bucket holding it, and only that bucket's few values are sorted. Linear, with few
 * unpredictable branches, where a quickselect's partitioning mispredicts about half its
 * comparisons. count has n + 1 entries; a is reordered. */
static double select_kth(double *a, size_t n, size_t k, double amax, uint32_t *count)
{
    if (!(amax > 0) || !isfinite(amax)) { /* degenerate: all values 0 */
        double best = a[0];
        for (size_t i = 1; i < n; i++) if (a[i] < best) best = a[i];
        return best;
    }
    double scale = (double)(n - 1) / amax;
    memset(count, 0, (n + 1) * sizeof *count);
    for (size_t i = 0; i < n; i++) count[(size_t)(a[i] * scale)]++;
    size_t b = 0, below = 0;
    while (below + count[b] <= k) below += count[b++];
    size_t m = 0; /* gather bucket b's values at the front */
    for (size_t i = 0; i < n; i++)
        if ((size_t)(a[i] * scale) == b) {
            double t = a[m];
            a[m++] = a[i];
            a[i] = t;
        }
    for (size_t i = 1; i < m; i++) { /* insertion sort of the bucket */
        double x = a[i];
        size_t j = i;
        while (j > 0 && x < a[j - 1]) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
    return a[k - below];
}

typedef struct trial {
    double analysis;   /* calendar month of the analysis */
    long events;       /* events the analysis sees */
    long entered;      /* patients entered by then */
    bool short_of_events;
    size_t nobs;       /* rows in w->v */
} trial;

/* Draws one trial from its own stream: per patient, in entry order, the entry time (uniform
 * accrual only), the event time and the dropout time (when there is dropout). */
static void simulate_trial(const lt_sim_spec *s, const zig_exp *z, uint64_t seed,
                           uint64_t iteration, scratch *w, trial *out)
{
    size_t n = (size_t)s->patients;
    rng g;
    rng_init(&g, seed, iteration);
    size_t block = (size_t)(s->ratio_treatment + s->ratio_control), pos = 0;
    size_t nev = 0;
    double last = 0, evmax = 0, step = s->accrual_months / (double)n;
    bool uniform = s->accrual == LT_ACCRUAL_UNIFORM, dropout = s->dropout_hazard > 0;
    for (size_t j = 0; j < n; j++) {
        /* rpact's allocation: ratio_treatment patients on treatment, then ratio_control on
         * control, repeating */
        int arm = pos < (size_t)s->ratio_treatment;
        if (++pos == block) pos = 0;
        double entry = uniform ? unit_open(rng_next(&g)) * s->accrual_months
                               : (double)(j + 1) * step;
        double t = piecewise_time(arm ? &s->treatment : &s->control, zig_exp_draw(z, &g));
        double drop = dropout ? zig_exp_draw(z, &g) / s->dropout_hazard : INFINITY;
        w->arm[j] = arm;
        w->entry[j] = entry;
        if (t <= drop) {
            w->event_cal[j] = w->stop_cal[j] = entry + t;
            w->sel[nev++] = entry + t;
            if (entry + t > evmax) evmax = entry + t;
        } else {
            w->event_cal[j] = INFINITY;
            w->stop_cal[j] = entry + drop;
        }
    }
    double analysis;
    out->short_of_events = false;
    if (s->events > 0) {
        if (nev >= (size_t)s->events) {
            analysis = select_kth(w->sel, nev, (size_t)s->events - 1, evmax, w->count);
        } else {
            /* every patient has had an event or dropped out: analyse when the last one did */
            for (size_t j = 0; j < n; j++)
                if (isfinite(w->stop_cal[j]) && w->stop_cal[j] > last) last = w->stop_cal[j];
            analysis = last;
            out->short_of_events = true;
        }
    } else {
        analysis = s->analysis_months;
    }
    size_t m = 0;
    long events = 0;
    for (size_t j = 0; j < n; j++) {
        if (w->entry[j] > analysis) continue;
        double admin = analysis - w->entry[j];
        double stop = w->stop_cal[j] - w->entry[j];
        int ev = w->event_cal[j] <= analysis;
        /* an event by the analysis has stop <= admin, so min() is right for every patient */
        w->v[m++] = obs_pack(stop < admin ? stop : admin, w->arm[j], ev);
        events += ev;
    }
    out->analysis = analysis;
    out->events = events;
    out->entered = (long)m;
    out->nobs = m;
}

lt_status lt_sim_one(const lt_sim_spec *s, uint64_t seed, long iteration, double *time,
                     int *event, int *arm, double *analysis_time, lt_error *err)
{
    lt_status st = lt_sim_spec_validate(s, err);
    if (st) return st;
    if (sodium_init() < 0) LT_FAIL(err, LT_EUNSUPPORTED, "", "libsodium could not start");
    scratch w;
    if (!scratch_alloc(&w, (size_t)s->patients))
        LT_FAIL(err, LT_ENOMEM, "", "out of memory for %ld patients", s->patients);
    zig_exp z;
    zig_exp_init(&z);
    trial t;
    simulate_trial(s, &z, seed, (uint64_t)iteration, &w, &t);
    /* report per patient in entry order: recompute from the scratch arrays */
    for (size_t j = 0; j < (size_t)s->patients; j++) {
        arm[j] = w.arm[j];
        if (w.entry[j] > t.analysis) {
            time[j] = -1;
            event[j] = 0;
            continue;
        }
        double admin = t.analysis - w.entry[j], stop = w.stop_cal[j] - w.entry[j];
        event[j] = w.event_cal[j] <= t.analysis;
        time[j] = event[j] ? stop : (stop < admin ? stop : admin);
    }
    *analysis_time = t.analysis;
    scratch_free(&w);
    return LT_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Order statistics of the estimates */

/* Puts the k-th smallest of a[lo, hi) at a[k], smaller ones before it, larger after (Hoare's
 * selection with a median-of-three pivot). */
static void quickselect(double *a, size_t lo, size_t hi, size_t k)
{
    while (hi - lo > 16) {
        double x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi - 1];
        double p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = lo, j = hi - 1;
        for (;;) { /* Hoare: p is in the range, so both scans stop inside it */
            while (a[i] < p) i++;
            while (p < a[j]) j--;
            if (i >= j) break;
            double t = a[i]; a[i] = a[j]; a[j] = t;
            i++;
            j--;
        }
        /* now a[lo, j] <= p <= a[j + 1, hi) */
        if (k <= j) hi = j + 1;
        else lo = j + 1;
    }
    for (size_t i = lo + 1; i < hi; i++) {
        double v = a[i];
        size_t j = i;
        while (j > lo && v < a[j - 1]) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

/* Puts each of the ascending, distinct positions pos[0..npos) (inside [lo, hi)) in place. */
static void multiselect(double *a, size_t lo, size_t hi, const size_t *pos, size_t npos)
{
    while (npos > 0) {
        size_t mid = npos / 2, k = pos[mid];
        quickselect(a, lo, hi, k);
        multiselect(a, lo, k, pos, mid);
        lo = k + 1;
        pos += mid + 1;
        npos -= mid + 1;
    }
}

void lt__multiselect(double *a, size_t n, const size_t *pos, size_t npos)
{
    multiselect(a, 0, n, pos, npos);
}

/* ---------------------------------------------------------------------------------------- */
/* The run: blocks of iterations shared by threads, sums kept per block */

typedef struct block_sums {
    long reject, reject_cox, events, entered, undefined, short_events;
    double duration;
} block_sums;

typedef struct run {
    const lt_sim_spec *s;
    uint64_t seed;
    long iterations;
    long nblocks;
    double z_crit;
    zig_exp zig;
    block_sums *blocks;
    double *log_hr;           /* [iterations] */
    atomic_long next_block;
    atomic_long done;
    atomic_int failed;        /* an allocation failed in a worker */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running;
} run;

static void *worker(void *arg)
{
    run *r = arg;
    scratch w;
    bool ok = scratch_alloc(&w, (size_t)r->s->patients);
    if (!ok) atomic_store(&r->failed, 1);
    for (;;) {
        long b = atomic_fetch_add(&r->next_block, 1);
        if (b >= r->nblocks || !ok) break;
        block_sums bs;
        memset(&bs, 0, sizeof bs);
        long lo = b * BLOCK, hi = lo + BLOCK < r->iterations ? lo + BLOCK : r->iterations;
        for (long i = lo; i < hi; i++) {
            trial t;
            simulate_trial(r->s, &r->zig, r->seed, (uint64_t)i, &w, &t);
            double z = 0, beta = NAN, se = INFINITY;
            /* every observed time is at most the analysis time */
            if (two_arm(w.v, t.nobs, t.analysis, w.tmp, w.count, w.rows, &z, &beta, &se,
                        NULL) != LT_OK) {
                z = 0;
                beta = NAN;
            }
            /* H1 is a lower hazard on treatment: one-sided rejects when Z < -z_crit; two-sided
             * rejects on either side */
            bool rej = r->s->sides == 2 ? fabs(z) > r->z_crit : z < -r->z_crit;
            double wz = isfinite(beta) && isfinite(se) ? beta / se : 0;
            bool rej_cox = r->s->sides == 2 ? fabs(wz) > r->z_crit : wz < -r->z_crit;
            bs.reject += rej;
            bs.reject_cox += rej_cox;
            bs.events += t.events;
            bs.entered += t.entered;
            bs.duration += t.analysis;
            bs.short_events += t.short_of_events;
            if (!isfinite(beta)) bs.undefined++;
            r->log_hr[i] = beta;
        }
        r->blocks[b] = bs;
        atomic_fetch_add(&r->done, hi - lo);
    }
    if (ok) scratch_free(&w);
    pthread_mutex_lock(&r->mu);
    r->running--;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

lt_status lt_sim_run(const lt_sim_spec *s, long iterations, uint64_t seed, int threads,
                     lt_sim_progress progress, void *ctx, lt_sim_result *out, lt_error *err)
{
    lt_status st = lt_sim_spec_validate(s, err);
    if (st) return st;
    if (iterations < 1 || iterations > MAX_ITERATIONS)
        LT_FAIL(err, LT_EINVAL, "iterations", "expected 1 to %d iterations, found %ld",
                MAX_ITERATIONS, iterations);
    if (threads < 0 || threads > 256)
        LT_FAIL(err, LT_EINVAL, "threads", "expected 0 (all CPUs) to 256 threads, found %d",
                threads);
    if (sodium_init() < 0) LT_FAIL(err, LT_EUNSUPPORTED, "", "libsodium could not start");
    if (threads == 0) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        threads = ncpu > 0 ? (int)(ncpu < 256 ? ncpu : 256) : 1;
    }
    run r;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.seed = seed;
    r.iterations = iterations;
    r.nblocks = (iterations + BLOCK - 1) / BLOCK;
    if (threads > r.nblocks) threads = (int)r.nblocks;
    r.z_crit = gsl_cdf_ugaussian_Qinv(s->alpha / s->sides);
    zig_exp_init(&r.zig);
    r.blocks = calloc((size_t)r.nblocks, sizeof *r.blocks);
    r.log_hr = malloc((size_t)iterations * sizeof *r.log_hr);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    if (!r.blocks || !r.log_hr || !tid) {
        free(r.blocks);
        free(r.log_hr);
        free(tid);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory for %ld iterations", iterations);
    }
    atomic_init(&r.next_block, 0);
    atomic_init(&r.done, 0);
    atomic_init(&r.failed, 0);
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);
    int started = 0;
    pthread_mutex_lock(&r.mu);
    for (int t = 0; t < threads; t++) {
        if (pthread_create(&tid[t], NULL, worker, &r) != 0) break;
        started++;
        r.running++;
    }
    /* the calling thread reports progress while the workers run */
    while (r.running > 0) {
        if (progress) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 100000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&r.cv, &r.mu, &ts);
            progress(ctx, atomic_load(&r.done), iterations);
        } else {
            pthread_cond_wait(&r.cv, &r.mu);
        }
    }
    pthread_mutex_unlock(&r.mu);
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    free(tid);
    pthread_mutex_destroy(&r.mu);
    pthread_cond_destroy(&r.cv);
    if (started == 0 || atomic_load(&r.failed) || atomic_load(&r.done) != iterations) {
        free(r.blocks);
        free(r.log_hr);
        if (started == 0) LT_FAIL(err, LT_ENOMEM, "", "could not start a thread");
        LT_FAIL(err, LT_ENOMEM, "", "out of memory in a simulation thread");
    }
    /* reduce in block order: the same sums whatever thread ran which block */
    block_sums tot;
    memset(&tot, 0, sizeof tot);
    for (long b = 0; b < r.nblocks; b++) {
        tot.reject += r.blocks[b].reject;
        tot.reject_cox += r.blocks[b].reject_cox;
        tot.events += r.blocks[b].events;
        tot.entered += r.blocks[b].entered;
        tot.undefined += r.blocks[b].undefined;
        tot.short_events += r.blocks[b].short_events;
        tot.duration += r.blocks[b].duration;
    }
    lt_sim_result res;
    memset(&res, 0, sizeof res);
    double n = (double)iterations;
    res.iterations = iterations;
    res.power = (double)tot.reject / n;
    res.power_se = sqrt(res.power * (1 - res.power) / n);
    res.power_cox = (double)tot.reject_cox / n;
    res.mean_events = (double)tot.events / n;
    res.mean_patients = (double)tot.entered / n;
    res.mean_duration = tot.duration / n;
    res.hr_undefined = tot.undefined;
    res.short_of_events = tot.short_events;
    /* quantiles of the finite HR estimates (R's type 7: x[lo] + (h - lo)(x[lo+1] - x[lo]),
     * h = p (n - 1)) */
    size_t nf = 0;
    double sum_log = 0;
    for (long i = 0; i < iterations; i++)
        if (isfinite(r.log_hr[i])) {
            r.log_hr[nf++] = r.log_hr[i];
            sum_log += r.log_hr[nf - 1];
        }
    if (nf > 0) {
        /* only the order statistics the quantiles use are put in place (a full sort of 10^5
         * estimates took a tenth of the whole run, on one core); interpolation is on the HR
         * scale, as on sorted HRs, since exp is increasing */
        size_t pos[2 * LT_SIM_NQUANTILES], npos = 0;
        for (int q = 0; q < LT_SIM_NQUANTILES; q++) {
            double h = quantile_probs[q] * (double)(nf - 1);
            size_t lo = (size_t)h;
            pos[npos++] = lo;
            if (lo + 1 < nf) pos[npos++] = lo + 1;
        }
        /* sort the positions (with few estimates lo + 1 of one quantile can pass the next lo)
         * and drop repeats */
        for (size_t k = 1; k < npos; k++)
            for (size_t j = k; j > 0 && pos[j] < pos[j - 1]; j--) {
                size_t t = pos[j];
                pos[j] = pos[j - 1];
                pos[j - 1] = t;
            }
        size_t m = 0;
        for (size_t k = 0; k < npos; k++)
            if (m == 0 || pos[k] != pos[m - 1]) pos[m++] = pos[k];
        multiselect(r.log_hr, 0, nf, pos, m);
        for (int q = 0; q < LT_SIM_NQUANTILES; q++) {
            double h = quantile_probs[q] * (double)(nf - 1);
            size_t lo = (size_t)h;
            double xlo = exp(r.log_hr[lo]);
            res.hr_quantiles[q] =
                lo + 1 < nf ? xlo + (h - (double)lo) * (exp(r.log_hr[lo + 1]) - xlo) : xlo;
        }
        res.hr_geometric_mean = exp(sum_log / (double)nf);
    } else {
        for (int q = 0; q < LT_SIM_NQUANTILES; q++) res.hr_quantiles[q] = NAN;
        res.hr_geometric_mean = NAN;
    }
    free(r.blocks);
    free(r.log_hr);
    *out = res;
    return LT_OK;
}
