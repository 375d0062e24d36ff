/* A tabular dataset (SDTM and ADaM domains) written two ways: CSV (RFC 4180) and SAS transport
 * version 5 (XPT), the format FDA submissions take. XPT is 80-byte records: a library header,
 * a member header with one 140-byte "namestr" per variable, then the observations, numbers as
 * 8-byte IBM System/360 floating point (big-endian), text padded with blanks. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "export_int.h"

lt__dataset *lt__ds_new(const char *name, const char *label, const lt__ds_var *vars,
                        size_t nvars)
{
    lt__dataset *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->name = name;
    d->label = label;
    d->vars = vars;
    d->nvars = nvars;
    return d;
}

void lt__ds_free(lt__dataset *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->nrows * d->nvars; i++) free(d->text[i]);
    free(d->text);
    free(d->num);
    free(d);
}

bool lt__ds_row(lt__dataset *d)
{
    if (d->failed) return false;
    if (d->nrows == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        char **t = realloc(d->text, cap * d->nvars * sizeof *t);
        if (t) d->text = t;
        double *n = t ? realloc(d->num, cap * d->nvars * sizeof *n) : NULL;
        if (n) d->num = n;
        if (!t || !n) return !(d->failed = true);
        d->cap = cap;
    }
    size_t at = d->nrows * d->nvars;
    for (size_t i = 0; i < d->nvars; i++) {
        d->text[at + i] = NULL;
        d->num[at + i] = NAN;
    }
    d->nrows++;
    return true;
}

static size_t column(const lt__dataset *d, const char *var)
{
    for (size_t i = 0; i < d->nvars; i++)
        if (!strcmp(d->vars[i].name, var)) return i;
    return (size_t)-1;
}

void lt__ds_str(lt__dataset *d, const char *var, const char *value)
{
    lt__ds_str_at(d, d->nrows - 1, var, value);
}

void lt__ds_str_at(lt__dataset *d, size_t row, const char *var, const char *value)
{
    size_t c = column(d, var);
    if (c == (size_t)-1 || d->vars[c].numeric || row >= d->nrows || d->failed) {
        d->failed = true; /* a programming error: the domain's table and its filler disagree */
        return;
    }
    char **cell = &d->text[row * d->nvars + c];
    free(*cell);
    *cell = NULL;
    if (value && *value && !(*cell = strdup(value))) d->failed = true;
}

void lt__ds_num(lt__dataset *d, const char *var, double value)
{
    size_t c = column(d, var);
    if (c == (size_t)-1 || !d->vars[c].numeric || !d->nrows || d->failed) {
        d->failed = true;
        return;
    }
    d->num[(d->nrows - 1) * d->nvars + c] = value;
}

/* ---- CSV ---- */

void lt__ds_csv(const lt__dataset *d, lt_buf *b)
{
    for (size_t i = 0; i < d->nvars; i++) {
        if (i) lt_buf_putc(b, ',');
        lt_buf_puts(b, d->vars[i].name);
    }
    lt_buf_puts(b, "\r\n");
    for (size_t r = 0; r < d->nrows; r++) {
        for (size_t i = 0; i < d->nvars; i++) {
            if (i) lt_buf_putc(b, ',');
            size_t at = r * d->nvars + i;
            if (d->vars[i].numeric) {
                if (!isnan(d->num[at])) lt_buf_printf(b, "%.15g", d->num[at]);
            } else if (d->text[at]) {
                lt_buf_csv_field(b, d->text[at]);
            }
        }
        lt_buf_puts(b, "\r\n");
    }
}

/* ---- XPT ---- */

/* An IBM System/360 double: sign, excess-64 exponent of 16, 56-bit fraction; missing is '.'
 * followed by zeros. Finite values beyond IBM's range (16^63) cannot be written: false. */
static bool ibm_double(double v, unsigned char out[8])
{
    memset(out, 0, 8);
    if (isnan(v)) {
        out[0] = 0x2e;
        return true;
    }
    if (v == 0) return true;
    if (!isfinite(v)) return false;
    unsigned sign = v < 0 ? 0x80u : 0;
    double a = fabs(v);
    int e2;
    (void)frexp(a, &e2); /* a = m * 2^e2, m in [0.5, 1) */
    int e16 = e2 > 0 ? (e2 + 3) / 4 : -((-e2) / 4);
    double f = ldexp(a, -4 * e16);
    while (f >= 1.0) f /= 16.0, e16++;
    while (f < 1.0 / 16.0) f *= 16.0, e16--;
    uint64_t mant = (uint64_t)llround(ldexp(f, 56));
    if (mant >> 56) {
        mant >>= 4;
        e16++;
    }
    if (e16 + 64 > 127) return false;
    if (e16 + 64 < 0) return true; /* below IBM's smallest: zero */
    out[0] = (unsigned char)(sign | (unsigned)(e16 + 64));
    for (int i = 7; i >= 1; i--, mant >>= 8) out[i] = (unsigned char)(mant & 0xff);
    return true;
}

/* s padded with blanks (or cut) to exactly n bytes. */
static void padded(lt_buf *b, const char *s, size_t n)
{
    size_t len = s ? strlen(s) : 0;
    for (size_t i = 0; i < n; i++) lt_buf_putc(b, i < len ? s[i] : ' ');
}

static void be16(lt_buf *b, unsigned v)
{
    lt_buf_putc(b, (char)((v >> 8) & 0xff));
    lt_buf_putc(b, (char)(v & 0xff));
}

static void be32(lt_buf *b, uint32_t v)
{
    for (int s = 24; s >= 0; s -= 8) lt_buf_putc(b, (char)((v >> s) & 0xff));
}

/* Pads what was written since start to a multiple of 80 bytes with blanks. A buffer that ran
 * out of memory grows no more: stop, or this would loop for ever (the caller reports it). */
static void pad80(lt_buf *b, size_t start)
{
    while (!b->failed && (b->n - start) % 80) lt_buf_putc(b, ' ');
}

/* "ddMMMyy:hh:mm:ss", as SAS stamps its files. */
static void sas_stamp(lt_time t, char out[17])
{
    static const char *const mon[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                      "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    lt_date day = (lt_date)(t / 86400);
    int y, m, dd;
    lt_date_to_ymd(day, &y, &m, &dd);
    int s = (int)(t - (lt_time)day * 86400) % 86400;
    if (s < 0) s += 86400;
    snprintf(out, 17, "%02d%s%02d:%02d:%02d:%02d", dd % 100, mon[(m + 11) % 12], (y % 100 + 100) % 100,
             (s / 3600) % 24, (s / 60) % 60, s % 60);
}

/* The width a variable gets: numbers 8 bytes; text its longest value (at least 1; over 200,
 * XPT version 5's limit, lt__ds_check refuses). define.xml's Length reads the same. */
size_t lt__ds_width(const lt__dataset *d, size_t c)
{
    if (d->vars[c].numeric) return 8;
    size_t w = 1;
    for (size_t r = 0; r < d->nrows; r++) {
        const char *s = d->text[r * d->nvars + c];
        if (s && strlen(s) > w) w = strlen(s);
    }
    return w;
}

lt_status lt__ds_xpt(const lt__dataset *d, lt_time created, lt_buf *b, lt_error *err)
{
    char stamp[17];
    sas_stamp(created, stamp);
    size_t start = b->n;
    lt_buf_puts(b, "HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!"
                   "000000000000000000000000000000  ");
    lt_buf_puts(b, "SAS     SAS     SASLIB  9.4     Linux   ");
    padded(b, "", 24);
    lt_buf_puts(b, stamp);
    lt_buf_puts(b, stamp);
    padded(b, "", 64);
    lt_buf_puts(b, "HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!"
                   "000000000000000001600000000140  ");
    lt_buf_puts(b, "HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!"
                   "000000000000000000000000000000  ");
    lt_buf_puts(b, "SAS     ");
    padded(b, d->name, 8);
    lt_buf_puts(b, "SASDATA 9.4     Linux   ");
    padded(b, "", 24);
    lt_buf_puts(b, stamp);
    lt_buf_puts(b, stamp);
    padded(b, "", 16);
    padded(b, d->label, 40);
    padded(b, "", 8);
    lt_buf_printf(b, "HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!000000%04zu"
                     "00000000000000000000  ",
                  d->nvars);
    size_t names = b->n;
    uint32_t pos = 0;
    size_t widths[256];
    if (d->nvars > sizeof widths / sizeof widths[0])
        LT_FAIL(err, LT_EINVAL, d->name, "more than 256 variables");
    for (size_t i = 0; i < d->nvars; i++) {
        widths[i] = lt__ds_width(d, i);
        if (!d->vars[i].numeric && widths[i] > 200)
            widths[i] = 200; /* longer values are cut; lt__ds_check refuses them first */
        be16(b, d->vars[i].numeric ? 1 : 2);
        be16(b, 0);
        be16(b, (unsigned)widths[i]);
        be16(b, (unsigned)(i + 1));
        padded(b, d->vars[i].name, 8);
        padded(b, d->vars[i].label, 40);
        padded(b, "", 8); /* format */
        be16(b, 0), be16(b, 0), be16(b, d->vars[i].numeric ? 1 : 0); /* justification */
        be16(b, 0);
        padded(b, "", 8); /* informat */
        be16(b, 0), be16(b, 0);
        be32(b, pos);
        for (int k = 0; k < 52; k++) lt_buf_putc(b, 0);
        pos += (uint32_t)widths[i];
    }
    pad80(b, names);
    lt_buf_puts(b, "HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"
                   "000000000000000000000000000000  ");
    size_t obs = b->n;
    for (size_t r = 0; r < d->nrows; r++)
        for (size_t i = 0; i < d->nvars; i++) {
            size_t at = r * d->nvars + i;
            if (d->vars[i].numeric) {
                unsigned char v[8];
                if (!ibm_double(d->num[at], v))
                    LT_FAIL(err, LT_EINVAL, d->name,
                            "%s: %g cannot be written as an IBM double in XPT",
                            d->vars[i].name, d->num[at]);
                for (int k = 0; k < 8; k++) lt_buf_putc(b, (char)v[k]);
            } else {
                padded(b, d->text[at], widths[i]);
            }
        }
    pad80(b, obs);
    /* a buffer that ran out of memory stopped growing part-way: that is the error, not the
     * alignment it left (the fault test met it when an allocation inside failed) */
    if (lt_buf_failed(b)) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    if ((b->n - start) % 80) LT_FAIL(err, LT_EINVAL, d->name, "XPT records misaligned");
    return LT_OK;
}

lt_status lt__ds_check(const lt__dataset *d, lt_error *err)
{
    if (d->failed) LT_FAIL(err, LT_ENOMEM, d->name, "out of memory building the dataset");
    for (size_t i = 0; i < d->nvars; i++) {
        if (strlen(d->vars[i].name) > 8 || strlen(d->vars[i].label) > 40)
            LT_FAIL(err, LT_EINVAL, d->name, "%s: a name over 8 or a label over 40 characters",
                    d->vars[i].name);
        if (!d->vars[i].numeric && lt__ds_width(d, i) > 200)
            LT_FAIL(err, LT_EINVAL, d->name,
                    "%s: a value of %zu characters; XPT version 5 holds 200",
                    d->vars[i].name, lt__ds_width(d, i));
    }
    return LT_OK;
}
