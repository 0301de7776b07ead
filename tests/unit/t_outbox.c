/* tests/unit/t_outbox.c - callback delivery (src/api/outbox.c) against a
 * receiver on 127.0.0.1 started here: callbacks queued the way the
 * analysis queues them (store_job_finish in a temporary SQLite store),
 * delivered by the outbox thread of a bare api_service (no models, no
 * HTTP server). Checks the retries with back-off until a 2xx, the
 * headers and the signature (verified with the key derived for the
 * client), the row as recorded, giving up after callback_retries, a
 * private callback address never contacted, and a prompt stop while a
 * receiver hangs. */
#include "test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api_int.h"
#include "livecheck/mem.h"
#include "livecheck/sign.h"


/* ---- a receiver that answers a script of statuses ----------------------- */

#define RX_MAX 16

static struct {
    int fd, port;
    pthread_t th;
    atomic_bool stop;
    pthread_mutex_t mu;
    int script[RX_MAX]; /* status per request, in order; 0 = never answer */
    int nscript;        /* beyond it: 200 */
    int n;              /* requests received */
    char req[RX_MAX][12288];
    double at[RX_MAX];  /* when, ms (monotonic) */
} rx = {.mu = PTHREAD_MUTEX_INITIALIZER};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void rx_serve_one(int fd)
{
    char req[12288];
    size_t n = 0, want = 0;
    while (n + 1 < sizeof req) {
        ssize_t k = recv(fd, req + n, sizeof req - 1 - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        req[n] = 0;
        char *end = strstr(req, "\r\n\r\n");
        if (end == NULL)
            continue;
        if (want == 0) {
            const char *cl = strcasestr(req, "\r\nContent-Length:");
            want = (size_t)(end + 4 - req) +
                   (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
        }
        if (n >= want)
            break;
    }
    req[n] = 0;
    pthread_mutex_lock(&rx.mu);
    int i = rx.n < RX_MAX ? rx.n : RX_MAX - 1;
    memcpy(rx.req[i], req, n + 1);
    rx.at[i] = now_ms();
    int status = i < rx.nscript ? rx.script[i] : 200;
    rx.n++;
    pthread_mutex_unlock(&rx.mu);
    if (status == 0) {
        while (!atomic_load(&rx.stop))
            usleep(10000);
        return;
    }
    char ans[128];
    int k = snprintf(ans, sizeof ans,
                     "HTTP/1.1 %d X\r\nContent-Length: 2\r\n"
                     "Connection: close\r\n\r\nok", status);
    ssize_t w = send(fd, ans, (size_t)k, MSG_NOSIGNAL);
    (void)w;
}

static void *rx_run(void *arg)
{
    (void)arg;
    while (!atomic_load(&rx.stop)) {
        struct pollfd p = {.fd = rx.fd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int c = accept(rx.fd, NULL, NULL);
        if (c < 0)
            continue;
        rx_serve_one(c);
        close(c);
    }
    return NULL;
}

static bool rx_start(const int *script, int nscript)
{
    pthread_mutex_lock(&rx.mu);
    rx.n = 0;
    rx.nscript = nscript;
    memcpy(rx.script, script, sizeof(int) * (size_t)nscript);
    pthread_mutex_unlock(&rx.mu);
    atomic_store(&rx.stop, false);
    rx.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (rx.fd < 0 || bind(rx.fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(rx.fd, 16) != 0 ||
        getsockname(rx.fd, (struct sockaddr *)&a, &len) != 0)
        return false;
    rx.port = ntohs(a.sin_port);
    return pthread_create(&rx.th, NULL, rx_run, NULL) == 0;
}

static void rx_stop(void)
{
    atomic_store(&rx.stop, true);
    pthread_join(rx.th, NULL);
    close(rx.fd);
}

static int rx_count(void)
{
    pthread_mutex_lock(&rx.mu);
    int n = rx.n;
    pthread_mutex_unlock(&rx.mu);
    return n;
}

/* Wait up to ms for the receiver to have seen n requests. */
static bool rx_wait(int n, int ms)
{
    for (int i = 0; i < ms / 10; i++) {
        if (rx_count() >= n)
            return true;
        usleep(10000);
    }
    return rx_count() >= n;
}

/* The value of header name in request i ("" when absent). */
static void rx_header(int i, const char *name, char *out, size_t n)
{
    char key[64];
    snprintf(key, sizeof key, "\r\n%s: ", name);
    out[0] = 0;
    pthread_mutex_lock(&rx.mu);
    const char *p = strcasestr(rx.req[i], key);
    if (p != NULL) {
        p += strlen(key);
        size_t k = strcspn(p, "\r\n");
        if (k >= n)
            k = n - 1;
        memcpy(out, p, k);
        out[k] = 0;
    }
    pthread_mutex_unlock(&rx.mu);
}

static const char *rx_body(int i)
{
    const char *p = strstr(rx.req[i], "\r\n\r\n");
    return p ? p + 4 : "";
}

/* ---- a store with finished sessions -------------------------------------- */

struct fixture {
    char dir[64], log[96];
    struct api_service *s;
};

static bool fixture_open(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/lc-outbox-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return false;
    snprintf(f->log, sizeof f->log, "%s/log.jsonl", f->dir);
    f->s = lc_calloc(1, sizeof *f->s);
    api_config_default(&f->s->c);
    f->s->c.store_url = f->dir;
    f->s->c.fetch.allow = "127.0.0.1";
    f->s->c.fetch.connect_ms = 1000;
    f->s->c.fetch.timeout_ms = 3000;
    f->s->c.callback_retries = 8;
    f->s->c.callback_backoff_ms = 100;
    f->s->c.log_fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                          0600);
    atomic_init(&f->s->store_errors, 0);
    char key[128];
    snprintf(key, sizeof key, "%s/server.key", f->dir);
    return f->s->c.log_fd >= 0 &&
           sign_key_load(key, true, f->s->master_key, NULL) == 0;
}

static void fixture_close(struct fixture *f)
{
    api_outbox_stop(f->s);
    close(f->s->c.log_fd);
    free(f->s);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", f->dir);
}

/* A session of client "cb-client" created, uploaded, claimed and
 * finished with a callback of body to url, as the analysis does it. */
static int queue_callback(const char *dir, const char *txn, const char *url,
                          const char *body)
{
    struct store *st = NULL;
    if (store_open(&st, dir, NULL, NULL) < 0)
        return -1;
    int64_t now = store_now_ms();
    struct store_txn t = {.claim = true, .created_ms = now,
                          .http_status = 200, .live = -1, .score = -1,
                          .review = -1};
    snprintf(t.id, sizeof t.id, "%s", txn);
    snprintf(t.client_id, sizeof t.client_id, "cb-client");
    snprintf(t.endpoint, sizeof t.endpoint, "/initiate");
    snprintf(t.reference_id, sizeof t.reference_id, "ref-%s", txn);
    snprintf(t.response_key, sizeof t.response_key, "success");
    snprintf(t.response_code, sizeof t.response_code, "S00000");
    static struct store_session ss;
    memset(&ss, 0, sizeof ss);
    snprintf(ss.txn, sizeof ss.txn, "%s", txn);
    snprintf(ss.client_id, sizeof ss.client_id, "cb-client");
    snprintf(ss.reference_id, sizeof ss.reference_id, "ref-%s", txn);
    snprintf(ss.token_hash, sizeof ss.token_hash, "tok-%s", txn);
    snprintf(ss.challenge, sizeof ss.challenge, "blink@1.00-3.00");
    snprintf(ss.callback_url, sizeof ss.callback_url, "%s", url);
    ss.created_ms = now;
    ss.expires_ms = now + 600000;
    ss.max_attempts = 3;
    struct store_media v = {.data = (const uint8_t *)"WEBM", .n = 4,
                            .created_ms = now};
    snprintf(v.id, sizeof v.id, "cap-%s", txn);
    snprintf(v.txn, sizeof v.txn, "%s", txn);
    snprintf(v.kind, sizeof v.kind, "capture");
    snprintf(v.ctype, sizeof v.ctype, "video/webm");
    char sha[80];
    snprintf(sha, sizeof sha, "sha-%s", txn);
    bool dup;
    static struct store_outbox cb;
    memset(&cb, 0, sizeof cb);
    snprintf(cb.txn, sizeof cb.txn, "%s", txn);
    snprintf(cb.client_id, sizeof cb.client_id, "cb-client");
    snprintf(cb.url, sizeof cb.url, "%s", url);
    snprintf(cb.body, sizeof cb.body, "%s", body);
    cb.next_ms = now;
    int rc = store_session_create(st, &t, &ss, NULL, NULL, 0);
    if (rc == 0)
        rc = store_session_upload(st, txn, &v, sha, "{}", now, &dup);
    if (rc == 0)
        rc = store_job_claim(st, "node-t", now, 60000, &ss) == 1 ? 0 : -1;
    if (rc == 0)
        rc = store_job_finish(st, txn, "node-t", STORE_SESSION_DONE,
                              "{\"liveliness\":\"yes\"}", NULL, NULL, 0, &cb);
    store_close(st);
    return rc;
}

/* The outbox row of txn, read with SQLite directly. */
struct row {
    int64_t id;
    int attempts, last_status;
    int64_t next_ms, delivered_ms;
    char last_error[160];
};

static int row_get(const char *dir, const char *txn, struct row *r)
{
    char path[128];
    snprintf(path, sizeof path, "%s/livecheck.db", dir);
    sqlite3 *db;
    sqlite3_stmt *st;
    memset(r, 0, sizeof *r);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT id, attempts, last_status, next_ms,"
                                " delivered_ms, last_error FROM outbox"
                                " WHERE txn = ?", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, txn, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
        if (rc == 0) {
            r->id = sqlite3_column_int64(st, 0);
            r->attempts = sqlite3_column_int(st, 1);
            r->last_status = sqlite3_column_int(st, 2);
            r->next_ms = sqlite3_column_int64(st, 3);
            r->delivered_ms = sqlite3_column_int64(st, 4);
            snprintf(r->last_error, sizeof r->last_error, "%s",
                     (const char *)sqlite3_column_text(st, 5));
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return rc;
}

/* Wait up to ms for txn's row to be delivered or given up. */
static bool row_settled(const char *dir, const char *txn, int ms,
                        struct row *r)
{
    for (int i = 0; i < ms / 20; i++) {
        if (row_get(dir, txn, r) == 0 && (r->delivered_ms > 0 || r->next_ms == 0))
            return true;
        usleep(20000);
    }
    return false;
}

static int count_lines(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return n;
}

/* ---- tests ------------------------------------------------------------- */

TEST(outbox_retries_until_2xx_signed)
{
    static const int script[] = {500, 503};
    ASSERT(rx_start(script, 2));
    struct fixture f;
    ASSERT(fixture_open(&f));
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hooks/lc?x=1", rx.port);
    const char *body = "{\"decentroTxnId\":\"TXNCB1\",\"reference_id\":"
                       "\"ref-TXNCB1\",\"data\":{\"liveliness\":\"yes\"}}";
    ASSERT_INT(queue_callback(f.dir, "TXNCB1", url, body), ==, 0);
    struct lc_diag d = {{0}};
    ASSERT_INT(api_outbox_start(f.s, &d), ==, 0);
    api_outbox_kick(f.s);
    struct row r;
    bool settled = row_settled(f.dir, "TXNCB1", 5000, &r);
    usleep(300000); /* no further attempt follows the 2xx */
    char metrics[2048];
    size_t mn = api_outbox_metrics(f.s, metrics, sizeof metrics);
    api_outbox_stop(f.s);
    rx_stop();
    ASSERT(settled);
    ASSERT_INT(rx_count(), ==, 3);
    ASSERT_INT(r.attempts, ==, 3);
    ASSERT_INT(r.last_status, ==, 200);
    ASSERT(r.delivered_ms > 0);
    /* Back-off: 100 ms, then 200 ms (not rounded up to the poll second:
     * the thread wakes for its own retry). */
    ASSERT(rx.at[1] - rx.at[0] >= 90 && rx.at[1] - rx.at[0] < 950);
    ASSERT(rx.at[2] - rx.at[1] >= 190 && rx.at[2] - rx.at[1] < 950);

    uint8_t master[SIGN_KEY_BYTES], key[SIGN_KEY_BYTES];
    char path[128], h[256], want[32];
    snprintf(path, sizeof path, "%s/server.key", f.dir);
    ASSERT_INT(sign_key_load(path, false, master, NULL), ==, 0);
    sign_key_derive(master, "callback:cb-client", key);
    for (int i = 0; i < 3; i++) {
        ASSERT(strncmp(rx.req[i], "POST /hooks/lc?x=1 HTTP/1.1\r\n", 29) == 0);
        ASSERT_STR(rx_body(i), body);
        rx_header(i, "Content-Type", h, sizeof h);
        ASSERT_STR(h, "application/json");
        rx_header(i, "X-Livecheck-Attempt", h, sizeof h);
        snprintf(want, sizeof want, "%d", i + 1);
        ASSERT_STR(h, want);
        rx_header(i, "X-Livecheck-Delivery", h, sizeof h);
        snprintf(want, sizeof want, "%" PRId64, r.id);
        ASSERT_STR(h, want);
        /* t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>"> */
        rx_header(i, "X-Livecheck-Signature", h, sizeof h);
        long long t = 0;
        char v1[80] = "";
        ASSERT_INT(sscanf(h, "t=%lld,v1=%79s", &t, v1), ==, 2);
        ASSERT(llabs(t - (long long)time(NULL)) < 10);
        char msg[1024];
        int n = snprintf(msg, sizeof msg, "%lld.%s", t, body);
        ASSERT(sign_hmac_check(key, msg, (size_t)n, v1));
        ASSERT(!sign_hmac_check(key, body, strlen(body), v1));
        /* Another client's key does not verify it. */
        uint8_t other[SIGN_KEY_BYTES];
        sign_key_derive(master, "callback:someone-else", other);
        ASSERT(!sign_hmac_check(other, msg, (size_t)n, v1));
    }
    ASSERT_INT(count_lines(f.log, "\"msg\":\"callback\""), ==, 3);
    ASSERT_INT(count_lines(f.log, "\"result\":\"retry\""), ==, 2);
    ASSERT_INT(count_lines(f.log, "\"result\":\"delivered\""), ==, 1);
    ASSERT(mn > 0);
    ASSERT(strstr(metrics, "livecheck_callback_attempts_total 3\n"));
    ASSERT(strstr(metrics, "livecheck_callback_delivered_total 1\n"));
    ASSERT(strstr(metrics, "livecheck_callback_failed_total 2\n"));
    ASSERT(strstr(metrics, "livecheck_callback_gave_up_total 0\n"));
    fixture_close(&f);
}

TEST(outbox_gives_up_and_never_contacts_private)
{
    static const int script[] = {500, 500, 500, 500};
    ASSERT(rx_start(script, 4));
    struct fixture f;
    ASSERT(fixture_open(&f));
    f.s->c.callback_retries = 2;
    f.s->c.callback_backoff_ms = 50;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cb", rx.port);
    ASSERT_INT(queue_callback(f.dir, "TXNFAIL", url, "{\"a\":1}"), ==, 0);
    /* Private and link-local addresses stay refused whatever else the
     * allow-list lets through; a 3xx would count as a failure too. */
    ASSERT_INT(queue_callback(f.dir, "TXNPRIV", "http://10.0.0.1/cb",
                              "{\"a\":2}"), ==, 0);
    ASSERT_INT(queue_callback(f.dir, "TXNMETA",
                              "http://169.254.169.254/latest/meta-data/",
                              "{\"a\":3}"), ==, 0);
    struct lc_diag d = {{0}};
    ASSERT_INT(api_outbox_start(f.s, &d), ==, 0);
    api_outbox_kick(f.s);
    struct row a, b, c;
    bool done = row_settled(f.dir, "TXNFAIL", 5000, &a) &&
                row_settled(f.dir, "TXNPRIV", 5000, &b) &&
                row_settled(f.dir, "TXNMETA", 5000, &c);
    usleep(300000);
    char metrics[2048];
    api_outbox_metrics(f.s, metrics, sizeof metrics);
    api_outbox_stop(f.s);
    rx_stop();
    ASSERT(done);
    ASSERT_INT(rx_count(), ==, 2);
    ASSERT_INT(a.attempts, ==, 2);
    ASSERT_INT(a.next_ms, ==, 0);
    ASSERT_INT(a.delivered_ms, ==, 0);
    ASSERT_INT(a.last_status, ==, 500);
    ASSERT_INT(b.attempts, ==, 2);
    ASSERT_INT(b.next_ms, ==, 0);
    ASSERT_INT(b.last_status, ==, 0);
    ASSERT(strstr(b.last_error, "denied") != NULL);
    ASSERT_INT(c.attempts, ==, 2);
    ASSERT(strstr(c.last_error, "denied") != NULL);
    ASSERT(strstr(metrics, "livecheck_callback_gave_up_total 3\n"));
    ASSERT(strstr(metrics, "livecheck_callback_delivered_total 0\n"));
    ASSERT_INT(count_lines(f.log, "\"result\":\"gave_up\""), ==, 3);
    fixture_close(&f);
}

TEST(outbox_stop_cancels_a_hanging_post)
{
    static const int script[] = {0}; /* never answers */
    ASSERT(rx_start(script, 1));
    struct fixture f;
    ASSERT(fixture_open(&f));
    f.s->c.fetch.timeout_ms = 20000;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cb", rx.port);
    ASSERT_INT(queue_callback(f.dir, "TXNHANG", url, "{}"), ==, 0);
    struct lc_diag d = {{0}};
    ASSERT_INT(api_outbox_start(f.s, &d), ==, 0);
    api_outbox_kick(f.s);
    ASSERT(rx_wait(1, 3000));
    double t0 = now_ms();
    api_outbox_stop(f.s);
    double ms = now_ms() - t0;
    rx_stop();
    ASSERT(ms < 1500);
    /* The cancelled attempt is recorded as a failure and retried later
     * (by the next start: the row is due again after its back-off). */
    struct row r;
    ASSERT_INT(row_get(f.dir, "TXNHANG", &r), ==, 0);
    ASSERT_INT(r.delivered_ms, ==, 0);
    ASSERT(r.next_ms > 0);
    /* Stopping twice, and a service that never started one, are fine. */
    api_outbox_stop(f.s);
    api_outbox_kick(f.s);
    fixture_close(&f);
}
