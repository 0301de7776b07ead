/* src/api/service.c - the service behind livecheckd's routes: models,
 * workers, store connections, web files, the body memory budget and the
 * inference histogram (see api.h). */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "livecheck/mem.h"

const double api_buckets[API_NBUCKETS] = {
    0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1,
};

void api_config_default(struct api_config *c)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    *c = (struct api_config){
        .models_dir = "models",
        .web_dir = "web",
        .store_url = "var",
        .workers = cpus > 0 ? (int)cpus : 1,
        .queue = 64,
        .purpose_min = 20,
        .purpose_max = 200,
        .reference_max = 128,
        .body_memory = (size_t)128 << 20,
        .log_fd = 2,
    };
    liveness_config_default(&c->engine);
    /* video.pipeline stays on: a decoder thread per check made no
     * difference to throughput with every worker busy and cut a lone
     * check's time by about a third (docs/api.md, Capacity). */
    liveness_video_config_default(&c->video);
    fetch_config_default(&c->fetch);
    liveness_active_config_default(&c->active);
    c->public_url = "";
    c->key_file = "";
    c->node_id = "";
    c->session_ttl_s = 600;
    c->capture_attempts = 3;
    c->media_url_ttl_s = 86400;
    c->job_lease_s = 60;
    c->callback_retries = 8;
    c->callback_backoff_ms = 1000;
}

/* The signing key (sign.h): key_file, or server.key beside a SQLite
 * store's database (made on first start). */
static int keys_load(struct api_service *s, struct lc_diag *d)
{
    char path[4096];
    const char *url = s->c.store_url;
    if (s->c.key_file && s->c.key_file[0]) {
        snprintf(path, sizeof path, "%s", s->c.key_file);
    } else {
        const char *colon = strchr(url, ':'), *slash = strchr(url, '/');
        bool scheme = colon != NULL && (slash == NULL || colon < slash);
        if (scheme && strncmp(url, "sqlite:", 7) != 0) {
            char clear[512];
            store_url_redact(url, clear, sizeof clear);
            return lc_diag_set(d, LC_EINVAL,
                               "key_file must be set with store %s (every "
                               "node shares one key file)", clear);
        }
        snprintf(path, sizeof path, "%s/server.key", scheme ? url + 7 : url);
    }
    int rc = sign_key_load(path, true, s->master_key, d);
    if (rc < 0)
        return rc;
    sign_key_derive(s->master_key, "media", s->media_key);
    return 0;
}

bool api_mem_reserve(struct api_service *s, size_t n)
{
    size_t used = atomic_load(&s->mem_used);
    do {
        if (n > s->c.body_memory || used > s->c.body_memory - n)
            return false;
    } while (!atomic_compare_exchange_weak(&s->mem_used, &used, used + n));
    return true;
}

void api_mem_release(struct api_service *s, size_t n)
{
    atomic_fetch_sub(&s->mem_used, n);
}

void api_store_failed(struct api_service *s)
{
    atomic_fetch_add(&s->store_errors, 1);
    atomic_store(&s->store_fail_ms, (long long)store_now_ms());
}

bool api_store_failing(struct api_service *s)
{
    long long t = atomic_load(&s->store_fail_ms);
    return t != 0 && store_now_ms() - t < API_STORE_FAIL_WINDOW_MS;
}

void api_infer_record(struct api_service *s, double seconds)
{
    pthread_mutex_lock(&s->hist_mu);
    s->infer_count++;
    s->infer_sum_s += seconds;
    for (int i = 0; i < API_NBUCKETS; i++)
        if (seconds <= api_buckets[i]) {
            s->infer_bucket[i]++;
            break;
        }
    pthread_mutex_unlock(&s->hist_mu);
}

/* Each worker: its own model runtime and store connection. */
static int worker_init(void *arg, int index, void **state,
                       struct lc_diag *d)
{
    struct api_service *s = arg;
    struct api_worker *w = lc_calloc(1, sizeof *w);
    w->svc = s;
    int rc = store_open(&w->store, s->c.store_url, &s->c.store, d);
    if (rc < 0) {
        free(w);
        return rc;
    }
    w->ctx = vision_ctx_new(&s->vm, NN_EXEC_FAST);
    *state = w;
    return 0;
}

static void worker_fini(void *state)
{
    struct api_worker *w = state;
    vision_ctx_free(w->ctx);
    store_close(w->store);
    free(w);
}

static const struct http_handler *handler_of(enum api_kind k)
{
    switch (k) {
    case API_KIND_PASSIVE:
        return &api_passive_handler;
    case API_KIND_VIDEO:
        return &api_video_handler;
    case API_KIND_FACE_MATCH:
    case API_KIND_IMAGE_QUALITY:
        return &api_forensics_handler;
    case API_KIND_OPS:
        return &api_ops_handler;
    case API_KIND_INITIATE:
        return &api_initiate_handler;
    case API_KIND_RESULTS:
        return &api_results_handler;
    case API_KIND_CAPTURE:
        return &api_capture_handler;
    case API_KIND_MEDIA:
        return &api_media_handler;
    default:
        return &api_file_handler;
    }
}

/* The pool's one job function: each route's job by the route's kind. */
static void work(void *state, void *job)
{
    const struct api_req *q = job;
    if (q->ep->kind == API_KIND_VIDEO)
        api_video_work(state, job);
    else if (q->ep->kind == API_KIND_INITIATE)
        api_initiate_work(state, job);
    else if (q->ep->kind == API_KIND_ACTIVE_JOB)
        api_jobs_work(state, job);
    else if (q->ep->kind == API_KIND_FACE_MATCH ||
             q->ep->kind == API_KIND_IMAGE_QUALITY)
        api_forensics_work(state, job);
    else
        api_passive_work(state, job);
}

int api_service_open(struct api_service **out, const struct api_config *c,
                     struct lc_diag *d)
{
    *out = NULL;
    struct api_service *s = lc_calloc(1, sizeof *s);
    s->c = *c;
    atomic_init(&s->mem_used, 0);
    atomic_init(&s->jobs_done, 0);
    atomic_init(&s->store_errors, 0);
    atomic_init(&s->store_fail_ms, 0);
    pthread_mutex_init(&s->hist_mu, NULL);

    int rc = vision_models_load(&s->vm, c->models_dir, d);
    if (rc < 0) {
        lc_diag_prefix(d, "models: ");
        api_service_close(s);
        return rc;
    }
    s->models_loaded = true;
    if (fetch_global_init() < 0) {
        lc_diag_set(d, LC_ENOMEM, "libcurl failed to initialise");
        api_service_close(s);
        return LC_ENOMEM;
    }
    rc = store_open(&s->store, c->store_url, &c->store, d);
    if (rc < 0) {
        api_service_close(s);
        return rc;
    }
    rc = keys_load(s, d);
    if (rc < 0) {
        lc_diag_prefix(d, "keys: ");
        api_service_close(s);
        return rc;
    }
    if (c->node_id && c->node_id[0])
        snprintf(s->node_id, sizeof s->node_id, "%s", c->node_id);
    else if (gethostname(s->node_id, sizeof s->node_id - 1) != 0)
        snprintf(s->node_id, sizeof s->node_id, "livecheckd");
    snprintf(s->public_url, sizeof s->public_url, "%s",
             c->public_url ? c->public_url : "");
    size_t pl = strlen(s->public_url);
    while (pl > 0 && s->public_url[pl - 1] == '/')
        s->public_url[--pl] = 0;
    rc = api_web_load(s, d);
    if (rc < 0) {
        lc_diag_prefix(d, "web: ");
        api_service_close(s);
        return rc;
    }
    struct lc_pool_config pc = {
        .workers = c->workers,
        .capacity = c->queue,
        .init = worker_init,
        .work = work,
        .fini = worker_fini,
        .arg = s,
    };
    /* The outbox first: workers kick it as soon as jobs run. */
    rc = api_outbox_start(s, d);
    if (rc == 0)
        rc = lc_pool_new(&s->pool, &pc, d);
    if (rc == 0)
        rc = api_jobs_start(s, d);
    if (rc < 0) {
        api_service_close(s);
        return rc;
    }
    for (int i = 0; i < api_nendpoints && i < API_ROUTES_MAX; i++) {
        const struct api_endpoint *ep = &api_endpoints[i];
        s->routes[i] = (struct api_route){.ep = ep, .svc = s};
        s->hroutes[i] = (struct http_route){.methods = ep->methods,
                                            .path = ep->path,
                                            .h = handler_of(ep->kind),
                                            .data = &s->routes[i]};
    }
    s->nroutes = api_nendpoints;
    for (int i = 0; i < API_ANSWER_COUNT; i++)
        s->keys[i] = api_answer_key(i);
    s->keys[KEY_OK] = "ok";
    s->keys[KEY_NOT_READY] = "not_ready";
    s->keys[KEY_NOT_FOUND] = "not_found";
    s->nkeys = KEY_NOT_FOUND + 1;
    *out = s;
    return 0;
}

void api_service_http(struct api_service *s, struct http_config *hc)
{
    hc->routes = s->hroutes;
    hc->nroutes = s->nroutes;
    hc->fallback.not_found = api_not_found;
    hc->fallback.bad_method = api_bad_method;
    hc->keys = s->keys;
    hc->nkeys = s->nkeys;
    hc->log_fd = s->c.log_fd;
}

void api_service_attach(struct api_service *s, struct http_server *srv)
{
    s->srv = srv;
    if (s->public_url[0] == 0) /* the address bound, as a last resort */
        snprintf(s->public_url, sizeof s->public_url, "http://%s",
                 http_server_address(srv));
}

bool api_service_idle(struct api_service *s)
{
    return lc_pool_depth(s->pool) == 0 && lc_pool_busy(s->pool) == 0;
}

void api_service_close(struct api_service *s)
{
    if (s == NULL)
        return;
    api_jobs_stop(s);      /* no new analyses ... */
    lc_pool_free(s->pool); /* ... the queued ones finish ... */
    api_jobs_free(s);
    api_outbox_stop(s);    /* ... and their callbacks are queued */
    store_close(s->store);
    if (s->models_loaded)
        vision_models_release(&s->vm);
    for (int i = 0; i < s->nweb; i++)
        free(s->web[i].data);
    while (s->free_reqs) {
        struct api_req *q = s->free_reqs;
        s->free_reqs = q->next;
        free(q->img);
        free(q);
    }
    pthread_mutex_destroy(&s->hist_mu);
    free(s);
}

/* The answers an endpoint can give, in table order, into out; returns
 * how many. Unknown paths and methods are the server's, not a route's. */
static int route_keys(const struct api_endpoint *ep,
                      int out[API_ANSWER_COUNT])
{
    int n = 0;
    if (ep->module == NULL) { /* no credentials: only its own answers */
        for (const enum api_answer *a = ep->answers; a && *a; a++)
            out[n++] = *a;
        if (ep->outcomes != NULL) /* it reads the store */
            out[n++] = API_STORE_UNAVAILABLE;
        if (ep->bodies != 0) { /* and what any body can be refused with */
            out[n++] = API_MALFORMED_REQUEST;
            out[n++] = API_UNSUPPORTED_CONTENT_TYPE;
            out[n++] = API_SERVER_BUSY;
        }
        for (const enum lc_outcome *o = ep->outcomes; o && *o; o++)
            out[n++] = api_answer_of_outcome(*o);
        return n;
    }
    bool some[API_OUTCOME_BASE] = {false}, mine[API_OUTCOME_BASE] = {false};
    for (int i = 0; i < api_nendpoints; i++)
        for (const enum api_answer *a = api_endpoints[i].answers; a && *a;
             a++)
            some[*a] = true;
    for (const enum api_answer *a = ep->answers; a && *a; a++) {
        mine[*a] = true;
        /* A route with its own success key does not answer the default
         * one (success_liveness_check). */
        if (api_answer_status(*a) == 200)
            some[API_SUCCESS] = true;
    }
    for (int a = 0; a < API_OUTCOME_BASE; a++)
        if (a != API_INVALID_ENDPOINT && a != API_METHOD_NOT_ALLOWED &&
            (!some[a] || mine[a]))
            out[n++] = a;
    for (const enum lc_outcome *o = ep->outcomes; o && *o; o++)
        out[n++] = api_answer_of_outcome(*o);
    return n;
}

void api_dump(FILE *f)
{
    bool any[API_ANSWER_COUNT] = {false};
    int keys[API_ANSWER_COUNT];
    any[API_INVALID_ENDPOINT] = any[API_METHOD_NOT_ALLOWED] = true;
    fputs("{\"routes\":[", f);
    for (int i = 0, first = 1; i < api_nendpoints; i++) {
        const struct api_endpoint *ep = &api_endpoints[i];
        int n = route_keys(ep, keys);
        /* A prefix route is documented with its parameter's name. */
        char path[160];
        size_t len = strlen(ep->path);
        if (len > 0 && ep->path[len - 1] == '*')
            snprintf(path, sizeof path, "%.*s{%s}", (int)len - 1, ep->path,
                     ep->param ? ep->param : "path");
        else
            snprintf(path, sizeof path, "%s", ep->path);
        for (int m = HTTP_GET; m <= HTTP_POST; m <<= 1) {
            if (!(ep->methods & m))
                continue;
            fprintf(f, "%s{\"method\":\"%s\",\"path\":\"%s\",\"keys\":[",
                    first ? "" : ",", m == HTTP_POST ? "POST" : "GET", path);
            first = 0;
            for (int k = 0; k < n; k++) {
                fprintf(f, "%s\"%s\"", k ? "," : "",
                        api_answer_key(keys[k]));
                any[keys[k]] = true;
            }
            fputs("]}", f);
        }
    }
    fputs("],\"keys\":[", f);
    for (int a = 0, first = 1; a < API_ANSWER_COUNT; a++)
        if (any[a]) {
            char msg[400];
            http_json_escape(msg, sizeof msg, api_answer_message(a));
            fprintf(f,
                    "%s{\"key\":\"%s\",\"status\":%d,\"code\":\"%s\","
                    "\"message\":\"%s\"}",
                    first ? "" : ",", api_answer_key(a), api_answer_status(a),
                    api_answer_code(a), msg);
            first = 0;
        }
    fputs("]}\n", f);
}
