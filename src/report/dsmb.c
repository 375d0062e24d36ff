/* The DSMB report's figures: each section read from the library function that the command line
 * shows the same thing with (lt_trial_patients for the flow and enrolment, lt_conduct_list for
 * adverse events, labs, administrations, dose decisions, deviations and the oral drug,
 * lt_conduct_endpoint for the survival data, lt_conduct_proportion for proportions), counted
 * here by column: one pooled column in the open report, one per arm and a total in the closed
 * one. Nothing is derived a second way, so the report and `lutetia patients`, `lutetia list`
 * and `lutetia analyse` cannot disagree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/conduct.h"
#include "lutetia/safety.h"
#include "lutetia/stats.h"
#include "report_int.h"

#define MAX_ARMS 16
#define MAX_COLS (MAX_ARMS + 1)

typedef struct ctx {
    lt_trial *t;
    lt_conduct *cd;
    const lt_protocol *p;
    lt_report_kind kind;
    lt_date cutoff;
    size_t narms;
    const char *arm_id[MAX_ARMS], *arm_name[MAX_ARMS];
    size_t ncols;           /* open: 1; closed: the arms and a total */
    char *col[MAX_COLS];    /* column headings */
    double n_alloc[MAX_COLS]; /* allocated patients per column: the denominators */
    lt_json *pats;          /* lt_trial_patients' document */
    lt_json *lists[LT_LIST_COUNT];
    size_t nsections;
    lt_buf *out;
    lt_error *err;
} ctx;

static bool closed(const ctx *c)
{
    return c->kind == LT_REPORT_CLOSED;
}

static bool on_or_before(const char *date, lt_date cutoff)
{
    lt_date d;
    return date && lt_date_parse(date, false, &d) && d <= cutoff;
}

/* The column of an arm id: 0 in the open report; the arm's index in the closed one; -1 for
 * no arm (not allocated). */
static int arm_col(const ctx *c, const char *arm)
{
    if (!arm) return -1;
    if (!closed(c)) return 0;
    for (size_t i = 0; i < c->narms; i++)
        if (!strcmp(c->arm_id[i], arm)) return (int)i;
    return -1;
}

static const lt_json *patient_doc(const ctx *c, const char *id)
{
    const lt_json *a = lt_json_get(c->pats, "patients");
    for (const lt_json *v = lt_json_first(a); v && id; v = lt_json_next(v))
        if (!strcmp(lt_json_get_str(v, "id", ""), id)) return v;
    return NULL;
}

/* The column of an allocated patient, allocated by the cut-off; -1 otherwise. */
static int patient_col(const ctx *c, const char *id)
{
    const lt_json *d = patient_doc(c, id);
    if (!d || !on_or_before(lt_json_get_str(d, "randomised_on", NULL), c->cutoff)) return -1;
    return arm_col(c, lt_json_get_str(d, "arm", NULL));
}

/* Adds k to the patient's column and, in the closed report, to the total. */
static void add(const ctx *c, lt__tally *t, const char *label, int col, double k)
{
    if (col < 0) return;
    lt__tally_add(t, label, col, k);
    if (closed(c)) lt__tally_add(t, label, (int)c->ncols - 1, k);
}

static void table(ctx *c, const lt__tally *t, const char *id, const char *title,
                  const char *source, const char *unit, bool denominators, bool *first)
{
    lt_buf_puts(c->out, *first ? "" : ",");
    *first = false;
    lt__table_json(c->out, t, id, title, source, unit, (const char *const *)c->col,
                   denominators ? c->n_alloc : NULL);
}

static void section_open(ctx *c, const char *id, const char *title, const char *source)
{
    lt_buf_puts(c->out, c->nsections++ ? ",{\"id\":" : "{\"id\":");
    lt_buf_json_str(c->out, id);
    lt_buf_puts(c->out, ",\"title\":");
    lt_buf_json_str(c->out, title);
    lt_buf_puts(c->out, ",\"source\":");
    lt_buf_json_str(c->out, source);
}

static void notes(ctx *c, const char *const *text, size_t n)
{
    lt_buf_puts(c->out, ",\"notes\":[");
    for (size_t i = 0; i < n; i++) {
        lt_buf_puts(c->out, i ? "," : "");
        lt_buf_json_str(c->out, text[i]);
    }
    lt_buf_putc(c->out, ']');
}

static const lt_json *rows_of(const ctx *c, lt_listing l)
{
    return lt_json_get(c->lists[l], "rows");
}

/* ---- the sources ---- */

static lt_status load_sources(ctx *c)
{
    lt_buf b = LT_BUF_INIT;
    lt_status rc = lt_trial_patients(c->t, true, &b, c->err);
    if (rc == LT_OK && lt_buf_failed(&b)) rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_json_parse(b.p, b.n, "patients", &c->pats, c->err);
    static const lt_listing used[] = {LT_LIST_LABS,  LT_LIST_AES,        LT_LIST_ADMINISTRATIONS,
                                      LT_LIST_DOSES, LT_LIST_DISPENSING, LT_LIST_DEVIATIONS};
    for (size_t i = 0; rc == LT_OK && i < sizeof used / sizeof used[0]; i++) {
        lt_buf_reset(&b);
        lt_list_query q = {.listing = used[i], .from = LT_DATE_NONE, .to = c->cutoff};
        rc = lt_conduct_list(c->cd, &q, LT_CONDUCT_JSON, &b, NULL, c->err);
        if (rc == LT_OK && lt_buf_failed(&b))
            rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
        if (rc == LT_OK) rc = lt_json_parse(b.p, b.n, lt_listing_name(used[i]), &c->lists[used[i]], c->err);
    }
    lt_buf_free(&b);
    return rc;
}

/* ---- header ---- */

static lt_status header(ctx *c, const lt_report_options *o)
{
    lt_buf *b = c->out;
    int64_t seq = 0;
    char hash[LT_STORE_HASH_HEX];
    lt_status rc = lt_store_audit_head(lt_trial_store(c->t), &seq, hash, c->err);
    if (rc != LT_OK) return rc;
    char now[LT_TIME_STR_MAX], ds[LT_DATE_STR_MAX];
    if (!o->generated_at) lt_time_format(lt_time_now(), now);
    lt_buf_printf(b, "{\"report\":\"dsmb\",\"kind\":\"%s\",\"trial\":{\"id\":",
                  closed(c) ? "closed" : "open");
    lt_buf_json_str(b, lt_protocol_id(c->p));
    lt_buf_puts(b, ",\"name\":");
    lt_buf_json_str(b, lt_protocol_name(c->p));
    lt_buf_puts(b, ",\"protocol_version\":");
    lt_buf_json_str(b, lt_protocol_version(c->p));
    lt_buf_printf(b, "},\"cutoff\":\"%s\",\"audit_head\":{\"seq\":%lld,\"hash\":\"%s\"},",
                  lt_date_format(c->cutoff, ds), (long long)seq, hash);
    lt_buf_puts(b, "\"generated_by\":{\"user\":");
    lt_buf_json_str(b, lt_trial_user(c->t));
    lt_buf_puts(b, ",\"role\":");
    lt_buf_json_str(b, lt_role_name(lt_trial_role(c->t)));
    lt_buf_puts(b, "},\"generated_at\":");
    lt_buf_json_str(b, o->generated_at ? o->generated_at : now);
    lt_buf_puts(b, ",\"columns\":[");
    for (size_t i = 0; i < c->ncols; i++) {
        lt_buf_puts(b, i ? "," : "");
        lt_buf_json_str(b, c->col[i]);
    }
    lt_buf_puts(b, "]");
    if (closed(c)) {
        lt_buf_puts(b, ",\"arms\":");
        lt_protocol_arms_to_json(c->p, b);
    }
    return LT_OK;
}

/* ---- enrolment: randomised (or registered) patients by site and month ---- */

static void enrolment(ctx *c)
{
    lt__tally sites;
    lt__tally_init(&sites, 1);
    /* months as "YYYY-MM" rows of a tally per site: a site's row label is "SITE|YYYY-MM" */
    lt__tally months;
    lt__tally_init(&months, 1);
    const lt_json *a = lt_json_get(c->pats, "patients");
    char first[8] = "", last[8] = "";
    for (const lt_json *v = lt_json_first(a); v; v = lt_json_next(v)) {
        const char *on = lt_json_get_str(v, "randomised_on", NULL);
        if (!lt_json_get_str(v, "arm", NULL) || !on_or_before(on, c->cutoff)) continue;
        const char *site = lt_json_get_str(v, "site", "?");
        char key[160], month[8];
        snprintf(month, sizeof month, "%.7s", on);
        snprintf(key, sizeof key, "%s|%s", site, month);
        lt__tally_add(&sites, site, 0, 1);
        lt__tally_add(&months, key, 0, 1);
        if (!first[0] || strcmp(month, first) < 0) memcpy(first, month, sizeof first);
        if (strcmp(month, last) > 0) memcpy(last, month, sizeof last);
    }
    lt_buf *b = c->out;
    lt_buf_puts(b, ",\"enrolment\":{\"source\":\"lt_trial_patients: randomised_on, site\",\"first\":");
    lt_buf_json_str(b, first[0] ? first : NULL);
    lt_buf_puts(b, ",\"last\":");
    lt_buf_json_str(b, last[0] ? last : NULL);
    double total = 0;
    lt_buf_puts(b, ",\"sites\":[");
    for (size_t i = 0; i < sites.nrows; i++) {
        lt_buf_puts(b, i ? ",{\"site\":" : "{\"site\":");
        lt_buf_json_str(b, sites.label[i]);
        lt_buf_printf(b, ",\"total\":%.0f,\"months\":[", sites.v[i]);
        total += sites.v[i];
        size_t len = strlen(sites.label[i]);
        bool firstm = true;
        for (size_t k = 0; k < months.nrows; k++)
            if (!strncmp(months.label[k], sites.label[i], len) && months.label[k][len] == '|') {
                lt_buf_printf(b, "%s{\"month\":\"%s\",\"n\":%.0f}", firstm ? "" : ",",
                              months.label[k] + len + 1, months.v[k]);
                firstm = false;
            }
        lt_buf_puts(b, "]}");
    }
    lt_buf_printf(b, "],\"total\":%.0f}", total);
    lt__tally_free(&sites);
    lt__tally_free(&months);
}

/* ---- CONSORT 2010 flow ---- */

/* Whether the arm's patients get an intervention; an observation arm (NELMAS's standard of
 * care, no interventions) "receives" its allocation by starting follow-up. */
static bool arm_treats(const ctx *c, const char *arm)
{
    const lt_json *arms = lt_protocol_section(c->p, "arms");
    const lt_json *a = lt_json_get(arms, arm);
    return lt_json_size(lt_json_get(a, "interventions")) > 0;
}

static void consort(ctx *c, const lt_json *analysed_n, const char *analysed_by)
{
    size_t ng = closed(c) ? c->narms : 1;
    double assessed = 0, randomised = 0;
    bool cut = false; /* a patient screened after the cut-off was left out */
    lt__tally excl, alloc, disc;
    lt__tally_init(&excl, 1);
    lt__tally_init(&alloc, ng);
    lt__tally_init(&disc, ng);
    /* rows in CONSORT's order, so each box lists them the same way */
    lt__tally_add(&excl, "Not meeting eligibility criteria", 0, 0);
    const lt_json *a = lt_json_get(c->pats, "patients");
    for (const lt_json *v = lt_json_first(a); v; v = lt_json_next(v)) {
        const char *sc = lt_json_get_str(v, "screened_on", NULL);
        if (sc && !on_or_before(sc, c->cutoff)) {
            cut = true;
            continue;
        }
        assessed++;
        const char *arm = lt_json_get_str(v, "arm", NULL);
        int g = arm && on_or_before(lt_json_get_str(v, "randomised_on", NULL), c->cutoff)
                    ? arm_col(c, arm)
                    : -1;
        if (g < 0) {
            const char *verdict = lt_json_get_str(v, "verdict", "");
            const char *why = !strcmp(verdict, "ineligible")     ? "Not meeting eligibility criteria"
                              : !strcmp(verdict, "needs_review") ? "Eligibility under review"
                              : !lt_json_get_str(v, "consent_date", NULL) ? "Not consented"
                              : !lt_json_get_str(v, "confirmed_on", NULL)
                                  ? "Eligibility not yet confirmed"
                                  : "Not yet randomised";
            lt__tally_add(&excl, why, 0, 1);
            continue;
        }
        randomised++;
        lt__tally_add(&alloc, "allocated", g, 1);
        bool treated = lt_json_get_str(v, "treatment_on", NULL) != NULL &&
                       on_or_before(lt_json_get_str(v, "treatment_on", NULL), c->cutoff);
        bool followed = on_or_before(lt_json_get_str(v, "follow_up_on", NULL), c->cutoff);
        lt__tally_add(&alloc, "received", g, treated || (!arm_treats(c, arm) && followed));
        const char *end = lt_json_get_str(v, "end_reason", NULL);
        if (end && strcmp(end, "completed") && on_or_before(lt_json_get_str(v, "end_on", NULL), c->cutoff)) {
            lt__tally_add(&alloc, "discontinued", g, 1);
            lt__tally_add(&disc, end, g, 1);
        }
    }
    lt_buf *b = c->out;
    lt_buf_printf(b, ",\"consort\":{\"source\":\"lt_trial_patients (flow); %s (analysed)\","
                     "\"pooled\":%s,\"assessed\":%.0f,\"excluded\":%.0f,\"excluded_reasons\":[",
                  analysed_by, closed(c) ? "false" : "true", assessed, assessed - randomised);
    bool first = true;
    for (size_t i = 0; i < excl.nrows; i++) {
        if (excl.v[i] == 0) continue;
        lt_buf_puts(b, first ? "{\"reason\":" : ",{\"reason\":");
        first = false;
        lt_buf_json_str(b, excl.label[i]);
        lt_buf_printf(b, ",\"n\":%.0f}", excl.v[i]);
    }
    lt_buf_puts(b, "],\"failed_criteria\":");
    /* the flow counts the criteria over every screening: shown only when none was cut off */
    const lt_json *fc = cut ? NULL : lt_json_get(lt_json_get(c->pats, "flow"), "failed_criteria");
    char *txt = fc ? lt_json_print(fc) : NULL;
    lt_buf_puts(b, txt ? txt : "{}");
    free(txt);
    lt_buf_printf(b, ",\"randomised\":%.0f,\"groups\":[", randomised);
    double *al = lt__tally_row(&alloc, "allocated"), *rc = lt__tally_row(&alloc, "received"),
           *dc = lt__tally_row(&alloc, "discontinued");
    for (size_t g = 0; al && rc && dc && g < ng; g++) {
        lt_buf_puts(b, g ? ",{\"label\":" : "{\"label\":");
        lt_buf_json_str(b, c->col[g]);
        double an = 0;
        lt_json_num(lt_json_at(analysed_n, g), &an);
        lt_buf_printf(b,
                      ",\"allocated\":%.0f,\"received\":%.0f,\"not_received\":%.0f,"
                      "\"discontinued\":%.0f,\"discontinued_reasons\":[",
                      al[g], rc[g], al[g] - rc[g], dc[g]);
        bool f2 = true;
        for (size_t i = 0; i < disc.nrows; i++) {
            if (disc.v[i * ng + g] == 0) continue;
            lt_buf_puts(b, f2 ? "{\"reason\":" : ",{\"reason\":");
            f2 = false;
            lt_buf_json_str(b, disc.label[i]);
            lt_buf_printf(b, ",\"n\":%.0f}", disc.v[i * ng + g]);
        }
        lt_buf_printf(b, "],\"analysed\":%.0f,\"not_analysed\":%.0f}", an, al[g] - an);
    }
    lt_buf_puts(b, "]}");
    for (size_t g = 0; al && g < ng; g++) {
        c->n_alloc[g] = al[g];
        if (closed(c)) c->n_alloc[c->ncols - 1] += al[g];
    }
    lt__tally_free(&excl);
    lt__tally_free(&alloc);
    lt__tally_free(&disc);
}

/* ---- baseline ---- */

/* The age at randomisation that splits the table's two age groups: 65 years, the threshold
 * of ICH E7 (studies in support of special populations: geriatrics) and of the subgroups the
 * radioligand trials report (NETTER-1, VISION); the protocols name no other. */
#define AGE_SPLIT 65

static double median(double *v, size_t n);

/* Patients by site, age group, sex and each stratification factor's level, and the age's
 * median and range: ages and sexes from lt_conduct_demographics (the recorded profile, else
 * the facts stored at screening; the age at randomisation by lt_date_age_years, as ADaM's
 * ADSL.AGE), a patient whose birth date is unknown counted as such. */
static lt_status baseline(ctx *c)
{
    lt_buf b = LT_BUF_INIT;
    lt_json *demo = NULL;
    lt_status rc = lt_conduct_demographics(c->cd, &b, c->err);
    if (rc == LT_OK && lt_buf_failed(&b)) rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_json_parse(b.p, b.n, "demographics", &demo, c->err);
    lt_buf_free(&b);
    if (rc != LT_OK) return rc;
    char young[40], old[40];
    snprintf(young, sizeof young, "Age < %d years", AGE_SPLIT);
    snprintf(old, sizeof old, "Age >= %d years", AGE_SPLIT);
    lt__tally t, ages;
    lt__tally_init(&t, c->ncols);
    lt__tally_init(&ages, c->ncols);
    /* the rows in the order a reader compares them, each shown even when 0: an unknown that
     * is absent says that none is unknown */
    static const char *const fixed[] = {
        "Patients", "", "", "Age unknown", "Sex: female", "Sex: male", "Sex: unknown"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        lt__tally_add(&t, i == 1 ? young : i == 2 ? old : fixed[i], 0, 0);
    size_t nd = lt_json_size(demo);
    double *age = calloc(nd + 1, sizeof *age);
    int *col = calloc(nd + 1, sizeof *col);
    if (!age || !col) {
        free(age), free(col);
        lt_json_free(demo);
        lt__tally_free(&t);
        lt__tally_free(&ages);
        return lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    }
    size_t k = 0;
    for (const lt_json *v = lt_json_first(demo); v; v = lt_json_next(v), k++) {
        int g = patient_col(c, lt_json_get_str(v, "patient", NULL));
        col[k] = g;
        age[k] = NAN;
        if (g < 0) continue;
        add(c, &t, "Patients", g, 1);
        double a;
        if (lt_json_num(lt_json_get(v, "age"), &a)) {
            age[k] = a;
            add(c, &t, a < AGE_SPLIT ? young : old, g, 1);
        } else {
            add(c, &t, "Age unknown", g, 1);
        }
        const char *sex = lt_json_get_str(v, "sex", NULL);
        add(c, &t,
            !sex                     ? "Sex: unknown"
            : !strcmp(sex, "female") ? "Sex: female"
                                     : "Sex: male",
            g, 1);
    }
    /* median and range per column over the known ages (the total: every arm's) */
    double *tmp = calloc(nd + 1, sizeof *tmp);
    for (size_t g = 0; tmp && g < c->ncols; g++) {
        size_t n = 0;
        bool total = closed(c) && g == c->ncols - 1;
        for (size_t i = 0; i < nd; i++)
            if (col[i] >= 0 && !isnan(age[i]) && (total || col[i] == (int)g)) tmp[n++] = age[i];
        double med = median(tmp, n); /* sorts tmp */
        lt__tally_set(&ages, "Patients with a known age", (int)g, (double)n);
        lt__tally_set(&ages, "Median", (int)g, med);
        lt__tally_set(&ages, "Minimum", (int)g, n ? tmp[0] : NAN);
        lt__tally_set(&ages, "Maximum", (int)g, n ? tmp[n - 1] : NAN);
    }
    if (!tmp) ages.failed = 1;
    free(tmp), free(age), free(col);
    lt_json_free(demo);
    /* sites, then each stratification factor's levels, each in the order of their names */
    const lt_json *a = lt_json_get(c->pats, "patients");
    size_t first_site = t.nrows;
    for (const lt_json *v = lt_json_first(a); v; v = lt_json_next(v)) {
        int g = patient_col(c, lt_json_get_str(v, "id", NULL));
        if (g < 0) continue;
        char label[256];
        snprintf(label, sizeof label, "Site %s", lt_json_get_str(v, "site", "?"));
        add(c, &t, label, g, 1);
    }
    lt__tally_sort(&t, first_site);
    size_t first_level = t.nrows;
    for (const lt_json *v = lt_json_first(a); v; v = lt_json_next(v)) {
        int g = patient_col(c, lt_json_get_str(v, "id", NULL));
        if (g < 0) continue;
        char label[256];
        const lt_json *strata = lt_json_get(v, "strata");
        for (const lt_json *s = lt_json_first(strata); s; s = lt_json_next(s)) {
            snprintf(label, sizeof label, "%s: %s", lt_json_key(s),
                     lt_json_get_str(s, "level", "unknown"));
            add(c, &t, label, g, 1);
        }
    }
    lt__tally_sort(&t, first_level);
    section_open(c, "baseline", "Baseline characteristics",
                 "lt_conduct_demographics (age at randomisation, sex) and lt_trial_patients "
                 "(site, stratification factors) of the allocated patients");
    char note[300];
    snprintf(note, sizeof note,
             "Age in whole years on the day of randomisation, from the recorded profile's birth "
             "date or else the one screened; a patient whose birth date is unknown (none "
             "recorded, or known to the year or month only) is counted as \"Age unknown\". "
             "Age groups split at %d years (ICH E7).",
             AGE_SPLIT);
    const char *nt[] = {note};
    notes(c, nt, 1);
    lt_buf_puts(c->out, ",\"tables\":[");
    bool first = true;
    table(c, &t, "baseline", "Patients by age, sex, site and stratification factor",
          "lt_conduct_demographics, lt_trial_patients", "n", true, &first);
    table(c, &ages, "baseline_age", "Age at randomisation (years)", "lt_conduct_demographics",
          "years", false, &first);
    lt_buf_puts(c->out, "]}");
    if (t.failed || ages.failed) rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    lt__tally_free(&t);
    lt__tally_free(&ages);
    return rc;
}

/* ---- exposure ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    if (!n) return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Per patient sums of one listing's number (cycles given, activity), then per column the
 * median of those sums. */
typedef struct per_patient {
    size_t n, cap;
    char **id;
    int *col;
    double *cycles, *mbq;
} per_patient;

static size_t pp_index(per_patient *pp, const char *id, int col)
{
    for (size_t i = 0; i < pp->n; i++)
        if (!strcmp(pp->id[i], id)) return i;
    if (pp->n == pp->cap) {
        size_t cap = pp->cap ? 2 * pp->cap : 32;
        char **ids = realloc(pp->id, cap * sizeof *ids);
        if (ids) pp->id = ids;
        int *cols = ids ? realloc(pp->col, cap * sizeof *cols) : NULL;
        if (cols) pp->col = cols;
        double *cy = cols ? realloc(pp->cycles, cap * sizeof *cy) : NULL;
        if (cy) pp->cycles = cy;
        double *mb = cy ? realloc(pp->mbq, cap * sizeof *mb) : NULL;
        if (!mb) return SIZE_MAX;
        pp->mbq = mb;
        pp->cap = cap;
    }
    pp->id[pp->n] = strdup(id);
    if (!pp->id[pp->n]) return SIZE_MAX;
    pp->col[pp->n] = col;
    pp->cycles[pp->n] = pp->mbq[pp->n] = 0;
    return pp->n++;
}

static void pp_free(per_patient *pp)
{
    for (size_t i = 0; i < pp->n; i++) free(pp->id[i]);
    free(pp->id);
    free(pp->col);
    free(pp->cycles);
    free(pp->mbq);
}

static void exposure(ctx *c)
{
    lt__tally counts, amounts, decisions;
    lt__tally_init(&counts, c->ncols);
    lt__tally_init(&amounts, c->ncols);
    lt__tally_init(&decisions, c->ncols);
    per_patient pp = {0};
    for (const lt_json *r = lt_json_first(rows_of(c, LT_LIST_ADMINISTRATIONS)); r; r = lt_json_next(r)) {
        const char *id = lt_json_get_str(r, "patient", "");
        int g = patient_col(c, id);
        if (g < 0) continue;
        size_t i = pp_index(&pp, id, g);
        if (i == SIZE_MAX) break;
        pp.cycles[i] += 1;
        pp.mbq[i] += lt_json_get_num(r, "administered_mbq", 0);
        add(c, &amounts, "Administrations (cycles given)", g, 1);
        add(c, &amounts, "Total activity administered (GBq)", g,
            lt_json_get_num(r, "administered_mbq", 0) / 1000);
    }
    for (size_t i = 0; i < pp.n; i++) add(c, &counts, "Patients given at least one cycle", pp.col[i], 1);
    /* medians per column over the treated patients */
    double *v = malloc((pp.n ? pp.n : 1) * sizeof *v);
    for (size_t g = 0; v && g < c->ncols; g++) {
        size_t k = 0;
        for (size_t i = 0; i < pp.n; i++)
            if (pp.col[i] == (int)g || (closed(c) && g == c->ncols - 1)) v[k++] = pp.cycles[i];
        lt__tally_set(&amounts, "Cycles per treated patient (median)", (int)g, median(v, k));
        k = 0;
        for (size_t i = 0; i < pp.n; i++)
            if (pp.col[i] == (int)g || (closed(c) && g == c->ncols - 1)) v[k++] = pp.mbq[i] / 1000;
        lt__tally_set(&amounts, "Cumulative activity per treated patient, GBq (median)", (int)g,
                      median(v, k));
    }
    free(v);
    /* dose decisions by action, and the toxicities that caused the withholds and reductions */
    for (const lt_json *r = lt_json_first(rows_of(c, LT_LIST_DOSES)); r; r = lt_json_next(r)) {
        int g = patient_col(c, lt_json_get_str(r, "patient", NULL));
        const char *action = lt_json_get_str(r, "action", "?");
        char label[200];
        snprintf(label, sizeof label, "Dose decisions: %s", action);
        add(c, &decisions, label, g, 1);
        const lt_json *why = lt_json_get(r, "reasons");
        for (const lt_json *w = lt_json_first(why); w; w = lt_json_next(w)) {
            snprintf(label, sizeof label, "  %s, because of %s", action,
                     lt_json_str(w) ? lt_json_str(w) : "?");
            add(c, &decisions, label, g, 1);
        }
    }
    section_open(c, "exposure", "Exposure",
                 "lt_conduct_list: administrations (cycles, decay-corrected activity) and doses "
                 "(the dose decisions with the toxicities behind them)");
    lt_buf_puts(c->out, ",\"tables\":[");
    bool first = true;
    table(c, &counts, "exposure_patients", "Patients and cycles", "lt_conduct_list(administrations)",
          "n", true, &first);
    table(c, &amounts, "exposure_amounts", "Activity and cycles", "lt_conduct_list(administrations)",
          "number", false, &first);
    table(c, &decisions, "dose_decisions", "Dose decisions (withheld, reduced, delayed) and their reasons",
          "lt_conduct_list(doses)", "events", false, &first);
    lt_buf_puts(c->out, "]}");
    pp_free(&pp);
    lt__tally_free(&counts);
    lt__tally_free(&amounts);
    lt__tally_free(&decisions);
}

/* ---- the oral drug (NET RETREAT's everolimus): closed report only ---- */

static lt_status oral(ctx *c)
{
    const lt_json *rows = rows_of(c, LT_LIST_DISPENSING);
    if (!lt_json_size(rows)) return LT_OK;
    section_open(c, "oral", "Oral drug: dose intensity and compliance",
                 "lt_conduct_oral_show per patient (compliance per dispensing period), "
                 "lt_conduct_list(dispensing)");
    if (!closed(c)) {
        static const char *const n[] = {
            "An oral drug is given in one arm only, so its figures would tell the arms apart: "
            "they are in the closed report."};
        notes(c, n, 1);
        lt_buf_puts(c->out, ",\"tables\":[]}");
        return LT_OK;
    }
    lt__tally t, q;
    lt__tally_init(&t, c->ncols);
    lt__tally_init(&q, c->ncols);
    lt__tally_row(&t, "Patients who started the oral drug"); /* the first row */
    /* the patients with records, each once */
    lt__tally seen;
    lt__tally_init(&seen, 1);
    for (const lt_json *r = lt_json_first(rows); r; r = lt_json_next(r)) {
        const char *id = lt_json_get_str(r, "patient", "");
        int g = patient_col(c, id);
        const char *type = lt_json_get_str(r, "type", "");
        char label[200];
        if (!strcmp(type, "dose") || !strcmp(type, "interrupt") || !strcmp(type, "stop")) {
            snprintf(label, sizeof label, "Records: %s (%s)", type,
                     lt_json_get_str(r, "cause", "no cause given"));
            add(c, &t, label, g, 1);
        }
        lt__tally_add(&seen, id, 0, 1);
    }
    lt_status rc = LT_OK;
    lt_buf b = LT_BUF_INIT;
    double comp[MAX_COLS][512];
    double rdi[MAX_COLS][512];
    size_t nc[MAX_COLS] = {0};
    for (size_t i = 0; rc == LT_OK && i < seen.nrows; i++) {
        int g = patient_col(c, seen.label[i]);
        if (g < 0) continue;
        lt_buf_reset(&b);
        rc = lt_conduct_oral_show(c->cd, seen.label[i], c->cutoff, &b, c->err);
        lt_json *d = NULL;
        if (rc == LT_OK) rc = lt_json_parse(b.p, b.n, "oral", &d, c->err);
        if (rc != LT_OK) break;
        add(c, &t, "Patients who started the oral drug", g, 1);
        double taken = 0, prescribed = 0, mg = 0, days = 0, start_mg = 0;
        for (const lt_json *e = lt_json_first(lt_json_get(d, "events")); e; e = lt_json_next(e))
            if (!strcmp(lt_json_get_str(e, "type", ""), "start")) {
                start_mg = lt_json_get_num(e, "dose_mg", 0);
                break;
            }
        for (const lt_json *p = lt_json_first(lt_json_get(d, "periods")); p; p = lt_json_next(p)) {
            double tk;
            if (!lt_json_num(lt_json_get(p, "taken"), &tk)) continue; /* not yet returned */
            taken += tk;
            prescribed += lt_json_get_num(p, "prescribed", 0);
            mg += tk * lt_json_get_num(p, "strength_mg", 0);
            days += lt_json_get_num(p, "days", 0);
        }
        lt_json_free(d);
        if (prescribed > 0 && nc[g] < 512) {
            size_t k = nc[g]++;
            comp[g][k] = 100 * taken / prescribed;
            rdi[g][k] = start_mg > 0 && days > 0 ? 100 * mg / (start_mg * days) : NAN;
            if (closed(c)) {
                size_t tk = nc[c->ncols - 1]++;
                if (tk < 512) {
                    comp[c->ncols - 1][tk] = comp[g][k];
                    rdi[c->ncols - 1][tk] = rdi[g][k];
                } else {
                    nc[c->ncols - 1]--;
                }
            }
        }
    }
    lt_buf_free(&b);
    for (size_t g = 0; g < c->ncols; g++) {
        lt__tally_set(&q, "Patients with a returned dispensing", (int)g, (double)nc[g]);
        lt__tally_set(&q, "Compliance: tablets taken / prescribed, % (median)", (int)g,
                      median(comp[g], nc[g]));
        lt__tally_set(&q, "Relative dose intensity: mg taken / (starting daily dose x days), % (median)",
                      (int)g, median(rdi[g], nc[g]));
    }
    if (rc == LT_OK) {
        lt_buf_puts(c->out, ",\"tables\":[");
        bool first = true;
        table(c, &t, "oral_records", "Patients and dose changes, interruptions and stops",
              "lt_conduct_list(dispensing)", "n", true, &first);
        table(c, &q, "oral_intensity", "Dose intensity and compliance (returned dispensings)",
              "lt_conduct_oral_show", "number", false, &first);
        lt_buf_puts(c->out, "]}");
    }
    lt__tally_free(&t);
    lt__tally_free(&q);
    lt__tally_free(&seen);
    return rc;
}

/* ---- adverse events ---- */

static lt_status adverse_events(ctx *c)
{
    lt_ctcae_terms *terms = NULL;
    lt_status rc = lt_ctcae_terms_load(NULL, &terms, c->err);
    if (rc != LT_OK) return rc;
    lt__tally worst;       /* "patient" -> worst grade, serious (bit) */
    lt__tally_init(&worst, 2);
    lt__tally soc, soc3;   /* "patient|soc" seen */
    lt__tally_init(&soc, 1);
    lt__tally_init(&soc3, 1);
    lt__tally summary, bysoc;
    lt__tally_init(&summary, c->ncols);
    lt__tally_init(&bysoc, c->ncols);
    lt__tally_add(&summary, "Any adverse event", 0, 0);
    for (int g = 1; g <= 5; g++) {
        char l[32];
        snprintf(l, sizeof l, "Worst grade %d", g);
        lt__tally_add(&summary, l, 0, 0);
    }
    lt__tally_add(&summary, "Grade >= 3", 0, 0);
    lt__tally_add(&summary, "Serious", 0, 0);
    double events = 0;
    for (const lt_json *r = lt_json_first(rows_of(c, LT_LIST_AES)); r; r = lt_json_next(r)) {
        const char *id = lt_json_get_str(r, "patient", "");
        if (patient_col(c, id) < 0) continue;
        events++;
        double grade = lt_json_get_num(r, "grade", 0);
        bool serious = false;
        lt_json_bool(lt_json_get(r, "serious"), &serious);
        double *w = lt__tally_row(&worst, id);
        if (w) {
            if (grade > w[0]) w[0] = grade;
            if (serious) w[1] = 1;
        }
        const lt_ctcae_term_entry *e = lt_ctcae_terms_find(terms, lt_json_get_str(r, "term", ""));
        char key[512];
        snprintf(key, sizeof key, "%s|%s", e ? e->soc : "Not coded to a CTCAE term", id);
        lt__tally_add(&soc, key, 0, 1);
        if (grade >= 3) lt__tally_add(&soc3, key, 0, 1);
    }
    for (size_t i = 0; i < worst.nrows; i++) {
        int g = patient_col(c, worst.label[i]);
        add(c, &summary, "Any adverse event", g, 1);
        char l[32];
        snprintf(l, sizeof l, "Worst grade %.0f", worst.v[2 * i]);
        add(c, &summary, l, g, 1);
        if (worst.v[2 * i] >= 3) add(c, &summary, "Grade >= 3", g, 1);
        if (worst.v[2 * i + 1]) add(c, &summary, "Serious", g, 1);
    }
    for (size_t pass = 0; pass < 2; pass++) {
        lt__tally *s = pass ? &soc3 : &soc;
        for (size_t i = 0; i < s->nrows; i++) {
            char *bar = strrchr(s->label[i], '|');
            if (!bar) continue;
            int g = patient_col(c, bar + 1);
            char l[512];
            snprintf(l, sizeof l, "%.*s%s", (int)(bar - s->label[i]), s->label[i],
                     pass ? " (grade >= 3)" : "");
            add(c, &bysoc, l, g, 1);
        }
    }
    section_open(c, "adverse_events", "Adverse events (CTCAE v5.0)",
                 "lt_conduct_list(aes); system organ class from the CTCAE v5.0 term list");
    lt_buf_printf(c->out, ",\"events\":%.0f,\"tables\":[", events);
    bool first = true;
    table(c, &summary, "ae_summary", "Patients by worst grade, grade >= 3 and serious",
          "lt_conduct_list(aes)", "n", true, &first);
    table(c, &bysoc, "ae_soc", "Patients with an adverse event by system organ class",
          "lt_conduct_list(aes)", "n", true, &first);
    lt_buf_puts(c->out, "]}");
    lt__tally_free(&worst);
    lt__tally_free(&soc);
    lt__tally_free(&soc3);
    lt__tally_free(&summary);
    lt__tally_free(&bysoc);
    lt_ctcae_terms_free(terms);
    return LT_OK;
}

/* ---- laboratory shift tables: baseline grade -> worst grade after it ---- */

static void lab_shifts(ctx *c)
{
    /* per "term|patient": baseline grade (the first graded result) and worst later grade */
    lt__tally pg;
    lt__tally_init(&pg, 2);
    lt__tally anyg; /* terms with a grade >= 1 somewhere */
    lt__tally_init(&anyg, 1);
    for (const lt_json *r = lt_json_first(rows_of(c, LT_LIST_LABS)); r; r = lt_json_next(r)) {
        double grade;
        const char *term = lt_json_get_str(r, "term", NULL);
        const char *id = lt_json_get_str(r, "patient", "");
        if (!term || !lt_json_num(lt_json_get(r, "grade"), &grade) || patient_col(c, id) < 0) continue;
        char key[400];
        snprintf(key, sizeof key, "%s|%s", term, id);
        bool fresh = true;
        for (size_t i = 0; i < pg.nrows; i++)
            if (!strcmp(pg.label[i], key)) fresh = false;
        double *v = lt__tally_row(&pg, key);
        if (!v) break;
        if (fresh) {
            v[0] = grade;
            v[1] = -1; /* no result after the baseline yet */
        } else if (grade > v[1]) {
            v[1] = grade;
        }
        lt__tally_add(&anyg, term, 0, grade >= 1);
    }
    section_open(c, "lab_shifts", "Laboratory shift tables (CTCAE grade)",
                 "lt_conduct_list(labs): each patient's first graded result of the analyte "
                 "(baseline) against the worst grade after it");
    static const char *const n[] = {
        "Patients by baseline grade (rows) and worst grade after baseline (columns 0-4). "
        "Analytes whose results all "
        "stayed grade 0 are not shown."};
    notes(c, n, 1);
    lt_buf_puts(c->out, ",\"tables\":[");
    bool first = true;
    const char *cols[5] = {"0", "1", "2", "3", "4"};
    size_t ng = closed(c) ? c->ncols : 1;
    for (size_t k = 0; k < anyg.nrows; k++) {
        if (anyg.v[k] == 0) continue;
        for (size_t g = 0; g < ng; g++) {
            lt__tally t;
            lt__tally_init(&t, 5);
            for (int b = 0; b <= 4; b++) {
                char l[32];
                snprintf(l, sizeof l, "Baseline %d", b);
                lt__tally_row(&t, l);
            }
            size_t len = strlen(anyg.label[k]);
            for (size_t i = 0; i < pg.nrows; i++) {
                if (strncmp(pg.label[i], anyg.label[k], len) || pg.label[i][len] != '|') continue;
                int pc = patient_col(c, pg.label[i] + len + 1);
                if (closed(c) && g < c->ncols - 1 && pc != (int)g) continue;
                double b = pg.v[2 * i], w = pg.v[2 * i + 1];
                if (w < 0) continue; /* nothing after baseline: no shift to show */
                char l[32];
                snprintf(l, sizeof l, "Baseline %.0f", b > 4 ? 4 : b);
                lt__tally_add(&t, l, (int)(w > 4 ? 4 : w), 1);
            }
            char id[300], title[400];
            snprintf(id, sizeof id, "shift:%s:%zu", anyg.label[k], g);
            snprintf(title, sizeof title, "%s%s%s", anyg.label[k], ng > 1 ? " - " : "",
                     ng > 1 ? c->col[g] : "");
            lt_buf_puts(c->out, first ? "" : ",");
            first = false;
            lt__table_json(c->out, &t, id, title, "lt_conduct_list(labs)", "n", cols, NULL);
            lt__tally_free(&t);
        }
    }
    lt_buf_puts(c->out, "]}");
    lt__tally_free(&pg);
    lt__tally_free(&anyg);
}

/* ---- deviations ---- */

/* The kinds of a calendar entry's deviation, as `lutetia schedule` marks them (lt_visit's
 * deviation): done outside its window, missed (its window closed by the cut-off with nothing
 * recorded), done within a permitted delay but without the reason the protocol asks for. */
typedef enum vkind { VK_OUT, VK_MISSED, VK_DELAYED, VK_COUNT } vkind;
static const char *const vkind_label[VK_COUNT] = {"Visits out of window", "Visits missed (overdue)",
                                                  "Visits delayed without a reason"};
static const char *const vkind_key[VK_COUNT] = {"out_of_window", "missed", "delayed"};
static const char *const vkind_short[VK_COUNT] = {"out of window", "missed",
                                                  "delayed without a reason"};

static int vkind_of(const lt_visit *v)
{
    if (!v->deviation) return -1;
    return v->status == LT_VISIT_OUT_OF_WINDOW ? VK_OUT
           : v->status == LT_VISIT_OVERDUE     ? VK_MISSED
           : v->status == LT_VISIT_DELAYED     ? VK_DELAYED
                                               : -1;
}

/* Each allocated patient's calendar as of the cut-off, by lt_conduct_calendar_of, the function
 * behind `lutetia schedule PATIENT --as-of CUTOFF` (records after the cut-off unseen, entries
 * whose window closed by it overdue): the deviations counted by kind per column and site, and
 * listed per patient. The open report lists no entry (an entry's name, an everolimus
 * dispensing or a cycle, would tell the patient's arm): only counts by kind. */
static lt_status visit_deviations(ctx *c, lt__tally *t, lt__tally *sites, lt_buf *rows)
{
    lt_outcome_set *set = NULL;
    lt_status rc = lt_conduct_outcomes(c->cd, NULL, NULL, &set, c->err);
    if (rc != LT_OK) return rc;
    bool first = true;
    char d[LT_DATE_STR_MAX];
    for (size_t i = 0; rc == LT_OK && i < set->n; i++) {
        const lt_outcome_record *r = set->records[i];
        int g = patient_col(c, r->id);
        if (g < 0) continue;
        lt_calendar *cal = NULL;
        rc = lt_conduct_calendar_of(c->cd, r, c->cutoff, &cal, c->err);
        if (rc != LT_OK) break;
        size_t n[VK_COUNT] = {0};
        for (size_t k = 0; k < cal->n; k++) {
            int kind = vkind_of(&cal->visits[k]);
            if (kind < 0) continue;
            n[kind]++;
            add(c, t, vkind_label[kind], g, 1);
            char label[300];
            snprintf(label, sizeof label, "Site %s: %s", r->site ? r->site : "?",
                     vkind_short[kind]);
            add(c, sites, label, g, 1);
        }
        if (n[VK_OUT] + n[VK_MISSED] + n[VK_DELAYED]) {
            lt_buf_puts(rows, first ? "{\"patient\":" : ",{\"patient\":");
            first = false;
            lt_buf_json_str(rows, r->id);
            lt_buf_puts(rows, ",\"site\":");
            lt_buf_json_str(rows, r->site);
            if (closed(c)) {
                lt_buf_puts(rows, ",\"arm\":");
                lt_buf_json_str(rows, c->col[g]);
            }
            for (int k = 0; k < VK_COUNT; k++)
                lt_buf_printf(rows, ",\"%s\":%zu", vkind_key[k], n[k]);
            if (closed(c)) {
                lt_buf_puts(rows, ",\"entries\":[");
                bool f2 = true;
                for (size_t k = 0; k < cal->n; k++) {
                    const lt_visit *v = &cal->visits[k];
                    int kind = vkind_of(v);
                    if (kind < 0) continue;
                    lt_buf_puts(rows, f2 ? "{\"entry\":" : ",{\"entry\":");
                    f2 = false;
                    lt_buf_json_str(rows, v->id);
                    lt_buf_puts(rows, ",\"label\":");
                    lt_buf_json_str(rows, v->label);
                    lt_buf_printf(rows,
                                  ",\"kind\":\"%s\",\"status\":\"%s\",\"target\":", vkind_key[kind],
                                  lt_visit_status_name(v->status));
                    lt_buf_json_str(rows, v->target != LT_DATE_NONE ? lt_date_format(v->target, d)
                                                                    : NULL);
                    lt_buf_puts(rows, ",\"actual\":");
                    lt_buf_json_str(rows, v->actual != LT_DATE_NONE ? lt_date_format(v->actual, d)
                                                                    : NULL);
                    lt_buf_puts(rows, ",\"note\":");
                    lt_buf_json_str(rows, v->note);
                    lt_buf_putc(rows, '}');
                }
                lt_buf_putc(rows, ']');
            }
            lt_buf_putc(rows, '}');
        }
        lt_calendar_free(cal);
    }
    lt_outcome_set_free(set);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static lt_status deviations(ctx *c)
{
    lt__tally t, sites;
    lt__tally_init(&t, c->ncols);
    lt__tally_init(&sites, c->ncols);
    /* the kinds in a fixed order, each shown even when 0 */
    lt__tally_add(&t, "Acknowledged dose deviations", 0, 0);
    for (int k = 0; k < VK_COUNT; k++)
        lt__tally_add(&t, vkind_label[k], 0, 0);
    const lt_json *rows = rows_of(c, LT_LIST_DEVIATIONS);
    for (const lt_json *r = lt_json_first(rows); r; r = lt_json_next(r))
        add(c, &t, "Acknowledged dose deviations", patient_col(c, lt_json_get_str(r, "patient", NULL)), 1);
    /* a row per site of the allocated patients and kind, sites in order, zeros shown */
    const char *names[512];
    size_t ns = 0;
    for (const lt_json *v = lt_json_first(lt_json_get(c->pats, "patients")); v;
         v = lt_json_next(v)) {
        const char *site = lt_json_get_str(v, "site", "?");
        if (patient_col(c, lt_json_get_str(v, "id", NULL)) < 0) continue;
        size_t k = 0;
        while (k < ns && strcmp(names[k], site))
            k++;
        if (k == ns && ns < sizeof names / sizeof names[0]) names[ns++] = site;
    }
    qsort(names, ns, sizeof *names, cmp_str);
    for (size_t i = 0; i < ns; i++)
        for (int k = 0; k < VK_COUNT; k++) {
            char label[300];
            snprintf(label, sizeof label, "Site %s: %s", names[i], vkind_short[k]);
            lt__tally_add(&sites, label, 0, 0);
        }
    lt_buf vrows = LT_BUF_INIT;
    lt_status rc = visit_deviations(c, &t, &sites, &vrows);
    if (rc == LT_OK && (lt_buf_failed(&vrows) || t.failed || sites.failed))
        rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    if (rc != LT_OK) {
        lt_buf_free(&vrows);
        lt__tally_free(&t);
        lt__tally_free(&sites);
        return rc;
    }
    section_open(c, "deviations", "Deviations",
                 "lt_conduct_list(deviations): the investigators' acknowledged dose deviations; "
                 "lt_conduct_calendar_of as of the cut-off: the calendar's visit deviations");
    const char *nt[] = {
        closed(c) ? "Visit deviations are the calendar's, as `lutetia schedule PATIENT --as-of` "
                    "the cut-off marks them: done outside the window, missed (the window closed "
                    "by the cut-off and nothing recorded), or delayed within a permitted delay "
                    "without a recorded reason."
                  : "Visit deviations are the calendar's, as `lutetia schedule PATIENT --as-of` "
                    "the cut-off marks them: done outside the window, missed (the window closed "
                    "by the cut-off and nothing recorded), or delayed within a permitted delay "
                    "without a recorded reason. The open report counts them by kind and patient "
                    "without naming the visits, whose names could tell the arms apart."};
    notes(c, nt, 1);
    lt_buf_puts(c->out, ",\"rows\":[");
    bool first = true;
    for (const lt_json *r = lt_json_first(rows); r; r = lt_json_next(r)) {
        if (patient_col(c, lt_json_get_str(r, "patient", NULL)) < 0) continue;
        lt_buf_puts(c->out, first ? "{\"patient\":" : ",{\"patient\":");
        first = false;
        lt_buf_json_str(c->out, lt_json_get_str(r, "patient", ""));
        lt_buf_puts(c->out, ",\"date\":");
        lt_buf_json_str(c->out, lt_json_get_str(r, "date", ""));
        lt_buf_puts(c->out, ",\"cycle\":");
        lt_buf_json_num(c->out, lt_json_get_num(r, "cycle", NAN));
        lt_buf_puts(c->out, ",\"activity_mbq\":");
        lt_buf_json_num(c->out, lt_json_get_num(r, "activity_mbq", NAN));
        lt_buf_puts(c->out, ",\"reason\":");
        lt_buf_json_str(c->out, lt_json_get_str(r, "reason", ""));
        lt_buf_putc(c->out, '}');
    }
    lt_buf_puts(c->out, "],\"visit_rows\":[");
    lt_buf_puts(c->out, lt_buf_str(&vrows));
    lt_buf_puts(c->out, "],\"tables\":[");
    first = true;
    table(c, &t, "deviations", "Deviations", "lt_conduct_list(deviations), lt_conduct_calendar_of",
          "events", false, &first);
    table(c, &sites, "deviations_by_site", "Visit deviations by site", "lt_conduct_calendar_of",
          "events", false, &first);
    lt_buf_puts(c->out, "]}");
    lt_buf_free(&vrows);
    lt__tally_free(&t);
    lt__tally_free(&sites);
    return LT_OK;
}

/* ---- survival: the endpoint's dataset, Kaplan-Meier, and in the closed report the log-rank
 * test and the Cox model of the arm indicators (the reference arm is the dataset's baseline,
 * so the hazard ratio reads in the design's direction) ---- */

static void curve_label(ctx *c, lt_km_curve *cv)
{
    char buf[300];
    const char *arm = strncmp(cv->label, "arm=", 4) ? NULL : cv->label + 4;
    int g = closed(c) ? arm_col(c, arm) : 0;
    snprintf(buf, sizeof buf, "%s", g >= 0 ? c->col[g] : cv->label);
    char *s = strdup(buf);
    if (s) {
        free(cv->label);
        cv->label = s;
    }
}

static lt_status survival_one(ctx *c, const lt_endpoints *eps, size_t i,
                              double *analysed, bool *first)
{
    const char *id = lt_endpoints_id(eps, i);
    lt_buf csv = LT_BUF_INIT, copy = LT_BUF_INIT;
    lt_status rc = lt_conduct_endpoint(c->cd, id, c->cutoff, LT_CONDUCT_CSV, &csv, c->err);
    if (rc == LT_OK) lt_buf_put(&copy, csv.p, csv.n);
    if (rc == LT_OK && (lt_buf_failed(&csv) || lt_buf_failed(&copy)))
        rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    lt_surv_spec spec = {.time = "time_months", .event = "event", .group = closed(c) ? "arm" : NULL};
    lt_surv_data *sd = NULL, *cx = NULL;
    lt_km *km = NULL;
    lt_logrank *lr = NULL;
    lt_cox *cox = NULL;
    if (rc == LT_OK) rc = lt_surv_data_parse_csv(csv.p, csv.n, id, &spec, &sd, c->err);
    if (rc == LT_OK && sd->n == 0) {
        lt_surv_data_free(sd);
        lt_buf_free(&csv);
        lt_buf_free(&copy);
        return LT_OK;
    }
    if (rc == LT_OK) rc = lt_km_fit(sd, LT_CONF_LOG, 0.95, &km, c->err);
    if (rc == LT_OK && closed(c) && sd->ngroups >= 2) {
        rc = lt_logrank_test(sd, &lr, c->err);
        /* the arm indicator columns of the dataset: arm_<ID> of every arm but the reference */
        const char *covs[MAX_ARMS];
        size_t ncov = 0;
        char *hdr = copy.p, *nl = hdr ? strchr(hdr, '\n') : NULL;
        char names[1024] = "";
        if (nl) snprintf(names, sizeof names, "%.*s", (int)(nl - hdr), hdr);
        for (char *tok = strtok(names, ","); tok && ncov < MAX_ARMS; tok = strtok(NULL, ","))
            if (!strncmp(tok, "arm_", 4)) covs[ncov++] = tok;
        lt_surv_spec cs = {.time = "time_months", .event = "event", .covariates = covs,
                           .ncovariates = ncov};
        if (rc == LT_OK && ncov) rc = lt_surv_data_parse_csv(copy.p, copy.n, id, &cs, &cx, c->err);
        if (rc == LT_OK && cx) {
            rc = lt_cox_fit(cx, NULL, &cox, c->err);
            if (rc == LT_ENUMERIC) rc = LT_OK; /* no events in an arm: no model, said below */
        }
    }
    if (rc == LT_OK) {
        for (size_t k = 0; k < km->ncurves; k++) curve_label(c, &km->curves[k]);
        char title[300];
        snprintf(title, sizeof title, "%s (%s)", lt_endpoints_name(eps, i) ? lt_endpoints_name(eps, i) : id, id);
        lt_km_svg_options so = {.title = title, .xlabel = "Months", .ylabel = "Probability without event"};
        lt_buf svg = LT_BUF_INIT;
        rc = lt_km_svg(km, &so, &svg, c->err);
        lt_buf *b = c->out;
        lt_buf_puts(b, *first ? "{\"endpoint\":" : ",{\"endpoint\":");
        *first = false;
        lt_buf_json_str(b, id);
        lt_buf_puts(b, ",\"name\":");
        lt_buf_json_str(b, lt_endpoints_name(eps, i));
        lt_buf_printf(b, ",\"n\":%zu,\"dropped\":%zu,\"curves\":[", sd->n, sd->ndropped);
        for (size_t k = 0; k < km->ncurves; k++) {
            const lt_km_curve *cv = &km->curves[k];
            lt_buf_puts(b, k ? ",{\"label\":" : "{\"label\":");
            lt_buf_json_str(b, cv->label);
            lt_buf_printf(b, ",\"n\":%zu,\"events\":%zu,\"median\":", cv->n, cv->nevent);
            lt_buf_json_num(b, cv->median);
            lt_buf_puts(b, ",\"median_lower\":");
            lt_buf_json_num(b, cv->median_lower);
            lt_buf_puts(b, ",\"median_upper\":");
            lt_buf_json_num(b, cv->median_upper);
            lt_buf_putc(b, '}');
            if (analysed) {
                const char *arm = sd->group_labels ? sd->group_labels[cv->group] : NULL;
                int g = closed(c) ? arm_col(c, arm) : 0;
                if (g >= 0) analysed[g] += (double)cv->n;
            }
        }
        lt_buf_puts(b, "]");
        if (lr) {
            lt_buf_printf(b, ",\"logrank\":{\"chisq\":");
            lt_buf_json_num(b, lr->chisq);
            lt_buf_printf(b, ",\"df\":%d,\"p\":", lr->df);
            lt_buf_json_num(b, lr->p);
            lt_buf_putc(b, '}');
        }
        if (cox) {
            lt_buf_puts(b, ",\"cox\":[");
            for (size_t k = 0; k < cox->p; k++) {
                lt_buf_puts(b, k ? ",{\"term\":" : "{\"term\":");
                lt_buf_json_str(b, cox->names[k]);
                /* arm_<ID> against the reference arm, by the arms' names */
                int g = strncmp(cox->names[k], "arm_", 4) ? -1 : arm_col(c, cox->names[k] + 4);
                lt_buf_puts(b, ",\"label\":");
                lt_buf_json_str(b, g >= 0 ? c->col[g] : cox->names[k]);
                lt_buf_puts(b, ",\"reference\":");
                lt_buf_json_str(b, c->col[0]);
                lt_buf_puts(b, ",\"hr\":");
                lt_buf_json_num(b, exp(cox->coef[k]));
                lt_buf_puts(b, ",\"lower\":");
                lt_buf_json_num(b, cox->lower[k]);
                lt_buf_puts(b, ",\"upper\":");
                lt_buf_json_num(b, cox->upper[k]);
                lt_buf_puts(b, ",\"p\":");
                lt_buf_json_num(b, cox->pvalue[k]);
                lt_buf_putc(b, '}');
            }
            lt_buf_puts(b, "]");
        } else if (closed(c) && sd->ngroups >= 2) {
            lt_buf_puts(b, ",\"cox\":null");
        }
        lt_buf_puts(b, ",\"svg\":");
        lt_buf_json_str(b, lt_buf_str(&svg));
        lt_buf_putc(b, '}');
        lt_buf_free(&svg);
    }
    lt_cox_free(cox);
    lt_logrank_free(lr);
    lt_km_free(km);
    lt_surv_data_free(cx);
    lt_surv_data_free(sd);
    lt_buf_free(&csv);
    lt_buf_free(&copy);
    return rc;
}

/* The proportions (lt_conduct_proportion): pooled in the open report, per arm in the closed. */
static lt_status proportions(ctx *c, double *analysed, const char *primary)
{
    lt_buf b = LT_BUF_INIT;
    lt_status rc = lt_conduct_proportion(c->cd, NULL, c->cutoff, true, &b, c->err);
    lt_json *d = NULL;
    if (rc == LT_OK) rc = lt_json_parse(b.p, b.n, "proportions", &d, c->err);
    lt_buf_free(&b);
    if (rc != LT_OK) return rc;
    lt_buf *o = c->out;
    lt_buf_puts(o, ",\"proportions\":[");
    bool first = true;
    for (const lt_json *e = lt_json_first(d); e; e = lt_json_next(e)) {
        lt_buf_puts(o, first ? "{\"endpoint\":" : ",{\"endpoint\":");
        first = false;
        const char *id = lt_json_get_str(e, "endpoint", "");
        lt_buf_json_str(o, id);
        lt_buf_puts(o, ",\"name\":");
        lt_buf_json_str(o, lt_json_get_str(e, "name", ""));
        lt_buf_puts(o, ",\"level\":");
        lt_buf_json_num(o, lt_json_get_num(e, "level", 0.95));
        lt_buf_puts(o, ",\"groups\":[");
        const lt_json *arms = lt_json_get(e, "arms");
        bool per_arm = closed(c) && lt_json_size(arms) > 0;
        size_t ng = per_arm ? lt_json_size(arms) : 1;
        for (size_t k = 0; k < ng; k++) {
            const lt_json *v = per_arm ? lt_json_at(arms, k) : e;
            int g = per_arm ? arm_col(c, lt_json_get_str(v, "arm", NULL)) : 0;
            lt_buf_puts(o, k ? ",{\"label\":" : "{\"label\":");
            lt_buf_json_str(o, g >= 0 ? c->col[g] : "?");
            static const char *const m[] = {"x", "n", "proportion", "lower", "upper"};
            for (size_t j = 0; j < 5; j++) {
                lt_buf_printf(o, ",\"%s\":", m[j]);
                lt_buf_json_num(o, lt_json_get_num(v, m[j], NAN));
            }
            lt_buf_putc(o, '}');
            if (analysed && g >= 0 && !strcmp(id, primary)) analysed[g] = lt_json_get_num(v, "n", 0);
        }
        lt_buf_puts(o, "]}");
    }
    lt_buf_putc(o, ']');
    lt_json_free(d);
    return LT_OK;
}

/* ---- the whole document ---- */

static void free_ctx(ctx *c)
{
    for (size_t i = 0; i < MAX_COLS; i++) free(c->col[i]);
    lt_json_free(c->pats);
    for (size_t i = 0; i < LT_LIST_COUNT; i++) lt_json_free(c->lists[i]);
    lt_conduct_free(c->cd);
}

lt_status lt_report_dsmb_json(lt_trial *t, const lt_report_options *o, lt_buf *out, lt_error *err)
{
    lt_report_options dflt = {.kind = LT_REPORT_OPEN, .cutoff = LT_DATE_NONE};
    if (!o) o = &dflt;
    lt_role role = lt_trial_role(t);
    if (!lt_report_allowed(role, o->kind)) {
        const char *name = lt_role_name(role);
        LT_FAIL(err, LT_EPERM, lt_trial_user(t),
                "%s %s may not have the %s DSMB report (%s)", strchr("aeiou", name[0]) ? "an" : "a",
                name, o->kind == LT_REPORT_CLOSED ? "closed" : "open",
                o->kind == LT_REPORT_CLOSED
                    ? "the closed report shows the arms apart: for the safety committee and the "
                      "unblinded statistician"
                    : "for the statisticians, the monitor and the safety committee");
    }
    ctx c;
    memset(&c, 0, sizeof c);
    c.t = t;
    c.p = lt_trial_protocol(t);
    c.kind = o->kind;
    c.cutoff = o->cutoff == LT_DATE_NONE ? lt_date_today() : o->cutoff;
    c.err = err;
    c.narms = lt_protocol_arm_ids_reference_first(c.p, c.arm_id, c.arm_name, MAX_ARMS);
    c.ncols = closed(&c) ? c.narms + 1 : 1;
    char buf[300];
    for (size_t i = 0; i < c.ncols; i++) {
        if (!closed(&c))
            snprintf(buf, sizeof buf, "All patients");
        else if (i == c.narms)
            snprintf(buf, sizeof buf, "Total");
        else
            snprintf(buf, sizeof buf, "%s: %s", c.arm_id[i], c.arm_name[i] ? c.arm_name[i] : "");
        c.col[i] = strdup(buf);
        if (!c.col[i]) {
            free_ctx(&c);
            LT_FAIL(err, LT_ENOMEM, "", "out of memory");
        }
    }
    lt_buf doc = LT_BUF_INIT;
    c.out = &doc;
    lt_status rc = lt_conduct_new(t, NULL, &c.cd, err);
    if (rc == LT_OK) rc = load_sources(&c);
    if (rc == LT_OK) rc = header(&c, o);
    /* survival first: the CONSORT box "analysed" is the primary endpoint's dataset */
    lt_endpoints *eps = NULL;
    if (rc == LT_OK) rc = lt_endpoints_from_protocol(c.p, &eps, err);
    const lt_json *design = lt_protocol_section(c.p, "design");
    const char *primary = lt_json_get_str(design, "primary_endpoint", "");
    double analysed[MAX_COLS] = {0};
    lt_buf surv = LT_BUF_INIT;
    lt_buf *saved = c.out;
    c.out = &surv;
    bool first = true;
    for (size_t i = 0; rc == LT_OK && i < lt_endpoints_count(eps); i++) {
        if (lt_endpoints_proportion(eps, i)) continue;
        bool is_primary = !strcmp(lt_endpoints_id(eps, i), primary);
        rc = survival_one(&c, eps, i, is_primary ? analysed : NULL, &first);
        /* an endpoint that cannot be derived at this cut-off (an origin after it) is a finding
         * of the report, said in its place, not a reason to withhold the rest */
        if (rc == LT_ESTATE || rc == LT_ENUMERIC || rc == LT_EINVAL) {
            lt_buf_puts(c.out, first ? "{\"endpoint\":" : ",{\"endpoint\":");
            first = false;
            lt_buf_json_str(c.out, lt_endpoints_id(eps, i));
            lt_buf_puts(c.out, ",\"name\":");
            lt_buf_json_str(c.out, lt_endpoints_name(eps, i));
            lt_buf_puts(c.out, ",\"error\":");
            lt_buf_json_str(c.out, err ? err->message : "");
            lt_buf_putc(c.out, '}');
            rc = LT_OK;
        }
    }
    lt_buf props = LT_BUF_INIT;
    c.out = &props;
    bool any_proportion = false;
    for (size_t i = 0; rc == LT_OK && i < lt_endpoints_count(eps); i++)
        if (lt_endpoints_proportion(eps, i)) any_proportion = true;
    if (rc == LT_OK && any_proportion) rc = proportions(&c, analysed, primary);
    c.out = saved;
    if (rc == LT_OK) {
        enrolment(&c);
        char by[200];
        snprintf(by, sizeof by, "the primary endpoint %s's dataset", primary);
        lt_buf an = LT_BUF_INIT;
        lt_buf_putc(&an, '[');
        for (size_t g = 0; g < c.ncols; g++) {
            lt_buf_puts(&an, g ? "," : "");
            lt_buf_json_num(&an, analysed[g]);
        }
        lt_buf_putc(&an, ']');
        lt_json *aj = NULL;
        rc = lt_json_parse(an.p, an.n, "analysed", &aj, err);
        if (rc == LT_OK) consort(&c, aj, by);
        lt_json_free(aj);
        lt_buf_free(&an);
    }
    if (rc == LT_OK) {
        lt_buf_puts(c.out, ",\"survival\":[");
        lt_buf_puts(c.out, lt_buf_str(&surv));
        lt_buf_putc(c.out, ']');
        lt_buf_puts(c.out, lt_buf_str(&props));
        lt_buf_puts(c.out, ",\"sections\":[");
        rc = baseline(&c);
        if (rc == LT_OK) exposure(&c);
        if (rc == LT_OK) rc = oral(&c);
    }
    if (rc == LT_OK) rc = adverse_events(&c);
    if (rc == LT_OK) {
        lab_shifts(&c);
        rc = deviations(&c);
    }
    if (rc == LT_OK) {
        lt_buf_puts(c.out, "]}\n");
        if (lt_buf_failed(c.out)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    if (rc == LT_OK) lt_buf_put(out, doc.p, doc.n);
    lt_buf_free(&doc);
    lt_buf_free(&surv);
    lt_buf_free(&props);
    lt_endpoints_free(eps);
    free_ctx(&c);
    return rc;
}
