/* `lutetia dose`: the calculators nuclear-medicine staff use on their own: decay of an
 * activity between two times, the volume to draw from a calibrated vial, and the administered
 * activity of a syringe measured before and after (each decay-corrected), with --json forms. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/dosing.h"
#include "lutetia/safety.h"

static void dose_help(FILE *f)
{
    fprintf(f,
            "usage: lutetia dose decay --nuclide N --activity A --unit U --from T0 --to T1\n"
            "                          [--volume ML --activity-at W] [--json]\n"
            "       lutetia dose volume --nuclide N --activity A --unit U --volume ML --from T0\n"
            "                           --activity-at W --to T1 [--json]\n"
            "       lutetia dose administered --nuclide N --unit U --prescribed P\n"
            "                           --before B --before-at T --residual R --residual-at T\n"
            "                           --start T --end T [--tolerance F] [--json]\n"
            "       lutetia dose decide REQUEST.json [--rules FILE] [--table FILE] [--json]\n"
            "\n"
            "decay        the activity at T1 of a source holding A at T0: A exp(-ln2 t / T1/2)\n"
            "volume       the volume to draw at T1 from a vial holding A in ML mL at T0 so that\n"
            "             the syringe holds W at T1 (decay also accepts --volume/--activity-at)\n"
            "administered before minus residual, each decay-corrected to the infusion start,\n"
            "             and its deviation from the prescription (flagged beyond --tolerance,\n"
            "             default 0.10)\n"
            "decide       give 7.4 GBq, give 3.7 GBq, withhold or discontinue, from the labs\n"
            "             before a due cycle and the history (the Lutathera label's Table 1 in\n"
            "             data/lutathera-dose-modification.json), with the reason for each\n"
            "\n"
            "Times are RFC 3339 (2026-01-01T08:00Z). Units: Bq, kBq, MBq, GBq, uCi, mCi, Ci.\n"
            "Nuclides come from data/nuclides.json (--nuclides FILE reads another table).\n");
}

typedef struct dose_opts {
    const char *nuclide, *unit, *nuclides_file;
    double activity, volume, wanted, prescribed, before, residual, tolerance;
    lt_time from, to, before_at, residual_at, start, end;
    bool json, has_from, has_to, has_before_at, has_residual_at, has_start, has_end;
} dose_opts;

static int parse_opts(const char *verb, int argc, char **argv, dose_opts *o)
{
    memset(o, 0, sizeof *o);
    o->activity = o->volume = o->wanted = o->prescribed = o->before = o->residual = NAN;
    o->tolerance = NAN;
    const struct {
        const char *name;
        double *field;
    } nums[] = {
        {"--activity", &o->activity},     {"--volume", &o->volume},
        {"--activity-at", &o->wanted},    {"--prescribed", &o->prescribed},
        {"--before", &o->before},         {"--residual", &o->residual},
        {"--tolerance", &o->tolerance},
    };
    const struct {
        const char *name;
        lt_time *field;
        bool *has;
    } times[] = {
        {"--from", &o->from, &o->has_from},
        {"--to", &o->to, &o->has_to},
        {"--before-at", &o->before_at, &o->has_before_at},
        {"--residual-at", &o->residual_at, &o->has_residual_at},
        {"--start", &o->start, &o->has_start},
        {"--end", &o->end, &o->has_end},
    };
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            dose_help(stdout);
            return -1;
        }
        if (i + 1 >= argc) return lt_cli_usage_error(verb, "%s needs a value", a);
        const char *v = argv[i + 1];
        bool done = false;
        for (size_t k = 0; k < sizeof nums / sizeof nums[0] && !done; k++) {
            if (strcmp(a, nums[k].name)) continue;
            double x;
            if (!lt_parse_double(v, &x))
                return lt_cli_usage_error(verb, "%s: expected a number, found '%s'", a, v);
            *nums[k].field = x;
            done = true;
        }
        for (size_t k = 0; k < sizeof times / sizeof times[0] && !done; k++) {
            if (strcmp(a, times[k].name)) continue;
            lt_time t;
            char hint[320];
            if (!lt_time_parse(v, &t) && lt_time_zone_hint(v, hint, sizeof hint))
                return lt_cli_usage_error(verb, "%s: %s", a, hint);
            if (!lt_time_parse(v, &t))
                return lt_cli_usage_error(
                    verb, "%s: expected an RFC 3339 time such as 2026-01-01T08:00Z, found '%s'", a,
                    v);
            *times[k].field = t;
            *times[k].has = true;
            done = true;
        }
        if (!done && !strcmp(a, "--nuclide")) {
            o->nuclide = v;
            done = true;
        } else if (!done && !strcmp(a, "--unit")) {
            o->unit = v;
            done = true;
        } else if (!done && !strcmp(a, "--nuclides")) {
            o->nuclides_file = v;
            done = true;
        }
        if (!done) return lt_cli_usage_error(verb, "unknown option '%s'", a);
        i++;
    }
    if (!o->nuclide) return lt_cli_usage_error(verb, "--nuclide is required (e.g. Lu-177)");
    if (!o->unit) return lt_cli_usage_error(verb, "--unit is required (MBq, GBq, mCi, ...)");
    double probe;
    if (!lt_activity_to_mbq(1.0, o->unit, &probe))
        return lt_cli_usage_error(
            verb, "--unit: expected Bq, kBq, MBq, GBq, uCi, mCi or Ci, found '%s'", o->unit);
    return 0;
}

static int find_nuclide(const dose_opts *o, lt_nuclide_table **table, const lt_nuclide **n)
{
    lt_error err;
    lt_error_clear(&err);
    if (lt_nuclide_table_load(o->nuclides_file, table, &err) != LT_OK) return lt_cli_fail(&err);
    *n = lt_nuclide_find(*table, o->nuclide);
    if (!*n) {
        char list[256] = "";
        for (size_t i = 0; i < lt_nuclide_count(*table); i++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "",
                     lt_nuclide_at(*table, i)->id);
        }
        lt_error_set(&err, LT_ENOTFOUND, "--nuclide", "unknown nuclide '%s'; the table has %s",
                     o->nuclide, list);
        lt_nuclide_table_free(*table);
        *table = NULL;
        return lt_cli_fail(&err);
    }
    return 0;
}

static int missing(const char *verb, const char *what)
{
    return lt_cli_usage_error(verb, "%s is required", what);
}

/* decay, and volume when --volume/--activity-at are given (volume requires them) */
static int run_decay(int argc, char **argv, bool volume_verb)
{
    const char *verb = volume_verb ? "dose volume" : "dose decay";
    dose_opts o;
    int rc = parse_opts(verb, argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    if (isnan(o.activity)) return missing(verb, "--activity");
    if (!(o.activity > 0)) return lt_cli_usage_error(verb, "--activity must be positive");
    if (!o.has_from) return missing(verb, "--from");
    if (!o.has_to) return missing(verb, "--to");
    bool want_volume = volume_verb || !isnan(o.volume) || !isnan(o.wanted);
    if (want_volume && isnan(o.volume)) return missing(verb, "--volume (mL in the vial at --from)");
    if (want_volume && isnan(o.wanted))
        return missing(verb, "--activity-at (the activity wanted at --to)");

    lt_nuclide_table *table = NULL;
    const lt_nuclide *n = NULL;
    if ((rc = find_nuclide(&o, &table, &n))) return rc;
    double days = (double)(o.to - o.from) / 86400.0;
    double factor = lt_decay_factor(n->half_life_days, (double)(o.to - o.from));
    double at = o.activity * factor;
    double vol = NAN;
    lt_error err;
    lt_error_clear(&err);
    if (want_volume &&
        lt_dose_volume(n, o.activity, o.volume, o.from, o.wanted, o.to, &vol, &err) != LT_OK) {
        lt_nuclide_table_free(table);
        return lt_cli_fail(&err);
    }
    char t0[LT_TIME_STR_MAX], t1[LT_TIME_STR_MAX];
    lt_time_format(o.from, t0);
    lt_time_format(o.to, t1);
    lt_buf b = LT_BUF_INIT;
    if (o.json) {
        lt_buf_puts(&b, "{\"nuclide\":");
        lt_buf_json_str(&b, n->id);
        lt_buf_puts(&b, ",\"half_life_days\":");
        lt_buf_json_num(&b, n->half_life_days);
        lt_buf_puts(&b, ",\"unit\":");
        lt_buf_json_str(&b, o.unit);
        lt_buf_puts(&b, ",\"from\":");
        lt_buf_json_str(&b, t0);
        lt_buf_puts(&b, ",\"to\":");
        lt_buf_json_str(&b, t1);
        lt_buf_puts(&b, ",\"elapsed_days\":");
        lt_buf_json_num(&b, days);
        lt_buf_puts(&b, ",\"decay_factor\":");
        lt_buf_json_num(&b, factor);
        lt_buf_puts(&b, ",\"activity_from\":");
        lt_buf_json_num(&b, o.activity);
        lt_buf_puts(&b, ",\"activity_to\":");
        lt_buf_json_num(&b, at);
        if (want_volume) {
            lt_buf_puts(&b, ",\"vial_volume_ml\":");
            lt_buf_json_num(&b, o.volume);
            lt_buf_puts(&b, ",\"concentration_to_per_ml\":");
            lt_buf_json_num(&b, at / o.volume);
            lt_buf_puts(&b, ",\"wanted\":");
            lt_buf_json_num(&b, o.wanted);
            lt_buf_puts(&b, ",\"volume_to_draw_ml\":");
            lt_buf_json_num(&b, vol);
        }
        lt_buf_puts(&b, "}\n");
    } else {
        lt_buf_printf(&b, "%s (half-life %g d): %g %s at %s\n", n->id, n->half_life_days,
                      o.activity, o.unit, t0);
        lt_buf_printf(&b, "activity at %s: %.1f %s (%.4f days, decay factor %.6f)\n", t1, at,
                      o.unit, days, factor);
        if (want_volume)
            lt_buf_printf(&b, "concentration at %s: %.3f %s/mL; draw %.2f mL for %g %s\n", t1,
                          at / o.volume, o.unit, vol, o.wanted, o.unit);
    }
    lt_nuclide_table_free(table);
    rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}

static int run_administered(int argc, char **argv)
{
    const char *verb = "dose administered";
    dose_opts o;
    int rc = parse_opts(verb, argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    if (isnan(o.prescribed)) return missing(verb, "--prescribed");
    if (isnan(o.before)) return missing(verb, "--before");
    if (isnan(o.residual)) return missing(verb, "--residual");
    if (!o.has_before_at) return missing(verb, "--before-at");
    if (!o.has_residual_at) return missing(verb, "--residual-at");
    if (!o.has_start) return missing(verb, "--start");
    if (!o.has_end) return missing(verb, "--end");
    lt_nuclide_table *table = NULL;
    const lt_nuclide *n = NULL;
    if ((rc = find_nuclide(&o, &table, &n))) return rc;

    lt_administration a;
    lt_administration_init(&a);
    /* find_nuclide returns an error status whenever n is NULL (lt_cli_fail is never 0 for an
       error status); the analyser cannot see that across files */
    // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
    snprintf(a.nuclide, sizeof a.nuclide, "%s", n->id);
    snprintf(a.patient, sizeof a.patient, "calculator");
    a.cycle = 1;
    a.route = LT_ROUTE_INTRAVENOUS;
    lt_activity_to_mbq(o.prescribed, o.unit, &a.prescribed_mbq);
    lt_activity_to_mbq(o.before, o.unit, &a.before_mbq);
    lt_activity_to_mbq(o.residual, o.unit, &a.residual_mbq);
    a.before_time = o.before_at;
    a.residual_time = o.residual_at;
    a.infusion_start = o.start;
    a.infusion_end = o.end;
    lt_dose_rules rules;
    lt_dose_rules_default(&rules);
    if (!isnan(o.tolerance)) {
        if (!(o.tolerance >= 0 && o.tolerance < 1)) {
            lt_nuclide_table_free(table);
            return lt_cli_usage_error(verb, "--tolerance: expected a fraction such as 0.10");
        }
        rules.tolerance = o.tolerance;
    }
    lt_administration_result r;
    lt_error err;
    lt_error_clear(&err);
    lt_status st = lt_administration_evaluate(&a, table, &rules, &r, &err);
    if (st != LT_OK) {
        lt_nuclide_table_free(table);
        return lt_cli_fail(&err);
    }
    double before_u, residual_u, admin_u;
    lt_activity_from_mbq(r.before_at_admin_mbq, o.unit, &before_u);
    lt_activity_from_mbq(r.residual_at_admin_mbq, o.unit, &residual_u);
    lt_activity_from_mbq(r.administered_mbq, o.unit, &admin_u);
    char t0[LT_TIME_STR_MAX];
    lt_time_format(o.start, t0);
    lt_buf b = LT_BUF_INIT;
    if (o.json) {
        lt_buf_puts(&b, "{\"nuclide\":");
        lt_buf_json_str(&b, n->id);
        lt_buf_puts(&b, ",\"unit\":");
        lt_buf_json_str(&b, o.unit);
        lt_buf_puts(&b, ",\"administration_time\":");
        lt_buf_json_str(&b, t0);
        lt_buf_puts(&b, ",\"before_at_start\":");
        lt_buf_json_num(&b, before_u);
        lt_buf_puts(&b, ",\"residual_at_start\":");
        lt_buf_json_num(&b, residual_u);
        lt_buf_puts(&b, ",\"administered\":");
        lt_buf_json_num(&b, admin_u);
        lt_buf_puts(&b, ",\"prescribed\":");
        lt_buf_json_num(&b, o.prescribed);
        lt_buf_puts(&b, ",\"deviation\":");
        lt_buf_json_num(&b, r.deviation);
        lt_buf_puts(&b, ",\"tolerance\":");
        lt_buf_json_num(&b, rules.tolerance);
        lt_buf_printf(&b, ",\"deviation_flagged\":%s}\n", r.deviation_flagged ? "true" : "false");
    } else {
        lt_buf_printf(&b, "at the infusion start %s:\n", t0);
        lt_buf_printf(&b, "  before   %.1f %s\n  residual %.1f %s\n  administered %.1f %s\n",
                      before_u, o.unit, residual_u, o.unit, admin_u, o.unit);
        lt_buf_printf(&b, "deviation from the prescribed %g %s: %+.1f%% (tolerance %.0f%%)%s\n",
                      o.prescribed, o.unit, r.deviation * 100, rules.tolerance * 100,
                      r.deviation_flagged ? ": FLAGGED" : "");
    }
    lt_nuclide_table_free(table); /* n points into it */
    rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}

/* decide: the dose-modification rules applied to a request file */
static int run_decide(int argc, char **argv)
{
    const char *verb = "dose decide";
    const char *path = NULL, *rules_path = NULL, *table_path = NULL;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--rules") || !strcmp(a, "--table")) {
            if (i + 1 >= argc) return lt_cli_usage_error(verb, "%s needs a file", a);
            *(a[2] == 'r' ? &rules_path : &table_path) = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return lt_cli_usage_error(verb, "unknown option '%s'", a);
        } else if (path) {
            return lt_cli_usage_error(verb, "one request file only ('%s' and '%s')", path, a);
        } else {
            path = a;
        }
    }
    if (!path) return lt_cli_usage_error(verb, "expected the request file (JSON, or - for stdin)");
    lt_error err;
    lt_error_clear(&err);
    char *text = NULL;
    size_t len;
    lt_json *v = NULL;
    lt_dosemod_request *req = NULL;
    lt_dosemod_rules *rules = NULL;
    lt_ctcae_table *ctcae = NULL;
    lt_dosemod_decision d;
    lt_status st = lt_file_read(path, &text, &len, &err);
    if (st == LT_OK) st = lt_json_parse(text, len, path, &v, &err);
    if (st == LT_OK) st = lt_dosemod_request_from_json(v, path, &req, &err);
    if (st == LT_OK) st = lt_dosemod_load(rules_path, &rules, &err);
    if (st == LT_OK) st = lt_ctcae_load(table_path, &ctcae, &err);
    if (st == LT_OK) st = lt_dosemod_decide(rules, ctcae, lt_dosemod_request_input(req), &d, &err);
    free(text);
    lt_json_free(v);
    lt_dosemod_request_free(req);
    lt_dosemod_free(rules);
    lt_ctcae_free(ctcae);
    if (st != LT_OK) return lt_cli_fail(&err);
    lt_buf b = LT_BUF_INIT;
    if (json) {
        lt_dosemod_decision_to_json(&d, &b);
        lt_buf_putc(&b, '\n');
    } else {
        lt_buf_printf(&b, "decision: %s", lt_dose_action_name(d.action));
        if (d.activity_mbq > 0) lt_buf_printf(&b, " (%.0f MBq)", d.activity_mbq);
        lt_buf_printf(&b, "; cycle delayed %d days\n", d.delay_days);
        for (size_t i = 0; i < d.nreasons; i++)
            lt_buf_printf(&b, "  %s: %s\n", d.reasons[i].rule, d.reasons[i].text);
    }
    int rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}

int lt_cmd_dose(int argc, char **argv)
{
    if (argc < 2) {
        dose_help(stderr);
        return LT_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        dose_help(stdout);
        return 0;
    }
    if (!strcmp(sub, "decay")) return run_decay(argc, argv, false);
    if (!strcmp(sub, "volume")) return run_decay(argc, argv, true);
    if (!strcmp(sub, "administered")) return run_administered(argc, argv);
    if (!strcmp(sub, "decide")) return run_decide(argc, argv);
    return lt_cli_usage_error("dose",
                              "unknown subcommand '%s' (decay, volume, administered, decide)", sub);
}
