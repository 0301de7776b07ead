/* src/store/sqlite_session.c - the SQLite backend's sessions: what an
 * active video liveness session stores from initiate to callback (the
 * contracts are in store.h).
 *
 * Every change that must happen together runs in one BEGIN IMMEDIATE
 * transaction, so a crash leaves either all of it or none: the initiate's
 * row with its session and references, an upload with its recording and
 * hash, a finished job with its frames and callback. The job queue is the
 * sessions table itself: claiming is one UPDATE ... RETURNING on the
 * oldest queued session (or one whose lease ran out), which SQLite runs
 * under its single writer lock, so two workers never claim the same job.
 */
#include <stdlib.h>

#include "livecheck/mem.h"
#include "sqlite_int.h"

const char *store_session_state_name(enum store_session_state s)
{
    static const char *const names[] = {"pending", "queued", "processing",
                                        "done", "failed"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s]
                                                       : "unknown";
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

static int media_insert(struct sq *q, const struct store_media *m)
{
    sqlite3_stmt *st = q->media_put;
    bind_str(st, 1, m->id);
    bind_str(st, 2, m->txn);
    bind_str(st, 3, m->kind);
    bind_str(st, 4, m->ctype);
    sqlite3_bind_blob64(st, 5, m->data ? (const void *)m->data : "",
                        m->n, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, m->created_ms);
    return step_done(q, st);
}

int sq_session_create(struct store *s, const struct store_txn *t,
                      const struct store_session *ss,
                      const struct store_session_ref *refs,
                      const struct store_media *media, int nref)
{
    struct sq *q = (struct sq *)s;
    if (sq_begin(q) < 0)
        return LC_ESTORE;
    int rc = sq_txn_put(s, t);
    if (rc == 0) {
        sqlite3_stmt *st = q->ses_put;
        bind_str(st, 1, ss->txn);
        bind_str(st, 2, ss->client_id);
        bind_str(st, 3, ss->reference_id);
        bind_str(st, 4, ss->token_hash);
        bind_str(st, 5, ss->challenge);
        bind_str(st, 6, ss->redirect_url);
        bind_str(st, 7, ss->callback_url);
        sqlite3_bind_int64(st, 8, ss->created_ms);
        sqlite3_bind_int64(st, 9, ss->expires_ms);
        sqlite3_bind_int64(st, 10, 0);
        sqlite3_bind_int64(st, 11, 0);
        sqlite3_bind_int(st, 12, 0);
        sqlite3_bind_int(st, 13, ss->max_attempts);
        sqlite3_bind_int(st, 14, STORE_SESSION_PENDING);
        sqlite3_bind_int(st, 15, nref);
        for (int i = 16; i <= 23; i++)
            sqlite3_bind_null(st, i);
        sqlite3_bind_int(st, 18, 0);
        sqlite3_bind_int64(st, 21, 0);
        rc = step_done(q, st);
    }
    for (int i = 0; rc == 0 && i < nref; i++) {
        rc = media_insert(q, &media[i]);
        if (rc == 0) {
            sqlite3_stmt *st = q->ref_put;
            bind_str(st, 1, ss->txn);
            sqlite3_bind_int(st, 2, refs[i].index);
            bind_str(st, 3, refs[i].media);
            sqlite3_bind_blob(st, 4, refs[i].emb, sizeof refs[i].emb,
                              SQLITE_STATIC);
            rc = step_done(q, st);
        }
    }
    if (rc < 0) {
        sq_rollback(q);
        return rc;
    }
    return sq_commit(q);
}

static void session_row(sqlite3_stmt *st, struct store_session *ss)
{
    memset(ss, 0, sizeof *ss);
    col_text(st, 0, ss->txn, sizeof ss->txn);
    col_text(st, 1, ss->client_id, sizeof ss->client_id);
    col_text(st, 2, ss->reference_id, sizeof ss->reference_id);
    col_text(st, 3, ss->token_hash, sizeof ss->token_hash);
    col_text(st, 4, ss->challenge, sizeof ss->challenge);
    col_text(st, 5, ss->redirect_url, sizeof ss->redirect_url);
    col_text(st, 6, ss->callback_url, sizeof ss->callback_url);
    ss->created_ms = sqlite3_column_int64(st, 7);
    ss->expires_ms = sqlite3_column_int64(st, 8);
    ss->uploaded_ms = sqlite3_column_int64(st, 9);
    ss->finished_ms = sqlite3_column_int64(st, 10);
    ss->attempts = sqlite3_column_int(st, 11);
    ss->max_attempts = sqlite3_column_int(st, 12);
    ss->state = (enum store_session_state)sqlite3_column_int(st, 13);
    ss->nref = sqlite3_column_int(st, 14);
    col_text(st, 15, ss->capture_media, sizeof ss->capture_media);
    col_text(st, 16, ss->video_sha256, sizeof ss->video_sha256);
    ss->duplicate = sqlite3_column_int(st, 17) != 0;
    col_text(st, 18, ss->meta, sizeof ss->meta);
    col_text(st, 19, ss->lease_owner, sizeof ss->lease_owner);
    ss->lease_until_ms = sqlite3_column_int64(st, 20);
    col_text(st, 21, ss->error_key, sizeof ss->error_key);
    col_text(st, 22, ss->result, sizeof ss->result);
}

/* Run a one-key session SELECT. */
static int session_select(struct sq *q, sqlite3_stmt *st, const char *key,
                          struct store_session *ss)
{
    bind_str(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        session_row(st, ss);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    (void)q;
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? LC_ENOTFOUND : LC_ESTORE;
}

int sq_session_get(struct store *s, const char *txn, struct store_session *ss)
{
    struct sq *q = (struct sq *)s;
    return session_select(q, q->ses_get, txn, ss);
}

int sq_session_by_token(struct store *s, const char *token_hash,
                        struct store_session *ss)
{
    struct sq *q = (struct sq *)s;
    return session_select(q, q->ses_token, token_hash, ss);
}

int sq_session_refs(struct store *s, const char *txn,
                    struct store_session_ref *refs, int max)
{
    struct sq *q = (struct sq *)s;
    sqlite3_stmt *st = q->ref_get;
    int n = 0, rc;
    bind_str(st, 1, txn);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
        struct store_session_ref *r = &refs[n++];
        memset(r, 0, sizeof *r);
        r->index = sqlite3_column_int(st, 0);
        col_text(st, 1, r->media, sizeof r->media);
        const void *b = sqlite3_column_blob(st, 2);
        int bn = sqlite3_column_bytes(st, 2);
        if (b != NULL && bn == (int)sizeof r->emb)
            memcpy(r->emb, b, sizeof r->emb);
        else
            r->index = -1; /* purged: no embedding any more */
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : LC_ESTORE;
}

int sq_session_attempt(struct store *s, const char *txn)
{
    struct sq *q = (struct sq *)s;
    bind_str(q->ses_attempt, 1, txn);
    return step_done(q, q->ses_attempt);
}

int sq_session_upload(struct store *s, const char *txn,
                      const struct store_media *video, const char *sha256,
                      const char *meta, int64_t now_ms, bool *duplicate)
{
    struct sq *q = (struct sq *)s;
    if (sq_begin(q) < 0)
        return LC_ESTORE;
    bind_str(q->hash_seen, 1, sha256);
    int rc = sqlite3_step(q->hash_seen);
    sqlite3_reset(q->hash_seen);
    sqlite3_clear_bindings(q->hash_seen);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sq_rollback(q);
        return LC_ESTORE;
    }
    *duplicate = rc == SQLITE_ROW;
    sqlite3_stmt *st = q->ses_upload;
    sqlite3_bind_int64(st, 1, now_ms);
    bind_str(st, 2, video->id);
    bind_str(st, 3, sha256);
    bind_str(st, 4, meta);
    sqlite3_bind_int(st, 5, *duplicate);
    bind_str(st, 6, txn);
    sqlite3_bind_int64(st, 7, now_ms);
    rc = step_done(q, st);
    if (rc == 0 && sqlite3_changes(q->db) != 1)
        rc = LC_ECONFLICT;
    if (rc == 0)
        rc = media_insert(q, video);
    if (rc == 0) {
        bind_str(q->hash_put, 1, sha256);
        bind_str(q->hash_put, 2, txn);
        sqlite3_bind_int64(q->hash_put, 3, now_ms);
        rc = step_done(q, q->hash_put);
    }
    if (rc < 0) {
        sq_rollback(q);
        return rc;
    }
    return sq_commit(q);
}

int sq_job_claim(struct store *s, const char *owner, int64_t now_ms,
                 int64_t lease_ms, struct store_session *ss)
{
    struct sq *q = (struct sq *)s;
    sqlite3_stmt *st = q->job_claim;
    bind_str(st, 1, owner);
    sqlite3_bind_int64(st, 2, now_ms + lease_ms);
    sqlite3_bind_int64(st, 3, now_ms);
    int got = 0, rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) { /* RETURNING: step on to finish the UPDATE */
        session_row(st, ss);
        got = 1;
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? got : LC_ESTORE;
}

int sq_job_finish(struct store *s, const char *txn, const char *owner,
                  enum store_session_state state, const char *result,
                  const char *error_key, const struct store_media *media,
                  int nmedia, const struct store_outbox *callback)
{
    struct sq *q = (struct sq *)s;
    if (sq_begin(q) < 0)
        return LC_ESTORE;
    sqlite3_stmt *st = q->job_finish;
    sqlite3_bind_int(st, 1, (int)state);
    bind_text(st, 2, result);
    bind_text(st, 3, error_key);
    sqlite3_bind_int64(st, 4, store_now_ms());
    bind_str(st, 5, txn);
    bind_str(st, 6, owner);
    int rc = step_done(q, st);
    if (rc == 0 && sqlite3_changes(q->db) != 1)
        rc = LC_ECONFLICT;
    for (int i = 0; rc == 0 && i < nmedia; i++)
        rc = media_insert(q, &media[i]);
    if (rc == 0 && callback != NULL) {
        st = q->ob_put;
        bind_str(st, 1, callback->txn);
        bind_str(st, 2, callback->client_id);
        bind_str(st, 3, callback->url);
        bind_str(st, 4, callback->body);
        sqlite3_bind_int64(st, 5, callback->next_ms);
        rc = step_done(q, st);
    }
    if (rc < 0) {
        sq_rollback(q);
        return rc;
    }
    return sq_commit(q);
}

int sq_job_release(struct store *s, const char *owner)
{
    struct sq *q = (struct sq *)s;
    bind_str(q->job_release, 1, owner);
    return step_done(q, q->job_release);
}

int sq_job_touch(struct store *s, const char *txn, const char *owner,
                 int64_t until_ms)
{
    struct sq *q = (struct sq *)s;
    sqlite3_bind_int64(q->job_touch, 1, until_ms);
    bind_str(q->job_touch, 2, txn);
    bind_str(q->job_touch, 3, owner);
    int rc = step_done(q, q->job_touch);
    if (rc == 0 && sqlite3_changes(q->db) != 1)
        rc = LC_ECONFLICT;
    return rc;
}

int sq_media_put(struct store *s, const struct store_media *m)
{
    return media_insert((struct sq *)s, m);
}

int sq_media_get(struct store *s, const char *id, uint8_t **data, size_t *n,
                 char ctype[32])
{
    struct sq *q = (struct sq *)s;
    sqlite3_stmt *st = q->media_get;
    *data = NULL;
    *n = 0;
    bind_str(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        col_text(st, 0, ctype, 32);
        int bn = sqlite3_column_bytes(st, 1);
        const void *b = sqlite3_column_blob(st, 1);
        *data = lc_malloc(bn > 0 ? (size_t)bn : 1);
        if (bn > 0)
            memcpy(*data, b, (size_t)bn);
        *n = (size_t)bn;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? LC_ENOTFOUND : LC_ESTORE;
}

int sq_outbox_claim(struct store *s, int64_t now_ms, int64_t lease_ms,
                    struct store_outbox *ob)
{
    struct sq *q = (struct sq *)s;
    sqlite3_stmt *st = q->ob_claim;
    sqlite3_bind_int64(st, 1, now_ms + lease_ms);
    sqlite3_bind_int64(st, 2, now_ms);
    int got = 0, rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        got = 1;
        memset(ob, 0, sizeof *ob);
        ob->id = sqlite3_column_int64(st, 0);
        col_text(st, 1, ob->txn, sizeof ob->txn);
        col_text(st, 2, ob->client_id, sizeof ob->client_id);
        col_text(st, 3, ob->url, sizeof ob->url);
        col_text(st, 4, ob->body, sizeof ob->body);
        ob->attempts = sqlite3_column_int(st, 5);
        ob->next_ms = sqlite3_column_int64(st, 6);
        ob->delivered_ms = sqlite3_column_int64(st, 7);
        ob->last_status = sqlite3_column_int(st, 8);
        col_text(st, 9, ob->last_error, sizeof ob->last_error);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? got : LC_ESTORE;
}

int sq_outbox_result(struct store *s, int64_t id, bool delivered, int status,
                     const char *error, int64_t next_ms)
{
    struct sq *q = (struct sq *)s;
    sqlite3_stmt *st = q->ob_result;
    sqlite3_bind_int64(st, 1, delivered ? store_now_ms() : 0);
    sqlite3_bind_int(st, 2, status);
    bind_str(st, 3, error);
    sqlite3_bind_int64(st, 4, delivered ? 0 : next_ms);
    sqlite3_bind_int64(st, 5, id);
    return step_done(q, st);
}

int sq_purge(struct store *s, int64_t before_ms, int64_t *removed)
{
    struct sq *q = (struct sq *)s;
    if (sq_begin(q) < 0)
        return LC_ESTORE;
    sqlite3_bind_int64(q->purge_media, 1, before_ms);
    int rc = step_done(q, q->purge_media);
    *removed = rc == 0 ? sqlite3_changes(q->db) : 0;
    if (rc == 0) {
        sqlite3_bind_int64(q->purge_refs, 1, before_ms);
        rc = step_done(q, q->purge_refs);
    }
    if (rc < 0) {
        sq_rollback(q);
        return rc;
    }
    return sq_commit(q);
}
