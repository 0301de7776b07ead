/* src/net/addr.c - which addresses a fetch may connect to.
 *
 * A deny-list of every range that is not the public internet (RFC 6890
 * special-purpose registries for IPv4 and IPv6, plus cloud metadata, which
 * lives in link-local 169.254.169.254, CGNAT 100.100.100.200 and unique-
 * local fd00:ec2::254), and an operator allow-list that overrides it by host
 * name or by CIDR. IPv6 forms that carry an IPv4 address (mapped ::ffff:0:0/96,
 * compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that
 * IPv4 address; Teredo (2001::/32) is refused outright because its embedded
 * address is obfuscated.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "livecheck/fetch.h"

struct range {
    uint8_t p[16];
    int bits;
    const char *name;
};

static const struct range v4_deny[] = {
    {{0}, 8, "this-network"},
    {{10}, 8, "private"},
    {{100, 64}, 10, "carrier-grade NAT"},
    {{127}, 8, "loopback"},
    {{169, 254}, 16, "link-local (cloud metadata)"},
    {{172, 16}, 12, "private"},
    {{192, 0, 0}, 24, "IETF protocol assignments"},
    {{192, 0, 2}, 24, "documentation"},
    {{192, 88, 99}, 24, "6to4 relay"},
    {{192, 168}, 16, "private"},
    {{198, 18}, 15, "benchmarking"},
    {{198, 51, 100}, 24, "documentation"},
    {{203, 0, 113}, 24, "documentation"},
    {{224}, 4, "multicast"},
    {{240}, 4, "reserved or broadcast"},
};

static const struct range v6_deny[] = {
    {{0}, 128, "unspecified"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback"},
    {{0x00, 0x64, 0xff, 0x9b, 0, 1}, 48, "local NAT64"},
    {{0x01, 0x00}, 64, "discard-only"},
    {{0x20, 0x01, 0x00, 0x00}, 32, "Teredo"},
    {{0x20, 0x01, 0x00, 0x10}, 28, "ORCHID"},
    {{0x20, 0x01, 0x00, 0x20}, 28, "ORCHIDv2"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation"},
    {{0x3f, 0xff}, 20, "documentation"},
    {{0xfc}, 7, "unique-local"},
    {{0xfe, 0x80}, 10, "link-local"},
    {{0xfe, 0xc0}, 10, "site-local"},
    {{0xff}, 8, "multicast"},
};

static bool in_prefix(const uint8_t *a, const uint8_t *p, int bits)
{
    int full = bits / 8, rest = bits % 8;
    if (memcmp(a, p, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[full] & mask) == (p[full] & mask);
}

/* An address in one form: 4 bytes (v4) or 16 (v6). */
struct ip {
    bool v6;
    uint8_t b[16];
};

/* The IPv4 address an IPv6 one carries, if it is of a form that does. */
static bool embedded_v4(const struct ip *a, struct ip *out)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    static const uint8_t zero12[12] = {0};
    const uint8_t *src = NULL;
    if (memcmp(a->b, mapped, 12) == 0 || memcmp(a->b, nat64, 12) == 0)
        src = a->b + 12;
    else if (memcmp(a->b, zero12, 12) == 0 &&
             !(a->b[12] == 0 && a->b[13] == 0 && a->b[14] == 0 && a->b[15] <= 1))
        src = a->b + 12; /* IPv4-compatible (deprecated), not :: or ::1 */
    else if (a->b[0] == 0x20 && a->b[1] == 0x02)
        src = a->b + 2; /* 6to4 */
    if (src == NULL)
        return false;
    out->v6 = false;
    memset(out->b, 0, sizeof out->b);
    memcpy(out->b, src, 4);
    return true;
}

static const char *deny_name(const struct ip *a)
{
    const struct range *r = a->v6 ? v6_deny : v4_deny;
    size_t n = a->v6 ? sizeof v6_deny / sizeof v6_deny[0]
                     : sizeof v4_deny / sizeof v4_deny[0];
    for (size_t i = 0; i < n; i++)
        if (in_prefix(a->b, r[i].p, r[i].bits))
            return r[i].name;
    return NULL;
}

/* Parse "addr" or "addr/bits" into a and *bits. */
static bool parse_cidr(const char *s, size_t len, struct ip *a, int *bits)
{
    char tmp[64];
    if (len == 0 || len >= sizeof tmp)
        return false;
    memcpy(tmp, s, len);
    tmp[len] = 0;
    char *slash = strchr(tmp, '/');
    long b = -1;
    if (slash) {
        *slash = 0;
        char *end;
        if (slash[1] == 0)
            return false;
        b = strtol(slash + 1, &end, 10);
        if (*end != 0 || b < 0)
            return false;
    }
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, tmp, a->b) == 1) {
        a->v6 = false;
        if (b > 32)
            return false;
        *bits = b < 0 ? 32 : (int)b;
    } else if (inet_pton(AF_INET6, tmp, a->b) == 1) {
        a->v6 = true;
        if (b > 128)
            return false;
        *bits = b < 0 ? 128 : (int)b;
    } else {
        return false;
    }
    return true;
}

static bool host_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > 253)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
            return false;
    return true;
}

/* Walk the allow-list: calls visit for each entry (start, length); stops
 * and returns true when visit does. */
static bool allow_each(const char *allow,
                       bool (*visit)(const char *s, size_t n, void *arg),
                       void *arg)
{
    if (allow == NULL)
        return false;
    const char *p = allow;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        const char *s = p;
        while (*p && *p != ',' && !isspace((unsigned char)*p))
            p++;
        if (p > s && visit(s, (size_t)(p - s), arg))
            return true;
    }
    return false;
}

struct check_arg {
    const struct ip *a;
    const char *host;
    const char *bad; /* for fetch_allow_check */
    size_t bad_n;
};

static bool visit_bad(const char *s, size_t n, void *arg)
{
    struct ip a;
    int bits;
    if (parse_cidr(s, n, &a, &bits) || host_name_ok(s, n))
        return false;
    struct check_arg *c = arg;
    c->bad = s;
    c->bad_n = n;
    return true;
}

int fetch_allow_check(const char *allow, struct lc_diag *d)
{
    struct check_arg c = {0};
    if (allow_each(allow, visit_bad, &c))
        return lc_diag_set(d, LC_EFORMAT,
                           "allow-list entry '%.*s' is neither a host name "
                           "nor an address/CIDR",
                           (int)(c.bad_n > 80 ? 80 : c.bad_n), c.bad);
    return 0;
}

static bool visit_match(const char *s, size_t n, void *arg)
{
    const struct check_arg *c = arg;
    struct ip net;
    int bits;
    if (parse_cidr(s, n, &net, &bits))
        return net.v6 == c->a->v6 && in_prefix(c->a->b, net.b, bits);
    return c->host != NULL && strlen(c->host) == n &&
           strncasecmp(c->host, s, n) == 0;
}

static int check_ip(const struct ip *a0, const char *host, const char *allow,
                    struct lc_diag *d)
{
    struct ip v4, a = *a0;
    if (a.v6 && embedded_v4(&a, &v4)) {
        /* An allow-listed IPv4 CIDR covers its mapped form too. */
        struct check_arg c = {.a = &v4, .host = host};
        if (allow_each(allow, visit_match, &c))
            return 0;
    }
    struct check_arg c = {.a = &a, .host = host};
    if (allow_each(allow, visit_match, &c))
        return 0;
    const char *why = deny_name(&a);
    if (why == NULL && a.v6 && embedded_v4(&a, &v4))
        why = deny_name(&v4);
    if (why == NULL)
        return 0;
    char text[INET6_ADDRSTRLEN];
    inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.b, text, sizeof text);
    return lc_diag_set(d, LC_EDENIED, "address %s is %s and not allow-listed",
                       text, why);
}

int fetch_addr_check(const struct sockaddr *sa, const char *host,
                     const char *allow, struct lc_diag *d)
{
    struct ip a;
    memset(&a, 0, sizeof a);
    if (sa == NULL)
        return lc_diag_set(d, LC_EDENIED, "no address");
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        memcpy(a.b, &in->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        a.v6 = true;
        memcpy(a.b, &in6->sin6_addr, 16);
    } else {
        return lc_diag_set(d, LC_EDENIED, "address family %d is not IP",
                           sa->sa_family);
    }
    return check_ip(&a, host, allow, d);
}

int fetch_ip_check(const char *ip, const char *allow, struct lc_diag *d)
{
    struct ip a;
    int bits;
    if (ip == NULL || !parse_cidr(ip, strlen(ip), &a, &bits) ||
        strchr(ip, '/') != NULL)
        return lc_diag_set(d, LC_EFORMAT, "'%s' is not an IP address",
                           ip ? ip : "(null)");
    return check_ip(&a, NULL, allow, d);
}
