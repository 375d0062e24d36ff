/* Inside the sign module: the record kinds it writes and what a signature is bound to. */
#ifndef LUTETIA_SIGN_INT_H
#define LUTETIA_SIGN_INT_H

#include "lutetia/json.h"
#include "lutetia/sign.h"

#define LT__K_SIGNATURE "signature"         /* S000001...: one electronic signature */
#define LT__K_REFUSAL "signature_refusal"   /* R000001...: a refused attempt to sign */
#define LT__K_LOCK "lock"                   /* "trial": the data lock (checked by the store) */
#define LT__BIND_CASEBOOK "casebook"        /* the bound "kind" of a casebook sign-off */
#define LT__BIND_DATA "data"                /* ... and of the data lock ("trial") */

/* What a signature holds of what it signs. */
typedef struct lt__binding {
    char kind[40]; /* the record's kind, or LT__BIND_CASEBOOK / LT__BIND_DATA */
    char id[160];  /* the record's id, the patient, or "trial" */
    int64_t seq;   /* the audit sequence number of its last change */
    char sha256[65];
} lt__binding;

/* Whether kind is outside the data a casebook or the lock signs. */
bool lt__sign_outside_data(const char *kind);
lt_status lt__bind_record(lt_store *st, const char *kind, const char *id, lt__binding *b,
                          lt_error *err);
lt_status lt__bind_casebook(lt_store *st, const char *patient, lt__binding *b, lt_error *err);
lt_status lt__bind_data(lt_store *st, lt__binding *b, lt_error *err);
/* The binding of a signed record now, by the kind and id a signature names. */
lt_status lt__bind_again(lt_store *st, const char *kind, const char *id, lt__binding *b,
                         lt_error *err);

#endif
