/* fuzz/fuzz_multipart.c - libFuzzer target for the multipart/form-data
 * reader (src/http/multipart.c).
 *
 * Input: a Content-Type value, '\n', then the body. The body is parsed
 * twice, whole and in pieces of pseudo-random sizes drawn from the input,
 * and both runs must produce the same events (part names, file names,
 * content types, the bytes of every part) and the same result: the
 * reader's output may not depend on how the socket split the body.
 */
#include "livecheck/http.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct trace {
    uint64_t h;
    int parts, open;
};

static void mix(struct trace *t, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        t->h = (t->h ^ b[i]) * 0x100000001b3ULL;
}

static int on_begin(void *arg, const char *name, const char *file,
                    const char *ctype)
{
    struct trace *t = arg;
    if (t->open || strlen(name) >= HTTP_MP_NAME_MAX)
        abort();
    t->open = 1;
    t->parts++;
    mix(t, "B", 1);
    mix(t, name, strlen(name) + 1);
    mix(t, file ? file : "-", file ? strlen(file) + 1 : 1);
    mix(t, ctype, strlen(ctype) + 1);
    return 0;
}

static int on_data(void *arg, const uint8_t *p, size_t n)
{
    struct trace *t = arg;
    if (!t->open || n == 0)
        abort();
    mix(t, p, n);
    return 0;
}

static int on_end(void *arg)
{
    struct trace *t = arg;
    if (!t->open)
        abort();
    t->open = 0;
    mix(t, "E", 1);
    return 0;
}

static const struct http_multipart_cb cb = {on_begin, on_data, on_end};

static int run(const char *boundary, const uint8_t *body, size_t n,
               uint32_t seed, struct trace *t)
{
    struct http_multipart *m = malloc(sizeof *m);
    memset(t, 0, sizeof *t);
    t->h = 0xcbf29ce484222325ULL;
    int rc = http_multipart_init(m, boundary, &cb, t);
    size_t i = 0;
    while (rc == 0 && i < n) {
        size_t k = n - i;
        if (seed) {
            seed = seed * 1103515245u + 12345u;
            k = 1 + (seed >> 16) % 97;
            if (k > n - i)
                k = n - i;
        }
        rc = http_multipart_feed(m, body + i, k);
        i += k;
    }
    if (rc == 0)
        rc = http_multipart_finish(m);
    free(m);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size < 512 ? size : 512);
    if (nl == NULL)
        return 0;
    char ct[512], boundary[HTTP_MP_BOUNDARY_MAX + 1];
    size_t cl = (size_t)(nl - data);
    memcpy(ct, data, cl);
    ct[cl] = 0;
    if (http_multipart_boundary(ct, boundary) != 0)
        return 0;
    if (strlen(boundary) == 0 || strlen(boundary) > HTTP_MP_BOUNDARY_MAX)
        abort();
    const uint8_t *body = nl + 1;
    size_t n = size - cl - 1;
    struct trace whole, split;
    int a = run(boundary, body, n, 0, &whole);
    int b = run(boundary, body, n, (uint32_t)size * 2654435761u | 1, &split);
    if (a != b || whole.parts != split.parts)
        abort();
    if (a == 0 && (whole.h != split.h || whole.open))
        abort();
    return 0;
}
