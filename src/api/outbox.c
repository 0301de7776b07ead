/* src/api/outbox.c - callback delivery (spec/api.md 3d): the persistent,
 * signed outbox of active video liveness.
 *
 * store_job_finish queues a callback row in the same transaction that
 * finishes the analysis, so a finished session always has its callback
 * and nothing is lost when the process dies. One thread per node, with its
 * own store connection, delivers them:
 *
 *   loop: claim the oldest due row (store_outbox_claim pushes its next_ms
 *         OUTBOX_LEASE_MS ahead, so another node, or this one after a
 *         restart, takes it only once that lease ran out), POST it, record
 *         the attempt (store_outbox_result); when nothing is due, sleep
 *         until kicked or for at most a second.
 *
 * The POST (fetch_post: the video_url address rules; no redirects, a 3xx
 * is a failed attempt) carries
 *
 *   Content-Type: application/json
 *   X-Livecheck-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 *                          "<t>.<body>" under the client's callback key>
 *   X-Livecheck-Delivery: <outbox row id; the same on every attempt>
 *   X-Livecheck-Attempt: <1, 2, ...>
 *
 * where the callback key is sign_key_derive(master, "callback:<client_id>")
 * (`livecheck credentials callback-key` prints it). A 2xx marks the row
 * delivered; anything else (a status, a refused address, a timeout) is
 * retried callback_backoff_ms * 2^(attempts before this one) later, capped
 * at OUTBOX_BACKOFF_CAP_MS, until callback_retries attempts were made
 * (then next_ms = 0: given up, kept for the record). Delivery is at least
 * once: a process killed after the receiver answered but before the row
 * was updated delivers it again after the lease, with the same
 * X-Livecheck-Delivery. Each attempt is one JSON log line
 * ("msg":"callback").
 */
#include "api_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "livecheck/fetch.h"
#include "livecheck/mem.h"

#define OUTBOX_LEASE_MS 30000          /* a claimed row's lease at least */
#define OUTBOX_POLL_MS 1000            /* look for due rows this often */
#define OUTBOX_BACKOFF_CAP_MS 600000   /* 10 minutes */
#define OUTBOX_RETRIES_DEFAULT 8
#define OUTBOX_BACKOFF_DEFAULT_MS 1000

struct api_outbox {
    struct api_service *svc;
    struct store *store;      /* the delivery thread's own connection */
    struct fetch_config fetch;
    int64_t lease_ms;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;        /* CLOCK_MONOTONIC */
    bool kicked;              /* guarded by mu */
    atomic_bool stop;         /* also cancels a POST in progress */
    atomic_llong attempts, delivered, failed, gave_up, store_errors;
};

/* The delay before attempt `done + 1` after `done` failed ones. */
static int64_t backoff_ms(int64_t base, int done)
{
    int64_t ms = base;
    for (int i = 1; i < done && ms < OUTBOX_BACKOFF_CAP_MS; i++)
        ms *= 2;
    return ms < OUTBOX_BACKOFF_CAP_MS ? ms : OUTBOX_BACKOFF_CAP_MS;
}

static void log_attempt(const struct api_outbox *o,
                        const struct store_outbox *ob, int attempt, int rc,
                        const char *result, int64_t next_in_ms,
                        const struct fetch_info *info, const char *error,
                        double ms)
{
    char err[200], txn[80], fields[640];
    http_json_escape(err, sizeof err, error);
    http_json_escape(txn, sizeof txn, ob->txn);
    int n = snprintf(fields, sizeof fields,
                     ",\"event\":\"callback\",\"decentroTxnId\":\"%s\","
                     "\"delivery\":%" PRId64 ",\"attempt\":%d,"
                     "\"result\":\"%s\",\"status\":%d,\"ms\":%.1f",
                     txn, ob->id, attempt, result, rc > 0 ? rc : 0, ms);
    if (n > 0 && (size_t)n < sizeof fields && info->address[0])
        n += snprintf(fields + n, sizeof fields - (size_t)n,
                      ",\"address\":\"%s\"", info->address);
    if (n > 0 && (size_t)n < sizeof fields && next_in_ms > 0)
        n += snprintf(fields + n, sizeof fields - (size_t)n,
                      ",\"retry_in_ms\":%" PRId64, next_in_ms);
    if (n > 0 && (size_t)n < sizeof fields && err[0])
        snprintf(fields + n, sizeof fields - (size_t)n, ",\"error\":\"%s\"",
                 err);
    http_log(o->svc->c.log_fd, rc >= 200 && rc <= 299 ? "info" : "warn",
             "callback", fields);
}

/* POST one claimed row and record the attempt. Returns when its retry is
 * due (store_now_ms time), 0 when there is none. */
static int64_t deliver(struct api_outbox *o, const struct store_outbox *ob)
{
    const struct api_service *s = o->svc;
    int attempt = ob->attempts + 1;
    size_t blen = strlen(ob->body);

    /* Sign "<t>.<body>" under the client's callback key. */
    uint8_t key[SIGN_KEY_BYTES];
    char purpose[16 + STORE_ID_MAX], mac[SIGN_HEX_MAX];
    snprintf(purpose, sizeof purpose, "callback:%s", ob->client_id);
    sign_key_derive(s->master_key, purpose, key);
    long long t = (long long)time(NULL);
    char *msg = lc_malloc(blen + 32);
    int mn = snprintf(msg, blen + 32, "%lld.%s", t, ob->body);
    sign_hmac_hex(key, msg, (size_t)mn, mac);
    free(msg);
    memset(key, 0, sizeof key);

    char h_sig[64 + SIGN_HEX_MAX], h_id[64], h_att[48];
    snprintf(h_sig, sizeof h_sig, "X-Livecheck-Signature: t=%lld,v1=%s", t,
             mac);
    snprintf(h_id, sizeof h_id, "X-Livecheck-Delivery: %" PRId64, ob->id);
    snprintf(h_att, sizeof h_att, "X-Livecheck-Attempt: %d", attempt);
    const char *const headers[] = {"Content-Type: application/json", h_sig,
                                   h_id, h_att, NULL};

    struct fetch_info info;
    struct lc_diag d = {{0}};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = fetch_post(&o->fetch, ob->url, headers, ob->body, blen, NULL, 0,
                        &info, &d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    atomic_fetch_add(&o->attempts, 1);

    bool ok = rc >= 200 && rc <= 299;
    char error[160] = "";
    if (rc < 0)
        snprintf(error, sizeof error, "%s: %.120s", lc_err_key(rc), d.msg);
    else if (!ok)
        snprintf(error, sizeof error, "HTTP status %d", rc);
    int64_t next = 0, in = 0;
    const char *result = "delivered";
    if (!ok) {
        int retries = s->c.callback_retries > 0 ? s->c.callback_retries
                                                : OUTBOX_RETRIES_DEFAULT;
        int64_t base = s->c.callback_backoff_ms > 0
                           ? s->c.callback_backoff_ms
                           : OUTBOX_BACKOFF_DEFAULT_MS;
        if (attempt >= retries) {
            result = "gave_up";
            atomic_fetch_add(&o->gave_up, 1);
        } else {
            result = "retry";
            in = backoff_ms(base, attempt);
            next = store_now_ms() + in;
        }
        atomic_fetch_add(&o->failed, 1);
    } else {
        atomic_fetch_add(&o->delivered, 1);
    }
    log_attempt(o, ob, attempt, rc, result, in, &info, error, ms);
    if (store_outbox_result(o->store, ob->id, ok, rc > 0 ? rc : 0, error,
                            next) < 0) {
        /* The row keeps its lease and is tried again once it runs out. */
        atomic_fetch_add(&o->store_errors, 1);
        api_store_failed(o->svc);
        http_log(s->c.log_fd, "error", "callback: cannot record the attempt",
                 ",\"event\":\"callback\"");
        return 0;
    }
    return next;
}

static void *run(void *arg)
{
    struct api_outbox *o = arg;
    struct store_outbox *ob = lc_malloc(sizeof *ob);
    int64_t soonest = 0; /* the earliest retry this thread scheduled */
    while (!atomic_load(&o->stop)) {
        /* Everything due now, one row at a time; then sleep a second at
         * most, or less when a retry of ours is due sooner. */
        if (soonest > 0 && soonest <= store_now_ms())
            soonest = 0; /* due now: the claims below take it */
        while (!atomic_load(&o->stop)) {
            int rc = store_outbox_claim(o->store, store_now_ms(), o->lease_ms,
                                        ob);
            if (rc < 0) {
                atomic_fetch_add(&o->store_errors, 1);
                api_store_failed(o->svc);
            }
            if (rc <= 0)
                break;
            int64_t again = deliver(o, ob);
            if (again > 0 && (soonest == 0 || again < soonest))
                soonest = again;
        }
        int64_t wait_ms = OUTBOX_POLL_MS, now = store_now_ms();
        if (soonest > 0 && soonest - now < wait_ms)
            wait_ms = soonest - now + 1; /* <= 0: due already */
        pthread_mutex_lock(&o->mu);
        if (!o->kicked && !atomic_load(&o->stop) && wait_ms > 0) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_nsec += (long)wait_ms * 1000000L;
            until.tv_sec += until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&o->cv, &o->mu, &until);
        }
        o->kicked = false;
        pthread_mutex_unlock(&o->mu);
    }
    free(ob);
    return NULL;
}

int api_outbox_start(struct api_service *s, struct lc_diag *d)
{
    if (s->outbox != NULL)
        return 0;
    if (fetch_global_init() < 0)
        return lc_diag_set(d, LC_ENOMEM, "libcurl failed to initialise");
    struct api_outbox *o = lc_calloc(1, sizeof *o);
    o->svc = s;
    o->fetch = s->c.fetch;
    o->fetch.max_redirects = 0;
    o->fetch.cancel = &o->stop;
    if (o->fetch.timeout_ms <= 0)
        o->fetch.timeout_ms = 20000;
    /* The lease outlives the slowest POST, so no second delivery loop can
     * take a row while this one is still sending it. */
    o->lease_ms = o->fetch.timeout_ms + 5000 > OUTBOX_LEASE_MS
                      ? o->fetch.timeout_ms + 5000
                      : OUTBOX_LEASE_MS;
    atomic_init(&o->stop, false);
    atomic_init(&o->attempts, 0);
    atomic_init(&o->delivered, 0);
    atomic_init(&o->failed, 0);
    atomic_init(&o->gave_up, 0);
    atomic_init(&o->store_errors, 0);
    int rc = store_open(&o->store, s->c.store_url, &s->c.store, d);
    if (rc < 0) {
        lc_diag_prefix(d, "callback outbox: ");
        free(o);
        return rc;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&o->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&o->mu, NULL);
    rc = pthread_create(&o->th, NULL, run, o);
    if (rc != 0) {
        pthread_cond_destroy(&o->cv);
        pthread_mutex_destroy(&o->mu);
        store_close(o->store);
        free(o);
        return lc_diag_set(d, LC_ENOMEM, "callback outbox: cannot start "
                                         "its thread: %s", strerror(rc));
    }
    s->outbox = o;
    return 0;
}

void api_outbox_kick(struct api_service *s)
{
    struct api_outbox *o = s ? s->outbox : NULL;
    if (o == NULL)
        return;
    pthread_mutex_lock(&o->mu);
    o->kicked = true;
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

void api_outbox_stop(struct api_service *s)
{
    struct api_outbox *o = s ? s->outbox : NULL;
    if (o == NULL)
        return;
    pthread_mutex_lock(&o->mu);
    atomic_store(&o->stop, true);
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
    pthread_join(o->th, NULL);
    pthread_cond_destroy(&o->cv);
    pthread_mutex_destroy(&o->mu);
    store_close(o->store);
    free(o);
    s->outbox = NULL;
}

size_t api_outbox_metrics(const struct api_service *s, char *out, size_t n)
{
    const struct api_outbox *o = s ? s->outbox : NULL;
    if (o == NULL || n == 0)
        return 0;
    int k = snprintf(
        out, n,
        "# HELP livecheck_callback_attempts_total Callback POSTs tried.\n"
        "# TYPE livecheck_callback_attempts_total counter\n"
        "livecheck_callback_attempts_total %lld\n"
        "# HELP livecheck_callback_delivered_total Callbacks answered with "
        "a 2xx.\n"
        "# TYPE livecheck_callback_delivered_total counter\n"
        "livecheck_callback_delivered_total %lld\n"
        "# HELP livecheck_callback_failed_total Callback attempts that "
        "failed (status, address refused, unreachable).\n"
        "# TYPE livecheck_callback_failed_total counter\n"
        "livecheck_callback_failed_total %lld\n"
        "# HELP livecheck_callback_gave_up_total Callbacks abandoned after "
        "callback_retries attempts.\n"
        "# TYPE livecheck_callback_gave_up_total counter\n"
        "livecheck_callback_gave_up_total %lld\n",
        (long long)atomic_load(&o->attempts),
        (long long)atomic_load(&o->delivered),
        (long long)atomic_load(&o->failed),
        (long long)atomic_load(&o->gave_up));
    if (k < 0 || (size_t)k >= n) {
        out[0] = 0; /* never half a metric */
        return 0;
    }
    return (size_t)k;
}
