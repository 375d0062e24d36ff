/* SDTM trial design datasets (SDTMIG 3.3 section 7) from the protocol file: TE the elements
 * (screening, each treatment cycle or continuous drug, follow-up), TA each arm's path through
 * them, TV the planned visits of the protocol's calendar, TI the inclusion and exclusion
 * criteria, TS the trial summary parameters the file answers. Nothing here reads patients,
 * except ACTSUB (the subjects exported). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export_int.h"
#include "lutetia/protocol.h"

typedef lt__xsubject subject;
typedef lt__xctx ctx;

#define N(a) (sizeof a / sizeof a[0])

static const char *study(const ctx *c) { return lt_protocol_name(lt_trial_protocol(c->t)); }

static void design_keys(ctx *c, const char *domain)
{
    lt__ds_str(c->ds, "STUDYID", study(c));
    lt__ds_str(c->ds, "DOMAIN", domain);
}

/* ---- elements ---- */

/* An arm's treatment elements, from its interventions: a radiopharmaceutical gives one element
 * per cycle (its route when cycles differ, as NCT04544098's intra-arterial then intravenous),
 * a drug without cycles one continuous element (NET RETREAT's everolimus). */
typedef struct elem {
    char etcd[9], name[120], start[200], end[200], dur[16];
} elem;

static void upper8(const char *s, char out[9])
{
    size_t k = 0;
    for (; s[k] && k < 8; k++)
        out[k] = (char)(isalnum((unsigned char)s[k]) ? toupper((unsigned char)s[k]) : '_');
    out[k] = 0;
}

/* An ISO 8601 duration of a protocol duration object ({"weeks": 8}); "" when none. */
static void iso_duration(const lt_json *d, char *out, size_t n)
{
    static const char *const units[][2] = {{"days", "D"}, {"weeks", "W"}, {"months", "M"},
                                           {"years", "Y"}};
    *out = 0;
    for (size_t i = 0; d && i < N(units); i++) {
        double x;
        if (lt_json_num(lt_json_get(d, units[i][0]), &x) && x > 0) {
            snprintf(out, n, "P%g%s", x, units[i][1]);
            return;
        }
    }
}

static size_t arm_elements(const lt_json *arm, elem *out, size_t max)
{
    size_t n = 0;
    for (const lt_json *iv = lt_json_first(lt_json_get(arm, "interventions")); iv && n < max;
         iv = lt_json_next(iv)) {
        const char *agent = lt_json_get_str(iv, "agent", lt_json_key(iv));
        double cycles = 0;
        if (lt_json_num(lt_json_get(iv, "cycles"), &cycles) && cycles >= 1) {
            const lt_json *route = lt_json_get(iv, "route");
            char dur[16];
            iso_duration(lt_json_get(lt_json_get(iv, "interval"), "offset"), dur, sizeof dur);
            for (int k = 1; k <= (int)cycles && n < max; k++) {
                elem *e = &out[n++];
                /* k < max, the caller's few dozen elements: "C" and at most 2 digits, within
                 * ETCD's 8 (the cast tells the compiler so at -O0) */
                snprintf(e->etcd, sizeof e->etcd, "C%u", (unsigned)k % 1000u);
                const char *r = lt_json_is_string(route) ? NULL : lt_json_str(lt_json_at(route, (size_t)k - 1));
                snprintf(e->name, sizeof e->name, "%s cycle %d%s%s%s", agent, k, r ? " (" : "",
                         r ? r : "", r ? ")" : "");
                snprintf(e->start, sizeof e->start, "Start of infusion of cycle %d", k);
                if (k < (int)cycles)
                    snprintf(e->end, sizeof e->end, "Start of infusion of cycle %d", k + 1);
                else
                    snprintf(e->end, sizeof e->end, "End of the interval after the last cycle");
                snprintf(e->dur, sizeof e->dur, "%s", dur);
            }
        } else {
            elem *e = &out[n++];
            upper8(lt_json_key(iv), e->etcd);
            snprintf(e->name, sizeof e->name, "%s", agent);
            snprintf(e->start, sizeof e->start, "First dose of %s", agent);
            snprintf(e->end, sizeof e->end, "Last dose of %s (progression or intolerance)", agent);
            e->dur[0] = 0;
        }
    }
    return n;
}

static const lt_json *arms_json(const ctx *c) { return lt_protocol_section(lt_trial_protocol(c->t), "arms"); }

static bool randomised(const ctx *c)
{
    const lt_randomisation_spec *r = lt_protocol_randomisation(lt_trial_protocol(c->t));
    return r && r->method != LT_RANDOMISE_NONE;
}

static void te_row(ctx *c, const char *etcd, const char *element, const char *start,
                   const char *end, const char *dur)
{
    if (!lt__ds_row(c->ds)) return;
    design_keys(c, "TE");
    lt__ds_str(c->ds, "ETCD", etcd);
    lt__ds_str(c->ds, "ELEMENT", element);
    lt__ds_str(c->ds, "TESTRL", start);
    lt__ds_str(c->ds, "TEENRL", end);
    lt__ds_str(c->ds, "TEDUR", dur && *dur ? dur : NULL);
}

static lt_status te_rows(ctx *c)
{
    te_row(c, "SCRN", "Screening", "Informed consent",
           randomised(c) ? "Randomisation" : "Registration", NULL);
    /* an element shared by arms (a cycle of the same agent) is listed once */
    char seen[64][9];
    size_t nseen = 0;
    for (const lt_json *arm = lt_json_first(arms_json(c)); arm; arm = lt_json_next(arm)) {
        elem e[32];
        size_t n = arm_elements(arm, e, N(e));
        for (size_t k = 0; k < n; k++) {
            bool dup = false;
            for (size_t m = 0; m < nseen; m++)
                if (!strcmp(seen[m], e[k].etcd)) dup = true;
            if (dup || nseen == N(seen)) continue;
            memcpy(seen[nseen++], e[k].etcd, sizeof e[k].etcd);
            te_row(c, e[k].etcd, e[k].name, e[k].start, e[k].end, e[k].dur);
        }
    }
    te_row(c, "FU", "Follow-up",
           "End of the last treatment element, or randomisation in an arm without treatment",
           "End of study: end of follow-up, recurrence or progression, death, withdrawal or loss "
           "to follow-up",
           NULL);
    return LT_OK;
}

static void ta_row(ctx *c, const char *armcd, const char *arm, int ord, const char *etcd,
                   const char *element, const char *branch, const char *epoch)
{
    if (!lt__ds_row(c->ds)) return;
    design_keys(c, "TA");
    lt__ds_str(c->ds, "ARMCD", armcd);
    lt__ds_str(c->ds, "ARM", arm);
    lt__ds_num(c->ds, "TAETORD", ord);
    lt__ds_str(c->ds, "ETCD", etcd);
    lt__ds_str(c->ds, "ELEMENT", element);
    lt__ds_str(c->ds, "TABRANCH", branch);
    lt__ds_str(c->ds, "EPOCH", epoch);
}

static lt_status ta_rows(ctx *c)
{
    for (const lt_json *arm = lt_json_first(arms_json(c)); arm; arm = lt_json_next(arm)) {
        const char *cd = lt_json_key(arm), *name = lt_json_get_str(arm, "name", cd);
        char branch[200];
        snprintf(branch, sizeof branch, "Randomized to %s", name);
        int ord = 1;
        ta_row(c, cd, name, ord++, "SCRN", "Screening", randomised(c) ? branch : NULL, "SCREENING");
        elem e[32];
        size_t n = arm_elements(arm, e, N(e));
        for (size_t k = 0; k < n; k++) ta_row(c, cd, name, ord++, e[k].etcd, e[k].name, NULL, "TREATMENT");
        ta_row(c, cd, name, ord, "FU", "Follow-up", NULL, "FOLLOW-UP");
    }
    return LT_OK;
}

/* ---- planned visits ---- */

/* Every arm's calendar with each anchor on one day: the planned visits, their offsets from
 * their anchors and windows. VISITNUM numbers them by that offset (then id), the same in TV
 * and SV. */
typedef struct planned {
    const lt_visit *v;
    const char *arm; /* NULL: every arm */
    int offset;      /* target - anchor, days */
} planned;

static int by_offset(const void *a, const void *b)
{
    const planned *x = a, *y = b;
    if (x->v->target != y->v->target) return x->v->target < y->v->target ? -1 : 1;
    return strcmp(x->v->id, y->v->id);
}

typedef struct plan {
    lt_calendar *cal[16];
    size_t ncal;
    planned *p;
    size_t n;
} plan;

static void plan_free(plan *pl)
{
    for (size_t i = 0; i < pl->ncal; i++) lt_calendar_free(pl->cal[i]);
    free(pl->p);
}

static lt_status plan_make(ctx *c, plan *pl)
{
    memset(pl, 0, sizeof *pl);
    if (!c->sched) {
        lt_status rc = lt_schedule_from_protocol(lt_trial_protocol(c->t), &c->sched, c->err);
        if (rc == LT_ENOTFOUND) {
            lt_error_clear(c->err);
            return LT_OK;
        }
        if (rc != LT_OK) return rc;
    }
    lt_named_date anchors[32];
    size_t na = lt_schedule_anchor_count(c->sched);
    if (na > N(anchors)) na = N(anchors);
    lt_date day0 = lt_date_from_ymd(2000, 1, 3);
    for (size_t i = 0; i < na; i++) anchors[i] = (lt_named_date){lt_schedule_anchor(c->sched, i), day0};
    size_t total = 0;
    for (size_t a = 0; a < lt_protocol_arm_count(lt_trial_protocol(c->t)) && pl->ncal < N(pl->cal); a++) {
        lt_schedule_input in = {.arm = lt_protocol_arm(lt_trial_protocol(c->t), a)->id,
                                .anchors = anchors, .nanchors = na, .as_of = LT_DATE_NONE};
        lt_status rc = lt_schedule_compute(c->sched, &in, &pl->cal[pl->ncal], c->err);
        if (rc != LT_OK) return rc;
        total += pl->cal[pl->ncal++]->n;
    }
    pl->p = calloc(total + 1, sizeof *pl->p);
    if (!pl->p) LT_FAIL(c->err, LT_ENOMEM, "", "out of memory");
    /* a visit every arm's calendar holds is one row without an arm */
    for (size_t a = 0; a < pl->ncal; a++)
        for (size_t k = 0; k < pl->cal[a]->n; k++) {
            const lt_visit *v = &pl->cal[a]->visits[k];
            if (v->target == LT_DATE_NONE) continue;
            size_t in_arms = 0;
            for (size_t b = 0; b < pl->ncal; b++)
                for (size_t m = 0; m < pl->cal[b]->n; m++)
                    if (!strcmp(pl->cal[b]->visits[m].id, v->id)) {
                        in_arms++;
                        break;
                    }
            bool everyone = in_arms == pl->ncal;
            if (everyone && a > 0) continue;
            pl->p[pl->n++] = (planned){v, everyone ? NULL : pl->cal[a]->arm,
                                       v->anchor_date != LT_DATE_NONE ? v->target - v->anchor_date
                                                                      : 0};
        }
    qsort(pl->p, pl->n, sizeof *pl->p, by_offset);
    return LT_OK;
}

lt_status lt__x_plan_visits(ctx *c)
{
    plan pl;
    lt_status rc = plan_make(c, &pl);
    if (rc == LT_OK && pl.n) {
        c->visits = calloc(pl.n, sizeof *c->visits);
        if (!c->visits) rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    }
    double num = 0;
    for (size_t i = 0; rc == LT_OK && i < pl.n; i++) {
        if (lt__x_visitnum(c, pl.p[i].v->id) == lt__x_visitnum(c, pl.p[i].v->id)) continue;
        lt__xvisit *x = &c->visits[c->nvisits++];
        x->id = strdup(pl.p[i].v->id);
        x->label = strdup(pl.p[i].v->label ? pl.p[i].v->label : pl.p[i].v->id);
        x->num = ++num;
        if (!x->id || !x->label) rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    }
    plan_free(&pl);
    return rc;
}

double lt__x_visitnum(const ctx *c, const char *entry)
{
    for (size_t i = 0; i < c->nvisits; i++)
        if (!strcmp(c->visits[i].id, entry)) return c->visits[i].num;
    return NAN;
}

static lt_status tv_rows(ctx *c)
{
    plan pl;
    lt_status rc = plan_make(c, &pl);
    for (size_t i = 0; rc == LT_OK && i < pl.n && lt__ds_row(c->ds); i++) {
        const lt_visit *v = pl.p[i].v;
        design_keys(c, "TV");
        lt__ds_num(c->ds, "VISITNUM", lt__x_visitnum(c, v->id));
        char visit[200], rule[200];
        snprintf(visit, sizeof visit, "%s [%s]", v->label ? v->label : v->id, v->id);
        lt__ds_str(c->ds, "VISIT", visit);
        if (pl.p[i].arm) {
            lt__ds_str(c->ds, "ARMCD", pl.p[i].arm);
            lt__ds_str(c->ds, "ARM", lt__x_arm_name(c, pl.p[i].arm));
        }
        if (v->anchor_date != LT_DATE_NONE)
            snprintf(rule, sizeof rule, "Day %+d from %s, window days %+d to %+d", pl.p[i].offset,
                     v->anchor, (int)(v->earliest - v->anchor_date),
                     (int)(v->latest - v->anchor_date));
        else
            snprintf(rule, sizeof rule, "When %s is known", v->anchor);
        lt__ds_str(c->ds, "TVSTRL", rule);
        lt__ds_str(c->ds, "EPOCH", v->kind == LT_SCHED_TREATMENT ? "TREATMENT" : NULL);
    }
    plan_free(&pl);
    return rc;
}

/* ---- criteria ---- */

/* IETEST holds 200 characters: a longer criterion is cut at a word and ends with "...", its
 * full text stays in the protocol (SDTMIG 3.3, TI assumption). UTF-8 is cut between
 * characters. */
static void ietest(const char *text, char out[201])
{
    size_t n = strlen(text);
    if (n <= 200) {
        memcpy(out, text, n + 1);
        return;
    }
    size_t k = 197;
    while (k > 0 && text[k] != ' ') k--;
    if (k == 0) {
        k = 197;
        while (k > 0 && ((unsigned char)text[k] & 0xC0) == 0x80) k--;
    }
    memcpy(out, text, k);
    memcpy(out + k, "...", 4);
}

static void ti_row(ctx *c, const lt_criterion *cr, const char *version)
{
    if (!lt__ds_row(c->ds)) return;
    design_keys(c, "TI");
    /* --TESTCD holds letters, digits and underscores: sub-item E12.3 is E12_3 */
    char cd[9];
    upper8(cr->id, cd);
    lt__ds_str(c->ds, "IETESTCD", cd);
    char t[201];
    ietest(cr->text ? cr->text : cr->id, t);
    lt__ds_str(c->ds, "IETEST", t);
    lt__ds_str(c->ds, "IECAT", cr->exclusion ? "EXCLUSION" : "INCLUSION");
    lt__ds_str(c->ds, "TIVERS", version);
}

/* The criteria of the version the trial began with, then those an amendment added or
 * reworded, each with the version that brought it (TIVERS). */
static lt_status ti_rows(ctx *c)
{
    size_t nv = lt_trial_version_count(c->t);
    const lt_protocol *prev = NULL;
    for (size_t k = 0; k < (nv ? nv : 1); k++) {
        const char *version = NULL, *form = NULL;
        lt_date from = LT_DATE_NONE, next = LT_DATE_NONE;
        if (nv) lt_trial_version_at(c->t, k, &version, &from, &form);
        if (k + 1 < nv) lt_trial_version_at(c->t, k + 1, &form, &next, &form);
        /* the version in force the day before the next amendment, or now */
        const lt_protocol *p = next != LT_DATE_NONE ? lt_trial_protocol_on(c->t, next - 1)
                                                    : lt_trial_protocol(c->t);
        for (size_t i = 0; i < lt_protocol_criterion_count(p); i++) {
            const lt_criterion *cr = lt_protocol_criterion(p, i);
            const lt_criterion *was = prev ? lt_protocol_criterion_find(prev, cr->id) : NULL;
            if (was && !strcmp(was->text ? was->text : "", cr->text ? cr->text : "")) continue;
            ti_row(c, cr, version ? version : lt_protocol_version(p));
        }
        prev = p;
    }
    return LT_OK;
}

/* ---- trial summary ---- */

typedef struct ts_ctx {
    ctx *c;
    int seq;
    const char *unii; /* TRT's UNII, for the row ts() writes with ref "UNII" */
} ts_ctx;

/* The codelist a CDISC parameter's value is drawn from: its own for most (TPHASE's values are
 * the Trial Phase Response codelist, named TPHASE), No Yes Response for RANDOM. */
static const char *value_list(const char *parmcd)
{
    return !strcmp(parmcd, "RANDOM") ? "NY" : parmcd;
}

/* TSSEQ counts the rows of one parameter (REGID twice: 1 and 2); TSPARMCD is TS_VARS[4].
 * ref names the terminology the value comes from: "CDISC CT" fills TSVALCD with the term's
 * C-code (terms.c) and TSVCDVER with the package's date, or leaves all three empty when the
 * table lacks the term (no code is guessed); a registry's identifier is its own code there. */
static void ts(ts_ctx *x, const char *cd, const char *parm, const char *val, const char *nf,
               const char *ref)
{
    ctx *c = x->c;
    int seq = 1;
    for (size_t r = 0; c->ds->text && r < c->ds->nrows; r++) {
        const char *t = c->ds->text[r * c->ds->nvars + 4];
        if (t && !strcmp(t, cd)) seq++;
    }
    const char *code = NULL, *ver = NULL;
    if (ref && !strcmp(ref, "CDISC CT")) {
        code = lt__ct_code(value_list(cd), val);
        ver = code ? lt__ct_version : NULL;
        if (!code) ref = NULL;
    } else if (ref && (!strcmp(ref, "ClinicalTrials.gov") || !strcmp(ref, "EudraCT"))) {
        code = val;
    } else if (ref && !strcmp(ref, "UNII")) {
        code = x->unii; /* the substance's code, looked up by its caller */
    }
    if (!lt__ds_row(c->ds)) return;
    design_keys(c, "TS");
    x->seq++;
    lt__ds_num(c->ds, "TSSEQ", seq);
    lt__ds_str(c->ds, "TSPARMCD", cd);
    lt__ds_str(c->ds, "TSPARM", parm);
    lt__ds_str(c->ds, "TSVAL", val);
    lt__ds_str(c->ds, "TSVALNF", nf);
    lt__ds_str(c->ds, "TSVCDREF", ref);
    lt__ds_str(c->ds, "TSVALCD", code);
    lt__ds_str(c->ds, "TSVCDVER", ver);
}

/* The age limits of the criteria: a rule {"derived": "age_years", "op": ">=", "value": 18}
 * that every patient must meet, the criterion's rule itself or a conjunct of an "all"; one
 * under "any" or "not" is a condition of a branch, not a limit on who may enter. */
static void age_limits(const lt_rule *r, double *min, double *max)
{
    if (!r) return;
    if (r->type == LT_RULE_DERIVED && r->ncodes && !strcmp(r->codes[0], "age_years") && r->has_cmp) {
        if (r->op == LT_OP_GE || r->op == LT_OP_GT) *min = r->value + (r->op == LT_OP_GT);
        if (r->op == LT_OP_LE || r->op == LT_OP_LT) *max = r->value - (r->op == LT_OP_LT);
    }
    if (r->type != LT_RULE_ALL) return;
    for (size_t k = 0; k < r->nkids; k++) age_limits(r->kids[k], min, max);
}

/* The sexes an inclusion criterion accepts ({"sex": [...]}), read as age_limits reads ages:
 * NCT04544098's "women of childbearing potential and men must agree to use contraception" has
 * {"sex": ["female"]} inside an "any", a branch for women, and enrols both sexes. */
static void sex_rule(const lt_rule *r, bool *f, bool *m, bool *found)
{
    if (!r) return;
    if (r->type == LT_RULE_SEX) {
        *found = true;
        for (size_t k = 0; k < r->ncodes; k++) {
            if (!strcmp(r->codes[k], "female")) *f = true;
            if (!strcmp(r->codes[k], "male")) *m = true;
        }
    }
    if (r->type != LT_RULE_ALL) return;
    for (size_t k = 0; k < r->nkids; k++) sex_rule(r->kids[k], f, m, found);
}

/* ClinicalTrials.gov's phases as CDISC's Trial Phase Response terms (C66737). "Early phase 1"
 * is what ClinicalTrials.gov formerly called phase 0; CDISC's term for both is EARLY PHASE I
 * (C54721, synonyms "0; Phase 0 Trial"): "PHASE 0 TRIAL" is not a submission value. */
static const char *phase_term(const char *phase)
{
    static const char *const map[][2] = {
        {"early phase 1", "EARLY PHASE I"}, {"0", "EARLY PHASE I"},
        {"1", "PHASE I TRIAL"},             {"1/2", "PHASE I/II TRIAL"},
        {"2", "PHASE II TRIAL"},            {"2/3", "PHASE II/III TRIAL"},
        {"3", "PHASE III TRIAL"},           {"4", "PHASE IV TRIAL"},
    };
    for (size_t i = 0; phase && i < N(map); i++)
        if (!strcmp(map[i][0], phase)) return map[i][1];
    return NULL;
}

static lt_status ts_rows(ctx *c)
{
    const lt_protocol *p = lt_trial_protocol(c->t);
    ts_ctx x = {c, 0, NULL};
    char buf[256];
    const char *title = lt_json_str(lt_protocol_section(p, "title"));
    if (title) ts(&x, "TITLE", "Trial Title", title, NULL, NULL);
    const char *phase = phase_term(lt_json_str(lt_protocol_section(p, "phase")));
    if (phase) ts(&x, "TPHASE", "Trial Phase Classification", phase, NULL, "CDISC CT");
    ts(&x, "STYPE", "Study Type", "INTERVENTIONAL", NULL, "CDISC CT");
    const char *dt = lt_json_str(lt_protocol_section(p, "design_type"));
    ts(&x, "RANDOM", "Trial is Randomized", randomised(c) ? "Y" : "N", NULL, "CDISC CT");
    snprintf(buf, sizeof buf, "%zu", lt_protocol_arm_count(p));
    ts(&x, "NARMS", "Planned Number of Arms", buf, NULL, NULL);
    ts(&x, "INTMODEL", "Intervention Model",
       lt_protocol_arm_count(p) > 1 ? "PARALLEL" : "SINGLE GROUP", NULL, "CDISC CT");
    if (dt && strstr(dt, "open")) ts(&x, "TBLIND", "Trial Blinding Schema", "OPEN LABEL", NULL, "CDISC CT");
    /* the type of each arm's interventions, once per type: ClinicalTrials.gov registers the
     * trials' 177Lu-DOTATATE as "Intervention Type DRUG" (seeds 002 and 003), and so a
     * radiopharmaceutical is a DRUG here, as an oral drug is */
    const char *types[8];
    size_t ntypes = 0;
    for (const lt_json *arm = lt_json_first(arms_json(c)); arm; arm = lt_json_next(arm))
        for (const lt_json *iv = lt_json_first(lt_json_get(arm, "interventions")); iv;
             iv = lt_json_next(iv)) {
            const char *type = lt_json_get_str(iv, "type", "");
            const char *t = !strcmp(type, "radiopharmaceutical") || !strcmp(type, "drug") ? "DRUG"
                                                                                          : NULL;
            bool seen = !t;
            for (size_t k = 0; !seen && k < ntypes; k++) seen = !strcmp(types[k], t);
            if (seen || ntypes == N(types)) continue;
            types[ntypes++] = t;
            ts(&x, "INTTYPE", "Intervention Type", t, NULL, "CDISC CT");
        }
    /* the investigational treatments: the agents of the experimental (or single) arms */
    for (const lt_json *arm = lt_json_first(arms_json(c)); arm; arm = lt_json_next(arm)) {
        const char *role = lt_json_get_str(arm, "role", "");
        if (strcmp(role, "experimental") && strcmp(role, "single")) continue;
        for (const lt_json *iv = lt_json_first(lt_json_get(arm, "interventions")); iv;
             iv = lt_json_next(iv)) {
            /* the substance's UNII where terms.c has a confirmed one (177Lu-DOTATATE) */
            const char *agent = lt_json_get_str(iv, "agent", lt_json_key(iv));
            x.unii = lt__unii(agent, lt_json_get_str(iv, "nuclide", NULL));
            ts(&x, "TRT", "Investigational Therapy or Treatment", agent, NULL,
               x.unii ? "UNII" : NULL);
            x.unii = NULL;
        }
    }
    for (const lt_json *arm = lt_json_first(arms_json(c)); arm; arm = lt_json_next(arm)) {
        if (strcmp(lt_json_get_str(arm, "role", ""), "control")) continue;
        bool treated = lt_json_first(lt_json_get(arm, "interventions")) != NULL;
        ts(&x, "COMPTRT", "Comparator Treatment", lt_json_get_str(arm, "name", lt_json_key(arm)),
           NULL, NULL);
        ts(&x, "TCNTRL", "Control Type", treated ? "ACTIVE" : "NONE", NULL, "CDISC CT");
    }
    double nplanned;
    const lt_json *design = lt_protocol_section(p, "design");
    if (lt_json_num(lt_json_get(design, "patients"), &nplanned)) {
        snprintf(buf, sizeof buf, "%g", nplanned);
        ts(&x, "PLANSUB", "Planned Number of Subjects", buf, NULL, NULL);
    }
    snprintf(buf, sizeof buf, "%zu", c->n);
    ts(&x, "ACTSUB", "Actual Number of Subjects", buf, NULL, NULL);
    const char *primary = lt_json_get_str(design, "primary_endpoint", NULL);
    const lt_json *ep = primary ? lt_json_get(lt_protocol_section(p, "endpoints"), primary) : NULL;
    if (ep) ts(&x, "OUTMSPRI", "Primary Outcome Measure", lt_json_get_str(ep, "name", primary), NULL, NULL);
    double amin = NAN, amax = NAN;
    bool f = false, m = false, sexrule = false;
    for (size_t i = 0; i < lt_protocol_criterion_count(p); i++) {
        const lt_criterion *cr = lt_protocol_criterion(p, i);
        if (cr->exclusion) continue;
        age_limits(cr->rule, &amin, &amax);
        sex_rule(cr->rule, &f, &m, &sexrule);
    }
    /* ISO 8601 durations; no upper limit is the null flavour PINF (positive infinity) */
    if (!isnan(amin)) {
        snprintf(buf, sizeof buf, "P%gY", amin);
        ts(&x, "AGEMIN", "Planned Minimum Age of Subjects", buf, NULL, "ISO 8601");
    }
    if (!isnan(amax)) {
        snprintf(buf, sizeof buf, "P%gY", amax);
        ts(&x, "AGEMAX", "Planned Maximum Age of Subjects", buf, NULL, "ISO 8601");
    } else {
        ts(&x, "AGEMAX", "Planned Maximum Age of Subjects", NULL, "PINF", NULL);
    }
    ts(&x, "SEXPOP", "Sex of Participants",
       !sexrule || (f && m) ? "BOTH" : f ? "F" : "M", NULL, "CDISC CT");
    const lt_json *reg = lt_protocol_section(p, "registry");
    const char *nct = lt_json_get_str(reg, "nct", NULL), *eudract = lt_json_get_str(reg, "eudract", NULL);
    if (nct) ts(&x, "REGID", "Registry Identifier", nct, NULL, "ClinicalTrials.gov");
    if (eudract) ts(&x, "REGID", "Registry Identifier", eudract, NULL, "EudraCT");
    const char *sid = lt_json_get_str(reg, "sponsor_id", NULL);
    if (sid) ts(&x, "SPREFID", "Sponsor's Study Reference ID", sid, NULL, NULL);
    ts(&x, "SPONSOR", "Clinical Study Sponsor", NULL, "NI", NULL);
    ts(&x, "INDIC", "Trial Disease/Condition Indication", NULL, "NI", NULL);
    return LT_OK;
}

static const lt__ds_var TE_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"ETCD", "Element Code", false},
    {"ELEMENT", "Description of Element", false},
    {"TESTRL", "Rule for Start of Element", false},
    {"TEENRL", "Rule for End of Element", false},
    {"TEDUR", "Planned Duration of Element", false},
};

static const lt__ds_var TA_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"ARMCD", "Planned Arm Code", false},
    {"ARM", "Description of Planned Arm", false},
    {"TAETORD", "Planned Order of Element within Arm", true},
    {"ETCD", "Element Code", false},
    {"ELEMENT", "Description of Element", false},
    {"TABRANCH", "Branch", false},
    {"EPOCH", "Epoch", false},
};

static const lt__ds_var TV_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"VISITNUM", "Visit Number", true},
    {"VISIT", "Visit Name", false},
    {"ARMCD", "Planned Arm Code", false},
    {"ARM", "Description of Planned Arm", false},
    {"TVSTRL", "Visit Start Rule", false},
    {"EPOCH", "Epoch", false},
};

static const lt__ds_var TI_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"IETESTCD", "Incl/Excl Criterion Short Name", false},
    {"IETEST", "Inclusion/Exclusion Criterion", false},
    {"IECAT", "Inclusion/Exclusion Category", false},
    {"TIVERS", "Protocol Criteria Versions", false},
};

/* TSPARMCD is the fifth variable: ts_rows numbers TSSEQ by it */
static const lt__ds_var TS_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"DOMAIN", "Domain Abbreviation", false},
    {"TSSEQ", "Sequence Number", true},
    {"TSGRPID", "Group ID", false},
    {"TSPARMCD", "Trial Summary Parameter Short Name", false},
    {"TSPARM", "Trial Summary Parameter", false},
    {"TSVAL", "Parameter Value", false},
    {"TSVALNF", "Parameter Null Flavor", false},
    {"TSVCDREF", "Name of the Reference Terminology", false},
    /* added after the columns scripts already read by position (docs/exports.md) */
    {"TSVALCD", "Parameter Value Code", false},
    {"TSVCDVER", "Version of the Reference Terminology", false},
};

const lt__xdomain lt__x_design_domains[] = {
    {"TE", "Trial Elements", TE_VARS, N(TE_VARS), te_rows, NULL, NULL},
    {"TA", "Trial Arms", TA_VARS, N(TA_VARS), ta_rows, NULL, NULL},
    {"TV", "Trial Visits", TV_VARS, N(TV_VARS), tv_rows, NULL, NULL},
    {"TI", "Trial Inclusion/Exclusion Criteria", TI_VARS, N(TI_VARS), ti_rows, NULL, NULL},
    {"TS", "Trial Summary", TS_VARS, N(TS_VARS), ts_rows, NULL, NULL},
};
const size_t lt__x_design_count = N(lt__x_design_domains);
