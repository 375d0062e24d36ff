/* Tests of the trial module through its C API: the permission table as data (every role against
 * every action), role, state and end-reason names, and one patient's enrolment in order with the
 * outputs left untouched when a step is refused. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"
#include <sodium.h>
#include "trial_int.h"

/* Who may do what: the table docs/store.md publishes, written out independently of
 * src/trial/roles.c. Rows: admin, coordinator, investigator, nuclear_medicine, statistician,
 * monitor, unblinded_statistician, safety_committee. Columns: administer, enrol, confirm, treat, read, audit,
 * replay, and after randomisation (docs/conduct.md): record, decide a dose, record an
 * administration; see the allocation sequence (block, position, size); export the data with its
 * audit records (docs/exports.md). Only the admin and the unblinded statistician see or replay
 * the sequence, and neither enrols (issue 8 §6). Then an oral drug: prescribe (start, dose,
 * interrupt, resume, stop: investigators) and dispense (tablets out and back: coordinators and
 * investigators). */
static const char *const expected[LT_ROLE_COUNT] = {
    "y...yyy...yy..", /* admin */
    ".y.yy..y.....y", /* coordinator */
    ".yyyy..yy...yy", /* investigator */
    "...yy...yy....", /* nuclear_medicine */
    "....y......y..", /* statistician */
    "....yy.....y..", /* monitor */
    "....y.y...yy..", /* unblinded_statistician */
    "....y.........", /* safety_committee: reads (its listings: tests/conduct) */
};

static void test_permissions(void)
{
    lt_trial t;
    memset(&t, 0, sizeof t);
    t.user = "someone";
    lt_error err;
    for (int r = 0; r < LT_ROLE_COUNT; r++) {
        t.role = (lt_role)r;
        for (int a = 0; a < LT_DO_COUNT; a++) {
            bool want = expected[r][a] == 'y';
            lt_status st = lt__trial_allow(&t, (lt__action)a, "do this", &err);
            CHECK_MSG((st == LT_OK) == want, "role %s, action %d: got %d", lt_role_name((lt_role)r), a, st);
            if (!want) CHECK(st == LT_EPERM && strstr(err.message, "cannot do this (allowed: "));
        }
    }
    /* sites */
    char *sites[] = {"S1", "S2"};
    t.sites = sites;
    t.nsites = 2;
    CHECK(lt__trial_site_ok(&t, "S2", &err) == LT_OK);
    CHECK(lt__trial_site_ok(&t, "S3", &err) == LT_EPERM);
    CHECK(strstr(err.message, "not bound to site 'S3'") != NULL);
    t.all_sites = true;
    CHECK(lt__trial_site_ok(&t, "S3", &err) == LT_OK);
}

static void test_names(void)
{
    for (int r = 0; r < LT_ROLE_COUNT; r++) {
        lt_role back;
        CHECK(lt_role_parse(lt_role_name((lt_role)r), &back) && back == (lt_role)r);
    }
    lt_role x;
    CHECK(!lt_role_parse("surgeon", &x));
    CHECK(!lt_role_parse(NULL, &x));
    for (int e = 0; e < LT_END_COUNT; e++) {
        lt_end_reason back;
        CHECK(lt_end_reason_parse(lt_end_reason_name((lt_end_reason)e), &back) && back == (lt_end_reason)e);
    }
    CHECK_STR(lt_enrol_state_name(LT_STATE_ON_TREATMENT), "on_treatment");
    CHECK_STR(lt_enrol_state_name(LT_STATE_COUNT), "unknown");
    CHECK_STR(lt_end_reason_name(LT_END_LOST_TO_FOLLOW_UP), "lost_to_follow_up");
}

static void test_flow(const char *src)
{
    char dir[] = "/tmp/lt_trial_XXXXXX", db[256], protocol[512], patient[512];
    if (!mkdtemp(dir)) return;
    snprintf(db, sizeof db, "%s/t.db", dir);
    snprintf(protocol, sizeof protocol, "%s/protocols/nelmas.json", src);
    snprintf(patient, sizeof patient, "%s/examples/nelmas-01-eligible.json", src);
    lt_error err;
    lt_trial *t = NULL, *c = NULL, *inv = NULL;
    lt_cohort *cohort = NULL;
    CHECK(lt_trial_create(db, protocol, NULL, "bad name!", &err) == LT_EINVAL);
    CHECK(access(db, F_OK) != 0);
    CHECK(lt_trial_create(db, protocol, NULL, "admin", &err) == LT_OK);
    CHECK(lt_trial_open(db, "nobody", &t, &err) == LT_EPERM && t == NULL);
    CHECK(lt_trial_open(db, "admin", &t, &err) == LT_OK);
    if (!t) return;
    const char *s1[] = {"S1"};
    CHECK(lt_trial_site_add(t, "S1", "One", &err) == LT_OK);
    CHECK(lt_trial_user_add(t, "c", LT_ROLE_COORDINATOR, s1, 1, &err) == LT_OK);
    CHECK(lt_trial_user_add(t, "i", LT_ROLE_INVESTIGATOR, s1, 1, &err) == LT_OK);
    CHECK(lt_trial_user_add(t, "c", LT_ROLE_MONITOR, s1, 1, &err) == LT_ECONFLICT);
    CHECK(lt_trial_open(db, "c", &c, &err) == LT_OK);
    CHECK(lt_trial_open(db, "i", &inv, &err) == LT_OK);
    CHECK(lt_cohort_new(&cohort, &err) == LT_OK);
    /* the example with its liver-resection text set to the margin ("R0"), as the CLI tests'
     * patients have it, so that the margin is read the same way by every version of the reader */
    char *text = NULL;
    size_t len = 0;
    CHECK(lt_file_read(patient, &text, &len, &err) == LT_OK);
    const char *from = "\"text\": \"atypical resections of segments 4b and 6, histology: NET "
                       "metastases, margins free\"";
    char *at = text ? strstr(text, from) : NULL;
    if (at) {
        const char *to = "\"text\":\"R0\"";
        size_t n = strlen(from), m = strlen(to);
        memmove(at + m, at + n, strlen(at + n) + 1);
        memcpy(at, to, m);
    }
    CHECK(cohort && text && lt_cohort_read_mem(cohort, text, strlen(text), patient, &err) == LT_OK);
    free(text);
    if (!c || !inv || !cohort || lt_cohort_count(cohort) != 1) goto out;
    const lt_patient *p = lt_cohort_patient(cohort, 0);
    lt_verdict v = LT_VERDICT_NEEDS_REVIEW;
    CHECK(lt_trial_enrol(t, p, "S1", lt_date_from_ymd(2026, 11, 1), NULL, &v, NULL, &err) == LT_EPERM);
    CHECK(lt_trial_enrol(c, p, "S1", lt_date_from_ymd(2026, 11, 1), NULL, &v, NULL, &err) == LT_OK);
    lt_date d = lt_date_from_ymd(2026, 11, 2);
    /* a refused step leaves the outputs as they were */
    char *arm = (char *)"untouched";
    int64_t number = -5;
    CHECK(lt_trial_randomise(c, p->id, &arm, &number, &err) == LT_ESTATE);
    CHECK(!strcmp(arm, "untouched") && number == -5);
    CHECK(lt_trial_consent(c, p->id, d, "v1", NULL, &err) == LT_OK);
    CHECK(lt_trial_consent(c, p->id, d, "v2", NULL, &err) == LT_EINVAL);
    CHECK(lt_trial_consent(c, p->id, d, "v2", "", &err) == LT_EINVAL);
    CHECK(lt_trial_consent(c, p->id, d, "v2", "typo", &err) == LT_OK);
    CHECK(lt_trial_confirm(c, p->id, d, &err) == LT_EPERM);
    CHECK_MSG(v == LT_VERDICT_ELIGIBLE, "%s screened %s, expected eligible", p->id, lt_verdict_name(v));
    {
        CHECK(lt_trial_confirm(inv, p->id, lt_date_from_ymd(2026, 11, 1), &err) == LT_EINVAL);
        CHECK(strstr(err.message, "before the consent") != NULL);
        CHECK(lt_trial_confirm(inv, p->id, d, &err) == LT_OK);
        CHECK(lt_trial_start_treatment(c, p->id, d, &err) == LT_ESTATE);
        /* the example's stratification levels may be missing from its data: record them */
        const lt_protocol *pr = lt_trial_protocol(c);
        const char *f[8], *l[8];
        size_t nf = lt_protocol_strat_count(pr);
        for (size_t i = 0; i < nf && i < 8; i++) {
            f[i] = lt_protocol_strat(pr, i)->id;
            l[i] = lt_protocol_strat(pr, i)->levels[0];
        }
        lt_trial_set_strata(c, p->id, f, l, nf, "test", &err);
        CHECK(lt_trial_randomise(c, p->id, &arm, &number, &err) == LT_OK);
        CHECK(number == 1 && (!strcmp(arm, "A") || !strcmp(arm, "B")));
        free(arm);
        lt_buf b = LT_BUF_INIT;
        CHECK(lt_trial_replay(t, true, &b, &err) == LT_OK);
        CHECK(strstr(lt_buf_str(&b), "\"allocations\":1") != NULL);
        lt_buf_free(&b);
        CHECK(lt_trial_end(c, p->id, LT_END_COMPLETED, d, NULL, &err) == LT_ESTATE);
        /* randomised today: an end dated before that is refused */
        CHECK(lt_trial_end(c, p->id, LT_END_DEATH, d, NULL, &err) == LT_EINVAL);
        CHECK(strstr(err.message, "before the randomisation") != NULL);
        CHECK(lt_trial_end(c, p->id, LT_END_DEATH, lt_date_today(), NULL, &err) == LT_OK);
        CHECK(lt_trial_end(c, p->id, LT_END_DEATH, lt_date_today(), NULL, &err) == LT_ESTATE);
    }
    int64_t n = 0;
    CHECK(lt_store_audit_verify(lt_trial_store(t), &n, NULL, &err) == LT_OK && n > 5);
out:
    lt_cohort_free(cohort);
    lt_trial_close(t);
    lt_trial_close(c);
    lt_trial_close(inv);
    lt_trial_close(NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
}


/* Whether the file at path holds the n bytes of needle anywhere. */
static bool file_holds(const char *path, const unsigned char *needle, size_t n)
{
    char *data = NULL;
    size_t len = 0;
    if (lt_file_read(path, &data, &len, NULL) != LT_OK) return false;
    bool found = false;
    for (size_t i = 0; !found && i + n <= len; i++) found = !memcmp(data + i, needle, n);
    free(data);
    return found;
}

static void cp_file(const char *from, const char *to)
{
    char *data = NULL;
    size_t len = 0;
    if (lt_file_read(from, &data, &len, NULL) == LT_OK) lt_file_write(to, data, len, NULL);
    free(data);
}

/* The key file: made 0600, never overwritten; refused when others may read it, when it holds
 * no key, when it is missing. */
static void test_key_file(const char *dir)
{
    char key[512];
    unsigned char k[LT__KEY_BYTES], back[LT__KEY_BYTES];
    lt_error err;
    struct stat sb;
    snprintf(key, sizeof key, "%s/x.key", dir);
    CHECK(lt__key_read(key, back, &err) == LT_ENOTFOUND);
    CHECK(lt__key_create(key, k, &err) == LT_OK);
    CHECK(stat(key, &sb) == 0 && (sb.st_mode & 07777) == 0600);
    CHECK(lt__key_create(key, back, &err) == LT_ECONFLICT);
    CHECK(lt__key_read(key, back, &err) == LT_OK && !memcmp(k, back, sizeof k));
    CHECK(chmod(key, 0640) == 0);
    CHECK(lt__key_read(key, back, &err) == LT_EPERM);
    CHECK(strstr(err.message, "mode 0640, expected 0600") != NULL);
    CHECK(chmod(key, 0600) == 0);
    CHECK(lt_file_write(key, "not a key\n", 10, &err) == LT_OK && chmod(key, 0600) == 0);
    CHECK(lt__key_read(key, back, &err) == LT_EPARSE);
    CHECK(strstr(err.message, "not a key") == NULL); /* a key file's contents are never echoed */
    /* a FIFO or a folder planted as the key is refused at once, not waited on */
    char fifo[600];
    snprintf(fifo, sizeof fifo, "%s.fifo", key);
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK(lt__key_read(fifo, back, &err) == LT_EINVAL);
    CHECK(lt__key_read(dir, back, &err) == LT_EINVAL);
}

/* A tiny deterministic generator for the histories (not the trial's randomness). */
static uint32_t next_u32(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

/* Allocation concealment over many seeded histories: for each seed, a trial created with that
 * seed supplied, patients in random strata randomised one by one. After every allocation a
 * coordinator sees the arm and the date and never the block, the place or the size; the admin
 * sees them and the replay agrees; the database file never holds the seed or the key; and a copy
 * of the file without the key refuses to allocate (so it cannot be used to learn the next arm). */
static void test_concealment(const char *dir, const char *src)
{
    char protocol[512], patient[512];
    snprintf(protocol, sizeof protocol, "%s/protocols/nelmas.json", src);
    snprintf(patient, sizeof patient, "%s/examples/nelmas-01-eligible.json", src);
    char *text = NULL;
    size_t len = 0;
    lt_error err;
    if (lt_file_read(patient, &text, &len, &err) != LT_OK) {
        CHECK(!"reading the example patient");
        return;
    }
    char *id_at = strstr(text, "\"id\": \"nelmas-01\"");
    CHECK(id_at != NULL);
    if (!id_at) {
        free(text);
        return;
    }
    id_at += strlen("\"id\": \"nelmas-");
    for (uint64_t h = 1; h <= 12; h++) {
        char db[512], key[512], copy[512], copy_key[600];
        snprintf(db, sizeof db, "%s/h%llu.db", dir, (unsigned long long)h);
        snprintf(key, sizeof key, "%s/h%llu.secret", dir, (unsigned long long)h);
        snprintf(copy, sizeof copy, "%s/h%llu-copy.db", dir, (unsigned long long)h);
        snprintf(copy_key, sizeof copy_key, "%s.key", copy);
        unsigned char seed[LT_STORE_SEED_BYTES];
        uint64_t rng = h * 0x9e3779b97f4a7c15ULL;
        for (size_t i = 0; i < sizeof seed; i++) seed[i] = (unsigned char)next_u32(&rng);
        lt_trial_init init = {.protocol = protocol, .admin = "admin", .key_file = key,
                              .seed = seed};
        lt_trial *a = NULL, *c = NULL, *inv = NULL;
        const char *s1[] = {"S1"};
        bool ok = lt_trial_create_with(db, &init, &err) == LT_OK &&
                  lt_trial_open(db, "admin", &a, &err) == LT_OK &&
                  lt_trial_set_key_file(a, key, &err) == LT_OK &&
                  lt_trial_site_add(a, "S1", "One", &err) == LT_OK &&
                  lt_trial_user_add(a, "c", LT_ROLE_COORDINATOR, s1, 1, &err) == LT_OK &&
                  lt_trial_user_add(a, "i", LT_ROLE_INVESTIGATOR, s1, 1, &err) == LT_OK &&
                  lt_trial_open(db, "c", &c, &err) == LT_OK &&
                  lt_trial_set_key_file(c, key, &err) == LT_OK &&
                  lt_trial_open(db, "i", &inv, &err) == LT_OK;
        CHECK_MSG(ok, "history %llu: setting up: %s", (unsigned long long)h, err.message);
        const lt_protocol *pr = ok ? lt_trial_protocol(c) : NULL;
        size_t nf = pr ? lt_protocol_strat_count(pr) : 0;
        int npat = 4 + (int)(next_u32(&rng) % 6);
        for (int p = 0; ok && p < npat; p++) {
            char pid[16];
            snprintf(pid, sizeof pid, "%02d", p % 100);
            memcpy(id_at, pid, 2); /* "nelmas-NN" */
            lt_cohort *co = NULL;
            ok = lt_cohort_new(&co, &err) == LT_OK &&
                 lt_cohort_read_mem(co, text, len, patient, &err) == LT_OK &&
                 lt_cohort_count(co) == 1;
            const char *id = ok ? lt_cohort_patient(co, 0)->id : "";
            lt_date d = lt_date_from_ymd(2026, 11, 2);
            const char *f[8], *l[8];
            for (size_t i = 0; i < nf && i < 8; i++) {
                const lt_strat_factor *sf = lt_protocol_strat(pr, i);
                f[i] = sf->id;
                l[i] = sf->levels[next_u32(&rng) % sf->nlevels];
            }
            ok = ok &&
                 lt_trial_enrol(c, lt_cohort_patient(co, 0), "S1", lt_date_from_ymd(2026, 11, 1),
                                NULL, NULL, NULL, &err) == LT_OK &&
                 lt_trial_consent(c, id, d, "v1", NULL, &err) == LT_OK &&
                 lt_trial_confirm(inv, id, d, &err) == LT_OK &&
                 lt_trial_set_strata(c, id, f, l, nf < 8 ? nf : 8, "test", &err) == LT_OK;
            char *arm = NULL;
            ok = ok && lt_trial_randomise(c, id, &arm, NULL, &err) == LT_OK;
            CHECK_MSG(ok, "history %llu patient %d: %s", (unsigned long long)h, p, err.message);
            lt_buf seen = LT_BUF_INIT, all = LT_BUF_INIT;
            if (ok) {
                CHECK(lt_trial_patient_show(c, id, true, &seen, &err) == LT_OK);
                CHECK(lt_trial_patient_show(a, id, true, &all, &err) == LT_OK);
                const char *sv = lt_buf_str(&seen), *av = lt_buf_str(&all);
                char want[32];
                snprintf(want, sizeof want, "\"arm\":\"%s\"", arm);
                CHECK_MSG(strstr(sv, want) && strstr(sv, "\"date\":\"") &&
                              !strstr(sv, "\"block\"") && !strstr(sv, "\"position\"") &&
                              !strstr(sv, "\"block_size\""),
                          "history %llu: a coordinator sees %.300s", (unsigned long long)h,
                          strstr(sv, "\"allocation\":") ? strstr(sv, "\"allocation\":") : sv);
                CHECK_MSG(strstr(av, want) && strstr(av, "\"block\":") &&
                              strstr(av, "\"position\":") && strstr(av, "\"block_size\":"),
                          "history %llu: the admin sees %.300s", (unsigned long long)h,
                          strstr(av, "\"allocation\":") ? strstr(av, "\"allocation\":") : av);
            }
            free(arm);
            lt_buf_free(&seen);
            lt_buf_free(&all);
            lt_cohort_free(co);
        }
        if (ok) {
            lt_buf b = LT_BUF_INIT;
            CHECK(lt_trial_replay(a, true, &b, &err) == LT_OK);
            CHECK(lt_trial_replay(c, true, &b, &err) == LT_EPERM);
            lt_buf_free(&b);
        }
        lt_trial_close(a);
        lt_trial_close(c);
        lt_trial_close(inv);
        /* the seed and the key are nowhere in the file (its WAL is checkpointed on close) */
        unsigned char k[LT__KEY_BYTES];
        CHECK(lt__key_read(key, k, &err) == LT_OK);
        CHECK_MSG(!file_holds(db, seed, sizeof seed), "history %llu: the seed is in the file",
                  (unsigned long long)h);
        CHECK(!file_holds(db, k, sizeof k));
        /* a copy without the key cannot allocate, whoever opens it; with another trial's key
         * it cannot either */
        cp_file(db, copy);
        lt_trial *x = NULL;
        if (lt_trial_open(copy, "c", &x, &err) == LT_OK) {
            char *arm = NULL;
            CHECK(lt_trial_randomise(x, "nelmas-00", &arm, NULL, &err) == LT_ENOTFOUND);
            CHECK(strstr(err.where, "h") && strstr(err.message, "no key file here"));
            char other[512];
            snprintf(other, sizeof other, "%s/h%llu.secret", dir, (unsigned long long)(h > 1 ? h - 1 : 2));
            if (h > 1) {
                CHECK(lt_trial_set_key_file(x, other, &err) == LT_OK);
                lt_buf b = LT_BUF_INIT;
                lt_trial_close(x);
                x = NULL;
                CHECK(lt_trial_open(copy, "admin", &x, &err) == LT_OK);
                if (x) {
                    CHECK(lt_trial_set_key_file(x, other, &err) == LT_OK);
                    CHECK(lt_trial_replay(x, true, &b, &err) == LT_ECORRUPT);
                    CHECK(strstr(err.message, "does not open") != NULL);
                }
                lt_buf_free(&b);
            }
            free(arm);
        } else {
            CHECK(!"opening the copy");
        }
        lt_trial_close(x);
        /* audit verify's seed check: with the key, checked; without, said so */
        lt_store *st = NULL;
        bool checked = false;
        CHECK(lt_store_open(db, LT_STORE_OPEN, &st, &err) == LT_OK);
        CHECK(lt_trial_verify_seed(st, key, &checked, &err) == LT_OK && checked);
        CHECK(lt_trial_verify_seed(st, copy_key, &checked, &err) == LT_OK && !checked);
        lt_store_close(st);
        sodium_memzero(k, sizeof k);
    }
    free(text);
}

/* Peer authentication: the OS account decides which trial users may act; a name chooses only
 * among them. */
static void test_peer(const char *dir, const char *src)
{
    char db[512], protocol[512];
    snprintf(db, sizeof db, "%s/peer.db", dir);
    snprintf(protocol, sizeof protocol, "%s/protocols/nelmas.json", src);
    lt_error err;
    lt_trial *t = NULL;
    lt_trial_init init = {.protocol = protocol, .admin = "ana", .admin_os_user = "alice"};
    CHECK(lt_trial_create_with(db, &init, &err) == LT_OK);
    CHECK(lt_trial_open_peer(db, "alice", NULL, &t, &err) == LT_OK);
    if (!t) return;
    CHECK_STR(lt_trial_user(t), "ana");
    const char *s1[] = {"S1"}, *both[] = {"alice", "bob"}, *bob[] = {"bob"};
    const char *bad[] = {"a b"}, *twice[] = {"bob", "bob"};
    CHECK(lt_trial_site_add(t, "S1", "One", &err) == LT_OK);
    CHECK(lt_trial_user_add_bound(t, "cole", LT_ROLE_COORDINATOR, s1, 1, both, 2, &err) == LT_OK);
    CHECK(lt_trial_user_add_bound(t, "iris", LT_ROLE_INVESTIGATOR, s1, 1, bob, 1, &err) == LT_OK);
    CHECK(lt_trial_user_add(t, "uma", LT_ROLE_INVESTIGATOR, s1, 1, &err) == LT_OK);
    CHECK(lt_trial_user_add_bound(t, "x", LT_ROLE_MONITOR, s1, 1, bad, 1, &err) == LT_EINVAL);
    CHECK(lt_trial_user_add_bound(t, "x", LT_ROLE_MONITOR, s1, 1, twice, 2, &err) == LT_EINVAL);
    lt_trial_close(t);
    t = NULL;
    /* alice acts as ana or cole, and must say which */
    CHECK(lt_trial_open_peer(db, "alice", NULL, &t, &err) == LT_EINVAL && !t);
    CHECK(strstr(err.message, "acts as 2 trial users (ana, cole)") != NULL);
    CHECK(lt_trial_open_peer(db, "alice", "cole", &t, &err) == LT_OK);
    if (t) CHECK_STR(lt_trial_user(t), "cole");
    lt_trial_close(t);
    t = NULL;
    /* naming a user bound to another account, or to none, gains nothing */
    CHECK(lt_trial_open_peer(db, "alice", "iris", &t, &err) == LT_EPERM && !t);
    CHECK(strstr(err.message, "not bound to the OS account 'alice'") != NULL);
    CHECK(lt_trial_open_peer(db, "bob", "ana", &t, &err) == LT_EPERM && !t);
    CHECK(lt_trial_open_peer(db, "bob", "uma", &t, &err) == LT_EPERM && !t);
    CHECK(lt_trial_open_peer(db, "mallory", NULL, &t, &err) == LT_EPERM && !t);
    CHECK(strstr(err.message, "no user of this trial is bound to the OS account 'mallory'") != NULL);
    CHECK(lt_trial_open_peer(db, "", NULL, &t, &err) == LT_EPERM && !t);
    /* bob acts as cole or iris; the audit trail names the trial user */
    CHECK(lt_trial_open_peer(db, "bob", "iris", &t, &err) == LT_OK);
    /* binding more accounts: admin only, audited, nothing new is refused */
    const char *carol[] = {"carol"};
    if (t) CHECK(lt_trial_user_bind(t, "iris", carol, 1, &err) == LT_EPERM);
    lt_trial_close(t);
    t = NULL;
    CHECK(lt_trial_open_peer(db, "alice", "ana", &t, &err) == LT_OK);
    if (t) {
        CHECK(lt_trial_user_bind(t, "iris", carol, 1, &err) == LT_OK);
        CHECK(lt_trial_user_bind(t, "iris", carol, 1, &err) == LT_ECONFLICT);
        CHECK(lt_trial_user_bind(t, "nobody", carol, 1, &err) == LT_ENOTFOUND);
        CHECK(lt_trial_user_bind(t, "iris", bad, 1, &err) == LT_EINVAL);
    }
    lt_trial_close(t);
    t = NULL;
    CHECK(lt_trial_open_peer(db, "carol", NULL, &t, &err) == LT_OK);
    if (t) CHECK_STR(lt_trial_user(t), "iris");
    lt_trial_close(t);
    t = NULL;
    CHECK(lt_trial_open_peer(db, "bob", "iris", &t, &err) == LT_OK); /* still bound to bob */
    lt_trial_close(t);
    t = NULL;

    /* a trial that binds no one (as before peer authentication): the account owning the file
     * acts as its admin, and no other account does, until someone is bound */
    char old[512], owner[256];
    struct passwd pw, *found = NULL;
    char pwbuf[4096];
    snprintf(old, sizeof old, "%s/legacy.db", dir);
    CHECK(getpwuid_r(geteuid(), &pw, pwbuf, sizeof pwbuf, &found) == 0 && found);
    snprintf(owner, sizeof owner, "%s", found ? found->pw_name : "?");
    CHECK(lt_trial_create(old, protocol, NULL, "adm", &err) == LT_OK);
    CHECK(lt_trial_open_peer(old, "not-the-owner", NULL, &t, &err) == LT_EPERM && !t);
    CHECK(lt_trial_open_peer(old, owner, NULL, &t, &err) == LT_OK);
    if (t) {
        CHECK_STR(lt_trial_user(t), "adm");
        CHECK(lt_trial_site_add(t, "S1", "One", &err) == LT_OK);
        CHECK(lt_trial_user_add(t, "co", LT_ROLE_COORDINATOR, s1, 1, &err) == LT_OK);
    }
    lt_trial_close(t);
    t = NULL;
    /* the owner acts as an admin only, never as a site role */
    CHECK(lt_trial_open_peer(old, owner, "co", &t, &err) == LT_EPERM && !t);
    CHECK(lt_trial_open_peer(old, owner, "adm", &t, &err) == LT_OK);
    if (t) CHECK(lt_trial_user_bind(t, "co", carol, 1, &err) == LT_OK);
    lt_trial_close(t);
    t = NULL;
    /* someone is bound now: the file's owner is an account like any other */
    if (strcmp(owner, "carol") != 0)
        CHECK(lt_trial_open_peer(old, owner, NULL, &t, &err) == LT_EPERM && !t);
    CHECK(lt_trial_open_peer(old, "carol", NULL, &t, &err) == LT_OK);
    if (t) CHECK_STR(lt_trial_user(t), "co");
    lt_trial_close(t);
    int64_t n = 0;
    lt_store *st = NULL;
    CHECK(lt_store_open(old, LT_STORE_OPEN, &st, &err) == LT_OK);
    if (st) CHECK(lt_store_audit_verify(st, &n, NULL, &err) == LT_OK && n == 5);
    lt_store_close(st);
}

int main(void)
{
    const char *src = getenv("SRC");
    test_permissions();
    test_names();
    char dir[] = "/tmp/lt_conceal_XXXXXX";
    if (src && mkdtemp(dir)) {
        test_flow(src);
        test_key_file(dir);
        test_concealment(dir, src);
        test_peer(dir, src);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) printf("could not remove %s\n", dir);
    } else {
        printf("SRC not set: the enrolment flow, concealment and peer authentication are "
               "skipped\n");
    }
    return lt_test_done();
}
