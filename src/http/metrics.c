/* src/http/metrics.c - request counters and latency histograms, rendered
 * in the Prometheus text format (version 0.0.4).
 *
 * Labels are bounded: `endpoint` is a route's path or "other" (so unknown
 * paths cannot blow up the series), `key` is one of the responseKeys the
 * server was started with, or "none" for a request that ended without an
 * answer (the client went away).
 */
#include "http_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"

const double http_buckets[HTTP_NBUCKETS] = {
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

void http_stats_record(struct http_server *s, int route, int key,
                       double seconds)
{
    struct http_route_stats *st = &s->stats[route];
    if (key < 0 || key > s->c.nkeys)
        key = s->c.nkeys;
    st->by_key[key]++;
    st->count++;
    st->sum_s += seconds;
    for (int i = 0; i < HTTP_NBUCKETS; i++)
        if (seconds <= http_buckets[i]) {
            st->bucket[i]++;
            break;
        }
}

struct out {
    char *p;
    size_t n, cap;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(o->p + o->n, o->cap - o->n, fmt, ap);
        va_end(ap);
        if (k < 0)
            return;
        if (o->n + (size_t)k < o->cap) {
            o->n += (size_t)k;
            return;
        }
        o->cap = o->cap * 2 + (size_t)k;
        o->p = lc_realloc(o->p, o->cap);
    }
}

static const char *route_name(const struct http_server *s, int i)
{
    return i < s->c.nroutes ? s->c.routes[i].path : "other";
}

char *http_metrics_render(struct http_server *s, const char *extra,
                          size_t *n)
{
    struct out o = {.cap = 16384};
    o.p = lc_malloc(o.cap);
    o.p[0] = 0;
    put(&o, "# HELP livecheck_requests_total Requests answered, by endpoint "
            "and responseKey.\n# TYPE livecheck_requests_total counter\n");
    for (int r = 0; r <= s->c.nroutes; r++)
        for (int k = 0; k <= s->c.nkeys; k++)
            if (s->stats[r].by_key[k])
                put(&o,
                    "livecheck_requests_total{endpoint=\"%s\",key=\"%s\"} "
                    "%llu\n",
                    route_name(s, r), k < s->c.nkeys ? s->c.keys[k] : "none",
                    (unsigned long long)s->stats[r].by_key[k]);
    put(&o, "# HELP livecheck_request_duration_seconds Time from the "
            "request's headers to its completion.\n"
            "# TYPE livecheck_request_duration_seconds histogram\n");
    for (int r = 0; r <= s->c.nroutes; r++) {
        const struct http_route_stats *st = &s->stats[r];
        uint64_t cum = 0;
        if (st->count == 0)
            continue;
        for (int b = 0; b < HTTP_NBUCKETS; b++) {
            cum += st->bucket[b];
            put(&o,
                "livecheck_request_duration_seconds_bucket{endpoint=\"%s\","
                "le=\"%g\"} %llu\n",
                route_name(s, r), http_buckets[b], (unsigned long long)cum);
        }
        put(&o,
            "livecheck_request_duration_seconds_bucket{endpoint=\"%s\","
            "le=\"+Inf\"} %llu\n"
            "livecheck_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n"
            "livecheck_request_duration_seconds_count{endpoint=\"%s\"} "
            "%llu\n",
            route_name(s, r), (unsigned long long)st->count, route_name(s, r),
            st->sum_s, route_name(s, r), (unsigned long long)st->count);
    }
    put(&o,
        "# HELP livecheck_requests_in_flight Requests begun and not yet "
        "finished.\n# TYPE livecheck_requests_in_flight gauge\n"
        "livecheck_requests_in_flight %d\n",
        atomic_load(&s->in_flight));
    if (extra)
        put(&o, "%s", extra);
    *n = o.n;
    return o.p;
}
