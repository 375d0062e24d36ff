/* The whole-trial demonstration: a fresh trial of the protocol given (NELMAS, NCT04544098 or
 * NET RETREAT, chosen by the protocol's id) in a new SQLite file, driven through the same
 * library calls the command-line verbs make (trial, sites, users, enrolment with screening,
 * consent, confirmation, randomisation or registration, recording of doses, labs, adverse
 * events, visits, tumour assessments and outcomes), then the protocol's endpoints and their
 * statistics, and verification of the audit trail. Everything random comes from one seeded
 * generator, so a seed gives the same trial and the same report every time. */
#ifndef LUTETIA_DEMO_H
#define LUTETIA_DEMO_H

#include <stdint.h>
#include "buf.h"
#include "date.h"
#include "status.h"

typedef struct lt_demo_options {
    uint64_t seed;
    const char *db;       /* the trial database to create (must not exist) */
    const char *protocol; /* the protocol file: its id ("nelmas", "nct04544098",
                             "net-retreat") chooses the trial's demonstration */
    const char *out_dir;  /* where dfs.csv, km-dfs.svg, outcomes.json and a calendar (.ics)
                             go; NULL: nothing written besides the database */
    int patients;         /* patients to allocate; 0: the protocol's design (NELMAS 106,
                             NCT04544098 10, NET RETREAT 88) */
    const char *scratch_dir; /* NULL: build the trial at db directly. Otherwise build it in this
                                folder (a RAM disk such as /dev/shm: each of the demo's ~6,000
                                commits otherwise waits for a disk sync) and copy the finished
                                file to db, whose audit trail is then verified */
    const char *key_file; /* the seed's key file to create; NULL: DB.key beside db */
    const char *os_user;  /* the OS account every demo user is bound to (peer authentication
                             on the command line); NULL: none */
} lt_demo_options;

/* An exact (Clopper-Pearson) 95% interval around x of n. */
typedef struct lt_demo_proportion {
    long x, n;
    double estimate, lower, upper;
} lt_demo_proportion;

/* What the run found, for the report and for tests. The members a trial's demo does not
 * touch stay 0. */
typedef struct lt_demo_result {
    char trial[32];       /* the protocol's id: "nelmas", "nct04544098", "net-retreat" */
    int screened, randomised, failed, needs_review; /* randomised: registered (single arm) */
    int per_arm[2];       /* in the protocol's arm order: NELMAS A, B; NET RETREAT 1, 2 */
    int administrations, reductions, withheld, acknowledged, discontinued;
    int intra_arterial;   /* administrations by the intra-arterial route */
    double activity_mbq;  /* total administered */
    int labs, toxic_labs, adverse_events, visits, deviations;
    int recurrences, progressions, deaths, dfs_events; /* dfs_events: the primary time-to-event
                                                          endpoint's events (DFS or PFS) */
    int tumour_assessments;
    int dispensings, dose_changes, interruptions; /* NET RETREAT's everolimus (oral drug) */
    double logrank_chisq, logrank_p;
    double hr, hr_lower, hr_upper, cox_p; /* experimental vs the design's reference arm */
    double dfs36[2];      /* NELMAS: Kaplan-Meier DFS at 36 months per arm */
    double median[2];     /* NET RETREAT: Kaplan-Meier median PFS (months) per arm; NAN when
                             not reached */
    lt_demo_proportion tox_g3, completed, response, /* NCT04544098's proportion endpoints */
        confirmed_response; /* ORR with RECIST 1.1's confirmation >= 28 days later */
    int64_t audit_records;
} lt_demo_result;

/* Runs the demonstration. report (may be NULL) receives a short text report; *result (may be
 * NULL) the figures. The library prints nothing. */
LT_API lt_status lt_demo_run(const lt_demo_options *o, lt_buf *report, lt_demo_result *result,
                             lt_error *err);

#endif
