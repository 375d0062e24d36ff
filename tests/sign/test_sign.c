/* Electronic signatures below the command line (src/sign, docs/part11.md):
 * - the binding (21 CFR 11.70) as a seeded property over many random histories of writes and
 *   signatures on a real store: a signature of a record is valid iff that record was not
 *   written after it; of a casebook, iff no record of that patient was (other patients'
 *   records and signatures themselves do not count);
 * - re-authentication for a signature (11.200, 11.300(d)) at exact instants: a wrong password
 *   counts toward the sign-in lock-out, a locked account cannot sign until the lock ends;
 * - the data lock: the store refuses every kind its lock does not list as open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"
#include "sign_int.h"

#define PW "trustworthy-horse-42"
#define T0 1800000000 /* 2027-01-15, the clock of the lock-out checks */

static char dir[] = "/tmp/lt-sign-XXXXXX";

static const lt_actor who = {"inv1", "investigator"};

static lt_status put(lt_store *st, const char *kind, const char *id, const char *patient,
                     const char *data, lt_error *err)
{
    lt_record *old = NULL;
    int64_t rev = 0;
    if (lt_store_get(st, kind, id, &old, NULL) == LT_OK) rev = old->rev;
    lt_record_free(old);
    lt_record r = {.kind = kind, .id = id, .site = "S1", .patient = patient, .data = data};
    lt_status rc = lt_store_begin(st, err);
    if (rc == LT_OK) rc = lt_store_put(st, &r, rev, &who, "test.write", "", NULL, err);
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    return rc;
}

/* A signature document as lt_sign writes it, reduced to what lt_sign_check reads. */
static void sig_doc(const lt__binding *b, char *out, size_t n)
{
    snprintf(out, n, "{\"record\":{\"kind\":\"%s\",\"id\":\"%s\",\"seq\":%lld,\"sha256\":\"%s\"}}",
             b->kind, b->id, (long long)b->seq, b->sha256);
}

/* xorshift64*: the histories are the same on every run */
static uint64_t rng = 0x9e3779b97f4a7c15u;
static unsigned draw(unsigned n)
{
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return (unsigned)((rng * 2685821657736338717u) >> 33) % n;
}

#define NREC 3
#define STEPS 40
#define MAXSIG STEPS

/* One random history on a fresh store: records P1/A1..A3 (patient P1) and Q1/A1 (patient Q1).
 * Each step writes one of P1's records (the same content again or another: both are writes),
 * writes Q1's record, writes a signature record, signs one of P1's records, or signs P1's
 * casebook; at a few random steps and at the end every signature is checked against the
 * model. Returns the number of disagreements; *nvalid and *ninvalid count the outcomes seen. */
static int history(int h, int *nvalid, int *ninvalid)
{
    char db[300];
    snprintf(db, sizeof db, "%s/h%d.db", dir, h);
    lt_store *st = NULL;
    lt_error err;
    if (lt_store_open(db, LT_STORE_CREATE, &st, &err) != LT_OK) {
        printf("history %d: %s\n", h, err.message);
        return 1;
    }
    static const char *const ids[NREC] = {"P1/A1", "P1/A2", "P1/A3"};
    int last_write[NREC] = {0}, last_patient = 0;
    struct {
        char doc[400];
        int target; /* record index, or -1: the casebook */
        int at;
    } sig[MAXSIG];
    int nsig = 0, bad = 0;
    for (int k = 0; k < NREC; k++) put(st, "adverse_event", ids[k], "P1", "{\"grade\":1}", NULL);
    put(st, "adverse_event", "Q1/A1", "Q1", "{\"grade\":1}", NULL);
    for (int step = 1; step <= STEPS; step++) {
        unsigned what = draw(10), k = draw(NREC);
        char data[64];
        if (what < 4) {
            snprintf(data, sizeof data, "{\"grade\":%u}", 1 + draw(2));
            if (put(st, "adverse_event", ids[k], "P1", data, &err) != LT_OK)
                printf("write: %s\n", err.message), bad++;
            last_write[k] = last_patient = step;
        } else if (what == 4) {
            snprintf(data, sizeof data, "{\"grade\":%u}", 1 + draw(3));
            put(st, "adverse_event", "Q1/A1", "Q1", data, NULL);
        } else if (what == 5) {
            snprintf(data, sizeof data, "S%03d", step);
            put(st, LT__K_SIGNATURE, data, "P1", "{}", NULL);
        } else {
            lt__binding b;
            bool book = what == 9;
            lt_status rc = book ? lt__bind_casebook(st, "P1", &b, &err)
                                : lt__bind_record(st, "adverse_event", ids[k], &b, &err);
            if (rc != LT_OK) {
                printf("bind: %s\n", err.message);
                bad++;
                continue;
            }
            sig_doc(&b, sig[nsig].doc, sizeof sig[nsig].doc);
            sig[nsig].target = book ? -1 : (int)k;
            sig[nsig].at = step;
            nsig++;
        }
        if (step == STEPS || draw(8) == 0) {
            for (int s = 0; s < nsig; s++) {
                bool valid = false;
                int last = sig[s].target < 0 ? last_patient : last_write[sig[s].target];
                bool want = last < sig[s].at;
                if (lt_sign_check(st, sig[s].doc, &valid, &err) != LT_OK) {
                    printf("check: %s\n", err.message);
                    bad++;
                } else if (valid != want) {
                    printf("history %d step %d: signature of %s made at step %d, last change "
                           "at %d: %s, expected %s\n", h, step,
                           sig[s].target < 0 ? "the casebook" : ids[sig[s].target], sig[s].at,
                           last, valid ? "valid" : "invalidated", want ? "valid" : "invalidated");
                    bad++;
                }
                if (step == STEPS) *(valid ? nvalid : ninvalid) += 1;
            }
        }
    }
    lt_store_close(st);
    lt_store_remove_files(db);
    return bad;
}

static void test_binding_property(void)
{
    int bad = 0, valid = 0, invalid = 0;
    for (int h = 0; h < 60; h++) bad += history(h, &valid, &invalid);
    CHECK_MSG(bad == 0, "%d signatures disagree with the model", bad);
    /* both outcomes occur often, or the property would not be telling anything */
    CHECK_MSG(valid > 50 && invalid > 50, "valid %d, invalidated %d", valid, invalid);
}

/* A signature copied onto another record, or naming content it did not sign, does not hold. */
static void test_binding_cases(void)
{
    char db[300];
    snprintf(db, sizeof db, "%s/cases.db", dir);
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_OK);
    CHECK(put(st, "adverse_event", "P1/A1", "P1", "{\"grade\":1}", &err) == LT_OK);
    CHECK(put(st, "adverse_event", "P1/A2", "P1", "{\"grade\":1}", &err) == LT_OK);
    lt__binding b, c;
    char doc[400];
    bool valid = false;
    CHECK(lt__bind_record(st, "adverse_event", "P1/A1", &b, &err) == LT_OK);
    sig_doc(&b, doc, sizeof doc);
    CHECK(lt_sign_check(st, doc, &valid, &err) == LT_OK && valid);
    /* the same content under another id hashes differently: a copy does not hold */
    c = b;
    snprintf(c.id, sizeof c.id, "P1/A2");
    sig_doc(&c, doc, sizeof doc);
    CHECK(lt_sign_check(st, doc, &valid, &err) == LT_OK && !valid);
    /* the right place, a forged hash */
    c = b;
    c.sha256[0] = c.sha256[0] == '0' ? '1' : '0';
    sig_doc(&c, doc, sizeof doc);
    CHECK(lt_sign_check(st, doc, &valid, &err) == LT_OK && !valid);
    /* a record that does not exist: not valid, and not an error */
    snprintf(c.id, sizeof c.id, "P1/A9");
    sig_doc(&c, doc, sizeof doc);
    CHECK(lt_sign_check(st, doc, &valid, &err) == LT_OK && !valid);
    /* a document naming nothing */
    CHECK(lt_sign_check(st, "{}", &valid, &err) == LT_ECORRUPT);
    CHECK(lt_sign_check(st, "{", &valid, &err) != LT_OK);
    /* a casebook of a patient with nothing recorded cannot be bound */
    CHECK(lt__bind_casebook(st, "Z9", &b, &err) == LT_ENOTFOUND);
    lt_store_close(st);
    lt_store_remove_files(db);
}

/* The store refuses, once locked, every kind the lock does not list as open. */
static void test_lock(void)
{
    char db[300];
    snprintf(db, sizeof db, "%s/lock.db", dir);
    lt_store *st = NULL;
    lt_error err;
    CHECK(lt_store_open(db, LT_STORE_CREATE, &st, &err) == LT_OK);
    CHECK(put(st, "lab", "P1/L1", "P1", "{\"v\":1}", &err) == LT_OK);
    bool locked = true;
    CHECK(lt_sign_locked(st, &locked, NULL, &err) == LT_OK && !locked);
    /* a lock record that says it is not locked freezes nothing */
    CHECK(put(st, LT__K_LOCK, "trial", NULL, "{\"locked\":false}", &err) == LT_OK);
    CHECK(put(st, "lab", "P1/L1", "P1", "{\"v\":2}", &err) == LT_OK);
    CHECK(put(st, LT__K_LOCK, "trial", NULL,
              "{\"locked\":true,\"signature\":\"S000001\",\"locked_at\":\"2027-01-15T08:00:00Z\","
              "\"locked_by\":\"Stan Tistician\",\"open_kinds\":[\"session\",\"login\"]}",
              &err) == LT_OK);
    lt_buf d = LT_BUF_INIT;
    CHECK(lt_sign_locked(st, &locked, &d, &err) == LT_OK && locked);
    CHECK(strstr(lt_buf_str(&d), "by Stan Tistician (signature S000001)") != NULL);
    lt_buf_free(&d);
    CHECK(put(st, "lab", "P1/L1", "P1", "{\"v\":3}", &err) == LT_ESTATE);
    CHECK(strstr(err.message, "lab records can no longer be changed") != NULL);
    CHECK(put(st, "lab", "P1/L2", "P1", "{\"v\":3}", &err) == LT_ESTATE);
    CHECK(put(st, LT__K_LOCK, "trial", NULL, "{\"locked\":false}", &err) == LT_ESTATE);
    CHECK(put(st, "session", "abc", NULL, "{}", &err) == LT_OK);
    CHECK(put(st, "login", "inv1", NULL, "{}", &err) == LT_OK);
    /* the refused writes left nothing: the chain verifies and the lab is at its last value */
    int64_t n = 0;
    CHECK(lt_store_audit_verify(st, &n, NULL, &err) == LT_OK);
    lt_record *r = NULL;
    CHECK(lt_store_get(st, "lab", "P1/L1", &r, &err) == LT_OK && !strcmp(r->data, "{\"v\":2}"));
    lt_record_free(r);
    lt_store_close(st);
    lt_store_remove_files(db);
}

/* Re-authentication at exact instants: 5 wrong passwords lock the account for 900 s; while
 * locked even the right password fails; afterwards it signs again. A wrong password at signing
 * is counted on the same "login" record as a failed sign-in. */
static void test_reauthenticate(void)
{
    char db[300], protocol[512];
    snprintf(db, sizeof db, "%s/auth.db", dir);
    snprintf(protocol, sizeof protocol, "%s/protocols/nelmas.json", getenv("SRC") ? getenv("SRC") : ".");
    lt_error err;
    lt_trial *t = NULL;
    const char *s1[] = {"S1"};
    CHECK(lt_trial_create(db, protocol, NULL, "admin", &err) == LT_OK);
    CHECK(lt_trial_open(db, "admin", &t, &err) == LT_OK);
    CHECK(lt_trial_site_add(t, "S1", "One", &err) == LT_OK);
    CHECK(lt_trial_user_add(t, "inv1", LT_ROLE_INVESTIGATOR, s1, 1, &err) == LT_OK);
    CHECK(lt_auth_password_set(t, "inv1", PW, &err) == LT_OK);
    /* full names: the admin's to set; a change needs a reason */
    CHECK(lt_trial_user_set_full_name(t, "inv1", "Ada Lovelace", NULL, &err) == LT_OK);
    CHECK(lt_trial_user_set_full_name(t, "inv1", "Ada King", NULL, &err) == LT_EINVAL);
    CHECK(lt_trial_user_set_full_name(t, "inv1", "Ada King", "married name", &err) == LT_OK);
    CHECK(lt_trial_user_set_full_name(t, "inv1", "Ada King", "again", &err) == LT_ECONFLICT);
    CHECK(lt_trial_user_set_full_name(t, "inv1", "Ada\nKing", "x", &err) == LT_EINVAL);
    CHECK(lt_trial_user_set_full_name(t, "nobody", "No Body", NULL, &err) == LT_ENOTFOUND);
    lt_store *st = lt_trial_store(t);
    lt_auth_policy p;
    lt_auth_policy_default(&p);
    int failures = 0;
    CHECK(lt_auth_reauthenticate(st, "inv1", PW, &p, T0, &failures, &err) == LT_OK);
    for (int i = 1; i <= p.max_failures; i++) {
        CHECK(lt_auth_reauthenticate(st, "inv1", "wrong-horse-4242", &p, T0 + i, &failures,
                                     &err) == LT_EPERM);
        CHECK_INT(failures, i);
    }
    CHECK(lt_auth_reauthenticate(st, "inv1", PW, &p, T0 + 10, NULL, &err) == LT_EPERM);
    CHECK(strstr(err.message, "locked") != NULL);
    /* the lock is the sign-in's too */
    lt_auth_session ses;
    CHECK(lt_auth_login(st, "inv1", PW, &p, T0 + 20, &ses, NULL, &err) == LT_EPERM);
    CHECK(lt_auth_reauthenticate(st, "inv1", PW, &p, T0 + p.max_failures + p.lock_seconds + 1,
                                 NULL, &err) == LT_OK);
    CHECK(lt_auth_reauthenticate(st, "inv1", NULL, &p, T0 + 2000, &failures, &err) == LT_EPERM);
    CHECK(lt_auth_reauthenticate(st, "ghost", PW, &p, T0 + 2000, NULL, &err) == LT_EPERM);
    lt_trial_close(t);
    lt_store_remove_files(db);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_binding_cases();
    test_binding_property();
    test_lock();
    test_reauthenticate();
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
    return lt_test_done();
}
