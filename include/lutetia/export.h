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

#endif
