/* src/liveness/video_json.c - the success `data` object of the passive
 * video endpoint, as JSON text, so the CLI and the server print the very
 * same thing. Strings where the hosted API shows strings ("status",
 * "confidence"); the added fields (live, cues, evidence, video) are
 * numbers and plain values, and a cue that could not be measured is null. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "livecheck/video.h"

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

/* A cue value: null when unmeasured (NAN) or not finite, else a number. */
static void num(struct out *o, const char *key, float v, bool last)
{
    if (!isfinite(v))
        put(o, "\"%s\":null%s", key, last ? "" : ",");
    else
        put(o, "\"%s\":%.3f%s", key, (double)v, last ? "" : ",");
}

size_t liveness_video_data_json(const struct liveness_video_result *r,
                                const struct liveness_video_config *c,
                                char *buf, size_t n)
{
    struct out o = {buf, n, 0};
    const struct liveness_video_cues *q = &r->cues;
    put(&o, "{\"status\":\"SUCCESS\",\"confidence\":\"%.2f\",", (double)r->confidence);
    put(&o, "\"live\":\"%s\",\"threshold\":\"%.2f\",", r->live ? "yes" : "no",
        (double)c->threshold);
    put(&o, "\"evidence\":{");
    num(&o, "liveMotion", r->live_motion, false);
    num(&o, "staticRisk", r->static_risk, false);
    num(&o, "replayRisk", r->replay_risk, false);
    num(&o, "identityRisk", r->identity_risk, true);
    put(&o, "},\"cues\":{\"samples\":%d,\"faceFrames\":%d,"
            "\"multiFaceFrames\":%d,",
        q->samples, q->face_frames, q->multi_face_frames);
    num(&o, "passive", q->passive, false);
    num(&o, "passiveLow", q->passive_low, false);
    num(&o, "passiveLogit", q->passive_logit, false);
    put(&o, "\"blinks\":%d,", q->blinks);
    num(&o, "earOpen", q->ear_open, false);
    num(&o, "earMin", q->ear_min, false);
    num(&o, "eyeClosedMax", q->eye_closed_max, false);
    num(&o, "yawRange", q->yaw_range, false);
    num(&o, "pitchRange", q->pitch_range, false);
    num(&o, "rollRange", q->roll_range, false);
    num(&o, "nonRigid", q->nonrigid, false);
    num(&o, "nonRigidEyesMouth", q->nonrigid_mouth, false);
    num(&o, "frozen", q->frozen, false);
    num(&o, "flicker", q->flicker, false);
    num(&o, "border", q->border, false);
    num(&o, "moire", q->moire, false);
    num(&o, "identityMin", q->identity_min, true);
    put(&o, "},\"video\":{\"container\":\"%s\",\"codec\":\"%s\",\"width\":%d,"
            "\"height\":%d,\"duration\":%.3f,\"framesDecoded\":%ld}}",
        media_container_name(r->info.container), r->info.codec, r->info.width,
        r->info.height, r->info.duration, r->frames_decoded);
    return o.len;
}
