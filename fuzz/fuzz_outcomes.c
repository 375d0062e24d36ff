/* Fuzz target for the outcomes reader (docs/outcomes-format.md): every input is parsed as an
 * outcomes file; each record it accepts goes through endpoint derivation (RECIST included),
 * QLQ-C30 scoring, a calendar from a fixed schedule and the JSON and iCalendar writers, and
 * its JSON must read back. Inputs that are rejected must leave a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/outcomes.h"
#include "lutetia/schedule.h"

static const char *SCHEDULE =
    "{\"anchors\": {\"liver_resection\": {\"label\": \"r\"}, \"randomisation\": {\"label\": "
    "\"x\"}},"
    " \"items\": {\"C1\": {\"kind\": \"treatment\", \"label\": \"C1\", \"arms\": [\"B\"],"
    "  \"anchor\": \"liver_resection\", \"offset\": {\"weeks\": 6},"
    "  \"window\": {\"before\": {\"weeks\": 2}, \"after\": {\"weeks\": 2}}},"
    " \"C2\": {\"kind\": \"treatment\", \"label\": \"C2\", \"arms\": [\"B\"], \"anchor\": \"C1\","
    "  \"offset\": {\"weeks\": 8}, \"window\": {\"before\": {\"weeks\": 1}, \"after\": {\"weeks\": "
    "1}},"
    "  \"delay\": {\"max\": {\"weeks\": 16}, \"reason\": \"toxicity\"}},"
    " \"mri\": {\"kind\": \"imaging\", \"label\": \"MRI\", \"anchor\": \"liver_resection\","
    "  \"offset\": {\"months\": 3}, \"repeat\": {\"every\": {\"months\": 3}, \"count\": 4},"
    "  \"window\": {\"before\": {\"days\": 14}, \"after\": {\"days\": 14}}},"
    " \"eos\": {\"kind\": \"end_of_study\", \"label\": \"EOS\", \"anchor\": \"randomisation\","
    "  \"offset\": {\"months\": 36}, \"window\": {\"before\": {\"days\": 0}, \"after\": {\"days\": "
    "30}}}},"
    " \"stops\": {\"recurrence\": {\"kinds\": [\"treatment\", \"imaging\"]}}}";

static const char *ENDPOINTS =
    "{\"DFS\": {\"origin\": \"liver_resection\", \"events\": [\"recurrence\", \"death\"]},"
    " \"LDFS\": {\"origin\": \"liver_resection\", \"events\": [\"recurrence:liver\", "
    "\"death:disease\"]},"
    " \"OS\": {\"origin\": \"randomisation\", \"events\": [\"death\"]},"
    " \"PFS\": {\"origin\": \"randomisation\", \"events\": [\"progression\", \"death\"],"
    "  \"censor_at\": [\"next_therapy\"]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lt_error err;
    lt_json *sj = NULL, *ej = NULL;
    lt_schedule *s = NULL;
    lt_endpoints *e = NULL;
    if (lt_json_parse(SCHEDULE, strlen(SCHEDULE), "s", &sj, &err) ||
        lt_schedule_parse(sj, "s", NULL, 0, &s, &err) ||
        lt_json_parse(ENDPOINTS, strlen(ENDPOINTS), "e", &ej, &err) ||
        lt_endpoints_parse(ej, "e", &e, &err))
        abort(); /* the fixed inputs are valid */
    lt_outcome_set *set = NULL;
    lt_error_clear(&err);
    if (lt_outcome_set_parse((const char *)data, size, "fuzz", &set, &err) != LT_OK) {
        if (!err.message[0]) abort(); /* a rejection always says why */
    } else {
        for (size_t i = 0; i < set->n; i++) {
            const lt_outcome_record *r = set->records[i];
            for (size_t k = 0; k < lt_endpoints_count(e); k++) {
                lt_endpoint_row row;
                if (lt_endpoint_derive(e, k, r, LT_DATE_NONE, &row, &err) == LT_OK &&
                    (row.time < 0 || (row.event != 0 && row.event != 1)))
                    abort();
            }
            for (size_t q = 0; q < r->nquestionnaires; q++) {
                double sc[LT_QLQ_SCALE_COUNT];
                if (lt_qlq_c30_score(r->questionnaires[q].items, sc, &err)) abort();
                for (int k = 0; k < LT_QLQ_SCALE_COUNT; k++)
                    if (sc[k] < 0 || sc[k] > 100) abort(); /* NAN compares false */
            }
            lt_schedule_input in;
            lt_outcome_record_schedule_input(r, LT_DATE_NONE, &in);
            lt_calendar *c = NULL;
            if (lt_schedule_compute(s, &in, &c, &err) == LT_OK) {
                lt_buf b = LT_BUF_INIT;
                lt_calendar_to_json(c, &b);
                lt_calendar_to_ics(c, "fuzz", r->id, 0, &b);
                lt_buf_free(&b);
                lt_calendar_free(c);
            }
            lt_buf b = LT_BUF_INIT;
            lt_outcome_record_to_json(r, &b);
            lt_json *v = NULL;
            lt_outcome_record *r2 = NULL;
            if (lt_buf_failed(&b) || lt_json_parse(b.p, b.n, "again", &v, &err) ||
                lt_outcome_record_from_json(v, "again", &r2, &err))
                abort(); /* what was written must read back */
            lt_outcome_record_free(r2);
            lt_json_free(v);
            lt_buf_free(&b);
        }
        lt_outcome_set_free(set);
    }
    lt_endpoints_free(e);
    lt_json_free(ej);
    lt_schedule_free(s);
    lt_json_free(sj);
    return 0;
}
