/* Fuzz target for the schedule reader: every input is read as a protocol's `schedule` member;
 * a schedule it accepts gives calendars for each arm it names (with anchors, actual dates and
 * stop events) that must be sorted and written as JSON and iCalendar with lines of at most 75
 * octets. A rejected input must say why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const arms[] = {"A", "B", "1", "2"};
    lt_error err;
    lt_json *j = NULL;
    lt_schedule *s = NULL;
    if (lt_json_parse((const char *)data, size, "fuzz", &j, &err) != LT_OK) return 0;
    lt_error_clear(&err);
    if (lt_schedule_parse(j, "fuzz: schedule", arms, 4, &s, &err) != LT_OK) {
        if (!err.message[0]) abort(); /* a rejection always says why */
        lt_json_free(j);
        return 0;
    }
    lt_date d0 = lt_date_from_ymd(2026, 1, 31);
    lt_named_date anchors[8];
    size_t na = 0;
    for (size_t i = 0; i < lt_schedule_anchor_count(s) && na < 8; i++)
        anchors[na++] = (lt_named_date){lt_schedule_anchor(s, i), d0 + (lt_date)(7 * i)};
    lt_sched_actual act[] = {{"C1", d0 + 40, NULL}, {"C2", d0 + 120, "toxicity"}};
    lt_named_date ev[] = {{"recurrence", d0 + 400}, {"death", d0 + 900}};
    for (size_t a = 0; a < 4; a++) {
        for (size_t nact = 0; nact <= 2; nact++) {
            lt_schedule_input in = {arms[a], anchors, na, act, nact, ev, a % 3, d0 + 200};
            lt_calendar *c = NULL;
            if (lt_schedule_compute(s, &in, &c, &err) != LT_OK) continue;
            for (size_t i = 1; i < c->n; i++)
                if (c->visits[i].target != LT_DATE_NONE &&
                    c->visits[i - 1].target != LT_DATE_NONE &&
                    c->visits[i].target < c->visits[i - 1].target)
                    abort(); /* sorted by target date */
            lt_buf b = LT_BUF_INIT;
            lt_calendar_to_json(c, &b);
            lt_buf_reset(&b);
            lt_calendar_to_ics(c, "fuzz", "p", 0, &b);
            const char *t = lt_buf_str(&b);
            for (const char *p = t; *p;) {
                const char *e = strstr(p, "\r\n");
                if (!e || e - p > 75) abort(); /* RFC 5545 3.1 */
                p = e + 2;
            }
            lt_buf_free(&b);
            lt_calendar_free(c);
        }
    }
    lt_schedule_free(s);
    lt_json_free(j);
    return 0;
}
