/* tests/unit/t_pool.c - the worker pool: a full queue refuses with
 * LC_EBUSY instead of growing, and freeing the pool runs what was queued. */
#include <unistd.h>

#include "livecheck/pool.h"
#include "test.h"

struct counter {
    int n;
};

static int p_init(void *arg, int worker, void **state, struct lc_diag *d)
{
    *state = arg;
    return 0;
}

static void p_work(void *state, void *job)
{
    usleep(2000);
    __atomic_fetch_add(&((struct counter *)state)->n, (int)(size_t)job,
                       __ATOMIC_RELAXED);
}

TEST(pool_bounded_queue)
{
    struct counter c = {0};
    struct lc_pool *p;
    struct lc_diag d = {{0}};
    struct lc_pool_config cfg = {.workers = 2, .capacity = 4, .init = p_init,
                                 .work = p_work, .arg = &c};
    ASSERT_INT(lc_pool_new(&p, &cfg, &d), ==, 0);
    int queued = 0, busy = 0;
    for (int i = 0; i < 50; i++) {
        int rc = lc_pool_push(p, (void *)(size_t)1);
        if (rc == 0)
            queued++;
        else if (rc == LC_EBUSY)
            busy++;
    }
    ASSERT(busy > 0);
    ASSERT_INT(queued + busy, ==, 50);
    ASSERT(lc_pool_depth(p) <= 4);
    lc_pool_free(p); /* runs what is queued */
    ASSERT(c.n >= queued);
}
