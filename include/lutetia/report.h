/* Reports for a trial's data monitoring committee (DSMB): the figures gathered from the trial
 * store by the same library functions the command line shows them with (the patients' flow,
 * the listings, the endpoint datasets and their survival analyses, the proportions), as one
 * JSON document; the HTML page rendered from that document (inline SVG and CSS, no scripts);
 * and its figures alone: the CONSORT 2010 flow diagram and the enrolment plot.
 * docs/reports.md says what each section shows and where it comes from. */
#ifndef LUTETIA_REPORT_H
#define LUTETIA_REPORT_H

#include <stdbool.h>
#include "buf.h"
#include "date.h"
#include "json.h"
#include "status.h"
#include "trial.h"

typedef enum lt_report_kind {
    LT_REPORT_OPEN = 0, /* arms pooled: nothing in it tells the arms apart */
    LT_REPORT_CLOSED,   /* by arm, with the comparisons (log-rank, Cox) */
} lt_report_kind;

/* Whether role may have a report of that kind (the table in src/report/access.c). */
LT_API bool lt_report_allowed(lt_role role, lt_report_kind kind);

typedef struct lt_report_options {
    lt_report_kind kind;
    lt_date cutoff;           /* data cut-off; LT_DATE_NONE: today */
    const char *generated_at; /* RFC 3339 UTC; NULL: now */
} lt_report_options;

/* The DSMB report's figures for the acting user of t, as one JSON document appended to out
 * (docs/reports.md lists its members). LT_EPERM naming the role when the role may not have
 * that kind of report. t is borrowed. */
LT_API lt_status lt_report_dsmb_json(lt_trial *t, const lt_report_options *o, lt_buf *out,
                                     lt_error *err);

/* The report page from that document: a standalone HTML5 file with its CSS and SVG inline,
 * laid out for A4 pages (weasyprint prints it). doc is borrowed. */
LT_API lt_status lt_report_dsmb_html(const lt_json *doc, lt_buf *out, lt_error *err);

/* The CONSORT 2010 flow diagram of the document's "consort" member, as a standalone SVG. */
LT_API lt_status lt_report_consort_svg(const lt_json *consort, lt_buf *out, lt_error *err);

/* Cumulative enrolment over time, one line per site, of the document's "enrolment" member,
 * as a standalone SVG. */
LT_API lt_status lt_report_enrolment_svg(const lt_json *enrolment, lt_buf *out, lt_error *err);

#endif
