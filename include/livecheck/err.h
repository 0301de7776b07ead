/* include/livecheck/err.h - error codes shared by every module.
 *
 * Functions that can fail return int: 0 on success or a negative LC_E* code.
 * The codes come from one X-macro table, so the enum, the message and the
 * stable key (used in CLI and API error envelopes) never drift apart.
 * Where a human needs more than the code says (model loading, input policy,
 * configuration) a function also takes an optional struct lc_diag and writes
 * a one-line reason into it.
 */
#ifndef LC_ERR_H
#define LC_ERR_H

#include <stddef.h>

#define LC_ERR_MAP(X)                                                  \
    X(EINVAL, -1, "invalid_argument", "invalid argument")              \
    X(ENOMEM, -2, "out_of_memory", "out of memory")                    \
    X(ETOOBIG, -3, "too_big", "input exceeds a configured limit")      \
    X(EFORMAT, -4, "malformed", "malformed input")                     \
    X(EUNSUP, -5, "unsupported", "unsupported feature")                \
    X(EIO, -6, "io", "i/o error")                                      \
    X(ETRUNC, -7, "truncated", "input is truncated")                   \
    X(ECHECKSUM, -8, "checksum", "checksum mismatch")                  \
    X(EDENIED, -20, "denied", "refused by an access policy")          \
    X(EUNREACH, -21, "unreachable", "unreachable or timed out")        \
    X(EHTTP, -22, "http_status", "unexpected HTTP status")             \
    X(EEMPTY, -9, "empty", "input is empty")                           \
    X(ENOTFOUND, -10, "not_found", "not found")                        \
    X(EEXIST, -11, "exists", "already exists")                         \
    X(EBUSY, -12, "busy", "resource busy or full")                     \
    X(ESTORE, -13, "store", "storage backend error")                   \
    X(ECONFLICT, -14, "conflict", "the state changed meanwhile")

enum lc_err {
    LC_OK = 0,
#define X(code, val, key, msg) LC_##code = val,
    LC_ERR_MAP(X)
#undef X
};

/* A one-line, human-readable reason for a failure. Zero-initialise it; a
 * function that fails may fill msg. */
struct lc_diag {
    char msg[256];
};

/* The message for an error code; never NULL ("unknown error" for others). */
const char *lc_strerror(int err);

/* The stable snake_case key for an error code; never NULL. */
const char *lc_err_key(int err);

/* Put prefix in front of d->msg (truncating), if d is not NULL. */
void lc_diag_prefix(struct lc_diag *d, const char *prefix);

/* printf into d->msg if d is not NULL. Returns err so that callers can write
 * `return lc_diag_set(d, LC_EFORMAT, "bad tag %d", t);`. */
int lc_diag_set(struct lc_diag *d, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
