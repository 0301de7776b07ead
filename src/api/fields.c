/* src/api/fields.c - from body readers to request fields, and the checks
 * of the common fields (../shared/spec/api.md, "Common request fields").
 *
 * The multipart and JSON readers call back into the same sink, so both
 * request forms are held and validated identically. Text fields are kept
 * in fixed buffers of API_FIELD_MAX bytes (more is only flagged); the
 * image goes straight into the request's image buffer, decoded from
 * base64 on the fly for JSON, and never past the configured size cap.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "livecheck/mem.h"

static const char *const field_names[F_COUNT] = {
    [F_REFERENCE_ID] = "reference_id",
    [F_CONSENT] = "consent",
    [F_PURPOSE] = "purpose",
    [F_CONSENT_PURPOSE] = "consent_purpose",
    [F_SKIP_METADATA] = "skip_metadata_validation",
};

static int malformed(struct api_req *q, const char *why, const char *name)
{
    snprintf(q->parse_hint, sizeof q->parse_hint, why, name);
    return LC_EFORMAT;
}

/* Append decoded image bytes, within the cap and the reservation. */
static void img_append(struct api_req *q, const uint8_t *p, size_t n)
{
    size_t max = q->svc->c.engine.max_bytes;
    if (q->img_too_big || q->img_busy || n == 0)
        return;
    if (n > max - q->img_n) {
        q->img_too_big = true;
        return;
    }
    size_t need = q->img_n + n;
    if (need > q->img_cap) {
        size_t cap = q->img_cap ? q->img_cap * 2 : 64 * 1024;
        if (cap < need)
            cap = need;
        if (cap > max)
            cap = max;
        if (cap > q->reserved) {
            if (!api_mem_reserve(q->svc, cap - q->reserved)) {
                q->img_busy = true; /* answered as busy in end() */
                return;
            }
            q->reserved = cap;
        }
        q->img = lc_realloc(q->img, cap);
        q->img_cap = cap;
    }
    memcpy(q->img + q->img_n, p, n);
    q->img_n = need;
}

static void b64_feed(struct api_req *q, const char *p, size_t n)
{
    uint8_t out[HTTP_B64_OUT_MAX(4096)];
    while (n > 0 && !q->img_bad_b64) {
        size_t k = n < 4096 ? n : 4096, got;
        if (http_b64_update(&q->b64, p, k, out, &got) != 0)
            q->img_bad_b64 = true;
        img_append(q, out, got);
        p += k;
        n -= k;
    }
}

/* A JSON image string, in pieces: an optional "data:...;base64," prefix
 * (what a browser's FileReader gives) is skipped. */
static void json_image(struct api_req *q, const char *p, size_t n)
{
    while (n > 0 && q->img_prefix != 2) {
        if (q->img_prefix == 1) {
            const char *comma = memchr(p, ',', n);
            if (comma == NULL)
                return;
            n -= (size_t)(comma + 1 - p);
            p = comma + 1;
            q->img_prefix = 2;
            break;
        }
        q->img_head[q->img_headn++] = *p++;
        n--;
        if (q->img_headn == 5) {
            if (memcmp(q->img_head, "data:", 5) == 0) {
                q->img_prefix = 1;
            } else {
                q->img_prefix = 2;
                b64_feed(q, q->img_head, 5);
            }
        }
    }
    if (q->img_prefix == 2)
        b64_feed(q, p, n);
}

static int field_begin(struct api_req *q, const char *name,
                       enum http_json_kind kind)
{
    q->cur = -1;
    q->in_image = false;
    if (strcmp(name, "image") == 0) {
        if (q->img_seen)
            return malformed(q, "the field %s is given twice", name);
        q->img_seen = true;
        q->in_image = true;
        if (q->body == API_BODY_JSON) {
            q->img_null = kind == HTTP_JSON_NULL;
            q->img_not_string = kind != HTTP_JSON_STRING && !q->img_null;
        }
        return 0;
    }
    for (int i = 0; i < F_COUNT; i++)
        if (strcmp(name, field_names[i]) == 0) {
            struct api_field *f = &q->f[i];
            if (f->seen)
                return malformed(q, "the field %s is given twice", name);
            f->seen = true;
            f->kind = kind;
            q->cur = i;
            return 0;
        }
    return 0; /* a field we do not use: ignored */
}

static void field_data(struct api_req *q, const char *p, size_t n)
{
    if (q->in_image) {
        if (q->body == API_BODY_JSON)
            json_image(q, p, n);
        else
            img_append(q, (const uint8_t *)p, n);
        return;
    }
    if (q->cur < 0)
        return;
    struct api_field *f = &q->f[q->cur];
    size_t room = sizeof f->v - 1 - f->n;
    if (n > room) {
        f->overflow = true;
        n = room;
    }
    memcpy(f->v + f->n, p, n);
    f->n += n;
    f->v[f->n] = 0;
}

static void field_end(struct api_req *q)
{
    if (q->in_image && q->body == API_BODY_JSON && !q->img_not_string &&
        !q->img_null) {
        uint8_t out[2];
        size_t got;
        if (q->img_prefix == 0) /* shorter than "data:" */
            b64_feed(q, q->img_head, q->img_headn);
        if (q->img_prefix == 1) /* a data: URL without a comma */
            q->img_bad_b64 = true;
        if (!q->img_bad_b64 && http_b64_final(&q->b64, out, &got) != 0)
            q->img_bad_b64 = true;
        else if (!q->img_bad_b64)
            img_append(q, out, got);
    }
    q->cur = -1;
    q->in_image = false;
}

static int j_begin(void *arg, const char *key, enum http_json_kind k)
{
    return field_begin(arg, key, k);
}

static int j_data(void *arg, const char *p, size_t n)
{
    field_data(arg, p, n);
    return 0;
}

static int j_end(void *arg)
{
    field_end(arg);
    return 0;
}

static int m_begin(void *arg, const char *name, const char *file,
                   const char *ctype)
{
    return field_begin(arg, name, HTTP_JSON_STRING);
}

static int m_data(void *arg, const uint8_t *p, size_t n)
{
    field_data(arg, (const char *)p, n);
    return 0;
}

const struct http_json_cb api_json_cb = {j_begin, j_data, j_end};
const struct http_multipart_cb api_multipart_cb = {m_begin, m_data, j_end};

/* ---- checks ---------------------------------------------------------- */

/* The value without leading and trailing ASCII whitespace. */
static const char *trim(const struct api_field *f, size_t *n)
{
    const char *p = f->v;
    size_t len = f->n;
    while (len > 0 && strchr(" \t\r\n", *p)) {
        p++;
        len--;
    }
    while (len > 0 && strchr(" \t\r\n", p[len - 1]))
        len--;
    *n = len;
    return p;
}

static bool is_word(const char *p, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(p, w, n) == 0;
}

/* A boolean field: 1 true, 0 false, -1 not a boolean, -2 empty. */
static int boolean(const struct api_field *f)
{
    size_t n;
    const char *v;
    switch (f->kind) {
    case HTTP_JSON_TRUE:
        return 1;
    case HTTP_JSON_FALSE:
        return 0;
    case HTTP_JSON_NULL:
        return -2;
    case HTTP_JSON_STRING:
        v = trim(f, &n);
        if (n == 0)
            return -2;
        if (f->overflow)
            return -1;
        if (is_word(v, n, "true") || is_word(v, n, "y"))
            return 1;
        if (is_word(v, n, "false") || is_word(v, n, "n"))
            return 0;
        return -1;
    default:
        return -1;
    }
}

static size_t utf8_chars(const char *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

/* Well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code
 * points past U+10FFFF). */
static bool utf8_valid(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2
                                 : (c & 0xf0) == 0xe0 ? 3
                                 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (len == 0 || i + len > n)
            return false;
        uint32_t cp = len == 1 ? c : c & (0x7f >> len);
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

/* A control character, or bytes that are not UTF-8 (a PostgreSQL store
 * cannot hold them, and no client means them). */
static bool has_control(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
            return true;
    return !utf8_valid((const unsigned char *)p, n);
}

int api_common_fields_check(struct api_req *q)
{
    const struct api_config *c = &q->svc->c;
    size_t n;
    const char *v;

    /* reference_id */
    const struct api_field *f = &q->f[F_REFERENCE_ID];
    if (!f->seen || f->kind == HTTP_JSON_NULL)
        return API_EMPTY_REFERENCE_ID;
    if (f->kind != HTTP_JSON_STRING) {
        snprintf(q->hint, sizeof q->hint, "reference_id must be a string");
        return API_INVALID_REFERENCE_ID;
    }
    v = trim(f, &n);
    if (n == 0)
        return API_EMPTY_REFERENCE_ID;
    if (f->overflow || f->n > (size_t)c->reference_max ||
        has_control(f->v, f->n)) {
        snprintf(q->hint, sizeof q->hint,
                 "reference_id has %zu%s bytes; at most %d printable "
                 "characters are allowed",
                 f->n, f->overflow ? "+" : "", c->reference_max);
        return API_INVALID_REFERENCE_ID;
    }
    memcpy(q->ref, v, n);
    q->ref[n] = 0;

    /* consent */
    switch (q->f[F_CONSENT].seen ? boolean(&q->f[F_CONSENT]) : -2) {
    case -2:
        return API_EMPTY_CONSENT;
    case -1:
        return API_INVALID_CONSENT_TYPE;
    case 0:
        return API_CONSENT_FALSE;
    default:
        break;
    }

    /* purpose, or consent_purpose (the video endpoint's name) */
    f = q->f[F_PURPOSE].seen ? &q->f[F_PURPOSE] : &q->f[F_CONSENT_PURPOSE];
    if (!f->seen || f->kind != HTTP_JSON_STRING)
        return API_EMPTY_PURPOSE;
    v = trim(f, &n);
    size_t chars = utf8_chars(v, n);
    if (n == 0)
        return API_EMPTY_PURPOSE;
    if (chars < (size_t)c->purpose_min) {
        snprintf(q->hint, sizeof q->hint,
                 "purpose has %zu characters; at least %d are needed", chars,
                 c->purpose_min);
        return API_SHORT_PURPOSE_LENGTH;
    }
    if (f->overflow || chars > (size_t)c->purpose_max) {
        snprintf(q->hint, sizeof q->hint,
                 "purpose has %zu%s characters; at most %d are allowed",
                 chars, f->overflow ? "+" : "", c->purpose_max);
        return API_LONG_PURPOSE_LENGTH;
    }
    return API_SUCCESS;
}

int api_fields_check(struct api_req *q)
{
    int a = api_common_fields_check(q);
    if (a != API_SUCCESS)
        return a;

    /* skip_metadata_validation (optional, default false) */
    q->skip_metadata = false;
    if (q->f[F_SKIP_METADATA].seen) {
        int b = boolean(&q->f[F_SKIP_METADATA]);
        if (b == -1)
            return API_INVALID_SKIP_METADATA_VALIDATION;
        q->skip_metadata = b == 1;
    }

    /* image */
    if (q->img_not_string || q->img_bad_b64)
        return API_INVALID_IMAGE_ENCODING;
    if (!q->img_seen || q->img_null || q->img_n == 0)
        return api_answer_of_outcome(LC_OUTCOME_EMPTY_IMAGE);
    return API_SUCCESS;
}
