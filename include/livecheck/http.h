/* include/livecheck/http.h - livecheckd's HTTP room: the body readers and
 * the server around libmicrohttpd.
 *
 * Body readers (multipart.c, json.c, base64.c) are push parsers: the
 * server hands them the body in whatever pieces the socket delivered, and
 * they call back with fields as they complete, so a request is parsed in
 * memory bounded by the parser's fixed state plus what the callbacks keep.
 * None of them allocates. Every parser error is sticky: once a feed has
 * failed, later feeds return the same code and call nothing.
 *
 * The server (server.c) runs libmicrohttpd with one polling thread. A
 * route's handler is called on that thread as headers, body pieces and the
 * end of the body arrive; it answers on the spot (http_req_answer) or
 * defers (http_req_defer) and completes the request later from any thread
 * (http_req_complete), which is how inference leaves the connection
 * thread. Everything about metrics and access logs is kept here, keyed by
 * the responseKey index the handler sets.
 */
#ifndef LC_HTTP_H
#define LC_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "livecheck/err.h"

/* ---- base64 (RFC 4648), incremental ---------------------------------- */

/* Decoder state. Accepts the standard and the URL-safe alphabet, skips
 * ASCII whitespace anywhere, and takes padding or none. Zero-initialised
 * is ready. */
struct http_b64 {
    uint32_t acc; /* up to 3 sextets waiting */
    int nacc;     /* sextets in acc */
    int pad;      /* '=' seen */
    int err;      /* sticky LC_EFORMAT */
};

/* Bytes that decoding n input characters can produce at most. */
#define HTTP_B64_OUT_MAX(n) (((n) / 4 + 1) * 3)

/* Decode in[0..n) into out (room for HTTP_B64_OUT_MAX(n) bytes); stores
 * the bytes written in *outn. Returns 0 or LC_EFORMAT (a character outside
 * the alphabet, data after padding). */
int http_b64_update(struct http_b64 *b, const char *in, size_t n,
                    uint8_t *out, size_t *outn);
/* Flush the last partial group (at most 2 bytes into out). LC_EFORMAT when
 * the input stopped on a lone sextet or padding did not fit. */
int http_b64_final(struct http_b64 *b, uint8_t *out, size_t *outn);
/* Encode n bytes as padded standard base64 into out (4*ceil(n/3)+1 bytes
 * of room, NUL-terminated); returns the length written. */
size_t http_b64_encode(const uint8_t *in, size_t n, char *out);

/* ---- multipart/form-data (RFC 7578), streaming ----------------------- */

#define HTTP_MP_BOUNDARY_MAX 70 /* RFC 2046 */
#define HTTP_MP_HEADERS_MAX 2048 /* one part's header block */
#define HTTP_MP_NAME_MAX 64

/* Callbacks; a non-zero return stops the parse and becomes its (sticky)
 * result. name and filename are NUL-terminated, truncated to
 * HTTP_MP_NAME_MAX-1 bytes; filename is NULL for a part without one
 * (a plain field). */
struct http_multipart_cb {
    int (*part_begin)(void *arg, const char *name, const char *filename,
                      const char *content_type);
    int (*part_data)(void *arg, const uint8_t *p, size_t n);
    int (*part_end)(void *arg);
};

struct http_multipart {
    const struct http_multipart_cb *cb;
    void *arg;
    char delim[4 + HTTP_MP_BOUNDARY_MAX + 1]; /* "\r\n--" boundary */
    size_t dlen, match;
    int state, err;
    size_t hlen;
    char hdr[HTTP_MP_HEADERS_MAX];
};

/* The boundary parameter of a multipart/form-data Content-Type, into out
 * (HTTP_MP_BOUNDARY_MAX+1 bytes). LC_EFORMAT when the type is not
 * multipart/form-data or the boundary is missing or invalid. */
int http_multipart_boundary(const char *content_type, char *out);
int http_multipart_init(struct http_multipart *m, const char *boundary,
                        const struct http_multipart_cb *cb, void *arg);
int http_multipart_feed(struct http_multipart *m, const uint8_t *p,
                        size_t n);
/* End of body: LC_EFORMAT unless the closing delimiter was seen. */
int http_multipart_finish(struct http_multipart *m);

/* ---- JSON request objects (RFC 8259), streaming ---------------------- */

enum http_json_kind {
    HTTP_JSON_STRING,
    HTTP_JSON_NUMBER,
    HTTP_JSON_TRUE,
    HTTP_JSON_FALSE,
    HTTP_JSON_NULL,
    HTTP_JSON_OBJECT,
    HTTP_JSON_ARRAY
};

#define HTTP_JSON_KEY_MAX 64
#define HTTP_JSON_DEPTH_MAX 32

/* A request body must be one JSON object. For each top-level member the
 * reader calls member_begin with the (unescaped, NUL-terminated, truncated
 * to HTTP_JSON_KEY_MAX-1 bytes) key and the value's kind, member_data with
 * a string's unescaped UTF-8 in pieces or a number's text, and member_end.
 * Nested objects and arrays are checked for balance and skipped (no data).
 * A non-zero return from a callback stops the parse and is returned. */
struct http_json_cb {
    int (*member_begin)(void *arg, const char *key, enum http_json_kind k);
    int (*member_data)(void *arg, const char *p, size_t n);
    int (*member_end)(void *arg);
};

struct http_json {
    const struct http_json_cb *cb;
    void *arg;
    int state, err;
    int str;          /* which string is being read: key, value, skipped */
    int esc;          /* escape sub-state */
    uint32_t u, hi;   /* \uXXXX being read; pending high surrogate */
    int nu;
    int depth;
    uint64_t stack;   /* nested containers: bit set = array */
    const char *lit;  /* literal being matched ("true"), and where */
    int nlit;
    size_t klen;
    char key[HTTP_JSON_KEY_MAX];
    size_t numlen;
    char num[40];
};

void http_json_init(struct http_json *j, const struct http_json_cb *cb,
                    void *arg);
int http_json_feed(struct http_json *j, const char *p, size_t n);
/* End of body: LC_EFORMAT unless one complete object was read. */
int http_json_finish(struct http_json *j);

/* ---- the server ------------------------------------------------------ */

struct http_server;
struct http_req;

enum http_method { HTTP_GET = 1, HTTP_POST = 2, HTTP_HEAD = 4, HTTP_OTHER = 8 };

/* A route's handler. Every callback runs on the server thread. */
struct http_handler {
    /* Headers are in. Answer now (the body is then not read) or return
     * after setting the body cap with http_req_body_cap. */
    void (*begin)(struct http_req *r);
    /* A piece of the body, within the cap. */
    void (*body)(struct http_req *r, const char *p, size_t n);
    /* The body is complete (http_req_overflow says whether it passed the
     * cap). Answer now or call http_req_defer. */
    void (*end)(struct http_req *r);
    /* The request is over (sent, or the connection failed): release what
     * the handler keeps in http_req_ctx. Optional. */
    void (*done)(struct http_req *r);
};

struct http_route {
    int methods;             /* HTTP_GET | ... */
    const char *path;        /* exact match, or a prefix ending in "*" */
    const struct http_handler *h;
    const void *data;        /* for the handler (http_req_route_data) */
};

/* Where a request that matches no route, or not its method, goes: the
 * handler answers with an error (begin is the only callback called). */
struct http_fallback {
    void (*not_found)(struct http_req *r);
    void (*bad_method)(struct http_req *r);
};

struct http_config {
    const char *listen;        /* "HOST:PORT"; port 0 picks a free one */
    const struct http_route *routes;
    int nroutes;
    struct http_fallback fallback;
    const char *const *keys;   /* responseKey labels for metrics */
    int nkeys;
    int max_connections;
    int connection_timeout_s;
    size_t conn_memory;        /* libmicrohttpd's per-connection buffer */
    int log_fd;                /* access log; -1 = none */
};

/* Start listening and serving. On failure returns a negative code and
 * writes the reason into d. */
int http_server_start(struct http_server **out, const struct http_config *c,
                      struct lc_diag *d);
/* The address actually bound ("127.0.0.1:40123"). */
const char *http_server_address(const struct http_server *s);
/* Stop accepting connections; requests in flight carry on. Responses sent
 * from now on say "Connection: close". */
void http_server_quiesce(struct http_server *s);
bool http_server_draining(const struct http_server *s);
/* Requests begun and not yet finished. */
int http_server_in_flight(const struct http_server *s);
/* Close every connection and free the server (NULL is a no-op). */
void http_server_stop(struct http_server *s);

/* Request accessors. Strings are borrowed for the request's lifetime. */
enum http_method http_req_method(const struct http_req *r);
const char *http_req_path(const struct http_req *r);
const char *http_req_header(const struct http_req *r, const char *name);
const void *http_req_route_data(const struct http_req *r);
const char *http_req_route_path(const struct http_req *r); /* or "other" */
/* Content-Length, or -1 when the body is chunked or absent. */
long long http_req_content_length(const struct http_req *r);
struct http_server *http_req_server(const struct http_req *r);
double http_req_age_ms(const struct http_req *r);

/* The handler's own state (NULL until set). */
void *http_req_ctx(const struct http_req *r);
void http_req_set_ctx(struct http_req *r, void *ctx);

/* Body handling: bytes beyond `cap` are not passed to body(); the request
 * is then marked overflowed and the rest is discarded as it arrives. A
 * body beyond `drop` bytes closes the connection. */
void http_req_body_cap(struct http_req *r, size_t cap, size_t drop);
bool http_req_overflow(const struct http_req *r);
size_t http_req_body_bytes(const struct http_req *r);

/* What the access log and metrics say about the request. */
void http_req_log_set(struct http_req *r, const char *txn_id,
                      const char *client_id, int key_index);

enum http_mem { HTTP_MEM_STATIC, HTTP_MEM_COPY, HTTP_MEM_FREE };
/* Answer the request. body is kept (STATIC: it outlives the request),
 * copied at once (COPY), or freed with free() after sending (FREE).
 * headers is NULL or NULL-terminated pairs, {"Retry-After", "1", NULL},
 * and must outlive the request. Only on the server thread, from begin or
 * end. */
void http_req_answer(struct http_req *r, int status, const char *ctype,
                     const void *body, size_t n, enum http_mem mem,
                     const char *const *headers);
/* Suspend the connection until http_req_complete. */
void http_req_defer(struct http_req *r);
/* From any thread, once: the answer of a deferred request (as for
 * http_req_answer, with HTTP_MEM_FREE or STATIC bodies). */
void http_req_complete(struct http_req *r, int status, const char *ctype,
                       const void *body, size_t n, enum http_mem mem,
                       const char *const *headers);

/* ---- metrics and logs ------------------------------------------------ */

/* Prometheus text of the server's counters (requests by route and key,
 * latency histograms, in-flight requests), followed by `extra` (more
 * metric lines from the caller, may be NULL), in a new buffer the caller
 * frees. */
char *http_metrics_render(struct http_server *s, const char *extra,
                          size_t *n);

/* One JSON log line {"ts":..,"level":..,"msg":..} plus the caller's
 * pre-rendered fields (`,"k":"v"...` or ""), written with one write(2). */
void http_log(int fd, const char *level, const char *msg, const char *fields);
/* Escape s as the inside of a JSON string into out (n bytes, always
 * NUL-terminated, truncated on a character boundary). */
size_t http_json_escape(char *out, size_t n, const char *s);

#endif
