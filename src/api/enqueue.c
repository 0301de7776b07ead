/* src/api/enqueue.c - the two ways every engine route leaves the
 * connection thread: with a refusal already stored (api_refused_answer),
 * or with a job handed to a worker (api_job_enqueue: refuse a reference_id
 * the client has used before, take a place in the worker queue, suspend
 * the connection, submit). */
#include "api_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int api_job_enqueue(struct api_service *s, struct http_req *r,
                    struct api_req *q)
{
    int taken = store_reference_taken(s->store, q->client, q->ref);
    if (taken != 0) {
        if (taken < 0)
            api_store_failed(s);
        return taken > 0 ? API_DUPLICATE_REFERENCE_ID
                         : API_STORE_UNAVAILABLE;
    }
    /* Room first, then suspend, then let a worker see the job: a worker
     * may finish before lc_pool_submit returns. */
    if (lc_pool_reserve(s->pool) != 0) {
        snprintf(q->hint, sizeof q->hint,
                 "%d requests are already waiting for a worker",
                 lc_pool_capacity(s->pool));
        return API_SERVER_BUSY;
    }
    q->t_queued = now_ms();
    http_req_defer(r);
    lc_pool_submit(s->pool, q);
    return API_SUCCESS;
}

void api_txn_row(const struct api_req *q, int a, bool claim,
                 struct store_txn *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", q->txn);
    snprintf(t->client_id, sizeof t->client_id, "%s", q->client);
    snprintf(t->endpoint, sizeof t->endpoint, "%s", q->ep->path);
    snprintf(t->reference_id, sizeof t->reference_id, "%s", q->ref);
    t->claim = claim;
    t->created_ms = q->created_ms;
    t->http_status = api_answer_status(a);
    snprintf(t->response_key, sizeof t->response_key, "%s",
             api_answer_key(a));
    snprintf(t->response_code, sizeof t->response_code, "%s",
             api_answer_code(a));
    t->live = t->score = t->review = -1;
    for (int i = 0; i < 4; i++)
        t->face[i] = -1;
    t->face_score = -1.0f;
    t->width = t->height = -1;
    t->bytes = (int64_t)q->img_n;
    t->ms_total = http_req_age_ms(q->http);
    t->ms_queue = q->ms_queue > 0 ? q->ms_queue : -1;
    t->ms_decode = t->ms_faces = t->ms_liveness = -1;
}

int api_txn_commit(struct api_req *q, struct store *st, int a, bool claim,
                   api_row_fn fill)
{
    struct store_txn t;
    fill(q, a, claim, &t);
    int rc = store_txn_put(st, &t);
    if (rc == LC_EEXIST && claim) {
        a = API_DUPLICATE_REFERENCE_ID;
        q->hint[0] = 0;
        fill(q, a, false, &t);
        rc = store_txn_put(st, &t);
    }
    if (rc < 0) {
        api_store_failed(q->svc);
        a = API_STORE_UNAVAILABLE;
        snprintf(q->hint, sizeof q->hint,
                 "the transaction could not be stored");
    }
    return a;
}

void api_job_complete(struct api_req *q, int a)
{
    static const char *const retry_after[] = {"Retry-After", "1", NULL};
    int status = api_answer_status(a);
    http_req_complete(q->http, status, "application/json", q->resp,
                      q->resp_n, HTTP_MEM_STATIC,
                      status == 503 || status == 429 ? retry_after : NULL);
}

void api_refused_answer(struct api_req *q, int given)
{
    static const char *const retry_after[] = {"Retry-After", "1", NULL};
    int status = api_answer_status(given);
    http_req_answer(q->http, status, "application/json", q->resp, q->resp_n,
                    HTTP_MEM_STATIC,
                    status == 503 || status == 429 ? retry_after : NULL);
}
