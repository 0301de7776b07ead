/* tests/unit/t_active.c - active video liveness below the CLI: the
 * challenge's compact form (parse, format, refusals), random challenges
 * (every move once, windows in order, digits uniform), the prompt checks
 * on synthetic sample series (turns by pose and nose, a wild pose, a
 * swapped order, blinks with one eye model unreliable, a photo's wandering
 * eye aspect ratio), the covariance formula, the JSON and the refusals
 * that need no models. Recordings are checked end to end in
 * tests/active.sh.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liveness/active_int.h"
#include "livecheck/active.h"
#include "test.h"

TEST(active_prompt_names)
{
    for (int k = ACTIVE_TURN_LEFT; k <= ACTIVE_DIGITS_SPOKEN; k++)
        ASSERT_INT(active_prompt_parse(active_prompt_name(k)), ==, k);
    ASSERT(strcmp(active_prompt_name(ACTIVE_TURN_LEFT), "turn_left") == 0);
    ASSERT(strcmp(active_prompt_name(ACTIVE_DIGITS_SPOKEN), "digits") == 0);
    ASSERT_INT(active_prompt_parse("nod"), ==, -1);
    ASSERT_INT(active_prompt_parse("Blink"), ==, -1);
    ASSERT_INT(active_prompt_parse(""), ==, -1);
    ASSERT_INT(active_prompt_parse(NULL), ==, -1);
}

TEST(active_challenge_parse_format)
{
    const char *s = "turn_left@1.50-4.00,turn_right@4.00-6.50,blink@6.50-9.00,"
                    "digits=4821@9.00-14.00";
    struct active_challenge ch;
    struct lc_diag d = {{0}};
    ASSERT_INT(active_challenge_parse(&ch, s, &d), ==, 0);
    ASSERT_INT(ch.nprompts, ==, 4);
    ASSERT_INT(ch.p[0].kind, ==, ACTIVE_TURN_LEFT);
    ASSERT_INT(ch.p[2].kind, ==, ACTIVE_BLINK);
    ASSERT_INT(ch.p[3].kind, ==, ACTIVE_DIGITS_SPOKEN);
    ASSERT_NEAR(ch.p[1].start, 4.0, 1e-9);
    ASSERT_NEAR(ch.p[3].end, 14.0, 1e-9);
    ASSERT(strcmp(ch.digits, "4821") == 0);
    char out[256];
    ASSERT_INT(active_challenge_format(&ch, out, sizeof out), ==, strlen(s));
    ASSERT(strcmp(out, s) == 0);
    /* Too small a buffer: nothing, not a cut challenge. */
    ASSERT_INT(active_challenge_format(&ch, out, 20), ==, 0);
    ASSERT(out[0] == 0);
    /* Short forms of numbers parse; one prompt alone is a challenge. */
    ASSERT_INT(active_challenge_parse(&ch, "blink@2-3.5", &d), ==, 0);
    ASSERT_INT(ch.nprompts, ==, 1);
    ASSERT(ch.digits[0] == 0);
    ASSERT_INT(active_challenge_format(&ch, out, sizeof out), >, 0);
    ASSERT(strcmp(out, "blink@2.00-3.50") == 0);
    ASSERT_INT(active_challenge_parse(&ch, "digits=0123456789@0-5", &d), ==, 0);
    ASSERT(strcmp(ch.digits, "0123456789") == 0);
}

TEST(active_challenge_parse_refusals)
{
    static const char *const bad[] = {
        "",
        "blink",                        /* no window */
        "blink@",
        "blink@2",
        "blink@2-",
        "blink@3-2",                    /* ends before it starts */
        "blink@2-2",
        "blink@-1-2",                   /* no signs */
        "blink@inf-5",
        "blink@nan-5",
        "blink@ 1-2",
        "blink@1-2,",                   /* trailing comma */
        ",blink@1-2",
        "blink@1-2;turn_left@2-3",
        "nod@1-2",
        "turn_left=12@1-2x",
        "digits@1-2",                   /* digits needs its digits */
        "digits=@1-2",
        "digits=12a4@1-2",
        "digits=12345678901@1-2",       /* more than SPEECH_DIGITS_MAX */
        "digits=12@1-2,digits=34@2-3",  /* two digit prompts */
        "blink@1-2,blink@2-3,blink@3-4,blink@4-5,blink@5-6,blink@6-7,"
        "blink@7-8,blink@8-9,blink@9-10", /* more than ACTIVE_PROMPTS_MAX */
        "blink@1-99999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct active_challenge ch;
        struct lc_diag d = {{0}};
        int rc = active_challenge_parse(&ch, bad[i], &d);
        if (rc != LC_EINVAL || d.msg[0] == 0) {
            test_fail(__FILE__, __LINE__, "'%s' parsed (rc %d)", bad[i], rc);
            return;
        }
    }
    struct active_challenge ch;
    ASSERT_INT(active_challenge_parse(&ch, NULL, NULL), ==, LC_EINVAL);
}

TEST(active_challenge_random_shape)
{
    enum { N = 3000 };
    int digit[10] = {0}, place[3][3] = {{0}};
    char text[256];
    for (int n = 0; n < N; n++) {
        struct active_challenge ch, back;
        active_challenge_random(&ch, 1.5, 2.5, 5.0);
        ASSERT_INT(ch.nprompts, ==, 4);
        int seen = 0;
        for (int i = 0; i < 3; i++) {
            ASSERT(ch.p[i].kind != ACTIVE_DIGITS_SPOKEN);
            seen |= 1 << ch.p[i].kind;
            place[ch.p[i].kind][i]++;
        }
        ASSERT_INT(seen, ==, 7); /* left, right and blink, once each */
        ASSERT_INT(ch.p[3].kind, ==, ACTIVE_DIGITS_SPOKEN);
        ASSERT_NEAR(ch.p[0].start, 1.5, 1e-9);
        for (int i = 0; i < 4; i++) {
            ASSERT(ch.p[i].end > ch.p[i].start);
            if (i > 0)
                ASSERT_NEAR(ch.p[i].start, ch.p[i - 1].end, 1e-9);
        }
        ASSERT_NEAR(ch.p[0].end - ch.p[0].start, 2.5, 1e-9);
        ASSERT_NEAR(ch.p[3].end - ch.p[3].start, 5.0, 1e-9);
        ASSERT_INT(strlen(ch.digits), ==, ACTIVE_DIGITS);
        for (int i = 0; i < ACTIVE_DIGITS; i++) {
            ASSERT(ch.digits[i] >= '0' && ch.digits[i] <= '9');
            digit[ch.digits[i] - '0']++;
        }
        /* The compact form round-trips. */
        ASSERT_INT(active_challenge_format(&ch, text, sizeof text), >, 0);
        ASSERT_INT(active_challenge_parse(&back, text, NULL), ==, 0);
        ASSERT_INT(back.nprompts, ==, 4);
        ASSERT(strcmp(back.digits, ch.digits) == 0);
        for (int i = 0; i < 4; i++) {
            ASSERT_INT(back.p[i].kind, ==, ch.p[i].kind);
            ASSERT_NEAR(back.p[i].start, ch.p[i].start, 0.005);
        }
    }
    /* Digits uniform: chi-square with 9 degrees of freedom under 27.88
     * (p = 0.001) for N * 4 draws. */
    double e = N * ACTIVE_DIGITS / 10.0, chi = 0;
    for (int i = 0; i < 10; i++)
        chi += (digit[i] - e) * (digit[i] - e) / e;
    ASSERT(chi < 27.88);
    /* Every move in every place about a third of the time (5 sigma). */
    double third = N / 3.0, sd = sqrt(N * (1.0 / 3) * (2.0 / 3));
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 3; i++)
            ASSERT_NEAR(place[k][i], third, 5 * sd);
}

/* Synthetic samples ----------------------------------------------------- */

#define FPS 12.0
#define NS 180 /* 15 s */

/* A face whose landmarks give nose offset `nose` and eye aspect ratio
 * `ear` (both eyes): eye corners at x 100..120 and 140..160, y 100. */
static void face(struct video_sample *s, float nose, float ear)
{
    memset(&s->f, 0, sizeof s->f);
    s->f.sq[2] = 120;
    for (int e = 0; e < 2; e++) {
        int o = e ? 42 : 36;
        float x0 = e ? 140 : 100;
        float (*p)[2] = &s->f.lm[o];
        p[0][0] = x0, p[0][1] = 100;
        p[3][0] = x0 + 20, p[3][1] = 100;
        p[1][0] = x0 + 6, p[1][1] = 100 - 10 * ear;
        p[2][0] = x0 + 14, p[2][1] = 100 - 10 * ear;
        p[4][0] = x0 + 14, p[4][1] = 100 + 10 * ear;
        p[5][0] = x0 + 6, p[5][1] = 100 + 10 * ear;
    }
    s->f.lm[30][0] = 130 + 60 * nose;
    s->f.lm[30][1] = 130;
    s->ear[0] = video_eye_aspect((const float(*)[2])s->f.lm, 0);
    s->ear[1] = video_eye_aspect((const float(*)[2])s->f.lm, 1);
}

/* A clip looking ahead (eyes open, the left eye model reading "closed"
 * all the time, as it does for some faces) with small pose noise. */
static void series(struct video_sample *s)
{
    for (int i = 0; i < NS; i++) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].t = i / FPS;
        s[i].frame = i;
        s[i].face = true;
        s[i].posed = i % 2 == 0;
        s[i].yaw = 2.0f + ((i * 7) % 5 - 2); /* 0..4 degrees */
        s[i].pitch = -10.0f + ((i * 3) % 3 - 1);
        s[i].closed[0] = 1.0f;
        s[i].closed[1] = 0.02f;
        face(&s[i], 0.02f, 0.25f);
    }
}

/* A head turn over [t0, t1]: yaw to peak degrees and back (sine). The
 * nose offset follows as -0.011 per degree (as measured). */
static void turn_at(struct video_sample *s, double t0, double t1, float peak)
{
    for (int i = 0; i < NS; i++) {
        if (s[i].t < t0 || s[i].t > t1)
            continue;
        float k = sinf((float)M_PI * (float)((s[i].t - t0) / (t1 - t0)));
        s[i].yaw = 2.0f + peak * k;
        face(&s[i], 0.02f - 0.011f * peak * k, 0.25f);
    }
}

/* A blink: eyes closed on the samples in [t0, t1]. */
static void blink_at(struct video_sample *s, double t0, double t1)
{
    for (int i = 0; i < NS; i++)
        if (s[i].t >= t0 && s[i].t <= t1) {
            s[i].closed[1] = 0.98f;
            face(&s[i], 0.02f, 0.21f);
        }
}

static const char *CH = "turn_left@1.50-4.00,turn_right@4.00-6.50,"
                        "blink@6.50-9.00,digits=4821@9.00-14.00";

static void verify(const char *spec, struct video_sample *s,
                   struct active_prompt_result *out, struct active_motion *m)
{
    struct liveness_active_config c;
    liveness_active_config_default(&c);
    struct active_challenge ch;
    if (active_challenge_parse(&ch, spec, NULL) < 0)
        abort();
    float tmp[NS];
    active_motion_measure(&c, &ch, s, NS, tmp, m);
    active_prompts_verify(&c, &ch, s, NS, m, tmp, out);
}

TEST(active_prompts_performed)
{
    static struct video_sample s[NS];
    series(s);
    turn_at(s, 2.0, 3.6, -45); /* left, in its window */
    turn_at(s, 4.4, 6.0, 25);  /* right */
    blink_at(s, 7.5, 7.6);
    struct active_prompt_result r[4];
    struct active_motion m;
    verify(CH, s, r, &m);
    ASSERT_NEAR(m.yaw0, 2.0, 2.1);
    ASSERT(!m.eye_ok[0]); /* reads closed all the time: ignored */
    ASSERT(m.eye_ok[1]);
    ASSERT_INT(m.blinks, ==, 1);
    ASSERT(r[0].done);
    ASSERT(r[0].at > 2.0 && r[0].at < 3.6);
    ASSERT(r[0].value < -40);
    ASSERT(r[1].done);
    ASSERT(r[1].at > 4.4 && r[1].at < 6.0);
    ASSERT(r[1].value > 20);
    ASSERT(r[2].done);
    ASSERT_NEAR(r[2].at, 7.55, 0.1);
    ASSERT(r[2].value > 0.1f);
    ASSERT(!r[3].done); /* digits: the caller's */
    ASSERT_NEAR(r[3].at, -1, 0);
}

TEST(active_prompts_swapped_or_missing)
{
    static struct video_sample s[NS];
    struct active_prompt_result r[4];
    struct active_motion m;
    /* Right performed in the left window and left in the right one, each
     * turning promptly at the very start of its window. */
    series(s);
    turn_at(s, 1.5, 4.0, 25);
    turn_at(s, 4.0, 6.5, -50);
    verify(CH, s, r, &m);
    ASSERT(!r[0].done);
    ASSERT(!r[1].done);
    ASSERT(r[0].at < 0 && r[1].at < 0);
    ASSERT(!r[2].done);     /* no blink at all */
    ASSERT_INT(m.blinks, ==, 0);
    /* A turn too small, and one outside every window. */
    series(s);
    turn_at(s, 2.0, 3.6, -12);
    turn_at(s, 9.5, 11.0, 30);
    verify(CH, s, r, &m);
    ASSERT(!r[0].done);
    ASSERT(!r[1].done);
    /* Done late but within the slack: centred 0.3 s after the window. */
    series(s);
    turn_at(s, 3.6, 5.0, -40);
    verify(CH, s, r, &m);
    ASSERT(r[0].done);
}

TEST(active_prompts_pose_outliers)
{
    static struct video_sample s[NS];
    struct active_prompt_result r[4];
    struct active_motion m;
    /* One wild pose estimate in a frontal stretch: no turn. */
    series(s);
    s[50].yaw = 40;
    verify(CH, s, r, &m);
    ASSERT(!r[1].done);
    ASSERT(!r[0].done);
    /* Two wild poses (+27 for a third of a second) where the nose says
     * the head turns left: not a right turn. */
    series(s);
    for (int i = 54; i < 60; i++) {
        if (s[i].posed)
            s[i].yaw = 27;
        face(&s[i], 0.3f, 0.25f);
    }
    verify(CH, s, r, &m);
    ASSERT(!r[1].done);
    /* The lead-in sets "ahead": a camera off to one side (yaw 20 all the
     * time) still needs the turn itself. */
    series(s);
    for (int i = 0; i < NS; i++)
        s[i].yaw += 20;
    verify(CH, s, r, &m);
    ASSERT_NEAR(m.yaw0, 22, 2.1);
    ASSERT(!r[0].done && !r[1].done);
    turn_at(s, 4.4, 6.0, 25);
    for (int i = 0; i < NS; i++)
        if (s[i].t >= 4.4 && s[i].t <= 6.0)
            s[i].yaw += 20;
    verify(CH, s, r, &m);
    ASSERT(r[1].done);
}

TEST(active_prompts_blinks)
{
    static struct video_sample s[NS];
    struct active_prompt_result r[4];
    struct active_motion m;
    /* A blink outside the blink window does not answer it. */
    series(s);
    blink_at(s, 10.0, 10.1);
    verify(CH, s, r, &m);
    ASSERT_INT(m.blinks, ==, 1);
    ASSERT(!r[2].done);
    /* Eyes closed for a second: not a blink. */
    series(s);
    blink_at(s, 7.0, 8.0);
    verify(CH, s, r, &m);
    ASSERT(!r[2].done);
    /* A photo: the aspect ratio wanders by 20% with the eye model sure
     * the (trusted) eye is open: no blink. */
    series(s);
    for (int i = 0; i < NS; i++)
        face(&s[i], 0.02f, 0.25f * (1.0f + 0.2f * sinf((float)i * 0.9f)));
    verify(CH, s, r, &m);
    ASSERT_INT(m.blinks, ==, 0);
    /* Neither eye model trusted: the landmarks alone, a deep dip. */
    series(s);
    for (int i = 0; i < NS; i++)
        s[i].closed[1] = 1.0f;
    for (int i = 0; i < NS; i++)
        if (s[i].t >= 7.5 && s[i].t <= 7.6)
            face(&s[i], 0.02f, 0.12f);
    verify(CH, s, r, &m);
    ASSERT(!m.eye_ok[0] && !m.eye_ok[1]);
    ASSERT(r[2].done);
    /* ... where a shallow dip is not enough. */
    series(s);
    for (int i = 0; i < NS; i++)
        s[i].closed[1] = 1.0f;
    for (int i = 0; i < NS; i++)
        if (s[i].t >= 7.5 && s[i].t <= 7.6)
            face(&s[i], 0.02f, 0.21f);
    verify(CH, s, r, &m);
    ASSERT(!r[2].done);
    /* A turned head is no blink context: closed eyes while turned away. */
    series(s);
    turn_at(s, 7.0, 8.5, -45);
    for (int i = 0; i < NS; i++)
        if (s[i].t >= 7.7 && s[i].t <= 7.8)
            s[i].closed[1] = 0.98f;
    verify(CH, s, r, &m);
    ASSERT(!r[2].done);
}

TEST(active_nose_offset_sign)
{
    struct video_sample s;
    face(&s, 0.0f, 0.25f);
    ASSERT_NEAR(active_nose_offset(&s.f), 0, 1e-6);
    face(&s, 0.3f, 0.25f);
    ASSERT_NEAR(active_nose_offset(&s.f), 0.3, 1e-5);
    memset(&s.f, 0, sizeof s.f); /* degenerate corners */
    ASSERT_NEAR(active_nose_offset(&s.f), 0, 0);
}

TEST(active_covariance_formula)
{
    float same[5] = {97, 97, 97, 97, 97};
    ASSERT_INT(active_match_covariance(same, 5), ==, 100);
    float two[2] = {90, 70}; /* stddev 10 */
    ASSERT_INT(active_match_covariance(two, 2), ==, 80);
    float split[4] = {100, 0, 100, 0}; /* stddev 50 */
    ASSERT_INT(active_match_covariance(split, 4), ==, 0);
    ASSERT_INT(active_match_covariance(same, 1), ==, 100);
    ASSERT_INT(active_match_covariance(same, 0), ==, 0);
}

TEST(active_json_shape)
{
    struct active_challenge ch;
    ASSERT_INT(active_challenge_parse(&ch, CH, NULL), ==, 0);
    struct liveness_active_result r;
    memset(&r, 0, sizeof r);
    r.nref = 2;
    r.ref[0] = (struct active_ref_result){97, 91, 0.81f, 3.2, NULL, 12345};
    r.ref[1] = (struct active_ref_result){3, 99, 0.1f, -1, NULL, 0};
    r.nprompts = 4;
    r.prompt[0] = (struct active_prompt_result){true, 2.9, -44.5f};
    r.prompt[1] = (struct active_prompt_result){false, -1, 4.0f};
    r.audio_score = 75;
    strcpy(r.digits_heard, "4827");
    strcpy(r.risks, "turn_right not performed; a \"quote\"\\");
    r.prerecorded = true;
    r.passive_ok = true;
    r.passive = 0.9f;
    r.identity_min = NAN;
    char buf[LIVENESS_ACTIVE_JSON_MAX];
    size_t n = liveness_active_json(&r, &ch, buf, sizeof buf);
    ASSERT(n > 0 && n < sizeof buf);
    json_error_t je;
    json_t *v = json_loads(buf, 0, &je);
    ASSERT(v != NULL);
    json_t *m0 = json_object_get(json_array_get(json_object_get(v, "videoFaceMatchResults"), 0),
                                 "results");
    ASSERT_INT(json_integer_value(json_object_get(m0, "matchScore")), ==, 97);
    ASSERT_INT(json_integer_value(json_object_get(m0, "covariance")), ==, 91);
    ASSERT(strcmp(json_string_value(json_object_get(v, "prerecordedRisk")), "true") == 0);
    ASSERT(strcmp(json_string_value(json_object_get(v, "staticRisk")), "false") == 0);
    ASSERT(strcmp(json_string_value(json_object_get(v, "liveliness")), "no") == 0);
    ASSERT(strcmp(json_string_value(json_object_get(v, "risks")), r.risks) == 0);
    json_t *audio = json_object_get(v, "audioMatchResults");
    ASSERT_INT(json_integer_value(json_object_get(audio, "matchScore")), ==, 75);
    ASSERT(strcmp(json_string_value(json_object_get(audio, "heard")), "4827") == 0);
    json_t *p = json_object_get(v, "prompts");
    ASSERT_INT(json_array_size(p), ==, 4);
    ASSERT(json_is_true(json_object_get(json_array_get(p, 0), "done")));
    ASSERT(json_is_null(json_object_get(json_array_get(p, 1), "at")));
    ASSERT(json_is_null(json_object_get(json_object_get(v, "evidence"), "identityMin")));
    json_decref(v);
    ASSERT_INT(liveness_active_json(&r, &ch, buf, 100), ==, 0);
}

TEST(active_check_refusals_without_models)
{
    struct liveness_active_config c;
    liveness_active_config_default(&c);
    struct active_challenge ch;
    ASSERT_INT(active_challenge_parse(&ch, CH, NULL), ==, 0);
    struct liveness_active_result r;
    ASSERT_INT(liveness_active_check(NULL, &c, NULL, 0, &ch, NULL, 0, &r), ==, 0);
    ASSERT_INT(r.outcome, ==, LC_OUTCOME_EMPTY_VIDEO);
    liveness_active_result_free(&r);
    static const uint8_t text[] = "this is not a video, only some text\n";
    ASSERT_INT(liveness_active_check(NULL, &c, text, sizeof text, &ch, NULL, 0, &r), ==, 0);
    ASSERT_INT(r.outcome, ==, LC_OUTCOME_INVALID_VIDEO_FORMAT);
    liveness_active_result_free(&r);
    c.max_bytes = 8;
    ASSERT_INT(liveness_active_check(NULL, &c, text, sizeof text, &ch, NULL, 0, &r), ==, 0);
    ASSERT_INT(r.outcome, ==, LC_OUTCOME_VIDEO_TOO_LARGE);
    liveness_active_result_free(&r);
    ASSERT_INT(liveness_active_check(NULL, &c, text, sizeof text, &ch, NULL, 9, &r), ==,
               LC_EINVAL);
    liveness_active_result_free(&r);
}
