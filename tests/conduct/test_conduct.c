/* Tests of the conduct module through its C API on a real trial database: the access table as
 * data, and tables of recording steps (who, what, expected status and message) run in order on
 * one NELMAS trial: corrections need reasons, dates and sites are checked, the label's dose
 * rules decide from the stored history (withhold on grade 2 thrombocytopenia, resume at
 * 3.7 GBq), an administration follows its decision with every warning acknowledged and is
 * decay-corrected, a recurrence ends the patient and stops the calendar, and the endpoint
 * dataset is derived from what was stored. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/conduct.h"

/* Who may do what (docs/conduct.md), written out independently of src/conduct/access.c.
 * Rows: admin, coordinator, investigator, nuclear_medicine, statistician, monitor,
 * unblinded_statistician, safety_committee. Columns: record, decide, administer, read,
 * prescribe (an oral drug), dispense (its tablets). */
static const char *const expected[LT_ROLE_COUNT] = {
    "...y..", /* admin */
    "y..y.y", /* coordinator */
    "yy.yyy", /* investigator */
    ".yyy..", /* nuclear_medicine */
    "...y..", /* statistician */
    "...y..", /* monitor */
    "...y..", /* unblinded_statistician */
    "...y..", /* safety_committee */
};

/* Who reads which listing (docs/conduct.md, "Listings"), written out independently of
 * src/conduct/listing.c. Columns: labs, aes, administrations, doses, dispensing, events,
 * assessments, questionnaires, consents, deviations, signatures. */
static const char *const expected_list[LT_ROLE_COUNT] = {
    "...........", /* admin: sites and users, no clinical listing */
    "yyyyyyyyyyy", /* coordinator */
    "yyyyyyyyyyy", /* investigator */
    "yyyyyyyyyy.", /* nuclear_medicine */
    "yyyyyyyy.y.", /* statistician */
    "yyyyyyyyyyy", /* monitor */
    "yyyyyyyy.y.", /* unblinded_statistician */
    "yyyyyy...y.", /* safety_committee: what bears on safety */
};

static void test_access(void)
{
    for (int r = 0; r < LT_ROLE_COUNT; r++)
        for (int a = 0; a < LT_CONDUCT_ACTION_COUNT; a++)
            CHECK_MSG(lt_conduct_allowed((lt_role)r, (lt_conduct_action)a) ==
                          (expected[r][a] == 'y'),
                      "role %s action %d", lt_role_name((lt_role)r), a);
    CHECK(!lt_conduct_allowed(LT_ROLE_COUNT, LT_CONDUCT_READ));
    CHECK(!lt_conduct_allowed(LT_ROLE_ADMIN, LT_CONDUCT_ACTION_COUNT));
    for (int r = 0; r < LT_ROLE_COUNT; r++)
        for (int l = 0; l < LT_LIST_COUNT; l++)
            CHECK_MSG(lt_listing_allowed((lt_role)r, (lt_listing)l) == (expected_list[r][l] == 'y'),
                      "role %s listing %s", lt_role_name((lt_role)r), lt_listing_name((lt_listing)l));
    CHECK(!lt_listing_allowed(LT_ROLE_COUNT, LT_LIST_LABS));
    CHECK(!lt_listing_allowed(LT_ROLE_MONITOR, LT_LIST_COUNT));
    lt_listing l;
    CHECK(lt_listing_parse("signatures", &l) && l == LT_LIST_SIGNATURES);
    CHECK(!lt_listing_parse("profile", &l)); /* part of the casebook, not a listing */
}

/* ---- a trial to record in ---- */

typedef struct fixture {
    char dir[64], db[128];
    lt_trial *t[8];
    lt_conduct *c[8];
    char treated[16], control[16]; /* a patient of each arm */
} fixture;

enum { ADMIN, COORD1, COORD2, INV1, NM1, MON, STAT, NUSERS };
static const char *const users[NUSERS] = {"admin", "coord1", "coord2", "inv1",
                                          "nm1",   "mon",    "stat"};

static lt_date D(const char *s)
{
    lt_date d = LT_DATE_NONE;
    lt_date_parse(s, false, &d);
    return d;
}

static lt_time T(const char *s)
{
    lt_time t = 0;
    lt_time_parse(s, &t);
    return t;
}

/* examples/nelmas-01-eligible.json one year earlier (every "2026-" date becomes "2025-", so
 * every interval the criteria check is kept), with the given id. */
static char *patient_text(const char *src, const char *id)
{
    char path[512], *text = NULL;
    size_t n = 0;
    snprintf(path, sizeof path, "%s/examples/nelmas-01-eligible.json", src);
    if (lt_file_read(path, &text, &n, NULL) != LT_OK) return NULL;
    for (char *p = text; (p = strstr(p, "2026-")); p += 5)
        p[3] = '5';
    char *at = strstr(text, "\"nelmas-01\"");
    char *out = malloc(n + 64);
    if (!at || !out) {
        free(text);
        free(out);
        return NULL;
    }
    snprintf(out, n + 64, "%.*s\"%s\"%s", (int)(at - text), text, id, at + 11);
    free(text);
    return out;
}

static bool setup(fixture *f, const char *src)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/lt_conduct_XXXXXX");
    if (!mkdtemp(f->dir)) return false;
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    char protocol[512];
    snprintf(protocol, sizeof protocol, "%s/protocols/nelmas.json", src);
    lt_error err;
    bool ok = lt_trial_create(f->db, protocol, NULL, "admin", &err) == LT_OK &&
              lt_trial_open(f->db, "admin", &f->t[ADMIN], &err) == LT_OK;
    const char *s1[] = {"S1"}, *s2[] = {"S2"}, *all[] = {"*"};
    ok = ok && lt_trial_site_add(f->t[ADMIN], "S1", "One", &err) == LT_OK &&
         lt_trial_site_add(f->t[ADMIN], "S2", "Two", &err) == LT_OK &&
         lt_trial_user_add(f->t[ADMIN], "coord1", LT_ROLE_COORDINATOR, s1, 1, &err) == LT_OK &&
         lt_trial_user_add(f->t[ADMIN], "coord2", LT_ROLE_COORDINATOR, s2, 1, &err) == LT_OK &&
         lt_trial_user_add(f->t[ADMIN], "inv1", LT_ROLE_INVESTIGATOR, s1, 1, &err) == LT_OK &&
         lt_trial_user_add(f->t[ADMIN], "nm1", LT_ROLE_NUCLEAR_MEDICINE, s1, 1, &err) == LT_OK &&
         lt_trial_user_add(f->t[ADMIN], "mon", LT_ROLE_MONITOR, all, 1, &err) == LT_OK &&
         lt_trial_user_add(f->t[ADMIN], "stat", LT_ROLE_STATISTICIAN, all, 1, &err) == LT_OK;
    for (int u = 0; ok && u < NUSERS; u++) {
        if (u != ADMIN) ok = lt_trial_open(f->db, users[u], &f->t[u], &err) == LT_OK;
        ok = ok && lt_conduct_new(f->t[u], NULL, &f->c[u], &err) == LT_OK;
    }
    if (!ok) printf("setup: %s: %s\n", err.where, err.message);
    /* four patients in one stratum: a permuted block of 2 or 4 gives both arms */
    for (int i = 1; ok && i <= 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "P%d", i);
        char *text = patient_text(src, id);
        lt_cohort *co = NULL;
        lt_verdict v;
        ok = text && lt_cohort_new(&co, &err) == LT_OK &&
             lt_cohort_read_mem(co, text, strlen(text), id, &err) == LT_OK &&
             lt_trial_enrol(f->t[COORD1], lt_cohort_patient(co, 0), "S1", D("2025-11-01"), NULL,
                            &v, NULL, &err) == LT_OK &&
             v == LT_VERDICT_ELIGIBLE &&
             lt_trial_consent(f->t[COORD1], id, D("2025-11-01"), "v2", NULL, &err) == LT_OK &&
             lt_trial_confirm(f->t[INV1], id, D("2025-11-01"), &err) == LT_OK;
        char *arm = NULL;
        ok = ok && lt_trial_randomise_on(f->t[COORD1], id, D("2025-11-01"), &arm, NULL, &err) == LT_OK;
        if (ok) snprintf(!strcmp(arm, "B") ? f->treated : f->control, 16, "%s", id);
        ok = ok && lt_conduct_anchor(f->c[COORD1], id, "liver_resection", D("2025-09-10"), NULL,
                                     &err) == LT_OK;
        free(arm);
        free(text);
        lt_cohort_free(co);
        if (!ok) printf("patient %s: %s: %s\n", id, err.where, err.message);
    }
    return ok && f->treated[0] && f->control[0];
}

static void teardown(fixture *f)
{
    for (int u = 0; u < NUSERS; u++) {
        lt_conduct_free(f->c[u]);
        lt_trial_close(f->t[u]);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0) printf("could not remove %s\n", f->dir);
}

static int64_t audit_count(fixture *f)
{
    int64_t n = 0;
    lt_store_audit_verify(lt_trial_store(f->t[ADMIN]), &n, NULL, NULL);
    return n;
}

/* ---- one step of a table: a lab result ---- */

typedef struct lab_case {
    int user;
    const char *date, *analyte;
    double value;
    const char *unit;
    double lln, uln;
    const char *reason;
    lt_status want;
    int grade;         /* expected CTCAE grade when want is LT_OK (-2: not graded) */
    const char *error; /* part of the message when refused */
} lab_case;

static void run_labs(fixture *f, const char *patient, const lab_case *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const lab_case *c = &cs[i];
        lt_conduct_lab lab = {patient, D(c->date), c->analyte, c->value, c->unit, c->lln, c->uln};
        lt_grade g;
        memset(&g, 0, sizeof g);
        g.grade = -2;
        lt_error err;
        lt_error_clear(&err);
        lt_status st = lt_conduct_lab_record(f->c[c->user], &lab, c->reason, &g, &err);
        CHECK_MSG(st == c->want, "lab case %zu (%s %g): status %d, want %d: %s", i, c->analyte,
                  c->value, st, c->want, err.message);
        if (st == LT_OK && c->grade != -2)
            CHECK_MSG(g.grade == c->grade, "lab case %zu: grade %d, want %d", i, g.grade, c->grade);
        if (st != LT_OK && c->error)
            CHECK_MSG(strstr(err.message, c->error) != NULL, "lab case %zu: message '%s' lacks '%s'",
                      i, err.message, c->error);
    }
}

static void record_panel(fixture *f, const char *p, const char *date, double platelets)
{
    const lab_case panel[] = {
        {COORD1, date, "hemoglobin", 13.0, "g/dL", 12, 16, NULL, LT_OK, 0, NULL},
        {COORD1, date, "wbc", 6.0, "10^9/L", 4, 10, NULL, LT_OK, 0, NULL},
        {COORD1, date, "neutrophils", 3.5, "10^9/L", 1.8, 7.5, NULL, LT_OK, 0, NULL},
        {COORD1, date, "lymphocytes", 1.5, "10^9/L", 1, 4, NULL, LT_OK, 0, NULL},
        {COORD1, date, "platelets", platelets, "10^9/L", 150, 400, NULL, LT_OK, -2, NULL},
        {COORD1, date, "creatinine", 0.8, "mg/dL", 0.5, 1.1, NULL, LT_OK, 0, NULL},
        {COORD1, date, "bilirubin", 0.6, "mg/dL", 0.1, 1.2, NULL, LT_OK, 0, NULL},
        {COORD1, date, "alt", 25, "U/L", 7, 35, NULL, LT_OK, 0, NULL},
        {COORD1, date, "ast", 24, "U/L", 10, 35, NULL, LT_OK, 0, NULL},
        {COORD1, date, "albumin", 4.0, "g/dL", 3.5, 5.2, NULL, LT_OK, 0, NULL},
    };
    run_labs(f, p, panel, sizeof panel / sizeof panel[0]);
}

static void test_labs(fixture *f)
{
    const char *p = f->treated;
    const lab_case cases[] = {
        /* CTCAE v5.0 platelet count decreased: < LLN - 75 grade 1, < 75 - 50 grade 2 */
        {COORD1, "2025-10-20", "platelets", 231, "10^9/L", 150, 400, NULL, LT_OK, 0, NULL},
        {COORD1, "2025-10-21", "platelets", 120, "10^9/L", 150, 400, NULL, LT_OK, 1, NULL},
        {COORD1, "2025-10-22", "platelets", 62, "10^9/L", 150, 400, NULL, LT_OK, 2, NULL},
        /* 88.4 umol/L is 1.0 mg/dL (creatinine 88.4 umol/L per mg/dL), graded against ULN */
        {COORD1, "2025-10-20", "creatinine", 88.4, "umol/L", 44.2, 97.24, NULL, LT_OK, 0, NULL},
        {COORD1, "2025-10-20", "weight", 68, "kg", NAN, NAN, NULL, LT_OK, -1, NULL},
        /* the same again is no change; a different value is a correction and needs a reason */
        {COORD1, "2025-10-22", "platelets", 62, "10^9/L", 150, 400, NULL, LT_OK, 2, NULL},
        {COORD1, "2025-10-22", "platelets", 64, "10^9/L", 150, 400, NULL, LT_EINVAL, 0,
         "a correction needs a reason"},
        {COORD1, "2025-10-22", "platelets", 64, "10^9/L", 150, 400, "transcription error",
         LT_OK, 2, NULL},
        /* refusals */
        {COORD1, "2025-10-22", "platelets", 64, "mmol/L", 150, 400, NULL, LT_EINVAL, 0,
         "is not accepted for platelets"},
        {COORD1, "2025-10-22", "unobtainium", 1, NULL, NAN, NAN, NULL, LT_EINVAL, 0,
         "not an analyte"},
        {COORD1, "2099-01-01", "platelets", 200, NULL, NAN, NAN, NULL, LT_EINVAL, 0,
         "in the future"},
        {COORD2, "2025-10-22", "platelets", 200, NULL, NAN, NAN, NULL, LT_EPERM, 0,
         "not bound to site 'S1'"},
        {MON, "2025-10-22", "platelets", 200, NULL, NAN, NAN, NULL, LT_EPERM, 0,
         "a monitor cannot"},
        {NM1, "2025-10-22", "platelets", 200, NULL, NAN, NAN, NULL, LT_EPERM, 0,
         "a nuclear_medicine cannot"},
    };
    int64_t before = audit_count(f);
    run_labs(f, p, cases, sizeof cases / sizeof cases[0]);
    /* 6 writes and 1 correction; the identical write and the refusals left nothing */
    CHECK_INT(audit_count(f) - before, 6);
}

/* ---- doses ---- */

static void admin_record(lt_administration *a, const char *p, int cycle, const char *day,
                         double prescribed)
{
    char t[64];
    lt_administration_init(a);
    snprintf(a->patient, sizeof a->patient, "%s", p);
    snprintf(a->nuclide, sizeof a->nuclide, "Lu-177");
    a->cycle = cycle;
    a->route = LT_ROUTE_INTRAVENOUS;
    a->prescribed_mbq = prescribed;
    snprintf(t, sizeof t, "%sT08:30:00Z", day);
    a->before_time = T(t);
    a->before_mbq = prescribed * 1.02;
    snprintf(t, sizeof t, "%sT09:00:00Z", day);
    a->infusion_start = T(t);
    snprintf(t, sizeof t, "%sT09:30:00Z", day);
    a->infusion_end = T(t);
    snprintf(t, sizeof t, "%sT09:45:00Z", day);
    a->residual_time = T(t);
    a->residual_mbq = prescribed * 0.02;
    a->amino_acids = true;
    snprintf(t, sizeof t, "%sT08:15:00Z", day);
    a->amino_start = T(t);
    snprintf(t, sizeof t, "%sT13:00:00Z", day);
    a->amino_end = T(t);
    a->no_ssa_long = a->no_ssa_short = true;
}

typedef struct decide_case {
    int user, cycle;
    const char *date;
    lt_status want;
    lt_dose_action action; /* when want is LT_OK */
    double mbq;
    const char *error;
} decide_case;

static void decide(fixture *f, const char *p, const decide_case *c, int line)
{
    lt_dosemod_decision d;
    lt_error err;
    lt_error_clear(&err);
    lt_status st = lt_conduct_decide(f->c[c->user], p, c->cycle, D(c->date), &d, &err);
    CHECK_MSG(st == c->want, "line %d: decide status %d, want %d: %s: %s", line, st, c->want,
              err.where, err.message);
    if (st == LT_OK && c->want == LT_OK) {
        CHECK_MSG(d.action == c->action, "line %d: action %s, want %s", line,
                  lt_dose_action_name(d.action), lt_dose_action_name(c->action));
        CHECK_ABS(d.activity_mbq, c->mbq, 1e-9);
    }
    if (st != LT_OK && c->error)
        CHECK_MSG(strstr(err.message, c->error) != NULL, "line %d: '%s' lacks '%s'", line,
                  err.message, c->error);
}

static lt_status administer(fixture *f, int user, lt_administration *a, const char *reason,
                            lt_administration_result *res, const char *error, int line)
{
    lt_error err;
    lt_error_clear(&err);
    lt_status st = lt_conduct_administer(f->c[user], a, reason, res, &err);
    if (error)
        CHECK_MSG(st != LT_OK && strstr(err.message, error), "line %d: status %d '%s' lacks '%s'",
                  line, st, err.message, error);
    else
        CHECK_MSG(st == LT_OK, "line %d: %s: %s", line, err.where, err.message);
    return st;
}

static void test_doses(fixture *f)
{
    const char *p = f->treated;
    lt_error err;
    /* age, sex and weight come from the facts stored at screening (data entered once); a
     * recorded profile corrects them (tests/cli/data-once.sh decides on the screened ones) */
    record_panel(f, p, "2025-10-24", 231);
    CHECK(lt_conduct_profile(f->c[COORD1], p, D("1962-03-14"), LT_SEX_FEMALE, 68, NULL, &err) ==
          LT_OK);
    CHECK(lt_conduct_anchor(f->c[COORD1], p, "liver_resection", D("2025-09-10"), NULL, &err) ==
          LT_OK);
    CHECK(lt_conduct_anchor(f->c[COORD1], p, "surgery", D("2025-09-10"), NULL, &err) ==
          LT_EINVAL);
    CHECK(strstr(err.message, "anchors: liver_resection, randomisation") != NULL);

    /* no decision yet: nothing may be administered */
    lt_administration a;
    lt_administration_result res;
    admin_record(&a, p, 1, "2025-11-04", 7400);
    administer(f, NM1, &a, NULL, &res, "no dose decision for cycle 1", __LINE__);

    const decide_case c1[] = {
        {COORD1, 1, "2025-11-03", LT_EPERM, 0, 0, "a coordinator cannot take dose decisions"},
        {INV1, 3, "2025-11-03", LT_EINVAL, 0, 0, "has no treatment cycle 3"},
        {INV1, 2, "2025-11-03", LT_ESTATE, 0, 0, "cycle 1 of"},
        {INV1, 1, "2025-11-03", LT_OK, LT_DOSE_GIVE_FULL, 7400, NULL},
    };
    for (size_t i = 0; i < sizeof c1 / sizeof c1[0]; i++)
        decide(f, p, &c1[i], __LINE__);

    /* the administration must match the decision, and be recorded by nuclear medicine */
    admin_record(&a, p, 1, "2025-11-04", 3700);
    administer(f, NM1, &a, NULL, &res, "differs from the decision", __LINE__);
    admin_record(&a, p, 1, "2025-11-04", 7400);
    administer(f, INV1, &a, NULL, &res, "an investigator cannot record administrations",
               __LINE__);
    /* an unrecorded long-acting somatostatin analogue is a warning to acknowledge */
    a.no_ssa_long = false;
    administer(f, NM1, &a, NULL, &res, "ssa_long_unrecorded", __LINE__);
    CHECK(lt_administration_acknowledge(&a, "ssa_long_unrecorded",
                                        "patient confirms no lanreotide since June", &err) ==
          LT_OK);
    if (administer(f, NM1, &a, NULL, &res, NULL, __LINE__) == LT_OK) {
        /* Lu-177 T1/2 6.647 d: 7548 MBq at 08:30 is 7548 exp(-ln2 0.5 h / 159.528 h) at 09:00,
         * the residual 148 MBq at 09:45 is 148 exp(+ln2 0.75 / 159.528) at 09:00 */
        double before = 7548 * exp(-M_LN2 * 0.5 / (6.647 * 24));
        double resid = 148 * exp(M_LN2 * 0.75 / (6.647 * 24));
        CHECK_REL(res.administered_mbq, before - resid, 1e-9);
        CHECK_INT((int)res.nwarnings, 1);
    }
    /* the same record again changes nothing; another one for the cycle is a correction */
    administer(f, NM1, &a, NULL, &res, NULL, __LINE__);
    a.residual_mbq += 10;
    administer(f, NM1, &a, NULL, &res, "a correction needs a reason", __LINE__);
    a.residual_mbq -= 10;
    /* a decision for a cycle already given is refused */
    decide_case again = {INV1, 1, "2025-11-05", LT_ESTATE, 0, 0, "was given on 2025-11-04"};
    decide(f, p, &again, __LINE__);

    /* cycle 2: grade 2 thrombocytopenia withholds it; resolved to grade 1, resume at 3.7 GBq
     * (Lutathera label, Table 1) */
    record_panel(f, p, "2025-12-17", 62);
    const decide_case c2[] = {
        {INV1, 2, "2025-12-19", LT_OK, LT_DOSE_WITHHOLD, 0, NULL},
    };
    decide(f, p, &c2[0], __LINE__);
    admin_record(&a, p, 2, "2025-12-20", 7400);
    administer(f, NM1, &a, NULL, &res, "is withhold, not to give", __LINE__);
    record_panel(f, p, "2026-01-08", 128);
    const decide_case c2b = {NM1, 2, "2026-01-09", LT_OK, LT_DOSE_GIVE_REDUCED, 3700, NULL};
    decide(f, p, &c2b, __LINE__);
    admin_record(&a, p, 2, "2026-01-10", 3700);
    administer(f, NM1, &a, NULL, &res, NULL, __LINE__);

    /* the calendar: C2 delayed for toxicity within the 16 weeks the protocol allows */
    lt_calendar *cal = NULL;
    CHECK(lt_conduct_calendar(f->c[MON], p, LT_DATE_NONE, &cal, &err) == LT_OK);
    for (size_t i = 0; cal && i < cal->n; i++) {
        const lt_visit *v = &cal->visits[i];
        if (!strcmp(v->id, "C1")) CHECK_INT(v->status, LT_VISIT_DONE);
        if (!strcmp(v->id, "C2")) {
            CHECK_INT(v->status, LT_VISIT_DELAYED);
            CHECK(!v->deviation);
            CHECK_STR(v->actual_reason ? v->actual_reason : "", "toxicity");
        }
    }
    lt_calendar_free(cal);
}

/* ---- events ---- */

static void test_events(fixture *f)
{
    const char *p = f->treated, *q = f->control;
    lt_error err;
    lt_outcome_event rec = {.type = LT_EVENT_RECURRENCE, .date = D("2026-03-02"), .site = "lung"};
    CHECK(lt_conduct_event(f->c[COORD1], p, &rec, NULL, &err) == LT_EINVAL);
    CHECK(strstr(err.message, "needs its site") != NULL);
    rec.site = "liver";
    rec.date = D("2025-10-01"); /* before consent */
    CHECK(lt_conduct_event(f->c[COORD1], p, &rec, NULL, &err) == LT_EINVAL);
    CHECK(strstr(err.message, "before the patient's consent") != NULL);
    rec.date = D("2026-03-02");
    CHECK(lt_conduct_event(f->c[MON], p, &rec, NULL, &err) == LT_EPERM);
    CHECK(lt_conduct_assessment(f->c[COORD1], p, D("2026-03-02"), "mri_liver", true, NULL, &err) ==
          LT_OK);
    CHECK(lt_conduct_event(f->c[COORD1], p, &rec, NULL, &err) == LT_OK);
    /* the patient's participation ended with the recurrence */
    lt_buf b = LT_BUF_INIT;
    CHECK(lt_trial_patient_show(f->t[COORD1], p, true, &b, &err) == LT_OK);
    CHECK(strstr(lt_buf_str(&b), "\"state\":\"ended\"") != NULL);
    CHECK(strstr(lt_buf_str(&b), "\"end_reason\":\"recurrence\"") != NULL);
    lt_buf_free(&b);
    /* treatment and assessments stop (NELMAS schedule.stops): an MRI after it is refused */
    CHECK(lt_conduct_actual(f->c[COORD1], p, "mri_year1.4", D("2026-03-10"), NULL, NULL, &err) ==
          LT_ESTATE);
    CHECK(lt_conduct_decide(f->c[INV1], p, 2, D("2026-03-05"), NULL, &err) == LT_ESTATE);
    CHECK(strstr(err.message, "recurrence on 2026-03-02") != NULL);
    /* the end-of-study visit the recurrence brings forward (NELMAS schedule) is done within
     * its new window: no deviation */
    CHECK(lt_conduct_actual(f->c[COORD1], p, "end_of_study", D("2026-03-05"), NULL, NULL, &err) ==
          LT_OK);
    lt_calendar *cal = NULL;
    CHECK(lt_conduct_calendar(f->c[COORD1], p, D("2026-04-01"), &cal, &err) == LT_OK);
    for (size_t i = 0; cal && i < cal->n; i++)
        if (!strcmp(cal->visits[i].id, "end_of_study")) {
            CHECK_INT(cal->visits[i].target, D("2026-03-02"));
            CHECK_INT(cal->visits[i].status, LT_VISIT_DONE);
            CHECK(!cal->visits[i].deviation);
        }
    lt_calendar_free(cal);
    /* but death is still followed (overall survival); nothing after it */
    lt_outcome_event death = {.type = LT_EVENT_DEATH, .date = D("2026-06-01"), .cause = "disease"};
    CHECK(lt_conduct_event(f->c[COORD1], p, &death, NULL, &err) == LT_OK);
    lt_outcome_event next = {.type = LT_EVENT_NEXT_THERAPY, .date = D("2026-06-10"),
                             .therapy = "everolimus"};
    CHECK(lt_conduct_event(f->c[COORD1], p, &next, NULL, &err) == LT_ESTATE);
    CHECK(strstr(err.message, "died on 2026-06-01") != NULL);
    /* the same death again with another cause is a correction */
    death.cause = "other";
    CHECK(lt_conduct_event(f->c[COORD1], p, &death, NULL, &err) == LT_EINVAL);
    CHECK(lt_conduct_event(f->c[COORD1], p, &death, "autopsy report", &err) == LT_OK);

    /* the control patient: anchors, two scans, then an actual for a calendar entry */
    CHECK(lt_conduct_anchor(f->c[COORD1], q, "liver_resection", D("2025-09-10"), NULL, &err) ==
          LT_OK);
    CHECK(lt_conduct_actual(f->c[COORD1], q, "mri_year1.1", D("2025-12-12"), NULL, NULL, &err) ==
          LT_OK);
    CHECK(lt_conduct_actual(f->c[COORD1], q, "C1", D("2025-12-12"), NULL, NULL, &err) ==
          LT_EINVAL); /* arm A has no treatment */
    CHECK(lt_conduct_actual(f->c[COORD1], q, "mri_year1.1", D("2025-12-13"), NULL, NULL, &err) ==
          LT_EINVAL);
    CHECK(lt_conduct_assessment(f->c[COORD1], q, D("2025-12-12"), "mri_liver", false, NULL,
                                &err) == LT_OK);
    CHECK(lt_conduct_assessment(f->c[COORD1], q, D("2026-03-11"), "mri_liver", false, NULL,
                                &err) == LT_OK);
    lt_adverse_event ae;
    memset(&ae, 0, sizeof ae);
    snprintf(ae.patient, sizeof ae.patient, "%s", q);
    snprintf(ae.term, sizeof ae.term, "Fatigue");
    ae.grade = 2;
    ae.start = D("2025-12-01");
    ae.end = LT_DATE_NONE;
    char id[LT_CONDUCT_ID_MAX];
    CHECK(lt_conduct_adverse_event(f->c[COORD1], &ae, NULL, NULL, id, &err) == LT_OK);
    CHECK_STR(id, "AE001");
    ae.end = D("2025-12-20");
    CHECK(lt_conduct_adverse_event(f->c[COORD1], &ae, "AE001", NULL, id, &err) == LT_EINVAL);
    CHECK(lt_conduct_adverse_event(f->c[COORD1], &ae, "AE001", "resolved", id, &err) == LT_OK);
    CHECK(lt_conduct_adverse_event(f->c[COORD1], &ae, "AE009", "x", id, &err) == LT_ENOTFOUND);
}

/* ---- endpoints from the store ---- */

static void test_endpoints(fixture *f)
{
    lt_error err;
    lt_buf b = LT_BUF_INIT;
    /* the statistician reads every site */
    CHECK(lt_conduct_endpoint(f->c[STAT], "dfs", LT_DATE_NONE, LT_CONDUCT_CSV, &b, &err) == LT_OK);
    const char *csv = lt_buf_str(&b);
    const char *head = "patient,arm,primary_site,resection_margin,time,event,time_months,origin,"
                       "end,reason,arm_B\n";
    CHECK(strncmp(csv, head, strlen(head)) == 0);
    /* treated: recurrence 2026-03-02, 173 days after the resection on 2025-09-10 */
    char line[160];
    snprintf(line, sizeof line, "%s,B,other,R0,173,1,5.6838,2025-09-10,2026-03-02,recurrence,1\n",
             f->treated);
    CHECK_MSG(strstr(csv, line) != NULL, "missing '%s' in\n%s", line, csv);
    /* control: censored at the last scan, 2026-03-11 (182 days) */
    snprintf(line, sizeof line, "%s,A,other,R0,182,0,5.9795,2025-09-10,2026-03-11,last_assessment,0\n",
             f->control);
    CHECK_MSG(strstr(csv, line) != NULL, "missing '%s' in\n%s", line, csv);
    /* a cut-off censors at it: the day before the recurrence (OS counts from randomisation,
     * which this fixture makes today) */
    lt_buf_reset(&b);
    CHECK_MSG(lt_conduct_endpoint(f->c[STAT], "DFS", D("2026-03-01"), LT_CONDUCT_JSON, &b, &err) ==
                  LT_OK, "%s: %s", err.where, err.message);
    CHECK(strstr(lt_buf_str(&b), "\"events\":0,\"rows\":[") != NULL);
    lt_buf_reset(&b);
    CHECK(lt_conduct_endpoint(f->c[STAT], "XYZ", LT_DATE_NONE, LT_CONDUCT_CSV, &b, &err) ==
          LT_ENOTFOUND);
    CHECK(strstr(err.message, "endpoints: DFS, DFS_LIVER, OS, TTR, TTNT") != NULL);
    /* coordinators of another site see none of site S1's patients */
    lt_buf_reset(&b);
    CHECK(lt_conduct_endpoint(f->c[COORD2], "DFS", LT_DATE_NONE, LT_CONDUCT_JSON, &b, &err) ==
          LT_OK);
    CHECK(strstr(lt_buf_str(&b), "\"n\":0,\"events\":0,\"rows\":[]}") != NULL);
    lt_buf_free(&b);
    /* what is due: the control patient's second MRI (target 2026-03-10 +- 14 days) */
    lt_buf_reset(&b);
    size_t n_due = 0;
    CHECK(lt_conduct_due(f->c[COORD1], D("2026-03-01"), D("2026-03-05"), NULL, true, &b, &n_due,
                         &err) == LT_OK);
    char want[96];
    snprintf(want, sizeof want, "\"patient\":\"%s\",\"entry\":\"mri_year1.2\"", f->control);
    CHECK_MSG(strstr(lt_buf_str(&b), want) != NULL, "due lacks %s: %s", want, lt_buf_str(&b));
    /* the treated patient's assessments stopped with the recurrence (NELMAS schedule.stops),
     * and the end-of-study visit it brought forward is done: neither is due (what was missed
     * before the recurrence is still listed) */
    snprintf(want, sizeof want, "\"patient\":\"%s\",\"entry\":\"mri_year1.2\"", f->treated);
    CHECK_MSG(strstr(lt_buf_str(&b), want) == NULL, "%s", lt_buf_str(&b));
    snprintf(want, sizeof want, "\"patient\":\"%s\",\"entry\":\"end_of_study\"", f->treated);
    CHECK(strstr(lt_buf_str(&b), want) == NULL);
    snprintf(want, sizeof want, "\"patient\":\"%s\",\"entry\":\"labs_C1\"", f->treated);
    CHECK(strstr(lt_buf_str(&b), want) != NULL);
    CHECK(n_due >= 1);
    lt_buf_reset(&b);
    CHECK(lt_conduct_due(f->c[COORD1], D("2026-03-01"), D("2026-03-05"), "S2", false, &b, &n_due,
                         &err) == LT_OK);
    CHECK(n_due == 0 && strstr(lt_buf_str(&b), "0 entries") != NULL);
    CHECK(lt_conduct_due(f->c[COORD1], D("2026-03-05"), D("2026-03-01"), NULL, false, &b, NULL,
                         &err) == LT_EINVAL);
    lt_buf_free(&b);
    /* the audit trail holds every change and verifies */
    int64_t n = 0;
    CHECK(lt_store_audit_verify(lt_trial_store(f->t[ADMIN]), &n, NULL, &err) == LT_OK);
    CHECK(n > 60);
}

/* ---- RECIST 1.1 measurements and QLQ-C30 questionnaires in the store ---- */

static lt_lesion target(const char *id, const char *organ, double mm)
{
    lt_lesion l = {.id = id, .organ = organ, .nodal = !strcmp(organ, "lymph_node"),
                   .target = true, .mm = mm, .status = LT_LESION_PRESENT};
    return l;
}

/* The stored record of patient p (the statistician reads every site). */
static const lt_outcome_record *stored(fixture *f, const char *p, lt_outcome_set **set)
{
    lt_error err;
    *set = NULL;
    if (lt_conduct_outcomes(f->c[STAT], p, NULL, set, &err) != LT_OK || (*set)->n != 1) {
        CHECK_MSG(false, "outcomes of %s: %s", p, err.message);
        return NULL;
    }
    return (*set)->records[0];
}

static void test_recist_qol(fixture *f)
{
    lt_error err;
    /* a patient of neither the treated nor the control patient's tests */
    char p[16] = "";
    for (int i = 1; i <= 4 && !p[0]; i++) {
        char id[16];
        snprintf(id, sizeof id, "P%d", i);
        if (strcmp(id, f->treated) && strcmp(id, f->control)) snprintf(p, sizeof p, "%s", id);
    }
    /* baseline: liver 30 + 20 mm, a node of 20 mm short axis (sum 70), a bone non-target */
    lt_lesion base[4] = {target("L1", "liver", 30), target("L2", "liver", 20),
                         target("N1", "lymph_node", 20),
                         {.id = "B1", .organ = "bone", .status = LT_LESION_PRESENT}};
    lt_tumour_assessment a = {.date = D("2025-11-10"), .modality = "ct", .lesions = base,
                              .nlesions = 4};
    lt_recist_result r;
    CHECK(lt_conduct_tumour(f->c[MON], p, &a, NULL, &r, &err) == LT_EPERM);
    CHECK(lt_conduct_tumour(f->c[COORD1], p, &a, NULL, &r, &err) == LT_OK);
    CHECK_ABS(r.sum, 70, 1e-9);
    CHECK(r.overall == LT_RECIST_NE); /* the baseline has no response */
    /* 20 + 12 + 12 = 44 mm: -37% from baseline, PR (RECIST 1.1 4.3.1: at least -30%) */
    lt_lesion pr[4] = {target("L1", "liver", 20), target("L2", "liver", 12),
                       target("N1", "lymph_node", 12),
                       {.id = "B1", .organ = "bone", .status = LT_LESION_PRESENT}};
    a = (lt_tumour_assessment){.date = D("2026-01-10"), .modality = "ct", .lesions = pr,
                               .nlesions = 4};
    CHECK(lt_conduct_tumour(f->c[COORD1], p, &a, NULL, &r, &err) == LT_OK);
    CHECK(r.overall == LT_RECIST_PR && r.target == LT_RECIST_PR);
    CHECK_ABS(r.sum, 44, 1e-9);
    /* 30 + 15 + 12 = 57 mm: +29.5% and +13 mm over the nadir 44, PD (+20% and +5 mm) */
    lt_lesion pd[4] = {target("L1", "liver", 30), target("L2", "liver", 15),
                       target("N1", "lymph_node", 12),
                       {.id = "B1", .organ = "bone", .status = LT_LESION_PRESENT}};
    a = (lt_tumour_assessment){.date = D("2026-03-10"), .modality = "ct", .lesions = pd,
                               .nlesions = 4};
    CHECK(lt_conduct_tumour(f->c[COORD1], p, &a, NULL, &r, &err) == LT_OK);
    CHECK(r.overall == LT_RECIST_PD);
    CHECK_ABS(r.nadir, 44, 1e-9);
    /* again without a reason: a correction is refused; with one it is audited */
    pd[1].mm = 16;
    CHECK(lt_conduct_tumour(f->c[COORD1], p, &a, NULL, &r, &err) == LT_EINVAL);
    CHECK(strstr(err.message, "needs a reason") != NULL);
    int64_t before = audit_count(f);
    CHECK(lt_conduct_tumour(f->c[COORD1], p, &a, "misread", &r, &err) == LT_OK);
    CHECK(audit_count(f) == before + 1);
    CHECK_ABS(r.sum, 58, 1e-9);
    /* a lesion the baseline lacks is refused, and nothing is stored */
    lt_lesion extra[1] = {target("L9", "lung", 12)};
    a = (lt_tumour_assessment){.date = D("2026-04-10"), .modality = "ct", .lesions = extra,
                               .nlesions = 1};
    CHECK(lt_conduct_tumour(f->c[COORD1], p, &a, NULL, &r, &err) == LT_ESCHEMA);
    CHECK_MSG(strstr(err.message, "not in the baseline") != NULL, "%s", err.message);
    lt_lesion twice[2] = {target("L1", "liver", 12), target("L1", "liver", 12)};
    a.lesions = twice;
    a.nlesions = 2;
    CHECK(lt_conduct_tumour(f->c[COORD1], p, &a, NULL, &r, &err) == LT_EINVAL);
    CHECK_STR(err.where, "--target");

    /* the stored record: three assessments with their lesions, RECIST as o1's evaluator gives */
    lt_outcome_set *set = NULL;
    const lt_outcome_record *rec = stored(f, p, &set);
    if (rec) {
        CHECK(rec->nassessments == 3);
        CHECK(rec->nassessments == 3 && rec->assessments[0].nlesions == 4 &&
              rec->assessments[0].lesions[2].nodal && !rec->assessments[0].lesions[3].target);
        lt_recist_result res[3];
        CHECK(lt_recist_evaluate(rec->assessments, 3, "t", res, &err) == LT_OK);
        CHECK(res[1].overall == LT_RECIST_PR && res[2].overall == LT_RECIST_PD);
        /* PFS as NET RETREAT defines it (progression or death), from the resection here: the
         * event is the PD scan */
        const char *def = "{\"PFS\":{\"name\":\"Progression-free survival\",\"role\":\"primary\","
                          "\"origin\":\"liver_resection\",\"events\":[\"progression\","
                          "\"death\"]}}";
        lt_json *j = NULL;
        lt_endpoints *e = NULL;
        lt_endpoint_row row;
        CHECK(lt_json_parse(def, strlen(def), "pfs", &j, &err) == LT_OK &&
              lt_endpoints_parse(j, "pfs", &e, &err) == LT_OK &&
              lt_endpoint_derive(e, 0, rec, LT_DATE_NONE, &row, &err) == LT_OK);
        CHECK(row.event == 1 && row.end == D("2026-03-10"));
        CHECK_STR(row.reason, "progression");
        CHECK_ABS(row.time, (double)(D("2026-03-10") - D("2025-09-10")), 0);
        /* before the PD, censored at the last assessment */
        CHECK(lt_endpoint_derive(e, 0, rec, D("2026-02-01"), &row, &err) == LT_OK);
        CHECK(row.event == 0 && row.end == D("2026-01-10"));
        lt_endpoints_free(e);
        lt_json_free(j);
    }
    lt_outcome_set_free(set);

    /* a QLQ-C30: physical functioning items 1-5 all 2 (raw 2: (1 - (2-1)/3) x 100 = 66.7),
     * global health 5 and 6 (raw 5.5: (5.5-1)/6 x 100 = 75), item 11 unanswered */
    lt_questionnaire q;
    memset(&q, 0, sizeof q);
    q.date = D("2026-01-10");
    for (int i = 0; i < 28; i++)
        q.items[i] = i < 5 ? 2 : 1;
    q.items[10] = 0;
    q.items[28] = 5;
    q.items[29] = 6;
    CHECK(lt_conduct_questionnaire(f->c[COORD1], p, &q, NULL, &err) == LT_OK);
    lt_questionnaire badq = q;
    badq.items[4] = 5; /* a 4-point item */
    badq.date = D("2026-02-10");
    CHECK(lt_conduct_questionnaire(f->c[COORD1], p, &badq, NULL, &err) == LT_EINVAL);
    CHECK_MSG(strstr(err.message, "5") != NULL, "%s: %s", err.where, err.message);
    q.items[29] = 7;
    CHECK(lt_conduct_questionnaire(f->c[COORD1], p, &q, NULL, &err) == LT_EINVAL);
    CHECK(lt_conduct_questionnaire(f->c[MON], p, &q, "x", &err) == LT_EPERM);
    rec = stored(f, p, &set);
    if (rec) {
        CHECK(rec->nquestionnaires == 1);
        double sc[LT_QLQ_SCALE_COUNT];
        CHECK(rec->nquestionnaires == 1 &&
              lt_qlq_c30_score(rec->questionnaires[0].items, sc, &err) == LT_OK);
        CHECK_ABS(sc[LT_QLQ_PF], 200.0 / 3, 1e-9);
        CHECK_ABS(sc[LT_QLQ_QL], 75, 1e-9);
        CHECK(isnan(sc[LT_QLQ_SL])); /* insomnia's one item unanswered */
    }
    lt_outcome_set_free(set);
}

/* A lab graded against the patient's baseline (creatinine: grade 2 above 1.5 x baseline) takes
 * the earliest-dated earlier result of the analyte as baseline, whatever order the results were
 * written in: first a fixed sequence, then a seeded random one checked against lt_ctcae_grade. */
static const char *spare_patient(fixture *f)
{
    static char id[16];
    for (int i = 1; i <= 4; i++) {
        snprintf(id, sizeof id, "P%d", i);
        if (strcmp(id, f->treated) && strcmp(id, f->control)) return id;
    }
    return NULL;
}

static void test_lab_baseline(fixture *f)
{
    const char *p = spare_patient(f);
    if (!p) return;
    /* written out of date order: the 1 Dec result is the baseline of 15 Dec, not the 10 Dec one
     * written first (0.8 > 1.5 x 0.5, but 0.8 < 1.5 x 0.9 and below the ULN) */
    const lab_case seq[] = {
        {COORD1, "2025-12-10", "creatinine", 0.9, "mg/dL", 0.5, 1.1, NULL, LT_OK, 0, NULL},
        {COORD1, "2025-12-01", "creatinine", 0.5, "mg/dL", 0.5, 1.1, NULL, LT_OK, 0, NULL},
        {COORD1, "2025-12-15", "creatinine", 0.8, "mg/dL", 0.5, 1.1, NULL, LT_OK, 2, NULL},
    };
    run_labs(f, p, seq, sizeof seq / sizeof seq[0]);

    lt_ctcae_table *t = NULL;
    lt_error err;
    CHECK(lt_ctcae_load(NULL, &t, &err) == LT_OK);
    if (!t) return;
    /* more results on distinct days (2026-01-01 on), in a shuffled order */
    enum { N = 24 };
    int day[N];
    double val[N];
    unsigned long long x = 0x9e3779b97f4a7c15ull; /* fixed seed */
    for (int i = 0; i < N; i++) day[i] = i;
    for (int i = N - 1; i > 0; i--) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int j = (int)((x >> 33) % (unsigned long long)(i + 1)), tmp = day[i];
        day[i] = day[j];
        day[j] = tmp;
    }
    lt_date written[N + 3];
    double wval[N + 3];
    size_t nw = 0;
    for (size_t i = 0; i < 3; i++) {
        written[nw] = D(seq[i].date);
        wval[nw++] = seq[i].value;
    }
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        val[i] = 0.3 + (double)((x >> 33) % 270) / 100.0; /* 0.30 to 2.99 mg/dL */
        lt_date d = D("2026-01-01") + day[i];
        lt_date bd = LT_DATE_NONE;
        lt_grade_context ctx;
        lt_grade_context_init(&ctx);
        ctx.lln = 0.5;
        ctx.uln = 1.1;
        for (size_t k = 0; k < nw; k++)
            if (written[k] < d && (bd == LT_DATE_NONE || written[k] < bd)) {
                bd = written[k];
                ctx.baseline = wval[k];
            }
        lt_grade want;
        CHECK(lt_ctcae_grade(t, "creatinine", val[i], &ctx, &want, &err) == LT_OK);
        lt_conduct_lab lab = {p, d, "creatinine", val[i], "mg/dL", 0.5, 1.1};
        lt_grade g;
        lt_status st = lt_conduct_lab_record(f->c[COORD1], &lab, NULL, &g, &err);
        CHECK_MSG(st == LT_OK && g.grade == want.grade,
                  "random lab %d (day %d, %.2f): status %d, grade %d, want %d", i, day[i], val[i],
                  st, st == LT_OK ? g.grade : -9, want.grade);
        written[nw] = d;
        wval[nw++] = val[i];
    }
    lt_ctcae_free(t);
}

/* The data tables are read once per process and shared by every context (src/conduct/
 * tables.c); a context opened after $LUTETIA_DATA_DIR points elsewhere must still read that
 * folder's tables (a site's corrected ones), and one opened after it is unset the shipped ones. */
static void test_tables_follow_data_dir(fixture *f, const char *src)
{
    char dir[320], cmd[4096];
    snprintf(dir, sizeof dir, "%s/data", f->dir);
    /* the same tables, but platelets above 100 10^9/L implausible */
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/data' '%s' && sed -i 's/\"platelets\": {\"unit\": \"10^9\\/L\", "
             "\"min\": 0, \"max\": 5000}/\"platelets\": {\"unit\": \"10^9\\/L\", "
             "\"min\": 0, \"max\": 100}/' '%s/plausible-ranges.json' && "
             "grep -q '\"max\": 100}' '%s/plausible-ranges.json'",
             src, dir, dir, dir);
    CHECK_MSG(system(cmd) == 0, "could not make the edited data folder: %s", cmd);
    const char *p = f->control;
    lt_conduct_lab lab = {p, D("2025-12-20"), "platelets", 162, "10^9/L", NAN, NAN};
    lt_grade g;
    lt_error err;
    lt_conduct *c = NULL;
    /* the shared tables are read already (the fixture's contexts) */
    setenv("LUTETIA_DATA_DIR", dir, 1);
    CHECK(lt_conduct_new(f->t[COORD1], NULL, &c, &err) == LT_OK);
    if (c) {
        lt_status st = lt_conduct_lab_record(c, &lab, NULL, &g, &err);
        CHECK_MSG(st == LT_EINVAL && strstr(err.message, "plausible-ranges.json"),
                  "the edited folder's range: status %d: %s", st, err.message);
        lt_conduct_free(c);
        c = NULL;
    }
    unsetenv("LUTETIA_DATA_DIR");
    CHECK(lt_conduct_new(f->t[COORD1], NULL, &c, &err) == LT_OK);
    if (c) {
        lt_status st = lt_conduct_lab_record(c, &lab, NULL, &g, &err);
        CHECK_MSG(st == LT_OK, "the shipped range: status %d: %s", st, err.message);
        lt_conduct_free(c);
    }
}

/* A context made without tables is kept with its trial for the next lt_conduct_new, while
 * $LUTETIA_DATA_DIR stays the same; freeing a user's handle leaves it to the others and the
 * trial, which frees it when it closes or keeps another (ASan: nothing leaked or used after). */
static void test_conduct_kept(fixture *f, const char *src)
{
    lt_error err;
    lt_conduct *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    unsetenv("LUTETIA_DATA_DIR");
    CHECK(lt_conduct_new(f->t[COORD1], NULL, &a, &err) == LT_OK);
    CHECK(lt_conduct_new(f->t[COORD1], NULL, &b, &err) == LT_OK);
    CHECK_MSG(a && a == b, "one context kept for the trial");
    lt_conduct_free(b);
    lt_conduct_free(a);
    CHECK(lt_conduct_new(f->t[COORD1], NULL, &c, &err) == LT_OK);
    CHECK_MSG(c == a, "the kept context outlives its users' handles");
    /* another trial (another user) has its own */
    CHECK(lt_conduct_new(f->t[STAT], NULL, &d, &err) == LT_OK);
    CHECK(d && d != c);
    lt_conduct_free(d);
    /* another data folder: another context, which the trial keeps instead; the first stays
     * usable by its holder */
    char dir[320];
    snprintf(dir, sizeof dir, "%s/data", src);
    setenv("LUTETIA_DATA_DIR", dir, 1);
    CHECK(lt_conduct_new(f->t[COORD1], NULL, &d, &err) == LT_OK);
    CHECK(d && d != c);
    lt_grade g;
    lt_conduct_lab lab = {f->control, D("2025-12-21"), "platelets", 160, "10^9/L", NAN, NAN};
    CHECK_MSG(lt_conduct_lab_record(c, &lab, NULL, &g, &err) == LT_OK, "%s", err.message);
    lt_conduct_free(c);
    lt_conduct *e = NULL;
    CHECK(lt_conduct_new(f->t[COORD1], NULL, &e, &err) == LT_OK);
    CHECK(e == d);
    lt_conduct_free(e);
    lt_conduct_free(d);
    unsetenv("LUTETIA_DATA_DIR");
}

/* lt_conduct_demographics: birth date and sex from the facts screened until a profile is
 * recorded, which then wins; the age in whole years on the day of randomisation; only the
 * patients of the user's sites. */
static void test_demographics(fixture *f)
{
    lt_error err;
    lt_buf b = LT_BUF_INIT;
    lt_json *j = NULL;
    CHECK_INT(lt_conduct_demographics(f->c[STAT], &b, &err), LT_OK);
    CHECK_INT(lt_json_parse(b.p, b.n, "demographics", &j, &err), LT_OK);
    CHECK_INT(lt_json_size(j), 4);
    int k = 1;
    for (const lt_json *v = lt_json_first(j); v; v = lt_json_next(v), k++) {
        char id[16];
        snprintf(id, sizeof id, "P%d", k);
        CHECK_STR(lt_json_get_str(v, "patient", ""), id); /* in id order */
        CHECK_STR(lt_json_get_str(v, "site", ""), "S1");
        CHECK_STR(lt_json_get_str(v, "randomised_on", ""), "2025-11-01");
        CHECK_STR(lt_json_get_str(v, "birth_date", ""), "1962-03-14");
        CHECK_STR(lt_json_get_str(v, "sex", ""), "female");
        CHECK(lt_json_get_num(v, "age", -1) == 63); /* 64 only from 2026-03-14 */
    }
    lt_json_free(j);
    /* a recorded profile wins over the screened facts */
    CHECK_INT(lt_conduct_profile(f->c[COORD1], f->control, D("1962-03-14"), LT_SEX_MALE, 70,
                                 "sex corrected from the passport", &err),
              LT_OK);
    lt_buf_reset(&b);
    CHECK_INT(lt_conduct_demographics(f->c[STAT], &b, &err), LT_OK);
    CHECK_INT(lt_json_parse(b.p, b.n, "demographics", &j, &err), LT_OK);
    for (const lt_json *v = lt_json_first(j); v; v = lt_json_next(v))
        CHECK_STR(lt_json_get_str(v, "sex", ""),
                  strcmp(lt_json_get_str(v, "patient", ""), f->control) ? "female" : "male");
    lt_json_free(j);
    /* site S2's coordinator reads none of site S1's patients */
    lt_buf_reset(&b);
    CHECK_INT(lt_conduct_demographics(f->c[COORD2], &b, &err), LT_OK);
    CHECK_STR(lt_buf_str(&b), "[]\n");
    lt_buf_free(&b);
}

int main(void)
{
    test_access();
    const char *src = getenv("SRC");
    fixture f;
    if (!src) {
        printf("SRC not set: the recording tables are not run\n");
    } else if (!setup(&f, src)) {
        CHECK_MSG(false, "could not set up the trial");
        teardown(&f);
    } else {
        test_labs(&f);
        test_doses(&f);
        test_events(&f);
        test_endpoints(&f);
        test_recist_qol(&f);
        test_lab_baseline(&f);
        test_tables_follow_data_dir(&f, src);
        test_conduct_kept(&f, src);
        test_demographics(&f);
        teardown(&f);
    }
    return lt_test_done();
}
