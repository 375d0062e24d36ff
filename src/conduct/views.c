/* Reading the conduct of a trial back: each randomised patient's outcomes record assembled
 * from the store (the shape of docs/outcomes-format.md, read by o1's outcomes reader so the
 * file-based and store-based paths agree), calendars recomputed from the stored dates, what is
 * due at each site, and endpoint datasets for the analysis. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conduct_int.h"

static void conduct_destroy(lt_conduct *c)
{
    lt_schedule_free(c->own_sched);
    lt_endpoints_free(c->ends);
    lt__conduct_tables_close(c);
    free(c->oral);
    free(c->data_dir);
    free(c);
}

/* The trial gives up the context it kept: freed now, or by its last user. */
static void drop_kept(void *p)
{
    lt_conduct *c = p;
    c->kept = false;
    if (c->refs == 0) conduct_destroy(c);
}

static bool same_dir(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

lt_status lt_conduct_new(lt_trial *t, const lt_conduct_tables *tables, lt_conduct **out,
                         lt_error *err)
{
    const char *dir = getenv("LUTETIA_DATA_DIR");
    lt_conduct *k = t->kept_drop == drop_kept ? t->kept : NULL;
    if (!tables && k && same_dir(k->data_dir, dir)) {
        k->refs++;
        *out = k;
        return LT_OK;
    }
    lt_conduct *c = calloc(1, sizeof *c);
    if (!c) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    c->refs = 1;
    c->t = t;
    const lt_protocol *p = lt_trial_protocol(t);
    lt_status rc = lt__conduct_schedule(c, p, &c->sched, &c->own_sched, err);
    if (rc == LT_OK) rc = lt_endpoints_from_protocol(p, &c->ends, err);
    if (rc == LT_ENOTFOUND) {
        c->ends = NULL; /* a protocol without endpoints: recording works, derivation does not */
        if (err) lt_error_clear(err);
        rc = LT_OK;
    }
    if (rc == LT_OK) {
        lt_dosing_plan_default(&c->plan);
        rc = lt_dosing_plan_from_json(lt_protocol_section(p, "dosing"), "protocol", &c->plan, err);
    }
    if (rc == LT_OK) rc = lt__conduct_tables_open(c, tables, err);
    if (rc == LT_OK) {
        /* room for the arms that have an oral drug, not for the most there may be: a spec is
         * 36 kB, and zeroing sixteen of them was a twentieth of a calendar read (profiled under
         * wrk). More than the most still meets lt_oral_specs_from_arms's "too many". */
        const lt_json *arms = lt_protocol_section(p, "arms");
        size_t want = 0;
        for (const lt_json *a = lt_json_first(arms); a; a = lt_json_next(a))
            if (lt_json_get(a, "oral_drug")) want++;
        if (want > LT_ORAL_MAX_ARMS) want = LT_ORAL_MAX_ARMS;
        c->oral = calloc(want ? want : 1, sizeof *c->oral);
        rc = c->oral ? lt_oral_specs_from_arms(arms, c->oral, want, &c->noral, err)
                     : lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    if (rc == LT_OK && dir && !(c->data_dir = strdup(dir)))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc != LT_OK) {
        conduct_destroy(c);
        return rc;
    }
    if (!tables) {
        c->kept = true;
        lt__trial_keep(t, c, drop_kept);
    }
    *out = c;
    return LT_OK;
}

void lt_conduct_free(lt_conduct *c)
{
    if (!c || --c->refs > 0 || c->kept) return;
    conduct_destroy(c);
}

/* ---- one patient's outcomes record ---- */

static void key_date(lt_buf *b, bool *first, const char *key, lt_date d)
{
    char s[LT_DATE_STR_MAX];
    lt_buf_puts(b, *first ? "" : ",");
    *first = false;
    lt_buf_json_str(b, key);
    lt_buf_printf(b, ":\"%s\"", lt_date_format(d, s));
}

static void later(lt_date *last, lt_date d)
{
    if (d != LT_DATE_NONE && (*last == LT_DATE_NONE || d > *last)) *last = d;
}

bool lt__outcomes_carry(const char *kind)
{
    /* patient_json's kinds whose documents it copies, not only dates */
    static const char *const carried[] = {LT__K_ANCHOR, LT__K_VISIT, LT__K_ASSESSMENT,
                                          LT__K_EVENT, LT__K_QUESTIONNAIRE, LT__K_PATIENT_DATA};
    for (size_t i = 0; i < sizeof carried / sizeof carried[0]; i++)
        if (!strcmp(kind, carried[i])) return true;
    return false;
}

/* The outcomes record of d; recs, when given, are the patient's labs, assessments and
 * questionnaires already read for its calendar (read once, not twice). */
static lt_status patient_json(lt_conduct *c, const lt__pdoc *d, const lt__sched_recs *recs,
                              lt_buf *b, lt_error *err)
{
    static const char *const kinds[] = {LT__K_ANCHOR, LT__K_VISIT, LT__K_ASSESSMENT,
                                        LT__K_EVENT,  LT__K_LAB,   LT__K_ADMIN,
                                        LT__K_AE,     LT__K_QUESTIONNAIRE, LT__K_PATIENT_DATA};
    enum { ANCHOR, VISIT, ASSESSMENT, EVENT, LAB, ADMIN, AE, QUESTIONNAIRE, SCREENED, NKINDS };
    lt__docs docs[NKINDS];
    memset(docs, 0, sizeof docs);
    bool borrowed[NKINDS] = {false};
    if (recs) { /* lt__sched_recs_load's order: labs, assessments, questionnaires */
        docs[LAB] = recs->docs[0];
        docs[ASSESSMENT] = recs->docs[1];
        docs[QUESTIONNAIRE] = recs->docs[2];
        borrowed[LAB] = borrowed[ASSESSMENT] = borrowed[QUESTIONNAIRE] = true;
    }
    lt_status rc = LT_OK;
    for (int k = 0; k < NKINDS && rc == LT_OK; k++)
        if (!borrowed[k]) rc = lt__docs_load(c, kinds[k], d->id, &docs[k], err);
    if (rc != LT_OK) goto out;

    lt_date last = LT_DATE_NONE;
    lt_buf_puts(b, "{\"id\":");
    lt_buf_json_str(b, d->id);
    lt_buf_puts(b, ",\"site\":");
    lt_buf_json_str(b, d->site);
    if (d->arm) {
        lt_buf_puts(b, ",\"arm\":");
        lt_buf_json_str(b, d->arm);
    }
    lt_buf_puts(b, ",\"strata\":{");
    bool first = true;
    for (size_t f = 0; f < d->nfactors; f++) {
        if (!d->level[f]) continue;
        lt_buf_puts(b, first ? "" : ",");
        first = false;
        lt_buf_json_str(b, d->factor[f]);
        lt_buf_putc(b, ':');
        lt_buf_json_str(b, d->level[f]);
    }
    /* anchors as recorded; the randomisation anchor defaults to the day of allocation */
    lt_buf_puts(b, "},\"anchors\":{");
    first = true;
    bool have_rand = false;
    for (size_t i = 0; i < docs[ANCHOR].n; i++) {
        const char *name = lt_json_get_str(docs[ANCHOR].v[i], "anchor", "");
        lt_date ad = lt__get_date(docs[ANCHOR].v[i], "date");
        if (ad == LT_DATE_NONE) continue;
        if (!strcmp(name, "randomisation")) have_rand = true;
        key_date(b, &first, name, ad);
    }
    if (!have_rand && d->randomised_on != LT_DATE_NONE)
        key_date(b, &first, "randomisation", d->randomised_on);
    /* data entered once: a liver resection among the screened procedures is the anchor until
     * one is recorded (`record anchor` corrects it, with a reason) */
    bool have_resection = false;
    for (size_t i = 0; i < docs[ANCHOR].n; i++)
        have_resection = have_resection ||
                         !strcmp(lt_json_get_str(docs[ANCHOR].v[i], "anchor", ""), "liver_resection");
    lt_date resection = have_resection || !docs[SCREENED].n
                            ? LT_DATE_NONE
                            : lt__screened_procedure(docs[SCREENED].v[0], "liver_resection");
    if (resection != LT_DATE_NONE) key_date(b, &first, "liver_resection", resection);
    lt_buf_puts(b, "},\"visits\":{");
    first = true;
    for (size_t i = 0; i < docs[VISIT].n; i++) {
        const lt_json *v = docs[VISIT].v[i];
        lt_date vd = lt__get_date(v, "date");
        const char *why = lt_json_get_str(v, "reason", NULL);
        later(&last, vd);
        if (!why) {
            key_date(b, &first, lt_json_get_str(v, "entry", ""), vd);
            continue;
        }
        char s[LT_DATE_STR_MAX];
        lt_buf_puts(b, first ? "" : ",");
        first = false;
        lt_buf_json_str(b, lt_json_get_str(v, "entry", ""));
        lt_buf_printf(b, ":{\"date\":\"%s\",\"reason\":", lt_date_format(vd, s));
        lt_buf_json_str(b, why);
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "},\"assessments\":[");
    for (size_t i = 0; i < docs[ASSESSMENT].n; i++) {
        const lt_json *a = docs[ASSESSMENT].v[i];
        char s[LT_DATE_STR_MAX];
        lt_date ad = lt__get_date(a, "date");
        bool nl = false;
        lt_json_bool(lt_json_get(a, "new_lesions"), &nl);
        later(&last, ad);
        lt_buf_printf(b, "%s{\"date\":\"%s\",\"modality\":", i ? "," : "", lt_date_format(ad, s));
        lt_buf_json_str(b, lt_json_get_str(a, "modality", ""));
        lt_buf_printf(b, ",\"new_lesions\":%s", nl ? "true" : "false");
        /* lesions are stored in the outcomes format's own form (lt_conduct_tumour) */
        const lt_json *ls = lt_json_get(a, "lesions");
        if (ls) {
            char *txt = lt_json_print(ls);
            if (!txt) {
                rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
                goto out;
            }
            lt_buf_puts(b, ",\"lesions\":");
            lt_buf_puts(b, txt);
            free(txt);
        }
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "],\"events\":[");
    for (size_t i = 0; i < docs[EVENT].n; i++) {
        const lt_json *e = lt_json_get(docs[EVENT].v[i], "event");
        later(&last, lt__get_date(e, "date"));
        char *txt = lt_json_print(e);
        if (!txt) {
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
            goto out;
        }
        lt_buf_puts(b, i ? "," : "");
        lt_buf_puts(b, txt);
        free(txt);
    }
    lt_buf_puts(b, "],\"questionnaires\":[");
    for (size_t i = 0; i < docs[QUESTIONNAIRE].n; i++) {
        const lt_json *q = docs[QUESTIONNAIRE].v[i];
        char s[LT_DATE_STR_MAX];
        lt_date qd = lt__get_date(q, "date");
        later(&last, qd);
        char *items = lt_json_print(lt_json_get(q, "items"));
        if (!items) {
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
            goto out;
        }
        lt_buf_printf(b, "%s{\"date\":\"%s\",\"instrument\":", i ? "," : "",
                      lt_date_format(qd, s));
        lt_buf_json_str(b, lt_json_get_str(q, "instrument", "qlq_c30"));
        lt_buf_printf(b, ",\"items\":%s}", items);
        free(items);
    }
    lt_buf_puts(b, "]");
    /* the last day the patient was seen: any dated record of the conduct */
    for (size_t i = 0; i < docs[LAB].n; i++)
        later(&last, lt__get_date(docs[LAB].v[i], "date"));
    for (size_t i = 0; i < docs[ADMIN].n; i++)
        later(&last, lt__get_date(docs[ADMIN].v[i], "date"));
    for (size_t i = 0; i < docs[AE].n; i++)
        later(&last, lt__get_date(docs[AE].v[i], "start"));
    if (last != LT_DATE_NONE) {
        char s[LT_DATE_STR_MAX];
        lt_buf_printf(b, ",\"last_contact\":\"%s\"", lt_date_format(last, s));
    }
    lt_buf_putc(b, '}');
out:
    for (int k = 0; k < NKINDS; k++)
        if (!borrowed[k]) lt__docs_free(&docs[k]);
    return rc;
}

lt_status lt__conduct_patient_json(lt_conduct *c, const lt__pdoc *d, lt_buf *b, lt_error *err)
{
    return patient_json(c, d, NULL, b, err);
}

static void set_head(lt_conduct *c, lt_buf *b)
{
    lt_buf_puts(b, "{\"format\":\"lutetia-outcomes\",\"format_version\":1,\"protocol\":");
    lt_buf_json_str(b, lt_protocol_id(lt_trial_protocol(c->t)));
    lt_buf_puts(b, ",\"patients\":[");
}

static lt_status parse_set(const lt_buf *b, const char *source, lt_outcome_set **out,
                           lt_error *err)
{
    if (lt_buf_failed(b)) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    return lt_outcome_set_parse(lt_buf_str(b), b->n, source, out, err);
}

lt_status lt__conduct_record(lt_conduct *c, const lt__pdoc *d, lt_outcome_set **out,
                             lt_error *err)
{
    lt_buf b = LT_BUF_INIT;
    set_head(c, &b);
    lt_status rc = lt__conduct_patient_json(c, d, &b, err);
    lt_buf_puts(&b, "]}");
    char source[128];
    snprintf(source, sizeof source, "trial store, patient %.64s", d->id);
    if (rc == LT_OK) rc = parse_set(&b, source, out, err);
    lt_buf_free(&b);
    return rc;
}

/* One calendar from an outcomes record assembled from the store and the work recorded. */
static lt_status calendar_of_protocol(lt_conduct *c, const lt_outcome_record *r, lt_date as_of,
                                      const lt__sched_recs *given, lt_calendar **out,
                                      lt_error *err)
{
    lt__sched_recs recs;
    lt_status rc = given ? LT_OK : lt__sched_recs_load(c, r->id, &recs, err);
    if (rc != LT_OK) return rc;
    if (given) recs = *given; /* borrowed: not freed here */
    /* the dose decisions: a withheld cycle is planned again from them */
    lt__sched_decs decs;
    rc = lt__sched_decs_load(c, r->id, &decs, err);
    if (rc != LT_OK) {
        if (!given) lt__sched_recs_free(&recs);
        return rc;
    }
    lt_schedule_input in;
    lt_outcome_record_schedule_input(r, as_of, &in);
    size_t nv = lt_trial_version_count(c->t);
    if (nv < 2) {
        rc = lt_schedule_compute_decided(c->sched, &in, recs.v, recs.n, decs.v, decs.n, out, err);
        if (!given) lt__sched_recs_free(&recs);
        lt__sched_decs_free(&decs);
        return rc;
    }
    /* An amended trial: each entry follows the version in force on its date (docs/conduct.md,
     * "Amendments"), so the calendar is computed under each version and spliced at the
     * effective dates. */
    lt_calendar **parts = calloc(nv, sizeof *parts);
    lt_date *from = calloc(nv, sizeof *from);
    if (!parts || !from) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    size_t made = 0;
    for (size_t k = 0; rc == LT_OK && k < nv; k++) {
        const char *version, *form;
        lt_trial_version_at(c->t, k, &version, &from[k], &form);
        const lt_schedule *sk = NULL;
        lt_schedule *own = NULL;
        rc = lt__conduct_schedule(c, lt_trial_protocol_on(c->t, from[k]), &sk, &own, err);
        if (rc == LT_OK)
            rc = lt_schedule_compute_decided(sk, &in, recs.v, recs.n, decs.v, decs.n, &parts[k],
                                             err);
        if (rc == LT_OK) made++;
        lt_schedule_free(own);
    }
    if (rc == LT_OK) {
        rc = lt_calendar_splice(parts, from, nv, out, err);
    } else {
        for (size_t k = 0; k < made; k++) lt_calendar_free(parts[k]);
    }
    free(parts);
    free(from);
    if (!given) lt__sched_recs_free(&recs);
    lt__sched_decs_free(&decs);
    return rc;
}

/* The patient's calendar: the protocol's entries, then an oral drug's (dispensing visits
 * filled by what was dispensed, cancelled after the stop). */
static lt_status calendar_of(lt_conduct *c, const lt_outcome_record *r, lt_date as_of,
                             const lt__sched_recs *recs, lt_calendar **out, lt_error *err)
{
    *out = NULL;
    lt_status rc = calendar_of_protocol(c, r, as_of, recs, out, err);
    if (rc == LT_OK) rc = lt__oral_calendar(c, r->id, *out, err);
    if (rc != LT_OK && *out) {
        lt_calendar_free(*out);
        *out = NULL;
    }
    return rc;
}

lt_status lt__conduct_calendar(lt_conduct *c, const lt__pdoc *d, lt_date as_of,
                               lt_calendar **out, lt_error *err)
{
    lt_outcome_set *set = NULL;
    lt_status rc = lt__conduct_record(c, d, &set, err);
    if (rc != LT_OK) return rc;
    rc = calendar_of(c, set->records[0], as_of, NULL, out, err);
    lt_outcome_set_free(set);
    if (rc != LT_OK && *out) {
        lt_calendar_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- every readable patient ---- */

typedef struct plist {
    lt_conduct *c;
    char **ids;
    size_t n, cap;
    bool failed;
} plist;

static int collect_patient(const lt_record *r, void *ctx)
{
    plist *l = ctx;
    if (!lt__trial_has_site(l->c->t, r->site)) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **ids = realloc(l->ids, cap * sizeof *ids);
        if (!ids) return l->failed = true, 1;
        l->ids = ids;
        l->cap = cap;
    }
    if (!(l->ids[l->n] = strdup(r->id))) return l->failed = true, 1;
    l->n++;
    return 0;
}

static void plist_free(plist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->ids[i]);
    free(l->ids);
}

lt_status lt_conduct_outcomes(lt_conduct *c, const char *patient, lt_buf *json,
                              lt_outcome_set **set, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_READ, "read outcomes", err);
    if (rc != LT_OK) return rc;
    plist l = {.c = c};
    if (patient) {
        lt__pdoc d;
        rc = lt__pdoc_load(c->t, patient, &d, err);
        if (rc != LT_OK) return rc;
        rc = lt__trial_site_ok(c->t, d.site, err);
        lt__pdoc_free(&d);
        if (rc != LT_OK) return rc;
        l.ids = malloc(sizeof *l.ids);
        if (l.ids && (l.ids[0] = strdup(patient))) l.n = 1;
        if (!l.n) {
            free(l.ids);
            LT_FAIL(err, LT_ENOMEM, "", "out of memory");
        }
    } else {
        rc = lt_store_each(lt_trial_store(c->t), "patient", NULL, collect_patient, &l, err);
        if (rc == LT_OK && l.failed) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        if (rc != LT_OK) {
            plist_free(&l);
            return rc;
        }
    }
    lt_buf b = LT_BUF_INIT;
    set_head(c, &b);
    size_t k = 0;
    for (size_t i = 0; i < l.n && rc == LT_OK; i++) {
        lt__pdoc d;
        rc = lt__pdoc_load(c->t, l.ids[i], &d, err);
        if (rc != LT_OK) break;
        if (d.state >= LT_STATE_RANDOMISED && d.arm) {
            if (k++) lt_buf_putc(&b, ',');
            rc = lt__conduct_patient_json(c, &d, &b, err);
        } else if (patient) {
            rc = lt_error_set(err, LT_ESTATE, patient, "patient '%s' is %s, not yet randomised",
                              patient, lt_enrol_state_name(d.state));
        }
        lt__pdoc_free(&d);
    }
    lt_buf_puts(&b, "]}");
    plist_free(&l);
    lt_outcome_set *s = NULL;
    if (rc == LT_OK && set) rc = parse_set(&b, "trial store", &s, err);
    if (rc == LT_OK && json) {
        lt_buf_puts(json, lt_buf_str(&b));
        lt_buf_putc(json, '\n');
    }
    lt_buf_free(&b);
    if (rc == LT_OK && set) *set = s;
    return rc;
}

/* lt_conduct_outcomes of one patient for its calendar: the same checks in the same order
 * (reading allowed, the patient's site, randomised), and the same record, built from the labs,
 * assessments and questionnaires in recs (which the calendar reads too) rather than reading
 * them a second time. */
static lt_status calendar_record(lt_conduct *c, const char *patient, lt__sched_recs *recs,
                                 lt_outcome_set **set, lt_error *err)
{
    *set = NULL;
    memset(recs, 0, sizeof *recs);
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_READ, "read outcomes", err);
    if (rc != LT_OK) return rc;
    lt__pdoc d;
    if ((rc = lt__pdoc_load(c->t, patient, &d, err)) != LT_OK) return rc;
    rc = lt__trial_site_ok(c->t, d.site, err);
    if (rc == LT_OK && !(d.state >= LT_STATE_RANDOMISED && d.arm))
        rc = lt_error_set(err, LT_ESTATE, patient, "patient '%s' is %s, not yet randomised",
                          patient, lt_enrol_state_name(d.state));
    if (rc == LT_OK) rc = lt__sched_recs_load(c, d.id, recs, err);
    lt_buf b = LT_BUF_INIT;
    if (rc == LT_OK) {
        set_head(c, &b);
        rc = patient_json(c, &d, recs, &b, err);
        lt_buf_puts(&b, "]}");
    }
    if (rc == LT_OK) rc = parse_set(&b, "trial store", set, err);
    lt_buf_free(&b);
    lt__pdoc_free(&d);
    return rc;
}

lt_status lt_conduct_calendar(lt_conduct *c, const char *patient, lt_date as_of,
                              lt_calendar **out, lt_error *err)
{
    lt_outcome_set *set = NULL;
    lt__sched_recs recs;
    *out = NULL;
    /* the calendar read from one snapshot: its dozen listings then see the patient as of one
     * moment (a record written meanwhile is in all of them or in none) and share one read
     * transaction instead of taking a read lock each. Inside a caller's transaction, that
     * one is the snapshot. */
    lt_store *st = lt_trial_store(c->t);
    lt_error ignored;
    bool own = lt_store_read_begin(st, &ignored) == LT_OK;
    lt_status rc = calendar_record(c, patient, &recs, &set, err);
    /* "as of" defaults to today: an entry whose window has closed is overdue now */
    if (rc == LT_OK)
        rc = calendar_of(c, set->records[0], as_of == LT_DATE_NONE ? lt_date_today() : as_of,
                         &recs, out, err);
    if (own) lt_store_read_end(st);
    lt__sched_recs_free(&recs);
    lt_outcome_set_free(set);
    if (rc != LT_OK && *out) {
        lt_calendar_free(*out);
        *out = NULL;
    }
    return rc;
}

lt_status lt_conduct_calendar_of(lt_conduct *c, const lt_outcome_record *r, lt_date as_of,
                                 lt_calendar **out, lt_error *err)
{
    lt_status rc = calendar_of(c, r, as_of == LT_DATE_NONE ? lt_date_today() : as_of, NULL, out,
                               err);
    if (rc != LT_OK && *out) {
        lt_calendar_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- what is due ---- */

lt_status lt_due_period(lt_date *from, lt_date *to, lt_error *err)
{
    /* the period defaults to the four weeks from today */
    if (*from == LT_DATE_NONE) *from = lt_date_today();
    if (*to == LT_DATE_NONE) *to = *from + LT_DUE_DEFAULT_DAYS - 1;
    if (*to < *from) LT_FAIL(err, LT_EINVAL, "to", "a period with from on or before to is needed");
    return LT_OK;
}

typedef struct due_order {
    const lt_due_patient *p;
    size_t at;
} due_order;

/* Site order (patients without a site last), then the order given. */
static int cmp_due(const void *a, const void *b)
{
    const due_order *x = a, *y = b;
    if (!x->p->site != !y->p->site) return x->p->site ? -1 : 1;
    int c = x->p->site ? strcmp(x->p->site, y->p->site) : 0;
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

lt_status lt_due_write(const char *title, const lt_due_patient *pats, size_t np, lt_date from,
                       lt_date to, const char *site, bool json, lt_buf *out, size_t *count,
                       lt_error *err)
{
    lt_status rc = lt_due_period(&from, &to, err);
    if (rc != LT_OK) return rc;
    due_order *order = calloc(np + 1, sizeof *order);
    if (!order) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < np; i++) order[i] = (due_order){&pats[i], i};
    qsort(order, np, sizeof *order, cmp_due);
    lt_buf b = LT_BUF_INIT;
    char f[LT_DATE_STR_MAX], t[LT_DATE_STR_MAX];
    if (json)
        lt_buf_printf(&b, "{\"from\":\"%s\",\"to\":\"%s\",\"entries\":[", lt_date_format(from, f),
                      lt_date_format(to, t));
    else
        lt_buf_printf(&b, "%s: due from %s to %s\n", title, lt_date_format(from, f),
                      lt_date_format(to, t));
    size_t n = 0;
    bool headed = false;
    const char *shown = NULL;
    for (size_t i = 0; i < np; i++) {
        const lt_due_patient *pt = order[i].p;
        if (site && (!pt->site || strcmp(pt->site, site))) continue;
        /* a heading when the site changes (text) */
        if (!json && (!headed || !shown != !pt->site || (pt->site && strcmp(shown, pt->site))))
            lt_buf_printf(&b, "\nsite %s\n", pt->site ? pt->site : "(none recorded)");
        headed = true;
        shown = pt->site;
        for (size_t j = 0; j < pt->cal->n; j++) {
            const lt_visit *v = &pt->cal->visits[j];
            bool overdue = v->status == LT_VISIT_OVERDUE;
            if (!overdue && !lt_visit_due(v, from, to)) continue;
            char tg[LT_DATE_STR_MAX], e[LT_DATE_STR_MAX], l[LT_DATE_STR_MAX];
            lt_date close = v->latest_delayed != LT_DATE_NONE ? v->latest_delayed : v->latest;
            lt_date_format(v->target, tg);
            lt_date_format(v->earliest, e);
            lt_date_format(close, l);
            if (json) {
                lt_buf_puts(&b, n ? ",{\"site\":" : "{\"site\":");
                lt_buf_json_str(&b, pt->site);
                lt_buf_puts(&b, ",\"patient\":");
                lt_buf_json_str(&b, pt->patient);
                lt_buf_puts(&b, ",\"entry\":");
                lt_buf_json_str(&b, v->id);
                lt_buf_puts(&b, ",\"kind\":");
                lt_buf_json_str(&b, lt_sched_kind_name(v->kind));
                lt_buf_puts(&b, ",\"label\":");
                lt_buf_json_str(&b, v->label);
                lt_buf_printf(&b, ",\"target\":\"%s\",\"earliest\":\"%s\",\"latest\":\"%s\","
                                  "\"status\":\"%s\"}",
                              tg, e, l, lt_visit_status_name(v->status));
            } else {
                lt_buf_printf(&b, "  %-10s %-16s %s  (%s..%s)%s  %s\n", pt->patient, v->id, tg, e,
                              l, overdue ? " OVERDUE" : "", v->label);
            }
            n++;
        }
    }
    if (json)
        lt_buf_printf(&b, "],\"count\":%zu}\n", n);
    else
        lt_buf_printf(&b, "\n%zu entr%s\n", n, n == 1 ? "y" : "ies");
    if (lt_buf_failed(&b))
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    else
        lt_buf_puts(out, lt_buf_str(&b));
    lt_buf_free(&b);
    free(order);
    if (rc == LT_OK && count) *count = n;
    return rc;
}

static int cmp_id(const void *a, const void *b)
{
    const lt_outcome_record *x = *(const lt_outcome_record *const *)a;
    const lt_outcome_record *y = *(const lt_outcome_record *const *)b;
    return strcmp(x->id, y->id);
}

lt_status lt_conduct_due(lt_conduct *c, lt_date from, lt_date to, const char *site, bool json,
                         lt_buf *out, size_t *count, lt_error *err)
{
    lt_status rc = lt_due_period(&from, &to, err);
    if (rc != LT_OK) return rc;
    lt_outcome_set *set = NULL;
    rc = lt_conduct_outcomes(c, NULL, NULL, &set, err);
    if (rc != LT_OK) return rc;
    const lt_outcome_record **recs = calloc(set->n + 1, sizeof *recs);
    lt_calendar **cals = calloc(set->n + 1, sizeof *cals);
    lt_due_patient *pats = calloc(set->n + 1, sizeof *pats);
    if (!recs || !cals || !pats) {
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < set->n; i++)
        recs[i] = set->records[i];
    qsort(recs, set->n, sizeof *recs, cmp_id);
    for (size_t i = 0; i < set->n && rc == LT_OK; i++) {
        rc = calendar_of(c, recs[i], from, NULL, &cals[i], err);
        pats[i] = (lt_due_patient){recs[i]->site, recs[i]->id, cals[i]};
    }
    if (rc == LT_OK)
        rc = lt_due_write(lt_protocol_name(lt_trial_protocol(c->t)), pats, set->n, from, to, site,
                          json, out, count, err);
done:
    for (size_t i = 0; cals && i < set->n; i++)
        lt_calendar_free(cals[i]);
    free(cals);
    free(recs);
    free(pats);
    lt_outcome_set_free(set);
    return rc;
}

/* ---- endpoint datasets ---- */

lt_status lt_endpoint_dataset_of(const lt_protocol *p, const lt_endpoints *e,
                                 const lt_outcome_set *set, const char *endpoint, lt_date cutoff,
                                 lt_conduct_format fmt, const char *source, lt_buf *out,
                                 size_t *left_out, lt_error *err)
{
    long ei = endpoint ? lt_endpoints_find(e, endpoint) : -1;
    if (ei < 0) {
        char list[256] = "";
        size_t n = 0;
        for (size_t i = 0; i < lt_endpoints_count(e); i++)
            n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s",
                                  i ? ", " : "", lt_endpoints_id(e, i));
        LT_FAIL(err, LT_ENOTFOUND, "endpoint", "no endpoint '%s' in the protocol (endpoints: %s)",
                endpoint ? endpoint : "", list);
    }
    const size_t k = (size_t)ei;
    if (lt_endpoints_proportion(e, k))
        LT_FAIL(err, LT_EINVAL, "endpoint",
                "%s is a proportion of patients, not a time to an event: analyse it as a "
                "proportion (with its exact interval)", lt_endpoints_id(e, k));
    /* strata columns: the protocol's factors first, then any other the records name */
    size_t maxf = lt_protocol_strat_count(p), nf = 0;
    for (size_t i = 0; i < set->n; i++)
        maxf += set->records[i]->nstrata;
    const char **factors = calloc(maxf + 1, sizeof *factors);
    lt_endpoint_row *rows = calloc(set->n + 1, sizeof *rows);
    const lt_outcome_record **recs = calloc(set->n + 1, sizeof *recs);
    lt_status rc = LT_OK;
    if (!factors || !rows || !recs) {
        rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < lt_protocol_strat_count(p); i++)
        factors[nf++] = lt_protocol_strat(p, i)->id;
    for (size_t i = 0; i < set->n; i++)
        for (size_t j = 0; j < set->records[i]->nstrata; j++) {
            const char *f = set->records[i]->strata[j].factor;
            bool seen = false;
            for (size_t m = 0; m < nf && !seen; m++) seen = !strcmp(factors[m], f);
            if (!seen) factors[nf++] = f;
        }
    /* a patient whose origin or randomisation is after the cutoff was not in the study then:
     * left out */
    size_t n = 0, late = 0;
    for (size_t i = 0; i < set->n; i++) {
        if (!lt_outcome_record_entered_by(set->records[i], lt_endpoints_origin(e, k), cutoff))
            late++;
        else
            recs[n++] = set->records[i];
    }
    for (size_t i = 0; i < n && rc == LT_OK; i++) {
        rc = lt_endpoint_derive(e, k, recs[i], cutoff, &rows[i], err);
        if (rc != LT_OK && err) {
            /* name the records' source: the fix is a date to record there */
            char w[LT_ERROR_WHERE_MAX];
            snprintf(w, sizeof w, "%.100s: %.150s", source ? source : "", err->where);
            snprintf(err->where, sizeof err->where, "%s", w);
        }
    }
    if (rc != LT_OK) goto done;
    const char *arm_ids[64], *arm_names[64];
    /* the control arm is the reference: arm_<ID> columns for the others */
    size_t narms = lt_protocol_arm_ids_reference_first(p, arm_ids, arm_names, 64);
    lt_endpoint_dataset ds = {
        .protocol_id = lt_protocol_id(p),
        .protocol_name = lt_protocol_name(p),
        .protocol_version = lt_protocol_version(p),
        .endpoint = lt_endpoints_id(e, k),
        .origin = lt_endpoints_origin(e, k),
        .cutoff = cutoff,
        .factors = factors,
        .nfactors = nf,
        .arms = arm_ids,
        .arm_names = arm_names,
        .narms = narms,
        .rows = rows,
        .recs = recs,
        .n = n,
    };
    lt_buf b = LT_BUF_INIT;
    lt_endpoint_dataset_write(&ds,
                              fmt == LT_CONDUCT_CSV    ? LT_DATASET_CSV
                              : fmt == LT_CONDUCT_JSON ? LT_DATASET_JSON
                                                       : LT_DATASET_TEXT,
                              &b);
    if (lt_buf_failed(&b)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    else lt_buf_puts(out, lt_buf_str(&b));
    lt_buf_free(&b);
    if (rc == LT_OK && left_out) *left_out = late;
done:
    free(recs);
    free(rows);
    free(factors);
    return rc;
}

lt_status lt_conduct_endpoint(lt_conduct *c, const char *endpoint, lt_date cutoff,
                              lt_conduct_format fmt, lt_buf *out, lt_error *err)
{
    return lt_conduct_endpoint_counted(c, endpoint, cutoff, fmt, out, NULL, err);
}

lt_status lt_conduct_endpoint_counted(lt_conduct *c, const char *endpoint, lt_date cutoff,
                                      lt_conduct_format fmt, lt_buf *out, size_t *left_out,
                                      lt_error *err)
{
    if (!c->ends)
        LT_FAIL(err, LT_ENOTFOUND, "protocol", "the trial's protocol defines no endpoints");
    lt_outcome_set *set = NULL;
    lt_status rc = lt_conduct_outcomes(c, NULL, NULL, &set, err);
    if (rc == LT_OK)
        rc = lt_endpoint_dataset_of(lt_trial_protocol(c->t), c->ends, set, endpoint, cutoff, fmt,
                                    "trial store", out, left_out, err);
    lt_outcome_set_free(set);
    return rc;
}
