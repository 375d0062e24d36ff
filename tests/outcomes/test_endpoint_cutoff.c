/* Endpoint derivation at the edges of follow-up, over many seeded random patient histories:
 * events, RECIST progressions, assessments, censoring events and contacts placed on, just
 * before and just after the data cutoff, each row checked against the rule written out
 * independently below (docs/outcomes-format.md, "Endpoints"):
 * - follow-up ends at the cutoff and at the first censor_at event on or after the origin
 *   (whichever is earlier; a censoring event on the cutoff day leaves the reason "cutoff");
 * - the first endpoint event on or before that end is the event (an event on the cutoff day,
 *   or on the censoring day, counts); a RECIST 1.1 progression counts at its assessment date;
 * - otherwise tumour endpoints are censored at the last assessment on or before the end (the
 *   origin, "no_assessment", without one), and the others at the last date known alive,
 *   brought back to the end when it lies beyond it.
 * Mutation testing found that no test placed anything exactly on the cutoff (issue 8, 11). */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/outcomes.h"

static const char *ENDPOINTS =
    "{\"DFS\": {\"origin\": \"liver_resection\", \"events\": [\"recurrence\", \"death\"]},"
    " \"OS\": {\"origin\": \"liver_resection\", \"events\": [\"death\"]},"
    " \"PFS\": {\"origin\": \"randomisation\", \"events\": [\"progression\", \"death\"],"
    "   \"censor_at\": [\"next_therapy\"]},"
    " \"EFS\": {\"origin\": \"liver_resection\", \"events\": [\"recurrence\", \"death\"],"
    "   \"censor_at\": [\"next_therapy\"], \"censor\": \"last_contact\"},"
    " \"TTNT\": {\"origin\": \"liver_resection\", \"events\": [\"next_therapy\"],"
    "   \"censor\": \"last_assessment\"}}";

enum { RECURRENCE, PROGRESSION, DEATH, NEXT_THERAPY, NTYPES };
static const char *const type_names[NTYPES] = {"recurrence", "progression", "death",
                                               "next_therapy"};

/* one endpoint, as the rule above reads it */
typedef struct spec {
    const char *id;
    bool events[NTYPES], censor_at[NTYPES];
    bool last_assessment;
    bool recist; /* progression is an event: RECIST progressions count */
} spec;

static const spec specs[] = {
    {"DFS", {[RECURRENCE] = 1, [DEATH] = 1}, {0}, true, false},
    {"OS", {[DEATH] = 1}, {0}, false, false},
    {"PFS", {[PROGRESSION] = 1, [DEATH] = 1}, {[NEXT_THERAPY] = 1}, true, true},
    {"EFS", {[RECURRENCE] = 1, [DEATH] = 1}, {[NEXT_THERAPY] = 1}, false, false},
    {"TTNT", {[NEXT_THERAPY] = 1}, {0}, true, false},
};
#define NSPECS (sizeof specs / sizeof specs[0])

/* a history in days from the origin (both anchors on day 0) */
typedef struct history {
    bool has_cutoff;
    int cutoff;
    int nassess, assess[6]; /* assess[0] is the baseline, before the origin */
    int mm[6];              /* the one target lesion's diameter */
    int nevents, ev_type[8], ev_day[8];
    int nvisits, visit[2];
    bool has_contact;
    int contact;
} history;

static uint64_t rng_state;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int below(int n) { return (int)(rng_next() % (uint64_t)n); }

/* a day that often falls on the cutoff or next to it, where the rules change answer */
static int some_day(const history *h)
{
    if (h->has_cutoff && below(10) < 6) return h->cutoff - 1 + below(3);
    return below((h->has_cutoff ? h->cutoff : 400) + 200);
}

static int cmp_int(const void *a, const void *b)
{
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

static void make_history(history *h)
{
    memset(h, 0, sizeof *h);
    h->has_cutoff = below(5) != 0;
    h->cutoff = 30 + below(500);
    /* follow-up assessments on distinct days after the baseline */
    int n = below(5), days[5];
    for (int i = 0; i < n; i++)
        days[i] = some_day(h);
    qsort(days, (size_t)n, sizeof *days, cmp_int);
    h->assess[0] = -5;
    h->mm[0] = 30;
    h->nassess = 1;
    for (int i = 0; i < n; i++)
        if (days[i] != h->assess[h->nassess - 1]) {
            h->assess[h->nassess] = days[i];
            h->mm[h->nassess++] = below(4) ? 30 : 40; /* 40 mm over a 30 mm nadir: PD */
        }
    for (int t = 0; t < NTYPES; t++)
        for (int k = 0, m = below(3) ? below(2) : 2; k < m; k++) {
            h->ev_type[h->nevents] = t;
            h->ev_day[h->nevents++] = some_day(h);
        }
    h->nvisits = below(3);
    for (int i = 0; i < h->nvisits; i++)
        h->visit[i] = some_day(h);
    h->has_contact = below(2);
    h->contact = some_day(h);
}

static lt_date day(int d) { return lt_date_from_ymd(2026, 1, 10) + d; }

static void put_date(lt_buf *b, int d)
{
    char s[LT_DATE_STR_MAX];
    lt_buf_printf(b, "\"%s\"", lt_date_format(day(d), s));
}

static void to_json(const history *h, lt_buf *b)
{
    lt_buf_printf(b, "{\"id\": \"H\", \"arm\": \"A\", \"anchors\": {\"liver_resection\": ");
    put_date(b, 0);
    lt_buf_printf(b, ", \"randomisation\": ");
    put_date(b, 0);
    lt_buf_printf(b, "}, \"assessments\": [");
    for (int i = 0; i < h->nassess; i++) {
        lt_buf_printf(b, "%s{\"date\": ", i ? ", " : "");
        put_date(b, h->assess[i]);
        lt_buf_printf(b, ", \"lesions\": [{\"id\": \"L1\", %s\"target\": true, \"mm\": %d}]}",
                      i ? "" : "\"organ\": \"liver\", ", h->mm[i]);
    }
    lt_buf_printf(b, "], \"events\": [");
    for (int i = 0; i < h->nevents; i++) {
        lt_buf_printf(b, "%s{\"type\": \"%s\", \"date\": ", i ? ", " : "",
                      type_names[h->ev_type[i]]);
        put_date(b, h->ev_day[i]);
        lt_buf_printf(b, "%s}", h->ev_type[i] == RECURRENCE ? ", \"site\": \"liver\"" : "");
    }
    lt_buf_printf(b, "], \"visits\": {");
    for (int i = 0; i < h->nvisits; i++) {
        lt_buf_printf(b, "%s\"C%d\": ", i ? ", " : "", i + 1);
        put_date(b, h->visit[i]);
    }
    lt_buf_printf(b, "}");
    if (h->has_contact) {
        lt_buf_printf(b, ", \"last_contact\": ");
        put_date(b, h->contact);
    }
    lt_buf_printf(b, "}");
}

/* What the rule says: the end day, the event flag, and the reasons that are right (two event
 * types on the same first day may each be named). */
typedef struct answer {
    int end, event;
    const char *reason[NTYPES];
    int nreasons;
} answer;

static answer expected(const spec *s, const history *h)
{
    long limit = h->has_cutoff ? h->cutoff : LONG_MAX;
    const char *limit_reason = "cutoff";
    for (int i = 0; i < h->nevents; i++)
        if (s->censor_at[h->ev_type[i]] && h->ev_day[i] >= 0 && h->ev_day[i] < limit) {
            limit = h->ev_day[i];
            limit_reason = type_names[h->ev_type[i]];
        }
    answer a = {0};
    long first = LONG_MAX;
    for (int i = 0; i < h->nevents; i++)
        if (s->events[h->ev_type[i]] && h->ev_day[i] <= limit && h->ev_day[i] < first)
            first = h->ev_day[i];
    if (s->recist)
        for (int i = 1; i < h->nassess; i++)
            if (h->mm[i] == 40) {
                if (h->assess[i] <= limit && h->assess[i] < first) first = h->assess[i];
                break;
            }
    if (first != LONG_MAX) {
        a.end = (int)first;
        a.event = 1;
        for (int t = 0; t < NTYPES; t++) {
            bool on = false;
            for (int i = 0; i < h->nevents; i++)
                on |= s->events[t] && h->ev_type[i] == t && h->ev_day[i] == first;
            if (t == PROGRESSION && s->recist)
                for (int i = 1; i < h->nassess; i++)
                    if (h->mm[i] == 40) {
                        on |= h->assess[i] == first;
                        break;
                    }
            if (on) a.reason[a.nreasons++] = type_names[t];
        }
        return a;
    }
    a.nreasons = 1;
    if (s->last_assessment) {
        a.end = 0;
        a.reason[0] = "no_assessment";
        for (int i = 0; i < h->nassess; i++)
            if (h->assess[i] >= 0 && h->assess[i] <= limit && h->assess[i] >= a.end) {
                a.end = h->assess[i];
                a.reason[0] = "last_assessment";
            }
        return a;
    }
    int last = 0;
    for (int i = 0; i < h->nassess; i++)
        if (h->assess[i] > last) last = h->assess[i];
    for (int i = 0; i < h->nevents; i++)
        if (h->ev_day[i] > last) last = h->ev_day[i];
    for (int i = 0; i < h->nvisits; i++)
        if (h->visit[i] > last) last = h->visit[i];
    if (h->has_contact && h->contact > last) last = h->contact;
    a.reason[0] = "last_contact";
    if (last > limit) {
        last = (int)limit;
        a.reason[0] = limit_reason;
    }
    a.end = last;
    return a;
}

/* what the histories put on the cutoff day, counted so that the test cannot quietly stop
 * reaching the cases it was written for */
enum { EVENT_ON_CUTOFF, PD_ON_CUTOFF, ASSESSMENT_ON_CUTOFF, CENSOR_BEFORE_CUTOFF,
       CENSOR_ON_CUTOFF, CENSOR_AFTER_CUTOFF, NCOVER };
static const char *const cover_names[NCOVER] = {
    "an event on the cutoff", "a RECIST progression on the cutoff",
    "an assessment on the cutoff (no event)", "a censoring event before the cutoff",
    "a censoring event on the cutoff", "a censoring event after the cutoff, none before"};

static void test_random_histories(void)
{
    lt_error err;
    lt_json *j = NULL;
    lt_endpoints *e = NULL;
    CHECK_INT(lt_json_parse(ENDPOINTS, strlen(ENDPOINTS), "endpoints", &j, &err), LT_OK);
    CHECK_INT(lt_endpoints_parse(j, "test: endpoints", &e, &err), LT_OK);
    lt_json_free(j);
    if (!e) return;
    int cover[NCOVER] = {0}, shown = 0;
    rng_state = 8;
    for (int n = 0; n < 4000; n++) {
        history h;
        make_history(&h);
        lt_buf b = LT_BUF_INIT;
        to_json(&h, &b);
        lt_json *v = NULL;
        lt_outcome_record *r = NULL;
        if (lt_json_parse(b.p, b.n, "history", &v, &err) != LT_OK ||
            lt_outcome_record_from_json(v, "history", &r, &err) != LT_OK) {
            CHECK_MSG(0, "history %d: %s: %s\n  %s", n, err.where, err.message, lt_buf_str(&b));
            lt_json_free(v);
            lt_buf_free(&b);
            continue;
        }
        for (size_t k = 0; k < NSPECS; k++) {
            const spec *s = &specs[k];
            long ix = lt_endpoints_find(e, s->id);
            answer a = expected(s, &h);
            lt_endpoint_row row;
            lt_status rc = lt_endpoint_derive(e, (size_t)ix, r, h.has_cutoff ? day(h.cutoff)
                                                                            : LT_DATE_NONE,
                                              &row, &err);
            bool reason_ok = false;
            for (int i = 0; rc == LT_OK && i < a.nreasons; i++)
                reason_ok |= !strcmp(row.reason, a.reason[i]);
            bool ok = rc == LT_OK && row.end == day(a.end) && row.time == a.end &&
                      row.event == a.event && reason_ok;
            CHECK_MSG(ok, "history %d, %s: %s day %g event %d (%s), expected day %d event %d (%s)",
                      n, s->id, rc ? err.message : "", rc ? 0 : row.time, rc ? -1 : row.event,
                      rc ? "" : row.reason, a.end, a.event, a.reason[0]);
            if (!ok && shown++ < 3) printf("  cutoff %d: %s\n", h.cutoff, lt_buf_str(&b));
            if (!h.has_cutoff) continue;
            cover[EVENT_ON_CUTOFF] += a.event && a.end == h.cutoff;
            cover[PD_ON_CUTOFF] += a.event && a.end == h.cutoff && s->recist &&
                                   !strcmp(a.reason[0], "progression");
            cover[ASSESSMENT_ON_CUTOFF] += !a.event && s->last_assessment && a.end == h.cutoff;
            if (s->censor_at[NEXT_THERAPY]) {
                int before = 0, on = 0, after = 0;
                for (int i = 0; i < h.nevents; i++)
                    if (h.ev_type[i] == NEXT_THERAPY) {
                        before += h.ev_day[i] < h.cutoff;
                        on += h.ev_day[i] == h.cutoff;
                        after += h.ev_day[i] > h.cutoff;
                    }
                cover[CENSOR_BEFORE_CUTOFF] += before > 0;
                cover[CENSOR_ON_CUTOFF] += on > 0 && !before;
                cover[CENSOR_AFTER_CUTOFF] += after > 0 && !before && !on;
            }
        }
        lt_outcome_record_free(r);
        lt_json_free(v);
        lt_buf_free(&b);
    }
    for (int c = 0; c < NCOVER; c++)
        CHECK_MSG(cover[c] >= 20, "only %d rows with %s", cover[c], cover_names[c]);
    lt_endpoints_free(e);
}

/* The same edges as named cases, so that a failure reads as a sentence. */
static void test_named_edges(void)
{
    lt_error err;
    lt_json *j = NULL;
    lt_endpoints *e = NULL;
    CHECK_INT(lt_json_parse(ENDPOINTS, strlen(ENDPOINTS), "endpoints", &j, &err), LT_OK);
    CHECK_INT(lt_endpoints_parse(j, "test: endpoints", &e, &err), LT_OK);
    lt_json_free(j);
    if (!e) return;
    static const struct {
        const char *what, *endpoint, *record, *cutoff;
        double time;
        int event;
        const char *reason;
    } cases[] = {
        {"a death on the cutoff day is an event", "OS",
         "{\"id\":\"E1\",\"anchors\":{\"liver_resection\":\"2026-01-10\"},"
         "\"events\":[{\"type\":\"death\",\"date\":\"2026-07-01\"}]}",
         "2026-07-01", 172, 1, "death"},
        {"a death the day after the cutoff is not", "OS",
         "{\"id\":\"E2\",\"anchors\":{\"liver_resection\":\"2026-01-10\"},"
         "\"events\":[{\"type\":\"death\",\"date\":\"2026-07-02\"}]}",
         "2026-07-01", 172, 0, "cutoff"},
        {"a RECIST progression on the cutoff day is an event", "PFS",
         "{\"id\":\"E3\",\"anchors\":{\"randomisation\":\"2026-01-10\"},\"assessments\":["
         "{\"date\":\"2026-01-05\",\"lesions\":[{\"id\":\"L1\",\"organ\":\"liver\",\"target\":true,"
         "\"mm\":30}]},{\"date\":\"2026-07-01\",\"lesions\":[{\"id\":\"L1\",\"target\":true,"
         "\"mm\":40}]}]}",
         "2026-07-01", 172, 1, "progression"},
        {"an assessment on the cutoff day is the last assessment", "DFS",
         "{\"id\":\"E4\",\"anchors\":{\"liver_resection\":\"2026-01-10\"},\"assessments\":["
         "{\"date\":\"2026-04-01\"},{\"date\":\"2026-07-01\"}]}",
         "2026-07-01", 172, 0, "last_assessment"},
        {"a next therapy after the cutoff does not move follow-up past it", "EFS",
         "{\"id\":\"E5\",\"anchors\":{\"liver_resection\":\"2026-01-10\"},"
         "\"events\":[{\"type\":\"next_therapy\",\"date\":\"2026-09-01\"},"
         "{\"type\":\"recurrence\",\"date\":\"2026-08-01\",\"site\":\"liver\"}],"
         "\"last_contact\":\"2026-10-01\"}",
         "2026-07-01", 172, 0, "cutoff"},
        {"a next therapy before the cutoff censors there", "EFS",
         "{\"id\":\"E6\",\"anchors\":{\"liver_resection\":\"2026-01-10\"},"
         "\"events\":[{\"type\":\"next_therapy\",\"date\":\"2026-05-01\"},"
         "{\"type\":\"recurrence\",\"date\":\"2026-06-01\",\"site\":\"liver\"}],"
         "\"last_contact\":\"2026-10-01\"}",
         "2026-07-01", 111, 0, "next_therapy"},
        {"a next therapy on the cutoff day: censored at the cutoff", "EFS",
         "{\"id\":\"E7\",\"anchors\":{\"liver_resection\":\"2026-01-10\"},"
         "\"events\":[{\"type\":\"next_therapy\",\"date\":\"2026-07-01\"}],"
         "\"last_contact\":\"2026-10-01\"}",
         "2026-07-01", 172, 0, "cutoff"},
    };
    /* an endpoint event the day before the origin is an error in the record, not an event */
    {
        const char *rec = "{\"id\":\"E0\",\"anchors\":{\"liver_resection\":\"2026-01-10\"},"
                          "\"events\":[{\"type\":\"death\",\"date\":\"2026-01-09\"}]}";
        lt_json *v = NULL;
        lt_outcome_record *r = NULL;
        if (lt_json_parse(rec, strlen(rec), "case", &v, &err) == LT_OK &&
            lt_outcome_record_from_json(v, "case", &r, &err) == LT_OK) {
            lt_endpoint_row row;
            CHECK_INT(lt_endpoint_derive(e, (size_t)lt_endpoints_find(e, "OS"), r, LT_DATE_NONE,
                                         &row, &err),
                      LT_ESCHEMA);
            CHECK(strstr(err.message, "precedes OS's origin") != NULL);
        } else {
            CHECK_MSG(0, "record E0: %s", err.message);
        }
        lt_outcome_record_free(r);
        lt_json_free(v);
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_json *v = NULL;
        lt_outcome_record *r = NULL;
        lt_date cut = LT_DATE_NONE;
        lt_date_parse(cases[i].cutoff, false, &cut);
        if (lt_json_parse(cases[i].record, strlen(cases[i].record), "case", &v, &err) != LT_OK ||
            lt_outcome_record_from_json(v, "case", &r, &err) != LT_OK) {
            CHECK_MSG(0, "%s: %s: %s", cases[i].what, err.where, err.message);
            lt_json_free(v);
            continue;
        }
        lt_endpoint_row row;
        lt_status rc =
            lt_endpoint_derive(e, (size_t)lt_endpoints_find(e, cases[i].endpoint), r, cut, &row,
                               &err);
        CHECK_MSG(rc == LT_OK && row.time == cases[i].time && row.event == cases[i].event &&
                      !strcmp(row.reason, cases[i].reason),
                  "%s: time %g event %d (%s), expected %g %d (%s)", cases[i].what,
                  rc ? -1 : row.time, rc ? -1 : row.event, rc ? err.message : row.reason,
                  cases[i].time, cases[i].event, cases[i].reason);
        lt_outcome_record_free(r);
        lt_json_free(v);
    }
    lt_endpoints_free(e);
}

int main(void)
{
    test_named_edges();
    test_random_histories();
    return lt_test_done();
}
