/* Civil dates (clinical dates, YYYY-MM-DD) and UTC instants (audit timestamps, RFC 3339).
 * A civil date is a count of days since 1970-01-01 in the proleptic Gregorian calendar, so the
 * difference of two dates is a number of days. */
#ifndef LUTETIA_DATE_H
#define LUTETIA_DATE_H

#include <stdbool.h>
#include <stdint.h>
#include "status.h"

typedef int32_t lt_date;  /* days since 1970-01-01 */
typedef int64_t lt_time;  /* seconds since 1970-01-01T00:00:00Z */

#define LT_DATE_NONE INT32_MIN
#define LT_DATE_STR_MAX 11    /* "YYYY-MM-DD" + NUL */
#define LT_TIME_STR_MAX 21    /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

/* Days per month used to express analysis times in months (ARCHITECTURE: days / 30.4375). */
#define LT_DAYS_PER_MONTH 30.4375

LT_API lt_date lt_date_from_ymd(int y, int m, int d);
LT_API void lt_date_to_ymd(lt_date date, int *y, int *m, int *d);
LT_API bool lt_date_valid_ymd(int y, int m, int d);

/* Parses exactly "YYYY-MM-DD". With allow_prefix, a longer string whose first ten characters
 * are a date (a FHIR dateTime such as 2020-01-02T10:00:00+01:00) is accepted and the time
 * part ignored. Returns false on anything else. */
LT_API bool lt_date_parse(const char *s, bool allow_prefix, lt_date *out);

/* Writes "YYYY-MM-DD" into buf (at least LT_DATE_STR_MAX bytes); returns buf. */
LT_API char *lt_date_format(lt_date date, char *buf);

/* Adds calendar months; a day that does not exist in the target month becomes its last day
 * (2024-01-31 + 1 month = 2024-02-29). */
LT_API lt_date lt_date_add_months(lt_date date, int months);

/* Whole years from birth to on, correct on the birthday; 29 February birthdays turn over on
 * 1 March in common years. */
LT_API int lt_date_age_years(lt_date birth, lt_date on);

/* Today's civil date in UTC. */
LT_API lt_date lt_date_today(void);

/* Parses RFC 3339 ("2026-01-01T08:00:00Z", "...+02:00", seconds optional, fraction ignored,
 * or "2026-01-01T08:00Z"). Returns false on anything else. */
LT_API bool lt_time_parse(const char *s, lt_time *out);

/* When s is a valid time but for its missing zone ("2026-01-01T08:00"), writes into buf a
 * message saying so and which zone to add (this computer's offset that day, or Z for UTC),
 * and returns true; false (buf untouched) for anything else. */
LT_API bool lt_time_zone_hint(const char *s, char *buf, size_t n);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" into buf (at least LT_TIME_STR_MAX bytes); returns buf. */
LT_API char *lt_time_format(lt_time t, char *buf);

LT_API lt_time lt_time_now(void);
LT_API lt_date lt_time_date(lt_time t);

#endif
