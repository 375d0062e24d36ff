/* Tests of the schedule module: reading the schedule member (each error with its JSON path),
 * target dates and windows, anchoring to actual dates, permitted delays, deviations, missed
 * entries, stop events, due lists and the iCalendar export.
 * Expected dates with weeks were checked with GNU date ("2026-03-01 + 16 weeks"); month
 * steps follow lt_date_add_months (a day missing in the target month becomes its last day). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/schedule.h"

/* A NELMAS-shaped schedule (protocols/nelmas.json holds the real one). */
static const char *SPEC =
    "{\"anchors\": {\"liver_resection\": {\"label\": \"Liver resection\"},"
    "              \"randomisation\": {\"label\": \"Randomisation\"}},"
    " \"items\": {"
    "  \"C1\": {\"kind\": \"treatment\", \"label\": \"Cycle 1\", \"arms\": [\"B\"],"
    "          \"anchor\": \"liver_resection\", \"offset\": {\"weeks\": 6},"
    "          \"window\": {\"before\": {\"weeks\": 2}, \"after\": {\"weeks\": 2}}},"
    "  \"C2\": {\"kind\": \"treatment\", \"label\": \"Cycle 2\", \"arms\": [\"B\"],"
    "          \"anchor\": \"C1\", \"offset\": {\"weeks\": 8},"
    "          \"window\": {\"before\": {\"weeks\": 1}, \"after\": {\"weeks\": 1}},"
    "          \"delay\": {\"max\": {\"weeks\": 16}, \"reason\": \"toxicity\"}},"
    "  \"mri_y1\": {\"kind\": \"imaging\", \"label\": \"Liver MRI\", \"anchor\": "
    "          \"liver_resection\", \"offset\": {\"months\": 3},"
    "          \"repeat\": {\"every\": {\"months\": 3}, \"until\": {\"months\": 12}},"
    "          \"window\": {\"before\": {\"days\": 14}, \"after\": {\"days\": 14}}},"
    "  \"mri_y23\": {\"kind\": \"imaging\", \"label\": \"Liver MRI\", \"anchor\": "
    "          \"liver_resection\", \"offset\": {\"months\": 18},"
    "          \"repeat\": {\"every\": {\"months\": 6}, \"until\": {\"years\": 3}},"
    "          \"window\": {\"before\": {\"days\": 14}, \"after\": {\"days\": 14}}},"
    "  \"qol0\": {\"kind\": \"questionnaire\", \"label\": \"QLQ-C30 baseline\","
    "          \"anchor\": \"randomisation\", \"offset\": {\"days\": 0},"
    "          \"window\": {\"before\": {\"days\": 14}, \"after\": {\"days\": 0}}},"
    "  \"soc\": {\"kind\": \"visit\", \"label\": \"SoC visit\", \"arms\": [\"A\"],"
    "          \"anchor\": \"liver_resection\", \"offset\": {\"months\": 3},"
    "          \"repeat\": {\"every\": {\"months\": 3}, \"count\": 12},"
    "          \"window\": {\"before\": {\"days\": 14}, \"after\": {\"days\": 14}}},"
    "  \"eos\": {\"kind\": \"end_of_study\", \"label\": \"End of study\","
    "          \"anchor\": \"liver_resection\", \"offset\": {\"months\": 36},"
    "          \"window\": {\"before\": {\"days\": 0}, \"after\": {\"days\": 30}}}},"
    " \"stops\": {\"recurrence\": {\"kinds\": [\"treatment\", \"visit\", \"imaging\","
    "          \"questionnaire\", \"sample\"]}}}";

static const char *const ARMS[] = {"A", "B"};

static lt_date D(const char *s)
{
    lt_date d = LT_DATE_NONE;
    if (!lt_date_parse(s, false, &d)) printf("bad test date %s\n", s);
    return d;
}

static lt_schedule *load(const char *text, lt_error *err)
{
    lt_json *j = NULL;
    lt_schedule *s = NULL;
    if (lt_json_parse(text, strlen(text), "test", &j, err)) return NULL;
    lt_schedule_parse(j, "test: schedule", ARMS, 2, &s, err);
    lt_json_free(j);
    return s;
}

static const lt_visit *find(const lt_calendar *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->visits[i].id, id)) return &c->visits[i];
    printf("no calendar entry %s\n", id);
    return NULL;
}

#define CHECK_DATE(got, want)                                                                      \
    do {                                                                                           \
        char g_[LT_DATE_STR_MAX] = "none";                                                         \
        lt_date gd_ = (got);                                                                       \
        if (gd_ != LT_DATE_NONE) lt_date_format(gd_, g_);                                          \
        CHECK_MSG(!strcmp(g_, (want)), "%s = %s, expected %s", #got, g_, (want));                  \
    } while (0)

/* ---- reading: each bad schedule fails with this place and a message containing this ---- */
static const struct {
    const char *patch_from, *patch_to; /* replace the first occurrence in SPEC */
    const char *where, *message;
} bad_specs[] = {
    {"\"kind\": \"imaging\"", "\"kind\": \"scan\"", "test: schedule.items.mri_y1.kind",
     "expected treatment, visit"},
    {"\"offset\": {\"weeks\": 6}", "\"ofset\": {\"weeks\": 6}", "test: schedule.items.C1.ofset",
     "unknown member \"ofset\""},
    {"\"offset\": {\"weeks\": 6}", "\"offset\": {\"weeks\": 6.5}",
     "test: schedule.items.C1.offset.weeks", "whole number"},
    {"\"after\": {\"weeks\": 1}", "\"after\": {\"weeks\": -1}",
     "test: schedule.items.C2.window.after.weeks", ">= 0"},
    {"\"anchor\": \"C1\"", "\"anchor\": \"C9\"", "test: schedule.items.C2.anchor", "found \"C9\""},
    {"\"anchor\": \"C1\"", "\"anchor\": \"mri_y1\"", "test: schedule.items.C2.anchor",
     "repeats 4 times"},
    {"\"anchor\": \"liver_resection\", \"offset\": {\"weeks\": 6}",
     "\"anchor\": \"C2\", \"offset\": {\"weeks\": 6}", "test: schedule.items.C1.anchor", "cycle"},
    {"\"max\": {\"weeks\": 16}", "\"max\": {\"weeks\": 9}", "test: schedule.items.C2.delay.max",
     "beyond the end of the window"},
    {"\"arms\": [\"A\"]", "\"arms\": [\"C\"]", "test: schedule.items.soc.arms[0]", "found \"C\""},
    {"\"until\": {\"months\": 12}", "\"until\": {\"months\": 12}, \"count\": 4",
     "test: schedule.items.mri_y1.repeat", "exactly one of"},
    {"\"until\": {\"years\": 3}", "\"until\": {\"months\": 6}",
     "test: schedule.items.mri_y23.repeat.until", "at or after the first"},
    {"\"anchor\": \"C1\"", "\"anchor\": \"soc\"", "test: schedule.items.C2.anchor",
     "repeats 12 times"},
    {"\"questionnaire\", \"sample\"", "\"questionnaire\", \"samples\"",
     "test: schedule.stops.recurrence.kinds[4]", "found \"samples\""},
    {"\"label\": \"Cycle 1\"", "\"label\": \"\"", "test: schedule.items.C1.label", "non-empty"},
};

static void test_bad_specs(void)
{
    for (size_t i = 0; i < sizeof bad_specs / sizeof bad_specs[0]; i++) {
        const char *at = strstr(SPEC, bad_specs[i].patch_from);
        CHECK_MSG(at != NULL, "case %zu: patch text not found", i);
        if (!at) continue;
        size_t pre = (size_t)(at - SPEC), n = strlen(SPEC) + strlen(bad_specs[i].patch_to) + 1;
        char *text = malloc(n);
        memcpy(text, SPEC, pre);
        strcpy(text + pre, bad_specs[i].patch_to);
        strcat(text, at + strlen(bad_specs[i].patch_from));
        lt_error err;
        lt_error_clear(&err);
        lt_schedule *s = load(text, &err);
        CHECK_MSG(s == NULL && err.status == LT_ESCHEMA, "case %zu: expected a schema error", i);
        CHECK_MSG(!strcmp(err.where, bad_specs[i].where), "case %zu: where \"%s\", expected \"%s\"",
                  i, err.where, bad_specs[i].where);
        CHECK_MSG(strstr(err.message, bad_specs[i].message) != NULL,
                  "case %zu: message \"%s\" lacks \"%s\"", i, err.message, bad_specs[i].message);
        lt_schedule_free(s);
        free(text);
    }
}

/* ---- calendars: inputs and the expected entries --------------------------------------- */
typedef struct expect {
    const char *id;
    const char *target, *earliest, *latest, *latest_delayed;
    lt_visit_status status;
    int deviation;
} expect;

typedef struct calcase {
    const char *name;
    const char *arm;
    const char *resection, *randomisation;
    lt_sched_actual actuals[4]; /* id and reason; the dates are actual_dates[] */
    const char *actual_dates[4];
    const char *event, *event_date;
    const char *as_of;
    expect want[6];
} calcase;

static const calcase cases[] = {
    {"projection before any treatment",
     "B",
     "2026-01-10",
     NULL,
     {{0}},
     {0},
     NULL,
     NULL,
     NULL,
     {{"C1", "2026-02-21", "2026-02-07", "2026-03-07", "none", LT_VISIT_PLANNED, 0},
      {"C2", "2026-04-18", "2026-04-11", "2026-04-25", "2026-06-13", LT_VISIT_PLANNED, 0},
      {"qol0", "none", "none", "none", "none", LT_VISIT_UNANCHORED, 0}}},
    {"C2 follows the actual C1",
     "B",
     "2026-01-10",
     "2026-01-20",
     {{"C1", 0, NULL}},
     {"2026-03-01"},
     NULL,
     NULL,
     NULL,
     {{"C1", "2026-02-21", "2026-02-07", "2026-03-07", "none", LT_VISIT_DONE, 0},
      {"C2", "2026-04-26", "2026-04-19", "2026-05-03", "2026-06-21", LT_VISIT_PLANNED, 0},
      {"qol0", "2026-01-20", "2026-01-06", "2026-01-20", "none", LT_VISIT_PLANNED, 0}}},
    {"C1 late is out of window",
     "B",
     "2026-01-10",
     NULL,
     {{"C1", 0, NULL}},
     {"2026-03-08"},
     NULL,
     NULL,
     NULL,
     {{"C1", "2026-02-21", "2026-02-07", "2026-03-07", "none", LT_VISIT_OUT_OF_WINDOW, 1}}},
    {"C1 early is out of window",
     "B",
     "2026-01-10",
     NULL,
     {{"C1", 0, NULL}},
     {"2026-02-06"},
     NULL,
     NULL,
     NULL,
     {{"C1", "2026-02-21", "2026-02-07", "2026-03-07", "none", LT_VISIT_OUT_OF_WINDOW, 1}}},
    {"C1 on the window's edges",
     "B",
     "2026-01-10",
     NULL,
     {{"C1", 0, NULL}},
     {"2026-02-07"},
     NULL,
     NULL,
     NULL,
     {{"C1", "2026-02-21", "2026-02-07", "2026-03-07", "none", LT_VISIT_DONE, 0}}},
    {"C1 on the window's last day",
     "B",
     "2026-01-10",
     NULL,
     {{"C1", 0, NULL}},
     {"2026-03-07"},
     NULL,
     NULL,
     NULL,
     {{"C1", "2026-02-21", "2026-02-07", "2026-03-07", "none", LT_VISIT_DONE, 0}}},
    {"C2 delayed for toxicity",
     "B",
     "2026-01-10",
     NULL,
     {{"C1", 0, NULL}, {"C2", 0, "toxicity"}},
     {"2026-03-01", "2026-06-21"},
     NULL,
     NULL,
     NULL,
     {{"C2", "2026-04-26", "2026-04-19", "2026-05-03", "2026-06-21", LT_VISIT_DELAYED, 0}}},
    {"C2 delayed without a reason",
     "B",
     "2026-01-10",
     NULL,
     {{"C1", 0, NULL}, {"C2", 0, NULL}},
     {"2026-03-01", "2026-05-04"},
     NULL,
     NULL,
     NULL,
     {{"C2", "2026-04-26", "2026-04-19", "2026-05-03", "2026-06-21", LT_VISIT_DELAYED, 1}}},
    {"C2 beyond 16 weeks",
     "B",
     "2026-01-10",
     NULL,
     {{"C1", 0, NULL}, {"C2", 0, "toxicity"}},
     {"2026-03-01", "2026-06-22"},
     NULL,
     NULL,
     NULL,
     {{"C2", "2026-04-26", "2026-04-19", "2026-05-03", "2026-06-21", LT_VISIT_OUT_OF_WINDOW, 1}}},
    {"month ends do not drift",
     "A",
     "2026-01-31",
     NULL,
     {{0}},
     {0},
     NULL,
     NULL,
     NULL,
     {{"mri_y1.1", "2026-04-30", "2026-04-16", "2026-05-14", "none", LT_VISIT_PLANNED, 0},
      {"mri_y1.2", "2026-07-31", "2026-07-17", "2026-08-14", "none", LT_VISIT_PLANNED, 0},
      {"mri_y1.4", "2027-01-31", "2027-01-17", "2027-02-14", "none", LT_VISIT_PLANNED, 0},
      {"soc.12", "2029-01-31", "2029-01-17", "2029-02-14", "none", LT_VISIT_PLANNED, 0},
      {"mri_y23.4", "2029-01-31", "2029-01-17", "2029-02-14", "none", LT_VISIT_PLANNED, 0},
      {"eos", "2029-01-31", "2029-01-31", "2029-03-02", "none", LT_VISIT_PLANNED, 0}}},
    {"missed entries at as-of",
     "B",
     "2026-01-10",
     NULL,
     {{0}},
     {0},
     NULL,
     NULL,
     "2026-06-14",
     {{"C1", "2026-02-21", "2026-02-07", "2026-03-07", "none", LT_VISIT_OVERDUE, 1},
      {"C2", "2026-04-18", "2026-04-11", "2026-04-25", "2026-06-13", LT_VISIT_OVERDUE, 1},
      {"mri_y1.1", "2026-04-10", "2026-03-27", "2026-04-24", "none", LT_VISIT_OVERDUE, 1},
      {"mri_y1.2", "2026-07-10", "2026-06-26", "2026-07-24", "none", LT_VISIT_PLANNED, 0}}},
    {"C2 inside its delay allowance is not missed yet",
     "B",
     "2026-01-10",
     NULL,
     {{0}},
     {0},
     NULL,
     NULL,
     "2026-06-13",
     {{"C2", "2026-04-18", "2026-04-11", "2026-04-25", "2026-06-13", LT_VISIT_PLANNED, 0}}},
    {"recurrence stops assessments, brings end of study forward",
     "A",
     "2026-01-10",
     NULL,
     {{"mri_y1.1", 0, NULL}},
     {"2026-04-12"},
     "recurrence",
     "2026-09-01",
     NULL,
     {{"mri_y1.1", "2026-04-10", "2026-03-27", "2026-04-24", "none", LT_VISIT_DONE, 0},
      {"mri_y1.2", "2026-07-10", "2026-06-26", "2026-07-24", "none", LT_VISIT_PLANNED, 0},
      {"mri_y1.3", "2026-10-10", "2026-09-26", "2026-10-24", "none", LT_VISIT_CANCELLED, 0},
      {"soc.3", "2026-10-10", "2026-09-26", "2026-10-24", "none", LT_VISIT_CANCELLED, 0},
      {"eos", "2026-09-01", "2026-09-01", "2026-10-01", "none", LT_VISIT_PLANNED, 0}}},
    {"recurrence before C2 cancels it",
     "B",
     "2026-01-10",
     NULL,
     {{"C1", 0, NULL}},
     {"2026-03-01"},
     "recurrence",
     "2026-04-01",
     NULL,
     {{"C1", "2026-02-21", "2026-02-07", "2026-03-07", "none", LT_VISIT_DONE, 0},
      {"C2", "2026-04-26", "2026-04-19", "2026-05-03", "2026-06-21", LT_VISIT_CANCELLED, 0}}},
    {"death cancels everything after it",
     "A",
     "2026-01-10",
     NULL,
     {{0}},
     {0},
     "death",
     "2026-05-01",
     NULL,
     {{"soc.1", "2026-04-10", "2026-03-27", "2026-04-24", "none", LT_VISIT_PLANNED, 0},
      {"soc.2", "2026-07-10", "2026-06-26", "2026-07-24", "none", LT_VISIT_CANCELLED, 0},
      {"eos", "2029-01-10", "2029-01-10", "2029-02-09", "none", LT_VISIT_CANCELLED, 0}}},
    {"an event the protocol does not stop on changes nothing",
     "A",
     "2026-01-10",
     NULL,
     {{0}},
     {0},
     "next_therapy",
     "2026-05-01",
     NULL,
     {{"soc.2", "2026-07-10", "2026-06-26", "2026-07-24", "none", LT_VISIT_PLANNED, 0},
      {"eos", "2029-01-10", "2029-01-10", "2029-02-09", "none", LT_VISIT_PLANNED, 0}}},
};

static void test_calendars(const lt_schedule *s)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const calcase *k = &cases[i];
        lt_named_date anchors[2];
        size_t na = 0;
        if (k->resection) anchors[na++] = (lt_named_date){"liver_resection", D(k->resection)};
        if (k->randomisation) anchors[na++] = (lt_named_date){"randomisation", D(k->randomisation)};
        lt_sched_actual act[4];
        size_t nact = 0;
        for (; nact < 4 && k->actuals[nact].id; nact++)
            act[nact] = (lt_sched_actual){k->actuals[nact].id, D(k->actual_dates[nact]),
                                          k->actuals[nact].reason};
        lt_named_date ev = {k->event, k->event_date ? D(k->event_date) : LT_DATE_NONE};
        lt_schedule_input in = {k->arm,
                                anchors,
                                na,
                                act,
                                nact,
                                &ev,
                                k->event ? 1 : 0,
                                k->as_of ? D(k->as_of) : LT_DATE_NONE};
        lt_calendar *c = NULL;
        lt_error err;
        CHECK_MSG(lt_schedule_compute(s, &in, &c, &err) == LT_OK, "%s: %s", k->name, err.message);
        if (!c) continue;
        for (size_t j = 0; j < 6 && k->want[j].id; j++) {
            const expect *w = &k->want[j];
            const lt_visit *v = find(c, w->id);
            CHECK_MSG(v != NULL, "%s: no entry %s", k->name, w->id);
            if (!v) continue;
            printf("# %s: %s\n", k->name, w->id);
            CHECK_DATE(v->target, w->target);
            CHECK_DATE(v->earliest, w->earliest);
            CHECK_DATE(v->latest, w->latest);
            CHECK_DATE(v->latest_delayed, w->latest_delayed);
            CHECK_MSG(v->status == w->status, "%s: %s status %s, expected %s", k->name, w->id,
                      lt_visit_status_name(v->status), lt_visit_status_name(w->status));
            CHECK_MSG(v->deviation == (w->deviation != 0), "%s: %s deviation %d", k->name, w->id,
                      v->deviation);
        }
        lt_calendar_free(c);
    }
}

static void test_details(const lt_schedule *s)
{
    lt_named_date an[] = {{"liver_resection", D("2026-01-10")}};
    lt_error err;
    lt_calendar *c = NULL;

    /* arm A has no cycles: an actual C1 is an error naming it */
    lt_sched_actual a1[] = {{"C1", D("2026-03-01"), NULL}};
    lt_schedule_input in = {"A", an, 1, a1, 1, NULL, 0, LT_DATE_NONE};
    CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_EINVAL);
    CHECK(strstr(err.message, "\"C1\" is not in the calendar of arm A") != NULL);
    CHECK(c == NULL);
    /* an unknown arm, an unknown entry, an occurrence out of range, a duplicate */
    in.arm = "Z";
    in.nactuals = 0;
    CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_EINVAL);
    CHECK(strstr(err.message, "expected an arm of the protocol (A, B), found \"Z\"") != NULL);
    in.arm = "A";
    lt_sched_actual a2[] = {{"mri_y1.5", D("2027-01-10"), NULL}};
    in.actuals = a2;
    in.nactuals = 1;
    CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_EINVAL);
    CHECK(strstr(err.message, "mri_y1 has no such occurrence") != NULL);
    lt_sched_actual a3[] = {{"xray", D("2027-01-10"), NULL}};
    in.actuals = a3;
    CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_EINVAL);
    CHECK(strstr(err.message, "\"xray\" is not an entry of the schedule") != NULL);
    lt_sched_actual a4[] = {{"mri_y1.1", D("2026-04-10"), NULL},
                            {"mri_y1.1", D("2026-04-11"), NULL}};
    in.actuals = a4;
    in.nactuals = 2;
    CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_EINVAL);
    CHECK(strstr(err.message, "two actual dates for \"mri_y1.1\"") != NULL);

    /* counts per arm: A has 4 + 4 MRIs, 1 QoL, 12 SoC visits, end of study; B has 2 cycles
     * instead of the SoC visits */
    in.nactuals = 0;
    CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_OK);
    CHECK_INT(c->n, 4 + 4 + 1 + 12 + 1);
    /* sorted by target date, unanchored (qol0: no randomisation date) last */
    bool sorted = true;
    for (size_t i = 1; i < c->n; i++)
        if (c->visits[i].target != LT_DATE_NONE && c->visits[i - 1].target != LT_DATE_NONE &&
            c->visits[i].target < c->visits[i - 1].target)
            sorted = false;
    CHECK(sorted);
    CHECK_STR(c->visits[c->n - 1].id, "qol0");
    CHECK_STR(find(c, "mri_y1.2")->label, "Liver MRI (2 of 4)");

    /* due: what overlaps [from, to] */
    size_t due = 0;
    for (size_t i = 0; i < c->n; i++)
        if (lt_visit_due(&c->visits[i], D("2026-04-01"), D("2026-04-15"))) due++;
    CHECK_INT(due, 2); /* mri_y1.1 and soc.1, both 2026-03-27..2026-04-24 */
    CHECK(!lt_visit_due(find(c, "soc.2"), D("2026-04-01"), D("2026-06-25")));
    CHECK(lt_visit_due(find(c, "soc.2"), D("2026-04-01"), D("2026-06-26")));

    /* JSON output parses back and lists the deviations */
    lt_buf b = LT_BUF_INIT;
    lt_calendar_to_json(c, &b);
    lt_json *j = NULL;
    CHECK_INT(lt_json_parse(b.p, b.n, "calendar", &j, &err), LT_OK);
    CHECK_INT(lt_json_size(lt_json_get(j, "visits")), c->n);
    CHECK_STR(lt_json_get_str(lt_json_at(lt_json_get(j, "visits"), 0), "id", NULL), "mri_y1.1");
    lt_json_free(j);
    lt_buf_free(&b);
    lt_calendar_free(c);
    lt_calendar_free(NULL);
    lt_schedule_free(NULL);
}

static void test_ics(const lt_schedule *s)
{
    lt_named_date an[] = {{"liver_resection", D("2026-01-10")}};
    lt_sched_actual a[] = {{"C1", D("2026-03-01"), NULL}};
    lt_named_date ev[] = {{"recurrence", D("2027-02-01")}};
    lt_schedule_input in = {"B", an, 1, a, 1, ev, 1, LT_DATE_NONE};
    lt_calendar *c = NULL;
    lt_error err;
    CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_OK);
    lt_buf b = LT_BUF_INIT;
    lt_time stamp;
    CHECK(lt_time_parse("2026-01-10T08:30:00Z", &stamp));
    lt_calendar_to_ics(c, "nelmas", "P-001; Smith, J", stamp, &b);
    const char *t = lt_buf_str(&b);
    CHECK(!strncmp(t, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", 37));
    CHECK(b.n > 17 && !strcmp(t + b.n - 15, "END:VCALENDAR\r\n"));
    /* every line ends in CRLF and is at most 75 octets; folded lines start with a space */
    size_t lines = 0, longest = 0, folds = 0;
    bool bare_lf = false;
    for (const char *p = t; *p;) {
        const char *e = strstr(p, "\r\n");
        if (!e) {
            bare_lf = true;
            break;
        }
        if (memchr(p, '\n', (size_t)(e - p))) bare_lf = true;
        if ((size_t)(e - p) > longest) longest = (size_t)(e - p);
        if (*p == ' ') folds++;
        lines++;
        p = e + 2;
    }
    CHECK(!bare_lf);
    CHECK_MSG(longest <= 75, "longest line %zu octets", longest);
    CHECK(folds > 0);
    CHECK(strstr(t, "DTSTAMP:20260110T083000Z\r\n") != NULL);
    /* C1 is shown on its actual date; C2 on its target */
    CHECK(strstr(t, "UID:P-001\\; Smith\\, J.C1@nelmas.lutetia\r\nDTSTAMP:20260110T083000Z\r\n"
                    "DTSTART;VALUE=DATE:20260301\r\nDTEND;VALUE=DATE:20260302\r\n") != NULL);
    CHECK(strstr(t, "DTSTART;VALUE=DATE:20260426\r\n") != NULL);
    /* TEXT escaping of ; and , in SUMMARY */
    CHECK(strstr(t, "SUMMARY:P-001\\; Smith\\, J: Cycle 1\r\n") != NULL);
    /* cancelled entries (after the recurrence) are left out: 2 cycles, 4 MRIs in year 1,
     * the baseline QoL is unanchored, end of study brought forward */
    size_t events = 0;
    for (const char *p = t; (p = strstr(p, "BEGIN:VEVENT")); p++)
        events++;
    CHECK_INT(events, 2 + 4 + 1);
    /* unfolding gives back the DESCRIPTION with the window */
    lt_buf u = LT_BUF_INIT;
    for (const char *p = t; *p; p++) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
            p += 2;
            continue;
        }
        lt_buf_putc(&u, *p);
    }
    CHECK(strstr(lt_buf_str(&u), "DESCRIPTION:nelmas C2 (treatment). Target 2026-04-26\\, "
                                 "window 2026-04-19 to 2026-05-03\\; may be delayed for "
                                 "toxicity up to 2026-06-21\\; anchored to C1.\r\n") != NULL);
    lt_buf_free(&u);
    lt_buf_free(&b);
    lt_calendar_free(c);
}

/* The folding never splits a UTF-8 sequence. */
static void test_ics_utf8(void)
{
    const char *spec =
        "{\"anchors\": {\"r\": {\"label\": \"r\"}}, \"items\": {\"x\": {\"kind\": \"visit\","
        " \"label\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\","
        " \"anchor\": \"r\", \"offset\": {\"days\": 1}, \"window\": {\"before\": {\"days\": 0},"
        " \"after\": {\"days\": 0}}}}}";
    lt_error err;
    lt_json *j = NULL;
    lt_schedule *s = NULL;
    CHECK_INT(lt_json_parse(spec, strlen(spec), "utf8", &j, &err), LT_OK);
    CHECK_INT(lt_schedule_parse(j, "utf8", NULL, 0, &s, &err), LT_OK);
    lt_json_free(j);
    if (!s) return;
    lt_named_date an[] = {{"r", D("2026-01-01")}};
    lt_schedule_input in = {NULL, an, 1, NULL, 0, NULL, 0, LT_DATE_NONE};
    lt_calendar *c = NULL;
    CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_OK);
    lt_buf b = LT_BUF_INIT;
    lt_calendar_to_ics(c, "t", "p", 0, &b);
    bool split = false;
    for (const char *p = lt_buf_str(&b); (p = strstr(p, "\r\n ")); p += 3)
        if (((unsigned char)p[3] & 0xC0) == 0x80) split = true;
    CHECK(!split);
    lt_buf_free(&b);
    lt_calendar_free(c);
    lt_schedule_free(s);

    /* text that is not UTF-8 (a run of continuation bytes) is still folded, and ends: the
     * fuzzer found this looping */
    char bad[400];
    strcpy(bad, "{\"anchors\": {\"r\": {\"label\": \"r\"}}, \"items\": {\"x\": {\"kind\": "
                "\"visit\", \"label\": \"");
    size_t k = strlen(bad);
    for (int i = 0; i < 200; i++) bad[k++] = (char)0x80;
    strcpy(bad + k, "\", \"anchor\": \"r\", \"offset\": {\"days\": 1}, \"window\": "
                    "{\"before\": {\"days\": 0}, \"after\": {\"days\": 0}}}}}");
    j = NULL;
    s = NULL;
    c = NULL;
    if (lt_json_parse(bad, strlen(bad), "bad", &j, &err) == LT_OK &&
        lt_schedule_parse(j, "bad", NULL, 0, &s, &err) == LT_OK &&
        lt_schedule_compute(s, &in, &c, &err) == LT_OK) {
        lt_buf b2 = LT_BUF_INIT;
        lt_calendar_to_ics(c, "t", "p", 0, &b2);
        size_t longest = 0;
        for (const char *p = lt_buf_str(&b2); *p;) {
            const char *e = strstr(p, "\r\n");
            if (!e) break;
            if ((size_t)(e - p) > longest) longest = (size_t)(e - p);
            p = e + 2;
        }
        CHECK(b2.n > 0 && longest <= 75);
        lt_buf_free(&b2);
    } else {
        CHECK_MSG(0, "a label that is not UTF-8: %s", err.message); /* cJSON takes bytes */
    }
    lt_calendar_free(c);
    lt_schedule_free(s);
    lt_json_free(j);
}

/* The protocol files' schedule members read and give the calendars the seeds describe. */
static lt_schedule *protocol_schedule(const char *name, lt_json **doc)
{
    const char *src = getenv("SRC");
    char path[512];
    snprintf(path, sizeof path, "%s/protocols/%s.json", src ? src : ".", name);
    char *text = NULL;
    size_t len = 0;
    lt_error err;
    lt_schedule *s = NULL;
    *doc = NULL;
    CHECK_MSG(lt_file_read(path, &text, &len, &err) == LT_OK, "%s: %s", path, err.message);
    if (!text) return NULL;
    CHECK_INT(lt_json_parse(text, len, path, doc, &err), LT_OK);
    free(text);
    const lt_json *arms = lt_json_get(*doc, "arms");
    const char *ids[8];
    size_t n = 0;
    for (const lt_json *m = lt_json_first(arms); m && n < 8; m = lt_json_next(m))
        ids[n++] = lt_json_key(m);
    CHECK_MSG(lt_schedule_parse(lt_json_get(*doc, "schedule"), path, ids, n, &s, &err) == LT_OK,
              "%s: %s", err.where, err.message);
    return s;
}

static size_t count_kind(const lt_calendar *c, lt_sched_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += c->visits[i].kind == k;
    return n;
}

static void test_protocol_files(void)
{
    lt_json *doc = NULL;
    lt_error err;
    lt_calendar *c = NULL;
    lt_schedule *s = protocol_schedule("nelmas", &doc);
    if (s) {
        lt_named_date an[] = {{"liver_resection", D("2026-01-10")},
                              {"randomisation", D("2026-01-20")}};
        lt_schedule_input in = {"A", an, 2, NULL, 0, NULL, 0, LT_DATE_NONE};
        CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_OK);
        /* screening, tumour sample, pre-surgery biobank, baseline QoL, 12 SoC visits, 4 + 4
         * MRIs, 3 PETs, 3 QoL, 3 biobank samples, end of study */
        CHECK_INT(c ? c->n : 0, 34);
        if (c) {
            CHECK_INT(count_kind(c, LT_SCHED_IMAGING), 11);
            CHECK_INT(count_kind(c, LT_SCHED_TREATMENT), 0);
            CHECK_DATE(find(c, "mri_years2_3.1")->target, "2027-07-10");
            CHECK_DATE(find(c, "pet.3")->target, "2029-01-10");
            CHECK_DATE(find(c, "biobank_m6")->target, "2026-07-10");
            CHECK_DATE(find(c, "end_of_study")->target, "2029-01-10");
        }
        lt_calendar_free(c);
        in.arm = "B";
        CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_OK);
        /* the same with 2 cycles, 2 pre-dose blood tests and 10 monitoring visits, and (issue
         * 9) the safety visits after each cycle, the nadir and recovery panels after C2 and
         * the blood tests of the 10 monitoring visits */
        CHECK_INT(c ? c->n : 0, 51);
        if (c) {
            CHECK_INT(count_kind(c, LT_SCHED_LAB), 14);
            CHECK_DATE(find(c, "safety_C1")->target, "2026-03-28"); /* C1 + 5 weeks */
            CHECK_DATE(find(c, "labs_nadir_C2")->earliest, "2026-05-16"); /* C2 + 4 weeks */
            CHECK_DATE(find(c, "labs_nadir_C2")->latest, "2026-06-13");   /* C2 + 8 weeks */
            CHECK_DATE(find(c, "labs_recovery")->target, "2026-07-18");  /* C2 + 3 months */
        }
        if (c) {
            CHECK_INT(count_kind(c, LT_SCHED_TREATMENT), 2);
            /* 6+-2 weeks after resection (seed 002, the latest version) */
            CHECK_DATE(find(c, "C1")->target, "2026-02-21");
            CHECK_DATE(find(c, "labs_C1")->earliest, "2026-01-24"); /* 4 weeks before */
            CHECK_DATE(find(c, "labs_C1")->latest, "2026-02-07");   /* 2 weeks before */
            CHECK_DATE(find(c, "C2")->latest_delayed, "2026-06-13");
            CHECK_DATE(find(c, "prrt_visit.1")->target, "2026-10-10");
        }
        lt_calendar_free(c);
        lt_schedule_free(s);
    }
    lt_json_free(doc);

    s = protocol_schedule("nct04544098", &doc);
    if (s) {
        lt_named_date an[] = {{"randomisation", D("2026-01-05")}};
        lt_sched_actual act[] = {{"C1", D("2026-01-19"), NULL}, {"C2", D("2026-03-26"), NULL}};
        lt_schedule_input in = {"A", an, 1, act, 2, NULL, 0, LT_DATE_NONE};
        CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_OK);
        if (c) {
            CHECK_INT(count_kind(c, LT_SCHED_TREATMENT), 4);
            /* two months +-2 weeks: C2 from 2026-03-19 is 2026-03-05..2026-04-02 */
            CHECK_DATE(find(c, "C2")->target, "2026-03-19");
            CHECK(find(c, "C2")->status == LT_VISIT_DONE);
            CHECK_DATE(find(c, "C3")->target, "2026-05-26");
            CHECK_DATE(find(c, "C4")->target, "2026-07-26");
            /* the assessment calendar chosen where seed 003 is silent (choices) */
            CHECK_DATE(find(c, "ct_baseline")->earliest, "2025-12-08");
            CHECK_DATE(find(c, "pet_baseline")->earliest, "2025-10-13");
            CHECK_DATE(find(c, "response.1")->target, "2026-03-30");
            CHECK_INT(find(c, "response.8") != NULL, 1);
            /* blood tests before cycle 1, due 2 weeks before entry, wait for it */
            CHECK_DATE(find(c, "labs_C1")->earliest, "2026-01-05");
            CHECK_DATE(find(c, "labs_C1")->latest, "2026-01-12");
            CHECK(find(c, "labs_C1")->clamped);
            /* survival follow-up waits for a progression */
            CHECK(find(c, "survival.1")->status == LT_VISIT_UNANCHORED);
        }
        lt_calendar_free(c);
        /* progression stops the remaining cycles */
        lt_named_date ev[] = {{"progression", D("2026-04-20")}};
        in.events = ev;
        in.nevents = 1;
        CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_OK);
        if (c) {
            CHECK(find(c, "C3")->status == LT_VISIT_CANCELLED);
            CHECK(find(c, "C4")->status == LT_VISIT_CANCELLED);
            /* the scans stop; the survival follow-up counts from the progression */
            CHECK(find(c, "response.3")->status == LT_VISIT_CANCELLED);
            CHECK(find(c, "response.1")->status != LT_VISIT_CANCELLED);
            CHECK_DATE(find(c, "survival.1")->target, "2026-07-20");
            CHECK(find(c, "survival.1")->status == LT_VISIT_PLANNED);
        }
        lt_calendar_free(c);
        lt_schedule_free(s);
    }
    lt_json_free(doc);

    s = protocol_schedule("net-retreat", &doc);
    if (s) {
        lt_named_date an[] = {{"randomisation", D("2026-02-02")}};
        lt_schedule_input in = {"1", an, 1, NULL, 0, NULL, 0, LT_DATE_NONE};
        CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_OK);
        if (c) {
            CHECK_INT(count_kind(c, LT_SCHED_TREATMENT), 2);
            CHECK_DATE(find(c, "C1")->target, "2026-02-16");
            CHECK_DATE(find(c, "C2")->target, "2026-04-13");
            /* labs 3 weeks before C1 would be a week before randomisation: moved to open on
             * it, closing a week later (never after C1) */
            CHECK_DATE(find(c, "labs_C1")->earliest, "2026-02-02");
            CHECK_DATE(find(c, "labs_C1")->latest, "2026-02-09");
            CHECK_STR(find(c, "labs_C1")->not_before_by, "randomisation");
            /* baseline scans and QoL, 12-weekly response scans and QLQ-C30 to 3 years */
            CHECK_INT(count_kind(c, LT_SCHED_IMAGING), 15);
            CHECK_INT(count_kind(c, LT_SCHED_QUESTIONNAIRE), 14);
            CHECK_DATE(find(c, "response.13")->target, "2029-01-29");
            CHECK_DATE(find(c, "pet_baseline")->earliest, "2023-02-02");
        }
        lt_calendar_free(c);
        in.arm = "2";
        CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_OK);
        if (c) {
            CHECK_INT(count_kind(c, LT_SCHED_TREATMENT), 1);
            CHECK_DATE(find(c, "everolimus_start")->latest, "2026-02-16");
            /* both arms are scanned on the same dates */
            CHECK_DATE(find(c, "response.1")->target, "2026-04-27");
            CHECK_INT(count_kind(c, LT_SCHED_LAB), 0);
        }
        lt_calendar_free(c);
        lt_schedule_free(s);
    }
    lt_json_free(doc);
}

/* Through the protocol loader: version 1.0 of NELMAS patches cycle 1 to 8 +- 2 weeks. */
static void test_versions(void)
{
    const char *src = getenv("SRC");
    char path[512];
    snprintf(path, sizeof path, "%s/protocols/nelmas.json", src ? src : ".");
    static const struct {
        const char *version, *c1, *c1_earliest;
    } want[] = {{NULL, "2026-02-21", "2026-02-07"},
                {"2.0", "2026-02-21", "2026-02-07"},
                {"1.0", "2026-03-07", "2026-02-21"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        lt_protocol *p = NULL;
        lt_schedule *s = NULL;
        lt_calendar *c = NULL;
        lt_error err;
        CHECK_MSG(lt_protocol_load(path, want[i].version, &p, &err) == LT_OK, "%s: %s", err.where,
                  err.message);
        if (!p) continue;
        CHECK_MSG(lt_schedule_from_protocol(p, &s, &err) == LT_OK, "%s: %s", err.where,
                  err.message);
        lt_named_date an[] = {{"liver_resection", D("2026-01-10")}};
        lt_schedule_input in = {"B", an, 1, NULL, 0, NULL, 0, LT_DATE_NONE};
        if (s) CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_OK);
        if (c) {
            CHECK_DATE(find(c, "C1")->target, want[i].c1);
            CHECK_DATE(find(c, "C1")->earliest, want[i].c1_earliest);
        }
        /* the protocol's arms are the only arms */
        lt_calendar_free(c);
        c = NULL;
        in.arm = "C";
        if (s) CHECK_INT(lt_schedule_compute(s, &in, &c, &err), LT_EINVAL);
        lt_schedule_free(s);
        lt_protocol_free(p);
    }
}

int main(void)
{
    lt_error err;
    lt_schedule *s = load(SPEC, &err);
    CHECK_MSG(s != NULL, "the test schedule does not load: %s: %s", err.where, err.message);
    if (!s) return lt_test_done();
    CHECK_INT(lt_schedule_anchor_count(s), 2);
    CHECK_STR(lt_schedule_anchor(s, 0), "liver_resection");
    test_bad_specs();
    test_calendars(s);
    test_details(s);
    test_ics(s);
    test_ics_utf8();
    test_protocol_files();
    test_versions();
    lt_schedule_free(s);
    return lt_test_done();
}
