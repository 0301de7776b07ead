/* fuzz/fuzz_audio.c - libFuzzer target for the audio track decoder.
 *
 * Runs what the spoken digit challenge meets in an upload before any
 * speech work: media_audio_decode_16k (sniff, demux, stream pick, decode,
 * downmix and resample to 16 kHz), and checks what media_audio.h promises
 * about its outputs. Build with clang -fsanitize=fuzzer,address, or link
 * with fuzz/replay.c to replay the corpus without clang (fuzz/corpus/audio:
 * tiny synthetic tones in every allowed codec and container, cut and
 * silent copies, made with the ffmpeg CLI).
 */
#include "livecheck/media_audio.h"
#include "livecheck/media_video.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int16_t *pcm = (int16_t *)data; /* must be replaced either way */
    size_t n = 1;
    int rc = media_audio_decode_16k(data, size, &pcm, &n, NULL);
    if (rc > 0)
        abort();
    if (rc == 0 && (pcm == NULL || n == 0 ||
                    n > (size_t)MEDIA_AUDIO_MAX_SECONDS * MEDIA_AUDIO_RATE))
        abort();
    if (rc < 0 && (pcm != NULL || n != 0))
        abort();
    if (media_container_sniff(data, size) == MEDIA_CONTAINER_UNKNOWN &&
        rc != LC_EUNSUP && rc != LC_EEMPTY)
        abort();
    if (rc == 0) {
        /* Touch the last sample: ASan checks the extent. */
        volatile int16_t sink = pcm[n - 1];
        (void)sink;
    }
    free(pcm);
    return 0;
}
