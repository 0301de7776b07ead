/* src/http/log.c - structured JSON log lines.
 *
 * One line per event, written with a single write(2) so that lines from
 * the server thread and the workers never interleave (the fd is a pipe,
 * a tty or an O_APPEND file). Fields come pre-rendered from the caller;
 * http_json_escape makes any string safe to put between quotes.
 */
#include "http_int.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

size_t http_json_escape(char *out, size_t n, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (n == 0)
        return 0;
    for (; s != NULL && *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[7];
        size_t k = 0;
        if (c == '"' || c == '\\') {
            esc[k++] = '\\';
            esc[k++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            esc[k++] = '\\';
            esc[k++] = 'u';
            esc[k++] = '0';
            esc[k++] = '0';
            esc[k++] = hex[c >> 4];
            esc[k++] = hex[c & 15];
        } else {
            esc[k++] = (char)c;
        }
        if (o + k >= n)
            break;
        memcpy(out + o, esc, k);
        o += k;
    }
    /* Do not end inside a UTF-8 sequence. */
    if (s != NULL && *s)
        while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
            o--;
    if (o > 0 && s != NULL && *s && ((unsigned char)out[o - 1] & 0xC0) == 0xC0)
        o--;
    out[o] = 0;
    return o;
}

void http_log(int fd, const char *level, const char *msg, const char *fields)
{
    char line[2048], ts[40], m[256];
    struct timeval tv;
    struct tm tm;
    if (fd < 0)
        return;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    http_json_escape(m, sizeof m, msg);
    int n = snprintf(line, sizeof line,
                     "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\","
                     "\"msg\":\"%s\"%s}\n",
                     ts, (long)(tv.tv_usec / 1000), level, m,
                     fields ? fields : "");
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) {
        /* Too long: keep the line valid JSON by dropping the fields. */
        n = snprintf(line, sizeof line,
                     "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"msg\":\"%s\","
                     "\"truncated\":true}\n",
                     ts, (long)(tv.tv_usec / 1000), level, m);
    }
    ssize_t w = write(fd, line, (size_t)n);
    (void)w;
}
