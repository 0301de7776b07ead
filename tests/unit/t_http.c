/* tests/unit/t_http.c - the body readers of src/http on hand-made bodies:
 * multipart (fields, files, boundaries split across pieces), the JSON
 * request reader (escapes, nesting, errors) and base64 (RFC 4648 test
 * vectors, whitespace, padding). */
#include <stdlib.h>
#include <string.h>

#include "livecheck/http.h"
#include "test.h"

/* Events of a parse, as text: "name|file|type=data;" per part. */
struct ev {
    char s[4096];
    size_t n;
};

static void ev_add(struct ev *e, const char *p, size_t n)
{
    if (e->n + n < sizeof e->s) {
        memcpy(e->s + e->n, p, n);
        e->n += n;
        e->s[e->n] = 0;
    }
}

static int mp_begin(void *arg, const char *name, const char *file,
                    const char *ct)
{
    struct ev *e = arg;
    ev_add(e, name, strlen(name));
    ev_add(e, "|", 1);
    ev_add(e, file ? file : "-", file ? strlen(file) : 1);
    ev_add(e, "|", 1);
    ev_add(e, ct, strlen(ct));
    ev_add(e, "=", 1);
    return 0;
}

static int mp_data(void *arg, const uint8_t *p, size_t n)
{
    ev_add(arg, (const char *)p, n);
    return 0;
}

static int mp_end(void *arg)
{
    ev_add(arg, ";", 1);
    return 0;
}

static const struct http_multipart_cb mp_cb = {mp_begin, mp_data, mp_end};

/* Parse body in pieces of `step` bytes (0 = whole). */
static int mp_parse(const char *ct, const char *body, size_t step,
                    struct ev *e)
{
    char b[HTTP_MP_BOUNDARY_MAX + 1];
    struct http_multipart m;
    memset(e, 0, sizeof *e);
    int rc = http_multipart_boundary(ct, b);
    if (rc == 0)
        rc = http_multipart_init(&m, b, &mp_cb, e);
    size_t n = strlen(body);
    for (size_t i = 0; rc == 0 && i < n;) {
        size_t k = step && step < n - i ? step : n - i;
        rc = http_multipart_feed(&m, (const uint8_t *)body + i, k);
        i += k;
    }
    return rc ? rc : http_multipart_finish(&m);
}

TEST(http_multipart_form)
{
    const char *ct = "multipart/form-data; boundary=XyZ";
    const char *body =
        "preamble\r\n--XyZ\r\n"
        "Content-Disposition: form-data; name=\"reference_id\"\r\n\r\n"
        "ref-1\r\n--XyZ\r\n"
        "Content-Disposition: form-data; name=\"image\"; "
        "filename=\"a;b.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        "\xff\xd8\r\n--Xy\r\r\n-\r\n--XyZ--\r\nepilogue";
    const char *want = "reference_id|-|=ref-1;image|a;b.jpg|image/jpeg="
                       "\xff\xd8\r\n--Xy\r\r\n-;";
    struct ev e;
    for (size_t step = 0; step < 9; step++) {
        ASSERT_INT(mp_parse(ct, body, step, &e), ==, 0);
        ASSERT_STR(e.s, want);
    }
}

TEST(http_multipart_errors)
{
    struct ev e;
    char b[HTTP_MP_BOUNDARY_MAX + 1];
    ASSERT_INT(http_multipart_boundary("application/json", b), ==,
               LC_EFORMAT);
    ASSERT_INT(http_multipart_boundary("multipart/form-data", b), ==,
               LC_EFORMAT);
    ASSERT_INT(http_multipart_boundary("multipart/form-data; boundary=\"a\"",
                                       b), ==, 0);
    ASSERT_STR(b, "a");
    ASSERT_INT(http_multipart_boundary("multipart/form-data; boundary=a\tb",
                                       b), ==, LC_EFORMAT);
    const char *ct = "multipart/form-data; boundary=q";
    /* No closing delimiter. */
    ASSERT_INT(mp_parse(ct, "--q\r\nContent-Disposition: form-data; "
                            "name=a\r\n\r\nv\r\n--q\r\n",
                        0, &e),
               ==, LC_EFORMAT);
    /* A part without a name. */
    ASSERT_INT(mp_parse(ct, "--q\r\nContent-Disposition: form-data\r\n\r\n"
                            "v\r\n--q--",
                        0, &e),
               ==, LC_EFORMAT);
    /* Garbage after a delimiter. */
    ASSERT_INT(mp_parse(ct, "--qx\r\n\r\n--q--", 0, &e), ==, LC_EFORMAT);
    /* Unnamed-parameter forms: name=token without quotes. */
    ASSERT_INT(mp_parse(ct, "--q\r\ncontent-disposition: form-data; "
                            "name=consent\r\n\r\nY\r\n--q--",
                        1, &e),
               ==, 0);
    ASSERT_STR(e.s, "consent|-|=Y;");
}

struct jev {
    char s[1024];
    size_t n;
};

static int j_begin(void *arg, const char *key, enum http_json_kind k)
{
    struct jev *e = arg;
    e->n += (size_t)snprintf(e->s + e->n, sizeof e->s - e->n, "%s:%d=", key,
                             (int)k);
    return 0;
}

static int j_data(void *arg, const char *p, size_t n)
{
    struct jev *e = arg;
    if (e->n + n < sizeof e->s) {
        memcpy(e->s + e->n, p, n);
        e->n += n;
        e->s[e->n] = 0;
    }
    return 0;
}

static int j_end(void *arg)
{
    struct jev *e = arg;
    e->n += (size_t)snprintf(e->s + e->n, sizeof e->s - e->n, ";");
    return 0;
}

static const struct http_json_cb j_cb = {j_begin, j_data, j_end};

static int j_parse(const char *body, size_t step, struct jev *e)
{
    struct http_json j;
    memset(e, 0, sizeof *e);
    http_json_init(&j, &j_cb, e);
    size_t n = strlen(body);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n;) {
        size_t k = step && step < n - i ? step : n - i;
        rc = http_json_feed(&j, body + i, k);
        i += k;
    }
    return rc ? rc : http_json_finish(&j);
}

TEST(http_json_request)
{
    const char *body =
        " {\"reference_id\": \"r\\u00e9f\\\"1\", \"consent\" : true,"
        "\"n\":-1.5e3, \"x\": null, \"f\":false, \"arr\": [1, {\"a\": "
        "\"]}\"}], \"emoji\": \"\\ud83d\\ude00\\ud800\", \"img\":\"a\\/b\"}\n";
    const char *want = "reference_id:0=r\xc3\xa9" "f\"1;consent:2=;n:1=-1.5e3;"
                       "x:4=;f:3=;arr:6=;emoji:0=\xf0\x9f\x98\x80\xef\xbf\xbd;"
                       "img:0=a/b;";
    struct jev e;
    for (size_t step = 0; step < 6; step++) {
        ASSERT_INT(j_parse(body, step, &e), ==, 0);
        ASSERT_STR(e.s, want);
    }
    ASSERT_INT(j_parse("{}", 1, &e), ==, 0);
}

TEST(http_json_errors)
{
    static const char *const bad[] = {
        "",          "[]",           "{",          "{\"a\"}",
        "{\"a\":}",  "{\"a\":1,}",   "{\"a\":01}", "{\"a\":tru}",
        "{\"a\":\"\x01\"}", "{\"a\":\"\\x\"}", "{\"a\":1} 2",
        "{\"a\":[}", "{\"a\":{]}",   "{\"a\":\"\\u12G4\"}", "{,}",
        "{\"a\":-}", "{\"a\":1.}",   "{\"a\":1e}",
    };
    struct jev e;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (j_parse(bad[i], 0, &e) != LC_EFORMAT) {
            test_fail(__FILE__, __LINE__, "accepted %s", bad[i]);
            return;
        }
    }
    /* Nesting deeper than the limit. */
    char deep[200] = "{\"a\":";
    size_t d = strlen(deep);
    for (int i = 0; i < HTTP_JSON_DEPTH_MAX + 1; i++)
        deep[d++] = '[';
    deep[d] = 0;
    ASSERT_INT(j_parse(deep, 0, &e), ==, LC_EFORMAT);
}

static int b64(const char *in, size_t step, char *out, size_t *n)
{
    struct http_b64 b = {0};
    size_t len = strlen(in), got, total = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < len;) {
        size_t k = step && step < len - i ? step : len - i;
        rc = http_b64_update(&b, in + i, k, (uint8_t *)out + total, &got);
        total += got;
        i += k;
    }
    if (rc == 0) {
        rc = http_b64_final(&b, (uint8_t *)out + total, &got);
        total += got;
    }
    out[total] = 0;
    *n = total;
    return rc;
}

TEST(http_base64_vectors)
{
    /* RFC 4648 section 10. */
    static const char *const v[][2] = {
        {"", ""},         {"f", "Zg=="},      {"fo", "Zm8="},
        {"foo", "Zm9v"},  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    char out[64], enc[64];
    size_t n;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        http_b64_encode((const uint8_t *)v[i][0], strlen(v[i][0]), enc);
        ASSERT_STR(enc, v[i][1]);
        for (size_t step = 0; step < 4; step++) {
            ASSERT_INT(b64(v[i][1], step, out, &n), ==, 0);
            ASSERT_STR(out, v[i][0]);
        }
    }
    ASSERT_INT(b64("Zm9v\r\nYmE", 0, out, &n), ==, 0);
    ASSERT_STR(out, "fooba");
    ASSERT_INT(b64("-_-_", 0, out, &n), ==, 0);
    ASSERT_INT(n, ==, 3);
    ASSERT_INT((uint8_t)out[0], ==, 0xfb);
    ASSERT_INT(b64("Zm9v*", 0, out, &n), ==, LC_EFORMAT);
    ASSERT_INT(b64("Zg=", 0, out, &n), ==, LC_EFORMAT);
    ASSERT_INT(b64("Z", 0, out, &n), ==, LC_EFORMAT);
    ASSERT_INT(b64("Zg==Zg==", 0, out, &n), ==, LC_EFORMAT);
    ASSERT_INT(b64("Zm9v===", 0, out, &n), ==, LC_EFORMAT);
}
