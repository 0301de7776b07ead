/* src/http/server.c - libmicrohttpd underneath the handler interface of
 * http.h.
 *
 * One internal polling thread (epoll) does all socket work and runs every
 * handler callback, so handlers need no locks for per-request state. A
 * handler that has real work to do defers: the connection is suspended
 * (MHD_suspend_connection) and a worker later fills in the answer and
 * resumes it; libmicrohttpd then calls the access handler once more and
 * the answer is queued there, on the polling thread, as the library
 * requires.
 *
 * Request objects are recycled through a free list that only the polling
 * thread touches: steady-state serving allocates nothing here beyond what
 * libmicrohttpd does per connection.
 *
 * libmicrohttpd 0.9.75 refuses a response queued while the body is being
 * received, so a body that passes its cap while arriving (chunked uploads;
 * a declared Content-Length is checked by the handler before reading) is
 * discarded as it comes and answered at its end; past the `drop` limit
 * the connection is closed.
 *
 * A request answered from its headers alone (bad credentials, unknown
 * path) whose body is still coming is answered only after that body has
 * been read and discarded, up to DRAIN_MAX bytes: closing a socket with
 * unread data makes the kernel reset the connection, and a client still
 * sending would then lose the answer. A larger body (a client that sent
 * Expect: 100-continue gets its answer before sending it) is answered at
 * once.
 */
#include "http_int.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "livecheck/mem.h"

#define KEEP_FREE 64 /* recycled request objects kept */
#define DRAIN_MAX ((size_t)8 << 20)

enum { R_BEGIN, R_BODY, R_DEFERRED, R_READY, R_ANSWERED };

struct http_req {
    struct http_server *s;
    struct MHD_Connection *conn;
    const struct http_route *route;
    int route_index; /* into stats; nroutes = "other" */
    enum http_method method;
    const char *url;
    struct timespec t0;
    atomic_int state;
    size_t cap, drop, bytes;
    bool overflow;
    bool drain;      /* answered before its body: read it, then send */
    void *ctx;
    /* The answer, between http_req_complete and the resumed call. */
    int status;
    const char *ctype;
    const void *body;
    size_t n;
    enum http_mem mem;
    const char *const *headers;
    /* For the access log and metrics. */
    int answered_status;
    int key;
    char txn[40];
    char client[48];
    struct http_req *next;
};

static double since_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static enum http_method method_of(const char *m)
{
    if (strcmp(m, "GET") == 0)
        return HTTP_GET;
    if (strcmp(m, "POST") == 0)
        return HTTP_POST;
    if (strcmp(m, "HEAD") == 0)
        return HTTP_HEAD;
    return HTTP_OTHER;
}

static struct http_req *req_new(struct http_server *s,
                                struct MHD_Connection *c, const char *url,
                                const char *method)
{
    struct http_req *r = s->free_reqs;
    if (r != NULL) {
        s->free_reqs = r->next;
        s->nfree--;
    } else {
        r = lc_malloc(sizeof *r);
    }
    memset(r, 0, sizeof *r);
    r->s = s;
    r->conn = c;
    r->url = url;
    r->method = method_of(method);
    r->key = -1;
    r->route_index = s->c.nroutes;
    atomic_init(&r->state, R_BEGIN);
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    atomic_fetch_add(&s->in_flight, 1);
    return r;
}

static void req_recycle(struct http_server *s, struct http_req *r)
{
    if (s->nfree >= KEEP_FREE) {
        free(r);
        return;
    }
    r->next = s->free_reqs;
    s->free_reqs = r;
    s->nfree++;
}

/* Queue the answer held in r. Runs on the polling thread. */
static enum MHD_Result queue(struct http_req *r)
{
    enum MHD_ResponseMemoryMode mode =
        r->mem == HTTP_MEM_STATIC ? MHD_RESPMEM_PERSISTENT
        : r->mem == HTTP_MEM_FREE ? MHD_RESPMEM_MUST_FREE
                                  : MHD_RESPMEM_MUST_COPY;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->n, (void *)r->body, mode);
    if (resp == NULL)
        return MHD_NO;
    if (r->ctype)
        MHD_add_response_header(resp, "Content-Type", r->ctype);
    if (r->txn[0])
        MHD_add_response_header(resp, "X-Request-Id", r->txn);
    for (const char *const *h = r->headers; h && h[0] && h[1]; h += 2)
        MHD_add_response_header(resp, h[0], h[1]);
    if (atomic_load(&r->s->draining))
        MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ok =
        MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    r->answered_status = r->status;
    atomic_store(&r->state, R_ANSWERED);
    return ok;
}

static void hold(struct http_req *r, int status, const char *ctype,
                 const void *body, size_t n, enum http_mem mem,
                 const char *const *headers)
{
    r->status = status;
    r->ctype = ctype;
    r->body = body;
    r->n = n;
    r->mem = mem;
    r->headers = headers;
    if (mem == HTTP_MEM_COPY) {
        /* The caller's buffer may not outlive this call. */
        void *copy = lc_malloc(n ? n : 1);
        memcpy(copy, body, n);
        r->body = copy;
        r->mem = HTTP_MEM_FREE;
    }
}

void http_req_answer(struct http_req *r, int status, const char *ctype,
                     const void *body, size_t n, enum http_mem mem,
                     const char *const *headers)
{
    hold(r, status, ctype, body, n, mem, headers);
    atomic_store(&r->state, R_READY);
}

void http_req_defer(struct http_req *r)
{
    atomic_store(&r->state, R_DEFERRED);
    MHD_suspend_connection(r->conn);
}

void http_req_complete(struct http_req *r, int status, const char *ctype,
                       const void *body, size_t n, enum http_mem mem,
                       const char *const *headers)
{
    hold(r, status, ctype, body, n, mem, headers);
    atomic_store(&r->state, R_READY);
    MHD_resume_connection(r->conn);
}

static const struct http_route *route_find(struct http_server *s,
                                           const char *path, int *index)
{
    for (int i = 0; i < s->c.nroutes; i++) {
        const char *rp = s->c.routes[i].path;
        size_t n = strlen(rp);
        /* A path ending in "*" ("/capture/" "*") matches its prefix and
         * at least one more character; others match exactly. */
        bool match = n > 0 && rp[n - 1] == '*'
                         ? strncmp(rp, path, n - 1) == 0 && path[n - 1] != 0
                         : strcmp(rp, path) == 0;
        if (match) {
            *index = i;
            return &s->c.routes[i];
        }
    }
    return NULL;
}

static const char json_500[] =
    "{\"status\":\"FAILURE\",\"responseCode\":\"E00500\","
    "\"message\":\"An internal error occurred.\","
    "\"responseKey\":\"error_internal\"}";

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c,
                                 const char *url, const char *method,
                                 const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    struct http_server *s = cls;
    struct http_req *r = *con_cls;

    if (r == NULL) {
        r = req_new(s, c, url, method);
        *con_cls = r;
        int idx = s->c.nroutes;
        const struct http_route *rt = route_find(s, url, &idx);
        r->route_index = idx;
        unsigned m = r->method == HTTP_HEAD ? HTTP_GET : r->method;
        if (rt == NULL) {
            s->c.fallback.not_found(r);
        } else if (!(rt->methods & (int)m)) {
            r->route = rt;
            s->c.fallback.bad_method(r);
        } else {
            r->route = rt;
            atomic_store(&r->state, R_BODY);
            rt->h->begin(r);
        }
        if (atomic_load(&r->state) == R_READY) {
            long long cl = http_req_content_length(r);
            const char *te = http_req_header(r, "Transfer-Encoding");
            if ((cl > 0 && (size_t)cl <= DRAIN_MAX) ||
                (cl < 0 && te != NULL && strcasestr(te, "chunked"))) {
                r->drain = true; /* answered at the body's end */
                return MHD_YES;
            }
            return queue(r);
        }
        if (atomic_load(&r->state) != R_BODY)
            hold(r, 500, "application/json", json_500, sizeof json_500 - 1,
                 HTTP_MEM_STATIC, NULL);
        return atomic_load(&r->state) == R_BODY ? MHD_YES : queue(r);
    }

    int st = atomic_load(&r->state);
    if (*upload_size > 0) {
        size_t n = *upload_size;
        *upload_size = 0;
        r->bytes += n;
        if (st != R_BODY)
            return r->drain && r->bytes > DRAIN_MAX ? MHD_NO : MHD_YES;
        if (r->bytes > r->cap)
            r->overflow = true;
        else if (!r->overflow && r->route->h->body)
            r->route->h->body(r, upload, n);
        if (r->drop > 0 && r->bytes > r->drop)
            return MHD_NO;
        return MHD_YES;
    }
    if (st == R_BODY) {
        r->route->h->end(r);
        st = atomic_load(&r->state);
        if (st == R_DEFERRED)
            return MHD_YES;
        if (st != R_READY)
            hold(r, 500, "application/json", json_500, sizeof json_500 - 1,
                 HTTP_MEM_STATIC, NULL);
        return queue(r);
    }
    if (st == R_READY)
        return queue(r);
    return MHD_YES; /* deferred: a spurious wake-up */
}

static void remote_of(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = 0;
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                  (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                  out, (socklen_t)n);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct http_req *r = *con_cls;
    if (r == NULL)
        return;
    *con_cls = NULL;
    double ms = since_ms(&r->t0);
    int key = r->answered_status ? r->key : -1;
    http_stats_record(s, r->route_index, key, ms / 1e3);
    if (s->c.log_fd >= 0) {
        char f[1024], path[256], remote[64];
        http_json_escape(path, sizeof path, r->url);
        remote_of(c, remote, sizeof remote);
        const char *keyname =
            key >= 0 && key < s->c.nkeys ? s->c.keys[key] : "";
        snprintf(f, sizeof f,
                 ",\"txn\":\"%s\",\"method\":\"%s\",\"path\":\"%s\","
                 "\"status\":%d,\"key\":\"%s\",\"client\":\"%s\","
                 "\"remote\":\"%s\",\"ms\":%.1f,\"bytes_in\":%zu%s",
                 r->txn, r->method == HTTP_GET    ? "GET"
                         : r->method == HTTP_POST ? "POST"
                         : r->method == HTTP_HEAD ? "HEAD"
                                                  : "OTHER",
                 path, r->answered_status, keyname, r->client, remote, ms,
                 r->bytes,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK
                     ? ""
                     : ",\"aborted\":true");
        http_log(s->c.log_fd, "info", "request", f);
    }
    if (atomic_load(&r->state) == R_READY && r->mem == HTTP_MEM_FREE)
        free((void *)r->body); /* answered but never queued */
    if (r->route && r->route->h->done)
        r->route->h->done(r);
    atomic_fetch_sub(&s->in_flight, 1);
    req_recycle(s, r);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct http_server *s = cls;
    char msg[512], f[600];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = 0;
    char esc[560];
    http_json_escape(esc, sizeof esc, msg);
    snprintf(f, sizeof f, ",\"source\":\"libmicrohttpd\",\"detail\":\"%s\"",
             esc);
    http_log(s->c.log_fd, "warn", "http", f);
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT" into a socket address. */
static int resolve(const char *listen, struct sockaddr_storage *ss,
                   socklen_t *len, struct lc_diag *d)
{
    char host[256];
    const char *port;
    if (listen[0] == '[') {
        const char *e = strchr(listen, ']');
        if (e == NULL || e[1] != ':' || (size_t)(e - listen - 1) >= sizeof host)
            return lc_diag_set(d, LC_EINVAL, "listen: bad address '%s'",
                               listen);
        memcpy(host, listen + 1, (size_t)(e - listen - 1));
        host[e - listen - 1] = 0;
        port = e + 2;
    } else {
        const char *colon = strrchr(listen, ':');
        if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
            return lc_diag_set(d, LC_EINVAL,
                               "listen: want HOST:PORT, got '%s'", listen);
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = 0;
        port = colon + 1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (rc != 0 || ai == NULL)
        return lc_diag_set(d, LC_EINVAL, "listen: cannot resolve '%s': %s",
                           listen, gai_strerror(rc));
    /* Prefer IPv4 for a name that has both (localhost). */
    struct addrinfo *pick = ai;
    for (struct addrinfo *p = ai; p; p = p->ai_next)
        if (p->ai_family == AF_INET) {
            pick = p;
            break;
        }
    memcpy(ss, pick->ai_addr, pick->ai_addrlen);
    *len = pick->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

int http_server_start(struct http_server **out, const struct http_config *c,
                      struct lc_diag *d)
{
    struct sockaddr_storage ss;
    socklen_t len;
    *out = NULL;
    int rc = resolve(c->listen, &ss, &len, d);
    if (rc < 0)
        return rc;
    struct http_server *s = lc_calloc(1, sizeof *s);
    s->c = *c;
    s->stats = lc_calloc((size_t)c->nroutes + 1, sizeof *s->stats);
    for (int i = 0; i <= c->nroutes; i++)
        s->stats[i].by_key = lc_calloc((size_t)c->nkeys + 1, sizeof(uint64_t));
    atomic_init(&s->in_flight, 0);
    atomic_init(&s->draining, false);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, s, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, s, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)(c->max_connections > 0 ? c->max_connections : 256),
        MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)(c->connection_timeout_s > 0 ? c->connection_timeout_s
                                               : 30),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(c->conn_memory > 0 ? c->conn_memory : 64 * 1024),
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    if (s->d == NULL) {
        rc = lc_diag_set(d, LC_EIO, "cannot listen on %s (address in use?)",
                         c->listen);
        http_server_stop(s);
        return rc;
    }
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    char host[64] = "";
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host,
                  sizeof host);
    else
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host,
                  sizeof host);
    snprintf(s->address, sizeof s->address,
             ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
             di ? (unsigned)di->port : 0u);
    *out = s;
    return 0;
}

const char *http_server_address(const struct http_server *s)
{
    return s->address;
}

void http_server_quiesce(struct http_server *s)
{
    if (atomic_exchange(&s->draining, true))
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

bool http_server_draining(const struct http_server *s)
{
    return atomic_load(&s->draining);
}

int http_server_in_flight(const struct http_server *s)
{
    return atomic_load(&s->in_flight);
}

void http_server_stop(struct http_server *s)
{
    if (s == NULL)
        return;
    if (s->d)
        MHD_stop_daemon(s->d);
    while (s->free_reqs) {
        struct http_req *r = s->free_reqs;
        s->free_reqs = r->next;
        free(r);
    }
    for (int i = 0; s->stats && i <= s->c.nroutes; i++)
        free(s->stats[i].by_key);
    free(s->stats);
    free(s);
}

enum http_method http_req_method(const struct http_req *r)
{
    return r->method;
}
const char *http_req_path(const struct http_req *r) { return r->url; }

const char *http_req_header(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const void *http_req_route_data(const struct http_req *r)
{
    return r->route ? r->route->data : NULL;
}

const char *http_req_route_path(const struct http_req *r)
{
    return r->route ? r->route->path : "other";
}

long long http_req_content_length(const struct http_req *r)
{
    const char *v = http_req_header(r, "Content-Length");
    if (v == NULL)
        return -1;
    char *end;
    long long n = strtoll(v, &end, 10);
    return end == v || *end || n < 0 ? -1 : n;
}

struct http_server *http_req_server(const struct http_req *r)
{
    return r->s;
}

double http_req_age_ms(const struct http_req *r) { return since_ms(&r->t0); }
void *http_req_ctx(const struct http_req *r) { return r->ctx; }
void http_req_set_ctx(struct http_req *r, void *ctx) { r->ctx = ctx; }

void http_req_body_cap(struct http_req *r, size_t cap, size_t drop)
{
    r->cap = cap;
    r->drop = drop;
}

bool http_req_overflow(const struct http_req *r) { return r->overflow; }
size_t http_req_body_bytes(const struct http_req *r) { return r->bytes; }

void http_req_log_set(struct http_req *r, const char *txn_id,
                      const char *client_id, int key_index)
{
    if (txn_id)
        snprintf(r->txn, sizeof r->txn, "%s", txn_id);
    if (client_id)
        snprintf(r->client, sizeof r->client, "%s", client_id);
    r->key = key_index;
}
