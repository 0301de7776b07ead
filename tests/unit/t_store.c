/* tests/unit/t_store.c - the store on each backend (store_env.h: SQLite
 * in a temporary directory, PostgreSQL when LC_TEST_PG is set):
 * migrations (once, also when opened concurrently; a newer schema is
 * refused), credentials (hashes, checks, modules, revocation),
 * transactions and the reference_id claim; PostgreSQL's URL forms and
 * its reconnect after a lost connection. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "livecheck/store.h"
#include "store_env.h"
#include "test.h"

TEST(store_secret_hash)
{
    char rec[STORE_HASH_MAX], rec2[STORE_HASH_MAX];
    store_secret_hash("s3cret", rec);
    store_secret_hash("s3cret", rec2);
    ASSERT_INT(strlen(rec), ==, 3 + 32 + 1 + 64);
    ASSERT(strcmp(rec, rec2) != 0); /* fresh salt each time */
    ASSERT(store_secret_verify("s3cret", rec));
    ASSERT(store_secret_verify("s3cret", rec2));
    ASSERT(!store_secret_verify("s3cres", rec));
    ASSERT(!store_secret_verify("", rec));
    ASSERT(!store_secret_verify("s3cret", "b2$zz"));
}

/* Every backend implements every member of struct store_ops (a member
 * added to store.h and forgotten in a backend is NULL: caught here). */
TEST(store_ops_complete)
{
    extern const struct store_ops store_pg_ops, store_postgresql_ops;
    const struct store_ops *all[] = {&store_sqlite_ops, &store_pg_ops,
                                     &store_postgresql_ops};
    _Static_assert(sizeof(struct store_ops) % sizeof(void *) == 0,
                   "store_ops holds pointers only");
    for (size_t b = 0; b < sizeof all / sizeof all[0]; b++) {
        ASSERT(all[b]->scheme != NULL);
        for (size_t i = 0; i < sizeof(struct store_ops) / sizeof(void *);
             i++) {
            uintptr_t slot;
            memcpy(&slot, (const char *)all[b] + i * sizeof(void *),
                   sizeof slot);
            if (slot == 0)
                fprintf(stderr, "    %s: member %zu is NULL\n",
                        all[b]->scheme, i);
            ASSERT(slot != 0);
        }
    }
}

STORE_TEST(store_credentials)
{
    struct store *st = tstore_open(ts, NULL);
    ASSERT(st != NULL);
    ASSERT_INT(store_schema_version(st), ==, 2);
    struct store_secrets a, b;
    ASSERT_INT(store_credential_create(st, "*", "first", &a), ==, 0);
    ASSERT_INT(store_credential_create(st, "face_match", "", &b), ==, 0);
    ASSERT_INT(strlen(a.client_id), ==, 27);
    ASSERT_INT(strlen(a.client_secret), ==, 64);
    struct store_credential c;
    ASSERT_INT(store_credential_get(st, a.client_id, &c), ==, 0);
    ASSERT(strstr(c.secret_hash, a.client_secret) == NULL);
    ASSERT_STR(c.label, "first");

    enum store_auth v;
    ASSERT_INT(store_credential_check(st, a.client_id, a.client_secret,
                                      a.module_secret, "liveness", &v), ==, 0);
    ASSERT_INT(v, ==, STORE_AUTH_OK);
    store_credential_check(st, a.client_id, b.client_secret, a.module_secret,
                           "liveness", &v);
    ASSERT_INT(v, ==, STORE_AUTH_INVALID);
    store_credential_check(st, a.client_id, a.client_secret, b.module_secret,
                           "liveness", &v);
    ASSERT_INT(v, ==, STORE_AUTH_MODULE);
    store_credential_check(st, b.client_id, b.client_secret, b.module_secret,
                           "liveness", &v);
    ASSERT_INT(v, ==, STORE_AUTH_MODULE);
    store_credential_check(st, b.client_id, b.client_secret, b.module_secret,
                           "face_match", &v);
    ASSERT_INT(v, ==, STORE_AUTH_OK);
    store_credential_check(st, "lc_nobody", a.client_secret, a.module_secret,
                           "liveness", &v);
    ASSERT_INT(v, ==, STORE_AUTH_INVALID);

    ASSERT_INT(store_credential_revoke(st, a.client_id), ==, 0);
    ASSERT_INT(store_credential_revoke(st, a.client_id), ==, LC_ENOTFOUND);
    store_credential_check(st, a.client_id, a.client_secret, a.module_secret,
                           "liveness", &v);
    ASSERT_INT(v, ==, STORE_AUTH_INVALID);
    store_close(st);

    /* Reopening runs no migration twice and keeps the rows. */
    st = tstore_open(ts, NULL);
    ASSERT(st != NULL);
    ASSERT_INT(store_schema_version(st), ==, 2);
    ASSERT_INT(store_credential_get(st, b.client_id, &c), ==, 0);
    ASSERT_INT(store_credential_get(st, "lc_\xff\xfe", &c), ==, LC_ENOTFOUND);
    store_close(st);
}

STORE_TEST(store_transactions_and_claims)
{
    char url[1200];
    struct store *st, *st2;
    struct lc_diag d = {{0}};
    /* SQLite: "sqlite:DIR" and the bare DIR name the same store. */
    snprintf(url, sizeof url, "%s%s",
             ts->kind == TSTORE_SQLITE ? "sqlite:" : "", ts->url);
    struct store_opts o = {.sync = STORE_SYNC_NORMAL};
    ASSERT_INT(store_open(&st, url, &o, &d), ==, 0);
    st2 = tstore_open(ts, NULL);
    ASSERT(st2 != NULL);
    struct store_txn t = {.claim = true, .created_ms = 1, .http_status = 200,
                          .live = 1, .score = 87, .review = 0,
                          .face = {1, 2, 3, 4}, .face_score = 0.5f,
                          .width = 1600, .height = 1600, .bytes = 1000,
                          .ms_total = 12.5, .ms_queue = -1, .ms_decode = 3,
                          .ms_faces = 4, .ms_liveness = 5};
    snprintf(t.id, sizeof t.id, "%032d", 1);
    snprintf(t.client_id, sizeof t.client_id, "lc_a");
    snprintf(t.endpoint, sizeof t.endpoint, "/v2/x");
    snprintf(t.reference_id, sizeof t.reference_id, "ref-1");
    snprintf(t.response_key, sizeof t.response_key, "success_liveness_check");
    snprintf(t.response_code, sizeof t.response_code, "S00000");
    ASSERT_INT(store_reference_taken(st, "lc_a", "ref-1"), ==, 0);
    ASSERT_INT(store_txn_put(st, &t), ==, 0);
    /* Seen at once from another connection. */
    ASSERT_INT(store_reference_taken(st2, "lc_a", "ref-1"), ==, 1);
    ASSERT_INT(store_reference_taken(st2, "lc_b", "ref-1"), ==, 0);

    /* A second claim of the same reference is refused and stores nothing;
     * unclaimed, the row goes in. */
    snprintf(t.id, sizeof t.id, "%032d", 2);
    ASSERT_INT(store_txn_put(st2, &t), ==, LC_EEXIST);
    t.claim = false;
    ASSERT_INT(store_txn_put(st2, &t), ==, 0);
    /* The same id twice is refused. */
    ASSERT_INT(store_txn_put(st2, &t), ==, LC_EEXIST);
    int64_t n = 0;
    ASSERT_INT(store_txn_count(st, &n), ==, 0);
    ASSERT_INT(n, ==, 2);

    struct store_txn g;
    snprintf(t.id, sizeof t.id, "%032d", 1);
    ASSERT_INT(store_txn_get(st, t.id, &g), ==, 0);
    ASSERT_STR(g.reference_id, "ref-1");
    ASSERT(g.claim);
    ASSERT_INT(g.score, ==, 87);
    ASSERT_INT(g.face[3], ==, 4);
    ASSERT_INT(g.width, ==, 1600);
    ASSERT_NEAR(g.ms_total, 12.5, 1e-9);
    ASSERT_NEAR(g.ms_queue, -1, 1e-9); /* stored as NULL */
    ASSERT_INT(store_txn_get(st, "nope", &g), ==, LC_ENOTFOUND);
    store_close(st);
    store_close(st2);

    ASSERT_INT(store_open(&st, "mysql:x", NULL, &d), ==, LC_EUNSUP);
    ASSERT(st == NULL);
}

/* Nodes starting together on a new store: every open succeeds and the
 * migrations run once. */
struct opener {
    const struct tstore *ts;
    int rc, version;
};

static void *open_one(void *arg)
{
    struct opener *o = arg;
    struct store *st = NULL;
    struct lc_diag d = {{0}};
    o->rc = store_open(&st, o->ts->url, NULL, &d);
    if (o->rc == 0) {
        o->version = store_schema_version(st);
        store_close(st);
    } else {
        fprintf(stderr, "    concurrent open: %s\n", d.msg);
    }
    return NULL;
}

STORE_TEST(store_concurrent_open)
{
    enum { N = 6 };
    pthread_t th[N];
    struct opener o[N];
    for (int i = 0; i < N; i++) {
        o[i] = (struct opener){.ts = ts, .rc = 1};
        ASSERT_INT(pthread_create(&th[i], NULL, open_one, &o[i]), ==, 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        ASSERT_INT(o[i].rc, ==, 0);
        ASSERT_INT(o[i].version, ==, 2);
    }
    if (ts->kind == TSTORE_PG) /* one row per version: each applied once */
        ASSERT_INT(tstore_exec(ts, "DO $$ BEGIN IF (SELECT count(*) FROM"
                                   " schema_version) <> 2 THEN RAISE"
                                   " 'migrated twice'; END IF; END $$"),
                   ==, 0);
}

/* A store a newer livecheck migrated further is refused. */
STORE_TEST(store_newer_schema_refused)
{
    struct store *st = tstore_open(ts, NULL);
    ASSERT(st != NULL);
    store_close(st);
    ASSERT_INT(tstore_exec(ts, ts->kind == TSTORE_SQLITE
                                   ? "PRAGMA user_version = 99"
                                   : "INSERT INTO schema_version VALUES"
                                     " (99, 0)"),
               ==, 0);
    struct lc_diag d = {{0}};
    ASSERT_INT(store_open(&st, ts->url, NULL, &d), ==, LC_ESTORE);
    ASSERT(st == NULL);
    ASSERT(strstr(d.msg, "99") != NULL);
}

/* postgres:// and postgresql:// alike, libpq's KEY=VALUE form after
 * "postgres:", and a server that is not there. */
PG_TEST(store_pg_urls)
{
    char alt[2048];
    struct store *st = NULL;
    struct lc_diag d = {{0}};
    struct store_secrets a;
    struct store_credential c;
    tstore_pg_alt_url(ts, false, alt, sizeof alt);
    if (alt[0] == 0) {
        printf("     (LC_TEST_PG is not a URL: URL forms not tested)\n");
        return;
    }
    ASSERT_INT(store_open(&st, alt, NULL, &d), ==, 0);
    ASSERT_INT(store_credential_create(st, "*", "alt", &a), ==, 0);
    store_close(st);
    tstore_pg_alt_url(ts, true, alt, sizeof alt);
    ASSERT_INT(store_open(&st, alt, NULL, &d), ==, 0);
    ASSERT_INT(store_credential_get(st, a.client_id, &c), ==, 0);
    ASSERT_STR(c.label, "alt");
    store_close(st);
    /* Nothing listens on port 1: refused at once, with the reason. */
    ASSERT_INT(store_open(&st, "postgres://nobody@127.0.0.1:1/x", NULL, &d),
               ==, LC_ESTORE);
    ASSERT(st == NULL);
    ASSERT(strstr(d.msg, "postgres") != NULL);
}

/* A lost connection fails the call in flight with LC_ESTORE; the next
 * call reconnects, prepares its statements again and works. */
PG_TEST(store_pg_reconnect)
{
    static const char kill_all[] =
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()";
    struct store *st = tstore_open(ts, NULL);
    ASSERT(st != NULL);
    struct store_txn t = {.claim = true, .created_ms = 1,
                          .http_status = 200, .live = -1, .score = -1,
                          .review = -1, .bytes = -1, .ms_total = -1,
                          .ms_queue = -1, .ms_decode = -1, .ms_faces = -1,
                          .ms_liveness = -1};
    snprintf(t.id, sizeof t.id, "%032d", 7);
    snprintf(t.client_id, sizeof t.client_id, "lc_a");
    snprintf(t.endpoint, sizeof t.endpoint, "/v2/x");
    snprintf(t.reference_id, sizeof t.reference_id, "ref-7");
    snprintf(t.response_key, sizeof t.response_key, "k");
    snprintf(t.response_code, sizeof t.response_code, "S00000");
    ASSERT_INT(store_txn_put(st, &t), ==, 0);
    ASSERT_INT(tstore_exec(ts, kill_all), ==, 0);
    ASSERT_INT(store_ping(st), ==, LC_ESTORE);
    ASSERT_INT(store_ping(st), ==, 0);
    struct store_txn g;
    ASSERT_INT(store_txn_get(st, t.id, &g), ==, 0);
    ASSERT_STR(g.reference_id, "ref-7");
    ASSERT_INT(g.live, ==, -1);
    ASSERT_INT(store_txn_put(st, &t), ==, LC_EEXIST);
    /* Lost again: the write fails and stores nothing; retried, it goes
     * in once. */
    ASSERT_INT(tstore_exec(ts, kill_all), ==, 0);
    snprintf(t.id, sizeof t.id, "%032d", 8);
    snprintf(t.reference_id, sizeof t.reference_id, "ref-8");
    ASSERT_INT(store_txn_put(st, &t), ==, LC_ESTORE);
    ASSERT_INT(store_txn_put(st, &t), ==, 0);
    int64_t n = 0;
    ASSERT_INT(store_txn_count(st, &n), ==, 0);
    ASSERT_INT(n, ==, 2);
    store_close(st);
}
