#!/usr/bin/env bash
# bench/video_bench.sh - the passive video check on a 10 s 1280x720 clip
# beside the time FFmpeg alone needs to decode it (the floor).
#
# The clip is made here with the ffmpeg CLI from a dev video (live-d3, its
# first 10 s, scaled to 720 lines and padded to 1280x720, H.264 at 30 fps)
# in a temp dir. Figures:
#   1. in process (build/bench-video, models loaded once, median of
#      VIDEO_BENCH_RUNS): decode-only with our decoder (the floor), the
#      check as the server runs it (decoder on a second thread), and the
#      check with everything on one thread;
#   2. ffmpeg -threads 1 -i clip -f null -: FFmpeg's own decode, as a whole
#      process (its ~70 ms start-up included);
#   3. `livecheck video` as a whole process (models loaded each time).
# Targets (from the issue): the check <= 1500 ms wall on this machine and
# <= 2x the decode-only floor. 720 lines are below the default 800..2000
# policy, so the check runs with the input policy off (--no-policy).
# Performance is printed, never asserted; the exit status is non-zero only
# when the bench could not run.
#
# Environment: LC_BUILD (default build), LC_DEV_DATA (default
# ../shared/data/dev), LC_MODELS (default models), VIDEO_BENCH_RUNS (5).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=${LC_BUILD:-build}
DEV=${LC_DEV_DATA:-../shared/data/dev}
MODELS=${LC_MODELS:-models}
RUNS=${VIDEO_BENCH_RUNS:-5}
T_WALL_MS=1500
T_RATIO=2.0

die() {
    echo "video_bench: $*" >&2
    exit 1
}
command -v ffmpeg >/dev/null || die "the ffmpeg CLI is missing (scripts/install-deps.sh)"
[ -f "$MODELS/fr_detect.onnx" ] || die "no models in $MODELS: run \`make models\`"
[ -x "$B/livecheck" ] || die "$B/livecheck is not built"
[ -x "$B/bench-video" ] || make -s "$B/bench-video" >/dev/null || die "cannot build $B/bench-video"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
clip=$T/clip-1280x720.mp4
ffmpeg -nostdin -v error -y -i "$DEV/videos/live-d3.mp4" -t 10 \
    -vf "scale=-2:720,pad=1280:720:(ow-iw)/2:0,fps=30" -an \
    -c:v libx264 -preset medium -crf 23 -pix_fmt yuv420p "$clip" ||
    die "ffmpeg could not make the clip"

ms() { date +%s%N | awk '{ printf "%.0f", $1 / 1e6 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "== passive video: 10 s 1280x720 H.264 clip from live-d3 ($(stat -c %s "$clip") bytes)"
line=$("$B/bench-video" --runs "$RUNS" --models "$MODELS" --no-policy "$clip") ||
    die "bench-video failed"
echo "$line"
dec=$(sed -E 's/.*"decode_median_ms":([0-9.]+).*/\1/' <<<"$line")
chk=$(sed -E 's/.*"check_median_ms":([0-9.]+).*/\1/' <<<"$line")
inl=$(sed -E 's/.*"inline_median_ms":([0-9.]+).*/\1/' <<<"$line")

ff=$(for i in $(seq "$RUNS"); do
    a=$(ms)
    ffmpeg -nostdin -v error -threads 1 -i "$clip" -f null - || exit 1
    echo $(($(ms) - a))
done | median)
cli=$(for i in $(seq "$RUNS"); do
    a=$(ms)
    "$B/livecheck" video "$clip" --no-input-policy --models "$MODELS" >/dev/null 2>&1 || exit 1
    echo $(($(ms) - a))
done | median)

printf '%-52s %8s ms\n' "decode only, in process (the floor)" "$dec"
printf '%-52s %8s ms\n' "ffmpeg -threads 1 -f null, whole process" "$ff"
printf '%-52s %8s ms   target <= %d ms, <= %.1fx floor: %.2fx\n' \
    "check, decoder on a second thread, in process" "$chk" "$T_WALL_MS" "$T_RATIO" \
    "$(awk -v a="$chk" -v b="$dec" 'BEGIN { print a / b }')"
printf '%-52s %8s ms\n' "check, one thread, in process" "$inl"
printf '%-52s %8s ms   (models loaded each time)\n' "livecheck video, whole process" "$cli"
awk -v c="$chk" -v d="$dec" -v w="$T_WALL_MS" -v r="$T_RATIO" 'BEGIN {
    printf "video targets: wall %s, ratio %s\n",
        (c <= w) ? "met" : "MISSED", (c <= r * d) ? "met" : "MISSED" }'
