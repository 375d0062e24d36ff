/* The store's common part: choosing an implementation by location, writing a record together
 * with its one audit record (hash-chained with SHA-256), and verifying the whole trail against
 * the records. Implementation-specific work goes through the operations in store_impl.h. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lutetia/date.h"
#include "lutetia/json.h"
#include "store_impl.h"

static const char zero_hash[LT_STORE_HASH_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

bool lt__store_is_pg(const char *location)
{
    return location &&
           (!strncmp(location, "postgres://", 11) || !strncmp(location, "postgresql://", 13));
}

int lt__store_busy_ms(void)
{
    const char *env = getenv("LUTETIA_BUSY_TIMEOUT_MS");
    char *end;
    if (env && *env) {
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v >= 0 && v <= 600000) return (int)v;
    }
    return LT_STORE_BUSY_MS;
}

lt_status lt_store_open(const char *location, lt_store_mode mode, lt_store **out, lt_error *err)
{
    if (!location || !*location) LT_FAIL(err, LT_EINVAL, "", "no database location given");
    if (sodium_init() < 0) LT_FAIL(err, LT_ESTORE, location, "libsodium failed to initialise");
    if (lt__store_is_pg(location))
        return lt__pg_open(location, mode, -1, lt__store_busy_ms(), out, err);
    return lt__sqlite_open(location, mode, -1, out, err);
}

static void step_reset(lt_store *st);
static lt_status check_lock(lt_store *st, const char *kind, lt_error *err);

void lt_store_close(lt_store *st)
{
    if (!st) return;
    if (st->in_tx) st->ops->rollback(st->impl);
    step_reset(st);
    st->ops->close(st->impl);
    free(st);
}

void lt_store_pool(int max_idle) { lt__pg_pool(max_idle); }

void lt_store_remove_files(const char *path)
{
    char side[4096 + 8];
    unlink(path);
    if (strlen(path) >= 4096) return; /* no such path on Linux (PATH_MAX) */
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int lt_store_schema_version(const lt_store *st) { return st->ops->schema_version(st->impl); }
/* Both implementations number their schemas alike (a version means the same tables on both). */
int lt_store_schema_latest(void) { return lt__sqlite_latest(); }

/* ---- a patient's step whose audit records are appended at the commit ---- */

/* Whether st is in a patient's step that appends its audit records at the commit: PostgreSQL,
 * at a schema with the audit's form and key (older ones only exist in tests). */
static bool deferred(const lt_store *st)
{
    return st->scoped && st->ops->append_commit && st->ops->schema_version(st->impl) >= 3;
}

static void pend_free(lt_audit_record *a)
{
    free((char *)a->at), free((char *)a->user), free((char *)a->role), free((char *)a->site);
    free((char *)a->action), free((char *)a->entity), free((char *)a->entity_id);
    free((char *)a->patient), free((char *)a->old_value), free((char *)a->new_value);
    free((char *)a->reason), free((char *)a->prev_hash), free((char *)a->hash);
    free((char *)a->key);
}

/* Forgets what the step kept: at every begin and end of a transaction. */
static void step_reset(lt_store *st)
{
    for (size_t i = 0; i < st->npend; i++) pend_free(&st->pend[i]);
    free(st->pend);
    st->pend = NULL;
    st->npend = st->cappend = 0;
    for (size_t i = 0; i < st->nseen; i++) lt_record_free(st->seen[i]);
    st->nseen = 0;
    lt_record_free(st->lock_rec);
    st->lock_rec = NULL;
    st->lock_state = 0;
}

static lt_record *record_dup(const lt_record *r)
{
    return lt__record_copy(r->kind, r->id, r->site, r->patient, r->key, r->data, r->rev,
                           r->audit_seq);
}

/* The step's copy of kind/id, or NULL. */
static const lt_record *seen_find(const lt_store *st, const char *kind, const char *id)
{
    for (size_t i = 0; i < st->nseen; i++)
        if (!strcmp(st->seen[i]->kind, kind) && !strcmp(st->seen[i]->id, id)) return st->seen[i];
    return NULL;
}

/* Keeps a copy of r (replacing an older one of the same record; the oldest goes when full).
 * Out of memory only means the next write reads the record again. */
static void seen_keep(lt_store *st, const lt_record *r)
{
    lt_record *c = record_dup(r);
    if (!c) return;
    size_t n = sizeof st->seen / sizeof st->seen[0];
    for (size_t i = 0; i < st->nseen; i++)
        if (!strcmp(st->seen[i]->kind, r->kind) && !strcmp(st->seen[i]->id, r->id)) {
            lt_record_free(st->seen[i]);
            st->seen[i] = c;
            return;
        }
    if (st->nseen == n) {
        lt_record_free(st->seen[0]);
        memmove(st->seen, st->seen + 1, (n - 1) * sizeof st->seen[0]);
        st->nseen--;
    }
    st->seen[st->nseen++] = c;
}

lt_status lt_store_begin(lt_store *st, lt_error *err)
{
    if (st->in_tx) LT_FAIL(err, LT_EINVAL, "", "a transaction is already open");
    lt_status rc = st->ops->begin(st->impl, err);
    if (rc == LT_OK) st->in_tx = true;
    st->scoped = st->chain_locked = st->wrote = false;
    step_reset(st);
    return rc;
}

lt_status lt_store_begin_patient(lt_store *st, const char *patient, lt_error *err)
{
    /* without a patient the caller's own check refuses the step: as any writer until then */
    if (!st->ops->begin_patient || !patient || !*patient) return lt_store_begin(st, err);
    if (st->in_tx) LT_FAIL(err, LT_EINVAL, "", "a transaction is already open");
    lt_status rc = st->ops->begin_patient(st->impl, patient, err);
    if (rc == LT_OK) st->in_tx = st->scoped = true;
    st->chain_locked = st->wrote = false;
    step_reset(st);
    return rc;
}

lt_status lt_store_lock(lt_store *st, const char *name, lt_error *err)
{
    if (!st->in_tx) LT_FAIL(err, LT_EINVAL, "", "lt_store_lock runs inside a transaction");
    /* Lock order patient, named, chain everywhere: a named lock wanted while holding the
     * chain could wait for a step that waits for the chain. Checked on every store, so that a
     * caller in the wrong order is found by the SQLite tests too. */
    if (st->wrote || st->chain_locked)
        LT_FAIL(err, LT_EINVAL, name, "the %s lock is taken before the step's first write", name);
    if (!st->scoped) return LT_OK; /* the transaction runs alone already */
    /* the data lock is read before the wait, not inside what the name serialises */
    if (deferred(st) && st->lock_state == 0) {
        lt_status rc = check_lock(st, "", err);
        if (rc != LT_OK && rc != LT_ESTATE) return rc;
        if (rc == LT_ESTATE && err) lt_error_clear(err); /* the write says it, for its kind */
    }
    return st->ops->lock_named(st->impl, name, err);
}

/* The audit chain, taken by a patient's step at its first write and held to its commit, so
 * that the chain has one head and each writer appends after the last one committed. */
static lt_status chain_lock(lt_store *st, lt_error *err)
{
    if (!st->scoped || st->chain_locked) return LT_OK;
    lt_status rc = st->ops->lock_chain(st->impl, err);
    if (rc == LT_OK) st->chain_locked = true;
    return rc;
}

static lt_status commit_step(lt_store *st, lt_error *err);

lt_status lt_store_commit(lt_store *st, lt_error *err)
{
    if (!st->in_tx) LT_FAIL(err, LT_EINVAL, "", "no transaction is open");
    lt_status rc = st->npend ? commit_step(st, err) : st->ops->commit(st->impl, err);
    step_reset(st);
    /* A failed COMMIT has been rolled back by the implementation: nothing half-done stays. */
    st->in_tx = st->scoped = st->chain_locked = st->wrote = false;
    return rc;
}

void lt_store_rollback(lt_store *st)
{
    if (!st || !st->in_tx) return;
    st->ops->rollback(st->impl);
    step_reset(st);
    st->in_tx = st->scoped = st->chain_locked = st->wrote = false;
}

lt_record *lt__record_copy(const char *kind, const char *id, const char *site,
                           const char *patient, const char *key, const char *data, int64_t rev,
                           int64_t audit_seq)
{
    const char *src[6] = {kind, id, site, patient, key, data};
    size_t len[6], total = sizeof(lt_record);
    for (int i = 0; i < 6; i++) {
        len[i] = src[i] ? strlen(src[i]) + 1 : 0;
        total += len[i];
    }
    lt_record *r = malloc(total);
    if (!r) return NULL;
    char *p = (char *)(r + 1);
    const char *dst[6];
    for (int i = 0; i < 6; i++) {
        if (!src[i]) {
            dst[i] = NULL;
            continue;
        }
        memcpy(p, src[i], len[i]);
        dst[i] = p;
        p += len[i];
    }
    r->kind = dst[0];
    r->id = dst[1];
    r->site = dst[2];
    r->patient = dst[3];
    r->key = dst[4];
    r->data = dst[5];
    r->rev = rev;
    r->audit_seq = audit_seq;
    return r;
}

void lt_record_free(lt_record *r) { free(r); }

lt_status lt_store_get(lt_store *st, const char *kind, const char *id, lt_record **out,
                       lt_error *err)
{
    if (!deferred(st)) return st->ops->get(st->impl, kind, id, out, err);
    const lt_record *r = kind && id ? seen_find(st, kind, id) : NULL;
    if (r) {
        *out = record_dup(r);
        if (!*out) LT_FAIL(err, LT_ENOMEM, "", "out of memory reading a record");
        return LT_OK;
    }
    lt_status rc = st->ops->get(st->impl, kind, id, out, err);
    if (rc == LT_OK) seen_keep(st, *out);
    return rc;
}

lt_status lt__store_data_version(lt_store *st, int64_t *out, lt_error *err)
{
    if (!st->ops->data_version) LT_FAIL(err, LT_EUNSUPPORTED, "", "this store keeps no change stamp");
    return st->ops->data_version(st->impl, out, err);
}

lt_status lt_store_each(lt_store *st, const char *kind, const lt_record_filter *f,
                        lt_record_fn fn, void *ctx, lt_error *err)
{
    if (!kind) LT_FAIL(err, LT_EINVAL, "", "lt_store_each needs a record kind");
    return st->ops->each(st->impl, kind, f, fn, ctx, err);
}

lt_status lt_store_each_all(lt_store *st, lt_record_fn fn, void *ctx, lt_error *err)
{
    return st->ops->each(st->impl, NULL, NULL, fn, ctx, err);
}

lt_status lt_store_last_by_key(lt_store *st, const char *kind, const char *key,
                               lt_record **out, lt_error *err)
{
    return st->ops->last_by_key(st->impl, kind, key, out, err);
}

lt_status lt_store_defer_sync(lt_store *st, lt_error *err)
{
    return st->ops->defer_sync ? st->ops->defer_sync(st->impl, err) : LT_OK;
}

lt_status lt_store_sync(lt_store *st, lt_error *err)
{
    return st->ops->sync ? st->ops->sync(st->impl, err) : LT_OK;
}

lt_status lt_store_first_of_patient(lt_store *st, const char *kind, const char *patient,
                                   const char *key, lt_record **out, lt_error *err)
{
    return st->ops->first_of_patient(st->impl, kind, patient, key, out, err);
}

lt_status lt_store_stamp(lt_store *st, const char *kind, const char *id, int64_t *n,
                         int64_t *last, lt_error *err)
{
    return st->ops->stamp(st->impl, kind, id, n, last, err);
}

lt_status lt_store_count(lt_store *st, const char *kind, const char *key, int64_t *out,
                         lt_error *err)
{
    return st->ops->count(st->impl, kind, key, out, err);
}

lt_status lt_store_seed_set(lt_store *st, const unsigned char seed[LT_STORE_SEED_BYTES],
                            lt_error *err)
{
    if (!st->in_tx) LT_FAIL(err, LT_EINVAL, "", "the seed is set inside a transaction");
    lt_status rc = chain_lock(st, err);
    if (rc != LT_OK) return rc;
    return st->ops->seed_set(st->impl, seed, err);
}

lt_status lt_store_seed_get(lt_store *st, unsigned char seed[LT_STORE_SEED_BYTES],
                            lt_error *err)
{
    return st->ops->seed_get(st->impl, seed, err);
}

lt_status lt_store_sealed_seed_set(lt_store *st,
                                   const unsigned char box[LT_STORE_SEALED_SEED_BYTES],
                                   lt_error *err)
{
    if (!st->in_tx) LT_FAIL(err, LT_EINVAL, "", "the seed is set inside a transaction");
    lt_status rc = chain_lock(st, err);
    if (rc != LT_OK) return rc;
    return st->ops->sealed_seed_set(st->impl, box, err);
}

lt_status lt_store_sealed_seed_get(lt_store *st, unsigned char box[LT_STORE_SEALED_SEED_BYTES],
                                   lt_error *err)
{
    return st->ops->sealed_seed_get(st->impl, box, err);
}

/* The hashed form of a record: a JSON array of every field in a fixed order, so that two
 * fields cannot run into each other ("ab","c" vs "a","bc") and the form is easy to re-derive
 * by an outside auditor with any JSON tool and sha256sum. Form 2 appends the record's key (a
 * string, or null): records written before it keep their 13 fields and their hashes, and the
 * two forms cannot be confused because the arrays differ in length. */
static void audit_canonical(const lt_audit_record *a, lt_buf *b)
{
    lt_buf_printf(b, "[%lld,", (long long)a->seq);
    const char *fields[] = {a->at,        a->user,      a->role,      a->site,
                            a->action,    a->entity,    a->entity_id, a->patient,
                            a->old_value, a->new_value, a->reason,    a->prev_hash};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (i) lt_buf_putc(b, ',');
        lt_buf_json_str(b, fields[i] ? fields[i] : "");
    }
    if (a->form >= 2) {
        lt_buf_putc(b, ',');
        if (a->key)
            lt_buf_json_str(b, a->key);
        else
            lt_buf_puts(b, "null");
    }
    lt_buf_putc(b, ']');
}

/* false when memory ran out building the canonical form: the caller must not store (nor
 * compare) the placeholder, or an out-of-memory would commit a record whose hash can never
 * verify, or make verification report an intact record as edited. */
static bool audit_hash(const lt_audit_record *a, char hex[LT_STORE_HASH_HEX])
{
    lt_buf b = LT_BUF_INIT;
    audit_canonical(a, &b);
    unsigned char h[crypto_hash_sha256_BYTES];
    bool ok = !lt_buf_failed(&b);
    if (!ok) {
        /* Cannot hash what could not be built: an all-'x' value never matches a real hash. */
        memset(hex, 'x', LT_STORE_HASH_HEX - 1);
        hex[LT_STORE_HASH_HEX - 1] = '\0';
    } else {
        crypto_hash_sha256(h, (const unsigned char *)lt_buf_str(&b), b.n);
        sodium_bin2hex(hex, LT_STORE_HASH_HEX, h, sizeof h);
    }
    lt_buf_free(&b);
    return ok;
}

void lt_audit_hash(const lt_audit_record *a, char hex[LT_STORE_HASH_HEX]) { audit_hash(a, hex); }

void lt_audit_record_json(const lt_audit_record *a, lt_buf *b)
{
    lt_buf_printf(b, "{\"seq\":%lld,\"at\":", (long long)a->seq);
    lt_buf_json_str(b, a->at);
    const char *names[] = {"user",   "role",   "site",      "action", "entity",
                           "id",     "patient"};
    const char *vals[] = {a->user, a->role, a->site, a->action, a->entity, a->entity_id,
                          a->patient};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        lt_buf_printf(b, ",\"%s\":", names[i]);
        lt_buf_json_str(b, vals[i]);
    }
    /* old and new are JSON documents already: embed them, not their text */
    lt_buf_printf(b, ",\"old\":%s,\"new\":%s,\"reason\":", a->old_value, a->new_value);
    lt_buf_json_str(b, a->reason);
    if (a->form >= 2) {
        lt_buf_puts(b, ",\"key\":");
        if (a->key)
            lt_buf_json_str(b, a->key);
        else
            lt_buf_puts(b, "null");
    }
    lt_buf_puts(b, ",\"prev_hash\":");
    lt_buf_json_str(b, a->prev_hash);
    lt_buf_puts(b, ",\"hash\":");
    lt_buf_json_str(b, a->hash);
    lt_buf_putc(b, '}');
}

/* The data lock before analysis (src/sign/, docs/part11.md): once the record lock/trial holds
 * "locked": true, a record can be written only when its kind is one the lock lists in
 * "open_kinds" (who may sign in: users, passwords, sessions, tokens, failed sign-ins). The
 * check is here, where every write passes, so that no operation added later can forget it. */
static lt_status check_lock_rec(const lt_record *l, const char *kind, lt_error *err)
{
    lt_json *j = NULL;
    lt_status rc = lt_json_parse(l->data, strlen(l->data), "lock", &j, err);
    bool locked = false, open = false;
    if (rc == LT_OK) lt_json_bool(lt_json_get(j, "locked"), &locked);
    const lt_json *kinds = lt_json_get(j, "open_kinds");
    for (size_t i = 0; i < lt_json_size(kinds); i++)
        if (!strcmp(lt_json_str(lt_json_at(kinds, i)) ? lt_json_str(lt_json_at(kinds, i)) : "",
                    kind))
            open = true;
    if (rc == LT_OK && locked && !open)
        rc = lt_error_set(err, LT_ESTATE, kind,
                          "the trial's data were locked for analysis on %s by %s (signature "
                          "%s): %s records can no longer be changed",
                          lt_json_get_str(j, "locked_at", "?"), lt_json_get_str(j, "locked_by", "?"),
                          lt_json_get_str(j, "signature", "?"), kind);
    lt_json_free(j);
    return rc;
}

static lt_status check_lock(lt_store *st, const char *kind, lt_error *err)
{
    /* a patient's step reads the lock once: only a whole-trial writer, which never runs beside
     * a step, changes it */
    if (deferred(st) && st->lock_state == 1) return LT_OK;
    if (deferred(st) && st->lock_state == 2) return check_lock_rec(st->lock_rec, kind, err);
    lt_record *l = NULL;
    lt_status rc = st->ops->get(st->impl, "lock", "trial", &l, err);
    if (rc == LT_ENOTFOUND) {
        if (err) lt_error_clear(err);
        if (deferred(st)) st->lock_state = 1;
        return LT_OK;
    }
    if (rc != LT_OK) return rc;
    rc = check_lock_rec(l, kind, err);
    if (deferred(st)) {
        st->lock_rec = l;
        st->lock_state = 2;
    } else {
        lt_record_free(l);
    }
    return rc;
}

static char *dup_opt(const char *s) { return s ? strdup(s) : NULL; }

/* lt_store_put in a patient's step: the checks and the record's write now, under the patient's
 * lock; the audit record kept for the commit (commit_step), where the chain is taken. A record
 * the step has read is not read again; a new one (expect_rev 0) is not read first: its insert
 * fails if it exists after all. */
static lt_status put_step(lt_store *st, const lt_record *rec, int64_t expect_rev,
                          const lt_actor *who, const char *action, const char *reason,
                          int64_t *rev_out, lt_error *err)
{
    lt_status rc = check_lock(st, rec->kind, err);
    if (rc != LT_OK) return rc;
    st->wrote = true;
    if (st->npend == st->cappend) {
        size_t cap = st->cappend ? 2 * st->cappend : 4;
        lt_audit_record *p = realloc(st->pend, cap * sizeof *p);
        if (!p) LT_FAIL(err, LT_ENOMEM, rec->id, "out of memory");
        st->pend = p;
        st->cappend = cap;
    }
    const lt_record *known = seen_find(st, rec->kind, rec->id);
    lt_record *old = NULL;
    if (!known && expect_rev != 0) {
        rc = st->ops->get(st->impl, rec->kind, rec->id, &old, err);
        if (rc != LT_OK && rc != LT_ENOTFOUND) return rc;
        if (rc == LT_ENOTFOUND && err) lt_error_clear(err);
        known = old;
    }
    int64_t have = known ? known->rev : 0;
    if (expect_rev >= 0 && have != expect_rev) {
        lt_record_free(old);
        if (expect_rev == 0)
            LT_FAIL(err, LT_ECONFLICT, rec->id, "%s '%s' already exists", rec->kind, rec->id);
        LT_FAIL(err, LT_ECONFLICT, rec->id,
                "%s '%s' was changed meanwhile (revision %lld, expected %lld): read it again",
                rec->kind, rec->id, (long long)have, (long long)expect_rev);
    }
    lt_audit_record *a = &st->pend[st->npend];
    memset(a, 0, sizeof *a);
    a->user = strdup(who->user);
    a->role = strdup(who->role);
    a->site = strdup(rec->site ? rec->site : "");
    a->action = strdup(action);
    a->entity = strdup(rec->kind);
    a->entity_id = strdup(rec->id);
    a->patient = strdup(rec->patient ? rec->patient : "");
    a->old_value = strdup(known ? known->data : "null");
    a->new_value = strdup(rec->data);
    a->reason = strdup(reason ? reason : "");
    a->key = dup_opt(rec->key);
    a->form = LT_AUDIT_FORM;
    lt_record_free(old);
    if (!a->user || !a->role || !a->site || !a->action || !a->entity || !a->entity_id ||
        !a->patient || !a->old_value || !a->new_value || !a->reason || (rec->key && !a->key)) {
        pend_free(a);
        LT_FAIL(err, LT_ENOMEM, rec->id, "out of memory");
    }
    lt_record w = *rec;
    w.rev = have + 1;
    w.audit_seq = 0;
    rc = st->ops->write_provisional(st->impl, &w, err);
    if (rc == LT_ECONFLICT && have == 0)
        rc = lt_error_set(err, LT_ECONFLICT, rec->id, "%s '%s' already exists", rec->kind,
                          rec->id);
    if (rc != LT_OK) {
        pend_free(a);
        return rc;
    }
    st->npend++;
    seen_keep(st, &w);
    if (!strcmp(rec->kind, "lock")) { /* read again for the next write */
        lt_record_free(st->lock_rec);
        st->lock_rec = NULL;
        st->lock_state = 0;
    }
    if (rev_out) *rev_out = w.rev;
    return LT_OK;
}

/* The commit of a patient's step that wrote: the chain taken and its head read in one round
 * trip, the step's audit records chained after it, appended and committed in another. */
static lt_status commit_step(lt_store *st, lt_error *err)
{
    int64_t seq;
    char prev[LT_STORE_HASH_HEX], at[LT_TIME_STR_MAX], last_at[LT_TIME_STR_MAX];
    lt_status rc = st->ops->chain_head(st->impl, &seq, prev, last_at, err);
    if (rc != LT_OK) {
        st->ops->rollback(st->impl);
        return rc;
    }
    /* time in the trail never goes back (as lt_store_put) */
    lt_time_format(lt_time_now(), at);
    if (strcmp(at, last_at) < 0) memcpy(at, last_at, sizeof at);
    for (size_t i = 0; i < st->npend; i++) {
        lt_audit_record *a = &st->pend[i];
        char *h = malloc(LT_STORE_HASH_HEX);
        a->seq = seq + 1 + (int64_t)i;
        a->at = strdup(at);
        a->prev_hash = strdup(i ? st->pend[i - 1].hash : prev);
        a->hash = h;
        if (!h || !a->at || !a->prev_hash || !audit_hash(a, h)) {
            st->ops->rollback(st->impl);
            LT_FAIL(err, LT_ENOMEM, a->entity_id, "out of memory hashing the audit record");
        }
    }
    return st->ops->append_commit(st->impl, st->pend, st->npend, err);
}

lt_status lt_store_put(lt_store *st, const lt_record *rec, int64_t expect_rev,
                       const lt_actor *who, const char *action, const char *reason,
                       int64_t *rev_out, lt_error *err)
{
    if (!st->in_tx) LT_FAIL(err, LT_EINVAL, "", "lt_store_put runs inside a transaction");
    if (!rec->kind || !*rec->kind || !rec->id || !*rec->id || !rec->data)
        LT_FAIL(err, LT_EINVAL, "", "a record needs a kind, an id and a document");
    if (!who || !who->user || !who->role || !action)
        LT_FAIL(err, LT_EINVAL, "", "a change needs a user, a role and an action");
    if (deferred(st)) return put_step(st, rec, expect_rev, who, action, reason, rev_out, err);
    lt_status rc = chain_lock(st, err);
    if (rc != LT_OK) return rc;
    st->wrote = true;
    rc = check_lock(st, rec->kind, err);
    if (rc != LT_OK) return rc;
    lt_record *old = NULL;
    rc = st->ops->get(st->impl, rec->kind, rec->id, &old, err);
    if (rc != LT_OK && rc != LT_ENOTFOUND) return rc;
    int64_t have = old ? old->rev : 0;
    if (expect_rev >= 0 && have != expect_rev) {
        lt_record_free(old);
        if (expect_rev == 0)
            LT_FAIL(err, LT_ECONFLICT, rec->id, "%s '%s' already exists", rec->kind, rec->id);
        LT_FAIL(err, LT_ECONFLICT, rec->id,
                "%s '%s' was changed meanwhile (revision %lld, expected %lld): read it again",
                rec->kind, rec->id, (long long)have, (long long)expect_rev);
    }
    int64_t seq;
    char prev[LT_STORE_HASH_HEX], hash[LT_STORE_HASH_HEX], at[LT_TIME_STR_MAX],
        last_at[LT_TIME_STR_MAX];
    rc = st->ops->audit_last(st->impl, &seq, prev, last_at, err);
    if (rc != LT_OK) {
        lt_record_free(old);
        return rc;
    }
    /* Time in the trail never goes back, so that verification can require it: a clock stepped
     * back (NTP, a VM restored) stamps the previous record's time instead. */
    lt_time_format(lt_time_now(), at);
    if (strcmp(at, last_at) < 0) memcpy(at, last_at, sizeof at);
    lt_audit_record a = {
        .seq = seq + 1,
        .at = at,
        .user = who->user,
        .role = who->role,
        .site = rec->site ? rec->site : "",
        .action = action,
        .entity = rec->kind,
        .entity_id = rec->id,
        .patient = rec->patient ? rec->patient : "",
        .old_value = old ? old->data : "null",
        .new_value = rec->data,
        .reason = reason ? reason : "",
        .prev_hash = prev,
        .hash = hash,
        /* a store kept at an older schema (only tests do that) has no key column yet */
        .form = st->ops->schema_version(st->impl) >= 3 ? LT_AUDIT_FORM : 1,
        .key = rec->key,
    };
    if (!audit_hash(&a, hash)) {
        lt_record_free(old);
        LT_FAIL(err, LT_ENOMEM, rec->id, "out of memory hashing the audit record");
    }
    rc = st->ops->audit_append(st->impl, &a, err);
    lt_record_free(old);
    if (rc != LT_OK) return rc;
    lt_record w = *rec;
    w.rev = have + 1;
    rc = st->ops->write(st->impl, &w, a.seq, err);
    if (rc == LT_OK && rev_out) *rev_out = w.rev;
    return rc;
}

lt_status lt_store_audit_each(lt_store *st, const lt_audit_filter *f, lt_audit_fn fn, void *ctx,
                              lt_error *err)
{
    return st->ops->audit_each(st->impl, f, fn, ctx, err);
}

/* ---- verification ---- */

/* The newest audit value of one record, as the trail says it should be. */
typedef struct expect {
    char *kind, *id, *site, *patient, *data;
    char *key;    /* NULL: none (or not recorded, when form is 1) */
    int form;
    int64_t seq;  /* the newest audit record of (kind, id) */
    int64_t nrev; /* how many audit records (kind, id) has: its rev */
} expect;

static void expect_free(expect *e)
{
    free(e->kind), free(e->id), free(e->site), free(e->patient), free(e->data), free(e->key);
}

typedef struct verify_ctx {
    int64_t n;
    char prev[LT_STORE_HASH_HEX];
    char at[LT_TIME_STR_MAX + 8]; /* the previous record's time */
    int form;                     /* the previous record's hashed form */
    expect *ex;
    size_t nex, cap;
    lt_error *err;
    lt_status rc;
} verify_ctx;

static int verify_fail(verify_ctx *v, lt_status st, const char *where, const char *fmt, ...)
    LT_PRINTF(4, 5);
static int verify_fail(verify_ctx *v, lt_status st, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lt_error_vset(v->err, st, where, fmt, ap);
    va_end(ap);
    v->rc = st;
    return 1;
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

static int verify_audit(const lt_audit_record *a, void *ctx)
{
    verify_ctx *v = ctx;
    char where[64], hash[LT_STORE_HASH_HEX];
    snprintf(where, sizeof where, "audit record %lld", (long long)a->seq);
    if (a->seq != v->n + 1) {
        if (a->seq > v->n + 1)
            return verify_fail(v, LT_ECORRUPT, where,
                               "the trail jumps from record %lld to %lld: record %lld was "
                               "deleted",
                               (long long)v->n, (long long)a->seq, (long long)v->n + 1);
        return verify_fail(v, LT_ECORRUPT, where, "sequence number out of order after %lld",
                           (long long)v->n);
    }
    if (strcmp(a->prev_hash, v->prev) != 0)
        return verify_fail(v, LT_ECORRUPT, where,
                           "previous-record hash %.12s... does not match record %lld's hash "
                           "%.12s...: a record was inserted, deleted or changed here",
                           a->prev_hash, (long long)v->n, v->prev);
    /* form 1 is what records from before schema 3 carry; a later record in the old form would
     * escape the key check */
    if (a->form != 1 && a->form != LT_AUDIT_FORM)
        return verify_fail(v, LT_ECORRUPT, where, "unknown hashed form %d", a->form);
    if (a->form < v->form)
        return verify_fail(v, LT_ECORRUPT, where,
                           "hashed in form %d after records in form %d: the record was "
                           "rewritten",
                           a->form, v->form);
    v->form = a->form;
    if (!audit_hash(a, hash))
        return verify_fail(v, LT_ENOMEM, where, "out of memory verifying the trail");
    if (strcmp(hash, a->hash) != 0)
        return verify_fail(v, LT_ECORRUPT, where,
                           "contents do not match its hash (stored %.12s..., computed "
                           "%.12s...): the record was edited (%s %s '%s')",
                           a->hash, hash, a->action, a->entity, a->entity_id);
    /* lt_store_put never stamps a time before the previous one: a record that goes back was
     * written or rewritten by something else */
    if (strcmp(a->at, v->at) < 0)
        return verify_fail(v, LT_ECORRUPT, where,
                           "time %s is before the previous record's %s: the trail was rewritten",
                           a->at, v->at);
    if (v->nex == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 256;
        expect *p = realloc(v->ex, cap * sizeof *p);
        if (!p) return verify_fail(v, LT_ENOMEM, "", "out of memory verifying the trail");
        v->ex = p;
        v->cap = cap;
    }
    expect *e = &v->ex[v->nex];
    e->kind = dup_or_empty(a->entity);
    e->id = dup_or_empty(a->entity_id);
    e->site = dup_or_empty(a->site);
    e->patient = dup_or_empty(a->patient);
    e->data = dup_or_empty(a->new_value);
    e->key = a->form >= 2 && a->key ? strdup(a->key) : NULL;
    e->form = a->form;
    e->seq = a->seq;
    e->nrev = 1;
    if (!e->kind || !e->id || !e->site || !e->patient || !e->data ||
        (a->form >= 2 && a->key && !e->key)) {
        expect_free(e);
        return verify_fail(v, LT_ENOMEM, "", "out of memory verifying the trail");
    }
    v->nex++;
    v->n = a->seq;
    snprintf(v->at, sizeof v->at, "%s", a->at);
    memcpy(v->prev, a->hash, LT_STORE_HASH_HEX);
    v->prev[LT_STORE_HASH_HEX - 1] = '\0';
    return 0;
}

static int expect_cmp(const void *x, const void *y)
{
    const expect *a = x, *b = y;
    int c = strcmp(a->kind, b->kind);
    if (!c) c = strcmp(a->id, b->id);
    if (!c) c = a->seq < b->seq ? -1 : a->seq > b->seq;
    return c;
}

typedef struct match_ctx {
    verify_ctx *v;
    size_t i; /* next expectation (deduplicated, sorted) */
} match_ctx;

static int kind_id_cmp(const expect *e, const lt_record *r)
{
    int c = strcmp(e->kind, r->kind);
    return c ? c : strcmp(e->id, r->id);
}

static int verify_record(const lt_record *r, void *ctx)
{
    match_ctx *m = ctx;
    verify_ctx *v = m->v;
    char where[256];
    snprintf(where, sizeof where, "%s '%s'", r->kind, r->id);
    if (m->i < v->nex && kind_id_cmp(&v->ex[m->i], r) < 0) {
        expect *e = &v->ex[m->i];
        return verify_fail(v, LT_ECORRUPT, e->kind,
                           "%s '%s' written by audit record %lld is missing from the records: "
                           "it was deleted behind the engine's back",
                           e->kind, e->id, (long long)e->seq);
    }
    if (m->i >= v->nex || kind_id_cmp(&v->ex[m->i], r) > 0)
        return verify_fail(v, LT_ECORRUPT, where,
                           "this record has no audit record: it was inserted behind the "
                           "engine's back");
    expect *e = &v->ex[m->i++];
    /* Every column a caller selects on or the engine orders by is checked: the allocation
     * code finds a stratum's last allocation by key and audit_seq, so an edited audit_seq or
     * key would make it reuse a block. */
    const char *column = NULL;
    if (strcmp(e->data, r->data) != 0)
        column = "data";
    else if (strcmp(e->site, r->site ? r->site : "") != 0)
        column = "site";
    else if (strcmp(e->patient, r->patient ? r->patient : "") != 0)
        column = "patient";
    else if (e->form >= 2 && (e->key || r->key) &&
             (!e->key || !r->key || strcmp(e->key, r->key) != 0))
        column = "key";
    else if (r->rev != e->nrev)
        column = "rev";
    else if (r->audit_seq != e->seq)
        column = "audit_seq";
    if (column)
        return verify_fail(v, LT_ECORRUPT, where,
                           "the stored record differs from what audit record %lld wrote (%s): "
                           "it was changed behind the engine's back",
                           (long long)e->seq, column);
    return 0;
}

lt_status lt_store_audit_verify(lt_store *st, int64_t *nrecords, char head[LT_STORE_HASH_HEX],
                                lt_error *err)
{
    verify_ctx v = {.err = err, .rc = LT_OK};
    memcpy(v.prev, zero_hash, sizeof zero_hash);
    /* The trail and the records are read in one snapshot: otherwise a change committed between
     * the two reads shows as a record without its audit record (seen under four writers).
     * Inside a caller's write transaction the snapshot is already fixed. */
    bool own_snapshot = !st->in_tx && !st->in_read;
    if (own_snapshot) {
        lt_status rc0 = st->ops->read_begin(st->impl, err);
        if (rc0 != LT_OK) return rc0;
    }
    lt_status rc = st->ops->audit_each(st->impl, NULL, verify_audit, &v, err);
    if (rc == LT_OK) rc = v.rc;
    if (rc == LT_OK) {
        /* keep only the newest audit value of each record, counting its writes */
        qsort(v.ex, v.nex, sizeof *v.ex, expect_cmp);
        size_t w = 0;
        int64_t writes = 0;
        for (size_t i = 0; i < v.nex; i++) {
            writes++;
            if (i + 1 < v.nex && !strcmp(v.ex[i].kind, v.ex[i + 1].kind) &&
                !strcmp(v.ex[i].id, v.ex[i + 1].id)) {
                expect_free(&v.ex[i]);
                continue;
            }
            v.ex[i].nrev = writes;
            writes = 0;
            v.ex[w++] = v.ex[i];
        }
        v.nex = w;
        match_ctx m = {&v, 0};
        rc = st->ops->each(st->impl, NULL, NULL, verify_record, &m, err);
        if (rc == LT_OK) rc = v.rc;
        if (rc == LT_OK && m.i < v.nex) {
            expect *e = &v.ex[m.i];
            rc = lt_error_set(err, LT_ECORRUPT, e->kind,
                              "%s '%s' written by audit record %lld is missing from the "
                              "records: it was deleted behind the engine's back",
                              e->kind, e->id, (long long)e->seq);
        }
    }
    if (own_snapshot) st->ops->read_end(st->impl);
    for (size_t i = 0; i < v.nex; i++) expect_free(&v.ex[i]);
    free(v.ex);
    if (rc != LT_OK) return rc;
    if (nrecords) *nrecords = v.n;
    if (head) memcpy(head, v.prev, LT_STORE_HASH_HEX);
    return LT_OK;
}

lt_status lt_store_read_begin(lt_store *st, lt_error *err)
{
    if (st->in_tx || st->in_read) LT_FAIL(err, LT_EINVAL, "", "a transaction is already open");
    lt_status rc = st->ops->read_begin(st->impl, err);
    if (rc == LT_OK) st->in_read = true;
    return rc;
}

void lt_store_read_end(lt_store *st)
{
    if (!st->in_read) return;
    st->ops->read_end(st->impl);
    st->in_read = false;
}
