/* Amendments of a running trial: a new protocol version takes effect on a date. The trial keeps
 * every version it has run under (the one it was created with, then each amendment, record kind
 * "amendment"), so that each patient is followed under the version that applies to them on a
 * given day, and the patients who consented on an older form are known until they re-consent
 * on the form the amendment brings. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/file.h"
#include "trial_int.h"

#define AMENDMENT_KIND "amendment"

/* Frees the versions from index from on (from 0: all of them, with every protocol, t->protocol
 * among them). */
static void versions_free_from(lt_trial *t, size_t from)
{
    /* what was kept for the versions in force (a conduct context) is for them no longer */
    lt__trial_keep(t, NULL, NULL);
    for (size_t i = from; i < t->nversions; i++) {
        lt_protocol_free(t->versions[i].protocol);
        lt_schedule_free(t->versions[i].sched);
        free(t->versions[i].version);
        free(t->versions[i].consent_form);
    }
    t->nversions = from < t->nversions ? from : t->nversions;
    if (from == 0) {
        free(t->versions);
        t->versions = NULL;
        t->protocol = NULL;
    }
}

void lt__trial_versions_free(lt_trial *t) { versions_free_from(t, 0); }

static int by_effective(const void *a, const void *b)
{
    const lt__trial_version *x = a, *y = b;
    return (x->effective > y->effective) - (x->effective < y->effective);
}

typedef struct load_ctx {
    lt_trial *t;
    lt_status rc;
    lt_error *err;
} load_ctx;

static int load_item(const lt_record *r, void *ctx)
{
    load_ctx *c = ctx;
    lt_trial *t = c->t;
    lt_json *j = NULL;
    c->rc = lt_json_parse(r->data, strlen(r->data), "amendment record", &j, c->err);
    if (c->rc != LT_OK) return 1;
    const char *text = lt_json_get_str(j, "text", NULL);
    const char *version = lt_json_get_str(j, "version", NULL);
    lt_date effective = lt__get_date(j, "effective");
    if (!text || !version || effective == LT_DATE_NONE) {
        c->rc = lt_error_set(c->err, LT_ECORRUPT, r->id,
                             "amendment '%s' lacks its protocol text, version or date", r->id);
        lt_json_free(j);
        return 1;
    }
    lt__trial_version *v = &t->versions[t->nversions];
    memset(v, 0, sizeof *v);
    v->effective = effective;
    c->rc = lt_protocol_parse(text, strlen(text), lt_json_get_str(j, "source", "amendment"),
                              version, &v->protocol, c->err);
    if (c->rc == LT_OK && (!(v->version = strdup(version)) ||
                           !(v->consent_form = lt__strdup0(
                                 lt_json_get_str(j, "consent_form", version)))))
        c->rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    t->nversions++; /* counted also when half-made, so that it is freed */
    lt_json_free(j);
    return c->rc == LT_OK ? 0 : 1;
}

/* Loads the amendments after the version the trial was created with (t->versions[0]). */
static lt_status load_amendments(lt_trial *t, lt_error *err)
{
    int64_t n = 0;
    lt_status rc = lt_store_count(t->st, AMENDMENT_KIND, NULL, &n, err);
    if (rc == LT_ENOTFOUND) n = 0, rc = LT_OK;
    if (rc != LT_OK) return rc;
    if (n == 0) return LT_OK;
    lt__trial_version *more = realloc(t->versions, ((size_t)n + 1) * sizeof *more);
    if (!more) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    t->versions = more;
    load_ctx c = {t, LT_OK, err};
    rc = lt_store_each(t->st, AMENDMENT_KIND, NULL, load_item, &c, err);
    if (rc == LT_OK) rc = c.rc;
    if (rc != LT_OK) return rc;
    if (rc == LT_OK && t->nversions != (size_t)n + 1)
        rc = lt_error_set(err, LT_ECORRUPT, "amendment", "the amendments changed while read");
    if (rc != LT_OK) return rc;
    qsort(t->versions + 1, t->nversions - 1, sizeof *t->versions, by_effective);
    /* the trial acts under the version in force today; each patient's calendar asks for the
     * version in force on each of its dates (lt_trial_protocol_on) */
    const lt__trial_version *now = lt__trial_version_on(t, lt_date_today());
    if (now->protocol != t->protocol) {
        char *v = strdup(now->version);
        if (!v) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
        free(t->protocol_version);
        t->protocol_version = v;
        t->protocol = now->protocol;
    }
    return LT_OK;
}

lt_status lt__trial_versions_load(lt_trial *t, lt_error *err)
{
    /* the version the trial was created with applies from the start; from here on the
     * versions own every protocol, and t->protocol is the one in force today */
    if (!(t->versions = calloc(1, sizeof *t->versions)))
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    t->versions[0].protocol = t->protocol;
    t->versions[0].effective = LT_DATE_NONE;
    t->nversions = 1;
    if (!(t->versions[0].version = lt__strdup0(t->protocol_version)))
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    return load_amendments(t, err);
}

/* Reads the amendments again (one was just added), from the version the trial began with. */
static lt_status versions_reload(lt_trial *t, lt_error *err)
{
    versions_free_from(t, 1);
    char *v = strdup(t->versions[0].version);
    if (!v) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    free(t->protocol_version);
    t->protocol_version = v;
    t->protocol = t->versions[0].protocol;
    return load_amendments(t, err);
}

lt_status lt__trial_schedule_of(lt_trial *t, const lt_protocol *p, const lt_schedule **out,
                                lt_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < t->nversions; i++) {
        lt__trial_version *v = &t->versions[i];
        if (v->protocol != p) continue;
        if (!v->sched) {
            lt_status rc = lt_schedule_from_protocol(p, &v->sched, err);
            if (rc != LT_OK) return rc;
        }
        *out = v->sched;
        return LT_OK;
    }
    return LT_OK;
}

const lt__trial_version *lt__trial_version_on(const lt_trial *t, lt_date d)
{
    size_t k = 0;
    for (size_t i = 1; i < t->nversions; i++)
        if (d != LT_DATE_NONE && t->versions[i].effective <= d) k = i;
    return &t->versions[k];
}

const lt_protocol *lt_trial_protocol_on(const lt_trial *t, lt_date d)
{
    return t->nversions ? lt__trial_version_on(t, d)->protocol : t->protocol;
}

size_t lt_trial_version_count(const lt_trial *t) { return t->nversions; }

bool lt_trial_version_at(const lt_trial *t, size_t i, const char **version, lt_date *effective,
                         const char **consent_form)
{
    if (i >= t->nversions) return false;
    *version = t->versions[i].version;
    *effective = t->versions[i].effective;
    *consent_form = t->versions[i].consent_form;
    return true;
}

/* The consent form the patient's consent stands on now: the latest re-consent, else the
 * first consent. */
static const char *form_in_force(const lt__pdoc *d)
{
    return d->reconsent_form ? d->reconsent_form : d->consent_form;
}

const char *lt__reconsent_due(const lt_trial *t, const lt__pdoc *d, lt_date on)
{
    if (d->consent_date == LT_DATE_NONE || d->state == LT_STATE_ENDED || t->nversions < 2)
        return NULL;
    const lt__trial_version *v = lt__trial_version_on(t, on);
    if (v == &t->versions[0] || !v->consent_form) return NULL;
    const char *form = form_in_force(d);
    return form && !strcmp(form, v->consent_form) ? NULL : v->consent_form;
}

bool lt__is_reconsent(const lt_trial *t, const lt__pdoc *d, const char *form, lt_date date)
{
    if (d->consent_date == LT_DATE_NONE || t->nversions < 2) return false;
    const lt__trial_version *v = lt__trial_version_on(t, date);
    const char *now = form_in_force(d);
    return v != &t->versions[0] && v->consent_form && !strcmp(v->consent_form, form) &&
           (!now || strcmp(now, form) != 0);
}

typedef struct due_ctx {
    const lt_trial *t;
    lt_date on;
    int n;
} due_ctx;

static int count_due(const lt_record *r, void *ctx)
{
    due_ctx *c = ctx;
    lt__pdoc d;
    if (lt__pdoc_parse(r->data, r->rev, &d, NULL) != LT_OK) return 0;
    if (lt__reconsent_due(c->t, &d, c->on)) c->n++;
    lt__pdoc_free(&d);
    return 0;
}

lt_status lt_trial_amend(lt_trial *t, const lt_trial_amendment *a, int *reconsent_due,
                         lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ADMINISTER, "amend the protocol", err);
    if (rc != LT_OK) return rc;
    /* from a file (the command line) or its content (a request body): the same checks */
    const char *source = a->protocol && *a->protocol ? a->protocol : a->text ? "protocol" : NULL;
    if (!source)
        LT_FAIL(err, LT_EINVAL, "protocol", "the amended protocol's file is needed");
    if (!a->version || !*a->version)
        LT_FAIL(err, LT_EINVAL, "version", "the version the amendment brings is needed");
    if (a->effective == LT_DATE_NONE)
        LT_FAIL(err, LT_EINVAL, "effective", "the date the amendment takes effect is needed");
    lt_protocol *p = NULL;
    char *text = NULL;
    size_t len = 0;
    rc = a->text ? lt_protocol_parse(a->text, strlen(a->text), source, a->version, &p, err)
                 : lt_protocol_load(a->protocol, a->version, &p, err);
    if (rc == LT_OK && strcmp(lt_protocol_id(p), lt_protocol_id(t->protocol)) != 0)
        rc = lt_error_set(err, LT_EINVAL, "protocol",
                          "this %s is protocol %s; the trial runs protocol %s",
                          a->text ? "document" : "file", lt_protocol_id(p),
                          lt_protocol_id(t->protocol));
    if (rc != LT_OK) {
        lt_protocol_free(p);
        return rc;
    }
    lt_protocol_free(p);
    p = NULL;
    for (size_t i = 0; i < t->nversions; i++)
        if (!strcmp(t->versions[i].version, a->version))
            LT_FAIL(err, LT_ECONFLICT, "version",
                    "the trial already runs under version %s (%s): an amendment brings a new "
                    "version",
                    a->version, i ? "an amendment" : "the version it was created with");
    const lt__trial_version *last = &t->versions[t->nversions - 1];
    if (t->nversions > 1 && a->effective <= last->effective) {
        char l[LT_DATE_STR_MAX], e[LT_DATE_STR_MAX];
        LT_FAIL(err, LT_EINVAL, "effective",
                "amendments take effect in order: version %s takes effect on %s, so %s must "
                "come after it, found %s",
                last->version, lt_date_format(last->effective, l), a->version,
                lt_date_format(a->effective, e));
    }
    /* the text read is the text stored; a file changed between the two reads is parsed again
     * when the trial is next opened, and refused there if it no longer holds the version */
    if (a->text) {
        len = strlen(a->text);
        if (!(text = strdup(a->text))) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    } else {
        rc = lt_file_read(a->protocol, &text, &len, err);
    }
    lt_buf doc = LT_BUF_INIT;
    if (rc == LT_OK) {
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[LT_STORE_HASH_HEX];
        crypto_hash_sha256(h, (const unsigned char *)text, len);
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        lt_buf_puts(&doc, "{\"version\":");
        lt_buf_json_str(&doc, a->version);
        lt_buf_puts(&doc, ",\"previous\":");
        lt_buf_json_str(&doc, last->version);
        lt_buf_puts(&doc, ",\"effective\":");
        lt__json_date(&doc, a->effective);
        lt_buf_puts(&doc, ",\"consent_form\":");
        lt_buf_json_str(&doc, a->consent_form && *a->consent_form ? a->consent_form : a->version);
        lt_buf_puts(&doc, ",\"source\":");
        lt_buf_json_str(&doc, source);
        lt_buf_printf(&doc, ",\"protocol_sha256\":\"%s\",\"text\":", hex);
        lt_buf_json_str(&doc, text);
        lt_buf_putc(&doc, '}');
        if (lt_buf_failed(&doc)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    free(text);
    lt_actor who = {t->user, lt_role_name(t->role)};
    if (rc == LT_OK) rc = lt_store_begin(t->st, err);
    if (rc == LT_OK) {
        lt_record r = {.kind = AMENDMENT_KIND, .id = a->version, .data = lt_buf_str(&doc)};
        rc = lt_store_put(t->st, &r, 0, &who, "trial.amend", a->reason ? a->reason : "", NULL,
                          err);
        if (rc == LT_OK) rc = lt_store_commit(t->st, err);
        if (rc != LT_OK) lt_store_rollback(t->st);
    }
    lt_buf_free(&doc);
    if (rc != LT_OK) return rc;
    /* take it up at once, as a reopened trial would */
    rc = versions_reload(t, err);
    if (rc == LT_OK && reconsent_due) {
        due_ctx c = {t, a->effective > lt_date_today() ? a->effective : lt_date_today(), 0};
        rc = lt_store_each(t->st, "patient", NULL, count_due, &c, err);
        *reconsent_due = c.n;
    }
    return rc;
}
