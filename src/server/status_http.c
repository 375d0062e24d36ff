/* The one table from library status to HTTP status (STYLE.md: the CLI maps statuses to exit
 * codes in one table, the server to HTTP codes in one). */
#include "lutetia/server.h"

static const unsigned http_of[LT_STATUS_COUNT] = {
    [LT_OK] = 200,
    [LT_ENOMEM] = 503,      /* the server is short of memory: try again */
    [LT_EINVAL] = 400,      /* an argument that cannot be used: unknown, twice, wrong type */
    [LT_EIO] = 500,
    [LT_EPARSE] = 400,      /* malformed JSON, a date that is not one */
    [LT_ESCHEMA] = 422,     /* well-formed, but breaks the document's format */
    [LT_ENOTFOUND] = 404,   /* also a patient of a site the user is not bound to */
    [LT_ESTATE] = 409,      /* a step out of order */
    [LT_EPERM] = 403,
    [LT_ECONFLICT] = 409,
    [LT_ESTORE] = 503,      /* the database is busy or failing: retrying is safe */
    [LT_ECORRUPT] = 500,
    [LT_EVERSION] = 500,
    [LT_ENUMERIC] = 422,
    [LT_EUNSUPPORTED] = 501,
};

unsigned lt_server_http_status(lt_status st)
{
    if ((unsigned)st >= LT_STATUS_COUNT || !http_of[st]) return 500;
    return http_of[st];
}
