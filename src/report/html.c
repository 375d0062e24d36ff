/* The DSMB report page rendered from the report document (lt_report_dsmb_json): one HTML5 file
 * with its CSS and SVG figures inline and no script, laid out for A4 pages so that weasyprint
 * prints it as it shows. Every number on the page is a member of the document. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "report_int.h"

static const char css[] =
    "@page{size:A4;margin:16mm 14mm 18mm 14mm;"
    "@bottom-center{content:'Page ' counter(page) ' of ' "
    "counter(pages);font-size:8pt;color:#555}}\n"
    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;font-size:9pt;color:#111;"
    "max-width:190mm;margin:0 auto}\n"
    "h1{font-size:16pt;margin:0 0 4pt}h2{font-size:12pt;margin:14pt 0 4pt;"
    "border-bottom:1px solid #6fa8dc;page-break-after:avoid}h3{font-size:10pt;margin:8pt 0 3pt;"
    "page-break-after:avoid}\n"
    "table{border-collapse:collapse;margin:4pt 0 8pt;page-break-inside:avoid}"
    "th,td{border:1px solid #bbb;padding:2pt 5pt;text-align:right;vertical-align:top}"
    "th{background:#eef3fa}td.l,th.l{text-align:left}\n"
    "table.meta td{text-align:left}table.meta td:first-child{font-weight:bold;background:#f4f4f4}\n"
    ".fig{page-break-inside:avoid;margin:4pt 0}.fig svg{max-width:100%;height:auto}\n"
    ".src{color:#555;font-size:7.5pt;margin:0 0 3pt}.note{font-size:8pt;color:#333}\n"
    ".devs{column-count:2;column-gap:12pt;font-size:7.5pt}.devs p{margin:0 0 2pt}\n"
    ".kind{display:inline-block;padding:1pt 6pt;border:1px solid #333;font-weight:bold}\n"
    "section.pb{page-break-before:always}section.keep{page-break-inside:avoid}\n"
    ".side{float:left;width:48%;margin-right:2%}.side table{font-size:8pt}.clear{clear:both}\n"
    ".km svg{width:60%}\n";

static void text(lt_buf *b, const char *s)
{
    lt__xml_text(b, s ? s : "");
}

/* An SVG document inline: without its XML declaration. */
static void inline_svg(lt_buf *b, const char *svg)
{
    if (!svg) return;
    if (!strncmp(svg, "<?xml", 5)) {
        const char *e = strstr(svg, "?>");
        if (e) svg = e + 2;
    }
    while (*svg == '\n') svg++;
    lt_buf_puts(b, "<div class=\"fig\">");
    lt_buf_puts(b, svg);
    lt_buf_puts(b, "</div>\n");
}

static void number(lt_buf *b, const lt_json *v, const char *unit, double denom)
{
    double x;
    if (!lt_json_num(v, &x) || !isfinite(x)) {
        lt_buf_puts(b, "-");
        return;
    }
    if (!strcmp(unit, "n") || !strcmp(unit, "events")) {
        lt_buf_printf(b, "%.0f", x);
        if (!strcmp(unit, "n") && denom > 0) lt_buf_printf(b, " (%.1f%%)", 100 * x / denom);
    } else if (x == floor(x)) {
        lt_buf_printf(b, "%.0f", x);
    } else {
        lt_buf_printf(b, "%.1f", x);
    }
}

static void table(lt_buf *b, const lt_json *t, bool side_by_side)
{
    const char *unit = lt_json_get_str(t, "unit", "n");
    const lt_json *cols = lt_json_get(t, "columns"), *den = lt_json_get(t, "denominators");
    if (side_by_side) lt_buf_puts(b, "<div class=\"side\">");
    lt_buf_puts(b, "<h3>");
    text(b, lt_json_get_str(t, "title", ""));
    lt_buf_puts(b, "</h3>\n<table><thead><tr><th class=\"l\"></th>");
    size_t i = 0;
    for (const lt_json *c = lt_json_first(cols); c; c = lt_json_next(c), i++) {
        lt_buf_puts(b, "<th>");
        text(b, lt_json_str(c));
        double d;
        if (lt_json_num(lt_json_at(den, i), &d)) lt_buf_printf(b, "<br>(N=%.0f)", d);
        lt_buf_puts(b, "</th>");
    }
    lt_buf_puts(b, "</tr></thead><tbody>\n");
    if (!lt_json_size(lt_json_get(t, "rows")))
        lt_buf_printf(b, "<tr><td class=\"l\" colspan=\"%zu\">none</td></tr>\n", lt_json_size(cols) + 1);
    for (const lt_json *r = lt_json_first(lt_json_get(t, "rows")); r; r = lt_json_next(r)) {
        lt_buf_puts(b, "<tr><td class=\"l\">");
        text(b, lt_json_get_str(r, "label", ""));
        lt_buf_puts(b, "</td>");
        size_t k = 0;
        for (const lt_json *v = lt_json_first(lt_json_get(r, "values")); v; v = lt_json_next(v), k++) {
            double d = 0;
            lt_json_num(lt_json_at(den, k), &d);
            lt_buf_puts(b, "<td>");
            number(b, v, unit, d);
            lt_buf_puts(b, "</td>");
        }
        lt_buf_puts(b, "</tr>\n");
    }
    lt_buf_puts(b, "</tbody></table>\n");
    if (side_by_side) lt_buf_puts(b, "</div>\n");
}

static void source(lt_buf *b, const char *s)
{
    lt_buf_puts(b, "<p class=\"src\">From ");
    text(b, s);
    lt_buf_puts(b, ".</p>\n");
}

static void meta_row(lt_buf *b, const char *k, const char *v)
{
    lt_buf_puts(b, "<tr><td>");
    text(b, k);
    lt_buf_puts(b, "</td><td>");
    text(b, v);
    lt_buf_puts(b, "</td></tr>\n");
}

static void header(lt_buf *b, const lt_json *d, bool closed)
{
    const lt_json *t = lt_json_get(d, "trial");
    lt_buf_puts(b, "<h1>");
    text(b, lt_json_get_str(t, "name", ""));
    lt_buf_printf(b, ": data monitoring committee report <span class=\"kind\">%s</span></h1>\n",
                  closed ? "CLOSED: by arm" : "OPEN: arms pooled");
    lt_buf_puts(b, "<table class=\"meta\">\n");
    meta_row(b, "Trial", lt_json_get_str(t, "id", ""));
    meta_row(b, "Protocol version", lt_json_get_str(t, "protocol_version", ""));
    meta_row(b, "Data cut-off", lt_json_get_str(d, "cutoff", ""));
    const lt_json *h = lt_json_get(d, "audit_head");
    char head[160];
    snprintf(head, sizeof head, "record %.0f, SHA-256 %s", lt_json_get_num(h, "seq", 0),
             lt_json_get_str(h, "hash", ""));
    meta_row(b, "Audit trail head", head);
    const lt_json *g = lt_json_get(d, "generated_by");
    char by[300];
    snprintf(by, sizeof by, "%s (%s) at %s", lt_json_get_str(g, "user", ""),
             lt_json_get_str(g, "role", ""), lt_json_get_str(d, "generated_at", ""));
    meta_row(b, "Generated by", by);
    lt_buf_puts(b, "</table>\n<p class=\"note\">");
    lt_buf_puts(b, closed ? "Closed report: for the committee's closed session only. Columns are "
                            "the arms, reference arm first, and the total; the comparisons "
                            "(log-rank, Cox) read in the design's direction."
                          : "Open report: every figure pools the arms; the comparisons by arm "
                            "are in the closed report.");
    lt_buf_puts(b, "</p>\n");
}

static void enrolment(lt_buf *b, const lt_json *e)
{
    lt_buf_puts(b, "<section><h2>1. Enrolment over time by site</h2>\n");
    source(b, lt_json_get_str(e, "source", ""));
    lt_buf svg = LT_BUF_INIT;
    lt_error err;
    if (lt_report_enrolment_svg(e, &svg, &err) == LT_OK)
        inline_svg(b, svg.p);
    else
        lt_buf_puts(b, "<p class=\"note\">No patient randomised by the cut-off.</p>\n");
    lt_buf_free(&svg);
    lt_buf_puts(b, "<table><thead><tr><th class=\"l\">Site</th><th>Randomised</th>"
                   "<th class=\"l\">First month</th><th class=\"l\">Last month</th></tr></thead><tbody>\n");
    for (const lt_json *s = lt_json_first(lt_json_get(e, "sites")); s; s = lt_json_next(s)) {
        const lt_json *m = lt_json_get(s, "months");
        size_t n = lt_json_size(m);
        lt_buf_puts(b, "<tr><td class=\"l\">");
        text(b, lt_json_get_str(s, "site", ""));
        lt_buf_printf(b, "</td><td>%.0f</td><td class=\"l\">", lt_json_get_num(s, "total", 0));
        text(b, n ? lt_json_get_str(lt_json_at(m, 0), "month", "") : "-");
        lt_buf_puts(b, "</td><td class=\"l\">");
        text(b, n ? lt_json_get_str(lt_json_at(m, n - 1), "month", "") : "-");
        lt_buf_puts(b, "</td></tr>\n");
    }
    lt_buf_printf(b, "<tr><th class=\"l\">All sites</th><th>%.0f</th><th></th><th></th></tr>\n",
                  lt_json_get_num(e, "total", 0));
    lt_buf_puts(b, "</tbody></table></section>\n");
}

static lt_status consort(lt_buf *b, const lt_json *c, lt_error *err)
{
    lt_buf_puts(b, "<section class=\"keep\"><h2>2. CONSORT 2010 flow diagram</h2>\n");
    source(b, lt_json_get_str(c, "source", ""));
    lt_buf svg = LT_BUF_INIT;
    lt_status rc = lt_report_consort_svg(c, &svg, err);
    if (rc == LT_OK) inline_svg(b, svg.p);
    lt_buf_free(&svg);
    lt_buf_puts(b, "</section>\n");
    return rc;
}

/* The patients with a visit deviation, one line each in two columns: in the open report the
 * counts by kind (the JSON holds no more), in the closed one each visit with its arm, the
 * date done and the calendar's note. Lines, not a table: a table row per visit made the
 * closed NELMAS report six pages and a second of weasyprint longer. */
/* A patient's missed entries by visit, its occurrences counted ("EORTC QLQ-C30 (1 of 13)" and
 * "(2 of 13)" as "EORTC QLQ-C30 x2"): a trial whose questionnaires or follow-up calls are not
 * recorded misses hundreds of them (the NET RETREAT demonstration: 1429), each listed in the
 * JSON, counted on the page. */
static void missed_by_visit(lt_buf *b, const lt_json *entries, bool first)
{
    enum { MAX_VISITS = 32 };
    char name[MAX_VISITS][120];
    int n[MAX_VISITS] = {0}, nv = 0, other = 0;
    for (const lt_json *e = lt_json_first(entries); e; e = lt_json_next(e)) {
        if (strcmp(lt_json_get_str(e, "kind", ""), "missed")) continue;
        const char *label = lt_json_get_str(e, "label", "");
        const char *occ = strstr(label, " (");
        int len = occ ? (int)(occ - label) : (int)strlen(label);
        int k = 0;
        while (k < nv && (strncmp(name[k], label, (size_t)len) || name[k][len]))
            k++;
        if (k == nv && nv < MAX_VISITS && len < (int)sizeof name[0]) {
            snprintf(name[nv], sizeof name[0], "%.*s", len, label);
            nv++;
        }
        if (k < nv)
            n[k]++;
        else
            other++;
    }
    if (!nv && !other) return;
    lt_buf_puts(b, first ? "missed: " : "; missed: ");
    for (int k = 0; k < nv; k++) {
        lt_buf_puts(b, k ? ", " : "");
        text(b, name[k]);
        if (n[k] > 1) lt_buf_printf(b, " x%d", n[k]);
    }
    if (other) lt_buf_printf(b, "%s%d more", nv ? ", " : "", other);
}

static void visit_rows(lt_buf *b, const lt_json *rows)
{
    if (!lt_json_size(rows)) return;
    lt_buf_puts(b, "<h3>Patients with a visit deviation</h3>\n<div class=\"devs\">\n");
    for (const lt_json *r = lt_json_first(rows); r; r = lt_json_next(r)) {
        lt_buf_puts(b, "<p><b>");
        text(b, lt_json_get_str(r, "patient", ""));
        lt_buf_puts(b, "</b> (");
        text(b, lt_json_get_str(r, "site", ""));
        if (lt_json_get(r, "arm")) {
            lt_buf_puts(b, "; ");
            text(b, lt_json_get_str(r, "arm", ""));
        }
        lt_buf_puts(b, "): ");
        const lt_json *entries = lt_json_get(r, "entries");
        if (!entries) {
            static const char *const k[][2] = {{"out_of_window", "out of window"},
                                               {"missed", "missed"},
                                               {"delayed", "delayed without a reason"}};
            bool first = true;
            for (size_t i = 0; i < 3; i++) {
                double n = lt_json_get_num(r, k[i][0], 0);
                if (n <= 0) continue;
                lt_buf_printf(b, "%s%.0f %s", first ? "" : ", ", n, k[i][1]);
                first = false;
            }
        }
        bool first = true;
        for (const lt_json *e = lt_json_first(entries); e; e = lt_json_next(e)) {
            if (!strcmp(lt_json_get_str(e, "kind", ""), "missed")) continue;
            lt_buf_puts(b, first ? "" : "; ");
            first = false;
            text(b, lt_json_get_str(e, "label", ""));
            const char *done = lt_json_get_str(e, "actual", NULL);
            if (done) {
                lt_buf_puts(b, " done ");
                text(b, done);
            }
            lt_buf_puts(b, ", ");
            text(b, lt_json_get_str(e, "note", ""));
        }
        missed_by_visit(b, entries, first);
        lt_buf_puts(b, "</p>\n");
    }
    lt_buf_puts(b, "</div>\n");
}

static void section(lt_buf *b, const lt_json *s, int no)
{
    const char *id = lt_json_get_str(s, "id", "");
    /* the long sections start on a new page so their tables do not split (the baseline table
     * with its age rows no longer fits under the CONSORT diagram) */
    bool pb = !strcmp(id, "baseline") || !strcmp(id, "adverse_events") || !strcmp(id, "lab_shifts");
    lt_buf_printf(b, "<section%s><h2>%d. ", pb ? " class=\"pb\"" : "", no);
    text(b, lt_json_get_str(s, "title", ""));
    lt_buf_puts(b, "</h2>\n");
    source(b, lt_json_get_str(s, "source", ""));
    for (const lt_json *n = lt_json_first(lt_json_get(s, "notes")); n; n = lt_json_next(n)) {
        lt_buf_puts(b, "<p class=\"note\">");
        text(b, lt_json_str(n));
        lt_buf_puts(b, "</p>\n");
    }
    if (lt_json_get(s, "events")) lt_buf_printf(b, "<p class=\"note\">%.0f adverse events recorded.</p>\n",
                                                lt_json_get_num(s, "events", 0));
    for (const lt_json *t = lt_json_first(lt_json_get(s, "tables")); t; t = lt_json_next(t)) table(b, t, !strcmp(id, "lab_shifts"));
    lt_buf_puts(b, "<div class=\"clear\"></div>\n");
    const lt_json *rows = lt_json_get(s, "rows");
    if (lt_json_size(rows)) {
        lt_buf_puts(b, "<table><thead><tr><th class=\"l\">Patient</th><th class=\"l\">Date</th>"
                       "<th>Cycle</th><th>Activity (MBq)</th><th class=\"l\">Reason</th></tr></thead><tbody>\n");
        for (const lt_json *r = lt_json_first(rows); r; r = lt_json_next(r)) {
            lt_buf_puts(b, "<tr><td class=\"l\">");
            text(b, lt_json_get_str(r, "patient", ""));
            lt_buf_puts(b, "</td><td class=\"l\">");
            text(b, lt_json_get_str(r, "date", ""));
            lt_buf_printf(b, "</td><td>%.0f</td><td>%.0f</td><td class=\"l\">",
                          lt_json_get_num(r, "cycle", 0), lt_json_get_num(r, "activity_mbq", 0));
            text(b, lt_json_get_str(r, "reason", ""));
            lt_buf_puts(b, "</td></tr>\n");
        }
        lt_buf_puts(b, "</tbody></table>\n");
    }
    visit_rows(b, lt_json_get(s, "visit_rows"));
    lt_buf_puts(b, "</section>\n");
}

static void fmt_num(lt_buf *b, const lt_json *v, const char *f)
{
    double x;
    if (lt_json_num(v, &x) && isfinite(x))
        lt_buf_printf(b, f, x);
    else
        lt_buf_puts(b, "NR");
}

static void efficacy(lt_buf *b, const lt_json *d, int no)
{
    lt_buf_printf(b, "<section class=\"pb\"><h2>%d. Efficacy: time to event and proportions</h2>\n", no);
    source(b, "lt_conduct_endpoint (the endpoint's dataset, as `lutetia endpoints` and `lutetia "
              "analyse --endpoint` read it); Kaplan-Meier (lt_km_fit), log-rank "
              "(lt_logrank_test), Cox with Efron ties (lt_cox_fit); proportions from "
              "lt_conduct_proportion with exact (Clopper-Pearson) intervals");
    for (const lt_json *s = lt_json_first(lt_json_get(d, "survival")); s; s = lt_json_next(s)) {
        lt_buf_puts(b, "<div class=\"km\" style=\"page-break-inside:avoid\"><h3>");
        text(b, lt_json_get_str(s, "name", ""));
        lt_buf_puts(b, " (");
        text(b, lt_json_get_str(s, "endpoint", ""));
        lt_buf_puts(b, ")</h3>\n");
        if (lt_json_get(s, "error")) {
            lt_buf_puts(b, "<p class=\"note\">Not analysed at this cut-off: ");
            text(b, lt_json_get_str(s, "error", ""));
            lt_buf_puts(b, "</p></div>\n");
            continue;
        }
        inline_svg(b, lt_json_get_str(s, "svg", NULL));
        lt_buf_puts(b, "<table><thead><tr><th class=\"l\"></th><th>Patients</th><th>Events</th>"
                       "<th>Median, months (95% CI)</th></tr></thead><tbody>\n");
        for (const lt_json *c = lt_json_first(lt_json_get(s, "curves")); c; c = lt_json_next(c)) {
            lt_buf_puts(b, "<tr><td class=\"l\">");
            text(b, lt_json_get_str(c, "label", ""));
            lt_buf_printf(b, "</td><td>%.0f</td><td>%.0f</td><td>", lt_json_get_num(c, "n", 0),
                          lt_json_get_num(c, "events", 0));
            fmt_num(b, lt_json_get(c, "median"), "%.1f");
            lt_buf_puts(b, " (");
            fmt_num(b, lt_json_get(c, "median_lower"), "%.1f");
            lt_buf_puts(b, " to ");
            fmt_num(b, lt_json_get(c, "median_upper"), "%.1f");
            lt_buf_puts(b, ")</td></tr>\n");
        }
        lt_buf_puts(b, "</tbody></table>\n");
        const lt_json *lr = lt_json_get(s, "logrank");
        if (lr) {
            lt_buf_puts(b, "<p>Log-rank: chi-square ");
            fmt_num(b, lt_json_get(lr, "chisq"), "%.3f");
            lt_buf_printf(b, " on %.0f df, p = ", lt_json_get_num(lr, "df", 0));
            fmt_num(b, lt_json_get(lr, "p"), "%.4f");
            lt_buf_puts(b, ".");
            for (const lt_json *c = lt_json_first(lt_json_get(s, "cox")); c; c = lt_json_next(c)) {
                lt_buf_puts(b, " Cox (Efron): hazard ratio of ");
                text(b, lt_json_get_str(c, "label", ""));
                lt_buf_puts(b, " against ");
                text(b, lt_json_get_str(c, "reference", ""));
                lt_buf_puts(b, " (");
                text(b, lt_json_get_str(c, "term", ""));
                lt_buf_puts(b, ") ");
                fmt_num(b, lt_json_get(c, "hr"), "%.3f");
                lt_buf_puts(b, " (95% CI ");
                fmt_num(b, lt_json_get(c, "lower"), "%.3f");
                lt_buf_puts(b, " to ");
                fmt_num(b, lt_json_get(c, "upper"), "%.3f");
                lt_buf_puts(b, "), p = ");
                fmt_num(b, lt_json_get(c, "p"), "%.4f");
                lt_buf_puts(b, ".");
            }
            lt_buf_puts(b, "</p>\n");
        }
        lt_buf_puts(b, "</div>\n");
    }
    const lt_json *props = lt_json_get(d, "proportions");
    if (lt_json_size(props)) {
        lt_buf_puts(b, "<h3>Proportions</h3>\n<table><thead><tr><th class=\"l\">Endpoint</th>"
                       "<th class=\"l\"></th><th>x / n</th><th>Proportion (95% CI)</th></tr></thead><tbody>\n");
        for (const lt_json *p = lt_json_first(props); p; p = lt_json_next(p))
            for (const lt_json *g = lt_json_first(lt_json_get(p, "groups")); g; g = lt_json_next(g)) {
                lt_buf_puts(b, "<tr><td class=\"l\">");
                text(b, lt_json_get_str(p, "name", ""));
                lt_buf_puts(b, "</td><td class=\"l\">");
                text(b, lt_json_get_str(g, "label", ""));
                lt_buf_printf(b, "</td><td>%.0f / %.0f</td><td>", lt_json_get_num(g, "x", 0),
                              lt_json_get_num(g, "n", 0));
                double pr = lt_json_get_num(g, "proportion", NAN), lo = lt_json_get_num(g, "lower", NAN),
                       hi = lt_json_get_num(g, "upper", NAN);
                if (isfinite(pr))
                    lt_buf_printf(b, "%.1f%% (%.1f to %.1f)", 100 * pr, 100 * lo, 100 * hi);
                else
                    lt_buf_puts(b, "-");
                lt_buf_puts(b, "</td></tr>\n");
            }
        lt_buf_puts(b, "</tbody></table>\n");
    }
    lt_buf_puts(b, "</section>\n");
}

lt_status lt_report_dsmb_html(const lt_json *d, lt_buf *out, lt_error *err)
{
    if (strcmp(lt_json_get_str(d, "report", ""), "dsmb") != 0)
        LT_FAIL(err, LT_EINVAL, "report", "expected a DSMB report document (\"report\": \"dsmb\")");
    bool closed = !strcmp(lt_json_get_str(d, "kind", ""), "closed");
    lt_buf b = LT_BUF_INIT;
    lt_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
    text(&b, lt_json_get_str(lt_json_get(d, "trial"), "name", ""));
    lt_buf_printf(&b, " DSMB report (%s)</title>\n<style>\n%s</style></head><body>\n",
                  closed ? "closed" : "open", css);
    header(&b, d, closed);
    enrolment(&b, lt_json_get(d, "enrolment"));
    lt_status rc = consort(&b, lt_json_get(d, "consort"), err);
    int no = 3;
    for (const lt_json *s = lt_json_first(lt_json_get(d, "sections")); rc == LT_OK && s; s = lt_json_next(s))
        section(&b, s, no++);
    if (rc == LT_OK) efficacy(&b, d, no);
    lt_buf_puts(&b, "</body></html>\n");
    if (rc == LT_OK && lt_buf_failed(&b)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) lt_buf_put(out, b.p, b.n);
    lt_buf_free(&b);
    return rc;
}
