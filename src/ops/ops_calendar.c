/* The operation row of a patient's calendar as an iCalendar file (RFC 5545), what
 * `lutetia schedule ID --ics FILE` writes, for a coordinator's calendar program: the same
 * calendar as schedule.show, answered as text/calendar (lt_ops_media_type). */
#include "lutetia/conduct.h"
#include "lutetia/schedule.h"
#include "ops_int.h"

static lt_status op_ics(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    lt_conduct *c = NULL;
    lt_status rc = lt_conduct_new(t, NULL, &c, err);
    if (rc != LT_OK) return rc;
    const char *patient = lt__arg_str(a, "patient");
    lt_calendar *cal = NULL;
    rc = lt_conduct_calendar(c, patient, lt__arg_date(a, "as_of"), &cal, err);
    /* DTSTAMP is when the file is made: the server's clock (its test clock in tests) */
    if (rc == LT_OK)
        lt_calendar_to_ics(cal, lt_protocol_id(lt_trial_protocol(t)), patient, lt_trial_now(t), out);
    lt_calendar_free(cal);
    lt_conduct_free(c);
    return rc;
}

static const lt_op rows[] = {
    {"schedule.ics", "GET", "/api/v1/patients/{patient}/schedule.ics",
     "the patient's calendar as an iCalendar file (text/calendar), to import",
     "lutetia schedule ID --ics FILE", LT_OP_EVERY_ROLE, true, false,
     {PATIENT_PATH,
      {"as_of", LT_OP_DATE, LT_OP_IN_QUERY, false, "judge what is missed as of this day"}},
     op_ics},
};

const lt_op_group lt__ops_calendar = {rows, sizeof rows / sizeof rows[0]};
