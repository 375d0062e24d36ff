/* A stop event on the very day an entry is due (make mutate, scripts/mutants.txt): a recurrence
 * found at the liver MRI of 2026-07-10 does not cancel that MRI (it is the visit that found
 * it); the next one, due after the recurrence, is cancelled. Liver MRIs every 3 months from a
 * liver resection on 2026-01-10 (the 10th of April, July, October, January), as NELMAS. */
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"

static lt_date D(const char *s)
{
    lt_date d = LT_DATE_NONE;
    lt_date_parse(s, false, &d);
    return d;
}

static const lt_visit *find(const lt_calendar *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->visits[i].id, id)) return &c->visits[i];
    return NULL;
}

int main(void)
{
    static const char text[] =
        "{\"anchors\": {\"liver_resection\": {\"label\": \"Liver resection\"}},"
        " \"items\": {\"mri_y1\": {\"kind\": \"imaging\", \"label\": \"Liver MRI\","
        " \"anchor\": \"liver_resection\", \"offset\": {\"months\": 3},"
        " \"repeat\": {\"every\": {\"months\": 3}, \"until\": {\"months\": 12}},"
        " \"window\": {\"before\": {\"days\": 14}, \"after\": {\"days\": 14}}}},"
        " \"stops\": {\"recurrence\": {\"kinds\": [\"imaging\"]}}}";
    static const char *const arms[] = {"A", "B"};
    lt_error err;
    lt_json *j = NULL;
    lt_schedule *s = NULL;
    CHECK_MSG(lt_json_parse(text, strlen(text), "schedule", &j, &err) == LT_OK, "%s", err.message);
    if (j)
        CHECK_MSG(lt_schedule_parse(j, "schedule", arms, 2, &s, &err) == LT_OK, "%s: %s",
                  err.where, err.message);
    lt_json_free(j);
    static const struct {
        const char *event_date;
        lt_visit_status mri2, mri3;
    } cases[] = {
        {"2026-07-10", LT_VISIT_PLANNED, LT_VISIT_CANCELLED},   /* on the MRI's day */
        {"2026-07-09", LT_VISIT_CANCELLED, LT_VISIT_CANCELLED}, /* the day before it */
        {"2026-07-11", LT_VISIT_PLANNED, LT_VISIT_CANCELLED},   /* the day after it */
    };
    for (size_t i = 0; s && i < sizeof cases / sizeof cases[0]; i++) {
        lt_named_date an[] = {{"liver_resection", D("2026-01-10")}};
        lt_named_date ev[] = {{"recurrence", D(cases[i].event_date)}};
        lt_schedule_input in = {"A", an, 1, NULL, 0, ev, 1, LT_DATE_NONE};
        lt_calendar *c = NULL;
        CHECK_MSG(lt_schedule_compute(s, &in, &c, &err) == LT_OK, "%s", err.message);
        if (!c) continue;
        const lt_visit *m2 = find(c, "mri_y1.2"), *m3 = find(c, "mri_y1.3");
        CHECK_MSG(m2 && m2->target == D("2026-07-10"), "mri_y1.2 is not due on 2026-07-10");
        CHECK_MSG(m2 && m2->status == cases[i].mri2, "recurrence on %s: mri_y1.2 %s, expected %s",
                  cases[i].event_date, m2 ? lt_visit_status_name(m2->status) : "missing",
                  lt_visit_status_name(cases[i].mri2));
        CHECK_MSG(m3 && m3->status == cases[i].mri3, "recurrence on %s: mri_y1.3 %s, expected %s",
                  cases[i].event_date, m3 ? lt_visit_status_name(m3->status) : "missing",
                  lt_visit_status_name(cases[i].mri3));
        lt_calendar_free(c);
    }
    lt_schedule_free(s);
    return lt_test_done();
}
