/* Who the randomised patients are, for the tables that describe them (the DSMB report's
 * baseline characteristics): birth date and sex as the dose rules take them (a recorded
 * profile wins, the facts stored at screening give what it does not say), and the age in
 * whole years on the day of randomisation by lt_date_age_years, the one age computation the
 * screening's age criterion and ADaM's ADSL.AGE use too. */
#include <stdlib.h>
#include <string.h>
#include "conduct_int.h"

typedef struct pat {
    char *id, *site, *arm;
    lt_date randomised;
} pat;

typedef struct plist {
    lt_conduct *c;
    pat *v;
    size_t n, cap;
    bool oom;
    lt_status rc;
    lt_error *err;
} plist;

static int collect(const lt_record *r, void *p)
{
    plist *l = p;
    if (!lt__trial_has_site(l->c->t, r->site)) return 0;
    lt__pdoc d;
    lt_status rc = lt__pdoc_parse(r->data, r->rev, &d, l->err);
    if (rc != LT_OK) {
        l->rc = rc; /* a patient left out would make every count wrong: stop */
        return 1;
    }
    if (d.state >= LT_STATE_RANDOMISED && d.arm) {
        if (l->n == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 64;
            pat *v = realloc(l->v, cap * sizeof *v);
            if (!v)
                l->oom = true;
            else
                l->v = v, l->cap = cap;
        }
        if (!l->oom) {
            pat *x = &l->v[l->n++];
            x->id = d.id, x->site = d.site, x->arm = d.arm; /* taken from d */
            d.id = d.site = d.arm = NULL;
            x->randomised = d.randomised_on;
        }
    }
    lt__pdoc_free(&d);
    return l->oom;
}

static void plist_free(plist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].id), free(l->v[i].site), free(l->v[i].arm);
    free(l->v);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const pat *)a)->id, ((const pat *)b)->id);
}

lt_status lt_conduct_demographics(lt_conduct *c, lt_buf *json, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_READ, "read patients' demographics", err);
    if (rc != LT_OK) return rc;
    plist l = {.c = c, .err = err};
    rc = lt_store_each(lt_trial_store(c->t), "patient", NULL, collect, &l, err);
    if (rc == LT_OK && l.rc != LT_OK) rc = l.rc;
    if (rc == LT_OK && l.oom) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (l.n) qsort(l.v, l.n, sizeof *l.v, by_id);
    lt_buf b = LT_BUF_INIT;
    lt_buf_putc(&b, '[');
    for (size_t i = 0; rc == LT_OK && i < l.n; i++) {
        const pat *x = &l.v[i];
        lt__docs profile = {0}, screened = {0};
        rc = lt__docs_load(c, LT__K_PROFILE, x->id, &profile, err);
        if (rc == LT_OK) rc = lt__docs_load(c, LT__K_PATIENT_DATA, x->id, &screened, err);
        if (rc == LT_OK) {
            lt_date birth;
            const char *sex;
            lt__demographics_pick(profile.n ? profile.v[0] : NULL,
                                  screened.n ? screened.v[0] : NULL, &birth, &sex);
            char d[LT_DATE_STR_MAX];
            lt_buf_puts(&b, i ? ",{\"patient\":" : "{\"patient\":");
            lt_buf_json_str(&b, x->id);
            lt_buf_puts(&b, ",\"site\":");
            lt_buf_json_str(&b, x->site);
            lt_buf_puts(&b, ",\"arm\":");
            lt_buf_json_str(&b, x->arm);
            lt_buf_puts(&b, ",\"randomised_on\":");
            lt_buf_json_str(&b, x->randomised != LT_DATE_NONE ? lt_date_format(x->randomised, d)
                                                              : NULL);
            lt_buf_puts(&b, ",\"birth_date\":");
            lt_buf_json_str(&b, birth != LT_DATE_NONE ? lt_date_format(birth, d) : NULL);
            lt_buf_puts(&b, ",\"sex\":");
            lt_buf_json_str(&b, sex);
            /* no age from a birth after randomisation: a typing error, shown as unknown */
            if (birth != LT_DATE_NONE && x->randomised != LT_DATE_NONE && birth <= x->randomised)
                lt_buf_printf(&b, ",\"age\":%d}", lt_date_age_years(birth, x->randomised));
            else
                lt_buf_puts(&b, ",\"age\":null}");
        }
        lt__docs_free(&profile);
        lt__docs_free(&screened);
    }
    lt_buf_puts(&b, "]\n");
    if (rc == LT_OK && lt_buf_failed(&b)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) lt_buf_put(json, b.p, b.n);
    lt_buf_free(&b);
    plist_free(&l);
    return rc;
}
