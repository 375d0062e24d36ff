/* Anchors of the audit trail outside the database file: the head (sequence number and hash)
 * that a monitor keeps elsewhere, and checkpoints of the head signed with Ed25519 (libsodium)
 * by a key the file does not hold. A tamperer who rewrites the trail and recomputes every
 * hash passes plain verification, but not an anchor taken before the rewrite. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lutetia/date.h"
#include "lutetia/file.h"
#include "store_impl.h"

#define SIG_HEX (crypto_sign_BYTES * 2 + 1)
#define PK_HEX (crypto_sign_PUBLICKEYBYTES * 2 + 1)

/* What is signed: a versioned text naming the head, so that a signature can be checked by
 * hand with any Ed25519 tool (`printf 'lutetia audit checkpoint v1\n%d\n%s\n' SEQ HASH`). */
static int message(char *out, size_t n, int64_t seq, const char *hash)
{
    return snprintf(out, n, "lutetia audit checkpoint v1\n%lld\n%s\n", (long long)seq, hash);
}

lt_status lt_store_audit_head(lt_store *st, int64_t *seq, char hash[LT_STORE_HASH_HEX],
                              lt_error *err)
{
    char at[LT_TIME_STR_MAX];
    return st->ops->audit_last(st->impl, seq, hash, at, err);
}

typedef struct cp_ctx {
    lt_store *st;
    char pk_hex[PK_HEX];
    int64_t n, last_seq;
    lt_status rc;
    lt_error *err;
} cp_ctx;

static int check_checkpoint(const lt__checkpoint *c, void *ctx)
{
    cp_ctx *x = ctx;
    if (strcmp(c->public_key, x->pk_hex) != 0) return 0; /* another signer's: not ours to judge */
    char where[64], msg[256], have[LT_STORE_HASH_HEX];
    snprintf(where, sizeof where, "checkpoint at audit record %lld", (long long)c->seq);
    unsigned char sig[crypto_sign_BYTES], pk[crypto_sign_PUBLICKEYBYTES];
    size_t len = 0;
    int mlen = message(msg, sizeof msg, c->seq, c->hash);
    if (sodium_hex2bin(sig, sizeof sig, c->signature, strlen(c->signature), NULL, &len, NULL) !=
            0 ||
        len != sizeof sig ||
        sodium_hex2bin(pk, sizeof pk, c->public_key, strlen(c->public_key), NULL, &len, NULL) !=
            0 ||
        len != sizeof pk || mlen < 0 || (size_t)mlen >= sizeof msg ||
        crypto_sign_verify_detached(sig, (const unsigned char *)msg, (size_t)mlen, pk) != 0) {
        x->rc = lt_error_set(x->err, LT_ECORRUPT, where,
                             "the signature does not verify with this public key: the "
                             "checkpoint was forged or altered");
        return 1;
    }
    lt_status rc = x->st->ops->audit_hash_at(x->st->impl, c->seq, have, x->err);
    if (rc == LT_ENOTFOUND) {
        x->rc = lt_error_set(x->err, LT_ECORRUPT, where,
                             "the trail no longer reaches audit record %lld, which this "
                             "checkpoint signed: the trail was cut",
                             (long long)c->seq);
        return 1;
    }
    if (rc != LT_OK) {
        x->rc = rc;
        return 1;
    }
    if (strcmp(have, c->hash) != 0) {
        x->rc = lt_error_set(x->err, LT_ECORRUPT, where,
                             "the trail holds hash %.12s... at audit record %lld, but the "
                             "checkpoint signed %.12s... on %s: the trail was rewritten after "
                             "it was signed",
                             have, (long long)c->seq, c->hash, c->at);
        return 1;
    }
    x->n++;
    x->last_seq = c->seq;
    return 0;
}

lt_status lt_store_audit_verify_anchored(lt_store *st, const lt_audit_anchors *a,
                                         lt_audit_verified *out, lt_error *err)
{
    lt_audit_verified v = {0};
    bool own = !st->in_tx && !st->in_read;
    if (own) {
        lt_status rc = st->ops->read_begin(st->impl, err);
        if (rc != LT_OK) return rc;
        st->in_read = true;
    }
    lt_status rc = lt_store_audit_verify(st, &v.records, v.head, err);
    if (rc == LT_OK && a && a->expect_seq > 0) {
        char have[LT_STORE_HASH_HEX];
        char where[64];
        snprintf(where, sizeof where, "audit record %lld", (long long)a->expect_seq);
        rc = st->ops->audit_hash_at(st->impl, a->expect_seq, have, err);
        if (rc == LT_ENOTFOUND)
            rc = lt_error_set(err, LT_ECORRUPT, where,
                              "the trail ends at record %lld and does not reach the expected "
                              "head: the trail was cut",
                              (long long)v.records);
        else if (rc == LT_OK && strcmp(have, a->expect_hash ? a->expect_hash : "") != 0)
            rc = lt_error_set(err, LT_ECORRUPT, where,
                              "the trail holds hash %.12s... here, not the expected head "
                              "%.12s...: the trail was rewritten",
                              have, a->expect_hash ? a->expect_hash : "");
    }
    if (rc == LT_OK && a && a->public_key) {
        cp_ctx x = {.st = st, .rc = LT_OK, .err = err};
        sodium_bin2hex(x.pk_hex, sizeof x.pk_hex, a->public_key, crypto_sign_PUBLICKEYBYTES);
        rc = st->ops->checkpoint_each(st->impl, check_checkpoint, &x, err);
        if (rc == LT_OK) rc = x.rc;
        if (rc == LT_OK && x.n == 0)
            rc = lt_error_set(err, LT_ECORRUPT, "checkpoints",
                              "no checkpoint signed by this public key (%.12s...): none was "
                              "made, or they were deleted",
                              x.pk_hex);
        v.checkpoints = x.n;
    }
    if (own) {
        st->ops->read_end(st->impl);
        st->in_read = false;
    }
    if (rc == LT_OK && out) *out = v;
    return rc;
}

lt_status lt_store_audit_checkpoint(lt_store *st,
                                    const unsigned char secret_key[LT_STORE_SIGN_SECRET_BYTES],
                                    int64_t *seq_out, char hash_out[LT_STORE_HASH_HEX],
                                    lt_error *err)
{
    lt_status rc = lt_store_begin(st, err);
    if (rc != LT_OK) return rc;
    int64_t seq = 0;
    char head[LT_STORE_HASH_HEX], at[LT_TIME_STR_MAX], msg[256];
    /* inside the write transaction: nobody appends between the check and the signature */
    rc = lt_store_audit_verify(st, &seq, head, err);
    if (rc == LT_OK && seq == 0)
        rc = lt_error_set(err, LT_ESTATE, "", "the audit trail is empty: nothing to sign");
    if (rc != LT_OK) {
        lt_store_rollback(st);
        return rc;
    }
    unsigned char sig[crypto_sign_BYTES], pk[crypto_sign_PUBLICKEYBYTES];
    char sig_hex[SIG_HEX], pk_hex[PK_HEX];
    int mlen = message(msg, sizeof msg, seq, head);
    crypto_sign_detached(sig, NULL, (const unsigned char *)msg, (size_t)mlen, secret_key);
    crypto_sign_ed25519_sk_to_pk(pk, secret_key);
    sodium_bin2hex(sig_hex, sizeof sig_hex, sig, sizeof sig);
    sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
    lt__checkpoint c = {seq, head, lt_time_format(lt_time_now(), at), pk_hex, sig_hex};
    rc = st->ops->checkpoint_add(st->impl, &c, err);
    if (rc == LT_ECONFLICT)
        rc = lt_error_set(err, LT_ECONFLICT, "checkpoint",
                          "this key has already signed the head (audit record %lld)",
                          (long long)seq);
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) {
        lt_store_rollback(st);
        return rc;
    }
    if (seq_out) *seq_out = seq;
    if (hash_out) memcpy(hash_out, head, LT_STORE_HASH_HEX);
    return LT_OK;
}

/* Writes text to a new file (never an existing one), checking every step. */
static lt_status write_new(const char *path, const char *text, mode_t mode, lt_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        if (errno == EEXIST)
            LT_FAIL(err, LT_ECONFLICT, path, "the file already exists: a key is never "
                                             "overwritten");
        LT_FAIL(err, LT_EIO, path, "cannot create: %s", strerror(errno));
    }
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        done += (size_t)w;
    }
    int e = done == len ? 0 : errno ? errno : EIO;
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    if (e) {
        unlink(path);
        LT_FAIL(err, LT_EIO, path, "cannot write the key: %s", strerror(e));
    }
    return LT_OK;
}

lt_status lt_store_keygen(const char *secret_path, const char *public_path, lt_error *err)
{
    if (sodium_init() < 0) LT_FAIL(err, LT_ESTORE, "", "libsodium failed to initialise");
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char sk_hex[crypto_sign_SECRETKEYBYTES * 2 + 2], pk_hex[PK_HEX + 1];
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(sk_hex, sizeof sk_hex - 1, sk, sizeof sk);
    sodium_bin2hex(pk_hex, sizeof pk_hex - 1, pk, sizeof pk);
    strcat(sk_hex, "\n");
    strcat(pk_hex, "\n");
    sodium_memzero(sk, sizeof sk);
    lt_status rc = write_new(secret_path, sk_hex, 0600, err);
    sodium_memzero(sk_hex, sizeof sk_hex);
    if (rc != LT_OK) return rc;
    rc = write_new(public_path, pk_hex, 0644, err);
    if (rc != LT_OK) unlink(secret_path); /* made just above: no half pair stays */
    return rc;
}

lt_status lt_store_key_read(const char *path, bool secret, unsigned char *out, lt_error *err)
{
    if (sodium_init() < 0) LT_FAIL(err, LT_ESTORE, "", "libsodium failed to initialise");
    char *text = NULL;
    size_t len = 0;
    lt_status rc = lt_file_read(path, &text, &len, err);
    if (rc != LT_OK) return rc;
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        text[--len] = '\0';
    size_t want = secret ? crypto_sign_SECRETKEYBYTES : crypto_sign_PUBLICKEYBYTES, got = 0;
    const char *what = secret ? "an Ed25519 secret key" : "an Ed25519 public key";
    bool ok = len == want * 2 &&
              sodium_hex2bin(out, want, text, len, NULL, &got, NULL) == 0 && got == want;
    sodium_memzero(text, len);
    free(text);
    if (!ok)
        LT_FAIL(err, LT_EPARSE, path,
                "expected %zu hex digits (%s written by 'lutetia audit keygen'), found %zu "
                "characters%s",
                want * 2, what, len,
                len == (size_t)(secret ? crypto_sign_PUBLICKEYBYTES : crypto_sign_SECRETKEYBYTES) * 2
                    ? secret ? " (this looks like the public key)"
                             : " (this looks like the secret key: keep it away from verifiers)"
                    : "");
    if (secret) {
        /* the pair must hang together: the last 32 bytes are the public key of the seed */
        unsigned char pk[crypto_sign_PUBLICKEYBYTES], seed[crypto_sign_SEEDBYTES];
        crypto_sign_ed25519_sk_to_seed(seed, out);
        unsigned char sk2[crypto_sign_SECRETKEYBYTES];
        crypto_sign_seed_keypair(pk, sk2, seed);
        bool same = sodium_memcmp(sk2, out, sizeof sk2) == 0;
        sodium_memzero(seed, sizeof seed);
        sodium_memzero(sk2, sizeof sk2);
        if (!same) {
            sodium_memzero(out, want);
            LT_FAIL(err, LT_EPARSE, path, "not a valid Ed25519 secret key: its public half "
                                          "does not match its seed");
        }
    }
    return LT_OK;
}
