/* src/api/passive.c - POST /v2/kyc/forensics/liveness/passive (multipart
 * or JSON) and POST /v3/kyc/farsight/liveness/passive (JSON): passive
 * image liveness (../shared/spec/api.md section 1).
 *
 * On the HTTP thread: credentials (before the body is read), the body's
 * type and declared size, a share of the body memory budget, then the body
 * streamed through its reader into fixed field buffers and the image
 * buffer; at its end the common fields and the reference_id's uniqueness.
 * Then the request goes to the worker pool (or is refused with 503 when
 * the queue is full) and the connection is suspended.
 *
 * On a worker: liveness_image_check, the same engine call as
 * `livecheck image`, then the transaction row is committed and only then
 * is the answer handed back: an answered transaction is always stored.
 * A row that would claim a reference_id the client already used (two
 * requests raced past the early check) is stored unclaimed and answered
 * as a duplicate.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "livecheck/mem.h"

#define KEEP_REQS 16                  /* recycled api_req objects kept */
#define KEEP_IMAGE ((size_t)2 << 20)  /* image buffers kept up to 2 MB */
#define BODY_SLACK ((size_t)64 << 10) /* form fields and multipart framing */


static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static struct api_req *req_get(struct api_service *s)
{
    struct api_req *q = s->free_reqs;
    if (q != NULL) {
        s->free_reqs = q->next;
        s->nfree--;
    } else {
        q = lc_calloc(1, sizeof *q);
    }
    uint8_t *img = q->img;
    size_t cap = q->img_cap;
    memset(q, 0, sizeof *q);
    q->img = img;
    q->img_cap = cap;
    q->svc = s;
    q->cur = -1;
    return q;
}

static void req_put(struct api_service *s, struct api_req *q)
{
    if (q->img_cap > KEEP_IMAGE) {
        free(q->img);
        q->img = NULL;
        q->img_cap = 0;
    }
    if (s->nfree >= KEEP_REQS) {
        free(q->img);
        free(q);
        return;
    }
    q->next = s->free_reqs;
    s->free_reqs = q;
    s->nfree++;
}

/* The transaction row of q with answer a. */
static void row_of(const struct api_req *q, int a, bool claim,
                   struct store_txn *t)
{
    const struct liveness_result *res = &q->res;
    bool ok = a == API_SUCCESS;
    api_txn_row(q, a, claim, t);
    t->live = ok ? res->live : -1;
    t->score = ok ? res->score : -1;
    t->review = ok ? res->review : -1;
    for (int i = 0; i < 4; i++)
        t->face[i] = ok ? (int)res->face.sq[i] : -1;
    t->face_score = ok ? res->face.score : -1.0f;
    t->width = res->info.width > 0 ? res->info.width : -1;
    t->height = res->info.height > 0 ? res->info.height : -1;
    t->ms_decode = ok ? res->ms_decode : -1;
    t->ms_faces = ok ? res->ms_faces : -1;
    t->ms_liveness = ok ? res->ms_liveness : -1;
}

/* Store the row (claiming the reference_id when asked) and render the
 * answer into q->resp. Returns the answer actually given. */
static int record(struct api_req *q, struct store *st, int a, bool claim)
{
    a = api_txn_commit(q, st, a, claim, row_of);
    q->resp_n = api_envelope(q->resp, sizeof q->resp, q->txn, a, q->hint,
                             a == API_SUCCESS ? &q->res : NULL);
    http_req_log_set(q->http, q->txn, q->client, a);
    return a;
}

/* Refuse on the HTTP thread: store, then answer. */
static void refuse(struct api_req *q, int a)
{
    int given = record(q, q->svc->store, a, false);
    api_refused_answer(q, given);
}

static bool is_json(const char *ct)
{
    static const char t[] = "application/json";
    if (ct == NULL || strncasecmp(ct, t, sizeof t - 1) != 0)
        return false;
    char c = ct[sizeof t - 1];
    return c == 0 || c == ';' || c == ' ';
}

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
    struct api_req *q = req_get(s);
    http_req_set_ctx(r, q);
    q->http = r;
    q->ep = ep;
    memcpy(q->txn, txn, sizeof txn);
    memcpy(q->client, client, sizeof client);
    q->created_ms = store_now_ms();
    http_req_log_set(r, txn, client, -1);

    const char *ct = http_req_header(r, "Content-Type");
    char boundary[HTTP_MP_BOUNDARY_MAX + 1];
    if ((ep->bodies & API_BODY_JSON) && is_json(ct)) {
        q->body = API_BODY_JSON;
    } else if ((ep->bodies & API_BODY_MULTIPART) && ct != NULL &&
               strncasecmp(ct, "multipart/form-data", 19) == 0) {
        if (http_multipart_boundary(ct, boundary) != 0) {
            snprintf(q->hint, sizeof q->hint,
                     "multipart/form-data without a valid boundary");
            refuse(q, API_MALFORMED_REQUEST);
            return;
        }
        q->body = API_BODY_MULTIPART;
    } else {
        snprintf(q->hint, sizeof q->hint, "%s accepts %s, not %s", ep->path,
                 ep->bodies & API_BODY_MULTIPART
                     ? "application/json or multipart/form-data"
                     : "application/json",
                 ct ? ct : "a body without Content-Type");
        refuse(q, API_UNSUPPORTED_CONTENT_TYPE);
        return;
    }

    /* The body may hold the image plus framing; base64 makes it 4/3 as
     * large, and JSON escapes or line breaks a few percent more. */
    size_t max = s->c.engine.max_bytes;
    size_t cap = q->body == API_BODY_JSON ? max / 3 * 4 + max / 16 + BODY_SLACK
                                          : max + BODY_SLACK;
    long long cl = http_req_content_length(r);
    if (cl >= 0 && (unsigned long long)cl > cap) {
        snprintf(q->hint, sizeof q->hint,
                 "the body has %lld bytes; the image may have at most %zu",
                 cl, max);
        refuse(q, api_answer_of_outcome(LC_OUTCOME_IMAGE_TOO_LARGE));
        return;
    }
    size_t want = max;
    if (cl >= 0)
        want = q->body == API_BODY_JSON ? (size_t)cl / 4 * 3 + 16
                                        : (size_t)cl;
    if (want > max)
        want = max;
    if (!api_mem_reserve(s, want)) {
        snprintf(q->hint, sizeof q->hint, "too many large uploads at once");
        refuse(q, API_SERVER_BUSY);
        return;
    }
    q->reserved = want;
    if (q->img_cap < want && cl >= 0) {
        free(q->img);
        q->img = lc_malloc(want ? want : 1);
        q->img_cap = want;
    }
    http_req_body_cap(r, cap, 2 * cap + ((size_t)1 << 20));
    if (q->body == API_BODY_JSON)
        http_json_init(&q->p.json, &api_json_cb, q);
    else
        q->parse_err = http_multipart_init(&q->p.mp, boundary,
                                           &api_multipart_cb, q);
}

static void body(struct http_req *r, const char *p, size_t n)
{
    struct api_req *q = http_req_ctx(r);
    if (q->parse_err)
        return;
    q->parse_err = q->body == API_BODY_JSON
                       ? http_json_feed(&q->p.json, p, n)
                       : http_multipart_feed(&q->p.mp, (const uint8_t *)p, n);
}

static void end(struct http_req *r)
{
    struct api_req *q = http_req_ctx(r);
    struct api_service *s = q->svc;
    size_t max = s->c.engine.max_bytes;
    if (http_req_overflow(r) || q->img_too_big) {
        snprintf(q->hint, sizeof q->hint, "the image may have at most %zu "
                 "bytes", max);
        refuse(q, api_answer_of_outcome(LC_OUTCOME_IMAGE_TOO_LARGE));
        return;
    }
    if (q->img_busy) {
        snprintf(q->hint, sizeof q->hint, "too many large uploads at once");
        refuse(q, API_SERVER_BUSY);
        return;
    }
    if (q->parse_err == 0)
        q->parse_err = q->body == API_BODY_JSON
                           ? http_json_finish(&q->p.json)
                           : http_multipart_finish(&q->p.mp);
    if (q->parse_err != 0) {
        if (q->parse_hint[0])
            snprintf(q->hint, sizeof q->hint, "%s", q->parse_hint);
        else
            snprintf(q->hint, sizeof q->hint, "the body is not a valid %s",
                     q->body == API_BODY_JSON ? "JSON object"
                                              : "multipart/form-data body");
        refuse(q, API_MALFORMED_REQUEST);
        return;
    }
    int a = api_fields_check(q);
    if (a != API_SUCCESS) {
        refuse(q, a);
        return;
    }
    int e = api_job_enqueue(s, r, q);
    if (e != API_SUCCESS)
        refuse(q, e);
}

static void done(struct http_req *r)
{
    struct api_req *q = http_req_ctx(r);
    if (q == NULL)
        return;
    api_mem_release(q->svc, q->reserved);
    req_put(q->svc, q);
}

void api_passive_work(void *state, void *job)
{
    struct api_worker *w = state;
    struct api_req *q = job;
    struct api_service *s = w->svc;
    double t0 = now_ms();
    q->ms_queue = t0 - q->t_queued;
    struct liveness_opts o = {.skip_metadata = q->skip_metadata};
    int rc = liveness_image_check(w->ctx, &s->c.engine, q->img, q->img_n, &o,
                                  &q->res);
    q->ms_work = now_ms() - t0;
    api_infer_record(s, q->ms_work / 1e3);
    int a = rc < 0 ? api_answer_of_outcome(LC_OUTCOME_INTERNAL)
                   : api_answer_of_outcome(q->res.outcome);
    if (a != API_SUCCESS)
        snprintf(q->hint, sizeof q->hint, "%s",
                 rc < 0 ? lc_strerror(rc) : q->res.reason);
    a = record(q, w->store, a, true);
    atomic_fetch_add(&s->jobs_done, 1);
    api_job_complete(q, a);
}

const struct http_handler api_passive_handler = {
    .begin = begin,
    .body = body,
    .end = end,
    .done = done,
};
