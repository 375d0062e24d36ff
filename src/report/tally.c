/* Counting tables for the report: labels in the order first seen, one number per group, and
 * their one JSON shape; and the text escaping every renderer of the module uses. */
#include <stdlib.h>
#include <string.h>
#include "report_int.h"

/* Okabe & Ito's colour-blind-safe palette, as the Kaplan-Meier plot uses. */
const char *const lt__palette[8] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};

void lt__tally_init(lt__tally *t, size_t ngroups)
{
    memset(t, 0, sizeof *t);
    t->ngroups = ngroups ? ngroups : 1;
}

void lt__tally_free(lt__tally *t)
{
    for (size_t i = 0; i < t->nrows; i++) free(t->label[i]);
    free(t->label);
    free(t->v);
    memset(t, 0, sizeof *t);
}

double *lt__tally_row(lt__tally *t, const char *label)
{
    if (t->failed) return NULL;
    for (size_t i = 0; i < t->nrows; i++)
        if (!strcmp(t->label[i], label)) return t->v + i * t->ngroups;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        char **l = realloc(t->label, cap * sizeof *l);
        if (l) t->label = l;
        double *v = l ? realloc(t->v, cap * t->ngroups * sizeof *v) : NULL;
        if (!v) {
            t->failed = 1;
            return NULL;
        }
        t->v = v;
        t->cap = cap;
    }
    char *s = strdup(label);
    if (!s) {
        t->failed = 1;
        return NULL;
    }
    t->label[t->nrows] = s;
    double *row = t->v + t->nrows * t->ngroups;
    for (size_t g = 0; g < t->ngroups; g++) row[g] = 0;
    t->nrows++;
    return row;
}

void lt__tally_add(lt__tally *t, const char *label, int group, double k)
{
    double *row = lt__tally_row(t, label);
    if (row && group >= 0 && (size_t)group < t->ngroups) row[group] += k;
}

void lt__tally_set(lt__tally *t, const char *label, int group, double k)
{
    double *row = lt__tally_row(t, label);
    if (row && group >= 0 && (size_t)group < t->ngroups) row[group] = k;
}

/* Rows from `from` on put in the order of their labels (a table's sites, a factor's levels),
 * each keeping its numbers: an insertion sort, the rows being few. */
void lt__tally_sort(lt__tally *t, size_t from)
{
    for (size_t i = from + 1; i < t->nrows; i++)
        for (size_t j = i; j > from && strcmp(t->label[j - 1], t->label[j]) > 0; j--) {
            char *l = t->label[j];
            t->label[j] = t->label[j - 1];
            t->label[j - 1] = l;
            double *a = t->v + (j - 1) * t->ngroups, *b = t->v + j * t->ngroups;
            for (size_t g = 0; g < t->ngroups; g++) {
                double x = a[g];
                a[g] = b[g];
                b[g] = x;
            }
        }
}

void lt__table_json(lt_buf *b, const lt__tally *t, const char *id, const char *title,
                    const char *source, const char *unit, const char *const *columns,
                    const double *denominators)
{
    lt_buf_puts(b, "{\"id\":");
    lt_buf_json_str(b, id);
    lt_buf_puts(b, ",\"title\":");
    lt_buf_json_str(b, title);
    lt_buf_puts(b, ",\"source\":");
    lt_buf_json_str(b, source);
    lt_buf_puts(b, ",\"unit\":");
    lt_buf_json_str(b, unit);
    lt_buf_puts(b, ",\"columns\":[");
    for (size_t g = 0; g < t->ngroups; g++) {
        lt_buf_puts(b, g ? "," : "");
        lt_buf_json_str(b, columns[g]);
    }
    lt_buf_puts(b, "],\"denominators\":");
    if (denominators) {
        lt_buf_putc(b, '[');
        for (size_t g = 0; g < t->ngroups; g++) {
            lt_buf_puts(b, g ? "," : "");
            lt_buf_json_num(b, denominators[g]);
        }
        lt_buf_putc(b, ']');
    } else {
        lt_buf_puts(b, "null");
    }
    lt_buf_puts(b, ",\"rows\":[");
    for (size_t i = 0; i < t->nrows; i++) {
        lt_buf_puts(b, i ? ",{\"label\":" : "{\"label\":");
        lt_buf_json_str(b, t->label[i]);
        lt_buf_puts(b, ",\"values\":[");
        for (size_t g = 0; g < t->ngroups; g++) {
            lt_buf_puts(b, g ? "," : "");
            lt_buf_json_num(b, t->v[i * t->ngroups + g]);
        }
        lt_buf_puts(b, "]}");
    }
    lt_buf_puts(b, "]}");
}

void lt__xml_text(lt_buf *b, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&': lt_buf_puts(b, "&amp;"); break;
        case '<': lt_buf_puts(b, "&lt;"); break;
        case '>': lt_buf_puts(b, "&gt;"); break;
        case '"': lt_buf_puts(b, "&quot;"); break;
        default: lt_buf_putc(b, *s);
        }
}
