/* `lutetia audit`: log prints the audit trail a user may read, with every control character
 * escaped; verify checks the whole chain and every record against it, and optionally against
 * anchors kept outside the file (an expected head, signed checkpoints); head prints the anchor
 * to keep; keygen and checkpoint make and use an Ed25519 signing key. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lutetia/trial.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: lutetia audit log [--patient ID] [--since DATE] [--json] [--db FILE] [--user NAME]\n"
            "       lutetia audit verify [--expect-head SEQ:HASH] [--public-key FILE] [--key-file FILE]\n"
            "                            [--json] [--db FILE]\n"
            "       lutetia audit head [--json] [--db FILE]\n"
            "       lutetia audit keygen --key FILE --public-key FILE\n"
            "       lutetia audit checkpoint --key FILE [--json] [--db FILE]\n\n"
            "log prints the audit trail (admin: all of it; monitor: its sites and trial-wide\n"
            "records): sequence number, UTC time, user, role, site, action, record and reason;\n"
            "control characters are shown escaped (\\n, \\x1b), so a reason cannot forge a line;\n"
            "--json adds the old and new values and the hashes.\n"
            "verify recomputes the SHA-256 chain and compares every stored record with what the\n"
            "trail wrote for it, in one read snapshot (writers may go on meanwhile). It exits 0\n"
            "when all holds, and 1 naming the first bad audit record or record when a row was\n"
            "edited, deleted or inserted in the database file behind the engine's back, when\n"
            "time goes back in the trail, or when the randomisation seed no longer matches the\n"
            "commitment made when the trial was created. --expect-head SEQ:HASH (as 'audit head'\n"
            "printed it earlier, kept outside the file) also requires the chain to hold HASH at\n"
            "SEQ; --public-key FILE requires every checkpoint signed by that key to verify and\n"
            "to match the chain (and at least one to exist): a chain rewritten with recomputed\n"
            "hashes is found. The seed is sealed: verify checks it only with the trial's key file\n"
            "(--key-file, LUTETIA_KEY_FILE, default DB.key); without one the report says the seed\n"
            "was not checked. verify and head open the file read-only and need no user: they\n"
            "read no patient data out, and work on a read-only copy or mount.\n"
            "head prints the last sequence number and hash, as SEQ:HASH, to keep elsewhere.\n"
            "keygen writes a new Ed25519 key pair (the secret file readable by you only; never\n"
            "overwrites). checkpoint verifies the trail and stores its head signed with --key.\n");
}

/* A stored string shown on a terminal: control characters (C0, DEL and C1) and the backslash
 * escaped, so that a reason holding a newline or ESC cannot forge a line or recolour one. */
static void put_escaped(lt_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\') lt_buf_puts(b, "\\\\");
        else if (*p == '\n') lt_buf_puts(b, "\\n");
        else if (*p == '\r') lt_buf_puts(b, "\\r");
        else if (*p == '\t') lt_buf_puts(b, "\\t");
        else if (*p < 0x20 || *p == 0x7f) lt_buf_printf(b, "\\x%02x", *p);
        else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) { /* U+0080..U+009F in UTF-8 */
            lt_buf_printf(b, "\\u%04x", p[1]);
            p++;
        } else
            lt_buf_putc(b, (char)*p);
    }
}

static void put_field(lt_buf *b, const char *s, int width)
{
    size_t before = b->n;
    put_escaped(b, s && *s ? s : "-");
    for (int pad = width - (int)(b->n - before); pad > 0; pad--) lt_buf_putc(b, ' ');
}

/* The text log, rendered from the library's JSON document (the one `--json` prints). */
static lt_status render_log(const lt_buf *json, lt_buf *out, lt_error *err)
{
    lt_json *doc = NULL;
    lt_status rc = lt_json_parse(lt_buf_str(json), json->n, "audit log", &doc, err);
    if (rc != LT_OK) return rc;
    for (size_t i = 0; i < lt_json_size(doc); i++) {
        const lt_json *a = lt_json_at(doc, i);
        lt_buf_printf(out, "%6.0f ", lt_json_get_num(a, "seq", 0));
        put_field(out, lt_json_get_str(a, "at", ""), 0);
        lt_buf_putc(out, ' ');
        put_field(out, lt_json_get_str(a, "user", ""), 14);
        lt_buf_putc(out, ' ');
        put_field(out, lt_json_get_str(a, "role", ""), 16);
        lt_buf_putc(out, ' ');
        put_field(out, lt_json_get_str(a, "site", ""), 8);
        lt_buf_putc(out, ' ');
        put_field(out, lt_json_get_str(a, "action", ""), 16);
        lt_buf_putc(out, ' ');
        put_field(out, lt_json_get_str(a, "entity", ""), 0);
        lt_buf_putc(out, ' ');
        put_field(out, lt_json_get_str(a, "id", ""), 0);
        const char *reason = lt_json_get_str(a, "reason", "");
        if (*reason) {
            lt_buf_puts(out, " (reason: ");
            put_escaped(out, reason);
            lt_buf_putc(out, ')');
        }
        lt_buf_putc(out, '\n');
    }
    lt_json_free(doc);
    return LT_OK;
}

/* SEQ:HASH as `audit head` prints it. */
static bool parse_head(const char *s, int64_t *seq, char hash[LT_STORE_HASH_HEX])
{
    const char *colon = strchr(s, ':');
    if (!colon || colon == s || strlen(colon + 1) != LT_STORE_HASH_HEX - 1) return false;
    char num[32];
    if ((size_t)(colon - s) >= sizeof num) return false;
    memcpy(num, s, (size_t)(colon - s));
    num[colon - s] = '\0';
    long v;
    if (!lt_parse_long(num, 1, 0x7fffffffL, &v)) return false;
    for (const char *p = colon + 1; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    *seq = v;
    memcpy(hash, colon + 1, LT_STORE_HASH_HEX);
    return true;
}

static int verify_failed(const lt_error *err, bool json)
{
    if (json) {
        lt_buf out = LT_BUF_INIT;
        lt_buf_puts(&out, "{\"verified\":false,\"where\":");
        lt_buf_json_str(&out, err->where);
        lt_buf_puts(&out, ",\"problem\":");
        lt_buf_json_str(&out, err->message);
        lt_buf_puts(&out, "}\n");
        int rc = lt_cli_print_buf(&out);
        lt_buf_free(&out);
        if (rc) return rc;
    }
    fprintf(stderr, "lutetia: audit verify FAILED: %s: %s\n", err->where, err->message);
    return LT_EXIT_FINDINGS;
}

static int cmd_verify(const char *db, bool json, const char *expect, const char *pubkey,
                      const char *key_file)
{
    lt_error err;
    lt_error_clear(&err);
    lt_audit_anchors a = {0};
    char want[LT_STORE_HASH_HEX];
    unsigned char pk[LT_STORE_SIGN_PUBLIC_BYTES];
    if (expect) {
        if (!parse_head(expect, &a.expect_seq, want))
            return lt_cli_usage_error("audit verify",
                                      "--expect-head: expected SEQ:HASH (a sequence number, a "
                                      "colon and 64 lowercase hex digits, as 'audit head' "
                                      "prints), found '%s'",
                                      expect);
        a.expect_hash = want;
    }
    if (pubkey) {
        if (lt_store_key_read(pubkey, false, pk, &err) != LT_OK) return lt_cli_fail(&err);
        a.public_key = pk;
    }
    lt_store *st = NULL;
    if (lt_store_open(lt_cli_db(db), LT_STORE_READ, &st, &err) != LT_OK) return lt_cli_fail(&err);
    lt_audit_verified v;
    lt_status s = lt_store_audit_verify_anchored(st, &a, &v, &err);
    /* the seed is sealed: it is checked against its commitment only with the trial's key */
    char *key_default =
        lt_cli_key_file(key_file) ? NULL : lt_trial_key_file_default(lt_cli_db(db));
    const char *key_at = lt_cli_key_file(key_file) ? lt_cli_key_file(key_file) : key_default;
    bool seed_checked = false;
    if (s == LT_OK) s = lt_trial_verify_seed(st, key_at, &seed_checked, &err);
    lt_store_close(st);
    if (s != LT_OK) {
        free(key_default);
        return s == LT_ECORRUPT ? verify_failed(&err, json) : lt_cli_fail(&err);
    }
    lt_buf out = LT_BUF_INIT;
    if (json) {
        lt_buf_printf(&out, "{\"verified\":true,\"records\":%lld,\"head\":\"%s\",\"seed_checked\":%s",
                      (long long)v.records, v.head, seed_checked ? "true" : "false");
        if (expect) lt_buf_printf(&out, ",\"expected_head\":\"%s\"", expect);
        if (pubkey) lt_buf_printf(&out, ",\"checkpoints\":%lld", (long long)v.checkpoints);
        lt_buf_puts(&out, "}\n");
    } else {
        if (seed_checked)
            lt_buf_printf(&out, "audit trail verified: %lld records, chain intact, every record "
                                "matches its last audit value, the randomisation seed matches "
                                "its commitment; head %s\n",
                          (long long)v.records, v.head);
        else
            lt_buf_printf(&out, "audit trail verified: %lld records, chain intact, every record "
                                "matches its last audit value; the randomisation seed was NOT "
                                "checked (it is sealed and there is no key file at %s); head %s\n",
                          (long long)v.records, key_at ? key_at : "?", v.head);
        if (expect) lt_buf_printf(&out, "the chain holds the expected head %s\n", expect);
        if (pubkey)
            lt_buf_printf(&out, "%lld signed checkpoint%s verified with %s\n",
                          (long long)v.checkpoints, v.checkpoints == 1 ? "" : "s", pubkey);
    }
    free(key_default);
    int rc = lt_cli_print_buf(&out);
    lt_buf_free(&out);
    return rc;
}

static int cmd_head(const char *db, bool json)
{
    lt_error err;
    lt_error_clear(&err);
    lt_store *st = NULL;
    if (lt_store_open(lt_cli_db(db), LT_STORE_READ, &st, &err) != LT_OK) return lt_cli_fail(&err);
    int64_t seq = 0;
    char hash[LT_STORE_HASH_HEX];
    lt_status s = lt_store_audit_head(st, &seq, hash, &err);
    lt_store_close(st);
    if (s != LT_OK) return lt_cli_fail(&err);
    lt_buf out = LT_BUF_INIT;
    if (json)
        lt_buf_printf(&out, "{\"seq\":%lld,\"hash\":\"%s\",\"head\":\"%lld:%s\"}\n",
                      (long long)seq, hash, (long long)seq, hash);
    else
        lt_buf_printf(&out, "%lld:%s\n", (long long)seq, hash);
    int rc = lt_cli_print_buf(&out);
    lt_buf_free(&out);
    return rc;
}

static int cmd_checkpoint(const char *db, const char *key, bool json)
{
    lt_error err;
    lt_error_clear(&err);
    if (!key) return lt_cli_usage_error("audit checkpoint", "--key FILE is required");
    unsigned char sk[LT_STORE_SIGN_SECRET_BYTES];
    if (lt_store_key_read(key, true, sk, &err) != LT_OK) return lt_cli_fail(&err);
    lt_store *st = NULL;
    lt_status s = lt_store_open(lt_cli_db(db), LT_STORE_OPEN, &st, &err);
    int64_t seq = 0;
    char hash[LT_STORE_HASH_HEX];
    if (s == LT_OK) s = lt_store_audit_checkpoint(st, sk, &seq, hash, &err);
    lt_store_close(st);
    explicit_bzero(sk, sizeof sk); /* the secret key leaves no copy in memory */
    if (s == LT_ECORRUPT) return verify_failed(&err, json);
    if (s != LT_OK) return lt_cli_fail(&err);
    lt_buf out = LT_BUF_INIT;
    if (json)
        lt_buf_printf(&out, "{\"signed\":true,\"seq\":%lld,\"hash\":\"%s\"}\n", (long long)seq,
                      hash);
    else
        lt_buf_printf(&out, "checkpoint stored: audit record %lld, head %s, signed\n",
                      (long long)seq, hash);
    int rc = lt_cli_print_buf(&out);
    lt_buf_free(&out);
    return rc;
}

int lt_cmd_audit(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? LT_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    static const char *const subs[] = {"log", "verify", "head", "keygen", "checkpoint"};
    bool known = false;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) known |= !strcmp(sub, subs[i]);
    if (!known)
        return lt_cli_usage_error("audit",
                                  "unknown subcommand '%s' (expected log, verify, head, keygen "
                                  "or checkpoint)",
                                  sub);
    static const struct option opts[] = {
        {"patient", required_argument, 0, 'p'},     {"since", required_argument, 0, 's'},
        {"json", no_argument, 0, 'j'},              {"db", required_argument, 0, 'd'},
        {"user", required_argument, 0, 'u'},        {"help", no_argument, 0, 'h'},
        {"expect-head", required_argument, 0, 'e'}, {"public-key", required_argument, 0, 'k'},
        {"key", required_argument, 0, 'K'},         {"key-file", required_argument, 0, 'f'},
        {0, 0, 0, 0},
    };
    const char *patient = NULL, *db = NULL, *user = NULL, *expect = NULL, *pubkey = NULL,
               *key = NULL, *key_file = NULL;
    lt_date since = LT_DATE_NONE;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p': patient = optarg; break;
        case 's':
            if (!lt_cli_date_arg("audit", "--since", optarg, &since)) return LT_EXIT_USAGE;
            break;
        case 'j': json = true; break;
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'e': expect = optarg; break;
        case 'k': pubkey = optarg; break;
        case 'K': key = optarg; break;
        case 'f': key_file = optarg; break;
        case 'h': help(stdout); return 0;
        default: return lt_cli_usage_error("audit", "unknown option");
        }
    }
    if (optind < argc - 1) return lt_cli_usage_error("audit", "unexpected argument '%s'", argv[optind + 1]);
    bool is_log = !strcmp(sub, "log");
    if (!is_log && (patient || since != LT_DATE_NONE))
        return lt_cli_usage_error("audit", "%s covers the whole trail: no --patient or --since", sub);
    if (strcmp(sub, "verify") != 0 && expect)
        return lt_cli_usage_error("audit", "--expect-head belongs to 'audit verify'");
    if (strcmp(sub, "verify") != 0 && strcmp(sub, "keygen") != 0 && pubkey)
        return lt_cli_usage_error("audit", "--public-key belongs to 'audit verify' and 'audit keygen'");
    if (strcmp(sub, "checkpoint") != 0 && strcmp(sub, "keygen") != 0 && key)
        return lt_cli_usage_error("audit", "--key belongs to 'audit checkpoint' and 'audit keygen'");
    if (strcmp(sub, "verify") != 0 && key_file)
        return lt_cli_usage_error("audit", "--key-file belongs to 'audit verify'");
    if (!strcmp(sub, "verify")) return cmd_verify(db, json, expect, pubkey, key_file);
    if (!strcmp(sub, "head")) return cmd_head(db, json);
    if (!strcmp(sub, "checkpoint")) return cmd_checkpoint(db, key, json);
    lt_error err;
    lt_error_clear(&err);
    if (!strcmp(sub, "keygen")) {
        if (!key || !pubkey)
            return lt_cli_usage_error("audit keygen", "--key FILE and --public-key FILE are required");
        if (lt_store_keygen(key, pubkey, &err) != LT_OK) return lt_cli_fail(&err);
        printf("wrote the secret key to %s (keep it away from the database) and the public "
               "key to %s\n",
               key, pubkey);
        return 0;
    }
    lt_trial *t = NULL;
    int rc = lt_cli_open_trial_read(lt_cli_db(db), lt_cli_user(user), &t);
    if (rc) return rc;
    lt_buf doc = LT_BUF_INIT, out = LT_BUF_INIT;
    /* the text form is rendered here from the JSON document, escaping what a terminal would
     * obey; the JSON form escapes by construction */
    lt_status s = lt_trial_audit_log(t, patient, since, true, &doc, &err);
    if (s == LT_OK && !json) s = render_log(&doc, &out, &err);
    rc = s != LT_OK ? lt_cli_fail(&err) : lt_cli_print_buf(json ? &doc : &out);
    lt_buf_free(&doc);
    lt_buf_free(&out);
    lt_trial_close(t);
    return rc;
}
