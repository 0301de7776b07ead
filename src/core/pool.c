/* src/core/pool.c - worker threads and a bounded ring of jobs, guarded by
 * one mutex and one condition variable (see pool.h). */
#include "livecheck/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "livecheck/mem.h"

struct worker {
    struct lc_pool *pool;
    pthread_t thread;
    int index, rc;
    void *state;
    struct lc_diag diag;
};

struct lc_pool {
    struct lc_pool_config c;
    pthread_mutex_t mu;
    pthread_cond_t work; /* a job arrived, or stop */
    pthread_cond_t ready; /* an init finished */
    void **ring;
    int head, count, reserved, busy, started;
    bool stop;
    struct worker *w;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct lc_pool *p = w->pool;
    w->rc = p->c.init ? p->c.init(p->c.arg, w->index, &w->state, &w->diag)
                      : 0;
    pthread_mutex_lock(&p->mu);
    p->started++;
    pthread_cond_broadcast(&p->ready);
    if (w->rc < 0) {
        pthread_mutex_unlock(&p->mu);
        return NULL;
    }
    for (;;) {
        while (p->count == 0 && !p->stop)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->count == 0)
            break; /* stopping, and nothing left to run */
        void *job = p->ring[p->head];
        p->head = (p->head + 1) % p->c.capacity;
        p->count--;
        p->busy++;
        pthread_mutex_unlock(&p->mu);
        p->c.work(w->state, job);
        pthread_mutex_lock(&p->mu);
        p->busy--;
    }
    pthread_mutex_unlock(&p->mu);
    if (p->c.fini)
        p->c.fini(w->state);
    return NULL;
}

int lc_pool_new(struct lc_pool **out, const struct lc_pool_config *c,
                struct lc_diag *d)
{
    *out = NULL;
    if (c->workers < 1 || c->capacity < 1 || c->work == NULL)
        return lc_diag_set(d, LC_EINVAL, "pool: bad configuration");
    struct lc_pool *p = lc_calloc(1, sizeof *p);
    p->c = *c;
    p->ring = lc_calloc((size_t)c->capacity, sizeof *p->ring);
    p->w = lc_calloc((size_t)c->workers, sizeof *p->w);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->ready, NULL);
    int made = 0, rc = 0;
    for (; made < c->workers; made++) {
        p->w[made].pool = p;
        p->w[made].index = made;
        if (pthread_create(&p->w[made].thread, NULL, worker_main,
                           &p->w[made]) != 0) {
            rc = lc_diag_set(d, LC_EIO, "pool: cannot start a thread");
            break;
        }
    }
    pthread_mutex_lock(&p->mu);
    while (p->started < made)
        pthread_cond_wait(&p->ready, &p->mu);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < made && rc == 0; i++)
        if (p->w[i].rc < 0) {
            rc = p->w[i].rc;
            lc_diag_set(d, rc, "worker %d: %s", i, p->w[i].diag.msg);
        }
    if (rc < 0) {
        p->c.workers = made;
        lc_pool_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int lc_pool_reserve(struct lc_pool *p)
{
    int rc = 0;
    pthread_mutex_lock(&p->mu);
    if (p->stop)
        rc = LC_EINVAL;
    else if (p->count + p->reserved == p->c.capacity)
        rc = LC_EBUSY;
    else
        p->reserved++;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void lc_pool_submit(struct lc_pool *p, void *job)
{
    pthread_mutex_lock(&p->mu);
    p->reserved--;
    p->ring[(p->head + p->count) % p->c.capacity] = job;
    p->count++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

int lc_pool_push(struct lc_pool *p, void *job)
{
    int rc = lc_pool_reserve(p);
    if (rc == 0)
        lc_pool_submit(p, job);
    return rc;
}

int lc_pool_depth(struct lc_pool *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->count;
    pthread_mutex_unlock(&p->mu);
    return n;
}

int lc_pool_busy(struct lc_pool *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->busy;
    pthread_mutex_unlock(&p->mu);
    return n;
}

int lc_pool_capacity(const struct lc_pool *p) { return p->c.capacity; }
int lc_pool_workers(const struct lc_pool *p) { return p->c.workers; }

void lc_pool_free(struct lc_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->c.workers; i++)
        pthread_join(p->w[i].thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->ready);
    free(p->ring);
    free(p->w);
    free(p);
}
