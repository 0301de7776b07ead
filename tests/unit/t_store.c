/* tests/unit/t_store.c - the SQLite store on a temporary directory:
 * migrations, credentials (hashes, checks, modules, revocation),
 * transactions and the reference_id claim. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "livecheck/store.h"
#include "test.h"

static int tmpdir(char *out, size_t n)
{
    snprintf(out, n, "/tmp/lc-store-XXXXXX");
    return mkdtemp(out) ? 0 : -1;
}

static void rmtree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

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

TEST(store_credentials)
{
    char dir[64];
    struct store *st;
    struct lc_diag d = {{0}};
    ASSERT(tmpdir(dir, sizeof dir) == 0);
    ASSERT_INT(store_open(&st, dir, NULL, &d), ==, 0);
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
    ASSERT_INT(store_open(&st, dir, NULL, &d), ==, 0);
    ASSERT_INT(store_credential_get(st, b.client_id, &c), ==, 0);
    store_close(st);
    rmtree(dir);
}

TEST(store_transactions_and_claims)
{
    char dir[64], url[80];
    struct store *st, *st2;
    struct lc_diag d = {{0}};
    ASSERT(tmpdir(dir, sizeof dir) == 0);
    snprintf(url, sizeof url, "sqlite:%s", dir);
    struct store_opts o = {.sync = STORE_SYNC_NORMAL};
    ASSERT_INT(store_open(&st, url, &o, &d), ==, 0);
    ASSERT_INT(store_open(&st2, dir, NULL, &d), ==, 0);
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

    ASSERT_INT(store_open(&st, "postgres:x", NULL, &d), ==, LC_EUNSUP);
    rmtree(dir);
}
