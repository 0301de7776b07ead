/* include/livecheck/mem.h - allocation policy.
 *
 * lc_malloc and friends abort the process on out-of-memory: the service
 * cannot do anything useful without memory and every NULL check that is
 * never exercised is a bug waiting. Sizes that come from untrusted input
 * (image dimensions, tensor dims in a model file, body sizes) are checked
 * against limits, with lc_mul_overflow, before any allocation.
 */
#ifndef LC_MEM_H
#define LC_MEM_H

#include <stdbool.h>
#include <stddef.h>

void *lc_malloc(size_t n);
void *lc_calloc(size_t count, size_t size);
void *lc_realloc(void *p, size_t n);
/* 64-byte aligned block, released with free(). */
void *lc_aligned_alloc(size_t n);
char *lc_strdup(const char *s);

/* true if a*b overflows size_t; otherwise stores it in *out. */
static inline bool lc_mul_overflow(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

#endif
