/* A patient's enrolment, one step at a time and in order: screening (kept even when it fails),
 * consent, an investigator's confirmation, stratification, randomisation or registration,
 * treatment, follow-up, the end. Each step runs in one transaction: it reads the patient,
 * checks role, site and order, and writes the changed records each with its audit record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trial_int.h"

/* ---- helpers ---- */

static lt_status check_date(lt_date d, const char *what, lt_error *err)
{
    char s[LT_DATE_STR_MAX], today[LT_DATE_STR_MAX];
    if (d == LT_DATE_NONE) LT_FAIL(err, LT_EINVAL, what, "a date is needed");
    if (d > lt_date_today())
        LT_FAIL(err, LT_EINVAL, what, "%s is in the future (today is %s)", lt_date_format(d, s),
                lt_date_format(lt_date_today(), today));
    return LT_OK;
}

static lt_status check_not_before(lt_date d, lt_date earlier, const char *what,
                                  const char *earlier_what, lt_error *err)
{
    char a[LT_DATE_STR_MAX], b[LT_DATE_STR_MAX];
    if (earlier != LT_DATE_NONE && d < earlier)
        LT_FAIL(err, LT_EINVAL, what, "%s is before the %s (%s)", lt_date_format(d, a),
                earlier_what, lt_date_format(earlier, b));
    return LT_OK;
}

/* Starts the transaction and reads the patient, checking the user may act on its site. The
 * step reads and writes this patient's records only (randomisation also takes the allocation
 * sequence's lock): steps of other patients run beside it until its first write. */
static lt_status begin_patient(lt_trial *t, const char *id, lt__pdoc *d, lt_error *err)
{
    lt_status rc = lt_store_begin_patient(t->st, id, err);
    if (rc != LT_OK) return rc;
    rc = lt__pdoc_load(t, id, d, err);
    if (rc == LT_OK) {
        rc = lt__trial_site_ok(t, d->site, err);
        if (rc != LT_OK) lt__pdoc_free(d);
    }
    if (rc != LT_OK) lt_store_rollback(t->st);
    return rc;
}

/* Ends the transaction: commit when everything before succeeded, otherwise roll back. */
static lt_status finish(lt_trial *t, lt__pdoc *d, lt_status rc, lt_error *err)
{
    if (rc == LT_OK) rc = lt_store_commit(t->st, err);
    if (rc != LT_OK) lt_store_rollback(t->st);
    lt__pdoc_free(d);
    return rc;
}

static bool patient_id_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64) return false;
    for (const char *p = s; *p; p++)
        if (*p <= ' ' || *p == '/' || *p == '"' || *p == '\\' || *p == 0x7f) return false;
    return true;
}

/* ---- stratification levels from the patient's data ---- */

/* The level of factor f found in the patient's data (the eligibility module reads it, as the
 * protocol file says: docs/protocol-format.md, "Randomisation and stratification"), as an index,
 * or -1 when the data give none: the factor is then missing until a coordinator records it. */
static int level_from_data(const lt_strat_factor *sf, const lt_patient *p, lt_date as_of)
{
    const char *level = NULL;
    if (lt_strat_level(sf, p, as_of, &level, NULL) != LT_OK || !level) return -1;
    for (size_t l = 0; l < sf->nlevels; l++)
        if (!strcmp(sf->levels[l], level)) return (int)l;
    return -1;
}

/* Makes d's strata list follow the protocol's factors, keeping stored levels. */
static bool strata_init(const lt_protocol *pr, lt__pdoc *d)
{
    size_t nf = lt_protocol_strat_count(pr);
    if (nf > LT__MAX_FACTORS) nf = LT__MAX_FACTORS;
    char *level[LT__MAX_FACTORS] = {0}, *from[LT__MAX_FACTORS] = {0}, *factor[LT__MAX_FACTORS];
    bool ok = true;
    for (size_t f = 0; f < nf; f++) {
        const lt_strat_factor *sf = lt_protocol_strat(pr, f);
        factor[f] = strdup(sf->id);
        ok = ok && factor[f];
        for (size_t g = 0; g < d->nfactors; g++)
            if (!strcmp(d->factor[g], sf->id)) {
                level[f] = d->level[g], d->level[g] = NULL;
                from[f] = d->level_from[g], d->level_from[g] = NULL;
            }
    }
    /* cleared as well as freed: a slot past the protocol's factor count must not dangle */
    for (size_t g = 0; g < d->nfactors; g++) {
        free(d->factor[g]);
        free(d->level[g]);
        free(d->level_from[g]);
        d->factor[g] = d->level[g] = d->level_from[g] = NULL;
    }
    d->nfactors = nf;
    for (size_t f = 0; f < nf; f++) {
        d->factor[f] = factor[f];
        d->level[f] = level[f];
        d->level_from[f] = from[f];
    }
    return ok;
}

/* ---- screening ---- */

/* The ids of the criteria that decided the verdict, read back from the screening JSON the
 * eligibility module wrote: failed (inclusion not met, exclusion met) and unknown ones. */
static void criteria_lists(const char *json, lt_buf *failed, lt_buf *unknown)
{
    lt_json *j = NULL;
    lt_buf_putc(failed, '[');
    lt_buf_putc(unknown, '[');
    if (lt_json_parse(json, strlen(json), "screening", &j, NULL) == LT_OK) {
        int nf = 0, nu = 0;
        const lt_json *cs = lt_json_get(j, "criteria");
        for (const lt_json *c = lt_json_first(cs); c; c = lt_json_next(c)) {
            const char *id = lt_json_get_str(c, "id", "?");
            const char *kind = lt_json_get_str(c, "kind", "");
            const char *status = lt_json_get_str(c, "status", "");
            bool excl = !strcmp(kind, "exclusion");
            if ((!excl && !strcmp(status, "not_met")) || (excl && !strcmp(status, "met"))) {
                lt_buf_puts(failed, nf++ ? "," : "");
                lt_buf_json_str(failed, id);
            } else if (!strcmp(status, "unknown")) {
                lt_buf_puts(unknown, nu++ ? "," : "");
                lt_buf_json_str(unknown, id);
            }
        }
    }
    lt_json_free(j);
    lt_buf_putc(failed, ']');
    lt_buf_putc(unknown, ']');
}

lt_status lt_trial_enrol(lt_trial *t, const lt_patient *patient, const char *site, lt_date as_of,
                         const char *reason, lt_verdict *verdict, lt_buf *result, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ENROL, "screen patients", err);
    if (rc != LT_OK) return rc;
    if (!site || !*site) LT_FAIL(err, LT_EINVAL, "--site", "the patient's site is needed");
    rc = lt__trial_site_ok(t, site, err);
    if (rc != LT_OK) return rc;
    if (!patient_id_ok(patient->id))
        LT_FAIL(err, LT_EINVAL, patient->source ? patient->source : "patient",
                "a patient id of 1 to 64 printable characters without '/' is needed, found '%s'",
                patient->id ? patient->id : "");
    if (as_of == LT_DATE_NONE) as_of = lt_date_today();
    rc = check_date(as_of, "--as-of", err);
    if (rc != LT_OK) return rc;
    lt_record *srec = NULL;
    rc = lt_store_get(t->st, "site", site, &srec, err);
    lt_record_free(srec);
    if (rc == LT_ENOTFOUND)
        LT_FAIL(err, LT_ENOTFOUND, "--site", "no site '%s' in this trial", site);
    if (rc != LT_OK) return rc;

    /* data entered once: the facts stored at an earlier screening and the new ones, each once;
     * a file with one new lab screens the patient on everything known, not on that lab alone */
    lt__pdata pd;
    rc = lt__patient_data_merge(t, patient, &pd, err);
    if (rc != LT_OK) return rc;
    patient = pd.patient;
    lt_screen_options opt = {.as_of = as_of};
    lt_screening *s = NULL;
    rc = lt_screen(t->protocol, patient, &opt, &s, err);
    if (rc != LT_OK) {
        lt__patient_data_free(&pd);
        return rc;
    }
    lt_verdict v = lt_screening_verdict(s);
    lt_buf sjson = LT_BUF_INIT, failed = LT_BUF_INIT, unknown = LT_BUF_INIT, doc = LT_BUF_INIT;
    lt_screening_json(s, &sjson);
    lt_screening_free(s);
    criteria_lists(lt_buf_str(&sjson), &failed, &unknown);
    int levels[LT__MAX_FACTORS];
    size_t nf = lt_protocol_strat_count(t->protocol);
    for (size_t f = 0; f < nf && f < LT__MAX_FACTORS; f++)
        levels[f] = level_from_data(lt_protocol_strat(t->protocol, f), patient, as_of);

    lt__pdoc d;
    memset(&d, 0, sizeof d);
    rc = lt_store_begin(t->st, err);
    if (rc != LT_OK) goto out;
    rc = lt__pdoc_load(t, patient->id, &d, err);
    if (rc == LT_ENOTFOUND) {
        memset(&d, 0, sizeof d);
        d.id = strdup(patient->id);
        d.site = strdup(site);
        d.state = LT_STATE_SCREENED;
        d.consent_date = d.confirmed_on = d.randomised_on = LT_DATE_NONE;
        d.treatment_on = d.follow_up_on = d.end_on = LT_DATE_NONE;
        rc = d.id && d.site ? LT_OK : lt_error_set(err, LT_ENOMEM, "", "out of memory");
    } else if (rc == LT_OK) {
        char on[LT_DATE_STR_MAX];
        if (strcmp(d.site, site) != 0)
            rc = lt__trial_has_site(t, d.site)
                     ? lt_error_set(err, LT_ECONFLICT, patient->id,
                                    "patient '%s' is already enrolled at site '%s', not '%s'",
                                    patient->id, d.site, site)
                     : lt_error_set(err, LT_EPERM, t->user,
                                    "user '%s' is not bound to site '%s'", t->user, d.site);
        else if (d.state >= LT_STATE_CONFIRMED)
            rc = lt_error_set(err, LT_ESTATE, patient->id,
                              "patient '%s' is %s: eligibility was confirmed on %s and is not "
                              "screened again",
                              patient->id, lt_enrol_state_name(d.state),
                              d.confirmed_on != LT_DATE_NONE ? lt_date_format(d.confirmed_on, on)
                                                             : "?");
    }
    if (rc != LT_OK) goto out;
    d.screenings++;
    char sid[96], on[LT_DATE_STR_MAX];
    snprintf(sid, sizeof sid, "%s/%03d", d.id, d.screenings);
    lt_buf_puts(&doc, "{\"patient\":");
    lt_buf_json_str(&doc, d.id);
    lt_buf_puts(&doc, ",\"site\":");
    lt_buf_json_str(&doc, site);
    lt_buf_printf(&doc, ",\"number\":%d,\"screened_on\":\"%s\",\"protocol_version\":", d.screenings,
                  lt_date_format(as_of, on));
    lt_buf_json_str(&doc, t->protocol_version);
    lt_buf_printf(&doc, ",\"verdict\":\"%s\",\"failed\":%s,\"unknown\":%s,\"result\":%s}",
                  lt_verdict_name(v), lt_buf_str(&failed), lt_buf_str(&unknown),
                  lt_buf_str(&sjson));
    free(d.verdict), free(d.protocol_version), free(d.last_screening);
    d.verdict = strdup(lt_verdict_name(v));
    d.protocol_version = strdup(t->protocol_version);
    d.last_screening = strdup(sid);
    d.screened_on = as_of;
    if (!d.verdict || !d.protocol_version || !d.last_screening || !strata_init(t->protocol, &d) ||
        lt_buf_failed(&doc)) {
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        goto out;
    }
    /* levels found in the data replace what the data said before; levels a coordinator
     * recorded stay unless the data now gives one */
    for (size_t f = 0; f < d.nfactors; f++) {
        if (levels[f] < 0) {
            if (d.level_from[f] && !strcmp(d.level_from[f], "data")) {
                free(d.level[f]), free(d.level_from[f]);
                d.level[f] = d.level_from[f] = NULL;
            }
            continue;
        }
        free(d.level[f]), free(d.level_from[f]);
        d.level[f] = strdup(lt_protocol_strat(t->protocol, f)->levels[levels[f]]);
        d.level_from[f] = strdup("data");
        if (!d.level[f] || !d.level_from[f]) {
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
            goto out;
        }
    }
    lt_record sr = {.kind = "screening", .id = sid, .site = d.site, .patient = d.id,
                    .key = lt_verdict_name(v), .data = lt_buf_str(&doc)};
    lt_actor who = {t->user, lt_role_name(t->role)};
    rc = lt_store_put(t->st, &sr, 0, &who, "screen", reason, NULL, err);
    if (rc == LT_OK) rc = lt__patient_data_save(t, &pd, d.site, reason, err);
    if (rc == LT_OK)
        rc = lt__pdoc_save(t, &d, d.screenings == 1 ? "enrol" : "enrol.rescreen", reason, err);
out:
    rc = finish(t, &d, rc, err);
    lt__patient_data_free(&pd);
    if (rc == LT_OK) {
        if (verdict) *verdict = v;
        if (result) lt_buf_puts(result, lt_buf_str(&sjson));
    }
    lt_buf_free(&sjson);
    lt_buf_free(&failed);
    lt_buf_free(&unknown);
    lt_buf_free(&doc);
    return rc;
}

/* ---- consent, confirmation, strata ---- */

lt_status lt_trial_consent(lt_trial *t, const char *id, lt_date date, const char *form_version,
                           const char *reason, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ENROL, "record consent", err);
    if (rc == LT_OK) rc = check_date(date, "--date", err);
    if (rc != LT_OK) return rc;
    if (!form_version || !*form_version)
        LT_FAIL(err, LT_EINVAL, "--form", "the consent form's version is needed");
    lt__pdoc d;
    rc = begin_patient(t, id, &d, err);
    if (rc != LT_OK) return rc;
    char on[LT_DATE_STR_MAX], on2[LT_DATE_STR_MAX];
    /* consent on the form an amendment in force asks for, by a patient who consented on
     * another: a new consent, not a correction of the first */
    if (lt__is_reconsent(t, &d, form_version, date) && d.state != LT_STATE_ENDED) {
        char *form = strdup(form_version);
        if (!form) {
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        } else if (date < (d.reconsent_date != LT_DATE_NONE ? d.reconsent_date : d.consent_date)) {
            free(form);
            rc = lt_error_set(err, LT_EINVAL, "--date",
                              "re-consent on %s would come before the consent of %s",
                              lt_date_format(date, on),
                              lt_date_format(d.reconsent_date != LT_DATE_NONE ? d.reconsent_date
                                                                              : d.consent_date,
                                             on2));
        } else {
            free(d.reconsent_form);
            d.reconsent_form = form;
            d.reconsent_date = date;
            rc = lt__pdoc_save(t, &d, "consent.reconsent", reason, err);
        }
        return finish(t, &d, rc, err);
    }
    bool correction = d.consent_date != LT_DATE_NONE;
    if (d.state == LT_STATE_ENDED)
        rc = lt_error_set(err, LT_ESTATE, id, "patient '%s' has ended the trial (%s)", id,
                          d.end_reason ? d.end_reason : "?");
    else if (correction && (!reason || !*reason))
        rc = lt_error_set(err, LT_EINVAL, id,
                          "consent is already recorded for '%s' (%s, form %s): correcting it "
                          "needs a reason (--reason)",
                          id, lt_date_format(d.consent_date, on),
                          d.consent_form ? d.consent_form : "?");
    if (rc == LT_OK) {
        char *form = strdup(form_version);
        if (!form) {
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        } else {
            free(d.consent_form);
            d.consent_form = form;
            d.consent_date = date;
            if (d.state == LT_STATE_SCREENED) d.state = LT_STATE_CONSENTED;
            if (d.confirmed_on != LT_DATE_NONE && d.confirmed_on < date)
                rc = lt_error_set(err, LT_EINVAL, "--date",
                                  "consent on %s would come after the confirmation of "
                                  "eligibility on %s",
                                  lt_date_format(date, on), lt_date_format(d.confirmed_on, on2));
        }
        if (rc == LT_OK)
            rc = lt__pdoc_save(t, &d, correction ? "consent.correct" : "consent", reason, err);
    }
    return finish(t, &d, rc, err);
}

/* "I2, E8" from the stored screening's failed or unknown list. */
static void screening_reasons(lt_trial *t, const lt__pdoc *d, const char *list, lt_buf *out)
{
    lt_record *r = NULL;
    lt_json *j = NULL;
    if (d->last_screening && lt_store_get(t->st, "screening", d->last_screening, &r, NULL) == LT_OK &&
        lt_json_parse(r->data, strlen(r->data), "screening", &j, NULL) == LT_OK) {
        const lt_json *a = lt_json_get(j, list);
        for (size_t i = 0; i < lt_json_size(a); i++)
            lt_buf_printf(out, "%s%s", i ? ", " : "", lt_json_str(lt_json_at(a, i)));
    }
    if (!out->n) lt_buf_puts(out, "none recorded");
    lt_json_free(j);
    lt_record_free(r);
}

lt_status lt_trial_confirm(lt_trial *t, const char *id, lt_date date, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_CONFIRM, "confirm eligibility", err);
    if (rc == LT_OK) rc = check_date(date, "--date", err);
    if (rc != LT_OK) return rc;
    lt__pdoc d;
    rc = begin_patient(t, id, &d, err);
    if (rc != LT_OK) return rc;
    lt_buf why = LT_BUF_INIT;
    if (d.state == LT_STATE_SCREENED)
        rc = lt_error_set(err, LT_ESTATE, id,
                          "no consent is recorded for '%s': record it first with 'lutetia "
                          "consent'",
                          id);
    else if (d.state >= LT_STATE_CONFIRMED)
        rc = lt_error_set(err, LT_ESTATE, id, "eligibility of '%s' is already confirmed (%s)", id,
                          lt_enrol_state_name(d.state));
    else if (!d.verdict || strcmp(d.verdict, "eligible") != 0) {
        bool review = d.verdict && !strcmp(d.verdict, "needs_review");
        screening_reasons(t, &d, review ? "unknown" : "failed", &why);
        rc = lt_error_set(err, LT_ESTATE, id,
                          review ? "the screening verdict of '%s' is needs_review (unknown: %s): "
                                   "record the missing data and screen again with 'lutetia enrol'"
                                 : "the screening verdict of '%s' is ineligible (failed: %s): "
                                   "an ineligible patient cannot be confirmed",
                          id, lt_buf_str(&why));
    }
    if (rc == LT_OK) rc = check_not_before(date, d.consent_date, "--date", "consent", err);
    if (rc == LT_OK) rc = check_not_before(date, d.screened_on, "--date", "screening", err);
    if (rc == LT_OK) {
        free(d.confirmed_by);
        d.confirmed_by = strdup(t->user);
        d.confirmed_on = date;
        d.state = LT_STATE_CONFIRMED;
        rc = d.confirmed_by ? lt__pdoc_save(t, &d, "confirm", "", err)
                            : lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    lt_buf_free(&why);
    return finish(t, &d, rc, err);
}

lt_status lt_trial_set_strata(lt_trial *t, const char *id, const char *const *factors,
                              const char *const *levels, size_t n, const char *reason,
                              lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ENROL, "record stratification factors", err);
    if (rc != LT_OK) return rc;
    lt__pdoc d;
    rc = begin_patient(t, id, &d, err);
    if (rc != LT_OK) return rc;
    if (d.state >= LT_STATE_RANDOMISED)
        rc = lt_error_set(err, LT_ESTATE, id,
                          "patient '%s' is %s: stratification is fixed at randomisation", id,
                          lt_enrol_state_name(d.state));
    if (rc == LT_OK && !strata_init(t->protocol, &d))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    bool correction = false;
    for (size_t i = 0; rc == LT_OK && i < n; i++) {
        size_t f = 0;
        while (f < d.nfactors && strcmp(d.factor[f], factors[i]) != 0) f++;
        if (f == d.nfactors) {
            rc = lt_error_set(err, LT_EINVAL, "--factor",
                              "the protocol has no stratification factor '%s'", factors[i]);
            break;
        }
        const lt_strat_factor *sf = lt_protocol_strat(t->protocol, f);
        size_t l = 0;
        while (l < sf->nlevels && strcmp(sf->levels[l], levels[i]) != 0) l++;
        if (l == sf->nlevels) {
            lt_buf lv = LT_BUF_INIT;
            for (size_t k = 0; k < sf->nlevels; k++)
                lt_buf_printf(&lv, "%s%s", k ? ", " : "", sf->levels[k]);
            rc = lt_error_set(err, LT_EINVAL, "--factor",
                              "factor '%s' has no level '%s' (expected one of: %s)", factors[i],
                              levels[i], lt_buf_str(&lv));
            lt_buf_free(&lv);
            break;
        }
        if (d.level[f] && !strcmp(d.level[f], levels[i])) continue;
        if (d.level[f]) correction = true;
        free(d.level[f]), free(d.level_from[f]);
        d.level[f] = strdup(levels[i]);
        d.level_from[f] = strdup("recorded");
        if (!d.level[f] || !d.level_from[f]) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    if (rc == LT_OK && correction && (!reason || !*reason))
        rc = lt_error_set(err, LT_EINVAL, id,
                          "changing a stratification level already stored for '%s' needs a "
                          "reason (--reason)",
                          id);
    if (rc == LT_OK) rc = lt__pdoc_save(t, &d, correction ? "strata.correct" : "strata", reason, err);
    return finish(t, &d, rc, err);
}

/* ---- randomisation ---- */

static lt_status allocation_read(const lt_record *r, lt_allocation *a, lt_error *err)
{
    lt_json *j = NULL;
    lt_status rc = lt_json_parse(r->data, strlen(r->data), "allocation record", &j, err);
    if (rc != LT_OK) return rc;
    memset(a, 0, sizeof *a);
    int64_t block = lt__get_int(j, "block", 0, INT64_C(1) << 52, -1),
            pos = lt__get_int(j, "position", 0, LT_RANDOMISE_MAX_BLOCK, -1),
            size = lt__get_int(j, "block_size", 1, LT_RANDOMISE_MAX_BLOCK, -1);
    lt_json_free(j);
    if (block < 0 || pos < 0 || size < 1 || pos >= size)
        LT_FAIL(err, LT_ECORRUPT, r->id, "allocation %s has no valid block place", r->id);
    a->block = block;
    a->position = (int)pos;
    a->block_size = (int)size;
    return LT_OK;
}

lt_status lt_trial_randomise(lt_trial *t, const char *id, char **arm_out, int64_t *number_out,
                             lt_error *err)
{
    return lt_trial_randomise_on(t, id, LT_DATE_NONE, arm_out, number_out, err);
}

lt_status lt_trial_randomise_on(lt_trial *t, const char *id, lt_date date, char **arm_out,
                                int64_t *number_out, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ENROL, "randomise", err);
    if (rc != LT_OK) return rc;
    if (date == LT_DATE_NONE) date = lt_date_today();
    rc = check_date(date, "--date", err);
    if (rc != LT_OK) return rc;
    const lt_randomiser *r;
    rc = lt__trial_randomiser(t, &r, err);
    if (rc != LT_OK) return rc;
    lt__pdoc d;
    rc = begin_patient(t, id, &d, err);
    if (rc != LT_OK) return rc;
    lt_buf stratum = LT_BUF_INIT, doc = LT_BUF_INIT, key = LT_BUF_INIT, missing = LT_BUF_INIT;
    char on[LT_DATE_STR_MAX], nid[32], *arm_copy = NULL;
    int64_t number = 0;
    if (d.state >= LT_STATE_RANDOMISED)
        rc = lt_error_set(err, LT_ESTATE, id, "patient '%s' is already %s (allocation %lld)", id,
                          d.state == LT_STATE_REGISTERED ? "registered" : "randomised",
                          (long long)d.allocation);
    else if (d.state == LT_STATE_SCREENED)
        rc = lt_error_set(err, LT_ESTATE, id,
                          "no consent is recorded for '%s': record it with 'lutetia consent', "
                          "then have an investigator confirm eligibility",
                          id);
    else if (d.state == LT_STATE_CONSENTED)
        rc = lt_error_set(err, LT_ESTATE, id,
                          "eligibility of '%s' is not confirmed: an investigator confirms it "
                          "with 'lutetia confirm'",
                          id);
    else if (!d.verdict || strcmp(d.verdict, "eligible") != 0)
        rc = lt_error_set(err, LT_ESTATE, id, "the stored verdict of '%s' is %s, not eligible",
                          id, d.verdict ? d.verdict : "missing");
    else if (d.consent_date == LT_DATE_NONE)
        rc = lt_error_set(err, LT_ESTATE, id, "no consent date is recorded for '%s'", id);
    if (rc == LT_OK)
        rc = check_not_before(date, d.confirmed_on, "--date", "eligibility confirmation", err);
    if (rc == LT_OK && !strata_init(t->protocol, &d))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    int lv[LT__MAX_FACTORS];
    size_t nf = lt_randomiser_factor_count(r);
    for (size_t f = 0; rc == LT_OK && f < nf; f++) {
        lv[f] = lt_randomiser_level_index(r, f, d.level[f]);
        if (lv[f] < 0)
            lt_buf_printf(&missing, "%s%s", missing.n ? ", " : "", lt_randomiser_factor_id(r, f));
    }
    if (rc == LT_OK && missing.n)
        rc = lt_error_set(err, LT_ESTATE, id,
                          "stratification factor(s) not recorded for '%s': %s (record them with "
                          "'lutetia randomise --factor ID=LEVEL')",
                          id, lt_buf_str(&missing));
    if (rc != LT_OK) goto out;

    /* the allocation number and the stratum's block are the trial's, not the patient's:
     * randomisations take them one at a time, from here to the commit */
    rc = lt_store_lock(t->st, "allocation", err);
    if (rc == LT_OK) rc = lt_store_count(t->st, "allocation", NULL, &number, err);
    if (rc != LT_OK) goto out;
    number++;
    lt_randomiser_stratum(r, lv, &stratum);
    lt_allocation a;
    memset(&a, 0, sizeof a);
    lt_randomisation_method method = lt_randomiser_method(r);
    if (method == LT_RANDOMISE_PERMUTED_BLOCKS) {
        lt_record *last = NULL;
        lt_allocation prev;
        rc = lt_store_last_by_key(t->st, "allocation", lt_buf_str(&stratum), &last, err);
        if (rc == LT_OK) rc = allocation_read(last, &prev, err);
        lt_record_free(last);
        if (rc == LT_OK || rc == LT_ENOTFOUND)
            rc = lt_randomise_next_in_block(r, lt_buf_str(&stratum), rc == LT_OK ? &prev : NULL,
                                            &a, err);
        lt_buf_puts(&key, lt_buf_str(&stratum));
    } else if (method == LT_RANDOMISE_MINIMISATION) {
        /* counts per (factor level, arm) from the stored allocations: each allocation's key
         * is its stratum and arm, so a level's count is the sum over the strata holding it */
        size_t na = lt_randomiser_arm_count(r);
        int64_t *counts = calloc((nf ? nf : 1) * na, sizeof *counts);
        if (!counts) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        size_t nstrata = 1;
        for (size_t f = 0; f < nf; f++) nstrata *= lt_randomiser_level_count(r, f);
        int sl[LT__MAX_FACTORS];
        for (size_t s = 0; rc == LT_OK && s < nstrata; s++) {
            size_t rest = s;
            for (size_t f = nf; f-- > 0;) {
                sl[f] = (int)(rest % lt_randomiser_level_count(r, f));
                rest /= lt_randomiser_level_count(r, f);
            }
            bool shares = false;
            for (size_t f = 0; f < nf; f++) shares = shares || sl[f] == lv[f];
            if (!shares) continue;
            for (size_t arm = 0; rc == LT_OK && arm < na; arm++) {
                lt_buf_reset(&key);
                lt_randomiser_stratum(r, sl, &key);
                lt_buf_printf(&key, "|%s", lt_randomiser_arm_id(r, arm));
                int64_t c = 0;
                rc = lt_store_count(t->st, "allocation", lt_buf_str(&key), &c, err);
                for (size_t f = 0; f < nf; f++)
                    if (sl[f] == lv[f]) counts[f * na + arm] += c;
            }
        }
        if (rc == LT_OK) rc = lt_randomise_minimise(r, (uint64_t)number, counts, &a, err);
        free(counts);
        lt_buf_reset(&key);
        lt_buf_printf(&key, "%s|%s", lt_buf_str(&stratum), lt_randomiser_arm_id(r, (size_t)a.arm));
    } else {
        a.arm = 0;
        a.block = -1;
        lt_buf_puts(&key, lt_buf_str(&stratum));
    }
    if (rc != LT_OK) goto out;
    const char *arm = lt_randomiser_arm_id(r, (size_t)a.arm);
    lt_date today = date; /* the day of allocation: today, or the date given */
    snprintf(nid, sizeof nid, "%09lld", (long long)number);
    lt_buf_printf(&doc, "{\"number\":%lld,\"patient\":", (long long)number);
    lt_buf_json_str(&doc, d.id);
    lt_buf_puts(&doc, ",\"site\":");
    lt_buf_json_str(&doc, d.site);
    lt_buf_puts(&doc, ",\"arm\":");
    lt_buf_json_str(&doc, arm);
    lt_buf_puts(&doc, ",\"stratum\":");
    lt_buf_json_str(&doc, lt_buf_str(&stratum));
    lt_buf_printf(&doc, ",\"method\":\"%s\"",
                  method == LT_RANDOMISE_PERMUTED_BLOCKS ? "permuted_blocks"
                  : method == LT_RANDOMISE_MINIMISATION  ? "minimisation"
                                                         : "none");
    if (method == LT_RANDOMISE_PERMUTED_BLOCKS)
        lt_buf_printf(&doc, ",\"block\":%lld,\"position\":%d,\"block_size\":%d",
                      (long long)a.block, a.position, a.block_size);
    if (method == LT_RANDOMISE_MINIMISATION) {
        lt_buf_puts(&doc, ",\"imbalance\":{");
        for (size_t i = 0; i < lt_randomiser_arm_count(r); i++) {
            lt_buf_puts(&doc, i ? "," : "");
            lt_buf_json_str(&doc, lt_randomiser_arm_id(r, i));
            lt_buf_putc(&doc, ':');
            lt_buf_json_num(&doc, a.imbalance[i]);
        }
        lt_buf_printf(&doc, "},\"preferred\":%s", a.preferred ? "true" : "false");
    }
    lt_buf_printf(&doc, ",\"date\":\"%s\",\"by\":", lt_date_format(today, on));
    lt_buf_json_str(&doc, t->user);
    lt_buf_putc(&doc, '}');
    free(d.arm);
    d.arm = strdup(arm);
    d.allocation = number;
    d.randomised_on = today;
    d.state = method == LT_RANDOMISE_NONE ? LT_STATE_REGISTERED : LT_STATE_RANDOMISED;
    if (!d.arm || lt_buf_failed(&doc) || lt_buf_failed(&key)) {
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        goto out;
    }
    lt_record ar = {.kind = "allocation", .id = nid, .site = d.site, .patient = d.id,
                    .key = lt_buf_str(&key), .data = lt_buf_str(&doc)};
    lt_actor who = {t->user, lt_role_name(t->role)};
    rc = lt_store_put(t->st, &ar, 0, &who, "allocate", "", NULL, err);
    if (rc == LT_OK)
        rc = lt__pdoc_save(t, &d, method == LT_RANDOMISE_NONE ? "register" : "randomise", "", err);
    /* the copy is made before the commit, and handed out only after it */
    if (rc == LT_OK && !(arm_copy = strdup(arm)))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
out:
    lt_buf_free(&stratum);
    lt_buf_free(&doc);
    lt_buf_free(&key);
    lt_buf_free(&missing);
    rc = finish(t, &d, rc, err);
    if (rc == LT_OK) {
        if (number_out) *number_out = number;
        if (arm_out) {
            *arm_out = arm_copy;
            arm_copy = NULL;
        }
    }
    free(arm_copy);
    return rc;
}

/* ---- after randomisation ---- */

lt_status lt_trial_start_treatment(lt_trial *t, const char *id, lt_date date, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_TREAT, "start treatment", err);
    if (rc == LT_OK) rc = check_date(date, "--date", err);
    if (rc != LT_OK) return rc;
    lt__pdoc d;
    rc = begin_patient(t, id, &d, err);
    if (rc != LT_OK) return rc;
    if (d.state != LT_STATE_RANDOMISED && d.state != LT_STATE_REGISTERED)
        rc = lt_error_set(err, LT_ESTATE, id,
                          d.state < LT_STATE_RANDOMISED
                              ? "patient '%s' is %s: treatment starts after randomisation"
                              : "patient '%s' is already %s",
                          id, lt_enrol_state_name(d.state));
    if (rc == LT_OK) rc = check_not_before(date, d.randomised_on, "--date", "randomisation", err);
    if (rc == LT_OK) {
        d.treatment_on = date;
        d.state = LT_STATE_ON_TREATMENT;
        rc = lt__pdoc_save(t, &d, "treatment.start", "", err);
    }
    return finish(t, &d, rc, err);
}

lt_status lt_trial_start_follow_up(lt_trial *t, const char *id, lt_date date, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ENROL, "start follow-up", err);
    if (rc == LT_OK) rc = check_date(date, "--date", err);
    if (rc != LT_OK) return rc;
    lt__pdoc d;
    rc = begin_patient(t, id, &d, err);
    if (rc != LT_OK) return rc;
    if (d.state != LT_STATE_RANDOMISED && d.state != LT_STATE_REGISTERED &&
        d.state != LT_STATE_ON_TREATMENT)
        rc = lt_error_set(err, LT_ESTATE, id,
                          d.state < LT_STATE_RANDOMISED
                              ? "patient '%s' is %s: follow-up starts after randomisation"
                              : "patient '%s' is already %s",
                          id, lt_enrol_state_name(d.state));
    if (rc == LT_OK) rc = check_not_before(date, d.randomised_on, "--date", "randomisation", err);
    if (rc == LT_OK) rc = check_not_before(date, d.treatment_on, "--date", "treatment start", err);
    if (rc == LT_OK) {
        d.follow_up_on = date;
        d.state = LT_STATE_FOLLOW_UP;
        rc = lt__pdoc_save(t, &d, "follow_up.start", "", err);
    }
    return finish(t, &d, rc, err);
}

lt_status lt_trial_end(lt_trial *t, const char *id, lt_end_reason why, lt_date date,
                       const char *reason, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ENROL, "end a patient's participation", err);
    if (rc == LT_OK) rc = check_date(date, "--date", err);
    if (rc != LT_OK) return rc;
    if ((unsigned)why >= LT_END_COUNT) LT_FAIL(err, LT_EINVAL, "--reason", "unknown end reason");
    lt__pdoc d;
    rc = begin_patient(t, id, &d, err);
    if (rc != LT_OK) return rc;
    if (d.state == LT_STATE_ENDED)
        rc = lt_error_set(err, LT_ESTATE, id, "patient '%s' has already ended (%s)", id,
                          d.end_reason ? d.end_reason : "?");
    else if (d.state == LT_STATE_SCREENED)
        rc = lt_error_set(err, LT_ESTATE, id,
                          "patient '%s' was only screened: a screening failure stays screened "
                          "(it counts in the CONSORT flow); participation starts with consent",
                          id);
    else if (why == LT_END_COMPLETED && d.state != LT_STATE_FOLLOW_UP)
        rc = lt_error_set(err, LT_ESTATE, id,
                          "patient '%s' is %s: 'completed' ends a patient in follow-up", id,
                          lt_enrol_state_name(d.state));
    if (rc == LT_OK) rc = check_not_before(date, d.consent_date, "--date", "consent", err);
    if (rc == LT_OK) rc = check_not_before(date, d.randomised_on, "--date", "randomisation", err);
    if (rc == LT_OK) {
        free(d.end_reason);
        d.end_reason = strdup(lt_end_reason_name(why));
        d.end_on = date;
        d.state = LT_STATE_ENDED;
        rc = d.end_reason ? lt__pdoc_save(t, &d, "end", reason, err)
                          : lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    return finish(t, &d, rc, err);
}
