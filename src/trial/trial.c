/* The trial as a whole: creating it from a protocol file (the protocol text, a secret seed and
 * the first admin user go in one transaction), opening it as a named user, sites and users. */
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lutetia/file.h"
#include "trial_int.h"

#define TRIAL_KIND "trial"
#define TRIAL_ID "trial"

char *lt__strdup0(const char *s) { return s ? strdup(s) : NULL; }

/* Names a user types: sites, users, patients. Printable, no spaces or separators, so that
 * they read back unambiguously in logs and in stratum keys. */
static bool id_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.' || *p == '@'))
            return false;
    return true;
}


static void user_json(lt_buf *b, const char *name, lt_role role, const char *const *sites,
                      size_t nsites, const char *const *os_users, size_t nos, bool active)
{
    lt_buf_puts(b, "{\"name\":");
    lt_buf_json_str(b, name);
    lt_buf_puts(b, ",\"role\":");
    lt_buf_json_str(b, lt_role_name(role));
    lt_buf_puts(b, ",\"sites\":[");
    for (size_t i = 0; i < nsites; i++) {
        if (i) lt_buf_putc(b, ',');
        lt_buf_json_str(b, sites[i]);
    }
    lt_buf_putc(b, ']');
    /* users added before peer authentication have no os_users: no OS account acts as them */
    if (nos) {
        lt_buf_puts(b, ",\"os_users\":[");
        for (size_t i = 0; i < nos; i++) {
            if (i) lt_buf_putc(b, ',');
            lt_buf_json_str(b, os_users[i]);
        }
        lt_buf_putc(b, ']');
    }
    lt_buf_printf(b, ",\"active\":%s}", active ? "true" : "false");
}

/* OS account names as the system spells them (POSIX portable user names, and '@' of directory
 * accounts): nothing that could be mistaken for a separator. */
static bool os_user_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64 || *s == '-') return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.' || *p == '@' || *p == '$'))
            return false;
    return true;
}

lt_status lt_trial_create(const char *db, const char *protocol_path, const char *version,
                          const char *admin, lt_error *err)
{
    lt_trial_init init = {.protocol = protocol_path, .version = version, .admin = admin};
    return lt_trial_create_with(db, &init, err);
}

lt_status lt_trial_create_with(const char *db, const lt_trial_init *init, lt_error *err)
{
    const char *admin = init->admin, *protocol_path = init->protocol;
    if (!id_ok(admin))
        LT_FAIL(err, LT_EINVAL, "user",
                "expected a user name of letters, digits, '-', '_', '.', '@', found '%s'",
                admin ? admin : "");
    if (init->admin_os_user && !os_user_ok(init->admin_os_user))
        LT_FAIL(err, LT_EINVAL, "os_user", "expected an OS account name, found '%s'",
                init->admin_os_user);
    if (!protocol_path) LT_FAIL(err, LT_EINVAL, "protocol", "a trial needs a protocol file");
    if (access(db, F_OK) == 0)
        LT_FAIL(err, LT_ECONFLICT, db, "a file already exists here: a trial is created in a new "
                                       "database file");
    /* a database on a server has no folder beside it for the key, which belongs elsewhere
     * anyway (docs/store.md, allocation concealment) */
    if (!init->key_file && (!strncmp(db, "postgres://", 11) || !strncmp(db, "postgresql://", 13)))
        LT_FAIL(err, LT_EINVAL, "key_file",
                "a trial in PostgreSQL needs its key file named: there is no folder beside the "
                "database to put it in");
    char *key_default = init->key_file ? NULL : lt_trial_key_file_default(db);
    const char *key_file = init->key_file ? init->key_file : key_default;
    if (!key_file) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    if (access(key_file, F_OK) == 0) {
        lt_status st = lt_error_set(err, LT_ECONFLICT, key_file,
                                    "a key file already exists here: each trial gets a new one "
                                    "(move the old one, or name another with key_file)");
        free(key_default);
        return st;
    }
    lt_protocol *p = NULL;
    char *text = NULL;
    size_t len = 0;
    lt_status rc = lt_protocol_load(protocol_path, init->version, &p, err);
    if (rc == LT_OK) rc = lt_file_read(protocol_path, &text, &len, err);
    if (rc != LT_OK) {
        lt_protocol_free(p);
        free(key_default);
        return rc;
    }
    unsigned char seed[LT_STORE_SEED_BYTES], h[crypto_hash_sha256_BYTES];
    unsigned char key[LT__KEY_BYTES], box[LT_STORE_SEALED_SEED_BYTES];
    char seed_hash[LT_STORE_HASH_HEX], text_hash[LT_STORE_HASH_HEX], at[LT_TIME_STR_MAX];
    if (init->seed)
        memcpy(seed, init->seed, sizeof seed);
    else
        randombytes_buf(seed, sizeof seed);
    /* The audit trail holds a commitment to the seed (its hash), not the seed: an auditor can
     * check that the seed used for a replay is the one the trial started with. */
    crypto_hash_sha256(h, seed, sizeof seed);
    sodium_bin2hex(seed_hash, sizeof seed_hash, h, sizeof h);
    crypto_hash_sha256(h, (const unsigned char *)text, len);
    sodium_bin2hex(text_hash, sizeof text_hash, h, sizeof h);

    lt_buf doc = LT_BUF_INIT, udoc = LT_BUF_INIT;
    lt_buf_puts(&doc, "{\"protocol\":");
    lt_buf_json_str(&doc, lt_protocol_id(p));
    lt_buf_puts(&doc, ",\"name\":");
    lt_buf_json_str(&doc, lt_protocol_name(p));
    lt_buf_puts(&doc, ",\"version\":");
    lt_buf_json_str(&doc, lt_protocol_version(p));
    lt_buf_puts(&doc, ",\"source\":");
    lt_buf_json_str(&doc, protocol_path);
    lt_buf_printf(&doc, ",\"protocol_sha256\":\"%s\",\"seed_sha256\":\"%s\",\"created\":\"%s\"",
                  text_hash, seed_hash, lt_time_format(lt_time_now(), at));
    /* how the seed came: "sealed" (random, known to no one) or "supplied" (whoever supplied it
     * can predict every allocation) */
    lt_buf_printf(&doc, ",\"seed\":\"%s\"", init->seed ? "supplied" : "sealed");
    lt_buf_puts(&doc, ",\"text\":");
    lt_buf_json_str(&doc, text);
    lt_buf_putc(&doc, '}');
    const char *all[] = {"*"};
    const char *os[] = {init->admin_os_user};
    user_json(&udoc, admin, LT_ROLE_ADMIN, all, 1, os, init->admin_os_user ? 1 : 0, true);
    free(text);
    lt_protocol_free(p);
    if (lt_buf_failed(&doc) || lt_buf_failed(&udoc)) {
        lt_buf_free(&doc);
        lt_buf_free(&udoc);
        free(key_default);
        sodium_memzero(seed, sizeof seed);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }

    lt_store *st = NULL;
    rc = lt__key_create(key_file, key, err);
    bool key_made = rc == LT_OK;
    if (key_made) {
        lt__seed_seal(key, seed, box);
        sodium_memzero(key, sizeof key);
        rc = lt_store_open(db, LT_STORE_CREATE, &st, err);
    }
    if (rc == LT_OK) rc = lt_store_begin(st, err);
    if (rc == LT_OK) rc = lt_store_sealed_seed_set(st, box, err);
    lt_actor who = {admin, lt_role_name(LT_ROLE_ADMIN)};
    if (rc == LT_OK) {
        lt_record r = {.kind = TRIAL_KIND, .id = TRIAL_ID, .data = lt_buf_str(&doc)};
        rc = lt_store_put(st, &r, 0, &who, "trial.create",
                          init->seed ? "seed supplied, not secret" : "", NULL, err);
    }
    if (rc == LT_OK) {
        lt_record r = {.kind = "user", .id = admin, .data = lt_buf_str(&udoc)};
        rc = lt_store_put(st, &r, 0, &who, "user.add", "first user, created with the trial",
                          NULL, err);
    }
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    sodium_memzero(seed, sizeof seed);
    lt_buf_free(&doc);
    lt_buf_free(&udoc);
    bool created = st != NULL;
    lt_store_close(st);
    /* nothing half-made stays behind: neither file existed before */
    if (rc != LT_OK && created) lt_store_remove_files(db);
    if (rc != LT_OK && key_made) unlink(key_file);
    free(key_default);
    return rc;
}

void lt__trial_keep(lt_trial *t, void *p, void (*drop)(void *p))
{
    void *old = t->kept;
    void (*old_drop)(void *) = t->kept_drop;
    t->kept = p;
    t->kept_drop = p ? drop : NULL;
    if (old && old != p && old_drop) old_drop(old);
}

void lt_trial_close(lt_trial *t)
{
    if (!t) return;
    lt__trial_keep(t, NULL, NULL);
    lt_store_close(t->st);
    if (t->nversions)
        lt__trial_versions_free(t); /* every version's protocol, t->protocol among them */
    else
        lt_protocol_free(t->protocol);
    lt_randomiser_free(t->rand);
    free(t->key_file);
    free(t->protocol_version);
    free(t->user);
    for (size_t i = 0; i < t->nsites; i++) free(t->sites[i]);
    free(t->sites);
    free(t);
}

/* Whether the user document binds the OS account os_user. */
static bool bound_to(const lt_json *uj, const char *os_user)
{
    const lt_json *os = lt_json_get(uj, "os_users");
    for (size_t i = 0; i < lt_json_size(os); i++) {
        const char *s = lt_json_str(lt_json_at(os, i));
        if (s && !strcmp(s, os_user)) return true;
    }
    return false;
}

/* Opens as user; with os_user, only if the user is bound to that OS account. */
static lt_status open_as(const char *db, const char *user, const char *os_user,
                         bool legacy_owner, lt_store_mode mode, lt_trial **out, lt_error *err)
{
    if (!user || !*user)
        LT_FAIL(err, LT_EINVAL, "user", "no acting user: name the trial user who is acting");
    lt_trial *t = calloc(1, sizeof *t);
    if (!t) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    if (!(t->key_file = lt_trial_key_file_default(db))) {
        free(t);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    lt_record *tr = NULL, *ur = NULL;
    lt_json *tj = NULL, *uj = NULL;
    lt_status rc = lt_store_open(db, mode, &t->st, err);
    if (rc == LT_OK) {
        rc = lt_store_get(t->st, TRIAL_KIND, TRIAL_ID, &tr, err);
        if (rc == LT_ENOTFOUND)
            rc = lt_error_set(err, LT_ECORRUPT, db, "the database holds no trial record");
    }
    if (rc == LT_OK) rc = lt_json_parse(tr->data, strlen(tr->data), "trial record", &tj, err);
    if (rc == LT_OK) {
        const char *text = lt_json_get_str(tj, "text", NULL);
        const char *version = lt_json_get_str(tj, "version", NULL);
        const char *source = lt_json_get_str(tj, "source", "stored protocol");
        snprintf(t->seed_sha256, sizeof t->seed_sha256, "%s",
                 lt_json_get_str(tj, "seed_sha256", ""));
        snprintf(t->seed_kind, sizeof t->seed_kind, "%s", lt_json_get_str(tj, "seed", "clear"));
        if (!text || !version)
            rc = lt_error_set(err, LT_ECORRUPT, db, "the trial record has no protocol text");
        else
            rc = lt_protocol_parse(text, strlen(text), source, version, &t->protocol, err);
        if (rc == LT_OK && !(t->protocol_version = strdup(version)))
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        if (rc == LT_OK) rc = lt__trial_versions_load(t, err);
    }
    if (rc == LT_OK) {
        rc = lt_store_get(t->st, "user", user, &ur, err);
        if (rc == LT_ENOTFOUND)
            rc = lt_error_set(err, LT_EPERM, user,
                              "no user '%s' in this trial (an admin adds users with 'lutetia "
                              "user add')",
                              user);
    }
    if (rc == LT_OK) rc = lt_json_parse(ur->data, strlen(ur->data), "user record", &uj, err);
    if (rc == LT_OK) {
        bool active = false;
        lt_json_bool(lt_json_get(uj, "active"), &active);
        const lt_json *sites = lt_json_get(uj, "sites");
        lt_role role = LT_ROLE_COUNT;
        bool owner_admin = legacy_owner && lt_role_parse(lt_json_get_str(uj, "role", NULL), &role) &&
                           role == LT_ROLE_ADMIN;
        if (os_user && !bound_to(uj, os_user) && !owner_admin)
            /* the same answer whether or not the user exists would hide the user list; but
             * the list is no secret to someone who can open the file, and naming the cause
             * is what lets an admin fix it */
            rc = lt_error_set(err, LT_EPERM, user,
                              "trial user '%s' is not bound to the OS account '%s' running "
                              "this (an admin binds accounts when adding a user: os_user)",
                              user, os_user);
        else if (!lt_role_parse(lt_json_get_str(uj, "role", NULL), &t->role))
            rc = lt_error_set(err, LT_ECORRUPT, user, "user '%s' has an unknown role", user);
        else if (!active)
            rc = lt_error_set(err, LT_EPERM, user, "user '%s' is deactivated", user);
        size_t n = lt_json_size(sites);
        if (rc == LT_OK && n && !(t->sites = calloc(n, sizeof *t->sites)))
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        for (size_t i = 0; rc == LT_OK && i < n; i++) {
            const char *s = lt_json_str(lt_json_at(sites, i));
            if (!s) continue;
            if (!strcmp(s, "*")) t->all_sites = true;
            if (!(t->sites[t->nsites++] = strdup(s)))
                rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        }
        if (rc == LT_OK && !(t->user = strdup(user)))
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    lt_json_free(tj);
    lt_json_free(uj);
    lt_record_free(tr);
    lt_record_free(ur);
    if (rc != LT_OK) {
        lt_trial_close(t);
        return rc;
    }
    *out = t;
    return LT_OK;
}

lt_status lt_trial_open(const char *db, const char *user, lt_trial **out, lt_error *err)
{
    return open_as(db, user, NULL, false, LT_STORE_OPEN, out, err);
}

typedef struct peer_ctx {
    const char *os_user;
    lt_buf names;
    int n;
    char first[80];
    int any_bound;     /* users bound to any OS account */
    int admins;        /* active admins, and the first one */
    char admin[80];
} peer_ctx;

/* Whether the OS account os_user owns the database file. */
static bool owns_file(const char *db, const char *os_user)
{
    struct stat sb;
    struct passwd pw, *found = NULL;
    char buf[4096];
    return stat(db, &sb) == 0 && getpwnam_r(os_user, &pw, buf, sizeof buf, &found) == 0 &&
           found && found->pw_uid == sb.st_uid;
}

static int peer_item(const lt_record *r, void *ctx)
{
    peer_ctx *c = ctx;
    lt_json *j = NULL;
    bool active = false;
    lt_role role;
    if (lt_json_parse(r->data, strlen(r->data), "user record", &j, NULL) == LT_OK &&
        lt_json_bool(lt_json_get(j, "active"), &active) && active) {
        if (bound_to(j, c->os_user)) {
            if (!c->n++) snprintf(c->first, sizeof c->first, "%s", r->id);
            lt_buf_printf(&c->names, "%s%s", c->n > 1 ? ", " : "", r->id);
        }
        if (lt_json_size(lt_json_get(j, "os_users"))) c->any_bound++;
        if (lt_role_parse(lt_json_get_str(j, "role", NULL), &role) && role == LT_ROLE_ADMIN &&
            !c->admins++)
            snprintf(c->admin, sizeof c->admin, "%s", r->id);
    }
    lt_json_free(j);
    return 0;
}

static lt_status open_peer(const char *db, const char *os_user, const char *user,
                           lt_store_mode mode, lt_trial **out, lt_error *err)
{
    if (!os_user || !*os_user)
        LT_FAIL(err, LT_EPERM, "os_user", "the OS account running this has no name");
    lt_store *st = NULL;
    peer_ctx c = {.os_user = os_user, .names = LT_BUF_INIT};
    lt_status rc = lt_store_open(db, mode, &st, err);
    if (rc == LT_OK) rc = lt_store_each(st, "user", NULL, peer_item, &c, err);
    lt_store_close(st);
    /* A trial created before peer authentication binds no one: the OS account that owns its
     * file (who could rewrite it anyway) acts as its admin, to bind accounts to users. */
    bool legacy_owner = rc == LT_OK && c.any_bound == 0 && owns_file(db, os_user);
    if (rc == LT_OK && user && *user) {
        lt_buf_free(&c.names);
        return open_as(db, user, os_user, legacy_owner, mode, out, err);
    }
    if (rc == LT_OK && c.n == 0 && legacy_owner && c.admins == 1) {
        lt_buf_free(&c.names);
        return open_as(db, c.admin, os_user, true, mode, out, err);
    }
    if (rc == LT_OK && c.n == 0)
        rc = lt_error_set(err, LT_EPERM, os_user,
                          "no user of this trial is bound to the OS account '%s' (an admin "
                          "binds it when adding the user: os_user)",
                          os_user);
    else if (rc == LT_OK && c.n > 1)
        rc = lt_error_set(err, LT_EINVAL, "user",
                          "the OS account '%s' acts as %d trial users (%s): name the one acting",
                          os_user, c.n, lt_buf_str(&c.names));
    lt_buf_free(&c.names);
    if (rc != LT_OK) return rc;
    return open_as(db, c.first, os_user, false, mode, out, err);
}

lt_status lt_trial_open_peer(const char *db, const char *os_user, const char *user,
                             lt_trial **out, lt_error *err)
{
    return open_peer(db, os_user, user, LT_STORE_OPEN, out, err);
}

lt_status lt_trial_open_peer_read(const char *db, const char *os_user, const char *user,
                                  lt_trial **out, lt_error *err)
{
    return open_peer(db, os_user, user, LT_STORE_READ, out, err);
}

lt_status lt_trial_user_bind(lt_trial *t, const char *name, const char *const *os_users,
                             size_t nos, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ADMINISTER, "bind users to OS accounts", err);
    if (rc != LT_OK) return rc;
    if (nos == 0) LT_FAIL(err, LT_EINVAL, "os_user", "name at least one OS account to bind");
    for (size_t i = 0; i < nos; i++)
        if (!os_user_ok(os_users[i]))
            LT_FAIL(err, LT_EINVAL, "os_user", "expected an OS account name, found '%s'",
                    os_users[i] ? os_users[i] : "");
    lt_actor who = {t->user, lt_role_name(t->role)};
    lt_record *ur = NULL;
    lt_json *uj = NULL;
    lt_buf doc = LT_BUF_INIT;
    const char *sites[64], *os[64];
    size_t nsites = 0, n = 0;
    rc = lt_store_begin(t->st, err);
    if (rc == LT_OK) rc = lt_store_get(t->st, "user", name, &ur, err);
    if (rc == LT_ENOTFOUND) rc = lt_error_set(err, LT_ENOTFOUND, "name", "no user '%s'", name);
    if (rc == LT_OK) rc = lt_json_parse(ur->data, strlen(ur->data), "user record", &uj, err);
    lt_role role = LT_ROLE_COUNT;
    bool active = false;
    if (rc == LT_OK && (!lt_role_parse(lt_json_get_str(uj, "role", NULL), &role) ||
                        !lt_json_bool(lt_json_get(uj, "active"), &active)))
        rc = lt_error_set(err, LT_ECORRUPT, name, "user '%s' has no valid role or state", name);
    const lt_json *sj = rc == LT_OK ? lt_json_get(uj, "sites") : NULL;
    for (size_t i = 0; rc == LT_OK && i < lt_json_size(sj) && nsites < 64; i++)
        if (lt_json_str(lt_json_at(sj, i))) sites[nsites++] = lt_json_str(lt_json_at(sj, i));
    /* the accounts it had, then the new ones it lacks */
    const lt_json *oj = rc == LT_OK ? lt_json_get(uj, "os_users") : NULL;
    for (size_t i = 0; rc == LT_OK && i < lt_json_size(oj) && n < 64; i++)
        if (lt_json_str(lt_json_at(oj, i))) os[n++] = lt_json_str(lt_json_at(oj, i));
    size_t had = n;
    for (size_t i = 0; rc == LT_OK && i < nos && n < 64; i++) {
        bool dup = false;
        for (size_t k = 0; k < n; k++) dup = dup || !strcmp(os[k], os_users[i]);
        if (!dup) os[n++] = os_users[i];
    }
    if (rc == LT_OK && n == had)
        rc = lt_error_set(err, LT_ECONFLICT, name, "user '%s' is already bound to %s", name,
                          nos == 1 ? "that account" : "those accounts");
    if (rc == LT_OK) {
        user_json(&doc, name, role, sites, nsites, os, n, active);
        lt_record r = {.kind = "user", .id = name, .data = lt_buf_str(&doc)};
        rc = lt_buf_failed(&doc) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                                 : lt_store_put(t->st, &r, ur->rev, &who, "user.bind", "", NULL,
                                                err);
    }
    if (rc == LT_OK) rc = lt_store_commit(t->st, err);
    if (rc != LT_OK) lt_store_rollback(t->st);
    lt_buf_free(&doc);
    lt_json_free(uj);
    lt_record_free(ur);
    return rc;
}

lt_status lt_trial_set_key_file(lt_trial *t, const char *path, lt_error *err)
{
    if (!path || !*path) LT_FAIL(err, LT_EINVAL, "key_file", "expected a key file path");
    char *p = strdup(path);
    if (!p) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    free(t->key_file);
    t->key_file = p;
    return LT_OK;
}

const lt_protocol *lt_trial_protocol(const lt_trial *t) { return t->protocol; }
lt_store *lt_trial_store(lt_trial *t) { return t->st; }
const char *lt_trial_user(const lt_trial *t) { return t->user; }
lt_role lt_trial_role(const lt_trial *t) { return t->role; }

/* Compares a seed with a commitment (the hex SHA-256 recorded at creation). */
static lt_status seed_matches(const unsigned char seed[LT_STORE_SEED_BYTES],
                              const char *commitment, lt_error *err)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[LT_STORE_HASH_HEX];
    crypto_hash_sha256(h, seed, LT_STORE_SEED_BYTES);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    if (strcmp(hex, commitment) != 0)
        LT_FAIL(err, LT_ECORRUPT, "seed",
                "the stored randomisation seed does not match the commitment made when the "
                "trial was created: it was replaced");
    return LT_OK;
}

lt_status lt_trial_verify_seed(lt_store *st, const char *key_file, bool *checked, lt_error *err)
{
    if (checked) *checked = false;
    lt_record *tr = NULL;
    lt_json *tj = NULL;
    unsigned char seed[LT_STORE_SEED_BYTES], box[LT_STORE_SEALED_SEED_BYTES];
    lt_status rc = lt_store_get(st, TRIAL_KIND, TRIAL_ID, &tr, err);
    if (rc == LT_ENOTFOUND)
        rc = lt_error_set(err, LT_ECORRUPT, "trial", "the database holds no trial record");
    if (rc == LT_OK) rc = lt_json_parse(tr->data, strlen(tr->data), "trial record", &tj, err);
    /* without the key a sealed seed cannot be checked: say so rather than pass (the caller
     * reports it as not checked) */
    bool no_key = rc == LT_OK && lt_store_sealed_seed_get(st, box, NULL) == LT_OK &&
                  (!key_file || access(key_file, F_OK) != 0);
    sodium_memzero(box, sizeof box);
    if (rc == LT_OK && !no_key) rc = lt__seed_load(st, key_file, seed, NULL, err);
    if (rc == LT_OK && !no_key) {
        rc = seed_matches(seed, lt_json_get_str(tj, "seed_sha256", ""), err);
        if (checked) *checked = true;
    }
    sodium_memzero(seed, sizeof seed);
    lt_json_free(tj);
    lt_record_free(tr);
    return rc;
}

lt_status lt__trial_randomiser(lt_trial *t, const lt_randomiser **out, lt_error *err)
{
    if (!t->rand) {
        /* a seed swapped behind the engine's back would silently change every allocation to
         * come: check it against the commitment in the (audited) trial record */
        unsigned char seed[LT_STORE_SEED_BYTES];
        lt_status rc = lt__seed_load(t->st, t->key_file, seed, NULL, err);
        if (rc == LT_OK) rc = seed_matches(seed, t->seed_sha256, err);
        if (rc == LT_OK) rc = lt_randomiser_from_protocol(t->protocol, seed, &t->rand, err);
        sodium_memzero(seed, sizeof seed);
        if (rc != LT_OK) return rc;
    }
    *out = t->rand;
    return LT_OK;
}

/* Runs one write: begin, the caller's put, commit; rolls back on any failure. */
static lt_status put_one(lt_trial *t, const lt_record *r, const char *action, lt_error *err)
{
    lt_actor who = {t->user, lt_role_name(t->role)};
    lt_status rc = lt_store_begin(t->st, err);
    if (rc == LT_OK) rc = lt_store_put(t->st, r, 0, &who, action, "", NULL, err);
    if (rc == LT_OK) rc = lt_store_commit(t->st, err);
    if (rc != LT_OK) lt_store_rollback(t->st);
    return rc;
}

lt_status lt_trial_site_add(lt_trial *t, const char *code, const char *name, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ADMINISTER, "add sites", err);
    if (rc != LT_OK) return rc;
    if (!id_ok(code) || !strcmp(code, "*"))
        LT_FAIL(err, LT_EINVAL, "--code",
                "expected a site code of letters, digits, '-', '_', '.', found '%s'",
                code ? code : "");
    if (!name || !*name) LT_FAIL(err, LT_EINVAL, "--name", "a site needs a name");
    lt_buf doc = LT_BUF_INIT;
    lt_buf_puts(&doc, "{\"code\":");
    lt_buf_json_str(&doc, code);
    lt_buf_puts(&doc, ",\"name\":");
    lt_buf_json_str(&doc, name);
    lt_buf_putc(&doc, '}');
    lt_record r = {.kind = "site", .id = code, .site = code, .data = lt_buf_str(&doc)};
    rc = lt_buf_failed(&doc) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                             : put_one(t, &r, "site.add", err);
    lt_buf_free(&doc);
    return rc;
}

lt_status lt_trial_user_add(lt_trial *t, const char *name, lt_role role,
                            const char *const *sites, size_t nsites, lt_error *err)
{
    return lt_trial_user_add_bound(t, name, role, sites, nsites, NULL, 0, err);
}

lt_status lt_trial_user_add_bound(lt_trial *t, const char *name, lt_role role,
                                  const char *const *sites, size_t nsites,
                                  const char *const *os_users, size_t nos, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_ADMINISTER, "add users", err);
    if (rc != LT_OK) return rc;
    if (!id_ok(name))
        LT_FAIL(err, LT_EINVAL, "--name",
                "expected a user name of letters, digits, '-', '_', '.', '@', found '%s'",
                name ? name : "");
    if ((unsigned)role >= LT_ROLE_COUNT) LT_FAIL(err, LT_EINVAL, "--role", "unknown role");
    if (nsites == 0)
        LT_FAIL(err, LT_EINVAL, "--site", "a user is bound to at least one site (or '*' for all)");
    for (size_t i = 0; i < nsites; i++) {
        if (!strcmp(sites[i], "*")) {
            if (nsites > 1)
                LT_FAIL(err, LT_EINVAL, "--site", "'*' (every site) stands alone");
            continue;
        }
        lt_record *s = NULL;
        rc = lt_store_get(t->st, "site", sites[i], &s, err);
        lt_record_free(s);
        if (rc == LT_ENOTFOUND)
            LT_FAIL(err, LT_ENOTFOUND, "--site", "no site '%s' (add it with 'lutetia site add')",
                    sites[i]);
        if (rc != LT_OK) return rc;
    }
    for (size_t i = 0; i < nos; i++) {
        if (!os_user_ok(os_users[i]))
            LT_FAIL(err, LT_EINVAL, "os_user", "expected an OS account name, found '%s'",
                    os_users[i] ? os_users[i] : "");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(os_users[k], os_users[i]))
                LT_FAIL(err, LT_EINVAL, "os_user", "OS account '%s' given twice", os_users[i]);
    }
    lt_buf doc = LT_BUF_INIT;
    user_json(&doc, name, role, sites, nsites, os_users, nos, true);
    lt_record r = {.kind = "user", .id = name, .data = lt_buf_str(&doc)};
    rc = lt_buf_failed(&doc) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                             : put_one(t, &r, "user.add", err);
    lt_buf_free(&doc);
    return rc;
}

typedef struct list_ctx {
    lt_buf *out;
    bool json;
    int n;
} list_ctx;

static int list_site(const lt_record *r, void *ctx)
{
    list_ctx *c = ctx;
    if (c->json) {
        lt_buf_puts(c->out, c->n++ ? "," : "");
        lt_buf_puts(c->out, r->data);
    } else {
        lt_json *j = NULL;
        if (lt_json_parse(r->data, strlen(r->data), r->kind, &j, NULL) == LT_OK) {
            if (!strcmp(r->kind, "site"))
                lt_buf_printf(c->out, "  site %-10s %s\n", r->id,
                              lt_json_get_str(j, "name", ""));
            else {
                const char *role = lt_json_get_str(j, "role", "");
                lt_buf_printf(c->out, "  user %-16s %-17s%s", r->id, role,
                              strlen(role) >= 17 ? " " : "");
                const lt_json *s = lt_json_get(j, "sites");
                for (size_t i = 0; i < lt_json_size(s); i++)
                    lt_buf_printf(c->out, "%s%s", i ? "," : "", lt_json_str(lt_json_at(s, i)));
                s = lt_json_get(j, "os_users");
                for (size_t i = 0; i < lt_json_size(s); i++)
                    lt_buf_printf(c->out, "%s%s", i ? "," : " (OS account ",
                                  lt_json_str(lt_json_at(s, i)));
                if (lt_json_size(s)) lt_buf_putc(c->out, ')');
                lt_buf_putc(c->out, '\n');
            }
        }
        lt_json_free(j);
    }
    return 0;
}

lt_status lt_trial_describe(lt_trial *t, bool json, lt_buf *out, lt_error *err)
{
    lt_status rc = lt__trial_allow(t, LT_DO_READ, "read the trial", err);
    if (rc != LT_OK) return rc;
    int64_t npat = 0, nalloc = 0;
    rc = lt_store_count(t->st, "patient", NULL, &npat, err);
    if (rc == LT_OK) rc = lt_store_count(t->st, "allocation", NULL, &nalloc, err);
    if (rc != LT_OK) return rc;
    const lt_randomisation_spec *rs = lt_protocol_randomisation(t->protocol);
    const char *method = rs->method == LT_RANDOMISE_PERMUTED_BLOCKS ? "permuted_blocks"
                         : rs->method == LT_RANDOMISE_MINIMISATION  ? "minimisation"
                                                                    : "none";
    lt_buf body = LT_BUF_INIT;
    list_ctx c = {&body, json, 0};
    if (json) {
        lt_buf_puts(out, "{\"protocol\":");
        lt_buf_json_str(out, lt_protocol_id(t->protocol));
        lt_buf_puts(out, ",\"name\":");
        lt_buf_json_str(out, lt_protocol_name(t->protocol));
        lt_buf_puts(out, ",\"version\":");
        lt_buf_json_str(out, t->protocol_version);
        lt_buf_puts(out, ",\"versions\":[");
        for (size_t i = 0; i < t->nversions; i++) {
            lt_buf_puts(out, i ? ",{\"version\":" : "{\"version\":");
            lt_buf_json_str(out, t->versions[i].version);
            lt_buf_puts(out, ",\"effective\":");
            lt__json_date(out, t->versions[i].effective);
            lt_buf_puts(out, ",\"consent_form\":");
            lt_buf_json_str(out, t->versions[i].consent_form);
            lt_buf_putc(out, '}');
        }
        lt_buf_putc(out, ']');
        lt_buf_printf(out, ",\"randomisation\":\"%s\",\"seed\":\"%s\",\"schema\":%d,"
                           "\"patients\":%lld,\"allocations\":%lld,\"sites\":[",
                      method, t->seed_kind, lt_store_schema_version(t->st), (long long)npat,
                      (long long)nalloc);
        rc = lt_store_each(t->st, "site", NULL, list_site, &c, err);
        lt_buf_puts(&body, "],\"users\":[");
        c.n = 0;
        if (rc == LT_OK) rc = lt_store_each(t->st, "user", NULL, list_site, &c, err);
        lt_buf_puts(&body, "]}\n");
    } else {
        lt_buf_printf(out, "%s (%s), protocol version %s, randomisation %s\n",
                      lt_protocol_name(t->protocol), lt_protocol_id(t->protocol),
                      t->protocol_version, method);
        for (size_t i = 1; i < t->nversions; i++) {
            char e[LT_DATE_STR_MAX];
            lt_buf_printf(out, "amended: version %s in force from %s (consent form %s)\n",
                          t->versions[i].version, lt_date_format(t->versions[i].effective, e),
                          t->versions[i].consent_form ? t->versions[i].consent_form : "-");
        }
        lt_buf_printf(out, "%lld patients, %lld allocations; schema version %d\n",
                      (long long)npat, (long long)nalloc, lt_store_schema_version(t->st));
        lt_buf_printf(out, "randomisation seed: %s\n",
                      !strcmp(t->seed_kind, "sealed")     ? "sealed under the trial's key file"
                      : !strcmp(t->seed_kind, "supplied") ? "supplied at creation, not secret"
                                                          : "in the clear in the database (a trial "
                                                            "created before seeds were sealed)");
        rc = lt_store_each(t->st, "site", NULL, list_site, &c, err);
        if (rc == LT_OK) rc = lt_store_each(t->st, "user", NULL, list_site, &c, err);
    }
    if (rc == LT_OK) lt_buf_puts(out, lt_buf_str(&body));
    lt_buf_free(&body);
    return rc;
}
