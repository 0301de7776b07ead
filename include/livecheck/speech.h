/* include/livecheck/speech.h - recognising the spoken digit challenge.
 *
 * An active video session asks the user to read a few random digits aloud;
 * speech tells which digits were said and how many of the expected ones
 * were heard in order. It uses pocketsphinx (Debian's 0.8+5prealpha) with
 * the acoustic model of the pocketsphinx-en-us package, a 12-entry digits
 * dictionary (zero..nine, oh, the second pronunciation of zero) given
 * through the API, and a JSGF grammar of exactly ndigits digits: a free
 * "<digit>+" grammar inserts and deletes digits, and keyword spotting was
 * unusable.
 *
 *     int16_t *pcm; size_t n;
 *     media_audio_decode_16k(buf, len, &pcm, &n, &diag);   // media_audio.h
 *     char heard[SPEECH_DIGITS_MAX + 1];
 *     struct speech_result r;
 *     if (speech_digits_recognize(pcm, n, 4, heard, &r, &diag) < 0) ...
 *     int matchScore = speech_digits_score("4831", heard);
 *     free(pcm);
 *
 * Every call builds its own decoder (about 10-25 ms) and frees it before
 * returning: pocketsphinx keeps state between utterances (its running
 * cepstral-mean and noise estimates), so with a shared decoder the same
 * audio gives different digits depending on what was decoded before, and
 * one user's recording would change another user's result. Calls are
 * therefore independent and may run on any number of threads at once.
 * pocketsphinx's own log is switched off once for the whole process.
 */
#ifndef LC_SPEECH_H
#define LC_SPEECH_H

#include <stddef.h>
#include <stdint.h>

#include "livecheck/err.h"

/* The longest challenge speech_digits_recognize accepts. */
#define SPEECH_DIGITS_MAX 10
/* The longest audio it accepts, at 16 kHz (as media_audio's limit). */
#define SPEECH_MAX_SECONDS 60
/* Where Debian's pocketsphinx-en-us puts the acoustic model. */
#define SPEECH_MODEL_DIR "/usr/share/pocketsphinx/model/en-us/en-us"

struct speech_result {
    char words[128];   /* the decoder's hypothesis, "four eight three one";
                        * "" when it found none (silence, noise) */
    int ndigits;       /* digits heard: strlen of out, 0..ndigits asked */
    double seconds;    /* length of the audio */
    double ms;         /* wall time of the call (decoder set-up included) */
};

/* Recognise exactly ndigits (1..SPEECH_DIGITS_MAX) spoken digits in n
 * samples of 16 kHz mono 16-bit PCM (borrowed). Writes the digits heard
 * into out (ndigits + 1 bytes, always terminated): "4831", or "" when the
 * decoder found no path through the grammar (silence, noise, no speech) -
 * that is a result, not an error. "oh" is written as 0.
 *
 * The utterance is decoded twice by the same fresh decoder and the second
 * hypothesis is kept: the second pass starts from the cepstral-mean and
 * noise estimates the first pass made on this very audio, which measurably
 * helped on synthetic voices (docs/architecture.md, speech).
 *
 * r (optional) receives the details. Returns 0 or:
 *   LC_EINVAL    ndigits outside 1..SPEECH_DIGITS_MAX, or out NULL
 *   LC_EEMPTY    no samples
 *   LC_ETOOBIG   more than SPEECH_MAX_SECONDS of audio
 *   LC_ENOTFOUND the acoustic model is not installed (SPEECH_MODEL_DIR)
 *   LC_EIO       pocketsphinx failed to set up or to decode
 * with a one-line reason in the optional diag. On error out is "". */
int speech_digits_recognize(const int16_t *pcm16k_mono, size_t n, int ndigits,
                            char *out, struct speech_result *r,
                            struct lc_diag *d);

/* The share of the expected digits that were heard, in order, 0..100: the
 * length of the longest common subsequence of expected and heard, divided
 * by the length of expected, rounded to the nearest integer ("4831" vs
 * "4813" is 75; vs "1384" 25; vs "" 0). Characters are compared as they
 * are; only the first 64 of each string count. NULL or an empty expected
 * scores 0. This is the API's audioMatchResults.matchScore. */
int speech_digits_score(const char *expected, const char *heard);

#endif
