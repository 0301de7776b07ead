/* src/http/http_int.h - what server.c, metrics.c and log.c share. Only
 * files in src/http include it. */
#ifndef LC_HTTP_INT_H
#define LC_HTTP_INT_H

#include <microhttpd.h>
#include <stdatomic.h>

#include "livecheck/http.h"

/* Latency histogram upper bounds, in seconds (Prometheus "le"). */
#define HTTP_NBUCKETS 12
extern const double http_buckets[HTTP_NBUCKETS];

/* Counters of one route (index nroutes is "other": unknown paths). Only
 * the server thread writes them (completion callbacks run there); the
 * /metrics handler reads them on that same thread. */
struct http_route_stats {
    uint64_t *by_key;                 /* [nkeys + 1]: last = no answer */
    uint64_t bucket[HTTP_NBUCKETS];   /* cumulative at render time */
    uint64_t count;
    double sum_s;
};

struct http_server {
    struct http_config c;
    struct MHD_Daemon *d;
    char address[80];
    atomic_int in_flight;
    atomic_bool draining;
    struct http_route_stats *stats;   /* [nroutes + 1] */
    struct http_req *free_reqs;       /* recycled, server thread only */
    int nfree;
};

void http_stats_record(struct http_server *s, int route, int key,
                       double seconds);

#endif
