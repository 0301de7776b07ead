/* src/core/err.c - messages and keys for the LC_E* codes of err.h. */
#include "livecheck/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *lc_strerror(int err)
{
    switch (err) {
    case LC_OK:
        return "success";
#define X(code, val, key, msg) \
    case LC_##code:            \
        return msg;
        LC_ERR_MAP(X)
#undef X
    }
    return "unknown error";
}

const char *lc_err_key(int err)
{
    switch (err) {
    case LC_OK:
        return "ok";
#define X(code, val, key, msg) \
    case LC_##code:            \
        return key;
        LC_ERR_MAP(X)
#undef X
    }
    return "unknown";
}

int lc_diag_set(struct lc_diag *d, int err, const char *fmt, ...)
{
    if (d != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->msg, sizeof d->msg, fmt, ap);
        va_end(ap);
    }
    return err;
}

void lc_diag_prefix(struct lc_diag *d, const char *prefix)
{
    if (d == NULL)
        return;
    size_t p = strlen(prefix), n = strnlen(d->msg, sizeof d->msg - 1);
    if (p >= sizeof d->msg - 1)
        p = sizeof d->msg - 1;
    if (p + n > sizeof d->msg - 1)
        n = sizeof d->msg - 1 - p;
    memmove(d->msg + p, d->msg, n);
    memcpy(d->msg, prefix, p);
    d->msg[p + n] = 0;
}
