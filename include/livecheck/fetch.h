/* include/livecheck/fetch.h - fetching a URL a client gave us, safely
 * (video_url, reference image URLs), and POSTing to one (callbacks).
 *
 * A URL from a client must not become a way into the operator's network
 * (SSRF). fetch_url therefore:
 *   - accepts http and https only, and a host;
 *   - follows redirects itself (at most max_redirects), re-validating every
 *     hop as if it were the first URL;
 *   - refuses private, loopback, link-local (cloud metadata), CGNAT,
 *     unique-local, multicast, reserved and documentation addresses, IPv4
 *     and IPv6 alike, including IPv4 embedded in IPv6 (mapped, compatible,
 *     NAT64, 6to4) and Teredo. An IP literal is checked before anything is
 *     sent; every address libcurl is about to connect to is checked again in
 *     its open-socket callback, so a name that resolves (or re-resolves: DNS
 *     rebinding) to a refused address is refused before any socket exists;
 *   - lets an operator allow-list of host names and CIDRs through (tests
 *     allow 127.0.0.1 this way);
 *   - bounds the connect time and the total time (all hops together);
 *   - stops receiving at max_bytes (a Content-Length beyond it is refused
 *     before the body is read);
 *   - uses no proxy from the environment, and verifies TLS certificates.
 * Errors (negative LC_E*, with a one-line reason in the optional diag):
 *   LC_EFORMAT   malformed URL        LC_EUNSUP    scheme not http(s)
 *   LC_EDENIED   address not allowed  LC_EUNREACH  DNS, connect, TLS or
 *   LC_ETOOBIG   body beyond the cap               timeout failure
 *   LC_EHTTP     a non-2xx status, or too many redirects
 *   LC_ENOMEM    out of memory inside libcurl
 * Thread-safe: each call uses its own libcurl handle; fetch_global_init
 * runs once per process (fetch_url calls it too).
 */
#ifndef LC_FETCH_H
#define LC_FETCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "livecheck/err.h"

struct sockaddr;

struct fetch_config {
    long connect_ms;    /* per connection attempt: 0 = 5000 */
    long timeout_ms;    /* the whole fetch, every hop: 0 = 20000 */
    int max_redirects;  /* 0 = none followed; default config: 3 */
    size_t max_bytes;   /* body cap: 0 = 20 MB */
    /* Operator allow-list: host names (exact, case-insensitive) and
     * addresses or CIDRs ("10.1.0.0/16", "::1", "fd00::/8"), separated by
     * commas or spaces. A listed name may resolve anywhere; an address in a
     * listed CIDR may be connected to. NULL or "" allows nothing extra. */
    const char *allow;
    const char *user_agent; /* NULL = "livecheck" */
    /* NULL, or a flag that stops a transfer in progress soon after it
     * becomes true (LC_EUNREACH "cancelled"), so that a service shutting
     * down does not wait out a slow server. */
    const atomic_bool *cancel;
};

/* connect_ms 5000, timeout_ms 20000, max_redirects 3, max_bytes 20 MB. */
void fetch_config_default(struct fetch_config *c);

/* Check an allow-list's syntax (at start-up). Returns 0 or LC_EFORMAT
 * naming the bad entry. */
int fetch_allow_check(const char *allow, struct lc_diag *d);

/* What a fetch did, for logs and tests. */
struct fetch_info {
    long http_status;   /* last response's status, 0 if none */
    int redirects;      /* hops followed */
    int connects;       /* sockets opened (addresses that passed the
                         * check), over all hops */
    int denied;         /* addresses refused before connecting */
    char address[64];   /* last address connected to, "" if none */
};

/* Fetch url. On success *body (caller frees with free()) holds *n bytes
 * and 0 is returned; on failure *body is NULL and a negative LC_E* code is
 * returned (above). info may be NULL. */
int fetch_url(const struct fetch_config *c, const char *url, uint8_t **body,
              size_t *n, struct fetch_info *info, struct lc_diag *d);

/* The most of a POST's answer body that fetch_post reads. */
#define FETCH_POST_REPLY_MAX 4096

/* POST n bytes of body to url with extra request headers (a NULL-ended
 * array of "Name: value" strings, or NULL; a header holding CR or LF is
 * refused with LC_EFORMAT), under fetch_url's rules: http(s) only, the
 * same address check before and on every connection, the allow-list, the
 * connect and total timeouts, no proxy, TLS verified. Redirects are NOT
 * followed: a 3xx is returned like any other status. The answer's body is
 * read up to FETCH_POST_REPLY_MAX bytes and the transfer ends there (the
 * status is still returned); when reply is not NULL its first reply_n - 1
 * bytes land in it, NUL-ended ("" when none).
 * Returns the HTTP status (100..599, 2xx or not) once an answer's status
 * line arrived, else a negative code: LC_EFORMAT, LC_EUNSUP, LC_EDENIED,
 * LC_EUNREACH (DNS, connect, TLS, timeout, cancel), LC_ENOMEM, with d
 * filled. info (may be NULL) as for fetch_url; info->redirects stays 0.
 * Thread-safe like fetch_url. */
int fetch_post(const struct fetch_config *c, const char *url,
               const char *const *headers, const void *body, size_t n,
               char *reply, size_t reply_n, struct fetch_info *info,
               struct lc_diag *d);

/* The address policy alone: 0 when sa (AF_INET or AF_INET6) may be
 * connected to under the allow-list, else LC_EDENIED (with the range's
 * name in diag). host (may be NULL) is the name being fetched, for
 * allow-listed names. */
int fetch_addr_check(const struct sockaddr *sa, const char *host,
                     const char *allow, struct lc_diag *d);

/* The same for an address literal ("10.0.0.1", "::ffff:127.0.0.1");
 * LC_EFORMAT when ip is not one. */
int fetch_ip_check(const char *ip, const char *allow, struct lc_diag *d);

/* Initialise libcurl once per process (idempotent, thread-safe). Returns 0
 * or LC_ENOMEM. */
int fetch_global_init(void);

#endif
