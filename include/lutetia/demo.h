/* The whole-trial demonstration: a fresh NELMAS trial in a new SQLite file, driven through the
 * same library calls the command-line verbs make (trial, sites, users, enrolment with
 * screening, consent, confirmation, randomisation, recording of doses, labs, adverse events,
 * visits and outcomes), then endpoint derivation, Kaplan-Meier, log-rank and Cox for DFS and
 * verification of the audit trail. Everything random comes from one seeded generator, so a
 * seed gives the same trial and the same report every time. */
#ifndef LUTETIA_DEMO_H
#define LUTETIA_DEMO_H

#include <stdint.h>
#include "buf.h"
#include "date.h"
#include "status.h"

typedef struct lt_demo_options {
    uint64_t seed;
    const char *db;       /* the trial database to create (must not exist) */
    const char *protocol; /* the NELMAS protocol file */
    const char *out_dir;  /* where dfs.csv, km-dfs.svg, outcomes.json and a calendar (.ics)
                             go; NULL: nothing written besides the database */
    int patients;         /* patients to randomise; 0: the protocol's design (106) */
    const char *scratch_dir; /* NULL: build the trial at db directly. Otherwise build it in this
                                folder (a RAM disk such as /dev/shm: each of the demo's ~6,000
                                commits otherwise waits for a disk sync) and copy the finished
                                file to db, whose audit trail is then verified */
    const char *key_file; /* the seed's key file to create; NULL: DB.key beside db */
    const char *os_user;  /* the OS account every demo user is bound to (peer authentication
                             on the command line); NULL: none */
} lt_demo_options;

/* What the run found, for the report and for tests. */
typedef struct lt_demo_result {
    int screened, randomised, failed, needs_review;
    int per_arm[2];       /* A (standard of care), B (177Lu-DOTATATE) */
    int administrations, reductions, withheld, acknowledged;
    double activity_mbq;  /* total administered */
    int labs, toxic_labs, adverse_events, visits, deviations;
    int recurrences, deaths, dfs_events;
    double logrank_chisq, logrank_p;
    double hr, hr_lower, hr_upper, cox_p;
    double dfs36[2];      /* Kaplan-Meier DFS at 36 months per arm */
    int64_t audit_records;
} lt_demo_result;

/* Runs the demonstration. report (may be NULL) receives a short text report; *result (may be
 * NULL) the figures. The library prints nothing. */
LT_API lt_status lt_demo_run(const lt_demo_options *o, lt_buf *report, lt_demo_result *result,
                             lt_error *err);

#endif
