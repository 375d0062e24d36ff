/* Listing API tokens (lutetia token list, GET /api/v1/tokens): an admin sees every user's, any
 * other user its own, so that a forgotten or leaked token can be found and revoked. A token's
 * secret is never stored; its SHA-256 is, and is left out of the list too: a hash of a
 * 256-bit secret gives nothing to guess from, but it identifies the credential and has no use
 * to a reader of the list. */
#include <string.h>
#include "auth_int.h"
#include "lutetia/date.h"

typedef struct list_ctx {
    lt_buf *out;
    int64_t now;
    int n;
} list_ctx;

static void put_time(lt_buf *out, int64_t t)
{
    char s[LT_TIME_STR_MAX];
    if (t <= 0) {
        lt_buf_puts(out, "null");
        return;
    }
    lt_buf_printf(out, "\"%s\"", lt_time_format(t, s));
}

static int list_item(const lt_record *r, void *ctx)
{
    list_ctx *c = ctx;
    lt_json *d = NULL;
    if (lt_json_parse(r->data, strlen(r->data), "token record", &d, NULL) != LT_OK) return 0;
    bool revoked = false;
    lt_json_bool(lt_json_get(d, "revoked"), &revoked);
    int64_t expires = (int64_t)lt_json_get_num(d, "expires", 0);
    const char *last = lt_json_get_str(d, "last_used", NULL);
    lt_buf_puts(c->out, c->n++ ? ",{\"id\":" : "{\"id\":");
    lt_buf_json_str(c->out, r->id);
    lt_buf_puts(c->out, ",\"user\":");
    lt_buf_json_str(c->out, lt_json_get_str(d, "user", ""));
    lt_buf_puts(c->out, ",\"created\":");
    put_time(c->out, (int64_t)lt_json_get_num(d, "created", 0));
    lt_buf_puts(c->out, ",\"expires\":");
    put_time(c->out, expires);
    lt_buf_puts(c->out, ",\"last_used\":");
    if (last) lt_buf_json_str(c->out, last);
    else lt_buf_puts(c->out, "null");
    /* what lt_auth_token_check would answer now, in one word */
    lt_buf_printf(c->out, ",\"state\":\"%s\"}",
                  revoked ? "revoked" : expires && c->now >= expires ? "expired" : "active");
    lt_json_free(d);
    return 0;
}

lt_status lt_auth_token_list(lt_trial *t, int64_t now, lt_buf *out, lt_error *err)
{
    /* the filter is the store's query, not a check on what comes back */
    lt_record_filter f = {.key = lt_trial_role(t) == LT_ROLE_ADMIN ? NULL : lt_trial_user(t)};
    list_ctx c = {out, now, 0};
    lt_buf_puts(out, "{\"tokens\":[");
    lt_status rc = lt_store_each(lt_trial_store(t), "token", &f, list_item, &c, err);
    lt_buf_printf(out, "],\"count\":%d}", c.n);
    if (rc == LT_OK && lt_buf_failed(out)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    return rc;
}
