/* src/api/initiate.c - POST /v2/kyc/forensics/active_video_liveness/
 * initiate: open an active video liveness session (spec/api.md 3a).
 *
 * JSON only: consent, purpose, reference_id, redirect_url, callback_url,
 * face_image_urls and face_image_base64s (arrays of strings, 1..4 images
 * in total). On the HTTP thread: credentials, the body collected within
 * INIT_BODY_MAX and the memory budget, the common fields, the arrays, the
 * base64 decoded, the two URLs' syntax (a callback to an IP literal is
 * checked against the address rules at once; names are checked when the
 * callback is delivered). On a worker: each reference URL fetched with the
 * safe fetcher, each image's one usable face found and embedded
 * (liveness_match_embed, as face_match does: no input policy) - a refusal
 * names the image ("face_image_urls[1]: ..."); then a random challenge, a
 * capture token (stored only as its hash) and, in one store transaction,
 * the transaction row claiming reference_id, the session, the images and
 * their embeddings. The answer carries videoLivenessUrl at the top level,
 * as the hosted API's does.
 */
#include "api_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "livecheck/mem.h"

#define INIT_BODY_MAX ((size_t)32 << 20) /* four base64 images and fields */

struct init_img {
    char name[32];        /* "face_image_urls[0]" */
    const char *url;      /* into the parsed body; NULL for base64 */
    uint8_t *bytes;
    size_t n;
};

struct init_req {
    struct api_req q; /* first: the pool and fields.c take it */
    json_t *root;
    int nimg;
    struct init_img img[ACTIVE_REFS_MAX];
    const char *redirect, *callback;
};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Store a refusal's row and render its envelope into q->resp. */
static int record_refusal(struct api_req *q, struct store *st, int a)
{
    a = api_txn_commit(q, st, a, false, api_txn_row);
    q->resp_n = api_envelope(q->resp, sizeof q->resp, q->txn, a, q->hint,
                             NULL);
    http_req_log_set(q->http, q->txn, q->client, a);
    return a;
}

static void refuse(struct init_req *v, int a)
{
    api_refused_answer(&v->q, record_refusal(&v->q, v->q.svc->store, a));
}

/* ---- the handler ------------------------------------------------------- */

static void begin(struct http_req *r)
{
    const struct api_route *rt = http_req_route_data(r);
    struct api_service *s = rt->svc;
    char txn[STORE_TXN_ID_LEN + 1], client[STORE_ID_MAX] = "";
    api_txn_id(txn);
    int a = api_auth(s, r, rt->ep->module, client);
    if (a != API_SUCCESS) {
        char buf[API_RESP_MAX];
        api_answer_now(r, txn, client, a, NULL, buf, sizeof buf);
        return;
    }
    struct init_req *v = lc_calloc(1, sizeof *v);
    struct api_req *q = &v->q;
    q->svc = s;
    q->cur = -1;
    q->http = r;
    q->ep = rt->ep;
    q->body = API_BODY_JSON;
    memcpy(q->txn, txn, sizeof txn);
    memcpy(q->client, client, sizeof client);
    q->created_ms = store_now_ms();
    http_req_set_ctx(r, v);
    http_req_log_set(r, txn, client, -1);
    const char *ct = http_req_header(r, "Content-Type");
    if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0) {
        snprintf(q->hint, sizeof q->hint,
                 "%s accepts application/json, not %s", q->ep->path,
                 ct ? ct : "a body without Content-Type");
        refuse(v, API_UNSUPPORTED_CONTENT_TYPE);
        return;
    }
    long long cl = http_req_content_length(r);
    if (cl >= 0 && (unsigned long long)cl > INIT_BODY_MAX) {
        snprintf(q->hint, sizeof q->hint,
                 "the body has %lld bytes; at most %zu are accepted", cl,
                 INIT_BODY_MAX);
        refuse(v, api_answer_of_outcome(LC_OUTCOME_IMAGE_TOO_LARGE));
        return;
    }
    http_req_body_cap(r, INIT_BODY_MAX, 2 * INIT_BODY_MAX);
}

static void body(struct http_req *r, const char *p, size_t n)
{
    struct init_req *v = http_req_ctx(r);
    api_jbody_append(&v->q, p, n, INIT_BODY_MAX);
}

/* A client URL's shape: http(s)://host..., printable, within the store's
 * column. */
static bool url_ok(const char *u)
{
    size_t n = strlen(u);
    if (n >= STORE_URL_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f)
            return false;
    const char *rest = strncasecmp(u, "https://", 8) == 0  ? u + 8
                       : strncasecmp(u, "http://", 7) == 0 ? u + 7
                                                           : NULL;
    return rest != NULL && *rest && *rest != '/' && *rest != ':';
}

/* When the callback's host is an address literal, apply the address
 * rules now. */
static bool callback_allowed(const struct api_service *s, const char *u)
{
    const char *h = strstr(u, "://") + 3;
    char host[256];
    size_t n = 0;
    if (*h == '[') {
        h++;
        while (h[n] && h[n] != ']' && n < sizeof host - 1)
            n++;
    } else {
        const char *at = strpbrk(h, "@/?#");
        if (at && *at == '@')
            h = at + 1;
        while (h[n] && !strchr(":/?#", h[n]) && n < sizeof host - 1)
            n++;
    }
    memcpy(host, h, n);
    host[n] = 0;
    if (strcasecmp(host, "localhost") == 0)
        return fetch_ip_check("127.0.0.1", s->c.fetch.allow, NULL) == 0;
    int rc = fetch_ip_check(host, s->c.fetch.allow, NULL);
    return rc != LC_EDENIED;
}

/* The two arrays into v->img; API_SUCCESS or the refusal. */
static int images_take(struct init_req *v)
{
    struct api_req *q = &v->q;
    static const char *const names[2] = {"face_image_urls",
                                         "face_image_base64s"};
    for (int k = 0; k < 2; k++) {
        json_t *arr = json_object_get(v->root, names[k]);
        if (arr == NULL || json_is_null(arr))
            continue;
        if (!json_is_array(arr)) {
            snprintf(q->hint, sizeof q->hint, "%s must be an array",
                     names[k]);
            return API_INVALID_FACE_IMAGES;
        }
        size_t i;
        json_t *e;
        json_array_foreach(arr, i, e)
        {
            if (!json_is_string(e)) {
                snprintf(q->hint, sizeof q->hint,
                         "%s[%zu] must be a string", names[k], i);
                return API_INVALID_FACE_IMAGES;
            }
            if (v->nimg == ACTIVE_REFS_MAX)
                return API_TOO_MANY_FACE_IMAGES;
            struct init_img *im = &v->img[v->nimg++];
            snprintf(im->name, sizeof im->name, "%s[%zu]", names[k], i);
            const char *str = json_string_value(e);
            size_t len = json_string_length(e);
            if (k == 0) {
                if (!url_ok(str)) {
                    snprintf(q->hint, sizeof q->hint, "%s", im->name);
                    return API_INVALID_IMAGE_URL;
                }
                im->url = str;
                continue;
            }
            /* A data: URL prefix is tolerated, as on the passive route. */
            const char *comma = len < 128 ? NULL : memchr(str, ',', 128);
            if (strncmp(str, "data:", 5) == 0 && comma != NULL) {
                len -= (size_t)(comma + 1 - str);
                str = comma + 1;
            }
            struct http_b64 b = {0};
            size_t o1 = 0, o2 = 0;
            im->bytes = lc_malloc(HTTP_B64_OUT_MAX(len) + 3);
            if (http_b64_update(&b, str, len, im->bytes, &o1) != 0 ||
                http_b64_final(&b, im->bytes + o1, &o2) != 0) {
                snprintf(q->hint, sizeof q->hint, "%s", im->name);
                return API_INVALID_FACE_IMAGE_ENCODING;
            }
            im->n = o1 + o2;
            if (im->n == 0) {
                snprintf(q->hint, sizeof q->hint, "%s is empty", im->name);
                return api_answer_of_outcome(LC_OUTCOME_EMPTY_IMAGE);
            }
        }
    }
    return v->nimg == 0 ? API_EMPTY_FACE_IMAGES : API_SUCCESS;
}

static void end(struct http_req *r)
{
    struct init_req *v = http_req_ctx(r);
    struct api_req *q = &v->q;
    struct api_service *s = q->svc;
    if (http_req_overflow(r) || q->img_too_big) {
        snprintf(q->hint, sizeof q->hint, "the body may have at most %zu "
                 "bytes", INIT_BODY_MAX);
        refuse(v, api_answer_of_outcome(LC_OUTCOME_IMAGE_TOO_LARGE));
        return;
    }
    if (q->img_busy) {
        snprintf(q->hint, sizeof q->hint, "too many large uploads at once");
        refuse(v, API_SERVER_BUSY);
        return;
    }
    v->root = api_jbody_parse(q);
    if (v->root == NULL) {
        refuse(v, API_MALFORMED_REQUEST);
        return;
    }
    int a = api_common_fields_check(q);
    if (a == API_SUCCESS)
        a = images_take(v);
    bool bad_r, bad_c;
    v->redirect = api_json_str(v->root, "redirect_url", &bad_r);
    v->callback = api_json_str(v->root, "callback_url", &bad_c);
    if (a == API_SUCCESS && (bad_r || (v->redirect[0] && !url_ok(v->redirect))))
        a = API_INVALID_REDIRECT_URL;
    if (a == API_SUCCESS && (bad_c || (v->callback[0] && !url_ok(v->callback))))
        a = API_INVALID_CALLBACK_URL;
    if (a == API_SUCCESS && v->callback[0] && !callback_allowed(s, v->callback))
        a = API_CALLBACK_URL_NOT_ALLOWED;
    if (a != API_SUCCESS) {
        refuse(v, a);
        return;
    }
    /* The body's bytes are no longer needed (the images are decoded and
     * the strings live in the parsed tree). */
    free(q->img);
    q->img = NULL;
    q->img_n = q->img_cap = 0;
    a = api_job_enqueue(s, r, q);
    if (a != API_SUCCESS)
        refuse(v, a);
}

static void done(struct http_req *r)
{
    struct init_req *v = http_req_ctx(r);
    if (v == NULL)
        return;
    for (int i = 0; i < v->nimg; i++)
        free(v->img[i].bytes);
    json_decref(v->root);
    api_jbody_free(&v->q);
    free(v);
}

/* ---- on a worker ------------------------------------------------------- */

static int fetch_answer(int rc)
{
    switch (rc) {
    case LC_EFORMAT:
    case LC_EUNSUP:
        return API_INVALID_IMAGE_URL;
    case LC_EDENIED:
        return API_IMAGE_URL_NOT_ALLOWED;
    case LC_EHTTP:
        return API_IMAGE_URL_HTTP_ERROR;
    case LC_ETOOBIG:
        return api_answer_of_outcome(LC_OUTCOME_IMAGE_TOO_LARGE);
    default:
        return API_IMAGE_URL_UNREACHABLE;
    }
}

/* Fetch and embed every image; API_SUCCESS or the refusal (hint names the
 * image). */
static int images_embed(struct api_worker *w, struct init_req *v,
                        struct store_session_ref *refs)
{
    struct api_req *q = &v->q;
    struct api_service *s = w->svc;
    for (int i = 0; i < v->nimg; i++) {
        struct init_img *im = &v->img[i];
        if (im->url != NULL) {
            struct fetch_config fc = s->c.fetch;
            struct lc_diag d = {{0}};
            fc.max_bytes = s->c.engine.max_bytes;
            int rc = fetch_url(&fc, im->url, &im->bytes, &im->n, NULL, &d);
            if (rc < 0) {
                /* the hint holds the name (< 32) and the reason's start */
                snprintf(q->hint, sizeof q->hint, "%s: %.160s", im->name,
                         d.msg[0] ? d.msg : lc_strerror(rc));
                return fetch_answer(rc);
            }
        }
        struct liveness_result res;
        int rc = liveness_match_embed(w->ctx, &s->c.engine, im->bytes, im->n,
                                      refs[i].emb, &res);
        if (rc < 0) {
            snprintf(q->hint, sizeof q->hint, "%s: %s", im->name,
                     lc_strerror(rc));
            return api_answer_of_outcome(LC_OUTCOME_INTERNAL);
        }
        if (res.outcome != LC_OUTCOME_OK) {
            snprintf(q->hint, sizeof q->hint, "%s: %s", im->name,
                     res.reason[0] ? res.reason
                                   : lc_outcome_message(res.outcome));
            return api_answer_of_outcome(res.outcome);
        }
        refs[i].index = i;
    }
    return API_SUCCESS;
}

static void media_id(char out[STORE_MEDIA_ID_MAX])
{
    char t[SIGN_TOKEN_MAX], h[SIGN_HEX_MAX];
    sign_token_new(t);
    sign_token_hash(t, h);
    memcpy(out, h, STORE_MEDIA_ID_MAX - 1);
    out[STORE_MEDIA_ID_MAX - 1] = 0;
}

void api_initiate_work(void *state, void *job)
{
    struct api_worker *w = state;
    struct init_req *v = job;
    struct api_req *q = &v->q;
    struct api_service *s = w->svc;
    double t0 = now_ms();
    q->ms_queue = t0 - q->t_queued;
    struct store_session_ref refs[ACTIVE_REFS_MAX];
    memset(refs, 0, sizeof refs);
    int a = images_embed(w, v, refs);
    if (a != API_SUCCESS) {
        a = record_refusal(q, w->store, a);
        api_job_complete(q, a);
        return;
    }
    struct store_session *ss = lc_calloc(1, sizeof *ss);
    struct store_media media[ACTIVE_REFS_MAX];
    uint8_t *sealed[ACTIVE_REFS_MAX] = {NULL};
    char token[SIGN_TOKEN_MAX];
    struct active_challenge ch;
    sign_token_new(token);
    sign_token_hash(token, ss->token_hash);
    active_challenge_random(&ch, 1.5, 2.5, 5.0);
    active_challenge_format(&ch, ss->challenge, sizeof ss->challenge);
    snprintf(ss->txn, sizeof ss->txn, "%s", q->txn);
    snprintf(ss->client_id, sizeof ss->client_id, "%s", q->client);
    snprintf(ss->reference_id, sizeof ss->reference_id, "%s", q->ref);
    snprintf(ss->redirect_url, sizeof ss->redirect_url, "%s", v->redirect);
    snprintf(ss->callback_url, sizeof ss->callback_url, "%s", v->callback);
    ss->created_ms = q->created_ms;
    ss->expires_ms = q->created_ms + (int64_t)s->c.session_ttl_s * 1000;
    ss->max_attempts = s->c.capture_attempts;
    ss->nref = v->nimg;
    for (int i = 0; i < v->nimg; i++) {
        struct store_media *m = &media[i];
        memset(m, 0, sizeof *m);
        media_id(m->id);
        memcpy(refs[i].media, m->id, sizeof m->id);
        snprintf(m->txn, sizeof m->txn, "%s", q->txn);
        snprintf(m->kind, sizeof m->kind, "reference");
        snprintf(m->ctype, sizeof m->ctype, "%s",
                 v->img[i].n > 3 && v->img[i].bytes[0] == 0x89
                     ? "image/png"
                     : "image/jpeg");
        m->data = v->img[i].bytes;
        m->n = v->img[i].n;
        m->created_ms = q->created_ms;
        sealed[i] = api_media_seal(s, m);
    }
    struct store_txn t;
    api_txn_row(q, API_SESSION_CREATED, true, &t);
    int rc = store_session_create(w->store, &t, ss, refs, media, v->nimg);
    free(ss);
    for (int i = 0; i < v->nimg; i++)
        free(sealed[i]);
    q->ms_work = now_ms() - t0;
    if (rc < 0) {
        if (rc != LC_EEXIST)
            api_store_failed(s);
        a = rc == LC_EEXIST ? API_DUPLICATE_REFERENCE_ID
                            : API_STORE_UNAVAILABLE;
        q->hint[0] = 0;
        a = record_refusal(q, w->store, a);
    } else {
        char url[1024], esc[1200];
        api_capture_url(s, token, url, sizeof url);
        http_json_escape(esc, sizeof esc, url);
        a = API_SESSION_CREATED;
        int k = snprintf(q->resp, sizeof q->resp,
                         "{\"decentroTxnId\":\"%s\",\"status\":\"SUCCESS\","
                         "\"responseCode\":\"S00000\",\"message\":\"%s\","
                         "\"videoLivenessUrl\":\"%s\",\"expiresAt\":%lld,"
                         "\"responseKey\":\"%s\"}",
                         q->txn, api_answer_message(a), esc,
                         (long long)(q->created_ms +
                                     (int64_t)s->c.session_ttl_s * 1000),
                         api_answer_key(a));
        q->resp_n = k > 0 && (size_t)k < sizeof q->resp ? (size_t)k : 0;
        http_req_log_set(q->http, q->txn, q->client, a);
    }
    atomic_fetch_add(&s->jobs_done, 1);
    api_job_complete(q, a);
}

const struct http_handler api_initiate_handler = {
    .begin = begin,
    .body = body,
    .end = end,
    .done = done,
};
