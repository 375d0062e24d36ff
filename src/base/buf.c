/* Growable text buffer with sticky allocation failure, and JSON-safe writers. */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/buf.h"

static bool reserve(lt_buf *b, size_t extra)
{
    if (b->failed) return false;
    if (extra >= SIZE_MAX - b->n) { /* n + extra + 1 would wrap and pass the test below */
        b->failed = true;
        return false;
    }
    if (b->n + extra + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void lt_buf_free(lt_buf *b)
{
    if (!b) return;
    free(b->p);
    *b = (lt_buf)LT_BUF_INIT;
}

void lt_buf_reset(lt_buf *b)
{
    b->n = 0;
    if (b->p) b->p[0] = '\0';
    b->failed = false;
}

void lt_buf_put(lt_buf *b, const void *data, size_t n)
{
    if (!reserve(b, n)) return;
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void lt_buf_puts(lt_buf *b, const char *s)
{
    lt_buf_put(b, s, strlen(s));
}

void lt_buf_putc(lt_buf *b, char c)
{
    lt_buf_put(b, &c, 1);
}

void lt_buf_printf(lt_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        lt_buf_put(b, small, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

const char *lt_buf_str(const lt_buf *b)
{
    return b->p ? b->p : "";
}

bool lt_buf_failed(const lt_buf *b)
{
    return b->failed;
}

void lt_buf_json_str(lt_buf *b, const char *s)
{
    if (!s) {
        lt_buf_puts(b, "null");
        return;
    }
    /* most strings (ids, dates, names) need no escape: one copy (a calendar writes a few
     * hundred; byte by byte they were a tenth of a calendar read) */
    const unsigned char *q = (const unsigned char *)s;
    while (*q >= 0x20 && *q != '"' && *q != '\\') q++;
    if (!*q) {
        size_t n = (size_t)(q - (const unsigned char *)s);
        if (!reserve(b, n + 2)) return;
        b->p[b->n] = '"';
        memcpy(b->p + b->n + 1, s, n);
        b->p[b->n + 1 + n] = '"';
        b->n += n + 2;
        b->p[b->n] = '\0';
        return;
    }
    lt_buf_putc(b, '"');
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = NULL;
        char ubuf[8];
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (*p < 0x20) {
                snprintf(ubuf, sizeof ubuf, "\\u%04x", *p);
                esc = ubuf;
            }
        }
        if (esc) {
            lt_buf_put(b, run, (size_t)((const char *)p - run));
            lt_buf_puts(b, esc);
            run = (const char *)p + 1;
        }
    }
    lt_buf_puts(b, run);
    lt_buf_putc(b, '"');
}

void lt_buf_num(lt_buf *b, double x)
{
    char tmp[40];
    if (x == 0) x = 0; /* no "-0" */
    /* JSON and CSV want '.' whatever the locale a host program set: format in the C locale,
     * for this thread only (uselocale), and put the caller's back before returning */
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    locale_t saved = c ? uselocale(c) : (locale_t)0;
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, x);
        if (strtod(tmp, NULL) == x) break;
    }
    /* %g switches to an exponent when the precision is below the number of integer digits
     * (60 at precision 1 is "6e+01"): widen it so that whole numbers read as people write them */
    if (isfinite(x) && fabs(x) >= 1 && fabs(x) < 1e17) {
        int int_digits = (int)floor(log10(fabs(x))) + 1;
        if (prec < int_digits) prec = int_digits;
    }
    snprintf(tmp, sizeof tmp, "%.*g", prec, x);
    if (c) {
        uselocale(saved);
        freelocale(c);
    }
    lt_buf_puts(b, tmp);
}

void lt_buf_json_num(lt_buf *b, double x)
{
    if (!isfinite(x)) {
        lt_buf_puts(b, "null");
        return;
    }
    lt_buf_num(b, x);
}

void lt_buf_csv_field(lt_buf *b, const char *s)
{
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        lt_buf_puts(b, s);
        return;
    }
    lt_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"') lt_buf_putc(b, '"');
        lt_buf_putc(b, *s);
    }
    lt_buf_putc(b, '"');
}
