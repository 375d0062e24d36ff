/* A withheld cycle in the calendar (docs/protocol-format.md, "Withheld cycles"), as a seeded
 * property over many random dose histories of the three protocol files' Lutathera arms:
 * - no entry falls before what it depends on: a re-check after its decision, an entry after
 *   the date it may not precede, an entry hanging on a cycle keeps its offset from it;
 * - a withheld cycle not given is never planned before its decision (or the decision to give
 *   that followed) nor after the limit of the protocol's delay, else it says to discontinue;
 * - without a decision to withhold the calendar is byte for byte the one without decisions
 *   (lt_schedule_compute_records, the calendar as it was before withholds moved it);
 * - bad decisions (a visit, no date) are refused with the entry named.
 * The histories come from a fixed seed: the same 1,500 every run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"

#define HISTORIES 1500
#define MAXD 64

static lt_date D(const char *s)
{
    lt_date d = LT_DATE_NONE;
    lt_date_parse(s, false, &d);
    return d;
}

/* splitmix64 (Steele, Lea and Flood 2014): a small seeded generator of the test's own */
static uint64_t rng_state = 0x5EEDC0DE12ULL;
static uint64_t next64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static int pick(int lo, int hi) /* lo..hi inclusive */
{
    return lo + (int)(next64() % (uint64_t)(hi - lo + 1));
}

static lt_schedule *protocol_schedule(const char *name)
{
    const char *src = getenv("SRC");
    char path[512];
    snprintf(path, sizeof path, "%s/protocols/%s.json", src ? src : ".", name);
    char *text = NULL;
    size_t len = 0;
    lt_error err;
    lt_schedule *s = NULL;
    lt_json *doc = NULL;
    CHECK_MSG(lt_file_read(path, &text, &len, &err) == LT_OK, "%s: %s", path, err.message);
    if (!text) return NULL;
    CHECK_INT(lt_json_parse(text, len, path, &doc, &err), LT_OK);
    free(text);
    const char *ids[8];
    size_t n = 0;
    for (const lt_json *m = lt_json_first(lt_json_get(doc, "arms")); m && n < 8;
         m = lt_json_next(m))
        ids[n++] = lt_json_key(m);
    CHECK_MSG(lt_schedule_parse(lt_json_get(doc, "schedule"), path, ids, n, &s, &err) == LT_OK,
              "%s: %s", err.where, err.message);
    lt_json_free(doc);
    return s;
}

static const lt_visit *find(const lt_calendar *c, const char *id)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (!strcmp(c->visits[i].id, id)) return &c->visits[i];
    return NULL;
}

static char *json_of(const lt_calendar *c)
{
    lt_buf b = LT_BUF_INIT;
    lt_calendar_to_json(c, &b);
    char *s = strdup(lt_buf_str(&b));
    lt_buf_free(&b);
    return s;
}

typedef struct trial_arm {
    const char *protocol, *arm;
    int cycles;
    bool resection; /* NELMAS: the calendar hangs on the liver resection */
} trial_arm;

/* One random history: anchors, cycles given (actual dates), decisions, an as-of date. */
typedef struct history {
    lt_named_date anchors[2];
    size_t nanchors;
    lt_sched_actual actuals[8];
    char actual_ids[8][16];
    size_t nactuals;
    lt_sched_decision dec[MAXD];
    char dec_ids[MAXD][16];
    size_t ndec;
    int withholds;
    lt_date as_of;
} history;

/* The cycles in order: C1 given near its target (sometimes decided to give first); for each
 * later cycle 0-4 withholds a week to five apart from near its target, then perhaps a decision
 * to give and perhaps its administration; a cycle not given ends the history. Dates are drawn
 * from the calendar as it stands, so they follow the windows a site would see. */
static void draw(const lt_schedule *s, const trial_arm *ta, history *h)
{
    memset(h, 0, sizeof *h);
    lt_date base = D("2025-01-06") + pick(0, 600);
    if (ta->resection) {
        h->anchors[h->nanchors++] = (lt_named_date){"liver_resection", base};
        h->anchors[h->nanchors++] = (lt_named_date){"randomisation", base + pick(21, 40)};
    } else {
        h->anchors[h->nanchors++] = (lt_named_date){"randomisation", base};
    }
    lt_date last = base;
    for (int k = 1; k <= ta->cycles; k++) {
        lt_schedule_input in = {ta->arm,     h->anchors, h->nanchors, h->actuals,
                                h->nactuals, NULL,       0,           LT_DATE_NONE};
        lt_calendar *c = NULL;
        lt_error err;
        if (lt_schedule_compute(s, &in, &c, &err) != LT_OK) break;
        char id[16];
        snprintf(id, sizeof id, "C%d", k % 10);
        const lt_visit *v = find(c, id);
        lt_date target = v ? v->target : LT_DATE_NONE;
        lt_calendar_free(c);
        if (target == LT_DATE_NONE) break;
        lt_date d = target - pick(0, 10);
        if (d <= last) d = last + 1;
        int holds = k == 1 ? (pick(0, 9) == 0) : pick(0, 4) * (pick(0, 2) > 0);
        for (int i = 0; i < holds && h->ndec < MAXD - 2; i++) {
            snprintf(h->dec_ids[h->ndec], sizeof h->dec_ids[0], "%s", id);
            h->dec[h->ndec] = (lt_sched_decision){h->dec_ids[h->ndec], d, LT_SCHED_DECIDED_WITHHOLD,
                                                  "platelets grade 2"};
            h->ndec++;
            h->withholds++;
            last = d;
            d += pick(i ? 7 : 0, 35);
        }
        bool give = pick(0, 9) < 8;
        if (give && h->ndec < MAXD) {
            if (d < last) d = last;
            snprintf(h->dec_ids[h->ndec], sizeof h->dec_ids[0], "%s", id);
            h->dec[h->ndec] =
                (lt_sched_decision){h->dec_ids[h->ndec], d, LT_SCHED_DECIDED_GIVE, NULL};
            h->ndec++;
            last = d;
        }
        if (!give || pick(0, 9) < 2) break; /* decided (or not) and not given yet */
        lt_date a = last + pick(0, 6);
        snprintf(h->actual_ids[h->nactuals], sizeof h->actual_ids[0], "%s", id);
        h->actuals[h->nactuals] =
            (lt_sched_actual){h->actual_ids[h->nactuals], a, holds ? "toxicity" : NULL};
        h->nactuals++;
        last = a;
    }
    h->as_of = pick(0, 4) ? last + pick(-20, 200) : LT_DATE_NONE;
}

static int failures_before;
static void property(const lt_schedule *s, const trial_arm *ta, int n, int *seen_withheld,
                     int *seen_discontinue, int *seen_identical)
{
    for (int r = 0; r < n; r++) {
        history h;
        draw(s, ta, &h);
        lt_schedule_input in = {ta->arm,    h.anchors, h.nanchors, h.actuals,
                                h.nactuals, NULL,      0,          h.as_of};
        lt_calendar *c0 = NULL, *c1 = NULL;
        lt_error err;
        CHECK_MSG(lt_schedule_compute_records(s, &in, NULL, 0, &c0, &err) == LT_OK, "%s",
                  err.message);
        CHECK_MSG(lt_schedule_compute_decided(s, &in, NULL, 0, h.dec, h.ndec, &c1, &err) == LT_OK,
                  "%s %d: %s", ta->protocol, r, err.message);
        if (!c0 || !c1) {
            lt_calendar_free(c0);
            lt_calendar_free(c1);
            continue;
        }
        failures_before = lt_test_failed;
        if (!h.withholds) {
            char *j0 = json_of(c0), *j1 = json_of(c1);
            CHECK_MSG(j0 && j1 && !strcmp(j0, j1),
                      "%s history %d: no withhold, yet the calendar differs from the one "
                      "without decisions",
                      ta->protocol, r);
            free(j0);
            free(j1);
            (*seen_identical)++;
        }
        for (size_t i = 0; i < c1->n; i++) {
            const lt_visit *v = &c1->visits[i];
            if (v->status == LT_VISIT_CANCELLED || v->target == LT_DATE_NONE) continue;
            CHECK_MSG(v->earliest <= v->target && v->target <= v->latest,
                      "%s history %d: %s's window does not hold its target", ta->protocol, r,
                      v->id);
            /* nothing before what it may not precede (the decision, the cycle it follows) */
            if (v->not_before != LT_DATE_NONE)
                CHECK_MSG(v->earliest >= v->not_before, "%s history %d: %s opens before %s",
                          ta->protocol, r, v->id, v->not_before_by ? v->not_before_by : "?");
            /* an entry hanging on a cycle keeps its offset from the cycle's date */
            const lt_visit *a = find(c1, v->anchor), *v0 = find(c0, v->id);
            if (a && a->kind == LT_SCHED_TREATMENT && v0 && v0->anchor_date != LT_DATE_NONE &&
                !v->clamped && !v0->clamped && strstr(v->id, ".recheck.") == NULL &&
                v->withheld == LT_DATE_NONE && v->anchor_date != LT_DATE_NONE) {
                /* the same offset: in days, or in calendar months (whose length varies by
                 * up to 3 days with the month the anchor moved to) */
                lt_date ad = a->actual != LT_DATE_NONE ? a->actual : a->target;
                int off = v->target - ad, off0 = v0->target - v0->anchor_date;
                CHECK_MSG(v->anchor_date == ad && abs(off - off0) <= (abs(off0) >= 28 ? 3 : 0),
                          "%s history %d: %s does not follow %s (%d days from it, %d without "
                          "decisions)",
                          ta->protocol, r, v->id, a->id, off, off0);
            }
            if (strstr(v->id, ".recheck.")) {
                CHECK_MSG(v->earliest > v->anchor_date,
                          "%s history %d: %s opens on or before its decision", ta->protocol, r,
                          v->id);
            }
        }
        /* each withheld cycle not given: from its decision to the limit, or discontinue */
        for (size_t i = 0; i < c1->n; i++) {
            const lt_visit *v = &c1->visits[i], *v0 = find(c0, v->id);
            bool held = false;
            lt_date from = LT_DATE_NONE;
            for (size_t k = 0; k < h.ndec; k++)
                if (!strcmp(h.dec[k].id, v->id)) {
                    if (h.dec[k].action == LT_SCHED_DECIDED_WITHHOLD) held = true;
                    if (held) from = h.dec[k].date; /* sorted by date as drawn */
                }
            if (!held) {
                CHECK_MSG(v->withheld == LT_DATE_NONE, "%s history %d: %s withheld by nothing",
                          ta->protocol, r, v->id);
                continue;
            }
            (*seen_withheld)++;
            CHECK_MSG(v->withheld != LT_DATE_NONE, "%s history %d: %s withheld but not shown",
                      ta->protocol, r, v->id);
            if (v->actual != LT_DATE_NONE || !v0 || v0->latest_delayed == LT_DATE_NONE ||
                v->anchor_date == LT_DATE_NONE)
                continue;
            lt_date limit = v->anchor_date + (v0->latest_delayed - v0->anchor_date);
            bool past = from > limit || (h.as_of != LT_DATE_NONE && h.as_of > limit);
            if (past) {
                (*seen_discontinue)++;
                CHECK_MSG(v->status == LT_VISIT_CANCELLED && v->discontinue && v->note &&
                              strstr(v->note, "discontinue per label"),
                          "%s history %d: %s past its limit does not say to discontinue",
                          ta->protocol, r, v->id);
                continue;
            }
            CHECK_MSG(v->earliest >= from && v->target >= from,
                      "%s history %d: withheld %s planned before its decision", ta->protocol, r,
                      v->id);
            CHECK_MSG(v->latest <= limit && v->target <= limit,
                      "%s history %d: withheld %s planned after the limit", ta->protocol, r, v->id);
        }
        if (lt_test_failed > failures_before) {
            printf("  history %d of %s: as of %d; decisions:", r, ta->protocol, (int)h.as_of);
            for (size_t k = 0; k < h.ndec; k++)
                printf(" %s %s %d;", h.dec[k].id,
                       h.dec[k].action == LT_SCHED_DECIDED_WITHHOLD ? "withhold" : "give",
                       (int)h.dec[k].date);
            printf("\n");
            lt_calendar_free(c0);
            lt_calendar_free(c1);
            return; /* one failing history is enough to read */
        }
        lt_calendar_free(c0);
        lt_calendar_free(c1);
    }
}

/* Bad decisions are refused with the entry named; nothing is computed. */
static void refusals(const lt_schedule *s)
{
    lt_named_date an[] = {{"liver_resection", D("2025-09-10")}, {"randomisation", D("2025-10-10")}};
    lt_schedule_input in = {"B", an, 2, NULL, 0, NULL, 0, LT_DATE_NONE};
    static const struct {
        lt_sched_decision d;
        const char *arm, *msg;
    } cases[] = {
        {{"safety_C1", 20000, LT_SCHED_DECIDED_WITHHOLD, NULL}, "B", "not a treatment cycle"},
        {{"C9", 20000, LT_SCHED_DECIDED_WITHHOLD, NULL}, "B", "\"C9\", which is not a treatment"},
        {{"C2", LT_DATE_NONE, LT_SCHED_DECIDED_WITHHOLD, NULL}, "B", "has no date"},
        {{"C2", 20000, LT_SCHED_DECIDED_WITHHOLD, NULL}, "A", "not in the calendar of arm A"},
        {{NULL, 20000, LT_SCHED_DECIDED_GIVE, NULL}, "B", "without an entry id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_calendar *c = NULL;
        lt_error err;
        in.arm = cases[i].arm;
        CHECK_INT(lt_schedule_compute_decided(s, &in, NULL, 0, &cases[i].d, 1, &c, &err),
                  LT_EINVAL);
        CHECK_MSG(c == NULL && strstr(err.message, cases[i].msg), "case %zu: %s", i, err.message);
        lt_calendar_free(c);
    }
}

/* The rule as data: a misspelt or impossible delay.withheld is refused at its path. */
static void rule_errors(void)
{
    static const struct {
        const char *withheld, *where, *msg;
    } cases[] = {
        {"{\"recheck\": {\"weeks\": 2}, \"labs\": {\"before\": {\"days\": 3}, \"after\": "
         "{\"days\": 0}}, \"recheks\": 1}",
         ".items.C2.delay.withheld.recheks", "unknown member"},
        {"{\"recheck\": {\"weeks\": 2}, \"labs\": {\"before\": {\"weeks\": 2}, \"after\": "
         "{\"days\": 0}}}",
         ".items.C2.delay.withheld.labs.before", "after the decision"},
        {"{\"recheck\": {\"weeks\": 16}, \"labs\": {\"before\": {\"days\": 3}, \"after\": "
         "{\"days\": 0}}}",
         ".items.C2.delay.withheld.recheck", "shorter than the maximum delay"},
        {"{\"recheck\": {\"weeks\": 2}}", ".items.C2.delay.withheld.labs", "expected {\"before\""},
        {"{\"recheck\": {\"weeks\": 2}, \"labs\": {\"before\": {\"days\": 3}, \"after\": "
         "{\"days\": 0}}, \"analytes\": [\"platelet\"]}",
         ".items.C2.delay.withheld.analytes[0]", "found \"platelet\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "{\"anchors\": {\"randomisation\": {\"label\": \"R\"}}, \"items\": {"
                 "\"C1\": {\"kind\": \"treatment\", \"label\": \"C1\", \"anchor\": "
                 "\"randomisation\", \"offset\": {\"weeks\": 2}, \"window\": {\"before\": "
                 "{\"weeks\": 1}, \"after\": {\"weeks\": 1}}},"
                 "\"C2\": {\"kind\": \"treatment\", \"label\": \"C2\", \"anchor\": \"C1\", "
                 "\"offset\": {\"weeks\": 8}, \"window\": {\"before\": {\"weeks\": 1}, "
                 "\"after\": {\"weeks\": 1}}, \"delay\": {\"max\": {\"weeks\": 16}, \"reason\": "
                 "\"toxicity\", \"withheld\": %s}}}}",
                 cases[i].withheld);
        lt_json *j = NULL;
        lt_schedule *s = NULL;
        lt_error err;
        CHECK_INT(lt_json_parse(text, strlen(text), "t", &j, &err), LT_OK);
        CHECK_INT(lt_schedule_parse(j, "t", NULL, 0, &s, &err), LT_ESCHEMA);
        char want[256];
        snprintf(want, sizeof want, "t%s", cases[i].where);
        CHECK_MSG(s == NULL && !strcmp(err.where, want) && strstr(err.message, cases[i].msg),
                  "case %zu: %s: %s", i, err.where, err.message);
        lt_schedule_free(s);
        lt_json_free(j);
    }
}

int main(void)
{
    static const trial_arm arms[] = {
        {"nelmas", "B", 2, true},
        {"nct04544098", "A", 4, false},
        {"net-retreat", "1", 2, false},
    };
    int withheld = 0, discontinue = 0, identical = 0;
    for (size_t i = 0; i < sizeof arms / sizeof arms[0]; i++) {
        lt_schedule *s = protocol_schedule(arms[i].protocol);
        if (!s) continue;
        property(s, &arms[i], HISTORIES / 3, &withheld, &discontinue, &identical);
        if (i == 0) refusals(s);
        lt_schedule_free(s);
    }
    rule_errors();
    /* the histories reach every case the properties speak of */
    CHECK_MSG(withheld > 300 && discontinue > 20 && identical > 200,
              "too few cases: %d withheld cycles, %d past the limit, %d without a withhold",
              withheld, discontinue, identical);
    printf("%d histories: %d withheld cycles, %d past the limit, %d without a withhold\n",
           HISTORIES, withheld, discontinue, identical);
    return lt_test_done();
}
