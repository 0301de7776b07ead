/* src/store/store.c - picks a backend from the store URL and forwards the
 * calls of store.h to it. Credential hashing lives in credential.c; the
 * SQL of the default backend in sqlite.c, of PostgreSQL in pg.c. */
#include "livecheck/store.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* pg.c: "postgres://user@host/db" and "postgresql://..." alike. */
extern const struct store_ops store_pg_ops, store_postgresql_ops;

static const struct store_ops *const backends[] = {
    &store_sqlite_ops,
    &store_pg_ops,
    &store_postgresql_ops,
};

int64_t store_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int store_open(struct store **out, const char *url,
               const struct store_opts *o, struct lc_diag *d)
{
    static const struct store_opts defaults = {.sync = STORE_SYNC_FULL};
    *out = NULL;
    if (url == NULL || url[0] == 0)
        return lc_diag_set(d, LC_EINVAL, "store: empty location");
    if (o == NULL)
        o = &defaults;
    const char *colon = strchr(url, ':');
    const char *slash = strchr(url, '/');
    /* "scheme:rest" when a scheme comes before any path separator;
     * anything else is a directory for the default backend. */
    if (colon != NULL && (slash == NULL || colon < slash)) {
        size_t n = (size_t)(colon - url);
        for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
            if (strlen(backends[i]->scheme) == n &&
                strncmp(backends[i]->scheme, url, n) == 0)
                return backends[i]->open(out, colon + 1, o, d);
        return lc_diag_set(d, LC_EUNSUP, "store: unknown backend in '%s'",
                           url);
    }
    return backends[0]->open(out, url, o, d);
}

void store_url_redact(const char *url, char *out, size_t n)
{
    size_t k = 0;
    const char *p = url ? url : "";
    const char *at = strchr(p, '@'), *sep = strstr(p, "://");
    const char *colon = sep && at ? memchr(sep + 3, ':', (size_t)(at - sep - 3))
                                  : NULL;
    while (*p && k + 4 < n) {
        if (p == colon) { /* "user:secret@": keep the colon, mask */
            k += (size_t)snprintf(out + k, n - k, ":***");
            p = at;
            continue;
        }
        if (strncasecmp(p, "password=", 9) == 0 &&
            (p == url || p[-1] == ' ' || p[-1] == '&' || p[-1] == '?')) {
            k += (size_t)snprintf(out + k, n - k, "%.9s***", p);
            p += 9;
            while (*p && *p != ' ' && *p != '&')
                p++;
            continue;
        }
        out[k++] = *p++;
    }
    out[k < n ? k : n - 1] = 0;
}

void store_close(struct store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

int store_ping(struct store *s) { return s->ops->ping(s); }

int store_schema_version(struct store *s)
{
    return s->ops->schema_version(s);
}

int store_credential_get(struct store *s, const char *client_id,
                         struct store_credential *c)
{
    return s->ops->credential_get(s, client_id, c);
}

int store_credential_each(struct store *s,
                          int (*fn)(void *arg,
                                    const struct store_credential *c),
                          void *arg)
{
    return s->ops->credential_each(s, fn, arg);
}

int store_credential_revoke(struct store *s, const char *client_id)
{
    return s->ops->credential_revoke(s, client_id, store_now_ms());
}

int store_reference_taken(struct store *s, const char *client_id,
                          const char *reference_id)
{
    return s->ops->reference_taken(s, client_id, reference_id);
}

int store_txn_put(struct store *s, const struct store_txn *t)
{
    return s->ops->txn_put(s, t);
}

int store_txn_get(struct store *s, const char *id, struct store_txn *t)
{
    return s->ops->txn_get(s, id, t);
}

int store_txn_count(struct store *s, int64_t *n)
{
    return s->ops->txn_count(s, n);
}

int store_session_create(struct store *s, const struct store_txn *t,
                         const struct store_session *ss,
                         const struct store_session_ref *refs,
                         const struct store_media *media, int nref)
{
    return s->ops->session_create(s, t, ss, refs, media, nref);
}

int store_session_get(struct store *s, const char *txn,
                      struct store_session *ss)
{
    return s->ops->session_get(s, txn, ss);
}

int store_session_by_token(struct store *s, const char *token_hash,
                           struct store_session *ss)
{
    return s->ops->session_by_token(s, token_hash, ss);
}

int store_session_refs(struct store *s, const char *txn,
                       struct store_session_ref *refs, int max)
{
    return s->ops->session_refs(s, txn, refs, max);
}

int store_session_attempt(struct store *s, const char *txn)
{
    return s->ops->session_attempt(s, txn);
}

int store_session_upload(struct store *s, const char *txn,
                         const struct store_media *video, const char *sha256,
                         const char *meta, int64_t now_ms, bool *duplicate)
{
    return s->ops->session_upload(s, txn, video, sha256, meta, now_ms,
                                  duplicate);
}

int store_job_claim(struct store *s, const char *owner, int64_t now_ms,
                    int64_t lease_ms, struct store_session *ss)
{
    return s->ops->job_claim(s, owner, now_ms, lease_ms, ss);
}

int store_job_finish(struct store *s, const char *txn, const char *owner,
                     enum store_session_state state, const char *result,
                     const char *error_key, const struct store_media *media,
                     int nmedia, const struct store_outbox *callback)
{
    return s->ops->job_finish(s, txn, owner, state, result, error_key, media,
                              nmedia, callback);
}

int store_job_touch(struct store *s, const char *txn, const char *owner,
                    int64_t until_ms)
{
    return s->ops->job_touch(s, txn, owner, until_ms);
}

int store_job_release(struct store *s, const char *owner)
{
    return s->ops->job_release(s, owner);
}

int store_media_put(struct store *s, const struct store_media *m)
{
    return s->ops->media_put(s, m);
}

int store_media_get(struct store *s, const char *id, uint8_t **data,
                    size_t *n, char ctype[32])
{
    return s->ops->media_get(s, id, data, n, ctype);
}

int store_outbox_claim(struct store *s, int64_t now_ms, int64_t lease_ms,
                       struct store_outbox *ob)
{
    return s->ops->outbox_claim(s, now_ms, lease_ms, ob);
}

int store_outbox_result(struct store *s, int64_t id, bool delivered,
                        int status, const char *error, int64_t next_ms)
{
    return s->ops->outbox_result(s, id, delivered, status, error, next_ms);
}

int store_purge(struct store *s, int64_t before_ms, int64_t *removed)
{
    return s->ops->purge(s, before_ms, removed);
}
