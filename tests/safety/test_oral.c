/* The oral-drug rules over a patient's history (include/lutetia/oral.h), with NET RETREAT's
 * everolimus table read from protocols/net-retreat.json: decisions over sequences of events
 * and toxicities as a table of cases, compliance per dispensing period worked by hand, the
 * reader's refusals with their paths, and a seeded property check over many random histories
 * (the same answer when asked again, never a resumption above what the table allows, no dose
 * ever raised, no grade >= 3 toxicity passed over). */
#include <stdint.h>
#include <stdlib.h>
#include "lt_test.h"
#include "lutetia.h"

/* the case table leaves trailing members out where they are zero, as designated rows would */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static lt_oral_spec spec;

static lt_date D(const char *s)
{
    lt_date d = LT_DATE_NONE;
    lt_date_parse(s, false, &d);
    return d;
}

static void load_spec(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/protocols/net-retreat.json", getenv("SRC") ? getenv("SRC") : ".");
    lt_protocol *p = NULL;
    lt_error err;
    CHECK(lt_protocol_load(path, NULL, &p, &err) == LT_OK);
    lt_oral_spec *all = calloc(LT_ORAL_MAX_ARMS, sizeof *all);
    size_t n = 0;
    CHECK(all && lt_oral_specs_from_arms(lt_protocol_section(p, "arms"), all, LT_ORAL_MAX_ARMS,
                                         &n, &err) == LT_OK);
    CHECK_INT(n, 1);
    if (n) spec = all[0];
    CHECK_STR(spec.arm, "2");
    CHECK_STR(spec.name, "everolimus");
    CHECK_REL(spec.daily_dose_mg, 10, 0);
    CHECK_INT(spec.nstrengths, 4);
    CHECK_INT(spec.dispensing_interval_days, 28);
    CHECK_STR(spec.start_entry, "everolimus_start");
    free(all);
    lt_protocol_free(p);
}

/* ---- decisions over sequences ---- */

#define MAXE 12
typedef struct ev_row {
    const char *type, *date;
    double dose;
    const char *cat;
    int grade;
} ev_row;
typedef struct tox_row {
    const char *term;
    int grade;
    const char *start, *end;
    bool lab;
} tox_row;
typedef struct decide_case {
    const char *name;
    ev_row ev[MAXE];
    tox_row tox[MAXE];
    const char *on;
    const char *action;
    double dose;
    const char *category;
    bool recurrence;
} decide_case;

static const decide_case cases[] = {
    {"nothing: continue at 10", {{"start", "2026-01-01", 10}}, {{0}}, "2026-01-05", "continue", 10},
    {"grade 1 stomatitis: continue", {{"start", "2026-01-01", 10}},
     {{"Stomatitis", 1, "2026-01-03", NULL}}, "2026-01-05", "continue", 10},
    {"grade 2 stomatitis, first: interrupt, resume at the same dose",
     {{"start", "2026-01-01", 10}}, {{"stomatitis", 2, "2026-01-03", NULL}}, "2026-01-05",
     "interrupt", 0, "stomatitis"},
    {"grade 2 stomatitis resolved: resume at the same dose",
     {{"start", "2026-01-01", 10}, {"interrupt", "2026-01-03", 0, "stomatitis", 2}},
     {{"stomatitis", 2, "2026-01-03", "2026-01-08"}}, "2026-01-09", "resume_same", 10,
     "stomatitis"},
    {"grade 2 stomatitis still there: stay interrupted",
     {{"start", "2026-01-01", 10}, {"interrupt", "2026-01-03", 0, "stomatitis", 2}},
     {{"stomatitis", 2, "2026-01-03", NULL}}, "2026-01-09", "interrupt", 0, "stomatitis"},
    {"grade 2 stomatitis recurs: resumed 50% lower",
     {{"start", "2026-01-01", 10},
      {"interrupt", "2026-01-03", 0, "stomatitis", 2},
      {"resume", "2026-01-09", 10},
      {"interrupt", "2026-02-01", 0, "stomatitis", 2}},
     {{"stomatitis", 2, "2026-01-03", "2026-01-08"}, {"stomatitis", 2, "2026-02-01", "2026-02-05"}},
     "2026-02-06", "resume_reduced", 5, "stomatitis", true},
    {"grade 3 pneumonitis: interrupt", {{"start", "2026-01-01", 10}},
     {{"Non-infectious pneumonitis", 3, "2026-01-03", NULL}}, "2026-01-04", "interrupt", 0,
     "pneumonitis"},
    {"grade 2 pneumonitis resumes 50% lower",
     {{"start", "2026-01-01", 10}, {"interrupt", "2026-01-03", 0, "pneumonitis", 2}},
     {{"pneumonitis", 2, "2026-01-03", "2026-01-20"}}, "2026-01-21", "resume_reduced", 5,
     "pneumonitis"},
    {"grade 2 pneumonitis interrupted more than 4 weeks: discontinue",
     {{"start", "2026-01-01", 10}, {"interrupt", "2026-01-03", 0, "pneumonitis", 2}},
     {{"pneumonitis", 2, "2026-01-03", NULL}}, "2026-02-01", "discontinue", 0, "pneumonitis"},
    {"grade 4 anything: discontinue", {{"start", "2026-01-01", 10}},
     {{"Diarrhea", 4, "2026-01-03", NULL}}, "2026-01-03", "discontinue", 0, "other"},
    {"grade 2 other: continue (tolerable unless the investigator interrupts)",
     {{"start", "2026-01-01", 10}}, {{"Fatigue", 2, "2026-01-03", NULL}}, "2026-01-04",
     "continue", 10},
    {"platelets grade 2 from a lab: interrupt",
     {{"start", "2026-01-01", 10}}, {{"platelets", 2, "2026-01-10", NULL, true}}, "2026-01-11",
     "interrupt", 0, "thrombocytopenia"},
    {"a platelet lab no longer holds after the next result",
     {{"start", "2026-01-01", 10}}, {{"platelets", 3, "2026-01-10", "2026-01-13", true}},
     "2026-01-14", "continue", 10},
    {"neutrophils grade 3 resume at grade 2, same dose",
     {{"start", "2026-01-01", 10}, {"interrupt", "2026-01-10", 0, "neutropenia", 3}},
     {{"neutrophils", 2, "2026-01-15", NULL, true}}, "2026-01-16", "resume_same", 10,
     "neutropenia"},
    {"metabolic grade 3 at 5 mg resumes at 2.5",
     {{"start", "2026-01-01", 10}, {"dose", "2026-01-05", 5},
      {"interrupt", "2026-01-10", 0, "metabolic", 3}},
     {{"Hyperglycemia", 3, "2026-01-10", "2026-01-12"}}, "2026-01-13", "resume_reduced", 2.5,
     "metabolic"},
    {"a reduction below 2.5 mg discontinues",
     {{"start", "2026-01-01", 2.5}, {"interrupt", "2026-01-10", 0, "metabolic", 3}},
     {{"Hyperglycemia", 3, "2026-01-10", "2026-01-12"}}, "2026-01-13", "discontinue", 0,
     "metabolic"},
    {"grade 3 recurrence after a reduction: discontinue",
     {{"start", "2026-01-01", 10},
      {"interrupt", "2026-01-03", 0, "stomatitis", 3},
      {"resume", "2026-01-12", 5}},
     {{"stomatitis", 3, "2026-01-03", "2026-01-11"}, {"Stomatitis", 3, "2026-02-01", NULL}},
     "2026-02-01", "discontinue", 0, "stomatitis", true},
    {"another category's grade 3 after a stomatitis episode is no recurrence",
     {{"start", "2026-01-01", 10},
      {"interrupt", "2026-01-03", 0, "stomatitis", 3},
      {"resume", "2026-01-12", 5}},
     {{"stomatitis", 3, "2026-01-03", "2026-01-11"}, {"Rash", 3, "2026-02-01", NULL}},
     "2026-02-01", "interrupt", 0, "other", false},
    {"an interruption for another reason resumes at the same dose",
     {{"start", "2026-01-01", 10}, {"dose", "2026-01-02", 7.5}, {"interrupt", "2026-01-05"}},
     {{0}}, "2026-01-08", "resume_same", 7.5},
    {"the worst category decides",
     {{"start", "2026-01-01", 10}},
     {{"stomatitis", 2, "2026-01-03", NULL}, {"pneumonitis", 4, "2026-01-03", NULL}},
     "2026-01-04", "discontinue", 0, "pneumonitis"},
};

static size_t build(const decide_case *c, lt_oral_event *ev, lt_oral_tox *tox, size_t *ntox)
{
    size_t n = 0;
    for (; n < MAXE && c->ev[n].type; n++) {
        memset(&ev[n], 0, sizeof ev[n]);
        lt_oral_event_parse(c->ev[n].type, &ev[n].type);
        ev[n].date = D(c->ev[n].date);
        ev[n].dose_mg = c->ev[n].dose;
        snprintf(ev[n].category, sizeof ev[n].category, "%s", c->ev[n].cat ? c->ev[n].cat : "");
        ev[n].grade = c->ev[n].grade;
    }
    *ntox = 0;
    for (size_t i = 0; i < MAXE && c->tox[i].term; i++) {
        lt_oral_tox *t = &tox[(*ntox)++];
        memset(t, 0, sizeof *t);
        snprintf(t->term, sizeof t->term, "%s", c->tox[i].term);
        t->grade = c->tox[i].grade;
        t->start = D(c->tox[i].start);
        t->end = c->tox[i].end ? D(c->tox[i].end) : LT_DATE_NONE;
        t->lab = c->tox[i].lab;
    }
    return n;
}

static void test_sequences(void)
{
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const decide_case *c = &cases[k];
        lt_oral_event ev[MAXE];
        lt_oral_tox tox[MAXE];
        size_t ntox, n = build(c, ev, tox, &ntox);
        lt_oral_decision d;
        lt_error err;
        lt_status st = lt_oral_decide(&spec, ev, n, tox, ntox, D(c->on), &d, &err);
        CHECK_MSG(st == LT_OK, "%s: status %d (%s)", c->name, st, err.message);
        if (st) continue;
        CHECK_MSG(!strcmp(lt_oral_action_name(d.action), c->action), "%s: %s, expected %s (%s)",
                  c->name, lt_oral_action_name(d.action), c->action, d.reason);
        CHECK_MSG(fabs(d.dose_mg - c->dose) < 1e-9, "%s: dose %g, expected %g", c->name,
                  d.dose_mg, c->dose);
        if (c->category)
            CHECK_MSG(!strcmp(d.category, c->category), "%s: category %s, expected %s", c->name,
                      d.category, c->category);
        CHECK_MSG(d.recurrence == c->recurrence, "%s: recurrence %d", c->name, d.recurrence);
    }
}

static void test_refusals(void)
{
    lt_oral_event ev[3] = {{.type = LT_ORAL_EV_STOP, .date = D("2026-01-01")}};
    lt_oral_decision d;
    lt_error err;
    lt_oral_state st;
    /* a stop before any start */
    CHECK(lt_oral_replay(ev, 1, D("2026-02-01"), &st, &err) == LT_ESTATE);
    CHECK(strstr(err.message, "the drug has not been started") != NULL);
    CHECK(lt_oral_decide(&spec, NULL, 0, NULL, 0, D("2026-01-01"), &d, &err) == LT_ESTATE);
    /* out of date order */
    ev[0] = (lt_oral_event){.type = LT_ORAL_EV_START, .date = D("2026-01-05"), .dose_mg = 10};
    ev[1] = (lt_oral_event){.type = LT_ORAL_EV_STOP, .date = D("2026-01-03")};
    CHECK(lt_oral_replay(ev, 2, D("2026-02-01"), &st, &err) == LT_EINVAL);
    /* a resume without an interruption, anything but a return after the stop */
    ev[1] = (lt_oral_event){.type = LT_ORAL_EV_RESUME, .date = D("2026-01-06"), .dose_mg = 10};
    CHECK(lt_oral_replay(ev, 2, D("2026-02-01"), &st, &err) == LT_ESTATE);
    ev[1] = (lt_oral_event){.type = LT_ORAL_EV_STOP, .date = D("2026-01-06")};
    ev[2] = (lt_oral_event){.type = LT_ORAL_EV_DISPENSE, .date = D("2026-01-07"), .tablets = 3,
                            .strength_mg = 10};
    CHECK(lt_oral_replay(ev, 3, D("2026-02-01"), &st, &err) == LT_ESTATE);
    CHECK(lt_oral_decide(&spec, ev, 2, NULL, 0, D("2026-01-07"), &d, &err) == LT_ESTATE);
    CHECK(strstr(err.message, "was stopped") != NULL);
    /* reductions: halve, round down to 2.5 mg, nothing below 2.5 */
    CHECK_REL(lt_oral_reduced_dose(&spec, 10), 5, 0);
    CHECK_REL(lt_oral_reduced_dose(&spec, 7.5), 2.5, 0);
    CHECK_REL(lt_oral_reduced_dose(&spec, 5), 2.5, 0);
    CHECK_REL(lt_oral_reduced_dose(&spec, 2.5), 0, 0);
}

/* The reader's refusals: a change to the real table, the path, the words. */
static void test_reader(void)
{
    static const struct {
        const char *patch, *where, *says;
    } rows[] = {
        {"{\"daily_dose_mg\": -1}", "x.daily_dose_mg", "expected a number from 0.001 to 1000, found -1"},
        {"{\"daily_dose_mg\": \"ten\"}", "x.daily_dose_mg", "found \"ten\""},
        {"{\"tablet_strengths_mg\": [5, 2.5]}", "x.tablet_strengths_mg", "ascending"},
        {"{\"tablet_strengths_mg\": [20]}", "x.tablet_strengths_mg", "at most the daily dose"},
        {"{\"dispensing_interval_days\": 0}", "x.dispensing_interval_days", "from 1 to 365"},
        {"{\"reduction_factor\": 1.5}", "x.reduction_factor", "from 0.05 to 0.95"},
        {"{\"modifications\": {\"stomatitis\": {\"5\": {\"first\": \"continue\"}}}}",
         "x.modifications.stomatitis.5", "grade from \"1\" to \"4\""},
        {"{\"modifications\": {\"nausea\": {\"2\": {\"first\": \"continue\"}}}}",
         "x.modifications.nausea", "a category of \"categories\""},
        {"{\"modifications\": {\"stomatitis\": {\"3\": {\"first\": null}}}}",
         "x.modifications.stomatitis.3.first", "what the label prescribes"},
        {"{\"modifications\": {\"stomatitis\": {\"3\": {\"resume_grade\": 7}}}}",
         "x.modifications.stomatitis.3.resume_grade", "from 0 to 3, found 7"},
        {"{\"dose\": 10}", "x.dose", "unknown member \"dose\""},
        {"{\"categories\": {\"odd\": {}}}", "x.categories.odd.terms", "terms or analytes"},
    };
    char path[1024];
    snprintf(path, sizeof path, "%s/protocols/net-retreat.json", getenv("SRC") ? getenv("SRC") : ".");
    lt_protocol *p = NULL;
    lt_error err;
    if (lt_protocol_load(path, NULL, &p, &err) != LT_OK) {
        CHECK(false);
        return;
    }
    const lt_json *od = lt_json_get(lt_json_get(lt_protocol_section(p, "arms"), "2"), "oral_drug");
    lt_oral_spec *s = malloc(sizeof *s);
    for (size_t i = 0; s && i < sizeof rows / sizeof rows[0]; i++) {
        lt_json *copy = lt_json_duplicate(od), *patch = NULL;
        CHECK(lt_json_parse(rows[i].patch, strlen(rows[i].patch), "patch", &patch, &err) == LT_OK);
        CHECK(lt_json_merge_patch(&copy, patch, &err) == LT_OK);
        lt_status st = lt_oral_spec_from_json(copy, "2", "x", s, &err);
        CHECK_MSG(st == LT_ESCHEMA && !strcmp(err.where, rows[i].where) &&
                      strstr(err.message, rows[i].says),
                  "%s: %d at %s: %s", rows[i].patch, st, err.where, err.message);
        lt_json_free(copy);
        lt_json_free(patch);
    }
    free(s);
    lt_protocol_free(p);
}

/* ---- compliance ---- */

static void test_compliance(void)
{
    /* 10 mg from 1 Jan; 30 x 10 mg out on 1 Jan, 2 back on 29 Jan (28 days, 28 taken);
     * 30 out on 29 Jan, interrupted 5-9 Feb (5 days), 5 mg from 10 Feb: back 26 Feb with 18
     * returned and 1 lost: 7 x 1 + 16 x 0.5 = 15 prescribed, 11 taken */
    lt_oral_event ev[] = {
        {.type = LT_ORAL_EV_START, .date = D("2026-01-01"), .dose_mg = 10},
        {.type = LT_ORAL_EV_DISPENSE, .date = D("2026-01-01"), .tablets = 30, .strength_mg = 10},
        {.type = LT_ORAL_EV_DISPENSE, .date = D("2026-01-29"), .tablets = 30, .strength_mg = 10},
        {.type = LT_ORAL_EV_RETURN, .date = D("2026-01-29"), .returned = 2},
        {.type = LT_ORAL_EV_INTERRUPT, .date = D("2026-02-05")},
        {.type = LT_ORAL_EV_RESUME, .date = D("2026-02-10"), .dose_mg = 5},
        {.type = LT_ORAL_EV_RETURN, .date = D("2026-02-26"), .returned = 18, .lost = 1},
        {.type = LT_ORAL_EV_DISPENSE, .date = D("2026-02-26"), .tablets = 30, .strength_mg = 5},
    };
    lt_oral_period *p = NULL;
    size_t n = 0;
    lt_error err;
    CHECK(lt_oral_compliance(ev, sizeof ev / sizeof ev[0], D("2026-03-01"), &p, &n, &err) == LT_OK);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(p[0].days, 28);
        CHECK_REL(p[0].prescribed, 28, 1e-12);
        CHECK_INT(p[0].taken, 28);
        CHECK_REL(p[0].compliance, 1, 1e-12);
        CHECK_INT(p[1].days, 28);
        CHECK_INT(p[1].interruption_days, 5);
        CHECK_REL(p[1].prescribed, 15, 1e-12);
        CHECK_INT(p[1].taken, 11);
        CHECK_REL(p[1].compliance, 11.0 / 15, 1e-12);
        /* open: 26 Feb to 1 Mar inclusive, 4 days of one 5 mg tablet, nothing known taken */
        CHECK(!p[2].returned);
        CHECK_INT(p[2].days, 4);
        CHECK_REL(p[2].prescribed, 4, 1e-12);
        CHECK(isnan(p[2].compliance));
    }
    free(p);
    /* a return with no dispensing out */
    lt_oral_event lone[] = {{.type = LT_ORAL_EV_RETURN, .date = D("2026-01-01"), .returned = 1}};
    CHECK(lt_oral_compliance(lone, 1, D("2026-03-01"), &p, &n, &err) == LT_EINVAL);
}

/* ---- a seeded property check over random histories ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull; /* fixed seed: the same histories every run */
static uint32_t next(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static bool same(const lt_oral_decision *a, const lt_oral_decision *b)
{
    return a->action == b->action && a->dose_mg == b->dose_mg && a->grade == b->grade &&
           a->recurrence == b->recurrence && a->step == b->step &&
           !strcmp(a->category, b->category) && !strcmp(a->reason, b->reason);
}

static void test_property(void)
{
    static const char *const terms[] = {"stomatitis", "pneumonitis", "hyperglycemia", "rash",
                                        "fatigue", "neutropenia", "platelet count decreased",
                                        "febrile neutropenia"};
    enum { HISTORIES = 2000, DAYS = 240, MAXEV = 256, MAXTOX = 64 };
    int bad_repeat = 0, bad_resume = 0, bad_raise = 0, bad_missed = 0, bad_recur = 0;
    long decisions = 0, resumes = 0, discontinued = 0, recurrences = 0;
    lt_oral_event *ev = calloc(MAXEV, sizeof *ev);
    lt_oral_tox *tox = calloc(MAXTOX, sizeof *tox);
    for (int h = 0; ev && tox && h < HISTORIES; h++) {
        lt_date day0 = D("2025-01-01");
        size_t nev = 0, ntox = 0;
        ev[nev++] = (lt_oral_event){.type = LT_ORAL_EV_START, .date = day0, .dose_mg = 10};
        double dose = 10;
        for (int t = 1; t < DAYS && nev < MAXEV - 1; t++) {
            lt_date d = day0 + t;
            if (ntox < MAXTOX && next(12) == 0) {
                lt_oral_tox *x = &tox[ntox++];
                memset(x, 0, sizeof *x);
                snprintf(x->term, sizeof x->term, "%s", terms[next(8)]);
                x->grade = 1 + (int)next(4);
                x->start = d;
                x->end = next(5) ? d + 1 + (lt_date)next(20) : LT_DATE_NONE;
            }
            if (next(3)) continue; /* not every day is a visit */
            lt_oral_decision a, b;
            lt_oral_state st;
            if (lt_oral_decide(&spec, ev, nev, tox, ntox, d, &a, NULL) != LT_OK ||
                lt_oral_replay(ev, nev, d, &st, NULL) != LT_OK)
                break;
            decisions++;
            /* the same history, asked again: the same answer */
            if (lt_oral_decide(&spec, ev, nev, tox, ntox, d, &b, NULL) != LT_OK || !same(&a, &b))
                bad_repeat++;
            /* never above what the table allows */
            if (a.action == LT_ORAL_DO_RESUME_SAME && fabs(a.dose_mg - st.dose_mg) > 1e-9)
                bad_resume++;
            if (a.action == LT_ORAL_DO_RESUME_REDUCED &&
                !(a.dose_mg <= spec.reduction_factor * st.dose_mg + 1e-9 &&
                  a.dose_mg >= spec.min_daily_dose_mg - 1e-9))
                bad_resume++;
            if (a.dose_mg > dose + 1e-9 || a.dose_mg > spec.daily_dose_mg + 1e-9) bad_raise++;
            /* no active toxicity of grade 3 or 4 is passed over */
            if (a.action == LT_ORAL_DO_CONTINUE || a.action == LT_ORAL_DO_RESUME_SAME ||
                a.action == LT_ORAL_DO_RESUME_REDUCED)
                for (size_t i = 0; i < ntox; i++)
                    if (tox[i].grade >= 3 && tox[i].start <= d &&
                        (tox[i].end == LT_DATE_NONE || tox[i].end >= d))
                        bad_missed++;
            /* a recurrence needs an ended interruption for the same category */
            if (a.recurrence) {
                recurrences++;
                bool found = false;
                for (size_t i = 1; i < nev && !found; i++)
                    found = ev[i].type == LT_ORAL_EV_RESUME &&
                            ev[i - 1].type == LT_ORAL_EV_INTERRUPT &&
                            !strcmp(ev[i - 1].category, a.category);
                if (!found) bad_recur++;
            }
            /* the site follows the decision (mostly) */
            if (next(10) == 0) continue;
            lt_oral_event e = {.date = d};
            if (a.action == LT_ORAL_DO_INTERRUPT && !st.interrupted) {
                e.type = LT_ORAL_EV_INTERRUPT;
                snprintf(e.category, sizeof e.category, "%s", a.category);
                e.grade = a.grade;
            } else if (a.action == LT_ORAL_DO_RESUME_SAME || a.action == LT_ORAL_DO_RESUME_REDUCED) {
                e.type = LT_ORAL_EV_RESUME;
                e.dose_mg = a.dose_mg;
                resumes++;
            } else if (a.action == LT_ORAL_DO_DISCONTINUE) {
                e.type = LT_ORAL_EV_STOP;
                discontinued++;
            } else if (a.action == LT_ORAL_DO_CONTINUE && next(40) == 0) {
                e.type = LT_ORAL_EV_INTERRUPT; /* surgery, a holiday: no toxicity */
            } else {
                continue;
            }
            ev[nev++] = e;
            if (e.type == LT_ORAL_EV_RESUME) dose = e.dose_mg;
            if (e.type == LT_ORAL_EV_STOP) break;
        }
    }
    CHECK_INT(bad_repeat, 0);
    CHECK_INT(bad_resume, 0);
    CHECK_INT(bad_raise, 0);
    CHECK_INT(bad_missed, 0);
    CHECK_INT(bad_recur, 0);
    /* the histories exercised every branch */
    CHECK_MSG(decisions > 20000 && resumes > 500 && discontinued > 200 && recurrences > 100,
              "decisions %ld, resumes %ld, discontinued %ld, recurrences %ld", decisions, resumes,
              discontinued, recurrences);
    free(ev);
    free(tox);
}

int main(void)
{
    load_spec();
    test_sequences();
    test_refusals();
    test_reader();
    test_compliance();
    test_property();
    return lt_test_done();
}
