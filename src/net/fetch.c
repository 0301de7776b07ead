/* src/net/fetch.c - fetch_url: one GET at a time with libcurl, redirects
 * followed here so that each hop is validated like the first, every
 * connection address checked in libcurl's open-socket callback (addr.c
 * decides), and the body capped while it arrives. fetch_post: one POST
 * under the same checks, never redirected, its answer read to a few KB.
 * See fetch.h for the contracts.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "livecheck/fetch.h"
#include "livecheck/mem.h"

void fetch_config_default(struct fetch_config *c)
{
    *c = (struct fetch_config){
        .connect_ms = 5000,
        .timeout_ms = 20000,
        .max_redirects = 3,
        .max_bytes = (size_t)20 << 20,
    };
}

static CURLcode g_init_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    g_init_rc = curl_global_init(CURL_GLOBAL_ALL);
}

int fetch_global_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, global_init);
    return g_init_rc == CURLE_OK ? 0 : LC_ENOMEM;
}

/* One fetch's state, shared with the libcurl callbacks. */
struct hop {
    const struct fetch_config *c;
    CURL *curl;
    char host[256];      /* this hop's host, without brackets */
    uint8_t *body;
    size_t n, cap, max;
    bool toobig;
    struct fetch_info *info;
    struct lc_diag why;  /* the first refused address */
};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct hop *h = arg;
    size_t k = size * nmemb;
    long status = 0;
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 300 && status < 400)
        return k; /* a redirect's body is not kept */
    if (k > h->max - h->n) {
        h->toobig = true;
        return 0; /* libcurl stops with CURLE_WRITE_ERROR */
    }
    if (h->n + k > h->cap) {
        size_t cap = h->cap ? h->cap : 65536;
        while (cap < h->n + k)
            cap *= 2;
        if (cap > h->max)
            cap = h->max;
        h->body = lc_realloc(h->body, cap);
        h->cap = cap;
    }
    memcpy(h->body + h->n, p, k);
    h->n += k;
    return k;
}

/* Every address libcurl connects to passes here first: whatever the name
 * resolved to, a refused address never gets a socket. */
static curl_socket_t on_socket(void *arg, curlsocktype purpose,
                               struct curl_sockaddr *a)
{
    struct hop *h = arg;
    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKET_BAD;
    struct lc_diag d = {{0}};
    if (fetch_addr_check(&a->addr, h->host, h->c->allow, &d) < 0) {
        if (h->info->denied++ == 0)
            h->why = d;
        return CURL_SOCKET_BAD;
    }
    curl_socket_t s = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (s != CURL_SOCKET_BAD) {
        h->info->connects++;
        const void *ip = a->family == AF_INET6
                             ? (const void *)&((struct sockaddr_in6 *)&a->addr)->sin6_addr
                             : (const void *)&((struct sockaddr_in *)&a->addr)->sin_addr;
        inet_ntop(a->family, ip, h->info->address, sizeof h->info->address);
    }
    return s;
}

/* Validate url (scheme, host; an IP literal against the address policy)
 * and fill h->host. */
static int url_check(struct hop *h, const char *url, struct lc_diag *d)
{
    CURLU *u = curl_url();
    if (u == NULL)
        return lc_diag_set(d, LC_ENOMEM, "out of memory");
    char *scheme = NULL, *host = NULL;
    int rc = 0;
    if (strlen(url) > 8192 || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        rc = lc_diag_set(d, LC_EFORMAT, "malformed URL");
    } else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        rc = lc_diag_set(d, LC_EUNSUP, "scheme '%s' is not http or https",
                         scheme);
    } else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
               host[0] == 0 || strlen(host) >= sizeof h->host) {
        rc = lc_diag_set(d, LC_EFORMAT, "the URL has no usable host");
    } else {
        size_t len = strlen(host);
        if (host[0] == '[' && len >= 2 && host[len - 1] == ']') {
            memcpy(h->host, host + 1, len - 2);
            h->host[len - 2] = 0;
        } else {
            memcpy(h->host, host, len + 1);
        }
        /* A literal is judged before anything is sent. */
        struct lc_diag ad = {{0}};
        int ac = fetch_ip_check(h->host, h->c->allow, &ad);
        if (ac == LC_EDENIED) {
            h->info->denied++;
            rc = lc_diag_set(d, LC_EDENIED, "%s", ad.msg);
        }
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* libcurl calls this often during a transfer: non-zero aborts it. */
static int on_progress(void *arg, curl_off_t dlt, curl_off_t dln,
                       curl_off_t ult, curl_off_t uln)
{
    const struct hop *h = arg;
    (void)dlt, (void)dln, (void)ult, (void)uln;
    return h->c->cancel != NULL && atomic_load(h->c->cancel);
}

/* What fetch_url and fetch_post set alike on a handle: the address check,
 * no proxy, timeouts, the user agent and the cancel flag. */
static void common_opts(struct hop *h, CURL *c, const char *url,
                        double left_ms)
{
    long total = (long)left_ms;
    long conn = h->c->connect_ms < total ? h->c->connect_ms : total;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, conn > 1 ? conn : 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total > 1 ? total : 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT,
                     h->c->user_agent ? h->c->user_agent : "livecheck");
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, h);
    if (h->c->cancel != NULL) {
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    }
}

static int curl_err(struct hop *h, CURLcode cc, struct lc_diag *d)
{
    if (cc == CURLE_ABORTED_BY_CALLBACK && h->c->cancel != NULL &&
        atomic_load(h->c->cancel))
        return lc_diag_set(d, LC_EUNREACH, "cancelled");
    if (h->toobig || cc == CURLE_FILESIZE_EXCEEDED)
        return lc_diag_set(d, LC_ETOOBIG, "the body exceeds %zu bytes", h->max);
    if (h->info->denied > 0 && (cc == CURLE_COULDNT_CONNECT ||
                                cc == CURLE_COULDNT_RESOLVE_HOST))
        return lc_diag_set(d, LC_EDENIED, "%s", h->why.msg);
    switch (cc) {
    case CURLE_URL_MALFORMAT:
        return lc_diag_set(d, LC_EFORMAT, "malformed URL");
    case CURLE_UNSUPPORTED_PROTOCOL:
        return lc_diag_set(d, LC_EUNSUP, "unsupported protocol");
    case CURLE_OUT_OF_MEMORY:
        return lc_diag_set(d, LC_ENOMEM, "out of memory in libcurl");
    default:
        return lc_diag_set(d, LC_EUNREACH, "%s", curl_easy_strerror(cc));
    }
}

/* One request to url with the time left; fills info->http_status and, on
 * a redirect, *next (curl_free). */
static int hop_run(struct hop *h, const char *url, double left_ms,
                   char **next, struct lc_diag *d)
{
    CURL *c = curl_easy_init();
    if (c == NULL)
        return lc_diag_set(d, LC_ENOMEM, "out of memory in libcurl");
    h->curl = c;
    common_opts(h, c, url, left_ms);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
    CURLcode cc = curl_easy_perform(c);
    int rc = 0;
    if (cc != CURLE_OK) {
        rc = curl_err(h, cc, d);
    } else {
        long status = 0;
        char *loc = NULL;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        h->info->http_status = status;
        if (status >= 300 && status < 400 &&
            curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
            loc != NULL)
            *next = lc_strdup(loc);
        else if (status < 200 || status > 299)
            rc = lc_diag_set(d, LC_EHTTP, "HTTP status %ld", status);
    }
    curl_easy_cleanup(c);
    h->curl = NULL;
    return rc;
}

/* The defaults for what c leaves at 0. */
static void cfg_fill(struct fetch_config *cfg)
{
    if (cfg->connect_ms <= 0)
        cfg->connect_ms = 5000;
    if (cfg->timeout_ms <= 0)
        cfg->timeout_ms = 20000;
    if (cfg->max_bytes == 0)
        cfg->max_bytes = (size_t)20 << 20;
}

int fetch_url(const struct fetch_config *c, const char *url, uint8_t **body,
              size_t *n, struct fetch_info *info, struct lc_diag *d)
{
    struct fetch_info local;
    struct fetch_config cfg = *c;
    *body = NULL;
    *n = 0;
    if (info == NULL)
        info = &local;
    memset(info, 0, sizeof *info);
    if (fetch_global_init() < 0)
        return lc_diag_set(d, LC_ENOMEM, "libcurl failed to initialise");
    cfg_fill(&cfg);
    if (url == NULL || url[0] == 0)
        return lc_diag_set(d, LC_EFORMAT, "empty URL");

    struct hop h = {.c = &cfg, .max = cfg.max_bytes, .info = info};
    double deadline = now_ms() + (double)cfg.timeout_ms;
    char *cur = lc_strdup(url);
    int rc;
    for (;;) {
        rc = url_check(&h, cur, d);
        if (rc < 0)
            break;
        double left = deadline - now_ms();
        if (left < 1) {
            rc = lc_diag_set(d, LC_EUNREACH, "timed out after %ld ms",
                             cfg.timeout_ms);
            break;
        }
        char *next = NULL;
        h.n = 0;
        rc = hop_run(&h, cur, left, &next, d);
        if (rc < 0 || next == NULL)
            break;
        free(cur);
        cur = next;
        if (info->redirects++ >= cfg.max_redirects) {
            rc = lc_diag_set(d, LC_EHTTP, "more than %d redirects",
                             cfg.max_redirects);
            break;
        }
    }
    free(cur);
    if (rc < 0) {
        free(h.body);
        return rc;
    }
    if (h.body == NULL)
        h.body = lc_malloc(1); /* an empty body is still a body */
    *body = h.body;
    *n = h.n;
    return 0;
}

/* A POST's answer: the first FETCH_POST_REPLY_MAX bytes, then stop. */
static size_t on_reply(char *p, size_t size, size_t nmemb, void *arg)
{
    struct hop *h = arg;
    size_t k = size * nmemb;
    size_t room = h->max - h->n;
    memcpy(h->body + h->n, p, k < room ? k : room);
    h->n += k < room ? k : room;
    if (k > room) {
        h->toobig = true; /* enough read: libcurl stops (write error) */
        return 0;
    }
    return k;
}

int fetch_post(const struct fetch_config *c, const char *url,
               const char *const *headers, const void *body, size_t n,
               char *reply, size_t reply_n, struct fetch_info *info,
               struct lc_diag *d)
{
    struct fetch_info local;
    struct fetch_config cfg = *c;
    if (reply != NULL && reply_n > 0)
        reply[0] = 0;
    if (info == NULL)
        info = &local;
    memset(info, 0, sizeof *info);
    if (fetch_global_init() < 0)
        return lc_diag_set(d, LC_ENOMEM, "libcurl failed to initialise");
    cfg_fill(&cfg);
    if (url == NULL || url[0] == 0)
        return lc_diag_set(d, LC_EFORMAT, "empty URL");

    uint8_t answer[FETCH_POST_REPLY_MAX];
    struct hop h = {.c = &cfg, .info = info, .body = answer,
                    .max = sizeof answer};
    int rc = url_check(&h, url, d);
    if (rc < 0)
        return rc;
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; list != NULL && headers != NULL && headers[i]; i++) {
        if (strpbrk(headers[i], "\r\n") != NULL) {
            curl_slist_free_all(list);
            return lc_diag_set(d, LC_EFORMAT,
                               "a request header holds a line break");
        }
        struct curl_slist *more = curl_slist_append(list, headers[i]);
        if (more == NULL) {
            curl_slist_free_all(list);
            list = NULL;
        }
        list = more;
    }
    CURL *cu = list != NULL ? curl_easy_init() : NULL;
    if (cu == NULL) {
        curl_slist_free_all(list);
        return lc_diag_set(d, LC_ENOMEM, "out of memory in libcurl");
    }
    h.curl = cu;
    common_opts(&h, cu, url, (double)cfg.timeout_ms);
    curl_easy_setopt(cu, CURLOPT_POST, 1L);
    curl_easy_setopt(cu, CURLOPT_POSTFIELDS, n > 0 ? body : "");
    curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_reply);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, &h);
    CURLcode cc = curl_easy_perform(cu);
    long status = 0;
    curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
    if (cc == CURLE_WRITE_ERROR && h.toobig && status > 0)
        cc = CURLE_OK; /* the rest of a long answer is not wanted */
    if (cc != CURLE_OK) {
        h.toobig = false;
        rc = curl_err(&h, cc, d);
    } else if (status < 100 || status > 599) {
        rc = lc_diag_set(d, LC_EUNREACH, "no valid HTTP status (%ld)",
                         status);
    } else {
        info->http_status = status;
        rc = (int)status;
    }
    curl_easy_cleanup(cu);
    curl_slist_free_all(list);
    if (rc > 0 && reply != NULL && reply_n > 0) {
        size_t k = h.n < reply_n - 1 ? h.n : reply_n - 1;
        memcpy(reply, answer, k);
        reply[k] = 0;
    }
    return rc;
}
