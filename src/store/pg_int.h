/* src/store/pg_int.h - what the files of the PostgreSQL backend share: the
 * connection, its prepared statements (by enum), parameter and column
 * helpers. pg.c connects, migrates and serves credentials and
 * transactions; pg_session.c serves sessions, media, the job queue and
 * the outbox. The SQL mirrors sqlite_int.h statement for statement.
 */
#ifndef LC_STORE_PG_INT_H
#define LC_STORE_PG_INT_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/store.h"

#define PG_SESSION_COLS                                                  \
    "txn, client_id, reference_id, token_hash, challenge, redirect_url," \
    " callback_url, created_ms, expires_ms, uploaded_ms, finished_ms,"   \
    " attempts, max_attempts, state, nref, capture_media, video_sha256," \
    " duplicate, meta, lease_owner, lease_until_ms, error_key, result"

#define PG_OUTBOX_COLS                                                   \
    "id, txn, client_id, url, body, attempts, next_ms, delivered_ms,"    \
    " last_status, last_error"

#define PG_TXN_COLS                                                      \
    "id, client_id, endpoint, reference_id, claim, created_ms,"          \
    " http_status, response_key, response_code, live, score, review,"    \
    " face_x, face_y, face_w, face_h, face_score, width, height, bytes," \
    " ms_total, ms_queue, ms_decode, ms_faces, ms_liveness"

#define PG_CRED_COLS                                                     \
    "client_id, secret_hash, module_hash, modules, label, created_ms,"   \
    " revoked_ms"

/* The prepared statements (PQprepare'd once per connection, again after a
 * reset), as an X-macro so that the enum and the SQL cannot drift apart.
 * Claims lock the row they take with FOR UPDATE SKIP LOCKED, so two nodes
 * never take the same job or callback and never wait for each other. */
#define PG_STMTS(X)                                                      \
    X(ping, "SELECT count(*) FROM credentials")                         \
    X(version, "SELECT max(version) FROM schema_version")               \
    X(cred_put, "INSERT INTO credentials (" PG_CRED_COLS ")"             \
                " VALUES ($1,$2,$3,$4,$5,$6,$7)")                        \
    X(cred_get, "SELECT " PG_CRED_COLS " FROM credentials"               \
                " WHERE client_id = $1")                                 \
    X(cred_all, "SELECT " PG_CRED_COLS " FROM credentials"               \
                " ORDER BY created_ms, client_id COLLATE \"C\"")         \
    X(cred_revoke, "UPDATE credentials SET revoked_ms = $1"              \
                   " WHERE client_id = $2 AND revoked_ms = 0")           \
    X(ref_taken, "SELECT 1 FROM transactions WHERE client_id = $1"       \
                 " AND reference_id = $2 AND claim = 1")                 \
    X(txn_put, "INSERT INTO transactions (" PG_TXN_COLS ") VALUES"       \
               " ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,"   \
               "$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)")               \
    X(txn_get, "SELECT " PG_TXN_COLS " FROM transactions WHERE id = $1") \
    X(txn_count, "SELECT count(*) FROM transactions")                  \
    X(ses_put, "INSERT INTO sessions (txn, client_id, reference_id,"     \
               " token_hash, challenge, redirect_url, callback_url,"     \
               " created_ms, expires_ms, max_attempts, state, nref)"     \
               " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)")       \
    X(ses_get, "SELECT " PG_SESSION_COLS " FROM sessions WHERE txn = $1") \
    X(ses_token, "SELECT " PG_SESSION_COLS " FROM sessions"              \
                 " WHERE token_hash = $1")                               \
    X(ref_put, "INSERT INTO session_refs (txn, idx, media, emb)"         \
               " VALUES ($1,$2,$3,$4)")                                  \
    X(ref_get, "SELECT idx, media, emb FROM session_refs WHERE txn = $1" \
               " ORDER BY idx")                                          \
    X(ses_attempt, "UPDATE sessions SET attempts = attempts + 1"         \
                   " WHERE txn = $1")                                    \
    X(ses_upload, "UPDATE sessions SET state = 1, uploaded_ms = $1,"     \
                  " capture_media = $2, video_sha256 = $3, meta = $4,"   \
                  " duplicate = $5 WHERE txn = $6 AND state = 0"         \
                  " AND expires_ms > $7")                                \
    X(hash_put, "INSERT INTO upload_hashes (sha256, txn, created_ms)"    \
                " VALUES ($1,$2,$3) ON CONFLICT (sha256) DO NOTHING")    \
    X(job_claim, "UPDATE sessions SET state = 2, lease_owner = $1,"      \
                 " lease_until_ms = $2 WHERE txn = (SELECT txn FROM"     \
                 " sessions WHERE state = 1 OR (state = 2 AND"           \
                 " lease_until_ms < $3) ORDER BY uploaded_ms LIMIT 1"    \
                 " FOR UPDATE SKIP LOCKED) RETURNING " PG_SESSION_COLS)  \
    X(job_finish, "UPDATE sessions SET state = $1, result = $2,"         \
                  " error_key = $3, finished_ms = $4, lease_owner = NULL," \
                  " lease_until_ms = 0 WHERE txn = $5 AND state = 2"     \
                  " AND lease_owner = $6")                               \
    X(job_release, "UPDATE sessions SET state = 1, lease_owner = NULL,"  \
                   " lease_until_ms = 0 WHERE state = 2"                 \
                   " AND lease_owner = $1")                              \
    X(job_touch, "UPDATE sessions SET lease_until_ms = $1 WHERE txn = $2" \
                 " AND state = 2 AND lease_owner = $3")                  \
    X(media_put, "INSERT INTO media (id, txn, kind, ctype, data,"        \
                 " created_ms) VALUES ($1,$2,$3,$4,$5,$6)")              \
    X(media_get, "SELECT ctype, data FROM media WHERE id = $1")          \
    X(ob_put, "INSERT INTO outbox (txn, client_id, url, body, attempts," \
              " next_ms, delivered_ms, last_status, last_error)"         \
              " VALUES ($1,$2,$3,$4,0,$5,0,0,'')")                       \
    X(ob_claim, "UPDATE outbox SET next_ms = $1 WHERE id = (SELECT id"   \
                " FROM outbox WHERE delivered_ms = 0 AND next_ms > 0"    \
                " AND next_ms <= $2 ORDER BY next_ms, id LIMIT 1"        \
                " FOR UPDATE SKIP LOCKED) RETURNING " PG_OUTBOX_COLS)    \
    X(ob_result, "UPDATE outbox SET attempts = attempts + 1,"            \
                 " delivered_ms = $1, last_status = $2, last_error = $3," \
                 " next_ms = $4 WHERE id = $5")                          \
    X(purge_media, "DELETE FROM media WHERE txn IN (SELECT txn FROM"     \
                   " sessions WHERE created_ms < $1)")                   \
    X(purge_refs, "UPDATE session_refs SET emb = NULL WHERE txn IN"      \
                  " (SELECT txn FROM sessions WHERE created_ms < $1)")

enum pg_stmt {
#define X(name, sql) PS_##name,
    PG_STMTS(X)
#undef X
    PS_COUNT
};

struct pg {
    struct store base; /* first: a struct store * is a struct pg * */
    PGconn *conn;
    enum store_sync sync;
    int lock_ms;       /* lock_timeout: how long to wait for a writer */
    bool ready;        /* this session has its settings and statements */
};

/* ---- parameters ---------------------------------------------------------
 * Text format for strings and numbers, binary for bytea. */
#define PP_MAX 28

struct pp {
    int n;
    const char *v[PP_MAX];
    int len[PP_MAX];
    int fmt[PP_MAX];
    char num[PP_MAX][32];
};

static inline void pp_null(struct pp *p)
{
    p->v[p->n] = NULL;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

/* A string; NULL binds "" (sqlite_session.c's bind_str). */
static inline void pp_str(struct pp *p, const char *s)
{
    p->v[p->n] = s ? s : "";
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

/* A string where NULL and "" bind NULL (sqlite_int.h's bind_text). */
static inline void pp_text(struct pp *p, const char *s)
{
    if (s == NULL || s[0] == 0)
        pp_null(p);
    else
        pp_str(p, s);
}

static inline void pp_i64(struct pp *p, int64_t v)
{
    snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)v);
    pp_str(p, p->num[p->n]);
}

/* -1 (any negative) binds NULL. */
static inline void pp_opt_i64(struct pp *p, int64_t v)
{
    if (v < 0)
        pp_null(p);
    else
        pp_i64(p, v);
}

static inline void pp_opt_real(struct pp *p, double v)
{
    if (v < 0) {
        pp_null(p);
        return;
    }
    snprintf(p->num[p->n], sizeof p->num[p->n], "%.17g", v);
    pp_str(p, p->num[p->n]);
}

/* Bytes (bytea), sent in binary. */
static inline void pp_bin(struct pp *p, const void *data, size_t n)
{
    p->v[p->n] = data ? (const char *)data : "";
    p->len[p->n] = (int)n;
    p->fmt[p->n++] = 1;
}

/* ---- columns (text-format results) ------------------------------------ */
static inline void col_str(const PGresult *r, int row, int i, char *out,
                           size_t n)
{
    snprintf(out, n, "%s", PQgetisnull(r, row, i) ? "" : PQgetvalue(r, row, i));
}

static inline int64_t col_i64(const PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? 0 : strtoll(PQgetvalue(r, row, i), NULL, 10);
}

static inline int col_int(const PGresult *r, int row, int i)
{
    return (int)col_i64(r, row, i);
}

/* NULL reads -1. */
static inline int64_t col_opt_i64(const PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? -1 : strtoll(PQgetvalue(r, row, i), NULL, 10);
}

static inline double col_opt_real(const PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? -1.0 : strtod(PQgetvalue(r, row, i), NULL);
}

/* PostgreSQL text holds valid UTF-8 only: a key that is not cannot be
 * stored, so a lookup by it finds nothing (instead of a store error). */
static inline bool pg_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1
                : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0 || (n == 1 && *p < 0xC2) || (*p > 0xF4))
            return false;
        unsigned c = *p & (0x3F >> n);
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            c = c << 6 | (p[i] & 0x3F);
        }
        if ((n == 2 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
            (n == 3 && (c < 0x10000 || c > 0x10FFFF)))
            return false;
        p += n + 1;
    }
    return true;
}

/* ---- pg.c ------------------------------------------------------------- */
/* Make sure the connection is up: when it was lost, try PQreset once and
 * prepare the statements again. 0 or LC_ESTORE. Every store_ops member
 * starts with it. */
int pg_ready(struct pg *q);
/* Run a prepared statement (p may be NULL). Rows come in text format, or
 * binary when binary is set. 0 with *res (PQclear it), LC_EEXIST for a
 * unique violation, LC_ESTORE otherwise (*res NULL). */
int pg_query(struct pg *q, enum pg_stmt st, const struct pp *p, int binary,
             PGresult **res);
/* Run a prepared statement that returns no rows; *changes (may be NULL)
 * is how many rows it changed. */
int pg_cmd(struct pg *q, enum pg_stmt st, const struct pp *p,
           int64_t *changes);
int pg_begin(struct pg *q);
int pg_commit(struct pg *q); /* rolls back when COMMIT fails */
void pg_rollback(struct pg *q);
int pg_txn_insert(struct pg *q, const struct store_txn *t);

/* pg_session.c: the store_ops members of sessions, media, the job queue,
 * the outbox and retention (their contracts are in store.h). */
int pg_session_create(struct store *s, const struct store_txn *t,
                      const struct store_session *ss,
                      const struct store_session_ref *refs,
                      const struct store_media *media, int nref);
int pg_session_get(struct store *s, const char *txn,
                   struct store_session *ss);
int pg_session_by_token(struct store *s, const char *token_hash,
                        struct store_session *ss);
int pg_session_refs(struct store *s, const char *txn,
                    struct store_session_ref *refs, int max);
int pg_session_attempt(struct store *s, const char *txn);
int pg_session_upload(struct store *s, const char *txn,
                      const struct store_media *video, const char *sha256,
                      const char *meta, int64_t now_ms, bool *duplicate);
int pg_job_claim(struct store *s, const char *owner, int64_t now_ms,
                 int64_t lease_ms, struct store_session *ss);
int pg_job_finish(struct store *s, const char *txn, const char *owner,
                  enum store_session_state state, const char *result,
                  const char *error_key, const struct store_media *media,
                  int nmedia, const struct store_outbox *callback);
int pg_job_release(struct store *s, const char *owner);
int pg_job_touch(struct store *s, const char *txn, const char *owner,
                 int64_t until_ms);
int pg_media_put(struct store *s, const struct store_media *m);
int pg_media_get(struct store *s, const char *id, uint8_t **data, size_t *n,
                 char ctype[32]);
int pg_outbox_claim(struct store *s, int64_t now_ms, int64_t lease_ms,
                    struct store_outbox *ob);
int pg_outbox_result(struct store *s, int64_t id, bool delivered, int status,
                     const char *error, int64_t next_ms);
int pg_purge(struct store *s, int64_t before_ms, int64_t *removed);

#define PG_SESSION_OPS                                                   \
    .session_create = pg_session_create, .session_get = pg_session_get,  \
    .session_by_token = pg_session_by_token,                             \
    .session_refs = pg_session_refs,                                     \
    .session_attempt = pg_session_attempt,                               \
    .session_upload = pg_session_upload, .job_claim = pg_job_claim,      \
    .job_finish = pg_job_finish, .job_release = pg_job_release,          \
    .job_touch = pg_job_touch,                                           \
    .media_put = pg_media_put, .media_get = pg_media_get,                \
    .outbox_claim = pg_outbox_claim, .outbox_result = pg_outbox_result,  \
    .purge = pg_purge,

#endif
