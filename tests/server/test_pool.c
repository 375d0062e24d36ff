/* The server's pool of opened trials (src/server/pool.c): a kept trial is lent again only while
 * what it read at opening still holds. An amendment and a deactivation made meanwhile through
 * another connection (as another server or the command line would) are seen by the next
 * take; a trial given back after a failure is not kept; store connections are reused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/server/authcache.h"
#include "../../src/server/pool.h"
#include "lt_test.h"
#include "lutetia.h"

static char dir[] = "/tmp/lt-pool-XXXXXX";
static char db[256];

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(db, sizeof db, "%s/trial.db", dir);
    char proto[512];
    snprintf(proto, sizeof proto, "%s/protocols/nelmas.json", getenv("SRC") ? getenv("SRC") : ".");
    lt_error err;
    lt_trial_init init = {.protocol = proto, .version = "1.0", .admin = "ana"};
    CHECK_MSG(lt_trial_create_with(db, &init, &err) == LT_OK, "%s", err.message);
    lt_trial *admin = NULL;
    CHECK(lt_trial_open(db, "ana", &admin, &err) == LT_OK);
    const char *s1[] = {"S1"};
    CHECK(lt_trial_site_add(admin, "S1", "Site one", &err) == LT_OK);
    CHECK(lt_trial_user_add(admin, "cole", LT_ROLE_COORDINATOR, s1, 1, &err) == LT_OK);

    lt__pool p;
    CHECK(lt__pool_init(&p, db, NULL, 3));
    lt_trial *t = NULL, *again = NULL, *other = NULL;
    lt__pool_ticket key, key2;
    CHECK(lt__pool_take(&p, "cole", &t, &key, &err) == LT_OK);
    CHECK_STR(lt_trial_user(t), "cole");
    CHECK(lt_trial_version_count(t) == 1);
    /* lent to one request at a time: a second take while the first holds it opens another */
    CHECK(lt__pool_take(&p, "cole", &other, &key2, &err) == LT_OK);
    CHECK(other != t);
    lt__pool_give(&p, other, &key2, false); /* after a failure: closed, not kept */
    lt__pool_give(&p, t, &key, true);
    /* nothing changed: the kept trial is lent again, on the strength of the store's change
     * stamp alone (no commit since its key was read) */
    CHECK(key.stamped);
    int64_t st0 = key.stamp;
    CHECK(lt__pool_take(&p, "cole", &again, &key, &err) == LT_OK);
    CHECK(again == t);
    CHECK(key.stamped && key.stamp == st0);
    lt__pool_give(&p, again, &key, true);

    /* the stamp moves with a commit by any other connection, and only then */
    int64_t sa = 0, sb = 0;
    CHECK(lt__pool_stamp(&p, &sa) && lt__pool_stamp(&p, &sb) && sa == sb);
    CHECK(lt_trial_site_add(admin, "S2", "Site two", &err) == LT_OK);
    CHECK(lt__pool_stamp(&p, &sb) && sb != sa);
    /* a commit that changes nothing the key holds: read again, same key, the same trial */
    CHECK(lt__pool_take(&p, "cole", &again, &key, &err) == LT_OK);
    CHECK(again == t);
    CHECK(key.stamp == sb);
    lt__pool_give(&p, again, &key, true);

    /* an amendment through another connection: the next take sees version 2.0 */
    lt_trial_amendment a = {.protocol = proto, .version = "2.0", .effective = lt_date_from_ymd(2026, 4, 1),
                            .reason = "version 2.0"};
    CHECK_MSG(lt_trial_amend(admin, &a, NULL, &err) == LT_OK, "%s", err.message);
    CHECK(lt__pool_take(&p, "cole", &t, &key, &err) == LT_OK);
    CHECK_MSG(lt_trial_version_count(t) == 2, "a kept trial missed the amendment (%zu versions)",
              lt_trial_version_count(t));
    lt__pool_give(&p, t, &key, true);

    /* a deactivation: the kept trial is not lent; opening refuses the user */
    CHECK(lt_trial_user_set_active(admin, "cole", false, "left", &err) == LT_OK);
    t = NULL;
    CHECK(lt__pool_take(&p, "cole", &t, &key, &err) == LT_EPERM);
    CHECK(t == NULL);
    CHECK(lt_trial_user_set_active(admin, "cole", true, "back", &err) == LT_OK);
    CHECK(lt__pool_take(&p, "cole", &t, &key, &err) == LT_OK);
    lt__pool_give(&p, t, &key, true);

    /* a change made through a kept trial's own connection moves the stamp too: the admin's
     * kept trial changes her own user record, and her next take reads a new key (the user
     * record's revision) instead of reusing the one from before */
    CHECK(lt__pool_take(&p, "ana", &t, &key, &err) == LT_OK);
    lt__pool_give(&p, t, &key, true);
    CHECK(lt__pool_take(&p, "ana", &t, &key, &err) == LT_OK);
    char was[160];
    memcpy(was, key.key, sizeof was);
    CHECK_MSG(lt_trial_user_set_full_name(t, "ana", "Ana Admin", "named", &err) == LT_OK, "%s",
              err.message);
    lt__pool_give(&p, t, &key, true);
    CHECK(lt__pool_take(&p, "ana", &t, &key, &err) == LT_OK);
    CHECK_MSG(strcmp(key.key, was) != 0, "a kept trial missed its own change (key %s)", key.key);
    lt__pool_give(&p, t, &key, true);

    /* more users than slots: the least recently used makes room, each still answers */
    CHECK(lt__pool_take(&p, "ana", &t, &key, &err) == LT_OK);
    lt__pool_give(&p, t, &key, true);
    CHECK(lt__pool_take(&p, "nobody", &t, &key, &err) == LT_EPERM);

    /* store connections for authentication: given back, lent again */
    lt_store *st = NULL, *st2 = NULL;
    CHECK(lt__pool_store_take(&p, &st, &err) == LT_OK);
    lt__pool_store_give(&p, st, true);
    CHECK(lt__pool_store_take(&p, &st2, &err) == LT_OK);
    CHECK(st2 == st);
    lt__pool_store_give(&p, st2, false);
    CHECK(lt__pool_store_take(&p, &st, &err) == LT_OK);
    lt__pool_store_give(&p, st, true);

    /* tokens kept by the server (authcache.c): an acceptance is reused only with the same
     * stamp, the same day and before the token's expiry; another token is not found */
    lt__authcache ac;
    lt__authcache_init(&ac);
    char u[LT_AUTH_USER_MAX];
    int64_t now = 1780000000; /* 2026-05-28T20:26:40Z */
    CHECK(!lt__authcache_get(&ac, "ltk_a", 7, now, u));
    lt__authcache_put(&ac, "ltk_a", 7, now, "cole", now + 3600);
    CHECK(lt__authcache_get(&ac, "ltk_a", 7, now + 60, u));
    CHECK_STR(u, "cole");
    CHECK(!lt__authcache_get(&ac, "ltk_b", 7, now + 60, u));
    CHECK(!lt__authcache_get(&ac, "ltk_a", 8, now + 60, u)); /* a commit since: checked again */
    CHECK(!lt__authcache_get(&ac, "ltk_a", 7, now + 60, u)); /* ... and the stale one dropped */
    lt__authcache_put(&ac, "ltk_a", 7, now, "cole", now + 3600);
    CHECK(!lt__authcache_get(&ac, "ltk_a", 7, now + 3600, u)); /* expired */
    lt__authcache_put(&ac, "ltk_a", 7, now, "cole", 0);
    CHECK(lt__authcache_get(&ac, "ltk_a", 7, now + 3600, u)); /* never expires */
    CHECK(!lt__authcache_get(&ac, "ltk_a", 7, now + 86400, u)); /* the next day: checked again */
    /* more tokens than entries: each still answers after the least recently used left */
    char tok[32];
    for (int i = 0; i < LT__AUTHCACHE_N + 5; i++) {
        snprintf(tok, sizeof tok, "ltk_%d", i);
        lt__authcache_put(&ac, tok, 7, now, "cole", 0);
    }
    CHECK(lt__authcache_get(&ac, tok, 7, now, u));
    CHECK(!lt__authcache_get(&ac, "ltk_0", 7, now, u));
    /* sessions: the facts kept with the stamp; another stamp drops them; a token's entry is
     * not a session's */
    lt__session_facts f = {.user = "cole", .created = now, .seen = now}, g;
    CHECK(!lt__authcache_session_get(&ac, "sess1", 7, &g));
    lt__authcache_session_put(&ac, "sess1", 7, &f);
    CHECK(lt__authcache_session_get(&ac, "sess1", 7, &g));
    CHECK_STR(g.user, "cole");
    CHECK(g.seen == now);
    CHECK(!lt__authcache_session_get(&ac, "sess1", 9, &g));
    CHECK(!lt__authcache_session_get(&ac, "sess1", 7, &g));
    lt__authcache_put(&ac, "sess2", 7, now, "cole", 0);
    CHECK(!lt__authcache_session_get(&ac, "sess2", 7, &g));
    lt__authcache_session_put(&ac, "ltk_x", 7, &f);
    CHECK(!lt__authcache_get(&ac, "ltk_x", 7, now, u));
    /* the judgement of kept facts: the session check's rules at the caller's time */
    lt_auth_policy pol;
    lt_auth_policy_default(&pol);
    f.user_ok = true;
    CHECK(lt__auth_session_judge(&f, false, NULL, &pol, now + 60, &err) == LT_OK);
    CHECK(lt__auth_session_judge(&f, false, NULL, &pol, now + pol.idle_seconds + 1, &err) == LT_EPERM);
    CHECK(lt__auth_session_judge(&f, true, NULL, &pol, now + 60, &err) == LT_EPERM);
    CHECK_STR(err.where, "csrf");
    f.user_ok = false;
    CHECK(lt__auth_session_judge(&f, false, NULL, &pol, now + 60, &err) == LT_EPERM);
    lt__authcache_free(&ac);

    lt__pool_free(&p);
    lt_trial_close(admin);
    lt_store_remove_files(db);
    char k[300];
    snprintf(k, sizeof k, "%s.key", db);
    unlink(k);
    rmdir(dir);
    return lt_test_done();
}
