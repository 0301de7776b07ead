/* src/api/forensics.c - the rest of the forensics family
 * (../shared/spec/api.md section 4):
 *   POST /v2/kyc/forensics/face_match     image1/image2 files or
 *        image1_url/image2_url, optional threshold (integer 5..95);
 *   POST /v2/kyc/forensics/image_quality  image file or image_url,
 *        optional quality_parameter (all, sharpness, brightness,
 *        compressionQuality, textQuality).
 * multipart/form-data only, with reference_id, consent and
 * consent_purpose (or purpose) as on every route.
 *
 * For each image, exactly one of the file part and the URL: an empty URL
 * counts as absent, and so does an empty file part beside a URL (a browser
 * form with no file chosen sends one). Neither gives
 * error_empty_image_and_image_url (error_empty_image when only an empty
 * part came), both error_image_and_image_url_both_given; the hint names
 * the image (image1, image2, image).
 *
 * On the HTTP thread, as passive.c and video.c do: credentials before the
 * body is read, the Content-Type, the declared size (each image may have
 * max_image_bytes, plus form framing), a share of the body memory budget,
 * the body streamed (text fields through fields.c's sink, each image part
 * straight into its own buffer and never past the cap, URLs and the
 * threshold/quality_parameter into fixed buffers), then the common fields,
 * the endpoint's own fields, the image/URL rule and reference_id
 * uniqueness; then the job is queued and the connection suspended.
 *
 * On a worker: each URL fetched with the safe fetcher (fetch.h: the
 * operator's fetch_allow list and timeouts, capped at max_image_bytes),
 * then the same engine calls as the CLI: liveness_match_embed on each
 * image and liveness_match_data_json (`livecheck match`), or
 * quality_image_check and quality_data_json (`livecheck quality`). A
 * refusal about one image says which in its hint ("image2: more than one
 * face is in the photo"). The transaction row is committed before the
 * answer is handed back; its score is the match percent or the overall
 * quality score.
 */
#include "api_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "livecheck/fetch.h"
#include "livecheck/mem.h"
#include "livecheck/quality.h"

#define URL_MAX 2048                  /* bytes of an image URL kept */
#define SMALL_MAX 64                  /* threshold / quality_parameter */
#define BODY_SLACK ((size_t)64 << 10) /* form fields and multipart framing */

_Static_assert(API_RESP_MAX >= QUALITY_JSON_MAX + 512,
               "the envelope must hold the quality data object");


/* Which part of the body is arriving. */
enum { PART_FIELD, PART_IMAGE, PART_URL, PART_SMALL, PART_SKIP };

struct fx_image {
    bool seen, url_seen, url_overflow, use_url;
    uint8_t *buf;
    size_t n, cap;
    size_t url_n;
    char url[URL_MAX];
};

struct fx_req {
    struct api_req q; /* first: fields.c's sink and the pool take it */
    bool match;       /* face_match, else image_quality */
    int nimg;         /* images the endpoint takes: 2 or 1 */
    int part, cur;    /* the part arriving, and its image */
    int big;          /* the image that passed the cap, -1 none */
    struct fx_image im[2];
    bool small_seen, small_overflow;
    size_t small_n;
    char small[SMALL_MAX]; /* threshold or quality_parameter */
    int threshold;
    unsigned params;
    /* The outcome. */
    float cosine;
    struct liveness_result lr;
    struct quality_result qr;
};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* "image1", "image2" or "image"; with "_url" when url. */
static const char *label(const struct fx_req *v, int i, bool url)
{
    static const char *const names[2][2][2] = {
        {{"image", "image_url"}, {"image", "image_url"}},
        {{"image1", "image1_url"}, {"image2", "image2_url"}},
    };
    return names[v->match][i & 1][url];
}

/* ---- the body ---------------------------------------------------------- */

/* Append bytes of image i, within the cap and the memory reservation. */
static void image_append(struct fx_req *v, int i, const uint8_t *p, size_t n)
{
    struct api_req *q = &v->q;
    struct fx_image *im = &v->im[i];
    size_t max = q->svc->c.engine.max_bytes;
    if (q->img_too_big || q->img_busy || n == 0)
        return;
    if (n > max - im->n) {
        q->img_too_big = true; /* answered 413 in end() */
        v->big = i;
        return;
    }
    size_t need = im->n + n;
    if (need > im->cap) {
        size_t cap = im->cap ? im->cap * 2 : 64 * 1024;
        if (cap < need)
            cap = need;
        if (cap > max)
            cap = max;
        size_t grow = cap - im->cap;
        size_t spare = q->reserved - (v->im[0].cap + v->im[1].cap);
        if (grow > spare) {
            if (!api_mem_reserve(q->svc, grow - spare)) {
                q->img_busy = true;
                return;
            }
            q->reserved += grow - spare;
        }
        im->buf = lc_realloc(im->buf, cap);
        im->cap = cap;
    }
    memcpy(im->buf + im->n, p, n);
    im->n = need;
}

/* The image a part name is about, and whether it is its URL; -1 none. */
static int image_of(const struct fx_req *v, const char *name, bool *url)
{
    for (int i = 0; i < v->nimg; i++)
        for (int u = 0; u < 2; u++)
            if (strcmp(name, label(v, i, u)) == 0) {
                *url = u;
                return i;
            }
    return -1;
}

static int m_begin(void *arg, const char *name, const char *file,
                   const char *ctype)
{
    struct fx_req *v = arg;
    bool url = false;
    int i = image_of(v, name, &url);
    bool small = strcmp(name, v->match ? "threshold" : "quality_parameter") == 0;
    if (i >= 0 || small) {
        bool *seen = small ? &v->small_seen
                           : url ? &v->im[i].url_seen : &v->im[i].seen;
        if (*seen) {
            snprintf(v->q.parse_hint, sizeof v->q.parse_hint,
                     "the field %s is given twice", name);
            return LC_EFORMAT;
        }
        *seen = true;
        v->part = small ? PART_SMALL : url ? PART_URL : PART_IMAGE;
        v->cur = i;
        return 0;
    }
    if (strcmp(name, "image") == 0 || strcmp(name, "video") == 0) {
        v->part = PART_SKIP; /* not this endpoint's: ignored, not kept */
        return 0;
    }
    v->part = PART_FIELD;
    return api_multipart_cb.part_begin(arg, name, file, ctype);
}

static void text_append(char *buf, size_t size, size_t *len, bool *overflow,
                        const uint8_t *p, size_t n)
{
    size_t room = size - 1 - *len;
    if (n > room) {
        *overflow = true;
        n = room;
    }
    memcpy(buf + *len, p, n);
    *len += n;
    buf[*len] = 0;
}

static int m_data(void *arg, const uint8_t *p, size_t n)
{
    struct fx_req *v = arg;
    switch (v->part) {
    case PART_IMAGE:
        image_append(v, v->cur, p, n);
        return 0;
    case PART_URL: {
        struct fx_image *im = &v->im[v->cur];
        text_append(im->url, sizeof im->url, &im->url_n, &im->url_overflow,
                    p, n);
        return 0;
    }
    case PART_SMALL:
        text_append(v->small, sizeof v->small, &v->small_n,
                    &v->small_overflow, p, n);
        return 0;
    case PART_SKIP:
        return 0;
    default:
        return api_multipart_cb.part_data(arg, p, n);
    }
}

static int m_end(void *arg)
{
    struct fx_req *v = arg;
    v->part = PART_FIELD;
    return api_multipart_cb.part_end(arg);
}

static const struct http_multipart_cb fx_cb = {m_begin, m_data, m_end};

/* ---- rows and answers -------------------------------------------------- */

static void row_of(const struct api_req *q, int a, bool claim,
                   struct store_txn *t)
{
    const struct fx_req *v = (const struct fx_req *)q;
    bool ok = api_answer_status(a) == 200;
    const struct media_info *info = v->match ? &v->lr.info : &v->qr.info;
    api_txn_row(q, a, claim, t);
    /* score: the match percent (rounded) or the overall quality score. */
    t->score = !ok ? -1
               : v->match ? liveness_match_score(v->cosine)
                          : v->qr.overall;
    for (int i = 0; i < 4; i++)
        t->face[i] = ok && !v->match && v->qr.m.face
                         ? (int)v->qr.m.face_box[i]
                         : -1;
    t->width = info->width > 0 ? info->width : -1;
    t->height = info->height > 0 ? info->height : -1;
    t->bytes = (int64_t)(v->im[0].n + v->im[1].n);
    t->ms_decode = ok && !v->match ? v->qr.ms_decode : -1;
    t->ms_liveness = ok ? q->ms_work : -1;
}

/* A success envelope with the endpoint's own key, message and data. */
static size_t success(char *out, size_t n, const char *txn, int a,
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

/* Store the row (claiming the reference_id when asked) and render the
 * answer into q->resp. Returns the answer actually given. */
static int record(struct fx_req *v, struct store *st, int a, bool claim)
{
    struct api_req *q = &v->q;
    a = api_txn_commit(q, st, a, claim, row_of);
    q->resp_n = 0;
    if (api_answer_status(a) == 200) {
        char data[QUALITY_JSON_MAX];
        size_t k = v->match ? liveness_match_data_json(v->cosine, v->threshold,
                                                       data, sizeof data)
                            : quality_data_json(&v->qr, data, sizeof data);
        if (k + 1 < sizeof data)
            q->resp_n = success(q->resp, sizeof q->resp, q->txn, a, data);
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
static void refuse(struct fx_req *v, int a)
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
    struct fx_req *v = lc_calloc(1, sizeof *v);
    struct api_req *q = &v->q;
    v->match = ep->kind == API_KIND_FACE_MATCH;
    v->nimg = v->match ? 2 : 1;
    v->big = -1;
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
    size_t max = s->c.engine.max_bytes * (size_t)v->nimg;
    size_t cap = max + BODY_SLACK;
    long long cl = http_req_content_length(r);
    if (cl >= 0 && (unsigned long long)cl > cap) {
        snprintf(q->hint, sizeof q->hint,
                 "the body has %lld bytes; %s may have at most %zu bytes",
                 cl, v->match ? "each image" : "the image",
                 s->c.engine.max_bytes);
        refuse(v, api_answer_of_outcome(LC_OUTCOME_IMAGE_TOO_LARGE));
        return;
    }
    size_t want = cl >= 0 && (size_t)cl < max ? (size_t)cl : max;
    if (!api_mem_reserve(s, want)) {
        snprintf(q->hint, sizeof q->hint, "too many large uploads at once");
        refuse(v, API_SERVER_BUSY);
        return;
    }
    q->reserved = want;
    http_req_body_cap(r, cap, 2 * cap + ((size_t)1 << 20));
    q->parse_err = http_multipart_init(&q->p.mp, boundary, &fx_cb, v);
}

static void body(struct http_req *r, const char *p, size_t n)
{
    struct fx_req *v = http_req_ctx(r);
    if (v->q.parse_err)
        return;
    v->q.parse_err = http_multipart_feed(&v->q.p.mp, (const uint8_t *)p, n);
}

/* Trim ASCII white space in place; false when a control character is
 * left. */
static bool clean(char *s, size_t *len)
{
    size_t i = 0, n = *len;
    while (i < n && strchr(" \t\r\n", s[i]))
        i++;
    while (n > i && strchr(" \t\r\n", s[n - 1]))
        n--;
    memmove(s, s + i, n - i);
    *len = n - i;
    s[*len] = 0;
    for (size_t k = 0; k < *len; k++)
        if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
            return false;
    return true;
}

/* threshold or quality_parameter; API_SUCCESS or the refusal. */
static int own_field(struct fx_req *v)
{
    struct api_req *q = &v->q;
    bool ok = clean(v->small, &v->small_n);
    if (v->match) {
        v->threshold = q->svc->c.engine.match_threshold;
        if (v->small_n == 0)
            return API_SUCCESS;
        char *end;
        long t = strtol(v->small, &end, 10);
        if (!ok || v->small_overflow || *end || t < 5 || t > 95) {
            snprintf(q->hint, sizeof q->hint,
                     "threshold (an integer 5..95) is '%.40s%s'", v->small,
                     v->small_overflow ? "..." : "");
            return API_INVALID_THRESHOLD;
        }
        v->threshold = (int)t;
        return API_SUCCESS;
    }
    v->params = ok && !v->small_overflow ? quality_param_parse(v->small) : 0;
    if (v->params == 0) {
        snprintf(q->hint, sizeof q->hint, "quality_parameter is '%.40s%s'",
                 v->small, v->small_overflow ? "..." : "");
        return API_INVALID_QUALITY_PARAMETER;
    }
    return API_SUCCESS;
}

/* The image/URL rule for image i; API_SUCCESS or the refusal. */
static int image_rule(struct fx_req *v, int i)
{
    struct api_req *q = &v->q;
    struct fx_image *im = &v->im[i];
    bool url_ok = clean(im->url, &im->url_n);
    bool has_file = im->n > 0, has_url = im->url_n > 0;
    const char *f = label(v, i, false), *u = label(v, i, true);
    if (has_file && has_url) {
        snprintf(q->hint, sizeof q->hint, "%s and %s are both given", f, u);
        return API_IMAGE_AND_URL_BOTH;
    }
    if (!has_file && !has_url) {
        if (im->seen && !im->url_seen) {
            snprintf(q->hint, sizeof q->hint, "%s has no bytes", f);
            return api_answer_of_outcome(LC_OUTCOME_EMPTY_IMAGE);
        }
        snprintf(q->hint, sizeof q->hint, "%s (file) or %s (string)", f, u);
        return API_EMPTY_IMAGE_AND_URL;
    }
    if (has_url && (im->url_overflow || !url_ok)) {
        snprintf(q->hint, sizeof q->hint,
                 im->url_overflow ? "%s is longer than %d bytes"
                                  : "%s holds control characters",
                 u, URL_MAX - 1);
        return API_INVALID_IMAGE_URL;
    }
    im->use_url = has_url;
    return API_SUCCESS;
}

static void end(struct http_req *r)
{
    struct fx_req *v = http_req_ctx(r);
    struct api_req *q = &v->q;
    struct api_service *s = q->svc;
    if (http_req_overflow(r) || q->img_too_big) {
        if (v->big >= 0)
            snprintf(q->hint, sizeof q->hint, "%s may have at most %zu bytes",
                     label(v, v->big, false), s->c.engine.max_bytes);
        else
            snprintf(q->hint, sizeof q->hint,
                     "%s may have at most %zu bytes",
                     v->match ? "each image" : "the image",
                     s->c.engine.max_bytes);
        refuse(v, api_answer_of_outcome(LC_OUTCOME_IMAGE_TOO_LARGE));
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
    if (a == API_SUCCESS)
        a = own_field(v);
    for (int i = 0; i < v->nimg && a == API_SUCCESS; i++)
        a = image_rule(v, i);
    if (a != API_SUCCESS) {
        refuse(v, a);
        return;
    }
    int e = api_job_enqueue(s, r, q);
    if (e != API_SUCCESS)
        refuse(v, e);
}

static void release_images(struct fx_req *v)
{
    for (int i = 0; i < 2; i++) {
        free(v->im[i].buf);
        v->im[i].buf = NULL;
        v->im[i].cap = 0;
    }
}

static void done(struct http_req *r)
{
    struct fx_req *v = http_req_ctx(r);
    if (v == NULL)
        return;
    api_mem_release(v->q.svc, v->q.reserved);
    release_images(v);
    free(v->q.img); /* fields.c never fills it here; kept for safety */
    free(v);
}

/* ---- the job ----------------------------------------------------------- */

/* Fetch image i's URL into its buffer; API_SUCCESS or the refusal. */
static int fetch_image(struct fx_req *v, int i)
{
    struct api_req *q = &v->q;
    struct api_service *s = q->svc;
    struct fx_image *im = &v->im[i];
    struct fetch_config fc = s->c.fetch;
    fc.max_bytes = s->c.engine.max_bytes;
    uint8_t *body = NULL;
    size_t n = 0;
    struct lc_diag d = {{0}};
    int rc = fetch_url(&fc, im->url, &body, &n, NULL, &d);
    const char *u = label(v, i, true);
    if (rc < 0) {
        snprintf(q->hint, sizeof q->hint, "%s: %.180s", u,
                 d.msg[0] ? d.msg : lc_strerror(rc));
        switch (rc) {
        case LC_EFORMAT:
        case LC_EUNSUP:
            return API_INVALID_IMAGE_URL;
        case LC_EDENIED:
            return API_IMAGE_URL_NOT_ALLOWED;
        case LC_EUNREACH:
            return API_IMAGE_URL_UNREACHABLE;
        case LC_EHTTP:
            return API_IMAGE_URL_HTTP_ERROR;
        case LC_ETOOBIG:
            return api_answer_of_outcome(LC_OUTCOME_IMAGE_TOO_LARGE);
        default:
            return api_answer_of_outcome(LC_OUTCOME_INTERNAL);
        }
    }
    free(im->buf);
    im->buf = body;
    im->n = im->cap = n;
    if (n == 0) {
        snprintf(q->hint, sizeof q->hint, "%s: the URL gave no bytes", u);
        return api_answer_of_outcome(LC_OUTCOME_EMPTY_IMAGE);
    }
    return API_SUCCESS;
}

static int match_job(struct api_worker *w, struct fx_req *v)
{
    struct api_req *q = &v->q;
    float emb[2][VISION_EMBED_DIM];
    for (int i = 0; i < 2; i++) {
        int rc = liveness_match_embed(w->ctx, &q->svc->c.engine, v->im[i].buf,
                                      v->im[i].n, emb[i], &v->lr);
        if (rc < 0 || v->lr.outcome != LC_OUTCOME_OK) {
            snprintf(q->hint, sizeof q->hint, "%s: %s", label(v, i, false),
                     rc < 0 ? lc_strerror(rc) : v->lr.reason);
            return api_answer_of_outcome(rc < 0 ? LC_OUTCOME_INTERNAL
                                                : v->lr.outcome);
        }
    }
    v->cosine = vision_embed_cosine(emb[0], emb[1]);
    return API_FACE_MATCH_DONE;
}

static int quality_job(struct api_worker *w, struct fx_req *v)
{
    struct api_req *q = &v->q;
    struct quality_config qc;
    quality_config_default(&qc);
    qc.max_bytes = q->svc->c.engine.max_bytes;
    int rc = quality_image_check(w->ctx, &qc, v->im[0].buf, v->im[0].n,
                                 v->params, &v->qr);
    if (rc < 0 || v->qr.outcome != LC_OUTCOME_OK) {
        snprintf(q->hint, sizeof q->hint, "%s: %s", label(v, 0, false),
                 rc < 0 ? lc_strerror(rc) : v->qr.reason);
        return api_answer_of_outcome(rc < 0 ? LC_OUTCOME_INTERNAL
                                            : v->qr.outcome);
    }
    return API_IMAGE_QUALITY_DONE;
}

void api_forensics_work(void *state, void *job)
{
    struct api_worker *w = state;
    struct fx_req *v = job; /* the api_req is its first member */
    struct api_req *q = &v->q;
    struct api_service *s = w->svc;
    double t0 = now_ms();
    q->ms_queue = t0 - q->t_queued;
    int a = API_SUCCESS;
    for (int i = 0; i < v->nimg && a == API_SUCCESS; i++)
        if (v->im[i].use_url)
            a = fetch_image(v, i);
    if (a == API_SUCCESS)
        a = v->match ? match_job(w, v) : quality_job(w, v);
    q->ms_work = now_ms() - t0;
    api_infer_record(s, q->ms_work / 1e3);
    a = record(v, w->store, a, true);
    /* The bytes are no longer needed; the reservation goes in done(). */
    release_images(v);
    atomic_fetch_add(&s->jobs_done, 1);
    api_job_complete(q, a);
}

const struct http_handler api_forensics_handler = {
    .begin = begin,
    .body = body,
    .end = end,
    .done = done,
};
