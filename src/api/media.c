/* src/api/media.c - the images of session results, served by livecheckd
 * at signed, expiring URLs:
 *
 *     GET /media/<expires>-<signature>/<id>.jpg
 *
 * expires is a Unix time in seconds; signature is the hex HMAC-SHA256 of
 * "<id>.<expires>" under the service's "media" key (sign.h), checked in
 * constant time. An expired link answers 410 error_media_link_expired, a
 * wrong one 404 error_media_link_invalid, the same as media that retention
 * has deleted. Results are stored with "media:<id>" in place of URLs and
 * signed afresh each time they are read (api_media_expand), so a client
 * asking again gets working links.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"

static void sig_of(const struct api_service *s, const char *id,
                   long long exp, char out[SIGN_HEX_MAX])
{
    char msg[80];
    int n = snprintf(msg, sizeof msg, "%s.%lld", id, exp);
    sign_hmac_hex(s->media_key, msg, (size_t)n, out);
}

void api_media_url(const struct api_service *s, const char *id, char *out,
                   size_t n)
{
    long long exp = store_now_ms() / 1000 + s->c.media_url_ttl_s;
    char sig[SIGN_HEX_MAX];
    sig_of(s, id, exp, sig);
    snprintf(out, n, "%s/media/%lld-%s/%s.jpg", s->public_url, exp, sig, id);
}

char *api_media_expand(const struct api_service *s, const char *text)
{
    static const char tag[] = "\"media:";
    size_t cap = strlen(text) + 1, n = 0;
    for (const char *p = strstr(text, tag); p; p = strstr(p + 1, tag))
        cap += 600;
    char *out = lc_malloc(cap);
    const char *p = text;
    for (const char *m; (m = strstr(p, tag)) != NULL;) {
        const char *id = m + sizeof tag - 1;
        size_t k = strspn(id, "0123456789abcdef");
        if (k != STORE_MEDIA_ID_MAX - 1 || id[k] != '"') {
            memcpy(out + n, p, (size_t)(id - p));
            n += (size_t)(id - p);
            p = id;
            continue;
        }
        char mid[STORE_MEDIA_ID_MAX], url[600];
        memcpy(mid, id, k);
        mid[k] = 0;
        api_media_url(s, mid, url, sizeof url);
        memcpy(out + n, p, (size_t)(m - p));
        n += (size_t)(m - p);
        n += (size_t)snprintf(out + n, cap - n, "\"%s\"", url);
        p = id + k + 1;
    }
    snprintf(out + n, cap - n, "%s", p);
    return out;
}

static void refuse(struct http_req *r, int a)
{
    char txn[STORE_TXN_ID_LEN + 1], buf[API_RESP_MAX];
    api_txn_id(txn);
    api_answer_now(r, txn, NULL, a, NULL, buf, sizeof buf);
}

static void begin(struct http_req *r)
{
    const struct api_route *rt = http_req_route_data(r);
    struct api_service *s = rt->svc;
    const char *p = http_req_path(r) + strlen("/media/");
    char *endp;
    long long exp = strtoll(p, &endp, 10);
    const char *sig = endp + 1, *slash = strchr(sig, '/');
    if (endp == p || *endp != '-' || slash == NULL ||
        slash - sig != SIGN_HEX_MAX - 1) {
        refuse(r, API_MEDIA_LINK_INVALID);
        return;
    }
    const char *id = slash + 1;
    size_t k = strspn(id, "0123456789abcdef");
    if (k != STORE_MEDIA_ID_MAX - 1 || strcmp(id + k, ".jpg") != 0) {
        refuse(r, API_MEDIA_LINK_INVALID);
        return;
    }
    char mid[STORE_MEDIA_ID_MAX], given[SIGN_HEX_MAX], msg[80];
    memcpy(mid, id, k);
    mid[k] = 0;
    memcpy(given, sig, SIGN_HEX_MAX - 1);
    given[SIGN_HEX_MAX - 1] = 0;
    int n = snprintf(msg, sizeof msg, "%s.%lld", mid, exp);
    if (!sign_hmac_check(s->media_key, msg, (size_t)n, given)) {
        refuse(r, API_MEDIA_LINK_INVALID);
        return;
    }
    if (exp < store_now_ms() / 1000) {
        refuse(r, API_MEDIA_LINK_EXPIRED);
        return;
    }
    uint8_t *data;
    size_t len;
    char ctype[32];
    int rc = store_media_get(s->store, mid, &data, &len, ctype);
    if (rc == 0 && (rc = api_media_open(s, mid, &data, &len)) < 0)
        free(data);
    if (rc < 0) {
        refuse(r, rc == LC_ENOTFOUND    ? API_MEDIA_LINK_INVALID
                  : rc == LC_ECHECKSUM ? api_answer_of_outcome(
                                             LC_OUTCOME_INTERNAL)
                                       : API_STORE_UNAVAILABLE);
        return;
    }
    static const char *const cache[] = {"Cache-Control", "private, max-age=300",
                                        NULL};
    http_req_log_set(r, NULL, NULL, KEY_OK);
    http_req_answer(r, 200, ctype, data, len, HTTP_MEM_FREE, cache);
}

static void no_body(struct http_req *r, const char *p, size_t n)
{
    (void)r;
    (void)p;
    (void)n;
}
static void no_end(struct http_req *r) { (void)r; }

const struct http_handler api_media_handler = {begin, no_body, no_end, NULL};
