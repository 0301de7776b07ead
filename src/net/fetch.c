/* src/net/fetch.c - fetch_url: one GET at a time with libcurl, redirects
 * followed here so that each hop is validated like the first, every
 * connection address checked in libcurl's open-socket callback (addr.c
 * decides), and the body capped while it arrives. See fetch.h for the
 * contract.
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

static int curl_err(struct hop *h, CURLcode cc, struct lc_diag *d)
{
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
    long total = (long)left_ms;
    long conn = h->c->connect_ms < total ? h->c->connect_ms : total;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, conn > 1 ? conn : 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total > 1 ? total : 1L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max);
    curl_easy_setopt(c, CURLOPT_USERAGENT,
                     h->c->user_agent ? h->c->user_agent : "livecheck");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, h);
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
    if (cfg.connect_ms <= 0)
        cfg.connect_ms = 5000;
    if (cfg.timeout_ms <= 0)
        cfg.timeout_ms = 20000;
    if (cfg.max_bytes == 0)
        cfg.max_bytes = (size_t)20 << 20;
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
