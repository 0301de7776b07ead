/* include/livecheck/outcome.h - the engine's user-facing failure outcomes.
 *
 * Every way a photo can be refused by the input policy or by the face rules
 * has one entry here: a stable responseKey, the HTTP status and responseCode
 * the API answers with, and one human sentence. The CLI prints the same key
 * on stderr, so a result on the command line is the result the API gives.
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
      "The photo is overexposed; retake it without strong light on it.")

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
