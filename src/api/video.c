/* src/api/video.c - POST /v2/kyc/forensics/video_liveness: passive video
 * liveness (../shared/spec/api.md section 2).
 *
 * multipart/form-data only: reference_id, consent, consent_purpose (or
 * purpose) and exactly one of `video` (a file part, mp4 or webm) or
 * `video_url` (http or https). An empty video_url counts as absent, and so
 * does an empty video part beside a video_url (a browser form with no file
 * chosen sends one): neither gives error_empty_video_and_video_url (or
 * error_empty_video when the only thing sent was an empty video part),
 * both gives error_video_and_video_url_both_given.
 *
 * On the HTTP thread, as passive.c does for images: credentials before the
 * body is read, the Content-Type, the declared size against the video cap
 * (`video_max_bytes`, default 20 MB, plus form framing), a share of the
 * body memory budget, then the body streamed: the text fields go through
 * fields.c's sink, the video part straight into the request's buffer and
 * never past the cap (one byte more and the answer is 413
 * error_video_too_large), the URL into a fixed buffer. At the end the
 * common fields, the video/URL rule, reference_id uniqueness, then the job
 * is queued and the connection suspended.
 *
 * On a worker, with its own vision_ctx: liveness_video_check on the bytes,
 * or liveness_video_check_url (the safe fetcher, fetch.h, under the same
 * cap, with the operator's `fetch_allow` list and timeouts), the same
 * engine calls as `livecheck video`. The transaction row is committed
 * before the answer is handed back.
 *
 * The decoder runs on a second thread per check (video_pipeline, on by
 * default): measured, it costs no throughput when every worker is busy
 * and shortens a check when cores are idle (docs/api.md, Capacity).
 */
#include "api_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "livecheck/mem.h"

#define URL_MAX 2048                  /* bytes of video_url kept */
#define BODY_SLACK ((size_t)64 << 10) /* form fields and multipart framing */

_Static_assert(API_RESP_MAX >= LIVENESS_VIDEO_JSON_MAX + 512,
               "the envelope must hold the video data object");

static const char success_msg[] = "Liveliness check performed successfully";

/* Which part of the body is arriving. */
enum { PART_FIELD, PART_VIDEO, PART_URL, PART_SKIP };

struct video_req {
    struct api_req q;  /* first: fields.c's sink and the pool take it */
    int part;
    bool video_seen, url_seen, url_overflow, use_url;
    size_t url_n;
    char url[URL_MAX];
    struct liveness_video_result r;
};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- the body ---------------------------------------------------------- */

/* Append video bytes, within the cap and the memory reservation. */
static void video_append(struct api_req *q, const uint8_t *p, size_t n)
{
    size_t max = q->svc->c.video.max_bytes;
    if (q->img_too_big || q->img_busy || n == 0)
        return;
    if (n > max - q->img_n) {
        q->img_too_big = true; /* max + 1 bytes: answered 413 in end() */
        return;
    }
    size_t need = q->img_n + n;
    if (need > q->img_cap) {
        size_t cap = q->img_cap ? q->img_cap * 2 : 256 * 1024;
        if (cap < need)
            cap = need;
        if (cap > max)
            cap = max;
        if (cap > q->reserved) {
            if (!api_mem_reserve(q->svc, cap - q->reserved)) {
                q->img_busy = true;
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

static int m_begin(void *arg, const char *name, const char *file,
                   const char *ctype)
{
    struct video_req *v = arg;
    bool video = strcmp(name, "video") == 0;
    if (video || strcmp(name, "video_url") == 0) {
        bool *seen = video ? &v->video_seen : &v->url_seen;
        if (*seen) {
            snprintf(v->q.parse_hint, sizeof v->q.parse_hint,
                     "the field %s is given twice", name);
            return LC_EFORMAT;
        }
        *seen = true;
        v->part = video ? PART_VIDEO : PART_URL;
        return 0;
    }
    if (strcmp(name, "image") == 0) {
        v->part = PART_SKIP; /* not this endpoint's: ignored, not kept */
        return 0;
    }
    v->part = PART_FIELD;
    return api_multipart_cb.part_begin(arg, name, file, ctype);
}

static int m_data(void *arg, const uint8_t *p, size_t n)
{
    struct video_req *v = arg;
    size_t room;
    switch (v->part) {
    case PART_VIDEO:
        video_append(&v->q, p, n);
        return 0;
    case PART_URL:
        room = sizeof v->url - 1 - v->url_n;
        if (n > room) {
            v->url_overflow = true;
            n = room;
        }
        memcpy(v->url + v->url_n, p, n);
        v->url_n += n;
        v->url[v->url_n] = 0;
        return 0;
    case PART_SKIP:
        return 0;
    default:
        return api_multipart_cb.part_data(arg, p, n);
    }
}

static int m_end(void *arg)
{
    struct video_req *v = arg;
    v->part = PART_FIELD;
    return api_multipart_cb.part_end(arg);
}

static const struct http_multipart_cb video_cb = {m_begin, m_data, m_end};

/* ---- rows and answers -------------------------------------------------- */

static void row_of(const struct api_req *q, int a, bool claim,
                   struct store_txn *t)
{
    const struct video_req *v = (const struct video_req *)q;
    const struct liveness_video_result *r = &v->r;
    bool ok = a == API_SUCCESS;
    api_txn_row(q, a, claim, t);
    /* score: the confidence in percent. */
    t->live = ok ? r->live : -1;
    t->score = ok ? (int)lroundf(r->confidence * 100.0f) : -1;
    t->width = r->info.width > 0 ? r->info.width : -1;
    t->height = r->info.height > 0 ? r->info.height : -1;
    t->bytes = v->use_url ? -1 : (int64_t)q->img_n;
    t->ms_decode = ok ? r->ms_decode : -1;
    t->ms_liveness = ok ? r->ms_analysis : -1;
}

/* Store the row (claiming the reference_id when asked) and render the
 * answer into q->resp. Returns the answer actually given. */
static int record(struct video_req *v, struct store *st, int a, bool claim)
{
    struct api_req *q = &v->q;
    a = api_txn_commit(q, st, a, claim, row_of);
    q->resp_n = 0;
    if (a == API_SUCCESS) {
        char data[LIVENESS_VIDEO_JSON_MAX];
        size_t k = liveness_video_data_json(&v->r, &q->svc->c.video, data,
                                            sizeof data);
        if (k < sizeof data)
            q->resp_n = api_envelope_data(q->resp, sizeof q->resp, q->txn,
                                          success_msg, data);
        if (q->resp_n == 0) { /* cannot happen: the sizes are asserted */
            a = api_answer_of_outcome(LC_OUTCOME_INTERNAL);
            snprintf(q->hint, sizeof q->hint, "the answer did not fit");
        }
    }
    if (q->resp_n == 0)
        q->resp_n = api_envelope(q->resp, sizeof q->resp, q->txn, a, q->hint,
                                 NULL);
    http_req_log_set(q->http, q->txn, q->client, a);
    return a;
}

/* Refuse on the HTTP thread: store, then answer. */
static void refuse(struct video_req *v, int a)
{
    int given = record(v, v->q.svc->store, a, false);
    api_refused_answer(&v->q, given);
}

/* ---- the handler ------------------------------------------------------- */

static void begin(struct http_req *r)
{
    const struct api_route *rt = http_req_route_data(r);
    struct api_service *s = rt->svc;
    const struct api_endpoint *ep = rt->ep;
    char txn[STORE_TXN_ID_LEN + 1], client[STORE_ID_MAX] = "";
    api_txn_id(txn);
    int a = api_auth(s, r, ep->module, client);
    if (a != API_SUCCESS) {
        char buf[API_RESP_MAX];
        api_answer_now(r, txn, client, a, NULL, buf, sizeof buf);
        return;
    }
    struct video_req *v = lc_calloc(1, sizeof *v);
    struct api_req *q = &v->q;
    q->svc = s;
    q->cur = -1;
    q->http = r;
    q->ep = ep;
    q->body = API_BODY_MULTIPART;
    memcpy(q->txn, txn, sizeof txn);
    memcpy(q->client, client, sizeof client);
    q->created_ms = store_now_ms();
    http_req_set_ctx(r, v);
    http_req_log_set(r, txn, client, -1);

    const char *ct = http_req_header(r, "Content-Type");
    char boundary[HTTP_MP_BOUNDARY_MAX + 1];
    if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0) {
        snprintf(q->hint, sizeof q->hint,
                 "%s accepts multipart/form-data, not %s", ep->path,
                 ct ? ct : "a body without Content-Type");
        refuse(v, API_UNSUPPORTED_CONTENT_TYPE);
        return;
    }
    if (http_multipart_boundary(ct, boundary) != 0) {
        snprintf(q->hint, sizeof q->hint,
                 "multipart/form-data without a valid boundary");
        refuse(v, API_MALFORMED_REQUEST);
        return;
    }

    size_t max = s->c.video.max_bytes, cap = max + BODY_SLACK;
    long long cl = http_req_content_length(r);
    if (cl >= 0 && (unsigned long long)cl > cap) {
        snprintf(q->hint, sizeof q->hint,
                 "the body has %lld bytes; the video may have at most %zu",
                 cl, max);
        refuse(v, api_answer_of_outcome(LC_OUTCOME_VIDEO_TOO_LARGE));
        return;
    }
    size_t want = cl >= 0 && (size_t)cl < max ? (size_t)cl : max;
    if (!api_mem_reserve(s, want)) {
        snprintf(q->hint, sizeof q->hint, "too many large uploads at once");
        refuse(v, API_SERVER_BUSY);
        return;
    }
    q->reserved = want;
    if (cl >= 0 && want > 0) {
        q->img = lc_malloc(want);
        q->img_cap = want;
    }
    http_req_body_cap(r, cap, 2 * cap + ((size_t)1 << 20));
    q->parse_err = http_multipart_init(&q->p.mp, boundary, &video_cb, v);
}

static void body(struct http_req *r, const char *p, size_t n)
{
    struct video_req *v = http_req_ctx(r);
    if (v->q.parse_err)
        return;
    v->q.parse_err = http_multipart_feed(&v->q.p.mp, (const uint8_t *)p, n);
}

/* The URL without surrounding white space, in place; false when it holds
 * a control character. */
static bool url_clean(struct video_req *v)
{
    size_t i = 0, n = v->url_n;
    while (i < n && strchr(" \t\r\n", v->url[i]))
        i++;
    while (n > i && strchr(" \t\r\n", v->url[n - 1]))
        n--;
    memmove(v->url, v->url + i, n - i);
    v->url_n = n - i;
    v->url[v->url_n] = 0;
    for (size_t k = 0; k < v->url_n; k++)
        if ((unsigned char)v->url[k] < 0x20 || v->url[k] == 0x7f)
            return false;
    return true;
}

static void end(struct http_req *r)
{
    struct video_req *v = http_req_ctx(r);
    struct api_req *q = &v->q;
    struct api_service *s = q->svc;
    if (http_req_overflow(r) || q->img_too_big) {
        snprintf(q->hint, sizeof q->hint,
                 "the video may have at most %zu bytes", s->c.video.max_bytes);
        refuse(v, api_answer_of_outcome(LC_OUTCOME_VIDEO_TOO_LARGE));
        return;
    }
    if (q->img_busy) {
        snprintf(q->hint, sizeof q->hint, "too many large uploads at once");
        refuse(v, API_SERVER_BUSY);
        return;
    }
    if (q->parse_err == 0)
        q->parse_err = http_multipart_finish(&q->p.mp);
    if (q->parse_err != 0) {
        snprintf(q->hint, sizeof q->hint, "%s",
                 q->parse_hint[0] ? q->parse_hint
                                  : "the body is not a valid "
                                    "multipart/form-data body");
        refuse(v, API_MALFORMED_REQUEST);
        return;
    }
    int a = api_common_fields_check(q);
    if (a != API_SUCCESS) {
        refuse(v, a);
        return;
    }
    bool url_ok = url_clean(v);
    bool has_video = q->img_n > 0, has_url = v->url_n > 0;
    if (has_video && has_url) {
        refuse(v, API_VIDEO_AND_URL_BOTH);
        return;
    }
    if (!has_video && !has_url) {
        refuse(v, v->video_seen ? api_answer_of_outcome(LC_OUTCOME_EMPTY_VIDEO)
                                : API_EMPTY_VIDEO_AND_URL);
        return;
    }
    if (has_url && (v->url_overflow || !url_ok)) {
        snprintf(q->hint, sizeof q->hint,
                 v->url_overflow ? "video_url is longer than %d bytes"
                                 : "video_url holds control characters",
                 URL_MAX - 1);
        refuse(v, api_answer_of_outcome(LC_OUTCOME_INVALID_VIDEO_URL));
        return;
    }
    v->use_url = has_url;
    int e = api_job_enqueue(s, r, q);
    if (e != API_SUCCESS)
        refuse(v, e);
}

static void done(struct http_req *r)
{
    struct video_req *v = http_req_ctx(r);
    if (v == NULL)
        return;
    api_mem_release(v->q.svc, v->q.reserved);
    free(v->q.img);
    free(v);
}

void api_video_work(void *state, void *job)
{
    struct api_worker *w = state;
    struct video_req *v = job; /* the api_req is its first member */
    struct api_req *q = &v->q;
    struct api_service *s = w->svc;
    double t0 = now_ms();
    q->ms_queue = t0 - q->t_queued;
    int rc = v->use_url
                 ? liveness_video_check_url(w->ctx, &s->c.video, &s->c.fetch,
                                            v->url, NULL, &v->r)
                 : liveness_video_check(w->ctx, &s->c.video, q->img,
                                        q->img_n, NULL, &v->r);
    q->ms_work = now_ms() - t0;
    api_infer_record(s, q->ms_work / 1e3);
    /* The bytes are no longer needed; the reservation goes in done(). */
    free(q->img);
    q->img = NULL;
    q->img_cap = 0;
    int a = rc < 0 ? api_answer_of_outcome(LC_OUTCOME_INTERNAL)
                   : api_answer_of_outcome(v->r.outcome);
    if (a != API_SUCCESS)
        snprintf(q->hint, sizeof q->hint, "%s",
                 rc < 0 ? lc_strerror(rc) : v->r.reason);
    a = record(v, w->store, a, true);
    atomic_fetch_add(&s->jobs_done, 1);
    api_job_complete(q, a);
}

const struct http_handler api_video_handler = {
    .begin = begin,
    .body = body,
    .end = end,
    .done = done,
};
