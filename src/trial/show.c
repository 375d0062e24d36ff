/* Reading a trial back: one patient with every screening, the list of patients with the
 * CONSORT screening flow, the audit trail as the user may see it, and an auditor's replay of the
 * allocation sequence from the secret seed. Nothing here can reveal an allocation before it is
 * made: only stored allocations are shown, and the seed never leaves the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trial_int.h"

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

static void date_text(lt_buf *b, const char *label, lt_date d)
{
    char s[LT_DATE_STR_MAX];
    if (d != LT_DATE_NONE) lt_buf_printf(b, "  %-18s %s\n", label, lt_date_format(d, s));
}

/* ---- allocation concealment ---- */

void lt__allocation_visible(const lt_trial *t, const char *data, lt_buf *out)
{
    if (lt__role_allowed(t->role, LT_DO_SEE_SEQUENCE)) {
        lt_buf_puts(out, data);
        return;
    }
    /* the members that place the allocation in the sequence: with them and the arms already
     * given, the last arms of a block (or the minimisation's preferred arm) can be foreseen */
    static const char *const hidden[] = {"block", "position", "block_size", "imbalance",
                                         "preferred"};
    lt_json *j = NULL;
    if (lt_json_parse(data, strlen(data), "allocation", &j, NULL) != LT_OK ||
        !lt_json_is_object(j)) {
        lt_json_free(j);
        lt_buf_puts(out, "null"); /* an unreadable record shows nothing rather than all */
        return;
    }
    lt_buf_putc(out, '{');
    int n = 0;
    for (const lt_json *m = lt_json_first(j); m; m = lt_json_next(m)) {
        const char *k = lt_json_key(m);
        bool hide = false;
        for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) hide = hide || !strcmp(k, hidden[i]);
        char *v = hide ? NULL : lt_json_print(m);
        if (!v) continue;
        lt_buf_puts(out, n++ ? "," : "");
        lt_buf_json_str(out, k);
        lt_buf_putc(out, ':');
        lt_buf_puts(out, v);
        free(v);
    }
    lt_buf_putc(out, '}');
    lt_json_free(j);
}

/* ---- one patient ---- */

typedef struct each_ctx {
    lt_buf *out;
    bool json;
    int n;
} each_ctx;

static int screening_item(const lt_record *r, void *ctx)
{
    each_ctx *c = ctx;
    if (c->json) {
        lt_buf_puts(c->out, c->n++ ? "," : "");
        lt_buf_puts(c->out, r->data);
        return 0;
    }
    lt_json *j = NULL;
    if (lt_json_parse(r->data, strlen(r->data), "screening", &j, NULL) != LT_OK) return 0;
    lt_buf_printf(c->out, "  screening %-7d %s  %-13s protocol %s", (int)lt__get_int(j, "number", 0, 999999, 0),
                  lt_json_get_str(j, "screened_on", "?"), lt_json_get_str(j, "verdict", "?"),
                  lt_json_get_str(j, "protocol_version", "?"));
    const char *lists[2] = {"failed", "unknown"};
    for (int k = 0; k < 2; k++) {
        const lt_json *a = lt_json_get(j, lists[k]);
        if (!lt_json_size(a)) continue;
        lt_buf_printf(c->out, "; %s:", lists[k]);
        for (size_t i = 0; i < lt_json_size(a); i++)
            lt_buf_printf(c->out, " %s", lt_json_str(lt_json_at(a, i)));
    }
    lt_buf_putc(c->out, '\n');
    lt_json_free(j);
    return 0;
}

lt_status lt_trial_patient_show(lt_trial *t, const char *id, bool json, lt_buf *out,
                                lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_READ, "read patients", err);
    if (rc != LT_OK) return rc;
    lt_record *r = NULL, *alloc = NULL;
    rc = lt_store_get(t->st, "patient", id, &r, err);
    /* a patient of a site the user may not read gets the answer a patient who does not exist
     * gets: what exists at other sites is not the user's to learn */
    if (rc == LT_OK && !lt__trial_has_site(t, r->site)) {
        lt_record_free(r);
        r = NULL;
        rc = LT_ENOTFOUND;
    }
    if (rc == LT_ENOTFOUND)
        LT_FAIL(err, LT_ENOTFOUND, id, "no patient '%s' among the patients you may read", id);
    if (rc != LT_OK) return rc;
    lt__pdoc d;
    rc = lt__pdoc_parse(r->data, r->rev, &d, err);
    if (rc != LT_OK) {
        lt_record_free(r);
        return rc;
    }
    if (rc == LT_OK && d.allocation > 0) {
        char nid[32];
        snprintf(nid, sizeof nid, "%09lld", (long long)d.allocation);
        rc = lt_store_get(t->st, "allocation", nid, &alloc, err);
    }
    lt_buf body = LT_BUF_INIT;
    each_ctx c = {&body, json, 0};
    lt_record_filter f = {.patient = id};
    const char *due = lt__reconsent_due(t, &d, lt_date_today());
    if (rc == LT_OK) rc = lt_store_each(t->st, "screening", &f, screening_item, &c, err);
    if (rc == LT_OK && json) {
        lt_buf_printf(out, "{\"patient\":%s,\"allocation\":", r->data);
        if (alloc)
            lt__allocation_visible(t, alloc->data, out);
        else
            lt_buf_puts(out, "null");
        lt_buf_printf(out, ",\"screenings\":[%s],\"reconsent_due\":", lt_buf_str(&body));
        lt_buf_json_str(out, due);
        lt_buf_puts(out, "}\n");
    } else if (rc == LT_OK) {
        lt_buf_printf(out, "patient %s at site %s: %s\n", d.id, d.site, lt_enrol_state_name(d.state));
        lt_buf_printf(out, "  %-18s %s (protocol version %s)\n", "verdict", or_dash(d.verdict),
                      or_dash(d.protocol_version));
        date_text(out, "screened", d.screened_on);
        if (d.consent_date != LT_DATE_NONE) {
            date_text(out, "consented", d.consent_date);
            lt_buf_printf(out, "  %-18s %s\n", "consent form", or_dash(d.consent_form));
        }
        if (d.reconsent_form) {
            date_text(out, "re-consented", d.reconsent_date);
            lt_buf_printf(out, "  %-18s %s\n", "re-consent form", d.reconsent_form);
        }
        if (due)
            lt_buf_printf(out, "  %-18s on form %s (the protocol was amended)\n",
                          "RE-CONSENT DUE", due);
        if (d.confirmed_on != LT_DATE_NONE) {
            date_text(out, "confirmed", d.confirmed_on);
            lt_buf_printf(out, "  %-18s %s\n", "confirmed by", or_dash(d.confirmed_by));
        }
        for (size_t i = 0; i < d.nfactors; i++)
            lt_buf_printf(out, "  %-18s %s%s%s%s\n", d.factor[i],
                          d.level[i] ? d.level[i] : "not recorded", d.level[i] ? " (" : "",
                          d.level[i] ? or_dash(d.level_from[i]) : "", d.level[i] ? ")" : "");
        if (d.arm) {
            lt_buf_printf(out, "  %-18s %s (allocation %lld)\n",
                          d.state == LT_STATE_REGISTERED ? "registered to" : "arm", d.arm,
                          (long long)d.allocation);
            date_text(out, "randomised", d.randomised_on);
        }
        date_text(out, "treatment started", d.treatment_on);
        date_text(out, "follow-up started", d.follow_up_on);
        if (d.end_reason) {
            date_text(out, "ended", d.end_on);
            lt_buf_printf(out, "  %-18s %s\n", "end reason", d.end_reason);
        }
        lt_buf_puts(out, lt_buf_str(&body));
    }
    lt_buf_free(&body);
    lt__pdoc_free(&d);
    lt_record_free(r);
    lt_record_free(alloc);
    return rc;
}

/* ---- the list and the screening flow ---- */

#define MAX_COUNTED 256

typedef struct counter {
    char *name[MAX_COUNTED];
    int n[MAX_COUNTED];
    size_t len;
} counter;

static void count(counter *c, const char *name)
{
    if (!name) return;
    for (size_t i = 0; i < c->len; i++)
        if (!strcmp(c->name[i], name)) {
            c->n[i]++;
            return;
        }
    if (c->len < MAX_COUNTED && (c->name[c->len] = strdup(name))) c->n[c->len++] = 1;
}

static void counter_json(lt_buf *b, const counter *c)
{
    lt_buf_putc(b, '{');
    for (size_t i = 0; i < c->len; i++) {
        lt_buf_puts(b, i ? "," : "");
        lt_buf_json_str(b, c->name[i]);
        lt_buf_printf(b, ":%d", c->n[i]);
    }
    lt_buf_putc(b, '}');
}

static void counter_text(lt_buf *b, const char *label, const counter *c)
{
    if (!c->len) return;
    lt_buf_printf(b, "  %-22s", label);
    for (size_t i = 0; i < c->len; i++) lt_buf_printf(b, " %s %d%s", c->name[i], c->n[i], i + 1 < c->len ? "," : "");
    lt_buf_putc(b, '\n');
}

static void counter_free(counter *c)
{
    for (size_t i = 0; i < c->len; i++) free(c->name[i]);
}

typedef struct list_ctx {
    lt_trial *t;
    lt_buf *out;
    bool json;
    int n, consented, confirmed, allocated;
    counter verdicts, failed, unknown, states, arms, ends;
    lt_status rc;
    lt_error *err;
} list_ctx;

static int patient_item(const lt_record *r, void *ctx)
{
    list_ctx *c = ctx;
    lt__pdoc d;
    c->rc = lt__pdoc_parse(r->data, r->rev, &d, c->err);
    if (c->rc != LT_OK) return 1;
    if (c->json) {
        lt_buf_puts(c->out, c->n ? "," : "");
        lt_buf_puts(c->out, r->data);
    } else {
        char s[LT_DATE_STR_MAX];
        lt_buf_printf(c->out, "%-16s %-8s %-13s %-13s %-11s %s\n", d.id, d.site,
                      lt_enrol_state_name(d.state), or_dash(d.verdict),
                      d.screened_on != LT_DATE_NONE ? lt_date_format(d.screened_on, s) : "-",
                      or_dash(d.arm));
    }
    c->n++;
    count(&c->verdicts, d.verdict);
    count(&c->states, lt_enrol_state_name(d.state));
    if (d.consent_date != LT_DATE_NONE) c->consented++;
    if (d.confirmed_on != LT_DATE_NONE) c->confirmed++;
    if (d.arm) {
        c->allocated++;
        count(&c->arms, d.arm);
    }
    count(&c->ends, d.end_reason);
    /* why screening failed, from the patient's latest screening (CONSORT: reasons for
     * exclusion before allocation) */
    lt_record *s = NULL;
    lt_json *j = NULL;
    if (d.verdict && strcmp(d.verdict, "eligible") != 0 && d.last_screening &&
        lt_store_get(c->t->st, "screening", d.last_screening, &s, NULL) == LT_OK &&
        lt_json_parse(s->data, strlen(s->data), "screening", &j, NULL) == LT_OK) {
        const lt_json *a = lt_json_get(j, "failed");
        for (size_t i = 0; i < lt_json_size(a); i++) count(&c->failed, lt_json_str(lt_json_at(a, i)));
        a = lt_json_get(j, "unknown");
        for (size_t i = 0; i < lt_json_size(a); i++) count(&c->unknown, lt_json_str(lt_json_at(a, i)));
    }
    lt_json_free(j);
    lt_record_free(s);
    lt__pdoc_free(&d);
    return 0;
}

lt_status lt_trial_patients(lt_trial *t, bool json, lt_buf *out, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_READ, "read patients", err);
    if (rc != LT_OK) return rc;
    lt_buf body = LT_BUF_INIT;
    list_ctx c;
    memset(&c, 0, sizeof c);
    c.t = t;
    c.out = &body;
    c.json = json;
    c.err = err;
    /* a user bound to no site sees no patient (an empty list would mean every site) */
    static const char *const no_site[] = {""};
    lt_record_filter f = {.sites = (const char *const *)t->sites, .nsites = t->nsites};
    if (!t->nsites) {
        f.sites = no_site;
        f.nsites = 1;
    }
    rc = lt_store_each(t->st, "patient", t->all_sites ? NULL : &f, patient_item, &c, err);
    if (rc == LT_OK) rc = c.rc;
    if (rc == LT_OK && json) {
        lt_buf_printf(out, "{\"patients\":[%s],\"flow\":{\"screened\":%d,\"verdicts\":",
                      lt_buf_str(&body), c.n);
        counter_json(out, &c.verdicts);
        lt_buf_puts(out, ",\"failed_criteria\":");
        counter_json(out, &c.failed);
        lt_buf_puts(out, ",\"unknown_criteria\":");
        counter_json(out, &c.unknown);
        lt_buf_printf(out, ",\"consented\":%d,\"confirmed\":%d,\"allocated\":%d,\"arms\":",
                      c.consented, c.confirmed, c.allocated);
        counter_json(out, &c.arms);
        lt_buf_puts(out, ",\"states\":");
        counter_json(out, &c.states);
        lt_buf_puts(out, ",\"ended\":");
        counter_json(out, &c.ends);
        lt_buf_puts(out, "}}\n");
    } else if (rc == LT_OK) {
        lt_buf_printf(out, "%-16s %-8s %-13s %-13s %-11s %s\n", "patient", "site", "state",
                      "verdict", "screened", "arm");
        lt_buf_puts(out, lt_buf_str(&body));
        lt_buf_printf(out, "\nflow: %d screened, %d consented, %d confirmed, %d allocated\n", c.n,
                      c.consented, c.confirmed, c.allocated);
        counter_text(out, "verdicts", &c.verdicts);
        counter_text(out, "failed criteria", &c.failed);
        counter_text(out, "unknown criteria", &c.unknown);
        counter_text(out, "arms", &c.arms);
        counter_text(out, "ended", &c.ends);
    }
    lt_buf_free(&body);
    counter_free(&c.verdicts), counter_free(&c.failed), counter_free(&c.unknown);
    counter_free(&c.states), counter_free(&c.arms), counter_free(&c.ends);
    return rc;
}

/* ---- the audit trail ---- */

typedef struct audit_ctx {
    const lt_trial *t;
    lt_buf *out;
    bool json;
    int n;
} audit_ctx;

static int audit_item(const lt_audit_record *a, void *ctx)
{
    audit_ctx *c = ctx;
    if (c->json && !strcmp(a->entity, "allocation") &&
        !lt__role_allowed(c->t->role, LT_DO_SEE_SEQUENCE)) {
        /* a monitor reads the trail but not the sequence: the allocation's values go out
         * without their block places (so these two hashes no longer recompute from what is
         * shown; `audit verify` checks the stored values) */
        lt_buf o = LT_BUF_INIT, v = LT_BUF_INIT;
        lt_audit_record shown = *a;
        if (strcmp(a->old_value, "null") != 0) lt__allocation_visible(c->t, a->old_value, &o);
        lt__allocation_visible(c->t, a->new_value, &v);
        shown.old_value = o.n ? lt_buf_str(&o) : a->old_value;
        shown.new_value = lt_buf_str(&v);
        lt_buf_puts(c->out, c->n ? ",\n" : "\n");
        lt_audit_record_json(&shown, c->out);
        lt_buf_free(&o);
        lt_buf_free(&v);
    } else if (c->json && !strcmp(a->entity, "credential")) {
        /* a password's argon2id string is shown to no one (src/auth/password.c): whoever reads
         * the trail could otherwise try guesses against it offline; `audit verify` checks the
         * stored values */
        lt_audit_record shown = *a;
        lt_buf v = LT_BUF_INIT;
        lt_buf_puts(&v, "{\"user\":");
        lt_buf_json_str(&v, a->entity_id);
        lt_buf_puts(&v, ",\"argon2id\":\"(hidden)\"}");
        shown.new_value = lt_buf_str(&v);
        if (strcmp(a->old_value, "null") != 0) shown.old_value = lt_buf_str(&v);
        lt_buf_puts(c->out, c->n ? ",\n" : "\n");
        lt_audit_record_json(&shown, c->out);
        lt_buf_free(&v);
    } else if (c->json && !strcmp(a->entity, "totp")) {
        /* a second factor's shared secret is shown to no one (src/auth/totp.c): whoever reads
         * it can compute the user's codes */
        lt_audit_record shown = *a;
        lt_buf v = LT_BUF_INIT;
        lt_buf_puts(&v, "{\"user\":");
        lt_buf_json_str(&v, a->entity_id);
        lt_buf_puts(&v, ",\"secret_hex\":\"(hidden)\"}");
        shown.new_value = lt_buf_str(&v);
        if (strcmp(a->old_value, "null") != 0) shown.old_value = lt_buf_str(&v);
        lt_buf_puts(c->out, c->n ? ",\n" : "\n");
        lt_audit_record_json(&shown, c->out);
        lt_buf_free(&v);
    } else if (c->json) {
        lt_buf_puts(c->out, c->n ? ",\n" : "\n");
        lt_audit_record_json(a, c->out);
    } else {
        lt_buf_printf(c->out, "%6lld %s %-14s %-16s %-8s %-16s %s %s", (long long)a->seq, a->at,
                      a->user, a->role, or_dash(a->site), a->action, a->entity, a->entity_id);
        if (a->reason[0]) lt_buf_printf(c->out, " (reason: %s)", a->reason);
        lt_buf_putc(c->out, '\n');
    }
    c->n++;
    return 0;
}

lt_status lt_trial_audit_log(lt_trial *t, const char *patient, lt_date since, bool json,
                             lt_buf *out, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_AUDIT, "read the audit trail", err);
    if (rc != LT_OK) return rc;
    char from[LT_DATE_STR_MAX + 16];
    lt_audit_filter f = {.patient = patient};
    if (since != LT_DATE_NONE) {
        char d[LT_DATE_STR_MAX];
        snprintf(from, sizeof from, "%sT00:00:00Z", lt_date_format(since, d));
        f.since = from;
    }
    static const char *const no_site[] = {""};
    if (!t->all_sites) {
        f.sites = t->nsites ? (const char *const *)t->sites : no_site;
        f.nsites = t->nsites ? t->nsites : 1;
    }
    audit_ctx c = {t, out, json, 0};
    if (json) lt_buf_putc(out, '[');
    rc = lt_store_audit_each(t->st, &f, audit_item, &c, err);
    if (json) lt_buf_puts(out, c.n ? "\n]\n" : "]\n");
    return rc;
}

/* ---- replay ---- */

typedef struct stratum_state {
    char *key;
    lt_allocation last;
} stratum_state;

typedef struct replay_ctx {
    lt_trial *t;
    const lt_randomiser *r;
    lt_buf *out;
    bool json;
    int64_t n;
    stratum_state *strata;
    size_t nstrata, cap;
    int64_t *level_counts; /* [factor][level][arm], flattened, for minimisation */
    size_t *level_base;    /* offset of each factor in level_counts */
    lt_status rc;
    lt_error *err;
} replay_ctx;

static int replay_fail(replay_ctx *c, const char *id, const char *fmt, ...) LT_PRINTF(3, 4);
static int replay_fail(replay_ctx *c, const char *id, const char *fmt, ...)
{
    va_list ap;
    char where[64];
    snprintf(where, sizeof where, "allocation %s", id);
    va_start(ap, fmt);
    c->rc = lt_error_vset(c->err, LT_ECORRUPT, where, fmt, ap);
    va_end(ap);
    return 1;
}

/* The level indexes of a stratum key "f1=a;f2=b" ("all" without factors). */
static bool parse_stratum(const lt_randomiser *r, const char *key, int *lv)
{
    size_t nf = lt_randomiser_factor_count(r);
    if (!nf) return !strcmp(key, "all");
    const char *p = key;
    for (size_t f = 0; f < nf; f++) {
        const char *id = lt_randomiser_factor_id(r, f);
        size_t n = strlen(id);
        if (strncmp(p, id, n) != 0 || p[n] != '=') return false;
        p += n + 1;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char level[128];
        if (len >= sizeof level) return false;
        memcpy(level, p, len);
        level[len] = '\0';
        if ((lv[f] = lt_randomiser_level_index(r, f, level)) < 0) return false;
        p += len;
        if (f + 1 < nf) {
            if (*p != ';') return false;
            p++;
        }
    }
    return *p == '\0';
}

static int replay_item(const lt_record *rec, void *ctx)
{
    replay_ctx *c = ctx;
    const lt_randomiser *r = c->r;
    lt_json *j = NULL;
    if (lt_json_parse(rec->data, strlen(rec->data), "allocation", &j, NULL) != LT_OK)
        return replay_fail(c, rec->id, "the stored allocation is not valid JSON");
    int64_t number = lt__get_int(j, "number", 1, INT64_C(1) << 52, 0);
    const char *arm = lt_json_get_str(j, "arm", "");
    const char *stratum = lt_json_get_str(j, "stratum", "");
    const char *patient = lt_json_get_str(j, "patient", "");
    int lv[LT__MAX_FACTORS];
    int stop = 0;
    lt_allocation want;
    memset(&want, 0, sizeof want);
    lt_status rc = LT_OK;
    if (number != c->n + 1) {
        stop = replay_fail(c, rec->id, "allocation number %lld follows %lld: numbers must run "
                                       "without gaps or repeats",
                           (long long)number, (long long)c->n);
        goto out;
    }
    if (!parse_stratum(r, stratum, lv)) {
        stop = replay_fail(c, rec->id, "stratum '%s' does not fit the protocol's factors", stratum);
        goto out;
    }
    switch (lt_randomiser_method(r)) {
    case LT_RANDOMISE_PERMUTED_BLOCKS: {
        size_t s = 0;
        while (s < c->nstrata && strcmp(c->strata[s].key, stratum) != 0) s++;
        rc = lt_randomise_next_in_block(r, stratum, s < c->nstrata ? &c->strata[s].last : NULL,
                                        &want, c->err);
        if (rc != LT_OK) break;
        int64_t block = lt__get_int(j, "block", 0, INT64_C(1) << 52, -1);
        int64_t position = lt__get_int(j, "position", 0, LT_RANDOMISE_MAX_BLOCK, -1);
        if (block != want.block || position != want.position) {
            stop = replay_fail(c, rec->id,
                               "stratum '%s' should be at block %lld position %d, the record "
                               "says block %lld position %d: an allocation was skipped or reused",
                               stratum, (long long)want.block, want.position, (long long)block,
                               (int)position);
            goto out;
        }
        if (s == c->nstrata) {
            if (c->nstrata == c->cap) {
                size_t cap = c->cap ? 2 * c->cap : 16;
                stratum_state *p = realloc(c->strata, cap * sizeof *p);
                if (!p) {
                    rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
                    break;
                }
                c->strata = p;
                c->cap = cap;
            }
            if (!(c->strata[s].key = strdup(stratum))) {
                rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
                break;
            }
            c->nstrata++;
        }
        c->strata[s].last = want;
        break;
    }
    case LT_RANDOMISE_MINIMISATION: {
        size_t na = lt_randomiser_arm_count(r), nf = lt_randomiser_factor_count(r);
        int64_t counts[LT__MAX_FACTORS * LT_RANDOMISE_MAX_ARMS];
        for (size_t f = 0; f < nf; f++)
            for (size_t a = 0; a < na; a++)
                counts[f * na + a] = c->level_counts[c->level_base[f] + (size_t)lv[f] * na + a];
        rc = lt_randomise_minimise(r, (uint64_t)number, counts, &want, c->err);
        if (rc == LT_OK)
            for (size_t f = 0; f < nf; f++)
                c->level_counts[c->level_base[f] + (size_t)lv[f] * na + (size_t)want.arm]++;
        break;
    }
    default:
        want.arm = 0;
        break;
    }
    if (rc != LT_OK) {
        c->rc = rc;
        stop = 1;
        goto out;
    }
    const char *want_arm = lt_randomiser_arm_id(r, (size_t)want.arm);
    if (strcmp(arm, want_arm) != 0) {
        stop = replay_fail(c, rec->id, "patient '%s' is stored in arm %s but the seed gives %s",
                           patient, arm, want_arm);
        goto out;
    }
    /* the patient's own record must say the same */
    lt_record *pr = NULL;
    lt__pdoc d;
    if (lt_store_get(c->t->st, "patient", patient, &pr, NULL) != LT_OK ||
        lt__pdoc_parse(pr->data, pr->rev, &d, NULL) != LT_OK) {
        lt_record_free(pr);
        stop = replay_fail(c, rec->id, "patient '%s' of this allocation cannot be read", patient);
        goto out;
    }
    bool same = d.arm && !strcmp(d.arm, arm) && d.allocation == number;
    lt__pdoc_free(&d);
    lt_record_free(pr);
    if (!same) {
        stop = replay_fail(c, rec->id, "patient '%s' does not carry this allocation", patient);
        goto out;
    }
    if (c->json) {
        lt_buf_printf(c->out, "%s{\"number\":%lld,\"patient\":", c->n ? "," : "", (long long)number);
        lt_buf_json_str(c->out, patient);
        lt_buf_puts(c->out, ",\"stratum\":");
        lt_buf_json_str(c->out, stratum);
        lt_buf_puts(c->out, ",\"arm\":");
        lt_buf_json_str(c->out, arm);
        lt_buf_puts(c->out, ",\"replayed\":true}");
    } else {
        lt_buf_printf(c->out, "%6lld %-16s %-40s %s  ok\n", (long long)number, patient, stratum, arm);
    }
    c->n = number;
out:
    lt_json_free(j);
    return stop;
}

lt_status lt_trial_replay(lt_trial *t, bool json, lt_buf *out, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_REPLAY, "replay the allocation sequence", err);
    if (rc != LT_OK) return rc;
    const lt_randomiser *r;
    rc = lt__trial_randomiser(t, &r, err);
    if (rc != LT_OK) return rc;
    size_t na = lt_randomiser_arm_count(r), nf = lt_randomiser_factor_count(r);
    if (nf > LT__MAX_FACTORS) LT_FAIL(err, LT_EUNSUPPORTED, "", "too many stratification factors");
    replay_ctx c;
    memset(&c, 0, sizeof c);
    c.t = t;
    c.r = r;
    c.json = json;
    c.err = err;
    c.rc = LT_OK;
    lt_buf body = LT_BUF_INIT;
    c.out = &body;
    size_t total = 0;
    c.level_base = calloc(nf ? nf : 1, sizeof *c.level_base);
    for (size_t f = 0; c.level_base && f < nf; f++) {
        c.level_base[f] = total;
        total += lt_randomiser_level_count(r, f) * na;
    }
    c.level_counts = calloc(total ? total : 1, sizeof *c.level_counts);
    if (!c.level_base || !c.level_counts) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_store_each(t->st, "allocation", NULL, replay_item, &c, err);
    if (rc == LT_OK) rc = c.rc;
    if (rc == LT_OK) {
        if (json)
            lt_buf_printf(out, "{\"allocations\":%lld,\"verified\":true,\"sequence\":[%s]}\n",
                          (long long)c.n, lt_buf_str(&body));
        else
            lt_buf_printf(out, "%s%lld allocations replayed from the seed: all match\n",
                          lt_buf_str(&body), (long long)c.n);
    }
    for (size_t i = 0; i < c.nstrata; i++) free(c.strata[i].key);
    free(c.strata);
    free(c.level_counts);
    free(c.level_base);
    lt_buf_free(&body);
    return rc;
}
