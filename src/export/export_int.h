/* Inside the export module: a dataset of typed columns, written as CSV and as SAS transport
 * version 5 (dataset.c), for the SDTM and ADaM domains (sdtm.c). */
#ifndef LUTETIA_EXPORT_INT_H
#define LUTETIA_EXPORT_INT_H

#include <stdbool.h>
#include "lutetia/buf.h"
#include "lutetia/date.h"
#include "lutetia/status.h"

typedef struct lt__ds_var {
    const char *name;  /* <= 8 characters, upper case */
    const char *label; /* <= 40 characters */
    bool numeric;      /* else text */
} lt__ds_var;

typedef struct lt__dataset {
    const char *name, *label; /* "DM", "Demographics" */
    const lt__ds_var *vars;
    size_t nvars;
    char **text;  /* nrows x nvars; NULL: empty */
    double *num;  /* nrows x nvars; NAN: missing */
    size_t nrows, cap;
    bool failed;  /* out of memory, or a variable the table does not have */
} lt__dataset;

lt__dataset *lt__ds_new(const char *name, const char *label, const lt__ds_var *vars,
                        size_t nvars);
void lt__ds_free(lt__dataset *d);
/* Starts a new row (every cell missing); then set its cells by variable name. */
bool lt__ds_row(lt__dataset *d);
void lt__ds_str(lt__dataset *d, const char *var, const char *value);
void lt__ds_num(lt__dataset *d, const char *var, double value);
/* LT_OK, or why the dataset cannot be written (names, labels, a text over 200 characters). */
lt_status lt__ds_check(const lt__dataset *d, lt_error *err);
void lt__ds_csv(const lt__dataset *d, lt_buf *out);
lt_status lt__ds_xpt(const lt__dataset *d, lt_time created, lt_buf *out, lt_error *err);

#endif
