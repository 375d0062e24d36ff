/* The reader for CSV lab exports (docs/patient-format.md): one row per result, columns named
 * by the header row in any order. Errors name the file, the line and the column. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "internal.h"
#include "lutetia/csv.h"
#include "lutetia/file.h"

enum {
    C_PATIENT,
    C_DATE,
    C_ANALYTE,
    C_LOINC,
    C_VALUE,
    C_UNIT,
    C_LOW,
    C_HIGH,
    C_COMPARATOR,
    C_STATUS,
    C_COUNT
};

#define CELL_MAX 256

static const char *const names[C_COUNT] = {"patient", "date", "analyte", "loinc",      "value",
                                           "unit",    "low",  "high",    "comparator", "status"};

/* The delimiter: the first of ',', ';' or tab found on the header line. */
static char sniff(const char *data, size_t len)
{
    for (size_t i = 0; i < len && data[i] != '\n'; i++)
        if (data[i] == ',' || data[i] == ';' || data[i] == '\t') return data[i];
    return ',';
}

static const char *trim(const char *s, char *buf, size_t n)
{
    while (*s == ' ')
        s++;
    snprintf(buf, n, "%s", s);
    size_t k = strlen(buf);
    while (k && (buf[k - 1] == ' ' || buf[k - 1] == '\r'))
        buf[--k] = '\0';
    return buf;
}

lt_status lt__read_csv(lt_cohort *c, char *data, size_t len, const char *source, lt_error *err)
{
    lt_csv *csv;
    lt_status st = lt_csv_new(data, len, source, sniff(data, len), &csv, err);
    if (st != LT_OK) return st;
    const char **f;
    size_t n;
    char where[LT_ERROR_WHERE_MAX];
    int r = lt_csv_next(csv, &f, &n, err);
    if (r <= 0) {
        lt_csv_free(csv);
        if (r < 0) return err ? err->status : LT_EPARSE;
        LT_FAIL(err, LT_ESCHEMA, source, "no header row");
    }
    int col[C_COUNT];
    for (int k = 0; k < C_COUNT; k++)
        col[k] = -1;
    size_t ncols = n;
    for (size_t i = 0; i < n; i++) {
        char h[64];
        trim(f[i], h, sizeof h);
        if (!strcasecmp(h, "patient_id")) snprintf(h, sizeof h, "patient");
        int k = 0;
        while (k < C_COUNT && strcasecmp(h, names[k]))
            k++;
        snprintf(where, sizeof where, "%s:%zu", source, lt_csv_line(csv));
        if (k == C_COUNT) {
            lt_csv_free(csv);
            LT_FAIL(err, LT_ESCHEMA, where,
                    "column %zu: unknown column \"%s\" (expected patient, "
                    "date, analyte or loinc, value, unit, and optionally low, high, comparator, "
                    "status)",
                    i + 1, h);
        }
        if (col[k] >= 0) {
            lt_csv_free(csv);
            LT_FAIL(err, LT_ESCHEMA, where, "column \"%s\" appears twice", names[k]);
        }
        col[k] = (int)i;
    }
    const int need[] = {C_PATIENT, C_DATE, C_VALUE, C_UNIT};
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++)
        if (col[need[k]] < 0) {
            lt_csv_free(csv);
            LT_FAIL(err, LT_ESCHEMA, where, "the header has no \"%s\" column", names[need[k]]);
        }
    if ((col[C_ANALYTE] < 0) == (col[C_LOINC] < 0)) {
        lt_csv_free(csv);
        LT_FAIL(err, LT_ESCHEMA, where,
                "the header needs exactly one of the columns \"analyte\" "
                "(a Lutetia concept) and \"loinc\" (a LOINC code)");
    }
    const lt_concepts *map = NULL;
    if (col[C_LOINC] >= 0 && (st = lt__cohort_concepts(c, &map, err)) != LT_OK) {
        lt_csv_free(csv);
        return st;
    }

    while ((r = lt_csv_next(csv, &f, &n, err)) > 0) {
        size_t line = lt_csv_line(csv);
        snprintf(where, sizeof where, "%s:%zu", source, line);
        st = LT_ESCHEMA;
#define CELL(k) (col[k] >= 0 ? f[col[k]] : "")
        if (n != ncols) {
            lt_error_set(err, st, where, "%zu fields, expected %zu as in the header", n, ncols);
            break;
        }
        /* every cell fits the buffers below, or the row is refused: never cut silently */
        bool too_long = false;
        for (int k = 0; k < C_COUNT && !too_long; k++)
            if (col[k] >= 0 && strlen(f[col[k]]) >= CELL_MAX) {
                lt_error_set(err, st, where, "column %s: longer than %d characters", names[k],
                             CELL_MAX - 1);
                too_long = true;
            }
        if (too_long) break;
        char id[CELL_MAX], val[CELL_MAX], unit[CELL_MAX], datebuf[CELL_MAX];
        trim(CELL(C_PATIENT), id, sizeof id);
        if (!*id) {
            lt_error_set(err, st, where, "column patient: empty, expected the patient id");
            break;
        }
        if (!lt__id_ok(id)) {
            lt_error_set(err, st, where,
                         "column patient: expected an id without control characters (tab, "
                         "newline); found one");
            break;
        }
        lt_date date;
        trim(CELL(C_DATE), datebuf, sizeof datebuf);
        if (!lt_date_parse(datebuf, true, &date)) {
            lt_error_set(err, st, where, "column date: expected YYYY-MM-DD, found \"%s\"", datebuf);
            break;
        }
        if (date < lt__date_min()) {
            lt_error_set(err, st, where, "column date: expected a date from 1900-01-01 on, found %s",
                         datebuf);
            break;
        }
        const char *concept;
        char code[CELL_MAX];
        if (col[C_ANALYTE] >= 0) {
            concept = trim(CELL(C_ANALYTE), code, sizeof code);
            lt_fact_kind k = lt__units_kind(concept);
            if (k != LT_FACT_LAB && k != LT_FACT_VITAL) {
                lt_error_set(err, st, where,
                             "column analyte: \"%s\" is not a lab or vital "
                             "concept (hemoglobin, platelets, creatinine, ...)",
                             concept);
                break;
            }
        } else {
            trim(CELL(C_LOINC), code, sizeof code);
            lt_fact_kind k = LT_FACT_KIND_COUNT;
            concept = lt_concepts_lookup(map, "http://loinc.org", code, &k);
            if (!concept || (k != LT_FACT_LAB && k != LT_FACT_VITAL)) {
                lt_error_set(err, st, where,
                             "column loinc: \"%s\" maps to no lab or vital in "
                             "data/concepts.json",
                             code);
                break;
            }
        }
        lt_patient *p = lt__cohort_patient(c, id, source);
        lt_fact *fact = p ? lt__fact_add(p) : NULL;
        if (!fact || !(fact->code = lt__arena_strdup(p, concept)) ||
            !(fact->source = lt__arena_strdup(p, where))) {
            lt_error_set(err, st = LT_ENOMEM, where, "out of memory");
            break;
        }
        fact->kind = lt__units_kind(concept);
        fact->date = date;
        trim(CELL(C_UNIT), unit, sizeof unit);
        trim(CELL(C_VALUE), val, sizeof val);
        const char *status = col[C_STATUS] >= 0 ? f[col[C_STATUS]] : "";
        if (*status && strcmp(status, "final") && strcmp(status, "amended") &&
            strcmp(status, "corrected"))
            fact->problem = LT_FACT_NOT_FINAL;
        double v;
        if (!*val) {
            fact->problem = LT_FACT_NO_VALUE;
            fact->unit = *unit ? lt__arena_strdup(p, unit) : NULL;
        } else if (!lt_parse_double(val, &v)) {
            lt_error_set(err, st, where, "column value: expected a number, found \"%s\"", val);
            break;
        } else if (!*unit) {
            lt_error_set(err, st, where, "column unit: empty, expected the unit of %s (%s)",
                         concept, lt_units_canonical(concept));
            break;
        } else if (!lt__fact_set_quantity(p, fact, v, unit)) {
            lt_error_set(err, st = LT_ENOMEM, where, "out of memory");
            break;
        }
        const int lim[2] = {C_LOW, C_HIGH};
        bool bad = false;
        for (int k = 0; k < 2 && !bad; k++) {
            char lb[CELL_MAX];
            trim(CELL(lim[k]), lb, sizeof lb);
            if (!*lb) continue;
            double x, cv;
            if (!lt_parse_double(lb, &x)) {
                lt_error_set(err, st, where, "column %s: expected a number, found \"%s\"",
                             names[lim[k]], lb);
                bad = true;
            } else if (lt__convert_limit(concept, x, unit, &cv)) {
                if (k)
                    fact->high = cv, fact->has_high = true;
                else
                    fact->low = cv, fact->has_low = true;
            }
        }
        if (bad) break;
        char cb[CELL_MAX];
        int cmp = lt__comparator_parse(trim(CELL(C_COMPARATOR), cb, sizeof cb));
        if (cmp < 0) {
            lt_error_set(err, st, where,
                         "column comparator: expected <, <=, > or >=, found "
                         "\"%s\"",
                         cb);
            break;
        }
        fact->comparator = (char)cmp;
        st = LT_OK;
#undef CELL
    }
    if (r < 0)
        st = err ? err->status : LT_EPARSE;
    else if (r == 0)
        st = LT_OK;
    lt_csv_free(csv);
    return st;
}
