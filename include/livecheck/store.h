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

/* ---- active video liveness sessions ---------------------------------- */

#define STORE_HEX64_MAX 65   /* a 256-bit hash in hex + NUL */
#define STORE_URL_MAX 2048   /* redirect_url, callback_url + NUL */
#define STORE_CHALLENGE_MAX 256
#define STORE_MEDIA_ID_MAX 33 /* 32 hex + NUL */
#define STORE_META_MAX 2048  /* the capture page's metadata JSON + NUL */
#define STORE_RESULT_MAX 8192 /* a session's result `data` JSON + NUL */
#define STORE_EMBED_DIM 512

/* A session's life: pending (waiting for the capture), queued (the
 * recording is stored, waiting for a worker), processing (a node holds
 * the job's lease), then done or failed. "expired" is not stored: a
 * pending session past expires_ms is expired. */
enum store_session_state {
    STORE_SESSION_PENDING = 0,
    STORE_SESSION_QUEUED,
    STORE_SESSION_PROCESSING,
    STORE_SESSION_DONE,
    STORE_SESSION_FAILED
};
const char *store_session_state_name(enum store_session_state s);

struct store_session {
    char txn[STORE_TXN_ID_LEN + 1];   /* the initiate's decentroTxnId */
    char client_id[STORE_ID_MAX];
    char reference_id[STORE_REF_MAX];
    char token_hash[STORE_HEX64_MAX]; /* BLAKE2b-256 of the capture token */
    char challenge[STORE_CHALLENGE_MAX]; /* active_challenge_format */
    char redirect_url[STORE_URL_MAX];
    char callback_url[STORE_URL_MAX];
    int64_t created_ms, expires_ms, uploaded_ms, finished_ms;
    int attempts, max_attempts;       /* capture uploads refused / allowed */
    enum store_session_state state;
    int nref;                         /* reference images, 0..4 */
    char capture_media[STORE_MEDIA_ID_MAX]; /* the recording, "" before */
    char video_sha256[STORE_HEX64_MAX];
    bool duplicate;                   /* the recording was uploaded before */
    char meta[STORE_META_MAX];        /* what the capture page sent */
    char lease_owner[64];
    int64_t lease_until_ms;
    char error_key[64];               /* failed: why */
    char result[STORE_RESULT_MAX];    /* done: the results' data JSON */
};

/* A stored file: reference images, recordings, best frames. */
struct store_media {
    char id[STORE_MEDIA_ID_MAX];      /* random, 32 hex */
    char txn[STORE_TXN_ID_LEN + 1];   /* the session it belongs to */
    char kind[16];                    /* "reference", "capture", "frame" */
    char ctype[32];                   /* "image/jpeg", "video/webm" */
    const uint8_t *data;              /* put: borrowed */
    size_t n;
    int64_t created_ms;
};

/* One reference image of a session: its embedding and its media id. */
struct store_session_ref {
    int index;
    char media[STORE_MEDIA_ID_MAX];
    float emb[STORE_EMBED_DIM];
};

/* A callback waiting to be delivered (the outbox). */
struct store_outbox {
    int64_t id;
    char txn[STORE_TXN_ID_LEN + 1];
    char client_id[STORE_ID_MAX];
    char url[STORE_URL_MAX];
    char body[2 * STORE_RESULT_MAX];  /* the POSTed JSON: the result with
                                       * its links signed, and the envelope */
    int attempts;
    int64_t next_ms;                  /* not before */
    int64_t delivered_ms;             /* 0 until a 2xx */
    int last_status;                  /* last HTTP status, 0 = none */
    char last_error[160];
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
    /* Sessions (see the functions below for the contracts). */
    int (*session_create)(struct store *s, const struct store_txn *t,
                          const struct store_session *ss,
                          const struct store_session_ref *refs,
                          const struct store_media *media, int nref);
    int (*session_get)(struct store *s, const char *txn,
                       struct store_session *ss);
    int (*session_by_token)(struct store *s, const char *token_hash,
                            struct store_session *ss);
    int (*session_refs)(struct store *s, const char *txn,
                        struct store_session_ref *refs, int max);
    int (*session_attempt)(struct store *s, const char *txn);
    int (*session_upload)(struct store *s, const char *txn,
                          const struct store_media *video,
                          const char *sha256, const char *meta,
                          int64_t now_ms, bool *duplicate);
    int (*job_claim)(struct store *s, const char *owner, int64_t now_ms,
                     int64_t lease_ms, struct store_session *ss);
    int (*job_finish)(struct store *s, const char *txn, const char *owner,
                      enum store_session_state state, const char *result,
                      const char *error_key, const struct store_media *media,
                      int nmedia, const struct store_outbox *callback);
    int (*job_release)(struct store *s, const char *owner);
    int (*job_touch)(struct store *s, const char *txn, const char *owner,
                     int64_t until_ms);
    int (*media_put)(struct store *s, const struct store_media *m);
    int (*media_get)(struct store *s, const char *id, uint8_t **data,
                     size_t *n, char ctype[32]);
    int (*outbox_claim)(struct store *s, int64_t now_ms, int64_t lease_ms,
                        struct store_outbox *ob);
    int (*outbox_result)(struct store *s, int64_t id, bool delivered,
                         int status, const char *error, int64_t next_ms);
    int (*purge)(struct store *s, int64_t before_ms, int64_t *removed);
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
/* url with any password masked ("postgres://u:***@h/db", "password=***"),
 * for logs and printed configuration. */
void store_url_redact(const char *url, char *out, size_t n);

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

/* ---- sessions ---------------------------------------------------------
 * What POST .../active_video_liveness/initiate stores, the capture page
 * reads and uploads into, and the analysis job finishes. */

/* Commit, in one transaction: the initiate's transaction row t (claiming
 * its reference_id: LC_EEXIST and nothing stored when it is taken), the
 * session ss, and its nref reference images (refs[i] with media[i]). */
int store_session_create(struct store *s, const struct store_txn *t,
                         const struct store_session *ss,
                         const struct store_session_ref *refs,
                         const struct store_media *media, int nref);
/* By the initiate's transaction id, or by the hash of the capture token.
 * LC_ENOTFOUND when there is none. */
int store_session_get(struct store *s, const char *txn,
                      struct store_session *ss);
int store_session_by_token(struct store *s, const char *token_hash,
                           struct store_session *ss);
/* The session's reference images in order into refs (at most max);
 * returns how many, or a negative code. */
int store_session_refs(struct store *s, const char *txn,
                       struct store_session_ref *refs, int max);
/* Count one refused capture upload. */
int store_session_attempt(struct store *s, const char *txn);
/* Take the recording: in one transaction, only while the session is
 * pending and now_ms is before its expiry (else LC_ECONFLICT and nothing
 * changes), store video, move the session to queued with the recording's
 * SHA-256 and the page's metadata, and remember the hash; *duplicate says
 * whether the same bytes were uploaded to any session before. */
int store_session_upload(struct store *s, const char *txn,
                         const struct store_media *video, const char *sha256,
                         const char *meta, int64_t now_ms, bool *duplicate);

/* The analysis queue. Claim the oldest queued session, or one processing
 * whose lease ran out (its node died), for owner until now_ms + lease_ms:
 * 1 and *ss filled, 0 when there is none, or a negative code. */
int store_job_claim(struct store *s, const char *owner, int64_t now_ms,
                    int64_t lease_ms, struct store_session *ss);
/* Finish a claimed job in one transaction: the session's state (done or
 * failed) with its result data or error key, the media it made (best
 * frames), and the callback to deliver (NULL for none). LC_ECONFLICT when
 * owner no longer holds the lease (another node took the job over). */
int store_job_finish(struct store *s, const char *txn, const char *owner,
                     enum store_session_state state, const char *result,
                     const char *error_key, const struct store_media *media,
                     int nmedia, const struct store_outbox *callback);
/* Extend owner's lease on a processing session to until_ms (a running
 * job's heartbeat). LC_ECONFLICT when owner no longer holds it. */
int store_job_touch(struct store *s, const char *txn, const char *owner,
                    int64_t until_ms);
/* Give back every lease owner holds (a node starting again under the same
 * name): its processing sessions become queued. */
int store_job_release(struct store *s, const char *owner);

int store_media_put(struct store *s, const struct store_media *m);
/* The bytes of media id into *data (malloc'd; the caller frees) and its
 * content type. LC_ENOTFOUND when there is none (or it was purged). */
int store_media_get(struct store *s, const char *id, uint8_t **data,
                    size_t *n, char ctype[32]);

/* The callback outbox. Claim the oldest undelivered callback that is due
 * (next_ms <= now_ms) and push its next_ms to now_ms + lease_ms so no
 * other delivery loop takes it meanwhile: 1 and *ob filled, 0 when none
 * is due, or a negative code. */
int store_outbox_claim(struct store *s, int64_t now_ms, int64_t lease_ms,
                       struct store_outbox *ob);
/* Record an attempt: delivered (2xx), or not with the status/error and
 * when to try again (next_ms; 0 = never: the retry limit is reached). */
int store_outbox_result(struct store *s, int64_t id, bool delivered,
                        int status, const char *error, int64_t next_ms);

/* Retention: delete the media and reference embeddings of sessions
 * created before before_ms (their rows and results stay, with the media
 * gone); *removed is how many media were deleted. */
int store_purge(struct store *s, int64_t before_ms, int64_t *removed);

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
