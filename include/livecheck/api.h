/* include/livecheck/api.h - livecheckd's API: its answers and the service
 * that serves them.
 *
 * Every answer the API gives has one row: the engine's refusals come from
 * LC_OUTCOME_MAP (outcome.h) and the API's own (credentials, common
 * fields, request shape, capacity) from API_ERR_MAP below. A responseKey
 * names exactly one cause and keeps its HTTP status and responseCode
 * forever; docs/api.md and web/openapi.json list the same rows, and
 * tests/api.sh checks that they agree with `livecheckd --dump-api`.
 *
 * The service (struct api_service) owns what a running livecheckd needs
 * besides the socket: the models (loaded once, shared read-only), the
 * worker pool with one vision_ctx and one store connection per worker, the
 * store connection of the HTTP thread, the static files of web/, the rate
 * limiter and the memory budget for request bodies. daemon/main.c opens
 * it, hands api_service_routes() to http_server_start and closes it after
 * the server has drained.
 */
#ifndef LC_API_H
#define LC_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "livecheck/http.h"
#include "livecheck/liveness.h"
#include "livecheck/outcome.h"
#include "livecheck/store.h"
#include "livecheck/video.h"
#include "livecheck/active.h"

/* The API's own failures: name, responseKey, HTTP status, responseCode,
 * message. E00009 and E00019 are the hosted API's own codes. */
#define API_ERR_MAP(X)                                                       \
    X(EMPTY_CLIENT_ID, "error_empty_client_id", 401, "E00101",               \
      "client_id cannot be null or empty. Hint: client_id (header)")         \
    X(EMPTY_CLIENT_SECRET, "error_empty_client_secret", 401, "E00102",       \
      "client_secret cannot be null or empty. Hint: client_secret (header)") \
    X(EMPTY_MODULE_SECRET, "error_empty_module_secret", 401, "E00103",       \
      "module_secret cannot be null or empty. Hint: module_secret (header)") \
    X(INVALID_CREDENTIALS, "error_invalid_credentials", 401, "E00104",       \
      "Invalid client_id or client_secret.")                                 \
    X(UNAUTHORIZED_MODULE, "error_unauthorized_module", 403, "E00105",       \
      "These credentials are not authorized for this module.")               \
    X(EMPTY_REFERENCE_ID, "error_empty_reference_id", 400, "E00009",         \
      "Reference ID cannot be null or empty. Hint: reference_id (string)")   \
    X(INVALID_REFERENCE_ID, "error_invalid_reference_id", 400, "E00009",     \
      "Reference ID is invalid. Hint: reference_id (string, at most 128 "    \
      "characters, no control characters)")                                 \
    X(DUPLICATE_REFERENCE_ID, "error_duplicate_reference_id", 409, "E00019", \
      "Duplicate Request Reference ID")                                      \
    X(EMPTY_CONSENT, "error_empty_consent", 400, "E00009",                   \
      "Consent cannot be null or empty. Hint: consent (boolean)")            \
    X(INVALID_CONSENT_TYPE, "error_invalid_consent_type", 400, "E00009",     \
      "Consent must be a boolean. Hint: consent (true/false or Y/N)")        \
    X(CONSENT_FALSE, "error_consent_false", 400, "E00009",                   \
      "Consent must be given to perform this check. Hint: consent (true)")   \
    X(EMPTY_PURPOSE, "error_empty_purpose", 400, "E00009",                   \
      "Purpose cannot be null or empty. Hint: purpose (string)")             \
    X(SHORT_PURPOSE_LENGTH, "error_short_purpose_length", 400, "E00009",     \
      "Purpose is shorter than the allowed length.")                         \
    X(LONG_PURPOSE_LENGTH, "error_long_purpose_length", 400, "E00009",       \
      "Purpose is longer than the allowed length.")                          \
    X(INVALID_SKIP_METADATA_VALIDATION,                                      \
      "error_invalid_skip_metadata_validation", 400, "E00009",               \
      "skip_metadata_validation must be a boolean. Hint: "                   \
      "skip_metadata_validation (boolean)")                                  \
    X(INVALID_IMAGE_ENCODING, "error_invalid_image_encoding", 400, "E00009", \
      "Image must be a base64-encoded string. Hint: image (string)")         \
    X(EMPTY_VIDEO_AND_URL, "error_empty_video_and_video_url", 400, "E00009", \
      "Pass either a video or a video URL, both can not be null. Hint: "     \
      "video (file) or video_url (string)")                                  \
    X(VIDEO_AND_URL_BOTH, "error_video_and_video_url_both_given", 400,       \
      "E00009", "Pass either a video or a video URL, not both. Hint: video " \
      "(file) or video_url (string)")                                        \
    X(FACE_MATCH_DONE, "success_face_match", 200, "S00000",                  \
      "Face scan completed successfully.")                                   \
    X(IMAGE_QUALITY_DONE, "success_image_quality", 200, "S00000",            \
      "Image Quality check performed successfully")                          \
    X(EMPTY_IMAGE_AND_URL, "error_empty_image_and_image_url", 400, "E00009", \
      "Pass either an Image or Image URL, both can not be null.")            \
    X(IMAGE_AND_URL_BOTH, "error_image_and_image_url_both_given", 400,       \
      "E00009", "Pass either an Image or an Image URL, not both.")           \
    X(INVALID_THRESHOLD, "error_invalid_threshold", 400, "E00009",           \
      "Threshold can't be greater than 95 or less than 5.")                  \
    X(INVALID_QUALITY_PARAMETER, "error_invalid_quality_parameter", 400,     \
      "E00009", "Quality parameter must be one of all, sharpness, "          \
      "brightness, compressionQuality, textQuality.")                        \
    X(INVALID_IMAGE_URL, "error_invalid_image_url", 400, "E00009",           \
      "The image URL is malformed or does not use http or https.")           \
    X(IMAGE_URL_NOT_ALLOWED, "error_image_url_not_allowed", 400, "E00028",   \
      "The image URL points to an address that is not allowed.")             \
    X(IMAGE_URL_UNREACHABLE, "error_image_url_unreachable", 422, "E00029",   \
      "The image URL could not be reached in time.")                         \
    X(IMAGE_URL_HTTP_ERROR, "error_image_url_http_error", 422, "E00030",     \
      "The image URL answered with an error status or too many redirects.")  \
    X(MALFORMED_REQUEST, "error_malformed_request", 400, "E00002",           \
      "The request body is not well-formed.")                                \
    X(UNSUPPORTED_CONTENT_TYPE, "error_unsupported_content_type", 415,       \
      "E00003", "The request's Content-Type is not accepted here.")          \
    X(INVALID_ENDPOINT, "error_invalid_endpoint", 404, "E00004",             \
      "Invalid endpoint.")                                                   \
    X(METHOD_NOT_ALLOWED, "error_method_not_allowed", 405, "E00005",         \
      "This method is not allowed on this endpoint.")                        \
    X(RATE_LIMITED, "error_rate_limited", 429, "E00429",                     \
      "Too many requests: the rate limit for these credentials is "          \
      "exceeded.")                                                           \
    X(SERVER_BUSY, "error_server_busy", 503, "E00503",                       \
      "The service is at capacity. Retry shortly.")                          \
    X(STORE_UNAVAILABLE, "error_store_unavailable", 503, "E00504",          \
      "The service cannot reach its store right now. Retry shortly.")        \
    X(SESSION_CREATED, "success_video_liveness_session_created", 200,        \
      "S00000", "Video liveness session created successfully.")             \
    X(SESSION_RESULTS, "success_video_liveness_results", 200, "S00000",      \
      "Video liveness results fetched successfully.")                       \
    X(SESSION_STATE, "success_video_liveness_session_state", 200, "S00000",  \
      "The video liveness session has no results yet; data.status says "     \
      "where it stands.")                                                    \
    X(EMPTY_FACE_IMAGES, "error_empty_face_images", 400, "E00009",           \
      "Pass at least one face image. Hint: face_image_urls (array) or "      \
      "face_image_base64s (array)")                                          \
    X(TOO_MANY_FACE_IMAGES, "error_too_many_face_images", 400, "E00009",     \
      "A total of only 4 images are allowed for matching.")                  \
    X(INVALID_FACE_IMAGES, "error_invalid_face_images", 400, "E00009",       \
      "face_image_urls and face_image_base64s must be arrays of strings.")   \
    X(INVALID_FACE_IMAGE_ENCODING, "error_invalid_face_image_encoding", 400, \
      "E00009", "A face image is not valid base64.")                         \
    X(INVALID_REDIRECT_URL, "error_invalid_redirect_url", 400, "E00009",     \
      "redirect_url must be an http or https URL. Hint: redirect_url "       \
      "(string)")                                                            \
    X(INVALID_CALLBACK_URL, "error_invalid_callback_url", 400, "E00009",     \
      "callback_url must be an http or https URL. Hint: callback_url "       \
      "(string)")                                                            \
    X(CALLBACK_URL_NOT_ALLOWED, "error_callback_url_not_allowed", 400,       \
      "E00028", "The callback URL points to an address that is not "         \
      "allowed.")                                                            \
    X(TRANSACTION_NOT_FOUND, "error_transaction_not_found", 404, "E00026",   \
      "No records found for the given ID")                                   \
    X(REFERENCE_ID_MISMATCH, "error_reference_id_mismatch", 400, "E00009",   \
      "reference_id does not match the session's. Hint: reference_id "       \
      "(string)")                                                            \
    X(CAPTURE_SESSION, "success_capture_session", 200, "S00000",             \
      "Capture session.")                                                    \
    X(CAPTURE_RECEIVED, "success_capture_received", 202, "S00000",           \
      "The recording was received and is being analysed.")                   \
    X(CAPTURE_STATUS, "success_capture_status", 200, "S00000",               \
      "Capture status.")                                                     \
    X(CAPTURE_LINK_INVALID, "error_capture_link_invalid", 404, "E00031",     \
      "This verification link is not valid.")                                \
    X(CAPTURE_LINK_EXPIRED, "error_capture_link_expired", 410, "E00032",     \
      "This verification link has expired. Ask for a new one.")             \
    X(CAPTURE_LINK_USED, "error_capture_link_used", 410, "E00033",           \
      "This verification link has already been used.")                       \
    X(CAPTURE_ATTEMPTS_EXHAUSTED, "error_capture_attempts_exhausted", 410,   \
      "E00034", "This verification link allows no more attempts.")           \
    X(INVALID_CAPTURE_METADATA, "error_invalid_capture_metadata", 400,       \
      "E00009", "The capture metadata is missing or malformed. Hint: meta "  \
      "(JSON string)")                                                       \
    X(MEDIA_LINK_INVALID, "error_media_link_invalid", 404, "E00035",         \
      "This media link is not valid.")                                       \
    X(MEDIA_LINK_EXPIRED, "error_media_link_expired", 410, "E00036",         \
      "This media link has expired; fetch the results again for fresh "      \
      "links.")

/* Answers: success, the API's failures, then the engine's outcomes. */
enum api_answer {
    API_SUCCESS = 0,
#define X(name, key, status, code, msg) API_##name,
    API_ERR_MAP(X)
#undef X
    API_OUTCOME_BASE, /* API_OUTCOME_BASE + (o - 1) is outcome o */
    API_ANSWER_COUNT = API_OUTCOME_BASE + LC_OUTCOME_COUNT - 1
};

int api_answer_of_outcome(enum lc_outcome o);
const char *api_answer_key(int a);     /* never NULL */
int api_answer_status(int a);
const char *api_answer_code(int a);
const char *api_answer_message(int a);

/* Everything the operator can set (daemon/config.c fills it). */
struct api_config {
    struct liveness_config engine; /* thresholds, input policy */
    struct liveness_video_config video; /* the video endpoint's policy */
    struct fetch_config fetch;     /* video_url: timeouts, allow-list */
    const char *models_dir;
    const char *web_dir;
    const char *store_url;         /* "sqlite:DIR" or a directory */
    struct store_opts store;
    int workers;                   /* inference threads */
    int queue;                     /* requests waiting for a worker */
    int purpose_min, purpose_max;  /* characters; default 20..200 */
    int reference_max;             /* bytes; default 128 */
    double rate_limit;             /* requests/s per client; 0 = off */
    double rate_burst;             /* bucket size; 0 = max(1, rate) */
    size_t body_memory;            /* bytes of bodies held at once */
    int log_fd;
    /* Active video liveness (spec/api.md 3). */
    struct liveness_active_config active; /* the recording's policy */
    const char *public_url;   /* base of capture and media URLs ("" = the
                               * address livecheckd listens on) */
    const char *key_file;     /* signing key of media URLs and callbacks
                               * ("" = DATA_DIR/server.key, made when
                               * missing) */
    const char *node_id;      /* this node's name on job leases ("" = the
                               * host name) */
    int session_ttl_s;        /* a capture link lives this long: 600 */
    int capture_attempts;     /* refused uploads a link allows: 3 */
    int media_url_ttl_s;      /* signed image URLs live this long: 86400 */
    int job_lease_s;          /* an analysis job's lease: 60 */
    int callback_retries;     /* delivery attempts of a callback: 8 */
    int callback_backoff_ms;  /* first retry delay, doubling: 1000 */
    long retention_s;         /* delete media and embeddings older than
                               * this; 0 = keep */
    bool encrypt_media;       /* seal stored media (XChaCha20-Poly1305) */
};

void api_config_default(struct api_config *c);

struct api_service;

/* Load the models, open the store (running its migrations), start the
 * workers and read web/. Returns 0 or a negative code with d filled. */
int api_service_open(struct api_service **out, const struct api_config *c,
                     struct lc_diag *d);
/* Stop the workers (after the queued jobs) and release everything. */
void api_service_close(struct api_service *s);

/* The routes, fallbacks and metric key labels to start the server with;
 * valid while the service lives. */
void api_service_http(struct api_service *s, struct http_config *hc);
/* Tell the service which server it runs in (for /metrics, /readyz). */
void api_service_attach(struct api_service *s, struct http_server *srv);

/* True when no request waits for or runs on a worker. */
bool api_service_idle(struct api_service *s);

/* The capture page's upload metadata in[0..n): a JSON object whose
 * prompts (if any) are objects with a known kind and times 0 <= start <=
 * end <= 600, whose location is null or has numeric latitude (|x| <= 90)
 * and longitude (|x| <= 180), and whose recordingStartedAt (if any) is a
 * number. When it passes, its compact form (at most outn bytes with the
 * NUL; out may be in) is written to out and true returned. */
bool api_capture_meta_check(const char *in, size_t n, char *out,
                            size_t outn);

/* What this build serves, as JSON, for the contract test:
 * {"routes":[{"method","path","keys":[...]}],
 *  "keys":[{"key","status","code","message"}]}. */
void api_dump(FILE *f);

#endif
