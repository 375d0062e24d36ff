/* `lutetia user password NAME` and `lutetia user deactivate|activate --name NAME`: what the
 * server's sign-in needs of a user. A password is read from the terminal without echo, or from
 * standard input with --password-stdin; never from the command line, where other accounts can
 * read it (ps, shell history). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sodium.h>
#include "cli.h"
#include "lutetia/auth.h"
#include "lutetia/date.h"

/* One line from f into buf without its newline; false at end of input or when too long. */
static bool read_line(FILE *f, char *buf, size_t n)
{
    if (!fgets(buf, (int)n, f)) return false;
    size_t len = strlen(buf);
    if (len && buf[len - 1] == '\n') buf[--len] = '\0';
    else if (len == n - 1) return false;
    if (len && buf[len - 1] == '\r') buf[--len] = '\0';
    return true;
}

static bool read_hidden(const char *prompt, char *buf, size_t n)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty) return false;
    struct termios old, quiet;
    int fd = fileno(tty);
    bool ok = tcgetattr(fd, &old) == 0;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fputs(prompt, tty);
    fflush(tty);
    if (ok) ok = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    if (ok) ok = read_line(tty, buf, n);
    tcsetattr(fd, TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    return ok;
}

int lt_cli_user_password(int argc, char **argv)
{
    static const struct option opts[] = {
        {"password-stdin", no_argument, 0, 's'}, {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'},     {"help", no_argument, 0, 'h'},
        {"json", no_argument, 0, 'j'},           {0, 0, 0, 0},
    };
    bool from_stdin = false, json = false;
    const char *db = NULL, *user = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': from_stdin = true; break;
        case 'j': json = true; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'h':
            printf("usage: lutetia user password NAME [--password-stdin] [--json] [--db FILE]\n"
                   "                             [--user NAME]\n\n"
                   "Sets NAME's password for signing in to `lutetia serve` (your own, or anyone's\n"
                   "for an admin): at least %d characters, not one of the common passwords of\n"
                   "data/common-passwords.txt. Read from the terminal (twice, not echoed) or, with\n"
                   "--password-stdin, as one line of standard input. Stored as an argon2id hash;\n"
                   "the user's open sessions end.\n",
                   LT_AUTH_PASSWORD_MIN);
            return 0;
        default: return lt_cli_usage_error("user password", "unknown option");
        }
    }
    if (optind != argc - 1)
        return lt_cli_usage_error("user password", "give the user NAME (and no password: it is "
                                                   "read from the terminal or --password-stdin)");
    const char *name = argv[optind];
    char pw[LT_AUTH_PASSWORD_MAX + 2], again[LT_AUTH_PASSWORD_MAX + 2];
    if (from_stdin) {
        if (!read_line(stdin, pw, sizeof pw)) {
            fprintf(stderr, "lutetia: --password-stdin: expected one line of at most %d "
                            "characters on standard input\n", LT_AUTH_PASSWORD_MAX);
            return LT_EXIT_USAGE;
        }
    } else {
        if (!isatty(STDIN_FILENO) || !read_hidden("new password: ", pw, sizeof pw) ||
            !read_hidden("again: ", again, sizeof again)) {
            fprintf(stderr, "lutetia: user password: no terminal to read the password from "
                            "(scripts use --password-stdin)\n");
            return LT_EXIT_USAGE;
        }
        bool same = strcmp(pw, again) == 0;
        sodium_memzero(again, sizeof again);
        if (!same) {
            sodium_memzero(pw, sizeof pw);
            fprintf(stderr, "lutetia: user password: the two entries differ; nothing changed\n");
            return LT_EXIT_USAGE;
        }
    }
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc == 0) {
        lt_error err;
        lt_error_clear(&err);
        if (lt_auth_password_set(t, name, pw, &err) != LT_OK)
            rc = lt_cli_fail(&err);
        else if (json) {
            /* what the server's users.set_password answers */
            lt_buf b = LT_BUF_INIT;
            lt_buf_puts(&b, "{\"user\":");
            lt_buf_json_str(&b, name);
            lt_buf_puts(&b, ",\"password_set\":true}\n");
            rc = lt_cli_print_buf(&b);
            lt_buf_free(&b);
        } else
            printf("password set for %s\n", name);
        lt_trial_close(t);
    }
    sodium_memzero(pw, sizeof pw);
    return rc;
}

int lt_cli_user_state(int argc, char **argv)
{
    bool on = !strcmp(argv[0], "activate");
    static const struct option opts[] = {
        {"name", required_argument, 0, 'n'}, {"reason", required_argument, 0, 'r'},
        {"db", required_argument, 0, 'd'},   {"user", required_argument, 0, 'u'},
        {"help", no_argument, 0, 'h'},       {0, 0, 0, 0},
    };
    const char *name = NULL, *reason = NULL, *db = NULL, *user = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n': name = optarg; break;
        case 'r': reason = optarg; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'h':
            printf("usage: lutetia user deactivate|activate --name NAME [--reason TEXT] [--db FILE]\n\n"
                   "An admin switches a user off (or on again): a deactivated user can neither use\n"
                   "the command line nor sign in, and its sessions and API tokens stop working.\n");
            return 0;
        default: return lt_cli_usage_error("user", "unknown option");
        }
    }
    if (!name || optind < argc) return lt_cli_usage_error("user", "give --name NAME (only)");
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_error err;
    lt_error_clear(&err);
    if (lt_trial_user_set_active(t, name, on, reason, &err) != LT_OK) {
        if (!strcmp(err.where, "name")) snprintf(err.where, sizeof err.where, "--name");
        rc = lt_cli_fail(&err);
    } else {
        printf("user %s %s\n", name, on ? "activated" : "deactivated");
    }
    lt_trial_close(t);
    return rc;
}

/* The readers above, for the other verbs that take a password (cli/sign.c). */
bool lt_cli_read_line(FILE *f, char *buf, size_t n)
{
    return read_line(f, buf, n);
}

bool lt_cli_read_hidden(const char *prompt, char *buf, size_t n)
{
    return read_hidden(prompt, buf, n);
}

int lt_cli_user_totp(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *db = NULL, *user = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'h':
            printf("usage: lutetia user totp NAME [--db FILE] [--user NAME]\n\n"
                   "Enrols NAME (yourself, or anyone for an admin) in a second factor for signing\n"
                   "in to `lutetia serve`: time-based one-time codes (RFC 6238: SHA-1, 6 digits,\n"
                   "30 seconds), as authenticator apps make them. Prints the otpauth:// URI (to\n"
                   "turn into a QR code) and the secret in base32, once: they are not shown again.\n"
                   "Enrolling again replaces the secret. From then on sign-in needs\n"
                   "{\"user\", \"password\", \"totp\"}.\n");
            return 0;
        default: return lt_cli_usage_error("user totp", "unknown option");
        }
    }
    if (optind != argc - 1) return lt_cli_usage_error("user totp", "give the user NAME");
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc != 0) return rc;
    lt_error err;
    lt_error_clear(&err);
    char secret[LT_AUTH_TOTP_B32_MAX], uri[LT_AUTH_TOTP_URI_MAX];
    if (lt_auth_totp_enrol(t, argv[optind], lt_time_now(), secret, uri, &err) != LT_OK) {
        rc = lt_cli_fail(&err);
    } else {
        /* the secret alone on the last line, as a token is, for scripts */
        printf("second factor enrolled for %s; shown once:\n%s\n%s\n", argv[optind], uri, secret);
    }
    lt_trial_close(t);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(uri, sizeof uri);
    return rc;
}
