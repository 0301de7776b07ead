/* src/daemon/config.c - the settings table and its three sources (see
 * config.h). */
#include "daemon/config.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "livecheck/mem.h"

enum type { T_STR, T_INT, T_SIZE, T_REAL, T_SYNC, T_FLOAT, T_LONG, T_BOOL,
            T_ALLOW };

struct opt {
    const char *name;
    enum type type;
    size_t off;
    double lo, hi;
    const char *help;
};

#define F(field) offsetof(struct daemon_config, field)

static const struct opt opts[] = {
    {"listen", T_STR, F(listen), 0, 0, "HOST:PORT to listen on"},
    {"data_dir", T_STR, F(api.store_url), 0, 0,
     "store: a directory or sqlite:DIR for SQLite, or postgres://..."
     " (keep the password in ~/.pgpass, not here)"},
    {"models_dir", T_STR, F(api.models_dir), 0, 0, "face models"},
    {"web_dir", T_STR, F(api.web_dir), 0, 0, "try-it page, openapi.json"},
    {"log_file", T_STR, F(log_file), 0, 0, "JSON log lines; - = stderr"},
    {"workers", T_INT, F(api.workers), 1, 256, "inference threads"},
    {"queue", T_INT, F(api.queue), 1, 100000,
     "requests waiting for a worker before 503"},
    {"max_connections", T_INT, F(max_connections), 1, 100000,
     "open connections"},
    {"connection_timeout", T_INT, F(connection_timeout), 1, 3600,
     "seconds of idle before a connection is closed"},
    {"shutdown_timeout", T_INT, F(shutdown_timeout), 0, 3600,
     "seconds to finish requests after SIGTERM"},
    {"body_memory", T_SIZE, F(api.body_memory), 1 << 20, 64.0 * (1 << 30),
     "bytes of request bodies held at once"},
    {"threshold", T_INT, F(api.engine.threshold), 0, 100,
     "live when livenessScore >= threshold"},
    {"review_band", T_INT, F(api.engine.review_band), 0, 100,
     "needToReview when |score - threshold| < band"},
    {"max_image_bytes", T_SIZE, F(api.engine.max_bytes), 1024,
     256.0 * (1 << 20), "image size cap"},
    {"min_side", T_INT, F(api.engine.min_side), 1, 20000,
     "smallest width/height"},
    {"max_side", T_INT, F(api.engine.max_side), 1, 20000,
     "largest width/height"},
    {"purpose_min", T_INT, F(api.purpose_min), 0, 1000,
     "purpose length, characters"},
    {"purpose_max", T_INT, F(api.purpose_max), 1, 1000,
     "purpose length, characters"},
    {"reference_max", T_INT, F(api.reference_max), 1, 128,
     "reference_id length, bytes"},
    {"rate_limit", T_REAL, F(api.rate_limit), 0, 1e6,
     "requests per second per client; 0 = off"},
    {"rate_burst", T_REAL, F(api.rate_burst), 0, 1e6,
     "burst per client; 0 = max(1, rate_limit)"},
    {"store_sync", T_SYNC, F(api.store.sync), 0, 0,
     "full (survives power loss) or normal (survives a crash)"},
    {"video_max_bytes", T_SIZE, F(api.video.max_bytes), 1024,
     256.0 * (1 << 20), "video size cap, upload and video_url alike"},
    {"video_max_duration", T_REAL, F(api.video.max_duration), 0.1, 600,
     "longest video, seconds"},
    {"video_min_side", T_INT, F(api.video.min_side), 1, 8192,
     "smallest video width/height"},
    {"video_max_side", T_INT, F(api.video.max_side), 1, 8192,
     "largest video width/height"},
    {"video_threshold", T_FLOAT, F(api.video.threshold), 0, 1,
     "video live when confidence >= threshold"},
    {"video_pipeline", T_BOOL, F(api.video.pipeline), 0, 0,
     "decode each video on a second thread (true/false)"},
    {"fetch_allow", T_ALLOW, F(api.fetch.allow), 0, 0,
     "video_url hosts/CIDRs allowed despite being private (comma list)"},
    {"fetch_connect_timeout_ms", T_LONG, F(api.fetch.connect_ms), 1, 600000,
     "video_url: per connection attempt"},
    {"fetch_timeout_ms", T_LONG, F(api.fetch.timeout_ms), 1, 3600000,
     "video_url: the whole download, every redirect"},
    {"fetch_max_redirects", T_INT, F(api.fetch.max_redirects), 0, 20,
     "video_url: redirects followed (each re-checked)"},
    {"public_url", T_STR, F(api.public_url), 0, 0,
     "base of capture and image URLs, e.g. https://kyc.example.com"
     " (default: http://LISTEN)"},
    {"key_file", T_STR, F(api.key_file), 0, 0,
     "signing key of image URLs and callbacks (default DATA_DIR/server.key;"
     " share it between nodes)"},
    {"node_id", T_STR, F(api.node_id), 0, 0,
     "this node's name on analysis leases (default: the host name)"},
    {"session_ttl", T_INT, F(api.session_ttl_s), 1, 86400 * 7,
     "seconds a capture link stays valid"},
    {"capture_attempts", T_INT, F(api.capture_attempts), 1, 100,
     "refused uploads a capture link allows"},
    {"media_url_ttl", T_INT, F(api.media_url_ttl_s), 1, 86400 * 30,
     "seconds a signed image URL stays valid"},
    {"job_lease", T_INT, F(api.job_lease_s), 2, 3600,
     "seconds an analysis job is held before another node may take it"},
    {"callback_retries", T_INT, F(api.callback_retries), 1, 100,
     "delivery attempts of a callback"},
    {"callback_backoff_ms", T_INT, F(api.callback_backoff_ms), 1, 3600000,
     "first callback retry delay, doubled each attempt"},
    {"retention", T_LONG, F(api.retention_s), 0, 3650.0 * 86400,
     "seconds after which session media and embeddings are deleted"
     " (0 = keep)"},
    {"encrypt_media", T_BOOL, F(api.encrypt_media), 0, 0,
     "encrypt stored images and recordings with a key derived from"
     " key_file"},
    {"active_max_bytes", T_SIZE, F(api.active.max_bytes), 1024,
     1.0 * (1 << 30), "capture recording size cap"},
    {"active_max_duration", T_REAL, F(api.active.max_duration), 1, 600,
     "capture recording duration cap (seconds)"},
};

#define NOPTS (sizeof opts / sizeof opts[0])

const char daemon_usage[] =
    "usage: livecheckd [--config FILE] [--NAME VALUE]...\n"
    "       livecheckd --dump-api | --print-config\n"
    "\n"
    "Settings (file `name = value`, flag --name, env LIVECHECK_NAME):\n";

static void usage(FILE *f)
{
    fputs(daemon_usage, f);
    for (size_t i = 0; i < NOPTS; i++) {
        char flag[40];
        snprintf(flag, sizeof flag, "%s", opts[i].name);
        for (char *p = flag; *p; p++)
            if (*p == '_')
                *p = '-';
        fprintf(f, "  --%-20s %s\n", flag, opts[i].help);
    }
}

/* The option called name ('-' and '_' alike), or NULL. */
static const struct opt *find(const char *name, size_t n)
{
    for (size_t i = 0; i < NOPTS; i++) {
        const char *o = opts[i].name;
        if (strlen(o) != n)
            continue;
        size_t k = 0;
        while (k < n && (o[k] == name[k] || (o[k] == '_' && name[k] == '-')))
            k++;
        if (k == n)
            return &opts[i];
    }
    return NULL;
}

/* Keep track of an allocated string; returns it. */
static char *own(struct daemon_config *c, char *s)
{
    if (c->nowned < (int)(sizeof c->owned / sizeof c->owned[0]))
        c->owned[c->nowned++] = s;
    return s; /* beyond the table (64 strings) it lives as long as we do */
}

void daemon_config_release(struct daemon_config *c)
{
    for (int i = 0; i < c->nowned; i++)
        free(c->owned[i]);
    c->nowned = 0;
}

static int set(struct daemon_config *c, const struct opt *o, const char *v,
               const char *src, struct lc_diag *d)
{
    char *p = (char *)c + o->off, *end;
    double x;
    errno = 0;
    switch (o->type) {
    case T_STR:
        if (v[0] == 0)
            return lc_diag_set(d, LC_EINVAL, "%s: %s is empty", src, o->name);
        *(const char **)p = own(c, lc_strdup(v));
        return 0;
    case T_ALLOW:
        if (fetch_allow_check(v, d) < 0) {
            char pre[PATH_MAX + 64];
            snprintf(pre, sizeof pre, "%s: %s: ", src, o->name);
            lc_diag_prefix(d, pre);
            return LC_EINVAL;
        }
        *(const char **)p = own(c, lc_strdup(v));
        return 0;
    case T_BOOL:
        if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
            strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0)
            *(bool *)p = true;
        else if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0 ||
                 strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0)
            *(bool *)p = false;
        else
            return lc_diag_set(d, LC_EINVAL,
                               "%s: %s is true or false, not '%s'", src,
                               o->name, v);
        return 0;
    case T_SYNC:
        if (strcmp(v, "full") == 0)
            *(enum store_sync *)p = STORE_SYNC_FULL;
        else if (strcmp(v, "normal") == 0)
            *(enum store_sync *)p = STORE_SYNC_NORMAL;
        else
            return lc_diag_set(d, LC_EINVAL,
                               "%s: store_sync is full or normal, not '%s'",
                               src, v);
        return 0;
    default:
        x = strtod(v, &end);
        if (o->type == T_SIZE && end != v) {
            /* 20M, 512K, 1G */
            switch (toupper((unsigned char)*end)) {
            case 'K':
                x *= 1024;
                end++;
                break;
            case 'M':
                x *= 1024 * 1024;
                end++;
                break;
            case 'G':
                x *= 1024.0 * 1024 * 1024;
                end++;
                break;
            default:
                break;
            }
            if (toupper((unsigned char)*end) == 'B')
                end++;
        }
        if (end == v || *end || errno || x < o->lo || x > o->hi ||
            (o->type != T_REAL && o->type != T_FLOAT &&
             x != (double)(long long)x))
            return lc_diag_set(d, LC_EINVAL,
                               "%s: %s wants a%s number within %g..%g, "
                               "not '%s'",
                               src, o->name,
                               o->type == T_REAL || o->type == T_FLOAT
                                   ? ""
                                   : "n integer",
                               o->lo, o->hi, v);
        if (o->type == T_INT)
            *(int *)p = (int)x;
        else if (o->type == T_SIZE)
            *(size_t *)p = (size_t)x;
        else if (o->type == T_LONG)
            *(long *)p = (long)x;
        else if (o->type == T_FLOAT)
            *(float *)p = (float)x;
        else
            *(double *)p = x;
        return 0;
    }
}

static int load_file(struct daemon_config *c, const char *path,
                     struct lc_diag *d)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return lc_diag_set(d, LC_EIO, "config %s: %s", path, strerror(errno));
    char line[1024], src[PATH_MAX + 32];
    int no = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        no++;
        snprintf(src, sizeof src, "%s:%d", path, no);
        char *p = line, *hash = strchr(p, '#');
        if (hash)
            *hash = 0;
        while (isspace((unsigned char)*p))
            p++;
        size_t n = strlen(p);
        while (n > 0 && isspace((unsigned char)p[n - 1]))
            p[--n] = 0;
        if (n == 0)
            continue;
        char *eq = strchr(p, '=');
        if (eq == NULL) {
            rc = lc_diag_set(d, LC_EINVAL, "%s: want name = value", src);
            break;
        }
        char *k = p, *ke = eq, *v = eq + 1;
        while (ke > k && isspace((unsigned char)ke[-1]))
            ke--;
        while (isspace((unsigned char)*v))
            v++;
        size_t vn = strlen(v);
        if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
            v[vn - 1] = 0;
            v++;
        }
        const struct opt *o = find(k, (size_t)(ke - k));
        if (o == NULL) {
            *ke = 0;
            rc = lc_diag_set(d, LC_EINVAL, "%s: unknown setting '%s'", src,
                             k);
            break;
        }
        rc = set(c, o, v, src, d);
    }
    fclose(f);
    return rc;
}

/* A directory next to the executable (../NAME), else NAME. */
static const char *beside_exe(struct daemon_config *c, const char *name)
{
    char exe[PATH_MAX], dir[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        snprintf(dir, sizeof dir, "%s/../%s", dirname(exe), name);
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return own(c, lc_strdup(dir));
    }
    return name;
}

int daemon_config_load(struct daemon_config *c, int argc, char **argv,
                       struct lc_diag *d)
{
    memset(c, 0, sizeof *c);
    api_config_default(&c->api);
    c->listen = "127.0.0.1:8080";
    c->log_file = "-";
    c->max_connections = 256;
    c->connection_timeout = 30;
    c->shutdown_timeout = 30;
    c->api.models_dir = beside_exe(c, "models");
    c->api.web_dir = beside_exe(c, "web");
    c->config_file = getenv("LIVECHECK_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            c->config_file = argv[++i];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            c->config_file = argv[i] + 9;
    }
    int rc;
    if (c->config_file && (rc = load_file(c, c->config_file, d)) < 0)
        return rc;
    for (size_t i = 0; i < NOPTS; i++) {
        char env[64];
        int k = snprintf(env, sizeof env, "LIVECHECK_%s", opts[i].name);
        for (int j = 10; j < k; j++)
            env[j] = (char)toupper((unsigned char)env[j]);
        const char *v = getenv(env);
        if (v != NULL && (rc = set(c, &opts[i], v, env, d)) < 0)
            return rc;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(a, "--dump-api") == 0) {
            c->dump_api = true;
            continue;
        }
        if (strcmp(a, "--print-config") == 0) {
            c->print_config = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            usage(stderr);
            return lc_diag_set(d, LC_EINVAL, "unexpected argument '%s'", a);
        }
        const char *name = a + 2, *eq = strchr(name, '='), *v;
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        if (n == 6 && strncmp(name, "config", 6) == 0) {
            i += eq ? 0 : 1;
            continue;
        }
        const struct opt *o = find(name, n);
        if (o == NULL)
            return lc_diag_set(d, LC_EINVAL, "unknown flag '%s' (see --help)",
                               a);
        if (eq)
            v = eq + 1;
        else if (i + 1 < argc)
            v = argv[++i];
        else
            return lc_diag_set(d, LC_EINVAL, "%s needs a value", a);
        if ((rc = set(c, o, v, "flag", d)) < 0)
            return rc;
    }
    const struct api_config *a = &c->api;
    if (a->purpose_min > a->purpose_max)
        return lc_diag_set(d, LC_EINVAL, "purpose_min %d > purpose_max %d",
                           a->purpose_min, a->purpose_max);
    if (a->engine.min_side > a->engine.max_side)
        return lc_diag_set(d, LC_EINVAL, "min_side %d > max_side %d",
                           a->engine.min_side, a->engine.max_side);
    if (a->video.min_side > a->video.max_side)
        return lc_diag_set(d, LC_EINVAL,
                           "video_min_side %d > video_max_side %d",
                           a->video.min_side, a->video.max_side);
    if (a->video.max_bytes > a->body_memory)
        return lc_diag_set(d, LC_EINVAL,
                           "video_max_bytes %zu > body_memory %zu: no video "
                           "of the largest size could be received",
                           a->video.max_bytes, a->body_memory);
    if (a->engine.max_bytes > a->body_memory)
        return lc_diag_set(d, LC_EINVAL,
                           "max_image_bytes %zu > body_memory %zu: no image "
                           "of the largest size could be received",
                           a->engine.max_bytes, a->body_memory);
    return 0;
}

void daemon_config_print(const struct daemon_config *c, FILE *f)
{
    fputc('{', f);
    for (size_t i = 0; i < NOPTS; i++) {
        const char *p = (const char *)c + opts[i].off;
        char esc[PATH_MAX * 2];
        fprintf(f, "%s\"%s\":", i ? "," : "", opts[i].name);
        switch (opts[i].type) {
        case T_STR:
        case T_ALLOW: {
            char clear[PATH_MAX];
            store_url_redact(*(const char *const *)p, clear, sizeof clear);
            http_json_escape(esc, sizeof esc, clear);
            fprintf(f, "\"%s\"", esc);
            break;
        }
        case T_LONG:
            fprintf(f, "%ld", *(const long *)p);
            break;
        case T_FLOAT:
            fprintf(f, "%g", (double)*(const float *)p);
            break;
        case T_BOOL:
            fputs(*(const bool *)p ? "true" : "false", f);
            break;
        case T_INT:
            fprintf(f, "%d", *(const int *)p);
            break;
        case T_SIZE:
            fprintf(f, "%zu", *(const size_t *)p);
            break;
        case T_REAL:
            fprintf(f, "%g", *(const double *)p);
            break;
        case T_SYNC:
            fprintf(f, "\"%s\"", *(const enum store_sync *)p == STORE_SYNC_FULL
                                     ? "full"
                                     : "normal");
            break;
        }
    }
    fputs("}\n", f);
}
