/* fuzz/fuzz_json.c - libFuzzer target for the streaming JSON request
 * reader (src/http/json.c).
 *
 * The input is a request body. It is read twice, whole and in pieces of
 * pseudo-random sizes, and both runs must agree on every event and on the
 * result. When the whole body is accepted, every member must have been
 * closed, and keys must be NUL-terminated within HTTP_JSON_KEY_MAX.
 */
#include "livecheck/http.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct trace {
    uint64_t h;
    int members, open;
};

static void mix(struct trace *t, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        t->h = (t->h ^ b[i]) * 0x100000001b3ULL;
}

static int on_begin(void *arg, const char *key, enum http_json_kind k)
{
    struct trace *t = arg;
    if (t->open || strlen(key) >= HTTP_JSON_KEY_MAX)
        abort();
    t->open = 1;
    t->members++;
    mix(t, key, strlen(key) + 1);
    mix(t, &k, sizeof k);
    return 0;
}

static int on_data(void *arg, const char *p, size_t n)
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

static const struct http_json_cb cb = {on_begin, on_data, on_end};

static int run(const char *body, size_t n, uint32_t seed, struct trace *t)
{
    struct http_json *j = malloc(sizeof *j);
    memset(t, 0, sizeof *t);
    t->h = 0xcbf29ce484222325ULL;
    http_json_init(j, &cb, t);
    int rc = 0;
    size_t i = 0;
    while (rc == 0 && i < n) {
        size_t k = n - i;
        if (seed) {
            seed = seed * 1103515245u + 12345u;
            k = 1 + (seed >> 16) % 13;
            if (k > n - i)
                k = n - i;
        }
        rc = http_json_feed(j, body + i, k);
        i += k;
    }
    if (rc == 0)
        rc = http_json_finish(j);
    free(j);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct trace whole, split;
    int a = run((const char *)data, size, 0, &whole);
    int b = run((const char *)data, size, (uint32_t)size * 2654435761u | 1,
                &split);
    if (a != b || whole.members != split.members)
        abort();
    if (a == 0 && (whole.h != split.h || whole.open))
        abort();
    return 0;
}
