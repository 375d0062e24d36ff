/* Backing up a trial: one read snapshot copied with SQLite's online backup API into a
 * temporary file beside the target, the copy verified against the snapshot's audit head, and
 * only then renamed into place, so that a backup that exists is whole and checked. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lutetia/file.h"
#include "store_impl.h"


/* The folder of `to` fsynced, so that the rename survives a power loss. */
static void sync_folder(const char *to)
{
    char *copy = strdup(to);
    if (!copy) return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

lt_status lt_store_backup(lt_store *st, const char *to, lt_audit_verified *out, lt_error *err)
{
    if (!to || !*to) LT_FAIL(err, LT_EINVAL, "to", "no backup file named");
    if (st->in_tx) LT_FAIL(err, LT_EINVAL, "", "a backup is not taken inside a transaction");
    lt_status rc = lt_file_check_target(to, err);
    if (rc != LT_OK) return rc;
    size_t n = strlen(to) + 32;
    char *tmp = malloc(n);
    if (!tmp) LT_FAIL(err, LT_ENOMEM, to, "out of memory");
    snprintf(tmp, n, "%s.partial-XXXXXX", to);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        LT_FAIL(err, LT_EIO, to, "cannot create the copy beside it: %s", strerror(e));
    }
    close(fd);

    int64_t seq = 0;
    char head[LT_STORE_HASH_HEX];
    rc = st->ops->read_begin(st->impl, err);
    if (rc == LT_OK) {
        /* the head and the pages come from the same snapshot */
        rc = lt_store_audit_head(st, &seq, head, err);
        if (rc == LT_OK) rc = st->ops->backup_to(st->impl, tmp, err);
        st->ops->read_end(st->impl);
    }
    lt_audit_verified v = {0};
    if (rc == LT_OK) {
        lt_store *copy = NULL;
        rc = lt_store_open(tmp, LT_STORE_READ, &copy, err);
        lt_audit_anchors a = {.expect_seq = seq, .expect_hash = head};
        if (rc == LT_OK) rc = lt_store_audit_verify_anchored(copy, seq ? &a : NULL, &v, err);
        if (rc == LT_OK && (v.records != seq || strcmp(v.head, head) != 0))
            rc = lt_error_set(err, LT_ECORRUPT, to,
                              "the copy ends at audit record %lld, the database at %lld: the "
                              "copy is incomplete",
                              (long long)v.records, (long long)seq);
        lt_store_close(copy);
        if (rc != LT_OK && err && rc == LT_ECORRUPT) {
            lt_error e = *err;
            lt_error_set(err, LT_ECORRUPT, to, "the copy does not verify (%.200s: %.500s); no "
                                               "backup was written",
                         e.where, e.message);
        }
    }
    /* a read-only open leaves its -shm beside the copy: ours, under our private name */
    char side[4200];
    snprintf(side, sizeof side, "%s-shm", tmp);
    unlink(side);
    snprintf(side, sizeof side, "%s-wal", tmp);
    unlink(side);
    if (rc == LT_OK) rc = lt_file_check_target(to, err); /* it may have been swapped meanwhile */
    if (rc == LT_OK && rename(tmp, to) != 0)
        rc = lt_error_set(err, LT_EIO, to, "cannot rename the verified copy into place: %s",
                          strerror(errno));
    if (rc != LT_OK) {
        lt_store_remove_files(tmp);
        free(tmp);
        return rc;
    }
    sync_folder(to);
    free(tmp);
    if (out) *out = v;
    return LT_OK;
}
