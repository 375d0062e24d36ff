/* The schedule module's internal model, shared by its reader (spec.c), the calendar
 * computation (calendar.c) and the exports (export.c). Not installed. */
#ifndef LT_SCHEDULE_INT_H
#define LT_SCHEDULE_INT_H

#include "lutetia/schedule.h"

typedef struct lt__sched_item {
    char *id;
    lt_sched_kind kind;
    char *label;
    char *anchor;             /* an anchor event's name or another item's id */
    lt_sched_duration offset; /* from the anchor to the (first) target date */
    lt_sched_duration before, after;
    bool has_delay;
    lt_sched_duration delay_max; /* from the anchor: the latest a delayed occurrence may be */
    char *delay_reason;
    /* delay.withheld: how a withheld occurrence is planned again (docs/protocol-format.md,
     * "Withheld cycles"): given no earlier than the decision, target `recheck` after it, a
     * lab re-check entry in [target - recheck_before, target + recheck_after] */
    bool has_recheck;
    lt_sched_duration recheck, recheck_before, recheck_after;
    char **recheck_analytes; /* the re-check panel (none: any result) */
    size_t nrecheck_analytes;
    lt_sched_duration every; /* repeats: occurrence k (0-based) at offset + k * every */
    int count;
    char **arms; /* none: every arm */
    size_t narms;
    char **not_before; /* anchors or items whose date the entries may not precede */
    size_t nnot_before;
    char **analytes; /* lab items: the panel a day's results must hold (none: any result) */
    size_t nanalytes;
    char **modalities; /* imaging items: the modalities that count (none: any) */
    size_t nmodalities;
} lt__sched_item;

typedef struct lt__sched_stop {
    char *event;    /* "recurrence" */
    unsigned kinds; /* bit (1 << lt_sched_kind) for each kind it cancels */
} lt__sched_stop;

struct lt_schedule {
    char **anchors;
    size_t nanchors;
    lt__sched_item *items; /* in the file's order */
    size_t nitems;
    size_t *order; /* item indexes, each after the item it is anchored to */
    lt__sched_stop *stops;
    size_t nstops;
    char **arm_ids; /* the protocol's arms, when known */
    size_t narm_ids;
};

/* Formats an error place or JSON path into buf (LT_ERROR_WHERE_MAX bytes), truncating. */
void lt__sched_pathf(char *buf, const char *fmt, ...) LT_PRINTF(2, 3);
#define pathf lt__sched_pathf

bool lt__sched_item_in_arm(const lt__sched_item *it, const char *arm);
const lt__sched_item *lt__sched_find(const lt_schedule *s, const char *id);

#endif
