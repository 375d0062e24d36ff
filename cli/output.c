/* Every byte the command line writes, checked: stdout (a full disk or a closed pipe is an
 * error, not exit 0) and files named by --ics, --plot, --to and the like, which are written to
 * a temporary file beside the target and renamed over it, so that a reader never sees half a
 * file, and which must be regular files (a symlink or a device node is refused, never
 * replaced or written through). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

int lt_cli_print_buf(const lt_buf *b)
{
    if (lt_buf_failed(b)) {
        fprintf(stderr, "lutetia: out of memory while writing the output\n");
        return lt_cli_exit_code(LT_ENOMEM);
    }
    /* glibc writes a large buffer straight through: a failed write shows in fwrite's count
     * and the error flag, not in the fflush that follows (seen: `audit log --json >
     * /dev/full` exited 0) */
    size_t put = fwrite(lt_buf_str(b), 1, b->n, stdout);
    if (put != b->n || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "lutetia: writing the output: %s\n", strerror(errno ? errno : EIO));
        return lt_cli_exit_code(LT_EIO);
    }
    return 0;
}

int lt_cli_finish_stdout(int rc)
{
    /* the verbs that print with printf: the error of a buffered write appears here */
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "lutetia: writing the output: %s\n", strerror(errno ? errno : EIO));
        return rc ? rc : lt_cli_exit_code(LT_EIO);
    }
    return rc;
}

lt_status lt_cli_check_target(const char *path, lt_error *err)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT) return LT_OK;
        LT_FAIL(err, LT_EIO, path, "cannot check the output file: %s", strerror(errno));
    }
    if (S_ISLNK(sb.st_mode))
        LT_FAIL(err, LT_EIO, path,
                "the output file is a symbolic link: refused (name the real file)");
    if (!S_ISREG(sb.st_mode))
        LT_FAIL(err, LT_EIO, path,
                "the output file exists and is not a regular file (a device, folder or pipe): "
                "refused");
    return LT_OK;
}

/* The folder a temporary file goes in: the target's, so the rename stays on one filesystem. */
static char *temp_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    size_t n = dir + strlen(base) + 16;
    char *t = malloc(n);
    if (t) snprintf(t, n, "%.*s.%s.XXXXXX", (int)dir, path, base);
    return t;
}

lt_status lt_cli_write_file(const char *path, const void *data, size_t len, lt_error *err)
{
    lt_status rc = lt_cli_check_target(path, err);
    if (rc != LT_OK) return rc;
    char *tmp = temp_template(path);
    if (!tmp) LT_FAIL(err, LT_ENOMEM, path, "out of memory");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        LT_FAIL(err, LT_EIO, path, "cannot create a file beside it: %s", strerror(e));
    }
    /* mkstemp makes 0600; an output file is as readable as any the user creates */
    mode_t um = umask(0);
    umask(um);
    int e = fchmod(fd, 0666 & ~um) == 0 ? 0 : errno;
    const char *p = data;
    size_t done = 0;
    while (!e && done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) e = w < 0 ? errno : EIO;
        else done += (size_t)w;
    }
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    /* checked again just before the rename: the target may have been swapped meanwhile */
    if (!e && lt_cli_check_target(path, err) != LT_OK) {
        unlink(tmp);
        free(tmp);
        return LT_EIO;
    }
    if (!e && rename(tmp, path) != 0) e = errno;
    if (e) {
        unlink(tmp);
        free(tmp);
        LT_FAIL(err, LT_EIO, path, "cannot write: %s%s", strerror(e),
                e == ENOSPC || e == EFBIG || e == EDQUOT ? " (the disk is full or the file size "
                                                           "limit was reached); the file was "
                                                           "not changed"
                                                         : "; the file was not changed");
    }
    free(tmp);
    return LT_OK;
}
