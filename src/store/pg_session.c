/* src/store/pg_session.c - the PostgreSQL backend's sessions: what an
 * active video liveness session stores from initiate to callback (the
 * contracts are in store.h; the semantics are sqlite_session.c's).
 *
 * Every change that must happen together runs in one BEGIN/COMMIT, rolled
 * back on any error: the initiate's row with its session and references,
 * an upload with its recording and hash, a finished job with its frames
 * and callback. Claims are one UPDATE ... WHERE key = (SELECT ... LIMIT 1
 * FOR UPDATE SKIP LOCKED) RETURNING: the row a node takes is locked by
 * it, and the other nodes skip it instead of waiting, so two nodes never
 * take the same job or callback. Embeddings and media travel as binary
 * bytea, in both directions.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "livecheck/mem.h"
#include "pg_int.h"

static int media_insert(struct pg *q, const struct store_media *m)
{
    struct pp p = {0};
    pp_str(&p, m->id);
    pp_str(&p, m->txn);
    pp_str(&p, m->kind);
    pp_str(&p, m->ctype);
    pp_bin(&p, m->data, m->n);
    pp_i64(&p, m->created_ms);
    return pg_cmd(q, PS_media_put, &p, NULL);
}

int pg_session_create(struct store *s, const struct store_txn *t,
                      const struct store_session *ss,
                      const struct store_session_ref *refs,
                      const struct store_media *media, int nref)
{
    struct pg *q = (struct pg *)s;
    if (pg_ready(q) < 0 || pg_begin(q) < 0)
        return LC_ESTORE;
    int rc = pg_txn_insert(q, t);
    if (rc == 0) {
        struct pp p = {0};
        pp_str(&p, ss->txn);
        pp_str(&p, ss->client_id);
        pp_str(&p, ss->reference_id);
        pp_str(&p, ss->token_hash);
        pp_str(&p, ss->challenge);
        pp_str(&p, ss->redirect_url);
        pp_str(&p, ss->callback_url);
        pp_i64(&p, ss->created_ms);
        pp_i64(&p, ss->expires_ms);
        pp_i64(&p, ss->max_attempts);
        pp_i64(&p, STORE_SESSION_PENDING);
        pp_i64(&p, nref);
        rc = pg_cmd(q, PS_ses_put, &p, NULL);
    }
    for (int i = 0; rc == 0 && i < nref; i++) {
        rc = media_insert(q, &media[i]);
        if (rc == 0) {
            struct pp p = {0};
            pp_str(&p, ss->txn);
            pp_i64(&p, refs[i].index);
            pp_str(&p, refs[i].media);
            pp_bin(&p, refs[i].emb, sizeof refs[i].emb);
            rc = pg_cmd(q, PS_ref_put, &p, NULL);
        }
    }
    if (rc < 0) {
        pg_rollback(q);
        return rc;
    }
    return pg_commit(q);
}

static void session_row(const PGresult *r, struct store_session *ss)
{
    memset(ss, 0, sizeof *ss);
    col_str(r, 0, 0, ss->txn, sizeof ss->txn);
    col_str(r, 0, 1, ss->client_id, sizeof ss->client_id);
    col_str(r, 0, 2, ss->reference_id, sizeof ss->reference_id);
    col_str(r, 0, 3, ss->token_hash, sizeof ss->token_hash);
    col_str(r, 0, 4, ss->challenge, sizeof ss->challenge);
    col_str(r, 0, 5, ss->redirect_url, sizeof ss->redirect_url);
    col_str(r, 0, 6, ss->callback_url, sizeof ss->callback_url);
    ss->created_ms = col_i64(r, 0, 7);
    ss->expires_ms = col_i64(r, 0, 8);
    ss->uploaded_ms = col_i64(r, 0, 9);
    ss->finished_ms = col_i64(r, 0, 10);
    ss->attempts = col_int(r, 0, 11);
    ss->max_attempts = col_int(r, 0, 12);
    ss->state = (enum store_session_state)col_int(r, 0, 13);
    ss->nref = col_int(r, 0, 14);
    col_str(r, 0, 15, ss->capture_media, sizeof ss->capture_media);
    col_str(r, 0, 16, ss->video_sha256, sizeof ss->video_sha256);
    ss->duplicate = col_int(r, 0, 17) != 0;
    col_str(r, 0, 18, ss->meta, sizeof ss->meta);
    col_str(r, 0, 19, ss->lease_owner, sizeof ss->lease_owner);
    ss->lease_until_ms = col_i64(r, 0, 20);
    col_str(r, 0, 21, ss->error_key, sizeof ss->error_key);
    col_str(r, 0, 22, ss->result, sizeof ss->result);
}

/* Run a one-key session SELECT. */
static int session_select(struct pg *q, enum pg_stmt st, const char *key,
                          struct store_session *ss)
{
    struct pp p = {0};
    PGresult *r;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    if (!pg_utf8(key))
        return LC_ENOTFOUND;
    pp_str(&p, key);
    if (pg_query(q, st, &p, 0, &r) < 0)
        return LC_ESTORE;
    int rc = PQntuples(r) == 1 ? 0 : LC_ENOTFOUND;
    if (rc == 0)
        session_row(r, ss);
    PQclear(r);
    return rc;
}

int pg_session_get(struct store *s, const char *txn, struct store_session *ss)
{
    return session_select((struct pg *)s, PS_ses_get, txn, ss);
}

int pg_session_by_token(struct store *s, const char *token_hash,
                        struct store_session *ss)
{
    return session_select((struct pg *)s, PS_ses_token, token_hash, ss);
}

/* A binary int4 column. */
static int bin_int(const PGresult *r, int row, int i)
{
    uint32_t v = 0;
    if (!PQgetisnull(r, row, i) && PQgetlength(r, row, i) == 4)
        memcpy(&v, PQgetvalue(r, row, i), 4);
    return (int)ntohl(v);
}

/* A binary text column (the bytes, not NUL-terminated on the wire). */
static void bin_str(const PGresult *r, int row, int i, char *out, size_t n)
{
    size_t len = PQgetisnull(r, row, i) ? 0 : (size_t)PQgetlength(r, row, i);
    if (len >= n)
        len = n - 1;
    memcpy(out, PQgetvalue(r, row, i), len);
    out[len] = 0;
}

int pg_session_refs(struct store *s, const char *txn,
                    struct store_session_ref *refs, int max)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    PGresult *r;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    if (!pg_utf8(txn))
        return 0;
    pp_str(&p, txn);
    if (pg_query(q, PS_ref_get, &p, 1, &r) < 0)
        return LC_ESTORE;
    int n = 0;
    for (int i = 0; i < PQntuples(r) && n < max; i++) {
        struct store_session_ref *ref = &refs[n++];
        memset(ref, 0, sizeof *ref);
        ref->index = bin_int(r, i, 0);
        bin_str(r, i, 1, ref->media, sizeof ref->media);
        if (!PQgetisnull(r, i, 2) &&
            PQgetlength(r, i, 2) == (int)sizeof ref->emb)
            memcpy(ref->emb, PQgetvalue(r, i, 2), sizeof ref->emb);
        else
            ref->index = -1; /* purged: no embedding any more */
    }
    PQclear(r);
    return n;
}

int pg_session_attempt(struct store *s, const char *txn)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    if (!pg_utf8(txn))
        return 0;
    pp_str(&p, txn);
    return pg_cmd(q, PS_ses_attempt, &p, NULL);
}

int pg_session_upload(struct store *s, const char *txn,
                      const struct store_media *video, const char *sha256,
                      const char *meta, int64_t now_ms, bool *duplicate)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    int64_t changed = 0;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    if (!pg_utf8(txn))
        return LC_ECONFLICT; /* no such session: not pending */
    if (pg_begin(q) < 0)
        return LC_ESTORE;
    /* Remember the hash first: an upload of the same bytes in flight on
     * another node makes this insert wait for its commit, then do
     * nothing, so concurrent duplicates are flagged too. */
    pp_str(&p, sha256);
    pp_str(&p, txn);
    pp_i64(&p, now_ms);
    int rc = pg_cmd(q, PS_hash_put, &p, &changed);
    *duplicate = rc == 0 && changed == 0;
    if (rc == 0) {
        memset(&p, 0, sizeof p);
        pp_i64(&p, now_ms);
        pp_str(&p, video->id);
        pp_str(&p, sha256);
        pp_str(&p, meta);
        pp_i64(&p, *duplicate);
        pp_str(&p, txn);
        pp_i64(&p, now_ms);
        rc = pg_cmd(q, PS_ses_upload, &p, &changed);
        if (rc == 0 && changed != 1)
            rc = LC_ECONFLICT;
    }
    if (rc == 0)
        rc = media_insert(q, video);
    if (rc < 0) {
        pg_rollback(q);
        return rc;
    }
    return pg_commit(q);
}

int pg_job_claim(struct store *s, const char *owner, int64_t now_ms,
                 int64_t lease_ms, struct store_session *ss)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    PGresult *r;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    pp_str(&p, owner);
    pp_i64(&p, now_ms + lease_ms);
    pp_i64(&p, now_ms);
    if (pg_query(q, PS_job_claim, &p, 0, &r) < 0)
        return LC_ESTORE;
    int got = PQntuples(r) == 1;
    if (got)
        session_row(r, ss);
    PQclear(r);
    return got;
}

int pg_job_finish(struct store *s, const char *txn, const char *owner,
                  enum store_session_state state, const char *result,
                  const char *error_key, const struct store_media *media,
                  int nmedia, const struct store_outbox *callback)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    int64_t changed = 0;
    if (pg_ready(q) < 0 || pg_begin(q) < 0)
        return LC_ESTORE;
    pp_i64(&p, (int)state);
    pp_text(&p, result);
    pp_text(&p, error_key);
    pp_i64(&p, store_now_ms());
    pp_str(&p, txn);
    pp_str(&p, owner);
    int rc = pg_cmd(q, PS_job_finish, &p, &changed);
    if (rc == 0 && changed != 1)
        rc = LC_ECONFLICT;
    for (int i = 0; rc == 0 && i < nmedia; i++)
        rc = media_insert(q, &media[i]);
    if (rc == 0 && callback != NULL) {
        memset(&p, 0, sizeof p);
        pp_str(&p, callback->txn);
        pp_str(&p, callback->client_id);
        pp_str(&p, callback->url);
        pp_str(&p, callback->body);
        pp_i64(&p, callback->next_ms);
        rc = pg_cmd(q, PS_ob_put, &p, NULL);
    }
    if (rc < 0) {
        pg_rollback(q);
        return rc;
    }
    return pg_commit(q);
}

int pg_job_release(struct store *s, const char *owner)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    pp_str(&p, owner);
    return pg_cmd(q, PS_job_release, &p, NULL);
}

int pg_job_touch(struct store *s, const char *txn, const char *owner,
                 int64_t until_ms)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    int64_t changes = 0;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    pp_i64(&p, until_ms);
    pp_str(&p, txn);
    pp_str(&p, owner);
    int rc = pg_cmd(q, PS_job_touch, &p, &changes);
    return rc < 0 ? rc : changes == 1 ? 0 : LC_ECONFLICT;
}

int pg_media_put(struct store *s, const struct store_media *m)
{
    struct pg *q = (struct pg *)s;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    return media_insert(q, m);
}

int pg_media_get(struct store *s, const char *id, uint8_t **data, size_t *n,
                 char ctype[32])
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    PGresult *r;
    *data = NULL;
    *n = 0;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    if (!pg_utf8(id))
        return LC_ENOTFOUND;
    pp_str(&p, id);
    if (pg_query(q, PS_media_get, &p, 1, &r) < 0)
        return LC_ESTORE;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return LC_ENOTFOUND;
    }
    bin_str(r, 0, 0, ctype, 32);
    int bn = PQgetisnull(r, 0, 1) ? 0 : PQgetlength(r, 0, 1);
    *data = lc_malloc(bn > 0 ? (size_t)bn : 1);
    if (bn > 0)
        memcpy(*data, PQgetvalue(r, 0, 1), (size_t)bn);
    *n = (size_t)bn;
    PQclear(r);
    return 0;
}

int pg_outbox_claim(struct store *s, int64_t now_ms, int64_t lease_ms,
                    struct store_outbox *ob)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    PGresult *r;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    pp_i64(&p, now_ms + lease_ms);
    pp_i64(&p, now_ms);
    if (pg_query(q, PS_ob_claim, &p, 0, &r) < 0)
        return LC_ESTORE;
    int got = PQntuples(r) == 1;
    if (got) {
        memset(ob, 0, sizeof *ob);
        ob->id = col_i64(r, 0, 0);
        col_str(r, 0, 1, ob->txn, sizeof ob->txn);
        col_str(r, 0, 2, ob->client_id, sizeof ob->client_id);
        col_str(r, 0, 3, ob->url, sizeof ob->url);
        col_str(r, 0, 4, ob->body, sizeof ob->body);
        ob->attempts = col_int(r, 0, 5);
        ob->next_ms = col_i64(r, 0, 6);
        ob->delivered_ms = col_i64(r, 0, 7);
        ob->last_status = col_int(r, 0, 8);
        col_str(r, 0, 9, ob->last_error, sizeof ob->last_error);
    }
    PQclear(r);
    return got;
}

int pg_outbox_result(struct store *s, int64_t id, bool delivered, int status,
                     const char *error, int64_t next_ms)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    pp_i64(&p, delivered ? store_now_ms() : 0);
    pp_i64(&p, status);
    pp_str(&p, error);
    pp_i64(&p, delivered ? 0 : next_ms);
    pp_i64(&p, id);
    return pg_cmd(q, PS_ob_result, &p, NULL);
}

int pg_purge(struct store *s, int64_t before_ms, int64_t *removed)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    int64_t n = 0;
    *removed = 0;
    if (pg_ready(q) < 0 || pg_begin(q) < 0)
        return LC_ESTORE;
    pp_i64(&p, before_ms);
    int rc = pg_cmd(q, PS_purge_media, &p, &n);
    if (rc == 0)
        rc = pg_cmd(q, PS_purge_refs, &p, NULL);
    if (rc < 0) {
        pg_rollback(q);
        return rc;
    }
    rc = pg_commit(q);
    if (rc == 0)
        *removed = n;
    return rc;
}
