/* src/daemon/main.c - livecheckd: configuration, wiring, signals.
 *
 * The only file that sees every room: it reads the settings, opens the
 * service (models, store, workers, web files), starts the HTTP server on
 * it and waits for SIGTERM or SIGINT. Shutdown is graceful: stop
 * accepting, let the requests in flight finish (each one's transaction is
 * stored before it is answered), then stop the server, the workers and the
 * store, in that order.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/config.h"
#include "livecheck/api.h"
#include "livecheck/http.h"

static void log_fields(int fd, const char *level, const char *msg,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void log_fields(int fd, const char *level, const char *msg,
                       const char *fmt, ...)
{
    char f[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f, sizeof f, fmt, ap);
    va_end(ap);
    http_log(fd, level, msg, f);
}

static void fail_line(int fd, const char *what, const char *why)
{
    char esc[600];
    http_json_escape(esc, sizeof esc, why);
    log_fields(fd, "error", what, ",\"error\":\"%s\"", esc);
}

static int serve(struct daemon_config *cfg);

int main(int argc, char **argv)
{
    struct daemon_config cfg;
    struct lc_diag d = {{0}};
    int rc = daemon_config_load(&cfg, argc, argv, &d);
    if (rc != 0 || cfg.dump_api || cfg.print_config) {
        if (rc < 0)
            fprintf(stderr, "livecheckd: %s\n", d.msg);
        else if (cfg.dump_api)
            api_dump(stdout);
        else if (cfg.print_config)
            daemon_config_print(&cfg, stdout);
        daemon_config_release(&cfg);
        return rc < 0 ? 2 : 0;
    }
    int status = serve(&cfg);
    daemon_config_release(&cfg);
    return status;
}

/* Run livecheckd with cfg until SIGTERM or SIGINT; the exit status. */
static int serve(struct daemon_config *cfg)
{
    struct lc_diag d = {{0}};
    int log_fd = 2;
    if (strcmp(cfg->log_file, "-") != 0) {
        log_fd = open(cfg->log_file,
                      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (log_fd < 0) {
            fprintf(stderr, "livecheckd: %s: %s\n", cfg->log_file,
                    strerror(errno));
            return 2;
        }
    }
    struct api_service *svc;
    struct http_server *srv;
    cfg->api.log_fd = log_fd;

    /* Signals are taken by sigwait below; every thread started from here
     * inherits the mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (sodium_init() < 0) {
        fail_line(log_fd, "startup failed", "libsodium cannot initialise");
        return 1;
    }

    if (api_service_open(&svc, &cfg->api, &d) < 0) {
        fail_line(log_fd, "startup failed", d.msg);
        return 1;
    }
    struct http_config hc = {
        .listen = cfg->listen,
        .max_connections = cfg->max_connections,
        .connection_timeout_s = cfg->connection_timeout,
    };
    api_service_http(svc, &hc);
    if (http_server_start(&srv, &hc, &d) < 0) {
        fail_line(log_fd, "startup failed", d.msg);
        api_service_close(svc);
        return 1;
    }
    api_service_attach(svc, srv);
    char dir[600], url[300];
    store_url_redact(cfg->api.store_url, url, sizeof url);
    http_json_escape(dir, sizeof dir, url);
    log_fields(log_fd, "info", "listening",
               ",\"address\":\"%s\",\"data_dir\":\"%s\",\"workers\":%d,"
               "\"queue\":%d,\"pid\":%d",
               http_server_address(srv), dir, cfg->api.workers,
               cfg->api.queue, (int)getpid());

    int sig = 0;
    sigwait(&stop, &sig);
    log_fields(log_fd, "info", "draining", ",\"signal\":\"%s\","
               "\"in_flight\":%d", sig == SIGTERM ? "SIGTERM" : "SIGINT",
               http_server_in_flight(srv));
    http_server_quiesce(srv);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (http_server_in_flight(srv) == 0)
            break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec >= cfg->shutdown_timeout) {
            log_fields(log_fd, "warn", "shutdown timeout",
                       ",\"in_flight\":%d", http_server_in_flight(srv));
            break;
        }
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    }
    /* A deferred request must get its answer before the server goes: its
     * worker resumes the connection. Checks take milliseconds. */
    for (int i = 0; i < 1000 && !api_service_idle(svc); i++)
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    http_server_stop(srv);
    api_service_close(svc);
    log_fields(log_fd, "info", "stopped", "%s", "");
    if (log_fd != 2)
        close(log_fd);
    return 0;
}
