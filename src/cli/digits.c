/* src/cli/digits.c - `livecheck digits FILE --expect 4831`: the spoken
 * digit challenge of a recording (mp4 or webm with an audio track), as
 * the active video check will score it (audioMatchResults.matchScore).
 *
 * Prints {"heard": "4831", "expected": "4831", "matchScore": 100}. A
 * recording that cannot be used is refused (exit 2) with the video keys
 * for empty, unsupported, too long and corrupt input, and error_no_audio
 * for a recording without an audio stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "livecheck/media.h"
#include "livecheck/media_audio.h"
#include "livecheck/speech.h"

/* Larger than any recording of MEDIA_AUDIO_MAX_SECONDS needs. */
#define MAX_FILE ((size_t)64 << 20)

static int refuse(int rc, const char *msg)
{
    switch (rc) {
    case LC_EEMPTY:
        return cli_fail_outcome(LC_OUTCOME_EMPTY_VIDEO, msg);
    case LC_EUNSUP:
        return cli_fail_outcome(LC_OUTCOME_INVALID_VIDEO_FORMAT, msg);
    case LC_ETOOBIG:
        return cli_fail_outcome(LC_OUTCOME_VIDEO_TOO_LONG, msg);
    case LC_ETRUNC:
        return cli_fail_outcome(LC_OUTCOME_CORRUPT_VIDEO, msg);
    case LC_ENOTFOUND:
        cli_fail("error_no_audio", "%s", msg);
        return CLI_REFUSED;
    default:
        return cli_fail_outcome(LC_OUTCOME_INTERNAL, msg);
    }
}

int cli_digits(int argc, char **argv)
{
    const char *file = NULL, *expect = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc)
            expect = argv[++i];
        else if (argv[i][0] != '-' && file == NULL)
            file = argv[i];
        else
            return cli_fail("error_usage", "digits: unexpected argument '%s'", argv[i]);
    }
    if (file == NULL || expect == NULL)
        return cli_fail("error_usage", "usage: livecheck digits FILE --expect DIGITS");
    size_t nd = strlen(expect);
    if (nd < 1 || nd > SPEECH_DIGITS_MAX || strspn(expect, "0123456789") != nd)
        return cli_fail("error_usage", "--expect takes 1..%d digits",
                        SPEECH_DIGITS_MAX);

    uint8_t *buf;
    size_t n;
    struct lc_diag d = {{0}};
    int rc = media_file_read(file, MAX_FILE, &buf, &n, &d);
    if (rc == LC_ETOOBIG)
        return cli_fail_outcome(LC_OUTCOME_VIDEO_TOO_LARGE, d.msg);
    if (rc < 0)
        return cli_fail("error_file_unreadable", "%s", d.msg);
    int16_t *pcm;
    size_t samples;
    rc = media_audio_decode_16k(buf, n, &pcm, &samples, &d);
    free(buf);
    if (rc < 0)
        return refuse(rc, d.msg);

    char heard[SPEECH_DIGITS_MAX + 1];
    rc = speech_digits_recognize(pcm, samples, (int)nd, heard, NULL, &d);
    free(pcm);
    if (rc < 0)
        return cli_fail_outcome(LC_OUTCOME_INTERNAL, d.msg);
    cli_print(json_pack("{s:s, s:s, s:i}", "heard", heard, "expected", expect,
                        "matchScore", speech_digits_score(expect, heard)));
    return CLI_OK;
}
