/* src/api/capture_meta.c - the capture page's upload metadata (the
 * `meta` part of POST /v2/capture/<token>): user bytes, so checked
 * strictly, rewritten compactly, and fuzzed (fuzz/fuzz_meta.c). The
 * contract is in api.h. */
#include "livecheck/api.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool prompt_ok(json_t *p)
{
    json_t *k = json_object_get(p, "kind");
    json_t *a = json_object_get(p, "start");
    json_t *b = json_object_get(p, "end");
    if (!json_is_string(k) || active_prompt_parse(json_string_value(k)) < 0 ||
        !json_is_number(a) || !json_is_number(b))
        return false;
    double x = json_number_value(a), y = json_number_value(b);
    return isfinite(x) && isfinite(y) && x >= 0 && y >= x && y <= 600;
}

bool api_capture_meta_check(const char *in, size_t n, char *out, size_t outn)
{
    if (n == 0)
        return false;
    json_t *root = json_loadb(in, n, JSON_REJECT_DUPLICATES, NULL);
    bool ok = json_is_object(root);
    json_t *prompts = ok ? json_object_get(root, "prompts") : NULL;
    if (prompts != NULL && !json_is_array(prompts))
        ok = false;
    size_t i;
    json_t *p;
    if (ok && prompts != NULL) {
        json_array_foreach(prompts, i, p)
        {
            if (!prompt_ok(p))
                ok = false;
        }
    }
    json_t *loc = ok ? json_object_get(root, "location") : NULL;
    if (loc != NULL && !json_is_null(loc)) {
        json_t *la = json_object_get(loc, "latitude");
        json_t *lo = json_object_get(loc, "longitude");
        if (!json_is_number(la) || !json_is_number(lo) ||
            !(fabs(json_number_value(la)) <= 90) ||
            !(fabs(json_number_value(lo)) <= 180))
            ok = false;
    }
    json_t *t0 = ok ? json_object_get(root, "recordingStartedAt") : NULL;
    if (t0 != NULL && !json_is_number(t0))
        ok = false;
    if (ok) {
        char *s = json_dumps(root, JSON_COMPACT);
        size_t len = s ? strlen(s) : 0;
        ok = s != NULL && len < outn;
        if (ok)
            memcpy(out, s, len + 1);
        free(s);
    }
    json_decref(root);
    return ok;
}
