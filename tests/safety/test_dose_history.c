/* The dose decision as a rule over the patient's history (lt_dosemod_decide_history): every
 * path through the label's table as a sequence of labs, decisions and administrations
 * (withhold, resolve, reduce, recur, a delay of 16 weeks, renal and hepatic changes from
 * baseline), and a property over thousands of seeded random histories: no decision gives
 * more than the label allows after that history (computed here by a separate reading of
 * DOMAIN.md's table), and deciding twice on the same history gives the same answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/safety.h"

static lt_ctcae_table *ctcae;
static lt_dosemod_rules *rules;

#define FULL 7400.0
#define REDUCED 3700.0
#define MAXN 512

/* One patient's history, as the trial store would hold it: male, born 1966-01-01, 80 kg. */
typedef struct hist {
    lt_dose_lab_at labs[MAXN * 12];
    size_t nlabs;
    lt_dose_decided dec[MAXN];
    size_t ndec;
    lt_dose_given given[MAXN];
    size_t ngiven;
    lt_dose_history h;
} hist;

static lt_date day0;

static void hist_init(hist *x)
{
    memset(x, 0, sizeof *x);
    x->h.birth_date = lt_date_from_ymd(1966, 1, 1);
    x->h.sex = LT_SEX_MALE;
    x->h.weight_kg = 80;
    x->h.lab_window_days = 28;
}

static void sync(hist *x)
{
    x->h.labs = x->labs;
    x->h.nlabs = x->nlabs;
    x->h.decisions = x->dec;
    x->h.ndecisions = x->ndec;
    x->h.given = x->given;
    x->h.ngiven = x->ngiven;
}

static void lab(hist *x, int day, const char *analyte, double v, double lln, double uln)
{
    if (x->nlabs < sizeof x->labs / sizeof x->labs[0])
        x->labs[x->nlabs++] = (lt_dose_lab_at){day0 + day, {analyte, v, lln, uln}};
}

/* A full panel (every lab the rules read), normal but for what is given (NAN: normal). */
static void panel(hist *x, int day, double platelets, double neutrophils, double creatinine,
                  double bilirubin)
{
    lab(x, day, "platelets", isnan(platelets) ? 250 : platelets, 150, 400);
    lab(x, day, "neutrophils", isnan(neutrophils) ? 4.0 : neutrophils, 2.0, 7.5);
    lab(x, day, "hemoglobin", 14.0, 13.0, 17.0);
    lab(x, day, "wbc", 6.0, 4.0, 11.0);
    lab(x, day, "lymphocytes", 1.5, 1.0, 4.0);
    lab(x, day, "creatinine", isnan(creatinine) ? 1.0 : creatinine, 0.7, 1.2);
    lab(x, day, "bilirubin", isnan(bilirubin) ? 0.8 : bilirubin, 0.1, 1.2);
    lab(x, day, "alt", 30, 7, 40);
    lab(x, day, "ast", 28, 8, 40);
    lab(x, day, "albumin", 4.0, 3.5, 5.0);
    lab(x, day, "inr", 1.0, 0.8, 1.2);
}

static const lt_dose_given *given_of(const hist *x, int cycle)
{
    for (size_t i = 0; i < x->ngiven; i++)
        if (x->given[i].cycle == cycle) return &x->given[i];
    return NULL;
}

/* The cycle's calendar date: 8 weeks after the previous dose (the label's interval). */
static int target_of(const hist *x, int cycle)
{
    const lt_dose_given *g = cycle > 1 ? given_of(x, cycle - 1) : NULL;
    return g ? (int)(g->date - day0) + 56 : 0;
}

/* Decides and stores the decision, as lt_conduct_decide does. */
static lt_dosemod_decision decide(hist *x, int cycle, int day)
{
    sync(x);
    lt_dosemod_decision d;
    lt_error err;
    lt_date due = LT_DATE_NONE;
    memset(&d, 0, sizeof d);
    d.action = LT_DOSE_UNDETERMINED;
    lt_status st = lt_dosemod_decide_history(rules, ctcae, &x->h, cycle, day0 + day,
                                             day0 + target_of(x, cycle), &d, &due, &err);
    CHECK_MSG(st == LT_OK, "decide: %s: %s", err.where, err.message);
    if (x->ndec < MAXN) {
        lt_dose_decided *s = &x->dec[x->ndec++];
        memset(s, 0, sizeof *s);
        s->cycle = cycle;
        s->date = day0 + day;
        s->first_due = due;
        s->action = d.action;
        s->activity_mbq = d.activity_mbq;
        for (size_t i = 0; i < d.ntoxic; i++)
            snprintf(s->toxic[s->ntoxic++], LT_DOSEMOD_ID_MAX, "%s", d.toxic[i]);
    }
    return d;
}

static void give(hist *x, int cycle, int day, double mbq)
{
    lt_dose_action a = LT_DOSE_UNDETERMINED;
    for (size_t i = 0; i < x->ndec; i++)
        if (x->dec[i].cycle == cycle) a = x->dec[i].action;
    if (x->ngiven < MAXN) x->given[x->ngiven++] = (lt_dose_given){cycle, day0 + day, a, mbq};
}

/* ---- every path as a sequence ------------------------------------------------------------ */

/* A step: L a panel (platelets, neutrophils, creatinine mg/dL, bilirubin mg/dL; 0: normal),
 * D a decision with the expected action and activity, G an administration of mbq. */
typedef struct step {
    char op;
    int cycle, day;
    double plt, neut, creat, bili;
    lt_dose_action want;
    double mbq;
    const char *rule; /* D: a reason the decision must give */
    const char *analyte; /* A: one more result that day (a later one wins): value, lln, uln */
    double value, lln, uln;
} step;

#define L(d, p, n, c, b) {.op = 'L', .day = d, .plt = p, .neut = n, .creat = c, .bili = b}
#define D(c, d, w, m, r) {.op = 'D', .cycle = c, .day = d, .want = w, .mbq = m, .rule = r}
#define G(c, d, m) {.op = 'G', .cycle = c, .day = d, .mbq = m}
#define A(d, a, v, lo, hi) {.op = 'A', .day = d, .analyte = a, .value = v, .lln = lo, .uln = hi}
#define END {.op = 0}
#define OK LT_DOSE_GIVE_FULL
#define RED LT_DOSE_GIVE_REDUCED
#define WH LT_DOSE_WITHHOLD
#define STOP LT_DOSE_DISCONTINUE

/* cycle 1 at full activity on day 2 after a normal panel (the baseline) */
#define START L(0, 0, 0, 0, 0), D(1, 1, OK, FULL, "no_toxicity"), G(1, 2, FULL)

static const struct {
    const char *name;
    step s[24];
} cases[] = {
    {"withheld for platelets 62 (G2): 3.7 GBq on every decision after recovery, then 7.4",
     {START, L(55, 62, 0, 0, 0), D(2, 56, WH, 0, "thrombocytopenia"),
      D(2, 56, WH, 0, "thrombocytopenia"), L(70, 160, 0, 0, 0), D(2, 71, RED, REDUCED, "resume"),
      D(2, 71, RED, REDUCED, "resume"), D(2, 78, RED, REDUCED, "resume"),
      D(2, 85, RED, REDUCED, "resume"), G(2, 86, REDUCED), L(138, 0, 0, 0, 0),
      D(3, 140, OK, FULL, "return_to_full"), D(3, 140, OK, FULL, "return_to_full"), END}},
    {"recurrence at the reduced dose: discontinue",
     {START, L(55, 62, 0, 0, 0), D(2, 56, WH, 0, NULL), L(70, 160, 0, 0, 0),
      D(2, 71, RED, REDUCED, NULL), G(2, 72, REDUCED), L(125, 45, 0, 0, 0),
      D(3, 128, STOP, 0, "recurrence"), END}},
    {"recurrence after the reduced dose, resolved by the decision: still discontinue",
     {START, L(55, 62, 0, 0, 0), D(2, 56, WH, 0, NULL), L(70, 160, 0, 0, 0),
      D(2, 71, RED, REDUCED, NULL), G(2, 72, REDUCED), L(95, 60, 0, 0, 0),
      L(125, 200, 0, 0, 0), D(3, 128, STOP, 0, "recurrence"), END}},
    {"a different toxicity after the reduced dose is not a recurrence: withhold",
     {START, L(55, 62, 0, 0, 0), D(2, 56, WH, 0, NULL), L(70, 160, 0, 0, 0),
      D(2, 71, RED, REDUCED, NULL), G(2, 72, REDUCED), L(125, 0, 0.8, 0, 0),
      D(3, 128, WH, 0, "neutropenia"), L(135, 0, 0, 0, 0), D(3, 136, RED, REDUCED, "resume"),
      END}},
    {"withheld for another toxicity after a reduced dose, the first one back meanwhile: stop",
     {START, L(55, 62, 0, 0, 0), D(2, 56, WH, 0, NULL), L(70, 160, 0, 0, 0),
      D(2, 71, RED, REDUCED, NULL), G(2, 72, REDUCED), L(125, 0, 0.8, 0, 0),
      D(3, 128, WH, 0, "neutropenia"), L(131, 60, 0, 0, 0), L(135, 0, 0, 0, 0),
      D(3, 136, STOP, 0, "recurrence"), END}},
    {"withheld, resolved after 111 days of delay: 3.7 GBq",
     {START, L(55, 62, 0, 0, 0), D(2, 58, WH, 0, NULL), L(160, 160, 0, 0, 0),
      D(2, 169, RED, REDUCED, "resume"), END}},
    {"withheld 16 weeks (112 days), even if resolved: discontinue",
     {START, L(55, 62, 0, 0, 0), D(2, 58, WH, 0, NULL), L(160, 160, 0, 0, 0),
      D(2, 170, STOP, 0, "delay"), END}},
    {"the delay counts from the calendar date when the first decision came late",
     {START, L(70, 62, 0, 0, 0), D(2, 72, WH, 0, NULL), L(160, 160, 0, 0, 0),
      D(2, 170, STOP, 0, "delay"), END}},
    {"renal: creatinine up 45% from baseline withholds; resolved, 3.7 then 7.4 GBq",
     {START, L(55, 0, 0, 1.45, 0), D(2, 56, WH, 0, "renal"), L(70, 0, 0, 1.1, 0),
      D(2, 71, RED, REDUCED, "resume"), D(2, 72, RED, REDUCED, "resume"), G(2, 73, REDUCED),
      L(126, 0, 0, 1.0, 0), D(3, 129, OK, FULL, "return_to_full"), END}},
    {"renal recurrence at the reduced dose: discontinue",
     {START, L(55, 0, 0, 1.45, 0), D(2, 56, WH, 0, "renal"), L(70, 0, 0, 1.1, 0),
      D(2, 71, RED, REDUCED, NULL), G(2, 73, REDUCED), L(126, 0, 0, 1.5, 0),
      D(3, 129, STOP, 0, "recurrence"), END}},
    {"renal: the baseline is the result before the first dose, not the latest one",
     {START, L(55, 0, 0, 1.2, 0), D(2, 56, OK, FULL, "no_toxicity"), G(2, 57, FULL),
      L(110, 0, 0, 1.45, 0), D(3, 112, WH, 0, "renal"), END}},
    {"renal: Cockcroft-Gault clearance (actual weight: 38 kg) down 52% from baseline",
     {START, L(55, 0, 0, 0, 0), A(55, "weight", 38, NAN, NAN), D(2, 56, WH, 0, "renal"),
      A(60, "weight", 80, NAN, NAN), L(60, 0, 0, 0, 0), D(2, 61, RED, REDUCED, "resume"), END}},
    {"hepatic: albumin below 3.0 g/dL with INR above 1.5 withholds; one alone does not",
     {START, L(55, 0, 0, 0, 0), A(55, "albumin", 2.8, 3.5, 5.0), D(2, 56, OK, FULL, NULL),
      L(57, 0, 0, 0, 0), A(57, "albumin", 2.8, 3.5, 5.0), A(57, "inr", 1.6, 0.8, 1.2),
      D(2, 58, WH, 0, "hepatic"), L(65, 0, 0, 0, 0), D(2, 66, RED, REDUCED, "resume"), END}},
    {"hepatic: bilirubin above 3 x ULN withholds; resolved, 3.7 GBq",
     {START, L(55, 0, 0, 0, 3.7), D(2, 56, WH, 0, "hepatic"), D(2, 60, WH, 0, "hepatic"),
      L(70, 0, 0, 0, 1.0), D(2, 71, RED, REDUCED, "resume"), END}},
    {"a full decision given at 3.6 GBq counts as a reduced dose: toxicity then discontinues",
     {L(0, 0, 0, 0, 0), D(1, 1, OK, FULL, NULL), G(1, 2, 3600), L(55, 62, 0, 0, 0),
      D(2, 56, STOP, 0, "recurrence"), END}},
    {"a reduced decision given at 7.4 GBq still counts as reduced",
     {START, L(55, 62, 0, 0, 0), D(2, 56, WH, 0, NULL), L(70, 160, 0, 0, 0),
      D(2, 71, RED, REDUCED, NULL), G(2, 72, FULL), L(125, 60, 0, 0, 0),
      D(3, 128, STOP, 0, "recurrence"), END}},
    {"platelets grade 1 after the reduced dose is no recurrence",
     {START, L(55, 62, 0, 0, 0), D(2, 56, WH, 0, NULL), L(70, 160, 0, 0, 0),
      D(2, 71, RED, REDUCED, NULL), G(2, 72, REDUCED), L(100, 120, 0, 0, 0),
      L(125, 0, 0, 0, 0), D(3, 128, OK, FULL, "return_to_full"), END}},
};

static bool has_reason(const lt_dosemod_decision *d, const char *rule)
{
    for (size_t i = 0; i < d->nreasons; i++)
        if (!strcmp(d->reasons[i].rule, rule)) return true;
    return false;
}

static void test_sequences(void)
{
    static hist x;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        hist_init(&x);
        for (const step *s = cases[c].s; s->op; s++) {
            if (s->op == 'L')
                panel(&x, s->day, s->plt ? s->plt : NAN, s->neut ? s->neut : NAN,
                      s->creat ? s->creat : NAN, s->bili ? s->bili : NAN);
            else if (s->op == 'A')
                lab(&x, s->day, s->analyte, s->value, s->lln, s->uln);
            else if (s->op == 'G')
                give(&x, s->cycle, s->day, s->mbq);
            else {
                lt_dosemod_decision d = decide(&x, s->cycle, s->day);
                CHECK_MSG(d.action == s->want && d.activity_mbq == s->mbq,
                          "%s: cycle %d day %d: %s %.0f, expected %s %.0f (%s)", cases[c].name,
                          s->cycle, s->day, lt_dose_action_name(d.action), d.activity_mbq,
                          lt_dose_action_name(s->want), s->mbq,
                          d.nreasons ? d.reasons[d.nreasons - 1].text : "");
                if (s->rule)
                    CHECK_MSG(has_reason(&d, s->rule), "%s: day %d: no reason '%s'",
                              cases[c].name, s->day, s->rule);
            }
        }
    }
}

/* ---- the property over random histories -------------------------------------------------- */

/* xorshift64*: seeded, so a failure names the history that shows it */
static uint64_t rng;
static uint32_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}
static int below(int n) { return (int)(next() % (uint32_t)n); }

/* DOMAIN.md's table read separately from the implementation, for the two toxicities the
 * random panels vary: platelets decreased G2-4 (LLN 150: below 75) and neutrophils decreased
 * G3-4 (below 1.0). Panels are the only labs; each history keeps them within the 28 days. */
typedef struct ref_panel {
    int day;
    double plt, neut;
} ref_panel;

enum { T_PLT = 1, T_NEUT = 2 };
static int tox(const ref_panel *p)
{
    return (p->plt < 75 ? T_PLT : 0) | (p->neut < 1.0 ? T_NEUT : 0);
}

typedef struct ref {
    ref_panel p[MAXN];
    size_t np;
    struct {
        int cycle, day, toxic;
        lt_dose_action action;
    } d[MAXN];
    size_t nd;
} ref;

static const ref_panel *latest(const ref *r, int day)
{
    const ref_panel *best = NULL;
    for (size_t i = 0; i < r->np; i++)
        if (r->p[i].day <= day) best = &r->p[i];
    return best;
}

/* The most the label allows for `cycle` on `day` after the history (0: nothing). */
static double label_bound(const ref *r, const hist *x, int cycle, int day)
{
    const ref_panel *now = latest(r, day);
    if (!now || tox(now)) return 0; /* withhold (or discontinue) */
    bool withheld = false;
    int first = -1;
    for (size_t i = 0; i < r->nd; i++)
        if (r->d[i].cycle == cycle) {
            if (first < 0) first = r->d[i].day;
            if (r->d[i].action == LT_DOSE_WITHHOLD) withheld = true;
        }
    int target = target_of(x, cycle);
    first = first < 0 ? (target < day ? target : day) : (target < first ? target : first);
    const lt_dose_given *prev = cycle > 1 ? given_of(x, cycle - 1) : NULL;
    if (prev && (prev->decided == LT_DOSE_GIVE_REDUCED || prev->administered_mbq < 5550)) {
        /* why it was reduced: the toxicities at the withhold decisions of the latest
         * withheld cycle; none known: any toxicity counts */
        int why = 0;
        for (int c = cycle - 1; c >= 1 && !why; c--)
            for (size_t i = 0; i < r->nd; i++)
                if (r->d[i].cycle == c && r->d[i].action == LT_DOSE_WITHHOLD) why |= r->d[i].toxic;
        if (!why) why = T_PLT | T_NEUT;
        int pd = (int)(prev->date - day0);
        for (size_t i = 0; i < r->np; i++)
            if (r->p[i].day > pd && r->p[i].day < day && (tox(&r->p[i]) & why))
                return 0; /* "recurrence at the reduced dose": discontinue, even when this
                             cycle was withheld for another toxicity that has resolved */
    }
    if (withheld && day - first >= 112) return 0; /* "delay >= 16 weeks": discontinue */
    if (withheld) return REDUCED;                  /* "resume at 3.7 GBq" */
    return FULL; /* a reduced dose without recurrence returns to 7.4 GBq */
}

static void test_property(void)
{
    static const double plts[] = {250, 120, 70, 40, 20}; /* grades 0-4 with LLN 150 */
    static const double neuts[] = {4.0, 1.8, 1.2, 0.8, 0.3};
    static hist x;
    static ref r;
    const int histories = 4000;
    long decisions = 0, over = 0, differ = 0, unstable = 0, gave_reduced = 0, stopped = 0;
    for (int n = 0; n < histories; n++) {
        rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)(n + 1) * 0xD1B54A32D192ED03ULL;
        hist_init(&x);
        memset(&r, 0, sizeof r);
        int day = 0;
        bool done = false;
        for (int cycle = 1; cycle <= 4 && !done; cycle++) {
            int target = target_of(&x, cycle);
            if (day < target - 14) day = target - 14 + below(14);
            for (int tries = 0; tries < 8 && !done; tries++) {
                /* sometimes a blood count between decisions: what a reduced dose resulted
                 * in shows there even when it has resolved by the next decision */
                if (below(3) == 0) {
                    ref_panel q = {day, plts[below(5)], neuts[below(10) < 7 ? 0 : below(5)]};
                    if (r.np < MAXN) r.p[r.np++] = q;
                    panel(&x, day, q.plt, q.neut, NAN, NAN);
                    day += 1 + below(7);
                }
                /* the panel before a decision: mostly normal, sometimes toxic */
                ref_panel p = {day, plts[below(10) < 6 ? 0 : below(5)],
                               neuts[below(10) < 8 ? 0 : below(5)]};
                if (r.np < MAXN) r.p[r.np++] = p;
                panel(&x, day, p.plt, p.neut, NAN, NAN);
                int dday = day + below(4);
                double bound = label_bound(&r, &x, cycle, dday);
                lt_dosemod_decision d = decide(&x, cycle, dday);
                const ref_panel *now = latest(&r, dday);
                if (r.nd < MAXN) {
                    r.d[r.nd].cycle = cycle;
                    r.d[r.nd].day = dday;
                    r.d[r.nd].toxic = now ? tox(now) : 0;
                    r.d[r.nd++].action = d.action;
                }
                decisions++;
                if (d.activity_mbq > bound) {
                    if (over++ < 5)
                        printf("history %d cycle %d day %d: %s %.0f MBq, the label allows %.0f\n",
                               n, cycle, dday, lt_dose_action_name(d.action), d.activity_mbq,
                               bound);
                }
                if (d.activity_mbq != bound && differ++ < 5)
                    printf("history %d cycle %d day %d: %s %.0f MBq, the label gives %.0f\n", n,
                           cycle, dday, lt_dose_action_name(d.action), d.activity_mbq, bound);
                /* deciding again on the same history, any number of times */
                for (int k = 0, again = 1 + below(3); k < again; k++) {
                    lt_dosemod_decision e = decide(&x, cycle, dday);
                    if (e.action != d.action || e.activity_mbq != d.activity_mbq) {
                        if (unstable++ < 5)
                            printf("history %d cycle %d day %d: %s, then %s deciding again\n", n,
                                   cycle, dday, lt_dose_action_name(d.action),
                                   lt_dose_action_name(e.action));
                    }
                    if (r.nd < MAXN) {
                        r.d[r.nd] = r.d[r.nd - 1];
                        r.nd++;
                    }
                }
                day = dday + 1 + below(10);
                if (d.action == LT_DOSE_DISCONTINUE) {
                    stopped++;
                    done = true;
                } else if (d.action == LT_DOSE_GIVE_FULL || d.action == LT_DOSE_GIVE_REDUCED) {
                    if (below(5) == 0) continue; /* not given yet: labs and a decision again */
                    gave_reduced += d.action == LT_DOSE_GIVE_REDUCED;
                    /* what was given scatters, sometimes far from the decision */
                    double f = below(4) ? 0.9 + below(21) / 100.0 : 0.4 + below(90) / 100.0;
                    give(&x, cycle, dday + 1, d.activity_mbq * f);
                    day = dday + 2 + below(30);
                    break;
                } else if (d.action == LT_DOSE_UNDETERMINED) {
                    done = true;
                }
            }
        }
    }
    printf("%d histories, %ld decisions (%ld reduced doses given, %ld discontinued)\n",
           histories, decisions, gave_reduced, stopped);
    CHECK_MSG(over == 0, "%ld decisions above what the label allows", over);
    CHECK_MSG(differ == 0, "%ld decisions differ from the label's", differ);
    CHECK_MSG(unstable == 0, "%ld decisions changed when taken again on the same history",
              unstable);
    /* the histories reach the paths the property is about */
    CHECK(decisions > 3 * histories && gave_reduced > 100 && stopped > 100);
}

int main(void)
{
    char path[4096];
    lt_error err;
    const char *src = getenv("SRC") ? getenv("SRC") : ".";
    day0 = lt_date_from_ymd(2026, 1, 5);
    snprintf(path, sizeof path, "%s/data/ctcae-v5-lab.json", src);
    CHECK_MSG(lt_ctcae_load(path, &ctcae, &err) == LT_OK, "%s: %s", err.where, err.message);
    snprintf(path, sizeof path, "%s/data/lutathera-dose-modification.json", src);
    CHECK_MSG(lt_dosemod_load(path, &rules, &err) == LT_OK, "%s: %s", err.where, err.message);
    if (ctcae && rules) {
        test_sequences();
        test_property();
        /* bad calls fail cleanly */
        static hist x;
        hist_init(&x);
        sync(&x);
        lt_dosemod_decision d;
        CHECK(lt_dosemod_decide_history(rules, ctcae, &x.h, 0, day0, LT_DATE_NONE, &d, NULL,
                                        &err) == LT_EINVAL);
        CHECK(lt_dosemod_decide_history(rules, ctcae, &x.h, 1, LT_DATE_NONE, LT_DATE_NONE, &d,
                                        NULL, &err) == LT_EINVAL);
        CHECK(lt_dosemod_decide_history(rules, NULL, &x.h, 1, day0, LT_DATE_NONE, &d, NULL,
                                        &err) == LT_EINVAL);
    }
    lt_ctcae_free(ctcae);
    lt_dosemod_free(rules);
    return lt_test_done();
}
