/* tests/unit/t_speech.c - the digit challenge below the CLI: the match
 * score on hand-derived cases, the recogniser's refusals and its answer to
 * silence and noise, concurrent recognisers agreeing with serial ones, and
 * the audio track decoder on the synthetic clips of fuzz/corpus/video
 * (AAC in mp4, Opus in webm, audio-only, no audio, bad bytes).
 *
 * Recognition of spoken digits is measured in tests/speech.sh on espeak-ng
 * fixtures made at test time; it also runs speech_threads again with
 * LC_SPEECH_FIXTURES pointing at those fixtures (16 kHz s16 .raw files), so
 * that the concurrent decoders are compared on real speech as well.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/media.h"
#include "livecheck/media_audio.h"
#include "livecheck/mem.h"
#include "livecheck/speech.h"
#include "test.h"

#define CORPUS "fuzz/corpus/video/"

TEST(speech_score_cases)
{
    /* LCS / len(expected), rounded: worked out by hand. */
    ASSERT_INT(speech_digits_score("4831", "4831"), ==, 100);
    ASSERT_INT(speech_digits_score("4831", "4813"), ==, 75);  /* 4 8 1 */
    ASSERT_INT(speech_digits_score("4831", "4031"), ==, 75);  /* 4 3 1 */
    ASSERT_INT(speech_digits_score("4831", "483"), ==, 75);
    ASSERT_INT(speech_digits_score("4831", "1384"), ==, 25);  /* reversed */
    ASSERT_INT(speech_digits_score("4831", "8413"), ==, 50);  /* 8 1 or 4 1 */
    ASSERT_INT(speech_digits_score("4831", "2957"), ==, 0);
    ASSERT_INT(speech_digits_score("4831", "48"), ==, 50);
    ASSERT_INT(speech_digits_score("4831", "94837213"), ==, 100);
    ASSERT_INT(speech_digits_score("4831", ""), ==, 0);
    ASSERT_INT(speech_digits_score("123", "12"), ==, 67);     /* 66.7 */
    ASSERT_INT(speech_digits_score("123", "3"), ==, 33);
    ASSERT_INT(speech_digits_score("0000", "0"), ==, 25);
    ASSERT_INT(speech_digits_score("0000", "00000"), ==, 100);
    ASSERT_INT(speech_digits_score("", "123"), ==, 0);
    ASSERT_INT(speech_digits_score(NULL, "123"), ==, 0);
    ASSERT_INT(speech_digits_score("123", NULL), ==, 0);
    /* Only the first 64 characters of each string count: digits after
     * 100 other characters in heard are not seen. */
    char longx[200];
    memset(longx, 'x', 100);
    strcpy(longx + 100, "4831");
    ASSERT_INT(speech_digits_score("4831", longx), ==, 0);
}

/* n samples of low white noise (about -45 dBFS), from a fixed seed. */
static int16_t *noise(size_t n, int amp)
{
    int16_t *p = lc_malloc(n * sizeof *p);
    uint32_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        p[i] = (int16_t)((int)(s >> 16) % (2 * amp + 1) - amp);
    }
    return p;
}

TEST(speech_refusals)
{
    char out[SPEECH_DIGITS_MAX + 1] = "x";
    struct speech_result r;
    struct lc_diag d = {{0}};
    int16_t one[1600] = {0};
    ASSERT_INT(speech_digits_recognize(one, 0, 4, out, &r, &d), ==, LC_EEMPTY);
    ASSERT_STR(out, "");
    ASSERT_INT(speech_digits_recognize(NULL, 100, 4, out, &r, NULL), ==, LC_EEMPTY);
    ASSERT_INT(speech_digits_recognize(one, 1600, 0, out, &r, NULL), ==, LC_EINVAL);
    ASSERT_INT(speech_digits_recognize(one, 1600, SPEECH_DIGITS_MAX + 1, out, &r,
                                       NULL),
               ==, LC_EINVAL);
    ASSERT_INT(speech_digits_recognize(one, 1600, 4, NULL, &r, NULL), ==, LC_EINVAL);
    size_t big = (size_t)SPEECH_MAX_SECONDS * 16000 + 1;
    int16_t *pcm = lc_calloc(big, sizeof *pcm);
    d.msg[0] = '\0';
    int rc = speech_digits_recognize(pcm, big, 4, out, &r, &d);
    free(pcm);
    ASSERT_INT(rc, ==, LC_ETOOBIG);
    ASSERT(strstr(d.msg, "60 s") != NULL);
}

TEST(speech_silence_and_noise)
{
    /* No speech is a result ("" heard, score 0), never an error or a
     * guess: the fixed-length grammar finds no path through it. */
    size_t n = 3 * 16000;
    int16_t *zero = lc_calloc(n, sizeof *zero);
    int16_t *hiss = noise(n, 200);
    char out[SPEECH_DIGITS_MAX + 1];
    struct speech_result r;
    struct lc_diag d = {{0}};
    int rc = speech_digits_recognize(zero, n, 4, out, &r, &d);
    int s0 = speech_digits_score("4831", out);
    int nd0 = r.ndigits;
    double secs = r.seconds;
    rc = rc < 0 ? rc : speech_digits_recognize(hiss, n, 4, out, &r, &d);
    int s1 = speech_digits_score("4831", out);
    /* And a single, very short burst. */
    rc = rc < 0 ? rc : speech_digits_recognize(hiss, 160, 4, out, NULL, &d);
    int s2 = speech_digits_score("4831", out);
    free(zero);
    free(hiss);
    if (rc < 0)
        test_fail(__FILE__, __LINE__, "rc %d: %s", rc, d.msg);
    ASSERT_INT(rc, ==, 0);
    ASSERT_INT(nd0, ==, 0);
    ASSERT_NEAR(secs, 3.0, 1e-9);
    ASSERT_INT(s0, <=, 25);
    ASSERT_INT(s1, <=, 25);
    ASSERT_INT(s2, <=, 25);
}

struct clip {
    int16_t *pcm;
    size_t n;
    char serial[SPEECH_DIGITS_MAX + 1];
};

struct worker {
    struct clip *clips;
    int nclips, first;
    int errors, mismatches;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int k = 0; k < w->nclips; k++) {
        struct clip *c = &w->clips[(w->first + k) % w->nclips];
        char out[SPEECH_DIGITS_MAX + 1];
        if (speech_digits_recognize(c->pcm, c->n, 4, out, NULL, NULL) < 0)
            w->errors++;
        else if (strcmp(out, c->serial) != 0)
            w->mismatches++;
    }
    return NULL;
}

/* Up to 10 *.raw clips from LC_SPEECH_FIXTURES, else silence and noise. */
static int load_clips(struct clip *c, int max)
{
    const char *dir = getenv("LC_SPEECH_FIXTURES");
    int k = 0;
    DIR *dp = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (dp && k < max && (e = readdir(dp)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".raw") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        uint8_t *buf;
        size_t n;
        if (media_file_read(path, 4 << 20, &buf, &n, NULL) < 0)
            continue;
        if (n < 2) {
            free(buf);
            continue;
        }
        c[k].pcm = (int16_t *)buf; /* malloc'd, so aligned for int16_t */
        c[k].n = n / 2;
        k++;
    }
    if (dp)
        closedir(dp);
    if (k == 0) {
        size_t n = 2 * 16000;
        c[0].pcm = lc_calloc(n, sizeof(int16_t));
        c[0].n = n;
        c[1].pcm = noise(n, 300);
        c[1].n = n;
        k = 2;
    }
    return k;
}

TEST(speech_threads)
{
    /* Each call owns its decoder: three threads decoding the same clips
     * at once, in different orders, must hear what one thread heard. */
    struct clip clips[10];
    memset(clips, 0, sizeof clips);
    int nc = load_clips(clips, 10);
    int bad = 0;
    for (int i = 0; i < nc; i++)
        if (speech_digits_recognize(clips[i].pcm, clips[i].n, 4, clips[i].serial,
                                    NULL, NULL) < 0)
            bad++;
    struct worker w[3];
    pthread_t th[3];
    for (int t = 0; t < 3; t++) {
        w[t] = (struct worker){.clips = clips, .nclips = nc, .first = t};
        pthread_create(&th[t], NULL, work, &w[t]);
    }
    int errors = 0, mismatches = 0;
    for (int t = 0; t < 3; t++) {
        pthread_join(th[t], NULL);
        errors += w[t].errors;
        mismatches += w[t].mismatches;
    }
    for (int i = 0; i < nc; i++)
        free(clips[i].pcm);
    ASSERT_INT(bad, ==, 0);
    ASSERT_INT(errors, ==, 0);
    ASSERT_INT(mismatches, ==, 0);
}

static uint8_t *corpus(const char *name, size_t *n)
{
    char path[256];
    uint8_t *buf = NULL;
    struct lc_diag d = {{0}};
    snprintf(path, sizeof path, CORPUS "%s", name);
    if (media_file_read(path, 1 << 20, &buf, n, &d) < 0)
        test_fail(__FILE__, __LINE__, "%s", d.msg);
    return buf;
}

TEST(audio_decode_corpus)
{
    /* Half-second clips: AAC mono 48 kHz in mp4 with audio as stream 0,
     * Opus in an audio-only webm (no duration in its header), Opus beside
     * VP9. Each becomes about 8000 samples at 16 kHz. */
    static const char *const files[] = {"audio_first.mp4", "audio_only.webm",
                                        "vp9_opus.webm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n, samples = 0;
        uint8_t *buf = corpus(files[i], &n);
        ASSERT(buf != NULL);
        int16_t *pcm = NULL;
        struct lc_diag d = {{0}};
        int rc = media_audio_decode_16k(buf, n, &pcm, &samples, &d);
        free(buf);
        int peak = 0;
        for (size_t k = 0; k < samples; k++)
            peak = abs(pcm[k]) > peak ? abs(pcm[k]) : peak;
        free(pcm);
        if (rc != 0 || samples < 7000 || samples > 9000 || peak == 0)
            test_fail(__FILE__, __LINE__, "%s: rc %d (%s) samples %zu peak %d",
                      files[i], rc, d.msg, samples, peak);
    }
}

TEST(audio_decode_refusals)
{
    int16_t *pcm = (int16_t *)1;
    size_t samples = 7, n;
    struct lc_diag d = {{0}};
    static const uint8_t junk[64] = "not a recording at all, just some text....";
    /* An EBML header that says webm, then bytes that are nothing. */
    static const uint8_t webm[48] = {0x1a, 0x45, 0xdf, 0xa3, 0x8b, 0x42, 0x86,
                                     0x81, 0x01, 0x42, 0x82, 0x84, 'w',  'e',
                                     'b',  'm',  0xff, 0xff, 0xff, 0xff};
    ASSERT_INT(media_audio_decode_16k(junk, 0, &pcm, &samples, &d), ==, LC_EEMPTY);
    ASSERT(pcm == NULL && samples == 0);
    ASSERT_INT(media_audio_decode_16k(NULL, 10, &pcm, &samples, NULL), ==,
               LC_EEMPTY);
    ASSERT_INT(media_audio_decode_16k(junk, sizeof junk, &pcm, &samples, NULL),
               ==, LC_EUNSUP);
    ASSERT_INT(media_audio_decode_16k(webm, sizeof webm, &pcm, &samples, NULL),
               ==, LC_ETRUNC);
    ASSERT(pcm == NULL);

    /* A video without an audio stream has its own code. */
    uint8_t *buf = corpus("h264.mp4", &n);
    ASSERT(buf != NULL);
    d.msg[0] = '\0';
    int rc = media_audio_decode_16k(buf, n, &pcm, &samples, &d);
    ASSERT_INT(rc, ==, LC_ENOTFOUND);
    ASSERT(strstr(d.msg, "no audio") != NULL);
    /* Cut inside the audio-only webm's header: nothing decodes. */
    free(buf);
    buf = corpus("audio_only.webm", &n);
    ASSERT(buf != NULL);
    rc = media_audio_decode_16k(buf, 200, &pcm, &samples, NULL);
    free(buf);
    ASSERT_INT(rc, ==, LC_ETRUNC);
    ASSERT(pcm == NULL && samples == 0);
}
