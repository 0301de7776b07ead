/* src/liveness/cues_geom.c - face geometry sanity.
 *
 * Two independent readings of the head's orientation: the pose model's
 * yaw and pitch, and the ones the 68 landmarks imply (the nose tip's
 * offset from the eyes' midpoint across the face, its height between the
 * eye line and the mouth). On a live face they agree; on a bent print, a
 * photo seen at a slant or a face pasted onto another head they need not.
 * The cue is their disagreement in degrees.
 */
#include <math.h>

#include "liveness/liveness_int.h"

/* Landmark readings to degrees: least squares against the pose model on
 * the NUAA and replay-pair photos (residual ~9 degrees yaw, ~5 pitch). */
#define YAW_GAIN -60.0f   /* degrees per unit of nose offset / eye distance */
#define PITCH_GAIN -83.5f /* degrees per unit of nose height change */
#define PITCH_REST 0.427f /* nose height (eyes 0, mouth 1) of a level head */

static void centre(const struct vision_face *f, int a, int b, float c[2])
{
    c[0] = c[1] = 0.0f;
    for (int i = a; i <= b; i++) {
        c[0] += f->lm[i][0] / (float)(b - a + 1);
        c[1] += f->lm[i][1] / (float)(b - a + 1);
    }
}

float liveness_cue_geometry(const struct vision_face *f, float yaw,
                            float pitch)
{
    if (!f->has_landmarks)
        return 0.0f;
    float le[2], re[2], mo[2];
    centre(f, 36, 41, le);
    centre(f, 42, 47, re);
    centre(f, 48, 59, mo);
    float ex = re[0] - le[0], ey = re[1] - le[1];
    float iod = hypotf(ex, ey);
    if (iod < 1.0f)
        return 0.0f;
    /* Work in the face's own frame: x along the eye line, y down it. */
    float ux = ex / iod, uy = ey / iod;
    float mid[2] = {(le[0] + re[0]) / 2, (le[1] + re[1]) / 2};
    float nx = f->lm[30][0] - mid[0], ny = f->lm[30][1] - mid[1];
    float mx = mo[0] - mid[0], my = mo[1] - mid[1];
    float off = (nx * ux + ny * uy) / iod;          /* across */
    float nose_h = -nx * uy + ny * ux;             /* down to the nose */
    float mouth_h = -mx * uy + my * ux;            /* down to the mouth */
    if (mouth_h < 1.0f)
        return 0.0f;
    float yaw_lm = YAW_GAIN * off;
    float pitch_lm = PITCH_GAIN * (nose_h / mouth_h - PITCH_REST);
    return fabsf(yaw - yaw_lm) + fabsf(pitch - pitch_lm);
}
