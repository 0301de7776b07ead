/* src/liveness/active_json.c - the result of an active check as the CLI
 * prints it: the contract's `data` fields (spec/api.md 3c) without the
 * image URLs and the location, which only the server knows, and then
 * livecheck's additions: the best frame's time and size per reference, the
 * digits heard, the evidence, each prompt as verified, the video and the
 * timings. Strings where the contract shows strings ("true"/"false",
 * "yes"/"no"); scores are integers 0..100. "liveliness" here is the
 * engine's part: the server also sets prerecordedRisk for what only it
 * knows (an upload seen before, a recording older than the session). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "livecheck/active.h"

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

/* A JSON string of text that may hold anything a decoder or a user wrote
 * (quotes, backslashes, control characters). */
static void str(struct out *o, const char *s)
{
    put(o, "\"");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            put(o, "\\%c", ch);
        else if (ch < 0x20)
            put(o, "\\u%04x", ch);
        else
            put(o, "%c", ch);
    }
    put(o, "\"");
}

static void num(struct out *o, const char *key, double v, const char *sep)
{
    if (isfinite(v))
        put(o, "\"%s\":%.3f%s", key, v, sep);
    else
        put(o, "\"%s\":null%s", key, sep);
}

size_t liveness_active_json(const struct liveness_active_result *r,
                            const struct active_challenge *ch, char *buf,
                            size_t n)
{
    struct out o = {buf, n, 0};
    bool live = r->passive_ok && !r->static_risk && !r->prerecorded;
    put(&o, "{\"status\":\"SUCCESS\",\"videoFaceMatchResults\":[");
    for (int i = 0; i < r->nref; i++) {
        const struct active_ref_result *f = &r->ref[i];
        put(&o, "%s{\"results\":{\"matchScore\":%d,\"covariance\":%d},",
            i ? "," : "", f->match_score, f->covariance);
        num(&o, "cosine", f->cosine_best, ",");
        num(&o, "bestFrameTime", f->best_t >= 0 ? f->best_t : NAN, ",");
        put(&o, "\"bestFrameJpegBytes\":%zu}", f->best_jpeg_n);
    }
    put(&o, "],\"audioMatchResults\":{\"matchScore\":%d,\"expected\":",
        r->audio_score);
    str(&o, ch->digits);
    put(&o, ",\"heard\":");
    str(&o, r->digits_heard);
    put(&o, "},\"staticRisk\":\"%s\",\"prerecordedRisk\":\"%s\","
            "\"liveliness\":\"%s\",\"passiveOk\":\"%s\",\"risks\":",
        r->static_risk ? "true" : "false", r->prerecorded ? "true" : "false",
        live ? "yes" : "no", r->passive_ok ? "true" : "false");
    str(&o, r->risks);
    put(&o, ",\"evidence\":{");
    num(&o, "passive", r->passive, ",");
    num(&o, "replayRisk", r->replay_risk, ",");
    num(&o, "identityMin", r->identity_min, ",");
    put(&o, "\"samples\":%d,\"faceFrames\":%d},\"prompts\":[", r->samples,
        r->face_frames);
    for (int i = 0; i < ch->nprompts && i < r->nprompts; i++) {
        const struct active_prompt *p = &ch->p[i];
        const struct active_prompt_result *q = &r->prompt[i];
        put(&o, "%s{\"kind\":\"%s\",\"start\":%.2f,\"end\":%.2f,\"done\":%s,",
            i ? "," : "", active_prompt_name(p->kind), p->start, p->end,
            q->done ? "true" : "false");
        num(&o, "at", q->at >= 0 ? q->at : NAN, ",");
        num(&o, "value", q->value, "}");
    }
    put(&o, "],\"video\":{\"container\":\"%s\",\"codec\":\"%s\",\"width\":%d,"
            "\"height\":%d,\"duration\":%.3f,\"hasAudio\":%s},",
        media_container_name(r->info.container), r->info.codec, r->info.width,
        r->info.height, r->info.duration, r->info.has_audio ? "true" : "false");
    put(&o, "\"timingsMs\":{\"decode\":%.1f,\"analysis\":%.1f,\"speech\":%.1f,"
            "\"total\":%.1f}}",
        r->ms_decode, r->ms_analysis, r->ms_speech, r->ms_total);
    if (o.len >= n) {
        if (n)
            buf[0] = 0;
        return 0;
    }
    return o.len;
}
