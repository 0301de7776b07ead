/* tests/unit/store_env.c - fresh stores for the store tests (see
 * store_env.h): a temporary directory for SQLite, a new database on
 * LC_TEST_PG's server for PostgreSQL. */
#include "store_env.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool tstore_pg_enabled(void)
{
    const char *u = getenv("LC_TEST_PG");
    return u != NULL && u[0] != 0;
}

static bool is_uri(const char *u)
{
    return strncmp(u, "postgres://", 11) == 0 ||
           strncmp(u, "postgresql://", 13) == 0;
}

/* base with its database replaced by db, for libpq. */
static void with_db(const char *base, const char *db, char *out, size_t n)
{
    if (!is_uri(base)) { /* KEY=VALUE ...: a later dbname wins */
        snprintf(out, n, "%s dbname=%s", base, db);
        return;
    }
    const char *auth = strstr(base, "://") + 3;
    size_t alen = strcspn(auth, "/?");
    const char *query = strchr(auth + alen, '?');
    snprintf(out, n, "%.*s/%s%s", (int)(auth + alen - base), base, db,
             query ? query : "");
}

static int pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("LC_TEST_PG"));
    int rc = 0;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "    LC_TEST_PG: %s", PQerrorMessage(c));
        rc = -1;
    } else {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "    LC_TEST_PG: %s: %s", sql,
                    PQresultErrorMessage(r));
            rc = -1;
        }
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}

int tstore_make(struct tstore *t, enum tstore_kind kind)
{
    static int seq;
    char sql[128];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    if (kind == TSTORE_SQLITE) {
        t->name = "sqlite";
        snprintf(t->dir, sizeof t->dir, "/tmp/lc-store-XXXXXX");
        if (mkdtemp(t->dir) == NULL) {
            perror("    mkdtemp");
            return -1;
        }
        snprintf(t->url, sizeof t->url, "%s", t->dir);
        return 0;
    }
    t->name = "postgres";
    if (!tstore_pg_enabled())
        return -1;
    snprintf(t->db, sizeof t->db, "lc_unit_%d_%d", (int)getpid(), ++seq);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", t->db);
    if (pg_admin(sql) < 0)
        return -1;
    with_db(getenv("LC_TEST_PG"), t->db, t->conninfo, sizeof t->conninfo);
    /* A URI goes to store_open as it is; KEY=VALUE after "postgres:". */
    snprintf(t->url, sizeof t->url, "%s%s",
             is_uri(t->conninfo) ? "" : "postgres:", t->conninfo);
    return 0;
}

void tstore_drop(struct tstore *t)
{
    char cmd[160];
    if (t->kind == TSTORE_SQLITE && t->dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "    cannot remove %s\n", t->dir);
    } else if (t->kind == TSTORE_PG && t->db[0]) {
        snprintf(cmd, sizeof cmd, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                 t->db);
        pg_admin(cmd);
    }
}

struct store *tstore_open(const struct tstore *t, const struct store_opts *o)
{
    struct store *st = NULL;
    struct lc_diag d = {{0}};
    if (store_open(&st, t->url, o, &d) < 0) {
        fprintf(stderr, "    store_open (%s): %s\n", t->name, d.msg);
        return NULL;
    }
    return st;
}

int tstore_exec(const struct tstore *t, const char *sql)
{
    int rc = 0;
    if (t->kind == TSTORE_SQLITE) {
        char path[128];
        sqlite3 *db = NULL;
        char *msg = NULL;
        snprintf(path, sizeof path, "%s/livecheck.db", t->dir);
        if (sqlite3_open(path, &db) != SQLITE_OK ||
            sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
            fprintf(stderr, "    sqlite: %s: %s\n", sql,
                    msg ? msg : sqlite3_errmsg(db));
            rc = -1;
        }
        sqlite3_free(msg);
        sqlite3_close(db);
        return rc;
    }
    PGconn *c = PQconnectdb(t->conninfo);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK &&
        PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "    postgres: %s: %s", sql, PQerrorMessage(c));
        rc = -1;
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}

void tstore_pg_alt_url(const struct tstore *t, bool keywords, char *out,
                       size_t n)
{
    out[0] = 0;
    if (!is_uri(t->conninfo))
        return;
    if (!keywords) {
        const char *rest = strstr(t->conninfo, "://");
        snprintf(out, n, "%s%s",
                 strncmp(t->conninfo, "postgresql:", 11) == 0 ? "postgres"
                                                              : "postgresql",
                 rest);
        return;
    }
    PQconninfoOption *opts = PQconninfoParse(t->conninfo, NULL);
    size_t len = 0;
    char buf[2048];
    len += (size_t)snprintf(buf, sizeof buf, "postgres:");
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (o->val == NULL || o->val[0] == 0 || len + 8 >= sizeof buf)
            continue;
        int k = snprintf(buf + len, sizeof buf - len, "%s%s='",
                         len > 9 ? " " : "", o->keyword);
        len = k > 0 && (size_t)k < sizeof buf - len ? len + (size_t)k
                                                    : sizeof buf - 1;
        for (const char *v = o->val; *v && len + 3 < sizeof buf; v++) {
            if (*v == '\'' || *v == '\\')
                buf[len++] = '\\';
            buf[len++] = *v;
        }
        if (len + 2 < sizeof buf)
            buf[len++] = '\'';
        buf[len] = 0;
    }
    snprintf(out, n, "%s", buf);
    PQconninfoFree(opts);
}

void tstore_run(void (*body)(struct tstore *), enum tstore_kind kind)
{
    static bool said;
    struct tstore t;
    if (kind == TSTORE_SQLITE && !tstore_pg_enabled() && !said) {
        printf("     (store tests on SQLite only: PostgreSQL skipped, "
               "LC_TEST_PG is not set)\n");
        said = true;
    }
    if (tstore_make(&t, kind) < 0) {
        test_fail(__FILE__, __LINE__, "cannot make a fresh %s store",
                  kind == TSTORE_PG ? "postgres" : "sqlite");
        return;
    }
    body(&t);
    tstore_drop(&t);
}
