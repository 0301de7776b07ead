/* src/api/results.c - POST /v2/kyc/forensics/active_video_liveness/:id:
 * a session's results (spec/api.md 3c).
 *
 * JSON: consent, purpose, reference_id (must be the session's). The id is
 * the initiate's decentroTxnId; a session of another client is not found,
 * exactly as one that does not exist. Until the analysis is done the
 * answer is a success whose data says where the session stands
 * ({"status": "pending" | "processing" | "expired" | "failed"}); once it
 * is done, the stored results with every "media:<id>" turned into a
 * freshly signed image URL. Everything runs on the HTTP thread: one
 * indexed read. Each request is stored as a transaction that claims
 * nothing.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "livecheck/mem.h"

#define RESULTS_BODY_MAX ((size_t)64 << 10)

static const char prefix[] = "/v2/kyc/forensics/active_video_liveness/";

static void answer(struct api_req *q, int a, const char *data)
{
    int given = api_txn_commit(q, q->svc->store, a, false, api_txn_row);
    if (given != a) { /* the store failed */
        a = given;
        data = NULL;
    }
    http_req_log_set(q->http, q->txn, q->client, a);
    if (data == NULL) {
        q->resp_n = api_envelope(q->resp, sizeof q->resp, q->txn, a, q->hint,
                                 NULL);
        api_refused_answer(q, a);
        return;
    }
    size_t n = strlen(data) + 1024;
    char *out = lc_malloc(n);
    size_t k = api_envelope_answer(out, n, q->txn, a, data);
    http_req_answer(q->http, api_answer_status(a), "application/json", out, k,
                    HTTP_MEM_FREE, NULL);
}

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
    struct api_req *q = lc_calloc(1, sizeof *q);
    q->svc = s;
    q->cur = -1;
    q->http = r;
    q->ep = rt->ep;
    q->body = API_BODY_JSON;
    memcpy(q->txn, txn, sizeof txn);
    memcpy(q->client, client, sizeof client);
    q->created_ms = store_now_ms();
    http_req_set_ctx(r, q);
    http_req_log_set(r, txn, client, -1);
    const char *ct = http_req_header(r, "Content-Type");
    if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0) {
        snprintf(q->hint, sizeof q->hint,
                 "this endpoint accepts application/json, not %s",
                 ct ? ct : "a body without Content-Type");
        answer(q, API_UNSUPPORTED_CONTENT_TYPE, NULL);
        return;
    }
    http_req_body_cap(r, RESULTS_BODY_MAX, 4 * RESULTS_BODY_MAX);
}

static void body(struct http_req *r, const char *p, size_t n)
{
    api_jbody_append(http_req_ctx(r), p, n, RESULTS_BODY_MAX);
}

static void end(struct http_req *r)
{
    struct api_req *q = http_req_ctx(r);
    struct api_service *s = q->svc;
    if (http_req_overflow(r) || q->img_too_big || q->img_busy) {
        snprintf(q->hint, sizeof q->hint, "the body may have at most %zu "
                 "bytes", RESULTS_BODY_MAX);
        answer(q, API_MALFORMED_REQUEST, NULL);
        return;
    }
    json_t *root = api_jbody_parse(q);
    if (root == NULL) {
        answer(q, API_MALFORMED_REQUEST, NULL);
        return;
    }
    json_decref(root);
    int a = api_common_fields_check(q);
    if (a != API_SUCCESS) {
        answer(q, a, NULL);
        return;
    }
    const char *id = http_req_path(r) + sizeof prefix - 1;
    struct store_session *ss = lc_calloc(1, sizeof *ss);
    int rc = strlen(id) == STORE_TXN_ID_LEN
                 ? store_session_get(s->store, id, ss)
                 : LC_ENOTFOUND;
    if (rc == 0 && strcmp(ss->client_id, q->client) != 0)
        rc = LC_ENOTFOUND;
    if (rc < 0) {
        if (rc != LC_ENOTFOUND)
            api_store_failed(s);
        answer(q, rc == LC_ENOTFOUND
                      ? API_TRANSACTION_NOT_FOUND
                      : API_STORE_UNAVAILABLE,
               NULL);
        free(ss);
        return;
    }
    if (strcmp(ss->reference_id, q->ref) != 0) {
        answer(q, API_REFERENCE_ID_MISMATCH, NULL);
        free(ss);
        return;
    }
    if (ss->state == STORE_SESSION_DONE) {
        char *data = api_media_expand(s, ss->result);
        answer(q, API_SESSION_RESULTS, data);
        free(data);
        free(ss);
        return;
    }
    char data[256];
    const char *st = ss->state == STORE_SESSION_FAILED ? "failed"
                     : ss->state != STORE_SESSION_PENDING ? "processing"
                     : ss->expires_ms <= store_now_ms()   ? "expired"
                                                           : "pending";
    snprintf(data, sizeof data,
             "{\"status\":\"%s\",\"reason\":%s%s%s,\"expiresAt\":%lld}", st,
             ss->error_key[0] ? "\"" : "",
             ss->error_key[0] ? ss->error_key : "null",
             ss->error_key[0] ? "\"" : "", (long long)ss->expires_ms);
    answer(q, API_SESSION_STATE, data);
    free(ss);
}

static void done(struct http_req *r)
{
    struct api_req *q = http_req_ctx(r);
    if (q == NULL)
        return;
    api_jbody_free(q);
    free(q);
}

const struct http_handler api_results_handler = {
    .begin = begin,
    .body = body,
    .end = end,
    .done = done,
};
