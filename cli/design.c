/* `lutetia design`: sample size and power of a two-arm time-to-event comparison, and `design
 * check PROTOCOL`, which recomputes the design a protocol states and says what its numbers
 * imply. Options shared with `lutetia simulate` are parsed here (lt_cli_design_option). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "design_opts.h"
#include "lutetia/protocol.h"

static void design_help(FILE *f)
{
    fprintf(f,
        "usage: lutetia design sample-size EFFECT --alpha A --sides 1|2 --power P\n"
        "                      --accrual-time MONTHS --follow-up MONTHS [OPTIONS] [--json]\n"
        "       lutetia design power EFFECT --alpha A --sides 1|2 (--patients N | --events D)\n"
        "                      --accrual-time MONTHS --follow-up MONTHS [OPTIONS] [--json]\n"
        "       lutetia design check PROTOCOL [--version V] [--json]\n"
        "\n"
        "EFFECT is one of\n"
        "  --hr X [--control-median M | --control-survival S --at T]\n"
        "  --control-survival S --treatment-survival S --at MONTHS\n"
        "  --control-median M --treatment-median M\n"
        "(exponential survival: HR = ln S_t / ln S_c = M_c / M_t; patients need the control\n"
        "arm's hazard, events do not)\n"
        "\n"
        "OPTIONS\n"
        "  --dropout-rate D --dropout-time T  lose D of patients by T months (both arms)\n"
        "  --method schoenfeld|freedman|lachin-foulkes   (default schoenfeld)\n"
        "  --allocation-ratio R               treatment patients per control patient (1)\n"
        "\n"
        "sample-size prints events, patients and hazard_ratio; power prints power.\n"
        "check exits 1 when the protocol's numbers do not hold together; --version chooses an\n"
        "amendment (default: the latest).\n");
}

void lt_cli_design_opts_init(lt_cli_design_opts *o)
{
    memset(o, 0, sizeof *o);
    lt_design_init(&o->d);
    o->hr = o->s_control = o->s_treatment = o->at = NAN;
    o->m_control = o->m_treatment = NAN;
    o->alpha = o->power = o->accrual = o->follow_up = NAN;
    o->dropout_rate = NAN;
    o->dropout_time = NAN;
    o->allocation_ratio = NAN;
    o->sides = 0;
}

static int need_value(const char *verb, int argc, char **argv, int i)
{
    if (i + 1 >= argc) return lt_cli_usage_error(verb, "%s needs a value", argv[i]);
    return 0;
}

static int number_arg(const char *verb, const char *opt, const char *s, double *out)
{
    if (!lt_parse_double(s, out))
        return lt_cli_usage_error(verb, "%s: expected a number, found '%s'", opt, s);
    return 0;
}

int lt_cli_design_option(const char *verb, lt_cli_design_opts *o, int argc, char **argv, int *i)
{
    static const struct {
        const char *name;
        size_t off;
    } nums[] = {
        {"--hr", offsetof(lt_cli_design_opts, hr)},
        {"--control-survival", offsetof(lt_cli_design_opts, s_control)},
        {"--treatment-survival", offsetof(lt_cli_design_opts, s_treatment)},
        {"--at", offsetof(lt_cli_design_opts, at)},
        {"--control-median", offsetof(lt_cli_design_opts, m_control)},
        {"--treatment-median", offsetof(lt_cli_design_opts, m_treatment)},
        {"--alpha", offsetof(lt_cli_design_opts, alpha)},
        {"--power", offsetof(lt_cli_design_opts, power)},
        {"--accrual-time", offsetof(lt_cli_design_opts, accrual)},
        {"--follow-up", offsetof(lt_cli_design_opts, follow_up)},
        {"--dropout-rate", offsetof(lt_cli_design_opts, dropout_rate)},
        {"--dropout-time", offsetof(lt_cli_design_opts, dropout_time)},
        {"--allocation-ratio", offsetof(lt_cli_design_opts, allocation_ratio)},
        {"--patients", offsetof(lt_cli_design_opts, patients)},
        {"--events", offsetof(lt_cli_design_opts, events)},
    };
    const char *a = argv[*i];
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
        if (strcmp(a, nums[k].name)) continue;
        int rc = need_value(verb, argc, argv, *i);
        if (rc) return rc;
        /* offsetof a double member of lt_cli_design_opts: the cast is back to that member */
        // cppcheck-suppress invalidPointerCast
        double *dst = (double *)((char *)o + nums[k].off);
        rc = number_arg(verb, a, argv[*i + 1], dst);
        if (rc) return rc;
        *i += 1;
        return 0;
    }
    if (!strcmp(a, "--sides")) {
        int rc = need_value(verb, argc, argv, *i);
        if (rc) return rc;
        long s;
        if (!lt_parse_long(argv[*i + 1], 1, 2, &s))
            return lt_cli_usage_error(verb, "--sides: expected 1 or 2, found '%s'", argv[*i + 1]);
        o->sides = (int)s;
        *i += 1;
        return 0;
    }
    if (!strcmp(a, "--method")) {
        int rc = need_value(verb, argc, argv, *i);
        if (rc) return rc;
        if (!lt_ss_method_parse(argv[*i + 1], &o->d.method))
            return lt_cli_usage_error(
                verb, "--method: expected schoenfeld, freedman or lachin-foulkes, found '%s'",
                argv[*i + 1]);
        *i += 1;
        return 0;
    }
    return -1; /* not a design option */
}

int lt_cli_design_finish(const char *verb, lt_cli_design_opts *o, bool need_power)
{
    lt_design *d = &o->d;
    lt_error err;
    bool has_surv = isfinite(o->s_control) || isfinite(o->s_treatment);
    bool has_med = isfinite(o->m_control) || isfinite(o->m_treatment);
    bool has_hr = isfinite(o->hr);
    if (has_hr && isfinite(o->s_treatment))
        return lt_cli_usage_error(verb, "give --hr or --treatment-survival, not both");
    if (has_hr && isfinite(o->m_treatment))
        return lt_cli_usage_error(verb, "give --hr or --treatment-median, not both");
    if (has_surv && has_med)
        return lt_cli_usage_error(verb, "give the effect as survival proportions or as medians, "
                                        "not both");
    if (has_hr) {
        d->hazard_ratio = o->hr;
        if (isfinite(o->s_control)) {
            if (!isfinite(o->at))
                return lt_cli_usage_error(verb, "--control-survival needs --at MONTHS");
            if (!(o->s_control > 0 && o->s_control < 1))
                return lt_cli_usage_error(verb, "--control-survival: expected a proportion "
                                                "between 0 and 1, found %g", o->s_control);
            if (!(o->at > 0)) return lt_cli_usage_error(verb, "--at: expected months above 0");
            d->control_hazard = -log(o->s_control) / o->at;
        } else if (isfinite(o->m_control)) {
            if (!(o->m_control > 0))
                return lt_cli_usage_error(verb, "--control-median: expected months above 0");
            d->control_hazard = M_LN2 / o->m_control;
        }
    } else if (has_surv) {
        if (!isfinite(o->s_control) || !isfinite(o->s_treatment) || !isfinite(o->at))
            return lt_cli_usage_error(verb, "survival proportions need --control-survival, "
                                            "--treatment-survival and --at");
        if (lt_design_effect_from_survival(o->s_control, o->s_treatment, o->at,
                                           &d->hazard_ratio, &d->control_hazard, &err))
            return lt_cli_usage_error(verb, "%s: %s", err.where, err.message);
    } else if (has_med) {
        if (!isfinite(o->m_control) || !isfinite(o->m_treatment))
            return lt_cli_usage_error(verb, "medians need --control-median and --treatment-median");
        if (lt_design_effect_from_medians(o->m_control, o->m_treatment, &d->hazard_ratio,
                                          &d->control_hazard, &err))
            return lt_cli_usage_error(verb, "%s: %s", err.where, err.message);
    } else {
        return lt_cli_usage_error(verb, "give the effect: --hr, or --control-survival "
                                        "--treatment-survival --at, or --control-median "
                                        "--treatment-median");
    }
    if (!isfinite(o->alpha)) return lt_cli_usage_error(verb, "--alpha is required");
    if (!o->sides) return lt_cli_usage_error(verb, "--sides is required (1 or 2)");
    if (need_power && !isfinite(o->power)) return lt_cli_usage_error(verb, "--power is required");
    if (!isfinite(o->accrual)) return lt_cli_usage_error(verb, "--accrual-time is required");
    d->alpha = o->alpha;
    d->sides = o->sides;
    d->power = need_power ? o->power : 0.5;
    d->accrual_months = o->accrual;
    d->follow_up_months = isfinite(o->follow_up) ? o->follow_up : 0;
    if (isfinite(o->allocation_ratio)) d->allocation_ratio = o->allocation_ratio;
    if (isfinite(o->dropout_rate) != isfinite(o->dropout_time))
        return lt_cli_usage_error(verb, "--dropout-rate and --dropout-time go together");
    if (isfinite(o->dropout_rate) &&
        lt_design_dropout_hazard(o->dropout_rate, o->dropout_time, &d->dropout_hazard, &err))
        return lt_cli_usage_error(verb, "%s: %s", err.where, err.message);
    if (lt_design_validate(d, &err)) {
        /* name the option, not the struct member */
        const char *opt = !strcmp(err.where, "alpha")             ? "--alpha"
                          : !strcmp(err.where, "power")           ? "--power"
                          : !strcmp(err.where, "hazard_ratio")    ? "--hr"
                          : !strcmp(err.where, "accrual_months")  ? "--accrual-time"
                          : !strcmp(err.where, "follow_up_months") ? "--follow-up"
                          : !strcmp(err.where, "allocation_ratio") ? "--allocation-ratio"
                                                                   : err.where;
        return lt_cli_usage_error(verb, "%s: %s", opt, err.message);
    }
    return 0;
}

static void put_num(lt_buf *b, bool json, const char *key, double x, bool first)
{
    if (json) {
        lt_buf_printf(b, "%s\"%s\":", first ? "" : ",", key);
        if (isfinite(x) && x == floor(x) && fabs(x) < 1e15)
            lt_buf_printf(b, "%.0f", x); /* 60, not lt_buf_json_num's 6e+01 */
        else
            lt_buf_json_num(b, x);
    } else {
        lt_buf_printf(b, "%-18s ", key);
        if (isfinite(x)) lt_buf_printf(b, "%.10g", x); /* 60, not lt_buf_num's 6e+01 */
        else lt_buf_puts(b, "-");
        lt_buf_putc(b, '\n');
    }
}

/* The options sample-size and power share. 0 to go on, -1 once --help is printed, else the
 * exit code of a usage error. */
static int parse_args(const char *verb, int argc, char **argv, lt_cli_design_opts *o, bool *json)
{
    lt_cli_design_opts_init(o);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            *json = true;
            continue;
        }
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            design_help(stdout);
            return -1;
        }
        int rc = lt_cli_design_option(verb, o, argc, argv, &i);
        if (rc > 0) return rc;
        if (rc < 0) return lt_cli_usage_error(verb, "unknown option '%s'", argv[i]);
    }
    return 0;
}

static int cmd_sample_size(int argc, char **argv)
{
    lt_cli_design_opts o;
    bool json = false;
    int parsed = parse_args("design sample-size", argc, argv, &o, &json);
    if (parsed) return parsed < 0 ? 0 : parsed;
    if (o.patients != 0 || o.events != 0)
        return lt_cli_usage_error("design sample-size", "--patients and --events belong to "
                                                         "'design power'");
    int rc = lt_cli_design_finish("design sample-size", &o, true);
    if (rc) return rc;
    if (!isfinite(o.follow_up))
        return lt_cli_usage_error("design sample-size", "--follow-up is required");
    lt_design_size s;
    lt_error err;
    if (lt_design_sample_size(&o.d, &s, &err)) return lt_cli_fail(&err);
    lt_buf b = LT_BUF_INIT;
    if (json) lt_buf_puts(&b, "{\"method\":");
    if (json) lt_buf_json_str(&b, lt_ss_method_name(o.d.method));
    else lt_buf_printf(&b, "%-18s %s\n", "method", lt_ss_method_name(o.d.method));
    put_num(&b, json, "hazard_ratio", s.hazard_ratio, false);
    put_num(&b, json, "events", (double)s.events_needed, false);
    put_num(&b, json, "patients", s.patients_needed > 0 ? (double)s.patients_needed : NAN, false);
    put_num(&b, json, "events_exact", s.events, false);
    put_num(&b, json, "patients_exact", s.patients, false);
    put_num(&b, json, "event_probability", s.event_probability, false);
    put_num(&b, json, "control_hazard", s.control_hazard, false);
    put_num(&b, json, "treatment_hazard", s.treatment_hazard, false);
    put_num(&b, json, "alpha", o.d.alpha, false);
    put_num(&b, json, "sides", o.d.sides, false);
    put_num(&b, json, "power", o.d.power, false);
    if (json) lt_buf_puts(&b, "}\n");
    else if (s.patients_needed < 0)
        lt_buf_puts(&b, "(patients need the control arm's hazard: add --control-median, or "
                        "--control-survival with --at)\n");
    rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}

static int cmd_power(int argc, char **argv)
{
    lt_cli_design_opts o;
    bool json = false;
    int parsed = parse_args("design power", argc, argv, &o, &json);
    if (parsed) return parsed < 0 ? 0 : parsed;
    if (!(o.patients > 0) && !(o.events > 0))
        return lt_cli_usage_error("design power", "give --patients N or --events D (above 0)");
    if (o.patients < 0 || o.events < 0)
        return lt_cli_usage_error("design power", "--patients and --events must be above 0");
    if (isfinite(o.power))
        return lt_cli_usage_error("design power", "--power is what 'design power' computes; "
                                                   "drop it");
    int rc = lt_cli_design_finish("design power", &o, false);
    if (rc) return rc;
    if (o.patients > 0 && !isfinite(o.follow_up))
        return lt_cli_usage_error("design power", "--follow-up is required with --patients");
    lt_design_power_result pr;
    lt_error err;
    if (lt_design_power(&o.d, o.patients, o.events, &pr, &err)) return lt_cli_fail(&err);
    lt_buf b = LT_BUF_INIT;
    if (json) lt_buf_puts(&b, "{\"method\":");
    if (json) lt_buf_json_str(&b, lt_ss_method_name(o.d.method));
    else lt_buf_printf(&b, "%-18s %s\n", "method", lt_ss_method_name(o.d.method));
    put_num(&b, json, "power", pr.power, false);
    put_num(&b, json, "hazard_ratio", o.d.hazard_ratio, false);
    put_num(&b, json, "events", pr.events, false);
    put_num(&b, json, "patients", pr.patients, false);
    put_num(&b, json, "alpha", o.d.alpha, false);
    put_num(&b, json, "sides", o.d.sides, false);
    if (json) lt_buf_puts(&b, "}\n");
    rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    return rc;
}

lt_status lt_cli_load_design(const char *path, const char *version, lt_protocol_design *out,
                             lt_error *err)
{
    char *text = NULL;
    size_t len = 0;
    lt_status st = lt_file_read(path, &text, &len, err);
    if (st) return st;
    /* the protocol module validates the file and materialises the version asked for */
    lt_protocol *proto = NULL;
    st = lt_protocol_parse(text, len, path, version, &proto, err);
    if (st) {
        free(text);
        return st;
    }
    const lt_json *member = lt_protocol_section(proto, "design");
    if (!member) {
        lt_protocol_free(proto);
        free(text);
        LT_FAIL(err, LT_ESCHEMA, path, "expected a \"design\" member, found none");
    }
    st = lt_protocol_design_read(member, "design", out, err);
    if (st) {
        /* point at the line and column of the offending value as well as its path */
        int line, col;
        char path_only[LT_ERROR_WHERE_MAX];
        snprintf(path_only, sizeof path_only, "%s", err->where);
        char *cut = path_only;
        bool found = false;
        /* the innermost present prefix of the path (a missing member points at its parent) */
        for (;;) {
            if (lt_json_locate(text, len, cut, &line, &col)) {
                found = true;
                break;
            }
            char *dot = strrchr(cut, '.');
            if (!dot) break;
            *dot = '\0';
        }
        char where[LT_ERROR_WHERE_MAX];
        if (found)
            snprintf(where, sizeof where, "%s:%d:%d: %.120s", path, line, col, err->where);
        else
            snprintf(where, sizeof where, "%s: %.120s", path, err->where);
        snprintf(err->where, sizeof err->where, "%s", where);
    }
    lt_protocol_free(proto);
    free(text);
    return st;
}

static int cmd_check(int argc, char **argv)
{
    bool json = false;
    const char *path = NULL, *version = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = true;
        else if (!strcmp(argv[i], "--version")) {
            if (i + 1 >= argc) return lt_cli_usage_error("design check", "--version needs a value");
            version = argv[++i];
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            design_help(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1])
            return lt_cli_usage_error("design check", "unknown option '%s'", argv[i]);
        else if (path)
            return lt_cli_usage_error("design check", "one PROTOCOL file, found '%s' too", argv[i]);
        else path = argv[i];
    }
    if (!path) return lt_cli_usage_error("design check", "give the PROTOCOL file");
    lt_protocol_design pd;
    lt_error err;
    if (lt_cli_load_design(path, version, &pd, &err)) return lt_cli_fail(&err);
    lt_design_check c;
    if (lt_design_check_run(&pd, &c, &err)) return lt_cli_fail(&err);
    lt_buf b = LT_BUF_INIT;
    if (json) lt_design_check_json(&pd, &c, &b);
    else lt_design_check_text(&pd, &c, &b);
    int rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    if (rc) return rc;
    return c.findings > 0 ? LT_EXIT_FINDINGS : LT_EXIT_OK;
}

int lt_cmd_design(int argc, char **argv)
{
    if (argc < 2) {
        design_help(stderr);
        return LT_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        design_help(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "sample-size")) return cmd_sample_size(argc - 1, argv + 1);
    if (!strcmp(argv[1], "power")) return cmd_power(argc - 1, argv + 1);
    if (!strcmp(argv[1], "check")) return cmd_check(argc - 1, argv + 1);
    return lt_cli_usage_error("design", "unknown subcommand '%s' (sample-size, power, check)",
                              argv[1]);
}
