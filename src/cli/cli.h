/* src/cli/cli.h - what the subcommands of build/livecheck share.
 *
 * Every subcommand prints its result as one JSON document on stdout. A
 * failure prints a JSON error envelope with a stable responseKey on stderr
 * and exits non-zero: 2 when the input was refused (the API would answer
 * 4xx), 1 for usage and internal errors.
 */
#ifndef LC_CLI_H
#define LC_CLI_H

#include <jansson.h>

#include "livecheck/liveness.h"

enum { CLI_OK = 0, CLI_ERR = 1, CLI_REFUSED = 2 };

/* Models directory: --models, else $LIVECHECK_MODELS, else ../models next
 * to the executable, else ./models. */
const char *cli_models_dir(const char *flag);

/* Load the six models and a fast context; prints the error envelope and
 * returns CLI_ERR on failure. */
int cli_vision_open(const char *models_flag, struct vision_models *vm,
                    struct vision_ctx **ctx);

/* Print a JSON value (stolen) on stdout, indented, with a newline. */
void cli_print(json_t *v);

/* Print the error envelope for an outcome on stderr; returns the exit
 * status (CLI_REFUSED for user outcomes, CLI_ERR for internal). */
int cli_fail_outcome(enum lc_outcome o, const char *reason);

/* Print an error envelope with a free-form key on stderr; returns CLI_ERR. */
int cli_fail(const char *key, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Embed the one usable face of a photo file (liveness_match_embed);
 * returns CLI_OK or an exit status after printing the error envelope. */
int cli_embed_file(struct vision_ctx *ctx, const struct liveness_config *c,
                   const char *file, float emb[VISION_EMBED_DIM]);

int cli_image(int argc, char **argv);
int cli_match(int argc, char **argv);
int cli_models(int argc, char **argv);
int cli_credentials(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_video(int argc, char **argv);
int cli_digits(int argc, char **argv);
int cli_quality(int argc, char **argv);
int cli_active(int argc, char **argv);

#endif
