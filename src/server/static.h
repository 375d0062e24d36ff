/* The web page's files (web/) served by the HTTP door: internal to src/server. */
#ifndef LT_SERVER_STATIC_H
#define LT_SERVER_STATIC_H

#include <microhttpd.h>

/* The answer to METHOD URL from the files under root: a response carrying its headers
 * (Content-Type, ETag, Cache-Control, Content-Security-Policy, ...) and its status in *status
 * (200, or 304 when if_none_match names the file's current ETag); the caller queues and
 * destroys it. NULL when there is nothing to send, with *status 404 (no such file, or a path
 * that is refused: "..", a dot file, an encoded or unusual character, a symbolic link leading
 * out of root) or 405 (a method other than GET and HEAD), and *why saying which. */
struct MHD_Response *lt__static_response(const char *root, const char *method, const char *url,
                                         const char *if_none_match, unsigned *status,
                                         const char **why);

#endif
