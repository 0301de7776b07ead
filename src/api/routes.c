/* src/api/routes.c - what livecheckd serves: one row per route. The
 * OpenAPI document (web/openapi.json) and docs/api.md describe the same
 * rows; tests/api.sh checks them against `livecheckd --dump-api`. */
#include "api_int.h"

/* What liveness_image_check (and the size cap before it) can refuse. */
static const enum lc_outcome image_outcomes[] = {
    LC_OUTCOME_EMPTY_IMAGE,      LC_OUTCOME_INVALID_IMAGE_FORMAT,
    LC_OUTCOME_IMAGE_TOO_LARGE,  LC_OUTCOME_CORRUPT_IMAGE,
    LC_OUTCOME_IMAGE_DIMENSIONS_TOO_LARGE,
    LC_OUTCOME_INVALID_RESOLUTION, LC_OUTCOME_MISSING_METADATA,
    LC_OUTCOME_NO_FACE,          LC_OUTCOME_MULTIPLE_FACES,
    LC_OUTCOME_FACE_TOO_SMALL,   LC_OUTCOME_FACE_CUT_OFF,
    LC_OUTCOME_INTERNAL,         LC_OUTCOME_OK,
};

/* What liveness_video_check(_url) (and the upload cap before it) can
 * refuse. */
static const enum lc_outcome video_outcomes[] = {
    LC_OUTCOME_EMPTY_VIDEO,           LC_OUTCOME_INVALID_VIDEO_FORMAT,
    LC_OUTCOME_VIDEO_TOO_LARGE,       LC_OUTCOME_VIDEO_TOO_LONG,
    LC_OUTCOME_VIDEO_NO_FRAMES,       LC_OUTCOME_CORRUPT_VIDEO,
    LC_OUTCOME_VIDEO_DIMENSIONS_TOO_LARGE,
    LC_OUTCOME_INVALID_VIDEO_RESOLUTION, LC_OUTCOME_NO_FACE_IN_VIDEO,
    LC_OUTCOME_INVALID_VIDEO_URL,     LC_OUTCOME_VIDEO_URL_NOT_ALLOWED,
    LC_OUTCOME_VIDEO_URL_UNREACHABLE, LC_OUTCOME_VIDEO_URL_HTTP_ERROR,
    LC_OUTCOME_INTERNAL,              LC_OUTCOME_OK,
};

/* What face match (liveness_match_embed on each image) and the image
 * quality check can refuse; a URL that cannot be fetched is an API key
 * (forensics_answers). */
static const enum lc_outcome image_quality_outcomes[] = {
    LC_OUTCOME_EMPTY_IMAGE,      LC_OUTCOME_INVALID_IMAGE_FORMAT,
    LC_OUTCOME_IMAGE_TOO_LARGE,  LC_OUTCOME_CORRUPT_IMAGE,
    LC_OUTCOME_IMAGE_DIMENSIONS_TOO_LARGE,
    LC_OUTCOME_INTERNAL,         LC_OUTCOME_OK,
};
static const enum lc_outcome face_match_outcomes[] = {
    LC_OUTCOME_EMPTY_IMAGE,      LC_OUTCOME_INVALID_IMAGE_FORMAT,
    LC_OUTCOME_IMAGE_TOO_LARGE,  LC_OUTCOME_CORRUPT_IMAGE,
    LC_OUTCOME_IMAGE_DIMENSIONS_TOO_LARGE,
    LC_OUTCOME_NO_FACE,          LC_OUTCOME_MULTIPLE_FACES,
    LC_OUTCOME_FACE_TOO_SMALL,   LC_OUTCOME_FACE_CUT_OFF,
    LC_OUTCOME_IMAGE_TOO_DARK,   LC_OUTCOME_IMAGE_TOO_BRIGHT,
    LC_OUTCOME_INTERNAL,         LC_OUTCOME_OK,
};

/* The API's own keys that belong to some routes only. */
static const enum api_answer passive_answers[] = {
    API_INVALID_SKIP_METADATA_VALIDATION, API_INVALID_IMAGE_ENCODING,
    API_SUCCESS,
};
static const enum api_answer video_answers[] = {
    API_EMPTY_VIDEO_AND_URL, API_VIDEO_AND_URL_BOTH, API_SUCCESS,
};
static const enum api_answer face_match_answers[] = {
    API_FACE_MATCH_DONE,     API_EMPTY_IMAGE_AND_URL,
    API_IMAGE_AND_URL_BOTH,  API_INVALID_THRESHOLD,
    API_INVALID_IMAGE_URL,   API_IMAGE_URL_NOT_ALLOWED,
    API_IMAGE_URL_UNREACHABLE, API_IMAGE_URL_HTTP_ERROR,
    API_SUCCESS,
};
static const enum api_answer image_quality_answers[] = {
    API_IMAGE_QUALITY_DONE,  API_EMPTY_IMAGE_AND_URL,
    API_IMAGE_AND_URL_BOTH,  API_INVALID_QUALITY_PARAMETER,
    API_INVALID_IMAGE_URL,   API_IMAGE_URL_NOT_ALLOWED,
    API_IMAGE_URL_UNREACHABLE, API_IMAGE_URL_HTTP_ERROR,
    API_SUCCESS,
};

static const enum api_answer initiate_answers[] = {
    API_SESSION_CREATED,      API_EMPTY_FACE_IMAGES,
    API_TOO_MANY_FACE_IMAGES, API_INVALID_FACE_IMAGES,
    API_INVALID_FACE_IMAGE_ENCODING, API_INVALID_REDIRECT_URL,
    API_INVALID_CALLBACK_URL, API_CALLBACK_URL_NOT_ALLOWED,
    API_INVALID_IMAGE_URL,    API_IMAGE_URL_NOT_ALLOWED,
    API_IMAGE_URL_UNREACHABLE, API_IMAGE_URL_HTTP_ERROR,
    API_SUCCESS,
};
static const enum api_answer results_answers[] = {
    API_SESSION_RESULTS, API_SESSION_STATE, API_TRANSACTION_NOT_FOUND,
    API_REFERENCE_ID_MISMATCH, API_SUCCESS,
};
/* The capture page's calls and the media links carry no credentials:
 * only these keys (and the listed outcomes). */
static const enum api_answer capture_answers[] = {
    API_CAPTURE_SESSION,       API_CAPTURE_RECEIVED,
    API_CAPTURE_STATUS,        API_CAPTURE_LINK_INVALID,
    API_CAPTURE_LINK_EXPIRED,  API_CAPTURE_LINK_USED,
    API_CAPTURE_ATTEMPTS_EXHAUSTED, API_INVALID_CAPTURE_METADATA,
    API_SUCCESS,
};
static const enum lc_outcome capture_outcomes[] = {
    LC_OUTCOME_EMPTY_VIDEO, LC_OUTCOME_INVALID_VIDEO_FORMAT,
    LC_OUTCOME_VIDEO_TOO_LARGE, LC_OUTCOME_INTERNAL, LC_OUTCOME_OK,
};
static const enum api_answer media_answers[] = {
    API_MEDIA_LINK_INVALID, API_MEDIA_LINK_EXPIRED, API_SUCCESS,
};
static const enum lc_outcome internal_outcome[] = {
    LC_OUTCOME_INTERNAL, LC_OUTCOME_OK,
};

const struct api_endpoint api_endpoints[] = {
    {HTTP_POST, "/v2/kyc/forensics/liveness/passive", API_KIND_PASSIVE,
     "liveness", API_BODY_JSON | API_BODY_MULTIPART, NULL, image_outcomes,
     passive_answers, NULL},
    {HTTP_POST, "/v3/kyc/farsight/liveness/passive", API_KIND_PASSIVE,
     "liveness", API_BODY_JSON, NULL, image_outcomes, passive_answers, NULL},
    {HTTP_POST, "/v2/kyc/forensics/video_liveness", API_KIND_VIDEO,
     "liveness", API_BODY_MULTIPART, NULL, video_outcomes, video_answers, NULL},
    {HTTP_POST, "/v2/kyc/forensics/face_match", API_KIND_FACE_MATCH,
     "liveness", API_BODY_MULTIPART, NULL, face_match_outcomes,
     face_match_answers, NULL},
    {HTTP_POST, "/v2/kyc/forensics/image_quality", API_KIND_IMAGE_QUALITY,
     "liveness", API_BODY_MULTIPART, NULL, image_quality_outcomes,
     image_quality_answers, NULL},
    {HTTP_POST, "/v2/kyc/forensics/active_video_liveness/initiate",
     API_KIND_INITIATE, "liveness", API_BODY_JSON, NULL, face_match_outcomes,
     initiate_answers, NULL},
    /* After initiate: a prefix route matches what no exact one did. */
    {HTTP_POST, "/v2/kyc/forensics/active_video_liveness/*",
     API_KIND_RESULTS, "liveness", API_BODY_JSON, NULL, internal_outcome,
     results_answers, "decentro_transaction_id"},
    {HTTP_GET | HTTP_POST, "/v2/capture/*", API_KIND_CAPTURE, NULL,
     API_BODY_MULTIPART, NULL, capture_outcomes, capture_answers, "token"},
    {HTTP_GET, "/media/*", API_KIND_MEDIA, NULL, 0, NULL, internal_outcome,
     media_answers, "signed_path"},
    {HTTP_GET, "/capture/*", API_KIND_FILE, NULL, 0, "capture.html", NULL,
     NULL, "token"},
    {HTTP_GET, "/capture.js", API_KIND_FILE, NULL, 0, "capture.js", NULL,
     NULL, NULL},
    {HTTP_GET, "/capture.css", API_KIND_FILE, NULL, 0, "capture.css", NULL,
     NULL, NULL},
    {HTTP_GET, "/healthz", API_KIND_OPS, NULL, 0, NULL, NULL, NULL, NULL},
    {HTTP_GET, "/readyz", API_KIND_OPS, NULL, 0, NULL, NULL, NULL, NULL},
    {HTTP_GET, "/metrics", API_KIND_OPS, NULL, 0, NULL, NULL, NULL, NULL},
    {HTTP_GET, "/openapi.json", API_KIND_FILE, NULL, 0, "openapi.json",
     NULL, NULL, NULL},
    {HTTP_GET, "/", API_KIND_FILE, NULL, 0, "index.html", NULL, NULL, NULL},
};

const int api_nendpoints =
    (int)(sizeof api_endpoints / sizeof api_endpoints[0]);
