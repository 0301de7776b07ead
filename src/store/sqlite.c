/* src/store/sqlite.c - the default store backend: one SQLite database in
 * WAL mode at DIR/livecheck.db.
 *
 * Each struct store is one connection with its statements prepared once at
 * open, so a request costs no SQL parsing. WAL lets readers (credential
 * checks on the HTTP thread) run while a worker commits; writers wait for
 * each other through busy_timeout. The schema lives in `migrations`, one
 * entry per version, applied in order under BEGIN IMMEDIATE and recorded
 * in PRAGMA user_version.
 */
#include "livecheck/store.h"

#include <errno.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "livecheck/mem.h"
#include "sqlite_int.h"

/* Version N of the schema is migrations[0..N-1] applied in order. Never
 * edit a shipped entry: add one. */
static const char *const migrations[] = {
    /* 1: credentials and transactions. */
    "CREATE TABLE credentials ("
    "  client_id TEXT PRIMARY KEY,"
    "  secret_hash TEXT NOT NULL,"
    "  module_hash TEXT NOT NULL,"
    "  modules TEXT NOT NULL DEFAULT '*',"
    "  label TEXT NOT NULL DEFAULT '',"
    "  created_ms INTEGER NOT NULL,"
    "  revoked_ms INTEGER NOT NULL DEFAULT 0"
    ") STRICT;"
    "CREATE TABLE transactions ("
    "  id TEXT PRIMARY KEY,"
    "  client_id TEXT NOT NULL,"
    "  endpoint TEXT NOT NULL,"
    "  reference_id TEXT,"
    "  claim INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  http_status INTEGER NOT NULL,"
    "  response_key TEXT NOT NULL,"
    "  response_code TEXT NOT NULL,"
    "  live INTEGER, score INTEGER, review INTEGER,"
    "  face_x INTEGER, face_y INTEGER, face_w INTEGER, face_h INTEGER,"
    "  face_score REAL, width INTEGER, height INTEGER, bytes INTEGER,"
    "  ms_total REAL, ms_queue REAL, ms_decode REAL, ms_faces REAL,"
    "  ms_liveness REAL"
    ") STRICT;"
    "CREATE UNIQUE INDEX transactions_reference"
    "  ON transactions(client_id, reference_id) WHERE claim = 1;"
    "CREATE INDEX transactions_created ON transactions(created_ms);",
    /* 2: active video liveness: sessions, their reference images, media,
     * the hashes of uploaded recordings and the callback outbox. */
    "CREATE TABLE sessions ("
    "  txn TEXT PRIMARY KEY,"
    "  client_id TEXT NOT NULL,"
    "  reference_id TEXT NOT NULL,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  challenge TEXT NOT NULL,"
    "  redirect_url TEXT NOT NULL,"
    "  callback_url TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL,"
    "  uploaded_ms INTEGER NOT NULL DEFAULT 0,"
    "  finished_ms INTEGER NOT NULL DEFAULT 0,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  max_attempts INTEGER NOT NULL,"
    "  state INTEGER NOT NULL,"
    "  nref INTEGER NOT NULL,"
    "  capture_media TEXT,"
    "  video_sha256 TEXT,"
    "  duplicate INTEGER NOT NULL DEFAULT 0,"
    "  meta TEXT,"
    "  lease_owner TEXT,"
    "  lease_until_ms INTEGER NOT NULL DEFAULT 0,"
    "  error_key TEXT,"
    "  result TEXT"
    ") STRICT;"
    "CREATE INDEX sessions_queue ON sessions(state, uploaded_ms);"
    "CREATE INDEX sessions_created ON sessions(created_ms);"
    "CREATE TABLE session_refs ("
    "  txn TEXT NOT NULL REFERENCES sessions(txn),"
    "  idx INTEGER NOT NULL,"
    "  media TEXT NOT NULL,"
    "  emb BLOB,"
    "  PRIMARY KEY (txn, idx)"
    ") STRICT;"
    "CREATE TABLE media ("
    "  id TEXT PRIMARY KEY,"
    "  txn TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  ctype TEXT NOT NULL,"
    "  data BLOB NOT NULL,"
    "  created_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX media_txn ON media(txn);"
    "CREATE TABLE upload_hashes ("
    "  sha256 TEXT PRIMARY KEY,"
    "  txn TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  txn TEXT NOT NULL,"
    "  client_id TEXT NOT NULL,"
    "  url TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL,"
    "  next_ms INTEGER NOT NULL,"
    "  delivered_ms INTEGER NOT NULL,"
    "  last_status INTEGER NOT NULL,"
    "  last_error TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX outbox_due ON outbox(delivered_ms, next_ms);",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

static int user_version(struct sq *q)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int migrate(struct sq *q, struct lc_diag *d)
{
    char sql[64];
    if (exec(q, "BEGIN IMMEDIATE", d) < 0)
        return LC_ESTORE;
    int v = user_version(q);
    if (v < 0 || v > SCHEMA_VERSION) {
        exec(q, "ROLLBACK", NULL);
        return lc_diag_set(d, LC_ESTORE,
                           "sqlite: database schema version %d; this "
                           "livecheck knows versions up to %d",
                           v, SCHEMA_VERSION);
    }
    for (; v < SCHEMA_VERSION; v++)
        if (exec(q, migrations[v], d) < 0) {
            lc_diag_prefix(d, "migration: ");
            exec(q, "ROLLBACK", NULL);
            return LC_ESTORE;
        }
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
    if (exec(q, sql, d) < 0 || exec(q, "COMMIT", d) < 0) {
        exec(q, "ROLLBACK", NULL);
        return LC_ESTORE;
    }
    return 0;
}

static void sq_close(struct store *s)
{
    struct sq *q = (struct sq *)s;
#define X(name, sql) sqlite3_finalize(q->name);
    STMTS(X)
#undef X
    sqlite3_close(q->db);
    free(q);
}

static int mkdir_p(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return -1;
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(path, 0700) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int sq_open(struct store **out, const char *dir,
                   const struct store_opts *o, struct lc_diag *d)
{
    char path[4096], pragmas[160];
    if (sodium_init() < 0)
        return lc_diag_set(d, LC_EIO, "libsodium: cannot initialise");
    if (mkdir_p(dir) != 0)
        return lc_diag_set(d, LC_EIO, "store: cannot create directory %s: %s",
                           dir, strerror(errno));
    if (snprintf(path, sizeof path, "%s/livecheck.db", dir) >=
        (int)sizeof path)
        return lc_diag_set(d, LC_EINVAL, "store: path too long");

    struct sq *q = lc_calloc(1, sizeof *q);
    q->base.ops = &store_sqlite_ops;
    if (sqlite3_open_v2(path, &q->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        int rc = fail(q, d, path);
        sq_close(&q->base);
        return rc;
    }
    sqlite3_busy_timeout(q->db, o->busy_timeout_ms > 0 ? o->busy_timeout_ms
                                                       : 5000);
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode = WAL; PRAGMA synchronous = %s;"
             " PRAGMA foreign_keys = ON;",
             o->sync == STORE_SYNC_NORMAL ? "NORMAL" : "FULL");
    int rc = exec(q, pragmas, d);
    if (rc == 0)
        rc = migrate(q, d);
#define X(name, sql)                                                      \
    if (rc == 0 &&                                                        \
        sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT,     \
                           &q->name, NULL) != SQLITE_OK)                  \
        rc = fail(q, d, "prepare " #name);
    STMTS(X)
#undef X
    if (rc < 0) {
        sq_close(&q->base);
        return rc;
    }
    *out = &q->base;
    return 0;
}

static int sq_ping(struct store *s)
{
    struct sq *q = (struct sq *)s;
    int rc = sqlite3_step(q->ping);
    sqlite3_reset(q->ping);
    return rc == SQLITE_ROW ? 0 : LC_ESTORE;
}

static int sq_schema_version(struct store *s)
{
    int v = user_version((struct sq *)s);
    return v < 0 ? LC_ESTORE : v;
}

int sq_begin(struct sq *q) { return exec(q, "BEGIN IMMEDIATE", NULL); }

int sq_commit(struct sq *q)
{
    if (exec(q, "COMMIT", NULL) == 0)
        return 0;
    sq_rollback(q);
    return LC_ESTORE;
}

void sq_rollback(struct sq *q) { exec(q, "ROLLBACK", NULL); }

static int sq_cred_put(struct store *s, const struct store_credential *c)
{
    struct sq *q = (struct sq *)s;
    sqlite3_stmt *st = q->cred_put;
    sqlite3_bind_text(st, 1, c->client_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->secret_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->module_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, c->modules, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, c->label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, c->created_ms);
    sqlite3_bind_int64(st, 7, c->revoked_ms);
    return step_done(q, st);
}

static void cred_row(sqlite3_stmt *st, struct store_credential *c)
{
    col_text(st, 0, c->client_id, sizeof c->client_id);
    col_text(st, 1, c->secret_hash, sizeof c->secret_hash);
    col_text(st, 2, c->module_hash, sizeof c->module_hash);
    col_text(st, 3, c->modules, sizeof c->modules);
    col_text(st, 4, c->label, sizeof c->label);
    c->created_ms = sqlite3_column_int64(st, 5);
    c->revoked_ms = sqlite3_column_int64(st, 6);
}

static int sq_cred_get(struct store *s, const char *client_id,
                       struct store_credential *c)
{
    struct sq *q = (struct sq *)s;
    sqlite3_stmt *st = q->cred_get;
    sqlite3_bind_text(st, 1, client_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        cred_row(st, c);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? LC_ENOTFOUND : LC_ESTORE;
}

static int sq_cred_each(struct store *s,
                        int (*fn)(void *arg, const struct store_credential *c),
                        void *arg)
{
    struct sq *q = (struct sq *)s;
    struct store_credential c;
    int rc, ret = 0;
    while ((rc = sqlite3_step(q->cred_all)) == SQLITE_ROW) {
        cred_row(q->cred_all, &c);
        ret = fn(arg, &c);
        if (ret != 0)
            break;
    }
    sqlite3_reset(q->cred_all);
    if (ret != 0)
        return ret;
    return rc == SQLITE_DONE ? 0 : LC_ESTORE;
}

static int sq_cred_revoke(struct store *s, const char *client_id,
                          int64_t when_ms)
{
    struct sq *q = (struct sq *)s;
    sqlite3_bind_int64(q->cred_revoke, 1, when_ms);
    sqlite3_bind_text(q->cred_revoke, 2, client_id, -1, SQLITE_STATIC);
    int rc = step_done(q, q->cred_revoke);
    if (rc < 0)
        return rc;
    return sqlite3_changes(q->db) == 1 ? 0 : LC_ENOTFOUND;
}

static int sq_ref_taken(struct store *s, const char *client_id,
                        const char *reference_id)
{
    struct sq *q = (struct sq *)s;
    sqlite3_stmt *st = q->ref_taken;
    sqlite3_bind_text(st, 1, client_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, reference_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : LC_ESTORE;
}

int sq_txn_put(struct store *s, const struct store_txn *t)
{
    struct sq *q = (struct sq *)s;
    sqlite3_stmt *st = q->txn_put;
    bool face = t->face[2] > 0;
    sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->client_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, t->endpoint, -1, SQLITE_STATIC);
    bind_text(st, 4, t->reference_id);
    sqlite3_bind_int(st, 5, t->claim && t->reference_id[0] ? 1 : 0);
    sqlite3_bind_int64(st, 6, t->created_ms);
    sqlite3_bind_int(st, 7, t->http_status);
    sqlite3_bind_text(st, 8, t->response_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, t->response_code, -1, SQLITE_STATIC);
    bind_opt_int(st, 10, t->live);
    bind_opt_int(st, 11, t->score);
    bind_opt_int(st, 12, t->review);
    for (int i = 0; i < 4; i++)
        bind_opt_int(st, 13 + i, face ? t->face[i] : -1);
    bind_opt_real(st, 17, face ? (double)t->face_score : -1.0);
    bind_opt_int(st, 18, t->width > 0 ? t->width : -1);
    bind_opt_int(st, 19, t->height > 0 ? t->height : -1);
    bind_opt_int(st, 20, t->bytes);
    bind_opt_real(st, 21, t->ms_total);
    bind_opt_real(st, 22, t->ms_queue);
    bind_opt_real(st, 23, t->ms_decode);
    bind_opt_real(st, 24, t->ms_faces);
    bind_opt_real(st, 25, t->ms_liveness);
    return step_done(q, st);
}

static int sq_txn_get(struct store *s, const char *id, struct store_txn *t)
{
    struct sq *q = (struct sq *)s;
    sqlite3_stmt *st = q->txn_get;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(t, 0, sizeof *t);
        col_text(st, 0, t->id, sizeof t->id);
        col_text(st, 1, t->client_id, sizeof t->client_id);
        col_text(st, 2, t->endpoint, sizeof t->endpoint);
        col_text(st, 3, t->reference_id, sizeof t->reference_id);
        t->claim = sqlite3_column_int(st, 4) != 0;
        t->created_ms = sqlite3_column_int64(st, 5);
        t->http_status = sqlite3_column_int(st, 6);
        col_text(st, 7, t->response_key, sizeof t->response_key);
        col_text(st, 8, t->response_code, sizeof t->response_code);
        t->live = col_opt_int(st, 9);
        t->score = col_opt_int(st, 10);
        t->review = col_opt_int(st, 11);
        for (int i = 0; i < 4; i++)
            t->face[i] = col_opt_int(st, 12 + i);
        t->face_score = (float)col_opt_real(st, 16);
        t->width = col_opt_int(st, 17);
        t->height = col_opt_int(st, 18);
        t->bytes = col_opt_int(st, 19);
        t->ms_total = col_opt_real(st, 20);
        t->ms_queue = col_opt_real(st, 21);
        t->ms_decode = col_opt_real(st, 22);
        t->ms_faces = col_opt_real(st, 23);
        t->ms_liveness = col_opt_real(st, 24);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? LC_ENOTFOUND : LC_ESTORE;
}

static int sq_txn_count(struct store *s, int64_t *n)
{
    struct sq *q = (struct sq *)s;
    int rc = sqlite3_step(q->txn_count);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(q->txn_count, 0);
    sqlite3_reset(q->txn_count);
    return rc == SQLITE_ROW ? 0 : LC_ESTORE;
}

const struct store_ops store_sqlite_ops = {
    .scheme = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .ping = sq_ping,
    .schema_version = sq_schema_version,
    .credential_put = sq_cred_put,
    .credential_get = sq_cred_get,
    .credential_each = sq_cred_each,
    .credential_revoke = sq_cred_revoke,
    .reference_taken = sq_ref_taken,
    .txn_put = sq_txn_put,
    .txn_get = sq_txn_get,
    .txn_count = sq_txn_count,
    SQ_SESSION_OPS
};
