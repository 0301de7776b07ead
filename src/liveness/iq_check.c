/* src/liveness/iq_check.c - the image-quality check (quality.h): decode,
 * find the face, measure (iq_measure.c, iq_dqt.c), score, and the `data`
 * JSON the API and the CLI both print. What each score means is in quality.h and docs/api.md;
 * the limits are in quality_config_default, set on the dev photos and on
 * degraded copies of them (tests/api_forensics.sh shows the moves). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "livecheck/liveness.h"
#include "livecheck/mem.h"
#include "livecheck/quality.h"

#define MAX_FACES 8

static const char *const keys[QUALITY_PARAM_COUNT] = {
#define X(name, key) key,
    QUALITY_PARAM_MAP(X)
#undef X
};

const char *quality_param_key(enum quality_param p)
{
    return (unsigned)p < QUALITY_PARAM_COUNT ? keys[p] : NULL;
}

unsigned quality_param_parse(const char *s)
{
    if (s == NULL || s[0] == 0 || strcasecmp(s, "all") == 0)
        return QUALITY_ALL;
    for (int i = 0; i < QUALITY_PARAM_COUNT; i++)
        if (strcasecmp(s, keys[i]) == 0)
            return 1u << i;
    return 0;
}

void quality_config_default(struct quality_config *c)
{
    *c = (struct quality_config){
        .max_bytes = (size_t)20 << 20,
        .accept = 50,
        .high = 75,
        .work_side = 512,
        .face_side = 128,
        .sharp_lo = 1.0f,
        .sharp_hi = 2.3f,
        .face_weight = 0.75f,
        .dark = 20.0f,
        .ok_lo = 80.0f,
        .ok_hi = 180.0f,
        .bright = 240.0f,
        .clip_face = 0.30f,
        .clip_image_ok = 0.40f,
        .clip_image = 0.90f,
        .jpegq_lo = 10.0f,
        .jpegq_hi = 80.0f,
        .block_lo = 0.40f,
        .block_hi = 1.20f,
    };
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* 100 at good, 0 at bad, linear between (either order). */
static float ramp(float v, float bad, float good)
{
    float s = 100.0f * (v - bad) / (good - bad);
    return s < 0.0f ? 0.0f : s > 100.0f ? 100.0f : s;
}

static float sharp_score(const struct quality_config *c, float var)
{
    return ramp(log10f(1.0f + var), c->sharp_lo, c->sharp_hi);
}

static float mean_score(const struct quality_config *c, float m)
{
    if (m < c->ok_lo)
        return ramp(m, c->dark, c->ok_lo);
    if (m > c->ok_hi)
        return ramp(m, c->bright, c->ok_hi);
    return 100.0f;
}

void quality_score(const struct quality_config *c, struct quality_result *r)
{
    const struct quality_measures *m = &r->m;
    float s[QUALITY_PARAM_COUNT] = {0};
    bool v[QUALITY_PARAM_COUNT] = {false};

    float si = sharp_score(c, m->lap_image);
    s[QUALITY_SHARPNESS] =
        m->face ? c->face_weight * sharp_score(c, m->lap_face) +
                      (1.0f - c->face_weight) * si
                : si;
    v[QUALITY_SHARPNESS] = true;

    float b = mean_score(c, m->face ? m->mean_face : m->mean_image);
    float ci = ramp(m->dark_image + m->bright_image, c->clip_image,
                    c->clip_image_ok);
    b = fminf(b, ci);
    if (m->face)
        b = fminf(b, ramp(m->dark_face + m->bright_face, c->clip_face, 0.0f));
    s[QUALITY_BRIGHTNESS] = b;
    v[QUALITY_BRIGHTNESS] = true;

    float q = ramp(m->blockiness, c->block_hi, c->block_lo);
    if (m->jpeg_quality > 0)
        q = fminf(q, ramp((float)m->jpeg_quality, c->jpegq_lo, c->jpegq_hi));
    s[QUALITY_COMPRESSION] = q;
    v[QUALITY_COMPRESSION] = true;

    /* textQuality: not applicable (quality.h). */
    s[QUALITY_TEXT] = 0.0f;
    v[QUALITY_TEXT] = false;

    int n = 0, low = 100;
    double sum = 0.0;
    for (int i = 0; i < QUALITY_PARAM_COUNT; i++) {
        r->valid[i] = v[i];
        r->score[i] = (int)lrintf(s[i]);
        if (!(r->selected & (1u << i)) || !v[i])
            continue;
        sum += r->score[i];
        low = r->score[i] < low ? r->score[i] : low;
        n++;
    }
    if (n == 0) {
        r->overall = 0;
        r->accept = false;
        r->extraction = "low";
        return;
    }
    r->overall = (int)lrint(sum / n);
    r->accept = low >= c->accept;
    r->extraction = low >= c->high ? "high" : low >= c->accept ? "medium"
                                                               : "low";
}

static int refuse(struct quality_result *r, enum lc_outcome o,
                  const char *why)
{
    r->outcome = o;
    snprintf(r->reason, sizeof r->reason, "%.*s", (int)sizeof r->reason - 1,
             why);
    return 0;
}

/* The whole image's working size: shorter side work_side (never up). */
static void work_size(const struct quality_config *c, int w, int h, int *ow,
                      int *oh)
{
    int s = w < h ? w : h;
    if (s <= c->work_side) {
        *ow = w;
        *oh = h;
        return;
    }
    double k = (double)c->work_side / s;
    *ow = (int)lrint(w * k);
    *oh = (int)lrint(h * k);
    *ow = *ow < 1 ? 1 : *ow;
    *oh = *oh < 1 ? 1 : *oh;
}

int quality_image_check(struct vision_ctx *ctx, const struct quality_config *c,
                        const uint8_t *buf, size_t n, unsigned selected,
                        struct quality_result *r)
{
    memset(r, 0, sizeof *r);
    r->selected = selected ? selected & QUALITY_ALL : QUALITY_ALL;
    r->extraction = "low";
    struct quality_measures *m = &r->m;
    if (n == 0)
        return refuse(r, LC_OUTCOME_EMPTY_IMAGE, "the image has no bytes");
    if (n > c->max_bytes) {
        char why[96];
        snprintf(why, sizeof why, "the image has %zu bytes; at most %zu",
                 n, c->max_bytes);
        return refuse(r, LC_OUTCOME_IMAGE_TOO_LARGE, why);
    }
    double t0 = now_ms();
    struct lc_diag d = {{0}};
    struct media_image img = {0};
    int rc = media_image_decode(&img, &r->info, buf, n, NULL, &d);
    if (rc < 0)
        return refuse(r, liveness_outcome_of_media(rc), d.msg);
    double t1 = now_ms();
    r->ms_decode = t1 - t0;

    /* The largest face, if any: where the face measures look. */
    struct vision_face faces[MAX_FACES];
    int nf = 0;
    if (ctx != NULL && (rc = vision_faces_detect(ctx, &img, faces, MAX_FACES,
                                                 &nf)) < 0) {
        media_image_release(&img);
        return rc;
    }
    nf = nf > MAX_FACES ? MAX_FACES : nf;
    int best = -1;
    for (int i = 0; i < nf; i++)
        if (best < 0 || faces[i].sq[2] > faces[best].sq[2])
            best = i;
    m->face = best >= 0;
    m->lap_face = m->mean_face = m->dark_face = m->bright_face = -1.0f;

    int ow, oh;
    work_size(c, img.w, img.h, &ow, &oh);
    size_t cells = (size_t)ow * (size_t)oh;
    size_t fcells = (size_t)c->face_side * (size_t)c->face_side;
    float *g = lc_malloc((cells > fcells ? cells : fcells) * sizeof *g);
    quality_gray_resample(&img, NULL, ow, oh, g);
    m->lap_image = (float)quality_laplacian_var(g, ow, oh);
    quality_exposure(g, cells, &m->mean_image, &m->dark_image,
                     &m->bright_image);
    if (m->face) {
        memcpy(m->face_box, faces[best].sq, sizeof m->face_box);
        quality_gray_resample(&img, m->face_box, c->face_side, c->face_side,
                              g);
        m->lap_face =
            (float)quality_laplacian_var(g, c->face_side, c->face_side);
        quality_exposure(g, fcells, &m->mean_face, &m->dark_face,
                         &m->bright_face);
    }
    free(g);

    /* Blockiness on native 8-bit luma; the JPEG's tables from its bytes. */
    size_t px = (size_t)img.w * (size_t)img.h;
    uint8_t *y = lc_malloc(px);
    for (size_t i = 0; i < px; i++) {
        const uint8_t *p = img.px + 3 * i;
        y[i] = (uint8_t)((77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8);
    }
    m->blockiness = quality_blockiness(y, img.w, img.h);
    free(y);
    m->jpeg_quality = -1;
    if (r->info.format == MEDIA_FORMAT_JPEG) {
        struct quality_dqt t;
        if (quality_jpeg_dqt(buf, n, &t) == 0)
            m->jpeg_quality = t.quality;
    }
    media_image_release(&img);
    r->ms_measure = now_ms() - t1;
    quality_score(c, r);
    r->outcome = LC_OUTCOME_OK;
    return 0;
}

struct out {
    char *p;
    size_t n, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->n ? o->n - o->len : 0;
    int k = vsnprintf(room ? o->p + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->len += (size_t)k;
}

/* A measure: null when it does not apply (negative). */
static void num(struct out *o, const char *key, double v, const char *fmt)
{
    put(o, ",\"%s\":", key);
    if (v < 0 || !isfinite(v))
        put(o, "null");
    else
        put(o, fmt, v);
}

size_t quality_data_json(const struct quality_result *r, char *buf, size_t n)
{
    struct out o = {buf, n, 0};
    const struct quality_measures *m = &r->m;
    put(&o, "{\"imageQuality\":{\"summary\":\"%s\",\"qualityScores\":{",
        r->accept ? "accept" : "reject");
    for (int i = 0, first = 1; i < QUALITY_PARAM_COUNT; i++) {
        if (!(r->selected & (1u << i)))
            continue;
        put(&o, "%s\"%s\":{\"valid\":\"%s\",\"score\":%d}", first ? "" : ",",
            keys[i], r->valid[i] ? "true" : "false", r->score[i]);
        first = 0;
    }
    put(&o, "},\"extractionQuality\":\"%s\",\"score\":%d,\"msg\":\"done\"},",
        r->extraction, r->overall);
    put(&o, "\"measures\":{\"face\":");
    if (m->face)
        put(&o, "{\"box\":[%d,%d,%d,%d]}", (int)m->face_box[0],
            (int)m->face_box[1], (int)m->face_box[2], (int)m->face_box[3]);
    else
        put(&o, "null");
    num(&o, "laplacianVarianceFace", m->lap_face, "%.1f");
    num(&o, "laplacianVarianceImage", m->lap_image, "%.1f");
    num(&o, "meanLumaFace", m->mean_face, "%.1f");
    num(&o, "meanLumaImage", m->mean_image, "%.1f");
    num(&o, "clippedFace",
        m->face ? m->dark_face + m->bright_face : -1.0, "%.4f");
    num(&o, "clippedImage", m->dark_image + m->bright_image, "%.4f");
    num(&o, "jpegQuality", m->jpeg_quality, "%.0f");
    num(&o, "blockiness", m->blockiness, "%.3f");
    put(&o, "}}");
    if (n > 0 && o.len >= n)
        buf[n - 1] = 0;
    return o.len < n ? o.len : (n ? n - 1 : 0);
}
