/* src/api/capture.c - what the capture page (web/capture.html) calls,
 * authorised by the capture token in the path instead of credentials:
 *
 *   GET  /v2/capture/<token>         the session's challenge, or why the
 *                                    link cannot be used
 *   POST /v2/capture/<token>         the recording (multipart: `video`, a
 *                                    webm or mp4 file, and `meta`, the
 *                                    page's JSON: prompt times, location)
 *   GET  /v2/capture/<token>/status  where the analysis stands, and the
 *                                    redirect URL
 *
 * The token is 256 random bits; only its hash is stored and looked up, so
 * the lookup leaks nothing about valid tokens. A link is single-use: the
 * first recording accepted moves the session out of "pending" in the same
 * store transaction that stores it, so a second upload (or a replayed
 * request) finds it used. Uploads refused before that (no video, not mp4
 * or webm, bad metadata, too large) count as attempts, and a link allows
 * capture_attempts of them. The recording is checked further (decoding,
 * faces, the challenge) by the analysis job (jobs.c).
 */
#include "api_int.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "livecheck/mem.h"

static const char prefix[] = "/v2/capture/";

enum { PART_NONE, PART_VIDEO, PART_META };

struct cap_req {
    struct api_req q; /* q.img holds the recording */
    char token[SIGN_TOKEN_MAX];
    bool status;      /* .../status */
    int part;
    bool video_seen, meta_seen, meta_overflow;
    size_t meta_n;
    char meta[STORE_META_MAX];
    struct store_session ss;
};

static const char *prompt_text(enum active_prompt_kind k)
{
    switch (k) {
    case ACTIVE_TURN_LEFT:
        return "Turn your head to your left";
    case ACTIVE_TURN_RIGHT:
        return "Turn your head to your right";
    case ACTIVE_BLINK:
        return "Blink your eyes";
    default:
        return "Read these digits aloud:";
    }
}

void api_capture_url(const struct api_service *s, const char *token,
                     char *out, size_t n)
{
    snprintf(out, n, "%s/capture/%s", s->public_url, token);
}

void api_redirect_url(const struct store_session *ss, const char *status,
                      char *out, size_t n)
{
    if (ss->redirect_url[0] == 0) {
        out[0] = 0;
        return;
    }
    const char *q = strchr(ss->redirect_url, '?');
    const char *frag = strchr(ss->redirect_url, '#');
    int base = frag ? (int)(frag - ss->redirect_url)
                    : (int)strlen(ss->redirect_url);
    snprintf(out, n, "%.*s%sdecentroTxnId=%s&status=%s%s", base,
             ss->redirect_url,
             q && (!frag || q < frag) ? (ss->redirect_url[base - 1] == '?' ||
                                                 ss->redirect_url[base - 1] ==
                                                     '&'
                                             ? ""
                                             : "&")
                                      : "?",
             ss->txn, status, frag ? frag : "");
}

/* ---- answers ----------------------------------------------------------- */

static void answer_error(struct cap_req *c, int a)
{
    struct api_req *q = &c->q;
    q->resp_n = api_envelope(q->resp, sizeof q->resp, q->txn, a, q->hint,
                             NULL);
    http_req_log_set(q->http, q->txn, NULL, a);
    api_refused_answer(q, a);
}

static void answer_data(struct cap_req *c, int a, const char *data)
{
    struct api_req *q = &c->q;
    size_t n = strlen(data) + 512;
    char *out = lc_malloc(n);
    size_t k = api_envelope_answer(out, n, q->txn, a, data);
    static const char *const no_store[] = {"Cache-Control", "no-store", NULL};
    http_req_log_set(q->http, q->txn, NULL, a);
    http_req_answer(q->http, api_answer_status(a), "application/json", out, k,
                    HTTP_MEM_FREE, no_store);
}

/* The session of c->token into c->ss; API_SUCCESS when it is pending and
 * can take a recording, else the refusal. For status reads any known
 * session is fine. */
static int session_find(struct cap_req *c, bool for_status)
{
    struct api_service *s = c->q.svc;
    size_t n = strlen(c->token);
    if (n != SIGN_TOKEN_MAX - 1 ||
        strspn(c->token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                         "wxyz0123456789-_") != n)
        return API_CAPTURE_LINK_INVALID;
    char h[SIGN_HEX_MAX];
    sign_token_hash(c->token, h);
    int rc = store_session_by_token(s->store, h, &c->ss);
    if (rc == LC_ENOTFOUND)
        return API_CAPTURE_LINK_INVALID;
    if (rc < 0) {
        api_store_failed(s);
        return API_STORE_UNAVAILABLE;
    }
    if (for_status)
        return API_SUCCESS;
    if (c->ss.state != STORE_SESSION_PENDING)
        return API_CAPTURE_LINK_USED;
    if (c->ss.expires_ms <= store_now_ms())
        return API_CAPTURE_LINK_EXPIRED;
    if (c->ss.attempts >= c->ss.max_attempts)
        return API_CAPTURE_ATTEMPTS_EXHAUSTED;
    return API_SUCCESS;
}

static void session_answer(struct cap_req *c)
{
    struct active_challenge ch;
    if (active_challenge_parse(&ch, c->ss.challenge, NULL) < 0) {
        answer_error(c, api_answer_of_outcome(LC_OUTCOME_INTERNAL));
        return;
    }
    char data[2048];
    size_t n = 0;
    double duration = 0;
    n += (size_t)snprintf(data + n, sizeof data - n,
                          "{\"transactionId\":\"%s\",\"state\":\"pending\","
                          "\"expiresAt\":%lld,\"attemptsLeft\":%d,"
                          "\"prompts\":[",
                          c->ss.txn, (long long)c->ss.expires_ms,
                          c->ss.max_attempts - c->ss.attempts);
    for (int i = 0; i < ch.nprompts && n < sizeof data - 300; i++) {
        const struct active_prompt *p = &ch.p[i];
        bool digits = p->kind == ACTIVE_DIGITS_SPOKEN;
        char spaced[2 * SPEECH_DIGITS_MAX + 2] = "";
        size_t m = 0;
        for (size_t k = 0; digits && ch.digits[k]; k++) {
            if (k)
                spaced[m++] = ' ';
            spaced[m++] = ch.digits[k];
        }
        spaced[m] = 0;
        n += (size_t)snprintf(
            data + n, sizeof data - n,
            "%s{\"kind\":\"%s\",\"text\":\"%s%s%s\",%s%s%s\"start\":%.2f,"
            "\"end\":%.2f}",
            i ? "," : "", active_prompt_name(p->kind), prompt_text(p->kind),
            digits ? " " : "", spaced, digits ? "\"digits\":\"" : "",
            digits ? ch.digits : "", digits ? "\"," : "", p->start, p->end);
        if (p->end > duration)
            duration = p->end;
    }
    snprintf(data + n, sizeof data - n, "],\"duration\":%.2f}",
             duration + 0.5);
    answer_data(c, API_CAPTURE_SESSION, data);
}

static void status_answer(struct cap_req *c)
{
    const struct store_session *ss = &c->ss;
    bool expired = ss->state == STORE_SESSION_PENDING &&
                   ss->expires_ms <= store_now_ms();
    const char *state = expired ? "expired"
                        : ss->state == STORE_SESSION_QUEUED
                            ? "processing"
                            : store_session_state_name(ss->state);
    const char *status = ss->state == STORE_SESSION_DONE     ? "SUCCESS"
                         : ss->state == STORE_SESSION_FAILED ? "FAILURE"
                         : expired                           ? "FAILURE"
                                                             : "PROCESSING";
    char url[STORE_URL_MAX + 128], esc[2 * sizeof url], data[sizeof esc + 256];
    api_redirect_url(ss, status, url, sizeof url);
    http_json_escape(esc, sizeof esc, url);
    snprintf(data, sizeof data,
             "{\"state\":\"%s\",\"status\":\"%s\",\"redirectUrl\":\"%s\"}",
             state, status, esc);
    answer_data(c, API_CAPTURE_STATUS, data);
}

/* ---- the body ---------------------------------------------------------- */

static int m_begin(void *arg, const char *name, const char *file,
                   const char *ctype)
{
    struct cap_req *c = arg;
    (void)file;
    (void)ctype;
    bool video = strcmp(name, "video") == 0, meta = strcmp(name, "meta") == 0;
    if ((video && c->video_seen) || (meta && c->meta_seen)) {
        snprintf(c->q.parse_hint, sizeof c->q.parse_hint,
                 "the field %s is given twice", name);
        return LC_EFORMAT;
    }
    c->video_seen |= video;
    c->meta_seen |= meta;
    c->part = video ? PART_VIDEO : meta ? PART_META : PART_NONE;
    return 0;
}

static int m_data(void *arg, const uint8_t *p, size_t n)
{
    struct cap_req *c = arg;
    if (c->part == PART_VIDEO) {
        api_jbody_append(&c->q, (const char *)p, n,
                         c->q.svc->c.active.max_bytes);
    } else if (c->part == PART_META) {
        size_t room = sizeof c->meta - 1 - c->meta_n;
        if (n > room) {
            c->meta_overflow = true;
            n = room;
        }
        memcpy(c->meta + c->meta_n, p, n);
        c->meta_n += n;
        c->meta[c->meta_n] = 0;
    }
    return 0;
}

static int m_end(void *arg)
{
    ((struct cap_req *)arg)->part = PART_NONE;
    return 0;
}

static const struct http_multipart_cb cap_cb = {m_begin, m_data, m_end};

/* The page's metadata, checked and rewritten compactly in place. */
static bool meta_check(struct cap_req *c)
{
    if (c->meta_overflow)
        return false;
    return api_capture_meta_check(c->meta, c->meta_n, c->meta,
                                  sizeof c->meta);
}

/* ---- the handler ------------------------------------------------------- */

static void begin(struct http_req *r)
{
    const struct api_route *rt = http_req_route_data(r);
    struct api_service *s = rt->svc;
    struct cap_req *c = lc_calloc(1, sizeof *c);
    struct api_req *q = &c->q;
    q->svc = s;
    q->http = r;
    q->ep = rt->ep;
    q->cur = -1;
    api_txn_id(q->txn);
    http_req_set_ctx(r, c);
    http_req_log_set(r, q->txn, NULL, -1);
    const char *tok = http_req_path(r) + sizeof prefix - 1;
    const char *slash = strchr(tok, '/');
    size_t n = slash ? (size_t)(slash - tok) : strlen(tok);
    c->status = slash != NULL && strcmp(slash, "/status") == 0;
    if (n >= sizeof c->token || (slash != NULL && !c->status)) {
        answer_error(c, API_CAPTURE_LINK_INVALID);
        return;
    }
    memcpy(c->token, tok, n);
    c->token[n] = 0;
    if (http_req_method(r) != HTTP_POST) {
        int a = session_find(c, c->status);
        if (a != API_SUCCESS)
            answer_error(c, a);
        else if (c->status)
            status_answer(c);
        else
            session_answer(c);
        return;
    }
    if (c->status) {
        answer_error(c, API_METHOD_NOT_ALLOWED);
        return;
    }
    int a = session_find(c, false);
    if (a != API_SUCCESS) {
        answer_error(c, a);
        return;
    }
    const char *ct = http_req_header(r, "Content-Type");
    char boundary[HTTP_MP_BOUNDARY_MAX + 1];
    if (ct == NULL || http_multipart_boundary(ct, boundary) != 0) {
        snprintf(q->hint, sizeof q->hint,
                 "the recording is sent as multipart/form-data");
        answer_error(c, API_UNSUPPORTED_CONTENT_TYPE);
        return;
    }
    size_t max = s->c.active.max_bytes, cap = max + STORE_META_MAX + 65536;
    long long cl = http_req_content_length(r);
    if (cl >= 0 && (unsigned long long)cl > cap) {
        store_session_attempt(s->store, c->ss.txn);
        snprintf(q->hint, sizeof q->hint,
                 "the body has %lld bytes; the recording may have at most "
                 "%zu", cl, max);
        answer_error(c, api_answer_of_outcome(LC_OUTCOME_VIDEO_TOO_LARGE));
        return;
    }
    http_req_body_cap(r, cap, 2 * cap + ((size_t)1 << 20));
    q->parse_err = http_multipart_init(&q->p.mp, boundary, &cap_cb, c);
}

static void body(struct http_req *r, const char *p, size_t n)
{
    struct cap_req *c = http_req_ctx(r);
    if (c->q.parse_err == 0)
        c->q.parse_err =
            http_multipart_feed(&c->q.p.mp, (const uint8_t *)p, n);
}

/* A refused upload: count the attempt, then answer. */
static void refuse_upload(struct cap_req *c, int a)
{
    if (store_session_attempt(c->q.svc->store, c->ss.txn) < 0)
        api_store_failed(c->q.svc);
    answer_error(c, a);
}

static void end(struct http_req *r)
{
    struct cap_req *c = http_req_ctx(r);
    struct api_req *q = &c->q;
    struct api_service *s = q->svc;
    if (http_req_overflow(r) || q->img_too_big) {
        snprintf(q->hint, sizeof q->hint,
                 "the recording may have at most %zu bytes",
                 s->c.active.max_bytes);
        refuse_upload(c, api_answer_of_outcome(LC_OUTCOME_VIDEO_TOO_LARGE));
        return;
    }
    if (q->img_busy) {
        snprintf(q->hint, sizeof q->hint, "too many large uploads at once");
        answer_error(c, API_SERVER_BUSY);
        return;
    }
    if (q->parse_err == 0)
        q->parse_err = http_multipart_finish(&q->p.mp);
    if (q->parse_err != 0) {
        snprintf(q->hint, sizeof q->hint, "%s",
                 q->parse_hint[0] ? q->parse_hint
                                  : "the body is not valid multipart");
        refuse_upload(c, API_MALFORMED_REQUEST);
        return;
    }
    if (q->img_n == 0) {
        refuse_upload(c, api_answer_of_outcome(LC_OUTCOME_EMPTY_VIDEO));
        return;
    }
    enum media_container k = media_container_sniff(q->img, q->img_n);
    if (k == MEDIA_CONTAINER_UNKNOWN) {
        refuse_upload(c,
                      api_answer_of_outcome(LC_OUTCOME_INVALID_VIDEO_FORMAT));
        return;
    }
    if (!meta_check(c)) {
        refuse_upload(c, API_INVALID_CAPTURE_METADATA);
        return;
    }
    uint8_t h[crypto_hash_sha256_BYTES];
    char sha[SIGN_HEX_MAX], tok[SIGN_TOKEN_MAX], mid[SIGN_HEX_MAX];
    crypto_hash_sha256(h, q->img, q->img_n);
    sign_hex(h, sizeof h, sha);
    sign_token_new(tok);
    sign_token_hash(tok, mid);
    struct store_media m = {.data = q->img, .n = q->img_n,
                            .created_ms = store_now_ms()};
    snprintf(m.id, sizeof m.id, "%.32s", mid);
    snprintf(m.txn, sizeof m.txn, "%s", c->ss.txn);
    snprintf(m.kind, sizeof m.kind, "capture");
    snprintf(m.ctype, sizeof m.ctype, "%s",
             k == MEDIA_CONTAINER_WEBM ? "video/webm" : "video/mp4");
    bool dup = false;
    uint8_t *sealed = api_media_seal(s, &m);
    int rc = store_session_upload(s->store, c->ss.txn, &m, sha, c->meta,
                                  m.created_ms, &dup);
    free(sealed);
    if (rc == LC_ECONFLICT) { /* used or expired meanwhile */
        int a = session_find(c, false);
        answer_error(c, a == API_SUCCESS ? API_CAPTURE_LINK_USED : a);
        return;
    }
    if (rc < 0) {
        api_store_failed(s);
        answer_error(c, API_STORE_UNAVAILABLE);
        return;
    }
    api_jobs_kick(s);
    char url[STORE_URL_MAX + 128], esc[2 * sizeof url], data[sizeof esc + 128];
    api_redirect_url(&c->ss, "PROCESSING", url, sizeof url);
    http_json_escape(esc, sizeof esc, url);
    snprintf(data, sizeof data,
             "{\"state\":\"processing\",\"redirectUrl\":\"%s\"}", esc);
    answer_data(c, API_CAPTURE_RECEIVED, data);
}

static void done(struct http_req *r)
{
    struct cap_req *c = http_req_ctx(r);
    if (c == NULL)
        return;
    api_jbody_free(&c->q);
    free(c);
}

const struct http_handler api_capture_handler = {
    .begin = begin,
    .body = body,
    .end = end,
    .done = done,
};
