/* EORTC QLQ-C30 (version 3.0) scale scores, as the EORTC QLQ-C30 Scoring Manual (3rd edition,
 * Fayers et al., 2001) defines them: the raw score is the mean of the scale's answered items;
 * functional scales 100 * (1 - (RS - 1) / range), symptom scales and global health status
 * 100 * (RS - 1) / range, range 3 for the four-point items and 6 for the seven-point items
 * 29-30; a scale is scored when at least half of its items are answered, else missing. */
#include <math.h>
#include <stdio.h>
#include "lutetia/outcomes.h"

typedef struct scale_def {
    const char *name;
    bool functional; /* higher is better: reversed */
    int range;
    int items[5]; /* question numbers, 0-terminated */
} scale_def;

/* The manual's table of scales (items as numbered on the version 3.0 form). */
static const scale_def scales[LT_QLQ_SCALE_COUNT] = {
    [LT_QLQ_QL] = {"QL", false, 6, {29, 30}},     [LT_QLQ_PF] = {"PF", true, 3, {1, 2, 3, 4, 5}},
    [LT_QLQ_RF] = {"RF", true, 3, {6, 7}},        [LT_QLQ_EF] = {"EF", true, 3, {21, 22, 23, 24}},
    [LT_QLQ_CF] = {"CF", true, 3, {20, 25}},      [LT_QLQ_SF] = {"SF", true, 3, {26, 27}},
    [LT_QLQ_FA] = {"FA", false, 3, {10, 12, 18}}, [LT_QLQ_NV] = {"NV", false, 3, {14, 15}},
    [LT_QLQ_PA] = {"PA", false, 3, {9, 19}},      [LT_QLQ_DY] = {"DY", false, 3, {8}},
    [LT_QLQ_SL] = {"SL", false, 3, {11}},         [LT_QLQ_AP] = {"AP", false, 3, {13}},
    [LT_QLQ_CO] = {"CO", false, 3, {16}},         [LT_QLQ_DI] = {"DI", false, 3, {17}},
    [LT_QLQ_FI] = {"FI", false, 3, {28}},
};

const char *lt_qlq_scale_name(lt_qlq_scale s)
{
    if ((unsigned)s >= LT_QLQ_SCALE_COUNT) return NULL;
    return scales[s].name;
}

lt_status lt_qlq_c30_score(const int items[LT_QLQ_C30_ITEMS], double scores[LT_QLQ_SCALE_COUNT],
                           lt_error *err)
{
    for (int q = 1; q <= LT_QLQ_C30_ITEMS; q++) {
        int v = items[q - 1], max = q >= 29 ? 7 : 4;
        if (v < 0 || v > max) {
            char w[32];
            snprintf(w, sizeof w, "question %d", q);
            LT_FAIL(err, LT_EINVAL, w,
                    "expected an answer from 1 to %d (0 when unanswered), "
                    "found %d",
                    max, v);
        }
    }
    for (int s = 0; s < LT_QLQ_SCALE_COUNT; s++) {
        const scale_def *d = &scales[s];
        int n = 0, answered = 0;
        double total = 0;
        for (; n < 5 && d->items[n]; n++)
            if (items[d->items[n] - 1] > 0) {
                answered++;
                total += items[d->items[n] - 1];
            }
        /* the half-items rule: answered >= n / 2 */
        if (2 * answered < n) {
            scores[s] = NAN;
            continue;
        }
        double rs = total / answered;
        scores[s] =
            d->functional ? 100.0 * (1.0 - (rs - 1.0) / d->range) : 100.0 * (rs - 1.0) / d->range;
    }
    return LT_OK;
}
