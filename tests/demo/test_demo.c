/* The demonstration's result, trial by trial (include/lutetia/demo.h): lt_demo_run picks the
 * trial by the protocol's id, and the result says which trial ran and what it did - for
 * NCT04544098 the 10 registered patients, both routes, the withheld-then-reduced cycle and the
 * proportions with exact intervals (checked against R's binom.test); for NET RETREAT both arms,
 * the everolimus records and the hazard ratio against the control arm; the members a trial
 * does not touch stay 0; the same seed gives the same result; an unknown trial is refused
 * before any file is made. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/demo.h"

static char dir[256];
static const char *src;

/* Runs one demo into dir/name.db (built on the RAM disk when there is one). */
static lt_status run(const char *protocol, const char *name, uint64_t seed, int patients,
                     lt_demo_result *r, lt_buf *rep, lt_error *err)
{
    char proto[512], db[512];
    snprintf(proto, sizeof proto, "%s/protocols/%s", src, protocol);
    snprintf(db, sizeof db, "%s/%s.db", dir, name);
    struct stat st;
    lt_demo_options o = {.seed = seed, .db = db, .protocol = proto, .patients = patients};
    if (stat("/dev/shm", &st) == 0 && access("/dev/shm", W_OK) == 0) o.scratch_dir = "/dev/shm";
    memset(r, 0, sizeof *r);
    return lt_demo_run(&o, rep, r, err);
}

/* R 4.x: binom.test(x, 10)$conf.int, x = 0..10 */
static const double r_ci[11][2] = {
    {0, 0.3084971},          {0.002528579, 0.4450161}, {0.02521073, 0.5560955},
    {0.06673951, 0.6524529}, {0.1215523, 0.7376219},   {0.187086, 0.812914},
    {0.2623781, 0.8784477},  {0.3475471, 0.9332605},   {0.4439045, 0.9747893},
    {0.5549839, 0.9974714},  {0.6915029, 1},
};

static void check_ci(const lt_demo_proportion *p, const char *what)
{
    CHECK_MSG(p->n == 10, "%s: n = %ld", what, p->n);
    if (p->n != 10 || p->x < 0 || p->x > 10) return;
    CHECK_REL(p->estimate, p->x / 10.0, 1e-12);
    CHECK_ABS(p->lower, r_ci[p->x][0], 1e-6);
    CHECK_ABS(p->upper, r_ci[p->x][1], 1e-6);
}

static void test_nct(void)
{
    lt_demo_result r, again;
    lt_buf rep = LT_BUF_INIT, rep2 = LT_BUF_INIT;
    lt_error err;
    CHECK(run("nct04544098.json", "nct", 3, 0, &r, &rep, &err) == LT_OK);
    CHECK_STR(r.trial, "nct04544098");
    CHECK_INT(r.randomised, 10);
    CHECK_INT(r.per_arm[0], 10);
    CHECK_INT(r.per_arm[1], 0);
    CHECK_INT(r.screened, r.randomised + r.failed + r.needs_review);
    CHECK_INT(r.needs_review, 0);
    /* 4 cycles but for the patient stopping before cycle 4; 1-2 intra-arterial */
    CHECK_INT(r.administrations, 39);
    CHECK_INT(r.intra_arterial, 20);
    CHECK_INT(r.withheld, 1);
    CHECK_INT(r.reductions, 1);
    CHECK(r.progressions >= 1);
    CHECK(r.tumour_assessments >= 10 * 3);
    check_ci(&r.tox_g3, "TOX_G3");
    check_ci(&r.completed, "COMPLETED_4");
    check_ci(&r.response, "ORR");
    check_ci(&r.confirmed_response, "ORR_CONFIRMED");
    /* a confirmed response is a response; the demo's responders are scanned every 12 weeks
     * after shrinking, so at least one is confirmed */
    CHECK(r.confirmed_response.x <= r.response.x && r.confirmed_response.x >= 1);
    CHECK_INT(r.confirmed_response.n, r.response.n);
    CHECK_INT(r.completed.x, 9);
    CHECK(r.tox_g3.x >= 1); /* the grade 3 platelets at least */
    /* what NELMAS and NET RETREAT report stays 0 */
    CHECK_INT(r.recurrences, 0);
    CHECK_INT(r.dispensings, 0);
    CHECK(r.hr == 0 && r.dfs36[0] == 0);
    CHECK(r.audit_records > 0);
    /* the report says it as the result does */
    char line[128];
    snprintf(line, sizeof line, "%-13s %ld of %ld = %.1f%%", "COMPLETED_4", r.completed.x,
             r.completed.n, 100 * r.completed.estimate);
    CHECK_MSG(strstr(lt_buf_str(&rep), line) != NULL, "report lacks '%s'", line);
    snprintf(line, sizeof line, "Treatment: %d administrations (%d intra-arterial, %d intravenous)",
             r.administrations, r.intra_arterial, r.administrations - r.intra_arterial);
    CHECK_MSG(strstr(lt_buf_str(&rep), line) != NULL, "report lacks '%s'", line);
    /* the same seed, the same trial */
    CHECK(run("nct04544098.json", "nct-again", 3, 0, &again, &rep2, &err) == LT_OK);
    CHECK_INT(again.administrations, r.administrations);
    CHECK_REL(again.activity_mbq, r.activity_mbq, 1e-12);
    CHECK_INT(again.labs, r.labs);
    CHECK_INT(again.tox_g3.x, r.tox_g3.x);
    CHECK_INT(again.response.x, r.response.x);
    CHECK_INT(again.audit_records, r.audit_records);
    lt_buf_free(&rep);
    lt_buf_free(&rep2);
}

static void test_net_retreat(void)
{
    lt_demo_result r;
    lt_buf rep = LT_BUF_INIT;
    lt_error err;
    CHECK(run("net-retreat.json", "nrt", 7, 24, &r, &rep, &err) == LT_OK);
    CHECK_STR(r.trial, "net-retreat");
    CHECK_INT(r.randomised, 24);
    CHECK_INT(r.per_arm[0] + r.per_arm[1], 24);
    CHECK(r.per_arm[0] > 0 && r.per_arm[1] > 0);
    /* arm 1's cycles (two each at most), arm 2's bottles */
    CHECK(r.administrations > 0 && r.administrations <= 2 * r.per_arm[0]);
    CHECK_INT(r.intra_arterial, 0);
    CHECK(r.dispensings > r.per_arm[1]);
    CHECK(r.dfs_events > 0 && r.dfs_events <= 24);
    CHECK(r.hr > 0 && r.hr_lower < r.hr && r.hr < r.hr_upper);
    CHECK(r.cox_p > 0 && r.cox_p <= 1);
    CHECK(r.median[0] > 0 || isnan(r.median[0]));
    CHECK_INT(r.tox_g3.n, 0);
    CHECK_MSG(strstr(lt_buf_str(&rep), "hazard ratio 1 vs 2 ") != NULL,
              "the report's hazard ratio is not arm 1 against arm 2");
    lt_buf_free(&rep);
}

static void test_nelmas(void)
{
    lt_demo_result r;
    lt_error err;
    CHECK(run("nelmas.json", "nel", 7, 24, &r, NULL, &err) == LT_OK);
    CHECK_STR(r.trial, "nelmas");
    CHECK_INT(r.randomised, 24);
    /* seed 7 with 24 patients: every arm-A patient has an event before 36 months (DFS 0%) */
    CHECK(r.dfs36[0] >= 0 && r.dfs36[0] <= 1 && r.dfs36[1] > 0 && r.dfs36[1] <= 1);
    CHECK(r.dfs36[1] > r.dfs36[0]);
    CHECK_INT(r.tumour_assessments, 0);
    CHECK_INT(r.tox_g3.n, 0);
}

static void test_refused(void)
{
    /* a protocol of another trial: refused by its id, no database made */
    char other[512], db[512];
    snprintf(other, sizeof other, "%s/other.json", dir);
    char path[512];
    snprintf(path, sizeof path, "%s/protocols/nct04544098.json", src);
    char *text = NULL;
    size_t n = 0;
    lt_error err;
    CHECK(lt_file_read(path, &text, &n, &err) == LT_OK);
    char *id = text ? strstr(text, "\"id\": \"nct04544098\"") : NULL;
    CHECK(id != NULL);
    if (id) memcpy(id + 7, "xyz04544098", 11);
    CHECK(text && lt_file_write(other, text, n, &err) == LT_OK);
    free(text);
    snprintf(db, sizeof db, "%s/other.db", dir);
    lt_demo_options o = {.seed = 1, .db = db, .protocol = other};
    lt_demo_result r;
    CHECK(lt_demo_run(&o, NULL, &r, &err) == LT_EUNSUPPORTED);
    CHECK(strstr(err.message, "found id 'xyz04544098'") != NULL);
    struct stat st;
    CHECK(stat(db, &st) != 0);
}

int main(void)
{
    src = getenv("SRC");
    if (!src) {
        printf("SRC not set\n");
        return 1;
    }
    snprintf(dir, sizeof dir, "/tmp/lt-test-demo-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    test_nct();
    test_net_retreat();
    test_nelmas();
    test_refused();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
    return lt_test_done();
}
