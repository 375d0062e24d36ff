/* Exports of a trial's data in the standards sponsors and regulators read. */
#ifndef LUTETIA_EXPORT_H
#define LUTETIA_EXPORT_H

#include "lutetia/buf.h"
#include "lutetia/date.h"
#include "lutetia/trial.h"

typedef struct lt_export_odm_options {
    lt_time created; /* CreationDateTime; 0: now */
} lt_export_odm_options;

/* CDISC ODM 1.3.2, a Snapshot of the whole trial as the user may see it (their sites): the
 * study's metadata (one study event per calendar entry, one form per record kind, its items
 * the members the stored documents hold), the sites and users, and every patient's data with
 * the audit record of its current revision (user, site, UTC time, reason). The allocation
 * sequence is not exported. Roles: admin, monitor, statistician, unblinded statistician. */
LT_API lt_status lt_export_odm(lt_trial *t, const lt_export_odm_options *opt, lt_buf *out,
                               lt_error *err);

/* SDTM (TA, TE, TV, TI, TS, DM, DS, EX, AE, LB, VS, TU, TR, RS, QS, SV) and ADaM (ADSL,
 * ADTTE, ADAE, ADLB) datasets, each written to dir as NAME.csv
 * and NAME.xpt (SAS transport version 5): the patients randomised or registered at the user's
 * sites. summary (may be NULL) gets a line per dataset. Same roles as the ODM export. */
typedef struct lt_export_tab_options {
    const char *dir; /* an existing folder */
    bool sdtm, adam;
    lt_time created; /* the XPT headers' time stamp; 0: now */
    lt_date cutoff;  /* ADTTE's data cut; LT_DATE_NONE: none */
    /* ADTTE leaves out a patient whose endpoint origin is not recorded: notes (may be NULL)
     * gets a line for each, naming the date to record; *left_out (may be NULL) their count */
    lt_buf *notes;
    size_t *left_out;
} lt_export_tab_options;

LT_API lt_status lt_export_tabulations(lt_trial *t, const lt_export_tab_options *o,
                                       lt_buf *summary, lt_error *err);

#endif
