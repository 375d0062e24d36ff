/* What the report module's files share: counting tables (rows of labels by group, in the
 * order first seen), text escaping for HTML and SVG, and the palette. Internal (lt__ names). */
#ifndef LUTETIA_REPORT_INT_H
#define LUTETIA_REPORT_INT_H

#include <stddef.h>
#include "lutetia/buf.h"
#include "lutetia/json.h"
#include "lutetia/report.h"

/* A table of numbers: one row per label, one column per group. Appends after an allocation
 * failure do nothing and set failed, as lt_buf does. */
typedef struct lt__tally {
    size_t ngroups, nrows, cap;
    char **label;
    double *v; /* [nrows * ngroups] */
    int failed;
} lt__tally;

void lt__tally_init(lt__tally *t, size_t ngroups);
void lt__tally_free(lt__tally *t);
/* The row of label (added, zeroed, when new), or NULL after an allocation failure. */
double *lt__tally_row(lt__tally *t, const char *label);
void lt__tally_add(lt__tally *t, const char *label, int group, double k);
void lt__tally_set(lt__tally *t, const char *label, int group, double k);
void lt__tally_sort(lt__tally *t, size_t from);

/* {"id","title","source","unit","columns":[...],"denominators":[...]|null,
 *  "rows":[{"label","values":[...]}]}: the one table shape the HTML renders. unit is "n"
 * (counts, shown with a percentage of the column's denominator when there is one) or a unit
 * of measure. */
void lt__table_json(lt_buf *b, const lt__tally *t, const char *id, const char *title,
                    const char *source, const char *unit, const char *const *columns,
                    const double *denominators);

/* &, <, >, " escaped for HTML and SVG text and attributes. */
void lt__xml_text(lt_buf *b, const char *s);

extern const char *const lt__palette[8];

#endif
