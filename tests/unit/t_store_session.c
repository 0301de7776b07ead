/* tests/unit/t_store_session.c - sessions on each backend (store_env.h):
 * create with references in one transaction, lookup by token hash, upload
 * once, the duplicate-recording flag, the job queue's leases (a dead
 * node's job is taken over, a stale owner cannot finish; nodes claiming
 * at once never take the same job), the outbox and retention. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "livecheck/store.h"
#include "store_env.h"
#include "test.h"

/* A session with one reference image, created at `now`. */
static int make_session(struct store *st, const char *txn, const char *ref,
                        const char *token_hash, int64_t now)
{
    struct store_txn t = {0};
    snprintf(t.id, sizeof t.id, "%s", txn);
    snprintf(t.client_id, sizeof t.client_id, "client");
    snprintf(t.endpoint, sizeof t.endpoint, "/initiate");
    snprintf(t.reference_id, sizeof t.reference_id, "%s", ref);
    t.claim = true;
    t.created_ms = now;
    t.http_status = 200;
    snprintf(t.response_key, sizeof t.response_key, "success");
    snprintf(t.response_code, sizeof t.response_code, "S00000");
    t.live = t.score = t.review = -1;
    static struct store_session ss;
    memset(&ss, 0, sizeof ss);
    snprintf(ss.txn, sizeof ss.txn, "%s", txn);
    snprintf(ss.client_id, sizeof ss.client_id, "client");
    snprintf(ss.reference_id, sizeof ss.reference_id, "%s", ref);
    snprintf(ss.token_hash, sizeof ss.token_hash, "%s", token_hash);
    snprintf(ss.challenge, sizeof ss.challenge, "blink@1.00-3.00");
    snprintf(ss.callback_url, sizeof ss.callback_url, "https://x.test/cb");
    ss.created_ms = now;
    ss.expires_ms = now + 600000;
    ss.max_attempts = 3;
    struct store_session_ref r = {.index = 0};
    snprintf(r.media, sizeof r.media, "m-%s", txn);
    for (int i = 0; i < STORE_EMBED_DIM; i++)
        r.emb[i] = (float)i / 512.0f;
    struct store_media m = {.data = (const uint8_t *)"JPEGDATA", .n = 8,
                            .created_ms = now};
    snprintf(m.id, sizeof m.id, "%s", r.media);
    snprintf(m.txn, sizeof m.txn, "%s", txn);
    snprintf(m.kind, sizeof m.kind, "reference");
    snprintf(m.ctype, sizeof m.ctype, "image/jpeg");
    return store_session_create(st, &t, &ss, &r, &m, 1);
}

STORE_TEST(store_session_lifecycle)
{
    struct store *st = tstore_open(ts, NULL);
    ASSERT(st != NULL);
    int64_t now = store_now_ms();
    ASSERT_INT(make_session(st, "TXN1", "ref-1", "hash1", now), ==, 0);
    /* The reference_id is claimed with the session: a second is refused
     * and leaves nothing behind. */
    ASSERT_INT(make_session(st, "TXN2", "ref-1", "hash2", now), ==, LC_EEXIST);
    static struct store_session ss;
    ASSERT_INT(store_session_get(st, "TXN2", &ss), ==, LC_ENOTFOUND);
    ASSERT_INT(store_session_by_token(st, "hash1", &ss), ==, 0);
    ASSERT_STR(ss.txn, "TXN1");
    ASSERT_INT(ss.state, ==, STORE_SESSION_PENDING);
    ASSERT_INT(ss.nref, ==, 1);
    ASSERT_INT(ss.max_attempts, ==, 3);
    struct store_session_ref refs[4];
    ASSERT_INT(store_session_refs(st, "TXN1", refs, 4), ==, 1);
    ASSERT(refs[0].emb[511] == 511.0f / 512.0f);

    ASSERT_INT(store_session_attempt(st, "TXN1"), ==, 0);
    ASSERT_INT(store_session_get(st, "TXN1", &ss), ==, 0);
    ASSERT_INT(ss.attempts, ==, 1);

    /* Upload once; the second upload finds the session taken. */
    struct store_media v = {.data = (const uint8_t *)"WEBM", .n = 4,
                            .created_ms = now};
    snprintf(v.id, sizeof v.id, "cap1");
    snprintf(v.txn, sizeof v.txn, "TXN1");
    snprintf(v.kind, sizeof v.kind, "capture");
    snprintf(v.ctype, sizeof v.ctype, "video/webm");
    bool dup = true;
    ASSERT_INT(store_session_upload(st, "TXN1", &v, "sha-a", "{}", now, &dup),
               ==, 0);
    ASSERT(!dup);
    snprintf(v.id, sizeof v.id, "cap2");
    ASSERT_INT(store_session_upload(st, "TXN1", &v, "sha-b", "{}", now, &dup),
               ==, LC_ECONFLICT);
    uint8_t *data;
    size_t n;
    char ctype[32];
    ASSERT_INT(store_media_get(st, "cap2", &data, &n, ctype), ==,
               LC_ENOTFOUND);
    ASSERT_INT(store_media_get(st, "cap1", &data, &n, ctype), ==, 0);
    ASSERT_INT(n, ==, 4);
    ASSERT(memcmp(data, "WEBM", 4) == 0);
    ASSERT_STR(ctype, "video/webm");
    free(data);

    /* The same bytes to another session: flagged as seen before. */
    ASSERT_INT(make_session(st, "TXN3", "ref-3", "hash3", now), ==, 0);
    snprintf(v.id, sizeof v.id, "cap3");
    ASSERT_INT(store_session_upload(st, "TXN3", &v, "sha-a", "{}", now + 1,
                                    &dup), ==, 0);
    ASSERT(dup);
    /* An expired session takes no upload. */
    ASSERT_INT(make_session(st, "TXN4", "ref-4", "hash4", now - 700000), ==,
               0);
    snprintf(v.id, sizeof v.id, "cap4");
    ASSERT_INT(store_session_upload(st, "TXN4", &v, "sha-c", "{}", now, &dup),
               ==, LC_ECONFLICT);

    /* Jobs: oldest first; a lease that ran out is taken over, and the
     * node that lost it cannot finish. */
    ASSERT_INT(store_job_claim(st, "node-a", now, 1000, &ss), ==, 1);
    ASSERT_STR(ss.txn, "TXN1");
    ASSERT_INT(ss.state, ==, STORE_SESSION_PROCESSING);
    ASSERT_INT(store_job_claim(st, "node-a", now, 1000, &ss), ==, 1);
    ASSERT_STR(ss.txn, "TXN3");
    ASSERT_INT(store_job_claim(st, "node-b", now + 10, 1000, &ss), ==, 0);
    ASSERT_INT(store_job_claim(st, "node-b", now + 2000, 1000, &ss), ==, 1);
    ASSERT_STR(ss.txn, "TXN1");
    ASSERT_INT(store_job_finish(st, "TXN1", "node-a", STORE_SESSION_DONE,
                                "{}", NULL, NULL, 0, NULL), ==, LC_ECONFLICT);
    struct store_outbox cb = {0};
    snprintf(cb.txn, sizeof cb.txn, "TXN1");
    snprintf(cb.client_id, sizeof cb.client_id, "client");
    snprintf(cb.url, sizeof cb.url, "https://x.test/cb");
    snprintf(cb.body, sizeof cb.body, "{\"a\":1}");
    cb.next_ms = now;
    struct store_media fr = {.data = (const uint8_t *)"FRAME", .n = 5,
                             .created_ms = now};
    snprintf(fr.id, sizeof fr.id, "frame1");
    snprintf(fr.txn, sizeof fr.txn, "TXN1");
    snprintf(fr.kind, sizeof fr.kind, "frame");
    snprintf(fr.ctype, sizeof fr.ctype, "image/jpeg");
    ASSERT_INT(store_job_finish(st, "TXN1", "node-b", STORE_SESSION_DONE,
                                "{\"liveliness\":\"yes\"}", NULL, &fr, 1,
                                &cb), ==, 0);
    ASSERT_INT(store_session_get(st, "TXN1", &ss), ==, 0);
    ASSERT_INT(ss.state, ==, STORE_SESSION_DONE);
    ASSERT_STR(ss.result, "{\"liveliness\":\"yes\"}");
    /* The heartbeat: only the holder renews, and a renewed lease is not
     * taken over; a finished job has no lease to renew. */
    ASSERT_INT(store_job_touch(st, "TXN3", "node-b", now + 99000), ==,
               LC_ECONFLICT);
    ASSERT_INT(store_job_touch(st, "TXN3", "node-a", now + 99000), ==, 0);
    ASSERT_INT(store_job_claim(st, "node-b", now + 50000, 1000, &ss), ==, 0);
    ASSERT_INT(store_job_touch(st, "TXN1", "node-b", now + 99000), ==,
               LC_ECONFLICT);
    /* A restarted node gives its leases back. */
    ASSERT_INT(store_job_release(st, "node-a"), ==, 0);
    ASSERT_INT(store_session_get(st, "TXN3", &ss), ==, 0);
    ASSERT_INT(ss.state, ==, STORE_SESSION_QUEUED);

    /* Outbox: due callbacks are claimed once per lease. */
    static struct store_outbox ob;
    ASSERT_INT(store_outbox_claim(st, now, 5000, &ob), ==, 1);
    ASSERT_STR(ob.body, "{\"a\":1}");
    ASSERT_INT(store_outbox_claim(st, now + 1, 5000, &ob), ==, 0);
    ASSERT_INT(store_outbox_result(st, ob.id, false, 500, "HTTP 500",
                                   now + 100), ==, 0);
    ASSERT_INT(store_outbox_claim(st, now + 50, 5000, &ob), ==, 0);
    ASSERT_INT(store_outbox_claim(st, now + 100, 5000, &ob), ==, 1);
    ASSERT_INT(ob.attempts, ==, 1);
    ASSERT_INT(ob.last_status, ==, 500);
    ASSERT_INT(store_outbox_result(st, ob.id, true, 200, "", 0), ==, 0);
    ASSERT_INT(store_outbox_claim(st, now + 100000, 5000, &ob), ==, 0);

    /* Retention: media and embeddings of old sessions go. */
    int64_t removed = 0;
    ASSERT_INT(store_purge(st, now - 1, &removed), ==, 0);
    ASSERT_INT(removed, ==, 1); /* TXN4's reference */
    ASSERT_INT(store_purge(st, now + 1, &removed), ==, 0);
    ASSERT_INT(removed, >=, 4);
    ASSERT_INT(store_media_get(st, "frame1", &data, &n, ctype), ==,
               LC_ENOTFOUND);
    ASSERT_INT(store_session_refs(st, "TXN1", refs, 4), ==, 1);
    ASSERT_INT(refs[0].index, ==, -1);
    store_close(st);
}

/* Jobs and callbacks claimed by several nodes at once (one connection
 * each): every one is taken exactly once. */
enum { CLAIMERS = 4, JOBS = 24 };

struct claimer {
    const struct tstore *ts;
    int64_t now;
    int id, got, errors;
    char txns[JOBS][STORE_TXN_ID_LEN + 1];
    int64_t obs[JOBS];
    int nob;
};

static void *claim_all(void *arg)
{
    struct claimer *c = arg;
    struct store *st = NULL;
    struct lc_diag d = {{0}};
    static _Thread_local struct store_session ss;
    static _Thread_local struct store_outbox ob;
    char owner[32];
    snprintf(owner, sizeof owner, "node-%d", c->id);
    if (store_open(&st, c->ts->url, NULL, &d) < 0) {
        c->errors++;
        return NULL;
    }
    for (;;) {
        int rc = store_job_claim(st, owner, c->now, 60000, &ss);
        if (rc < 0)
            c->errors++;
        if (rc != 1)
            break;
        if (c->got < JOBS)
            snprintf(c->txns[c->got], sizeof c->txns[0], "%s", ss.txn);
        c->got++;
    }
    for (;;) {
        int rc = store_outbox_claim(st, c->now, 60000, &ob);
        if (rc < 0)
            c->errors++;
        if (rc != 1)
            break;
        if (c->nob < JOBS)
            c->obs[c->nob] = ob.id;
        c->nob++;
    }
    store_close(st);
    return NULL;
}

STORE_TEST(store_claims_concurrent)
{
    struct store *st = tstore_open(ts, NULL);
    ASSERT(st != NULL);
    int64_t now = store_now_ms();
    static struct store_session ss;
    struct store_outbox cb = {0};
    snprintf(cb.client_id, sizeof cb.client_id, "client");
    snprintf(cb.url, sizeof cb.url, "https://x.test/cb");
    snprintf(cb.body, sizeof cb.body, "{}");
    cb.next_ms = now;
    for (int i = 0; i < JOBS; i++) {
        char txn[24], ref[24], hash[24], id[24];
        snprintf(txn, sizeof txn, "CTXN%02d", i);
        snprintf(ref, sizeof ref, "cref-%d", i);
        snprintf(hash, sizeof hash, "chash-%d", i);
        snprintf(id, sizeof id, "ccap-%d", i);
        ASSERT_INT(make_session(st, txn, ref, hash, now), ==, 0);
        struct store_media v = {.data = (const uint8_t *)"WEBM", .n = 4,
                                .created_ms = now};
        snprintf(v.id, sizeof v.id, "%s", id);
        snprintf(v.txn, sizeof v.txn, "%s", txn);
        snprintf(v.kind, sizeof v.kind, "capture");
        snprintf(v.ctype, sizeof v.ctype, "video/webm");
        bool dup;
        ASSERT_INT(store_session_upload(st, txn, &v, hash, "{}", now + i,
                                        &dup), ==, 0);
        /* Half of them get a callback to deliver. */
        if (i % 2 == 0) {
            ASSERT_INT(store_job_claim(st, "setup", now, 1, &ss), ==, 1);
            snprintf(cb.txn, sizeof cb.txn, "%s", ss.txn);
            ASSERT_INT(store_job_finish(st, ss.txn, "setup",
                                        STORE_SESSION_DONE, "{}", NULL,
                                        NULL, 0, &cb), ==, 0);
        }
    }
    store_close(st);

    pthread_t th[CLAIMERS];
    static struct claimer c[CLAIMERS];
    for (int i = 0; i < CLAIMERS; i++) {
        memset(&c[i], 0, sizeof c[i]);
        c[i].ts = ts;
        c[i].now = now + 1000;
        c[i].id = i;
        ASSERT_INT(pthread_create(&th[i], NULL, claim_all, &c[i]), ==, 0);
    }
    for (int i = 0; i < CLAIMERS; i++)
        pthread_join(th[i], NULL);
    int jobs = 0, obs = 0;
    for (int i = 0; i < CLAIMERS; i++) {
        ASSERT_INT(c[i].errors, ==, 0);
        jobs += c[i].got;
        obs += c[i].nob;
    }
    ASSERT_INT(jobs, ==, JOBS / 2);
    ASSERT_INT(obs, ==, JOBS / 2);
    /* No job and no callback twice. */
    for (int i = 0; i < CLAIMERS; i++)
        for (int j = 0; j < c[i].got && j < JOBS; j++)
            for (int k = i; k < CLAIMERS; k++)
                for (int l = k == i ? j + 1 : 0; l < c[k].got && l < JOBS;
                     l++)
                    ASSERT(strcmp(c[i].txns[j], c[k].txns[l]) != 0);
    for (int i = 0; i < CLAIMERS; i++)
        for (int j = 0; j < c[i].nob && j < JOBS; j++)
            for (int k = i; k < CLAIMERS; k++)
                for (int l = k == i ? j + 1 : 0; l < c[k].nob && l < JOBS;
                     l++)
                    ASSERT(c[i].obs[j] != c[k].obs[l]);
}

/* The connection lost in the middle of a multi-statement call: nothing of
 * it stays; the retry stores it all once. */
PG_TEST(store_pg_session_reconnect)
{
    struct store *st = tstore_open(ts, NULL);
    ASSERT(st != NULL);
    int64_t now = store_now_ms();
    ASSERT_INT(make_session(st, "RTXN1", "rref-1", "rhash1", now), ==, 0);
    ASSERT_INT(tstore_exec(ts, "SELECT pg_terminate_backend(pid, 5000)"
                               " FROM pg_stat_activity WHERE datname ="
                               " current_database() AND pid <>"
                               " pg_backend_pid()"), ==, 0);
    ASSERT_INT(make_session(st, "RTXN2", "rref-2", "rhash2", now), ==,
               LC_ESTORE);
    static struct store_session ss;
    ASSERT_INT(store_session_get(st, "RTXN2", &ss), ==, LC_ENOTFOUND);
    ASSERT_INT(make_session(st, "RTXN2", "rref-2", "rhash2", now), ==, 0);
    struct store_session_ref refs[4];
    ASSERT_INT(store_session_refs(st, "RTXN2", refs, 4), ==, 1);
    ASSERT(refs[0].emb[100] == 100.0f / 512.0f);
    uint8_t *data;
    size_t n;
    char ctype[32];
    ASSERT_INT(store_media_get(st, "m-RTXN2", &data, &n, ctype), ==, 0);
    ASSERT_INT(n, ==, 8);
    ASSERT(memcmp(data, "JPEGDATA", 8) == 0);
    ASSERT_STR(ctype, "image/jpeg");
    free(data);
    store_close(st);
}
