/* src/cli/common.c - models location, JSON printing and error envelopes. */
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

const char *cli_models_dir(const char *flag)
{
    static char dir[PATH_MAX];
    if (flag)
        return flag;
    const char *env = getenv("LIVECHECK_MODELS");
    if (env && env[0])
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        snprintf(dir, sizeof dir, "%s/../models", dirname(exe));
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return dir;
    }
    return "models";
}

int cli_vision_open(const char *models_flag, struct vision_models *vm,
                    struct vision_ctx **ctx)
{
    struct lc_diag d = {{0}};
    const char *dir = cli_models_dir(models_flag);
    if (vision_models_load(vm, dir, &d) < 0)
        return cli_fail("error_models_unavailable",
                        "cannot load the face models from %s: %s (run `make models`)",
                        dir, d.msg);
    *ctx = vision_ctx_new(vm, NN_EXEC_FAST);
    return CLI_OK;
}

void cli_print(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) {
        puts(s);
        free(s);
    }
    json_decref(v);
}

static void envelope(const char *key, const char *code, const char *msg,
                     const char *reason)
{
    json_t *e = json_pack("{s:s, s:s, s:s, s:s}", "status", "FAILURE",
                          "responseCode", code, "responseKey", key, "message", msg);
    if (reason && reason[0])
        json_object_set_new(e, "reason", json_string(reason));
    char *s = json_dumps(e, JSON_PRESERVE_ORDER);
    if (s) {
        fprintf(stderr, "%s\n", s);
        free(s);
    }
    json_decref(e);
}

int cli_fail_outcome(enum lc_outcome o, const char *reason)
{
    envelope(lc_outcome_key(o), lc_outcome_code(o), lc_outcome_message(o), reason);
    return o == LC_OUTCOME_INTERNAL ? CLI_ERR : CLI_REFUSED;
}

int cli_fail(const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    envelope(key, "E00001", msg, NULL);
    return CLI_ERR;
}
