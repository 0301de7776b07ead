/* src/core/mem.c - aborting allocators (see mem.h for the policy). */
#include "livecheck/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "livecheck: out of memory allocating %zu bytes\n", n);
    abort();
}

void *lc_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom(n);
    return p;
}

void *lc_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        oom(count * size);
    return p;
}

void *lc_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n);
    return q;
}

void *lc_aligned_alloc(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, n ? (n + 63) & ~(size_t)63 : 64) != 0)
        oom(n);
    return p;
}

char *lc_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = lc_malloc(n);
    memcpy(p, s, n);
    return p;
}
