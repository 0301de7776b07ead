/* src/api/auth.c - the credential headers and the per-client rate limit.
 *
 * Every API call carries client_id, client_secret and module_secret
 * headers (../shared/spec/api.md, "Authentication"). They are checked
 * against the store on the HTTP thread, before any body is read, so an
 * unauthenticated upload costs no memory. The rate limit is a token bucket
 * per client_id in a fixed table (open addressing, 8 probes, the least
 * recently used slot of the probe window is taken over when all are busy):
 * no allocation, bounded memory whatever the number of clients.
 */
#include "api_int.h"

#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Take one token from the client's bucket; false when there is none. */
static bool rate_take(struct api_service *s, const char *client)
{
    double rate = s->c.rate_limit;
    if (rate <= 0)
        return true;
    double burst = s->c.rate_burst > 0 ? s->c.rate_burst
                                       : (rate > 1 ? rate : 1);
    double t = now_s();
    uint32_t h = hash(client);
    struct rate_slot *slot = NULL, *oldest = NULL;
    for (int i = 0; i < 8; i++) {
        struct rate_slot *c = &s->rate[(h + (uint32_t)i) % API_RATE_SLOTS];
        if (strcmp(c->client, client) == 0) {
            slot = c;
            break;
        }
        if (oldest == NULL || c->t < oldest->t)
            oldest = c;
    }
    if (slot == NULL) {
        slot = oldest;
        snprintf(slot->client, sizeof slot->client, "%s", client);
        slot->tokens = burst;
        slot->t = t;
    }
    slot->tokens += (t - slot->t) * rate;
    if (slot->tokens > burst)
        slot->tokens = burst;
    slot->t = t;
    if (slot->tokens < 1.0)
        return false;
    slot->tokens -= 1.0;
    return true;
}

static bool empty(const char *v)
{
    return v == NULL || v[0] == 0;
}

int api_auth(struct api_service *s, struct http_req *r, const char *module,
             char client[STORE_ID_MAX])
{
    const char *id = http_req_header(r, "client_id");
    const char *secret = http_req_header(r, "client_secret");
    const char *msecret = http_req_header(r, "module_secret");
    if (empty(id))
        return API_EMPTY_CLIENT_ID;
    if (empty(secret))
        return API_EMPTY_CLIENT_SECRET;
    if (empty(msecret))
        return API_EMPTY_MODULE_SECRET;
    enum store_auth verdict;
    if (store_credential_check(s->store, id, secret, msecret, module,
                               &verdict) < 0) {
        api_store_failed(s);
        return API_STORE_UNAVAILABLE;
    }
    if (verdict == STORE_AUTH_INVALID)
        return API_INVALID_CREDENTIALS;
    if (verdict == STORE_AUTH_MODULE)
        return API_UNAUTHORIZED_MODULE;
    snprintf(client, STORE_ID_MAX, "%s", id);
    if (!rate_take(s, client))
        return API_RATE_LIMITED;
    return API_SUCCESS;
}
