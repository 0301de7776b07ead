/* src/cli/main.c - `livecheck`: the engine on files, from the shell. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "usage: livecheck <command> [options]\n"
    "\n"
    "  image FILE [--skip-metadata-validation] [--no-input-policy]\n"
    "             [--threshold N] [--models DIR]\n"
    "      passive liveness of one photo (JPEG or PNG)\n"
    "  match FILE_A FILE_B [--threshold N] [--models DIR]\n"
    "      do two photos show the same person?\n"
    "  quality FILE [--parameter all|sharpness|brightness|compressionQuality|\n"
    "               textQuality] [--models DIR]\n"
    "      image quality scores 0..100 (the image_quality endpoint's data)\n"
    "  video FILE [--no-input-policy] [--threshold X] [--trace] [--timings]\n"
    "             [--models DIR]\n"
    "      passive liveness of a short clip (mp4 or webm): confidence 0..1\n"
    "  digits FILE --expect DIGITS\n"
    "      the spoken digit challenge of a recording (mp4 or webm): digits\n"
    "      heard and matchScore 0..100\n"
    "  active FILE --challenge SPEC [--ref PHOTO]... [--trace]\n"
    "         [--frames DIR] [--models DIR]\n"
    "      active liveness of a recording answering a challenge, e.g.\n"
    "      turn_left@1.50-4.00,blink@4.00-6.50,digits=4821@6.50-11.50:\n"
    "      prompts done, staticRisk, prerecordedRisk, digits heard, and per\n"
    "      reference photo matchScore, covariance (best frames into DIR)\n"
    "  models [--models DIR]\n"
    "      each model's input shape, op count, SHA-256 and load time\n"
    "  credentials create|list|revoke [CLIENT_ID] [--data-dir DIR]\n"
    "      API credentials in livecheckd's store (default ./var)\n"
    "  credentials callback-key CLIENT_ID [--data-dir DIR] [--key-file FILE]\n"
    "      the key a client verifies its signed callbacks with\n"
    "  eval LABELS.csv... [--json] [--out DIR] [--title T] [--threshold N]\n"
    "       [--target-apcer F] [--cues LIST|all|none] [--scales 2.7,4.0]\n"
    "       [--ablation] [--fit] [--brief] [--models DIR]\n"
    "      APCER per attack type, BPCER, ACER, EER and the threshold for a\n"
    "      target APCER over labelled photos (path,label,attack_type); writes\n"
    "      DIR/scores.csv and DIR/plot.png (default DIR build/eval/TITLE)\n"
    "\n"
    "Results are JSON on stdout. Errors are a JSON envelope on stderr with a\n"
    "stable responseKey; the exit status is 2 when the input was refused and\n"
    "1 for usage or internal errors.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_ERR : CLI_OK;
    }
    if (strcmp(argv[1], "image") == 0)
        return cli_image(argc - 1, argv + 1);
    if (strcmp(argv[1], "match") == 0)
        return cli_match(argc - 1, argv + 1);
    if (strcmp(argv[1], "video") == 0)
        return cli_video(argc - 1, argv + 1);
    if (strcmp(argv[1], "digits") == 0)
        return cli_digits(argc - 1, argv + 1);
    if (strcmp(argv[1], "models") == 0)
        return cli_models(argc - 1, argv + 1);
    if (strcmp(argv[1], "credentials") == 0)
        return cli_credentials(argc - 1, argv + 1);
    if (strcmp(argv[1], "eval") == 0)
        return cli_eval(argc - 1, argv + 1);
    if (strcmp(argv[1], "quality") == 0)
        return cli_quality(argc - 1, argv + 1);
    if (strcmp(argv[1], "active") == 0)
        return cli_active(argc - 1, argv + 1);
    fputs(usage, stderr);
    return cli_fail("error_invalid_command", "unknown command '%s'", argv[1]);
}
