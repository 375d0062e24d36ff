/* Operation rows answering a file rather than JSON, the files the CLI writes (lt_ops_media_type
 * gives each its media type): a patient's calendar as an iCalendar file (RFC 5545), what
 * `lutetia schedule ID --ics FILE` writes, for a coordinator's calendar program; and the CONSORT
 * 2010 flow diagram of the DSMB report, what `lutetia report consort --out FILE.svg` writes; and
 * the report's page, the report.html of `lutetia report dsmb --out DIR`; the ODM export. */
#include "lutetia/conduct.h"
#include "lutetia/export.h"
#include "lutetia/report.h"
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

/* The report's figures (which check the role: src/report/access.c), then the diagram of their
 * "consort" member, as the CLI draws it. */
static lt_status consort(lt_trial *t, const lt_json *a, lt_report_kind kind, lt_buf *out,
                         lt_error *err)
{
    lt_report_options o = {.kind = kind, .cutoff = lt__arg_date(a, "cutoff")};
    lt_buf figures = LT_BUF_INIT;
    lt_json *doc = NULL;
    lt_status rc = lt_report_dsmb_json(t, &o, &figures, err);
    if (rc == LT_OK && lt_buf_failed(&figures)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_json_parse(figures.p, figures.n, "report", &doc, err);
    if (rc == LT_OK) rc = lt_report_consort_svg(lt_json_get(doc, "consort"), out, err);
    lt_json_free(doc);
    lt_buf_free(&figures);
    return rc;
}

static lt_status op_consort_open(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return consort(t, a, LT_REPORT_OPEN, out, err);
}

static lt_status op_consort_closed(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return consort(t, a, LT_REPORT_CLOSED, out, err);
}

/* The report's page from its figures, as `lutetia report dsmb --out DIR` writes report.html:
 * standalone, its CSS and SVG inline (the server sends it under a sandboxing
 * Content-Security-Policy: no script runs whatever the page holds). */
static lt_status page(lt_trial *t, const lt_json *a, lt_report_kind kind, lt_buf *out,
                      lt_error *err)
{
    lt_report_options o = {.kind = kind, .cutoff = lt__arg_date(a, "cutoff")};
    lt_buf figures = LT_BUF_INIT;
    lt_json *doc = NULL;
    lt_status rc = lt_report_dsmb_json(t, &o, &figures, err);
    if (rc == LT_OK && lt_buf_failed(&figures)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_json_parse(figures.p, figures.n, "report", &doc, err);
    if (rc == LT_OK) rc = lt_report_dsmb_html(doc, out, err);
    lt_json_free(doc);
    lt_buf_free(&figures);
    return rc;
}

static lt_status op_page_open(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return page(t, a, LT_REPORT_OPEN, out, err);
}

static lt_status op_page_closed(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    return page(t, a, LT_REPORT_CLOSED, out, err);
}

/* The CDISC ODM 1.3.2 snapshot `lutetia export odm` writes (lt_export_odm checks the role and
 * keeps to the user's sites), made at the server's clock. */
static lt_status op_odm(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)
{
    (void)a;
    lt_export_odm_options o = {.created = lt_trial_now(t)};
    return lt_export_odm(t, &o, out, err);
}

static const lt_op rows[] = {
    {"schedule.ics", "GET", "/api/v1/patients/{patient}/schedule.ics",
     "the patient's calendar as an iCalendar file (text/calendar), to import",
     "lutetia schedule ID --ics FILE", LT_OP_EVERY_ROLE, true, false,
     {PATIENT_PATH,
      {"as_of", LT_OP_DATE, LT_OP_IN_QUERY, false, "judge what is missed as of this day"}},
     op_ics},
    /* the roles of reports.dsmb and reports.dsmb_closed (ops_report.c) */
    {"reports.consort", "GET", "/api/v1/reports/dsmb/consort.svg",
     "the CONSORT flow diagram with the arms pooled (image/svg+xml)",
     "lutetia report consort --out FILE.svg",
     R(STATISTICIAN) | R(MONITOR) | R(UNBLINDED_STATISTICIAN) | R(SAFETY_COMMITTEE), false, false,
     {{"cutoff", LT_OP_DATE, LT_OP_IN_QUERY, false, "data cut-off (default today)"}},
     op_consort_open},
    {"reports.consort_closed", "GET", "/api/v1/reports/dsmb/closed/consort.svg",
     "the CONSORT flow diagram by arm (image/svg+xml)",
     "lutetia report consort --closed --out FILE.svg",
     R(UNBLINDED_STATISTICIAN) | R(SAFETY_COMMITTEE), false, false,
     {{"cutoff", LT_OP_DATE, LT_OP_IN_QUERY, false, "data cut-off (default today)"}},
     op_consort_closed},
    {"reports.dsmb_page", "GET", "/api/v1/reports/dsmb/report.html",
     "the DSMB report's page with the arms pooled (text/html, standalone, to print)",
     "lutetia report dsmb --out DIR (report.html)",
     R(STATISTICIAN) | R(MONITOR) | R(UNBLINDED_STATISTICIAN) | R(SAFETY_COMMITTEE), false, false,
     {{"cutoff", LT_OP_DATE, LT_OP_IN_QUERY, false, "data cut-off (default today)"}},
     op_page_open},
    {"reports.dsmb_closed_page", "GET", "/api/v1/reports/dsmb/closed/report.html",
     "the closed DSMB report's page, by arm (text/html, standalone, to print)",
     "lutetia report dsmb --closed --out DIR (report.html)",
     R(UNBLINDED_STATISTICIAN) | R(SAFETY_COMMITTEE), false, false,
     {{"cutoff", LT_OP_DATE, LT_OP_IN_QUERY, false, "data cut-off (default today)"}},
     op_page_closed},
    {"exports.odm", "GET", "/api/v1/exports/odm.xml",
     "the trial as a CDISC ODM 1.3.2 snapshot with its audit records (application/xml)",
     "lutetia export odm", R(ADMIN) | R(MONITOR) | R(STATISTICIAN) | R(UNBLINDED_STATISTICIAN),
     false, false, {{0}}, op_odm},
};

const lt_op_group lt__ops_files = {rows, sizeof rows / sizeof rows[0]};
