/* Inside the auth module: hashing and random helpers shared by passwords, sessions and tokens. */
#ifndef LUTETIA_AUTH_INT_H
#define LUTETIA_AUTH_INT_H

#include "lutetia/auth.h"
#include "lutetia/buf.h"
#include "lutetia/json.h"

/* 32 random bytes as 64 hex digits. */
void lt__auth_random_hex(char out[LT_AUTH_SECRET_HEX]);
/* SHA-256 of s as 64 hex digits. */
void lt__auth_sha256_hex(const char *s, char out[LT_AUTH_SECRET_HEX]);
/* Equal hex digests, in time independent of where they differ. */
bool lt__auth_same_hash(const char *a, const char *b);
/* A user name as the trial module accepts it (letters, digits, - _ . @; 1 to 64). */
bool lt__auth_name_ok(const char *s);
/* Reads record kind/id and parses its document; LT_ENOTFOUND when absent. *rev gets its
 * revision. */
lt_status lt__auth_read(lt_store *st, const char *kind, const char *id, lt_json **doc,
                        int64_t *rev, lt_error *err);
/* The stored user's role name and whether it is active; false when there is no such user. */
bool lt__auth_user(lt_store *st, const char *user, char role[32], bool *active);

/* The second factor of user at now, inside the caller's transaction: *enrolled says whether
 * the user has one; *ok whether code is its current code, not used before (the step used is
 * then written, audited "totp.used"). */
lt_status lt__auth_totp_check(lt_store *st, const char *user, const char *code, int64_t now,
                              bool *enrolled, bool *ok, lt_error *err);

/* Ends every open session of user in the caller's transaction ("session.logout" with reason);
 * *ended (may be NULL) receives how many. */
lt_status lt__auth_sessions_end_all(lt_store *st, const char *user, const lt_actor *who,
                                    const char *reason, int *ended, lt_error *err);

/* As lt__auth_sessions_end_all, leaving session keep (its SHA-256; NULL: none) open. */
lt_status lt__auth_sessions_end_others(lt_store *st, const char *user, const char *keep,
                                       const lt_actor *who, const char *reason, int *ended,
                                       lt_error *err);

/* Stores user's (already acceptable) password as lt_auth_password_set does, audited
 * "user.password" with reason, and ends the user's sessions but keep (NULL: all); *ended (may
 * be NULL) receives how many. The caller has checked who may. */
lt_status lt__auth_password_store(lt_trial *t, const char *user, const char *password,
                                  const char *keep, const char *reason, int *ended,
                                  lt_error *err);

/* lt_auth_token_check, giving also when the token expires (0: never), for a caller that
 * keeps the answer (src/server/authcache.c). */
lt_status lt__auth_token_check(lt_store *st, const char *token, int64_t now,
                               char user[LT_AUTH_USER_MAX], int64_t *expires, lt_error *err);

/* What a session check judges, as read from the store: the session record and whether its
 * user exists and is active. */
typedef struct lt__session_facts {
    char user[LT_AUTH_USER_MAX];
    char csrf_sha256[LT_AUTH_SECRET_HEX];
    int64_t created, seen;
    bool ended, user_ok;
} lt__session_facts;

/* The session check's judgement of f at now (ended, deactivated, too old, idle, the CSRF token
 * of a change): LT_OK or LT_EPERM with the reason. Writes nothing. */
lt_status lt__auth_session_judge(const lt__session_facts *f, bool changes, const char *csrf,
                                 const lt_auth_policy *p, int64_t now, lt_error *err);
/* lt_auth_session_check, giving also the facts it judged (f->seen: the time written when it
 * wrote one, *touched then true), for a caller that keeps them (src/server/authcache.c). */
lt_status lt__auth_session_check(lt_store *st, const char *id, bool changes, const char *csrf,
                                 const lt_auth_policy *p, int64_t now,
                                 char user[LT_AUTH_USER_MAX], lt__session_facts *f,
                                 bool *touched, lt_error *err);

#endif
