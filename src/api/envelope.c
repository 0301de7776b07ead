/* src/api/envelope.c - the answers table, transaction ids and the JSON
 * envelope every API response is wrapped in (../shared/spec/api.md,
 * "Envelope"). Envelopes are written with snprintf into the request's own
 * buffer: the fields are ours except the hint, which is escaped. */
#include "api_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct row {
    const char *key;
    int status;
    const char *code;
    const char *msg;
};

static const struct row rows[API_OUTCOME_BASE] = {
    [API_SUCCESS] = {"success_liveness_check", 200, "S00000",
                     "Passive liveness check performed successfully"},
#define X(name, key, status, code, msg) [API_##name] = {key, status, code, msg},
    API_ERR_MAP(X)
#undef X
};

int api_answer_of_outcome(enum lc_outcome o)
{
    if (o == LC_OUTCOME_OK)
        return API_SUCCESS;
    if ((unsigned)o >= LC_OUTCOME_COUNT)
        o = LC_OUTCOME_INTERNAL;
    return API_OUTCOME_BASE + (int)o - 1;
}

static enum lc_outcome outcome_of(int a)
{
    return (enum lc_outcome)(a - API_OUTCOME_BASE + 1);
}

const char *api_answer_key(int a)
{
    if (a >= 0 && a < API_OUTCOME_BASE)
        return rows[a].key;
    if (a < API_ANSWER_COUNT)
        return lc_outcome_key(outcome_of(a));
    return lc_outcome_key(LC_OUTCOME_INTERNAL);
}

int api_answer_status(int a)
{
    if (a >= 0 && a < API_OUTCOME_BASE)
        return rows[a].status;
    return lc_outcome_status(a < API_ANSWER_COUNT ? outcome_of(a)
                                                  : LC_OUTCOME_INTERNAL);
}

const char *api_answer_code(int a)
{
    if (a >= 0 && a < API_OUTCOME_BASE)
        return rows[a].code;
    return lc_outcome_code(a < API_ANSWER_COUNT ? outcome_of(a)
                                                : LC_OUTCOME_INTERNAL);
}

const char *api_answer_message(int a)
{
    if (a >= 0 && a < API_OUTCOME_BASE)
        return rows[a].msg;
    return lc_outcome_message(a < API_ANSWER_COUNT ? outcome_of(a)
                                                   : LC_OUTCOME_INTERNAL);
}

void api_txn_id(char out[STORE_TXN_ID_LEN + 1])
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char b[STORE_TXN_ID_LEN / 2];
    randombytes_buf(b, sizeof b);
    for (size_t i = 0; i < sizeof b; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[STORE_TXN_ID_LEN] = 0;
}

size_t api_envelope(char *out, size_t n, const char *txn, int a,
                    const char *hint, const struct liveness_result *res)
{
    int k;
    if (a == API_SUCCESS && res != NULL) {
        const struct vision_face *f = &res->face;
        k = snprintf(
            out, n,
            "{\"decentroTxnId\":\"%s\",\"status\":\"SUCCESS\","
            "\"responseCode\":\"S00000\",\"message\":\"%s\",\"data\":{"
            "\"status\":\"SUCCESS\",\"live\":\"%s\",\"livenessScore\":\"%d\","
            "\"needToReview\":\"%s\",\"face\":{\"box\":[%d,%d,%d,%d],"
            "\"score\":%.4f}},\"responseKey\":\"%s\"}",
            txn, api_answer_message(a), res->live ? "yes" : "no", res->score,
            res->review ? "yes" : "no", (int)f->sq[0], (int)f->sq[1],
            (int)f->sq[2], (int)f->sq[3], (double)f->score,
            api_answer_key(a));
    } else {
        char msg[600], esc[640];
        if (hint != NULL && hint[0])
            snprintf(msg, sizeof msg, "%s Hint: %s.", api_answer_message(a),
                     hint);
        else
            snprintf(msg, sizeof msg, "%s", api_answer_message(a));
        http_json_escape(esc, sizeof esc, msg);
        k = snprintf(out, n,
                     "{\"decentroTxnId\":\"%s\",\"status\":\"FAILURE\","
                     "\"responseCode\":\"%s\",\"message\":\"%s\","
                     "\"responseKey\":\"%s\"}",
                     txn, api_answer_code(a), esc, api_answer_key(a));
    }
    if (k < 0)
        return 0;
    return (size_t)k < n ? (size_t)k : n - 1;
}

size_t api_envelope_data(char *out, size_t n, const char *txn,
                         const char *msg, const char *data)
{
    int k = snprintf(out, n,
                     "{\"decentroTxnId\":\"%s\",\"status\":\"SUCCESS\","
                     "\"responseCode\":\"%s\",\"message\":\"%s\",\"data\":%s,"
                     "\"responseKey\":\"%s\"}",
                     txn, api_answer_code(API_SUCCESS), msg, data,
                     api_answer_key(API_SUCCESS));
    return k < 0 || (size_t)k >= n ? 0 : (size_t)k;
}

void api_answer_now(struct http_req *r, const char *txn, const char *client,
                    int a, const char *hint, char *buf, size_t bufn)
{
    static const char *const retry[] = {"Retry-After", "1", NULL};
    int status = api_answer_status(a);
    size_t n = api_envelope(buf, bufn, txn, a, hint, NULL);
    http_req_log_set(r, txn, client, a);
    http_req_answer(r, status, "application/json", buf, n, HTTP_MEM_COPY,
                    status == 429 || status == 503 ? retry : NULL);
}
