/* src/api/api_int.h - what the files of src/api share. Only src/api
 * includes it.
 *
 * Threads: everything here runs on the HTTP server thread except the
 * jobs (passive.c: api_passive_work, video.c: api_video_work), which run
 * on a worker with the worker's own vision_ctx and store connection and
 * touch only their api_req until they hand the answer back with
 * http_req_complete.
 */
#ifndef LC_API_INT_H
#define LC_API_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "livecheck/api.h"
#include <jansson.h>

#include "livecheck/pool.h"
#include "livecheck/sign.h"

#define API_FIELD_MAX 1024 /* bytes kept of one text field */
#define API_RESP_MAX 4096  /* one envelope (the video data is up to
                            * LIVENESS_VIDEO_JSON_MAX) */
#define API_RATE_SLOTS 1024
#define API_WEB_MAX 16     /* files served from web/ */
#define API_ROUTES_MAX 32
#define API_NBUCKETS 10    /* inference latency histogram */

extern const double api_buckets[API_NBUCKETS];

/* What a route serves. */
enum api_kind {
    API_KIND_PASSIVE, API_KIND_OPS, API_KIND_FILE, API_KIND_VIDEO,
    API_KIND_FACE_MATCH, API_KIND_IMAGE_QUALITY, API_KIND_INITIATE,
    API_KIND_RESULTS, API_KIND_CAPTURE, API_KIND_MEDIA, API_KIND_ACTIVE_JOB
};
enum { API_BODY_JSON = 1, API_BODY_MULTIPART = 2 };

struct api_endpoint {
    int methods;
    const char *path;
    enum api_kind kind;
    const char *module;   /* credentials must grant it (API routes) */
    unsigned bodies;      /* API_BODY_* accepted */
    const char *file;     /* API_KIND_FILE: name under web/ */
    /* API routes: the engine outcomes it may answer with, ended by
     * LC_OUTCOME_OK. */
    const enum lc_outcome *outcomes;
    /* The API's own answers (API_ERR_MAP) that only some routes give,
     * ended by API_SUCCESS: a key listed here for any route is left out
     * of the routes that do not list it; the others apply to every API
     * route. */
    const enum api_answer *answers;
    /* A prefix route ("/media/" "*"): the name of what follows, for the
     * OpenAPI document ("token"). */
    const char *param;
};

/* A route as handed to the server: the endpoint plus the service. */
struct api_route {
    const struct api_endpoint *ep;
    struct api_service *svc;
};

/* One text field of a request as received. */
struct api_field {
    bool seen;
    enum http_json_kind kind; /* multipart parts are strings */
    bool overflow;            /* longer than API_FIELD_MAX - 1 */
    size_t n;
    char v[API_FIELD_MAX];
};

enum api_field_id {
    F_REFERENCE_ID,
    F_CONSENT,
    F_PURPOSE,
    F_CONSENT_PURPOSE,
    F_SKIP_METADATA,
    F_COUNT
};

/* One passive-liveness request, from headers to the stored row. */
struct api_req {
    struct api_service *svc;
    struct http_req *http;
    const struct api_endpoint *ep;
    char txn[STORE_TXN_ID_LEN + 1];
    char client[STORE_ID_MAX];
    char ref[STORE_REF_MAX];   /* the accepted reference_id, trimmed */
    int64_t created_ms;
    int body;                  /* API_BODY_JSON or _MULTIPART */
    union {
        struct http_json json;
        struct http_multipart mp;
    } p;
    int parse_err;             /* sticky parser result */
    char parse_hint[96];
    struct api_field f[F_COUNT];
    int cur;                   /* field being received, -1 none */
    bool in_image;
    /* The image, as bytes. */
    bool img_seen, img_too_big, img_bad_b64, img_not_string, img_null;
    bool img_busy;             /* the body memory budget ran out */
    int img_prefix;            /* JSON: 0 undecided, 1 data: URL, 2 none */
    char img_head[8];
    size_t img_headn;
    struct http_b64 b64;
    uint8_t *img;
    size_t img_n, img_cap;
    size_t reserved;           /* of the service's body memory */
    /* The outcome. */
    int answer;
    char hint[200];
    struct liveness_result res;
    bool skip_metadata;
    double t_queued, ms_queue, ms_work;
    char resp[API_RESP_MAX];
    size_t resp_n;
    struct api_req *next;
};

struct rate_slot {
    char client[STORE_ID_MAX];
    double tokens, t;
};

struct web_file {
    const char *name;         /* "index.html" */
    const char *ctype;
    char *data;
    size_t n;
};

struct api_service {
    struct api_config c;
    struct vision_models vm;
    bool models_loaded;
    struct store *store;      /* the HTTP thread's connection */
    struct lc_pool *pool;
    struct http_server *srv;
    struct api_route routes[API_ROUTES_MAX];
    struct http_route hroutes[API_ROUTES_MAX];
    int nroutes;
    const char *keys[API_ANSWER_COUNT + 3];
    int nkeys;
    atomic_size_t mem_used;
    struct rate_slot rate[API_RATE_SLOTS];
    struct web_file web[API_WEB_MAX];
    int nweb;
    struct api_req *free_reqs; /* HTTP thread only */
    int nfree;
    atomic_llong jobs_done;
    atomic_llong store_errors;
    atomic_llong store_fail_ms; /* when a store call last failed */
    uint8_t master_key[SIGN_KEY_BYTES]; /* sign.h */
    uint8_t media_key[SIGN_KEY_BYTES];
    char node_id[64];         /* lease owner name */
    char public_url[512];     /* base of capture and media URLs */
    struct api_jobs *jobs;    /* active.c's analysis scheduler */
    struct api_outbox *outbox;/* outbox.c's callback delivery */
    double infer_sum_s;       /* guarded by hist_mu */
    uint64_t infer_bucket[API_NBUCKETS], infer_count;
    pthread_mutex_t hist_mu;
};

/* Metric key labels beyond the answers. */
enum { KEY_OK = API_ANSWER_COUNT, KEY_NOT_READY, KEY_NOT_FOUND };

/* routes.c */
extern const struct api_endpoint api_endpoints[];
extern const int api_nendpoints;

/* envelope.c: ids and answers. */
void api_txn_id(char out[STORE_TXN_ID_LEN + 1]);
/* Render the envelope of answer a (with hint appended to the message,
 * and for API_SUCCESS the data of res) into out; returns its length. */
size_t api_envelope(char *out, size_t n, const char *txn, int a,
                    const char *hint, const struct liveness_result *res);
/* A success envelope with its own message and `data` (JSON text); returns
 * its length, 0 when it does not fit in n. */
size_t api_envelope_data(char *out, size_t n, const char *txn,
                         const char *msg, const char *data);
/* Answer r now with an envelope (server thread). */
void api_answer_now(struct http_req *r, const char *txn, const char *client,
                    int a, const char *hint, char *buf, size_t bufn);

/* auth.c: the three headers and the rate limit. Returns API_SUCCESS or
 * the failure; fills client on success. */
int api_auth(struct api_service *s, struct http_req *r, const char *module,
             char client[STORE_ID_MAX]);

/* fields.c: body readers' callbacks into api_req, and validation. */
extern const struct http_json_cb api_json_cb;
extern const struct http_multipart_cb api_multipart_cb;
/* The common fields; API_SUCCESS or the first failure (hint filled). */
int api_fields_check(struct api_req *q);
/* reference_id, consent and purpose alone (what every route checks). */
int api_common_fields_check(struct api_req *q);

/* enqueue.c: refuse a used reference_id, take a place in the worker queue,
 * suspend the connection and submit q. Returns API_SUCCESS, or the answer
 * to refuse with (duplicate reference_id, store error, server busy). */
int api_job_enqueue(struct api_service *s, struct http_req *r,
                    struct api_req *q);
/* Answer, on the HTTP thread, the envelope already in q->resp for a
 * refusal already stored with answer `given` (Retry-After on 429/503). */
void api_refused_answer(struct api_req *q, int given);
/* The transaction row of q answered with a: ids, route, reference_id
 * (claimed when claim), status, key, code, body bytes (q->img_n) and
 * times; every measurement -1 for the route to fill in. */
void api_txn_row(const struct api_req *q, int a, bool claim,
                 struct store_txn *t);
/* A route's transaction row for q answered with a (q is the first member
 * of the route's own request). */
typedef void (*api_row_fn)(const struct api_req *q, int a, bool claim,
                           struct store_txn *t);
/* Commit q's row as fill writes it, claiming reference_id when claim: a
 * reference_id already claimed is stored instead as
 * error_duplicate_reference_id, a failing store makes the answer
 * error_store_unavailable (hint filled). Returns the answer to give. */
int api_txn_commit(struct api_req *q, struct store *st, int a, bool claim,
                   api_row_fn fill);
/* From a worker: complete q with the envelope in q->resp for answer a
 * (Retry-After on 429/503). */
void api_job_complete(struct api_req *q, int a);

/* passive.c */
extern const struct http_handler api_passive_handler;
void api_passive_work(void *worker_state, void *job);

/* video.c: POST /v2/kyc/forensics/video_liveness. */
extern const struct http_handler api_video_handler;
void api_video_work(void *worker_state, void *job);

/* forensics.c: POST /v2/kyc/forensics/face_match and image_quality. */
extern const struct http_handler api_forensics_handler;
void api_forensics_work(void *worker_state, void *job);

/* ops.c */
extern const struct http_handler api_ops_handler;
extern const struct http_handler api_file_handler;
void api_not_found(struct http_req *r);
void api_bad_method(struct http_req *r);
int api_web_load(struct api_service *s, struct lc_diag *d);

/* jbody.c: whole-body JSON requests (initiate, results). append keeps
 * the body in q->img within max bytes and the memory budget (false once
 * it is over: q->img_too_big or q->img_busy says which); parse loads it
 * and copies the common fields into q->f (NULL with q->hint filled when
 * the body is not a JSON object); api_json_str is a member's string ("" when
 * absent or null; *bad when it is not a string); free releases the body. */
bool api_jbody_append(struct api_req *q, const char *p, size_t n,
                      size_t max);
json_t *api_jbody_parse(struct api_req *q);
const char *api_json_str(json_t *root, const char *name, bool *bad);
void api_jbody_free(struct api_req *q);
/* A success envelope of answer a with `data` (JSON text); its length, 0
 * when it does not fit. */
size_t api_envelope_answer(char *out, size_t n, const char *txn, int a,
                           const char *data);

/* initiate.c: POST .../active_video_liveness/initiate. */
extern const struct http_handler api_initiate_handler;
void api_initiate_work(void *worker_state, void *job);

/* results.c: POST .../active_video_liveness/:id. */
extern const struct http_handler api_results_handler;

/* capture.c: the capture page's calls under /v2/capture/. */
extern const struct http_handler api_capture_handler;

/* media.c: signed, expiring media URLs (GET /media/...). url writes the
 * absolute URL of media id into out. Results stored by jobs name media
 * as "media:<id>"; api_media_expand rewrites every such string of text
 * into a freshly signed URL (malloc'd result). */
extern const struct http_handler api_media_handler;
void api_media_url(const struct api_service *s, const char *id, char *out,
                   size_t n);
char *api_media_expand(const struct api_service *s, const char *text);

/* seal.c: media encrypted at rest (encrypt_media). seal replaces m's
 * data with a sealed copy and returns it (the caller frees it), or NULL
 * when encryption is off (m untouched). open turns a sealed blob read from
 * the store back into the file in place (a blob in clear is left as it
 * is); LC_ECHECKSUM when it does not open under this key. */
uint8_t *api_media_seal(const struct api_service *s, struct store_media *m);
int api_media_open(const struct api_service *s, const char *id,
                   uint8_t **data, size_t *n);

/* jobs.c: the analysis queue. start releases this node's old leases and
 * starts the scheduler thread (claims queued sessions while the worker
 * pool has room, renewing the leases of the jobs it holds); kick wakes
 * it; stop joins it; free releases it once no worker can run a job. work
 * runs one analysis on a worker. */
int api_jobs_start(struct api_service *s, struct lc_diag *d);
void api_jobs_kick(struct api_service *s);
void api_jobs_stop(struct api_service *s);
void api_jobs_free(struct api_service *s); /* after the pool is freed */
void api_jobs_work(void *worker_state, void *job);
/* The capture URL of a token, and the redirect URL of a session for a
 * status ("SUCCESS", "FAILURE", "PROCESSING"); "" without redirect_url. */
void api_capture_url(const struct api_service *s, const char *token,
                     char *out, size_t n);
void api_redirect_url(const struct store_session *ss, const char *status,
                      char *out, size_t n);

/* outbox.c: callback delivery. A thread with its own store connection
 * claims due callbacks (store_outbox_claim), POSTs each to its URL through
 * the safe fetcher (fetch_post: the video_url address rules) with
 * "X-Livecheck-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>" under sign_key_derive(master, "callback:<client_id>")>",
 * and records the attempt: delivered on a 2xx, else retried after
 * callback_backoff_ms doubling per attempt, up to callback_retries
 * attempts. start returns 0 or a negative code with d filled; kick wakes
 * the thread (a job just queued a callback); stop joins it (NULL-safe). */
int api_outbox_start(struct api_service *s, struct lc_diag *d);
void api_outbox_kick(struct api_service *s);
void api_outbox_stop(struct api_service *s);
/* The outbox's counters in Prometheus text into out; the length written. */
size_t api_outbox_metrics(const struct api_service *s, char *out, size_t n);

/* service.c */
struct api_worker {
    struct api_service *svc;
    struct vision_ctx *ctx;
    struct store *store;
};
bool api_mem_reserve(struct api_service *s, size_t n);
/* A store call failed: count it (livecheck_store_errors_total) and note
 * when, so /readyz says not ready while writes fail (a full disk fails
 * writes while reads, and the ping, still work). */
void api_store_failed(struct api_service *s);
/* Whether a store call failed within the last API_STORE_FAIL_WINDOW_MS. */
bool api_store_failing(struct api_service *s);
#define API_STORE_FAIL_WINDOW_MS 5000
void api_mem_release(struct api_service *s, size_t n);
void api_infer_record(struct api_service *s, double seconds);

#endif
