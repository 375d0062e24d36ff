/* The web page's files: plain HTML, CSS and JavaScript modules under one root (web/), served
 * as they are, with no build step. Every path is checked before the file system sees it, and
 * the file found must still lie under the root once symbolic links are resolved. */
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "static.h"

/* The page's scripts are files of its own origin (no inline script, no eval), its styles too;
 * plots are inline SVG drawn by the scripts. Nothing may frame it (clickjacking). */
#define CSP                                                                                        \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "                   \
    "frame-ancestors 'none'"

/* Files larger than this are not part of a page (the whole of web/ is a few hundred KiB). */
#define STATIC_MAX (16L << 20)

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},  {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},          {".svg", "image/svg+xml"},
    {".png", "image/png"},                  {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},  {".woff2", "font/woff2"},
};

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext)) return types[i].type;
    return NULL;
}

/* Whether url (already percent-decoded by libmicrohttpd) is a plain relative path: segments of
 * letters, digits, '-', '_' and '.', none empty and none starting with '.', so that "..", "."
 * and dot files never reach the file system. A '%' left after decoding (a doubly encoded
 * "%252e"), a backslash, a NUL or any other byte is refused outright rather than interpreted. */
static bool plain_path(const char *p)
{
    if (!*p) return false;
    for (const char *seg = p; *seg;) {
        if (*seg == '.' || *seg == '/') return false;
        const char *q = seg;
        for (; *q && *q != '/'; q++) {
            char ch = *q;
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '-' || ch == '_' || ch == '.'))
                return false;
        }
        if (*q == '/' && !q[1]) return false; /* a trailing slash names no file */
        seg = *q ? q + 1 : q;
    }
    return true;
}

static struct MHD_Response *refuse(unsigned code, const char *msg, unsigned *status,
                                   const char **why)
{
    *status = code;
    *why = msg;
    return NULL;
}

struct MHD_Response *lt__static_response(const char *root, const char *method, const char *url,
                                         const char *if_none_match, unsigned *status,
                                         const char **why)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return refuse(405, "the page's files are read with GET", status, why);
    if (url[0] != '/') return refuse(404, "no such file", status, why);
    const char *rel = url[1] ? url + 1 : "index.html";
    if (strlen(rel) > 200 || !plain_path(rel))
        return refuse(404, "no such file (a path of letters, digits, '-', '_' and '.' "
                           "segments is expected)",
                      status, why);
    const char *type = type_of(rel);
    if (!type) return refuse(404, "no such file", status, why);
    char real_root[PATH_MAX], joined[PATH_MAX], real[PATH_MAX];
    if (!realpath(root, real_root)) return refuse(404, "the web root is missing", status, why);
    if ((size_t)snprintf(joined, sizeof joined, "%s/%s", real_root, rel) >= sizeof joined ||
        !realpath(joined, real))
        return refuse(404, "no such file", status, why);
    /* a symbolic link inside the root may not lead out of it */
    size_t n = strlen(real_root);
    if (strncmp(real, real_root, n) != 0 || real[n] != '/')
        return refuse(404, "no such file", status, why);
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd < 0) return refuse(404, "no such file", status, why);
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > STATIC_MAX) {
        close(fd);
        return refuse(404, "no such file", status, why);
    }
    /* the ETag changes with the file: the page revalidates each time (Cache-Control: no-cache)
     * and a file that did not change costs a 304, so an upgraded server never leaves a browser
     * running yesterday's scripts against today's API */
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)sb.st_size,
             (unsigned long long)sb.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)sb.st_mtim.tv_nsec);
    struct MHD_Response *r;
    if (if_none_match && strstr(if_none_match, etag)) {
        close(fd);
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        *status = 304;
    } else {
        r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd); /* takes fd */
        if (!r) close(fd);
        *status = 200;
    }
    if (!r) return refuse(503, "out of memory", status, why);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "ETag", etag);
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    return r;
}
