/* Civil-date arithmetic on a day count, and RFC 3339 instants.
 * days_from_civil/civil_from_days follow the era-based method published by H. Hinnant
 * ("chrono-compatible low-level date algorithms"), which is exact for every proleptic
 * Gregorian date representable in 32 bits. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lutetia/date.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool lt_date_valid_ymd(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

lt_date lt_date_from_ymd(int y, int m, int d)
{
    return (lt_date)days_from_civil(y, (unsigned)m, (unsigned)d);
}

void lt_date_to_ymd(lt_date date, int *y, int *m, int *d)
{
    civil_from_days(date, y, m, d);
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool lt_date_parse(const char *s, bool allow_prefix, lt_date *out)
{
    int y, m, d;
    if (!s || strlen(s) < 10) return false;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (s[10] != '\0' && !(allow_prefix && s[10] == 'T')) return false;
    if (!lt_date_valid_ymd(y, m, d)) return false;
    *out = lt_date_from_ymd(y, m, d);
    return true;
}

char *lt_date_format(lt_date date, char *buf)
{
    int y, m, d;
    if (date == LT_DATE_NONE) {
        strcpy(buf, "-");
        return buf;
    }
    civil_from_days(date, &y, &m, &d);
    if (y >= 0) {
        /* the digits written directly: snprintf here was a tenth of the server's time on a
         * calendar read (a calendar writes about a hundred dates); the same text */
        int yy = y % 10000;
        buf[0] = (char)('0' + yy / 1000);
        buf[1] = (char)('0' + yy / 100 % 10);
        buf[2] = (char)('0' + yy / 10 % 10);
        buf[3] = (char)('0' + yy % 10);
        buf[4] = '-';
        buf[5] = (char)('0' + m / 10);
        buf[6] = (char)('0' + m % 10);
        buf[7] = '-';
        buf[8] = (char)('0' + d / 10);
        buf[9] = (char)('0' + d % 10);
        buf[10] = '\0';
        return buf;
    }
    char tmp[48]; /* wide enough for any int, so the compiler can see nothing is cut */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y % 10000, m, d);
    memcpy(buf, tmp, LT_DATE_STR_MAX - 1);
    buf[LT_DATE_STR_MAX - 1] = '\0';
    return buf;
}

lt_date lt_date_add_months(lt_date date, int months)
{
    int y, m, d;
    civil_from_days(date, &y, &m, &d);
    int total = y * 12 + (m - 1) + months;
    int ny = total >= 0 ? total / 12 : (total - 11) / 12;
    int nm = total - ny * 12 + 1;
    int dim = days_in_month(ny, nm);
    return lt_date_from_ymd(ny, nm, d > dim ? dim : d);
}

int lt_date_age_years(lt_date birth, lt_date on)
{
    int by, bm, bd, oy, om, od;
    civil_from_days(birth, &by, &bm, &bd);
    civil_from_days(on, &oy, &om, &od);
    int age = oy - by;
    if (om < bm || (om == bm && od < bd)) age--;
    return age;
}

lt_date lt_date_today(void)
{
    return lt_time_date((lt_time)time(NULL));
}

bool lt_time_parse(const char *s, lt_time *out)
{
    int y, mo, d, hh, mi, ss = 0;
    if (!s || strlen(s) < 16) return false;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &hh) || s[13] != ':' || !digits(s + 14, 2, &mi))
        return false;
    const char *p = s + 16;
    if (*p == ':') {
        if (!digits(p + 1, 2, &ss)) return false;
        p += 3;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p)) return false;
            while (isdigit((unsigned char)*p)) p++;
        }
    }
    if (!lt_date_valid_ymd(y, mo, d) || hh > 23 || mi > 59 || ss > 60) return false;
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
            om > 59)
            return false;
        offset = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false; /* an instant without a zone is ambiguous */
    }
    if (*p != '\0') return false;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + (int64_t)hh * 3600 +
           (int64_t)mi * 60 + ss - offset;
    return true;
}

bool lt_time_zone_hint(const char *s, char *buf, size_t n)
{
    char z[64];
    lt_time t;
    if (!s || strlen(s) > sizeof z - 2) return false;
    snprintf(z, sizeof z, "%sZ", s);
    if (!lt_time_parse(z, &t)) return false;
    /* this computer's offset for that wall-clock time, as mktime reads it in TZ: the likely
     * zone of a time typed at the site; the person still chooses */
    int y, mo, d, hh, mi;
    sscanf(s, "%4d-%2d-%2d%*c%2d:%2d", &y, &mo, &d, &hh, &mi);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = hh,
                    .tm_min = mi, .tm_isdst = -1};
    long off = mktime(&tm) == (time_t)-1 ? 0 : tm.tm_gmtoff;
    if (off < -86399 || off > 86399) off = 0; /* no zone is a day off UTC */
    if (off == 0)
        snprintf(buf, n,
                 "'%s' has no time zone, so the instant is ambiguous: add one, e.g. '%sZ' (UTC, "
                 "this computer's zone) or the site's offset such as '%s+01:00'",
                 s, s, s);
    else
        snprintf(buf, n,
                 "'%s' has no time zone, so the instant is ambiguous: add one, e.g. "
                 "'%s%c%02ld:%02ld' (this computer's zone on that day) or '%sZ' for UTC",
                 s, s, off < 0 ? '-' : '+', labs(off) / 3600, labs(off) / 60 % 60, s);
    return true;
}

char *lt_time_format(lt_time t, char *buf)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    char tmp[80];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", y % 10000, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    memcpy(buf, tmp, LT_TIME_STR_MAX - 1);
    buf[LT_TIME_STR_MAX - 1] = '\0';
    return buf;
}

lt_time lt_time_now(void)
{
    return (lt_time)time(NULL);
}

lt_date lt_time_date(lt_time t)
{
    return (lt_date)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}
