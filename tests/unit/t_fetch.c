/* tests/unit/t_fetch.c - the safe URL fetcher (src/net) against the
 * address table and against a real HTTP server on loopback started here:
 * fetch_url's GETs and fetch_post's POSTs (any status returned, redirects
 * not followed, the answer read to a few KB, cancel).
 *
 * Nothing leaves the machine: the private and metadata addresses below
 * are refused before any socket exists, which the tests assert through
 * fetch_info.connects (sockets opened) and the server's own connection
 * count. Loopback is reached only where the allow-list says 127.0.0.1.
 */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "livecheck/fetch.h"
#include "livecheck/video.h"

/* ---- a tiny HTTP/1.0 server on 127.0.0.1 ------------------------------ */

#define BIG_BYTES ((long)64 << 20)

static struct {
    int fd, port;
    pthread_t th;
    atomic_bool stop;
    atomic_int conns;
    atomic_long big_sent;
    bool up;
} srv;

static void say(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
        if (k <= 0)
            return;
        s += k;
        n -= (size_t)k;
    }
}

static void stream(int fd, long total)
{
    static char chunk[65536];
    long sent = 0;
    while (sent < total && !atomic_load(&srv.stop)) {
        ssize_t k = send(fd, chunk, sizeof chunk, MSG_NOSIGNAL);
        if (k <= 0)
            break;
        sent += k;
    }
    atomic_store(&srv.big_sent, sent);
}

/* The last POST received, for the fetch_post tests. */
static pthread_mutex_t post_mu = PTHREAD_MUTEX_INITIALIZER;
static char post_last[8192];

/* Read one request (headers and a Content-Length body) into req. */
static ssize_t read_request(int fd, char *req, size_t cap)
{
    size_t n = 0, want = 0;
    while (n + 1 < cap) {
        ssize_t k = recv(fd, req + n, cap - 1 - n, 0);
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
    return (ssize_t)n;
}

static void *conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char req[8192] = {0}, path[256] = {0}, head[512];
    ssize_t n = read_request(fd, req, sizeof req);
    int skip = n > 4 && memcmp(req, "GET ", 4) == 0    ? 4
               : n > 5 && memcmp(req, "POST ", 5) == 0 ? 5
                                                       : 0;
    for (size_t i = 0; skip && i + 1 < sizeof path && req[skip + i] > ' '; i++)
        path[i] = req[skip + i];
    if (skip == 5) {
        pthread_mutex_lock(&post_mu);
        memcpy(post_last, req, sizeof post_last);
        pthread_mutex_unlock(&post_mu);
    }
    if (skip == 5 && strcmp(path, "/post-ok") == 0) {
        say(fd, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n"
                "Connection: close\r\n\r\nreceived");
    } else if (skip == 5 && strcmp(path, "/post-fail") == 0) {
        say(fd, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4"
                "\r\nConnection: close\r\n\r\noops");
    } else if (skip == 5 && strcmp(path, "/post-redir") == 0) {
        say(fd, "HTTP/1.1 307 Temporary Redirect\r\nLocation: /post-ok\r\n"
                "Content-Length: 0\r\nConnection: close\r\n\r\n");
    } else if (skip == 5 && strcmp(path, "/post-big") == 0) {
        say(fd, "HTTP/1.0 200 OK\r\n\r\n");
        stream(fd, BIG_BYTES);
    } else if (skip == 5 && strcmp(path, "/hang") != 0) {
        say(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                "Connection: close\r\n\r\n");
    } else if (strcmp(path, "/ok") == 0) {
        say(fd, "HTTP/1.0 200 OK\r\nContent-Length: 11\r\n\r\nhello video");
    } else if (strcmp(path, "/redir-private") == 0) {
        say(fd, "HTTP/1.0 302 Found\r\nLocation: "
                "http://169.254.169.254/latest/meta-data/\r\n"
                "Content-Length: 0\r\n\r\n");
    } else if (strcmp(path, "/redir-v6") == 0) {
        snprintf(head, sizeof head,
                 "HTTP/1.0 302 Found\r\nLocation: http://[::1]:%d/ok\r\n"
                 "Content-Length: 0\r\n\r\n", srv.port);
        say(fd, head);
    } else if (strcmp(path, "/redir-ok") == 0) {
        say(fd, "HTTP/1.0 301 Moved\r\nLocation: /ok\r\nContent-Length: 0\r\n\r\n");
    } else if (strcmp(path, "/loop") == 0) {
        say(fd, "HTTP/1.0 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
    } else if (strcmp(path, "/big") == 0) {
        snprintf(head, sizeof head,
                 "HTTP/1.0 200 OK\r\nContent-Length: %ld\r\n\r\n", BIG_BYTES);
        say(fd, head);
        stream(fd, BIG_BYTES);
    } else if (strcmp(path, "/big-nolen") == 0) {
        say(fd, "HTTP/1.0 200 OK\r\nContent-Type: video/mp4\r\n\r\n");
        stream(fd, BIG_BYTES);
    } else if (strcmp(path, "/hang") == 0) {
        /* Accept and never answer (until the test ends or 6 s pass). */
        for (int i = 0; i < 600 && !atomic_load(&srv.stop); i++)
            usleep(10000);
    } else {
        say(fd, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
    close(fd);
    return NULL;
}

static void *serve(void *arg)
{
    (void)arg;
    while (!atomic_load(&srv.stop)) {
        struct pollfd p = {.fd = srv.fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(srv.fd, NULL, NULL);
        if (c < 0)
            continue;
        atomic_fetch_add(&srv.conns, 1);
        pthread_t t;
        if (pthread_create(&t, NULL, conn, (void *)(intptr_t)c) == 0)
            pthread_detach(t);
        else
            close(c);
    }
    return NULL;
}

/* Start the server once for all tests (it lives until exit). */
static bool server_up(void)
{
    if (srv.up)
        return true;
    srv.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (srv.fd < 0 || bind(srv.fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(srv.fd, 16) != 0 ||
        getsockname(srv.fd, (struct sockaddr *)&a, &len) != 0)
        return false;
    srv.port = ntohs(a.sin_port);
    if (pthread_create(&srv.th, NULL, serve, NULL) != 0)
        return false;
    srv.up = true;
    return true;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void cfg_test(struct fetch_config *c, const char *allow)
{
    fetch_config_default(c);
    c->connect_ms = 1000;
    c->timeout_ms = 2000;
    c->allow = allow;
}

/* ---- the address table ------------------------------------------------- */

TEST(fetch_addr_private_ranges_refused)
{
    static const char *const denied[] = {
        "127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.5.4", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.100.100.200",
        "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255",
        "198.18.0.1", "192.0.2.1", "::1", "::", "fe80::1", "fc00::1",
        "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
        "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:a00:1::1",
        "2001::1", "2001:db8::1", "::10.0.0.1"};
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
        struct lc_diag d = {{0}};
        int rc = fetch_ip_check(denied[i], NULL, &d);
        if (rc != LC_EDENIED)
            test_fail(__FILE__, __LINE__, "%s allowed (rc %d)", denied[i], rc);
    }
    static const char *const allowed[] = {"8.8.8.8", "1.1.1.1", "172.32.0.1",
                                          "100.128.0.1", "2606:4700:4700::1111",
                                          "::ffff:8.8.8.8", "2002:808:808::1"};
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (fetch_ip_check(allowed[i], NULL, NULL) != 0)
            test_fail(__FILE__, __LINE__, "%s refused", allowed[i]);
    ASSERT_INT(fetch_ip_check("not-an-ip", NULL, NULL), ==, LC_EFORMAT);
}

TEST(fetch_addr_allow_list)
{
    const char *allow = "127.0.0.1, 10.1.0.0/16 fd00::/8";
    ASSERT_INT(fetch_ip_check("127.0.0.1", allow, NULL), ==, 0);
    ASSERT_INT(fetch_ip_check("::ffff:127.0.0.1", allow, NULL), ==, 0);
    ASSERT_INT(fetch_ip_check("127.0.0.2", allow, NULL), ==, LC_EDENIED);
    ASSERT_INT(fetch_ip_check("10.1.200.3", allow, NULL), ==, 0);
    ASSERT_INT(fetch_ip_check("10.2.0.1", allow, NULL), ==, LC_EDENIED);
    ASSERT_INT(fetch_ip_check("fd12::1", allow, NULL), ==, 0);
    ASSERT_INT(fetch_ip_check("::1", allow, NULL), ==, LC_EDENIED);
    ASSERT_INT(fetch_allow_check(allow, NULL), ==, 0);
    ASSERT_INT(fetch_allow_check("media.internal,::1/128", NULL), ==, 0);
    ASSERT_INT(fetch_allow_check("10.0.0.0/33", NULL), ==, LC_EFORMAT);
    ASSERT_INT(fetch_allow_check("bad_name", NULL), ==, LC_EFORMAT);
    /* A host name on the list lets that name through whatever it resolves
     * to; other names stay under the address rules. */
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "10.9.9.9", &a.sin_addr);
    ASSERT_INT(fetch_addr_check((struct sockaddr *)&a, "media.internal",
                                "media.internal", NULL), ==, 0);
    ASSERT_INT(fetch_addr_check((struct sockaddr *)&a, "other.internal",
                                "media.internal", NULL), ==, LC_EDENIED);
}

/* ---- fetch_url end to end ---------------------------------------------- */

/* Fetch url expecting rc; returns the elapsed ms. */
static double fetch_expect(const struct fetch_config *c, const char *url,
                           int want, struct fetch_info *info)
{
    uint8_t *body = NULL;
    size_t n = 0;
    struct lc_diag d = {{0}};
    double t0 = now_ms();
    int rc = fetch_url(c, url, &body, &n, info, &d);
    double ms = now_ms() - t0;
    if (rc != want)
        test_fail(__FILE__, __LINE__, "%s: rc %d (%s), want %d", url, rc,
                  d.msg, want);
    if ((rc == 0) != (body != NULL))
        test_fail(__FILE__, __LINE__, "%s: body %p with rc %d", url,
                  (void *)body, rc);
    free(body);
    return ms;
}

TEST(fetch_private_refused_before_connecting)
{
    ASSERT(server_up());
    struct fetch_config c;
    cfg_test(&c, NULL);
    char urls[5][128];
    snprintf(urls[0], sizeof urls[0], "http://127.0.0.1:%d/ok", srv.port);
    snprintf(urls[1], sizeof urls[1], "http://10.0.0.1/video.mp4");
    snprintf(urls[2], sizeof urls[2], "http://169.254.169.254/latest/meta-data/");
    snprintf(urls[3], sizeof urls[3], "http://[::1]:%d/ok", srv.port);
    /* A name that resolves to loopback: refused in the socket callback. */
    snprintf(urls[4], sizeof urls[4], "http://localhost:%d/ok", srv.port);
    int before = atomic_load(&srv.conns);
    for (int i = 0; i < 5; i++) {
        struct fetch_info info;
        double ms = fetch_expect(&c, urls[i], LC_EDENIED, &info);
        ASSERT_INT(info.connects, ==, 0);
        ASSERT_INT(info.denied, >=, 1);
        ASSERT(ms < 1000);
    }
    ASSERT_INT(atomic_load(&srv.conns), ==, before);
}

TEST(fetch_bad_urls)
{
    struct fetch_config c;
    cfg_test(&c, NULL);
    struct fetch_info info;
    fetch_expect(&c, "ftp://example.com/a.mp4", LC_EUNSUP, &info);
    fetch_expect(&c, "file:///etc/passwd", LC_EUNSUP, &info);
    fetch_expect(&c, "gopher://example.com/", LC_EUNSUP, &info);
    fetch_expect(&c, "not a url", LC_EFORMAT, &info);
    fetch_expect(&c, "http://", LC_EFORMAT, &info);
    fetch_expect(&c, "", LC_EFORMAT, &info);
    ASSERT_INT(info.connects, ==, 0);
}

TEST(fetch_allow_listed_loopback_and_redirects)
{
    ASSERT(server_up());
    struct fetch_config c;
    cfg_test(&c, "127.0.0.1");
    char url[128];
    uint8_t *body;
    size_t n;
    struct fetch_info info;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", srv.port);
    ASSERT_INT(fetch_url(&c, url, &body, &n, &info, NULL), ==, 0);
    ASSERT_INT(n, ==, 11);
    ASSERT(memcmp(body, "hello video", 11) == 0);
    ASSERT_INT(info.http_status, ==, 200);
    ASSERT_INT(info.connects, ==, 1);
    ASSERT_STR(info.address, "127.0.0.1");
    free(body);

    /* A relative redirect on the allowed host is followed. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/redir-ok", srv.port);
    ASSERT_INT(fetch_url(&c, url, &body, &n, &info, NULL), ==, 0);
    ASSERT_INT(info.redirects, ==, 1);
    ASSERT_INT(n, ==, 11);
    free(body);

    /* The first hop is allowed, the second (metadata) is not: refused
     * before connecting to it. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/redir-private", srv.port);
    fetch_expect(&c, url, LC_EDENIED, &info);
    ASSERT_INT(info.redirects, ==, 1);
    ASSERT_INT(info.connects, ==, 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/redir-v6", srv.port);
    fetch_expect(&c, url, LC_EDENIED, &info);
    ASSERT_INT(info.connects, ==, 1);

    /* Redirects are bounded. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/loop", srv.port);
    fetch_expect(&c, url, LC_EHTTP, &info);
    ASSERT_INT(info.redirects, ==, c.max_redirects + 1);
    ASSERT_INT(info.connects, ==, c.max_redirects + 1);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/missing", srv.port);
    fetch_expect(&c, url, LC_EHTTP, &info);
    ASSERT_INT(info.http_status, ==, 404);
}

TEST(fetch_timeout_is_bounded)
{
    ASSERT(server_up());
    struct fetch_config c;
    cfg_test(&c, "127.0.0.1"); /* 2 s in all */
    char url[128];
    struct fetch_info info;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hang", srv.port);
    double ms = fetch_expect(&c, url, LC_EUNREACH, &info);
    ASSERT(ms >= 1900 && ms < 3500);
    /* Nobody listening: refused quickly. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ASSERT(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    ASSERT(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd); /* the port is now free and closed */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", ntohs(a.sin_port));
    ms = fetch_expect(&c, url, LC_EUNREACH, &info);
    ASSERT(ms < 1500);
}

TEST(fetch_size_cap_stops_download)
{
    ASSERT(server_up());
    struct fetch_config c;
    cfg_test(&c, "127.0.0.1");
    c.max_bytes = 1 << 20;
    char url[128];
    struct fetch_info info;
    /* A declared length beyond the cap is refused before the body. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/big", srv.port);
    fetch_expect(&c, url, LC_ETOOBIG, &info);
    /* Without a length the transfer is cut while receiving: the server
     * manages to send far less than the 64 MB it wanted to. */
    atomic_store(&srv.big_sent, -1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/big-nolen", srv.port);
    double ms = fetch_expect(&c, url, LC_ETOOBIG, &info);
    ASSERT(ms < 1500);
    for (int i = 0; i < 200 && atomic_load(&srv.big_sent) < 0; i++)
        usleep(10000);
    ASSERT_INT(atomic_load(&srv.big_sent), >=, 0);
    ASSERT_INT(atomic_load(&srv.big_sent), <, (long)16 << 20);
}

TEST(fetch_video_url_outcomes)
{
    ASSERT(server_up());
    struct liveness_video_config vc;
    liveness_video_config_default(&vc);
    struct fetch_config c;
    cfg_test(&c, "127.0.0.1");
    struct liveness_video_result r;
    char url[128];
    /* ctx is never reached: each of these is refused before face work. */
    ASSERT_INT(liveness_video_check_url(NULL, &vc, &c,
                                        "http://169.254.169.254/x.mp4", NULL, &r),
               ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_video_url_not_allowed");
    ASSERT_INT(liveness_video_check_url(NULL, &vc, &c, "ftp://x/y.mp4", NULL, &r),
               ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_invalid_video_url");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/missing", srv.port);
    ASSERT_INT(liveness_video_check_url(NULL, &vc, &c, url, NULL, &r), ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_video_url_http_error");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", srv.port);
    ASSERT_INT(liveness_video_check_url(NULL, &vc, &c, url, NULL, &r), ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_invalid_video_format");
    vc.max_bytes = 1 << 20; /* the video cap bounds the download too */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/big-nolen", srv.port);
    ASSERT_INT(liveness_video_check_url(NULL, &vc, &c, url, NULL, &r), ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_video_too_large");
    c.timeout_ms = 500;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hang", srv.port);
    ASSERT_INT(liveness_video_check_url(NULL, &vc, &c, url, NULL, &r), ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_video_url_unreachable");
}

/* ---- fetch_post --------------------------------------------------------- */

static int post(const struct fetch_config *c, const char *path,
                const char *const *headers, char *reply, size_t reply_n,
                struct fetch_info *info, struct lc_diag *d)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", srv.port, path);
    static const char body[] = "{\"decentroTxnId\":\"T1\"}";
    return fetch_post(c, url, headers, body, sizeof body - 1, reply, reply_n,
                      info, d);
}

TEST(fetch_post_answers)
{
    ASSERT(server_up());
    struct fetch_config c;
    cfg_test(&c, "127.0.0.1");
    const char *const hdr[] = {"Content-Type: application/json",
                               "X-Livecheck-Attempt: 2", NULL};
    char reply[64];
    struct fetch_info info;
    struct lc_diag d = {{0}};
    ASSERT_INT(post(&c, "/post-ok", hdr, reply, sizeof reply, &info, &d), ==,
               200);
    ASSERT_STR(reply, "received");
    ASSERT_INT(info.http_status, ==, 200);
    ASSERT_INT(info.connects, ==, 1);
    pthread_mutex_lock(&post_mu);
    bool sent = strstr(post_last, "POST /post-ok HTTP/1.1\r\n") == post_last &&
                strstr(post_last, "\r\nX-Livecheck-Attempt: 2\r\n") &&
                strstr(post_last, "\r\nContent-Type: application/json\r\n") &&
                strstr(post_last, "\r\nContent-Length: 22\r\n") &&
                strstr(post_last, "\r\n\r\n{\"decentroTxnId\":\"T1\"}") &&
                !strcasestr(post_last, "Expect:");
    pthread_mutex_unlock(&post_mu);
    ASSERT(sent);

    /* Any status is an answer, not an error; the body is optional. */
    ASSERT_INT(post(&c, "/post-fail", NULL, reply, sizeof reply, NULL, &d),
               ==, 500);
    ASSERT_STR(reply, "oops");
    ASSERT_INT(post(&c, "/post-fail", NULL, NULL, 0, NULL, NULL), ==, 500);
    /* A redirect is returned, never followed. */
    int before = atomic_load(&srv.conns);
    ASSERT_INT(post(&c, "/post-redir", NULL, reply, sizeof reply, &info, &d),
               ==, 307);
    ASSERT_INT(info.redirects, ==, 0);
    ASSERT_INT(info.connects, ==, 1);
    usleep(50000);
    ASSERT_INT(atomic_load(&srv.conns), ==, before + 1);
    /* A long answer is read to a few KB only. */
    atomic_store(&srv.big_sent, -1);
    double t0 = now_ms();
    ASSERT_INT(post(&c, "/post-big", NULL, reply, sizeof reply, NULL, &d), ==,
               200);
    ASSERT(now_ms() - t0 < 1500);
    for (int i = 0; i < 200 && atomic_load(&srv.big_sent) < 0; i++)
        usleep(10000);
    ASSERT_INT(atomic_load(&srv.big_sent), <, (long)16 << 20);
    /* Header injection is refused before anything is sent. */
    const char *const evil[] = {"X-A: 1\r\nX-B: 2", NULL};
    before = atomic_load(&srv.conns);
    ASSERT_INT(post(&c, "/post-ok", evil, NULL, 0, &info, &d), ==, LC_EFORMAT);
    ASSERT_INT(info.connects, ==, 0);
    ASSERT_INT(atomic_load(&srv.conns), ==, before);
}

TEST(fetch_post_private_refused)
{
    ASSERT(server_up());
    struct fetch_config c;
    cfg_test(&c, NULL); /* no allow-list */
    struct fetch_info info;
    struct lc_diag d = {{0}};
    int before = atomic_load(&srv.conns);
    ASSERT_INT(post(&c, "/post-ok", NULL, NULL, 0, &info, &d), ==, LC_EDENIED);
    ASSERT_INT(info.connects, ==, 0);
    ASSERT_INT(info.denied, >=, 1);
    char url[128];
    snprintf(url, sizeof url, "http://localhost:%d/post-ok", srv.port);
    ASSERT_INT(fetch_post(&c, url, NULL, "x", 1, NULL, 0, &info, &d), ==,
               LC_EDENIED);
    ASSERT_INT(info.connects, ==, 0);
    ASSERT_INT(fetch_post(&c, "http://169.254.169.254/cb", NULL, "x", 1, NULL,
                          0, &info, &d), ==, LC_EDENIED);
    ASSERT_INT(fetch_post(&c, "http://10.0.0.1/cb", NULL, "x", 1, NULL, 0,
                          &info, &d), ==, LC_EDENIED);
    ASSERT_INT(fetch_post(&c, "ftp://example.com/cb", NULL, "x", 1, NULL, 0,
                          &info, &d), ==, LC_EUNSUP);
    ASSERT_INT(info.connects, ==, 0);
    usleep(50000);
    ASSERT_INT(atomic_load(&srv.conns), ==, before);
}

static void *cancel_later(void *arg)
{
    usleep(200000);
    atomic_store((atomic_bool *)arg, true);
    return NULL;
}

TEST(fetch_post_unreachable_and_cancel)
{
    ASSERT(server_up());
    struct fetch_config c;
    cfg_test(&c, "127.0.0.1");
    /* Nobody listening: connection refused, quickly. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ASSERT(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    ASSERT(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/post-ok", ntohs(a.sin_port));
    struct lc_diag d = {{0}};
    double t0 = now_ms();
    ASSERT_INT(fetch_post(&c, url, NULL, "x", 1, NULL, 0, NULL, &d), ==,
               LC_EUNREACH);
    ASSERT(now_ms() - t0 < 1500);
    /* A server that never answers: bounded by the timeout, or sooner by
     * the cancel flag. */
    c.timeout_ms = 600;
    t0 = now_ms();
    ASSERT_INT(post(&c, "/hang", NULL, NULL, 0, NULL, &d), ==, LC_EUNREACH);
    double ms = now_ms() - t0;
    ASSERT(ms >= 500 && ms < 2000);
    static atomic_bool cancel;
    atomic_store(&cancel, false);
    c.timeout_ms = 5000;
    c.cancel = &cancel;
    pthread_t th;
    ASSERT(pthread_create(&th, NULL, cancel_later, &cancel) == 0);
    t0 = now_ms();
    int rc = post(&c, "/hang", NULL, NULL, 0, NULL, &d);
    ms = now_ms() - t0;
    pthread_join(th, NULL);
    ASSERT_INT(rc, ==, LC_EUNREACH);
    ASSERT(ms >= 150 && ms < 2000);
    ASSERT_STR(d.msg, "cancelled");
}
