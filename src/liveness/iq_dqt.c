/* src/liveness/iq_dqt.c - JPEG quantisation tables, read from the bytes.
 *
 * TurboJPEG decodes but does not hand out the quantisation tables, so the
 * marker segments are walked here (ITU-T T.81 B.1): SOI, then segments
 * `FF xx` with a 2-byte big-endian length that counts itself, until the
 * first SOS. Every length is checked against what is left of the buffer
 * before anything is read; fill bytes (FF FF ...) are skipped; markers
 * without a length (RSTn, TEM) are refused before a scan, where they
 * cannot occur. A DQT segment holds one or more tables, each a byte
 * Pq/Tq (precision 0 or 1, id 0..3) and 64 entries of 1 or 2 bytes in
 * zigzag order; a table redefined later replaces the earlier one.
 *
 * The IJG quality estimate compares table 0 with the libjpeg luminance
 * table at each quality 1..100 (jpeg_set_quality's scaling) and keeps the
 * closest: exact for files written by libjpeg, libjpeg-turbo, ImageMagick
 * or Pillow, and an equivalent quality for cameras' own tables.
 */
#include <stdlib.h>
#include <string.h>

#include "livecheck/quality.h"

/* Zigzag position k holds natural index zz[k]. */
static const uint8_t zz[64] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,
    12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28,
    35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
    58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
};

/* ITU-T T.81 Annex K, natural order. */
static const uint8_t std_luma[64] = {
    16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
    14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
    18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
};
static const uint8_t std_chroma[64] = {
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
};

void quality_ijg_table(int quality, bool chroma, uint16_t out[64])
{
    if (quality < 1)
        quality = 1;
    if (quality > 100)
        quality = 100;
    long scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
    const uint8_t *std = chroma ? std_chroma : std_luma;
    for (int i = 0; i < 64; i++) {
        long v = ((long)std[i] * scale + 50) / 100;
        out[i] = (uint16_t)(v < 1 ? 1 : v > 255 ? 255 : v);
    }
}

int quality_ijg_estimate(const uint16_t q[64], float *fit)
{
    int best = 1;
    long best_err = -1;
    for (int quality = 1; quality <= 100; quality++) {
        uint16_t t[64];
        quality_ijg_table(quality, false, t);
        long err = 0;
        for (int i = 0; i < 64; i++)
            err += labs((long)q[i] - (long)t[i]);
        /* On a tie (tables clamped at 255 or 1) keep the higher
         * quality: the table says no worse. */
        if (best_err < 0 || err <= best_err) {
            best_err = err;
            best = quality;
        }
    }
    if (fit)
        *fit = (float)best_err / 64.0f;
    return best;
}

/* The tables of one DQT payload p[0..n). */
static int dqt_segment(const uint8_t *p, size_t n, struct quality_dqt *t)
{
    size_t i = 0;
    if (n == 0)
        return LC_EFORMAT;
    while (i < n) {
        int pq = p[i] >> 4, tq = p[i] & 15;
        i++;
        if (pq > 1 || tq > 3)
            return LC_EFORMAT;
        size_t need = pq ? 128 : 64;
        if (n - i < need)
            return LC_EFORMAT;
        for (int k = 0; k < 64; k++) {
            unsigned v = pq ? (unsigned)p[i + 2 * (size_t)k] << 8 |
                                  p[i + 2 * (size_t)k + 1]
                            : p[i + (size_t)k];
            if (v == 0)
                return LC_EFORMAT;
            t->q[tq][zz[k]] = (uint16_t)v;
        }
        i += need;
        if (!t->present[tq])
            t->ntables++;
        t->present[tq] = true;
        t->precision[tq] = pq;
    }
    return 0;
}

int quality_jpeg_dqt(const uint8_t *buf, size_t n, struct quality_dqt *t)
{
    memset(t, 0, sizeof *t);
    t->quality = -1;
    if (buf == NULL || n < 2 || buf[0] != 0xFF || buf[1] != 0xD8)
        return LC_EUNSUP;
    size_t i = 2;
    for (;;) {
        if (i >= n)
            return LC_ETRUNC;
        if (buf[i] != 0xFF)
            return LC_EFORMAT; /* garbage between segments */
        while (i < n && buf[i] == 0xFF)
            i++;
        if (i >= n)
            return LC_ETRUNC;
        uint8_t m = buf[i++];
        if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8))
            return LC_EFORMAT; /* no stuffing, TEM, RSTn or SOI here */
        if (m == 0xD9)
            return LC_ETRUNC; /* EOI before any scan */
        if (n - i < 2)
            return LC_ETRUNC;
        size_t len = (size_t)buf[i] << 8 | buf[i + 1];
        if (len < 2)
            return LC_EFORMAT;
        if (n - i < len)
            return LC_ETRUNC;
        if (m == 0xDB) {
            int rc = dqt_segment(buf + i + 2, len - 2, t);
            if (rc < 0)
                return rc;
        } else if (m == 0xDA) {
            if (t->ntables == 0)
                return LC_EFORMAT;
            break;
        }
        i += len;
    }
    int id = t->present[0] ? 0 : -1;
    for (int k = 0; id < 0 && k < 4; k++)
        if (t->present[k])
            id = k;
    t->quality = quality_ijg_estimate(t->q[id], &t->fit);
    return 0;
}
