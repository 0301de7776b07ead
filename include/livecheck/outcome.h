/* include/livecheck/outcome.h - the engine's user-facing failure outcomes.
 *
 * Every way a photo or a video can be refused by the input policy, the face
 * rules or the URL fetcher has one entry here: a stable responseKey, the HTTP
 * status and responseCode the API answers with, and one human sentence. The
 * CLI prints the same key on stderr, so a result on the command line is the
 * result the API gives.
 * The table is the single source: the API reference and the server's
 * OpenAPI document are checked against it.
 */
#ifndef LC_OUTCOME_H
#define LC_OUTCOME_H

#define LC_OUTCOME_MAP(X)                                                    \
    X(EMPTY_IMAGE, "error_empty_image", 400, "E00009",                       \
      "Image cannot be null or empty.")                                      \
    X(INVALID_IMAGE_FORMAT, "error_invalid_image_format", 415, "E00020",     \
      "File type not allowed. Allowed extensions: ['jpg', 'jpeg', 'png'].")  \
    X(IMAGE_TOO_LARGE, "error_image_too_large", 413, "E00021",               \
      "The image is larger than the allowed size.")                          \
    X(CORRUPT_IMAGE, "error_corrupt_image", 422, "E00016",                   \
      "The image could not be decoded: it is truncated or corrupt.")         \
    X(IMAGE_DIMENSIONS_TOO_LARGE, "error_image_dimensions_too_large", 413,   \
      "E00022", "The image declares dimensions beyond the decoder's limit.") \
    X(INVALID_RESOLUTION, "error_invalid_image_resolution", 422, "E00023",   \
      "Image width and height must be within the allowed range.")            \
    X(MISSING_METADATA, "error_missing_image_metadata", 422, "E00024",       \
      "The image lacks the EXIF tags FileSource, Make and DateTime.")        \
    X(NO_FACE, "error_no_face_detected", 422, "E00016",                      \
      "No face was detected in the image.")                                  \
    X(MULTIPLE_FACES, "error_multiple_faces_detected", 422, "E00016",        \
      "More than one face was detected in the image.")                       \
    X(FACE_TOO_SMALL, "error_face_too_small", 422, "E00016",                 \
      "The face is too small to be analysed.")                               \
    X(FACE_CUT_OFF, "error_face_cut_off", 422, "E00016",                     \
      "The face is cut off by the edge of the image.")                       \
    X(INTERNAL, "error_internal", 500, "E00500",                             \
      "An internal error occurred.")                                         \
    X(IMAGE_TOO_DARK, "error_image_too_dark", 422, "E00016",                 \
      "The photo is too dark to find a face; retake it in better light.")    \
    X(IMAGE_TOO_BRIGHT, "error_image_too_bright", 422, "E00016",             \
      "The photo is overexposed; retake it without strong light on it.")     \
    X(EMPTY_VIDEO, "error_empty_video", 400, "E00009",                       \
      "Video cannot be null or empty.")                                      \
    X(INVALID_VIDEO_FORMAT, "error_invalid_video_format", 415, "E00020",     \
      "File type not allowed. Allowed extensions: ['mp4', 'webm'].")         \
    X(VIDEO_TOO_LARGE, "error_video_too_large", 413, "E00021",               \
      "The video is larger than the allowed size.")                          \
    X(VIDEO_TOO_LONG, "error_video_too_long", 422, "E00027",                 \
      "The video is longer than the allowed duration.")                      \
    X(VIDEO_NO_FRAMES, "error_video_no_frames", 422, "E00016",               \
      "The file has no video stream or no video frames.")                    \
    X(CORRUPT_VIDEO, "error_corrupt_video", 422, "E00016",                   \
      "The video could not be decoded: it is truncated or corrupt.")         \
    X(VIDEO_DIMENSIONS_TOO_LARGE, "error_video_dimensions_too_large", 413,   \
      "E00022", "The video declares a frame size beyond the decoder's limit.") \
    X(INVALID_VIDEO_RESOLUTION, "error_invalid_video_resolution", 422,       \
      "E00023", "Video width and height must be within the allowed range.")  \
    X(NO_FACE_IN_VIDEO, "error_no_face_in_video", 422, "E00016",             \
      "No face was found in enough frames of the video.")                    \
    X(INVALID_VIDEO_URL, "error_invalid_video_url", 400, "E00009",           \
      "The video URL is malformed or does not use http or https.")           \
    X(VIDEO_URL_NOT_ALLOWED, "error_video_url_not_allowed", 400, "E00028",   \
      "The video URL points to an address that is not allowed.")             \
    X(VIDEO_URL_UNREACHABLE, "error_video_url_unreachable", 422, "E00029",   \
      "The video URL could not be reached in time.")                         \
    X(VIDEO_URL_HTTP_ERROR, "error_video_url_http_error", 422, "E00030",     \
      "The video URL answered with an error status or too many redirects.")

enum lc_outcome {
    LC_OUTCOME_OK = 0,
#define X(name, key, status, code, msg) LC_OUTCOME_##name,
    LC_OUTCOME_MAP(X)
#undef X
    LC_OUTCOME_COUNT
};

/* Stable responseKey, HTTP status, responseCode and message of an outcome.
 * LC_OUTCOME_OK gives "success", 200, "S00000". Never NULL. */
const char *lc_outcome_key(enum lc_outcome o);
int lc_outcome_status(enum lc_outcome o);
const char *lc_outcome_code(enum lc_outcome o);
const char *lc_outcome_message(enum lc_outcome o);

#endif
