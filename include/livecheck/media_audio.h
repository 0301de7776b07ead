/* include/livecheck/media_audio.h - the audio track of a short recording
 * (mp4, webm), decoded from memory to 16 kHz mono 16-bit PCM for speech.
 *
 * media knows samples, not words. The buffer is the caller's and is only
 * read; the container is chosen by content (media_container_sniff), never
 * by a name, and the audio stream by av_find_best_stream (stream order
 * varies: audio can be stream 0). Every channel layout is downmixed to mono
 * and every rate resampled to 16 kHz with libswresample (Chromium records
 * its microphone as 2 channels even when 1 is asked for).
 *
 *     int16_t *pcm;
 *     size_t n;
 *     if (media_audio_decode_16k(buf, len, &pcm, &n, &diag) < 0) ...
 *     speech_digits_recognize(pcm, n, 4, heard, &r, &diag);
 *     free(pcm);
 *
 * Nothing here aborts on bad input; failures are a negative LC_E* code
 * with a one-line reason in the optional diag:
 *   LC_EEMPTY    zero bytes
 *   LC_EUNSUP    not mp4 or webm by content, or an audio codec outside the
 *                allowed set (Opus, AAC, Vorbis), or an unusable layout
 *                (more than 8 channels, a sample rate outside 8..192 kHz)
 *   LC_ENOTFOUND the container holds no audio stream (a silent video)
 *   LC_ETOOBIG   more than MEDIA_AUDIO_MAX_SECONDS of audio: refused from
 *                the header's duration when it has one, else while
 *                decoding, before the output grows beyond the limit
 *   LC_ETRUNC    the data is corrupt or ends before any audio decoded
 */
#ifndef LC_MEDIA_AUDIO_H
#define LC_MEDIA_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "livecheck/err.h"

#define MEDIA_AUDIO_RATE 16000
#define MEDIA_AUDIO_MAX_SECONDS 60

/* Decode the best audio stream of buf (n bytes, mp4 or webm) to mono s16
 * at MEDIA_AUDIO_RATE. On success *pcm is a new buffer of *samples > 0
 * samples (the caller frees it with free()) and 0 is returned; a stream
 * that yields no audio at all is LC_ETRUNC. On failure *pcm is NULL, *samples 0, and a negative LC_E* code
 * (above) is returned. Packets the decoder refuses after good audio are
 * skipped (a recording cut or damaged near its end still gives what came
 * before). Thread-safe: each call owns its demuxer and decoder. */
int media_audio_decode_16k(const uint8_t *buf, size_t n, int16_t **pcm,
                           size_t *samples, struct lc_diag *d);

#endif
