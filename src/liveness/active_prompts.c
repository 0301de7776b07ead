/* src/liveness/active_prompts.c - was each movement prompt performed in
 * its window?
 *
 * Baselines. "Looking ahead" is the median pose of the lead-in (the posed
 * samples before the first prompt; the whole clip when the lead-in has
 * fewer than two), so that a camera held a little to one side or a head
 * held a little tilted counts as straight. Frontal samples are within 20
 * degrees of that pose in yaw and in pitch. The open-eye aspect ratio is
 * the median of the frontal samples' eye aspect ratio (mean of both eyes).
 *
 * Turns. Yaw sign of this pose model (fr_pose.onnx, measured on the dev
 * clip replay-pair-real.mp4, frames looked at by eye): yaw < 0 when the
 * nose points to the image's right edge, yaw > 0 when it points to the
 * left edge. A camera's picture is not mirrored (the capture page may
 * mirror its preview, never the recording), so the user's own left is on
 * the image's right: turning to their own left makes yaw negative, and
 * turn_right makes it positive.
 * The pose model alone is not enough: on the 640x480 captures it gave
 * +20..+37 degrees for two consecutive poses (a third of a second) of a
 * head clearly starting to turn the other way. The landmarks' nose offset
 * (active_nose_offset: the nose tip between the outer eye corners) never
 * erred there (+0.02 ahead, -0.23 at +22 degrees, +0.64 at -57), so it
 * is the witness of the direction: a posed sample counts as turned when
 * its yaw, relative to the lead-in and median-filtered over 3 posed
 * samples, is beyond turn_deg in the prompt's direction and its nose
 * offset, relative to the lead-in, is at least 0.10 that way (about 9
 * degrees). Runs of turned samples are excursions (a gap of more than a
 * second without a pose ends one). A turn prompt is done when an
 * excursion in its direction is centred (halfway between its first and
 * last turned sample) inside the prompt's window widened by window_slack
 * at each end. The centre, not the onset or the peak, decides: a user who
 * performs the next prompt promptly starts turning at the very end of the
 * previous window, and a held turn peaks anywhere in its plateau. at is
 * the excursion's peak and value the peak's yaw change (signed).
 *
 * Blinks. Eyes that go from open to closed and back to open, on frontal
 * samples. Each eye's model (fr_eye) is trusted when it reads that eye
 * closed (p >= 0.7) on at most 30% of the frontal samples: for some faces
 * it reads one eye "closed" all the time. With a trusted eye, closed is
 * every trusted eye read closed while the eye aspect ratio (landmarks) is
 * at most 95% of its open median, and open is every trusted eye read open
 * (p < 0.3). The landmarks alone are a weak witness here: the landmark
 * model sees an eye a few pixels high, and on a photo drifting in front of
 * the camera its aspect ratio wanders by 20% (measured: 0.77..1.15 of the
 * median); so without a trusted eye, closed is a ratio at most 70% of the
 * median and open at least 90%. The closed run lasts at most 0.6 s, with
 * an open sample at most 0.7 s before and after it; the deepest closed
 * sample must lie in the window. value is 1 - the deepest ratio.
 */
#include "liveness/active_int.h"

#include <math.h>
#include <stdlib.h>

#define FRONTAL_DEG 20.0f
#define RUN_GAP_S 1.0       /* seconds without a pose that end an excursion */
#define NOSE_MIN 0.10f      /* nose offset that confirms a turn's direction */
#define EAR_CLOSED 0.70f    /* EAR / open EAR: closed by landmarks alone */
#define EAR_CLOSED_EYE 0.95f /* ... at most this with the eye model */
#define EAR_OPEN 0.90f      /* open by landmarks alone */
#define EYE_CLOSED_P 0.7f   /* eye model p(closed): closed */
#define EYE_OPEN_P 0.3f     /* ... open */
#define EYE_MODEL_MAX_SHARE 0.3f
#define BLINK_MAX_S 0.6     /* longest closed run */
#define BLINK_CONTEXT_S 0.7 /* open sample before and after, at most */

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static float median(float *v, int n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_float);
    return n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

static double first_prompt(const struct active_challenge *ch)
{
    double t = INFINITY;
    for (int i = 0; i < ch->nprompts; i++)
        t = fmin(t, ch->p[i].start);
    return t;
}

static bool frontal(const struct video_sample *s, const struct active_motion *m)
{
    return s->face && fabsf(s->yaw - m->yaw0) < FRONTAL_DEG &&
           fabsf(s->pitch - m->pitch0) < FRONTAL_DEG;
}

static float ear(const struct video_sample *s)
{
    return 0.5f * (s->ear[0] + s->ear[1]);
}

float active_nose_offset(const struct vision_face *f)
{
    float ax = f->lm[36][0], ay = f->lm[36][1];
    float bx = f->lm[45][0] - ax, by = f->lm[45][1] - ay;
    float d2 = bx * bx + by * by;
    if (!(d2 > 1))
        return 0;
    /* The nose's projection on the corner-to-corner line, 0..1. */
    float u = ((f->lm[30][0] - ax) * bx + (f->lm[30][1] - ay) * by) / d2;
    return u - 0.5f;
}

/* Median yaw (which 0) or pitch (1) of the posed samples before t_end. */
static float pose_median(const struct video_sample *s, int n, double t_end,
                         int which, float *tmp)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (s[i].face && s[i].posed && s[i].t < t_end)
            tmp[k++] = which ? s[i].pitch : s[i].yaw;
    return median(tmp, k);
}

void active_motion_measure(const struct liveness_active_config *c,
                           const struct active_challenge *ch,
                           const struct video_sample *s, int n, float *tmp,
                           struct active_motion *m)
{
    double lead = first_prompt(ch);
    int k = 0;
    for (int i = 0; i < n; i++)
        k += s[i].face && s[i].posed && s[i].t < lead;
    if (k < 2)
        lead = INFINITY;
    m->yaw0 = pose_median(s, n, lead, 0, tmp);
    m->pitch0 = pose_median(s, n, lead, 1, tmp);
    if (isnan(m->yaw0))
        m->yaw0 = m->pitch0 = 0;
    k = 0;
    for (int i = 0; i < n; i++)
        if (s[i].face && s[i].posed && s[i].t < lead)
            tmp[k++] = active_nose_offset(&s[i].f);
    m->nose0 = k ? median(tmp, k) : 0;
    k = 0;
    int model_closed[2] = {0, 0};
    for (int i = 0; i < n; i++)
        if (frontal(&s[i], m)) {
            tmp[k++] = ear(&s[i]);
            for (int e = 0; e < 2; e++)
                model_closed[e] += s[i].closed[e] >= EYE_CLOSED_P;
        }
    m->ear_open = median(tmp, k);
    for (int e = 0; e < 2; e++)
        m->eye_ok[e] = k > 0 &&
                       (float)model_closed[e] <= EYE_MODEL_MAX_SHARE * (float)k;
    float depth;
    double at;
    m->blinks = active_blinks_count(c, s, n, m, -INFINITY, INFINITY, &depth, &at);
}

int active_blinks_count(const struct liveness_active_config *c,
                        const struct video_sample *s, int n,
                        const struct active_motion *m, double t0, double t1,
                        float *depth, double *at)
{
    int count = 0;
    *depth = 0;
    *at = -1;
    if (!(m->ear_open > 0))
        return 0;
    double last_open = -INFINITY;
    bool in_run = false;
    double run_start = 0, run_end = 0, run_min_t = 0;
    float run_min = 0;
    for (int i = 0; i < n; i++) {
        if (!frontal(&s[i], m))
            continue;
        double t = s[i].t;
        float r = ear(&s[i]) / m->ear_open;
        bool closed, open;
        if (m->eye_ok[0] || m->eye_ok[1]) {
            bool all_closed = true, all_open = true;
            for (int e = 0; e < 2; e++)
                if (m->eye_ok[e]) {
                    all_closed &= s[i].closed[e] >= EYE_CLOSED_P;
                    all_open &= s[i].closed[e] < EYE_OPEN_P;
                }
            closed = all_closed && r <= EAR_CLOSED_EYE;
            open = all_open;
        } else {
            closed = r <= EAR_CLOSED;
            open = r >= EAR_OPEN;
        }
        if (closed) {
            if (!in_run) {
                if (t - last_open > BLINK_CONTEXT_S)
                    continue; /* no open eyes just before: not a blink */
                in_run = true;
                run_start = t;
                run_min = r;
                run_min_t = t;
            }
            run_end = t;
            if (r < run_min) {
                run_min = r;
                run_min_t = t;
            }
        } else if (open) {
            if (in_run && t - run_end <= BLINK_CONTEXT_S &&
                run_end - run_start <= BLINK_MAX_S && run_min_t >= t0 &&
                run_min_t <= t1) {
                count++;
                if (1 - run_min > *depth) {
                    *depth = 1 - run_min;
                    *at = run_min_t;
                }
            }
            in_run = false;
            last_open = t;
        }
    }
    (void)c;
    return count;
}

/* One excursion of the yaw in the prompt's direction. */
struct excursion {
    bool on;
    double first, last; /* times of its first and last turned sample */
    float peak;
    double peak_t;
};

/* An excursion ended: it answers the prompt when it is centred inside
 * the window [a, b]; the highest such peak is kept. */
static void excursion_end(struct excursion *x, double a, double b,
                          struct active_prompt_result *out)
{
    double mid = 0.5 * (x->first + x->last);
    if (mid >= a && mid <= b && (!out->done || x->peak > out->value)) {
        out->done = true;
        out->at = x->peak_t;
        out->value = x->peak;
    }
    x->on = false;
}

/* Prompt p, a turn in direction dir (+1 right, -1 left), on the filtered
 * yaw f of the posed samples: see the top. */
static void turn(const struct liveness_active_config *c,
                 const struct active_prompt *p, float dir,
                 const struct video_sample *s, int n, const float *f,
                 const struct active_motion *m,
                 struct active_prompt_result *out)
{
    double a = p->start - c->window_slack, b = p->end + c->window_slack;
    float best = -INFINITY;
    double last_t = -INFINITY;
    struct excursion x = {0};
    for (int i = 0, j = 0; i < n; i++) {
        if (!s[i].face || !s[i].posed)
            continue;
        float v = dir * f[j++];
        float nose = -dir * (active_nose_offset(&s[i].f) - m->nose0);
        double t = s[i].t;
        if (t >= a && t <= b && v > best)
            best = v; /* for the reader when the prompt was not done */
        bool turned = v > c->turn_deg && nose >= NOSE_MIN;
        if (x.on && (!turned || t - last_t > RUN_GAP_S))
            excursion_end(&x, a, b, out);
        if (turned) {
            if (!x.on)
                x = (struct excursion){true, t, t, v, t};
            x.last = t;
            if (v > x.peak) {
                x.peak = v;
                x.peak_t = t;
            }
        }
        last_t = t;
    }
    if (x.on)
        excursion_end(&x, a, b, out);
    if (!out->done)
        out->value = isfinite(best) ? best : 0;
    out->value *= dir; /* the yaw change itself, signed */
}

void active_prompts_verify(const struct liveness_active_config *c,
                           const struct active_challenge *ch,
                           const struct video_sample *s, int n,
                           const struct active_motion *m, float *tmp,
                           struct active_prompt_result *out)
{
    /* The posed samples' yaw relative to the lead-in, median of 3. */
    int np = 0;
    for (int i = 0; i < n; i++)
        if (s[i].face && s[i].posed)
            tmp[np++] = s[i].yaw - m->yaw0;
    float prev = np ? tmp[0] : 0;
    for (int j = 0; j < np; j++) {
        float x = prev, y = tmp[j], z = j + 1 < np ? tmp[j + 1] : tmp[j];
        prev = y;
        float lo = fminf(x, y), hi = fmaxf(x, y);
        tmp[j] = z < lo ? lo : z > hi ? hi : z;
    }
    for (int i = 0; i < ch->nprompts; i++) {
        const struct active_prompt *p = &ch->p[i];
        struct active_prompt_result *o = &out[i];
        *o = (struct active_prompt_result){.done = false, .at = -1, .value = 0};
        if (p->kind == ACTIVE_TURN_LEFT || p->kind == ACTIVE_TURN_RIGHT) {
            turn(c, p, p->kind == ACTIVE_TURN_LEFT ? -1.0f : 1.0f, s, n, tmp, m,
                 o);
        } else if (p->kind == ACTIVE_BLINK) {
            double at;
            o->done = active_blinks_count(c, s, n, m, p->start - c->window_slack,
                                          p->end + c->window_slack, &o->value,
                                          &at) > 0;
            o->at = o->done ? at : -1;
        }
    }
}
