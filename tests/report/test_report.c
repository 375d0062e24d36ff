/* The DSMB report's pieces on hand-made documents: the role table, the counting tables, the
 * CONSORT diagram's boxes, the enrolment plot and the page rendered from a document. */
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "report_int.h"

static lt_json *parse(const char *s)
{
    lt_json *j = NULL;
    lt_error err;
    if (lt_json_parse(s, strlen(s), "test", &j, &err) != LT_OK) printf("bad test JSON: %s\n", err.message);
    return j;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* Every role against both kinds: the open report for those who read the trial as a whole,
 * the closed one for the committee and the unblinded statistician only. */
static void test_roles(void)
{
    static const struct {
        lt_role role;
        bool open, closed;
    } rows[] = {
        {LT_ROLE_ADMIN, false, false},
        {LT_ROLE_COORDINATOR, false, false},
        {LT_ROLE_INVESTIGATOR, false, false},
        {LT_ROLE_NUCLEAR_MEDICINE, false, false},
        {LT_ROLE_STATISTICIAN, true, false},
        {LT_ROLE_MONITOR, true, false},
        {LT_ROLE_UNBLINDED_STATISTICIAN, true, true},
        {LT_ROLE_SAFETY_COMMITTEE, true, true},
    };
    CHECK_INT(sizeof rows / sizeof rows[0], LT_ROLE_COUNT);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        CHECK_MSG(lt_report_allowed(rows[i].role, LT_REPORT_OPEN) == rows[i].open, "open, %s",
                  lt_role_name(rows[i].role));
        CHECK_MSG(lt_report_allowed(rows[i].role, LT_REPORT_CLOSED) == rows[i].closed,
                  "closed, %s", lt_role_name(rows[i].role));
    }
    CHECK(!lt_report_allowed(LT_ROLE_COUNT, LT_REPORT_OPEN));
    CHECK(!lt_report_allowed(LT_ROLE_SAFETY_COMMITTEE, (lt_report_kind)7));
}

static void test_tally(void)
{
    lt__tally t;
    lt__tally_init(&t, 2);
    lt__tally_add(&t, "b", 0, 1);
    lt__tally_add(&t, "a", 1, 2);
    lt__tally_add(&t, "b", 1, 3);
    lt__tally_add(&t, "b", 5, 100); /* no such column: ignored */
    lt__tally_set(&t, "a", 1, 7);
    CHECK_INT(t.nrows, 2);
    CHECK_STR(t.label[0], "b"); /* in the order first seen */
    CHECK_REL(t.v[0], 1, 0);
    CHECK_REL(t.v[1], 3, 0);
    CHECK_REL(t.v[3], 7, 0);
    lt_buf b = LT_BUF_INIT;
    const char *cols[] = {"X <1>", "Y"};
    double den[] = {2, 4};
    lt__table_json(&b, &t, "id", "T", "src", "n", cols, den);
    lt_json *j = parse(b.p);
    CHECK_STR(lt_json_str(lt_json_at(lt_json_get(j, "columns"), 0)), "X <1>");
    double d4 = 0;
    CHECK(lt_json_num(lt_json_at(lt_json_get(j, "denominators"), 1), &d4) && d4 == 4);
    const lt_json *r = lt_json_at(lt_json_get(j, "rows"), 1);
    CHECK_STR(lt_json_get_str(r, "label", ""), "a");
    double v = 0;
    CHECK(lt_json_num(lt_json_at(lt_json_get(r, "values"), 1), &v) && v == 7);
    lt_json_free(j);
    lt_buf_free(&b);
    lt__tally_free(&t);
    /* many rows: the table grows */
    lt__tally_init(&t, 1);
    char l[16];
    for (int i = 0; i < 100; i++) {
        snprintf(l, sizeof l, "r%d", i % 50);
        lt__tally_add(&t, l, 0, 1);
    }
    CHECK_INT(t.nrows, 50);
    CHECK_REL(t.v[49], 2, 0);
    lt__tally_free(&t);
}

static const char consort_doc[] =
    "{\"pooled\":false,\"assessed\":121,\"excluded\":15,"
    "\"excluded_reasons\":[{\"reason\":\"Not meeting eligibility criteria\",\"n\":13},"
    "{\"reason\":\"Not consented\",\"n\":2}],\"failed_criteria\":{\"I4\":2,\"E10\":6},"
    "\"randomised\":106,\"groups\":["
    "{\"label\":\"A: Care <standard> & co\",\"allocated\":52,\"received\":52,\"not_received\":0,"
    "\"discontinued\":3,\"discontinued_reasons\":[{\"reason\":\"withdrawal\",\"n\":3}],"
    "\"analysed\":51,\"not_analysed\":1},"
    "{\"label\":\"B: Lu\",\"allocated\":54,\"received\":51,\"not_received\":3,"
    "\"discontinued\":0,\"discontinued_reasons\":[],\"analysed\":54,\"not_analysed\":0}]}";

static void test_consort(void)
{
    lt_json *c = parse(consort_doc);
    lt_buf b = LT_BUF_INIT;
    lt_error err;
    CHECK_INT(lt_report_consort_svg(c, &b, &err), LT_OK);
    const char *s = lt_buf_str(&b);
    CHECK(strstr(s, "Assessed for eligibility (n=121)") != NULL);
    CHECK(strstr(s, "Excluded (n=15)") != NULL);
    CHECK(strstr(s, "Not consented (n=2)") != NULL);
    CHECK(strstr(s, "I4 (2) E10 (6)") != NULL);
    CHECK(strstr(s, "Randomised (n=106)") != NULL);
    /* a label is escaped, never markup */
    CHECK(strstr(s, "Allocated to A: Care &lt;standard&gt; &amp; co (n=52)") != NULL);
    CHECK(strstr(s, "<standard>") == NULL);
    CHECK(strstr(s, "Allocated to B: Lu (n=54)") != NULL);
    CHECK(strstr(s, "Did not receive it, or not yet (n=3)") != NULL);
    CHECK(strstr(s, "withdrawal (n=3)") != NULL);
    CHECK(strstr(s, "Analysed (n=51)") != NULL);
    CHECK(strstr(s, "Not in the analysis dataset (n=1)") != NULL);
    /* the four stages' bars, enrolment's three boxes, three per arm */
    CHECK_INT(count(s, "<rect x="), 4 + 3 + 3 * 2);
    CHECK_INT(count(s, "<svg"), 1);
    CHECK_INT(count(s, "</svg>"), 1);
    lt_json_free(c);
    /* pooled: one column, no arm */
    lt_buf_reset(&b);
    c = parse("{\"pooled\":true,\"assessed\":3,\"excluded\":1,\"excluded_reasons\":[],"
              "\"randomised\":2,\"groups\":[{\"label\":\"All patients\",\"allocated\":2}]}");
    CHECK_INT(lt_report_consort_svg(c, &b, &err), LT_OK);
    CHECK(strstr(lt_buf_str(&b), "Allocated, arms pooled (n=2)") != NULL);
    CHECK(strstr(lt_buf_str(&b), "Allocated to") == NULL);
    lt_json_free(c);
    lt_buf_reset(&b);
    c = parse("[1]");
    CHECK_INT(lt_report_consort_svg(c, &b, &err), LT_EINVAL);
    CHECK(strstr(err.message, "expected the report's consort object, found an array") != NULL);
    CHECK_INT(b.n, 0);
    lt_json_free(c);
    lt_buf_free(&b);
}

static void test_enrolment(void)
{
    lt_json *e = parse("{\"first\":\"2021-11\",\"last\":\"2022-02\",\"total\":3,\"sites\":["
                       "{\"site\":\"S01\",\"total\":2,\"months\":[{\"month\":\"2021-11\",\"n\":1},"
                       "{\"month\":\"2022-02\",\"n\":1}]},"
                       "{\"site\":\"S&2\",\"total\":1,\"months\":[{\"month\":\"2022-01\",\"n\":1}]}]}");
    lt_buf b = LT_BUF_INIT;
    lt_error err;
    CHECK_INT(lt_report_enrolment_svg(e, &b, &err), LT_OK);
    const char *s = lt_buf_str(&b);
    CHECK(strstr(s, "Site S01 (2)") != NULL);
    CHECK(strstr(s, "Site S&amp;2 (1)") != NULL);
    CHECK(strstr(s, "All sites (3)") != NULL);
    CHECK(strstr(s, "2021-11") != NULL && strstr(s, "2022-01") != NULL); /* across the year */
    CHECK_INT(count(s, "<path "), 3);
    lt_json_free(e);
    /* nobody randomised: no plot, and the reason */
    lt_buf_reset(&b);
    e = parse("{\"first\":null,\"last\":null,\"total\":0,\"sites\":[]}");
    CHECK_INT(lt_report_enrolment_svg(e, &b, &err), LT_EINVAL);
    CHECK(strstr(err.message, "no patient was randomised") != NULL);
    lt_json_free(e);
    lt_buf_free(&b);
}

static void test_page(void)
{
    lt_buf d = LT_BUF_INIT;
    lt_buf_printf(&d,
                  "{\"report\":\"dsmb\",\"kind\":\"open\",\"trial\":{\"id\":\"t\",\"name\":\"T<1>\","
                  "\"protocol_version\":\"2.0\"},\"cutoff\":\"2025-12-31\",\"audit_head\":{\"seq\":9,"
                  "\"hash\":\"abc\"},\"generated_by\":{\"user\":\"u\",\"role\":\"statistician\"},"
                  "\"generated_at\":\"2026-01-01T00:00:00Z\",\"columns\":[\"All patients\"],"
                  "\"enrolment\":{\"first\":null,\"last\":null,\"total\":0,\"sites\":[]},"
                  "\"consort\":%s,\"survival\":[{\"endpoint\":\"OS\",\"name\":\"Overall\","
                  "\"error\":\"cut too early\"}],\"sections\":[{\"id\":\"x\",\"title\":\"X\","
                  "\"source\":\"s\",\"tables\":[{\"id\":\"t\",\"title\":\"Tt\",\"unit\":\"n\","
                  "\"columns\":[\"All patients\"],\"denominators\":[4],\"rows\":[{\"label\":\"r\","
                  "\"values\":[1]}]},{\"id\":\"u\",\"title\":\"Uu\",\"unit\":\"GBq\",\"columns\":[\"A\"],"
                  "\"denominators\":null,\"rows\":[{\"label\":\"m\",\"values\":[null]},"
                  "{\"label\":\"k\",\"values\":[2.25]}]}]}]}",
                  consort_doc);
    lt_json *j = parse(d.p);
    lt_buf b = LT_BUF_INIT;
    lt_error err;
    CHECK_INT(lt_report_dsmb_html(j, &b, &err), LT_OK);
    const char *s = lt_buf_str(&b);
    CHECK(!strncmp(s, "<!DOCTYPE html>", 15));
    CHECK(strstr(s, "<script") == NULL && strstr(s, "<link") == NULL);
    CHECK(strstr(s, "T&lt;1&gt;: data monitoring committee report") != NULL);
    CHECK(strstr(s, "OPEN: arms pooled") != NULL);
    CHECK(strstr(s, "record 9, SHA-256 abc") != NULL);
    CHECK(strstr(s, "No patient randomised by the cut-off") != NULL);
    CHECK(strstr(s, "<td>1 (25.0%)</td>") != NULL); /* a count with its column's percentage */
    CHECK(strstr(s, "<td>-</td>") != NULL);         /* no value */
    CHECK(strstr(s, "<td>2.2</td>") != NULL || strstr(s, "<td>2.3</td>") != NULL);
    CHECK(strstr(s, "Not analysed at this cut-off: cut too early") != NULL);
    CHECK(strstr(s, "<?xml") == NULL); /* figures inline, without their declaration */
    CHECK_INT(count(s, "<svg"), 1);    /* the CONSORT diagram; no enrolment plot */
    lt_json_free(j);
    lt_buf_reset(&b);
    j = parse("{\"report\":\"other\"}");
    CHECK_INT(lt_report_dsmb_html(j, &b, &err), LT_EINVAL);
    CHECK_INT(b.n, 0);
    lt_json_free(j);
    lt_buf_free(&b);
    lt_buf_free(&d);
}

/* The deviations section's patients with a visit deviation: the open report's document holds
 * counts by kind and the page shows them; the closed one's each entry with its arm. */
static void test_visit_rows(void)
{
    static const char *const docs[2] = {
        "[{\"patient\":\"P1\",\"site\":\"S1\",\"out_of_window\":1,\"missed\":2,\"delayed\":0}]",
        "[{\"patient\":\"P1\",\"site\":\"S1\",\"arm\":\"B: Lu\",\"out_of_window\":1,\"missed\":0,"
        "\"delayed\":0,\"entries\":[{\"entry\":\"safety_C1\",\"label\":\"Safety <C1>\","
        "\"kind\":\"out_of_window\",\"status\":\"out_of_window\",\"target\":\"2025-12-07\","
        "\"actual\":\"2025-12-30\",\"note\":\"16 days after its window\"},"
        "{\"entry\":\"qol.1\",\"label\":\"QLQ-C30 (1 of 3)\",\"kind\":\"missed\"},"
        "{\"entry\":\"qol.2\",\"label\":\"QLQ-C30 (2 of 3)\",\"kind\":\"missed\"},"
        "{\"entry\":\"eos\",\"label\":\"End of study\",\"kind\":\"missed\"}]}]"};
    for (int closed = 0; closed < 2; closed++) {
        lt_buf d = LT_BUF_INIT;
        lt_buf_printf(&d,
                      "{\"report\":\"dsmb\",\"kind\":\"%s\",\"trial\":{\"id\":\"t\",\"name\":\"T\","
                      "\"protocol_version\":\"1\"},\"cutoff\":\"2026-01-15\",\"audit_head\":{"
                      "\"seq\":1,\"hash\":\"h\"},\"generated_by\":{\"user\":\"u\",\"role\":\"r\"},"
                      "\"generated_at\":\"2026-01-16T00:00:00Z\",\"columns\":[\"All patients\"],"
                      "\"enrolment\":{\"first\":null,\"last\":null,\"total\":0,\"sites\":[]},"
                      "\"consort\":%s,\"survival\":[],\"sections\":[{\"id\":\"deviations\","
                      "\"title\":\"Deviations\",\"source\":\"s\",\"rows\":[],\"visit_rows\":%s,"
                      "\"tables\":[]}]}",
                      closed ? "closed" : "open", consort_doc, docs[closed]);
        lt_json *j = parse(d.p);
        lt_buf b = LT_BUF_INIT;
        lt_error err;
        CHECK_INT(lt_report_dsmb_html(j, &b, &err), LT_OK);
        const char *s = lt_buf_str(&b);
        CHECK(strstr(s, "Patients with a visit deviation") != NULL);
        if (closed) {
            CHECK(strstr(s, "<p><b>P1</b> (S1; B: Lu): Safety &lt;C1&gt; done 2025-12-30, 16 days "
                            "after its window; missed: QLQ-C30 x2, End of study</p>") != NULL);
        } else {
            CHECK(strstr(s, "<p><b>P1</b> (S1): 1 out of window, 2 missed</p>") != NULL);
        }
        lt_json_free(j);
        lt_buf_free(&b);
        lt_buf_free(&d);
    }
}

int main(void)
{
    test_roles();
    test_tally();
    test_consort();
    test_enrolment();
    test_page();
    test_visit_rows();
    return lt_test_done();
}
