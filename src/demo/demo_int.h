/* Inside the demonstration: what every trial's demo shares (src/demo/common.c) - the seeded
 * generator, the trial with its sites and users, one handle per role and site, enrolment
 * through screening to allocation, a laboratory panel, an administration on a route, and the
 * files written beside the database - so that each trial's module (nelmas.c, nct04544098.c,
 * net_retreat.c) holds only what its protocol does. */
#ifndef LUTETIA_DEMO_INT_H
#define LUTETIA_DEMO_INT_H

#include <gsl/gsl_rng.h>
#include "lutetia/conduct.h"
#include "lutetia/demo.h"
#include "lutetia/stats.h"
#include "lutetia/trial.h"

#define LT__DEMO_MAX_SITES 4
#define LT__DEMO_MAX_FAILS 64

/* One role's handle on the trial at one site. */
typedef struct lt__demo_actor {
    lt_trial *t;
    lt_conduct *c;
} lt__demo_actor;

typedef struct lt__demo {
    const lt_demo_options *o;
    const char *work_db;  /* where the trial is built: o->db, or a scratch copy (demo.h) */
    const char *key_file; /* the seed's key: o->key_file, or beside o->db */
    gsl_rng *rng;         /* the one generator every random choice of the run comes from */
    char arm_ids[2][16];  /* the protocol's arms in file order (one for a single-arm trial) */
    int narms;
    int control; /* index of the reference arm of every comparison (the control arm:
                    lt_protocol_reference_arm) */
    int nsites;
    const char *const *site_codes;
    lt__demo_actor coord[LT__DEMO_MAX_SITES], inv[LT__DEMO_MAX_SITES], nm[LT__DEMO_MAX_SITES];
    lt__demo_actor stat;
    lt_demo_result r;
    lt_buf files; /* the report's closing line: what the module wrote to out_dir */
    /* criteria that failed at screening, in the order first seen, with their counts */
    char fail_ids[LT__DEMO_MAX_FAILS][16];
    int fail_counts[LT__DEMO_MAX_FAILS];
    int nfail_ids;
} lt__demo;

/* Uniform on [a, b); whole number in a..b inclusive. */
double lt__demo_unif(lt__demo *d, double a, double b);
int lt__demo_int(lt__demo *d, int a, int b);
/* An instant on day at h:m (UTC). */
lt_time lt__demo_at(lt_date day, int h, int m);

/* Creates the trial at d->work_db (the randomisation seed hashed from the demo's seed), adds
 * the sites and the users - coord-, inv- and nm- per site, statistician and monitor, all bound
 * to o->os_user - and opens every role's handle. */
lt_status lt__demo_setup(lt__demo *d, const char *const *codes, const char *const *names,
                         int nsites, lt_error *err);
void lt__demo_close(lt__demo *d);

/* Screens the native patient file (docs/patient-format.md) in json at the site on day screen;
 * an eligible patient consents (form form_version), is confirmed by the site's investigator
 * and randomised (registered in a single-arm trial) that day. arm gets the arm id, or "" when
 * the patient was not allocated. Counts screened, failed (with the failing criteria),
 * needs_review, randomised and per_arm. */
lt_status lt__demo_enrol(lt__demo *d, int site, const char *id, const lt_buf *json, lt_date screen,
                         const char *form_version, char arm[16], lt_error *err);
/* Index of an arm id among d->arm_ids (0 when unknown). */
int lt__demo_arm_index(const lt__demo *d, const char *arm);

/* One laboratory result of a panel. */
typedef struct lt__demo_lab {
    const char *analyte, *unit;
    double value, lln, uln;
} lt__demo_lab;

/* Records the panel as the site's coordinator on day on; counts labs and toxic_labs; *worst
 * (may be NULL) gets the highest CTCAE grade of the panel. */
lt_status lt__demo_labs(lt__demo *d, int site, const char *patient, lt_date on,
                        const lt__demo_lab *labs, size_t n, int *worst, lt_error *err);

/* The investigator's dose decision for a cycle from the stored history. */
lt_status lt__demo_decide(lt__demo *d, int site, const char *patient, int cycle, lt_date on,
                          lt_dosemod_decision *dec, lt_error *err);

/* Gives a cycle of Lu-177 by route as the site's nuclear-medicine physician: the vial calibrated
 * at noon the day before, the syringe measured at 08:30, the infusion 09:00-09:30, the residual
 * at 09:45, amino acids 08:15-13:00, the last long-acting somatostatin analogue 4-6 weeks
 * before (or 3 weeks with ssa_ack, the warning acknowledged with ssa_ack as the reason).
 * Counts administrations, activity_mbq and acknowledged. */
lt_status lt__demo_administer(lt__demo *d, int site, const char *patient, int cycle, lt_date day,
                              double prescribed_mbq, lt_route route, const char *ssa_ack,
                              lt_error *err);

/* An adverse event recorded by the site's coordinator (end LT_DATE_NONE: ongoing; its id to
 * id_out, which may be NULL); counts adverse_events. */
/* Prefixes err's place with the demo patient it happened to ("demo patient NEL-007: ..."). */
void lt__demo_blame(lt_error *err, const char *patient);

/* A Kaplan-Meier curve's label ("arm=1") with the arm's name: "arm=1 (PRRT retreatment)". */
const char *lt__demo_arm_label(const lt__demo *d, const char *label, char *buf, size_t n);

lt_status lt__demo_adverse_event(lt__demo *d, int site, const char *patient, const char *term,
                                 int grade, lt_relatedness related, lt_date start, lt_date end,
                                 char id_out[LT_CONDUCT_ID_MAX], lt_error *err);

/* Writes a file into o->out_dir (nothing without one). */
lt_status lt__demo_write_out(lt__demo *d, const char *name, const char *data, size_t n,
                             lt_error *err);

/* The report's "  failed criteria: E1 x3 ..." line (nothing when none failed). */
void lt__demo_report_failures(const lt__demo *d, lt_buf *rep);

/* A hazard ratio with the design's reference arm as reference, from the endpoint's dataset
 * (lt_conduct_endpoint's CSV, whose arm_<ID> column is the other arm's): Cox (Efron) on that
 * indicator. Fills r.hr,
 * r.hr_lower, r.hr_upper, r.cox_p, and r.logrank_chisq, r.logrank_p; *km (may be NULL) gets
 * the Kaplan-Meier fit by arm (lt_km_free). */
lt_status lt__demo_compare_arms(lt__demo *d, const char *endpoint, lt_date cutoff, lt_buf *csv,
                                lt_km **km, lt_error *err);

/* The trials' modules: each runs its whole trial on the set-up context, appends its report to
 * rep and names the files it wrote in d->files. */
lt_status lt__demo_nelmas(lt__demo *d, lt_buf *rep, lt_error *err);
lt_status lt__demo_nct04544098(lt__demo *d, lt_buf *rep, lt_error *err);
lt_status lt__demo_net_retreat(lt__demo *d, lt_buf *rep, lt_error *err);

#endif
