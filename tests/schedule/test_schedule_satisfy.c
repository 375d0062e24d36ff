/* Work recorded is work done, and entries never fall before what they depend on
 * (docs/protocol-format.md, "Schedule"): sequences of events and records through
 * lt_schedule_compute_records, then a seeded property check over many random histories on the
 * three protocol files (no entry opens before the event it depends on; every window holds its
 * target; what must precede a cycle closes by it; a record only satisfies an entry whose window
 * holds it, and at most one entry of its kind). Dates by hand, checked with GNU date. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/schedule.h"

static lt_date D(const char *s)
{
    lt_date d = LT_DATE_NONE;
    if (!lt_date_parse(s, false, &d)) printf("bad test date %s\n", s);
    return d;
}

static const lt_visit *find(const lt_calendar *c, const char *id)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (!strcmp(c->visits[i].id, id)) return &c->visits[i];
    return NULL;
}

#define CHECK_DATE(got, want)                                                                      \
    do {                                                                                           \
        char g_[LT_DATE_STR_MAX] = "none";                                                         \
        lt_date gd_ = (got);                                                                       \
        if (gd_ != LT_DATE_NONE) lt_date_format(gd_, g_);                                          \
        CHECK_MSG(!strcmp(g_, (want)), "%s = %s, expected %s", #got, g_, (want));                  \
    } while (0)

/* NELMAS-shaped: arm B's cycle 1 6+-2 weeks after the resection, its blood tests 3 weeks
 * before it, a nadir panel after it and a follow-up visit anchored on it with a window wider
 * than its offset, MRIs every 3 months, a PET, a questionnaire. */
static const char *SPEC =
    "{\"anchors\": {\"liver_resection\": {\"label\": \"Liver resection\"},"
    "              \"randomisation\": {\"label\": \"Randomisation\"}},"
    " \"items\": {"
    "  \"C1\": {\"kind\": \"treatment\", \"label\": \"Cycle 1\", \"arms\": [\"B\"],"
    "          \"anchor\": \"liver_resection\", \"offset\": {\"weeks\": 6},"
    "          \"window\": {\"before\": {\"weeks\": 2}, \"after\": {\"weeks\": 2}}},"
    "  \"labs_C1\": {\"kind\": \"lab\", \"label\": \"Blood tests before C1\", \"arms\": [\"B\"],"
    "          \"anchor\": \"C1\", \"offset\": {\"weeks\": -3},"
    "          \"window\": {\"before\": {\"weeks\": 1}, \"after\": {\"weeks\": 1}},"
    "          \"analytes\": [\"platelets\", \"hemoglobin\"]},"
    "  \"nadir\": {\"kind\": \"lab\", \"label\": \"Nadir\", \"arms\": [\"B\"],"
    "          \"anchor\": \"C1\", \"offset\": {\"weeks\": 6},"
    "          \"window\": {\"before\": {\"weeks\": 2}, \"after\": {\"weeks\": 2}}},"
    "  \"review\": {\"kind\": \"visit\", \"label\": \"Review\", \"anchor\": \"C1\", \"arms\": "
    "[\"B\"],"
    "          \"offset\": {\"days\": 3}, \"window\": {\"before\": {\"days\": 7}, \"after\": "
    "{\"days\": 7}}},"
    "  \"call\": {\"kind\": \"visit\", \"label\": \"Call\", \"anchor\": \"liver_resection\","
    "          \"offset\": {\"days\": 10}, \"window\": {\"before\": {\"days\": 10}, \"after\": "
    "{\"days\": 5}},"
    "          \"not_before\": [\"randomisation\"]},"
    "  \"mri\": {\"kind\": \"imaging\", \"label\": \"Liver MRI\", \"anchor\": \"liver_resection\","
    "          \"offset\": {\"months\": 3}, \"repeat\": {\"every\": {\"months\": 3}, \"count\": 2},"
    "          \"window\": {\"before\": {\"days\": 14}, \"after\": {\"days\": 14}},"
    "          \"modalities\": [\"mri\"]},"
    "  \"pet\": {\"kind\": \"imaging\", \"label\": \"PET\", \"anchor\": \"liver_resection\","
    "          \"offset\": {\"months\": 3}, \"window\": {\"before\": {\"days\": 28}, \"after\": "
    "{\"days\": 28}},"
    "          \"modalities\": [\"ga68\"]},"
    "  \"qol\": {\"kind\": \"questionnaire\", \"label\": \"QLQ-C30\", \"anchor\": "
    "\"randomisation\","
    "          \"offset\": {\"days\": 0}, \"window\": {\"before\": {\"days\": 14}, \"after\": "
    "{\"days\": 14}}},"
    "  \"qol_w1\": {\"kind\": \"questionnaire\", \"label\": \"QLQ-C30 week 1\", \"anchor\": "
    "\"randomisation\","
    "          \"offset\": {\"days\": 7}, \"window\": {\"before\": {\"days\": 14}, \"after\": "
    "{\"days\": 14}}}}}";

static const char *const ARMS[] = {"A", "B"};

static lt_schedule *load(const char *text)
{
    lt_json *j = NULL;
    lt_schedule *s = NULL;
    lt_error err;
    CHECK_INT(lt_json_parse(text, strlen(text), "test", &j, &err), LT_OK);
    if (j) CHECK_MSG(lt_schedule_parse(j, "test", ARMS, 2, &s, &err) == LT_OK, "%s", err.message);
    lt_json_free(j);
    return s;
}

/* One step of a sequence: what the patient's record holds, and what one entry must show. */
typedef struct want {
    const char *entry;
    lt_visit_status status;
    const char *earliest, *latest, *record; /* NULL: not checked; "none": none */
} want;

typedef struct seqcase {
    const char *name;
    const char *arm, *rand, *c1, *as_of;
    lt_sched_record recs[6];
    size_t nrecs;
    want w[4];
} seqcase;

#define LAB(d, a, id)                                                                              \
    {                                                                                              \
        LT_SCHED_LAB, D(d), id, a                                                                  \
    }

static void run_case(const lt_schedule *s, const seqcase *k)
{
    lt_named_date an[2] = {{"liver_resection", D("2026-01-10")}, {"randomisation", LT_DATE_NONE}};
    size_t nan = 1;
    if (k->rand) an[nan++] = (lt_named_date){"randomisation", D(k->rand)};
    lt_sched_actual act[1] = {{"C1", k->c1 ? D(k->c1) : LT_DATE_NONE, NULL}};
    lt_schedule_input in = {k->arm,        an,   nan, act,
                            k->c1 ? 1 : 0, NULL, 0,   k->as_of ? D(k->as_of) : LT_DATE_NONE};
    lt_calendar *c = NULL;
    lt_error err;
    CHECK_MSG(lt_schedule_compute_records(s, &in, k->recs, k->nrecs, &c, &err) == LT_OK, "%s: %s",
              k->name, err.message);
    for (size_t i = 0; c && i < 4 && k->w[i].entry; i++) {
        const want *w = &k->w[i];
        const lt_visit *v = find(c, w->entry);
        CHECK_MSG(v != NULL, "%s: no entry %s", k->name, w->entry);
        if (!v) continue;
        CHECK_MSG(v->status == w->status, "%s: %s is %s, expected %s", k->name, w->entry,
                  lt_visit_status_name(v->status), lt_visit_status_name(w->status));
        char e[LT_DATE_STR_MAX] = "none", l[LT_DATE_STR_MAX] = "none";
        if (v->earliest != LT_DATE_NONE) lt_date_format(v->earliest, e);
        if (v->latest != LT_DATE_NONE) lt_date_format(v->latest, l);
        if (w->earliest)
            CHECK_MSG(!strcmp(e, w->earliest), "%s: %s opens %s, expected %s", k->name, w->entry, e,
                      w->earliest);
        if (w->latest)
            CHECK_MSG(!strcmp(l, w->latest), "%s: %s closes %s, expected %s", k->name, w->entry, l,
                      w->latest);
        if (w->record)
            CHECK_MSG(!strcmp(v->record ? v->record : "none", w->record),
                      "%s: %s satisfied by %s, expected %s", k->name, w->entry,
                      v->record ? v->record : "none", w->record);
    }
    lt_calendar_free(c);
}

static void test_sequences(void)
{
    /* Resection 2026-01-10: C1 2026-02-21 (2026-02-07..2026-03-07); labs_C1 3 weeks before C1:
     * 2026-01-31 (2026-01-24..2026-02-07). */
    const seqcase cases[] = {
        {"randomised before the labs window: unchanged, a complete panel inside it is done",
         "B",
         "2026-01-20",
         NULL,
         "2026-03-01",
         {LAB("2026-01-30", "platelets", "p/2026-01-30/platelets"),
          LAB("2026-01-30", "hemoglobin", "p/2026-01-30/hemoglobin")},
         2,
         {{"labs_C1", LT_VISIT_DONE, "2026-01-24", "2026-02-07", "p/2026-01-30/platelets"}}},
        {"a panel missing an analyte does not count: overdue once the window closed",
         "B",
         "2026-01-20",
         NULL,
         "2026-03-01",
         {LAB("2026-01-30", "platelets", "p1")},
         1,
         {{"labs_C1", LT_VISIT_OVERDUE, "2026-01-24", "2026-02-07", "none"}}},
        {"labs outside the window: overdue, not done",
         "B",
         "2026-01-20",
         NULL,
         "2026-03-01",
         {LAB("2026-02-10", "platelets", "p1"), LAB("2026-02-10", "hemoglobin", "p2")},
         2,
         {{"labs_C1", LT_VISIT_OVERDUE, NULL, NULL, "none"}}},
        {"as of a day before the window closes the entry is still planned",
         "B",
         "2026-01-20",
         NULL,
         "2026-02-07",
         {{0}},
         0,
         {{"labs_C1", LT_VISIT_PLANNED, NULL, NULL, "none"}}},
        {"a record dated after the as-of day is not seen yet",
         "B",
         "2026-01-20",
         NULL,
         "2026-02-01",
         {LAB("2026-02-03", "platelets", "p1"), LAB("2026-02-03", "hemoglobin", "p2")},
         2,
         {{"labs_C1", LT_VISIT_PLANNED, NULL, NULL, "none"}}},
        {"NELMAS arm B: randomised 2026-02-14, after the labs window: it opens on randomisation "
         "and closes a week later, never after C1; earlier labs do not count",
         "B",
         "2026-02-14",
         NULL,
         "2026-03-01",
         {LAB("2026-02-05", "platelets", "early"), LAB("2026-02-05", "hemoglobin", "early2"),
          LAB("2026-02-16", "platelets", "late"), LAB("2026-02-16", "hemoglobin", "late2")},
         4,
         {{"labs_C1", LT_VISIT_DONE, "2026-02-14", "2026-02-21", "late"},
          {"C1", LT_VISIT_PLANNED, "2026-02-14", "2026-03-07", NULL}}},
        {"randomised 2026-02-14 with C1 given 2026-02-17: the moved window stops at C1",
         "B",
         "2026-02-14",
         "2026-02-17",
         "2026-02-20",
         {{0}},
         0,
         {{"labs_C1", LT_VISIT_OVERDUE, "2026-02-14", "2026-02-17", "none"},
          {"C1", LT_VISIT_DONE, NULL, NULL, NULL}}},
        {"arm A has no arm-B entries; an item for every arm is not tied to randomisation unless "
         "it says so (the call: not before randomisation 2026-01-15)",
         "A",
         "2026-01-15",
         NULL,
         "2026-01-16",
         {{0}},
         0,
         {{"call", LT_VISIT_PLANNED, "2026-01-15", "2026-01-25", NULL},
          {"qol", LT_VISIT_PLANNED, "2026-01-01", "2026-01-29", NULL}}},
        {"an entry after a cycle never opens before it (review: C1 + 3 days, 7 days before)",
         "B",
         "2026-01-20",
         "2026-02-20",
         "2026-02-20",
         {{0}},
         0,
         {{"review", LT_VISIT_PLANNED, "2026-02-20", "2026-03-02", NULL}}},
        {"one day's labs satisfy one lab entry: the nadir window (C1 + 4..8 weeks) holds only a "
         "later panel",
         "B",
         "2026-01-20",
         "2026-02-20",
         "2026-05-01",
         {LAB("2026-03-25", "platelets", "n1"), LAB("2026-03-25", "wbc", "n2")},
         2,
         {{"nadir", LT_VISIT_DONE, "2026-03-20", "2026-04-17", "n1"},
          {"labs_C1", LT_VISIT_OVERDUE, NULL, NULL, "none"}}},
        {"imaging counts only its modalities: the PET is not the MRI, mri_liver is an MRI",
         "A",
         "2026-01-15",
         NULL,
         "2026-08-01",
         {{LT_SCHED_IMAGING, D("2026-04-12"), "pet1", "ga68_dotatate_pet"},
          {LT_SCHED_IMAGING, D("2026-07-09"), "mri2", "mri_liver"}},
         2,
         {{"pet", LT_VISIT_DONE, NULL, NULL, "pet1"},
          {"mri.1", LT_VISIT_OVERDUE, NULL, NULL, "none"},
          {"mri.2", LT_VISIT_DONE, NULL, NULL, "mri2"}}},
        {"the first day of the moved window counts (a panel on the randomisation day), and a "
         "record dated on the as-of day is seen",
         "B",
         "2026-02-14",
         NULL,
         "2026-02-14",
         {LAB("2026-02-14", "platelets", "first"), LAB("2026-02-14", "hemoglobin", "first2")},
         2,
         {{"labs_C1", LT_VISIT_DONE, "2026-02-14", "2026-02-21", "first"}}},
        {"the last day of a window counts (the questionnaire 14 days after randomisation)",
         "A",
         "2026-01-15",
         NULL,
         "2026-03-01",
         {{LT_SCHED_QUESTIONNAIRE, D("2026-01-29"), "q-last", "qlq_c30"},
          {LT_SCHED_QUESTIONNAIRE, D("2026-01-30"), "q-after", "qlq_c30"}},
         2,
         {{"qol", LT_VISIT_DONE, "2026-01-01", "2026-01-29", "q-last"}}},
        {"overlapping windows: the entry listed first takes the record, the next needs another",
         "A",
         "2026-01-15",
         NULL,
         "2026-03-01",
         {{LT_SCHED_QUESTIONNAIRE, D("2026-01-20"), "q1", "qlq_c30"}},
         1,
         {{"qol", LT_VISIT_DONE, NULL, NULL, "q1"},
          {"qol_w1", LT_VISIT_OVERDUE, NULL, NULL, "none"}}},
        {"overlapping windows, two records: one each, in date order",
         "A",
         "2026-01-15",
         NULL,
         "2026-03-01",
         {{LT_SCHED_QUESTIONNAIRE, D("2026-01-25"), "q2", "qlq_c30"},
          {LT_SCHED_QUESTIONNAIRE, D("2026-01-20"), "q1", "qlq_c30"}},
         2,
         {{"qol", LT_VISIT_DONE, NULL, NULL, "q1"}, {"qol_w1", LT_VISIT_DONE, NULL, NULL, "q2"}}},
        {"a questionnaire inside the window is done without an actual date",
         "A",
         "2026-01-15",
         NULL,
         "2026-03-01",
         {{LT_SCHED_QUESTIONNAIRE, D("2026-01-20"), "q1", "qlq_c30"}},
         1,
         {{"qol", LT_VISIT_DONE, NULL, NULL, "q1"}}},
    };
    lt_schedule *s = load(SPEC);
    if (!s) return;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(s, &cases[i]);
    lt_schedule_free(s);
}

static void test_bad_items(void)
{
    static const struct {
        const char *item, *path, *msg;
    } bad[] = {
        {"{\"kind\": \"visit\", \"label\": \"x\", \"anchor\": \"r\", \"offset\": {\"days\": 0},"
         " \"window\": {\"before\": {\"days\": 0}, \"after\": {\"days\": 0}}, \"analytes\": "
         "[\"platelets\"]}",
         "test.items.x.analytes", "\"analytes\" is for items of kind lab"},
        {"{\"kind\": \"lab\", \"label\": \"x\", \"anchor\": \"r\", \"offset\": {\"days\": 0},"
         " \"window\": {\"before\": {\"days\": 0}, \"after\": {\"days\": 0}}, \"modalities\": "
         "[\"ct\"]}",
         "test.items.x.modalities", "\"modalities\" is for items of kind imaging"},
        {"{\"kind\": \"lab\", \"label\": \"x\", \"anchor\": \"r\", \"offset\": {\"days\": 0},"
         " \"window\": {\"before\": {\"days\": 0}, \"after\": {\"days\": 0}}, \"not_before\": "
         "[\"surgery\"]}",
         "test.items.x.not_before[0]", "expected an anchor event or an item id, found \"surgery\""},
        {"{\"kind\": \"lab\", \"label\": \"x\", \"anchor\": \"r\", \"offset\": {\"days\": 0},"
         " \"window\": {\"before\": {\"days\": 0}, \"after\": {\"days\": 0}}, \"analytes\": []}",
         "test.items.x.analytes", "expected a non-empty array"},
        {"{\"kind\": \"lab\", \"label\": \"x\", \"anchor\": \"r\", \"offset\": {\"days\": 0},"
         " \"window\": {\"before\": {\"days\": 0}, \"after\": {\"days\": 0}}, \"analytes\": [3]}",
         "test.items.x.analytes[0]", "found a number"},
        {"{\"kind\": \"lab\", \"label\": \"x\", \"anchor\": \"r\", \"offset\": {\"days\": 0},"
         " \"window\": {\"before\": {\"days\": 0}, \"after\": {\"days\": 0}}, \"analytes\": "
         "[\"platelets\", \"platelet\"]}",
         "test.items.x.analytes[1]",
         "expected a lab concept of docs/patient-format.md (\"platelets\", \"hemoglobin\", ...), "
         "found \"platelet\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "{\"anchors\": {\"r\": {\"label\": \"R\"}}, \"items\": {\"x\": %s}}", bad[i].item);
        lt_json *j = NULL;
        lt_schedule *s = NULL;
        lt_error err;
        lt_error_clear(&err);
        CHECK_INT(lt_json_parse(text, strlen(text), "test", &j, &err), LT_OK);
        CHECK_INT(lt_schedule_parse(j, "test", ARMS, 2, &s, &err), LT_ESCHEMA);
        CHECK_MSG(!strcmp(err.where, bad[i].path), "where %s, expected %s", err.where, bad[i].path);
        CHECK_MSG(strstr(err.message, bad[i].msg) != NULL, "message \"%s\" lacks \"%s\"",
                  err.message, bad[i].msg);
        lt_schedule_free(s);
        lt_json_free(j);
    }
}

/* ---- the property check ---- */

/* splitmix64: a seeded generator of the test's own, so the histories are the same everywhere */
static uint64_t next(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int rnd(uint64_t *x, int lo, int hi)
{
    return lo + (int)(next(x) % (uint64_t)(hi - lo + 1));
}

static lt_schedule *protocol_schedule(const char *name, const char **arms, size_t *narms)
{
    const char *src = getenv("SRC");
    char path[512];
    snprintf(path, sizeof path, "%s/protocols/%s.json", src ? src : ".", name);
    lt_protocol *p = NULL;
    lt_schedule *s = NULL;
    lt_error err;
    CHECK_MSG(lt_protocol_load(path, NULL, &p, &err) == LT_OK, "%s: %s", path, err.message);
    if (!p) return NULL;
    CHECK_MSG(lt_schedule_from_protocol(p, &s, &err) == LT_OK, "%s: %s", name, err.message);
    *narms = 0;
    for (size_t i = 0; i < lt_protocol_arm_count(p) && i < 4; i++)
        arms[(*narms)++] = strdup(lt_protocol_arm(p, i)->id);
    lt_protocol_free(p);
    return s;
}

static size_t violations;

#define PROP(cond, ...)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            if (violations++ < 5) {                                                                \
                printf("property: ");                                                              \
                printf(__VA_ARGS__);                                                               \
                printf("\n");                                                                      \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* The entries every arm's calendar holds; the others belong to some arms only, and so can
 * only be done once the patient is randomised. Found from the calendars themselves, so the
 * property does not trust the fields it checks. */
typedef struct shared_ids {
    char ids[160][32];
    size_t n;
} shared_ids;

static bool is_shared(const shared_ids *sh, const char *id)
{
    for (size_t i = 0; i < sh->n; i++)
        if (!strcmp(sh->ids[i], id)) return true;
    return false;
}

static void find_shared(const lt_schedule *s, const char *const *arms, size_t narms,
                        const lt_named_date *an, size_t nan, shared_ids *sh)
{
    lt_calendar *c[4] = {NULL};
    lt_error err;
    for (size_t a = 0; a < narms; a++) {
        lt_schedule_input in = {arms[a], an, nan, NULL, 0, NULL, 0, LT_DATE_NONE};
        CHECK_INT(lt_schedule_compute(s, &in, &c[a], &err), LT_OK);
    }
    sh->n = 0;
    for (size_t i = 0; c[0] && i < c[0]->n && sh->n < 160; i++) {
        bool all = true;
        for (size_t a = 1; a < narms; a++)
            all = all && find(c[a], c[0]->visits[i].id) != NULL;
        if (all) snprintf(sh->ids[sh->n++], sizeof sh->ids[0], "%s", c[0]->visits[i].id);
    }
    for (size_t a = 0; a < narms; a++)
        lt_calendar_free(c[a]);
}

static void check_calendar(const lt_calendar *c, const lt_sched_record *recs, size_t nrecs,
                           lt_date rand, lt_date as_of, const shared_ids *sh, const char *what)
{
    size_t *used = calloc(nrecs + 1, sizeof *used);
    for (size_t i = 0; i < c->n; i++) {
        const lt_visit *v = &c->visits[i];
        if (v->target == LT_DATE_NONE) continue;
        bool forward = strstr(v->note ? v->note : "", "brought forward") != NULL;
        /* an entry of some arms only opens on or after the randomisation */
        if (!is_shared(sh, v->id) && !forward && v->status != LT_VISIT_CANCELLED)
            PROP(v->earliest >= rand, "%s %s (arm %s) opens %d before randomisation %d", what,
                 v->id, c->arm, v->earliest, rand);
        /* an entry after the cycle it is anchored to opens on or after it */
        if (find(c, v->anchor) && v->target >= v->anchor_date && !forward &&
            v->status != LT_VISIT_CANCELLED)
            PROP(v->earliest >= v->anchor_date, "%s %s opens %d before its anchor %s %d", what,
                 v->id, v->earliest, v->anchor, v->anchor_date);
        PROP(v->earliest <= v->target && v->target <= v->latest,
             "%s %s: window %d..%d does not hold its target %d", what, v->id, v->earliest,
             v->latest, v->target);
        if (v->not_before != LT_DATE_NONE && v->status != LT_VISIT_CANCELLED &&
            !strstr(v->note ? v->note : "", "brought forward"))
            PROP(v->earliest >= v->not_before && v->target >= v->not_before,
                 "%s %s opens %d before %s on %d", what, v->id, v->earliest, v->not_before_by,
                 v->not_before);
        /* what is placed before its anchor (blood tests before a cycle) closes by it once
         * moved: an entry after its anchor has its target on or after it */
        if (v->clamped && v->anchor_date != LT_DATE_NONE && v->target < v->anchor_date)
            PROP(v->latest <= v->anchor_date, "%s %s closes after its anchor", what, v->id);
        if (v->record) {
            PROP(v->actual >= v->earliest && v->actual <= v->latest && v->actual <= as_of,
                 "%s %s satisfied outside its window", what, v->id);
            for (size_t r = 0; r < nrecs; r++)
                if (!strcmp(recs[r].id, v->record)) used[r]++;
        }
    }
    for (size_t r = 0; r < nrecs; r++)
        PROP(used[r] <= 1, "%s: record %s satisfies %zu entries", what, recs[r].id, used[r]);
    free(used);
}

static void test_property(void)
{
    static const struct {
        const char *file, *anchor; /* the anchor besides randomisation */
    } files[] = {{"nelmas", "liver_resection"}, {"nct04544098", NULL}, {"net-retreat", NULL}};
    static const char *const analytes[] = {"hemoglobin", "wbc", "platelets", "creatinine",
                                           "alt",        "ast", "albumin",   "bilirubin"};
    static const char *const modalities[] = {"ct", "mri_liver", "ga68_dotatate_pet", "cu64_pet"};
    uint64_t seed = 20261203;
    size_t histories = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        const char *arms[4] = {NULL};
        size_t narms = 0;
        lt_schedule *s = protocol_schedule(files[f].file, arms, &narms);
        static shared_ids sh;
        lt_named_date fixed[2] = {
            {files[f].anchor ? files[f].anchor : "randomisation", D("2026-01-05")},
            {"randomisation", D("2026-01-05")}};
        if (s) find_shared(s, arms, narms, fixed, 2, &sh);
        for (int h = 0; s && h < 400; h++) {
            lt_date base = D("2026-01-05") + rnd(&seed, 0, 400);
            lt_date rand = base + rnd(&seed, 0, 90);
            lt_named_date an[2];
            size_t nan = 0;
            if (files[f].anchor) an[nan++] = (lt_named_date){files[f].anchor, base};
            an[nan++] = (lt_named_date){"randomisation", rand};
            /* cycles given on random days from randomisation on, each after the one before */
            lt_sched_actual act[4];
            size_t nact = 0;
            lt_date day = rand;
            static const char *const cyc[] = {"C1", "C2", "C3", "C4"};
            int ncyc = rnd(&seed, 0, 4);
            const char *arm = arms[rnd(&seed, 0, (int)narms - 1)];
            bool cycles = strcmp(files[f].file, "net-retreat")
                              ? !strcmp(arm, files[f].anchor ? "B" : "A")
                              : !strcmp(arm, "1");
            int maxc = !strcmp(files[f].file, "nct04544098") ? 4 : 2;
            for (int k = 0; cycles && k < ncyc && k < maxc; k++) {
                day += rnd(&seed, k ? 40 : 0, k ? 120 : 40);
                act[nact++] = (lt_sched_actual){cyc[k], day, NULL};
            }
            lt_named_date ev[1];
            size_t nev = 0;
            if (rnd(&seed, 0, 3) == 0)
                ev[nev++] = (lt_named_date){files[f].anchor ? "recurrence" : "progression",
                                            rand + rnd(&seed, 0, 700)};
            lt_sched_record recs[40];
            char ids[40][32];
            size_t nrecs = 0;
            while (nrecs < 40 && rnd(&seed, 0, 9)) {
                lt_date rd = base + rnd(&seed, -60, 900);
                int kind = rnd(&seed, 0, 2);
                snprintf(ids[nrecs], sizeof ids[nrecs], "r%zu", nrecs);
                if (kind == 0) /* a whole panel that day */
                    for (size_t a = 0; a < 8 && nrecs < 40; a++) {
                        snprintf(ids[nrecs], sizeof ids[nrecs], "r%zu", nrecs);
                        recs[nrecs] = (lt_sched_record){LT_SCHED_LAB, rd, ids[nrecs], analytes[a]};
                        nrecs++;
                    }
                else if (kind == 1)
                    recs[nrecs] = (lt_sched_record){LT_SCHED_IMAGING, rd, ids[nrecs],
                                                    modalities[rnd(&seed, 0, 3)]},
                    nrecs++;
                else
                    recs[nrecs] =
                        (lt_sched_record){LT_SCHED_QUESTIONNAIRE, rd, ids[nrecs], "qlq_c30"},
                    nrecs++;
            }
            lt_date as_of = rand + rnd(&seed, 0, 1200);
            lt_schedule_input in = {arm, an, nan, act, nact, ev, nev, as_of};
            lt_calendar *c = NULL;
            lt_error err;
            lt_status rc = lt_schedule_compute_records(s, &in, recs, nrecs, &c, &err);
            PROP(rc == LT_OK, "%s history %d: %s", files[f].file, h, err.message);
            if (c) check_calendar(c, recs, nrecs, rand, as_of, &sh, files[f].file);
            lt_calendar_free(c);
            histories++;
        }
        lt_schedule_free(s);
        for (size_t i = 0; i < narms; i++)
            free((char *)arms[i]);
    }
    CHECK_INT(histories, 1200);
    CHECK_MSG(violations == 0, "%zu property violations over %zu histories", violations, histories);
}

int main(void)
{
    test_sequences();
    test_bad_items();
    test_property();
    return lt_test_done();
}
