/* include/livecheck/store.h - where livecheckd keeps credentials and
 * transactions.
 *
 * A store is one connection to a backend, used by one thread at a time:
 * livecheckd opens one for its HTTP thread and one per worker; the CLI opens
 * one. Backends sit behind struct store_ops (the SQLite VFS / Redis
 * ConnectionType pattern): store/sqlite.c is the default (one WAL database
 * file under the data directory); a PostgreSQL backend adds one file and one
 * row in store.c's table, nothing else changes.
 *
 *     struct store *st;
 *     struct lc_diag d = {{0}};
 *     if (store_open(&st, "var", NULL, &d) < 0) die(d.msg);  // sqlite:var
 *     struct store_secrets s;
 *     store_credential_create(st, "*", "ops", &s);   // prints s once
 *     ...
 *     store_close(st);
 *
 * Schema changes are versioned migrations applied in order by open, inside
 * one write transaction, so a CLI and a server opening the same directory
 * at once never both migrate. A database from a newer livecheck (a version
 * this build does not know) is refused with LC_ESTORE.
 *
 * Durability: store_txn_put returns only once the row is committed. With
 * the default sync (STORE_SYNC_FULL) that includes an fsync of the log, so
 * an answered transaction survives a crash of the process and of the
 * machine; STORE_SYNC_NORMAL survives a crash of the process only.
 *
 * Errors: 0 or a negative LC_E* code. LC_ENOTFOUND for a missing row,
 * LC_EEXIST when a transaction would claim a reference_id the client has
 * already used, LC_ESTORE for anything the backend reports (with diag where
 * the function takes one).
 */
#ifndef LC_STORE_H
#define LC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "livecheck/err.h"

#define STORE_ID_MAX 48       /* client_id, including the NUL */
#define STORE_SECRET_MAX 80   /* a secret in clear, including the NUL */
#define STORE_HASH_MAX 112    /* "b2$<32 hex salt>$<64 hex hash>" + NUL */
#define STORE_MODULES_MAX 128 /* "*" or "liveness,face_match" */
#define STORE_LABEL_MAX 128
#define STORE_REF_MAX 132     /* reference_id (at most 128 bytes) + NUL */
#define STORE_TXN_ID_LEN 32   /* upper-case hex */

enum store_sync { STORE_SYNC_FULL = 0, STORE_SYNC_NORMAL = 1 };

struct store_opts {
    enum store_sync sync;
    int busy_timeout_ms; /* wait for a competing writer; 0 = 5000 */
};

/* One API credential as stored: the secrets only as hashes. */
struct store_credential {
    char client_id[STORE_ID_MAX];
    char secret_hash[STORE_HASH_MAX];
    char module_hash[STORE_HASH_MAX];
    char modules[STORE_MODULES_MAX]; /* "*" = every module */
    char label[STORE_LABEL_MAX];
    int64_t created_ms; /* Unix time in milliseconds */
    int64_t revoked_ms; /* 0 while the credential is active */
};

/* A new credential's secrets in clear: shown once, never stored. */
struct store_secrets {
    char client_id[STORE_ID_MAX];
    char client_secret[STORE_SECRET_MAX];
    char module_secret[STORE_SECRET_MAX];
};

/* One API request after authentication, success or refusal. Integer
 * fields that do not apply (no face on a refusal) are -1. */
struct store_txn {
    char id[STORE_TXN_ID_LEN + 1]; /* decentroTxnId */
    char client_id[STORE_ID_MAX];
    char endpoint[64];             /* route path */
    char reference_id[STORE_REF_MAX]; /* "" when none was usable */
    /* The row claims (client_id, reference_id): the database refuses a
     * second claiming row with LC_EEXIST. Refusals that happen before the
     * reference_id is accepted, and duplicates, do not claim. */
    bool claim;
    int64_t created_ms;
    int http_status;
    char response_key[64];
    char response_code[8];
    int live, score, review;       /* 0/1, 0..100, 0/1 */
    int face[4];                   /* x, y, w, h in image pixels */
    float face_score;
    int width, height;             /* after EXIF orientation */
    int64_t bytes;                 /* image bytes received */
    double ms_total, ms_queue, ms_decode, ms_faces, ms_liveness;
};

struct store;

/* A backend. Every function gets the struct store that its own open made
 * (backends embed struct store as their first member). */
struct store_ops {
    const char *scheme; /* "sqlite" */
    int (*open)(struct store **out, const char *where,
                const struct store_opts *o, struct lc_diag *d);
    void (*close)(struct store *s);
    int (*ping)(struct store *s);
    int (*schema_version)(struct store *s);
    int (*credential_put)(struct store *s, const struct store_credential *c);
    int (*credential_get)(struct store *s, const char *client_id,
                          struct store_credential *c);
    int (*credential_each)(struct store *s,
                           int (*fn)(void *arg,
                                     const struct store_credential *c),
                           void *arg);
    int (*credential_revoke)(struct store *s, const char *client_id,
                             int64_t when_ms);
    int (*reference_taken)(struct store *s, const char *client_id,
                           const char *reference_id);
    int (*txn_put)(struct store *s, const struct store_txn *t);
    int (*txn_get)(struct store *s, const char *id, struct store_txn *t);
    int (*txn_count)(struct store *s, int64_t *n);
};

struct store {
    const struct store_ops *ops;
};

extern const struct store_ops store_sqlite_ops;

/* Open the store named by url: "sqlite:DIR", or a bare DIR (SQLite). DIR
 * is created (mode 0700) when missing; the database is DIR/livecheck.db.
 * o may be NULL for the defaults. On failure *out is NULL and d says why. */
int store_open(struct store **out, const char *url,
               const struct store_opts *o, struct lc_diag *d);
void store_close(struct store *s); /* NULL is a no-op */

/* 0 when the backend answers a trivial query. */
int store_ping(struct store *s);
/* The schema version the database is at (> 0). */
int store_schema_version(struct store *s);

/* Make a new credential for `modules` ("*" for all) and store it with its
 * secrets hashed. The clear secrets go to *out, for the operator, once. */
int store_credential_create(struct store *s, const char *modules,
                            const char *label, struct store_secrets *out);
int store_credential_get(struct store *s, const char *client_id,
                         struct store_credential *c);
/* Call fn for every credential, oldest first; a non-zero return from fn
 * stops the walk and is returned. */
int store_credential_each(struct store *s,
                          int (*fn)(void *arg,
                                    const struct store_credential *c),
                          void *arg);
/* Mark a credential revoked. LC_ENOTFOUND when there is no such active
 * credential. */
int store_credential_revoke(struct store *s, const char *client_id);

enum store_auth {
    STORE_AUTH_OK = 0,
    STORE_AUTH_INVALID,   /* unknown or revoked client, or wrong secret */
    STORE_AUTH_MODULE     /* wrong module_secret, or module not granted */
};

/* Check a request's three credentials for `module`. Sets *verdict and
 * returns 0, or a negative code when the store failed. The secrets are
 * compared as keyed hashes in constant time; an unknown client_id costs
 * the same hashing as a known one. */
int store_credential_check(struct store *s, const char *client_id,
                           const char *client_secret,
                           const char *module_secret, const char *module,
                           enum store_auth *verdict);

/* 1 when the client already has a claiming transaction with this
 * reference_id, 0 when not, negative on store failure. */
int store_reference_taken(struct store *s, const char *client_id,
                          const char *reference_id);

/* Insert t and commit. LC_EEXIST (and nothing stored) when t->claim and
 * the client's reference_id is already claimed. */
int store_txn_put(struct store *s, const struct store_txn *t);
int store_txn_get(struct store *s, const char *id, struct store_txn *t);
int store_txn_count(struct store *s, int64_t *n);

/* A keyed-hash record "b2$<salt>$<hash>" of a secret (BLAKE2b-256 keyed
 * with a fresh 16-byte random salt). The secrets livecheck makes are 256
 * random bits, so a fast keyed hash is as strong as a password hash here
 * and costs microseconds per request instead of tens of megabytes. */
void store_secret_hash(const char *secret, char out[STORE_HASH_MAX]);
/* Constant-time check of secret against a record; false for a malformed
 * record. */
bool store_secret_verify(const char *secret, const char *record);

/* Milliseconds since the Unix epoch. */
int64_t store_now_ms(void);

#endif
