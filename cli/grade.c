/* `lutetia grade`: the CTCAE v5.0 grade of one laboratory value, converted to the analyte's
 * canonical unit first, with the comparison that decided it or why it is undetermined. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/patient.h"
#include "lutetia/safety.h"

static void grade_help(FILE *f)
{
    fprintf(f,
            "usage: lutetia grade --analyte A --value V --unit U [--lln L] [--uln U]\n"
            "                     [--baseline B] [--anticoagulated] [--table FILE] [--json]\n"
            "\n"
            "Prints the CTCAE v5.0 grade of the value, or 'undetermined' and the reference limit\n"
            "that is missing. --lln, --uln and --baseline are in the same unit as --value.\n"
            "Analytes: hemoglobin, platelets, neutrophils, wbc, lymphocytes, creatinine,\n"
            "bilirubin, alt, ast, albumin, inr, ptt (data/ctcae-v5-lab.json; --table reads\n"
            "another table of the same shape).\n");
}

int lt_cmd_grade(int argc, char **argv)
{
    const char *verb = "grade";
    const char *analyte = NULL, *unit = NULL, *table_path = NULL;
    double value = NAN, given[3] = {NAN, NAN, NAN}; /* lln, uln, baseline */
    bool json = false, anticoag = false, has_value = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            grade_help(stdout);
            return 0;
        }
        if (!strcmp(a, "--json")) {
            json = true;
            continue;
        }
        if (!strcmp(a, "--anticoagulated")) {
            anticoag = true;
            continue;
        }
        if (i + 1 >= argc) return lt_cli_usage_error(verb, "%s needs a value", a);
        const char *v = argv[++i];
        int slot = !strcmp(a, "--lln")        ? 0
                   : !strcmp(a, "--uln")      ? 1
                   : !strcmp(a, "--baseline") ? 2
                                              : -1;
        if (!strcmp(a, "--analyte")) {
            analyte = v;
        } else if (!strcmp(a, "--unit")) {
            unit = v;
        } else if (!strcmp(a, "--table")) {
            table_path = v;
        } else if (!strcmp(a, "--value") || slot >= 0) {
            double x;
            if (!lt_parse_double(v, &x))
                return lt_cli_usage_error(verb, "%s: expected a number, found '%s'", a, v);
            if (slot >= 0) {
                given[slot] = x;
            } else {
                value = x;
                has_value = true;
            }
        } else {
            return lt_cli_usage_error(verb, "unknown option '%s'", a);
        }
    }
    if (!analyte) return lt_cli_usage_error(verb, "--analyte is required (e.g. platelets)");
    if (!has_value) return lt_cli_usage_error(verb, "--value is required");
    if (!unit) return lt_cli_usage_error(verb, "--unit is required (e.g. 10^9/L)");

    lt_error err;
    lt_error_clear(&err);
    lt_ctcae_table *t;
    if (lt_ctcae_load(table_path, &t, &err) != LT_OK) return lt_cli_fail(&err);
    const char *canon = lt_ctcae_unit(t, analyte);
    if (!canon) {
        lt_grade g;
        lt_ctcae_grade(t, analyte, 0, NULL, &g, &err); /* fills the message naming the list */
        lt_ctcae_free(t);
        return lt_cli_fail(&err);
    }
    /* Grade in the canonical unit: the table's thresholds are in it (units from
     * src/patient/units.c; an unknown unit is an error, never a guess). */
    double cv;
    lt_grade_context ctx;
    lt_grade_context_init(&ctx);
    ctx.anticoagulated = anticoag;
    double *dst[3] = {&ctx.lln, &ctx.uln, &ctx.baseline};
    bool ok = lt_units_convert(analyte, value, unit, &cv);
    for (int k = 0; ok && k < 3; k++)
        if (!isnan(given[k]) && !lt_units_convert(analyte, given[k], unit, dst[k])) ok = false;
    if (!ok && !strcmp(unit, canon)) { /* an analyte the unit table does not list */
        cv = value;
        for (int k = 0; k < 3; k++)
            *dst[k] = given[k];
        ok = true;
    }
    if (!ok) {
        lt_error_set(&err, LT_EINVAL, "--unit",
                     "cannot convert '%s' to %s's unit %s (see docs/patient-format.md for the "
                     "accepted units)",
                     unit, analyte, canon);
        lt_ctcae_free(t);
        return lt_cli_fail(&err);
    }
    lt_grade g;
    if (lt_ctcae_grade(t, analyte, cv, &ctx, &g, &err) != LT_OK) {
        lt_ctcae_free(t);
        return lt_cli_fail(&err);
    }
    lt_buf b = LT_BUF_INIT;
    if (json) {
        lt_grade_to_json(&g, analyte, cv, canon, &b);
        lt_buf_putc(&b, '\n');
    } else {
        if (g.grade == LT_GRADE_UNDETERMINED)
            lt_buf_printf(&b, "%s: undetermined (grade %d to %d)\n", g.term, g.min_grade,
                          g.max_grade);
        else
            lt_buf_printf(&b, "%s: grade %d\n", g.term, g.grade);
        if (strcmp(unit, canon)) lt_buf_printf(&b, "  %g %s = %g %s\n", value, unit, cv, canon);
        lt_buf_printf(&b, "  %s\n", g.reason);
        if (g.criterion) lt_buf_printf(&b, "  CTCAE v5.0: %s\n", g.criterion);
        if (g.note[0]) lt_buf_printf(&b, "  note: %s\n", g.note);
    }
    lt_ctcae_free(t);
    int rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}
