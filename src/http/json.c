/* src/http/json.c - a streaming reader for JSON request objects.
 *
 * Requests are one flat object whose values the API reads (strings,
 * booleans, numbers) plus, on some endpoints, arrays and objects that this
 * reader only checks for balance. Pushing the body through a state machine
 * lets a 27 MB base64 image flow into the image buffer as it arrives
 * instead of being held twice (body and parsed string) as a DOM parser
 * would: string values reach member_data as runs of the caller's buffer,
 * and only escapes are produced from parser memory.
 *
 * What is checked: the object's grammar (RFC 8259), escapes (\uXXXX with
 * surrogate pairs; a lone surrogate becomes U+FFFD), no raw control
 * characters in strings, number grammar, nesting up to
 * HTTP_JSON_DEPTH_MAX. Inside skipped nested values only strings and
 * brackets are checked; bytes are not checked for valid UTF-8 (the API
 * checks the fields it keeps).
 */
#include "livecheck/http.h"

#include <string.h>

enum {
    J_START,     /* before '{' */
    J_KEY_FIRST, /* after '{': a key or '}' */
    J_KEY,       /* after ',': a key */
    J_COLON,
    J_VALUE,
    J_STRING,    /* inside a string; j->str says whose */
    J_LITERAL,   /* true, false, null */
    J_NUMBER,
    J_NESTED,    /* inside a skipped object or array */
    J_AFTER,     /* after a member's value: ',' or '}' */
    J_DONE
};

enum { STR_KEY, STR_VALUE, STR_SKIP };

static bool ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void http_json_init(struct http_json *j, const struct http_json_cb *cb,
                    void *arg)
{
    memset(j, 0, sizeof *j);
    j->cb = cb;
    j->arg = arg;
    j->state = J_START;
}

/* Bytes of a string: into the key, to the callback, or nowhere. */
static int put(struct http_json *j, const char *p, size_t n)
{
    if (j->str == STR_VALUE)
        return n ? j->cb->member_data(j->arg, p, n) : 0;
    if (j->str == STR_KEY)
        for (size_t i = 0; i < n && j->klen < HTTP_JSON_KEY_MAX - 1; i++)
            j->key[j->klen++] = p[i];
    return 0;
}

static int put_cp(struct http_json *j, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return put(j, b, n);
}

/* A pending high surrogate not followed by its low half. */
static int flush_hi(struct http_json *j)
{
    if (j->hi == 0)
        return 0;
    j->hi = 0;
    return put_cp(j, 0xFFFD);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int unicode_escape(struct http_json *j)
{
    uint32_t u = j->u;
    if (u >= 0xDC00 && u <= 0xDFFF) {
        if (j->hi == 0)
            return put_cp(j, 0xFFFD);
        uint32_t cp = 0x10000 + ((j->hi - 0xD800) << 10) + (u - 0xDC00);
        j->hi = 0;
        return put_cp(j, cp);
    }
    int rc = flush_hi(j);
    if (rc)
        return rc;
    if (u >= 0xD800 && u <= 0xDBFF) {
        j->hi = u;
        return 0;
    }
    return put_cp(j, u);
}

static int begin(struct http_json *j, enum http_json_kind k)
{
    j->key[j->klen] = 0;
    return j->cb->member_begin(j->arg, j->key, k);
}

static int end_member(struct http_json *j)
{
    j->state = J_AFTER;
    return j->cb->member_end(j->arg);
}

/* The string ended (closing quote). */
static int string_done(struct http_json *j)
{
    int rc = flush_hi(j);
    if (rc)
        return rc;
    switch (j->str) {
    case STR_KEY:
        j->state = J_COLON;
        return 0;
    case STR_VALUE:
        return end_member(j);
    default:
        j->state = J_NESTED;
        return 0;
    }
}

/* Number grammar: -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)? */
static bool number_ok(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return false;
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

static int value_start(struct http_json *j, char c)
{
    int rc;
    switch (c) {
    case '"':
        j->state = J_STRING;
        j->str = STR_VALUE;
        return begin(j, HTTP_JSON_STRING);
    case '{':
    case '[':
        j->state = J_NESTED;
        j->depth = 1;
        j->stack = c == '[';
        return begin(j, c == '[' ? HTTP_JSON_ARRAY : HTTP_JSON_OBJECT);
    case 't':
    case 'f':
    case 'n':
        j->lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
        j->nlit = 1;
        j->state = J_LITERAL;
        return begin(j, c == 't'   ? HTTP_JSON_TRUE
                        : c == 'f' ? HTTP_JSON_FALSE
                                   : HTTP_JSON_NULL);
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            if ((rc = begin(j, HTTP_JSON_NUMBER)) != 0)
                return rc;
            j->state = J_NUMBER;
            j->num[0] = c;
            j->numlen = 1;
            return 0;
        }
        return LC_EFORMAT;
    }
}

/* Inside a string: consume what we can from p[i..n); returns the new i. */
static size_t in_string(struct http_json *j, const char *p, size_t i,
                        size_t n, int *rc)
{
    while (i < n) {
        char c = p[i];
        if (j->esc == 1) {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *e = c ? strchr(from, c) : NULL;
            i++;
            if (c == 'u') {
                j->esc = 2;
                j->u = 0;
                j->nu = 0;
                continue;
            }
            if (e == NULL) {
                *rc = LC_EFORMAT;
                return i;
            }
            j->esc = 0;
            if ((*rc = flush_hi(j)) != 0 || (*rc = put(j, &to[e - from], 1)))
                return i;
            continue;
        }
        if (j->esc == 2) {
            int h = hexval(c);
            i++;
            if (h < 0) {
                *rc = LC_EFORMAT;
                return i;
            }
            j->u = j->u << 4 | (uint32_t)h;
            if (++j->nu == 4) {
                j->esc = 0;
                if ((*rc = unicode_escape(j)) != 0)
                    return i;
            }
            continue;
        }
        /* A run of plain characters, handed over in one piece. */
        size_t s = i;
        while (i < n && p[i] != '"' && p[i] != '\\' &&
               (unsigned char)p[i] >= 0x20)
            i++;
        if (i > s) {
            if ((*rc = flush_hi(j)) != 0 || (*rc = put(j, p + s, i - s)))
                return i;
            continue;
        }
        i++;
        if (c == '"') {
            *rc = string_done(j);
            return i;
        }
        if (c == '\\') {
            j->esc = 1;
            continue;
        }
        *rc = LC_EFORMAT; /* a raw control character */
        return i;
    }
    return i;
}

int http_json_feed(struct http_json *j, const char *p, size_t n)
{
    size_t i = 0;
    int rc = 0;
    while (i < n && rc == 0 && j->err == 0) {
        char c = p[i];
        switch (j->state) {
        case J_START:
            i++;
            if (c == '{')
                j->state = J_KEY_FIRST;
            else if (!ws(c))
                rc = LC_EFORMAT;
            break;
        case J_KEY_FIRST:
        case J_KEY:
            i++;
            if (c == '"') {
                j->state = J_STRING;
                j->str = STR_KEY;
                j->klen = 0;
            } else if (c == '}' && j->state == J_KEY_FIRST) {
                j->state = J_DONE;
            } else if (!ws(c)) {
                rc = LC_EFORMAT;
            }
            break;
        case J_COLON:
            i++;
            if (c == ':')
                j->state = J_VALUE;
            else if (!ws(c))
                rc = LC_EFORMAT;
            break;
        case J_VALUE:
            i++;
            if (!ws(c))
                rc = value_start(j, c);
            break;
        case J_STRING:
            i = in_string(j, p, i, n, &rc);
            break;
        case J_LITERAL:
            i++;
            if (c != j->lit[j->nlit])
                rc = LC_EFORMAT;
            else if (j->lit[++j->nlit] == 0)
                rc = end_member(j);
            break;
        case J_NUMBER:
            if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
                c == 'e' || c == 'E') {
                i++;
                if (j->numlen == sizeof j->num)
                    rc = LC_EFORMAT;
                else
                    j->num[j->numlen++] = c;
                break;
            }
            /* c ends the number and is looked at again in J_AFTER. */
            if (!number_ok(j->num, j->numlen))
                rc = LC_EFORMAT;
            else if ((rc = j->cb->member_data(j->arg, j->num, j->numlen)) ==
                     0)
                rc = end_member(j);
            break;
        case J_NESTED:
            i++;
            if (c == '"') {
                j->state = J_STRING;
                j->str = STR_SKIP;
            } else if (c == '{' || c == '[') {
                if (j->depth == HTTP_JSON_DEPTH_MAX) {
                    rc = LC_EFORMAT;
                    break;
                }
                j->stack = j->stack << 1 | (c == '[');
                j->depth++;
            } else if (c == '}' || c == ']') {
                if ((j->stack & 1) != (c == ']')) {
                    rc = LC_EFORMAT;
                    break;
                }
                j->stack >>= 1;
                if (--j->depth == 0)
                    rc = end_member(j);
            }
            break;
        case J_AFTER:
            i++;
            if (c == ',')
                j->state = J_KEY;
            else if (c == '}')
                j->state = J_DONE;
            else if (!ws(c))
                rc = LC_EFORMAT;
            break;
        case J_DONE:
            i++;
            if (!ws(c))
                rc = LC_EFORMAT;
            break;
        }
    }
    if (rc != 0 && j->err == 0)
        j->err = rc;
    return j->err;
}

int http_json_finish(struct http_json *j)
{
    if (j->err)
        return j->err;
    return j->state == J_DONE ? 0 : (j->err = LC_EFORMAT);
}
