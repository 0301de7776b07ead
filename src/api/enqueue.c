/* src/api/enqueue.c - the last step every engine route takes on the
 * connection thread: refuse a reference_id the client has used before,
 * take a place in the worker queue, suspend the connection and hand the
 * job to a worker. */
#include "api_int.h"

#include <stdio.h>
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
            atomic_fetch_add(&s->store_errors, 1);
        return taken > 0 ? API_DUPLICATE_REFERENCE_ID
                         : api_answer_of_outcome(LC_OUTCOME_INTERNAL);
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
