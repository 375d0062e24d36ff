/* `lutetia sign confirm|casebook ID`, `sign decision|ae RECORD`, `sign lock`: electronic
 * signatures (include/lutetia/sign.h, docs/part11.md); `lutetia signatures` lists them with
 * their status; `lutetia user name` records a user's full name, which a signature shows.
 * The command line has no sign-in session, so every signature here asks for the user name and
 * the password (21 CFR 11.200(a)(1)(ii)); the password is read from the terminal without echo
 * or from standard input (--password-stdin), never from the command line. */
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "lutetia/auth.h"
#include "lutetia/json.h"
#include "lutetia/sign.h"
#include "lutetia/trial.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia sign confirm ID   [OPTIONS]   an investigator signs the eligibility\n"
            "       lutetia sign casebook ID  [OPTIONS]   ... signs patient ID's casebook off\n"
            "       lutetia sign decision RECORD [OPTIONS] ... signs a dose decision (P/Cnn/nnn)\n"
            "       lutetia sign ae RECORD    [OPTIONS]   ... signs an adverse event's seriousness\n"
            "                                             and causality (P/AE001)\n"
            "       lutetia sign lock         [OPTIONS]   an admin or statistician locks the data\n"
            "options: [--meaning review|approval|responsibility|authorship] [--comment TEXT]\n"
            "         [--signer NAME] [--password-stdin] [--json] [--db FILE] [--user NAME]\n\n"
            "A signature shows the signer's full name, the UTC time and its meaning, and is\n"
            "bound to the SHA-256 of what it signs: a later correction shows it 'invalidated'\n"
            "until it is signed again ('lutetia signatures'). Each signature asks for your user\n"
            "name (--signer, or typed at the terminal) and your password (typed without echo,\n"
            "or one line of standard input with --password-stdin); wrong passwords count toward\n"
            "the account's lock-out as failed sign-ins do. After the lock no record of the\n"
            "trial's data can be changed and nothing more is signed (docs/part11.md).\n");
}

static int read_identity(const char *signer, bool from_stdin, char *name, size_t nn, char *pw,
                         size_t np)
{
    if (signer) {
        snprintf(name, nn, "%s", signer);
    } else if (from_stdin) {
        return lt_cli_usage_error("sign", "--password-stdin needs --signer NAME (your user name)");
    } else {
        FILE *tty = fopen("/dev/tty", "r+");
        bool ok = tty != NULL;
        if (ok) {
            fputs("user name: ", tty);
            fflush(tty);
            ok = lt_cli_read_line(tty, name, nn);
            fclose(tty);
        }
        if (!ok) {
            fprintf(stderr, "lutetia: sign: no terminal to read the user name from (scripts "
                            "use --signer NAME --password-stdin)\n");
            return LT_EXIT_USAGE;
        }
    }
    bool ok = from_stdin ? lt_cli_read_line(stdin, pw, np)
                         : isatty(STDIN_FILENO) && lt_cli_read_hidden("password: ", pw, np);
    if (!ok) {
        fprintf(stderr, from_stdin ? "lutetia: --password-stdin: expected one line of at most "
                                     "128 characters\n"
                                   : "lutetia: sign: no terminal to read the password from "
                                     "(scripts use --password-stdin)\n");
        return LT_EXIT_USAGE;
    }
    return 0;
}

static void print_text(const char *json)
{
    lt_json *j = NULL;
    if (lt_json_parse(json, strlen(json), "signature", &j, NULL) != LT_OK) return;
    const lt_json *r = lt_json_get(j, "record");
    printf("%s %s: %s %s/%s signed by %s (%s) on %s, meaning %s\n", lt_json_get_str(j, "id", ""),
           lt_json_get_str(j, "status", ""), lt_json_get_str(j, "act", ""),
           lt_json_get_str(r, "kind", ""), lt_json_get_str(r, "id", ""),
           lt_json_get_str(j, "full_name", ""), lt_json_get_str(j, "signer", ""),
           lt_json_get_str(j, "signed_at", ""), lt_json_get_str(j, "meaning", ""));
    printf("  \"%s\"\n", lt_json_get_str(j, "statement", ""));
    lt_json_free(j);
}

int lt_cmd_sign(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    lt_sign_act act;
    if (!lt_sign_act_parse(argv[1], &act))
        return lt_cli_usage_error("sign", "expected confirm, casebook, decision, ae or lock, "
                                          "found '%s'", argv[1]);
    static const struct option opts[] = {
        {"meaning", required_argument, 0, 'm'}, {"comment", required_argument, 0, 'c'},
        {"signer", required_argument, 0, 's'},  {"password-stdin", no_argument, 0, 'p'},
        {"db", required_argument, 0, 'd'},      {"user", required_argument, 0, 'u'},
        {"json", no_argument, 0, 'j'},          {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *db = NULL, *user = NULL, *signer = NULL, *comment = NULL;
    int meaning = -1;
    bool json = false, from_stdin = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        lt_sign_meaning m;
        switch (c) {
        case 'm':
            if (!lt_sign_meaning_parse(optarg, &m))
                return lt_cli_usage_error("sign", "--meaning: expected review, approval, "
                                                  "responsibility or authorship, found '%s'",
                                          optarg);
            meaning = (int)m;
            break;
        case 'c': comment = optarg; break;
        case 's': signer = optarg; break;
        case 'p': from_stdin = true; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'j': json = true; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("sign", "unknown option");
        }
    }
    const char *what = optind < argc - 1 ? argv[optind + 1] : NULL;
    if (act == LT_SIGN_LOCK && what)
        return lt_cli_usage_error("sign", "sign lock names no patient or record");
    if (act != LT_SIGN_LOCK && (!what || optind + 2 < argc))
        return lt_cli_usage_error("sign", "sign %s needs one %s", argv[1],
                                  act == LT_SIGN_DECISION || act == LT_SIGN_AE ? "RECORD id"
                                                                               : "patient ID");
    char name[LT_AUTH_USER_MAX], pw[LT_AUTH_PASSWORD_MAX + 2];
    int rc = read_identity(signer, from_stdin, name, sizeof name, pw, sizeof pw);
    if (rc) return rc;
    lt_trial *t = NULL;
    rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) {
        sodium_memzero(pw, sizeof pw);
        return rc;
    }
    bool by_record = act == LT_SIGN_DECISION || act == LT_SIGN_AE;
    lt_sign_request rq = {.act = act,
                          .patient = by_record ? NULL : what,
                          .record = by_record ? what : NULL,
                          .meaning = meaning,
                          .user_name = name,
                          .password = pw,
                          .comment = comment};
    lt_error err;
    lt_error_clear(&err);
    lt_buf out = LT_BUF_INIT;
    if (lt_sign(t, &rq, &out, &err) != LT_OK) {
        rc = lt_cli_fail(&err);
    } else if (json) {
        lt_buf_putc(&out, '\n');
        rc = lt_cli_print_buf(&out);
    } else {
        print_text(lt_buf_str(&out));
    }
    sodium_memzero(pw, sizeof pw);
    lt_buf_free(&out);
    lt_trial_close(t);
    return rc;
}

int lt_cmd_signatures(int argc, char **argv)
{
    static const struct option opts[] = {
        {"patient", required_argument, 0, 'p'}, {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'},    {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    const char *db = NULL, *user = NULL, *patient = NULL;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p': patient = optarg; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'j': json = true; break;
        case 'h':
            printf("usage: lutetia signatures [--patient ID] [--json] [--db FILE] [--user NAME]\n\n"
                   "The electronic signatures you may read (your sites' and the data lock), each\n"
                   "'valid' or 'invalidated' (what it signed was changed after it).\n");
            return 0;
        default: return lt_cli_usage_error("signatures", "unknown option");
        }
    }
    if (optind < argc)
        return lt_cli_usage_error("signatures", "unexpected argument '%s'", argv[optind]);
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial_read(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    lt_buf out = LT_BUF_INIT;
    lt_json *j = NULL;
    if (lt_sign_list(t, patient, &out, &err) != LT_OK) {
        rc = lt_cli_fail(&err);
    } else if (json) {
        lt_buf_putc(&out, '\n');
        rc = lt_cli_print_buf(&out);
    } else if (lt_json_parse(out.p, out.n, "signatures", &j, &err) != LT_OK) {
        rc = lt_cli_fail(&err);
    } else {
        printf("%zu signature%s\n", lt_json_size(j), lt_json_size(j) == 1 ? "" : "s");
        for (const lt_json *s = lt_json_first(j); s; s = lt_json_next(s)) {
            char *one = lt_json_print(s);
            if (one) print_text(one);
            free(one);
        }
    }
    lt_json_free(j);
    lt_buf_free(&out);
    lt_trial_close(t);
    return rc;
}

int lt_cli_user_full_name(int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, 0, 'n'}, {"full-name", required_argument, 0, 'f'},
        {"reason", required_argument, 0, 'r'}, {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'}, {"help", no_argument, 0, 'h'},
        {"json", no_argument, 0, 'j'},       {0, 0, 0, 0},
    };
    const char *name = NULL, *full = NULL, *reason = NULL, *db = NULL, *user = NULL;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n': name = optarg; break;
        case 'f': full = optarg; break;
        case 'r': reason = optarg; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'j': json = true; break;
        case 'h':
            printf("usage: lutetia user name --name NAME --full-name \"FULL NAME\" [--reason TEXT] [--json]\n\n"
                   "An admin records the full name a user's electronic signatures show, after\n"
                   "checking the person's identity (21 CFR 11.100(b)); changing it needs a reason.\n");
            return 0;
        default: return lt_cli_usage_error("user name", "unknown option");
        }
    }
    if (optind < argc)
        return lt_cli_usage_error("user name", "unexpected argument '%s'", argv[optind]);
    if (!name || !full) return lt_cli_usage_error("user name", "--name and --full-name are required");
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    if (lt_trial_user_set_full_name(t, name, full, reason, &err) != LT_OK) {
        if (!strcmp(err.where, "full_name")) snprintf(err.where, sizeof err.where, "--full-name");
        rc = lt_cli_fail(&err);
    } else if (json) {
        /* what the server's users.full_name answers */
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"user\":");
        lt_buf_json_str(&b, name);
        lt_buf_puts(&b, ",\"full_name\":");
        lt_buf_json_str(&b, full);
        lt_buf_puts(&b, "}\n");
        rc = lt_cli_print_buf(&b);
        lt_buf_free(&b);
    } else {
        printf("user %s is %s\n", name, full);
    }
    lt_trial_close(t);
    return rc;
}

void lt_cli_note_lock(lt_trial *t)
{
    bool locked = false;
    lt_buf b = LT_BUF_INIT;
    if (lt_sign_locked(lt_trial_store(t), &locked, &b, NULL) == LT_OK && locked &&
        !lt_buf_failed(&b))
        fprintf(stderr, "lutetia: locked data: %s\n", lt_buf_str(&b));
    lt_buf_free(&b);
}
