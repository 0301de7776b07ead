/* tests/unit/store_env.h - the stores the store tests run on.
 *
 * A STORE_TEST runs its body once per available backend, each time on a
 * fresh, empty store: SQLite in a temporary directory always (the test
 * keeps its plain name), and PostgreSQL in a new database on the server of
 * env LC_TEST_PG (a conninfo URL, e.g. from scripts/pg-test.sh) when that
 * is set (the test's name gets "_pg"). Without LC_TEST_PG the PostgreSQL
 * runs are not registered, and the first store test says so.
 *
 *     STORE_TEST(store_thing)
 *     {
 *         struct store *st = tstore_open(ts, NULL);   // ts: the backend
 *         ASSERT(st != NULL);
 *         ...
 *         store_close(st);
 *     }
 *
 * The store (directory or database) is removed after the body, whether it
 * passed or not. PG_TEST bodies run on PostgreSQL only.
 */
#ifndef LC_TEST_STORE_ENV_H
#define LC_TEST_STORE_ENV_H

#include <stdbool.h>

#include "livecheck/store.h"
#include "test.h"

enum tstore_kind { TSTORE_SQLITE, TSTORE_PG };

struct tstore {
    enum tstore_kind kind;
    const char *name;  /* "sqlite" or "postgres" */
    char url[1120];    /* the location store_open takes */
    char dir[64];      /* sqlite: the directory */
    char db[64];       /* postgres: the database */
    char conninfo[1100]; /* postgres: the database for libpq */
};

/* Is LC_TEST_PG set? */
bool tstore_pg_enabled(void);
/* A fresh, empty store of that kind; 0 or -1 (with a message). */
int tstore_make(struct tstore *t, enum tstore_kind kind);
void tstore_drop(struct tstore *t);
/* Open t's store (o may be NULL); NULL (with the reason on stderr) when
 * it fails. */
struct store *tstore_open(const struct tstore *t, const struct store_opts *o);
/* Run SQL on t's store over a connection of the test's own, not through
 * the store (PostgreSQL and SQLite alike); 0 or -1. */
int tstore_exec(const struct tstore *t, const char *sql);
/* postgres: t->url's database as a URL with the other scheme name
 * ("postgres://" <-> "postgresql://"), or in KEY=VALUE form
 * ("postgres:host=... dbname=..."); "" when LC_TEST_PG is not a URL. */
void tstore_pg_alt_url(const struct tstore *t, bool keywords, char *out,
                       size_t n);

void tstore_run(void (*body)(struct tstore *), enum tstore_kind kind);

#define STORE_TEST(name)                                                 \
    static void store_body_##name(struct tstore *ts);                    \
    static void test_##name(void)                                        \
    {                                                                    \
        tstore_run(store_body_##name, TSTORE_SQLITE);                    \
    }                                                                    \
    static void test_##name##_pg(void)                                   \
    {                                                                    \
        tstore_run(store_body_##name, TSTORE_PG);                        \
    }                                                                    \
    __attribute__((constructor)) static void test_reg_##name(void)       \
    {                                                                    \
        test_register(#name, test_##name);                               \
        if (tstore_pg_enabled())                                         \
            test_register(#name "_pg", test_##name##_pg);                \
    }                                                                    \
    static void store_body_##name(struct tstore *ts)

#define PG_TEST(name)                                                    \
    static void store_body_##name(struct tstore *ts);                    \
    static void test_##name(void)                                        \
    {                                                                    \
        tstore_run(store_body_##name, TSTORE_PG);                        \
    }                                                                    \
    __attribute__((constructor)) static void test_reg_##name(void)       \
    {                                                                    \
        if (tstore_pg_enabled())                                         \
            test_register(#name, test_##name);                           \
    }                                                                    \
    static void store_body_##name(struct tstore *ts)

#endif
