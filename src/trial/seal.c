/* Allocation concealment at rest: the randomisation seed is stored sealed (libsodium secretbox,
 * a fresh random nonce) under a key kept in a file outside the database, so that whoever copies
 * the database file can neither read the seed nor randomise in the copy to learn the next arm.
 * The key file is written once, 0600, when the trial is created; allocating and replaying open
 * the seed with it, and refuse without it. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "trial_int.h"

_Static_assert(LT_STORE_SEALED_SEED_BYTES ==
                   crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + LT_STORE_SEED_BYTES,
               "the store's sealed seed is nonce, MAC and seed");
_Static_assert(LT__KEY_BYTES == crypto_secretbox_KEYBYTES, "a secretbox key");

#define KEY_HEX (2 * LT__KEY_BYTES)

char *lt_trial_key_file_default(const char *db)
{
    if (!db) return NULL;
    size_t n = strlen(db);
    char *p = malloc(n + 5);
    if (p) {
        memcpy(p, db, n);
        memcpy(p + n, ".key", 5);
    }
    return p;
}

lt_status lt__key_create(const char *path, unsigned char key[LT__KEY_BYTES], lt_error *err)
{
    /* O_EXCL: a key is never overwritten (it would orphan the trial that uses it); O_NOFOLLOW:
     * a planted symbolic link does not redirect the key elsewhere */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        LT_FAIL(err, LT_ECONFLICT, path, "a key file already exists here: each trial gets a new "
                                         "one (move the old one, or name another with key_file)");
    if (fd < 0) LT_FAIL(err, LT_EIO, path, "cannot create the key file: %s", strerror(errno));
    char hex[KEY_HEX + 2];
    randombytes_buf(key, LT__KEY_BYTES);
    sodium_bin2hex(hex, KEY_HEX + 1, key, LT__KEY_BYTES);
    hex[KEY_HEX] = '\n';
    /* the umask may have taken bits away, never added them; fchmod makes it 0600 exactly */
    bool ok = fchmod(fd, 0600) == 0 && write(fd, hex, KEY_HEX + 1) == KEY_HEX + 1 &&
              fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    sodium_memzero(hex, sizeof hex);
    if (!ok) {
        unlink(path);
        sodium_memzero(key, LT__KEY_BYTES);
        LT_FAIL(err, LT_EIO, path, "cannot write the key file: %s", strerror(saved));
    }
    return LT_OK;
}

lt_status lt__key_read(const char *path, unsigned char key[LT__KEY_BYTES], lt_error *err)
{
    /* O_NONBLOCK: a FIFO planted as the key must not hang the command (refused below) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT)
        LT_FAIL(err, LT_ENOTFOUND, path,
                "no key file here: the randomisation seed is sealed, and allocating or replaying "
                "needs the key file written when the trial was created");
    if (fd < 0) LT_FAIL(err, LT_EIO, path, "cannot open the key file: %s", strerror(errno));
    struct stat sb;
    char text[KEY_HEX + 8];
    ssize_t n = -1;
    lt_status rc = LT_OK;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        rc = lt_error_set(err, LT_EINVAL, path, "expected a key file, found something else");
    /* as ssh does with a private key: a key others can read conceals nothing */
    else if (sb.st_mode & 077)
        rc = lt_error_set(err, LT_EPERM, path,
                          "the key file is open to other accounts (mode %04o, expected 0600): "
                          "only its owner may read it",
                          (unsigned)(sb.st_mode & 07777));
    else if ((n = read(fd, text, sizeof text)) < 0)
        rc = lt_error_set(err, LT_EIO, path, "cannot read the key file: %s", strerror(errno));
    close(fd);
    size_t len = n > 0 ? (size_t)n : 0;
    while (rc == LT_OK && len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    size_t got = 0;
    if (rc == LT_OK && (len != KEY_HEX ||
                        sodium_hex2bin(key, LT__KEY_BYTES, text, len, NULL, &got, NULL) != 0 ||
                        got != LT__KEY_BYTES))
        /* the contents are a secret: say what was found without printing it */
        rc = lt_error_set(err, LT_EPARSE, path,
                          "expected 64 hex digits (the key written when the trial was created), "
                          "found %zu bytes that are not one",
                          n > 0 ? (size_t)n : 0);
    sodium_memzero(text, sizeof text);
    if (rc != LT_OK) sodium_memzero(key, LT__KEY_BYTES);
    return rc;
}

void lt__seed_seal(const unsigned char key[LT__KEY_BYTES],
                   const unsigned char seed[LT_STORE_SEED_BYTES],
                   unsigned char box[LT_STORE_SEALED_SEED_BYTES])
{
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, seed, LT_STORE_SEED_BYTES, box, key);
}

lt_status lt__seed_load(lt_store *st, const char *key_file, unsigned char seed[LT_STORE_SEED_BYTES],
                        bool *sealed, lt_error *err)
{
    unsigned char box[LT_STORE_SEALED_SEED_BYTES], key[LT__KEY_BYTES];
    lt_status rc = lt_store_sealed_seed_get(st, box, err);
    if (sealed) *sealed = rc != LT_ENOTFOUND;
    /* a trial created before seeds were sealed: its seed is in the clear (docs/store.md) */
    if (rc == LT_ENOTFOUND) return lt_store_seed_get(st, seed, err);
    if (rc != LT_OK) return rc;
    if (!key_file)
        LT_FAIL(err, LT_ENOTFOUND, "key_file",
                "the randomisation seed is sealed: allocating and replaying need the trial's "
                "key file");
    rc = lt__key_read(key_file, key, err);
    if (rc == LT_OK &&
        crypto_secretbox_open_easy(seed, box + crypto_secretbox_NONCEBYTES,
                                   LT_STORE_SEALED_SEED_BYTES - crypto_secretbox_NONCEBYTES, box,
                                   key) != 0) {
        sodium_memzero(seed, LT_STORE_SEED_BYTES);
        rc = lt_error_set(err, LT_ECORRUPT, key_file,
                          "this key does not open the trial's sealed seed: it is another "
                          "trial's key, or the key or the sealed seed was replaced");
    }
    sodium_memzero(key, sizeof key);
    return rc;
}
