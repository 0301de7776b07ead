/* src/http/base64.c - incremental base64 decoding and encoding (RFC 4648).
 *
 * The decoder accepts both alphabets ('+' '/' and '-' '_'), skips ASCII
 * whitespace (line-wrapped MIME output, "\n" escapes in JSON), and takes
 * the input padded or not. It emits three bytes as soon as four sextets
 * are in, so a caller streaming a JSON string into an image buffer never
 * holds more than one group.
 */
#include "livecheck/http.h"

/* Sextet value of each byte; 64 = whitespace, 65 = '=', 255 = invalid. */
static const uint8_t sextet[256] = {
    255, 255, 255, 255, 255, 255, 255, 255,  /*   0.. */
    255,  64,  64, 255, 255,  64, 255, 255,  /*   8.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /*  16.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /*  24.. */
     64, 255, 255, 255, 255, 255, 255, 255,  /*  32.. */
    255, 255, 255,  62, 255,  62, 255,  63,  /*  40.. */
     52,  53,  54,  55,  56,  57,  58,  59,  /*  48.. */
     60,  61, 255, 255, 255,  65, 255, 255,  /*  56.. */
    255,   0,   1,   2,   3,   4,   5,   6,  /*  64.. */
      7,   8,   9,  10,  11,  12,  13,  14,  /*  72.. */
     15,  16,  17,  18,  19,  20,  21,  22,  /*  80.. */
     23,  24,  25, 255, 255, 255, 255,  63,  /*  88.. */
    255,  26,  27,  28,  29,  30,  31,  32,  /*  96.. */
     33,  34,  35,  36,  37,  38,  39,  40,  /* 104.. */
     41,  42,  43,  44,  45,  46,  47,  48,  /* 112.. */
     49,  50,  51, 255, 255, 255, 255, 255,  /* 120.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 128.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 136.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 144.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 152.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 160.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 168.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 176.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 184.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 192.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 200.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 208.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 216.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 224.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 232.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 240.. */
    255, 255, 255, 255, 255, 255, 255, 255,  /* 248.. */
};

int http_b64_update(struct http_b64 *b, const char *in, size_t n,
                    uint8_t *out, size_t *outn)
{
    size_t o = 0;
    *outn = 0;
    if (b->err)
        return b->err;
    for (size_t i = 0; i < n; i++) {
        uint8_t v = sextet[(unsigned char)in[i]];
        if (v == 64)
            continue;
        if (v == 65) {
            /* Padding completes a group of 2 or 3 sextets. */
            if (b->nacc + b->pad < 2 || b->nacc + b->pad >= 4)
                return b->err = LC_EFORMAT;
            b->pad++;
            continue;
        }
        if (v == 255 || b->pad)
            return b->err = LC_EFORMAT;
        b->acc = b->acc << 6 | v;
        if (++b->nacc == 4) {
            out[o++] = (uint8_t)(b->acc >> 16);
            out[o++] = (uint8_t)(b->acc >> 8);
            out[o++] = (uint8_t)b->acc;
            b->acc = 0;
            b->nacc = 0;
        }
    }
    *outn = o;
    return 0;
}

int http_b64_final(struct http_b64 *b, uint8_t *out, size_t *outn)
{
    *outn = 0;
    if (b->err)
        return b->err;
    if (b->pad && b->nacc + b->pad != 4)
        return b->err = LC_EFORMAT;
    switch (b->nacc) {
    case 0:
        break;
    case 2:
        out[0] = (uint8_t)(b->acc >> 4);
        *outn = 1;
        break;
    case 3:
        out[0] = (uint8_t)(b->acc >> 10);
        out[1] = (uint8_t)(b->acc >> 2);
        *outn = 2;
        break;
    default: /* one sextet carries no whole byte */
        return b->err = LC_EFORMAT;
    }
    b->acc = 0;
    b->nacc = 0;
    b->pad = 0;
    return 0;
}

size_t http_b64_encode(const uint8_t *in, size_t n, char *out)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
                     in[i + 2];
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = abc[(v >> 6) & 63];
        out[o++] = abc[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = 0;
    return o;
}
