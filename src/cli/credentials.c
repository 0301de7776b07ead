/* src/cli/credentials.c - `livecheck credentials create|list|revoke`: API
 * credentials in the same store livecheckd reads; `callback-key`: the key
 * a client verifies its callbacks with.
 *
 * create prints the new secrets once, as JSON; only their hashes are
 * stored, so they cannot be shown again. The data directory is
 * --data-dir, else $LIVECHECK_DATA_DIR, else ./var (livecheckd's default).
 * callback-key derives the client's key from livecheckd's master key
 * (--key-file, default DATA_DIR/server.key, never created here):
 * sign_key_derive(master, "callback:CLIENT_ID"), printed as 64 hex; the
 * client uses the 32 bytes that hex decodes to as its HMAC-SHA256 key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "livecheck/sign.h"
#include "livecheck/store.h"

static const char usage[] =
    "usage: livecheck credentials create [--modules LIST] [--label TEXT] "
    "[--data-dir DIR]\n"
    "       livecheck credentials list [--data-dir DIR]\n"
    "       livecheck credentials revoke CLIENT_ID [--data-dir DIR]\n"
    "       livecheck credentials callback-key CLIENT_ID [--data-dir DIR] "
    "[--key-file FILE]\n";

static json_t *iso_time(int64_t ms)
{
    char buf[40];
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ms <= 0)
        return json_null();
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

static int list_one(void *arg, const struct store_credential *c)
{
    json_array_append_new(
        arg, json_pack("{s:s, s:s, s:s, s:o, s:o, s:b}", "client_id",
                       c->client_id, "label", c->label, "modules", c->modules,
                       "created_at", iso_time(c->created_ms), "revoked_at",
                       iso_time(c->revoked_ms), "active", c->revoked_ms == 0));
    return 0;
}

/* The callback key of client id: its credential must exist (revoked or
 * not: callbacks may still be owed to it), the key file must too. */
static int callback_key(struct store *st, const char *dir, const char *id,
                        const char *key_file)
{
    char path[4096];
    if (key_file != NULL && key_file[0]) {
        snprintf(path, sizeof path, "%s", key_file);
    } else {
        /* livecheckd's default: server.key beside a SQLite database. */
        const char *colon = strchr(dir, ':'), *slash = strchr(dir, '/');
        bool scheme = colon != NULL && (slash == NULL || colon < slash);
        if (scheme && strncmp(dir, "sqlite:", 7) != 0)
            return cli_fail("error_usage", "credentials: give --key-file "
                                           "(livecheckd's key_file) with "
                                           "store %s", dir);
        snprintf(path, sizeof path, "%s/server.key", scheme ? dir + 7 : dir);
    }
    static struct store_credential c;
    int rc = store_credential_get(st, id, &c);
    if (rc == LC_ENOTFOUND)
        return cli_fail("error_credential_not_found", "no credential '%s'",
                        id);
    if (rc < 0)
        return cli_fail("error_store_unavailable", "%s", lc_strerror(rc));
    uint8_t master[SIGN_KEY_BYTES], key[SIGN_KEY_BYTES];
    struct lc_diag d = {{0}};
    if (sign_key_load(path, false, master, &d) < 0)
        return cli_fail("error_key_unavailable", "%s", d.msg);
    char purpose[16 + STORE_ID_MAX], hex[SIGN_HEX_MAX];
    snprintf(purpose, sizeof purpose, "callback:%s", id);
    sign_key_derive(master, purpose, key);
    sign_hex(key, sizeof key, hex);
    memset(master, 0, sizeof master);
    memset(key, 0, sizeof key);
    cli_print(json_pack("{s:s, s:s, s:s, s:s}", "client_id", id,
                        "callback_key", hex, "header",
                        "X-Livecheck-Signature", "scheme",
                        "t=<unix>,v1=hex(HMAC-SHA256(callback_key, t + \".\" "
                        "+ body))"));
    memset(hex, 0, sizeof hex);
    return CLI_OK;
}

int cli_credentials(int argc, char **argv)
{
    const char *dir = getenv("LIVECHECK_DATA_DIR");
    const char *modules = "*", *label = "", *id = NULL, *cmd = NULL;
    const char *key_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--key-file") == 0 && i + 1 < argc)
            key_file = argv[++i];
        else if (strcmp(argv[i], "--modules") == 0 && i + 1 < argc)
            modules = argv[++i];
        else if (strcmp(argv[i], "--label") == 0 && i + 1 < argc)
            label = argv[++i];
        else if (argv[i][0] != '-' && cmd == NULL)
            cmd = argv[i];
        else if (argv[i][0] != '-' && id == NULL)
            id = argv[i];
        else {
            fputs(usage, stderr);
            return cli_fail("error_usage",
                            "credentials: unexpected argument '%s'", argv[i]);
        }
    }
    if (dir == NULL || dir[0] == 0)
        dir = "var";
    bool create = cmd && strcmp(cmd, "create") == 0;
    bool list = cmd && strcmp(cmd, "list") == 0;
    bool revoke = cmd && strcmp(cmd, "revoke") == 0;
    bool cbkey = cmd && strcmp(cmd, "callback-key") == 0;
    if (!(create || list || revoke || cbkey) ||
        ((revoke || cbkey) != (id != NULL))) {
        fputs(usage, stderr);
        return cli_fail("error_usage", "credentials: want create, list, "
                                       "revoke CLIENT_ID or callback-key "
                                       "CLIENT_ID");
    }
    struct store *st;
    struct lc_diag d = {{0}};
    if (store_open(&st, dir, NULL, &d) < 0)
        return cli_fail("error_store_unavailable", "%s", d.msg);
    int status = CLI_OK, rc;
    if (create) {
        struct store_secrets s;
        rc = store_credential_create(st, modules, label, &s);
        if (rc < 0)
            status = cli_fail("error_store_unavailable",
                              "cannot store the credential: %s",
                              lc_strerror(rc));
        else
            cli_print(json_pack("{s:s, s:s, s:s}", "client_id", s.client_id,
                                "client_secret", s.client_secret,
                                "module_secret", s.module_secret));
        memset(&s, 0, sizeof s);
    } else if (cbkey) {
        status = callback_key(st, dir, id, key_file);
    } else if (list) {
        json_t *a = json_array();
        rc = store_credential_each(st, list_one, a);
        if (rc < 0) {
            json_decref(a);
            status = cli_fail("error_store_unavailable", "%s",
                              lc_strerror(rc));
        } else {
            cli_print(a);
        }
    } else {
        rc = store_credential_revoke(st, id);
        if (rc == LC_ENOTFOUND)
            status = cli_fail("error_credential_not_found",
                              "no active credential '%s'", id);
        else if (rc < 0)
            status = cli_fail("error_store_unavailable", "%s",
                              lc_strerror(rc));
        else
            cli_print(json_pack("{s:s, s:b}", "client_id", id, "revoked", 1));
    }
    store_close(st);
    return status;
}
