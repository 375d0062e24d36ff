/* Whole-file reading and writing, and strict number parsing for every reader. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lutetia/file.h"

lt_status lt_file_read(const char *path, char **data, size_t *len, lt_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) LT_FAIL(err, LT_EIO, path, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap);
    if (!p) {
        if (!is_stdin) fclose(f);
        LT_FAIL(err, LT_ENOMEM, path, "out of memory reading the file");
    }
    for (;;) {
        if (n + 1 >= cap) {
            char *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                if (!is_stdin) fclose(f);
                LT_FAIL(err, LT_ENOMEM, path, "out of memory reading the file");
            }
            p = q;
            cap *= 2;
        }
        size_t got = fread(p + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    int failed = ferror(f);
    int saved = errno;
    if (!is_stdin) fclose(f);
    if (failed) {
        free(p);
        LT_FAIL(err, LT_EIO, path, "read error: %s", strerror(saved));
    }
    p[n] = '\0';
    *data = p;
    *len = n;
    return LT_OK;
}

lt_status lt_file_check_target(const char *path, lt_error *err)
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

lt_status lt_file_write(const char *path, const void *data, size_t len, lt_error *err)
{
    lt_status rc = lt_file_check_target(path, err);
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
    if (!e && lt_file_check_target(path, err) != LT_OK) {
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

static const char *skip_blank(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

bool lt_parse_double(const char *s, double *out)
{
    if (!s) return false;
    s = skip_blank(s);
    /* strtod also takes hex, "inf" and "nan": only decimal notation is a clinical number */
    for (const char *q = s; *q; q++)
        if (*q == 'x' || *q == 'X' || *q == 'n' || *q == 'N' || *q == 'i' || *q == 'I')
            return false;
    /* Files use '.' whatever the locale: a program embedding the library may have called
     * setlocale() with a decimal comma, under which plain strtod stops at the '.'. glibc hands
     * back its built-in C locale for "C" without allocating, so this costs no malloc. */
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!c) return false;
    char *end;
    errno = 0;
    double v = strtod_l(s, &end, c);
    int e = errno;
    freelocale(c);
    if (end == s || e == ERANGE) return false;
    if (*skip_blank(end) != '\0') return false;
    *out = v;
    return true;
}

bool lt_parse_long(const char *s, long min, long max, long *out)
{
    if (!s) return false;
    s = skip_blank(s);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || errno == ERANGE || *skip_blank(end) != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

#ifndef LT_DATA_DIR_SOURCE
#define LT_DATA_DIR_SOURCE ""
#endif
#ifndef LT_DATA_DIR_INSTALL
#define LT_DATA_DIR_INSTALL "/usr/local/share/lutetia"
#endif

lt_status lt_data_file(const char *name, char *path, size_t size, lt_error *err)
{
    /* $LUTETIA_DATA_DIR first and alone when set, so that a site's corrected tables are never
     * silently replaced by the shipped ones; then the source tree, then the install. */
    const char *dirs[3] = {getenv("LUTETIA_DATA_DIR"), LT_DATA_DIR_SOURCE, LT_DATA_DIR_INSTALL};
    for (int i = 0; i < 3; i++) {
        if (!dirs[i] || !*dirs[i]) continue;
        snprintf(path, size, "%s/%s", dirs[i], name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return LT_OK;
        if (i == 0)
            LT_FAIL(err, LT_ENOTFOUND, path, "LUTETIA_DATA_DIR is set but holds no %s", name);
    }
    LT_FAIL(err, LT_ENOTFOUND, name,
            "cannot find the data file: looked in '%s' and '%s'; set LUTETIA_DATA_DIR to the "
            "folder holding %s",
            LT_DATA_DIR_SOURCE, LT_DATA_DIR_INSTALL, name);
}

lt_status lt_data_read(const char *path, const char *default_name, char **data, size_t *len,
                       char *used, size_t used_size, lt_error *err)
{
    if (path) {
        snprintf(used, used_size, "%s", path);
    } else {
        lt_status st = lt_data_file(default_name, used, used_size, err);
        if (st != LT_OK) return st;
    }
    return lt_file_read(used, data, len, err);
}
