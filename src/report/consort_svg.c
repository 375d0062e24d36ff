/* The CONSORT 2010 flow diagram (Schulz, Altman & Moher 2010, figure 1) as a standalone SVG:
 * assessed for eligibility, excluded with reasons, randomised; then one column per group with
 * allocated and received, discontinued with reasons, and analysed. Drawn from the report
 * document's "consort" member, so the boxes show exactly the figures of report.json. */
#include <stdio.h>
#include <string.h>
#include "report_int.h"

#define MAX_LINES 24
#define LINE_H 15.0
#define PAD 8.0
#define CHAR_W 6.3 /* a 11 px sans-serif character, on average: for wrapping and widths */

typedef struct box {
    char line[MAX_LINES][120];
    int bold[MAX_LINES];
    size_t n;
} box;

/* Appends text to the box, wrapped at width px on spaces; continuation lines indented. */
static void box_add(box *b, const char *text, double width, int bold)
{
    size_t max = (size_t)((width - 2 * PAD) / CHAR_W);
    if (max < 10) max = 10;
    if (max > sizeof b->line[0] - 4) max = sizeof b->line[0] - 4;
    const char *s = text;
    bool cont = false;
    while (*s && b->n < MAX_LINES) {
        size_t room = cont ? max - 2 : max, len = strlen(s);
        size_t cut = len;
        if (len > room) {
            cut = room;
            while (cut > 0 && s[cut] != ' ') cut--;
            if (cut == 0) cut = room;
        }
        snprintf(b->line[b->n], sizeof b->line[0], "%s%.*s", cont ? "  " : "", (int)cut, s);
        b->bold[b->n++] = bold;
        s += cut;
        while (*s == ' ') s++;
        cont = true;
    }
}

static double box_height(const box *b)
{
    return (double)b->n * LINE_H + 2 * PAD;
}

static void box_draw(lt_buf *o, const box *b, double x, double y, double w, double h)
{
    lt_buf_printf(o,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"white\" "
                  "stroke=\"black\"/>\n",
                  x, y, w, h);
    for (size_t i = 0; i < b->n; i++) {
        lt_buf_printf(o, "<text x=\"%.1f\" y=\"%.1f\"%s>", x + PAD, y + PAD + LINE_H * (double)i + 11,
                      b->bold[i] ? " font-weight=\"bold\"" : "");
        lt__xml_text(o, b->line[i]);
        lt_buf_puts(o, "</text>\n");
    }
}

static void arrow(lt_buf *o, double x1, double y1, double x2, double y2)
{
    lt_buf_printf(o,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\" "
                  "marker-end=\"url(#arrow)\"/>\n",
                  x1, y1, x2, y2);
}

static void stage(lt_buf *o, const char *name, double y, double w)
{
    lt_buf_printf(o,
                  "<rect x=\"10\" y=\"%.1f\" width=\"%.1f\" height=\"20\" rx=\"6\" fill=\"#cfe2f3\" "
                  "stroke=\"#6fa8dc\"/>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                  "font-weight=\"bold\">%s</text>\n",
                  y, w - 20, w / 2, y + 14, name);
}

static double num(const lt_json *o, const char *key)
{
    return lt_json_get_num(o, key, 0);
}

lt_status lt_report_consort_svg(const lt_json *consort, lt_buf *out, lt_error *err)
{
    if (!lt_json_is_object(consort))
        LT_FAIL(err, LT_EINVAL, "consort", "expected the report's consort object, found %s",
                lt_json_kind(consort));
    const lt_json *groups = lt_json_get(consort, "groups");
    size_t ng = lt_json_size(groups);
    if (ng == 0) ng = 1;
    double colw = ng == 1 ? 300 : ng == 2 ? 290 : 230, gap = 20;
    double W = (double)ng * colw + (double)(ng - 1) * gap + 40;
    if (W < 640) W = 640;
    char t[400];
    /* enrolment: assessed (centre-left), excluded (right), randomised */
    double topw = 250, exw = W - 40 - topw - 40;
    box assessed = {0}, excluded = {0}, randomised = {0};
    snprintf(t, sizeof t, "Assessed for eligibility (n=%.0f)", num(consort, "assessed"));
    box_add(&assessed, t, topw, 1);
    snprintf(t, sizeof t, "Excluded (n=%.0f)", num(consort, "excluded"));
    box_add(&excluded, t, exw, 1);
    for (const lt_json *r = lt_json_first(lt_json_get(consort, "excluded_reasons")); r;
         r = lt_json_next(r)) {
        snprintf(t, sizeof t, "- %s (n=%.0f)", lt_json_get_str(r, "reason", "?"), num(r, "n"));
        box_add(&excluded, t, exw, 0);
    }
    const lt_json *fc = lt_json_get(consort, "failed_criteria");
    if (lt_json_size(fc)) {
        lt_buf crit = LT_BUF_INIT;
        lt_buf_puts(&crit, "criteria not met:");
        for (const lt_json *m = lt_json_first(fc); m; m = lt_json_next(m)) {
            double k = 0;
            lt_json_num(m, &k);
            lt_buf_printf(&crit, " %s (%.0f)", lt_json_key(m), k);
        }
        box_add(&excluded, lt_buf_str(&crit), exw, 0);
        lt_buf_free(&crit);
    }
    snprintf(t, sizeof t, "Randomised (n=%.0f)", num(consort, "randomised"));
    box_add(&randomised, t, topw, 1);
    box alloc[MAX_LINES] = {0}, follow[MAX_LINES] = {0}, anal[MAX_LINES] = {0};
    if (ng > MAX_LINES) ng = MAX_LINES;
    double ha = 0, hf = 0, hn = 0;
    for (size_t g = 0; g < ng; g++) {
        const lt_json *v = lt_json_at(groups, g);
        bool pooled = false;
        lt_json_bool(lt_json_get(consort, "pooled"), &pooled);
        if (pooled)
            snprintf(t, sizeof t, "Allocated, arms pooled (n=%.0f)", num(v, "allocated"));
        else
            snprintf(t, sizeof t, "Allocated to %s (n=%.0f)", lt_json_get_str(v, "label", "?"),
                     num(v, "allocated"));
        box_add(&alloc[g], t, colw, 1);
        snprintf(t, sizeof t, "- Received allocated intervention (n=%.0f)", num(v, "received"));
        box_add(&alloc[g], t, colw, 0);
        snprintf(t, sizeof t, "- Did not receive it, or not yet (n=%.0f)", num(v, "not_received"));
        box_add(&alloc[g], t, colw, 0);
        snprintf(t, sizeof t, "Discontinued (n=%.0f)", num(v, "discontinued"));
        box_add(&follow[g], t, colw, 1);
        for (const lt_json *r = lt_json_first(lt_json_get(v, "discontinued_reasons")); r;
             r = lt_json_next(r)) {
            snprintf(t, sizeof t, "- %s (n=%.0f)", lt_json_get_str(r, "reason", "?"), num(r, "n"));
            box_add(&follow[g], t, colw, 0);
        }
        snprintf(t, sizeof t, "Analysed (n=%.0f)", num(v, "analysed"));
        box_add(&anal[g], t, colw, 1);
        snprintf(t, sizeof t, "- Not in the analysis dataset (n=%.0f)", num(v, "not_analysed"));
        box_add(&anal[g], t, colw, 0);
        if (box_height(&alloc[g]) > ha) ha = box_height(&alloc[g]);
        if (box_height(&follow[g]) > hf) hf = box_height(&follow[g]);
        if (box_height(&anal[g]) > hn) hn = box_height(&anal[g]);
    }
    /* vertical layout */
    double y = 10;
    double y_stage1 = y;
    y += 30;
    double ax = (W - topw) / 2 - (exw + 40) / 2 + 10;
    if (ax < 20) ax = 20;
    double y_assessed = y, h_assessed = box_height(&assessed);
    double h_excl = box_height(&excluded);
    double y_excl = y_assessed + h_assessed + 16;
    double y_rand = y_excl + h_excl + 16;
    double h_rand = box_height(&randomised);
    double y_stage2 = y_rand + h_rand + 16;
    double y_alloc = y_stage2 + 32;
    double y_stage3 = y_alloc + ha + 16;
    double y_follow = y_stage3 + 32;
    double y_stage4 = y_follow + hf + 16;
    double y_anal = y_stage4 + 32;
    double H = y_anal + hn + 12;
    lt_buf b = LT_BUF_INIT;
    lt_buf_printf(&b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                  "viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\" "
                  "font-size=\"11\">\n<title>CONSORT 2010 flow diagram</title>\n"
                  "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
                  "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\"/>"
                  "</marker></defs>\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                  W, H, W, H);
    stage(&b, "Enrolment", y_stage1, W);
    double cx = ax + topw / 2, ex = ax + topw + 40;
    box_draw(&b, &assessed, ax, y_assessed, topw, h_assessed);
    box_draw(&b, &excluded, ex, y_excl, exw, h_excl);
    box_draw(&b, &randomised, ax, y_rand, topw, h_rand);
    arrow(&b, cx, y_assessed + h_assessed, cx, y_rand);
    arrow(&b, cx, y_excl + h_excl / 2, ex, y_excl + h_excl / 2);
    stage(&b, "Allocation", y_stage2, W);
    stage(&b, "Follow-up", y_stage3, W);
    stage(&b, "Analysis", y_stage4, W);
    double x0 = (W - ((double)ng * colw + (double)(ng - 1) * gap)) / 2;
    /* from randomised down to a bar over the columns, then one arrow into each column */
    double ybar = y_stage2 - 6;
    arrow(&b, cx, y_rand + h_rand, cx, ybar);
    double c0 = x0 + colw / 2, cn = x0 + (double)(ng - 1) * (colw + gap) + colw / 2;
    if (ng > 1)
        lt_buf_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
                      c0 < cx ? c0 : cx, ybar, cn > cx ? cn : cx, ybar);
    for (size_t g = 0; g < ng; g++) {
        double x = x0 + (double)g * (colw + gap), mid = x + colw / 2;
        if (ng > 1 || mid != cx)
            lt_buf_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
                          ng > 1 ? mid : cx, ybar, mid, ybar);
        arrow(&b, mid, ybar, mid, y_alloc);
        box_draw(&b, &alloc[g], x, y_alloc, colw, ha);
        arrow(&b, mid, y_alloc + ha, mid, y_follow);
        box_draw(&b, &follow[g], x, y_follow, colw, hf);
        arrow(&b, mid, y_follow + hf, mid, y_anal);
        box_draw(&b, &anal[g], x, y_anal, colw, hn);
    }
    lt_buf_puts(&b, "</svg>\n");
    if (lt_buf_failed(&b)) {
        lt_buf_free(&b);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory drawing the CONSORT diagram");
    }
    lt_buf_put(out, b.p, b.n);
    lt_buf_free(&b);
    return LT_OK;
}
