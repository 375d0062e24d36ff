/* Signing (include/lutetia/sign.h): who may sign what, the password again, the signature record
 * written with its audit record in one transaction, the list of signatures with their status,
 * and the data lock. The regulation each rule answers is named beside it; docs/part11.md has the
 * whole table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/auth.h"
#include "lutetia/date.h"
#include "sign_int.h"
#include "../trial/trial_int.h"

static const char *const act_names[LT_SIGN_ACT_COUNT] = {"confirm", "decision", "ae", "casebook",
                                                         "lock"};
static const char *const meaning_names[LT_SIGN_MEANING_COUNT] = {"review", "approval",
                                                                 "responsibility", "authorship"};

const char *lt_sign_act_name(lt_sign_act a)
{
    return (unsigned)a < LT_SIGN_ACT_COUNT ? act_names[a] : "unknown";
}

bool lt_sign_act_parse(const char *s, lt_sign_act *out)
{
    for (int i = 0; s && i < LT_SIGN_ACT_COUNT; i++)
        if (!strcmp(s, act_names[i])) return *out = (lt_sign_act)i, true;
    return false;
}

const char *lt_sign_meaning_name(lt_sign_meaning m)
{
    return (unsigned)m < LT_SIGN_MEANING_COUNT ? meaning_names[m] : "unknown";
}

bool lt_sign_meaning_parse(const char *s, lt_sign_meaning *out)
{
    for (int i = 0; s && i < LT_SIGN_MEANING_COUNT; i++)
        if (!strcmp(s, meaning_names[i])) return *out = (lt_sign_meaning)i, true;
    return false;
}

/* An investigator approves the eligibility and a dose, takes responsibility for the assessment
 * of an adverse event (seriousness and causality are the investigator's judgement, ICH E6(R3)
 * 2.7), and approves a casebook; the lock is the data manager's or statistician's approval. */
lt_sign_meaning lt_sign_default_meaning(lt_sign_act a)
{
    return a == LT_SIGN_AE ? LT_SIGN_RESPONSIBILITY : LT_SIGN_APPROVAL;
}

/* ---- who may sign what ---- */

/* Site acts (confirmation, dose decision, adverse event, casebook) are the investigator's: ICH
 * E6(R3) makes the investigator responsible for eligibility, treatment decisions, the medical
 * assessment of adverse events and the data reported from the site. A nuclear-medicine
 * physician may record a dose decision; the investigator signs it. The lock is trial-wide:
 * the admin (the data manager's role here) or the blinded statistician, bound to every site;
 * not the unblinded statistician, because the lock is decided blind (ICH E9 7.1). */
static lt_status may_sign(const lt_trial *t, lt_sign_act act, lt_error *err)
{
    const char *role = lt_role_name(t->role);
    if (act == LT_SIGN_LOCK) {
        if (t->role != LT_ROLE_ADMIN && t->role != LT_ROLE_STATISTICIAN)
            LT_FAIL(err, LT_EPERM, t->user,
                    "a user with the role %s cannot sign the data lock (allowed: admin, "
                    "statistician)", role);
        if (!t->all_sites)
            LT_FAIL(err, LT_EPERM, t->user,
                    "the data lock covers every site: only a user bound to every site signs it");
        return LT_OK;
    }
    if (t->role != LT_ROLE_INVESTIGATOR)
        LT_FAIL(err, LT_EPERM, t->user, "a user with the role %s cannot sign %s (allowed: "
                "investigator)", role,
                act == LT_SIGN_CONFIRM    ? "an eligibility confirmation"
                : act == LT_SIGN_DECISION ? "a dose decision"
                : act == LT_SIGN_AE       ? "an adverse event's seriousness and causality"
                                          : "a casebook");
    return LT_OK;
}

/* ---- what is signed ---- */

typedef struct target {
    char kind[40], id[160];
    char *patient, *site; /* NULL for the lock */
    char statement[400];
} target;

static void target_free(target *g)
{
    free(g->patient);
    free(g->site);
}

/* The patient, when the user may see it (another site's patient is answered as a missing
 * one); its stored document in d. */
static lt_status patient_doc(lt_trial *t, const char *patient, lt__pdoc *d, lt_error *err)
{
    memset(d, 0, sizeof *d);
    if (!patient || !*patient) LT_FAIL(err, LT_EINVAL, "patient", "a patient id is needed");
    lt_status rc = lt_trial_patient_visible(t, patient, err);
    if (rc != LT_OK) return rc;
    return lt__pdoc_load(t, patient, d, err);
}

static lt_status resolve(lt_trial *t, const lt_sign_request *rq, target *g, lt_error *err)
{
    memset(g, 0, sizeof *g);
    lt__pdoc d;
    lt_status rc = LT_OK;
    switch (rq->act) {
    case LT_SIGN_CONFIRM:
    case LT_SIGN_CASEBOOK:
        if (rq->record) LT_FAIL(err, LT_EINVAL, "record", "a %s signature names a patient, not a "
                                "record", act_names[rq->act]);
        rc = patient_doc(t, rq->patient, &d, err);
        if (rc != LT_OK) break;
        if (rq->act == LT_SIGN_CONFIRM && (d.confirmed_on == LT_DATE_NONE || !d.last_screening)) {
            rc = lt_error_set(err, LT_ESTATE, "patient",
                              "patient '%s' is %s: an investigator confirms the eligibility "
                              "before signing it", d.id, lt_enrol_state_name(d.state));
        } else if (rq->act == LT_SIGN_CONFIRM) {
            /* the verdict confirmed is the last screening's: a new screening needs a new
             * confirmation and signature */
            snprintf(g->kind, sizeof g->kind, "screening");
            snprintf(g->id, sizeof g->id, "%s", d.last_screening);
            snprintf(g->statement, sizeof g->statement,
                     "I confirm that patient %s is eligible, as screening %s found", d.id,
                     d.last_screening);
        } else {
            snprintf(g->kind, sizeof g->kind, LT__BIND_CASEBOOK);
            snprintf(g->id, sizeof g->id, "%s", d.id);
            snprintf(g->statement, sizeof g->statement,
                     "I have reviewed the casebook of patient %s and attest that it is complete "
                     "and accurate", d.id);
        }
        break;
    case LT_SIGN_DECISION:
    case LT_SIGN_AE: {
        const char *kind = rq->act == LT_SIGN_DECISION ? "dose_decision" : "adverse_event";
        if (!rq->record || !*rq->record)
            LT_FAIL(err, LT_EINVAL, "record", "the %s record's id is needed",
                    rq->act == LT_SIGN_DECISION ? "dose decision" : "adverse event");
        lt_record *r = NULL;
        rc = lt_store_get(t->st, kind, rq->record, &r, err);
        if (rc == LT_ENOTFOUND) LT_FAIL(err, LT_ENOTFOUND, "record", "no %s '%s'", kind, rq->record);
        if (rc != LT_OK) return rc;
        if (rq->patient && (!r->patient || strcmp(rq->patient, r->patient) != 0)) {
            lt_record_free(r);
            LT_FAIL(err, LT_EINVAL, "patient", "%s '%s' is not patient '%s''s", kind, rq->record,
                    rq->patient);
        }
        char *p = lt__strdup0(r->patient);
        lt_record_free(r);
        rc = patient_doc(t, p, &d, err);
        /* a record of another site's patient is answered as a missing one */
        if (rc == LT_ENOTFOUND) lt_error_set(err, LT_ENOTFOUND, "record", "no %s '%s'", kind,
                                             rq->record);
        free(p);
        if (rc != LT_OK) break;
        snprintf(g->kind, sizeof g->kind, "%s", kind);
        snprintf(g->id, sizeof g->id, "%s", rq->record);
        if (rq->act == LT_SIGN_DECISION)
            snprintf(g->statement, sizeof g->statement,
                     "I approve dose decision %s of patient %s", rq->record, d.id);
        else
            snprintf(g->statement, sizeof g->statement,
                     "I have assessed the seriousness and causality of adverse event %s of "
                     "patient %s", rq->record, d.id);
        break;
    }
    case LT_SIGN_LOCK:
        if (rq->patient || rq->record)
            LT_FAIL(err, LT_EINVAL, rq->patient ? "patient" : "record",
                    "the data lock signs the whole trial: name no patient or record");
        snprintf(g->kind, sizeof g->kind, LT__BIND_DATA);
        snprintf(g->id, sizeof g->id, "trial");
        snprintf(g->statement, sizeof g->statement,
                 "The trial's data are complete and locked for analysis: no further change");
        return LT_OK;
    default:
        LT_FAIL(err, LT_EINVAL, "act", "expected confirm, decision, ae, casebook or lock");
    }
    if (rc == LT_OK) {
        g->patient = lt__strdup0(d.id);
        g->site = lt__strdup0(d.site);
        if (!g->patient || !g->site) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    lt__pdoc_free(&d);
    return rc;
}

/* ---- the lock ---- */

lt_status lt_sign_locked(lt_store *st, bool *locked, lt_buf *desc, lt_error *err)
{
    *locked = false;
    lt_record *r = NULL;
    lt_status rc = lt_store_get(st, LT__K_LOCK, "trial", &r, err);
    if (rc == LT_ENOTFOUND) {
        if (err) lt_error_clear(err);
        return LT_OK;
    }
    if (rc != LT_OK) return rc;
    lt_json *j = NULL;
    rc = lt_json_parse(r->data, strlen(r->data), "lock", &j, err);
    if (rc == LT_OK) lt_json_bool(lt_json_get(j, "locked"), locked);
    if (rc == LT_OK && *locked && desc)
        lt_buf_printf(desc, "data locked for analysis on %s by %s (signature %s)",
                      lt_json_get_str(j, "locked_at", "?"), lt_json_get_str(j, "locked_by", "?"),
                      lt_json_get_str(j, "signature", "?"));
    lt_json_free(j);
    lt_record_free(r);
    return rc;
}

/* What may still be written once the data are locked: who signs in and who may (users,
 * passwords, sessions, tokens, failed sign-ins and refused signatures), so that monitors and
 * auditors keep reading the locked trial. Nothing of the data, no new signature, no second
 * lock. The store refuses every other kind (src/store/store.c, check_lock). */
static const char *const open_after_lock[] = {"user", "credential", "session", "login", "token",
                                              LT__K_REFUSAL};

/* ---- the signer ---- */

/* The signer's full name from the user record (11.50(a)(1)). */
static lt_status full_name(lt_trial *t, char *out, size_t n, lt_error *err)
{
    lt_record *r = NULL;
    lt_status rc = lt_store_get(t->st, "user", t->user, &r, err);
    if (rc != LT_OK) return rc;
    lt_json *j = NULL;
    rc = lt_json_parse(r->data, strlen(r->data), "user", &j, err);
    const char *name = rc == LT_OK ? lt_json_get_str(j, "full_name", NULL) : NULL;
    if (rc == LT_OK && (!name || !*name))
        rc = lt_error_set(err, LT_ESTATE, "full_name",
                          "user '%s' has no full name recorded: a signature shows the signer's "
                          "full name, which an admin records after checking the person's identity",
                          t->user);
    if (rc == LT_OK) snprintf(out, n, "%s", name);
    lt_json_free(j);
    lt_record_free(r);
    return rc;
}

/* Writes the refused attempt (what was to be signed, by which account) in its own transaction:
 * the failure itself is already counted and audited by lt_auth_reauthenticate. */
static void audit_refusal(lt_trial *t, const lt_sign_request *rq, const target *g)
{
    char at[LT_TIME_STR_MAX];
    lt_time_format(lt_time_now(), at);
    lt_buf b = LT_BUF_INIT;
    lt_buf_puts(&b, "{\"user\":");
    lt_buf_json_str(&b, t->user);
    lt_buf_printf(&b, ",\"act\":\"%s\",\"record\":{\"kind\":", act_names[rq->act]);
    lt_buf_json_str(&b, g->kind);
    lt_buf_puts(&b, ",\"id\":");
    lt_buf_json_str(&b, g->id);
    lt_buf_puts(&b, "},\"at\":");
    lt_buf_json_str(&b, at);
    lt_buf_putc(&b, '}');
    if (lt_buf_failed(&b) || lt_store_begin(t->st, NULL) != LT_OK) {
        lt_buf_free(&b);
        return;
    }
    int64_t n = 0;
    char id[32];
    lt_status rc = lt_store_count(t->st, LT__K_REFUSAL, NULL, &n, NULL);
    snprintf(id, sizeof id, "R%06lld", (long long)n + 1);
    lt_record r = {.kind = LT__K_REFUSAL, .id = id, .site = g->site, .patient = g->patient,
                   .key = t->user, .data = lt_buf_str(&b)};
    lt_actor who = {t->user, lt_role_name(t->role)};
    if (rc == LT_OK)
        rc = lt_store_put(t->st, &r, 0, &who, "signature.refused",
                          "wrong user name or password, or the account is locked", NULL, NULL);
    if (rc == LT_OK) rc = lt_store_commit(t->st, NULL);
    if (rc != LT_OK) lt_store_rollback(t->st);
    lt_buf_free(&b);
}

/* 11.200(a)(1): the first signing of a continuous session needs every component (user name and
 * password); later ones in the same session at least one (the password). The command line has
 * no session: every signing there is a first. The session's signatures carry its id's SHA-256
 * as their key. */
static lt_status identify(lt_trial *t, const lt_sign_request *rq, const target *g,
                          bool *both, lt_error *err)
{
    const char *session = lt_trial_session(t);
    int64_t before = 0;
    if (session) {
        lt_status rc = lt_store_count(t->st, LT__K_SIGNATURE, session, &before, err);
        if (rc != LT_OK) return rc;
    }
    *both = !session || before == 0;
    if (*both && (!rq->user_name || !*rq->user_name))
        LT_FAIL(err, LT_EINVAL, "user",
                "the first signature of a session needs your user name and your password "
                "(21 CFR 11.200(a)(1))");
    if (!rq->password || !*rq->password)
        LT_FAIL(err, LT_EINVAL, "password", "a signature needs your password again");
    lt_auth_policy p;
    lt_auth_policy_default(&p);
    int64_t now = rq->now ? rq->now : lt_time_now();
    /* a user name that is not the signed-in user's is a failed attempt on the signed-in
     * account: verifying no password counts it */
    bool same = !rq->user_name || !*rq->user_name || !strcmp(rq->user_name, t->user);
    lt_status rc = lt_auth_reauthenticate(t->st, t->user, same ? rq->password : NULL, &p, now,
                                          NULL, err);
    if (rc == LT_EPERM) audit_refusal(t, rq, g);
    if (rc == LT_OK && rq->user_name && *rq->user_name) *both = true;
    return rc;
}

/* ---- signing ---- */

static void signature_doc(lt_buf *b, const lt_trial *t, const lt_sign_request *rq,
                          lt_sign_meaning meaning, const target *g, const lt__binding *bd,
                          const char *name, const char *at, bool both)
{
    lt_buf_printf(b, "{\"act\":\"%s\",\"meaning\":\"%s\",\"statement\":", act_names[rq->act],
                  meaning_names[meaning]);
    lt_buf_json_str(b, g->statement);
    lt_buf_puts(b, ",\"signer\":");
    lt_buf_json_str(b, t->user);
    lt_buf_puts(b, ",\"full_name\":");
    lt_buf_json_str(b, name);
    lt_buf_printf(b, ",\"role\":\"%s\",\"signed_at\":", lt_role_name(t->role));
    lt_buf_json_str(b, at);
    lt_buf_puts(b, ",\"patient\":");
    lt_buf_json_str(b, g->patient);
    lt_buf_puts(b, ",\"site\":");
    lt_buf_json_str(b, g->site);
    lt_buf_puts(b, ",\"record\":{\"kind\":");
    lt_buf_json_str(b, bd->kind);
    lt_buf_puts(b, ",\"id\":");
    lt_buf_json_str(b, bd->id);
    lt_buf_printf(b, ",\"seq\":%lld,\"sha256\":\"%s\"},\"components\":\"%s\",\"comment\":",
                  (long long)bd->seq, bd->sha256, both ? "user name and password" : "password");
    lt_buf_json_str(b, rq->comment && *rq->comment ? rq->comment : NULL);
    lt_buf_putc(b, '}');
}

lt_status lt_sign(lt_trial *t, const lt_sign_request *rq, lt_buf *out, lt_error *err)
{
    if (!rq || (unsigned)rq->act >= LT_SIGN_ACT_COUNT)
        LT_FAIL(err, LT_EINVAL, "act", "expected confirm, decision, ae, casebook or lock");
    if (rq->meaning >= LT_SIGN_MEANING_COUNT || rq->meaning < -1)
        LT_FAIL(err, LT_EINVAL, "meaning",
                "expected review, approval, responsibility or authorship");
    lt_sign_meaning meaning =
        rq->meaning < 0 ? lt_sign_default_meaning(rq->act) : (lt_sign_meaning)rq->meaning;
    if (rq->comment && strlen(rq->comment) > 500)
        LT_FAIL(err, LT_EINVAL, "comment", "expected at most 500 characters, found %zu",
                strlen(rq->comment));
    lt_status rc = may_sign(t, rq->act, err);
    if (rc != LT_OK) return rc;
    target g;
    rc = resolve(t, rq, &g, err);
    bool locked = false;
    lt_buf why = LT_BUF_INIT;
    if (rc == LT_OK) rc = lt_sign_locked(t->st, &locked, &why, err);
    if (rc == LT_OK && locked)
        rc = lt_error_set(err, LT_ESTATE, "lock", "the trial's %s: nothing more is signed",
                          lt_buf_str(&why));
    lt_buf_free(&why);
    char name[160];
    if (rc == LT_OK) rc = full_name(t, name, sizeof name, err);
    bool both = false;
    if (rc == LT_OK) rc = identify(t, rq, &g, &both, err);
    if (rc != LT_OK) {
        target_free(&g);
        return rc;
    }

    /* one transaction: what is signed is hashed as it stands when the signature is written */
    char at[LT_TIME_STR_MAX], id[32];
    lt__binding bd;
    int64_t n = 0;
    lt_buf doc = LT_BUF_INIT, lock = LT_BUF_INIT;
    lt_actor who = {t->user, lt_role_name(t->role)};
    rc = lt_store_begin(t->st, err);
    bool open = rc == LT_OK;
    if (rc == LT_OK) rc = lt__bind_again(t->st, g.kind, g.id, &bd, err);
    if (rc == LT_OK) rc = lt_store_count(t->st, LT__K_SIGNATURE, NULL, &n, err);
    if (rc == LT_OK) {
        snprintf(id, sizeof id, "S%06lld", (long long)n + 1);
        lt_time_format(lt_time_now(), at);
        signature_doc(&doc, t, rq, meaning, &g, &bd, name, at, both);
        if (lt_buf_failed(&doc)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    if (rc == LT_OK) {
        lt_record r = {.kind = LT__K_SIGNATURE, .id = id, .site = g.site, .patient = g.patient,
                       .key = lt_trial_session(t), .data = lt_buf_str(&doc)};
        rc = lt_store_put(t->st, &r, 0, &who, "signature.sign",
                          rq->comment ? rq->comment : "", NULL, err);
    }
    if (rc == LT_OK && rq->act == LT_SIGN_LOCK) {
        lt_buf_puts(&lock, "{\"locked\":true,\"signature\":");
        lt_buf_json_str(&lock, id);
        lt_buf_puts(&lock, ",\"locked_at\":");
        lt_buf_json_str(&lock, at);
        lt_buf_puts(&lock, ",\"locked_by\":");
        lt_buf_json_str(&lock, name);
        lt_buf_puts(&lock, ",\"open_kinds\":[");
        for (size_t i = 0; i < sizeof open_after_lock / sizeof open_after_lock[0]; i++) {
            lt_buf_puts(&lock, i ? "," : "");
            lt_buf_json_str(&lock, open_after_lock[i]);
        }
        lt_buf_puts(&lock, "]}");
        lt_record r = {.kind = LT__K_LOCK, .id = "trial", .data = lt_buf_str(&lock)};
        rc = lt_buf_failed(&lock) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                                  : lt_store_put(t->st, &r, 0, &who, "lock.sign", "", NULL, err);
    }
    if (rc == LT_OK) rc = lt_store_commit(t->st, err);
    if (rc != LT_OK && open) lt_store_rollback(t->st);
    if (rc == LT_OK) {
        /* the element of lt_sign_list: just made, so valid */
        lt_buf_puts(out, "{\"id\":");
        lt_buf_json_str(out, id);
        lt_buf_puts(out, ",\"status\":\"valid\",");
        lt_buf_puts(out, lt_buf_str(&doc) + 1);
    }
    lt_buf_free(&doc);
    lt_buf_free(&lock);
    target_free(&g);
    return rc;
}

/* ---- listing ---- */

lt_status lt_sign_to_json(lt_store *st, const lt_record *sig, lt_buf *out, lt_error *err)
{
    bool valid = false;
    lt_status rc = lt_sign_check(st, sig->data, &valid, err);
    if (rc != LT_OK) return rc;
    if (sig->data[0] != '{' || sig->data[1] == '}')
        LT_FAIL(err, LT_ECORRUPT, sig->id, "signature '%s' is not a JSON object", sig->id);
    lt_buf_puts(out, "{\"id\":");
    lt_buf_json_str(out, sig->id);
    lt_buf_printf(out, ",\"status\":\"%s\",", valid ? "valid" : "invalidated");
    lt_buf_puts(out, sig->data + 1);
    return LT_OK;
}

typedef struct sigs {
    lt_record *v;
    size_t n, cap;
    bool oom;
} sigs;

static int keep(const lt_record *r, void *ctx)
{
    sigs *s = ctx;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        lt_record *v = realloc(s->v, cap * sizeof *v);
        if (!v) return s->oom = true, 1;
        s->v = v, s->cap = cap;
    }
    lt_record *w = &s->v[s->n];
    memset(w, 0, sizeof *w);
    w->kind = LT__K_SIGNATURE;
    w->id = lt__strdup0(r->id);
    w->data = lt__strdup0(r->data);
    s->n++;
    if (!w->id || !w->data) return s->oom = true, 1;
    return 0;
}

static void sigs_free(sigs *s)
{
    for (size_t i = 0; i < s->n; i++) free((char *)s->v[i].id), free((char *)s->v[i].data);
    free(s->v);
}

lt_status lt_sign_list(lt_trial *t, const char *patient, lt_buf *out, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_READ, "read signatures", err);
    if (rc != LT_OK) return rc;
    if (patient) {
        rc = lt_trial_patient_visible(t, patient, err);
        if (rc != LT_OK) return rc;
    }
    /* the store's query selects the user's sites; the lock, which belongs to no site, is read
     * beside them */
    lt_record_filter f = {.patient = patient};
    if (!t->all_sites) f.sites = (const char *const *)t->sites, f.nsites = t->nsites;
    sigs s = {0};
    rc = lt_store_read_begin(t->st, err);
    if (rc != LT_OK) return rc;
    if (!t->all_sites && !t->nsites) rc = lt_error_set(err, LT_EPERM, t->user, "user '%s' is bound to no site", t->user);
    if (rc == LT_OK) rc = lt_store_each(t->st, LT__K_SIGNATURE, &f, keep, &s, err);
    if (rc == LT_OK && !patient && !t->all_sites) {
        lt_record *l = NULL, *sig = NULL;
        lt_json *j = NULL;
        rc = lt_store_get(t->st, LT__K_LOCK, "trial", &l, err);
        if (rc == LT_OK) rc = lt_json_parse(l->data, strlen(l->data), "lock", &j, err);
        if (rc == LT_OK)
            rc = lt_store_get(t->st, LT__K_SIGNATURE, lt_json_get_str(j, "signature", ""), &sig, err);
        if (rc == LT_OK) keep(sig, &s);
        if (rc == LT_ENOTFOUND) {
            if (err) lt_error_clear(err);
            rc = LT_OK;
        }
        lt_json_free(j);
        lt_record_free(l);
        lt_record_free(sig);
    }
    if (rc == LT_OK && s.oom) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    lt_buf_putc(out, '[');
    for (size_t i = 0; rc == LT_OK && i < s.n; i++) {
        lt_buf_puts(out, i ? "," : "");
        rc = lt_sign_to_json(t->st, &s.v[i], out, err);
    }
    lt_buf_putc(out, ']');
    lt_store_read_end(t->st);
    sigs_free(&s);
    if (rc == LT_OK && lt_buf_failed(out)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    return rc;
}
