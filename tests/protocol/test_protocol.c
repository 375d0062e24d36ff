/* Protocol module tests: loading NELMAS and its older version, every error of a broken file at
 * once with its path and line:column (reference: the file's own text), lint's findings with
 * figures checked against hand calculations, RFC 7386's merge-patch examples, derived values
 * (Cockcroft-Gault against DOMAIN.md's check value), sliding PRRT totals, anchors from facts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia/eligibility.h"
#include "lutetia/file.h"
#include "lutetia/json.h"
#include "lutetia/patient.h"
#include "lutetia/protocol.h"

static const char *src;

static char *path_of(const char *rel)
{
    static char buf[4][4096];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", src, rel);
    return buf[k];
}

static void test_nelmas(void)
{
    lt_protocol *p = NULL;
    lt_error err;
    CHECK_INT(lt_protocol_load(path_of("protocols/nelmas.json"), NULL, &p, &err), LT_OK);
    if (!p) {
        printf("  %s: %s\n", err.where, err.message);
        return;
    }
    CHECK_STR(lt_protocol_id(p), "nelmas");
    CHECK_STR(lt_protocol_name(p), "NELMAS");
    CHECK_STR(lt_protocol_version(p), "2.0");
    CHECK_INT(lt_protocol_version_count(p), 2);
    CHECK_STR(lt_protocol_version_name(p, 1), "1.0");
    CHECK_INT(lt_protocol_arm_count(p), 2);
    CHECK_STR(lt_protocol_arm(p, 0)->id, "A");
    CHECK_STR(lt_protocol_arm(p, 0)->name, "Standard of care");
    CHECK_INT(lt_protocol_arm(p, 1)->ratio, 1);
    CHECK_INT(lt_protocol_randomisation(p)->method, LT_RANDOMISE_PERMUTED_BLOCKS);
    CHECK_INT(lt_protocol_randomisation(p)->nblock_sizes, 2);
    CHECK_INT(lt_protocol_strat_count(p), 2);
    const lt_strat_factor *f = lt_protocol_strat(p, 0);
    CHECK_STR(f->id, "primary_site");
    CHECK_STR(f->fact_kind, "diagnosis");
    CHECK_STR(f->attr, "primary_site");
    CHECK_INT(f->nlevels, 2);
    CHECK_STR(f->levels[1], "other");
    CHECK_INT(f->nvalues[1], 6);
    /* every criterion of seed 002, in its order: I1-I8 then E1-E17 */
    CHECK_INT(lt_protocol_criterion_count(p), 25);
    char want[8];
    for (size_t i = 0; i < 25 && i < lt_protocol_criterion_count(p); i++) {
        snprintf(want, sizeof want, "%c%zu", i < 8 ? 'I' : 'E', i < 8 ? i + 1 : i - 7);
        CHECK_STR(lt_protocol_criterion(p, i)->id, want);
        CHECK(lt_protocol_criterion(p, i)->text && strlen(lt_protocol_criterion(p, i)->text) > 5);
        CHECK_INT(lt_protocol_criterion(p, i)->exclusion, i >= 8);
    }
    /* thresholds converted at load: 5.0 mmol/L haemoglobin = 5.0 / 0.6206 g/dL (DOMAIN.md) */
    const lt_criterion *e8 = lt_protocol_criterion_find(p, "E8");
    CHECK(e8 && e8->rule->type == LT_RULE_ANY && e8->rule->nkids == 2);
    if (e8) CHECK_REL(e8->rule->kids[0]->value, 5.0 / 0.6206, 1e-9);
    const lt_criterion *e16 = lt_protocol_criterion_find(p, "E16");
    if (e16) CHECK_REL(e16->rule->kids[0]->value, 150 / 88.4, 1e-9);
    bool hl, hh;
    double lo, hi;
    CHECK(lt_protocol_reference_limit(p, "bilirubin", &hl, &lo, &hh, &hi) && hh && !hl);
    CHECK_REL(hi, 1.2, 1e-12);
    CHECK(!lt_protocol_reference_limit(p, "alt", &hl, &lo, &hh, &hi));
    CHECK(lt_protocol_section(p, "design") != NULL);
    CHECK(lt_protocol_section(p, "nonsense") == NULL);
    const lt_json *arms = lt_protocol_section(p, "arms");
    double w = 0;
    lt_json_num(lt_json_get(lt_json_get(lt_json_get(lt_json_get(lt_json_get(lt_json_get(arms, "B"),
                                                                            "interventions"),
                                                                "lutathera"),
                                                    "first_cycle"),
                                        "offset"),
                            "weeks"),
                &w);
    CHECK_REL(w, 6, 0);
    lt_buf b = LT_BUF_INIT;
    lt_protocol_describe(p, &b);
    CHECK(strstr(lt_buf_str(&b), "consent_written") != NULL);
    CHECK(strstr(lt_buf_str(&b), "hb-threshold") != NULL);
    CHECK(strstr(lt_buf_str(&b), "hemoglobin < 8.057 g/dL (5 mmol/L)") != NULL);
    CHECK(strstr(lt_buf_str(&b), "also called \"Best supportive care\" (source 002)") != NULL);
    lt_buf_free(&b);
    lt_protocol_free(p);

    /* the older version: first cycle 8 weeks after resection (seed 000) */
    CHECK_INT(lt_protocol_load(path_of("protocols/nelmas.json"), "1.0", &p, &err), LT_OK);
    if (p) {
        CHECK_STR(lt_protocol_version(p), "1.0");
        arms = lt_protocol_section(p, "arms");
        lt_json_num(
            lt_json_get(lt_json_get(lt_json_get(lt_json_get(lt_json_get(lt_json_get(arms, "B"),
                                                                        "interventions"),
                                                            "lutathera"),
                                                "first_cycle"),
                                    "offset"),
                        "weeks"),
            &w);
        CHECK_REL(w, 8, 0);
        CHECK_INT(lt_protocol_criterion_count(p), 25);
        lt_protocol_free(p);
    }
    p = (lt_protocol *)&err; /* outputs untouched on failure */
    CHECK_INT(lt_protocol_load(path_of("protocols/nelmas.json"), "9.9", &p, &err), LT_ENOTFOUND);
    CHECK(p == (lt_protocol *)&err);
    CHECK(strstr(err.message, "2.0, 1.0") != NULL);
    CHECK_INT(lt_protocol_load(path_of("no/such/file.json"), NULL, &p, &err), LT_EIO);
    lt_protocol_free(NULL);
}

static const lt_protocol_issue *find_issue(const lt_protocol_issue *v, size_t n, const char *path,
                                           const char *msg_part)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].path, path) && (!msg_part || strstr(v[i].message, msg_part))) return &v[i];
    return NULL;
}

static void expect_issue(const lt_protocol_issue *v, size_t n, const char *path, const char *part,
                         int line, int col, const char *version)
{
    const lt_protocol_issue *e = find_issue(v, n, path, part);
    CHECK_MSG(e != NULL, "no issue at %s saying \"%s\"", path, part);
    if (!e) return;
    if (line)
        CHECK_MSG(e->line == line && e->col == col, "%s: at %d:%d, expected %d:%d", path, e->line,
                  e->col, line, col);
    if (version) CHECK_STR(e->version, version);
}

static void test_check(void)
{
    char *text;
    size_t len;
    lt_error err;
    CHECK_INT(lt_file_read(path_of("tests/protocol/data/bad.json"), &text, &len, &err), LT_OK);
    lt_protocol_issue *v = NULL;
    size_t n = 0;
    CHECK_INT(lt_protocol_check(text, len, "bad.json", &v, &n, &err), LT_OK);
    for (size_t i = 0; i < n; i++)
        printf("  issue %s:%d:%d %s: %s\n", v[i].version, v[i].line, v[i].col, v[i].path,
               v[i].message);
    /* positions: the value's first character in the file (counted from the file itself) */
    expect_issue(v, n, "date", "YYYY-MM-DD", 3, 55, NULL);
    expect_issue(v, n, "arms.B.ratio", "from 1 to 100", 6, 115, NULL);
    expect_issue(v, n, "randomisation.block_sizes[0]", "multiple of the sum", 0, 0, NULL);
    expect_issue(v, n, "criteria.I1.rule.opp", "unknown member", 9, 105, NULL);
    expect_issue(v, n, "criteria.I1.rule.op", "missing", 0, 0, NULL);
    expect_issue(v, n, "criteria[\"E12.3\"].rule.window.anchor", "\"surgery\"", 10, 139, NULL);
    expect_issue(v, n, "criteria[\"E12.3\"].source", "s9", 0, 0, NULL);
    expect_issue(v, n, "criteria[\"E12.3\"].kind", "exclusion by its id", 0, 0, NULL);
    expect_issue(v, n, "criteria.X1", "criterion id", 0, 0, NULL);
    expect_issue(v, n, "criteria.X1.rule.attr", "only inside", 11, 79, NULL);
    /* a problem only the older version has points into its patch */
    expect_issue(v, n, "criteria.I1.rule.unit", "furlongs", 4, 146, "1");
    /* reported once though both versions have it */
    size_t opp = 0;
    for (size_t i = 0; i < n; i++)
        opp += !strcmp(v[i].path, "criteria.I1.rule.opp");
    CHECK_INT(opp, 1);
    CHECK(n >= 11);
    free(v);
    /* load reports the first problem and the count */
    lt_protocol *p = NULL;
    CHECK_INT(lt_protocol_parse(text, len, "bad.json", NULL, &p, &err), LT_ESCHEMA);
    CHECK(p == NULL);
    CHECK(strstr(err.message, "problems") != NULL);
    CHECK(!strncmp(err.where, "bad.json:", 9));
    free(text);

    /* not JSON at all: the syntax error's place */
    const char *broken = "{\n  \"format\": \"lutetia-protocol\",\n  \"id\": }";
    CHECK_INT(lt_protocol_check(broken, strlen(broken), "broken.json", &v, &n, &err), LT_EPARSE);
    CHECK_STR(err.where, "broken.json:3:9");
    /* a document that is not an object */
    CHECK_INT(lt_protocol_check("[1]", 3, "arr.json", &v, &n, &err), LT_OK);
    CHECK_INT(n, 1);
    free(v);
}

static void test_lint(void)
{
    lt_protocol *p;
    lt_error err;
    if (lt_protocol_load(path_of("protocols/nelmas.json"), NULL, &p, &err) != LT_OK) {
        CHECK_MSG(0, "%s", err.message);
        return;
    }
    lt_protocol_issue *v;
    size_t n;
    CHECK_INT(lt_protocol_lint(p, &v, &n, &err), LT_OK);
    for (size_t i = 0; i < n; i++)
        printf("  lint %s %s: %s\n", v[i].code, v[i].path, v[i].message);
    /* ln 0.44 / ln 0.25 = 0.5922 (DOMAIN.md: 0.592); Schoenfeld with z 1.959964, 0.841621 and
     * 1:1: 4 (2.801585)^2 / ln^2 HR = 18.3 -> 19 events at 0.27, 114.2 -> 115 at 0.592 */
    const lt_protocol_issue *hr = find_issue(v, n, "design.hazard_ratio", "= 0.592");
    CHECK(hr != NULL);
    if (hr) {
        CHECK_STR(hr->code, "HR_INCONSISTENT");
        CHECK(strstr(hr->message, "stated HR is 0.27") != NULL);
        CHECK(strstr(hr->message, "19 at HR 0.27") != NULL);
        CHECK(strstr(hr->message, "115 at HR 0.592") != NULL);
        CHECK(hr->line > 0);
    }
    CHECK(find_issue(v, n, "criteria.E8.rule", "8.057 g/dL") != NULL);
    CHECK(find_issue(v, n, "criteria.E16.rule", "1.697 mg/dL") != NULL);
    /* INDEX.md: 002 calls the control arm both "best supportive care" and "standard of care" */
    const lt_protocol_issue *an =
        find_issue(v, n, "arms.A.also_called[0]",
                   "arm A is called \"Standard of care\" in this file but \"Best supportive care\" "
                   "in source 002");
    CHECK(an != NULL);
    if (an) {
        CHECK_STR(an->code, "ARM_NAMES");
        CHECK(an->line > 0);
    }
    const lt_protocol_issue *vd =
        find_issue(v, n, "arms.B.interventions.lutathera.first_cycle.offset.weeks",
                   "version 1.0 has 8 where version 2.0 has 6");
    CHECK(vd != NULL);
    if (vd) CHECK_STR(vd->code, "VERSION_DIFF");
    /* NELMAS has no unused window and its choices all point somewhere */
    for (size_t i = 0; i < n; i++) {
        CHECK_MSG(strcmp(v[i].code, "UNUSED_WINDOW"), "unused window %s", v[i].path);
        CHECK_MSG(strcmp(v[i].code, "CHOICE_PATH"), "choice path %s", v[i].path);
        CHECK_MSG(strcmp(v[i].code, "TOTAL_ACTIVITY"), "total activity %s", v[i].path);
    }
    free(v);
    lt_protocol_free(p);
}

/* Replaces the one occurrence of from in *text (which must hold it exactly once). */
static bool replace_once(char **text, const char *from, const char *to)
{
    char *at = strstr(*text, from);
    if (!at || strstr(at + 1, from)) return false;
    size_t pre = (size_t)(at - *text), lf = strlen(from), lt = strlen(to), tail = strlen(at + lf);
    char *out = malloc(pre + lt + tail + 1);
    if (!out) return false;
    memcpy(out, *text, pre);
    memcpy(out + pre, to, lt);
    memcpy(out + pre + lt, at + lf, tail + 1);
    free(*text);
    *text = out;
    return true;
}

static size_t count_code(const lt_protocol_issue *v, size_t n, const char *code)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !strcmp(v[i].code, code);
    return k;
}

/* The cycle timing is held twice (arms.*.interventions and schedule.items): the shipped files
 * agree, and each kind of disagreement made in a copy of NELMAS is reported at the schedule
 * item it concerns. */
static void test_cycle_timing(void)
{
    static const char *const files[][2] = {{"protocols/nelmas.json", NULL},
                                           {"protocols/nelmas.json", "1.0"},
                                           {"protocols/nct04544098.json", NULL},
                                           {"protocols/net-retreat.json", NULL}};
    lt_protocol *p;
    lt_protocol_issue *v;
    size_t n;
    lt_error err;
    for (size_t i = 0; i < 4; i++) {
        if (lt_protocol_load(path_of(files[i][0]), files[i][1], &p, &err) != LT_OK) {
            CHECK_MSG(0, "%s: %s", files[i][0], err.message);
            continue;
        }
        CHECK_INT(lt_protocol_lint(p, &v, &n, &err), LT_OK);
        for (size_t j = 0; j < n; j++)
            CHECK_MSG(strcmp(v[j].code, "SCHEDULE_MISMATCH"), "%s: %s %s", files[i][0], v[j].path,
                      v[j].message);
        free(v);
        lt_protocol_free(p);
    }

    char *text;
    size_t len;
    if (lt_file_read(path_of("protocols/nelmas.json"), &text, &len, &err) != LT_OK) {
        CHECK_MSG(0, "%s", err.message);
        return;
    }
    /* same lengths in other units are not a disagreement: 8 weeks = 56 days */
    CHECK(replace_once(&text, "\"offset\": {\"weeks\": 8}, \"window\": {\"before\": {\"weeks\": 1}",
                       "\"offset\": {\"days\": 56}, \"window\": {\"before\": {\"days\": 7}"));
    p = NULL;
    CHECK_INT(lt_protocol_parse(text, strlen(text), "nelmas-days.json", NULL, &p, &err), LT_OK);
    if (p) {
        CHECK_INT(lt_protocol_lint(p, &v, &n, &err), LT_OK);
        CHECK_INT(count_code(v, n, "SCHEDULE_MISMATCH"), 0);
        free(v);
        lt_protocol_free(p);
    }
    /* now make them disagree: C2 9 weeks after C1, C1 +3 weeks late, delay up to 12 weeks,
     * 3 cycles in the arm, and 2 months (not 8 weeks) */
    CHECK(replace_once(&text, "\"offset\": {\"days\": 56}, \"window\": {\"before\": {\"days\": 7}",
                       "\"offset\": {\"weeks\": 9}, \"window\": {\"before\": {\"weeks\": 1}"));
    CHECK(replace_once(
        &text, "\"offset\": {\"weeks\": 6}, \"window\": {\"before\": {\"weeks\": 2}, \"after\": {\"weeks\": 2}}",
        "\"offset\": {\"weeks\": 6}, \"window\": {\"before\": {\"weeks\": 2}, \"after\": {\"weeks\": 3}}"));
    CHECK(replace_once(&text, "\"delay\": {\"max\": {\"weeks\": 16}", "\"delay\": {\"max\": {\"weeks\": 12}"));
    CHECK(replace_once(&text, "\"nuclide\": \"Lu-177\",\n              \"cycles\": 2,",
                       "\"nuclide\": \"Lu-177\",\n              \"cycles\": 3,"));
    p = NULL;
    CHECK_INT(lt_protocol_parse(text, strlen(text), "nelmas-bad.json", NULL, &p, &err), LT_OK);
    if (p) {
        CHECK_INT(lt_protocol_lint(p, &v, &n, &err), LT_OK);
        for (size_t j = 0; j < n; j++)
            if (!strcmp(v[j].code, "SCHEDULE_MISMATCH")) printf("  lint %s: %s\n", v[j].path, v[j].message);
        CHECK_INT(count_code(v, n, "SCHEDULE_MISMATCH"), 4);
        const lt_protocol_issue *e = find_issue(v, n, "schedule.items.C2.offset", "9 weeks after C1");
        CHECK(e != NULL);
        if (e) {
            CHECK(strstr(e->message, "interval.offset is 8 weeks") != NULL);
            CHECK(e->line > 0);
        }
        CHECK(find_issue(v, n, "schedule.items.C1.window", "2 weeks before and 3 weeks after") !=
              NULL);
        CHECK(find_issue(v, n, "schedule.items.C2.delay", "delayed to 12 weeks") != NULL);
        CHECK(find_issue(v, n, "arms.B.interventions.lutathera.cycles",
                         "3 cycles, but the schedule chains 2 treatment items") != NULL);
        free(v);
        lt_protocol_free(p);
    }
    /* also_called must name a listed source */
    CHECK(replace_once(&text, "[{\"name\": \"Best supportive care\", \"source\": \"002\"}]",
                       "[{\"name\": \"Best supportive care\", \"source\": \"009\"}, 3]"));
    CHECK_INT(lt_protocol_check(text, strlen(text), "nelmas-aka.json", &v, &n, &err), LT_OK);
    CHECK(find_issue(v, n, "arms.A.also_called[0].source", "found \"009\"") != NULL);
    CHECK(find_issue(v, n, "arms.A.also_called[1]", "found a number") != NULL);
    free(v);
    CHECK(replace_once(&text, "[{\"name\": \"Best supportive care\", \"source\": \"009\"}, 3]",
                       "[{\"name\": \"Best supportive care\", \"source\": \"002\"}]"));
    CHECK(replace_once(&text, "\"offset\": {\"weeks\": 9}, \"window\": {\"before\": {\"weeks\": 1}",
                       "\"offset\": {\"months\": 2}, \"window\": {\"before\": {\"weeks\": 1}"));
    p = NULL;
    CHECK_INT(lt_protocol_parse(text, strlen(text), "nelmas-months.json", NULL, &p, &err), LT_OK);
    if (p) {
        CHECK_INT(lt_protocol_lint(p, &v, &n, &err), LT_OK);
        CHECK(find_issue(v, n, "schedule.items.C2.offset", "2 months after C1") != NULL);
        free(v);
        lt_protocol_free(p);
    }
    free(text);
}

/* RFC 7386 Appendix A: target, patch, result. */
static void test_merge_patch(void)
{
    static const char *const cases[][3] = {
        {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
        {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
        {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
        {"{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
        {"{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
        {"{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"},
        {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
        {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
        {"[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
        {"{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"},
        {"{\"a\":\"foo\"}", "null", "null"},
        {"{\"a\":\"foo\"}", "\"bar\"", "\"bar\""},
        {"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
        {"[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
        {"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_json *t, *pa;
        lt_error err;
        CHECK_INT(lt_json_parse(cases[i][0], strlen(cases[i][0]), "t", &t, &err), LT_OK);
        CHECK_INT(lt_json_parse(cases[i][1], strlen(cases[i][1]), "p", &pa, &err), LT_OK);
        CHECK_INT(lt_json_merge_patch(&t, pa, &err), LT_OK);
        char *got = lt_json_print(t);
        CHECK_MSG(got && !strcmp(got, cases[i][2]), "RFC 7386 A.%zu: %s, expected %s", i + 1, got,
                  cases[i][2]);
        free(got);
        lt_json_free(t);
        lt_json_free(pa);
    }
}

static lt_cohort *cohort_of(const char *json)
{
    lt_cohort *c;
    lt_error err;
    if (lt_cohort_new(&c, &err) != LT_OK) return NULL;
    if (lt_cohort_read_mem(c, json, strlen(json), "test", &err) != LT_OK) {
        printf("  patient: %s: %s\n", err.where, err.message);
        lt_cohort_free(c);
        return NULL;
    }
    return c;
}

static lt_cohort *held[64];
static int nheld;

static const lt_criterion_result *screen_one(const lt_protocol *p, const char *patient,
                                             const char *as_of, const char *id, lt_screening **keep)
{
    lt_cohort *c = cohort_of(patient);
    if (!c) {
        CHECK_MSG(0, "patient does not read");
        return NULL;
    }
    lt_screen_options opt = {LT_DATE_NONE, NULL, NULL, 0};
    lt_date_parse(as_of, false, &opt.as_of);
    lt_screening *s;
    lt_error err;
    const lt_criterion_result *r = NULL;
    if (lt_screen(p, lt_cohort_patient(c, 0), &opt, &s, &err) == LT_OK) {
        for (size_t i = 0; i < lt_screening_count(s); i++)
            if (!strcmp(lt_screening_result(s, i)->id, id)) r = lt_screening_result(s, i);
        *keep = s;
    }
    /* the screening borrows from the patient: keep the cohort until the end */
    if (nheld < 64)
        held[nheld++] = c;
    else
        lt_cohort_free(c);
    return r;
}

static double derived_value(const lt_criterion_result *r, const char *concept)
{
    for (size_t i = 0; r && i < r->nevidence; i++)
        if (!strcmp(r->evidence[i].concept, concept) && !strcmp(r->evidence[i].kind, "derived"))
            return r->evidence[i].value;
    return NAN;
}

static void test_derived(void)
{
    lt_protocol *p;
    lt_error err;
    if (lt_protocol_load(path_of("tests/protocol/data/mini.json"), NULL, &p, &err) != LT_OK) {
        CHECK_MSG(0, "mini.json: %s: %s", err.where, err.message);
        return;
    }
    lt_screening *s = NULL;
    /* Cockcroft-Gault, DOMAIN.md check: 1.09 mg/dL, 55 y, male, 90 kg -> 97 (admiral) */
    const lt_criterion_result *r = screen_one(
        p,
        "{\"id\":\"cg\",\"birth_date\":\"1971-06-01\",\"sex\":\"male\","
        "\"labs\":[{\"code\":\"creatinine\",\"date\":\"2026-10-20\",\"value\":1.09,\"unit\":\"mg/"
        "dL\"}],"
        "\"vitals\":[{\"code\":\"weight\",\"date\":\"2026-10-20\",\"value\":90,\"unit\":\"kg\"}]}",
        "2026-11-01", "I1", &s);
    CHECK(r && r->status == LT_MET);
    CHECK_ABS(derived_value(r, "creatinine_clearance"), 97, 0.5);
    CHECK_REL(derived_value(r, "creatinine_clearance"), 85.0 * 90 / (72 * 1.09), 1e-12);
    lt_screening_free(s);
    /* female: x 0.85; creatinine in umol/L */
    r = screen_one(
        p,
        "{\"id\":\"cgf\",\"birth_date\":\"1971-06-01\",\"sex\":\"female\","
        "\"labs\":[{\"code\":\"creatinine\",\"date\":\"2026-10-20\",\"value\":96.356,\"unit\":"
        "\"umol/L\"}],"
        "\"vitals\":[{\"code\":\"weight\",\"date\":\"2026-10-20\",\"value\":90,\"unit\":\"kg\"}]}",
        "2026-11-01", "I1", &s);
    CHECK_REL(derived_value(r, "creatinine_clearance"), 85.0 * 90 * 0.85 / (72 * 1.09), 1e-9);
    lt_screening_free(s);
    /* a measured 24-hour clearance is preferred */
    r = screen_one(
        p,
        "{\"id\":\"meas\",\"birth_date\":\"1971-06-01\",\"sex\":\"male\","
        "\"labs\":[{\"code\":\"creatinine\",\"date\":\"2026-10-20\",\"value\":1.09,\"unit\":\"mg/"
        "dL\"},"
        "{\"code\":\"creatinine_clearance\",\"date\":\"2026-10-20\",\"value\":45,\"unit\":\"mL/"
        "min\"}],"
        "\"vitals\":[{\"code\":\"weight\",\"date\":\"2026-10-20\",\"value\":90,\"unit\":\"kg\"}]}",
        "2026-11-01", "I1", &s);
    CHECK(r && r->status == LT_NOT_MET);
    CHECK(r && r->nevidence > 0 && r->evidence[0].note &&
          strstr(r->evidence[0].note, "measured creatinine clearance") != NULL);
    lt_screening_free(s);
    /* a clearance the laboratory computed by Cockcroft-Gault (LOINC 35591-7) is used as it is,
     * but not called measured */
    r = screen_one(
        p,
        "{\"id\":\"labcg\",\"birth_date\":\"1971-06-01\",\"sex\":\"male\","
        "\"labs\":[{\"code\":\"creatinine_clearance\",\"date\":\"2026-10-20\",\"value\":45,"
        "\"unit\":\"mL/min\",\"attrs\":{\"method\":\"cockcroft_gault\"}}]}",
        "2026-11-01", "I1", &s);
    CHECK(r && r->status == LT_NOT_MET);
    CHECK(r && r->nevidence > 0 && r->evidence[0].note &&
          strstr(r->evidence[0].note, "Cockcroft-Gault clearance as reported") != NULL);
    lt_screening_free(s);
    /* no weight: unknown */
    r = screen_one(p,
                   "{\"id\":\"now\",\"birth_date\":\"1971-06-01\",\"sex\":\"male\","
                   "\"labs\":[{\"code\":\"creatinine\",\"date\":\"2026-10-20\",\"value\":1.09,"
                   "\"unit\":\"mg/dL\"}]}",
                   "2026-11-01", "I1", &s);
    CHECK(r && r->status == LT_UNKNOWN && !strcmp(r->reason, "MISSING"));
    lt_screening_free(s);
    /* sex unknown: unknown */
    r = screen_one(
        p,
        "{\"id\":\"nosex\",\"birth_date\":\"1971-06-01\","
        "\"labs\":[{\"code\":\"creatinine\",\"date\":\"2026-10-20\",\"value\":1.09,\"unit\":\"mg/"
        "dL\"}],"
        "\"vitals\":[{\"code\":\"weight\",\"date\":\"2026-10-20\",\"value\":90,\"unit\":\"kg\"}]}",
        "2026-11-01", "I1", &s);
    CHECK(r && r->status == LT_UNKNOWN && !strcmp(r->reason, "SEX_UNKNOWN"));
    lt_screening_free(s);

    /* PRRT: 3 cycles within 52 weeks (count), and 3 x 7.4 GBq = 22,200 MBq = 600 mCi */
    const char *three_in_year =
        "{\"id\":\"p3\",\"treatments\":["
        "{\"code\":\"prrt\",\"date\":\"2024-01-10\",\"value\":7.4,\"unit\":\"GBq\"},"
        "{\"code\":\"prrt\",\"date\":\"2024-03-10\",\"value\":7.4,\"unit\":\"GBq\"},"
        "{\"code\":\"prrt\",\"date\":\"2024-05-10\",\"value\":7.4,\"unit\":\"GBq\"}],"
        "\"imaging\":[{\"code\":\"ct\",\"date\":\"2025-06-01\",\"recist_progression\":\"yes\"}]}";
    r = screen_one(p, three_in_year, "2026-11-01", "I2", &s);
    CHECK(r && r->status == LT_MET);
    CHECK_REL(derived_value(r, "prrt_activity"), 22200, 1e-9);
    lt_screening_free(s);
    /* progression 12 months after the last PRRT (2024-05-10): 2025-06-01 is after 2025-05-10 */
    r = screen_one(p, three_in_year, "2026-11-01", "I3", &s);
    CHECK(r && r->status == LT_MET);
    lt_screening_free(s);
    /* two cycles 7.4 GBq and one 7.4 GBq 53 weeks after the first: neither 3 within 52 weeks
     * nor 22,200 MBq */
    r = screen_one(
        p,
        "{\"id\":\"p2\",\"treatments\":["
        "{\"code\":\"prrt\",\"date\":\"2024-01-10\",\"value\":7.4,\"unit\":\"GBq\"},"
        "{\"code\":\"prrt\",\"date\":\"2024-03-10\",\"value\":7.4,\"unit\":\"GBq\"},"
        "{\"code\":\"prrt\",\"date\":\"2025-01-15\",\"value\":7.4,\"unit\":\"GBq\"}],"
        "\"imaging\":[{\"code\":\"ct\",\"date\":\"2025-06-01\",\"recist_progression\":\"yes\"}]}",
        "2026-11-01", "I2", &s);
    CHECK(r && r->status == LT_NOT_MET);
    CHECK_REL(derived_value(r, "prrt_activity"), 14800, 1e-9);
    lt_screening_free(s);
    /* progression less than 12 months after the last PRRT: no CT in the window */
    r = screen_one(
        p,
        "{\"id\":\"early\",\"treatments\":[{\"code\":\"prrt\",\"date\":\"2025-01-15\",\"value\":7."
        "4,\"unit\":\"GBq\"}],"
        "\"imaging\":[{\"code\":\"ct\",\"date\":\"2025-06-01\",\"recist_progression\":\"yes\"}]}",
        "2026-11-01", "I3", &s);
    CHECK(r && r->status == LT_UNKNOWN && !strcmp(r->reason, "OUT_OF_WINDOW"));
    lt_screening_free(s);
    /* no PRRT: the anchor is missing */
    r = screen_one(p, "{\"id\":\"none\"}", "2026-11-01", "I3", &s);
    CHECK(r && r->status == LT_UNKNOWN && !strcmp(r->reason, "ANCHOR_MISSING"));
    lt_screening_free(s);

    /* multiples of ULN: no reference range and no protocol default -> unknown */
    r = screen_one(
        p,
        "{\"id\":\"uln\",\"labs\":[{\"code\":\"bilirubin\",\"date\":\"2026-10-20\",\"value\":5,"
        "\"unit\":\"mg/dL\"},"
        "{\"code\":\"alt\",\"date\":\"2026-10-20\",\"value\":200,\"unit\":\"U/L\",\"high\":40}]}",
        "2026-11-01", "E12.3", &s);
    CHECK(r && r->status == LT_UNKNOWN && !strcmp(r->reason, "NO_REFERENCE_LIMIT"));
    lt_screening_free(s);
    /* ALT exactly 5 x ULN (200 = 5 x 40): not above */
    r = screen_one(p,
                   "{\"id\":\"alt\",\"labs\":[{\"code\":\"alt\",\"date\":\"2026-10-20\",\"value\":"
                   "200,\"unit\":\"U/L\",\"high\":40}]}",
                   "2026-11-01", "E13", &s);
    CHECK(r && r->status == LT_NOT_MET);
    lt_screening_free(s);
    /* 3.34 ukat/L = 200.4 U/L (x 60): above 5 x 40 */
    r = screen_one(p,
                   "{\"id\":\"alt2\",\"labs\":[{\"code\":\"alt\",\"date\":\"2026-10-20\",\"value\":"
                   "3.34,\"unit\":\"ukat/L\",\"high\":0.6667}]}",
                   "2026-11-01", "E13", &s);
    CHECK(r && r->status == LT_MET);
    lt_screening_free(s);
    /* attribute against attribute, treatment duration, an anchor over several codes */
    const char *i4 = "{\"id\":\"i4\",\"imaging\":[{\"code\":\"ga68_dotatate_pet\",\"date\":\"2026-"
                     "09-01\",\"suv_max\":12,\"suv_liver_mean\":6}],"
                     "\"treatments\":[{\"code\":\"everolimus\",\"date\":\"2025-01-01\",\"end_"
                     "date\":\"2025-02-01\"}]}";
    r = screen_one(p, i4, "2026-11-01", "I4", &s);
    CHECK(r && r->status == LT_MET);
    lt_screening_free(s);
    r = screen_one(p,
                   "{\"id\":\"i4b\",\"imaging\":[{\"code\":\"ga68_dotatate_pet\",\"date\":\"2026-"
                   "09-01\",\"suv_max\":5,\"suv_liver_mean\":6}]}",
                   "2026-11-01", "I4", &s);
    CHECK(r && r->status == LT_NOT_MET);
    lt_screening_free(s);
    r = screen_one(p,
                   "{\"id\":\"i4c\",\"imaging\":[{\"code\":\"ga68_dotatate_pet\",\"date\":\"2026-"
                   "09-01\",\"suv_max\":12}]}",
                   "2026-11-01", "I4", &s);
    CHECK(r && r->status == LT_UNKNOWN && !strcmp(r->reason, "ATTRIBUTE_MISSING"));
    lt_screening_free(s);
    /* everolimus for 32 days: more than a month */
    r = screen_one(p,
                   "{\"id\":\"i4d\",\"imaging\":[{\"code\":\"ga68_dotatate_pet\",\"date\":\"2026-"
                   "09-01\",\"suv_max\":12,\"suv_liver_mean\":6}],"
                   "\"treatments\":[{\"code\":\"everolimus\",\"date\":\"2025-01-01\",\"end_date\":"
                   "\"2025-02-02\"}]}",
                   "2026-11-01", "I4", &s);
    CHECK(r && r->status == LT_NOT_MET);
    lt_screening_free(s);
    /* the anchor is the latest of embolisation and chemoembolisation */
    r = screen_one(
        p,
        "{\"id\":\"i5\",\"procedures\":[{\"code\":\"embolization\",\"date\":\"2026-01-01\"},"
        "{\"code\":\"chemoembolization\",\"date\":\"2026-03-01\"}]}",
        "2026-11-01", "I5", &s);
    CHECK(r && r->status == LT_MET);
    lt_screening_free(s);
    r = screen_one(
        p,
        "{\"id\":\"i5b\",\"procedures\":[{\"code\":\"embolization\",\"date\":\"2026-05-01\"},"
        "{\"code\":\"chemoembolization\",\"date\":\"2026-03-01\"}]}",
        "2026-11-01", "I5", &s);
    /* the window (the latest local therapy's day) closed with only the chemoembolisation
     * outside it: the latest local therapy was not one, not met */
    CHECK(r && r->status == LT_NOT_MET && !strcmp(r->reason, "OUT_OF_WINDOW"));
    CHECK(r && r->nevidence > 0 && r->evidence[0].note &&
          strstr(r->evidence[0].note, "outside the window from 2026-05-01 to 2026-05-01, which "
                                      "closed before the as-of date"));
    lt_screening_free(s);
    lt_protocol_free(p);
}

/* true when s is well-formed UTF-8 (no sequence cut short) */
static bool utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        int n = *u < 0x80             ? 0
                : (*u & 0xE0) == 0xC0 ? 1
                : (*u & 0xF0) == 0xE0 ? 2
                : (*u & 0xF8) == 0xF0 ? 3
                                      : -1;
        if (n < 0) return false;
        u++;
        for (int i = 0; i < n; i++, u++)
            if ((*u & 0xC0) != 0x80) return false;
    }
    return true;
}

static void test_text_report(void)
{
    lt_protocol *p;
    lt_error err;
    if (lt_protocol_load(path_of("tests/protocol/data/mini.json"), NULL, &p, &err) != LT_OK) return;
    lt_screening *s = NULL;
    const lt_criterion_result *r = screen_one(p, "{\"id\":\"t\"}", "2026-11-01", "E14", &s);
    CHECK(r && r->status == LT_UNKNOWN);
    lt_buf b = LT_BUF_INIT;
    if (s) lt_screening_text(s, &b);
    CHECK(strstr(lt_buf_str(&b), "E14") != NULL);
    CHECK(strstr(lt_buf_str(&b), "shorten at the ...") != NULL);
    CHECK(utf8_ok(lt_buf_str(&b)));
    lt_buf_free(&b);
    lt_screening_free(s);
    lt_protocol_free(p);
}

/* Sub-items that are alternatives: shown with their own status, deciding through the parent. */
static void test_parts(void)
{
    lt_protocol *p;
    lt_error err;
    if (lt_protocol_load(path_of("tests/protocol/data/parts.json"), NULL, &p, &err) != LT_OK) {
        CHECK_MSG(0, "parts.json: %s: %s", err.where, err.message);
        return;
    }
    CHECK_STR(lt_protocol_criterion_find(p, "I6.1")->part_of, "I6");
    CHECK(lt_protocol_criterion_find(p, "I6")->part_of == NULL);
    lt_screening *s = NULL;
    /* I6.2 met, I6.1 and I6.3 unknown: I6 met and the patient eligible */
    const lt_criterion_result *r =
        screen_one(p,
                   "{\"id\":\"a\",\"imaging\":[{\"code\":\"ct\",\"date\":\"2026-09-01\",\"recist_"
                   "progression\":\"yes\"}]}",
                   "2026-11-01", "I6", &s);
    CHECK(r && r->status == LT_MET);
    if (s) {
        CHECK_INT(lt_screening_verdict(s), LT_VERDICT_ELIGIBLE);
        CHECK_INT(lt_screening_result(s, 1)->status, LT_UNKNOWN);
        CHECK_INT(lt_screening_result(s, 2)->status, LT_MET);
        CHECK_INT(lt_screening_result(s, 3)->status, LT_UNKNOWN);
        CHECK_INT(lt_screening_result(s, 2)->nevidence, 1);
        CHECK_INT(r->nevidence, 0); /* the evidence stays with the sub-item */
        lt_buf b = LT_BUF_INIT;
        lt_screening_json(s, &b);
        CHECK(strstr(lt_buf_str(&b), "\"id\":\"I6.1\",\"kind\":\"inclusion\",\"part_of\":\"I6\"") !=
              NULL);
        lt_buf_free(&b);
    }
    lt_screening_free(s);
    /* neither: I6 not met, ineligible */
    r = screen_one(
        p,
        "{\"id\":\"b\",\"imaging\":[{\"code\":\"ct\",\"date\":\"2026-09-01\",\"recist_"
        "progression\":\"no\"}],"
        "\"attestations\":[{\"code\":\"new_lesion\",\"date\":\"2026-10-01\",\"value\":false}]}",
        "2026-11-01", "I6", &s);
    CHECK(r && r->status == LT_NOT_MET);
    if (s) CHECK_INT(lt_screening_verdict(s), LT_VERDICT_INELIGIBLE);
    lt_screening_free(s);
    /* lint: I6.3 is part of I6 but I6's rule does not ask for it */
    lt_protocol_issue *v;
    size_t n;
    CHECK_INT(lt_protocol_lint(p, &v, &n, &err), LT_OK);
    CHECK(find_issue(v, n, "criteria[\"I6.3\"]", "does not refer to it") != NULL);
    free(v);
    lt_protocol_free(p);
    /* errors: a reference to a criterion that is not a sub-item; part_of a later criterion */
    const char *bad = "{\"format\":\"lutetia-protocol\",\"format_version\":1,\"id\":\"x\",\"name\":"
                      "\"X\",\"version\":\"1\","
                      "\"sources\":{\"s\":{\"title\":\"t\"}},\"arms\":{\"S\":{\"name\":\"S\","
                      "\"role\":\"single\",\"ratio\":1}},"
                      "\"randomisation\":{\"method\":\"none\"},\"criteria\":{"
                      "\"I1\":{\"kind\":\"inclusion\",\"source\":\"s\",\"text\":\"t\",\"rule\":{"
                      "\"criterion\":\"I2\"}},"
                      "\"I2\":{\"kind\":\"inclusion\",\"source\":\"s\",\"text\":\"t\",\"part_of\":"
                      "\"I3\",\"rule\":{\"attestation\":\"a\"}},"
                      "\"I3\":{\"kind\":\"inclusion\",\"source\":\"s\",\"text\":\"t\",\"rule\":{"
                      "\"attestation\":\"b\"}}}}";
    CHECK_INT(lt_protocol_check(bad, strlen(bad), "x.json", &v, &n, &err), LT_OK);
    CHECK(find_issue(v, n, "criteria.I1.rule.criterion", "not a sub-item of I1") != NULL);
    CHECK(find_issue(v, n, "criteria.I2.part_of", "written before I2") != NULL);
    free(v);
}

static void test_strat(void)
{
    lt_protocol *p;
    lt_error err;
    if (lt_protocol_load(path_of("protocols/nelmas.json"), NULL, &p, &err) != LT_OK) return;
    lt_cohort *c = cohort_of("[{\"id\":\"a\",\"diagnoses\":[{\"code\":\"net\",\"date\":\"2026-01-"
                             "01\",\"primary_site\":\"pancreas\"}],"
                             "\"procedures\":[{\"code\":\"liver_resection\",\"date\":\"2026-02-"
                             "01\",\"margin\":\"R1\"}]},"
                             "{\"id\":\"b\",\"diagnoses\":[{\"code\":\"net\",\"date\":\"2026-01-"
                             "01\",\"primary_site\":\"small_intestine\"}]},"
                             "{\"id\":\"c\",\"diagnoses\":[{\"code\":\"net\",\"date\":\"2026-01-"
                             "01\",\"primary_site\":\"lung\"}]}]");
    if (!c) {
        lt_protocol_free(p);
        return;
    }
    const char *level = NULL;
    lt_date d = lt_date_from_ymd(2026, 11, 1);
    CHECK_INT(lt_strat_level(lt_protocol_strat(p, 0), lt_cohort_find(c, "a"), d, &level, &err),
              LT_OK);
    CHECK_STR(level, "pancreas");
    CHECK_INT(lt_strat_level(lt_protocol_strat(p, 1), lt_cohort_find(c, "a"), d, &level, &err),
              LT_OK);
    CHECK_STR(level, "R1");
    CHECK_INT(lt_strat_level(lt_protocol_strat(p, 0), lt_cohort_find(c, "b"), d, &level, &err),
              LT_OK);
    CHECK_STR(level, "other");
    level = "untouched";
    CHECK_INT(lt_strat_level(lt_protocol_strat(p, 1), lt_cohort_find(c, "b"), d, &level, &err),
              LT_ESTATE);
    CHECK_STR(level, "untouched");
    CHECK(strstr(err.message, "liver_resection") != NULL);
    CHECK_INT(lt_strat_level(lt_protocol_strat(p, 0), lt_cohort_find(c, "c"), d, &level, &err),
              LT_ESTATE);
    CHECK(strstr(err.message, "\"lung\"") != NULL);
    /* a fact dated after the as-of date is not seen */
    CHECK_INT(lt_strat_level(lt_protocol_strat(p, 0), lt_cohort_find(c, "a"),
                             lt_date_from_ymd(2025, 1, 1), &level, &err),
              LT_ESTATE);
    lt_cohort_free(c);
    lt_protocol_free(p);
}

int main(void)
{
    src = getenv("SRC") ? getenv("SRC") : ".";
    test_nelmas();
    test_check();
    test_lint();
    test_cycle_timing();
    test_merge_patch();
    test_derived();
    test_strat();
    test_text_report();
    test_parts();
    for (int i = 0; i < nheld; i++)
        lt_cohort_free(held[i]);
    return lt_test_done();
}
