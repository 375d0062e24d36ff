/* The stored form of a patient's enrolment: one JSON document per patient, written in a fixed
 * member order so that the audit trail's old and new values compare byte for byte. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "trial_int.h"

bool lt__enrol_state_parse(const char *s, lt_enrol_state *out);

void lt__pdoc_free(lt__pdoc *d)
{
    free(d->id), free(d->site), free(d->protocol_version), free(d->verdict);
    free(d->last_screening), free(d->consent_form), free(d->confirmed_by), free(d->arm);
    free(d->end_reason), free(d->reconsent_form);
    for (size_t f = 0; f < d->nfactors; f++) free(d->factor[f]), free(d->level[f]), free(d->level_from[f]);
    memset(d, 0, sizeof *d);
}

void lt__json_date(lt_buf *b, lt_date d)
{
    char s[LT_DATE_STR_MAX];
    if (d == LT_DATE_NONE)
        lt_buf_puts(b, "null");
    else
        lt_buf_printf(b, "\"%s\"", lt_date_format(d, s));
}

lt_date lt__get_date(const lt_json *obj, const char *key)
{
    lt_date d;
    const char *s = lt_json_get_str(obj, key, NULL);
    return s && lt_date_parse(s, false, &d) ? d : LT_DATE_NONE;
}

int64_t lt__get_int(const lt_json *obj, const char *key, int64_t min, int64_t max, int64_t dflt)
{
    double v;
    if (!lt_json_num(lt_json_get(obj, key), &v) || v != floor(v) || v < (double)min ||
        v > (double)max)
        return dflt;
    return (int64_t)v;
}

static void str_member(lt_buf *b, const char *key, const char *v)
{
    lt_buf_printf(b, ",\"%s\":", key);
    lt_buf_json_str(b, v);
}

static void date_member(lt_buf *b, const char *key, lt_date v)
{
    lt_buf_printf(b, ",\"%s\":", key);
    lt__json_date(b, v);
}

void lt__pdoc_json(const lt__pdoc *d, lt_buf *b)
{
    lt_buf_puts(b, "{\"id\":");
    lt_buf_json_str(b, d->id);
    str_member(b, "site", d->site);
    str_member(b, "state", lt_enrol_state_name(d->state));
    str_member(b, "protocol_version", d->protocol_version);
    str_member(b, "verdict", d->verdict);
    date_member(b, "screened_on", d->screened_on);
    lt_buf_printf(b, ",\"screenings\":%d", d->screenings);
    str_member(b, "last_screening", d->last_screening);
    date_member(b, "consent_date", d->consent_date);
    str_member(b, "consent_form", d->consent_form);
    date_member(b, "confirmed_on", d->confirmed_on);
    str_member(b, "confirmed_by", d->confirmed_by);
    lt_buf_puts(b, ",\"strata\":{");
    for (size_t f = 0; f < d->nfactors; f++) {
        if (f) lt_buf_putc(b, ',');
        lt_buf_json_str(b, d->factor[f]);
        lt_buf_puts(b, ":{\"level\":");
        lt_buf_json_str(b, d->level[f]);
        lt_buf_puts(b, ",\"from\":");
        lt_buf_json_str(b, d->level_from[f]);
        lt_buf_putc(b, '}');
    }
    lt_buf_putc(b, '}');
    str_member(b, "arm", d->arm);
    if (d->allocation > 0)
        lt_buf_printf(b, ",\"allocation\":%lld", (long long)d->allocation);
    else
        lt_buf_puts(b, ",\"allocation\":null");
    date_member(b, "randomised_on", d->randomised_on);
    date_member(b, "treatment_on", d->treatment_on);
    date_member(b, "follow_up_on", d->follow_up_on);
    str_member(b, "end_reason", d->end_reason);
    date_member(b, "end_on", d->end_on);
    /* written only once there is one, so that documents of trials never amended stay as
     * they were */
    if (d->reconsent_form) {
        date_member(b, "reconsent_date", d->reconsent_date);
        str_member(b, "reconsent_form", d->reconsent_form);
    }
    lt_buf_putc(b, '}');
}

static bool dup_member(const lt_json *j, const char *key, char **out)
{
    const char *s = lt_json_get_str(j, key, NULL);
    *out = NULL;
    return !s || (*out = strdup(s)) != NULL;
}

lt_status lt__pdoc_parse(const char *json, int64_t rev, lt__pdoc *d, lt_error *err)
{
    lt_json *j = NULL;
    memset(d, 0, sizeof *d);
    lt_status rc = lt_json_parse(json, strlen(json), "patient record", &j, err);
    if (rc != LT_OK) return rc;
    bool ok = dup_member(j, "id", &d->id) && dup_member(j, "site", &d->site) &&
              dup_member(j, "protocol_version", &d->protocol_version) &&
              dup_member(j, "verdict", &d->verdict) &&
              dup_member(j, "last_screening", &d->last_screening) &&
              dup_member(j, "consent_form", &d->consent_form) &&
              dup_member(j, "confirmed_by", &d->confirmed_by) && dup_member(j, "arm", &d->arm) &&
              dup_member(j, "end_reason", &d->end_reason) &&
              dup_member(j, "reconsent_form", &d->reconsent_form);
    d->reconsent_date = lt__get_date(j, "reconsent_date");
    d->screened_on = lt__get_date(j, "screened_on");
    d->screenings = (int)lt__get_int(j, "screenings", 0, 999999, 0);
    d->consent_date = lt__get_date(j, "consent_date");
    d->confirmed_on = lt__get_date(j, "confirmed_on");
    d->allocation = lt__get_int(j, "allocation", 0, INT64_C(1) << 52, 0);
    d->randomised_on = lt__get_date(j, "randomised_on");
    d->treatment_on = lt__get_date(j, "treatment_on");
    d->follow_up_on = lt__get_date(j, "follow_up_on");
    d->end_on = lt__get_date(j, "end_on");
    d->rev = rev;
    const lt_json *strata = lt_json_get(j, "strata");
    for (const lt_json *m = lt_json_first(strata); ok && m; m = lt_json_next(m)) {
        if (d->nfactors == LT__MAX_FACTORS) break;
        size_t f = d->nfactors++;
        d->factor[f] = strdup(lt_json_key(m));
        ok = d->factor[f] && dup_member(m, "level", &d->level[f]) &&
             dup_member(m, "from", &d->level_from[f]);
    }
    bool state_ok = lt__enrol_state_parse(lt_json_get_str(j, "state", NULL), &d->state);
    lt_json_free(j);
    if (!ok) {
        lt__pdoc_free(d);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    if (!d->id || !d->site || !state_ok) {
        lt__pdoc_free(d);
        LT_FAIL(err, LT_ECORRUPT, "patient record", "a stored patient lacks its id, site or state");
    }
    return LT_OK;
}

lt_status lt__pdoc_load(lt_trial *t, const char *id, lt__pdoc *d, lt_error *err)
{
    lt_record *r = NULL;
    lt_status rc = lt_store_get(t->st, "patient", id, &r, err);
    if (rc == LT_ENOTFOUND)
        LT_FAIL(err, LT_ENOTFOUND, id, "no patient '%s' in this trial (screen them first with "
                                       "'lutetia enrol')",
                id);
    if (rc != LT_OK) return rc;
    rc = lt__pdoc_parse(r->data, r->rev, d, err);
    lt_record_free(r);
    return rc;
}

lt_status lt__pdoc_save(lt_trial *t, lt__pdoc *d, const char *action, const char *reason,
                        lt_error *err)
{
    lt_buf b = LT_BUF_INIT;
    lt__pdoc_json(d, &b);
    if (lt_buf_failed(&b)) {
        lt_buf_free(&b);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    lt_record r = {.kind = "patient", .id = d->id, .site = d->site, .patient = d->id,
                   .data = lt_buf_str(&b)};
    lt_actor who = {t->user, lt_role_name(t->role)};
    int64_t rev;
    lt_status rc = lt_store_put(t->st, &r, d->rev, &who, action, reason, &rev, err);
    if (rc == LT_OK) d->rev = rev;
    lt_buf_free(&b);
    return rc;
}
