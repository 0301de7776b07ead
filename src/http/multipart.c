/* src/http/multipart.c - a streaming multipart/form-data reader (RFC 7578,
 * RFC 2046 section 5.1).
 *
 * The body is scanned once for the delimiter "\r\n--<boundary>". Because a
 * boundary may not contain CR (RFC 2046 bcharsnospace), '\r' occurs in the
 * delimiter only at its start, so a failed partial match can be flushed as
 * data and matching restarts only at a '\r': no backtracking and no buffer
 * beyond the delimiter itself. Part bodies go to part_data as runs of the
 * caller's own buffer (memchr for '\r'), never copied; only the held
 * partial delimiter is handed over from parser memory. A part's headers
 * are collected in a fixed HTTP_MP_HEADERS_MAX buffer.
 *
 * Not supported (rejected as malformed): nested multipart/mixed, header
 * folding beyond the fixed buffer, a missing Content-Disposition name.
 */
#include "livecheck/http.h"

#include <string.h>
#include <strings.h>

enum {
    S_PREAMBLE,  /* before the first delimiter */
    S_AFTER,     /* just after a delimiter: "--", padding or CRLF */
    S_AFTER_DASH,
    S_AFTER_CR,
    S_HEADERS,
    S_BODY,
    S_END        /* after the closing delimiter: epilogue ignored */
};

static bool bchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || strchr("'()+_,-./:=? ", c) != NULL;
}

int http_multipart_boundary(const char *ct, char *out)
{
    static const char type[] = "multipart/form-data";
    if (ct == NULL || strncasecmp(ct, type, sizeof type - 1) != 0)
        return LC_EFORMAT;
    const char *p = ct + sizeof type - 1;
    while (*p) {
        /* ; param=value */
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != ';')
            return LC_EFORMAT;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *name = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        size_t nlen = (size_t)(p - name);
        while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
            nlen--;
        if (*p != '=')
            return LC_EFORMAT;
        p++;
        char val[HTTP_MP_BOUNDARY_MAX + 2];
        size_t vlen = 0;
        bool too_long = false;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                if (vlen <= HTTP_MP_BOUNDARY_MAX)
                    val[vlen++] = *p;
                else
                    too_long = true;
            }
            if (*p != '"')
                return LC_EFORMAT;
            p++;
        } else {
            for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
                if (vlen <= HTTP_MP_BOUNDARY_MAX)
                    val[vlen++] = *p;
                else
                    too_long = true;
            }
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != 0 && *p != ';')
            return LC_EFORMAT;
        if (nlen == 8 && strncasecmp(name, "boundary", 8) == 0) {
            if (too_long || vlen == 0 || vlen > HTTP_MP_BOUNDARY_MAX ||
                val[vlen - 1] == ' ')
                return LC_EFORMAT;
            for (size_t i = 0; i < vlen; i++)
                if (!bchar(val[i]))
                    return LC_EFORMAT;
            memcpy(out, val, vlen);
            out[vlen] = 0;
            return 0;
        }
    }
    return LC_EFORMAT;
}

int http_multipart_init(struct http_multipart *m, const char *boundary,
                        const struct http_multipart_cb *cb, void *arg)
{
    size_t n = strlen(boundary);
    memset(m, 0, offsetof(struct http_multipart, hdr));
    m->cb = cb;
    m->arg = arg;
    if (n == 0 || n > HTTP_MP_BOUNDARY_MAX)
        return m->err = LC_EFORMAT;
    for (size_t i = 0; i < n; i++)
        if (!bchar(boundary[i]))
            return m->err = LC_EFORMAT;
    memcpy(m->delim, "\r\n--", 4);
    memcpy(m->delim + 4, boundary, n);
    m->dlen = n + 4;
    m->state = S_PREAMBLE;
    m->match = 2; /* the body may start with the delimiter, minus CRLF */
    return 0;
}

/* Copy the value of parameter `param` (name="..." or name=token) of a
 * Content-Disposition value into out (HTTP_MP_NAME_MAX bytes). Returns
 * false when it is absent. */
static bool disp_param(const char *v, const char *end, const char *param,
                       char *out)
{
    size_t plen = strlen(param);
    const char *p = v;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        if (semi == NULL)
            return false;
        p = semi + 1;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if ((size_t)(end - p) > plen && strncasecmp(p, param, plen) == 0 &&
            p[plen] == '=') {
            p += plen + 1;
            size_t o = 0;
            if (p < end && *p == '"') {
                for (p++; p < end && *p != '"'; p++) {
                    if (*p == '\\' && p + 1 < end)
                        p++;
                    if (o < HTTP_MP_NAME_MAX - 1)
                        out[o++] = *p;
                }
            } else {
                for (; p < end && *p != ';' && *p != ' '; p++)
                    if (o < HTTP_MP_NAME_MAX - 1)
                        out[o++] = *p;
            }
            out[o] = 0;
            return true;
        }
        /* Skip a quoted value so that a ';' inside it is not a split. */
        while (p < end && *p != ';') {
            if (*p == '"') {
                for (p++; p < end && *p != '"'; p++)
                    if (*p == '\\' && p + 1 < end)
                        p++;
            }
            if (p < end)
                p++;
        }
    }
    return false;
}

/* The header block m->hdr[0..hlen) ends with CRLF CRLF (or is one CRLF).
 * Find the part's name, filename and content type, then call part_begin. */
static int headers_done(struct http_multipart *m)
{
    char name[HTTP_MP_NAME_MAX] = "", file[HTTP_MP_NAME_MAX] = "";
    char ctype[HTTP_MP_NAME_MAX] = "";
    bool has_name = false, has_file = false;
    const char *p = m->hdr, *end = m->hdr + m->hlen;
    while (p < end) {
        const char *eol = memchr(p, '\r', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon != NULL) {
            size_t hn = (size_t)(colon - p);
            const char *v = colon + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            if (hn == 19 && strncasecmp(p, "Content-Disposition", 19) == 0) {
                if ((size_t)(eol - v) < 9 || strncasecmp(v, "form-data", 9))
                    return LC_EFORMAT;
                has_name = disp_param(v, eol, "name", name);
                has_file = disp_param(v, eol, "filename", file);
            } else if (hn == 12 && strncasecmp(p, "Content-Type", 12) == 0) {
                size_t n = (size_t)(eol - v);
                if (n >= sizeof ctype)
                    n = sizeof ctype - 1;
                memcpy(ctype, v, n);
                ctype[n] = 0;
            }
        }
        p = eol + 2;
    }
    if (!has_name)
        return LC_EFORMAT;
    return m->cb->part_begin(m->arg, name, has_file ? file : NULL, ctype);
}

/* Has the header block just ended (an empty line)? */
static bool header_block_end(const struct http_multipart *m)
{
    if (m->hlen == 2)
        return m->hdr[0] == '\r';
    return m->hlen >= 4 && memcmp(m->hdr + m->hlen - 4, "\r\n\r\n", 4) == 0;
}

static int data(struct http_multipart *m, const uint8_t *p, size_t n)
{
    return n > 0 && m->state == S_BODY ? m->cb->part_data(m->arg, p, n) : 0;
}

int http_multipart_feed(struct http_multipart *m, const uint8_t *p, size_t n)
{
    size_t i = 0;
    int rc;
    while (i < n && m->err == 0) {
        uint8_t c = p[i];
        switch (m->state) {
        case S_PREAMBLE:
        case S_BODY:
            if (m->match == 0) {
                /* Hand over the run up to the next CR in one piece. */
                const uint8_t *cr = memchr(p + i, '\r', n - i);
                size_t run = cr ? (size_t)(cr - (p + i)) : n - i;
                if ((rc = data(m, p + i, run)) != 0)
                    return m->err = rc;
                i += run;
                if (cr == NULL)
                    break;
                m->match = 1;
                i++;
                break;
            }
            if (c == (uint8_t)m->delim[m->match]) {
                i++;
                if (++m->match == m->dlen) {
                    if (m->state == S_BODY &&
                        (rc = m->cb->part_end(m->arg)) != 0)
                        return m->err = rc;
                    m->state = S_AFTER;
                    m->match = 0;
                }
                break;
            }
            /* The held bytes were data after all. In the preamble the
             * held bytes may be the virtual leading CRLF: drop them. */
            if ((rc = data(m, (const uint8_t *)m->delim, m->match)) != 0)
                return m->err = rc;
            m->match = 0; /* c is looked at again */
            break;
        case S_AFTER:
            i++;
            if (c == '-')
                m->state = S_AFTER_DASH;
            else if (c == '\r')
                m->state = S_AFTER_CR;
            else if (c != ' ' && c != '\t')
                return m->err = LC_EFORMAT;
            break;
        case S_AFTER_DASH:
            i++;
            if (c != '-')
                return m->err = LC_EFORMAT;
            m->state = S_END;
            break;
        case S_AFTER_CR:
            i++;
            if (c != '\n')
                return m->err = LC_EFORMAT;
            m->state = S_HEADERS;
            m->hlen = 0;
            break;
        case S_HEADERS:
            i++;
            if (m->hlen == sizeof m->hdr)
                return m->err = LC_EFORMAT;
            m->hdr[m->hlen++] = (char)c;
            if (c == '\n' && header_block_end(m)) {
                if ((rc = headers_done(m)) != 0)
                    return m->err = rc;
                m->state = S_BODY;
                m->match = 0;
            }
            break;
        case S_END:
            i = n;
            break;
        }
    }
    return m->err;
}

int http_multipart_finish(struct http_multipart *m)
{
    if (m->err)
        return m->err;
    return m->state == S_END ? 0 : (m->err = LC_EFORMAT);
}
