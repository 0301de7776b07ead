/* src/store/sqlite_int.h - what the files of the SQLite backend share:
 * the connection with its prepared statements, and bind/column helpers.
 * sqlite.c opens, migrates and serves credentials and transactions;
 * sqlite_session.c serves sessions, media, the job queue and the outbox.
 */
#ifndef LC_STORE_SQLITE_INT_H
#define LC_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "livecheck/store.h"

/* sqlite_session.c's statements. */
#define SESSION_COLS                                                     \
    "txn, client_id, reference_id, token_hash, challenge, redirect_url," \
    " callback_url, created_ms, expires_ms, uploaded_ms, finished_ms,"   \
    " attempts, max_attempts, state, nref, capture_media, video_sha256," \
    " duplicate, meta, lease_owner, lease_until_ms, error_key, result"

#define OUTBOX_COLS                                                      \
    "id, txn, client_id, url, body, attempts, next_ms, delivered_ms,"    \
    " last_status, last_error"

#define SESSION_STMTS(X)                                                 \
    X(ses_put, "INSERT INTO sessions (" SESSION_COLS ") VALUES"          \
               " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")       \
    X(ses_get, "SELECT " SESSION_COLS " FROM sessions WHERE txn = ?")    \
    X(ses_token, "SELECT " SESSION_COLS " FROM sessions"                 \
                 " WHERE token_hash = ?")                                \
    X(ref_put, "INSERT INTO session_refs (txn, idx, media, emb)"         \
               " VALUES (?,?,?,?)")                                      \
    X(ref_get, "SELECT idx, media, emb FROM session_refs WHERE txn = ?"  \
               " ORDER BY idx")                                          \
    X(ses_attempt, "UPDATE sessions SET attempts = attempts + 1"         \
                   " WHERE txn = ?")                                     \
    X(ses_upload, "UPDATE sessions SET state = 1, uploaded_ms = ?,"      \
                  " capture_media = ?, video_sha256 = ?, meta = ?,"      \
                  " duplicate = ? WHERE txn = ? AND state = 0"           \
                  " AND expires_ms > ?")                                 \
    X(hash_seen, "SELECT 1 FROM upload_hashes WHERE sha256 = ?")         \
    X(hash_put, "INSERT OR IGNORE INTO upload_hashes (sha256, txn,"      \
                " created_ms) VALUES (?,?,?)")                           \
    X(job_claim, "UPDATE sessions SET state = 2, lease_owner = ?,"       \
                 " lease_until_ms = ? WHERE txn = (SELECT txn FROM"      \
                 " sessions WHERE state = 1 OR (state = 2 AND"           \
                 " lease_until_ms < ?) ORDER BY uploaded_ms LIMIT 1)"    \
                 " RETURNING " SESSION_COLS)                             \
    X(job_finish, "UPDATE sessions SET state = ?, result = ?,"           \
                  " error_key = ?, finished_ms = ?, lease_owner = NULL," \
                  " lease_until_ms = 0 WHERE txn = ? AND state = 2"      \
                  " AND lease_owner = ?")                                \
    X(job_release, "UPDATE sessions SET state = 1, lease_owner = NULL,"  \
                   " lease_until_ms = 0 WHERE state = 2"                 \
                   " AND lease_owner = ?")                               \
    X(job_touch, "UPDATE sessions SET lease_until_ms = ? WHERE txn = ?"  \
                 " AND state = 2 AND lease_owner = ?")                   \
    X(media_put, "INSERT INTO media (id, txn, kind, ctype, data,"        \
                 " created_ms) VALUES (?,?,?,?,?,?)")                    \
    X(media_get, "SELECT ctype, data FROM media WHERE id = ?")           \
    X(ob_put, "INSERT INTO outbox (txn, client_id, url, body, attempts," \
              " next_ms, delivered_ms, last_status, last_error)"         \
              " VALUES (?,?,?,?,0,?,0,0,'')")                            \
    X(ob_claim, "UPDATE outbox SET next_ms = ? WHERE id = (SELECT id"    \
                " FROM outbox WHERE delivered_ms = 0 AND next_ms > 0"    \
                " AND next_ms <= ? ORDER BY next_ms, id LIMIT 1)"        \
                " RETURNING " OUTBOX_COLS)                               \
    X(ob_result, "UPDATE outbox SET attempts = attempts + 1,"            \
                 " delivered_ms = ?, last_status = ?, last_error = ?,"   \
                 " next_ms = ? WHERE id = ?")                            \
    X(purge_media, "DELETE FROM media WHERE txn IN (SELECT txn FROM"     \
                   " sessions WHERE created_ms < ?)")                    \
    X(purge_refs, "UPDATE session_refs SET emb = NULL WHERE txn IN"      \
                  " (SELECT txn FROM sessions WHERE created_ms < ?)")

#define TXN_COLS                                                         \
    "id, client_id, endpoint, reference_id, claim, created_ms,"          \
    " http_status, response_key, response_code, live, score, review,"    \
    " face_x, face_y, face_w, face_h, face_score, width, height, bytes," \
    " ms_total, ms_queue, ms_decode, ms_faces, ms_liveness"

#define CRED_COLS                                                        \
    "client_id, secret_hash, module_hash, modules, label, created_ms,"   \
    " revoked_ms"

/* The prepared statements, as an X-macro so that prepare and finalize
 * cannot drift apart. */
#define STMTS(X)                                                         \
    X(ping, "SELECT count(*) FROM credentials")                         \
    X(cred_put, "INSERT INTO credentials (" CRED_COLS ")"                \
                " VALUES (?,?,?,?,?,?,?)")                               \
    X(cred_get, "SELECT " CRED_COLS " FROM credentials"                  \
                " WHERE client_id = ?")                                  \
    X(cred_all, "SELECT " CRED_COLS " FROM credentials"                  \
                " ORDER BY created_ms, client_id")                       \
    X(cred_revoke, "UPDATE credentials SET revoked_ms = ?"               \
                   " WHERE client_id = ? AND revoked_ms = 0")            \
    X(ref_taken, "SELECT 1 FROM transactions WHERE client_id = ?"        \
                 " AND reference_id = ? AND claim = 1")                  \
    X(txn_put, "INSERT INTO transactions (" TXN_COLS ") VALUES"          \
               " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")   \
    X(txn_get, "SELECT " TXN_COLS " FROM transactions WHERE id = ?")     \
    X(txn_count, "SELECT count(*) FROM transactions")                  \
    SESSION_STMTS(X)

struct sq {
    struct store base; /* first: a struct store * is a struct sq * */
    sqlite3 *db;
#define X(name, sql) sqlite3_stmt *name;
    STMTS(X)
#undef X
};


static inline int fail(struct sq *q, struct lc_diag *d, const char *what)
{
    return lc_diag_set(d, LC_ESTORE, "sqlite: %s: %s", what,
                       q->db ? sqlite3_errmsg(q->db) : "no database");
}

static inline int exec(struct sq *q, const char *sql, struct lc_diag *d)
{
    char *msg = NULL;
    if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        lc_diag_set(d, LC_ESTORE, "sqlite: %s", msg ? msg : "exec failed");
        sqlite3_free(msg);
        return LC_ESTORE;
    }
    return 0;
}

/* Bind helpers: -1 and "" become NULL where a column is optional. */
static inline void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s == NULL || s[0] == 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static inline void bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
    if (v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

static inline void bind_opt_real(sqlite3_stmt *st, int i, double v)
{
    if (v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

static inline void col_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    snprintf(out, n, "%s", s ? (const char *)s : "");
}

static inline int col_opt_int(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL
               ? -1
               : sqlite3_column_int(st, i);
}

static inline double col_opt_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL
               ? -1.0
               : sqlite3_column_double(st, i);
}

/* Step a statement that returns no rows, then reset it. */
static inline int step_done(struct sq *q, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    int ext = sqlite3_extended_errcode(q->db);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return LC_EEXIST;
    return LC_ESTORE;
}


/* sqlite.c */
int sq_begin(struct sq *q);   /* BEGIN IMMEDIATE */
int sq_commit(struct sq *q);
void sq_rollback(struct sq *q);
int sq_txn_put(struct store *s, const struct store_txn *t);

/* sqlite_session.c: the store_ops members of sessions, media, the job
 * queue, the outbox and retention (their contracts are in store.h). */
int sq_session_create(struct store *s, const struct store_txn *t,
                      const struct store_session *ss,
                      const struct store_session_ref *refs,
                      const struct store_media *media, int nref);
int sq_session_get(struct store *s, const char *txn,
                   struct store_session *ss);
int sq_session_by_token(struct store *s, const char *token_hash,
                        struct store_session *ss);
int sq_session_refs(struct store *s, const char *txn,
                    struct store_session_ref *refs, int max);
int sq_session_attempt(struct store *s, const char *txn);
int sq_session_upload(struct store *s, const char *txn,
                      const struct store_media *video, const char *sha256,
                      const char *meta, int64_t now_ms, bool *duplicate);
int sq_job_claim(struct store *s, const char *owner, int64_t now_ms,
                 int64_t lease_ms, struct store_session *ss);
int sq_job_finish(struct store *s, const char *txn, const char *owner,
                  enum store_session_state state, const char *result,
                  const char *error_key, const struct store_media *media,
                  int nmedia, const struct store_outbox *callback);
int sq_job_release(struct store *s, const char *owner);
int sq_job_touch(struct store *s, const char *txn, const char *owner,
                 int64_t until_ms);
int sq_media_put(struct store *s, const struct store_media *m);
int sq_media_get(struct store *s, const char *id, uint8_t **data, size_t *n,
                 char ctype[32]);
int sq_outbox_claim(struct store *s, int64_t now_ms, int64_t lease_ms,
                    struct store_outbox *ob);
int sq_outbox_result(struct store *s, int64_t id, bool delivered, int status,
                     const char *error, int64_t next_ms);
int sq_purge(struct store *s, int64_t before_ms, int64_t *removed);

#define SQ_SESSION_OPS                                                   \
    .session_create = sq_session_create, .session_get = sq_session_get,  \
    .session_by_token = sq_session_by_token,                             \
    .session_refs = sq_session_refs,                                     \
    .session_attempt = sq_session_attempt,                               \
    .session_upload = sq_session_upload, .job_claim = sq_job_claim,      \
    .job_finish = sq_job_finish, .job_release = sq_job_release,          \
    .job_touch = sq_job_touch,                                           \
    .media_put = sq_media_put, .media_get = sq_media_get,                \
    .outbox_claim = sq_outbox_claim, .outbox_result = sq_outbox_result,  \
    .purge = sq_purge,

#endif
