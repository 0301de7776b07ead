/* src/cli/credentials.c - `livecheck credentials create|list|revoke`: API
 * credentials in the same store livecheckd reads.
 *
 * create prints the new secrets once, as JSON; only their hashes are
 * stored, so they cannot be shown again. The data directory is
 * --data-dir, else $LIVECHECK_DATA_DIR, else ./var (livecheckd's default).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "livecheck/store.h"

static const char usage[] =
    "usage: livecheck credentials create [--modules LIST] [--label TEXT] "
    "[--data-dir DIR]\n"
    "       livecheck credentials list [--data-dir DIR]\n"
    "       livecheck credentials revoke CLIENT_ID [--data-dir DIR]\n";

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

int cli_credentials(int argc, char **argv)
{
    const char *dir = getenv("LIVECHECK_DATA_DIR");
    const char *modules = "*", *label = "", *id = NULL, *cmd = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
            dir = argv[++i];
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
    if (!(create || list || revoke) || (revoke != (id != NULL))) {
        fputs(usage, stderr);
        return cli_fail("error_usage", "credentials: want create, list or "
                                       "revoke CLIENT_ID");
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
