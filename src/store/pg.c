/* src/store/pg.c - the PostgreSQL store backend (libpq):
 * store = postgres://user@host/db (or postgresql://..., or
 * postgres:KEYWORD=VALUE ... in libpq's conninfo form).
 *
 * Each struct store is one connection, used by one thread at a time, with
 * its statements prepared once at open (and again after a reset), so a
 * request costs no SQL parsing. The schema is the SQLite backend's, in
 * PostgreSQL types (bytea for embeddings and media, bigint for times),
 * versioned in the table schema_version: open applies the missing
 * migrations in one transaction that first takes a transaction-level
 * advisory lock, so nodes starting together never both migrate (the
 * second waits, then finds the schema current and changes nothing). A
 * database already current needs no CREATE privilege.
 *
 * Durability: STORE_SYNC_FULL keeps the server's synchronous_commit;
 * STORE_SYNC_NORMAL turns it off for the connection (a crash of
 * livecheckd loses nothing, a crash of the server may lose the last
 * commits). busy_timeout_ms becomes lock_timeout.
 *
 * A lost connection fails the call with LC_ESTORE; the next call tries
 * PQreset once and, when the server answers again, prepares the
 * statements anew. (Server-side prepared statements: a pooler in front
 * must keep sessions, e.g. PgBouncer in session mode.)
 *
 * libpq's environment and files apply as usual (PGPASSFILE, PGSSLMODE,
 * ...): keep the password out of the URL, which livecheckd logs as its
 * data_dir, by putting it in ~/.pgpass or PGPASSFILE.
 */
#include "livecheck/store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"
#include "pg_int.h"

/* Any constant: the key of the advisory lock that serialises migrations
 * (per database). "lcmigrat". */
#define PG_MIGRATE_LOCK 0x6c636d6967726174LL

/* Version N of the schema is migrations[0..N-1] applied in order; the
 * same versions as sqlite.c's. Never edit a shipped entry: add one. */
static const char *const migrations[] = {
    /* 1: credentials and transactions. */
    "CREATE TABLE credentials ("
    "  client_id text PRIMARY KEY,"
    "  secret_hash text NOT NULL,"
    "  module_hash text NOT NULL,"
    "  modules text NOT NULL DEFAULT '*',"
    "  label text NOT NULL DEFAULT '',"
    "  created_ms bigint NOT NULL,"
    "  revoked_ms bigint NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE transactions ("
    "  id text PRIMARY KEY,"
    "  client_id text NOT NULL,"
    "  endpoint text NOT NULL,"
    "  reference_id text,"
    "  claim integer NOT NULL,"
    "  created_ms bigint NOT NULL,"
    "  http_status integer NOT NULL,"
    "  response_key text NOT NULL,"
    "  response_code text NOT NULL,"
    "  live integer, score integer, review integer,"
    "  face_x integer, face_y integer, face_w integer, face_h integer,"
    "  face_score double precision, width integer, height integer,"
    "  bytes bigint,"
    "  ms_total double precision, ms_queue double precision,"
    "  ms_decode double precision, ms_faces double precision,"
    "  ms_liveness double precision"
    ");"
    "CREATE UNIQUE INDEX transactions_reference"
    "  ON transactions(client_id, reference_id) WHERE claim = 1;"
    "CREATE INDEX transactions_created ON transactions(created_ms);",
    /* 2: active video liveness: sessions, their reference images, media,
     * the hashes of uploaded recordings and the callback outbox. */
    "CREATE TABLE sessions ("
    "  txn text PRIMARY KEY,"
    "  client_id text NOT NULL,"
    "  reference_id text NOT NULL,"
    "  token_hash text NOT NULL UNIQUE,"
    "  challenge text NOT NULL,"
    "  redirect_url text NOT NULL,"
    "  callback_url text NOT NULL,"
    "  created_ms bigint NOT NULL,"
    "  expires_ms bigint NOT NULL,"
    "  uploaded_ms bigint NOT NULL DEFAULT 0,"
    "  finished_ms bigint NOT NULL DEFAULT 0,"
    "  attempts integer NOT NULL DEFAULT 0,"
    "  max_attempts integer NOT NULL,"
    "  state integer NOT NULL,"
    "  nref integer NOT NULL,"
    "  capture_media text,"
    "  video_sha256 text,"
    "  duplicate integer NOT NULL DEFAULT 0,"
    "  meta text,"
    "  lease_owner text,"
    "  lease_until_ms bigint NOT NULL DEFAULT 0,"
    "  error_key text,"
    "  result text"
    ");"
    "CREATE INDEX sessions_queue ON sessions(state, uploaded_ms);"
    "CREATE INDEX sessions_created ON sessions(created_ms);"
    "CREATE TABLE session_refs ("
    "  txn text NOT NULL REFERENCES sessions(txn),"
    "  idx integer NOT NULL,"
    "  media text NOT NULL,"
    "  emb bytea,"
    "  PRIMARY KEY (txn, idx)"
    ");"
    "CREATE TABLE media ("
    "  id text PRIMARY KEY,"
    "  txn text NOT NULL,"
    "  kind text NOT NULL,"
    "  ctype text NOT NULL,"
    "  data bytea NOT NULL,"
    "  created_ms bigint NOT NULL"
    ");"
    "CREATE INDEX media_txn ON media(txn);"
    "CREATE TABLE upload_hashes ("
    "  sha256 text PRIMARY KEY,"
    "  txn text NOT NULL,"
    "  created_ms bigint NOT NULL"
    ");"
    "CREATE TABLE outbox ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  txn text NOT NULL,"
    "  client_id text NOT NULL,"
    "  url text NOT NULL,"
    "  body text NOT NULL,"
    "  attempts integer NOT NULL,"
    "  next_ms bigint NOT NULL,"
    "  delivered_ms bigint NOT NULL,"
    "  last_status integer NOT NULL,"
    "  last_error text NOT NULL"
    ");"
    "CREATE INDEX outbox_due ON outbox(delivered_ms, next_ms);",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

static const struct {
    const char *name, *sql;
} stmts[PS_COUNT] = {
#define X(name, sql) [PS_##name] = {#name, sql},
    PG_STMTS(X)
#undef X
};

/* The server's message on one line (libpq ends it with a newline). */
static const char *errmsg(struct pg *q, const PGresult *r)
{
    static _Thread_local char buf[200];
    const char *m = r ? PQresultErrorMessage(r) : "";
    if (m == NULL || m[0] == 0)
        m = q->conn ? PQerrorMessage(q->conn) : "no connection";
    snprintf(buf, sizeof buf, "%s", m);
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = *(p + 1) ? ' ' : 0;
    return buf;
}

/* Run SQL text (no parameters, possibly several statements). */
static int exec(struct pg *q, const char *sql, struct lc_diag *d)
{
    PGresult *r = PQexec(q->conn, sql);
    ExecStatusType t = PQresultStatus(r);
    int rc = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK ? 0 : LC_ESTORE;
    if (rc < 0)
        lc_diag_set(d, LC_ESTORE, "postgres: %s", errmsg(q, r));
    PQclear(r);
    return rc;
}

/* One integer from a one-row query (NULL reads 0). */
static int exec_int(struct pg *q, const char *sql, int64_t *v,
                    struct lc_diag *d)
{
    PGresult *r = PQexec(q->conn, sql);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        rc = lc_diag_set(d, LC_ESTORE, "postgres: %s", errmsg(q, r));
    else
        *v = col_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

static int migrate(struct pg *q, struct lc_diag *d)
{
    char sql[160];
    int64_t exists = 0, v = 0;
    if (exec(q, "BEGIN", d) < 0)
        return LC_ESTORE;
    /* A node migrating a large table may take long: wait for it. */
    int rc = exec(q, "SET LOCAL lock_timeout = 0", d);
    snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%lld)",
             (long long)PG_MIGRATE_LOCK);
    if (rc == 0)
        rc = exec(q, sql, d);
    if (rc == 0)
        rc = exec_int(q, "SELECT count(*) FROM pg_catalog.pg_class c"
                         " WHERE c.oid = to_regclass('schema_version')",
                      &exists, d);
    if (rc == 0 && exists == 0)
        rc = exec(q, "CREATE TABLE schema_version ("
                     "  version integer PRIMARY KEY,"
                     "  applied_ms bigint NOT NULL)", d);
    if (rc == 0)
        rc = exec_int(q, "SELECT coalesce(max(version), 0)"
                         " FROM schema_version", &v, d);
    if (rc == 0 && (v < 0 || v > SCHEMA_VERSION))
        rc = lc_diag_set(d, LC_ESTORE,
                         "postgres: database schema version %lld; this "
                         "livecheck knows versions up to %d",
                         (long long)v, SCHEMA_VERSION);
    for (; rc == 0 && v < SCHEMA_VERSION; v++) {
        rc = exec(q, migrations[v], d);
        if (rc < 0) {
            lc_diag_prefix(d, "migration: ");
            break;
        }
        snprintf(sql, sizeof sql,
                 "INSERT INTO schema_version (version, applied_ms)"
                 " VALUES (%lld, %lld)", (long long)v + 1,
                 (long long)store_now_ms());
        rc = exec(q, sql, d);
    }
    if (rc == 0)
        rc = exec(q, "COMMIT", d);
    if (rc < 0)
        exec(q, "ROLLBACK", NULL);
    return rc;
}

/* What every new session (the first, and each after a reset) needs: its
 * settings and its prepared statements. */
static int setup(struct pg *q, struct lc_diag *d)
{
    char sql[96];
    q->ready = false;
    snprintf(sql, sizeof sql, "SET lock_timeout = %d", q->lock_ms);
    int rc = exec(q, "DEALLOCATE ALL", d);
    if (rc == 0)
        rc = exec(q, sql, d);
    if (rc == 0 && q->sync == STORE_SYNC_NORMAL)
        rc = exec(q, "SET synchronous_commit = off", d);
    for (int i = 0; rc == 0 && i < PS_COUNT; i++) {
        PGresult *r = PQprepare(q->conn, stmts[i].name, stmts[i].sql, 0,
                                NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = lc_diag_set(d, LC_ESTORE, "postgres: prepare %s: %s",
                             stmts[i].name, errmsg(q, r));
        PQclear(r);
    }
    q->ready = rc == 0;
    return rc;
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static void pg_close(struct store *s)
{
    struct pg *q = (struct pg *)s;
    PQfinish(q->conn);
    free(q);
}

extern const struct store_ops store_pg_ops, store_postgresql_ops;

static int pg_open_as(struct store **out, const char *where,
                      const struct store_opts *o, struct lc_diag *d,
                      const struct store_ops *ops)
{
    if (sodium_init() < 0)
        return lc_diag_set(d, LC_EIO, "libsodium: cannot initialise");
    /* store_open gave us what follows "postgres:": "//user@host/db" is a
     * URI again with its scheme; anything else is libpq's own conninfo
     * (KEY=VALUE ...) or a database name. */
    size_t n = strlen(where);
    char *info = lc_malloc(n + 16);
    snprintf(info, n + 16, "%s%s",
             strncmp(where, "//", 2) == 0 ? "postgresql:" : "", where);
    /* Defaults first: the location's own parameters override them. The
     * keepalives notice a server that vanished (power, network) within
     * about 25 s instead of the kernel's two hours. */
    const char *const keys[] = {"connect_timeout", "application_name",
                                "client_encoding", "keepalives_idle",
                                "keepalives_interval", "keepalives_count",
                                "dbname", NULL};
    const char *const vals[] = {"10", "livecheck", "UTF8", "10", "5", "3",
                                info, NULL};
    struct pg *q = lc_calloc(1, sizeof *q);
    q->base.ops = ops;
    q->sync = o->sync;
    q->lock_ms = o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 5000;
    q->conn = PQconnectdbParams(keys, vals, 1);
    free(info);
    if (q->conn == NULL || PQstatus(q->conn) != CONNECTION_OK) {
        int rc = lc_diag_set(d, LC_ESTORE, "postgres: cannot connect: %s",
                             q->conn ? errmsg(q, NULL) : "out of memory");
        pg_close(&q->base);
        return rc;
    }
    PQsetNoticeProcessor(q->conn, quiet, NULL);
    int rc = migrate(q, d);
    if (rc == 0)
        rc = setup(q, d);
    if (rc < 0) {
        pg_close(&q->base);
        return rc;
    }
    *out = &q->base;
    return 0;
}

static int pg_open(struct store **out, const char *where,
                   const struct store_opts *o, struct lc_diag *d)
{
    return pg_open_as(out, where, o, d, &store_pg_ops);
}

static int pg_open_ql(struct store **out, const char *where,
                      const struct store_opts *o, struct lc_diag *d)
{
    return pg_open_as(out, where, o, d, &store_postgresql_ops);
}

int pg_ready(struct pg *q)
{
    if (PQstatus(q->conn) != CONNECTION_OK) {
        PQreset(q->conn);
        if (PQstatus(q->conn) != CONNECTION_OK)
            return LC_ESTORE;
        q->ready = false;
    }
    if (!q->ready && setup(q, NULL) < 0)
        return LC_ESTORE;
    /* Never carry a transaction that an earlier failure left open. */
    if (PQtransactionStatus(q->conn) != PQTRANS_IDLE)
        pg_rollback(q);
    return 0;
}

int pg_query(struct pg *q, enum pg_stmt st, const struct pp *p, int binary,
             PGresult **res)
{
    PGresult *r = PQexecPrepared(q->conn, stmts[st].name, p ? p->n : 0,
                                 p ? p->v : NULL, p ? p->len : NULL,
                                 p ? p->fmt : NULL, binary);
    ExecStatusType t = PQresultStatus(r);
    *res = NULL;
    if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK) {
        *res = r;
        return 0;
    }
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    int rc = state && strcmp(state, "23505") == 0 ? LC_EEXIST : LC_ESTORE;
    if (rc == LC_ESTORE && getenv("LC_STORE_DEBUG"))
        fprintf(stderr, "postgres: %s: %s\n", stmts[st].name, errmsg(q, r));
    PQclear(r);
    return rc;
}

int pg_cmd(struct pg *q, enum pg_stmt st, const struct pp *p,
           int64_t *changes)
{
    PGresult *r;
    int rc = pg_query(q, st, p, 0, &r);
    if (rc == 0 && changes != NULL)
        *changes = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return rc;
}

int pg_begin(struct pg *q) { return exec(q, "BEGIN", NULL); }

int pg_commit(struct pg *q)
{
    if (exec(q, "COMMIT", NULL) == 0)
        return 0;
    pg_rollback(q);
    return LC_ESTORE;
}

void pg_rollback(struct pg *q)
{
    if (PQstatus(q->conn) == CONNECTION_OK)
        exec(q, "ROLLBACK", NULL);
}

static int pg_ping(struct store *s)
{
    struct pg *q = (struct pg *)s;
    PGresult *r;
    if (pg_ready(q) < 0 || pg_query(q, PS_ping, NULL, 0, &r) < 0)
        return LC_ESTORE;
    int rc = PQntuples(r) == 1 ? 0 : LC_ESTORE;
    PQclear(r);
    return rc;
}

static int pg_schema_version(struct store *s)
{
    struct pg *q = (struct pg *)s;
    PGresult *r;
    if (pg_ready(q) < 0 || pg_query(q, PS_version, NULL, 0, &r) < 0)
        return LC_ESTORE;
    int v = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? col_int(r, 0, 0)
                                                       : LC_ESTORE;
    PQclear(r);
    return v > 0 ? v : LC_ESTORE;
}

static int pg_cred_put(struct store *s, const struct store_credential *c)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    pp_str(&p, c->client_id);
    pp_str(&p, c->secret_hash);
    pp_str(&p, c->module_hash);
    pp_str(&p, c->modules);
    pp_str(&p, c->label);
    pp_i64(&p, c->created_ms);
    pp_i64(&p, c->revoked_ms);
    return pg_cmd(q, PS_cred_put, &p, NULL);
}

static void cred_row(const PGresult *r, int row, struct store_credential *c)
{
    col_str(r, row, 0, c->client_id, sizeof c->client_id);
    col_str(r, row, 1, c->secret_hash, sizeof c->secret_hash);
    col_str(r, row, 2, c->module_hash, sizeof c->module_hash);
    col_str(r, row, 3, c->modules, sizeof c->modules);
    col_str(r, row, 4, c->label, sizeof c->label);
    c->created_ms = col_i64(r, row, 5);
    c->revoked_ms = col_i64(r, row, 6);
}

static int pg_cred_get(struct store *s, const char *client_id,
                       struct store_credential *c)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    PGresult *r;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    if (!pg_utf8(client_id))
        return LC_ENOTFOUND;
    pp_str(&p, client_id);
    if (pg_query(q, PS_cred_get, &p, 0, &r) < 0)
        return LC_ESTORE;
    int rc = PQntuples(r) == 1 ? 0 : LC_ENOTFOUND;
    if (rc == 0)
        cred_row(r, 0, c);
    PQclear(r);
    return rc;
}

static int pg_cred_each(struct store *s,
                        int (*fn)(void *arg, const struct store_credential *c),
                        void *arg)
{
    struct pg *q = (struct pg *)s;
    struct store_credential c;
    PGresult *r;
    if (pg_ready(q) < 0 || pg_query(q, PS_cred_all, NULL, 0, &r) < 0)
        return LC_ESTORE;
    int ret = 0;
    for (int i = 0; ret == 0 && i < PQntuples(r); i++) {
        cred_row(r, i, &c);
        ret = fn(arg, &c);
    }
    PQclear(r);
    return ret;
}

static int pg_cred_revoke(struct store *s, const char *client_id,
                          int64_t when_ms)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    int64_t changed = 0;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    if (!pg_utf8(client_id))
        return LC_ENOTFOUND;
    pp_i64(&p, when_ms);
    pp_str(&p, client_id);
    int rc = pg_cmd(q, PS_cred_revoke, &p, &changed);
    if (rc < 0)
        return rc;
    return changed == 1 ? 0 : LC_ENOTFOUND;
}

static int pg_ref_taken(struct store *s, const char *client_id,
                        const char *reference_id)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    PGresult *r;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    if (!pg_utf8(client_id) || !pg_utf8(reference_id))
        return 0;
    pp_str(&p, client_id);
    pp_str(&p, reference_id);
    if (pg_query(q, PS_ref_taken, &p, 0, &r) < 0)
        return LC_ESTORE;
    int rc = PQntuples(r) > 0 ? 1 : 0;
    PQclear(r);
    return rc;
}

/* The insert itself, inside the caller's transaction or alone. */
int pg_txn_insert(struct pg *q, const struct store_txn *t)
{
    struct pp p = {0};
    bool face = t->face[2] > 0;
    pp_str(&p, t->id);
    pp_str(&p, t->client_id);
    pp_str(&p, t->endpoint);
    pp_text(&p, t->reference_id);
    pp_i64(&p, t->claim && t->reference_id[0] ? 1 : 0);
    pp_i64(&p, t->created_ms);
    pp_i64(&p, t->http_status);
    pp_str(&p, t->response_key);
    pp_str(&p, t->response_code);
    pp_opt_i64(&p, t->live);
    pp_opt_i64(&p, t->score);
    pp_opt_i64(&p, t->review);
    for (int i = 0; i < 4; i++)
        pp_opt_i64(&p, face ? t->face[i] : -1);
    pp_opt_real(&p, face ? (double)t->face_score : -1.0);
    pp_opt_i64(&p, t->width > 0 ? t->width : -1);
    pp_opt_i64(&p, t->height > 0 ? t->height : -1);
    pp_opt_i64(&p, t->bytes);
    pp_opt_real(&p, t->ms_total);
    pp_opt_real(&p, t->ms_queue);
    pp_opt_real(&p, t->ms_decode);
    pp_opt_real(&p, t->ms_faces);
    pp_opt_real(&p, t->ms_liveness);
    return pg_cmd(q, PS_txn_put, &p, NULL);
}

static int pg_txn_put(struct store *s, const struct store_txn *t)
{
    struct pg *q = (struct pg *)s;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    return pg_txn_insert(q, t);
}

static int pg_txn_get(struct store *s, const char *id, struct store_txn *t)
{
    struct pg *q = (struct pg *)s;
    struct pp p = {0};
    PGresult *r;
    if (pg_ready(q) < 0)
        return LC_ESTORE;
    if (!pg_utf8(id))
        return LC_ENOTFOUND;
    pp_str(&p, id);
    if (pg_query(q, PS_txn_get, &p, 0, &r) < 0)
        return LC_ESTORE;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return LC_ENOTFOUND;
    }
    memset(t, 0, sizeof *t);
    col_str(r, 0, 0, t->id, sizeof t->id);
    col_str(r, 0, 1, t->client_id, sizeof t->client_id);
    col_str(r, 0, 2, t->endpoint, sizeof t->endpoint);
    col_str(r, 0, 3, t->reference_id, sizeof t->reference_id);
    t->claim = col_i64(r, 0, 4) != 0;
    t->created_ms = col_i64(r, 0, 5);
    t->http_status = col_int(r, 0, 6);
    col_str(r, 0, 7, t->response_key, sizeof t->response_key);
    col_str(r, 0, 8, t->response_code, sizeof t->response_code);
    t->live = (int)col_opt_i64(r, 0, 9);
    t->score = (int)col_opt_i64(r, 0, 10);
    t->review = (int)col_opt_i64(r, 0, 11);
    for (int i = 0; i < 4; i++)
        t->face[i] = (int)col_opt_i64(r, 0, 12 + i);
    t->face_score = (float)col_opt_real(r, 0, 16);
    t->width = (int)col_opt_i64(r, 0, 17);
    t->height = (int)col_opt_i64(r, 0, 18);
    t->bytes = col_opt_i64(r, 0, 19);
    t->ms_total = col_opt_real(r, 0, 20);
    t->ms_queue = col_opt_real(r, 0, 21);
    t->ms_decode = col_opt_real(r, 0, 22);
    t->ms_faces = col_opt_real(r, 0, 23);
    t->ms_liveness = col_opt_real(r, 0, 24);
    PQclear(r);
    return 0;
}

static int pg_txn_count(struct store *s, int64_t *n)
{
    struct pg *q = (struct pg *)s;
    PGresult *r;
    if (pg_ready(q) < 0 || pg_query(q, PS_txn_count, NULL, 0, &r) < 0)
        return LC_ESTORE;
    int rc = PQntuples(r) == 1 ? 0 : LC_ESTORE;
    if (rc == 0)
        *n = col_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

/* Two names, one backend: "postgres:" and "postgresql:". */
#define PG_OPS(scheme_, open_)                                           \
    {                                                                    \
        .scheme = scheme_,                                               \
        .open = open_,                                                   \
        .close = pg_close,                                               \
        .ping = pg_ping,                                                 \
        .schema_version = pg_schema_version,                             \
        .credential_put = pg_cred_put,                                   \
        .credential_get = pg_cred_get,                                   \
        .credential_each = pg_cred_each,                                 \
        .credential_revoke = pg_cred_revoke,                             \
        .reference_taken = pg_ref_taken,                                 \
        .txn_put = pg_txn_put,                                           \
        .txn_get = pg_txn_get,                                           \
        .txn_count = pg_txn_count,                                       \
        PG_SESSION_OPS                                                   \
    }
const struct store_ops store_pg_ops = PG_OPS("postgres", pg_open);
const struct store_ops store_postgresql_ops =
    PG_OPS("postgresql", pg_open_ql);

