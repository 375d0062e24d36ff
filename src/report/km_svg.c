/* Kaplan-Meier plot as a standalone SVG: step curves per group with censoring marks, optional
 * pointwise confidence bands, a legend and a numbers-at-risk table aligned under the time axis,
 * the layout survival figures in journals use (Pocock, Clayton & Altman 2002). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/stats.h"

/* Okabe & Ito's colour-blind-safe palette, then black. */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000", "#F0E442"};
#define NPAL (sizeof palette / sizeof palette[0])

static void put_text(lt_buf *b, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&':
            lt_buf_puts(b, "&amp;");
            break;
        case '<':
            lt_buf_puts(b, "&lt;");
            break;
        case '>':
            lt_buf_puts(b, "&gt;");
            break;
        case '"':
            lt_buf_puts(b, "&quot;");
            break;
        default:
            lt_buf_putc(b, *s);
        }
}

/* A tick spacing of 1, 2, 2.5 or 5 times a power of ten giving four to eight intervals,
 * the one whose last tick overshoots the largest time least. */
static double nice_step(double range)
{
    static const double mult[] = {1, 2, 2.5, 5};
    double best = range, best_over = INFINITY;
    double mag = pow(10, floor(log10(range / 8)));
    for (int e = 0; e < 3; e++, mag *= 10)
        for (int m = 0; m < 4; m++) {
            double step = mult[m] * mag, k = ceil(range / step - 1e-9);
            if (k < 4 || k > 8) continue;
            double over = k * step - range;
            if (over < best_over) {
                best_over = over;
                best = step;
            }
        }
    return best;
}

typedef struct frame {
    double left, top, width, height, xmax;
} frame;

static double px(const frame *f, double t)
{
    return f->left + f->width * (t / f->xmax);
}

static double py(const frame *f, double s)
{
    return f->top + f->height * (1 - s);
}

/* The step path of one curve; points closer than a tenth of a pixel are merged so that a
 * curve with a million distinct times stays a small file. */
static void curve_path(lt_buf *b, const frame *f, const lt_km_curve *c, const char *colour)
{
    lt_buf_printf(b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"M%.1f,%.1f", colour,
                  px(f, 0), py(f, 1));
    double lastx = px(f, 0);
    for (size_t k = 0; k < c->ntimes && c->time[k] <= f->xmax; k++) {
        if (c->n_event[k] == 0) continue;
        double x = px(f, c->time[k]);
        if (x - lastx >= 0.1) {
            lt_buf_printf(b, "H%.1f", x);
            lastx = x;
        }
        lt_buf_printf(b, "V%.1f", py(f, c->surv[k]));
    }
    double tend = c->ntimes ? fmin(c->time[c->ntimes - 1], f->xmax) : 0;
    lt_buf_printf(b, "H%.1f\"/>\n", px(f, tend));
}

static void curve_band(lt_buf *b, const frame *f, const lt_km_curve *c, const char *colour)
{
    lt_buf_printf(b, "<g fill=\"%s\" fill-opacity=\"0.15\" stroke=\"none\">\n", colour);
    /* one rectangle per stretch where the interval is constant, merged below half a pixel */
    double x0 = NAN, lo = 1, hi = 0;
    for (size_t k = 0; k <= c->ntimes; k++) {
        double t = k < c->ntimes ? fmin(c->time[k], f->xmax)
                                 : (c->ntimes ? fmin(c->time[c->ntimes - 1], f->xmax) : 0);
        double x = px(f, t);
        if (!isnan(x0) && (x - x0 >= 0.5 || k == c->ntimes) && hi >= lo) {
            lt_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", x0,
                          py(f, hi), x - x0, py(f, lo) - py(f, hi));
            x0 = NAN;
        }
        if (k == c->ntimes || c->time[k] > f->xmax) break;
        if (isnan(x0)) {
            x0 = x;
            lo = 1;
            hi = 0;
        }
        if (isfinite(c->lower[k]) && isfinite(c->upper[k])) {
            lo = fmin(lo, c->lower[k]);
            hi = fmax(hi, c->upper[k]);
        }
    }
    lt_buf_puts(b, "</g>\n");
}

static void censor_marks(lt_buf *b, const frame *f, const lt_km_curve *c, const char *colour)
{
    lt_buf_printf(b, "<path stroke=\"%s\" stroke-width=\"1.2\" d=\"", colour);
    double lastx = -1;
    for (size_t k = 0; k < c->ntimes && c->time[k] <= f->xmax; k++) {
        if (c->n_censor[k] == 0) continue;
        double x = px(f, c->time[k]);
        if (x - lastx < 1) continue; /* one mark per pixel is as much as the eye sees */
        lastx = x;
        lt_buf_printf(b, "M%.1f,%.1fv-8", x, py(f, c->surv[k]) + 4);
    }
    lt_buf_puts(b, "\"/>\n");
}

static void put_tick_label(lt_buf *b, double v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%g", v);
    lt_buf_puts(b, tmp);
}

lt_status lt_km_svg(const lt_km *km, const lt_km_svg_options *opts, lt_buf *out, lt_error *err)
{
    if (!km || km->ncurves == 0) LT_FAIL(err, LT_EINVAL, "", "no survival curves to plot");
    lt_km_svg_options o = {0};
    if (opts) o = *opts;
    double tmax = 0;
    for (size_t i = 0; i < km->ncurves; i++) {
        const lt_km_curve *c = &km->curves[i];
        if (c->ntimes && c->time[c->ntimes - 1] > tmax) tmax = c->time[c->ntimes - 1];
    }
    if (o.xmax > 0) tmax = o.xmax;
    if (!(tmax > 0)) tmax = 1;
    double step = o.xstep > 0 ? o.xstep : nice_step(tmax);
    double xmax = ceil(tmax / step - 1e-9) * step;
    if (!(xmax / step <= 200))
        LT_FAIL(err, LT_EINVAL, "", "the time axis step %g is too small for times up to %g", step,
                xmax);
    size_t nc = km->ncurves;
    /* the left margin must hold the longest group label of the risk table */
    size_t longest = 0;
    for (size_t i = 0; i < nc; i++)
        if (strlen(km->curves[i].label) > longest) longest = strlen(km->curves[i].label);
    double left = fmax(70, 8 + 7.2 * (double)longest + 24); /* label, then half a number */
    frame f = {left, o.title ? 46 : 24, 600, 340, xmax};
    double axis_y = f.top + f.height;
    double table_top = axis_y + 62;
    double row_h = 18;
    double W = f.left + f.width + 30, H = table_top + 22 + row_h * (double)nc + 12;
    lt_buf b = LT_BUF_INIT;
    lt_buf_printf(&b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                  "viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\" "
                  "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                  W, H, W, H);
    if (o.title) {
        lt_buf_printf(&b,
                      "<text x=\"%.1f\" y=\"24\" font-size=\"15\" font-weight=\"bold\" "
                      "text-anchor=\"middle\">",
                      f.left + f.width / 2);
        put_text(&b, o.title);
        lt_buf_puts(&b, "</text>\n");
    }
    /* grid and axes */
    lt_buf_puts(&b, "<g stroke=\"#dddddd\" stroke-width=\"1\">\n");
    for (int k = 1; k <= 4; k++)
        lt_buf_printf(&b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", f.left,
                      f.left + f.width, py(&f, k * 0.25), py(&f, k * 0.25));
    lt_buf_puts(&b, "</g>\n<g stroke=\"black\" stroke-width=\"1\">\n");
    lt_buf_printf(&b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", f.left,
                  f.left + f.width, axis_y, axis_y);
    lt_buf_printf(&b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", f.left, f.left,
                  f.top, axis_y);
    size_t nticks = (size_t)llround(xmax / step);
    for (size_t k = 0; k <= nticks; k++)
        lt_buf_printf(&b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n",
                      px(&f, (double)k * step), px(&f, (double)k * step), axis_y, axis_y + 5);
    for (int k = 0; k <= 4; k++)
        lt_buf_printf(&b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", f.left - 5,
                      f.left, py(&f, k * 0.25), py(&f, k * 0.25));
    lt_buf_puts(&b, "</g>\n<g text-anchor=\"middle\">\n");
    for (size_t k = 0; k <= nticks; k++) {
        lt_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\">", px(&f, (double)k * step), axis_y + 18);
        put_tick_label(&b, (double)k * step);
        lt_buf_puts(&b, "</text>\n");
    }
    lt_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\">", f.left + f.width / 2, axis_y + 36);
    put_text(&b, o.xlabel ? o.xlabel : "Time");
    lt_buf_puts(&b, "</text>\n</g>\n<g text-anchor=\"end\">\n");
    for (int k = 0; k <= 4; k++)
        lt_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\">%.2f</text>\n", f.left - 8,
                      py(&f, k * 0.25) + 4, k * 0.25);
    lt_buf_printf(&b,
                  "</g>\n<text transform=\"translate(%.1f,%.1f) rotate(-90)\" "
                  "text-anchor=\"middle\">",
                  f.left - 44, f.top + f.height / 2);
    put_text(&b, o.ylabel ? o.ylabel : "Survival probability");
    lt_buf_puts(&b, "</text>\n");
    /* curves: bands first so the lines sit on top */
    if (o.conf_bands)
        for (size_t i = 0; i < nc; i++)
            curve_band(&b, &f, &km->curves[i], palette[i % NPAL]);
    for (size_t i = 0; i < nc; i++) {
        curve_path(&b, &f, &km->curves[i], palette[i % NPAL]);
        censor_marks(&b, &f, &km->curves[i], palette[i % NPAL]);
    }
    /* legend, top right inside the frame */
    double lx = f.left + f.width - 12 - 7.0 * (double)longest - 30, ly = f.top + 14;
    for (size_t i = 0; i < nc; i++) {
        lt_buf_printf(&b,
                      "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                      "stroke-width=\"2\"/>\n<text x=\"%.1f\" y=\"%.1f\">",
                      lx, lx + 22, ly + 18.0 * (double)i - 4, ly + 18.0 * (double)i - 4,
                      palette[i % NPAL], lx + 28, ly + 18.0 * (double)i);
        put_text(&b, km->curves[i].label);
        lt_buf_puts(&b, "</text>\n");
    }
    /* numbers at risk under the axis, one row per curve, aligned with the ticks */
    lt_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">Number at risk</text>\n",
                  8.0, table_top);
    for (size_t i = 0; i < nc; i++) {
        const lt_km_curve *c = &km->curves[i];
        double y = table_top + 20 + row_h * (double)i;
        lt_buf_printf(&b, "<text x=\"8\" y=\"%.1f\" fill=\"%s\">", y, palette[i % NPAL]);
        put_text(&b, c->label);
        lt_buf_puts(&b, "</text>\n<g text-anchor=\"middle\">");
        for (size_t k = 0; k <= nticks; k++) {
            lt_km_point pt;
            lt_km_at(c, -INFINITY, (double)k * step, &pt);
            lt_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\">%.0f</text>", px(&f, (double)k * step),
                          y, pt.n_risk);
        }
        lt_buf_puts(&b, "</g>\n");
    }
    lt_buf_puts(&b, "</svg>\n");
    if (lt_buf_failed(&b)) {
        lt_buf_free(&b);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory writing the plot");
    }
    lt_buf_put(out, b.p, b.n);
    lt_buf_free(&b);
    return LT_OK;
}
