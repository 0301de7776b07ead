/* src/daemon/config.h - livecheckd's settings from a file, the
 * environment and flags (in that order; later wins).
 *
 * Every setting has one row in config.c: its name (file key
 * `name = value`, flag `--name value` with '-' for '_', environment
 * variable LIVECHECK_NAME), its type and its bounds. Unknown names and
 * values out of bounds are errors with a one-line reason, never ignored.
 */
#ifndef LC_DAEMON_CONFIG_H
#define LC_DAEMON_CONFIG_H

#include <stdbool.h>

#include "livecheck/api.h"

struct daemon_config {
    struct api_config api;
    const char *listen;
    const char *log_file;   /* "-" = standard error */
    const char *config_file;
    int max_connections;
    int connection_timeout; /* seconds a connection may stay idle */
    int shutdown_timeout;   /* seconds to finish in-flight requests */
    bool dump_api;          /* --dump-api: print routes and keys, exit */
    bool print_config;      /* --print-config: print settings, exit */
    char *owned[64];        /* strings this config allocated */
    int nowned;
};

/* Defaults, then the file (--config FILE or $LIVECHECK_CONFIG), then the
 * environment, then argv. Returns 0, 1 for --help (usage printed), or a
 * negative code with the reason in d. */
int daemon_config_load(struct daemon_config *c, int argc, char **argv,
                       struct lc_diag *d);
/* Free the strings the load allocated (the struct itself is the
 * caller's). */
void daemon_config_release(struct daemon_config *c);
/* The settings as one JSON object on f. */
void daemon_config_print(const struct daemon_config *c, FILE *f);
extern const char daemon_usage[];

#endif
