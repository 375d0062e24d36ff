/* Tests of the outcomes module, one table per rule:
 * - RECIST 1.1 (Eisenhauer 2009): PR at -30% from baseline, PD at +20% over the nadir
 *   (baseline included) and +5 mm, CR with nodes < 10 mm, tables 1 and 2, baseline rules.
 * - QLQ-C30 scale scores (scoring manual, 3rd ed.), values worked by hand from its formulas.
 * - Outcome records (errors with their JSON path; JSON round trip) and endpoint times and
 *   censoring; day counts checked with GNU date ("2026-01-10 -> 2027-03-15" is 429 days). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/outcomes.h"

static lt_date D(const char *s)
{
    lt_date d = LT_DATE_NONE;
    if (!lt_date_parse(s, false, &d)) printf("bad test date %s\n", s);
    return d;
}

/* ---- RECIST 1.1 ------------------------------------------------------------------------ */

#define NA NAN
#define T(id, organ, mm)                                                                           \
    {                                                                                              \
        id, organ, false, true, mm, LT_LESION_PRESENT                                              \
    }
#define N(id, mm)                                                                                  \
    {                                                                                              \
        id, "lymph_node", true, true, mm, LT_LESION_PRESENT                                        \
    }
#define NT(id, st)                                                                                 \
    {                                                                                              \
        id, "bone", false, false, NAN, st                                                          \
    }

typedef struct rcase {
    const char *name;
    lt_lesion visits[5][6]; /* visit 0 is the baseline; a lesion with id NULL ends it */
    bool new_lesions[5];
    int nvisits;
    lt_recist_response want[5]; /* overall response of visits 1.. */
    double want_sum[5];         /* NAN: not checked */
} rcase;

static const rcase rcases[] = {
    {"PR at exactly -30%, then PD at exactly +20% and +7 mm over the nadir",
     {{T("L1", "liver", 30), T("L2", "lung", 20), NT("M1", LT_LESION_PRESENT)},
      {T("L1", "liver", 21), T("L2", "lung", 14), NT("M1", LT_LESION_PRESENT)},
      {T("L1", "liver", 25), T("L2", "lung", 17), NT("M1", LT_LESION_PRESENT)}},
     {0},
     3,
     {0, LT_RECIST_PR, LT_RECIST_PD},
     {50, 35, 42}},
    {"-28% is SD",
     {{T("L1", "liver", 30), T("L2", "lung", 20)}, {T("L1", "liver", 21), T("L2", "lung", 15)}},
     {0},
     2,
     {0, LT_RECIST_SD},
     {NA, 36}},
    {"+20% but only +4 mm is SD; +5 mm is PD",
     {{T("L1", "liver", 10), T("L2", "lung", 10)},
      {T("L1", "liver", 12), T("L2", "lung", 12)},
      {T("L1", "liver", 13), T("L2", "lung", 12)}},
     {0},
     3,
     {0, LT_RECIST_SD, LT_RECIST_PD},
     {20, 24, 25}},
    {"the nadir is the smallest sum on study",
     {{T("L1", "liver", 30), T("L2", "lung", 20)},
      {T("L1", "liver", 20), T("L2", "lung", 10)},
      {T("L1", "liver", 21), T("L2", "lung", 14)},
      {T("L1", "liver", 26), T("L2", "lung", 10)}},
     {0},
     4,
     {0, LT_RECIST_PR, LT_RECIST_PR, LT_RECIST_PD},
     {NA, 30, 35, 36}},
    {"CR with a target node back under 10 mm; a 10 mm node is PR",
     {{T("L1", "liver", 20), N("N1", 18)},
      {T("L1", "liver", 0), N("N1", 9)},
      {T("L1", "liver", 0), N("N1", 10)}},
     {0},
     3,
     {0, LT_RECIST_CR, LT_RECIST_PR},
     {38, 9, 10}},
    {"target CR with non-target disease left is PR; all gone is CR",
     {{T("L1", "liver", 20), NT("M1", LT_LESION_PRESENT)},
      {T("L1", "liver", 0), NT("M1", LT_LESION_PRESENT)},
      {T("L1", "liver", 0), NT("M1", LT_LESION_ABSENT)}},
     {0},
     3,
     {0, LT_RECIST_PR, LT_RECIST_CR},
     {NA, 0, 0}},
    {"a new lesion is PD whatever the sum",
     {{T("L1", "liver", 30)}, {T("L1", "liver", 15)}},
     {false, true},
     2,
     {0, LT_RECIST_PD},
     {NA, 15}},
    {"unequivocal non-target progression is PD",
     {{T("L1", "liver", 30), NT("M1", LT_LESION_PRESENT)},
      {T("L1", "liver", 25), NT("M1", LT_LESION_PROGRESSION)}},
     {0},
     2,
     {0, LT_RECIST_PD},
     {NA, 25}},
    {"an unmeasured target is NE, unless the rest already shows PD",
     {{T("L1", "liver", 30), T("L2", "lung", 20)},
      {T("L1", "liver", 20), T("L2", "lung", NA)},
      {T("L1", "liver", 61), T("L2", "lung", NA)}},
     {0},
     3,
     {0, LT_RECIST_NE, LT_RECIST_PD},
     {NA, NA, NA}},
    {"a target lesion left out of a visit is NE",
     {{T("L1", "liver", 30), T("L2", "lung", 20)}, {T("L1", "liver", 20)}},
     {0},
     2,
     {0, LT_RECIST_NE},
     {NA, NA}},
    {"non-target disease only: non-CR/non-PD, CR, NE (table 2)",
     {{NT("M1", LT_LESION_PRESENT)},
      {NT("M1", LT_LESION_PRESENT)},
      {NT("M1", LT_LESION_ABSENT)},
      {NT("M1", LT_LESION_NOT_EVALUATED)}},
     {0},
     4,
     {0, LT_RECIST_NON_CR_NON_PD, LT_RECIST_CR, LT_RECIST_NE},
     {NA, NA, NA, NA}},
    {"SD with a non-target not evaluated stays SD (table 1)",
     {{T("L1", "liver", 30), NT("M1", LT_LESION_PRESENT)},
      {T("L1", "liver", 28), NT("M1", LT_LESION_NOT_EVALUATED)}},
     {0},
     2,
     {0, LT_RECIST_SD},
     {NA, 28}},
    {"no disease at baseline (adjuvant): NED until a new lesion",
     {{{0}}, {{0}}, {{0}}},
     {false, false, true},
     3,
     {0, LT_RECIST_NED, LT_RECIST_PD},
     {NA, NA, NA}},
    {"after CR any reappearance of 5 mm is PD",
     {{T("L1", "liver", 12)}, {T("L1", "liver", 0)}, {T("L1", "liver", 5)}},
     {0},
     3,
     {0, LT_RECIST_CR, LT_RECIST_PD},
     {NA, 0, 5}},
};

static size_t count_lesions(const lt_lesion *l)
{
    size_t n = 0;
    while (n < 6 && l[n].id)
        n++;
    return n;
}

static void test_recist(void)
{
    for (size_t i = 0; i < sizeof rcases / sizeof rcases[0]; i++) {
        const rcase *c = &rcases[i];
        lt_tumour_assessment a[5];
        lt_recist_result r[5];
        for (int k = 0; k < c->nvisits; k++)
            a[k] = (lt_tumour_assessment){D("2026-01-01") + 60 * k, "ct", c->visits[k],
                                          count_lesions(c->visits[k]), c->new_lesions[k]};
        lt_error err;
        lt_status rc = lt_recist_evaluate(a, (size_t)c->nvisits, "t", r, &err);
        CHECK_MSG(rc == LT_OK, "%s: %s %s", c->name, err.where, err.message);
        if (rc) continue;
        for (int k = 1; k < c->nvisits; k++)
            CHECK_MSG(r[k].overall == c->want[k], "%s: visit %d is %s, expected %s", c->name, k,
                      lt_recist_response_name(r[k].overall), lt_recist_response_name(c->want[k]));
        for (int k = 0; k < c->nvisits; k++)
            if (!isnan(c->want_sum[k]))
                CHECK_MSG(fabs(r[k].sum - c->want_sum[k]) < 1e-9,
                          "%s: visit %d sum %g, expected %g", c->name, k, r[k].sum, c->want_sum[k]);
        /* a visit with an unmeasured target reports no sum */
        if (i == 8) CHECK(isnan(r[1].sum) && isnan(r[2].sum));
    }
    CHECK_STR(lt_recist_response_name(LT_RECIST_NON_CR_NON_PD), "NON-CR/NON-PD");
}

static const struct {
    const char *name;
    lt_lesion base[7];
    lt_lesion follow[2];
    const char *where, *message;
} rbad[] = {
    {"a 9 mm target", {T("L1", "liver", 9)}, {{0}}, "t.assessments[0].lesions[0]", ">= 10 mm"},
    {"a 14 mm target node",
     {T("L1", "liver", 20), N("N1", 14)},
     {{0}},
     "t.assessments[0].lesions[1]",
     ">= 15 mm"},
    {"six targets",
     {T("L1", "liver", 20), T("L2", "liver", 20), T("L3", "lung", 20), T("L4", "lung", 20),
      T("L5", "bone", 20), T("L6", "brain", 20)},
     {{0}},
     "t.assessments[0]",
     "at most 5"},
    {"three in one organ",
     {T("L1", "liver", 20), T("L2", "liver", 20), T("L3", "liver", 20)},
     {{0}},
     "t.assessments[0].lesions[2]",
     "at most 2 per organ"},
    {"a follow-up lesion not in the baseline",
     {T("L1", "liver", 20)},
     {T("L9", "liver", 20)},
     "t.assessments[1].lesions[0]",
     "not in the baseline"},
    {"an id used twice",
     {T("L1", "liver", 20), T("L1", "lung", 20)},
     {{0}},
     "t.assessments[0].lesions[1]",
     "appears twice"},
};

static void test_recist_errors(void)
{
    for (size_t i = 0; i < sizeof rbad / sizeof rbad[0]; i++) {
        lt_tumour_assessment a[2] = {
            {D("2026-01-01"), "ct", rbad[i].base, count_lesions(rbad[i].base), false},
            {D("2026-03-01"), "ct", rbad[i].follow, count_lesions(rbad[i].follow), false}};
        lt_recist_result r[2];
        lt_error err;
        lt_error_clear(&err);
        CHECK_MSG(lt_recist_evaluate(a, 2, "t", r, &err) == LT_ESCHEMA, "%s: no error",
                  rbad[i].name);
        CHECK_MSG(!strcmp(err.where, rbad[i].where), "%s: where \"%s\"", rbad[i].name, err.where);
        CHECK_MSG(strstr(err.message, rbad[i].message) != NULL, "%s: message \"%s\"", rbad[i].name,
                  err.message);
    }
}

/* ---- QLQ-C30 --------------------------------------------------------------------------- */

static void fill(int *items, int v, int vql)
{
    for (int i = 0; i < 28; i++)
        items[i] = v;
    items[28] = items[29] = vql;
}

static void test_qlq(void)
{
    int it[30];
    double s[LT_QLQ_SCALE_COUNT];
    lt_error err;

    /* best answers: functional 100, symptoms 0; global health (items 29-30 at 7) 100 */
    fill(it, 1, 7);
    CHECK_INT(lt_qlq_c30_score(it, s, &err), LT_OK);
    for (int k = LT_QLQ_PF; k <= LT_QLQ_SF; k++)
        CHECK_REL(s[k], 100, 1e-12);
    for (int k = LT_QLQ_FA; k <= LT_QLQ_FI; k++)
        CHECK_ABS(s[k], 0, 1e-12);
    CHECK_REL(s[LT_QLQ_QL], 100, 1e-12);
    /* worst answers */
    fill(it, 4, 1);
    CHECK_INT(lt_qlq_c30_score(it, s, &err), LT_OK);
    for (int k = LT_QLQ_PF; k <= LT_QLQ_SF; k++)
        CHECK_ABS(s[k], 0, 1e-12);
    for (int k = LT_QLQ_FA; k <= LT_QLQ_FI; k++)
        CHECK_REL(s[k], 100, 1e-12);
    CHECK_ABS(s[LT_QLQ_QL], 0, 1e-12);

    /* worked by hand: PF items 2,2,1,1,1 -> RS 1.4 -> 100 (1 - 0.4/3) = 86.667;
     * QL 5 and 6 -> RS 5.5 -> 100 * 4.5/6 = 75; FA 2, 3 and one missing (2 of 3 answered)
     * -> RS 2.5 -> 50; EF 2, 3 and two missing (half) -> RS 2.5 -> 100 (1 - 1.5/3) = 50;
     * CF 4 and one missing -> 0; DY missing -> missing; NV 1 answered of 2 (3) -> 66.667 */
    fill(it, 1, 4);
    it[0] = 2, it[1] = 2;
    it[28] = 5, it[29] = 6;
    it[9] = 2, it[11] = 3, it[17] = 0;
    it[20] = 2, it[21] = 3, it[22] = 0, it[23] = 0;
    it[19] = 4, it[24] = 0;
    it[7] = 0;
    it[13] = 3, it[14] = 0;
    CHECK_INT(lt_qlq_c30_score(it, s, &err), LT_OK);
    CHECK_REL(s[LT_QLQ_PF], 86.66666666666667, 1e-12);
    CHECK_REL(s[LT_QLQ_QL], 75, 1e-12);
    CHECK_REL(s[LT_QLQ_FA], 50, 1e-12);
    CHECK_REL(s[LT_QLQ_EF], 50, 1e-12);
    CHECK_ABS(s[LT_QLQ_CF], 0, 1e-12);
    CHECK(isnan(s[LT_QLQ_DY]));
    CHECK_REL(s[LT_QLQ_NV], 66.66666666666667, 1e-12);
    /* fewer than half: EF with one of four, FA with one of three */
    it[21] = 0;
    it[11] = 0;
    CHECK_INT(lt_qlq_c30_score(it, s, &err), LT_OK);
    CHECK(isnan(s[LT_QLQ_EF]));
    CHECK(isnan(s[LT_QLQ_FA]));
    /* PF with 3 of 5 is scored, 2 of 5 is not */
    fill(it, 2, 4);
    it[0] = it[1] = 0;
    CHECK_INT(lt_qlq_c30_score(it, s, &err), LT_OK);
    CHECK_REL(s[LT_QLQ_PF], 100.0 * (1 - 1.0 / 3), 1e-12);
    it[2] = 0;
    CHECK_INT(lt_qlq_c30_score(it, s, &err), LT_OK);
    CHECK(isnan(s[LT_QLQ_PF]));
    /* answers out of range are errors naming the question */
    fill(it, 1, 1);
    it[4] = 5;
    CHECK_INT(lt_qlq_c30_score(it, s, &err), LT_EINVAL);
    CHECK_STR(err.where, "question 5");
    it[4] = 1;
    it[29] = 8;
    CHECK_INT(lt_qlq_c30_score(it, s, &err), LT_EINVAL);
    CHECK_STR(err.where, "question 30");
    CHECK_STR(lt_qlq_scale_name(LT_QLQ_FI), "FI");
}

/* ---- records and endpoints -------------------------------------------------------------- */

static const char *ENDPOINTS =
    "{\"DFS\": {\"name\": \"Disease-free survival\", \"role\": \"primary\","
    "   \"origin\": \"liver_resection\", \"events\": [\"recurrence\", \"death\"],"
    "   \"at_months\": 36},"
    " \"LDFS\": {\"origin\": \"liver_resection\", \"events\": [\"recurrence:liver\", \"death\"]},"
    " \"OS\": {\"origin\": \"liver_resection\", \"events\": [\"death\"]},"
    " \"TTR\": {\"origin\": \"liver_resection\", \"events\": [\"recurrence\"]},"
    " \"TTNT\": {\"origin\": \"liver_resection\", \"events\": [\"next_therapy\"]},"
    " \"PFS\": {\"origin\": \"randomisation\", \"events\": [\"progression\", \"death\"],"
    "   \"censor_at\": [\"next_therapy\"]}}";

static const char *RECORDS =
    "{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"protocol\": \"test\","
    " \"patients\": ["
    "  {\"id\": \"P1\", \"arm\": \"B\", \"strata\": {\"site\": \"pancreas\"},"
    "   \"anchors\": {\"liver_resection\": \"2026-01-10\", \"randomisation\": \"2026-01-20\"},"
    "   \"visits\": {\"C1\": \"2026-02-21\", \"C2\": {\"date\": \"2026-05-20\", \"reason\": "
    "\"toxicity\"}},"
    "   \"assessments\": [{\"date\": \"2026-04-10\", \"modality\": \"mri_liver\"},"
    "     {\"date\": \"2026-07-10\", \"modality\": \"mri_liver\"},"
    "     {\"date\": \"2026-10-09\", \"modality\": \"mri_liver\"}],"
    "   \"events\": [{\"type\": \"next_therapy\", \"date\": \"2027-04-01\", \"therapy\": "
    "\"everolimus\"},"
    "     {\"type\": \"recurrence\", \"date\": \"2027-03-15\", \"site\": \"liver\"}],"
    "   \"questionnaires\": [{\"date\": \"2026-01-15\", \"items\": [1,1,1,1,1,1,1,1,1,1,1,1,1,"
    "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,6,null]}],"
    "   \"last_contact\": \"2027-06-01\"},"
    "  {\"id\": \"P2\", \"arm\": \"A\", \"strata\": {\"site\": \"other\"},"
    "   \"anchors\": {\"liver_resection\": \"2026-01-10\"},"
    "   \"assessments\": [{\"date\": \"2026-04-10\"}, {\"date\": \"2026-10-09\"}],"
    "   \"last_contact\": \"2026-12-01\"},"
    "  {\"id\": \"P3\", \"arm\": \"A\", \"anchors\": {\"liver_resection\": \"2026-01-10\"},"
    "   \"assessments\": [{\"date\": \"2026-04-10\"}, {\"date\": \"2026-09-01\"}],"
    "   \"events\": [{\"type\": \"recurrence\", \"date\": \"2026-09-01\", \"site\": "
    "\"extrahepatic\"},"
    "     {\"type\": \"death\", \"date\": \"2028-12-20\", \"cause\": \"disease\"}]},"
    "  {\"id\": \"P4\", \"arm\": \"B\", \"anchors\": {\"liver_resection\": \"2026-01-10\"},"
    "   \"assessments\": [{\"date\": \"2026-04-10\"}],"
    "   \"events\": [{\"type\": \"death\", \"date\": \"2026-06-01\", \"cause\": \"other\"}]},"
    "  {\"id\": \"P5\", \"arm\": \"B\", \"anchors\": {\"liver_resection\": \"2026-01-10\"}},"
    "  {\"id\": \"P6\", \"arm\": \"A\", \"anchors\": {\"liver_resection\": \"2025-10-01\","
    "   \"randomisation\": \"2026-01-20\"},"
    "   \"assessments\": ["
    "    {\"date\": \"2026-01-15\", \"lesions\": [{\"id\": \"L1\", \"organ\": \"liver\","
    "      \"target\": true, \"mm\": 30}]},"
    "    {\"date\": \"2026-04-15\", \"lesions\": [{\"id\": \"L1\", \"target\": true, \"mm\": 30}]},"
    "    {\"date\": \"2026-07-15\", \"lesions\": [{\"id\": \"L1\", \"target\": true, \"mm\": "
    "37}]}]},"
    "  {\"id\": \"P7\", \"arm\": \"B\", \"anchors\": {\"liver_resection\": \"2025-10-01\","
    "   \"randomisation\": \"2026-01-20\"},"
    "   \"assessments\": ["
    "    {\"date\": \"2026-01-15\", \"lesions\": [{\"id\": \"L1\", \"organ\": \"liver\","
    "      \"target\": true, \"mm\": 30}]},"
    "    {\"date\": \"2026-04-15\", \"lesions\": [{\"id\": \"L1\", \"target\": true, \"mm\": 30}]},"
    "    {\"date\": \"2026-07-15\", \"lesions\": [{\"id\": \"L1\", \"target\": true, \"mm\": "
    "40}]}],"
    "   \"events\": [{\"type\": \"next_therapy\", \"date\": \"2026-05-01\"}]}"
    " ]}";

typedef struct ecase {
    const char *endpoint, *patient, *cutoff;
    double time;
    int event;
    const char *reason;
} ecase;

static const ecase ecases[] = {
    {"DFS", "P1", NULL, 429, 1, "recurrence"},
    {"LDFS", "P1", NULL, 429, 1, "recurrence"},
    {"TTR", "P1", NULL, 429, 1, "recurrence"},
    {"OS", "P1", NULL, 507, 0, "last_contact"},
    {"TTNT", "P1", NULL, 446, 1, "next_therapy"},
    {"DFS", "P1", "2027-01-01", 272, 0, "last_assessment"},
    {"OS", "P1", "2027-01-01", 356, 0, "cutoff"},
    {"DFS", "P2", NULL, 272, 0, "last_assessment"},
    {"OS", "P2", NULL, 325, 0, "last_contact"},
    {"DFS", "P3", NULL, 234, 1, "recurrence"},
    {"LDFS", "P3", NULL, 1075, 1, "death"},
    {"TTR", "P3", NULL, 234, 1, "recurrence"},
    {"OS", "P3", NULL, 1075, 1, "death"},
    {"DFS", "P4", NULL, 142, 1, "death"},
    {"TTR", "P4", NULL, 90, 0, "last_assessment"},
    {"OS", "P4", NULL, 142, 1, "death"},
    {"TTNT", "P4", NULL, 142, 0, "last_contact"},
    {"DFS", "P5", NULL, 0, 0, "no_assessment"},
    {"OS", "P5", NULL, 0, 0, "last_contact"},
    {"PFS", "P6", NULL, 176, 1, "progression"},
    {"PFS", "P7", NULL, 85, 0, "last_assessment"},
};

static void test_endpoints(void)
{
    lt_error err;
    lt_json *j = NULL;
    lt_endpoints *e = NULL;
    lt_outcome_set *set = NULL;
    CHECK_INT(lt_json_parse(ENDPOINTS, strlen(ENDPOINTS), "endpoints", &j, &err), LT_OK);
    CHECK_INT(lt_endpoints_parse(j, "test: endpoints", &e, &err), LT_OK);
    lt_json_free(j);
    CHECK_MSG(lt_outcome_set_parse(RECORDS, strlen(RECORDS), "records.json", &set, &err) == LT_OK,
              "records: %s: %s", err.where, err.message);
    if (!e || !set) {
        lt_endpoints_free(e);
        lt_outcome_set_free(set);
        return;
    }
    CHECK_INT(lt_endpoints_count(e), 6);
    CHECK_INT(lt_endpoints_find(e, "dfs"), 0);
    CHECK_INT(lt_endpoints_find(e, "EFS"), -1);
    CHECK_INT(lt_endpoints_censor(e, 0), LT_CENSOR_LAST_ASSESSMENT);
    CHECK_INT(lt_endpoints_censor(e, 2), LT_CENSOR_LAST_CONTACT);
    CHECK_INT(set->n, 7);
    for (size_t i = 0; i < sizeof ecases / sizeof ecases[0]; i++) {
        const ecase *c = &ecases[i];
        long k = lt_endpoints_find(e, c->endpoint);
        const lt_outcome_record *r = NULL;
        for (size_t p = 0; p < set->n; p++)
            if (!strcmp(set->records[p]->id, c->patient)) r = set->records[p];
        lt_endpoint_row row;
        lt_status rc = lt_endpoint_derive(e, (size_t)k, r, c->cutoff ? D(c->cutoff) : LT_DATE_NONE,
                                          &row, &err);
        CHECK_MSG(rc == LT_OK, "%s %s: %s", c->endpoint, c->patient, err.message);
        if (rc) continue;
        CHECK_MSG(row.time == c->time && row.event == c->event && !strcmp(row.reason, c->reason),
                  "%s %s%s%s: time %g event %d (%s), expected %g %d (%s)", c->endpoint, c->patient,
                  c->cutoff ? " cut off at " : "", c->cutoff ? c->cutoff : "", row.time, row.event,
                  row.reason, c->time, c->event, c->reason);
        CHECK_STR(row.patient, c->patient);
    }

    /* the record's events become schedule stop events */
    lt_schedule_input in;
    lt_outcome_record_schedule_input(set->records[0], LT_DATE_NONE, &in);
    CHECK_STR(in.arm, "B");
    CHECK_INT(in.nevents, 2);
    CHECK_STR(in.events[0].name, "recurrence"); /* sorted by date */
    CHECK_INT(in.nactuals, 2);
    CHECK_STR(in.actuals[1].reason, "toxicity");

    /* round trip: to JSON, back, to JSON again gives the same text */
    for (size_t p = 0; p < set->n; p++) {
        lt_buf a = LT_BUF_INIT, b = LT_BUF_INIT;
        lt_outcome_record_to_json(set->records[p], &a);
        lt_json *v = NULL;
        lt_outcome_record *r2 = NULL;
        CHECK_INT(lt_json_parse(a.p, a.n, "roundtrip", &v, &err), LT_OK);
        CHECK_MSG(lt_outcome_record_from_json(v, "roundtrip", &r2, &err) == LT_OK, "%s: %s",
                  err.where, err.message);
        if (r2) lt_outcome_record_to_json(r2, &b);
        CHECK_MSG(a.n == b.n && !strcmp(lt_buf_str(&a), lt_buf_str(&b)), "round trip of %s",
                  set->records[p]->id);
        lt_outcome_record_free(r2);
        lt_json_free(v);
        lt_buf_free(&a);
        lt_buf_free(&b);
    }
    CHECK_INT(set->records[0]->questionnaires[0].items[28], 6);
    CHECK_INT(set->records[0]->questionnaires[0].items[29], 0);

    /* a cutoff before the origin: the patient was not in the study then */
    {
        lt_endpoint_row row = {0};
        CHECK_INT(lt_endpoint_derive(e, 0, set->records[0], D("2026-01-09"), &row, &err),
                  LT_ESTATE);
        CHECK(strstr(err.message, "DFS's origin liver_resection on 2026-01-10 is after the "
                                  "cutoff 2026-01-09") != NULL);
        CHECK(row.patient == NULL);
        /* on the origin day itself: time 0, censored */
        CHECK_INT(lt_endpoint_derive(e, 2, set->records[0], D("2026-01-10"), &row, &err), LT_OK);
        CHECK(row.time == 0 && row.event == 0 && !strcmp(row.reason, "cutoff"));
    }
    /* a record without the origin date, an event before it */
    const char *bad[] = {
        "{\"id\": \"Q1\", \"anchors\": {\"randomisation\": \"2026-01-01\"}}",
        "{\"id\": \"Q2\", \"anchors\": {\"liver_resection\": \"2026-01-10\"}, \"events\": "
        "[{\"type\": \"recurrence\", \"date\": \"2026-01-01\", \"site\": \"liver\"}]}"};
    lt_status want[] = {LT_ESTATE, LT_ESCHEMA};
    const char *msg[] = {"DFS counts from liver_resection, which has no date",
                         "recurrence on 2026-01-01 precedes DFS's origin liver_resection on "
                         "2026-01-10"};
    for (int i = 0; i < 2; i++) {
        lt_json *v = NULL;
        lt_outcome_record *r = NULL;
        lt_json_parse(bad[i], strlen(bad[i]), "bad", &v, &err);
        CHECK_INT(lt_outcome_record_from_json(v, "bad", &r, &err), LT_OK);
        lt_endpoint_row row = {0};
        row.time = -7;
        CHECK_INT(lt_endpoint_derive(e, 0, r, LT_DATE_NONE, &row, &err), want[i]);
        CHECK_MSG(strstr(err.message, msg[i]) != NULL, "message \"%s\"", err.message);
        CHECK(row.time == -7); /* untouched on failure */
        lt_outcome_record_free(r);
        lt_json_free(v);
    }
    lt_endpoints_free(e);
    lt_outcome_set_free(set);
    lt_endpoints_free(NULL);
    lt_outcome_set_free(NULL);
    lt_outcome_record_free(NULL);
}

/* Bad endpoint definitions and bad records: each error names its place. */
static const struct {
    const char *text, *where, *message;
} bad_defs[] = {
    {"{\"DFS\": {\"events\": [\"recurrence\"]}}", "e.DFS.origin", "origin event"},
    {"{\"DFS\": {\"origin\": \"x\", \"events\": []}}", "e.DFS.events", "non-empty"},
    {"{\"DFS\": {\"origin\": \"x\", \"events\": [\"relapse\"]}}", "e.DFS.events[0]",
     "found \"relapse\""},
    {"{\"DFS\": {\"origin\": \"x\", \"events\": [\"recurrence:lung\"]}}", "e.DFS.events[0]",
     "recurrence:liver"},
    {"{\"DFS\": {\"origin\": \"x\", \"events\": [\"death\"], \"censor\": \"never\"}}",
     "e.DFS.censor", "last_assessment"},
    {"{\"DFS\": {\"origin\": \"x\", \"events\": [\"death\"], \"censr\": 1}}", "e.DFS.censr",
     "unknown member"},
    {"{\"DFS\": {\"origin\": \"x\", \"events\": [\"death\"], \"censor_at\": [\"death\"]}}",
     "e.DFS.censor_at[0]", "both an event and a censoring event"},
};

static const struct {
    const char *text, *where, *message;
} bad_records[] = {
    {"{\"patients\": []}", "r.json: format", "lutetia-outcomes"},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"arm\": \"A\"}]}",
     "r.json: patients[0].id", "patient's id"},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\","
     " \"events\": [{\"type\": \"relapse\", \"date\": \"2026-01-01\"}]}]}",
     "r.json: patients[0].events[0].type", "found \"relapse\""},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\","
     " \"events\": [{\"type\": \"recurrence\", \"date\": \"2026-01-01\"}]}]}",
     "r.json: patients[0].events[0].site", "needs its site"},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\","
     " \"events\": [{\"type\": \"death\", \"date\": \"2026-02-30\"}]}]}",
     "r.json: patients[0].events[0].date", "found \"2026-02-30\""},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\","
     " \"events\": [{\"type\": \"recurrence\", \"site\": \"liver\", \"cause\": \"disease\","
     " \"date\": \"2026-01-01\"}]}]}",
     "r.json: patients[0].events[0].cause", "only a death has a cause"},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\","
     " \"assessments\": [{\"date\": \"2026-03-01\"}, {\"date\": \"2026-02-01\"}]}]}",
     "r.json: patients[0].assessments[1]", "date order"},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\","
     " \"assessments\": [{\"date\": \"2026-03-01\", \"lesions\": [{\"id\": \"L1\", \"target\":"
     " true}]}]}]}",
     "r.json: patients[0].assessments[0].lesions[0].mm", "needs \"mm\""},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\","
     " \"questionnaires\": [{\"date\": \"2026-03-01\", \"items\": [1,2,3]}]}]}",
     "r.json: patients[0].questionnaires[0].items", "30 answers"},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\","
     " \"questionnaires\": [{\"date\": \"2026-03-01\", \"items\": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,9]}]}]}",
     "r.json: patients[0].questionnaires[0].items[29]", "from 1 to 7"},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\","
     " \"visit\": {}}]}",
     "r.json: patients[0].visit", "unknown member"},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\"},"
     " {\"id\": \"a\"}]}",
     "r.json: patients[1].id", "appears twice"},
    {"{\"format\": \"lutetia-outcomes\", \"format_version\": 1, \"patients\": [{\"id\": \"a\","
     " \"visits\": {\"C1\": \"01/02/2026\"}}]}",
     "r.json: patients[0].visits.C1", "YYYY-MM-DD"},
};

static void test_bad_inputs(void)
{
    for (size_t i = 0; i < sizeof bad_defs / sizeof bad_defs[0]; i++) {
        lt_error err;
        lt_json *j = NULL;
        lt_endpoints *e = NULL;
        lt_error_clear(&err);
        CHECK_INT(lt_json_parse(bad_defs[i].text, strlen(bad_defs[i].text), "d", &j, &err), LT_OK);
        CHECK_MSG(lt_endpoints_parse(j, "e", &e, &err) == LT_ESCHEMA && e == NULL,
                  "definition %zu accepted", i);
        CHECK_MSG(!strcmp(err.where, bad_defs[i].where), "definition %zu: where \"%s\"", i,
                  err.where);
        CHECK_MSG(strstr(err.message, bad_defs[i].message) != NULL, "definition %zu: \"%s\"", i,
                  err.message);
        lt_json_free(j);
    }
    for (size_t i = 0; i < sizeof bad_records / sizeof bad_records[0]; i++) {
        lt_error err;
        lt_outcome_set *s = NULL;
        lt_error_clear(&err);
        lt_status rc = lt_outcome_set_parse(bad_records[i].text, strlen(bad_records[i].text),
                                            "r.json", &s, &err);
        CHECK_MSG(rc == LT_ESCHEMA && s == NULL, "record %zu: status %d", i, rc);
        CHECK_MSG(!strcmp(err.where, bad_records[i].where), "record %zu: where \"%s\"", i,
                  err.where);
        CHECK_MSG(strstr(err.message, bad_records[i].message) != NULL, "record %zu: \"%s\"", i,
                  err.message);
    }
}

/* The three protocol files' endpoints read, as the loader materialises them. */
static void test_protocol_endpoints(void)
{
    static const struct {
        const char *file;
        size_t n;
        const char *first, *origin;
        lt_censor_rule censor;
    } want[] = {
        {"nelmas", 5, "DFS", "liver_resection", LT_CENSOR_LAST_ASSESSMENT},
        {"nct04544098", 5, "PFS", "randomisation", LT_CENSOR_LAST_ASSESSMENT},
        {"net-retreat", 1, "PFS", "randomisation", LT_CENSOR_LAST_ASSESSMENT},
    };
    const char *src = getenv("SRC");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/protocols/%s.json", src ? src : ".", want[i].file);
        lt_protocol *p = NULL;
        lt_endpoints *e = NULL;
        lt_error err;
        CHECK_MSG(lt_protocol_load(path, NULL, &p, &err) == LT_OK, "%s: %s: %s", path, err.where,
                  err.message);
        if (!p) continue;
        CHECK_MSG(lt_endpoints_from_protocol(p, &e, &err) == LT_OK, "%s: %s: %s", path, err.where,
                  err.message);
        CHECK_INT(lt_endpoints_count(e), want[i].n);
        CHECK_STR(lt_endpoints_id(e, 0), want[i].first);
        CHECK_STR(lt_endpoints_origin(e, 0), want[i].origin);
        CHECK_INT(lt_endpoints_censor(e, 0), want[i].censor);
        if (i == 0) {
            long k = lt_endpoints_find(e, "OS");
            CHECK(k > 0 && lt_endpoints_censor(e, (size_t)k) == LT_CENSOR_LAST_CONTACT);
        }
        lt_endpoints_free(e);
        lt_protocol_free(p);
    }
}

/* Proportion endpoints: NCT04544098's definitions as its protocol file has them, derived over
 * patient histories (rows: what the store holds, what the endpoint says), bad definitions
 * refused naming the member, and a seeded property over random RECIST series: a responder
 * stays a responder as assessments are added (the best response is over the history). */
static lt_endpoints *nct_endpoints(void)
{
    const char *src = getenv("SRC");
    char path[512];
    snprintf(path, sizeof path, "%s/protocols/nct04544098.json", src ? src : ".");
    lt_protocol *p = NULL;
    lt_endpoints *e = NULL;
    lt_error err;
    CHECK_MSG(lt_protocol_load(path, NULL, &p, &err) == LT_OK, "%s", err.message);
    if (p) CHECK_MSG(lt_endpoints_from_protocol(p, &e, &err) == LT_OK, "%s", err.message);
    lt_protocol_free(p);
    return e;
}

static void test_proportions(void)
{
    lt_endpoints *e = nct_endpoints();
    if (!e) return;
    long tox = lt_endpoints_find(e, "TOX_G3"), done = lt_endpoints_find(e, "COMPLETED_4"),
         orr = lt_endpoints_find(e, "ORR");
    CHECK(tox >= 0 && done >= 0 && orr >= 0);
    CHECK(lt_endpoints_proportion(e, (size_t)lt_endpoints_find(e, "PFS")) == NULL);
    const lt_proportion_def *d = lt_endpoints_proportion(e, (size_t)tox);
    CHECK(d && d->counts == LT_COUNTS_TOXICITY_GRADE && d->at_least == 3 &&
          d->population == LT_POPULATION_TREATED && d->level == 0.95);
    d = lt_endpoints_proportion(e, (size_t)done);
    CHECK(d && d->counts == LT_COUNTS_CYCLES_GIVEN && d->at_least == 4 &&
          d->population == LT_POPULATION_ALL);
    /* a proportion is no time to an event */
    lt_outcome_record rec = {.id = "N1", .arm = "A"};
    lt_endpoint_row er;
    lt_error err;
    CHECK_INT(lt_endpoint_derive(e, (size_t)tox, &rec, LT_DATE_NONE, &er, &err), LT_EINVAL);
    CHECK(strstr(err.message, "proportion") != NULL);
    static const struct {
        const char *endpoint;
        int cycles, worst;
        int in_population, counted;
        const char *why;
    } rows[] = {
        {"TOX_G3", 0, -1, 0, 0, "not treated"},
        {"TOX_G3", 1, -1, 1, 0, "no graded toxicity recorded"},
        {"TOX_G3", 2, 2, 1, 0, "worst: grade 2"},
        {"TOX_G3", 2, 3, 1, 1, "worst: grade 3"},
        {"TOX_G3", 4, 4, 1, 1, "worst: grade 4"},
        {"COMPLETED_4", 0, -1, 1, 0, "0 cycles given"},
        {"COMPLETED_4", 3, 3, 1, 0, "3 cycles given"},
        {"COMPLETED_4", 4, -1, 1, 1, "4 cycles given"},
        {"ORR", 0, -1, 0, 0, "not treated"},
        {"ORR", 2, -1, 1, 0, "no follow-up assessment"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        lt_patient_safety s = {.cycles_given = rows[i].cycles, .worst_grade = rows[i].worst,
                               .worst_what = "Platelet count decreased",
                               .worst_date = lt_date_from_ymd(2026, 3, 1)};
        lt_proportion_row r;
        long k = lt_endpoints_find(e, rows[i].endpoint);
        CHECK_INT(lt_proportion_derive(e, (size_t)k, &rec, &s, LT_DATE_NONE, &r, &err), LT_OK);
        CHECK_MSG(r.in_population == rows[i].in_population && r.counted == rows[i].counted &&
                      strstr(r.why, rows[i].why),
                  "row %zu: %d %d %s", i, r.in_population, r.counted, r.why);
    }
    /* RECIST series: 40 mm at baseline, 26 mm (PR: -35%) then 30 mm (SD against baseline) */
    lt_lesion l0 = {.id = "L1", .organ = "liver", .target = true, .mm = 40};
    lt_lesion l1 = l0, l2 = l0;
    l1.mm = 26;
    l2.mm = 30;
    lt_tumour_assessment as[3] = {
        {lt_date_from_ymd(2026, 1, 1), "ct", &l0, 1, false},
        {lt_date_from_ymd(2026, 3, 1), "ct", &l1, 1, false},
        {lt_date_from_ymd(2026, 5, 1), "ct", &l2, 1, false},
    };
    rec.assessments = as;
    rec.nassessments = 3;
    lt_patient_safety s = {.cycles_given = 2, .worst_grade = -1};
    lt_proportion_row r;
    CHECK_INT(lt_proportion_derive(e, (size_t)orr, &rec, &s, LT_DATE_NONE, &r, &err), LT_OK);
    CHECK_MSG(r.counted == 1 && strstr(r.why, "best response PR on 2026-03-01"), "%s", r.why);
    /* cut before the PR scan: no response yet */
    CHECK_INT(lt_proportion_derive(e, (size_t)orr, &rec, &s, lt_date_from_ymd(2026, 2, 1), &r,
                                   &err), LT_OK);
    CHECK(r.counted == 0);

    /* seeded property: over random series of up to 6 scans of one 40 mm target, a patient
     * counted as a responder with the first k scans is counted with k + 1 (and whatever follows
     * a CR or PR scan); not counted unless some follow-up is <= 28 mm (a 30% fall) */
    uint64_t x = 0x9e3779b97f4a7c15u;
    lt_lesion ls[6];
    lt_tumour_assessment ts[6];
    for (int trial = 0; trial < 2000; trial++) {
        size_t n = 2 + (size_t)(trial % 5);
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            ls[k] = l0;
            ls[k].mm = k ? (double)(x % 61) : 40; /* 0..60 mm */
            ts[k] = (lt_tumour_assessment){lt_date_from_ymd(2026, 1, 1) + 60 * (lt_date)k, "ct",
                                           &ls[k], 1, false};
        }
        rec.assessments = ts;
        rec.nassessments = n;
        int before = 0;
        bool shrank = false;
        for (size_t k = 1; k < n; k++) {
            shrank |= ls[k].mm <= 28;
            CHECK_INT(lt_proportion_derive(e, (size_t)orr, &rec, &s, ts[k].date, &r, &err), LT_OK);
            CHECK_MSG(r.counted >= before, "trial %d: a responder stopped responding at scan %zu",
                      trial, k);
            CHECK_MSG(r.counted == 0 || shrank, "trial %d: counted without a 30%% fall", trial);
            before = r.counted;
        }
    }

    /* confirmation (RECIST 1.1 section 4.4.1): the next evaluable scan >= 28 days later, with
     * no progression on the way, shows a response too */
    long corr = lt_endpoints_find(e, "ORR_CONFIRMED");
    CHECK(corr >= 0 && lt_endpoints_proportion(e, (size_t)corr)->confirm_days == 28 &&
          lt_endpoints_proportion(e, (size_t)orr)->confirm_days == 0);
    static const struct {
        double mm[5];
        int days[5];
        size_t n;
        int counted;
        const char *why;
    } series[] = {
        /* PR then PR 60 days later: confirmed from the first PR */
        {{40, 26, 26}, {0, 60, 120}, 3, 1, "best response PR on 2026-03-02, confirmed"},
        /* PR then SD: not confirmed */
        {{40, 26, 30}, {0, 60, 120}, 3, 0, "no confirmed CR or PR"},
        /* PR, a PR 10 days later (too soon), then PR: the later one confirms */
        {{40, 26, 25, 26}, {0, 60, 70, 120}, 4, 1, "best response PR on 2026-03-02, confirmed"},
        /* PR, then progression (+20% and +5 mm over the nadir), then PR again: no */
        {{40, 26, 32, 26}, {0, 60, 70, 120}, 4, 0, "no confirmed CR or PR"},
        /* a lone PR at the last scan: not confirmed yet */
        {{40, 30, 26}, {0, 60, 120}, 3, 0, "no confirmed CR or PR"},
        /* CR then CR: a confirmed CR */
        {{40, 0, 0}, {0, 60, 120}, 3, 1, "best response CR on 2026-03-02, confirmed"},
        /* PR then CR: the PR is confirmed, the CR is not (yet) */
        {{40, 20, 0}, {0, 60, 120}, 3, 1, "best response PR on 2026-03-02, confirmed"},
    };
    for (size_t i = 0; i < sizeof series / sizeof series[0]; i++) {
        for (size_t k = 0; k < series[i].n; k++) {
            ls[k] = l0;
            ls[k].mm = series[i].mm[k];
            ts[k] = (lt_tumour_assessment){lt_date_from_ymd(2026, 1, 1) + series[i].days[k], "ct",
                                           &ls[k], 1, false};
        }
        rec.assessments = ts;
        rec.nassessments = series[i].n;
        CHECK_INT(lt_proportion_derive(e, (size_t)corr, &rec, &s, LT_DATE_NONE, &r, &err), LT_OK);
        CHECK_MSG(r.counted == series[i].counted && strstr(r.why, series[i].why),
                  "series %zu: %d %s", i, r.counted, r.why);
    }
    /* seeded property over random series: a confirmed responder is a responder; confirmed
     * needs two follow-up scans at least 28 days apart, each <= 28 mm (a 30% fall), with none
     * >= 20% and 5 mm above the smallest before it between them; and once confirmed with the
     * first k scans, confirmed with more */
    for (int trial = 0; trial < 2000; trial++) {
        size_t n = 2 + (size_t)(trial % 5);
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            ls[k] = l0;
            ls[k].mm = k ? (double)(x % 61) : 40;
            ts[k] = (lt_tumour_assessment){lt_date_from_ymd(2026, 1, 1) + 21 * (lt_date)k +
                                               (lt_date)(x % 17),
                                           "ct", &ls[k], 1, false};
        }
        rec.assessments = ts;
        rec.nassessments = n;
        int before = 0;
        for (size_t k = 1; k < n; k++) {
            lt_proportion_row plain;
            CHECK_INT(lt_proportion_derive(e, (size_t)orr, &rec, &s, ts[k].date, &plain, &err),
                      LT_OK);
            CHECK_INT(lt_proportion_derive(e, (size_t)corr, &rec, &s, ts[k].date, &r, &err),
                      LT_OK);
            CHECK_MSG(r.counted <= plain.counted, "trial %d: confirmed but not a responder", trial);
            CHECK_MSG(r.counted >= before, "trial %d: a confirmation lost at scan %zu", trial, k);
            bool pair = false;
            for (size_t a = 1; a <= k && !pair; a++)
                for (size_t b = a + 1; b <= k && !pair; b++)
                    pair = ls[a].mm <= 28 && ls[b].mm <= 28 && ts[b].date - ts[a].date >= 28;
            CHECK_MSG(!r.counted || pair, "trial %d: confirmed without two responses 28 days apart",
                      trial);
            before = r.counted;
        }
    }
    lt_endpoints_free(e);

    /* definitions refused with the member named */
    static const struct {
        const char *json, *where, *what;
    } bad[] = {
        {"{\"X\": {\"type\": \"proportion\", \"counts\": \"toxicity\"}}", "X.counts", "toxicity_grade"},
        {"{\"X\": {\"type\": \"proportion\", \"counts\": \"toxicity_grade\"}}", "X.at_least", "whole number"},
        {"{\"X\": {\"type\": \"proportion\", \"counts\": \"toxicity_grade\", \"at_least\": 6}}", "X.at_least", "1 to 5"},
        {"{\"X\": {\"type\": \"proportion\", \"counts\": \"objective_response\", \"at_least\": 1}}", "X.at_least", "no \"at_least\""},
        {"{\"X\": {\"type\": \"proportion\", \"counts\": \"cycles_given\", \"at_least\": 4, \"population\": \"itt\"}}", "X.population", "\"all\" or \"treated\""},
        {"{\"X\": {\"type\": \"proportion\", \"counts\": \"cycles_given\", \"at_least\": 4, \"origin\": \"randomisation\"}}", "X.origin", "no \"origin\""},
        {"{\"X\": {\"type\": \"proportion\", \"counts\": \"cycles_given\", \"at_least\": 4, \"level\": 1.5}}", "X.level", "confidence level"},
        {"{\"X\": {\"type\": \"proportion\", \"counts\": \"objective_response\", \"confirm_days\": 0}}", "X.confirm_days", "1 to 365"},
        {"{\"X\": {\"type\": \"proportion\", \"counts\": \"cycles_given\", \"at_least\": 4, \"confirm_days\": 28}}", "X.confirm_days", "only an objective response"},
        {"{\"X\": {\"type\": \"ratio\"}}", "X.type", "\"time_to_event\" or \"proportion\""},
        {"{\"X\": {\"origin\": \"randomisation\", \"events\": [\"death\"], \"counts\": \"cycles_given\"}}", "X.counts", "belongs to a proportion"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lt_json *j = NULL;
        lt_endpoints *be = NULL;
        CHECK_INT(lt_json_parse(bad[i].json, strlen(bad[i].json), "t", &j, &err), LT_OK);
        CHECK_MSG(lt_endpoints_parse(j, "endpoints", &be, &err) == LT_ESCHEMA &&
                      strstr(err.where, bad[i].where) && strstr(err.message, bad[i].what),
                  "bad %zu: %s: %s", i, err.where, err.message);
        lt_endpoints_free(be);
        lt_json_free(j);
    }
}

int main(void)
{
    test_proportions();
    test_protocol_endpoints();
    test_recist();
    test_recist_errors();
    test_qlq();
    test_endpoints();
    test_bad_inputs();
    return lt_test_done();
}
