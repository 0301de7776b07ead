/* include/livecheck/pool.h - a fixed set of worker threads fed from a
 * bounded queue.
 *
 * livecheckd runs inference here, off the HTTP thread (libuv's
 * uv_queue_work idea). Each worker owns a state made by `init` on its own
 * thread (a vision_ctx and a store connection), so jobs never share a
 * model runtime. The queue has a fixed capacity and never grows: a push to
 * a full queue fails with LC_EBUSY, which the server turns into a 503.
 *
 *     struct lc_pool *p;
 *     struct lc_pool_config c = {.workers = 2, .capacity = 64,
 *                                .init = w_init, .work = w_run,
 *                                .fini = w_fini, .arg = svc};
 *     if (lc_pool_new(&p, &c, &diag) < 0) die(diag.msg);
 *     if (lc_pool_push(p, job) == LC_EBUSY) answer_503();
 *     lc_pool_free(p);   // runs what is queued, then joins
 */
#ifndef LC_POOL_H
#define LC_POOL_H

#include "livecheck/err.h"

struct lc_pool_config {
    int workers;  /* threads, >= 1 */
    int capacity; /* jobs waiting (not counting those running), >= 1 */
    /* On the worker's thread before any job: make its state in *state.
     * A negative return fails lc_pool_new (with d filled). */
    int (*init)(void *arg, int worker, void **state, struct lc_diag *d);
    /* Run one job; cannot fail (the job carries its own result). */
    void (*work)(void *state, void *job);
    /* On the worker's thread when the pool is freed. Optional. */
    void (*fini)(void *state);
    void *arg;
};

struct lc_pool;

/* Start the workers and wait until every init has returned. */
int lc_pool_new(struct lc_pool **out, const struct lc_pool_config *c,
                struct lc_diag *d);
/* Queue a job. LC_EBUSY when the queue is full, LC_EINVAL once the pool
 * is stopping. Thread-safe. */
int lc_pool_push(struct lc_pool *p, void *job);
/* The same in two steps, for a caller that must prepare between knowing
 * there is room and letting a worker see the job (livecheckd suspends the
 * connection in between): reserve a slot (LC_EBUSY, LC_EINVAL as above),
 * then submit, which cannot fail. Every reservation must be submitted. */
int lc_pool_reserve(struct lc_pool *p);
void lc_pool_submit(struct lc_pool *p, void *job);
/* Jobs waiting, and jobs running, now. */
int lc_pool_depth(struct lc_pool *p);
int lc_pool_busy(struct lc_pool *p);
int lc_pool_capacity(const struct lc_pool *p);
int lc_pool_workers(const struct lc_pool *p);
/* Let the queued jobs run, stop the workers, join them. NULL is a no-op. */
void lc_pool_free(struct lc_pool *p);

#endif
