/* `lutetia randomise`: allocates a confirmed patient (or a batch, one transaction each), shows
 * the balance a design gives over simulated patients, or replays the stored sequence from the
 * secret seed for an auditor. */
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "lutetia/file.h"
#include "lutetia/randomise.h"
#include "lutetia/trial.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia randomise --patient ID [--factor FACTOR=LEVEL]... [--reason TEXT]\n"
            "                         [--date DATE] [--json] [--db FILE] [--user NAME]\n"
            "       lutetia randomise --patients FILE [--db FILE] [--user NAME]\n"
            "       lutetia randomise --simulate N --protocol FILE [--version V] [--seed HEX]\n"
            "                         [--json]\n"
            "       lutetia randomise --replay [--json] [--db FILE] [--user NAME]\n"
            "(--patient, --patients and --replay also take --key-file FILE, default DB.key or\n"
            "LUTETIA_KEY_FILE: the key that opens the trial's sealed seed; without it they refuse)\n\n"
            "--patient allocates a consented patient whose eligibility an investigator confirmed,\n"
            "once every stratification factor is recorded (from the screened data, or given here\n"
            "with --factor; changing a stored level needs --reason). A single-arm trial registers\n"
            "the patient instead. Coordinators and investigators of the patient's site only.\n"
            "--date records the allocation on that day (default today; not in the future, nor\n"
            "before the eligibility was confirmed), for data entered after the fact.\n"
            "--patients allocates each id in FILE (one per line, '-' for standard input) in its\n"
            "own transaction, printing 'ack NUMBER ID ARM MICROSECONDS' as each one commits.\n"
            "--simulate allocates N simulated patients in random strata with the protocol's\n"
            "design, touching no trial, and prints the balance across arms, strata and factor\n"
            "levels (--seed: 64 hex digits for a reproducible run).\n"
            "--replay (admin, unblinded statistician) recomputes every stored allocation from the\n"
            "trial's secret seed and checks they match; it shows nothing not yet allocated.\n"
            "Other roles see a patient's arm and date, never the block, place in it or size.\n");
}

static int simulate(const char *protocol, const char *version, const char *seed_hex, long n,
                    bool json)
{
    lt_error err;
    lt_error_clear(&err);
    unsigned char seed[LT_RANDOMISE_SEED_BYTES], sim[LT_RANDOMISE_SEED_BYTES];
    if (sodium_init() < 0) return lt_cli_exit_code(LT_ESTORE);
    if (seed_hex) {
        size_t got = 0;
        if (strlen(seed_hex) != 64 ||
            sodium_hex2bin(seed, sizeof seed, seed_hex, 64, NULL, &got, NULL) != 0 ||
            got != sizeof seed)
            return lt_cli_usage_error("randomise", "--seed: expected 64 hex digits");
        /* the patients' strata come from a stream apart from the allocations' */
        crypto_hash_sha256(sim, seed, sizeof seed);
    } else {
        randombytes_buf(seed, sizeof seed);
        randombytes_buf(sim, sizeof sim);
    }
    lt_protocol *p = NULL;
    lt_randomiser *r = NULL;
    lt_buf out = LT_BUF_INIT;
    int rc = 0;
    if (lt_protocol_load(protocol, version, &p, &err) != LT_OK ||
        lt_randomiser_from_protocol(p, seed, &r, &err) != LT_OK ||
        lt_randomise_simulate(r, (size_t)n, sim, json, &out, &err) != LT_OK)
        rc = lt_cli_fail(&err);
    else
        rc = lt_cli_print_buf(&out);
    lt_buf_free(&out);
    lt_randomiser_free(r);
    lt_protocol_free(p);
    return rc;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* One allocation per line of the file, each committed before its acknowledgement is printed:
 * a line "ack ..." on standard output means the allocation is on disk. */
static int batch(lt_trial *t, const char *path)
{
    lt_error err;
    lt_error_clear(&err);
    char *text = NULL;
    size_t len;
    if (lt_file_read(path, &text, &len, &err) != LT_OK) return lt_cli_fail(&err);
    int rc = 0;
    for (char *save = NULL, *line = strtok_r(text, "\r\n", &save); line;
         line = strtok_r(NULL, "\r\n", &save)) {
        if (!*line || *line == '#') continue;
        char *arm = NULL;
        int64_t number = 0;
        double t0 = now_us();
        if (lt_trial_randomise(t, line, &arm, &number, &err) != LT_OK) {
            rc = lt_cli_fail(&err);
            break;
        }
        printf("ack %lld %s %s %.0f\n", (long long)number, line, arm, now_us() - t0);
        fflush(stdout);
        free(arm);
    }
    free(text);
    return rc;
}

int lt_cmd_randomise(int argc, char **argv)
{
    static const struct option opts[] = {
        {"patient", required_argument, 0, 'p'},  {"patients", required_argument, 0, 'P'},
        {"factor", required_argument, 0, 'f'},   {"reason", required_argument, 0, 'r'},
        {"simulate", required_argument, 0, 'n'}, {"protocol", required_argument, 0, 'o'},
        {"version", required_argument, 0, 'v'},  {"seed", required_argument, 0, 's'},
        {"replay", no_argument, 0, 'R'},         {"json", no_argument, 0, 'j'},
        {"db", required_argument, 0, 'd'},       {"user", required_argument, 0, 'u'},
        {"help", no_argument, 0, 'h'},           {"date", required_argument, 0, 't'},
        {"key-file", required_argument, 0, 'k'}, {0, 0, 0, 0},
    };
    const char *id = NULL, *list = NULL, *reason = NULL, *protocol = NULL, *version = NULL;
    const char *seed = NULL, *db = NULL, *user = NULL, *sim_s = NULL, *key = NULL;
    const char *factors[64], *levels[64];
    char *pairs[64];
    size_t nfactors = 0;
    bool replay = false, json = false;
    lt_date date = LT_DATE_NONE;
    int c, rc = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p': id = optarg; break;
        case 'P': list = optarg; break;
        case 'f': {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1])
                return lt_cli_usage_error("randomise", "--factor: expected FACTOR=LEVEL, found '%s'",
                                          optarg);
            if (nfactors == 64) return lt_cli_usage_error("randomise", "too many --factor");
            factors[nfactors] = optarg;
            levels[nfactors] = eq + 1;
            pairs[nfactors++] = eq;
            break;
        }
        case 'r': reason = optarg; break;
        case 'n': sim_s = optarg; break;
        case 'o': protocol = optarg; break;
        case 'v': version = optarg; break;
        case 's': seed = optarg; break;
        case 'R': replay = true; break;
        case 'j': json = true; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'k': key = optarg; break;
        case 't':
            if (!lt_cli_date_arg("randomise", "--date", optarg, &date)) return LT_EXIT_USAGE;
            break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("randomise", "unknown option");
        }
    }
    if (optind < argc) return lt_cli_usage_error("randomise", "unexpected argument '%s'", argv[optind]);
    if ((id != NULL) + (list != NULL) + (sim_s != NULL) + replay != 1)
        return lt_cli_usage_error("randomise",
                                  "give exactly one of --patient, --patients, --simulate, --replay");
    if (sim_s) {
        long n;
        if (!lt_parse_long(sim_s, 1, 10000000, &n))
            return lt_cli_usage_error("randomise", "--simulate: expected 1 to 10000000, found '%s'",
                                      sim_s);
        if (!protocol) return lt_cli_usage_error("randomise", "--simulate needs --protocol FILE");
        return simulate(protocol, version, seed, n, json);
    }
    if (protocol || seed)
        return lt_cli_usage_error("randomise", "--protocol and --seed go with --simulate");
    if (nfactors && !id) return lt_cli_usage_error("randomise", "--factor goes with --patient");
    for (size_t i = 0; i < nfactors; i++) *pairs[i] = '\0'; /* FACTOR=LEVEL -> FACTOR, LEVEL */
    lt_trial *t = NULL;
    rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    if (key && lt_trial_set_key_file(t, key, &err) != LT_OK) {
        lt_trial_close(t);
        return lt_cli_fail(&err);
    }
    lt_buf out = LT_BUF_INIT;
    if (replay) {
        rc = lt_trial_replay(t, json, &out, &err) != LT_OK ? lt_cli_fail(&err) : lt_cli_print_buf(&out);
    } else if (list) {
        rc = batch(t, list);
    } else {
        char *arm = NULL;
        int64_t number = 0;
        if ((nfactors &&
             lt_trial_set_strata(t, id, factors, levels, nfactors, reason, &err) != LT_OK) ||
            lt_trial_randomise_on(t, id, date, &arm, &number, &err) != LT_OK)
            rc = lt_cli_fail(&err);
        else {
            bool reg = lt_protocol_randomisation(lt_trial_protocol(t))->method == LT_RANDOMISE_NONE;
            if (json) {
                lt_buf_puts(&out, "{\"patient\":");
                lt_buf_json_str(&out, id);
                lt_buf_puts(&out, ",\"arm\":");
                lt_buf_json_str(&out, arm);
                lt_buf_printf(&out, ",\"allocation\":%lld,\"state\":\"%s\"}\n", (long long)number,
                              reg ? "registered" : "randomised");
            } else {
                lt_buf_printf(&out, "%s %s to arm %s (allocation %lld)\n", id,
                              reg ? "registered" : "randomised", arm, (long long)number);
            }
            rc = lt_cli_print_buf(&out);
        }
        free(arm);
    }
    lt_buf_free(&out);
    lt_trial_close(t);
    return rc;
}
