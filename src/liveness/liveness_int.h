/* src/liveness/liveness_int.h - shared inside src/liveness only (and by
 * white-box tests).
 *
 * The cue measurements as pure functions of pixels and landmarks, so that
 * tests can feed them made-up inputs with hand-derived answers, and the
 * small signal tools they share (gray patches, a 2-D FFT). Every function
 * here is allocation-free on the caller's buffers or uses fixed-size
 * stack scratch bounded by LIVENESS_PATCH_MAX.
 */
#ifndef LC_LIVENESS_INT_H
#define LC_LIVENESS_INT_H

#include "livecheck/liveness.h"

/* The largest square patch (side, a power of two) a spectral cue uses. */
#define LIVENESS_PATCH_MAX 128

/* In-place radix-2 FFT of n complex values (re, im), n a power of two
 * <= 4096; inverse when inv (unscaled). */
void liveness_fft(float *re, float *im, int n, bool inv);

/* Power spectrum of an n x n real patch (n a power of two <= PATCH_MAX):
 * the mean is removed and a 2-D Hann window applied first. pw[v * n + u]
 * holds |F(u, v)|^2, DC at (0, 0). */
void liveness_power_spectrum(const float *g, int n, float *pw);

/* Copy the n x n luma patch centred on (cx, cy) from img at native pixel
 * resolution into out; pixels outside the image repeat the edge. */
void liveness_gray_patch(const struct media_image *img, float cx, float cy,
                         int n, float *out);

/* Luma 0..255 of one RGB8 pixel. */
static inline float liveness_luma(const uint8_t *p)
{
    return 0.299f * (float)p[0] + 0.587f * (float)p[1] + 0.114f * (float)p[2];
}

/* Copy the n x n RGB patch (3 floats a pixel, 0..255) centred on (cx, cy)
 * at native resolution; pixels outside the image repeat the edge. */
void liveness_rgb_patch(const struct media_image *img, float cx, float cy,
                        int n, float *out);

/* Colour-moire cue on an n x n RGB patch (n a power of two <= PATCH_MAX):
 * log10 of the energy of the two opponent chroma axes (R - G and
 * (R + G)/2 - B) over that of luma, at periods of 4..16 pixels. Live faces
 * measure below 0.85 on the dev photos; a colour grating is well above 1;
 * a gray grating is very negative; a flat patch gives 0. */
float liveness_cue_moire(const float *rgb, int n);

/* Fine-texture cue on an n x n gray patch: -log10 of the energy at
 * periods 2..4 pixels over the energy at periods 4..16. A flat patch
 * gives 0 (no evidence); the larger, the more fine texture is missing. */
float liveness_cue_texture(const float *g, int n);

/* Colour cue on the pixels of box (x, y, w, h, clamped) of an RGB8 image:
 * how far the mean skin chroma lies from the live-skin locus, as a blue
 * or green cast: max(0, 0.05 - ((R - B) / (R + G + B) normalised)) plus
 * the same for green over red. 0 for ordinary skin, larger for a screen's
 * cold white point. Defined in cues_color.c. */
float liveness_cue_gamut(const struct media_image *img, const float box[4]);

/* Specular cue: share of the box's pixels that are nearly clipped (luma
 * >= 245) with low saturation and lie in 3x3 neighbourhoods that are all
 * clipped (flat glare, not skin shine on one pixel). 0..1. */
float liveness_cue_specular(const struct media_image *img, const float box[4]);

/* Straight-edge cue: in the region `scale` times the squared face box
 * around the face (minus the face), the longest straight edge left, right,
 * above and below the face, found by a gradient-oriented Hough transform,
 * each as a share of the region's side (0 under 25%). The cue is
 * max(left, right) + max(above, below) when both are non-zero (a frame's
 * corner), else 0. 0..2. */
float liveness_cue_edges(const struct media_image *img, const float sq[4],
                         float scale);

/* Geometry cue: disagreement in degrees between the head yaw and pitch
 * the pose model reads and those implied by the 68 landmarks (nose
 * offset from the eye-mouth midline). */
float liveness_cue_geometry(const struct vision_face *f, float yaw,
                            float pitch);

/* Quality measures of the face (see struct liveness_quality); box is the
 * raw detector box and sq the squared box, in img pixels; scale maps img
 * pixels to full-image pixels. Decides q->issue against c's limits. */
void liveness_quality_measure(const struct liveness_config *c,
                              const struct media_image *img,
                              const float box[4], const float sq[4],
                              float scale, struct liveness_quality *q);

/* Exposure of a whole image with no usable face: LIVENESS_QUALITY_TOO_DARK
 * or _TOO_BRIGHT when its mean luma (every 4th pixel) is beyond c's face
 * limits, else LIVENESS_QUALITY_OK. Lets "no face" become "too dark". */
enum liveness_quality_issue liveness_exposure_check(
    const struct liveness_config *c, const struct media_image *img);

/* Sharpness of an n x n gray patch: log10 of the mean squared gradient
 * at 1-pixel steps over the mean squared gradient at 4-pixel steps / 16
 * (~0 for a sharp edge, negative when fine detail is gone). 0 for a flat
 * patch. */
float liveness_sharpness(const float *g, int n);

#endif
