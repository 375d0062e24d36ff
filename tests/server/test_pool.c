/* The server's pool of opened trials (src/server/pool.c): a kept trial is lent again only while
 * what it read at opening still holds. An amendment and a deactivation made meanwhile through
 * another connection (as another server or the command line would) are seen by the next
 * take; a trial given back after a failure is not kept; store connections are reused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
    char key[160], key2[160];
    CHECK(lt__pool_take(&p, "cole", &t, key, &err) == LT_OK);
    CHECK_STR(lt_trial_user(t), "cole");
    CHECK(lt_trial_version_count(t) == 1);
    /* lent to one request at a time: a second take while the first holds it opens another */
    CHECK(lt__pool_take(&p, "cole", &other, key2, &err) == LT_OK);
    CHECK(other != t);
    lt__pool_give(&p, other, key2, false); /* after a failure: closed, not kept */
    lt__pool_give(&p, t, key, true);
    /* nothing changed: the kept trial is lent again */
    CHECK(lt__pool_take(&p, "cole", &again, key, &err) == LT_OK);
    CHECK(again == t);
    lt__pool_give(&p, again, key, true);

    /* an amendment through another connection: the next take sees version 2.0 */
    lt_trial_amendment a = {.protocol = proto, .version = "2.0", .effective = lt_date_from_ymd(2026, 4, 1),
                            .reason = "version 2.0"};
    CHECK_MSG(lt_trial_amend(admin, &a, NULL, &err) == LT_OK, "%s", err.message);
    CHECK(lt__pool_take(&p, "cole", &t, key, &err) == LT_OK);
    CHECK_MSG(lt_trial_version_count(t) == 2, "a kept trial missed the amendment (%zu versions)",
              lt_trial_version_count(t));
    lt__pool_give(&p, t, key, true);

    /* a deactivation: the kept trial is not lent; opening refuses the user */
    CHECK(lt_trial_user_set_active(admin, "cole", false, "left", &err) == LT_OK);
    t = NULL;
    CHECK(lt__pool_take(&p, "cole", &t, key, &err) == LT_EPERM);
    CHECK(t == NULL);
    CHECK(lt_trial_user_set_active(admin, "cole", true, "back", &err) == LT_OK);
    CHECK(lt__pool_take(&p, "cole", &t, key, &err) == LT_OK);
    lt__pool_give(&p, t, key, true);

    /* more users than slots: the least recently used makes room, each still answers */
    CHECK(lt__pool_take(&p, "ana", &t, key, &err) == LT_OK);
    lt__pool_give(&p, t, key, true);
    CHECK(lt__pool_take(&p, "nobody", &t, key, &err) == LT_EPERM);

    /* store connections for authentication: given back, lent again */
    lt_store *st = NULL, *st2 = NULL;
    CHECK(lt__pool_store_take(&p, &st, &err) == LT_OK);
    lt__pool_store_give(&p, st, true);
    CHECK(lt__pool_store_take(&p, &st2, &err) == LT_OK);
    CHECK(st2 == st);
    lt__pool_store_give(&p, st2, false);
    CHECK(lt__pool_store_take(&p, &st, &err) == LT_OK);
    lt__pool_store_give(&p, st, true);

    lt__pool_free(&p);
    lt_trial_close(admin);
    lt_store_remove_files(db);
    char k[300];
    snprintf(k, sizeof k, "%s.key", db);
    unlink(k);
    rmdir(dir);
    return lt_test_done();
}
