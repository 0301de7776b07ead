/* src/api/jobs.c - the analysis of captured recordings: a persistent
 * queue in the store, a scheduler thread, and the job a worker runs.
 *
 * The queue is the sessions table (store_job_claim): an upload makes a
 * session "queued" in the same transaction that stores the recording, so
 * nothing is lost if livecheckd dies after answering the page. The
 * scheduler (one thread per node, with its own store connection) claims
 * queued sessions - or ones whose lease ran out because the node that held
 * them died - whenever the worker pool has room, and is woken by uploads
 * (api_jobs_kick) or polls every second. At start the node gives back the
 * leases it held under its name before a restart, so its jobs resume at
 * once instead of after the lease. While a job waits in the pool and runs,
 * the scheduler renews its lease every turn (at most a second apart), so
 * a lease only has to outlast a missed heartbeat, not the analysis; a
 * worker that finds its lease taken over (the node stalled past it) skips
 * the job, and store_job_finish refuses a finish from a node that lost it.
 *
 * The job, on a worker with its own vision_ctx: the recording and the
 * reference embeddings from the store, the session's challenge with the
 * page's measured prompt times (clamped near the planned ones: the page
 * cannot widen a window), liveness_active_check, then the contract's
 * `data` with the server's own risks added to prerecordedRisk (the same
 * bytes uploaded before, a recording that started before the session),
 * the best frames as media, and the callback - all in one store_job_finish
 * transaction, so a finished job always has its callback queued.
 *
 * The scheduler also applies the retention setting once a minute.
 */
#include "api_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "livecheck/mem.h"

#define JOBS_HELD_MAX 128 /* jobs claimed and not yet finished, per node */

struct api_jobs {
    pthread_t th;
    pthread_mutex_t mu;   /* guards everything below but th and store */
    pthread_cond_t cv;
    bool stop, kicked, started;
    struct store *store;  /* the scheduler's own connection */
    int64_t next_purge_ms;
    int nheld;            /* claimed by this node: their leases are kept */
    char held[JOBS_HELD_MAX][STORE_TXN_ID_LEN + 1];
};

struct active_job {
    struct api_req q; /* first: the pool's dispatch reads q.ep->kind */
    struct store_session ss;
};

static const struct api_endpoint job_ep = {
    .path = "(analysis)",
    .kind = API_KIND_ACTIVE_JOB,
};

/* How far (seconds) the page's prompt times may move from the plan. */
#define PROMPT_SHIFT_MAX 1.5
/* A sampled face whose cosine to the clip's first faces is below this is
 * another person: a composed capture of one person measured 0.76 at its
 * lowest, the same capture spliced with another person -0.21
 * (tests/api_active.sh). */
#define IDENTITY_MIN_COSINE 0.35f
/* Clock skew allowed between the page and the server (ms). */
#define CLOCK_SKEW_MS 120000

/* ---- the scheduler ----------------------------------------------------- */

static void purge(struct api_service *s, struct api_jobs *j)
{
    int64_t now = store_now_ms();
    if (s->c.retention_s <= 0 || now < j->next_purge_ms)
        return;
    /* Once a minute, or twice per retention period when that is
     * shorter (tests use seconds). */
    int64_t every = s->c.retention_s * 500;
    j->next_purge_ms = now + (every < 1000 ? 1000 : every > 60000 ? 60000
                                                                  : every);
    int64_t removed = 0;
    if (store_purge(j->store, now - s->c.retention_s * 1000, &removed) < 0)
        api_store_failed(s);
}

static void held_add(struct api_jobs *j, const char *txn)
{
    pthread_mutex_lock(&j->mu);
    snprintf(j->held[j->nheld++], sizeof j->held[0], "%s", txn);
    pthread_mutex_unlock(&j->mu);
}

static void held_remove(struct api_jobs *j, const char *txn)
{
    pthread_mutex_lock(&j->mu);
    for (int i = 0; i < j->nheld; i++)
        if (strcmp(j->held[i], txn) == 0) {
            memmove(j->held[i], j->held[j->nheld - 1], sizeof j->held[0]);
            j->nheld--;
            break;
        }
    pthread_mutex_unlock(&j->mu);
}

/* The heartbeat: every held job's lease pushed to now + job_lease. */
static void leases_renew(struct api_service *s, struct api_jobs *j)
{
    char txn[JOBS_HELD_MAX][STORE_TXN_ID_LEN + 1];
    pthread_mutex_lock(&j->mu);
    int n = j->nheld;
    memcpy(txn, j->held, (size_t)n * sizeof txn[0]);
    pthread_mutex_unlock(&j->mu);
    int64_t until = store_now_ms() + (int64_t)s->c.job_lease_s * 1000;
    for (int i = 0; i < n; i++) {
        int rc = store_job_touch(j->store, txn[i], s->node_id, until);
        if (rc < 0 && rc != LC_ECONFLICT)
            api_store_failed(s);
    }
}

static void *scheduler(void *arg)
{
    struct api_service *s = arg;
    struct api_jobs *j = s->jobs;
    struct active_job *held = NULL; /* claimed, waiting for room */
    for (;;) {
        pthread_mutex_lock(&j->mu);
        if (!j->kicked && !j->stop) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            t.tv_sec += 1;
            pthread_cond_timedwait(&j->cv, &j->mu, &t);
        }
        bool stop = j->stop;
        j->kicked = false;
        pthread_mutex_unlock(&j->mu);
        if (stop)
            break;
        leases_renew(s, j);
        purge(s, j);
        for (;;) {
            if (held == NULL) {
                pthread_mutex_lock(&j->mu);
                bool full = j->nheld == JOBS_HELD_MAX;
                pthread_mutex_unlock(&j->mu);
                if (full ||
                    lc_pool_depth(s->pool) >= lc_pool_capacity(s->pool))
                    break;
                held = lc_calloc(1, sizeof *held);
                int rc = store_job_claim(j->store, s->node_id, store_now_ms(),
                                         (int64_t)s->c.job_lease_s * 1000,
                                         &held->ss);
                if (rc <= 0) {
                    if (rc < 0)
                        api_store_failed(s);
                    free(held);
                    held = NULL;
                    break;
                }
                held->q.svc = s;
                held->q.ep = &job_ep;
                held_add(j, held->ss.txn);
            }
            if (lc_pool_push(s->pool, held) != 0)
                break; /* full: keep it and try again on the next turn */
            held = NULL;
        }
    }
    if (held != NULL) { /* its lease runs out and another node takes it */
        held_remove(j, held->ss.txn);
        free(held);
    }
    return NULL;
}

int api_jobs_start(struct api_service *s, struct lc_diag *d)
{
    struct api_jobs *j = lc_calloc(1, sizeof *j);
    s->jobs = j;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    int rc = store_open(&j->store, s->c.store_url, &s->c.store, d);
    if (rc == 0)
        rc = store_job_release(j->store, s->node_id);
    if (rc < 0)
        return rc;
    if (pthread_create(&j->th, NULL, scheduler, s) != 0)
        return lc_diag_set(d, LC_ENOMEM, "cannot start the job scheduler");
    j->started = true;
    return 0;
}

void api_jobs_kick(struct api_service *s)
{
    struct api_jobs *j = s->jobs;
    if (j == NULL)
        return;
    pthread_mutex_lock(&j->mu);
    j->kicked = true;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

void api_jobs_stop(struct api_service *s)
{
    struct api_jobs *j = s->jobs;
    if (j == NULL)
        return;
    if (j->started) {
        j->started = false;
        pthread_mutex_lock(&j->mu);
        j->stop = true;
        pthread_cond_signal(&j->cv);
        pthread_mutex_unlock(&j->mu);
        pthread_join(j->th, NULL);
    }
    store_close(j->store);
    j->store = NULL;
}

void api_jobs_free(struct api_service *s)
{
    struct api_jobs *j = s->jobs;
    if (j == NULL)
        return;
    s->jobs = NULL;
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
}

/* ---- the job ----------------------------------------------------------- */

/* What the page measured, read back from the stored metadata. */
struct page_meta {
    int nprompts;
    struct active_prompt p[ACTIVE_PROMPTS_MAX];
    bool has_location;
    double lat, lon;
    double started_ms; /* recordingStartedAt, 0 when absent */
};

static void meta_read(const char *text, struct page_meta *m)
{
    memset(m, 0, sizeof *m);
    json_t *root = json_loads(text, 0, NULL);
    if (root == NULL)
        return;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(root, "prompts"), i, p)
    {
        if (m->nprompts == ACTIVE_PROMPTS_MAX)
            break;
        int k = active_prompt_parse(
            json_string_value(json_object_get(p, "kind")));
        if (k < 0)
            continue;
        struct active_prompt *q = &m->p[m->nprompts++];
        q->kind = (enum active_prompt_kind)k;
        q->start = json_number_value(json_object_get(p, "start"));
        q->end = json_number_value(json_object_get(p, "end"));
    }
    json_t *loc = json_object_get(root, "location");
    if (json_is_object(loc)) {
        m->has_location = true;
        m->lat = json_number_value(json_object_get(loc, "latitude"));
        m->lon = json_number_value(json_object_get(loc, "longitude"));
    }
    m->started_ms =
        json_number_value(json_object_get(root, "recordingStartedAt"));
    json_decref(root);
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The i-th prompt of the plan takes the page's times for the same prompt
 * (same kind, same order), moved at most PROMPT_SHIFT_MAX from the plan
 * and never longer than planned plus that. */
static void prompts_merge(struct active_challenge *ch,
                          const struct page_meta *m)
{
    int used[ACTIVE_PROMPTS_MAX] = {0};
    for (int i = 0; i < ch->nprompts; i++) {
        struct active_prompt *p = &ch->p[i];
        for (int k = 0; k < m->nprompts; k++) {
            if (used[k] || m->p[k].kind != p->kind)
                continue;
            used[k] = 1;
            double len = p->end - p->start;
            double a = clamp(m->p[k].start, p->start - PROMPT_SHIFT_MAX,
                             p->start + PROMPT_SHIFT_MAX);
            double b = clamp(m->p[k].end, a, a + len + PROMPT_SHIFT_MAX);
            p->start = a;
            p->end = b;
            break;
        }
    }
}

static void media_new_id(char out[STORE_MEDIA_ID_MAX])
{
    char t[SIGN_TOKEN_MAX], h[SIGN_HEX_MAX];
    sign_token_new(t);
    sign_token_hash(t, h);
    snprintf(out, STORE_MEDIA_ID_MAX, "%.32s", h);
}

/* The contract's data for a finished analysis into out (STORE_RESULT_MAX
 * bytes), and the best frames into frames (ids referenced as "media:").
 * Returns the length, 0 when it does not fit. */
static size_t result_json(const struct store_session *ss,
                          const struct store_session_ref *refs, int nref,
                          const struct liveness_active_result *r,
                          const struct active_challenge *ch,
                          const struct page_meta *m, bool recording_old,
                          struct store_media *frames, int *nframes, char *out)
{
    size_t n = 0, cap = STORE_RESULT_MAX;
    /* Another face partway through: a spliced or swapped video. */
    bool swapped = isfinite(r->identity_min) &&
                   r->identity_min < IDENTITY_MIN_COSINE;
    bool prerecorded =
        r->prerecorded || ss->duplicate || recording_old || swapped;
    bool liveliness = r->passive_ok && !r->static_risk && !prerecorded;
#define PUT(...)                                                          \
    do {                                                                  \
        int k_ = snprintf(out + n, cap - n, __VA_ARGS__);                 \
        if (k_ < 0 || (size_t)k_ >= cap - n)                              \
            return 0;                                                     \
        n += (size_t)k_;                                                  \
    } while (0)
    PUT("{\"videoFaceMatchResults\":[");
    *nframes = 0;
    for (int i = 0; i < nref && i < r->nref; i++) {
        const struct active_ref_result *rr = &r->ref[i];
        char fid[STORE_MEDIA_ID_MAX] = "";
        if (rr->best_jpeg != NULL) {
            struct store_media *f = &frames[(*nframes)++];
            memset(f, 0, sizeof *f);
            media_new_id(fid);
            memcpy(f->id, fid, sizeof fid);
            snprintf(f->txn, sizeof f->txn, "%s", ss->txn);
            snprintf(f->kind, sizeof f->kind, "frame");
            snprintf(f->ctype, sizeof f->ctype, "image/jpeg");
            f->data = rr->best_jpeg;
            f->n = rr->best_jpeg_n;
            f->created_ms = store_now_ms();
        }
        PUT("%s{\"originalImage\":\"media:%s\",\"results\":{\"matchScore\":%d,"
            "\"covariance\":%d},\"finalMatchImage\":%s%s%s}",
            i ? "," : "", refs[i].media, rr->match_score, rr->covariance,
            fid[0] ? "\"media:" : "null", fid, fid[0] ? "\"" : "");
    }
    PUT("],\"audioMatchResults\":{\"matchScore\":%d},", r->audio_score);
    PUT("\"staticRisk\":\"%s\",\"prerecordedRisk\":\"%s\","
        "\"liveliness\":\"%s\",",
        r->static_risk ? "true" : "false", prerecorded ? "true" : "false",
        liveliness ? "yes" : "no");
    if (m->has_location)
        PUT("\"geoLocation\":{\"latitude\":\"%.7f\",\"longitude\":\"%.7f\"},",
            m->lat, m->lon);
    else
        PUT("\"geoLocation\":{\"latitude\":null,\"longitude\":null},");
    char risks[2 * sizeof r->risks];
    http_json_escape(risks, sizeof risks, r->risks);
    PUT("\"details\":{\"prompts\":[");
    for (int i = 0; i < r->nprompts && i < ch->nprompts; i++)
        PUT("%s{\"kind\":\"%s\",\"done\":%s,\"at\":%.2f}", i ? "," : "",
            active_prompt_name(ch->p[i].kind),
            r->prompt[i].done ? "true" : "false", r->prompt[i].at);
    PUT("],\"digitsHeard\":\"%s\",\"passive\":%.3f,\"replayRisk\":%.3f,"
        "\"identityMin\":%.3f,\"identityChanged\":%s,"
        "\"duplicateUpload\":%s,\"recordingBeforeSession\":%s,"
        "\"risks\":\"%s\",\"analysisMs\":%.0f}}",
        r->digits_heard, (double)r->passive, (double)r->replay_risk,
        isfinite(r->identity_min) ? (double)r->identity_min : -1.0,
        swapped ? "true" : "false", ss->duplicate ? "true" : "false",
        recording_old ? "true" : "false", risks, r->ms_total);
#undef PUT
    return n;
}

/* The callback body: the results envelope with the session's ids. */
static char *callback_body(struct api_service *s,
                           const struct store_session *ss, int a,
                           const char *data)
{
    char ref[2 * STORE_REF_MAX];
    http_json_escape(ref, sizeof ref, ss->reference_id);
    char *expanded = data ? api_media_expand(s, data) : NULL;
    size_t n = (expanded ? strlen(expanded) : 0) + 1024;
    char *out = lc_malloc(n);
    if (a == API_SESSION_RESULTS)
        snprintf(out, n,
                 "{\"decentroTxnId\":\"%s\",\"reference_id\":\"%s\","
                 "\"status\":\"SUCCESS\",\"responseCode\":\"S00000\","
                 "\"message\":\"%s\",\"data\":%s,\"responseKey\":\"%s\"}",
                 ss->txn, ref, api_answer_message(a), expanded,
                 api_answer_key(a));
    else
        snprintf(out, n,
                 "{\"decentroTxnId\":\"%s\",\"reference_id\":\"%s\","
                 "\"status\":\"FAILURE\",\"responseCode\":\"%s\","
                 "\"message\":\"%s\",\"responseKey\":\"%s\"}",
                 ss->txn, ref, api_answer_code(a), api_answer_message(a),
                 api_answer_key(a));
    free(expanded);
    return out;
}

static void finish(struct api_worker *w, const struct store_session *ss,
                   enum store_session_state state, const char *result,
                   int a, const struct store_media *frames, int nframes)
{
    struct api_service *s = w->svc;
    struct store_outbox *cb = NULL;
    if (ss->callback_url[0]) {
        cb = lc_calloc(1, sizeof *cb);
        char *body = callback_body(s, ss, a, result);
        snprintf(cb->txn, sizeof cb->txn, "%s", ss->txn);
        snprintf(cb->client_id, sizeof cb->client_id, "%s", ss->client_id);
        snprintf(cb->url, sizeof cb->url, "%s", ss->callback_url);
        /* The result is at most STORE_RESULT_MAX and each of its at most
         * 8 links grows by under 200 bytes when signed: it always fits. */
        snprintf(cb->body, sizeof cb->body, "%s", body);
        free(body);
        cb->next_ms = store_now_ms();
    }
    uint8_t *sealed[ACTIVE_REFS_MAX] = {NULL};
    struct store_media fr[ACTIVE_REFS_MAX];
    for (int i = 0; i < nframes; i++) {
        fr[i] = frames[i];
        sealed[i] = api_media_seal(s, &fr[i]);
    }
    int rc = store_job_finish(w->store, ss->txn, s->node_id, state, result,
                              state == STORE_SESSION_FAILED ? api_answer_key(a)
                                                            : NULL,
                              fr, nframes, cb);
    for (int i = 0; i < nframes; i++)
        free(sealed[i]);
    if (rc < 0 && rc != LC_ECONFLICT)
        api_store_failed(s);
    free(cb);
    if (rc == 0 && ss->callback_url[0])
        api_outbox_kick(s);
}

void api_jobs_work(void *state, void *job)
{
    struct api_worker *w = state;
    struct active_job *jb = job;
    struct api_service *s = w->svc;
    const struct store_session *ss = &jb->ss;
    struct store_session_ref refs[ACTIVE_REFS_MAX];
    float emb[ACTIVE_REFS_MAX][VISION_EMBED_DIM];
    struct active_challenge ch;
    struct page_meta m;
    uint8_t *video = NULL;
    size_t vn = 0;
    char ctype[32];
    struct liveness_active_result *r = lc_calloc(1, sizeof *r);
    char *result = lc_calloc(1, STORE_RESULT_MAX);
    struct store_media frames[ACTIVE_REFS_MAX];
    int nframes = 0;

    /* Still ours? A node that stalled past its lease lost the job. */
    int lease = store_job_touch(w->store, ss->txn, s->node_id,
                                store_now_ms() +
                                    (int64_t)s->c.job_lease_s * 1000);
    if (lease < 0) {
        if (lease != LC_ECONFLICT)
            api_store_failed(s);
        goto out;
    }
    int nref = store_session_refs(w->store, ss->txn, refs, ACTIVE_REFS_MAX);
    int rc = nref < 0 ? nref
             : store_media_get(w->store, ss->capture_media, &video, &vn,
                               ctype);
    if (rc == 0)
        rc = api_media_open(s, ss->capture_media, &video, &vn);
    if (rc == 0 && active_challenge_parse(&ch, ss->challenge, NULL) < 0)
        rc = LC_EFORMAT;
    if (rc < 0 && rc != LC_ENOTFOUND && rc != LC_EFORMAT &&
        rc != LC_ECHECKSUM) {
        /* The store is failing: leave the job; its lease runs out and it
         * is claimed again. */
        api_store_failed(s);
        goto out;
    }
    if (rc < 0) { /* the recording is gone or unreadable: final */
        finish(w, ss, STORE_SESSION_FAILED, NULL,
               api_answer_of_outcome(LC_OUTCOME_INTERNAL), NULL, 0);
        goto out;
    }
    int usable = 0; /* references retention has not emptied, in order */
    for (int i = 0; i < nref; i++)
        if (refs[i].index >= 0) {
            refs[usable] = refs[i];
            memcpy(emb[usable++], refs[i].emb, sizeof emb[0]);
        }
    meta_read(ss->meta, &m);
    prompts_merge(&ch, &m);
    double t0 = (double)store_now_ms();
    rc = liveness_active_check(w->ctx, &s->c.active, video, vn, &ch,
                               (const float(*)[VISION_EMBED_DIM])emb, usable,
                               r);
    api_infer_record(s, ((double)store_now_ms() - t0) / 1e3);
    if (rc < 0 || r->outcome != LC_OUTCOME_OK) {
        finish(w, ss, STORE_SESSION_FAILED, NULL,
               api_answer_of_outcome(rc < 0 ? LC_OUTCOME_INTERNAL
                                            : r->outcome),
               NULL, 0);
        goto out;
    }
    bool old = m.started_ms > 0 &&
               (m.started_ms < (double)(ss->created_ms - CLOCK_SKEW_MS) ||
                m.started_ms > (double)(ss->uploaded_ms + CLOCK_SKEW_MS));
    size_t n = result_json(ss, refs, usable, r, &ch, &m, old, frames,
                           &nframes, result);
    if (n == 0)
        finish(w, ss, STORE_SESSION_FAILED, NULL,
               api_answer_of_outcome(LC_OUTCOME_INTERNAL), NULL, 0);
    else
        finish(w, ss, STORE_SESSION_DONE, result, API_SESSION_RESULTS,
               frames, nframes);
out:
    if (s->jobs != NULL)
        held_remove(s->jobs, ss->txn);
    atomic_fetch_add(&s->jobs_done, 1);
    liveness_active_result_free(r);
    free(r);
    free(result);
    free(video);
    free(jb);
}
