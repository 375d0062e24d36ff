/* The nearest known word to a mistyped one, for "did you mean ...?" after an unknown verb or
 * record kind (git and cargo answer a typo the same way). */
#include <ctype.h>
#include <string.h>
#include "cli.h"

/* Levenshtein distance (case-insensitive), capped at 9: enough to rank near spellings. */
static size_t distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 31 || nb > 31) return 9;
    size_t row[32];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t sub =
                diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            size_t best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[nb] < 9 ? row[nb] : 9;
}

size_t lt_cli_distance(const char *a, const char *b)
{
    return distance(a, b);
}

bool lt_cli_near_enough(const char *typed, size_t d)
{
    /* at most a third of the word's letters wrong (one in "scren", two in "randomse") */
    size_t n = strlen(typed);
    return d <= (n < 3 ? 1 : n / 3);
}

const char *lt_cli_nearest(const char *typed, const char *const *names)
{
    const char *best = NULL;
    size_t bestd = 9;
    for (const char *const *w = names; *w; w++) {
        size_t d = distance(typed, *w);
        if (d < bestd) bestd = d, best = *w;
    }
    return best && lt_cli_near_enough(typed, bestd) ? best : NULL;
}
