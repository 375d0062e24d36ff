/* The trial as a whole: creating it from a protocol file (the protocol text, a secret seed and
 * the first admin user go in one transaction), opening it as a named user, sites and users. */
#include <sodium.h>
#include <stdio.h>
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

static void remove_db(const char *db)
{
    char path[4096];
    remove(db);
    snprintf(path, sizeof path, "%s-wal", db);
    remove(path);
    snprintf(path, sizeof path, "%s-shm", db);
    remove(path);
}

static void user_json(lt_buf *b, const char *name, lt_role role, const char *const *sites,
                      size_t nsites)
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
    lt_buf_puts(b, "],\"active\":true}");
}

lt_status lt_trial_create(const char *db, const char *protocol_path, const char *version,
                          const char *admin, lt_error *err)
{
    return lt_trial_create_seeded(db, protocol_path, version, admin, NULL, err);
}

lt_status lt_trial_create_seeded(const char *db, const char *protocol_path, const char *version,
                                 const char *admin, const unsigned char given[LT_STORE_SEED_BYTES],
                                 lt_error *err)
{
    if (!id_ok(admin))
        LT_FAIL(err, LT_EINVAL, "--user",
                "expected a user name of letters, digits, '-', '_', '.', '@', found '%s'",
                admin ? admin : "");
    if (access(db, F_OK) == 0)
        LT_FAIL(err, LT_ECONFLICT, db, "a file already exists here: a trial is created in a new "
                                       "database file");
    lt_protocol *p = NULL;
    lt_status rc = lt_protocol_load(protocol_path, version, &p, err);
    if (rc != LT_OK) return rc;
    char *text = NULL;
    size_t len = 0;
    rc = lt_file_read(protocol_path, &text, &len, err);
    if (rc != LT_OK) {
        lt_protocol_free(p);
        return rc;
    }
    unsigned char seed[LT_STORE_SEED_BYTES], h[crypto_hash_sha256_BYTES];
    char seed_hash[LT_STORE_HASH_HEX], text_hash[LT_STORE_HASH_HEX], at[LT_TIME_STR_MAX];
    if (given)
        memcpy(seed, given, sizeof seed);
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
    lt_buf_puts(&doc, ",\"text\":");
    lt_buf_json_str(&doc, text);
    lt_buf_putc(&doc, '}');
    const char *all[] = {"*"};
    user_json(&udoc, admin, LT_ROLE_ADMIN, all, 1);
    free(text);
    lt_protocol_free(p);
    if (lt_buf_failed(&doc) || lt_buf_failed(&udoc)) {
        lt_buf_free(&doc);
        lt_buf_free(&udoc);
        sodium_memzero(seed, sizeof seed);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }

    lt_store *st = NULL;
    rc = lt_store_open(db, LT_STORE_CREATE, &st, err);
    if (rc == LT_OK) rc = lt_store_begin(st, err);
    if (rc == LT_OK) rc = lt_store_seed_set(st, seed, err);
    lt_actor who = {admin, lt_role_name(LT_ROLE_ADMIN)};
    if (rc == LT_OK) {
        lt_record r = {.kind = TRIAL_KIND, .id = TRIAL_ID, .data = lt_buf_str(&doc)};
        rc = lt_store_put(st, &r, 0, &who, "trial.create", "", NULL, err);
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
    /* nothing half-made stays behind: the file did not exist before */
    if (rc != LT_OK && created) remove_db(db);
    return rc;
}

void lt_trial_close(lt_trial *t)
{
    if (!t) return;
    lt_store_close(t->st);
    lt_protocol_free(t->protocol);
    lt_randomiser_free(t->rand);
    free(t->protocol_version);
    free(t->user);
    for (size_t i = 0; i < t->nsites; i++) free(t->sites[i]);
    free(t->sites);
    free(t);
}

lt_status lt_trial_open(const char *db, const char *user, lt_trial **out, lt_error *err)
{
    if (!user || !*user)
        LT_FAIL(err, LT_EINVAL, "--user", "no acting user: give --user NAME or set LUTETIA_USER");
    lt_trial *t = calloc(1, sizeof *t);
    if (!t) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    lt_record *tr = NULL, *ur = NULL;
    lt_json *tj = NULL, *uj = NULL;
    lt_status rc = lt_store_open(db, LT_STORE_OPEN, &t->st, err);
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
        if (!text || !version)
            rc = lt_error_set(err, LT_ECORRUPT, db, "the trial record has no protocol text");
        else
            rc = lt_protocol_parse(text, strlen(text), source, version, &t->protocol, err);
        if (rc == LT_OK && !(t->protocol_version = strdup(version)))
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
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
        if (!lt_role_parse(lt_json_get_str(uj, "role", NULL), &t->role))
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

const lt_protocol *lt_trial_protocol(const lt_trial *t) { return t->protocol; }
lt_store *lt_trial_store(lt_trial *t) { return t->st; }
const char *lt_trial_user(const lt_trial *t) { return t->user; }
lt_role lt_trial_role(const lt_trial *t) { return t->role; }

/* Compares the stored seed with a commitment (the hex SHA-256 recorded at creation). */
static lt_status seed_matches(lt_store *st, const char *commitment, lt_error *err)
{
    unsigned char seed[LT_STORE_SEED_BYTES];
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[LT_STORE_HASH_HEX];
    lt_status rc = lt_store_seed_get(st, seed, err);
    if (rc != LT_OK) return rc;
    crypto_hash_sha256(h, seed, sizeof seed);
    sodium_memzero(seed, sizeof seed);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    if (strcmp(hex, commitment) != 0)
        LT_FAIL(err, LT_ECORRUPT, "seed",
                "the stored randomisation seed does not match the commitment made when the "
                "trial was created: it was replaced");
    return LT_OK;
}

lt_status lt_trial_verify_seed(lt_store *st, lt_error *err)
{
    lt_record *tr = NULL;
    lt_json *tj = NULL;
    lt_status rc = lt_store_get(st, TRIAL_KIND, TRIAL_ID, &tr, err);
    if (rc == LT_ENOTFOUND)
        rc = lt_error_set(err, LT_ECORRUPT, "trial", "the database holds no trial record");
    if (rc == LT_OK) rc = lt_json_parse(tr->data, strlen(tr->data), "trial record", &tj, err);
    if (rc == LT_OK) rc = seed_matches(st, lt_json_get_str(tj, "seed_sha256", ""), err);
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
        lt_status rc = seed_matches(t->st, t->seed_sha256, err);
        if (rc == LT_OK) rc = lt_store_seed_get(t->st, seed, err);
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
    lt_buf doc = LT_BUF_INIT;
    user_json(&doc, name, role, sites, nsites);
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
                lt_buf_printf(c->out, "  user %-16s %-17s", r->id, lt_json_get_str(j, "role", ""));
                const lt_json *s = lt_json_get(j, "sites");
                for (size_t i = 0; i < lt_json_size(s); i++)
                    lt_buf_printf(c->out, "%s%s", i ? "," : "", lt_json_str(lt_json_at(s, i)));
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
        lt_buf_printf(out, ",\"randomisation\":\"%s\",\"schema\":%d,\"patients\":%lld,"
                           "\"allocations\":%lld,\"sites\":[",
                      method, lt_store_schema_version(t->st), (long long)npat,
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
        lt_buf_printf(out, "%lld patients, %lld allocations; schema version %d\n",
                      (long long)npat, (long long)nalloc, lt_store_schema_version(t->st));
        rc = lt_store_each(t->st, "site", NULL, list_site, &c, err);
        if (rc == LT_OK) rc = lt_store_each(t->st, "user", NULL, list_site, &c, err);
    }
    if (rc == LT_OK) lt_buf_puts(out, lt_buf_str(&body));
    lt_buf_free(&body);
    return rc;
}
