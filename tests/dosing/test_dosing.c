/* Tests of the dosing module: the nuclide table, decay arithmetic, the volume to draw, the
 * administered activity and its checks, the cumulative ledger, and the JSON records.
 * Reference numbers: DOMAIN.md's check value (7,400 MBq one day after calibration is 6,667
 * MBq) and values computed independently with Python (A0 * 2 ** (-t / T1/2)). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/dosing.h"
#include "lutetia/patient.h"

static lt_time T(const char *s)
{
    lt_time t = 0;
    if (!lt_time_parse(s, &t)) printf("FAIL bad time in test: %s\n", s);
    return t;
}

static lt_nuclide_table *load_table(void)
{
    lt_nuclide_table *t = NULL;
    lt_error err;
    char path[4096];
    snprintf(path, sizeof path, "%s/data/nuclides.json", getenv("SRC") ? getenv("SRC") : ".");
    lt_status st = lt_nuclide_table_load(path, &t, &err);
    CHECK_MSG(st == LT_OK, "loading %s: %s: %s", path, err.where, err.message);
    return t;
}

static void test_nuclides(lt_nuclide_table *t)
{
    const lt_nuclide *lu = lt_nuclide_find(t, "Lu-177");
    CHECK(lu != NULL);
    if (!lu) return;
    CHECK_REL(lu->half_life_days, 6.647, 1e-15);
    CHECK(lt_nuclide_find(t, "177Lu") == lu);
    CHECK(lt_nuclide_find(t, "lu-177") == lu);
    CHECK(lt_nuclide_find(t, "I-131") == NULL);
    /* the decay constant DOMAIN.md quotes: 0.104280 per day */
    CHECK_ABS(M_LN2 / lu->half_life_days, 0.104280, 5e-7);
    const lt_nuclide *ga = lt_nuclide_find(t, "Ga-68");
    CHECK(ga != NULL);
    if (ga) CHECK_REL(ga->half_life_days, 67.71 / 1440.0, 1e-15); /* minutes converted */

    /* the default data folder is found (LT_DATA_DIR_SOURCE in a build from the tree) */
    lt_nuclide_table *dflt = NULL;
    lt_error err;
    CHECK(lt_nuclide_table_load(NULL, &dflt, &err) == LT_OK);
    CHECK(lt_nuclide_find(dflt, "Lu-177") != NULL);
    lt_nuclide_table_free(dflt);
    lt_nuclide_table_free(NULL);
}

/* Bad tables fail with the place and what was expected. */
static void test_bad_tables(void)
{
    static const struct {
        const char *text;
        const char *where, *message;
    } cases[] = {
        {"{\"nuclides\": []}", "t.json:1:14 (nuclides)", "non-empty array"},
        {"{\"nuclides\": [{\"id\": \"X\", \"half_life\": -1, \"half_life_unit\": \"d\"}]}",
         "nuclides[0].half_life", "positive number"},
        {"{\"nuclides\": [{\"id\": \"X\", \"half_life\": 1, \"half_life_unit\": \"y\"}]}",
         "nuclides[0].half_life_unit", "found \"y\""},
        {"{\"nuclides\": [{\"half_life\": 1, \"half_life_unit\": \"d\"}]}", "nuclides[0]",
         "\"id\""},
        {"{\"nuclides\": [{\"id\": \"X\", \"half_life\": 1, \"half_life_unit\": \"d\"},\n"
         " {\"id\": \"x\", \"half_life\": 2, \"half_life_unit\": \"d\"}]}",
         "t.json:2:9 (nuclides[1].id)", "listed twice"},
        {"{\"nuclides\": [", "t.json:1:", "expected"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_nuclide_table *t = (lt_nuclide_table *)&cases; /* must stay untouched */
        lt_error err;
        lt_error_clear(&err);
        lt_status st =
            lt_nuclide_table_parse(cases[i].text, strlen(cases[i].text), "t.json", &t, &err);
        CHECK_MSG(st != LT_OK, "case %zu accepted", i);
        CHECK_MSG(t == (lt_nuclide_table *)&cases, "case %zu: output touched", i);
        CHECK_MSG(strstr(err.where, cases[i].where) != NULL, "case %zu: where '%s' lacks '%s'",
                  i, err.where, cases[i].where);
        CHECK_MSG(strstr(err.message, cases[i].message) != NULL,
                  "case %zu: message '%s' lacks '%s'", i, err.message, cases[i].message);
    }
}

static void test_decay(lt_nuclide_table *t)
{
    const lt_nuclide *lu = lt_nuclide_find(t, "Lu-177");
    if (!lu) return;
    static const struct {
        const char *from, *to;
        double a0, want, rel;
    } v[] = {
        /* DOMAIN.md: 7,400 MBq one day after calibration is 6,667 MBq (rounded: 0.5 MBq) */
        {"2026-01-01T08:00Z", "2026-01-02T08:00Z", 7400, 6667.0, 0.5 / 6667},
        /* Python 7400 * 2 ** (-1 / 6.647) */
        {"2026-01-01T08:00Z", "2026-01-02T08:00Z", 7400, 6667.20210895953, 1e-13},
        /* one half-life exactly; backwards in time doubles */
        {"2026-01-01T00:00Z", "2026-01-07T15:31:40.8Z", 7400, 3700, 1e-3},
        {"2026-01-02T08:00Z", "2026-01-01T08:00Z", 7400, 8213.34033453288, 1e-13},
        /* time zones are honoured: the same instant written two ways gives no decay */
        {"2026-01-01T10:00+02:00", "2026-01-01T08:00Z", 7400, 7400, 1e-15},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        double got = lt_decay(lu, v[i].a0, T(v[i].from), T(v[i].to));
        CHECK_REL(got, v[i].want, v[i].rel);
    }
    CHECK_REL(lt_decay_factor(6.647, 6.647 * 86400), 0.5, 1e-15);
    const lt_nuclide *ga = lt_nuclide_find(t, "Ga-68");
    if (ga) /* Python 1000 * 2 ** (-120 / 67.71) */
        CHECK_REL(lt_decay(ga, 1000, T("2026-01-01T08:00Z"), T("2026-01-01T10:00Z")),
                  292.748956352708, 1e-12);

    double mbq;
    CHECK(lt_activity_to_mbq(7.4, "GBq", &mbq) && mbq == 7400);
    CHECK(lt_activity_to_mbq(200, "mCi", &mbq) && mbq == 7400); /* label: 7.4 GBq (200 mCi) */
    CHECK(lt_activity_to_mbq(100, "mCi", &mbq) && mbq == 3700);
    CHECK(lt_activity_to_mbq(1e6, "Bq", &mbq) && fabs(mbq - 1) < 1e-12);
    mbq = -1;
    CHECK(!lt_activity_to_mbq(1, "mSv", &mbq) && mbq == -1);
    CHECK(!lt_activity_to_mbq(1, NULL, &mbq));
    double back;
    CHECK(lt_activity_from_mbq(7400, "GBq", &back) && back == 7.4);
}

static void test_volume(lt_nuclide_table *t)
{
    const lt_nuclide *lu = lt_nuclide_find(t, "Lu-177");
    if (!lu) return;
    /* a vial of 370 MBq/mL x 20.5 mL calibrated at 12:00, drawn 6 h later for 7,000 MBq;
     * Python: 7000 / (7585 * 2 ** (-0.25 / 6.647) / 20.5) */
    double v = -1;
    lt_error err;
    CHECK(lt_dose_volume(lu, 7585, 20.5, T("2026-03-02T12:00Z"), 7000, T("2026-03-02T18:00Z"),
                         &v, &err) == LT_OK);
    CHECK_REL(v, 19.4186189975024, 1e-12);
    /* at calibration time the volume is simply wanted / concentration */
    CHECK(lt_dose_volume(lu, 7400, 20.0, T("2026-03-02T12:00Z"), 3700, T("2026-03-02T12:00Z"),
                         &v, &err) == LT_OK);
    CHECK_REL(v, 10.0, 1e-15);
    /* more than the vial holds then: an error, output untouched */
    v = -1;
    CHECK(lt_dose_volume(lu, 7585, 20.5, T("2026-03-02T12:00Z"), 7400, T("2026-03-03T09:00Z"),
                         &v, &err) == LT_ESTATE);
    CHECK(v == -1);
    CHECK(strstr(err.message, "cannot be drawn") != NULL);
    CHECK(lt_dose_volume(lu, 7585, 0, T("2026-03-02T12:00Z"), 7400, T("2026-03-03T09:00Z"), &v,
                         &err) == LT_EINVAL);
    CHECK(lt_dose_volume(lu, 7585, 20.5, T("2026-03-02T12:00Z"), -5, T("2026-03-03T09:00Z"), &v,
                         &err) == LT_EINVAL);
}

/* A complete, compliant record: 7,600 MBq measured at 09:00, infusion 09:30-10:00, residual
 * 150 MBq at 10:30, prescribed 7,400 MBq. */
static void good_record(lt_administration *a)
{
    lt_administration_init(a);
    snprintf(a->patient, sizeof a->patient, "P-001");
    a->cycle = 1;
    snprintf(a->nuclide, sizeof a->nuclide, "Lu-177");
    a->route = LT_ROUTE_INTRAVENOUS;
    a->prescribed_mbq = 7400;
    a->calibration_mbq = 7585;
    a->calibration_time = T("2026-03-02T12:00Z");
    a->before_mbq = 7600;
    a->before_time = T("2026-03-03T09:00Z");
    a->residual_mbq = 150;
    a->residual_time = T("2026-03-03T10:30Z");
    a->infusion_start = T("2026-03-03T09:30Z");
    a->infusion_end = T("2026-03-03T10:00Z");
    a->amino_acids = true;
    a->amino_start = T("2026-03-03T09:00Z");
    a->amino_end = T("2026-03-03T13:00Z");
    a->last_ssa_long = T("2026-02-01T09:00Z");  /* 30 days before */
    a->last_ssa_short = T("2026-03-02T08:00Z"); /* 25.5 h before */
}

static bool has_warning(const lt_administration_result *r, const char *code)
{
    for (size_t i = 0; i < r->nwarnings; i++)
        if (!strcmp(r->warnings[i].code, code)) return true;
    return false;
}

static void test_administration(lt_nuclide_table *t)
{
    lt_administration a;
    lt_administration_result r;
    lt_error err;
    good_record(&a);
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    /* Python: 7600 * 2 ** (-0.5 h / T) - 150 * 2 ** (+1 h / T), T = 6.647 d */
    CHECK_REL(r.before_at_admin_mbq, 7583.50696914129, 1e-12);
    CHECK_REL(r.residual_at_admin_mbq, 150.653166110518, 1e-12);
    CHECK_REL(r.administered_mbq, 7432.85380303077, 1e-12);
    CHECK_REL(r.deviation, 0.00443970311226659, 1e-9);
    CHECK(!r.deviation_flagged);
    CHECK_INT(r.nwarnings, 0);
    CHECK_INT(r.unacknowledged, 0);
    CHECK(isfinite(r.calibration_at_admin_mbq) && r.calibration_at_admin_mbq < 7585);

    /* deviation beyond the 10% tolerance is flagged, at the edge it is not */
    a.before_mbq = 6500;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK(r.deviation_flagged && has_warning(&r, "activity_deviation"));
    CHECK(strstr(r.warnings[0].message, "below the prescribed 7400 MBq") != NULL);
    lt_dose_rules rules;
    lt_dose_rules_default(&rules);
    CHECK(rules.tolerance == 0.10);
    rules.tolerance = 0.15;
    CHECK(lt_administration_evaluate(&a, t, &rules, &r, &err) == LT_OK);
    CHECK(!r.deviation_flagged);
    /* the edge: no decay (measured at the start and end of an instant infusion), exactly
     * +10% is within the tolerance, one MBq more is not */
    good_record(&a);
    a.before_time = a.infusion_end = a.residual_time = a.infusion_start;
    a.before_mbq = 8140;
    a.residual_mbq = 0;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK(r.administered_mbq == 8140 && !r.deviation_flagged);
    a.before_mbq = 8141;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK(r.deviation_flagged && strstr(r.warnings[0].message, "above"));
    a.before_mbq = 6660;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK(!r.deviation_flagged);
    a.before_mbq = 6659;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK(r.deviation_flagged);

    /* the timing checks of the label: long-acting SSA >= 4 weeks, short-acting >= 24 h */
    good_record(&a);
    a.last_ssa_long = a.infusion_start - 27 * 86400;
    a.last_ssa_short = a.infusion_start - 23 * 3600;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK(has_warning(&r, "ssa_long_too_close"));
    CHECK(has_warning(&r, "ssa_short_too_close"));
    CHECK_INT(r.unacknowledged, 2);
    a.last_ssa_long = a.infusion_start - 28 * 86400; /* exactly 4 weeks: allowed */
    a.last_ssa_short = a.infusion_start - 24 * 3600;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK_INT(r.nwarnings, 0);
    /* not recorded is a warning too, unless the patient is known not to take them */
    a.last_ssa_long = a.last_ssa_short = LT_DOSE_NO_TIME;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK(has_warning(&r, "ssa_long_unrecorded") && has_warning(&r, "ssa_short_unrecorded"));
    a.no_ssa_long = a.no_ssa_short = true;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK_INT(r.nwarnings, 0);

    /* acknowledgement with a reason clears the warning's count but keeps it visible */
    good_record(&a);
    a.last_ssa_long = a.infusion_start - 20 * 86400;
    CHECK(lt_administration_acknowledge(&a, "ssa_long_too_close", "", &err) == LT_EINVAL);
    CHECK(lt_administration_acknowledge(&a, "ssa_long_too_close",
                                        "investigator: symptomatic carcinoid syndrome", &err) ==
          LT_OK);
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK_INT(r.nwarnings, 1);
    CHECK_INT(r.unacknowledged, 0);
    CHECK(r.warnings[0].reason && strstr(r.warnings[0].reason, "carcinoid"));
    CHECK(lt_administration_acknowledge(&a, "ssa_long_too_close", "second thoughts", &err) ==
          LT_OK);
    CHECK_INT(a.nacks, 1); /* replaced, not added */

    /* amino acids: missing, started late, stopped early */
    good_record(&a);
    a.amino_acids = false;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK(has_warning(&r, "amino_acids_missing"));
    good_record(&a);
    a.amino_start = a.infusion_start - 29 * 60;
    a.amino_end = a.infusion_end + 2 * 3600;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r, &err) == LT_OK);
    CHECK(has_warning(&r, "amino_acids_late") && has_warning(&r, "amino_acids_short"));

    /* impossible records are errors naming the field; the output stays untouched */
    static const struct {
        const char *field;
    } bad[] = {{"nuclide"}, {"route"}, {"residual_time"}, {"before_time"}, {"residual_mbq"},
               {"infusion_end"}, {"prescribed_mbq"}, {"last_ssa_long"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        good_record(&a);
        switch (i) {
        case 0: snprintf(a.nuclide, sizeof a.nuclide, "Lu-178"); break;
        case 1: a.route = LT_ROUTE_UNKNOWN; break;
        case 2: a.residual_time = a.infusion_end - 60; break;
        case 3: a.before_time = a.infusion_start + 60; break;
        case 4: a.residual_mbq = 7700; break;
        case 5: a.infusion_end = a.infusion_start - 1; break;
        case 6: a.prescribed_mbq = NAN; break;
        default: a.last_ssa_long = a.infusion_start + 3600; break;
        }
        memset(&r, 0x5a, sizeof r);
        lt_status st = lt_administration_evaluate(&a, t, NULL, &r, &err);
        CHECK_MSG(st == LT_ESCHEMA, "bad record %zu accepted", i);
        CHECK_MSG(strstr(err.where, bad[i].field) != NULL, "bad record %zu: where '%s'", i,
                  err.where);
        CHECK(((unsigned char *)&r)[0] == 0x5a);
    }
}

static void test_administration_json(lt_nuclide_table *t)
{
    lt_administration a, b;
    lt_error err;
    good_record(&a);
    a.route = LT_ROUTE_INTRA_ARTERIAL;
    a.last_ssa_short = LT_DOSE_NO_TIME;
    a.no_ssa_short = true;
    CHECK(lt_administration_acknowledge(&a, "x", "quote \" and \\ kept", &err) == LT_OK);
    lt_buf buf = LT_BUF_INIT;
    lt_administration_to_json(&a, &buf);
    lt_json *v = NULL;
    CHECK(lt_json_parse(buf.p, buf.n, "rec", &v, &err) == LT_OK);
    CHECK(lt_administration_from_json(v, "rec", &b, &err) == LT_OK);
    CHECK_STR(b.patient, "P-001");
    CHECK_INT(b.cycle, 1);
    CHECK(b.route == LT_ROUTE_INTRA_ARTERIAL);
    CHECK(b.before_mbq == a.before_mbq && b.residual_mbq == a.residual_mbq);
    CHECK(b.prescribed_mbq == a.prescribed_mbq && b.calibration_mbq == a.calibration_mbq);
    CHECK(b.infusion_start == a.infusion_start && b.residual_time == a.residual_time);
    CHECK(b.last_ssa_short == LT_DOSE_NO_TIME && b.no_ssa_short && !b.no_ssa_long);
    CHECK(b.amino_acids && b.amino_end == a.amino_end);
    CHECK_INT(b.nacks, 1);
    CHECK_STR(b.acks[0].reason, "quote \" and \\ kept");
    lt_administration_result r1, r2;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r1, &err) == LT_OK);
    CHECK(lt_administration_evaluate(&b, t, NULL, &r2, &err) == LT_OK);
    CHECK(r1.administered_mbq == r2.administered_mbq);
    lt_json_free(v);

    /* the result's JSON is well formed and carries the warnings */
    lt_buf_reset(&buf);
    a.amino_acids = false;
    CHECK(lt_administration_evaluate(&a, t, NULL, &r1, &err) == LT_OK);
    lt_administration_result_to_json(&r1, &buf);
    CHECK(lt_json_parse(buf.p, buf.n, "res", &v, &err) == LT_OK);
    CHECK_STR(lt_json_get_str(lt_json_at(lt_json_get(v, "warnings"), 0), "code", ""),
              "amino_acids_missing");
    lt_json_free(v);

    /* bad records name the field */
    static const struct {
        const char *text, *where;
    } bad[] = {
        {"{\"cycle\": 1, \"route\": \"oral\"}", "rec: route"},
        {"{\"cycle\": 0, \"route\": \"intravenous\"}", "rec: cycle"},
        {"{\"cycle\": 1, \"route\": \"intravenous\", \"before_time\": \"yesterday\"}",
         "rec: before_time"},
        {"{\"cycle\": 1, \"route\": \"intravenous\", \"before_mbq\": \"7400\"}",
         "rec: before_mbq"},
        {"{\"cycle\": 1, \"route\": \"intravenous\", \"acknowledgements\": [{\"code\": \"a\"}]}",
         "rec: acknowledgements[0]"},
        {"[]", "rec"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(lt_json_parse(bad[i].text, strlen(bad[i].text), "rec", &v, &err) == LT_OK);
        memset(&b, 0x5a, sizeof b);
        CHECK_MSG(lt_administration_from_json(v, "rec", &b, &err) == LT_ESCHEMA,
                  "bad record %zu accepted", i);
        CHECK_MSG(!strncmp(err.where, bad[i].where, strlen(bad[i].where)),
                  "bad record %zu: where '%s', expected '%s'", i, err.where, bad[i].where);
        CHECK(((unsigned char *)&b)[0] == 0x5a);
        lt_json_free(v);
    }
    lt_buf_free(&buf);
}

static void test_rules_json(void)
{
    lt_dose_rules r;
    lt_dose_rules_default(&r);
    lt_error err;
    lt_json *v;
    const char *ok = "{\"activity_tolerance\": 0.05, \"ssa_long_stop_days\": 42}";
    CHECK(lt_json_parse(ok, strlen(ok), "p", &v, &err) == LT_OK);
    CHECK(lt_dose_rules_from_json(v, "nelmas.json", &r, &err) == LT_OK);
    CHECK(r.tolerance == 0.05 && r.ssa_long_days == 42 && r.ssa_short_hours == 24);
    lt_json_free(v);
    const char *bad = "{\"activity_tolerance\": 5}";
    CHECK(lt_json_parse(bad, strlen(bad), "p", &v, &err) == LT_OK);
    CHECK(lt_dose_rules_from_json(v, "nelmas.json", &r, &err) == LT_ESCHEMA);
    CHECK_STR(err.where, "nelmas.json: dosing.activity_tolerance");
    CHECK(r.tolerance == 0.05); /* untouched */
    lt_json_free(v);
}

static void test_ledger(void)
{
    lt_error err;
    lt_ledger *l = NULL;
    CHECK(lt_ledger_new("P-002", &l, &err) == LT_OK);
    if (!l) return;
    /* NET RETREAT: prior PRRT of 4 x 7.4 GBq = 29.6 GBq */
    const char *patient =
        "{\"id\": \"P-002\", \"birth_date\": \"1960-01-01\", \"sex\": \"male\","
        " \"treatments\": ["
        "  {\"code\": \"prrt\", \"date\": \"2019-01-10\", \"value\": 7.4, \"unit\": \"GBq\"},"
        "  {\"code\": \"prrt\", \"date\": \"2019-03-10\", \"value\": 200, \"unit\": \"mCi\"},"
        "  {\"code\": \"prrt\", \"date\": \"2019-05-10\", \"value\": 7400, \"unit\": \"MBq\"},"
        "  {\"code\": \"prrt\", \"date\": \"2019-07-10\", \"value\": 7.4, \"unit\": \"GBq\"},"
        "  {\"code\": \"everolimus\", \"date\": \"2021-01-10\"}]}";
    lt_cohort *c = NULL;
    CHECK(lt_cohort_new(&c, &err) == LT_OK);
    lt_status st = lt_cohort_read_mem(c, patient, strlen(patient), "p2.json", &err);
    CHECK_MSG(st == LT_OK, "%s: %s", err.where, err.message);
    const lt_patient *p = lt_cohort_find(c, "P-002");
    CHECK(p != NULL);
    if (p) {
        CHECK(lt_ledger_add_patient_history(l, p, &err) == LT_OK);
        CHECK_INT(lt_ledger_count(l), 4);
        CHECK_REL(lt_ledger_total_prior(l), 29600, 1e-12);
    }
    /* the trial's cycles add to the total */
    lt_ledger_entry e;
    memset(&e, 0, sizeof e);
    e.date = lt_date_from_ymd(2026, 3, 3);
    e.activity_mbq = 7432.85;
    e.cycle = 1;
    snprintf(e.source, sizeof e.source, "cycle 1");
    CHECK(lt_ledger_add(l, &e, &err) == LT_OK);
    CHECK_REL(lt_ledger_total(l), 29600 + 7432.85, 1e-12);
    CHECK_REL(lt_ledger_total_prior(l), 29600, 1e-12);
    e.activity_mbq = -1;
    CHECK(lt_ledger_add(l, &e, &err) == LT_EINVAL);
    CHECK_INT(lt_ledger_count(l), 5);
    /* entries stay in date order */
    CHECK(lt_ledger_at(l, 0)->date == lt_date_from_ymd(2019, 1, 10));
    CHECK(lt_ledger_at(l, 4)->cycle == 1);

    /* JSON round trip */
    lt_buf b = LT_BUF_INIT;
    lt_ledger_to_json(l, &b);
    lt_json *v = NULL;
    CHECK(lt_json_parse(b.p, b.n, "ledger", &v, &err) == LT_OK);
    lt_ledger *l2 = NULL;
    CHECK(lt_ledger_from_json(v, "ledger", &l2, &err) == LT_OK);
    CHECK_INT(lt_ledger_count(l2), 5);
    CHECK_STR(lt_ledger_patient(l2), "P-002");
    CHECK(lt_ledger_total(l2) == lt_ledger_total(l));
    CHECK(lt_ledger_total_prior(l2) == lt_ledger_total_prior(l));
    lt_json_free(v);
    lt_ledger_free(l2);
    lt_buf_free(&b);
    const char *bad = "{\"patient\": \"x\", \"entries\": [{\"date\": \"2020-13-01\"}]}";
    CHECK(lt_json_parse(bad, strlen(bad), "ledger", &v, &err) == LT_OK);
    l2 = NULL;
    CHECK(lt_ledger_from_json(v, "ledger", &l2, &err) == LT_ESCHEMA && l2 == NULL);
    CHECK_STR(err.where, "ledger: entries[0]");
    lt_json_free(v);
    lt_ledger_free(l);

    /* NELMAS: total 14.8 GBq = 2 x 7.4 GBq; a third full cycle does not fit */
    CHECK(lt_ledger_new("N-1", &l, &err) == LT_OK);
    double rem = 0;
    CHECK(lt_ledger_allows(l, 7400, 14800, &rem) && rem == 14800);
    e.activity_mbq = 7400;
    CHECK(lt_ledger_add(l, &e, &err) == LT_OK);
    CHECK(lt_ledger_allows(l, 7400, 14800, &rem) && rem == 7400);
    CHECK(lt_ledger_add(l, &e, &err) == LT_OK);
    CHECK(!lt_ledger_allows(l, 7400, 14800, &rem) && rem == 0);
    CHECK(!lt_ledger_allows(l, 1, 14800, NULL));
    lt_ledger_free(l);
    lt_ledger_free(NULL);

    /* a prior PRRT without an activity cannot be left out silently */
    const char *noact = "{\"id\": \"P-3\", \"treatments\": [{\"code\": \"prrt\", "
                        "\"date\": \"2019-01-10\"}]}";
    CHECK(lt_cohort_read_mem(c, noact, strlen(noact), "p3.json", &err) == LT_OK);
    p = lt_cohort_find(c, "P-3");
    CHECK(lt_ledger_new("P-3", &l, &err) == LT_OK);
    if (p) {
        CHECK(lt_ledger_add_patient_history(l, p, &err) == LT_ESCHEMA);
        CHECK(strstr(err.message, "cumulative activity cannot be computed") != NULL);
        CHECK_INT(lt_ledger_count(l), 0);
    }
    lt_ledger_free(l);

    /* SSA timing from the patient's treatment facts */
    const char *ssa = "{\"id\": \"P-4\", \"treatments\": ["
                      "{\"code\": \"somatostatin_analogue_long\", \"date\": \"2025-06-01\","
                      " \"end_date\": \"2026-02-10\"},"
                      "{\"code\": \"somatostatin_analogue_short\", \"date\": \"2026-03-02\"},"
                      "{\"code\": \"somatostatin_analogue_long\", \"date\": \"2026-04-01\"}]}";
    CHECK(lt_cohort_read_mem(c, ssa, strlen(ssa), "p4.json", &err) == LT_OK);
    p = lt_cohort_find(c, "P-4");
    if (p) {
        lt_administration a;
        good_record(&a);
        a.last_ssa_long = a.last_ssa_short = LT_DOSE_NO_TIME;
        lt_administration_ssa_from_patient(&a, p);
        CHECK(a.last_ssa_long == T("2026-02-10T00:00Z")); /* the later injection is after */
        CHECK(a.last_ssa_short == T("2026-03-02T23:59:59Z"));
    }
    lt_cohort_free(c);
}

static void test_plan(void)
{
    lt_dosing_plan p;
    lt_error err;
    CHECK(lt_dosing_plan_from_json(NULL, "x.json", &p, &err) == LT_OK);
    CHECK_STR(p.nuclide, "Lu-177");
    CHECK(p.activity_mbq == 7400 && p.reduced_activity_mbq == 3700 && p.cycles == 4);
    CHECK(isnan(p.cumulative_limit_mbq) && p.rules.tolerance == 0.10);
    CHECK(lt_dosing_plan_route(&p, 3) == LT_ROUTE_INTRAVENOUS);
    /* NCT04544098 (seed 003): two intra-arterial then two intravenous cycles of 7.4 GBq */
    const char *nct = "{\"cycles\": 4, \"routes\": [\"intra_arterial\", \"intra_arterial\","
                      " \"intravenous\"], \"activity_tolerance\": 0.05}";
    lt_json *v;
    CHECK(lt_json_parse(nct, strlen(nct), "nct", &v, &err) == LT_OK);
    CHECK(lt_dosing_plan_from_json(v, "nct04544098.json", &p, &err) == LT_OK);
    CHECK(lt_dosing_plan_route(&p, 1) == LT_ROUTE_INTRA_ARTERIAL);
    CHECK(lt_dosing_plan_route(&p, 2) == LT_ROUTE_INTRA_ARTERIAL);
    CHECK(lt_dosing_plan_route(&p, 3) == LT_ROUTE_INTRAVENOUS);
    CHECK(lt_dosing_plan_route(&p, 4) == LT_ROUTE_INTRAVENOUS);
    CHECK(lt_dosing_plan_route(&p, 0) == LT_ROUTE_UNKNOWN);
    CHECK(p.rules.tolerance == 0.05);
    lt_json_free(v);
    /* NELMAS (seed 002): "In total 14.8 GBq (400 mCi) ... in two equally divided doses" */
    const char *nel = "{\"cycles\": 2, \"cumulative_limit_mbq\": 14800}";
    CHECK(lt_json_parse(nel, strlen(nel), "nel", &v, &err) == LT_OK);
    CHECK(lt_dosing_plan_from_json(v, "nelmas.json", &p, &err) == LT_OK);
    CHECK(p.cycles == 2 && p.cumulative_limit_mbq == 14800);
    CHECK_REL(p.cycles * p.activity_mbq, p.cumulative_limit_mbq, 1e-15);
    CHECK(!p.includes_prior_prrt && !p.cumulative_acknowledgeable);
    lt_json_free(v);
    /* NET RETREAT: "the cumulative limit counts the prior PRRT the patient brings" */
    const char *nr = "{\"cycles\": 2, \"cumulative_limit_mbq\": 45880, \"includes_prior_prrt\": "
                     "true, \"cumulative_limit_acknowledgeable\": true}";
    CHECK(lt_json_parse(nr, strlen(nr), "nr", &v, &err) == LT_OK);
    CHECK(lt_dosing_plan_from_json(v, "net-retreat.json", &p, &err) == LT_OK);
    CHECK(p.includes_prior_prrt && p.cumulative_acknowledgeable && p.cumulative_limit_mbq == 45880);
    lt_json_free(v);
    /* the shipped protocols say it explicitly */
    static const struct {
        const char *file;
        bool prior;
    } shipped[] = {{"nelmas.json", false}, {"nct04544098.json", false}, {"net-retreat.json", true}};
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
        char path[4096], *text = NULL;
        size_t n = 0;
        snprintf(path, sizeof path, "%s/protocols/%s", getenv("SRC") ? getenv("SRC") : ".",
                 shipped[i].file);
        lt_json *doc = NULL;
        CHECK_MSG(lt_file_read(path, &text, &n, &err) == LT_OK &&
                      lt_json_parse(text, n, path, &doc, &err) == LT_OK &&
                      lt_json_get(lt_json_get(doc, "dosing"), "includes_prior_prrt") &&
                      lt_dosing_plan_from_json(lt_json_get(doc, "dosing"), path, &p, &err) == LT_OK &&
                      p.includes_prior_prrt == shipped[i].prior,
                  "%s: includes_prior_prrt", shipped[i].file);
        lt_json_free(doc);
        free(text);
    }
    static const struct {
        const char *text, *where;
    } bad[] = {
        {"{\"cycles\": 2.5}", "p.json: dosing.cycles"},
        {"{\"cycles\": 0}", "p.json: dosing.cycles"},
        {"{\"activity_mbq\": \"7.4 GBq\"}", "p.json: dosing.activity_mbq"},
        {"{\"reduced_activity_mbq\": 7400}", "p.json: dosing.reduced_activity_mbq"},
        {"{\"cycles\": 2, \"routes\": [\"intravenous\", \"intravenous\", \"intravenous\"]}",
         "p.json: dosing.routes"},
        {"{\"routes\": [\"oral\"]}", "p.json: dosing.routes"},
        {"{\"nuclide\": 177}", "p.json: dosing.nuclide"},
        {"{\"cumulative_limit_mbq\": 45880, \"includes_prior_prrt\": \"yes\"}",
         "p.json: dosing.includes_prior_prrt"},
        {"{\"includes_prior_prrt\": true}", "p.json: dosing.includes_prior_prrt"},
        {"{\"cumulative_limit_mbq\": 45880, \"cumulative_limit_acknowledgeable\": 1}",
         "p.json: dosing.cumulative_limit_acknowledgeable"},
        {"{\"ssa_long_stop_days\": -1}", "p.json: dosing.ssa_long_stop_days"},
        {"[]", "p.json: dosing."},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(lt_json_parse(bad[i].text, strlen(bad[i].text), "b", &v, &err) == LT_OK);
        p.cycles = -7;
        CHECK_MSG(lt_dosing_plan_from_json(v, "p.json", &p, &err) == LT_ESCHEMA,
                  "bad plan %zu accepted", i);
        CHECK_MSG(!strcmp(err.where, bad[i].where), "bad plan %zu: where '%s'", i, err.where);
        CHECK(p.cycles == -7);
        lt_json_free(v);
    }
}

static void test_ledger_window(void)
{
    /* NET RETREAT (seed 004): "a cumulative exposure of 22,200 MBq (600mCi) or 29,600 MBq
     * (800 mCi) within a 52-week period" */
    lt_ledger *l;
    lt_error err;
    CHECK(lt_ledger_new("R", &l, &err) == LT_OK);
    static const int days[] = {0, 56, 112, 168, 500};
    for (size_t i = 0; i < 5; i++) {
        lt_ledger_entry e;
        memset(&e, 0, sizeof e);
        e.date = lt_date_from_ymd(2020, 1, 6) + days[i];
        e.activity_mbq = 7400;
        e.prior = i < 4;
        CHECK(lt_ledger_add(l, &e, &err) == LT_OK);
    }
    lt_ledger_entry u;
    memset(&u, 0, sizeof u);
    u.date = LT_DATE_NONE;
    u.activity_mbq = 3700;
    u.prior = true;
    CHECK(lt_ledger_add(l, &u, &err) == LT_OK);
    lt_date start = lt_date_from_ymd(2020, 1, 6);
    size_t undated = 0;
    CHECK_REL(lt_ledger_total_between(l, start, start + 52 * 7 - 1, true, &undated), 29600, 0);
    CHECK_INT(undated, 1);
    CHECK_REL(lt_ledger_total_between(l, start + 1, start + 52 * 7, true, NULL), 22200, 0);
    CHECK_REL(lt_ledger_total_between(l, start, start + 1000, false, NULL), 37000, 0);
    CHECK_REL(lt_ledger_total(l), 40700, 0);
    lt_ledger_free(l);
}

int main(void)
{
    lt_nuclide_table *t = load_table();
    if (t) {
        test_nuclides(t);
        test_decay(t);
        test_volume(t);
        test_administration(t);
        test_administration_json(t);
    }
    test_bad_tables();
    test_rules_json();
    test_ledger();
    test_plan();
    test_ledger_window();
    lt_nuclide_table_free(t);
    return lt_test_done();
}
