/* src/api/ops.c - what operators and browsers get: /healthz, /readyz,
 * /metrics, the files of web/ (the "try it" page at /, /openapi.json), and
 * the answers for unknown paths and methods.
 *
 * web/ is read once at start into memory and served from there; a file
 * that was missing at start answers 404 error_invalid_endpoint.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"

static const char *const no_cache[] = {"Cache-Control", "no-store", NULL};

static void ops_begin(struct http_req *r)
{
    const struct api_route *rt = http_req_route_data(r);
    struct api_service *s = rt->svc;
    const char *path = rt->ep->path;
    char txn[STORE_TXN_ID_LEN + 1];
    api_txn_id(txn);

    if (strcmp(path, "/healthz") == 0) {
        static const char ok[] = "{\"status\":\"ok\"}\n";
        http_req_log_set(r, txn, NULL, KEY_OK);
        http_req_answer(r, 200, "application/json", ok, sizeof ok - 1,
                        HTTP_MEM_STATIC, no_cache);
        return;
    }
    if (strcmp(path, "/readyz") == 0) {
        bool store_ok = store_ping(s->store) == 0 && !api_store_failing(s);
        bool draining = s->srv && http_server_draining(s->srv);
        bool ready = s->models_loaded && store_ok && !draining;
        char body[256];
        int n = snprintf(body, sizeof body,
                         "{\"status\":\"%s\",\"models\":\"%s\",\"store\":"
                         "\"%s\",\"draining\":%s,\"workers\":%d}\n",
                         ready ? "ready" : "not_ready",
                         s->models_loaded ? "loaded" : "missing",
                         store_ok ? "ok" : "unreachable",
                         draining ? "true" : "false",
                         lc_pool_workers(s->pool));
        http_req_log_set(r, txn, NULL, ready ? KEY_OK : KEY_NOT_READY);
        http_req_answer(r, ready ? 200 : 503, "application/json", body,
                        (size_t)n, HTTP_MEM_COPY, no_cache);
        return;
    }
    /* /metrics: the server's counters plus the service's own. */
    char extra[4096];
    size_t e = 0;
    uint64_t cum = 0;
    pthread_mutex_lock(&s->hist_mu);
    e += (size_t)snprintf(
        extra + e, sizeof extra - e,
        "# HELP livecheck_inference_duration_seconds Engine time per "
        "passive check (decode, faces, liveness).\n"
        "# TYPE livecheck_inference_duration_seconds histogram\n");
    for (int b = 0; b < API_NBUCKETS; b++) {
        cum += s->infer_bucket[b];
        e += (size_t)snprintf(extra + e, sizeof extra - e,
                              "livecheck_inference_duration_seconds_bucket"
                              "{le=\"%g\"} %llu\n",
                              api_buckets[b], (unsigned long long)cum);
    }
    e += (size_t)snprintf(
        extra + e, sizeof extra - e,
        "livecheck_inference_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
        "livecheck_inference_duration_seconds_sum %.6f\n"
        "livecheck_inference_duration_seconds_count %llu\n",
        (unsigned long long)s->infer_count, s->infer_sum_s,
        (unsigned long long)s->infer_count);
    pthread_mutex_unlock(&s->hist_mu);
    e += (size_t)snprintf(
        extra + e, sizeof extra - e,
        "# HELP livecheck_queue_depth Requests waiting for a worker.\n"
        "# TYPE livecheck_queue_depth gauge\nlivecheck_queue_depth %d\n"
        "# HELP livecheck_queue_capacity Requests that may wait.\n"
        "# TYPE livecheck_queue_capacity gauge\n"
        "livecheck_queue_capacity %d\n"
        "# HELP livecheck_workers_busy Workers running a check.\n"
        "# TYPE livecheck_workers_busy gauge\nlivecheck_workers_busy %d\n"
        "# HELP livecheck_workers Inference workers.\n"
        "# TYPE livecheck_workers gauge\nlivecheck_workers %d\n"
        "# HELP livecheck_body_memory_bytes Request body memory reserved.\n"
        "# TYPE livecheck_body_memory_bytes gauge\n"
        "livecheck_body_memory_bytes %zu\n"
        "# HELP livecheck_store_errors_total Store operations that failed.\n"
        "# TYPE livecheck_store_errors_total counter\n"
        "livecheck_store_errors_total %lld\n",
        lc_pool_depth(s->pool), lc_pool_capacity(s->pool),
        lc_pool_busy(s->pool), lc_pool_workers(s->pool),
        atomic_load(&s->mem_used), (long long)atomic_load(&s->store_errors));
    if (e < sizeof extra)
        e += api_outbox_metrics(s, extra + e, sizeof extra - e);
    size_t n;
    char *text = http_metrics_render(s->srv, extra, &n);
    http_req_log_set(r, txn, NULL, KEY_OK);
    http_req_answer(r, 200, "text/plain; version=0.0.4; charset=utf-8", text,
                    n, HTTP_MEM_FREE, no_cache);
}

static void file_begin(struct http_req *r)
{
    const struct api_route *rt = http_req_route_data(r);
    struct api_service *s = rt->svc;
    for (int i = 0; i < s->nweb; i++)
        if (strcmp(s->web[i].name, rt->ep->file) == 0) {
            http_req_log_set(r, NULL, NULL, KEY_OK);
            http_req_answer(r, 200, s->web[i].ctype, s->web[i].data,
                            s->web[i].n, HTTP_MEM_STATIC, no_cache);
            return;
        }
    api_not_found(r);
}

static void no_body(struct http_req *r, const char *p, size_t n) {}
static void no_end(struct http_req *r) {}

const struct http_handler api_ops_handler = {ops_begin, no_body, no_end,
                                             NULL};
const struct http_handler api_file_handler = {file_begin, no_body, no_end,
                                              NULL};

void api_not_found(struct http_req *r)
{
    char txn[STORE_TXN_ID_LEN + 1], buf[API_RESP_MAX], hint[160];
    char path[96];
    api_txn_id(txn);
    http_json_escape(path, sizeof path, http_req_path(r));
    snprintf(hint, sizeof hint, "no endpoint at %s", path);
    api_answer_now(r, txn, NULL, API_INVALID_ENDPOINT, hint, buf, sizeof buf);
}

void api_bad_method(struct http_req *r)
{
    char txn[STORE_TXN_ID_LEN + 1], buf[API_RESP_MAX];
    api_txn_id(txn);
    api_answer_now(r, txn, NULL, API_METHOD_NOT_ALLOWED, NULL, buf,
                   sizeof buf);
}

static const char *ctype_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (dot && strcmp(dot, ".json") == 0)
        return "application/json";
    if (dot && strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (dot && strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    return "application/octet-stream";
}

int api_web_load(struct api_service *s, struct lc_diag *d)
{
    for (int i = 0; i < api_nendpoints; i++) {
        const char *name = api_endpoints[i].file;
        if (name == NULL || s->nweb == API_WEB_MAX)
            continue;
        char path[4096];
        uint8_t *buf;
        size_t n;
        snprintf(path, sizeof path, "%s/%s", s->c.web_dir, name);
        if (media_file_read(path, (size_t)4 << 20, &buf, &n, d) < 0)
            return LC_EIO;
        struct web_file *f = &s->web[s->nweb++];
        f->name = name;
        f->ctype = ctype_of(name);
        f->data = (char *)buf;
        f->n = n;
    }
    return 0;
}
