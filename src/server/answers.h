/* Inside the server: answers of read operations kept while the store is unchanged
 * (answers.c). */
#ifndef LUTETIA_SERVER_ANSWERS_H
#define LUTETIA_SERVER_ANSWERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lutetia/auth.h"
#include "lutetia/buf.h"
#include "lutetia/date.h"

#define LT__ANSWERS_N 32

typedef struct lt__answer {
    bool set;
    char user[LT_AUTH_USER_MAX];
    char *args;    /* the operation's name and arguments, as one text */
    int64_t stamp; /* the store's change stamp read before the answer was made */
    lt_date day;   /* the day it was made on */
    char *body;
    size_t n;
    unsigned long used;
} lt__answer;

typedef struct lt__answers {
    pthread_mutex_t lock;
    lt__answer v[LT__ANSWERS_N];
    unsigned long clock;
    unsigned long hits;
} lt__answers;

void lt__answers_init(lt__answers *a);
void lt__answers_free(lt__answers *a);
/* Whether user's answer to args, made after the store showed stamp and on day, is kept; out
 * receives a copy of it. */
bool lt__answers_get(lt__answers *a, const char *user, const char *args, int64_t stamp,
                     lt_date day, lt_buf *out);
/* Keeps an answer (a copy); an older one of the same user and args is replaced. */
void lt__answers_put(lt__answers *a, const char *user, const char *args, int64_t stamp,
                     lt_date day, const char *body, size_t n);

#endif
