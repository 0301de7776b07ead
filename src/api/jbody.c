/* src/api/jbody.c - whole-body JSON requests for the session routes
 * (initiate and results): the body is collected within a cap and the
 * service's body memory budget, then parsed at once with jansson, and the
 * common fields are copied into the api_req so that fields.c checks them
 * as it checks every other route's. */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"

bool api_jbody_append(struct api_req *q, const char *p, size_t n, size_t max)
{
    if (q->img_too_big || q->img_busy || n == 0)
        return !q->img_too_big && !q->img_busy;
    if (n > max - q->img_n) {
        q->img_too_big = true;
        return false;
    }
    size_t need = q->img_n + n;
    if (need > q->img_cap) {
        size_t cap = q->img_cap ? q->img_cap * 2 : 16 * 1024;
        if (cap < need)
            cap = need;
        if (cap > max)
            cap = max;
        if (cap > q->reserved) {
            if (!api_mem_reserve(q->svc, cap - q->reserved)) {
                q->img_busy = true;
                return false;
            }
            q->reserved = cap;
        }
        q->img = lc_realloc(q->img, cap);
        q->img_cap = cap;
    }
    memcpy(q->img + q->img_n, p, n);
    q->img_n = need;
    return true;
}

/* One member into an api_field, as the streaming readers would fill it. */
static void field_set(struct api_field *f, json_t *v)
{
    f->seen = true;
    f->overflow = false;
    f->n = 0;
    f->v[0] = 0;
    switch (json_typeof(v)) {
    case JSON_STRING: {
        size_t n = json_string_length(v);
        f->kind = HTTP_JSON_STRING;
        if (n > sizeof f->v - 1) {
            n = sizeof f->v - 1;
            f->overflow = true;
        }
        memcpy(f->v, json_string_value(v), n);
        f->v[n] = 0;
        f->n = n;
        return;
    }
    case JSON_TRUE:
        f->kind = HTTP_JSON_TRUE;
        return;
    case JSON_FALSE:
        f->kind = HTTP_JSON_FALSE;
        return;
    case JSON_NULL:
        f->kind = HTTP_JSON_NULL;
        return;
    case JSON_INTEGER:
    case JSON_REAL:
        f->kind = HTTP_JSON_NUMBER;
        f->n = (size_t)snprintf(f->v, sizeof f->v, "%g",
                                json_number_value(v));
        return;
    case JSON_OBJECT:
        f->kind = HTTP_JSON_OBJECT;
        return;
    default:
        f->kind = HTTP_JSON_ARRAY;
        return;
    }
}

json_t *api_jbody_parse(struct api_req *q)
{
    json_error_t err;
    json_t *root = json_loadb((const char *)q->img, q->img_n,
                              JSON_REJECT_DUPLICATES, &err);
    if (root == NULL) {
        snprintf(q->hint, sizeof q->hint, "the body is not valid JSON: %s "
                 "(line %d)", err.text, err.line);
        return NULL;
    }
    if (!json_is_object(root)) {
        snprintf(q->hint, sizeof q->hint, "the body must be a JSON object");
        json_decref(root);
        return NULL;
    }
    static const struct {
        const char *name;
        int id;
    } common[] = {
        {"reference_id", F_REFERENCE_ID},
        {"consent", F_CONSENT},
        {"purpose", F_PURPOSE},
        {"consent_purpose", F_CONSENT_PURPOSE},
    };
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        json_t *v = json_object_get(root, common[i].name);
        if (v != NULL)
            field_set(&q->f[common[i].id], v);
    }
    return root;
}

const char *api_json_str(json_t *root, const char *name, bool *bad)
{
    json_t *v = json_object_get(root, name);
    *bad = false;
    if (v == NULL || json_is_null(v))
        return "";
    if (!json_is_string(v)) {
        *bad = true;
        return "";
    }
    return json_string_value(v);
}

void api_jbody_free(struct api_req *q)
{
    api_mem_release(q->svc, q->reserved);
    q->reserved = 0;
    free(q->img);
    q->img = NULL;
    q->img_n = q->img_cap = 0;
}

size_t api_envelope_answer(char *out, size_t n, const char *txn, int a,
                           const char *data)
{
    int k = snprintf(out, n,
                     "{\"decentroTxnId\":\"%s\",\"status\":\"SUCCESS\","
                     "\"responseCode\":\"%s\",\"message\":\"%s\",\"data\":%s,"
                     "\"responseKey\":\"%s\"}",
                     txn, api_answer_code(a), api_answer_message(a), data,
                     api_answer_key(a));
    return k < 0 || (size_t)k >= n ? 0 : (size_t)k;
}
