/* Enrolment over time as a standalone SVG: the cumulative number of patients randomised (or
 * registered) by the end of each month, one step line per site and one for the trial, drawn
 * from the report document's "enrolment" member. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report_int.h"

static bool parse_month(const char *s, int *y, int *m)
{
    return s && sscanf(s, "%4d-%2d", y, m) == 2 && *m >= 1 && *m <= 12;
}

/* A tick spacing of 1, 2 or 5 times a power of ten giving at most eight intervals. */
static double step_for(double max)
{
    double mag = pow(10, floor(log10(max > 1 ? max : 1)));
    static const double m[] = {0.1, 0.2, 0.5, 1, 2, 5, 10};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (max / (m[i] * mag) <= 8 && m[i] * mag >= 1) return m[i] * mag;
    return 10 * mag;
}

lt_status lt_report_enrolment_svg(const lt_json *e, lt_buf *out, lt_error *err)
{
    int y0, m0, y1, m1;
    if (!parse_month(lt_json_get_str(e, "first", NULL), &y0, &m0) ||
        !parse_month(lt_json_get_str(e, "last", NULL), &y1, &m1))
        LT_FAIL(err, LT_EINVAL, "enrolment", "no patient was randomised or registered: no plot");
    int nmonths = (y1 - y0) * 12 + (m1 - m0) + 1;
    if (nmonths < 1 || nmonths > 1200)
        LT_FAIL(err, LT_EINVAL, "enrolment", "expected first <= last month, found %d months", nmonths);
    const lt_json *sites = lt_json_get(e, "sites");
    double total = lt_json_get_num(e, "total", 0);
    double L = 60, T = 34, Wp = 560, Hp = 250;
    double W = L + Wp + 150, H = T + Hp + 50;
    double ystep = step_for(total), ymax = ceil(total / ystep) * ystep;
    if (ymax <= 0) ymax = 1;
    lt_buf b = LT_BUF_INIT;
    lt_buf_printf(&b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                  "viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\" "
                  "font-size=\"11\">\n<title>Enrolment over time by site</title>\n"
                  "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                  "<text x=\"%.1f\" y=\"18\" font-size=\"13\" font-weight=\"bold\" "
                  "text-anchor=\"middle\">Patients randomised, cumulative by month</text>\n",
                  W, H, W, H, L + Wp / 2);
    /* axes, grid and ticks */
    lt_buf_puts(&b, "<g stroke=\"#dddddd\">\n");
    int nticks = (int)lround(ymax / ystep);
    for (int k = 1; k <= nticks; k++) {
        double yy = T + Hp * (1 - k * ystep / ymax);
        lt_buf_printf(&b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", L, L + Wp, yy, yy);
    }
    lt_buf_printf(&b,
                  "</g>\n<g stroke=\"black\"><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                  "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/></g>\n",
                  L, L + Wp, T + Hp, T + Hp, L, L, T, T + Hp);
    lt_buf_puts(&b, "<g text-anchor=\"end\">\n");
    for (int k = 0; k <= nticks; k++)
        lt_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\">%.0f</text>\n", L - 6,
                      T + Hp * (1 - k * ystep / ymax) + 4, k * ystep);
    lt_buf_puts(&b, "</g>\n<g text-anchor=\"middle\">\n");
    /* a label every k months so that they do not run into each other (7 characters each) */
    int every = 1;
    while ((double)nmonths / every * 48 > Wp) every = every < 3 ? every + 1 : every < 6 ? 6 : every + 6;
    double dx = Wp / nmonths;
    for (int k = 0; k <= nmonths; k += every) {
        int yy = y0 + (m0 - 1 + k) / 12, mm = (m0 - 1 + k) % 12 + 1;
        lt_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\">%04d-%02d</text>\n", L + dx * k, T + Hp + 16, yy, mm);
    }
    lt_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\">Month (start)</text>\n</g>\n", L + Wp / 2, T + Hp + 36);
    lt_buf_printf(&b,
                  "<text transform=\"translate(16,%.1f) rotate(-90)\" text-anchor=\"middle\">"
                  "Patients</text>\n",
                  T + Hp / 2);
    /* one cumulative step line per site, then the trial's */
    double *cum = calloc((size_t)nmonths, sizeof *cum);
    double *all = calloc((size_t)nmonths, sizeof *all);
    if (!cum || !all) {
        free(cum);
        free(all);
        lt_buf_free(&b);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory drawing the enrolment");
    }
    size_t ns = lt_json_size(sites);
    for (size_t s = 0; s <= ns; s++) {
        const lt_json *site = s < ns ? lt_json_at(sites, s) : NULL;
        const char *colour = s < ns ? lt__palette[s % 7] : "#000000";
        if (site) {
            memset(cum, 0, (size_t)nmonths * sizeof *cum);
            for (const lt_json *m = lt_json_first(lt_json_get(site, "months")); m; m = lt_json_next(m)) {
                int yy, mm;
                if (!parse_month(lt_json_get_str(m, "month", NULL), &yy, &mm)) continue;
                int k = (yy - y0) * 12 + (mm - m0);
                if (k >= 0 && k < nmonths) {
                    cum[k] += lt_json_get_num(m, "n", 0);
                    all[k] += lt_json_get_num(m, "n", 0);
                }
            }
        } else {
            memcpy(cum, all, (size_t)nmonths * sizeof *cum);
        }
        lt_buf_printf(&b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" d=\"M%.1f,%.1f", colour,
                      site ? "1.8" : "2.6", L, T + Hp);
        double run = 0;
        for (int k = 0; k < nmonths; k++) {
            run += cum[k];
            lt_buf_printf(&b, "V%.1fH%.1f", T + Hp * (1 - run / ymax), L + dx * (k + 1));
        }
        lt_buf_puts(&b, "\"/>\n");
        double ly = T + 10 + 18.0 * (double)s;
        lt_buf_printf(&b,
                      "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                      "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\">",
                      L + Wp + 14, L + Wp + 34, ly - 4, ly - 4, colour, L + Wp + 40, ly);
        if (site) {
            lt_buf_puts(&b, "Site ");
            lt__xml_text(&b, lt_json_get_str(site, "site", "?"));
            lt_buf_printf(&b, " (%.0f)", lt_json_get_num(site, "total", 0));
        } else {
            lt_buf_printf(&b, "All sites (%.0f)", total);
        }
        lt_buf_puts(&b, "</text>\n");
    }
    free(cum);
    free(all);
    lt_buf_puts(&b, "</svg>\n");
    if (lt_buf_failed(&b)) {
        lt_buf_free(&b);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory drawing the enrolment");
    }
    lt_buf_put(out, b.p, b.n);
    lt_buf_free(&b);
    return LT_OK;
}
