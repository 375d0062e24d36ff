/* `lutetia simulate`: Monte Carlo simulation of whole trials from a protocol's design or from
 * the options of `design sample-size`, printing power, mean events, mean duration and the
 * quantiles of the estimated hazard ratio. A progress bar goes to stderr when it is a terminal. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "design_opts.h"

static void simulate_help(FILE *f)
{
    fprintf(f,
        "usage: lutetia simulate --protocol FILE [--version V] --iterations N --seed S\n"
        "                        [--threads T] [--json]\n"
        "       lutetia simulate EFFECT --alpha A --sides 1|2 --accrual-time MONTHS\n"
        "                        --patients N (--events D | --analysis-time MONTHS)\n"
        "                        --iterations N --seed S [--threads T] [OPTIONS] [--json]\n"
        "\n"
        "EFFECT and --dropout-rate/--dropout-time/--allocation-ratio as in 'lutetia design'.\n"
        "With --protocol the design member gives them; --patients/--events override it.\n"
        "OPTIONS\n"
        "  --accrual uniform|even   entry times i.i.d. uniform (default) or evenly spaced, as\n"
        "                           rpact's getSimulationSurvival\n"
        "  --control-hazards T0:H0,T1:H1,...    piecewise-exponential survival (start month:\n"
        "  --treatment-hazards T0:H0,...        hazard per month), replacing EFFECT's hazards\n"
        "  --threads T              0 or absent: all CPUs; results do not depend on it\n"
        "\n"
        "Analysis at the calendar time of the D-th event (or at MONTHS from the first entry);\n"
        "log-rank test and Cox model. Prints power (log-rank), power_cox (Wald), mean_events,\n"
        "mean_duration (months) and hr_quantiles.\n");
}

/* "0:0.05,12:0.02" -> pieces */
static bool parse_pieces(const char *s, lt_piecewise *p)
{
    char buf[1024];
    if (strlen(s) >= sizeof buf) return false;
    strcpy(buf, s);
    p->n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        if (!colon || p->n >= LT_DESIGN_MAX_PIECES) return false;
        *colon = '\0';
        if (!lt_parse_double(tok, &p->start[p->n]) || !lt_parse_double(colon + 1, &p->hazard[p->n]))
            return false;
        p->n++;
    }
    return p->n > 0;
}

static void progress_bar(void *ctx, long done, long total)
{
    (void)ctx;
    int width = 40, fill = (int)((double)done / (double)total * width);
    fprintf(stderr, "\r[");
    for (int k = 0; k < width; k++) fputc(k < fill ? '#' : ' ', stderr);
    fprintf(stderr, "] %3d%% %ld/%ld", (int)(100.0 * (double)done / (double)total), done, total);
    fflush(stderr);
}

int lt_cmd_simulate(int argc, char **argv)
{
    static const char *verb = "simulate";
    lt_cli_design_opts o;
    lt_cli_design_opts_init(&o);
    bool json = false, has_iter = false, has_seed = false;
    const char *protocol = NULL, *version = NULL;
    long iterations = 0, threads = 0;
    unsigned long long seed = 0;
    double analysis_time = NAN;
    int accrual = -1;
    lt_piecewise cpw, tpw;
    bool has_cpw = false, has_tpw = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) { json = true; continue; }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { simulate_help(stdout); return 0; }
        bool takes = !strcmp(a, "--protocol") || !strcmp(a, "--version") ||
                     !strcmp(a, "--iterations") ||
                     !strcmp(a, "--seed") || !strcmp(a, "--threads") ||
                     !strcmp(a, "--analysis-time") || !strcmp(a, "--accrual") ||
                     !strcmp(a, "--control-hazards") || !strcmp(a, "--treatment-hazards");
        if (takes) {
            if (i + 1 >= argc) return lt_cli_usage_error(verb, "%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--protocol")) protocol = v;
            else if (!strcmp(a, "--version")) version = v;
            else if (!strcmp(a, "--iterations")) {
                if (!lt_parse_long(v, 1, 20000000, &iterations))
                    return lt_cli_usage_error(verb, "--iterations: expected 1 to 20000000, "
                                                    "found '%s'", v);
                has_iter = true;
            } else if (!strcmp(a, "--seed")) {
                char *end = NULL;
                errno = 0;
                seed = strtoull(v, &end, 10);
                if (!v[0] || v[0] == '-' || *end || errno)
                    return lt_cli_usage_error(verb, "--seed: expected a whole number 0 to "
                                                    "18446744073709551615, found '%s'", v);
                has_seed = true;
            } else if (!strcmp(a, "--threads")) {
                if (!lt_parse_long(v, 0, 256, &threads))
                    return lt_cli_usage_error(verb, "--threads: expected 0 to 256, found '%s'", v);
            } else if (!strcmp(a, "--analysis-time")) {
                if (!lt_parse_double(v, &analysis_time) || !(analysis_time > 0))
                    return lt_cli_usage_error(verb, "--analysis-time: expected months above 0, "
                                                    "found '%s'", v);
            } else if (!strcmp(a, "--accrual")) {
                if (!strcmp(v, "uniform")) accrual = LT_ACCRUAL_UNIFORM;
                else if (!strcmp(v, "even")) accrual = LT_ACCRUAL_EVEN;
                else return lt_cli_usage_error(verb, "--accrual: expected uniform or even, "
                                                     "found '%s'", v);
            } else if (!strcmp(a, "--control-hazards")) {
                if (!parse_pieces(v, &cpw))
                    return lt_cli_usage_error(verb, "--control-hazards: expected START:HAZARD "
                                                    "pairs separated by commas, found '%s'", v);
                has_cpw = true;
            } else {
                if (!parse_pieces(v, &tpw))
                    return lt_cli_usage_error(verb, "--treatment-hazards: expected START:HAZARD "
                                                    "pairs separated by commas, found '%s'", v);
                has_tpw = true;
            }
            continue;
        }
        int rc = lt_cli_design_option(verb, &o, argc, argv, &i);
        if (rc > 0) return rc;
        if (rc < 0) return lt_cli_usage_error(verb, "unknown option '%s'", a);
    }
    if (version && !protocol) return lt_cli_usage_error(verb, "--version goes with --protocol");
    if (!has_iter) return lt_cli_usage_error(verb, "--iterations is required");
    if (!has_seed) return lt_cli_usage_error(verb, "--seed is required");
    if (has_cpw != has_tpw)
        return lt_cli_usage_error(verb, "--control-hazards and --treatment-hazards go together");
    /* --power and --method, accepted so that a `design sample-size` command line can be reused
     * as it is, do not enter the simulation: it estimates the power */
    if (o.patients < 0 || o.patients != floor(o.patients) || o.events < 0 ||
        o.events != floor(o.events))
        return lt_cli_usage_error(verb, "--patients and --events: expected whole numbers");

    lt_error err;
    lt_sim_spec spec;
    long patients = (long)o.patients, events = (long)o.events;
    if (protocol) {
        lt_protocol_design pd;
        if (lt_cli_load_design(protocol, version, &pd, &err)) return lt_cli_fail(&err);
        if (!pd.comparative) {
            fprintf(stderr, "lutetia: %s: the design is single-arm; there is no comparison to "
                            "simulate\n", protocol);
            return lt_cli_exit_code(LT_EINVAL);
        }
        if (patients == 0) patients = pd.patients;
        if (events == 0 && !isfinite(analysis_time)) events = pd.events;
        if (patients == 0)
            return lt_cli_usage_error(verb, "%s states no patients; give --patients", protocol);
        if (!(pd.design.control_hazard > 0) && !pd.has_piecewise && !has_cpw)
            return lt_cli_usage_error(verb, "%s gives no control survival or median; the "
                                            "simulation needs the control arm's hazard", protocol);
        lt_design d = pd.design;
        if (!(d.control_hazard > 0)) d.control_hazard = 1; /* replaced by the pieces below */
        if (lt_sim_spec_from_design(&d, patients, events, &spec, &err)) return lt_cli_fail(&err);
        if (pd.has_piecewise) {
            spec.control = pd.control;
            spec.treatment = pd.treatment;
        }
    } else {
        int rc = lt_cli_design_finish(verb, &o, false);
        if (rc) return rc;
        if (patients == 0) return lt_cli_usage_error(verb, "--patients is required");
        if (events == 0 && !isfinite(analysis_time) && !isfinite(o.follow_up))
            return lt_cli_usage_error(verb, "give --events D or --analysis-time MONTHS (or "
                                            "--follow-up: analysis at accrual + follow-up)");
        if (!(o.d.control_hazard > 0) && !has_cpw)
            return lt_cli_usage_error(verb, "the simulation needs the control arm's hazard: "
                                            "--control-median or --control-survival with --at");
        if (!(o.d.control_hazard > 0)) o.d.control_hazard = 1; /* replaced below */
        if (lt_sim_spec_from_design(&o.d, patients, events, &spec, &err)) return lt_cli_fail(&err);
    }
    if (isfinite(analysis_time)) {
        spec.events = 0;
        spec.analysis_months = analysis_time;
    }
    if (accrual >= 0) spec.accrual = (lt_accrual)accrual;
    if (has_cpw) {
        spec.control = cpw;
        spec.treatment = tpw;
    }
    if (lt_sim_spec_validate(&spec, &err)) return lt_cli_fail(&err);

    lt_sim_result r;
    bool bar = isatty(STDERR_FILENO);
    lt_status st = lt_sim_run(&spec, iterations, (uint64_t)seed, (int)threads,
                              bar ? progress_bar : NULL, NULL, &r, &err);
    if (bar) fprintf(stderr, "\r%60s\r", "");
    if (st) return lt_cli_fail(&err);

    const double *probs = lt_sim_quantile_probs();
    lt_buf b = LT_BUF_INIT;
    if (json) {
        lt_buf_printf(&b, "{\"iterations\":%ld,\"seed\":%llu,\"patients\":%ld,", r.iterations,
                      seed, spec.patients);
        lt_buf_puts(&b, "\"events\":");
        lt_buf_json_num(&b, spec.events > 0 ? (double)spec.events : NAN);
        lt_buf_puts(&b, ",\"analysis_time\":");
        lt_buf_json_num(&b, spec.events > 0 ? NAN : spec.analysis_months);
        lt_buf_printf(&b, ",\"accrual\":\"%s\"", spec.accrual == LT_ACCRUAL_EVEN ? "even" : "uniform");
        const char *keys[] = {"power", "power_se", "power_cox", "mean_events", "mean_duration",
                              "mean_patients", "hr_geometric_mean"};
        double vals[] = {r.power, r.power_se, r.power_cox, r.mean_events, r.mean_duration,
                         r.mean_patients, r.hr_geometric_mean};
        for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
            lt_buf_printf(&b, ",\"%s\":", keys[k]);
            lt_buf_json_num(&b, vals[k]);
        }
        lt_buf_puts(&b, ",\"hr_quantiles\":{");
        for (int q = 0; q < LT_SIM_NQUANTILES; q++) {
            lt_buf_printf(&b, "%s\"%g\":", q ? "," : "", probs[q]);
            lt_buf_json_num(&b, r.hr_quantiles[q]);
        }
        lt_buf_printf(&b, "},\"hr_undefined\":%ld,\"short_of_events\":%ld}\n", r.hr_undefined,
                      r.short_of_events);
    } else {
        lt_buf_printf(&b, "%-16s %ld (seed %llu)\n", "iterations", r.iterations, seed);
        lt_buf_printf(&b, "%-16s %.4f (Monte Carlo SE %.4f)\n", "power", r.power, r.power_se);
        lt_buf_printf(&b, "%-16s %.4f\n", "power_cox", r.power_cox);
        lt_buf_printf(&b, "%-16s %.2f\n", "mean_events", r.mean_events);
        lt_buf_printf(&b, "%-16s %.2f months\n", "mean_duration", r.mean_duration);
        lt_buf_printf(&b, "%-16s %.2f\n", "mean_patients", r.mean_patients);
        lt_buf_printf(&b, "%-16s", "hr_quantiles");
        for (int q = 0; q < LT_SIM_NQUANTILES; q++)
            lt_buf_printf(&b, " %g%%: %.3f", 100 * probs[q], r.hr_quantiles[q]);
        lt_buf_putc(&b, '\n');
        if (r.hr_undefined)
            lt_buf_printf(&b, "%ld iterations had no events in one arm (HR undefined)\n",
                          r.hr_undefined);
        if (r.short_of_events)
            lt_buf_printf(&b, "%ld iterations never reached %ld events\n", r.short_of_events,
                          spec.events);
    }
    int rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}
