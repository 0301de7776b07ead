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
#   3. `livecheck video` as a whole process (models loaded each time);
#   4. livecheckd (one worker per CPU) answering POST video_liveness with
#      this clip from 2 clients per worker at once: requests/s and median
#      latency with the decoder on each worker's thread (video_pipeline
#      false, the default) and on a second thread per check (true).
# Targets (from the issue): the check <= 1500 ms wall on this machine and
# <= 2x the decode-only floor. 720 lines are below the default 800..2000
# policy, so the check runs with the input policy off (--no-policy).
# Performance is printed, never asserted; the exit status is non-zero only
# when the bench could not run.
#
# Environment: LC_BUILD (default build), LC_DEV_DATA (default
# ../shared/data/dev), LC_MODELS (default models), VIDEO_BENCH_RUNS (5),
# VIDEO_BENCH_REQUESTS (HTTP requests per mode, default 4 per client).
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
[ -x "$B/bench-video" ] || make -s B="$B" "$B/bench-video" >/dev/null || die "cannot build $B/bench-video"

T=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
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

# --- 4. through livecheckd ---------------------------------------------------
[ -x "$B/livecheckd" ] || die "$B/livecheckd is not built"
command -v curl >/dev/null || die "curl is missing (scripts/install-deps.sh)"
"$B/livecheck" credentials create --data-dir "$T/var" >"$T/cred.json" || die "cannot make a credential"
val() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$T/cred.json"; }
export VB_CID VB_CS VB_MS VB_URL VB_CLIP=$clip
VB_CID=$(val client_id) VB_CS=$(val client_secret) VB_MS=$(val module_secret)
# One request: "HTTP-status seconds".
vb_one() {
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$VB_URL" -H "client_id: $VB_CID" \
        -H "client_secret: $VB_CS" -H "module_secret: $VB_MS" -F "reference_id=vb-$1-$RANDOM$RANDOM" \
        -F consent=Y -F "consent_purpose=video bench, synthetic load" -F "video=@$VB_CLIP"
}
export -f vb_one
ncpu=$(nproc)
clients=$((2 * ncpu))
reqs=${VIDEO_BENCH_REQUESTS:-$((4 * clients))}
echo
echo "livecheckd, POST /v2/kyc/forensics/video_liveness with this clip (video_min_side 720):" \
    "$ncpu workers, $clients clients at once, $reqs requests per mode"
for mode in false true; do
    : >"$T/log"
    "$B/livecheckd" --listen 127.0.0.1:0 --data-dir "$T/var" --models-dir "$MODELS" --web-dir web \
        --log-file "$T/log" --video-min-side 720 --video-pipeline "$mode" --store-sync normal &
    pid=$!
    for _ in $(seq 1 200); do
        grep -q '"msg":"listening"' "$T/log" 2>/dev/null && break
        sleep 0.05
    done
    addr=$(grep -o '"address":"[^"]*"' "$T/log" | cut -d'"' -f4)
    [ -n "$addr" ] || die "livecheckd did not start: $(cat "$T/log")"
    VB_URL=http://$addr/v2/kyc/forensics/video_liveness
    [ "$(vb_one warm | cut -d' ' -f1)" = 200 ] || die "livecheckd refused the clip"
    a=$(ms)
    seq "$reqs" | xargs -P "$clients" -I{} bash -c 'vb_one {}' >"$T/res"
    b=$(ms)
    kill -TERM "$pid" && wait "$pid"
    pid=
    good=$(grep -c '^200 ' "$T/res")
    lat=$(awk '{ printf "%.0f\n", $2 * 1000 }' "$T/res" | median)
    printf '  video_pipeline %-5s  %6.2f requests/s   median latency %6s ms   %s of %s answered 200\n' \
        "$mode" "$(awk -v n="$good" -v t=$((b - a)) 'BEGIN { print n * 1000 / t }')" "$lat" "$good" "$reqs"
done
