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

const struct api_endpoint api_endpoints[] = {
    {HTTP_POST, "/v2/kyc/forensics/liveness/passive", API_KIND_PASSIVE,
     "liveness", API_BODY_JSON | API_BODY_MULTIPART, NULL, image_outcomes},
    {HTTP_POST, "/v3/kyc/farsight/liveness/passive", API_KIND_PASSIVE,
     "liveness", API_BODY_JSON, NULL, image_outcomes},
    {HTTP_GET, "/healthz", API_KIND_OPS, NULL, 0, NULL, NULL},
    {HTTP_GET, "/readyz", API_KIND_OPS, NULL, 0, NULL, NULL},
    {HTTP_GET, "/metrics", API_KIND_OPS, NULL, 0, NULL, NULL},
    {HTTP_GET, "/openapi.json", API_KIND_FILE, NULL, 0, "openapi.json",
     NULL},
    {HTTP_GET, "/", API_KIND_FILE, NULL, 0, "index.html", NULL},
};

const int api_nendpoints =
    (int)(sizeof api_endpoints / sizeof api_endpoints[0]);
